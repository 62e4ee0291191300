//! Add-ons: one-off items (a setup fee) billed on a one-off invoice.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::money::Currency;
use crate::tax::Tax;
use crate::validate::{require_positive, require_text};

/// An add-on as `POST /add_ons` takes it and `GET /add_ons/{code}` returns it.
///
/// ```
/// let a: lagom_core::add_on::AddOn = serde_json::from_str(r#"{
///     "name": "Setup Fee", "code": "setup_fee", "amount_cents": 50000, "amount_currency": "USD"
/// }"#).unwrap();
/// assert!(a.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AddOn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    pub code: String,
    pub amount_cents: i64,
    pub amount_currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
}

impl AddOn {
    /// Checks a name, a code and a positive amount, as Lago's add-on validations do.
    ///
    /// ```
    /// let a: lagom_core::add_on::AddOn = serde_json::from_str(
    ///     r#"{"name": "Setup", "code": "setup", "amount_cents": 0, "amount_currency": "USD"}"#,
    /// ).unwrap();
    /// assert_eq!(a.validate().unwrap_err().to_string(), "amount_cents: must be greater than 0 (got 0)");
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.name, "name")?;
        require_text(&self.code, "code")?;
        require_positive(self.amount_cents, "amount_cents")
    }
}
