//! Trials and proration of the subscription fee: how many days of a period are billed, and at what
//! share of the plan amount.
//!
//! Lago prorates the subscription fee of a partial period (a first period that starts mid-period, a
//! termination, a trial ending mid-period) as `days billed × amount / days in the period`, counting
//! days on the customer's calendar. These functions return that share as an exact [`Decimal`]; Lago
//! computes it in floating point and rounds the fee to cents, which the invoice does, not this module.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

const SECONDS_PER_DAY: i64 = 86_400;

/// When a trial of `trial_period` days that began at `started_at` ends (Lago's `trial_end_datetime`),
/// or `None` when the plan has no trial (`trial_period` is zero). Lago adds the whole days as
/// calendar days in UTC and the fraction as hours, which is `trial_period × 86,400` seconds.
///
/// ```
/// use lagom_core::decimal::Decimal;
/// use lagom_core::period::trial_end_datetime;
/// use lagom_core::time::{format, parse};
/// let started_at = parse("2024-01-10T09:30:00Z").unwrap();
/// let end = trial_end_datetime(started_at, Decimal::new(15, 1)).unwrap().unwrap();
/// assert_eq!(format(end), "2024-01-11T21:30:00Z");
/// assert_eq!(trial_end_datetime(started_at, Decimal::ZERO).unwrap(), None);
/// ```
pub fn trial_end_datetime(
    started_at: Timestamp,
    trial_period: Decimal,
) -> Result<Option<Timestamp>> {
    if trial_period.is_zero() {
        return Ok(None);
    }
    if trial_period.is_sign_negative() {
        return Err(Error::invalid(
            "trial_period",
            format!("must not be negative (got {trial_period})"),
        ));
    }
    let out_of_range = || {
        Error::invalid(
            "trial_period",
            format!("{trial_period} days is out of range"),
        )
    };
    let nanos = decimal::mul(
        trial_period,
        Decimal::from(SECONDS_PER_DAY * 1_000_000_000),
        "trial_period",
    )
    .map_err(|_| out_of_range())?
    .trunc();
    let nanos = i64::try_from(nanos).map_err(|_| out_of_range())?;
    started_at
        .checked_add(SignedDuration::from_nanos(nanos))
        .map(Some)
        .map_err(|_| out_of_range())
}

/// Where billing of the subscription fee starts once the trial is taken off the period `from..=to`:
/// `Some(from)` without a trial or when it ended before `from`, `Some(trial_end)` when it ends inside
/// the period, and `None` when it covers the whole period (the fee is zero).
///
/// ```
/// use lagom_core::period::billable_from;
/// use lagom_core::time::parse;
/// let from = parse("2024-03-01T00:00:00Z").unwrap();
/// let to = parse("2024-03-31T23:59:59Z").unwrap();
/// let trial_end = parse("2024-03-11T00:00:00Z").unwrap();
/// assert_eq!(billable_from(from, to, Some(trial_end)), Some(trial_end));
/// assert_eq!(billable_from(from, to, None), Some(from));
/// assert_eq!(billable_from(from, to, parse("2024-04-02T00:00:00Z")), None);
/// ```
pub fn billable_from(
    from: Timestamp,
    to: Timestamp,
    trial_end: Option<Timestamp>,
) -> Option<Timestamp> {
    match trial_end {
        Some(end) if end >= to => None,
        Some(end) if end > from => Some(end),
        _ => Some(from),
    }
}

/// The number of customer-local days from `from` to `to` that Lago bills (its
/// `date_diff_with_timezone`): the elapsed time corrected by any change of UTC offset in between,
/// rounded up to whole days; a `to` at local midnight counts its day.
///
/// ```
/// use lagom_core::period::days_to_bill;
/// use lagom_core::time::{parse, time_zone};
/// let paris = time_zone("Europe/Paris", "timezone").unwrap();
/// // March 2024 in Paris: 31 days, though it lasts 30 days and 23 hours (clocks go forward on the 31st).
/// let from = parse("2024-02-29T23:00:00Z").unwrap();
/// let to = parse("2024-03-31T21:59:59Z").unwrap();
/// assert_eq!(days_to_bill(from, to, &paris), 31);
/// // From Mar 15 to the end of the month: 17 days.
/// assert_eq!(days_to_bill(parse("2024-03-14T23:00:00Z").unwrap(), to, &paris), 17);
/// ```
pub fn days_to_bill(from: Timestamp, to: Timestamp, time_zone: &TimeZone) -> i64 {
    let local_to = to.to_zoned_datetime(time_zone.clone());
    let at_midnight = local_to
        .start_of_day()
        .is_ok_and(|midnight| midnight.timestamp() == to);
    let to = if at_midnight {
        to.checked_add(SignedDuration::from_secs(1)).unwrap_or(to)
    } else {
        to
    };
    let offset_change = time_zone.to_offset(from).seconds() - time_zone.to_offset(to).seconds();
    let elapsed = from.duration_until(to).as_nanos() - i128::from(offset_change) * 1_000_000_000;
    let day = i128::from(SECONDS_PER_DAY) * 1_000_000_000;
    let days = elapsed.div_euclid(day) + i128::from(elapsed.rem_euclid(day) != 0);
    i64::try_from(days).unwrap_or(if days < 0 { i64::MIN } else { i64::MAX })
}

/// The price of one day of a period of `duration` days (Lago's `single_day_price`).
///
/// ```
/// use lagom_core::decimal::Decimal;
/// use lagom_core::period::single_day_price;
/// assert_eq!(single_day_price(Decimal::from(3100), 31).unwrap(), Decimal::from(100));
/// assert!(single_day_price(Decimal::from(3100), 0).is_err());
/// ```
pub fn single_day_price(amount: Decimal, duration: i64) -> Result<Decimal> {
    decimal::div(amount, Decimal::from(duration), "single_day_price")
}

/// The share of a period's price that `days` billed days of a `duration`-day period cost:
/// `days / duration`.
///
/// ```
/// use lagom_core::decimal::Decimal;
/// use lagom_core::period::proration_coefficient;
/// assert_eq!(proration_coefficient(15, 30).unwrap(), Decimal::new(5, 1));
/// ```
pub fn proration_coefficient(days: i64, duration: i64) -> Result<Decimal> {
    decimal::div(
        Decimal::from(days),
        Decimal::from(duration),
        "proration_coefficient",
    )
}
