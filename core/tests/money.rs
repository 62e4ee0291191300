//! Currencies, minor units and Lago's rounding to cents, table-driven with hand-worked expectations.
//!
//! Lago turns an amount in currency units into `amount_cents` as `amount.round(exponent) ×
//! subunit_to_unit` (Ruby's `BigDecimal#round`: half away from zero), and precise cents into integer
//! cents with `.round` (half away from zero too). Minor units are the Money gem 7.x table.

use lagom_core::Error;
use lagom_core::decimal::{self, Decimal};
use lagom_core::money::{Currency, add_cents, round_cents, sub_cents, sum_cents};

fn dec(text: &str) -> Decimal {
    decimal::parse(text).unwrap_or_else(|| panic!("bad decimal in the test table: {text}"))
}

fn currency(code: &str) -> Currency {
    Currency::from_code(code, "currency").unwrap_or_else(|e| panic!("{e}"))
}

/// Every currency whose minor unit is not 1/100, with `subunit_to_unit` and the exponent
/// `round(log10(subunit_to_unit))`.
const NOT_HUNDREDTHS: &[(&str, u32, u32)] = &[
    ("BHD", 1000, 3),
    ("BIF", 1, 0),
    ("CLF", 10000, 4),
    ("CLP", 1, 0),
    ("DJF", 1, 0),
    ("GNF", 1, 0),
    ("HUF", 1, 0), // Money gem 7 dropped the fillér (6.x had 100).
    ("ISK", 1, 0),
    ("JOD", 1000, 3),
    ("JPY", 1, 0),
    ("KMF", 1, 0),
    ("KRW", 1, 0),
    ("KWD", 1000, 3),
    ("MGA", 1, 0), // Money gem 7: 1 (6.x had 5).
    ("MRO", 5, 1), // log10(5) ≈ 0.699 rounds to 1.
    ("PYG", 1, 0),
    ("RWF", 1, 0),
    ("UGX", 1, 0),
    ("VND", 1, 0),
    ("VUV", 1, 0),
    ("XAF", 1, 0),
    ("XOF", 1, 0),
    ("XPF", 1, 0),
];

/// The `Currency` enum of Lago's OpenAPI schema; Lago's model accepts these and BHD, IRR, JOD, KWD.
const OPENAPI_CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BIF BMD BND BOB BRL BSD BWP BYN \
    BZD CAD CDF CHF CLF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD \
    HNL HRK HTG HUF IDR ILS INR ISK JMD JPY KES KGS KHR KMF KRW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP \
    MRO MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SEK \
    SGD SHP SLL SOS SRD STD SZL THB TJS TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VND VUV WST XAF XCD XOF XPF YER ZAR ZMW";

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_currency_has_lagos_minor_units() {
    for &c in Currency::ALL {
        let (subunits, exponent) = NOT_HUNDREDTHS
            .iter()
            .find(|(code, _, _)| *code == c.code())
            .map_or((100, 2), |&(_, subunits, exponent)| (subunits, exponent));
        assert_eq!(
            (c.subunit_to_unit(), c.exponent()),
            (subunits, exponent),
            "{c}"
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_currency_list_is_lagos() {
    let openapi: Vec<&str> = OPENAPI_CODES.split_whitespace().collect();
    assert_eq!(openapi.len(), 138);
    for code in &openapi {
        assert_eq!(currency(code).code(), *code);
    }
    let extra: Vec<&str> = Currency::CODES
        .iter()
        .copied()
        .filter(|code| !openapi.contains(code))
        .collect();
    assert_eq!(extra, ["BHD", "IRR", "JOD", "KWD"]);
    assert!(
        Currency::CODES.windows(2).all(|w| w[0] < w[1]),
        "codes are sorted and unique"
    );
    assert_eq!(Currency::ALL.len(), Currency::CODES.len());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_currency_reads_and_writes_as_its_code() {
    for &c in Currency::ALL {
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{}\"", c.code()));
        assert_eq!(serde_json::from_str::<Currency>(&json).unwrap(), c);
        assert_eq!(c.code().parse::<Currency>().unwrap(), c);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_unknown_code_is_an_error_naming_it() {
    for code in ["XYZ", "usd", "", "EURO", "BTC"] {
        match Currency::from_code(code, "plan.amount_currency") {
            Err(Error::UnknownVariant {
                path,
                kind,
                value,
                expected,
            }) => {
                assert_eq!(
                    (path.as_str(), kind, value.as_str()),
                    ("plan.amount_currency", "currency", code)
                );
                assert_eq!(expected.len(), 142);
            }
            other => panic!("{code:?}: expected an unknown currency, got {other:?}"),
        }
    }
}

/// (currency, amount in units, expected amount_cents, how it is worked out).
const TO_CENTS: &[(&str, &str, i64, &str)] = &[
    (
        "USD",
        "12.345",
        1235,
        "12.345 → 12.35 (the 5 rounds up) → ×100",
    ),
    ("USD", "12.344", 1234, "12.344 → 12.34 → ×100"),
    (
        "USD",
        "-12.345",
        -1235,
        "half away from zero on a negative amount",
    ),
    ("USD", "0.125", 13, "a tie rounds up: 13, not banker's 12"),
    ("USD", "0.005", 1, "half a cent becomes one cent"),
    ("USD", "0.0049", 0, "less than half a cent is dropped"),
    ("EUR", "100", 10000, "whole units ×100"),
    ("JPY", "0.5", 1, "JPY has no decimals: 0.5 → 1"),
    ("JPY", "2.5", 3, "a tie rounds up: 3, not banker's 2"),
    ("JPY", "1.49", 1, "1.49 → 1"),
    ("JPY", "1500", 1500, "yen are their own minor unit"),
    (
        "KWD",
        "1.2345",
        1235,
        "three decimals: 1.2345 → 1.235 → 1235 fils",
    ),
    ("KWD", "0.0005", 1, "half a fils becomes one"),
    (
        "CLF",
        "1.23456",
        12346,
        "four decimals: 1.23456 → 1.2346 → ×10000",
    ),
    (
        "MRO",
        "1.2",
        6,
        "one decimal, 5 khoums per ouguiya: 1.2 × 5 = 6",
    ),
    (
        "MRO",
        "1.26",
        6,
        "1.26 → 1.3 → ×5 = 6.5, and the integer column keeps 6",
    ),
    (
        "HUF",
        "99.5",
        100,
        "HUF has no decimals in Money 7: 99.5 → 100",
    ),
];

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn amounts_round_to_cents_as_lago_rounds_fees() {
    for &(code, amount, cents, note) in TO_CENTS {
        assert_eq!(
            currency(code).to_cents(dec(amount)).unwrap(),
            cents,
            "{code} {amount}: {note}"
        );
    }
}

/// (precise cents, expected integer cents, why).
const ROUND_CENTS: &[(&str, i64, &str)] = &[
    ("2.5", 3, "a tie rounds away from zero"),
    (
        "3.5",
        4,
        "a tie rounds away from zero (banker's would also give 4)",
    ),
    ("-2.5", -3, "away from zero on the negative side"),
    ("2.4999", 2, "below the tie"),
    ("1234.5", 1235, "tax of 20% on 6172.5 precise cents"),
    ("0", 0, "nothing stays nothing"),
];

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn precise_cents_round_half_away_from_zero() {
    for &(precise, cents, note) in ROUND_CENTS {
        assert_eq!(
            round_cents(dec(precise)).unwrap(),
            cents,
            "{precise}: {note}"
        );
    }
}

/// (currency, cents, expected units, why).
const TO_UNITS: &[(&str, &str, &str, &str)] = &[
    ("USD", "1235", "12.35", "1235 / 100"),
    (
        "USD",
        "1234.5",
        "12.345",
        "precise cents keep their fraction",
    ),
    ("JPY", "1235", "1235", "1235 / 1"),
    ("KWD", "1235", "1.235", "1235 / 1000"),
    ("CLF", "12346", "1.2346", "12346 / 10000"),
    ("MRO", "7", "1.4", "7 / 5"),
];

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn cents_convert_back_to_units_exactly() {
    for &(code, cents, units, note) in TO_UNITS {
        assert_eq!(
            currency(code).to_units(dec(cents)),
            dec(units),
            "{code} {cents}: {note}"
        );
    }
    // precise_amount_cents keeps every digit: 12.345 USD → 1234.5 cents.
    assert_eq!(
        Currency::Usd.to_precise_cents(dec("12.345")).unwrap(),
        dec("1234.5")
    );
    assert_eq!(
        Currency::Kwd.to_precise_cents(dec("0.0001")).unwrap(),
        dec("0.1")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn overflow_is_an_error_not_a_panic() {
    fn overflow<T>(what: &str) -> Result<T, Error> {
        Err(Error::Overflow {
            what: what.to_owned(),
        })
    }
    // Decimal::MAX × 100 does not fit in a decimal; 10^20 cents fits a decimal but not an i64.
    assert_eq!(
        Currency::Usd.to_cents(Decimal::MAX),
        overflow("amount_cents")
    );
    assert_eq!(
        Currency::Usd.to_cents(dec("1e18")),
        overflow("amount_cents")
    );
    assert_eq!(
        Currency::Kwd.to_precise_cents(Decimal::MAX),
        overflow("precise_amount_cents")
    );
    assert_eq!(round_cents(dec("1e19")), overflow("amount_cents"));
    assert_eq!(
        add_cents(i64::MAX, 1, "total_amount_cents"),
        overflow("total_amount_cents")
    );
    assert_eq!(
        sub_cents(i64::MIN, 1, "balance_cents"),
        overflow("balance_cents")
    );
    assert_eq!(
        sum_cents([i64::MAX, 1, -1], "fees_amount_cents"),
        overflow("fees_amount_cents")
    );
    // Within range, the same helpers add up: 100 + 250 - 50 = 300; 9_223_372_036_854_775_807 fits exactly.
    assert_eq!(sum_cents([100, 250, -50], "fees_amount_cents"), Ok(300));
    assert_eq!(
        Currency::Jpy.to_cents(dec("9223372036854775807")),
        Ok(i64::MAX)
    );
}
