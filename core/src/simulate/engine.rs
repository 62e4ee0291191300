//! The virtual clock and the state it moves: customers, subscriptions, events and invoices.
//!
//! Before each step the clock runs every job due up to the step's instant, in time order: pending
//! subscriptions start, subscriptions bill on their billing days (customer-local midnight), trials
//! of pay-in-advance plans end, subscriptions reach their `ending_at`, and drafts whose grace period
//! is over are finalized. Then the step runs. `until` runs the clock once more after the last step.

use std::borrow::Cow;
use std::collections::HashMap;
use std::iter::Peekable;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use crate::customer::{Customer, FinalizeZeroAmountInvoice, Organization};
use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::fee::{Fee, FeeItem, FeeType, PaymentStatus};
use crate::invoice::{
    BillingPeriod, CustomerBalances, FeeContext, Invoice, InvoiceContext, InvoiceStatus,
    InvoiceType, InvoicingReason, ProgressiveBillingCredit, draft_totals, finalize,
    one_off_invoice,
};
use crate::metric::Period;
use crate::money::{Currency, round_cents};
use crate::period::{self, BillingTime, Boundaries, Cycle, Interval};
use crate::simulate::CustomCode;
use crate::simulate::cache::AggregationCache;
use crate::simulate::catalog::Catalog;
use crate::simulate::events::{EventStore, StoredEvent, Window, window};
use crate::simulate::fees::{
    ChargeBilling, SubscriptionAmount, blank_fee, subscription_precise_cents,
};
use crate::simulate::loaded::LoadedIndex;
use crate::simulate::output::{SimulationOutput, Warning};
use crate::simulate::scenario::{
    ClockJob, OneOffInvoice, Op, Scenario, Step, SubscriptionUpdate, Termination,
};
use crate::subscription::{
    OnTerminationCreditNote, OnTerminationInvoice, Subscription, SubscriptionStatus,
};
use crate::time::format;

mod commitment;
mod plan_change;
mod progressive;
mod queries;

use plan_change::{OverriddenPlans, PlanChange};

/// Charge fees with their tax context, and the `(true-up, parent)` index pairs among them.
type ChargeFeeList = (Vec<(Fee, FeeContext)>, Vec<(usize, usize)>);

/// An event's pay-in-advance fees, each with its tax context and whether it is invoiceable, and
/// the period they bill in.
type InAdvanceFees = (Boundaries, Vec<(Fee, FeeContext, bool)>);

/// Why an invoice is made: one `invoicing_reason` for all its subscriptions, or a plan change,
/// which bills the subscription that ends (`subscription_terminating`) with the one that starts
/// (`subscription_starting`) — Lago's unpersisted `upgrading` reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occasion {
    Reason(InvoicingReason),
    PlanChange,
}

impl Occasion {
    fn for_subscription(self, status: SubscriptionStatus) -> InvoicingReason {
        match self {
            Occasion::Reason(reason) => reason,
            Occasion::PlanChange if status == SubscriptionStatus::Terminated => {
                InvoicingReason::SubscriptionTerminating
            }
            Occasion::PlanChange => InvoicingReason::SubscriptionStarting,
        }
    }
}

/// Runs a whole scenario, replaying the `loaded` events with its timeline: each at its own
/// timestamp, after the steps of the same instant, in their order among themselves.
///
/// With the loaded events' `index`, they are stored at once when that gives the same run (see
/// [`super::loaded`]). With a `cache`, charge aggregations equal to ones it holds are taken from
/// it (see [`super::cache`]). `custom` prices `custom` charges and folds `custom_agg` metrics.
pub(crate) fn run<'s>(
    scenario: &'s Scenario,
    loaded: &[Event],
    index: Option<&LoadedIndex>,
    cache: Option<&AggregationCache>,
    custom: &'s dyn CustomCode,
) -> Result<SimulationOutput> {
    let overridden = plan_change::override_plans(scenario)?;
    let catalog = Catalog::check(scenario, &overridden.plans, &overridden.steps)?;
    let organization = scenario.organization.clone().unwrap_or_default();
    organization
        .validate()
        .map_err(|e| e.within("organization"))?;
    let mut engine = Engine {
        catalog,
        overridden: &overridden,
        organization,
        customers: Vec::new(),
        subscriptions: Vec::new(),
        by_external_id: HashMap::new(),
        events: EventStore::new(scenario.billable_metrics.len()),
        cache,
        drafts: Vec::new(),
        out: SimulationOutput::default(),
        invoice_customers: Vec::new(),
        counters: Counters::default(),
        cause: Cause::Step(0),
        touched: Vec::new(),
        custom,
    };
    let initial = scenario.customer.iter().chain(&scenario.customers);
    for (i, customer) in initial.enumerate() {
        let path = if scenario.customer.is_some() && i == 0 {
            "customer".to_owned()
        } else {
            format!(
                "customers[{}]",
                i - usize::from(scenario.customer.is_some())
            )
        };
        engine
            .upsert_customer(customer)
            .map_err(|e| e.within(&path))?;
    }
    let bulk = index.filter(|index| index.may_store_in_bulk(loaded, scenario, &engine.catalog));
    let replayed = match bulk {
        Some(index) => {
            let catalog = &engine.catalog;
            engine
                .events
                .attach(loaded, index, |code| catalog.metric(code));
            &[]
        }
        None => loaded,
    };
    // A stable sort: events of the same instant keep their order.
    let mut order: Vec<(usize, &Event)> = replayed.iter().enumerate().collect();
    order.sort_by_key(|(_, event)| event.timestamp);
    let mut pending = order.into_iter().peekable();
    for (i, step) in scenario.timeline.iter().enumerate() {
        engine.replay_until(&mut pending, Some(step.at))?;
        engine.cause = Cause::Step(i);
        let path = format!("timeline[{i}]");
        engine.advance_to(step.at).map_err(|e| e.within(&path))?;
        engine.events.set_clock(step.at);
        engine.run_step(step).map_err(|e| e.within(&path))?;
    }
    engine.replay_until(&mut pending, None)?;
    let latest = match index {
        Some(index) => index.latest(),
        None => loaded.iter().map(|e| e.timestamp).max(),
    };
    scenario.check_until(latest)?;
    if let Some(until) = scenario.until {
        engine.advance_to(until).map_err(|e| e.within("until"))?;
    }
    Ok(engine.finish())
}

#[derive(Default)]
struct Counters {
    customer: u32,
    subscription: u32,
    invoice: u32,
    fee: u32,
    applied_coupon: u32,
    wallet: u32,
    credit_note: u32,
}

fn next_id(counter: &mut u32, prefix: &str) -> String {
    *counter += 1;
    format!("{prefix}_{:04}", *counter)
}

struct CustomerState {
    customer: Customer,
    lago_id: String,
    time_zone: TimeZone,
    balances: CustomerBalances,
}

struct SubscriptionState {
    lago_id: String,
    body: Subscription,
    customer: usize,
    plan: usize,
    billing_time: BillingTime,
    created_at: Timestamp,
    subscription_at: Timestamp,
    started_at: Option<Timestamp>,
    terminated_at: Option<Timestamp>,
    canceled_at: Option<Timestamp>,
    ending_at: Option<Timestamp>,
    status: SubscriptionStatus,
    /// When the trial ends, if the plan has one.
    trial_end: Option<Timestamp>,
    /// Whether the end of the trial was handled (billed for pay-in-advance plans).
    trial_done: bool,
    /// The next periodic billing instant (customer-local midnight of a billing day).
    next_billing: Option<Timestamp>,
    /// The invoices holding a subscription fee of this subscription, with their issuing dates.
    subscription_fees: Vec<(usize, Date)>,
    /// The subscription this one replaces, and how.
    previous: Option<(usize, PlanChange)>,
    /// The subscription replacing this one: a pending downgrade, or the upgrade that ended it.
    next: Option<(usize, PlanChange)>,
    /// The subscription invoices it is on.
    invoices: Vec<usize>,
    /// Its progressive-billing invoices.
    progressive_invoices: Vec<usize>,
    /// Usage billed before it came to Lago (`update_lifetime_usage`), in cents.
    historical_usage_amount_cents: i64,
}

impl SubscriptionState {
    /// How the subscription ended when a plan change ended it.
    fn replaced_by(&self) -> Option<PlanChange> {
        self.next
            .map(|(_, change)| change)
            .filter(|_| self.status == SubscriptionStatus::Terminated)
    }
}

/// An invoice in its grace period, and how to rebuild it when it is finalized.
struct Draft {
    invoice: usize,
    subscriptions: Vec<usize>,
    at: Timestamp,
    reason: Occasion,
    skip_charges: bool,
    finalize_at: Timestamp,
}

struct Engine<'s> {
    catalog: Catalog<'s>,
    /// The plans the timeline's `plan_overrides` make, by step.
    overridden: &'s OverriddenPlans,
    organization: Organization,
    customers: Vec<CustomerState>,
    subscriptions: Vec<SubscriptionState>,
    /// The subscriptions of each `external_id`, oldest first.
    by_external_id: HashMap<String, Vec<usize>>,
    /// The kept events, by subscription and metric, earliest first.
    events: EventStore<'s>,
    /// The session's aggregation cache, if any.
    cache: Option<&'s AggregationCache>,
    drafts: Vec<Draft>,
    out: SimulationOutput,
    /// The customer of each invoice of `out.invoices`.
    invoice_customers: Vec<usize>,
    counters: Counters,
    /// What is running: a timeline step or a loaded event, by index.
    cause: Cause,
    /// The subscriptions that received events during the current step.
    touched: Vec<usize>,
    custom: &'s dyn CustomCode,
}

/// A timeline step or a loaded event, by index: what a warning names.
#[derive(Debug, Clone, Copy)]
enum Cause {
    Step(usize),
    Event(usize),
}

/// The clock's jobs, in the order they run when due at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Job {
    Activate(usize),
    Bill(usize),
    TrialEnd(usize),
    Terminate(usize),
    Finalize(usize),
}

impl<'s> Engine<'s> {
    // ---- the clock ----

    /// Runs every job due at or before `limit`, earliest first.
    fn advance_to(&mut self, limit: Timestamp) -> Result<()> {
        while let Some((at, job)) = self.next_job().filter(|(at, _)| *at <= limit) {
            self.events.set_clock(at);
            match job {
                Job::Activate(s) => self.activate(s, at)?,
                Job::Bill(s) => self.bill_day(s, at)?,
                Job::TrialEnd(s) => self.end_trial(s, at)?,
                Job::Terminate(s) => self.terminate(s, at, OnTerminationInvoice::Generate)?,
                Job::Finalize(d) => self.finalize_draft(d)?,
            }
        }
        Ok(())
    }

    fn next_job(&self) -> Option<(Timestamp, Job)> {
        let mut jobs: Vec<(Timestamp, Job)> = Vec::new();
        for (i, s) in self.subscriptions.iter().enumerate() {
            match s.status {
                // A downgrade starts when its predecessor's period ends (its billing job).
                SubscriptionStatus::Pending if s.previous.is_none() => {
                    jobs.push((s.subscription_at, Job::Activate(i)));
                }
                SubscriptionStatus::Active => {
                    if let Some(at) = s.next_billing {
                        jobs.push((at, Job::Bill(i)));
                    }
                    if let Some(end) = s.trial_end.filter(|_| !s.trial_done) {
                        jobs.push((end, Job::TrialEnd(i)));
                    }
                    if let Some(end) = s.ending_at {
                        jobs.push((end, Job::Terminate(i)));
                    }
                }
                _ => {}
            }
        }
        for (i, d) in self.drafts.iter().enumerate() {
            jobs.push((d.finalize_at, Job::Finalize(i)));
        }
        jobs.into_iter().min()
    }

    // ---- steps ----

    fn run_step(&mut self, step: &'s Step) -> Result<()> {
        let at = step.at;
        let body = |e: Error| e.within("body");
        match &step.op {
            Op::CreateCustomer(customer) => self.upsert_customer(customer).map_err(body),
            Op::CreateSubscription(subscription) => self.create_subscription(subscription, at),
            Op::UpdateSubscription(update) => self.update_subscription(update, at),
            Op::TerminateSubscription(termination) => self.terminate_step(termination, at),
            Op::Event(event) => {
                self.receive(event, at).map_err(body)?;
                self.check_touched_thresholds(at)
            }
            Op::EventsBatch(batch) => {
                for (i, event) in batch.events.iter().enumerate() {
                    self.receive(event, at)
                        .map_err(|e| e.within(&format!("body.events[{i}]")))?;
                }
                self.check_touched_thresholds(at)
            }
            Op::UpdateLifetimeUsage(update) => {
                let s = self.live_subscription(
                    &update.external_subscription_id,
                    "body.external_subscription_id",
                )?;
                self.subscriptions[s].historical_usage_amount_cents =
                    update.external_historical_usage_amount_cents;
                Ok(())
            }
            Op::ApplyCoupon(applied) => {
                let coupon = self
                    .catalog
                    .coupon(&applied.coupon_code, "body.coupon_code")?;
                let customer =
                    self.customer(&applied.external_customer_id, "body.external_customer_id")?;
                let id = next_id(&mut self.counters.applied_coupon, "ac");
                self.customers[customer]
                    .balances
                    .apply_coupon(coupon, applied, &id, at)
                    .map_err(body)?;
                Ok(())
            }
            Op::RemoveAppliedCoupon(removal) => {
                let customer =
                    self.customer(&removal.external_customer_id, "body.external_customer_id")?;
                self.customers[customer]
                    .balances
                    .remove_applied_coupon(&removal.coupon_code, at)
                    .map_err(body)?;
                Ok(())
            }
            Op::CreateWallet(wallet) => {
                let customer =
                    self.customer(&wallet.external_customer_id, "body.external_customer_id")?;
                let id = next_id(&mut self.counters.wallet, "wal");
                let currency = self.customers[customer]
                    .customer
                    .currency
                    .unwrap_or(wallet.currency);
                let change = self.customers[customer]
                    .balances
                    .create_wallet(wallet, &id, at, currency)
                    .map_err(body)?;
                if let Some(invoice) = change.invoice {
                    self.push_invoice(invoice, customer, at);
                }
                Ok(())
            }
            Op::TopUpWallet(top_up) => {
                let customer = self.wallet_owner(&top_up.wallet_id)?;
                let change = self.customers[customer]
                    .balances
                    .top_up_wallet(top_up, at)
                    .map_err(body)?;
                if let Some(invoice) = change.invoice {
                    self.push_invoice(invoice, customer, at);
                }
                Ok(())
            }
            Op::UpdateWallet(update) => {
                let customer = self.wallet_owner(&update.wallet_id)?;
                self.customers[customer]
                    .balances
                    .update_wallet(update, at)
                    .map_err(body)?;
                Ok(())
            }
            Op::TerminateWallet(wallet) => {
                let customer = self.wallet_owner(&wallet.wallet_id)?;
                self.customers[customer]
                    .balances
                    .terminate_wallet(&wallet.wallet_id, at)
                    .map_err(body)?;
                Ok(())
            }
            Op::CreateCreditNote(note) => {
                note.validate().map_err(body)?;
                let index = self
                    .out
                    .invoices
                    .iter()
                    .position(|i| i.lago_id.as_deref() == Some(note.invoice_id.as_str()))
                    .ok_or_else(|| {
                        Error::invalid(
                            "body.invoice_id",
                            format!("unknown invoice `{}`", note.invoice_id),
                        )
                    })?;
                let customer = self.invoice_customers[index];
                let id = next_id(&mut self.counters.credit_note, "cn");
                let invoice = &self.out.invoices[index];
                self.customers[customer]
                    .balances
                    .create_credit_note(invoice, note, &id, at)
                    .map_err(body)?;
                Ok(())
            }
            Op::VoidCreditNote(note) => {
                let customer = (0..self.customers.len())
                    .find(|&c| {
                        self.customers[c]
                            .balances
                            .credit_notes()
                            .iter()
                            .any(|n| n.lago_id.as_deref() == Some(note.credit_note_id.as_str()))
                    })
                    .ok_or_else(|| {
                        Error::invalid(
                            "body.credit_note_id",
                            format!("unknown credit note `{}`", note.credit_note_id),
                        )
                    })?;
                self.customers[customer]
                    .balances
                    .void_credit_note(&note.credit_note_id, at)
                    .map_err(body)?;
                Ok(())
            }
            Op::OneOffInvoice(request) => self.one_off(request, at),
            Op::CurrentUsage(query) => self.current_usage(query, at),
            Op::PastUsage(query) => self.past_usage(query, at),
            Op::LifetimeUsage(query) => self.lifetime_usage(query, at),
            Op::EstimateFees(query) => self.estimate_fees(query, at),
            Op::PreviewInvoice(query) => self.preview_invoice(query, at),
            Op::RunBilling(_) => self.advance_to(at),
            Op::RunClock(run) => match run.job {
                ClockJob::TerminateEndedSubscriptions | ClockJob::FinalizeInvoices => {
                    self.advance_to(at)
                }
            },
        }
    }

    fn upsert_customer(&mut self, customer: &Customer) -> Result<()> {
        customer.validate()?;
        let zone = customer
            .timezone
            .as_deref()
            .or(self.organization.timezone.as_deref())
            .unwrap_or("UTC");
        let time_zone = crate::time::time_zone(zone, "timezone")?;
        match self
            .customers
            .iter_mut()
            .find(|c| c.customer.external_id == customer.external_id)
        {
            Some(existing) => {
                existing.customer = customer.clone();
                existing.time_zone = time_zone;
            }
            None => {
                let lago_id = next_id(&mut self.counters.customer, "cus");
                self.customers.push(CustomerState {
                    customer: customer.clone(),
                    lago_id,
                    time_zone,
                    balances: CustomerBalances::default(),
                });
            }
        }
        Ok(())
    }

    fn wallet_owner(&self, wallet_id: &str) -> Result<usize> {
        (0..self.customers.len())
            .find(|&c| {
                self.customers[c]
                    .balances
                    .wallets()
                    .iter()
                    .any(|w| w.lago_id.as_deref() == Some(wallet_id))
            })
            .ok_or_else(|| {
                Error::invalid("body.wallet_id", format!("unknown wallet `{wallet_id}`"))
            })
    }

    /// Numbers an invoice made elsewhere (a wallet's credit invoice, a one-off invoice) and its
    /// fees, and records it.
    fn push_invoice(&mut self, mut invoice: Invoice, customer: usize, at: Timestamp) {
        let id = next_id(&mut self.counters.invoice, "inv");
        invoice.sequential_id =
            Some(i64::try_from(self.out.invoices.len() + 1).unwrap_or(i64::MAX));
        let state = &self.customers[customer];
        for fee in &mut invoice.fees {
            fee.lago_id = Some(next_id(&mut self.counters.fee, "fee"));
            fee.lago_invoice_id = Some(id.clone());
            fee.lago_customer_id = Some(state.lago_id.clone());
            fee.external_customer_id = Some(state.customer.external_id.clone());
            fee.created_at.get_or_insert(at);
        }
        invoice.lago_id = Some(id);
        invoice.issuing_date = state.time_zone.to_datetime(at).date();
        invoice.created_at.get_or_insert(at);
        self.out.invoices.push(invoice);
        self.invoice_customers.push(customer);
    }

    fn one_off(&mut self, request: &OneOffInvoice, at: Timestamp) -> Result<()> {
        let customer = self.customer(&request.external_customer_id, "body.external_customer_id")?;
        let currency = request
            .currency
            .or(self.customers[customer].customer.currency)
            .ok_or_else(|| {
                Error::invalid(
                    "body.currency",
                    "the customer has no currency yet: name one",
                )
            })?;
        let issuing_date = self.customers[customer].time_zone.to_datetime(at).date();
        let context = self.invoice_context(customer, &[], &[], at);
        let invoice = one_off_invoice(
            &request.fees,
            self.catalog.add_ons,
            currency,
            issuing_date,
            &context,
        )
        .map_err(|e| e.within("body"))?;
        self.push_invoice(invoice, customer, at);
        Ok(())
    }

    fn customer(&self, external_id: &str, path: &str) -> Result<usize> {
        self.customers
            .iter()
            .position(|c| c.customer.external_id == external_id)
            .ok_or_else(|| Error::invalid(path, format!("unknown customer `{external_id}`")))
    }

    /// The active subscription of `external_id`, else its pending one (a pending downgrade waits
    /// behind the active subscription it replaces).
    fn live_subscription(&self, external_id: &str, path: &str) -> Result<usize> {
        let subs = self.by_external_id.get(external_id);
        let latest = |status: SubscriptionStatus| {
            subs.and_then(|subs| {
                subs.iter()
                    .rev()
                    .copied()
                    .find(|&s| self.subscriptions[s].status == status)
            })
        };
        latest(SubscriptionStatus::Active)
            .or_else(|| latest(SubscriptionStatus::Pending))
            .ok_or_else(|| {
                Error::invalid(
                    path,
                    format!("no active or pending subscription `{external_id}`"),
                )
            })
    }

    fn create_subscription(&mut self, body: &Subscription, at: Timestamp) -> Result<()> {
        body.validate().map_err(|e| e.within("body"))?;
        let base_plan = self.catalog.plan(&body.plan_code, "body.plan_code")?;
        let overridden = match self.cause {
            Cause::Step(step) => self.overridden.of_step(step),
            Cause::Event(_) => None,
        };
        let plan = overridden.map_or(base_plan, |k| self.catalog.overridden_plan(k));
        let customer = self.customer(&body.external_customer_id, "body.external_customer_id")?;
        let plan_ref = self.catalog.plans[plan].plan;
        let currency = self.customers[customer].customer.currency;
        match currency {
            Some(c) if c != plan_ref.amount_currency => {
                return Err(Error::invalid(
                    "body.plan_code",
                    format!(
                        "the plan is in {} but the customer is billed in {c}",
                        plan_ref.amount_currency
                    ),
                ));
            }
            Some(_) => {}
            None => self.customers[customer].customer.currency = Some(plan_ref.amount_currency),
        }
        if let Ok(current) = self.live_subscription(&body.external_id, "") {
            return self.change_plan(current, base_plan, plan, body, at);
        }
        let subscription_at = body.subscription_at.unwrap_or(at);
        let trial_period = plan_ref.trial_period.unwrap_or(Decimal::ZERO);
        let trial_end = period::trial_end_datetime(subscription_at, trial_period)
            .map_err(|e| e.within("plans"))?;
        let lago_id = next_id(&mut self.counters.subscription, "sub");
        let state = SubscriptionState {
            lago_id,
            body: body.clone(),
            customer,
            plan,
            billing_time: body.billing_time.unwrap_or(BillingTime::Calendar),
            created_at: at,
            subscription_at,
            started_at: None,
            terminated_at: None,
            canceled_at: None,
            ending_at: body.ending_at,
            status: SubscriptionStatus::Pending,
            trial_end,
            trial_done: trial_end.is_none(),
            next_billing: None,
            subscription_fees: Vec::new(),
            previous: None,
            next: None,
            invoices: Vec::new(),
            progressive_invoices: Vec::new(),
            historical_usage_amount_cents: 0,
        };
        let index = self.push_subscription(state);
        if subscription_at <= at {
            self.activate(index, at)?;
        }
        Ok(())
    }

    fn push_subscription(&mut self, state: SubscriptionState) -> usize {
        let index = self.subscriptions.len();
        self.by_external_id
            .entry(state.body.external_id.clone())
            .or_default()
            .push(index);
        self.subscriptions.push(state);
        index
    }

    /// Starts a subscription (Lago's activation): it bills its first period at once when its plan
    /// is paid in advance and it is not in a trial.
    fn activate(&mut self, s: usize, at: Timestamp) -> Result<()> {
        let sub = &mut self.subscriptions[s];
        sub.status = SubscriptionStatus::Active;
        sub.started_at = Some(sub.subscription_at);
        let started_at = sub.subscription_at;
        let in_trial = sub.trial_end.is_some_and(|end| end > at);
        self.subscriptions[s].next_billing = self.following_billing(s, started_at)?;
        let plan = self.catalog.plans[self.subscriptions[s].plan].plan;
        if plan.pay_in_advance && !in_trial {
            self.bill(
                &[s],
                at,
                Occasion::Reason(InvoicingReason::SubscriptionStarting),
                true,
            )?;
        }
        Ok(())
    }

    fn update_subscription(&mut self, update: &SubscriptionUpdate, at: Timestamp) -> Result<()> {
        let s = self.live_subscription(&update.external_id, "body.external_id")?;
        let sub = &mut self.subscriptions[s];
        if let Some(name) = &update.name {
            sub.body.name = Some(name.clone());
        }
        if let Some(ending_at) = update.ending_at {
            if ending_at <= at {
                return Err(Error::invalid(
                    "body.ending_at",
                    format!("must be in the future (got {})", format(ending_at)),
                ));
            }
            sub.ending_at = Some(ending_at);
        }
        if let Some(subscription_at) = update.subscription_at {
            if sub.status != SubscriptionStatus::Pending {
                return Err(Error::invalid(
                    "body.subscription_at",
                    "can only change while the subscription is pending",
                ));
            }
            sub.subscription_at = subscription_at;
            if subscription_at <= at {
                self.activate(s, at)?;
            }
        }
        Ok(())
    }

    fn terminate_step(&mut self, termination: &Termination, at: Timestamp) -> Result<()> {
        let s = self.live_subscription(&termination.external_id, "body.external_id")?;
        let sub = &mut self.subscriptions[s];
        if let Some(option) = termination.params.on_termination_credit_note {
            sub.body.on_termination_credit_note = Some(option);
        }
        if let Some(option) = termination.params.on_termination_invoice {
            sub.body.on_termination_invoice = Some(option);
        }
        let invoice = sub
            .body
            .on_termination_invoice
            .unwrap_or(OnTerminationInvoice::Generate);
        self.terminate(s, at, invoice)
    }

    /// Lago's `CreditNotes::CreateFromTermination`: a subscription paid in advance and terminated
    /// before its period ends gets the unused days of its last subscription fee back, as a credit
    /// note on that fee's invoice ([`CustomerBalances::credit_unused_subscription`]). The days run
    /// from the day after the termination's (its day too on an upgrade, which bills that day on
    /// the new plan) to the end of the period.
    fn credit_unused_days(&mut self, s: usize, at: Timestamp, upgrade: bool) -> Result<()> {
        let sub = &self.subscriptions[s];
        let option = sub
            .body
            .on_termination_credit_note
            .unwrap_or(OnTerminationCreditNote::Credit);
        let Some(&(index, _)) = sub.subscription_fees.last() else {
            return Ok(());
        };
        let Some(fee) = self.out.invoices[index].fees.iter().find(|f| {
            f.item.kind == FeeType::Subscription
                && f.lago_subscription_id.as_deref() == Some(sub.lago_id.as_str())
        }) else {
            return Ok(());
        };
        if fee.amount_cents == 0 || self.out.invoices[index].status == InvoiceStatus::Voided {
            return Ok(());
        }
        let boundaries = self.period_subscription(s).boundaries(at)?;
        let zone = self.time_zone(s);
        let next_end = zone.to_datetime(boundaries.next_end_of_period).date();
        // Lago takes the UTC date of the end of the termination's local day.
        let end_of_day = self
            .start_of(
                s,
                self.local_date(s, at)
                    .tomorrow()
                    .map_err(|e| Error::invalid("at", e.to_string()))?,
            )?
            .checked_sub(SignedDuration::from_secs(1))
            .map_err(|e| Error::invalid("at", e.to_string()))?;
        let mut billed_from = TimeZone::UTC.to_datetime(end_of_day).date();
        if upgrade {
            billed_from = billed_from
                .yesterday()
                .map_err(|e| Error::invalid("at", e.to_string()))?;
        }
        if let Some(trial_end) = sub.trial_end.map(|t| self.local_date(s, t))
            && trial_end >= billed_from
        {
            billed_from = if trial_end > next_end {
                next_end
            } else {
                trial_end
                    .yesterday()
                    .map_err(|e| Error::invalid("at", e.to_string()))?
            };
        }
        let remaining = (next_end - billed_from).get_days().max(0);
        let plan_amount = fee
            .amount_details
            .as_ref()
            .and_then(|d| d.get("plan_amount_cents"))
            .and_then(Value::as_i64)
            .unwrap_or(self.catalog.plans[sub.plan].plan.amount_cents);
        let day_price =
            period::single_day_price(Decimal::from(plan_amount), boundaries.period_duration)?;
        let unused = crate::decimal::mul(day_price, Decimal::from(remaining), "unused amount")?;
        let fee_id = fee.lago_id.clone().unwrap_or_default();
        let customer = sub.customer;
        let id = format!("cn_{:04}", self.counters.credit_note + 1);
        let note = self.customers[customer]
            .balances
            .credit_unused_subscription(
                &self.out.invoices[index],
                &fee_id,
                unused,
                option,
                &id,
                at,
            )?;
        if note.is_some() {
            self.counters.credit_note += 1;
        }
        Ok(())
    }

    /// Terminates a subscription (Lago's `TerminateService`): a pending one is canceled; an active
    /// one bills what it owes up to now, unless told to skip the invoice.
    /// A pending downgrade of the subscription is canceled with it.
    fn terminate(&mut self, s: usize, at: Timestamp, invoice: OnTerminationInvoice) -> Result<()> {
        let sub = &mut self.subscriptions[s];
        if sub.status == SubscriptionStatus::Pending {
            sub.status = SubscriptionStatus::Canceled;
            sub.canceled_at = Some(at);
            return Ok(());
        }
        sub.status = SubscriptionStatus::Terminated;
        sub.terminated_at = Some(at);
        sub.next_billing = None;
        self.cancel_next(s, at);
        if self.catalog.plans[self.subscriptions[s].plan]
            .plan
            .pay_in_advance
        {
            self.credit_unused_days(s, at, false)?;
        }
        if invoice == OnTerminationInvoice::Generate {
            let reason = Occasion::Reason(InvoicingReason::SubscriptionTerminating);
            self.bill(&[s], at, reason, false)?;
        }
        Ok(())
    }

    fn end_trial(&mut self, s: usize, at: Timestamp) -> Result<()> {
        self.subscriptions[s].trial_done = true;
        let plan = self.catalog.plans[self.subscriptions[s].plan].plan;
        let issuing = self.local_date(s, at);
        let billed_today = self.subscriptions[s]
            .subscription_fees
            .iter()
            .any(|(_, date)| *date == issuing);
        if plan.pay_in_advance && !billed_today {
            let reason = Occasion::Reason(InvoicingReason::SubscriptionStarting);
            self.bill(&[s], at, reason, true)?;
        }
        Ok(())
    }

    /// Periodic billing of every subscription of the customer whose billing instant is `at`, on
    /// one invoice (Lago groups a customer's subscriptions billed together). A subscription with
    /// a pending downgrade is replaced instead, on an invoice of its own.
    fn bill_day(&mut self, s: usize, at: Timestamp) -> Result<()> {
        let customer = self.subscriptions[s].customer;
        let (downgraded, due): (Vec<usize>, Vec<usize>) = (0..self.subscriptions.len())
            .filter(|&i| {
                let sub = &self.subscriptions[i];
                sub.customer == customer
                    && sub.status == SubscriptionStatus::Active
                    && sub.next_billing == Some(at)
            })
            .partition(|&i| self.subscriptions[i].next.is_some());
        for old in downgraded {
            if let Some((new, _)) = self.subscriptions[old].next {
                self.downgrade(old, new, at)?;
            }
        }
        for &i in &due {
            let date = self.local_date(i, at);
            self.subscriptions[i].next_billing =
                self.following_billing(i, self.start_of(i, date)?)?;
        }
        let reason = Occasion::Reason(InvoicingReason::SubscriptionPeriodic);
        self.bill(&due, at, reason, false)
    }

    // ---- periods ----

    fn time_zone(&self, s: usize) -> &TimeZone {
        &self.customers[self.subscriptions[s].customer].time_zone
    }

    fn local_date(&self, s: usize, at: Timestamp) -> Date {
        self.time_zone(s).to_datetime(at).date()
    }

    fn start_of(&self, s: usize, date: Date) -> Result<Timestamp> {
        date.to_zoned_datetime(self.time_zone(s).clone())
            .map(|z| z.timestamp())
            .map_err(|e| Error::invalid("timezone", e.to_string()))
    }

    /// The cycle the subscription is billed on: its plan's, or monthly for a yearly or semiannual
    /// plan that bills its charges monthly.
    fn billing_cycle(&self, s: usize) -> Cycle {
        let sub = &self.subscriptions[s];
        let plan = self.catalog.plans[sub.plan].plan;
        let interval = if plan.bill_charges_monthly == Some(true)
            && matches!(plan.interval, Interval::Yearly | Interval::Semiannual)
        {
            Interval::Monthly
        } else {
            plan.interval
        };
        Cycle::new(
            interval,
            sub.billing_time,
            self.local_date(s, sub.subscription_at),
        )
    }

    /// The first billing instant strictly after `after`: the start of the day after the period
    /// holding `after` ends.
    fn following_billing(&self, s: usize, after: Timestamp) -> Result<Option<Timestamp>> {
        let cycle = self.billing_cycle(s);
        let date = self.local_date(s, after);
        let next = cycle
            .start(date)
            .and_then(|start| cycle.end(start))
            .and_then(|end| end.tomorrow().ok());
        next.map(|d| self.start_of(s, d)).transpose()
    }

    fn period_subscription(&self, s: usize) -> period::Subscription {
        let sub = &self.subscriptions[s];
        let plan = self.catalog.plans[sub.plan].plan;
        period::Subscription {
            interval: plan.interval,
            billing_time: sub.billing_time,
            pay_in_advance: plan.pay_in_advance,
            bill_charges_monthly: plan.bill_charges_monthly == Some(true)
                && matches!(plan.interval, Interval::Yearly | Interval::Semiannual),
            subscription_at: sub.subscription_at,
            started_at: sub.started_at.unwrap_or(sub.subscription_at),
            // A downgraded subscription ends with its period: Lago bills it as if still active.
            terminated_at: sub
                .terminated_at
                .filter(|_| sub.replaced_by() != Some(PlanChange::Downgrade)),
            time_zone: self.time_zone(s).clone(),
        }
    }

    // ---- invoices ----

    fn grace_period_days(&self, customer: usize) -> u32 {
        let customer = &self.customers[customer].customer;
        customer
            .billing_configuration
            .as_ref()
            .and_then(|b| b.invoice_grace_period)
            .or_else(|| {
                self.organization
                    .billing_configuration
                    .as_ref()
                    .and_then(|b| b.invoice_grace_period)
            })
            .unwrap_or(0)
    }

    fn net_payment_term(&self, customer: usize) -> u32 {
        self.customers[customer]
            .customer
            .net_payment_term
            .or(self.organization.net_payment_term)
            .unwrap_or(0)
    }

    /// Creates the invoice of `subs` (one customer's) at `at`, finalized at once or drafted for the
    /// grace period.
    fn bill(
        &mut self,
        subs: &[usize],
        at: Timestamp,
        reason: Occasion,
        skip_charges: bool,
    ) -> Result<()> {
        let Some(&first) = subs.first() else {
            return Ok(());
        };
        let customer = self.subscriptions[first].customer;
        let grace = self.grace_period_days(customer);
        let index = self.out.invoices.len();
        let id = next_id(&mut self.counters.invoice, "inv");
        let (mut invoice, contexts) =
            self.build_invoice(subs, at, reason, skip_charges, index, id)?;
        if grace == 0 {
            let credits = self.progressive_credits(subs, &invoice, at, true)?;
            self.finalize_invoice(&mut invoice, &contexts, &credits, customer, at)?;
            self.out.invoices.push(invoice);
            self.invoice_customers.push(customer);
        } else {
            let issuing = invoice.issuing_date;
            let finalize_on = issuing
                .checked_add(jiff::Span::new().days(i64::from(grace)))
                .map_err(|e| Error::invalid("invoice_grace_period", e.to_string()))?;
            invoice.issuing_date = finalize_on;
            invoice.payment_due_date = Some(self.due_date(customer, finalize_on)?);
            invoice.status = InvoiceStatus::Draft;
            let credits = self.progressive_credits(subs, &invoice, at, false)?;
            self.draft_invoice(&mut invoice, &contexts, &credits, customer, at)?;
            let finalize_at = finalize_on
                .to_zoned_datetime(TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| Error::invalid("invoice_grace_period", e.to_string()))?;
            self.out.invoices.push(invoice);
            self.invoice_customers.push(customer);
            self.drafts.push(Draft {
                invoice: index,
                subscriptions: subs.to_vec(),
                at,
                reason,
                skip_charges,
                finalize_at,
            });
        }
        Ok(())
    }

    /// Lago's finalization of a draft: the fees are computed again (late events count), then
    /// coupons, taxes and credits apply.
    fn finalize_draft(&mut self, d: usize) -> Result<()> {
        let draft = self.drafts.remove(d);
        let Some(old) = self.out.invoices.get(draft.invoice) else {
            return Ok(());
        };
        let (id, issuing, due) = (old.lago_id.clone(), old.issuing_date, old.payment_due_date);
        for &s in &draft.subscriptions {
            self.subscriptions[s]
                .subscription_fees
                .retain(|(i, _)| *i != draft.invoice);
        }
        let id = id.unwrap_or_default();
        let (mut invoice, contexts) = self.build_invoice(
            &draft.subscriptions,
            draft.at,
            draft.reason,
            draft.skip_charges,
            draft.invoice,
            id,
        )?;
        invoice.issuing_date = issuing;
        invoice.payment_due_date = due;
        let customer = self.subscriptions[draft.subscriptions[0]].customer;
        let credits =
            self.progressive_credits(&draft.subscriptions, &invoice, draft.finalize_at, true)?;
        self.finalize_invoice(
            &mut invoice,
            &contexts,
            &credits,
            customer,
            draft.finalize_at,
        )?;
        self.out.invoices[draft.invoice] = invoice;
        Ok(())
    }

    fn invoice_context<'a>(
        &'a self,
        customer: usize,
        contexts: &'a [FeeContext],
        credits: &'a [ProgressiveBillingCredit],
        at: Timestamp,
    ) -> InvoiceContext<'a> {
        InvoiceContext {
            organization: &self.organization,
            customer: &self.customers[customer].customer,
            taxes: self.catalog.taxes,
            fees: contexts,
            at,
            progressive_billing_credits: credits,
        }
    }

    fn finalize_invoice(
        &mut self,
        invoice: &mut Invoice,
        contexts: &[FeeContext],
        credits: &[ProgressiveBillingCredit],
        customer: usize,
        at: Timestamp,
    ) -> Result<()> {
        let mut balances = std::mem::take(&mut self.customers[customer].balances);
        let result = finalize(
            invoice,
            &self.invoice_context(customer, contexts, credits, at),
            &mut balances,
        );
        self.customers[customer].balances = balances;
        result?;
        invoice.status = if invoice.total_amount_cents == 0 && self.skips_zero_invoices(customer) {
            InvoiceStatus::Closed
        } else {
            InvoiceStatus::Finalized
        };
        Ok(())
    }

    /// Whether a zero-amount invoice is closed instead of finalized: the customer's
    /// `finalize_zero_amount_invoice` (`skip`), or the organization's when the customer inherits.
    fn skips_zero_invoices(&self, customer: usize) -> bool {
        match self.customers[customer]
            .customer
            .finalize_zero_amount_invoice
        {
            Some(FinalizeZeroAmountInvoice::Skip) => true,
            Some(FinalizeZeroAmountInvoice::Finalize) => false,
            Some(FinalizeZeroAmountInvoice::Inherit) | None => {
                self.organization.finalize_zero_amount_invoice == Some(false)
            }
        }
    }

    fn draft_invoice(
        &self,
        invoice: &mut Invoice,
        contexts: &[FeeContext],
        credits: &[ProgressiveBillingCredit],
        customer: usize,
        at: Timestamp,
    ) -> Result<()> {
        draft_totals(
            invoice,
            &self.invoice_context(customer, contexts, credits, at),
        )
    }

    fn due_date(&self, customer: usize, issuing: Date) -> Result<Date> {
        issuing
            .checked_add(jiff::Span::new().days(i64::from(self.net_payment_term(customer))))
            .map_err(|e| Error::invalid("net_payment_term", e.to_string()))
    }

    fn build_invoice(
        &mut self,
        subs: &[usize],
        at: Timestamp,
        reason: Occasion,
        skip_charges: bool,
        index: usize,
        id: String,
    ) -> Result<(Invoice, Vec<FeeContext>)> {
        let first = subs[0];
        let customer = self.subscriptions[first].customer;
        let currency = self.customers[customer].customer.currency.unwrap_or(
            self.catalog.plans[self.subscriptions[first].plan]
                .plan
                .amount_currency,
        );
        let issuing_date = self.local_date(first, at);
        let mut fees = Vec::new();
        let mut contexts = Vec::new();
        let mut owners = Vec::new();
        let mut true_ups = Vec::new();
        let mut billing_periods = Vec::with_capacity(subs.len());
        for &s in subs {
            let boundaries = self.period_subscription(s).boundaries(at)?;
            let plan = self.catalog.plans[self.subscriptions[s].plan].plan;
            let plan_context = FeeContext {
                plan_code: Some(plan.code.clone()),
                billable_metric_code: None,
                tax_codes: Vec::new(),
                plan_tax_codes: plan.tax_codes.clone(),
            };
            let own_start = fees.len();
            if let Some(fee) = self.subscription_fee(s, &boundaries, at, currency)? {
                self.subscriptions[s]
                    .subscription_fees
                    .push((index, issuing_date));
                fees.push(fee);
                contexts.push(plan_context.clone());
                owners.push(s);
            }
            if !skip_charges && boundaries.charges_from_datetime < boundaries.charges_to_datetime {
                let (charge_fees, pairs) = self.charge_fees(s, &boundaries, currency)?;
                let offset = fees.len();
                true_ups.extend(pairs.iter().map(|(t, p)| (t + offset, p + offset)));
                for (fee, context) in charge_fees {
                    fees.push(fee);
                    contexts.push(context);
                    owners.push(s);
                }
            }
            let own_fees: Vec<&Fee> = fees.get(own_start..).unwrap_or_default().iter().collect();
            if let Some(fee) =
                self.commitment_fee(s, &boundaries, at, index, &own_fees, currency)?
            {
                let commitment = plan.minimum_commitment.as_ref();
                contexts.push(FeeContext {
                    tax_codes: commitment.map(|c| c.tax_codes.clone()).unwrap_or_default(),
                    ..plan_context.clone()
                });
                fees.push(fee);
                owners.push(s);
            }
            if !self.subscriptions[s].invoices.contains(&index) {
                self.subscriptions[s].invoices.push(index);
            }
            let reason = reason.for_subscription(self.subscriptions[s].status);
            billing_periods.push(self.billing_period(s, &boundaries, reason));
        }
        let customer_state = &self.customers[customer];
        for (fee, &s) in fees.iter_mut().zip(&owners) {
            fee.lago_id = Some(next_id(&mut self.counters.fee, "fee"));
            fee.lago_invoice_id = Some(id.clone());
            fee.lago_subscription_id = Some(self.subscriptions[s].lago_id.clone());
            fee.external_subscription_id = Some(self.subscriptions[s].body.external_id.clone());
            fee.lago_customer_id = Some(customer_state.lago_id.clone());
            fee.external_customer_id = Some(customer_state.customer.external_id.clone());
            fee.created_at = Some(at);
            fee.payment_status = Some(PaymentStatus::Pending);
        }
        link_true_ups(&mut fees, &true_ups);
        let invoice = Invoice {
            status: InvoiceStatus::Finalized,
            billing_periods,
            fees,
            ..self.numbered_invoice(customer, index, id, currency, issuing_date, at)?
        };
        Ok((invoice, contexts))
    }

    /// The billing period of subscription `s` on an invoice, over `boundaries`.
    fn billing_period(
        &self,
        s: usize,
        boundaries: &Boundaries,
        reason: InvoicingReason,
    ) -> BillingPeriod {
        let sub = &self.subscriptions[s];
        BillingPeriod {
            lago_subscription_id: Some(sub.lago_id.clone()),
            external_subscription_id: sub.body.external_id.clone(),
            lago_plan_id: Some(self.catalog.plans[sub.plan].plan.code.clone()),
            subscription_from_datetime: boundaries.from_datetime,
            subscription_to_datetime: boundaries.to_datetime,
            charges_from_datetime: boundaries.charges_from_datetime,
            charges_to_datetime: boundaries.charges_to_datetime,
            fixed_charges_from_datetime: None,
            fixed_charges_to_datetime: None,
            invoicing_reason: reason,
        }
    }

    /// An empty draft of `customer` numbered `id`, the `index`-th invoice, created `at`, with its
    /// payment terms.
    fn numbered_invoice(
        &self,
        customer: usize,
        index: usize,
        id: String,
        currency: Currency,
        issuing_date: Date,
        at: Timestamp,
    ) -> Result<Invoice> {
        Ok(Invoice {
            lago_id: Some(id),
            sequential_id: Some(i64::try_from(index + 1).unwrap_or(i64::MAX)),
            payment_due_date: Some(self.due_date(customer, issuing_date)?),
            net_payment_term: Some(self.net_payment_term(customer)),
            created_at: Some(at),
            ..empty_invoice(currency, issuing_date)
        })
    }

    /// Lago's `should_create_subscription_fee?` and `Fees::SubscriptionService`.
    fn subscription_fee(
        &self,
        s: usize,
        boundaries: &Boundaries,
        at: Timestamp,
        currency: Currency,
    ) -> Result<Option<Fee>> {
        let sub = &self.subscriptions[s];
        let plan = self.catalog.plans[sub.plan].plan;
        let issuing = self.local_date(s, at);
        let terminated = sub.status == SubscriptionStatus::Terminated;
        if plan.pay_in_advance && sub.subscription_fees.iter().any(|(_, d)| *d == issuing) {
            return Ok(None);
        }
        if terminated && plan.pay_in_advance {
            return Ok(None);
        }
        // A yearly or semiannual plan billed monthly pays its subscription fee only when its own
        // period turns (or on its first invoice when paid in advance).
        let cycle = Cycle::new(
            plan.interval,
            sub.billing_time,
            self.local_date(s, sub.subscription_at),
        );
        let period_turns = cycle.start(issuing) == Some(issuing);
        let first_in_advance = plan.pay_in_advance && sub.subscription_fees.is_empty();
        if !terminated && !period_turns && !first_in_advance {
            return Ok(None);
        }
        let trial_end = sub.trial_end;
        let in_trial = trial_end.is_some_and(|end| end > at);
        if in_trial && trial_end.map(|end| self.local_date(s, end)) != Some(issuing) {
            return Ok(None);
        }
        let started_at = sub.started_at.unwrap_or(sub.subscription_at);
        let started_in_past = self.local_date(s, started_at) < self.local_date(s, sub.created_at);
        let replaced_by = sub.replaced_by();
        let sizing = if terminated && replaced_by == Some(PlanChange::Upgrade) {
            SubscriptionAmount::ProratedBeforeUpgrade
        } else if terminated && replaced_by.is_none() {
            SubscriptionAmount::Prorated
        } else if sub.subscription_fees.is_empty()
            && sub.previous.is_some_and(|(_, c)| c == PlanChange::Upgrade)
        {
            // Lago's `upgraded_amount`: the days from the upgrade to the end of the period.
            SubscriptionAmount::Prorated
        } else if (plan.pay_in_advance
            && sub.billing_time == BillingTime::Anniversary
            && sub.previous.is_none())
            || !sub.subscription_fees.is_empty()
            || (started_in_past && plan.pay_in_advance)
            || (started_in_past && started_at < boundaries.previous_beginning_of_period)
        {
            SubscriptionAmount::Full
        } else {
            SubscriptionAmount::Prorated
        };
        let precise = subscription_precise_cents(
            plan.amount_cents,
            boundaries,
            trial_end,
            sizing,
            self.time_zone(s),
        )?;
        let amount_cents = round_cents(precise)?;
        let mut fee = blank_fee(
            currency,
            FeeItem {
                kind: FeeType::Subscription,
                code: plan.code.clone(),
                name: plan.name.clone(),
                description: plan.description.clone(),
                invoice_display_name: plan.invoice_display_name.clone(),
                filter_invoice_display_name: None,
                filters: None,
                lago_item_id: Some(sub.lago_id.clone()),
                item_type: Some("Subscription".to_owned()),
                grouped_by: Map::new(),
            },
        );
        fee.amount_cents = amount_cents;
        fee.precise_amount = Some(currency.to_units(precise));
        fee.units = Decimal::ONE;
        fee.precise_unit_amount = Some(currency.to_units(Decimal::from(amount_cents)));
        fee.from_date = Some(boundaries.from_datetime);
        fee.to_date = Some(boundaries.to_datetime);
        fee.pay_in_advance = plan.pay_in_advance;
        let mut details = Map::new();
        details.insert(
            "plan_amount_cents".to_owned(),
            Value::from(plan.amount_cents),
        );
        fee.amount_details = Some(details);
        Ok(Some(fee))
    }

    /// The charge fees of one subscription for the charges period of `boundaries`.
    fn charge_fees(
        &self,
        s: usize,
        boundaries: &Boundaries,
        currency: Currency,
    ) -> Result<ChargeFeeList> {
        let sub = &self.subscriptions[s];
        let checked = &self.catalog.plans[sub.plan];
        let terminated = sub.status == SubscriptionStatus::Terminated;
        let period = Period {
            from_datetime: boundaries.charges_from_datetime,
            to_datetime: boundaries.charges_to_datetime,
            charges_duration: u32::try_from(boundaries.charges_duration).ok(),
            time_zone: self.time_zone(s).clone(),
        };
        let days_billed = period::days_to_bill(
            boundaries.charges_from_datetime,
            boundaries.charges_to_datetime,
            self.time_zone(s),
        );
        let mut out = Vec::new();
        let mut true_ups = Vec::new();
        for (c, charge) in checked.charges.iter().enumerate() {
            let metric = &self.catalog.metrics[charge.metric];
            let recurring = metric.metric.recurring();
            if !charge.charge.invoiceable || (charge.charge.pay_in_advance && !recurring) {
                continue;
            }
            // A recurring in-advance charge of a terminated subscription was paid already (Lago
            // bills it again only when a downgrade ended the subscription).
            if charge.charge.pay_in_advance
                && terminated
                && sub.replaced_by() != Some(PlanChange::Downgrade)
            {
                continue;
            }
            let events = self.events.window(
                &sub.body.external_id,
                charge.metric,
                &metric.metric,
                &period,
            );
            let billing = ChargeBilling {
                metric,
                charge,
                events,
                period: &period,
                currency,
                days_billed,
                cache: self.cache,
                custom: self.custom,
            };
            let context = FeeContext {
                plan_code: Some(checked.plan.code.clone()),
                billable_metric_code: Some(metric.source.code.clone()),
                tax_codes: charge.charge.tax_codes.clone(),
                plan_tax_codes: checked.plan.tax_codes.clone(),
            };
            let fees = billing
                .fees()
                .map_err(|e| e.within(&format!("plans.{}.charges[{c}]", checked.plan.code)))?;
            if let Some((t, p)) = fees.true_up {
                true_ups.push((t + out.len(), p + out.len()));
            }
            for fee in fees.fees {
                out.push((fee, context.clone()));
            }
        }
        Ok((out, true_ups))
    }

    // ---- events ----

    /// Checks the usage thresholds of the subscriptions the step's events went to.
    fn check_touched_thresholds(&mut self, at: Timestamp) -> Result<()> {
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        touched.dedup();
        for s in touched {
            self.check_usage_thresholds(s, at)?;
        }
        Ok(())
    }

    fn warn(&mut self, at: Timestamp, transaction_id: Option<String>, reason: String) {
        self.out.warnings.push(Warning {
            step: match self.cause {
                Cause::Step(i) => Some(i),
                Cause::Event(_) => None,
            },
            event: match self.cause {
                Cause::Step(_) => None,
                Cause::Event(j) => Some(j),
            },
            at,
            transaction_id,
            reason,
        });
    }

    /// Receives a timeline event (stamped with its step's instant when it had no timestamp).
    fn receive(&mut self, event: &'s Event, at: Timestamp) -> Result<()> {
        self.keep_event(event, StoredEvent::Step, at)
    }

    /// Replays the pending loaded events earlier than `limit` (all without one). The events of one
    /// instant arrive as one batch: the usage thresholds of the subscriptions they went to are
    /// checked after the last of them, as after an `events_batch` step.
    fn replay_until(
        &mut self,
        pending: &mut Peekable<impl Iterator<Item = (usize, &'s Event)>>,
        limit: Option<Timestamp>,
    ) -> Result<()> {
        while let Some((j, event)) = pending.next_if(|(_, e)| limit.is_none_or(|l| e.timestamp < l))
        {
            self.replay(j, event)?;
            if pending
                .peek()
                .is_none_or(|(_, next)| next.timestamp != event.timestamp)
            {
                self.check_touched_thresholds(event.timestamp)
                    .map_err(|e| e.within(&format!("events[{j}]")))?;
            }
        }
        Ok(())
    }

    /// Replays the loaded event `j` at its timestamp, running the clock up to it first. The store
    /// keeps a loaded event borrowed, not copied.
    fn replay(&mut self, j: usize, event: &'s Event) -> Result<()> {
        self.cause = Cause::Event(j);
        self.advance_to(event.timestamp)
            .and_then(|()| self.keep_event(event, StoredEvent::Loaded, event.timestamp))
            .map_err(|e| e.within(&format!("events[{j}]")))
    }

    /// Keeps an event, lent for as long as the store lives and held as `lent` makes it: attributes
    /// it to a subscription (a copy then names it), drops a duplicate `transaction_id`, warns about
    /// what cannot be billed, and bills it at once on the pay-in-advance charges of its metric.
    fn keep_event(
        &mut self,
        event: &'s Event,
        lent: fn(&'s Event) -> StoredEvent<'s>,
        at: Timestamp,
    ) -> Result<()> {
        let transaction_id = event.transaction_id.as_str();
        let transaction = || Some(transaction_id.to_owned());
        let external_id: Cow<'s, str> = match event.external_subscription_id.as_deref() {
            Some(id) => Cow::Borrowed(id),
            None => {
                let customer = event.external_customer_id.as_deref();
                let candidates: Vec<&SubscriptionState> = self
                    .subscriptions
                    .iter()
                    .filter(|s| {
                        s.status == SubscriptionStatus::Active
                            && Some(self.customers[s.customer].customer.external_id.as_str())
                                == customer
                    })
                    .collect();
                match candidates.as_slice() {
                    [only] => Cow::Owned(only.body.external_id.clone()),
                    _ => {
                        self.warn(
                            at,
                            transaction(),
                            "the event names no external_subscription_id and its customer has not exactly one active subscription: not billed".to_owned(),
                        );
                        return Ok(());
                    }
                }
            }
        };
        let Some(subscriptions) = self.by_external_id.get(external_id.as_ref()) else {
            self.warn(
                at,
                transaction(),
                format!("unknown subscription `{external_id}`: not billed"),
            );
            return Ok(());
        };
        let live = subscriptions
            .iter()
            .rev()
            .copied()
            .find(|&s| self.subscriptions[s].status == SubscriptionStatus::Active);
        let Some(metric) = self.catalog.metric(&event.code) else {
            self.warn(
                at,
                transaction(),
                format!("unknown billable metric code `{}`: not billed", event.code),
            );
            return Ok(());
        };
        let stored = match &external_id {
            Cow::Borrowed(_) => lent(event),
            Cow::Owned(id) => StoredEvent::Completed(Event {
                external_subscription_id: Some(id.clone()),
                ..event.clone()
            }),
        };
        let Some(position) = self
            .events
            .insert(&external_id, metric, transaction_id, stored)
        else {
            self.warn(
                at,
                transaction(),
                format!("duplicate transaction_id for subscription `{external_id}`: the first event is kept"),
            );
            return Ok(());
        };
        match live {
            Some(s) => {
                self.touched.push(s);
                self.bill_in_advance_charges(s, &external_id, metric, position, transaction_id, at)
            }
            None => Ok(()),
        }
    }

    /// Lago's `Fees::CreatePayInAdvanceService`: an event on a pay-in-advance charge gets its own
    /// fee at once, what the period's usage costs with it minus without it; an invoiceable charge
    /// bills it on its own invoice (`in_advance_charge`), the others are listed apart.
    fn bill_in_advance_charges(
        &mut self,
        s: usize,
        external_id: &str,
        metric_index: usize,
        position: usize,
        transaction_id: &str,
        at: Timestamp,
    ) -> Result<()> {
        let events = self.events.events(external_id, metric_index);
        let Some((boundaries, priced)) = self.in_advance_fees(s, metric_index, events, position)?
        else {
            return Ok(());
        };
        for (mut fee, context, invoiceable) in priced {
            fee.event_transaction_id = Some(transaction_id.to_owned());
            self.in_advance_invoice(s, fee, context, invoiceable, &boundaries, at)?;
        }
        Ok(())
    }

    /// The fees of the event at `position` of `events` (the subscription's events of metric
    /// `metric_index`, earliest first) on the plan's pay-in-advance charges of that metric, with
    /// their tax contexts and whether each is invoiceable, and the period they bill in; `None` when
    /// the event is outside the period.
    fn in_advance_fees(
        &self,
        s: usize,
        metric_index: usize,
        events: &[StoredEvent],
        position: usize,
    ) -> Result<Option<InAdvanceFees>> {
        let Some(event) = events.get(position) else {
            return Ok(None);
        };
        let checked = &self.catalog.plans[self.subscriptions[s].plan];
        let in_advance = checked
            .charges
            .iter()
            .any(|c| c.charge.pay_in_advance && c.metric == metric_index);
        if !in_advance {
            return Ok(None);
        }
        let timestamp = event.timestamp;
        let boundaries = self.current_period(s, timestamp)?;
        if timestamp < boundaries.charges_from_datetime
            || timestamp > boundaries.charges_to_datetime
        {
            return Ok(None);
        }
        let customer = self.subscriptions[s].customer;
        let currency = self.customers[customer]
            .customer
            .currency
            .unwrap_or(checked.plan.amount_currency);
        let period = Period {
            from_datetime: boundaries.charges_from_datetime,
            to_datetime: boundaries.charges_to_datetime,
            charges_duration: u32::try_from(boundaries.charges_duration).ok(),
            time_zone: self.time_zone(s).clone(),
        };
        let metric = &self.catalog.metrics[metric_index];
        let (first, in_window) = window(events, &metric.metric, &period);
        let events = Window::Stored(in_window);
        // The event lies in the period, hence in the window.
        let Some(own) = position.checked_sub(first) else {
            return Ok(None);
        };
        let mut priced = Vec::new();
        for (c, charge) in checked.charges.iter().enumerate() {
            if !charge.charge.pay_in_advance || charge.metric != metric_index {
                continue;
            }
            let billing = ChargeBilling {
                metric,
                charge,
                events,
                period: &period,
                currency,
                days_billed: 0,
                cache: self.cache,
                custom: self.custom,
            };
            let Some(fee) = billing
                .in_advance_fee(own)
                .map_err(|e| e.within(&format!("plans.{}.charges[{c}]", checked.plan.code)))?
            else {
                continue;
            };
            let context = FeeContext {
                plan_code: Some(checked.plan.code.clone()),
                billable_metric_code: Some(metric.source.code.clone()),
                tax_codes: charge.charge.tax_codes.clone(),
                plan_tax_codes: checked.plan.tax_codes.clone(),
            };
            priced.push((fee, context, charge.charge.invoiceable));
        }
        Ok(Some((boundaries, priced)))
    }

    /// Bills one pay-in-advance charge fee on its own invoice, finalized at once (no grace period
    /// for charges paid in advance), or lists a non-invoiceable one apart.
    fn in_advance_invoice(
        &mut self,
        s: usize,
        mut fee: Fee,
        context: FeeContext,
        invoiceable: bool,
        boundaries: &Boundaries,
        at: Timestamp,
    ) -> Result<()> {
        let customer = self.subscriptions[s].customer;
        let state = &self.customers[customer];
        fee.lago_id = Some(next_id(&mut self.counters.fee, "fee"));
        fee.lago_subscription_id = Some(self.subscriptions[s].lago_id.clone());
        fee.external_subscription_id = Some(self.subscriptions[s].body.external_id.clone());
        fee.lago_customer_id = Some(state.lago_id.clone());
        fee.external_customer_id = Some(state.customer.external_id.clone());
        fee.created_at = Some(at);
        fee.payment_status = Some(PaymentStatus::Pending);
        if !invoiceable {
            self.out.non_invoiceable_fees.push(fee);
            return Ok(());
        }
        let index = self.out.invoices.len();
        let id = next_id(&mut self.counters.invoice, "inv");
        fee.lago_invoice_id = Some(id.clone());
        let issuing_date = self.local_date(s, at);
        let sub = &self.subscriptions[s];
        let currency = fee_currency(
            &self.customers[customer].customer,
            &self.catalog.plans[sub.plan].plan.amount_currency,
        );
        let mut invoice = Invoice {
            billing_periods: vec![self.billing_period(
                s,
                boundaries,
                InvoicingReason::InAdvanceCharge,
            )],
            fees: vec![fee],
            ..self.numbered_invoice(customer, index, id, currency, issuing_date, at)?
        };
        self.finalize_invoice(&mut invoice, &[context], &[], customer, at)?;
        self.out.invoices.push(invoice);
        self.invoice_customers.push(customer);
        self.subscriptions[s].invoices.push(index);
        Ok(())
    }

    // ---- queries ----

    /// The billing period holding `at` (the one current usage shows and pay-in-advance charges
    /// bill in), from the subscription's start when it started inside it.
    fn current_period(&self, s: usize, at: Timestamp) -> Result<Boundaries> {
        let cycle = self.billing_cycle(s);
        let today = self.local_date(s, at);
        let range = cycle.start(today).and_then(|start| {
            let end = cycle.end(start)?;
            Some((start, end, cycle.duration(start)?))
        });
        let Some((start, end, duration)) = range else {
            return Err(Error::invalid("at", "the billing period is out of range"));
        };
        let started_at = self.subscriptions[s].started_at.unwrap_or(at);
        let from = self.start_of(s, start)?.max(started_at);
        let next_day = end
            .tomorrow()
            .map_err(|e| Error::invalid("at", e.to_string()))?;
        let to = self
            .start_of(s, next_day)?
            .checked_sub(SignedDuration::from_secs(1))
            .map_err(|e| Error::invalid("at", e.to_string()))?;
        Ok(Boundaries {
            from_datetime: from,
            to_datetime: to,
            charges_from_datetime: from,
            charges_to_datetime: to,
            charges_duration: duration,
            period_duration: duration,
            next_end_of_period: to,
            previous_beginning_of_period: from,
        })
    }

    // ---- output ----

    fn finish(self) -> SimulationOutput {
        let mut out = self.out;
        for customer in &self.customers {
            out.wallets.extend(customer.balances.wallets());
            out.wallet_transactions
                .extend(customer.balances.wallet_transactions());
            out.credit_notes
                .extend(customer.balances.credit_notes().iter().map(|note| {
                    let mut note = note.clone();
                    if note.issuing_date.is_none() {
                        note.issuing_date = note
                            .created_at
                            .map(|at| customer.time_zone.to_datetime(at).date());
                    }
                    note
                }));
        }
        for sub in &self.subscriptions {
            let plan = self.catalog.plans[sub.plan].plan;
            let customer = &self.customers[sub.customer];
            let plan_code = |other: Option<(usize, PlanChange)>| {
                other.map(|(o, _)| {
                    let other = &self.subscriptions[o];
                    self.catalog.plans[other.plan].plan.code.clone()
                })
            };
            let downgrade_plan_date = match sub.next {
                Some((next, PlanChange::Downgrade))
                    if self.subscriptions[next].status == SubscriptionStatus::Pending =>
                {
                    sub.next_billing
                        .map(|at| customer.time_zone.to_datetime(at).date())
                }
                _ => None,
            };
            out.subscriptions.push(Subscription {
                lago_id: Some(sub.lago_id.clone()),
                plan_code: plan.code.clone(),
                previous_plan_code: plan_code(sub.previous),
                next_plan_code: plan_code(sub.next),
                downgrade_plan_date,
                lago_customer_id: Some(customer.lago_id.clone()),
                billing_time: Some(sub.billing_time),
                plan_amount_cents: Some(plan.amount_cents),
                plan_amount_currency: Some(plan.amount_currency),
                status: Some(sub.status),
                created_at: Some(sub.created_at),
                canceled_at: sub.canceled_at,
                started_at: sub.started_at,
                ending_at: sub.ending_at,
                subscription_at: Some(sub.subscription_at),
                terminated_at: sub.terminated_at,
                ..sub.body.clone()
            });
        }
        out
    }
}

/// A draft subscription invoice with no fees and zero totals.
fn empty_invoice(currency: Currency, issuing_date: Date) -> Invoice {
    Invoice {
        lago_id: None,
        billing_entity_code: None,
        sequential_id: None,
        number: None,
        issuing_date,
        payment_due_date: None,
        payment_overdue: None,
        net_payment_term: None,
        invoice_type: InvoiceType::Subscription,
        status: InvoiceStatus::Draft,
        payment_status: None,
        currency,
        fees_amount_cents: 0,
        coupons_amount_cents: 0,
        credit_notes_amount_cents: 0,
        sub_total_excluding_taxes_amount_cents: 0,
        taxes_amount_cents: 0,
        sub_total_including_taxes_amount_cents: 0,
        prepaid_credit_amount_cents: 0,
        prepaid_granted_credit_amount_cents: None,
        prepaid_purchased_credit_amount_cents: None,
        progressive_billing_credit_amount_cents: None,
        total_amount_cents: 0,
        version_number: None,
        self_billed: None,
        created_at: None,
        updated_at: None,
        applied_taxes: Vec::new(),
        applied_usage_thresholds: Vec::new(),
        billing_periods: Vec::new(),
        credits: Vec::new(),
        fees: Vec::new(),
    }
}

/// The currency a customer is billed in: its own, else its plan's.
fn fee_currency(customer: &Customer, plan_currency: &Currency) -> Currency {
    customer.currency.unwrap_or(*plan_currency)
}

/// Points each true-up fee (`(true-up, parent)` indexes) and its parent at each other.
fn link_true_ups(fees: &mut [Fee], pairs: &[(usize, usize)]) {
    for &(true_up, parent) in pairs {
        let (Some(true_up_id), Some(parent_id)) = (
            fees.get(true_up).and_then(|f| f.lago_id.clone()),
            fees.get(parent).and_then(|f| f.lago_id.clone()),
        ) else {
            continue;
        };
        if let Some(fee) = fees.get_mut(true_up) {
            fee.lago_true_up_parent_fee_id = Some(parent_id);
        }
        if let Some(fee) = fees.get_mut(parent) {
            fee.lago_true_up_fee_id = Some(true_up_id);
        }
    }
}
