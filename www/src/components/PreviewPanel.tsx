// The live preview: the period settings, how long the last update took, every subscription's total,
// and the chosen subscription's invoices as documents in the chosen locale.

import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import { LOCALES, type Locale, type PreviewSettings } from '../design';
import type { PreviewRun } from '../engine';
import { formatCents } from '../i18n';
import { grandTotal, invoiceSubscription, totalsBySubscription } from '../invoice';
import type { SubscriptionRef } from '../scenario';
import { TextField } from './fields';
import { InvoiceView } from './InvoiceView';

const TIME_ZONES = ['UTC', 'Europe/Paris', 'Europe/Berlin', 'Europe/London', 'Europe/Oslo', 'Europe/Stockholm', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney'];

const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  es: 'Español',
  it: 'Italiano',
  nb: 'Norsk bokmål',
  sv: 'Svenska',
};

/** How many subscriptions the totals table lists. */
const LISTED = 50;

/** Memoised: an edit re-renders it only once its preview (or its settings) changed. */
export const PreviewPanel = memo(function PreviewPanel({ settings, currency: planCurrency, run, stale, subscriptions, eventCount, onSettings }: {
  settings: PreviewSettings;
  /** The plan's currency, shown until an invoice says its own. */
  currency: string;
  run: PreviewRun | null;
  /** The design has problems: the preview shows the last valid version. */
  stale: boolean;
  subscriptions: readonly SubscriptionRef[];
  eventCount: number;
  onSettings: (settings: PreviewSettings) => void;
}) {
  const set = <K extends keyof PreviewSettings>(key: K, value: PreviewSettings[K]) => onSettings({ ...settings, [key]: value });
  const [chosen, setChosen] = useState<string | null>(null);
  const invoices = run?.output?.invoices ?? [];
  const totals = totalsBySubscription(invoices);
  const subscription = chosen !== null && totals.has(chosen) ? chosen : (totals.keys().next().value ?? null);
  const customerOf = (sub: string) => subscriptions.find((s) => s.external_id === sub)?.external_customer_id ?? sub;
  const currency = invoices[0]?.currency ?? planCurrency;
  const locale = settings.locale;
  return (
    <section class="preview" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview</h2>
      <div class="row">
        <div class="field">
          <label for="preview-start">Subscriptions start on</label>
          <input id="preview-start" type="date" value={settings.start} onChange={(e) => e.currentTarget.value && set('start', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="preview-periods">Periods</label>
          <input
            id="preview-periods"
            type="number"
            min={1}
            max={36}
            value={settings.periods}
            onChange={(e) => set('periods', Math.min(36, Math.max(1, Math.trunc(Number(e.currentTarget.value)) || 1)))}
          />
        </div>
        <TextField
          label="Time zone"
          path="preview.timezone"
          list="timezones"
          value={settings.timezone}
          onChange={(zone) => set('timezone', zone.trim())}
        />
        <datalist id="timezones">
          {TIME_ZONES.map((zone) => (
            <option value={zone} />
          ))}
        </datalist>
        <div class="field">
          <label for="preview-locale">Document locale</label>
          <select id="preview-locale" value={locale} onChange={(e) => set('locale', e.currentTarget.value as Locale)}>
            {LOCALES.map((l) => (
              <option value={l}>{LOCALE_NAMES[l]}</option>
            ))}
          </select>
        </div>
      </div>
      <p class="timing" role="status" aria-live="polite">
        {run ? (
          <>
            Updated in <strong data-testid="preview-ms">{run.milliseconds.toFixed(1)}</strong> ms · {eventCount.toLocaleString('en')} events ·{' '}
            {invoices.length} invoices
          </>
        ) : (
          'Waiting for the first preview…'
        )}
      </p>
      {stale ? (
        <p class="problem" role="status">
          Out of date: fix the problems listed in the editor.
        </p>
      ) : null}
      {run?.error ? (
        <p class="problem" role="alert">
          {'path' in run.error && run.error.path ? <code>{String(run.error.path)}</code> : null} {run.error.message}
        </p>
      ) : null}
      {run?.output ? (
        <>
          <table class="revenue">
            <caption>Revenue by subscription</caption>
            <thead>
              <tr>
                <th scope="col">Subscription</th>
                <th scope="col" class="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {[...totals].slice(0, LISTED).map(([sub, total]) => (
                <tr class={sub === subscription ? 'chosen' : undefined}>
                  <th scope="row">
                    <button type="button" class="link" aria-pressed={sub === subscription} onClick={() => setChosen(sub)}>
                      {sub}
                    </button>
                  </th>
                  <td class="num">{formatCents(total, currency, locale)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">All {totals.size} subscriptions</th>
                <td class="num" data-testid="grand-total">
                  {formatCents(grandTotal(invoices), currency, locale)}
                </td>
              </tr>
            </tfoot>
          </table>
          {totals.size > LISTED ? <p class="hint">The first {LISTED} subscriptions are listed.</p> : null}
          {invoices
            .filter((invoice) => invoiceSubscription(invoice) === subscription)
            .map((invoice) => (
              <InvoiceView invoice={invoice} customer={customerOf(subscription ?? '')} locale={locale} timeZone={settings.timezone} />
            ))}
          {invoices.length === 0 ? <p>No invoice was issued: check the period and the usage.</p> : null}
          {run.output.warnings.length > 0 ? (
            <details>
              <summary>{run.output.warnings.length} warnings</summary>
              <ul>
                {run.output.warnings.slice(0, 50).map((w) => (
                  <li>
                    {w.at} {w.transaction_id ?? ''}: {w.reason}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      ) : null}
    </section>
  );
});
