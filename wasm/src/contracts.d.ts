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
