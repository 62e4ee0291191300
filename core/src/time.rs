//! Instants and time zones as the Lago API writes them.
//!
//! Lago's API writes instants as `YYYY-MM-DDTHH:MM:SSZ` and reads ISO 8601 text with an offset, or (for
//! event timestamps) Unix seconds as an integer or a decimal. Customer time zones are IANA names, resolved
//! with jiff's bundled tz database so that native and wasm builds agree on every offset.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

/// Formats an instant as Lago's API does: `2024-03-01T00:00:00Z` (whole seconds, UTC).
///
/// ```
/// use lagom_core::time::{format, parse};
/// let ts = parse("2024-03-01T01:00:00+01:00").unwrap();
/// assert_eq!(format(ts), "2024-03-01T00:00:00Z");
/// // Years pad to four characters, a minus sign included: 0001-01-01 is 719,162 days before
/// // 1970-01-01; the year -1 (365 days) and the leap year 0 (366 days) come 731 days before it.
/// let year_one = jiff::Timestamp::from_second(-719_162 * 86_400).unwrap();
/// assert_eq!(format(year_one), "0001-01-01T00:00:00Z");
/// let year_minus_one = jiff::Timestamp::from_second(-(719_162 + 731) * 86_400).unwrap();
/// assert_eq!(format(year_minus_one), "-001-01-01T00:00:00Z");
/// ```
pub fn format(ts: Timestamp) -> String {
    // Written field by field rather than with `strftime`, whose format-string interpreter would be
    // the wasm package's only use of it. `{:04}` pads a negative year as `%Y` does (`-001`).
    let t = TimeZone::UTC.to_datetime(ts);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses ISO 8601 text: with `Z` or an offset, or without one (read as UTC, as Lago does).
///
/// ```
/// use lagom_core::time::{format, parse};
/// assert_eq!(format(parse("2024-02-29T12:30:00Z").unwrap()), "2024-02-29T12:30:00Z");
/// assert_eq!(format(parse("2024-02-29T12:30:00").unwrap()), "2024-02-29T12:30:00Z");
/// assert_eq!(format(parse("2024-02-29").unwrap()), "2024-02-29T00:00:00Z");
/// assert!(parse("yesterday").is_none());
/// ```
pub fn parse(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    let civil: DateTime = text.parse().ok()?;
    civil
        .to_zoned_datetime(TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Reads Unix seconds (`1651240791`, `1651240791.25`) as an instant.
///
/// ```
/// use lagom_core::time::{format, from_unix_seconds};
/// use lagom_core::decimal::Decimal;
/// let ts = from_unix_seconds(Decimal::from(1_651_240_791)).unwrap();
/// assert_eq!(format(ts), "2022-04-29T13:59:51Z");
/// ```
pub fn from_unix_seconds(seconds: Decimal) -> Option<Timestamp> {
    let nanos = seconds.checked_mul(Decimal::from(1_000_000_000))?.trunc();
    let nanos = i128::try_from(nanos).ok()?;
    Timestamp::from_nanosecond(nanos).ok()
}

/// Reads an instant from a JSON value: ISO 8601 text, or Unix seconds as a number or numeric string.
///
/// ```
/// use lagom_core::time::{format, from_json};
/// let ts = from_json(&serde_json::json!(1_651_240_791)).unwrap();
/// assert_eq!(format(ts), "2022-04-29T13:59:51Z");
/// let ts = from_json(&serde_json::json!("2022-04-29T13:59:51Z")).unwrap();
/// assert_eq!(format(ts), "2022-04-29T13:59:51Z");
/// ```
pub fn from_json(value: &serde_json::Value) -> Option<Timestamp> {
    match value {
        serde_json::Value::String(s) => parse(s).or_else(|| from_unix_seconds(decimal::parse(s)?)),
        serde_json::Value::Number(_) => from_unix_seconds(decimal::from_json(value)?),
        _ => None,
    }
}

/// Resolves an IANA time zone name (`Europe/Paris`, `UTC`), naming `path` when it is unknown.
///
/// ```
/// use lagom_core::time::time_zone;
/// assert!(time_zone("America/New_York", "timezone").is_ok());
/// assert_eq!(
///     time_zone("Mars/Olympus", "timezone").unwrap_err().to_string(),
///     "timezone: unknown IANA time zone `Mars/Olympus`"
/// );
/// ```
pub fn time_zone(name: &str, path: &str) -> Result<TimeZone> {
    TimeZone::get(name)
        .map_err(|_| Error::invalid(path, format!("unknown IANA time zone `{name}`")))
}

/// Serde adapter for a required instant: reads ISO 8601 text or Unix seconds, writes Lago's format.
///
/// ```
/// use jiff::Timestamp;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Window {
///     #[serde(with = "lagom_core::time::iso")]
///     from_datetime: Timestamp,
/// }
/// let w: Window = serde_json::from_str(r#"{"from_datetime":"2024-01-01T00:00:00+01:00"}"#).unwrap();
/// assert_eq!(serde_json::to_string(&w).unwrap(), r#"{"from_datetime":"2023-12-31T23:00:00Z"}"#);
/// ```
pub mod iso {
    use jiff::Timestamp;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    use crate::decimal::Decimal;

    pub fn serialize<S: Serializer>(ts: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format(*ts))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }

    struct TimestampVisitor;

    impl TimestampVisitor {
        fn from_seconds<E: de::Error>(seconds: Decimal) -> Result<Timestamp, E> {
            super::from_unix_seconds(seconds)
                .ok_or_else(|| E::custom(format!("{seconds} Unix seconds is out of range")))
        }
    }

    impl<'de> Visitor<'de> for TimestampVisitor {
        type Value = Timestamp;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an ISO 8601 date-time such as \"2024-01-31T00:00:00Z\", or Unix seconds")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
            Self::from_seconds(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
            Self::from_seconds(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
            let seconds = crate::decimal::parse(&format!("{v}"))
                .ok_or_else(|| E::custom(format!("{v} is not a valid Unix timestamp")))?;
            Self::from_seconds(seconds)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
            super::parse(v).ok_or_else(|| E::custom(format!("`{v}` is not an ISO 8601 date-time")))
        }
    }
}

/// Serde adapter for an optional instant (`null` or absent → `None`).
pub mod iso_option {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        ts: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => super::iso::serialize(ts, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::iso")] Timestamp);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(ts)| ts))
    }
}
