//! The DPIA document's content, format-neutral: what a municipality's effective DPIA (or the
//! joint base) says when it is printed — cover, contents, the sections of Art. 35(7), the
//! traceability matrix, before/after, the local supplement, DPO advice, acceptance and
//! Art. 36, review, the check's findings and the signature page — as headings, paragraphs,
//! tables and heat-map grids in the document's language.
//!
//! The PDF (`konsekvens-pdf`) lays a [`Report`] out and the Word export
//! (`konsekvens-exchange`) writes it, so both carry the same content in the same order by
//! construction. Styles are semantic ([`Tone`], [`Fill`]); each format has its own palette.

mod build;
mod notat;
mod public;

pub use notat::{hearing_answer, hearing_notat};
pub use public::{public_summary, public_summary_for, PublicSummary, Withheld, WithheldItem};

use crate::check::{AcceptancePolicy, CheckReport, Lang};
use crate::effective::EffectiveDpia;
use crate::model::{Base, Day, OrgCode};
use crate::{DocKey, Workspace, WorkspaceError};
use std::collections::BTreeMap;

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
    /// SHA-256 (hex) of the base's canonical content ([`crate::release::content_of`]).
    pub hash: String,
    /// What the reader must know about it, e.g. that a newer release exists or that the
    /// working base has changed since the last release.
    pub remark: Option<String>,
}

/// What to put in the document besides the DPIA itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    pub lang: Lang,
    /// The joint base (no municipality, no supplement section).
    pub is_base: bool,
    /// The document's date (injected so output is reproducible).
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

impl ReportOptions {
    /// Danish, municipality DPIA, dated `generated_at`, nothing else.
    pub fn new(generated_at: Day) -> Self {
        ReportOptions {
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

/// The document: its blocks in reading order, and what running footers and document
/// metadata say.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub lang: Lang,
    /// e.g. "Konsekvensanalyse for Aula".
    pub title: String,
    /// The municipality's name, or "Fælles basis" / "Joint base".
    pub party: String,
    /// Who the document is by: the municipality, or the coordinator for the base.
    pub author: String,
    pub system: String,
    pub date: Day,
    pub blocks: Vec<Block>,
    /// What kind of document it is (its metadata's subject).
    pub kind: ReportKind,
}

/// The kinds of document the core builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportKind {
    /// The DPIA itself (a municipality's or the joint base).
    #[default]
    Dpia,
    /// A hearing round's notat, or a municipality's answer to it.
    Hearing,
    /// The public summary ([`public_summary`]): nothing in it an attacker could use.
    PublicSummary,
}

impl Report {
    /// Builds the document for `dpia` (the effective DPIA, or the base as one).
    pub fn of(dpia: &EffectiveDpia, opts: &ReportOptions) -> Report {
        build::build(dpia, opts)
    }

    pub fn is_danish(&self) -> bool {
        self.lang == Lang::Da
    }

    /// The running footer's left part: title and party, and the system unless the title
    /// already names it ("… for Aula").
    pub fn footer_text(&self) -> String {
        let date = if self.is_danish() { self.date.danish() } else { self.date.to_string() };
        if self.system.is_empty() || self.title.to_lowercase().contains(&self.system.to_lowercase()) {
            format!("{} — {} · {date}", self.title, self.party)
        } else {
            format!("{} — {} — {} · {date}", self.title, self.system, self.party)
        }
    }

    /// "Side"/"af" or "Page"/"of", for "Side 3 af 40".
    pub fn page_words(&self) -> (&'static str, &'static str) {
        if self.is_danish() { ("Side", "af") } else { ("Page", "of") }
    }

    /// The document's subject, for its metadata.
    pub fn subject(&self) -> &'static str {
        match (self.kind, self.is_danish()) {
            (ReportKind::PublicSummary, true) => "Offentligt resumé af konsekvensanalyse (GDPR art. 35)",
            (ReportKind::PublicSummary, false) => "Public summary of a data protection impact assessment (GDPR Art. 35)",
            (_, true) => "Konsekvensanalyse (GDPR art. 35)",
            (_, false) => "Data protection impact assessment (GDPR Art. 35)",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1 (numbered sections and annexes), 2 or 3; levels 1–2 enter the contents.
    Heading { level: u8, text: String },
    Para { spans: Vec<Span>, kind: ParaKind },
    Table(Table),
    /// Vertical space, in points (on the cover).
    Space(f32),
    PageBreak,
    /// Where the table of contents goes, under this title.
    Contents { title: String },
    /// Blocks that belong on one page when they fit (a risk with its ratings, a caption
    /// with its heat maps, a label/value table).
    Keep(Vec<Block>),
    /// Consequence × likelihood heat maps side by side (before and after measures).
    HeatMaps(HeatMaps),
    /// A bulleted list: each item's text (tagged `L` → `LI` → `Lbl` + `LBody` in the PDF,
    /// `<ul>` in HTML).
    List(Vec<Vec<Span>>),
    /// One box (or row) per signatory, with room for the date and the signature; `note`
    /// says how the PDF's digital signatures are checked (a Word copy is not signed).
    Signatures { note: String, labels: SignatureLabels, people: Vec<Signer> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParaKind {
    Body,
    /// Notes and captions.
    Small,
    /// The cover's line above the title.
    CoverKicker,
    CoverTitle,
    /// The cover's municipality line.
    CoverParty,
}

/// A run of text. Line breaks in the text are line breaks in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub tone: Tone,
}

impl Span {
    pub fn new(text: impl Into<String>) -> Self {
        Span { text: text.into(), bold: false, tone: Tone::Normal }
    }
    pub fn bold(text: impl Into<String>) -> Self {
        Span { text: text.into(), bold: true, tone: Tone::Normal }
    }
    pub fn tone(mut self, tone: Tone) -> Self {
        self.tone = tone;
        self
    }
}

/// What a text's colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Normal,
    /// Secondary: notes, "not filled in", not-applicable items.
    Grey,
    /// The municipality's own (LOKAL) and its deviations.
    Local,
    /// Titles and a positive verdict.
    Accent,
    /// A verdict or flag that asks for action.
    Alert,
}

/// What a cell's background says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    Header,
    Low,
    Medium,
    High,
    Local,
    NotApplicable,
}

/// A table cell: rich text, an optional fill, alignment, or a mark (● in the
/// traceability matrix).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub spans: Vec<Span>,
    pub fill: Option<Fill>,
    pub center: bool,
    pub mark: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { spans: vec![Span::new(s)], ..Cell::default() }
    }
    pub fn bold(s: impl Into<String>) -> Cell {
        Cell { spans: vec![Span::bold(s)], ..Cell::default() }
    }
    pub fn spans(spans: Vec<Span>) -> Cell {
        Cell { spans, ..Cell::default() }
    }
    pub fn fill(mut self, fill: impl Into<Option<Fill>>) -> Cell {
        self.fill = fill.into();
        self
    }
    pub fn center(mut self) -> Cell {
        self.center = true;
        self
    }
    pub fn mark() -> Cell {
        Cell { mark: true, center: true, ..Cell::default() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The fill of every cell that has none of its own (local and not-applicable rows).
    pub fill: Option<Fill>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Relative column widths.
    pub widths: Vec<f32>,
    /// Repeated on every page the table runs over.
    pub header: Option<Vec<Cell>>,
    pub rows: Vec<Row>,
    /// Smaller text (the traceability matrix).
    pub compact: bool,
    /// The first column heads its row (`TH` with row scope) even when the table has a
    /// header row (the traceability matrix: each row is a risk).
    pub row_headers: bool,
}

impl Table {
    pub fn new(widths: &[f32], header: Option<Vec<Cell>>) -> Table {
        Table { widths: widths.to_vec(), header, rows: Vec::new(), compact: false, row_headers: false }
    }
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.row_filled(cells, None);
    }
    pub fn row_filled(&mut self, cells: Vec<Cell>, fill: Option<Fill>) {
        self.rows.push(Row { cells, fill });
    }
}

/// Risks placed by consequence (step 1–4) and likelihood (step 1–4): each cell's references.
pub type HeatGrid = BTreeMap<(u8, u8), Vec<String>>;

#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub grid: HeatGrid,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeatMaps {
    pub maps: Vec<HeatMap>,
    /// "Konsekvens" / "Consequence".
    pub consequence_axis: String,
    /// "Sandsynlighed" / "Likelihood".
    pub likelihood_axis: String,
    /// The scale words, step 1 to 4.
    pub consequence_words: [String; 4],
    pub likelihood_words: [String; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignatureLabels {
    pub name: String,
    pub capacity: String,
    pub date: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signer {
    pub name: String,
    pub capacity: String,
}

/// SHA-256 of the effective DPIA's JSON: the content fingerprint printed on the cover.
pub fn content_hash(dpia: &EffectiveDpia) -> String {
    crate::release::sha256_hex(&serde_json::to_vec(dpia).expect("the model serialises"))
}

/// What `konsekvens export pdf|docx` and the app render for a municipality (`Some(code)`)
/// or the joint base (`None`): the effective DPIA, with the check's findings as the annex,
/// the base release and the supplement's version on the cover, and the municipality's
/// acceptance policy.
pub fn document_for(ws: &Workspace, org: Option<OrgCode>, lang: Lang, today: Day) -> Result<(EffectiveDpia, ReportOptions), WorkspaceError> {
    let view = ws.view();
    let dpia = view.effective_or_base(org)?;
    let report = crate::check::review::check_effective(&view, org, &dpia, today)?;
    let supplement_version = match org {
        Some(code) => Some(supplement_version(view.log_stats(DocKey::Supplement(code))?, lang)),
        None => None,
    };
    let opts = ReportOptions {
        lang,
        is_base: org.is_none(),
        base_version: Some(base_version(&dpia, &ws.base()?, lang)),
        supplement_version,
        status: Some(status(&report, lang)),
        policy: report.policy,
        findings: Some(findings(&report, lang)),
        ..ReportOptions::new(today)
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
    let (_, hash) = crate::release::content_of(working);
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
/// "N ændringer i loggen, senest …" from the document's count and last update (position,
/// time): two index lookups, not the log.
fn supplement_version((n, last): (i64, Option<(i64, i64)>), lang: Lang) -> String {
    let Some((last_seq, last_at)) = last else {
        return pick(lang, "Ingen ændringer i loggen".into(), "No logged changes".into());
    };
    let when = time::OffsetDateTime::from_unix_timestamp_nanos(last_at as i128 * 1_000_000)
        .map(|t| match lang {
            Lang::Da => format!("{} kl. {:02}.{:02} UTC", Day(t.date()).danish(), t.hour(), t.minute()),
            Lang::En => format!("{} {:02}:{:02} UTC", Day(t.date()), t.hour(), t.minute()),
        })
        .unwrap_or_else(|_| "?".into());
    match lang {
        Lang::Da => format!("{n} {} i loggen, senest {when} (#{last_seq})", if n == 1 { "ændring" } else { "ændringer" }),
        Lang::En => format!("{n} logged {}, last {when} (#{last_seq})", if n == 1 { "change" } else { "changes" }),
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

pub(crate) fn findings(report: &CheckReport, lang: Lang) -> Vec<FindingLine> {
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
