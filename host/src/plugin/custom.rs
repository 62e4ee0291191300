//! Plugins behind the core's extension points: a loaded [`Runtime`] prices `custom` charges
//! ([`CustomPricing`]) and a [`Plugin`] folds `custom_agg` metrics ([`CustomAggregator`]), so the eval
//! contracts and the simulator run them like any charge model.
//!
//! A charge picks its plugin by name in `properties.plugin` (the plugin's file stem):
//!
//! ```json
//! {"charge_model": "custom", "properties": {"plugin": "time_of_day", "day_unit_amount": "0.02", …}}
//! ```
//!
//! - If the plugin exports `lagom_price`, it prices the charge: the units, the properties as written
//!   (`plugin` included) and the period's events.
//! - If it exports only `lagom_aggregate`, it is the aggregator of the charge's `custom_agg` metric, and
//!   the charge is priced by Lago's own `custom` rule: the amount the aggregation computed, divided by its
//!   units for the unit amount. The aggregator gets the charge's `properties.custom_properties`, as in Lago.
//!
//! A failing plugin call fails the charge, with the plugin's name and the reason.

use lagom_core::charge::{
    AggregationAmount, ChargeResult, CustomPricing, CustomRequest, PLUGIN_PROPERTY, chosen_plugin,
};
use lagom_core::event::Event;
use lagom_core::metric::{CustomAggregator, CustomState};
use lagom_core::plugin_abi;
use lagom_core::simulate::CustomCode;
use serde_json::{Map, Value};

use super::runtime::{Plugin, Runtime};

impl Runtime {
    /// The plugin a charge's `properties` name, or why there is none (the core's rule,
    /// [`chosen_plugin`], which the npm package follows too).
    ///
    /// ```
    /// use lagom::plugin::Runtime;
    /// let runtime = Runtime::new(Default::default()).unwrap();
    /// let err = runtime.charge_plugin(&serde_json::json!({})).err().unwrap();
    /// assert_eq!(err, "properties.plugin: a `custom` charge must name its plugin (loaded: none)");
    /// ```
    pub fn charge_plugin(&self, properties: &Value) -> Result<&Plugin, String> {
        let loaded: Vec<&str> = self.names().collect();
        let name = chosen_plugin(properties, &loaded)?;
        self.get(name)
            .map_err(|e| format!("properties.{PLUGIN_PROPERTY}: {e}"))
    }
}

impl CustomPricing for Runtime {
    fn price(&self, request: &CustomRequest<'_>) -> Result<ChargeResult, String> {
        let plugin = self.charge_plugin(request.properties)?;
        if !plugin.calls().price {
            if request.custom_aggregation.is_none() {
                return Err(format!(
                    "plugin `{}` exports only lagom_aggregate: it prices the charge of a custom_agg metric, \
                     from the aggregation it computed",
                    plugin.name()
                ));
            }
            return AggregationAmount.price(request);
        }
        // The context as the ABI writes it (the core's document, as the npm package sends it).
        let context = serde_json::to_value(plugin_abi::PriceRequest::of(request).context)
            .map_err(|e| format!("cannot encode the request: {e}"))?;
        plugin
            .price(request.units, request.properties, &context)
            .map_err(|e| e.to_string())?
            .value
            .into_charge_result(request.full_units.unwrap_or(request.units))
    }
}

impl CustomCode for Runtime {
    fn pricing(&self) -> Option<&dyn CustomPricing> {
        Some(self)
    }

    fn aggregator(&self, charge_properties: &Map<String, Value>) -> Option<&dyn CustomAggregator> {
        let name = charge_properties.get(PLUGIN_PROPERTY)?.as_str()?;
        let plugin = self.get(name).ok()?;
        Some(plugin)
    }
}

impl CustomAggregator for Plugin {
    /// One event through `lagom_aggregate`: the plugin answers the folded state, and the core's step
    /// is its units and the amount it added.
    fn aggregate(
        &self,
        event: &Event,
        state: CustomState,
        properties: &Map<String, Value>,
    ) -> lagom_core::Result<CustomState> {
        let fail = |reason: String| lagom_core::Error::Custom {
            path: String::new(),
            reason,
        };
        let after = Plugin::aggregate(
            self,
            &[abi_event(event)],
            state,
            &Value::Object(properties.clone()),
        )
        .map_err(|e| fail(e.to_string()))?
        .value;
        plugin_abi::aggregation_step(state, after).map_err(fail)
    }
}

/// An event as the ABI hands it over: `timestamp`, `properties`, and Lago's other fields (decimals as
/// strings, as the core writes them).
fn abi_event(event: &Event) -> Value {
    serde_json::to_value(event).unwrap_or(Value::Null)
}
