//! One-off invoices: add-on fees billed on their own, with taxes and no coupons or credits.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::add_on::AddOn;
use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::invoice::{Invoice, InvoiceContext};
use crate::money::Currency;

/// One fee of `POST /invoices`: an add-on, optionally at another unit price or quantity.
///
/// ```
/// let fee: lagom_core::invoice::OneOffFee =
///     serde_json::from_str(r#"{"add_on_code": "setup", "units": "2", "unit_amount_cents": 1500}"#).unwrap();
/// assert_eq!(fee.unit_amount_cents, Some(1500));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneOffFee {
    pub add_on_code: String,
    /// The add-on's `amount_cents` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_amount_cents: Option<i64>,
    /// 1 when absent.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub units: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_display_name: Option<String>,
    /// Replaces the add-on's taxes for this fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_codes: Option<Vec<String>>,
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
}

/// Builds the finalized `one_off` invoice of `POST /invoices`: one `add_on` fee per entry, taxed by
/// the fee's `tax_codes`, else the add-on's, else the customer's, else the organization's. Coupons,
/// credit notes and wallets do not apply to it. `context.fees` and
/// `context.progressive_billing_credits` are not read. Ids are left for the caller.
pub fn one_off_invoice(
    fees: &[OneOffFee],
    add_ons: &[AddOn],
    currency: Currency,
    issuing_date: Date,
    context: &InvoiceContext,
) -> Result<Invoice> {
    let _ = (add_ons, currency, issuing_date, context);
    if fees.is_empty() {
        return Err(Error::invalid("fees", "must not be empty"));
    }
    Err(Error::invalid("", "one-off invoices are being implemented"))
}
