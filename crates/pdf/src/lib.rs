//! Konsekvens PDF: a municipality's effective DPIA (or the joint base) as a PDF that
//! Datatilsynet can read, and PAdES B-B signatures on it that anyone can verify.
//!
//! - [`render`] lays the document out with our own small layout engine ([`layout`]: real
//!   glyph widths, wrapping, tables whose header row repeats on every page, headings kept
//!   with what follows, "Side X af Y", a table of contents with page numbers, a nested PDF
//!   outline) and draws it with printpdf (fonts embedded and subset).
//! - [`sign`] appends a PAdES B-B signature (ETSI.CAdES.detached) as an incremental update;
//!   a second signature keeps the first valid.
//! - [`verify`] checks every signature: signer, claimed time, signed bytes intact, what was
//!   appended after it, whether its chain reaches a trust anchor.

mod coded;
mod document;
mod emit;
pub mod layout;
mod sign;
mod verify;

pub use sign::{sign, SignError, SignMeta};
pub use verify::{verify, AppendedChange, SignatureProblem, SignatureReport, VerifyError, VerifyReport};

use konsekvens_core::report::Report;
use konsekvens_core::EffectiveDpia;

/// The document's language and content options, and how the app and the CLI assemble them
/// for a municipality or the base: the core's, shared with the Word export.
pub use konsekvens_core::check::Lang;
pub use konsekvens_core::report::{content_hash, document_for, BaseVersion, FindingLine, ReportOptions};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the bundled font could not be loaded")]
    Font,
    #[error("could not write the PDF: {0}")]
    Write(String),
}

/// Renders the effective DPIA (or, with `opts.is_base`, the joint base) as PDF bytes.
pub fn render(dpia: &EffectiveDpia, opts: &ReportOptions) -> Result<Vec<u8>, PdfError> {
    render_report(&Report::of(dpia, opts))
}

/// Lays out and writes an already built document.
pub fn render_report(report: &Report) -> Result<Vec<u8>, PdfError> {
    document::render(report)
}
