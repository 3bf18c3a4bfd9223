//! Annex A: the check's findings.

use super::*;

impl Doc<'_> {
    pub(super) fn findings(&mut self) {
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
}
