//! A billable metric's rounding of its aggregated units (`rounding_function`, `rounding_precision`).
//!
//! Lago rounds the aggregation result (and the unprorated and current-usage units beside it) once per
//! aggregation, never per event: `round` goes half away from zero like Ruby's `BigDecimal#round`, `ceil`
//! and `floor` go toward ±∞, and the precision counts decimal places, negative meaning tens, hundreds…

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Serialize};

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

/// Lago's `rounding_function` values.
///
/// ```
/// use lagom_core::metric::RoundingFunction;
/// let f: RoundingFunction = serde_json::from_str(r#""ceil""#).unwrap();
/// assert_eq!(f, RoundingFunction::Ceil);
/// assert!(serde_json::from_str::<RoundingFunction>(r#""truncate""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum RoundingFunction {
    Round,
    Ceil,
    Floor,
}

/// A checked rounding rule: a function and a precision (0 when Lago's `rounding_precision` is null).
///
/// ```
/// use lagom_core::metric::{Rounding, RoundingFunction};
/// use lagom_core::decimal::Decimal;
/// let units = Decimal::new(123456, 3); // 123.456
/// assert_eq!(Rounding::new(RoundingFunction::Round, 2).apply(units).unwrap(), Decimal::new(12346, 2));
/// assert_eq!(Rounding::new(RoundingFunction::Ceil, 0).apply(units).unwrap(), Decimal::from(124));
/// assert_eq!(Rounding::new(RoundingFunction::Floor, -2).apply(units).unwrap(), Decimal::from(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    pub function: RoundingFunction,
    pub precision: i32,
}

impl Rounding {
    /// A rounding rule.
    ///
    /// ```
    /// use lagom_core::metric::{Rounding, RoundingFunction};
    /// assert_eq!(Rounding::new(RoundingFunction::Floor, -1).precision, -1);
    /// ```
    pub fn new(function: RoundingFunction, precision: i32) -> Self {
        Rounding {
            function,
            precision,
        }
    }

    /// Rounds `units` by this rule; a negative precision beyond 10^28 is an overflow error.
    ///
    /// ```
    /// use lagom_core::metric::{Rounding, RoundingFunction};
    /// use lagom_core::decimal::Decimal;
    /// let round = Rounding::new(RoundingFunction::Round, -1);
    /// assert_eq!(round.apply(Decimal::from(15)).unwrap(), Decimal::from(20));
    /// assert_eq!(round.apply(Decimal::from(-15)).unwrap(), Decimal::from(-20));
    /// ```
    pub fn apply(self, units: Decimal) -> Result<Decimal> {
        if self.precision >= 0 {
            let strategy = match self.function {
                RoundingFunction::Round => RoundingStrategy::MidpointAwayFromZero,
                RoundingFunction::Ceil => RoundingStrategy::ToPositiveInfinity,
                RoundingFunction::Floor => RoundingStrategy::ToNegativeInfinity,
            };
            return Ok(units.round_dp_with_strategy(self.precision.unsigned_abs(), strategy));
        }
        self.apply_to_power_of_ten(units, self.precision.unsigned_abs())
    }

    /// Rounds to a multiple of 10^exponent exactly, from the remainder (no division, so no precision
    /// is lost before the decision).
    fn apply_to_power_of_ten(self, units: Decimal, exponent: u32) -> Result<Decimal> {
        let what = format!("rounding to 10^{exponent}");
        let step = (0..exponent).try_fold(Decimal::ONE, |acc, _| {
            decimal::mul(acc, Decimal::TEN, &what)
        })?;
        let remainder = units
            .checked_rem(step)
            .ok_or_else(|| Error::Overflow { what: what.clone() })?;
        let toward_zero = decimal::sub(units, remainder, &what)?;
        let away = |base: Decimal| {
            if remainder.is_sign_negative() {
                decimal::sub(base, step, &what)
            } else {
                decimal::add(base, step, &what)
            }
        };
        if remainder.is_zero() {
            return Ok(toward_zero);
        }
        match self.function {
            RoundingFunction::Ceil if remainder.is_sign_positive() => away(toward_zero),
            RoundingFunction::Floor if remainder.is_sign_negative() => away(toward_zero),
            RoundingFunction::Round
                if decimal::mul(remainder.abs(), Decimal::TWO, &what)? >= step =>
            {
                away(toward_zero)
            }
            _ => Ok(toward_zero),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoundingFunction::{Ceil, Floor, Round};

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn lagos_rounding_examples() {
        // Lago's apply_rounding spec: 123.456 with precision 2, none (0) and -2.
        let units = d("123.456");
        assert_eq!(Rounding::new(Round, 2).apply(units).unwrap(), d("123.46"));
        assert_eq!(Rounding::new(Round, 0).apply(units).unwrap(), d("123"));
        assert_eq!(Rounding::new(Round, -2).apply(units).unwrap(), d("100"));
        assert_eq!(Rounding::new(Ceil, 2).apply(units).unwrap(), d("123.46"));
        assert_eq!(Rounding::new(Ceil, 0).apply(units).unwrap(), d("124"));
        assert_eq!(Rounding::new(Ceil, -2).apply(units).unwrap(), d("200"));
        assert_eq!(Rounding::new(Floor, 2).apply(units).unwrap(), d("123.45"));
        assert_eq!(Rounding::new(Floor, 0).apply(units).unwrap(), d("123"));
        assert_eq!(Rounding::new(Floor, -2).apply(units).unwrap(), d("100"));
    }

    #[test]
    fn negative_values_and_midpoints() {
        assert_eq!(Rounding::new(Round, 0).apply(d("-2.5")).unwrap(), d("-3"));
        assert_eq!(Rounding::new(Ceil, -1).apply(d("-15")).unwrap(), d("-10"));
        assert_eq!(Rounding::new(Floor, -1).apply(d("-15")).unwrap(), d("-20"));
        assert_eq!(
            Rounding::new(Round, -2)
                .apply(d("49.99999999999999999999999999"))
                .unwrap(),
            d("0")
        );
        assert_eq!(Rounding::new(Round, -2).apply(d("50")).unwrap(), d("100"));
        assert_eq!(Rounding::new(Ceil, -3).apply(d("0")).unwrap(), d("0"));
        assert!(Rounding::new(Round, -29).apply(d("1")).is_err());
    }
}
