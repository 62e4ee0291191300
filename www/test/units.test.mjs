// The designer's pure modules (no browser, no wasm): bundled from src/ with esbuild, then checked
// against values worked out by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const www = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(www, 'test-results', 'units.mjs');
mkdirSync(dirname(out), { recursive: true });
const bundle = await build({
  stdin: {
    contents: ['design', 'scenario', 'generate', 'i18n', 'invoice', 'lago'].map((m) => `export * from './src/${m}.ts';`).join('\n'),
    resolveDir: www,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
});
writeFileSync(out, bundle.outputFiles[0].text);
const m = await import(pathToFileURL(out).href);
const fixture = (name) => readFileSync(join(www, 'test', 'fixtures', name), 'utf8');

test('cents become exact decimals with the currency minor unit', () => {
  assert.equal(m.centsToDecimal(12345, 'EUR'), '123.45');
  assert.equal(m.centsToDecimal(5, 'EUR'), '0.05');
  assert.equal(m.centsToDecimal(-5, 'USD'), '-0.05');
  assert.equal(m.centsToDecimal(500, 'JPY'), '500'); // the yen has no minor unit
  assert.equal(m.formatCents(4680, 'EUR', 'de'), '46,80\u00a0€');
});

test('each amount is formatted in its own locale, currency and precision, whatever was formatted before', () => {
  // The same amount alternately in de and en, EUR and JPY: each call gets its own locale's formatter.
  // 4680 cents of EUR are 46.80 €; 4680 yen (no minor unit) are ¥4,680.
  assert.equal(m.formatCents(4680, 'EUR', 'de'), '46,80\u00a0€');
  assert.equal(m.formatCents(4680, 'EUR', 'en'), '€46.80');
  assert.equal(m.formatCents(4680, 'JPY', 'en'), '¥4,680');
  assert.equal(m.formatCents(4680, 'EUR', 'de'), '46,80\u00a0€');
  // A unit price shows up to six fraction digits; a total rounds to the minor unit.
  assert.equal(m.formatMoney('1.1666666', 'EUR', 'en', true), '€1.166667');
  assert.equal(m.formatMoney('1.1666666', 'EUR', 'en'), '€1.17');
  // A currency being typed ("EU") is not one: the amount is shown as text, every time.
  assert.equal(m.formatMoney('1.5', 'EU', 'en'), '1.5 EU');
  assert.equal(m.formatMoney('1.5', 'EU', 'en'), '1.5 EU');
  // Dates in a time zone: 2024-01-31T23:30Z is already February 1 in Paris (UTC+1).
  assert.equal(m.formatDate('2024-01-31T23:30:00Z', 'en', 'Europe/Paris'), 'Feb 1, 2024');
  assert.equal(m.formatDate('2024-01-31T23:30:00Z', 'en', 'UTC'), 'Jan 31, 2024');
});

test('calendar periods end where Lago closes them', () => {
  const iso = (d) => d.toISOString().slice(0, 10);
  // Monthly from Jan 31: January, then February (leap year) → ends Mar 1.
  assert.equal(iso(m.periodsEnd('2024-01-31', 'monthly', 2)), '2024-03-01');
  // 2024-01-10 is a Wednesday: its week starts Monday Jan 8; one week ends Monday Jan 15.
  assert.equal(iso(m.periodsEnd('2024-01-10', 'weekly', 1)), '2024-01-15');
  // May is in Q2 (April–June): one quarter ends July 1; a half-year from May ends July 1 too.
  assert.equal(iso(m.periodsEnd('2024-05-20', 'quarterly', 1)), '2024-07-01');
  assert.equal(iso(m.periodsEnd('2024-05-20', 'semiannual', 1)), '2024-07-01');
  assert.equal(iso(m.periodsEnd('2024-05-20', 'yearly', 1)), '2025-01-01');
});

test("subscriptions start at midnight in the customers' time zone", () => {
  // Paris is UTC+1 in January and UTC+2 in July; New York UTC−5 in January.
  assert.equal(m.instant(m.zonedMidnight('2024-01-01', 'Europe/Paris')), '2023-12-31T23:00:00Z');
  assert.equal(m.instant(m.zonedMidnight('2024-07-01', 'Europe/Paris')), '2024-06-30T22:00:00Z');
  assert.equal(m.instant(m.zonedMidnight('2024-01-01', 'America/New_York')), '2024-01-01T05:00:00Z');
  assert.equal(m.instant(m.zonedMidnight('2024-01-01', 'Mars/Olympus')), '2024-01-01T00:00:00Z');
});

test('the scenario subscribes every customer and runs one day past the last period', () => {
  const design = m.defaultDesign();
  design.coupons = [{ name: 'W', code: 'w', coupon_type: 'fixed_amount', amount_cents: 100, frequency: 'once', expiration: 'no_expiration' }];
  const subs = [
    { external_id: 's1', external_customer_id: 'c1' },
    { external_id: 's2', external_customer_id: 'c1' },
  ];
  const scenario = m.buildScenario(design, design.plan, subs);
  assert.deepEqual(scenario.customers, [{ external_id: 'c1', currency: 'EUR', timezone: 'UTC' }]);
  assert.deepEqual(
    scenario.timeline.map((s) => `${s.at} ${s.op} ${s.body.external_id ?? s.body.coupon_code}`),
    ['2024-01-01T00:00:00Z create_subscription s1', '2024-01-01T00:00:00Z create_subscription s2', '2024-01-01T00:00:00Z apply_coupon w'],
  );
  // One monthly period from 2024-01-01 ends 2024-02-01; plus a day.
  assert.equal(scenario.until, '2024-02-02T00:00:00Z');
  assert.equal(scenario.coupons[0].amount_currency, 'EUR');
});

test('generated usage is the same for the same seed and differs for another', () => {
  const design = m.defaultDesign();
  design.generator = { seed: 7, customers: 3, days: 2, metrics: { api_calls: { events_per_day: 4, distribution: 'uniform', mean: 1 } } };
  const a = m.generateEvents(design);
  assert.deepEqual(m.generateEvents(design), a);
  // Each customer-day draws round(4 × [0.5, 1.5)) ∈ [2, 6] events: 6 customer-days give 12 to 36.
  assert.ok(a.length >= 12 && a.length <= 36, `${a.length} events`);
  assert.deepEqual([...new Set(a.map((e) => e.external_subscription_id))].sort(), ['sub_1', 'sub_2', 'sub_3']);
  assert.ok(a.every((e) => e.timestamp >= '2024-01-01T00:00:00Z' && e.timestamp < '2024-01-03T00:00:00Z'));
  assert.notDeepEqual(m.generateEvents({ ...design, generator: { ...design.generator, seed: 8 } }), a);
});

test('a plan from GET /plans is imported with its metric, taxes and ids, and exported for POST /plans', () => {
  const { design, added } = m.importLagoPlan(fixture('lago-plan.json'), m.defaultDesign());
  assert.deepEqual(added, ['seats']);
  assert.equal(design.plan.code, 'premium');
  assert.equal(design.plan.trial_period, null); // a 0.0 trial is no trial
  assert.deepEqual(design.plan.tax_codes, ['sales_tax']);
  assert.deepEqual(design.taxes, [{ name: 'Sales tax', code: 'sales_tax', rate: '10', applied_to_organization: false }]);
  const seats = design.billable_metrics.find((x) => x.code === 'seats');
  assert.equal(seats.lago_id, '9d0f3d4e-1b2a-4c3d-8e9f-0a1b2c3d4e5f');
  const body = m.postPlanBody(design);
  assert.equal(body.plan.charges[0].billable_metric_id, '9d0f3d4e-1b2a-4c3d-8e9f-0a1b2c3d4e5f');
  assert.equal('lago_id' in body.plan, false);
  // A metric Lago has not given an id says which id the body needs.
  const own = m.postPlanBody(m.defaultDesign());
  assert.equal(own.plan.charges[0].billable_metric_id, 'lago_id of billable metric api_calls');
  assert.throws(() => m.importLagoPlan('{"plans": []}', m.defaultDesign()), /expected a Lago plan/);
});

test('the curl command quotes the body for a POSIX shell', () => {
  const command = m.curlCommand({ plan: { name: "Bob's plan" } });
  assert.match(command, /--data '\{\n {2}"plan": \{\n {4}"name": "Bob'\\''s plan"\n {2}\}\n\}'$/);
});

test('revenue deltas per subscription add up in cents', () => {
  const invoice = (sub, total) => ({ total_amount_cents: total, billing_periods: [{ external_subscription_id: sub }], fees: [] });
  const a = [invoice('s1', 1000), invoice('s2', 500)];
  const b = [invoice('s1', 1500), invoice('s1', 200), invoice('s3', 300)];
  assert.deepEqual(m.revenueDeltas(a, b), [
    { subscription: 's1', a: 1000, b: 1700, delta: 700 },
    { subscription: 's2', a: 500, b: 0, delta: -500 },
    { subscription: 's3', a: 0, b: 300, delta: 300 },
  ]);
  assert.equal(m.grandTotal(b), 2000);
});
