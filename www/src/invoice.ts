// The parts of the simulator's output the page reads (Lago's invoice and fee objects), and the
// revenue totals of the preview and the compare view, added up in integer cents.

export interface FeeItem {
  type: string;
  code: string;
  name?: string | null;
  invoice_display_name?: string | null;
  filter_invoice_display_name?: string | null;
  grouped_by?: Record<string, string | null> | null;
}

export interface AppliedTax {
  tax_code: string;
  tax_name?: string | null;
  tax_rate?: number | string | null;
  amount_cents: number;
}

export interface Fee {
  item: FeeItem;
  units: string;
  amount_cents: number;
  precise_unit_amount?: string | null;
  taxes_rate?: number | string | null;
  events_count?: number | null;
  external_subscription_id?: string | null;
  external_customer_id?: string | null;
  amount_details?: Record<string, unknown> | null;
}

export interface Credit {
  amount_cents: number;
  item: { type: string; code: string; name?: string | null };
}

export interface BillingPeriod {
  external_subscription_id: string;
  subscription_from_datetime?: string;
  subscription_to_datetime?: string;
  charges_from_datetime?: string;
  charges_to_datetime?: string;
}

export interface Invoice {
  lago_id?: string | null;
  number?: string | null;
  issuing_date: string;
  invoice_type: string;
  status: string;
  currency: string;
  fees_amount_cents: number;
  coupons_amount_cents: number;
  credit_notes_amount_cents: number;
  sub_total_excluding_taxes_amount_cents: number;
  taxes_amount_cents: number;
  sub_total_including_taxes_amount_cents: number;
  prepaid_credit_amount_cents: number;
  progressive_billing_credit_amount_cents?: number | null;
  total_amount_cents: number;
  // The core leaves empty lists out.
  applied_taxes?: AppliedTax[];
  billing_periods?: BillingPeriod[];
  credits?: Credit[];
  fees?: Fee[];
}

export interface SimulationOutput {
  invoices: Invoice[];
  warnings: { step: number; at: string; transaction_id?: string; reason: string }[];
}

/** The subscription an invoice bills (its first billing period's, else its first fee's). */
export function invoiceSubscription(invoice: Invoice): string {
  return (
    invoice.billing_periods?.[0]?.external_subscription_id ??
    invoice.fees?.find((f) => f.external_subscription_id)?.external_subscription_id ??
    ''
  );
}

/** Total invoiced (total_amount_cents) per subscription, in the order subscriptions first appear. */
export function totalsBySubscription(invoices: readonly Invoice[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const invoice of invoices) {
    const sub = invoiceSubscription(invoice);
    totals.set(sub, (totals.get(sub) ?? 0) + invoice.total_amount_cents);
  }
  return totals;
}

/** The sum of the invoices' totals, in cents. */
export function grandTotal(invoices: readonly Invoice[]): number {
  return invoices.reduce((sum, invoice) => sum + invoice.total_amount_cents, 0);
}

/** One row of the compare view: a subscription's totals under the baseline (A) and the current plan (B). */
export interface RevenueDelta {
  subscription: string;
  a: number;
  b: number;
  delta: number;
}

export function revenueDeltas(a: readonly Invoice[], b: readonly Invoice[]): RevenueDelta[] {
  const totalsA = totalsBySubscription(a);
  const totalsB = totalsBySubscription(b);
  const subscriptions = [...new Set([...totalsA.keys(), ...totalsB.keys()])];
  return subscriptions.map((subscription) => {
    const ta = totalsA.get(subscription) ?? 0;
    const tb = totalsB.get(subscription) ?? 0;
    return { subscription, a: ta, b: tb, delta: tb - ta };
  });
}
