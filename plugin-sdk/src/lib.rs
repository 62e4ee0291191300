//! `lagom-plugin`: write a Lagom custom-pricing plugin as a plain Rust function.
//!
//! A plugin is a WebAssembly module (built for `wasm32-unknown-unknown`) that speaks the Lagom plugin ABI,
//! version [`ABI_VERSION`], described in `docs/plugins.md`. This crate owns the guest side of that ABI: the
//! request and response types, the exports every plugin needs (`lagom_abi_version`, `lagom_alloc`), and two
//! macros that export your function as `lagom_price` or `lagom_aggregate`:
//!
//! ```
//! use lagom_plugin::{Decimal, PriceInput, PriceOutput};
//!
//! /// Every unit costs `properties.unit_amount`.
//! fn price(input: PriceInput) -> Result<PriceOutput, String> {
//!     let unit_amount = lagom_plugin::decimal_property(&input.properties, "unit_amount")?;
//!     let amount = input.units.checked_mul(unit_amount).ok_or("amount overflows")?;
//!     Ok(PriceOutput::new(amount))
//! }
//!
//! lagom_plugin::export_price!(price);
//! # let input = PriceInput {
//! #     units: Decimal::from(3),
//! #     properties: serde_json::json!({"unit_amount": "1.5"}),
//! #     context: Default::default(),
//! # };
//! # assert_eq!(price(input).unwrap().amount, Decimal::new(45, 1));
//! ```
//!
//! Errors are plain `String`s: the host reports them as the plugin's own words. Numbers are
//! [`Decimal`]s and cross the boundary as decimal strings, never floats.

mod abi;
mod event;

use serde::{Deserialize, Serialize};

pub use event::Event;
pub use rust_decimal::Decimal;
pub use serde_json::{Map, Value};

#[doc(hidden)]
pub use abi::{aggregate_call as __aggregate_call, price_call as __price_call};

/// The version of the Lagom plugin ABI this crate implements (returned by the `lagom_abi_version` export).
pub const ABI_VERSION: i32 = 1;

/// What `lagom_price` receives: the units to price, the charge's properties, and the period's context.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PriceInput {
    /// The number of units the charge's billable metric aggregated over the period.
    pub units: Decimal,
    /// The charge's properties, as configured (any JSON object).
    #[serde(default)]
    pub properties: Value,
    /// The period's events and boundaries.
    #[serde(default)]
    pub context: Context,
}

/// The period a price is computed for.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Context {
    /// The period's events, in timestamp order.
    #[serde(default)]
    pub events: Vec<Event>,
    /// The charges period's first instant (`YYYY-MM-DDTHH:MM:SSZ`), when the caller knows the period
    /// (a simulation does; the `charge` eval contract does not).
    #[serde(default)]
    pub from_datetime: Option<String>,
    /// The charges period's last instant (`YYYY-MM-DDTHH:MM:SSZ`), when the caller knows the period
    /// (a simulation does; the `charge` eval contract does not).
    #[serde(default)]
    pub to_datetime: Option<String>,
}

/// What a price function returns: Lago's `amount`, and optionally `unit_amount` and `amount_details`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct PriceOutput {
    /// The charge's amount, in the currency's main unit (e.g. euros, not cents).
    pub amount: Decimal,
    /// The price of one unit; when absent the host uses `amount / units` (0 when there are no units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<Decimal>,
    /// Any JSON the plugin wants to show beside the amount (how it was computed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_details: Option<Value>,
}

impl PriceOutput {
    /// An amount with neither unit amount nor details.
    ///
    /// ```
    /// let output = lagom_plugin::PriceOutput::new(lagom_plugin::Decimal::from(7));
    /// assert_eq!(output.unit_amount, None);
    /// ```
    pub fn new(amount: Decimal) -> Self {
        PriceOutput {
            amount,
            unit_amount: None,
            amount_details: None,
        }
    }
}

/// The running state of a custom aggregation (Lago's `{total_units, amount}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
pub struct State {
    /// The units aggregated so far.
    pub total_units: Decimal,
    /// The amount charged so far.
    pub amount: Decimal,
}

/// What an aggregate function returns for one event, as in Lago's custom aggregation: the new running
/// `total_units` (it replaces the state's), and this event's own `amount` (it is added to the state's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
pub struct Step {
    /// The units aggregated so far, this event included.
    pub total_units: Decimal,
    /// What this event costs.
    pub amount: Decimal,
}

/// Folds `events` into `state` with `aggregate`, Lago's way: each step's `total_units` replaces the state's,
/// each step's `amount` is added to it. This is what [`export_aggregate!`] runs over each batch of events.
///
/// ```
/// use lagom_plugin::{fold, Decimal, Event, State, Step, Value};
///
/// // One unit and 2.5 per event.
/// let per_event = |_: &Event, state: &State, _: &Value| -> Result<Step, String> {
///     Ok(Step { total_units: state.total_units + Decimal::ONE, amount: Decimal::new(25, 1) })
/// };
/// let events = vec![Event::at("2024-03-01T10:00:00Z"), Event::at("2024-03-01T11:00:00Z")];
/// let state = fold(&events, State::default(), &Value::Null, per_event).unwrap();
/// assert_eq!((state.total_units, state.amount), (Decimal::from(2), Decimal::from(5)));
/// ```
pub fn fold(
    events: &[Event],
    mut state: State,
    properties: &Value,
    mut aggregate: impl FnMut(&Event, &State, &Value) -> Result<Step, String>,
) -> Result<State, String> {
    for (index, event) in events.iter().enumerate() {
        let step =
            aggregate(event, &state, properties).map_err(|e| format!("events[{index}]: {e}"))?;
        state = State {
            total_units: step.total_units,
            amount: state
                .amount
                .checked_add(step.amount)
                .ok_or_else(|| format!("events[{index}]: the running amount overflows"))?,
        };
    }
    Ok(state)
}

/// Reads a decimal from `properties[key]`, given as a decimal string (`"0.25"`) or a JSON integer.
///
/// ```
/// let properties = serde_json::json!({"rate": "0.25", "count": 3});
/// assert_eq!(lagom_plugin::decimal_property(&properties, "rate"), Ok(lagom_plugin::Decimal::new(25, 2)));
/// assert_eq!(lagom_plugin::decimal_property(&properties, "count"), Ok(lagom_plugin::Decimal::from(3)));
/// assert!(lagom_plugin::decimal_property(&properties, "missing").is_err());
/// ```
pub fn decimal_property(properties: &Value, key: &str) -> Result<Decimal, String> {
    match properties.get(key) {
        None | Some(Value::Null) => Err(format!("properties.{key}: is required")),
        Some(value) => decimal(value).map_err(|reason| format!("properties.{key}: {reason}")),
    }
}

/// Reads a decimal from a JSON value: a decimal string (`"12.5"`) or a JSON integer. Floats are refused:
/// they are not exact.
///
/// ```
/// use lagom_plugin::{decimal, Decimal};
/// assert_eq!(decimal(&serde_json::json!("12.5")), Ok(Decimal::new(125, 1)));
/// assert!(decimal(&serde_json::json!(0.1)).is_err());
/// ```
pub fn decimal(value: &Value) -> Result<Decimal, String> {
    let parsed = match value {
        Value::String(text) => text.trim().parse::<Decimal>().ok(),
        Value::Number(number) => number.as_i64().map(Decimal::from),
        _ => None,
    };
    parsed.ok_or_else(|| format!("must be a decimal string or an integer (got {value})"))
}

/// Exports `$function` (`fn(PriceInput) -> Result<PriceOutput, String>`) as the plugin's `lagom_price`.
///
/// Use it once per plugin, at the crate's top level; it may sit beside [`export_aggregate!`].
#[macro_export]
macro_rules! export_price {
    ($function:path) => {
        /// The `lagom_price` export of the Lagom plugin ABI, generated by `lagom_plugin::export_price!`.
        #[unsafe(no_mangle)]
        pub extern "C" fn lagom_price(ptr: i32, len: i32) -> i64 {
            $crate::__price_call(ptr, len, $function)
        }
    };
}

/// Exports `$function` (`fn(&Event, &State, &Value) -> Result<Step, String>`, Lago's
/// `aggregate(event, state, properties)`) as the plugin's `lagom_aggregate`, folded over each batch of events
/// with [`fold`].
///
/// Use it once per plugin, at the crate's top level; it may sit beside [`export_price!`].
#[macro_export]
macro_rules! export_aggregate {
    ($function:path) => {
        /// The `lagom_aggregate` export of the Lagom plugin ABI, generated by `lagom_plugin::export_aggregate!`.
        #[unsafe(no_mangle)]
        pub extern "C" fn lagom_aggregate(ptr: i32, len: i32) -> i64 {
            $crate::__aggregate_call(ptr, len, $function)
        }
    };
}
