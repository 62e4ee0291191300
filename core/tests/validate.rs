//! `simulate::validate` over the documents of `tests/fixtures/validate/`: each case is a scenario
//! document (`document`, or raw `text`) and the exact list of problems it has, in order, each with
//! its path, its code and a fragment of its message.

use serde_json::Value;

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/scenario_files.rs"]
mod scenario_files;

#[path = "support/cases.rs"]
mod cases;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn documents() {
    cases::run_cases(
        "documents.json",
        include_str!("../../tests/fixtures/validate/documents.json"),
        check,
    );
}

fn check(case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("(unnamed)");
    let text = match case["text"].as_str() {
        Some(text) => text.to_owned(),
        None => case["document"].to_string(),
    };
    let actual = lagom_core::simulate::validate(&text);
    let expected = case["problems"].as_array().cloned().unwrap_or_default();
    let fits = |(e, a): (&Value, &lagom_core::simulate::Problem)| {
        e["path"].as_str() == Some(a.path.as_str())
            && e["code"].as_str() == Some(a.code)
            && a.message.contains(e["message"].as_str().unwrap_or(""))
    };
    if expected.len() == actual.len() && expected.iter().zip(&actual).all(fits) {
        Ok(())
    } else {
        let actual = serde_json::to_string_pretty(&actual).unwrap_or_default();
        Err(format!(
            "- {name}:\n    expected {}\n    got      {actual}",
            Value::Array(expected)
        ))
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_scenario_fixture_that_simulates_is_valid() {
    // An empty list must mean `simulate` accepts the document: the fixtures expecting output are
    // valid, and those expecting a reading error have it among their problems.
    for (file, text) in scenario_files::scenario_fixtures() {
        let fixture: Value = serde_json::from_str(&text).expect("fixture JSON");
        let problems = lagom_core::simulate::validate(&fixture["scenario"].to_string());
        if fixture["expected"].is_object() {
            assert!(problems.is_empty(), "{file}: {problems:?}");
        }
    }
}
