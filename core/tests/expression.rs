//! Lago's expression language against hand-worked values (natively and under wasm32), and its parser
//! and printer against random input (natively).
//!
//! Every expected value below is worked out from lago-expression's rules (bigdecimal arithmetic, Lago
//! handing numeric texts over as numbers), not copied from Lagom's output. A number is written with
//! the decimals Lago keeps, since `CONCAT` shows them.

use lagom_core::event::Event;
use lagom_core::metric::expression::{Expression, ExpressionValue};
use serde_json::{Value, json};

/// The event every row is evaluated against, with the row's properties.
fn event(properties: Value) -> Event {
    serde_json::from_value(json!({
        "transaction_id": "tx_1",
        "external_subscription_id": "sub_1",
        "code": "api_calls",
        // 2024-03-01T00:00:00Z is 1704067200 (2024-01-01) + (31 + 29) days × 86400 = 1709251200;
        // noon adds 43200: 1709294400.
        "timestamp": "2024-03-01T12:00:00Z",
        "properties": properties,
    }))
    .expect("a valid event")
}

/// What a row expects: a number (as Lago prints it, with its decimals), a text, or an error message.
enum Expected {
    Number(&'static str),
    Text(&'static str),
    Error(&'static str),
}
use Expected::{Error, Number, Text};

/// Evaluates every row and fails with the list of rows that did not give what they expect.
fn run(rows: Vec<(&str, Value, Expected)>) {
    let failures: Vec<String> = rows
        .into_iter()
        .filter_map(|(expression, properties, expected)| {
            let parsed = match Expression::parse(expression, "expression") {
                Ok(parsed) => parsed,
                Err(err) => return Some(format!("{expression}: {err}")),
            };
            let actual = parsed.evaluate(&event(properties));
            let ok = match (&actual, &expected) {
                (Ok(value @ ExpressionValue::Number(_)), Number(text))
                | (Ok(value @ ExpressionValue::Text(_)), Text(text)) => value.to_string() == *text,
                (Err(err), Error(message)) => err.to_string() == *message,
                _ => false,
            };
            let wanted = match expected {
                Number(text) => format!("the number {text}"),
                Text(text) => format!("the text {text:?}"),
                Error(message) => format!("the error {message:?}"),
            };
            (!ok).then(|| format!("{expression}: expected {wanted}, got {actual:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[rustfmt::skip]
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn arithmetic() {
    run(vec![
        ("1 + 2 * 3", json!({}), Number("7")),       // products first: 1 + 6
        ("(1 + 2) * 3", json!({}), Number("9")),     // 3 × 3
        ("10 - 4 - 3", json!({}), Number("3")),      // left to right: (10 - 4) - 3, not 10 - 1
        ("64 / 4 / 2", json!({}), Number("8")),      // (64 / 4) / 2, not 64 / 2
        ("-2 * -3", json!({}), Number("6")),         // (-2) × (-3)
        ("2 - -3", json!({}), Number("5")),          // 2 - (-3)
        ("-(-(4))", json!({}), Number("4")),         // a double negation needs parentheses
        ("-(2 - 2)", json!({}), Number("0")),        // no negative zero
        ("1.50 + 1", json!({}), Number("2.50")),     // a sum keeps the most decimals of its operands
        ("1.5 * 2.0", json!({}), Number("3.00")),    // a product adds them: 1 + 1
        ("3 / 2", json!({}), Number("1.5")),         // an exact quotient keeps the decimals it needs
        ("4.0 / 2", json!({}), Number("2.0")),       // and at least 1 - 0 of the dividend's
        ("1 / 8", json!({}), Number("0.125")),       // 0.125 exactly
        ("  7*2  ", json!({}), Number("14")),        // spaces anywhere between tokens
    ]);
}

#[rustfmt::skip]
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn variables() {
    run(vec![
        // "3" reads as 3; 3 × 2.5 = 7.5
        ("event.properties.qty * event.properties.price", json!({"qty": "3", "price": 2.5}), Number("7.5")),
        ("event.properties.n + 1", json!({"n": "1e3"}), Number("1001")),     // bigdecimal reads exponents: 1000 + 1
        ("event.properties.n + 1", json!({"n": "1_000"}), Number("1001")),   // and `_` between digits
        ("event.properties.n * 2", json!({"n": ".5"}), Number("1.0")),       // .5 is 0.5 (1 decimal); × 2 = 1.0
        ("event.properties.n", json!({"n": 1.0}), Number("1.0")),            // a JSON float reaches Lago as Ruby's "1.0"
        ("event.properties.n", json!({"n": 12}), Number("12")),              // an integer as "12"
        ("event.properties.n", json!({"n": "007"}), Number("7")),            // a numeric text loses its leading zeros
        ("event.properties.n", json!({"n": "12 "}), Text("12 ")),            // a space makes it a text
        ("event.properties.flag", json!({"flag": true}), Text("true")),      // Ruby's true.to_s
        ("event.properties.empty", json!({"empty": null}), Text("")),        // Ruby's nil.to_s
        ("event.timestamp", json!({}), Number("1709294400")),                // Unix seconds, worked out in `event`
        ("event.timestamp / 86400", json!({}), Number("19783.5")),           // 1709294400 / 86400 = 19783.5 days
        ("event.code", json!({}), Text("api_calls")),                        // the code stays a text
    ]);
}

#[rustfmt::skip]
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn functions() {
    run(vec![
        ("ROUND(2.5)", json!({}), Number("3")),             // halves go away from zero
        ("ROUND(-2.5)", json!({}), Number("-3")),           // also below zero (not to even: not -2)
        ("ROUND(2.49)", json!({}), Number("2")),            // below the half
        ("ROUND(12.345, 2)", json!({}), Number("12.35")),   // the third decimal 5 rounds up
        ("ROUND(1234, -2)", json!({}), Number("1200")),     // to hundreds: 34 < 50
        ("ROUND(1250, -2)", json!({}), Number("1300")),     // 50 is the half: away from zero
        ("ROUND(2, 2)", json!({}), Number("2.00")),         // the result has `precision` decimals
        ("ROUND(1.25, 1.9)", json!({}), Number("1.3")),     // the precision is truncated to 1; 1.25 → 1.3
        ("round(1.25, -0.5)", json!({}), Number("1")),      // truncated to 0
        ("CEIL(12.01)", json!({}), Number("13")),           // up towards +∞
        ("CEIL(-12.9)", json!({}), Number("-12")),          // which is towards zero below it
        ("Ceil(12.341, 2)", json!({}), Number("12.35")),    // 12.341 → 12.35
        ("CEIL(101, -2)", json!({}), Number("200")),        // the next hundred
        ("FLOOR(12.99)", json!({}), Number("12")),          // down towards -∞
        ("FLOOR(-12.01)", json!({}), Number("-13")),        // which is away from zero below it
        ("floor(199, -2)", json!({}), Number("100")),       // the hundred below
        ("LEAST(3, 1.5, 2)", json!({}), Number("1.5")),
        ("GREATEST(3, 1.5, 2)", json!({}), Number("3")),
        ("LEAST(7)", json!({}), Number("7")),               // one argument is enough
        ("LEAST(2, 2.0)", json!({}), Number("2")),          // ties keep the first least…
        ("GREATEST(2, 2.0)", json!({}), Number("2.0")),     // …and the last greatest
        // "10" reads as 10 > 9.5
        ("GREATEST(event.properties.a, event.properties.b)", json!({"a": "10", "b": 9.5}), Number("10")),
        ("CONCAT(event.code, '-', event.properties.region)", json!({"region": "eu"}), Text("api_calls-eu")),
        ("CONCAT('v', 1.50, '/', 2 * 0.5)", json!({}), Text("v1.50/1.0")),   // numbers keep their decimals
        ("concat(0.0000001)", json!({}), Text("1E-7")),                      // six zeros after the point: exponent form
        ("CONCAT(0.000001)", json!({}), Text("0.000001")),                   // five: plain
        ("CONCAT(event.properties.n)", json!({"n": "1e3"}), Text("1000")),   // the number, not the text
        ("CONCAT(event.properties.id, '')", json!({"id": "abc-1"}), Text("abc-1")),
        ("''", json!({}), Text("")),
    ]);
}

#[rustfmt::skip]
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn evaluation_errors() {
    run(vec![
        // lago-expression: `Variable: a not found`
        ("event.properties.a * 2", json!({}), Error("properties.a: is missing, and the expression reads it")),
        ("CONCAT('a', event.properties.x)", json!({}), Error("properties.x: is missing, and the expression reads it")),
        // lago-expression: `Expected a decimal`
        ("event.properties.a * 2", json!({"a": "abc"}), Error("properties.a: `event.properties.a` must be a number, got the text `abc`")),
        ("event.code + 1", json!({}), Error("code: `event.code` must be a number, got the text `api_calls`")),
        ("'abc' * 2", json!({}), Error("(input): `'abc'` must be a number, got the text `abc`")),
        ("ROUND(1, 'x')", json!({}), Error("(input): `'x'` must be a number, got the text `x`")),
        ("LEAST(1, CONCAT(2))", json!({}), Error("(input): `CONCAT(2)` must be a number, got the text `2`")),
        // bigdecimal would go on; 96-bit decimals cannot
        ("event.properties.big + 1", json!({"big": "1e40"}),
            Error("properties.big: `1e40` needs more than 28 decimal places or 96 bits, but `event.properties.big` is used as a number")),
        ("ROUND(1, 99999999999999999999)", json!({}), Error("(input): a precision must fit in a 64-bit integer, got 99999999999999999999")),
        ("1 / (2 - 2)", json!({}), Error("expression `1 / (2 - 2)`: division by zero")),
        ("79228162514264337593543950335 + 1", json!({}), Error("expression `79228162514264337593543950335 + 1`: arithmetic overflow")),
        ("CEIL(5, -30)", json!({}), Error("expression `CEIL(5, -30)`: arithmetic overflow")), // 10^30 > 7.9 × 10^28
    ]);
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A random expression as text: the test's own tree, printed with random spacing and optional
    /// parentheses, so that the parser sees more than the canonical form.
    fn expression_text() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            (0u32..1000, proptest::option::of(0u32..100)).prop_map(|(whole, fraction)| {
                match fraction {
                    Some(fraction) => format!("{whole}.{fraction}"),
                    None => whole.to_string(),
                }
            }),
            "[a-z ]{0,4}".prop_map(|text| format!("'{text}'")),
            prop::sample::select(vec![
                "event.properties.a",
                "event.properties.b",
                "event.properties.s",
                "event.properties.z",
                "event.properties.missing",
                "event.timestamp",
                "event.code",
            ])
            .prop_map(str::to_owned),
        ];
        leaf.prop_recursive(5, 48, 4, |inner| {
            let spaces = || "[ ]{0,2}";
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["+", "-", "*", "/"]),
                    inner.clone(),
                    any::<bool>(),
                    spaces()
                )
                    .prop_map(|(lhs, op, rhs, wrap, pad)| {
                        let text = format!("{lhs}{pad}{op}{pad}{rhs}");
                        if wrap { format!("({text})") } else { text }
                    }),
                inner.clone().prop_map(|operand| format!("-({operand})")),
                (
                    prop::sample::select(vec!["ROUND", "ceil", "Floor"]),
                    inner.clone(),
                    proptest::option::of(-3i32..4),
                )
                    .prop_map(|(name, value, precision)| match precision {
                        Some(precision) => format!("{name}({value}, {precision})"),
                        None => format!("{name}({value})"),
                    }),
                (
                    prop::sample::select(vec!["CONCAT", "least", "Greatest"]),
                    prop::collection::vec(inner, 1..4)
                )
                    .prop_map(|(name, arguments)| format!("{name}({})", arguments.join(", "))),
            ]
        })
    }

    fn sample_event() -> Event {
        event(json!({"a": "2.5", "b": 4, "s": "abc", "z": 0}))
    }

    proptest! {
        #[test]
        fn printing_and_parsing_back_gives_the_same_expression_and_value(text in expression_text()) {
            let parsed = Expression::parse(&text, "expression")
                .map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            let printed = parsed.to_string();
            let reparsed = Expression::parse(&printed, "expression")
                .map_err(|e| TestCaseError::fail(format!("{text} printed as {printed}: {e}")))?;
            prop_assert_eq!(&reparsed, &parsed, "{} printed as {}", text, printed);
            prop_assert_eq!(reparsed.to_string(), printed.clone());
            let event = sample_event();
            let (before, after) = (parsed.evaluate(&event), reparsed.evaluate(&event));
            prop_assert_eq!(
                before.as_ref().map(ToString::to_string),
                after.as_ref().map(ToString::to_string),
                "{} printed as {}", text, printed
            );
        }

        #[test]
        fn plain_numeric_texts_read_as_the_decimal_they_write(text in "-?[0-9]{1,20}(\\.[0-9]{1,8})?") {
            let value = Expression::parse("event.properties.n", "expression")
                .unwrap()
                .evaluate(&event(json!({"n": text.clone()})))
                .unwrap();
            let expected = lagom_core::decimal::parse(&text).unwrap();
            prop_assert_eq!(value.as_number(), Some(expected));
        }

        #[test]
        fn any_property_value_evaluates_without_panicking(
            text in prop_oneof![any::<String>(), "[-+._0-9eE]{0,30}", "[0-9]{1,3}[eE][-+]?[0-9]{1,40}"]
        ) {
            let event = event(json!({"n": text}));
            for expression in ["event.properties.n * 2", "CONCAT(event.properties.n)", "ROUND(1.5, event.properties.n)"] {
                let _ = Expression::parse(expression, "expression").unwrap().evaluate(&event);
            }
        }

        #[test]
        fn arbitrary_text_never_panics_the_parser(text in any::<String>()) {
            let _ = Expression::parse(&text, "expression");
        }

        #[test]
        fn expression_like_text_never_panics(text in "[-+*/(), '.a-zA-Z0-9_\t]{0,60}") {
            if let Ok(parsed) = Expression::parse(&text, "expression") {
                let _ = parsed.evaluate(&sample_event());
            }
        }
    }

    #[test]
    fn nesting_too_deep_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        let err = Expression::parse(&deep, "expression").unwrap_err();
        assert_eq!(
            err.to_string(),
            "expression: syntax error at column 65: parentheses and functions nest more than 64 deep"
        );
        let negations = "-(".repeat(100_000) + "1" + &")".repeat(100_000);
        assert!(Expression::parse(&negations, "expression").is_err());
    }
}
