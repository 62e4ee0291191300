//! The `standard` charge model: every unit costs `amount`.

use crate::charge::properties::Fields;
use crate::charge::{AmountDetails, ChargeResult, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::Result;

/// `properties: {"amount": "0.5"}`: `amount` is required and ≥ 0.
///
/// Amount = units × amount; the unit amount divides by the full units when the charge is prorated.
/// Lago shows no `amount_details` for it.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let pricing = Pricing::parse(ChargeModel::Standard, &serde_json::json!({"amount": "5.12345"}), false).unwrap();
/// let result = pricing.apply(&PricingInput::new(10.into())).unwrap();
/// assert_eq!(lagom_core::decimal::to_text(result.amount), "51.2345");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    amount: Decimal,
}

impl Standard {
    pub(crate) fn parse(properties: &Fields<'_>) -> Result<Self> {
        Ok(Standard {
            amount: properties.amount("amount")?,
        })
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let amount = decimal::mul(input.units, self.amount, "standard amount")?;
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, input.unit_divisor())?,
            amount_details: AmountDetails::Empty {},
        })
    }

    /// Lago's projection: the projected units at the same price.
    pub(crate) fn projected_amount(&self, projected_units: Decimal) -> Result<Decimal> {
        decimal::mul(projected_units, self.amount, "standard projected amount")
    }
}
