//! Annex: the imported supplier sheets — each sheet's identity, version and when it was
//! imported, and for each of its threats the risks that cover it or the recorded reason why
//! none does (what the check's reference rules read: `check::supplier::coverage`).

use super::*;
use crate::check::supplier::coverage;

impl Doc<'_> {
    /// The annex, lettered `letter`; nothing when no sheet is imported.
    pub(super) fn supplier_sheets(&mut self, letter: char) {
        let sheets = coverage(self.d);
        if sheets.is_empty() {
            return;
        }
        self.blocks.push(Block::PageBreak);
        let title = if self.da { format!("Bilag {letter}. Importerede leverandørark") } else { format!("Annex {letter}. Imported supplier sheets") };
        self.h1_plain(&title);
        self.text(self.t(
            "Leverandørernes risikovurderinger, som de er importeret. For hver trussel står den risiko i analysen, der dækker den (risikoens kildehenvisning nævner truslens nummer), eller begrundelsen for, at ingen risiko dækker den.",
            "The suppliers' risk assessments as imported. Each threat shows the risk of this DPIA that covers it (the risk's source reference names the threat's number), or the reason why no risk covers it.",
        ));
        for s in sheets {
            self.h2(&format!("{} {}", s.reference, s.label));
            let dash = |v: &str| if v.trim().is_empty() { "—".to_owned() } else { v.trim().to_owned() };
            let file = match (s.file.trim(), s.tab.trim()) {
                ("", _) => "—".to_owned(),
                (f, "") => f.to_owned(),
                (f, t) => format!("{f} ({} {t})", self.t("fane", "tab")),
            };
            let kept = if s.doc == "base" { self.t("Fælles basis", "Joint base") } else { self.t("Kommunens tillæg", "The municipality's supplement") };
            let imported = self.day(s.imported);
            self.kv(vec![
                (self.t("Leverandør", "Supplier").into(), vec![Span::new(dash(&s.supplier))]),
                (self.t("Fil", "File").into(), vec![Span::new(file)]),
                ("Version".into(), vec![Span::new(dash(&s.version))]),
                (self.t("Arkets dato", "Sheet's date").into(), vec![Span::new(dash(&s.date))]),
                (self.t("Importeret", "Imported").into(), vec![Span::new(imported)]),
                (self.t("Ligger i", "Kept in").into(), vec![Span::new(kept)]),
            ]);
            let mut t = Table::new(&[0.7, 3.0, 2.6], Some(self.header(&[("Nr.", "No."), ("Trussel", "Threat"), ("Dækket af", "Covered by")])));
            for th in &s.threats {
                let answer = if !th.risks.is_empty() {
                    Cell::bold(th.risks.join(", "))
                } else if !th.not_covered_reason.trim().is_empty() {
                    let mut c = Cell::spans(vec![Span::bold(format!("{}: ", self.t("Ikke dækket", "Not covered"))), Span::new(th.not_covered_reason.trim())]);
                    c.fill = Some(Fill::NotApplicable);
                    c
                } else {
                    let mut c = Cell::bold(self.t("Ikke dækket — ingen begrundelse", "Not covered — no reason"));
                    c.fill = Some(Fill::High);
                    c
                };
                t.row(vec![Cell::bold(th.number.clone()), Cell::text(if th.title.trim().is_empty() { "—".to_owned() } else { th.title.trim().to_owned() }), answer]);
            }
            self.table(t);
        }
    }
}
