// One invoice as a document: header, fees with units and unit prices, the tier-by-tier breakdown of
// each charge from its amount_details, coupons and other credits, taxes and totals, in a Lago
// document locale.

import type { Locale } from '../design';
import { formatCents, formatDate, formatDecimal, formatMoney, t } from '../i18n';
import type { Fee, Invoice } from '../invoice';

type Details = Record<string, unknown>;

function feeName(fee: Fee, locale: Locale): string {
  const item = fee.item;
  const base = item.invoice_display_name || item.name || item.code;
  const name = item.type === 'subscription' ? `${t(locale, 'subscription_fee')} ${base}` : base;
  const filter = item.filter_invoice_display_name ? ` — ${item.filter_invoice_display_name}` : '';
  const groups = item.grouped_by
    ? Object.entries(item.grouped_by)
        .map(([key, value]) => `${key}: ${value ?? '—'}`)
        .join(', ')
    : '';
  return `${name}${filter}${groups ? ` (${groups})` : ''}`;
}

/** The breakdown rows of a fee's amount_details, as text cells. */
function breakdown(details: Details, units: string, currency: string, locale: Locale): string[] {
  const money = (value: unknown) => formatMoney(String(value ?? '0'), currency, locale, true);
  const num = (value: unknown) => formatDecimal(String(value ?? '0'), locale);
  const ranges = (details.graduated_ranges ?? details.graduated_percentage_ranges) as Details[] | undefined;
  if (ranges) {
    return ranges.map((range, i) => {
      const to = range.to_value === null || range.to_value === undefined ? '∞' : num(range.to_value);
      const price = range.rate !== undefined ? `${num(range.rate)} %` : `${money(range.per_unit_amount)}`;
      const flat = Number(range.flat_unit_amount ?? 0) !== 0 ? ` + ${money(range.flat_unit_amount)} ${t(locale, 'flat_fee')}` : '';
      return `${t(locale, 'tier')} ${i + 1} (${num(range.from_value)}–${to}): ${num(range.units)} × ${price}${flat} = ${money(range.total_with_flat_amount)}`;
    });
  }
  if (details.per_package_size !== undefined) {
    return [
      `${t(locale, 'free_units')}: ${num(details.free_units)}`,
      `${num(details.paid_units)} / ${num(details.per_package_size)} × ${money(details.per_package_unit_amount)}`,
    ];
  }
  if (details.rate !== undefined && details.paid_units !== undefined) {
    const rows = [
      `${t(locale, 'free_units')}: ${num(details.free_units)} (${num(details.free_events)} ×)`,
      `${num(details.paid_units)} × ${num(details.rate)} % = ${money(details.per_unit_total_amount)}`,
    ];
    if (Number(details.fixed_fee_total_amount ?? 0) !== 0) {
      rows.push(`${num(details.paid_events)} × ${money(details.fixed_fee_unit_amount)} = ${money(details.fixed_fee_total_amount)}`);
    }
    if (Number(details.min_max_adjustment_total_amount ?? 0) !== 0) {
      rows.push(`min/max: ${money(details.min_max_adjustment_total_amount)}`);
    }
    return rows;
  }
  if (details.per_unit_total_amount !== undefined) {
    return [
      `${num(units)} × ${money(details.per_unit_amount)} = ${money(details.per_unit_total_amount)} + ${money(details.flat_unit_amount)} ${t(locale, 'flat_fee')}`,
    ];
  }
  return [];
}

export function InvoiceView({ invoice, customer, locale, timeZone }: {
  invoice: Invoice;
  customer: string;
  locale: Locale;
  timeZone: string;
}) {
  const cur = invoice.currency;
  const cents = (value: number) => formatCents(value, cur, locale);
  const period = invoice.billing_periods?.[0];
  const from = period?.charges_from_datetime ?? period?.subscription_from_datetime;
  const to = period?.charges_to_datetime ?? period?.subscription_to_datetime;
  const totals: [string, number, string][] = [
    [t(locale, 'fees_total'), invoice.fees_amount_cents, 'fees'],
    ...(invoice.credits ?? [])
      .filter((c) => c.item.type === 'coupon')
      .map((c): [string, number, string] => [`${t(locale, 'coupons')}: ${c.item.name || c.item.code}`, -c.amount_cents, 'coupon']),
    ...(invoice.progressive_billing_credit_amount_cents
      ? [[t(locale, 'progressive_credits'), -invoice.progressive_billing_credit_amount_cents, 'progressive'] as [string, number, string]]
      : []),
    [t(locale, 'subtotal_excl'), invoice.sub_total_excluding_taxes_amount_cents, 'subtotal-excl'],
    ...(invoice.applied_taxes ?? []).map((tax): [string, number, string] => [
      `${tax.tax_name || tax.tax_code}${tax.tax_rate !== null && tax.tax_rate !== undefined ? ` (${formatDecimal(String(tax.tax_rate), locale)} %)` : ''}`,
      tax.amount_cents,
      'tax',
    ]),
    [t(locale, 'subtotal_incl'), invoice.sub_total_including_taxes_amount_cents, 'subtotal-incl'],
    ...(invoice.credit_notes_amount_cents ? [[t(locale, 'credit_notes'), -invoice.credit_notes_amount_cents, 'credit-notes'] as [string, number, string]] : []),
    ...(invoice.prepaid_credit_amount_cents ? [[t(locale, 'prepaid_credits'), -invoice.prepaid_credit_amount_cents, 'prepaid'] as [string, number, string]] : []),
  ];
  return (
    <article class="invoice" aria-label={`${t(locale, 'invoice')} ${invoice.number ?? invoice.lago_id ?? ''}`}>
      <header>
        <h3>
          {t(locale, 'invoice')} {invoice.number ?? invoice.lago_id}
          <span class="badge">{invoice.invoice_type}</span>
          <span class="badge">{invoice.status}</span>
        </h3>
        <dl>
          <dt>{t(locale, 'customer')}</dt>
          <dd>{customer}</dd>
          <dt>{t(locale, 'issuing_date')}</dt>
          <dd>{formatDate(invoice.issuing_date, locale)}</dd>
          {from && to ? (
            <>
              <dt>{t(locale, 'period')}</dt>
              <dd>
                {formatDate(from, locale, timeZone)} – {formatDate(to, locale, timeZone)}
              </dd>
            </>
          ) : null}
        </dl>
      </header>
      <table class="fees">
        <thead>
          <tr>
            <th scope="col">{t(locale, 'item')}</th>
            <th scope="col" class="num">{t(locale, 'units')}</th>
            <th scope="col" class="num">{t(locale, 'unit_price')}</th>
            <th scope="col" class="num">{t(locale, 'tax_rate')}</th>
            <th scope="col" class="num">{t(locale, 'amount')}</th>
          </tr>
        </thead>
        <tbody>
          {(invoice.fees ?? []).map((fee) => {
            const rows = fee.amount_details ? breakdown(fee.amount_details, fee.units, cur, locale) : [];
            return (
              <>
                <tr class="fee">
                  <th scope="row">{feeName(fee, locale)}</th>
                  <td class="num">{formatDecimal(fee.units, locale)}</td>
                  <td class="num">{fee.precise_unit_amount ? formatMoney(fee.precise_unit_amount, cur, locale, true) : ''}</td>
                  <td class="num">{fee.taxes_rate ? `${formatDecimal(String(fee.taxes_rate), locale)} %` : ''}</td>
                  <td class="num">{cents(fee.amount_cents)}</td>
                </tr>
                {rows.map((row) => (
                  <tr class="detail">
                    <td colSpan={5}>{row}</td>
                  </tr>
                ))}
              </>
            );
          })}
        </tbody>
      </table>
      <table class="totals">
        <tbody>
          {totals.map(([label, value, kind]) => (
            <tr class={kind}>
              <th scope="row">{label}</th>
              <td class="num">{cents(value)}</td>
            </tr>
          ))}
          <tr class="total">
            <th scope="row">{t(locale, 'total_due')}</th>
            <td class="num" data-testid="invoice-total">
              {cents(invoice.total_amount_cents)}
            </td>
          </tr>
        </tbody>
      </table>
    </article>
  );
}
