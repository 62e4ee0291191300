//! Plan changes and plan overrides: what a `create_subscription` naming an `external_id` that is
//! already live does (Lago's `Subscriptions::CreateService#upgrade?`/`#downgrade?`), and the plan a
//! subscription's `plan_overrides` make (Lago's `Plans::OverrideService`).
//!
//! An upgrade (the new plan's yearly amount at least the current one's) replaces the subscription
//! at once; a downgrade waits for the end of the current period, when the engine's billing job
//! calls [`Engine::downgrade`]. Pricing the invoices they make is the rest of the engine's job.

use jiff::{SignedDuration, Timestamp};

use super::{Engine, Occasion, SubscriptionState, next_id};
use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::period;
use crate::plan::{Charge, Plan};
use crate::simulate::catalog::charge_id;
use crate::simulate::scenario::{Op, Scenario};
use crate::subscription::{ChargeOverride, PlanOverrides, Subscription, SubscriptionStatus};

/// How a plan change replaces the current subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanChange {
    /// Immediate: the current subscription is terminated now and the new one starts now.
    Upgrade,
    /// Deferred: the new subscription starts when the current one's period ends.
    Downgrade,
}

/// Lago's `upgrade?`/`downgrade?`: the plans' amounts brought to a year (`Plan#yearly_amount_cents`)
/// are compared, an equal amount counting as an upgrade.
pub(crate) fn classify(current: &Plan, new: &Plan) -> Result<PlanChange> {
    if yearly_amount_cents(new)? >= yearly_amount_cents(current)? {
        Ok(PlanChange::Upgrade)
    } else {
        Ok(PlanChange::Downgrade)
    }
}

/// Lago's `Plan#yearly_amount_cents`: the subscription fee times the periods in a year (52 weeks).
fn yearly_amount_cents(plan: &Plan) -> Result<i64> {
    use crate::period::Interval;
    let periods: i64 = match plan.interval {
        Interval::Yearly => 1,
        Interval::Semiannual => 2,
        Interval::Quarterly => 4,
        Interval::Monthly => 12,
        Interval::Weekly => 52,
    };
    plan.amount_cents.checked_mul(periods).ok_or_else(|| {
        Error::invalid(
            "amount_cents",
            format!("the yearly amount overflows (got {})", plan.amount_cents),
        )
    })
}

impl Engine<'_> {
    /// Lago's `CreateService` on an `external_id` already live: the same plan changes nothing; a
    /// subscription not started yet just takes the new plan; otherwise the plan change replaces
    /// it with a subscription keeping its anniversary (`subscription_at`) and billing time, at
    /// once for an upgrade, at the end of the period for a downgrade (a downgrade already
    /// waiting is canceled first).
    pub(super) fn change_plan(
        &mut self,
        current: usize,
        base_plan: usize,
        plan: usize,
        body: &Subscription,
        at: Timestamp,
    ) -> Result<()> {
        if self.subscriptions[current].plan == base_plan {
            return Ok(());
        }
        let change = classify(
            self.catalog.plans[self.subscriptions[current].plan].plan,
            self.catalog.plans[plan].plan,
        )
        .map_err(|e| e.within("body.plan_code"))?;
        // Lago counts a trial from the first start of the `external_id` (`initial_started_at`).
        let trial_end = period::trial_end_datetime(
            self.initial_started_at(current),
            self.catalog.plans[plan]
                .plan
                .trial_period
                .unwrap_or(Decimal::ZERO),
        )
        .map_err(|e| e.within("body.plan_code"))?;
        let sub = &mut self.subscriptions[current];
        if sub.status == SubscriptionStatus::Pending {
            sub.plan = plan;
            sub.trial_end = trial_end;
            sub.trial_done = trial_end.is_none();
            if let Some(name) = &body.name {
                sub.body.name = Some(name.clone());
            }
            sub.body.plan_code = body.plan_code.clone();
            return Ok(());
        }
        self.cancel_next(current, at);
        let old = &self.subscriptions[current];
        let state = SubscriptionState {
            lago_id: next_id(&mut self.counters.subscription, "sub"),
            body: Subscription {
                ending_at: body.ending_at.or(old.ending_at),
                billing_time: Some(old.billing_time),
                subscription_at: Some(old.subscription_at),
                ..body.clone()
            },
            customer: old.customer,
            plan,
            billing_time: old.billing_time,
            created_at: at,
            subscription_at: old.subscription_at,
            started_at: None,
            terminated_at: None,
            canceled_at: None,
            ending_at: body.ending_at.or(old.ending_at),
            status: SubscriptionStatus::Pending,
            trial_end,
            trial_done: trial_end.is_none(),
            next_billing: None,
            subscription_fees: Vec::new(),
            previous: Some((current, change)),
            next: None,
            invoices: Vec::new(),
            progressive_invoices: Vec::new(),
            historical_usage_amount_cents: old.historical_usage_amount_cents,
        };
        let new = self.push_subscription(state);
        self.subscriptions[current].next = Some((new, change));
        match change {
            PlanChange::Upgrade => self.upgrade(current, new, at),
            PlanChange::Downgrade => Ok(()),
        }
    }

    /// Lago's `ActivateService#activate_for_upgrade`: the current subscription is terminated now
    /// (the unused days of a fee paid in advance credited, the upgrade's day included) without a
    /// termination invoice of its own; the new one starts now; one invoice a second later bills
    /// what the old one owes and, when paid in advance and out of trial, the new one's first
    /// (prorated) period.
    fn upgrade(&mut self, old: usize, new: usize, at: Timestamp) -> Result<()> {
        let sub = &mut self.subscriptions[old];
        sub.status = SubscriptionStatus::Terminated;
        sub.terminated_at = Some(at);
        sub.next_billing = None;
        if self.catalog.plans[sub.plan].plan.pay_in_advance {
            self.credit_unused_days(old, at, true)?;
        }
        let in_trial = self.start(new, at)?;
        let mut billed = vec![old];
        if self.catalog.plans[self.subscriptions[new].plan]
            .plan
            .pay_in_advance
            && !in_trial
        {
            billed.push(new);
        }
        let billing_at = at
            .checked_add(SignedDuration::from_secs(1))
            .map_err(|e| Error::invalid("at", e.to_string()))?;
        self.bill(&billed, billing_at, Occasion::PlanChange, false)
    }

    /// Lago's `TerminateService#terminate_and_start_next` on the billing day of a subscription
    /// with a pending downgrade: the current one is terminated (nothing credited), the downgrade
    /// starts, and one invoice bills the current one's period as usual and the new one's first
    /// period when paid in advance.
    pub(super) fn downgrade(&mut self, old: usize, new: usize, at: Timestamp) -> Result<()> {
        let sub = &mut self.subscriptions[old];
        sub.status = SubscriptionStatus::Terminated;
        sub.terminated_at = Some(at);
        sub.next_billing = None;
        self.start(new, at)?;
        let mut billed = vec![old];
        if self.catalog.plans[self.subscriptions[new].plan]
            .plan
            .pay_in_advance
        {
            billed.push(new);
        }
        self.bill(&billed, at, Occasion::PlanChange, false)
    }

    /// Marks a plan change's subscription active from `at`; whether it is in its trial then.
    fn start(&mut self, s: usize, at: Timestamp) -> Result<bool> {
        let sub = &mut self.subscriptions[s];
        sub.status = SubscriptionStatus::Active;
        sub.started_at = Some(at);
        let in_trial = sub.trial_end.is_some_and(|end| end > at);
        self.subscriptions[s].next_billing = self.following_billing(s, at)?;
        Ok(in_trial)
    }

    /// The earliest start of the subscriptions of `s`'s `external_id`, else `s`'s
    /// `subscription_at` (Lago's `Subscription#initial_started_at`).
    fn initial_started_at(&self, s: usize) -> Timestamp {
        let sub = &self.subscriptions[s];
        self.by_external_id
            .get(&sub.body.external_id)
            .into_iter()
            .flatten()
            .map(|&o| &self.subscriptions[o])
            .filter(|o| o.customer == sub.customer)
            .filter_map(|o| o.started_at)
            .min()
            .unwrap_or(sub.subscription_at)
    }

    /// Cancels the pending downgrade of `s`, if any (Lago's `cancel_next_subscription`).
    pub(super) fn cancel_next(&mut self, s: usize, at: Timestamp) {
        let Some((next, _)) = self.subscriptions[s].next else {
            return;
        };
        let next_sub = &mut self.subscriptions[next];
        if next_sub.status == SubscriptionStatus::Pending {
            next_sub.status = SubscriptionStatus::Canceled;
            next_sub.canceled_at = Some(at);
            self.subscriptions[s].next = None;
        }
    }
}

/// The plans the timeline's `plan_overrides` make, each with the step that asks for it.
pub(crate) struct OverriddenPlans {
    pub plans: Vec<Plan>,
    /// The step of each of `plans`, in step order.
    pub steps: Vec<usize>,
}

impl OverriddenPlans {
    /// The index in `plans` of step `step`'s plan, if it overrides one.
    pub fn of_step(&self, step: usize) -> Option<usize> {
        self.steps.binary_search(&step).ok()
    }
}

/// Builds the plan of every `create_subscription` step with `plan_overrides`. A step naming an
/// unknown plan is left for the engine to report when it runs; an override naming an unknown
/// charge fails at `timeline[i].body.plan_overrides.charges[j].id`.
pub(crate) fn override_plans(scenario: &Scenario) -> Result<OverriddenPlans> {
    let mut out = OverriddenPlans {
        plans: Vec::new(),
        steps: Vec::new(),
    };
    for (i, step) in scenario.timeline.iter().enumerate() {
        let Op::CreateSubscription(body) = &step.op else {
            continue;
        };
        let Some(overrides) = &body.plan_overrides else {
            continue;
        };
        let Some((p, plan)) = scenario
            .plans
            .iter()
            .enumerate()
            .find(|(_, p)| p.code == body.plan_code)
        else {
            continue;
        };
        let plan = overridden(plan, p, overrides)
            .map_err(|e| e.within(&format!("timeline[{i}].body.plan_overrides")))?;
        out.steps.push(i);
        out.plans.push(plan);
    }
    Ok(out)
}

/// Lago's `Plans::OverrideService`: a copy of `plan` (the `index`-th of the scenario) with the
/// overridden fields replaced. As in Lago, the copy (an ActiveRecord `dup`) does not carry the
/// plan's taxes, minimum commitment or usage thresholds over: it has those the overrides give.
/// Each charge is copied with its own override, found by the charge's `lago_id` or, when it has
/// none, the simulator's id `ch_<plan>_<charge>`.
fn overridden(plan: &Plan, index: usize, overrides: &PlanOverrides) -> Result<Plan> {
    for (j, charge) in overrides.charges.iter().enumerate() {
        let known = plan
            .charges
            .iter()
            .enumerate()
            .any(|(c, source)| names_charge(source, index, c, &charge.id));
        if !known {
            return Err(Error::invalid(
                format!("charges[{j}].id"),
                format!("unknown charge `{}` of plan `{}`", charge.id, plan.code),
            ));
        }
    }
    let charges = plan
        .charges
        .iter()
        .enumerate()
        .map(|(c, source)| {
            match overrides
                .charges
                .iter()
                .find(|o| names_charge(source, index, c, &o.id))
            {
                Some(o) => overridden_charge(source, o),
                None => Charge {
                    tax_codes: Vec::new(),
                    taxes: Vec::new(),
                    ..source.clone()
                },
            }
        })
        .collect();
    Ok(Plan {
        name: overrides.name.clone().unwrap_or_else(|| plan.name.clone()),
        invoice_display_name: overrides
            .invoice_display_name
            .clone()
            .or_else(|| plan.invoice_display_name.clone()),
        description: overrides
            .description
            .clone()
            .or_else(|| plan.description.clone()),
        amount_cents: overrides.amount_cents.unwrap_or(plan.amount_cents),
        amount_currency: overrides.amount_currency.unwrap_or(plan.amount_currency),
        trial_period: overrides.trial_period.or(plan.trial_period),
        tax_codes: overrides.tax_codes.clone().unwrap_or_default(),
        taxes: Vec::new(),
        minimum_commitment: overrides.minimum_commitment.clone(),
        usage_thresholds: overrides.usage_thresholds.clone(),
        charges,
        ..plan.clone()
    })
}

fn names_charge(charge: &Charge, plan: usize, index: usize, id: &str) -> bool {
    match &charge.lago_id {
        Some(lago_id) => lago_id == id,
        None => charge_id(plan, index) == id,
    }
}

/// Lago's `Charges::OverrideService`: properties, minimum, display name, filters and taxes replaced
/// when the override names them.
fn overridden_charge(charge: &Charge, o: &ChargeOverride) -> Charge {
    Charge {
        properties: o
            .properties
            .clone()
            .unwrap_or_else(|| charge.properties.clone()),
        min_amount_cents: o.min_amount_cents.or(charge.min_amount_cents),
        invoice_display_name: o
            .invoice_display_name
            .clone()
            .or_else(|| charge.invoice_display_name.clone()),
        filters: o.filters.clone().unwrap_or_else(|| charge.filters.clone()),
        tax_codes: o.tax_codes.clone().unwrap_or_default(),
        taxes: Vec::new(),
        ..charge.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(interval: &str, amount_cents: i64) -> Plan {
        serde_json::from_value(serde_json::json!({
            "name": "P", "code": "p", "interval": interval, "amount_cents": amount_cents,
            "amount_currency": "EUR",
            "charges": [{"billable_metric_code": "api", "charge_model": "standard",
                         "properties": {"amount": "1"}, "tax_codes": ["vat"]}]
        }))
        .unwrap()
    }

    #[test]
    fn plans_compare_by_their_yearly_amount() {
        // (current, new, expected): 1000 a month is 12 000 a year; 300 a week is 15 600, less
        // than 1301 a month (15 612) and equal to 1300 a month (an upgrade: `>=`).
        let cases = [
            (
                plan("monthly", 1000),
                plan("yearly", 12_000),
                PlanChange::Upgrade,
            ),
            (
                plan("monthly", 1000),
                plan("yearly", 11_999),
                PlanChange::Downgrade,
            ),
            (
                plan("monthly", 1301),
                plan("weekly", 300),
                PlanChange::Downgrade,
            ),
            (
                plan("monthly", 1300),
                plan("weekly", 300),
                PlanChange::Upgrade,
            ),
            (
                plan("quarterly", 3900),
                plan("weekly", 300),
                PlanChange::Upgrade,
            ),
        ];
        for (current, new, expected) in cases {
            assert_eq!(classify(&current, &new).unwrap(), expected);
        }
    }

    #[test]
    fn a_yearly_amount_that_overflows_is_an_error() {
        let err = classify(&plan("weekly", i64::MAX / 2), &plan("yearly", 1)).unwrap_err();
        assert_eq!(err.path(), Some("amount_cents"));
    }

    #[test]
    fn overrides_replace_what_they_name_and_drop_the_taxes() {
        let base = plan("monthly", 1000);
        let overrides: PlanOverrides = serde_json::from_value(serde_json::json!({
            "amount_cents": 900,
            "charges": [{"id": "ch_00_00", "properties": {"amount": "0.5"}}]
        }))
        .unwrap();
        let copy = overridden(&base, 0, &overrides).unwrap();
        assert_eq!(copy.amount_cents, 900);
        assert_eq!(copy.charges[0].properties["amount"], "0.5");
        assert!(copy.charges[0].tax_codes.is_empty());
        let unknown: PlanOverrides =
            serde_json::from_value(serde_json::json!({"charges": [{"id": "ch_00_07"}]})).unwrap();
        let err = overridden(&base, 0, &unknown).unwrap_err();
        assert_eq!(
            err.to_string(),
            "charges[0].id: unknown charge `ch_00_07` of plan `p`"
        );
    }
}
