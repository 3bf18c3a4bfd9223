//! 3. The WP248 screening: the nine criteria and whether a DPIA is required.

use super::*;

impl Doc<'_> {
    pub(super) fn wp248(&mut self) {
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
}
