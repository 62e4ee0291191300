// The designer's shell: the editors in tabs on the left, the live preview on the right. Every edit
// re-validates the scenario and, once it is valid, re-simulates it over the loaded usage as soon as the
// edit is on screen; the time from the edit to the updated preview is measured and shown.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Design, Plan, PreviewSettings } from './design';
import { problemsOf, runPreview, Usage, type PreviewRun } from './engine';
import { saveLocally } from './persist';
import { ComparePanel } from './components/ComparePanel';
import { ExportPanel } from './components/ExportPanel';
import { ProblemList, ProblemsContext, problemsByPath, sameProblems, type Problem } from './components/fields';
import { MetricsEditor, PlanEditor, TaxesAndCoupons } from './components/PlanEditor';
import { PreviewPanel } from './components/PreviewPanel';
import { UsagePanel } from './components/UsagePanel';

const TABS = [
  ['plan', 'Plan'],
  ['metrics', 'Metrics'],
  ['taxes', 'Taxes & coupons'],
  ['usage', 'Usage'],
  ['compare', 'Compare'],
  ['export', 'Import / export'],
] as const;
type Tab = (typeof TABS)[number][0];

function Tabs({ tab, onTab }: { tab: Tab; onTab: (tab: Tab) => void }) {
  const move = (e: KeyboardEvent, index: number) => {
    const next = e.key === 'ArrowRight' ? index + 1 : e.key === 'ArrowLeft' ? index - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const [id] = TABS[(next + TABS.length) % TABS.length];
    onTab(id);
    document.getElementById(`tab-${id}`)?.focus();
  };
  return (
    <div role="tablist" aria-label="Designer sections" class="tabs">
      {TABS.map(([id, label], i) => (
        <button
          type="button"
          role="tab"
          id={`tab-${id}`}
          aria-selected={tab === id}
          aria-controls="panel"
          tabIndex={tab === id ? 0 : -1}
          onClick={() => onTab(id)}
          onKeyDown={(e) => move(e, i)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

export function App({ initial }: { initial: Design }) {
  const usage = useMemo(() => new Usage(), []);
  const [design, setDesign] = useState(initial);
  const [usageVersion, setUsageVersion] = useState(0);
  const [tab, setTab] = useState<Tab>('plan');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [run, setRun] = useState<PreviewRun | null>(null);
  const [baselineRun, setBaselineRun] = useState<PreviewRun | null>(null);
  // When the edit (or usage change) that the next preview answers happened; null once measured.
  const editedAt = useRef<number | null>(performance.now());
  const latency = useRef<HTMLSpanElement>(null);

  // Stable callbacks (they read only refs and state setters), so that the memoised editors and preview
  // skip the renders that do not change their own props.
  const startClock = useCallback(() => {
    editedAt.current = performance.now();
    if (latency.current) latency.current.textContent = '…';
  }, []);
  const edit = useCallback((next: Design | ((design: Design) => Design)) => {
    startClock();
    setDesign(next);
  }, [startClock]);
  const editPlan = useCallback((plan: Plan) => edit((d) => ({ ...d, plan })), [edit]);
  const editSettings = useCallback((preview: PreviewSettings) => edit((d) => ({ ...d, preview })), [edit]);
  const usageChanged = useCallback(() => {
    startClock();
    setUsageVersion((v) => v + 1);
  }, [startClock]);

  // The baseline is billed only while the compare view shows it.
  const comparing = tab === 'compare' && design.baseline !== null;
  const { plan, billable_metrics, taxes, coupons, preview, baseline } = design;
  useEffect(() => saveLocally(design), [design]);
  // Only what is billed re-runs the preview: not the generator's settings, nor a change of tab. Effects
  // run once the edit is painted; the run waits only for the edits already queued behind it (a later
  // edit's render cancels it and schedules its own), not for a fixed pause.
  useEffect(() => {
    const timer = setTimeout(() => {
      const found = problemsOf(design, usage.subscriptions);
      // The same problems keep their identity, so that the fields reading them do not re-render.
      setProblems((old) => (sameProblems(old, found) ? old : found));
      if (found.length > 0) return;
      setRun(runPreview(usage, design, plan));
      setBaselineRun(comparing && baseline ? runPreview(usage, design, baseline) : null);
    });
    return () => clearTimeout(timer);
  }, [plan, billable_metrics, taxes, coupons, preview, baseline, usageVersion, comparing, usage]);

  useEffect(() => {
    if (run && latency.current && editedAt.current !== null) {
      const ms = performance.now() - editedAt.current;
      editedAt.current = null;
      latency.current.textContent = ms.toFixed(1);
      console.info(`lagom-designer: edit → updated preview ${ms.toFixed(1)} ms (simulation ${run.milliseconds.toFixed(1)} ms, ${usage.eventCount} events)`);
    }
  }, [run, usage]);

  const byPath = useMemo(() => problemsByPath(problems), [problems]);

  return (
    <ProblemsContext.Provider value={byPath}>
      <header class="top">
        <h1>Lagom plan designer</h1>
        <p class="latency" aria-live="off">
          Edit → preview: <span ref={latency} data-testid="edit-latency-ms">–</span> ms
        </p>
      </header>
      <main class="layout">
        <div class="editor">
          <Tabs tab={tab} onTab={setTab} />
          <div id="panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
            <ProblemList problems={problems} />
            {tab === 'plan' ? (
              <PlanEditor plan={plan} metrics={billable_metrics} taxes={taxes} onChange={editPlan} />
            ) : null}
            {tab === 'metrics' ? <MetricsEditor design={design} onChange={edit} /> : null}
            {tab === 'taxes' ? <TaxesAndCoupons design={design} onChange={edit} /> : null}
            {/* The usage panel edits only the generator's settings, which bill nothing: no clock. */}
            {tab === 'usage' ? <UsagePanel design={design} usage={usage} onDesign={setDesign} onUsageChanged={usageChanged} /> : null}
            {tab === 'compare' ? (
              <ComparePanel design={design} runA={baselineRun} runB={run} onBaseline={(baseline) => edit({ ...design, baseline })} />
            ) : null}
            {tab === 'export' ? <ExportPanel design={design} onDesign={edit} /> : null}
          </div>
        </div>
        <PreviewPanel
          settings={preview}
          currency={plan.amount_currency}
          run={run}
          stale={problems.length > 0}
          subscriptions={usage.subscriptions}
          eventCount={usage.eventCount}
          onSettings={editSettings}
        />
      </main>
    </ProblemsContext.Provider>
  );
}
