//! Charge models: how a number of units becomes an amount.
//!
//! One file per Lago charge model. Each takes its typed properties and the aggregation result and returns
//! the amount, the unit amount and Lago's `amount_details`.

use serde::{Deserialize, Serialize};

/// Lago's `charge_model` values.
///
/// ```
/// use lagom_core::charge::ChargeModel;
/// let model: ChargeModel = serde_json::from_str(r#""graduated_percentage""#).unwrap();
/// assert_eq!(model, ChargeModel::GraduatedPercentage);
/// let err = serde_json::from_str::<ChargeModel>(r#""tiered""#).unwrap_err().to_string();
/// assert!(err.contains("unknown variant `tiered`, expected one of `standard`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeModel {
    Standard,
    Graduated,
    GraduatedPercentage,
    Package,
    Percentage,
    Volume,
    Dynamic,
    Custom,
}
