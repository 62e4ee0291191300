//! Charge models: how a number of units becomes an amount.
//!
//! One file per Lago charge model. [`Pricing::parse`] turns a charge's `charge_model` and `properties`
//! JSON into typed, validated prices (errors point at `properties.…`); [`Pricing::apply`] then prices
//! the aggregation result ([`PricingInput`]) and returns Lago's amount, unit amount and
//! `amount_details` ([`ChargeResult`]), unrounded: Lago rounds to cents later, on the fee.
//!
//! This module does not aggregate events (that is [`crate::metric`]) and does not build fees, apply
//! minimums or round: it is a pure function from typed prices and units to amounts. The `custom` model
//! is an extension point: its price comes from a [`CustomPricing`] implementation supplied by the host
//! (wasm plugins, JS callbacks).

pub mod curve;
pub mod custom;
pub mod dynamic;
pub mod graduated;
pub mod graduated_percentage;
pub mod package;
pub mod percentage;
pub mod prorated_graduated;
pub mod ranges;
pub mod standard;
pub mod volume;

mod properties;

use serde::{Deserialize, Serialize};

use crate::event::Event;
use jiff::Timestamp;

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

pub use curve::{PricePoint, price_curve};
pub use custom::{
    AggregationAmount, CustomAggregation, CustomPricing, CustomRequest, PLUGIN_PROPERTY,
    chosen_plugin,
};

use properties::Fields;

/// Lago's `charge_model` values.
///
/// ```
/// use lagom_core::charge::ChargeModel;
/// let model: ChargeModel = serde_json::from_str(r#""graduated_percentage""#).unwrap();
/// assert_eq!(model, ChargeModel::GraduatedPercentage);
/// let err = serde_json::from_str::<ChargeModel>(r#""tiered""#).unwrap_err().to_string();
/// assert!(err.contains("unknown variant `tiered`, expected one of `standard`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum ChargeModel {
    Standard,
    Graduated,
    GraduatedPercentage,
    Package,
    Percentage,
    Volume,
    Dynamic,
    Custom,
}

/// What one event contributes to pricing, for the models that look at events one by one.
///
/// `value` is the event's aggregated value (1 for a count metric, the summed property otherwise): the
/// percentage model needs it for free units and per-transaction minimums and maximums. `prorated_value`
/// is that value prorated over the period, needed by prorated graduated charges.
/// `precise_total_amount_cents` is the price a `dynamic` charge reads from the event.
///
/// ```
/// let event: lagom_core::charge::EventValue =
///     serde_json::from_str(r#"{"value": "10", "precise_total_amount_cents": 250.5}"#).unwrap();
/// assert_eq!(event.value, 10.into());
/// assert_eq!(event.prorated_value, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct EventValue {
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub value: Decimal,
    #[serde(default, with = "crate::decimal::lenient_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub prorated_value: Option<Decimal>,
    #[serde(default, with = "crate::decimal::lenient_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::decimal::DecimalInput>))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput | null"))]
    pub precise_total_amount_cents: Option<Decimal>,
}

impl EventValue {
    /// An event with a value and nothing else.
    ///
    /// ```
    /// let event = lagom_core::charge::EventValue::new(3.into());
    /// assert_eq!(event.precise_total_amount_cents, None);
    /// ```
    pub fn new(value: Decimal) -> Self {
        EventValue {
            value,
            prorated_value: None,
            precise_total_amount_cents: None,
        }
    }
}

/// The aggregation result a charge model prices.
///
/// ```
/// use lagom_core::charge::PricingInput;
/// let input = PricingInput::new(12.into());
/// assert_eq!(input.units, 12.into());
/// assert_eq!(input.subunit_to_unit, 100.into());
/// assert!(input.events.is_empty());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PricingInput<'a> {
    /// Lago's aggregation: the units to price (prorated already when the charge is prorated).
    pub units: Decimal,
    /// Lago's `full_units_number`: the units before proration. When set, unit amounts are divided by it
    /// instead of `units`, and a prorated volume charge picks its tier with it.
    pub full_units: Option<Decimal>,
    /// The period's events in timestamp order (percentage, dynamic and prorated graduated use them).
    pub events: &'a [EventValue],
    /// How many cents make one unit of the plan's currency (100 for EUR, 1 for JPY): `dynamic` divides
    /// the events' `precise_total_amount_cents` by it.
    pub subunit_to_unit: Decimal,
    /// The state of a custom aggregation, handed to [`CustomPricing`] implementations.
    pub custom_aggregation: Option<&'a CustomAggregation>,
    /// The period's events themselves, earliest first, for [`CustomPricing`] implementations (the
    /// simulator fills it for `custom` charges; other models read `events`).
    pub period_events: &'a [&'a Event],
    /// The charges period's first and last instants, when the caller knows them (the simulator does),
    /// for [`CustomPricing`] implementations.
    pub period: Option<(Timestamp, Timestamp)>,
}

impl<'a> PricingInput<'a> {
    /// Units alone: no events, no proration, cents in hundredths.
    ///
    /// ```
    /// let input = lagom_core::charge::PricingInput::new(5.into());
    /// assert_eq!(input.full_units, None);
    /// ```
    pub fn new(units: Decimal) -> Self {
        PricingInput {
            units,
            full_units: None,
            events: &[],
            subunit_to_unit: Decimal::ONE_HUNDRED,
            custom_aggregation: None,
            period_events: &[],
            period: None,
        }
    }

    /// The units Lago divides an amount by to get the unit amount: `full_units` when set, else `units`.
    ///
    /// ```
    /// let mut input = lagom_core::charge::PricingInput::new(5.into());
    /// assert_eq!(input.unit_divisor(), 5.into());
    /// input.full_units = Some(10.into());
    /// assert_eq!(input.unit_divisor(), 10.into());
    /// ```
    pub fn unit_divisor(&self) -> Decimal {
        self.full_units.unwrap_or(self.units)
    }
}

/// A priced charge: Lago's `amount`, `unit_amount` and `amount_details`, unrounded.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let pricing = Pricing::parse(ChargeModel::Standard, &serde_json::json!({"amount": "0.5"}), false).unwrap();
/// let result = pricing.apply(&PricingInput::new(3.into())).unwrap();
/// assert_eq!(
///     serde_json::to_value(&result).unwrap(),
///     serde_json::json!({"amount": "1.5", "unit_amount": "0.5", "amount_details": {}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ChargeResult {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub amount: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub unit_amount: Decimal,
    pub amount_details: AmountDetails,
}

/// Lago's `amount_details` of a fee: what each model shows of its computation.
///
/// Standard, dynamic and prorated graduated charges show nothing (`{}`); a custom pricing shows what it
/// chooses.
///
/// ```
/// use lagom_core::charge::AmountDetails;
/// assert_eq!(serde_json::to_string(&AmountDetails::Empty {}).unwrap(), "{}");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(untagged)]
pub enum AmountDetails {
    Empty {},
    Graduated {
        #[cfg_attr(feature = "typescript", tsify(type = "TierDetails<UnitPrice>[]"))]
        graduated_ranges: Vec<graduated::RangeDetails>,
    },
    GraduatedPercentage {
        #[cfg_attr(feature = "typescript", tsify(type = "TierDetails<Rate>[]"))]
        graduated_percentage_ranges: Vec<graduated_percentage::RangeDetails>,
    },
    Package(#[cfg_attr(feature = "typescript", tsify(type = "PackageDetails"))] package::Details),
    Percentage(
        #[cfg_attr(feature = "typescript", tsify(type = "PercentageDetails"))] percentage::Details,
    ),
    Volume(#[cfg_attr(feature = "typescript", tsify(type = "VolumeDetails"))] volume::Details),
    Custom(
        #[cfg_attr(feature = "typescript", tsify(type = "Record<string, JsonValue>"))]
        serde_json::Map<String, serde_json::Value>,
    ),
}

/// A charge's prices, parsed and validated for its charge model.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"amount": "100", "package_size": 10, "free_units": 0});
/// let pricing = Pricing::parse(ChargeModel::Package, &props, false).unwrap();
/// assert_eq!(pricing.apply(&PricingInput::new(121.into())).unwrap().amount, 1300.into());
///
/// let bad = serde_json::json!({"amount": "100", "package_size": 0, "free_units": 0});
/// let err = Pricing::parse(ChargeModel::Package, &bad, false).unwrap_err();
/// assert_eq!(err.to_string(), "properties.package_size: must be an integer ≥ 1 (got 0)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Pricing {
    Standard(standard::Standard),
    Graduated(graduated::Graduated),
    GraduatedPercentage(graduated_percentage::GraduatedPercentage),
    Package(package::Package),
    Percentage(percentage::Percentage),
    Volume(volume::Volume),
    Dynamic(dynamic::Dynamic),
    ProratedGraduated(prorated_graduated::ProratedGraduated),
    Custom(custom::Custom),
}

impl Pricing {
    /// Parses a charge's `properties` for `model`. Errors carry paths under `properties`.
    ///
    /// `prorated` is the charge's `prorated` flag: a prorated graduated charge is priced event by event
    /// (Lago's prorated graduated model), a prorated volume charge picks its tier with the full units.
    /// As in Lago, only standard, graduated and volume charges can be prorated (error at `prorated`).
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let props = serde_json::json!({"rate": "-1"});
    /// let err = Pricing::parse(ChargeModel::Percentage, &props, false).unwrap_err();
    /// assert_eq!(err.to_string(), "properties.rate: must not be negative (got -1)");
    /// let err = Pricing::parse(ChargeModel::Percentage, &serde_json::json!({"rate": "1"}), true).unwrap_err();
    /// assert_eq!(err.path(), Some("prorated"));
    /// ```
    pub fn parse(
        model: ChargeModel,
        properties: &serde_json::Value,
        prorated: bool,
    ) -> Result<Self> {
        if prorated
            && !matches!(
                model,
                ChargeModel::Standard | ChargeModel::Graduated | ChargeModel::Volume
            )
        {
            return Err(Error::invalid(
                "prorated",
                "only standard, graduated and volume charges can be prorated",
            ));
        }
        let fields = Fields::object(properties, "properties".to_owned())?;
        Ok(match model {
            ChargeModel::Standard => Pricing::Standard(standard::Standard::parse(&fields)?),
            ChargeModel::Graduated if prorated => {
                Pricing::ProratedGraduated(prorated_graduated::ProratedGraduated::parse(&fields)?)
            }
            ChargeModel::Graduated => Pricing::Graduated(graduated::Graduated::parse(&fields)?),
            ChargeModel::GraduatedPercentage => Pricing::GraduatedPercentage(
                graduated_percentage::GraduatedPercentage::parse(&fields)?,
            ),
            ChargeModel::Package => Pricing::Package(package::Package::parse(&fields)?),
            ChargeModel::Percentage => Pricing::Percentage(percentage::Percentage::parse(&fields)?),
            ChargeModel::Volume => Pricing::Volume(volume::Volume::parse(&fields, prorated)?),
            ChargeModel::Dynamic => Pricing::Dynamic(dynamic::Dynamic),
            ChargeModel::Custom => Pricing::Custom(custom::Custom::new(properties.clone())),
        })
    }

    /// Prices `input`. A `custom` charge fails here: it needs [`Pricing::apply_with`] and an
    /// implementation of [`CustomPricing`].
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
    /// let custom = Pricing::parse(ChargeModel::Custom, &serde_json::json!({}), false).unwrap();
    /// let err = custom.apply(&PricingInput::new(1.into())).unwrap_err();
    /// assert!(err.to_string().contains("needs a custom pricing plugin or callback"));
    /// ```
    pub fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        self.price(input, None)
    }

    /// Prices `input`, handing a `custom` charge to `custom` (other models ignore it).
    ///
    /// ```
    /// use lagom_core::charge::{AggregationAmount, ChargeModel, CustomAggregation, Pricing, PricingInput};
    /// let custom = Pricing::parse(ChargeModel::Custom, &serde_json::json!({}), false).unwrap();
    /// let state = CustomAggregation { total_units: 10.into(), amount: 20.into() };
    /// let input = PricingInput { custom_aggregation: Some(&state), ..PricingInput::new(10.into()) };
    /// let result = custom.apply_with(&input, &AggregationAmount).unwrap();
    /// assert_eq!((result.amount, result.unit_amount), (20.into(), 2.into()));
    /// ```
    pub fn apply_with(
        &self,
        input: &PricingInput<'_>,
        custom: &dyn CustomPricing,
    ) -> Result<ChargeResult> {
        self.price(input, Some(custom))
    }

    fn price(
        &self,
        input: &PricingInput<'_>,
        plugin: Option<&dyn CustomPricing>,
    ) -> Result<ChargeResult> {
        match self {
            Pricing::Standard(model) => model.apply(input),
            Pricing::Graduated(model) => model.apply(input),
            Pricing::GraduatedPercentage(model) => model.apply(input),
            Pricing::Package(model) => model.apply(input),
            Pricing::Percentage(model) => model.apply(input),
            Pricing::Volume(model) => model.apply(input),
            Pricing::Dynamic(model) => model.apply(input),
            Pricing::ProratedGraduated(model) => model.apply(input),
            Pricing::Custom(model) => model.apply(input, plugin),
        }
    }
}

/// Lago's projection of a charge to the end of its billing period, for current usage.
///
/// ```
/// use lagom_core::charge::Projection;
/// let p = Projection { projected_units: 20.into(), projected_amount: 10.into() };
/// assert_eq!(
///     serde_json::to_value(p).unwrap(),
///     serde_json::json!({"projected_units": "20", "projected_amount": "10"})
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Projection {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub projected_units: Decimal,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub projected_amount: Decimal,
}

impl Pricing {
    /// Projects a charge priced at `current` to the whole period, `period_ratio` (in `(0, 1]`) of
    /// which has elapsed, as Lago's current usage does.
    ///
    /// The projected units are `units / period_ratio` rounded half up to 2 decimals (0 without units).
    /// Standard, graduated, package and volume charges price the projected units with their own
    /// rules (graduated fills tiers by capacity, without Lago's `+ 1`); the other models scale the
    /// current amount: `amount / period_ratio`. Nothing is rounded to cents or clamped at 0 here.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
    /// let pricing = Pricing::parse(ChargeModel::Standard, &serde_json::json!({"amount": "0.5"}), false).unwrap();
    /// let input = PricingInput::new(10.into());
    /// let current = pricing.apply(&input).unwrap();
    /// let projection = pricing.project(&input, &current, "0.5".parse().unwrap()).unwrap();
    /// assert_eq!((projection.projected_units, projection.projected_amount), (20.into(), 10.into()));
    /// assert!(pricing.project(&input, &current, 0.into()).is_err());
    /// ```
    pub fn project(
        &self,
        input: &PricingInput<'_>,
        current: &ChargeResult,
        period_ratio: Decimal,
    ) -> Result<Projection> {
        if period_ratio <= Decimal::ZERO || period_ratio > Decimal::ONE {
            let reason = format!(
                "must be greater than 0 and at most 1 (got {})",
                decimal::to_text(period_ratio)
            );
            return Err(Error::invalid("period_ratio", reason));
        }
        let projected_units = if input.units.is_zero() {
            Decimal::ZERO
        } else {
            decimal::div(input.units, period_ratio, "projected units")?
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        };
        let projected_amount = match self {
            Pricing::Standard(model) => model.projected_amount(projected_units)?,
            Pricing::Graduated(model) => model.projected_amount(projected_units)?,
            Pricing::Package(model) => model.projected_amount(projected_units)?,
            Pricing::Volume(model) => model.projected_amount(projected_units)?,
            Pricing::GraduatedPercentage(_)
            | Pricing::Percentage(_)
            | Pricing::Dynamic(_)
            | Pricing::ProratedGraduated(_)
            | Pricing::Custom(_) => {
                if current.amount.is_zero() {
                    Decimal::ZERO
                } else {
                    decimal::div(current.amount, period_ratio, "projected amount")?
                }
            }
        };
        Ok(Projection {
            projected_units,
            projected_amount,
        })
    }
}

/// Lago's unit amount: `amount / units`, and 0 when there are no units.
///
/// ```
/// use lagom_core::charge::unit_amount;
/// assert_eq!(unit_amount(7.into(), 2.into()).unwrap(), "3.5".parse().unwrap());
/// assert_eq!(unit_amount(7.into(), 0.into()).unwrap(), 0.into());
/// ```
pub fn unit_amount(amount: Decimal, units: Decimal) -> Result<Decimal> {
    if units.is_zero() {
        Ok(Decimal::ZERO)
    } else {
        decimal::div(amount, units, "unit amount")
    }
}
