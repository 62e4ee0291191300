//! Runs every eval fixture under `tests/fixtures/eval/` through the real `lagom eval` binary: the CLI must
//! print the same JSON the core computes, and reject bad input with exit code 2 and one line on stderr
//! naming the JSON path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/eval")
}

fn lagom_eval(contract: &str, input: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(["eval", contract])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lagom binary starts");
    // lagom may exit before reading its input (a bad argument): a broken pipe here is not a failure.
    let _ = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes());
    let out = child.wait_with_output().expect("lagom exits");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check_case(contract: &str, case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("(unnamed)");
    let (code, stdout, stderr) = lagom_eval(contract, &case["input"].to_string());
    if let Some(expected) = case.get("output") {
        let actual: Value = serde_json::from_str(&stdout).map_err(|e| {
            format!("- {name}: exit {code:?}, stdout is not JSON ({e}); stderr: {stderr}")
        })?;
        return if code == Some(0) && actual == *expected {
            Ok(())
        } else {
            Err(format!(
                "- {name}: exit {code:?}\n    expected {expected}\n    got      {actual}"
            ))
        };
    }
    let path = case["error"]["path"].as_str().unwrap_or("");
    let message = case["error"]["message"].as_str().unwrap_or("");
    let one_line = stderr.lines().count() == 1;
    if code == Some(2)
        && one_line
        && stderr.contains(path)
        && stderr.contains(message)
        && stdout.is_empty()
    {
        Ok(())
    } else {
        Err(format!(
            "- {name}: expected exit 2 and one stderr line naming {path:?} and {message:?}; got exit {code:?}, stderr {stderr:?}"
        ))
    }
}

#[test]
fn every_eval_fixture_through_the_cli() {
    let mut failures = Vec::new();
    let mut cases_run = 0;
    for contract in ["charge", "aggregation", "period"] {
        let dir = fixture_root().join(contract);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        for file in files {
            let fixture: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).expect("a readable fixture"))
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for case in fixture["cases"].as_array().into_iter().flatten() {
                cases_run += 1;
                if let Err(failure) = check_case(contract, case) {
                    failures.push(format!("{}: {failure}", file.display()));
                }
            }
        }
    }
    assert!(
        cases_run > 0,
        "no fixture case found under {}",
        fixture_root().display()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases_run} CLI cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn malformed_json_is_a_one_line_error_with_exit_code_2() {
    let (code, stdout, stderr) = lagom_eval("charge", "{\"charge_model\": ");
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr:?}");
}

#[test]
fn an_unknown_contract_is_refused_by_the_argument_parser() {
    let (code, _, stderr) = lagom_eval("invoice", "{}");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("invalid value 'invoice'"),
        "stderr: {stderr:?}"
    );
}
