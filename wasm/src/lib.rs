//! The core for JavaScript, compiled to WebAssembly: the eval contracts, the simulator, scenario
//! validation, price curves and a `Workspace` that keeps loaded events in wasm memory.
//!
//! The `simulator` feature (on by default) adds `simulate`, `validate` and `Workspace`; without it the
//! module is the eval-only one the package exposes as `lagom-billing/eval` (for pricing pages: a
//! fraction of the size).
//!
//! A thin adapter: each export takes a plain JS object, hands it to the core as JSON text (so the
//! wasm build reads exactly what `lagom eval` and `lagom simulate` read) and returns the answer as a
//! plain JS object. `evalCharge` and `simulate` also take custom code (JS callbacks or plugins,
//! `custom`). A core error is thrown as a plain `{code, path, message}` object, which the package's
//! JS glue (`wasm/js/index.js`) turns into a `LagomError`. No billing logic lives here.
//!
//! A panic cannot unwind on `wasm32-unknown-unknown`: it traps, and JavaScript sees a
//! `WebAssembly.RuntimeError`. The panic hook installed at start-up keeps the panic's message so the glue
//! can put it into the error it throws ([`take_panic_message`]).

// Only the allocator (`memory`) implements an unsafe trait, by handing each call on to std's.
#![deny(unsafe_code)]

use std::sync::Mutex;

use lagom_core::Error;
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod custom;
mod eval;
#[cfg(target_arch = "wasm32")]
mod memory;
#[cfg(feature = "simulator")]
mod simulator;

pub use eval::{billing_period, eval_aggregation, eval_charge, price_curve};
#[cfg(feature = "simulator")]
pub use simulator::{Workspace, simulate, validate};

/// The package's names for core types whose Rust names differ; the declarations themselves come
/// from the core's tsify derives (its `typescript` feature).
#[wasm_bindgen(typescript_custom_section)]
const PUBLIC_NAMES: &str = r#"
/** Lago's event, as sent to `POST /events`. */
export type LagoEvent = Event;
/** One event of the period, as a charge model sees it. */
export type ChargeEvent = EventValue;
/** A charge of a plan (`billable_metric_code` names its metric). */
export type LagoCharge = Charge;
/** A plan, as `POST /plans` takes it. */
export type LagoPlan = Plan;
/** A customer, as `POST /customers` takes it. */
export type LagoCustomer = Customer;
/** The organization's billing settings. */
export type LagoOrganization = Organization;
/** A tax; `rate` is a percentage. */
export type LagoTax = Tax;
/** An add-on, billed by one-off invoices. */
export type LagoAddOn = AddOn;
/** A coupon. */
export type LagoCoupon = Coupon;
/** A subscription, as `POST /subscriptions` takes it. */
export type LagoSubscriptionCreate = Subscription;
/** An event step's body: a Lago event whose timestamp defaults to the step's instant. */
export type StepEvent = EventBody;
/** A JSON value (the name earlier versions used for `JsonValue`). */
export type Json = JsonValue;
/** Any other field of a Lago API object. */
export type LagoFields = { [key: string]: JsonValue | undefined };
"#;

/// Reads a JS value as JSON text, what the core reads; a value JSON cannot hold (a symbol, a function, a
/// huge `BigInt`) is an error at its path.
///
/// A value made only of what JSON holds goes through the host's `JSON.stringify` (the fast way: one
/// call, where reading the value itself asks JS for every field); any other goes through [`read_value`].
fn to_json_text(input: JsValue) -> Result<String, Error> {
    match plain_json(&input) {
        Some(text) => Ok(text),
        None => read_value(input).map(|value| value.to_string()),
    }
}

/// Reads a JS value as a JSON value, as [`to_json_text`] does.
fn to_json(input: JsValue) -> Result<serde_json::Value, Error> {
    match plain_json(&input).and_then(|text| serde_json::from_str(&text).ok()) {
        Some(value) => Ok(value),
        // Also what serde_json will not read back: nesting past its recursion limit.
        None => read_value(input),
    }
}

/// Reads a JS value field by field; a value JSON cannot hold is an error at its path.
fn read_value(input: JsValue) -> Result<serde_json::Value, Error> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(input)).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        // serde-wasm-bindgen's errors are JS `Error`s, whose text starts with "Error: ".
        let reason = e.into_inner().to_string();
        let reason = reason.strip_prefix("Error: ").unwrap_or(&reason);
        Error::invalid(path, format!("not a JSON value: {reason}"))
    })
}

#[wasm_bindgen(module = "/src/plain_json.js")]
extern "C" {
    /// `JSON.stringify(value)` when the value holds only null, booleans, numbers, well-formed strings,
    /// arrays and plain objects (so the text is what [`read_value`] would read), else `None`.
    #[wasm_bindgen(js_name = plainJson)]
    fn plain_json(value: &JsValue) -> Option<String>;
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
        code: err.code(),
        path: err.path().map(str::to_owned),
        message: err.to_string(),
    };
    to_js(&thrown).unwrap_or_else(|e| e)
}

/// Serializes to plain JS objects and numbers: the JSON text `lagom` writes, through `JSON.parse`.
///
/// One serializer (JSON text) for every output keeps each type's `Serialize` compiled once.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from(e.to_string()))?;
    json_parse(&text)
}

#[wasm_bindgen]
extern "C" {
    /// The host's `JSON.parse`.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
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
