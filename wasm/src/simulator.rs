//! The simulator: `simulate` and `validate` over a scenario document, and the [`Workspace`] that keeps
//! loaded events in wasm memory between runs.

use lagom_core::Error;
use lagom_core::event::Event;
use lagom_core::event_import::{self, Format, Import, RowError};
use lagom_core::simulate::{CustomCode, NoCustomCode, Scenario, Session};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::custom::JsCustom;
use crate::{thrown, to_js, to_json, to_json_text};

/// Replays a scenario (the `lagom simulate` document) and returns its output, the same JSON as
/// `lagom simulate --format json`.
#[wasm_bindgen(unchecked_return_type = "SimulationOutput")]
///
/// `options.custom` prices `custom` charges and folds `custom_agg` metrics (see [`crate::custom`]).
pub fn simulate(
    #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let custom = JsCustom::from_options(&options).map_err(thrown)?;
    let output = read_scenario(scenario)
        .and_then(|scenario| lagom_core::simulate::simulate_with(&scenario, code(&custom)))
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
        None => to_json_text(scenario),
    };
    let problems = match text {
        Ok(text) => lagom_core::simulate::validate(&text),
        Err(err) => vec![err.into()],
    };
    to_js(&problems)
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
#[derive(Serialize, tsify::Tsify)]
struct LoadReport<'a> {
    /// The events this call added.
    loaded: usize,
    /// The events the workspace holds now.
    total: usize,
    #[tsify(type = "LoadError[]")]
    errors: &'a [RowError],
}

/// The text formats `Workspace.loadEvents` reads (see [`Format::from_name`]).
#[wasm_bindgen(typescript_custom_section)]
const EVENT_FORMAT: &str = r#"
/** The text formats `Workspace.loadEvents` reads. */
export type EventFormat = 'json' | 'ndjson' | 'csv';
"#;

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
    ///
    /// `options.custom` prices `custom` charges and folds `custom_agg` metrics.
    pub fn simulate(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let custom = JsCustom::from_options(&options).map_err(thrown)?;
        let output = read_scenario(scenario)
            .and_then(|scenario| self.session.simulate_with(&scenario, code(&custom)))
            .map_err(thrown)?;
        to_js(&output)
    }
}

/// The custom code a run was given, or none.
fn code(custom: &Option<JsCustom>) -> &dyn CustomCode {
    match custom {
        Some(custom) => custom,
        None => &NoCustomCode,
    }
}

fn read_scenario(scenario: JsValue) -> Result<Scenario, Error> {
    Scenario::parse(&to_json_text(scenario)?)
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
