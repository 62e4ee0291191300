//! The documents of the custom-pricing plugin ABI (`docs/plugins.md`): the `lagom_price` request and
//! the state a `lagom_aggregate` request carries, and how a plugin's response and its answers are read.
//!
//! Every runtime that calls plugins — the native host on wasmtime and the npm package on the JS
//! WebAssembly API — reads responses with these functions, so a plugin is judged by one set of rules and
//! fails with the same words in both places. Moving the bytes in and out of a plugin's memory is the
//! runtime's part; nothing here runs a plugin.
//!
//! Decimals cross as strings holding an exact decimal (`"12.5"`): a JSON number where an answer needs a
//! decimal is refused, because money is never a float.

use serde::Serialize;
use serde_json::{Map, Value};

use jiff::Timestamp;

use crate::charge::{AmountDetails, ChargeResult, CustomRequest, unit_amount};
use crate::decimal::{self, Decimal};
use crate::event::Event;
use crate::metric::CustomState;

/// `lagom_price`'s request: the units, the charge's properties as written, and the context.
///
/// ```
/// use lagom_core::charge::CustomRequest;
/// use lagom_core::plugin_abi::PriceRequest;
/// use lagom_core::time::parse;
/// let properties = serde_json::json!({"plugin": "time_of_day"});
/// let period = (parse("2024-03-01T00:00:00Z").unwrap(), parse("2024-03-31T23:59:59Z").unwrap());
/// let request = CustomRequest { units: "2.50".parse().unwrap(), full_units: None, properties: &properties,
///     events: &[], custom_aggregation: None, period_events: &[], period: Some(period) };
/// assert_eq!(serde_json::to_string(&PriceRequest::of(&request)).unwrap(),
///     r#"{"units":"2.5","properties":{"plugin":"time_of_day"},"context":{"events":[],"from_datetime":"2024-03-01T00:00:00Z","to_datetime":"2024-03-31T23:59:59Z"}}"#);
/// ```
#[derive(Debug, Serialize)]
pub struct PriceRequest<'a> {
    pub units: String,
    pub properties: &'a Value,
    pub context: PriceContext<'a>,
}

/// The context of a price: the period's events, earliest first, and the charges period's bounds when
/// the caller knows them (the simulator does; the `charge` eval contract does not).
#[derive(Debug, Serialize)]
pub struct PriceContext<'a> {
    pub events: &'a [&'a Event],
    #[serde(
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub from_datetime: Option<Timestamp>,
    #[serde(
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub to_datetime: Option<Timestamp>,
}

impl<'a> PriceRequest<'a> {
    /// The request for one custom charge.
    pub fn of(request: &CustomRequest<'a>) -> Self {
        PriceRequest {
            units: decimal::to_text(request.units),
            properties: request.properties,
            context: PriceContext {
                events: request.period_events,
                from_datetime: request.period.map(|(from, _)| from),
                to_datetime: request.period.map(|(_, to)| to),
            },
        }
    }
}

/// Why a plugin's response was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// Not `{"ok": value}` nor `{"error": "message"}`, or an answer of the wrong shape.
    Malformed(String),
    /// The plugin answered `{"error": "message"}`: its own failure, in its words.
    Failed(String),
}

/// Reads a response: `{"ok": value}` gives the value, `{"error": "message"}` the plugin's own failure.
/// Bytes that are not UTF-8 are `not JSON (not UTF-8)`, as the npm package words it.
///
/// ```
/// use lagom_core::plugin_abi::{ResponseError, read_response};
/// assert_eq!(read_response(br#"{"ok": {"amount": "1"}}"#).unwrap()["amount"], "1");
/// assert_eq!(read_response(br#"{"error": "bad tier"}"#), Err(ResponseError::Failed("bad tier".into())));
/// assert!(matches!(read_response(br#"{"ok": 1, "error": "x"}"#), Err(ResponseError::Malformed(_))));
/// ```
pub fn read_response(bytes: &[u8]) -> Result<Value, ResponseError> {
    // Text first, then JSON from text: the one JSON reader the core uses everywhere (a second, for
    // bytes, would grow the npm package's module).
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ResponseError::Malformed("not JSON (not UTF-8)".to_owned()))?;
    let response: Value = serde_json::from_str(text)
        .map_err(|e| ResponseError::Malformed(format!("not JSON ({e})")))?;
    let shape_error =
        || ResponseError::Malformed(r#"expected {"ok": …} or {"error": "…"}"#.to_owned());
    let Value::Object(mut fields) = response else {
        return Err(shape_error());
    };
    if fields.len() != 1 {
        return Err(shape_error());
    }
    match (fields.remove("ok"), fields.remove("error")) {
        (Some(value), None) => Ok(value),
        (None, Some(Value::String(message))) => Err(ResponseError::Failed(message)),
        _ => Err(shape_error()),
    }
}

/// A custom aggregation's state as a request carries it: decimals as their shortest exact text.
///
/// ```
/// use lagom_core::metric::CustomState;
/// use lagom_core::plugin_abi::StateText;
/// let state = CustomState { total_units: "2.50".parse().unwrap(), amount: "0".parse().unwrap() };
/// assert_eq!(serde_json::to_string(&StateText::from(state)).unwrap(), r#"{"total_units":"2.5","amount":"0"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateText {
    pub total_units: String,
    pub amount: String,
}

impl From<CustomState> for StateText {
    fn from(state: CustomState) -> Self {
        StateText {
            total_units: decimal::to_text(state.total_units),
            amount: decimal::to_text(state.amount),
        }
    }
}

/// What a custom charge model answers: Lago's `amount`, and optionally `unit_amount` and
/// `amount_details`.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceAnswer {
    pub amount: Decimal,
    /// The price of one unit, when the answer gave one.
    pub unit_amount: Option<Decimal>,
    pub amount_details: Option<Map<String, Value>>,
}

impl PriceAnswer {
    /// The charge's result: without a `unit_amount`, Lago's rule — the amount over `units` (0 without
    /// units); without `amount_details`, none.
    ///
    /// ```
    /// use lagom_core::plugin_abi::read_price;
    /// let answer = read_price(&serde_json::json!({"amount": "6"}), "").unwrap();
    /// let result = answer.into_charge_result(12.into()).unwrap();
    /// // 6 over 12 units.
    /// assert_eq!(result.unit_amount, "0.5".parse().unwrap());
    /// ```
    pub fn into_charge_result(self, units: Decimal) -> Result<ChargeResult, String> {
        let unit_amount = match self.unit_amount {
            Some(unit_amount) => unit_amount,
            None => unit_amount(self.amount, units).map_err(|e| e.to_string())?,
        };
        Ok(ChargeResult {
            amount: self.amount,
            unit_amount,
            amount_details: match self.amount_details {
                Some(details) => AmountDetails::Custom(details),
                None => AmountDetails::Empty {},
            },
        })
    }
}

/// Reads a price answer, `{amount, unit_amount?, amount_details?}`. `prefix` is where the answer sits,
/// for messages (`ok.` in a plugin's response, empty for a callback's answer).
///
/// ```
/// use lagom_core::plugin_abi::read_price;
/// use serde_json::json;
/// let answer = read_price(&json!({"amount": "1.78", "amount_details": {"day_units": "13"}}), "ok.").unwrap();
/// assert_eq!((answer.amount.to_string(), answer.unit_amount), ("1.78".to_owned(), None));
/// let err = read_price(&json!({"amount": 1.5}), "ok.").unwrap_err();
/// assert_eq!(err, "ok.amount must be a decimal string (got 1.5)");
/// ```
pub fn read_price(answer: &Value, prefix: &str) -> Result<PriceAnswer, String> {
    let fields = object(answer, prefix, "{amount, unit_amount?, amount_details?}")?;
    let amount = read_decimal(fields, "amount", prefix)?;
    let unit_amount = match fields.get("unit_amount") {
        None | Some(Value::Null) => None,
        Some(_) => Some(read_decimal(fields, "unit_amount", prefix)?),
    };
    let amount_details = match fields.get("amount_details") {
        None | Some(Value::Null) => None,
        Some(Value::Object(details)) => Some(details.clone()),
        Some(other) => {
            return Err(format!(
                "{prefix}amount_details must be an object (got {other})"
            ));
        }
    };
    Ok(PriceAnswer {
        amount,
        unit_amount,
        amount_details,
    })
}

/// Reads a state answer, `{total_units, amount}` (`prefix` as for [`read_price`]).
///
/// ```
/// use lagom_core::plugin_abi::read_state;
/// let state = read_state(&serde_json::json!({"total_units": "3", "amount": "0.3"}), "ok.").unwrap();
/// assert_eq!(state.amount.to_string(), "0.3");
/// assert_eq!(read_state(&serde_json::json!([]), "ok.").unwrap_err(), "ok must be an object {total_units, amount} (got [])");
/// ```
pub fn read_state(answer: &Value, prefix: &str) -> Result<CustomState, String> {
    let fields = object(answer, prefix, "{total_units, amount}")?;
    Ok(CustomState {
        total_units: read_decimal(fields, "total_units", prefix)?,
        amount: read_decimal(fields, "amount", prefix)?,
    })
}

/// The step of a custom aggregation that a plugin answered as the folded state: its units replace the
/// running units, and the amount is what it added to `before`'s.
///
/// ```
/// use lagom_core::metric::CustomState;
/// use lagom_core::plugin_abi::aggregation_step;
/// let before = CustomState { total_units: 2.into(), amount: "0.5".parse().unwrap() };
/// let after = CustomState { total_units: 3.into(), amount: "0.8".parse().unwrap() };
/// assert_eq!(aggregation_step(before, after).unwrap().amount.to_string(), "0.3");
/// ```
pub fn aggregation_step(before: CustomState, after: CustomState) -> Result<CustomState, String> {
    let added = after
        .amount
        .checked_sub(before.amount)
        .ok_or_else(|| "the aggregated amount overflows".to_owned())?;
    Ok(CustomState {
        total_units: after.total_units,
        amount: added,
    })
}

/// `answer`'s fields, or why it is not an object of the `expected` shape.
fn object<'a>(
    answer: &'a Value,
    prefix: &str,
    expected: &str,
) -> Result<&'a Map<String, Value>, String> {
    answer.as_object().ok_or_else(|| {
        let whole = match prefix.trim_end_matches('.') {
            "" => "the answer",
            name => name,
        };
        format!("{whole} must be an object {expected} (got {answer})")
    })
}

/// `fields[field]` as a decimal string: answers must be exact, so numbers are refused.
fn read_decimal(fields: &Map<String, Value>, field: &str, prefix: &str) -> Result<Decimal, String> {
    let value = fields.get(field).unwrap_or(&Value::Null);
    value
        .as_str()
        .and_then(decimal::parse)
        .ok_or_else(|| format!("{prefix}{field} must be a decimal string (got {value})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_ok_or_error_and_nothing_else() {
        assert_eq!(
            read_response(br#"{"ok":{"amount":"1"}}"#),
            Ok(serde_json::json!({"amount": "1"}))
        );
        for malformed in [
            &br#"{"ok":1,"error":"x"}"#[..],
            br#"{"error":3}"#,
            b"[]",
            b"{}",
        ] {
            assert!(matches!(
                read_response(malformed),
                Err(ResponseError::Malformed(_))
            ));
        }
        assert!(
            matches!(read_response(b"not json"), Err(ResponseError::Malformed(m)) if m.starts_with("not JSON"))
        );
        assert_eq!(
            read_response(b"{\"ok\": \"\xff\"}"),
            Err(ResponseError::Malformed("not JSON (not UTF-8)".to_owned()))
        );
    }
}
