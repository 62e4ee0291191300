//! Tiers (`graduated_ranges`, `graduated_percentage_ranges`, `volume_ranges`): ordered, contiguous and
//! closed by construction.
//!
//! Lago's range validator walks the ranges in order with an expected start: 0 for the first range, then
//! the previous range's `to_value` (graduated models) or `to_value + 1` (volume). A range must start at
//! that value or one above it, every range but the last must end above its start, and the last range has
//! no end (`to_value: null`). [`Ranges`] can only be built through those checks, so pricing code never
//! sees a gap, an overlap or an open middle range. What a unit costs inside a range is the model's own
//! business: it is the `P` of [`Range<P>`].

use serde::{Serialize, Serializer};

use crate::charge::properties::Fields;
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

/// One tier: `[from_value, to_value]` (`to_value` is `None` on the last tier) and its prices.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing};
/// let props = serde_json::json!({"graduated_ranges": [
///     {"from_value": 0, "to_value": 10, "per_unit_amount": "1", "flat_amount": "0"},
///     {"from_value": 11, "to_value": null, "per_unit_amount": "0.5", "flat_amount": "2"}
/// ]});
/// let Pricing::Graduated(graduated) = Pricing::parse(ChargeModel::Graduated, &props, false).unwrap() else {
///     unreachable!()
/// };
/// let last = graduated.ranges().as_slice().last().unwrap();
/// assert_eq!(last.from_value(), 11.into());
/// assert_eq!(last.to_value(), None);
/// assert_eq!(last.price().flat_amount, 2.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range<P> {
    from_value: Decimal,
    to_value: Option<Decimal>,
    price: P,
}

impl<P> Range<P> {
    /// Where the tier starts.
    pub fn from_value(&self) -> Decimal {
        self.from_value
    }

    /// Where the tier ends, `None` on the last tier.
    pub fn to_value(&self) -> Option<Decimal> {
        self.to_value
    }

    /// The tier's prices.
    pub fn price(&self) -> &P {
        &self.price
    }
}

/// A non-empty list of tiers that passed Lago's bound rules (see the module documentation).
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing};
/// let gap = serde_json::json!({"volume_ranges": [
///     {"from_value": 0, "to_value": 10, "per_unit_amount": "1", "flat_amount": "0"},
///     {"from_value": 15, "to_value": null, "per_unit_amount": "1", "flat_amount": "0"}
/// ]});
/// let err = Pricing::parse(ChargeModel::Volume, &gap, false).unwrap_err();
/// assert_eq!(err.path(), Some("properties.volume_ranges[1].from_value"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranges<P>(Vec<Range<P>>);

impl<P> Ranges<P> {
    /// The tiers, in order.
    pub fn as_slice(&self) -> &[Range<P>] {
        &self.0
    }

    /// The first tier (there always is one).
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"volume_ranges": [
    ///     {"from_value": 1, "to_value": null, "per_unit_amount": "1", "flat_amount": "0"}
    /// ]});
    /// let Pricing::Volume(v) = Pricing::parse(ChargeModel::Volume, &props, false).unwrap() else {
    ///     unreachable!()
    /// };
    /// assert_eq!(v.ranges().first().from_value(), 1.into());
    /// ```
    pub fn first(&self) -> &Range<P> {
        // `parse` refuses an empty list, and nothing else builds a `Ranges`.
        &self.0[0]
    }

    /// The tiers a graduated walk over `units` reaches: every tier up to and including the first one
    /// whose `to_value` is at least `units` (or the last tier). Lago prices and details exactly these.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"graduated_ranges": [
    ///     {"from_value": 0, "to_value": 10, "per_unit_amount": "1", "flat_amount": "0"},
    ///     {"from_value": 11, "to_value": 20, "per_unit_amount": "1", "flat_amount": "0"},
    ///     {"from_value": 21, "to_value": null, "per_unit_amount": "1", "flat_amount": "0"}
    /// ]});
    /// let Pricing::Graduated(g) = Pricing::parse(ChargeModel::Graduated, &props, false).unwrap() else {
    ///     unreachable!()
    /// };
    /// assert_eq!(g.ranges().reached(10.into()).count(), 1);
    /// assert_eq!(g.ranges().reached(11.into()).count(), 2);
    /// assert_eq!(g.ranges().reached(500.into()).count(), 3);
    /// ```
    pub fn reached(&self, units: Decimal) -> impl Iterator<Item = &Range<P>> {
        let mut done = false;
        self.0.iter().take_while(move |range| {
            let take = !done;
            done = range.to_value.is_none_or(|to| to >= units);
            take
        })
    }
}

/// One tier reached by a graduated walk, as `amount_details` shows it: the bounds, the flat fee, the
/// units in the tier and what they cost, with the model's own price column `C` (`per_unit_amount` for
/// graduated, `rate` for graduated percentage) flattened in.
///
/// ```
/// use lagom_core::charge::{AmountDetails, ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"graduated_ranges": [
///     {"from_value": 0, "to_value": null, "per_unit_amount": "2", "flat_amount": "1"}
/// ]});
/// let result = Pricing::parse(ChargeModel::Graduated, &props, false).unwrap()
///     .apply(&PricingInput::new(3.into())).unwrap();
/// let AmountDetails::Graduated { graduated_ranges } = &result.amount_details else { unreachable!() };
/// assert_eq!(graduated_ranges[0].total_with_flat_amount, 7.into());
/// assert_eq!(
///     serde_json::to_value(&result.amount_details).unwrap()["graduated_ranges"][0],
///     serde_json::json!({"from_value": 0, "to_value": null, "flat_unit_amount": "1", "per_unit_amount": "2",
///                        "units": "3", "per_unit_total_amount": "6", "total_with_flat_amount": "7"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct TierDetails<C> {
    #[serde(serialize_with = "serialize_bound")]
    #[cfg_attr(feature = "typescript", tsify(type = "number | Decimal"))]
    pub from_value: Decimal,
    #[serde(serialize_with = "serialize_optional_bound")]
    #[cfg_attr(feature = "typescript", tsify(type = "number | Decimal | null"))]
    pub to_value: Option<Decimal>,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub flat_unit_amount: Decimal,
    #[serde(flatten)]
    #[cfg_attr(feature = "typescript", tsify(type = "C"))]
    pub price: C,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub units: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_unit_total_amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub total_with_flat_amount: Decimal,
}

impl<C> TierDetails<C> {
    /// Details `units` of `range` costing `per_unit_total_amount`, plus the flat fee.
    pub(crate) fn new<P>(
        range: &Range<P>,
        flat_amount: Decimal,
        price: C,
        units: Decimal,
        per_unit_total_amount: Decimal,
    ) -> Result<Self> {
        Ok(TierDetails {
            from_value: range.from_value,
            to_value: range.to_value,
            flat_unit_amount: flat_amount,
            price,
            units,
            per_unit_total_amount,
            total_with_flat_amount: decimal::add(
                per_unit_total_amount,
                flat_amount,
                "tier amount",
            )?,
        })
    }
}

/// Lago's graduated walk: details every tier [`Ranges::reached`] by `units` with `tier`, and sums their
/// `total_with_flat_amount` into the amount.
pub(crate) fn walk<P, C>(
    ranges: &Ranges<P>,
    units: Decimal,
    tier: impl Fn(&Range<P>) -> Result<TierDetails<C>>,
) -> Result<(Vec<TierDetails<C>>, Decimal)> {
    let details = ranges
        .reached(units)
        .map(tier)
        .collect::<Result<Vec<_>>>()?;
    let amount = decimal::sum(
        details.iter().map(|d| d.total_with_flat_amount),
        "graduated amount",
    )?;
    Ok((details, amount))
}

/// Where Lago expects the range after one ending at `to_value` to start.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NextStart {
    /// At `to_value` (or one above): graduated and graduated percentage ranges.
    AtEnd,
    /// At `to_value + 1` (or one above): volume ranges.
    AfterEnd,
}

/// Parses the array `properties[key]` into ranges, reading each range's prices with `price`.
pub(crate) fn parse<P>(
    properties: &Fields<'_>,
    key: &str,
    next_start: NextStart,
    price: impl Fn(&Fields<'_>) -> Result<P>,
) -> Result<Ranges<P>> {
    let items = properties.objects(key)?;
    let last = items.len().saturating_sub(1);
    let mut ranges: Vec<Range<P>> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let expected = match ranges.last() {
            None => Decimal::ZERO,
            Some(previous) => {
                let end = previous.to_value.unwrap_or(Decimal::ZERO);
                match next_start {
                    NextStart::AtEnd => end,
                    NextStart::AfterEnd => decimal::add(end, Decimal::ONE, "range start")?,
                }
            }
        };
        let from_value = item
            .optional_decimal("from_value")?
            .ok_or_else(|| Error::invalid(item.path("from_value"), "is required"))?;
        let one_above = decimal::add(expected, Decimal::ONE, "range start")?;
        if from_value != expected && from_value != one_above {
            let (e, a, got) = (
                decimal::to_text(expected),
                decimal::to_text(one_above),
                decimal::to_text(from_value),
            );
            let reason = if index == 0 {
                format!("must be 0 or 1 on the first range (got {got})")
            } else {
                format!("must be {e} or {a}, following the previous range (got {got})")
            };
            return Err(Error::invalid(item.path("from_value"), reason));
        }
        let to_value = item.optional_decimal("to_value")?;
        match to_value {
            Some(to) if index == last => {
                let reason = format!(
                    "must be null on the last range (got {})",
                    decimal::to_text(to)
                );
                return Err(Error::invalid(item.path("to_value"), reason));
            }
            Some(to) if to <= from_value => {
                let reason = format!(
                    "must be greater than from_value (got {} <= {})",
                    decimal::to_text(to),
                    decimal::to_text(from_value)
                );
                return Err(Error::invalid(item.path("to_value"), reason));
            }
            None if index != last => {
                return Err(Error::invalid(
                    item.path("to_value"),
                    "is required on every range but the last",
                ));
            }
            _ => {}
        }
        ranges.push(Range {
            from_value,
            to_value,
            price: price(item)?,
        });
    }
    Ok(Ranges(ranges))
}

/// Writes a range bound as Lago documents it, a JSON integer, when it is whole; a fractional bound
/// (Lago accepts `0.1`) is written as its exact decimal string rather than as a float.
pub(crate) fn serialize_bound<S: Serializer>(
    bound: &Decimal,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use rust_decimal::prelude::ToPrimitive;
    match bound.fract().is_zero().then(|| bound.to_i64()).flatten() {
        Some(whole) => serializer.serialize_i64(whole),
        None => serializer.serialize_str(&decimal::to_text(*bound)),
    }
}

/// [`serialize_bound`] for the open end of the last range (`null`).
pub(crate) fn serialize_optional_bound<S: Serializer>(
    bound: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match bound {
        Some(bound) => serialize_bound(bound, serializer),
        None => serializer.serialize_none(),
    }
}
