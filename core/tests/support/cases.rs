//! The frame of a table-driven fixture test: a `{"cases": [...]}` file whose every case carries a
//! `note` working its expected value out by hand, checked case by case, failing with the whole list.

use serde_json::Value;

/// Runs `check` on every case of `text` (the fixture `file`) and panics listing the cases that failed.
pub fn run_cases(file: &str, text: &str, check: impl Fn(&Value) -> Result<(), String>) {
    let fixture: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    let cases = fixture["cases"].as_array().expect("a `cases` array");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let name = case["name"].as_str().unwrap_or("(unnamed)");
            if case["note"].as_str().is_none_or(str::is_empty) {
                return Some(format!("- {name}: no `note`"));
            }
            check(case).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
