//! The JSON contracts shared by `lagom eval`, the wasm package and the HTTP server.
//!
//! Each contract reads one JSON document and writes one: [`charge`] prices units with a charge model,
//! [`aggregation`] aggregates events with a billable metric, [`period`] computes a billing period. Input
//! errors name the JSON path of the offending field.

pub mod aggregation;
pub mod charge;
pub mod period;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One of the eval contracts, by the name the CLI and the HTTP routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    Charge,
    Aggregation,
    Period,
}

impl Contract {
    /// Every contract's name, in the order the CLI lists them.
    pub const NAMES: &'static [&'static str] = &["charge", "aggregation", "period"];

    /// Looks a contract up by name.
    ///
    /// ```
    /// use lagom_core::eval::Contract;
    /// assert_eq!(Contract::from_name("period", "contract").unwrap(), Contract::Period);
    /// assert!(Contract::from_name("invoice", "contract").is_err());
    /// ```
    pub fn from_name(name: &str, path: &str) -> Result<Self> {
        match name {
            "charge" => Ok(Contract::Charge),
            "aggregation" => Ok(Contract::Aggregation),
            "period" => Ok(Contract::Period),
            _ => Err(Error::unknown_variant(
                path,
                "eval contract",
                name,
                Self::NAMES,
            )),
        }
    }

    /// Runs the contract on a JSON document and returns the JSON answer.
    ///
    /// ```
    /// use lagom_core::eval::Contract;
    /// let out = Contract::Charge
    ///     .run(r#"{"charge_model":"standard","properties":{"amount":"0.5"},"units":"3"}"#)
    ///     .unwrap();
    /// assert_eq!(out["amount"], "1.5");
    /// ```
    pub fn run(self, input: &str) -> Result<serde_json::Value> {
        match self {
            Contract::Charge => to_json(&charge::evaluate(&from_json(input)?)?),
            Contract::Aggregation => to_json(&aggregation::evaluate(&from_json(input)?)?),
            Contract::Period => to_json(&period::evaluate(&from_json(input)?)?),
        }
    }
}

/// Deserializes `input`, turning a serde failure into an [`Error::Invalid`] at the failing JSON path.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Input { units: u32 }
/// let err = lagom_core::eval::from_json::<Input>(r#"{"units": "x"}"#).unwrap_err();
/// assert_eq!(err.path(), Some("units"));
/// ```
pub fn from_json<'de, T: Deserialize<'de>>(input: &'de str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(input);
    let value = serde_path_to_error::deserialize(&mut de).map_err(path_error)?;
    de.end().map_err(|e| Error::invalid("", e.to_string()))?;
    Ok(value)
}

/// Deserializes a JSON value, turning a serde failure into an error at the failing JSON path.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Input { units: u32 }
/// let err = lagom_core::eval::from_value::<Input>(serde_json::json!({"units": "x"})).unwrap_err();
/// assert_eq!(err.path(), Some("units"));
/// ```
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    // Through the value's JSON text, so that each type's `Deserialize` is compiled for one
    // deserializer only (the text reader of [`from_json`]): the wasm package stays small.
    from_json(&value.to_string())
}

fn path_error(err: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = err.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let inner = err.into_inner();
    // serde_json appends " at line L column C"; the path already says where.
    let reason = inner.to_string();
    let reason = match reason.rfind(" at line ") {
        Some(i) if inner.line() > 0 => reason[..i].to_owned(),
        _ => reason,
    };
    Error::from_serde(path, &reason)
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::invalid("", format!("cannot write the result: {e}")))
}
