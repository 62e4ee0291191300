//! The event a plugin sees: Lago's event as the host hands it over, with its timestamp in one fixed form.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One of the period's events. The host always writes `timestamp` as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Event {
    /// When the event happened, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// The event's properties (any JSON object).
    #[serde(default)]
    pub properties: Map<String, Value>,
    /// The billable metric code the event was sent for, when the host knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The event's unique id, when the host knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

impl Event {
    /// An event at `timestamp` with no properties (handy in tests).
    ///
    /// ```
    /// let event = lagom_plugin::Event::at("2024-03-01T22:30:00Z");
    /// assert!(event.properties.is_empty());
    /// ```
    pub fn at(timestamp: &str) -> Self {
        Event {
            timestamp: timestamp.to_owned(),
            ..Event::default()
        }
    }

    /// The timestamp as seconds since 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// let event = lagom_plugin::Event::at("2024-03-01T22:30:00Z");
    /// // 19 783 days from 1970-01-01 to 2024-03-01, then 22 h 30 min.
    /// assert_eq!(event.unix_seconds(), Ok(19_783 * 86_400 + 22 * 3_600 + 30 * 60));
    /// assert!(lagom_plugin::Event::at("yesterday").unix_seconds().is_err());
    /// ```
    pub fn unix_seconds(&self) -> Result<i64, String> {
        parse_utc(&self.timestamp).ok_or_else(|| {
            format!(
                "timestamp: expected YYYY-MM-DDTHH:MM:SSZ (got {:?})",
                self.timestamp
            )
        })
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` into Unix seconds, or `None` when it is not exactly that or not a real instant.
fn parse_utc(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'Z';
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_utc;

    #[test]
    fn parses_known_instants() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        // 2000-03-01: 30 years of 365 days + 7 leap days (72..96) = 10 957 days to 2000-01-01, + 31 + 29.
        assert_eq!(
            parse_utc("2000-03-01T00:00:01Z"),
            Some((10_957 + 60) * 86_400 + 1)
        );
        // The day before the epoch ends one second before it.
        assert_eq!(parse_utc("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn refuses_other_forms_and_impossible_dates() {
        for text in [
            "2024-03-01T22:30:00",
            "2024-03-01 22:30:00Z",
            "2024-03-01T22:30:00+01:00",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-03-01T24:00:00Z",
            "+024-03-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc(text), None, "{text}");
        }
    }
}
