// The designer's state: a workspace ("design") holding a Lago plan, the catalog it needs (billable
// metrics, taxes, coupons), the usage generator's settings, the preview's settings and an optional
// baseline plan for the compare view. Every catalog object keeps Lago's JSON shape, so the scenario
// sent to the billing core is assembled without translation and validation paths map onto fields.

export const INTERVALS = ['weekly', 'monthly', 'quarterly', 'semiannual', 'yearly'] as const;
export type Interval = (typeof INTERVALS)[number];

export const AGGREGATION_TYPES = [
  'count_agg',
  'sum_agg',
  'max_agg',
  'unique_count_agg',
  'latest_agg',
  'weighted_sum_agg',
  'custom_agg',
] as const;
export type AggregationType = (typeof AGGREGATION_TYPES)[number];

export const CHARGE_MODELS = [
  'standard',
  'graduated',
  'graduated_percentage',
  'package',
  'percentage',
  'volume',
  'dynamic',
  'custom',
] as const;
export type ChargeModelName = (typeof CHARGE_MODELS)[number];

export const ROUNDING_FUNCTIONS = ['round', 'ceil', 'floor'] as const;

export const LOCALES = ['en', 'fr', 'de', 'es', 'it', 'nb', 'sv'] as const;
export type Locale = (typeof LOCALES)[number];

/** A value typed into a numeric field: the number, or the text as typed when it is not one. */
export type NumberInput = number | string;

/** A charge's `properties` (or a filter's): JSON as the charge model reads it. */
export type Properties = Record<string, unknown>;

export interface MetricFilter {
  key: string;
  values: string[];
}

export interface BillableMetric {
  lago_id?: string;
  name: string;
  code: string;
  description?: string | null;
  aggregation_type: AggregationType;
  field_name?: string | null;
  recurring: boolean;
  weighted_interval?: 'seconds' | null;
  filters: MetricFilter[];
  rounding_function?: (typeof ROUNDING_FUNCTIONS)[number] | null;
  rounding_precision?: NumberInput | null;
  expression?: string | null;
}

export interface ChargeFilter {
  invoice_display_name?: string | null;
  properties: Properties;
  values: Record<string, string[]>;
}

export interface Charge {
  billable_metric_code: string;
  charge_model: ChargeModelName;
  invoice_display_name?: string | null;
  pay_in_advance: boolean;
  invoiceable: boolean;
  prorated: boolean;
  min_amount_cents?: NumberInput | null;
  properties: Properties;
  filters: ChargeFilter[];
  tax_codes: string[];
}

export interface UsageThreshold {
  threshold_display_name?: string | null;
  amount_cents: NumberInput;
  recurring: boolean;
}

export interface MinimumCommitment {
  amount_cents: NumberInput;
  invoice_display_name?: string | null;
  tax_codes?: string[];
}

export interface Plan {
  name: string;
  code: string;
  description?: string | null;
  interval: Interval;
  amount_cents: NumberInput;
  amount_currency: string;
  pay_in_advance: boolean;
  trial_period?: NumberInput | null;
  bill_charges_monthly?: boolean | null;
  minimum_commitment?: MinimumCommitment | null;
  usage_thresholds: UsageThreshold[];
  tax_codes: string[];
  charges: Charge[];
}

export interface Tax {
  name: string;
  code: string;
  rate: string;
  applied_to_organization: boolean;
}

export interface Coupon {
  name: string;
  code: string;
  coupon_type: 'fixed_amount' | 'percentage';
  amount_cents?: NumberInput | null;
  amount_currency?: string | null;
  percentage_rate?: string | null;
  frequency: 'once' | 'recurring' | 'forever';
  frequency_duration?: NumberInput | null;
  expiration: 'no_expiration';
}

export const DISTRIBUTIONS = ['constant', 'uniform', 'exponential'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** How the generator makes one metric's events. */
export interface MetricUsage {
  /** Events per customer per day, on average. */
  events_per_day: number;
  /** How the value of the metric's field is drawn. */
  distribution: Distribution;
  /** The mean value of the field (ignored by count metrics). */
  mean: number;
}

export interface GeneratorSettings {
  seed: number;
  customers: number;
  days: number;
  metrics: Record<string, MetricUsage>;
}

export interface PreviewSettings {
  /** The first period's start, a date (YYYY-MM-DD) at midnight in the customers' time zone. */
  start: string;
  /** How many billing periods to bill. */
  periods: number;
  timezone: string;
  locale: Locale;
}

export interface Design {
  version: 1;
  plan: Plan;
  billable_metrics: BillableMetric[];
  taxes: Tax[];
  coupons: Coupon[];
  generator: GeneratorSettings;
  preview: PreviewSettings;
  /** The plan version the current one is compared with. */
  baseline: Plan | null;
}

/** Default properties of each charge model, the ones Lago's UI starts a new charge with. */
export function defaultProperties(model: ChargeModelName): Properties {
  switch (model) {
    case 'standard':
      return { amount: '0' };
    case 'graduated':
      return {
        graduated_ranges: [
          { from_value: 0, to_value: null, per_unit_amount: '0', flat_amount: '0' },
        ],
      };
    case 'volume':
      return {
        volume_ranges: [{ from_value: 0, to_value: null, per_unit_amount: '0', flat_amount: '0' }],
      };
    case 'graduated_percentage':
      return {
        graduated_percentage_ranges: [{ from_value: 0, to_value: null, rate: '0', flat_amount: '0' }],
      };
    case 'package':
      return { amount: '0', package_size: 1, free_units: 0 };
    case 'percentage':
      return { rate: '0' };
    case 'dynamic':
    case 'custom':
      return {};
  }
}

export function newCharge(metricCode: string): Charge {
  return {
    billable_metric_code: metricCode,
    charge_model: 'standard',
    pay_in_advance: false,
    invoiceable: true,
    prorated: false,
    min_amount_cents: null,
    properties: defaultProperties('standard'),
    filters: [],
    tax_codes: [],
  };
}

export function newMetric(index: number): BillableMetric {
  return {
    name: `Metric ${index + 1}`,
    code: `metric_${index + 1}`,
    aggregation_type: 'count_agg',
    field_name: null,
    recurring: false,
    filters: [],
  };
}

/** The workspace a first visit opens: a monthly plan with a graduated API-calls charge. */
export function defaultDesign(): Design {
  return {
    version: 1,
    plan: {
      name: 'Startup',
      code: 'startup',
      interval: 'monthly',
      amount_cents: 4900,
      amount_currency: 'EUR',
      pay_in_advance: false,
      trial_period: null,
      bill_charges_monthly: null,
      minimum_commitment: null,
      usage_thresholds: [],
      tax_codes: [],
      charges: [
        {
          ...newCharge('api_calls'),
          charge_model: 'graduated',
          properties: {
            graduated_ranges: [
              { from_value: 0, to_value: 1000, per_unit_amount: '0', flat_amount: '0' },
              { from_value: 1001, to_value: 10000, per_unit_amount: '0.01', flat_amount: '0' },
              { from_value: 10001, to_value: null, per_unit_amount: '0.005', flat_amount: '0' },
            ],
          },
        },
      ],
    },
    billable_metrics: [
      {
        name: 'API calls',
        code: 'api_calls',
        aggregation_type: 'count_agg',
        field_name: null,
        recurring: false,
        filters: [],
      },
    ],
    taxes: [],
    coupons: [],
    generator: {
      seed: 1,
      customers: 10,
      days: 30,
      metrics: { api_calls: { events_per_day: 50, distribution: 'uniform', mean: 1 } },
    },
    preview: { start: '2024-01-01', periods: 1, timezone: 'UTC', locale: 'en' },
    baseline: null,
  };
}

/** Reads a numeric field's text: a number when it is one, else the text itself (the core reports it). */
export function parseNumberInput(text: string): NumberInput | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

/** Returns a copy of `list` with item `index` replaced. */
export function replaceAt<T>(list: readonly T[], index: number, item: T): T[] {
  return list.map((old, i) => (i === index ? item : old));
}

/** Returns a copy of `list` without item `index`. */
export function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}
