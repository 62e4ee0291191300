//! Lago's expression language for billable metrics (a metric's `expression` field).
//!
//! When a billable metric has an expression, Lago evaluates it on every event it ingests and stores
//! the result in the event's `field_name` property, which the aggregation then reads. The language is
//! the one of Lago's `lago-expression` crate:
//!
//! - numbers written with digits and an optional fraction (`12`, `0.5`; no exponent, no leading point)
//!   and texts in single quotes (`'_'`; no escapes, so a text cannot contain `'`);
//! - `+ - * /` with the usual precedence, left to right, parentheses, and one unary minus before an
//!   operand (`2 * -3`, `-(-1)`; but not `--1`);
//! - variables `event.code` (a text), `event.timestamp` (Unix seconds) and `event.properties.NAME`,
//!   `NAME` being a letter then letters, digits or `_`; a property holding a text that reads as a
//!   number is a number;
//! - functions, spelled `ROUND`, `round` or `Round`: `ROUND`, `CEIL`, `FLOOR` (a value and an optional
//!   precision, possibly negative), `CONCAT`, `LEAST`, `GREATEST` (one argument or more);
//! - plain spaces between tokens (a tab or a line break is a syntax error, as in Lago).
//!
//! This module parses (errors give the column and the token, nesting is limited so that hostile input
//! cannot exhaust the stack) and evaluates against an [`Event`]. It does not aggregate the results.

mod evaluate;
mod lexer;
mod number;
mod parser;

use std::fmt::{self, Display};

use serde::Serialize;

use crate::decimal::Decimal;
use crate::error::Result;
use crate::event::Event;
use number::Rounding;

/// A parsed billable-metric expression.
///
/// ```
/// use lagom_core::metric::expression::Expression;
/// let expression = Expression::parse("round( event.properties.gb*1.5 )", "expression").unwrap();
/// // Printing gives the canonical spelling, which parses back to the same expression.
/// assert_eq!(expression.to_string(), "ROUND(event.properties.gb * 1.5)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    root: Node,
}

/// The value an expression evaluates to.
///
/// Its [`Display`](fmt::Display) is the text Lago gives the value, which is also how `CONCAT` shows
/// a number: with the decimals it carries (`1.50`) and in exponent form when tiny (`1E-7`).
///
/// ```
/// use lagom_core::decimal::Decimal;
/// use lagom_core::metric::expression::ExpressionValue;
/// assert_eq!(ExpressionValue::Number(Decimal::new(150, 2)).to_string(), "1.50");
/// assert_eq!(ExpressionValue::Number(Decimal::new(1, 7)).to_string(), "1E-7");
/// assert_eq!(ExpressionValue::Text("eu".into()).as_number(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ExpressionValue {
    Number(Decimal),
    Text(String),
}

impl ExpressionValue {
    /// The number, when the value is one.
    pub fn as_number(&self) -> Option<Decimal> {
        match self {
            ExpressionValue::Number(number) => Some(*number),
            ExpressionValue::Text(_) => None,
        }
    }
}

impl Display for ExpressionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpressionValue::Number(number) => f.write_str(&number::lago_text(*number)),
            ExpressionValue::Text(text) => f.write_str(text),
        }
    }
}

impl Expression {
    /// Parses an expression; a syntax error is reported at `path` with the column and the token.
    ///
    /// ```
    /// use lagom_core::metric::expression::Expression;
    /// assert!(Expression::parse("CEIL((event.properties.ended_at - event.timestamp) / 3600)", "x").is_ok());
    /// let err = Expression::parse("1 + * 2", "billable_metric.expression").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "billable_metric.expression: syntax error at column 5: expected a number, a 'text', \
    ///      a variable, a function or `(`, found `*`"
    /// );
    /// ```
    pub fn parse(text: &str, path: &str) -> Result<Self> {
        Ok(Expression {
            root: parser::parse(text, path)?,
        })
    }

    /// Evaluates the expression against one event.
    ///
    /// Errors are relative to the event, so that a caller can place them with
    /// [`Error::within`](crate::Error::within) (`events[3]`): a missing or non-numeric property
    /// is reported at `properties.NAME`, `event.code` used as a number at `code`, anything else
    /// (a text literal used as a number, a precision out of range) at the event itself; a division by
    /// zero or an overflow names the operation. Lago rejects such an event at ingestion.
    ///
    /// ```
    /// use lagom_core::decimal::Decimal;
    /// use lagom_core::event::Event;
    /// use lagom_core::metric::expression::{Expression, ExpressionValue};
    /// let event: Event = serde_json::from_value(serde_json::json!({
    ///     "transaction_id": "tx_1", "code": "compute", "timestamp": 1704067200,
    ///     "properties": {"cpus": "4", "hours": 2.5, "region": "eu"}
    /// })).unwrap();
    /// let total = Expression::parse("event.properties.cpus * event.properties.hours", "e").unwrap();
    /// assert_eq!(total.evaluate(&event).unwrap(), ExpressionValue::Number(Decimal::from(10)));
    /// let key = Expression::parse("CONCAT(event.properties.region, '-', event.properties.cpus)", "e").unwrap();
    /// assert_eq!(key.evaluate(&event).unwrap(), ExpressionValue::Text("eu-4".into()));
    /// let err = Expression::parse("event.properties.gpus + 1", "e").unwrap().evaluate(&event).unwrap_err();
    /// assert_eq!(err.within("events[0]").to_string(), "events[0].properties.gpus: is missing, and the expression reads it");
    /// ```
    pub fn evaluate(&self, event: &Event) -> Result<ExpressionValue> {
        self.root.evaluate(event)
    }
}

impl Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.fmt(f)
    }
}

/// A node of the syntax tree.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Number(Decimal),
    Text(String),
    Variable(Variable),
    Negate(Box<Node>),
    /// Operands joined by operators of one precedence, evaluated left to right; `rest` is not empty.
    Chain {
        first: Box<Node>,
        rest: Vec<(Operator, Node)>,
    },
    /// `ROUND`, `CEIL` or `FLOOR`.
    Round {
        rounding: Rounding,
        value: Box<Node>,
        precision: Option<Box<Node>>,
    },
    /// `CONCAT`, `LEAST` or `GREATEST`, which take one argument or more.
    List {
        function: ListFunction,
        first: Box<Node>,
        rest: Vec<Node>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Variable {
    Code,
    Timestamp,
    Property(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Add,
    Subtract,
    Multiply,
    Divide,
}

/// How tightly an operator binds: products before sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Sum,
    Product,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListFunction {
    Concat,
    Least,
    Greatest,
}

impl Operator {
    fn precedence(self) -> Precedence {
        match self {
            Operator::Add | Operator::Subtract => Precedence::Sum,
            Operator::Multiply | Operator::Divide => Precedence::Product,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Operator::Add => "+",
            Operator::Subtract => "-",
            Operator::Multiply => "*",
            Operator::Divide => "/",
        }
    }
}

impl ListFunction {
    fn name(self) -> &'static str {
        match self {
            ListFunction::Concat => "CONCAT",
            ListFunction::Least => "LEAST",
            ListFunction::Greatest => "GREATEST",
        }
    }
}

impl Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variable::Code => f.write_str("event.code"),
            Variable::Timestamp => f.write_str("event.timestamp"),
            Variable::Property(name) => write!(f, "event.properties.{name}"),
        }
    }
}

impl Node {
    /// The precedence of the chain this node is, if it is one.
    fn chain_precedence(&self) -> Option<Precedence> {
        match self {
            Node::Chain { rest, .. } => rest.first().map(|(operator, _)| operator.precedence()),
            _ => None,
        }
    }

    /// Writes the node as an operand of a chain of `precedence`, in parentheses when it would
    /// otherwise bind differently.
    fn fmt_operand(
        &self,
        f: &mut fmt::Formatter<'_>,
        precedence: Option<Precedence>,
    ) -> fmt::Result {
        match (self.chain_precedence(), precedence) {
            (Some(inner), Some(outer)) if inner > outer => self.fmt(f),
            (Some(_), _) => write!(f, "({self})"),
            (None, _) => self.fmt(f),
        }
    }
}

impl Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Number(number) => write!(f, "{number}"),
            Node::Text(text) => write!(f, "'{text}'"),
            Node::Variable(variable) => variable.fmt(f),
            // `--1` does not parse: a negated negation needs parentheses.
            Node::Negate(operand) if matches!(**operand, Node::Negate(_)) => {
                write!(f, "-({operand})")
            }
            Node::Negate(operand) => {
                f.write_str("-")?;
                operand.fmt_operand(f, None)
            }
            Node::Chain { first, rest } => {
                let precedence = self.chain_precedence();
                first.fmt_operand(f, precedence)?;
                for (operator, operand) in rest {
                    write!(f, " {} ", operator.symbol())?;
                    operand.fmt_operand(f, precedence)?;
                }
                Ok(())
            }
            Node::Round {
                rounding,
                value,
                precision,
            } => match precision {
                Some(precision) => write!(f, "{}({value}, {precision})", rounding.name()),
                None => write!(f, "{}({value})", rounding.name()),
            },
            Node::List {
                function,
                first,
                rest,
            } => {
                write!(f, "{}({first}", function.name())?;
                for argument in rest {
                    write!(f, ", {argument}")?;
                }
                f.write_str(")")
            }
        }
    }
}
