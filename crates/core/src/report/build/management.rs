//! Ledelsesresumé (management summary): the first section of a municipality's document, at
//! most two pages — the system and purposes in a few lines, the risk picture before and
//! after, the residual risks accepted and by whom, measures still planned, the DPO's advice
//! and whether it was followed, Art. 36, the next review, and the decision asked for.
//! Unnumbered, so the DPIA's own sections keep Datatilsynet's numbering.

use super::*;

/// How many planned measures, remaining risks and pieces of advice the summary lists by
/// name before it counts the rest (two pages at most).
const LISTED: usize = 6;

impl Doc<'_> {
    pub(super) fn management_summary(&mut self) {
        let d = self.d;
        self.h1_plain(self.t("Ledelsesresumé", "Management summary"));
        let purposes: Vec<&str> = d.items.purposes.iter().filter(|e| e.applies()).map(|e| e.item.title.as_str()).collect();
        let system = if d.base.system.is_empty() { self.title() } else { d.base.system.clone() };
        self.text(if self.da {
            format!("{} behandler personoplysninger i {system} til {} formål: {}.", self.org_line(), purposes.len(), purposes.join("; "))
        } else {
            format!("{} processes personal data in {system} for {} purposes: {}.", self.org_line(), purposes.len(), purposes.join("; "))
        });

        // the decision first: it is what management reads the page for
        let picture = RiskPicture::of(d);
        let acceptance = picture.acceptance(&self.o.policy);
        let decision = match acceptance {
            Acceptance::Accepted => self.t(
                "Ledelsen bedes godkende konsekvensanalysen og acceptere restrisikoen som beskrevet nedenfor.",
                "Management is asked to approve the assessment and accept the residual risk as described below.",
            ),
            Acceptance::ConsultDpo => self.t(
                "Ledelsen bedes tage stilling til restrisikoen, som overstiger acceptkriteriet, på grundlag af databeskyttelsesrådgiverens rådgivning: acceptere den med begrundelse eller kræve flere foranstaltninger.",
                "Management is asked to decide on the residual risk, which exceeds the acceptance rule, on the data protection officer's advice: accept it with reasons or require further measures.",
            ),
            Acceptance::PriorConsultation => self.t(
                "Ledelsen bedes beslutte, at Datatilsynet høres, før behandlingen begynder (art. 36), eller at behandlingen ikke sker, før restrisikoen er nedbragt.",
                "Management is asked to decide that Datatilsynet be consulted before the processing starts (Art. 36), or that it does not start until the residual risk is reduced.",
            ),
            Acceptance::Incomplete => self.t(
                "Ledelsen bedes tage til efterretning, at analysen ikke er færdig: ikke alle risici er vurderet efter foranstaltninger.",
                "Management is asked to note that the assessment is not finished: not every risk is rated after measures.",
            ),
        };
        let tone = if acceptance == Acceptance::Accepted { Tone::Accent } else { Tone::Alert };
        self.para(vec![Span::bold(format!("{}: ", self.t("Beslutning", "Decision"))), Span::bold(decision).tone(tone)]);

        let (b, a) = (picture.before.counts, picture.after.counts);
        let counts = |c: &crate::effective::LevelCounts| {
            if self.da { format!("{} høje, {} mellem, {} lave", c.high, c.medium, c.low) } else { format!("{} high, {} medium, {} low", c.high, c.medium, c.low) }
        };
        let remaining: Vec<String> = d
            .items
            .risks
            .iter()
            .filter(|e| e.applies() && matches!(e.item.residual.level(), Some(RiskLevel::Medium | RiskLevel::High)))
            .map(|e| {
                let who = if e.item.acceptance.is_blank() { String::new() } else { format!(" — {}", e.item.acceptance.0.lines().next().unwrap_or_default()) };
                format!("{} {} ({}){who}", e.item.reference.0, e.item.title, self.ow(e.item.residual.level()))
            })
            .collect();
        let signers: Vec<String> = d.signatories.iter().map(|s| format!("{} ({})", s.name, s.capacity)).collect();
        let pc = &d.prior_consultation;
        let art36 = match (a.high > 0, pc.required) {
            (_, Some(true)) => self.t("forudgående høring af Datatilsynet er påkrævet", "prior consultation of Datatilsynet is required"),
            (true, _) => self.t("høj restrisiko, men høring er ikke angivet som påkrævet", "high residual risk, but consultation is not marked as required"),
            (false, _) => self.t("ikke påkrævet — ingen høj restrisiko", "not required — no high residual risk"),
        };
        let mut rows = vec![
            (self.t("Risici før foranstaltninger", "Risks before measures").to_string(), vec![Span::new(counts(&b))]),
            (self.t("Risici efter foranstaltninger", "Risks after measures").to_string(), vec![Span::bold(counts(&a))]),
            (self.t("Restrisiko", "Residual risk").to_string(), vec![Span::bold(self.outcome(acceptance)).tone(tone)]),
            (self.t("Accepteres af", "Accepted by").to_string(), vec![Span::new(if signers.is_empty() { self.t("(ingen underskrivere angivet)", "(no signatories named)").to_string() } else { signers.join("; ") })]),
            (self.t("Art. 36", "Art. 36").to_string(), vec![Span::new(art36)]),
            (self.t("Næste revision", "Next review").to_string(), vec![Span::bold(self.day(d.review_plan.next_review))]),
        ];
        if !remaining.is_empty() {
            rows.insert(3, (self.t("Tilbageværende risici", "Remaining risks").to_string(), vec![Span::new(self.listed(&remaining))]));
        }
        self.kv(rows);

        let planned: Vec<String> = d
            .items
            .measures
            .iter()
            .filter(|e| e.applies() && e.item.status == Some(MeasureStatus::Planned))
            .map(|e| format!("{} {} — {}", e.item.reference.0, e.item.title, self.day(e.item.planned_date)))
            .collect();
        let advice: Vec<String> = d
            .items
            .dpo_advice
            .iter()
            .filter(|e| e.applies())
            .map(|e| {
                let a = &e.item;
                let first = a.advice.0.lines().next().unwrap_or_default();
                let short: String = first.chars().take(110).collect();
                let more = if short.len() < first.len() { "…" } else { "" };
                format!("{} {}: {short}{more} — {}", self.day(a.date), a.advisor, self.ow(a.response))
            })
            .collect();
        let mut rows = vec![(
            self.t("Planlagte foranstaltninger", "Planned measures").to_string(),
            vec![Span::new(if planned.is_empty() { self.t("(ingen)", "(none)").to_string() } else { self.listed(&planned) })],
        )];
        rows.push((
            self.t("Databeskyttelsesrådgiverens rådgivning", "The DPO's advice").to_string(),
            vec![Span::new(if advice.is_empty() { self.t("(ingen registreret)", "(none recorded)").to_string() } else { self.listed(&advice) })],
        ));
        self.kv(rows);
        self.heat_maps();
    }

    /// One line per item, the first [`LISTED`]; the rest counted.
    fn listed(&self, items: &[String]) -> String {
        let mut lines: Vec<String> = items.iter().take(LISTED).cloned().collect();
        if items.len() > LISTED {
            let more = items.len() - LISTED;
            lines.push(if self.da { format!("… og {more} til (se afsnittene nedenfor)") } else { format!("… and {more} more (see the sections below)") });
        }
        lines.join("\n")
    }
}
