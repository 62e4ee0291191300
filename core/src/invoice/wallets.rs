//! Wallets: prepaid credits bought or granted, and their consumption by invoices after taxes
//! (Lago's `WalletTransactions::CreateFromParamsService`, `Credits::AppliedPrepaidCreditsService`).
//!
//! A credit is worth `rate_amount` currency units. Granted credits count at once; purchased credits
//! come with a `credit` invoice, which the simulator treats as paid at once (it has no payments), so
//! they count at once too. An invoice takes credits from the active wallets of its currency, by
//! priority then creation, each wallet paying only the fee types and billable metrics its
//! `applies_to` allows, never more than a fee's amount after coupons, taxes and credit notes.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::build;
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::FeeType;
use crate::invoice::{Invoice, InvoiceContext, InvoicePaymentStatus, InvoiceType};
use crate::money::{Currency, add_cents, round_cents, sub_cents};
use crate::period::Interval;
use crate::validate::require_not_negative;
use crate::wallet::{
    LOWEST_PRIORITY, RecurringTransactionRule, TopUpMethod, TransactionKind, TransactionSource,
    TransactionStatus, TransactionType, Trigger, Wallet, WalletAppliesTo, WalletStatus,
    WalletTransaction,
};

/// A wallet and its transactions, as [`super::CustomerBalances`] keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct WalletState {
    pub(super) wallet: Wallet,
    pub(super) transactions: Vec<WalletTransaction>,
}

/// `POST /wallet_transactions`: credits to add (paid or granted) or to void.
///
/// ```
/// let t: lagom_core::invoice::WalletTopUp =
///     serde_json::from_str(r#"{"wallet_id": "wal_0001", "paid_credits": "10", "voided_credits": "2"}"#).unwrap();
/// assert_eq!(t.voided_credits, Some(lagom_core::decimal::Decimal::from(2)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletTopUp {
    /// The wallet's `lago_id` (or its `code`).
    pub wallet_id: String,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub paid_credits: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub granted_credits: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub voided_credits: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `PUT /wallets/{id}`: the fields of a wallet that can change.
///
/// ```
/// let u: lagom_core::invoice::WalletUpdate =
///     serde_json::from_str(r#"{"wallet_id": "wal_0001", "priority": 2}"#).unwrap();
/// assert_eq!(u.priority, Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletUpdate {
    /// The wallet's `lago_id` (or its `code`).
    pub wallet_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<WalletAppliesTo>,
}

/// What a wallet call changed: the wallet after it, the transactions it made, and, for purchased
/// credits, the `credit` invoice that bills them (without `lago_id`: the caller numbers it).
#[derive(Debug, Clone, PartialEq)]
pub struct WalletChange {
    pub wallet: Wallet,
    pub transactions: Vec<WalletTransaction>,
    pub invoice: Option<Invoice>,
}

impl WalletState {
    fn id(&self) -> &str {
        self.wallet.lago_id.as_deref().unwrap_or_default()
    }

    fn is_active(&self, at: Timestamp) -> bool {
        self.wallet.status == Some(WalletStatus::Active)
            && self.wallet.expiration_at.is_none_or(|end| end > at)
    }

    fn credits(&self) -> Decimal {
        self.wallet.credits_balance.unwrap_or_default()
    }

    fn balance_cents(&self) -> i64 {
        self.wallet.balance_cents.unwrap_or_default()
    }

    /// Records a settled transaction of `credits` worth `amount_cents` and moves the balances.
    fn settle(
        &mut self,
        kind: TransactionKind,
        credits: Decimal,
        amount_cents: i64,
        at: Timestamp,
        origin: Origin,
    ) -> Result<WalletTransaction> {
        let inbound = matches!(kind, TransactionKind::Purchased | TransactionKind::Granted);
        let wallet = &mut self.wallet;
        if inbound {
            wallet.credits_balance = Some(decimal::add(
                wallet.credits_balance.unwrap_or_default(),
                credits,
                "credits_balance",
            )?);
            wallet.balance_cents = Some(add_cents(
                wallet.balance_cents.unwrap_or_default(),
                amount_cents,
                "balance_cents",
            )?);
        } else {
            wallet.credits_balance = Some(decimal::sub(
                wallet.credits_balance.unwrap_or_default(),
                credits,
                "credits_balance",
            )?);
            wallet.balance_cents = Some(sub_cents(
                wallet.balance_cents.unwrap_or_default(),
                amount_cents,
                "balance_cents",
            )?);
            if kind == TransactionKind::Invoiced {
                wallet.consumed_credits = Some(decimal::add(
                    wallet.consumed_credits.unwrap_or_default(),
                    credits,
                    "consumed_credits",
                )?);
                wallet.last_consumed_credit_at = Some(at);
            }
        }
        wallet.ongoing_balance_cents = wallet.balance_cents;
        wallet.credits_ongoing_balance = wallet.credits_balance;
        let currency = wallet.currency;
        let transaction = WalletTransaction {
            lago_id: Some(format!("{}_tx{}", self.id(), self.transactions.len() + 1)),
            lago_wallet_id: self.wallet.lago_id.clone(),
            lago_invoice_id: None,
            status: TransactionStatus::Settled,
            source: Some(origin.source),
            transaction_status: kind,
            transaction_type: if inbound {
                TransactionType::Inbound
            } else {
                TransactionType::Outbound
            },
            amount: currency.to_units(Decimal::from(amount_cents)),
            credit_amount: credits,
            invoice_requires_successful_payment: None,
            name: origin.name,
            priority: None,
            settled_at: Some(at),
            failed_at: None,
            created_at: Some(at),
        };
        self.transactions.push(transaction.clone());
        Ok(transaction)
    }
}

/// Lago's wallet-expiry clock job, run lazily: an active wallet whose `expiration_at` has passed
/// by `at` is terminated as of its expiration.
pub(super) fn expire(wallets: &mut [WalletState], at: Timestamp) {
    for state in wallets {
        if state.wallet.status == Some(WalletStatus::Active)
            && let Some(end) = state.wallet.expiration_at
            && end <= at
        {
            state.wallet.status = Some(WalletStatus::Terminated);
            state.wallet.terminated_at = Some(end);
        }
    }
}

/// Why a transaction happened: its name and what started it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    name: Option<String>,
    source: TransactionSource,
}

/// Credits as Lago stores them: floored to 5 decimals.
fn floor_credits(credits: Decimal) -> Decimal {
    credits.round_dp_with_strategy(5, rust_decimal::RoundingStrategy::ToNegativeInfinity)
}

/// What `credits` are worth in cents: `credits × rate`, rounded to the currency.
fn credits_to_cents(credits: Decimal, rate: Decimal, currency: Currency) -> Result<i64> {
    currency.to_cents(decimal::mul(credits, rate, "wallet transaction amount")?)
}

pub(super) fn create(
    existing: &[WalletState],
    body: &Wallet,
    id: &str,
    at: Timestamp,
    currency: Currency,
) -> Result<(WalletState, WalletChange)> {
    body.validate()?;
    if body.currency != currency {
        return Err(Error::invalid(
            "currency",
            format!(
                "must be the customer's currency {currency} (got {})",
                body.currency
            ),
        ));
    }
    if let Some(end) = body.expiration_at
        && end <= at
    {
        return Err(Error::invalid(
            "expiration_at",
            format!("must be in the future (got {end})"),
        ));
    }
    if let Some(code) = &body.code
        && existing
            .iter()
            .any(|w| w.wallet.code.as_ref() == Some(code))
    {
        return Err(Error::invalid(
            "code",
            format!("a wallet with code `{code}` already exists"),
        ));
    }
    let wallet = Wallet {
        lago_id: Some(id.to_owned()),
        status: Some(WalletStatus::Active),
        priority: Some(body.priority.unwrap_or(LOWEST_PRIORITY)),
        credits_balance: Some(Decimal::ZERO),
        balance_cents: Some(0),
        consumed_credits: Some(Decimal::ZERO),
        ongoing_balance_cents: Some(0),
        ongoing_usage_balance_cents: Some(0),
        credits_ongoing_balance: Some(Decimal::ZERO),
        credits_ongoing_usage_balance: Some(Decimal::ZERO),
        created_at: Some(at),
        terminated_at: None,
        ..body.clone()
    };
    let mut state = WalletState {
        wallet,
        transactions: Vec::new(),
    };
    let top_up = WalletTopUp {
        wallet_id: id.to_owned(),
        paid_credits: body.paid_credits,
        granted_credits: body.granted_credits,
        voided_credits: None,
        name: None,
    };
    let change = add_credits(&mut state, &top_up, at, TransactionSource::Manual)?;
    Ok((state, change))
}

pub(super) fn top_up(
    wallets: &mut [WalletState],
    body: &WalletTopUp,
    at: Timestamp,
) -> Result<WalletChange> {
    expire(wallets, at);
    let state = find(wallets, &body.wallet_id)?;
    if !state.is_active(at) {
        return Err(Error::invalid(
            "wallet_id",
            format!("wallet `{}` is terminated", body.wallet_id),
        ));
    }
    add_credits(state, body, at, TransactionSource::Manual)
}

/// Paid credits, then granted credits, then voided credits, as Lago processes a top-up.
fn add_credits(
    state: &mut WalletState,
    body: &WalletTopUp,
    at: Timestamp,
    source: TransactionSource,
) -> Result<WalletChange> {
    let rate = state.wallet.rate_amount;
    let currency = state.wallet.currency;
    let origin = Origin {
        name: body.name.clone(),
        source,
    };
    let mut transactions = Vec::new();
    let mut invoice = None;
    for (credits, path) in [
        (body.paid_credits, "paid_credits"),
        (body.granted_credits, "granted_credits"),
        (body.voided_credits, "voided_credits"),
    ] {
        if let Some(credits) = credits {
            require_not_negative(credits, path)?;
        }
    }
    if let Some(paid) = body
        .paid_credits
        .map(floor_credits)
        .filter(|c| !c.is_zero())
    {
        let cents = credits_to_cents(paid, rate, currency)?;
        let transaction =
            state.settle(TransactionKind::Purchased, paid, cents, at, origin.clone())?;
        invoice = Some(credit_invoice(&transaction, rate, currency, at)?);
        transactions.push(transaction);
    }
    if let Some(granted) = body
        .granted_credits
        .map(floor_credits)
        .filter(|c| !c.is_zero())
    {
        let cents = credits_to_cents(granted, rate, currency)?;
        transactions.push(state.settle(
            TransactionKind::Granted,
            granted,
            cents,
            at,
            origin.clone(),
        )?);
    }
    if let Some(voided) = body
        .voided_credits
        .map(floor_credits)
        .filter(|c| !c.is_zero())
    {
        if voided > state.credits() {
            return Err(Error::invalid(
                "voided_credits",
                format!(
                    "must not exceed the wallet's balance of {} credits (got {voided})",
                    state.credits()
                ),
            ));
        }
        let cents = credits_to_cents(voided, rate, currency)?;
        transactions.push(state.settle(
            TransactionKind::Voided,
            voided,
            cents,
            at,
            origin.clone(),
        )?);
    }
    Ok(WalletChange {
        wallet: state.wallet.clone(),
        transactions,
        invoice,
    })
}

/// The `credit` invoice of a purchase: one untaxed `credit` fee of the credits' worth, finalized.
/// Its issuing date is the UTC date of `at`; the caller moves it to the customer's time zone.
fn credit_invoice(
    transaction: &WalletTransaction,
    rate: Decimal,
    currency: Currency,
    at: Timestamp,
) -> Result<Invoice> {
    let amount_cents = round_cents(currency.to_precise_cents(transaction.amount)?)?;
    let item = build::item(
        FeeType::Credit,
        "credit",
        "credit",
        transaction.lago_id.clone(),
        "WalletTransaction",
    );
    let mut fee = build::fee(
        item,
        amount_cents,
        transaction.amount,
        transaction.credit_amount,
        currency,
        at,
    );
    // Lago does not tax purchased credits: they pay for usage that will be taxed.
    fee.precise_unit_amount = Some(rate);
    fee.precise_total_amount = Some(transaction.amount);
    fee.taxes_precise_amount = Some(Decimal::ZERO);
    fee.precise_coupons_amount_cents = Some(Decimal::ZERO);
    fee.sub_total_excluding_taxes_amount_cents = Some(amount_cents);
    fee.sub_total_excluding_taxes_precise_amount_cents = Some(Decimal::from(amount_cents));
    let issuing_date = TimeZone::UTC.to_datetime(at).date();
    let mut invoice = build::invoice(InvoiceType::Credit, currency, issuing_date, at, vec![fee]);
    invoice.payment_status = Some(InvoicePaymentStatus::Pending);
    invoice.fees_amount_cents = amount_cents;
    invoice.sub_total_excluding_taxes_amount_cents = amount_cents;
    invoice.sub_total_including_taxes_amount_cents = amount_cents;
    invoice.total_amount_cents = amount_cents;
    Ok(invoice)
}

pub(super) fn update(
    wallets: &mut [WalletState],
    body: &WalletUpdate,
    at: Timestamp,
) -> Result<Wallet> {
    expire(wallets, at);
    let state = find(wallets, &body.wallet_id)?;
    if !state.is_active(at) {
        return Err(Error::invalid(
            "wallet_id",
            format!("wallet `{}` is terminated", body.wallet_id),
        ));
    }
    if let Some(priority) = body.priority
        && !(1..=LOWEST_PRIORITY).contains(&priority)
    {
        return Err(Error::invalid(
            "priority",
            format!("must be between 1 and {LOWEST_PRIORITY} (got {priority})"),
        ));
    }
    if let Some(end) = body.expiration_at
        && end <= at
    {
        return Err(Error::invalid(
            "expiration_at",
            format!("must be in the future (got {end})"),
        ));
    }
    let wallet = &mut state.wallet;
    if body.name.is_some() {
        wallet.name.clone_from(&body.name);
    }
    if body.priority.is_some() {
        wallet.priority = body.priority;
    }
    if body.expiration_at.is_some() {
        wallet.expiration_at = body.expiration_at;
    }
    if body.applies_to.is_some() {
        wallet.applies_to.clone_from(&body.applies_to);
    }
    Ok(wallet.clone())
}

pub(super) fn terminate(
    wallets: &mut [WalletState],
    wallet_id: &str,
    at: Timestamp,
) -> Result<Wallet> {
    let state = find(wallets, wallet_id)?;
    if state.wallet.status != Some(WalletStatus::Terminated) {
        state.wallet.status = Some(WalletStatus::Terminated);
        state.wallet.terminated_at = Some(at);
    }
    Ok(state.wallet.clone())
}

fn find<'a>(wallets: &'a mut [WalletState], wallet_id: &str) -> Result<&'a mut WalletState> {
    wallets
        .iter_mut()
        .find(|w| {
            w.wallet.lago_id.as_deref() == Some(wallet_id)
                || w.wallet.code.as_deref() == Some(wallet_id)
        })
        .ok_or_else(|| Error::invalid("wallet_id", format!("unknown wallet `{wallet_id}`")))
}

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
pub(super) fn apply_to_invoice(
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
        let currency = state.wallet.currency;
        let credits = decimal::div(
            currency.to_units(Decimal::from(cents)),
            state.wallet.rate_amount,
            "wallet credits",
        )?
        .round_dp(5);
        state.settle(
            TransactionKind::Invoiced,
            credits,
            cents,
            context.at,
            Origin {
                name: None,
                source: TransactionSource::Manual,
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
        let sub_total = super::coupons::remaining_after_coupons(fee)?;
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
pub(super) fn with_ongoing_usage(
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
            let to_credits = |cents: i64| {
                decimal::div(
                    wallet.currency.to_units(Decimal::from(cents)),
                    wallet.rate_amount,
                    "wallet credits",
                )
                .map(|c| c.round_dp(5))
            };
            wallet.ongoing_usage_balance_cents = Some(usage_cents);
            wallet.credits_ongoing_usage_balance = Some(to_credits(usage_cents)?);
            wallet.ongoing_balance_cents = Some(ongoing);
            wallet.credits_ongoing_balance = Some(to_credits(ongoing)?);
            Ok(wallet)
        })
        .collect()
}

/// Lago's `Wallets::ThresholdTopUpService`, run at once: each active wallet whose first active
/// threshold rule sees the ongoing balance (credits, after `usage`) at or below its
/// `threshold_credits` is topped up. A `fixed` rule buys its `paid_credits` (times as many as it
/// takes to climb back above the threshold) and grants its `granted_credits`; a `target` rule
/// buys, or grants when `grants_target_top_up`, the gap up to `target_ongoing_balance`. The
/// paid-top-up limits of the wallet are not applied.
pub(super) fn threshold_top_ups(
    wallets: &mut [WalletState],
    usage: &[OngoingUsage],
    at: Timestamp,
) -> Result<Vec<WalletChange>> {
    expire(wallets, at);
    let ongoing = with_ongoing_usage(wallets, usage, at)?;
    let mut changes = Vec::new();
    for (state, view) in wallets.iter_mut().zip(ongoing) {
        if !state.is_active(at) {
            continue;
        }
        let Some(rule) = state
            .wallet
            .recurring_transaction_rules
            .iter()
            .find(|r| {
                r.trigger == Trigger::Threshold
                    && r.status != Some(WalletStatus::Terminated)
                    && r.expiration_at.is_none_or(|end| end > at)
            })
            .cloned()
        else {
            continue;
        };
        let balance = view.credits_ongoing_balance.unwrap_or_default();
        let threshold = rule.threshold_credits.unwrap_or_default();
        if balance > threshold {
            continue;
        }
        let (paid, granted) = rule_credits(&rule, balance)?;
        if paid.is_zero() && granted.is_zero() {
            continue;
        }
        let top_up = WalletTopUp {
            wallet_id: state.id().to_owned(),
            paid_credits: Some(paid),
            granted_credits: Some(granted),
            voided_credits: None,
            name: rule.transaction_name.clone(),
        };
        changes.push(add_credits(
            state,
            &top_up,
            at,
            TransactionSource::Threshold,
        )?);
    }
    Ok(changes)
}

/// The paid and granted credits a threshold rule adds at an ongoing balance of `balance` credits.
fn rule_credits(rule: &RecurringTransactionRule, balance: Decimal) -> Result<(Decimal, Decimal)> {
    let paid = rule.paid_credits.unwrap_or_default();
    let granted = rule.granted_credits.unwrap_or_default();
    if rule.method == Some(TopUpMethod::Target) {
        let target = rule.target_ongoing_balance.unwrap_or_default();
        let gap = decimal::sub(target, balance, "target top-up")?.max(Decimal::ZERO);
        return Ok(if rule.grants_target_top_up == Some(true) {
            (Decimal::ZERO, gap)
        } else {
            (gap, Decimal::ZERO)
        });
    }
    let Some(threshold) = rule.threshold_credits.filter(|_| !paid.is_zero()) else {
        return Ok((paid, granted));
    };
    // Buy enough lots of `paid_credits` to climb strictly above the threshold.
    let gap = decimal::sub(
        decimal::sub(threshold, balance, "fixed top-up")?,
        granted,
        "fixed top-up",
    )?;
    if gap < paid {
        return Ok((paid, granted));
    }
    let lots = decimal::add(
        decimal::div(gap, paid, "fixed top-up")?.floor(),
        Decimal::ONE,
        "fixed top-up",
    )?;
    Ok((decimal::mul(paid, lots, "fixed top-up")?, granted))
}

/// Lago's daily `Wallets::CreateIntervalWalletTransactionsService` for the customer-local date
/// `today`: each active interval rule of an active wallet whose anniversary falls today tops its
/// wallet up, once a day, never on the day the wallet was created. The anniversary counts from the
/// rule's `started_at`, else the wallet's creation, in `time_zone`; on a month's last day it also
/// catches later days (a rule started on the 31st fires on 30 April). A `fixed` rule adds its
/// paid and granted credits; a `target` rule the gap up to its target ongoing balance.
pub(super) fn interval_top_ups(
    wallets: &mut [WalletState],
    usage: &[OngoingUsage],
    today: Date,
    time_zone: &TimeZone,
    at: Timestamp,
) -> Result<Vec<WalletChange>> {
    expire(wallets, at);
    let ongoing = with_ongoing_usage(wallets, usage, at)?;
    let local = |ts: Timestamp| time_zone.to_datetime(ts).date();
    let mut changes = Vec::new();
    for (state, view) in wallets.iter_mut().zip(ongoing) {
        let created = state.wallet.created_at.map(local);
        if !state.is_active(at) || created == Some(today) {
            continue;
        }
        let topped_up_today = state.transactions.iter().any(|t| {
            t.source == Some(TransactionSource::Interval) && t.created_at.map(local) == Some(today)
        });
        if topped_up_today {
            continue;
        }
        let due = state.wallet.recurring_transaction_rules.iter().find(|r| {
            let started = r.started_at.map(local).or(created);
            r.trigger == Trigger::Interval
                && r.status != Some(WalletStatus::Terminated)
                && r.expiration_at.is_none_or(|end| end > at)
                && started
                    .is_some_and(|start| start <= today && anniversary(r.interval, start, today))
        });
        let Some(rule) = due.cloned() else {
            continue;
        };
        let balance = view.credits_ongoing_balance.unwrap_or_default();
        let (paid, granted) = if rule.method == Some(TopUpMethod::Target) {
            rule_credits(&rule, balance)?
        } else {
            (
                rule.paid_credits.unwrap_or_default(),
                rule.granted_credits.unwrap_or_default(),
            )
        };
        if paid.is_zero() && granted.is_zero() {
            continue;
        }
        let top_up = WalletTopUp {
            wallet_id: state.id().to_owned(),
            paid_credits: Some(paid),
            granted_credits: Some(granted),
            voided_credits: None,
            name: rule.transaction_name.clone(),
        };
        changes.push(add_credits(
            state,
            &top_up,
            at,
            TransactionSource::Interval,
        )?);
    }
    Ok(changes)
}

/// Whether `today` is an anniversary of `start` for an interval (Lago's default: weekly).
fn anniversary(interval: Option<Interval>, start: Date, today: Date) -> bool {
    let same_day =
        start.day() == today.day() || (today == today.last_of_month() && start.day() > today.day());
    let months_apart = (i32::from(today.month()) - i32::from(start.month())).rem_euclid(12);
    match interval.unwrap_or(Interval::Weekly) {
        Interval::Weekly => start.weekday() == today.weekday(),
        Interval::Monthly => same_day,
        Interval::Quarterly => same_day && months_apart % 3 == 0,
        Interval::Semiannual => same_day && months_apart % 6 == 0,
        Interval::Yearly => same_day && months_apart == 0,
    }
}
