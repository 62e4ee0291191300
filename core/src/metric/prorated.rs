//! Prorated `sum_agg` for prorated charges on recurring metrics.
//!
//! Lago splits the events in two. Those before the period ("persisted") were active the whole period
//! and count at `days_in_period / charges_duration`, a ratio Lago computes as a float and writes into
//! its SQL as the float's shortest text — reproduced here so results agree to the last digit. Those in
//! the period count at `(days from the event's local date to the period's last date, inclusive) /
//! charges_duration`, divided by Postgres. The prorated total is rounded up at 5 decimals; the total
//! without proration is kept as `full_units_number`.

use jiff::{SignedDuration, Timestamp};

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::metric::aggregate::Period;
use crate::metric::aggregate::{
    Aggregation, Context, TimedValue, ceil_days, ceil_dp, days_between, pg_divide,
};

pub(crate) fn sum<'e>(
    ctx: &Context,
    events: impl Iterator<Item = (usize, &'e Event)>,
) -> Result<(Aggregation, bool)> {
    let period = ctx.period;
    let what = "prorated sum";
    let duration = period.charges_duration()?;
    let persisted_ratio = persisted_ratio(period, duration)?;
    // Lago stops the persisted events a microsecond before the period so none is counted twice.
    let persisted_end = period
        .from_datetime
        .checked_sub(SignedDuration::from_micros(1))
        .unwrap_or(Timestamp::MIN);
    let last_date = period.local_date(period.to_datetime);

    let mut prorated = Decimal::ZERO;
    let mut full = Decimal::ZERO;
    let mut persisted = Decimal::ZERO;
    let mut count: u64 = 0;
    let mut in_period: Vec<(TimedValue, Decimal)> = Vec::new();
    for (i, e) in events {
        let within = ctx.in_period(e.timestamp);
        let ratio = if within {
            let days = days_between(period.local_date(e.timestamp), last_date) + 1;
            pg_divide(days, duration, what)?
        } else if e.timestamp <= persisted_end {
            persisted_ratio
        } else {
            continue;
        };
        let Some(v) = ctx.numeric(i, e)? else {
            continue;
        };
        let weighted = decimal::mul(v, ratio, what)?;
        prorated = decimal::add(prorated, weighted, what)?;
        full = decimal::add(full, v, what)?;
        count += 1;
        if !ctx.request.event_values {
            continue;
        }
        if within {
            in_period.push(((e.timestamp, i, v), weighted));
        } else {
            persisted = decimal::add(persisted, v, what)?;
        }
    }
    let (event_values, prorated_event_values) = if ctx.request.event_values {
        per_event(persisted, persisted_ratio, in_period)?
    } else {
        (Vec::new(), Vec::new())
    };
    let aggregation = Aggregation {
        aggregation: ceil_dp(prorated, 5),
        count: Decimal::from(count),
        full_units_number: Some(full),
        event_values,
        prorated_event_values,
        ..Aggregation::default()
    };
    Ok((aggregation, count > 0))
}

/// Lago's `ProratedAggregations::SumService#per_event_aggregation`: the total of the events before
/// the period first (when not zero) at the persisted ratio, then each in-period event in time order
/// with its prorated value; as full values and prorated values.
fn per_event(
    persisted: Decimal,
    persisted_ratio: Decimal,
    mut in_period: Vec<(TimedValue, Decimal)>,
) -> Result<(Vec<Decimal>, Vec<Decimal>)> {
    in_period.sort_unstable_by_key(|&((ts, i, _), _)| (ts, i));
    let mut full = Vec::with_capacity(in_period.len() + 1);
    let mut prorated = Vec::with_capacity(in_period.len() + 1);
    if !persisted.is_zero() {
        full.push(persisted);
        prorated.push(decimal::mul(persisted, persisted_ratio, "prorated sum")?);
    }
    for ((_, _, v), weighted) in in_period {
        full.push(v);
        prorated.push(weighted);
    }
    Ok((full, prorated))
}

/// `days / charges_duration` for the events persisted before the period, through an f64 as Lago does.
fn persisted_ratio(period: &Period, duration: i64) -> Result<Decimal> {
    let days = date_diff_with_timezone(period);
    // Both are small whole numbers of days, exactly representable as f64.
    let ratio = days as f64 / duration as f64;
    crate::decimal::parse(&format!("{ratio}")).ok_or_else(|| Error::Overflow {
        what: "prorated sum persisted ratio".to_owned(),
    })
}

/// Lago's `date_diff_with_timezone(from, to)`: whole days (rounded up) between the two instants once
/// the difference of their UTC offsets is taken out, a `to` at local midnight counting one day more.
fn date_diff_with_timezone(period: &Period) -> i64 {
    let tz = &period.time_zone;
    let from = period.from_datetime;
    let mut to = period.to_datetime;
    let local_to = tz.to_datetime(to);
    if local_to.time() == jiff::civil::Time::midnight() {
        to = to.checked_add(SignedDuration::from_secs(1)).unwrap_or(to);
    }
    let offset =
        i128::from(tz.to_offset(from).seconds() - tz.to_offset(to).seconds()) * 1_000_000_000;
    ceil_days(to.as_nanosecond() - from.as_nanosecond() - offset)
}
