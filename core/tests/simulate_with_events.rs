//! `simulate::simulate_with_events`: loaded events replay as `event` steps at their own timestamps.
#![cfg(not(target_arch = "wasm32"))]

use lagom_core::event::Event;
use lagom_core::simulate::{Op, Scenario, Session, Step, simulate, simulate_with_events};
use serde_json::{Value, json};

#[path = "support/scenario_files.rs"]
mod scenario_files;

/// A customer on a free monthly plan with a standard charge of 0.50 EUR per call, subscribed on
/// 2024-03-01, billed up to 2024-04-01.
fn calls_scenario(until: &str) -> Scenario {
    Scenario::parse(
        &json!({
            "customer": {"external_id": "acme", "currency": "EUR"},
            "billable_metrics": [{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}],
            "plans": [{"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 0,
                       "amount_currency": "EUR", "charges": [{"billable_metric_code": "calls",
                       "charge_model": "standard", "properties": {"amount": "0.5"}}]}],
            "timeline": [{"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
                          "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "basic"}}],
            "until": until
        })
        .to_string(),
    )
    .expect("a valid scenario")
}

fn event(transaction_id: &str, timestamp: &str) -> Event {
    serde_json::from_value(
        json!({"transaction_id": transaction_id, "external_subscription_id": "s1",
                                  "code": "calls", "timestamp": timestamp}),
    )
    .expect("an event")
}

#[test]
fn loaded_events_are_billed_in_time_order_after_the_steps_of_their_instant() {
    let scenario = calls_scenario("2024-04-01T00:00:00Z");
    let events = [
        // At the subscription's instant: after the step, so it is the subscription's.
        event("t1", "2024-03-01T00:00:00Z"),
        // Before the subscription exists: not billed.
        event("t0", "2024-02-28T00:00:00Z"),
        event("t2", "2024-03-15T00:00:00Z"),
        // The same transaction again: Lago keeps the first.
        event("t2", "2024-03-16T00:00:00Z"),
    ];
    let out = serde_json::to_value(simulate_with_events(&scenario, &events).unwrap()).unwrap();
    // March's calls t1 and t2: 2 x 0.50 EUR = 100 cents, billed on April 1st.
    assert_eq!(out["invoices"].as_array().map(Vec::len), Some(1));
    assert_eq!(out["invoices"][0]["fees_amount_cents"], 100);
    let warnings: Vec<(Value, Value)> = out["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["event"].clone(), w["transaction_id"].clone()))
        .collect();
    assert_eq!(
        warnings,
        [(json!(1), json!("t0")), (json!(3), json!("t2"))],
        "{}",
        out["warnings"]
    );
    assert!(out["warnings"][0].get("step").is_none());
}

#[test]
fn until_must_not_be_before_the_last_loaded_event() {
    let scenario = calls_scenario("2024-04-01T00:00:00Z");
    let err =
        simulate_with_events(&scenario, &[event("late", "2024-04-02T00:00:00Z")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "until: must not be before the last event (got 2024-04-01T00:00:00Z < 2024-04-02T00:00:00Z)"
    );
}

/// Every scenario fixture whose event steps can move out of the timeline (none shares its instant
/// with a later step of another kind) gives the same invoices, credit notes, wallets and
/// subscriptions with its events loaded as with its event steps, and the same warnings but for
/// what they point at.
#[test]
fn loading_a_fixtures_events_equals_replaying_its_event_steps() {
    let mut compared = 0;
    for (file, text) in scenario_files::scenario_fixtures() {
        let fixture: Value = serde_json::from_str(&text).unwrap();
        if !fixture["expected"].is_object() {
            continue;
        }
        let scenario = Scenario::parse(&fixture["scenario"].to_string()).unwrap();
        let Some((steps, events)) = split_events(&scenario.timeline) else {
            continue;
        };
        let loaded = Scenario {
            timeline: steps,
            ..scenario.clone()
        };
        let stepped = serde_json::to_value(simulate(&scenario).unwrap()).unwrap();
        let replayed =
            serde_json::to_value(simulate_with_events(&loaded, &events).unwrap()).unwrap();
        for key in [
            "invoices",
            "non_invoiceable_fees",
            "credit_notes",
            "current_usage",
            "wallets",
            "wallet_transactions",
            "subscriptions",
        ] {
            assert_eq!(stepped[key], replayed[key], "{file}: {key}");
        }
        let reasons = |out: &Value| -> Vec<(Value, Value, Value)> {
            out["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| {
                    (
                        w["at"].clone(),
                        w["transaction_id"].clone(),
                        w["reason"].clone(),
                    )
                })
                .collect()
        };
        assert_eq!(reasons(&stepped), reasons(&replayed), "{file}: warnings");
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} fixtures compared");
}

/// The timeline without its event steps, and their events, or `None` when an event step shares its
/// instant with a later step of another kind (a loaded event would come after that step) or an event's
/// timestamp is not its step's instant (it would be received then, not at its step).
fn split_events(timeline: &[Step]) -> Option<(Vec<Step>, Vec<Event>)> {
    let mut steps = Vec::new();
    let mut events = Vec::new();
    for (i, step) in timeline.iter().enumerate() {
        let stamped = match &step.op {
            Op::Event(event) => vec![event.clone()],
            Op::EventsBatch(batch) => batch.events.clone(),
            _ => {
                steps.push(step.clone());
                continue;
            }
        };
        let later = timeline.get(i + 1..).unwrap_or_default();
        if later
            .iter()
            .any(|s| s.at == step.at && !matches!(s.op, Op::Event(_) | Op::EventsBatch(_)))
        {
            return None;
        }
        for event in stamped {
            if event.timestamp != step.at {
                return None;
            }
            events.push(event);
        }
    }
    (!events.is_empty()).then_some((steps, events))
}

/// Two customers on a monthly plan with a count charge and a recurring sum charge. `s1` moves to
/// a dearer plan on 2024-02-10; `s2` starts on 2024-01-15 and ends on 2024-03-10 at midnight.
fn session_scenario(price: &str) -> Scenario {
    let charges = |calls: &str| {
        json!([
            {"billable_metric_code": "calls", "charge_model": "standard", "properties": {"amount": calls}},
            {"billable_metric_code": "seats", "charge_model": "standard", "properties": {"amount": "2"}}])
    };
    Scenario::parse(
        &json!({
            "customers": [{"external_id": "c1", "currency": "EUR"}, {"external_id": "c2", "currency": "EUR"}],
            "billable_metrics": [
                {"name": "Calls", "code": "calls", "aggregation_type": "count_agg"},
                {"name": "Seats", "code": "seats", "aggregation_type": "sum_agg", "field_name": "n", "recurring": true}],
            "plans": [
                {"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 1000,
                 "amount_currency": "EUR", "charges": charges(price)},
                {"name": "Pro", "code": "pro", "interval": "monthly", "amount_cents": 5000,
                 "amount_currency": "EUR", "charges": charges("1")}],
            "timeline": [
                {"at": "2024-01-01T00:00:00Z", "op": "create_subscription",
                 "body": {"external_id": "s1", "external_customer_id": "c1", "plan_code": "basic"}},
                {"at": "2024-01-15T00:00:00Z", "op": "create_subscription",
                 "body": {"external_id": "s2", "external_customer_id": "c2", "plan_code": "basic"}},
                {"at": "2024-02-10T00:00:00Z", "op": "create_subscription",
                 "body": {"external_id": "s1", "external_customer_id": "c1", "plan_code": "pro"}},
                {"at": "2024-03-10T00:00:00Z", "op": "terminate_subscription", "body": {"external_id": "s2"}}],
            "until": "2024-05-01T00:00:00Z"
        })
        .to_string(),
    )
    .expect("a valid scenario")
}

/// Events at the awkward instants: a subscription's start, a billing day's midnight, a plan
/// change, a termination, and after it.
fn session_events() -> Vec<Event> {
    let at = [
        ("s1", "2024-01-01T00:00:00Z"),
        ("s1", "2024-01-31T23:59:59Z"),
        ("s1", "2024-02-01T00:00:00Z"),
        ("s1", "2024-02-10T00:00:00Z"),
        ("s1", "2024-02-10T00:00:00Z"),
        ("s2", "2024-01-15T00:00:00Z"),
        ("s2", "2024-03-09T12:00:00Z"),
        ("s2", "2024-03-10T00:00:00Z"),
        ("s2", "2024-04-02T00:00:00Z"),
        ("s1", "2024-04-30T23:59:59Z"),
    ];
    at.iter()
        .enumerate()
        .flat_map(|(i, (subscription, timestamp))| {
            [
                json!({"transaction_id": format!("c{i}"), "external_subscription_id": subscription,
                       "code": "calls", "timestamp": timestamp}),
                json!({"transaction_id": format!("s{i}"), "external_subscription_id": subscription,
                       "code": "seats", "timestamp": timestamp, "properties": {"n": i + 1}}),
            ]
        })
        .map(|value| serde_json::from_value(value).expect("an event"))
        .collect()
}

/// A session (which stores loaded events in bulk when it can, and reuses aggregations) gives
/// exactly what replaying the events one by one gives, before and after a price edit.
#[test]
fn a_session_gives_what_replaying_the_events_gives() {
    let events = session_events();
    let mut session = Session::new();
    session.load_events(events.clone());
    for price in ["0.5", "0.75", "0.5"] {
        let scenario = session_scenario(price);
        let replayed = serde_json::to_value(simulate_with_events(&scenario, &events).unwrap());
        let from_session = serde_json::to_value(session.simulate(&scenario).unwrap());
        assert_eq!(from_session.unwrap(), replayed.unwrap(), "price {price}");
    }
}

/// The same for every scenario fixture, its event steps loaded instead.
#[test]
fn a_session_gives_what_replaying_gives_on_every_fixture() {
    for (file, text) in scenario_files::scenario_fixtures() {
        let fixture: Value = serde_json::from_str(&text).unwrap();
        let Ok(scenario) = Scenario::parse(&fixture["scenario"].to_string()) else {
            continue;
        };
        let mut steps = Vec::new();
        let mut events = Vec::new();
        for step in &scenario.timeline {
            match &step.op {
                Op::Event(event) => events.push(event.clone()),
                Op::EventsBatch(batch) => events.extend(batch.events.iter().cloned()),
                _ => steps.push(step.clone()),
            }
        }
        let loaded = Scenario {
            timeline: steps,
            ..scenario
        };
        let mut session = Session::new();
        session.load_events(events.clone());
        let replayed =
            simulate_with_events(&loaded, &events).map(|o| serde_json::to_value(o).unwrap());
        let from_session = session
            .simulate(&loaded)
            .map(|o| serde_json::to_value(o).unwrap());
        match (replayed, from_session) {
            (Ok(replayed), Ok(from_session)) => assert_eq!(from_session, replayed, "{file}"),
            (replayed, from_session) => assert_eq!(
                from_session.map_err(|e| e.to_string()).err(),
                replayed.map_err(|e| e.to_string()).err(),
                "{file}"
            ),
        }
    }
}
