//! Wallets: prepaid credits bought or granted, consumed by invoices after taxes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::invoice::Invoice;
use crate::money::Currency;
use crate::wallet::{Wallet, WalletAppliesTo, WalletTransaction};

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

pub(super) fn create(
    _existing: &[WalletState],
    _body: &Wallet,
    _id: &str,
    _at: Timestamp,
    _currency: Currency,
) -> Result<(WalletState, WalletChange)> {
    Err(Error::invalid("", "wallets are being implemented"))
}

pub(super) fn top_up(
    wallets: &mut [WalletState],
    body: &WalletTopUp,
    _at: Timestamp,
) -> Result<WalletChange> {
    let _ = find(wallets, &body.wallet_id)?;
    Err(Error::invalid("", "wallets are being implemented"))
}

pub(super) fn update(
    wallets: &mut [WalletState],
    body: &WalletUpdate,
    _at: Timestamp,
) -> Result<Wallet> {
    let _ = find(wallets, &body.wallet_id)?;
    Err(Error::invalid("", "wallets are being implemented"))
}

pub(super) fn terminate(
    wallets: &mut [WalletState],
    wallet_id: &str,
    _at: Timestamp,
) -> Result<Wallet> {
    let _ = find(wallets, wallet_id)?;
    Err(Error::invalid("", "wallets are being implemented"))
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
