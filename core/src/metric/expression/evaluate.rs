//! Evaluates a syntax tree against one event, with lago-expression's semantics.
//!
//! Operators, `ROUND`/`CEIL`/`FLOOR` and `LEAST`/`GREATEST` need numbers: a text that does not read
//! as a number is an error, as in Lago. `CONCAT` turns every argument into its text. A property
//! missing from the event is an error (Lago answers `Variable: NAME not found`); a property that is
//! present but null is the empty text, as Ruby's `nil.to_s`.

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::number::{self, TextNumber};
use super::{ExpressionValue, ListFunction, Node, Operator, Variable};
use crate::decimal;
use crate::error::{Error, Result};
use crate::event::Event;

impl Node {
    pub(super) fn evaluate(&self, event: &Event) -> Result<ExpressionValue> {
        match self {
            Node::Number(value) => Ok(ExpressionValue::Number(*value)),
            Node::Text(text) => Ok(ExpressionValue::Text(text.clone())),
            Node::Variable(variable) => variable.evaluate(event),
            Node::Negate(operand) => {
                let value = operand.number(event)?;
                // bigdecimal has no negative zero; `-0` would print as such here.
                Ok(ExpressionValue::Number(if value.is_zero() {
                    value.abs()
                } else {
                    -value
                }))
            }
            Node::Chain { first, rest } => {
                let mut total = first.number(event)?;
                for (operator, operand) in rest {
                    let value = operand.number(event)?;
                    total = operator
                        .apply(total, value)
                        .map_err(|err| self.name_operation(err))?;
                }
                Ok(ExpressionValue::Number(total))
            }
            Node::Round {
                rounding,
                value,
                precision,
            } => {
                let value = value.number(event)?;
                let precision = match precision {
                    Some(precision) => precision.precision(event)?,
                    None => 0,
                };
                number::round(value, precision, *rounding)
                    .map(ExpressionValue::Number)
                    .ok_or_else(|| Error::Overflow {
                        what: format!("expression `{self}`"),
                    })
            }
            Node::List {
                function: ListFunction::Concat,
                first,
                rest,
            } => {
                let mut text = first.evaluate(event)?.to_string();
                for argument in rest {
                    text.push_str(&argument.evaluate(event)?.to_string());
                }
                Ok(ExpressionValue::Text(text))
            }
            // Ties keep the first least and the last greatest, as Rust's `min` and `max` do in
            // lago-expression; they differ only in the decimals shown (`2` or `2.0`).
            Node::List {
                function: ListFunction::Least,
                first,
                rest,
            } => extreme(first, rest, event, |value, best| value < best),
            Node::List {
                function: ListFunction::Greatest,
                first,
                rest,
            } => extreme(first, rest, event, |value, best| value >= best),
        }
    }

    /// Evaluates the node where a number is needed.
    fn number(&self, event: &Event) -> Result<Decimal> {
        match self.evaluate(event)? {
            ExpressionValue::Number(value) => Ok(value),
            ExpressionValue::Text(text) => Err(self.not_a_number(&text)),
        }
    }

    /// The precision of a rounding: its integer part (bigdecimal truncates it), as an `i64`.
    fn precision(&self, event: &Event) -> Result<i64> {
        let value = self.number(event)?;
        i64::try_from(value.trunc()).map_err(|_| {
            Error::invalid(
                "",
                format!("a precision must fit in a 64-bit integer, got {value}"),
            )
        })
    }

    /// The error for a text where a number is needed, at the property it came from if it did.
    fn not_a_number(&self, text: &str) -> Error {
        let path = match self {
            Node::Variable(variable) => variable.path(),
            _ => String::new(),
        };
        let reason = match number::read_text(text) {
            TextNumber::OutOfRange => {
                format!(
                    "`{text}` needs more than 28 decimal places or 96 bits, but `{self}` is used as a number"
                )
            }
            TextNumber::Exact(_) | TextNumber::NotANumber => {
                format!("`{self}` must be a number, got the text `{text}`")
            }
        };
        Error::invalid(path, reason)
    }

    /// Names the failing chain in an overflow or division-by-zero error.
    fn name_operation(&self, err: Error) -> Error {
        let what = format!("expression `{self}`");
        match err {
            Error::Overflow { .. } => Error::Overflow { what },
            Error::DivisionByZero { .. } => Error::DivisionByZero { what },
            other => other,
        }
    }
}

impl Operator {
    fn apply(self, a: Decimal, b: Decimal) -> Result<Decimal> {
        let what = self.symbol();
        match self {
            Operator::Add => decimal::add(a, b, what),
            Operator::Subtract => decimal::sub(a, b, what),
            Operator::Multiply => decimal::mul(a, b, what),
            Operator::Divide => number::quotient(a, b, what),
        }
    }
}

impl Variable {
    fn evaluate(&self, event: &Event) -> Result<ExpressionValue> {
        match self {
            Variable::Code => Ok(ExpressionValue::Text(event.code.clone())),
            Variable::Timestamp => Ok(ExpressionValue::Number(Decimal::from(unix_seconds(
                event.timestamp,
            )))),
            Variable::Property(name) => match event.properties.get(name) {
                Some(value) => Ok(number::from_property(value)),
                None => Err(Error::invalid(
                    self.path(),
                    "is missing, and the expression reads it",
                )),
            },
        }
    }

    /// Where the variable sits in the event's JSON.
    fn path(&self) -> String {
        match self {
            Variable::Code => "code".to_owned(),
            Variable::Timestamp => "timestamp".to_owned(),
            Variable::Property(name) => format!("properties.{name}"),
        }
    }
}

/// The argument that is `better` than all the others before it.
fn extreme(
    first: &Node,
    rest: &[Node],
    event: &Event,
    better: fn(Decimal, Decimal) -> bool,
) -> Result<ExpressionValue> {
    let mut best = first.number(event)?;
    for argument in rest {
        let value = argument.number(event)?;
        if better(value, best) {
            best = value;
        }
    }
    Ok(ExpressionValue::Number(best))
}

/// Whole seconds since the Unix epoch, as Ruby's `Time#to_i` counts them (rounding down, also
/// before 1970).
fn unix_seconds(timestamp: Timestamp) -> i64 {
    let seconds = timestamp.as_second();
    if timestamp.subsec_nanosecond() < 0 {
        seconds - 1
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_at(timestamp: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "transaction_id": "t", "code": "c", "timestamp": timestamp, "properties": {}
        }))
        .unwrap()
    }

    #[test]
    fn timestamps_count_whole_seconds_rounding_down() {
        // 2024-01-01T00:00:00Z is 1704067200; half a second later is still that second.
        assert_eq!(
            unix_seconds(event_at("2024-01-01T00:00:00.5Z").timestamp),
            1_704_067_200
        );
        // Half a second before 1970 is second -1, as Ruby's `Time#to_i` says.
        assert_eq!(
            unix_seconds(event_at("1969-12-31T23:59:59.5Z").timestamp),
            -1
        );
    }
}
