//! Reading a charge's `properties` JSON object field by field, with errors at exact paths.
//!
//! Lago stores prices as strings (`"0.5"`); like the rest of Lagom this reader also accepts JSON numbers.
//! Counts (`package_size`, `free_units`, `free_units_per_events`) must be JSON integers, as Lago's
//! validators require. Keys nobody asks for (`grouped_by`, `pricing_group_keys`, …) are ignored, as Lago
//! ignores them when pricing. Every model's parser is built on [`Fields`]; nothing here prices anything.

use serde_json::{Map, Value};

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result, join_path};

/// A JSON object being read, and the path that leads to it (`properties.graduated_ranges[1]`).
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    /// Starts reading `value`, which must be a JSON object, found at `path`.
    pub(crate) fn object(value: &'a Value, path: String) -> Result<Self> {
        match value {
            Value::Object(map) => Ok(Fields { map, path }),
            other => Err(Error::invalid(
                path,
                format!("must be a JSON object (got {})", describe(other)),
            )),
        }
    }

    /// The path of one of this object's fields.
    pub(crate) fn path(&self, key: &str) -> String {
        join_path(&self.path, key)
    }

    /// The field's value, when present and not `null`.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required amount: a decimal ≥ 0 (Lago's `valid_amount?`).
    pub(crate) fn amount(&self, key: &str) -> Result<Decimal> {
        self.optional_amount(key)?
            .ok_or_else(|| Error::invalid(self.path(key), "is required"))
    }

    /// An optional amount: absent or `null` is `None`, otherwise a decimal ≥ 0.
    pub(crate) fn optional_amount(&self, key: &str) -> Result<Option<Decimal>> {
        let Some(value) = self.optional_decimal(key)? else {
            return Ok(None);
        };
        if value < Decimal::ZERO {
            return Err(Error::invalid(
                self.path(key),
                format!("must not be negative (got {})", decimal::to_text(value)),
            ));
        }
        Ok(Some(value))
    }

    /// An optional decimal of any sign.
    pub(crate) fn optional_decimal(&self, key: &str) -> Result<Option<Decimal>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        decimal::from_json(value).map(Some).ok_or_else(|| {
            Error::invalid(
                self.path(key),
                format!(
                    "must be a decimal such as \"12.5\" (got {})",
                    describe(value)
                ),
            )
        })
    }

    /// A required JSON integer ≥ `min`.
    pub(crate) fn integer(&self, key: &str, min: u64) -> Result<u64> {
        self.optional_integer(key, min)?
            .ok_or_else(|| Error::invalid(self.path(key), "is required"))
    }

    /// An optional JSON integer ≥ `min`: absent or `null` is `None`.
    pub(crate) fn optional_integer(&self, key: &str, min: u64) -> Result<Option<u64>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.as_u64() {
            Some(n) if n >= min => Ok(Some(n)),
            _ => Err(Error::invalid(
                self.path(key),
                format!("must be an integer ≥ {min} (got {})", describe(value)),
            )),
        }
    }

    /// A required, non-empty array of objects, each handed out with its own path (`key[i]`).
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<Fields<'a>>> {
        let path = self.path(key);
        let items = match self.get(key) {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) | None => {
                return Err(Error::invalid(path, "must hold at least one range"));
            }
            Some(other) => {
                return Err(Error::invalid(
                    path,
                    format!("must be an array (got {})", describe(other)),
                ));
            }
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Fields::object(item, join_path(&path, &format!("[{i}]"))))
            .collect()
    }
}

/// A short description of a JSON value for error messages: `"abc"`, `true`, `an array`.
fn describe(value: &Value) -> String {
    match value {
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => other.to_string(),
    }
}
