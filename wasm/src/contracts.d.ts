/**
 * A decimal number. Inputs take a string ("0.015") or a JS number; pass strings when exactness matters
 * (a JS number is a binary float). Outputs are always strings in shortest exact form ("27.5", "0").
 */
export type DecimalInput = string | number;
/** A decimal in shortest exact form, e.g. "27.5". */
export type Decimal = string;
/** An instant: ISO 8601 text ("2024-03-01T00:00:00Z") or Unix seconds. Outputs are ISO text in UTC. */
export type Instant = string | number;
/** A JSON value, as a charge's properties or an event's properties hold them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Lago's charge models. */
export type ChargeModel =
  | "standard"
  | "graduated"
  | "graduated_percentage"
  | "package"
  | "percentage"
  | "volume"
  | "dynamic"
  | "custom";

/** One event of the period, as a charge model sees it. */
export interface ChargeEvent {
  value: DecimalInput;
  prorated_value?: DecimalInput | null;
  precise_total_amount_cents?: DecimalInput | null;
}

/** The `charge` contract's input: a charge and an aggregation result. */
export interface ChargeEvalInput {
  charge_model: ChargeModel;
  /** The charge's properties, as Lago's API takes them. */
  properties?: { [key: string]: Json };
  units: DecimalInput;
  events?: ChargeEvent[];
  /** The units before proration (Lago's `full_units_number`). */
  full_units?: DecimalInput | null;
  prorated?: boolean;
  /** Cents per currency unit, for `dynamic` (default 100). */
  subunit_to_unit?: number | null;
  /** The custom aggregation state a custom pricing may read. */
  custom_aggregation?: { total_units?: DecimalInput; amount: DecimalInput } | null;
  /** The elapsed share of the billing period, in (0, 1]: asks for Lago's current-usage projection. */
  period_ratio?: DecimalInput | null;
}

/** The `charge` contract's output: Lago's fee amounts, unrounded. */
export interface ChargeEvalOutput {
  amount: Decimal;
  unit_amount: Decimal;
  /** What the charge model shows of its computation (`{}` for standard). */
  amount_details: { [key: string]: Json };
  /** With `period_ratio`: the units projected to the end of the period. */
  projected_units?: Decimal;
  /** With `period_ratio`: the amount projected to the end of the period. */
  projected_amount?: Decimal;
}

/** Lago's aggregation types. */
export type AggregationType =
  | "count_agg"
  | "sum_agg"
  | "max_agg"
  | "unique_count_agg"
  | "latest_agg"
  | "weighted_sum_agg"
  | "custom_agg";

/** Lago's event, as sent to `POST /events`. */
export interface LagoEvent {
  /** Lago keeps the first event of a transaction_id and ignores the others. */
  transaction_id: string;
  external_subscription_id?: string | null;
  external_customer_id?: string | null;
  /** The `code` of the billable metric the event feeds. */
  code: string;
  timestamp: Instant;
  properties?: { [key: string]: Json };
  precise_total_amount_cents?: DecimalInput | null;
}

/** A billable metric in Lago's JSON shape (other fields, such as `lago_id`, are ignored). */
export interface BillableMetric {
  name: string;
  code: string;
  description?: string | null;
  aggregation_type: AggregationType;
  field_name?: string | null;
  recurring?: boolean;
  weighted_interval?: "seconds" | null;
  filters?: { key: string; values: string[] }[];
  rounding_function?: "round" | "ceil" | "floor" | null;
  rounding_precision?: number | null;
  expression?: string | null;
}

/** One filter of a charge: for each metric filter key, the values it selects. */
export interface ChargeFilter {
  values: { [key: string]: string[] };
}

/** The `aggregation` contract's input: a billable metric, the period's events and the period. */
export interface AggregationEvalInput {
  billable_metric: BillableMetric;
  events: LagoEvent[];
  /** Events before `from_datetime`, for recurring metrics. */
  previous_period_events?: LagoEvent[];
  from_datetime: Instant;
  to_datetime: Instant;
  /** The filter bucket to aggregate; without it, the default bucket of `charge.filters`. */
  charge_filter?: ChargeFilter | null;
  grouped_by?: string[];
  /** The parts of Lago's charge object that aggregation reads. */
  charge?: { prorated?: boolean; filters?: ChargeFilter[] } | null;
  /** Days; defaults to the days the period spans in `timezone`. */
  charges_duration?: number | null;
  /** An IANA time zone name (default UTC). */
  timezone?: string | null;
}

/** The units of a whole bucket or of one group. */
export interface AggregationUnits {
  aggregation: Decimal;
  count: Decimal;
  /** Prorated charges: the units without proration. */
  full_units_number?: Decimal;
  /** Weighted sums: the units active at the end of the period. */
  total_aggregated_units?: Decimal;
}

/** The `aggregation` contract's output. */
export interface AggregationEvalOutput extends AggregationUnits {
  /** One entry per group, when `grouped_by` is given. */
  grouped?: (AggregationUnits & { grouped_by: { [key: string]: Json } })[];
}

/** Lago's plan intervals. */
export type Interval = "weekly" | "monthly" | "quarterly" | "semiannual" | "yearly";

/** The `period` contract's input: a subscription and the billing date. */
export interface BillingPeriodInput {
  interval: Interval;
  billing_time: "calendar" | "anniversary";
  subscription_at: Instant;
  /** Defaults to `subscription_at`. */
  started_at?: Instant | null;
  billing_at: Instant;
  /** An IANA time zone name, e.g. "Europe/Paris". */
  timezone: string;
  pay_in_advance: boolean;
  bill_charges_monthly?: boolean | null;
  terminated_at?: Instant | null;
  /** Trial length in days, may be fractional. */
  trial_period?: DecimalInput | null;
}

/** The `period` contract's output: Lago's invoice boundaries. */
export interface BillingPeriodOutput {
  from_datetime: string;
  to_datetime: string;
  charges_from_datetime: string;
  charges_to_datetime: string;
  /** Days, an integer. */
  charges_duration: number;
  next_end_of_period: string;
  /** The start of the period before the billing date's. */
  previous_beginning_of_period: string;
  /** The share of the plan amount billed for `from_datetime..to_datetime` ("1" for a whole period). */
  proration_coefficient: Decimal;
  /** When the plan has a trial. */
  trial_end_datetime?: string;
  /** When the plan has a trial: it has not ended at `billing_at`. */
  in_trial?: boolean;
}

// ---- the simulator, validation, price curves and the workspace ----
//
// Lago's API objects below type the fields the simulator reads or writes; each also takes the other
// fields of Lago's API shape as JSON (`[key: string]: Json | undefined`), so a document copied from Lago
// type-checks as it is.

/** Any other field of a Lago API object. */
export type LagoFields = { [key: string]: Json | undefined };

/** A charge of a plan (`billable_metric_code` names its metric). */
export type LagoCharge = LagoFields & {
  billable_metric_code?: string | null;
  billable_metric_id?: string | null;
  charge_model: ChargeModel;
  pay_in_advance?: boolean;
  invoiceable?: boolean;
  prorated?: boolean;
  min_amount_cents?: number | null;
  properties?: { [key: string]: Json };
  filters?: (LagoFields & { values: { [key: string]: string[] }; properties?: { [key: string]: Json } })[];
  tax_codes?: string[];
};

/** A plan, as `POST /plans` takes it. */
export type LagoPlan = LagoFields & {
  name: string;
  code: string;
  interval: Interval;
  amount_cents: number;
  amount_currency: string;
  pay_in_advance?: boolean;
  trial_period?: DecimalInput | null;
  bill_charges_monthly?: boolean | null;
  charges?: LagoCharge[];
  tax_codes?: string[];
};

/** A customer, as `POST /customers` takes it. */
export type LagoCustomer = LagoFields & {
  external_id: string;
  name?: string | null;
  currency?: string | null;
  /** An IANA time zone name. */
  timezone?: string | null;
  tax_codes?: string[];
};

/** The organization's billing settings. */
export type LagoOrganization = LagoFields & { timezone?: string | null };

/** A tax; `rate` is a percentage. */
export type LagoTax = LagoFields & { name: string; code: string; rate: DecimalInput; applied_to_organization?: boolean };

/** An add-on, billed by one-off invoices. */
export type LagoAddOn = LagoFields & { name: string; code: string; amount_cents: number; amount_currency: string };

/** A coupon. */
export type LagoCoupon = LagoFields & {
  name: string;
  code: string;
  coupon_type: 'fixed_amount' | 'percentage';
  amount_cents?: number | null;
  amount_currency?: string | null;
  percentage_rate?: DecimalInput | null;
  frequency: 'once' | 'recurring' | 'forever';
  frequency_duration?: number | null;
};

/** A subscription, as `POST /subscriptions` takes it. */
export type LagoSubscriptionCreate = LagoFields & {
  external_id: string;
  external_customer_id: string;
  plan_code: string;
  billing_time?: 'calendar' | 'anniversary';
  subscription_at?: Instant | null;
  ending_at?: Instant | null;
};

/** An event step's body: a Lago event whose timestamp defaults to the step's instant. */
export type StepEvent = Omit<LagoEvent, 'timestamp'> & { timestamp?: Instant | null };

/** The body each timeline op takes (Lago's API call of the same name). */
export interface StepBodies {
  create_customer: LagoCustomer;
  create_subscription: LagoSubscriptionCreate;
  update_subscription: { external_id: string; name?: string | null; ending_at?: Instant | null; subscription_at?: Instant | null };
  terminate_subscription: {
    external_id: string;
    params?: { on_termination_credit_note?: 'credit' | 'skip' | 'refund' | null; on_termination_invoice?: 'generate' | 'skip' | null };
  };
  event: StepEvent;
  events_batch: { events: StepEvent[] };
  apply_coupon: LagoFields & { external_customer_id: string; coupon_code: string };
  remove_applied_coupon: { external_customer_id: string; coupon_code: string };
  create_wallet: LagoFields & { external_customer_id: string; currency: string };
  top_up_wallet: LagoFields & { wallet_id: string };
  update_wallet: LagoFields & { wallet_id: string };
  terminate_wallet: { wallet_id: string };
  create_credit_note: LagoFields & { invoice_id: string };
  void_credit_note: { credit_note_id: string };
  one_off_invoice: {
    external_customer_id: string;
    currency?: string | null;
    fees: (LagoFields & { add_on_code: string; unit_amount_cents?: number | null; units?: DecimalInput | null })[];
  };
  update_lifetime_usage: { external_subscription_id: string; external_historical_usage_amount_cents: number };
  current_usage: { external_customer_id?: string | null; external_subscription_id: string };
  past_usage: {
    external_customer_id: string;
    external_subscription_id: string;
    periods_count?: number | null;
    billable_metric_code?: string | null;
  };
  lifetime_usage: { external_subscription_id: string };
  estimate_fees: {
    event: {
      code: string;
      external_subscription_id: string;
      properties?: { [key: string]: Json };
      precise_total_amount_cents?: DecimalInput | null;
    };
  };
  preview_invoice: { customer: { external_id: string }; subscriptions: { external_ids: string[] } };
  run_billing: Record<string, never>;
  run_clock: { job: 'terminate_ended_subscriptions' | 'finalize_invoices' };
}

/** A timeline op's name. */
export type StepOp = keyof StepBodies;

/** One API call at one instant. `run_billing` takes no body. */
export type Step = {
  [Op in StepOp]: { at: Instant; op: Op } & (Op extends 'run_billing' ? { body?: StepBodies[Op] } : { body: StepBodies[Op] });
}[StepOp];

/** A scenario document: the catalog, the customers and the timeline (what `lagom simulate` reads). */
export interface Scenario {
  organization?: LagoOrganization | null;
  /** A single customer, same as a one-element `customers`. */
  customer?: LagoCustomer | null;
  customers?: LagoCustomer[];
  taxes?: LagoTax[];
  billable_metrics?: BillableMetric[];
  plans?: LagoPlan[];
  add_ons?: LagoAddOn[];
  coupons?: LagoCoupon[];
  timeline?: Step[];
  /** Run the clock to this instant after the last step (and the last loaded event). */
  until?: Instant | null;
}

/** A fee of an invoice, in Lago's shape. */
export type Fee = LagoFields & {
  lago_id?: string;
  item: LagoFields & { type: string; code: string; name?: string };
  amount_cents: number;
  amount_currency: string;
  taxes_amount_cents: number;
  total_amount_cents: number;
  units: Decimal;
  events_count?: number | null;
  precise_amount?: Decimal;
  precise_unit_amount?: Decimal;
};

/** An invoice, in Lago's shape. */
export type Invoice = LagoFields & {
  lago_id?: string;
  invoice_type: string;
  status: string;
  issuing_date: string;
  currency: string;
  fees_amount_cents: number;
  coupons_amount_cents: number;
  credit_notes_amount_cents: number;
  taxes_amount_cents: number;
  prepaid_credit_amount_cents: number;
  total_amount_cents: number;
  fees: Fee[];
};

/** Something the simulator did not bill, and why. */
export interface SimulationWarning {
  /** The index of the timeline step that caused it, when a step did. */
  step?: number;
  /** The index of the loaded event that caused it, when one did (`Workspace.simulate`). */
  event?: number;
  at: string;
  transaction_id?: string;
  reason: string;
}

/** What a scenario produced: the same JSON as `lagom simulate --format json`. */
export interface SimulationOutput {
  invoices: Invoice[];
  /** Fees of pay-in-advance charges that are not invoiceable. */
  non_invoiceable_fees: Fee[];
  credit_notes: LagoFields[];
  /** The `current_usage` steps' answers. */
  current_usage: (LagoFields & { at: string; external_subscription_id: string })[];
  /** The `past_usage` steps' answers: the billed periods' usage, latest first. */
  past_usage: { at: string; external_subscription_id: string; usage_periods: LagoFields[] }[];
  /** The `lifetime_usage` steps' answers, in Lago's lifetime usage shape. */
  lifetime_usage: (LagoFields & { at: string })[];
  /** The `estimate_fees` steps' answers: the fees the event would get. */
  fee_estimates: { at: string; external_subscription_id: string; fees: Fee[] }[];
  /** The `preview_invoice` steps' answers. */
  invoice_previews: { at: string; external_customer_id: string; invoice: Invoice }[];
  wallets: LagoFields[];
  wallet_transactions: LagoFields[];
  subscriptions: (LagoFields & { external_id: string; plan_code: string; status?: string })[];
  warnings: SimulationWarning[];
}

/** One problem of a scenario document. */
export interface Problem {
  /** The JSON path of the field ("plans[0].charges[1].properties.amount"; "" for the document). */
  path: string;
  code: 'invalid' | 'unknown_variant' | 'overflow' | 'division_by_zero' | 'custom';
  /** The message `simulate` would throw, path first. */
  message: string;
}

/** The charge `priceCurve` prices. */
export interface CurveCharge {
  charge_model: ChargeModel;
  properties?: { [key: string]: Json };
}

/** The units `priceCurve` prices: `steps + 1` points from `from` to `to` (1 ≤ steps ≤ 10000). */
export interface CurveRange {
  from: DecimalInput;
  to: DecimalInput;
  steps: number;
}

/** One point of a price curve, unrounded. */
export interface PricePoint {
  units: Decimal;
  amount: Decimal;
  /** amount / units; "0" without units. */
  unit_amount: Decimal;
}

/** The text formats `Workspace.loadEvents` reads. */
export type EventFormat = 'json' | 'ndjson' | 'csv';

/** A row `loadEvents` skipped. */
export interface LoadError {
  /** The 1-based line of the row (the 1-based position for an array). */
  line: number;
  /** The JSON path inside the event, or null. */
  path: string | null;
  message: string;
}

/** What `loadEvents` did. */
export interface LoadReport {
  /** The events this call added. */
  loaded: number;
  /** The events the workspace holds now. */
  total: number;
  errors: LoadError[];
}
