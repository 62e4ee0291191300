//! The minimum commitment true-up: what a plan's `minimum_commitment` adds to an invoice when the
//! fees of the period it reconciles come to less (Lago's `Commitments::CalculateAmountService` and
//! `Commitments::Minimum::CalculateTrueUpFeeService`).
//!
//! Which period is reconciled (the one billed in arrears, or for a plan paid in advance the one
//! billed on the previous invoice) and which fees count toward it is the simulator's business; this
//! module prorates the commitment and works out the difference.

use rust_decimal::RoundingStrategy;

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};
use crate::fee::Fee;
use crate::money::sum_cents;

/// The true-up of a minimum commitment for one reconciled period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitmentTrueUp {
    /// The commitment prorated to the reconciled days, in whole cents.
    pub commitment_amount_cents: i64,
    /// The commitment less the fees' cents.
    pub amount_cents: i64,
    /// The commitment less the fees' precise cents.
    pub precise_amount_cents: Decimal,
}

/// The true-up of a `commitment_cents` minimum for a period of which `days` of `period_days` are
/// reconciled, given the `fees` that count toward it; `None` when they reach it.
///
/// The commitment is prorated by the days (Lago's `CalculateProratedCoefficientService`) and
/// brought to whole cents as Ruby's `Money.from_cents` does (half to even); the true-up is that
/// less the fees' cents, and its precise amount that less the fees' precise cents.
///
/// ```
/// use lagom_core::invoice::minimum_commitment_true_up;
/// let fee: lagom_core::fee::Fee = serde_json::from_str(r#"{"amount_cents": 89286,
///     "precise_amount": "892.857142857142857142857143", "amount_currency": "EUR",
///     "taxes_amount_cents": 0, "taxes_rate": 0, "units": "1", "total_amount_cents": 89286,
///     "item": {"type": "subscription", "code": "p", "name": "P"}}"#).unwrap();
/// // Lago's spec: 1 000 000 committed, Feb 4-28 2023 billed (25 of 28 days) → 892 857,
/// // less the prorated subscription fee of 89 286 → 803 571.
/// let up = minimum_commitment_true_up(1_000_000, 25, 28, &[&fee]).unwrap().unwrap();
/// assert_eq!((up.commitment_amount_cents, up.amount_cents), (892_857, 803_571));
/// ```
pub fn minimum_commitment_true_up(
    commitment_cents: i64,
    days: i64,
    period_days: i64,
    fees: &[&Fee],
) -> Result<Option<CommitmentTrueUp>> {
    if period_days <= 0 {
        return Err(Error::invalid(
            "minimum_commitment",
            format!("the reconciled period has no days (got {period_days})"),
        ));
    }
    let prorated = decimal::div(
        decimal::mul(
            Decimal::from(commitment_cents),
            Decimal::from(days),
            "minimum_commitment.amount_cents",
        )?,
        Decimal::from(period_days),
        "minimum_commitment.amount_cents",
    )?
    .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    let commitment = i64::try_from(prorated).map_err(|_| Error::Overflow {
        what: "minimum_commitment.amount_cents".to_owned(),
    })?;
    let used = sum_cents(fees.iter().map(|f| f.amount_cents), "fees_amount_cents")?;
    if used >= commitment {
        return Ok(None);
    }
    let precise: Vec<Decimal> = fees
        .iter()
        .map(|f| f.precise_amount_cents())
        .collect::<Result<_>>()?;
    let used_precise = decimal::sum(precise, "fees_precise_amount_cents")?;
    let precise = decimal::sub(Decimal::from(commitment), used_precise, "true-up")?;
    Ok(Some(CommitmentTrueUp {
        commitment_amount_cents: commitment,
        amount_cents: commitment - used,
        precise_amount_cents: precise.max(Decimal::ZERO),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(amount_cents: i64) -> Fee {
        serde_json::from_value(serde_json::json!({
            "amount_cents": amount_cents, "amount_currency": "EUR", "taxes_amount_cents": 0,
            "taxes_rate": 0, "units": "1", "total_amount_cents": amount_cents,
            "item": {"type": "charge", "code": "api", "name": "API"}
        }))
        .unwrap()
    }

    /// (commitment, days, period days, fees, expected true-up cents)
    type Case = (i64, i64, i64, &'static [i64], Option<i64>);

    #[test]
    fn true_ups_worked_by_hand() {
        let cases: [Case; 5] = [
            // A whole period: 10 000 committed, 6 000 of fees → 4 000.
            (10_000, 31, 31, &[5000, 1000], Some(4000)),
            // Reached exactly: nothing.
            (10_000, 31, 31, &[10_000], None),
            // Lago's weekly spec: 5 of 7 days of 1 000 000 = 714 285.71 → 714 286, less 71 429.
            (1_000_000, 5, 7, &[71_429], Some(642_857)),
            // 3 of 7 days: 428 571.43 → 428 571, less a full week's 100 000.
            (1_000_000, 3, 7, &[100_000], Some(328_571)),
            // Half a cent rounds to even: 1 × 1/2 = 0.5 → 0, so nothing is owed.
            (1, 1, 2, &[], None),
        ];
        for (commitment, days, period, fees, expected) in cases {
            let fees: Vec<Fee> = fees.iter().map(|&a| fee(a)).collect();
            let refs: Vec<&Fee> = fees.iter().collect();
            let up = minimum_commitment_true_up(commitment, days, period, &refs)
                .unwrap()
                .map(|u| u.amount_cents);
            assert_eq!(up, expected, "{commitment} × {days}/{period}");
        }
    }

    #[test]
    fn an_empty_period_is_an_error() {
        let err = minimum_commitment_true_up(100, 0, 0, &[]).unwrap_err();
        assert_eq!(err.path(), Some("minimum_commitment"));
    }
}
