// Measures the simulator in the npm package built into wasm/pkg/ (run wasm/build.sh first), on the
// scenarios of the core's criterion bench (core/benches/simulate.rs), so that each figure has a native
// counterpart from `cargo bench -p lagom-core --bench simulate` on the same machine:
//   1. simulate() over 100k events (1,000 subscriptions, events_batch steps, one per day of 2024);
//   2. simulate() over criterion's scenario: 1,000 subscriptions, 1M events, 12 months (native:
//      simulate/12_months_1000_subscriptions_1M_events, which also reads the scenario from JSON text
//      and writes the output as JSON text);
//   3. a Workspace holding 1M loaded events for 10 and for 100 subscriptions, re-simulated after each
//      price edit (native: session/resimulate_price_edit_*), median and p95 of the re-runs.
// Usage: node bench/simulate.mjs [events for 1] [events for 2 and 3] [runs of 2] [re-runs of 3]
// (defaults 100000, 1000000, 3 and 50).
// With LAGOM_BENCH_SCENARIOS=DIR, the scenarios of 1 and 2 are also written there (simulate-N.json), for
// timing the native core on the very same documents (`cargo run --profile bench -p lagom-wasm --example
// native_simulate -- DIR/simulate-N.json`). LAGOM_BENCH_SKIP_WORKSPACE=1 skips 3.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { simulate, Workspace } from '../pkg/node.js';

const DAYS = 366;
const small = Number(process.argv[2] ?? 100_000);
const large = Number(process.argv[3] ?? 1_000_000);
const runs = Number(process.argv[4] ?? 3);
const reruns = Number(process.argv[5] ?? 50);

/** The criterion bench's catalog for `subscriptions` customers, with `callPrice` per call. */
function catalog(subscriptions, callPrice = '0.01') {
  return {
    customers: Array.from({ length: subscriptions }, (_, i) => ({ external_id: `c${i}`, currency: 'EUR' })),
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

function subscriptionSteps(subscriptions) {
  return Array.from({ length: subscriptions }, (_, i) => ({
    at: '2024-01-01T00:00:00Z', op: 'create_subscription',
    body: { external_id: `s${i}`, external_customer_id: `c${i}`, plan_code: 'pro' },
  }));
}

function event(n, subscriptions, timestamp) {
  const base = { transaction_id: `t${n}`, external_subscription_id: `s${n % subscriptions}` };
  const body = n % 2 === 0 ? { ...base, code: 'calls' } : { ...base, code: 'storage', properties: { gb: (n % 7) + 1 } };
  return timestamp === undefined ? body : { ...body, timestamp };
}

function day(d) {
  return new Date(Date.UTC(2024, 0, 1 + d, 12)).toISOString().replace('.000Z', 'Z');
}

/** The criterion bench's scenario: 1,000 subscriptions, `total` events in one events_batch step per day. */
function steppedScenario(total, subscriptions = 1000) {
  const perDay = Math.floor(total / DAYS);
  const timeline = subscriptionSteps(subscriptions);
  let sent = 0;
  for (let d = 0; d < DAYS; d += 1) {
    const count = d === DAYS - 1 ? total - sent : perDay;
    const events = Array.from({ length: count }, (_, k) => event(sent + k, subscriptions));
    if (count > 0) timeline.push({ at: day(d), op: 'events_batch', body: { events } });
    sent += count;
  }
  return { ...catalog(subscriptions), timeline };
}

/** The criterion bench's loaded events: event n on day n × 366 / total, at noon UTC. */
function loadedEvents(total, subscriptions) {
  return Array.from({ length: total }, (_, n) => event(n, subscriptions, day(Math.floor((n * DAYS) / total))));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs `run` `times` times; prints and returns the median and p95 of the wall-clock times in ms, and
 * prints the process's CPU time per run (on a shared machine, wall-clock time includes waiting for a core).
 */
function measure(label, times, run) {
  const ms = [];
  let out;
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < times; i += 1) {
    const start = performance.now();
    out = run(i);
    ms.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  ms.sort((a, b) => a - b);
  const median = percentile(ms, 50);
  const p95 = percentile(ms, 95);
  const cpuPerRun = (cpu.user + cpu.system) / 1000 / times;
  console.log(`${label}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${times} runs; `
    + `CPU ${cpuPerRun.toFixed(1)} ms a run (${out.invoices.length} invoices)`);
  return { median, p95 };
}

console.log(`load average before: ${readLoad()}`);

const scenarioSmall = steppedScenario(small);
saveScenario(small, scenarioSmall);
const s = measure(`simulate, ${small.toLocaleString('en')} events, 1,000 subscriptions`, runs, () => simulate(scenarioSmall));
console.log(`  ${Math.round(small / (s.median / 1000)).toLocaleString('en')} events/s`);

const scenarioLarge = steppedScenario(large);
saveScenario(large, scenarioLarge);
const l = measure(`simulate, criterion's scenario (${large.toLocaleString('en')} events, 1,000 subscriptions)`, runs, () => simulate(scenarioLarge));
console.log(`  ${Math.round(large / (l.median / 1000)).toLocaleString('en')} events/s`);

for (const subscriptions of process.env.LAGOM_BENCH_SKIP_WORKSPACE ? [] : [10, 100]) {
  const workspace = new Workspace();
  const loadStart = performance.now();
  const report = workspace.loadEvents(loadedEvents(large, subscriptions));
  console.log(`Workspace.loadEvents(${report.loaded.toLocaleString('en')} events, ${subscriptions} subscriptions): ${(performance.now() - loadStart).toFixed(0)} ms`);
  const priced = (price) => ({ ...catalog(subscriptions, price), timeline: subscriptionSteps(subscriptions) });
  const [before, after] = [priced('0.01'), priced('0.02')];
  measure('  first run (aggregates the events)', 1, () => workspace.simulate(before));
  // Every re-run follows a price edit: the price flips between 0.01 and 0.02, as in criterion's.
  measure('  after a price edit', reruns, (i) => workspace.simulate(i % 2 === 0 ? after : before));
  workspace.free();
}

console.log(`load average after: ${readLoad()}`);

/** Writes `scenario` to $LAGOM_BENCH_SCENARIOS/simulate-EVENTS.json, when that variable names a folder. */
function saveScenario(events, scenario) {
  const dir = process.env.LAGOM_BENCH_SCENARIOS;
  if (dir) writeFileSync(join(dir, `simulate-${events}.json`), JSON.stringify(scenario));
}

/** The machine's load average (1, 5 and 15 minutes): the figures mean little on a busy machine. */
function readLoad() {
  return readFileSync('/proc/loadavg', 'utf8').trim();
}
