//! Lago's expression language for billable metrics (`expression` field).

use serde::Serialize;

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::event::Event;

/// A parsed billable-metric expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {}

/// The value an expression evaluates to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ExpressionValue {
    Number(Decimal),
    Text(String),
}

impl Expression {
    /// Parses an expression; errors are reported at `path`.
    pub fn parse(_text: &str, path: &str) -> Result<Self> {
        Err(Error::invalid(path, "expressions are not built yet"))
    }

    /// Evaluates the expression against one event.
    pub fn evaluate(&self, _event: &Event) -> Result<ExpressionValue> {
        Err(Error::invalid(
            "expression",
            "expressions are not built yet",
        ))
    }
}
