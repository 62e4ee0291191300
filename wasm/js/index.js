// The package's entry for browsers and bundlers: every export, over the full module (./lagom_wasm.js).
// The glue it shares with the eval-only entry (`lagom-billing/eval`) is in ./glue.js.
import * as wasm from './lagom_wasm.js';
import { bind } from './glue.js';

export { LagomError } from './glue.js';
export { ABI_VERSION, loadPlugin, Plugin, PLUGIN_LIMITS } from './plugin.js';

const { call, ...contracts } = bind(wasm);

export const { init, initSync, evalCharge, evalAggregation, billingPeriod, priceCurve } = contracts;

/**
 * Replays a scenario; the output is the same JSON as `lagom simulate --format json`. `options.custom`
 * prices `custom` charges and folds `custom_agg` metrics.
 */
export function simulate(scenario, options) {
  return call(wasm.simulate, scenario, options);
}

/** Every problem of a scenario document with its JSON path; [] when `simulate` will accept it. */
export function validate(scenario) {
  return call(wasm.validate, scenario);
}

/** Events loaded once and kept in wasm memory, replayed with every scenario it simulates. */
export class Workspace {
  #raw;

  constructor() {
    this.#raw = call(() => new wasm.Workspace());
  }

  /** Appends events (an array, or NDJSON/CSV/JSON text); bad rows are skipped and reported by line. */
  loadEvents(input, format) {
    return call((i, f) => this.#raw.loadEvents(i, f), input, format);
  }

  /** How many events are loaded. */
  get eventCount() {
    return call(() => this.#raw.eventCount);
  }

  /** Forgets every loaded event. */
  clearEvents() {
    call(() => this.#raw.clearEvents());
  }

  /** Up to `limit` loaded events from `offset`, in load order. */
  events(offset, limit) {
    return call((o, l) => this.#raw.events(o, l), offset, limit);
  }

  /** Replays `scenario` with the loaded events, each as an `event` step at its own timestamp. */
  simulate(scenario, options) {
    return call((s, o) => this.#raw.simulate(s, o), scenario, options);
  }

  /** Frees the workspace's wasm memory now rather than when it is garbage-collected. */
  free() {
    this.#raw.free();
  }
}
