//! An example Lagom plugin: a price that depends on the hour each event happened, in the customer's local
//! time. Night-time events cost less (off-peak pricing).
//!
//! Charge properties:
//! - `day_unit_amount`, `night_unit_amount` (decimal strings): the price of one unit by day and by night;
//! - `utc_offset` (`"+02:00"`, `"-05:30"`; default `"+00:00"`): the local time's offset from UTC;
//! - `night_starts_at`, `night_ends_at` (whole hours 0–23; default 22 and 6): night is from the first hour
//!   (included) to the second (excluded), across midnight when the first is the later one;
//! - `field_name` (optional): the event property holding the event's units; without it each event is one unit.
//!
//! The amount is the sum over events of units × the unit amount of the event's local hour; `amount_details`
//! tells the day and night units and amounts apart.

use lagom_plugin::{Decimal, Event, PriceInput, PriceOutput, Value, decimal, decimal_property};
use serde_json::json;

/// The charge's configuration, read from its properties.
struct Tariff {
    day: Decimal,
    night: Decimal,
    offset_seconds: i64,
    night_starts_at: i64,
    night_ends_at: i64,
    field_name: Option<String>,
}

impl Tariff {
    fn from_properties(properties: &Value) -> Result<Self, String> {
        let offset = match properties.get("utc_offset") {
            None | Some(Value::Null) => "+00:00",
            Some(Value::String(text)) => text,
            Some(other) => {
                return Err(format!(
                    "properties.utc_offset: must be a string like \"+02:00\" (got {other})"
                ));
            }
        };
        let field_name = match properties.get("field_name") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(other) => {
                return Err(format!(
                    "properties.field_name: must be a string (got {other})"
                ));
            }
        };
        Ok(Tariff {
            day: decimal_property(properties, "day_unit_amount")?,
            night: decimal_property(properties, "night_unit_amount")?,
            offset_seconds: parse_offset(offset).ok_or_else(|| {
                format!("properties.utc_offset: expected ±HH:MM (got {offset:?})")
            })?,
            night_starts_at: hour_property(properties, "night_starts_at", 22)?,
            night_ends_at: hour_property(properties, "night_ends_at", 6)?,
            field_name,
        })
    }

    fn is_night(&self, local_hour: i64) -> bool {
        if self.night_starts_at <= self.night_ends_at {
            (self.night_starts_at..self.night_ends_at).contains(&local_hour)
        } else {
            local_hour >= self.night_starts_at || local_hour < self.night_ends_at
        }
    }

    fn units(&self, event: &Event) -> Result<Decimal, String> {
        match &self.field_name {
            None => Ok(Decimal::ONE),
            Some(name) => match event.properties.get(name) {
                None | Some(Value::Null) => Ok(Decimal::ZERO),
                Some(value) => decimal(value).map_err(|e| format!("properties.{name}: {e}")),
            },
        }
    }
}

/// Prices the period's events by the local hour each one happened.
pub fn price(input: PriceInput) -> Result<PriceOutput, String> {
    let tariff = Tariff::from_properties(&input.properties)?;
    let overflow = || "the amount overflows".to_owned();
    let (mut day_units, mut night_units) = (Decimal::ZERO, Decimal::ZERO);
    for (index, event) in input.context.events.iter().enumerate() {
        let at = |e: String| format!("context.events[{index}].{e}");
        let local = event.unix_seconds().map_err(at)? + tariff.offset_seconds;
        let units = tariff.units(event).map_err(at)?;
        let bucket = if tariff.is_night(local.rem_euclid(86_400) / 3_600) {
            &mut night_units
        } else {
            &mut day_units
        };
        *bucket = bucket.checked_add(units).ok_or_else(overflow)?;
    }
    let day_amount = day_units.checked_mul(tariff.day).ok_or_else(overflow)?;
    let night_amount = night_units.checked_mul(tariff.night).ok_or_else(overflow)?;
    Ok(PriceOutput {
        amount: day_amount.checked_add(night_amount).ok_or_else(overflow)?,
        unit_amount: None,
        amount_details: Some(json!({
            "day_units": day_units.normalize().to_string(),
            "day_amount": day_amount.normalize().to_string(),
            "night_units": night_units.normalize().to_string(),
            "night_amount": night_amount.normalize().to_string(),
        })),
    })
}

lagom_plugin::export_price!(price);

/// `±HH:MM` to seconds east of UTC.
fn parse_offset(text: &str) -> Option<i64> {
    let sign = match text.get(..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let (hours, minutes) = text.get(1..)?.split_once(':')?;
    let all_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(hours) || !all_digits(minutes) {
        return None;
    }
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3_600 + minutes * 60))
}

fn hour_property(properties: &Value, key: &str, default: i64) -> Result<i64, String> {
    match properties.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => value
            .as_i64()
            .filter(|hour| (0..24).contains(hour))
            .ok_or_else(|| {
                format!("properties.{key}: must be a whole hour from 0 to 23 (got {value})")
            }),
    }
}
