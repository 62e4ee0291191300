//! Checking a scenario document without running it: every problem it has, each with its JSON path,
//! for an editor to show next to the fields.
//!
//! The checks are the simulator's own, made to carry on after a failure: the reader
//! ([`super::scenario`]) reads each field, catalog object and step on its own, the catalog
//! ([`super::catalog`]) checks each metric, plan, charge, add-on, coupon and tax, and then each
//! step's body is checked with the API type's own `validate` and against the catalog's codes.
//! What depends on the clock (a customer that does not exist yet, a wallet id) is left to
//! [`super::simulate`]: an empty list means the document reads and its catalog holds, not that
//! every step will succeed.

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::simulate::catalog::{Catalog, unknown};
use crate::simulate::scenario::{self, Op, Step};

/// One problem of a document: where, what kind ([`Error::code`]) and the error's message.
///
/// ```
/// use lagom_core::simulate::Problem;
/// let problem = Problem::from(lagom_core::Error::invalid("plans[0].code", "must not be blank"));
/// assert_eq!(
///     serde_json::to_value(&problem).unwrap(),
///     serde_json::json!({"path": "plans[0].code", "code": "invalid", "message": "plans[0].code: must not be blank"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Problem {
    /// The JSON path of the field (empty for the document itself).
    pub path: String,
    /// `invalid`, `unknown_variant`, `overflow`, `division_by_zero` or `custom`.
    pub code: &'static str,
    /// The same text [`super::simulate`] would fail with, path first.
    pub message: String,
}

impl From<Error> for Problem {
    fn from(err: Error) -> Self {
        Problem {
            path: err.path().unwrap_or_default().to_owned(),
            code: err.code(),
            message: err.to_string(),
        }
    }
}

/// Every problem of the scenario document `text` that can be found without running it, in
/// document order (top-level fields, then the catalog, the initial customers and the steps).
///
/// ```
/// use lagom_core::simulate::validate;
/// let problems = validate(r#"{
///   "plans": [{"name": "Basic", "code": "basic", "interval": "daily", "amount_cents": 100, "amount_currency": "EUR"}],
///   "timeline": [
///     {"at": "2024-01-02T00:00:00Z", "op": "run_billing"},
///     {"at": "2024-01-01T00:00:00Z", "op": "run_billing"},
///     {"at": "2024-01-03T00:00:00Z", "op": "create_subscription",
///      "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "pro"}}]
/// }"#);
/// let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
/// assert_eq!(paths, ["plans[0].interval", "timeline[1].at", "timeline[2].body.plan_code"]);
/// assert_eq!(problems[0].code, "unknown_variant");
/// assert!(validate(r#"{"timeline": []}"#).is_empty());
/// ```
pub fn validate(text: &str) -> Vec<Problem> {
    let document: Value = match crate::eval::from_json(text) {
        Ok(document) => document,
        Err(err) => return vec![err.into()],
    };
    let declared = Declared::of(&document);
    let mut problems = Vec::new();
    let (scenario, step_indexes) = scenario::read(text, &mut problems);
    let metrics: Vec<&str> = declared.metrics.iter().map(String::as_str).collect();
    Catalog::collect(&scenario, &[], &[], &metrics, &mut problems);
    if let Some(organization) = &scenario.organization
        && let Err(err) = organization.validate()
    {
        problems.push(err.within("organization"));
    }
    let customers = scenario.customer.iter().map(|c| ("customer".to_owned(), c));
    let listed = scenario.customers.iter().enumerate();
    let customers = customers.chain(listed.map(|(i, c)| (format!("customers[{i}]"), c)));
    for (path, customer) in customers {
        if let Err(err) = customer.validate() {
            problems.push(err.within(&path));
        }
    }
    for (step, i) in scenario.timeline.iter().zip(step_indexes) {
        let path = format!("timeline[{i}]");
        problems.extend(check_step(step, &declared).map(|e| e.within(&path)));
    }
    if let Err(err) = scenario.check_until(None) {
        problems.push(err);
    }
    problems.into_iter().map(Problem::from).collect()
}

/// The codes the document declares, read from the JSON itself so that an object left out for a
/// problem of its own does not make each step naming it a second problem.
struct Declared {
    metrics: Vec<String>,
    plans: Vec<String>,
    coupons: Vec<String>,
    add_ons: Vec<String>,
}

impl Declared {
    fn of(document: &Value) -> Self {
        let codes = |list: &str| -> Vec<String> {
            document[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| item["code"].as_str().map(str::to_owned))
                .collect()
        };
        Declared {
            metrics: codes("billable_metrics"),
            plans: codes("plans"),
            coupons: codes("coupons"),
            add_ons: codes("add_ons"),
        }
    }
}

/// The problems of one step that do not depend on the clock: its body's own checks and the
/// catalog codes it names. Paths are relative to the step.
fn check_step(step: &Step, declared: &Declared) -> impl Iterator<Item = Error> {
    let known = |kind: &str, code: &str, known: &[String], path: &str| {
        let mut names = known.iter().map(String::as_str);
        (!names.any(|k| k == code))
            .then(|| unknown(kind, code, path, known.iter().map(String::as_str)))
    };
    let body = |result: crate::Result<()>| result.err().map(|e| e.within("body"));
    let problems: Vec<Option<Error>> = match &step.op {
        Op::CreateCustomer(customer) => vec![body(customer.validate())],
        Op::CreateSubscription(subscription) => vec![
            body(subscription.validate()),
            known(
                "plan",
                &subscription.plan_code,
                &declared.plans,
                "body.plan_code",
            ),
        ],
        Op::ApplyCoupon(applied) => vec![known(
            "coupon",
            &applied.coupon_code,
            &declared.coupons,
            "body.coupon_code",
        )],
        Op::CreateWallet(wallet) => vec![body(wallet.validate())],
        Op::CreateCreditNote(note) => vec![body(note.validate())],
        Op::OneOffInvoice(invoice) => invoice
            .fees
            .iter()
            .enumerate()
            .map(|(k, fee)| {
                let path = format!("body.fees[{k}].add_on_code");
                known("add-on", &fee.add_on_code, &declared.add_ons, &path)
            })
            .collect(),
        _ => Vec::new(),
    };
    problems.into_iter().flatten()
}
