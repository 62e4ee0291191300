//! The fees of one subscription invoice: the subscription fee (in advance or in arrears, prorated
//! by customer-local days, trials taken off) and the charge fees (per charge, filter bucket and
//! group, with the `min_amount_cents` true-up), as Lago's `Fees::SubscriptionService` and
//! `Fees::ChargeService` compute them.
//!
//! Deciding *whether* a fee is due (Lago's `CalculateFeesService` rules) is the engine's job; this
//! module prices what it is asked to. Taxes, coupons and credits come later, in [`crate::invoice`].

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use crate::charge::{CustomAggregation, EventValue, Pricing, PricingInput};
use crate::decimal::{self, Decimal};
use crate::error::Result;
use crate::event::Event;
use crate::fee::{Fee, FeeItem, FeeType};
use crate::invoice::CommitmentTrueUp;
use crate::metric::{Aggregation, AggregationRequest, Period};
use crate::money::{Currency, round_cents};
use crate::period::{Boundaries, billable_from, days_to_bill};
use crate::plan::{MinimumCommitment, Plan};
use crate::simulate::CustomCode;
use crate::simulate::cache::AggregationCache;
use crate::simulate::catalog::{Bucket, CheckedCharge, CheckedMetric};
use crate::simulate::events::Window;

/// How Lago sizes a subscription fee (its `compute_amount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubscriptionAmount {
    /// The whole plan amount, less the trial days when the trial ends inside the period.
    Full,
    /// The days of the (possibly cut) period, at the plan amount divided by the days of the whole
    /// period: a first period, or the last one of a terminated subscription.
    Prorated,
    /// The last period of a subscription paid in arrears that an upgrade ended: prorated, less
    /// the upgrade's day, which the new plan bills (Lago's `Subscription#date_diff_with_timezone`).
    ProratedBeforeUpgrade,
}

/// The subscription fee's precise cents for the period of `boundaries`.
///
/// A trial ending at or after the period's end makes it 0; a trial ending inside the period bills
/// the days from the trial's end (Lago counts them with `date_diff_with_timezone`).
pub(crate) fn subscription_precise_cents(
    amount_cents: i64,
    boundaries: &Boundaries,
    trial_end: Option<Timestamp>,
    sizing: SubscriptionAmount,
    time_zone: &TimeZone,
) -> Result<Decimal> {
    let from = boundaries.from_datetime;
    let to = boundaries.to_datetime;
    let Some(billed_from) = billable_from(from, to, trial_end) else {
        return Ok(Decimal::ZERO);
    };
    if sizing == SubscriptionAmount::Full && billed_from == from {
        return Ok(Decimal::from(amount_cents));
    }
    let mut days = days_to_bill(billed_from, to, time_zone);
    if sizing == SubscriptionAmount::ProratedBeforeUpgrade {
        days = (days - 1).max(0);
    }
    let day_price =
        crate::period::single_day_price(Decimal::from(amount_cents), boundaries.period_duration)?;
    decimal::mul(Decimal::from(days), day_price, "subscription fee")
}

/// What one charge is billed on: its metric, the subscription's events, the charges period.
pub(crate) struct ChargeBilling<'a> {
    pub metric: &'a CheckedMetric<'a>,
    pub charge: &'a CheckedCharge<'a>,
    /// The subscription's events of the charge's metric that can count in the period, earliest
    /// first (see [`crate::simulate::events::EventStore::window`]).
    pub events: Window<'a, 'a>,
    pub period: &'a Period,
    pub currency: Currency,
    /// The number of customer-local days billed of the charges period, for the true-up.
    pub days_billed: i64,
    /// Where period aggregations are reused from, in a session.
    pub cache: Option<&'a AggregationCache>,
    /// The host's code for `custom` charges and `custom_agg` metrics.
    pub custom: &'a dyn CustomCode,
}

/// One charge's fees: one per filter bucket (the filters, then the default bucket) and group, kept
/// when they have units, an amount or events, plus the `min_amount_cents` true-up fee when the
/// charge's fees fall short of its prorated minimum. The true-up's index in the list points at its
/// parent, the first fee of the default bucket (`true_up_parent`).
pub(crate) struct ChargeFees {
    pub fees: Vec<Fee>,
    /// `(true-up fee index, parent fee index)` within `fees`.
    pub true_up: Option<(usize, usize)>,
}

impl<'a> ChargeBilling<'a> {
    pub fn fees(&self) -> Result<ChargeFees> {
        let charge = self.charge.charge;
        let grouped_by = group_keys(&charge.properties);
        let mut computed: Vec<(Fee, bool)> = Vec::new();
        let mut parent = None;
        for bucket in &self.charge.buckets {
            let request = AggregationRequest {
                filter: bucket.events.clone(),
                grouped_by: grouped_by.clone(),
                prorated: charge.prorated,
                event_values: self.charge.prices_events(),
                ..self.custom_request()
            };
            let result = match self.cache {
                Some(cache) => cache.aggregate(self.metric, self.events, self.period, &request)?,
                None => self
                    .events
                    .aggregate(&self.metric.metric, self.period, &request)?,
            };
            let rows: Vec<(Map<String, Value>, crate::metric::Aggregation)> = match result.groups {
                None => vec![(Map::new(), result.total)],
                Some(groups) => groups
                    .into_iter()
                    .map(|g| {
                        let keys = g
                            .grouped_by
                            .into_iter()
                            .map(|(k, v)| (k, v.map_or(Value::Null, Value::String)))
                            .collect();
                        (keys, g.aggregation)
                    })
                    .collect(),
            };
            for (keys, aggregation) in rows {
                if bucket.filter_index.is_none() && parent.is_none() {
                    parent = Some(computed.len());
                }
                let fee = self.price(bucket, keys, &aggregation, None)?;
                let keep =
                    !fee.units.is_zero() || fee.amount_cents != 0 || fee.events_count != Some(0);
                computed.push((fee, keep));
            }
        }
        let true_up = match (parent, charge.min_amount_cents) {
            (Some(parent), Some(min)) if min > 0 => self.true_up(&computed, parent, min)?,
            _ => None,
        };
        let mut fees = Vec::with_capacity(computed.len() + 1);
        let mut parent_index = None;
        for (i, (fee, keep)) in computed.into_iter().enumerate() {
            if Some(i) == parent && true_up.is_some() {
                parent_index = Some(fees.len());
                fees.push(fee);
            } else if keep {
                fees.push(fee);
            }
        }
        let true_up = match (true_up, parent_index) {
            (Some(fee), Some(parent)) => {
                fees.push(fee);
                Some((fees.len() - 1, parent))
            }
            _ => None,
        };
        Ok(ChargeFees { fees, true_up })
    }

    /// The fee of the event at `position` in `events` on a pay-in-advance charge: priced with the
    /// period's events of its bucket (and group) including it, minus priced without it. `None`
    /// when the event is outside the period or matches no bucket.
    pub fn in_advance_fee(&self, position: usize) -> Result<Option<Fee>> {
        let events = self.events.stored();
        let Some(event) = events.get(position) else {
            return Ok(None);
        };
        let Some(bucket) = self
            .charge
            .buckets
            .iter()
            .find(|b| b.events.is_all() || b.events.accepts(&event.properties))
        else {
            return Ok(None);
        };
        let keys = group_keys(&self.charge.charge.properties);
        let group = |e: &Event| -> Vec<Option<String>> {
            keys.iter()
                .map(|k| {
                    crate::metric::value::property_text(&e.properties, k)
                        .filter(|t| !t.is_empty())
                        .map(|t| t.into_owned())
                })
                .collect()
        };
        let own_group = group(event);
        let with: Vec<&Event> = events
            .iter()
            .map(|e| &**e)
            .filter(|e| group(e) == own_group)
            .collect();
        let without: Vec<&Event> = with
            .iter()
            .copied()
            .filter(|e| !std::ptr::eq(*e, &**event))
            .collect();
        let request = AggregationRequest {
            filter: bucket.events.clone(),
            prorated: self.charge.charge.prorated,
            event_values: self.charge.prices_events(),
            ..self.custom_request()
        };
        let metric = &self.metric.metric;
        let after = metric.aggregate(&with, self.period, &request)?.total;
        let before = metric.aggregate(&without, self.period, &request)?.total;
        let grouped_by: Map<String, Value> = keys
            .iter()
            .cloned()
            .zip(
                own_group
                    .into_iter()
                    .map(|v| v.map_or(Value::Null, Value::String)),
            )
            .collect();
        let mut fee = self.price(bucket, grouped_by.clone(), &after, None)?;
        let previous = self.price(bucket, grouped_by, &before, Some(event))?;
        let amount = decimal::sub(
            fee.precise_amount.unwrap_or_default(),
            previous.precise_amount.unwrap_or_default(),
            "pay-in-advance fee",
        )?;
        let units = decimal::sub(
            after.aggregation,
            before.aggregation,
            "pay-in-advance units",
        )?;
        fee.amount_cents = self.currency.to_cents(amount)?;
        fee.precise_amount = Some(amount);
        fee.units = units;
        fee.precise_unit_amount = Some(if units.is_zero() {
            Decimal::ZERO
        } else {
            decimal::div(amount, units, "unit amount")?
        });
        fee.events_count = Some(1);
        fee.pay_in_advance = true;
        Ok(Some(fee))
    }

    fn price(
        &self,
        bucket: &Bucket,
        grouped_by: Map<String, Value>,
        aggregation: &crate::metric::Aggregation,
        left_out: Option<&Event>,
    ) -> Result<Fee> {
        let pricing = bucket.pricing.as_ref().unwrap_or(&self.charge.pricing);
        let events = priced_events(pricing, aggregation);
        let custom_aggregation = aggregation.custom_amount.map(|amount| CustomAggregation {
            total_units: aggregation.aggregation,
            amount,
        });
        // Custom code sees the events themselves; other models need only their values.
        let period_events = match pricing {
            Pricing::Custom(_) => self.period_events(bucket, &grouped_by, left_out),
            _ => Vec::new(),
        };
        let input = PricingInput {
            units: aggregation.aggregation,
            full_units: aggregation.full_units_number,
            events: &events,
            subunit_to_unit: Decimal::from(self.currency.subunit_to_unit()),
            custom_aggregation: custom_aggregation.as_ref(),
            period_events: &period_events,
            period: Some((self.period.from_datetime, self.period.to_datetime)),
        };
        let priced = match self.custom.pricing() {
            Some(custom) => pricing.apply_with(&input, custom)?,
            None => pricing.apply(&input)?,
        };
        let charge = self.charge.charge;
        let source = self.metric.source;
        let filter = bucket.filter_index.and_then(|i| charge.filters.get(i));
        let amount_details =
            serde_json::to_value(&priced.amount_details)
                .ok()
                .and_then(|v| match v {
                    Value::Object(map) => Some(map),
                    _ => None,
                });
        let mut fee = blank_fee(
            self.currency,
            FeeItem {
                kind: FeeType::Charge,
                code: source.code.clone(),
                name: source.name.clone(),
                description: source.description.clone(),
                invoice_display_name: charge.invoice_display_name.clone(),
                filter_invoice_display_name: filter.and_then(|f| f.invoice_display_name.clone()),
                filters: filter.map(|f| {
                    f.values
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                        .collect()
                }),
                lago_item_id: Some(format!("bm_{}", source.code)),
                item_type: Some("BillableMetric".to_owned()),
                grouped_by,
            },
        );
        fee.lago_charge_id = Some(self.charge.id.clone());
        fee.lago_charge_filter_id = bucket
            .filter_index
            .map(|i| format!("{}_f{i:02}", self.charge.id));
        fee.amount_cents = self.currency.to_cents(priced.amount)?;
        fee.precise_amount = Some(priced.amount);
        fee.units = aggregation.aggregation;
        fee.total_aggregated_units = aggregation
            .total_aggregated_units
            .or(Some(aggregation.aggregation));
        fee.precise_unit_amount = Some(priced.unit_amount);
        fee.events_count = Some(i64::try_from(aggregation.count.trunc()).unwrap_or(i64::MAX));
        fee.from_date = Some(self.period.from_datetime);
        fee.to_date = Some(self.period.to_datetime);
        fee.invoiceable = charge.invoiceable;
        fee.pay_in_advance = charge.pay_in_advance;
        fee.amount_details = amount_details;
        Ok(fee)
    }

    /// The aggregation request's custom part: the host's aggregator for this charge, and the charge's
    /// `custom_properties` (Lago hands them to the aggregator).
    fn custom_request(&self) -> AggregationRequest<'a> {
        let properties = &self.charge.charge.properties;
        AggregationRequest {
            custom: self.custom.aggregator(properties),
            custom_properties: match properties.get("custom_properties") {
                Some(Value::Object(custom)) => custom.clone(),
                _ => Map::new(),
            },
            ..AggregationRequest::default()
        }
    }

    /// The events of the period that `bucket` takes, of the group `grouped_by` names, earliest first,
    /// but `left_out` (a pay-in-advance event priced without itself).
    fn period_events(
        &self,
        bucket: &Bucket,
        grouped_by: &Map<String, Value>,
        left_out: Option<&Event>,
    ) -> Vec<&'a Event> {
        let in_group = |event: &Event| {
            grouped_by.iter().all(|(key, value)| {
                let own = crate::metric::value::property_text(&event.properties, key)
                    .filter(|t| !t.is_empty());
                own.as_deref() == value.as_str()
            })
        };
        self.events
            .events()
            .into_iter()
            .filter(|e| {
                e.timestamp >= self.period.from_datetime
                    && e.timestamp <= self.period.to_datetime
                    && (bucket.events.is_all() || bucket.events.accepts(&e.properties))
                    && in_group(e)
                    && !left_out.is_some_and(|out| std::ptr::eq(out, *e))
            })
            .collect()
    }

    /// Lago's `CreateTrueUpService`: the minimum prorated by the days billed of the charges period,
    /// less what the charge's fees (kept or not) came to.
    fn true_up(
        &self,
        computed: &[(Fee, bool)],
        parent: usize,
        min_cents: i64,
    ) -> Result<Option<Fee>> {
        let used_cents = crate::money::sum_cents(
            computed.iter().map(|(f, _)| f.amount_cents),
            "used_amount_cents",
        )?;
        let precise: Vec<Decimal> = computed
            .iter()
            .map(|(f, _)| f.precise_amount_cents())
            .collect::<Result<_>>()?;
        let used_precise = decimal::sum(precise, "used_precise_amount_cents")?;
        let duration = self.period.charges_duration()?;
        let prorated_min = decimal::mul(
            decimal::div(
                Decimal::from(min_cents),
                Decimal::from(duration),
                "min_amount_cents",
            )?,
            Decimal::from(self.days_billed),
            "min_amount_cents",
        )?;
        if Decimal::from(used_cents) >= prorated_min {
            return Ok(None);
        }
        let Some((parent_fee, _)) = computed.get(parent) else {
            return Ok(None);
        };
        let amount_cents = round_cents(decimal::sub(
            prorated_min,
            Decimal::from(used_cents),
            "true-up",
        )?)?;
        let precise_cents = decimal::sub(prorated_min, used_precise, "true-up")?;
        let mut fee = parent_fee.clone();
        fee.amount_cents = amount_cents;
        fee.precise_amount = Some(self.currency.to_units(precise_cents));
        fee.precise_unit_amount = fee.precise_amount;
        fee.units = Decimal::ONE;
        fee.total_aggregated_units = Some(Decimal::ONE);
        fee.events_count = Some(0);
        fee.lago_charge_filter_id = None;
        fee.amount_details = None;
        Ok(Some(fee))
    }
}

/// What a charge model reads of the aggregated events: for `dynamic`, the events' total
/// `precise_total_amount_cents` (Lago's `DynamicService` prices the aggregation's total); for a
/// prorated graduated charge, each event's full and prorated value; else each event's value.
fn priced_events(pricing: &Pricing, aggregation: &Aggregation) -> Vec<EventValue> {
    match pricing {
        Pricing::Dynamic(_) => vec![EventValue {
            precise_total_amount_cents: aggregation.precise_total_amount_cents,
            ..EventValue::new(aggregation.aggregation)
        }],
        Pricing::ProratedGraduated(_) => aggregation
            .event_values
            .iter()
            .zip(&aggregation.prorated_event_values)
            .map(|(full, prorated)| EventValue {
                prorated_value: Some(*prorated),
                ..EventValue::new(*full)
            })
            .collect(),
        _ => aggregation
            .event_values
            .iter()
            .map(|v| EventValue::new(*v))
            .collect(),
    }
}

/// The keys a charge groups its fees by: `pricing_group_keys`, else the older `grouped_by`.
fn group_keys(properties: &Map<String, Value>) -> Vec<String> {
    let keys = |name: &str| -> Vec<String> {
        properties
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let pricing = keys("pricing_group_keys");
    if pricing.is_empty() {
        keys("grouped_by")
    } else {
        pricing
    }
}

/// Lago's minimum commitment true-up fee (`Fees::Commitments::Minimum::BuildFeeBaseService`): one
/// unit of `true_up`, named after the plan, displayed as the commitment's name (Lago's default
/// "Minimum commitment"), over the reconciled period `from`..`to`.
pub(crate) fn commitment_fee(
    plan: &Plan,
    commitment: &MinimumCommitment,
    subscription_id: &str,
    true_up: &CommitmentTrueUp,
    (from, to): (Timestamp, Timestamp),
    currency: Currency,
) -> Fee {
    let mut fee = blank_fee(
        currency,
        FeeItem {
            kind: FeeType::Commitment,
            code: plan.code.clone(),
            name: plan.name.clone(),
            description: plan.description.clone(),
            invoice_display_name: Some(
                commitment
                    .invoice_display_name
                    .clone()
                    .unwrap_or_else(|| "Minimum commitment".to_owned()),
            ),
            filter_invoice_display_name: None,
            filters: None,
            lago_item_id: Some(subscription_id.to_owned()),
            item_type: Some("Subscription".to_owned()),
            grouped_by: Map::new(),
        },
    );
    fee.amount_cents = true_up.amount_cents;
    fee.precise_amount = Some(currency.to_units(true_up.precise_amount_cents));
    fee.units = Decimal::ONE;
    fee.precise_unit_amount = Some(currency.to_units(Decimal::from(true_up.amount_cents)));
    fee.from_date = Some(from);
    fee.to_date = Some(to);
    fee
}

/// A fee with nothing billed yet: zero amounts, no taxes, the given item.
pub(crate) fn blank_fee(currency: Currency, item: FeeItem) -> Fee {
    Fee {
        lago_id: None,
        lago_charge_id: None,
        lago_charge_filter_id: None,
        lago_invoice_id: None,
        lago_true_up_fee_id: None,
        lago_true_up_parent_fee_id: None,
        lago_subscription_id: None,
        lago_customer_id: None,
        external_customer_id: None,
        external_subscription_id: None,
        amount_cents: 0,
        precise_amount: None,
        precise_total_amount: None,
        amount_currency: currency,
        taxes_amount_cents: 0,
        taxes_precise_amount: None,
        taxes_rate: Decimal::ZERO,
        units: Decimal::ZERO,
        precise_unit_amount: None,
        total_aggregated_units: None,
        total_amount_cents: 0,
        total_amount_currency: Some(currency),
        events_count: None,
        pay_in_advance: false,
        invoiceable: true,
        from_date: None,
        to_date: None,
        payment_status: None,
        created_at: None,
        succeeded_at: None,
        failed_at: None,
        refunded_at: None,
        event_transaction_id: None,
        description: None,
        precise_coupons_amount_cents: None,
        sub_total_excluding_taxes_amount_cents: None,
        sub_total_excluding_taxes_precise_amount_cents: None,
        amount_details: None,
        self_billed: None,
        item,
        applied_taxes: Vec::new(),
    }
}
