//! The guest side of the Lagom plugin ABI v1: the `lagom_abi_version` and `lagom_alloc` exports, and the glue
//! the export macros call to read a request from linear memory and leave a response there.
//!
//! The protocol (see `docs/plugins.md`): the host calls `lagom_alloc(len)`, writes `len` bytes of UTF-8 JSON
//! at the returned pointer, then calls `lagom_price(ptr, len)` or `lagom_aggregate(ptr, len)`, which own the
//! request from then on and return `(ptr << 32) | len` of a UTF-8 JSON response `{"ok": …}` or
//! `{"error": "…"}` that stays in memory until the instance is dropped (the host uses each instance once).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{ABI_VERSION, Event, PriceInput, PriceOutput, State, Step, fold};

/// The ABI version this guest speaks.
#[unsafe(no_mangle)]
pub extern "C" fn lagom_abi_version() -> i32 {
    ABI_VERSION
}

/// Reserves `len` bytes for the host to write a request into; returns their address (0 if `len` is negative).
#[unsafe(no_mangle)]
pub extern "C" fn lagom_alloc(len: i32) -> i32 {
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    let buffer: Box<[u8]> = vec![0; len].into_boxed_slice();
    // Addresses are 32-bit on wasm32, the only target the host loads.
    Box::into_raw(buffer).cast::<u8>() as usize as i32
}

/// The batch `lagom_aggregate` receives.
#[derive(serde::Deserialize)]
struct AggregateInput {
    events: Vec<Event>,
    state: State,
    #[serde(default)]
    properties: Value,
}

/// Runs a price function on the request at (`ptr`, `len`); the body of the `lagom_price` export.
pub fn price_call(ptr: i32, len: i32, price: fn(PriceInput) -> Result<PriceOutput, String>) -> i64 {
    respond(take_request(ptr, len).and_then(price))
}

/// Folds the request's events with an aggregate function; the body of the `lagom_aggregate` export.
pub fn aggregate_call(
    ptr: i32,
    len: i32,
    aggregate: fn(&Event, &State, &Value) -> Result<Step, String>,
) -> i64 {
    let outcome = take_request::<AggregateInput>(ptr, len)
        .and_then(|input| fold(&input.events, input.state, &input.properties, aggregate));
    respond(outcome)
}

/// Takes back the buffer `lagom_alloc` handed out and parses the JSON the host wrote into it.
fn take_request<T: DeserializeOwned>(ptr: i32, len: i32) -> Result<T, String> {
    let len = usize::try_from(len).map_err(|_| format!("request length {len} is negative"))?;
    let ptr = ptr as u32 as usize as *mut u8;
    // SAFETY: the ABI says (`ptr`, `len`) is a buffer `lagom_alloc(len)` returned, so it is exactly the boxed
    // slice leaked there, not yet reclaimed: this instance is called once.
    let request: Box<[u8]> = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) };
    serde_json::from_slice(&request).map_err(|e| format!("cannot read the request: {e}"))
}

/// Writes `{"ok": value}` or `{"error": message}` to memory the host reads, and returns its packed address.
fn respond<T: Serialize>(outcome: Result<T, String>) -> i64 {
    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Response<T> {
        Ok(T),
        Error(String),
    }
    let response = match outcome {
        Ok(value) => Response::Ok(value),
        Err(message) => Response::Error(message),
    };
    // Serialising decimals, strings and JSON values cannot fail; the fallback only keeps the reply well-formed.
    let bytes = serde_json::to_vec(&response)
        .unwrap_or_else(|_| br#"{"error":"cannot write the response"}"#.to_vec());
    let len = bytes.len() as u32;
    // Leaked on purpose: the host reads it after this call returns, then drops the whole instance.
    let ptr = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>() as usize as u32;
    (i64::from(ptr) << 32) | i64::from(len)
}
