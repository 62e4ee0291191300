//! The usage event, as Lago's `POST /events` receives it.
//!
//! An event is a fact (`transaction_id`, `code`, `timestamp`, free-form `properties`) that billable
//! metrics aggregate. The core never fills a missing timestamp from a clock: callers pass one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;

/// A usage event in Lago's JSON shape.
///
/// ```
/// let event: lagom_core::event::Event = serde_json::from_str(r#"{
///     "transaction_id": "tx_1",
///     "external_subscription_id": "sub_1",
///     "code": "storage",
///     "timestamp": 1704067200,
///     "properties": {"gb": "12.5"}
/// }"#).unwrap();
/// assert_eq!(lagom_core::time::format(event.timestamp), "2024-01-01T00:00:00Z");
/// assert_eq!(event.properties["gb"], "12.5");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Event {
    /// Unique per organization: Lago keeps the first event of a transaction_id and ignores the others.
    pub transaction_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    /// The `code` of the billable metric this event feeds.
    pub code: String,
    #[serde(with = "crate::time::iso")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant"))]
    pub timestamp: Timestamp,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// For the `dynamic` charge model: the price the event carries, in cents.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_total_amount_cents: Option<Decimal>,
}
