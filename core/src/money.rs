//! Currencies and cents: ISO 4217 codes with their minor units, and Lago's rounding of amounts to cents.
