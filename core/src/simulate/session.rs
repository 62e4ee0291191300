//! A simulation session: events loaded once and scenarios run against them again and again, as the
//! npm package's `Workspace` does while a user edits a plan.
//!
//! The session owns the loaded events, their index by subscription and code (`loaded`, built once
//! after a load, so that a run can take them in bulk instead of replaying each) and the
//! aggregation cache (`cache`): a run after an edit that left a charge's metric, filters, grouping
//! and periods alone reuses that charge's aggregations and only prices them again. Loading or
//! clearing events empties the cache.

use crate::error::Result;
use crate::event::Event;
use crate::simulate::cache::AggregationCache;
use crate::simulate::loaded::LoadedIndex;
use crate::simulate::{CustomCode, NoCustomCode, Scenario, SimulationOutput, engine};

/// Loaded events and the aggregations already computed over them.
///
/// ```
/// use lagom_core::simulate::{Scenario, Session};
/// let scenario = |amount: &str| Scenario::parse(&format!(r#"{{
///   "customer": {{"external_id": "acme"}},
///   "billable_metrics": [{{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}}],
///   "plans": [{{"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 0,
///              "amount_currency": "EUR", "charges": [{{"billable_metric_code": "calls",
///              "charge_model": "standard", "properties": {{"amount": "{amount}"}}}}]}}],
///   "timeline": [{{"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
///                 "body": {{"external_id": "s1", "external_customer_id": "acme", "plan_code": "basic"}}}}],
///   "until": "2024-04-01T00:00:00Z"
/// }}"#)).unwrap();
/// let events: Vec<lagom_core::event::Event> = serde_json::from_str(r#"[
///   {"transaction_id": "t1", "external_subscription_id": "s1", "code": "calls", "timestamp": "2024-03-05T00:00:00Z"},
///   {"transaction_id": "t2", "external_subscription_id": "s1", "code": "calls", "timestamp": "2024-03-06T00:00:00Z"}
/// ]"#).unwrap();
/// let mut session = Session::new();
/// session.load_events(events);
/// assert_eq!(session.events().len(), 2);
/// // March's 2 calls at 0.50 EUR, then at 0.75 EUR (the count is reused, the price is not).
/// assert_eq!(session.simulate(&scenario("0.5")).unwrap().invoices[0].fees_amount_cents, 100);
/// assert_eq!(session.simulate(&scenario("0.75")).unwrap().invoices[0].fees_amount_cents, 150);
/// ```
#[derive(Default)]
pub struct Session {
    events: Vec<Event>,
    /// The index of `events`, built by the first run after they changed.
    index: Option<LoadedIndex>,
    cache: AggregationCache,
}

impl Session {
    /// A session without events.
    pub fn new() -> Self {
        Session::default()
    }

    /// Appends `events` to the loaded ones.
    pub fn load_events(&mut self, events: impl IntoIterator<Item = Event>) {
        self.events.extend(events);
        self.index = None;
        self.cache.clear();
    }

    /// The loaded events, in loading order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Forgets every loaded event.
    pub fn clear_events(&mut self) {
        self.events.clear();
        self.index = None;
        self.cache.clear();
    }

    /// Runs `scenario` with the loaded events, as
    /// [`simulate_with_events`](super::simulate_with_events) does, reusing the aggregations of
    /// earlier runs that still apply.
    pub fn simulate(&mut self, scenario: &Scenario) -> Result<SimulationOutput> {
        self.simulate_with(scenario, &NoCustomCode)
    }

    /// Runs `scenario` with the loaded events as [`simulate`](Self::simulate) does, pricing `custom`
    /// charges and folding `custom_agg` metrics with the host's `custom` code (whose aggregations are
    /// never cached: the cache cannot tell one host's code from another's).
    ///
    /// ```
    /// use lagom_core::charge::{AggregationAmount, CustomPricing};
    /// use lagom_core::simulate::{CustomCode, Scenario, Session};
    /// struct LagoRule;
    /// impl CustomCode for LagoRule {
    ///     fn pricing(&self) -> Option<&dyn CustomPricing> { Some(&AggregationAmount) }
    /// }
    /// let scenario = Scenario::parse(r#"{
    ///   "customer": {"external_id": "acme"},
    ///   "billable_metrics": [{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}],
    ///   "plans": [{"name": "P", "code": "p", "interval": "monthly", "amount_cents": 0, "amount_currency": "EUR",
    ///              "charges": [{"billable_metric_code": "calls", "charge_model": "custom", "properties": {}}]}],
    ///   "timeline": [{"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
    ///                 "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "p"}}],
    ///   "until": "2024-04-01T00:00:00Z"
    /// }"#).unwrap();
    /// let mut session = Session::new();
    /// assert!(session.simulate(&scenario).is_err());
    /// // No custom aggregation: Lago's rule prices the charge at 0.
    /// assert_eq!(session.simulate_with(&scenario, &LagoRule).unwrap().invoices[0].fees_amount_cents, 0);
    /// ```
    pub fn simulate_with(
        &mut self,
        scenario: &Scenario,
        custom: &dyn CustomCode,
    ) -> Result<SimulationOutput> {
        let index = self
            .index
            .get_or_insert_with(|| LoadedIndex::build(&self.events));
        let output = engine::run(
            scenario,
            &self.events,
            Some(index),
            Some(&self.cache),
            custom,
        );
        self.cache.sweep();
        output
    }
}

#[cfg(test)]
mod tests {
    use super::Session;
    use crate::event::Event;
    use crate::simulate::{NoCustomCode, Scenario, engine};

    /// Two metrics on a monthly plan from 2024-01-01 to 2024-04-01: three periods of two charges.
    fn scenario(price: &str, field: &str) -> Scenario {
        Scenario::parse(&serde_json::json!({
            "customer": {"external_id": "acme"},
            "billable_metrics": [
                {"name": "Calls", "code": "calls", "aggregation_type": "count_agg"},
                {"name": "Storage", "code": "gb", "aggregation_type": "sum_agg", "field_name": field}],
            "plans": [{"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 0,
                "amount_currency": "EUR", "charges": [
                    {"billable_metric_code": "calls", "charge_model": "standard", "properties": {"amount": price}},
                    {"billable_metric_code": "gb", "charge_model": "standard", "properties": {"amount": "1"}}]}],
            "timeline": [{"at": "2024-01-01T00:00:00Z", "op": "create_subscription",
                "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "basic"}}],
            "until": "2024-04-01T00:00:00Z"
        }).to_string()).unwrap()
    }

    fn events() -> Vec<Event> {
        serde_json::from_value(serde_json::json!([
            {"transaction_id": "t1", "external_subscription_id": "s1", "code": "calls", "timestamp": "2024-01-05T00:00:00Z"},
            {"transaction_id": "t2", "external_subscription_id": "s1", "code": "gb", "timestamp": "2024-02-05T00:00:00Z", "properties": {"gb": 3, "tb": 1}}
        ]))
        .unwrap()
    }

    #[test]
    fn a_price_edit_reuses_every_aggregation_and_a_metric_edit_none_of_its_own() {
        let mut session = Session::new();
        session.load_events(events());
        let first = session.simulate(&scenario("1", "gb")).unwrap();
        // January: 1 call at 1 EUR = 100 cents; February: 3 GB at 1 EUR = 300 cents; March: nothing.
        let amounts: Vec<i64> = first.invoices.iter().map(|i| i.fees_amount_cents).collect();
        assert_eq!(amounts, [100, 300, 0]);
        // 3 periods x 2 charges.
        assert_eq!(session.cache.len(), 6);
        // Another price: no new aggregation (a miss would add an entry before the sweep).
        let index = session.index.as_ref();
        let edited = engine::run(
            &scenario("2", "gb"),
            &session.events,
            index,
            Some(&session.cache),
            &NoCustomCode,
        )
        .unwrap();
        assert_eq!(session.cache.len(), 6);
        let amounts: Vec<i64> = edited
            .invoices
            .iter()
            .map(|i| i.fees_amount_cents)
            .collect();
        assert_eq!(amounts, [200, 300, 0]);
        session.cache.sweep();
        // Another field for the storage metric: its 3 aggregations are new (3 GB becomes 1 TB in
        // February), the calls' are reused; the sweep then drops the 3 stale ones.
        let edited = session.simulate(&scenario("2", "tb")).unwrap();
        let amounts: Vec<i64> = edited
            .invoices
            .iter()
            .map(|i| i.fees_amount_cents)
            .collect();
        assert_eq!(amounts, [200, 100, 0]);
        assert_eq!(session.cache.len(), 6);
        // Loading events empties the cache.
        session.load_events(Vec::new());
        assert_eq!(session.cache.len(), 0);
    }
}
