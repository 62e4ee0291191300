//! Currencies and cents: ISO 4217 codes with their minor units, and Lago's rounding of amounts to cents.
//!
//! Lago prices in currency units (`12.345` USD) and stores integer cents (`1235`). The bridge is the Money
//! gem's table: each currency has a `subunit_to_unit` (100 for USD, 1 for JPY, 1000 for KWD, 5 for the
//! old Mauritanian ouguiya) and an exponent, `round(log10(subunit_to_unit))`. A fee's `amount_cents` is
//! the amount rounded to the exponent, half away from zero, then multiplied by `subunit_to_unit`; a
//! precise amount in cents (taxes, coupons, prorated amounts) becomes integer cents by rounding half away
//! from zero. Integer cents are `i64` and every operation on them is checked.
//!
//! This module does not format money for display, nor convert between currencies.

use std::fmt;
use std::str::FromStr;

use rust_decimal::RoundingStrategy;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decimal::{self, Decimal};
use crate::error::{Error, Result};

macro_rules! currencies {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $subunits:literal;)*) => {
        /// A currency Lago accepts (its `Currencies::ACCEPTED_CURRENCIES`, a superset of the OpenAPI enum).
        ///
        /// Serialized as its ISO 4217 code; an unknown code is an error naming it.
        ///
        /// ```
        /// use lagom_core::money::Currency;
        /// let eur: Currency = serde_json::from_str(r#""EUR""#).unwrap();
        /// assert_eq!(eur, Currency::Eur);
        /// assert_eq!(serde_json::to_string(&Currency::Jpy).unwrap(), r#""JPY""#);
        /// let err = serde_json::from_str::<Currency>(r#""XYZ""#).unwrap_err().to_string();
        /// assert!(err.contains("unknown variant `XYZ`, expected one of `AED`"), "{err}");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Currency {
            $($(#[$doc])* $variant,)*
        }

        impl Currency {
            /// Every currency, in alphabetical order of code.
            ///
            /// ```
            /// use lagom_core::money::Currency;
            /// assert_eq!(Currency::ALL.len(), 142);
            /// assert_eq!(Currency::ALL[0], Currency::Aed);
            /// ```
            pub const ALL: &'static [Currency] = &[$(Currency::$variant),*];

            /// Every ISO 4217 code, in the order of [`Currency::ALL`].
            ///
            /// ```
            /// use lagom_core::money::Currency;
            /// assert_eq!(Currency::CODES.last(), Some(&"ZMW"));
            /// ```
            pub const CODES: &'static [&'static str] = &[$($code),*];

            /// The ISO 4217 code.
            ///
            /// ```
            /// assert_eq!(lagom_core::money::Currency::Kwd.code(), "KWD");
            /// ```
            pub const fn code(self) -> &'static str {
                match self {
                    $(Currency::$variant => $code,)*
                }
            }

            /// How many minor units make one unit, as the Money gem (7.x) that Lago uses says.
            ///
            /// ```
            /// use lagom_core::money::Currency;
            /// assert_eq!(Currency::Usd.subunit_to_unit(), 100);
            /// assert_eq!(Currency::Jpy.subunit_to_unit(), 1);
            /// assert_eq!(Currency::Kwd.subunit_to_unit(), 1000);
            /// ```
            pub const fn subunit_to_unit(self) -> u32 {
                match self {
                    $(Currency::$variant => $subunits,)*
                }
            }
        }
    };
}

currencies! {
    /// United Arab Emirates Dirham
    Aed = "AED", 100;
    /// Afghan Afghani
    Afn = "AFN", 100;
    /// Albanian Lek
    All = "ALL", 100;
    /// Armenian Dram
    Amd = "AMD", 100;
    /// Netherlands Antillean Gulden
    Ang = "ANG", 100;
    /// Angolan Kwanza
    Aoa = "AOA", 100;
    /// Argentine Peso
    Ars = "ARS", 100;
    /// Australian Dollar
    Aud = "AUD", 100;
    /// Aruban Florin
    Awg = "AWG", 100;
    /// Azerbaijani Manat
    Azn = "AZN", 100;
    /// Bosnia and Herzegovina Convertible Mark
    Bam = "BAM", 100;
    /// Barbadian Dollar
    Bbd = "BBD", 100;
    /// Bangladeshi Taka
    Bdt = "BDT", 100;
    /// Bulgarian Lev
    Bgn = "BGN", 100;
    /// Bahraini Dinar
    Bhd = "BHD", 1000;
    /// Burundian Franc
    Bif = "BIF", 1;
    /// Bermudian Dollar
    Bmd = "BMD", 100;
    /// Brunei Dollar
    Bnd = "BND", 100;
    /// Bolivian Boliviano
    Bob = "BOB", 100;
    /// Brazilian Real
    Brl = "BRL", 100;
    /// Bahamian Dollar
    Bsd = "BSD", 100;
    /// Botswana Pula
    Bwp = "BWP", 100;
    /// Belarusian Ruble
    Byn = "BYN", 100;
    /// Belize Dollar
    Bzd = "BZD", 100;
    /// Canadian Dollar
    Cad = "CAD", 100;
    /// Congolese Franc
    Cdf = "CDF", 100;
    /// Swiss Franc
    Chf = "CHF", 100;
    /// Unidad de Fomento
    Clf = "CLF", 10000;
    /// Chilean Peso
    Clp = "CLP", 1;
    /// Chinese Renminbi Yuan
    Cny = "CNY", 100;
    /// Colombian Peso
    Cop = "COP", 100;
    /// Costa Rican Colón
    Crc = "CRC", 100;
    /// Cape Verdean Escudo
    Cve = "CVE", 100;
    /// Czech Koruna
    Czk = "CZK", 100;
    /// Djiboutian Franc
    Djf = "DJF", 1;
    /// Danish Krone
    Dkk = "DKK", 100;
    /// Dominican Peso
    Dop = "DOP", 100;
    /// Algerian Dinar
    Dzd = "DZD", 100;
    /// Egyptian Pound
    Egp = "EGP", 100;
    /// Ethiopian Birr
    Etb = "ETB", 100;
    /// Euro
    Eur = "EUR", 100;
    /// Fijian Dollar
    Fjd = "FJD", 100;
    /// Falkland Pound
    Fkp = "FKP", 100;
    /// British Pound
    Gbp = "GBP", 100;
    /// Georgian Lari
    Gel = "GEL", 100;
    /// Ghanaian Cedi
    Ghs = "GHS", 100;
    /// Gibraltar Pound
    Gip = "GIP", 100;
    /// Gambian Dalasi
    Gmd = "GMD", 100;
    /// Guinean Franc
    Gnf = "GNF", 1;
    /// Guatemalan Quetzal
    Gtq = "GTQ", 100;
    /// Guyanese Dollar
    Gyd = "GYD", 100;
    /// Hong Kong Dollar
    Hkd = "HKD", 100;
    /// Honduran Lempira
    Hnl = "HNL", 100;
    /// Croatian Kuna
    Hrk = "HRK", 100;
    /// Haitian Gourde
    Htg = "HTG", 100;
    /// Hungarian Forint
    Huf = "HUF", 1;
    /// Indonesian Rupiah
    Idr = "IDR", 100;
    /// Israeli New Sheqel
    Ils = "ILS", 100;
    /// Indian Rupee
    Inr = "INR", 100;
    /// Iranian Rial
    Irr = "IRR", 100;
    /// Icelandic Króna
    Isk = "ISK", 1;
    /// Jamaican Dollar
    Jmd = "JMD", 100;
    /// Jordanian Dinar
    Jod = "JOD", 1000;
    /// Japanese Yen
    Jpy = "JPY", 1;
    /// Kenyan Shilling
    Kes = "KES", 100;
    /// Kyrgyzstani Som
    Kgs = "KGS", 100;
    /// Cambodian Riel
    Khr = "KHR", 100;
    /// Comorian Franc
    Kmf = "KMF", 1;
    /// South Korean Won
    Krw = "KRW", 1;
    /// Kuwaiti Dinar
    Kwd = "KWD", 1000;
    /// Cayman Islands Dollar
    Kyd = "KYD", 100;
    /// Kazakhstani Tenge
    Kzt = "KZT", 100;
    /// Lao Kip
    Lak = "LAK", 100;
    /// Lebanese Pound
    Lbp = "LBP", 100;
    /// Sri Lankan Rupee
    Lkr = "LKR", 100;
    /// Liberian Dollar
    Lrd = "LRD", 100;
    /// Lesotho Loti
    Lsl = "LSL", 100;
    /// Moroccan Dirham
    Mad = "MAD", 100;
    /// Moldovan Leu
    Mdl = "MDL", 100;
    /// Malagasy Ariary
    Mga = "MGA", 1;
    /// Macedonian Denar
    Mkd = "MKD", 100;
    /// Myanmar Kyat
    Mmk = "MMK", 100;
    /// Mongolian Tögrög
    Mnt = "MNT", 100;
    /// Macanese Pataca
    Mop = "MOP", 100;
    /// Mauritanian Ouguiya
    Mro = "MRO", 5;
    /// Mauritian Rupee
    Mur = "MUR", 100;
    /// Maldivian Rufiyaa
    Mvr = "MVR", 100;
    /// Malawian Kwacha
    Mwk = "MWK", 100;
    /// Mexican Peso
    Mxn = "MXN", 100;
    /// Malaysian Ringgit
    Myr = "MYR", 100;
    /// Mozambican Metical
    Mzn = "MZN", 100;
    /// Namibian Dollar
    Nad = "NAD", 100;
    /// Nigerian Naira
    Ngn = "NGN", 100;
    /// Nicaraguan Córdoba
    Nio = "NIO", 100;
    /// Norwegian Krone
    Nok = "NOK", 100;
    /// Nepalese Rupee
    Npr = "NPR", 100;
    /// New Zealand Dollar
    Nzd = "NZD", 100;
    /// Panamanian Balboa
    Pab = "PAB", 100;
    /// Peruvian Sol
    Pen = "PEN", 100;
    /// Papua New Guinean Kina
    Pgk = "PGK", 100;
    /// Philippine Peso
    Php = "PHP", 100;
    /// Pakistani Rupee
    Pkr = "PKR", 100;
    /// Polish Złoty
    Pln = "PLN", 100;
    /// Paraguayan Guaraní
    Pyg = "PYG", 1;
    /// Qatari Riyal
    Qar = "QAR", 100;
    /// Romanian Leu
    Ron = "RON", 100;
    /// Serbian Dinar
    Rsd = "RSD", 100;
    /// Russian Ruble
    Rub = "RUB", 100;
    /// Rwandan Franc
    Rwf = "RWF", 1;
    /// Saudi Riyal
    Sar = "SAR", 100;
    /// Solomon Islands Dollar
    Sbd = "SBD", 100;
    /// Seychellois Rupee
    Scr = "SCR", 100;
    /// Swedish Krona
    Sek = "SEK", 100;
    /// Singapore Dollar
    Sgd = "SGD", 100;
    /// Saint Helenian Pound
    Shp = "SHP", 100;
    /// Sierra Leonean Leone
    Sll = "SLL", 100;
    /// Somali Shilling
    Sos = "SOS", 100;
    /// Surinamese Dollar
    Srd = "SRD", 100;
    /// São Tomé and Príncipe Dobra
    Std = "STD", 100;
    /// Swazi Lilangeni
    Szl = "SZL", 100;
    /// Thai Baht
    Thb = "THB", 100;
    /// Tajikistani Somoni
    Tjs = "TJS", 100;
    /// Tongan Paʻanga
    Top = "TOP", 100;
    /// Turkish Lira
    Try = "TRY", 100;
    /// Trinidad and Tobago Dollar
    Ttd = "TTD", 100;
    /// New Taiwan Dollar
    Twd = "TWD", 100;
    /// Tanzanian Shilling
    Tzs = "TZS", 100;
    /// Ukrainian Hryvnia
    Uah = "UAH", 100;
    /// Ugandan Shilling
    Ugx = "UGX", 1;
    /// United States Dollar
    Usd = "USD", 100;
    /// Uruguayan Peso
    Uyu = "UYU", 100;
    /// Uzbekistan Som
    Uzs = "UZS", 100;
    /// Vietnamese Đồng
    Vnd = "VND", 1;
    /// Vanuatu Vatu
    Vuv = "VUV", 1;
    /// Samoan Tala
    Wst = "WST", 100;
    /// Central African Cfa Franc
    Xaf = "XAF", 1;
    /// East Caribbean Dollar
    Xcd = "XCD", 100;
    /// West African Cfa Franc
    Xof = "XOF", 1;
    /// Cfp Franc
    Xpf = "XPF", 1;
    /// Yemeni Rial
    Yer = "YER", 100;
    /// South African Rand
    Zar = "ZAR", 100;
    /// Zambian Kwacha
    Zmw = "ZMW", 100;
}

impl Currency {
    /// Looks a currency up by its ISO 4217 code (upper case, as Lago requires), naming `path` when unknown.
    ///
    /// ```
    /// use lagom_core::money::Currency;
    /// assert_eq!(Currency::from_code("CLF", "currency").unwrap(), Currency::Clf);
    /// let err = Currency::from_code("usd", "plan.amount_currency").unwrap_err();
    /// assert_eq!(err.path(), Some("plan.amount_currency"));
    /// assert!(err.to_string().starts_with("plan.amount_currency: unknown currency `usd`, expected one of `AED`, `AFN`"));
    /// ```
    pub fn from_code(code: &str, path: &str) -> Result<Currency> {
        Currency::ALL
            .iter()
            .copied()
            .find(|c| c.code() == code)
            .ok_or_else(|| Error::unknown_variant(path, "currency", code, Currency::CODES))
    }

    /// The number of decimals Lago rounds an amount to: `round(log10(subunit_to_unit))`, the Money gem's
    /// `exponent`. A currency whose minor unit is not a power of ten (MRO: 5) gets the nearest one.
    ///
    /// ```
    /// use lagom_core::money::Currency;
    /// assert_eq!(Currency::Usd.exponent(), 2);
    /// assert_eq!(Currency::Jpy.exponent(), 0);
    /// assert_eq!(Currency::Kwd.exponent(), 3);
    /// assert_eq!(Currency::Clf.exponent(), 4);
    /// assert_eq!(Currency::Mro.exponent(), 1); // log10(5) ≈ 0.7
    /// ```
    pub const fn exponent(self) -> u32 {
        // round(log10(n)) = k exactly when 10^(2k-1) <= n² < 10^(2k+1); integers only, no float.
        let square = self.subunit_to_unit() as u64 * self.subunit_to_unit() as u64;
        let mut k = 0;
        while square >= 10u64.pow(2 * k + 1) {
            k += 1;
        }
        k
    }

    /// An amount in currency units rounded as Lago rounds a fee amount: to [`Currency::exponent`]
    /// decimals, half away from zero (Ruby's `BigDecimal#round` default).
    ///
    /// ```
    /// use lagom_core::money::Currency;
    /// use lagom_core::decimal::Decimal;
    /// assert_eq!(Currency::Usd.round(Decimal::new(12345, 3)), Decimal::new(1235, 2)); // 12.345 → 12.35
    /// assert_eq!(Currency::Usd.round(Decimal::new(-12345, 3)), Decimal::new(-1235, 2));
    /// assert_eq!(Currency::Jpy.round(Decimal::new(5, 1)), Decimal::ONE); // 0.5 → 1
    /// ```
    pub fn round(self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.exponent(), RoundingStrategy::MidpointAwayFromZero)
    }

    /// Lago's `amount_cents` of an amount in currency units: the amount [rounded](Currency::round), times
    /// `subunit_to_unit`, stored in an integer column (which drops a fraction left by MRO's 5 subunits).
    ///
    /// ```
    /// use lagom_core::money::Currency;
    /// use lagom_core::decimal::Decimal;
    /// assert_eq!(Currency::Usd.to_cents(Decimal::new(12345, 3)).unwrap(), 1235);
    /// assert_eq!(Currency::Kwd.to_cents(Decimal::new(12345, 4)).unwrap(), 1235); // 1.2345 → 1.235 → 1235 fils
    /// assert!(Currency::Usd.to_cents(Decimal::MAX).is_err());
    /// ```
    pub fn to_cents(self, amount: Decimal) -> Result<i64> {
        let cents = decimal::mul(
            self.round(amount),
            Decimal::from(self.subunit_to_unit()),
            "amount_cents",
        )?;
        cents_from_integral(cents.trunc(), "amount_cents")
    }

    /// An amount in currency units as exact cents, unrounded: Lago's `precise_amount_cents`.
    ///
    /// ```
    /// use lagom_core::money::Currency;
    /// use lagom_core::decimal::Decimal;
    /// assert_eq!(Currency::Usd.to_precise_cents(Decimal::new(12345, 3)).unwrap(), Decimal::new(12345, 1));
    /// ```
    pub fn to_precise_cents(self, amount: Decimal) -> Result<Decimal> {
        decimal::mul(
            amount,
            Decimal::from(self.subunit_to_unit()),
            "precise_amount_cents",
        )
    }

    /// Cents (integer or precise) back to currency units: `cents ÷ subunit_to_unit`.
    ///
    /// ```
    /// use lagom_core::money::Currency;
    /// use lagom_core::decimal::Decimal;
    /// assert_eq!(Currency::Usd.to_units(Decimal::from(1235)), Decimal::new(1235, 2));
    /// assert_eq!(Currency::Jpy.to_units(Decimal::from(1235)), Decimal::from(1235));
    /// assert_eq!(Currency::Mro.to_units(Decimal::from(7)), Decimal::new(14, 1));
    /// ```
    pub fn to_units(self, cents: Decimal) -> Decimal {
        // Dividing by 1, 5, 100, 1000 or 10000 only shifts the scale (÷5 = ×2 ÷10), so it is exact
        // unless the cents already carry 25+ decimals; the divisor is never zero and the quotient is
        // no larger than the dividend, so it can neither fail nor overflow.
        cents / Decimal::from(self.subunit_to_unit())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;

    /// Parses an ISO 4217 code; the error has an empty path (use [`Currency::from_code`] to name one).
    ///
    /// ```
    /// let gbp: lagom_core::money::Currency = "GBP".parse().unwrap();
    /// assert_eq!(gbp.subunit_to_unit(), 100);
    /// ```
    fn from_str(code: &str) -> Result<Currency> {
        Currency::from_code(code, "")
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// A currency is its ISO 4217 code in JSON (`"EUR"`).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Z]{3}$"))
            .description(Some(
                "An ISO 4217 currency code that Lago accepts, e.g. `EUR`.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Currency {}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Currency, D::Error> {
        struct CodeVisitor;

        impl Visitor<'_> for CodeVisitor {
            type Value = Currency;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an ISO 4217 currency code such as \"USD\"")
            }

            fn visit_str<E: de::Error>(self, code: &str) -> Result<Currency, E> {
                Currency::from_code(code, "").map_err(|_| E::unknown_variant(code, Currency::CODES))
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

/// Precise cents rounded to integer cents as Lago does (`.round` on a precise amount: half away from
/// zero), failing when the result does not fit in an `i64`.
///
/// ```
/// use lagom_core::money::round_cents;
/// use lagom_core::decimal::Decimal;
/// assert_eq!(round_cents(Decimal::new(25, 1)).unwrap(), 3); // 2.5 → 3
/// assert_eq!(round_cents(Decimal::new(-25, 1)).unwrap(), -3);
/// assert_eq!(round_cents(Decimal::new(2449, 3)).unwrap(), 2);
/// assert!(round_cents(Decimal::MAX).is_err());
/// ```
pub fn round_cents(precise_cents: Decimal) -> Result<i64> {
    let rounded = precise_cents.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    cents_from_integral(rounded, "amount_cents")
}

fn cents_from_integral(cents: Decimal, what: &str) -> Result<i64> {
    i64::try_from(cents).map_err(|_| Error::Overflow {
        what: what.to_owned(),
    })
}

/// `a + b` in cents, or an overflow error naming `what` was being computed.
///
/// ```
/// use lagom_core::money::add_cents;
/// assert_eq!(add_cents(1_000, 235, "total_amount_cents").unwrap(), 1_235);
/// assert_eq!(
///     add_cents(i64::MAX, 1, "total_amount_cents").unwrap_err().to_string(),
///     "total_amount_cents: arithmetic overflow"
/// );
/// ```
pub fn add_cents(a: i64, b: i64, what: &str) -> Result<i64> {
    a.checked_add(b).ok_or_else(|| Error::Overflow {
        what: what.to_owned(),
    })
}

/// `a - b` in cents, or an overflow error.
///
/// ```
/// use lagom_core::money::sub_cents;
/// assert_eq!(sub_cents(1_000, 1_235, "balance_cents").unwrap(), -235);
/// assert!(sub_cents(i64::MIN, 1, "balance_cents").is_err());
/// ```
pub fn sub_cents(a: i64, b: i64, what: &str) -> Result<i64> {
    a.checked_sub(b).ok_or_else(|| Error::Overflow {
        what: what.to_owned(),
    })
}

/// Sums cents, failing on overflow.
///
/// ```
/// use lagom_core::money::sum_cents;
/// assert_eq!(sum_cents([100, 250, -50], "fees_amount_cents").unwrap(), 300);
/// assert!(sum_cents([i64::MAX, 1], "fees_amount_cents").is_err());
/// ```
pub fn sum_cents(values: impl IntoIterator<Item = i64>, what: &str) -> Result<i64> {
    values
        .into_iter()
        .try_fold(0i64, |acc, v| add_cents(acc, v, what))
}

/// Serde adapter for a decimal that Lago writes as a JSON number (a tax rate, a fee's `taxes_rate`):
/// reads a number or a string, writes an integer when the value is whole and a JSON float otherwise.
///
/// Only rates and display values go through here; amounts stay exact decimals everywhere else.
///
/// ```
/// use lagom_core::decimal::Decimal;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Tax {
///     #[serde(with = "lagom_core::money::number")]
///     rate: Decimal,
/// }
/// let tax: Tax = serde_json::from_str(r#"{"rate": "20.0"}"#).unwrap();
/// assert_eq!(serde_json::to_string(&tax).unwrap(), r#"{"rate":20}"#);
/// let tax: Tax = serde_json::from_str(r#"{"rate": 5.5}"#).unwrap();
/// assert_eq!(serde_json::to_string(&tax).unwrap(), r#"{"rate":5.5}"#);
/// ```
pub mod number {
    use serde::{Deserializer, Serializer, ser};

    use crate::decimal::{self, Decimal};

    pub fn serialize<S: Serializer>(d: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        let d = d.normalize();
        if d.scale() == 0
            && let Ok(whole) = i64::try_from(d)
        {
            return serializer.serialize_i64(whole);
        }
        let text = decimal::to_text(d);
        let float: f64 = text
            .parse()
            .map_err(|_| ser::Error::custom(format!("{text} is not a JSON number")))?;
        serializer.serialize_f64(float)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        decimal::lenient::deserialize(deserializer)
    }
}

/// Serde adapter for an optional decimal that Lago writes as a JSON number (see [`number`]).
///
/// ```
/// use lagom_core::decimal::Decimal;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Coupon {
///     #[serde(default, with = "lagom_core::money::number_option")]
///     percentage_rate: Option<Decimal>,
/// }
/// let c: Coupon = serde_json::from_str(r#"{"percentage_rate": "10.5"}"#).unwrap();
/// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"percentage_rate":10.5}"#);
/// ```
pub mod number_option {
    use serde::{Deserializer, Serializer};

    use crate::decimal::Decimal;

    pub fn serialize<S: Serializer>(d: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::number::serialize(d, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        crate::decimal::lenient_option::deserialize(deserializer)
    }
}
