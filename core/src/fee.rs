//! Fees: the lines of an invoice (`fee` object), as Lago's API writes them.
//!
//! A fee is what one charge, subscription, add-on, commitment or wallet top-up costs for a period. Its
//! amounts are computed elsewhere (charge models, the invoice); this module holds the output shape.
//! `amount_details` stays JSON: its content depends on the charge model.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::decimal::Decimal;
use crate::error::Result;
use crate::money::Currency;
use crate::tax::AppliedTax;

/// A fee.
///
/// ```
/// let fee: lagom_core::fee::Fee = serde_json::from_str(r#"{
///     "amount_cents": 100, "precise_amount": "1.0001", "amount_currency": "USD",
///     "taxes_amount_cents": 20, "taxes_rate": 20, "units": "0.32", "total_amount_cents": 120,
///     "pay_in_advance": false, "invoiceable": true,
///     "item": {"type": "charge", "code": "cpu", "name": "CPU", "grouped_by": {"region": "eu"}}
/// }"#).unwrap();
/// assert_eq!(fee.item.kind, lagom_core::fee::FeeType::Charge);
/// assert_eq!(serde_json::to_value(&fee).unwrap()["precise_amount"], "1.0001");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Fee {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_charge_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_charge_filter_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_invoice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_true_up_fee_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_true_up_parent_fee_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_subscription_id: Option<String>,
    /// The amount rounded to the currency's cents.
    pub amount_cents: i64,
    /// The unrounded amount, in currency units.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_amount: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_total_amount: Option<Decimal>,
    pub amount_currency: Currency,
    pub taxes_amount_cents: i64,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub taxes_precise_amount: Option<Decimal>,
    /// The sum of the applied taxes' rates, in percent (a JSON number).
    #[serde(with = "crate::money::number")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub taxes_rate: Decimal,
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub units: Decimal,
    /// The amount of one unit, in currency units.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_unit_amount: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub total_aggregated_units: Option<Decimal>,
    /// `amount_cents` plus `taxes_amount_cents`.
    pub total_amount_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount_currency: Option<Currency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_count: Option<i64>,
    #[serde(default)]
    pub pay_in_advance: bool,
    #[serde(default = "crate::validate::yes")]
    pub invoiceable: bool,
    /// Start of the period the fee covers.
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub from_date: Option<Timestamp>,
    /// End of the period the fee covers.
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub to_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<PaymentStatus>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub succeeded_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub failed_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub refunded_at: Option<Timestamp>,
    /// For a pay-in-advance fee: the event that triggered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The share of the invoice's coupons taken off this fee, in precise cents.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_coupons_amount_cents: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_total_excluding_taxes_amount_cents: Option<i64>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub sub_total_excluding_taxes_precise_amount_cents: Option<Decimal>,
    /// The charge model's breakdown (ranges, free units, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, JsonValue> | null")
    )]
    pub amount_details: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_billed: Option<bool>,
    pub item: FeeItem,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied_taxes: Vec<AppliedTax>,
}

impl Fee {
    /// The fee's amount in exact cents (Lago's `precise_amount_cents`): its `precise_amount` in
    /// cents of its currency, else its `amount_cents`.
    ///
    /// ```
    /// let fee: lagom_core::fee::Fee = serde_json::from_str(r#"{"amount_cents": 100,
    ///     "precise_amount": "1.0001", "amount_currency": "EUR", "taxes_amount_cents": 0,
    ///     "taxes_rate": 0, "units": "1", "total_amount_cents": 100,
    ///     "item": {"type": "charge", "code": "cpu", "name": "CPU"}}"#).unwrap();
    /// assert_eq!(fee.precise_amount_cents().unwrap(), "100.01".parse().unwrap());
    /// ```
    pub fn precise_amount_cents(&self) -> Result<Decimal> {
        match self.precise_amount {
            Some(amount) => self.amount_currency.to_precise_cents(amount),
            None => Ok(Decimal::from(self.amount_cents)),
        }
    }
}

/// What a fee is for.
///
/// ```
/// let item: lagom_core::fee::FeeItem = serde_json::from_str(r#"{
///     "type": "charge", "code": "storage", "name": "Storage",
///     "filter_invoice_display_name": "AWS eu-east-1", "grouped_by": {"region": null}
/// }"#).unwrap();
/// assert!(item.grouped_by["region"].is_null());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct FeeItem {
    #[serde(rename = "type")]
    pub kind: FeeType,
    /// The code of the charge's billable metric, the plan, the add-on, …
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_invoice_display_name: Option<String>,
    /// The charge filter's values, for a filtered charge fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, JsonValue> | null")
    )]
    pub filters: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_item_id: Option<String>,
    /// Lago's model name (`Subscription`, `BillableMetric`, `AddOn`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    /// The `grouped_by` key → value of the group this fee prices (values may be null).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub grouped_by: Map<String, Value>,
}

/// Lago's fee types (`item.type`).
///
/// ```
/// use lagom_core::fee::FeeType;
/// let value: FeeType = serde_json::from_str(r#""product""#).unwrap();
/// assert_eq!(value, FeeType::Product);
/// assert!(serde_json::from_str::<FeeType>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum FeeType {
    Charge,
    AddOn,
    Subscription,
    Credit,
    Commitment,
    FixedCharge,
    Product,
}

/// Lago's payment statuses of a fee or an invoice.
///
/// ```
/// use lagom_core::fee::PaymentStatus;
/// let value: PaymentStatus = serde_json::from_str(r#""refunded""#).unwrap();
/// assert_eq!(value, PaymentStatus::Refunded);
/// assert!(serde_json::from_str::<PaymentStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Succeeded,
    Failed,
    Refunded,
}
