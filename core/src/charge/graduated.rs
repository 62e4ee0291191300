//! The `graduated` charge model: each tier prices the units that fall inside it, plus its flat fee.

use serde::Serialize;

use crate::charge::properties::Fields;
use crate::charge::ranges::{self, NextStart, Range, Ranges, TierDetails};
use crate::charge::{AmountDetails, ChargeResult, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::Result;

/// The prices of one graduated tier: `per_unit_amount` and `flat_amount`, both required and ≥ 0.
///
/// ```
/// let price = lagom_core::charge::graduated::TierPrice { per_unit_amount: 1.into(), flat_amount: 0.into() };
/// assert_eq!(price.per_unit_amount, 1.into());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierPrice {
    pub per_unit_amount: Decimal,
    pub flat_amount: Decimal,
}

impl TierPrice {
    pub(crate) fn parse(range: &Fields<'_>) -> Result<Self> {
        Ok(TierPrice {
            per_unit_amount: range.amount("per_unit_amount")?,
            flat_amount: range.amount("flat_amount")?,
        })
    }
}

/// `properties: {"graduated_ranges": [{"from_value", "to_value", "per_unit_amount", "flat_amount"}, …]}`.
///
/// Lago walks the tiers in order and stops after the first tier whose `to_value` reaches the units (or
/// the last tier). A tier starting at 0 holds `min(units, to_value)` units; a later tier holds
/// `min(units, to_value) - from_value + 1`, because Lago's tiers are usually written `0–10, 11–20`.
/// When every tier starts exactly where the previous one ends (`0–0.1, 0.1–1, 1–∞`, the "adjacent"
/// layout) the `+ 1` is dropped. Every reached tier adds its flat fee, even with 0 units in it.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"graduated_ranges": [
///     {"from_value": 0, "to_value": 10, "per_unit_amount": "10", "flat_amount": "2"},
///     {"from_value": 11, "to_value": null, "per_unit_amount": "5", "flat_amount": "3"}
/// ]});
/// let pricing = Pricing::parse(ChargeModel::Graduated, &props, false).unwrap();
/// // 10 × 10 + 2, then (12 - 11 + 1) × 5 + 3
/// assert_eq!(pricing.apply(&PricingInput::new(12.into())).unwrap().amount, 115.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graduated {
    ranges: Ranges<TierPrice>,
    adjacent: bool,
}

/// The price column of a graduated tier in `amount_details`: its unit price, shown as 0 when no unit
/// falls in the tier.
///
/// ```
/// let column = lagom_core::charge::graduated::UnitPrice { per_unit_amount: 2.into() };
/// assert_eq!(serde_json::to_value(column).unwrap(), serde_json::json!({"per_unit_amount": "2"}));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct UnitPrice {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_unit_amount: Decimal,
}

/// One reached tier in `amount_details.graduated_ranges`.
pub type RangeDetails = TierDetails<UnitPrice>;

impl Graduated {
    pub(crate) fn parse(properties: &Fields<'_>) -> Result<Self> {
        let ranges = ranges::parse(
            properties,
            "graduated_ranges",
            NextStart::AtEnd,
            TierPrice::parse,
        )?;
        let tiers = ranges.as_slice();
        let adjacent = tiers.len() >= 2
            && tiers.windows(2).all(|pair| match pair {
                [previous, next] => Some(next.from_value()) == previous.to_value(),
                _ => false,
            });
        Ok(Graduated { ranges, adjacent })
    }

    /// The tiers.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"graduated_ranges": [
    ///     {"from_value": 0, "to_value": null, "per_unit_amount": "2", "flat_amount": "1"}
    /// ]});
    /// let Pricing::Graduated(g) = Pricing::parse(ChargeModel::Graduated, &props, false).unwrap() else {
    ///     unreachable!()
    /// };
    /// assert_eq!(g.ranges().as_slice().len(), 1);
    /// ```
    pub fn ranges(&self) -> &Ranges<TierPrice> {
        &self.ranges
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let (details, amount) = ranges::walk(&self.ranges, input.units, |range| {
            self.tier(range, input.units)
        })?;
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, input.unit_divisor())?,
            amount_details: AmountDetails::Graduated {
                graduated_ranges: details,
            },
        })
    }

    /// Lago's projection fills the tiers by capacity (`to_value` minus the units already placed, no
    /// `+ 1`), adding the flat fee of each tier that receives units; nothing without projected units.
    pub(crate) fn projected_amount(&self, projected_units: Decimal) -> Result<Decimal> {
        const WHAT: &str = "graduated projected amount";
        let (mut remaining, mut placed, mut total) =
            (projected_units, Decimal::ZERO, Decimal::ZERO);
        for range in self.ranges.as_slice() {
            if remaining <= Decimal::ZERO {
                break;
            }
            let in_tier = match range.to_value() {
                Some(to) => remaining.min(decimal::sub(to, placed, WHAT)?),
                None => remaining,
            };
            if in_tier > Decimal::ZERO {
                let price = range.price();
                let tier_amount = decimal::mul(in_tier, price.per_unit_amount, WHAT)?;
                total = decimal::add(
                    total,
                    decimal::add(tier_amount, price.flat_amount, WHAT)?,
                    WHAT,
                )?;
                remaining = decimal::sub(remaining, in_tier, WHAT)?;
                placed = decimal::add(placed, in_tier, WHAT)?;
            }
        }
        Ok(total)
    }

    fn tier(&self, range: &Range<TierPrice>, units: Decimal) -> Result<RangeDetails> {
        let reached = range.to_value().filter(|&to| units >= to).unwrap_or(units);
        let from = range.from_value();
        let tier_units = if from.is_zero() {
            reached
        } else if self.adjacent {
            decimal::sub(reached, from, "graduated tier units")?
        } else {
            decimal::add(
                decimal::sub(reached, from, "graduated tier units")?,
                Decimal::ONE,
                "graduated tier units",
            )?
        };
        let price = range.price();
        let per_unit_amount = if tier_units.is_zero() {
            Decimal::ZERO
        } else {
            price.per_unit_amount
        };
        let per_unit_total_amount =
            decimal::mul(tier_units, per_unit_amount, "graduated tier amount")?;
        TierDetails::new(
            range,
            price.flat_amount,
            UnitPrice { per_unit_amount },
            tier_units,
            per_unit_total_amount,
        )
    }
}
