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
pub use verify::{verify, AppendedChange, SignatureProblem, SignatureReport, VerifyError, VerifyReport};

use konsekvens_core::check::{AcceptancePolicy, CheckReport};
use konsekvens_core::model::{Base, Day, OrgCode};
use konsekvens_core::store::LoggedUpdate;
use konsekvens_core::{DocKey, EffectiveDpia, Workspace, WorkspaceError};

/// Language of the rendered document: the core's, so the check's findings, the PDF and the
/// Word export agree on one type.
pub use konsekvens_core::check::Lang;

/// One finding of the check, as plain strings (the annex prints them as given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingLine {
    pub code: String,
    /// e.g. "fejl"/"error", "advarsel"/"warning".
    pub severity: String,
    pub message: String,
}

/// The base a document builds on, as the cover shows it: a published release, or the
/// working base when the document does not stand on one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseVersion {
    pub name: String,
    pub date: Option<Day>,
    /// SHA-256 (hex) of the base's canonical content (`konsekvens_core::release::content_of`).
    pub hash: String,
    /// What the reader must know about it, e.g. that a newer release exists or that the
    /// working base has changed since the last release.
    pub remark: Option<String>,
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
    /// The acceptance policy the residual risk is measured against (the municipality's own).
    pub policy: AcceptancePolicy,
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
            policy: AcceptancePolicy::default(),
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
    konsekvens_core::release::sha256_hex(&serde_json::to_vec(dpia).expect("the model serialises"))
}

/// What `konsekvens export pdf` and the app render for a municipality (`Some(code)`) or the
/// joint base (`None`): the effective DPIA, with the check's findings as the annex, the base
/// release and the supplement's version on the cover, and the municipality's acceptance policy.
pub fn document_for(ws: &Workspace, org: Option<OrgCode>, lang: Lang, today: Day) -> Result<(EffectiveDpia, RenderOptions), WorkspaceError> {
    let dpia = ws.effective_or_base(org)?;
    let report = ws.check(org, today)?;
    let supplement_version = match org {
        Some(code) => Some(supplement_version(&ws.store().log(Some(DocKey::Supplement(code)))?, lang)),
        None => None,
    };
    let opts = RenderOptions {
        lang,
        is_base: org.is_none(),
        base_version: Some(base_version(&dpia, &ws.base()?, lang)),
        supplement_version,
        status: Some(status(&report, lang)),
        policy: report.policy,
        findings: Some(findings(&report, lang)),
        ..RenderOptions::new(today)
    };
    Ok((dpia, opts))
}

fn pick(lang: Lang, da: String, en: String) -> String {
    match lang {
        Lang::Da => da,
        Lang::En => en,
    }
}

fn day(d: Day, lang: Lang) -> String {
    pick(lang, d.danish(), d.to_string())
}

/// The base the document stands on. A municipality's effective DPIA is built on the release
/// its supplement is bound to (then the cover names it and its hash); the joint base, and a
/// supplement bound to no release, stand on the working base.
fn base_version(dpia: &EffectiveDpia, working: &Base, lang: Lang) -> BaseVersion {
    let latest = dpia.latest_release.as_ref();
    if let Some(r) = &dpia.release {
        let remark = latest.filter(|l| l.name != r.name && l.published_at > r.published_at).map(|l| {
            let date = l.date.map(|d| day(d, lang)).unwrap_or_default();
            pick(
                lang,
                format!("Udgivelse {} ({date}) findes; tillægget er endnu ikke vurderet mod den.", l.name),
                format!("Release {} ({date}) exists; the supplement has not yet been assessed against it.", l.name),
            )
        });
        return BaseVersion { name: r.name.clone(), date: r.date, hash: r.content_hash.clone(), remark };
    }
    let (_, hash) = konsekvens_core::release::content_of(working);
    // A municipality's DPIA that does not stand on a release says why.
    let unbound = dpia.org.code.is_some().then(|| {
        dpia.release_problem.clone().unwrap_or_else(|| pick(lang, "Tillægget er ikke knyttet til en udgivelse.".into(), "The supplement is not bound to a release.".into()))
    });
    if let Some(l) = latest.filter(|l| l.content_hash == hash) {
        // the working base is exactly the latest release
        return BaseVersion { name: l.name.clone(), date: l.date, hash, remark: unbound };
    }
    let label = if dpia.base.version_label.is_empty() { pick(lang, "Arbejdsversion".into(), "Working version".into()) } else { dpia.base.version_label.clone() };
    let working_note = match latest {
        Some(l) => pick(
            lang,
            format!("Arbejdsversion, ændret siden udgivelse {}; ikke udgivet.", l.name),
            format!("Working version, changed since release {}; not released.", l.name),
        ),
        None => pick(lang, "Arbejdsversion; basis er ikke udgivet.".into(), "Working version; the base has not been released.".into()),
    };
    let remark = match unbound {
        Some(u) => format!("{working_note} {u}"),
        None => working_note,
    };
    BaseVersion { name: label, date: None, hash, remark: Some(remark) }
}

/// The supplement's version, read from its update log (the audit trail): how many changes,
/// when the last was made, and its log position (`#N`, as `konsekvens` history points name it).
fn supplement_version(log: &[LoggedUpdate], lang: Lang) -> String {
    let Some(last) = log.last() else {
        return pick(lang, "Ingen ændringer i loggen".into(), "No logged changes".into());
    };
    let when = time::OffsetDateTime::from_unix_timestamp_nanos(last.at_millis as i128 * 1_000_000)
        .map(|t| match lang {
            Lang::Da => format!("{} kl. {:02}.{:02} UTC", Day(t.date()).danish(), t.hour(), t.minute()),
            Lang::En => format!("{} {:02}:{:02} UTC", Day(t.date()), t.hour(), t.minute()),
        })
        .unwrap_or_else(|_| "?".into());
    let n = log.len();
    match lang {
        Lang::Da => format!("{n} {} i loggen, senest {when} (#{})", if n == 1 { "ændring" } else { "ændringer" }, last.seq),
        Lang::En => format!("{n} logged {}, last {when} (#{})", if n == 1 { "change" } else { "changes" }, last.seq),
    }
}

/// The cover's status: ready for signature only when the check found no errors.
fn status(report: &CheckReport, lang: Lang) -> String {
    match report.errors() {
        0 => pick(lang, "Klar til underskrift".into(), "Ready for signature".into()),
        n => pick(
            lang,
            format!("Udkast — kontrollen fandt {n} fejl (bilag A)"),
            format!("Draft — the check found {n} {} (annex A)", if n == 1 { "error" } else { "errors" }),
        ),
    }
}

fn findings(report: &CheckReport, lang: Lang) -> Vec<FindingLine> {
    report
        .findings
        .iter()
        .map(|f| FindingLine {
            code: f.code.clone(),
            severity: match lang {
                Lang::Da => f.severity.danish(),
                Lang::En => f.severity.english(),
            }
            .to_string(),
            message: f.message(lang).to_string(),
        })
        .collect()
}
