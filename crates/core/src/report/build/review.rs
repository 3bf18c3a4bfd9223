//! Section 11, review (Art. 35(11)): the plan, the reviews held, the dated changes in use
//! they are measured against, and the views of the data subjects (Art. 35(9)).

use super::*;

impl Doc<'_> {
    pub(super) fn review(&mut self) {
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
        if !d.items.use_changes.is_empty() {
            self.h2(self.t("Ændringer i brugen", "Changes in use"));
            let mut t = Table::new(&[1.05, 1.4, 1.8, 3.6], Some(self.header(&[("Ref.", "Ref."), ("Dato", "Date"), ("Art", "Kind"), ("Hvad ændrede sig", "What changed")])));
            for e in &d.items.use_changes {
                let v = &e.item;
                let kind = v.kind.map(|k| if self.da { k.danish() } else { k.english() }).unwrap_or("—");
                t.row_filled(vec![self.ref_cell(e, &v.reference), Cell::text(self.day(v.date)), Cell::text(kind), Cell::text(self.prose(&v.description))], self.row_fill(e));
            }
            self.table(t);
        }
        self.h2(self.t("De registreredes synspunkter (art. 35, stk. 9)", "Views of the data subjects (Art. 35(9))"));
        if d.items.subject_views.is_empty() {
            let why = if d.description.views_not_sought_reason.is_blank() { self.t("Det er ikke registreret, om de registreredes synspunkter er indhentet.", "It is not recorded whether the data subjects' views were sought.").to_owned() } else { self.prose(&d.description.views_not_sought_reason) };
            self.para(vec![Span::new(why)]);
        } else {
            let mut t = Table::new(&[1.05, 1.6, 2.6, 2.6], Some(self.header(&[("Ref.", "Ref."), ("Hvem og hvornår", "Whom and when"), ("Hvad de sagde", "What they said"), ("Hvordan det er indgået", "How it was taken into account")])));
            for e in &d.items.subject_views {
                let v = &e.item;
                t.row_filled(vec![self.ref_cell(e, &v.reference), Cell::text(format!("{}\n{}", v.whom, self.day(v.date))), Cell::text(self.prose(&v.views)), Cell::text(self.prose(&v.response))], self.row_fill(e));
            }
            self.table(t);
        }
    }
}
