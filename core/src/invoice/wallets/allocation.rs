//! How wallets pay: the credits a finalized invoice takes from each wallet (after taxes and
//! credit notes), and how usage not yet invoiced is shared among wallets for their ongoing
//! balances.

use jiff::Timestamp;

use super::{Origin, WalletState, credits_for, expire};
use crate::decimal::{self, Decimal};
use crate::error::Result;
use crate::fee::FeeType;
use crate::invoice::coupons::remaining_after_coupons;
use crate::invoice::{Invoice, InvoiceContext};
use crate::money::{Currency, add_cents, round_cents, sub_cents};
use crate::wallet::{
    LOWEST_PRIORITY, TransactionKind, TransactionSource, Trigger, Wallet, WalletAppliesTo,
};

/// A group of fees a wallet limit can single out: fee type and, for charges, billable metric.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bucket {
    fee_type: FeeType,
    metric: Option<String>,
    remaining: Decimal,
}

/// Lago's `AllocatePrepaidCreditsByWalletsService`: what is left to pay of each fee (after coupons,
/// plus taxes, minus credit notes) is grouped by fee type and metric, largest group first; each
/// wallet in application order pays the groups it may pay, up to its balance and the invoice's
/// total. Then one `invoiced` transaction per wallet, and `prepaid_credit_amount_cents`.
pub(in crate::invoice) fn apply_to_invoice(
    wallets: &mut [WalletState],
    invoice: &mut Invoice,
    context: &InvoiceContext,
    credit_notes_per_fee: &[Decimal],
) -> Result<()> {
    expire(wallets, context.at);
    let mut buckets = buckets(invoice, context, credit_notes_per_fee)?;
    let mut order: Vec<usize> = (0..wallets.len())
        .filter(|&i| {
            wallets.get(i).is_some_and(|w| {
                w.is_active(context.at)
                    && w.wallet.currency == invoice.currency
                    && w.balance_cents() > 0
            })
        })
        .collect();
    order.sort_by_key(|&i| {
        wallets.get(i).map_or(LOWEST_PRIORITY, |w| {
            w.wallet.priority.unwrap_or(LOWEST_PRIORITY)
        })
    });
    let mut remaining_invoice = Decimal::from(invoice.total_amount_cents);
    let mut prepaid = 0;
    for index in order {
        let Some(state) = wallets.get_mut(index) else {
            continue;
        };
        let mut used = Decimal::ZERO;
        let limits = state.wallet.applies_to.clone().unwrap_or_default();
        for bucket in &mut buckets {
            if bucket.remaining <= Decimal::ZERO || !may_pay(&limits, bucket) {
                continue;
            }
            let left_in_wallet = decimal::sub(
                Decimal::from(state.balance_cents()),
                used,
                "wallet remaining balance",
            )?;
            let amount = bucket.remaining.min(left_in_wallet).min(remaining_invoice);
            if amount <= Decimal::ZERO {
                continue;
            }
            bucket.remaining = decimal::sub(bucket.remaining, amount, "wallet allocation")?;
            remaining_invoice = decimal::sub(remaining_invoice, amount, "wallet allocation")?;
            used = decimal::add(used, amount, "wallet allocation")?;
        }
        let cents = round_cents(used)?;
        if cents <= 0 {
            continue;
        }
        let credits = credits_for(cents, state.wallet.rate_amount, state.wallet.currency)?;
        state.settle(
            TransactionKind::Invoiced,
            credits,
            cents,
            context.at,
            Origin {
                name: None,
                source: TransactionSource::Manual,
                priority: LOWEST_PRIORITY,
            },
        )?;
        if let Some(last) = state.transactions.last_mut() {
            last.lago_invoice_id.clone_from(&invoice.lago_id);
        }
        prepaid = add_cents(prepaid, cents, "prepaid_credit_amount_cents")?;
    }
    invoice.prepaid_credit_amount_cents = prepaid;
    invoice.total_amount_cents =
        sub_cents(invoice.total_amount_cents, prepaid, "total_amount_cents")?;
    Ok(())
}

fn may_pay(limits: &WalletAppliesTo, bucket: &Bucket) -> bool {
    let unrestricted = limits.fee_types.is_empty() && limits.billable_metric_codes.is_empty();
    let by_type = limits.fee_types.contains(&bucket.fee_type);
    let by_metric = bucket.fee_type == FeeType::Charge
        && bucket
            .metric
            .as_ref()
            .is_some_and(|m| limits.billable_metric_codes.contains(m));
    unrestricted || by_type || by_metric
}

fn buckets(
    invoice: &Invoice,
    context: &InvoiceContext,
    credit_notes_per_fee: &[Decimal],
) -> Result<Vec<Bucket>> {
    let mut buckets: Vec<Bucket> = Vec::new();
    for (i, (fee, fee_context)) in invoice.fees.iter().zip(context.fees).enumerate() {
        let sub_total = remaining_after_coupons(fee)?;
        if sub_total.is_zero() {
            continue;
        }
        let taxes = currency_cents(invoice.currency, fee.taxes_precise_amount)?;
        let credited = credit_notes_per_fee.get(i).copied().unwrap_or_default();
        let cap = decimal::sub(
            decimal::add(sub_total, taxes, "wallet fee cap")?,
            credited,
            "wallet fee cap",
        )?;
        if cap <= Decimal::ZERO {
            continue;
        }
        let metric = match fee.item.kind {
            FeeType::Charge => fee_context.billable_metric_code.clone(),
            _ => None,
        };
        match buckets
            .iter_mut()
            .find(|b| b.fee_type == fee.item.kind && b.metric == metric)
        {
            Some(bucket) => {
                bucket.remaining = decimal::add(bucket.remaining, cap, "wallet fee cap")?;
            }
            None => buckets.push(Bucket {
                fee_type: fee.item.kind,
                metric,
                remaining: cap,
            }),
        }
    }
    // Largest first; a stable sort keeps the fees' order among equals.
    buckets.sort_by_key(|b| std::cmp::Reverse(b.remaining));
    let precise_total = decimal::sum(buckets.iter().map(|b| b.remaining), "wallet fee caps")?;
    let difference = decimal::sub(
        Decimal::from(invoice.total_amount_cents),
        precise_total,
        "wallet fee caps",
    )?;
    // Lago gives a rounding difference of at most a cent per group to the largest group.
    if difference > Decimal::ZERO
        && difference <= Decimal::from(buckets.len())
        && let Some(largest) = buckets.first_mut()
    {
        largest.remaining = decimal::add(largest.remaining, difference, "wallet fee caps")?;
    }
    Ok(buckets)
}

/// A fee's precise taxes (currency units) in precise cents.
fn currency_cents(currency: Currency, amount: Option<Decimal>) -> Result<Decimal> {
    currency.to_precise_cents(amount.unwrap_or_default())
}

/// Usage not invoiced yet, for a wallet's ongoing balance: the current usage of one fee (amount
/// plus taxes), or, negative, what a pay-in-advance or progressive-billing invoice already billed.
///
/// ```
/// use lagom_core::fee::FeeType;
/// let usage = lagom_core::invoice::OngoingUsage {
///     fee_type: FeeType::Charge,
///     billable_metric_code: Some("api".into()),
///     amount_cents: 1_200,
/// };
/// assert_eq!(usage.amount_cents, 1_200);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OngoingUsage {
    pub fee_type: FeeType,
    /// The billable metric of a charge fee.
    pub billable_metric_code: Option<String>,
    pub amount_cents: i64,
}

/// Lago's `Wallets::Balance::AllocateOngoingUsageByWalletsService`: usage is netted per fee type
/// and metric; the positive groups, largest first, go to the active wallets that may pay them in
/// application order, each up to what is left of its balance; the last wallet that may pay a
/// group takes the rest (and may go below zero), and so does a wallet with a threshold top-up
/// rule. The total allocated never exceeds the net usage.
pub(in crate::invoice) fn with_ongoing_usage(
    wallets: &[WalletState],
    usage: &[OngoingUsage],
    at: Timestamp,
) -> Result<Vec<Wallet>> {
    let mut net: Vec<Bucket> = Vec::new();
    for fee in usage {
        let metric = match fee.fee_type {
            FeeType::Charge => fee.billable_metric_code.clone(),
            _ => None,
        };
        let amount = Decimal::from(fee.amount_cents);
        match net
            .iter_mut()
            .find(|b| b.fee_type == fee.fee_type && b.metric == metric)
        {
            Some(bucket) => {
                bucket.remaining = decimal::add(bucket.remaining, amount, "ongoing usage")?
            }
            None => net.push(Bucket {
                fee_type: fee.fee_type,
                metric,
                remaining: amount,
            }),
        }
    }
    let mut budget =
        decimal::sum(net.iter().map(|b| b.remaining), "ongoing usage")?.max(Decimal::ZERO);
    net.retain(|b| b.remaining > Decimal::ZERO);
    net.sort_by_key(|b| std::cmp::Reverse(b.remaining));
    let mut order: Vec<usize> = (0..wallets.len())
        .filter(|&i| wallets.get(i).is_some_and(|w| w.is_active(at)))
        .collect();
    order.sort_by_key(|&i| {
        wallets.get(i).map_or(LOWEST_PRIORITY, |w| {
            w.wallet.priority.unwrap_or(LOWEST_PRIORITY)
        })
    });
    let mut allocated = vec![Decimal::ZERO; wallets.len()];
    for bucket in &net {
        let mut remaining = bucket.remaining.min(budget);
        let payers: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| {
                wallets.get(i).is_some_and(|w| {
                    may_pay(&w.wallet.applies_to.clone().unwrap_or_default(), bucket)
                })
            })
            .collect();
        for (n, &i) in payers.iter().enumerate() {
            if remaining <= Decimal::ZERO {
                break;
            }
            let (Some(state), Some(taken)) = (wallets.get(i), allocated.get(i).copied()) else {
                continue;
            };
            let threshold = state
                .wallet
                .recurring_transaction_rules
                .iter()
                .any(|r| r.trigger == Trigger::Threshold);
            let take = if threshold || n + 1 == payers.len() {
                remaining
            } else {
                let room =
                    decimal::sub(Decimal::from(state.balance_cents()), taken, "wallet room")?;
                if room <= Decimal::ZERO {
                    continue;
                }
                remaining.min(room)
            };
            if let Some(slot) = allocated.get_mut(i) {
                *slot = decimal::add(*slot, take, "ongoing usage")?;
            }
            remaining = decimal::sub(remaining, take, "ongoing usage")?;
            budget = decimal::sub(budget, take, "ongoing usage")?;
        }
    }
    wallets
        .iter()
        .zip(allocated)
        .map(|(state, usage)| {
            let mut wallet = state.wallet.clone();
            let usage_cents = round_cents(usage)?;
            let ongoing = sub_cents(state.balance_cents(), usage_cents, "ongoing_balance_cents")?;
            let to_credits = |cents| credits_for(cents, wallet.rate_amount, wallet.currency);
            wallet.ongoing_usage_balance_cents = Some(usage_cents);
            wallet.credits_ongoing_usage_balance = Some(to_credits(usage_cents)?);
            wallet.ongoing_balance_cents = Some(ongoing);
            wallet.credits_ongoing_balance = Some(to_credits(ongoing)?);
            Ok(wallet)
        })
        .collect()
}
