//! The one error type of the core: every failure names where it happened and why.
//!
//! Validation failures carry the JSON path of the offending field (`properties.graduated_ranges[1].to_value`)
//! so that a CLI, a browser form or an HTTP client can point at it. Arithmetic failures (overflow,
//! division by zero) are errors too: the core never panics on user data.

use thiserror::Error;

/// A failure of the billing core.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// An input value is missing, malformed or out of range.
    #[error("{}: {reason}", display_path(path))]
    Invalid { path: String, reason: String },

    /// An enum-like field holds a value Lago does not know. The message reads as serde's does
    /// (`unknown variant `tiered`, expected one of `standard`, …`), whether the core or serde found it.
    #[error(
        "{}: unknown {kind} `{value}`, {}",
        display_path(path),
        expected_text(expected)
    )]
    UnknownVariant {
        path: String,
        kind: &'static str,
        value: String,
        expected: Vec<String>,
    },

    /// A computation went beyond what a 96-bit decimal can hold.
    #[error("{what}: arithmetic overflow")]
    Overflow { what: String },

    /// A computation divided by zero.
    #[error("{what}: division by zero")]
    DivisionByZero { what: String },

    /// A custom pricing extension (plugin or JS callback) failed.
    #[error("{}: custom pricing failed: {reason}", display_path(path))]
    Custom { path: String, reason: String },
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds an [`Error::Invalid`] for the field at `path`.
    ///
    /// ```
    /// let err = lagom_core::Error::invalid("properties.amount", "must not be negative");
    /// assert_eq!(err.to_string(), "properties.amount: must not be negative");
    /// ```
    pub fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Builds an [`Error::UnknownVariant`] for `value` at `path`, one of `expected` being allowed.
    ///
    /// ```
    /// let err = lagom_core::Error::unknown_variant("interval", "interval", "daily", &["weekly", "monthly"]);
    /// assert_eq!(err.to_string(), "interval: unknown interval `daily`, expected `weekly` or `monthly`");
    /// ```
    pub fn unknown_variant(
        path: impl Into<String>,
        kind: &'static str,
        value: impl Into<String>,
        expected: &[&str],
    ) -> Self {
        Error::UnknownVariant {
            path: path.into(),
            kind,
            value: value.into(),
            expected: expected.iter().map(|&name| name.to_owned()).collect(),
        }
    }

    /// Turns the message of a serde failure at `path` into an error: serde's `unknown variant`
    /// becomes an [`Error::UnknownVariant`] (so callers can tell it apart), anything else an
    /// [`Error::Invalid`] with serde's reason.
    ///
    /// ```
    /// use lagom_core::Error;
    /// let err = Error::from_serde("charge_model", "unknown variant `tiered`, expected `standard` or `package`");
    /// assert_eq!(err.code(), "unknown_variant");
    /// assert_eq!(err.to_string(), "charge_model: unknown variant `tiered`, expected `standard` or `package`");
    /// assert_eq!(Error::from_serde("units", "invalid type: map, expected a decimal").code(), "invalid");
    /// ```
    pub fn from_serde(path: impl Into<String>, reason: &str) -> Self {
        let parsed = reason
            .strip_prefix("unknown variant `")
            .and_then(|rest| rest.split_once("`, "));
        match parsed {
            Some((value, expected)) => Error::UnknownVariant {
                path: path.into(),
                kind: "variant",
                value: value.to_owned(),
                expected: expected
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect(),
            },
            None => Error::invalid(path, reason),
        }
    }

    /// A stable, machine-readable name for the kind of failure: `invalid`, `unknown_variant`,
    /// `overflow`, `division_by_zero` or `custom`.
    ///
    /// ```
    /// assert_eq!(lagom_core::Error::invalid("units", "must be a decimal").code(), "invalid");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid",
            Error::UnknownVariant { .. } => "unknown_variant",
            Error::Overflow { .. } => "overflow",
            Error::DivisionByZero { .. } => "division_by_zero",
            Error::Custom { .. } => "custom",
        }
    }

    /// The JSON path the error points at, when it points at an input field.
    ///
    /// ```
    /// let err = lagom_core::Error::invalid("units", "must be a decimal");
    /// assert_eq!(err.path(), Some("units"));
    /// ```
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Invalid { path, .. }
            | Error::UnknownVariant { path, .. }
            | Error::Custom { path, .. } => Some(path),
            Error::Overflow { .. } | Error::DivisionByZero { .. } => None,
        }
    }

    /// Prefixes the error's path with `parent` (`properties` + `amount` → `properties.amount`).
    ///
    /// ```
    /// let err = lagom_core::Error::invalid("amount", "must be a decimal").within("properties");
    /// assert_eq!(err.path(), Some("properties.amount"));
    /// ```
    pub fn within(self, parent: &str) -> Self {
        let join = |path: String| join_path(parent, &path);
        match self {
            Error::Invalid { path, reason } => Error::Invalid {
                path: join(path),
                reason,
            },
            Error::UnknownVariant {
                path,
                kind,
                value,
                expected,
            } => Error::UnknownVariant {
                path: join(path),
                kind,
                value,
                expected,
            },
            Error::Custom { path, reason } => Error::Custom {
                path: join(path),
                reason,
            },
            other => other,
        }
    }
}

/// Joins two JSON path segments: `a` + `b` → `a.b`, `a` + `[1]` → `a[1]`, `` + `b` → `b`.
///
/// ```
/// use lagom_core::error::join_path;
/// assert_eq!(join_path("charges", "[2]"), "charges[2]");
/// assert_eq!(join_path("charges[2]", "properties"), "charges[2].properties");
/// assert_eq!(join_path("", "units"), "units");
/// ```
pub fn join_path(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else if child.is_empty() {
        parent.to_owned()
    } else if child.starts_with('[') {
        format!("{parent}{child}")
    } else {
        format!("{parent}.{child}")
    }
}

/// The allowed values as serde lists them: `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``.
fn expected_text(expected: &[String]) -> String {
    let quoted: Vec<String> = expected.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [] => "there are no variants".to_owned(),
        [only] => format!("expected {only}"),
        [a, b] => format!("expected {a} or {b}"),
        all => format!("expected one of {}", all.join(", ")),
    }
}

/// The root of a document has the empty path; messages call it `(input)`.
fn display_path(path: &str) -> &str {
    if path.is_empty() { "(input)" } else { path }
}
