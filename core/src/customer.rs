//! Customers and the organization's billing settings: the fields that decide how a customer is billed
//! (currency, time zone, grace period, payment term, document locale, taxes).
//!
//! Addresses, contact details and payment-provider integrations are not billing inputs: they are
//! ignored when read.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::money::Currency;
use crate::tax::Tax;
use crate::time::time_zone;
use crate::validate::{require_text, when_present};

/// A customer as `POST /customers` takes it and `GET /customers/{external_id}` returns it.
///
/// ```
/// let c: lagom_core::customer::Customer = serde_json::from_str(r#"{
///     "external_id": "hooli_1234", "currency": "EUR", "timezone": "Europe/Paris",
///     "billing_configuration": {"invoice_grace_period": 3, "document_locale": "fr"}
/// }"#).unwrap();
/// assert_eq!(c.billing_configuration.unwrap().invoice_grace_period, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_entity_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firstname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lastname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// ISO 3166 alpha-2 country, which tax providers use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Set by the first subscription or wallet when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The customer's own IANA time zone, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The time zone billing uses: the customer's, else the billing entity's, else UTC (GET only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicable_timezone: Option<String>,
    /// Days between issuing and due date; the organization's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_payment_term: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalize_zero_amount_invoice: Option<FinalizeZeroAmountInvoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_configuration: Option<CustomerBillingConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
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

impl Customer {
    /// Checks an external id is present and the time zones are IANA names.
    ///
    /// ```
    /// let c: lagom_core::customer::Customer =
    ///     serde_json::from_str(r#"{"external_id": "c1", "timezone": "Mars/Olympus"}"#).unwrap();
    /// assert_eq!(c.validate().unwrap_err().to_string(), "timezone: unknown IANA time zone `Mars/Olympus`");
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.external_id, "external_id")?;
        known_time_zone(self.timezone.as_deref(), "timezone")?;
        known_time_zone(self.applicable_timezone.as_deref(), "applicable_timezone")
    }
}

/// Fails when a time zone is given and is not an IANA name.
fn known_time_zone(zone: Option<&str>, path: &str) -> Result<()> {
    when_present(zone, |zone| time_zone(zone, path).map(drop))
}

/// What to do with an invoice whose total is zero: follow the organization, finalize it, or skip it.
///
/// ```
/// use lagom_core::customer::FinalizeZeroAmountInvoice;
/// let value: FinalizeZeroAmountInvoice = serde_json::from_str(r#""skip""#).unwrap();
/// assert_eq!(value, FinalizeZeroAmountInvoice::Skip);
/// assert!(serde_json::from_str::<FinalizeZeroAmountInvoice>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum FinalizeZeroAmountInvoice {
    Inherit,
    Finalize,
    Skip,
}

/// A customer's `billing_configuration`.
///
/// ```
/// let b: lagom_core::customer::CustomerBillingConfiguration = serde_json::from_str(
///     r#"{"subscription_invoice_issuing_date_anchor": "current_period_end"}"#,
/// ).unwrap();
/// assert_eq!(b.subscription_invoice_issuing_date_anchor,
///     Some(lagom_core::customer::IssuingDateAnchor::CurrentPeriodEnd));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CustomerBillingConfiguration {
    /// Days an invoice stays a draft before it is finalized; the organization's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_grace_period: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_invoice_issuing_date_anchor: Option<IssuingDateAnchor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_invoice_issuing_date_adjustment: Option<IssuingDateAdjustment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_provider_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_with_provider: Option<bool>,
    /// ISO 639-1 language of invoices and credit notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider_payment_methods: Vec<String>,
}

/// Which date a subscription invoice is issued on, before any adjustment.
///
/// ```
/// use lagom_core::customer::IssuingDateAnchor;
/// let value: IssuingDateAnchor = serde_json::from_str(r#""next_period_start""#).unwrap();
/// assert_eq!(value, IssuingDateAnchor::NextPeriodStart);
/// assert!(serde_json::from_str::<IssuingDateAnchor>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum IssuingDateAnchor {
    CurrentPeriodEnd,
    NextPeriodStart,
}

/// Whether the issuing date moves to the finalization date (after the grace period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum IssuingDateAdjustment {
    AlignWithFinalizationDate,
    KeepAnchor,
}

/// The organization's settings that billing reads (`GET /organizations`, `PUT /organizations`).
///
/// ```
/// let org: lagom_core::customer::Organization = serde_json::from_str(r#"{
///     "timezone": "America/Los_Angeles", "default_currency": "USD", "net_payment_term": 30,
///     "billing_configuration": {"invoice_grace_period": 3, "document_locale": "en"}
/// }"#).unwrap();
/// assert_eq!(org.default_currency, Some(lagom_core::money::Currency::Usd));
/// assert!(org.validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Organization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<Currency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_payment_term: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_numbering: Option<DocumentNumbering>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalize_zero_amount_invoice: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_configuration: Option<OrganizationBillingConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
}

impl Organization {
    /// Checks the time zone is an IANA name.
    ///
    /// ```
    /// let org: lagom_core::customer::Organization =
    ///     serde_json::from_str(r#"{"timezone": "Paris"}"#).unwrap();
    /// assert_eq!(org.validate().unwrap_err().path(), Some("timezone"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        known_time_zone(self.timezone.as_deref(), "timezone")
    }
}

/// How invoice numbers are sequenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum DocumentNumbering {
    PerCustomer,
    PerOrganization,
}

/// The organization's `billing_configuration`.
///
/// ```
/// let b: lagom_core::customer::OrganizationBillingConfiguration =
///     serde_json::from_str(r#"{"invoice_grace_period": 3, "document_locale": "en"}"#).unwrap();
/// assert_eq!(b.invoice_grace_period, Some(3));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct OrganizationBillingConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_grace_period: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_footer: Option<String>,
}
