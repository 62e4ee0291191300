// Compare: a baseline plan version (A) against the plan being edited (B) on the same usage — total and
// per-subscription revenue — and each charge's price curve (cost against units) drawn with uPlot.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { priceCurve, type CurveCharge } from 'lagom-billing';
import type { Charge, Design, Plan } from '../design';
import type { PreviewRun } from '../engine';
import { formatCents } from '../i18n';
import { grandTotal, revenueDeltas } from '../invoice';

/** Points per curve. */
const STEPS = 200;

/** A units range that shows every tier of the charge: 1.5 × the last tier's start, at least 100. */
export function defaultUpperUnits(charge: Charge): number {
  const props = charge.properties;
  const ranges = (props.graduated_ranges ?? props.volume_ranges ?? props.graduated_percentage_ranges) as
    | { from_value?: unknown; to_value?: unknown }[]
    | undefined;
  if (ranges && ranges.length > 0) {
    const last = ranges[ranges.length - 1];
    const edge = Number(last.to_value ?? last.from_value) || 0;
    return Math.max(100, Math.ceil(edge * 1.5));
  }
  if (charge.charge_model === 'package') return Math.max(100, (Number(props.package_size) || 1) * 10);
  return 1000;
}

interface Curve {
  units: number[];
  amounts: number[];
}

/** The charge's amounts at STEPS + 1 evenly spaced unit counts in [0, to], or the core's error. */
function curveOf(charge: Charge, to: number): Curve | Error {
  try {
    const properties = charge.properties as CurveCharge['properties'];
    const points = priceCurve({ charge_model: charge.charge_model, properties }, { from: '0', to: String(to), steps: STEPS });
    // Plotting is display only: the exact decimals become floats here and nowhere else.
    return { units: points.map((p) => Number(p.units)), amounts: points.map((p) => Number(p.amount)) };
  } catch (thrown) {
    return thrown as Error;
  }
}

function PriceCurveChart({ title, a, b, currency }: { title: string; a: Curve | null; b: Curve; currency: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const series: uPlot.Series[] = [{ label: 'units' }, { label: `B (current) ${currency}`, stroke: '#2563eb', width: 2 }];
    const data: uPlot.AlignedData = [b.units, b.amounts];
    if (a && a.units.length === b.units.length) {
      series.push({ label: `A (baseline) ${currency}`, stroke: '#dc2626', width: 2, dash: [6, 4] });
      data.push(a.amounts);
    }
    const plot = new uPlot(
      { width: Math.max(280, el.clientWidth || 480), height: 220, scales: { x: { time: false } }, series, axes: [{ label: 'units' }, { label: currency }] },
      data,
      el,
    );
    return () => plot.destroy();
  }, [a, b, currency]);
  const last = b.amounts.length - 1;
  return (
    <figure class="curve">
      <div ref={host} role="img" aria-label={`${title}: ${b.amounts[last]} ${currency} at ${b.units[last]} units`} />
      <figcaption>{title}</figcaption>
    </figure>
  );
}

function ChargeCurve({ charge, baseline, currency, index }: {
  charge: Charge;
  baseline: Charge | undefined;
  currency: string;
  index: number;
}) {
  const [to, setTo] = useState(() => defaultUpperUnits(charge));
  // Priced again only when its charge or range changed (an unrelated edit keeps the charge object), so
  // that the chart is redrawn only then too.
  const b = useMemo(() => curveOf(charge, to), [charge, to]);
  const a = useMemo(() => (baseline ? curveOf(baseline, to) : null), [baseline, to]);
  const id = `curve-to-${index}`;
  return (
    <div class="charge-curve">
      <div class="field">
        <label for={id}>Units up to ({charge.billable_metric_code})</label>
        <input id={id} type="number" min={1} value={to} onChange={(e) => setTo(Math.max(1, Number(e.currentTarget.value) || 1))} />
      </div>
      {b instanceof Error ? (
        <p class="problem" role="alert">
          {b.message}
        </p>
      ) : (
        <PriceCurveChart
          title={`Charge ${index + 1}: ${charge.billable_metric_code} (${charge.charge_model})`}
          a={a instanceof Error ? null : a}
          b={b}
          currency={currency}
        />
      )}
    </div>
  );
}

/** The baseline's charge for the same metric: the one at the same position, else the first one. */
function counterpart(baseline: Plan, charge: Charge, index: number): Charge | undefined {
  const same = (c: Charge | undefined) => c?.billable_metric_code === charge.billable_metric_code;
  return same(baseline.charges[index]) ? baseline.charges[index] : baseline.charges.find(same);
}

export function ComparePanel({ design, runA, runB, onBaseline }: {
  design: Design;
  runA: PreviewRun | null;
  runB: PreviewRun | null;
  onBaseline: (plan: Plan | null) => void;
}) {
  const baseline = design.baseline;
  const plan = design.plan;
  const currency = plan.amount_currency;
  const locale = design.preview.locale;
  const money = (cents: number) => formatCents(cents, currency, locale);
  const invoicesA = runA?.output?.invoices ?? [];
  const invoicesB = runB?.output?.invoices ?? [];
  const deltas = revenueDeltas(invoicesA, invoicesB);
  const totalA = grandTotal(invoicesA);
  const totalB = grandTotal(invoicesB);
  return (
    <section aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare</h2>
      <div class="actions">
        <button type="button" onClick={() => onBaseline(structuredClone(plan))}>
          Keep the current plan as baseline A
        </button>
        <button type="button" disabled={!baseline} onClick={() => onBaseline(null)}>
          Clear baseline
        </button>
      </div>
      {baseline && !(runA?.output && runB?.output) && !runA?.error && !runB?.error ? <p role="status">Billing both versions…</p> : null}
      {baseline && runA?.output && runB?.output ? (
        <>
          <p>
            A is the baseline <strong>{baseline.name}</strong>; B is the plan being edited, <strong>{plan.name}</strong>. Both are billed on the same
            usage.
          </p>
          <table class="compare">
            <caption>Revenue, A against B</caption>
            <thead>
              <tr>
                <th scope="col">Subscription</th>
                <th scope="col" class="num">A (baseline)</th>
                <th scope="col" class="num">B (current)</th>
                <th scope="col" class="num">B − A</th>
              </tr>
            </thead>
            <tbody>
              {deltas.slice(0, 100).map((d) => (
                <tr>
                  <th scope="row">{d.subscription}</th>
                  <td class="num">{money(d.a)}</td>
                  <td class="num">{money(d.b)}</td>
                  <td class={`num ${d.delta > 0 ? 'up' : d.delta < 0 ? 'down' : ''}`}>{money(d.delta)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td class="num" data-testid="compare-total-a">{money(totalA)}</td>
                <td class="num" data-testid="compare-total-b">{money(totalB)}</td>
                <td class="num" data-testid="compare-delta">{money(totalB - totalA)}</td>
              </tr>
            </tfoot>
          </table>
        </>
      ) : null}
      {runA?.error ? <p class="problem" role="alert">A: {runA.error.message}</p> : null}
      {baseline && runB?.error ? <p class="problem" role="alert">B: {runB.error.message}</p> : null}
      {baseline ? null : (
        <p class="hint">Keep the current plan as baseline A, then edit it: the revenue of both versions is compared here.</p>
      )}
      <h3>Price curves</h3>
      {plan.charges.map((charge, i) => (
        <ChargeCurve
          key={`${i}-${charge.charge_model}`}
          charge={charge}
          baseline={baseline ? counterpart(baseline, charge, i) : undefined}
          currency={currency}
          index={i}
        />
      ))}
    </section>
  );
}
