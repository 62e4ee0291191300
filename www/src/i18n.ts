// The invoice's words in Lago's document locales, and money, numbers and dates formatted with Intl.
// Amounts arrive as integer cents or exact decimal strings; they are formatted from their digits (no
// float arithmetic touches a total).

import type { Locale } from './design';

const LABELS = {
  invoice: ['Invoice', 'Facture', 'Rechnung', 'Factura', 'Fattura', 'Faktura', 'Faktura'],
  issuing_date: ['Issue date', "Date d'émission", 'Rechnungsdatum', 'Fecha de emisión', 'Data di emissione', 'Fakturadato', 'Fakturadatum'],
  customer: ['Customer', 'Client', 'Kunde', 'Cliente', 'Cliente', 'Kunde', 'Kund'],
  period: ['Period', 'Période', 'Zeitraum', 'Periodo', 'Periodo', 'Periode', 'Period'],
  item: ['Item', 'Article', 'Position', 'Concepto', 'Voce', 'Beskrivelse', 'Beskrivning'],
  units: ['Units', 'Unités', 'Einheiten', 'Unidades', 'Unità', 'Enheter', 'Enheter'],
  unit_price: ['Unit price', 'Prix unitaire', 'Stückpreis', 'Precio unitario', 'Prezzo unitario', 'Enhetspris', 'Styckpris'],
  amount: ['Amount', 'Montant', 'Betrag', 'Importe', 'Importo', 'Beløp', 'Belopp'],
  tax_rate: ['Tax', 'TVA', 'Steuer', 'Impuesto', 'Imposta', 'MVA', 'Moms'],
  subscription_fee: ['Subscription', 'Abonnement', 'Abonnement', 'Suscripción', 'Abbonamento', 'Abonnement', 'Abonnemang'],
  tier: ['Tier', 'Palier', 'Stufe', 'Tramo', 'Scaglione', 'Trinn', 'Nivå'],
  flat_fee: ['flat fee', 'forfait', 'Pauschale', 'tarifa fija', 'quota fissa', 'fast avgift', 'fast avgift'],
  free_units: ['Free units', 'Unités gratuites', 'Freie Einheiten', 'Unidades gratuitas', 'Unità gratuite', 'Gratis enheter', 'Gratis enheter'],
  fees_total: ['Fees', 'Frais', 'Gebühren', 'Cargos', 'Costi', 'Gebyrer', 'Avgifter'],
  coupons: ['Coupons', 'Coupons', 'Gutscheine', 'Cupones', 'Coupon', 'Kuponger', 'Kuponger'],
  subtotal_excl: ['Subtotal excl. tax', 'Sous-total HT', 'Zwischensumme netto', 'Subtotal sin impuestos', 'Subtotale imponibile', 'Delsum ekskl. MVA', 'Delsumma exkl. moms'],
  taxes: ['Taxes', 'Taxes', 'Steuern', 'Impuestos', 'Imposte', 'Avgifter', 'Skatter'],
  subtotal_incl: ['Subtotal incl. tax', 'Sous-total TTC', 'Zwischensumme brutto', 'Subtotal con impuestos', 'Subtotale IVA inclusa', 'Delsum inkl. MVA', 'Delsumma inkl. moms'],
  credit_notes: ['Credit notes', 'Avoirs', 'Gutschriften', 'Notas de crédito', 'Note di credito', 'Kreditnotaer', 'Kreditnotor'],
  prepaid_credits: ['Prepaid credits', 'Crédits prépayés', 'Vorausbezahltes Guthaben', 'Créditos prepagados', 'Crediti prepagati', 'Forhåndsbetalt kreditt', 'Förbetald kredit'],
  progressive_credits: ['Progressive billing credit', 'Crédit de facturation progressive', 'Gutschrift progressive Abrechnung', 'Crédito de facturación progresiva', 'Credito di fatturazione progressiva', 'Kreditt for progressiv fakturering', 'Kredit för progressiv fakturering'],
  total_due: ['Total due', 'Total dû', 'Fälliger Betrag', 'Total a pagar', 'Totale dovuto', 'Å betale', 'Att betala'],
  no_invoice: ['No invoice for this period.', 'Aucune facture pour cette période.', 'Keine Rechnung für diesen Zeitraum.', 'Ninguna factura para este periodo.', 'Nessuna fattura per questo periodo.', 'Ingen faktura for denne perioden.', 'Ingen faktura för perioden.'],
} as const;

export type Label = keyof typeof LABELS;

const LOCALE_INDEX: Record<Locale, number> = { en: 0, fr: 1, de: 2, es: 3, it: 4, nb: 5, sv: 6 };

/** The label `key` in `locale`. */
export function t(locale: Locale, key: Label): string {
  return LABELS[key][LOCALE_INDEX[locale]];
}

/**
 * The Intl formatter for `locale` and `options`, built once: building one costs far more than
 * formatting with it, and a preview formats hundreds of amounts. Throws as its constructor does (an
 * unknown currency or time zone), and then caches nothing.
 */
function cached<O, F>(formats: Map<string, F>, build: new (locale: string, options: O) => F, locale: string, options: O): F {
  const key = `${locale} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (format === undefined) {
    format = new build(locale, options);
    formats.set(key, format);
  }
  return format;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormat = (locale: string, options: Intl.NumberFormatOptions) => cached(numberFormats, Intl.NumberFormat, locale, options);
/** The cached `Intl.DateTimeFormat` for `locale` and `options`. */
export const dateFormat = (locale: string, options: Intl.DateTimeFormatOptions) => cached(dateFormats, Intl.DateTimeFormat, locale, options);

/** The number of minor units of `currency` (2 for EUR, 0 for JPY), as Intl knows it. */
export function minorUnits(currency: string): number {
  try {
    return numberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** `12345` cents of EUR → the decimal string "123.45", exactly. */
export function centsToDecimal(cents: number, currency: string): string {
  const digits = minorUnits(currency);
  const negative = cents < 0;
  const text = Math.abs(Math.trunc(cents)).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${whole}` : whole;
}

/** The most fraction digits a unit price shows (Lago's precise unit amounts run to 28). */
const UNIT_PRICE_DIGITS = 6;

/**
 * Formats a decimal string as money in `locale`: to the currency's minor unit, or, for `unitPrice`,
 * to up to six fraction digits. Intl reads the string exactly (`format` accepts decimal strings).
 */
export function formatMoney(decimal: string, currency: string, locale: Locale, unitPrice = false): string {
  try {
    const format = numberFormat(locale, {
      style: 'currency',
      currency,
      maximumFractionDigits: unitPrice ? Math.max(UNIT_PRICE_DIGITS, minorUnits(currency)) : undefined,
    });
    return format.format(decimal as unknown as number);
  } catch {
    return `${decimal} ${currency}`;
  }
}

/** Formats cents of `currency` as money in `locale`. */
export function formatCents(cents: number, currency: string, locale: Locale): string {
  return formatMoney(centsToDecimal(cents, currency), currency, locale);
}

/** Formats a decimal string (units) in `locale`, keeping every digit. */
export function formatDecimal(decimal: string, locale: Locale): string {
  return numberFormat(locale, { maximumFractionDigits: 20 }).format(decimal as unknown as number);
}

/** Formats a date (YYYY-MM-DD) or an instant in `locale`, as a calendar date in `timeZone`. */
export function formatDate(value: string, locale: Locale, timeZone = 'UTC'): string {
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  const zone = value.length === 10 ? 'UTC' : timeZone;
  try {
    return dateFormat(locale, { dateStyle: 'medium', timeZone: zone }).format(date);
  } catch {
    return dateFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
  }
}
