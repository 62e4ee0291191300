// The page's link to the billing core (the npm package `lagom-billing`): the loaded usage lives in one
// Workspace inside wasm memory; a preview is a simulation of the design's scenario over that usage,
// timed from the call to the result.

import {
  LagomError,
  Workspace,
  validate,
  type EventFormat,
  type LagoEvent,
  type LoadReport,
  type Problem,
  type Scenario,
} from 'lagom-billing';
import type { Design, Plan } from './design';
import type { SimulationOutput } from './invoice';
import { buildScenario, type SubscriptionRef } from './scenario';

export type { EventFormat, LoadReport };

/** What is billed when no usage is loaded, so that the subscription fee still shows: one placeholder subscription. */
const PLACEHOLDER: readonly SubscriptionRef[] = [{ external_id: 'sub_1', external_customer_id: 'customer_1' }];

/** Pages through the workspace's events this many at a time when listing its subscriptions. */
const SCAN_PAGE = 20_000;

/** The loaded usage: the events in wasm memory and the subscriptions they name. */
export class Usage {
  private readonly workspace = new Workspace();
  private known: SubscriptionRef[] = [];

  get eventCount(): number {
    return this.workspace.eventCount;
  }

  /** The subscriptions the preview bills: those the events name, or one placeholder. */
  get subscriptions(): readonly SubscriptionRef[] {
    return this.known.length > 0 ? this.known : PLACEHOLDER;
  }

  /** Appends events (an array, or text in `format`), and reports the rows it skipped. */
  load(input: LagoEvent[] | string, format?: EventFormat): LoadReport {
    const report = this.workspace.loadEvents(input, format);
    this.known = this.scanSubscriptions();
    return report;
  }

  clear(): void {
    this.workspace.clearEvents();
    this.known = [];
  }

  page(offset: number, limit: number): LagoEvent[] {
    return this.workspace.events(offset, limit);
  }

  /**
   * Simulates `plan` for every subscription over the loaded events. The design keeps what the user
   * typed (a number field may hold text), so the scenario is typed here, where the core checks it.
   */
  simulate(design: Design, plan: Plan): SimulationOutput {
    const scenario = buildScenario(design, plan, this.subscriptions) as unknown as Scenario;
    return this.workspace.simulate(scenario) as unknown as SimulationOutput;
  }

  /** Every subscription the events name, in natural order (sub_2 before sub_10); a customer id defaults to it. */
  private scanSubscriptions(): SubscriptionRef[] {
    const seen = new Map<string, SubscriptionRef>();
    for (let offset = 0; offset < this.eventCount; offset += SCAN_PAGE) {
      for (const event of this.page(offset, SCAN_PAGE)) {
        const id = event.external_subscription_id;
        if (id && !seen.has(id)) {
          seen.set(id, { external_id: id, external_customer_id: event.external_customer_id || id });
        }
      }
    }
    return [...seen.values()].sort((a, b) => a.external_id.localeCompare(b.external_id, 'en', { numeric: true }));
  }
}

/** What one preview run gave: the simulation's output or the core's error, and how long it took. */
export interface PreviewRun {
  output: SimulationOutput | null;
  error: LagomError | Error | null;
  milliseconds: number;
}

export function runPreview(usage: Usage, design: Design, plan: Plan): PreviewRun {
  const started = performance.now();
  try {
    const output = usage.simulate(design, plan);
    return { output, error: null, milliseconds: performance.now() - started };
  } catch (thrown) {
    return { output: null, error: thrown as Error, milliseconds: performance.now() - started };
  }
}

/**
 * Where the page edits what the scenario repeats per customer: the time zone in the preview's
 * settings, the currency in the plan's.
 */
const ALIASES: [RegExp, string][] = [
  [/^customers\[\d+\]\.timezone$/, 'preview.timezone'],
  [/^customers\[\d+\]\.currency$/, 'plans[0].amount_currency'],
];

/** A problem at the path of the control that edits its value, and its message without the old path. */
function aliased(problem: Problem): Problem {
  const alias = ALIASES.find(([pattern]) => pattern.test(problem.path));
  if (!alias) return problem;
  const prefix = `${problem.path}: `;
  const message = problem.message.startsWith(prefix) ? problem.message.slice(prefix.length) : problem.message;
  return { ...problem, path: alias[1], message: `${alias[1]}: ${message}` };
}

/**
 * The core's problems with the design's scenario (an empty list when it would simulate), each at the
 * path of its control and reported once (every customer repeats the time zone).
 */
export function problemsOf(design: Design, subscriptions: readonly SubscriptionRef[]): Problem[] {
  // As JSON text, which the core parses in one pass, rather than an object it reads field by field
  // across the JS boundary; an undefined property is null, as the core reads it in an object.
  const text = JSON.stringify(buildScenario(design, design.plan, subscriptions), (_key, value: unknown) => value ?? null);
  const problems = validate(text).map(aliased);
  return problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
}
