//! Progressive billing: a subscription's lifetime usage against its plan's `usage_thresholds`, the
//! `progressive_billing` invoice issued when usage crosses one during the period, and the credit
//! the period's later invoices take for what it billed (Lago's `LifetimeUsages::*`,
//! `Invoices::ProgressiveBillingService`, `Subscriptions::ProgressiveBilledAmount`,
//! `Credits::ProgressiveBillingService`).
//!
//! Lago refreshes lifetime usage on a clock shortly after events arrive; the simulator checks the
//! thresholds right after each `event`/`events_batch` step, at the step's instant. The deduction
//! itself is [`crate::invoice`]'s (`ProgressiveBillingCredit`).

use jiff::Timestamp;

use super::{Engine, SubscriptionState, fee_currency, next_id};
use crate::credit_note::CreditStatus;
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::{Fee, FeeType, PaymentStatus};
use crate::invoice::{
    AppliedUsageThreshold, CreditType, FeeContext, Invoice, InvoiceStatus, InvoiceType,
    InvoicingReason, ProgressiveBillingCredit, ProgressiveFee,
};
use crate::money::{add_cents, sub_cents, sum_cents};
use crate::plan::UsageThreshold;
use crate::subscription::SubscriptionStatus;
use crate::usage::LifetimeUsageThreshold;

/// A subscription's lifetime usage (Lago's `LifetimeUsage`), in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct LifetimeAmounts {
    /// Billed before the subscription came to Lago (`update_lifetime_usage`).
    pub historical: i64,
    /// The charges of the subscription invoices of its `external_id` (since its anniversary).
    pub invoiced: i64,
    /// The current period's usage.
    pub current: i64,
}

impl LifetimeAmounts {
    pub fn total(self) -> Result<i64> {
        let invoiced = add_cents(self.historical, self.invoiced, "lifetime usage")?;
        add_cents(invoiced, self.current, "lifetime usage")
    }
}

/// Lago's `LifetimeUsages::UsageThresholds::CheckService`: the thresholds the usage passed since
/// the last (progressive or periodic) invoice, fixed ones by amount then the recurring one.
///
/// What was progressively billed this period counts as invoiced, not as current usage. A fixed
/// threshold passes when it lies above the invoiced usage and at or below the total; the recurring
/// one when the total goes one recurring amount beyond the largest fixed threshold, or, once every
/// fixed one is behind, when the usage since the last multiple of its amount reaches it.
pub(super) fn passed_thresholds(
    thresholds: &[UsageThreshold],
    lifetime: LifetimeAmounts,
    progressive_billed: i64,
) -> Result<Vec<&UsageThreshold>> {
    let actual_current = sub_cents(lifetime.current, progressive_billed, "current usage")?;
    if thresholds.is_empty() || actual_current < 0 {
        return Ok(Vec::new());
    }
    let invoiced = add_cents(
        add_cents(lifetime.historical, lifetime.invoiced, "invoiced usage")?,
        progressive_billed,
        "invoiced usage",
    )?;
    let mut fixed: Vec<&UsageThreshold> = thresholds.iter().filter(|t| !t.recurring).collect();
    fixed.sort_by_key(|t| t.amount_cents);
    let recurring = thresholds.iter().find(|t| t.recurring);
    let largest = fixed.last().map_or(0, |t| t.amount_cents);
    let total = add_cents(invoiced, actual_current, "lifetime usage")?;
    let mut passed = Vec::new();
    if invoiced < largest {
        passed.extend(
            fixed
                .into_iter()
                .filter(|t| t.amount_cents > invoiced && t.amount_cents <= total),
        );
        if let Some(recurring) = recurring
            && sub_cents(total, largest, "lifetime usage")? >= recurring.amount_cents
        {
            passed.push(recurring);
        }
    } else if let Some(recurring) = recurring {
        let remainder = invoiced.rem_euclid(recurring.amount_cents.max(1));
        if add_cents(actual_current, remainder, "lifetime usage")? >= recurring.amount_cents {
            passed.push(recurring);
        }
    }
    Ok(passed)
}

/// Lago's `LifetimeUsages::UsageThresholdsCompletionService`: how far a lifetime usage of `total`
/// cents is toward each threshold. Fixed thresholds at or below it are complete (reached when the
/// latest invoice applying them was issued, else `at`); the next one gets the share of the way
/// from the last passed one, the others 0; once every fixed one is passed, the recurring one
/// lists each multiple already passed and the share toward the next.
pub(super) fn threshold_completion(
    thresholds: &[UsageThreshold],
    total: i64,
    applied: &[&AppliedUsageThreshold],
    at: Timestamp,
) -> Result<Vec<LifetimeUsageThreshold>> {
    let mut fixed: Vec<&UsageThreshold> = thresholds.iter().filter(|t| !t.recurring).collect();
    fixed.sort_by_key(|t| t.amount_cents);
    let recurring = thresholds.iter().find(|t| t.recurring);
    let largest = fixed.last().map_or(0, |t| t.amount_cents);
    let (passed, ahead): (Vec<&UsageThreshold>, Vec<&UsageThreshold>) =
        fixed.into_iter().partition(|t| t.amount_cents <= total);
    let applications = |threshold: &UsageThreshold| -> Vec<&AppliedUsageThreshold> {
        applied
            .iter()
            .copied()
            .filter(|a| a.usage_threshold == *threshold)
            .collect()
    };
    let entry = |amount_cents: i64, completion_ratio: Decimal, reached_at: Option<Timestamp>| {
        LifetimeUsageThreshold {
            amount_cents,
            completion_ratio,
            reached_at,
        }
    };
    let mut out: Vec<LifetimeUsageThreshold> = passed
        .iter()
        .map(|t| {
            let reached = applications(t).iter().filter_map(|a| a.created_at).max();
            entry(t.amount_cents, Decimal::ONE, Some(reached.unwrap_or(at)))
        })
        .collect();
    let last_passed = passed.last().map_or(0, |t| t.amount_cents);
    match (ahead.split_first(), recurring) {
        (Some((next, rest)), _) => {
            let done = sub_cents(total, last_passed, "lifetime usage")?;
            let span = sub_cents(next.amount_cents, last_passed, "usage threshold")?;
            out.push(entry(next.amount_cents, ratio(done, span)?, None));
            out.extend(
                rest.iter()
                    .map(|t| entry(t.amount_cents, Decimal::ZERO, None)),
            );
            if let Some(r) = recurring {
                let amount = add_cents(largest, r.amount_cents, "usage threshold")?;
                out.push(entry(amount, Decimal::ZERO, None));
            }
        }
        (None, Some(r)) => {
            let step = r.amount_cents.max(1);
            let remainder = add_cents(last_passed, total, "lifetime usage")?.rem_euclid(step);
            let occurrences = sub_cents(total, last_passed, "lifetime usage")?.div_euclid(step);
            if occurrences > MAX_RECURRING_OCCURRENCES {
                return Err(Error::invalid(
                    "usage_thresholds",
                    format!(
                        "the lifetime usage passes the recurring threshold {occurrences} times, more than the {MAX_RECURRING_OCCURRENCES} the simulator lists"
                    ),
                ));
            }
            let mut reached = applications(r);
            reached.sort_by_key(|a| a.lifetime_usage_amount_cents);
            for i in 1..=occurrences {
                let amount = add_cents(
                    last_passed,
                    i.checked_mul(step).unwrap_or(i64::MAX),
                    "usage threshold",
                )?;
                let at_amount = reached
                    .iter()
                    .find(|a| a.lifetime_usage_amount_cents >= amount)
                    .and_then(|a| a.created_at);
                out.push(entry(amount, Decimal::ONE, Some(at_amount.unwrap_or(at))));
            }
            let next = add_cents(
                sub_cents(total, remainder, "lifetime usage")?,
                step,
                "usage threshold",
            )?;
            out.push(entry(next, ratio(remainder, step)?, None));
        }
        (None, None) => {}
    }
    Ok(out)
}

/// How many passed occurrences of a recurring threshold a lifetime usage answer may list (Lago
/// lists every one; a tiny threshold under a large usage would list millions).
const MAX_RECURRING_OCCURRENCES: i64 = 10_000;

/// `part / whole` as Lago's `fdiv` gives a completion ratio; 0 for an empty whole.
fn ratio(part: i64, whole: i64) -> Result<Decimal> {
    if whole == 0 {
        return Ok(Decimal::ZERO);
    }
    decimal::div(
        Decimal::from(part),
        Decimal::from(whole),
        "completion_ratio",
    )
}

impl Engine<'_> {
    /// Checks the live subscription `s`'s thresholds at `at` and issues a progressive-billing
    /// invoice when some were passed.
    pub(super) fn check_usage_thresholds(&mut self, s: usize, at: Timestamp) -> Result<()> {
        let sub = &self.subscriptions[s];
        let thresholds = &self.catalog.plans[sub.plan].plan.usage_thresholds;
        if sub.status != SubscriptionStatus::Active || thresholds.is_empty() {
            return Ok(());
        }
        let boundaries = self.current_period(s, at)?;
        let lifetime = self.lifetime_amounts(s, at)?;
        let billed = self
            .progressive_invoice_at(s, at)
            .and_then(|i| self.out.invoices.get(i))
            .map_or(0, |invoice| invoice.fees_amount_cents);
        let passed: Vec<UsageThreshold> = passed_thresholds(thresholds, lifetime, billed)?
            .into_iter()
            .cloned()
            .collect();
        if passed.is_empty() {
            return Ok(());
        }
        let customer = sub.customer;
        let currency = fee_currency(
            &self.customers[customer].customer,
            &self.catalog.plans[sub.plan].plan.amount_currency,
        );
        let (charge_fees, true_ups) = self.charge_fees(s, &boundaries, currency)?;
        // No pay-in-advance charge and no minimum true-up on a progressive-billing invoice
        // (`Fees::ChargeService` skips the true-up for one).
        let (mut fees, contexts): (Vec<Fee>, Vec<FeeContext>) = charge_fees
            .into_iter()
            .enumerate()
            .filter(|(i, (fee, _))| !fee.pay_in_advance && !true_ups.iter().any(|(t, _)| t == i))
            .map(|(_, fee)| fee)
            .unzip();
        let index = self.out.invoices.len();
        let id = next_id(&mut self.counters.invoice, "inv");
        let sub = &self.subscriptions[s];
        let state = &self.customers[customer];
        for fee in &mut fees {
            fee.lago_id = Some(next_id(&mut self.counters.fee, "fee"));
            fee.lago_invoice_id = Some(id.clone());
            fee.lago_subscription_id = Some(sub.lago_id.clone());
            fee.external_subscription_id = Some(sub.body.external_id.clone());
            fee.lago_customer_id = Some(state.lago_id.clone());
            fee.external_customer_id = Some(state.customer.external_id.clone());
            fee.created_at = Some(at);
            fee.payment_status = Some(PaymentStatus::Pending);
        }
        let total = lifetime.total()?;
        let issuing_date = self.local_date(s, at);
        let mut invoice = Invoice {
            invoice_type: InvoiceType::ProgressiveBilling,
            billing_periods: vec![self.billing_period(
                s,
                &boundaries,
                InvoicingReason::ProgressiveBilling,
            )],
            applied_usage_thresholds: passed
                .into_iter()
                .map(|usage_threshold| AppliedUsageThreshold {
                    lifetime_usage_amount_cents: total,
                    created_at: Some(at),
                    usage_threshold,
                })
                .collect(),
            fees,
            ..self.numbered_invoice(customer, index, id, currency, issuing_date, at)?
        };
        let credits = self.progressive_credits(&[s], &invoice, at, true)?;
        self.finalize_invoice(&mut invoice, &contexts, &credits, customer, at)?;
        self.out.invoices.push(invoice);
        self.invoice_customers.push(customer);
        self.subscriptions[s].progressive_invoices.push(index);
        Ok(())
    }

    /// Lago's `LifetimeUsage` of `s` at `at`.
    pub(super) fn lifetime_amounts(&self, s: usize, at: Timestamp) -> Result<LifetimeAmounts> {
        let sub = &self.subscriptions[s];
        let boundaries = self.current_period(s, at)?;
        let customer = sub.customer;
        let currency = fee_currency(
            &self.customers[customer].customer,
            &self.catalog.plans[sub.plan].plan.amount_currency,
        );
        let (fees, _) = self.charge_fees(s, &boundaries, currency)?;
        let current = sum_cents(fees.iter().map(|(f, _)| f.amount_cents), "current usage")?;
        let mut invoiced = 0;
        for member in self.family(s) {
            for &i in &member.invoices {
                let Some(invoice) = self.out.invoices.get(i) else {
                    continue;
                };
                let charges = invoice.fees.iter().filter(|f| {
                    f.item.kind == FeeType::Charge
                        && f.lago_subscription_id.as_deref() == Some(member.lago_id.as_str())
                });
                let amount = sum_cents(charges.map(|f| f.amount_cents), "invoiced usage")?;
                invoiced = add_cents(invoiced, amount, "invoiced usage")?;
            }
        }
        Ok(LifetimeAmounts {
            historical: sub.historical_usage_amount_cents,
            invoiced,
            current,
        })
    }

    /// The subscriptions whose lifetime usage `s` shares: those of its `external_id` and
    /// anniversary (plan changes keep both), not canceled.
    pub(super) fn family(&self, s: usize) -> impl Iterator<Item = &SubscriptionState> {
        let sub = &self.subscriptions[s];
        self.by_external_id
            .get(&sub.body.external_id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&o| &self.subscriptions[o])
            .filter(move |o| {
                o.subscription_at == sub.subscription_at && o.status != SubscriptionStatus::Canceled
            })
    }

    /// The latest progressive-billing invoice of `s` whose charges period holds `at` (Lago's
    /// `ProgressiveBilledAmount`: `charges_from_datetime <= at < charges_to_datetime`).
    fn progressive_invoice_at(&self, s: usize, at: Timestamp) -> Option<usize> {
        let sub = &self.subscriptions[s];
        sub.progressive_invoices.iter().rev().copied().find(|&i| {
            self.out.invoices.get(i).is_some_and(|invoice| {
                invoice.billing_periods.iter().any(|p| {
                    p.lago_subscription_id.as_deref() == Some(sub.lago_id.as_str())
                        && p.charges_from_datetime <= at
                        && at < p.charges_to_datetime
                })
            })
        })
    }

    /// What is left to deduct of progressive-billing invoice `index` of subscription `s` (Lago's
    /// `to_credit_amount`): its fees less its coupons, what later invoices (not voided or closed)
    /// already deducted of it and its credit notes' credit, never below zero.
    fn to_credit_amount(&self, s: usize, index: usize) -> Result<i64> {
        let Some(invoice) = self.out.invoices.get(index) else {
            return Ok(0);
        };
        let customer = self.invoice_customers[index];
        let credited = sum_cents(
            self.customers[customer]
                .balances
                .credit_notes()
                .iter()
                .filter(|n| n.lago_invoice_id == invoice.lago_id)
                .filter(|n| n.credit_status != Some(CreditStatus::Voided))
                .map(|n| n.credit_amount_cents),
            "credit notes",
        )?;
        let sub = &self.subscriptions[s];
        let deducted = sum_cents(
            sub.invoices
                .iter()
                .chain(&sub.progressive_invoices)
                .filter_map(|&i| self.out.invoices.get(i))
                .filter(|later| {
                    !matches!(later.status, InvoiceStatus::Voided | InvoiceStatus::Closed)
                })
                .flat_map(|later| &later.credits)
                .filter(|c| {
                    c.item.kind == CreditType::Invoice && c.item.lago_item_id == invoice.lago_id
                })
                .map(|c| c.amount_cents),
            "progressive billing credits",
        )?;
        let left = sub_cents(
            invoice.fees_amount_cents,
            invoice.coupons_amount_cents,
            "to credit",
        )?;
        let left = sub_cents(left, deducted, "to credit")?;
        Ok(sub_cents(left, credited, "to credit")?.max(0))
    }

    /// Lago's `Credits::ProgressiveBillingService` for `invoice` (a draft of this engine, billing
    /// `subs` in the order of its billing periods): for each subscription on it, the latest
    /// progressive-billing invoice of the charges period it bills,
    /// to deduct from the draft's fees of the same charges. What those fees cannot absorb is
    /// credited back on the progressive-billing invoice (`CreateFromProgressiveBillingInvoice`)
    /// when `finalizing` (a draft in its grace period only shows the deduction).
    pub(super) fn progressive_credits(
        &mut self,
        subs: &[usize],
        invoice: &Invoice,
        at: Timestamp,
        finalizing: bool,
    ) -> Result<Vec<ProgressiveBillingCredit>> {
        let mut credits = Vec::new();
        for (&s, period) in subs.iter().zip(&invoice.billing_periods) {
            let Some(previous) = self
                .progressive_invoice_at(s, period.charges_from_datetime)
                .filter(|&i| i != invoice_index(invoice))
            else {
                continue;
            };
            let amount_cents = self.to_credit_amount(s, previous)?;
            let billed = &self.out.invoices[previous];
            let sub_id = self.subscriptions[s].lago_id.as_str();
            let mut fees = Vec::new();
            let mut matched = vec![false; billed.fees.len()];
            for (fee_index, fee) in invoice.fees.iter().enumerate() {
                if fee.item.kind != FeeType::Charge
                    || fee.lago_subscription_id.as_deref() != Some(sub_id)
                    || !billed
                        .fees
                        .iter()
                        .any(|b| b.lago_charge_id == fee.lago_charge_id)
                {
                    continue;
                }
                let same = billed.fees.iter().enumerate().position(|(b, earlier)| {
                    !matched[b]
                        && earlier.lago_charge_id == fee.lago_charge_id
                        && earlier.lago_charge_filter_id == fee.lago_charge_filter_id
                        && earlier.item.grouped_by == fee.item.grouped_by
                });
                let billed_amount_cents = same.map_or(0, |b| {
                    matched[b] = true;
                    billed.fees[b].amount_cents
                });
                fees.push(ProgressiveFee {
                    fee_index,
                    billed_amount_cents,
                });
            }
            let covered = sum_cents(
                fees.iter()
                    .filter_map(|f| invoice.fees.get(f.fee_index))
                    .map(|f| f.amount_cents),
                "progressive billing credit",
            )?;
            if finalizing && amount_cents > covered {
                let customer = self.invoice_customers[previous];
                let id = format!("cn_{:04}", self.counters.credit_note + 1);
                let excess = sub_cents(amount_cents, covered, "progressive billing credit")?;
                let note = self.customers[customer]
                    .balances
                    .credit_progressive_billing_excess(
                        &self.out.invoices[previous],
                        excess,
                        &id,
                        at,
                    )?;
                if note.is_some() {
                    self.counters.credit_note += 1;
                }
            }
            credits.push(ProgressiveBillingCredit {
                invoice_id: self.out.invoices[previous]
                    .lago_id
                    .clone()
                    .unwrap_or_default(),
                amount_cents: amount_cents.min(covered),
                fees,
            });
        }
        Ok(credits)
    }
}

/// The index in the engine's invoices of a draft numbered by the engine (`sequential_id` is its
/// index plus one).
fn invoice_index(invoice: &Invoice) -> usize {
    invoice
        .sequential_id
        .and_then(|n| usize::try_from(n - 1).ok())
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thresholds(list: &[(i64, bool)]) -> Vec<UsageThreshold> {
        list.iter()
            .map(|&(amount_cents, recurring)| UsageThreshold {
                lago_id: None,
                threshold_display_name: None,
                amount_cents,
                recurring,
                created_at: None,
                updated_at: None,
            })
            .collect()
    }

    fn amounts(historical: i64, invoiced: i64, current: i64) -> LifetimeAmounts {
        LifetimeAmounts {
            historical,
            invoiced,
            current,
        }
    }

    #[test]
    fn threshold_completion_worked_by_hand() {
        let plan = thresholds(&[(1000, false), (5000, false), (2000, true)]);
        let at: Timestamp = "2024-03-20T00:00:00Z".parse().unwrap();
        let rows = |total: i64| -> Vec<(i64, String, bool)> {
            threshold_completion(&plan, total, &[], at)
                .unwrap()
                .into_iter()
                .map(|t| {
                    (
                        t.amount_cents,
                        t.completion_ratio.normalize().to_string(),
                        t.reached_at.is_some(),
                    )
                })
                .collect()
        };
        // 30.00: 10.00 passed; (30 - 10) / (50 - 10) = 0.5 toward 50.00; the recurring one
        // first comes at 50.00 + 20.00.
        assert_eq!(
            rows(3000),
            [
                (1000, "1".to_owned(), true),
                (5000, "0.5".to_owned(), false),
                (7000, "0".to_owned(), false)
            ]
        );
        // 95.00: both fixed passed; (95 - 50) / 20 = 2 recurring passes at 70.00 and 90.00;
        // (50 + 95) mod 20 = 5.00 toward the next, 95 - 5 + 20 = 110.00: 5 / 20 = 0.25.
        assert_eq!(
            rows(9500),
            [
                (1000, "1".to_owned(), true),
                (5000, "1".to_owned(), true),
                (7000, "1".to_owned(), true),
                (9000, "1".to_owned(), true),
                (11000, "0.25".to_owned(), false)
            ]
        );
        // A 0.01 recurring threshold under 200.00 of usage would list 20 000 passes.
        let tiny = thresholds(&[(1, true)]);
        let err = threshold_completion(&tiny, 20_000, &[], at).unwrap_err();
        assert_eq!(err.path(), Some("usage_thresholds"));
    }

    #[test]
    fn thresholds_passed_worked_by_hand() {
        let plan = thresholds(&[(1000, false), (5000, false), (2000, true)]);
        // (lifetime, progressively billed this period, amounts passed)
        let cases: [(LifetimeAmounts, i64, Vec<i64>); 6] = [
            // 9.99 of usage: nothing yet.
            (amounts(0, 0, 999), 0, vec![]),
            // 12.00: the 10.00 threshold.
            (amounts(0, 0, 1200), 0, vec![1000]),
            // 12.00 already billed at 12.00: nothing new.
            (amounts(0, 0, 1200), 1200, vec![]),
            // 60.00 of which 12.00 billed: 50.00 is passed, not yet 50.00 + 20.00.
            (amounts(0, 0, 6000), 1200, vec![5000]),
            // 30.00 historical + 45.00 now: 50.00, and 75.00 >= 50.00 + 20.00 (recurring).
            (amounts(3000, 0, 4500), 0, vec![5000, 2000]),
            // 50.00 invoiced before (every fixed one behind): recurring remainder 10.00 + 10.00 now.
            (amounts(0, 5000, 1000), 0, vec![2000]),
        ];
        for (lifetime, billed, expected) in cases {
            let passed: Vec<i64> = passed_thresholds(&plan, lifetime, billed)
                .unwrap()
                .into_iter()
                .map(|t| t.amount_cents)
                .collect();
            assert_eq!(passed, expected, "{lifetime:?} billed {billed}");
        }
    }
}
