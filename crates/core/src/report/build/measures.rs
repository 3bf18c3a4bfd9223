//! 5. Measures (Art. 35(7)(d)) and the evidence behind them.

use super::*;

impl Doc<'_> {
    pub(super) fn measures(&mut self) {
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
        self.evidence();
    }

    /// The evidence measures and ratings rest on: what, who issued it, when.
    fn evidence(&mut self) {
        let d = self.d;
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
}
