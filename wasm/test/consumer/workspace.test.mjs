// The Workspace: events loaded once (arrays, NDJSON, CSV, bad rows reported by line), paged back, and
// replayed with each scenario as `event` steps at their own timestamps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LagomError, simulate, Workspace } from 'lagom-billing';

// A customer on a free monthly plan with a standard charge of 0.50 EUR per call, from March 1st.
const scenario = {
  customer: { external_id: 'acme', currency: 'EUR' },
  billable_metrics: [{ name: 'Calls', code: 'calls', aggregation_type: 'count_agg' }],
  plans: [{
    name: 'Basic', code: 'basic', interval: 'monthly', amount_cents: 0, amount_currency: 'EUR',
    charges: [{ billable_metric_code: 'calls', charge_model: 'standard', properties: { amount: '0.5' } }],
  }],
  timeline: [{ at: '2024-03-01T00:00:00Z', op: 'create_subscription',
    body: { external_id: 's1', external_customer_id: 'acme', plan_code: 'basic' } }],
  until: '2024-04-01T00:00:00Z',
};

const call = (id, timestamp) => ({ transaction_id: id, external_subscription_id: 's1', code: 'calls', timestamp });

describe('loadEvents', () => {
  it('reads NDJSON and reports a bad row with its line', () => {
    const ws = new Workspace();
    const text = [
      JSON.stringify(call('t1', '2024-03-02T00:00:00Z')),
      '',
      '{"transaction_id": "t2", "code": "calls"}',
      '{not json',
      JSON.stringify(call('t3', 1709596800)),
    ].join('\n');
    const report = ws.loadEvents(text, 'ndjson');
    assert.equal(report.loaded, 2);
    assert.equal(report.total, 2);
    assert.deepEqual(report.errors.map((e) => e.line), [3, 4]);
    assert.ok(report.errors[0].message.includes('missing field `timestamp`'), report.errors[0].message);
    // 1709596800 s = 2024-03-05T00:00:00Z (19787 days × 86400 s after 1970-01-01).
    assert.deepEqual(ws.events(1, 10).map((e) => [e.transaction_id, e.timestamp]), [['t3', '2024-03-05T00:00:00Z']]);
    ws.free();
  });

  it('reads CSV with property columns and reports a bad row with its line', () => {
    const ws = new Workspace();
    const csv = 'transaction_id,external_subscription_id,code,timestamp,properties.region,tier\n'
      + 't1,s1,calls,2024-03-02T00:00:00Z,eu,gold\n'
      + 't2,s1,calls,not a time,eu,gold\n'
      + '"t3",s1,calls,2024-03-03T00:00:00Z,"us, east",\n';
    const report = ws.loadEvents(csv, 'csv');
    assert.deepEqual([report.loaded, report.total], [2, 2]);
    assert.deepEqual(report.errors.map((e) => [e.line, e.path]), [[3, 'timestamp']]);
    assert.deepEqual(ws.events(0, 2).map((e) => e.properties), [{ region: 'eu', tier: 'gold' }, { region: 'us, east' }]);
  });

  it('reads arrays, appends, pages and clears', () => {
    const ws = new Workspace();
    const report = ws.loadEvents([call('a', '2024-03-02T00:00:00Z'), { transaction_id: 'b' }, call('c', '2024-03-03T00:00:00Z')]);
    assert.deepEqual([report.loaded, report.total, report.errors[0].line], [2, 2, 2]);
    assert.equal(ws.loadEvents(JSON.stringify([call('d', '2024-03-04T00:00:00Z')]), 'json').total, 3);
    assert.equal(ws.eventCount, 3);
    assert.deepEqual(ws.events(1, 1).map((e) => e.transaction_id), ['c']);
    assert.deepEqual(ws.events(5, 10), []);
    ws.clearEvents();
    assert.equal(ws.eventCount, 0);
  });

  it('throws a LagomError for an unknown format', () => {
    assert.throws(() => new Workspace().loadEvents('', 'xml'), (e) => e instanceof LagomError && e.code === 'unknown_variant' && e.path === 'format');
  });
});

describe('Workspace.simulate', () => {
  it('equals simulate with the same events as event steps', () => {
    const events = [call('t1', '2024-03-02T00:00:00Z'), call('t2', '2024-03-10T12:00:00Z'), call('t3', '2024-03-31T23:59:59Z')];
    const ws = new Workspace();
    ws.loadEvents(events);
    const loaded = ws.simulate(scenario);
    const stepped = simulate({
      ...scenario,
      timeline: [...scenario.timeline, ...events.map((body) => ({ at: body.timestamp, op: 'event', body }))],
    });
    assert.equal(JSON.stringify(loaded), JSON.stringify(stepped));
    // March's 3 calls at 0.50 EUR, billed on April 1st: 150 cents.
    assert.equal(loaded.invoices[0].fees_amount_cents, 150);
  });

  it('re-simulates an edited scenario without loading again', () => {
    const ws = new Workspace();
    ws.loadEvents([call('t1', '2024-03-02T00:00:00Z'), call('t2', '2024-03-03T00:00:00Z')]);
    const dearer = structuredClone(scenario);
    dearer.plans[0].charges[0].properties.amount = '2';
    // 2 calls: 2 × 0.50 = 1.00 EUR, then 2 × 2 = 4.00 EUR.
    assert.equal(ws.simulate(scenario).invoices[0].fees_amount_cents, 100);
    assert.equal(ws.simulate(dearer).invoices[0].fees_amount_cents, 400);
  });

  it('names a loaded event in its warnings', () => {
    const ws = new Workspace();
    ws.loadEvents([call('early', '2024-02-01T00:00:00Z')]);
    const [warning] = ws.simulate(scenario).warnings;
    assert.deepEqual([warning.event, warning.step, warning.transaction_id], [0, undefined, 'early']);
  });
});
