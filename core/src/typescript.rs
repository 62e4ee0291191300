//! The TypeScript names of what the API types hold but do not define (core feature `typescript`):
//! decimals, instants, currencies and free JSON. The API types' own declarations come from their
//! tsify `Tsify` derives; these aliases complete them. Both reach the npm package's `.d.ts` through
//! wasm-bindgen's `typescript_custom_section`s, which the wasm-bindgen CLI removes from the `.wasm`.
//!
//! A field that reads a value takes every form its serde adapter accepts (a decimal as text or a
//! number, an instant as ISO 8601 text or Unix seconds); a field only ever written is typed as
//! written (a decimal or an instant as text). A type both read and written takes the reading side's
//! wider type.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const ALIASES: &str = r#"
/**
 * A decimal a field reads: a string ("0.015") or a JS number; pass strings when exactness matters (a JS
 * number is a binary float).
 */
export type DecimalInput = string | number;
/** A decimal a field writes, in shortest exact form, e.g. "27.5". */
export type Decimal = string;
/** An instant a field reads: ISO 8601 text ("2024-03-01T00:00:00Z") or Unix seconds. */
export type Instant = string | number;
/** An instant a field writes: ISO 8601 text in UTC, "2024-03-01T00:00:00Z". */
export type Timestamp = string;
/** An ISO 4217 currency code that Lago accepts, e.g. "EUR". */
export type Currency = string;
/** A JSON value: a charge's properties, an event's properties, a charge model's details. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
"#;
