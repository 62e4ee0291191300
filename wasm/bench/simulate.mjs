// Measures the simulator in the npm package built into wasm/pkg/ (run wasm/build.sh first):
//   1. simulate() over 100k events (events_batch steps, one per day);
//   2. the scenario of the core's criterion bench (1,000 subscriptions, 1M events, 12 months), to set
//      against `cargo bench -p lagom-core --bench simulate` (native) on the same machine;
//   3. a Workspace holding 1M loaded events, re-simulated after a price edit.
// Usage: node bench/simulate.mjs [events for 1] [events for 2 and 3] [subscriptions]
// (defaults 100000, 1000000 and the criterion bench's 1000; with 1000 subscriptions billing 12,000
// invoices costs more than the events, fewer subscriptions measure the events).
// With LAGOM_BENCH_SCENARIO=path, the scenario of 1 is also written there, for timing the native
// `lagom simulate` on the very same document.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { simulate, Workspace } from '../pkg/node.js';

const SUBSCRIPTIONS = Number(process.argv[4] ?? 1000);
const DAYS = 366;

/** The criterion bench's catalog: a monthly plan with a count charge and a graduated sum charge. */
function catalog(callPrice = '0.01') {
  return {
    customers: Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({ external_id: `c${i}`, currency: 'EUR' })),
    billable_metrics: [
      { name: 'Calls', code: 'calls', aggregation_type: 'count_agg' },
      { name: 'Storage', code: 'storage', aggregation_type: 'sum_agg', field_name: 'gb' },
    ],
    plans: [{
      name: 'Pro', code: 'pro', interval: 'monthly', amount_cents: 4900, amount_currency: 'EUR',
      charges: [
        { billable_metric_code: 'calls', charge_model: 'standard', properties: { amount: callPrice } },
        { billable_metric_code: 'storage', charge_model: 'graduated', properties: { graduated_ranges: [
          { from_value: 0, to_value: 100, per_unit_amount: '0.5', flat_amount: '1' },
          { from_value: 101, to_value: null, per_unit_amount: '0.25', flat_amount: '0' }] } },
      ],
    }],
    until: '2025-01-01T00:00:00Z',
  };
}

const subscriptions = Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({
  at: '2024-01-01T00:00:00Z', op: 'create_subscription',
  body: { external_id: `s${i}`, external_customer_id: `c${i}`, plan_code: 'pro' },
}));

function event(n, timestamp) {
  const sub = `s${n % SUBSCRIPTIONS}`;
  const base = { transaction_id: `t${n}`, external_subscription_id: sub };
  const body = n % 2 === 0 ? { ...base, code: 'calls' } : { ...base, code: 'storage', properties: { gb: (n % 7) + 1 } };
  return timestamp === undefined ? body : { ...body, timestamp };
}

function day(d) {
  return new Date(Date.UTC(2024, 0, 1 + d, 12)).toISOString().replace('.000Z', 'Z');
}

/** The criterion bench's scenario with `total` events, in one events_batch step per day. */
function steppedScenario(total) {
  const perDay = Math.floor(total / DAYS);
  const timeline = [...subscriptions];
  let sent = 0;
  for (let d = 0; d < DAYS; d += 1) {
    const count = d === DAYS - 1 ? total - sent : perDay;
    timeline.push({ at: day(d), op: 'events_batch', body: { events: Array.from({ length: count }, (_, k) => event(sent + k)) } });
    sent += count;
  }
  return { ...catalog(), timeline };
}

/** The same events with their own timestamps, for a Workspace. */
function loadedEvents(total) {
  const perDay = Math.floor(total / DAYS);
  return Array.from({ length: total }, (_, n) => event(n, day(Math.min(Math.floor(n / perDay), DAYS - 1))));
}

function time(label, run, events) {
  const start = performance.now();
  const out = run();
  const ms = performance.now() - start;
  const rate = events ? `, ${Math.round(events / (ms / 1000)).toLocaleString('en')} events/s` : '';
  console.log(`${label}: ${ms.toFixed(1)} ms${rate} (${out.invoices.length} invoices)`);
  return out;
}

const small = Number(process.argv[2] ?? 100_000);
const large = Number(process.argv[3] ?? 1_000_000);

const scenario100k = steppedScenario(small);
if (process.env.LAGOM_BENCH_SCENARIO) writeFileSync(process.env.LAGOM_BENCH_SCENARIO, JSON.stringify(scenario100k));
time(`simulate, ${small.toLocaleString('en')} events`, () => simulate(scenario100k), small);

const scenario1M = steppedScenario(large);
time(`simulate, criterion's scenario (${large.toLocaleString('en')} events)`, () => simulate(scenario1M), large);

const workspace = new Workspace();
const loadStart = performance.now();
const report = workspace.loadEvents(loadedEvents(large));
console.log(`Workspace.loadEvents(${report.loaded.toLocaleString('en')} events): ${(performance.now() - loadStart).toFixed(0)} ms`);
const steps = { ...catalog(), timeline: subscriptions };
time('Workspace.simulate, first run', () => workspace.simulate(steps), large);
const edited = { ...catalog('0.02'), timeline: subscriptions };
const a = time('Workspace.simulate after a price edit', () => workspace.simulate(edited), large);
console.log(`  (first invoice after the edit: ${a.invoices[0].total_amount_cents} cents)`);
workspace.free();
