//! An example Lagom plugin: Lago's custom aggregation example, storage priced by zone in tiers of the
//! running total.
//!
//! Each event carries `value` (the units stored) and `storage_zone` (e.g. `"storage_eu"`). The charge's
//! properties hold `ranges`: `[{"from": 0, "to": 10, "storage_eu": "0", …}, …, {"from": 20, "to": null, …}]`,
//! one price per zone and tier (a zone a tier does not name costs 0 there). An event's units fill the tiers
//! from the running total onwards, each unit at its tier's price for the event's zone, so the event costs
//! Σ over tiers of price × |[previous total, new total] ∩ [from, to]|.

use lagom_plugin::{Decimal, Event, State, Step, Value, decimal};

/// One tier: `[from, to)` units (no `to`: unbounded) and the tier's JSON, where each zone's price lives.
struct Range<'a> {
    from: Decimal,
    to: Option<Decimal>,
    prices: &'a Value,
}

/// Lago's `aggregate(event, state, properties)` for tiered storage by zone.
pub fn aggregate(event: &Event, state: &State, properties: &Value) -> Result<Step, String> {
    let value = decimal(event.properties.get("value").unwrap_or(&Value::Null))
        .map_err(|e| format!("properties.value: {e}"))?;
    let zone = event
        .properties
        .get("storage_zone")
        .and_then(Value::as_str)
        .ok_or("properties.storage_zone: must be a string")?;
    let previous = state.total_units;
    let total = previous.checked_add(value).ok_or("total_units overflows")?;
    let mut amount = Decimal::ZERO;
    for (index, range) in ranges(properties)?.iter().enumerate() {
        let price = match range.prices.get(zone) {
            None | Some(Value::Null) => Decimal::ZERO,
            Some(price) => decimal(price).map_err(|e| format!("ranges[{index}].{zone}: {e}"))?,
        };
        let start = previous.max(range.from);
        let end = range.to.map_or(total, |to| to.min(total));
        if end > start {
            let cost = price.checked_mul(end - start).ok_or("amount overflows")?;
            amount = amount.checked_add(cost).ok_or("amount overflows")?;
        }
    }
    Ok(Step {
        total_units: total,
        amount,
    })
}

lagom_plugin::export_aggregate!(aggregate);

fn ranges(properties: &Value) -> Result<Vec<Range<'_>>, String> {
    let list = properties
        .get("ranges")
        .and_then(Value::as_array)
        .ok_or("properties.ranges: must be an array of {from, to, <zone>: price}")?;
    list.iter()
        .enumerate()
        .map(|(index, range)| {
            let bound = |key: &str| decimal(range.get(key).unwrap_or(&Value::Null));
            let from =
                bound("from").map_err(|e| format!("properties.ranges[{index}].from: {e}"))?;
            let to = match range.get("to") {
                None | Some(Value::Null) => None,
                Some(_) => {
                    Some(bound("to").map_err(|e| format!("properties.ranges[{index}].to: {e}"))?)
                }
            };
            Ok(Range {
                from,
                to,
                prices: range,
            })
        })
        .collect()
}
