//! Konsekvens PDF: a municipality's effective DPIA (or the joint base) as a PDF that
//! Datatilsynet can read, and PAdES B-B signatures on it that anyone can verify.
//!
//! - [`render`] lays the document out with our own small layout engine ([`layout`]: real
//!   glyph widths, wrapping, tables whose header row repeats on every page, headings kept
//!   with what follows, "Side X af Y", a table of contents with page numbers, a nested PDF
//!   outline) and writes its pages' content itself (`content.rs`), with the fonts embedded
//!   and subset by printpdf.
//! - [`sign`] appends a PAdES B-B signature (ETSI.CAdES.detached) as an incremental update;
//!   a second signature keeps the first valid.
//! - [`verify`] checks every signature: signer, claimed time, signed bytes intact, what was
//!   appended after it, whether its chain reaches a trust anchor.

mod archive;
mod coded;
mod content;
mod document;
mod emit;
pub mod layout;
mod ltv;
mod sign;
mod tsa;
mod verify;

pub use archive::{attachments, ArchiveError, Attachment, MAX_ATTACHMENT_BYTES};
pub use ltv::{add_validation_data, Fetch, LtvError, MAX_CRL_BYTES, MAX_OCSP_BYTES};
pub use sign::{add_document_timestamp, sign, sign_at_level, sign_timestamped, Level, SignError, SignMeta};
pub use tsa::{Tsa, TsaError, MAX_RESPONSE_BYTES as MAX_TSA_RESPONSE_BYTES};
pub use verify::{verify, verify_at, AppendedChange, DocTimestampReport, RevocationCheck, SignatureProblem, SignatureReport, TimestampReport, VerifyError, VerifyReport};

use konsekvens_core::model::{Day, OrgCode};
use konsekvens_core::record::{record_files, RecordFile};
use konsekvens_core::report::Report;
use konsekvens_core::{EffectiveDpia, Workspace, WorkspaceError};

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

/// Renders the effective DPIA (or, with `opts.is_base`, the joint base) as PDF/A-3b bytes.
pub fn render(dpia: &EffectiveDpia, opts: &ReportOptions) -> Result<Vec<u8>, PdfError> {
    render_report(&Report::of(dpia, opts))
}

/// The same, with `files` (the DPIA's data) carried inside as associated files.
pub fn render_with(dpia: &EffectiveDpia, opts: &ReportOptions, files: &[Attachment]) -> Result<Vec<u8>, PdfError> {
    render_report_with(&Report::of(dpia, opts), files)
}

/// The files the PDF of `org`'s DPIA (or the base) carries inside: its interchange JSON and
/// its check report (`konsekvens_core::record`), for [`render_with`]. The CLI and the app
/// both export through this.
pub fn record_attachments(ws: &Workspace, org: Option<OrgCode>, lang: Lang, today: Day) -> Result<Vec<Attachment>, WorkspaceError> {
    Ok(record_files(&ws.view(), org, lang, today)?.into_iter().map(Attachment::from).collect())
}

impl From<RecordFile> for Attachment {
    fn from(f: RecordFile) -> Attachment {
        Attachment { name: f.name.into(), mime: f.mime.into(), description: f.description, bytes: f.bytes }
    }
}

/// Lays out and writes an already built document.
pub fn render_report(report: &Report) -> Result<Vec<u8>, PdfError> {
    document::render(report, &[])
}

/// Lays out and writes an already built document with `files` inside.
pub fn render_report_with(report: &Report, files: &[Attachment]) -> Result<Vec<u8>, PdfError> {
    document::render(report, files)
}
