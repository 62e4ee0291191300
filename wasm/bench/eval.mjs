// Measures the npm package built into wasm/pkg/: both modules' sizes (raw and gzipped) and how many
// evalCharge / billingPeriod calls per second Node makes through the main entry, and evalCharge
// through the eval-only one (`lagom-billing/eval`). Run wasm/build.sh first.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import { billingPeriod, evalCharge } from '../pkg/node.js';
import { evalCharge as evalOnlyCharge } from '../pkg/eval-node.js';

for (const name of ['lagom_wasm_bg.wasm', 'lagom_eval_bg.wasm']) {
  const wasm = readFileSync(new URL(`../pkg/${name}`, import.meta.url));
  console.log(`${name}: ${wasm.length} B raw, ${gzipSync(wasm, { level: 9 }).length} B gzipped (Node's zlib, level 9)`);
}
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);

const inputs = {
  evalCharge: {
    charge_model: 'graduated',
    properties: {
      graduated_ranges: [
        { from_value: 0, to_value: 10, per_unit_amount: '1', flat_amount: '2' },
        { from_value: 11, to_value: null, per_unit_amount: '0.5', flat_amount: '3' },
      ],
    },
    units: '25',
  },
  billingPeriod: {
    interval: 'monthly',
    billing_time: 'anniversary',
    subscription_at: '2024-01-15T10:00:00Z',
    billing_at: '2024-03-15T00:00:00Z',
    timezone: 'Europe/Paris',
    pay_in_advance: true,
  },
};

const runs = [
  ['evalCharge', evalCharge, inputs.evalCharge],
  ['evalCharge (lagom-billing/eval)', evalOnlyCharge, inputs.evalCharge],
  ['billingPeriod', billingPeriod, inputs.billingPeriod],
];

for (const [name, run, input] of runs) {
  const once = () => {
    try {
      return run(input);
    } catch (e) {
      return e;
    }
  };
  const first = once();
  const answer = first instanceof Error ? `throws ${first.code}: ${first.message}` : JSON.stringify(first);
  for (let i = 0; i < 2000; i += 1) once(); // warm-up
  let calls = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = 1_000_000_000n; // 1 s
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 100; i += 1) once();
    calls += 100;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // On a shared machine the wall-clock rate includes waiting for a core; the CPU rate does not.
  console.log(`${name}: ${Math.round(calls / seconds).toLocaleString('en')} calls/s, `
    + `${Math.round(calls / cpuSeconds).toLocaleString('en')} per CPU-second (${answer})`);
}
