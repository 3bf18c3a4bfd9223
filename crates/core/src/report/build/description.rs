//! 1. Systematic description (Art. 35(7)(a)): the summary, then one table per kind of item.

use super::*;

impl Doc<'_> {
    pub(super) fn description(&mut self) {
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
        self.processes();
        self.modules();
        self.purposes();
        self.data_categories();
        self.subject_categories();
        self.sources();
        self.recipients();
        self.processors();
        self.transfers();
        self.document_types();
        self.systems();
    }

    fn processes(&mut self) {
        let d = self.d;
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
    }

    fn modules(&mut self) {
        let d = self.d;
        self.named_items(("Moduler", "Modules"), ("Modul", "Module"), &d.items.modules, |x| (&x.reference, &x.name, &x.description));
    }

    fn purposes(&mut self) {
        let d = self.d;
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
    }

    fn data_categories(&mut self) {
        let d = self.d;
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
    }

    fn subject_categories(&mut self) {
        let d = self.d;
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
    }

    fn sources(&mut self) {
        let d = self.d;
        self.named_items(("Kilder", "Sources"), ("Kilde", "Source"), &d.items.sources, |x| (&x.reference, &x.name, &x.description));
    }

    fn recipients(&mut self) {
        let d = self.d;
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
    }

    fn processors(&mut self) {
        let d = self.d;
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
    }

    fn transfers(&mut self) {
        let d = self.d;
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
    }

    fn document_types(&mut self) {
        let d = self.d;
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
    }

    fn systems(&mut self) {
        let d = self.d;
        self.named_items(("Andre systemer", "Other systems"), ("System", "System"), &d.items.systems, |x| (&x.reference, &x.name, &x.description));
    }

    /// A table of items that are a name and a description (modules, sources, other systems).
    fn named_items<T>(
        &mut self,
        heading: (&'static str, &'static str),
        column: (&'static str, &'static str),
        items: &[Entry<T>],
        fields: impl Fn(&T) -> (&Reference, &str, &Prose),
    ) {
        self.h2(self.t(heading.0, heading.1));
        if !self.empty_note(items.len()) {
            let mut t = Table::new(&[1.05, 6.0], Some(self.header(&[("Ref.", "Ref."), column])));
            for e in items {
                let (reference, name, description) = fields(&e.item);
                t.row_filled(vec![self.ref_cell(e, reference), Cell::spans(self.na_spans(e, self.title_desc(name, description)))], self.row_fill(e));
            }
            self.table(t);
        }
    }
}
