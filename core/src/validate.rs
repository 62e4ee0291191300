//! Small checks shared by the API types' `validate` methods, each failing at a JSON path with Lago's
//! reason, and the serde defaults those types share.

use crate::error::{Error, Result};

/// Fails when a required text field (a code, a name) is empty, as Lago's presence checks do.
pub(crate) fn require_text(value: &str, path: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid(path, "must not be blank"))
    } else {
        Ok(())
    }
}

/// Fails unless `value > 0`.
pub(crate) fn require_positive<T: PartialOrd + Default + std::fmt::Display>(
    value: T,
    path: &str,
) -> Result<()> {
    if value > T::default() {
        Ok(())
    } else {
        Err(Error::invalid(
            path,
            format!("must be greater than 0 (got {value})"),
        ))
    }
}

/// Fails when `value < 0`.
pub(crate) fn require_not_negative<T: PartialOrd + Default + std::fmt::Display>(
    value: T,
    path: &str,
) -> Result<()> {
    if value < T::default() {
        Err(Error::invalid(
            path,
            format!("must not be negative (got {value})"),
        ))
    } else {
        Ok(())
    }
}

/// Runs `check` on an optional value when it is present; an absent value passes.
pub(crate) fn when_present<T>(value: Option<T>, check: impl FnOnce(T) -> Result<()>) -> Result<()> {
    value.map_or(Ok(()), check)
}

/// Fails when an optional field Lago requires in this case is absent.
pub(crate) fn require<'a, T>(value: &'a Option<T>, path: &str, why: &str) -> Result<&'a T> {
    value
        .as_ref()
        .ok_or_else(|| Error::invalid(path, format!("is required {why}")))
}

/// Runs `check` on each item, prefixing its errors with `list[i]`.
pub(crate) fn each<T>(items: &[T], list: &str, check: impl Fn(&T) -> Result<()>) -> Result<()> {
    items
        .iter()
        .enumerate()
        .try_for_each(|(i, item)| check(item).map_err(|e| e.within(&format!("{list}[{i}]"))))
}

/// Serde default for the flags Lago turns on when a payload leaves them out (`invoiceable`, `reusable`).
pub(crate) fn yes() -> bool {
    true
}
