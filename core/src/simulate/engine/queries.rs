//! The timeline's queries, each answered from the engine's state at its step and recorded in the
//! output: `current_usage`, `past_usage`, `lifetime_usage`, `estimate_fees` and `preview_invoice`.
//! Queries change nothing: a preview or an estimate leaves no invoice, fee or id behind.

use jiff::Timestamp;

use super::progressive::threshold_completion;
use super::{Engine, Occasion, empty_invoice, fee_currency};
use crate::decimal;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::fee::{Fee, FeeType};
use crate::invoice::{FeeContext, Invoice, InvoiceStatus, InvoicingReason, preview};
use crate::money::{Currency, add_cents, sum_cents};
use crate::simulate::events::StoredEvent;
use crate::simulate::output::{
    FeeEstimate, InvoicePreview, LifetimeUsageAnswer, PastUsageAnswer, UsageAnswer,
};
use crate::simulate::scenario::{
    FeeEstimateQuery, InvoicePreviewQuery, LifetimeUsageQuery, PastUsageQuery, UsageQuery,
};
use crate::subscription::SubscriptionStatus;
use crate::usage::{ChargeUsage, CustomerUsage, LifetimeUsage, UsageBillableMetric, UsageCharge};

impl Engine<'_> {
    /// The active subscription of `external_id`, or an error at `path`.
    fn started_subscription(&self, external_id: &str, path: &str) -> Result<usize> {
        let s = self.live_subscription(external_id, path)?;
        if self.subscriptions[s].status != SubscriptionStatus::Active {
            return Err(Error::invalid(path, "the subscription has not started"));
        }
        Ok(s)
    }

    fn currency_of(&self, s: usize) -> Currency {
        let sub = &self.subscriptions[s];
        fee_currency(
            &self.customers[sub.customer].customer,
            &self.catalog.plans[sub.plan].plan.amount_currency,
        )
    }

    /// `GET /customers/{id}/current_usage`: the running period's charges, with their taxes.
    pub(super) fn current_usage(&mut self, query: &UsageQuery, at: Timestamp) -> Result<()> {
        let s = self.started_subscription(
            &query.external_subscription_id,
            "body.external_subscription_id",
        )?;
        let boundaries = self.current_period(s, at)?;
        let (from, to) = (boundaries.from_datetime, boundaries.to_datetime);
        let customer = self.subscriptions[s].customer;
        let currency = self.currency_of(s);
        let (fees, _) = self.charge_fees(s, &boundaries, currency)?;
        let (fees, contexts): (Vec<Fee>, Vec<FeeContext>) = fees.into_iter().unzip();
        let charges_usage = self.charges_usage(fees.iter(), currency)?;
        let mut draft = Invoice {
            fees,
            ..empty_invoice(currency, self.local_date(s, at))
        };
        self.draft_invoice(&mut draft, &contexts, &[], customer, at)?;
        let usage = CustomerUsage {
            from_datetime: from,
            to_datetime: to,
            issuing_date: self.local_date(s, to),
            lago_invoice_id: None,
            currency,
            amount_cents: draft.fees_amount_cents,
            taxes_amount_cents: draft.taxes_amount_cents,
            total_amount_cents: draft.sub_total_including_taxes_amount_cents,
            charges_usage,
        };
        self.out.current_usage.push(UsageAnswer {
            at,
            external_subscription_id: query.external_subscription_id.clone(),
            usage,
        });
        Ok(())
    }

    /// Lago's `PastUsageQuery`: one period per invoice of the subscription's `external_id`
    /// (any invoice type or status), latest charges period first; the amounts are the whole
    /// invoice's (`PastUsageSerializer`), the charges its charge fees of that `external_id` (of
    /// `billable_metric_code` when given).
    pub(super) fn past_usage(&mut self, query: &PastUsageQuery, at: Timestamp) -> Result<()> {
        let customer = self.customer(&query.external_customer_id, "body.external_customer_id")?;
        if let Some(code) = &query.billable_metric_code
            && self.catalog.metric(code).is_none()
        {
            return Err(Error::invalid(
                "body.billable_metric_code",
                format!("unknown billable metric code `{code}`"),
            ));
        }
        let external_id = query.external_subscription_id.as_str();
        let mut periods = Vec::new();
        for (i, invoice) in self.out.invoices.iter().enumerate() {
            if self.invoice_customers[i] != customer {
                continue;
            }
            for period in &invoice.billing_periods {
                if period.external_subscription_id != external_id {
                    continue;
                }
                let charges = invoice.fees.iter().filter(|f| {
                    f.item.kind == FeeType::Charge
                        && f.external_subscription_id.as_deref() == Some(external_id)
                        && query
                            .billable_metric_code
                            .as_ref()
                            .is_none_or(|code| &f.item.code == code)
                });
                let taxes = sum_cents(
                    invoice.fees.iter().map(|f| f.taxes_amount_cents),
                    "taxes_amount_cents",
                )?;
                periods.push((
                    i,
                    CustomerUsage {
                        from_datetime: period.charges_from_datetime,
                        to_datetime: period.charges_to_datetime,
                        issuing_date: invoice.issuing_date,
                        lago_invoice_id: invoice.lago_id.clone(),
                        currency: invoice.currency,
                        amount_cents: invoice.fees_amount_cents,
                        taxes_amount_cents: taxes,
                        total_amount_cents: add_cents(
                            invoice.fees_amount_cents,
                            taxes,
                            "total_amount_cents",
                        )?,
                        charges_usage: self.charges_usage(charges, invoice.currency)?,
                    },
                ));
            }
        }
        // Latest charges period first, then the latest invoice (Lago orders by
        // `charges_from_datetime DESC, created_at DESC`).
        periods.sort_by_key(|(i, p)| std::cmp::Reverse((p.from_datetime, *i)));
        let mut periods: Vec<CustomerUsage> = periods.into_iter().map(|(_, p)| p).collect();
        if let Some(count) = query.periods_count {
            periods.truncate(count);
        }
        self.out.past_usage.push(PastUsageAnswer {
            at,
            external_subscription_id: query.external_subscription_id.clone(),
            usage_periods: periods,
        });
        Ok(())
    }

    /// `GET /subscriptions/{id}/lifetime_usage`, with the progress toward each usage threshold
    /// (Lago's `UsageThresholdsCompletionService`).
    pub(super) fn lifetime_usage(
        &mut self,
        query: &LifetimeUsageQuery,
        at: Timestamp,
    ) -> Result<()> {
        let s = self.started_subscription(
            &query.external_subscription_id,
            "body.external_subscription_id",
        )?;
        let amounts = self.lifetime_amounts(s, at)?;
        let sub = &self.subscriptions[s];
        let thresholds = &self.catalog.plans[sub.plan].plan.usage_thresholds;
        let applied: Vec<_> = self
            .family(s)
            .flat_map(|member| &member.progressive_invoices)
            .filter_map(|&i| self.out.invoices.get(i))
            .flat_map(|invoice| &invoice.applied_usage_thresholds)
            .collect();
        let usage_thresholds = threshold_completion(thresholds, amounts.total()?, &applied, at)?;
        self.out.lifetime_usage.push(LifetimeUsageAnswer {
            at,
            lifetime_usage: LifetimeUsage {
                lago_id: None,
                lago_subscription_id: Some(sub.lago_id.clone()),
                external_subscription_id: sub.body.external_id.clone(),
                external_historical_usage_amount_cents: amounts.historical,
                invoiced_usage_amount_cents: amounts.invoiced,
                current_usage_amount_cents: amounts.current,
                from_datetime: Some(sub.subscription_at),
                to_datetime: Some(at),
                usage_thresholds,
            },
        });
        Ok(())
    }

    /// Lago's `Fees::EstimatePayInAdvanceService`: the fees of the plan's pay-in-advance charges
    /// on the event's metric if the event arrived now, with their taxes, nothing kept.
    pub(super) fn estimate_fees(&mut self, query: &FeeEstimateQuery, at: Timestamp) -> Result<()> {
        let estimated = &query.event;
        let s = self.started_subscription(
            &estimated.external_subscription_id,
            "body.event.external_subscription_id",
        )?;
        let event = Event {
            transaction_id: String::new(),
            external_subscription_id: Some(estimated.external_subscription_id.clone()),
            external_customer_id: None,
            code: estimated.code.clone(),
            timestamp: at,
            properties: estimated.properties.clone(),
            precise_total_amount_cents: estimated.precise_total_amount_cents,
        };
        let metric = self.catalog.metric(&estimated.code);
        let mut events: Vec<StoredEvent> = metric
            .map(|m| self.events.events(&estimated.external_subscription_id, m))
            .unwrap_or_default()
            .to_vec();
        let position = events.partition_point(|e| e.timestamp <= at);
        events.insert(position, StoredEvent::Completed(event));
        let in_advance = match metric {
            Some(m) => self.in_advance_fees(s, m, &events, position)?,
            None => None,
        };
        let priced = match in_advance {
            Some((_, priced)) if !priced.is_empty() => priced,
            _ => {
                return Err(Error::invalid(
                    "body.event.code",
                    format!(
                        "`{}` matches no pay-in-advance charge of the subscription's plan",
                        estimated.code
                    ),
                ));
            }
        };
        let customer = self.subscriptions[s].customer;
        let currency = self.currency_of(s);
        let mut fees = Vec::with_capacity(priced.len());
        for (mut fee, context, _) in priced {
            fee.event_transaction_id = None;
            let mut draft = Invoice {
                fees: vec![fee],
                ..empty_invoice(currency, self.local_date(s, at))
            };
            self.draft_invoice(&mut draft, &[context], &[], customer, at)?;
            fees.append(&mut draft.fees);
        }
        self.out.fee_estimates.push(FeeEstimate {
            at,
            external_subscription_id: estimated.external_subscription_id.clone(),
            fees,
        });
        Ok(())
    }

    /// `POST /invoices/preview` for existing subscriptions: the invoice of their next billing day,
    /// built as the clock would build it then from what is known now, with the customer's coupons,
    /// credit notes and wallets applied but not used up ([`crate::invoice::preview`]).
    pub(super) fn preview_invoice(
        &mut self,
        query: &InvoicePreviewQuery,
        at: Timestamp,
    ) -> Result<()> {
        let customer = self.customer(&query.customer.external_id, "body.customer.external_id")?;
        let mut subs = Vec::with_capacity(query.subscriptions.external_ids.len());
        for (i, external_id) in query.subscriptions.external_ids.iter().enumerate() {
            let path = format!("body.subscriptions.external_ids[{i}]");
            let s = self.started_subscription(external_id, &path)?;
            if self.subscriptions[s].customer != customer {
                return Err(Error::invalid(
                    path,
                    format!("`{external_id}` is not a subscription of this customer"),
                ));
            }
            subs.push(s);
        }
        let billing_at = subs
            .iter()
            .filter_map(|&s| self.subscriptions[s].next_billing)
            .min()
            .ok_or_else(|| {
                Error::invalid(
                    "body.subscriptions.external_ids",
                    "names no subscription with a billing day ahead",
                )
            })?;
        if let Some(i) = subs
            .iter()
            .position(|&s| self.subscriptions[s].next_billing != Some(billing_at))
        {
            return Err(Error::invalid(
                format!("body.subscriptions.external_ids[{i}]"),
                "is billed on another day than the first subscription: preview them apart",
            ));
        }
        // Building an invoice records it on its subscriptions and numbers its fees: undo both.
        let fee_counter = self.counters.fee;
        let recorded: Vec<(usize, usize)> = subs
            .iter()
            .map(|&s| {
                let sub = &self.subscriptions[s];
                (sub.subscription_fees.len(), sub.invoices.len())
            })
            .collect();
        let index = self.out.invoices.len();
        let built = self.build_invoice(
            &subs,
            billing_at,
            Occasion::Reason(InvoicingReason::SubscriptionPeriodic),
            false,
            index,
            String::new(),
        );
        self.counters.fee = fee_counter;
        for (&s, &(fees, invoices)) in subs.iter().zip(&recorded) {
            self.subscriptions[s].subscription_fees.truncate(fees);
            self.subscriptions[s].invoices.truncate(invoices);
        }
        let (mut invoice, contexts) = built?;
        invoice.lago_id = None;
        invoice.sequential_id = None;
        invoice.status = InvoiceStatus::Draft;
        for fee in &mut invoice.fees {
            fee.lago_id = None;
            fee.lago_invoice_id = None;
            fee.lago_true_up_fee_id = None;
            fee.lago_true_up_parent_fee_id = None;
        }
        let credits = self.progressive_credits(&subs, &invoice, billing_at, false)?;
        let context = self.invoice_context(customer, &contexts, &credits, billing_at);
        preview(&mut invoice, &context, &self.customers[customer].balances)?;
        self.out.invoice_previews.push(InvoicePreview {
            at,
            external_customer_id: query.customer.external_id.clone(),
            invoice,
        });
        Ok(())
    }

    /// Lago's charge usage: the charge fees grouped by charge, units, events and amounts summed.
    fn charges_usage<'f>(
        &self,
        fees: impl Iterator<Item = &'f Fee>,
        currency: Currency,
    ) -> Result<Vec<ChargeUsage>> {
        let mut usage: Vec<ChargeUsage> = Vec::new();
        for fee in fees {
            let charge_id = fee.lago_charge_id.clone().unwrap_or_default();
            let Some(charge) = self
                .catalog
                .plans
                .iter()
                .flat_map(|p| &p.charges)
                .find(|c| c.id == charge_id)
            else {
                continue;
            };
            let events_count = fee.events_count.unwrap_or(0);
            match usage.iter_mut().find(|u| u.charge.lago_id == charge_id) {
                Some(charge_usage) => {
                    charge_usage.units = decimal::add(charge_usage.units, fee.units, "units")?;
                    charge_usage.events_count =
                        add_cents(charge_usage.events_count, events_count, "events_count")?;
                    charge_usage.amount_cents =
                        add_cents(charge_usage.amount_cents, fee.amount_cents, "amount_cents")?;
                }
                None => {
                    let metric = self.catalog.metrics[charge.metric].source;
                    usage.push(ChargeUsage {
                        units: fee.units,
                        total_aggregated_units: None,
                        events_count,
                        amount_cents: fee.amount_cents,
                        amount_currency: currency,
                        charge: UsageCharge {
                            lago_id: charge_id,
                            charge_model: charge.charge.charge_model,
                            invoice_display_name: charge.charge.invoice_display_name.clone(),
                        },
                        billable_metric: UsageBillableMetric {
                            lago_id: format!("bm_{}", metric.code),
                            name: metric.name.clone(),
                            code: metric.code.clone(),
                            aggregation_type: metric.aggregation_type,
                        },
                        filters: Vec::new(),
                        grouped_usage: Vec::new(),
                    });
                }
            }
        }
        Ok(usage)
    }
}
