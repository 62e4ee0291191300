// The synthetic usage generator: events for N customers over D days, drawn from a seeded generator so
// that the same settings always give the same events (and so the same invoices).

import type { BillableMetric, Charge, Design, Distribution, MetricUsage } from './design';
import { zonedMidnight } from './scenario';

/** An event as Lago's `POST /events` takes it. */
export interface GeneratedEvent {
  transaction_id: string;
  external_subscription_id: string;
  external_customer_id: string;
  code: string;
  timestamp: string;
  properties: Record<string, string>;
  precise_total_amount_cents?: string;
}

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The usage a metric gets when the settings do not name it. */
export const DEFAULT_USAGE: MetricUsage = { events_per_day: 10, distribution: 'uniform', mean: 10 };

/** One draw of a value with mean `mean`, kept to two decimals so that units stay exact. */
function draw(distribution: Distribution, mean: number, random: () => number): string {
  const value =
    distribution === 'constant'
      ? mean
      : distribution === 'uniform'
        ? random() * 2 * mean
        : -Math.log(1 - random()) * mean;
  return (Math.round(value * 100) / 100).toFixed(2);
}

/** The properties an event of `metric` needs: its field, its filter keys, the charges' group keys. */
function eventProperties(
  metric: BillableMetric,
  charges: readonly Charge[],
  usage: MetricUsage,
  random: () => number,
): Record<string, string> {
  const properties: Record<string, string> = {};
  if (metric.field_name) {
    properties[metric.field_name] =
      metric.aggregation_type === 'unique_count_agg'
        ? `id_${Math.floor(random() * Math.max(1, usage.mean) * 2)}`
        : draw(usage.distribution, usage.mean, random);
  }
  for (const filter of metric.filters) {
    if (filter.values.length > 0) {
      properties[filter.key] = filter.values[Math.floor(random() * filter.values.length)];
    }
  }
  for (const charge of charges) {
    const groupedBy = charge.properties.grouped_by;
    if (Array.isArray(groupedBy)) {
      for (const key of groupedBy) properties[String(key)] = `${key}_${1 + Math.floor(random() * 3)}`;
    }
  }
  return properties;
}

/**
 * The events of the design's generator settings: for each customer, day and billable metric the plan
 * charges, about `events_per_day` events (±50%) at random instants of the day.
 */
export function generateEvents(design: Design): GeneratedEvent[] {
  const { seed, customers, days, metrics } = design.generator;
  const random = seededRandom(seed);
  const start = zonedMidnight(design.preview.start, design.preview.timezone).getTime();
  const charged = design.billable_metrics.filter((m) =>
    design.plan.charges.some((c) => c.billable_metric_code === m.code),
  );
  const events: GeneratedEvent[] = [];
  for (let c = 1; c <= customers; c++) {
    for (let day = 0; day < days; day++) {
      for (const metric of charged) {
        const usage = metrics[metric.code] ?? DEFAULT_USAGE;
        const charges = design.plan.charges.filter((ch) => ch.billable_metric_code === metric.code);
        const dynamic = charges.some((ch) => ch.charge_model === 'dynamic');
        const count = Math.round(usage.events_per_day * (0.5 + random()));
        for (let i = 0; i < count; i++) {
          const at = start + day * 86_400_000 + Math.floor(random() * 86_400) * 1000;
          const event: GeneratedEvent = {
            transaction_id: `gen_${c}_${day}_${metric.code}_${i}`,
            external_subscription_id: `sub_${c}`,
            external_customer_id: `customer_${c}`,
            code: metric.code,
            timestamp: `${new Date(at).toISOString().slice(0, 19)}Z`,
            properties: eventProperties(metric, charges, usage, random),
          };
          if (dynamic) event.precise_total_amount_cents = draw(usage.distribution, usage.mean, random);
          events.push(event);
        }
      }
    }
  }
  return events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}
