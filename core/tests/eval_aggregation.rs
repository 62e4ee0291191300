//! The `aggregation` contract against hand-worked fixtures (natively and under wasm32).
mod common;

use lagom_core::eval::Contract;

fixture_tests!(Contract::Aggregation;
    count => "aggregation/count.json",
    sum => "aggregation/sum.json",
    max => "aggregation/max.json",
    latest => "aggregation/latest.json",
    unique_count => "aggregation/unique_count.json",
    weighted_sum => "aggregation/weighted_sum.json",
    custom => "aggregation/custom.json",
    filters => "aggregation/filters.json",
    grouped_by => "aggregation/grouped_by.json",
    recurring => "aggregation/recurring.json",
    prorated => "aggregation/prorated.json",
    rounding => "aggregation/rounding.json",
    boundaries => "aggregation/boundaries.json",
    bad_inputs => "aggregation/bad_inputs.json",
    expression => "aggregation/expression.json",
);
