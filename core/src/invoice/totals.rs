//! An invoice's totals, in Lago's order (`Invoices::CalculateFeesService`): fees, progressive-billing
//! credits, coupons, taxes, credit notes, then prepaid credits from wallets.

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::FeeType;
use crate::invoice::{
    Credit, CreditInvoice, CreditItem, CreditType, CustomerBalances, Invoice, InvoiceContext,
    InvoicePaymentStatus, ProgressiveBillingCredit,
};
use crate::money::{add_cents, sub_cents, sum_cents};

use super::{coupons, credit_notes, taxes, wallets};

/// Finalizes `draft`: applies, in Lago's order, the progressive-billing credits of `context`, the
/// customer's coupons (most limited first, spread pro rata over the fees they cover, only when the
/// fees add up to more than zero), the taxes of each fee (the item's, else the plan's, else the
/// customer's, else the organization's), the credit notes' remaining credit, and the wallets'
/// credits (by priority, limited by `applies_to`), then fills every total, `credits`,
/// `applied_taxes` and `payment_status`. `balances` records what was consumed.
///
/// The draft's fees need `amount_cents`, `precise_amount` and `item`; their tax and coupon fields
/// and the invoice's totals are overwritten.
///
/// ```
/// use lagom_core::customer::{Customer, Organization};
/// use lagom_core::invoice::{finalize, CustomerBalances, FeeContext, Invoice, InvoiceContext};
/// let mut invoice: Invoice = serde_json::from_str(r#"{"issuing_date": "2024-02-01",
///     "invoice_type": "subscription", "status": "finalized", "currency": "EUR",
///     "fees_amount_cents": 0, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
///     "sub_total_excluding_taxes_amount_cents": 0, "taxes_amount_cents": 0,
///     "sub_total_including_taxes_amount_cents": 0, "prepaid_credit_amount_cents": 0,
///     "total_amount_cents": 0, "fees": [{"amount_cents": 1000, "amount_currency": "EUR",
///     "taxes_amount_cents": 0, "taxes_rate": 0, "units": "1", "total_amount_cents": 0,
///     "item": {"type": "subscription", "code": "basic", "name": "Basic"}}]}"#).unwrap();
/// let taxes = [serde_json::from_str(r#"{"name": "VAT", "code": "vat", "rate": 20,
///     "applied_to_organization": true}"#).unwrap()];
/// let customer: Customer = serde_json::from_str(r#"{"external_id": "c1"}"#).unwrap();
/// let context = InvoiceContext {
///     organization: &Organization::default(),
///     customer: &customer,
///     taxes: &taxes,
///     fees: &[FeeContext::default()],
///     at: "2024-02-01T00:00:00Z".parse().unwrap(),
///     progressive_billing_credits: &[],
/// };
/// finalize(&mut invoice, &context, &mut CustomerBalances::default()).unwrap();
/// // 10.00 € + 20 % VAT
/// assert_eq!((invoice.taxes_amount_cents, invoice.total_amount_cents), (200, 1200));
/// ```
pub fn finalize(
    draft: &mut Invoice,
    context: &InvoiceContext,
    balances: &mut CustomerBalances,
) -> Result<()> {
    start(draft, context)?;
    if draft.fees_amount_cents > 0 {
        coupons::apply_to_invoice(&mut balances.coupons, draft, context)?;
    }
    taxes::tax_invoice(draft, context)?;
    sub_totals(draft)?;
    let credited = credit_notes::apply_to_invoice(&mut balances.credit_notes, draft)?;
    if draft.total_amount_cents > 0 {
        wallets::apply_to_invoice(&mut balances.wallets, draft, context, &credited)?;
    }
    let payment_status = if draft.total_amount_cents > 0 {
        InvoicePaymentStatus::Pending
    } else {
        InvoicePaymentStatus::Succeeded
    };
    draft.payment_status = Some(payment_status);
    // Each credit names the invoice it was applied on, as Lago's credit object does.
    if let Some(id) = &draft.lago_id {
        for credit in &mut draft.credits {
            credit.invoice = Some(CreditInvoice {
                lago_id: id.clone(),
                payment_status: Some(payment_status),
            });
        }
    }
    Ok(())
}

/// Lago's invoice preview (`Invoices::PreviewService`): the invoice as [`finalize`] would make it,
/// coupons, credit notes and wallets included, but on a copy of `balances`, so nothing is
/// consumed.
///
/// ```
/// use lagom_core::customer::{Customer, Organization};
/// use lagom_core::invoice::{preview, CustomerBalances, FeeContext, Invoice, InvoiceContext};
/// use lagom_core::money::Currency;
/// let mut invoice: Invoice = serde_json::from_str(r#"{"issuing_date": "2024-02-01",
///     "invoice_type": "subscription", "status": "draft", "currency": "EUR",
///     "fees_amount_cents": 0, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
///     "sub_total_excluding_taxes_amount_cents": 0, "taxes_amount_cents": 0,
///     "sub_total_including_taxes_amount_cents": 0, "prepaid_credit_amount_cents": 0,
///     "total_amount_cents": 0, "fees": [{"amount_cents": 1000, "amount_currency": "EUR",
///     "taxes_amount_cents": 0, "taxes_rate": 0, "units": "1", "total_amount_cents": 0,
///     "item": {"type": "subscription", "code": "basic", "name": "Basic"}}]}"#).unwrap();
/// let mut balances = CustomerBalances::default();
/// let at = "2024-01-01T00:00:00Z".parse().unwrap();
/// let wallet = serde_json::from_str(r#"{"external_customer_id": "c1", "currency": "EUR",
///     "rate_amount": "1", "granted_credits": "4"}"#).unwrap();
/// balances.create_wallet(&wallet, "wal_1", at, Currency::Eur).unwrap();
/// let customer: Customer = serde_json::from_str(r#"{"external_id": "c1"}"#).unwrap();
/// let context = InvoiceContext {
///     organization: &Organization::default(),
///     customer: &customer,
///     taxes: &[],
///     fees: &[FeeContext::default()],
///     at: "2024-02-01T00:00:00Z".parse().unwrap(),
///     progressive_billing_credits: &[],
/// };
/// preview(&mut invoice, &context, &balances).unwrap();
/// // The wallet's 4.00 show on the preview, and stay in the wallet.
/// assert_eq!((invoice.prepaid_credit_amount_cents, invoice.total_amount_cents), (400, 600));
/// assert_eq!(balances.wallets()[0].balance_cents, Some(400));
/// ```
pub fn preview(
    draft: &mut Invoice,
    context: &InvoiceContext,
    balances: &CustomerBalances,
) -> Result<()> {
    finalize(draft, context, &mut balances.clone())
}

/// Computes the totals of an invoice that stays a draft (in its grace period), or of current
/// usage: progressive-billing credits and taxes, but no coupons, credit notes or wallets, which
/// Lago only applies when the invoice is finalized (for a preview, see [`preview`]).
///
/// ```
/// use lagom_core::customer::{Customer, Organization};
/// use lagom_core::invoice::{draft_totals, FeeContext, Invoice, InvoiceContext};
/// let mut invoice: Invoice = serde_json::from_str(r#"{"issuing_date": "2024-02-01",
///     "invoice_type": "subscription", "status": "draft", "currency": "EUR",
///     "fees_amount_cents": 0, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
///     "sub_total_excluding_taxes_amount_cents": 0, "taxes_amount_cents": 0,
///     "sub_total_including_taxes_amount_cents": 0, "prepaid_credit_amount_cents": 0,
///     "total_amount_cents": 0, "fees": [{"amount_cents": 999, "amount_currency": "EUR",
///     "taxes_amount_cents": 0, "taxes_rate": 0, "units": "1", "total_amount_cents": 0,
///     "item": {"type": "subscription", "code": "basic", "name": "Basic"}}]}"#).unwrap();
/// let customer: Customer = serde_json::from_str(r#"{"external_id": "c1"}"#).unwrap();
/// let context = InvoiceContext {
///     organization: &Organization::default(),
///     customer: &customer,
///     taxes: &[],
///     fees: &[FeeContext::default()],
///     at: "2024-02-01T00:00:00Z".parse().unwrap(),
///     progressive_billing_credits: &[],
/// };
/// draft_totals(&mut invoice, &context).unwrap();
/// assert_eq!(invoice.total_amount_cents, 999);
/// ```
pub fn draft_totals(draft: &mut Invoice, context: &InvoiceContext) -> Result<()> {
    start(draft, context)?;
    taxes::tax_invoice(draft, context)?;
    sub_totals(draft)
}

/// Resets the totals, sums the fees and takes off the progressive-billing credits.
fn start(invoice: &mut Invoice, context: &InvoiceContext) -> Result<()> {
    if context.fees.len() != invoice.fees.len() {
        return Err(Error::invalid(
            "fees",
            format!(
                "the invoice context describes {} fees but the invoice has {}",
                context.fees.len(),
                invoice.fees.len()
            ),
        ));
    }
    invoice.credits.clear();
    invoice.applied_taxes.clear();
    for fee in &mut invoice.fees {
        fee.precise_coupons_amount_cents = None;
    }
    invoice.fees_amount_cents = sum_cents(
        invoice.fees.iter().map(|f| f.amount_cents),
        "fees_amount_cents",
    )?;
    invoice.sub_total_excluding_taxes_amount_cents = invoice.fees_amount_cents;
    invoice.coupons_amount_cents = 0;
    invoice.credit_notes_amount_cents = 0;
    invoice.prepaid_credit_amount_cents = 0;
    invoice.progressive_billing_credit_amount_cents = Some(0);
    for credit in context.progressive_billing_credits {
        deduct_progressive_billing(invoice, credit)?;
    }
    Ok(())
}

/// Lago's `Credits::ProgressiveBillingService` for one earlier invoice: the credit is capped at the
/// covered charge fees' total, and each covered fee records the amount billed earlier for it as a
/// deduction (capped at its own amount).
fn deduct_progressive_billing(
    invoice: &mut Invoice,
    credit: &ProgressiveBillingCredit,
) -> Result<()> {
    let mut cap = 0;
    for covered in &credit.fees {
        let fee = invoice.fees.get(covered.fee_index).ok_or_else(|| {
            Error::invalid(
                "progressive_billing_credits.fees.fee_index",
                format!("no fee {} on the invoice", covered.fee_index),
            )
        })?;
        if fee.item.kind == FeeType::Charge {
            cap = add_cents(cap, fee.amount_cents, "progressive billing credit")?;
        }
    }
    let amount = credit.amount_cents.min(cap);
    if amount <= 0 {
        return Ok(());
    }
    for covered in &credit.fees {
        if let Some(fee) = invoice.fees.get_mut(covered.fee_index) {
            let taken = decimal::add(
                fee.precise_coupons_amount_cents.unwrap_or_default(),
                Decimal::from(covered.billed_amount_cents),
                "precise_coupons_amount_cents",
            )?;
            fee.precise_coupons_amount_cents = Some(taken.min(Decimal::from(fee.amount_cents)));
        }
    }
    let item = CreditItem::of(
        CreditType::Invoice,
        Some(credit.invoice_id.clone()),
        None,
        None,
    );
    invoice
        .credits
        .push(Credit::of(item, amount, invoice.currency, true));
    invoice.sub_total_excluding_taxes_amount_cents = sub_cents(
        invoice.sub_total_excluding_taxes_amount_cents,
        amount,
        "sub_total_excluding_taxes_amount_cents",
    )?;
    invoice.progressive_billing_credit_amount_cents = Some(add_cents(
        invoice
            .progressive_billing_credit_amount_cents
            .unwrap_or_default(),
        amount,
        "progressive_billing_credit_amount_cents",
    )?);
    Ok(())
}

/// The sub-total including taxes, and the total before credit notes and wallets.
fn sub_totals(invoice: &mut Invoice) -> Result<()> {
    invoice.sub_total_including_taxes_amount_cents = add_cents(
        invoice.sub_total_excluding_taxes_amount_cents,
        invoice.taxes_amount_cents,
        "sub_total_including_taxes_amount_cents",
    )?;
    invoice.total_amount_cents = invoice.sub_total_including_taxes_amount_cents;
    Ok(())
}
