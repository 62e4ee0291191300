//! Numbers as lago-expression sees them: which texts are numbers, how values round, how they print.
//!
//! lago-expression computes with the `bigdecimal` crate. Lagom computes with 96-bit decimals instead,
//! so this module reproduces the parts of bigdecimal that show: the texts it reads as numbers (a
//! property `"1_000"` or `".5"` is a number there), rounding to a precision that may be negative, the
//! number of decimals a result keeps (`ROUND(2, 2)` is `2.00`, `3 / 2` is `1.5`), and how a number
//! prints inside `CONCAT` (`1E-7` for tiny values). A value needing more than 28 decimal places or 96
//! bits is out of range here, where bigdecimal would go on.

use rust_decimal::Decimal;
use serde_json::Value;

use super::ExpressionValue;
use crate::decimal;
use crate::error::Result;

/// How a text reads as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextNumber {
    /// A number, with the decimals it was written with (`1.50` keeps two).
    Exact(Decimal),
    /// A number that a 96-bit decimal cannot hold exactly (`1e40`, 30 decimal places).
    OutOfRange,
    /// Not a number (`abc`, ``, `1.2.3`).
    NotANumber,
}

/// Reads `text` the way bigdecimal 0.4 parses a string: an optional sign, digits that may contain `_`
/// after the first one, an optional `.` with digits on either side (`.5` and `5.` are numbers), and
/// an optional exponent `e`/`E` with an optional sign. No spaces.
pub(super) fn read_text(text: &str) -> TextNumber {
    let (base, exponent) = match text.split_once(['e', 'E']) {
        None => (text, 0),
        Some((base, exponent)) => match exponent.parse::<i128>() {
            Ok(exponent) => (base, exponent),
            Err(_) => return TextNumber::NotANumber,
        },
    };
    if base.is_empty() {
        return TextNumber::NotANumber;
    }
    // bigdecimal glues the digits on both sides of the point together and counts the ones after it
    // (not counting `_`) as decimals, before checking that the glued text is an integer.
    let (integer, decimals) = match base.split_once('.') {
        None => (base.to_owned(), 0),
        Some((lead, "")) => (lead.to_owned(), 0),
        Some((lead, trail)) => (
            format!("{lead}{trail}"),
            trail.chars().filter(|&c| c != '_').count(),
        ),
    };
    let Some((negative, digits)) = integer_digits(&integer) else {
        return TextNumber::NotANumber;
    };
    let scale = i128::try_from(decimals)
        .ok()
        .and_then(|decimals| decimals.checked_sub(exponent));
    match scale.and_then(|scale| exact_decimal(negative, &digits, scale)) {
        Some(value) => TextNumber::Exact(value),
        None => TextNumber::OutOfRange,
    }
}

/// The sign and decimal digits of an integer written as num-bigint reads one: `-` or `+` (not both),
/// then a digit, then digits and `_`.
fn integer_digits(text: &str) -> Option<(bool, Vec<u8>)> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if unsigned.is_empty() || unsigned.starts_with('_') {
        return None;
    }
    let mut digits = Vec::with_capacity(unsigned.len());
    for byte in unsigned.bytes() {
        match byte {
            b'0'..=b'9' => digits.push(byte - b'0'),
            b'_' => {}
            _ => return None,
        }
    }
    Some((negative, digits))
}

/// `±digits × 10^-scale` as a decimal keeping `scale` decimals when it can, fewer when only trailing
/// zeros are dropped; `None` when it does not fit.
fn exact_decimal(negative: bool, digits: &[u8], scale: i128) -> Option<Decimal> {
    let first = digits.iter().position(|&d| d != 0);
    let Some(first) = first else {
        return Some(Decimal::ZERO);
    };
    let mut digits = digits[first..].to_vec();
    let mut scale = scale;
    if scale < 0 {
        // A negative scale means trailing zeros: 15e2 is 1500.
        let room = MAX_DIGITS.checked_sub(digits.len())?;
        let zeros = usize::try_from(-scale).ok().filter(|&z| z <= room)?;
        digits.resize(digits.len() + zeros, 0);
        scale = 0;
    }
    while (scale > i128::from(MAX_SCALE) || digits.len() > MAX_DIGITS)
        && scale > 0
        && digits.last() == Some(&0)
    {
        digits.pop();
        scale -= 1;
    }
    if digits.len() > MAX_DIGITS {
        return None;
    }
    let mantissa = digits
        .iter()
        .fold(0i128, |acc, &d| acc * 10 + i128::from(d));
    let scale = u32::try_from(scale).ok()?;
    let value = Decimal::try_from_i128_with_scale(mantissa, scale).ok()?;
    Some(if negative { -value } else { value })
}

/// The most decimals a [`Decimal`] keeps.
const MAX_SCALE: u32 = 28;
/// More digits than this never fit in 96 bits (2^96 has 29 digits).
const MAX_DIGITS: usize = 29;

/// A property value as lago-expression's event holds it: Lago hands it numbers as numbers and every
/// other value as its Ruby text (`true`, `""` for null), and a text that reads as a number is one.
///
/// A text that looks like a number but does not fit stays a text, so that `CONCAT` can still show it;
/// using it as a number then fails with an out-of-range error.
pub(super) fn from_property(value: &Value) -> ExpressionValue {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() => ruby_float_text(float),
            _ => number.to_string(),
        },
        Value::Bool(flag) => flag.to_string(),
        Value::Null => String::new(),
        // Ruby would show its own inspection of the hash or array; JSON is the closest portable text.
        Value::Array(_) | Value::Object(_) => value.to_string(),
    };
    match read_text(&text) {
        TextNumber::Exact(number) => ExpressionValue::Number(number),
        TextNumber::OutOfRange | TextNumber::NotANumber => ExpressionValue::Text(text),
    }
}

/// Ruby's `Float#to_s`, which is how Lago passes a JSON float to lago-expression: the shortest digits
/// that read back as the same float, with at least one decimal (`3.0`), in plain notation from 0.0001
/// up to 10^16 and as `1.0e+16` / `1.0e-05` outside.
fn ruby_float_text(float: f64) -> String {
    let scientific = format!("{:e}", float.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits = mantissa.replace('.', "");
    // The point sits `point` digits from the left of `digits` (0.DIGITS × 10^point).
    let point = exponent.parse::<i64>().unwrap_or(0) + 1;
    let sign = if float.is_sign_negative() { "-" } else { "" };
    let text = match usize::try_from(point) {
        Ok(point @ 1..=16) if point < digits.len() => {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
        Ok(point @ 1..=16) => format!("{digits}{}.0", "0".repeat(point - digits.len())),
        Ok(0) => format!("0.{digits}"),
        _ if (-3..0).contains(&point) => {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        }
        _ => {
            let (head, tail) = digits.split_at(1);
            let tail = if tail.is_empty() { "0" } else { tail };
            format!("{head}.{tail}e{:+03}", point - 1)
        }
    };
    format!("{sign}{text}")
}

/// The rounding of `ROUND`, `CEIL` and `FLOOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rounding {
    /// `ROUND`: to the nearest, halves away from zero (bigdecimal's `HalfUp`: 2.5 → 3, -2.5 → -3).
    Round,
    /// `CEIL`: towards +∞.
    Ceil,
    /// `FLOOR`: towards -∞.
    Floor,
}

impl Rounding {
    /// The function's name as written in expressions.
    pub fn name(self) -> &'static str {
        match self {
            Rounding::Round => "ROUND",
            Rounding::Ceil => "CEIL",
            Rounding::Floor => "FLOOR",
        }
    }
}

/// Rounds `value` to `precision` decimals (a negative precision rounds to tens, hundreds…), keeping
/// `precision` decimals in the result as bigdecimal does (`ROUND(2, 2)` is `2.00`). `None` when the
/// result overflows (`CEIL(5, -30)` is 10^30).
pub(super) fn round(value: Decimal, precision: i64, rounding: Rounding) -> Option<Decimal> {
    let scale = i64::from(value.scale());
    if value.is_zero() {
        return Some(Decimal::ZERO);
    }
    if precision >= scale {
        return Some(with_scale_at_least(value, precision));
    }
    // value = mantissa × 10^-scale; keep the digits above 10^-precision, `shift` digits fewer.
    let mantissa = value.mantissa();
    let shift = scale.saturating_sub(precision);
    let (quotient, remainder, unit) = match u32::try_from(shift)
        .ok()
        .and_then(|s| 10i128.checked_pow(s))
    {
        Some(unit) => (mantissa / unit, mantissa % unit, Some(unit)),
        // 10^shift exceeds any 96-bit mantissa: everything is remainder, and less than half a unit.
        None => (0, mantissa, None),
    };
    let away_from_zero = match rounding {
        Rounding::Round => {
            unit.is_some_and(|unit| remainder.unsigned_abs() * 2 >= unit.unsigned_abs())
        }
        Rounding::Ceil => remainder > 0,
        Rounding::Floor => remainder < 0,
    };
    let rounded = if away_from_zero {
        quotient + remainder.signum()
    } else {
        quotient
    };
    match u32::try_from(precision) {
        Ok(precision) => Decimal::try_from_i128_with_scale(rounded, precision).ok(),
        Err(_) if rounded == 0 => Some(Decimal::ZERO),
        Err(_) => {
            let zeros = u32::try_from(precision.unsigned_abs()).ok()?;
            let mantissa = rounded.checked_mul(10i128.checked_pow(zeros)?)?;
            Decimal::try_from_i128_with_scale(mantissa, 0).ok()
        }
    }
}

/// `a / b` with the decimals bigdecimal's division keeps: those of the exact quotient, but at least
/// `scale(a) - scale(b)` (`4.0 / 2` is `2.0`, `3 / 2` is `1.5`).
pub(super) fn quotient(a: Decimal, b: Decimal, what: &str) -> Result<Decimal> {
    let exact = decimal::div(a, b, what)?.normalize();
    Ok(with_scale_at_least(
        exact,
        i64::from(a.scale()) - i64::from(b.scale()),
    ))
}

/// `value` written with `scale` decimals when it has fewer and the zeros fit (`2` → `2.00`).
fn with_scale_at_least(value: Decimal, scale: i64) -> Decimal {
    let current = i64::from(value.scale());
    let padded = u32::try_from(scale)
        .ok()
        .filter(|&scale| scale <= MAX_SCALE && i64::from(scale) > current)
        .and_then(|scale| {
            let factor = 10i128.pow(scale - value.scale());
            let mantissa = value.mantissa().checked_mul(factor)?;
            Decimal::try_from_i128_with_scale(mantissa, scale).ok()
        });
    padded.unwrap_or(value)
}

/// How bigdecimal prints a number (what `CONCAT` shows): its decimals as kept (`1.50`), zero as `0`,
/// and in exponent form when more than five zeros follow the point (`0.0000001` → `1E-7`).
pub(super) fn lago_text(value: Decimal) -> String {
    if value.is_zero() {
        return "0".to_owned();
    }
    let digits = value.mantissa().unsigned_abs().to_string();
    let scale = value.scale() as usize;
    if scale <= digits.len() + 5 {
        return value.to_string();
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    let (head, tail) = digits.split_at(1);
    let point = if tail.is_empty() { "" } else { "." };
    let exponent = digits.len() as i64 - scale as i64 - 1;
    format!("{sign}{head}{point}{tail}E{exponent:+}")
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    /// The number a text reads as, printed with the decimals it keeps.
    fn read(text: &str) -> Option<String> {
        match read_text(text) {
            TextNumber::Exact(value) => Some(value.to_string()),
            TextNumber::OutOfRange => Some("out of range".to_owned()),
            TextNumber::NotANumber => None,
        }
    }

    #[test]
    fn reads_texts_as_bigdecimal_does() {
        let cases = [
            ("12", Some("12")),
            ("1.50", Some("1.50")), // decimals are kept as written
            ("-0.5", Some("-0.5")),
            ("+5", Some("5")),
            ("007", Some("7")),
            ("1_000", Some("1000")), // `_` is allowed after the first digit
            (".5", Some("0.5")),     // nothing before the point
            ("5.", Some("5")),       // nothing after the point
            ("1e3", Some("1000")),
            ("1.5E-3", Some("0.0015")),
            ("2.50e1", Some("25.0")), // 250 × 10^(2-1) decimals → 25.0
            (".-5", Some("-0.05")),   // bigdecimal glues `-5` and counts two decimals
            ("1e40", Some("out of range")),
            ("1e18446744073709551615", Some("out of range")), // usize::MAX trailing zeros
            (
                "1e-170141183460469231731687303715884105728",
                Some("out of range"),
            ), // 0 - i128::MIN overflows
            ("0.00000000000000000000000000001", Some("out of range")), // 29 decimals
            (
                "1.0000000000000000000000000000000",
                Some("1.0000000000000000000000000000"),
            ), // zeros dropped to 28
            ("", None),
            (" 5", None), // no spaces
            ("_5", None),
            ("-+5", None),
            ("++5", None),
            ("1.2.3", None),
            (".", None),
            ("e5", None),
            ("5e", None),
            ("abc", None),
            ("NaN", None),
            ("0x10", None),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text).as_deref(), expected, "reading {text:?}");
        }
    }

    #[test]
    fn json_values_become_what_lago_hands_lago_expression() {
        let cases = [
            (serde_json::json!(2), ExpressionValue::Number(d("2"))),
            (serde_json::json!(1.0), ExpressionValue::Number(d("1.0"))), // Ruby: 1.0.to_s == "1.0"
            (serde_json::json!(10.4), ExpressionValue::Number(d("10.4"))),
            (
                serde_json::json!(1e-5),
                ExpressionValue::Number(d("0.000010")),
            ), // "1.0e-05" → 10 × 10^-6
            (
                serde_json::json!("12.34"),
                ExpressionValue::Number(d("12.34")),
            ),
            (
                serde_json::json!("abc"),
                ExpressionValue::Text("abc".to_owned()),
            ),
            (
                serde_json::json!(true),
                ExpressionValue::Text("true".to_owned()),
            ),
            (
                serde_json::json!(null),
                ExpressionValue::Text(String::new()),
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(from_property(&json), expected, "property {json}");
        }
    }

    #[test]
    fn floats_print_as_ruby_prints_them() {
        let cases = [
            (0.0, "0.0"),
            (3.0, "3.0"),
            (-2.5, "-2.5"),
            (123.456, "123.456"),
            (0.0001, "0.0001"),
            (0.00001, "1.0e-05"),
            (1e15, "1000000000000000.0"),
            (1e16, "1.0e+16"),
            (1.5e20, "1.5e+20"),
        ];
        for (float, expected) in cases {
            assert_eq!(ruby_float_text(float), expected, "{float:e}");
        }
    }

    #[test]
    fn rounds_to_positive_zero_and_negative_precisions() {
        use Rounding::*;
        let cases = [
            ("12.5", 0, Round, "13"), // halves go away from zero
            ("-12.5", 0, Round, "-13"),
            ("12.345", 2, Round, "12.35"),
            ("12.344", 2, Round, "12.34"),
            ("1234", -2, Round, "1200"),
            ("1250", -2, Round, "1300"),
            ("49", -2, Round, "0"),
            ("50", -2, Round, "100"),
            ("2", 2, Round, "2.00"), // bigdecimal pads to the precision
            ("12.3", 0, Ceil, "13"),
            ("-12.3", 0, Ceil, "-12"),
            ("12.351", 1, Ceil, "12.4"),
            ("5", -2, Ceil, "100"),
            ("12.7", 0, Floor, "12"),
            ("-12.3", 0, Floor, "-13"),
            ("-5", -2, Floor, "-100"),
            ("5", -40, Round, "0"),
            ("0.00", 1, Ceil, "0"),
        ];
        for (value, precision, rounding, expected) in cases {
            let rounded = round(d(value), precision, rounding).unwrap();
            assert_eq!(
                rounded.to_string(),
                expected,
                "{rounding:?}({value}, {precision})"
            );
        }
        assert_eq!(round(d("5"), -30, Ceil), None, "10^30 does not fit");
        assert_eq!(
            round(Decimal::MAX, -28, Round),
            None,
            "7.9e28 rounds to 10^29"
        );
    }

    #[test]
    fn quotients_keep_bigdecimal_decimals() {
        let cases = [
            ("3", "2", "1.5"),
            ("4.0", "2", "2.0"),
            ("2", "0.5", "4"),
            ("1", "8", "0.125"),
            ("10", "4", "2.5"),
        ];
        for (a, b, expected) in cases {
            assert_eq!(
                quotient(d(a), d(b), "q").unwrap().to_string(),
                expected,
                "{a} / {b}"
            );
        }
        assert_eq!(
            quotient(d("1"), d("0"), "q").unwrap_err().to_string(),
            "q: division by zero"
        );
    }

    #[test]
    fn prints_as_bigdecimal_prints() {
        let cases = [
            ("1.50", "1.50"),
            ("0.00", "0"),
            ("-3", "-3"),
            ("0.000001", "0.000001"), // five zeros after the point: plain
            ("0.0000001", "1E-7"),    // six: exponent form
            ("-0.000000123", "-1.23E-7"),
        ];
        for (value, expected) in cases {
            assert_eq!(lago_text(d(value)), expected, "{value}");
        }
    }
}
