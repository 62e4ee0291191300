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
} from './lagom_wasm.js';
export { billingPeriod, evalAggregation, evalCharge } from './lagom_wasm.js';

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
 * Loads the WebAssembly module. Browsers fetch `lagom_wasm_bg.wasm` next to the package's entry unless
 * given a URL, a Response, the bytes or a compiled WebAssembly.Module. Under Node the module is already
 * loaded on import, and this resolves at once.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Loads the WebAssembly module from its bytes or a compiled WebAssembly.Module, synchronously. */
export function initSync(module: SyncInitInput): void;
