// The catalog editors: the plan (pricing, trial, minimum commitment, progressive-billing thresholds,
// taxes, charges), its billable metrics, the organisation's taxes and the coupons applied to every
// customer of the preview.

import { memo } from 'preact/compat';
import {
  AGGREGATION_TYPES,
  INTERVALS,
  ROUNDING_FUNCTIONS,
  newCharge,
  newMetric,
  removeAt,
  replaceAt,
  type BillableMetric,
  type Coupon,
  type Design,
  type Plan,
  type Tax,
} from '../design';
import { ChargeEditor } from './ChargeEditor';
import { CheckField, DecimalField, ListField, NumberField, SelectField, TextField } from './fields';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'CAD', 'AUD', 'JPY'];

/** Memoised: a new preview re-renders the page, not the plan's unchanged controls. */
export const PlanEditor = memo(function PlanEditor({ plan, metrics, taxes, onChange }: {
  plan: Plan;
  metrics: readonly BillableMetric[];
  taxes: readonly Tax[];
  onChange: (plan: Plan) => void;
}) {
  const set = <K extends keyof Plan>(key: K) => (value: Plan[K]) => onChange({ ...plan, [key]: value });
  const p = 'plans[0]';
  const commitment = plan.minimum_commitment;
  return (
    <section aria-labelledby="plan-heading">
      <h2 id="plan-heading">Plan</h2>
      <div class="row">
        <TextField label="Name" path={`${p}.name`} value={plan.name} onChange={set('name')} />
        <TextField label="Code" path={`${p}.code`} value={plan.code} onChange={set('code')} />
        <SelectField label="Interval" path={`${p}.interval`} options={INTERVALS} value={plan.interval} onChange={set('interval')} />
      </div>
      <div class="row">
        <NumberField label="Subscription fee (cents)" path={`${p}.amount_cents`} value={plan.amount_cents} onChange={(v) => set('amount_cents')(v ?? '')} />
        <TextField label="Currency" path={`${p}.amount_currency`} list="currencies" value={plan.amount_currency} onChange={(v) => set('amount_currency')((v ?? '').toUpperCase())} />
        <NumberField label="Trial (days)" path={`${p}.trial_period`} value={plan.trial_period} onChange={set('trial_period')} />
      </div>
      <datalist id="currencies">
        {CURRENCIES.map((c) => (
          <option value={c} />
        ))}
      </datalist>
      <div class="row">
        <CheckField label="Subscription fee paid in advance" path={`${p}.pay_in_advance`} value={plan.pay_in_advance} onChange={set('pay_in_advance')} />
        <CheckField
          label="Bill charges monthly"
          hint="yearly and semiannual plans"
          path={`${p}.bill_charges_monthly`}
          value={plan.bill_charges_monthly}
          onChange={(v) => set('bill_charges_monthly')(v ? true : null)}
        />
      </div>
      <TextField label="Description" path={`${p}.description`} value={plan.description} onChange={(v) => set('description')(v || null)} />
      {taxes.length > 0 ? (
        <ListField
          label="Plan tax codes"
          path={`${p}.tax_codes`}
          hint={`comma-separated; defined: ${taxes.map((t) => t.code).join(', ')}`}
          value={plan.tax_codes}
          onChange={set('tax_codes')}
        />
      ) : null}

      <fieldset>
        <legend>Minimum commitment</legend>
        <CheckField
          label="Bill a minimum commitment"
          path={`${p}.minimum_commitment`}
          value={commitment !== null && commitment !== undefined}
          onChange={(on) => set('minimum_commitment')(on ? { amount_cents: 10000, invoice_display_name: null } : null)}
        />
        {commitment ? (
          <div class="row">
            <NumberField
              label="Commitment (cents)"
              path={`${p}.minimum_commitment.amount_cents`}
              value={commitment.amount_cents}
              onChange={(v) => set('minimum_commitment')({ ...commitment, amount_cents: v ?? '' })}
            />
            <TextField
              label="Commitment display name"
              path={`${p}.minimum_commitment.invoice_display_name`}
              value={commitment.invoice_display_name}
              onChange={(v) => set('minimum_commitment')({ ...commitment, invoice_display_name: v || null })}
            />
          </div>
        ) : null}
      </fieldset>

      <fieldset>
        <legend>Progressive billing thresholds</legend>
        {plan.usage_thresholds.map((threshold, i) => {
          const tp = `${p}.usage_thresholds[${i}]`;
          const put = (next: typeof threshold) => set('usage_thresholds')(replaceAt(plan.usage_thresholds, i, next));
          return (
            <div class="row">
              <TextField label={`Threshold ${i + 1} name`} path={`${tp}.threshold_display_name`} value={threshold.threshold_display_name} onChange={(v) => put({ ...threshold, threshold_display_name: v || null })} />
              <NumberField label={`Threshold ${i + 1} (cents)`} path={`${tp}.amount_cents`} value={threshold.amount_cents} onChange={(v) => put({ ...threshold, amount_cents: v ?? '' })} />
              <CheckField label="Recurring" path={`${tp}.recurring`} value={threshold.recurring} onChange={(v) => put({ ...threshold, recurring: v })} />
              <button type="button" onClick={() => set('usage_thresholds')(removeAt(plan.usage_thresholds, i))}>
                Remove threshold {i + 1}
              </button>
            </div>
          );
        })}
        <button
          type="button"
          onClick={() =>
            set('usage_thresholds')([...plan.usage_thresholds, { threshold_display_name: null, amount_cents: 10000, recurring: false }])
          }
        >
          Add threshold
        </button>
      </fieldset>

      <h3>Charges</h3>
      {plan.charges.map((charge, i) => (
        <ChargeEditor
          path={`${p}.charges[${i}]`}
          index={i}
          charge={charge}
          metrics={metrics}
          taxes={taxes}
          onChange={(c) => set('charges')(replaceAt(plan.charges, i, c))}
          onRemove={() => set('charges')(removeAt(plan.charges, i))}
        />
      ))}
      <button
        type="button"
        disabled={metrics.length === 0}
        onClick={() => set('charges')([...plan.charges, newCharge(metrics[0]?.code ?? '')])}
      >
        Add charge
      </button>
      {metrics.length === 0 ? <p class="hint">Add a billable metric first.</p> : null}
    </section>
  );
});

function MetricEditor({ path, metric, index, onChange, onRemove }: {
  path: string;
  metric: BillableMetric;
  index: number;
  onChange: (metric: BillableMetric) => void;
  onRemove: () => void;
}) {
  const set = <K extends keyof BillableMetric>(key: K) => (value: BillableMetric[K]) => onChange({ ...metric, [key]: value });
  return (
    <fieldset class="metric">
      <legend>
        Metric {index + 1}: {metric.name}
      </legend>
      <div class="row">
        <TextField label="Name" path={`${path}.name`} value={metric.name} onChange={set('name')} />
        <TextField label="Code" path={`${path}.code`} value={metric.code} onChange={set('code')} />
        <SelectField
          label="Aggregation"
          path={`${path}.aggregation_type`}
          options={AGGREGATION_TYPES}
          value={metric.aggregation_type}
          onChange={(type) =>
            onChange({ ...metric, aggregation_type: type, weighted_interval: type === 'weighted_sum_agg' ? 'seconds' : null })
          }
        />
      </div>
      <div class="row">
        <TextField label="Field name" path={`${path}.field_name`} value={metric.field_name} onChange={(v) => set('field_name')(v || null)} />
        <CheckField label="Recurring" path={`${path}.recurring`} value={metric.recurring} onChange={set('recurring')} />
      </div>
      <TextField
        label="Expression"
        hint="e.g. round(event.properties.bytes / 1024, 2)"
        path={`${path}.expression`}
        value={metric.expression}
        onChange={(v) => set('expression')(v || null)}
      />
      <div class="row">
        <SelectField
          label="Rounding"
          path={`${path}.rounding_function`}
          options={['none', ...ROUNDING_FUNCTIONS] as const}
          value={metric.rounding_function ?? 'none'}
          onChange={(v) => set('rounding_function')(v === 'none' ? null : v)}
        />
        <NumberField label="Rounding precision" path={`${path}.rounding_precision`} value={metric.rounding_precision} onChange={set('rounding_precision')} />
      </div>
      {metric.filters.map((filter, i) => (
        <div class="row">
          <TextField
            label={`Filter ${i + 1} key`}
            path={`${path}.filters[${i}].key`}
            value={filter.key}
            onChange={(key) => set('filters')(replaceAt(metric.filters, i, { ...filter, key }))}
          />
          <ListField
            label={`Filter ${i + 1} values`}
            path={`${path}.filters[${i}].values`}
            value={filter.values}
            onChange={(values) => set('filters')(replaceAt(metric.filters, i, { ...filter, values }))}
          />
          <button type="button" onClick={() => set('filters')(removeAt(metric.filters, i))}>
            Remove filter {i + 1}
          </button>
        </div>
      ))}
      <div class="actions">
        <button type="button" onClick={() => set('filters')([...metric.filters, { key: 'region', values: ['eu', 'us'] }])}>
          Add filter
        </button>
        <button type="button" onClick={onRemove}>
          Remove metric {index + 1}
        </button>
      </div>
    </fieldset>
  );
}

/** Memoised: re-rendered when the design changes, not on each new preview. */
export const MetricsEditor = memo(function MetricsEditor({ design, onChange }: { design: Design; onChange: (design: Design) => void }) {
  const metrics = design.billable_metrics;
  const update = (i: number, metric: BillableMetric) => {
    const old = metrics[i].code;
    // A renamed metric keeps its charges.
    const charges = design.plan.charges.map((c) =>
      c.billable_metric_code === old ? { ...c, billable_metric_code: metric.code } : c,
    );
    onChange({ ...design, billable_metrics: replaceAt(metrics, i, metric), plan: { ...design.plan, charges } });
  };
  return (
    <section aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Billable metrics</h2>
      {metrics.map((metric, i) => (
        <MetricEditor
          path={`billable_metrics[${i}]`}
          index={i}
          metric={metric}
          onChange={(m) => update(i, m)}
          onRemove={() => onChange({ ...design, billable_metrics: removeAt(metrics, i) })}
        />
      ))}
      <button type="button" onClick={() => onChange({ ...design, billable_metrics: [...metrics, newMetric(metrics.length)] })}>
        Add billable metric
      </button>
    </section>
  );
});

/** Memoised: re-rendered when the design changes, not on each new preview. */
export const TaxesAndCoupons = memo(function TaxesAndCoupons({ design, onChange }: { design: Design; onChange: (design: Design) => void }) {
  const setTaxes = (taxes: Tax[]) => onChange({ ...design, taxes });
  const setCoupons = (coupons: Coupon[]) => onChange({ ...design, coupons });
  return (
    <section aria-labelledby="taxes-heading">
      <h2 id="taxes-heading">Taxes</h2>
      {design.taxes.map((tax, i) => {
        const tp = `taxes[${i}]`;
        const put = (next: Tax) => setTaxes(replaceAt(design.taxes, i, next));
        return (
          <div class="row">
            <TextField label={`Tax ${i + 1} name`} path={`${tp}.name`} value={tax.name} onChange={(name) => put({ ...tax, name })} />
            <TextField label="Code" path={`${tp}.code`} value={tax.code} onChange={(code) => put({ ...tax, code })} />
            <DecimalField label="Rate (%)" path={`${tp}.rate`} value={tax.rate} onChange={(rate) => put({ ...tax, rate: String(rate ?? '') })} />
            <CheckField label="Applies to every customer" path={`${tp}.applied_to_organization`} value={tax.applied_to_organization} onChange={(v) => put({ ...tax, applied_to_organization: v })} />
            <button type="button" onClick={() => setTaxes(removeAt(design.taxes, i))}>
              Remove tax {i + 1}
            </button>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() =>
          setTaxes([...design.taxes, { name: 'VAT', code: `vat_${design.taxes.length + 1}`, rate: '20', applied_to_organization: true }])
        }
      >
        Add tax
      </button>

      <h2>Coupons</h2>
      <p class="hint">Each coupon is applied to every customer of the preview.</p>
      {design.coupons.map((coupon, i) => {
        const cp = `coupons[${i}]`;
        const put = (next: Coupon) => setCoupons(replaceAt(design.coupons, i, next));
        return (
          <fieldset>
            <legend>Coupon {i + 1}</legend>
            <div class="row">
              <TextField label="Name" path={`${cp}.name`} value={coupon.name} onChange={(name) => put({ ...coupon, name })} />
              <TextField label="Code" path={`${cp}.code`} value={coupon.code} onChange={(code) => put({ ...coupon, code })} />
              <SelectField
                label="Type"
                path={`${cp}.coupon_type`}
                options={['fixed_amount', 'percentage'] as const}
                value={coupon.coupon_type}
                onChange={(coupon_type) => put({ ...coupon, coupon_type })}
              />
            </div>
            <div class="row">
              {coupon.coupon_type === 'fixed_amount' ? (
                <NumberField label="Amount (cents)" path={`${cp}.amount_cents`} value={coupon.amount_cents} onChange={(v) => put({ ...coupon, amount_cents: v })} />
              ) : (
                <DecimalField label="Rate (%)" path={`${cp}.percentage_rate`} value={coupon.percentage_rate} onChange={(v) => put({ ...coupon, percentage_rate: v === null ? null : String(v) })} />
              )}
              <SelectField
                label="Frequency"
                path={`${cp}.frequency`}
                options={['once', 'recurring', 'forever'] as const}
                value={coupon.frequency}
                onChange={(frequency) => put({ ...coupon, frequency })}
              />
              {coupon.frequency === 'recurring' ? (
                <NumberField label="Periods" path={`${cp}.frequency_duration`} value={coupon.frequency_duration} onChange={(v) => put({ ...coupon, frequency_duration: v })} />
              ) : null}
            </div>
            <button type="button" onClick={() => setCoupons(removeAt(design.coupons, i))}>
              Remove coupon {i + 1}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        onClick={() =>
          setCoupons([
            ...design.coupons,
            { name: 'Welcome', code: `coupon_${design.coupons.length + 1}`, coupon_type: 'fixed_amount', amount_cents: 1000, frequency: 'once', expiration: 'no_expiration' },
          ])
        }
      >
        Add coupon
      </button>
    </section>
  );
});
