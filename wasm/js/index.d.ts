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
  JsonValue,
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
  Timestamp,
} from './lagom_wasm.js';
export { billingPeriod, evalAggregation, priceCurve, validate } from './lagom_wasm.js';
import type {
  ChargeEvalInput,
  ChargeEvalOutput,
  Decimal,
  EventFormat,
  Json,
  LagoEvent,
  LoadReport,
  Scenario,
  SimulationOutput,
} from './lagom_wasm.js';

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
  /**
   * Replays `scenario` with the loaded events, each as an `event` step at its own timestamp;
   * `options.custom` prices `custom` charges and folds `custom_agg` metrics.
   */
  simulate(scenario: Scenario, options?: CustomOptions): SimulationOutput;
  /** Frees the workspace's wasm memory now rather than when it is garbage-collected. */
  free(): void;
}

/**
 * Prices units with one charge model (the `charge` contract). A `custom` charge needs
 * `options.custom`; the contract has only events' values, so `context.events` is empty there.
 */
export function evalCharge(input: ChargeEvalInput, options?: CustomOptions): ChargeEvalOutput;

/**
 * Replays a scenario; the output is the same JSON as `lagom simulate --format json` (with
 * `--plugins DIR` when `options.custom` holds the same plugins).
 */
export function simulate(scenario: Scenario, options?: CustomOptions): SimulationOutput;

/** Custom code for `custom` charges and `custom_agg` metrics. */
export interface CustomOptions {
  custom?: CustomCallbacks | CustomPlugins;
}

/**
 * JavaScript callbacks, called synchronously with the plugin ABI's documents (decimals as strings,
 * timestamps `YYYY-MM-DDTHH:MM:SSZ`). Throw to fail the charge.
 */
export interface CustomCallbacks {
  /**
   * Prices every `custom` charge. Without it a `custom` charge takes Lago's own rule: the amount its
   * `custom_agg` metric computed.
   */
  price?: (request: PriceRequest) => PriceAnswer;
  /**
   * Lago's custom aggregation, once per event of the period in timestamp order: `properties` are the
   * charge's `properties.custom_properties`. The answer's `total_units` replaces the running units and
   * its `amount` is added to the running amount.
   */
  aggregate?: (event: PluginEvent, state: AggregationState, properties: { [key: string]: Json }) => AggregationState;
  plugins?: never;
}

/** Plugins, chosen by each `custom` charge's `properties.plugin`, as `lagom --plugins DIR` chooses them. */
export interface CustomPlugins {
  plugins: readonly Plugin[];
  price?: never;
  aggregate?: never;
}

/** An event as the plugin ABI hands it over. */
export interface PluginEvent {
  /** `YYYY-MM-DDTHH:MM:SSZ`. */
  timestamp: string;
  properties: { [key: string]: Json };
  transaction_id?: string;
  code?: string;
  external_subscription_id?: string;
  external_customer_id?: string;
  [field: string]: Json | undefined;
}

/** What a custom charge is priced on: `lagom_price`'s request. */
export interface PriceRequest {
  units: Decimal;
  /** The charge's properties as written (`plugin` included). */
  properties: { [key: string]: Json };
  /**
   * The charge's events of the billing period, earliest first (empty in `evalCharge`), and the charges
   * period's first and last instants (`YYYY-MM-DDTHH:MM:SSZ`) in a simulation; absent in `evalCharge`.
   */
  context: { events: PluginEvent[]; from_datetime?: string; to_datetime?: string };
}

/** A custom charge's price. Without `unit_amount`, Lago's rule: `amount / units` (0 without units). */
export interface PriceAnswer {
  /** A decimal string, never a number. */
  amount: Decimal;
  unit_amount?: Decimal | null;
  amount_details?: { [key: string]: Json } | null;
}

/** A custom aggregation's state, or one step of it (decimal strings). */
export interface AggregationState {
  total_units: Decimal;
  amount: Decimal;
}

/** Which of the ABI's calls a plugin exports. */
export interface PluginCalls {
  readonly price: boolean;
  readonly aggregate: boolean;
}

/** The ABI version this package speaks (docs/plugins.md). */
export const ABI_VERSION: 1;

/**
 * The limits each plugin call gets, the native host's defaults. Fuel and a deadline cannot be
 * enforced in JavaScript (run untrusted plugins in a Worker you can terminate); memory is checked
 * between guest calls.
 */
export const PLUGIN_LIMITS: { readonly memoryBytes: number; readonly inputBytes: number; readonly outputBytes: number };

/** A compiled, checked plugin: give it to `simulate`, `evalCharge` or `Workspace#simulate` in `{ custom: { plugins } }`. */
export class Plugin {
  private constructor();
  /** The name charges give in `properties.plugin`. */
  readonly name: string;
  readonly calls: PluginCalls;
  /** The compiled module. */
  readonly module: WebAssembly.Module;
  /**
   * One ABI call in a fresh instance: `request` (JSON text) in, the plugin's response (JSON text,
   * `{"ok": …}` or `{"error": "…"}`) out. Throws a LagomError (code `custom`) naming the plugin when
   * the call traps or breaks the ABI.
   */
  call(kind: 'price' | 'aggregate', request: string): string;
}

/** Where a plugin comes from: its bytes, a Response, a URL (a path under Node) or a compiled module. */
export type PluginSource = ArrayBuffer | ArrayBufferView | Response | URL | string | WebAssembly.Module;

/**
 * Compiles (asynchronously) and checks a plugin: no imports, the ABI's exports, ABI version 1.
 * `options.name` defaults to the file stem of a URL, path or Response's URL.
 */
export function loadPlugin(source: PluginSource, options?: { name?: string }): Promise<Plugin>;
