//! The `percentage` charge model: a rate on the units (transaction volumes), a fixed fee per paid event,
//! free units, and optional minimum and maximum amounts per transaction.

use serde::Serialize;

use crate::charge::properties::Fields;
use crate::charge::{AmountDetails, ChargeResult, EventValue, PricingInput, unit_amount};
use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

/// `properties: {"rate", "fixed_amount"?, "free_units_per_events"?, "free_units_per_total_aggregation"?,
/// "per_transaction_min_amount"?, "per_transaction_max_amount"?}`.
///
/// `rate` is a percentage (`"1.3"` takes 1.3 %), required and ≥ 0 (Lago sets no upper bound).
/// `fixed_amount` is charged per paid event. The first `free_units_per_events` events (an integer ≥ 1),
/// or the events until their running total passes `free_units_per_total_aggregation`, are free; with
/// both, the smaller allowance wins. With a per-transaction minimum or maximum (Lago's premium
/// feature, always on here) the amount is computed event by event instead, and
/// `min_max_adjustment_total_amount` shows the difference.
///
/// The events are the input's `events`, in timestamp order: their number is Lago's event count (for
/// fixed fees and free events) and their values feed the running total and the per-transaction
/// amounts, while the rate applies to `units`.
///
/// ```
/// use lagom_core::charge::{ChargeModel, EventValue, Pricing, PricingInput};
/// let props = serde_json::json!({"rate": "2.99", "per_transaction_min_amount": "1.75",
///                                "per_transaction_max_amount": "12"});
/// let pricing = Pricing::parse(ChargeModel::Percentage, &props, false).unwrap();
/// let events: Vec<EventValue> = [10, 80, 10_000].map(|v| EventValue::new(v.into())).into();
/// let input = PricingInput { events: &events, ..PricingInput::new(10_090.into()) };
/// // 10 × 2.99 % = 0.299 → min 1.75; 80 × 2.99 % = 2.392; 10 000 × 2.99 % = 299 → max 12
/// assert_eq!(lagom_core::decimal::to_text(pricing.apply(&input).unwrap().amount), "16.142");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Percentage {
    rate: Decimal,
    fixed_amount: Decimal,
    free_units_per_events: u64,
    free_units_per_total_aggregation: Decimal,
    per_transaction_min_amount: Option<Decimal>,
    per_transaction_max_amount: Option<Decimal>,
}

/// `amount_details` of a percentage charge.
///
/// ```
/// use lagom_core::charge::{AmountDetails, ChargeModel, EventValue, Pricing, PricingInput};
/// let props = serde_json::json!({"rate": "1", "fixed_amount": "0.5", "free_units_per_events": 1});
/// let events: Vec<EventValue> = [100, 300].map(|v| EventValue::new(v.into())).into();
/// let result = Pricing::parse(ChargeModel::Percentage, &props, false).unwrap()
///     .apply(&PricingInput { events: &events, ..PricingInput::new(400.into()) }).unwrap();
/// let AmountDetails::Percentage(details) = result.amount_details else { unreachable!() };
/// assert_eq!((details.free_events, details.paid_events), (1, 1));
/// assert_eq!(details.per_unit_total_amount, 3.into()); // (400 - 100) × 1 %
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "PercentageDetails", missing_as_null)
)]
pub struct Details {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub units: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub free_units: Decimal,
    pub free_events: u64,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub paid_units: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub rate: Decimal,
    /// The rate's part of the amount: `(units - free_units) × rate / 100`.
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_unit_total_amount: Decimal,
    pub paid_events: u64,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub fixed_fee_unit_amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub fixed_fee_total_amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub min_max_adjustment_total_amount: Decimal,
}

impl Percentage {
    pub(crate) fn parse(properties: &Fields<'_>) -> Result<Self> {
        let rate = properties.amount("rate")?;
        let fixed_amount = properties
            .optional_amount("fixed_amount")?
            .unwrap_or_default();
        let free_units_per_events = properties
            .optional_integer("free_units_per_events", 1)?
            .unwrap_or(0);
        let free_units_per_total_aggregation = properties
            .optional_amount("free_units_per_total_aggregation")?
            .unwrap_or_default();
        let per_transaction_min_amount =
            properties.optional_amount("per_transaction_min_amount")?;
        let per_transaction_max_amount =
            properties.optional_amount("per_transaction_max_amount")?;
        if let (Some(min), Some(max)) = (per_transaction_min_amount, per_transaction_max_amount)
            && max < min
        {
            let reason = format!(
                "must not be lower than per_transaction_min_amount (got {} < {})",
                decimal::to_text(max),
                decimal::to_text(min)
            );
            return Err(Error::invalid(
                properties.path("per_transaction_max_amount"),
                reason,
            ));
        }
        Ok(Percentage {
            rate,
            fixed_amount,
            free_units_per_events,
            free_units_per_total_aggregation,
            per_transaction_min_amount,
            per_transaction_max_amount,
        })
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let units = input.units;
        let events = u64::try_from(input.events.len()).unwrap_or(u64::MAX);
        let running_total = self.running_total(input.events)?;
        let free_units = self.free_units(&running_total);
        let free_units_count = self.free_units_count(&running_total);
        let paid_units =
            decimal::sub(units, free_units, "percentage paid units")?.max(Decimal::ZERO);

        let percentage_amount = if free_units > units {
            Decimal::ZERO
        } else {
            self.rate_of(paid_units)?
        };
        let fixed_fee_total_amount = if units.is_zero() || free_units_count >= events {
            Decimal::ZERO
        } else {
            decimal::mul(
                Decimal::from(events - free_units_count),
                self.fixed_amount,
                "percentage fixed fees",
            )?
        };
        let standard_amount = decimal::add(
            percentage_amount,
            fixed_fee_total_amount,
            "percentage amount",
        )?;
        let (amount, min_max_adjustment_total_amount) = if self.has_min_max() {
            let amount = self.per_transaction_amount(input.events)?;
            (
                amount,
                decimal::sub(amount, standard_amount, "percentage min/max adjustment")?,
            )
        } else {
            (standard_amount, Decimal::ZERO)
        };

        let free_events = free_units_count.min(events);
        let paid_events = events - free_events;
        Ok(ChargeResult {
            amount,
            unit_amount: unit_amount(amount, input.unit_divisor())?,
            amount_details: AmountDetails::Percentage(Details {
                units,
                free_units,
                free_events,
                paid_units,
                rate: self.rate,
                per_unit_total_amount: percentage_amount,
                paid_events,
                fixed_fee_unit_amount: if paid_events > 0 {
                    self.fixed_amount
                } else {
                    Decimal::ZERO
                },
                fixed_fee_total_amount,
                min_max_adjustment_total_amount,
            }),
        })
    }

    /// `value × rate / 100`.
    fn rate_of(&self, value: Decimal) -> Result<Decimal> {
        decimal::div(
            decimal::mul(value, self.rate, "percentage amount")?,
            Decimal::ONE_HUNDRED,
            "percentage amount",
        )
    }

    /// The cumulative sums of event values Lago's sum aggregation hands to this model: over the first
    /// `free_units_per_events` events when that is set, otherwise up to and including the first total
    /// above `free_units_per_total_aggregation`, and nothing when neither is set.
    fn running_total(&self, events: &[EventValue]) -> Result<Vec<Decimal>> {
        let mut totals = Vec::new();
        let mut total = Decimal::ZERO;
        if self.free_units_per_events > 0 {
            let limit = usize::try_from(self.free_units_per_events).unwrap_or(usize::MAX);
            for event in events.iter().take(limit) {
                total = decimal::add(total, event.value, "percentage running total")?;
                totals.push(total);
            }
        } else if !self.free_units_per_total_aggregation.is_zero() {
            for event in events {
                if self.free_units_per_total_aggregation < total {
                    break;
                }
                total = decimal::add(total, event.value, "percentage running total")?;
                totals.push(total);
            }
        }
        Ok(totals)
    }

    /// How many units are free: the whole running total when it stays within the free allowance (or
    /// the allowance is counted in events), else `free_units_per_total_aggregation`.
    fn free_units(&self, running_total: &[Decimal]) -> Decimal {
        let last = running_total.last().copied().unwrap_or_default();
        if last.is_zero()
            || self.free_units_per_total_aggregation.is_zero()
            || last <= self.free_units_per_total_aggregation
        {
            last
        } else {
            self.free_units_per_total_aggregation
        }
    }

    /// How many events are free: the smaller of `free_units_per_events` and the number of running totals
    /// below `free_units_per_total_aggregation`, ignoring whichever is 0.
    fn free_units_count(&self, running_total: &[Decimal]) -> u64 {
        let below = running_total
            .iter()
            .filter(|&&total| total < self.free_units_per_total_aggregation)
            .count();
        let below = u64::try_from(below).unwrap_or(u64::MAX);
        [self.free_units_per_events, below]
            .into_iter()
            .filter(|&n| n > 0)
            .min()
            .unwrap_or(0)
    }

    fn has_min_max(&self) -> bool {
        self.per_transaction_min_amount.is_some() || self.per_transaction_max_amount.is_some()
    }

    /// Lago's per-transaction pricing: free events and free amount are consumed first, in event order
    /// (an event larger than the remaining free amount pays for the rest and ends the free allowance);
    /// each paid event costs `value × rate / 100 + fixed_amount`, raised to the minimum or capped at
    /// the maximum.
    fn per_transaction_amount(&self, events: &[EventValue]) -> Result<Decimal> {
        let mut free_events = self.free_units_per_events;
        let mut free_amount = self.free_units_per_total_aggregation;
        let mut total = Decimal::ZERO;
        for event in events {
            let mut value = event.value;
            if free_events > 0 || free_amount > Decimal::ZERO {
                free_events = free_events.saturating_sub(1);
                if free_amount <= Decimal::ZERO {
                    continue;
                }
                if free_amount > value {
                    free_amount = decimal::sub(free_amount, value, "percentage free amount")?;
                    continue;
                }
                value = decimal::sub(value, free_amount, "percentage free amount")?;
                free_amount = Decimal::ZERO;
                free_events = 0;
            }
            let event_amount = decimal::add(
                self.rate_of(value)?,
                self.fixed_amount,
                "percentage transaction amount",
            )?;
            total = decimal::add(total, self.clamp(event_amount), "percentage amount")?;
        }
        Ok(total)
    }

    fn clamp(&self, amount: Decimal) -> Decimal {
        match (
            self.per_transaction_min_amount,
            self.per_transaction_max_amount,
        ) {
            (Some(min), _) if amount < min => min,
            (_, Some(max)) if amount > max => max,
            _ => amount,
        }
    }
}
