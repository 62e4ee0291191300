//! The minimum commitment true-up on a subscription invoice: which period it reconciles and which
//! fees count toward it (Lago's `Commitments::Minimum::InArrears`/`InAdvance` services). The
//! arithmetic is [`crate::invoice::minimum_commitment_true_up`]'s.

use jiff::{SignedDuration, Timestamp};

use super::{Engine, PlanChange};
use crate::error::{Error, Result};
use crate::fee::{Fee, FeeType};
use crate::invoice::minimum_commitment_true_up;
use crate::money::Currency;
use crate::period::{self, Boundaries, Cycle, Interval};
use crate::simulate::fees::commitment_fee;
use crate::subscription::SubscriptionStatus;

impl Engine<'_> {
    /// Lago's minimum commitment true-up (`CalculateFeesService#should_create_minimum_commitment_true_up_fee?`
    /// and `Commitments::Minimum::*`) for subscription `s` on the invoice at `index`, whose fees of
    /// `s` so far are `own_fees`.
    ///
    /// The period reconciled is the one this invoice bills in arrears; for a plan paid in advance
    /// it is the one billed on the subscription's previous invoice with a subscription fee (none on
    /// its first invoice), or on termination the period cut short. The commitment is prorated by the
    /// days of that period the subscription was billed for; the fees counted are the subscription
    /// fees within the period, this invoice's charges of `s` billed in arrears, and the
    /// pay-in-advance fees of its events in the period. A yearly or semiannual plan reconciles only
    /// when its own period turns.
    pub(super) fn commitment_fee(
        &self,
        s: usize,
        boundaries: &Boundaries,
        at: Timestamp,
        index: usize,
        own_fees: &[&Fee],
        currency: Currency,
    ) -> Result<Option<Fee>> {
        let sub = &self.subscriptions[s];
        let checked = &self.catalog.plans[sub.plan];
        let plan = checked.plan;
        let Some(commitment) = &plan.minimum_commitment else {
            return Ok(None);
        };
        let terminated = sub.status == SubscriptionStatus::Terminated
            && sub.replaced_by() != Some(PlanChange::Downgrade);
        let cycle = Cycle::new(
            plan.interval,
            sub.billing_time,
            self.local_date(s, sub.subscription_at),
        );
        let issuing = self.local_date(s, at);
        if matches!(plan.interval, Interval::Yearly | Interval::Semiannual)
            && !terminated
            && cycle.start(issuing) != Some(issuing)
        {
            return Ok(None);
        }
        let fee_of = |i: usize| {
            self.out.invoices.get(i).and_then(|invoice| {
                invoice.fees.iter().find(|f| {
                    f.item.kind == FeeType::Subscription
                        && f.lago_subscription_id.as_deref() == Some(sub.lago_id.as_str())
                })
            })
        };
        let earlier_fees: Vec<&Fee> = sub
            .subscription_fees
            .iter()
            .filter(|(i, _)| *i != index)
            .filter_map(|(i, _)| fee_of(*i))
            .collect();
        let reconciled = if !plan.pay_in_advance || terminated {
            if plan.pay_in_advance && earlier_fees.is_empty() {
                return Ok(None);
            }
            (boundaries.from_datetime, boundaries.to_datetime)
        } else {
            let Some(previous) = earlier_fees.last() else {
                return Ok(None);
            };
            let (Some(from), Some(to)) = (previous.from_date, previous.to_date) else {
                return Ok(None);
            };
            (from, to)
        };
        let zone = self.time_zone(s);
        let first_day = cycle.start(self.local_date(s, reconciled.0));
        let last_day = first_day.and_then(|d| cycle.end(d));
        let (Some(first_day), Some(last_day)) = (first_day, last_day) else {
            return Err(Error::invalid("at", "the billing period is out of range"));
        };
        let period_start = self.start_of(s, first_day)?;
        let period_end = self
            .start_of(
                s,
                last_day
                    .tomorrow()
                    .map_err(|e| Error::invalid("at", e.to_string()))?,
            )?
            .checked_sub(SignedDuration::from_secs(1))
            .map_err(|e| Error::invalid("at", e.to_string()))?;
        let within = |f: &&Fee| {
            f.from_date.is_some_and(|d| d >= period_start)
                && f.to_date.is_some_and(|d| d <= period_end)
        };
        let own_subscription_fee = own_fees
            .iter()
            .copied()
            .filter(|f| f.item.kind == FeeType::Subscription);
        let mut counted: Vec<&Fee> = earlier_fees
            .iter()
            .copied()
            .chain(own_subscription_fee)
            .filter(within)
            .collect();
        counted.extend(
            own_fees
                .iter()
                .copied()
                .filter(|f| f.item.kind == FeeType::Charge && !f.pay_in_advance),
        );
        if checked.charges.iter().any(|c| c.charge.pay_in_advance) {
            let invoiced = self.out.invoices.iter().flat_map(|i| &i.fees);
            counted.extend(
                invoiced
                    .chain(&self.out.non_invoiceable_fees)
                    .filter(|f| {
                        f.item.kind == FeeType::Charge
                            && f.event_transaction_id.is_some()
                            && f.lago_subscription_id.as_deref() == Some(sub.lago_id.as_str())
                    })
                    .filter(within),
            );
        }
        let days = period::days_to_bill(reconciled.0, reconciled.1, zone);
        let period_days = period::days_to_bill(period_start, period_end, zone);
        let Some(true_up) =
            minimum_commitment_true_up(commitment.amount_cents, days, period_days, &counted)?
        else {
            return Ok(None);
        };
        Ok(Some(commitment_fee(
            plan,
            commitment,
            &sub.lago_id,
            &true_up,
            reconciled,
            currency,
        )))
    }
}
