//! The simulator's event store: the events it kept, by subscription and billable metric, each
//! list in time order, and the transaction ids each subscription has seen.
//!
//! Lago's event store answers "the events of this subscription and metric code in this window";
//! keeping one list per (subscription, metric) sorted by timestamp answers it with two binary
//! searches, so billing a period reads only the events that can count in it instead of a
//! subscription's whole history. Which subscription an event belongs to, and whether its metric
//! exists, is the engine's decision; how the events aggregate is [`crate::metric`]'s.
//!
//! A session's loaded events can also be attached in bulk ([`EventStore::attach`], when
//! [`super::loaded`] allows it): each list is then the session's index, and the clock, moved by
//! the engine, says which of its events have arrived.

use std::borrow::Borrow;
use std::ops::Deref;

use jiff::Timestamp;

use crate::error::Result;
use crate::event::Event;
use crate::metric::hash::{FastMap, FastSet};
use crate::metric::{AggregationRequest, AggregationResult, Metric, Period};
use crate::simulate::loaded::LoadedIndex;

/// An event the store holds: lent for the run, or a copy the engine completed; how the
/// aggregation cache (`super::cache`) tells two of them apart.
#[derive(Debug, Clone)]
pub(crate) enum StoredEvent<'s> {
    /// A session's loaded event, known by its place in the session's list (which stays put while
    /// the cache lives).
    Loaded(&'s Event),
    /// A timeline step's event, lent by the scenario (whose place another scenario may take):
    /// known by value.
    Step(&'s Event),
    /// A copy completed by the engine (its subscription found from its customer), or an event
    /// made up for an estimate: known by value.
    Completed(Event),
}

impl Deref for StoredEvent<'_> {
    type Target = Event;

    fn deref(&self) -> &Event {
        match self {
            StoredEvent::Loaded(event) | StoredEvent::Step(event) => event,
            StoredEvent::Completed(event) => event,
        }
    }
}

impl Borrow<Event> for StoredEvent<'_> {
    fn borrow(&self) -> &Event {
        self
    }
}

/// Every kept event, by `external_subscription_id`, then by the catalog index of its metric.
pub(crate) struct EventStore<'s> {
    metrics: usize,
    subscriptions: FastMap<String, SubscriptionEvents<'s>>,
    attached: Option<Attached<'s>>,
}

/// Loaded events attached in bulk: each subscription's lists of indexes in `events`, by metric
/// index, and the instant before which they have arrived.
struct Attached<'s> {
    events: &'s [Event],
    lists: FastMap<&'s str, Vec<&'s [usize]>>,
    now: Timestamp,
}

/// The events a charge can count over a period (see [`window`]): stored ones, or attached
/// loaded ones by their indexes.
#[derive(Clone, Copy)]
pub(crate) enum Window<'a, 's> {
    Stored(&'a [StoredEvent<'s>]),
    Attached {
        events: &'s [Event],
        order: &'s [usize],
    },
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
            attached: None,
        }
    }

    /// Attaches every loaded event of `index` (over `events`) at once; `metric` gives the catalog
    /// index of a code. Until the clock moves ([`EventStore::set_clock`]), none has arrived.
    pub fn attach(
        &mut self,
        events: &'s [Event],
        index: &'s LoadedIndex,
        metric: impl Fn(&str) -> Option<usize>,
    ) {
        let mut lists: FastMap<&'s str, Vec<&'s [usize]>> = FastMap::default();
        for group in index.groups() {
            let by_metric = lists
                .entry(group.external_subscription_id.as_str())
                .or_insert_with(|| vec![&[]; self.metrics]);
            if let Some(list) = metric(&group.code).and_then(|m| by_metric.get_mut(m)) {
                *list = &group.order;
            }
        }
        self.attached = Some(Attached {
            events,
            lists,
            now: Timestamp::MIN,
        });
    }

    /// Moves the clock: the attached events earlier than `now` have arrived.
    pub fn set_clock(&mut self, now: Timestamp) {
        if let Some(attached) = &mut self.attached {
            attached.now = now;
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

    /// The events of one subscription and metric that `metric` can count over `period` (see
    /// [`window`]); with attached events, those of them that have arrived.
    pub fn window(
        &self,
        external_id: &str,
        index: usize,
        metric: &Metric,
        period: &Period,
    ) -> Window<'_, 's> {
        let Some(attached) = &self.attached else {
            return Window::Stored(window(self.events(external_id, index), metric, period).1);
        };
        let order: &[usize] = attached
            .lists
            .get(external_id)
            .and_then(|lists| lists.get(index))
            .copied()
            .unwrap_or_default();
        let at = |i: usize| attached.events.get(i).map(|e| e.timestamp);
        let end = order.partition_point(|&i| {
            at(i).is_some_and(|ts| ts <= period.to_datetime && ts < attached.now)
        });
        let order = order.get(..end).unwrap_or_default();
        let start = if metric.recurring() {
            0
        } else {
            let lower = period.lower_bound();
            order.partition_point(|&i| at(i).is_some_and(|ts| ts < lower))
        };
        Window::Attached {
            events: attached.events,
            order: order.get(start..).unwrap_or_default(),
        }
    }
}

impl Window<'_, '_> {
    /// The stored events of the window: all of them, none for attached events (which are never
    /// billed one by one).
    pub fn stored(&self) -> &[StoredEvent<'_>] {
        match self {
            Window::Stored(events) => events,
            Window::Attached { .. } => &[],
        }
    }

    /// `metric`'s aggregation of the window's events.
    pub fn aggregate(
        &self,
        metric: &Metric,
        period: &Period,
        request: &AggregationRequest,
    ) -> Result<AggregationResult> {
        match self {
            Window::Stored(events) => metric.aggregate(events, period, request),
            Window::Attached { .. } => metric.aggregate(&self.events(), period, request),
        }
    }
}

impl<'a> Window<'a, 'a> {
    /// The window's events, earliest first, stored or attached alike.
    pub fn events(&self) -> Vec<&'a Event> {
        match *self {
            Window::Stored(events) => events.iter().map(|e| &**e).collect(),
            Window::Attached { events, order } => {
                order.iter().filter_map(|&i| events.get(i)).collect()
            }
        }
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
    let upto = events.get(..end).unwrap_or_default();
    let start = if metric.recurring() {
        0
    } else {
        let lower = period.lower_bound();
        upto.partition_point(|e| e.timestamp < lower)
    };
    (start, upto.get(start..).unwrap_or_default())
}
