//! Fuzzes the three eval contracts: any input must give an answer or an error, never a panic.
//!
//! The first byte picks the contract, the rest is the JSON document. Seed the corpus with the fixture
//! inputs (`./x fuzz` does) so the fuzzer starts from documents the contracts accept.
#![no_main]

use lagom_core::eval::Contract;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, document)) = data.split_first() else { return };
    let Ok(document) = std::str::from_utf8(document) else { return };
    let contract = match selector % 3 {
        0 => Contract::Charge,
        1 => Contract::Aggregation,
        _ => Contract::Period,
    };
    let _ = contract.run(document);
});
