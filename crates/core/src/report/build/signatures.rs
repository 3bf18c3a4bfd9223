//! The signature page: who approves the document, one box per signatory.

use super::*;

impl Doc<'_> {
    pub(super) fn signatures(&mut self) {
        let d = self.d;
        self.blocks.push(Block::PageBreak);
        self.h1_plain(self.t("Underskrifter", "Signatures"));
        let who = if self.o.is_base {
            format!("{} {}", self.t("Den fælles basis udgives af koordinatoren", "The joint base is published by the coordinator"), d.coordinator)
        } else {
            format!("{} {}", self.t("Konsekvensanalysen godkendes for", "The DPIA is approved for"), self.org_line())
        };
        self.text(format!("{who}."));
        let note = self.t(
            "Underskrifterne er digitale (PAdES) og kan kontrolleres med »konsekvens verify« eller enhver PDF-læser, der viser signaturer.",
            "The signatures are digital (PAdES) and can be checked with \"konsekvens verify\" or any PDF reader that shows signatures.",
        );
        let mut people: Vec<Signer> = d.signatories.iter().map(|s| Signer { name: s.name.clone(), capacity: s.capacity.clone() }).collect();
        if people.is_empty() {
            let capacity = if self.o.is_base { self.t("Koordinator", "Coordinator") } else { self.t("Dataansvarlig", "Controller") };
            people.push(Signer { name: String::new(), capacity: capacity.into() });
        }
        let labels = SignatureLabels {
            name: self.t("Navn", "Name").into(),
            capacity: self.t("Egenskab", "Capacity").into(),
            date: self.t("Dato", "Date").into(),
            signature: self.t("Underskrift", "Signature").into(),
        };
        self.blocks.push(Block::Signatures { note: note.into(), labels, people });
    }
}
