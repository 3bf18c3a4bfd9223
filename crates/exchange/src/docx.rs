//! The effective DPIA (or the joint base) as a Word document, so colleagues can comment on
//! it: the same sections in the same order as the PDF, with Word heading styles (so the
//! navigation pane and the table of contents work), real Word tables (the risk register,
//! the traceability matrix, the heat maps), and local supplement items marked LOKAL.

use konsekvens_core::check::Lang;
use konsekvens_core::effective::{Deviation, EffectiveDpia, Entry, Origin};
use konsekvens_core::model::*;
use konsekvens_core::text::danish_number;
use konsekvens_core::{Workspace, WorkspaceError};
use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, InstrPAGEREF, InstrText, NumPages, PageNum, Paragraph, Run, RunFonts,
    Shading, ShdType, Style, StyleType, Tab, TabLeaderType, TabValueType, Table, TableCell, TableRow, WidthType,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What to write and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocxOptions {
    pub lang: Lang,
    /// The joint base (no municipality, no supplement section).
    pub is_base: bool,
    /// The document's date.
    pub generated_at: Day,
    /// The base release the document builds on, and the SHA-256 of the base's content.
    pub base_version: Option<(String, String)>,
    /// The check's findings as (code, severity, message), printed as Annex A.
    pub findings: Option<Vec<(String, String, String)>>,
}

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("could not write the Word document: {0}")]
    Write(String),
}

/// What `konsekvens export docx` writes for a municipality (`Some`) or the base (`None`):
/// the effective DPIA with the check's findings as the annex, as the PDF has them.
pub fn document_for(ws: &Workspace, org: Option<OrgCode>, lang: Lang, today: Day) -> Result<(EffectiveDpia, DocxOptions), WorkspaceError> {
    let dpia = ws.effective_or_base(org)?;
    let report = ws.check(org, today)?;
    let findings = report
        .findings
        .iter()
        .map(|f| {
            let severity = match lang {
                Lang::Da => f.severity.danish(),
                Lang::En => f.severity.english(),
            };
            (f.code.clone(), severity.to_owned(), f.message(lang).to_owned())
        })
        .collect();
    let base = ws.base()?;
    let name = if dpia.base_release.is_empty() { base.meta.version_label.clone() } else { dpia.base_release.clone() };
    let opts = DocxOptions { lang, is_base: org.is_none(), generated_at: today, base_version: Some((name, sha256_json(&base))), findings: Some(findings) };
    Ok((dpia, opts))
}

fn sha256_json<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&json).iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the document as .docx bytes.
pub fn render(dpia: &EffectiveDpia, opts: &DocxOptions) -> Result<Vec<u8>, DocxError> {
    let mut w = Writer { d: dpia, o: opts, da: opts.lang == Lang::Da, refs: references(dpia), body: Vec::new(), section: 0, toc: Vec::new() };
    w.build();
    let toc = w.contents();
    let mut docx = styles(Docx::new())
        .page_size(11906, 16838)
        .page_margin(docx_rs::PageMargin { top: 1134, left: 1134, bottom: 1134, right: 1134, header: 567, footer: 567, gutter: 0 })
        .default_fonts(RunFonts::new().ascii("Liberation Sans").hi_ansi("Liberation Sans").east_asia("Liberation Sans"))
        .default_size(20)
        .footer(w.footer());
    for block in w.body {
        docx = match block {
            Block::P(p) => docx.add_paragraph(*p),
            Block::T(t) => docx.add_table(*t),
            Block::Contents => toc.iter().cloned().fold(docx, Docx::add_paragraph),
        };
    }
    let mut stored = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut stored).map_err(|e| DocxError::Write(e.to_string()))?;
    deflate(&stored.into_inner()).map_err(|e| DocxError::Write(e.to_string()))
}

/// Rewrites a zip package with every part deflated (docx-rs stores them uncompressed,
/// which makes a 40-page DPIA half a megabyte). Part order is kept: [Content_Types].xml first.
fn deflate(stored: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i)?;
        if part.is_dir() {
            continue;
        }
        out.start_file(part.name().to_owned(), options)?;
        std::io::copy(&mut part, &mut out)?;
    }
    Ok(out.finish()?.into_inner())
}

// Colours as in the PDF: risk levels, local items, not-applicable items, header cells.
const LOW: &str = "D8EFD3";
const MEDIUM: &str = "FCEBC2";
const HIGH: &str = "F6C9C4";
const LOCAL_FILL: &str = "E3EEFA";
const LOCAL: &str = "1F5FA8";
const NA_FILL: &str = "EEEEEE";
const HEADER_FILL: &str = "EDF1F5";
const GREY: &str = "666666";
const ACCENT: &str = "1B3A5C";
/// A4 less 2 cm margins, in twentieths of a point.
const CONTENT_WIDTH: f32 = 9638.0;

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, level: usize, size: usize| {
        Style::new(id, StyleType::Paragraph).name(name).based_on("Normal").next("Normal").bold().size(size).color(ACCENT).outline_lvl(level).q_format(true)
    };
    docx.add_style(heading("Heading1", "heading 1", 0, 32))
        .add_style(heading("Heading2", "heading 2", 1, 26))
        .add_style(heading("Heading3", "heading 3", 2, 22))
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").based_on("Normal").bold().size(48).color(ACCENT).q_format(true))
        .add_style(Style::new("Small", StyleType::Paragraph).name("Small").based_on("Normal").size(16).color(GREY))
        .add_style(Style::new("TOCHeading", StyleType::Paragraph).name("TOC Heading").based_on("Normal").bold().size(32).color(ACCENT))
        .add_style(Style::new("TOC1", StyleType::Paragraph).name("toc 1").based_on("Normal").bold())
        .add_style(Style::new("TOC2", StyleType::Paragraph).name("toc 2").based_on("Normal").indent(Some(280), None, None, None))
}

enum Block {
    P(Box<Paragraph>),
    T(Box<Table>),
    /// Where the table of contents goes (it is made when all headings are known).
    Contents,
}

/// A run of text; line breaks in the text become line breaks in Word.
fn run(text: &str, bold: bool, color: Option<&str>) -> Run {
    let mut r = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line);
    }
    if bold {
        r = r.bold();
    }
    if let Some(c) = color {
        r = r.color(c);
    }
    r
}

fn plain(text: impl AsRef<str>) -> Run {
    run(text.as_ref(), false, None)
}

fn bold(text: impl AsRef<str>) -> Run {
    run(text.as_ref(), true, None)
}

fn local(text: impl AsRef<str>) -> Run {
    run(text.as_ref(), true, Some(LOCAL))
}

/// One table cell: runs, a fill, centred or not.
#[derive(Default)]
struct Cell {
    runs: Vec<Run>,
    fill: Option<&'static str>,
    center: bool,
}

impl Cell {
    fn new(runs: Vec<Run>) -> Cell {
        Cell { runs, ..Cell::default() }
    }
    fn text(s: impl AsRef<str>) -> Cell {
        Cell::new(vec![plain(s)])
    }
    fn bold(s: impl AsRef<str>) -> Cell {
        Cell::new(vec![bold(s)])
    }
    fn fill(mut self, fill: Option<&'static str>) -> Cell {
        self.fill = fill;
        self
    }
    fn center(mut self) -> Cell {
        self.center = true;
        self
    }
}

fn level_fill(l: Option<RiskLevel>) -> Option<&'static str> {
    l.map(|l| match l {
        RiskLevel::Low => LOW,
        RiskLevel::Medium => MEDIUM,
        RiskLevel::High => HIGH,
    })
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A model enum's word in the document's language.
trait Word: Copy {
    fn word(self, da: bool) -> &'static str;
}
macro_rules! words {
    ($($t:ty),+) => { $(impl Word for $t { fn word(self, da: bool) -> &'static str { if da { self.danish() } else { self.english() } } })+ };
}
words!(
    Operation, DataClass, Art6Basis, Art9Basis, AccessSide, TransferBasis, ProcessorRole, RiskSource, MeasureKind, MeasureStatus, Owner,
    EvidenceKind, AdviceResponse, Wp248Criterion, NecessityAspect, JointCondition, LocalMeasureState, Dimension, Consequence, Likelihood,
    RiskLevel
);

struct Writer<'a> {
    d: &'a EffectiveDpia,
    o: &'a DocxOptions,
    da: bool,
    refs: BTreeMap<ItemId, String>,
    body: Vec<Block>,
    section: usize,
    /// Headings of levels 1–2: (level, text, bookmark name).
    toc: Vec<(usize, String, String)>,
}

fn references(d: &EffectiveDpia) -> BTreeMap<ItemId, String> {
    let i = &d.items;
    let mut m = BTreeMap::new();
    macro_rules! add {
        ($($f:ident),+) => { $( for e in &i.$f { m.insert(e.item.id.clone(), e.item.reference.0.clone()); } )+ };
    }
    add!(processes, modules, purposes, data_categories, subject_categories, sources, recipients, transfers, processors, document_types, systems, risks, measures, evidence, dpo_advice, reviews);
    m
}

impl<'a> Writer<'a> {
    fn t(&self, da: &'static str, en: &'static str) -> &'static str {
        if self.da { da } else { en }
    }
    fn w<W: Word>(&self, w: W) -> &'static str {
        w.word(self.da)
    }
    fn ow<W: Word>(&self, w: Option<W>) -> &'static str {
        w.map(|w| self.w(w)).unwrap_or(self.t("(ikke angivet)", "(not stated)"))
    }
    fn prose(&self, p: &Prose) -> String {
        if p.is_blank() { self.t("(ikke udfyldt)", "(not filled in)").into() } else { p.0.clone() }
    }
    fn yes_no(&self, b: Option<bool>) -> &'static str {
        match b {
            Some(true) => self.t("ja", "yes"),
            Some(false) => self.t("nej", "no"),
            None => self.t("(ikke besvaret)", "(not answered)"),
        }
    }
    fn day(&self, d: Option<Day>) -> String {
        d.map(|d| if self.da { d.danish() } else { d.to_string() }).unwrap_or_else(|| "—".into())
    }
    fn links(&self, ids: &Ids) -> String {
        if ids.is_empty() {
            return self.t("(ingen)", "(none)").into();
        }
        ids.iter().map(|id| self.refs.get(id).cloned().unwrap_or_else(|| format!("?{id}"))).collect::<Vec<_>>().join(", ")
    }
    fn link(&self, id: &Option<ItemId>) -> String {
        id.as_ref().map(|i| self.links(&[i.clone()].into())).unwrap_or_else(|| "—".into())
    }
    fn number(&self, n: u64) -> String {
        if self.da { danish_number(n) } else { n.to_string() }
    }

    // ---- blocks ----
    /// A heading in Word's heading style; levels 1–2 are bookmarked for the contents.
    fn heading(&mut self, level: usize, text: &str) {
        let mut p = Paragraph::new().style(&format!("Heading{level}")).keep_next(true);
        if level <= 2 {
            let id = self.toc.len() + 1;
            let name = format!("_Toc{id:06}");
            p = p.add_bookmark_start(id, &name).add_run(plain(text)).add_bookmark_end(id);
            self.toc.push((level, text.to_owned(), name));
        } else {
            p = p.add_run(plain(text));
        }
        self.body.push(Block::P(Box::new(p)));
    }
    /// The table of contents: the headings with PAGEREF fields to their bookmarks, which
    /// LibreOffice and Word compute on opening or printing. (Each field is one run: LibreOffice
    /// does not evaluate PAGEREFs inside an imported TOC field, nor fields split over runs.)
    fn contents(&self) -> Vec<Paragraph> {
        self.toc
            .iter()
            .map(|(level, text, bookmark)| {
                let page = Run::new()
                    .add_field_char(FieldCharType::Begin, false)
                    .add_instr_text(InstrText::PAGEREF(InstrPAGEREF::new(bookmark).hyperlink()))
                    .add_field_char(FieldCharType::Separate, false)
                    .add_text("1")
                    .add_field_char(FieldCharType::End, false);
                Paragraph::new()
                    .style(&format!("TOC{level}"))
                    .add_tab(Tab::new().val(TabValueType::Right).leader(TabLeaderType::Dot).pos(CONTENT_WIDTH as usize))
                    .add_run(plain(text))
                    .add_run(Run::new().add_tab())
                    .add_run(page)
            })
            .collect()
    }
    fn h1(&mut self, text: &str) {
        self.section += 1;
        let t = format!("{}. {text}", self.section);
        self.heading(1, &t);
    }
    fn para(&mut self, runs: Vec<Run>) {
        let p = runs.into_iter().fold(Paragraph::new(), Paragraph::add_run);
        self.body.push(Block::P(Box::new(p)));
    }
    fn small(&mut self, text: &str) {
        self.body.push(Block::P(Box::new(Paragraph::new().style("Small").add_run(plain(text)))));
    }
    fn labelled(&mut self, label: &str, value: impl AsRef<str>) {
        self.para(vec![bold(format!("{label}: ")), plain(value)]);
    }
    fn page_break(&mut self) {
        self.body.push(Block::P(Box::new(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))));
    }
    fn none_if_empty(&mut self, n: usize) -> bool {
        if n == 0 {
            self.small(self.t("(ingen)", "(none)"));
        }
        n == 0
    }

    /// A table: relative column widths, an optional bold header row on a grey fill, and rows
    /// each with an optional fill for the whole row.
    fn table(&mut self, widths: &[f32], header: &[(&str, &str)], rows: Vec<(Vec<Cell>, Option<&'static str>)>) {
        let total: f32 = widths.iter().sum();
        let grid: Vec<usize> = widths.iter().map(|w| (w / total * CONTENT_WIDTH) as usize).collect();
        // The header row's paragraphs keep with the next row, so a header never ends a page alone.
        let make_row = |cells: Vec<Cell>, row_fill: Option<&'static str>, header: bool| {
            let cells = cells
                .into_iter()
                .zip(&grid)
                .map(|(c, w)| {
                    let mut p = c.runs.into_iter().fold(Paragraph::new().keep_next(header), Paragraph::add_run);
                    if c.center {
                        p = p.align(AlignmentType::Center);
                    }
                    let mut cell = TableCell::new().add_paragraph(p).width(*w, WidthType::Dxa);
                    if let Some(f) = c.fill.or(row_fill) {
                        cell = cell.shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill(f));
                    }
                    cell
                })
                .collect();
            TableRow::new(cells).cant_split()
        };
        let mut table_rows = Vec::new();
        if !header.is_empty() {
            table_rows.push(make_row(header.iter().map(|(da, en)| Cell::bold(if self.da { da } else { en })).collect(), Some(HEADER_FILL), true));
        }
        table_rows.extend(rows.into_iter().map(|(cells, fill)| make_row(cells, fill, false)));
        self.body.push(Block::T(Box::new(Table::new(table_rows).set_grid(grid.clone()).width(CONTENT_WIDTH as usize, WidthType::Dxa))));
        // Word joins two tables that follow each other; an empty paragraph keeps them apart.
        self.body.push(Block::P(Box::new(Paragraph::new())));
    }
    /// A two-column table of labels and values.
    fn kv(&mut self, rows: Vec<(String, Vec<Run>)>) {
        let rows = rows.into_iter().map(|(k, v)| (vec![Cell::bold(k).fill(Some(HEADER_FILL)), Cell::new(v)], None)).collect();
        self.table(&[1.0, 2.6], &[], rows);
    }

    /// The reference cell of an entry, tagged LOKAL / AFVIGELSE / IKKE RELEVANT.
    fn ref_cell<T>(&self, e: &Entry<T>, reference: &Reference) -> Cell {
        let mut runs = vec![bold(&reference.0)];
        if e.origin == Origin::Local {
            runs.push(local(format!("\n{}", self.t("LOKAL", "LOCAL"))));
        }
        if e.deviation.is_some() {
            runs.push(local(format!("\n{}", self.t("AFVIGELSE", "DEVIATION"))));
        }
        if e.not_applicable.is_some() {
            runs.push(run(&format!("\n{}", self.t("IKKE RELEVANT", "NOT APPLICABLE")), true, Some(GREY)));
        }
        Cell::new(runs)
    }
    fn row_fill<T>(&self, e: &Entry<T>) -> Option<&'static str> {
        if e.not_applicable.is_some() {
            Some(NA_FILL)
        } else if e.origin == Origin::Local {
            Some(LOCAL_FILL)
        } else {
            None
        }
    }
    /// An item's name and description, with the not-applicable justification after it.
    fn main_cell<T>(&self, e: &Entry<T>, title: &str, desc: Option<&Prose>) -> Cell {
        let mut runs = vec![bold(title)];
        if let Some(d) = desc.filter(|d| !d.is_blank()) {
            runs.push(plain(format!("\n{}", d.0)));
        }
        if let Some(j) = &e.not_applicable {
            runs.push(run(&format!("\n{}: ", self.t("Ikke relevant her", "Not applicable here")), true, Some(GREY)));
            runs.push(run(&self.prose(j), false, Some(GREY)));
        }
        Cell::new(runs)
    }
    fn title_heading<T>(&self, e: &Entry<T>, reference: &Reference, title: &str) -> String {
        let mut s = format!("{reference} {title}");
        if e.origin == Origin::Local {
            s.push_str(self.t("  [LOKAL]", "  [LOCAL]"));
        }
        if e.deviation.is_some() {
            s.push_str(self.t("  [AFVIGELSE]", "  [DEVIATION]"));
        }
        s
    }
    fn level_cell(&self, l: Option<RiskLevel>) -> Cell {
        Cell::bold(self.ow(l)).center().fill(level_fill(l))
    }

    // ---- the document ----
    fn build(&mut self) {
        self.cover();
        self.page_break();
        self.body.push(Block::P(Box::new(Paragraph::new().style("TOCHeading").add_run(plain(self.t("Indhold", "Contents"))))));
        self.body.push(Block::Contents);
        self.page_break();
        self.description();
        self.necessity();
        self.wp248();
        self.risks();
        self.measures();
        self.traceability();
        self.before_after();
        if !self.o.is_base {
            self.supplement();
        }
        self.dpo();
        self.acceptance();
        self.review();
        if self.o.findings.is_some() {
            self.findings();
        }
        self.signatures();
    }

    fn footer(&self) -> Footer {
        let who = if self.o.is_base { self.t("Fælles basis", "Joint base").to_owned() } else { self.d.org.name.clone() };
        let left = format!("{} — {} — {who} · {}   ", self.title(), self.d.base.system, self.day(Some(self.o.generated_at)));
        Footer::new().add_paragraph(
            Paragraph::new()
                .style("Small")
                .add_run(plain(left))
                .add_run(plain(self.t("Side ", "Page ")))
                .add_page_num(PageNum::new())
                .add_run(plain(self.t(" af ", " of ")))
                .add_num_pages(NumPages::new()),
        )
    }

    fn title(&self) -> String {
        if self.d.base.title.is_empty() { self.t("Konsekvensanalyse", "Data protection impact assessment").to_owned() } else { self.d.base.title.clone() }
    }

    fn org_line(&self) -> String {
        if self.o.is_base {
            self.t("Fælles basis", "Joint base").into()
        } else {
            let code = self.d.org.code.map(|c| format!(" ({c})")).unwrap_or_default();
            format!("{}{code}", self.d.org.name)
        }
    }

    fn cover(&mut self) {
        let d = self.d;
        self.small(self.t("KONSEKVENSANALYSE · GDPR ART. 35", "DATA PROTECTION IMPACT ASSESSMENT · GDPR ART. 35"));
        self.body.push(Block::P(Box::new(Paragraph::new().style("Title").add_run(plain(self.title())))));
        self.body.push(Block::P(Box::new(Paragraph::new().add_run(bold(self.org_line()).size(32)))));
        let mut rows: Vec<(String, Vec<Run>)> = vec![(self.t("System", "System").into(), vec![plain(&d.base.system)])];
        if !self.o.is_base {
            rows.push((self.t("Dataansvarlig", "Controller").into(), vec![plain(self.org_line())]));
        }
        rows.push((self.t("Koordinator", "Coordinator").into(), vec![plain(&d.coordinator)]));
        let mut base = match &self.o.base_version {
            Some((name, hash)) => vec![bold(name), run(&format!("\n{}: {hash}", self.t("Indholdshash (SHA-256)", "Content hash (SHA-256)")), false, Some(GREY))],
            None => vec![bold(if d.base.version_label.is_empty() { "—" } else { &d.base.version_label })],
        };
        if !self.o.is_base {
            let rel = if d.base_release.is_empty() { self.t("arbejdsversionen", "the working version").to_string() } else { d.base_release.clone() };
            base.push(plain(format!("\n{} {rel}", self.t("Tillægget er vurderet mod", "The supplement was assessed against"))));
        }
        rows.push((self.t("Fælles basis", "Joint base").into(), base));
        rows.push((self.t("Dato", "Date").into(), vec![plain(self.day(Some(self.o.generated_at)))]));
        rows.push((self.t("Status", "Status").into(), vec![bold(self.t("Udkast", "Draft"))]));
        let (before, after) = d.distribution();
        rows.push((
            self.t("Risikobillede", "Risk profile").into(),
            vec![plain(format!(
                "{} {}/{}/{}, {} {}/{}/{} ({})",
                self.t("før foranstaltninger", "before measures"),
                before.low,
                before.medium,
                before.high,
                self.t("efter", "after"),
                after.low,
                after.medium,
                after.high,
                self.t("lav/mellem/høj", "low/medium/high")
            ))],
        ));
        rows.push((self.t("Fingeraftryk (SHA-256)", "Fingerprint (SHA-256)").into(), vec![run(&sha256_json(d), false, Some(GREY))]));
        self.kv(rows);
        self.small(if self.o.is_base {
            self.t(
                "Denne fælles basis deles af de deltagende kommuner. Hver kommune er selv dataansvarlig og supplerer basis med et lokalt tillæg, hvor dens behandling afviger.",
                "This joint base is shared by the participating municipalities. Each remains the controller and adds a local supplement where its processing differs.",
            )
        } else {
            self.t(
                "Dokumentet er kommunens gældende konsekvensanalyse: den fælles basis med kommunens lokale tillæg. Lokale elementer er markeret LOKAL og fremhævet; afvigelser viser den basisværdi, de erstatter.",
                "This is the municipality's effective DPIA: the joint base with its local supplement. Local items are marked LOCAL and highlighted; deviations show the base value they replace.",
            )
        });
    }

    fn description(&mut self) {
        let d = self.d;
        self.h1(self.t("Systematisk beskrivelse (art. 35, stk. 7, litra a)", "Systematic description (Art. 35(7)(a))"));
        let mut rows = vec![
            (self.t("Sammenfatning", "Summary").to_string(), vec![plain(self.prose(&d.description.summary))]),
            (self.t("Afgrænsning", "Scope").to_string(), vec![plain(self.prose(&d.description.scope))]),
            (self.t("Opbevaring og sletning", "Retention and erasure").to_string(), vec![plain(self.prose(&d.description.retention))]),
            (
                self.t("Ny teknologi", "New technology").to_string(),
                vec![bold(self.yes_no(d.description.new_technology)), plain(format!(" — {}", self.prose(&d.description.new_technology_text)))],
            ),
        ];
        if !d.local_legal_basis.is_blank() {
            rows.push((self.t("Lokalt supplerende retsgrundlag", "Local additional legal basis").to_string(), vec![local(format!("{} ", self.t("LOKAL", "LOCAL"))), plain(&d.local_legal_basis.0)]));
        }
        self.kv(rows);

        self.heading(2, self.t("Databehandlingsprocesser", "Processing activities"));
        if !self.none_if_empty(d.items.processes.len()) {
            let rows = d.items.processes.iter().map(|e| {
                let p = &e.item;
                let ops: Vec<&str> = p.operations.iter().map(|o| self.w(*o)).collect();
                (vec![self.ref_cell(e, &p.reference), self.main_cell(e, &p.name, Some(&p.description)), Cell::text(if ops.is_empty() { "—".into() } else { ops.join(", ") }), Cell::text(self.links(&p.modules)), Cell::text(self.links(&p.purposes))], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 3.2, 1.6, 1.0, 1.0], &[("Ref.", "Ref."), ("Proces", "Process"), ("Behandlingsaktiviteter", "Operations"), ("Moduler", "Modules"), ("Formål", "Purposes")], rows);
        }

        self.heading(2, self.t("Moduler", "Modules"));
        if !self.none_if_empty(d.items.modules.len()) {
            let rows = d.items.modules.iter().map(|e| (vec![self.ref_cell(e, &e.item.reference), self.main_cell(e, &e.item.name, Some(&e.item.description))], self.row_fill(e))).collect();
            self.table(&[1.05, 6.0], &[("Ref.", "Ref."), ("Modul", "Module")], rows);
        }

        self.heading(2, self.t("Formål og retsgrundlag", "Purposes and legal basis"));
        if !self.none_if_empty(d.items.purposes.len()) {
            let rows = d.items.purposes.iter().map(|e| {
                let p = &e.item;
                let art: Vec<&str> = p.legal_basis.art6.iter().map(|a| self.w(*a)).chain(p.legal_basis.art9.iter().map(|a| self.w(*a))).collect();
                let mut g = vec![bold(if art.is_empty() { self.t("(ikke angivet)", "(not stated)").to_string() } else { art.join("; ") })];
                if !p.legal_basis.gdpr_text.is_blank() {
                    g.push(plain(format!("\n{}", p.legal_basis.gdpr_text.0)));
                }
                (vec![self.ref_cell(e, &p.reference), self.main_cell(e, &p.title, Some(&p.description)), Cell::new(g), Cell::text(self.prose(&p.legal_basis.national_law))], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 2.6, 2.0, 2.0], &[("Ref.", "Ref."), ("Formål", "Purpose"), ("Databeskyttelsesforordningen", "GDPR"), ("National lovgivning", "National law")], rows);
        }

        self.heading(2, self.t("Kategorier af personoplysninger", "Categories of personal data"));
        if !self.none_if_empty(d.items.data_categories.len()) {
            let rows = d.items.data_categories.iter().map(|e| {
                let c = &e.item;
                let class_fill = match c.class {
                    Some(DataClass::Special) | Some(DataClass::Criminal) => Some(HIGH),
                    Some(DataClass::Confidential) | Some(DataClass::Cpr) => Some(MEDIUM),
                    _ => None,
                };
                (vec![
                    self.ref_cell(e, &c.reference),
                    self.main_cell(e, &c.name, Some(&c.examples)),
                    Cell::bold(self.ow(c.class)).fill(class_fill),
                    Cell::text(self.prose(&c.retention)),
                    Cell::text(format!("{}\n{}", self.links(&c.sources), self.links(&c.subjects))),
                ], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 2.4, 1.3, 2.0, 1.3], &[("Ref.", "Ref."), ("Kategori", "Category"), ("Klassifikation", "Class"), ("Opbevaring", "Retention"), ("Kilder / registrerede", "Sources / subjects")], rows);
        }

        self.heading(2, self.t("Kategorier af registrerede", "Categories of data subjects"));
        if !self.none_if_empty(d.items.subject_categories.len()) {
            let rows = d.items.subject_categories.iter().map(|e| {
                let s = &e.item;
                let mut count = vec![bold(s.count.map(|n| self.number(n)).unwrap_or_else(|| self.t("(ikke angivet)", "(not stated)").into()))];
                if let Some(Deviation::SubjectCount { base_count, note }) = &e.deviation {
                    count.push(run(&format!("\n{}: {}", self.t("Fælles basis angiver", "Joint base states"), base_count.map(|n| self.number(n)).unwrap_or_else(|| "—".into())), false, Some(LOCAL)));
                    if !note.is_blank() {
                        count.push(run(&format!("\n{}", note.0), false, Some(LOCAL)));
                    }
                }
                if !s.count_note.is_blank() {
                    count.push(plain(format!("\n{}", s.count_note.0)));
                }
                let vuln = if s.vulnerable { vec![bold(self.t("ja", "yes")), plain(format!(" — {}", self.prose(&s.vulnerable_reason)))] } else { vec![plain(self.t("nej", "no"))] };
                (vec![self.ref_cell(e, &s.reference), self.main_cell(e, &s.name, None), Cell::new(count), Cell::new(vuln)], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 2.6, 1.6, 2.6], &[("Ref.", "Ref."), ("Kategori", "Category"), ("Antal", "Number"), ("Sårbare registrerede", "Vulnerable")], rows);
        }

        self.heading(2, self.t("Kilder", "Sources"));
        if !self.none_if_empty(d.items.sources.len()) {
            let rows = d.items.sources.iter().map(|e| (vec![self.ref_cell(e, &e.item.reference), self.main_cell(e, &e.item.name, Some(&e.item.description))], self.row_fill(e))).collect();
            self.table(&[1.05, 6.0], &[("Ref.", "Ref."), ("Kilde", "Source")], rows);
        }

        self.heading(2, self.t("Modtagere og adgang", "Recipients and access"));
        if !self.none_if_empty(d.items.recipients.len()) {
            let rows = d.items.recipients.iter().map(|e| {
                let r = &e.item;
                (vec![self.ref_cell(e, &r.reference), self.main_cell(e, &r.name, None), Cell::text(self.ow(r.side)), Cell::text(self.prose(&r.access))], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 2.2, 1.0, 3.0], &[("Ref.", "Ref."), ("Modtager", "Recipient"), ("Adgang", "Side"), ("Hvem og hvordan", "Who and how")], rows);
        }

        self.heading(2, self.t("Databehandlere", "Processors"));
        if !self.none_if_empty(d.items.processors.len()) {
            let rows = d.items.processors.iter().map(|e| {
                let p = &e.item;
                let mut role = vec![plain(self.ow(p.role))];
                if p.parent.is_some() {
                    role.push(run(&format!("\n{} {}", self.t("for", "for"), self.link(&p.parent)), false, Some(GREY)));
                }
                (vec![self.ref_cell(e, &p.reference), self.main_cell(e, &p.name, None), Cell::new(role), Cell::text(self.prose(&p.service)), Cell::text(&p.location)], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 2.0, 1.4, 2.4, 1.2], &[("Ref.", "Ref."), ("Databehandler", "Processor"), ("Rolle", "Role"), ("Ydelse", "Service"), ("Placering", "Location")], rows);
        }

        self.heading(2, self.t("Overførsler til tredjelande", "Transfers to third countries"));
        if !self.none_if_empty(d.items.transfers.len()) {
            let rows = d.items.transfers.iter().map(|e| {
                let x = &e.item;
                (vec![self.ref_cell(e, &x.reference), self.main_cell(e, &format!("{} — {}", x.country, x.recipient), None), Cell::text(self.ow(x.basis)), Cell::text(self.prose(&x.description))], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 2.0, 1.8, 3.0], &[("Ref.", "Ref."), ("Land og modtager", "Country and recipient"), ("Grundlag", "Basis"), ("Beskrivelse", "Description")], rows);
        }

        self.heading(2, self.t("Dokumenttyper", "Document types"));
        if !self.none_if_empty(d.items.document_types.len()) {
            let rows = d.items.document_types.iter().map(|e| {
                let x = &e.item;
                (vec![self.ref_cell(e, &x.reference), self.main_cell(e, &x.name, Some(&x.description)), Cell::text(self.link(&x.module))], self.row_fill(e))
            }).collect();
            self.table(&[1.05, 5.0, 1.0], &[("Ref.", "Ref."), ("Dokumenttype", "Document type"), ("Modul", "Module")], rows);
        }

        self.heading(2, self.t("Andre systemer", "Other systems"));
        if !self.none_if_empty(d.items.systems.len()) {
            let rows = d.items.systems.iter().map(|e| (vec![self.ref_cell(e, &e.item.reference), self.main_cell(e, &e.item.name, Some(&e.item.description))], self.row_fill(e))).collect();
            self.table(&[1.05, 6.0], &[("Ref.", "Ref."), ("System", "System")], rows);
        }
    }

    fn necessity(&mut self) {
        self.h1(self.t("Nødvendighed og proportionalitet (art. 35, stk. 7, litra b)", "Necessity and proportionality (Art. 35(7)(b))"));
        if self.none_if_empty(self.d.items.purposes.len()) {
            return;
        }
        for e in &self.d.items.purposes {
            self.heading(3, &self.title_heading(e, &e.item.reference, &e.item.title));
            let rows = NecessityAspect::ALL
                .iter()
                .map(|a| {
                    let p = e.item.necessity.aspect(*a);
                    let value = if p.is_blank() { run(&self.prose(p), false, Some(GREY)) } else { plain(&p.0) };
                    (vec![Cell::bold(cap(self.w(*a))), Cell::new(vec![value])], None)
                })
                .collect();
            self.table(&[1.4, 5.0], &[("Aspekt", "Aspect"), ("Vurdering", "Assessment")], rows);
        }
    }

    fn wp248(&mut self) {
        self.h1(self.t("WP248-screening", "WP248 screening"));
        let rows = Wp248Criterion::ALL
            .iter()
            .map(|c| {
                let a = self.d.wp248.answer(*c);
                let met = Cell::bold(self.yes_no(a.met)).center().fill((a.met == Some(true)).then_some(MEDIUM));
                (vec![Cell::text(cap(self.w(*c))), met, Cell::text(self.prose(&a.reason))], None)
            })
            .collect();
        self.table(&[2.2, 0.7, 4.0], &[("Kriterium", "Criterion"), ("Opfyldt", "Met"), ("Begrundelse", "Reason")], rows);
        let met = self.d.wp248.met_count();
        let s = if self.da {
            format!("{met} af 9 kriterier er opfyldt{}", if met >= 2 { " — en konsekvensanalyse er påkrævet." } else { "." })
        } else {
            format!("{met} of 9 criteria are met{}", if met >= 2 { " — a DPIA is required." } else { "." })
        };
        self.para(vec![bold(s)]);
    }

    fn risks(&mut self) {
        let d = self.d;
        self.h1(self.t("Risikovurdering (art. 35, stk. 7, litra c)", "Risk assessment (Art. 35(7)(c))"));
        self.small(self.t(
            "Hver risiko er vurderet for fortrolighed, integritet og tilgængelighed: konsekvens for de registrerede og sandsynlighed, hver med begrundelse, før (iboende) og efter (rest) foranstaltninger. Risikoniveauet følger matricen konsekvens × sandsynlighed (1–3 lav, 4–8 mellem, 9–16 høj).",
            "Each risk is rated for confidentiality, integrity and availability: consequence for the data subjects and likelihood, each with its reason, before (inherent) and after (residual) measures. The level follows the matrix consequence × likelihood (1–3 low, 4–8 medium, 9–16 high).",
        ));
        self.heading(2, self.t("Risikoregister", "Risk register"));
        if self.none_if_empty(d.items.risks.len()) {
            return;
        }
        let rows = d
            .items
            .risks
            .iter()
            .map(|e| {
                let r = &e.item;
                let ms: Vec<String> = d.measures_for(&r.id).map(|m| m.item.reference.0.clone()).collect();
                (vec![
                    self.ref_cell(e, &r.reference),
                    self.main_cell(e, &r.title, None),
                    self.level_cell(r.inherent.level()),
                    self.level_cell(r.residual.level()),
                    Cell::text(if ms.is_empty() { self.t("(ingen)", "(none)").into() } else { ms.join(", ") }),
                ], self.row_fill(e))
            })
            .collect();
        self.table(&[1.05, 3.6, 1.0, 1.0, 1.4], &[("Ref.", "Ref."), ("Risiko", "Risk"), ("Iboende", "Inherent"), ("Rest", "Residual"), ("Foranstaltninger", "Measures")], rows);

        self.heading(2, self.t("Risici med begrundelser", "Risks with reasons"));
        for e in &d.items.risks {
            let r = &e.item;
            self.heading(3, &self.title_heading(e, &r.reference, &r.title));
            if let Some(j) = &e.not_applicable {
                self.para(vec![run(&format!("{}: ", self.t("Ikke relevant her", "Not applicable here")), true, Some(GREY)), run(&self.prose(j), false, Some(GREY))]);
            }
            let source = self.ow(r.source);
            let src = if r.source_reference.is_empty() { source.to_string() } else { format!("{source} ({})", r.source_reference) };
            self.para(vec![
                bold(format!("{}: ", self.t("Trussel", "Threat"))),
                plain(self.prose(&r.threat)),
                run(
                    &format!("\n{}: {} · {}: {} · {}: {src}", self.t("Processer", "Processes"), self.links(&r.processes), self.t("Moduler", "Modules"), self.links(&r.modules), self.t("Kilde", "Source")),
                    false,
                    Some(GREY),
                ),
            ]);
            let mut rows = Vec::new();
            for (label, a) in [(self.t("Før", "Before"), &r.inherent), (self.t("Efter", "After"), &r.residual)] {
                for dim in Dimension::ALL {
                    let rt = a.rating(*dim);
                    rows.push((vec![
                        Cell::new(vec![bold(label), plain(format!("\n{}", cap(self.w(*dim))))]),
                        Cell::new(vec![bold(self.ow(rt.consequence)), plain(format!(" — {}", self.prose(&rt.consequence_reason)))]),
                        Cell::new(vec![bold(self.ow(rt.likelihood)), plain(format!(" — {}", self.prose(&rt.likelihood_reason)))]),
                        self.level_cell(rt.level()),
                    ], None));
                }
            }
            self.table(&[1.2, 3.0, 3.0, 0.9], &[("", ""), ("Konsekvens og begrundelse", "Consequence and reason"), ("Sandsynlighed og begrundelse", "Likelihood and reason"), ("Niveau", "Level")], rows);
            if !r.residual_reason.is_blank() {
                self.labelled(self.t("Begrundelse for restrisiko", "Reason for the residual rating"), &r.residual_reason.0);
            }
            if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
                self.para(vec![
                    local(format!("{} ", self.t("Lokal vurdering.", "Local rating."))),
                    run(
                        &format!(
                            "{}: {} {}, {} {}. ",
                            self.t("Fælles basis vurderer", "The joint base rates"),
                            self.t("iboende", "inherent"),
                            self.ow(base_inherent.level()),
                            self.t("rest", "residual"),
                            self.ow(base_residual.level())
                        ),
                        false,
                        Some(LOCAL),
                    ),
                    local(format!("{}: ", self.t("Begrundelse", "Reason"))),
                    run(&self.prose(reason), false, Some(LOCAL)),
                ]);
            }
            if !r.acceptance.is_blank() {
                self.labelled(self.t("Accept af risikoen", "Acceptance of the risk"), &r.acceptance.0);
            }
            let ms: Vec<String> = d.measures_for(&r.id).map(|m| format!("{} {}", m.item.reference, m.item.title)).collect();
            self.labelled(self.t("Foranstaltninger", "Measures"), if ms.is_empty() { self.t("(ingen)", "(none)").to_string() } else { ms.join("; ") });
        }
    }

    fn measures(&mut self) {
        let d = self.d;
        self.h1(self.t("Foranstaltninger (art. 35, stk. 7, litra d)", "Measures (Art. 35(7)(d))"));
        self.heading(2, self.t("Tekniske og organisatoriske foranstaltninger", "Technical and organisational measures"));
        if !self.none_if_empty(d.items.measures.len()) {
            let rows = d
                .items
                .measures
                .iter()
                .map(|e| {
                    let m = &e.item;
                    let mut main = self.main_cell(e, &m.title, Some(&m.description));
                    if m.status == Some(MeasureStatus::Rejected) {
                        main.runs.push(bold(format!("\n{}: ", self.t("Begrundelse for fravalg", "Reason for rejection"))));
                        main.runs.push(plain(self.prose(&m.rejection_reason)));
                    }
                    if let Some(Deviation::MeasureStatus { state, text }) = &e.deviation {
                        main.runs.push(local(format!("\n{}: {} — ", self.t("Lokalt", "Locally"), self.ow(*state))));
                        main.runs.push(run(&self.prose(text), false, Some(LOCAL)));
                    }
                    let mut status = vec![plain(self.ow(m.kind)), bold(format!("\n{}", self.ow(m.status)))];
                    if m.planned_date.is_some() {
                        status.push(plain(format!("\n{} {}", self.t("senest", "by"), self.day(m.planned_date))));
                    }
                    let owner = if m.owner_name.is_empty() { self.ow(m.owner).to_string() } else { format!("{}\n{}", self.ow(m.owner), m.owner_name) };
                    (vec![self.ref_cell(e, &m.reference), main, Cell::new(status), Cell::text(owner), Cell::text(self.links(&m.mitigates)), Cell::text(self.links(&m.evidence))], self.row_fill(e))
                })
                .collect();
            self.table(
                &[1.05, 3.4, 1.3, 1.3, 0.9, 0.9],
                &[("Ref.", "Ref."), ("Foranstaltning", "Measure"), ("Type og status", "Kind and status"), ("Ansvarlig", "Owner"), ("Risici", "Risks"), ("Dok.", "Evidence")],
                rows,
            );
        }
        self.heading(2, self.t("Dokumentation", "Evidence"));
        if !self.none_if_empty(d.items.evidence.len()) {
            let rows = d
                .items
                .evidence
                .iter()
                .map(|e| {
                    let v = &e.item;
                    let location = Prose(v.location.clone());
                    (vec![
                        self.ref_cell(e, &v.reference),
                        self.main_cell(e, &v.title, Some(&location)),
                        Cell::text(self.ow(v.kind)),
                        Cell::text(&v.issued_by),
                        Cell::text(format!("{}\n{}", self.day(v.date), self.day(v.received))),
                    ], self.row_fill(e))
                })
                .collect();
            self.table(&[1.05, 2.8, 1.5, 1.5, 1.2], &[("Ref.", "Ref."), ("Dokumentation", "Evidence"), ("Art", "Kind"), ("Udstedt af", "Issued by"), ("Dato / modtaget", "Date / received")], rows);
        }
    }

    /// The traceability matrix: risks down, measures across (at most 12 per table), a dot
    /// where the measure reduces the risk.
    fn traceability(&mut self) {
        let d = self.d;
        self.h1(self.t("Sporbarhed: risici og foranstaltninger", "Traceability: risks and measures"));
        self.small(self.t(
            "Matricen viser, hvilke foranstaltninger der reducerer hvilke risici, ved deres faste referencer. Kun elementer, der er relevante her, indgår.",
            "The matrix shows which measures reduce which risks, by their stable references. Only items that apply here are included.",
        ));
        let risks: Vec<&Entry<Risk>> = d.items.risks.iter().filter(|e| e.applies()).collect();
        let measures: Vec<&Entry<Measure>> = d.items.measures.iter().filter(|e| e.applies()).collect();
        if risks.is_empty() || measures.is_empty() {
            self.small(self.t("(ingen)", "(none)"));
            return;
        }
        let per = measures.len().div_ceil(measures.len().div_ceil(12));
        for chunk in measures.chunks(per) {
            let mut widths = vec![3.2];
            widths.extend(std::iter::repeat_n(0.62, chunk.len()));
            let corner = self.t("Risiko \\ foranstaltning", "Risk \\ measure");
            let mut header_cells = vec![Cell::bold(corner).fill(Some(HEADER_FILL))];
            header_cells.extend(chunk.iter().map(|m| Cell::new(vec![run(&m.item.reference.0, true, m.is_local().then_some(LOCAL))]).center().fill(Some(HEADER_FILL))));
            let mut rows = vec![(header_cells, None)];
            for r in &risks {
                let mut row = vec![Cell::new(vec![bold(format!("{} ", r.item.reference)), plain(&r.item.title)])];
                row.extend(chunk.iter().map(|m| if m.item.mitigates.contains(&r.item.id) { Cell::bold("●").center() } else { Cell::default() }));
                rows.push((row, r.is_local().then_some(LOCAL_FILL)));
            }
            self.table(&widths, &[], rows);
        }
        let without: Vec<String> = risks.iter().filter(|r| d.measures_for(&r.item.id).next().is_none() && r.item.acceptance.is_blank()).map(|r| r.item.reference.0.clone()).collect();
        if !without.is_empty() {
            self.para(vec![local(format!("{}: ", self.t("Risici uden foranstaltning eller accept", "Risks without a measure or an acceptance"))), plain(without.join(", "))]);
        }
        let dangling: Vec<String> = measures
            .iter()
            .flat_map(|m| m.item.mitigates.iter().filter(|id| !self.refs.contains_key(*id)).map(move |id| format!("{} → ?{id}", m.item.reference)))
            .collect();
        if !dangling.is_empty() {
            self.para(vec![local(format!("{}: ", self.t("Henvisninger der ikke kan findes", "References that do not resolve"))), plain(dangling.join(", "))]);
        }
    }

    fn before_after(&mut self) {
        let d = self.d;
        self.h1(self.t("Risikobilledet før og efter foranstaltninger", "Risks before and after measures"));
        let (before, after) = d.distribution();
        let pct = |n: usize, total: usize| (n * 100 + total / 2).checked_div(total).map(|p| format!("{p} %")).unwrap_or_else(|| "—".into());
        let mut rows: Vec<(Vec<Cell>, Option<&'static str>)> = [(RiskLevel::Low, before.low, after.low), (RiskLevel::Medium, before.medium, after.medium), (RiskLevel::High, before.high, after.high)]
            .into_iter()
            .map(|(lvl, b, a)| {
                (vec![
                    Cell::bold(cap(self.w(lvl))).fill(level_fill(Some(lvl))),
                    Cell::text(b.to_string()).center(),
                    Cell::text(pct(b, before.total())).center(),
                    Cell::text(a.to_string()).center(),
                    Cell::text(pct(a, after.total())).center(),
                ], None)
            })
            .collect();
        rows.push((vec![Cell::bold(self.t("I alt", "Total")), Cell::bold(before.total().to_string()).center(), Cell::default(), Cell::bold(after.total().to_string()).center(), Cell::default()], None));
        self.table(&[2.0, 1.0, 1.0, 1.0, 1.0], &[("Risikoniveau", "Risk level"), ("Før", "Before"), ("", ""), ("Efter", "After"), ("", "")], rows);
        self.small(self.t(
            "Varmekortene placerer hver relevant risiko efter sin mest alvorlige dimension: konsekvens (lodret) mod sandsynlighed (vandret). Tallet er antallet af risici i feltet.",
            "The heat maps place each applicable risk by its most serious dimension: consequence (vertical) against likelihood (horizontal). The number is the count of risks in the cell.",
        ));
        for (title, pick) in [
            (self.t("Før foranstaltninger (iboende)", "Before measures (inherent)"), (|r: &Risk| r.inherent.clone()) as fn(&Risk) -> Assessment),
            (self.t("Efter foranstaltninger (rest)", "After measures (residual)"), |r: &Risk| r.residual.clone()),
        ] {
            self.heading(3, title);
            self.heat_map(pick);
        }
    }

    /// A 4 × 4 heat map as a table: consequence down (devastating at the top), likelihood
    /// across, each cell coloured by the matrix level with the count and the references.
    fn heat_map(&mut self, pick: fn(&Risk) -> Assessment) {
        let mut grid: BTreeMap<(u8, u8), Vec<String>> = BTreeMap::new();
        for e in self.d.items.risks.iter().filter(|e| e.applies()) {
            if let Some((c, l)) = worst_point(&pick(&e.item)) {
                grid.entry((c.step(), l.step())).or_default().push(e.item.reference.0.clone());
            }
        }
        let mut rows = Vec::new();
        for c in Consequence::ALL.iter().rev() {
            let mut row = vec![Cell::bold(cap(self.w(*c))).fill(Some(HEADER_FILL))];
            for l in Likelihood::ALL {
                let fill = level_fill(Some(RiskLevel::of(*c, l)));
                row.push(match grid.get(&(c.step(), l.step())) {
                    Some(refs) => Cell::new(vec![bold(refs.len().to_string()), run(&format!("\n{}", refs.join(" ")), false, Some(GREY))]).center().fill(fill),
                    None => Cell::default().fill(fill),
                });
            }
            rows.push((row, None));
        }
        let mut header = vec![Cell::bold(self.t("Konsekvens \\ sandsynlighed", "Consequence \\ likelihood")).fill(Some(HEADER_FILL))];
        header.extend(Likelihood::ALL.iter().map(|l| Cell::bold(cap(self.w(*l))).center().fill(Some(HEADER_FILL))));
        rows.insert(0, (header, None));
        self.table(&[1.6, 1.0, 1.0, 1.0, 1.0], &[], rows);
    }

    fn supplement(&mut self) {
        let d = self.d;
        self.h1(self.t("Kommunens lokale tillæg", "The municipality's local supplement"));
        self.para(vec![local(self.t(
            "Alt i dette afsnit er kommunens eget (LOKALT) og supplerer eller erstatter den fælles basis.",
            "Everything in this section is the municipality's own (LOCAL) and adds to or replaces the joint base.",
        ))]);
        self.heading(2, self.t("Betingelser for fælles konsekvensanalyse", "Conditions for a joint DPIA"));
        self.small(self.t(
            "Datatilsynets afgørelse (afsnit 4.4): flere dataansvarlige kan dele én konsekvensanalyse, når system, behandlingsaktiviteter, typer af oplysninger og høje risici svarer til hinanden.",
            "Datatilsynet's decision (section 4.4): several controllers may share one DPIA when system, processing, types of data and high risks are similar.",
        ));
        let rows = JointCondition::ALL
            .iter()
            .map(|c| {
                let a = d.conditions.answer(*c);
                let fill = match a.met {
                    Some(true) => LOW,
                    Some(false) => HIGH,
                    None => NA_FILL,
                };
                (vec![Cell::text(cap(self.w(*c))), Cell::bold(self.yes_no(a.met)).center().fill(Some(fill)), Cell::text(self.prose(&a.reason))], None)
            })
            .collect();
        self.table(&[2.2, 0.7, 4.0], &[("Betingelse", "Condition"), ("Opfyldt", "Met"), ("Begrundelse", "Reason")], rows);

        self.heading(2, self.t("Afvigelser fra den fælles basis", "Deviations from the joint base"));
        let mut rows = Vec::new();
        for e in &d.items.risks {
            if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
                let fmt = |i: &Assessment, r: &Assessment| format!("{} {}\n{} {}", self.t("iboende", "inherent"), self.ow(i.level()), self.t("rest", "residual"), self.ow(r.level()));
                rows.push((vec![
                    Cell::bold(&e.item.reference.0),
                    Cell::text(self.t("Risikovurdering", "Risk rating")),
                    Cell::text(fmt(base_inherent, base_residual)),
                    Cell::new(vec![local(fmt(&e.item.inherent, &e.item.residual))]),
                    Cell::text(self.prose(reason)),
                ], None));
            }
        }
        for e in &d.items.measures {
            if let Some(Deviation::MeasureStatus { state, text }) = &e.deviation {
                rows.push((vec![
                    Cell::bold(&e.item.reference.0),
                    Cell::text(self.t("Foranstaltning", "Measure")),
                    Cell::text(format!("{}\n{}", e.item.title, self.ow(e.item.status))),
                    Cell::new(vec![local(self.ow(*state))]),
                    Cell::text(self.prose(text)),
                ], None));
            }
        }
        for e in &d.items.subject_categories {
            if let Some(Deviation::SubjectCount { base_count, note }) = &e.deviation {
                rows.push((vec![
                    Cell::bold(&e.item.reference.0),
                    Cell::text(self.t("Antal registrerede", "Number of data subjects")),
                    Cell::text(format!("{}: {}", e.item.name, base_count.map(|c| self.number(c)).unwrap_or_else(|| "—".into()))),
                    Cell::new(vec![local(e.item.count.map(|c| self.number(c)).unwrap_or_else(|| "—".into()))]),
                    Cell::text(self.prose(note)),
                ], None));
            }
        }
        if !self.none_if_empty(rows.len()) {
            self.table(&[1.05, 1.3, 1.9, 1.9, 2.4], &[("Ref.", "Ref."), ("Art", "Kind"), ("Fælles basis", "Joint base"), ("Lokalt", "Local"), ("Begrundelse", "Reason")], rows);
        }

        self.heading(2, self.t("Lokale tilføjelser", "Local additions"));
        let mut rows = Vec::new();
        macro_rules! add {
            ($f:ident, $da:literal, $en:literal, $title:expr) => {
                for e in d.items.$f.iter().filter(|e| e.is_local()) {
                    let title: String = $title(&e.item);
                    rows.push((vec![Cell::bold(&e.item.reference.0), Cell::text(self.t($da, $en)), Cell::text(title)], Some(LOCAL_FILL)));
                }
            };
        }
        add!(processes, "Proces", "Process", |x: &Process| x.name.clone());
        add!(modules, "Modul", "Module", |x: &Module| x.name.clone());
        add!(purposes, "Formål", "Purpose", |x: &Purpose| x.title.clone());
        add!(data_categories, "Oplysninger", "Data", |x: &DataCategory| x.name.clone());
        add!(subject_categories, "Registrerede", "Subjects", |x: &SubjectCategory| x.name.clone());
        add!(sources, "Kilde", "Source", |x: &Source| x.name.clone());
        add!(recipients, "Modtager", "Recipient", |x: &Recipient| x.name.clone());
        add!(transfers, "Overførsel", "Transfer", |x: &Transfer| format!("{} — {}", x.country, x.recipient));
        add!(processors, "Databehandler", "Processor", |x: &Processor| x.name.clone());
        add!(document_types, "Dokumenttype", "Document type", |x: &DocumentType| x.name.clone());
        add!(systems, "System", "System", |x: &System| x.name.clone());
        add!(risks, "Risiko", "Risk", |x: &Risk| x.title.clone());
        add!(measures, "Foranstaltning", "Measure", |x: &Measure| x.title.clone());
        add!(evidence, "Dokumentation", "Evidence", |x: &Evidence| x.title.clone());
        add!(dpo_advice, "DPO-rådgivning", "DPO advice", |x: &DpoAdvice| x.advisor.clone());
        add!(reviews, "Revision", "Review", |x: &Review| x.reviewer.clone());
        if !self.none_if_empty(rows.len()) {
            self.table(&[1.05, 1.6, 4.4], &[("Ref.", "Ref."), ("Art", "Kind"), ("Element", "Item")], rows);
        }

        self.heading(2, self.t("Elementer der ikke er relevante her", "Items that do not apply here"));
        let mut rows = Vec::new();
        macro_rules! na {
            ($f:ident, $title:expr) => {
                for e in &d.items.$f {
                    if let Some(j) = &e.not_applicable {
                        let title: String = $title(&e.item);
                        rows.push((vec![Cell::bold(&e.item.reference.0), Cell::text(title), Cell::text(self.prose(j))], Some(NA_FILL)));
                    }
                }
            };
        }
        na!(processes, |x: &Process| x.name.clone());
        na!(modules, |x: &Module| x.name.clone());
        na!(purposes, |x: &Purpose| x.title.clone());
        na!(data_categories, |x: &DataCategory| x.name.clone());
        na!(subject_categories, |x: &SubjectCategory| x.name.clone());
        na!(sources, |x: &Source| x.name.clone());
        na!(recipients, |x: &Recipient| x.name.clone());
        na!(transfers, |x: &Transfer| format!("{} — {}", x.country, x.recipient));
        na!(processors, |x: &Processor| x.name.clone());
        na!(document_types, |x: &DocumentType| x.name.clone());
        na!(systems, |x: &System| x.name.clone());
        na!(risks, |x: &Risk| x.title.clone());
        na!(measures, |x: &Measure| x.title.clone());
        na!(evidence, |x: &Evidence| x.title.clone());
        if !self.none_if_empty(rows.len()) {
            self.table(&[1.05, 2.4, 3.6], &[("Ref.", "Ref."), ("Element", "Item"), ("Begrundelse", "Justification")], rows);
        }
        if !d.contacts.is_blank() {
            self.labelled(self.t("Kontakt", "Contacts"), &d.contacts.0);
        }
        if !d.unresolved_targets.is_empty() {
            let ids: Vec<String> = d.unresolved_targets.iter().map(|i| i.to_string()).collect();
            self.para(vec![local(format!("{}: ", self.t("Advarsel: afvigelser uden basiselement", "Warning: deviations without a base item"))), plain(ids.join(", "))]);
        }
    }

    fn dpo(&mut self) {
        let d = self.d;
        self.h1(self.t("Databeskyttelsesrådgiverens rådgivning (art. 35, stk. 2)", "Advice of the data protection officer (Art. 35(2))"));
        if self.none_if_empty(d.items.dpo_advice.len()) {
            return;
        }
        let rows = d
            .items
            .dpo_advice
            .iter()
            .map(|e| {
                let a = &e.item;
                let fill = match a.response {
                    Some(AdviceResponse::Followed) => Some(LOW),
                    Some(AdviceResponse::PartlyFollowed) | Some(AdviceResponse::Pending) => Some(MEDIUM),
                    Some(AdviceResponse::Overruled) => Some(HIGH),
                    None => None,
                };
                let mut who = vec![bold(self.day(a.date)), plain(format!("\n{}", a.advisor))];
                if !a.concerns_version.is_empty() {
                    who.push(run(&format!("\n{} {}", self.t("vedr.", "re"), a.concerns_version), false, Some(GREY)));
                }
                (vec![self.ref_cell(e, &a.reference), Cell::new(who), self.main_cell(e, &self.prose(&a.advice), None), Cell::bold(self.ow(a.response)).center().fill(fill), Cell::text(self.prose(&a.response_reason))], self.row_fill(e))
            })
            .collect();
        self.table(&[1.05, 1.4, 3.0, 1.0, 2.2], &[("Ref.", "Ref."), ("Dato og rådgiver", "Date and adviser"), ("Rådgivning", "Advice"), ("Fulgt", "Followed"), ("Begrundelse", "Reason")], rows);
    }

    fn acceptance(&mut self) {
        let d = self.d;
        self.h1(self.t("Accept og forudgående høring (art. 36)", "Acceptance and prior consultation (Art. 36)"));
        let (_, after) = d.distribution();
        let medium_share = (after.medium * 100 + after.total() / 2).checked_div(after.total()).unwrap_or(0);
        let accepted = after.high == 0 && after.medium * 100 <= 70 * after.total();
        self.heading(2, self.t("Acceptkriterium", "Acceptance rule"));
        self.para(vec![plain(self.t(
            "Efter foranstaltninger må der ikke være høje risici, og højst 70 % må være mellem; ellers forelægges analysen databeskyttelsesrådgiveren.",
            "After measures there must be no high risks and at most 70 % medium; otherwise the assessment goes to the data protection officer.",
        ))]);
        let verdict = if self.da {
            format!(
                "Resultat: {} — efter foranstaltninger {} høje, {} mellem ({medium_share} %), {} lave.",
                if accepted { "accepteret" } else { "ikke accepteret; forelægges databeskyttelsesrådgiveren" },
                after.high,
                after.medium,
                after.low
            )
        } else {
            format!(
                "Result: {} — after measures {} high, {} medium ({medium_share} %), {} low.",
                if accepted { "accepted" } else { "not accepted; goes to the data protection officer" },
                after.high,
                after.medium,
                after.low
            )
        };
        self.para(vec![run(&verdict, true, Some(if accepted { ACCENT } else { "B31A1A" }))]);

        self.heading(2, self.t("Forudgående høring af Datatilsynet", "Prior consultation of Datatilsynet"));
        let pc = &d.prior_consultation;
        let mut rows = vec![
            (self.t("Påkrævet", "Required").to_string(), vec![bold(self.yes_no(pc.required))]),
            (self.t("Begrundelse", "Reason").to_string(), vec![plain(self.prose(&pc.reason))]),
        ];
        if pc.submitted.is_some() {
            rows.push((self.t("Indsendt", "Submitted").into(), vec![plain(self.day(pc.submitted))]));
        }
        if !pc.case_number.is_empty() {
            rows.push((self.t("Journalnummer", "Case number").into(), vec![plain(&pc.case_number)]));
        }
        if !pc.outcome.is_blank() {
            rows.push((self.t("Udfald", "Outcome").into(), vec![plain(&pc.outcome.0)]));
        }
        if d.prior_consultation_origin == Origin::Local {
            rows.push((self.t("Kilde", "Source").into(), vec![local(self.t("LOKAL", "LOCAL"))]));
        }
        self.kv(rows);
        if after.high > 0 && pc.required != Some(true) {
            self.para(vec![run(
                self.t(
                    "Art. 36-flag: der er høj restrisiko, men forudgående høring er ikke angivet som påkrævet.",
                    "Art. 36 flag: high residual risk remains, but prior consultation is not marked as required.",
                ),
                true,
                Some("B31A1A"),
            )]);
        } else if after.high > 0 {
            self.para(vec![bold(self.t("Art. 36-flag: høj restrisiko — forudgående høring af Datatilsynet.", "Art. 36 flag: high residual risk — prior consultation of Datatilsynet."))]);
        }
    }

    fn review(&mut self) {
        let d = self.d;
        self.h1(self.t("Revision (art. 35, stk. 11)", "Review (Art. 35(11))"));
        self.kv(vec![
            (self.t("Næste revision", "Next review").into(), vec![bold(self.day(d.review_plan.next_review))]),
            (self.t("Udløsende forhold", "Triggers").into(), vec![plain(self.prose(&d.review_plan.triggers))]),
        ]);
        if !d.items.reviews.is_empty() {
            let rows = d
                .items
                .reviews
                .iter()
                .map(|e| {
                    let v = &e.item;
                    (vec![self.ref_cell(e, &v.reference), Cell::text(format!("{}\n{}", self.day(v.date), v.reviewer)), Cell::text(self.prose(&v.trigger)), Cell::text(self.prose(&v.summary))], self.row_fill(e))
                })
                .collect();
            self.table(&[1.05, 1.4, 2.4, 3.0], &[("Ref.", "Ref."), ("Dato og ansvarlig", "Date and reviewer"), ("Anledning", "Trigger"), ("Resultat", "Result")], rows);
        }
    }

    fn findings(&mut self) {
        let findings = self.o.findings.clone().unwrap_or_default();
        self.page_break();
        self.heading(1, self.t("Bilag A. Resultat af kontrollen", "Annex A. Findings of the check"));
        if findings.is_empty() {
            self.para(vec![plain(self.t("Kontrollen fandt ingen mangler.", "The check found no problems."))]);
            return;
        }
        let rows = findings
            .into_iter()
            .map(|(code, severity, message)| {
                let s = severity.to_lowercase();
                let fill = if s.starts_with("fejl") || s.starts_with("err") {
                    Some(HIGH)
                } else if s.starts_with("adv") || s.starts_with("warn") {
                    Some(MEDIUM)
                } else {
                    None
                };
                (vec![Cell::bold(code), Cell::bold(severity).center().fill(fill), Cell::text(message)], None)
            })
            .collect();
        self.table(&[1.2, 1.0, 5.0], &[("Kode", "Code"), ("Alvor", "Severity"), ("Fund", "Finding")], rows);
    }

    fn signatures(&mut self) {
        let d = self.d;
        self.page_break();
        self.heading(1, self.t("Underskrifter", "Signatures"));
        let who = if self.o.is_base {
            format!("{} {}", self.t("Den fælles basis udgives af koordinatoren", "The joint base is published by the coordinator"), d.coordinator)
        } else {
            format!("{} {}", self.t("Konsekvensanalysen godkendes for", "The DPIA is approved for"), self.org_line())
        };
        self.para(vec![plain(format!("{who}."))]);
        let mut people: Vec<(String, String)> = d.signatories.iter().map(|s| (s.name.clone(), s.capacity.clone())).collect();
        if people.is_empty() {
            people.push((String::new(), if self.o.is_base { self.t("Koordinator", "Coordinator").into() } else { self.t("Dataansvarlig", "Controller").into() }));
        }
        let rows = people
            .into_iter()
            .map(|(name, capacity)| (vec![Cell::bold(name), Cell::text(capacity), Cell::text("\n\n"), Cell::text("\n\n")], None))
            .collect();
        self.table(&[2.0, 2.6, 1.2, 2.2], &[("Navn", "Name"), ("Egenskab", "Capacity"), ("Dato", "Date"), ("Underskrift", "Signature")], rows);
    }
}

/// The (consequence, likelihood) point that decides an assessment's level: its worst dimension.
fn worst_point(a: &Assessment) -> Option<(Consequence, Likelihood)> {
    Dimension::ALL
        .iter()
        .filter_map(|d| {
            let r = a.rating(*d);
            Some((r.consequence?, r.likelihood?))
        })
        .max_by_key(|(c, l)| (RiskLevel::of(*c, *l), c.step() * l.step(), c.step()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(docx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    fn koebenhavn() -> EffectiveDpia {
        let (coordination, base, supplements) = konsekvens_core::sample::aula();
        let kbh = supplements.iter().find(|s| s.meta.org == Some(OrgCode(101))).unwrap();
        let participant = coordination.participants.iter().find(|p| p.code == Some(OrgCode(101))).unwrap();
        EffectiveDpia::compute(&coordination, &base, kbh, participant)
    }

    #[test]
    fn sections_are_word_headings_in_the_pdfs_order_and_local_items_are_marked() {
        let opts = DocxOptions { lang: Lang::Da, is_base: false, generated_at: Day::ymd(2025, 6, 1), base_version: None, findings: Some(Vec::new()) };
        let bytes = render(&koebenhavn(), &opts).unwrap();
        let doc = part(&bytes, "word/document.xml");
        let headings: Vec<&str> = doc
            .split(r#"<w:pStyle w:val="Heading1" />"#)
            .skip(1)
            .filter_map(|rest| rest.split(r#"<w:t xml:space="preserve">"#).nth(1)?.split("</w:t>").next())
            .collect();
        assert_eq!(headings[0], "1. Systematisk beskrivelse (art. 35, stk. 7, litra a)");
        assert_eq!(headings[5], "6. Sporbarhed: risici og foranstaltninger");
        assert_eq!(headings[7], "8. Kommunens lokale tillæg");
        assert_eq!(headings.last(), Some(&"Underskrifter"));
        assert!(doc.contains(">LOKAL<"), "local items are marked");
        assert!(doc.contains("<w:tbl>"), "tables are Word tables");
        assert!(doc.contains("PAGEREF _Toc000001"), "the contents point at the bookmarked headings");
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains(r#"<w:style w:type="paragraph" w:styleId="Heading1">"#) && styles.contains(r#"<w:outlineLvl w:val="0" />"#), "{styles}");
    }

    #[test]
    fn the_base_has_no_supplement_section_and_english_works() {
        let (coordination, base, _) = konsekvens_core::sample::aula();
        let base_only = Participant { code: None, name: "Fælles basis".into(), ref_prefix: String::new() };
        let dpia = EffectiveDpia::compute(&coordination, &base, &Supplement::default(), &base_only);
        let opts = DocxOptions { lang: Lang::En, is_base: true, generated_at: Day::ymd(2025, 6, 1), base_version: None, findings: None };
        let doc = part(&render(&dpia, &opts).unwrap(), "word/document.xml");
        assert!(doc.contains("Systematic description (Art. 35(7)(a))"));
        assert!(!doc.contains("local supplement</w:t>"), "the heading «The municipality's local supplement» is only for municipalities");
        assert!(!doc.contains("Annex A"), "no findings, no annex");
    }
}
