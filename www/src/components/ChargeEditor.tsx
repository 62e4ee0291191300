// The editor of one charge: its billable metric, charge model and the model's properties (tier tables,
// package, percentage, custom JSON), its filters with their own prices, grouping, minimum spend and the
// pay-in-advance, prorated and invoiceable flags.

import { useEffect, useState } from 'preact/hooks';
import {
  CHARGE_MODELS,
  defaultProperties,
  removeAt,
  replaceAt,
  type BillableMetric,
  type Charge,
  type ChargeFilter,
  type ChargeModelName,
  type Properties,
  type Tax,
} from '../design';
import { CheckField, DecimalField, ListField, NumberField, SelectField, TextField, fieldId } from './fields';

type RangesKey = 'graduated_ranges' | 'volume_ranges' | 'graduated_percentage_ranges';

const RANGES: Partial<Record<ChargeModelName, RangesKey>> = {
  graduated: 'graduated_ranges',
  volume: 'volume_ranges',
  graduated_percentage: 'graduated_percentage_ranges',
};

type Range = Record<string, unknown>;

/** A tier table: from, to (empty = ∞), the per-unit price or rate, the flat fee. */
function RangesTable({ path, ranges, priceKey, onChange }: {
  path: string;
  ranges: Range[];
  priceKey: 'per_unit_amount' | 'rate';
  onChange: (ranges: Range[]) => void;
}) {
  const cell = (i: number, key: string, label: string, numeric: boolean) => {
    const cellPath = `${path}[${i}].${key}`;
    const Field = numeric ? NumberField : DecimalField;
    return (
      <td>
        <Field
          label={`${label}, tier ${i + 1}`}
          path={cellPath}
          hideLabel
          value={ranges[i][key] as never}
          onChange={(value: unknown) => onChange(replaceAt(ranges, i, { ...ranges[i], [key]: value }))}
        />
      </td>
    );
  };
  const addTier = () => {
    const last = ranges[ranges.length - 1];
    const lastFrom = typeof last?.from_value === 'number' ? last.from_value : 0;
    const closedTo = lastFrom + 1000;
    const closed = last ? replaceAt(ranges, ranges.length - 1, { ...last, to_value: last.to_value ?? closedTo }) : [];
    const from = last ? Number(closed[closed.length - 1].to_value) + 1 : 0;
    onChange([...closed, { from_value: from, to_value: null, [priceKey]: '0', flat_amount: '0' }]);
  };
  return (
    <div class="ranges">
      <table>
        <caption>Tiers</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To (empty = ∞)</th>
            <th scope="col">{priceKey === 'rate' ? 'Rate %' : 'Per unit'}</th>
            <th scope="col">Flat fee</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {ranges.map((_, i) => (
            <tr>
              {cell(i, 'from_value', 'From', true)}
              {cell(i, 'to_value', 'To', true)}
              {cell(i, priceKey, priceKey === 'rate' ? 'Rate' : 'Per unit', false)}
              {cell(i, 'flat_amount', 'Flat fee', false)}
              <td>
                <button type="button" aria-label={`Remove tier ${i + 1}`} onClick={() => onChange(removeAt(ranges, i))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={addTier}>
        Add tier
      </button>
    </div>
  );
}

/** A JSON object typed as text; it is kept while it does not parse. */
function JsonObjectField({ label, path, value, onChange }: {
  label: string;
  path: string;
  value: Properties;
  onChange: (value: Properties) => void;
}) {
  const [text, setText] = useState(JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((current) => {
      try {
        return JSON.stringify(JSON.parse(current)) === JSON.stringify(value) ? current : JSON.stringify(value, null, 2);
      } catch {
        return current;
      }
    });
  }, [value]);
  const id = fieldId(path);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={4}
        value={text}
        aria-invalid={error !== null}
        onInput={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          try {
            const parsed: unknown = JSON.parse(next);
            if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
              setError('must be a JSON object');
            } else {
              setError(null);
              onChange(parsed as Properties);
            }
          } catch (thrown) {
            setError((thrown as Error).message);
          }
        }}
      />
      {error ? (
        <span class="problem" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** The properties of `model` at `path` (a charge's or a filter's `properties`). */
export function PropertiesEditor({ model, path, properties, onChange, grouping }: {
  model: ChargeModelName;
  path: string;
  properties: Properties;
  onChange: (properties: Properties) => void;
  grouping: boolean;
}) {
  const set = (key: string) => (value: unknown) => onChange({ ...properties, [key]: value });
  const decimal = (key: string, label: string, hint?: string) => (
    <DecimalField label={label} hint={hint} path={`${path}.${key}`} value={properties[key]} onChange={set(key)} />
  );
  const integer = (key: string, label: string, hint?: string) => (
    <NumberField
      label={label}
      hint={hint}
      path={`${path}.${key}`}
      value={properties[key] as number | string | null}
      onChange={set(key)}
    />
  );
  const rangesKey = RANGES[model];
  return (
    <div class="properties">
      {model === 'standard' ? decimal('amount', 'Price per unit') : null}
      {model === 'package' ? (
        <div class="row">
          {decimal('amount', 'Price per package')}
          {integer('package_size', 'Package size')}
          {integer('free_units', 'Free units')}
        </div>
      ) : null}
      {model === 'percentage' ? (
        <>
          <div class="row">
            {decimal('rate', 'Rate (%)')}
            {decimal('fixed_amount', 'Fixed fee per transaction')}
          </div>
          <div class="row">
            {integer('free_units_per_events', 'Free transactions')}
            {decimal('free_units_per_total_aggregation', 'Free amount')}
          </div>
          <div class="row">
            {decimal('per_transaction_min_amount', 'Minimum per transaction')}
            {decimal('per_transaction_max_amount', 'Maximum per transaction')}
          </div>
        </>
      ) : null}
      {rangesKey ? (
        <RangesTable
          path={`${path}.${rangesKey}`}
          ranges={(properties[rangesKey] as Range[] | undefined) ?? []}
          priceKey={model === 'graduated_percentage' ? 'rate' : 'per_unit_amount'}
          onChange={set(rangesKey)}
        />
      ) : null}
      {model === 'dynamic' ? (
        <p class="hint">Each event carries its own price in precise_total_amount_cents.</p>
      ) : null}
      {model === 'custom' ? (
        <JsonObjectField label="Custom properties (JSON)" path={path} value={properties} onChange={onChange} />
      ) : null}
      {grouping && model !== 'custom' ? (
        <ListField
          label="Group by (event properties)"
          path={`${path}.grouped_by`}
          value={(properties.grouped_by as string[] | undefined) ?? []}
          onChange={(keys) => {
            const { grouped_by: _, ...rest } = properties;
            onChange(keys.length > 0 ? { ...rest, grouped_by: keys } : rest);
          }}
        />
      ) : null}
    </div>
  );
}

/** A charge filter: the metric filter values it matches and its own price. */
function FilterEditor({ path, filter, metric, model, onChange, onRemove, index }: {
  path: string;
  filter: ChargeFilter;
  metric: BillableMetric | undefined;
  model: ChargeModelName;
  onChange: (filter: ChargeFilter) => void;
  onRemove: () => void;
  index: number;
}) {
  const keys = metric?.filters.map((f) => f.key) ?? [];
  return (
    <fieldset class="filter">
      <legend>Filter {index + 1}</legend>
      <TextField
        label="Display name"
        path={`${path}.invoice_display_name`}
        value={filter.invoice_display_name}
        onChange={(v) => onChange({ ...filter, invoice_display_name: v || null })}
      />
      {keys.length === 0 ? <p class="hint">The billable metric has no filters: add some to it first.</p> : null}
      {keys.map((key) => (
        <ListField
          label={`Values of ${key}`}
          path={`${path}.values.${key}`}
          hint={`comma-separated; one of ${metric?.filters.find((f) => f.key === key)?.values.join(', ')}`}
          value={filter.values[key] ?? []}
          onChange={(values) => {
            const { [key]: _, ...rest } = filter.values;
            onChange({ ...filter, values: values.length > 0 ? { ...rest, [key]: values } : rest });
          }}
        />
      ))}
      <PropertiesEditor
        model={model}
        path={`${path}.properties`}
        properties={filter.properties}
        onChange={(properties) => onChange({ ...filter, properties })}
        grouping={false}
      />
      <button type="button" onClick={onRemove}>
        Remove filter {index + 1}
      </button>
    </fieldset>
  );
}

export function ChargeEditor({ path, charge, index, metrics, taxes, onChange, onRemove }: {
  path: string;
  charge: Charge;
  index: number;
  metrics: readonly BillableMetric[];
  taxes: readonly Tax[];
  onChange: (charge: Charge) => void;
  onRemove: () => void;
}) {
  const set = <K extends keyof Charge>(key: K) => (value: Charge[K]) => onChange({ ...charge, [key]: value });
  const metric = metrics.find((m) => m.code === charge.billable_metric_code);
  const codes = metrics.map((m) => m.code);
  return (
    <fieldset class="charge">
      <legend>
        Charge {index + 1}: {metric?.name ?? charge.billable_metric_code} ({charge.charge_model})
      </legend>
      <div class="row">
        <SelectField
          label="Billable metric"
          path={`${path}.billable_metric_code`}
          options={codes.includes(charge.billable_metric_code) ? codes : [charge.billable_metric_code, ...codes]}
          value={charge.billable_metric_code}
          onChange={set('billable_metric_code')}
        />
        <SelectField
          label="Charge model"
          path={`${path}.charge_model`}
          options={CHARGE_MODELS}
          value={charge.charge_model}
          onChange={(model) =>
            onChange({
              ...charge,
              charge_model: model,
              properties: defaultProperties(model),
              filters: charge.filters.map((f) => ({ ...f, properties: defaultProperties(model) })),
            })
          }
        />
        <TextField
          label="Display name"
          path={`${path}.invoice_display_name`}
          value={charge.invoice_display_name}
          onChange={(v) => set('invoice_display_name')(v || null)}
        />
      </div>
      <PropertiesEditor
        model={charge.charge_model}
        path={`${path}.properties`}
        properties={charge.properties}
        onChange={set('properties')}
        grouping
      />
      <div class="row">
        <NumberField
          label="Minimum spend (cents)"
          path={`${path}.min_amount_cents`}
          value={charge.min_amount_cents}
          onChange={set('min_amount_cents')}
        />
        <CheckField label="Pay in advance" path={`${path}.pay_in_advance`} value={charge.pay_in_advance} onChange={set('pay_in_advance')} />
        <CheckField label="Invoiceable" path={`${path}.invoiceable`} value={charge.invoiceable} onChange={set('invoiceable')} />
        <CheckField label="Prorated" path={`${path}.prorated`} value={charge.prorated} onChange={set('prorated')} />
      </div>
      {taxes.length > 0 ? (
        <ListField
          label="Tax codes"
          path={`${path}.tax_codes`}
          hint={`comma-separated; defined: ${taxes.map((t) => t.code).join(', ')}`}
          value={charge.tax_codes}
          onChange={set('tax_codes')}
        />
      ) : null}
      {charge.filters.map((filter, i) => (
        <FilterEditor
          path={`${path}.filters[${i}]`}
          index={i}
          filter={filter}
          metric={metric}
          model={charge.charge_model}
          onChange={(f) => set('filters')(replaceAt(charge.filters, i, f))}
          onRemove={() => set('filters')(removeAt(charge.filters, i))}
        />
      ))}
      <div class="actions">
        <button
          type="button"
          onClick={() =>
            set('filters')([
              ...charge.filters,
              { invoice_display_name: null, values: {}, properties: defaultProperties(charge.charge_model) },
            ])
          }
        >
          Add filter
        </button>
        <button type="button" onClick={onRemove}>
          Remove charge {index + 1}
        </button>
      </div>
    </fieldset>
  );
}
