//! The scenario's catalog, checked once: billable metrics, plans with their charges parsed for
//! pricing, add-ons, coupons and taxes, each found by code.
//!
//! A plan's charge names its metric by `billable_metric_code` (or `billable_metric_id`, read as a
//! code); an unknown one fails here, before the timeline runs.

use crate::add_on::AddOn;
use crate::charge::Pricing;
use crate::coupon::Coupon;
use crate::error::{Error, Result};
use crate::metric::{BillableMetric, ChargeFilter, EventFilter, Metric};
use crate::plan::{Charge, Plan};
use crate::simulate::Scenario;
use crate::tax::Tax;

/// The checked catalog. Indexes refer to the scenario's lists; `plans` holds the scenario's plans,
/// then the plans that subscriptions' overrides made (found by index, never by code).
#[derive(Debug)]
pub(crate) struct Catalog<'s> {
    pub metrics: Vec<CheckedMetric<'s>>,
    pub plans: Vec<CheckedPlan<'s>>,
    /// How many of `plans` are the scenario's own.
    base_plans: usize,
    pub add_ons: &'s [AddOn],
    pub coupons: &'s [Coupon],
    pub taxes: &'s [Tax],
}

#[derive(Debug)]
pub(crate) struct CheckedMetric<'s> {
    pub source: &'s BillableMetric,
    pub metric: Metric,
}

#[derive(Debug)]
pub(crate) struct CheckedPlan<'s> {
    pub plan: &'s Plan,
    pub charges: Vec<CheckedCharge<'s>>,
}

/// A charge ready to bill: its metric, its pricing, and one bucket per filter plus the default one.
#[derive(Debug)]
pub(crate) struct CheckedCharge<'s> {
    /// Deterministic id: [`charge_id`].
    pub id: String,
    pub charge: &'s Charge,
    pub metric: usize,
    pub pricing: Pricing,
    pub buckets: Vec<Bucket>,
}

/// One filter bucket of a charge: events it takes and how they are priced.
#[derive(Debug)]
pub(crate) struct Bucket {
    /// `None` for the default bucket (events matching none of the filters, or every event).
    pub filter_index: Option<usize>,
    pub events: EventFilter,
    pub pricing: Option<Pricing>,
}

impl<'s> Catalog<'s> {
    /// Checks the scenario's catalog, then adds the `overridden` plans (built from the overrides
    /// of the timeline's `steps`, one step each) after the scenario's, failing at the first problem.
    pub fn check(scenario: &'s Scenario, overridden: &'s [Plan], steps: &[usize]) -> Result<Self> {
        let mut problems = Vec::new();
        let declared: Vec<&str> = scenario
            .billable_metrics
            .iter()
            .map(|m| m.code.as_str())
            .collect();
        let catalog = Self::collect(scenario, overridden, steps, &declared, &mut problems);
        match problems.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(catalog),
        }
    }

    /// Checks every object of the catalog, pushing each problem onto `problems` and leaving the
    /// object out (an overridden plan stays, so that the indexes of the others hold). `declared`
    /// holds the document's metric codes, those of metrics that could not be read included: a
    /// charge whose metric is declared but was left out is not reported again.
    pub fn collect(
        scenario: &'s Scenario,
        overridden: &'s [Plan],
        steps: &[usize],
        declared: &[&str],
        problems: &mut Vec<Error>,
    ) -> Self {
        let mut metrics = Vec::with_capacity(scenario.billable_metrics.len());
        for (i, source) in scenario.billable_metrics.iter().enumerate() {
            let path = format!("billable_metrics[{i}]");
            let metric = match source.check() {
                Ok(metric) => metric,
                Err(err) => {
                    problems.push(err.within(&path));
                    continue;
                }
            };
            if metrics
                .iter()
                .any(|m: &CheckedMetric| m.source.code == source.code)
            {
                problems.push(duplicate(&path, &source.code));
                continue;
            }
            metrics.push(CheckedMetric { source, metric });
        }
        let mut plans = Vec::with_capacity(scenario.plans.len());
        for (i, plan) in scenario.plans.iter().enumerate() {
            let path = format!("plans[{i}]");
            if let Err(err) = plan.validate() {
                problems.push(err.within(&path));
                continue;
            }
            if plans.iter().any(|p: &CheckedPlan| p.plan.code == plan.code) {
                problems.push(duplicate(&path, &plan.code));
                continue;
            }
            let (charges, complete) = check_charges(declared, &metrics, plan, i, &path, problems);
            if complete {
                plans.push(CheckedPlan { plan, charges });
            }
        }
        let base_plans = plans.len();
        for (k, (plan, step)) in overridden.iter().zip(steps).enumerate() {
            let path = format!("timeline[{step}].body.plan_overrides");
            if let Err(err) = plan.validate() {
                problems.push(err.within(&path));
            }
            let (charges, _) =
                check_charges(declared, &metrics, plan, base_plans + k, &path, problems);
            plans.push(CheckedPlan { plan, charges });
        }
        report_each(&scenario.add_ons, "add_ons", AddOn::validate, problems);
        report_each(&scenario.coupons, "coupons", Coupon::validate, problems);
        report_each(&scenario.taxes, "taxes", Tax::validate, problems);
        Catalog {
            metrics,
            plans,
            base_plans,
            add_ons: &scenario.add_ons,
            coupons: &scenario.coupons,
            taxes: &scenario.taxes,
        }
    }

    /// The plan with `code`, or an error at `path` listing the known codes.
    pub fn plan(&self, code: &str, path: &str) -> Result<usize> {
        let base = self.plans.get(..self.base_plans).unwrap_or_default();
        base.iter()
            .position(|p| p.plan.code == code)
            .ok_or_else(|| {
                unknown(
                    "plan",
                    code,
                    path,
                    base.iter().map(|p| p.plan.code.as_str()),
                )
            })
    }

    /// The coupon with `code`, or an error at `path` listing the known codes.
    pub fn coupon(&self, code: &str, path: &str) -> Result<&'s Coupon> {
        self.coupons.iter().find(|c| c.code == code).ok_or_else(|| {
            let known = self.coupons.iter().map(|c| c.code.as_str());
            unknown("coupon", code, path, known)
        })
    }

    /// The index in `plans` of the `k`-th overridden plan.
    pub fn overridden_plan(&self, k: usize) -> usize {
        self.base_plans + k
    }

    /// The index of the metric with `code`, if any.
    pub fn metric(&self, code: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.source.code == code)
    }
}

/// The simulator's id of the `charge`-th charge of the `plan`-th plan (`ch_00_01`), used when the
/// scenario gives the charge no `lago_id`.
pub(crate) fn charge_id(plan: usize, charge: usize) -> String {
    format!("ch_{plan:02}_{charge:02}")
}

impl CheckedCharge<'_> {
    /// Whether the charge model prices event by event (percentage, prorated graduated), so the
    /// aggregation must collect each event's value (a dynamic charge prices the events' total).
    pub fn prices_events(&self) -> bool {
        matches!(
            self.pricing,
            Pricing::Percentage(_) | Pricing::ProratedGraduated(_)
        )
    }
}

/// The charges of `plan`, the `index`-th of the catalog, checked, and whether all of them are;
/// a bad one is reported at `<path>.charges[j]`.
fn check_charges<'s>(
    declared: &[&str],
    metrics: &[CheckedMetric<'s>],
    plan: &'s Plan,
    index: usize,
    path: &str,
    problems: &mut Vec<Error>,
) -> (Vec<CheckedCharge<'s>>, bool) {
    let mut charges = Vec::with_capacity(plan.charges.len());
    let mut complete = true;
    for (j, charge) in plan.charges.iter().enumerate() {
        match check_charge(declared, metrics, charge, charge_id(index, j)) {
            Ok(Some(checked)) => charges.push(checked),
            Ok(None) => complete = false,
            Err(err) => {
                problems.push(err.within(&format!("{path}.charges[{j}]")));
                complete = false;
            }
        }
    }
    (charges, complete)
}

/// Checks a charge against the checked metrics; `Ok(None)` when its metric is declared but was left
/// out for a problem of its own.
fn check_charge<'s>(
    declared: &[&str],
    metrics: &[CheckedMetric<'s>],
    charge: &'s Charge,
    id: String,
) -> Result<Option<CheckedCharge<'s>>> {
    charge.validate()?;
    let (code, path) = match (&charge.billable_metric_code, &charge.billable_metric_id) {
        (Some(code), _) => (code, "billable_metric_code"),
        (None, Some(code)) => (code, "billable_metric_id"),
        (None, None) => {
            return Err(Error::invalid(
                "billable_metric_code",
                "a charge needs its billable metric's code",
            ));
        }
    };
    let Some(metric) = metrics.iter().position(|m| m.source.code == *code) else {
        if declared.contains(&code.as_str()) {
            return Ok(None);
        }
        return Err(unknown(
            "billable metric",
            code,
            path,
            declared.iter().copied(),
        ));
    };
    let properties = serde_json::Value::Object(charge.properties.clone());
    let pricing = Pricing::parse(charge.charge_model, &properties, charge.prorated)?;
    let filters: Vec<ChargeFilter> = charge
        .filters
        .iter()
        .map(|f| ChargeFilter {
            values: f.values.clone(),
        })
        .collect();
    let metric_filters = metrics[metric].metric.filters();
    let mut buckets = Vec::with_capacity(filters.len() + 1);
    for (i, filter) in charge.filters.iter().enumerate() {
        let path = format!("filters[{i}]");
        let events = EventFilter::for_bucket(metric_filters, &filters, filters.get(i))
            .map_err(|e| e.within(&path))?;
        let properties = serde_json::Value::Object(filter.properties.clone());
        let pricing = Pricing::parse(charge.charge_model, &properties, charge.prorated)
            .map_err(|e| e.within(&path))?;
        buckets.push(Bucket {
            filter_index: Some(i),
            events,
            pricing: Some(pricing),
        });
    }
    let default_events = if filters.is_empty() {
        EventFilter::all()
    } else {
        EventFilter::for_bucket(metric_filters, &filters, None)?
    };
    buckets.push(Bucket {
        filter_index: None,
        events: default_events,
        pricing: None,
    });
    Ok(Some(CheckedCharge {
        id,
        charge,
        metric,
        pricing,
        buckets,
    }))
}

/// Runs `check` on each item, pushing its problem at `list[i]`.
fn report_each<T>(
    items: &[T],
    list: &str,
    check: impl Fn(&T) -> Result<()>,
    problems: &mut Vec<Error>,
) {
    for (i, item) in items.iter().enumerate() {
        if let Err(err) = check(item) {
            problems.push(err.within(&format!("{list}[{i}]")));
        }
    }
}

fn duplicate(path: &str, code: &str) -> Error {
    Error::invalid(format!("{path}.code"), format!("`{code}` is used twice"))
}

/// An unknown code at `path`, listing the `known` ones.
pub(super) fn unknown<'a>(
    kind: &str,
    code: &str,
    path: &str,
    known: impl Iterator<Item = &'a str>,
) -> Error {
    let known: Vec<&str> = known.collect();
    let known = if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    };
    Error::invalid(
        path,
        format!("unknown {kind} code `{code}`, known: {known}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_list_the_known_ones() {
        let err = unknown(
            "plan",
            "pro",
            "body.plan_code",
            ["basic", "premium"].into_iter(),
        );
        assert_eq!(
            err.to_string(),
            "body.plan_code: unknown plan code `pro`, known: basic, premium"
        );
    }
}
