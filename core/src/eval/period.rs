//! The `period` eval contract: the billing period of a subscription on a billing date.
//!
//! Input: `interval`, `billing_time`, `subscription_at`, `started_at` (defaults to `subscription_at`),
//! `billing_at`, `timezone` (IANA name), `pay_in_advance`, and optionally `bill_charges_monthly`
//! (yearly and semiannual plans), `terminated_at` and `trial_period` (days, may be fractional).
//!
//! Output: Lago's invoice boundaries `from_datetime`, `to_datetime`, `charges_from_datetime`,
//! `charges_to_datetime`, `charges_duration` (days, an integer), `next_end_of_period`, and
//! `previous_beginning_of_period` (start of the period before the billing date's); then
//! `proration_coefficient`, the share of the plan amount Lago charges as the prorated subscription
//! fee of `from_datetime..to_datetime` (days billed ÷ days in the whole period, after taking the
//! trial off; `"1"` for a whole period, `"0"` when the boundaries end before they begin). Lago bills
//! the full amount instead of this share in some cases that depend on invoice history (an
//! anniversary plan paid in advance, a subscription already billed once). When the plan has a trial,
//! `trial_end_datetime` and `in_trial` (the trial has not ended at `billing_at`) are added.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::error::Result;
use crate::period::{self, BillingTime, Interval, Subscription};
use crate::time;

/// The `period` contract's input.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PeriodInput))]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "BillingPeriodInput", missing_as_null)
)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub interval: Interval,
    pub billing_time: BillingTime,
    #[serde(with = "time::iso")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant"))]
    pub subscription_at: Timestamp,
    #[serde(default, with = "time::iso_option")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub started_at: Option<Timestamp>,
    #[serde(with = "time::iso")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant"))]
    pub billing_at: Timestamp,
    pub timezone: String,
    pub pay_in_advance: bool,
    #[serde(default)]
    pub bill_charges_monthly: Option<bool>,
    #[serde(default, with = "time::iso_option")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub terminated_at: Option<Timestamp>,
    #[serde(default, with = "crate::decimal::lenient_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub trial_period: Option<Decimal>,
}

/// The `period` contract's output.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "BillingPeriodOutput", missing_as_null)
)]
pub struct Output {
    #[serde(with = "time::iso")]
    pub from_datetime: Timestamp,
    #[serde(with = "time::iso")]
    pub to_datetime: Timestamp,
    #[serde(with = "time::iso")]
    pub charges_from_datetime: Timestamp,
    #[serde(with = "time::iso")]
    pub charges_to_datetime: Timestamp,
    pub charges_duration: i64,
    #[serde(with = "time::iso")]
    pub next_end_of_period: Timestamp,
    #[serde(with = "time::iso")]
    pub previous_beginning_of_period: Timestamp,
    #[serde(with = "crate::decimal::lenient")]
    pub proration_coefficient: Decimal,
    #[serde(skip_serializing_if = "Option::is_none", with = "time::iso_option")]
    pub trial_end_datetime: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_trial: Option<bool>,
}

/// Answers the `period` contract.
///
/// ```
/// use lagom_core::eval::Contract;
/// let out = Contract::Period
///     .run(r#"{"interval":"monthly","billing_time":"calendar","subscription_at":"2024-01-15T10:00:00Z",
///              "billing_at":"2024-02-01T00:00:00Z","timezone":"UTC","pay_in_advance":false}"#)
///     .unwrap();
/// // The first period runs from the start (Jan 15) to Jan 31: 17 of January's 31 days.
/// assert_eq!(out["from_datetime"], "2024-01-15T00:00:00Z");
/// assert_eq!(out["to_datetime"], "2024-01-31T23:59:59Z");
/// assert_eq!(out["charges_duration"], 31);
/// assert_eq!(out["proration_coefficient"], "0.5483870967741935483870967742");
/// ```
pub fn evaluate(input: &Input) -> Result<Output> {
    let subscription = Subscription {
        interval: input.interval,
        billing_time: input.billing_time,
        pay_in_advance: input.pay_in_advance,
        bill_charges_monthly: input.bill_charges_monthly.unwrap_or(false),
        subscription_at: input.subscription_at,
        started_at: input.started_at.unwrap_or(input.subscription_at),
        terminated_at: input.terminated_at,
        time_zone: time::time_zone(&input.timezone, "timezone")?,
    };
    let boundaries = subscription.boundaries(input.billing_at)?;
    let trial_end = period::trial_end_datetime(
        subscription.started_at,
        input.trial_period.unwrap_or(Decimal::ZERO),
    )?;
    // Billed after the period its termination cut short, Lago's boundaries end before they begin
    // (Lago itself bills a termination when it happens): such a period bills no day.
    let days = period::billable_from(boundaries.from_datetime, boundaries.to_datetime, trial_end)
        .map_or(0, |from| {
            period::days_to_bill(from, boundaries.to_datetime, &subscription.time_zone).max(0)
        });
    Ok(Output {
        from_datetime: boundaries.from_datetime,
        to_datetime: boundaries.to_datetime,
        charges_from_datetime: boundaries.charges_from_datetime,
        charges_to_datetime: boundaries.charges_to_datetime,
        charges_duration: boundaries.charges_duration,
        next_end_of_period: boundaries.next_end_of_period,
        previous_beginning_of_period: boundaries.previous_beginning_of_period,
        proration_coefficient: period::proration_coefficient(days, boundaries.period_duration)?,
        trial_end_datetime: trial_end,
        in_trial: trial_end.map(|end| end > input.billing_at),
    })
}
