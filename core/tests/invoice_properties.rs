//! Invariants of invoice finalization over random fees, tax rates, coupons and wallets.
#![cfg(not(target_arch = "wasm32"))]

use lagom_core::coupon::{AppliedCoupon, Coupon};
use lagom_core::customer::{Customer, Organization};
use lagom_core::decimal::Decimal;
use lagom_core::invoice::{CustomerBalances, FeeContext, Invoice, InvoiceContext, finalize};
use lagom_core::money::Currency;
use lagom_core::tax::Tax;
use lagom_core::wallet::Wallet;
use proptest::prelude::*;
use serde_json::json;

/// A fee: cents and the index of its tax among `TAX_RATES`.
fn fees() -> impl Strategy<Value = Vec<(i64, usize)>> {
    proptest::collection::vec((0i64..=10_000_000, 0usize..3), 1..6)
}

const TAX_RATES: [&str; 3] = ["0", "5.5", "20"];

/// A coupon: percentage (rate in hundredths of a percent) or fixed (cents).
fn coupons() -> impl Strategy<Value = Vec<(bool, i64)>> {
    proptest::collection::vec((any::<bool>(), 1i64..=2_000_000), 0..4)
}

fn invoice(fees: &[(i64, usize)]) -> Invoice {
    let fees: Vec<_> = fees
        .iter()
        .enumerate()
        .map(|(i, (cents, _))| {
            json!({"lago_id": format!("fee_{i}"), "amount_cents": cents,
                "precise_amount": Decimal::new(*cents, 2).to_string(), "amount_currency": "EUR",
                "taxes_amount_cents": 0, "taxes_rate": 0, "units": "1", "total_amount_cents": 0,
                "item": {"type": "charge", "code": format!("m{i}"), "name": "m"}})
        })
        .collect();
    serde_json::from_value(json!({"lago_id": "inv_1", "issuing_date": "2024-02-01",
        "invoice_type": "subscription", "status": "finalized", "currency": "EUR",
        "fees_amount_cents": 0, "coupons_amount_cents": 0, "credit_notes_amount_cents": 0,
        "sub_total_excluding_taxes_amount_cents": 0, "taxes_amount_cents": 0,
        "sub_total_including_taxes_amount_cents": 0, "prepaid_credit_amount_cents": 0,
        "total_amount_cents": 0, "fees": fees}))
    .expect("invoice JSON")
}

fn finalized(
    fees: &[(i64, usize)],
    coupons: &[(bool, i64)],
    wallet_cents: i64,
) -> (Invoice, CustomerBalances) {
    let taxes: Vec<Tax> = TAX_RATES
        .iter()
        .enumerate()
        .map(|(i, rate)| {
            serde_json::from_value(json!({"name": "t", "code": format!("t{i}"), "rate": rate}))
                .expect("tax JSON")
        })
        .collect();
    let contexts: Vec<FeeContext> = fees
        .iter()
        .map(|(_, tax)| FeeContext {
            tax_codes: vec![format!("t{tax}")],
            ..FeeContext::default()
        })
        .collect();
    let customer: Customer =
        serde_json::from_value(json!({"external_id": "c1"})).expect("customer JSON");
    let organization = Organization::default();
    let at = "2024-02-01T00:00:00Z".parse().expect("timestamp");
    let mut balances = CustomerBalances::default();
    for (n, (percentage, value)) in coupons.iter().enumerate() {
        let body = if *percentage {
            json!({"name": "c", "code": format!("c{n}"), "coupon_type": "percentage",
                "percentage_rate": Decimal::new(*value % 10_001, 2).to_string(),
                "frequency": "forever", "expiration": "no_expiration"})
        } else {
            json!({"name": "c", "code": format!("c{n}"), "coupon_type": "fixed_amount",
                "amount_cents": value, "amount_currency": "EUR", "frequency": "forever",
                "expiration": "no_expiration"})
        };
        let coupon: Coupon = serde_json::from_value(body).expect("coupon JSON");
        let applied: AppliedCoupon = serde_json::from_value(
            json!({"external_customer_id": "c1", "coupon_code": coupon.code}),
        )
        .expect("applied coupon JSON");
        balances
            .apply_coupon(&coupon, &applied, &format!("ac_{n}"), at)
            .expect("coupon applies");
    }
    if wallet_cents > 0 {
        let wallet: Wallet = serde_json::from_value(json!({"external_customer_id": "c1",
            "currency": "EUR", "rate_amount": "1",
            "granted_credits": Decimal::new(wallet_cents, 2).to_string()}))
        .expect("wallet JSON");
        balances
            .create_wallet(&wallet, "wal_1", at, Currency::Eur)
            .expect("wallet");
    }
    let mut draft = invoice(fees);
    let context = InvoiceContext {
        organization: &organization,
        customer: &customer,
        taxes: &taxes,
        fees: &contexts,
        at,
        progressive_billing_credits: &[],
    };
    finalize(&mut draft, &context, &mut balances).expect("finalize");
    (draft, balances)
}

proptest! {
    /// Coupons never take more than the fees, nor more than a fee from that fee, and the fees'
    /// shares add up to the coupons (within the 5 decimals Lago keeps per coupon and fee).
    #[test]
    fn coupons_stay_within_the_fees(fees in fees(), coupons in coupons()) {
        let (invoice, _) = finalized(&fees, &coupons, 0);
        prop_assert!(invoice.coupons_amount_cents <= invoice.fees_amount_cents);
        prop_assert_eq!(
            invoice.sub_total_excluding_taxes_amount_cents,
            invoice.fees_amount_cents - invoice.coupons_amount_cents
        );
        let mut shares = Decimal::ZERO;
        for fee in &invoice.fees {
            let share = fee.precise_coupons_amount_cents.unwrap_or_default();
            prop_assert!(share >= Decimal::ZERO && share <= Decimal::from(fee.amount_cents));
            shares += share;
        }
        let slack = Decimal::new((fees.len() * (coupons.len() + 1)) as i64, 5);
        prop_assert!((shares - Decimal::from(invoice.coupons_amount_cents)).abs() <= slack,
            "shares {} vs coupons {}", shares, invoice.coupons_amount_cents);
    }

    /// The invoice's tax, rounded once, is within half a cent per fee of the fees' rounded taxes,
    /// and the totals chain: sub-total + taxes = sub-total including taxes = total (no credits).
    #[test]
    fn taxes_and_totals_chain(fees in fees(), coupons in coupons()) {
        let (invoice, _) = finalized(&fees, &coupons, 0);
        let fee_taxes: i64 = invoice.fees.iter().map(|f| f.taxes_amount_cents).sum();
        prop_assert!((invoice.taxes_amount_cents - fee_taxes).abs() <= fees.len() as i64);
        prop_assert_eq!(
            invoice.sub_total_including_taxes_amount_cents,
            invoice.sub_total_excluding_taxes_amount_cents + invoice.taxes_amount_cents
        );
        prop_assert_eq!(invoice.total_amount_cents, invoice.sub_total_including_taxes_amount_cents);
    }

    /// A wallet pays what it can and no more: the prepaid amount is what left the wallet, never
    /// more than its balance or the invoice, and the total is what remains.
    #[test]
    fn wallets_pay_what_they_hold(fees in fees(), wallet in 1i64..=20_000_000) {
        let (invoice, balances) = finalized(&fees, &[], wallet);
        let due = invoice.sub_total_including_taxes_amount_cents;
        prop_assert_eq!(invoice.prepaid_credit_amount_cents, due.min(wallet));
        prop_assert_eq!(invoice.total_amount_cents, due - invoice.prepaid_credit_amount_cents);
        let left = balances.wallets()[0].balance_cents.unwrap_or_default();
        prop_assert_eq!(left, wallet - invoice.prepaid_credit_amount_cents);
    }
}
