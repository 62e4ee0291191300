//! End-to-end simulator benchmark: 12 months of 1,000 subscriptions and 1,000,000 events, read from
//! JSON text, simulated, and written back as JSON. Reports events per second.
//!
//! Also what the npm package's `Workspace` does after a price edit: a `Session` holding 1,000,000
//! loaded events for 10 or 100 subscriptions runs the same year again with another price (target:
//! under 16 ms).
//!
//! Run with `cargo bench -p lagom-core --bench simulate`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lagom_core::event::Event;
use lagom_core::simulate::{Scenario, Session};
use serde_json::{Value, json};

const SUBSCRIPTIONS: usize = 1_000;
const EVENTS: usize = 1_000_000;
/// Events are sent in one batch per day of 2024.
const DAYS: usize = 366;

/// The scenario document: one customer per subscription, a monthly plan in arrears with a count
/// charge and a graduated sum charge, and the events spread evenly over the year.
fn scenario() -> String {
    scenario_with(SUBSCRIPTIONS, EVENTS, "0.01")
}

/// The scenario of [`scenario`] for `subscriptions` subscriptions, `events` events in its timeline
/// and `price` per call.
fn scenario_with(subscriptions: usize, events: usize, price: &str) -> String {
    let customers: Vec<Value> = (0..subscriptions)
        .map(|i| json!({"external_id": format!("c{i}"), "currency": "EUR"}))
        .collect();
    let mut timeline: Vec<Value> = (0..subscriptions)
        .map(|i| {
            json!({"at": "2024-01-01T00:00:00Z", "op": "create_subscription",
                   "body": {"external_id": format!("s{i}"), "external_customer_id": format!("c{i}"), "plan_code": "pro"}})
        })
        .collect();
    let per_day = events / DAYS;
    let mut sent = 0;
    for day in 0..DAYS {
        let count = if day == DAYS - 1 {
            events - sent
        } else {
            per_day
        };
        let date = jiff::civil::date(2024, 1, 1)
            .checked_add(jiff::Span::new().days(i64::try_from(day).unwrap_or(0)))
            .unwrap_or(jiff::civil::date(2024, 12, 31));
        let at = format!("{date}T12:00:00Z");
        let events: Vec<Value> = (0..count)
            .map(|k| {
                let n = sent + k;
                let sub = n % subscriptions;
                if n % 2 == 0 {
                    json!({"transaction_id": format!("t{n}"), "external_subscription_id": format!("s{sub}"),
                           "code": "calls"})
                } else {
                    json!({"transaction_id": format!("t{n}"), "external_subscription_id": format!("s{sub}"),
                           "code": "storage", "properties": {"gb": (n % 7) + 1}})
                }
            })
            .collect();
        sent += count;
        if count > 0 {
            timeline.push(json!({"at": at, "op": "events_batch", "body": {"events": events}}));
        }
    }
    json!({
        "customers": customers,
        "billable_metrics": [
            {"name": "Calls", "code": "calls", "aggregation_type": "count_agg"},
            {"name": "Storage", "code": "storage", "aggregation_type": "sum_agg", "field_name": "gb"}],
        "plans": [{"name": "Pro", "code": "pro", "interval": "monthly", "amount_cents": 4900, "amount_currency": "EUR",
            "charges": [
                {"billable_metric_code": "calls", "charge_model": "standard", "properties": {"amount": price}},
                {"billable_metric_code": "storage", "charge_model": "graduated", "properties": {"graduated_ranges": [
                    {"from_value": 0, "to_value": 100, "per_unit_amount": "0.5", "flat_amount": "1"},
                    {"from_value": 101, "to_value": null, "per_unit_amount": "0.25", "flat_amount": "0"}]}}]}],
        "timeline": timeline,
        "until": "2025-01-01T00:00:00Z"
    })
    .to_string()
}

fn simulate_year(c: &mut Criterion) {
    let text = scenario();
    // The output is checked once, outside the measure: reading it back is not the simulator's work.
    let output = lagom_core::simulate::simulate_json(&text)
        .ok()
        .and_then(|out| serde_json::from_str::<Value>(&out).ok());
    assert!(output.is_some_and(|o| {
        o["invoices"]
            .as_array()
            .is_some_and(|i| i.len() == 12 * SUBSCRIPTIONS)
    }));
    let mut group = c.benchmark_group("simulate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("12_months_1000_subscriptions_1M_events", |b| {
        b.iter(|| {
            let output = lagom_core::simulate::simulate_json(std::hint::black_box(&text));
            assert!(output.is_ok_and(|o| !o.is_empty()));
        });
    });
    group.finish();
}

/// The events of [`scenario`] as a `Workspace` loads them: parsed, each with its timestamp.
fn loaded_events(subscriptions: usize) -> Vec<Event> {
    (0..EVENTS)
        .map(|n| {
            let day = i64::try_from(n * DAYS / EVENTS).unwrap_or(0);
            let mut properties = serde_json::Map::new();
            let code = if n % 2 == 0 {
                "calls"
            } else {
                properties.insert("gb".to_owned(), json!((n % 7) + 1));
                "storage"
            };
            Event {
                transaction_id: format!("t{n}"),
                external_subscription_id: Some(format!("s{}", n % subscriptions)),
                external_customer_id: None,
                code: code.to_owned(),
                timestamp: jiff::Timestamp::from_second(1_704_110_400 + day * 86_400)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                properties,
                precise_total_amount_cents: None,
            }
        })
        .collect()
}

/// A `Workspace` re-running a year after a price edit, 1M events loaded: the cost follows the
/// invoices (12 per subscription), not the events, which are aggregated once.
fn resimulate_after_price_edit(c: &mut Criterion) {
    let mut group = c.benchmark_group("session");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EVENTS as u64));
    for subscriptions in [10, 100] {
        let parse = |price| Scenario::parse(&scenario_with(subscriptions, 0, price));
        let (Ok(before), Ok(after)) = (parse("0.01"), parse("0.02")) else {
            panic!("the scenarios parse");
        };
        let mut session = Session::new();
        session.load_events(loaded_events(subscriptions));
        let invoices = 12 * subscriptions;
        assert!(
            session
                .simulate(&before)
                .is_ok_and(|o| o.invoices.len() == invoices)
        );
        let name = format!("resimulate_price_edit_{subscriptions}_subscriptions_1M_loaded_events");
        group.bench_function(name, |b| {
            let mut flip = false;
            b.iter(|| {
                flip = !flip;
                let scenario = if flip { &after } else { &before };
                let output = session.simulate(std::hint::black_box(scenario));
                assert!(output.is_ok_and(|o| o.invoices.len() == invoices));
            });
        });
    }
    group.finish();
}

criterion_group!(benches, simulate_year, resimulate_after_price_edit);
criterion_main!(benches);
