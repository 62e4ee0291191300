//! Runs every eval fixture under `tests/fixtures/eval/` through the real `lagom eval` binary: the CLI must
//! print the same JSON the core computes, and reject bad input with exit code 2 and one line on stderr
//! naming the JSON path.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Case, Expected};
use serde_json::Value;

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

fn check_case(case: &Case) -> Result<(), String> {
    let (code, stdout, stderr) = lagom_eval(case.contract, &case.input.to_string());
    match &case.expected {
        Expected::Output(expected) => {
            let actual: Value = serde_json::from_str(&stdout).map_err(|e| {
                format!("exit {code:?}, stdout is not JSON ({e}); stderr: {stderr}")
            })?;
            if code == Some(0) && actual == *expected {
                Ok(())
            } else {
                Err(format!(
                    "exit {code:?}\n    expected {expected}\n    got      {actual}"
                ))
            }
        }
        Expected::Error { path, message } => {
            let one_line = stderr.lines().count() == 1;
            if code == Some(2)
                && one_line
                && path
                    .as_ref()
                    .is_none_or(|path| stderr.contains(path.as_str()))
                && stderr.contains(message.as_str())
                && stdout.is_empty()
            {
                Ok(())
            } else {
                Err(format!(
                    "expected exit 2 and one stderr line naming {path:?} and {message:?}; got exit {code:?}, stderr {stderr:?}"
                ))
            }
        }
    }
}

#[test]
fn every_eval_fixture_through_the_cli() {
    common::check_every_case("CLI", check_case);
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
