// A TypeScript consumer using every export; `tsc --noEmit --strict` must accept it, and the lines
// marked as expected errors prove the types are checked (they fail if a type decays to `any`).
import {
  ABI_VERSION,
  billingPeriod,
  evalAggregation,
  evalCharge,
  init,
  initSync,
  LagomError,
  loadPlugin,
  Plugin,
  PLUGIN_LIMITS,
  priceCurve,
  simulate,
  validate,
  Workspace,
  type AggregationEvalInput,
  type AggregationEvalOutput,
  type BillingPeriodInput,
  type BillingPeriodOutput,
  type ChargeEvalInput,
  type ChargeEvalOutput,
  type LagomErrorCode,
  type AggregationState,
  type CustomOptions,
  type PluginCalls,
  type PluginEvent,
  type PriceAnswer,
  type PriceRequest,
  type EventFormat,
  type LagoEvent,
  type LoadReport,
  type PricePoint,
  type Problem,
  type Scenario,
  type SimulationOutput,
  type Step,
} from 'lagom-billing';
import * as evalOnly from 'lagom-billing/eval';

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
// @ts-expect-error: a period's boundaries come back as ISO text
const badFrom: number = boundaries.from_datetime;
// @ts-expect-error: a charge's properties are an object
evalCharge({ charge_model: 'standard', properties: ['1'], units: 1 });
// An event's timestamp may be Unix seconds.
evalAggregation({ ...aggregation, events: [{ transaction_id: 'tr_2', code: 'api_calls', timestamp: 1709251200 }] });

const steps: Step[] = [
  { at: '2024-03-01T00:00:00Z', op: 'create_subscription', body: { external_id: 's1', external_customer_id: 'acme', plan_code: 'basic' } },
  { at: '2024-03-02T00:00:00Z', op: 'event', body: { transaction_id: 't1', external_subscription_id: 's1', code: 'calls' } },
  { at: '2024-04-01T00:00:00Z', op: 'run_billing' },
];
const scenario: Scenario = {
  customer: { external_id: 'acme', currency: 'EUR', timezone: 'Europe/Paris' },
  billable_metrics: [{ name: 'Calls', code: 'calls', aggregation_type: 'count_agg' }],
  plans: [{
    name: 'Basic', code: 'basic', interval: 'monthly', amount_cents: 1000, amount_currency: 'EUR',
    charges: [{ billable_metric_code: 'calls', charge_model: 'standard', properties: { amount: '0.5' } }],
  }],
  timeline: steps,
  until: '2024-05-01T00:00:00Z',
};
const output: SimulationOutput = simulate(scenario);
const invoiced: number = output.invoices.reduce((sum, invoice) => sum + invoice.total_amount_cents, 0);
const warned: (number | undefined)[] = output.warnings.map((w) => w.step ?? w.event);

const problems: Problem[] = validate(JSON.stringify(scenario));
const where: string[] = problems.map((p) => `${p.path} (${p.code}): ${p.message}`);

const curve: PricePoint[] = priceCurve(
  { charge_model: 'graduated', properties: { graduated_ranges: [{ from_value: 0, to_value: null, per_unit_amount: '1', flat_amount: '0' }] } },
  { from: 0, to: '100', steps: 10 },
);
const amounts: string[] = curve.map((p) => p.amount);

const workspace = new Workspace();
const events: LagoEvent[] = [{ transaction_id: 't2', external_subscription_id: 's1', code: 'calls', timestamp: '2024-03-03T00:00:00Z' }];
const format: EventFormat = 'csv';
const report: LoadReport = workspace.loadEvents(events);
workspace.loadEvents('transaction_id,code,timestamp\nt3,calls,1709424000\n', format);
const lines: number[] = report.errors.map((e) => e.line);
const held: number = workspace.eventCount;
const page: LagoEvent[] = workspace.events(0, 50);
const withEvents: SimulationOutput = workspace.simulate(scenario);
workspace.clearEvents();
workspace.free();

// @ts-expect-error: not a timeline op
simulate({ timeline: [{ at: '2024-01-01T00:00:00Z', op: 'bill', body: {} }] });
// @ts-expect-error: a customer step needs its body (only a body without required fields may be left out)
simulate({ timeline: [{ at: '2024-01-01T00:00:00Z', op: 'create_customer' }] });
// @ts-expect-error: a subscription needs its plan's code
simulate({ timeline: [{ at: '2024-01-01T00:00:00Z', op: 'create_subscription', body: { external_id: 's', external_customer_id: 'c' } }] });
// @ts-expect-error: not an event format
workspace.loadEvents('', 'xml');
// @ts-expect-error: the event count is read-only
workspace.eventCount = 3;
// @ts-expect-error: a curve point's amount is a decimal string
const badPoint: number = curve[0].amount;
// @ts-expect-error: steps are a number
priceCurve({ charge_model: 'standard' }, { from: 0, to: 1, steps: '1' });

// The eval-only entry: the same contract types and the same LagomError class.
await evalOnly.init();
const estimate: ChargeEvalOutput = evalOnly.evalCharge(charge);
const estimateCurve: evalOnly.PricePoint[] = evalOnly.priceCurve({ charge_model: 'standard', properties: { amount: '1' } }, { from: 0, to: 1, steps: 1 });
const sameError: LagomError = new evalOnly.LagomError('invalid', '', 'the same class');
// @ts-expect-error: the eval-only entry has no simulator
evalOnly.simulate(scenario);

console.log(amount, total, count, groups, days, wrong, badCount, badFrom, invoiced, warned, where, amounts, lines, held, page, withEvents, badPoint, estimate, estimateCurve, sameError);

// Custom pricing: typed callbacks and plugins.
const price = (request: PriceRequest): PriceAnswer => ({ amount: request.units, amount_details: { seen: request.context.events.length } });
const aggregate = (event: PluginEvent, state: AggregationState): AggregationState => ({
  total_units: state.total_units,
  amount: String(event.properties['price'] ?? '0'),
});
const custom: CustomOptions = { custom: { price, aggregate } };
const customPriced: ChargeEvalOutput = evalCharge({ charge_model: 'custom', units: '2' }, custom);
async function withPlugin(bytes: Uint8Array): Promise<string> {
  const plugin: Plugin = await loadPlugin(bytes, { name: 'time_of_day' });
  const calls: PluginCalls = plugin.calls;
  const response: string = plugin.call('price', '{"units":"1","properties":{},"context":{"events":[]}}');
  simulate({ timeline: [] }, { custom: { plugins: [plugin] } });
  new Workspace().simulate({ timeline: [] }, { custom: { plugins: [plugin] } });
  return `${calls.price} ${response} ${ABI_VERSION} ${PLUGIN_LIMITS.outputBytes}`;
}
// @ts-expect-error: an answer's amount is a decimal string, never a number
evalCharge({ charge_model: 'custom', units: '2' }, { custom: { price: () => ({ amount: 1.5 }) } });
// @ts-expect-error: callbacks or plugins, not both
simulate({ timeline: [] }, { custom: { price, plugins: [] } });
// @ts-expect-error: a plugin call is price or aggregate
async (plugin: Plugin) => plugin.call('bill', '{}');
console.log(customPriced, withPlugin);
