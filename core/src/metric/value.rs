//! Reading event properties the way Lago's Postgres event store reads them.
//!
//! Lago compares, groups and counts properties through `properties ->> key`, the text of the JSON
//! value (`"4"` and `4` both read as `4`; `null` and a missing key read as nothing), and it only sums a
//! property whose text matches `^-?\d+(\.\d+)?$`: `"1e3"`, `"+5"`, `" 5"`, `".5"` and `true` are not
//! numbers to it, and such events are left out of numeric aggregations altogether.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::decimal::Decimal;
use crate::error::{Error, Result};

/// The text Postgres' `->>` gives for a property, or `None` for a missing key or a JSON `null`.
///
/// ```
/// use lagom_core::metric::value::property_text;
/// let props = serde_json::json!({"region": "eu", "gb": 4, "on": true, "off": null});
/// let props = props.as_object().unwrap();
/// assert_eq!(property_text(props, "region").as_deref(), Some("eu"));
/// assert_eq!(property_text(props, "gb").as_deref(), Some("4"));
/// assert_eq!(property_text(props, "on").as_deref(), Some("true"));
/// assert_eq!(property_text(props, "off"), None);
/// assert_eq!(property_text(props, "missing"), None);
/// ```
pub fn property_text<'a>(properties: &'a Map<String, Value>, key: &str) -> Option<Cow<'a, str>> {
    value_text(lookup(properties, key)?)
}

/// `properties[key]`. Events carry a handful of properties, so a scan that compares lengths before
/// bytes reads less memory than the ordered search (which compares every visited key's bytes); larger
/// maps use the search.
pub(crate) fn lookup<'a>(properties: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if properties.len() <= 16 {
        properties
            .iter()
            .find(|(k, _)| k.len() == key.len() && k.as_bytes() == key.as_bytes())
            .map(|(_, v)| v)
    } else {
        properties.get(key)
    }
}

/// The `->>` text of one JSON value.
pub(crate) fn value_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Array(_) | Value::Object(_) => Some(Cow::Owned(value.to_string())),
    }
}

/// The numeric value of a property as Lago's numeric aggregations see it: `Ok(None)` when the key is
/// missing or its text is not a plain decimal (the event is then left out), an error when the text is a
/// decimal too large for 96 bits.
///
/// ```
/// use lagom_core::metric::value::numeric_property;
/// use lagom_core::decimal::Decimal;
/// let props = serde_json::json!({"a": "12.5", "b": -3, "c": "1e3", "d": "abc", "e": true});
/// let props = props.as_object().unwrap();
/// assert_eq!(numeric_property(props, "a").unwrap(), Some(Decimal::new(125, 1)));
/// assert_eq!(numeric_property(props, "b").unwrap(), Some(Decimal::from(-3)));
/// assert_eq!(numeric_property(props, "c").unwrap(), None);
/// assert_eq!(numeric_property(props, "d").unwrap(), None);
/// assert_eq!(numeric_property(props, "e").unwrap(), None);
/// assert_eq!(numeric_property(props, "zzz").unwrap(), None);
/// ```
pub fn numeric_property(properties: &Map<String, Value>, key: &str) -> Result<Option<Decimal>> {
    match lookup(properties, key) {
        None => Ok(None),
        Some(value) => numeric_value(value).map_err(|e| e.within(&format!("properties.{key}"))),
    }
}

/// The numeric value of one JSON value (see [`numeric_property`]); errors carry an empty path.
pub(crate) fn numeric_value(value: &Value) -> Result<Option<Decimal>> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(Decimal::from(i)))
            } else if let Some(u) = n.as_u64() {
                Ok(Some(Decimal::from(u)))
            } else {
                crate::decimal::from_json(value)
                    .map(Some)
                    .ok_or_else(|| out_of_range(&n.to_string()))
            }
        }
        Value::String(s) => numeric_text(s),
        _ => Ok(None),
    }
}

/// Parses text that matches Lago's `^-?\d+(\.\d+)?$`; anything else is `Ok(None)`.
///
/// The common case (up to 18 digits) is read without going through `Decimal::from_str`, since the
/// aggregations read one such value per event.
pub(crate) fn numeric_text(text: &str) -> Result<Option<Decimal>> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let (integer, fraction) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], Some(&digits[dot + 1..])),
        None => (digits, None),
    };
    let all_digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    if !all_digits(integer) || fraction.is_some_and(|f| !all_digits(f)) {
        return Ok(None);
    }
    let scale = fraction.map_or(0, <[u8]>::len);
    if integer.len() + scale <= 18 {
        let mantissa = integer
            .iter()
            .chain(fraction.unwrap_or_default())
            .fold(0i64, |acc, &b| acc * 10 + i64::from(b - b'0'));
        let mantissa = if negative { -mantissa } else { mantissa };
        // scale <= 18 here, well within Decimal's 28.
        return Ok(Some(Decimal::new(mantissa, scale as u32)));
    }
    Decimal::from_str(text)
        .map(Some)
        .map_err(|_| out_of_range(text))
}

fn out_of_range(text: &str) -> Error {
    Error::invalid(
        "",
        format!("`{text}` is a number too large for a 96-bit decimal"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_text_follows_lagos_pattern() {
        let ok = |t: &str| numeric_text(t).unwrap();
        assert_eq!(ok("0"), Some(Decimal::ZERO));
        assert_eq!(ok("-0.50"), Some(Decimal::new(-50, 2)));
        assert_eq!(ok("007"), Some(Decimal::from(7)));
        assert_eq!(
            ok("1234567890.123456789012"),
            Some(Decimal::from_str("1234567890.123456789012").unwrap())
        );
        for bad in [
            "", "-", ".5", "5.", "+5", " 5", "5 ", "1e3", "1,5", "--1", "0x10", "1.2.3", "١",
        ] {
            assert_eq!(ok(bad), None, "{bad:?}");
        }
        assert!(numeric_text("99999999999999999999999999999999").is_err());
    }
}
