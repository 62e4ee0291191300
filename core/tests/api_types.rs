//! Lago API payloads through the core's types: real example payloads (the OpenAPI examples and GET
//! responses, as Lago writes them) parse, validate and serialize back with every field value and JSON
//! kind kept; bad payloads fail at the JSON path Lago would blame.
//!
//! Fixtures live in `tests/fixtures/api/<object>.json` as
//! `{"cases": [{"name", "note", "json", "output"?, "error"?}]}`: with `error` the case must fail there;
//! with `output` the core must write exactly that; otherwise it must write back every field of `json`.
//! They are `include_str!`ed so that the same cases run natively and compiled to wasm32.

use std::fmt::Debug;

use lagom_core::add_on::AddOn;
use lagom_core::coupon::{AppliedCoupon, Coupon};
use lagom_core::credit_note::{CreditNote, CreditNoteCreate};
use lagom_core::customer::{Customer, Organization};
use lagom_core::fee::Fee;
use lagom_core::invoice::Invoice;
use lagom_core::plan::Plan;
use lagom_core::subscription::Subscription;
use lagom_core::tax::Tax;
use lagom_core::usage::{CustomerUsage, LifetimeUsage, PastUsage};
use lagom_core::wallet::{Wallet, WalletTransaction};
use lagom_core::{Result, decimal, eval};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A payload type: how to parse it and what to check beyond its shape.
trait Payload: DeserializeOwned + Serialize + PartialEq + Debug {
    fn check(&self) -> Result<()>;
}

macro_rules! payloads {
    ($($ty:ty => $check:expr;)*) => {
        $(impl Payload for $ty {
            fn check(&self) -> Result<()> {
                let check: fn(&$ty) -> Result<()> = $check;
                check(self)
            }
        })*
    };
}

payloads! {
    Plan => Plan::validate;
    Customer => Customer::validate;
    Organization => Organization::validate;
    Subscription => Subscription::validate;
    Tax => Tax::validate;
    Coupon => Coupon::validate;
    AppliedCoupon => |_| Ok(());
    AddOn => AddOn::validate;
    Wallet => Wallet::validate;
    WalletTransaction => |_| Ok(());
    CreditNote => |_| Ok(());
    CreditNoteCreate => CreditNoteCreate::validate;
    Fee => |_| Ok(());
    Invoice => |_| Ok(());
    CustomerUsage => |_| Ok(());
    PastUsage => |_| Ok(());
    LifetimeUsage => |_| Ok(());
}

macro_rules! api_tests {
    ($($name:ident: $file:literal => $($ty:ty)|+;)*) => {
        $(
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            fn $name() {
                run_fixture($file, include_str!(concat!("../../tests/fixtures/api/", $file)), &[$(&check_case::<$ty>),+]);
            }
        )*
    };
}

api_tests! {
    tax: "tax.json" => Tax;
    plan: "plan.json" => Plan;
    customer: "customer.json" => Customer;
    organization: "organization.json" => Organization;
    subscription: "subscription.json" => Subscription;
    coupon: "coupon.json" => Coupon;
    applied_coupon: "applied_coupon.json" => AppliedCoupon;
    add_on: "add_on.json" => AddOn;
    wallet: "wallet.json" => Wallet;
    wallet_transaction: "wallet_transaction.json" => WalletTransaction;
    fee: "fee.json" => Fee;
    credit_note: "credit_note.json" => CreditNote | CreditNoteCreate;
    invoice: "invoice.json" => Invoice;
    customer_usage: "customer_usage.json" => CustomerUsage | PastUsage;
    lifetime_usage: "lifetime_usage.json" => LifetimeUsage;
}

type Checker<'a> = &'a dyn Fn(&Value) -> Result<(), String>;

/// Runs every case of a fixture file; a case passes when one of the file's types accepts it as
/// expected (a file may hold a GET shape and a POST shape, e.g. credit notes).
fn run_fixture(file: &str, text: &str, checkers: &[Checker]) {
    let fixture: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    let cases = fixture["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no `cases` array"));
    assert!(!cases.is_empty(), "{file}: no cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let name = case["name"].as_str().unwrap_or("(unnamed)");
            if case["note"].as_str().is_none_or(str::is_empty) {
                return Some(format!("- {name}: has no `note`"));
            }
            let outcomes: Vec<String> = checkers
                .iter()
                .filter_map(|check| check(case).err())
                .collect();
            (outcomes.len() == checkers.len())
                .then(|| format!("- {name}: {}", outcomes.join(" / ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{file}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Parses and validates a case's `json` as `T`; then checks the expected `error`, or the exact `output`
/// when the case gives one, or else that the round trip keeps every field of `json`.
fn check_case<T: Payload>(case: &Value) -> Result<(), String> {
    let input = &case["json"];
    let parsed =
        eval::from_json::<T>(&input.to_string()).and_then(|value| value.check().map(|()| value));
    match (&case["error"], parsed) {
        (Value::Null, Ok(value)) => {
            let output =
                serde_json::to_value(&value).map_err(|e| format!("cannot serialize: {e}"))?;
            match case.get("output") {
                Some(expected) if *expected != output => {
                    return Err(format!("expected output {expected}\n    got {output}"));
                }
                Some(_) => {}
                None => {
                    let mut lost = Vec::new();
                    kept(input, &output, "", &mut lost);
                    if !lost.is_empty() {
                        return Err(format!("round trip changed {}", lost.join("; ")));
                    }
                }
            }
            reads_back(output, &value)
        }
        (Value::Null, Err(err)) => Err(format!("unexpected error: {err}")),
        (Value::Object(expected), Err(err)) => {
            let path = expected
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let message = expected
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if err.path() == Some(path) && err.to_string().contains(message) {
                Ok(())
            } else {
                Err(format!(
                    "expected an error at `{path}` containing {message:?}, got: {err}"
                ))
            }
        }
        (_, Ok(_)) => Err("expected an error, got none".to_owned()),
        (other, Err(_)) => Err(format!("malformed `error`: {other}")),
    }
}

/// What the core writes, read again, is the value it was written from.
fn reads_back<T: Payload>(output: Value, value: &T) -> Result<(), String> {
    let again: T =
        serde_json::from_value(output).map_err(|e| format!("cannot read the output back: {e}"))?;
    if &again == value {
        Ok(())
    } else {
        Err(format!("output reads back as {again:?}"))
    }
}

/// Collects in `lost` every place where `actual` does not hold what `expected` holds.
///
/// `null`, `[]` and `{}` mean "nothing" in Lago's payloads and may come back absent. Numbers must come
/// back as numbers and strings as strings; decimals compare by value (`"28.0"` is written back `"28"`).
fn kept(expected: &Value, actual: &Value, path: &str, lost: &mut Vec<String>) {
    let nothing = |v: &Value| match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let same = match (expected, actual) {
        _ if nothing(expected) => nothing(actual) || expected == actual,
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                kept(
                    value,
                    a.get(key).unwrap_or(&Value::Null),
                    &format!("{path}.{key}"),
                    lost,
                );
            }
            true
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                kept(e, a, &format!("{path}[{i}]"), lost);
            }
            true
        }
        (Value::Number(_), Value::Number(_)) => {
            decimal::from_json(expected) == decimal::from_json(actual)
        }
        (Value::String(e), Value::String(a)) => {
            e == a || decimal::parse(e).is_some_and(|e| decimal::parse(a) == Some(e))
        }
        _ => expected == actual,
    };
    if !same {
        lost.push(format!("{path}: {expected} → {actual}"));
    }
}
