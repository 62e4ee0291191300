//! The eval contracts (`lagom eval charge|aggregation|period`) and price curves: one charge, one
//! metric or one period at a time, no scenario.

use lagom_core::Error;
use lagom_core::eval::{Contract, charge, from_value};
use wasm_bindgen::prelude::*;

use crate::custom::JsCustom;
use crate::{thrown, to_js, to_json, to_json_text};

/// The arguments of `priceCurve`, read field by field from JSON by [`curve`].
#[wasm_bindgen(typescript_custom_section)]
const CURVE_TYPES: &str = r#"
/** The charge `priceCurve` prices. */
export interface CurveCharge {
  charge_model: ChargeModel;
  properties?: { [key: string]: JsonValue };
}

/** The units `priceCurve` prices: `steps + 1` points from `from` to `to` (1 ≤ steps ≤ 10000). */
export interface CurveRange {
  from: DecimalInput;
  to: DecimalInput;
  steps: number;
}
"#;

/// Prices units with one charge model (the `charge` contract).
#[wasm_bindgen(
    js_name = evalCharge,
    unchecked_return_type = "ChargeEvalOutput"
)]
///
/// `options.custom` prices a `custom` charge (see [`crate::custom`]).
pub fn eval_charge(
    #[wasm_bindgen(unchecked_param_type = "ChargeEvalInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue,
) -> Result<JsValue, JsValue> {
    match JsCustom::from_options(&options).map_err(thrown)? {
        None => run(Contract::Charge, input),
        Some(custom) => {
            let output = to_json(input)
                .and_then(|document| charge::evaluate_with(&from_value(document)?, &custom))
                .map_err(thrown)?;
            to_js(&output)
        }
    }
}

/// Aggregates events with a billable metric (the `aggregation` contract).
#[wasm_bindgen(
    js_name = evalAggregation,
    unchecked_return_type = "AggregationEvalOutput"
)]
pub fn eval_aggregation(
    #[wasm_bindgen(unchecked_param_type = "AggregationEvalInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    run(Contract::Aggregation, input)
}

/// Computes the billing period of a subscription on a billing date (the `period` contract).
#[wasm_bindgen(
    js_name = billingPeriod,
    unchecked_return_type = "BillingPeriodOutput"
)]
pub fn billing_period(
    #[wasm_bindgen(unchecked_param_type = "BillingPeriodInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    run(Contract::Period, input)
}

/// Prices evenly spaced units with one charge: `range.steps + 1` points from `range.from` to
/// `range.to`, for charts.
#[wasm_bindgen(js_name = priceCurve, unchecked_return_type = "PricePoint[]")]
pub fn price_curve(
    #[wasm_bindgen(unchecked_param_type = "CurveCharge")] charge: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CurveRange")] range: JsValue,
) -> Result<JsValue, JsValue> {
    let points = curve(charge, range).map_err(thrown)?;
    to_js(&points)
}

fn curve(charge: JsValue, range: JsValue) -> Result<Vec<lagom_core::charge::PricePoint>, Error> {
    let charge = to_json(charge)?;
    let range = to_json(range)?;
    let model = charge["charge_model"]
        .as_str()
        .ok_or_else(|| Error::invalid("charge_model", "must be a charge model's name"))?;
    let properties = match &charge["properties"] {
        serde_json::Value::Null => serde_json::json!({}),
        properties => properties.clone(),
    };
    let bound = |key: &str| {
        lagom_core::decimal::from_json(&range[key])
            .ok_or_else(|| Error::invalid(key, format!("must be a decimal (got {})", range[key])))
    };
    let steps = range["steps"]
        .as_u64()
        .and_then(|steps| u32::try_from(steps).ok())
        .ok_or_else(|| {
            Error::invalid(
                "steps",
                format!("must be a whole number (got {})", range["steps"]),
            )
        })?;
    lagom_core::charge::price_curve(model, &properties, bound("from")?, bound("to")?, steps)
}

/// Runs `contract` on a JS value: JS → JSON text (what `lagom eval` reads) → core → plain JS object.
fn run(contract: Contract, input: JsValue) -> Result<JsValue, JsValue> {
    let document = to_json_text(input).map_err(thrown)?;
    let answer = contract.run(&document).map_err(thrown)?;
    to_js(&answer)
}
