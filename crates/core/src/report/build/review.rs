//! 11. Review (Art. 35(11)): the plan and the reviews held.

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
    }
}
