//! Applied coupons: applying a coupon to a customer, and spreading the customer's coupons over an
//! invoice's fees before taxes (Lago's `Credits::AppliedCouponsService`).
//!
//! Coupons limited to billable metrics go first, then those limited to plans, then the others, each
//! group in the order the coupons were applied; application stops once the invoice's sub-total is no
//! longer positive. A coupon's amount is shared among the fees it covers in proportion to what is
//! left of each fee after earlier deductions.

use jiff::Timestamp;
use rust_decimal::RoundingStrategy;

use crate::coupon::{
    AppliedCoupon, AppliedCouponStatus, Coupon, CouponType, Expiration, Frequency,
};
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::{Fee, FeeType};
use crate::invoice::{Credit, CreditItem, CreditType, FeeContext, Invoice, InvoiceContext};
use crate::money::{add_cents, round_cents, sub_cents};

/// An applied coupon with the coupon it came from.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AppliedCouponState {
    pub(super) coupon: Coupon,
    pub(super) applied: AppliedCoupon,
}

impl AppliedCouponState {
    fn is_active(&self) -> bool {
        self.applied.status == Some(AppliedCouponStatus::Active)
    }

    fn frequency(&self) -> Frequency {
        self.applied.frequency.unwrap_or(self.coupon.frequency)
    }
}

/// The plan and billable-metric codes a coupon is limited to, from its `POST` or `GET` shape.
fn limits(coupon: &Coupon) -> (&[String], &[String]) {
    match &coupon.applies_to {
        Some(limits) => (&limits.plan_codes, &limits.billable_metric_codes),
        None => (&coupon.plan_codes, &coupon.billable_metric_codes),
    }
}

/// Lago's checks before applying a coupon: the coupon is still active (not terminated, not past its
/// `expiration_at`), not already applied when it is not reusable, and does not overlap the plan or
/// metric limits of an active applied coupon. The body's amount, currency, rate and frequency
/// override the coupon's.
pub(super) fn apply(
    existing: &[AppliedCouponState],
    coupon: &Coupon,
    body: &AppliedCoupon,
    id: &str,
    at: Timestamp,
) -> Result<AppliedCouponState> {
    coupon.validate().map_err(|e| e.within("coupon"))?;
    if body.coupon_code != coupon.code {
        return Err(Error::invalid(
            "coupon_code",
            format!("`{}` is not the coupon `{}`", body.coupon_code, coupon.code),
        ));
    }
    let expired = coupon.expiration == Expiration::TimeLimit
        && coupon.expiration_at.is_some_and(|end| end < at);
    if coupon.terminated_at.is_some_and(|end| end <= at) || expired {
        return Err(Error::invalid(
            "coupon_code",
            format!("coupon `{}` has expired or was terminated", coupon.code),
        ));
    }
    if !coupon.reusable && existing.iter().any(|c| c.coupon.code == coupon.code) {
        return Err(Error::invalid(
            "coupon_code",
            format!(
                "coupon `{}` is not reusable and was already applied",
                coupon.code
            ),
        ));
    }
    let (plans, metrics) = limits(coupon);
    let overlapping = existing.iter().filter(|c| c.is_active()).find(|c| {
        let (other_plans, other_metrics) = limits(&c.coupon);
        plans.iter().any(|p| other_plans.contains(p))
            || metrics.iter().any(|m| other_metrics.contains(m))
    });
    if let Some(other) = overlapping {
        return Err(Error::invalid(
            "coupon_code",
            format!(
                "coupon `{}` targets a plan or metric already targeted by the applied coupon `{}`",
                coupon.code, other.coupon.code
            ),
        ));
    }
    let frequency = body.frequency.unwrap_or(coupon.frequency);
    let frequency_duration = body.frequency_duration.or(coupon.frequency_duration);
    let amount_cents = body.amount_cents.or(coupon.amount_cents);
    let applied = AppliedCoupon {
        lago_id: Some(id.to_owned()),
        coupon_name: Some(coupon.name.clone()),
        status: Some(AppliedCouponStatus::Active),
        amount_cents,
        amount_cents_remaining: match (coupon.coupon_type, frequency) {
            (CouponType::FixedAmount, Frequency::Once) => amount_cents,
            _ => None,
        },
        amount_currency: body.amount_currency.or(coupon.amount_currency),
        percentage_rate: body.percentage_rate.or(coupon.percentage_rate),
        frequency: Some(frequency),
        frequency_duration,
        frequency_duration_remaining: match frequency {
            Frequency::Recurring => frequency_duration,
            _ => None,
        },
        created_at: Some(at),
        terminated_at: None,
        ..body.clone()
    };
    Ok(AppliedCouponState {
        coupon: coupon.clone(),
        applied,
    })
}

pub(super) fn remove(
    coupons: &mut [AppliedCouponState],
    coupon_code: &str,
    at: Timestamp,
) -> Result<AppliedCoupon> {
    let state = coupons
        .iter_mut()
        .find(|c| c.applied.coupon_code == coupon_code && c.is_active())
        .ok_or_else(|| {
            Error::invalid(
                "coupon_code",
                format!("no active applied coupon `{coupon_code}`"),
            )
        })?;
    terminate(state, at);
    Ok(state.applied.clone())
}

fn terminate(state: &mut AppliedCouponState, at: Timestamp) {
    state.applied.status = Some(AppliedCouponStatus::Terminated);
    state.applied.terminated_at = Some(at);
}

/// Applies the customer's active coupons to `invoice`, whose `sub_total_excluding_taxes_amount_cents`
/// already has the progressive-billing credits taken off. Adds a `coupon` credit per coupon,
/// `coupons_amount_cents`, and each fee's share in `precise_coupons_amount_cents`.
pub(super) fn apply_to_invoice(
    coupons: &mut [AppliedCouponState],
    invoice: &mut Invoice,
    context: &InvoiceContext,
) -> Result<()> {
    let mut order: Vec<usize> = (0..coupons.len())
        .filter(|&i| coupons.get(i).is_some_and(AppliedCouponState::is_active))
        .collect();
    // Limited to metrics first, then to plans, then unlimited; a stable sort keeps application order.
    order.sort_by_key(|&i| {
        coupons.get(i).map_or((true, true), |c| {
            let (plans, metrics) = limits(&c.coupon);
            (metrics.is_empty(), plans.is_empty())
        })
    });
    for index in order {
        if invoice.sub_total_excluding_taxes_amount_cents <= 0 {
            break;
        }
        if let Some(state) = coupons.get_mut(index) {
            apply_one(state, invoice, context)?;
        }
    }
    Ok(())
}

fn apply_one(
    state: &mut AppliedCouponState,
    invoice: &mut Invoice,
    context: &InvoiceContext,
) -> Result<()> {
    let fixed = state.coupon.coupon_type == CouponType::FixedAmount;
    if fixed && state.applied.amount_currency != Some(invoice.currency) {
        return Ok(());
    }
    let (plans, metrics) = limits(&state.coupon);
    let covered: Vec<usize> = invoice
        .fees
        .iter()
        .zip(context.fees)
        .enumerate()
        .filter(|(_, (fee, fee_context))| covers(plans, metrics, fee, fee_context))
        .map(|(i, _)| i)
        .collect();
    if covered.is_empty() {
        return Ok(());
    }
    let base = if plans.is_empty() && metrics.is_empty() {
        Decimal::from(invoice.sub_total_excluding_taxes_amount_cents)
    } else {
        decimal::sum(
            covered
                .iter()
                .filter_map(|&i| invoice.fees.get(i))
                .map(remaining_after_coupons)
                .collect::<Result<Vec<_>>>()?,
            "coupon base amount",
        )?
    };
    let amount = credit_amount(state, base)?;
    for &i in &covered {
        if let Some(fee) = invoice.fees.get_mut(i) {
            take_share(fee, amount, base)?;
        }
    }
    book(state, amount, context.at)?;
    let item = CreditItem::of(
        CreditType::Coupon,
        state.applied.lago_id.clone(),
        Some(state.coupon.code.clone()),
        Some(state.coupon.name.clone()),
    );
    invoice
        .credits
        .push(Credit::of(item, amount, invoice.currency, true));
    invoice.coupons_amount_cents =
        add_cents(invoice.coupons_amount_cents, amount, "coupons_amount_cents")?;
    invoice.sub_total_excluding_taxes_amount_cents = sub_cents(
        invoice.sub_total_excluding_taxes_amount_cents,
        amount,
        "sub_total_excluding_taxes_amount_cents",
    )?;
    Ok(())
}

/// Whether a coupon limited to `plans` or `metrics` (neither: unlimited) covers a fee.
fn covers(plans: &[String], metrics: &[String], fee: &Fee, context: &FeeContext) -> bool {
    if !metrics.is_empty() {
        return fee.item.kind == FeeType::Charge
            && context
                .billable_metric_code
                .as_ref()
                .is_some_and(|code| metrics.contains(code));
    }
    if !plans.is_empty() {
        return context
            .plan_code
            .as_ref()
            .is_some_and(|code| plans.contains(code));
    }
    true
}

/// What is left of a fee after coupons and progressive-billing credits, in precise cents.
pub(super) fn remaining_after_coupons(fee: &Fee) -> Result<Decimal> {
    decimal::sub(
        Decimal::from(fee.amount_cents),
        fee.precise_coupons_amount_cents.unwrap_or_default(),
        "fee sub_total_excluding_taxes_amount_cents",
    )
}

/// Lago's `AppliedCoupons::AmountService`: a percentage of the base (rounded), or the fixed amount
/// (what remains of it for a `once` coupon), never more than the base. Lago stores the base into
/// an integer column when it is the answer, which drops any fraction.
fn credit_amount(state: &AppliedCouponState, base: Decimal) -> Result<i64> {
    let whole_base = round_cents(base.trunc())?;
    if state.coupon.coupon_type == CouponType::Percentage {
        let rate = state.applied.percentage_rate.unwrap_or_default();
        let discount = decimal::div(
            decimal::mul(base, rate, "coupon amount")?,
            Decimal::ONE_HUNDRED,
            "coupon amount",
        )?;
        return if discount >= base {
            Ok(whole_base)
        } else {
            round_cents(discount)
        };
    }
    let available = match state.frequency() {
        Frequency::Once => state.applied.amount_cents_remaining,
        Frequency::Recurring | Frequency::Forever => state.applied.amount_cents,
    }
    .unwrap_or_default();
    Ok(if Decimal::from(available) > base {
        whole_base
    } else {
        available
    })
}

/// Adds a fee's share of a coupon to its `precise_coupons_amount_cents`, never beyond its amount.
/// Lago stores that column with 5 decimals after each coupon, and the next coupon's shares are
/// computed from the stored value, so it is rounded here too.
fn take_share(fee: &mut Fee, amount: i64, base: Decimal) -> Result<()> {
    let mut taken = fee.precise_coupons_amount_cents.unwrap_or_default();
    if !base.is_zero() {
        let share = decimal::div(
            decimal::mul(
                Decimal::from(amount),
                remaining_after_coupons(fee)?,
                "fee coupon share",
            )?,
            base,
            "fee coupon share",
        )?;
        taken = decimal::add(taken, share, "precise_coupons_amount_cents")?;
    }
    let stored = taken.round_dp_with_strategy(5, RoundingStrategy::MidpointAwayFromZero);
    fee.precise_coupons_amount_cents = Some(stored.min(Decimal::from(fee.amount_cents)));
    Ok(())
}

/// After a coupon was applied: a recurring coupon has one period less, a `once` fixed coupon less
/// amount; a coupon ends when used up (a `once` percentage coupon after one invoice).
fn book(state: &mut AppliedCouponState, amount: i64, at: Timestamp) -> Result<()> {
    let used_up = match state.frequency() {
        Frequency::Forever => false,
        Frequency::Once => {
            let remaining = state.applied.amount_cents_remaining.unwrap_or_default();
            if state.coupon.coupon_type == CouponType::FixedAmount {
                state.applied.amount_cents_remaining =
                    Some(sub_cents(remaining, amount, "amount_cents_remaining")?);
            }
            state.coupon.coupon_type == CouponType::Percentage || amount >= remaining
        }
        Frequency::Recurring => {
            let left = state
                .applied
                .frequency_duration_remaining
                .unwrap_or_default()
                .saturating_sub(1)
                .max(0);
            state.applied.frequency_duration_remaining = Some(left);
            left == 0
        }
    };
    if used_up {
        terminate(state, at);
    }
    Ok(())
}
