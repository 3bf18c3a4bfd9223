//! The document's content, section by section: the same order and labels as the core's
//! plain-text rendering ([`crate::text`]), in the document's language.
//!
//! This module holds what every section shares — the [`Doc`] being built, words in the
//! document's language, block and cell helpers — and the order of the sections; each DPIA
//! section is one file below with one entry point (`Doc::cover`, `Doc::description`, …).

mod acceptance;
mod before_after;
mod cover;
mod description;
mod dpo;
mod findings;
mod management;
mod measures;
mod necessity;
mod public;
mod review;
mod risks;
mod sheets;
mod signatures;
mod supplement;
mod traceability;
mod wp248;

use super::*;
use crate::check::{Acceptance, RiskPicture};
use crate::effective::{Deviation, Entry, Origin};
use crate::model::*;
use crate::text::danish_number;

pub(super) use public::public_report;

pub(super) fn build(d: &EffectiveDpia, o: &ReportOptions) -> Report {
    let da = o.lang == Lang::Da;
    let mut doc = Doc { d, o, da, refs: d.references(), blocks: Vec::new(), section: 0 };
    doc.build();
    let title = doc.title();
    let party = if o.is_base { d.base_name(da) } else { d.org.name.clone() };
    let author = if o.is_base { d.coordinator.clone() } else { d.org.name.clone() };
    Report { lang: o.lang, title, party, author, system: d.base.system.clone(), date: o.generated_at, blocks: doc.blocks, kind: ReportKind::Dpia }
}

/// A model enum's Danish or English word.
trait Word: Copy {
    fn da(self) -> &'static str;
    fn en(self) -> &'static str;
}
macro_rules! words {
    ($($t:ty),+) => { $(impl Word for $t { fn da(self) -> &'static str { self.danish() } fn en(self) -> &'static str { self.english() } })+ };
}
words!(
    Operation, DataClass, Art6Basis, Art9Basis, AccessSide, TransferBasis, ProcessorRole, RiskSource, MeasureKind,
    MeasureStatus, Owner, EvidenceKind, AdviceResponse, Wp248Criterion, NecessityAspect, JointCondition,
    LocalMeasureState, Dimension, Consequence, Likelihood, RiskLevel
);

struct Doc<'a> {
    d: &'a EffectiveDpia,
    o: &'a ReportOptions,
    da: bool,
    refs: BTreeMap<ItemId, String>,
    blocks: Vec<Block>,
    section: usize,
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn level_fill(l: Option<RiskLevel>) -> Option<Fill> {
    l.map(|l| match l {
        RiskLevel::Low => Fill::Low,
        RiskLevel::Medium => Fill::Medium,
        RiskLevel::High => Fill::High,
    })
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

impl<'a> Doc<'a> {
    fn t(&self, da: &'static str, en: &'static str) -> &'static str {
        if self.da { da } else { en }
    }
    fn w<W: Word>(&self, w: W) -> &'static str {
        if self.da { w.da() } else { w.en() }
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
        // natural reference order (MOD2 before MOD10); links that do not resolve go last
        let mut found: Vec<Reference> = Vec::new();
        let mut missing: Vec<String> = Vec::new();
        for id in ids {
            match self.refs.get(id) {
                Some(r) => found.push(Reference(r.clone())),
                None => missing.push(format!("?{id}")),
            }
        }
        found.sort();
        found.into_iter().map(|r| r.0).chain(missing).collect::<Vec<_>>().join(", ")
    }
    fn number(&self, n: u64) -> String {
        if self.da { danish_number(n) } else { n.to_string().as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",") }
    }

    // ---- blocks ----
    fn h1(&mut self, text: &str) {
        self.section += 1;
        let t = format!("{}. {text}", self.section);
        self.blocks.push(Block::Heading { level: 1, text: t });
    }
    fn h1_plain(&mut self, text: &str) {
        self.blocks.push(Block::Heading { level: 1, text: text.into() });
    }
    fn h2(&mut self, text: &str) {
        self.blocks.push(Block::Heading { level: 2, text: text.into() });
    }
    fn h3(&mut self, text: &str) {
        self.blocks.push(Block::Heading { level: 3, text: text.into() });
    }
    fn para(&mut self, spans: Vec<Span>) {
        self.blocks.push(Block::Para { spans, kind: ParaKind::Body });
    }
    fn text(&mut self, s: impl Into<String>) {
        self.para(vec![Span::new(s)]);
    }
    fn small(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Para { spans: vec![Span::new(s).tone(Tone::Grey)], kind: ParaKind::Small });
    }
    fn labelled(&mut self, label: &str, value: impl Into<String>) {
        self.para(vec![Span::bold(format!("{label}: ")), Span::new(value)]);
    }
    /// A label/value table, kept on one page when it fits (it has no header row to repeat).
    fn kv(&mut self, rows: Vec<(String, Vec<Span>)>) {
        let mut t = Table::new(&[1.0, 2.6], None);
        for (k, v) in rows {
            t.row(vec![Cell::bold(k).fill(Fill::Header), Cell::spans(v)]);
        }
        self.blocks.push(Block::Keep(vec![Block::Table(t)]));
    }
    fn table(&mut self, t: Table) {
        self.blocks.push(Block::Table(t));
    }
    /// Turns the blocks pushed since `start` into one group kept on a page.
    fn keep_from(&mut self, start: usize) {
        let group = self.blocks.split_off(start);
        self.blocks.push(Block::Keep(group));
    }
    fn header(&self, cols: &[(&'static str, &'static str)]) -> Vec<Cell> {
        cols.iter().map(|(da, en)| Cell::bold(self.t(da, en))).collect()
    }

    /// The reference cell of an entry, tagged LOKAL / AFVIGELSE / IKKE RELEVANT.
    fn ref_cell<T>(&self, e: &Entry<T>, reference: &Reference) -> Cell {
        let mut spans = vec![Span::bold(reference.0.clone())];
        if e.origin == Origin::Local {
            spans.push(Span::bold(format!("\n{}", self.t("LOKAL", "LOCAL"))).tone(Tone::Local));
        }
        if e.deviation.is_some() {
            spans.push(Span::bold(format!("\n{}", self.t("AFVIGELSE", "DEVIATION"))).tone(Tone::Local));
        }
        if e.not_applicable.is_some() {
            spans.push(Span::bold(format!("\n{}", self.t("IKKE RELEVANT", "NOT APPLICABLE"))).tone(Tone::Grey));
        }
        Cell::spans(spans)
    }
    fn row_fill<T>(&self, e: &Entry<T>) -> Option<Fill> {
        if e.not_applicable.is_some() {
            Some(Fill::NotApplicable)
        } else if e.origin == Origin::Local {
            Some(Fill::Local)
        } else {
            None
        }
    }
    /// Main text of an entry, with the not-applicable justification appended.
    fn na_spans<T>(&self, e: &Entry<T>, mut spans: Vec<Span>) -> Vec<Span> {
        if let Some(j) = &e.not_applicable {
            spans.push(Span::bold(format!("\n{}: ", self.t("Ikke relevant her", "Not applicable here"))).tone(Tone::Grey));
            spans.push(Span::new(self.prose(j)).tone(Tone::Grey));
        }
        spans
    }
    fn title_desc(&self, title: &str, desc: &Prose) -> Vec<Span> {
        let mut s = vec![Span::bold(title.to_string())];
        if !desc.is_blank() {
            s.push(Span::new(format!("\n{}", desc.0)));
        }
        s
    }
    fn empty_note(&mut self, n: usize) -> bool {
        if n == 0 {
            self.small(self.t("(ingen)", "(none)"));
            true
        } else {
            false
        }
    }

    // ---- document ----
    fn build(&mut self) {
        self.cover();
        self.blocks.push(Block::PageBreak);
        self.blocks.push(Block::Contents { title: self.t("Indhold", "Contents").into() });
        self.blocks.push(Block::PageBreak);
        if !self.o.is_base {
            self.management_summary();
            self.blocks.push(Block::PageBreak);
        }
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
        self.supplier_sheets(if self.o.findings.is_some() { 'B' } else { 'A' });
        self.signatures();
    }

    fn org_line(&self) -> String {
        if self.o.is_base {
            self.d.base_name(self.da)
        } else {
            let code = self.d.org.code.map(|c| format!(" ({c})")).unwrap_or_default();
            format!("{}{code}", self.d.org.name)
        }
    }

    fn title(&self) -> String {
        if self.d.base.title.is_empty() { self.t("Konsekvensanalyse", "Data protection impact assessment").to_string() } else { self.d.base.title.clone() }
    }

    /// The acceptance policy's verdict on the residual risk, in words.
    fn outcome(&self, a: Acceptance) -> &'static str {
        match a {
            Acceptance::Accepted => self.t("accepteret", "accepted"),
            Acceptance::ConsultDpo => self.t("ikke accepteret; forelægges databeskyttelsesrådgiveren", "not accepted; goes to the data protection officer"),
            Acceptance::PriorConsultation => self.t(
                "ikke accepteret; høj restrisiko kræver forudgående høring af Datatilsynet (art. 36)",
                "not accepted; high residual risk requires prior consultation of Datatilsynet (Art. 36)",
            ),
            Acceptance::Incomplete => self.t(
                "kan ikke vurderes endnu; ikke alle risici er vurderet efter foranstaltninger",
                "cannot be judged yet; not every risk is rated after measures",
            ),
        }
    }

    fn level_cell(&self, l: Option<RiskLevel>) -> Cell {
        let mut c = Cell::bold(self.ow(l)).center();
        c.fill = level_fill(l);
        c
    }
}
