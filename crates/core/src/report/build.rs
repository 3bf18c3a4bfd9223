//! The document's content, section by section: the same order and labels as the core's
//! plain-text rendering ([`crate::text`]), in the document's language.

use super::*;
use crate::check::{Acceptance, RiskPicture};
use crate::effective::{Deviation, Entry, Origin};
use crate::model::*;
use crate::text::danish_number;

pub(super) fn build(d: &EffectiveDpia, o: &ReportOptions) -> Report {
    let da = o.lang == Lang::Da;
    let mut doc = Doc { d, o, da, refs: d.references(), blocks: Vec::new(), section: 0 };
    doc.build();
    let title = doc.title();
    let party = if o.is_base { doc.t("Fælles basis", "Joint base").to_string() } else { d.org.name.clone() };
    let author = if o.is_base { d.coordinator.clone() } else { d.org.name.clone() };
    Report { lang: o.lang, title, party, author, system: d.base.system.clone(), date: o.generated_at, blocks: doc.blocks }
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

    fn org_line(&self) -> String {
        if self.o.is_base {
            self.t("Fælles basis", "Joint base").into()
        } else {
            let code = self.d.org.code.map(|c| format!(" ({c})")).unwrap_or_default();
            format!("{}{code}", self.d.org.name)
        }
    }

    fn title(&self) -> String {
        if self.d.base.title.is_empty() { self.t("Konsekvensanalyse", "Data protection impact assessment").to_string() } else { self.d.base.title.clone() }
    }

    fn cover(&mut self) {
        let d = self.d;
        let title = self.title();
        self.blocks.push(Block::Space(60.0));
        self.blocks.push(Block::Para {
            spans: vec![Span::new(self.t("KONSEKVENSANALYSE · GDPR ART. 35", "DATA PROTECTION IMPACT ASSESSMENT · GDPR ART. 35")).tone(Tone::Grey)],
            kind: ParaKind::CoverKicker,
        });
        self.blocks.push(Block::Para {
            spans: vec![Span::bold(title).tone(Tone::Accent)],
            kind: ParaKind::CoverTitle,
        });
        self.blocks.push(Block::Para {
            spans: vec![Span::bold(self.org_line())],
            kind: ParaKind::CoverParty,
        });
        let mut rows: Vec<(String, Vec<Span>)> = Vec::new();
        rows.push((self.t("System", "System").into(), vec![Span::new(d.base.system.clone())]));
        if !self.o.is_base {
            rows.push((self.t("Dataansvarlig", "Controller").into(), vec![Span::new(self.org_line())]));
        }
        rows.push((self.t("Koordinator", "Coordinator").into(), vec![Span::new(d.coordinator.clone())]));
        let base_label = self.t("Fælles basis", "Joint base");
        match &self.o.base_version {
            Some(v) => {
                let mut s = vec![Span::bold(v.name.clone())];
                if v.date.is_some() {
                    s.push(Span::new(format!(", {}", self.day(v.date))));
                }
                if !v.hash.is_empty() {
                    s.push(Span::new(format!("\n{}: {}", self.t("Indholdshash (SHA-256)", "Content hash (SHA-256)"), v.hash)).tone(Tone::Grey));
                }
                if let Some(remark) = &v.remark {
                    s.push(Span::new(format!("\n{remark}")).tone(Tone::Local));
                }
                rows.push((base_label.into(), s));
            }
            None => {
                let mut s = vec![Span::bold(if d.base.version_label.is_empty() { "—".to_string() } else { d.base.version_label.clone() })];
                if !self.o.is_base {
                    let rel = if d.base_release.is_empty() { self.t("arbejdsversionen", "the working version").to_string() } else { d.base_release.clone() };
                    s.push(Span::new(format!("\n{} {rel}", self.t("Tillægget er vurderet mod", "The supplement was assessed against"))));
                }
                rows.push((base_label.into(), s));
            }
        }
        if !self.o.is_base {
            rows.push((
                self.t("Tillægsversion", "Supplement version").into(),
                vec![Span::new(self.o.supplement_version.clone().unwrap_or_else(|| "—".into()))],
            ));
        }
        rows.push((self.t("Dato", "Date").into(), vec![Span::new(self.day(Some(self.o.generated_at)))]));
        rows.push((
            self.t("Status", "Status").into(),
            vec![Span::bold(self.o.status.clone().unwrap_or_else(|| self.t("Udkast", "Draft").into()))],
        ));
        let (before, after) = d.distribution();
        rows.push((
            self.t("Risikobillede", "Risk profile").into(),
            vec![Span::new(format!(
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
        let acceptance = RiskPicture::of(d).acceptance(&self.o.policy);
        let art36 = if acceptance == Acceptance::PriorConsultation { self.t("ja", "yes") } else { self.t("nej", "no") };
        rows.push((
            self.t("Accept af restrisiko", "Residual risk acceptance").into(),
            vec![Span::bold(cap(self.outcome(acceptance))), Span::new(format!("\n{}: {art36}", self.t("Art. 36-flag (forudgående høring)", "Art. 36 flag (prior consultation)")))],
        ));
        if !d.signatories.is_empty() {
            let mut who = Vec::new();
            for (k, sig) in d.signatories.iter().enumerate() {
                who.push(Span::bold(format!("{}{}", if k == 0 { "" } else { "\n" }, sig.name)));
                if !sig.capacity.is_empty() {
                    who.push(Span::new(format!(", {}", sig.capacity)));
                }
            }
            rows.push((self.t("Underskrives af", "To be signed by").into(), who));
        }
        rows.push((
            self.t("Fingeraftryk (SHA-256)", "Fingerprint (SHA-256)").into(),
            vec![Span::new(super::content_hash(d)).tone(Tone::Grey)],
        ));
        self.kv(rows);
        self.blocks.push(Block::Space(18.0));
        let note = if self.o.is_base {
            self.t(
                "Denne fælles basis deles af de deltagende kommuner. Hver kommune er selv dataansvarlig og supplerer basis med et lokalt tillæg, hvor dens behandling afviger.",
                "This joint base is shared by the participating municipalities. Each remains the controller and adds a local supplement where its processing differs.",
            )
        } else {
            self.t(
                "Dokumentet er kommunens gældende konsekvensanalyse: den fælles basis med kommunens lokale tillæg. Lokale elementer er markeret LOKAL og fremhævet; afvigelser viser den basisværdi, de erstatter.",
                "This is the municipality's effective DPIA: the joint base with its local supplement. Local items are marked LOCAL and highlighted; deviations show the base value they replace.",
            )
        };
        self.small(note);
    }

    fn description(&mut self) {
        let d = self.d;
        self.h1(self.t("Systematisk beskrivelse (art. 35, stk. 7, litra a)", "Systematic description (Art. 35(7)(a))"));
        let mut rows = vec![
            (self.t("Sammenfatning", "Summary").to_string(), vec![Span::new(self.prose(&d.description.summary))]),
            (self.t("Afgrænsning", "Scope").to_string(), vec![Span::new(self.prose(&d.description.scope))]),
            (self.t("Opbevaring og sletning", "Retention and erasure").to_string(), vec![Span::new(self.prose(&d.description.retention))]),
            (
                self.t("Ny teknologi", "New technology").to_string(),
                vec![Span::bold(self.yes_no(d.description.new_technology)), Span::new(format!(" — {}", self.prose(&d.description.new_technology_text)))],
            ),
        ];
        if !d.local_legal_basis.is_blank() {
            rows.push((
                self.t("Lokalt supplerende retsgrundlag", "Local additional legal basis").to_string(),
                vec![Span::bold(format!("{} ", self.t("LOKAL", "LOCAL"))).tone(Tone::Local), Span::new(d.local_legal_basis.0.clone())],
            ));
        }
        self.kv(rows);

        self.h2(self.t("Databehandlingsprocesser", "Processing activities"));
        if !self.empty_note(d.items.processes.len()) {
            let mut t = Table::new(&[1.0, 3.0, 1.6, 1.35, 0.9], Some(self.header(&[("Ref.", "Ref."), ("Proces", "Process"), ("Behandlingsaktiviteter", "Operations"), ("Moduler", "Modules"), ("Formål", "Purposes")])));
            for e in &d.items.processes {
                let p = &e.item;
                let ops: Vec<&str> = p.operations.iter().map(|o| self.w(*o)).collect();
                t.row_filled(
                    vec![
                        self.ref_cell(e, &p.reference),
                        Cell::spans(self.na_spans(e, self.title_desc(&p.name, &p.description))),
                        Cell::text(if ops.is_empty() { "—".into() } else { ops.join(", ") }),
                        Cell::text(self.links(&p.modules)),
                        Cell::text(self.links(&p.purposes)),
                    ],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Moduler", "Modules"));
        if !self.empty_note(d.items.modules.len()) {
            let mut t = Table::new(&[1.05, 6.0], Some(self.header(&[("Ref.", "Ref."), ("Modul", "Module")])));
            for e in &d.items.modules {
                t.row_filled(vec![self.ref_cell(e, &e.item.reference), Cell::spans(self.na_spans(e, self.title_desc(&e.item.name, &e.item.description)))], self.row_fill(e));
            }
            self.table(t);
        }

        self.h2(self.t("Formål og retsgrundlag", "Purposes and legal basis"));
        if !self.empty_note(d.items.purposes.len()) {
            let mut t = Table::new(&[1.05, 2.6, 2.0, 2.0], Some(self.header(&[("Ref.", "Ref."), ("Formål", "Purpose"), ("Databeskyttelsesforordningen", "GDPR"), ("National lovgivning", "National law")])));
            for e in &d.items.purposes {
                let p = &e.item;
                let art: Vec<&str> = p.legal_basis.art6.iter().map(|a| self.w(*a)).chain(p.legal_basis.art9.iter().map(|a| self.w(*a))).collect();
                let mut g = vec![Span::bold(if art.is_empty() { self.t("(ikke angivet)", "(not stated)").to_string() } else { art.join("; ") })];
                if !p.legal_basis.gdpr_text.is_blank() {
                    g.push(Span::new(format!("\n{}", p.legal_basis.gdpr_text.0)));
                }
                t.row_filled(
                    vec![
                        self.ref_cell(e, &p.reference),
                        Cell::spans(self.na_spans(e, self.title_desc(&p.title, &p.description))),
                        Cell::spans(g),
                        Cell::text(self.prose(&p.legal_basis.national_law)),
                    ],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Kategorier af personoplysninger", "Categories of personal data"));
        if !self.empty_note(d.items.data_categories.len()) {
            let mut t = Table::new(&[1.05, 2.4, 1.3, 2.0, 1.3], Some(self.header(&[("Ref.", "Ref."), ("Kategori", "Category"), ("Klassifikation", "Class"), ("Opbevaring", "Retention"), ("Kilder / registrerede", "Sources / subjects")])));
            for e in &d.items.data_categories {
                let c = &e.item;
                let class_fill = match c.class {
                    Some(DataClass::Special) | Some(DataClass::Criminal) => Some(Fill::High),
                    Some(DataClass::Confidential) | Some(DataClass::Cpr) => Some(Fill::Medium),
                    _ => None,
                };
                let mut class = Cell::bold(self.ow(c.class));
                class.fill = class_fill;
                t.row_filled(
                    vec![
                        self.ref_cell(e, &c.reference),
                        Cell::spans(self.na_spans(e, self.title_desc(&c.name, &c.examples))),
                        class,
                        Cell::text(self.prose(&c.retention)),
                        Cell::text(format!("{}\n{}", self.links(&c.sources), self.links(&c.subjects))),
                    ],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Kategorier af registrerede", "Categories of data subjects"));
        if !self.empty_note(d.items.subject_categories.len()) {
            // The count column is the widest: a municipality's own figure comes with its note,
            // and the base figure it replaces with the base's note on how that was estimated.
            let mut t = Table::new(&[1.05, 1.9, 2.8, 2.1], Some(self.header(&[("Ref.", "Ref."), ("Kategori", "Category"), ("Antal", "Number"), ("Sårbare registrerede", "Vulnerable")])));
            for e in &d.items.subject_categories {
                let s = &e.item;
                let mut count = vec![Span::bold(s.count.map(|n| self.number(n)).unwrap_or_else(|| self.t("(ikke angivet)", "(not stated)").into()))];
                if let Some(Deviation::SubjectCount { base_count, note }) = &e.deviation {
                    if !note.is_blank() {
                        count.push(Span::new(format!(" — {}", note.0)).tone(Tone::Local));
                    }
                    count.push(Span::new(format!(
                        "\n{}: {}",
                        self.t("Fælles basis angiver", "Joint base states"),
                        base_count.map(|n| self.number(n)).unwrap_or_else(|| "—".into())
                    )).tone(Tone::Grey));
                    if !s.count_note.is_blank() {
                        count.push(Span::new(format!(" — {}", s.count_note.0)).tone(Tone::Grey));
                    }
                } else if !s.count_note.is_blank() {
                    count.push(Span::new(format!("\n{}", s.count_note.0)));
                }
                let vuln = if s.vulnerable {
                    vec![Span::bold(self.t("ja", "yes")), Span::new(format!(" — {}", self.prose(&s.vulnerable_reason)))]
                } else {
                    vec![Span::new(self.t("nej", "no"))]
                };
                t.row_filled(
                    vec![self.ref_cell(e, &s.reference), Cell::spans(self.na_spans(e, vec![Span::bold(s.name.clone())])), Cell::spans(count), Cell::spans(vuln)],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Kilder", "Sources"));
        if !self.empty_note(d.items.sources.len()) {
            let mut t = Table::new(&[1.05, 6.0], Some(self.header(&[("Ref.", "Ref."), ("Kilde", "Source")])));
            for e in &d.items.sources {
                t.row_filled(vec![self.ref_cell(e, &e.item.reference), Cell::spans(self.na_spans(e, self.title_desc(&e.item.name, &e.item.description)))], self.row_fill(e));
            }
            self.table(t);
        }

        self.h2(self.t("Modtagere og adgang", "Recipients and access"));
        if !self.empty_note(d.items.recipients.len()) {
            let mut t = Table::new(&[1.05, 2.2, 1.0, 3.0], Some(self.header(&[("Ref.", "Ref."), ("Modtager", "Recipient"), ("Adgang", "Side"), ("Hvem og hvordan", "Who and how")])));
            for e in &d.items.recipients {
                let r = &e.item;
                t.row_filled(
                    vec![self.ref_cell(e, &r.reference), Cell::spans(self.na_spans(e, vec![Span::bold(r.name.clone())])), Cell::text(self.ow(r.side)), Cell::text(self.prose(&r.access))],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Databehandlere", "Processors"));
        if !self.empty_note(d.items.processors.len()) {
            let mut t = Table::new(&[1.05, 2.0, 1.4, 2.4, 1.2], Some(self.header(&[("Ref.", "Ref."), ("Databehandler", "Processor"), ("Rolle", "Role"), ("Ydelse", "Service"), ("Placering", "Location")])));
            for e in &d.items.processors {
                let p = &e.item;
                let mut role = vec![Span::new(self.ow(p.role))];
                if let Some(parent) = &p.parent {
                    role.push(Span::new(format!("\n{} {}", self.t("for", "for"), self.links(&[parent.clone()].into()))).tone(Tone::Grey));
                }
                t.row_filled(
                    vec![self.ref_cell(e, &p.reference), Cell::spans(self.na_spans(e, vec![Span::bold(p.name.clone())])), Cell::spans(role), Cell::text(self.prose(&p.service)), Cell::text(p.location.clone())],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Overførsler til tredjelande", "Transfers to third countries"));
        if !self.empty_note(d.items.transfers.len()) {
            let mut t = Table::new(&[1.05, 2.0, 1.8, 3.0], Some(self.header(&[("Ref.", "Ref."), ("Land og modtager", "Country and recipient"), ("Grundlag", "Basis"), ("Beskrivelse", "Description")])));
            for e in &d.items.transfers {
                let x = &e.item;
                t.row_filled(
                    vec![
                        self.ref_cell(e, &x.reference),
                        Cell::spans(self.na_spans(e, vec![Span::bold(format!("{} — {}", x.country, x.recipient))])),
                        Cell::text(self.ow(x.basis)),
                        Cell::text(self.prose(&x.description)),
                    ],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }

        self.h2(self.t("Dokumenttyper", "Document types"));
        if !self.empty_note(d.items.document_types.len()) {
            let mut t = Table::new(&[1.05, 5.0, 1.0], Some(self.header(&[("Ref.", "Ref."), ("Dokumenttype", "Document type"), ("Modul", "Module")])));
            for e in &d.items.document_types {
                let x = &e.item;
                let module = x.module.as_ref().map(|m| self.links(&[m.clone()].into())).unwrap_or_else(|| "—".into());
                t.row_filled(vec![self.ref_cell(e, &x.reference), Cell::spans(self.na_spans(e, self.title_desc(&x.name, &x.description))), Cell::text(module)], self.row_fill(e));
            }
            self.table(t);
        }

        self.h2(self.t("Andre systemer", "Other systems"));
        if !self.empty_note(d.items.systems.len()) {
            let mut t = Table::new(&[1.05, 6.0], Some(self.header(&[("Ref.", "Ref."), ("System", "System")])));
            for e in &d.items.systems {
                t.row_filled(vec![self.ref_cell(e, &e.item.reference), Cell::spans(self.na_spans(e, self.title_desc(&e.item.name, &e.item.description)))], self.row_fill(e));
            }
            self.table(t);
        }
    }

    fn necessity(&mut self) {
        self.h1(self.t("Nødvendighed og proportionalitet (art. 35, stk. 7, litra b)", "Necessity and proportionality (Art. 35(7)(b))"));
        if self.empty_note(self.d.items.purposes.len()) {
            return;
        }
        for e in &self.d.items.purposes {
            let mut title = format!("{} {}", e.item.reference, e.item.title);
            if e.origin == Origin::Local {
                title.push_str(self.t("  [LOKAL]", "  [LOCAL]"));
            }
            self.h3(&title);
            let mut t = Table::new(&[1.4, 5.0], Some(self.header(&[("Aspekt", "Aspect"), ("Vurdering", "Assessment")])));
            for a in NecessityAspect::ALL {
                let p = e.item.necessity.aspect(*a);
                let mut c = Cell::text(self.prose(p));
                if p.is_blank() {
                    c.spans[0].tone = Tone::Grey;
                }
                t.row(vec![Cell::bold(cap(self.w(*a))), c]);
            }
            self.table(t);
        }
    }

    fn wp248(&mut self) {
        self.h1(self.t("WP248-screening", "WP248 screening"));
        let mut t = Table::new(&[2.2, 0.7, 4.0], Some(self.header(&[("Kriterium", "Criterion"), ("Opfyldt", "Met"), ("Begrundelse", "Reason")])));
        for c in Wp248Criterion::ALL {
            let a = self.d.wp248.answer(*c);
            let mut met = Cell::bold(self.yes_no(a.met)).center();
            if a.met == Some(true) {
                met.fill = Some(Fill::Medium);
            }
            t.row(vec![Cell::text(cap(self.w(*c))), met, Cell::text(self.prose(&a.reason))]);
        }
        self.table(t);
        let met = self.d.wp248.met_count();
        let s = if self.da {
            format!("{met} af 9 kriterier er opfyldt{}", if met >= 2 { " — en konsekvensanalyse er påkrævet." } else { "." })
        } else {
            format!("{met} of 9 criteria are met{}", if met >= 2 { " — a DPIA is required." } else { "." })
        };
        self.para(vec![Span::bold(s)]);
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

    fn risks(&mut self) {
        let d = self.d;
        self.h1(self.t("Risikovurdering (art. 35, stk. 7, litra c)", "Risk assessment (Art. 35(7)(c))"));
        self.small(self.t(
            "Hver risiko er vurderet for fortrolighed, integritet og tilgængelighed: konsekvens for de registrerede og sandsynlighed, hver med begrundelse, før (iboende) og efter (rest) foranstaltninger. Risikoniveauet følger matricen konsekvens × sandsynlighed (1–3 lav, 4–8 mellem, 9–16 høj).",
            "Each risk is rated for confidentiality, integrity and availability: consequence for the data subjects and likelihood, each with its reason, before (inherent) and after (residual) measures. The level follows the matrix consequence × likelihood (1–3 low, 4–8 medium, 9–16 high).",
        ));
        self.h2(self.t("Risikoregister", "Risk register"));
        if self.empty_note(d.items.risks.len()) {
            return;
        }
        let mut t = Table::new(&[1.05, 3.6, 1.0, 1.0, 1.4], Some(self.header(&[("Ref.", "Ref."), ("Risiko", "Risk"), ("Iboende", "Inherent"), ("Rest", "Residual"), ("Foranstaltninger", "Measures")])));
        for e in &d.items.risks {
            let r = &e.item;
            let ms: Vec<String> = d.measures_for(&r.id).map(|m| m.item.reference.0.clone()).collect();
            t.row_filled(
                vec![
                    self.ref_cell(e, &r.reference),
                    Cell::spans(self.na_spans(e, vec![Span::new(r.title.clone())])),
                    self.level_cell(r.inherent.level()),
                    self.level_cell(r.residual.level()),
                    Cell::text(if ms.is_empty() { self.t("(ingen)", "(none)").into() } else { ms.join(", ") }),
                ],
                self.row_fill(e),
            );
        }
        self.table(t);

        self.h2(self.t("Risici med begrundelser", "Risks with reasons"));
        for e in &d.items.risks {
            let r = &e.item;
            let mut title = format!("{} {}", r.reference, r.title);
            if e.origin == Origin::Local {
                title.push_str(self.t("  [LOKAL]", "  [LOCAL]"));
            }
            if e.deviation.is_some() {
                title.push_str(self.t("  [AFVIGELSE]", "  [DEVIATION]"));
            }
            // the risk's heading, threat and rating table stay on one page
            let card = self.blocks.len();
            self.h3(&title);
            if let Some(j) = &e.not_applicable {
                self.para(vec![Span::bold(format!("{}: ", self.t("Ikke relevant her", "Not applicable here"))).tone(Tone::Grey), Span::new(self.prose(j)).tone(Tone::Grey)]);
            }
            let source = self.ow(r.source);
            let src = if r.source_reference.is_empty() { source.to_string() } else { format!("{source} ({})", r.source_reference) };
            self.para(vec![
                Span::bold(format!("{}: ", self.t("Trussel", "Threat"))),
                Span::new(self.prose(&r.threat)),
                Span::new(format!(
                    "\n{}: {} · {}: {} · {}: {}",
                    self.t("Processer", "Processes"),
                    self.links(&r.processes),
                    self.t("Moduler", "Modules"),
                    self.links(&r.modules),
                    self.t("Kilde", "Source"),
                    src
                ))
                .tone(Tone::Grey),
            ]);
            let mut t = Table::new(&[1.2, 3.0, 3.0, 0.9], Some(self.header(&[("", ""), ("Konsekvens og begrundelse", "Consequence and reason"), ("Sandsynlighed og begrundelse", "Likelihood and reason"), ("Niveau", "Level")])));
            for (label, a) in [(self.t("Før", "Before"), &r.inherent), (self.t("Efter", "After"), &r.residual)] {
                for dim in Dimension::ALL {
                    let rt = a.rating(*dim);
                    t.row(vec![
                        Cell::spans(vec![Span::bold(label), Span::new(format!("\n{}", cap(self.w(*dim))))]),
                        Cell::spans(vec![Span::bold(self.ow(rt.consequence)), Span::new(format!(" — {}", self.prose(&rt.consequence_reason)))]),
                        Cell::spans(vec![Span::bold(self.ow(rt.likelihood)), Span::new(format!(" — {}", self.prose(&rt.likelihood_reason)))]),
                        self.level_cell(rt.level()),
                    ]);
                }
            }
            self.table(t);
            self.keep_from(card);
            if !r.residual_reason.is_blank() {
                self.labelled(self.t("Begrundelse for restrisiko", "Reason for the residual rating"), r.residual_reason.0.clone());
            }
            if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
                self.para(vec![
                    Span::bold(format!("{} ", self.t("Lokal vurdering.", "Local rating."))).tone(Tone::Local),
                    Span::new(format!(
                        "{}: {} {}, {} {}. ",
                        self.t("Fælles basis vurderer", "The joint base rates"),
                        self.t("iboende", "inherent"),
                        self.ow(base_inherent.level()),
                        self.t("rest", "residual"),
                        self.ow(base_residual.level())
                    ))
                    .tone(Tone::Local),
                    Span::bold(format!("{}: ", self.t("Begrundelse", "Reason"))).tone(Tone::Local),
                    Span::new(self.prose(reason)).tone(Tone::Local),
                ]);
            }
            if !r.acceptance.is_blank() {
                self.labelled(self.t("Accept af risikoen", "Acceptance of the risk"), r.acceptance.0.clone());
            }
            let ms: Vec<String> = d.measures_for(&r.id).map(|m| format!("{} {}", m.item.reference, m.item.title)).collect();
            self.labelled(self.t("Foranstaltninger", "Measures"), if ms.is_empty() { self.t("(ingen)", "(none)").to_string() } else { ms.join("; ") });
        }
    }

    fn measures(&mut self) {
        let d = self.d;
        self.h1(self.t("Foranstaltninger (art. 35, stk. 7, litra d)", "Measures (Art. 35(7)(d))"));
        self.h2(self.t("Tekniske og organisatoriske foranstaltninger", "Technical and organisational measures"));
        if !self.empty_note(d.items.measures.len()) {
            let mut t = Table::new(
                &[1.05, 3.4, 1.3, 1.3, 0.9, 0.9],
                Some(self.header(&[("Ref.", "Ref."), ("Foranstaltning", "Measure"), ("Type og status", "Kind and status"), ("Ansvarlig", "Owner"), ("Risici", "Risks"), ("Dok.", "Evidence")])),
            );
            for e in &d.items.measures {
                let m = &e.item;
                let mut main = self.title_desc(&m.title, &m.description);
                if m.status == Some(MeasureStatus::Rejected) {
                    main.push(Span::bold(format!("\n{}: ", self.t("Begrundelse for fravalg", "Reason for rejection"))));
                    main.push(Span::new(self.prose(&m.rejection_reason)));
                }
                if let Some(Deviation::MeasureStatus { state, text }) = &e.deviation {
                    main.push(Span::bold(format!("\n{}: {} — ", self.t("Lokalt", "Locally"), self.ow(*state))).tone(Tone::Local));
                    main.push(Span::new(self.prose(text)).tone(Tone::Local));
                }
                let mut status = vec![Span::new(self.ow(m.kind)), Span::bold(format!("\n{}", self.ow(m.status)))];
                if let Some(date) = m.planned_date {
                    status.push(Span::new(format!("\n{} {}", self.t("senest", "by"), self.day(Some(date)))));
                }
                let owner = self.ow(m.owner);
                let owner = if m.owner_name.is_empty() { owner.to_string() } else { format!("{owner}\n{}", m.owner_name) };
                t.row_filled(
                    vec![
                        self.ref_cell(e, &m.reference),
                        Cell::spans(self.na_spans(e, main)),
                        Cell::spans(status),
                        Cell::text(owner),
                        Cell::text(self.links(&m.mitigates)),
                        Cell::text(self.links(&m.evidence)),
                    ],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }
        self.h2(self.t("Dokumentation", "Evidence"));
        if !self.empty_note(d.items.evidence.len()) {
            let mut t = Table::new(&[1.05, 2.8, 1.5, 1.5, 1.2], Some(self.header(&[("Ref.", "Ref."), ("Dokumentation", "Evidence"), ("Art", "Kind"), ("Udstedt af", "Issued by"), ("Dato / modtaget", "Date / received")])));
            for e in &d.items.evidence {
                let v = &e.item;
                let mut title = vec![Span::bold(v.title.clone())];
                if !v.location.is_empty() {
                    title.push(Span::new(format!("\n{}", v.location)).tone(Tone::Grey));
                }
                t.row_filled(
                    vec![
                        self.ref_cell(e, &v.reference),
                        Cell::spans(self.na_spans(e, title)),
                        Cell::text(self.ow(v.kind)),
                        Cell::text(v.issued_by.clone()),
                        Cell::text(format!("{}\n{}", self.day(v.date), self.day(v.received))),
                    ],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }
    }

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
        let tables = measures.len().div_ceil(12);
        let per = measures.len().div_ceil(tables);
        for chunk in measures.chunks(per) {
            let per = chunk.len();
            let mut widths = vec![3.2];
            widths.extend(std::iter::repeat_n(0.62, chunk.len()));
            widths.extend(std::iter::repeat_n(0.62, per - chunk.len()));
            let mut header = vec![Cell::bold(self.t("Risiko \\ foranstaltning", "Risk \\ measure"))];
            for m in chunk {
                let mut c = Cell::bold(m.item.reference.0.clone()).center();
                if m.is_local() {
                    c.spans[0].tone = Tone::Local;
                }
                header.push(c);
            }
            header.extend(std::iter::repeat_n(Cell::default(), per - chunk.len()));
            let mut t = Table::new(&widths, Some(header));
            t.compact = true;
            for r in &risks {
                let mut row = vec![Cell::spans(vec![Span::bold(format!("{} ", r.item.reference)), Span::new(r.item.title.clone())])];
                for m in chunk {
                    row.push(if m.item.mitigates.contains(&r.item.id) { Cell::mark() } else { Cell::default() });
                }
                row.extend(std::iter::repeat_n(Cell::default(), per - chunk.len()));
                t.row_filled(row, if r.is_local() { Some(Fill::Local) } else { None });
            }
            self.table(t);
        }
        let without: Vec<String> = risks.iter().filter(|r| d.measures_for(&r.item.id).next().is_none() && r.item.acceptance.is_blank()).map(|r| r.item.reference.0.clone()).collect();
        if !without.is_empty() {
            self.para(vec![
                Span::bold(format!("{}: ", self.t("Risici uden foranstaltning eller accept", "Risks without a measure or an acceptance"))).tone(Tone::Local),
                Span::new(without.join(", ")),
            ]);
        }
        let dangling: Vec<String> = measures
            .iter()
            .flat_map(|m| m.item.mitigates.iter().filter(|id| !self.refs.contains_key(*id)).map(move |id| format!("{} → ?{id}", m.item.reference)))
            .collect();
        if !dangling.is_empty() {
            self.para(vec![Span::bold(format!("{}: ", self.t("Henvisninger der ikke kan findes", "References that do not resolve"))).tone(Tone::Local), Span::new(dangling.join(", "))]);
        }
    }

    fn before_after(&mut self) {
        let d = self.d;
        self.h1(self.t("Risikobilledet før og efter foranstaltninger", "Risks before and after measures"));
        // the same counts and rounded shares as the check's risk picture
        let picture = RiskPicture::of(d);
        let (before, after) = (picture.before, picture.after);
        let mut t = Table::new(
            &[2.0, 1.0, 1.0, 1.0, 1.0],
            Some(self.header(&[("Risikoniveau", "Risk level"), ("Før: antal", "Before: count"), ("Før: andel", "Before: share"), ("Efter: antal", "After: count"), ("Efter: andel", "After: share")])),
        );
        for lvl in [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High] {
            let share = |s: &crate::check::Share| match lvl {
                RiskLevel::Low => (s.counts.low, s.low_percent),
                RiskLevel::Medium => (s.counts.medium, s.medium_percent),
                RiskLevel::High => (s.counts.high, s.high_percent),
            };
            let ((b, bp), (a, ap)) = (share(&before), share(&after));
            t.row(vec![
                Cell::bold(cap(self.w(lvl))).fill(level_fill(Some(lvl)).unwrap()),
                Cell::text(b.to_string()).center(),
                Cell::text(format!("{bp} %")).center(),
                Cell::text(a.to_string()).center(),
                Cell::text(format!("{ap} %")).center(),
            ]);
        }
        if picture.unrated_before + picture.unrated_after > 0 {
            let n = |k: usize| Cell::text(k.to_string()).center();
            t.row(vec![Cell::bold(self.t("Ikke vurderet (ikke i andelene)", "Not rated (not in the shares)")), n(picture.unrated_before), Cell::default(), n(picture.unrated_after), Cell::default()]);
        }
        t.row(vec![
            Cell::bold(self.t("I alt", "Total")),
            Cell::bold((before.counts.total() + picture.unrated_before).to_string()).center(),
            Cell::default(),
            Cell::bold((after.counts.total() + picture.unrated_after).to_string()).center(),
            Cell::default(),
        ]);
        self.table(t);
        // the caption stays with the heat maps it explains
        let caption = self.blocks.len();
        self.small(self.t(
            "Varmekortene placerer hver relevant risiko efter sin mest alvorlige dimension: konsekvens (lodret) mod sandsynlighed (vandret). Tallet er antallet af risici i feltet, under det deres referencer.",
            "The heat maps place each applicable risk by its most serious dimension: consequence (vertical) against likelihood (horizontal). The number is the count of risks in the cell, their references below it.",
        ));
        let grid = |pick: fn(&Risk) -> &Assessment| {
            let mut g = HeatGrid::new();
            for e in d.items.risks.iter().filter(|e| e.applies()) {
                if let Some((c, l)) = worst_point(pick(&e.item)) {
                    g.entry((c.step(), l.step())).or_default().push(e.item.reference.0.clone());
                }
            }
            g
        };
        let words = |w: [&'static str; 4]| w.map(String::from);
        let maps = HeatMaps {
            maps: vec![
                HeatMap { title: self.t("Før foranstaltninger (iboende)", "Before measures (inherent)").into(), grid: grid(|r| &r.inherent) },
                HeatMap { title: self.t("Efter foranstaltninger (rest)", "After measures (residual)").into(), grid: grid(|r| &r.residual) },
            ],
            consequence_axis: self.t("Konsekvens", "Consequence").into(),
            likelihood_axis: self.t("Sandsynlighed", "Likelihood").into(),
            consequence_words: words(Consequence::ALL.map(|c| self.w(c))),
            likelihood_words: words(Likelihood::ALL.map(|l| self.w(l))),
        };
        self.blocks.push(Block::HeatMaps(maps));
        self.keep_from(caption);
    }

    fn supplement(&mut self) {
        let d = self.d;
        self.h1(self.t("Kommunens lokale tillæg", "The municipality's local supplement"));
        self.para(vec![Span::bold(self.t(
            "Alt i dette afsnit er kommunens eget (LOKALT) og supplerer eller erstatter den fælles basis.",
            "Everything in this section is the municipality's own (LOCAL) and adds to or replaces the joint base.",
        )).tone(Tone::Local)]);

        self.h2(self.t("Betingelser for fælles konsekvensanalyse", "Conditions for a joint DPIA"));
        self.small(self.t(
            "Datatilsynets afgørelse (afsnit 4.4): flere dataansvarlige kan dele én konsekvensanalyse, når system, behandlingsaktiviteter, typer af oplysninger og høje risici svarer til hinanden.",
            "Datatilsynet's decision (section 4.4): several controllers may share one DPIA when system, processing, types of data and high risks are similar.",
        ));
        let mut t = Table::new(&[2.2, 0.7, 4.0], Some(self.header(&[("Betingelse", "Condition"), ("Opfyldt", "Met"), ("Begrundelse", "Reason")])));
        for c in JointCondition::ALL {
            let a = d.conditions.answer(*c);
            let mut met = Cell::bold(self.yes_no(a.met)).center();
            met.fill = match a.met {
                Some(true) => Some(Fill::Low),
                Some(false) => Some(Fill::High),
                None => Some(Fill::NotApplicable),
            };
            t.row(vec![Cell::text(cap(self.w(*c))), met, Cell::text(self.prose(&a.reason))]);
        }
        self.table(t);

        self.h2(self.t("Afvigelser fra den fælles basis", "Deviations from the joint base"));
        let mut t = Table::new(&[0.95, 1.2, 1.5, 1.5, 3.4], Some(self.header(&[("Ref.", "Ref."), ("Art", "Kind"), ("Fælles basis", "Joint base"), ("Lokalt", "Local"), ("Begrundelse", "Reason")])));
        let mut n = 0;
        for e in &d.items.risks {
            if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
                n += 1;
                let fmt = |i: &Assessment, r: &Assessment| format!("{} {}\n{} {}", self.t("iboende", "inherent"), self.ow(i.level()), self.t("rest", "residual"), self.ow(r.level()));
                t.row(vec![
                    Cell::bold(e.item.reference.0.clone()),
                    Cell::text(self.t("Risikovurdering", "Risk rating")),
                    Cell::text(fmt(base_inherent, base_residual)),
                    Cell::spans(vec![Span::bold(fmt(&e.item.inherent, &e.item.residual)).tone(Tone::Local)]),
                    Cell::text(self.prose(reason)),
                ]);
            }
        }
        for e in &d.items.measures {
            if let Some(Deviation::MeasureStatus { state, text }) = &e.deviation {
                n += 1;
                t.row(vec![
                    Cell::bold(e.item.reference.0.clone()),
                    Cell::text(self.t("Foranstaltning", "Measure")),
                    Cell::text(format!("{}\n{}", e.item.title, self.ow(e.item.status))),
                    Cell::spans(vec![Span::bold(self.ow(*state)).tone(Tone::Local)]),
                    Cell::text(self.prose(text)),
                ]);
            }
        }
        for e in &d.items.subject_categories {
            if let Some(Deviation::SubjectCount { base_count, note }) = &e.deviation {
                n += 1;
                t.row(vec![
                    Cell::bold(e.item.reference.0.clone()),
                    Cell::text(self.t("Antal registrerede", "Number of data subjects")),
                    Cell::text(format!("{}: {}", e.item.name, base_count.map(|c| self.number(c)).unwrap_or_else(|| "—".into()))),
                    Cell::spans(vec![Span::bold(e.item.count.map(|c| self.number(c)).unwrap_or_else(|| "—".into())).tone(Tone::Local)]),
                    Cell::text(self.prose(note)),
                ]);
            }
        }
        if n == 0 {
            self.small(self.t("(ingen)", "(none)"));
        } else {
            self.table(t);
        }

        self.h2(self.t("Lokale tilføjelser", "Local additions"));
        let mut t = Table::new(&[1.05, 1.6, 4.4], Some(self.header(&[("Ref.", "Ref."), ("Art", "Kind"), ("Element", "Item")])));
        let mut n = 0;
        macro_rules! add {
            ($f:ident, $da:literal, $en:literal, $title:expr) => {
                for e in d.items.$f.iter().filter(|e| e.is_local()) {
                    n += 1;
                    let title: String = $title(&e.item);
                    t.row_filled(vec![Cell::bold(e.item.reference.0.clone()), Cell::text(self.t($da, $en)), Cell::text(title)], Some(Fill::Local));
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
        if n == 0 {
            self.small(self.t("(ingen)", "(none)"));
        } else {
            self.table(t);
        }

        self.h2(self.t("Elementer der ikke er relevante her", "Items that do not apply here"));
        let mut t = Table::new(&[1.05, 2.4, 3.6], Some(self.header(&[("Ref.", "Ref."), ("Element", "Item"), ("Begrundelse", "Justification")])));
        let mut n = 0;
        macro_rules! na {
            ($f:ident, $title:expr) => {
                for e in &d.items.$f {
                    if let Some(j) = &e.not_applicable {
                        n += 1;
                        let title: String = $title(&e.item);
                        t.row_filled(vec![Cell::bold(e.item.reference.0.clone()), Cell::text(title), Cell::text(self.prose(j))], Some(Fill::NotApplicable));
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
        if n == 0 {
            self.small(self.t("(ingen)", "(none)"));
        } else {
            self.table(t);
        }
        if !d.contacts.is_blank() {
            self.labelled(self.t("Kontakt", "Contacts"), d.contacts.0.clone());
        }
        if !d.unresolved_targets.is_empty() {
            let ids: Vec<String> = d.unresolved_targets.iter().map(|i| i.to_string()).collect();
            self.para(vec![
                Span::bold(format!("{}: ", self.t("Advarsel: afvigelser uden basiselement", "Warning: deviations without a base item"))).tone(Tone::Local),
                Span::new(ids.join(", ")),
            ]);
        }
    }

    fn dpo(&mut self) {
        let d = self.d;
        self.h1(self.t("Databeskyttelsesrådgiverens rådgivning (art. 35, stk. 2)", "Advice of the data protection officer (Art. 35(2))"));
        if self.empty_note(d.items.dpo_advice.len()) {
            return;
        }
        let mut t = Table::new(&[0.95, 1.9, 3.0, 0.85, 2.1], Some(self.header(&[("Ref.", "Ref."), ("Dato og rådgiver", "Date and adviser"), ("Rådgivning", "Advice"), ("Fulgt", "Followed"), ("Begrundelse", "Reason")])));
        for e in &d.items.dpo_advice {
            let a = &e.item;
            let mut follow = Cell::bold(self.ow(a.response)).center();
            follow.fill = match a.response {
                Some(AdviceResponse::Followed) => Some(Fill::Low),
                Some(AdviceResponse::PartlyFollowed) | Some(AdviceResponse::Pending) => Some(Fill::Medium),
                Some(AdviceResponse::Overruled) => Some(Fill::High),
                None => None,
            };
            let mut who = vec![Span::bold(self.day(a.date)), Span::new(format!("\n{}", a.advisor))];
            if !a.concerns_version.is_empty() {
                who.push(Span::new(format!("\n{} {}", self.t("vedr.", "re"), a.concerns_version)).tone(Tone::Grey));
            }
            t.row_filled(
                vec![self.ref_cell(e, &a.reference), Cell::spans(who), Cell::spans(self.na_spans(e, vec![Span::new(self.prose(&a.advice))])), follow, Cell::text(self.prose(&a.response_reason))],
                self.row_fill(e),
            );
        }
        self.table(t);
    }

    fn acceptance(&mut self) {
        let d = self.d;
        self.h1(self.t("Accept og forudgående høring (art. 36)", "Acceptance and prior consultation (Art. 36)"));
        let picture = RiskPicture::of(d);
        let after = picture.after;
        let max = self.o.policy.max_medium_percent;
        self.h2(self.t("Acceptkriterium", "Acceptance rule"));
        self.text(if self.da {
            format!("Efter foranstaltninger må der ikke være høje risici, og højst {max} % må være mellem; ellers forelægges analysen databeskyttelsesrådgiveren. Høj restrisiko kræver forudgående høring af Datatilsynet (art. 36).")
        } else {
            format!("After measures there must be no high risks and at most {max} % medium; otherwise the assessment goes to the data protection officer. High residual risk requires prior consultation of Datatilsynet (Art. 36).")
        });
        let acceptance = picture.acceptance(&self.o.policy);
        let outcome = self.outcome(acceptance);
        let (c, mp) = (after.counts, after.medium_percent);
        let verdict = if self.da {
            format!("Resultat: {outcome} — efter foranstaltninger {} høje, {} mellem ({mp} %), {} lave.", c.high, c.medium, c.low)
        } else {
            format!("Result: {outcome} — after measures {} high, {} medium ({mp} %), {} low.", c.high, c.medium, c.low)
        };
        let colour = if acceptance == Acceptance::Accepted { Tone::Accent } else { Tone::Alert };
        self.para(vec![Span::bold(verdict).tone(colour)]);

        self.h2(self.t("Forudgående høring af Datatilsynet", "Prior consultation of Datatilsynet"));
        let pc = &d.prior_consultation;
        let mut rows = vec![
            (self.t("Påkrævet", "Required").to_string(), vec![Span::bold(self.yes_no(pc.required))]),
            (self.t("Begrundelse", "Reason").to_string(), vec![Span::new(self.prose(&pc.reason))]),
        ];
        if pc.submitted.is_some() {
            rows.push((self.t("Indsendt", "Submitted").into(), vec![Span::new(self.day(pc.submitted))]));
        }
        if !pc.case_number.is_empty() {
            rows.push((self.t("Journalnummer", "Case number").into(), vec![Span::new(pc.case_number.clone())]));
        }
        if !pc.outcome.is_blank() {
            rows.push((self.t("Udfald", "Outcome").into(), vec![Span::new(pc.outcome.0.clone())]));
        }
        if d.prior_consultation_origin == Origin::Local {
            rows.push((self.t("Kilde", "Source").into(), vec![Span::bold(self.t("LOKAL", "LOCAL")).tone(Tone::Local)]));
        }
        self.kv(rows);
        if c.high > 0 && pc.required != Some(true) {
            self.para(vec![Span::bold(self.t(
                "Art. 36-flag: der er høj restrisiko, men forudgående høring er ikke angivet som påkrævet.",
                "Art. 36 flag: high residual risk remains, but prior consultation is not marked as required.",
            )).tone(Tone::Alert)]);
        } else if c.high > 0 {
            self.para(vec![Span::bold(self.t("Art. 36-flag: ja — høj restrisiko; forudgående høring af Datatilsynet.", "Art. 36 flag: yes — high residual risk; prior consultation of Datatilsynet."))]);
        } else {
            self.para(vec![Span::bold(self.t(
                "Art. 36-flag: nej — ingen høj restrisiko efter foranstaltninger.",
                "Art. 36 flag: no — no high residual risk after measures.",
            ))]);
        }
    }

    fn review(&mut self) {
        let d = self.d;
        self.h1(self.t("Revision (art. 35, stk. 11)", "Review (Art. 35(11))"));
        self.kv(vec![
            (self.t("Næste revision", "Next review").into(), vec![Span::bold(self.day(d.review_plan.next_review))]),
            (self.t("Udløsende forhold", "Triggers").into(), vec![Span::new(self.prose(&d.review_plan.triggers))]),
        ]);
        if !d.items.reviews.is_empty() {
            let mut t = Table::new(&[1.05, 1.4, 2.4, 3.0], Some(self.header(&[("Ref.", "Ref."), ("Dato og ansvarlig", "Date and reviewer"), ("Anledning", "Trigger"), ("Resultat", "Result")])));
            for e in &d.items.reviews {
                let v = &e.item;
                t.row_filled(
                    vec![self.ref_cell(e, &v.reference), Cell::text(format!("{}\n{}", self.day(v.date), v.reviewer)), Cell::text(self.prose(&v.trigger)), Cell::text(self.prose(&v.summary))],
                    self.row_fill(e),
                );
            }
            self.table(t);
        }
    }

    fn findings(&mut self) {
        let findings = self.o.findings.clone().unwrap_or_default();
        self.blocks.push(Block::PageBreak);
        self.h1_plain(self.t("Bilag A. Resultat af kontrollen", "Annex A. Findings of the check"));
        if findings.is_empty() {
            self.text(self.t("Kontrollen fandt ingen mangler.", "The check found no problems."));
            return;
        }
        let mut t = Table::new(&[1.8, 0.9, 4.6], Some(self.header(&[("Kode", "Code"), ("Alvor", "Severity"), ("Fund", "Finding")])));
        for f in &findings {
            let s = f.severity.to_lowercase();
            let fill = if s.starts_with("fejl") || s.starts_with("err") || s.starts_with("høj") || s.starts_with("high") {
                Some(Fill::High)
            } else if s.starts_with("adv") || s.starts_with("warn") {
                Some(Fill::Medium)
            } else {
                None
            };
            let mut sev = Cell::bold(f.severity.clone()).center();
            sev.fill = fill;
            t.row(vec![Cell::bold(f.code.clone()), sev, Cell::text(f.message.clone())]);
        }
        self.table(t);
    }

    fn signatures(&mut self) {
        let d = self.d;
        self.blocks.push(Block::PageBreak);
        self.h1_plain(self.t("Underskrifter", "Signatures"));
        let who = if self.o.is_base {
            format!("{} {}", self.t("Den fælles basis udgives af koordinatoren", "The joint base is published by the coordinator"), d.coordinator)
        } else {
            format!("{} {}", self.t("Konsekvensanalysen godkendes for", "The DPIA is approved for"), self.org_line())
        };
        self.text(format!("{who}."));
        let note = self.t(
            "Underskrifterne er digitale (PAdES) og kan kontrolleres med »konsekvens verify« eller enhver PDF-læser, der viser signaturer.",
            "The signatures are digital (PAdES) and can be checked with \"konsekvens verify\" or any PDF reader that shows signatures.",
        );
        let mut people: Vec<Signer> = d.signatories.iter().map(|s| Signer { name: s.name.clone(), capacity: s.capacity.clone() }).collect();
        if people.is_empty() {
            let capacity = if self.o.is_base { self.t("Koordinator", "Coordinator") } else { self.t("Dataansvarlig", "Controller") };
            people.push(Signer { name: String::new(), capacity: capacity.into() });
        }
        let labels = SignatureLabels {
            name: self.t("Navn", "Name").into(),
            capacity: self.t("Egenskab", "Capacity").into(),
            date: self.t("Dato", "Date").into(),
            signature: self.t("Underskrift", "Signature").into(),
        };
        self.blocks.push(Block::Signatures { note: note.into(), labels, people });
    }
}

