//! The aggregation cache a [`super::Session`] keeps between runs, so that re-running a scenario
//! after an edit that only changed prices does not aggregate the same events again.
//!
//! An aggregation depends on the billable metric's definition, the charge's filter bucket, grouping
//! keys, proration and whether per-event values are collected, the period (bounds, charges
//! duration, time zone) and the events themselves. Each entry holds all of these and is reused only
//! when every one is equal — events compared one by one, a loaded event by its place in the
//! session's list (which does not change while the cache lives), an event from a timeline step by
//! value — so a hit gives exactly the result the aggregation would. Prices are not part of the
//! key: pricing runs again on the cached units. What to bill and how to price is not this module's
//! business.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::error::Result;
use crate::event::Event;
use crate::metric::hash::{FastHasher, FastMap};
use crate::metric::{AggregationRequest, AggregationResult, EventFilter, Period};
use crate::simulate::catalog::CheckedMetric;
use crate::simulate::events::{StoredEvent, Window};

/// Aggregation results by what they depend on; entries a run did not use are dropped after it.
#[derive(Default)]
pub(crate) struct AggregationCache {
    entries: RefCell<FastMap<u64, Vec<Entry>>>,
}

/// One cached aggregation.
struct Entry {
    key: Key,
    events: EventsId,
    result: AggregationResult,
    used: bool,
}

/// Everything but the events an aggregation depends on.
#[derive(PartialEq)]
struct Key {
    /// The billable metric as JSON: its whole definition.
    metric: String,
    filter: EventFilter,
    grouped_by: Vec<String>,
    prorated: bool,
    event_values: bool,
    from_datetime: Timestamp,
    to_datetime: Timestamp,
    charges_duration: Option<u32>,
    time_zone: TimeZone,
}

/// The aggregated events: stored ones one by one, or attached ones by the address and length of
/// their part of the session's index.
enum EventsId {
    Stored(Vec<EventId>),
    Attached(usize, usize),
}

impl EventsId {
    fn of(events: &Window) -> Self {
        match events {
            Window::Stored(events) => EventsId::Stored(events.iter().map(EventId::of).collect()),
            Window::Attached { order, .. } => {
                EventsId::Attached(order.as_ptr().addr(), order.len())
            }
        }
    }

    fn is(&self, events: &Window) -> bool {
        match (self, events) {
            (EventsId::Stored(ids), Window::Stored(events)) => {
                ids.len() == events.len() && ids.iter().zip(*events).all(|(id, e)| id.is(e))
            }
            (EventsId::Attached(start, len), Window::Attached { order, .. }) => {
                *start == order.as_ptr().addr() && *len == order.len()
            }
            _ => false,
        }
    }

    fn hash(events: &Window, hasher: &mut FastHasher) {
        match events {
            Window::Stored(events) => {
                events.len().hash(hasher);
                for event in *events {
                    match event {
                        StoredEvent::Loaded(e) => address(e).hash(hasher),
                        StoredEvent::Step(e) => (&e.transaction_id, e.timestamp).hash(hasher),
                        StoredEvent::Completed(e) => (&e.transaction_id, e.timestamp).hash(hasher),
                    }
                }
            }
            Window::Attached { order, .. } => (order.as_ptr().addr(), order.len()).hash(hasher),
        }
    }
}

/// A stored event: a loaded one by its address in the session's list, a step's by value.
enum EventId {
    Loaded(usize),
    Valued(Event),
}

impl EventId {
    fn of(event: &StoredEvent) -> Self {
        match event {
            StoredEvent::Loaded(e) => EventId::Loaded(address(e)),
            StoredEvent::Step(e) => EventId::Valued((*e).clone()),
            StoredEvent::Completed(e) => EventId::Valued(e.clone()),
        }
    }

    fn is(&self, event: &StoredEvent) -> bool {
        match (self, event) {
            (EventId::Loaded(a), StoredEvent::Loaded(e)) => *a == address(e),
            (EventId::Valued(a), StoredEvent::Step(e)) => a == *e,
            (EventId::Valued(a), StoredEvent::Completed(e)) => a == e,
            _ => false,
        }
    }
}

fn address(event: &Event) -> usize {
    std::ptr::from_ref(event).addr()
}

impl AggregationCache {
    /// `metric`'s aggregation of `events` over `period`, from the cache when an equal one was
    /// computed before. Requests with a custom aggregator are never cached (it cannot be compared).
    pub fn aggregate(
        &self,
        metric: &CheckedMetric,
        events: Window,
        period: &Period,
        request: &AggregationRequest,
    ) -> Result<AggregationResult> {
        let compute = || events.aggregate(&metric.metric, period, request);
        let Some(key) = Key::of(metric, period, request) else {
            return compute();
        };
        let hash = key.hash(&events);
        let mut entries = self.entries.borrow_mut();
        let bucket = entries.entry(hash).or_default();
        let hit = bucket
            .iter_mut()
            .find(|entry| entry.key == key && entry.events.is(&events));
        if let Some(entry) = hit {
            entry.used = true;
            return Ok(entry.result.clone());
        }
        let result = compute()?;
        bucket.push(Entry {
            key,
            events: EventsId::of(&events),
            result: result.clone(),
            used: true,
        });
        Ok(result)
    }

    /// Drops the entries the last run did not use (an edit made them stale) and marks the others
    /// unused for the next run.
    pub fn sweep(&mut self) {
        let entries = self.entries.get_mut();
        entries.retain(|_, bucket| {
            bucket.retain(|entry| entry.used);
            bucket.iter_mut().for_each(|entry| entry.used = false);
            !bucket.is_empty()
        });
    }

    /// Forgets everything (the events it refers to changed).
    pub fn clear(&mut self) {
        self.entries.get_mut().clear();
    }
}

impl Key {
    fn of(metric: &CheckedMetric, period: &Period, request: &AggregationRequest) -> Option<Self> {
        if request.custom.is_some() || !request.custom_properties.is_empty() {
            return None;
        }
        Some(Key {
            metric: serde_json::to_string(metric.source).ok()?,
            filter: request.filter.clone(),
            grouped_by: request.grouped_by.clone(),
            prorated: request.prorated,
            event_values: request.event_values,
            from_datetime: period.from_datetime,
            to_datetime: period.to_datetime,
            charges_duration: period.charges_duration,
            time_zone: period.time_zone.clone(),
        })
    }

    /// A hash of the key and the events' identities, to find the candidate entries quickly (they
    /// are then compared in full).
    fn hash(&self, events: &Window) -> u64 {
        let mut hasher = FastHasher::default();
        self.metric.hash(&mut hasher);
        self.filter.hash(&mut hasher);
        self.grouped_by.hash(&mut hasher);
        (self.prorated, self.event_values).hash(&mut hasher);
        (self.from_datetime, self.to_datetime, self.charges_duration).hash(&mut hasher);
        EventsId::hash(events, &mut hasher);
        hasher.finish()
    }
}

#[cfg(test)]
impl AggregationCache {
    /// How many aggregations the cache holds.
    pub fn len(&self) -> usize {
        self.entries.borrow().values().map(Vec::len).sum()
    }
}
