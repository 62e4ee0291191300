//! Billing periods: from/to and charges from/to for every plan interval and billing time, in the
//! customer's time zone; trial ends; proration coefficients.
//!
//! [`Cycle`] holds the calendar rules on customer-local dates; [`Subscription::boundaries`] turns them
//! into the instants Lago stores on an invoice for a billing date; [`proration`](self::proration)
//! prorates the subscription fee. What this module does not do: price anything, or follow a customer's
//! time zone changing between two invoices (Lago then starts the next charges period one second after
//! the previous invoice's; here every period is computed from the current time zone alone).

mod cycle;
mod proration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Unit};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::format;

pub use cycle::Cycle;
pub use proration::{
    billable_from, days_to_bill, proration_coefficient, single_day_price, trial_end_datetime,
};

/// Lago's plan `interval` values.
///
/// ```
/// use lagom_core::period::Interval;
/// let i: Interval = serde_json::from_str(r#""semiannual""#).unwrap();
/// assert_eq!(i, Interval::Semiannual);
/// let err = serde_json::from_str::<Interval>(r#""daily""#).unwrap_err().to_string();
/// assert!(err.contains("unknown variant `daily`, expected one of `weekly`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Weekly,
    Monthly,
    Quarterly,
    Semiannual,
    Yearly,
}

/// Lago's subscription `billing_time` values: periods aligned on the calendar (weeks from Monday,
/// months from the 1st, years from January 1st) or on the subscription's anniversary.
///
/// ```
/// use lagom_core::period::BillingTime;
/// let b: BillingTime = serde_json::from_str(r#""anniversary""#).unwrap();
/// assert_eq!(b, BillingTime::Anniversary);
/// assert!(serde_json::from_str::<BillingTime>(r#""monthly""#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "snake_case")]
pub enum BillingTime {
    Calendar,
    Anniversary,
}

/// What the billing periods of a subscription depend on: its plan's interval and payment timing, its
/// billing time, its dates, and its customer's time zone.
///
/// `subscription_at` fixes the anniversary; `started_at` is when it became active (the same instant
/// unless it was activated later). A `terminated_at` marks the subscription as terminated, with no
/// subscription following it (no upgrade or downgrade).
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub interval: Interval,
    pub billing_time: BillingTime,
    pub pay_in_advance: bool,
    /// Bill the charges of a yearly or semiannual plan every month.
    pub bill_charges_monthly: bool,
    pub subscription_at: Timestamp,
    pub started_at: Timestamp,
    pub terminated_at: Option<Timestamp>,
    pub time_zone: TimeZone,
}

/// The instants Lago stores for the invoice of one subscription on one billing date.
///
/// `to_datetime` and the like are the last whole second of their customer-local day (Lago keeps
/// `23:59:59.999999` and writes it as `23:59:59Z` in UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boundaries {
    /// Start of the period the subscription fee pays for.
    pub from_datetime: Timestamp,
    /// End of the period the subscription fee pays for.
    pub to_datetime: Timestamp,
    /// Start of the period whose usage the charges bill.
    pub charges_from_datetime: Timestamp,
    /// End of the period whose usage the charges bill.
    pub charges_to_datetime: Timestamp,
    /// Days in the whole charges period (Lago's `charges_duration`), also when it is cut short.
    pub charges_duration: i64,
    /// Days in the whole period the subscription fee pays for: the divisor of `single_day_price`.
    pub period_duration: i64,
    /// End of the period holding the billing date.
    pub next_end_of_period: Timestamp,
    /// Start of the period before the billing date's: the one billed in arrears on that date.
    pub previous_beginning_of_period: Timestamp,
}

impl Subscription {
    /// The boundaries of the invoice Lago issues for this subscription at `billing_at`, as its
    /// `Subscriptions::DatesService` computes them when it bills (not for a usage preview).
    ///
    /// In arrears, billing on a period's first day bills the period that just ended; in advance, it
    /// bills the period that begins, and the charges of the one that ended. On termination the
    /// period is the one being cut short. Every boundary is a customer-local midnight (or the second
    /// before one), clamped to `started_at` and `terminated_at` as Lago clamps them.
    ///
    /// ```
    /// use lagom_core::period::{BillingTime, Interval, Subscription};
    /// use lagom_core::time::{format, parse, time_zone};
    /// let at = parse("2024-01-31T10:00:00Z").unwrap();
    /// let subscription = Subscription {
    ///     interval: Interval::Monthly,
    ///     billing_time: BillingTime::Anniversary,
    ///     pay_in_advance: false,
    ///     bill_charges_monthly: false,
    ///     subscription_at: at,
    ///     started_at: at,
    ///     terminated_at: None,
    ///     time_zone: time_zone("UTC", "timezone").unwrap(),
    /// };
    /// // Anniversary on Jan 31, billed Feb 29 2024: February has no 31st, so the period ended Feb 28.
    /// let b = subscription.boundaries(parse("2024-02-29T00:00:00Z").unwrap()).unwrap();
    /// assert_eq!(format(b.from_datetime), "2024-01-31T00:00:00Z");
    /// assert_eq!(format(b.to_datetime), "2024-02-28T23:59:59Z");
    /// assert_eq!(b.charges_duration, 29);
    /// ```
    pub fn boundaries(&self, billing_at: Timestamp) -> Result<Boundaries> {
        self.check(billing_at)?;
        let anniversary = self.local_date(self.subscription_at);
        let billing = Billing {
            subscription: self,
            cycle: Cycle::new(self.interval, self.billing_time, anniversary),
            billing_at,
            billing_date: self.local_date(billing_at),
        };
        billing.boundaries().ok_or_else(|| {
            Error::invalid(
                "billing_at",
                "the billing period falls outside the supported years (-9999 to 9999)",
            )
        })
    }

    fn check(&self, billing_at: Timestamp) -> Result<()> {
        if billing_at < self.subscription_at {
            return Err(Error::invalid(
                "billing_at",
                format!(
                    "must not be before subscription_at (got {} < {})",
                    format(billing_at),
                    format(self.subscription_at)
                ),
            ));
        }
        if let Some(terminated_at) = self.terminated_at.filter(|t| *t < self.started_at) {
            return Err(Error::invalid(
                "terminated_at",
                format!(
                    "must not be before started_at (got {} < {})",
                    format(terminated_at),
                    format(self.started_at)
                ),
            ));
        }
        if self.bill_charges_monthly
            && !matches!(self.interval, Interval::Yearly | Interval::Semiannual)
        {
            return Err(Error::invalid(
                "bill_charges_monthly",
                "applies only to yearly and semiannual plans",
            ));
        }
        Ok(())
    }

    fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned_datetime(self.time_zone.clone()).date()
    }

    /// The instant `date` begins in the customer's time zone (the first instant after a gap when
    /// clocks skip midnight).
    fn start_of(&self, date: Date) -> Option<Timestamp> {
        Some(
            date.to_zoned_datetime(self.time_zone.clone())
                .ok()?
                .timestamp(),
        )
    }

    /// The last whole second of `date` in the customer's time zone.
    fn end_of(&self, date: Date) -> Option<Timestamp> {
        let next_day = self.start_of(date.tomorrow().ok()?)?;
        next_day.checked_sub(SignedDuration::from_secs(1)).ok()
    }
}

/// One billing of a subscription: Lago's `DatesService` for a billing instant.
#[derive(Clone, Copy)]
struct Billing<'a> {
    subscription: &'a Subscription,
    cycle: Cycle,
    billing_at: Timestamp,
    billing_date: Date,
}

impl Billing<'_> {
    fn boundaries(&self) -> Option<Boundaries> {
        let s = self.subscription;
        let from_date = self.fee_from_date()?;
        let charges = self.charges_billing();
        let charges_from_date = charges.charges_from_date()?;
        let charges_to_date = charges.cycle.end(charges_from_date)?;

        // A first period cut by the start begins on the start's local day, not at its instant.
        let mut from_datetime = s.start_of(from_date)?;
        if from_datetime < s.started_at {
            from_datetime = s.start_of(s.local_date(s.started_at))?;
        }

        let mut to_datetime = s.end_of(self.cycle.end(from_date)?)?;
        if let Some(terminated_at) = self.terminated_at_billing() {
            to_datetime = to_datetime.min(rounded(terminated_at));
        }
        to_datetime = to_datetime.max(s.started_at);

        let charges_from_datetime = s.start_of(charges_from_date)?.max(s.started_at);
        let mut charges_to_datetime = s.end_of(charges_to_date)?;
        if let Some(terminated_at) = s.terminated_at {
            charges_to_datetime = charges_to_datetime.min(terminated_at);
        }
        charges_to_datetime = charges_to_datetime.max(s.started_at);

        Some(Boundaries {
            from_datetime,
            to_datetime,
            charges_from_datetime,
            charges_to_datetime,
            charges_duration: charges.cycle.duration(charges_from_date)?,
            period_duration: self.cycle.duration(from_date)?,
            next_end_of_period: s.end_of(self.cycle.end(self.current_start()?)?)?,
            previous_beginning_of_period: s.start_of(self.base_start()?)?,
        })
    }

    /// The termination, when it happened by the billing instant (Lago's `terminated_at?(billing_at)`,
    /// comparing whole seconds).
    fn terminated_at_billing(&self) -> Option<Timestamp> {
        self.subscription
            .terminated_at
            .filter(|t| rounded(*t) <= rounded(self.billing_at))
    }

    /// The first day of the period the subscription fee pays for (Lago's `compute_from_date`): the
    /// period holding the billing date when paid in advance or cut by a termination, else the one
    /// before it.
    fn fee_from_date(&self) -> Option<Date> {
        if self.subscription.pay_in_advance || self.terminated_at_billing().is_some() {
            self.current_start()
        } else {
            self.base_start()
        }
    }

    /// The first day of the period whose usage is billed (Lago's `compute_charges_from_date`): the
    /// current period on termination, else the period before the billing date's.
    fn charges_from_date(&self) -> Option<Date> {
        if self.terminated_at_billing().is_some() {
            self.current_start()
        } else {
            self.base_start()
        }
    }

    /// The first day of the period holding the billing date.
    fn current_start(&self) -> Option<Date> {
        self.cycle.start(self.billing_date)
    }

    /// The first day of the period holding Lago's base date: the period that ends as the billing
    /// date's begins, billed in arrears.
    fn base_start(&self) -> Option<Date> {
        self.cycle.start(self.cycle.base(self.billing_date)?)
    }

    /// The billing that computes the charges: this one, or for `bill_charges_monthly` the same
    /// subscription billed monthly. Lago hands that monthly billing the billing *date*, which it reads
    /// back as midnight UTC when it checks for a termination.
    fn charges_billing(&self) -> Billing<'_> {
        if !self.subscription.bill_charges_monthly {
            return *self;
        }
        let midnight_utc = self
            .billing_date
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp());
        Billing {
            cycle: self.cycle.monthly(),
            billing_at: midnight_utc.unwrap_or(self.billing_at),
            ..*self
        }
    }
}

/// An instant rounded to the nearest whole second, as Lago rounds `terminated_at`.
fn rounded(at: Timestamp) -> Timestamp {
    at.round(Unit::Second).unwrap_or(at)
}
