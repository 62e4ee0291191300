// The package's entry for browsers and bundlers, and the glue every entry shares: it wraps the
// wasm-bindgen output (./lagom_wasm.js) so that a failure is thrown as a LagomError.
import initWasm, {
  initSync as initWasmSync,
  evalCharge as rawEvalCharge,
  evalAggregation as rawEvalAggregation,
  billingPeriod as rawBillingPeriod,
  simulate as rawSimulate,
  validate as rawValidate,
  priceCurve as rawPriceCurve,
  Workspace as RawWorkspace,
  takePanicMessage,
} from './lagom_wasm.js';

export { ABI_VERSION, loadPlugin, Plugin, PLUGIN_LIMITS } from './plugin.js';

/** A failure of the billing core: `code` says what kind, `path` which input field (or null). */
export class LagomError extends Error {
  constructor(code, path, message, options) {
    super(message, options);
    this.name = 'LagomError';
    this.code = code;
    this.path = path;
  }
}

let ready = false;

/**
 * Loads the WebAssembly module. Browsers fetch `lagom_wasm_bg.wasm` next to this file unless given
 * a URL, a Response, the bytes or a compiled WebAssembly.Module. Under Node the module is already
 * loaded on import, and this resolves at once.
 */
export async function init(input) {
  if (!ready) {
    await initWasm(input === undefined ? undefined : { module_or_path: input });
    ready = true;
  }
}

/** Loads the WebAssembly module from its bytes or a compiled WebAssembly.Module, synchronously. */
export function initSync(module) {
  if (!ready) {
    initWasmSync({ module });
    ready = true;
  }
}

function call(raw, ...args) {
  if (!ready) {
    throw new LagomError('not_initialized', null, 'the WebAssembly module is not loaded: await init() first');
  }
  try {
    return raw(...args);
  } catch (thrown) {
    throw asLagomError(thrown);
  }
}

function asLagomError(thrown) {
  if (thrown instanceof WebAssembly.RuntimeError) {
    // A panic traps; the core's panic hook kept its message.
    const panic = takePanicMessage();
    return new LagomError('internal', null, `internal error: ${panic ?? thrown.message}`, { cause: thrown });
  }
  if (thrown !== null && typeof thrown === 'object' && !(thrown instanceof Error) && typeof thrown.code === 'string') {
    return new LagomError(thrown.code, thrown.path ?? null, thrown.message);
  }
  return thrown;
}

/**
 * Prices units with one charge model (the `charge` contract); `options.custom` prices a `custom`
 * charge (callbacks `{ price, aggregate }` or `{ plugins }`).
 */
export function evalCharge(input, options) {
  return call(rawEvalCharge, input, options);
}

/** Aggregates events with a billable metric (the `aggregation` contract). */
export function evalAggregation(input) {
  return call(rawEvalAggregation, input);
}

/** Computes the billing period of a subscription on a billing date (the `period` contract). */
export function billingPeriod(input) {
  return call(rawBillingPeriod, input);
}

/**
 * Replays a scenario; the output is the same JSON as `lagom simulate --format json`. `options.custom`
 * prices `custom` charges and folds `custom_agg` metrics.
 */
export function simulate(scenario, options) {
  return call(rawSimulate, scenario, options);
}

/** Every problem of a scenario document with its JSON path; [] when `simulate` will accept it. */
export function validate(scenario) {
  return call(rawValidate, scenario);
}

/** Prices `range.steps + 1` evenly spaced unit counts from `range.from` to `range.to` with one charge. */
export function priceCurve(charge, range) {
  return call(rawPriceCurve, charge, range);
}

/** Events loaded once and kept in wasm memory, replayed with every scenario it simulates. */
export class Workspace {
  #raw;

  constructor() {
    this.#raw = call(() => new RawWorkspace());
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
