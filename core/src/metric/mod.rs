//! Billable metrics: how events become units (aggregations, filters, grouping, expressions, rounding).
//!
//! [`BillableMetric`] is Lago's JSON object; [`BillableMetric::check`] turns it into a [`Metric`] whose
//! invariants hold (a field to aggregate where one is needed, `recurring` only where Lago allows it).
//! [`Metric::aggregate`] then computes Lago's aggregation result for one billing period: which events
//! count (the event store's rules, in [`aggregate`]), the per-type arithmetic, grouping, proration and
//! rounding. Pricing the units is the job of [`crate::charge`], not of this module.

pub mod aggregate;
pub mod custom;
pub mod expression;
pub mod filter;
pub(crate) mod hash;
mod prorated;
pub mod rounding;
mod unique_count;
pub mod value;
mod weighted_sum;

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::event::Event;

pub use aggregate::{Aggregation, AggregationRequest, AggregationResult, GroupResult, Period};
pub use custom::{CustomAggregator, CustomState};
pub use expression::{Expression, ExpressionValue};
pub use filter::{BillableMetricFilter, ChargeFilter, EventFilter};
pub use rounding::{Rounding, RoundingFunction};

/// Lago's `aggregation_type` values.
///
/// ```
/// use lagom_core::metric::AggregationType;
/// let agg: AggregationType = serde_json::from_str(r#""weighted_sum_agg""#).unwrap();
/// assert_eq!(agg, AggregationType::WeightedSum);
/// let err = serde_json::from_str::<AggregationType>(r#""avg_agg""#).unwrap_err().to_string();
/// assert!(err.contains("unknown variant `avg_agg`, expected one of `count_agg`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub enum AggregationType {
    #[serde(rename = "count_agg")]
    Count,
    #[serde(rename = "sum_agg")]
    Sum,
    #[serde(rename = "max_agg")]
    Max,
    #[serde(rename = "unique_count_agg")]
    UniqueCount,
    #[serde(rename = "latest_agg")]
    Latest,
    #[serde(rename = "weighted_sum_agg")]
    WeightedSum,
    #[serde(rename = "custom_agg")]
    Custom,
}

impl AggregationType {
    /// Lago's name for the type (`sum_agg`).
    ///
    /// ```
    /// assert_eq!(lagom_core::metric::AggregationType::UniqueCount.name(), "unique_count_agg");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AggregationType::Count => "count_agg",
            AggregationType::Sum => "sum_agg",
            AggregationType::Max => "max_agg",
            AggregationType::UniqueCount => "unique_count_agg",
            AggregationType::Latest => "latest_agg",
            AggregationType::WeightedSum => "weighted_sum_agg",
            AggregationType::Custom => "custom_agg",
        }
    }

    /// Whether Lago lets a metric of this type be `recurring` (not count, max nor latest).
    fn may_recur(self) -> bool {
        !matches!(
            self,
            AggregationType::Count | AggregationType::Max | AggregationType::Latest
        )
    }

    /// Whether Lago requires a `field_name` (every type but count and custom).
    fn needs_field(self) -> bool {
        !matches!(self, AggregationType::Count | AggregationType::Custom)
    }
}

/// Lago's `weighted_interval` values (only `seconds` exists).
///
/// ```
/// use lagom_core::metric::WeightedInterval;
/// assert_eq!(serde_json::from_str::<WeightedInterval>(r#""seconds""#).unwrap(), WeightedInterval::Seconds);
/// assert!(serde_json::from_str::<WeightedInterval>(r#""hours""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum WeightedInterval {
    Seconds,
}

/// A billable metric in Lago's JSON shape, as `POST /billable_metrics` takes it and
/// `GET /billable_metrics/{code}` returns it (fields such as `lago_id` or `created_at` are ignored).
///
/// ```
/// let metric: lagom_core::metric::BillableMetric = serde_json::from_str(r#"{
///     "lago_id": "1a901a90-1a90-1a90-1a90-1a901a901a90",
///     "name": "Storage", "code": "storage", "aggregation_type": "sum_agg", "field_name": "gb",
///     "recurring": false, "filters": [{"key": "region", "values": ["eu", "us"]}],
///     "created_at": "2024-01-01T00:00:00Z"
/// }"#).unwrap();
/// let checked = metric.check().unwrap();
/// assert_eq!(checked.field_name(), Some("gb"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct BillableMetric {
    pub name: String,
    pub code: String,
    #[serde(default)]
    pub description: Option<String>,
    pub aggregation_type: AggregationType,
    #[serde(default)]
    pub field_name: Option<String>,
    #[serde(default)]
    pub recurring: bool,
    #[serde(default)]
    pub weighted_interval: Option<WeightedInterval>,
    #[serde(default)]
    pub filters: Vec<BillableMetricFilter>,
    #[serde(default)]
    pub rounding_function: Option<RoundingFunction>,
    #[serde(default)]
    pub rounding_precision: Option<i32>,
    #[serde(default)]
    pub expression: Option<String>,
}

/// A billable metric whose invariants hold, ready to aggregate events.
///
/// ```
/// use lagom_core::metric::{AggregationType, BillableMetric, RoundingFunction};
/// let metric: BillableMetric = serde_json::from_str(r#"{
///     "name": "Seats", "code": "seats", "aggregation_type": "unique_count_agg", "field_name": "user",
///     "recurring": true, "rounding_function": "ceil", "filters": [{"key": "plan", "values": ["pro"]}]
/// }"#).unwrap();
/// let metric = metric.check().unwrap();
/// assert_eq!(metric.code(), "seats");
/// assert_eq!(metric.aggregation_type(), AggregationType::UniqueCount);
/// assert_eq!(metric.field_name(), Some("user"));
/// assert!(metric.recurring());
/// assert_eq!(metric.filters()[0].key, "plan");
/// assert_eq!(metric.rounding().map(|r| (r.function, r.precision)), Some((RoundingFunction::Ceil, 0)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    code: String,
    aggregation_type: AggregationType,
    field_name: Option<String>,
    recurring: bool,
    filters: Vec<BillableMetricFilter>,
    rounding: Option<Rounding>,
    expression: Option<Expression>,
}

impl BillableMetric {
    /// Checks the metric as Lago's model validates it; error paths are relative to the metric object.
    ///
    /// ```
    /// let metric: lagom_core::metric::BillableMetric = serde_json::from_str(
    ///     r#"{"name": "Seats", "code": "seats", "aggregation_type": "max_agg", "field_name": "n", "recurring": true}"#,
    /// ).unwrap();
    /// assert_eq!(
    ///     metric.check().unwrap_err().to_string(),
    ///     "recurring: max_agg metrics cannot be recurring (only sum_agg, unique_count_agg, weighted_sum_agg and custom_agg can)"
    /// );
    /// ```
    pub fn check(&self) -> Result<Metric> {
        let agg = self.aggregation_type;
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name", "must not be blank"));
        }
        if self.code.trim().is_empty() {
            return Err(Error::invalid("code", "must not be blank"));
        }
        let field_name = self.field_name.clone().filter(|f| !f.is_empty());
        if agg.needs_field() && field_name.is_none() {
            return Err(Error::invalid(
                "field_name",
                format!("is required for {} metrics", agg.name()),
            ));
        }
        if self.recurring && !agg.may_recur() {
            return Err(Error::invalid(
                "recurring",
                format!(
                    "{} metrics cannot be recurring (only sum_agg, unique_count_agg, weighted_sum_agg and custom_agg can)",
                    agg.name()
                ),
            ));
        }
        match (agg, self.weighted_interval) {
            // Lago's API documents `seconds` as the default when a weighted sum names no interval.
            (AggregationType::WeightedSum, _) | (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "weighted_interval",
                    "only applies to weighted_sum_agg metrics",
                ));
            }
        }
        for (i, filter) in self.filters.iter().enumerate() {
            let path = format!("filters[{i}]");
            if filter.key.is_empty() {
                return Err(Error::invalid(format!("{path}.key"), "must not be blank"));
            }
            if filter.values.is_empty() {
                return Err(Error::invalid(
                    format!("{path}.values"),
                    "must list at least one value",
                ));
            }
            if self.filters[..i].iter().any(|f| f.key == filter.key) {
                return Err(Error::invalid(
                    format!("{path}.key"),
                    format!("`{}` is declared twice", filter.key),
                ));
            }
        }
        // Lago checks an expression's syntax for every type, but its result lands in `field_name`,
        // which count metrics drop and custom aggregations do not read: only the others use it.
        let expression = match self.expression.as_deref().filter(|e| !e.trim().is_empty()) {
            None => None,
            Some(text) => {
                let parsed = Expression::parse(text, "expression")?;
                agg.needs_field().then_some(parsed)
            }
        };
        Ok(Metric {
            code: self.code.clone(),
            aggregation_type: agg,
            field_name,
            recurring: self.recurring,
            filters: self.filters.clone(),
            rounding: self
                .rounding_function
                .map(|f| Rounding::new(f, self.rounding_precision.unwrap_or(0))),
            expression,
        })
    }
}

impl Metric {
    /// The code that events must carry to feed this metric.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The aggregation type.
    pub fn aggregation_type(&self) -> AggregationType {
        self.aggregation_type
    }

    /// The property aggregated (none for count metrics).
    pub fn field_name(&self) -> Option<&str> {
        self.field_name.as_deref()
    }

    /// Whether units carry over from one period to the next.
    pub fn recurring(&self) -> bool {
        self.recurring
    }

    /// The metric's filter dimensions.
    pub fn filters(&self) -> &[BillableMetricFilter] {
        &self.filters
    }

    /// The rounding applied to aggregated units, if any.
    pub fn rounding(&self) -> Option<Rounding> {
        self.rounding
    }
}

/// Keeps the first event of each `(external_subscription_id, transaction_id)`, as Lago's unique index
/// on events does at ingestion (a later event with the same ids is rejected).
///
/// ```
/// let events: Vec<lagom_core::event::Event> = serde_json::from_str(r#"[
///     {"transaction_id": "t1", "external_subscription_id": "s", "code": "c", "timestamp": 1, "properties": {"v": 1}},
///     {"transaction_id": "t1", "external_subscription_id": "s", "code": "c", "timestamp": 2, "properties": {"v": 2}},
///     {"transaction_id": "t1", "external_subscription_id": "other", "code": "c", "timestamp": 3}
/// ]"#).unwrap();
/// let kept = lagom_core::metric::deduplicate(&events);
/// assert_eq!(kept, [0, 2]);
/// ```
pub fn deduplicate<E: Borrow<Event>>(events: &[E]) -> Vec<usize> {
    let mut seen = hash::FastSet::default();
    seen.reserve(events.len());
    events
        .iter()
        .map(Borrow::borrow)
        .enumerate()
        .filter(|(_, e)| {
            seen.insert((
                e.external_subscription_id.as_deref(),
                e.transaction_id.as_str(),
            ))
        })
        .map(|(i, _)| i)
        .collect()
}
