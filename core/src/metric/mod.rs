//! Billable metrics: how events become units (aggregations, filters, grouping, expressions, rounding).

pub mod expression;

use serde::{Deserialize, Serialize};

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
