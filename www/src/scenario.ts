// Turns the design into the scenario document the billing core replays: one customer and one
// subscription per subscription id found in the usage, each subscribed to the plan at the start of the
// first period, the coupons applied to every customer, and the clock run past the last period's end so
// that its invoice is issued.

import type { Design, Interval, Plan } from './design';
import { dateFormat } from './i18n';

/** A subscription the preview bills, and its customer (taken from the loaded events). */
export interface SubscriptionRef {
  external_id: string;
  external_customer_id: string;
}

/** The months one period of each interval spans (weekly periods are counted in days). */
const MONTHS: Record<Exclude<Interval, 'weekly'>, number> = {
  monthly: 1,
  quarterly: 3,
  semiannual: 6,
  yearly: 12,
};

/**
 * The end of the `periods`-th calendar billing period from the one holding the date `start`
 * (YYYY-MM-DD): weeks start on Monday, quarters in January, April, July and October, half-years in
 * January and July, years on January 1st, as Lago's calendar billing has them. A date, at UTC midnight.
 */
export function periodsEnd(start: string, interval: Interval, periods: number): Date {
  const [y, m, d] = start.split('-').map(Number);
  if (interval === 'weekly') {
    const daysSinceMonday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
    return new Date(Date.UTC(y, m - 1, d - daysSinceMonday + 7 * periods));
  }
  const span = MONTHS[interval];
  const firstMonth = Math.floor((m - 1) / span) * span;
  return new Date(Date.UTC(y, firstMonth + span * periods, 1));
}

/** How far `timeZone`'s clock is ahead of UTC at the instant `utcMs`, in milliseconds. */
function zoneOffset(timeZone: string, utcMs: number): number {
  const parts = dateFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - utcMs;
}

/**
 * Midnight of the date `day` (YYYY-MM-DD) in `timeZone`, so that a subscription starting then is not
 * prorated. An unknown zone falls back to UTC (the core reports the customer's zone as invalid).
 */
export function zonedMidnight(day: string, timeZone: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`).getTime();
  try {
    const guess = utcMidnight - zoneOffset(timeZone, utcMidnight);
    return new Date(utcMidnight - zoneOffset(timeZone, guess));
  } catch {
    return new Date(utcMidnight);
  }
}

/** `2024-01-01T00:00:00Z`, the instant format the core reads. */
export function instant(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The scenario billing `plan` for `subscriptions` over the preview's periods. Customers are billed in
 * the preview's time zone from its midnight on the start date, on calendar periods; `until` is one day
 * past the last period's end (more than any time zone's offset) so that its invoice is issued.
 */
export function buildScenario(design: Design, plan: Plan, subscriptions: readonly SubscriptionRef[]) {
  const { start, periods, timezone } = design.preview;
  const startAt = instant(zonedMidnight(start, timezone));
  const end = periodsEnd(start, plan.interval, Math.max(1, periods));
  const customerIds = [...new Set(subscriptions.map((s) => s.external_customer_id))];
  return {
    customers: customerIds.map((external_id) => ({
      external_id,
      currency: plan.amount_currency,
      timezone,
    })),
    taxes: design.taxes,
    billable_metrics: design.billable_metrics,
    plans: [plan],
    coupons: design.coupons.map((coupon) =>
      coupon.coupon_type === 'fixed_amount' ? { ...coupon, amount_currency: plan.amount_currency } : coupon,
    ),
    timeline: [
      ...subscriptions.map((s) => ({
        at: startAt,
        op: 'create_subscription',
        body: {
          external_id: s.external_id,
          external_customer_id: s.external_customer_id,
          plan_code: plan.code,
          billing_time: 'calendar',
        },
      })),
      ...customerIds.flatMap((external_customer_id) =>
        design.coupons.map((coupon) => ({
          at: startAt,
          op: 'apply_coupon',
          body: { external_customer_id, coupon_code: coupon.code },
        })),
      ),
    ],
    until: instant(new Date(end.getTime() + 86_400_000)),
  };
}
