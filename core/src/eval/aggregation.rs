//! The `aggregation` eval contract: a billable metric, events and a period in; Lago's units out.
//!
//! Input (`charge_filter`, `charge`, `grouped_by`, `previous_period_events`, `charges_duration` and
//! `timezone` are optional):
//!
//! ```json
//! {"billable_metric": {"name": "Storage", "code": "storage", "aggregation_type": "sum_agg", "field_name": "gb"},
//!  "events": [{"transaction_id": "t1", "code": "storage", "timestamp": "2024-01-05T10:00:00Z", "properties": {"gb": 3}}],
//!  "previous_period_events": [],
//!  "from_datetime": "2024-01-01T00:00:00Z", "to_datetime": "2024-01-31T23:59:59Z",
//!  "charge_filter": {"values": {"region": ["eu"]}},
//!  "charge": {"prorated": false, "filters": [{"values": {"region": ["eu"]}}]},
//!  "grouped_by": ["workspace"], "charges_duration": 31, "timezone": "Europe/Paris"}
//! ```
//!
//! - `events` and `previous_period_events` together are the subscription's event log, earlier events
//!   first: Lago keeps the first event of each (`external_subscription_id`, `transaction_id`), and only
//!   events whose `code` is the metric's count. `previous_period_events` must be before
//!   `from_datetime`; they matter to recurring metrics (carried-over units, a weighted sum's starting
//!   total, the persisted part of a prorated charge) and are ignored by the others.
//! - `charge_filter` selects one filter bucket of the charge; with `charge.filters` but no
//!   `charge_filter` the default bucket (events matching none of the filters) is aggregated.
//! - `charges_duration` (days) defaults to the calendar days the period spans in `timezone` (UTC).
//!
//! Output: `aggregation` (the units, rounded as the metric says) and `count` (events aggregated; for
//! unique counts, the units, as Lago reports it), plus `full_units_number` (prorated charges: the units
//! without proration) and `total_aggregated_units` (weighted sums: the units active at the end of the
//! period) when they apply, and `grouped` (one entry per group, with `grouped_by` and the same fields)
//! when `grouped_by` is given. Decimals are strings.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::metric::{
    self, Aggregation, AggregationRequest, BillableMetric, ChargeFilter, EventFilter, Period,
};

/// The `aggregation` contract's input.
///
/// ```
/// let input: lagom_core::eval::aggregation::Input = lagom_core::eval::from_json(r#"{
///     "billable_metric": {"name": "Calls", "code": "calls", "aggregation_type": "count_agg"},
///     "events": [], "from_datetime": "2024-01-01T00:00:00Z", "to_datetime": "2024-01-31T23:59:59Z",
///     "charge": {"charge_model": "standard", "prorated": false}
/// }"#).unwrap();
/// assert!(input.previous_period_events.is_empty() && input.grouped_by.is_empty());
/// assert_eq!(input.charge.unwrap().prorated, false);
/// ```
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AggregationInput))]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "AggregationEvalInput", missing_as_null)
)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub billable_metric: BillableMetric,
    pub events: Vec<Event>,
    #[serde(default)]
    pub previous_period_events: Vec<Event>,
    #[serde(with = "crate::time::iso")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant"))]
    pub from_datetime: Timestamp,
    #[serde(with = "crate::time::iso")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant"))]
    pub to_datetime: Timestamp,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "AggregationChargeFilter | null"))]
    pub charge_filter: Option<ChargeFilter>,
    #[serde(default)]
    pub grouped_by: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "AggregationCharge | null"))]
    pub charge: Option<Charge>,
    #[serde(default)]
    pub charges_duration: Option<u32>,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The parts of Lago's charge object that aggregation reads (other fields are accepted and ignored).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AggregationCharge))]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "AggregationCharge", missing_as_null)
)]
pub struct Charge {
    #[serde(default)]
    pub prorated: bool,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "AggregationChargeFilter[]"))]
    pub filters: Vec<ChargeFilter>,
}

/// The `aggregation` contract's output: [`Units`] at the top level, plus `grouped` when grouping.
///
/// ```
/// use lagom_core::eval::aggregation::{Output, Units};
/// let units = Units { aggregation: 3.into(), count: 2.into(), full_units_number: None, total_aggregated_units: None };
/// let out = Output { units, grouped: None };
/// assert_eq!(serde_json::to_value(&out).unwrap(), serde_json::json!({"aggregation": "3", "count": "2"}));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "AggregationEvalOutput", missing_as_null)
)]
pub struct Output {
    #[serde(flatten)]
    #[cfg_attr(feature = "typescript", tsify(type = "AggregationUnits"))]
    pub units: Units,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(type = "AggregationGroup[]"))]
    pub grouped: Option<Vec<Group>>,
}

/// The units of the whole bucket or of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "AggregationUnits", missing_as_null)
)]
pub struct Units {
    #[serde(with = "crate::decimal::lenient")]
    pub aggregation: Decimal,
    #[serde(with = "crate::decimal::lenient")]
    pub count: Decimal,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::decimal::lenient_option"
    )]
    pub full_units_number: Option<Decimal>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::decimal::lenient_option"
    )]
    pub total_aggregated_units: Option<Decimal>,
}

/// One group of a grouped aggregation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "AggregationGroup", missing_as_null)
)]
pub struct Group {
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub grouped_by: Map<String, Value>,
    #[serde(flatten)]
    #[cfg_attr(feature = "typescript", tsify(type = "AggregationUnits"))]
    pub units: Units,
}

impl From<&Aggregation> for Units {
    fn from(a: &Aggregation) -> Self {
        Units {
            aggregation: a.aggregation,
            count: a.count,
            full_units_number: a.full_units_number,
            total_aggregated_units: a.total_aggregated_units,
        }
    }
}

/// Answers the `aggregation` contract.
///
/// ```
/// use lagom_core::eval::Contract;
/// let out = Contract::Aggregation.run(r#"{
///     "billable_metric": {"name": "API calls", "code": "calls", "aggregation_type": "count_agg"},
///     "events": [
///         {"transaction_id": "a", "code": "calls", "timestamp": "2024-01-02T00:00:00Z"},
///         {"transaction_id": "a", "code": "calls", "timestamp": "2024-01-03T00:00:00Z"},
///         {"transaction_id": "b", "code": "calls", "timestamp": "2024-02-01T00:00:00Z"}
///     ],
///     "from_datetime": "2024-01-01T00:00:00Z", "to_datetime": "2024-01-31T23:59:59Z"
/// }"#).unwrap();
/// assert_eq!(out, serde_json::json!({"aggregation": "1", "count": "1"}));
/// ```
pub fn evaluate(input: &Input) -> Result<Output> {
    let metric = input
        .billable_metric
        .check()
        .map_err(|e| e.within("billable_metric"))?;
    if input.to_datetime < input.from_datetime {
        return Err(Error::invalid(
            "to_datetime",
            format!(
                "must not be before from_datetime ({} < {})",
                crate::time::format(input.to_datetime),
                crate::time::format(input.from_datetime)
            ),
        ));
    }
    let time_zone = match &input.timezone {
        Some(name) => crate::time::time_zone(name, "timezone")?,
        None => jiff::tz::TimeZone::UTC,
    };
    check_grouped_by(&input.grouped_by)?;
    for (i, event) in input.previous_period_events.iter().enumerate() {
        if event.timestamp >= input.from_datetime {
            return Err(Error::invalid(
                format!("previous_period_events[{i}].timestamp"),
                format!(
                    "must be before from_datetime (got {})",
                    crate::time::format(event.timestamp)
                ),
            ));
        }
    }
    let charge = input.charge.clone().unwrap_or_default();
    let filter = if input.charge_filter.is_none() && charge.filters.is_empty() {
        EventFilter::all()
    } else {
        EventFilter::for_bucket(
            metric.filters(),
            &charge.filters,
            input.charge_filter.as_ref(),
        )?
    };
    let period = Period {
        from_datetime: input.from_datetime,
        to_datetime: input.to_datetime,
        charges_duration: input.charges_duration,
        time_zone,
    };
    let request = AggregationRequest {
        filter,
        grouped_by: input.grouped_by.clone(),
        prorated: charge.prorated,
        ..AggregationRequest::default()
    };

    let log: Vec<&Event> = input
        .previous_period_events
        .iter()
        .chain(&input.events)
        .collect();
    let kept = metric::deduplicate(&log);
    let events: Vec<&Event> = kept.iter().map(|&i| log[i]).collect();
    let result = metric
        .aggregate(&events, &period, &request)
        .map_err(|e| locate(e, &kept, input.previous_period_events.len()))?;

    let grouped = result.groups.map(|groups| {
        groups
            .iter()
            .map(|g| Group {
                grouped_by: g
                    .grouped_by
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().map_or(Value::Null, Value::String)))
                    .collect(),
                units: Units::from(&g.aggregation),
            })
            .collect()
    });
    Ok(Output {
        units: Units::from(&result.total),
        grouped,
    })
}

fn check_grouped_by(keys: &[String]) -> Result<()> {
    for (i, key) in keys.iter().enumerate() {
        if key.is_empty() {
            return Err(Error::invalid(
                format!("grouped_by[{i}]"),
                "must not be blank",
            ));
        }
        if keys[..i].contains(key) {
            return Err(Error::invalid(
                format!("grouped_by[{i}]"),
                format!("`{key}` is listed twice"),
            ));
        }
    }
    Ok(())
}

/// Places a core error in the input document: request-level paths under the object they come from,
/// and the core's `events[k]` (k: index among the kept events) at the event's own place in the input.
fn locate(err: Error, kept: &[usize], previous: usize) -> Error {
    let Some(path) = err.path() else { return err };
    let located = if path == "prorated" {
        "charge.prorated".to_owned()
    } else if path == "aggregation_type" {
        "billable_metric.aggregation_type".to_owned()
    } else if let Some(located) = event_path(path, kept, previous) {
        located
    } else {
        return err;
    };
    match err {
        Error::Invalid { reason, .. } => Error::Invalid {
            path: located,
            reason,
        },
        Error::UnknownVariant {
            kind,
            value,
            expected,
            ..
        } => Error::UnknownVariant {
            path: located,
            kind,
            value,
            expected,
        },
        Error::Custom { reason, .. } => Error::Custom {
            path: located,
            reason,
        },
        other => other,
    }
}

fn event_path(path: &str, kept: &[usize], previous: usize) -> Option<String> {
    let (index, tail) = path.strip_prefix("events[")?.split_once(']')?;
    let original = *kept.get(index.parse::<usize>().ok()?)?;
    Some(if original < previous {
        format!("previous_period_events[{original}]{tail}")
    } else {
        format!("events[{}]{tail}", original - previous)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_errors_point_at_the_input() {
        let err = Error::invalid("events[1].expression", "boom");
        // Kept events 0 and 1 are the input's previous[0] and events[2] (events[0..2] were duplicates).
        let located = locate(err, &[0, 3], 1);
        assert_eq!(located.path(), Some("events[2].expression"));
        let located = locate(Error::invalid("events[0]", "boom"), &[0, 3], 1);
        assert_eq!(located.path(), Some("previous_period_events[0]"));
    }
}
