//! The simulator's event store: the events it kept, by subscription and billable metric, each
//! list in time order, and the transaction ids each subscription has seen.
//!
//! Lago's event store answers "the events of this subscription and metric code in this window";
//! keeping one list per (subscription, metric) sorted by timestamp answers it with two binary
//! searches, so billing a period reads only the events that can count in it instead of a
//! subscription's whole history. Which subscription an event belongs to, and whether its metric
//! exists, is the engine's decision; how the events aggregate is [`crate::metric`]'s.

use std::borrow::Cow;

use crate::event::Event;
use crate::metric::hash::{FastMap, FastSet};
use crate::metric::{Metric, Period};

/// An event the store holds: parsed from a timeline step (owned) or lent by the caller (borrowed).
pub(crate) type StoredEvent<'s> = Cow<'s, Event>;

/// Every kept event, by `external_subscription_id`, then by the catalog index of its metric.
pub(crate) struct EventStore<'s> {
    metrics: usize,
    subscriptions: FastMap<String, SubscriptionEvents<'s>>,
}

/// One subscription's events and the transaction ids it has received.
struct SubscriptionEvents<'s> {
    seen: FastSet<&'s str>,
    /// Indexed by the catalog's metric index; each list earliest first, ties in arrival order.
    by_metric: Vec<Vec<StoredEvent<'s>>>,
}

impl<'s> EventStore<'s> {
    /// An empty store for a catalog of `metrics` billable metrics.
    pub fn new(metrics: usize) -> Self {
        EventStore {
            metrics,
            subscriptions: FastMap::default(),
        }
    }

    /// Keeps `event` for subscription `external_id` and metric index `metric`, unless the
    /// subscription already received `transaction_id` (Lago keeps the first). Returns the event's
    /// position in [`EventStore::events`]`(external_id, metric)`, `None` for a duplicate.
    pub fn insert(
        &mut self,
        external_id: &str,
        metric: usize,
        transaction_id: &'s str,
        event: StoredEvent<'s>,
    ) -> Option<usize> {
        let log = match self.subscriptions.get_mut(external_id) {
            Some(log) => log,
            None => self
                .subscriptions
                .entry(external_id.to_owned())
                .or_insert_with(|| SubscriptionEvents {
                    seen: FastSet::default(),
                    by_metric: vec![Vec::new(); self.metrics],
                }),
        };
        if !log.seen.insert(transaction_id) {
            return None;
        }
        let list = log.by_metric.get_mut(metric)?;
        // Events mostly arrive in time order: append without searching then.
        let position = match list.last() {
            Some(last) if last.timestamp > event.timestamp => {
                list.partition_point(|e| e.timestamp <= event.timestamp)
            }
            _ => list.len(),
        };
        list.insert(position, event);
        Some(position)
    }

    /// The events of one subscription and metric, earliest first.
    pub fn events(&self, external_id: &str, metric: usize) -> &[StoredEvent<'s>] {
        self.subscriptions
            .get(external_id)
            .and_then(|log| log.by_metric.get(metric))
            .map_or(&[], Vec::as_slice)
    }

    /// The events of [`EventStore::events`] that `metric` can count over `period` (see
    /// [`window`]).
    pub fn window(
        &self,
        external_id: &str,
        index: usize,
        metric: &Metric,
        period: &Period,
    ) -> (usize, &[StoredEvent<'s>]) {
        window(self.events(external_id, index), metric, period)
    }
}

/// The events of `events` (one metric's, earliest first) that `metric` can count over `period`,
/// and the index of the first one: up to the period's end, and from its start unless the metric
/// is recurring (then every earlier event still counts). The aggregations read no event outside
/// this window, so aggregating the window gives the same result as the whole list.
pub(crate) fn window<'a, 's>(
    events: &'a [StoredEvent<'s>],
    metric: &Metric,
    period: &Period,
) -> (usize, &'a [StoredEvent<'s>]) {
    let end = events.partition_point(|e| e.timestamp <= period.to_datetime);
    let start = if metric.recurring() {
        0
    } else {
        let lower = period.lower_bound();
        events[..end].partition_point(|e| e.timestamp < lower)
    };
    (start, &events[start..end])
}
