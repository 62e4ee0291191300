//! The `charge` eval contract: price units with one charge model.
//!
//! Reads a charge (`charge_model`, `properties`, `prorated`) and an aggregation result (`units`,
//! `events`, …), answers Lago's `amount`, `unit_amount` and `amount_details`, unrounded, as decimal
//! strings. The pricing itself lives in [`crate::charge`].

use serde::{Deserialize, Serialize};

use crate::charge::{
    ChargeModel, ChargeResult, CustomAggregation, CustomPricing, EventValue, Pricing, PricingInput,
    Projection,
};
use crate::decimal::Decimal;
use crate::error::{Error, Result};

/// The `charge` contract's input.
///
/// - `charge_model` (required): one of Lago's charge models.
/// - `properties`: the charge's properties, as Lago's API takes them (default `{}`).
/// - `units` (required): the aggregated units, a decimal string or number.
/// - `events`: the period's events in timestamp order, each `{"value", "prorated_value"?,
///   "precise_total_amount_cents"?}`: `value` feeds percentage free units and per-transaction limits,
///   `prorated_value` prorated graduated charges, `precise_total_amount_cents` dynamic charges.
/// - `full_units`: the units before proration (Lago's `full_units_number`); unit amounts divide by it,
///   and a prorated volume charge picks its tier with it.
/// - `prorated`: the charge's `prorated` flag (graduated → prorated graduated; standard, graduated and
///   volume only).
/// - `subunit_to_unit`: cents per currency unit for `dynamic` (default 100).
/// - `custom_aggregation`: `{"total_units", "amount"}`, the custom aggregation state a custom pricing
///   may read.
/// - `period_ratio`: the elapsed share of the billing period, in `(0, 1]`. When given, the output also
///   holds Lago's current-usage projection, `projected_units` and `projected_amount`.
///
/// ```
/// let input: lagom_core::eval::charge::Input =
///     serde_json::from_str(r#"{"charge_model": "standard", "properties": {"amount": "2"}, "units": 3}"#).unwrap();
/// assert!(input.events.is_empty());
/// ```
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ChargeInput))]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "ChargeEvalInput", missing_as_null)
)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub charge_model: ChargeModel,
    #[serde(default = "empty_object")]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
    pub properties: serde_json::Value,
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub units: Decimal,
    #[serde(default)]
    pub events: Vec<EventValue>,
    #[serde(default, with = "crate::decimal::lenient_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub full_units: Option<Decimal>,
    #[serde(default)]
    pub prorated: bool,
    #[serde(default)]
    pub subunit_to_unit: Option<u64>,
    #[serde(default)]
    pub custom_aggregation: Option<CustomAggregation>,
    #[serde(default, with = "crate::decimal::lenient_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub period_ratio: Option<Decimal>,
}

/// The `charge` contract's output: `{"amount", "unit_amount", "amount_details"}`, plus
/// `{"projected_units", "projected_amount"}` when the input has a `period_ratio`.
///
/// ```
/// use lagom_core::eval::Contract;
/// let out = Contract::Charge
///     .run(r#"{"charge_model": "standard", "properties": {"amount": "2"}, "units": 3, "period_ratio": "0.25"}"#)
///     .unwrap();
/// assert_eq!(out["amount"], "6");
/// assert_eq!(out["projected_units"], "12");
/// assert_eq!(out["projected_amount"], "24");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "ChargeEvalOutput", missing_as_null)
)]
pub struct Output {
    #[serde(flatten)]
    pub charge: ChargeResult,
    #[serde(flatten)]
    pub projection: Option<Projection>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// Answers the `charge` contract. A `custom` charge fails: it needs [`evaluate_with`].
///
/// ```
/// use lagom_core::eval::{charge, from_json};
/// let input = from_json(r#"{"charge_model": "package", "units": 121,
///     "properties": {"amount": "100", "package_size": 10, "free_units": 0}}"#).unwrap();
/// assert_eq!(charge::evaluate(&input).unwrap().charge.amount, 1300.into());
/// ```
pub fn evaluate(input: &Input) -> Result<Output> {
    answer(input, None)
}

/// Answers the `charge` contract, pricing a `custom` charge with `custom`.
///
/// ```
/// use lagom_core::charge::AggregationAmount;
/// use lagom_core::eval::{charge, from_json};
/// let input = from_json(r#"{"charge_model": "custom", "units": 10,
///     "custom_aggregation": {"total_units": "10", "amount": "20"}}"#).unwrap();
/// assert_eq!(charge::evaluate_with(&input, &AggregationAmount).unwrap().charge.unit_amount, 2.into());
/// ```
pub fn evaluate_with(input: &Input, custom: &dyn CustomPricing) -> Result<Output> {
    answer(input, Some(custom))
}

fn answer(input: &Input, custom: Option<&dyn CustomPricing>) -> Result<Output> {
    let pricing = Pricing::parse(input.charge_model, &input.properties, input.prorated)?;
    let subunit_to_unit = match input.subunit_to_unit {
        None => Decimal::ONE_HUNDRED,
        Some(0) => {
            return Err(Error::invalid(
                "subunit_to_unit",
                "must be at least 1 (got 0)",
            ));
        }
        Some(n) => Decimal::from(n),
    };
    let pricing_input = PricingInput {
        units: input.units,
        full_units: input.full_units,
        events: &input.events,
        subunit_to_unit,
        custom_aggregation: input.custom_aggregation.as_ref(),
        period_events: &[],
        period: None,
    };
    let charge = match custom {
        Some(custom) => pricing.apply_with(&pricing_input, custom)?,
        None => pricing.apply(&pricing_input)?,
    };
    let projection = input
        .period_ratio
        .map(|ratio| pricing.project(&pricing_input, &charge, ratio))
        .transpose()?;
    Ok(Output { charge, projection })
}
