//! A customer's balances between invoices: applied coupons with what is left of them, wallets with
//! their credits and transactions, and credit notes with credit still to spend.
//!
//! The simulator keeps one [`CustomerBalances`] per customer, changes it with the timeline's calls
//! (`apply_coupon`, `create_wallet`, `create_credit_note`, …) and hands it to [`super::finalize`],
//! which consumes it. Identifiers are given by the caller so that they stay deterministic.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::coupon::{AppliedCoupon, Coupon};
use crate::credit_note::{CreditNote, CreditNoteCreate};
use crate::decimal::Decimal;
use crate::error::Result;
use crate::invoice::Invoice;
use crate::money::Currency;
use crate::subscription::OnTerminationCreditNote;
use crate::wallet::{Wallet, WalletTransaction};

use super::coupons::{self, AppliedCouponState};
use super::credit_notes;
use super::wallets::{self, OngoingUsage, WalletChange, WalletState, WalletTopUp, WalletUpdate};

/// A customer's applied coupons, wallets and credit notes; starts empty.
///
/// ```
/// let balances = lagom_core::invoice::CustomerBalances::default();
/// assert!(balances.wallets().is_empty());
/// assert!(balances.credit_notes().is_empty());
/// assert!(balances.applied_coupons().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerBalances {
    pub(super) coupons: Vec<AppliedCouponState>,
    pub(super) wallets: Vec<WalletState>,
    pub(super) credit_notes: Vec<CreditNote>,
}

impl CustomerBalances {
    /// Applies `coupon` to the customer (`POST /applied_coupons`), the body's amount, rate and
    /// frequency overriding the coupon's. Fails, naming the field, when the coupon has expired or was
    /// terminated, when a coupon that is not reusable was already applied, or when the body does not
    /// fit the coupon. `id` becomes the applied coupon's `lago_id`.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let coupon = serde_json::from_str(r#"{"name": "Deal", "code": "deal",
    ///     "coupon_type": "fixed_amount", "amount_cents": 1000, "amount_currency": "EUR",
    ///     "frequency": "once", "expiration": "no_expiration"}"#).unwrap();
    /// let body = serde_json::from_str(r#"{"external_customer_id": "c1", "coupon_code": "deal"}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// let applied = balances
    ///     .apply_coupon(&coupon, &body, "ac_0001", "2024-01-01T00:00:00Z".parse().unwrap())
    ///     .unwrap();
    /// assert_eq!(applied.amount_cents_remaining, Some(1000));
    /// ```
    pub fn apply_coupon(
        &mut self,
        coupon: &Coupon,
        body: &AppliedCoupon,
        id: &str,
        at: Timestamp,
    ) -> Result<AppliedCoupon> {
        let state = coupons::apply(&self.coupons, coupon, body, id, at)?;
        let applied = state.applied.clone();
        self.coupons.push(state);
        Ok(applied)
    }

    /// Terminates the customer's active applied coupon of `coupon_code` (`DELETE
    /// /customers/{id}/applied_coupons/{id}`); fails when there is none.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let err = CustomerBalances::default()
    ///     .remove_applied_coupon("deal", "2024-01-01T00:00:00Z".parse().unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "coupon_code: no active applied coupon `deal`");
    /// ```
    pub fn remove_applied_coupon(
        &mut self,
        coupon_code: &str,
        at: Timestamp,
    ) -> Result<AppliedCoupon> {
        coupons::remove(&mut self.coupons, coupon_code, at)
    }

    /// Creates a wallet (`POST /wallets`) in `currency`, with its paid and granted credits. Granted
    /// credits are settled at once; paid credits come with a `credit` invoice for the caller to
    /// number and publish, and are settled at once too (the simulator has no payments to wait for).
    /// `id` becomes the wallet's `lago_id`; its transactions get `{id}_tx{n}`.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// use lagom_core::money::Currency;
    /// let body = serde_json::from_str(r#"{"external_customer_id": "c1", "currency": "EUR",
    ///     "rate_amount": "1", "paid_credits": "10", "granted_credits": "5"}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// let change = balances
    ///     .create_wallet(&body, "wal_0001", "2024-01-01T00:00:00Z".parse().unwrap(), Currency::Eur)
    ///     .unwrap();
    /// assert_eq!(change.wallet.balance_cents, Some(1500));
    /// assert_eq!(change.invoice.unwrap().total_amount_cents, 1000);
    /// ```
    pub fn create_wallet(
        &mut self,
        body: &Wallet,
        id: &str,
        at: Timestamp,
        currency: Currency,
    ) -> Result<WalletChange> {
        let (state, change) = wallets::create(&self.wallets, body, id, at, currency)?;
        self.wallets.push(state);
        Ok(change)
    }

    /// Adds paid or granted credits to a wallet, or voids some (`POST /wallet_transactions`).
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let top_up = serde_json::from_str(r#"{"wallet_id": "wal_9", "granted_credits": "5"}"#).unwrap();
    /// let err = CustomerBalances::default()
    ///     .top_up_wallet(&top_up, "2024-01-01T00:00:00Z".parse().unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "wallet_id: unknown wallet `wal_9`");
    /// ```
    pub fn top_up_wallet(&mut self, body: &WalletTopUp, at: Timestamp) -> Result<WalletChange> {
        wallets::top_up(&mut self.wallets, body, at)
    }

    /// Changes a wallet's name, priority, expiration or limits (`PUT /wallets/{id}`).
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let update = serde_json::from_str(r#"{"wallet_id": "wal_9", "priority": 3}"#).unwrap();
    /// let err = CustomerBalances::default()
    ///     .update_wallet(&update, "2024-01-01T00:00:00Z".parse().unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.path(), Some("wallet_id"));
    /// ```
    pub fn update_wallet(&mut self, body: &WalletUpdate, at: Timestamp) -> Result<Wallet> {
        wallets::update(&mut self.wallets, body, at)
    }

    /// Terminates a wallet (`DELETE /wallets/{id}`): its remaining credits are no longer usable.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let err = CustomerBalances::default()
    ///     .terminate_wallet("wal_9", "2024-01-01T00:00:00Z".parse().unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "wallet_id: unknown wallet `wal_9`");
    /// ```
    pub fn terminate_wallet(&mut self, wallet_id: &str, at: Timestamp) -> Result<Wallet> {
        wallets::terminate(&mut self.wallets, wallet_id, at)
    }

    /// Issues a credit note on a finalized `invoice` (`POST /credit_notes`): item amounts are
    /// checked against what each fee still allows, the invoice's coupons are taken off pro rata,
    /// taxes are added at the fees' rates, and the credit part becomes a balance that later invoices
    /// consume. `id` becomes the credit note's `lago_id`.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let invoice = serde_json::from_str(r#"{"lago_id": "inv_1", "issuing_date": "2024-01-01",
    ///     "invoice_type": "subscription", "status": "draft", "currency": "EUR",
    ///     "fees_amount_cents": 0, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
    ///     "sub_total_excluding_taxes_amount_cents": 0, "taxes_amount_cents": 0,
    ///     "sub_total_including_taxes_amount_cents": 0, "prepaid_credit_amount_cents": 0,
    ///     "total_amount_cents": 0}"#).unwrap();
    /// let body = serde_json::from_str(r#"{"invoice_id": "inv_1", "reason": "other",
    ///     "credit_amount_cents": 100, "items": [{"fee_id": "fee_1", "amount_cents": 100}]}"#).unwrap();
    /// let err = CustomerBalances::default()
    ///     .create_credit_note(&invoice, &body, "cn_0001", "2024-01-02T00:00:00Z".parse().unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "invoice_id: invoice `inv_1` is a draft; only a finalized invoice can be credited");
    /// ```
    pub fn create_credit_note(
        &mut self,
        invoice: &Invoice,
        body: &CreditNoteCreate,
        id: &str,
        at: Timestamp,
    ) -> Result<CreditNote> {
        let note = credit_notes::create(&self.credit_notes, invoice, body, id, at)?;
        self.credit_notes.push(note.clone());
        Ok(note)
    }

    /// Credits the unused part of a subscription fee paid in advance when the subscription is
    /// terminated or upgraded (Lago's `CreditNotes::CreateFromTermination`): `unused_cents` is
    /// the day price times the days left, in precise cents; it is capped at the fee less earlier
    /// credit notes on it and truncated to 5 decimals, then coupons come off and taxes are added.
    /// `on_termination` says whether the total is credit (`credit`, and `refund` since nothing is
    /// paid here) or offsets the invoice (`offset`). `None` when nothing is left to credit or the
    /// outcome is `skip`.
    ///
    /// ```
    /// use lagom_core::decimal::Decimal;
    /// use lagom_core::invoice::CustomerBalances;
    /// use lagom_core::subscription::OnTerminationCreditNote;
    /// let invoice = serde_json::from_str(r#"{"lago_id": "inv_1", "issuing_date": "2024-01-01",
    ///     "invoice_type": "subscription", "status": "finalized", "currency": "EUR",
    ///     "fees_amount_cents": 3100, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
    ///     "sub_total_excluding_taxes_amount_cents": 3100, "taxes_amount_cents": 620,
    ///     "sub_total_including_taxes_amount_cents": 3720, "prepaid_credit_amount_cents": 0,
    ///     "total_amount_cents": 3720, "fees": [{"lago_id": "fee_1", "amount_cents": 3100,
    ///     "amount_currency": "EUR", "taxes_amount_cents": 620, "taxes_rate": 20, "units": "1",
    ///     "total_amount_cents": 3720, "item": {"type": "subscription", "code": "pro", "name": "Pro"},
    ///     "applied_taxes": [{"tax_name": "VAT", "tax_code": "vat", "tax_rate": 20,
    ///     "amount_cents": 620, "amount_currency": "EUR"}]}]}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// // 10 of January's 31 days unused: 10 × 3100 / 31 = 1000, plus 20 % VAT.
    /// let note = balances
    ///     .credit_unused_subscription(&invoice, "fee_1", Decimal::from(1000),
    ///         OnTerminationCreditNote::Credit, "cn_1", "2024-01-22T00:00:00Z".parse().unwrap())
    ///     .unwrap()
    ///     .unwrap();
    /// assert_eq!((note.credit_amount_cents, note.balance_amount_cents), (1200, 1200));
    /// ```
    pub fn credit_unused_subscription(
        &mut self,
        invoice: &Invoice,
        fee_id: &str,
        unused_cents: Decimal,
        on_termination: OnTerminationCreditNote,
        id: &str,
        at: Timestamp,
    ) -> Result<Option<CreditNote>> {
        let note = credit_notes::for_unused_subscription(
            &self.credit_notes,
            invoice,
            fee_id,
            unused_cents,
            on_termination,
            id,
            at,
        )?;
        Ok(self.keep(note))
    }

    /// Credits on a progressive-billing invoice what a later period invoice could not deduct of
    /// it (Lago's `CreditNotes::CreateFromProgressiveBillingInvoice`): `amount_cents` is the
    /// deduction asked less the charges the period invoice had to deduct it from. `None` when
    /// there is nothing to credit.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let invoice = serde_json::from_str(r#"{"lago_id": "inv_pb", "issuing_date": "2024-01-15",
    ///     "invoice_type": "progressive_billing", "status": "finalized", "currency": "EUR",
    ///     "fees_amount_cents": 5000, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
    ///     "sub_total_excluding_taxes_amount_cents": 5000, "taxes_amount_cents": 1000,
    ///     "sub_total_including_taxes_amount_cents": 6000, "prepaid_credit_amount_cents": 0,
    ///     "total_amount_cents": 6000, "fees": [{"lago_id": "fee_1", "amount_cents": 5000,
    ///     "amount_currency": "EUR", "taxes_amount_cents": 1000, "taxes_rate": 20, "units": "50",
    ///     "total_amount_cents": 6000, "item": {"type": "charge", "code": "api", "name": "API"},
    ///     "applied_taxes": [{"tax_name": "VAT", "tax_code": "vat", "tax_rate": 20,
    ///     "amount_cents": 1000, "amount_currency": "EUR"}]}]}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// // 8.00 could not be deducted: 8.00 + 20 % VAT is credited on the progressive invoice.
    /// let note = balances
    ///     .credit_progressive_billing_excess(&invoice, 800, "cn_1", "2024-02-01T00:00:00Z".parse().unwrap())
    ///     .unwrap()
    ///     .unwrap();
    /// assert_eq!((note.credit_amount_cents, note.taxes_amount_cents), (960, 160));
    /// ```
    pub fn credit_progressive_billing_excess(
        &mut self,
        invoice: &Invoice,
        amount_cents: i64,
        id: &str,
        at: Timestamp,
    ) -> Result<Option<CreditNote>> {
        let note = credit_notes::for_progressive_billing_excess(
            &self.credit_notes,
            invoice,
            amount_cents,
            id,
            at,
        )?;
        Ok(self.keep(note))
    }

    /// Records a credit note that was issued, if any.
    fn keep(&mut self, note: Option<CreditNote>) -> Option<CreditNote> {
        if let Some(note) = &note {
            self.credit_notes.push(note.clone());
        }
        note
    }

    /// Voids a credit note (`PUT /credit_notes/{id}/void`): its remaining credit is dropped.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// let err = CustomerBalances::default()
    ///     .void_credit_note("cn_9", "2024-01-01T00:00:00Z".parse().unwrap())
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "credit_note_id: unknown credit note `cn_9`");
    /// ```
    pub fn void_credit_note(&mut self, credit_note_id: &str, at: Timestamp) -> Result<CreditNote> {
        credit_notes::void(&mut self.credit_notes, credit_note_id, at)
    }

    /// The applied coupons, in the order they were applied, with what is left of them.
    ///
    /// ```
    /// assert!(lagom_core::invoice::CustomerBalances::default().applied_coupons().is_empty());
    /// ```
    pub fn applied_coupons(&self) -> Vec<AppliedCoupon> {
        self.coupons.iter().map(|c| c.applied.clone()).collect()
    }

    /// The wallets, in creation order, with their balances in credits and cents.
    ///
    /// ```
    /// assert!(lagom_core::invoice::CustomerBalances::default().wallets().is_empty());
    /// ```
    pub fn wallets(&self) -> Vec<Wallet> {
        self.wallets.iter().map(|w| w.wallet.clone()).collect()
    }

    /// The wallets with their ongoing balances at `at`: the balance less the usage not yet
    /// invoiced, shared among the wallets as Lago shares it (by priority, within `applies_to`).
    ///
    /// ```
    /// use lagom_core::fee::FeeType;
    /// use lagom_core::invoice::{CustomerBalances, OngoingUsage};
    /// use lagom_core::money::Currency;
    /// let body = serde_json::from_str(r#"{"external_customer_id": "c1", "currency": "EUR",
    ///     "rate_amount": "2", "granted_credits": "10"}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// let at = "2024-01-01T00:00:00Z".parse().unwrap();
    /// balances.create_wallet(&body, "wal_1", at, Currency::Eur).unwrap();
    /// let usage = [OngoingUsage { fee_type: FeeType::Charge, billable_metric_code: None, amount_cents: 500 }];
    /// let wallets = balances.wallets_with_ongoing_usage(&usage, at).unwrap();
    /// // 20.00 € of credits less 5.00 € of usage: 15.00 €, 7.5 credits at 2 € each.
    /// assert_eq!(wallets[0].ongoing_balance_cents, Some(1500));
    /// assert_eq!(wallets[0].credits_ongoing_balance, Some(lagom_core::decimal::Decimal::new(75, 1)));
    /// ```
    pub fn wallets_with_ongoing_usage(
        &self,
        usage: &[OngoingUsage],
        at: Timestamp,
    ) -> Result<Vec<Wallet>> {
        wallets::with_ongoing_usage(&self.wallets, usage, at)
    }

    /// Runs the wallets' threshold top-up rules at `at`, their ongoing balances counting `usage`
    /// (see [`CustomerBalances::wallets_with_ongoing_usage`]): each rule whose threshold is
    /// reached tops its wallet up at once. Purchased credits come with their `credit` invoice.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// use lagom_core::money::Currency;
    /// let body = serde_json::from_str(r#"{"external_customer_id": "c1", "currency": "EUR",
    ///     "rate_amount": "1", "granted_credits": "5", "recurring_transaction_rules": [
    ///     {"trigger": "threshold", "threshold_credits": "10", "paid_credits": "20"}]}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// let at = "2024-01-01T00:00:00Z".parse().unwrap();
    /// balances.create_wallet(&body, "wal_1", at, Currency::Eur).unwrap();
    /// // 5 credits ≤ 10: one lot of 20 paid credits, billed 20.00 €.
    /// let changes = balances.threshold_top_ups(&[], at).unwrap();
    /// assert_eq!(changes[0].wallet.balance_cents, Some(2500));
    /// assert_eq!(changes[0].invoice.as_ref().map(|i| i.total_amount_cents), Some(2000));
    /// ```
    pub fn threshold_top_ups(
        &mut self,
        usage: &[OngoingUsage],
        at: Timestamp,
    ) -> Result<Vec<WalletChange>> {
        wallets::threshold_top_ups(&mut self.wallets, usage, at)
    }

    /// Runs the wallets' interval top-up rules for the customer-local date `today` (Lago's daily
    /// clock job), their ongoing balances counting `usage`; `time_zone` is the customer's, in which
    /// rules' start dates are read. Purchased credits come with their `credit` invoice.
    ///
    /// ```
    /// use lagom_core::invoice::CustomerBalances;
    /// use lagom_core::money::Currency;
    /// let body = serde_json::from_str(r#"{"external_customer_id": "c1", "currency": "EUR",
    ///     "rate_amount": "1", "recurring_transaction_rules": [
    ///     {"trigger": "interval", "interval": "monthly", "granted_credits": "10"}]}"#).unwrap();
    /// let mut balances = CustomerBalances::default();
    /// let utc = jiff::tz::TimeZone::UTC;
    /// balances.create_wallet(&body, "wal_1", "2024-01-31T10:00:00Z".parse().unwrap(), Currency::Eur).unwrap();
    /// // Started on 31 January: the monthly rule fires on 29 February, the month's last day.
    /// let feb = "2024-02-29".parse().unwrap();
    /// let changes = balances.interval_top_ups(&[], feb, &utc, "2024-02-29T00:00:00Z".parse().unwrap()).unwrap();
    /// assert_eq!(changes[0].wallet.balance_cents, Some(1000));
    /// ```
    pub fn interval_top_ups(
        &mut self,
        usage: &[OngoingUsage],
        today: Date,
        time_zone: &TimeZone,
        at: Timestamp,
    ) -> Result<Vec<WalletChange>> {
        wallets::interval_top_ups(&mut self.wallets, usage, today, time_zone, at)
    }

    /// Every wallet transaction, wallet by wallet, in the order they happened.
    ///
    /// ```
    /// assert!(lagom_core::invoice::CustomerBalances::default().wallet_transactions().is_empty());
    /// ```
    pub fn wallet_transactions(&self) -> Vec<WalletTransaction> {
        self.wallets
            .iter()
            .flat_map(|w| w.transactions.iter().cloned())
            .collect()
    }

    /// The credit notes, in creation order, with their remaining balance.
    ///
    /// ```
    /// assert!(lagom_core::invoice::CustomerBalances::default().credit_notes().is_empty());
    /// ```
    pub fn credit_notes(&self) -> &[CreditNote] {
        &self.credit_notes
    }
}
