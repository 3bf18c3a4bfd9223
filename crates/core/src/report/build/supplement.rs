//! 8. The municipality's local supplement: conditions, deviations, additions, what does not apply.

use super::*;

impl Doc<'_> {
    pub(super) fn supplement(&mut self) {
        let d = self.d;
        self.h1(self.t("Kommunens lokale tillæg", "The municipality's local supplement"));
        self.para(vec![Span::bold(self.t(
            "Alt i dette afsnit er kommunens eget (LOKALT) og supplerer eller erstatter den fælles basis.",
            "Everything in this section is the municipality's own (LOCAL) and adds to or replaces the joint base.",
        )).tone(Tone::Local)]);

        self.joint_conditions();
        self.deviations();
        self.local_additions();
        self.not_applicable_items();
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

    /// Datatilsynet's conditions for sharing one DPIA, each met or not with its reason.
    fn joint_conditions(&mut self) {
        let d = self.d;
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
    }

    /// Where the municipality replaces a base value: risk ratings, measure status, subject counts.
    fn deviations(&mut self) {
        let d = self.d;
        self.h2(self.t("Afvigelser fra den fælles basis", "Deviations from the joint base"));
        let mut t = Table::new(&[0.95, 1.2, 1.5, 1.5, 3.4], Some(self.header(&[("Ref.", "Ref."), ("Art", "Kind"), ("Fælles basis", "Joint base"), ("Lokalt", "Local"), ("Begrundelse", "Reason")])));
        for e in &d.items.risks {
            if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
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
                t.row(vec![
                    Cell::bold(e.item.reference.0.clone()),
                    Cell::text(self.t("Antal registrerede", "Number of data subjects")),
                    Cell::text(format!("{}: {}", e.item.name, base_count.map(|c| self.number(c)).unwrap_or_else(|| "—".into()))),
                    Cell::spans(vec![Span::bold(e.item.count.map(|c| self.number(c)).unwrap_or_else(|| "—".into())).tone(Tone::Local)]),
                    Cell::text(self.prose(note)),
                ]);
            }
        }
        self.table_or_none(t);
    }

    /// Items only this municipality has.
    fn local_additions(&mut self) {
        let d = self.d;
        self.h2(self.t("Lokale tilføjelser", "Local additions"));
        let mut t = Table::new(&[1.05, 1.6, 4.4], Some(self.header(&[("Ref.", "Ref."), ("Art", "Kind"), ("Element", "Item")])));
        macro_rules! add {
            ($f:ident, $da:literal, $en:literal, $title:expr) => {
                for e in d.items.$f.iter().filter(|e| e.is_local()) {
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
        self.table_or_none(t);
    }

    /// Base items marked as not applying here, with the justification.
    fn not_applicable_items(&mut self) {
        let d = self.d;
        self.h2(self.t("Elementer der ikke er relevante her", "Items that do not apply here"));
        let mut t = Table::new(&[1.05, 2.4, 3.6], Some(self.header(&[("Ref.", "Ref."), ("Element", "Item"), ("Begrundelse", "Justification")])));
        macro_rules! na {
            ($f:ident, $title:expr) => {
                for e in &d.items.$f {
                    if let Some(j) = &e.not_applicable {
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
        self.table_or_none(t);
    }

    /// A table, or "(ingen)" when it has no rows.
    fn table_or_none(&mut self, t: Table) {
        if t.rows.is_empty() {
            self.small(self.t("(ingen)", "(none)"));
        } else {
            self.table(t);
        }
    }
}
