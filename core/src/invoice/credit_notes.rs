//! Credit notes: what a finalized invoice gives back (Lago's `CreditNotes::CreateService` and its
//! validations), and the credit later invoices consume (`Credits::CreditNoteService`).
//!
//! A credit note credits fees item by item, in cents before taxes. The invoice's coupons are taken
//! off each item in proportion to the part of its fee it credits, the fee's taxes are added on what
//! remains, and the credit, refund and offset amounts must add up to that total (within a cent).
//! The credit part is a balance that the customer's next finalized invoices consume after taxes,
//! oldest credit note first. Refunds need no payment here: the simulator has none to check.

use jiff::Timestamp;
use rust_decimal::RoundingStrategy;

use crate::credit_note::{
    CreditNote, CreditNoteCreate, CreditNoteItem, CreditStatus, Reason, RefundStatus,
};
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::Fee;
use crate::invoice::{Credit, CreditItem, CreditType, Invoice, InvoiceStatus, InvoiceType};
use crate::money::{add_cents, round_cents, sub_cents, sum_cents};
use crate::subscription::OnTerminationCreditNote;
use crate::tax::AppliedTax;

/// One credited fee: the fee it points at and the credited amount in precise cents.
struct Item<'a> {
    fee: &'a Fee,
    precise: Decimal,
}

impl Item<'_> {
    /// The part of the fee's coupons that goes with this item.
    fn coupons(&self) -> Result<Decimal> {
        if self.fee.amount_cents == 0 {
            return Ok(Decimal::ZERO);
        }
        decimal::div(
            decimal::mul(
                self.fee.precise_coupons_amount_cents.unwrap_or_default(),
                self.precise,
                "credit note coupons adjustment",
            )?,
            Decimal::from(self.fee.amount_cents),
            "credit note coupons adjustment",
        )
    }

    fn after_coupons(&self) -> Result<Decimal> {
        decimal::sub(self.precise, self.coupons()?, "credit note item base")
    }
}

/// The invoice's coupons that go with the items: the credit note's coupons adjustment.
fn coupons_of(items: &[Item]) -> Result<Decimal> {
    decimal::sum(
        items
            .iter()
            .map(Item::coupons)
            .collect::<Result<Vec<_>>>()?,
        "coupons_adjustment_amount_cents",
    )
}

/// The credit notes already issued on an invoice, not voided.
fn issued_on<'a>(
    existing: &'a [CreditNote],
    invoice_id: &str,
) -> impl Iterator<Item = &'a CreditNote> {
    existing.iter().filter(move |n| {
        n.lago_invoice_id.as_deref() == Some(invoice_id)
            && n.credit_status != Some(CreditStatus::Voided)
    })
}

pub(super) fn create(
    existing: &[CreditNote],
    invoice: &Invoice,
    body: &CreditNoteCreate,
    id: &str,
    at: Timestamp,
) -> Result<CreditNote> {
    body.validate()?;
    let invoice_id = invoice.lago_id.as_deref().unwrap_or_default();
    if body.invoice_id != invoice_id {
        return Err(Error::invalid(
            "invoice_id",
            format!("`{}` is not the invoice `{invoice_id}`", body.invoice_id),
        ));
    }
    if invoice.status != InvoiceStatus::Finalized {
        return Err(Error::invalid(
            "invoice_id",
            format!("invoice `{invoice_id}` is a draft; only a finalized invoice can be credited"),
        ));
    }
    if invoice.invoice_type == InvoiceType::Credit {
        return Err(Error::invalid(
            "invoice_id",
            format!(
                "invoice `{invoice_id}` bills wallet credits, which a credit note cannot credit"
            ),
        ));
    }
    let items = items(existing, invoice, body)?;
    issue(existing, invoice, &items, body, id, at)
}

/// Builds a credit note from checked items and the amounts asked for: coupons adjustment, taxes,
/// the check that the amounts match the items and what is left on the invoice, and Lago's
/// one-cent rounding adjustment.
fn issue(
    existing: &[CreditNote],
    invoice: &Invoice,
    items: &[Item],
    body: &CreditNoteCreate,
    id: &str,
    at: Timestamp,
) -> Result<CreditNote> {
    let invoice_id = invoice.lago_id.as_deref().unwrap_or_default();
    let coupons = coupons_of(items)?;
    let items_total = decimal::sum(items.iter().map(|i| i.precise), "credit note items")?;
    let (applied_taxes, precise_taxes, taxes_rate) = taxes(items, invoice, items_total, coupons)?;
    let taxes_amount_cents = round_cents(precise_taxes)?;
    let sub_total = round_cents(decimal::sub(items_total, coupons, "credit note sub-total")?)?;
    let mut total = sum_cents(
        [
            body.credit_amount_cents,
            body.refund_amount_cents,
            body.offset_amount_cents,
        ],
        "credit note total_amount_cents",
    )?;
    let items_with_taxes = round_cents(decimal::add(
        decimal::sub(items_total, coupons, "credit note total")?,
        precise_taxes,
        "credit note total",
    )?)?;
    if (total - items_with_taxes).abs() > 1 {
        return Err(Error::invalid(
            "",
            format!(
                "credit, refund and offset amounts ({total}) must match the items after coupons plus taxes ({items_with_taxes})"
            ),
        ));
    }
    check_remaining(existing, invoice, invoice_id, body, total)?;
    let mut credit = body.credit_amount_cents;
    let mut refund = body.refund_amount_cents;
    // Lago nudges the total by a cent so that sub-total + taxes = total, and moves the cent to the
    // credit (or the refund when nothing is credited).
    let expected_total = add_cents(
        sub_total,
        taxes_amount_cents,
        "credit note total_amount_cents",
    )?;
    if total != expected_total {
        total += if total > expected_total { -1 } else { 1 };
        if credit > 0 {
            credit = sub_cents(total, refund, "credit_amount_cents")?;
        } else {
            refund = total;
        }
    }
    Ok(CreditNote {
        lago_id: Some(id.to_owned()),
        sequential_id: None,
        number: None,
        lago_invoice_id: invoice.lago_id.clone(),
        invoice_number: invoice.number.clone(),
        issuing_date: None,
        credit_status: Some(CreditStatus::Available),
        refund_status: (refund > 0).then_some(RefundStatus::Pending),
        reason: body.reason,
        description: body.description.clone(),
        currency: invoice.currency,
        total_amount_cents: total,
        taxes_amount_cents,
        taxes_rate,
        sub_total_excluding_taxes_amount_cents: sub_total,
        balance_amount_cents: credit,
        credit_amount_cents: credit,
        refund_amount_cents: refund,
        offset_amount_cents: Some(body.offset_amount_cents),
        coupons_adjustment_amount_cents: round_cents(coupons)?,
        created_at: Some(at),
        updated_at: None,
        items: items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                Ok(CreditNoteItem {
                    lago_id: Some(format!("{id}_item{}", n + 1)),
                    amount_cents: round_cents(item.precise)?,
                    amount_currency: invoice.currency,
                    fee: Some(item.fee.clone()),
                })
            })
            .collect::<Result<_>>()?,
        applied_taxes,
    })
}

/// Lago's `CreditNotes::CreateFromTermination` (reason `order_cancellation`, as its
/// `Subscriptions::TerminateService` asks, upgrades included): the unused part of a subscription
/// fee paid in advance (`unused` precise cents, computed by the caller from the day price and the
/// days left), capped at the fee, less what credit notes already gave back on it, truncated to 5
/// decimals (`CreditNote::DB_PRECISION_SCALE`); coupons come off and taxes are added as for any
/// credit note, and the total is rounded to cents once. Nothing is ever paid in the simulator, so
/// `refund` has nothing to refund and credits it all like `credit`; `offset` offsets it all. `None`
/// when nothing is left to credit or the outcome is `skip`.
pub(super) fn for_unused_subscription(
    existing: &[CreditNote],
    invoice: &Invoice,
    fee_id: &str,
    unused: Decimal,
    outcome: OnTerminationCreditNote,
    id: &str,
    at: Timestamp,
) -> Result<Option<CreditNote>> {
    if outcome == OnTerminationCreditNote::Skip {
        return Ok(None);
    }
    let invoice_id = invoice.lago_id.as_deref().unwrap_or_default();
    let fee = fee_on(invoice, fee_id, "fee_id")?;
    if fee.amount_cents == 0 || !unused.is_sign_positive() || unused.is_zero() {
        return Ok(None);
    }
    let credited = credited_on(existing, invoice_id, fee)?;
    let amount = decimal::sub(
        unused.min(Decimal::from(fee.amount_cents)),
        Decimal::from(credited),
        "creditable amount",
    )?
    .trunc_with_scale(5);
    if amount <= Decimal::ZERO {
        return Ok(None);
    }
    let item = Item {
        fee,
        precise: amount,
    };
    let coupons = item.coupons()?;
    let items = [item];
    let (_, precise_taxes, _) = taxes(&items, invoice, amount, coupons)?;
    let total = round_cents(decimal::add(
        decimal::sub(amount, coupons, "credit note total")?,
        precise_taxes,
        "credit note total",
    )?)?;
    if total <= 0 {
        return Ok(None);
    }
    let (credit, offset) = match outcome {
        OnTerminationCreditNote::Offset => (0, total),
        _ => (total, 0),
    };
    let body = CreditNoteCreate {
        invoice_id: invoice_id.to_owned(),
        reason: Reason::OrderCancellation,
        description: None,
        credit_amount_cents: credit,
        refund_amount_cents: 0,
        offset_amount_cents: offset,
        items: Vec::new(),
    };
    issue(existing, invoice, &items, &body, id, at).map(Some)
}

/// Finds each item's fee on the invoice and checks the item does not credit more than what is left
/// of the fee after earlier credit notes.
fn items<'a>(
    existing: &[CreditNote],
    invoice: &'a Invoice,
    body: &CreditNoteCreate,
) -> Result<Vec<Item<'a>>> {
    let invoice_id = invoice.lago_id.as_deref().unwrap_or_default();
    body.items
        .iter()
        .enumerate()
        .map(|(n, input)| {
            let path = format!("items[{n}]");
            let fee = fee_on(invoice, &input.fee_id, &format!("{path}.fee_id"))?;
            let credited = credited_on(existing, invoice_id, fee)?;
            let creditable = sub_cents(fee.amount_cents, credited, "creditable fee amount")?;
            if input.amount_cents > creditable {
                return Err(Error::invalid(
                    format!("{path}.amount_cents"),
                    format!(
                        "must not exceed what is left to credit of the fee ({creditable}) (got {})",
                        input.amount_cents
                    ),
                ));
            }
            Ok(Item {
                fee,
                precise: Decimal::from(input.amount_cents),
            })
        })
        .collect()
}

/// Lago's `CreditNotes::CreateFromProgressiveBillingInvoice`: when a period invoice cannot deduct
/// all a progressive-billing invoice billed (its charges came to less), the excess `amount_cents`
/// is credited on that progressive-billing invoice instead, taken from its fees largest first
/// (each up to what is left to credit on it), with the coupons' share off and taxes on, as
/// credit. Fails when the fees cannot cover the amount; `None` when there is nothing to credit.
pub(super) fn for_progressive_billing_excess(
    existing: &[CreditNote],
    invoice: &Invoice,
    amount_cents: i64,
    id: &str,
    at: Timestamp,
) -> Result<Option<CreditNote>> {
    let invoice_id = invoice.lago_id.as_deref().unwrap_or_default();
    if amount_cents <= 0 {
        return Ok(None);
    }
    if invoice.invoice_type != InvoiceType::ProgressiveBilling {
        return Err(Error::invalid(
            "invoice_id",
            format!("invoice `{invoice_id}` is not a progressive-billing invoice"),
        ));
    }
    let mut fees: Vec<&Fee> = invoice.fees.iter().collect();
    fees.sort_by_key(|fee| std::cmp::Reverse(fee.amount_cents));
    let mut remaining = amount_cents;
    let mut items = Vec::new();
    for fee in fees {
        if remaining == 0 {
            break;
        }
        let creditable = sub_cents(
            fee.amount_cents,
            credited_on(existing, invoice_id, fee)?,
            "creditable fee amount",
        )?;
        let take = remaining.min(creditable);
        items.push(Item {
            fee,
            precise: Decimal::from(take),
        });
        remaining = sub_cents(remaining, take, "progressive billing excess")?;
    }
    if remaining > 0 {
        return Err(Error::invalid(
            "amount_cents",
            format!(
                "invoice `{invoice_id}` has only {} cents left to credit (asked {amount_cents})",
                amount_cents - remaining
            ),
        ));
    }
    let items_total = Decimal::from(amount_cents);
    let coupons = coupons_of(&items)?;
    let (applied, _, _) = taxes(&items, invoice, items_total, coupons)?;
    let taxes_cents = sum_cents(applied.iter().map(|t| t.amount_cents), "credit note taxes")?;
    let credit = round_cents(decimal::add(
        decimal::sub(
            items_total,
            coupons.trunc_with_scale(5),
            "credit note total",
        )?,
        Decimal::from(taxes_cents),
        "credit note total",
    )?)?;
    if credit == 0 {
        return Ok(None);
    }
    let body = CreditNoteCreate {
        invoice_id: invoice_id.to_owned(),
        reason: Reason::Other,
        description: None,
        credit_amount_cents: credit,
        refund_amount_cents: 0,
        offset_amount_cents: 0,
        items: Vec::new(),
    };
    issue(existing, invoice, &items, &body, id, at).map(Some)
}

/// The invoice's fee `fee_id`, or an error at `path`.
fn fee_on<'a>(invoice: &'a Invoice, fee_id: &str, path: &str) -> Result<&'a Fee> {
    invoice
        .fees
        .iter()
        .find(|f| f.lago_id.as_deref() == Some(fee_id))
        .ok_or_else(|| {
            Error::invalid(
                path,
                format!(
                    "no fee `{fee_id}` on invoice `{}`",
                    invoice.lago_id.as_deref().unwrap_or_default()
                ),
            )
        })
}

/// What earlier credit notes on the invoice gave back of a fee.
fn credited_on(existing: &[CreditNote], invoice_id: &str, fee: &Fee) -> Result<i64> {
    sum_cents(
        issued_on(existing, invoice_id)
            .flat_map(|n| &n.items)
            .filter(|i| i.fee.as_ref().and_then(|f| f.lago_id.as_deref()) == fee.lago_id.as_deref())
            .map(|i| i.amount_cents),
        "credited fee amount",
    )
}

/// Lago's `CreditNotes::ApplyTaxesService`: per tax of the credited fees, the items after coupons
/// times the rate; the total is the unrounded amounts summed, the rate is pro-rated on the items.
fn taxes(
    items: &[Item],
    invoice: &Invoice,
    items_total: Decimal,
    coupons: Decimal,
) -> Result<(Vec<AppliedTax>, Decimal, Decimal)> {
    let mut codes: Vec<&AppliedTax> = Vec::new();
    for item in items {
        for tax in &item.fee.applied_taxes {
            if !codes.iter().any(|t| t.tax_code == tax.tax_code) {
                codes.push(tax);
            }
        }
    }
    let base_total = decimal::sub(items_total, coupons, "credit note taxes")?;
    let mut applied = Vec::with_capacity(codes.len());
    let mut precise_total = Decimal::ZERO;
    let mut rate_total = Decimal::ZERO;
    for tax in codes {
        let bases = items
            .iter()
            .filter(|i| {
                i.fee
                    .applied_taxes
                    .iter()
                    .any(|t| t.tax_code == tax.tax_code)
            })
            .map(Item::after_coupons)
            .collect::<Result<Vec<_>>>()?;
        let base = decimal::sum(bases, "credit note tax base")?;
        let amount = decimal::div(
            decimal::mul(base, tax.tax_rate, "credit note tax")?,
            Decimal::ONE_HUNDRED,
            "credit note tax",
        )?;
        precise_total = decimal::add(precise_total, amount, "credit note taxes")?;
        if !base_total.is_zero() {
            let share = decimal::div(base, base_total, "credit note taxes_rate")?;
            rate_total = decimal::add(
                rate_total,
                decimal::mul(share, tax.tax_rate, "credit note taxes_rate")?,
                "credit note taxes_rate",
            )?;
        }
        applied.push(AppliedTax {
            lago_id: None,
            lago_tax_id: tax.lago_tax_id.clone(),
            tax_name: tax.tax_name.clone(),
            tax_code: tax.tax_code.clone(),
            tax_rate: tax.tax_rate,
            tax_description: tax.tax_description.clone(),
            amount_cents: round_cents(amount)?,
            amount_currency: invoice.currency,
            fees_amount_cents: Some(round_cents(base)?),
            taxable_base_amount_cents: None,
            lago_invoice_id: None,
            lago_fee_id: None,
            created_at: None,
        });
    }
    Ok((applied, precise_total, rate_total.round_dp(5)))
}

/// The invoice cannot give back more than its fees with taxes, less earlier credit notes (within a
/// cent, as Lago allows).
fn check_remaining(
    existing: &[CreditNote],
    invoice: &Invoice,
    invoice_id: &str,
    body: &CreditNoteCreate,
    total: i64,
) -> Result<()> {
    let fees = sum_cents(
        invoice.fees.iter().map(|f| f.amount_cents),
        "invoice fee total",
    )?;
    let fee_taxes = decimal::sum(
        invoice
            .fees
            .iter()
            .map(|f| {
                decimal::mul(
                    Decimal::from(f.amount_cents),
                    f.taxes_rate,
                    "invoice fee taxes",
                )
            })
            .collect::<Result<Vec<_>>>()?,
        "invoice fee taxes",
    )?;
    let fee_total = add_cents(
        fees,
        round_cents(decimal::div(
            fee_taxes,
            Decimal::ONE_HUNDRED,
            "invoice fee taxes",
        )?)?,
        "invoice fee total",
    )?;
    let earlier: Vec<&CreditNote> = issued_on(existing, invoice_id).collect();
    let credited = sum_cents(earlier.iter().map(|n| n.credit_amount_cents), "credited")?;
    let refunded = sum_cents(earlier.iter().map(|n| n.refund_amount_cents), "refunded")?;
    let offset = sum_cents(
        earlier
            .iter()
            .map(|n| n.offset_amount_cents.unwrap_or_default()),
        "offset",
    )?;
    let creditable = fee_total - credited - offset;
    if body.credit_amount_cents > creditable + 1 {
        return Err(Error::invalid(
            "credit_amount_cents",
            format!(
                "must not exceed what is left to credit on the invoice ({creditable}) (got {})",
                body.credit_amount_cents
            ),
        ));
    }
    let remaining = creditable - refunded;
    if total > remaining + 1 {
        return Err(Error::invalid(
            "",
            format!(
                "credit, refund and offset amounts ({total}) exceed what is left on the invoice ({remaining})"
            ),
        ));
    }
    Ok(())
}

pub(super) fn void(
    notes: &mut [CreditNote],
    credit_note_id: &str,
    at: Timestamp,
) -> Result<CreditNote> {
    let note = notes
        .iter_mut()
        .find(|n| n.lago_id.as_deref() == Some(credit_note_id))
        .ok_or_else(|| {
            Error::invalid(
                "credit_note_id",
                format!("unknown credit note `{credit_note_id}`"),
            )
        })?;
    if note.credit_status == Some(CreditStatus::Voided) || note.balance_amount_cents <= 0 {
        return Err(Error::invalid(
            "credit_note_id",
            format!("credit note `{credit_note_id}` has no credit left to void"),
        ));
    }
    note.credit_status = Some(CreditStatus::Voided);
    note.balance_amount_cents = 0;
    note.updated_at = Some(at);
    Ok(note.clone())
}

/// Consumes the customer's available credit notes on `invoice` (after taxes), oldest first, never
/// one issued on the invoice itself, until the invoice is paid. Returns, per fee, the precise part
/// of the credits it received (which caps what wallets may pay for it).
pub(super) fn apply_to_invoice(
    notes: &mut [CreditNote],
    invoice: &mut Invoice,
) -> Result<Vec<Decimal>> {
    let mut per_fee = vec![Decimal::ZERO; invoice.fees.len()];
    let mut remaining = invoice.total_amount_cents;
    for note in notes.iter_mut() {
        if remaining <= 0 {
            break;
        }
        let usable = note.credit_status == Some(CreditStatus::Available)
            && note.balance_amount_cents > 0
            && note.currency == invoice.currency
            && note.lago_invoice_id != invoice.lago_id;
        if !usable {
            continue;
        }
        let amount = note.balance_amount_cents.min(remaining);
        spread(invoice, &mut per_fee, amount, remaining)?;
        note.balance_amount_cents =
            sub_cents(note.balance_amount_cents, amount, "balance_amount_cents")?;
        if note.balance_amount_cents == 0 {
            note.credit_status = Some(CreditStatus::Consumed);
        }
        let item = CreditItem::of(
            CreditType::CreditNote,
            note.lago_id.clone(),
            note.number.clone(),
            None,
        );
        invoice
            .credits
            .push(Credit::of(item, amount, invoice.currency, false));
        invoice.credit_notes_amount_cents = add_cents(
            invoice.credit_notes_amount_cents,
            amount,
            "credit_notes_amount_cents",
        )?;
        remaining = sub_cents(remaining, amount, "total_amount_cents")?;
    }
    invoice.total_amount_cents = remaining;
    Ok(per_fee)
}

/// Shares a credit among the fees in proportion to what is left of each (after coupons, with
/// taxes), as Lago records it on each fee.
fn spread(invoice: &Invoice, per_fee: &mut [Decimal], amount: i64, remaining: i64) -> Result<()> {
    for (fee, credited) in invoice.fees.iter().zip(per_fee.iter_mut()) {
        let after_tax = decimal::add(
            super::coupons::remaining_after_coupons(fee)?,
            Decimal::from(fee.taxes_amount_cents),
            "fee amount after taxes",
        )?;
        let share = decimal::div(
            decimal::mul(
                Decimal::from(amount),
                decimal::sub(after_tax, *credited, "fee credit notes share")?,
                "fee credit notes share",
            )?,
            Decimal::from(remaining),
            "fee credit notes share",
        )?;
        // Lago stores the share with 5 decimals, like precise coupons.
        *credited = decimal::add(*credited, share, "fee credit notes share")?
            .round_dp_with_strategy(5, RoundingStrategy::MidpointAwayFromZero)
            .min(after_tax);
    }
    Ok(())
}
