//! One-off invoices: add-on fees billed on their own, with taxes and no coupons or credits.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::add_on::AddOn;
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::{Fee, FeeType, PaymentStatus};
use crate::invoice::{
    FeeContext, Invoice, InvoiceContext, InvoicePaymentStatus, InvoiceType, draft_totals,
};
use crate::money::{Currency, round_cents};

use super::build;

/// One fee of `POST /invoices`: an add-on, optionally at another unit price or quantity.
///
/// ```
/// let fee: lagom_core::invoice::OneOffFee =
///     serde_json::from_str(r#"{"add_on_code": "setup", "units": "2", "unit_amount_cents": 1500}"#).unwrap();
/// assert_eq!(fee.unit_amount_cents, Some(1500));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
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
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub from_datetime: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub to_datetime: Option<Timestamp>,
}

/// Builds the finalized `one_off` invoice of `POST /invoices`: one `add_on` fee per entry (units ×
/// unit amount, rounded to whole cents), taxed by the entry's `tax_codes`, else the add-on's, else
/// the customer's, else the organization's default taxes. Coupons, credit notes and wallets do not
/// apply to it (Lago's `Invoices::CreateOneOffService` only computes taxes and totals).
/// `context.fees` and `context.progressive_billing_credits` are not read. Ids are left for the
/// caller; the issuing date is the caller's (the customer-local date of `context.at`).
///
/// ```
/// use lagom_core::customer::{Customer, Organization};
/// use lagom_core::invoice::{one_off_invoice, InvoiceContext, OneOffFee};
/// use lagom_core::money::Currency;
/// let add_ons = [serde_json::from_str(r#"{"name": "Setup", "code": "setup",
///     "amount_cents": 10000, "amount_currency": "EUR"}"#).unwrap()];
/// let taxes = [serde_json::from_str(r#"{"name": "VAT", "code": "vat", "rate": 20,
///     "applied_to_organization": true}"#).unwrap()];
/// let fees: Vec<OneOffFee> = serde_json::from_str(r#"[{"add_on_code": "setup", "units": "1.5"}]"#).unwrap();
/// let customer: Customer = serde_json::from_str(r#"{"external_id": "c1"}"#).unwrap();
/// let context = InvoiceContext {
///     organization: &Organization::default(),
///     customer: &customer,
///     taxes: &taxes,
///     fees: &[],
///     at: "2024-02-01T10:00:00Z".parse().unwrap(),
///     progressive_billing_credits: &[],
/// };
/// let issuing_date = "2024-02-01".parse().unwrap();
/// let invoice = one_off_invoice(&fees, &add_ons, Currency::Eur, issuing_date, &context).unwrap();
/// // 1.5 × 100.00 € = 150.00 €, + 20 % VAT = 180.00 €
/// assert_eq!((invoice.fees_amount_cents, invoice.total_amount_cents), (15000, 18000));
/// ```
pub fn one_off_invoice(
    fees: &[OneOffFee],
    add_ons: &[AddOn],
    currency: Currency,
    issuing_date: Date,
    context: &InvoiceContext,
) -> Result<Invoice> {
    if fees.is_empty() {
        return Err(Error::invalid("fees", "must not be empty"));
    }
    let mut built = Vec::with_capacity(fees.len());
    let mut fee_contexts = Vec::with_capacity(fees.len());
    for (i, fee) in fees.iter().enumerate() {
        let path = format!("fees[{i}]");
        let add_on = add_ons
            .iter()
            .find(|a| a.code == fee.add_on_code)
            .ok_or_else(|| {
                let known: Vec<&str> = add_ons.iter().map(|a| a.code.as_str()).collect();
                Error::invalid(
                    format!("{path}.add_on_code"),
                    format!(
                        "unknown add-on code `{}`, known: {}",
                        fee.add_on_code,
                        known.join(", ")
                    ),
                )
            })?;
        built.push(add_on_fee(fee, add_on, currency, context.at, &path)?);
        fee_contexts.push(FeeContext {
            tax_codes: fee
                .tax_codes
                .clone()
                .unwrap_or_else(|| add_on.tax_codes.clone()),
            ..FeeContext::default()
        });
    }
    let mut invoice = build::invoice(
        InvoiceType::OneOff,
        currency,
        issuing_date,
        context.at,
        built,
    );
    let one_off_context = InvoiceContext {
        fees: &fee_contexts,
        progressive_billing_credits: &[],
        ..*context
    };
    draft_totals(&mut invoice, &one_off_context)?;
    invoice.payment_status = Some(if invoice.total_amount_cents > 0 {
        InvoicePaymentStatus::Pending
    } else {
        InvoicePaymentStatus::Succeeded
    });
    Ok(invoice)
}

/// One add-on fee: `unit_amount_cents × units`, rounded to whole cents (Lago's `Fees::OneOffService`).
fn add_on_fee(
    input: &OneOffFee,
    add_on: &AddOn,
    currency: Currency,
    at: Timestamp,
    path: &str,
) -> Result<Fee> {
    let units = input.units.unwrap_or(Decimal::ONE);
    if units <= Decimal::ZERO {
        return Err(Error::invalid(
            format!("{path}.units"),
            format!("must be greater than 0 (got {units})"),
        ));
    }
    let unit_amount_cents = input.unit_amount_cents.unwrap_or(add_on.amount_cents);
    if unit_amount_cents < 0 {
        return Err(Error::invalid(
            format!("{path}.unit_amount_cents"),
            format!("must not be negative (got {unit_amount_cents})"),
        ));
    }
    if let (Some(from), Some(to)) = (input.from_datetime, input.to_datetime)
        && from > to
    {
        return Err(Error::invalid(
            format!("{path}.to_datetime"),
            format!("must not be before from_datetime (got {to} < {from})"),
        ));
    }
    let precise_cents = decimal::mul(Decimal::from(unit_amount_cents), units, "add-on fee amount")?;
    let amount_cents = round_cents(precise_cents)?;
    let mut item = build::item(
        FeeType::AddOn,
        &add_on.code,
        &add_on.name,
        add_on.lago_id.clone(),
        "AddOn",
    );
    item.invoice_display_name = input
        .invoice_display_name
        .clone()
        .or_else(|| add_on.invoice_display_name.clone());
    let mut fee = build::fee(
        item,
        amount_cents,
        currency.to_units(precise_cents),
        units,
        currency,
        at,
    );
    fee.precise_unit_amount = Some(currency.to_units(Decimal::from(unit_amount_cents)));
    fee.from_date = Some(input.from_datetime.unwrap_or(at));
    fee.to_date = Some(input.to_datetime.unwrap_or(at));
    fee.payment_status = Some(PaymentStatus::Pending);
    fee.description = input
        .description
        .clone()
        .or_else(|| add_on.description.clone());
    Ok(fee)
}
