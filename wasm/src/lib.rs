//! The core for JavaScript, compiled to WebAssembly: the eval contracts, the simulator, scenario
//! validation, price curves and a [`Workspace`] that keeps loaded events in wasm memory.
//!
//! A thin adapter: each export takes a plain JS object, hands it to the core as JSON text (so the
//! wasm build reads exactly what `lagom eval` and `lagom simulate` read) and returns the answer as a
//! plain JS object. A core error is thrown as a plain `{code, path, message}` object, which the package's
//! JS glue (`wasm/js/index.js`) turns into a `LagomError`. No billing logic lives here.
//!
//! A panic cannot unwind on `wasm32-unknown-unknown`: it traps, and JavaScript sees a
//! `WebAssembly.RuntimeError`. The panic hook installed at start-up keeps the panic's message so the glue
//! can put it into the error it throws ([`take_panic_message`]).

#![forbid(unsafe_code)]

use std::sync::Mutex;

use lagom_core::Error;
use lagom_core::eval::Contract;
use lagom_core::event::Event;
use lagom_core::event_import::{self, Format, Import, RowError};
use lagom_core::simulate::{Scenario, Session};
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

/// Replays a scenario (the `lagom simulate` document) and returns its output, the same JSON as
/// `lagom simulate --format json`.
#[wasm_bindgen(unchecked_return_type = "SimulationOutput")]
pub fn simulate(
    #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
) -> Result<JsValue, JsValue> {
    let output = read_scenario(scenario)
        .and_then(|scenario| lagom_core::simulate::simulate(&scenario))
        .map_err(thrown)?;
    to_js(&output)
}

/// Every problem of a scenario document (an object, or its JSON text), each with its JSON path;
/// `[]` when `simulate` will accept it. Never throws for bad input: a value that is not JSON is one
/// problem.
#[wasm_bindgen(unchecked_return_type = "Problem[]")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "unknown")] scenario: JsValue,
) -> Result<JsValue, JsValue> {
    let text = match scenario.as_string() {
        Some(text) => Ok(text),
        None => to_json(scenario).map(|document| document.to_string()),
    };
    let problems = match text {
        Ok(text) => lagom_core::simulate::validate(&text),
        Err(err) => vec![err.into()],
    };
    to_js(&problems)
}

/// Prices evenly spaced units with one charge: `range.steps + 1` points from `range.from` to
/// `range.to`, for charts.
#[wasm_bindgen(js_name = priceCurve, unchecked_return_type = "PricePoint[]")]
pub fn price_curve(
    #[wasm_bindgen(unchecked_param_type = "CurveCharge")] charge: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CurveRange")] range: JsValue,
) -> Result<JsValue, JsValue> {
    let points = curve(charge, range).map_err(thrown)?;
    to_js(&points)
}

fn curve(charge: JsValue, range: JsValue) -> Result<Vec<lagom_core::charge::PricePoint>, Error> {
    let charge = to_json(charge)?;
    let range = to_json(range)?;
    let model = charge["charge_model"]
        .as_str()
        .ok_or_else(|| Error::invalid("charge_model", "must be a charge model's name"))?;
    let properties = match &charge["properties"] {
        serde_json::Value::Null => serde_json::json!({}),
        properties => properties.clone(),
    };
    let bound = |key: &str| {
        lagom_core::decimal::from_json(&range[key])
            .ok_or_else(|| Error::invalid(key, format!("must be a decimal (got {})", range[key])))
    };
    let steps = range["steps"]
        .as_u64()
        .and_then(|steps| u32::try_from(steps).ok())
        .ok_or_else(|| {
            Error::invalid(
                "steps",
                format!("must be a whole number (got {})", range["steps"]),
            )
        })?;
    lagom_core::charge::price_curve(model, &properties, bound("from")?, bound("to")?, steps)
}

/// Events loaded once and kept in wasm memory, replayed with each scenario simulated.
///
/// It holds a [`Session`], which keeps the aggregations over the loaded events between runs: after an
/// edit that changes only prices, `simulate` re-prices without re-aggregating.
///
/// The package's JS `Workspace` wraps this class (turning failures into `LagomError`s) and its
/// hand-written type is the public one: wasm-bindgen's declaration of this class needs
/// `Symbol.dispose`, which TypeScript's ES2022 library lacks.
#[wasm_bindgen(skip_typescript)]
#[derive(Default)]
pub struct Workspace {
    session: Session,
}

/// What `loadEvents` did: the events it added, how many the workspace holds, the rows it skipped.
#[derive(Serialize)]
struct LoadReport<'a> {
    loaded: usize,
    total: usize,
    errors: &'a [RowError],
}

#[wasm_bindgen]
impl Workspace {
    /// An empty workspace.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Appends events: an array of events, or text in `format` (`ndjson` by default for text,
    /// `json` or `csv`). Bad rows are skipped and reported with their 1-based line.
    #[wasm_bindgen(js_name = loadEvents, unchecked_return_type = "LoadReport")]
    pub fn load_events(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LagoEvent[] | string")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EventFormat")] format: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let import = read_events(input, format.as_deref()).map_err(thrown)?;
        let loaded = import.events.len();
        self.session.load_events(import.events);
        to_js(&LoadReport {
            loaded,
            total: self.session.events().len(),
            errors: &import.errors,
        })
    }

    /// How many events the workspace holds.
    #[wasm_bindgen(getter, js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.session.events().len()
    }

    /// Forgets every loaded event.
    #[wasm_bindgen(js_name = clearEvents)]
    pub fn clear_events(&mut self) {
        self.session.clear_events();
    }

    /// Up to `limit` loaded events from `offset`, in load order (for a paged table).
    #[wasm_bindgen(unchecked_return_type = "LagoEvent[]")]
    pub fn events(&self, offset: usize, limit: usize) -> Result<JsValue, JsValue> {
        let page: Vec<&Event> = self
            .session
            .events()
            .iter()
            .skip(offset)
            .take(limit)
            .collect();
        to_js(&page)
    }

    /// Replays `scenario` with the loaded events, each as an `event` step at its own timestamp.
    #[wasm_bindgen(unchecked_return_type = "SimulationOutput")]
    pub fn simulate(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
    ) -> Result<JsValue, JsValue> {
        let output = read_scenario(scenario)
            .and_then(|scenario| self.session.simulate(&scenario))
            .map_err(thrown)?;
        to_js(&output)
    }
}

fn read_scenario(scenario: JsValue) -> Result<Scenario, Error> {
    let document = to_json(scenario)?;
    Scenario::parse(&document.to_string())
}

fn read_events(input: JsValue, format: Option<&str>) -> Result<Import, Error> {
    if let Some(text) = input.as_string() {
        let format = Format::from_name(format.unwrap_or("ndjson"), "format")?;
        return Ok(event_import::read(&text, format));
    }
    match to_json(input)? {
        serde_json::Value::Array(items) => Ok(event_import::from_values(items)),
        other => Err(Error::invalid(
            "",
            format!("must be an array of events or text (got {other})"),
        )),
    }
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
