// Usage: events imported from CSV, NDJSON or JSON files (file picker or drag-and-drop), or generated
// from per-metric settings; a paged table of the loaded events and the rows that could not be read.

import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import { DISTRIBUTIONS, type Design, type GeneratorSettings, type MetricUsage } from '../design';
import type { EventFormat, LoadReport, Usage } from '../engine';
import { DEFAULT_USAGE, generateEvents } from '../generate';

const PAGE_SIZE = 20;

/** The format of a file, from its extension, else from its first character. */
export function detectFormat(name: string, text: string): EventFormat {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'csv') return 'csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'json') return 'json';
  return text.trimStart().startsWith('[') ? 'json' : text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

function ReportView({ name, report }: { name: string; report: LoadReport }) {
  return (
    <div class="load-report" role="status">
      <p>
        {name}: loaded {report.loaded} events
        {report.errors.length > 0 ? `, skipped ${report.errors.length} ${report.errors.length === 1 ? 'row' : 'rows'}` : ''}.
      </p>
      {report.errors.length > 0 ? (
        <ul class="bad-rows" aria-label="Rows that could not be read">
          {report.errors.slice(0, 100).map((e) => (
            <li>
              Line {e.line}
              {e.path ? ` (${e.path})` : ''}: {e.message}
            </li>
          ))}
          {report.errors.length > 100 ? <li>… and {report.errors.length - 100} more</li> : null}
        </ul>
      ) : null}
    </div>
  );
}

function GeneratorForm({ design, onChange, onGenerate }: {
  design: Design;
  onChange: (generator: GeneratorSettings) => void;
  onGenerate: () => void;
}) {
  const g = design.generator;
  const charged = design.billable_metrics.filter((m) => design.plan.charges.some((c) => c.billable_metric_code === m.code));
  const setNumber = (key: 'seed' | 'customers' | 'days') => (e: Event) => {
    const n = Number((e.currentTarget as HTMLInputElement).value);
    if (Number.isInteger(n) && n >= 0) onChange({ ...g, [key]: n });
  };
  const setMetric = (code: string, usage: MetricUsage) => onChange({ ...g, metrics: { ...g.metrics, [code]: usage } });
  return (
    <form
      class="generator"
      aria-labelledby="generator-heading"
      onSubmit={(e) => {
        e.preventDefault();
        onGenerate();
      }}
    >
      <h3 id="generator-heading">Generate synthetic usage</h3>
      <div class="row">
        <div class="field">
          <label for="gen-customers">Customers</label>
          <input id="gen-customers" type="number" min={1} value={g.customers} onInput={setNumber('customers')} />
        </div>
        <div class="field">
          <label for="gen-days">Days</label>
          <input id="gen-days" type="number" min={1} value={g.days} onInput={setNumber('days')} />
        </div>
        <div class="field">
          <label for="gen-seed">Seed</label>
          <input id="gen-seed" type="number" min={0} value={g.seed} onInput={setNumber('seed')} />
        </div>
      </div>
      {charged.map((metric) => {
        const usage = g.metrics[metric.code] ?? DEFAULT_USAGE;
        const id = `gen-${metric.code}`;
        return (
          <fieldset>
            <legend>{metric.name}</legend>
            <div class="row">
              <div class="field">
                <label for={`${id}-rate`}>Events per customer per day</label>
                <input
                  id={`${id}-rate`}
                  type="number"
                  min={0}
                  step="any"
                  value={usage.events_per_day}
                  onInput={(e) => setMetric(metric.code, { ...usage, events_per_day: Number(e.currentTarget.value) || 0 })}
                />
              </div>
              <div class="field">
                <label for={`${id}-dist`}>Value distribution</label>
                <select
                  id={`${id}-dist`}
                  value={usage.distribution}
                  onChange={(e) => setMetric(metric.code, { ...usage, distribution: e.currentTarget.value as MetricUsage['distribution'] })}
                >
                  {DISTRIBUTIONS.map((d) => (
                    <option value={d}>{d}</option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`${id}-mean`}>Mean value{metric.field_name ? ` of ${metric.field_name}` : ''}</label>
                <input
                  id={`${id}-mean`}
                  type="number"
                  min={0}
                  step="any"
                  value={usage.mean}
                  onInput={(e) => setMetric(metric.code, { ...usage, mean: Number(e.currentTarget.value) || 0 })}
                />
              </div>
            </div>
          </fieldset>
        );
      })}
      <button type="submit">Generate events (replaces the loaded ones)</button>
    </form>
  );
}

/** Memoised: a new preview does not re-read the shown page of events from wasm memory. */
export const UsagePanel = memo(function UsagePanel({ design, usage, onDesign, onUsageChanged }: {
  design: Design;
  usage: Usage;
  onDesign: (design: Design) => void;
  onUsageChanged: () => void;
}) {
  const [reports, setReports] = useState<{ name: string; report: LoadReport }[]>([]);
  const [page, setPage] = useState(0);
  const [dragging, setDragging] = useState(false);

  const loadFiles = async (files: FileList | null) => {
    if (!files) return;
    const loaded: { name: string; report: LoadReport }[] = [];
    for (const file of Array.from(files)) {
      const text = await file.text();
      try {
        loaded.push({ name: file.name, report: usage.load(text, detectFormat(file.name, text)) });
      } catch (thrown) {
        const errors = [{ line: 0, path: null, message: (thrown as Error).message }];
        loaded.push({ name: file.name, report: { loaded: 0, total: usage.eventCount, errors } });
      }
    }
    setReports(loaded);
    setPage(0);
    onUsageChanged();
  };

  const count = usage.eventCount;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const rows = usage.page(current * PAGE_SIZE, PAGE_SIZE);

  return (
    <section aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage</h2>
      <div
        class={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void loadFiles(e.dataTransfer?.files ?? null);
        }}
      >
        <label for="events-file">Import events (CSV, NDJSON or JSON) — or drop files here</label>
        <input id="events-file" type="file" multiple accept=".csv,.ndjson,.jsonl,.json,text/csv,application/json" onChange={(e) => void loadFiles(e.currentTarget.files)} />
        <p class="hint">
          CSV header: transaction_id, external_subscription_id, external_customer_id, code, timestamp, then one column per property.
        </p>
      </div>
      {reports.map((r) => (
        <ReportView name={r.name} report={r.report} />
      ))}
      <GeneratorForm
        design={design}
        onChange={(generator) => onDesign({ ...design, generator })}
        onGenerate={() => {
          usage.clear();
          const report = usage.load(generateEvents(design));
          setReports([{ name: 'Generated', report }]);
          setPage(0);
          onUsageChanged();
        }}
      />
      <div class="row">
        <p role="status" id="event-count">
          {count.toLocaleString('en')} events loaded
        </p>
        <button
          type="button"
          disabled={count === 0}
          onClick={() => {
            usage.clear();
            setReports([]);
            onUsageChanged();
          }}
        >
          Clear events
        </button>
      </div>
      {count > 0 ? (
        <>
          <table class="events">
            <caption>
              Events {current * PAGE_SIZE + 1}–{Math.min(count, (current + 1) * PAGE_SIZE)} of {count}
            </caption>
            <thead>
              <tr>
                <th scope="col">Transaction</th>
                <th scope="col">Subscription</th>
                <th scope="col">Metric</th>
                <th scope="col">Timestamp</th>
                <th scope="col">Properties</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr>
                  <td>{e.transaction_id}</td>
                  <td>{e.external_subscription_id ?? e.external_customer_id}</td>
                  <td>{e.code}</td>
                  <td>{e.timestamp}</td>
                  <td>
                    <code>{JSON.stringify(e.properties ?? {})}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Event pages">
            <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
              Previous page
            </button>
            <span>
              Page {current + 1} of {pages}
            </span>
            <button type="button" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
});
