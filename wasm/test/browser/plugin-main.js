// A plugin in the browser: fetched and compiled with the browser's WebAssembly API (compileStreaming,
// as the server sends application/wasm), instantiated afresh on the main thread for each call, pricing
// one charge of a simulated month. The page reports the charge's fee and the plugin's name.
import { init, loadPlugin, simulate } from 'lagom-billing';

const answer = document.getElementById('answer');
const scenario = {
  customer: { external_id: 'acme', currency: 'EUR' },
  billable_metrics: [{ name: 'Calls', code: 'calls', aggregation_type: 'count_agg' }],
  plans: [{
    name: 'P', code: 'p', interval: 'monthly', amount_cents: 0, amount_currency: 'EUR',
    charges: [{ billable_metric_code: 'calls', charge_model: 'custom',
      properties: { plugin: 'time_of_day', day_unit_amount: '0.10', night_unit_amount: '0.04' } }],
  }],
  timeline: [
    { at: '2024-03-01T00:00:00Z', op: 'create_subscription', body: { external_id: 's1', external_customer_id: 'acme', plan_code: 'p' } },
    { at: '2024-03-05T12:00:00Z', op: 'event', body: { transaction_id: 't1', external_subscription_id: 's1', code: 'calls' } },
    { at: '2024-03-05T23:00:00Z', op: 'event', body: { transaction_id: 't2', external_subscription_id: 's1', code: 'calls' } },
  ],
  until: '2024-04-01T00:00:00Z',
};

Promise.all([init(), loadPlugin('/plugins/time_of_day.wasm')]).then(
  ([, plugin]) => {
    try {
      const fee = simulate(scenario, { custom: { plugins: [plugin] } }).invoices[0].fees.find((f) => f.item.code === 'calls');
      answer.textContent = JSON.stringify({ plugin: plugin.name, amount_cents: fee.amount_cents, amount_details: fee.amount_details });
    } catch (e) {
      answer.textContent = JSON.stringify({ error: String(e) });
    }
  },
  (e) => {
    answer.textContent = `failed: ${e}`;
  },
);
