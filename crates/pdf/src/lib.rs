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

mod document;
mod emit;
pub mod layout;
mod sign;
mod verify;

pub use sign::{sign, SignError, SignMeta};
pub use verify::{verify, AppendedChange, SignatureReport, VerifyError, VerifyReport};

use konsekvens_core::model::Day;
use konsekvens_core::EffectiveDpia;

/// Language of the rendered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Da,
    En,
}

/// One finding of the check, as plain strings (the annex prints them as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingLine {
    pub code: String,
    /// e.g. "fejl"/"error", "advarsel"/"warning".
    pub severity: String,
    pub message: String,
}

/// The base release a document builds on, as the cover shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseVersion {
    pub name: String,
    pub date: Option<Day>,
    /// Content hash of the release (e.g. SHA-256 hex).
    pub hash: String,
}

/// What to render and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    pub lang: Lang,
    /// Render the joint base (no municipality, no supplement sections).
    pub is_base: bool,
    /// The date printed as the document's date (injected so output is reproducible).
    pub generated_at: Day,
    /// The base release the supplement builds on; without it the cover names the base's
    /// version label and the release the supplement was assessed against.
    pub base_version: Option<BaseVersion>,
    /// The supplement's version (e.g. its last edit time or a release label).
    pub supplement_version: Option<String>,
    /// Document status on the cover; default "Udkast" / "Draft".
    pub status: Option<String>,
    /// Findings of the check, printed as an annex; `None` leaves the annex out.
    pub findings: Option<Vec<FindingLine>>,
}

impl RenderOptions {
    /// Danish, municipality DPIA, dated `generated_at`, nothing else.
    pub fn new(generated_at: Day) -> Self {
        RenderOptions {
            lang: Lang::Da,
            is_base: false,
            generated_at,
            base_version: None,
            supplement_version: None,
            status: None,
            findings: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the bundled font could not be loaded")]
    Font,
    #[error("could not write the PDF: {0}")]
    Write(String),
}

/// Renders the effective DPIA (or, with `opts.is_base`, the joint base) as PDF bytes.
pub fn render(dpia: &EffectiveDpia, opts: &RenderOptions) -> Result<Vec<u8>, PdfError> {
    document::render(dpia, opts)
}

/// SHA-256 of the effective DPIA's JSON: the content fingerprint printed on the cover.
pub fn content_hash(dpia: &EffectiveDpia) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(dpia).unwrap_or_default();
    Sha256::digest(&json).iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the joint base's JSON (items in reference order): the content hash the cover
/// prints for the base a document builds on.
pub fn base_hash(base: &konsekvens_core::model::Base) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(base).unwrap_or_default();
    Sha256::digest(&json).iter().map(|b| format!("{b:02x}")).collect()
}

/// What `konsekvens export pdf` and the app render for a municipality (`Some(code)`) or the
/// joint base (`None`): the effective DPIA, with the check's findings as the annex and the
/// base version on the cover.
pub fn document_for(
    ws: &konsekvens_core::Workspace,
    org: Option<konsekvens_core::model::OrgCode>,
    lang: Lang,
    today: Day,
) -> Result<(EffectiveDpia, RenderOptions), konsekvens_core::WorkspaceError> {
    use konsekvens_core::check::Lang as CheckLang;
    let dpia = ws.effective_or_base(org)?;
    let report = ws.check(org, today)?;
    let check_lang = match lang {
        Lang::Da => CheckLang::Da,
        Lang::En => CheckLang::En,
    };
    let findings = report
        .findings
        .iter()
        .map(|f| FindingLine {
            code: f.code.clone(),
            severity: match lang {
                Lang::Da => f.severity.danish(),
                Lang::En => f.severity.english(),
            }
            .to_string(),
            message: f.message(check_lang).to_string(),
        })
        .collect();
    let base = ws.base()?;
    let name = if dpia.base_release.is_empty() { base.meta.version_label.clone() } else { dpia.base_release.clone() };
    let opts = RenderOptions {
        lang,
        is_base: org.is_none(),
        base_version: Some(BaseVersion { name, date: None, hash: base_hash(&base) }),
        findings: Some(findings),
        ..RenderOptions::new(today)
    };
    Ok((dpia, opts))
}
