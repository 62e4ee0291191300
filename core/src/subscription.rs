//! Subscriptions: a customer on a plan, with its dates, billing time and per-subscription plan
//! overrides.
//!
//! The billing periods a subscription yields are computed by [`crate::period`]; this module holds the
//! shape Lago's `POST /subscriptions` takes and `GET /subscriptions/{external_id}` returns.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::charge::ChargeModel;
use crate::decimal::Decimal;
use crate::error::Result;
use crate::money::Currency;
use crate::period::BillingTime;
use crate::plan::{ChargeFilter, MinimumCommitment, UsageThreshold, validate_pricing};
use crate::validate::{each, require_not_negative, require_text, when_present};

/// A subscription.
///
/// ```
/// let s: lagom_core::subscription::Subscription = serde_json::from_str(r#"{
///     "external_customer_id": "hooli_1234", "plan_code": "premium", "external_id": "sub_1",
///     "billing_time": "anniversary", "subscription_at": "2022-08-08T00:00:00Z",
///     "plan_overrides": {"amount_cents": 9000, "charges": [{"id": "ch_1", "properties": {"amount": "0.4"}}]}
/// }"#).unwrap();
/// assert_eq!(s.billing_time, Some(lagom_core::period::BillingTime::Anniversary));
/// assert_eq!(s.plan_overrides.unwrap().charges[0].properties.as_ref().unwrap()["amount"], "0.4");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Subscription {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_customer_id: Option<String>,
    pub external_customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_entity_code: Option<String>,
    /// Lago's default when absent is `calendar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_time: Option<BillingTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub plan_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_amount_currency: Option<Currency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
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
    pub canceled_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub started_at: Option<Timestamp>,
    /// When the subscription ends by itself.
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub ending_at: Option<Timestamp>,
    /// When the subscription starts (now when absent; the core takes it as input).
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub subscription_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub terminated_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_plan_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_plan_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(type = "string | null"))]
    pub downgrade_plan_date: Option<Date>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub trial_ended_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub current_billing_period_started_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub current_billing_period_ending_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_termination_credit_note: Option<OnTerminationCreditNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_termination_invoice: Option<OnTerminationInvoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_overrides: Option<PlanOverrides>,
}

impl Subscription {
    /// Checks the identifiers are present, `ending_at` comes after `subscription_at`, and the plan
    /// overrides hold.
    ///
    /// ```
    /// let s: lagom_core::subscription::Subscription = serde_json::from_str(r#"{
    ///     "external_customer_id": "c1", "plan_code": "p", "external_id": "s1",
    ///     "subscription_at": "2024-03-01T00:00:00Z", "ending_at": "2024-02-01T00:00:00Z"
    /// }"#).unwrap();
    /// assert_eq!(s.validate().unwrap_err().path(), Some("ending_at"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.external_id, "external_id")?;
        require_text(&self.external_customer_id, "external_customer_id")?;
        require_text(&self.plan_code, "plan_code")?;
        if let (Some(start), Some(end)) = (self.subscription_at, self.ending_at)
            && end <= start
        {
            return Err(crate::Error::invalid(
                "ending_at",
                format!(
                    "must be after subscription_at (got {} <= {})",
                    crate::time::format(end),
                    crate::time::format(start)
                ),
            ));
        }
        match &self.plan_overrides {
            Some(overrides) => overrides.validate().map_err(|e| e.within("plan_overrides")),
            None => Ok(()),
        }
    }
}

/// Lago's subscription `status` values.
///
/// ```
/// use lagom_core::subscription::SubscriptionStatus;
/// let value: SubscriptionStatus = serde_json::from_str(r#""incomplete""#).unwrap();
/// assert_eq!(value, SubscriptionStatus::Incomplete);
/// assert!(serde_json::from_str::<SubscriptionStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Pending,
    Active,
    Terminated,
    Canceled,
    Incomplete,
}

/// What a termination does with the unused part of a pay-in-advance subscription fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum OnTerminationCreditNote {
    Credit,
    Refund,
    Offset,
    Skip,
}

/// Whether a termination issues the closing invoice.
///
/// ```
/// use lagom_core::subscription::OnTerminationInvoice;
/// let value: OnTerminationInvoice = serde_json::from_str(r#""skip""#).unwrap();
/// assert_eq!(value, OnTerminationInvoice::Skip);
/// assert!(serde_json::from_str::<OnTerminationInvoice>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum OnTerminationInvoice {
    Generate,
    Skip,
}

/// A subscription's overrides of its plan; every field replaces the plan's when present.
///
/// ```
/// let o: lagom_core::subscription::PlanOverrides =
///     serde_json::from_str(r#"{"amount_cents": -1}"#).unwrap();
/// assert_eq!(o.validate().unwrap_err().to_string(), "amount_cents: must not be negative (got -1)");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PlanOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_currency: Option<Currency>,
    #[serde(
        default,
        with = "crate::money::number_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub trial_period: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_codes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_commitment: Option<MinimumCommitment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage_thresholds: Vec<UsageThreshold>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<ChargeOverride>,
}

impl PlanOverrides {
    /// Checks the overridden amounts as the plan's own are checked.
    ///
    /// ```
    /// let o: lagom_core::subscription::PlanOverrides =
    ///     serde_json::from_str(r#"{"minimum_commitment": {"amount_cents": 0}}"#).unwrap();
    /// assert_eq!(o.validate().unwrap_err().path(), Some("minimum_commitment.amount_cents"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        each(&self.charges, "charges", ChargeOverride::validate)?;
        validate_pricing(
            self.amount_cents,
            self.trial_period,
            self.minimum_commitment.as_ref(),
            &self.usage_thresholds,
        )
    }
}

/// The override of one of the plan's charges, named by the charge's `id` (its `lago_id`).
///
/// ```
/// let o: lagom_core::subscription::ChargeOverride = serde_json::from_str(r#"{
///     "id": "ch_1", "min_amount_cents": 500, "properties": {"amount": "0.4"},
///     "filters": [{"properties": {"amount": "0.3"}, "values": {"region": ["eu"]}}]
/// }"#).unwrap();
/// assert!(o.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ChargeOverride {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_metric_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Lago keeps the plan charge's model; the schema lets a client restate it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_model: Option<ChargeModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, JsonValue> | null")
    )]
    pub properties: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<ChargeFilter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_codes: Option<Vec<String>>,
}

impl ChargeOverride {
    /// Checks the charge is named and the overridden minimum and filters hold.
    ///
    /// ```
    /// let o: lagom_core::subscription::ChargeOverride =
    ///     serde_json::from_str(r#"{"id": "", "min_amount_cents": 0}"#).unwrap();
    /// assert_eq!(o.validate().unwrap_err().to_string(), "id: must not be blank");
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.id, "id")?;
        when_present(self.min_amount_cents, |m| {
            require_not_negative(m, "min_amount_cents")
        })?;
        each(
            self.filters.as_deref().unwrap_or_default(),
            "filters",
            ChargeFilter::validate,
        )
    }
}
