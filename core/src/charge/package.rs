//! The `package` charge model: units are sold in packages of `package_size`, after `free_units`.

use serde::Serialize;

use crate::charge::properties::Fields;
use crate::charge::{AmountDetails, ChargeResult, PricingInput};
use crate::decimal::{self, Decimal};
use crate::error::Result;

/// `properties: {"amount": "100", "package_size": 10, "free_units": 0}`.
///
/// `amount` (≥ 0) is the price of one package; `package_size` (integer ≥ 1) and `free_units`
/// (integer ≥ 0) are required, as Lago's validator requires them. The paid units are
/// `units - free_units`; a started package is a whole package (`ceil(paid / package_size)` packages).
/// Unlike the other models, the unit amount divides by the paid units.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"amount": "100", "package_size": 10, "free_units": 10});
/// let pricing = Pricing::parse(ChargeModel::Package, &props, false).unwrap();
/// // 121 - 10 = 111 paid units: 12 packages
/// assert_eq!(pricing.apply(&PricingInput::new(121.into())).unwrap().amount, 1200.into());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    amount: Decimal,
    package_size: u64,
    free_units: u64,
}

/// `amount_details` of a package charge.
///
/// ```
/// use lagom_core::charge::{ChargeModel, Pricing, PricingInput};
/// let props = serde_json::json!({"amount": "5", "package_size": 100, "free_units": 0});
/// let result = Pricing::parse(ChargeModel::Package, &props, false).unwrap()
///     .apply(&PricingInput::new(150.into())).unwrap();
/// assert_eq!(
///     serde_json::to_value(&result.amount_details).unwrap(),
///     serde_json::json!({"free_units": "0", "paid_units": "150", "per_package_size": 100,
///                        "per_package_unit_amount": "5"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "PackageDetails", missing_as_null)
)]
pub struct Details {
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub free_units: Decimal,
    /// `units - free_units`, shown as 0 when the free units cover everything.
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub paid_units: Decimal,
    pub per_package_size: u64,
    #[serde(serialize_with = "crate::decimal::lenient::serialize")]
    pub per_package_unit_amount: Decimal,
}

impl Package {
    pub(crate) fn parse(properties: &Fields<'_>) -> Result<Self> {
        Ok(Package {
            amount: properties.amount("amount")?,
            package_size: properties.integer("package_size", 1)?,
            free_units: properties.integer("free_units", 0)?,
        })
    }

    pub(crate) fn apply(&self, input: &PricingInput<'_>) -> Result<ChargeResult> {
        let free_units = Decimal::from(self.free_units);
        let paid_units = decimal::sub(input.units, free_units, "package paid units")?;
        let amount = if paid_units < Decimal::ZERO {
            Decimal::ZERO
        } else {
            let packages = decimal::div(
                paid_units,
                Decimal::from(self.package_size),
                "package count",
            )?
            .ceil();
            decimal::mul(packages, self.amount, "package amount")?
        };
        let unit_amount = if paid_units > Decimal::ZERO {
            decimal::div(amount, paid_units, "unit amount")?
        } else {
            Decimal::ZERO
        };
        // Lago shows all zeros when there is no usage at all, and clamps the paid units at 0 otherwise.
        let details = if input.units.is_zero() {
            Details {
                free_units: Decimal::ZERO,
                paid_units: Decimal::ZERO,
                per_package_size: 0,
                per_package_unit_amount: Decimal::ZERO,
            }
        } else {
            Details {
                free_units,
                paid_units: paid_units.max(Decimal::ZERO),
                per_package_size: self.package_size,
                per_package_unit_amount: self.amount,
            }
        };
        Ok(ChargeResult {
            amount,
            unit_amount,
            amount_details: AmountDetails::Package(details),
        })
    }

    /// Lago's projection: whole packages for the projected units beyond the free units.
    pub(crate) fn projected_amount(&self, projected_units: Decimal) -> Result<Decimal> {
        let paid_units = decimal::sub(
            projected_units,
            Decimal::from(self.free_units),
            "package projected units",
        )?;
        if paid_units <= Decimal::ZERO {
            return Ok(Decimal::ZERO);
        }
        let packages = decimal::div(
            paid_units,
            Decimal::from(self.package_size),
            "package projected count",
        )?
        .ceil();
        decimal::mul(packages, self.amount, "package projected amount")
    }
}
