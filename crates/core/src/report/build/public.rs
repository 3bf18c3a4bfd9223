//! The public summary's content (see [`crate::report::public_summary`]): only fields that
//! are safe to publish are read here; everything security-relevant is collected into the
//! withheld list instead of the document.

use super::*;
use crate::report::{ReportKind, Withheld, WithheldItem};

/// How much of a withheld text the DPO sees in the list.
const EXCERPT: usize = 120;

fn excerpt(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(EXCERPT).collect();
    if out.len() < flat.len() {
        out.push('…');
    }
    out
}

pub(in crate::report) fn public_report(d: &EffectiveDpia, o: &ReportOptions) -> (Report, Vec<Withheld>) {
    let da = o.lang == Lang::Da;
    let mut doc = Doc { d, o, da, refs: d.references(), blocks: Vec::new(), section: 0 };
    let withheld = doc.withheld();
    doc.public(&withheld);
    let title = if da { format!("Offentligt resumé: {}", doc.title()) } else { format!("Public summary: {}", doc.title()) };
    let party = if o.is_base { d.base_name(da) } else { d.org.name.clone() };
    let author = if o.is_base { d.coordinator.clone() } else { d.org.name.clone() };
    let report = Report { lang: o.lang, title, party, author, system: d.base.system.clone(), date: o.generated_at, blocks: doc.blocks, kind: ReportKind::PublicSummary };
    (report, withheld)
}

impl Doc<'_> {
    fn list(&mut self, items: Vec<Vec<Span>>) {
        if items.is_empty() {
            self.small(self.t("(ingen)", "(none)"));
        } else {
            self.blocks.push(Block::List(items));
        }
    }

    fn public(&mut self, withheld: &[Withheld]) {
        let d = self.d;
        // the head: what this is, whose, and its date
        self.blocks.push(Block::Para {
            spans: vec![Span::new(self.t("OFFENTLIGT RESUMÉ · KONSEKVENSANALYSE · GDPR ART. 35", "PUBLIC SUMMARY · DATA PROTECTION IMPACT ASSESSMENT · GDPR ART. 35")).tone(Tone::Grey)],
            kind: ParaKind::CoverKicker,
        });
        let title = if self.da { format!("Offentligt resumé: {}", self.title()) } else { format!("Public summary: {}", self.title()) };
        self.h1_plain(&title);
        let controller = if self.o.is_base { d.coordinator.clone() } else { self.org_line() };
        let mut rows = vec![
            (self.t("Dataansvarlig", "Controller").to_string(), vec![Span::new(controller)]),
            (self.t("System", "System").to_string(), vec![Span::new(if d.base.system.is_empty() { "—".to_string() } else { d.base.system.clone() })]),
        ];
        if self.o.is_base && d.joint {
            rows.push((self.t("Gælder", "Covers").to_string(), vec![Span::new(self.t("den fælles basis for de deltagende kommuner", "the joint base of the participating municipalities"))]));
        }
        rows.push((self.t("Resuméets dato", "Date of this summary").to_string(), vec![Span::new(self.day(Some(self.o.generated_at)))]));
        rows.push((self.t("Næste revision", "Next review").to_string(), vec![Span::new(self.day(d.review_plan.next_review))]));
        self.kv(rows);
        self.small(self.t(
            "Dette resumé fortæller, hvilke personoplysninger der behandles, hvorfor og med hvilken hjemmel, og hvilke risici behandlingen kan have for de registrerede, og hvordan de mindskes. Det er et uddrag af konsekvensanalysen efter databeskyttelsesforordningens art. 35.",
            "This summary tells which personal data are processed, why and on what legal basis, what risks the processing may pose to the people concerned, and how they are reduced. It is an extract of the data protection impact assessment under Art. 35 GDPR.",
        ));

        self.what();
        self.why();
        self.public_risks();
        self.conclusion();
        self.left_out(withheld);
        if !d.contacts.is_blank() {
            self.h1_plain(self.t("Kontakt", "Contact"));
            self.text(d.contacts.0.clone());
        }
    }

    /// What is processed, about whom, by whom.
    fn what(&mut self) {
        let d = self.d;
        self.h1_plain(self.t("Hvad behandles", "What is processed"));
        if !d.description.summary.is_blank() {
            self.text(d.description.summary.0.clone());
        }
        self.h2(self.t("Hvem oplysningerne handler om", "Whom the data are about"));
        let subjects = d
            .items
            .subject_categories
            .iter()
            .filter(|e| e.applies())
            .map(|e| {
                let s = &e.item;
                let mut spans = vec![Span::bold(s.name.clone())];
                if let Some(n) = s.count {
                    spans.push(Span::new(format!(" ({} {})", self.t("ca.", "about"), self.number(n))));
                }
                if s.vulnerable {
                    spans.push(Span::new(format!(" — {}", self.t("sårbare registrerede", "vulnerable data subjects"))));
                }
                spans
            })
            .collect();
        self.list(subjects);
        self.h2(self.t("Hvilke oplysninger", "Which data"));
        let data = d
            .items
            .data_categories
            .iter()
            .filter(|e| e.applies())
            .map(|e| {
                let c = &e.item;
                let mut spans = vec![Span::bold(c.name.clone())];
                if let Some(class) = c.class {
                    spans.push(Span::new(format!(" ({})", self.w(class))));
                }
                if !c.examples.is_blank() {
                    spans.push(Span::new(format!(": {}", c.examples.0.trim())));
                }
                spans
            })
            .collect();
        self.list(data);
        if !d.description.retention.is_blank() {
            self.labelled(self.t("Opbevaring og sletning", "Retention and erasure"), d.description.retention.0.clone());
        }
        self.h2(self.t("Databehandlere", "Processors"));
        let processors: Vec<Vec<Span>> = d
            .items
            .processors
            .iter()
            .filter(|e| e.applies())
            .map(|e| {
                let p = &e.item;
                let mut rest = vec![self.ow(p.role).to_string()];
                if !p.location.trim().is_empty() {
                    rest.push(p.location.trim().to_string());
                }
                vec![Span::bold(p.name.clone()), Span::new(format!(" — {}", rest.join(", ")))]
            })
            .collect();
        self.list(processors);
        self.h2(self.t("Hvem får adgang til oplysningerne", "Who has access to the data"));
        let recipients: Vec<Vec<Span>> = d
            .items
            .recipients
            .iter()
            .filter(|e| e.applies())
            .map(|e| {
                let r = &e.item;
                let side = r.side.map(|s| format!(" — {}", self.w(s))).unwrap_or_default();
                vec![Span::bold(r.name.clone()), Span::new(side)]
            })
            .collect();
        self.list(recipients);
        let transfers: Vec<Vec<Span>> = d
            .items
            .transfers
            .iter()
            .filter(|e| e.applies())
            .map(|e| {
                let t = &e.item;
                vec![Span::bold(format!("{}: ", t.country)), Span::new(format!("{} — {}", t.recipient, self.ow(t.basis)))]
            })
            .collect();
        if !transfers.is_empty() {
            self.h2(self.t("Overførsel til lande uden for EU/EØS", "Transfers outside the EU/EEA"));
            self.list(transfers);
        }
    }

    /// Why: each purpose with its legal basis.
    fn why(&mut self) {
        let d = self.d;
        self.h1_plain(self.t("Hvorfor og med hvilken hjemmel", "Why, and on what legal basis"));
        let purposes: Vec<&Entry<Purpose>> = d.items.purposes.iter().filter(|e| e.applies()).collect();
        if purposes.is_empty() {
            self.small(self.t("(ingen formål angivet)", "(no purposes stated)"));
        }
        for e in purposes {
            let p = &e.item;
            self.h2(&p.title);
            if !p.description.is_blank() {
                self.text(p.description.0.clone());
            }
            let mut basis: Vec<Vec<Span>> = p.legal_basis.art6.iter().map(|a| vec![Span::new(self.w(*a))]).collect();
            basis.extend(p.legal_basis.art9.iter().map(|a| vec![Span::new(self.w(*a))]));
            if !p.legal_basis.national_law.is_blank() {
                basis.push(vec![Span::new(p.legal_basis.national_law.0.trim().to_string())]);
            }
            self.para(vec![Span::bold(format!("{}:", self.t("Hjemmel", "Legal basis")))]);
            self.list(basis);
        }
    }

    /// The main risks to people, each with its level before and after and the measures'
    /// names (not what they do in detail).
    fn public_risks(&mut self) {
        let d = self.d;
        self.h1_plain(self.t("Risici for de registrerede, og hvordan de mindskes", "Risks to the people concerned, and how they are reduced"));
        let picture = RiskPicture::of(d);
        let (b, a) = (picture.before.counts, picture.after.counts);
        let counts = |c: &crate::effective::LevelCounts| {
            if self.da { format!("{} høje, {} mellem og {} lave", c.high, c.medium, c.low) } else { format!("{} high, {} medium and {} low", c.high, c.medium, c.low) }
        };
        let n = d.items.risks.iter().filter(|e| e.applies()).count();
        self.text(if self.da {
            format!("Analysen vurderer {n} risici for de registrerede. Før foranstaltninger: {}. Efter foranstaltninger: {}.", counts(&b), counts(&a))
        } else {
            format!("The assessment rates {n} risks to the people concerned. Before measures: {}. After measures: {}.", counts(&b), counts(&a))
        });
        // most serious first (residual, then inherent), then in reference order
        let mut risks: Vec<&Entry<Risk>> = d.items.risks.iter().filter(|e| e.applies()).collect();
        let rank = |l: Option<RiskLevel>| match l {
            None => 0,
            Some(RiskLevel::Low) => 1,
            Some(RiskLevel::Medium) => 2,
            Some(RiskLevel::High) => 3,
        };
        risks.sort_by_key(|e| (std::cmp::Reverse((rank(e.item.residual.level()), rank(e.item.inherent.level()))), Reference(e.item.reference.0.clone())));
        for e in risks {
            let r = &e.item;
            let start = self.blocks.len();
            self.h2(&format!("{} {}", r.reference, r.title));
            self.para(vec![
                Span::new(format!("{}: ", self.t("Risiko før foranstaltninger", "Risk before measures"))),
                Span::bold(self.ow(r.inherent.level())),
                Span::new(format!(" · {}: ", self.t("efter", "after"))),
                Span::bold(self.ow(r.residual.level())),
            ]);
            let measures: Vec<Vec<Span>> = d
                .measures_for(&r.id)
                .filter(|m| m.item.status != Some(MeasureStatus::Rejected))
                .map(|m| {
                    let m = &m.item;
                    let mut spans = vec![Span::new(m.title.clone())];
                    let mut notes = Vec::new();
                    if let Some(k) = m.kind {
                        notes.push(self.w(k).to_string());
                    }
                    match m.status {
                        Some(MeasureStatus::Planned) => notes.push(format!("{} {}", self.w(MeasureStatus::Planned), self.day(m.planned_date))),
                        Some(s) if s != MeasureStatus::Implemented => notes.push(self.w(s).to_string()),
                        _ => {}
                    }
                    if !notes.is_empty() {
                        spans.push(Span::new(format!(" ({})", notes.join(", "))).tone(Tone::Grey));
                    }
                    spans
                })
                .collect();
            if measures.is_empty() {
                self.small(self.t("Ingen foranstaltning; risikoen er accepteret som den er.", "No measure; the risk is accepted as it is."));
            } else {
                self.blocks.push(Block::List(measures));
            }
            self.keep_from(start);
        }
        self.h2(self.t("Risikobilledet før og efter foranstaltninger", "The risk picture before and after measures"));
        self.heat_maps();
    }

    /// The verdict: residual risk, Art. 36, review.
    fn conclusion(&mut self) {
        let d = self.d;
        self.h1_plain(self.t("Samlet vurdering", "Conclusion"));
        let picture = RiskPicture::of(d);
        let acceptance = picture.acceptance(&self.o.policy);
        self.labelled(self.t("Restrisiko", "Residual risk"), cap(self.outcome(acceptance)));
        let art36 = match d.prior_consultation.required {
            Some(true) => self.t("Datatilsynet høres før behandlingen (art. 36).", "Datatilsynet is consulted before the processing (Art. 36)."),
            _ if picture.after.counts.high > 0 => self.t("Der er høj restrisiko; spørgsmålet om høring af Datatilsynet er ikke afgjort.", "There is a high residual risk; whether Datatilsynet is consulted is not settled."),
            _ => self.t("Forudgående høring af Datatilsynet (art. 36) er ikke nødvendig: ingen høj restrisiko.", "Prior consultation of Datatilsynet (Art. 36) is not needed: no high residual risk."),
        };
        self.labelled(self.t("Datatilsynet", "Datatilsynet"), art36);
        let advised = d.items.dpo_advice.iter().filter(|e| e.applies()).filter_map(|e| e.item.date).max();
        if let Some(day) = advised {
            self.labelled(self.t("Databeskyttelsesrådgiveren", "Data protection officer"), format!("{} {}.", self.t("rådgav senest", "last advised on"), self.day(Some(day))));
        }
        self.labelled(self.t("Næste revision", "Next review"), self.day(d.review_plan.next_review));
    }

    /// What the summary leaves out, by category (not the items: that is for the DPO).
    fn left_out(&mut self, withheld: &[Withheld]) {
        self.h1_plain(self.t("Hvad resuméet udelader", "What this summary leaves out"));
        self.text(self.t(
            "Af hensyn til informationssikkerheden udelader resuméet oplysninger, som kan misbruges til angreb på systemet. Den fulde konsekvensanalyse indeholder dem og kan ses af Datatilsynet.",
            "For information security, this summary leaves out what could be misused to attack the system. The full assessment contains it and is available to Datatilsynet.",
        ));
        let items = withheld.iter().map(|w| vec![Span::bold(w.category.clone()), Span::new(format!(" — {}", w.reason))]).collect();
        self.list(items);
    }

    /// Everything the summary does not print that an attacker could use, item by item.
    fn withheld(&self) -> Vec<Withheld> {
        let d = self.d;
        let mut out = Vec::new();
        let mut push = |category: &str, reason: &str, items: Vec<WithheldItem>| {
            if !items.is_empty() {
                out.push(Withheld { category: category.into(), reason: reason.into(), items });
            }
        };
        let item = |reference: &Reference, name: &str, text: &str| WithheldItem { reference: reference.0.clone(), name: name.to_string(), excerpt: excerpt(text) };
        let risks = || d.items.risks.iter().filter(|e| e.applies());
        push(
            self.t("Trusselsbeskrivelser", "Threat descriptions"),
            self.t("de beskriver, hvordan et angreb eller en fejl kan ske", "they describe how an attack or a failure can happen"),
            risks().filter(|e| !e.item.threat.is_blank()).map(|e| item(&e.item.reference, &e.item.title, &e.item.threat.0)).collect(),
        );
        push(
            self.t("Begrundelser for risikovurderingerne", "Reasons for the risk ratings"),
            self.t("de afslører svagheder og forudsætninger i sikringen", "they reveal weaknesses and assumptions of the protection"),
            risks()
                .filter_map(|e| {
                    let r = &e.item;
                    let mut texts = vec![&r.residual_reason, &r.acceptance];
                    for a in [&r.inherent, &r.residual] {
                        for dim in Dimension::ALL {
                            let x = a.rating(*dim);
                            texts.extend([&x.consequence_reason, &x.likelihood_reason, &x.unaffected_reason]);
                        }
                    }
                    if let Some(Deviation::RiskRating { reason, .. }) = &e.deviation {
                        texts.push(reason);
                    }
                    texts.into_iter().find(|t| !t.is_blank()).map(|t| item(&r.reference, &r.title, &t.0))
                })
                .collect(),
        );
        push(
            self.t("Henvisninger til leverandørark", "References to supplier risk sheets"),
            self.t("de peger på leverandørens egne sikkerhedsvurderinger", "they point to the supplier's own security assessments"),
            risks().filter(|e| !e.item.source_reference.trim().is_empty()).map(|e| item(&e.item.reference, &e.item.title, &e.item.source_reference)).collect(),
        );
        push(
            self.t("Foranstaltningernes detaljer", "Details of the measures"),
            self.t("resuméet nævner foranstaltningerne ved navn, ikke hvordan de er indrettet, hvem der ejer dem, eller hvad der mangler", "the summary names the measures, not how they are set up, who owns them or what is missing"),
            d.items
                .measures
                .iter()
                .filter(|e| e.applies())
                .filter_map(|e| {
                    let m = &e.item;
                    let deviation = match &e.deviation {
                        Some(Deviation::MeasureStatus { text, .. }) => Some(text.0.as_str()),
                        _ => None,
                    };
                    [Some(m.description.0.as_str()), Some(m.rejection_reason.0.as_str()), deviation, Some(m.owner_name.as_str())]
                        .into_iter()
                        .flatten()
                        .find(|t| !t.trim().is_empty())
                        .map(|t| item(&m.reference, &m.title, t))
                })
                .collect(),
        );
        push(
            self.t("Dokumentation (erklæringer, tests, revisioner)", "Evidence (audit reports, tests, reviews)"),
            self.t("den fortæller, hvad der er testet hvor, og hvor rapporterne ligger", "it tells what was tested where, and where the reports are kept"),
            d.items.evidence.iter().filter(|e| e.applies()).map(|e| item(&e.item.reference, &e.item.title, &[e.item.issued_by.as_str(), e.item.location.as_str()].join(" · "))).collect(),
        );
        let mut supplier: Vec<WithheldItem> =
            d.items.processors.iter().filter(|e| e.applies() && !e.item.service.is_blank()).map(|e| item(&e.item.reference, &e.item.name, &e.item.service.0)).collect();
        supplier.extend(d.items.transfers.iter().filter(|e| e.applies() && !e.item.description.is_blank()).map(|e| item(&e.item.reference, &e.item.recipient, &e.item.description.0)));
        push(
            self.t("Leverandørernes ydelser, drift og hosting", "Suppliers' services, operations and hosting"),
            self.t("de beskriver, hvor og hvordan systemet drives", "they describe where and how the system is run"),
            supplier,
        );
        push(
            self.t("Integrerede systemer", "Integrated systems"),
            self.t("navne og beskrivelser af systemets komponenter og integrationer viser angrebsflader", "the names and descriptions of the system's components and integrations show attack surfaces"),
            d.items.systems.iter().filter(|e| e.applies()).map(|e| item(&e.item.reference, &e.item.name, if e.item.description.is_blank() { &e.item.name } else { &e.item.description.0 })).collect(),
        );
        push(
            self.t("Modulernes beskrivelser", "Descriptions of the modules"),
            self.t("de beskriver funktioner og sikkerhedsindstillinger i detaljer", "they describe functions and security settings in detail"),
            d.items.modules.iter().filter(|e| e.applies() && !e.item.description.is_blank()).map(|e| item(&e.item.reference, &e.item.name, &e.item.description.0)).collect(),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::public_summary;

    fn texts(blocks: &[Block], out: &mut String) {
        for b in blocks {
            match b {
                Block::Heading { text, .. } => out.push_str(text),
                Block::Para { spans, .. } => spans.iter().for_each(|s| out.push_str(&s.text)),
                Block::List(items) => items.iter().flatten().for_each(|s| out.push_str(&s.text)),
                Block::Table(t) => t.rows.iter().flat_map(|r| &r.cells).chain(t.header.iter().flatten()).flat_map(|c| &c.spans).for_each(|s| out.push_str(&s.text)),
                Block::Keep(inner) => texts(inner, out),
                Block::HeatMaps(m) => m.maps.iter().flat_map(|m| m.grid.values().flatten()).for_each(|r| out.push_str(r)),
                _ => {}
            }
            out.push('\n');
        }
    }

    /// The FlexBørn sample's first municipality, with one hostile measure description added:
    /// it is listed as withheld and appears nowhere in the summary; the measure's name does.
    #[test]
    fn a_measure_description_is_withheld_and_listed_but_its_name_is_published() {
        let file = crate::sample::flexboern();
        let dir = tempfile::tempdir().unwrap();
        let mut base = file.base.clone();
        base.items.measures[0].description = Prose("Adminkoden er 4711 og VPN-porten 8443".into());
        base.items.risks[0].threat = Prose("Angriberen udnytter fejlen i login-API'et".into());
        let ws = crate::Workspace::create_with(&dir.path().join("f.konsekvens"), std::sync::Arc::new(crate::FixedEnv::new(1_700_000_000_000, 3)), &crate::Author::new("t", None), &file.coordination, &base, &file.supplements).unwrap();
        let org = file.coordination.participants[0].code;
        let (dpia, opts) = crate::report::document_for(&ws, org, Lang::Da, Day::ymd(2026, 11, 25)).unwrap();
        let s = public_summary(&dpia, &opts);
        let mut text = String::new();
        texts(&s.report.blocks, &mut text);
        for secret in ["4711", "8443", "login-API"] {
            assert!(!text.contains(secret), "«{secret}» leaked:\n{text}");
        }
        assert!(text.contains(&base.items.measures[0].title), "the measure's name is published:\n{text}");
        let listed = s.withheld_text(Lang::Da);
        assert!(listed.contains("Adminkoden er 4711") && listed.contains("Angriberen udnytter"), "{listed}");
        assert_eq!(s.report.kind, crate::report::ReportKind::PublicSummary);
        // headings never skip a level
        fn levels(blocks: &[Block], out: &mut Vec<u8>) {
            for b in blocks {
                match b {
                    Block::Heading { level, .. } => out.push(*level),
                    Block::Keep(inner) => levels(inner, out),
                    _ => {}
                }
            }
        }
        let mut ls = Vec::new();
        levels(&s.report.blocks, &mut ls);
        assert_eq!(ls[0], 1);
        assert!(ls.windows(2).all(|w| w[1] <= w[0] + 1), "{ls:?}");
    }

    #[test]
    fn excerpts_are_one_line_and_bounded() {
        assert_eq!(excerpt("a\n  b"), "a b");
        let long = "æ".repeat(300);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT + 1);
        assert!(e.ends_with('…'));
    }
}
