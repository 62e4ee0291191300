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

/// The running state of a custom aggregation (both start at zero).
///
/// ```
/// let state = lagom_core::metric::CustomState::default();
/// assert!(state.total_units.is_zero() && state.amount.is_zero());
/// ```
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::{AggregationRequest, BillableMetric, Period};

    /// Lago's documented example shape: units count events, the amount grows by the event's `price`.
    struct PerEventPrice;

    impl CustomAggregator for PerEventPrice {
        fn aggregate(
            &self,
            event: &Event,
            state: CustomState,
            properties: &Map<String, Value>,
        ) -> Result<CustomState> {
            let price = crate::decimal::from_json(&event.properties["price"]).unwrap_or_default();
            let factor = properties
                .get("factor")
                .and_then(crate::decimal::from_json)
                .unwrap_or(Decimal::ONE);
            Ok(CustomState {
                total_units: state.total_units + Decimal::ONE,
                amount: price * factor,
            })
        }
    }

    fn events() -> Vec<Event> {
        serde_json::from_value(serde_json::json!([
            {"transaction_id": "1", "code": "m", "timestamp": "2024-01-20T00:00:00Z", "properties": {"price": 2, "g": "b"}},
            {"transaction_id": "2", "code": "m", "timestamp": "2024-01-10T00:00:00Z", "properties": {"price": 3, "g": "a"}},
            {"transaction_id": "3", "code": "m", "timestamp": "2023-12-10T00:00:00Z", "properties": {"price": 5, "g": "a"}}
        ]))
        .unwrap()
    }

    fn metric(recurring: bool) -> crate::metric::Metric {
        let m: BillableMetric = serde_json::from_value(serde_json::json!({
            "name": "M", "code": "m", "aggregation_type": "custom_agg", "recurring": recurring
        }))
        .unwrap();
        m.check().unwrap()
    }

    fn period() -> Period {
        Period::new(
            crate::time::parse("2024-01-01T00:00:00Z").unwrap(),
            crate::time::parse("2024-01-31T23:59:59Z").unwrap(),
        )
    }

    #[test]
    fn units_are_replaced_and_amounts_added() {
        let mut properties = Map::new();
        properties.insert("factor".into(), serde_json::json!("10"));
        let request = AggregationRequest {
            custom: Some(&PerEventPrice),
            custom_properties: properties,
            ..Default::default()
        };
        let result = metric(false)
            .aggregate(&events(), &period(), &request)
            .unwrap();
        // January only: 2 events → 2 units; amounts 3 × 10 + 2 × 10 = 50.
        assert_eq!(result.total.aggregation, Decimal::from(2));
        assert_eq!(result.total.count, Decimal::from(2));
        assert_eq!(result.total.custom_amount, Some(Decimal::from(50)));
    }

    #[test]
    fn recurring_resumes_from_earlier_events() {
        let request = AggregationRequest {
            custom: Some(&PerEventPrice),
            ..Default::default()
        };
        let result = metric(true)
            .aggregate(&events(), &period(), &request)
            .unwrap();
        // December's event starts the state at 1 unit and 5; January adds 2 units and 3 + 2.
        assert_eq!(result.total.aggregation, Decimal::from(3));
        assert_eq!(result.total.count, Decimal::from(2));
        assert_eq!(result.total.custom_amount, Some(Decimal::from(10)));
    }

    #[test]
    fn groups_fold_separately() {
        let request = AggregationRequest {
            custom: Some(&PerEventPrice),
            grouped_by: vec!["g".into()],
            ..Default::default()
        };
        let groups = metric(false)
            .aggregate(&events(), &period(), &request)
            .unwrap()
            .groups
            .unwrap();
        let amounts: Vec<_> = groups
            .iter()
            .map(|g| (g.grouped_by[0].1.clone(), g.aggregation.custom_amount))
            .collect();
        assert_eq!(
            amounts,
            [
                (Some("a".into()), Some(Decimal::from(3))),
                (Some("b".into()), Some(Decimal::from(2)))
            ]
        );
    }

    #[test]
    fn a_failing_aggregator_names_the_event() {
        struct Fails;
        impl CustomAggregator for Fails {
            fn aggregate(
                &self,
                _: &Event,
                _: CustomState,
                _: &Map<String, Value>,
            ) -> Result<CustomState> {
                Err(crate::Error::Custom {
                    path: String::new(),
                    reason: "plugin trapped".into(),
                })
            }
        }
        let request = AggregationRequest {
            custom: Some(&Fails),
            ..Default::default()
        };
        let err = metric(false)
            .aggregate(&events(), &period(), &request)
            .unwrap_err();
        // Events are folded in timestamp order: the first is index 1 (Jan 10).
        assert_eq!(
            err.to_string(),
            "events[1]: custom pricing failed: plugin trapped"
        );
    }
}
