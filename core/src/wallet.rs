//! Wallets (prepaid credits) and wallet transactions.
//!
//! A wallet holds credits bought at `rate_amount` currency units per credit; it pays invoices before
//! any other payment, limited by `applies_to`. Recurring rules top it up on an interval or when the
//! balance drops below a threshold. Consuming credits on an invoice is the invoice's job.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::fee::FeeType;
use crate::money::Currency;
use crate::period::Interval;
use crate::validate::{each, require_not_negative, require_positive, when_present};

/// Lago's lowest wallet priority: wallets are consumed from priority 1 up to 50.
///
/// ```
/// assert_eq!(lagom_core::wallet::LOWEST_PRIORITY, 50);
/// ```
pub const LOWEST_PRIORITY: u32 = 50;

/// A wallet as `POST /wallets` takes it (`paid_credits`, `granted_credits`) and `GET` returns it
/// (balances).
///
/// ```
/// let w: lagom_core::wallet::Wallet = serde_json::from_str(r#"{
///     "external_customer_id": "hooli_1234", "currency": "USD", "rate_amount": "1.5",
///     "paid_credits": "20.0", "granted_credits": "10.0", "applies_to": {"fee_types": ["charge"]}
/// }"#).unwrap();
/// assert!(w.validate().is_ok());
/// assert_eq!(serde_json::to_value(&w).unwrap()["rate_amount"], "1.5");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Wallet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_customer_id: Option<String>,
    pub external_customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WalletStatus>,
    pub currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 1 (consumed first) to [`LOWEST_PRIORITY`]; Lago's default is 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// Currency units one credit is worth.
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub rate_amount: Decimal,
    /// Credits bought at creation (invoiced).
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub paid_credits: Option<Decimal>,
    /// Credits offered at creation.
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
    pub credits_balance: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_cents: Option<i64>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub consumed_credits: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ongoing_balance_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ongoing_usage_balance_cents: Option<i64>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub credits_ongoing_balance: Option<Decimal>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub credits_ongoing_usage_balance: Option<Decimal>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub expiration_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub last_balance_sync_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub last_consumed_credit_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub terminated_at: Option<Timestamp>,
    /// Whether purchased credits wait for the top-up invoice to be paid.
    #[serde(default)]
    pub invoice_requires_successful_payment: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<WalletAppliesTo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recurring_transaction_rules: Vec<RecurringTransactionRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_top_up_min_amount_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_top_up_max_amount_cents: Option<i64>,
}

impl Wallet {
    /// Checks what Lago's wallet validations check: a positive rate, a priority in 1..=50, credits that
    /// are not negative, positive top-up bounds with max ≥ min, and valid recurring rules.
    ///
    /// ```
    /// let w: lagom_core::wallet::Wallet = serde_json::from_str(
    ///     r#"{"external_customer_id": "c1", "currency": "EUR", "rate_amount": "0"}"#,
    /// ).unwrap();
    /// assert_eq!(w.validate().unwrap_err().to_string(), "rate_amount: must be greater than 0 (got 0)");
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_positive(self.rate_amount, "rate_amount")?;
        if let Some(priority) = self.priority
            && !(1..=LOWEST_PRIORITY).contains(&priority)
        {
            return Err(Error::invalid(
                "priority",
                format!("must be between 1 and {LOWEST_PRIORITY} (got {priority})"),
            ));
        }
        when_present(self.paid_credits, |c| {
            require_not_negative(c, "paid_credits")
        })?;
        when_present(self.granted_credits, |c| {
            require_not_negative(c, "granted_credits")
        })?;
        when_present(self.paid_top_up_min_amount_cents, |c| {
            require_positive(c, "paid_top_up_min_amount_cents")
        })?;
        when_present(self.paid_top_up_max_amount_cents, |c| {
            require_positive(c, "paid_top_up_max_amount_cents")
        })?;
        if let (Some(min), Some(max)) = (
            self.paid_top_up_min_amount_cents,
            self.paid_top_up_max_amount_cents,
        ) && max < min
        {
            return Err(Error::invalid(
                "paid_top_up_max_amount_cents",
                format!(
                    "must be greater than or equal to paid_top_up_min_amount_cents (got {max} < {min})"
                ),
            ));
        }
        each(
            &self.recurring_transaction_rules,
            "recurring_transaction_rules",
            RecurringTransactionRule::validate,
        )
    }
}

/// Lago's wallet `status` values.
///
/// ```
/// use lagom_core::wallet::WalletStatus;
/// let value: WalletStatus = serde_json::from_str(r#""terminated""#).unwrap();
/// assert_eq!(value, WalletStatus::Terminated);
/// assert!(serde_json::from_str::<WalletStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum WalletStatus {
    Active,
    Terminated,
}

/// Which fees a wallet may pay: by fee type and by billable metric (empty: all).
///
/// ```
/// use lagom_core::{fee::FeeType, wallet::WalletAppliesTo};
/// let limits: WalletAppliesTo =
///     serde_json::from_str(r#"{"fee_types": ["charge", "commitment"]}"#).unwrap();
/// assert_eq!(limits.fee_types, [FeeType::Charge, FeeType::Commitment]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct WalletAppliesTo {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fee_types: Vec<FeeType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billable_metric_codes: Vec<String>,
}

/// A rule that tops a wallet up automatically.
///
/// ```
/// let rule: lagom_core::wallet::RecurringTransactionRule = serde_json::from_str(r#"{
///     "trigger": "threshold", "method": "target", "threshold_credits": "20.0",
///     "target_ongoing_balance": "10.0"
/// }"#).unwrap();
/// assert_eq!(rule.validate().unwrap_err().path(), Some("target_ongoing_balance"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct RecurringTransactionRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    pub trigger: Trigger,
    /// Lago's default when absent is `fixed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<TopUpMethod>,
    /// For an `interval` trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WalletStatus>,
    /// For a `threshold` trigger: top up when the ongoing balance falls to this many credits.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub threshold_credits: Option<Decimal>,
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
    /// For the `target` method: top up to this ongoing balance.
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub target_ongoing_balance: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants_target_top_up: Option<bool>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub started_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub expiration_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_requires_successful_payment: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_name: Option<String>,
}

impl RecurringTransactionRule {
    /// Checks credits are not negative and, for a threshold rule topping up to a target, that the
    /// target is not below the threshold (Lago's rule).
    ///
    /// ```
    /// let rule: lagom_core::wallet::RecurringTransactionRule = serde_json::from_str(
    ///     r#"{"trigger": "interval", "interval": "monthly", "paid_credits": "-1"}"#,
    /// ).unwrap();
    /// assert_eq!(rule.validate().unwrap_err().to_string(), "paid_credits: must not be negative (got -1)");
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (credits, path) in [
            (self.paid_credits, "paid_credits"),
            (self.granted_credits, "granted_credits"),
            (self.threshold_credits, "threshold_credits"),
            (self.target_ongoing_balance, "target_ongoing_balance"),
        ] {
            when_present(credits, |c| require_not_negative(c, path))?;
        }
        if self.trigger == Trigger::Threshold
            && self.method == Some(TopUpMethod::Target)
            && let (Some(target), Some(threshold)) =
                (self.target_ongoing_balance, self.threshold_credits)
            && target < threshold
        {
            return Err(Error::invalid(
                "target_ongoing_balance",
                format!(
                    "must be greater than or equal to threshold_credits (got {target} < {threshold})"
                ),
            ));
        }
        Ok(())
    }
}

/// What starts a recurring top-up.
///
/// ```
/// use lagom_core::wallet::Trigger;
/// let value: Trigger = serde_json::from_str(r#""threshold""#).unwrap();
/// assert_eq!(value, Trigger::Threshold);
/// assert!(serde_json::from_str::<Trigger>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Interval,
    Threshold,
}

/// How much a recurring top-up adds: fixed credits, or enough to reach a target balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum TopUpMethod {
    Fixed,
    Target,
}

/// A movement of credits in or out of a wallet.
///
/// ```
/// let t: lagom_core::wallet::WalletTransaction = serde_json::from_str(r#"{
///     "status": "settled", "transaction_status": "purchased", "transaction_type": "inbound",
///     "amount": "10.0", "credit_amount": "100.0"
/// }"#).unwrap();
/// assert_eq!(t.credit_amount, lagom_core::decimal::Decimal::from(100));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct WalletTransaction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_wallet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lago_invoice_id: Option<String>,
    pub status: TransactionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TransactionSource>,
    pub transaction_status: TransactionKind,
    pub transaction_type: TransactionType,
    /// The amount in currency units.
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub amount: Decimal,
    /// The number of credits.
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub credit_amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_requires_successful_payment: Option<bool>,
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
    pub settled_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub failed_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub created_at: Option<Timestamp>,
}

/// Lago's wallet transaction `status` values.
///
/// ```
/// use lagom_core::wallet::TransactionStatus;
/// let value: TransactionStatus = serde_json::from_str(r#""failed""#).unwrap();
/// assert_eq!(value, TransactionStatus::Failed);
/// assert!(serde_json::from_str::<TransactionStatus>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum TransactionStatus {
    Pending,
    Settled,
    Failed,
}

/// Lago's wallet transaction `transaction_status` values: why credits moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    Purchased,
    Granted,
    Voided,
    Invoiced,
}

/// Whether credits came in or went out.
///
/// ```
/// use lagom_core::wallet::TransactionType;
/// let value: TransactionType = serde_json::from_str(r#""outbound""#).unwrap();
/// assert_eq!(value, TransactionType::Outbound);
/// assert!(serde_json::from_str::<TransactionType>(r#""unknown""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum TransactionType {
    Inbound,
    Outbound,
}

/// What created a wallet transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum TransactionSource {
    Manual,
    Interval,
    Threshold,
}
