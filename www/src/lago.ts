// Plans in and out of Lago's API shapes: a plan as `GET /plans/{code}` (or `GET /plans`) returns it
// becomes the design's plan, its charges' billable metrics and its taxes; the design's plan becomes the
// body of `POST /plans` and a curl command that sends it.

import {
  CHARGE_MODELS,
  INTERVALS,
  type BillableMetric,
  type Charge,
  type ChargeFilter,
  type ChargeModelName,
  type Design,
  type Interval,
  type Plan,
  type Properties,
  type Tax,
} from './design';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function codesOf(taxes: unknown, codes: unknown): string[] {
  const named = list(taxes).map((t) => text(t.code)).filter((c): c is string => c !== null);
  const given = Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : [];
  return [...new Set([...given, ...named])];
}

function taxOf(tax: Json): Tax | null {
  const code = text(tax.code);
  if (!code) return null;
  return {
    name: text(tax.name) ?? code,
    code,
    rate: String(tax.rate ?? '0'),
    applied_to_organization: tax.applied_to_organization === true,
  };
}

/** The billable metric a GET charge names: by code, else by the metric's Lago id. */
function metricCodeOf(charge: Json, metrics: readonly BillableMetric[]): string {
  const id = text(charge.lago_billable_metric_id) ?? text(charge.billable_metric_id);
  return text(charge.billable_metric_code) ?? metrics.find((m) => id !== null && m.lago_id === id)?.code ?? id ?? '';
}

function filterOf(filter: Json): ChargeFilter {
  const values: Record<string, string[]> = {};
  for (const [key, vals] of Object.entries(isObject(filter.values) ? filter.values : {})) {
    values[key] = Array.isArray(vals) ? vals.map(String) : [];
  }
  return {
    invoice_display_name: text(filter.invoice_display_name),
    properties: isObject(filter.properties) ? (filter.properties as Properties) : {},
    values,
  };
}

function chargeOf(charge: Json, metrics: readonly BillableMetric[]): Charge {
  const model = String(charge.charge_model ?? 'standard');
  return {
    billable_metric_code: metricCodeOf(charge, metrics),
    charge_model: (CHARGE_MODELS as readonly string[]).includes(model) ? (model as ChargeModelName) : 'standard',
    invoice_display_name: text(charge.invoice_display_name),
    pay_in_advance: charge.pay_in_advance === true,
    invoiceable: charge.invoiceable !== false,
    prorated: charge.prorated === true,
    min_amount_cents: typeof charge.min_amount_cents === 'number' && charge.min_amount_cents > 0 ? charge.min_amount_cents : null,
    properties: isObject(charge.properties) ? (charge.properties as Properties) : {},
    filters: list(charge.filters).map(filterOf),
    tax_codes: codesOf(charge.taxes, charge.tax_codes),
  };
}

/**
 * A metric for a charge whose metric the workspace does not define: a count, with the filter keys and
 * values the charge's filters use. The user sets its real aggregation in the metrics editor.
 */
function placeholderMetric(code: string, lagoId: string | null, charges: readonly Charge[]): BillableMetric {
  const keys = new Map<string, Set<string>>();
  for (const filter of charges.filter((c) => c.billable_metric_code === code).flatMap((c) => c.filters)) {
    for (const [key, values] of Object.entries(filter.values)) {
      keys.set(key, new Set([...(keys.get(key) ?? []), ...values]));
    }
  }
  return {
    ...(lagoId ? { lago_id: lagoId } : {}),
    name: code,
    code,
    aggregation_type: 'count_agg',
    field_name: null,
    recurring: false,
    filters: [...keys].map(([key, values]) => ({ key, values: [...values] })),
  };
}

/**
 * Reads a plan as Lago's API returns it (`{"plan": {...}}`, `{"plans": [...]}` — the first — or the
 * bare plan object) into `design`: the plan replaces the current one, its taxes join the workspace's,
 * and each billable metric it charges that the workspace lacks is added as a count metric.
 */
export function importLagoPlan(source: string, design: Design): { design: Design; added: string[] } {
  const parsed: unknown = JSON.parse(source);
  const raw = isObject(parsed) ? (isObject(parsed.plan) ? parsed.plan : (list(parsed.plans)[0] ?? parsed)) : null;
  if (!raw || typeof raw.code !== 'string') {
    throw new Error('expected a Lago plan: {"plan": {"code": …, "charges": […]}}');
  }
  const interval = String(raw.interval ?? 'monthly');
  const charges = list(raw.charges).map((c) => chargeOf(c, design.billable_metrics));
  const commitment = isObject(raw.minimum_commitment) ? raw.minimum_commitment : null;
  const plan: Plan = {
    name: text(raw.name) ?? raw.code,
    code: raw.code,
    description: text(raw.description),
    interval: (INTERVALS as readonly string[]).includes(interval) ? (interval as Interval) : 'monthly',
    amount_cents: typeof raw.amount_cents === 'number' ? raw.amount_cents : 0,
    amount_currency: text(raw.amount_currency) ?? 'USD',
    pay_in_advance: raw.pay_in_advance === true,
    trial_period: typeof raw.trial_period === 'number' && raw.trial_period > 0 ? raw.trial_period : null,
    bill_charges_monthly: raw.bill_charges_monthly === true ? true : null,
    minimum_commitment: commitment
      ? {
          amount_cents: typeof commitment.amount_cents === 'number' ? commitment.amount_cents : 0,
          invoice_display_name: text(commitment.invoice_display_name),
        }
      : null,
    usage_thresholds: list(raw.usage_thresholds).map((t) => ({
      threshold_display_name: text(t.threshold_display_name),
      amount_cents: typeof t.amount_cents === 'number' ? t.amount_cents : 0,
      recurring: t.recurring === true,
    })),
    tax_codes: codesOf(raw.taxes, raw.tax_codes),
    charges,
  };
  const known = new Set(design.billable_metrics.map((m) => m.code));
  const added = [...new Set(charges.map((c) => c.billable_metric_code))].filter((code) => code !== '' && !known.has(code));
  const lagoIds = new Map(list(raw.charges).map((c) => [metricCodeOf(c, design.billable_metrics), text(c.lago_billable_metric_id)]));
  const taxes = [...list(raw.taxes), ...list(raw.charges).flatMap((c) => list(c.taxes))]
    .map(taxOf)
    .filter((t): t is Tax => t !== null);
  const taxCodes = new Set(design.taxes.map((t) => t.code));
  const newTaxes = taxes.filter((t) => !taxCodes.has(t.code) && taxCodes.add(t.code));
  return {
    design: {
      ...design,
      plan,
      billable_metrics: [...design.billable_metrics, ...added.map((code) => placeholderMetric(code, lagoIds.get(code) ?? null, charges))],
      taxes: [...design.taxes, ...newTaxes],
    },
    added,
  };
}

/** Drops null, undefined and empty-array fields, as Lago's examples omit them. */
function compact(object: Json): Json {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)),
  );
}

/**
 * The body of `POST /api/v1/plans` for the design's plan. Lago names a charge's metric by its
 * `lago_id`: an imported metric keeps it; for the others the body says which id to put there.
 */
export function postPlanBody(design: Design): { plan: Json } {
  const plan = design.plan;
  const metricId = (code: string) =>
    design.billable_metrics.find((m) => m.code === code)?.lago_id ?? `lago_id of billable metric ${code}`;
  return {
    plan: compact({
      name: plan.name,
      code: plan.code,
      description: plan.description,
      interval: plan.interval,
      amount_cents: plan.amount_cents,
      amount_currency: plan.amount_currency,
      trial_period: plan.trial_period,
      pay_in_advance: plan.pay_in_advance,
      bill_charges_monthly: plan.bill_charges_monthly,
      tax_codes: plan.tax_codes,
      minimum_commitment: plan.minimum_commitment ? compact({ ...plan.minimum_commitment }) : null,
      usage_thresholds: plan.usage_thresholds.map((t) => compact({ ...t })),
      charges: plan.charges.map((c) =>
        compact({
          billable_metric_id: metricId(c.billable_metric_code),
          charge_model: c.charge_model,
          invoice_display_name: c.invoice_display_name,
          pay_in_advance: c.pay_in_advance,
          invoiceable: c.invoiceable,
          prorated: c.prorated,
          min_amount_cents: c.min_amount_cents,
          properties: c.properties,
          filters: c.filters.map((f) => compact({ ...f })),
          tax_codes: c.tax_codes,
        }),
      ),
    }),
  };
}

/** A curl command that creates the plan on a Lago instance (`$LAGO_API_URL`, `$LAGO_API_KEY`). */
export function curlCommand(body: object): string {
  const json = JSON.stringify(body, null, 2).replace(/'/g, "'\\''");
  return [
    'curl --request POST "$LAGO_API_URL/api/v1/plans" \\',
    '  --header "Authorization: Bearer $LAGO_API_KEY" \\',
    "  --header 'Content-Type: application/json' \\",
    `  --data '${json}'`,
  ].join('\n');
}
