//! 10. Acceptance of the residual risk and prior consultation (Art. 36).

use super::*;

impl Doc<'_> {
    pub(super) fn acceptance(&mut self) {
        let d = self.d;
        self.h1(self.t("Accept og forudgående høring (art. 36)", "Acceptance and prior consultation (Art. 36)"));
        let picture = RiskPicture::of(d);
        let after = picture.after;
        let max = self.o.policy.max_medium_percent;
        self.h2(self.t("Acceptkriterium", "Acceptance rule"));
        self.text(if self.da {
            format!("Efter foranstaltninger må der ikke være høje risici, og højst {max} % må være mellem; ellers forelægges analysen databeskyttelsesrådgiveren. Høj restrisiko kræver forudgående høring af Datatilsynet (art. 36).")
        } else {
            format!("After measures there must be no high risks and at most {max} % medium; otherwise the assessment goes to the data protection officer. High residual risk requires prior consultation of Datatilsynet (Art. 36).")
        });
        let acceptance = picture.acceptance(&self.o.policy);
        let outcome = self.outcome(acceptance);
        let (c, mp) = (after.counts, after.medium_percent);
        let verdict = if self.da {
            format!("Resultat: {outcome} — efter foranstaltninger {} høje, {} mellem ({mp} %), {} lave.", c.high, c.medium, c.low)
        } else {
            format!("Result: {outcome} — after measures {} high, {} medium ({mp} %), {} low.", c.high, c.medium, c.low)
        };
        let colour = if acceptance == Acceptance::Accepted { Tone::Accent } else { Tone::Alert };
        self.para(vec![Span::bold(verdict).tone(colour)]);
        self.prior_consultation(c.high);
    }

    /// Whether Datatilsynet must be consulted, and the Art. 36 flag against the residual risk.
    fn prior_consultation(&mut self, high: usize) {
        let d = self.d;
        self.h2(self.t("Forudgående høring af Datatilsynet", "Prior consultation of Datatilsynet"));
        let pc = &d.prior_consultation;
        let mut rows = vec![
            (self.t("Påkrævet", "Required").to_string(), vec![Span::bold(self.yes_no(pc.required))]),
            (self.t("Begrundelse", "Reason").to_string(), vec![Span::new(self.prose(&pc.reason))]),
        ];
        if pc.submitted.is_some() {
            rows.push((self.t("Indsendt", "Submitted").into(), vec![Span::new(self.day(pc.submitted))]));
        }
        if !pc.case_number.is_empty() {
            rows.push((self.t("Journalnummer", "Case number").into(), vec![Span::new(pc.case_number.clone())]));
        }
        if !pc.outcome.is_blank() {
            rows.push((self.t("Udfald", "Outcome").into(), vec![Span::new(pc.outcome.0.clone())]));
        }
        if d.prior_consultation_origin == Origin::Local {
            rows.push((self.t("Kilde", "Source").into(), vec![Span::bold(self.t("LOKAL", "LOCAL")).tone(Tone::Local)]));
        }
        self.kv(rows);
        if high > 0 && pc.required != Some(true) {
            self.para(vec![Span::bold(self.t(
                "Art. 36-flag: der er høj restrisiko, men forudgående høring er ikke angivet som påkrævet.",
                "Art. 36 flag: high residual risk remains, but prior consultation is not marked as required.",
            )).tone(Tone::Alert)]);
        } else if high > 0 {
            self.para(vec![Span::bold(self.t("Art. 36-flag: ja — høj restrisiko; forudgående høring af Datatilsynet.", "Art. 36 flag: yes — high residual risk; prior consultation of Datatilsynet."))]);
        } else {
            self.para(vec![Span::bold(self.t(
                "Art. 36-flag: nej — ingen høj restrisiko efter foranstaltninger.",
                "Art. 36 flag: no — no high residual risk after measures.",
            ))]);
        }
    }
}
