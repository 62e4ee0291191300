//! Invoices: Lago's invoice object and the arithmetic that turns a draft's fees into its totals.
//!
//! The order of Lago's totals is: fees → minus progressive-billing credits and coupons → sub-total
//! excluding taxes → plus taxes → sub-total including taxes → minus credit notes and prepaid credits →
//! total. [`finalize`] applies that order to a draft whose fees the simulator built; a customer's
//! coupons, wallets and credit notes live in [`CustomerBalances`], which [`finalize`] consumes.
//! [`one_off_invoice`] builds an add-on invoice. Which fees an invoice has, its dates and statuses are
//! the simulator's business, not this module's.

mod balances;
pub(crate) mod build;
mod commitment;
mod context;
mod coupons;
mod credit_notes;
mod one_off;
mod taxes;
mod totals;
mod wallets;

pub use balances::CustomerBalances;
pub use commitment::{CommitmentTrueUp, minimum_commitment_true_up};
pub use context::{FeeContext, InvoiceContext, ProgressiveBillingCredit, ProgressiveFee};
pub use one_off::{OneOffFee, one_off_invoice};
pub use totals::{draft_totals, finalize, preview};
pub use wallets::{OngoingUsage, WalletChange, WalletTopUp, WalletUpdate};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::fee::Fee;
use crate::money::Currency;
use crate::tax::AppliedTax;

/// An invoice.
///
/// ```
/// let inv: lagom_core::invoice::Invoice = serde_json::from_str(r#"{
///     "issuing_date": "2022-04-30", "invoice_type": "subscription", "status": "finalized",
///     "currency": "USD", "fees_amount_cents": 100, "coupons_amount_cents": 10,
///     "credit_notes_amount_cents": 10, "sub_total_excluding_taxes_amount_cents": 90,
///     "taxes_amount_cents": 18, "sub_total_including_taxes_amount_cents": 108,
///     "prepaid_credit_amount_cents": 0, "total_amount_cents": 98
/// }"#).unwrap();
/// assert_eq!(inv.issuing_date.to_string(), "2022-04-30");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Invoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_entity_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequential_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The date in the customer's time zone.
    #[cfg_attr(feature = "typescript", tsify(type = "string"))]
    pub issuing_date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(type = "string | null"))]
    pub payment_due_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_overdue: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_payment_term: Option<u32>,
    pub invoice_type: InvoiceType,
    pub status: InvoiceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<InvoicePaymentStatus>,
    pub currency: Currency,
    pub fees_amount_cents: i64,
    pub coupons_amount_cents: i64,
    pub credit_notes_amount_cents: i64,
    pub sub_total_excluding_taxes_amount_cents: i64,
    pub taxes_amount_cents: i64,
    pub sub_total_including_taxes_amount_cents: i64,
    pub prepaid_credit_amount_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepaid_granted_credit_amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepaid_purchased_credit_amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progressive_billing_credit_amount_cents: Option<i64>,
    pub total_amount_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_number: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_billed: Option<bool>,
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
    pub updated_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied_taxes: Vec<AppliedTax>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied_usage_thresholds: Vec<AppliedUsageThreshold>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billing_periods: Vec<BillingPeriod>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<Credit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
}

/// Lago's `invoice_type` values.
///
/// ```
/// use lagom_core::invoice::InvoiceType;
/// let value: InvoiceType = serde_json::from_str(r#""progressive_billing""#).unwrap();
/// assert_eq!(value, InvoiceType::ProgressiveBilling);
/// assert!(serde_json::from_str::<InvoiceType>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceType {
    Subscription,
    AddOn,
    Credit,
    OneOff,
    AdvanceCharges,
    ProgressiveBilling,
}

/// The invoice `status` values Lago's API shows; `closed` is a zero-amount invoice the customer's
/// settings skip.
///
/// ```
/// use lagom_core::invoice::InvoiceStatus;
/// let value: InvoiceStatus = serde_json::from_str(r#""closed""#).unwrap();
/// assert_eq!(value, InvoiceStatus::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Finalized,
    Voided,
    Failed,
    Pending,
    Closed,
}

/// Lago's invoice `payment_status` values.
///
/// ```
/// use lagom_core::invoice::InvoicePaymentStatus;
/// let value: InvoicePaymentStatus = serde_json::from_str(r#""failed""#).unwrap();
/// assert_eq!(value, InvoicePaymentStatus::Failed);
/// assert!(serde_json::from_str::<InvoicePaymentStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum InvoicePaymentStatus {
    Pending,
    Succeeded,
    Failed,
}

/// The periods one subscription is billed for on an invoice.
///
/// ```
/// let p: lagom_core::invoice::BillingPeriod = serde_json::from_str(r#"{
///     "lago_subscription_id": "s", "external_subscription_id": "sub_1",
///     "subscription_from_datetime": "2022-04-29T08:59:51Z", "subscription_to_datetime": "2022-05-29T08:59:51Z",
///     "charges_from_datetime": "2022-04-29T08:59:51Z", "charges_to_datetime": "2022-05-29T08:59:51Z",
///     "invoicing_reason": "subscription_starting"
/// }"#).unwrap();
/// assert_eq!(p.invoicing_reason, lagom_core::invoice::InvoicingReason::SubscriptionStarting);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct BillingPeriod {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_subscription_id: Option<String>,
    pub external_subscription_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_plan_id: Option<String>,
    #[serde(with = "crate::time::iso")]
    pub subscription_from_datetime: Timestamp,
    #[serde(with = "crate::time::iso")]
    pub subscription_to_datetime: Timestamp,
    #[serde(with = "crate::time::iso")]
    pub charges_from_datetime: Timestamp,
    #[serde(with = "crate::time::iso")]
    pub charges_to_datetime: Timestamp,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_charges_from_datetime: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_charges_to_datetime: Option<Timestamp>,
    pub invoicing_reason: InvoicingReason,
}

/// Why a subscription is on an invoice.
///
/// ```
/// use lagom_core::invoice::InvoicingReason;
/// let value: InvoicingReason = serde_json::from_str(r#""progressive_billing""#).unwrap();
/// assert_eq!(value, InvoicingReason::ProgressiveBilling);
/// assert!(serde_json::from_str::<InvoicingReason>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum InvoicingReason {
    SubscriptionStarting,
    SubscriptionPeriodic,
    SubscriptionTerminating,
    InAdvanceCharge,
    InAdvanceChargePeriodic,
    ProgressiveBilling,
}

/// A deduction from an invoice: a coupon, a credit note or an earlier progressive-billing invoice.
///
/// ```
/// let c: lagom_core::invoice::Credit = serde_json::from_str(r#"{
///     "amount_cents": 1200, "amount_currency": "USD", "before_taxes": true,
///     "item": {"type": "coupon", "code": "startup_deal", "name": "Startup Deal"}
/// }"#).unwrap();
/// assert_eq!(c.item.kind, lagom_core::invoice::CreditType::Coupon);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Credit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub amount_cents: i64,
    pub amount_currency: Currency,
    /// Coupons and progressive-billing credits come off before taxes, credit notes after.
    pub before_taxes: bool,
    pub item: CreditItem,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<CreditInvoice>,
}

impl Credit {
    /// A credit of `amount_cents` from `item`, not yet tied to the invoice it is applied on.
    pub(crate) fn of(
        item: CreditItem,
        amount_cents: i64,
        currency: Currency,
        before_taxes: bool,
    ) -> Credit {
        Credit {
            lago_id: None,
            amount_cents,
            amount_currency: currency,
            before_taxes,
            item,
            invoice: None,
        }
    }
}

/// What a credit comes from.
///
/// ```
/// let item: lagom_core::invoice::CreditItem =
///     serde_json::from_str(r#"{"type": "credit_note", "code": "LAG-1234-CN2"}"#).unwrap();
/// assert_eq!(item.kind, lagom_core::invoice::CreditType::CreditNote);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreditItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_item_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: CreditType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl CreditItem {
    /// The item of a credit from a coupon, a credit note or an earlier invoice.
    pub(crate) fn of(
        kind: CreditType,
        lago_item_id: Option<String>,
        code: Option<String>,
        name: Option<String>,
    ) -> CreditItem {
        CreditItem {
            lago_item_id,
            kind,
            code,
            name,
            description: None,
        }
    }
}

/// Lago's credit item types.
///
/// ```
/// use lagom_core::invoice::CreditType;
/// let value: CreditType = serde_json::from_str(r#""invoice""#).unwrap();
/// assert_eq!(value, CreditType::Invoice);
/// assert!(serde_json::from_str::<CreditType>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum CreditType {
    Coupon,
    CreditNote,
    Invoice,
}

/// The invoice a credit was applied on.
///
/// ```
/// let inv: lagom_core::invoice::CreditInvoice =
///     serde_json::from_str(r#"{"lago_id": "inv_1", "payment_status": "pending"}"#).unwrap();
/// assert_eq!(inv.lago_id, "inv_1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct CreditInvoice {
    pub lago_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<InvoicePaymentStatus>,
}

/// A progressive-billing threshold reached by the usage an invoice bills.
///
/// ```
/// let t: lagom_core::invoice::AppliedUsageThreshold = serde_json::from_str(r#"{
///     "lifetime_usage_amount_cents": 2000,
///     "usage_threshold": {"amount_cents": 1000, "recurring": false}
/// }"#).unwrap();
/// assert_eq!(t.usage_threshold.amount_cents, 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AppliedUsageThreshold {
    pub lifetime_usage_amount_cents: i64,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<Timestamp>,
    pub usage_threshold: crate::plan::UsageThreshold,
}
