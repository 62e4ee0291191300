//! Billing periods: from/to and charges from/to for every plan interval and billing time, in the
//! customer's time zone; trial ends; proration coefficients.

use serde::{Deserialize, Serialize};

/// Lago's plan `interval` values.
///
/// ```
/// use lagom_core::period::Interval;
/// let i: Interval = serde_json::from_str(r#""semiannual""#).unwrap();
/// assert_eq!(i, Interval::Semiannual);
/// let err = serde_json::from_str::<Interval>(r#""daily""#).unwrap_err().to_string();
/// assert!(err.contains("unknown variant `daily`, expected one of `weekly`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Weekly,
    Monthly,
    Quarterly,
    Semiannual,
    Yearly,
}

/// Lago's subscription `billing_time` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingTime {
    Calendar,
    Anniversary,
}
