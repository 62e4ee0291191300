//! Coupons and applied coupons: discounts of a fixed amount or a percentage, once, recurring or
//! forever, optionally limited to some plans or billable metrics.
//!
//! How a coupon's discount is spread over an invoice's fees is the invoice's job; this module holds the
//! shapes and the consistency rules Lago enforces when a coupon is created.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::error::Result;
use crate::money::Currency;
use crate::validate::{require, require_positive, require_text};

/// A coupon as `POST /coupons` takes it (`applies_to`) and `GET /coupons/{code}` returns it
/// (`limited_plans`, `plan_codes`, … at the top level).
///
/// ```
/// use lagom_core::coupon::{Coupon, CouponType, Frequency};
/// let c: Coupon = serde_json::from_str(r#"{
///     "name": "Startup Deal", "code": "startup_deal", "coupon_type": "percentage",
///     "percentage_rate": "10.0", "frequency": "recurring", "frequency_duration": 6,
///     "expiration": "no_expiration", "applies_to": {"plan_codes": ["startup"]}
/// }"#).unwrap();
/// assert_eq!((c.coupon_type, c.frequency), (CouponType::Percentage, Frequency::Recurring));
/// assert!(c.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Coupon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub name: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub coupon_type: CouponType,
    /// For a `fixed_amount` coupon: the discount in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_currency: Option<Currency>,
    /// For a `percentage` coupon: the discount in percent (Lago writes it as a string).
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub percentage_rate: Option<Decimal>,
    /// Whether a customer may have the coupon applied more than once (Lago's default: yes).
    #[serde(default = "crate::validate::yes")]
    pub reusable: bool,
    pub frequency: Frequency,
    /// For a `recurring` coupon: how many billing periods it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_duration: Option<i64>,
    pub expiration: Expiration,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub expiration_at: Option<Timestamp>,
    /// The limits as `POST` takes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<CouponAppliesTo>,
    /// The limits as `GET` returns them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limited_plans: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limited_billable_metrics: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billable_metric_codes: Vec<String>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub terminated_at: Option<Timestamp>,
}

impl Coupon {
    /// Checks the fields each type, frequency and expiration needs, as Lago's coupon validations do: a
    /// `fixed_amount` coupon needs a positive `amount_cents` and its currency, a `percentage` one a
    /// `percentage_rate`, a `recurring` one a positive `frequency_duration`; a coupon cannot be limited
    /// to both plans and billable metrics. (Lago does not require `expiration_at` for a `time_limit`
    /// coupon, and its check that the date is in the future needs a clock, which the core has not.)
    ///
    /// ```
    /// let c: lagom_core::coupon::Coupon = serde_json::from_str(r#"{
    ///     "name": "Deal", "code": "deal", "coupon_type": "percentage",
    ///     "frequency": "once", "expiration": "no_expiration"
    /// }"#).unwrap();
    /// assert_eq!(
    ///     c.validate().unwrap_err().to_string(),
    ///     "percentage_rate: is required for a percentage coupon"
    /// );
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.name, "name")?;
        require_text(&self.code, "code")?;
        match self.coupon_type {
            CouponType::FixedAmount => {
                let amount = require(
                    &self.amount_cents,
                    "amount_cents",
                    "for a fixed_amount coupon",
                )?;
                require_positive(*amount, "amount_cents")?;
                require(
                    &self.amount_currency,
                    "amount_currency",
                    "for a fixed_amount coupon",
                )?;
            }
            CouponType::Percentage => {
                require(
                    &self.percentage_rate,
                    "percentage_rate",
                    "for a percentage coupon",
                )?;
            }
        }
        if self.frequency == Frequency::Recurring {
            let duration = require(
                &self.frequency_duration,
                "frequency_duration",
                "for a recurring coupon",
            )?;
            require_positive(*duration, "frequency_duration")?;
        }
        if let Some(limits) = &self.applies_to
            && !limits.plan_codes.is_empty()
            && !limits.billable_metric_codes.is_empty()
        {
            return Err(crate::Error::invalid(
                "applies_to",
                "a coupon is limited to plans or to billable metrics, not both",
            ));
        }
        Ok(())
    }
}

/// Lago's `coupon_type` values.
///
/// ```
/// use lagom_core::coupon::CouponType;
/// let value: CouponType = serde_json::from_str(r#""percentage""#).unwrap();
/// assert_eq!(value, CouponType::Percentage);
/// assert!(serde_json::from_str::<CouponType>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum CouponType {
    FixedAmount,
    Percentage,
}

/// How long a coupon applies: one invoice, `frequency_duration` periods, or for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Once,
    Recurring,
    Forever,
}

/// Whether a coupon can still be applied after a date.
///
/// ```
/// use lagom_core::coupon::Expiration;
/// let value: Expiration = serde_json::from_str(r#""time_limit""#).unwrap();
/// assert_eq!(value, Expiration::TimeLimit);
/// assert!(serde_json::from_str::<Expiration>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Expiration {
    NoExpiration,
    TimeLimit,
}

/// A coupon's limits as `POST` takes them.
///
/// ```
/// let limits: lagom_core::coupon::CouponAppliesTo =
///     serde_json::from_str(r#"{"billable_metric_codes": ["cpu"]}"#).unwrap();
/// assert!(limits.plan_codes.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CouponAppliesTo {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billable_metric_codes: Vec<String>,
}

/// A coupon applied to a customer (`POST /applied_coupons`, `GET` returns the remaining amounts).
///
/// ```
/// let a: lagom_core::coupon::AppliedCoupon = serde_json::from_str(r#"{
///     "external_customer_id": "hooli_1234", "coupon_code": "startup_deal",
///     "amount_cents": 2500, "amount_currency": "EUR", "frequency": "recurring", "frequency_duration": 3
/// }"#).unwrap();
/// assert_eq!(a.amount_cents, Some(2500));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AppliedCoupon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_coupon_id: Option<String>,
    pub coupon_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_customer_id: Option<String>,
    pub external_customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AppliedCouponStatus>,
    /// Overrides the coupon's amount for this customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents_remaining: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_currency: Option<Currency>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub percentage_rate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_duration: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_duration_remaining: Option<i64>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub expiration_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub terminated_at: Option<Timestamp>,
}

/// Lago's applied-coupon `status` values.
///
/// ```
/// use lagom_core::coupon::AppliedCouponStatus;
/// let value: AppliedCouponStatus = serde_json::from_str(r#""terminated""#).unwrap();
/// assert_eq!(value, AppliedCouponStatus::Terminated);
/// assert!(serde_json::from_str::<AppliedCouponStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum AppliedCouponStatus {
    Active,
    Terminated,
}
