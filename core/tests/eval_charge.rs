//! The `charge` contract against its fixtures (one file per charge model), and custom pricing plugged
//! in through `evaluate_with`.

mod common;

use lagom_core::charge::{AggregationAmount, ChargeResult, CustomPricing, CustomRequest};
use lagom_core::eval::{Contract, charge, from_json};

fixture_tests!(Contract::Charge;
    standard => "charge/standard.json",
    graduated => "charge/graduated.json",
    graduated_percentage => "charge/graduated_percentage.json",
    package => "charge/package.json",
    percentage => "charge/percentage.json",
    volume => "charge/volume.json",
    dynamic => "charge/dynamic.json",
    prorated_graduated => "charge/prorated_graduated.json",
    custom => "charge/custom.json",
    bad_inputs => "charge/bad_inputs.json",
);

/// Lago's custom model reads the custom aggregation's amount: 20 for 10 units → unit amount 2.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn custom_with_lago_aggregation_amount() {
    let input = from_json(
        r#"{"charge_model": "custom", "units": "10", "custom_aggregation": {"total_units": "10", "amount": "20"}}"#,
    )
    .unwrap();
    let out =
        serde_json::to_value(charge::evaluate_with(&input, &AggregationAmount).unwrap()).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"amount": "20", "unit_amount": "2", "amount_details": {}})
    );
}

/// A plugin that reads the properties and the events, and fails on request.
struct PerEvent;

impl CustomPricing for PerEvent {
    fn price(&self, request: &CustomRequest<'_>) -> Result<ChargeResult, String> {
        let price = request.properties["price_per_event"]
            .as_str()
            .ok_or("price_per_event is missing")?;
        let price: lagom_core::decimal::Decimal = price
            .parse()
            .map_err(|_| "price_per_event is not a decimal")?;
        let amount = price * lagom_core::decimal::Decimal::from(request.events.len());
        let mut details = serde_json::Map::new();
        details.insert("events".into(), request.events.len().into());
        Ok(ChargeResult {
            amount,
            unit_amount: amount / request.units,
            amount_details: lagom_core::charge::AmountDetails::Custom(details),
        })
    }
}

/// 3 events × 1.5 = 4.5 for 9 units → 0.5 per unit; the plugin's own details come through as written.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn custom_plugin_sees_properties_and_events() {
    let input = from_json(
        r#"{"charge_model": "custom", "units": 9, "properties": {"price_per_event": "1.5"},
            "events": [{"value": 1}, {"value": 3}, {"value": 5}]}"#,
    )
    .unwrap();
    let out = serde_json::to_value(charge::evaluate_with(&input, &PerEvent).unwrap()).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"amount": "4.5", "unit_amount": "0.5", "amount_details": {"events": 3}})
    );
}

/// A plugin's failure is an `Error::Custom` carrying its reason.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn custom_plugin_failure_is_a_custom_error() {
    let input = from_json(r#"{"charge_model": "custom", "units": 1}"#).unwrap();
    let err = charge::evaluate_with(&input, &PerEvent).unwrap_err();
    assert_eq!(
        err,
        lagom_core::Error::Custom {
            path: String::new(),
            reason: "price_per_event is missing".into()
        }
    );
}

/// Other models ignore the plugin: a standard charge prices the same with or without one (3 × 2 = 6).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn non_custom_models_ignore_the_plugin() {
    let input =
        from_json(r#"{"charge_model": "standard", "units": 3, "properties": {"amount": "2"}}"#)
            .unwrap();
    let with = charge::evaluate_with(&input, &PerEvent).unwrap();
    assert_eq!(with, charge::evaluate(&input).unwrap());
    assert_eq!(with.charge.amount, 6.into());
}
