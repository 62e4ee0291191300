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

/// The checked catalog. Indexes refer to the scenario's lists.
#[derive(Debug)]
pub(crate) struct Catalog<'s> {
    pub metrics: Vec<CheckedMetric<'s>>,
    pub plans: Vec<CheckedPlan<'s>>,
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
    /// Deterministic id: `ch_<plan index>_<charge index>`.
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
    /// Checks the catalog, failing at its first problem.
    pub fn check(scenario: &'s Scenario) -> Result<Self> {
        let mut problems = Vec::new();
        let declared: Vec<&str> = scenario
            .billable_metrics
            .iter()
            .map(|m| m.code.as_str())
            .collect();
        let catalog = Self::collect(scenario, &declared, &mut problems);
        match problems.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(catalog),
        }
    }

    /// Checks every object of the catalog, pushing each problem onto `problems` and leaving the
    /// object out. `declared` holds the document's metric codes, those of metrics that could not be
    /// read included: a charge whose metric is declared but was left out is not reported again.
    pub fn collect(scenario: &'s Scenario, declared: &[&str], problems: &mut Vec<Error>) -> Self {
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
            let before = problems.len();
            let mut charges = Vec::with_capacity(plan.charges.len());
            for (j, charge) in plan.charges.iter().enumerate() {
                let id = format!("ch_{i:02}_{j:02}");
                match check_charge(declared, &metrics, charge, id) {
                    Ok(Some(checked)) => charges.push(checked),
                    Ok(None) => {}
                    Err(err) => problems.push(err.within(&format!("{path}.charges[{j}]"))),
                }
            }
            if problems.len() == before && charges.len() == plan.charges.len() {
                plans.push(CheckedPlan { plan, charges });
            }
        }
        report_each(&scenario.add_ons, "add_ons", AddOn::validate, problems);
        report_each(&scenario.coupons, "coupons", Coupon::validate, problems);
        report_each(&scenario.taxes, "taxes", Tax::validate, problems);
        Catalog {
            metrics,
            plans,
            add_ons: &scenario.add_ons,
            coupons: &scenario.coupons,
            taxes: &scenario.taxes,
        }
    }

    /// The plan with `code`, or an error at `path` listing the known codes.
    pub fn plan(&self, code: &str, path: &str) -> Result<usize> {
        self.plans
            .iter()
            .position(|p| p.plan.code == code)
            .ok_or_else(|| {
                let known = self.plans.iter().map(|p| p.plan.code.as_str());
                unknown("plan", code, path, known)
            })
    }

    /// The coupon with `code`, or an error at `path` listing the known codes.
    pub fn coupon(&self, code: &str, path: &str) -> Result<&'s Coupon> {
        self.coupons.iter().find(|c| c.code == code).ok_or_else(|| {
            let known = self.coupons.iter().map(|c| c.code.as_str());
            unknown("coupon", code, path, known)
        })
    }

    /// The index of the metric with `code`, if any.
    pub fn metric(&self, code: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.source.code == code)
    }
}

impl CheckedCharge<'_> {
    /// Whether the charge model prices event by event (percentage, dynamic, prorated graduated),
    /// so the aggregation must collect each event's value.
    pub fn prices_events(&self) -> bool {
        matches!(
            self.pricing,
            Pricing::Percentage(_) | Pricing::Dynamic(_) | Pricing::ProratedGraduated(_)
        )
    }
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
