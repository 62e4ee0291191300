//! `charge::price_curve` over `tests/fixtures/price_curve/curves.json`: each case is a charge and a
//! range with its points (`[units, amount, unit_amount]`) or its error, worked out by hand.

use lagom_core::charge::price_curve;
use lagom_core::decimal;
use serde_json::Value;

#[path = "support/cases.rs"]
mod cases;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn curves() {
    cases::run_cases(
        "curves.json",
        include_str!("../../tests/fixtures/price_curve/curves.json"),
        check,
    );
}

fn check(case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("(unnamed)");
    let range = &case["range"];
    let bound = |key: &str| decimal::from_json(&range[key]).ok_or(format!("- {name}: bad {key}"));
    let steps = range["steps"].as_u64().and_then(|s| u32::try_from(s).ok());
    let actual = price_curve(
        case["charge"]["charge_model"].as_str().unwrap_or(""),
        &case["charge"]["properties"],
        bound("from")?,
        bound("to")?,
        steps.ok_or(format!("- {name}: bad steps"))?,
    );
    match (&case["points"], &case["error"], actual) {
        (Value::Array(expected), Value::Null, Ok(points)) => {
            let points: Vec<Value> = points
                .iter()
                .map(|p| {
                    let text = |d| Value::from(decimal::to_text(d));
                    Value::Array(vec![text(p.units), text(p.amount), text(p.unit_amount)])
                })
                .collect();
            if *expected == points {
                Ok(())
            } else {
                Err(format!(
                    "- {name}:\n    expected {expected:?}\n    got      {points:?}"
                ))
            }
        }
        (Value::Null, Value::Object(expected), Err(err)) => {
            let fits = expected["path"].as_str() == err.path()
                && expected["code"].as_str() == Some(err.code())
                && err
                    .to_string()
                    .contains(expected["message"].as_str().unwrap_or(""));
            fits.then_some(())
                .ok_or(format!("- {name}: expected {expected:?}, got {err}"))
        }
        (_, _, Ok(points)) => Err(format!("- {name}: expected an error, got {points:?}")),
        (_, _, Err(err)) => Err(format!("- {name}: unexpected error: {err}")),
    }
}
