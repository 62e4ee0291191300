//! Turns tokens into a syntax tree, by recursive descent over lago-expression's grammar:
//!
//! ```text
//! sum     = product (("+" | "-") product)*
//! product = operand (("*" | "/") operand)*
//! operand = "-"? primary
//! primary = number | text | variable | function "(" sum ("," sum)* ")" | "(" sum ")"
//! ```
//!
//! Operators of one precedence become one flat [`Node::Chain`], so a long `1 + 1 + … + 1` costs no
//! recursion; parentheses and function calls do, and they may nest [`MAX_DEPTH`] deep.

use super::lexer::{Token, TokenKind, tokenize};
use super::number::{self, Rounding, TextNumber};
use super::{ListFunction, Node, Operator, Precedence, Variable};
use crate::error::{Error, Result};

/// A syntax error at `column` of the expression found at `path`.
fn syntax_error(path: &str, column: usize, reason: &str) -> Error {
    Error::invalid(path, format!("syntax error at column {column}: {reason}"))
}

/// How deep parentheses and function calls may nest. Lago's own parser has no limit (and overflows its
/// stack on deep input); no real metric comes near this.
pub(super) const MAX_DEPTH: usize = 64;

/// Parses `text`; errors are reported at `path`.
pub(super) fn parse(text: &str, path: &str) -> Result<Node> {
    let mut parser = Parser {
        tokens: tokenize(text),
        next: 0,
        depth: 0,
        path,
    };
    let root = parser.sum()?;
    parser.expect(TokenKind::End, "an operator or the end of the expression")?;
    Ok(root)
}

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    /// Index of the next token. The last token ends the text (`End`, or where tokens stop) and is
    /// never consumed.
    next: usize,
    depth: usize,
    path: &'a str,
}

/// A function's name as it may be written.
enum FunctionName {
    Round(Rounding),
    List(ListFunction),
}

impl FunctionName {
    const ALL: [FunctionName; 6] = [
        FunctionName::Round(Rounding::Round),
        FunctionName::Round(Rounding::Ceil),
        FunctionName::Round(Rounding::Floor),
        FunctionName::List(ListFunction::Concat),
        FunctionName::List(ListFunction::Least),
        FunctionName::List(ListFunction::Greatest),
    ];

    fn name(&self) -> &'static str {
        match self {
            FunctionName::Round(rounding) => rounding.name(),
            FunctionName::List(function) => function.name(),
        }
    }

    /// lago-expression accepts exactly three spellings: `CONCAT`, `concat` and `Concat`.
    fn find(word: &str) -> Option<Self> {
        let spelled = |name: &str| {
            word == name
                || word == name.to_ascii_lowercase()
                || word.split_at_checked(1).is_some_and(|(head, tail)| {
                    head == &name[..1] && tail == name[1..].to_ascii_lowercase()
                })
        };
        FunctionName::ALL
            .into_iter()
            .find(|function| spelled(function.name()))
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        // `next` never moves past the last token, so the fallback is never taken.
        self.tokens.get(self.next).copied().unwrap_or(Token {
            kind: TokenKind::End,
            column: 1,
        })
    }

    fn advance(&mut self) -> Token<'a> {
        let token = self.peek();
        if self.next + 1 < self.tokens.len() {
            self.next += 1;
        }
        token
    }

    /// Consumes `kind`, or fails saying what was `expected` instead of the token found.
    fn expect(&mut self, kind: TokenKind<'_>, expected: &str) -> Result<()> {
        let token = self.peek();
        if token.kind == kind {
            self.advance();
            Ok(())
        } else {
            Err(self.unexpected(token, expected))
        }
    }

    fn unexpected(&self, token: Token<'_>, expected: &str) -> Error {
        syntax_error(
            self.path,
            token.column,
            &format!("expected {expected}, found {}", token.kind.describe()),
        )
    }

    fn sum(&mut self) -> Result<Node> {
        self.chain(Precedence::Sum)
    }

    /// Operands of `precedence` joined by its operators.
    fn chain(&mut self, precedence: Precedence) -> Result<Node> {
        let first = self.chain_operand(precedence)?;
        let mut rest = Vec::new();
        while let Some(operator) = self.operator(precedence) {
            self.advance();
            rest.push((operator, self.chain_operand(precedence)?));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Node::Chain {
                first: Box::new(first),
                rest,
            }
        })
    }

    fn chain_operand(&mut self, precedence: Precedence) -> Result<Node> {
        match precedence {
            Precedence::Sum => self.chain(Precedence::Product),
            Precedence::Product => self.operand(),
        }
    }

    /// The next token as an operator of `precedence`.
    fn operator(&self, precedence: Precedence) -> Option<Operator> {
        let operator = match self.peek().kind {
            TokenKind::Plus => Operator::Add,
            TokenKind::Minus => Operator::Subtract,
            TokenKind::Star => Operator::Multiply,
            TokenKind::Slash => Operator::Divide,
            _ => return None,
        };
        (operator.precedence() == precedence).then_some(operator)
    }

    fn operand(&mut self) -> Result<Node> {
        if self.peek().kind == TokenKind::Minus {
            self.advance();
            Ok(Node::Negate(Box::new(self.primary()?)))
        } else {
            self.primary()
        }
    }

    fn primary(&mut self) -> Result<Node> {
        let token = self.advance();
        match token.kind {
            TokenKind::Number(digits) => match number::read_text(digits) {
                TextNumber::Exact(value) => Ok(Node::Number(value)),
                TextNumber::OutOfRange | TextNumber::NotANumber => Err(syntax_error(
                    self.path,
                    token.column,
                    &format!("the number `{digits}` needs more than 28 decimal places or 96 bits"),
                )),
            },
            TokenKind::Text(text) => Ok(Node::Text(text.to_owned())),
            TokenKind::Word(word) if word.contains('.') => self.variable(word, token.column),
            TokenKind::Word(word) => self.call(word, token.column),
            TokenKind::Open => {
                self.enter(token.column)?;
                let inner = self.sum()?;
                self.expect(TokenKind::Close, "an operator or `)`")?;
                self.depth -= 1;
                Ok(inner)
            }
            _ => Err(self.unexpected(token, "a number, a 'text', a variable, a function or `(`")),
        }
    }

    fn enter(&mut self, column: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let reason = format!("parentheses and functions nest more than {MAX_DEPTH} deep");
            return Err(syntax_error(self.path, column, &reason));
        }
        Ok(())
    }

    fn variable(&self, word: &str, column: usize) -> Result<Node> {
        let variable = match word.strip_prefix("event.") {
            Some("code") => Some(Variable::Code),
            Some("timestamp") => Some(Variable::Timestamp),
            Some(attribute) => attribute
                .strip_prefix("properties.")
                .filter(|name| {
                    name.starts_with(|c: char| c.is_ascii_alphabetic()) && !name.contains('.')
                })
                .map(|name| Variable::Property(name.to_owned())),
            None => None,
        };
        variable.map(Node::Variable).ok_or_else(|| {
            let reason = format!(
                "unknown variable `{word}`: expected event.code, event.timestamp or event.properties.NAME \
                 (NAME: a letter, then letters, digits or `_`)"
            );
            syntax_error(self.path, column, &reason)
        })
    }

    fn call(&mut self, word: &str, column: usize) -> Result<Node> {
        let function = FunctionName::find(word).ok_or_else(|| {
            let reason = format!(
                "unknown function `{word}`: expected ROUND, CEIL, FLOOR, CONCAT, LEAST or GREATEST \
                 (or a variable such as event.properties.NAME)"
            );
            syntax_error(self.path, column, &reason)
        })?;
        let name = function.name();
        self.expect(TokenKind::Open, &format!("`(` after {name}"))?;
        self.enter(column)?;
        let first = Box::new(self.sum()?);
        let mut rest = Vec::new();
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            rest.push(self.sum()?);
        }
        self.expect(TokenKind::Close, "an operator, `,` or `)`")?;
        self.depth -= 1;
        match function {
            FunctionName::List(function) => Ok(Node::List {
                function,
                first,
                rest,
            }),
            FunctionName::Round(rounding) if rest.len() <= 1 => Ok(Node::Round {
                rounding,
                value: first,
                precision: rest.pop().map(Box::new),
            }),
            FunctionName::Round(_) => {
                let reason = format!("{name} takes 1 or 2 arguments, got {}", rest.len() + 1);
                Err(syntax_error(self.path, column, &reason))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and prints with every chain in parentheses, to show how the tree is grouped.
    fn grouped(text: &str) -> String {
        fn show(node: &Node) -> String {
            match node {
                Node::Chain { first, rest } => {
                    let mut out = format!("({}", show(first));
                    for (operator, operand) in rest {
                        out.push_str(&format!(" {} {}", operator.symbol(), show(operand)));
                    }
                    out + ")"
                }
                Node::Negate(operand) => format!("-{}", show(operand)),
                Node::Round {
                    rounding,
                    value,
                    precision,
                } => match precision {
                    Some(precision) => {
                        format!("{}({}, {})", rounding.name(), show(value), show(precision))
                    }
                    None => format!("{}({})", rounding.name(), show(value)),
                },
                Node::List {
                    function,
                    first,
                    rest,
                } => {
                    let arguments: Vec<String> =
                        std::iter::once(&**first).chain(rest).map(show).collect();
                    format!("{}({})", function.name(), arguments.join(", "))
                }
                other => other.to_string(),
            }
        }
        show(&parse(text, "expression").unwrap())
    }

    fn error(text: &str) -> String {
        parse(text, "bm.expression").unwrap_err().to_string()
    }

    #[test]
    fn products_bind_tighter_than_sums() {
        assert_eq!(grouped("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(grouped("1 * 2 + 3"), "((1 * 2) + 3)");
        assert_eq!(grouped("1 - 2 / 3 * 4 + 5"), "(1 - (2 / 3 * 4) + 5)");
    }

    #[test]
    fn operators_of_one_precedence_chain_left_to_right() {
        // One flat chain, evaluated left to right: ((8 - 4) - 2), ((8 / 4) / 2).
        assert_eq!(grouped("8 - 4 - 2"), "(8 - 4 - 2)");
        assert_eq!(grouped("8 / 4 / 2"), "(8 / 4 / 2)");
        assert_eq!(grouped("8 - (4 - 2)"), "(8 - (4 - 2))");
    }

    #[test]
    fn unary_minus_applies_to_one_operand() {
        assert_eq!(grouped("-2 * 3"), "(-2 * 3)");
        assert_eq!(grouped("2 * -3"), "(2 * -3)");
        assert_eq!(grouped("1--1"), "(1 - -1)");
        assert_eq!(grouped("-(-1)"), "--1");
        assert_eq!(grouped("-(1 + 2)"), "-(1 + 2)");
    }

    #[test]
    fn reads_functions_variables_and_texts() {
        assert_eq!(
            grouped("round(event.properties.a, -1)"),
            "ROUND(event.properties.a, -1)"
        );
        assert_eq!(
            grouped("Ceil(event.timestamp / 3600)"),
            "CEIL((event.timestamp / 3600))"
        );
        assert_eq!(
            grouped("CONCAT(event.code, '-', 1.50)"),
            "CONCAT(event.code, '-', 1.50)"
        );
        assert_eq!(
            grouped("GREATEST (1 , LEAST(2, 3))"),
            "GREATEST(1, LEAST(2, 3))"
        );
        assert_eq!(grouped("  ( ( 7 ) )  "), "7");
    }

    #[test]
    fn rejects_what_lago_rejects_with_the_column_and_the_token() {
        let cases = [
            (
                "",
                "column 1: expected a number, a 'text', a variable, a function or `(`, found the end of the expression",
            ),
            (
                "1 +",
                "column 4: expected a number, a 'text', a variable, a function or `(`, found the end of the expression",
            ),
            (
                "--1",
                "column 2: expected a number, a 'text', a variable, a function or `(`, found `-`",
            ),
            (
                "+1",
                "column 1: expected a number, a 'text', a variable, a function or `(`, found `+`",
            ),
            (
                "1 2",
                "column 3: expected an operator or the end of the expression, found `2`",
            ),
            (
                "(1 + 2",
                "column 7: expected an operator or `)`, found the end of the expression",
            ),
            (
                "1.5.3",
                "column 4: expected an operator or the end of the expression, found the character '.'",
            ),
            (
                ".5",
                "column 1: expected a number, a 'text', a variable, a function or `(`, found the character '.'",
            ),
            (
                "1e3",
                "column 2: expected an operator or the end of the expression, found `e3`",
            ),
            (
                "\"a\"",
                "column 1: expected a number, a 'text', a variable, a function or `(`, found the character '\"'",
            ),
            (
                "event.properties",
                "column 1: unknown variable `event.properties`",
            ),
            (
                "event.properties.1a",
                "column 1: unknown variable `event.properties.1a`",
            ),
            (
                "event.properties.a.b",
                "column 1: unknown variable `event.properties.a.b`",
            ),
            (
                "event.timestamps",
                "column 1: unknown variable `event.timestamps`",
            ),
            ("event . code", "column 1: unknown function `event`"),
            ("1 + * 2 .", "column 5: expected a number"), // the first error in the text wins
            (
                "1 +\t2",
                "column 4: expected a number, a 'text', a variable, a function or `(`, found the character '\\t'",
            ),
            (
                "CONCAT('a', 'b)",
                "column 13: expected a number, a 'text', a variable, a function or `(`, found a quoted text without its closing `'`",
            ),
            ("sum(1)", "column 1: unknown function `sum`"),
            ("cONCAT('a')", "column 1: unknown function `cONCAT`"),
            (
                "ROUND",
                "column 6: expected `(` after ROUND, found the end of the expression",
            ),
            (
                "ROUND()",
                "column 7: expected a number, a 'text', a variable, a function or `(`, found `)`",
            ),
            (
                "ROUND(1, 2, 3)",
                "column 1: ROUND takes 1 or 2 arguments, got 3",
            ),
            (
                "CONCAT('a',)",
                "column 12: expected a number, a 'text', a variable, a function or `(`, found `)`",
            ),
            (
                "LEAST(1 2)",
                "column 9: expected an operator, `,` or `)`, found `2`",
            ),
            (
                "123456789012345678901234567890",
                "column 1: the number `123456789012345678901234567890` needs more",
            ),
        ];
        for (text, expected) in cases {
            let message = error(text);
            assert!(
                message.starts_with(&format!("bm.expression: syntax error at {expected}")),
                "{text:?} gave: {message}"
            );
        }
    }

    #[test]
    fn nesting_is_limited_but_long_chains_are_not() {
        let nested = |depth: usize| format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(&nested(MAX_DEPTH), "e").is_ok());
        // The 65th `(` is at column 65.
        let err = parse(&nested(MAX_DEPTH + 1), "e").unwrap_err().to_string();
        assert_eq!(
            err,
            "e: syntax error at column 65: parentheses and functions nest more than 64 deep"
        );
        let calls = format!(
            "{}1{}",
            "ROUND(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&calls, "e").is_err());
        let long = vec!["1"; 100_000].join(" + ");
        assert!(parse(&long, "e").is_ok());
    }
}
