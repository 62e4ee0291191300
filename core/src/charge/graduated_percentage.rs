//! The `graduated_percentage` charge model: each tier takes a percentage of the units inside it, plus
//! its flat fee.

use serde::Serialize;

use crate::charge::properties::Fields;
use crate::charge::ranges::{self, NextStart, Range, Ranges};
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

/// One reached tier in `amount_details.graduated_percentage_ranges`.
///
/// ```
/// use lagom_core::charge::{AmountDetails, ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"graduated_percentage_ranges": [
///     {"from_value": 0, "to_value": null, "rate": "10", "flat_amount": "1"}
/// ]});
/// let result = Pricing::parse(ChargeModel::GraduatedPercentage, &props, false).unwrap()
///     .apply(&PricingInput::new(30.into())).unwrap();
/// let AmountDetails::GraduatedPercentage { graduated_percentage_ranges } = result.amount_details else {
///     unreachable!()
/// };
/// assert_eq!(graduated_percentage_ranges[0].total_with_flat_amount, 4.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RangeDetails {
    #[serde(serialize_with = "ranges::serialize_bound")]
    pub from_value: Decimal,
    #[serde(serialize_with = "ranges::serialize_optional_bound")]
    pub to_value: Option<Decimal>,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub flat_unit_amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub rate: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub units: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_unit_total_amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub total_with_flat_amount: Decimal,
}

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
        let units = input.units;
        let details = self
            .ranges
            .reached(units)
            .map(|range| tier(range, units))
            .collect::<Result<Vec<_>>>()?;
        let amount = decimal::sum(
            details.iter().map(|d| d.total_with_flat_amount),
            "graduated percentage amount",
        )?;
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
    Ok(RangeDetails {
        from_value: from,
        to_value: range.to_value(),
        flat_unit_amount: price.flat_amount,
        rate: price.rate,
        units: tier_units,
        per_unit_total_amount,
        total_with_flat_amount: decimal::add(
            per_unit_total_amount,
            price.flat_amount,
            "graduated percentage tier amount",
        )?,
    })
}
