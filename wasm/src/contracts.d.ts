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
  prorated_value?: DecimalInput;
  precise_total_amount_cents?: DecimalInput;
}

/** The `charge` contract's input: a charge and an aggregation result. */
export interface ChargeEvalInput {
  charge_model: ChargeModel;
  /** The charge's properties, as Lago's API takes them. */
  properties?: { [key: string]: Json };
  units: DecimalInput;
  events?: ChargeEvent[];
  /** The units before proration (Lago's `full_units_number`). */
  full_units?: DecimalInput;
  prorated?: boolean;
  /** Cents per currency unit, for `dynamic` (default 100). */
  subunit_to_unit?: number;
  custom_aggregation?: { total_units?: DecimalInput; amount: DecimalInput };
}

/** The `charge` contract's output: Lago's fee amounts, unrounded. */
export interface ChargeEvalOutput {
  amount: Decimal;
  unit_amount: Decimal;
  /** What the charge model shows of its computation (`{}` for standard). */
  amount_details: { [key: string]: Json };
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
  transaction_id?: string;
  external_subscription_id?: string;
  external_customer_id?: string;
  code: string;
  timestamp: Instant;
  properties?: { [key: string]: Json };
  precise_total_amount_cents?: DecimalInput;
}

/** The `aggregation` contract's input: a billable metric, the period's events and the period. */
export interface AggregationEvalInput {
  /** Lago's billable metric object (`code`, `aggregation_type`, `field_name`, `recurring`, `filters`, …). */
  billable_metric: { aggregation_type: AggregationType; [key: string]: Json };
  events: LagoEvent[];
  previous_period_events?: LagoEvent[];
  from_datetime: Instant;
  to_datetime: Instant;
  charge_filter?: { values: { [key: string]: string[] } };
  grouped_by?: string[];
  charge?: { prorated?: boolean };
  charges_duration?: number;
  timezone?: string;
}

/** The `aggregation` contract's output. */
export interface AggregationEvalOutput {
  aggregation: Decimal;
  count: number;
  grouped?: { grouped_by: { [key: string]: string | null }; aggregation: Decimal }[];
  [key: string]: Json | undefined;
}

/** Lago's plan intervals. */
export type Interval = "weekly" | "monthly" | "quarterly" | "semiannual" | "yearly";

/** The `period` contract's input: a subscription and the billing date. */
export interface BillingPeriodInput {
  interval: Interval;
  billing_time: "calendar" | "anniversary";
  subscription_at: Instant;
  /** Defaults to `subscription_at`. */
  started_at?: Instant;
  billing_at: Instant;
  /** An IANA time zone name, e.g. "Europe/Paris". */
  timezone: string;
  pay_in_advance: boolean;
  bill_charges_monthly?: boolean;
  terminated_at?: Instant;
  /** Trial length in days, may be fractional. */
  trial_period?: DecimalInput;
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
  previous_beginning_of_period?: string;
  /** The share of the plan amount billed for `from_datetime..to_datetime` ("1" for a whole period). */
  proration_coefficient?: Decimal;
  trial_end_datetime?: string;
  in_trial?: boolean;
}
