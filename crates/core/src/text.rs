//! The effective DPIA as readable Danish text (`konsekvens show`). Local items are marked
//! «[LOKAL]», deviations show the base value they replace, and base items that do not
//! apply here are marked with the justification.

use crate::effective::{Deviation, EffectiveDpia, Entry, Origin};
use crate::model::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Renders the effective DPIA (or the base, when `org` is the base pseudo-participant).
pub fn render(dpia: &EffectiveDpia, is_base: bool) -> String {
    let mut r = Renderer { out: String::new(), refs: dpia.references() };
    r.document(dpia, is_base);
    r.out
}

struct Renderer {
    out: String,
    refs: BTreeMap<ItemId, String>,
}

fn blank_or(p: &Prose) -> &str {
    if p.is_blank() { "(ikke udfyldt)" } else { p.as_str() }
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "ja",
        Some(false) => "nej",
        None => "(ikke besvaret)",
    }
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> &'static str) -> &'static str {
    v.map(f).unwrap_or("(ikke angivet)")
}

impl Renderer {
    fn line(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }

    fn heading(&mut self, s: &str) {
        self.line("");
        self.line(s);
        self.line("=".repeat(s.chars().count()));
    }

    fn field(&mut self, label: &str, value: impl AsRef<str>) {
        let value = value.as_ref();
        let mut lines = value.lines();
        let first = lines.next().unwrap_or("");
        let _ = writeln!(self.out, "    {label}: {first}");
        for l in lines {
            let _ = writeln!(self.out, "      {l}");
        }
    }

    fn prose(&mut self, label: &str, p: &Prose) {
        self.field(label, blank_or(p));
    }

    fn links(&self, ids: &Ids) -> String {
        if ids.is_empty() {
            return "(ingen)".into();
        }
        ids.iter()
            .map(|id| self.refs.get(id).cloned().unwrap_or_else(|| format!("?{id} (findes ikke)")))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn entry_head<T>(&mut self, e: &Entry<T>, reference: &Reference, title: &str) {
        let mut head = format!("  {reference} {title}");
        if e.origin == Origin::Local {
            head.push_str("  [LOKAL]");
        }
        if e.deviation.is_some() {
            head.push_str("  [AFVIGELSE]");
        }
        self.line(head);
        if let Some(j) = &e.not_applicable {
            self.field("IKKE RELEVANT HER", blank_or(j));
        }
    }

    fn document(&mut self, d: &EffectiveDpia, is_base: bool) {
        let title = if d.base.title.is_empty() { "Konsekvensanalyse" } else { &d.base.title };
        self.line(format!("{title} — {}", if is_base { "fælles basis".to_string() } else { format!("{} ({})", d.org.name, d.org.code.map(|c| c.to_string()).unwrap_or_default()) }));
        self.line(format!("System: {}   Basisversion: {}   Koordinator: {}", d.base.system, d.base.version_label, d.coordinator));
        if !is_base {
            self.line(format!(
                "Tillægget er vurderet mod basisudgivelse: {}",
                if d.base_release.is_empty() { "(arbejdsversion)" } else { &d.base_release }
            ));
        }
        // A bound release that cannot be used (missing, or its content no longer matches its
        // SHA-256): the reader must not take what follows as the released base.
        if let Some(problem) = &d.release_problem {
            self.line(format!("ADVARSEL: {problem}"));
        }
        let (before, after) = d.distribution();
        self.line(format!(
            "Risikobillede (lav/mellem/høj): før foranstaltninger {}/{}/{}, efter {}/{}/{}",
            before.low, before.medium, before.high, after.low, after.medium, after.high
        ));

        self.heading("1. Systematisk beskrivelse (art. 35, stk. 7, litra a)");
        self.prose("Sammenfatning", &d.description.summary);
        self.prose("Afgrænsning", &d.description.scope);
        self.prose("Opbevaring og sletning", &d.description.retention);
        self.field("Ny teknologi", yes_no(d.description.new_technology));
        self.prose("Om ny teknologi", &d.description.new_technology_text);
        if !d.local_legal_basis.is_blank() {
            self.prose("Lokalt supplerende retsgrundlag [LOKAL]", &d.local_legal_basis);
        }

        self.line("\n Databehandlingsprocesser");
        for e in &d.items.processes {
            self.entry_head(e, &e.item.reference, &e.item.name);
            self.prose("Beskrivelse", &e.item.description);
            let ops: Vec<&str> = e.item.operations.iter().map(|o| o.danish()).collect();
            self.field("Behandlingsaktiviteter", if ops.is_empty() { "(ingen)".into() } else { ops.join(", ") });
            let (m, p) = (self.links(&e.item.modules), self.links(&e.item.purposes));
            self.field("Moduler", m);
            self.field("Formål", p);
        }
        self.line("\n Moduler");
        for e in &d.items.modules {
            self.entry_head(e, &e.item.reference, &e.item.name);
            self.prose("Beskrivelse", &e.item.description);
        }
        self.line("\n Formål og retsgrundlag");
        for e in &d.items.purposes {
            let p = &e.item;
            self.entry_head(e, &p.reference, &p.title);
            self.prose("Beskrivelse", &p.description);
            let art: Vec<&str> = p.legal_basis.art6.iter().map(|a| a.danish()).chain(p.legal_basis.art9.iter().map(|a| a.danish())).collect();
            self.field("Databeskyttelsesforordningen", if art.is_empty() { "(ikke angivet)".into() } else { art.join("; ") });
            self.prose("Begrundelse for retsgrundlag", &p.legal_basis.gdpr_text);
            self.prose("National lovgivning", &p.legal_basis.national_law);
        }
        self.line("\n Kategorier af personoplysninger");
        for e in &d.items.data_categories {
            let c = &e.item;
            self.entry_head(e, &c.reference, &c.name);
            self.field("Klassifikation", opt(c.class, DataClass::danish));
            self.prose("Eksempler", &c.examples);
            self.prose("Opbevaring", &c.retention);
            let (s, r) = (self.links(&c.sources), self.links(&c.subjects));
            self.field("Kilder", s);
            self.field("Registrerede", r);
        }
        self.line("\n Kategorier af registrerede");
        for e in &d.items.subject_categories {
            let s = &e.item;
            self.entry_head(e, &s.reference, &s.name);
            self.field("Antal", s.count.map(danish_number).unwrap_or_else(|| "(ikke angivet)".into()));
            if let Some(Deviation::SubjectCount { base_count, note }) = &e.deviation {
                self.field("Fælles basis angiver", base_count.map(danish_number).unwrap_or_else(|| "(intet tal)".into()));
                self.prose("Lokal bemærkning", note);
            }
            self.prose("Om antallet", &s.count_note);
            self.field("Sårbare registrerede", if s.vulnerable { "ja" } else { "nej" });
            if s.vulnerable {
                self.prose("Hvorfor sårbare", &s.vulnerable_reason);
            }
        }
        self.simple_list("Kilder", &d.items.sources, |s| (&s.reference, s.name.as_str(), &s.description));
        self.line("\n Modtagere og adgang");
        for e in &d.items.recipients {
            self.entry_head(e, &e.item.reference, &e.item.name);
            self.field("Adgang", opt(e.item.side, AccessSide::danish));
            self.prose("Hvem og hvordan", &e.item.access);
        }
        self.line("\n Databehandlere");
        for e in &d.items.processors {
            let p = &e.item;
            self.entry_head(e, &p.reference, &p.name);
            self.field("Rolle", opt(p.role, ProcessorRole::danish));
            if let Some(parent) = &p.parent {
                let parent = self.links(&[parent.clone()].into());
                self.field("Underdatabehandler for", parent);
            }
            self.prose("Ydelse", &p.service);
            self.field("Placering", &p.location);
        }
        self.line("\n Overførsler til tredjelande");
        for e in &d.items.transfers {
            let t = &e.item;
            self.entry_head(e, &t.reference, &format!("{} — {}", t.country, t.recipient));
            self.field("Overførselsgrundlag", opt(t.basis, TransferBasis::danish));
            self.prose("Beskrivelse", &t.description);
        }
        self.line("\n Dokumenttyper");
        for e in &d.items.document_types {
            self.entry_head(e, &e.item.reference, &e.item.name);
            self.prose("Beskrivelse", &e.item.description);
        }
        self.simple_list("Andre systemer", &d.items.systems, |s| (&s.reference, s.name.as_str(), &s.description));

        self.heading("2. Nødvendighed og proportionalitet (art. 35, stk. 7, litra b)");
        for e in &d.items.purposes {
            self.entry_head(e, &e.item.reference, &e.item.title);
            for aspect in NecessityAspect::ALL {
                let text = e.item.necessity.aspect(*aspect).clone();
                let label = capitalise(aspect.danish());
                self.prose(&label, &text);
            }
        }

        self.heading("3. WP248-screening");
        for c in Wp248Criterion::ALL {
            let a = d.wp248.answer(*c);
            self.line(format!("  {}: {}", capitalise(c.danish()), yes_no(a.met)));
            self.prose("Begrundelse", &a.reason);
        }
        let met = d.wp248.met_count();
        self.line(format!(
            "  {met} af 9 kriterier opfyldt{}",
            if met >= 2 { " — en konsekvensanalyse er påkrævet" } else { "" }
        ));

        self.heading("4. Risici (art. 35, stk. 7, litra c)");
        for e in &d.items.risks {
            let r = &e.item;
            self.entry_head(e, &r.reference, &r.title);
            self.prose("Trussel", &r.threat);
            let (p, m) = (self.links(&r.processes), self.links(&r.modules));
            self.field("Processer", p);
            self.field("Moduler", m);
            let source = opt(r.source, RiskSource::danish);
            self.field("Kilde", if r.source_reference.is_empty() { source.to_string() } else { format!("{source} ({})", r.source_reference) });
            self.assessment("Iboende risiko", &r.inherent);
            self.assessment("Restrisiko", &r.residual);
            if !r.residual_reason.is_blank() {
                self.prose("Begrundelse for restrisiko", &r.residual_reason);
            }
            if let Some(Deviation::RiskRating { base_inherent, base_residual, reason }) = &e.deviation {
                self.field("Fælles basis vurderer", format!(
                    "iboende {}, rest {}",
                    level_word(base_inherent.level()),
                    level_word(base_residual.level())
                ));
                self.prose("Begrundelse for lokal vurdering", reason);
            }
            if !r.acceptance.is_blank() {
                self.prose("Accept af risikoen", &r.acceptance);
            }
            let measures: Vec<String> = d.measures_for(&r.id).map(|m| m.item.reference.0.clone()).collect();
            self.field("Foranstaltninger", if measures.is_empty() { "(ingen)".into() } else { measures.join(", ") });
        }

        self.heading("5. Foranstaltninger (art. 35, stk. 7, litra d)");
        for e in &d.items.measures {
            let m = &e.item;
            self.entry_head(e, &m.reference, &m.title);
            self.prose("Beskrivelse", &m.description);
            self.field("Type", opt(m.kind, MeasureKind::danish));
            let mut status = opt(m.status, MeasureStatus::danish).to_string();
            if let Some(date) = m.planned_date {
                let _ = write!(status, " (senest {})", date.danish());
            }
            self.field("Status", status);
            if m.status == Some(MeasureStatus::Rejected) {
                self.prose("Begrundelse for fravalg", &m.rejection_reason);
            }
            let owner = opt(m.owner, Owner::danish);
            self.field("Ansvarlig", if m.owner_name.is_empty() { owner.to_string() } else { format!("{owner} ({})", m.owner_name) });
            let (risks, evidence) = (self.links(&m.mitigates), self.links(&m.evidence));
            self.field("Reducerer risici", risks);
            self.field("Dokumentation", evidence);
            if let Some(Deviation::MeasureStatus { state, text }) = &e.deviation {
                self.field("Lokalt", opt(*state, LocalMeasureState::danish));
                self.prose("Lokal forklaring", text);
            }
        }
        self.line("\n Dokumentation");
        for e in &d.items.evidence {
            let v = &e.item;
            self.entry_head(e, &v.reference, &v.title);
            self.field("Art", opt(v.kind, EvidenceKind::danish));
            self.field("Udstedt af", &v.issued_by);
            if let Some(date) = v.date {
                self.field("Dato", date.danish());
            }
            if let Some(date) = v.received {
                self.field("Modtaget", date.danish());
            }
        }

        if !is_base {
            self.heading("6. Kommunens tillæg: betingelser for fælles konsekvensanalyse");
            for c in JointCondition::ALL {
                let a = d.conditions.answer(*c);
                self.line(format!("  {}: {}", capitalise(c.danish()), yes_no(a.met)));
                self.prose("Begrundelse", &a.reason);
            }
            if !d.unresolved_targets.is_empty() {
                let ids: Vec<String> = d.unresolved_targets.iter().map(|i| i.to_string()).collect();
                self.field("ADVARSEL: afvigelser uden basiselement", ids.join(", "));
            }
        }

        self.heading("7. Databeskyttelsesrådgiverens rådgivning (art. 35, stk. 2)");
        for e in &d.items.dpo_advice {
            let a = &e.item;
            let when = a.date.map(|d| d.danish()).unwrap_or_else(|| "(udateret)".into());
            self.entry_head(e, &a.reference, &format!("{when} — {}", a.advisor));
            self.field("Vedrører version", &a.concerns_version);
            self.prose("Rådgivning", &a.advice);
            self.field("Fulgt", opt(a.response, AdviceResponse::danish));
            self.prose("Begrundelse", &a.response_reason);
        }

        self.heading("8. Forudgående høring af Datatilsynet (art. 36)");
        let pc = &d.prior_consultation;
        self.field("Påkrævet", yes_no(pc.required));
        self.prose("Begrundelse", &pc.reason);
        if let Some(s) = pc.submitted {
            self.field("Indsendt", s.danish());
        }
        if !pc.case_number.is_empty() {
            self.field("Journalnummer", &pc.case_number);
        }

        self.heading("9. Revision (art. 35, stk. 11)");
        self.field("Næste revision", d.review_plan.next_review.map(|d| d.danish()).unwrap_or_else(|| "(ikke planlagt)".into()));
        self.prose("Udløsende forhold", &d.review_plan.triggers);
        for e in &d.items.reviews {
            let v = &e.item;
            let when = v.date.map(|d| d.danish()).unwrap_or_default();
            self.entry_head(e, &v.reference, &format!("{when} — {}", v.reviewer));
            self.prose("Anledning", &v.trigger);
            self.prose("Resultat", &v.summary);
        }
        for e in &d.items.use_changes {
            let v = &e.item;
            let when = v.date.map(|d| d.danish()).unwrap_or_else(|| "(udateret)".into());
            self.entry_head(e, &v.reference, &format!("{when} — {}", v.kind.map(|k| k.danish()).unwrap_or("ændring i brugen")));
            self.prose("Hvad ændrede sig", &v.description);
        }
        self.heading("De registreredes synspunkter (art. 35, stk. 9)");
        if d.items.subject_views.is_empty() {
            self.prose("Ikke indhentet, fordi", &d.description.views_not_sought_reason);
        }
        for e in &d.items.subject_views {
            let v = &e.item;
            let when = v.date.map(|d| d.danish()).unwrap_or_default();
            self.entry_head(e, &v.reference, &format!("{when} — {}", v.whom));
            self.prose("Hvad de sagde", &v.views);
            self.prose("Hvordan det er indgået", &v.response);
        }
        if !is_base && !d.signatories.is_empty() {
            self.heading("Underskrivere");
            for s in &d.signatories {
                self.line(format!("  {} — {}", s.name, s.capacity));
            }
        }
    }

    fn simple_list<T>(&mut self, title: &str, entries: &[Entry<T>], f: impl Fn(&T) -> (&Reference, &str, &Prose)) {
        self.line(format!("\n {title}"));
        for e in entries {
            let (reference, name, description) = f(&e.item);
            let (reference, name, description) = (reference.clone(), name.to_owned(), description.clone());
            self.entry_head(e, &reference, &name);
            self.prose("Beskrivelse", &description);
        }
    }

    fn assessment(&mut self, label: &str, a: &Assessment) {
        self.line(format!("    {label}: {}", level_word(a.level())));
        for dim in Dimension::ALL {
            let r = a.rating(*dim);
            if r.unaffected {
                self.line(format!("      {}: ikke berørt — {}", capitalise(dim.danish()), blank_or(&r.unaffected_reason)));
                continue;
            }
            if r.is_legacy_only() {
                self.line(format!("      {}: kun angivet som niveau ({}), uden konsekvens, sandsynlighed og begrundelse", capitalise(dim.danish()), level_word(r.level())));
                continue;
            }
            self.line(format!(
                "      {}: konsekvens {}, sandsynlighed {} → {}",
                capitalise(dim.danish()),
                opt(r.consequence, Consequence::danish),
                opt(r.likelihood, Likelihood::danish),
                level_word(r.level())
            ));
            self.line(format!("        Begrundelse for konsekvens: {}", blank_or(&r.consequence_reason)));
            self.line(format!("        Begrundelse for sandsynlighed: {}", blank_or(&r.likelihood_reason)));
        }
    }
}

fn level_word(l: Option<RiskLevel>) -> &'static str {
    opt(l, RiskLevel::danish)
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// 560000 → "560.000", as Danish writes thousands.
pub fn danish_number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_thousands() {
        assert_eq!(danish_number(0), "0");
        assert_eq!(danish_number(999), "999");
        assert_eq!(danish_number(560_000), "560.000");
        assert_eq!(danish_number(1_234_567), "1.234.567");
    }
}
