//! The simulation's answer: every invoice in creation order, the queries' answers, the final state
//! of wallets, credit notes and subscriptions, and the warnings about what could not be billed.

use jiff::Timestamp;
use serde::Serialize;

use crate::credit_note::CreditNote;
use crate::fee::Fee;
use crate::invoice::Invoice;
use crate::subscription::Subscription;
use crate::usage::{CustomerUsage, LifetimeUsage};
use crate::wallet::{Wallet, WalletTransaction};

/// What a scenario produced.
///
/// ```
/// let out = lagom_core::simulate::SimulationOutput::default();
/// let json = serde_json::to_value(&out).unwrap();
/// assert_eq!(json["invoices"], serde_json::json!([]));
/// assert_eq!(json["warnings"], serde_json::json!([]));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct SimulationOutput {
    pub invoices: Vec<Invoice>,
    /// Fees of pay-in-advance charges that are not invoiceable, in creation order.
    pub non_invoiceable_fees: Vec<Fee>,
    pub credit_notes: Vec<CreditNote>,
    pub current_usage: Vec<UsageAnswer>,
    pub past_usage: Vec<PastUsageAnswer>,
    pub lifetime_usage: Vec<LifetimeUsageAnswer>,
    pub fee_estimates: Vec<FeeEstimate>,
    pub invoice_previews: Vec<InvoicePreview>,
    pub wallets: Vec<Wallet>,
    pub wallet_transactions: Vec<WalletTransaction>,
    pub subscriptions: Vec<Subscription>,
    #[cfg_attr(feature = "typescript", tsify(type = "SimulationWarning[]"))]
    pub warnings: Vec<Warning>,
}

/// A `current_usage` query's answer, with the instant and subscription it was asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct UsageAnswer {
    #[serde(with = "crate::time::iso")]
    pub at: Timestamp,
    pub external_subscription_id: String,
    #[serde(flatten)]
    pub usage: CustomerUsage,
}

/// A `past_usage` query's answer: the billed periods, latest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PastUsageAnswer {
    #[serde(with = "crate::time::iso")]
    pub at: Timestamp,
    pub external_subscription_id: String,
    pub usage_periods: Vec<CustomerUsage>,
}

/// A `lifetime_usage` query's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct LifetimeUsageAnswer {
    #[serde(with = "crate::time::iso")]
    pub at: Timestamp,
    #[serde(flatten)]
    pub lifetime_usage: LifetimeUsage,
}

/// An `estimate_fees` query's answer: the fees the event would get, with their taxes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct FeeEstimate {
    #[serde(with = "crate::time::iso")]
    pub at: Timestamp,
    pub external_subscription_id: String,
    pub fees: Vec<Fee>,
}

/// A `preview_invoice` query's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct InvoicePreview {
    #[serde(with = "crate::time::iso")]
    pub at: Timestamp,
    pub external_customer_id: String,
    pub invoice: Invoice,
}

/// Something the simulator did not bill, and why: an event it could not attribute, a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "SimulationWarning", missing_as_null)
)]
pub struct Warning {
    /// The index of the timeline step that caused it, when a step did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// The index of the loaded event that caused it, when one did
    /// ([`super::simulate_with_events`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    #[serde(with = "crate::time::iso")]
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    pub reason: String,
}
