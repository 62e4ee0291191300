mod common;
use lagom_core::eval::Contract;
fixture_tests!(
    Contract::Period;
    weekly => "period/weekly.json",
    monthly => "period/monthly.json",
    quarterly => "period/quarterly.json",
    semiannual => "period/semiannual.json",
    yearly => "period/yearly.json",
    timezones => "period/timezones.json",
    termination => "period/termination.json",
    trial => "period/trial.json",
    bad_inputs => "period/bad_inputs.json",
);
