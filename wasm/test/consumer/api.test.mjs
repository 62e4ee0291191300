// The package's surface, independent of what the contracts answer: what it exports, how JS values
// reach the core, how failures are thrown, and the browser entry's explicit loading.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import * as lagom from 'lagom-billing';

import { thrown } from './support.mjs';

const { billingPeriod, evalAggregation, evalCharge, LagomError } = lagom;
const entries = { evalCharge, evalAggregation, billingPeriod };

it('exports the documented names and nothing else', () => {
  assert.deepEqual(Object.keys(lagom).sort(), [
    'ABI_VERSION',
    'LagomError',
    'PLUGIN_LIMITS',
    'Plugin',
    'Workspace',
    'billingPeriod',
    'evalAggregation',
    'evalCharge',
    'init',
    'initSync',
    'loadPlugin',
    'priceCurve',
    'simulate',
    'validate',
  ]);
});

describe('a bad input throws a LagomError', () => {
  for (const [name, run] of Object.entries(entries)) {
    it(`from ${name}`, () => {
      const e = thrown(() => run('not an object'));
      assert.ok(e instanceof LagomError && e instanceof Error);
      assert.equal(e.name, 'LagomError');
      assert.equal(e.code, 'invalid');
      // The whole document is at fault: the empty path, which messages call "(input)".
      assert.equal(e.path, '');
      assert.equal(e.message, '(input): invalid type: string "not an object", expected struct Input');
      assert.match(e.stack, /LagomError/);
    });
  }
});

it('an unknown variant serde finds is thrown with code unknown_variant', () => {
  const e = thrown(() => evalCharge({ charge_model: 'tiered', units: '1' }));
  assert.deepEqual([e.code, e.path], ['unknown_variant', 'charge_model']);
  assert.ok(e.message.startsWith('charge_model: unknown variant `tiered`, expected one of `standard`'), e.message);
});

describe('JS values reach the core as the JSON text JSON.stringify would give', () => {
  // The core echoes a value it cannot read, which shows what it received.
  const cases = [
    ['a fraction', 0.1, 'floating point `0.1`'],
    ['an integer', 42, 'integer `42`'],
    ['negative zero, as JSON has it', -0, 'integer `0`'],
    ['a safe BigInt, as an integer', 12n, 'integer `12`'],
    ['text beyond ASCII', 'é€😀', 'string "é€😀"'],
    ['undefined, as null', undefined, 'invalid type: null'],
    ['NaN, as null', NaN, 'invalid type: null'],
  ];
  for (const [what, value, echoed] of cases) {
    it(what, () => {
      assert.ok(thrown(() => evalCharge(value)).message.includes(echoed));
    });
  }

  it('a value JSON cannot hold is an error at its path', () => {
    const e = thrown(() => evalCharge({ events: [{ value: '1' }, { value: () => 1 }] }));
    assert.ok(e instanceof LagomError);
    assert.equal(e.code, 'invalid');
    assert.equal(e.path, 'events[1].value');
    assert.match(e.message, /^events\[1\]\.value: not a JSON value: invalid type: JsValue\(Function/);
  });

  it('a value with a part JSON.stringify would not keep reads as its plain twin does', () => {
    // The BigInt sends the whole input the slow way (field by field), the number the fast way
    // (JSON.stringify): both are 3 units at 0.5, 1.5.
    const input = (units) => ({ charge_model: 'standard', properties: { amount: '0.5' }, units });
    assert.deepEqual(evalCharge(input(3n)), evalCharge(input(3)));
    assert.equal(evalCharge(input(3n)).amount, '1.5');
  });

  it('a BigInt beyond 64 bits is an error, not a rounded number', () => {
    const e = thrown(() => evalCharge({ units: 2n ** 70n }));
    assert.equal(e.path, 'units');
    assert.match(e.message, /^units: not a JSON value: .*BigInt/);
  });
});

it('the package types have no `any`', () => {
  const strip = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const entry = readFileSync(new URL(import.meta.resolve('lagom-billing/package.json').replace('package.json', 'index.d.ts')), 'utf8');
  const generated = readFileSync(new URL(import.meta.resolve('lagom-billing/package.json').replace('package.json', 'lagom_wasm.d.ts')), 'utf8');
  assert.doesNotMatch(strip(entry), /\bany\b/);
  // The raw exports of the wasm instance (InitOutput) are wasm-bindgen's, not the package's surface.
  const surface = strip(generated).replace(/export interface InitOutput \{[^}]*\}/, '');
  assert.doesNotMatch(surface, /\bany\b/);
});

describe('the browser entry', () => {
  const entryUrl = import.meta.resolve('lagom-billing/package.json').replace('package.json', 'index.js');

  it('refuses calls until the module is loaded, then answers', async () => {
    // A fresh instance of the entry (the query string makes it one), as a page sees it before init().
    const page = await import(`${entryUrl}?page`);
    const e = thrown(() => page.evalCharge('x'));
    assert.ok(e instanceof page.LagomError);
    assert.equal(e.code, 'not_initialized');
    const wasm = readFileSync(new URL(entryUrl.replace('index.js', 'lagom_wasm_bg.wasm')));
    await page.init(await WebAssembly.compile(wasm));
    assert.equal(thrown(() => page.evalCharge('x')).code, 'invalid');
  });
});
