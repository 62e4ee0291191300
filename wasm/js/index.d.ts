import type { InitInput, SyncInitInput } from './lagom_wasm.js';

export type {
  AggregationEvalInput,
  AggregationEvalOutput,
  AggregationType,
  AggregationUnits,
  BillableMetric,
  BillingPeriodInput,
  BillingPeriodOutput,
  ChargeEvalInput,
  ChargeEvalOutput,
  ChargeEvent,
  ChargeFilter,
  ChargeModel,
  Decimal,
  DecimalInput,
  Instant,
  Interval,
  Json,
  LagoEvent,
  InitInput,
  SyncInitInput,
  CurveCharge,
  CurveRange,
  EventFormat,
  Fee,
  Invoice,
  LagoAddOn,
  LagoCharge,
  LagoCoupon,
  LagoCustomer,
  LagoFields,
  LagoOrganization,
  LagoPlan,
  LagoSubscriptionCreate,
  LagoTax,
  LoadError,
  LoadReport,
  PricePoint,
  Problem,
  Scenario,
  SimulationOutput,
  SimulationWarning,
  Step,
  StepBodies,
  StepEvent,
  StepOp,
} from './lagom_wasm.js';
export { billingPeriod, evalAggregation, evalCharge, priceCurve, simulate, validate } from './lagom_wasm.js';
import type { EventFormat, LagoEvent, LoadReport, Scenario, SimulationOutput } from './lagom_wasm.js';

/** What kind of failure a {@link LagomError} reports. */
export type LagomErrorCode =
  | 'invalid'
  | 'unknown_variant'
  | 'overflow'
  | 'division_by_zero'
  | 'custom'
  | 'internal'
  | 'not_initialized';

/** A failure of the billing core: `code` says what kind, `path` which input field (or null). */
export class LagomError extends Error {
  constructor(code: LagomErrorCode, path: string | null, message: string, options?: { cause?: unknown });
  readonly name: 'LagomError';
  /** What kind of failure: a bad input, an arithmetic failure, an internal error. */
  readonly code: LagomErrorCode;
  /** The JSON path of the offending input field ("properties.amount"; "" for the whole input), or null. */
  readonly path: string | null;
}

/**
 * Loads the WebAssembly module. Browsers fetch the entry's `.wasm` (`lagom_wasm_bg.wasm`, or
 * `lagom_eval_bg.wasm` for `lagom-billing/eval`) next to the package's files unless given a URL, a
 * Response, the bytes or a compiled WebAssembly.Module. Under Node the module is already loaded on
 * import, and this resolves at once.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Loads the WebAssembly module from its bytes or a compiled WebAssembly.Module, synchronously. */
export function initSync(module: SyncInitInput): void;

/** Events loaded once and kept in wasm memory, replayed with every scenario it simulates. */
export class Workspace {
  constructor();
  /**
   * Appends events: an array of events, or text — `ndjson` (the default for text: one event per line),
   * `csv` (a header row naming transaction_id, external_subscription_id, external_customer_id, code,
   * timestamp and one column per property, `foo` or `properties.foo`) or `json` (an array). Bad rows
   * are skipped and reported with their 1-based line.
   */
  loadEvents(input: LagoEvent[] | string, format?: EventFormat): LoadReport;
  /** How many events are loaded. */
  readonly eventCount: number;
  /** Forgets every loaded event. */
  clearEvents(): void;
  /** Up to `limit` loaded events from `offset`, in load order, with ISO timestamps. */
  events(offset: number, limit: number): LagoEvent[];
  /** Replays `scenario` with the loaded events, each as an `event` step at its own timestamp. */
  simulate(scenario: Scenario): SimulationOutput;
  /** Frees the workspace's wasm memory now rather than when it is garbage-collected. */
  free(): void;
}
