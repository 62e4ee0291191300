// Custom pricing through the installed package: JS callbacks and the plugin .wasm files the native host
// runs (LAGOM_PLUGINS: the example plugins; LAGOM_HOSTILE: the host's hostile test modules, compiled
// from tests/fixtures/plugins/*.wat). The plugin scenarios (LAGOM_PLUGIN_SCENARIOS) must print byte
// for byte what `lagom simulate --plugins DIR` printed (LAGOM_NATIVE/plugin_scenarios/), and the
// hand-worked values of each fixture's `note`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { evalCharge, LagomError, loadPlugin, Plugin, simulate, Workspace } from 'lagom-billing';

const pluginDir = process.env.LAGOM_PLUGINS;
const hostileDir = process.env.LAGOM_HOSTILE;
const pluginScenarios = process.env.LAGOM_PLUGIN_SCENARIOS;
const native = process.env.LAGOM_NATIVE;

/** A monthly plan of 0 EUR from 2024-03-01, billed on 2024-04-01, with `charges` and one event per `events` entry. */
function scenario(charges, events, metrics = [{ name: 'Calls', code: 'calls', aggregation_type: 'count_agg' }]) {
  return {
    customer: { external_id: 'acme', currency: 'EUR' },
    billable_metrics: metrics,
    plans: [{ name: 'P', code: 'p', interval: 'monthly', amount_cents: 0, amount_currency: 'EUR', charges }],
    timeline: [
      { at: '2024-03-01T00:00:00Z', op: 'create_subscription', body: { external_id: 's1', external_customer_id: 'acme', plan_code: 'p' } },
      ...events.map(([at, code, properties = {}], i) => ({
        at, op: 'event', body: { transaction_id: `t${i}`, external_subscription_id: 's1', code, properties },
      })),
    ],
    until: '2024-04-01T00:00:00Z',
  };
}

/** The fee of the first invoice for metric `code`. */
function feeOf(output, code) {
  return output.invoices[0].fees.find((fee) => fee.item.code === code);
}

/** What `run` throws; fails when it does not throw a LagomError. */
function thrownBy(run) {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof LagomError, `expected a LagomError, got ${e}`);
    return e;
  }
  assert.fail('expected a LagomError');
}

/** 3 EUR a unit beyond `free_units`, in whole units: exact in JavaScript numbers. */
function overage(request) {
  const billed = Math.max(0, Number(request.units) - Number(request.properties.free_units));
  return { amount: String(billed * 3) };
}

describe('custom pricing by JS callbacks', () => {
  it('prices a custom charge in evalCharge with the ABI request', () => {
    const seen = [];
    const output = evalCharge(
      { charge_model: 'custom', units: 12, properties: { free_units: '10' } },
      { custom: { price: (request) => (seen.push(request), overage(request)) } },
    );
    // 12 units, 10 free: 2 × 3 = 6; no unit_amount given, so Lago's rule: 6 / 12 = 0.5.
    assert.equal(output.amount, '6');
    assert.equal(output.unit_amount, '0.5');
    assert.deepEqual(seen, [{ units: '12', properties: { free_units: '10' }, context: { events: [] } }]);
  });

  it('passes unit_amount and amount_details through', () => {
    const output = evalCharge(
      { charge_model: 'custom', units: '4', properties: {} },
      { custom: { price: () => ({ amount: '10.50', unit_amount: '2.625', amount_details: { tier: 'gold' } }) } },
    );
    // The answer's own unit amount wins over Lago's 10.50 / 4 (which is the same here: 2.625).
    assert.equal(output.amount, '10.5');
    assert.equal(output.unit_amount, '2.625');
    assert.deepEqual(output.amount_details, { tier: 'gold' });
  });

  it('prices a custom charge in simulate with the period events', () => {
    const seen = [];
    const events = ['2024-03-05T10:00:00Z', '2024-03-06T10:00:00Z', '2024-03-07T10:00:00Z', '2024-03-08T10:00:00Z', '2024-03-09T10:00:00Z'];
    const output = simulate(
      scenario([{ billable_metric_code: 'calls', charge_model: 'custom', properties: { free_units: '2' } }], events.map((at) => [at, 'calls'])),
      { custom: { price: (request) => (seen.push(request), overage(request)) } },
    );
    // March: 5 calls, 2 free: 3 × 3 EUR = 9 EUR = 900 cents; unit amount 9 / 5 = 1.8.
    const fee = feeOf(output, 'calls');
    assert.equal(fee.amount_cents, 900);
    assert.equal(fee.precise_unit_amount, '1.8');
    assert.equal(output.invoices[0].total_amount_cents, 900);
    assert.deepEqual(seen.at(-1).context.events.map((e) => e.timestamp), events);
    assert.equal(seen.at(-1).units, '5');
    // The charges period of a calendar monthly plan started 2024-03-01, in UTC: March, first to last second.
    assert.equal(seen.at(-1).context.from_datetime, '2024-03-01T00:00:00Z');
    assert.equal(seen.at(-1).context.to_datetime, '2024-03-31T23:59:59Z');
  });

  it('folds a custom_agg metric with aggregate(event, state, properties), Lago-style', () => {
    const states = [];
    const metrics = [{ name: 'Rides', code: 'rides', aggregation_type: 'custom_agg' }];
    const charges = [{ billable_metric_code: 'rides', charge_model: 'custom', properties: { custom_properties: { factor: '2' } } }];
    const events = [['2024-03-05T10:00:00Z', 'rides', { price: '1.25' }], ['2024-03-06T10:00:00Z', 'rides', { price: '2' }]];
    const aggregate = (event, state, properties) => {
      states.push(state);
      // One unit per ride; the ride's amount is its price × factor, in cents to stay exact.
      const cents = Math.round(Number(event.properties.price) * 100) * Number(properties.factor);
      return { total_units: String(Number(state.total_units) + 1), amount: (cents / 100).toFixed(2) };
    };
    const output = simulate(scenario(charges, events, metrics), { custom: { aggregate } });
    // Units replaced (0 → 1 → 2), amounts added: 1.25 × 2 + 2 × 2 = 2.50 + 4.00 = 6.50 EUR = 650 cents;
    // no price callback, so Lago's custom rule prices the charge at the aggregation's amount.
    const fee = feeOf(output, 'rides');
    assert.equal(fee.amount_cents, 650);
    assert.equal(fee.units, '2');
    assert.deepEqual(states, [{ total_units: '0', amount: '0' }, { total_units: '1', amount: '2.5' }]);
  });

  it('a Workspace prices with callbacks too', () => {
    const workspace = new Workspace();
    workspace.loadEvents([1, 2, 3, 4].map((day) => ({
      transaction_id: `w${day}`, external_subscription_id: 's1', code: 'calls', timestamp: `2024-03-0${day}T12:00:00Z`,
    })));
    const charges = [{ billable_metric_code: 'calls', charge_model: 'custom', properties: { free_units: '1' } }];
    const output = workspace.simulate(scenario(charges, []), { custom: { price: overage } });
    // 4 loaded calls, 1 free: 3 × 3 = 9 EUR = 900 cents.
    assert.equal(feeOf(output, 'calls').amount_cents, 900);
    workspace.free();
  });

  describe('bad callbacks fail the charge with a LagomError naming it', () => {
    const charges = [{ billable_metric_code: 'calls', charge_model: 'custom', properties: {} }];
    const march = scenario(charges, [['2024-03-05T10:00:00Z', 'calls']]);
    const cases = [
      ['throws', () => { throw new Error('no tariff for acme'); }, 'the `price` callback threw: no tariff for acme'],
      ['throws a string', () => { throw 'plain text'; }, 'the `price` callback threw: plain text'],
      ['returns a float', () => ({ amount: 1.5 }), 'the `price` callback answered badly: amount must be a decimal string (got 1.5)'],
      ['returns garbage', () => 'twelve', 'the `price` callback answered badly: the answer must be an object {amount, unit_amount?, amount_details?} (got "twelve")'],
      ['returns nothing', () => undefined, 'the answer must be an object'],
      ['returns non-object details', () => ({ amount: '1', amount_details: [1] }), 'amount_details must be an object (got [1])'],
      ['returns a bad unit_amount', () => ({ amount: '1', unit_amount: 'x' }), 'unit_amount must be a decimal string (got "x")'],
    ];
    for (const [name, price, reason] of cases) {
      it(`${name}: in simulate`, () => {
        const error = thrownBy(() => simulate(march, { custom: { price } }));
        assert.equal(error.code, 'custom');
        // The charge is billed by the clock's run up to `until` (2024-04-01).
        assert.equal(error.path, 'until.plans.p.charges[0]');
        assert.ok(error.message.startsWith('until.plans.p.charges[0]: custom pricing failed: '), error.message);
        assert.ok(error.message.includes(reason), error.message);
      });
      it(`${name}: in evalCharge`, () => {
        const error = thrownBy(() => evalCharge({ charge_model: 'custom', units: 1 }, { custom: { price } }));
        assert.equal(error.code, 'custom');
        assert.ok(error.message.includes(reason), error.message);
      });
    }

    it('an aggregate callback that answers a number names the event', () => {
      const metrics = [{ name: 'Rides', code: 'rides', aggregation_type: 'custom_agg' }];
      const rides = scenario([{ billable_metric_code: 'rides', charge_model: 'custom', properties: {} }], [['2024-03-05T10:00:00Z', 'rides', {}]], metrics);
      const error = thrownBy(() => simulate(rides, { custom: { aggregate: () => ({ total_units: 1, amount: '0' }) } }));
      assert.equal(error.code, 'custom');
      assert.match(error.message, /^until\.plans\.p\.charges\[0\]\.events\[0\]: custom pricing failed: the `aggregate` callback answered badly: total_units must be a decimal string \(got 1\)$/);
    });

    it('without a price callback, a charge with no custom aggregation cannot be priced', () => {
      const error = thrownBy(() => simulate(march, { custom: {} }));
      assert.ok(error.message.includes('no `price` callback was given: it prices the charge of a custom_agg metric'), error.message);
    });

    it('the option itself is checked', () => {
      assert.equal(thrownBy(() => simulate(march, { custom: { price: 'not a function' } })).path, 'custom.price');
      assert.equal(thrownBy(() => simulate(march, { custom: 42 })).path, 'custom');
      assert.equal(thrownBy(() => simulate(march, { custom: { price: overage, plugins: [] } })).path, 'custom');
      assert.equal(thrownBy(() => simulate(march, { custom: { plugins: [{}] } })).path, 'custom.plugins[0]');
      // No custom code: the core's own refusal.
      assert.match(thrownBy(() => simulate(march)).message, /needs a custom pricing plugin or callback/);
    });

    it('the next call still works', () => {
      thrownBy(() => simulate(march, { custom: { price: () => { throw new Error('x'); } } }));
      // 1 call, none free: 3 EUR.
      assert.equal(feeOf(simulate(march, { custom: { price: () => ({ amount: '3' }) } }), 'calls').amount_cents, 300);
    });
  });
});

describe('custom pricing by plugins (the .wasm the host runs)', () => {
  const examples = () => Promise.all(['time_of_day', 'custom_aggregator'].map((name) => loadPlugin(join(pluginDir, `${name}.wasm`))));

  it('loads the examples by path, named after the file stem', async () => {
    const [timeOfDay, aggregator] = await examples();
    assert.ok(timeOfDay instanceof Plugin);
    assert.equal(timeOfDay.name, 'time_of_day');
    assert.deepEqual({ ...timeOfDay.calls }, { price: true, aggregate: false });
    assert.deepEqual({ ...aggregator.calls }, { price: false, aggregate: true });
  });

  for (const file of readdirSync(pluginScenarios ?? '.').filter((f) => f.endsWith('.json')).sort()) {
    it(`${file}: byte-identical to \`lagom simulate --plugins\`, with the hand-worked values`, async () => {
      const fixture = JSON.parse(readFileSync(join(pluginScenarios, file), 'utf8'));
      // Bytes with a name work as a path does.
      const plugins = await Promise.all(fixture.plugins.map((name) => loadPlugin(readFileSync(join(pluginDir, `${name}.wasm`)), { name })));
      const output = simulate(fixture.scenario, { custom: { plugins } });
      assert.equal(`${JSON.stringify(output, null, 2)}\n`, readFileSync(join(native, 'plugin_scenarios', file), 'utf8'));
      fixture.expected.invoices.forEach((expected, i) => {
        const invoice = output.invoices[i];
        for (const key of ['issuing_date', 'fees_amount_cents', 'total_amount_cents']) assert.equal(invoice[key], expected[key], key);
        for (const { code, ...fields } of expected.fees) {
          const fee = invoice.fees.find((f) => f.item.code === code);
          for (const [key, value] of Object.entries(fields)) assert.deepEqual(fee[key], value, `${code}.${key}`);
        }
      });
      // The same through a Workspace.
      const workspace = new Workspace();
      assert.deepEqual(workspace.simulate(fixture.scenario, { custom: { plugins } }), output);
      workspace.free();
    });
  }

  it('an aggregate-only plugin prices the eval contract by Lago rule from the custom aggregation', async () => {
    const plugins = await examples();
    const output = evalCharge(
      { charge_model: 'custom', units: 10, properties: { plugin: 'custom_aggregator' }, custom_aggregation: { total_units: '10', amount: '20' } },
      { custom: { plugins } },
    );
    // Lago's custom rule: the aggregation's amount 20, unit amount 20 / 10 = 2.
    assert.equal(output.amount, '20');
    assert.equal(output.unit_amount, '2');
  });

  it('a charge naming no loaded plugin fails with the list of loaded ones', async () => {
    const plugins = await examples();
    const error = thrownBy(() => evalCharge({ charge_model: 'custom', units: 1, properties: { plugin: 'nope' } }, { custom: { plugins } }));
    assert.equal(error.message, '(input): custom pricing failed: properties.plugin: no plugin `nope` is loaded (loaded: time_of_day, custom_aggregator)');
  });

  it('a plugin reports bad properties in its own words', async () => {
    const plugins = await examples();
    const input = { charge_model: 'custom', units: 1, properties: { plugin: 'time_of_day', day_unit_amount: '1', night_unit_amount: '1', utc_offset: '+2' } };
    const error = thrownBy(() => evalCharge(input, { custom: { plugins } }));
    assert.equal(error.code, 'custom');
    assert.ok(error.message.endsWith('plugin `time_of_day`: failed: properties.utc_offset: expected ±HH:MM (got "+2")'), error.message);
  });

  describe('hostile modules (tests/fixtures/plugins/*.wat)', () => {
    const hostile = (name) => loadPlugin(join(hostileDir, `${name}.wasm`));
    const refusals = [
      ['missing_alloc', 'plugin `missing_alloc`: does not export `lagom_alloc`'],
      ['abi_version_7', 'plugin `abi_version_7`: ABI version 7, this lagom speaks 1'],
      ['imports_wasi', 'plugin `imports_wasi`: imports `wasi_snapshot_preview1::fd_write`: plugins may import nothing'],
      ['wrong_signature', 'plugin `wrong_signature`: exports `lagom_price` as a function of 1 parameter, expected 2'],
    ];
    for (const [name, message] of refusals) {
      it(`${name} is refused at load`, async () => {
        await assert.rejects(hostile(name), (e) => e instanceof LagomError && e.code === 'invalid' && e.message === message);
      });
    }

    const callFailures = [
      ['huge_output', 'plugin `huge_output`: output of 2097152 bytes exceeds the limit of 1048576 bytes'],
      ['unreachable', 'plugin `unreachable`: trapped: unreachable'],
      ['not_json', 'plugin `not_json`: returned a malformed response: not JSON'],
      ['out_of_bounds', 'plugin `out_of_bounds`: the response at '],
    ];
    for (const [name, reason] of callFailures) {
      it(`${name} fails its call only, and the next call works`, async () => {
        const plugins = [await hostile(name), await hostile('good')];
        const input = (plugin) => ({ charge_model: 'custom', units: 10, properties: { plugin } });
        const error = thrownBy(() => evalCharge(input(name), { custom: { plugins } }));
        assert.equal(error.code, 'custom');
        assert.ok(error.message.startsWith('(input): custom pricing failed: '), error.message);
        assert.ok(error.message.includes(reason), error.message);
        // good.wat answers {"amount": "42", "unit_amount": "4.2"} whatever it is asked.
        const output = evalCharge(input('good'), { custom: { plugins } });
        assert.deepEqual([output.amount, output.unit_amount], ['42', '4.2']);
      });
    }

    it('a plugin is not a file it cannot read', async () => {
      await assert.rejects(loadPlugin(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]), { name: 'junk' }), (e) => e instanceof LagomError && /^plugin `junk`: is not a valid WebAssembly module/.test(e.message));
      await assert.rejects(loadPlugin(new Uint8Array([1, 2, 3])), (e) => e instanceof LagomError && e.path === 'name');
    });
  });
});
