//! The extension point of `custom_agg` metrics: a fold over the period's events that a host supplies.
//!
//! Lago runs a Ruby snippet (`aggregate(event, state, properties)`) over the period's events in
//! timestamp order, starting from zero units and a zero amount; after each event the state's
//! `total_units` becomes the snippet's `total_units`, and its `amount` is *added* to the running
//! amount. Lagom keeps that contract but lets the host bring the function: a wasm plugin, a JS
//! callback, or plain Rust implementing [`CustomAggregator`].

use serde_json::{Map, Value};

use crate::decimal::{self, Decimal};
use crate::error::Result;
use crate::event::Event;

/// The running state of a custom aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CustomState {
    pub total_units: Decimal,
    pub amount: Decimal,
}

/// A custom aggregation, called once per event of the period in timestamp order.
///
/// `state` is the state before `event`; `properties` are the charge's `custom_properties`. The answer's
/// `total_units` replaces the running units and its `amount` is added to the running amount.
///
/// ```
/// use lagom_core::metric::{CustomAggregator, CustomState};
/// use lagom_core::{decimal::Decimal, event::Event, Result};
///
/// /// Counts events, charging 2 per event beyond the tenth.
/// struct Overage;
/// impl CustomAggregator for Overage {
///     fn aggregate(&self, _event: &Event, state: CustomState, _props: &serde_json::Map<String, serde_json::Value>)
///         -> Result<CustomState>
///     {
///         let total_units = state.total_units + Decimal::ONE;
///         let amount = if total_units > Decimal::TEN { Decimal::TWO } else { Decimal::ZERO };
///         Ok(CustomState { total_units, amount })
///     }
/// }
/// ```
pub trait CustomAggregator {
    /// One step of the fold.
    fn aggregate(
        &self,
        event: &Event,
        state: CustomState,
        properties: &Map<String, Value>,
    ) -> Result<CustomState>;
}

/// Folds `events` into `state` with Lago's rule (units replaced, amounts added).
pub(crate) fn fold<'e>(
    aggregator: &dyn CustomAggregator,
    properties: &Map<String, Value>,
    mut state: CustomState,
    events: impl IntoIterator<Item = (usize, &'e Event)>,
) -> Result<CustomState> {
    for (index, event) in events {
        let step = aggregator
            .aggregate(event, state, properties)
            .map_err(|e| e.within(&format!("events[{index}]")))?;
        state = CustomState {
            total_units: step.total_units,
            amount: decimal::add(state.amount, step.amount, "custom aggregation amount")?,
        };
    }
    Ok(state)
}
