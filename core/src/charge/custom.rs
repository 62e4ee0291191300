//! The `custom` charge model: an extension point priced by code the host supplies.
//!
//! The core does not know how a custom charge prices. A host implements [`CustomPricing`] (the native
//! host with wasmtime plugins, the wasm package with a JS callback) and passes it to
//! [`super::Pricing::apply_with`]; the implementation receives the units, the charge's `properties`
//! (any JSON), the events and the custom aggregation's state, and returns the amount, unit amount and
//! `amount_details`. Its failures become [`Error::Custom`].
//!
//! Lago's own custom model is [`AggregationAmount`]: a custom aggregation already computed the amount
//! (its state is `{total_units, amount}`) and the charge only reads it.

use serde::Deserialize;

use crate::charge::{AmountDetails, ChargeResult, EventValue, PricingInput, unit_amount};
use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::event::Event;
use jiff::Timestamp;

/// The state a Lago custom aggregation leaves behind: the units it counted and the amount it priced.
///
/// ```
/// let state: lagom_core::charge::CustomAggregation =
///     serde_json::from_str(r#"{"total_units": "10", "amount": 20}"#).unwrap();
/// assert_eq!(state.amount, 20.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(deny_unknown_fields)]
pub struct CustomAggregation {
    #[serde(default, with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub total_units: Decimal,
    #[serde(with = "crate::decimal::lenient")]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::decimal::DecimalInput))]
    #[cfg_attr(feature = "typescript", tsify(type = "DecimalInput"))]
    pub amount: Decimal,
}

/// Everything a custom pricing may look at.
///
/// ```
/// use lagom_core::charge::CustomRequest;
/// let properties = serde_json::json!({"tier": "gold"});
/// let request = CustomRequest { units: 3.into(), full_units: None, properties: &properties, events: &[], custom_aggregation: None, period_events: &[], period: None };
/// assert_eq!(request.properties["tier"], "gold");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CustomRequest<'a> {
    pub units: Decimal,
    /// The units before proration, when the charge is prorated.
    pub full_units: Option<Decimal>,
    /// The charge's `properties`, as the user wrote them.
    pub properties: &'a serde_json::Value,
    pub events: &'a [EventValue],
    /// The state of the billable metric's custom aggregation, if it has one.
    pub custom_aggregation: Option<&'a CustomAggregation>,
    /// The period's events themselves, earliest first, when the caller has them (the simulator does;
    /// the `charge` eval contract only has `events`' values).
    pub period_events: &'a [&'a Event],
    /// The charges period's first and last instants, when the caller knows them.
    pub period: Option<(Timestamp, Timestamp)>,
}

/// The charge property naming the plugin of a `custom` charge (the plugin's file stem), for every host
/// that runs plugins: the native one and the npm package.
pub const PLUGIN_PROPERTY: &str = "plugin";

/// The plugin a `custom` charge's `properties` name, among the `loaded` ones, or why there is none:
/// one selection rule wherever plugins run.
///
/// ```
/// use lagom_core::charge::chosen_plugin;
/// let loaded = ["time_of_day", "storage"];
/// assert_eq!(chosen_plugin(&serde_json::json!({"plugin": "storage"}), &loaded), Ok("storage"));
/// assert_eq!(
///     chosen_plugin(&serde_json::json!({"plugin": "nope"}), &loaded).unwrap_err(),
///     "properties.plugin: no plugin `nope` is loaded (loaded: time_of_day, storage)"
/// );
/// assert_eq!(
///     chosen_plugin(&serde_json::json!({}), &[]).unwrap_err(),
///     "properties.plugin: a `custom` charge must name its plugin (loaded: none)"
/// );
/// ```
pub fn chosen_plugin<'p>(
    properties: &'p serde_json::Value,
    loaded: &[&str],
) -> std::result::Result<&'p str, String> {
    let loaded_text = || {
        if loaded.is_empty() {
            "none".to_owned()
        } else {
            loaded.join(", ")
        }
    };
    match properties.get(PLUGIN_PROPERTY) {
        Some(serde_json::Value::String(name)) if loaded.contains(&name.as_str()) => Ok(name),
        Some(serde_json::Value::String(name)) => Err(format!(
            "properties.{PLUGIN_PROPERTY}: no plugin `{name}` is loaded (loaded: {})",
            loaded_text()
        )),
        Some(other) => Err(format!(
            "properties.{PLUGIN_PROPERTY}: must be a plugin's name (got {other})"
        )),
        None => Err(format!(
            "properties.{PLUGIN_PROPERTY}: a `custom` charge must name its plugin (loaded: {})",
            loaded_text()
        )),
    }
}

/// A pricing function for `custom` charges, supplied by the host. Return `Err(reason)` to fail: it
/// becomes an [`Error::Custom`].
///
/// ```
/// use lagom_core::charge::{AmountDetails, ChargeModel, ChargeResult, CustomPricing, CustomRequest, Pricing, PricingInput};
/// struct Flat;
/// impl CustomPricing for Flat {
///     fn price(&self, request: &CustomRequest<'_>) -> Result<ChargeResult, String> {
///         let amount = request.properties["amount"].as_str().and_then(|a| a.parse().ok()).ok_or("no amount")?;
///         Ok(ChargeResult { amount, unit_amount: amount, amount_details: AmountDetails::Empty {} })
///     }
/// }
/// let pricing = Pricing::parse(ChargeModel::Custom, &serde_json::json!({"amount": "9"}), false).unwrap();
/// assert_eq!(pricing.apply_with(&PricingInput::new(1.into()), &Flat).unwrap().amount, 9.into());
///
/// let pricing = Pricing::parse(ChargeModel::Custom, &serde_json::json!({}), false).unwrap();
/// let err = pricing.apply_with(&PricingInput::new(1.into()), &Flat).unwrap_err();
/// assert_eq!(err.to_string(), "(input): custom pricing failed: no amount");
/// ```
pub trait CustomPricing {
    /// Prices one charge for one period.
    fn price(&self, request: &CustomRequest<'_>) -> std::result::Result<ChargeResult, String>;
}

/// Lago's own custom charge model: the amount is the custom aggregation's `amount` (0 without one), the
/// unit amount divides it by the full units (or the units), and there are no `amount_details`.
///
/// ```
/// use lagom_core::charge::{AggregationAmount, CustomPricing, CustomRequest};
/// let request = CustomRequest { units: 0.into(), full_units: None, properties: &serde_json::json!({}), events: &[], custom_aggregation: None, period_events: &[], period: None };
/// let result = AggregationAmount.price(&request).unwrap();
/// assert_eq!((result.amount, result.unit_amount), (0.into(), 0.into()));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AggregationAmount;

impl CustomPricing for AggregationAmount {
    fn price(&self, request: &CustomRequest<'_>) -> std::result::Result<ChargeResult, String> {
        let amount = request
            .custom_aggregation
            .map(|state| state.amount)
            .unwrap_or_default();
        let unit_amount = unit_amount(amount, request.full_units.unwrap_or(request.units))
            .map_err(|e| e.to_string())?;
        Ok(ChargeResult {
            amount,
            unit_amount,
            amount_details: AmountDetails::Empty {},
        })
    }
}

/// A custom charge: its `properties` are kept as written, for the [`CustomPricing`] to read.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing};
/// let pricing = Pricing::parse(ChargeModel::Custom, &serde_json::json!({"anything": [1, 2]}), false).unwrap();
/// let Pricing::Custom(custom) = pricing else { unreachable!() };
/// assert_eq!(custom.properties()["anything"][1], 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Custom {
    properties: serde_json::Value,
}

impl Custom {
    pub(crate) fn new(properties: serde_json::Value) -> Self {
        Custom { properties }
    }

    /// The charge's properties.
    ///
    /// ```
    /// use lagom_core::charge::{ChargeModel, Pricing};
    /// let Pricing::Custom(custom) = Pricing::parse(ChargeModel::Custom, &serde_json::json!({}), false).unwrap() else {
    ///     unreachable!()
    /// };
    /// assert!(custom.properties().as_object().unwrap().is_empty());
    /// ```
    pub fn properties(&self) -> &serde_json::Value {
        &self.properties
    }

    pub(crate) fn apply(
        &self,
        input: &PricingInput<'_>,
        plugin: Option<&dyn CustomPricing>,
    ) -> Result<ChargeResult> {
        let Some(plugin) = plugin else {
            return Err(Error::invalid(
                "charge_model",
                "a `custom` charge needs a custom pricing plugin or callback to price it, and none is installed",
            ));
        };
        let request = CustomRequest {
            units: input.units,
            full_units: input.full_units,
            properties: &self.properties,
            events: input.events,
            custom_aggregation: input.custom_aggregation,
            period_events: input.period_events,
            period: input.period,
        };
        plugin.price(&request).map_err(|reason| Error::Custom {
            path: String::new(),
            reason,
        })
    }
}
