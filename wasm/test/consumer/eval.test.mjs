// The eval-only entry, `lagom-billing/eval`: its exports, its module (no simulator, within the size
// budget), its LagomError (the main entry's class) and its browser entry's explicit loading. Its
// answers to every fixture case are checked by fixtures.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { gzipSync } from 'node:zlib';

import * as full from 'lagom-billing';
import * as evalOnly from 'lagom-billing/eval';

import { thrown } from './support.mjs';

const packageFile = (name) => new URL(import.meta.resolve('lagom-billing/package.json').replace('package.json', name));

it('exports the eval contracts, price curves, the loaders, the plugin API and LagomError, and nothing else', () => {
  assert.deepEqual(Object.keys(evalOnly).sort(), [
    'ABI_VERSION',
    'LagomError',
    'PLUGIN_LIMITS',
    'Plugin',
    'billingPeriod',
    'evalAggregation',
    'evalCharge',
    'init',
    'initSync',
    'loadPlugin',
    'priceCurve',
  ]);
});

it('loads its own module, which holds no simulator', () => {
  const module = new WebAssembly.Module(readFileSync(packageFile('lagom_eval_bg.wasm')));
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  for (const name of ['evalCharge', 'evalAggregation', 'billingPeriod', 'priceCurve']) assert.ok(names.includes(name), name);
  for (const name of ['simulate', 'validate', 'workspace_new']) assert.ok(!names.includes(name), name);
});

it("keeps the eval-only module within issue 4's budget: 350,000 bytes gzipped", () => {
  // gzip level 9, as wasm/build.sh prints it; the size of a build is deterministic.
  const gzipped = gzipSync(readFileSync(packageFile('lagom_eval_bg.wasm')), { level: 9 }).length;
  assert.ok(gzipped <= 350_000, `lagom_eval_bg.wasm is ${gzipped} B gzipped`);
});

it('prices a graduated curve', () => {
  // Lago's graduated ranges: 0–10 at 1 + 2 flat, 11+ at 0.5 + 3 flat. 10 units = 10 + 2 = 12;
  // 20 units = 12 + 10 × 0.5 + 3 = 20; 0 units still pays the first tier's flat 2.
  const charge = { charge_model: 'graduated', properties: { graduated_ranges: [
    { from_value: 0, to_value: 10, per_unit_amount: '1', flat_amount: '2' },
    { from_value: 11, to_value: null, per_unit_amount: '0.5', flat_amount: '3' }] } };
  const amounts = evalOnly.priceCurve(charge, { from: 0, to: 20, steps: 2 }).map((p) => [p.units, p.amount]);
  assert.deepEqual(amounts, [['0', '2'], ['10', '12'], ['20', '20']]);
});

it('throws the main entry\'s LagomError class, with the same fields', () => {
  assert.equal(evalOnly.LagomError, full.LagomError);
  const e = thrown(() => evalOnly.evalCharge({ charge_model: 'tiered', units: '1' }));
  assert.ok(e instanceof full.LagomError && e instanceof Error);
  assert.deepEqual([e.name, e.code, e.path], ['LagomError', 'unknown_variant', 'charge_model']);
  // And the other way round.
  assert.ok(thrown(() => full.evalCharge('x')) instanceof evalOnly.LagomError);
});

it('the browser entry refuses calls until its module is loaded, then answers', async () => {
  // A fresh instance of the entry (the query string makes it one), as a page sees it before init().
  const page = await import(`${packageFile('eval.js')}?page`);
  const e = thrown(() => page.evalCharge('x'));
  assert.ok(e instanceof full.LagomError);
  assert.equal(e.code, 'not_initialized');
  await page.init(await WebAssembly.compile(readFileSync(packageFile('lagom_eval_bg.wasm'))));
  assert.equal(thrown(() => page.evalCharge('x')).code, 'invalid');
});

it('prices a custom charge with a JS callback, as the main entry does', () => {
  // 4 units at 3 a unit: amount 12; without a unit_amount in the answer, the core divides: 12 / 4 = 3.
  const price = ({ units }) => ({ amount: String(Number(units) * 3) });
  const priced = evalOnly.evalCharge({ charge_model: 'custom', units: '4' }, { custom: { price } });
  assert.equal(priced.amount, '12');
  assert.equal(priced.unit_amount, '3');
});
