//! The scenario simulator: replays a timeline of Lago API calls on a virtual clock and produces the
//! invoices Lago would, with the answers to the timeline's queries.
//!
//! [`scenario`](Scenario) reads the document, `catalog` checks its plans and metrics, `engine` runs
//! the clock (subscriptions, events, billing days, grace periods), `events` keeps the received
//! events by subscription and metric, `fees` prices subscription and charge fees, and
//! [`crate::invoice`] turns each draft into a finished invoice (coupons, taxes, credits). A
//! [`Session`] keeps loaded events, indexed once (`loaded`), and the aggregations computed over
//! them (`cache`) between runs.
//! Nothing here reads a real clock: the same scenario always gives the same output, ids included
//! (`inv_0001`, `fee_0001`, …).

mod cache;
mod catalog;
mod engine;
mod events;
mod fees;
mod loaded;
mod output;
mod scenario;
mod session;
mod validate;

use serde_json::{Map, Value};

use crate::charge::CustomPricing;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::metric::CustomAggregator;

pub use output::{
    FeeEstimate, InvoicePreview, LifetimeUsageAnswer, PastUsageAnswer, SimulationOutput,
    UsageAnswer, Warning,
};
pub use scenario::{
    ClockJob, ClockRun, CouponRemoval, CreditNoteRef, CustomerRef, Empty, EstimatedEvent,
    EventBody, EventsBatch, FeeEstimateQuery, InvoicePreviewQuery, LifetimeUsageQuery,
    LifetimeUsageUpdate, OneOffInvoice, Op, PastUsageQuery, Scenario, Step, SubscriptionRefs,
    SubscriptionUpdate, Termination, TerminationParams, UsageQuery, WalletRef,
};
pub use session::Session;
pub use validate::{Problem, validate};

/// Runs `scenario` and returns everything it produced.
///
/// ```
/// use lagom_core::simulate::{Scenario, simulate};
/// let scenario = Scenario::parse(r#"{
///   "customer": {"external_id": "acme"},
///   "plans": [{"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 3100,
///              "amount_currency": "EUR"}],
///   "timeline": [{"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
///                 "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "basic"}}],
///   "until": "2024-04-01T00:00:00Z"
/// }"#).unwrap();
/// let out = simulate(&scenario).unwrap();
/// // In arrears: March is billed on April 1st, in full.
/// assert_eq!(out.invoices.len(), 1);
/// assert_eq!(out.invoices[0].fees[0].amount_cents, 3100);
/// ```
pub fn simulate(scenario: &Scenario) -> Result<SimulationOutput> {
    simulate_with(scenario, &NoCustomCode)
}

/// Runs `scenario` with `events` replayed as if each were an `event` step at its own timestamp: a
/// loaded event comes after the steps of the same instant, and events of the same instant keep
/// their order. An event's failure is reported at `events[j]`, a warning about it names it by
/// `event: j`; `until` must not be before the last event.
///
/// ```
/// use lagom_core::simulate::{Scenario, simulate_with_events};
/// let scenario = Scenario::parse(r#"{
///   "customer": {"external_id": "acme"},
///   "billable_metrics": [{"name": "Calls", "code": "calls", "aggregation_type": "count_agg"}],
///   "plans": [{"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 0,
///              "amount_currency": "EUR", "charges": [{"billable_metric_code": "calls",
///              "charge_model": "standard", "properties": {"amount": "0.5"}}]}],
///   "timeline": [{"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
///                 "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "basic"}}],
///   "until": "2024-04-01T00:00:00Z"
/// }"#).unwrap();
/// let events: Vec<lagom_core::event::Event> = serde_json::from_str(r#"[
///   {"transaction_id": "t1", "external_subscription_id": "s1", "code": "calls", "timestamp": "2024-03-05T00:00:00Z"},
///   {"transaction_id": "t2", "external_subscription_id": "s1", "code": "calls", "timestamp": "2024-03-06T00:00:00Z"},
///   {"transaction_id": "t3", "external_subscription_id": "s1", "code": "calls", "timestamp": "2024-03-07T00:00:00Z"}
/// ]"#).unwrap();
/// let out = simulate_with_events(&scenario, &events).unwrap();
/// // March's 3 calls at 0.50 EUR, billed on April 1st: 150 cents.
/// assert_eq!(out.invoices[0].fees_amount_cents, 150);
/// ```
pub fn simulate_with_events(scenario: &Scenario, events: &[Event]) -> Result<SimulationOutput> {
    engine::run(scenario, events, None, None, &NoCustomCode)
}

/// Runs `scenario`, pricing `custom` charges and aggregating `custom_agg` metrics with the host's
/// `custom` code (wasm plugins natively, callbacks in JavaScript).
///
/// ```
/// use lagom_core::charge::{AggregationAmount, CustomPricing};
/// use lagom_core::simulate::{CustomCode, Scenario, simulate, simulate_with};
///
/// /// Lago's own custom model: the amount the custom aggregation computed (none here, so 0).
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
/// assert!(simulate(&scenario).is_err());
/// assert!(simulate_with(&scenario, &LagoRule).is_ok());
/// ```
pub fn simulate_with(scenario: &Scenario, custom: &dyn CustomCode) -> Result<SimulationOutput> {
    engine::run(scenario, &[], None, None, custom)
}

/// The host's code for what Lago runs as customer code: the pricing of `custom` charges, and the
/// aggregator of `custom_agg` metrics. Both default to none (such charges then fail, naming the charge).
pub trait CustomCode {
    /// Prices every `custom` charge (the implementation reads the charge's properties to choose how).
    fn pricing(&self) -> Option<&dyn CustomPricing> {
        None
    }

    /// The aggregator of a `custom_agg` metric billed by a charge with these `properties`.
    fn aggregator(&self, charge_properties: &Map<String, Value>) -> Option<&dyn CustomAggregator> {
        let _ = charge_properties;
        None
    }
}

/// No custom code: what [`simulate`] runs with.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCustomCode;

impl CustomCode for NoCustomCode {}

/// Reads a scenario document and returns the simulation's output as JSON text, written straight
/// from the output (no intermediate `serde_json::Value`).
///
/// ```
/// let text = lagom_core::simulate::simulate_json(r#"{"timeline": []}"#).unwrap();
/// assert!(text.starts_with(r#"{"invoices":[],"#));
/// let err = lagom_core::simulate::simulate_json(r#"{"plans": [], "timeline": [
///   {"at": "2024-01-01T00:00:00Z", "op": "create_subscription",
///    "body": {"external_id": "s1", "external_customer_id": "c", "plan_code": "pro"}}]}"#).unwrap_err();
/// assert_eq!(err.to_string(), "timeline[0].body.plan_code: unknown plan code `pro`, known: none");
/// ```
pub fn simulate_json(text: &str) -> Result<String> {
    let scenario = Scenario::parse(text)?;
    let output = simulate(&scenario)?;
    serde_json::to_string(&output)
        .map_err(|e| Error::invalid("", format!("cannot write the output: {e}")))
}
