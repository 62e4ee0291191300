//! `unique_count_agg`: distinct values of a property, with Lago's `operation_type` add/remove.
//!
//! Each event adds its value (`operation_type` missing or `add`) or removes it (any other text, in
//! practice `remove`). Per value, in timestamp order, an operation counts only when it differs from the
//! previous one (the first is compared with `remove`): an add counts +1, a remove −1, repeats 0. A
//! missing property is one value of its own, as in Lago's SQL. Recurring metrics count from the first
//! event ever, others from the start of the period.
//!
//! Prorated (recurring) charges weigh each counted add by the calendar days, in the customer's time
//! zone, from it (or the period start) to the value's next counted remove (or the period end), over
//! the charges duration; a remove followed the same day by an add of the same value is skipped first.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::decimal::{self, Decimal};
use crate::error::Result;
use crate::event::Event;
use crate::metric::aggregate::{Aggregation, Context, ceil_dp, days_between, pg_divide};
use crate::metric::hash::{FastMap, FastSet};
use crate::metric::value::property_text;

/// One event as the unique count sees it.
struct Row<'e> {
    timestamp: Timestamp,
    index: usize,
    value: Option<Cow<'e, str>>,
    adds: bool,
    in_period: bool,
}

/// Whether Lago's unique count reads the event: up to the period end, and from the period start
/// unless the metric is recurring.
fn in_window(ctx: &Context, event: &Event) -> bool {
    event.timestamp <= ctx.period.to_datetime
        && (ctx.metric.recurring() || event.timestamp >= ctx.lower)
}

/// Lago's `COALESCE(operation_type, 'add') = 'add'`.
fn adds(event: &Event) -> bool {
    property_text(&event.properties, "operation_type").is_none_or(|op| op == "add")
}

/// The rows Lago's unique count reads, in the given order.
fn rows<'e>(
    ctx: &Context,
    events: impl Iterator<Item = (usize, &'e Event)>,
) -> Result<Vec<Row<'e>>> {
    let mut rows = Vec::new();
    for (index, e) in events.filter(|(_, e)| in_window(ctx, e)) {
        rows.push(Row {
            timestamp: e.timestamp,
            index,
            value: ctx.text(index, e)?,
            adds: adds(e),
            in_period: e.timestamp >= ctx.lower,
        });
    }
    Ok(rows)
}

fn sort(rows: &mut [Row]) {
    rows.sort_unstable_by_key(|r| (r.timestamp, r.index));
}

/// Whether each row's operation counts (+1 / −1) or repeats the previous one (0), per value.
fn adjusted<'r>(
    rows: impl Iterator<Item = &'r Row<'r>>,
) -> impl Iterator<Item = (&'r Row<'r>, i64)> {
    let mut last_adds: FastMap<&Option<Cow<'r, str>>, bool> = FastMap::default();
    rows.map(move |row| {
        let previous_adds = last_adds.insert(&row.value, row.adds).unwrap_or(false);
        let change = match (previous_adds == row.adds, row.adds) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => -1,
        };
        (row, change)
    })
}

/// The units of rows in time order.
fn units_of(rows: &[Row]) -> Decimal {
    Decimal::from(adjusted(rows.iter()).map(|(_, change)| change).sum::<i64>())
}

/// One unit per in-period event, when per-event values are requested.
fn event_values(ctx: &Context, in_period: usize) -> Vec<Decimal> {
    if ctx.request.event_values {
        vec![Decimal::ONE; in_period]
    } else {
        Vec::new()
    }
}

fn plain_result(ctx: &Context, units: Decimal, in_period: usize) -> Aggregation {
    Aggregation {
        aggregation: units,
        count: units,
        event_values: event_values(ctx, in_period),
        ..Aggregation::default()
    }
}

pub(crate) fn plain<'e>(
    ctx: &Context,
    events: impl Iterator<Item = (usize, &'e Event)> + Clone,
) -> Result<(Aggregation, bool)> {
    // While every event adds, the units are the distinct values whatever the order: one pass, no
    // sort. The first remove sends the count to the ordered computation.
    let mut distinct: FastSet<Option<Cow<str>>> = FastSet::default();
    let (mut read, mut in_period) = (0, 0);
    let mut only_adds = true;
    for (index, e) in events.clone().filter(|(_, e)| in_window(ctx, e)) {
        if !adds(e) {
            only_adds = false;
            break;
        }
        distinct.insert(ctx.text(index, e)?);
        read += 1;
        in_period += usize::from(e.timestamp >= ctx.lower);
    }
    if only_adds {
        return Ok((
            plain_result(ctx, Decimal::from(distinct.len()), in_period),
            read > 0,
        ));
    }
    let mut rows = rows(ctx, events)?;
    sort(&mut rows);
    let in_period = rows.iter().filter(|r| r.in_period).count();
    Ok((
        plain_result(ctx, units_of(&rows), in_period),
        !rows.is_empty(),
    ))
}

/// `in_group`: Lago's grouped query counts days a little differently from the ungrouped one — it adds
/// one day to every add's span, where the ungrouped one adds a day to the span's end only when the
/// value is still active at the period start. Both are reproduced.
pub(crate) fn prorated<'e>(
    ctx: &Context,
    events: impl Iterator<Item = (usize, &'e Event)>,
    in_group: bool,
) -> Result<(Aggregation, bool)> {
    let mut rows = rows(ctx, events)?;
    sort(&mut rows);
    let full = units_of(&rows);
    let period = ctx.period;
    let from = ctx.lower;
    let duration = period.charges_duration()?;

    let mut by_value: BTreeMap<&Option<Cow<str>>, Vec<&Row>> = BTreeMap::new();
    for row in &rows {
        by_value.entry(&row.value).or_default().push(row);
    }
    let mut total = Decimal::ZERO;
    let mut any_counted = false;
    for value_rows in by_value.values() {
        let counted = counted_operations(ctx, value_rows);
        any_counted |= !counted.is_empty();
        for (k, &(timestamp, adds)) in counted.iter().enumerate() {
            if !adds {
                continue;
            }
            let until = counted.get(k + 1).map_or(period.to_datetime, |&(ts, _)| ts);
            let start = period.local_date(timestamp.max(from));
            let days = if until < from {
                days_between(start, period.local_date(from)) + i64::from(in_group)
            } else if in_group {
                days_between(start, period.local_date(until)) + 1
            } else {
                let next_day = until
                    .checked_add(SignedDuration::from_hours(24))
                    .unwrap_or(until);
                days_between(start, period.local_date(next_day))
            };
            let ratio = pg_divide(days, duration, "prorated unique count")?;
            total = decimal::add(total, ratio, "prorated unique count")?;
        }
    }
    let units = ceil_dp(total, 5);
    let aggregation = Aggregation {
        aggregation: units,
        count: units,
        full_units_number: Some(full),
        event_values: event_values(ctx, rows.iter().filter(|r| r.in_period).count()),
        ..Aggregation::default()
    };
    Ok((aggregation, any_counted))
}

/// One value's operations that change its state, as (timestamp, adds), after Lago's clean-up: a remove
/// followed later the same local day by an add is dropped, repeats are dropped, and identical
/// operations at the same instant are merged.
fn counted_operations(ctx: &Context, rows: &[&Row]) -> Vec<(Timestamp, bool)> {
    let kept: Vec<&Row> = rows
        .iter()
        .enumerate()
        .filter(|&(j, row)| {
            row.adds || {
                let day = ctx.period.local_date(row.timestamp);
                !rows[j + 1..].iter().any(|next| {
                    next.timestamp > row.timestamp
                        && next.adds != row.adds
                        && ctx.period.local_date(next.timestamp) == day
                })
            }
        })
        .map(|(_, row)| *row)
        .collect();
    let mut counted: Vec<(Timestamp, bool)> = Vec::new();
    for (row, change) in adjusted(kept.into_iter()) {
        if change != 0 && !counted.contains(&(row.timestamp, row.adds)) {
            counted.push((row.timestamp, row.adds));
        }
    }
    counted
}
