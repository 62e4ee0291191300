//! Invariants of the `aggregation` contract over random events.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;

use lagom_core::decimal::Decimal;
use lagom_core::eval::Contract;
use proptest::prelude::*;
use serde_json::{Value, json};

/// 2024-01-01T00:00:00Z; the period is January 2024.
const FROM: i64 = 1_704_067_200;
const TO: i64 = FROM + 31 * 86_400 - 1;

/// A random event: a transaction id from a small pool (so duplicates happen), an instant from two
/// weeks before the period to two weeks after it, a value in cents, and a property bucket.
#[derive(Debug, Clone)]
struct Raw {
    tx: u8,
    at: i64,
    cents: i64,
    user: u8,
}

fn raw_events(max: usize) -> impl Strategy<Value = Vec<Raw>> {
    prop::collection::vec(
        (
            0u8..40,
            (FROM - 14 * 86_400)..(TO + 14 * 86_400),
            -100_000i64..100_000,
            0u8..6,
        )
            .prop_map(|(tx, at, cents, user)| Raw {
                tx,
                at,
                cents,
                user,
            }),
        0..max,
    )
}

fn value_of(raw: &Raw) -> Decimal {
    Decimal::new(raw.cents, 2)
}

fn event(raw: &Raw) -> Value {
    // Alternate between a JSON number and a numeric string: Lago reads both.
    let v = if raw.tx.is_multiple_of(2) {
        json!(value_of(raw).to_string())
    } else {
        json!(raw.cents as f64 / 100.0)
    };
    json!({
        "transaction_id": format!("tx_{}", raw.tx),
        "code": "m",
        "timestamp": raw.at,
        "properties": {"v": v, "user": format!("u{}", raw.user)}
    })
}

fn input(aggregation_type: &str, events: &[Raw]) -> String {
    let mut metric =
        json!({"name": "M", "code": "m", "aggregation_type": aggregation_type, "field_name": "v"});
    if aggregation_type == "unique_count_agg" {
        metric["field_name"] = json!("user");
    }
    json!({
        "billable_metric": metric,
        "events": events.iter().map(event).collect::<Vec<_>>(),
        "from_datetime": FROM,
        "to_datetime": TO,
    })
    .to_string()
}

fn run(input: &str) -> Value {
    Contract::Aggregation
        .run(input)
        .unwrap_or_else(|e| panic!("unexpected error {e} for {input}"))
}

fn decimal(value: &Value) -> Decimal {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a decimal string: {value}"))
}

/// The events Lago keeps: the first of each transaction id.
fn first_of_each_transaction(events: &[Raw]) -> Vec<&Raw> {
    let mut seen = HashSet::new();
    events.iter().filter(|e| seen.insert(e.tx)).collect()
}

fn in_period(raw: &Raw) -> bool {
    (FROM..=TO).contains(&raw.at)
}

/// Events with distinct transaction ids and distinct instants, so no rule depends on their order.
fn distinct(events: Vec<Raw>) -> Vec<Raw> {
    let mut instants = HashSet::new();
    let mut kept: Vec<Raw> = first_of_each_transaction(&events)
        .into_iter()
        .cloned()
        .collect();
    kept.retain(|e| instants.insert(e.at));
    kept
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sum_is_the_sum_of_kept_in_period_values(events in raw_events(60)) {
        let expected: Decimal = first_of_each_transaction(&events).into_iter().filter(|e| in_period(e)).map(value_of).sum();
        let out = run(&input("sum_agg", &events));
        prop_assert_eq!(decimal(&out["aggregation"]), expected);
    }

    #[test]
    fn count_is_the_number_of_distinct_in_period_transactions(events in raw_events(60)) {
        let expected = first_of_each_transaction(&events).into_iter().filter(|e| in_period(e)).count();
        let out = run(&input("count_agg", &events));
        prop_assert_eq!(decimal(&out["count"]), Decimal::from(expected));
        prop_assert_eq!(decimal(&out["aggregation"]), Decimal::from(expected));
    }

    #[test]
    fn max_is_the_largest_in_period_value(events in raw_events(60)) {
        let expected = first_of_each_transaction(&events).into_iter().filter(|e| in_period(e)).map(value_of).max();
        let out = run(&input("max_agg", &events));
        prop_assert_eq!(decimal(&out["aggregation"]), expected.unwrap_or(Decimal::ZERO));
    }

    #[test]
    fn unique_count_counts_distinct_users(events in raw_events(60)) {
        let users: HashSet<u8> = first_of_each_transaction(&events).into_iter().filter(|e| in_period(e)).map(|e| e.user).collect();
        let out = run(&input("unique_count_agg", &events));
        prop_assert_eq!(decimal(&out["aggregation"]), Decimal::from(users.len()));
    }

    #[test]
    fn results_do_not_depend_on_event_order(events in raw_events(40), seed in any::<u64>()) {
        let events = distinct(events);
        let mut shuffled = events.clone();
        // A deterministic shuffle from the seed (Fisher–Yates with a linear congruential generator).
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        for agg in ["count_agg", "sum_agg", "max_agg", "latest_agg", "unique_count_agg"] {
            prop_assert_eq!(run(&input(agg, &events)), run(&input(agg, &shuffled)), "{}", agg);
        }
        let weighted = |events: &[Raw]| {
            let mut doc: Value = serde_json::from_str(&input("weighted_sum_agg", events)).unwrap();
            doc["billable_metric"]["weighted_interval"] = json!("seconds");
            run(&doc.to_string())
        };
        prop_assert_eq!(weighted(&events), weighted(&shuffled));
    }

    #[test]
    fn the_same_input_gives_the_same_output(events in raw_events(40), agg in prop::sample::select(vec!["count_agg", "sum_agg", "max_agg", "latest_agg", "unique_count_agg"])) {
        let doc = input(agg, &events);
        prop_assert_eq!(Contract::Aggregation.run(&doc), Contract::Aggregation.run(&doc));
    }
}

/// A loosely shaped random document: any aggregation type, rounding, filters, grouping, proration,
/// time zone, duration and property values (including huge numbers, odd strings and non-scalars).
fn wild_input() -> impl Strategy<Value = String> {
    let property = prop_oneof![
        Just(json!(null)),
        any::<bool>().prop_map(|b| json!(b)),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[-+0-9.eE a-z]{0,40}".prop_map(|s| json!(s)),
        Just(json!("79228162514264337593543950335")),
        Just(json!({"nested": [1, 2]})),
    ];
    let event = (0u8..10, -5_000_000_000i64..5_000_000_000, property.clone(), property.clone(), prop::option::of("(add|remove|x)"))
        .prop_map(|(tx, at, v, g, op)| {
            let mut props = json!({"v": v, "g": g, "region": "eu"});
            if let Some(op) = op {
                props["operation_type"] = json!(op);
            }
            json!({"transaction_id": format!("t{tx}"), "code": "m", "timestamp": at, "properties": props})
        });
    let agg = prop::sample::select(vec![
        "count_agg",
        "sum_agg",
        "max_agg",
        "unique_count_agg",
        "latest_agg",
        "weighted_sum_agg",
        "custom_agg",
        "bogus",
    ]);
    (
        agg,
        any::<bool>(),
        prop::option::of((prop::sample::select(vec!["round", "ceil", "floor", "up"]), -40i32..40)),
        prop::collection::vec(event.clone(), 0..12),
        prop::collection::vec(event, 0..4),
        (-5_000_000_000i64..5_000_000_000, 0i64..100_000_000),
        (any::<bool>(), any::<bool>(), any::<bool>(), prop::option::of(0u32..400), prop::sample::select(vec!["UTC", "Asia/Kolkata", "America/New_York", "Nowhere/City"])),
    )
        .prop_map(|(agg, recurring, rounding, events, previous, (from, span), (grouped, filtered, prorated, duration, tz))| {
            let mut metric = json!({
                "name": "M", "code": "m", "aggregation_type": agg, "field_name": "v", "recurring": recurring,
                "filters": [{"key": "region", "values": ["eu", "us"]}]
            });
            if agg == "weighted_sum_agg" {
                metric["weighted_interval"] = json!("seconds");
            }
            if let Some((function, precision)) = rounding {
                metric["rounding_function"] = json!(function);
                metric["rounding_precision"] = json!(precision);
            }
            let mut doc = json!({
                "billable_metric": metric, "events": events, "previous_period_events": previous,
                "from_datetime": from, "to_datetime": from + span, "timezone": tz,
                "charge": {"prorated": prorated, "filters": [{"values": {"region": ["eu"]}}]}
            });
            if grouped {
                doc["grouped_by"] = json!(["g"]);
            }
            if filtered {
                doc["charge_filter"] = json!({"values": {"region": ["__ALL_FILTER_VALUES__"]}});
            }
            if let Some(days) = duration {
                doc["charges_duration"] = json!(days);
            }
            doc.to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_input_panics(doc in wild_input()) {
        let _ = Contract::Aggregation.run(&doc);
    }

    #[test]
    fn no_text_panics(text in "\\PC{0,200}") {
        let _ = Contract::Aggregation.run(&text);
    }
}
