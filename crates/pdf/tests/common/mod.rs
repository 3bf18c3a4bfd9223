//! Test data: København's effective DPIA from the bundled sample when it is available,
//! otherwise a hand-made AULA-like fixture of the same shape.
#![allow(dead_code, clippy::field_reassign_with_default)]

use konsekvens_core::effective::EffectiveDpia;
use konsekvens_core::model::*;
use std::sync::Arc;

/// København's effective DPIA from `Workspace::create_demo`, or the fixture if the sample
/// is not there yet.
pub fn kbh() -> EffectiveDpia {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.konsekvens");
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let demo = std::panic::catch_unwind(|| {
        let ws = konsekvens_core::Workspace::create_demo(&path, Arc::new(konsekvens_core::FixedEnv::new(1_700_000_000_000, 1))).ok()?;
        ws.view().effective(OrgCode(101)).ok()
    });
    std::panic::set_hook(hook);
    match demo {
        Ok(Some(d)) => d,
        _ => fixture(),
    }
}

fn rated(c: Consequence, cr: &str, l: Likelihood, lr: &str) -> Rating {
    Rating { consequence: Some(c), consequence_reason: cr.into(), likelihood: Some(l), likelihood_reason: lr.into(), ..Rating::default() }
}

fn assess(c: Consequence, l: Likelihood, why: &str) -> Assessment {
    Assessment {
        confidentiality: rated(c, &format!("Fortrolige oplysninger om børn og forældre kan blive kendt af uvedkommende ({why})."), l, "Sker i praksis; jf. brud anmeldt til Datatilsynet."),
        integrity: rated(Consequence::Serious, "Forkerte oplysninger kan føre til forkerte beslutninger om barnet.", Likelihood::Possible, "Sjældent set, men muligt ved fejl i integrationer."),
        availability: rated(Consequence::Limited, "Kommunikationen kan ske ad andre veje i en kort periode.", Likelihood::Possible, "Leverandøren har redundans; ISAE 3402-erklæringen uden forbehold."),
    }
}

pub fn fixture() -> EffectiveDpia {
    let kbh = Participant { code: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into() };
    let coordination = Coordination { coordinator: "KL/KOMBIT".into(), base_write_policy: None, participants: vec![kbh.clone()], ..Default::default() };
    let mut base = Base::default();
    base.meta = BaseMeta { dpia_id: "aula".into(), title: "Konsekvensanalyse for AULA".into(), system: "AULA".into(), version_label: "Fælles basis 2024.1".into() };
    base.description = Description {
        summary: "AULA er kommunikations- og samarbejdsplatformen for folkeskolen og dagtilbud. Brugere er personale, elever, forældre og andre kontaktpersoner. Data kommer fra KMD Elev, KMD Institution og UNI-login.".into(),
        scope: "Skoler (fra 2019) og dagtilbud (fra vinteren 2020/21); de ti moduler KOMBIT har vurderet.".into(),
        retention: "Beskeder slettes efter 13 måneder uden aktivitet; dokumenter i Sikker fildeling efter kommunens slettefrister.".into(),
        new_technology: Some(false),
        new_technology_text: "Platformen bygger på kendt teknologi hos AWS i EU.".into(),
        ..Description::default()
    };
    let names = ["Brugeradministration og grupper", "Login og brugerdata", "Kommunikation og samarbejde i skolen", "Kommunikation og samarbejde i dagtilbud", "Deling af data med andre it-systemer"];
    for (i, n) in names.iter().enumerate() {
        base.items.processes.push(Process {
            id: ItemId(format!("p{i}")),
            reference: Reference(format!("P{}", i + 1)),
            name: n.to_string(),
            description: "KOMBITs beskrivelse af dataprocessen.".into(),
            operations: [Operation::Collection, Operation::Registration, Operation::Use, Operation::Erasure].into(),
            modules: ["mod0".into()].into(),
            purposes: ["f0".into()].into(),
        });
    }
    for (i, n) in ["Beskeder", "Kalender", "Sikker fildeling", "Profiler"].iter().enumerate() {
        base.items.modules.push(Module { id: ItemId(format!("mod{i}")), reference: Reference(format!("MO{}", i + 1)), name: n.to_string(), description: "Modul i AULA.".into() });
    }
    base.items.purposes.push(Purpose {
        id: "f0".into(),
        reference: Reference("F1".into()),
        title: "Kommunikation mellem skole/dagtilbud og hjem".into(),
        description: "Beskeder, kalender og opslag mellem personale, forældre og elever.".into(),
        legal_basis: LegalBasis { art6: [Art6Basis::PublicTask].into(), art9: [Art9Basis::SubstantialPublicInterest].into(), gdpr_text: "Myndighedsudøvelse i folkeskolen og dagtilbud.".into(), national_law: "Folkeskolelovens § 45, stk. 2, nr. 2; dagtilbudsloven.".into() },
        necessity: Necessity { necessity: "Kommunikationen er nødvendig for skolens og dagtilbuddets opgaver.".into(), proportionality: "Der behandles kun de oplysninger, der er nødvendige for kommunikationen.".into(), minimisation: "Standardskabeloner begrænser fritekst.".into(), ..Default::default() },
    });
    for (i, (n, c)) in [("Navn og kontaktoplysninger", DataClass::Ordinary), ("CPR-nummer", DataClass::Cpr), ("Helbredsoplysninger i beskeder", DataClass::Special), ("Sociale forhold", DataClass::Confidential)].iter().enumerate() {
        base.items.data_categories.push(DataCategory { id: ItemId(format!("d{i}")), reference: Reference(format!("D{}", i + 1)), name: n.to_string(), class: Some(*c), examples: "Eksempler fra beskedmodulet.".into(), retention: "13 måneder".into(), sources: ["s0".into()].into(), subjects: ["sub0".into()].into() });
    }
    base.items.subject_categories.push(SubjectCategory { id: "sub0".into(), reference: Reference("RG1".into()), name: "Elever".into(), count: Some(560_000), vulnerable: true, vulnerable_reason: "Børn er sårbare registrerede (præambel 38).".into(), ..Default::default() });
    base.items.subject_categories.push(SubjectCategory { id: "sub1".into(), reference: Reference("RG2".into()), name: "Børn i dagtilbud".into(), count: Some(250_000), vulnerable: true, vulnerable_reason: "Små børn.".into(), ..Default::default() });
    base.items.sources.push(Source { id: "s0".into(), reference: Reference("K1".into()), name: "KMD Elev".into(), description: "Elevdata fra skolens administrative system.".into() });
    base.items.sources.push(Source { id: "s1".into(), reference: Reference("K2".into()), name: "UNI-login".into(), description: "Identiteter og grupper fra STIL.".into() });
    base.items.recipients.push(Recipient { id: "rc0".into(), reference: Reference("M1".into()), name: "Personale".into(), side: Some(AccessSide::Internal), access: "Rollebaseret adgang via institutionens grupper.".into() });
    base.items.processors.push(Processor { id: "pr0".into(), reference: Reference("DB1".into()), name: "KOMBIT".into(), role: Some(ProcessorRole::Processor), parent: None, service: "Drift og udvikling af AULA".into(), location: "Danmark".into() });
    base.items.processors.push(Processor { id: "pr1".into(), reference: Reference("DB2".into()), name: "Netcompany".into(), role: Some(ProcessorRole::SubProcessor), parent: Some("pr0".into()), service: "Leverandør".into(), location: "Danmark".into() });
    base.items.processors.push(Processor { id: "pr2".into(), reference: Reference("DB3".into()), name: "AWS".into(), role: Some(ProcessorRole::SubProcessor), parent: Some("pr1".into()), service: "Hosting".into(), location: "EU (Frankfurt, Irland)".into() });
    base.items.transfers.push(Transfer { id: "t0".into(), reference: Reference("O1".into()), country: "USA".into(), recipient: "AWS".into(), basis: Some(TransferBasis::StandardContractualClauses), description: "AWS kan behandle uden for de valgte regioner, hvis amerikansk lov kræver det.".into() });
    let risk_titles = [
        ("Fejlsendt besked", Consequence::Devastating, Likelihood::Expected),
        ("Manglende eller fejlagtig adgangskontrol", Consequence::VerySerious, Likelihood::Likely),
        ("Misbrug fra en autoriseret bruger", Consequence::VerySerious, Likelihood::Possible),
        ("Umarkeret følsom besked", Consequence::VerySerious, Likelihood::Likely),
        ("Forældet gruppemedlemskab", Consequence::Serious, Likelihood::Likely),
        ("Svagt beskyttet brugernavn og adgangskode", Consequence::VerySerious, Likelihood::Likely),
        ("Uklare retningslinjer giver forkert adgang", Consequence::Serious, Likelihood::Possible),
        ("Manglende klassifikation af data", Consequence::Serious, Likelihood::Likely),
        ("Nedbrud hos hostingleverandør", Consequence::Limited, Likelihood::Possible),
        ("Overførsel til tredjeland efter udleveringskrav", Consequence::VerySerious, Likelihood::Unlikely),
        ("Fejl i integration med KMD Elev", Consequence::Serious, Likelihood::Possible),
        ("Manglende sletning", Consequence::Serious, Likelihood::Likely),
    ];
    for (i, (t, c, l)) in risk_titles.iter().enumerate() {
        base.items.risks.push(Risk {
            id: ItemId(format!("r{i}")),
            reference: Reference(format!("R{}", i + 1)),
            title: t.to_string(),
            threat: Prose(format!("{t}: en trussel KOMBIT har identificeret i modulvurderingen; konsekvensen rammer elever og forældre, og sandsynligheden er vurderet ud fra anmeldte brud (fx en besked til 94 modtagere).")),
            processes: ["p2".into(), "p3".into()].into(),
            modules: ["mod0".into()].into(),
            source: Some(RiskSource::Kombit),
            source_reference: format!("KOMBIT Beskeder T{}", i + 1),
            inherent: assess(*c, *l, "før"),
            residual: assess(if *c > Consequence::Limited { Consequence::Serious } else { *c }, Likelihood::Possible, "efter"),
            ..Default::default()
        });
    }
    for i in 0..14 {
        base.items.measures.push(Measure {
            id: ItemId(format!("m{i}")),
            reference: Reference(format!("F{}", i + 1)),
            title: ["Advarsel ved mange modtagere", "To-faktor-login for personale", "Logning og opfølgning", "Retningslinjer for følsomme oplysninger", "Automatisk opdatering af grupper", "Uddannelse af personale", "Kryptering i transit og hvile", "Beredskabsplan"][i % 8].to_string(),
            description: "Foranstaltningen er beskrevet i KOMBITs compliancepakke og dokumenteret i revisionserklæringen.".into(),
            kind: Some(if i % 2 == 0 { MeasureKind::Technical } else { MeasureKind::Organisational }),
            status: Some(if i % 5 == 4 { MeasureStatus::Planned } else { MeasureStatus::Implemented }),
            planned_date: if i % 5 == 4 { Some(Day::ymd(2025, 6, 1)) } else { None },
            owner: Some(if i % 3 == 0 { Owner::Kombit } else { Owner::Municipality }),
            owner_name: "Børne- og Ungdomsforvaltningen".into(),
            mitigates: [ItemId(format!("r{}", i % 12)), ItemId(format!("r{}", (i + 3) % 12))].into(),
            evidence: ["e0".into()].into(),
            ..Default::default()
        });
    }
    base.items.evidence.push(Evidence { id: "e0".into(), reference: Reference("E1".into()), title: "ISAE 3000-erklæring for AULA".into(), kind: Some(EvidenceKind::Isae3000), issued_by: "Revisor".into(), date: Some(Day::ymd(2023, 6, 8)), received: Some(Day::ymd(2023, 6, 21)), location: "KOMBITs compliancepakke".into() });
    base.wp248.vulnerable_subjects = Wp248Answer { met: Some(true), reason: "Børn.".into() };
    base.wp248.large_scale = Wp248Answer { met: Some(true), reason: "Alle kommuner, over en halv million elever.".into() };
    base.wp248.sensitive_data = Wp248Answer { met: Some(true), reason: "Følsomme oplysninger forekommer i beskeder.".into() };
    base.prior_consultation = PriorConsultation { required: Some(false), reason: "Ingen høje restrisici efter foranstaltninger.".into(), ..Default::default() };
    base.review_plan = ReviewPlan { next_review: Some(Day::ymd(2025, 3, 1)), triggers: "Nye moduler, nye datakategorier eller brugergrupper, ændret risiko.".into() };

    let mut s = Supplement::default();
    s.meta.base_release = "2024.1".into();
    s.meta.local_legal_basis = "Borgerrepræsentationens beslutning om brug af Sikker fildeling til pædagogisk dokumentation.".into();
    s.conditions.same_system_type = ConditionAnswer { met: Some(true), reason: "Samme AULA-løsning.".into() };
    s.conditions.same_processing = ConditionAnswer { met: Some(true), reason: "Samme behandlingsaktiviteter, dog Sikker fildeling brugt til pædagogisk dokumentation (se tillæg).".into() };
    s.conditions.same_data = ConditionAnswer { met: Some(true), reason: "Samme typer oplysninger.".into() };
    s.conditions.similar_risks = ConditionAnswer { met: Some(true), reason: "Tilsvarende høje risici; adgangsrisikoen vurderes højere lokalt.".into() };
    s.signatories.push(Signatory { id: "sig1".into(), name: "Søren Ågård Østergaard".into(), capacity: "Direktør, Børne- og Ungdomsforvaltningen".into() });
    s.signatories.push(Signatory { id: "sig2".into(), name: "Åse Bøgh".into(), capacity: "Databeskyttelsesrådgiver (høring)".into() });
    s.additions.risks.push(Risk { id: "kbh-r1".into(), reference: Reference("KBH-R1".into()), title: "Pædagogisk dokumentation i Sikker fildeling".into(), threat: "Egne skabeloner kan indeholde følsomme oplysninger.".into(), source: Some(RiskSource::Municipality), inherent: assess(Consequence::VerySerious, Likelihood::Likely, "lokalt"), residual: assess(Consequence::Serious, Likelihood::Possible, "lokalt"), ..Default::default() });
    s.additions.measures.push(Measure { id: "kbh-m1".into(), reference: Reference("KBH-F1".into()), title: "To-faktor-login via kommunens Azure AD (PIT)".into(), kind: Some(MeasureKind::Technical), status: Some(MeasureStatus::Implemented), owner: Some(Owner::Municipality), mitigates: ["r1".into(), "kbh-r1".into()].into(), ..Default::default() });
    s.additions.dpo_advice.push(DpoAdvice { id: "kbh-a1".into(), reference: Reference("KBH-DPO1".into()), date: Some(Day::ymd(2024, 2, 1)), advisor: "Åse Bøgh, DPO".into(), concerns_version: "2024.1".into(), advice: "Høj restrisiko for fejlsendte beskeder skal forelægges; indfør advarsel ved mange modtagere.".into(), response: Some(AdviceResponse::Followed), response_reason: "Advarslen er indført (F1).".into() });
    s.risk_overrides.push(RiskOverride { target: "r1".into(), inherent: Some(assess(Consequence::Devastating, Likelihood::Expected, "UNI-login")), residual: None, reason: "København vurderer risikoen højere end KOMBIT på grund af UNI-logins design.".into() });
    s.measure_statuses.push(LocalMeasureStatus { target: "m7".into(), state: Some(LocalMeasureState::ImplementedDifferently), text: "Beredskab håndteres i kommunens fælles beredskabsplan.".into() });
    s.subject_counts.push(LocalSubjectCount { target: "sub1".into(), count: Some(38_000), note: "Efter udrulning til dagtilbud.".into() });
    s.not_applicable.push(NotApplicable { target: "t0".into(), justification: "Kommunen har aftalt EU-only med KOMBIT (eksempel)".into() });
    EffectiveDpia::compute(&coordination, &base, &s, &kbh)
}
