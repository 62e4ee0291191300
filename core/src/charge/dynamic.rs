//! The `dynamic` charge model: the events carry their own price.

use crate::charge::{AmountDetails, ChargeResult, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::Result;

/// A dynamic charge has no properties: each event's `precise_total_amount_cents` is its price.
///
/// Amount = the sum of the events' `precise_total_amount_cents` (events without one add nothing) divided
/// by the currency's `subunit_to_unit`; 0 when there are no units, whatever the events say.
///
/// ```
/// use lagom_core::charge::{ChargeModel, EventValue, Pricing, PricingInput};
/// let pricing = Pricing::parse(ChargeModel::Dynamic, &serde_json::json!({}), false).unwrap();
/// let events = [EventValue { precise_total_amount_cents: Some("40.2".parse().unwrap()), ..EventValue::new(20.into()) }];
/// let result = pricing.apply(&PricingInput { events: &events, ..PricingInput::new(20.into()) }).unwrap();
/// assert_eq!(lagom_core::decimal::to_text(result.amount), "0.402");
/// assert_eq!(lagom_core::decimal::to_text(result.unit_amount), "0.0201");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dynamic;

impl Dynamic {
    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let amount = if input.unit_divisor().is_zero() {
            Decimal::ZERO
        } else {
            let cents = decimal::sum(
                input
                    .events
                    .iter()
                    .filter_map(|e| e.precise_total_amount_cents),
                "dynamic amount",
            )?;
            decimal::div(cents, input.subunit_to_unit, "dynamic amount")?
        };
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, input.unit_divisor())?,
            amount_details: AmountDetails::Empty {},
        })
    }
}
