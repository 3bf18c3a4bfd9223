//! 2. Necessity and proportionality (Art. 35(7)(b)), per purpose.

use super::*;

impl Doc<'_> {
    pub(super) fn necessity(&mut self) {
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
}
