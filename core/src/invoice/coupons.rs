//! Applied coupons: applying one to a customer, and spreading coupons over an invoice's fees.

use jiff::Timestamp;

use crate::coupon::{AppliedCoupon, AppliedCouponStatus, Coupon};
use crate::error::{Error, Result};

/// An applied coupon with the coupon it came from.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AppliedCouponState {
    pub(super) coupon: Coupon,
    pub(super) applied: AppliedCoupon,
}

pub(super) fn apply(
    _existing: &[AppliedCouponState],
    coupon: &Coupon,
    body: &AppliedCoupon,
    id: &str,
    at: Timestamp,
) -> Result<AppliedCouponState> {
    let mut applied = body.clone();
    applied.lago_id = Some(id.to_owned());
    applied.created_at = Some(at);
    applied.status = Some(AppliedCouponStatus::Active);
    applied.amount_cents = body.amount_cents.or(coupon.amount_cents);
    applied.amount_cents_remaining = applied.amount_cents;
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
        .find(|c| {
            c.applied.coupon_code == coupon_code
                && c.applied.status == Some(AppliedCouponStatus::Active)
        })
        .ok_or_else(|| {
            Error::invalid(
                "coupon_code",
                format!("no active applied coupon `{coupon_code}`"),
            )
        })?;
    state.applied.status = Some(AppliedCouponStatus::Terminated);
    state.applied.terminated_at = Some(at);
    Ok(state.applied.clone())
}
