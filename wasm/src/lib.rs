//! The core's eval contracts for JavaScript, compiled to WebAssembly.
//!
//! A thin adapter: each export takes a plain JS object, hands it to [`lagom_core::eval::Contract::run`] as
//! JSON text (so the wasm build reads exactly what `lagom eval` reads) and returns the answer as a plain
//! JS object. A core error is thrown as a plain `{code, path, message}` object, which the package's
//! JS glue (`wasm/js/index.js`) turns into a `LagomError`. No billing logic lives here.
//!
//! A panic cannot unwind on `wasm32-unknown-unknown`: it traps, and JavaScript sees a
//! `WebAssembly.RuntimeError`. The panic hook installed at start-up keeps the panic's message so the glue
//! can put it into the error it throws ([`take_panic_message`]).

#![forbid(unsafe_code)]

use std::sync::Mutex;

use lagom_core::Error;
use lagom_core::eval::Contract;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONTRACT_TYPES: &str = include_str!("contracts.d.ts");

/// Prices units with one charge model (the `charge` contract).
#[wasm_bindgen(
    js_name = evalCharge,
    unchecked_return_type = "ChargeEvalOutput"
)]
pub fn eval_charge(
    #[wasm_bindgen(unchecked_param_type = "ChargeEvalInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    run(Contract::Charge, input)
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

/// Runs `contract` on a JS value: JS → JSON text (what `lagom eval` reads) → core → plain JS object.
fn run(contract: Contract, input: JsValue) -> Result<JsValue, JsValue> {
    let document = to_json(input).map_err(thrown)?;
    let answer = contract.run(&document.to_string()).map_err(thrown)?;
    to_js(&answer)
}

/// Reads a JS value as JSON; a value JSON cannot hold (a symbol, a function, a huge `BigInt`) is an error
/// at its path.
fn to_json(input: JsValue) -> Result<serde_json::Value, Error> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(input)).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        // serde-wasm-bindgen's errors are JS `Error`s, whose text starts with "Error: ".
        let reason = e.into_inner().to_string();
        let reason = reason.strip_prefix("Error: ").unwrap_or(&reason);
        Error::invalid(path, format!("not a JSON value: {reason}"))
    })
}

/// What the glue receives when a contract fails; `LagomError` copies these fields.
#[derive(Serialize)]
struct Thrown {
    code: &'static str,
    path: Option<String>,
    message: String,
}

fn thrown(err: Error) -> JsValue {
    let thrown = Thrown {
        code: code(&err),
        path: err.path().map(str::to_owned),
        message: err.to_string(),
    };
    to_js(&thrown).unwrap_or_else(|e| e)
}

/// A stable, machine-readable name for the kind of failure.
fn code(err: &Error) -> &'static str {
    match err {
        Error::Invalid { .. } => "invalid",
        Error::UnknownVariant { .. } => "unknown_variant",
        Error::Overflow { .. } => "overflow",
        Error::DivisionByZero { .. } => "division_by_zero",
        Error::Custom { .. } => "custom",
    }
}

/// Serializes to plain JS objects and numbers (not `Map`s or `BigInt`s), as `JSON.parse` would give.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(JsValue::from)
}

/// The message of the last panic, kept by the hook [`start`] installs.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Installs the panic hook when the module is instantiated.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(info.to_string());
        }
    }));
}

/// Returns and forgets the message of the last panic, if any (the glue calls it after a trap).
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|mut last| last.take())
}
