//! The fixture runner shared by the core's contract tests, natively and compiled to wasm32.
//!
//! A fixture file is `{"cases": [...]}`; each case has a `name`, a `note` with the expected value worked
//! out by hand from Lago's rules, an `input` (the contract's JSON document) and either the exact `output`
//! or the `error` expected (`path` and a `message` fragment).

use lagom_core::eval::Contract;
use serde_json::Value;

/// Declares one test per fixture file, runnable natively and under wasm-bindgen-test.
#[macro_export]
macro_rules! fixture_tests {
    ($contract:expr; $($name:ident => $file:literal),* $(,)?) => {
        $(
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            fn $name() {
                common::run_fixture($contract, $file, include_str!(concat!("../../tests/fixtures/eval/", $file)));
            }
        )*
    };
}

/// Runs every case of a fixture file through `contract` and panics with the list of cases that failed.
pub fn run_fixture(contract: Contract, file: &str, text: &str) {
    let fixture: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    let cases = fixture["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no `cases` array"));
    assert!(!cases.is_empty(), "{file}: no cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check_case(contract, case).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{file}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn check_case(contract: Contract, case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("(unnamed)");
    if case["note"].as_str().is_none_or(str::is_empty) {
        return Err(format!(
            "- {name}: has no `note` working the expected value out"
        ));
    }
    let actual = contract.run(&case["input"].to_string());
    match (&case["output"], &case["error"], actual) {
        (expected @ Value::Object(_), Value::Null, Ok(actual)) if *expected == actual => Ok(()),
        (expected @ Value::Object(_), Value::Null, Ok(actual)) => Err(format!(
            "- {name}:\n    expected {expected}\n    got      {actual}"
        )),
        (Value::Null, Value::Object(expected), Err(err)) => {
            let path = expected.get("path").and_then(Value::as_str);
            let message = expected
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("");
            if path.is_some_and(|p| err.path() != Some(p)) || !err.to_string().contains(message) {
                Err(format!(
                    "- {name}: expected error at {path:?} containing {message:?}, got: {err}"
                ))
            } else {
                Ok(())
            }
        }
        (_, _, Ok(actual)) => Err(format!("- {name}: expected an error, got {actual}")),
        (_, _, Err(err)) => Err(format!("- {name}: unexpected error: {err}")),
    }
}
