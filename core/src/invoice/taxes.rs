//! Taxes: which taxes apply to each fee, each fee's tax amounts, and the invoice's applied taxes
//! (Lago's `Fees::ApplyTaxesService` and `Invoices::ApplyTaxesService`).
//!
//! A fee is taxed by its own item's taxes (charge, add-on, commitment), else its plan's (for
//! subscription, charge and commitment fees), else the customer's, else the organization's default
//! taxes. Taxes are computed on what is left of the fee after coupons. Each fee's tax total is
//! rounded once from the unrounded per-tax amounts; the invoice does the same over all its fees, so
//! its tax total is not the sum of the fees' rounded taxes.

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result, join_path};
use crate::fee::{Fee, FeeType};
use crate::invoice::{FeeContext, Invoice, InvoiceContext};
use crate::money::{Currency, add_cents, round_cents};
use crate::tax::{AppliedTax, Tax};

use super::coupons::remaining_after_coupons;

/// The taxes that apply to one fee, by Lago's precedence; `path` names the fee for errors.
pub(super) fn applicable<'a>(
    fee_type: FeeType,
    fee: &FeeContext,
    context: &InvoiceContext<'a>,
    path: &str,
) -> Result<Vec<&'a Tax>> {
    let in_plan = matches!(
        fee_type,
        FeeType::Charge | FeeType::Subscription | FeeType::Commitment | FeeType::FixedCharge
    );
    if !fee.tax_codes.is_empty() {
        return resolve(&fee.tax_codes, context, &join_path(path, "tax_codes"));
    }
    if in_plan && !fee.plan_tax_codes.is_empty() {
        return resolve(
            &fee.plan_tax_codes,
            context,
            &join_path(path, "plan_tax_codes"),
        );
    }
    if !context.customer.tax_codes.is_empty() {
        return resolve(&context.customer.tax_codes, context, "customer.tax_codes");
    }
    let mut taxes: Vec<&Tax> = context
        .taxes
        .iter()
        .filter(|t| t.applied_to_organization)
        .collect();
    for tax in resolve(
        &context.organization.tax_codes,
        context,
        "organization.tax_codes",
    )? {
        if !taxes.iter().any(|t| t.code == tax.code) {
            taxes.push(tax);
        }
    }
    Ok(taxes)
}

/// Looks tax codes up among the scenario's taxes, then the organization's.
fn resolve<'a>(codes: &[String], context: &InvoiceContext<'a>, path: &str) -> Result<Vec<&'a Tax>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            context
                .taxes
                .iter()
                .chain(&context.organization.taxes)
                .find(|t| &t.code == code)
                .ok_or_else(|| {
                    let known: Vec<&str> = context.taxes.iter().map(|t| t.code.as_str()).collect();
                    Error::invalid(
                        format!("{path}[{i}]"),
                        format!("unknown tax code `{code}`, known: {}", known.join(", ")),
                    )
                })
        })
        .collect()
}

/// `base × rate ÷ 100`.
fn tax_on(base: Decimal, rate: Decimal) -> Result<Decimal> {
    decimal::div(
        decimal::mul(base, rate, "tax amount")?,
        Decimal::ONE_HUNDRED,
        "tax amount",
    )
}

/// Taxes one fee: its `applied_taxes`, `taxes_amount_cents`, `taxes_precise_amount`, `taxes_rate`,
/// the sub-totals after coupons and the totals including taxes.
pub(super) fn tax_fee(fee: &mut Fee, taxes: &[&Tax], currency: Currency) -> Result<()> {
    let sub_total = remaining_after_coupons(fee)?;
    let precise_amount_cents = fee.precise_amount_cents()?;
    let coupons = fee.precise_coupons_amount_cents.unwrap_or_default();
    let precise_sub_total = decimal::sub(
        precise_amount_cents,
        coupons,
        "sub_total_excluding_taxes_precise_amount_cents",
    )?;
    let mut amount = Decimal::ZERO;
    let mut precise = Decimal::ZERO;
    let mut rate = Decimal::ZERO;
    let mut applied = Vec::with_capacity(taxes.len());
    for tax in taxes {
        let tax_amount = tax_on(sub_total, tax.rate)?;
        amount = decimal::add(amount, tax_amount, "taxes_amount_cents")?;
        precise = decimal::add(
            precise,
            tax_on(precise_sub_total, tax.rate)?,
            "taxes_precise_amount_cents",
        )?;
        rate = decimal::add(rate, tax.rate, "taxes_rate")?;
        applied.push(applied_tax(tax, round_cents(tax_amount)?, currency));
    }
    fee.applied_taxes = applied;
    fee.taxes_amount_cents = round_cents(amount)?;
    fee.taxes_precise_amount = Some(currency.to_units(precise));
    fee.taxes_rate = rate;
    fee.precise_coupons_amount_cents = Some(coupons);
    fee.sub_total_excluding_taxes_amount_cents = Some(round_cents(sub_total)?);
    fee.sub_total_excluding_taxes_precise_amount_cents = Some(precise_sub_total);
    fee.total_amount_cents = add_cents(
        fee.amount_cents,
        fee.taxes_amount_cents,
        "fee total_amount_cents",
    )?;
    fee.total_amount_currency = Some(currency);
    fee.precise_total_amount = Some(currency.to_units(decimal::add(
        precise_amount_cents,
        precise,
        "precise_total_amount",
    )?));
    Ok(())
}

fn applied_tax(tax: &Tax, amount_cents: i64, currency: Currency) -> AppliedTax {
    AppliedTax {
        lago_id: None,
        lago_tax_id: tax.lago_id.clone(),
        tax_name: tax.name.clone(),
        tax_code: tax.code.clone(),
        tax_rate: tax.rate,
        tax_description: tax.description.clone(),
        amount_cents,
        amount_currency: currency,
        fees_amount_cents: None,
        taxable_base_amount_cents: None,
        lago_invoice_id: None,
        lago_fee_id: None,
        created_at: None,
    }
}

/// Taxes every fee, then sums the invoice's taxes tax by tax (in the order of the scenario's
/// taxes): each applied tax is its fees' sub-totals × rate, rounded; the invoice's total is the
/// unrounded amounts summed, then rounded.
pub(super) fn tax_invoice(invoice: &mut Invoice, context: &InvoiceContext) -> Result<()> {
    let currency = invoice.currency;
    let mut used: Vec<&Tax> = Vec::new();
    for (i, (fee, fee_context)) in invoice.fees.iter_mut().zip(context.fees).enumerate() {
        let taxes = applicable(fee.item.kind, fee_context, context, &format!("fees[{i}]"))?;
        tax_fee(fee, &taxes, currency)?;
        for tax in taxes {
            if !used.iter().any(|t| t.code == tax.code) {
                used.push(tax);
            }
        }
    }
    used.sort_by_key(|tax| {
        context
            .taxes
            .iter()
            .position(|t| t.code == tax.code)
            .unwrap_or(usize::MAX)
    });
    let mut total = Decimal::ZERO;
    let mut applied = Vec::with_capacity(used.len());
    for tax in used {
        let bases: Vec<Decimal> = invoice
            .fees
            .iter()
            .filter(|fee| fee.applied_taxes.iter().any(|t| t.tax_code == tax.code))
            .map(remaining_after_coupons)
            .collect::<Result<_>>()?;
        let base = decimal::sum(bases, "applied tax fees_amount_cents")?;
        let amount = tax_on(base, tax.rate)?;
        total = decimal::add(total, amount, "taxes_amount_cents")?;
        let mut entry = applied_tax(tax, round_cents(amount)?, currency);
        // Lago stores the base in an integer column, which drops any fraction.
        entry.fees_amount_cents = Some(round_cents(base.trunc())?);
        applied.push(entry);
    }
    invoice.applied_taxes = applied;
    invoice.taxes_amount_cents = round_cents(total)?;
    Ok(())
}
