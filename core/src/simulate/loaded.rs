//! Events loaded apart from the timeline (a [`super::Session`]'s), indexed once by subscription
//! and metric code, and the test of whether a run may take them in bulk.
//!
//! Replaying a loaded event runs the clock up to it, attributes it, checks it for duplicates and
//! bills it at once on pay-in-advance charges. When a run can show that none of this does anything
//! but store the event — every event names a subscription created before it and a known metric,
//! none repeats a transaction id, no plan bills per event (pay-in-advance charges, usage
//! thresholds) and the timeline neither sends events nor asks for usage — the store takes each
//! (subscription, code) list as it is, and only the clock decides which of its events have
//! arrived (see [`super::events::EventStore::attach`]). The output is the same; the run no longer
//! costs anything per loaded event.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::event::Event;
use crate::metric::hash::{FastMap, FastSet};
use crate::simulate::catalog::Catalog;
use crate::simulate::scenario::{Op, Scenario};

/// The loaded events of each (subscription, code), and whether they can be taken in bulk at all.
#[derive(Debug, Default)]
pub(crate) struct LoadedIndex {
    groups: Vec<LoadedGroup>,
    /// Every event names its subscription and no (subscription, transaction id) repeats.
    plain: bool,
    /// The latest timestamp of all.
    latest: Option<Timestamp>,
}

/// The loaded events of one subscription and metric code.
#[derive(Debug)]
pub(crate) struct LoadedGroup {
    pub external_subscription_id: String,
    pub code: String,
    /// Indexes in the loaded events, by timestamp then loading order (the order replaying them
    /// would store them in).
    pub order: Vec<usize>,
}

impl LoadedIndex {
    /// Indexes `events`.
    pub fn build(events: &[Event]) -> Self {
        let mut positions: FastMap<(&str, &str), usize> = FastMap::default();
        let mut groups: Vec<LoadedGroup> = Vec::new();
        let mut seen: FastSet<(&str, &str)> = FastSet::default();
        seen.reserve(events.len());
        let mut plain = true;
        for (i, event) in events.iter().enumerate() {
            let Some(subscription) = event.external_subscription_id.as_deref() else {
                plain = false;
                continue;
            };
            plain &= seen.insert((subscription, &event.transaction_id));
            let group = *positions
                .entry((subscription, &event.code))
                .or_insert_with(|| {
                    groups.push(LoadedGroup {
                        external_subscription_id: subscription.to_owned(),
                        code: event.code.clone(),
                        order: Vec::new(),
                    });
                    groups.len() - 1
                });
            if let Some(group) = groups.get_mut(group) {
                group.order.push(i);
            }
        }
        for group in &mut groups {
            // Stable: events of the same instant keep their loading order.
            group
                .order
                .sort_by_key(|&i| events.get(i).map(|e| e.timestamp));
        }
        let latest = events.iter().map(|e| e.timestamp).max();
        LoadedIndex {
            groups,
            plain,
            latest,
        }
    }

    /// The latest timestamp of the indexed events.
    pub fn latest(&self) -> Option<Timestamp> {
        self.latest
    }

    /// Each (subscription, code) list.
    pub fn groups(&self) -> &[LoadedGroup] {
        &self.groups
    }

    /// Whether storing the events at once gives the same run as replaying them (see the module
    /// documentation).
    pub fn may_store_in_bulk(
        &self,
        events: &[Event],
        scenario: &Scenario,
        catalog: &Catalog,
    ) -> bool {
        let quiet_plans = catalog.plans.iter().all(|p| {
            p.plan.usage_thresholds.is_empty() && p.charges.iter().all(|c| !c.charge.pay_in_advance)
        });
        let quiet_steps = scenario.timeline.iter().all(|step| quiet(&step.op));
        if !(self.plain && quiet_plans && quiet_steps) {
            return false;
        }
        let mut created: HashMap<&str, Timestamp> = HashMap::new();
        for step in &scenario.timeline {
            if let Op::CreateSubscription(body) = &step.op {
                created.entry(body.external_id.as_str()).or_insert(step.at);
            }
        }
        self.groups.iter().all(|group| {
            let first = group.order.first().and_then(|&i| events.get(i));
            let known = created
                .get(group.external_subscription_id.as_str())
                .zip(first)
                .is_some_and(|(created, event)| event.timestamp >= *created);
            known && catalog.metric(&group.code).is_some()
        })
    }
}

/// Whether a step neither receives events nor reads usage before a period is over.
fn quiet(op: &Op) -> bool {
    !matches!(
        op,
        Op::Event(_)
            | Op::EventsBatch(_)
            | Op::UpdateLifetimeUsage(_)
            | Op::CurrentUsage(_)
            | Op::PastUsage(_)
            | Op::LifetimeUsage(_)
            | Op::EstimateFees(_)
            | Op::PreviewInvoice(_)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::LoadedIndex;
    use crate::event::Event;
    use crate::simulate::Scenario;
    use crate::simulate::catalog::Catalog;

    /// `s1` created on 2024-01-10 on a plan with one charge on `calls`, `extra` steps after it.
    fn scenario(pay_in_advance: bool, extra: Value) -> Scenario {
        let mut timeline = vec![
            json!({"at": "2024-01-10T00:00:00Z", "op": "create_subscription",
            "body": {"external_id": "s1", "external_customer_id": "c", "plan_code": "p"}}),
        ];
        timeline.extend(extra.as_array().cloned().unwrap_or_default());
        Scenario::parse(&json!({
            "customer": {"external_id": "c"},
            "billable_metrics": [{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}],
            "plans": [{"name": "P", "code": "p", "interval": "monthly", "amount_cents": 0, "amount_currency": "EUR",
                "charges": [{"billable_metric_code": "calls", "charge_model": "standard",
                             "pay_in_advance": pay_in_advance, "invoiceable": true, "properties": {"amount": "1"}}]}],
            "timeline": timeline
        }).to_string()).unwrap()
    }

    fn event(transaction_id: &str, subscription: Option<&str>, code: &str, at: &str) -> Event {
        serde_json::from_value(
            json!({"transaction_id": transaction_id, "external_subscription_id": subscription,
            "code": code, "timestamp": at}),
        )
        .unwrap()
    }

    fn bulk(events: &[Event], scenario: &Scenario) -> bool {
        let catalog = Catalog::check(scenario, &[], &[]).unwrap();
        LoadedIndex::build(events).may_store_in_bulk(events, scenario, &catalog)
    }

    #[test]
    fn bulk_only_when_replaying_would_only_store_the_events() {
        let on_time = event("t1", Some("s1"), "calls", "2024-01-10T00:00:00Z");
        let later = event("t2", Some("s1"), "calls", "2024-01-20T00:00:00Z");
        let plain = scenario(false, json!([]));
        assert!(bulk(&[later.clone(), on_time.clone()], &plain));
        // A repeated transaction id warns: replay.
        let again = event("t1", Some("s1"), "calls", "2024-01-21T00:00:00Z");
        assert!(!bulk(&[on_time.clone(), again], &plain));
        // Before its subscription exists, an unknown subscription or code, no subscription: replay.
        assert!(!bulk(
            &[event("t0", Some("s1"), "calls", "2024-01-09T23:59:59Z")],
            &plain
        ));
        assert!(!bulk(
            &[event("t0", Some("s9"), "calls", "2024-01-20T00:00:00Z")],
            &plain
        ));
        assert!(!bulk(
            &[event("t0", Some("s1"), "gb", "2024-01-20T00:00:00Z")],
            &plain
        ));
        assert!(!bulk(
            &[event("t0", None, "calls", "2024-01-20T00:00:00Z")],
            &plain
        ));
        // A pay-in-advance charge bills each event; a usage query reads a period before its end.
        assert!(!bulk(
            std::slice::from_ref(&later),
            &scenario(true, json!([]))
        ));
        let usage = json!([{"at": "2024-01-25T00:00:00Z", "op": "current_usage",
                            "body": {"external_subscription_id": "s1"}}]);
        assert!(!bulk(std::slice::from_ref(&later), &scenario(false, usage)));
        let step = json!([{"at": "2024-01-25T00:00:00Z", "op": "event",
                           "body": {"transaction_id": "t9", "external_subscription_id": "s1", "code": "calls"}}]);
        assert!(!bulk(&[later], &scenario(false, step)));
    }
}
