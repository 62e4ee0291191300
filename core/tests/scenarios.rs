//! Scenario fixtures: each file under `tests/fixtures/scenarios/` is one scenario with the invoices
//! (and other outputs) Lago would produce, worked out by hand in its `note`.
//!
//! `expected` is compared field by field: every key it names must match the output (extra keys in
//! the output are allowed), and arrays must have the same length. A fixture expecting an error has
//! `"error": {"path": …, "message": fragment}` instead.

use serde_json::Value;

macro_rules! scenario_tests {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            fn $name() {
                run($file, include_str!(concat!("../../tests/fixtures/scenarios/", $file)));
            }
        )*
    };
}

fn run(file: &str, text: &str) {
    let fixture: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    assert!(
        fixture["note"].as_str().is_some_and(|n| !n.is_empty()),
        "{file}: no `note` working the expectation out"
    );
    let actual =
        lagom_core::simulate::simulate_json(&fixture["scenario"].to_string()).map(|text| {
            serde_json::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{file}: the output is not JSON: {e}"))
        });
    match (&fixture["expected"], &fixture["error"], actual) {
        (expected @ Value::Object(_), Value::Null, Ok(actual)) => {
            let mut mismatches = Vec::new();
            compare("", expected, &actual, &mut mismatches);
            assert!(
                mismatches.is_empty(),
                "{file}: {} mismatches:\n{}",
                mismatches.len(),
                mismatches.join("\n")
            );
        }
        (Value::Null, Value::Object(expected), Err(err)) => {
            let path = expected.get("path").and_then(Value::as_str);
            let message = expected
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("");
            assert!(
                path.is_none_or(|p| err.path() == Some(p)) && err.to_string().contains(message),
                "{file}: expected an error at {path:?} containing {message:?}, got: {err}"
            );
        }
        (_, _, Ok(actual)) => panic!("{file}: expected an error, got {actual}"),
        (_, _, Err(err)) => panic!("{file}: unexpected error: {err}"),
    }
}

/// Collects the places where `actual` does not match `expected`.
fn compare(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let child = format!("{path}.{key}");
                match a.get(key) {
                    Some(actual) => compare(&child, value, actual, out),
                    None => out.push(format!("{child}: missing (expected {value})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{path}: expected {} items, got {}: {actual}",
                    e.len(),
                    a.len()
                ));
                return;
            }
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                compare(&format!("{path}[{i}]"), e, a, out);
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: expected {e}, got {a}")),
    }
}

#[test]
fn compare_allows_extra_keys_but_not_other_values() {
    let mut out = Vec::new();
    let expected = serde_json::json!({"a": 1, "b": [{"c": 2}]});
    compare(
        "",
        &expected,
        &serde_json::json!({"a": 1, "b": [{"c": 2, "d": 3}], "e": 4}),
        &mut out,
    );
    assert!(out.is_empty(), "{out:?}");
    compare(
        "",
        &expected,
        &serde_json::json!({"a": 2, "b": []}),
        &mut out,
    );
    assert_eq!(out.len(), 2, "{out:?}");
}

scenario_tests!(
    monthly_in_arrears => "monthly_in_arrears.json",
    in_advance_termination => "in_advance_termination.json",
    trial => "trial.json",
    grace_period => "grace_period.json",
    charge_filters_groups_true_up => "charge_filters_groups_true_up.json",
    error_unknown_plan => "error_unknown_plan.json",
    error_step_order => "error_step_order.json",
    error_bad_body => "error_bad_body.json",
    error_bad_event_timestamp => "error_bad_event_timestamp.json",
    event_warnings => "event_warnings.json",
    pay_in_advance_charges => "pay_in_advance_charges.json",
    current_usage_timezone_zero_invoice => "current_usage_timezone_zero_invoice.json",
    anniversary_in_advance => "anniversary_in_advance.json",
    invoice_coupons_and_taxes => "invoice_coupons_and_taxes.json",
    invoice_coupon_limits => "invoice_coupon_limits.json",
    invoice_coupon_not_reusable => "invoice_coupon_not_reusable.json",
    invoice_credit_notes => "invoice_credit_notes.json",
    invoice_deduction_order => "invoice_deduction_order.json",
    invoice_one_off => "invoice_one_off.json",
    invoice_wallets => "invoice_wallets.json",
    invoice_wallet_expiry => "invoice_wallet_expiry.json",
    plan_upgrade => "plan_upgrade.json",
    plan_downgrade => "plan_downgrade.json",
    plan_overrides => "plan_overrides.json",
    error_unknown_override_charge => "error_unknown_override_charge.json",
    error_bad_override_properties => "error_bad_override_properties.json",
    minimum_commitment_in_arrears => "minimum_commitment_in_arrears.json",
    minimum_commitment_in_advance => "minimum_commitment_in_advance.json",
    progressive_billing => "progressive_billing.json",
    progressive_billing_historical => "progressive_billing_historical.json",
    progressive_billing_true_up => "progressive_billing_true_up.json",
    queries => "queries.json",
    dynamic_charges => "dynamic_charges.json",
    prorated_graduated => "prorated_graduated.json",
);
