//! Prorated graduated charges: graduated tiers over a recurring metric whose events are prorated.
//!
//! Lago picks this model for a `graduated` charge with `prorated: true`. The full values of the events
//! (units added or removed) decide which tier each unit sits in; their prorated values (the same units
//! weighted by the share of the period they were active) decide what they cost there. An event that
//! straddles a tier boundary is split, each side keeping the event's prorated-to-full ratio.

use crate::charge::graduated::TierPrice;
use crate::charge::properties::Fields;
use crate::charge::ranges::{self, NextStart, Range, Ranges};
use crate::charge::{AmountDetails, ChargeResult, EventValue, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result, join_path};

/// A prorated graduated charge: the same `graduated_ranges` as [`super::graduated::Graduated`].
///
/// Needs every event's `value` (the full units it adds, negative when it removes) and
/// `prorated_value`, in timestamp order. The amount is the prorated units priced tier by tier, floored
/// at 0, plus the flat fee of every tier the running full total reached at its highest (0 when the full
/// total ends below zero). The unit amount divides by the sum of the events' full values. Lago shows no
/// `amount_details` for it.
///
/// ```
/// use lagom_core::charge::{ChargeModel, EventValue, Pricing, PricingInput};
/// let props = serde_json::json!({"graduated_ranges": [
///     {"from_value": 0, "to_value": 5, "per_unit_amount": "10", "flat_amount": "100"},
///     {"from_value": 6, "to_value": null, "per_unit_amount": "5", "flat_amount": "50"}
/// ]});
/// let pricing = Pricing::parse(ChargeModel::Graduated, &props, true).unwrap();
/// // One unit added 70 % into the period: 0.7 × 10 + 100 flat.
/// let events = [EventValue { prorated_value: Some("0.7".parse().unwrap()), ..EventValue::new(1.into()) }];
/// let input = PricingInput { events: &events, ..PricingInput::new("0.7".parse().unwrap()) };
/// assert_eq!(pricing.apply(&input).unwrap().amount, 107.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProratedGraduated {
    ranges: Ranges<TierPrice>,
}

/// One event's full and prorated units, and their ratio.
struct Units {
    full: Decimal,
    prorated: Decimal,
}

impl Units {
    /// The prorated share of `full_units` of this event.
    fn prorate(&self, full_units: Decimal) -> Result<Decimal> {
        let ratio = decimal::div(self.prorated, self.full, "prorated graduated coefficient")?;
        decimal::mul(full_units, ratio, "prorated graduated units")
    }
}

impl ProratedGraduated {
    pub(crate) fn parse(properties: &Fields<'_>) -> Result<Self> {
        Ok(ProratedGraduated {
            ranges: ranges::parse(
                properties,
                "graduated_ranges",
                NextStart::AtEnd,
                TierPrice::parse,
            )?,
        })
    }

    /// The tiers.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"graduated_ranges": [
    ///     {"from_value": 0, "to_value": null, "per_unit_amount": "1", "flat_amount": "0"}
    /// ]});
    /// let Pricing::ProratedGraduated(p) = Pricing::parse(ChargeModel::Graduated, &props, true).unwrap() else {
    ///     unreachable!()
    /// };
    /// assert_eq!(p.ranges().as_slice().len(), 1);
    /// ```
    pub fn ranges(&self) -> &Ranges<TierPrice> {
        &self.ranges
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let events = event_units(input.events)?;
        let amount = if input.units.is_zero() {
            self.with_flat_fees(Decimal::ZERO, Decimal::ZERO, Decimal::ZERO)?
        } else {
            self.amount(&events)?
        };
        let full_total = decimal::sum(events.iter().map(|e| e.full), "prorated graduated units")?;
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, full_total)?,
            amount_details: AmountDetails::Empty {},
        })
    }

    /// Lago's walk over the events. `full_sum` is the running full total; `prorated_sum` the prorated
    /// units gathered in the current tier; `overflow` the full units of the last event that spilled past
    /// the current tier (positive upwards, negative downwards) and still have to be placed.
    fn amount(&self, events: &[Units]) -> Result<Decimal> {
        let tiers = self.ranges.as_slice();
        let mut range = self.ranges.first();
        let (mut index, mut overflow) = (0, Decimal::ZERO);
        let (mut full_sum, mut max_full_sum, mut prorated_sum, mut amount) =
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        // Each event moves the walk up or down at most through every tier: anything longer is a cycle.
        let max_steps = events
            .len()
            .saturating_add(1)
            .saturating_mul(tiers.len().saturating_add(2));
        let mut steps = 0usize;
        while index < events.len() || !overflow.is_zero() {
            steps += 1;
            if steps > max_steps {
                return Err(Error::invalid(
                    "events",
                    "the events cannot be placed in the graduated ranges",
                ));
            }
            range = self.range_at(full_sum, overflow, events.get(index).map(|e| e.full));
            if !overflow.is_zero() {
                let spilled = previous(events, index)?;
                prorated_sum = decimal::add(
                    prorated_sum,
                    spilled.prorate(overflow)?,
                    "prorated graduated units",
                )?;
                if let Some(to) = range.to_value().filter(|&to| full_sum >= to) {
                    // The spill passes this tier too: keep its part here and carry the rest upwards.
                    overflow = decimal::sub(full_sum, to, "prorated graduated overflow")?;
                    amount = close_tier(amount, prorated_sum, spilled, overflow, range)?;
                    prorated_sum = Decimal::ZERO;
                    continue;
                }
                overflow = Decimal::ZERO;
            }
            let Some(event) = events.get(index) else {
                break;
            };
            index += 1;
            // An addition with no prorated weight (removed before the period) and a removal of such an
            // addition are left out of the tiers.
            if event.prorated.is_zero()
                && (event.full > Decimal::ZERO
                    || (event.full < Decimal::ZERO
                        && decimal::add(full_sum, event.full, "prorated graduated units")?
                            < Decimal::ZERO))
            {
                continue;
            }
            full_sum = decimal::add(full_sum, event.full, "prorated graduated units")?;
            max_full_sum = max_full_sum.max(full_sum);
            prorated_sum = decimal::add(prorated_sum, event.prorated, "prorated graduated units")?;
            if stays_in(range, full_sum) {
                continue;
            }
            overflow = overflow_of(range, full_sum)?;
            amount = close_tier(amount, prorated_sum, event, overflow, range)?;
            prorated_sum = Decimal::ZERO;
        }
        let amount = add_priced(amount, prorated_sum, range)?;
        self.with_flat_fees(amount, full_sum, max_full_sum)
    }

    /// The tier the walk is in: Lago looks at the running full total, or at where the pending overflow
    /// starts, and a total sitting exactly on a tier's end moves to the next tier when the next event
    /// adds units.
    fn range_at(
        &self,
        full_sum: Decimal,
        overflow: Decimal,
        next_full: Option<Decimal>,
    ) -> &Range<TierPrice> {
        let first = self.ranges.first();
        if full_sum <= Decimal::ZERO {
            return first;
        }
        let position = if overflow.is_zero() {
            Some(full_sum)
        } else if overflow > Decimal::ZERO {
            full_sum
                .checked_sub(overflow)
                .and_then(|d| d.checked_add(Decimal::ONE))
        } else {
            full_sum.checked_add(overflow)
        };
        let Some(position) = position else {
            return first;
        };
        let tiers = self.ranges.as_slice();
        for (i, range) in tiers.iter().enumerate() {
            if Some(position) == range.to_value() {
                let moving_up = next_full.is_some_and(|n| n > Decimal::ZERO);
                return if moving_up {
                    tiers.get(i + 1).unwrap_or(range)
                } else {
                    range
                };
            }
            if position >= range.from_value() && range.to_value().is_none_or(|to| position < to) {
                return range;
            }
        }
        first
    }

    /// Adds the flat fees of every tier up to the one holding `max_full_sum`; nothing at all when the
    /// full total ends negative, and a negative tier amount counts as 0.
    fn with_flat_fees(
        &self,
        amount: Decimal,
        full_sum: Decimal,
        max_full_sum: Decimal,
    ) -> Result<Decimal> {
        if full_sum < Decimal::ZERO {
            return Ok(Decimal::ZERO);
        }
        let mut total = amount.max(Decimal::ZERO);
        for range in self.ranges.as_slice() {
            total = decimal::add(
                total,
                range.price().flat_amount,
                "prorated graduated amount",
            )?;
            if range.to_value().is_none_or(|to| max_full_sum <= to) {
                break;
            }
        }
        Ok(total)
    }
}

/// Reads the events' full and prorated values; every event needs a `prorated_value`.
fn event_units(events: &[EventValue]) -> Result<Vec<Units>> {
    events
        .iter()
        .enumerate()
        .map(|(i, event)| match event.prorated_value {
            Some(prorated) => Ok(Units {
                full: event.value,
                prorated,
            }),
            None => Err(Error::invalid(
                join_path(&format!("events[{i}]"), "prorated_value"),
                "is required for a prorated graduated charge",
            )),
        })
        .collect()
}

/// The event before `index`: the one whose overflow is being placed.
fn previous(events: &[Units], index: usize) -> Result<&Units> {
    index
        .checked_sub(1)
        .and_then(|i| events.get(i))
        .ok_or_else(|| Error::invalid("events", "an overflow has no event"))
}

/// Whether the running full total is still inside `range` (Lago's "no overflow to compute" test).
fn stays_in(range: &Range<TierPrice>, full_sum: Decimal) -> bool {
    let from = range.from_value();
    match range.to_value() {
        None => from
            .checked_sub(Decimal::ONE)
            .is_some_and(|start| full_sum >= start),
        Some(to) => full_sum < to && full_sum >= from,
    }
}

/// How many full units of the last event fall outside `range`.
fn overflow_of(range: &Range<TierPrice>, full_sum: Decimal) -> Result<Decimal> {
    const WHAT: &str = "prorated graduated overflow";
    match range.to_value() {
        Some(to) if full_sum >= to => decimal::sub(full_sum, to, WHAT),
        _ => decimal::add(
            decimal::sub(full_sum, range.from_value(), WHAT)?,
            Decimal::ONE,
            WHAT,
        ),
    }
}

/// Ends the walk's stay in `range`: the prorated units gathered there, minus the prorated share of the
/// `overflow` full units of `event` that belong elsewhere, are priced at the tier's unit price.
fn close_tier(
    amount: Decimal,
    prorated_sum: Decimal,
    event: &Units,
    overflow: Decimal,
    range: &Range<TierPrice>,
) -> Result<Decimal> {
    let kept = decimal::sub(
        prorated_sum,
        event.prorate(overflow)?,
        "prorated graduated units",
    )?;
    add_priced(amount, kept, range)
}

/// `amount + prorated_units × the tier's unit price`.
fn add_priced(
    amount: Decimal,
    prorated_units: Decimal,
    range: &Range<TierPrice>,
) -> Result<Decimal> {
    let priced = decimal::mul(
        prorated_units,
        range.price().per_unit_amount,
        "prorated graduated amount",
    )?;
    decimal::add(amount, priced, "prorated graduated amount")
}
