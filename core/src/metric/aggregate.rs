//! Aggregating a period's events into units, as Lago's aggregation services and event store do.
//!
//! Which events count follows Lago's Postgres event store: the event's `code` is the metric's, its
//! `timestamp` lies in `[from_datetime, to_datetime]` (both ends included, `from_datetime` truncated to
//! the millisecond), the charge filter bucket accepts it, and — for sum, max, latest and weighted sum —
//! the aggregated property is present and a plain decimal (see [`crate::metric::value`]); events that
//! fail the last test are skipped, not counted as zero. Recurring sum and unique count metrics have no
//! lower bound: every earlier event still counts. Events are expected deduplicated already
//! ([`crate::metric::deduplicate`]); ties on timestamps are broken by their order in the slice (Lago's
//! `created_at`).
//!
//! Sum, count and max are one pass without allocation; latest is one pass; unique count, weighted sum
//! and custom sort the period's rows once.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::RoundingStrategy;
use serde_json::{Map, Value};

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::metric::custom::{self, CustomAggregator, CustomState};
use crate::metric::expression::ExpressionValue;
use crate::metric::filter::EventFilter;
use crate::metric::value::{self, numeric_text};
use crate::metric::{AggregationType, Metric, prorated, unique_count, weighted_sum};

const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// The billing period an aggregation covers.
///
/// ```
/// use lagom_core::metric::Period;
/// let from = lagom_core::time::parse("2024-02-01T00:00:00Z").unwrap();
/// let to = lagom_core::time::parse("2024-02-29T23:59:59Z").unwrap();
/// assert_eq!(Period::new(from, to).charges_duration().unwrap(), 29);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub from_datetime: Timestamp,
    pub to_datetime: Timestamp,
    /// Days in the full charges period (Lago's `charges_duration`); weighted sums and prorated charges
    /// divide by it. `None` means the calendar days from `from_datetime` to `to_datetime` in `time_zone`.
    pub charges_duration: Option<u32>,
    /// The customer's time zone: proration counts calendar days in it.
    pub time_zone: TimeZone,
}

impl Period {
    /// A period in UTC whose charges duration is its own length in days.
    ///
    /// ```
    /// let from = lagom_core::time::parse("2024-01-01T00:00:00Z").unwrap();
    /// let to = lagom_core::time::parse("2024-01-31T23:59:59Z").unwrap();
    /// let period = lagom_core::metric::Period::new(from, to);
    /// assert_eq!(period.charges_duration, None);
    /// assert_eq!(period.time_zone, jiff::tz::TimeZone::UTC);
    /// ```
    pub fn new(from_datetime: Timestamp, to_datetime: Timestamp) -> Self {
        Period {
            from_datetime,
            to_datetime,
            charges_duration: None,
            time_zone: TimeZone::UTC,
        }
    }

    /// The charges duration in days: the given one, else the calendar days the period spans in its
    /// time zone.
    ///
    /// ```
    /// use lagom_core::metric::Period;
    /// let from = lagom_core::time::parse("2024-01-01T05:00:00Z").unwrap();
    /// let to = lagom_core::time::parse("2024-01-02T04:59:59Z").unwrap();
    /// let mut period = Period::new(from, to);
    /// assert_eq!(period.charges_duration().unwrap(), 2); // two UTC dates
    /// period.time_zone = lagom_core::time::time_zone("America/New_York", "timezone").unwrap();
    /// assert_eq!(period.charges_duration().unwrap(), 1); // one New York date
    /// period.charges_duration = Some(0);
    /// assert!(period.charges_duration().is_err());
    /// ```
    pub fn charges_duration(&self) -> Result<i64> {
        match self.charges_duration {
            Some(0) => Err(Error::invalid(
                "charges_duration",
                "must be at least one day",
            )),
            Some(days) => Ok(i64::from(days)),
            None => Ok(days_between(
                self.local_date(self.from_datetime),
                self.local_date(self.to_datetime),
            ) + 1),
        }
    }

    /// Lago's store truncates `from_datetime` to the millisecond before comparing.
    pub(crate) fn lower_bound(&self) -> Timestamp {
        let nanos = self.from_datetime.as_nanosecond();
        Timestamp::from_nanosecond(nanos - nanos.rem_euclid(1_000_000))
            .unwrap_or(self.from_datetime)
    }

    pub(crate) fn local_date(&self, ts: Timestamp) -> Date {
        self.time_zone.to_datetime(ts).date()
    }
}

/// Days from `a` to `b` (negative when `b` is earlier).
pub(crate) fn days_between(a: Date, b: Date) -> i64 {
    epoch_day(b) - epoch_day(a)
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn epoch_day(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whole-day ceiling of a duration in nanoseconds (Ruby's `fdiv(1.day).ceil`).
pub(crate) fn ceil_days(nanos: i128) -> i64 {
    let days = nanos.div_euclid(NANOS_PER_DAY) + i128::from(nanos.rem_euclid(NANOS_PER_DAY) != 0);
    i64::try_from(days).unwrap_or(i64::MAX)
}

/// What to aggregate beyond the metric and the period: the charge's filter bucket, its grouping keys,
/// whether it is prorated, and the custom aggregator for `custom_agg` metrics.
///
/// ```
/// let request = lagom_core::metric::AggregationRequest::default();
/// assert!(request.grouped_by.is_empty() && !request.prorated);
/// ```
#[derive(Default)]
pub struct AggregationRequest<'a> {
    pub filter: EventFilter,
    pub grouped_by: Vec<String>,
    pub prorated: bool,
    /// Collect [`Aggregation::event_values`] (costs a sort; charge models that price per event need it).
    pub event_values: bool,
    pub custom: Option<&'a dyn CustomAggregator>,
    /// The charge's `custom_properties`, handed to the custom aggregator.
    pub custom_properties: Map<String, Value>,
}

/// Lago's aggregation result for one set of events (the whole bucket, or one group of it).
///
/// ```
/// let empty = lagom_core::metric::Aggregation::default();
/// assert!(empty.aggregation.is_zero() && empty.count.is_zero());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Aggregation {
    /// The units to price, rounded by the metric's rounding rule.
    pub aggregation: Decimal,
    /// The number of events aggregated (for unique count: the units, as Lago reports it).
    pub count: Decimal,
    /// Prorated charges: the units without proration (rounded like `aggregation`).
    pub full_units_number: Option<Decimal>,
    /// Weighted sums: the units active at the end of the period (the variation, plus the previous
    /// total for recurring metrics).
    pub total_aggregated_units: Option<Decimal>,
    /// Custom aggregations: the amount the aggregator computed.
    pub custom_amount: Option<Decimal>,
    /// Sums: the total of the events' `precise_total_amount_cents` (the dynamic charge model's price).
    pub precise_total_amount_cents: Option<Decimal>,
    /// When requested: each in-period event's value in timestamp order, as Lago's per-event aggregation
    /// gives it (1 per event for count and unique count, the value for sum, latest and weighted sum,
    /// the first maximum and zeros for max). A prorated sum puts the total of the events before the
    /// period first, when not zero.
    pub event_values: Vec<Decimal>,
    /// Prorated sums, when event values are requested: the prorated value of each of
    /// `event_values`, in the same order (Lago's `event_prorated_aggregation`).
    pub prorated_event_values: Vec<Decimal>,
}

/// One group of a grouped aggregation (see [`AggregationResult`] for an example).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    /// Each grouping key with the group's value (`None` for a missing or empty property).
    pub grouped_by: Vec<(String, Option<String>)>,
    pub aggregation: Aggregation,
}

/// The result of [`Metric::aggregate`].
///
/// ```
/// use lagom_core::metric::{AggregationRequest, BillableMetric, Period};
/// let metric: BillableMetric =
///     serde_json::from_str(r#"{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}"#).unwrap();
/// let events: Vec<lagom_core::event::Event> = serde_json::from_str(r#"[
///     {"transaction_id": "1", "code": "calls", "timestamp": "2024-01-05T00:00:00Z", "properties": {"team": "b"}},
///     {"transaction_id": "2", "code": "calls", "timestamp": "2024-01-06T00:00:00Z"},
///     {"transaction_id": "3", "code": "calls", "timestamp": "2024-01-07T00:00:00Z", "properties": {"team": "a"}}
/// ]"#).unwrap();
/// let period = Period::new(
///     lagom_core::time::parse("2024-01-01T00:00:00Z").unwrap(),
///     lagom_core::time::parse("2024-01-31T23:59:59Z").unwrap(),
/// );
/// let request = AggregationRequest { grouped_by: vec!["team".into()], ..Default::default() };
/// let result = metric.check().unwrap().aggregate(&events, &period, &request).unwrap();
/// assert_eq!(result.total.count, 3.into());
/// let groups: Vec<_> = result.groups.unwrap().into_iter().map(|g| g.grouped_by[0].1.clone()).collect();
/// assert_eq!(groups, [None, Some("a".to_string()), Some("b".to_string())]); // missing values first
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AggregationResult {
    /// The aggregation of every event of the bucket, groups ignored.
    pub total: Aggregation,
    /// With grouping keys: one result per group, missing values first, then ascending.
    pub groups: Option<Vec<GroupResult>>,
}

/// A group's key: each grouping property's text, `None` for a missing or empty one.
type GroupKey = Vec<Option<String>>;

impl Metric {
    /// Aggregates `events` (the subscription's events, deduplicated, earlier periods included) over
    /// `period`. Errors about an event name it as `events[i]`, `i` its index in `events`.
    ///
    /// ```
    /// use lagom_core::metric::{AggregationRequest, BillableMetric, Period};
    /// use lagom_core::event::Event;
    /// let metric: BillableMetric = serde_json::from_str(
    ///     r#"{"name": "Storage", "code": "gb", "aggregation_type": "sum_agg", "field_name": "gb"}"#,
    /// ).unwrap();
    /// let events: Vec<Event> = serde_json::from_str(r#"[
    ///     {"transaction_id": "1", "code": "gb", "timestamp": "2024-01-05T00:00:00Z", "properties": {"gb": "2.5"}},
    ///     {"transaction_id": "2", "code": "gb", "timestamp": "2024-01-09T00:00:00Z", "properties": {"gb": 4}},
    ///     {"transaction_id": "3", "code": "gb", "timestamp": "2024-02-01T00:00:00Z", "properties": {"gb": 100}}
    /// ]"#).unwrap();
    /// let period = Period::new(
    ///     lagom_core::time::parse("2024-01-01T00:00:00Z").unwrap(),
    ///     lagom_core::time::parse("2024-01-31T23:59:59Z").unwrap(),
    /// );
    /// let result = metric.check().unwrap().aggregate(&events, &period, &AggregationRequest::default()).unwrap();
    /// assert_eq!(lagom_core::decimal::to_text(result.total.aggregation), "6.5");
    /// assert_eq!(result.total.count, 2.into());
    /// ```
    pub fn aggregate<E: Borrow<Event>>(
        &self,
        events: &[E],
        period: &Period,
        request: &AggregationRequest,
    ) -> Result<AggregationResult> {
        let candidates: Vec<(usize, &Event)> = events
            .iter()
            .map(Borrow::borrow)
            .enumerate()
            .filter(|(_, e)| {
                e.code == self.code
                    && (request.filter.is_all() || request.filter.accepts(&e.properties))
            })
            .collect();
        self.aggregate_candidates(&candidates, period, request)
    }

    /// [`Metric::aggregate`] over the candidate events (right code, in the bucket) with their
    /// indexes. Not generic, and every aggregation reads its rows as one type: each per-type
    /// computation is compiled once, which keeps the wasm package small.
    fn aggregate_candidates(
        &self,
        candidates: &[(usize, &Event)],
        period: &Period,
        request: &AggregationRequest,
    ) -> Result<AggregationResult> {
        let ctx = Context {
            metric: self,
            period,
            request,
            lower: period.lower_bound(),
        };
        ctx.check_request()?;
        let (total, _) = ctx.aggregate_rows(candidates, false)?;
        let total = ctx.round(total)?;
        if request.grouped_by.is_empty() {
            return Ok(AggregationResult {
                total,
                groups: None,
            });
        }
        let mut groups: BTreeMap<GroupKey, Vec<(usize, &Event)>> = BTreeMap::new();
        for &(i, event) in candidates {
            groups
                .entry(group_key(&request.grouped_by, event))
                .or_default()
                .push((i, event));
        }
        let mut results = Vec::with_capacity(groups.len());
        for (key, rows) in groups {
            let (aggregation, present) = ctx.aggregate_rows(&rows, true)?;
            if present {
                let grouped_by = request.grouped_by.iter().cloned().zip(key).collect();
                results.push(GroupResult {
                    grouped_by,
                    aggregation: ctx.round(aggregation)?,
                });
            }
        }
        if results.is_empty() {
            // Lago's empty grouped result: one group with every key null and zero units.
            let grouped_by = request
                .grouped_by
                .iter()
                .map(|k| (k.clone(), None))
                .collect();
            results.push(GroupResult {
                grouped_by,
                aggregation: Aggregation::default(),
            });
        }
        Ok(AggregationResult {
            total,
            groups: Some(results),
        })
    }
}

fn group_key(keys: &[String], event: &Event) -> GroupKey {
    keys.iter()
        .map(|key| {
            value::property_text(&event.properties, key)
                .filter(|t| !t.is_empty())
                .map(Cow::into_owned)
        })
        .collect()
}

/// One aggregation's settings, shared by the per-type computations.
pub(crate) struct Context<'a> {
    pub metric: &'a Metric,
    pub period: &'a Period,
    pub request: &'a AggregationRequest<'a>,
    /// The period's lower bound as Lago's store compares it, computed once (see [`Period::lower_bound`]).
    pub lower: Timestamp,
}

impl Context<'_> {
    /// Whether an instant lies in the period, both ends included.
    pub fn in_period(&self, ts: Timestamp) -> bool {
        ts >= self.lower && ts <= self.period.to_datetime
    }

    fn check_request(&self) -> Result<()> {
        let agg = self.metric.aggregation_type;
        if self.request.prorated && (!self.metric.recurring || agg == AggregationType::WeightedSum)
        {
            return Err(Error::invalid(
                "prorated",
                "a prorated charge needs a recurring billable metric that is not weighted_sum_agg",
            ));
        }
        if agg == AggregationType::Custom && self.request.custom.is_none() {
            return Err(Error::invalid(
                "aggregation_type",
                "custom_agg needs a custom aggregator (a wasm plugin or a JS callback), and none is registered",
            ));
        }
        Ok(())
    }

    /// Aggregates candidate events (right code, in the bucket) and says whether Lago would list the
    /// result as a group (it saw at least one row). `in_group`: the rows are one group of a grouped
    /// aggregation (Lago's grouped SQL differs in one place, see [`unique_count::prorated`]).
    fn aggregate_rows(
        &self,
        rows: &[(usize, &Event)],
        in_group: bool,
    ) -> Result<(Aggregation, bool)> {
        let rows = rows.iter().copied();
        let prorated = self.request.prorated;
        match self.metric.aggregation_type {
            AggregationType::Count => Ok(self.count(rows)),
            AggregationType::Sum if prorated => prorated::sum(self, rows),
            AggregationType::Sum => self.sum(rows),
            AggregationType::Max => self.max(rows),
            AggregationType::Latest => self.latest(rows),
            AggregationType::UniqueCount if prorated => {
                unique_count::prorated(self, rows, in_group)
            }
            AggregationType::UniqueCount => unique_count::plain(self, rows),
            AggregationType::WeightedSum => weighted_sum::aggregate(self, rows),
            AggregationType::Custom => self.custom(rows),
        }
    }

    fn round(&self, mut aggregation: Aggregation) -> Result<Aggregation> {
        if let Some(rounding) = self.metric.rounding {
            aggregation.aggregation = rounding.apply(aggregation.aggregation)?;
            aggregation.full_units_number = aggregation
                .full_units_number
                .map(|u| rounding.apply(u))
                .transpose()?;
        }
        Ok(aggregation)
    }

    /// The event's value for numeric aggregations: the expression's result when the metric has one,
    /// else the property; `None` when Lago's store would leave the event out.
    pub fn numeric(&self, index: usize, event: &Event) -> Result<Option<Decimal>> {
        let at_event = |e: Error| e.within(&format!("events[{index}]"));
        if let Some(expression) = &self.metric.expression {
            return match expression.evaluate(event).map_err(at_event)? {
                ExpressionValue::Number(n) => Ok(Some(n)),
                ExpressionValue::Text(text) => {
                    numeric_text(&text).map_err(|e| at_event(e.within("expression")))
                }
            };
        }
        match &self.metric.field_name {
            Some(field) => value::numeric_property(&event.properties, field).map_err(at_event),
            None => Ok(None),
        }
    }

    /// The event's value as text, for unique counts (`None`: a missing property, itself one value).
    pub fn text<'e>(&self, index: usize, event: &'e Event) -> Result<Option<Cow<'e, str>>> {
        if let Some(expression) = &self.metric.expression {
            let value = expression
                .evaluate(event)
                .map_err(|e| e.within(&format!("events[{index}]")))?;
            return Ok(Some(Cow::Owned(match value {
                ExpressionValue::Number(n) => decimal::to_text(n),
                ExpressionValue::Text(text) => text,
            })));
        }
        Ok(self
            .metric
            .field_name
            .as_deref()
            .and_then(|field| value::property_text(&event.properties, field)))
    }

    /// The in-period rows with a numeric value, in the given order.
    fn numeric_in_period<'e>(
        &self,
        rows: impl Iterator<Item = (usize, &'e Event)>,
    ) -> impl Iterator<Item = Result<(usize, &'e Event, Decimal)>> {
        rows.filter(|(_, e)| self.in_period(e.timestamp))
            .filter_map(|(i, e)| self.numeric(i, e).map(|v| v.map(|v| (i, e, v))).transpose())
    }

    fn count<'e>(&self, rows: impl Iterator<Item = (usize, &'e Event)>) -> (Aggregation, bool) {
        let count = rows.filter(|(_, e)| self.in_period(e.timestamp)).count();
        let aggregation = Aggregation {
            aggregation: Decimal::from(count),
            count: Decimal::from(count),
            event_values: if self.request.event_values {
                vec![Decimal::ONE; count]
            } else {
                Vec::new()
            },
            ..Aggregation::default()
        };
        (aggregation, count > 0)
    }

    fn sum<'e>(
        &self,
        rows: impl Iterator<Item = (usize, &'e Event)>,
    ) -> Result<(Aggregation, bool)> {
        let lower = (!self.metric.recurring).then_some(self.lower);
        let mut total = Decimal::ZERO;
        let mut cents = Decimal::ZERO;
        let mut count: u64 = 0;
        let mut values: Vec<TimedValue> = Vec::new();
        for (i, e) in rows {
            if e.timestamp > self.period.to_datetime || lower.is_some_and(|l| e.timestamp < l) {
                continue;
            }
            let Some(v) = self.numeric(i, e)? else {
                continue;
            };
            total = decimal::add(total, v, "sum of event values")?;
            if let Some(c) = e.precise_total_amount_cents {
                cents = decimal::add(cents, c, "sum of precise_total_amount_cents")?;
            }
            count += 1;
            // Lago's per-event values start at the period even for recurring metrics.
            if self.request.event_values && self.in_period(e.timestamp) {
                values.push((e.timestamp, i, v));
            }
        }
        let aggregation = Aggregation {
            aggregation: total,
            count: Decimal::from(count),
            precise_total_amount_cents: Some(cents),
            event_values: in_time_order(values),
            ..Aggregation::default()
        };
        Ok((aggregation, count > 0))
    }

    /// One pass over the in-period rows with a numeric value: counts them, keeps their values when
    /// requested, and folds each into `state`.
    fn scan_numeric<'e, S>(
        &self,
        rows: impl Iterator<Item = (usize, &'e Event)>,
        mut state: S,
        mut step: impl FnMut(&mut S, Timestamp, usize, Decimal),
    ) -> Result<(S, u64, Vec<TimedValue>)> {
        let mut count: u64 = 0;
        let mut values = Vec::new();
        for row in self.numeric_in_period(rows) {
            let (i, e, v) = row?;
            step(&mut state, e.timestamp, i, v);
            count += 1;
            if self.request.event_values {
                values.push((e.timestamp, i, v));
            }
        }
        Ok((state, count, values))
    }

    fn max<'e>(
        &self,
        rows: impl Iterator<Item = (usize, &'e Event)>,
    ) -> Result<(Aggregation, bool)> {
        let (max, count, values) =
            self.scan_numeric(rows, None, |max: &mut Option<Decimal>, _, _, v| {
                *max = Some(max.map_or(v, |m| m.max(v)));
            })?;
        let max = max.unwrap_or(Decimal::ZERO);
        // Per event, Lago keeps the first event holding the maximum and gives the others zero.
        let mut seen = false;
        let event_values = in_time_order(values)
            .into_iter()
            .map(|v| {
                if !seen && v == max {
                    seen = true;
                    v
                } else {
                    Decimal::ZERO
                }
            })
            .collect();
        let aggregation = Aggregation {
            aggregation: max,
            count: Decimal::from(count),
            event_values,
            ..Aggregation::default()
        };
        Ok((aggregation, count > 0))
    }

    fn latest<'e>(
        &self,
        rows: impl Iterator<Item = (usize, &'e Event)>,
    ) -> Result<(Aggregation, bool)> {
        let (latest, count, values) =
            self.scan_numeric(rows, None, |latest: &mut Option<TimedValue>, ts, i, v| {
                // The newest timestamp wins; on a tie, the event ingested last.
                if latest.is_none_or(|(newest, j, _)| (ts, i) > (newest, j)) {
                    *latest = Some((ts, i, v));
                }
            })?;
        // Lago reports a negative latest value as zero units.
        let value = latest.map_or(Decimal::ZERO, |(_, _, v)| v.max(Decimal::ZERO));
        let aggregation = Aggregation {
            aggregation: value,
            count: Decimal::from(count),
            event_values: in_time_order(values),
            ..Aggregation::default()
        };
        Ok((aggregation, count > 0))
    }

    fn custom<'e>(
        &self,
        rows: impl Iterator<Item = (usize, &'e Event)>,
    ) -> Result<(Aggregation, bool)> {
        let Some(aggregator) = self.request.custom else {
            return Err(Error::invalid(
                "aggregation_type",
                "custom_agg needs a custom aggregator",
            ));
        };
        let lower = self.lower;
        let mut earlier = Vec::new();
        let mut in_period = Vec::new();
        for (i, e) in rows.filter(|(_, e)| e.timestamp <= self.period.to_datetime) {
            if e.timestamp >= lower {
                in_period.push((e.timestamp, i, e));
            } else if self.metric.recurring {
                earlier.push((e.timestamp, i, e));
            }
        }
        earlier.sort_unstable_by_key(|&(ts, i, _)| (ts, i));
        in_period.sort_unstable_by_key(|&(ts, i, _)| (ts, i));
        let properties = &self.request.custom_properties;
        // A recurring custom metric resumes from the state its earlier events left.
        let start = custom::fold(
            aggregator,
            properties,
            CustomState::default(),
            earlier.iter().map(|&(_, i, e)| (i, e)),
        )?;
        let state = custom::fold(
            aggregator,
            properties,
            start,
            in_period.iter().map(|&(_, i, e)| (i, e)),
        )?;
        let count = in_period.len();
        let aggregation = Aggregation {
            aggregation: state.total_units,
            count: Decimal::from(count),
            custom_amount: Some(state.amount),
            ..Aggregation::default()
        };
        Ok((aggregation, count > 0))
    }
}

/// An event's value with its timestamp and ingestion order (its index), for sorting.
pub(crate) type TimedValue = (Timestamp, usize, Decimal);

/// Values sorted by (timestamp, ingestion order).
pub(crate) fn in_time_order(mut rows: Vec<TimedValue>) -> Vec<Decimal> {
    rows.sort_unstable_by_key(|&(ts, i, _)| (ts, i));
    rows.into_iter().map(|(_, _, v)| v).collect()
}

/// Postgres' `numeric / numeric` for non-negative integers: the quotient rounded half away from zero
/// to the scale Postgres picks (at least 16 significant digits), which Lago's proration SQL relies on.
pub(crate) fn pg_divide(dividend: i64, divisor: i64, what: &str) -> Result<Decimal> {
    // Weight (base-10000 digits minus one) and first base-10000 digit of a non-negative integer.
    fn weight_and_first(n: i64) -> (i64, i64) {
        let (mut weight, mut first) = (0, n);
        while first >= 10_000 {
            first /= 10_000;
            weight += 1;
        }
        (weight, first)
    }
    let (w1, f1) = weight_and_first(dividend);
    let (w2, f2) = weight_and_first(divisor);
    let qweight = w1 - w2 - i64::from(f1 <= f2);
    let scale = (16 - qweight * 4).clamp(0, 28);
    let quotient = decimal::div(Decimal::from(dividend), Decimal::from(divisor), what)?;
    Ok(quotient.round_dp_with_strategy(
        scale.unsigned_abs() as u32,
        RoundingStrategy::MidpointAwayFromZero,
    ))
}

/// `value.ceil(digits)` as Ruby's BigDecimal does it.
pub(crate) fn ceil_dp(value: Decimal, digits: u32) -> Decimal {
    value.round_dp_with_strategy(digits, RoundingStrategy::ToPositiveInfinity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_division_scale() {
        let d = |t: &str| t.parse::<Decimal>().unwrap();
        // 16/31 gets 20 decimals in Postgres (first digits 16 <= 31), rounded half up.
        assert_eq!(pg_divide(16, 31, "t").unwrap(), d("0.51612903225806451613"));
        assert_eq!(pg_divide(31, 31, "t").unwrap(), Decimal::ONE);
        // 32/31: first digits 32 > 31, one digit of weight more, so 16 decimals.
        assert_eq!(pg_divide(32, 31, "t").unwrap(), d("1.0322580645161290"));
        assert_eq!(pg_divide(0, 31, "t").unwrap(), Decimal::ZERO);
    }

    #[test]
    fn calendar_days() {
        let date = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(epoch_day(date("1970-01-01")), 0);
        assert_eq!(days_between(date("2024-02-01"), date("2024-03-01")), 29);
        assert_eq!(days_between(date("2023-12-31"), date("2024-01-01")), 1);
        assert_eq!(ceil_days(1), 1);
        assert_eq!(ceil_days(NANOS_PER_DAY), 1);
        assert_eq!(ceil_days(0), 0);
    }

    fn per_event(aggregation_type: &str, field: &str) -> Aggregation {
        let metric: crate::metric::BillableMetric = serde_json::from_value(serde_json::json!({
            "name": "M", "code": "m", "aggregation_type": aggregation_type, "field_name": field,
            "weighted_interval": (aggregation_type == "weighted_sum_agg").then_some("seconds")
        }))
        .unwrap();
        let events: Vec<Event> = serde_json::from_value(serde_json::json!([
            {"transaction_id": "1", "code": "m", "timestamp": "2024-01-20T00:00:00Z", "properties": {"v": 7}, "precise_total_amount_cents": "12.5"},
            {"transaction_id": "2", "code": "m", "timestamp": "2024-01-10T00:00:00Z", "properties": {"v": 9}},
            {"transaction_id": "3", "code": "m", "timestamp": "2024-01-15T00:00:00Z", "properties": {"v": 9}, "precise_total_amount_cents": 100},
            {"transaction_id": "4", "code": "m", "timestamp": "2024-01-16T00:00:00Z", "properties": {"v": "none"}},
            {"transaction_id": "5", "code": "m", "timestamp": "2024-02-16T00:00:00Z", "properties": {"v": 1}}
        ]))
        .unwrap();
        let period = Period::new(
            crate::time::parse("2024-01-01T00:00:00Z").unwrap(),
            crate::time::parse("2024-01-31T23:59:59Z").unwrap(),
        );
        let request = AggregationRequest {
            event_values: true,
            ..AggregationRequest::default()
        };
        metric
            .check()
            .unwrap()
            .aggregate(&events, &period, &request)
            .unwrap()
            .total
    }

    #[test]
    fn per_event_values_in_time_order() {
        let values = |agg: &str| {
            per_event(agg, "v")
                .event_values
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        };
        // In-period numeric events by timestamp: Jan 10 → 9, Jan 15 → 9, Jan 20 → 7 (Jan 16's "none" is skipped).
        assert_eq!(values("sum_agg"), ["9", "9", "7"]);
        assert_eq!(values("latest_agg"), ["9", "9", "7"]);
        assert_eq!(values("weighted_sum_agg"), ["9", "9", "7"]);
        // Max: the first event holding the maximum keeps it, the others get zero.
        assert_eq!(values("max_agg"), ["9", "0", "0"]);
        // Count and unique count: one unit per in-period event, whatever its value (4 events).
        assert_eq!(values("count_agg"), ["1", "1", "1", "1"]);
        assert_eq!(values("unique_count_agg"), ["1", "1", "1", "1"]);
    }

    #[test]
    fn sums_total_the_precise_amounts() {
        // Jan 20's 12.5 and Jan 15's 100; Jan 10 has none.
        assert_eq!(
            per_event("sum_agg", "v").precise_total_amount_cents,
            Some(Decimal::new(1125, 1))
        );
        assert_eq!(per_event("max_agg", "v").precise_total_amount_cents, None);
    }

    #[test]
    fn values_are_only_collected_on_request() {
        let metric: crate::metric::BillableMetric =
            serde_json::from_value(serde_json::json!({"name": "M", "code": "m", "aggregation_type": "sum_agg", "field_name": "v"})).unwrap();
        let events: Vec<Event> = serde_json::from_value(serde_json::json!([
            {"transaction_id": "1", "code": "m", "timestamp": "2024-01-20T00:00:00Z", "properties": {"v": 7}}
        ]))
        .unwrap();
        let period = Period::new(
            crate::time::parse("2024-01-01T00:00:00Z").unwrap(),
            crate::time::parse("2024-01-31T23:59:59Z").unwrap(),
        );
        let result = metric
            .check()
            .unwrap()
            .aggregate(&events, &period, &AggregationRequest::default())
            .unwrap();
        assert!(result.total.event_values.is_empty());
        assert_eq!(result.total.aggregation, Decimal::from(7));
    }
}
