//! Blank fees and invoices for the documents this module makes itself (one-off invoices, wallet
//! purchase invoices): every optional field empty, amounts to be filled in.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::decimal::Decimal;
use crate::fee::{Fee, FeeItem, FeeType};
use crate::invoice::{Invoice, InvoiceStatus, InvoiceType};
use crate::money::Currency;

/// What a fee is for: its type, code and name, the id of the billed object and its Lago model.
pub(crate) fn item(
    kind: FeeType,
    code: &str,
    name: &str,
    lago_item_id: Option<String>,
    item_type: &str,
) -> FeeItem {
    FeeItem {
        kind,
        code: code.to_owned(),
        name: name.to_owned(),
        description: None,
        invoice_display_name: None,
        filter_invoice_display_name: None,
        filters: None,
        lago_item_id,
        item_type: Some(item_type.to_owned()),
        grouped_by: serde_json::Map::new(),
    }
}

/// An untaxed fee of `amount_cents` (`precise_amount` in currency units) for `units`.
pub(crate) fn fee(
    item: FeeItem,
    amount_cents: i64,
    precise_amount: Decimal,
    units: Decimal,
    currency: Currency,
    at: Timestamp,
) -> Fee {
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
        amount_cents,
        precise_amount: Some(precise_amount),
        precise_total_amount: None,
        amount_currency: currency,
        taxes_amount_cents: 0,
        taxes_precise_amount: None,
        taxes_rate: Decimal::ZERO,
        units,
        precise_unit_amount: None,
        total_aggregated_units: None,
        total_amount_cents: amount_cents,
        total_amount_currency: Some(currency),
        events_count: None,
        pay_in_advance: false,
        invoiceable: true,
        from_date: None,
        to_date: None,
        payment_status: None,
        created_at: Some(at),
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

/// A finalized invoice of `fees` whose totals are still zero.
pub(crate) fn invoice(
    invoice_type: InvoiceType,
    currency: Currency,
    issuing_date: Date,
    at: Timestamp,
    fees: Vec<Fee>,
) -> Invoice {
    Invoice {
        lago_id: None,
        billing_entity_code: None,
        sequential_id: None,
        number: None,
        issuing_date,
        payment_due_date: None,
        payment_overdue: None,
        net_payment_term: None,
        invoice_type,
        status: InvoiceStatus::Finalized,
        payment_status: None,
        currency,
        fees_amount_cents: 0,
        coupons_amount_cents: 0,
        credit_notes_amount_cents: 0,
        sub_total_excluding_taxes_amount_cents: 0,
        taxes_amount_cents: 0,
        sub_total_including_taxes_amount_cents: 0,
        prepaid_credit_amount_cents: 0,
        prepaid_granted_credit_amount_cents: None,
        prepaid_purchased_credit_amount_cents: None,
        progressive_billing_credit_amount_cents: Some(0),
        total_amount_cents: 0,
        version_number: None,
        self_billed: None,
        created_at: Some(at),
        updated_at: None,
        applied_taxes: Vec::new(),
        applied_usage_thresholds: Vec::new(),
        billing_periods: Vec::new(),
        credits: Vec::new(),
        fees,
    }
}
