#![cfg(not(target_arch = "wasm32"))]
//! Invariants of the charge models, checked on generated prices, tiers and units.

use lagom_core::charge::{ChargeModel, ChargeResult, EventValue, Pricing, PricingInput};
use lagom_core::decimal::{Decimal, to_text};
use lagom_core::eval::Contract;
use proptest::prelude::*;
use serde_json::{Value, json};

/// A price ≥ 0 with up to 4 decimal places, below 10 000.
fn price() -> impl Strategy<Value = Decimal> {
    (0i64..100_000_000, 0u32..=4).prop_map(|(m, scale)| Decimal::new(m, scale))
}

/// Units ≥ 0 with up to 3 decimal places, below 100 000.
fn units() -> impl Strategy<Value = Decimal> {
    (0i64..100_000_000, 0u32..=3).prop_map(|(m, scale)| Decimal::new(m, scale))
}

/// Any decimal at all: huge, tiny, negative.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (any::<i128>(), 0u32..=28).prop_filter_map("fits a decimal", |(m, scale)| {
        Decimal::try_from_i128_with_scale(m % (1i128 << 96), scale).ok()
    })
}

/// Tiers as (width, per-unit price, flat price, starts at the previous end?) — enough to build
/// Lago-valid ranges with whole bounds.
fn tiers() -> impl Strategy<Value = Vec<(u32, Decimal, Decimal, bool)>> {
    prop::collection::vec((1u32..1_000, price(), price(), any::<bool>()), 1..5)
}

/// Lago-valid ranges from `tiers`: first from 0, each next from the previous to_value (or one above),
/// the last open. `volume` ranges always start one above the previous end.
fn ranges(tiers: &[(u32, Decimal, Decimal, bool)], volume: bool) -> Value {
    let mut from = 0u64;
    let last = tiers.len() - 1;
    let items: Vec<Value> = tiers
        .iter()
        .enumerate()
        .map(|(i, &(width, per_unit, flat, at_end))| {
            let to = from + u64::from(width);
            let item = json!({
                "from_value": from,
                "to_value": if i == last { Value::Null } else { json!(to) },
                "per_unit_amount": to_text(per_unit),
                "flat_amount": to_text(flat),
            });
            from = if at_end && !volume { to } else { to + 1 };
            item
        })
        .collect();
    Value::Array(items)
}

fn price_units(model: ChargeModel, properties: &Value, units: Decimal) -> ChargeResult {
    let pricing = Pricing::parse(model, properties, false).expect("generated properties are valid");
    pricing
        .apply(&PricingInput::new(units))
        .expect("generated prices stay far from overflow")
}

proptest! {
    /// More units never cost less on a graduated charge with prices ≥ 0.
    #[test]
    fn graduated_amount_never_decreases(tiers in tiers(), a in units(), b in units()) {
        let properties = json!({"graduated_ranges": ranges(&tiers, false)});
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let low_amount = price_units(ChargeModel::Graduated, &properties, low).amount;
        let high_amount = price_units(ChargeModel::Graduated, &properties, high).amount;
        prop_assert!(low_amount <= high_amount, "{low} units cost {low_amount}, {high} units cost {high_amount}");
    }

    /// More units never cost less on a package charge.
    #[test]
    fn package_amount_never_decreases(
        amount in price(), size in 1u64..1_000, free in 0u64..1_000, a in units(), b in units()
    ) {
        let properties = json!({"amount": to_text(amount), "package_size": size, "free_units": free});
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let low_amount = price_units(ChargeModel::Package, &properties, low).amount;
        let high_amount = price_units(ChargeModel::Package, &properties, high).amount;
        prop_assert!(low_amount <= high_amount, "{low} units cost {low_amount}, {high} units cost {high_amount}");
    }

    /// A volume charge costs units × the price of the tier holding the units + that tier's flat fee,
    /// the tier being the first whose to_value is at least the units (tiers are whole and contiguous).
    #[test]
    fn volume_amount_is_units_times_the_matching_tier(tiers in tiers(), units in units()) {
        let properties = json!({"volume_ranges": ranges(&tiers, true)});
        let mut end = 0u64;
        let mut expected = None;
        for (i, &(width, per_unit, flat, _)) in tiers.iter().enumerate() {
            end += u64::from(width) + u64::from(i > 0);
            if i == tiers.len() - 1 || units <= Decimal::from(end) {
                expected = Some(units * per_unit + flat);
                break;
            }
        }
        prop_assert_eq!(Some(price_units(ChargeModel::Volume, &properties, units).amount), expected);
    }

    /// The contract is a function: the same document gives the same answer.
    #[test]
    fn same_input_same_output(tiers in tiers(), units in units(), values in prop::collection::vec(units(), 0..6)) {
        let events: Vec<Value> = values
            .iter()
            .map(|v| json!({"value": to_text(*v), "prorated_value": to_text(*v / Decimal::TWO), "precise_total_amount_cents": to_text(*v)}))
            .collect();
        for input in [
            json!({"charge_model": "graduated", "properties": {"graduated_ranges": ranges(&tiers, false)}, "units": to_text(units)}),
            json!({"charge_model": "graduated", "prorated": true, "properties": {"graduated_ranges": ranges(&tiers, false)}, "units": to_text(units), "events": events}),
            json!({"charge_model": "volume", "properties": {"volume_ranges": ranges(&tiers, true)}, "units": to_text(units)}),
            json!({"charge_model": "percentage", "properties": {"rate": "1.5", "fixed_amount": "0.1", "free_units_per_total_aggregation": "20", "per_transaction_min_amount": "0.2"}, "units": to_text(units), "events": events}),
            json!({"charge_model": "dynamic", "units": to_text(units), "events": events}),
        ] {
            let text = input.to_string();
            prop_assert_eq!(Contract::Charge.run(&text), Contract::Charge.run(&text));
        }
    }

    /// Arbitrary decimals, bounds and events give an answer or an error, never a panic (nor a hang).
    #[test]
    fn no_input_panics(
        model in prop::sample::select(vec!["standard", "graduated", "graduated_percentage", "package", "percentage", "volume", "dynamic"]),
        prorated in any::<bool>(),
        units in any_decimal(),
        full_units in prop::option::of(any_decimal()),
        numbers in prop::collection::vec(any_decimal(), 8),
        bounds in prop::collection::vec((any_decimal(), prop::option::of(any_decimal())), 1..4),
        values in prop::collection::vec((any_decimal(), any_decimal(), any_decimal()), 0..5),
        counts in (0i64..5, -2i64..5),
    ) {
        let text = |i: usize| to_text(numbers[i]);
        let tiers: Vec<Value> = bounds
            .iter()
            .map(|(from, to)| json!({
                "from_value": to_text(*from), "to_value": to.map(to_text),
                "per_unit_amount": text(0), "flat_amount": text(1), "rate": text(2),
            }))
            .collect();
        let properties = json!({
            "amount": text(3), "rate": text(2), "fixed_amount": text(4),
            "package_size": counts.0, "free_units": counts.1, "free_units_per_events": counts.0,
            "free_units_per_total_aggregation": text(5),
            "per_transaction_min_amount": text(6), "per_transaction_max_amount": text(7),
            "graduated_ranges": tiers, "graduated_percentage_ranges": tiers, "volume_ranges": tiers,
        });
        let events: Vec<Value> = values
            .iter()
            .map(|(v, p, c)| json!({"value": to_text(*v), "prorated_value": to_text(*p), "precise_total_amount_cents": to_text(*c)}))
            .collect();
        let input = json!({
            "charge_model": model, "prorated": prorated, "properties": properties, "units": to_text(units),
            "full_units": full_units.map(to_text), "events": events,
        });
        let _ = Contract::Charge.run(&input.to_string());
    }

    /// Real-looking tiers with arbitrary events never panic in the prorated graduated walk.
    #[test]
    fn prorated_graduated_never_panics(
        tiers in tiers(),
        units in any_decimal(),
        values in prop::collection::vec((-100i64..100, -1000i64..1000), 0..8),
    ) {
        let events: Vec<EventValue> = values
            .iter()
            .map(|&(full, prorated)| EventValue { prorated_value: Some(Decimal::new(prorated, 1)), ..EventValue::new(full.into()) })
            .collect();
        let properties = json!({"graduated_ranges": ranges(&tiers, false)});
        let pricing = Pricing::parse(ChargeModel::Graduated, &properties, true).expect("generated ranges are valid");
        let _ = pricing.apply(&PricingInput { events: &events, ..PricingInput::new(units) });
    }
}
