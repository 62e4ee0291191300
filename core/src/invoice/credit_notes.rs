//! Credit notes: what a finalized invoice gives back, and the credit later invoices consume.

use jiff::Timestamp;

use crate::credit_note::{CreditNote, CreditNoteCreate};
use crate::error::{Error, Result};
use crate::invoice::{Invoice, InvoiceStatus};

pub(super) fn create(
    _existing: &[CreditNote],
    invoice: &Invoice,
    _body: &CreditNoteCreate,
    _id: &str,
    _at: Timestamp,
) -> Result<CreditNote> {
    if invoice.status != InvoiceStatus::Finalized {
        return Err(Error::invalid(
            "invoice_id",
            format!(
                "invoice `{}` is a draft; only a finalized invoice can be credited",
                invoice.lago_id.as_deref().unwrap_or_default()
            ),
        ));
    }
    Err(Error::invalid("", "credit notes are being implemented"))
}

pub(super) fn void(
    notes: &mut [CreditNote],
    credit_note_id: &str,
    _at: Timestamp,
) -> Result<CreditNote> {
    let _ = notes
        .iter_mut()
        .find(|n| n.lago_id.as_deref() == Some(credit_note_id))
        .ok_or_else(|| {
            Error::invalid(
                "credit_note_id",
                format!("unknown credit note `{credit_note_id}`"),
            )
        })?;
    Err(Error::invalid("", "credit notes are being implemented"))
}
