//! The calendar arithmetic of billing periods, on customer-local dates.
//!
//! A [`Cycle`] knows, for one plan interval and billing time, where the period holding a date begins
//! and ends, how long it is, and which date Lago looks back to when it bills a past period. It works
//! on civil dates only: turning them into instants in the customer's time zone, and clamping to the
//! subscription's start and termination, is [`super::Subscription`]'s job.
//!
//! Lago writes one service per interval; their rules reduce to two shapes. Weekly periods are seven
//! days from a Monday (calendar) or from the weekday of the subscription (anniversary). Monthly,
//! quarterly, semiannual and yearly periods are runs of 1, 3, 6 or 12 months, starting on the first
//! of a month aligned on January (calendar) or on the subscription's day of month in every n-th month
//! from the subscription's month (anniversary). An anniversary day that a month lacks (the 29th to
//! 31st) falls on that month's last day, and the period before it ends the day before.

use jiff::civil::{Date, Weekday};

use super::{BillingTime, Interval};

/// The period rules of one subscription: its interval, billing time and anniversary date (the
/// customer-local date of `subscription_at`).
///
/// ```
/// use jiff::civil::date;
/// use lagom_core::period::{BillingTime, Cycle, Interval};
/// // Anniversary on Jan 31: the period holding Mar 10 2024 runs Feb 29 (the last day of February,
/// // standing in for the 31st) to Mar 30 (the day before the next anniversary, Mar 31).
/// let cycle = Cycle::new(Interval::Monthly, BillingTime::Anniversary, date(2024, 1, 31));
/// let start = cycle.start(date(2024, 3, 10)).unwrap();
/// assert_eq!(start, date(2024, 2, 29));
/// assert_eq!(cycle.end(start), Some(date(2024, 3, 30)));
/// assert_eq!(cycle.duration(date(2024, 3, 10)), Some(31));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    interval: Interval,
    billing_time: BillingTime,
    anniversary: Date,
}

impl Cycle {
    /// The rules for `interval` and `billing_time`, anchored on the customer-local date the
    /// subscription was set to start (`subscription_at`).
    pub fn new(interval: Interval, billing_time: BillingTime, anniversary: Date) -> Self {
        Cycle {
            interval,
            billing_time,
            anniversary,
        }
    }

    /// The same subscription billed monthly: how Lago bills the charges of a yearly or semiannual
    /// plan with `bill_charges_monthly`.
    pub(super) fn monthly(self) -> Self {
        Cycle {
            interval: Interval::Monthly,
            ..self
        }
    }

    /// The first day of the period holding `date` (Lago's `compute_previous_beginning_of_period`).
    /// `None` only beyond the years jiff supports.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use lagom_core::period::{BillingTime, Cycle, Interval};
    /// let calendar = Cycle::new(Interval::Semiannual, BillingTime::Calendar, date(2023, 3, 5));
    /// assert_eq!(calendar.start(date(2024, 9, 14)), Some(date(2024, 7, 1)));
    /// let anniversary = Cycle::new(Interval::Quarterly, BillingTime::Anniversary, date(2023, 3, 5));
    /// assert_eq!(anniversary.start(date(2024, 3, 4)), Some(date(2023, 12, 5)));
    /// ```
    pub fn start(self, date: Date) -> Option<Date> {
        match (self.months(), self.billing_time) {
            (None, BillingTime::Calendar) => {
                add_days(date, -i64::from(date.weekday().to_monday_zero_offset()))
            }
            (None, BillingTime::Anniversary) => add_days(
                date,
                -i64::from(days_since_weekday(
                    date.weekday(),
                    self.anniversary.weekday(),
                )),
            ),
            (Some(n), BillingTime::Calendar) => {
                let first_month = (i32::from(date.month()) - 1) / n * n + 1;
                Date::new(date.year(), i8::try_from(first_month).ok()?, 1).ok()
            }
            (Some(n), BillingTime::Anniversary) => {
                let month = month_index(date);
                let offset = (month - month_index(self.anniversary)).rem_euclid(n);
                let on_or_after_anniversary =
                    date.day() >= self.anniversary.day().min(date.days_in_month());
                let back = match offset {
                    0 if on_or_after_anniversary => 0,
                    0 => n,
                    _ => offset,
                };
                self.anniversary_in(month - back)
            }
        }
    }

    /// The last day of the period that begins on `start` (Lago's `compute_to_date`).
    ///
    /// ```
    /// use jiff::civil::date;
    /// use lagom_core::period::{BillingTime, Cycle, Interval};
    /// // Anniversary on Feb 29 2024: in 2025 it falls on Feb 28, so the 2024 period ends Feb 27 2025.
    /// let cycle = Cycle::new(Interval::Yearly, BillingTime::Anniversary, date(2024, 2, 29));
    /// assert_eq!(cycle.end(date(2024, 2, 29)), Some(date(2025, 2, 27)));
    /// ```
    pub fn end(self, start: Date) -> Option<Date> {
        match (self.months(), self.billing_time) {
            (None, _) => add_days(start, 6),
            (Some(n), BillingTime::Calendar) => {
                Some(first_of(month_index(start) + n - 1)?.last_of_month())
            }
            (Some(n), BillingTime::Anniversary) => {
                add_days(self.anniversary_in(month_index(start) + n)?, -1)
            }
        }
    }

    /// The number of days of the period holding `date` (Lago's `compute_duration`). A week is always
    /// seven days, as Lago counts it even for a calendar week cut short by the subscription's start.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use lagom_core::period::{BillingTime, Cycle, Interval};
    /// let cycle = Cycle::new(Interval::Yearly, BillingTime::Calendar, date(2019, 2, 28));
    /// assert_eq!(cycle.duration(date(2020, 6, 1)), Some(366));
    /// ```
    pub fn duration(self, date: Date) -> Option<i64> {
        if self.months().is_none() {
            return Some(7);
        }
        let start = self.start(date)?;
        let end = self.end(start)?;
        Some(days_between(start, end) + 1)
    }

    /// The date Lago looks back to when it bills the period that just ended on `billing_date` (Lago's
    /// `compute_base_date`): one interval earlier, the day of month kept where the month has it.
    ///
    /// When billing falls on the last day of a month shorter than the anniversary day (Feb 29 for an
    /// anniversary on the 31st), Lago takes the anniversary day of the earlier month instead, so the
    /// period looked at is the one that opened on that shortened anniversary.
    ///
    /// ```
    /// use jiff::civil::date;
    /// use lagom_core::period::{BillingTime, Cycle, Interval};
    /// let cycle = Cycle::new(Interval::Monthly, BillingTime::Anniversary, date(2024, 1, 31));
    /// assert_eq!(cycle.base(date(2024, 4, 30)), Some(date(2024, 3, 31)));
    /// assert_eq!(cycle.base(date(2024, 3, 31)), Some(date(2024, 2, 29)));
    /// ```
    pub fn base(self, billing_date: Date) -> Option<Date> {
        let Some(n) = self.months() else {
            return add_days(billing_date, -7);
        };
        let shortened_anniversary = self.billing_time == BillingTime::Anniversary
            && billing_date == billing_date.last_of_month()
            && billing_date.day() < self.anniversary.day();
        let day = if shortened_anniversary {
            self.anniversary.day()
        } else {
            billing_date.day()
        };
        clamped(month_index(billing_date) - n, day)
    }

    /// The length of a period in months; `None` for weeks.
    fn months(self) -> Option<i32> {
        match self.interval {
            Interval::Weekly => None,
            Interval::Monthly => Some(1),
            Interval::Quarterly => Some(3),
            Interval::Semiannual => Some(6),
            Interval::Yearly => Some(12),
        }
    }

    /// The anniversary day in the month `month` (an index from [`month_index`]): the subscription's
    /// day of month, or the month's last day when it is shorter.
    fn anniversary_in(self, month: i32) -> Option<Date> {
        clamped(month, self.anniversary.day())
    }
}

/// Days from the last `anchor` weekday on or before a day falling on `weekday`, to that day (0 to 6).
fn days_since_weekday(weekday: Weekday, anchor: Weekday) -> i8 {
    (weekday.to_monday_zero_offset() - anchor.to_monday_zero_offset()).rem_euclid(7)
}

/// Counts months from year 0: `year * 12 + month - 1`.
fn month_index(date: Date) -> i32 {
    i32::from(date.year()) * 12 + i32::from(date.month()) - 1
}

/// The first day of the month `index` (see [`month_index`]).
fn first_of(index: i32) -> Option<Date> {
    let year = i16::try_from(index.div_euclid(12)).ok()?;
    let month = i8::try_from(index.rem_euclid(12) + 1).ok()?;
    Date::new(year, month, 1).ok()
}

/// Day `day` of the month `index`, or that month's last day when it is shorter (Lago's `build_date`).
fn clamped(index: i32, day: i8) -> Option<Date> {
    let first = first_of(index)?;
    Date::new(first.year(), first.month(), day.min(first.days_in_month())).ok()
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(jiff::Span::new().days(days)).ok()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub(super) fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_secs() / 86_400
}
