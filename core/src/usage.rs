//! Usage as Lago's API reports it: a subscription's current or past usage per charge (with filters and
//! groups), and its lifetime usage against progressive-billing thresholds.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::charge::ChargeModel;
use crate::decimal::Decimal;
use crate::metric::AggregationType;
use crate::money::Currency;

/// `GET /customers/{external_id}/current_usage`: the usage of the running period so far.
///
/// ```
/// let u: lagom_core::usage::CustomerUsage = serde_json::from_str(r#"{
///     "from_datetime": "2022-07-01T00:00:00Z", "to_datetime": "2022-07-31T23:59:59Z",
///     "issuing_date": "2022-08-01", "currency": "USD",
///     "amount_cents": 123, "taxes_amount_cents": 25, "total_amount_cents": 148, "charges_usage": []
/// }"#).unwrap();
/// assert_eq!(u.total_amount_cents, 148);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CustomerUsage {
    #[serde(with = "crate::time::iso")]
    pub from_datetime: Timestamp,
    #[serde(with = "crate::time::iso")]
    pub to_datetime: Timestamp,
    #[cfg_attr(feature = "typescript", tsify(type = "string"))]
    pub issuing_date: Date,
    /// For a past period: the invoice that billed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_invoice_id: Option<String>,
    pub currency: Currency,
    pub amount_cents: i64,
    pub taxes_amount_cents: i64,
    pub total_amount_cents: i64,
    #[serde(default)]
    pub charges_usage: Vec<ChargeUsage>,
}

/// `GET /customers/{external_id}/past_usage`: the usage of billed periods.
///
/// ```
/// let past: lagom_core::usage::PastUsage = serde_json::from_str(r#"{"usage_periods": []}"#).unwrap();
/// assert!(past.usage_periods.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PastUsage {
    pub usage_periods: Vec<CustomerUsage>,
}

/// The usage of one charge, with its filters and `grouped_by` groups.
///
/// ```
/// let u: lagom_core::usage::ChargeUsage = serde_json::from_str(r#"{
///     "units": "3", "events_count": 3, "amount_cents": 150, "amount_currency": "EUR",
///     "charge": {"lago_id": "ch_1", "charge_model": "standard"},
///     "billable_metric": {"lago_id": "bm_1", "name": "Calls", "code": "calls", "aggregation_type": "count_agg"},
///     "filters": [{"units": "1", "amount_cents": 50, "events_count": 1, "values": {"region": ["eu"]}}],
///     "grouped_usage": [{"units": "3", "amount_cents": 150, "events_count": 3, "grouped_by": {"agent": "a"}}]
/// }"#).unwrap();
/// assert_eq!(u.grouped_usage[0].grouped_by["agent"], "a");
/// assert_eq!(u.filters[0].amount_cents, 50);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ChargeUsage {
    #[serde(with = "crate::decimal::lenient")]
    pub units: Decimal,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_aggregated_units: Option<Decimal>,
    pub events_count: i64,
    pub amount_cents: i64,
    pub amount_currency: Currency,
    pub charge: UsageCharge,
    pub billable_metric: UsageBillableMetric,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<FilterUsage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grouped_usage: Vec<GroupedUsage>,
}

/// The charge a usage line is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct UsageCharge {
    pub lago_id: String,
    pub charge_model: ChargeModel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
}

/// The billable metric a usage line aggregates (its definition lives in [`crate::metric`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct UsageBillableMetric {
    pub lago_id: String,
    pub name: String,
    pub code: String,
    pub aggregation_type: AggregationType,
}

/// The usage of one charge filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct FilterUsage {
    #[serde(with = "crate::decimal::lenient")]
    pub units: Decimal,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_aggregated_units: Option<Decimal>,
    pub amount_cents: i64,
    pub events_count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    /// The filter's key → values (absent for the "everything else" line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, JsonValue> | null")
    )]
    pub values: Option<Map<String, Value>>,
}

/// The usage of one `grouped_by` group of a charge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct GroupedUsage {
    pub amount_cents: i64,
    pub events_count: i64,
    #[serde(with = "crate::decimal::lenient")]
    pub units: Decimal,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_aggregated_units: Option<Decimal>,
    /// Group key → value (a value may be null).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub grouped_by: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<FilterUsage>,
}

/// `GET /subscriptions/{external_id}/lifetime_usage`: usage since the subscription started, for
/// progressive billing.
///
/// ```
/// let l: lagom_core::usage::LifetimeUsage = serde_json::from_str(r#"{
///     "external_subscription_id": "sub_1", "external_historical_usage_amount_cents": 100,
///     "invoiced_usage_amount_cents": 100, "current_usage_amount_cents": 100,
///     "usage_thresholds": [{"amount_cents": 600, "completion_ratio": 0.5}]
/// }"#).unwrap();
/// assert_eq!(l.usage_thresholds[0].completion_ratio, lagom_core::decimal::Decimal::new(5, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct LifetimeUsage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_subscription_id: Option<String>,
    pub external_subscription_id: String,
    /// Usage before the subscription was migrated to Lago, in cents.
    pub external_historical_usage_amount_cents: i64,
    pub invoiced_usage_amount_cents: i64,
    pub current_usage_amount_cents: i64,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub from_datetime: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub to_datetime: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage_thresholds: Vec<LifetimeUsageThreshold>,
}

/// How far the lifetime usage is towards one threshold.
///
/// ```
/// let t: lagom_core::usage::LifetimeUsageThreshold =
///     serde_json::from_str(r#"{"amount_cents": 1000, "completion_ratio": 1, "reached_at": "2024-01-01T00:00:00Z"}"#)
///         .unwrap();
/// assert!(t.reached_at.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct LifetimeUsageThreshold {
    pub amount_cents: i64,
    /// Between 0 and 1; Lago writes it as a JSON number.
    #[serde(with = "crate::money::number")]
    #[cfg_attr(feature = "typescript", tsify(type = "number"))]
    pub completion_ratio: Decimal,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub reached_at: Option<Timestamp>,
}
