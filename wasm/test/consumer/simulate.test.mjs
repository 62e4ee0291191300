// The simulator, validation and price curves through the installed package, over the same fixtures as
// the core's Rust tests: every scenario fixture gives byte for byte the JSON `lagom simulate` prints
// (LAGOM_NATIVE holds those outputs, written by run.mjs), the validation documents give their problems,
// and the price curves their hand-worked points.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { LagomError, priceCurve, simulate, validate } from 'lagom-billing';

const scenarios = process.env.LAGOM_SCENARIOS;
const native = process.env.LAGOM_NATIVE;
const fixturesRoot = process.env.LAGOM_FIXTURE_ROOT;

function read(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe('simulate: scenario fixtures, byte-identical to `lagom simulate`', () => {
  const files = readdirSync(scenarios).filter((f) => f.endsWith('.json')).sort();
  it('has fixtures', () => assert.ok(files.length >= 10));
  for (const file of files) {
    it(file, () => {
      const fixture = read(join(scenarios, file));
      if (fixture.error) {
        let thrown;
        try {
          simulate(fixture.scenario);
        } catch (e) {
          thrown = e;
        }
        assert.ok(thrown instanceof LagomError, `${file}: expected a LagomError`);
        if (fixture.error.path !== undefined) assert.equal(thrown.path, fixture.error.path);
        assert.ok(thrown.message.includes(fixture.error.message ?? ''), thrown.message);
        return;
      }
      const text = `${JSON.stringify(simulate(fixture.scenario), null, 2)}\n`;
      assert.equal(text, readFileSync(join(native, file), 'utf8'));
    });
  }
});

describe('validate: tests/fixtures/validate/documents.json', () => {
  const { cases } = read(join(fixturesRoot, 'validate', 'documents.json'));
  for (const testCase of cases) {
    it(testCase.name, () => {
      // A string is the document's JSON text.
      const problems = validate(testCase.text ?? testCase.document);
      assert.equal(problems.length, testCase.problems.length, JSON.stringify(problems));
      testCase.problems.forEach((expected, i) => {
        assert.equal(problems[i].path, expected.path);
        assert.equal(problems[i].code, expected.code);
        assert.ok(problems[i].message.includes(expected.message ?? ''), problems[i].message);
      });
    });
  }

  it('never throws for what is not a scenario', () => {
    for (const input of [undefined, null, 42, 'text', [], () => 1, Symbol('s'), 2n ** 200n, { plans: [() => 1] }]) {
      const problems = validate(input);
      assert.equal(problems.length, 1, String(input?.toString?.()));
      assert.equal(problems[0].code, 'invalid');
    }
  });

  it('reports serde unknown variants as unknown_variant', () => {
    const [problem] = validate({ plans: [{ name: 'P', code: 'p', interval: 'daily', amount_cents: 1, amount_currency: 'EUR' }] });
    assert.deepEqual([problem.path, problem.code], ['plans[0].interval', 'unknown_variant']);
  });
});

describe('priceCurve: tests/fixtures/price_curve/curves.json', () => {
  const { cases } = read(join(fixturesRoot, 'price_curve', 'curves.json'));
  for (const testCase of cases) {
    it(testCase.name, () => {
      if (testCase.error) {
        let thrown;
        try {
          priceCurve(testCase.charge, testCase.range);
        } catch (e) {
          thrown = e;
        }
        assert.ok(thrown instanceof LagomError);
        assert.deepEqual([thrown.code, thrown.path], [testCase.error.code, testCase.error.path]);
        assert.ok(thrown.message.includes(testCase.error.message), thrown.message);
        return;
      }
      const points = priceCurve(testCase.charge, testCase.range).map((p) => [p.units, p.amount, p.unit_amount]);
      assert.deepEqual(points, testCase.points);
    });
  }

  it('names a range that is not numbers', () => {
    assert.throws(() => priceCurve({ charge_model: 'standard', properties: { amount: '1' } }, { from: 'a', to: 1, steps: 1 }),
      (e) => e instanceof LagomError && e.path === 'from');
  });
});
