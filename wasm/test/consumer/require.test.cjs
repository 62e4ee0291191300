// CommonJS consumers: Node >= 20.19 can require() the package's ES module entry.
const assert = require('node:assert/strict');
const { it } = require('node:test');

const [major, minor] = process.versions.node.split('.').map(Number);
const canRequireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);

it('require() gives the same API', { skip: !canRequireEsm && 'this Node cannot require() an ES module' }, () => {
  const lagom = require('lagom-billing');
  assert.equal(typeof lagom.evalCharge, 'function');
  assert.throws(() => lagom.evalCharge('x'), (e) => e instanceof lagom.LagomError && e.path === '');
});

it('require() of the eval-only entry gives its API and the same LagomError', { skip: !canRequireEsm && 'this Node cannot require() an ES module' }, () => {
  const lagom = require('lagom-billing');
  const evalOnly = require('lagom-billing/eval');
  assert.equal(evalOnly.evalCharge({ charge_model: 'standard', properties: { amount: '0.5' }, units: '3' }).amount, '1.5');
  assert.throws(() => evalOnly.evalCharge('x'), (e) => e instanceof lagom.LagomError && e.path === '');
});
