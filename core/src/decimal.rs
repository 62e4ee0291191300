//! Exact decimal arithmetic and the JSON forms of decimals.
//!
//! Every amount and unit count in Lagom is a [`Decimal`]. The checked helpers here turn an overflow or a
//! zero divisor into an [`Error`] instead of a panic, and the serde adapters accept what Lago accepts (a
//! decimal written as a JSON string or a JSON number) and write decimals back as strings in their
//! shortest exact form (`"27.5"`, never `"27.50"` or a float).

use std::str::FromStr;

pub use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// `a + b`, or an overflow error naming `what` was being computed.
///
/// ```
/// use lagom_core::decimal::{add, Decimal};
/// assert_eq!(add(Decimal::ONE, Decimal::TWO, "total").unwrap(), Decimal::from(3));
/// assert!(add(Decimal::MAX, Decimal::ONE, "total").is_err());
/// ```
pub fn add(a: Decimal, b: Decimal, what: &str) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(|| overflow(what))
}

/// `a - b`, or an overflow error.
///
/// ```
/// use lagom_core::decimal::{sub, Decimal};
/// assert_eq!(sub(Decimal::ONE, Decimal::TWO, "delta").unwrap(), Decimal::NEGATIVE_ONE);
/// ```
pub fn sub(a: Decimal, b: Decimal, what: &str) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(|| overflow(what))
}

/// `a × b`, or an overflow error.
///
/// ```
/// use lagom_core::decimal::{mul, Decimal};
/// assert_eq!(mul(Decimal::TWO, Decimal::new(25, 1), "amount").unwrap(), Decimal::from(5));
/// assert!(mul(Decimal::MAX, Decimal::TWO, "amount").is_err());
/// ```
pub fn mul(a: Decimal, b: Decimal, what: &str) -> Result<Decimal> {
    a.checked_mul(b).ok_or_else(|| overflow(what))
}

/// `a ÷ b`, or a division-by-zero or overflow error.
///
/// ```
/// use lagom_core::decimal::{div, Decimal};
/// assert_eq!(div(Decimal::ONE, Decimal::from(4), "unit amount").unwrap(), Decimal::new(25, 2));
/// assert_eq!(
///     div(Decimal::ONE, Decimal::ZERO, "unit amount").unwrap_err().to_string(),
///     "unit amount: division by zero"
/// );
/// ```
pub fn div(a: Decimal, b: Decimal, what: &str) -> Result<Decimal> {
    if b.is_zero() {
        return Err(Error::DivisionByZero {
            what: what.to_owned(),
        });
    }
    a.checked_div(b).ok_or_else(|| overflow(what))
}

/// Sums decimals, failing on overflow.
///
/// ```
/// use lagom_core::decimal::{sum, Decimal};
/// let total = sum([Decimal::ONE, Decimal::TWO], "units").unwrap();
/// assert_eq!(total, Decimal::from(3));
/// ```
pub fn sum(values: impl IntoIterator<Item = Decimal>, what: &str) -> Result<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| add(acc, v, what))
}

fn overflow(what: &str) -> Error {
    Error::Overflow {
        what: what.to_owned(),
    }
}

/// Parses a decimal written as Lago writes one: `"12"`, `"-0.5"`, `"1e3"`.
///
/// Returns `None` for anything else (empty, `"abc"`, `"NaN"`, out of range).
///
/// ```
/// use lagom_core::decimal::{parse, Decimal};
/// assert_eq!(parse("27.50"), Some(Decimal::new(275, 1)));
/// assert_eq!(parse("1e3"), Some(Decimal::from(1000)));
/// assert_eq!(parse("twelve"), None);
/// ```
pub fn parse(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

/// Reads a decimal out of a JSON value: a number or a string holding a decimal.
///
/// ```
/// use lagom_core::decimal::{from_json, Decimal};
/// assert_eq!(from_json(&serde_json::json!(2.5)), Some(Decimal::new(25, 1)));
/// assert_eq!(from_json(&serde_json::json!("2.5")), Some(Decimal::new(25, 1)));
/// assert_eq!(from_json(&serde_json::json!(true)), None);
/// ```
pub fn from_json(value: &serde_json::Value) -> Option<Decimal> {
    match value {
        serde_json::Value::Number(n) => from_number(n),
        serde_json::Value::String(s) => parse(s),
        _ => None,
    }
}

fn from_number(n: &serde_json::Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        Some(Decimal::from(i))
    } else if let Some(u) = n.as_u64() {
        Some(Decimal::from(u))
    } else {
        from_f64(n.as_f64()?)
    }
}

/// A float read from JSON becomes the decimal of its shortest round-trip text (`0.1` → `0.1`), so a
/// price typed as a JSON number means what its author wrote.
fn from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    parse(&format!("{f}"))
}

/// The shortest exact text of a decimal: `27.50` → `"27.5"`, `-0` → `"0"`.
///
/// ```
/// use lagom_core::decimal::{to_text, Decimal};
/// assert_eq!(to_text(Decimal::new(2750, 2)), "27.5");
/// assert_eq!(to_text(Decimal::new(100, 0)), "100");
/// ```
pub fn to_text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The JSON Schema of a decimal as the serde adapters read it: a string holding a decimal number
/// (exact; what Lagom writes) or a JSON number.
#[cfg(feature = "openapi")]
pub struct DecimalInput;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for DecimalInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Number]))
            .description(Some(
                "A decimal: a string such as \"27.5\" (exact), or a JSON number",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for DecimalInput {}

/// Serde adapter for a required decimal: reads a JSON string or number, writes the shortest string.
///
/// ```
/// use lagom_core::decimal::Decimal;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Price {
///     #[serde(with = "lagom_core::decimal::lenient")]
///     amount: Decimal,
/// }
/// let price: Price = serde_json::from_str(r#"{"amount": 0.50}"#).unwrap();
/// assert_eq!(serde_json::to_string(&price).unwrap(), r#"{"amount":"0.5"}"#);
/// ```
pub mod lenient {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    use super::Decimal;

    pub fn serialize<S: Serializer>(d: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::to_text(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }

    pub(super) struct DecimalVisitor;

    impl<'de> Visitor<'de> for DecimalVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal, as a JSON number or a string such as \"12.5\"")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            super::from_f64(v)
                .ok_or_else(|| E::custom(format!("{v} is not a representable decimal")))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            super::parse(v).ok_or_else(|| E::custom(format!("`{v}` is not a decimal")))
        }
    }
}

/// Serde adapter for an optional decimal (`null` or absent → `None`).
///
/// ```
/// use lagom_core::decimal::Decimal;
/// #[derive(serde::Deserialize)]
/// struct Props {
///     #[serde(default, with = "lagom_core::decimal::lenient_option")]
///     fixed_amount: Option<Decimal>,
/// }
/// let p: Props = serde_json::from_str(r#"{"fixed_amount": null}"#).unwrap();
/// assert_eq!(p.fixed_amount, None);
/// let p: Props = serde_json::from_str(r#"{"fixed_amount": "1"}"#).unwrap();
/// assert_eq!(p.fixed_amount, Some(Decimal::ONE));
/// ```
pub mod lenient_option {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Decimal;

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::lenient::serialize(d, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::lenient")] Decimal);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(d)| d))
    }
}
