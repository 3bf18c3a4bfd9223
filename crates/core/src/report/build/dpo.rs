//! 9. The data protection officer's advice (Art. 35(2)) and how it was followed.

use super::*;

impl Doc<'_> {
    pub(super) fn dpo(&mut self) {
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
}
