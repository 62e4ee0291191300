//! `weighted_sum_agg`: units weighted by how long they were active in the period.
//!
//! Lago's query puts a row at `from_datetime` holding the starting total (for a recurring metric, the
//! running total left by the earlier events; zero otherwise), the period's events in timestamp order,
//! and a zero row at `to_datetime` rounded up to the whole second. Each row's running total is weighted
//! by the seconds until the next row, over the charges duration in seconds:
//! `Σ running_total × seconds_until_next / (charges_duration × 86400)`, rounded up at 20 decimals.
//! The variation is the sum of the period's values; the units active at the end
//! (`total_aggregated_units`) are the variation plus, for recurring metrics, the starting total.
//!
//! The same sum, regrouped by value, is `starting_total × seconds(from, end) + Σ value ×
//! seconds(event, end)`: each value stays in the running total from its event to the end. That form
//! needs no sort, and with exact decimals it gives the same number.

use jiff::{SignedDuration, Timestamp};

use crate::decimal::{self, Decimal};
use crate::error::Result;
use crate::event::Event;
use crate::metric::aggregate::{Aggregation, Context, TimedValue, ceil_dp, in_time_order};

pub(crate) fn aggregate<'e>(
    ctx: &Context,
    rows: impl Iterator<Item = (usize, &'e Event)>,
) -> Result<(Aggregation, bool)> {
    let period = ctx.period;
    let recurring = ctx.metric.recurring();
    // Lago reads the starting total from the events up to one second before the period.
    let previous_end = period
        .from_datetime
        .checked_sub(SignedDuration::from_secs(1))
        .unwrap_or(Timestamp::MIN);
    let what = "weighted sum";
    let end = ceil_to_second(period.to_datetime);
    let mut initial = Decimal::ZERO;
    let mut has_previous = false;
    let mut weighted = Decimal::ZERO;
    let mut variation = Decimal::ZERO;
    let mut count: u64 = 0;
    let mut values: Vec<TimedValue> = Vec::new();
    for (i, e) in rows {
        let in_period = ctx.in_period(e.timestamp);
        let starts_the_total = recurring && e.timestamp <= previous_end;
        if !in_period && !starts_the_total {
            continue;
        }
        let Some(v) = ctx.numeric(i, e)? else {
            continue;
        };
        if in_period {
            let active = decimal::mul(v, seconds_between(e.timestamp, end), what)?;
            weighted = decimal::add(weighted, active, what)?;
            variation = decimal::add(variation, v, what)?;
            count += 1;
            if ctx.request.event_values {
                values.push((e.timestamp, i, v));
            }
        } else {
            initial = decimal::add(initial, v, "weighted sum starting total")?;
            has_previous = true;
        }
    }
    let carried = decimal::mul(initial, seconds_between(ctx.lower, end), what)?;
    weighted = decimal::add(weighted, carried, what)?;
    let duration_seconds = decimal::mul(
        Decimal::from(period.charges_duration()?),
        Decimal::from(86_400),
        what,
    )?;

    let aggregation = Aggregation {
        aggregation: ceil_dp(decimal::div(weighted, duration_seconds, what)?, 20),
        count: Decimal::from(count),
        total_aggregated_units: Some(if recurring {
            decimal::add(initial, variation, what)?
        } else {
            variation
        }),
        event_values: in_time_order(values),
        ..Aggregation::default()
    };
    Ok((aggregation, count > 0 || has_previous))
}

/// Ruby's `Time#ceil`: up to the next whole second unless already whole.
fn ceil_to_second(ts: Timestamp) -> Timestamp {
    let nanos = ts.as_nanosecond();
    let rem = nanos.rem_euclid(1_000_000_000);
    if rem == 0 {
        ts
    } else {
        Timestamp::from_nanosecond(nanos - rem + 1_000_000_000).unwrap_or(ts)
    }
}

/// Seconds from `a` to `b`, exact to the nanosecond.
fn seconds_between(a: Timestamp, b: Timestamp) -> Decimal {
    let nanos = b.as_nanosecond() - a.as_nanosecond();
    // Two jiff timestamps are less than 2^96 nanoseconds apart, so this never fails.
    Decimal::try_from_i128_with_scale(nanos, 9).unwrap_or(Decimal::ZERO)
}
