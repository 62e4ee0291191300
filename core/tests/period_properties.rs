#![cfg(not(target_arch = "wasm32"))]
//! Invariants of billing periods: consecutive periods tile time, answers are deterministic, and no
//! input makes the period code panic.

use jiff::{SignedDuration, Timestamp};
use lagom_core::eval::Contract;
use lagom_core::period::{BillingTime, Interval, Subscription};
use lagom_core::time::{format, time_zone};
use proptest::prelude::*;

const ZONES: &[&str] = &[
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "America/St_Johns",
];

const INTERVALS: &[Interval] = &[
    Interval::Weekly,
    Interval::Monthly,
    Interval::Quarterly,
    Interval::Semiannual,
    Interval::Yearly,
];

/// 2000-01-01 to 2030-01-01, in seconds.
fn instant() -> impl Strategy<Value = Timestamp> {
    (946_684_800_i64..1_893_456_000).prop_map(|s| Timestamp::from_second(s).expect("in range"))
}

fn subscription(interval: Interval, calendar: bool, start: Timestamp, zone: &str) -> Subscription {
    Subscription {
        interval,
        billing_time: if calendar {
            BillingTime::Calendar
        } else {
            BillingTime::Anniversary
        },
        pay_in_advance: true,
        bill_charges_monthly: false,
        subscription_at: start,
        started_at: start,
        terminated_at: None,
        time_zone: time_zone(zone, "timezone").expect("a known zone"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Billing on each period's first day, 400 times in a row: in advance, every period starts one
    /// second after the previous one ended and its fee covers the period it is billed in; in arrears,
    /// the same day bills the period that just ended.
    #[test]
    fn periods_tile_time(
        interval in prop::sample::select(INTERVALS),
        calendar in any::<bool>(),
        start in instant(),
        zone in prop::sample::select(ZONES),
    ) {
        let subscription = subscription(interval, calendar, start, zone);
        let in_arrears = Subscription { pay_in_advance: false, ..subscription.clone() };
        let first = subscription.boundaries(start).expect("first period");
        let (mut begin, mut end) = (first.from_datetime, first.to_datetime);
        for _ in 0..400 {
            let next_start = end.checked_add(SignedDuration::from_secs(1)).expect("in range");
            let period = subscription.boundaries(next_start).expect("a period");
            prop_assert_eq!(period.from_datetime, next_start, "gap or overlap after {}", format(end));
            prop_assert!(period.to_datetime > period.from_datetime);
            prop_assert_eq!(period.next_end_of_period, period.to_datetime);
            prop_assert_eq!(period.charges_to_datetime.checked_add(SignedDuration::from_secs(1)).ok(), Some(next_start));
            let billed_in_arrears = in_arrears.boundaries(next_start).expect("a period");
            prop_assert_eq!((billed_in_arrears.from_datetime, billed_in_arrears.to_datetime), (begin, end));
            (begin, end) = (period.from_datetime, period.to_datetime);
        }
    }

    /// The same input gives the same output.
    #[test]
    fn deterministic(
        interval in prop::sample::select(&["weekly", "monthly", "quarterly", "semiannual", "yearly"][..]),
        calendar in any::<bool>(),
        start in instant(),
        later in 0_i64..400_000_000,
        zone in prop::sample::select(ZONES),
        pay_in_advance in any::<bool>(),
    ) {
        let billing_at = start.checked_add(SignedDuration::from_secs(later)).expect("in range");
        let input = serde_json::json!({
            "interval": interval,
            "billing_time": if calendar { "calendar" } else { "anniversary" },
            "subscription_at": format(start),
            "billing_at": format(billing_at),
            "timezone": zone,
            "pay_in_advance": pay_in_advance,
        })
        .to_string();
        let first = Contract::Period.run(&input);
        prop_assert_eq!(first.clone(), Contract::Period.run(&input));
        prop_assert!(first.is_ok(), "{:?}", first);
    }

    /// Any instants, including the extremes jiff supports, and any trial: an answer or an error, never
    /// a panic.
    #[test]
    fn never_panics(
        interval in prop::sample::select(&["weekly", "monthly", "quarterly", "semiannual", "yearly"][..]),
        calendar in any::<bool>(),
        subscription_at in -377_705_116_800_i64..253_402_207_200,
        billing_at in -377_705_116_800_i64..253_402_207_200,
        terminated_at in proptest::option::of(-377_705_116_800_i64..253_402_207_200),
        trial_period in proptest::option::of(-10.0_f64..1e30),
        zone in prop::sample::select(ZONES),
        flags in any::<(bool, bool)>(),
    ) {
        let input = serde_json::json!({
            "interval": interval,
            "billing_time": if calendar { "calendar" } else { "anniversary" },
            "subscription_at": subscription_at,
            "billing_at": billing_at,
            "terminated_at": terminated_at,
            "trial_period": trial_period,
            "timezone": zone,
            "pay_in_advance": flags.0,
            "bill_charges_monthly": flags.1,
        })
        .to_string();
        let _ = Contract::Period.run(&input);
    }
}
