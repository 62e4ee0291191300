//! Invariants of Lago's rounding to cents, over random amounts and every currency.
#![cfg(not(target_arch = "wasm32"))]

use lagom_core::decimal::Decimal;
use lagom_core::money::{Currency, add_cents, round_cents};
use proptest::prelude::*;

/// Amounts up to ±10^14 units with up to 8 decimals: far beyond any price, and within i64 cents even
/// for CLF's four decimals (10^14 × 10^4 < 9.2 × 10^18).
fn amount() -> impl Strategy<Value = Decimal> {
    (-100_000_000_000_000i64..=100_000_000_000_000, 0u32..=8)
        .prop_map(|(m, scale)| Decimal::new(m, scale))
}

fn currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(Currency::ALL)
}

proptest! {
    /// For a power-of-ten minor unit, rounding the amount to the exponent then scaling (fees) is the
    /// same as scaling then rounding the precise cents (taxes, coupons): both round half away from
    /// zero at the same digit.
    #[test]
    fn rounding_units_or_precise_cents_agrees(c in currency(), a in amount()) {
        prop_assume!(c.subunit_to_unit() != 5);
        let via_units = c.to_cents(a).unwrap();
        let via_precise = round_cents(c.to_precise_cents(a).unwrap()).unwrap();
        prop_assert_eq!(via_units, via_precise);
    }

    /// Cents turned back into units are the rounded amount, within half a minor unit of the amount.
    #[test]
    fn cents_come_back_as_the_rounded_amount(c in currency(), a in amount()) {
        prop_assume!(c.subunit_to_unit() != 5);
        let back = c.to_units(Decimal::from(c.to_cents(a).unwrap()));
        prop_assert_eq!(back, c.round(a));
        let half_unit = Decimal::ONE / Decimal::from(c.subunit_to_unit()) / Decimal::TWO;
        prop_assert!((back - a).abs() <= half_unit);
    }

    /// Rounding is idempotent and symmetric around zero.
    #[test]
    fn rounding_is_idempotent_and_symmetric(c in currency(), a in amount()) {
        prop_assert_eq!(c.round(c.round(a)), c.round(a));
        prop_assert_eq!(c.round(-a), -c.round(a));
        prop_assert_eq!(c.to_cents(-a).unwrap(), -c.to_cents(a).unwrap());
    }

    /// Checked addition is exact when the sum fits, and an error exactly when it does not.
    #[test]
    fn add_cents_is_exact_or_an_overflow(a in any::<i64>(), b in any::<i64>()) {
        let exact = i128::from(a) + i128::from(b);
        match add_cents(a, b, "total") {
            Ok(sum) => prop_assert_eq!(i128::from(sum), exact),
            Err(_) => prop_assert!(i64::try_from(exact).is_err()),
        }
    }
}
