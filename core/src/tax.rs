//! Taxes: the `tax` object of Lago's API and the `applied_taxes` entries of fees, invoices and credit
//! notes.
//!
//! A tax is a named rate in percent (`20` for 20 %). Computing tax amounts is the invoice's job; this
//! module only holds the shapes and checks a rate is not negative.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::error::Result;
use crate::money::Currency;
use crate::validate::{require_not_negative, require_text};

/// A tax as `POST /taxes` takes it and `GET /taxes/{code}` returns it.
///
/// ```
/// let tax: lagom_core::tax::Tax = serde_json::from_str(
///     r#"{"name": "TVA", "code": "french_standard_vat", "rate": "20.0", "applied_to_organization": true}"#,
/// ).unwrap();
/// assert_eq!(tax.rate, lagom_core::decimal::Decimal::from(20));
/// assert!(tax.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Tax {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub name: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rate in percent; Lago writes it as a JSON number.
    #[serde(with = "crate::money::number")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub rate: Decimal,
    /// Whether the tax applies by default to every customer of the organization.
    #[serde(default)]
    pub applied_to_organization: bool,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
}

impl Tax {
    /// Checks what Lago checks beyond the shape: a code and a name, and a rate that is not negative.
    ///
    /// ```
    /// let tax: lagom_core::tax::Tax =
    ///     serde_json::from_str(r#"{"name": "Bad", "code": "bad", "rate": -1}"#).unwrap();
    /// assert_eq!(tax.validate().unwrap_err().to_string(), "rate: must not be negative (got -1)");
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.code, "code")?;
        require_text(&self.name, "name")?;
        require_not_negative(self.rate, "rate")
    }
}

/// A tax as applied to a fee, an invoice or a credit note (`applied_taxes[]`).
///
/// ```
/// let applied: lagom_core::tax::AppliedTax = serde_json::from_str(r#"{
///     "tax_name": "TVA", "tax_code": "french_standard_vat", "tax_rate": 20,
///     "amount_cents": 2000, "amount_currency": "USD"
/// }"#).unwrap();
/// assert_eq!(applied.amount_cents, 2000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AppliedTax {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_tax_id: Option<String>,
    pub tax_name: String,
    pub tax_code: String,
    #[serde(with = "crate::money::number")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub tax_rate: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_description: Option<String>,
    pub amount_cents: i64,
    pub amount_currency: Currency,
    /// On an invoice: the fees amount the tax was computed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees_amount_cents: Option<i64>,
    /// On an invoice: the taxable base after coupons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable_base_amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_invoice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_fee_id: Option<String>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
}
