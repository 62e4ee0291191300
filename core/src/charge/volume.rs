//! The `volume` charge model: the tier the total falls in prices every unit.

use serde::Serialize;

use crate::charge::graduated::TierPrice;
use crate::charge::properties::Fields;
use crate::charge::ranges::{self, NextStart, Range, Ranges};
use crate::charge::{AmountDetails, ChargeResult, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

/// `properties: {"volume_ranges": [{"from_value", "to_value", "per_unit_amount", "flat_amount"}, …]}`.
///
/// The matching tier is the first whose `from_value ≤ ceil(units)` and `units ≤ to_value`, so 100.5
/// units fall in a `101–200` tier, not in `0–100`. Amount = units × its `per_unit_amount` + its
/// `flat_amount`. A prorated volume charge picks the tier (and divides the unit amount) with the full,
/// unprorated units while pricing the prorated ones.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"volume_ranges": [
///     {"from_value": 0, "to_value": 100, "per_unit_amount": "2", "flat_amount": "10"},
///     {"from_value": 101, "to_value": null, "per_unit_amount": "1", "flat_amount": "0"}
/// ]});
/// let pricing = Pricing::parse(ChargeModel::Volume, &props, false).unwrap();
/// assert_eq!(pricing.apply(&PricingInput::new(100.into())).unwrap().amount, 210.into());
/// assert_eq!(pricing.apply(&PricingInput::new(101.into())).unwrap().amount, 101.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    ranges: Ranges<TierPrice>,
    prorated: bool,
}

/// `amount_details` of a volume charge.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"volume_ranges": [
///     {"from_value": 0, "to_value": null, "per_unit_amount": "0.5", "flat_amount": "50"}
/// ]});
/// let result = Pricing::parse(ChargeModel::Volume, &props, false).unwrap()
///     .apply(&PricingInput::new(300.into())).unwrap();
/// assert_eq!(
///     serde_json::to_value(&result.amount_details).unwrap(),
///     serde_json::json!({"flat_unit_amount": "50", "per_unit_amount": "0.5", "per_unit_total_amount": "150"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "VolumeDetails", missing_as_null)
)]
pub struct Details {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub flat_unit_amount: Decimal,
    /// `per_unit_total_amount` divided by the units the tier was picked with (0 without units).
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_unit_amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_unit_total_amount: Decimal,
}

impl Volume {
    pub(crate) fn parse(properties: &Fields<'_>, prorated: bool) -> Result<Self> {
        let ranges = ranges::parse(
            properties,
            "volume_ranges",
            NextStart::AfterEnd,
            TierPrice::parse,
        )?;
        Ok(Volume { ranges, prorated })
    }

    /// The tiers.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"volume_ranges": [
    ///     {"from_value": 0, "to_value": null, "per_unit_amount": "1", "flat_amount": "0"}
    /// ]});
    /// let Pricing::Volume(v) = Pricing::parse(ChargeModel::Volume, &props, false).unwrap() else {
    ///     unreachable!()
    /// };
    /// assert_eq!(v.ranges().as_slice().len(), 1);
    /// ```
    pub fn ranges(&self) -> &Ranges<TierPrice> {
        &self.ranges
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let tier_units = match input.full_units {
            Some(full) if self.prorated => full,
            _ => input.units,
        };
        let price = self.matching_range(tier_units)?.price();
        let per_unit_total_amount =
            decimal::mul(input.units, price.per_unit_amount, "volume amount")?;
        let amount = decimal::add(per_unit_total_amount, price.flat_amount, "volume amount")?;
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, tier_units)?,
            amount_details: AmountDetails::Volume(Details {
                flat_unit_amount: price.flat_amount,
                per_unit_amount: unit_amount(per_unit_total_amount, tier_units)?,
                per_unit_total_amount,
            }),
        })
    }

    /// Lago's projection: the projected units priced in the tier that holds them (0 when none does or
    /// there are no projected units).
    pub(crate) fn projected_amount(&self, projected_units: Decimal) -> Result<Decimal> {
        if projected_units.is_zero() {
            return Ok(Decimal::ZERO);
        }
        let Some(range) = self.find_range(projected_units) else {
            return Ok(Decimal::ZERO);
        };
        let price = range.price();
        let amount = decimal::mul(
            projected_units,
            price.per_unit_amount,
            "volume projected amount",
        )?;
        decimal::add(amount, price.flat_amount, "volume projected amount")
    }

    /// The first tier with `from_value ≤ ceil(units)` and `units ≤ to_value`.
    fn find_range(&self, units: Decimal) -> Option<&Range<TierPrice>> {
        let rounded_up = units.ceil();
        self.ranges.as_slice().iter().find(|range| {
            range.from_value() <= rounded_up && range.to_value().is_none_or(|to| units <= to)
        })
    }

    fn matching_range(&self, units: Decimal) -> Result<&Range<TierPrice>> {
        self.find_range(units).ok_or_else(|| {
            Error::invalid(
                "units",
                format!("no volume range holds {} units", decimal::to_text(units)),
            )
        })
    }
}
