//! Credit notes: amounts given back on an invoice, as credit on the customer's balance, as a refund or
//! as an offset, item by item of the invoice's fees.
//!
//! Computing a credit note's taxes and coupon adjustment is the invoice's job; checks that need the
//! invoice (what is still creditable, whether it was paid) belong there too. This module holds the
//! `POST /credit_notes` input and the credit note Lago returns.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::fee::Fee;
use crate::money::{Currency, sum_cents};
use crate::tax::AppliedTax;
use crate::validate::{each, require_not_negative, require_text};

/// A credit note as Lago returns it.
///
/// ```
/// let cn: lagom_core::credit_note::CreditNote = serde_json::from_str(r#"{
///     "reason": "other", "currency": "USD", "credit_status": "available",
///     "total_amount_cents": 120, "taxes_amount_cents": 20, "taxes_rate": 20,
///     "sub_total_excluding_taxes_amount_cents": 100, "balance_amount_cents": 100,
///     "credit_amount_cents": 100, "refund_amount_cents": 0, "coupons_adjustment_amount_cents": 0
/// }"#).unwrap();
/// assert_eq!(cn.reason, lagom_core::credit_note::Reason::Other);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreditNote {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_invoice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(type = "string | null"))]
    pub issuing_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_status: Option<CreditStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_status: Option<RefundStatus>,
    pub reason: Reason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub currency: Currency,
    pub total_amount_cents: i64,
    pub taxes_amount_cents: i64,
    #[serde(with = "crate::money::number")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub taxes_rate: Decimal,
    pub sub_total_excluding_taxes_amount_cents: i64,
    /// Credit still available to future invoices.
    pub balance_amount_cents: i64,
    pub credit_amount_cents: i64,
    pub refund_amount_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_amount_cents: Option<i64>,
    pub coupons_adjustment_amount_cents: i64,
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
    pub items: Vec<CreditNoteItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied_taxes: Vec<AppliedTax>,
}

/// One credited fee of a credit note.
///
/// ```
/// let item: lagom_core::credit_note::CreditNoteItem =
///     serde_json::from_str(r#"{"amount_cents": 100, "amount_currency": "USD"}"#).unwrap();
/// assert!(item.fee.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreditNoteItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub amount_cents: i64,
    pub amount_currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
}

/// Lago's credit note `credit_status` values.
///
/// ```
/// use lagom_core::credit_note::CreditStatus;
/// let value: CreditStatus = serde_json::from_str(r#""voided""#).unwrap();
/// assert_eq!(value, CreditStatus::Voided);
/// assert!(serde_json::from_str::<CreditStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum CreditStatus {
    Available,
    Consumed,
    Voided,
}

/// Lago's credit note `refund_status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
}

/// Why a credit note was issued.
///
/// ```
/// use lagom_core::credit_note::Reason;
/// let value: Reason = serde_json::from_str(r#""other""#).unwrap();
/// assert_eq!(value, Reason::Other);
/// assert!(serde_json::from_str::<Reason>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    DuplicatedCharge,
    ProductUnsatisfactory,
    OrderChange,
    OrderCancellation,
    FraudulentCharge,
    Other,
}

/// A credit note as `POST /credit_notes` takes it.
///
/// ```
/// let input: lagom_core::credit_note::CreditNoteCreate = serde_json::from_str(r#"{
///     "invoice_id": "inv_1", "reason": "duplicated_charge",
///     "credit_amount_cents": 100, "refund_amount_cents": 0,
///     "items": [{"fee_id": "fee_1", "amount_cents": 100}]
/// }"#).unwrap();
/// assert!(input.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreditNoteCreate {
    pub invoice_id: String,
    pub reason: Reason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub credit_amount_cents: i64,
    #[serde(default)]
    pub refund_amount_cents: i64,
    #[serde(default)]
    pub offset_amount_cents: i64,
    pub items: Vec<CreditNoteItemInput>,
}

impl CreditNoteCreate {
    /// Checks what does not need the invoice: amounts that are not negative, and a positive total of
    /// credit, refund and offset (Lago's `total_amount_must_be_positive`).
    ///
    /// ```
    /// let input: lagom_core::credit_note::CreditNoteCreate = serde_json::from_str(r#"{
    ///     "invoice_id": "inv_1", "reason": "other", "items": [{"fee_id": "fee_1", "amount_cents": 0}]
    /// }"#).unwrap();
    /// assert_eq!(
    ///     input.validate().unwrap_err().to_string(),
    ///     "(input): credit, refund and offset amounts must add up to more than 0 (got 0)"
    /// );
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_text(&self.invoice_id, "invoice_id")?;
        require_not_negative(self.credit_amount_cents, "credit_amount_cents")?;
        require_not_negative(self.refund_amount_cents, "refund_amount_cents")?;
        require_not_negative(self.offset_amount_cents, "offset_amount_cents")?;
        each(&self.items, "items", |item| {
            require_text(&item.fee_id, "fee_id")?;
            require_not_negative(item.amount_cents, "amount_cents")
        })?;
        let total = sum_cents(
            [
                self.credit_amount_cents,
                self.refund_amount_cents,
                self.offset_amount_cents,
            ],
            "credit note total_amount_cents",
        )?;
        if total <= 0 {
            return Err(Error::invalid(
                "",
                format!(
                    "credit, refund and offset amounts must add up to more than 0 (got {total})"
                ),
            ));
        }
        Ok(())
    }
}

/// One fee to credit, in cents before taxes.
///
/// ```
/// let item: lagom_core::credit_note::CreditNoteItemInput =
///     serde_json::from_str(r#"{"fee_id": "fee_1", "amount_cents": 250}"#).unwrap();
/// assert_eq!(item.amount_cents, 250);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreditNoteItemInput {
    pub fee_id: String,
    pub amount_cents: i64,
}
