//! Custom code from JavaScript: the `custom` option of `evalCharge`, `simulate` and
//! `Workspace.simulate`, adapted to the core's [`CustomCode`].
//!
//! The option is either callbacks, `{price?, aggregate?}`, or plugins, `{plugins: [plugin, …]}` (the
//! package's `Plugin`s, from `loadPlugin`). Callbacks price every `custom` charge and fold every
//! `custom_agg` metric. Plugins are chosen as the native host chooses them (`host/src/plugin/custom.rs`),
//! by the charge's `properties.plugin`: one exporting `lagom_price` prices the charge, one exporting only
//! `lagom_aggregate` folds the charge's `custom_agg` metric and the charge takes Lago's own rule.
//!
//! Both see the plugin ABI's documents (`docs/plugins.md`): decimals as strings, timestamps
//! `YYYY-MM-DDTHH:MM:SSZ`. A plugin gets the request as JSON text and answers JSON text, read here as
//! the host reads it; a callback gets the same documents as plain objects. Every answer is checked
//! here: a bad answer, a thrown exception or a failing plugin fails the charge with [`Error::Custom`],
//! whose path the core extends to the charge (`plans.pro.charges[0]`). Nothing here holds billing
//! logic: the callbacks and plugins do.

use js_sys::{Array, Function, Reflect};
use lagom_core::Error;
use lagom_core::charge::{
    AggregationAmount, ChargeResult, CustomPricing, CustomRequest, PLUGIN_PROPERTY, chosen_plugin,
};
use lagom_core::event::Event;
use lagom_core::metric::{CustomAggregator, CustomState};
use lagom_core::plugin_abi::{self, PriceRequest, ResponseError, StateText};
use lagom_core::simulate::CustomCode;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::{to_js, to_json};

/// The custom code a call was given.
pub(crate) enum JsCustom {
    /// `{price?, aggregate?}`: functions called for every custom charge and custom aggregation.
    Callbacks {
        price: Option<Function>,
        aggregate: Option<AggregateCallback>,
    },
    /// `{plugins: [...]}`: plugins chosen by `properties.plugin`.
    Plugins(Vec<JsPlugin>),
}

/// An `aggregate(event, state, properties)` callback: Lago's custom aggregation, one event at a time.
pub(crate) struct AggregateCallback(Function);

/// A loaded plugin, as the package's JS `Plugin` presents it: its name, which calls it exports, and
/// `call(kind, request)`, one ABI call on JSON text in a fresh instance.
pub(crate) struct JsPlugin {
    object: JsValue,
    name: String,
    price: bool,
    aggregate: bool,
    call: Function,
}

impl JsCustom {
    /// Reads `options.custom`: none when `options` or `custom` is missing.
    pub(crate) fn from_options(options: &JsValue) -> Result<Option<JsCustom>, Error> {
        let Some(options) = optional_object(options, "options", "an object like {custom}")? else {
            return Ok(None);
        };
        let Some(custom) = optional_object(
            &field(options, "custom"),
            "custom",
            "callbacks {price?, aggregate?} or {plugins: [...]}",
        )?
        .cloned() else {
            return Ok(None);
        };
        let plugins = field(&custom, "plugins");
        let price = optional_function(&custom, "price")?;
        let aggregate = optional_function(&custom, "aggregate")?;
        if plugins.is_undefined() {
            return Ok(Some(JsCustom::Callbacks {
                price,
                aggregate: aggregate.map(AggregateCallback),
            }));
        }
        if price.is_some() || aggregate.is_some() {
            return Err(Error::invalid(
                "custom",
                "takes callbacks (price, aggregate) or plugins, not both",
            ));
        }
        let Some(list) = plugins.dyn_ref::<Array>() else {
            return Err(Error::invalid(
                "custom.plugins",
                format!(
                    "must be an array of plugins from loadPlugin (got {})",
                    describe(&plugins)
                ),
            ));
        };
        let mut read: Vec<JsPlugin> = Vec::new();
        for (index, object) in list.iter().enumerate() {
            let plugin = JsPlugin::read(object, &format!("custom.plugins[{index}]"))?;
            if read.iter().any(|other| other.name == plugin.name) {
                return Err(Error::invalid(
                    format!("custom.plugins[{index}].name"),
                    format!("a plugin named `{}` is given twice", plugin.name),
                ));
            }
            read.push(plugin);
        }
        Ok(Some(JsCustom::Plugins(read)))
    }

    /// The plugin a charge's `properties` name, or why there is none (the core's rule, as the native
    /// host's).
    fn charge_plugin<'p>(
        plugins: &'p [JsPlugin],
        properties: &Value,
    ) -> Result<&'p JsPlugin, String> {
        let loaded: Vec<&str> = plugins.iter().map(|p| p.name.as_str()).collect();
        let name = chosen_plugin(properties, &loaded)?;
        plugins
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("no plugin `{name}` is loaded"))
    }
}

impl CustomPricing for JsCustom {
    fn price(&self, request: &CustomRequest<'_>) -> Result<ChargeResult, String> {
        match self {
            JsCustom::Callbacks {
                price: Some(price), ..
            } => {
                let document = to_js(&PriceRequest::of(request))
                    .map_err(|e| format!("cannot hand over the request: {}", thrown_text(&e)))?;
                let answer = price
                    .call1(&JsValue::UNDEFINED, &document)
                    .map_err(|e| format!("the `price` callback threw: {}", thrown_text(&e)))?;
                to_json(answer)
                    .map_err(|e| e.to_string())
                    .and_then(|answer| read_charge(&answer, request, ""))
                    .map_err(|reason| format!("the `price` callback answered badly: {reason}"))
            }
            JsCustom::Callbacks { price: None, .. } => {
                lago_rule(request, || "no `price` callback was given".to_owned())
            }
            JsCustom::Plugins(plugins) => {
                let plugin = JsCustom::charge_plugin(plugins, request.properties)?;
                if !plugin.price {
                    return lago_rule(request, || {
                        format!("plugin `{}` exports only lagom_aggregate", plugin.name)
                    });
                }
                let answer = plugin.call("price", &PriceRequest::of(request))?;
                read_charge(&answer, request, "ok.").map_err(|reason| plugin.malformed(&reason))
            }
        }
    }
}

impl CustomCode for JsCustom {
    fn pricing(&self) -> Option<&dyn CustomPricing> {
        Some(self)
    }

    fn aggregator(&self, charge_properties: &Map<String, Value>) -> Option<&dyn CustomAggregator> {
        match self {
            JsCustom::Callbacks { aggregate, .. } => aggregate
                .as_ref()
                .map(|callback| callback as &dyn CustomAggregator),
            JsCustom::Plugins(plugins) => {
                let name = charge_properties.get(PLUGIN_PROPERTY)?.as_str()?;
                // A plugin without `lagom_aggregate` folds nothing (and its charge's aggregations
                // stay cacheable).
                let plugin = plugins.iter().find(|p| p.name == name && p.aggregate)?;
                Some(plugin)
            }
        }
    }
}

/// Lago's own custom rule (the custom aggregation's amount) when nothing prices the charge itself;
/// without a custom aggregation there is nothing to price from, which `why` explains.
fn lago_rule(
    request: &CustomRequest<'_>,
    why: impl FnOnce() -> String,
) -> Result<ChargeResult, String> {
    if request.custom_aggregation.is_none() {
        return Err(format!(
            "{}: it prices the charge of a custom_agg metric, from the aggregation it computed",
            why()
        ));
    }
    AggregationAmount.price(request)
}

impl CustomAggregator for AggregateCallback {
    /// Calls `aggregate(event, state, properties)`; its answer is the step, `{total_units, amount}`.
    fn aggregate(
        &self,
        event: &Event,
        state: CustomState,
        properties: &Map<String, Value>,
    ) -> lagom_core::Result<CustomState> {
        let handed =
            |e: JsValue| failed(format!("cannot hand over the event: {}", thrown_text(&e)));
        let event = to_js(event).map_err(handed)?;
        let state = to_js(&StateText::from(state)).map_err(handed)?;
        let properties = to_js(properties).map_err(handed)?;
        let answer = self
            .0
            .call3(&JsValue::UNDEFINED, &event, &state, &properties)
            .map_err(|e| {
                failed(format!(
                    "the `aggregate` callback threw: {}",
                    thrown_text(&e)
                ))
            })?;
        to_json(answer)
            .map_err(|e| e.to_string())
            .and_then(|answer| plugin_abi::read_state(&answer, ""))
            .map_err(|reason| failed(format!("the `aggregate` callback answered badly: {reason}")))
    }
}

impl CustomAggregator for JsPlugin {
    /// One event through `lagom_aggregate`: the plugin answers the folded state, and the core's step
    /// is its units and the amount it added (as the native host does).
    fn aggregate(
        &self,
        event: &Event,
        state: CustomState,
        properties: &Map<String, Value>,
    ) -> lagom_core::Result<CustomState> {
        let request = AggregateRequest {
            events: [event],
            state: StateText::from(state),
            properties,
        };
        let answer = self.call("aggregate", &request).map_err(failed)?;
        let after = plugin_abi::read_state(&answer, "ok.")
            .map_err(|reason| failed(self.malformed(&reason)))?;
        plugin_abi::aggregation_step(state, after).map_err(failed)
    }
}

impl JsPlugin {
    /// Reads a `Plugin` at `path` of the option.
    fn read(object: JsValue, path: &str) -> Result<JsPlugin, Error> {
        let not_a_plugin = || {
            Error::invalid(
                path,
                format!(
                    "must be a plugin from loadPlugin (got {})",
                    describe(&object)
                ),
            )
        };
        if !object.is_object() {
            return Err(not_a_plugin());
        }
        let name = field(&object, "name")
            .as_string()
            .ok_or_else(not_a_plugin)?;
        let calls = field(&object, "calls");
        let call = field(&object, "call")
            .dyn_into::<Function>()
            .map_err(|_| not_a_plugin())?;
        Ok(JsPlugin {
            price: field(&calls, "price").as_bool().unwrap_or(false),
            aggregate: field(&calls, "aggregate").as_bool().unwrap_or(false),
            name,
            call,
            object,
        })
    }

    /// One ABI call: the request as JSON text in, the response's `ok` value out (its `error`, a failed
    /// call or a malformed response becomes the reason, naming the plugin).
    fn call(&self, kind: &str, request: &impl Serialize) -> Result<Value, String> {
        let text = serde_json::to_string(request)
            .map_err(|e| format!("cannot encode the request: {e}"))?;
        let response = self
            .call
            .call2(&self.object, &JsValue::from_str(kind), &JsValue::from(text))
            .map_err(|e| thrown_text(&e))?;
        let response = response
            .as_string()
            .ok_or_else(|| self.malformed("not text"))?;
        self.parse_response(&response)
    }

    /// Reads a response by the ABI's rules (the core's, as the native host reads it).
    fn parse_response(&self, text: &str) -> Result<Value, String> {
        plugin_abi::read_response(text.as_bytes()).map_err(|error| match error {
            ResponseError::Malformed(reason) => self.malformed(&reason),
            ResponseError::Failed(message) => format!("plugin `{}`: failed: {message}", self.name),
        })
    }

    fn malformed(&self, reason: &str) -> String {
        format!(
            "plugin `{}`: returned a malformed response: {reason}",
            self.name
        )
    }
}

/// A custom aggregation's failure; the core names the event and the charge.
fn failed(reason: String) -> Error {
    Error::Custom {
        path: String::new(),
        reason,
    }
}

/// `lagom_aggregate`'s request for one event.
#[derive(Serialize)]
struct AggregateRequest<'a> {
    events: [&'a Event; 1],
    state: StateText,
    properties: &'a Map<String, Value>,
}

/// A price answer read by the ABI's rules (`prefix` is where it sits: `ok.` in a plugin's response);
/// without `unit_amount`, Lago's rule: the amount over the units.
fn read_charge(
    answer: &Value,
    request: &CustomRequest<'_>,
    prefix: &str,
) -> Result<ChargeResult, String> {
    plugin_abi::read_price(answer, prefix)?
        .into_charge_result(request.full_units.unwrap_or(request.units))
}

/// `object[key]`; undefined when it cannot be read.
fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `value` when it is an object, none when it is undefined or null, else an error at `path` saying
/// what it must be.
fn optional_object<'v>(
    value: &'v JsValue,
    path: &str,
    expected: &str,
) -> Result<Option<&'v JsValue>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() {
        return Err(Error::invalid(
            path,
            format!("must be {expected} (got {})", describe(value)),
        ));
    }
    Ok(Some(value))
}

/// `object[key]` when it is a function, none when it is undefined.
fn optional_function(object: &JsValue, key: &str) -> Result<Option<Function>, Error> {
    let value = field(object, key);
    if value.is_undefined() {
        return Ok(None);
    }
    value.dyn_into::<Function>().map(Some).map_err(|value| {
        Error::invalid(
            format!("custom.{key}"),
            format!("must be a function (got {})", describe(&value)),
        )
    })
}

/// What a thrown value says: an `Error`'s message, a string, else its JSON.
fn thrown_text(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    if let Some(text) = value.as_string() {
        return text;
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| describe(value))
}

/// A JS value's type, for error messages.
fn describe(value: &JsValue) -> String {
    if value.is_null() {
        return "null".to_owned();
    }
    if Array::is_array(value) {
        return "an array".to_owned();
    }
    value
        .js_typeof()
        .as_string()
        .unwrap_or_else(|| "a value".to_owned())
}
