//! Runs every eval fixture under `tests/fixtures/eval/` through the real `lagom eval` binary: the CLI must
//! print the same JSON the core computes, and reject bad input with exit code 2 and one line on stderr
//! naming the JSON path. With `--plugins DIR`, `lagom eval charge` and `lagom simulate` price `custom`
//! charges with the plugin their `properties.plugin` names.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Case, Expected};
use serde_json::{Value, json};

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

fn lagom(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(args)
        .arg("--plugins")
        .arg(dir)
        .output()
        .expect("lagom runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `good` answers `{"amount": "42", "unit_amount": "4.2"}` whatever it is asked; `unreachable` traps.
#[test]
fn eval_and_simulate_price_custom_charges_with_plugins() {
    let dir = common::plugin_dir("cli-plugins", &["good", "unreachable"], &[]);
    let input = std::env::temp_dir().join(format!("lagom-cli-plugins-{}.json", std::process::id()));
    let write = |document: &Value| std::fs::write(&input, document.to_string()).expect("written");
    let path = input.to_str().expect("a UTF-8 path");

    write(&json!({"charge_model": "custom", "units": "10", "properties": {"plugin": "good"}}));
    let (code, stdout, stderr) = lagom(&["eval", "charge", "--input", path], &dir);
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        answer,
        json!({"amount": "42", "unit_amount": "4.2", "amount_details": {}})
    );

    write(
        &json!({"charge_model": "custom", "units": "10", "properties": {"plugin": "unreachable"}}),
    );
    let (code, _, stderr) = lagom(&["eval", "charge", "--input", path], &dir);
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("plugin `unreachable`: trapped"),
        "stderr: {stderr}"
    );

    // One call in March 2024 on a custom charge: good prices it 42 EUR, so the invoice is 4200 cents.
    write(&json!({
        "customer": {"external_id": "acme", "currency": "EUR", "timezone": "UTC"},
        "billable_metrics": [{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}],
        "plans": [{"name": "P", "code": "p", "interval": "monthly", "amount_cents": 0,
                   "amount_currency": "EUR", "pay_in_advance": false,
                   "charges": [{"billable_metric_code": "calls", "charge_model": "custom",
                                "properties": {"plugin": "good"}}]}],
        "timeline": [
            {"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
             "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "p"}},
            {"at": "2024-03-02T00:00:00Z", "op": "event",
             "body": {"transaction_id": "t1", "external_subscription_id": "s1", "code": "calls"}}],
        "until": "2024-04-01T00:00:00Z"
    }));
    let (code, stdout, stderr) = lagom(&["simulate", path], &dir);
    std::fs::remove_file(&input).expect("removed");
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let output: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        output["invoices"][0]["total_amount_cents"], 4200,
        "{output}"
    );
}
