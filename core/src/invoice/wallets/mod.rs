//! Wallets: prepaid credits bought or granted, and their consumption by invoices after taxes
//! (Lago's `WalletTransactions::CreateFromParamsService`, `Credits::AppliedPrepaidCreditsService`).
//!
//! A credit is worth `rate_amount` currency units. Granted credits count at once; purchased credits
//! come with a `credit` invoice, which the simulator treats as paid at once (it has no payments), so
//! they count at once too. An invoice takes credits from the active wallets of its currency, by
//! priority then creation, each wallet paying only the fee types and billable metrics its
//! `applies_to` allows, never more than a fee's amount after coupons, taxes and credit notes.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

mod allocation;
mod rules;

pub use allocation::OngoingUsage;
pub(super) use allocation::{apply_to_invoice, with_ongoing_usage};
pub(super) use rules::{interval_top_ups, threshold_top_ups};

use super::build;
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::FeeType;
use crate::invoice::{Invoice, InvoicePaymentStatus, InvoiceType};
use crate::money::{Currency, add_cents, round_cents, sub_cents};
use crate::validate::{each, require_not_negative};
use crate::wallet::{
    LOWEST_PRIORITY, RecurringTransactionRule, TransactionKind, TransactionSource,
    TransactionStatus, TransactionType, Wallet, WalletAppliesTo, WalletStatus, WalletTransaction,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct WalletTopUp {
    /// The wallet's `lago_id` (or its `code`).
    pub wallet_id: String,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub paid_credits: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub granted_credits: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub voided_credits: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The transactions' priority (Lago's default: 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// Buy paid credits outside the wallet's `paid_top_up_min/max_amount_cents`.
    #[serde(default)]
    pub ignore_paid_top_up_limits: bool,
}

/// `PUT /wallets/{id}`: the fields of a wallet that can change.
///
/// ```
/// let u: lagom_core::invoice::WalletUpdate =
///     serde_json::from_str(r#"{"wallet_id": "wal_0001", "priority": 2}"#).unwrap();
/// assert_eq!(u.priority, Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
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
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub expiration_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<WalletAppliesTo>,
    /// Replaces the wallet's recurring top-up rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_transaction_rules: Option<Vec<RecurringTransactionRule>>,
}

/// What a wallet call changed: the wallet after it, the transactions it made, and, for purchased
/// credits, the `credit` invoice that bills them (without `lago_id`: the caller numbers it).
///
/// ```
/// use lagom_core::invoice::CustomerBalances;
/// use lagom_core::money::Currency;
/// let body = serde_json::from_str(r#"{"external_customer_id": "c1", "currency": "USD",
///     "rate_amount": "0.5", "granted_credits": "3"}"#).unwrap();
/// let change = CustomerBalances::default()
///     .create_wallet(&body, "wal_1", "2024-01-01T00:00:00Z".parse().unwrap(), Currency::Usd)
///     .unwrap();
/// // 3 granted credits at 0.50 $: 1.50 $, no invoice for granted credits.
/// assert_eq!((change.wallet.balance_cents, change.transactions.len()), (Some(150), 1));
/// assert!(change.invoice.is_none());
/// ```
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

    /// Terminates the wallet and its recurring rules, as Lago's `Wallets::TerminateService` does.
    fn close(&mut self, at: Timestamp) {
        self.wallet.status = Some(WalletStatus::Terminated);
        self.wallet.terminated_at = Some(at);
        for rule in &mut self.wallet.recurring_transaction_rules {
            rule.status = Some(WalletStatus::Terminated);
        }
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
            priority: Some(origin.priority),
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
            state.close(end);
        }
    }
}

/// Why a transaction happened: its name and what started it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    name: Option<String>,
    source: TransactionSource,
    /// Lago's transaction priority, 50 unless the top-up says otherwise.
    priority: u32,
}

/// Credits as Lago stores them: floored to 5 decimals.
fn floor_credits(credits: Decimal) -> Decimal {
    credits.round_dp_with_strategy(5, rust_decimal::RoundingStrategy::ToNegativeInfinity)
}

/// What `credits` are worth in cents: `credits × rate`, rounded to the currency.
fn credits_to_cents(credits: Decimal, rate: Decimal, currency: Currency) -> Result<i64> {
    currency.to_cents(decimal::mul(credits, rate, "wallet transaction amount")?)
}

/// The credits `cents` buy, as Lago counts invoiceable credits (purchased, granted, consumed):
/// back from the rounded amount, `amount ÷ rate`, kept to 5 decimals. So 17.969999 granted
/// credits at 1 € are worth 17.97 € and count as 17.97 credits.
pub(super) fn credits_for(cents: i64, rate: Decimal, currency: Currency) -> Result<Decimal> {
    Ok(decimal::div(
        currency.to_units(Decimal::from(cents)),
        rate,
        "wallet credits",
    )?
    .round_dp_with_strategy(5, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
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
        priority: None,
        ignore_paid_top_up_limits: false,
    };
    let change = add_credits(&mut state, &top_up, at, TransactionSource::Manual)?;
    Ok((state, change))
}

pub(super) fn top_up(
    wallets: &mut [WalletState],
    body: &WalletTopUp,
    at: Timestamp,
) -> Result<WalletChange> {
    let state = active(wallets, &body.wallet_id, at)?;
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
        priority: body.priority.unwrap_or(LOWEST_PRIORITY),
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
        if source == TransactionSource::Manual && !body.ignore_paid_top_up_limits {
            within_top_up_limits(&state.wallet, cents)?;
        }
        let credits = credits_for(cents, rate, currency)?;
        let transaction = state.settle(
            TransactionKind::Purchased,
            credits,
            cents,
            at,
            origin.clone(),
        )?;
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
            credits_for(cents, rate, currency)?,
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

/// Lago's paid top-up limits: a manual purchase of credits worth `cents` must not be below the
/// wallet's `paid_top_up_min_amount_cents` nor above its `paid_top_up_max_amount_cents`.
fn within_top_up_limits(wallet: &Wallet, cents: i64) -> Result<()> {
    if let Some(min) = wallet.paid_top_up_min_amount_cents
        && cents < min
    {
        return Err(Error::invalid(
            "paid_credits",
            format!("are worth {cents} cents, below the wallet's minimum top-up of {min}"),
        ));
    }
    if let Some(max) = wallet.paid_top_up_max_amount_cents
        && cents > max
    {
        return Err(Error::invalid(
            "paid_credits",
            format!("are worth {cents} cents, above the wallet's maximum top-up of {max}"),
        ));
    }
    Ok(())
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
    let state = active(wallets, &body.wallet_id, at)?;
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
    if let Some(rules) = &body.recurring_transaction_rules {
        each(
            rules,
            "recurring_transaction_rules",
            RecurringTransactionRule::validate,
        )?;
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
    if let Some(rules) = &body.recurring_transaction_rules {
        each(
            rules,
            "recurring_transaction_rules",
            RecurringTransactionRule::validate,
        )?;
        wallet.recurring_transaction_rules.clone_from(rules);
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
        state.close(at);
    }
    Ok(state.wallet.clone())
}

/// The active wallet `wallet_id` at `at` (expired wallets are terminated first).
fn active<'a>(
    wallets: &'a mut [WalletState],
    wallet_id: &str,
    at: Timestamp,
) -> Result<&'a mut WalletState> {
    expire(wallets, at);
    let state = find(wallets, wallet_id)?;
    if !state.is_active(at) {
        return Err(Error::invalid(
            "wallet_id",
            format!("wallet `{wallet_id}` is terminated"),
        ));
    }
    Ok(state)
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
