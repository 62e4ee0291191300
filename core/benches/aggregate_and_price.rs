//! Aggregating and pricing 1M already-parsed events on a plan with five charges.
//!
//! The plan has one charge per aggregation the benchmark stresses: a percentage charge on a sum, a
//! package charge on a count, a graduated charge on a unique count, a volume charge on a max and a
//! standard charge on a weighted sum. Events are parsed and stored by metric code, as an event store
//! keeps them; one iteration is what billing a period then costs: aggregate each charge's events and
//! price the units.
//! Target: ≥ 10M events/s on one core. Run: `cargo bench -p lagom-core --bench aggregate_and_price`.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lagom_core::charge::{EventValue, Pricing, PricingInput};
use lagom_core::event::Event;
use lagom_core::metric::{AggregationRequest, BillableMetric, Metric, Period};
use serde_json::{Value, json};

const EVENTS: u64 = 1_000_000;
const MONTH_START: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
const MONTH_SECONDS: u64 = 31 * 86_400;

/// The five charges: (metric, charge_model, properties).
fn plan() -> Vec<(Value, &'static str, Value)> {
    vec![
        (
            json!({"name": "Payments", "code": "payments", "aggregation_type": "sum_agg", "field_name": "amount"}),
            "percentage",
            json!({"rate": "1.5", "fixed_amount": "0.1", "free_units_per_events": 3}),
        ),
        (
            json!({"name": "API calls", "code": "calls", "aggregation_type": "count_agg"}),
            "package",
            json!({"amount": "5", "package_size": 1000, "free_units": 100}),
        ),
        (
            json!({"name": "Active users", "code": "users", "aggregation_type": "unique_count_agg", "field_name": "user_id"}),
            "graduated",
            json!({"graduated_ranges": [
                {"from_value": 0, "to_value": 100, "per_unit_amount": "2", "flat_amount": "0"},
                {"from_value": 101, "to_value": 1000, "per_unit_amount": "1.5", "flat_amount": "10"},
                {"from_value": 1001, "to_value": null, "per_unit_amount": "1", "flat_amount": "20"}
            ]}),
        ),
        (
            json!({"name": "Peak CPUs", "code": "cpus", "aggregation_type": "max_agg", "field_name": "cpus"}),
            "volume",
            json!({"volume_ranges": [
                {"from_value": 0, "to_value": 64, "per_unit_amount": "3", "flat_amount": "0"},
                {"from_value": 65, "to_value": null, "per_unit_amount": "2", "flat_amount": "50"}
            ]}),
        ),
        (
            json!({"name": "Seats", "code": "seats", "aggregation_type": "weighted_sum_agg", "field_name": "seats", "weighted_interval": "seconds"}),
            "standard",
            json!({"amount": "12"}),
        ),
    ]
}

/// A deterministic stream of events spread over January 2024, the five codes in turn, parsed from
/// JSON text as an API or a file would deliver them (so they sit in memory as parsing lays them out).
fn events() -> Vec<Event> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        // xorshift64: reproducible pseudo-random numbers without a dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let events: Vec<Value> = (0..EVENTS)
        .map(|i| {
            let r = next();
            let (code, properties) = match i % 5 {
                0 => (
                    "payments",
                    json!({"amount": format!("{}.{:02}", r % 500, r % 100)}),
                ),
                1 => ("calls", json!({"endpoint": "/v1/invoices"})),
                2 => ("users", json!({"user_id": format!("user_{}", r % 5_000)})),
                3 => ("cpus", json!({"cpus": r % 96})),
                _ => ("seats", json!({"seats": if r % 3 == 0 { -1 } else { 1 }})),
            };
            let seconds = MONTH_START + i64::try_from(r % MONTH_SECONDS).expect("under a month");
            json!({
                "transaction_id": format!("tx_{i}"),
                "external_subscription_id": "sub_1",
                "code": code,
                "timestamp": seconds,
                "properties": properties,
            })
        })
        .collect();
    let text = serde_json::to_string(&events).expect("events serialize");
    drop(events);
    serde_json::from_str(&text).expect("valid events")
}

struct Charge {
    metric: Metric,
    pricing: Pricing,
    per_event: bool,
}

fn charges() -> Vec<Charge> {
    plan()
        .into_iter()
        .map(|(metric, model, properties)| {
            let metric: BillableMetric = serde_json::from_value(metric).expect("a valid metric");
            let model = serde_json::from_value(json!(model)).expect("a charge model");
            Charge {
                metric: metric.check().expect("a checked metric"),
                pricing: Pricing::parse(model, &properties, false).expect("valid properties"),
                per_event: model_prices_per_event(model),
            }
        })
        .collect()
}

fn model_prices_per_event(model: lagom_core::charge::ChargeModel) -> bool {
    matches!(model, lagom_core::charge::ChargeModel::Percentage)
}

/// Events as an event store keeps them once parsed: grouped by metric code, in arrival order.
fn store(events: Vec<Event>) -> HashMap<String, Vec<Event>> {
    let mut by_code: HashMap<String, Vec<Event>> = HashMap::new();
    for event in events {
        by_code.entry(event.code.clone()).or_default().push(event);
    }
    by_code
}

/// Bills one period: aggregate each charge's events, price the units. Returns the total amount.
fn bill(
    store: &HashMap<String, Vec<Event>>,
    charges: &[Charge],
    period: &Period,
) -> lagom_core::decimal::Decimal {
    let mut total = lagom_core::decimal::Decimal::ZERO;
    for charge in charges {
        let events = store
            .get(charge.metric.code())
            .map_or(&[][..], Vec::as_slice);
        let request = AggregationRequest {
            event_values: charge.per_event,
            ..Default::default()
        };
        let aggregation = charge
            .metric
            .aggregate(events, period, &request)
            .expect("aggregates")
            .total;
        let values: Vec<EventValue> = aggregation
            .event_values
            .iter()
            .map(|&v| EventValue::new(v))
            .collect();
        let input = PricingInput {
            events: &values,
            ..PricingInput::new(aggregation.aggregation)
        };
        total += charge.pricing.apply(&input).expect("prices").amount;
    }
    total
}

fn aggregate_and_price(c: &mut Criterion) {
    let store = store(events());
    let charges = charges();
    let period = Period::new(
        lagom_core::time::parse("2024-01-01T00:00:00Z").expect("a timestamp"),
        lagom_core::time::parse("2024-01-31T23:59:59Z").expect("a timestamp"),
    );
    let mut group = c.benchmark_group("billing");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("aggregate_and_price_1m_events_5_charges", |b| {
        b.iter(|| bill(black_box(&store), &charges, &period))
    });
    // Each charge alone, on its own events: where the time goes.
    for charge in &charges {
        let code = charge.metric.code();
        let own = store.get(code).map_or(&[][..], Vec::as_slice);
        group.throughput(Throughput::Elements(own.len() as u64));
        group.bench_function(format!("aggregate_{code}"), |b| {
            let request = AggregationRequest {
                event_values: charge.per_event,
                ..Default::default()
            };
            b.iter(|| {
                charge
                    .metric
                    .aggregate(black_box(own), &period, &request)
                    .expect("aggregates")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, aggregate_and_price);
criterion_main!(benches);
