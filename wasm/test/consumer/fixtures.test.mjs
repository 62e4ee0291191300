// Runs every case of the shared fixtures (tests/fixtures/eval/<contract>/*.json) through the installed
// package, through both entries (the full module and the eval-only one): the same files the core's
// native and wasm32 Rust tests read, so every surface agrees.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import * as full from 'lagom-billing';
import * as evalOnly from 'lagom-billing/eval';

// The main entry's class: the eval-only entry's failures must be instances of it too.
const { LagomError } = full;
const entries = { 'lagom-billing': full, 'lagom-billing/eval': evalOnly };
const contractsOf = ({ evalCharge, evalAggregation, billingPeriod }) => ({
  charge: evalCharge,
  aggregation: evalAggregation,
  period: billingPeriod,
});
const contracts = contractsOf(full);
const root = process.env.LAGOM_FIXTURES;

it('knows every contract that has fixtures', () => {
  assert.ok(root, 'LAGOM_FIXTURES names the fixture folder');
  const folders = existsSync(root) ? readdirSync(root) : [];
  assert.deepEqual(folders.filter((f) => !(f in contracts)), []);
});

for (const [entry, api] of Object.entries(entries)) {
  for (const [contract, run] of Object.entries(contractsOf(api))) {
    const folder = join(root ?? '', contract);
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')).sort() : [];
    describe(`${entry}: ${contract} fixtures`, { skip: files.length === 0 && `no fixtures under ${folder} yet` }, () => {
      for (const file of files) {
        const { cases } = JSON.parse(readFileSync(join(folder, file), 'utf8'));
        describe(file, () => {
          for (const testCase of cases) {
            it(testCase.name, () => check(run, testCase));
          }
        });
      }
    });
  }
}

function check(run, { input, output, error }) {
  if (error === undefined) {
    assert.deepStrictEqual(run(input), output);
    return;
  }
  assert.throws(
    () => run(input),
    (e) => {
      assert.ok(e instanceof LagomError, `a LagomError, not ${e}`);
      if (error.path !== undefined) assert.equal(e.path, error.path);
      assert.ok(e.message.includes(error.message ?? ''), `"${e.message}" contains "${error.message}"`);
      return true;
    },
  );
}
