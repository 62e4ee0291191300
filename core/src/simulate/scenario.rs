//! The scenario document: the catalog (taxes, billable metrics, plans, add-ons, coupons), the
//! customers, and the timeline of API calls replayed on the virtual clock.
//!
//! Every object keeps the shape of Lago's API. A step is `{"at": ISO 8601, "op": name, "body": {…}}`,
//! the body being what that API call takes. [`Scenario::parse`] reads a document and reports a bad
//! step at `timeline[i].body.<field>`; the catalog is checked by [`super::catalog`].
//!
//! An event step's event (`event`, or each of an `events_batch`) is read as an [`EventBody`], whose
//! timestamp may be left out, and kept as the [`Event`] it makes at the step's instant: the
//! documents describe the body, the engine lends the kept event to its store instead of copying it.
//! A scenario is therefore read only by [`Scenario::parse`] (it is not `Deserialize`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::add_on::AddOn;
use crate::coupon::{AppliedCoupon, Coupon};
use crate::credit_note::CreditNoteCreate;
use crate::customer::{Customer, Organization};
use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::invoice::{OneOffFee, WalletTopUp, WalletUpdate};
use crate::metric::BillableMetric;
use crate::money::Currency;
use crate::plan::Plan;
use crate::subscription::{OnTerminationCreditNote, OnTerminationInvoice, Subscription};
use crate::tax::Tax;
use crate::wallet::Wallet;

/// A whole scenario: who is billed, on what, and what happens when.
///
/// ```
/// use lagom_core::simulate::Scenario;
/// let scenario = Scenario::parse(r#"{
///   "customer": {"external_id": "acme", "currency": "EUR"},
///   "plans": [{"name": "Basic", "code": "basic", "interval": "monthly", "amount_cents": 1000, "amount_currency": "EUR"}],
///   "timeline": [{"at": "2024-01-01T00:00:00Z", "op": "create_subscription",
///                 "body": {"external_id": "sub1", "external_customer_id": "acme", "plan_code": "basic"}}]
/// }"#).unwrap();
/// assert_eq!(scenario.timeline.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Scenario {
    #[serde(default)]
    pub organization: Option<Organization>,
    /// A single customer, same as a one-element `customers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customers: Vec<Customer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Tax>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billable_metrics: Vec<BillableMetric>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plans: Vec<Plan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_ons: Vec<AddOn>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<Coupon>,
    #[serde(default)]
    pub timeline: Vec<Step>,
    /// Advance the clock to this instant after the last step, billing on the way.
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub until: Option<Timestamp>,
}

/// One API call at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Step {
    #[serde(with = "crate::time::iso")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant"))]
    pub at: Timestamp,
    #[serde(flatten)]
    #[cfg_attr(feature = "typescript", tsify(type = "StepCall"))]
    pub op: Op,
}

/// The TypeScript forms of a step's op, derived from [`Op`]'s declaration (core feature
/// `typescript`). [`Scenario::parse`] reads a missing body as `{}`, so a body whose fields are all
/// optional may be left out.
#[cfg(feature = "typescript")]
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const STEP_TYPES: &str = r#"
/** A timeline op's name. */
export type StepOp = Op["op"];
/** The body each timeline op takes (Lago's API call of the same name). */
export type StepBodies = { [S in Op as S["op"]]: S["body"] };
/** An op and its body; a body whose fields are all optional may be left out. */
export type StepCall = {
  [O in StepOp]: { op: O } & ({} extends StepBodies[O] ? { body?: StepBodies[O] } : { body: StepBodies[O] });
}[StepOp];
"#;

/// The API calls a timeline can make, each with its body in the API's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(tag = "op", content = "body", rename_all = "snake_case")]
pub enum Op {
    CreateCustomer(Box<Customer>),
    /// An `external_id` already in use is a plan change.
    CreateSubscription(Box<Subscription>),
    UpdateSubscription(SubscriptionUpdate),
    TerminateSubscription(Termination),
    #[cfg_attr(feature = "openapi", schema(value_type = EventBody))]
    Event(#[cfg_attr(feature = "typescript", tsify(type = "EventBody"))] Event),
    EventsBatch(EventsBatch),
    ApplyCoupon(Box<AppliedCoupon>),
    RemoveAppliedCoupon(CouponRemoval),
    CreateWallet(Box<Wallet>),
    TopUpWallet(WalletTopUp),
    UpdateWallet(WalletUpdate),
    TerminateWallet(WalletRef),
    CreateCreditNote(Box<CreditNoteCreate>),
    VoidCreditNote(CreditNoteRef),
    OneOffInvoice(OneOffInvoice),
    UpdateLifetimeUsage(LifetimeUsageUpdate),
    CurrentUsage(UsageQuery),
    PastUsage(PastUsageQuery),
    LifetimeUsage(LifetimeUsageQuery),
    EstimateFees(FeeEstimateQuery),
    PreviewInvoice(InvoicePreviewQuery),
    /// Lago's periodic billing at the step's instant.
    RunBilling(Empty),
    /// One of Lago's other clock jobs.
    RunClock(ClockRun),
}

/// An empty body (`{}` or no body at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// `PUT /subscriptions/{external_id}`: the fields a subscription update may change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionUpdate {
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub ending_at: Option<Timestamp>,
    #[serde(
        default,
        with = "crate::time::iso_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub subscription_at: Option<Timestamp>,
}

/// `DELETE /subscriptions/{external_id}` with its query options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct Termination {
    pub external_id: String,
    #[serde(default)]
    pub params: TerminationParams,
}

/// The termination's query options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct TerminationParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_termination_credit_note: Option<OnTerminationCreditNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_termination_invoice: Option<OnTerminationInvoice>,
}

/// `POST /events`: an event whose timestamp defaults to the step's instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct EventBody {
    pub transaction_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    pub code: String,
    /// ISO 8601 text or Unix seconds; the step's `at` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(type = "Instant | null"))]
    pub timestamp: Option<Value>,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub properties: Map<String, Value>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_total_amount_cents: Option<Decimal>,
}

impl EventBody {
    /// The event, stamped with `at` when the body has no timestamp.
    ///
    /// ```
    /// use lagom_core::simulate::EventBody;
    /// use lagom_core::time::{format, parse};
    /// let body: EventBody = serde_json::from_str(r#"{"transaction_id": "t1", "code": "calls"}"#).unwrap();
    /// let event = body.into_event(parse("2024-01-05T10:00:00Z").unwrap()).unwrap();
    /// assert_eq!(format(event.timestamp), "2024-01-05T10:00:00Z");
    /// ```
    pub fn into_event(self, at: Timestamp) -> Result<Event> {
        let timestamp = match &self.timestamp {
            None | Some(Value::Null) => at,
            Some(value) => crate::time::from_json(value).ok_or_else(|| {
                Error::invalid(
                    "timestamp",
                    format!("must be ISO 8601 text or Unix seconds (got {value})"),
                )
            })?,
        };
        Ok(Event {
            transaction_id: self.transaction_id,
            external_subscription_id: self.external_subscription_id,
            external_customer_id: self.external_customer_id,
            code: self.code,
            timestamp,
            properties: self.properties,
            precise_total_amount_cents: self.precise_total_amount_cents,
        })
    }
}

/// `POST /events/batch`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct EventsBatch {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<EventBody>))]
    #[cfg_attr(feature = "typescript", tsify(type = "EventBody[]"))]
    pub events: Vec<Event>,
}

/// An `events_batch` body as written: each event's JSON text, read on its own by
/// [`stamped_batch`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsBatchBody<'a> {
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

/// `DELETE /customers/{external_customer_id}/applied_coupons/{id}`, naming the coupon by code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct CouponRemoval {
    pub external_customer_id: String,
    pub coupon_code: String,
}

/// A wallet named by its id (`wal_0001`, in creation order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct WalletRef {
    pub wallet_id: String,
}

/// A credit note named by its id (`cn_0001`, in creation order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct CreditNoteRef {
    pub credit_note_id: String,
}

/// `POST /invoices`: a one-off invoice of add-on fees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct OneOffInvoice {
    pub external_customer_id: String,
    /// The customer's currency when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    pub fees: Vec<OneOffFee>,
}

/// `PUT /subscriptions/{external_subscription_id}/lifetime_usage`: the usage billed before the
/// subscription came to Lago, which counts toward its progressive-billing thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct LifetimeUsageUpdate {
    pub external_subscription_id: String,
    pub external_historical_usage_amount_cents: i64,
}

/// `GET /customers/{external_customer_id}/current_usage?external_subscription_id=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    pub external_subscription_id: String,
}

/// `GET /customers/{external_customer_id}/past_usage?external_subscription_id=…`: the billed
/// periods, latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct PastUsageQuery {
    pub external_customer_id: String,
    pub external_subscription_id: String,
    /// How many periods, the latest first; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods_count: Option<usize>,
    /// Only this metric's charges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_metric_code: Option<String>,
}

/// `GET /subscriptions/{external_subscription_id}/lifetime_usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct LifetimeUsageQuery {
    pub external_subscription_id: String,
}

/// `POST /events/estimate_fees`: the pay-in-advance fees an event would get now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct FeeEstimateQuery {
    pub event: EstimatedEvent,
}

/// The event of a fee estimate: an event without `transaction_id` or `timestamp` (it happens at
/// the step's instant and is not kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct EstimatedEvent {
    pub code: String,
    pub external_subscription_id: String,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub properties: Map<String, Value>,
    #[serde(
        default,
        with = "crate::decimal::lenient_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub precise_total_amount_cents: Option<Decimal>,
}

/// `POST /invoices/preview` for existing subscriptions: the invoice their next billing would
/// issue, with what is known now (coupons, credit notes and wallets applied but not used up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct InvoicePreviewQuery {
    pub customer: CustomerRef,
    pub subscriptions: SubscriptionRefs,
}

/// A customer named by its `external_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct CustomerRef {
    pub external_id: String,
}

/// Subscriptions named by their `external_id`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionRefs {
    pub external_ids: Vec<String>,
}

/// `run_clock`'s body: which clock job to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct ClockRun {
    pub job: ClockJob,
}

/// Lago's clock jobs besides periodic billing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum ClockJob {
    /// Terminates subscriptions whose `ending_at` has passed.
    TerminateEndedSubscriptions,
    /// Finalizes draft invoices whose grace period is over.
    FinalizeInvoices,
}

/// The op names, in the order of [`Op`], for error messages.
const OP_NAMES: &[&str] = &[
    "create_customer",
    "create_subscription",
    "update_subscription",
    "terminate_subscription",
    "event",
    "events_batch",
    "apply_coupon",
    "remove_applied_coupon",
    "create_wallet",
    "top_up_wallet",
    "update_wallet",
    "terminate_wallet",
    "create_credit_note",
    "void_credit_note",
    "one_off_invoice",
    "update_lifetime_usage",
    "current_usage",
    "past_usage",
    "lifetime_usage",
    "estimate_fees",
    "preview_invoice",
    "run_billing",
    "run_clock",
];

/// A step before its body is read: the instant, the op's name, the body's JSON text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep<'a> {
    at: Value,
    #[serde(borrow)]
    op: Cow<'a, str>,
    #[serde(default, borrow)]
    body: Option<&'a RawValue>,
}

/// The document's top-level fields, in the order they are read and their problems reported.
const FIELDS: &[&str] = &[
    "organization",
    "customer",
    "customers",
    "taxes",
    "billable_metrics",
    "plans",
    "add_ons",
    "coupons",
    "timeline",
    "until",
];

/// `until`: an optional ISO 8601 instant.
#[derive(Deserialize)]
struct Until(#[serde(with = "crate::time::iso_option")] Option<Timestamp>);

impl Scenario {
    /// Reads a scenario document. A malformed step fails at `timeline[i]…`, a step earlier than
    /// the one before it at `timeline[i].at`.
    ///
    /// ```
    /// use lagom_core::simulate::Scenario;
    /// let err = Scenario::parse(r#"{"timeline": [
    ///   {"at": "2024-01-02T00:00:00Z", "op": "run_billing"},
    ///   {"at": "2024-01-01T00:00:00Z", "op": "run_billing"}]}"#).unwrap_err();
    /// assert_eq!(err.path(), Some("timeline[1].at"));
    /// let err = Scenario::parse(r#"{"timeline": [{"at": "2024-01-01T00:00:00Z", "op": "bill"}]}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("timeline[0].op: unknown op `bill`"));
    /// ```
    pub fn parse(text: &str) -> Result<Scenario> {
        let mut problems = Vec::new();
        let (scenario, _) = read(text, &mut problems);
        match problems.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(scenario),
        }
    }

    /// Fails when `until` is before the last step, or before `last_event`, the last of the events
    /// replayed with the timeline.
    ///
    /// ```
    /// use lagom_core::simulate::Scenario;
    /// let scenario = Scenario::parse(r#"{"until": "2024-01-01T00:00:00Z",
    ///   "timeline": [{"at": "2024-01-02T00:00:00Z", "op": "run_billing"}]}"#).unwrap();
    /// assert_eq!(
    ///     scenario.check_until(None).unwrap_err().to_string(),
    ///     "until: must not be before the last step (got 2024-01-01T00:00:00Z < 2024-01-02T00:00:00Z)"
    /// );
    /// ```
    pub fn check_until(&self, last_event: Option<Timestamp>) -> Result<()> {
        let Some(until) = self.until else {
            return Ok(());
        };
        let last_step = self.timeline.last().map(|s| (s.at, "step"));
        let last_event = last_event.map(|at| (at, "event"));
        for (last, what) in [last_step, last_event].into_iter().flatten() {
            if until < last {
                return Err(Error::invalid(
                    "until",
                    format!(
                        "must not be before the last {what} (got {} < {})",
                        crate::time::format(until),
                        crate::time::format(last)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Reads a scenario document as far as it goes: a field, list item or step that does not fit is
/// left out and its problem pushed onto `problems`, and the rest is still read, so that every
/// problem of the document is found in one pass. Also returns each kept step's index in the
/// document's timeline.
///
/// Each field, item and step is read from its own JSON text (borrowed from `text`) straight into its
/// type: a document of a million events never becomes a `serde_json::Value`.
pub(super) fn read(text: &str, problems: &mut Vec<Error>) -> (Scenario, Vec<usize>) {
    let mut fields: BTreeMap<String, &RawValue> = match crate::eval::from_json(text) {
        Ok(fields) => fields,
        Err(err) => {
            problems.push(err);
            return (Scenario::default(), Vec::new());
        }
    };
    let mut scenario = Scenario::default();
    let mut step_indexes = Vec::new();
    for &name in FIELDS {
        let Some(value) = fields.remove(name) else {
            continue;
        };
        match name {
            "organization" => scenario.organization = item(value, name, problems).flatten(),
            "customer" => scenario.customer = item(value, name, problems).flatten(),
            "customers" => scenario.customers = list(value, name, problems),
            "taxes" => scenario.taxes = list(value, name, problems),
            "billable_metrics" => scenario.billable_metrics = list(value, name, problems),
            "plans" => scenario.plans = list(value, name, problems),
            "add_ons" => scenario.add_ons = list(value, name, problems),
            "coupons" => scenario.coupons = list(value, name, problems),
            "timeline" => {
                (scenario.timeline, step_indexes) = timeline(list(value, name, problems), problems);
            }
            _ => scenario.until = item(value, name, problems).and_then(|Until(at)| at),
        }
    }
    for name in fields.keys() {
        let reason = <serde_json::Error as serde::de::Error>::unknown_field(name, FIELDS);
        problems.push(Error::invalid(name.as_str(), reason.to_string()));
    }
    (scenario, step_indexes)
}

/// Reads one field, reporting its problem under `path`.
fn item<'a, T: Deserialize<'a>>(
    value: &'a RawValue,
    path: &str,
    problems: &mut Vec<Error>,
) -> Option<T> {
    crate::eval::from_json(value.get())
        .map_err(|e| problems.push(e.within(path)))
        .ok()
}

/// Reads a list item by item: a bad item is reported at `path[i]` and left out.
fn list<'a, T: Deserialize<'a>>(
    value: &'a RawValue,
    path: &str,
    problems: &mut Vec<Error>,
) -> Vec<T> {
    let items: Vec<&RawValue> = item(value, path, problems).unwrap_or_default();
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, value)| item(value, &format!("{path}[{i}]"), problems))
        .collect()
}

/// Reads each step on its own; a step earlier than the last good one is reported at
/// `timeline[i].at` and left out. Returns the kept steps and their indexes.
fn timeline(raw: Vec<&RawValue>, problems: &mut Vec<Error>) -> (Vec<Step>, Vec<usize>) {
    let mut steps: Vec<Step> = Vec::with_capacity(raw.len());
    let mut indexes = Vec::with_capacity(raw.len());
    for (i, value) in raw.into_iter().enumerate() {
        let step = match parse_step(value) {
            Ok(step) => step,
            Err(err) => {
                problems.push(err.within(&format!("timeline[{i}]")));
                continue;
            }
        };
        match steps.last().map(|s| s.at) {
            Some(previous) if step.at < previous => problems.push(Error::invalid(
                format!("timeline[{i}].at"),
                format!(
                    "steps must be in time order (got {} after {})",
                    crate::time::format(step.at),
                    crate::time::format(previous)
                ),
            )),
            _ => {
                steps.push(step);
                indexes.push(i);
            }
        }
    }
    (steps, indexes)
}

fn parse_step(text: &RawValue) -> Result<Step> {
    let raw: RawStep = crate::eval::from_json(text.get())?;
    let at = crate::time::from_json(&raw.at).ok_or_else(|| {
        Error::invalid(
            "at",
            format!("must be ISO 8601 text or Unix seconds (got {})", raw.at),
        )
    })?;
    let value = raw.body.map_or("{}", RawValue::get);
    let op = match &*raw.op {
        "create_customer" => Op::CreateCustomer(within_body(value)?),
        "create_subscription" => Op::CreateSubscription(within_body(value)?),
        "update_subscription" => Op::UpdateSubscription(within_body(value)?),
        "terminate_subscription" => Op::TerminateSubscription(within_body(value)?),
        "event" => Op::Event(stamped_event(value, at).map_err(|e| e.within("body"))?),
        "events_batch" => Op::EventsBatch(stamped_batch(value, at)?),
        "apply_coupon" => Op::ApplyCoupon(within_body(value)?),
        "remove_applied_coupon" => Op::RemoveAppliedCoupon(within_body(value)?),
        "create_wallet" => Op::CreateWallet(within_body(value)?),
        "top_up_wallet" => Op::TopUpWallet(within_body(value)?),
        "update_wallet" => Op::UpdateWallet(within_body(value)?),
        "terminate_wallet" => Op::TerminateWallet(within_body(value)?),
        "create_credit_note" => Op::CreateCreditNote(within_body(value)?),
        "void_credit_note" => Op::VoidCreditNote(within_body(value)?),
        "one_off_invoice" => Op::OneOffInvoice(within_body(value)?),
        "update_lifetime_usage" => Op::UpdateLifetimeUsage(within_body(value)?),
        "current_usage" => Op::CurrentUsage(within_body(value)?),
        "past_usage" => Op::PastUsage(within_body(value)?),
        "lifetime_usage" => Op::LifetimeUsage(within_body(value)?),
        "estimate_fees" => Op::EstimateFees(within_body(value)?),
        "preview_invoice" => Op::PreviewInvoice(within_body(value)?),
        "run_billing" => Op::RunBilling(within_body(value)?),
        "run_clock" => Op::RunClock(within_body(value)?),
        other => {
            return Err(Error::unknown_variant("op", "op", other, OP_NAMES));
        }
    };
    Ok(Step { at, op })
}

/// Reads an `events_batch` body, each event stamped as [`stamped_event`] does; a bad event fails
/// at `body.events[i].<field>`. The events' texts are listed first, so that the events are read
/// into a list of the right size (not grown, and copied, a thousand events at a time).
fn stamped_batch(text: &str, at: Timestamp) -> Result<EventsBatch> {
    let batch: EventsBatchBody = within_body(text)?;
    let mut events = Vec::with_capacity(batch.events.len());
    for (i, event) in batch.events.into_iter().enumerate() {
        events.push(
            stamped_event(event.get(), at).map_err(|e| e.within(&format!("body.events[{i}]")))?,
        );
    }
    Ok(EventsBatch { events })
}

/// Reads an event's text, stamped with `at` when it has no timestamp. The text is read without
/// following the JSON path first (the path follower copies each field name it passes: a million
/// events' worth); only an event that fails is read again, followed, to say where.
fn stamped_event(text: &str, at: Timestamp) -> Result<Event> {
    serde_json::from_str::<EventBody>(text)
        .or_else(|_| crate::eval::from_json(text))?
        .into_event(at)
}

/// Reads a step's body as a `T`, failing at `body.<the field that does not fit>`.
fn within_body<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T> {
    crate::eval::from_json(text).map_err(|e| e.within("body"))
}
