// A TypeScript consumer using every export; `tsc --noEmit --strict` must accept it, and the lines
// marked as expected errors prove the types are checked (they fail if a type decays to `any`).
import {
  billingPeriod,
  evalAggregation,
  evalCharge,
  init,
  initSync,
  LagomError,
  type AggregationEvalInput,
  type AggregationEvalOutput,
  type BillingPeriodInput,
  type BillingPeriodOutput,
  type ChargeEvalInput,
  type ChargeEvalOutput,
  type LagomErrorCode,
} from 'lagom-billing';

await init();
initSync(new Uint8Array());

const charge: ChargeEvalInput = {
  charge_model: 'graduated',
  properties: { graduated_ranges: [{ from_value: 0, to_value: null, per_unit_amount: '1', flat_amount: '0' }] },
  units: '10',
  events: [{ value: '10' }],
};
const priced: ChargeEvalOutput = evalCharge(charge);
const amount: string = priced.amount;

const aggregation: AggregationEvalInput = {
  billable_metric: { name: 'API calls', code: 'api_calls', aggregation_type: 'sum_agg', field_name: 'calls' },
  events: [{ transaction_id: 'tr_1', code: 'api_calls', timestamp: '2024-03-01T00:00:00Z', properties: { calls: 3 } }],
  from_datetime: '2024-03-01T00:00:00Z',
  to_datetime: '2024-03-31T23:59:59Z',
};
const { aggregation: total, count, grouped }: AggregationEvalOutput = evalAggregation(aggregation);
const groups: number = grouped?.length ?? 0;

const period: BillingPeriodInput = {
  interval: 'monthly',
  billing_time: 'calendar',
  subscription_at: '2024-01-15T10:00:00Z',
  billing_at: '2024-02-01T00:00:00Z',
  timezone: 'Europe/Paris',
  pay_in_advance: false,
};
const boundaries: BillingPeriodOutput = billingPeriod(period);
const days: number = boundaries.charges_duration;

try {
  evalCharge({ charge_model: 'standard', properties: { amount: '1' }, units: 1 });
} catch (e) {
  if (e instanceof LagomError) {
    const code: LagomErrorCode = e.code;
    const path: string | null = e.path;
    console.log(code, path, e.message);
  }
}

// @ts-expect-error: not a charge model
evalCharge({ charge_model: 'tiered', units: '1' });
// @ts-expect-error: `units` is required
evalCharge({ charge_model: 'standard' });
// @ts-expect-error: decimals come back as strings
const wrong: number = priced.unit_amount;
// @ts-expect-error: an aggregation counts in decimals
const badCount: number = count;
// @ts-expect-error: not an interval
billingPeriod({ ...period, interval: 'daily' });

console.log(amount, total, count, groups, days, wrong, badCount);
