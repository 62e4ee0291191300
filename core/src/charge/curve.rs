//! Price curves: what a charge costs across a range of units, for charts and pricing pages.
//!
//! A curve is the charge model applied to evenly spaced unit counts, each priced on its own as
//! [`super::Pricing::apply`] prices an aggregation (no events, no proration). It owns the spacing
//! and the range's checks; the prices are the charge models'.

use serde::Serialize;

use crate::charge::{ChargeModel, Pricing, PricingInput};
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

/// The most intervals a curve may have.
pub const MAX_STEPS: u32 = 10_000;

/// One point of a curve: the units and what they cost, unrounded (decimal strings in JSON).
///
/// ```
/// use lagom_core::charge::PricePoint;
/// let point = PricePoint { units: 4.into(), amount: 2.into(), unit_amount: "0.5".parse().unwrap() };
/// assert_eq!(
///     serde_json::to_value(&point).unwrap(),
///     serde_json::json!({"units": "4", "amount": "2", "unit_amount": "0.5"})
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PricePoint {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub units: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub unit_amount: Decimal,
}

/// Prices `steps + 1` unit counts evenly spaced from `from` to `to` (both included) with the charge
/// model named `model` and its `properties`: point `k` has `from + (to − from) × k / steps` units,
/// divided exactly in decimals (to 28 significant digits when the step does not divide evenly).
///
/// Fails at `charge_model` for an unknown model, at `properties.…` for bad prices, at `from`/`to`
/// unless `0 ≤ from ≤ to`, at `steps` unless `1 ≤ steps ≤ 10 000`. A `custom` charge fails: it has no
/// price without its plugin.
///
/// ```
/// use lagom_core::{charge::price_curve, decimal::to_text};
/// use serde_json::json;
/// // Standard at 0.50 per unit, 0 to 10 units in 4 steps: 0, 2.5, 5, 7.5, 10 units.
/// let curve = price_curve("standard", &json!({"amount": "0.5"}), 0.into(), 10.into(), 4).unwrap();
/// let amounts: Vec<String> = curve.iter().map(|p| to_text(p.amount)).collect();
/// assert_eq!(amounts, ["0", "1.25", "2.5", "3.75", "5"]);
/// assert_eq!(curve[0].unit_amount, 0.into()); // no units: Lago's unit amount is 0
///
/// let err = price_curve("tiered", &json!({}), 0.into(), 1.into(), 1).unwrap_err();
/// assert_eq!(err.path(), Some("charge_model"));
/// ```
pub fn price_curve(
    model: &str,
    properties: &serde_json::Value,
    from: Decimal,
    to: Decimal,
    steps: u32,
) -> Result<Vec<PricePoint>> {
    let model: ChargeModel = serde_json::from_value(serde_json::Value::from(model))
        .map_err(|e| Error::from_serde("charge_model", &e.to_string()))?;
    check_range(from, to, steps)?;
    let pricing = Pricing::parse(model, properties, false)?;
    let width = decimal::sub(to, from, "units range")?;
    let divisor = Decimal::from(steps);
    (0..=steps)
        .map(|k| {
            let offset = decimal::mul(width, Decimal::from(k), "units")?;
            let units = decimal::add(from, decimal::div(offset, divisor, "units")?, "units")?;
            let result = pricing.apply(&PricingInput::new(units))?;
            Ok(PricePoint {
                units,
                amount: result.amount,
                unit_amount: result.unit_amount,
            })
        })
        .collect()
}

fn check_range(from: Decimal, to: Decimal, steps: u32) -> Result<()> {
    if from < Decimal::ZERO {
        let reason = format!("must not be negative (got {})", decimal::to_text(from));
        return Err(Error::invalid("from", reason));
    }
    if to < from {
        let reason = format!(
            "must not be less than from (got {} < {})",
            decimal::to_text(to),
            decimal::to_text(from)
        );
        return Err(Error::invalid("to", reason));
    }
    if !(1..=MAX_STEPS).contains(&steps) {
        let reason = format!("must be between 1 and {MAX_STEPS} (got {steps})");
        return Err(Error::invalid("steps", reason));
    }
    Ok(())
}
