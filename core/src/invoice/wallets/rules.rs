//! Recurring top-up rules: threshold rules fire when a wallet's ongoing balance falls to their
//! threshold, interval rules on their anniversaries.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{
    OngoingUsage, WalletChange, WalletState, WalletTopUp, add_credits, expire, with_ongoing_usage,
};
use crate::decimal::{self, Decimal};
use crate::error::Result;
use crate::period::Interval;
use crate::wallet::{
    RecurringTransactionRule, TopUpMethod, TransactionSource, Trigger, WalletStatus,
};

/// Lago's `Wallets::ThresholdTopUpService`, run at once: each active wallet whose first active
/// threshold rule sees the ongoing balance (credits, after `usage`) at or below its
/// `threshold_credits` is topped up. A `fixed` rule buys its `paid_credits` (times as many as it
/// takes to climb back above the threshold) and grants its `granted_credits`; a `target` rule
/// buys, or grants when `grants_target_top_up`, the gap up to `target_ongoing_balance`. The
/// paid-top-up limits of the wallet are not applied.
pub(in crate::invoice) fn threshold_top_ups(
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
        if let Some(change) = fire(
            state,
            &rule,
            (paid, granted),
            at,
            TransactionSource::Threshold,
        )? {
            changes.push(change);
        }
    }
    Ok(changes)
}

/// Tops a wallet up with a rule's `(paid, granted)` credits, unless both are zero. Rules are not
/// held to the wallet's paid top-up limits.
fn fire(
    state: &mut WalletState,
    rule: &RecurringTransactionRule,
    (paid, granted): (Decimal, Decimal),
    at: Timestamp,
    source: TransactionSource,
) -> Result<Option<WalletChange>> {
    if paid.is_zero() && granted.is_zero() {
        return Ok(None);
    }
    let top_up = WalletTopUp {
        wallet_id: state.id().to_owned(),
        paid_credits: Some(paid),
        granted_credits: Some(granted),
        voided_credits: None,
        name: rule.transaction_name.clone(),
        priority: None,
        ignore_paid_top_up_limits: true,
    };
    add_credits(state, &top_up, at, source).map(Some)
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
pub(in crate::invoice) fn interval_top_ups(
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
        if let Some(change) = fire(
            state,
            &rule,
            (paid, granted),
            at,
            TransactionSource::Interval,
        )? {
            changes.push(change);
        }
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
