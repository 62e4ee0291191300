//! What [`super::finalize`] needs to know beyond the draft itself: the organization and customer, the
//! tax definitions, what each fee belongs to, and the progressive-billing amounts to deduct.

use jiff::Timestamp;

use crate::customer::{Customer, Organization};
use crate::tax::Tax;

/// The surroundings of one invoice.
///
/// `fees` has one entry per fee of the draft, in the same order.
///
/// ```
/// use lagom_core::customer::{Customer, Organization};
/// use lagom_core::invoice::{FeeContext, InvoiceContext};
/// let organization = Organization::default();
/// let customer: Customer = serde_json::from_str(r#"{"external_id": "c1"}"#).unwrap();
/// let fees = [FeeContext::default()];
/// let context = InvoiceContext {
///     organization: &organization,
///     customer: &customer,
///     taxes: &[],
///     fees: &fees,
///     at: "2024-03-01T00:00:00Z".parse().unwrap(),
///     progressive_billing_credits: &[],
/// };
/// assert_eq!(context.fees.len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InvoiceContext<'a> {
    pub organization: &'a Organization,
    pub customer: &'a Customer,
    /// Every tax the scenario defines; tax codes on the customer, plan, charges and add-ons refer to
    /// these, and those with `applied_to_organization` are the organization's default.
    pub taxes: &'a [Tax],
    /// One per fee of the draft, same order.
    pub fees: &'a [FeeContext],
    /// When the invoice is finalized: coupons and wallets that expired before it do not apply.
    pub at: Timestamp,
    /// Earlier progressive-billing invoices of the period whose amounts this invoice deducts.
    pub progressive_billing_credits: &'a [ProgressiveBillingCredit],
}

/// What a fee belongs to, for coupon limits, wallet limits and tax precedence.
///
/// ```
/// let fee = lagom_core::invoice::FeeContext {
///     plan_code: Some("premium".into()),
///     billable_metric_code: Some("api_calls".into()),
///     tax_codes: vec!["vat_reduced".into()],
///     plan_tax_codes: vec!["vat".into()],
/// };
/// assert_eq!(fee.tax_codes, ["vat_reduced"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeContext {
    /// The code of the plan of the fee's subscription (none for an add-on fee).
    pub plan_code: Option<String>,
    /// The billable metric code of a charge fee.
    pub billable_metric_code: Option<String>,
    /// The tax codes of the fee's own item: the charge's, the add-on's (or the one-off fee's
    /// `tax_codes`), or the minimum commitment's. When not empty they win over every other level.
    pub tax_codes: Vec<String>,
    /// The tax codes of the plan, which apply when the item has none.
    pub plan_tax_codes: Vec<String>,
}

/// An earlier progressive-billing invoice of the same subscription and period, to deduct (Lago's
/// `Credits::ProgressiveBillingService`).
///
/// ```
/// use lagom_core::invoice::{ProgressiveBillingCredit, ProgressiveFee};
/// let credit = ProgressiveBillingCredit {
///     invoice_id: "inv_0002".into(),
///     amount_cents: 1_000,
///     fees: vec![ProgressiveFee { fee_index: 1, billed_amount_cents: 1_000 }],
/// };
/// assert_eq!(credit.fees[0].fee_index, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressiveBillingCredit {
    /// The progressive-billing invoice's id (the credit's `invoice`).
    pub invoice_id: String,
    /// What is left to deduct of what that invoice billed (Lago's `to_credit_amount`).
    pub amount_cents: i64,
    /// The draft's charge fees of the charges that invoice billed, each with the amount the
    /// progressive-billing invoice billed for the same charge, filter and group (0 when none). The
    /// deduction is capped at the sum of these fees' amounts.
    pub fees: Vec<ProgressiveFee>,
}

/// One draft fee covered by a progressive-billing credit.
///
/// ```
/// let covered = lagom_core::invoice::ProgressiveFee { fee_index: 2, billed_amount_cents: 0 };
/// assert_eq!(covered.billed_amount_cents, 0); // the earlier invoice billed nothing for its group
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressiveFee {
    /// The index of the fee in the draft's `fees`.
    pub fee_index: usize,
    /// What the progressive-billing invoice billed for the same charge, filter and group.
    pub billed_amount_cents: i64,
}
