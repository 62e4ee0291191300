//! Plans: the `plan` object of Lago's API with its charges, charge filters, minimum commitment and
//! progressive-billing usage thresholds.
//!
//! The same types read what `POST /plans` takes (`billable_metric_id`, `tax_codes`) and what
//! `GET /plans/{code}` returns (`lago_id`, `billable_metric_code`, `taxes`, timestamps). A charge keeps its
//! `properties` as JSON: their typed parsing per charge model belongs to [`crate::charge`]. Billable
//! metrics belong to [`crate::metric`].

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::charge::ChargeModel;
use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::period::Interval;
use crate::tax::Tax;
use crate::validate::{each, require_not_negative, require_positive, require_text, when_present};

/// A plan.
///
/// ```
/// let plan: lagom_core::plan::Plan = serde_json::from_str(r#"{
///     "name": "Startup", "code": "startup", "interval": "monthly",
///     "amount_cents": 10000, "amount_currency": "USD", "pay_in_advance": true,
///     "charges": [{"billable_metric_code": "requests", "charge_model": "standard",
///                  "properties": {"amount": "0.5", "grouped_by": ["region"]}}]
/// }"#).unwrap();
/// assert_eq!(plan.charges[0].properties["grouped_by"][0], "region");
/// assert!(plan.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Plan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    pub code: String,
    pub interval: Interval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The subscription fee, in cents of `amount_currency`.
    pub amount_cents: i64,
    pub amount_currency: Currency,
    /// Trial length in days (Lago stores a float and writes it as a JSON number).
    #[serde(
        default,
        with = "crate::money::number_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub trial_period: Option<Decimal>,
    /// Whether the subscription fee is billed at the start of the period.
    #[serde(default)]
    pub pay_in_advance: bool,
    /// For yearly and semiannual plans: bill usage charges every month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_charges_monthly: Option<bool>,
    /// Taxes by code, as `POST` takes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_codes: Vec<String>,
    /// Taxes in full, as `GET` returns them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_commitment: Option<MinimumCommitment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<Charge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usage_thresholds: Vec<UsageThreshold>,
}

impl Plan {
    /// Checks what Lago's plan validations check beyond the shape: a name and a code, a subscription
    /// fee that is not negative, a positive minimum commitment, valid charges and usage thresholds.
    ///
    /// ```
    /// let plan: lagom_core::plan::Plan = serde_json::from_str(r#"{
    ///     "name": "Startup", "code": "startup", "interval": "monthly",
    ///     "amount_cents": 0, "amount_currency": "EUR",
    ///     "usage_thresholds": [{"amount_cents": 0}]
    /// }"#).unwrap();
    /// assert_eq!(
    ///     plan.validate().unwrap_err().to_string(),
    ///     "usage_thresholds[0].amount_cents: must be greater than 0 (got 0)"
    /// );
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.name, "name")?;
        require_text(&self.code, "code")?;
        each(&self.charges, "charges", Charge::validate)?;
        validate_pricing(
            Some(self.amount_cents),
            self.trial_period,
            self.minimum_commitment.as_ref(),
            &self.usage_thresholds,
        )
    }
}

/// The checks a plan and a subscription's plan overrides share: a subscription fee and a trial that
/// are not negative, a positive minimum commitment, and usage thresholds as Lago keeps them (positive,
/// at most one recurring, the fixed ones at distinct amounts).
pub(crate) fn validate_pricing(
    amount_cents: Option<i64>,
    trial_period: Option<Decimal>,
    minimum_commitment: Option<&MinimumCommitment>,
    thresholds: &[UsageThreshold],
) -> Result<()> {
    when_present(amount_cents, |a| require_not_negative(a, "amount_cents"))?;
    when_present(trial_period, |t| require_not_negative(t, "trial_period"))?;
    when_present(minimum_commitment, |c| {
        require_positive(c.amount_cents, "minimum_commitment.amount_cents")
    })?;
    each(thresholds, "usage_thresholds", |t| {
        require_positive(t.amount_cents, "amount_cents")
    })?;
    let mut recurring_seen = false;
    for (i, threshold) in thresholds.iter().enumerate() {
        let path = format!("usage_thresholds[{i}]");
        if threshold.recurring {
            if recurring_seen {
                return Err(Error::invalid(
                    format!("{path}.recurring"),
                    "only one recurring threshold is allowed",
                ));
            }
            recurring_seen = true;
        } else if thresholds[..i]
            .iter()
            .any(|t| !t.recurring && t.amount_cents == threshold.amount_cents)
        {
            return Err(Error::invalid(
                format!("{path}.amount_cents"),
                format!(
                    "is already used by another threshold (got {})",
                    threshold.amount_cents
                ),
            ));
        }
    }
    Ok(())
}

/// A plan's minimum commitment: the least the customer pays for usage per period.
///
/// ```
/// let c: lagom_core::plan::MinimumCommitment =
///     serde_json::from_str(r#"{"amount_cents": 100000, "tax_codes": ["vat"]}"#).unwrap();
/// assert_eq!(c.amount_cents, 100000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct MinimumCommitment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_code: Option<String>,
    pub amount_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
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
    pub updated_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
}

/// A progressive-billing threshold: an invoice is issued when the period's usage reaches it.
///
/// ```
/// let t: lagom_core::plan::UsageThreshold =
///     serde_json::from_str(r#"{"threshold_display_name": "T1", "amount_cents": 10000, "recurring": true}"#)
///         .unwrap();
/// assert!(t.recurring);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct UsageThreshold {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_display_name: Option<String>,
    pub amount_cents: i64,
    /// A recurring threshold fires again every `amount_cents` beyond the last fixed one.
    #[serde(default)]
    pub recurring: bool,
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
    pub updated_at: Option<Timestamp>,
}

/// A usage-based charge of a plan.
///
/// `POST` names the billable metric by `billable_metric_id`; `GET` returns `lago_billable_metric_id`
/// and `billable_metric_code`. `properties` (with `grouped_by`) stays JSON here.
///
/// ```
/// let charge: lagom_core::plan::Charge = serde_json::from_str(r#"{
///     "billable_metric_code": "cpu", "charge_model": "package",
///     "properties": {"amount": "30", "free_units": 100, "package_size": 1000}
/// }"#).unwrap();
/// assert!(charge.invoiceable);
/// assert_eq!(charge.properties["package_size"], 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Charge {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_metric_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_billable_metric_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_metric_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    pub charge_model: ChargeModel,
    /// Whether a pay-in-advance charge's fees go on an invoice (Lago's default: yes).
    #[serde(default = "crate::validate::yes")]
    pub invoiceable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(default)]
    pub pay_in_advance: bool,
    /// For non-invoiceable pay-in-advance charges: gather the paid fees on the period's invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regroup_paid_fees: Option<RegroupPaidFees>,
    #[serde(default)]
    pub prorated: bool,
    /// The least the charge costs per period, in cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_amount_cents: Option<i64>,
    /// The charge model's properties (typed by [`crate::charge`]).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub properties: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<ChargeFilter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
}

impl Charge {
    /// Checks what Lago checks of a charge beyond its properties: a billable metric named one way or
    /// the other, a minimum amount that is not negative, and filters that each match some value.
    ///
    /// ```
    /// let charge: lagom_core::plan::Charge = serde_json::from_str(
    ///     r#"{"billable_metric_code": "cpu", "charge_model": "standard", "min_amount_cents": -5}"#,
    /// ).unwrap();
    /// assert_eq!(charge.validate().unwrap_err().to_string(), "min_amount_cents: must not be negative (got -5)");
    /// ```
    pub fn validate(&self) -> Result<()> {
        let named = [
            &self.billable_metric_id,
            &self.lago_billable_metric_id,
            &self.billable_metric_code,
        ];
        if named
            .iter()
            .all(|name| name.as_deref().is_none_or(str::is_empty))
        {
            return Err(Error::invalid(
                "billable_metric_id",
                "a charge needs its billable metric (billable_metric_id or billable_metric_code)",
            ));
        }
        when_present(self.min_amount_cents, |m| {
            require_not_negative(m, "min_amount_cents")
        })?;
        each(&self.filters, "filters", ChargeFilter::validate)
    }
}

/// Lago's `regroup_paid_fees` values.
///
/// ```
/// use lagom_core::plan::RegroupPaidFees;
/// let value: RegroupPaidFees = serde_json::from_str(r#""invoice""#).unwrap();
/// assert_eq!(value, RegroupPaidFees::Invoice);
/// assert!(serde_json::from_str::<RegroupPaidFees>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum RegroupPaidFees {
    Invoice,
}

/// A charge filter: its own properties for the events whose metric filters match `values`.
///
/// ```
/// let f: lagom_core::plan::ChargeFilter = serde_json::from_str(r#"{
///     "invoice_display_name": "Europe", "properties": {"amount": "10"},
///     "values": {"region": ["Europe"]}
/// }"#).unwrap();
/// assert_eq!(f.values["region"], ["Europe"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ChargeFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub properties: Map<String, Value>,
    /// Filter key → accepted values (Lago's `__ALL_FILTER_VALUES__` stands for any value).
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, string[]>"))]
    pub values: BTreeMap<String, Vec<String>>,
}

impl ChargeFilter {
    /// A filter must name at least one key, each with at least one value.
    ///
    /// ```
    /// let f: lagom_core::plan::ChargeFilter =
    ///     serde_json::from_str(r#"{"values": {"region": []}}"#).unwrap();
    /// assert_eq!(f.validate().unwrap_err().to_string(), "values.region: must list at least one value");
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.values.is_empty() {
            return Err(Error::invalid(
                "values",
                "must name at least one filter key",
            ));
        }
        match self.values.iter().find(|(_, values)| values.is_empty()) {
            Some((key, _)) => Err(Error::invalid(
                format!("values.{key}"),
                "must list at least one value",
            )),
            None => Ok(()),
        }
    }
}
