//! 4. Risk assessment (Art. 35(7)(c)): the register, then every risk with its reasons.

use super::*;

impl Doc<'_> {
    pub(super) fn risks(&mut self) {
        let d = self.d;
        self.h1(self.t("Risikovurdering (art. 35, stk. 7, litra c)", "Risk assessment (Art. 35(7)(c))"));
        self.small(self.t(
            "Hver risiko er vurderet for fortrolighed, integritet og tilgængelighed: konsekvens for de registrerede og sandsynlighed, hver med begrundelse, før (iboende) og efter (rest) foranstaltninger. Risikoniveauet følger matricen konsekvens × sandsynlighed (1–3 lav, 4–8 mellem, 9–16 høj).",
            "Each risk is rated for confidentiality, integrity and availability: consequence for the data subjects and likelihood, each with its reason, before (inherent) and after (residual) measures. The level follows the matrix consequence × likelihood (1–3 low, 4–8 medium, 9–16 high).",
        ));
        self.h2(self.t("Risikoregister", "Risk register"));
        if self.empty_note(d.items.risks.len()) {
            return;
        }
        self.risk_register();
        self.h2(self.t("Risici med begrundelser", "Risks with reasons"));
        for e in &d.items.risks {
            self.risk_card(e);
        }
    }

    /// One row per risk: its levels before and after measures, and the measures.
    fn risk_register(&mut self) {
        let d = self.d;
        let mut t = Table::new(&[1.05, 3.6, 1.0, 1.0, 1.4], Some(self.header(&[("Ref.", "Ref."), ("Risiko", "Risk"), ("Iboende", "Inherent"), ("Rest", "Residual"), ("Foranstaltninger", "Measures")])));
        for e in &d.items.risks {
            let r = &e.item;
            let ms: Vec<String> = d.measures_for(&r.id).map(|m| m.item.reference.0.clone()).collect();
            t.row_filled(
                vec![
                    self.ref_cell(e, &r.reference),
                    Cell::spans(self.na_spans(e, vec![Span::new(r.title.clone())])),
                    self.level_cell(r.inherent.level()),
                    self.level_cell(r.residual.level()),
                    Cell::text(if ms.is_empty() { self.t("(ingen)", "(none)").into() } else { ms.join(", ") }),
                ],
                self.row_fill(e),
            );
        }
        self.table(t);
    }

    /// A risk with its threat, each C/I/A rating with reasons before and after, and what
    /// answers it.
    fn risk_card(&mut self, e: &Entry<Risk>) {
        let d = self.d;
        let r = &e.item;
        let mut title = format!("{} {}", r.reference, r.title);
        if e.origin == Origin::Local {
            title.push_str(self.t("  [LOKAL]", "  [LOCAL]"));
        }
        if e.deviation.is_some() {
            title.push_str(self.t("  [AFVIGELSE]", "  [DEVIATION]"));
        }
        // the risk's heading, threat and rating table stay on one page
        let card = self.blocks.len();
        self.h3(&title);
        if let Some(j) = &e.not_applicable {
            self.para(vec![Span::bold(format!("{}: ", self.t("Ikke relevant her", "Not applicable here"))).tone(Tone::Grey), Span::new(self.prose(j)).tone(Tone::Grey)]);
        }
        let source = self.ow(r.source);
        let src = if r.source_reference.is_empty() { source.to_string() } else { format!("{source} ({})", r.source_reference) };
        self.para(vec![
            Span::bold(format!("{}: ", self.t("Trussel", "Threat"))),
            Span::new(self.prose(&r.threat)),
            Span::new(format!(
                "\n{}: {} · {}: {} · {}: {}",
                self.t("Processer", "Processes"),
                self.links(&r.processes),
                self.t("Moduler", "Modules"),
                self.links(&r.modules),
                self.t("Kilde", "Source"),
                src
            ))
            .tone(Tone::Grey),
        ]);
        let ratings = self.rating_table(r);
        self.table(ratings);
        self.keep_from(card);
        if !r.residual_reason.is_blank() {
            self.labelled(self.t("Begrundelse for restrisiko", "Reason for the residual rating"), r.residual_reason.0.clone());
        }
        if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
            self.para(vec![
                Span::bold(format!("{} ", self.t("Lokal vurdering.", "Local rating."))).tone(Tone::Local),
                Span::new(format!(
                    "{}: {} {}, {} {}. ",
                    self.t("Fælles basis vurderer", "The joint base rates"),
                    self.t("iboende", "inherent"),
                    self.ow(base_inherent.level()),
                    self.t("rest", "residual"),
                    self.ow(base_residual.level())
                ))
                .tone(Tone::Local),
                Span::bold(format!("{}: ", self.t("Begrundelse", "Reason"))).tone(Tone::Local),
                Span::new(self.prose(reason)).tone(Tone::Local),
            ]);
        }
        if !r.acceptance.is_blank() {
            self.labelled(self.t("Accept af risikoen", "Acceptance of the risk"), r.acceptance.0.clone());
        }
        let ms: Vec<String> = d.measures_for(&r.id).map(|m| format!("{} {}", m.item.reference, m.item.title)).collect();
        self.labelled(self.t("Foranstaltninger", "Measures"), if ms.is_empty() { self.t("(ingen)", "(none)").to_string() } else { ms.join("; ") });
    }

    /// Consequence and likelihood, each with its reason, per dimension before and after.
    fn rating_table(&self, r: &Risk) -> Table {
        let mut t = Table::new(&[1.2, 3.0, 3.0, 0.9], Some(self.header(&[("", ""), ("Konsekvens og begrundelse", "Consequence and reason"), ("Sandsynlighed og begrundelse", "Likelihood and reason"), ("Niveau", "Level")])));
        for (label, a) in [(self.t("Før", "Before"), &r.inherent), (self.t("Efter", "After"), &r.residual)] {
            for dim in Dimension::ALL {
                let rt = a.rating(*dim);
                let head = Cell::spans(vec![Span::bold(label), Span::new(format!("\n{}", cap(self.w(*dim))))]);
                if rt.unaffected {
                    // «ikke berørt» with its reason, across both columns' worth of text
                    t.row(vec![head, Cell::spans(vec![Span::bold(self.t("Ikke berørt", "Not affected")), Span::new(format!(" — {}", self.prose(&rt.unaffected_reason)))]), Cell::text("—"), Cell::text("—")]);
                    continue;
                }
                if rt.is_legacy_only() {
                    t.row(vec![head, Cell::text(self.t("Kun angivet som niveau, uden konsekvens og begrundelse", "Given only as a level, without consequence and reason")), Cell::text("—"), self.level_cell(rt.level())]);
                    continue;
                }
                t.row(vec![
                    head,
                    Cell::spans(vec![Span::bold(self.ow(rt.consequence)), Span::new(format!(" — {}", self.prose(&rt.consequence_reason)))]),
                    Cell::spans(vec![Span::bold(self.ow(rt.likelihood)), Span::new(format!(" — {}", self.prose(&rt.likelihood_reason)))]),
                    self.level_cell(rt.level()),
                ]);
            }
        }
        t
    }
}
