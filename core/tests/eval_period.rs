mod common;
use lagom_core::eval::Contract;
fixture_tests!(
    Contract::Period;
    weekly => "period/weekly.json",
    monthly => "period/monthly.json",
    quarterly => "period/quarterly.json",
    semiannual => "period/semiannual.json",
    yearly => "period/yearly.json",
);
