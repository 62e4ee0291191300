//! The `graduated_percentage` charge model: each tier takes a percentage of the units inside it, plus
//! its flat fee.

use serde::Serialize;

use crate::charge::properties::Fields;
use crate::charge::ranges::{self, NextStart, Range, Ranges, TierDetails};
use crate::charge::{AmountDetails, ChargeResult, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::Result;

/// The prices of one tier: `rate` (a percentage: `"1"` is 1 %) and `flat_amount`, both required, ≥ 0.
///
/// ```
/// let price = lagom_core::charge::graduated_percentage::TierRate { rate: 2.into(), flat_amount: 0.into() };
/// assert_eq!(price.rate, 2.into());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierRate {
    pub rate: Decimal,
    pub flat_amount: Decimal,
}

impl TierRate {
    fn parse(range: &Fields<'_>) -> Result<Self> {
        Ok(TierRate {
            rate: range.amount("rate")?,
            flat_amount: range.amount("flat_amount")?,
        })
    }
}

/// `properties: {"graduated_percentage_ranges": [{"from_value", "to_value", "rate", "flat_amount"}, …]}`.
///
/// Tiers are walked like graduated tiers (stop after the first tier reaching the units), but Lago counts
/// the units of a tier its own way: a full tier holds `to_value - from_value + 1` units (`to_value` when
/// it starts at 0), the partly filled tier `units - from_value + 1` (`units` when it starts at 0), and
/// there is no "adjacent" layout. Each tier costs `units × rate / 100 + flat_amount`.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"graduated_percentage_ranges": [
///     {"from_value": 0, "to_value": 10, "rate": "1", "flat_amount": "200"},
///     {"from_value": 11, "to_value": null, "rate": "2", "flat_amount": "300"}
/// ]});
/// let pricing = Pricing::parse(ChargeModel::GraduatedPercentage, &props, false).unwrap();
/// // 10 × 1 % + 200, then 1 × 2 % + 300
/// assert_eq!(lagom_core::decimal::to_text(pricing.apply(&PricingInput::new(11.into())).unwrap().amount), "500.12");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraduatedPercentage {
    ranges: Ranges<TierRate>,
}

/// The price column of a graduated percentage tier in `amount_details`: its rate.
///
/// ```
/// let column = lagom_core::charge::graduated_percentage::Rate { rate: "1.5".parse().unwrap() };
/// assert_eq!(serde_json::to_value(column).unwrap(), serde_json::json!({"rate": "1.5"}));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Rate {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub rate: Decimal,
}

/// One reached tier in `amount_details.graduated_percentage_ranges`.
pub type RangeDetails = TierDetails<Rate>;

impl GraduatedPercentage {
    pub(crate) fn parse(properties: &Fields<'_>) -> Result<Self> {
        let ranges = ranges::parse(
            properties,
            "graduated_percentage_ranges",
            NextStart::AtEnd,
            TierRate::parse,
        )?;
        Ok(GraduatedPercentage { ranges })
    }

    /// The tiers.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"graduated_percentage_ranges": [
    ///     {"from_value": 0, "to_value": null, "rate": "1", "flat_amount": "0"}
    /// ]});
    /// let Pricing::GraduatedPercentage(g) = Pricing::parse(ChargeModel::GraduatedPercentage, &props, false).unwrap()
    /// else {
    ///     unreachable!()
    /// };
    /// assert_eq!(g.ranges().as_slice()[0].price().rate, 1.into());
    /// ```
    pub fn ranges(&self) -> &Ranges<TierRate> {
        &self.ranges
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let (details, amount) =
            ranges::walk(&self.ranges, input.units, |range| tier(range, input.units))?;
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, input.unit_divisor())?,
            amount_details: AmountDetails::GraduatedPercentage {
                graduated_percentage_ranges: details,
            },
        })
    }
}

fn tier(range: &Range<TierRate>, units: Decimal) -> Result<RangeDetails> {
    const WHAT: &str = "graduated percentage tier units";
    let from = range.from_value();
    let tier_units = match range.to_value() {
        Some(to) if units >= to => {
            let start = if from.is_zero() { Decimal::ONE } else { from };
            decimal::add(decimal::sub(to, start, WHAT)?, Decimal::ONE, WHAT)?
        }
        _ if from.is_zero() => units,
        _ => decimal::add(decimal::sub(units, from, WHAT)?, Decimal::ONE, WHAT)?,
    };
    let price = range.price();
    let per_unit_total_amount = decimal::div(
        decimal::mul(tier_units, price.rate, "graduated percentage tier amount")?,
        Decimal::ONE_HUNDRED,
        "graduated percentage tier amount",
    )?;
    TierDetails::new(
        range,
        price.flat_amount,
        Rate { rate: price.rate },
        tier_units,
        per_unit_total_amount,
    )
}
