// Measures the npm package built into wasm/pkg/: the .wasm size (raw and gzipped) and how many
// evalCharge / billingPeriod calls per second Node makes. Run wasm/build.sh first.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import { billingPeriod, evalCharge } from '../pkg/node.js';

const wasm = readFileSync(new URL('../pkg/lagom_wasm_bg.wasm', import.meta.url));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`lagom_wasm_bg.wasm: ${kib(wasm.length)} raw, ${kib(gzipSync(wasm, { level: 9 }).length)} gzipped`);

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

for (const [name, run] of Object.entries({ evalCharge, billingPeriod })) {
  const input = inputs[name];
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
  const start = process.hrtime.bigint();
  const budget = 1_000_000_000n; // 1 s
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 100; i += 1) once();
    calls += 100;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${name}: ${Math.round(calls / seconds).toLocaleString('en')} calls/s (${answer})`);
}
