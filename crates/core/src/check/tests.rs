//! Every rule, two-sided: silent on a complete DPIA, firing when the element is removed.
#![allow(clippy::field_reassign_with_default)] // fixtures built field by field read better here

use super::*;
use crate::effective::{Deviation, EffectiveDpia};
use crate::model::*;

fn rating(c: Consequence, l: Likelihood) -> Rating {
    Rating { consequence: Some(c), consequence_reason: "Børns oplysninger kan skade dem".into(), likelihood: Some(l), likelihood_reason: "Sket flere gange i 2023".into(), ..Rating::default() }
}

fn assessment(c: Consequence, l: Likelihood) -> Assessment {
    Assessment { confidentiality: rating(c, l), integrity: rating(c, l), availability: rating(Consequence::Limited, Likelihood::Unlikely) }
}

fn id(s: &str) -> ItemId {
    ItemId(s.into())
}

fn r(s: &str) -> Reference {
    Reference(s.into())
}

fn answer() -> Wp248Answer {
    Wp248Answer { met: Some(false), reason: "Ikke tilfældet for Aula".into() }
}

fn necessity() -> Necessity {
    let t = |s: &str| Prose::from(s);
    Necessity {
        necessity: t("Skolen skal kunne give forældrene besked om barnets skolegang hurtigt og sikkert; papirsedler og almindelig e-mail er overvejet som alternativer og fravalgt, fordi de ikke kan afgrænses til de rette modtagere"),
        proportionality: t("Kun de nødvendige oplysninger om eleven deles, og kun med forældre med forældremyndighed"),
        minimisation: t("Ingen CPR i beskeder"),
        accuracy: t("Data fra KMD Elev"),
        storage_limitation: t("Slettes efter skoletid"),
        information: t("Oplysningspligt på kommunens hjemmeside"),
        data_subject_rights: t("Indsigt via kommunen"),
        processors: t("Databehandleraftale med KOMBIT"),
        transfers: t("Standardkontraktbestemmelser med AWS"),
    }
}

/// A small but complete joint DPIA and København's supplement: the check is silent on it.
fn complete() -> (Coordination, Base, Supplement, Participant) {
    let kbh = Participant { code: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into() };
    let coordination = Coordination { coordinator: "KL/KOMBIT".into(), base_write_policy: None, participants: vec![kbh.clone()], ..Default::default() };
    let mut b = Base::default();
    b.meta = BaseMeta { dpia_id: "aula".into(), title: "Aula".into(), system: "Aula".into(), version_label: "2025.1".into() };
    b.description = Description { summary: "Aula".into(), scope: "Skoler".into(), retention: "Slettes efter 30 dage".into(), new_technology: Some(false), new_technology_text: "Nej".into(), ..Default::default() };
    b.wp248 = Wp248 { sensitive_data: Wp248Answer { met: Some(true), reason: "Fortrolige oplysninger om børn".into() }, vulnerable_subjects: Wp248Answer { met: Some(true), reason: "Børn".into() }, ..Wp248 {
        evaluation_scoring: answer(), automated_decision: answer(), systematic_monitoring: answer(), sensitive_data: answer(), large_scale: answer(),
        matching_datasets: answer(), vulnerable_subjects: answer(), innovative_technology: answer(), prevents_exercise: answer() } };
    b.prior_consultation = PriorConsultation { required: Some(false), reason: "Ingen høj restrisiko".into(), ..Default::default() };
    b.review_plan = ReviewPlan { next_review: Some(Day::ymd(2027, 6, 1)), triggers: "Nye moduler".into() };
    let i = &mut b.items;
    i.modules.push(Module { id: id("mod-1"), reference: r("MOD1"), name: "Beskeder".into(), description: "Beskeder".into() });
    i.purposes.push(Purpose {
        id: id("f-1"), reference: r("F1"), title: "Kommunikation skole–hjem".into(),
        description: "Skolens kommunikation med forældre og elever om undervisning, trivsel og praktiske forhold".into(),
        legal_basis: LegalBasis { art6: [Art6Basis::PublicTask].into(), art9: [Art9Basis::SubstantialPublicInterest].into(), gdpr_text: "Myndighedsudøvelse".into(), national_law: "Folkeskoleloven § 45".into() },
        necessity: necessity(),
    });
    i.processes.push(Process { id: id("dp-1"), reference: r("DP1"), name: "Kommunikation i skole".into(), operations: [Operation::Collection, Operation::Use].into(), modules: [id("mod-1")].into(), purposes: [id("f-1")].into(), ..Default::default() });
    i.sources.push(Source { id: id("k-1"), reference: r("K1"), name: "KMD Elev".into(), description: "Elevregister".into() });
    i.subject_categories.push(SubjectCategory { id: id("reg-1"), reference: r("REG1"), name: "Elever".into(), count: Some(560_000), vulnerable: true, vulnerable_reason: "Børn (betragtning 38)".into(), ..Default::default() });
    i.subject_categories.push(SubjectCategory { id: id("reg-2"), reference: r("REG2"), name: "Medarbejdere".into(), count: Some(50_000), vulnerable: true, vulnerable_reason: "Ansættelsesforholdet (WP248, kriterium 7)".into(), ..Default::default() });
    i.subject_views.push(SubjectView { id: id("syn-1"), reference: r("SYN1"), whom: "Skolebestyrelser og elevråd".into(), date: Some(Day::ymd(2025, 2, 1)), views: "Ønskede advarsel ved mange modtagere".into(), response: "Indgår som M1".into() });
    i.data_categories.push(DataCategory { id: id("d-1"), reference: r("D1"), name: "Helbred".into(), class: Some(DataClass::Special), sources: [id("k-1")].into(), subjects: [id("reg-1")].into(), ..Default::default() });
    i.recipients.push(Recipient { id: id("mt-1"), reference: r("MT1"), name: "Lærere".into(), side: Some(AccessSide::Internal), access: "Egne klasser".into() });
    i.recipients.push(Recipient { id: id("mt-2"), reference: r("MT2"), name: "Netcompany".into(), side: Some(AccessSide::External), access: "Drift".into() });
    i.processors.push(Processor { id: id("db-1"), reference: r("DB1"), name: "KOMBIT".into(), role: Some(ProcessorRole::Processor), ..Default::default() });
    i.transfers.push(Transfer { id: id("tl-1"), reference: r("TL1"), country: "USA".into(), recipient: "AWS".into(), basis: Some(TransferBasis::StandardContractualClauses), description: "Kun ved retskrav".into() });
    i.evidence.push(Evidence { id: id("ev-1"), reference: r("EV1"), title: "ISAE 3000".into(), kind: Some(EvidenceKind::Isae3000), date: Some(Day::ymd(2026, 6, 8)), ..Default::default() });
    i.risks.push(Risk {
        id: id("r-1"), reference: r("R1"), title: "Fejlsendt besked".into(), threat: "Besked til forkert modtager".into(),
        source: Some(RiskSource::Kombit), inherent: assessment(Consequence::Devastating, Likelihood::Expected), residual: assessment(Consequence::Serious, Likelihood::Unlikely),
        modules: [id("mod-1")].into(), source_reference: "KOMBIT Beskeder T1".into(), ..Default::default()
    });
    i.supplier_sheets.push(sheet());
    i.measures.push(Measure {
        id: id("m-1"), reference: r("M1"), title: "Advarsel ved mange modtagere".into(), kind: Some(MeasureKind::Technical), status: Some(MeasureStatus::Implemented),
        owner: Some(Owner::Kombit), mitigates: [id("r-1")].into(), evidence: [id("ev-1")].into(), ..Default::default()
    });
    i.dpo_advice.push(DpoAdvice { id: id("dpo-1"), reference: r("DPO1"), date: Some(Day::ymd(2025, 3, 1)), advisor: "KL's DPO-netværk".into(), concerns_version: "2025.1".into(), advice: "Tilføj advarsel".into(), response: Some(AdviceResponse::Followed), ..Default::default() });

    let yes = |s: &str| ConditionAnswer { met: Some(true), reason: s.into() };
    let mut s = Supplement::default();
    // Not bound to a release: the mutations below change the working base, and a bound
    // supplement would build on the release instead (release rules are tested apart).
    s.meta = SupplementMeta { org: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into(), ..Default::default() };
    s.conditions = JointConditions { same_system_type: yes("Aula"), same_processing: yes("Samme"), same_data: yes("Samme"), similar_risks: yes("Samme") };
    s.additions.dpo_advice.push(DpoAdvice { id: id("kbh-dpo-1"), reference: r("KBH-DPO1"), date: Some(Day::ymd(2025, 4, 1)), advisor: "KK's DPO".into(), concerns_version: "2025.1 med tillæg".into(), advice: "OK".into(), response: Some(AdviceResponse::Followed), ..Default::default() });
    s.risk_overrides.push(RiskOverride { target: id("r-1"), inherent: Some(assessment(Consequence::Devastating, Likelihood::Expected)), residual: None, reason: "UNI-login".into() });
    (coordination, b, s, kbh)
}

/// KOMBIT's sheet for the message module as imported: T1 is R1's, T2 does not apply.
fn sheet() -> SupplierSheet {
    let threat = |title: &str, reason: &str| SheetThreat { title: title.into(), not_covered_reason: reason.into() };
    SupplierSheet {
        id: id("ark-1"), reference: r("ARK1"), label: "KOMBIT Beskeder".into(), supplier: "KOMBIT".into(), file: "KOMBIT-Beskeder.xlsx".into(),
        tab: "Beskeder".into(), version: "2.1".into(), date: "14.03.2025".into(), fingerprint: "ab12".into(), imported: Some(Day::ymd(2025, 3, 20)),
        threats: [
            ("T1".to_owned(), threat("Besked sendt til forkert modtager", "")),
            ("T2".to_owned(), threat("Besked med følsomme oplysninger i emnefeltet", "Emnefeltet er slået fra i kommunernes opsætning af beskedmodulet siden 2023.")),
        ].into(),
    }
}

/// A second risk with a source reference (and its measure, so only the reference is judged).
fn with_reference(b: &mut Base, reference: &str) {
    let mut x = b.items.risks[0].clone();
    x.id = id("r-9");
    x.reference = r("R9");
    x.title = "Uautoriseret adgang til profiler".into();
    x.source_reference = reference.into();
    for (n, a) in [&mut x.inherent, &mut x.residual].into_iter().enumerate() {
        for d in Dimension::ALL {
            a.rating_mut(*d).consequence_reason = format!("Profiler viser børns fulde navne ({n}, {})", d.danish()).as_str().into();
            a.rating_mut(*d).likelihood_reason = format!("Rettigheder tildeles manuelt ({n}, {})", d.danish()).as_str().into();
        }
    }
    b.items.risks.push(x);
    b.items.measures[0].mitigates.insert(id("r-9"));
}

fn category(name: &str, examples: &str, class: Option<DataClass>) -> DataCategory {
    DataCategory { id: id("d-9"), reference: r("D9"), name: name.into(), examples: examples.into(), class, retention: "Slettes efter skoleåret".into(), sources: [id("k-1")].into(), subjects: [id("reg-1")].into() }
}

fn subjects(name: &str, vulnerable: bool) -> SubjectCategory {
    SubjectCategory { id: id("reg-9"), reference: r("REG9"), name: name.into(), count: Some(1_000), vulnerable, vulnerable_reason: if vulnerable { "Sårbare".into() } else { Prose::default() }, ..Default::default() }
}

fn doctype(name: &str, description: &str, module: Option<&str>) -> DocumentType {
    DocumentType { id: id("dt-9"), reference: r("DT9"), name: name.into(), description: description.into(), module: module.map(id), purposes: Default::default() }
}

fn processor(name: &str, service: &str) -> Processor {
    Processor { id: id("db-9"), reference: r("DB9"), name: name.into(), role: Some(ProcessorRole::SubProcessor), parent: Some(id("db-1")), service: service.into(), location: "EU".into() }
}

fn change(date: Option<Day>) -> UseChange {
    UseChange { id: id("aen-1"), reference: r("ÆN1"), date, kind: Some(UseChangeKind::NewUserGroup), description: "Udrulning til dagtilbud".into(), concerns: Default::default() }
}

fn review(date: Day) -> Review {
    Review { id: id("rv-1"), reference: r("RV1"), date: Some(date), reviewer: "DPO".into(), trigger: "Årlig".into(), summary: "Gennemgået".into() }
}

/// The special-category data category made ordinary, so the DPIA lists none.
fn unspecial(b: &mut Base) {
    b.items.data_categories[0].name = "Trivsel og fravær".into();
    b.items.data_categories[0].class = Some(DataClass::Confidential);
}

fn run(c: &Coordination, b: &Base, s: &Supplement, p: &Participant, is_base: bool) -> CheckReport {
    let dpia = if is_base {
        EffectiveDpia::compute(c, b, &Supplement::default(), &Participant::default())
    } else {
        EffectiveDpia::compute(c, b, s, p)
    };
    check(&dpia, &CheckContext { is_base, policy: AcceptancePolicy::default(), today: Day::ymd(2026, 11, 24) })
}

#[test]
fn the_complete_fixture_has_no_errors_or_warnings() {
    let (c, b, s, p) = complete();
    for is_base in [true, false] {
        let report = run(&c, &b, &s, &p, is_base);
        let noisy: Vec<_> = report.findings.iter().filter(|f| f.severity != Severity::Info).collect();
        assert!(noisy.is_empty(), "is_base={is_base}: {noisy:#?}");
        assert!(report.has("K-WP248-REQUIRED"), "two WP248 criteria met: the DPIA is required");
        assert_eq!(report.acceptance, Acceptance::Accepted);
    }
}

type Mutation = fn(&mut Base, &mut Supplement);

/// (code, severity, applies to the base check too, how to break the DPIA)
const RULES: &[(&str, Severity, bool, Mutation)] = &[
    ("K-35-7-A-PROCESSES", Severity::Error, true, |b, _| b.items.processes.clear()),
    ("K-35-7-A-OPERATIONS", Severity::Error, true, |b, _| b.items.processes[0].operations.clear()),
    ("K-35-7-A-DATA", Severity::Error, true, |b, _| b.items.data_categories.clear()),
    ("K-35-7-A-DATA-CLASS", Severity::Error, true, |b, _| { b.items.data_categories[0].class = None; b.items.data_categories[0].name = "Kontaktoplysninger".into(); }),
    // what the category's own words say it is, in several phrasings
    ("K-35-7-A-DATA-SPECIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Oplysninger om elevens helbred", "", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-SPECIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Elevoplysninger", "Fx diagnoser, medicin og allergier", Some(DataClass::Confidential)))),
    ("K-35-7-A-DATA-SPECIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Sundhedsdata fra sundhedsplejen", "", None))),
    ("K-35-7-A-DATA-SPECIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Religiøst tilhørsforhold", "Bruges til kosthensyn på lejrskole", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-SPECIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Login", "Fingeraftryk eller ansigtsgenkendelse på elevens tablet", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-SPECIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Health and disability information", "", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-CRIMINAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Børneattester for medarbejdere", "", Some(DataClass::Confidential)))),
    ("K-35-7-A-DATA-CRIMINAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Bekymringer", "Oplysninger om strafbare forhold i familien", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-CONFIDENTIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Identifikation", "Navn og cpr-nr.", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-CONFIDENTIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Familiens sociale forhold", "Underretninger og anbringelser", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-CONFIDENTIAL", Severity::Error, true, |b, _| b.items.data_categories.push(category("Forældremyndighed og samvær", "", None))),
    ("K-35-7-A-SPECIAL-UNLISTED", Severity::Error, true, |b, _| { unspecial(b); b.description.summary = "Skolen deler handleplaner med diagnoser og medicin i Sikker fildeling".into(); }),
    ("K-35-7-A-SPECIAL-UNLISTED", Severity::Error, true, |b, _| { unspecial(b); b.items.document_types.push(doctype("Indstilling til PPR", "Følsomme personoplysninger om barnets udvikling", Some("mod-1"))); }),
    ("K-35-7-A-PURPOSES", Severity::Error, true, |b, _| b.items.purposes.clear()),
    ("K-35-7-A-PURPOSE-VAGUE", Severity::Warning, true, |b, _| b.items.purposes[0].description = "Kommunikation skole–hjem".into()),
    ("K-35-7-A-LEGAL-GDPR", Severity::Error, true, |b, _| b.items.purposes[0].legal_basis.art6.clear()),
    ("K-35-7-A-LEGAL-ART9", Severity::Error, true, |b, _| b.items.purposes[0].legal_basis.art9.clear()),
    ("K-35-7-A-SUBJECTS", Severity::Error, true, |b, _| b.items.subject_categories.clear()),
    ("K-35-7-A-SUBJECT-COUNT", Severity::Error, true, |b, _| b.items.subject_categories[0].count = None),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| b.items.subject_categories[0].vulnerable = false),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| { b.items.subject_categories[0].vulnerable = false; b.items.subject_categories[0].name = "Mindreårige brugere".into(); }),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| { b.items.subject_categories[0].vulnerable = false; b.items.subject_categories[0].name = "Unge under 18".into(); }),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| { b.items.subject_categories[0].vulnerable = false; b.items.subject_categories[0].name = "Børn i dagtilbud".into(); }),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| { b.items.subject_categories[0].vulnerable = false; b.items.subject_categories[0].name = "Pupils (6–16 years)".into(); }),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| b.items.subject_categories[1].vulnerable = false),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| b.items.subject_categories.push(subjects("Beboere på plejecentre", false))),
    ("K-35-7-A-VULNERABLE", Severity::Error, true, |b, _| b.items.subject_categories.push(subjects("Patienter i psykiatrien", false))),
    ("K-35-7-A-SUBJECTS-IMPLIED", Severity::Warning, true, |b, _| b.items.sources.push(Source { id: id("k-2"), reference: r("K2"), name: "KMD Institution".into(), description: "Stamdata om børn i dagtilbud".into() })),
    ("K-35-7-A-SUBJECTS-IMPLIED", Severity::Warning, true, |b, _| b.items.processes[0].name = "Kommunikation i vuggestuer og børnehaver".into()),
    ("K-35-7-A-USERS-NOT-SUBJECTS", Severity::Warning, true, |b, _| b.items.recipients.push(Recipient { id: id("mt-3"), reference: r("MT3"), name: "Forældre og værger".into(), side: Some(AccessSide::External), access: "Egne børns beskeder".into() })),
    ("K-35-7-A-ACCESS-ROLE", Severity::Warning, true, |b, _| b.items.recipients[0].access = Prose::default()),
    ("K-35-7-A-RETENTION-RULE", Severity::Warning, true, |b, _| b.description.retention = "Oplysningerne opbevares, så længe det er nødvendigt.".into()),
    ("K-35-7-A-RETENTION-RULE", Severity::Warning, true, |b, _| b.items.data_categories[0].retention = "Efter behov".into()),
    ("K-35-7-A-TRANSFERS-UNSTATED", Severity::Error, true, |b, _| b.items.transfers.clear()),
    ("K-35-7-A-TRANSFERS-UNSTATED", Severity::Error, true, |b, _| { b.items.transfers.clear(); b.description.third_country_access = Some(true); }),
    ("K-35-7-A-TRANSFERS-NONE-REASON", Severity::Error, true, |b, _| { b.items.transfers.clear(); b.description.third_country_access = Some(false); }),
    ("K-35-7-A-TRANSFERS-NONE-REASON", Severity::Error, true, |b, _| { b.items.transfers.clear(); b.description.third_country_access = Some(false); b.description.third_country_reason = "Ikke relevant.".into(); }),
    ("K-35-7-A-TRANSFERS-CONTRADICTION", Severity::Error, true, |b, _| { b.description.third_country_access = Some(false); b.description.third_country_reason = "Alt ligger i Danmark hos KMD".into(); }),
    ("K-35-7-A-TRANSFER-CLOUD", Severity::Error, true, |b, _| b.items.processors.push(processor("Microsoft Ireland Operations Ltd", "Azure-hosting af løsningen"))),
    ("K-35-7-A-TRANSFER-CLOUD", Severity::Error, true, |b, _| b.items.processors.push(processor("Netcompany A/S", "Drift; data ligger hos Google Cloud i Belgien"))),
    ("K-35-7-A-USE-NO-PURPOSE", Severity::Error, true, |b, _| b.items.processes[0].purposes.clear()),
    ("K-35-7-A-USE-NO-PURPOSE", Severity::Error, true, |b, _| b.items.modules.push(Module { id: id("mod-2"), reference: r("MOD2"), name: "Galleri".into(), description: "Billeder".into() })),
    ("K-35-7-A-USE-NO-PURPOSE", Severity::Error, true, |b, _| b.items.document_types.push(doctype("Referat", "Referater af netværksmøder", None))),
    ("K-35-7-A-USE-PURPOSE-MISMATCH", Severity::Warning, true, |b, _| b.items.document_types.push(doctype("Pædagogisk dokumentation", "Skabeloner til det pædagogiske arbejde", Some("mod-1")))),
    ("K-35-7-A-USE-PURPOSE-MISMATCH", Severity::Warning, true, |b, _| b.items.document_types.push(doctype("Observationsskema", "Observationer af barnets sprog og udvikling", Some("mod-1")))),
    ("K-35-7-A-USE-PURPOSE-MISMATCH", Severity::Warning, true, |b, _| b.items.document_types.push(doctype("Indstilling", "Indstilling til visitation til specialtilbud", Some("mod-1")))),
    ("K-35-7-A-PURPOSE-UNUSED", Severity::Warning, true, |b, _| { let mut p = b.items.purposes[0].clone(); p.id = id("f-2"); p.reference = r("F2"); b.items.purposes.push(p); }),
    ("K-35-7-A-VULNERABLE-REASON", Severity::Warning, true, |b, _| b.items.subject_categories[0].vulnerable_reason = Prose::default()),
    ("K-35-7-A-SOURCES", Severity::Error, true, |b, _| b.items.sources.clear()),
    ("K-35-7-A-ACCESS", Severity::Error, true, |b, _| b.items.recipients.retain(|r| r.side == Some(AccessSide::Internal))),
    ("K-35-7-A-ACCESS-SIDE", Severity::Error, true, |b, _| b.items.recipients.push(Recipient { id: id("mt-3"), reference: r("MT3"), name: "Pædagoger".into(), ..Default::default() })),
    ("K-35-7-A-RETENTION", Severity::Error, true, |b, _| b.description.retention = Prose::default()),
    ("K-35-7-A-TRANSFER-BASIS", Severity::Error, true, |b, _| b.items.transfers[0].basis = None),
    ("K-35-7-A-NEW-TECH", Severity::Error, true, |b, _| b.description.new_technology = None),
    ("K-35-7-A-PROCESSORS", Severity::Warning, true, |b, _| b.items.processors.clear()),
    ("K-35-7-B-MISSING", Severity::Error, true, |b, _| b.items.purposes[0].necessity = Necessity::default()),
    ("K-35-7-B-ASPECT", Severity::Warning, true, |b, _| b.items.purposes[0].necessity.transfers = Prose::default()),
    ("K-35-7-B-THIN", Severity::Warning, true, |b, _| {
        b.items.purposes[0].necessity = Necessity { necessity: "Nødvendigt for opgaven.".into(), proportionality: "Står i rimeligt forhold.".into(), minimisation: "".into(), storage_limitation: "".into(), data_subject_rights: "".into(), ..necessity() };
    }),
    ("K-35-7-B-THIN", Severity::Warning, true, |b, _| {
        b.items.purposes[0].necessity = Necessity { necessity: "Behandlingen er nødvendig.".into(), proportionality: "Behandlingen er proportional.".into(), ..necessity() };
    }),
    ("K-35-7-C-NO-RISKS", Severity::Error, true, |b, _| { b.items.risks.clear(); b.items.measures[0].mitigates.clear(); }),
    ("K-35-7-C-UNRATED", Severity::Error, true, |b, _| b.items.risks[0].residual.integrity.likelihood = None),
    ("K-35-7-C-NO-REASON", Severity::Error, true, |b, _| b.items.risks[0].residual.availability.consequence_reason = Prose::default()),
    ("K-35-7-C-LEGACY-LEVEL", Severity::Error, true, |b, _| b.items.risks[0].residual.integrity = Rating { legacy_level: Some(RiskLevel::Medium), ..Rating::default() }),
    ("K-35-7-C-UNAFFECTED-REASON", Severity::Error, true, |b, _| b.items.risks[0].residual.availability = Rating { unaffected: true, ..Rating::default() }),
    ("K-35-7-C-ACCEPTANCE-BARE", Severity::Error, true, |b, _| b.items.risks[0].acceptance = "Risikoen vurderes acceptabel.".into()),
    ("K-35-7-C-ACCEPTANCE-BARE", Severity::Error, true, |b, _| b.items.risks[0].acceptance = "Acceptabel risiko".into()),
    ("K-24-1-OWN-REACH", Severity::Error, true, |b, _| b.items.risks[0].acceptance = "Der kan opnås et acceptabelt sikkerhedsniveau i løsningen for de elementer, der ligger inden for forvaltningens handlingsrum.".into()),
    ("K-24-1-OWN-REACH", Severity::Error, true, |b, _| b.items.risks[0].acceptance = "Accepteres, da alt inden for kommunens råderum er gjort.".into()),
    ("K-SUBSTANCE-REPEATED", Severity::Warning, true, |b, _| for n in 2..=3 { let mut x = b.items.risks[0].clone(); x.id = id(&format!("r-{n}")); x.reference = r(&format!("R{n}")); b.items.risks.push(x); b.items.measures[0].mitigates.insert(id(&format!("r-{n}"))); }),
    ("K-35-9-VIEWS", Severity::Warning, true, |b, _| b.items.subject_views.clear()),
    ("K-35-9-VIEWS-INCOMPLETE", Severity::Warning, true, |b, _| b.items.subject_views[0].response = Prose::default()),
    ("K-35-9-VIEWS-INCOMPLETE", Severity::Warning, true, |b, _| b.items.subject_views[0].date = None),
    ("K-35-7-C-RESIDUAL-HIGHER", Severity::Error, true, |b, s| {
        b.items.risks[0].inherent = assessment(Consequence::Serious, Likelihood::Unlikely);
        b.items.risks[0].residual = assessment(Consequence::Serious, Likelihood::Likely);
        s.risk_overrides.clear();
    }),
    ("K-35-7-C-OVERRIDE-REASON", Severity::Error, false, |_, s| s.risk_overrides[0].reason = Prose::default()),
    ("K-24-1-SUPPLIER-RISK", Severity::Error, true, |b, _| b.items.measures[0].mitigates.clear()),
    ("K-35-7-D-UNMITIGATED", Severity::Error, true, |b, _| { b.items.risks[0].source = Some(RiskSource::Municipality); b.items.measures[0].status = Some(MeasureStatus::Rejected); b.items.measures[0].rejection_reason = "For dyrt".into(); }),
    ("K-35-7-D-UNLINKED", Severity::Error, true, |b, _| b.items.measures.push(Measure { mitigates: Default::default(), id: id("m-2"), reference: r("M2"), ..b.items.measures[0].clone() })),
    ("K-35-7-D-STATUS", Severity::Error, true, |b, _| b.items.measures[0].status = None),
    ("K-35-7-D-PLANNED-DATE", Severity::Error, true, |b, _| b.items.measures[0].status = Some(MeasureStatus::Planned)),
    ("K-35-7-D-PLANNED-OVERDUE", Severity::Warning, true, |b, _| { b.items.measures[0].status = Some(MeasureStatus::Planned); b.items.measures[0].planned_date = Some(Day::ymd(2026, 11, 23)); }),
    ("K-35-7-D-REJECTED-REASON", Severity::Error, true, |b, _| b.items.measures[0].status = Some(MeasureStatus::Rejected)),
    ("K-35-7-D-OWNER", Severity::Warning, true, |b, _| b.items.measures[0].owner = None),
    ("K-24-1-EXTERNAL-MEASURE", Severity::Warning, true, |b, _| b.items.measures[0].evidence.clear()),
    ("K-24-1-EVIDENCE-STALE", Severity::Warning, true, |b, _| b.items.evidence[0].date = Some(Day::ymd(2025, 11, 23))),
    ("K-24-1-EVIDENCE-STALE", Severity::Warning, true, |b, _| b.items.evidence[0].date = None),
    ("K-35-7-D-LOCAL-STATUS", Severity::Error, false, |_, s| s.measure_statuses.push(LocalMeasureStatus { target: id("m-1"), state: Some(LocalMeasureState::ImplementedDifferently), text: Prose::default() })),
    ("K-5-2-REF-MISSING", Severity::Error, true, |b, _| b.items.modules[0].reference = Reference::default()),
    ("K-5-2-REF-DUPLICATE", Severity::Error, true, |b, _| b.items.sources[0].reference = r("MOD1")),
    ("K-5-2-REF-DANGLING", Severity::Error, true, |b, _| { b.items.measures[0].mitigates.insert(id("r-404")); }),
    ("K-JOINT-UNRESOLVED", Severity::Error, false, |_, s| s.not_applicable.push(NotApplicable { target: id("gone"), justification: "Findes ikke længere i Aula".into() })),
    ("K-JOINT-NA-REASON", Severity::Error, false, |_, s| s.not_applicable.push(NotApplicable { target: id("mt-2"), justification: "nej".into() })),
    ("K-JOINT-NA-REASON", Severity::Error, false, |_, s| s.not_applicable.push(NotApplicable { target: id("mt-2"), justification: "Vurderes ikke relevant for København Kommune.".into() })),
    ("K-35-2-DPO-MISSING", Severity::Error, true, |b, s| { b.items.dpo_advice.clear(); s.additions.dpo_advice.clear(); }),
    ("K-35-2-DPO-VERSION", Severity::Warning, true, |b, s| { b.items.dpo_advice[0].concerns_version = "2024.2".into(); s.additions.dpo_advice[0].concerns_version = "2024.2".into(); }),
    ("K-35-2-DPO-PENDING", Severity::Warning, true, |b, s| { b.items.dpo_advice[0].response = None; s.additions.dpo_advice[0].response = None; }),
    ("K-35-2-DPO-OVERRULED", Severity::Error, true, |b, s| { b.items.dpo_advice[0].response = Some(AdviceResponse::Overruled); s.additions.dpo_advice[0].response = Some(AdviceResponse::Overruled); }),
    ("K-35-2-DPO-DATE", Severity::Warning, true, |b, s| { b.items.dpo_advice[0].date = None; s.additions.dpo_advice[0].date = None; }),
    ("K-35-2-ACCEPTANCE", Severity::Warning, true, |b, _| {
        b.items.risks[0].residual = assessment(Consequence::Serious, Likelihood::Possible);
        b.items.risks[0].residual_reason = "Stadig mulig".into();
    }),
    ("K-36-REQUIRED", Severity::Error, true, |b, s| {
        b.items.risks[0].residual = assessment(Consequence::Devastating, Likelihood::Likely);
        s.risk_overrides.clear();
        b.prior_consultation.required = Some(true);
    }),
    ("K-36-CONTRADICTION", Severity::Error, true, |b, s| { b.items.risks[0].residual = assessment(Consequence::Devastating, Likelihood::Likely); s.risk_overrides.clear(); }),
    ("K-36-UNDECIDED", Severity::Warning, true, |b, _| b.prior_consultation.required = None),
    ("K-WP248-UNANSWERED", Severity::Error, true, |b, _| b.wp248.large_scale.met = None),
    ("K-JOINT-CONDITIONS", Severity::Error, false, |_, s| s.conditions.same_data.met = None),
    ("K-JOINT-CONDITION-UNMET", Severity::Error, false, |_, s| s.conditions.same_processing.met = Some(false)),
    ("K-JOINT-CONDITION-REASON", Severity::Warning, false, |_, s| s.conditions.similar_risks.reason = Prose::default()),
    ("K-JOINT-DEVIATION-UNASSESSED", Severity::Error, false, |b, s| {
        s.risk_overrides.clear();
        let mut p = b.items.purposes[0].clone();
        p.id = id("kbh-f-1");
        p.reference = r("KBH-F1");
        s.additions.purposes.push(p);
    }),
    ("K-JOINT-MODULE-UNASSESSED", Severity::Error, false, |_, s| s.additions.modules.push(Module { id: id("kbh-mod-1"), reference: r("KBH-MOD1"), name: "Lokal app".into(), description: "".into() })),
    ("K-35-11-NO-DATE", Severity::Warning, true, |b, _| b.review_plan.next_review = None),
    ("K-35-11-OVERDUE", Severity::Error, true, |b, _| b.review_plan.next_review = Some(Day::ymd(2025, 1, 1))),
    ("K-35-11-CHANGED", Severity::Warning, false, |_, s| s.subject_counts.push(LocalSubjectCount { target: id("reg-1"), count: Some(40_000), note: "Dagtilbud".into() })),
    ("K-35-11-CHANGED", Severity::Warning, true, |b, _| b.items.use_changes.push(change(Some(Day::ymd(2026, 8, 1))))),
    ("K-35-11-CHANGED", Severity::Warning, true, |b, _| { b.items.reviews.push(review(Day::ymd(2026, 5, 1))); b.items.use_changes.push(change(Some(Day::ymd(2026, 8, 1)))); }),
    ("K-35-11-CHANGED", Severity::Warning, true, |b, _| { b.items.reviews.push(review(Day::ymd(2026, 5, 1))); b.items.use_changes.push(change(None)); }),
    // the CNIL evaluator's verdicts, as `import cnil` keeps them (check/cnil.rs)
    ("K-35-7-D-CNIL-CORRECT", Severity::Warning, true, |b, _| b.items.measures[0].description = Prose("TLS.\nEvaluatorens vurdering (CNIL): skal rettes".into())),
    ("K-35-7-D-CNIL-IMPROVE", Severity::Info, true, |b, _| b.items.measures[0].description = Prose("Evaluatorens vurdering (CNIL): skal forbedres".into())),
    ("K-35-7-C-CNIL-CORRECT", Severity::Warning, true, |b, _| b.items.risks[0].residual_reason = Prose("Evaluatorens vurdering af risikoen (CNIL): skal rettes\nMangler logning".into())),
    ("K-35-7-C-CNIL-IMPROVE", Severity::Info, true, |b, _| b.items.risks[0].residual_reason = Prose("Evaluatorens vurdering af risikoen (CNIL): skal forbedres".into())),
    // subject counts that do not cover the user groups (MT1 «Lærere», and parents as users)
    ("K-35-7-A-SUBJECT-COUNT-GROUPS", Severity::Warning, true, |b, _| {
        b.items.recipients.push(Recipient { id: id("mt-3"), reference: r("MT3"), name: "Forældre med forældremyndighed".into(), side: Some(AccessSide::External), access: "Eget barns beskeder".into() });
        b.items.subject_categories[0].name = "Elever og deres forældre".into();
    }),
    ("K-35-7-A-SUBJECT-COUNT-GROUPS", Severity::Warning, true, |b, _| {
        b.items.recipients.push(Recipient { id: id("mt-3"), reference: r("MT3"), name: "Forældre og værger".into(), side: Some(AccessSide::External), access: "Eget barns beskeder".into() });
        b.items.subject_categories.push(SubjectCategory { id: id("reg-3"), reference: r("REG3"), name: "Forældre og kontaktpersoner".into(), count: Some(120_000), count_note: "Skøn".into(), ..Default::default() });
    }),
    ("K-35-7-A-SUBJECT-COUNT-GROUPS", Severity::Warning, true, |b, _| {
        b.items.recipients[1].name = "Medarbejdere og forældre".into();
        b.items.subject_categories[1].name = "Ansatte, elever og forældre".into();
    }),
    // references into the supplier's material (decision § 4.2.3)
    ("K-35-7-C-SOURCE-REF-UNKNOWN", Severity::Error, true, |b, _| with_reference(b, "KOMBIT Beskeder T12")),
    ("K-35-7-C-SOURCE-REF-UNKNOWN", Severity::Error, true, |b, _| with_reference(b, "kombit beskeder, trussel 7")),
    ("K-35-7-C-SOURCE-REF-UNKNOWN", Severity::Error, true, |b, _| with_reference(b, "«KOMBIT Beskeder» 4.1 (profiler)")),
    // the new version of the sheet no longer has T1: the import marked R1
    ("K-35-7-C-SOURCE-REF-UNKNOWN", Severity::Error, true, |b, _| { b.items.supplier_sheets[0].threats.remove("T1"); b.items.risks[0].source_reference = format!("KOMBIT Beskeder T1 {NO_LONGER_IN_SOURCE}"); }),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", Severity::Warning, true, |b, _| with_reference(b, "KOMBIT DP3 T5")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", Severity::Warning, true, |b, _| with_reference(b, "RuteData risikovurdering 2026, T7")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", Severity::Warning, true, |b, _| with_reference(b, "Leverandørens risikoanalyse nr. 3.2 (uautoriseret adgang)")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", Severity::Warning, true, |b, _| { b.items.supplier_sheets.clear(); b.items.supplier_sheets.clear(); }),
    ("K-35-7-C-SUPPLIER-THREAT-UNCOVERED", Severity::Error, true, |b, _| { b.items.supplier_sheets[0].threats.insert("T3".into(), SheetThreat { title: "Forælder uden forældremyndighed ser beskeder".into(), ..Default::default() }); }),
    ("K-35-7-C-SUPPLIER-THREAT-UNCOVERED", Severity::Error, true, |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason.clear()),
    ("K-35-7-C-SUPPLIER-THREAT-UNCOVERED", Severity::Error, true, |b, _| b.items.risks[0].source_reference = "KOMBIT Beskeder T1O".into()),
    // a «not covered» whose reason is only the conclusion, or a few words
    // numbers of people in prose that the counts (560.000 pupils, 50.000 staff) do not match
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.description.summary = "Aula bruges af ca. 12.000 elever på kommunens skoler.".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.description.scope = "Kommunens 14 skoler med 12 000 elever".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.items.subject_categories[0].count_note = "Skøn: 12.000-15.000 elever i 0.–10. klasse".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.wp248.large_scale.reason = "Ja: omkring 450.000 skoleelever i landets kommuner".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.description.scope = "Knap 30.000 ansatte lærere og pædagoger bruger systemet dagligt".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.description.summary = "The platform serves about 9000 pupils.".into()),
    // a group the text counts that no category counts: the counts do not cover the users
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, true, |b, _| b.wp248.large_scale.reason = "Stor skala: ca. 560.000 elever og ca. 1,1 mio. forældre".into()),
    // a municipality that counts its pupils itself, with a note that says otherwise
    ("K-35-7-A-SUBJECT-COUNT-PROSE", Severity::Warning, false, |_, s| s.subject_counts.push(LocalSubjectCount { target: id("reg-1"), count: Some(4_000), note: "Kommunen har ca. 40.000 elever i folkeskolen".into() })),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", Severity::Error, true, |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Vurderes ikke relevant for Aarhus Kommune.".into()),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", Severity::Error, true, |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Ikke aktuelt".into()),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", Severity::Error, true, |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Truslen er ikke relevant for kommunen".into()),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", Severity::Error, true, |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "se ovenfor".into()),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", Severity::Error, true, |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Not applicable to the municipality".into()),
];

#[test]
fn every_rule_fires_when_its_element_is_missing() {
    let mut failures = Vec::new();
    for (code, severity, in_base, mutate) in RULES {
        let (c, mut b, mut s, p) = complete();
        mutate(&mut b, &mut s);
        for is_base in [false, true] {
            if is_base && !in_base {
                continue;
            }
            let report = run(&c, &b, &s, &p, is_base);
            match report.findings.iter().find(|f| f.code == *code) {
                None => failures.push(format!("{code} (base={is_base}) did not fire; got {:?}", report.findings.iter().map(|f| &f.code).collect::<Vec<_>>())),
                Some(f) if f.severity != *severity => failures.push(format!("{code}: severity {:?}, expected {severity:?}", f.severity)),
                Some(f) => {
                    assert!(!f.message_da.is_empty() && !f.message_en.is_empty() && f.message_da != f.message_en, "{code}: messages in both languages");
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_the_rules_can_emit_is_tested() {
    let tested: Vec<&str> = RULES
        .iter()
        .map(|(c, ..)| *c)
        .chain(["K-WP248-REQUIRED", "K-36-SUBMITTED", "K-RELEASE-MISSING", "K-RELEASE-NEWER", "K-RELEASE-UNBOUND", "K-35-11-TRIGGERED"])
        .collect();
    let untested: Vec<&str> = super::codes::RULES.iter().map(|r| r.code).filter(|c| !tested.contains(c)).collect();
    assert!(untested.is_empty(), "rules without a two-sided test: {untested:?}");
    for (code, severity, ..) in RULES {
        assert_eq!(super::codes::rule(code).map(|r| r.severity), Some(*severity), "{code}: severity in codes.rs");
    }
}

/// The other side of the text rules: wording that looks like a hit and must not fire.
const NEAR_MISSES: &[(&str, Mutation)] = &[
    // a CNIL verdict the DPO has answered, and an acceptable one
    ("K-35-7-D-CNIL-CORRECT", |b, _| b.items.measures[0].description = Prose("Evaluatorens vurdering (CNIL): skal rettes — rettet 3.5.2026: nøgler i HSM".into())),
    ("K-35-7-D-CNIL-IMPROVE", |b, _| b.items.measures[0].description = Prose("Evaluatorens vurdering (CNIL): acceptabel".into())),
    ("K-35-7-A-DATA-SPECIAL", |b, _| b.items.data_categories.push(category("Forældres kontaktoplysninger", "Navn, telefon, e-mail", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-SPECIAL", |b, _| b.items.data_categories.push(category("Skema", "Fag og lektioner, fx religionsundervisning og seksualundervisning", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-SPECIAL", |b, _| b.items.data_categories.push(category("Beskeder", "Praktiske beskeder; ingen helbredsoplysninger eller diagnoser", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-SPECIAL", |b, _| b.items.data_categories.push(category("Log", "Hvem der har åbnet følsomme beskeder", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-CONFIDENTIAL", |b, _| b.items.data_categories.push(category("Profil", "Links til profiler på sociale medier; ingen CPR-numre", Some(DataClass::Ordinary)))),
    ("K-35-7-A-DATA-CRIMINAL", |b, _| b.items.data_categories.push(category("Domæne", "Skolens domæne og IP-adresser", Some(DataClass::Ordinary)))),
    ("K-35-7-A-VULNERABLE", |b, _| b.items.subject_categories.push(subjects("Forældre til elever", false))),
    ("K-35-7-A-VULNERABLE", |b, _| b.items.subject_categories.push(subjects("Pårørende til beboere på plejecentre", false))),
    ("K-35-7-A-VULNERABLE", |b, _| b.items.subject_categories.push(subjects("Medlemmer af Børne- og Ungdomsudvalget", false))),
    ("K-35-7-A-RETENTION-RULE", |b, _| b.items.data_categories[0].retention = "Slettes 5 år efter skolegangens ophør".into()),
    ("K-35-7-A-RETENTION-RULE", |b, _| b.description.retention = "Opbevares i tre år og journaliseres derefter i ESDH".into()),
    ("K-35-7-A-TRANSFERS-NONE-REASON", |b, _| { b.items.transfers.clear(); b.description.third_country_access = Some(false); b.description.third_country_reason = "Data ligger hos KMD i Ballerup; databehandleraftalen forbyder behandling og fjernadgang uden for EU/EØS.".into(); }),
    ("K-35-7-A-TRANSFERS-UNSTATED", |b, _| { b.items.transfers.clear(); b.description.third_country_access = Some(false); b.description.third_country_reason = "Data ligger hos KMD i Ballerup; databehandleraftalen forbyder behandling og fjernadgang uden for EU/EØS.".into(); }),
    ("K-35-7-A-TRANSFER-CLOUD", |b, _| b.items.processors.push(processor("Netcompany A/S", "Udvikling og drift i egne datacentre i Danmark"))),
    ("K-35-7-A-TRANSFER-CLOUD", |b, _| b.items.processors.push(processor("Amazon Web Services EMEA SARL", "Hosting i Frankfurt"))),
    ("K-35-7-A-USE-PURPOSE-MISMATCH", |b, _| {
        b.items.purposes[0].description = "Skolens kommunikation med forældre og elever og lærernes pædagogiske dokumentation af elevens læring".into();
        b.items.document_types.push(doctype("Pædagogisk dokumentation", "Skabeloner til det pædagogiske arbejde", Some("mod-1")));
    }),
    ("K-35-7-A-USE-NO-PURPOSE", |b, _| { let mut t = doctype("Referat", "Referater af netværksmøder", None); t.purposes.insert(id("f-1")); b.items.document_types.push(t); }),
    ("K-JOINT-NA-REASON", |_, s| s.not_applicable.push(NotApplicable { target: id("mt-2"), justification: "Ikke relevant, fordi kommunen ikke bruger modulet Komme/gå; det er slået fra i kommunens opsætning siden 2021.".into() })),
    ("K-24-1-OWN-REACH", |b, _| b.items.risks[0].acceptance = "KOMBIT har indført advarslen (M1), og kommunen har selv indført 2FA; restrisikoen er lav, og DPO'en har tiltrådt den 1. marts.".into()),
    ("K-35-7-C-ACCEPTANCE-BARE", |b, _| b.items.risks[0].acceptance = "Risikoen accepteres, fordi advarslen (M1) halverer fejlsendinger, og de resterende fanges af kvitteringen; direktionen godkendte det 3. marts.".into()),
    // one item repeating its own reason, and a second item with its own reasons
    ("K-SUBSTANCE-REPEATED", |b, _| {
        let mut x = b.items.risks[0].clone();
        x.id = id("r-2");
        x.reference = r("R2");
        for (n, a) in [&mut x.inherent, &mut x.residual].into_iter().enumerate() {
            for d in Dimension::ALL {
                a.rating_mut(*d).consequence_reason = format!("Et forkert login rammer {} ({n})", d.danish()).as_str().into();
                a.rating_mut(*d).likelihood_reason = format!("UNI-login uden 2FA giver {} ({n})", d.danish()).as_str().into();
            }
        }
        b.items.risks.push(x);
    }),
    ("K-35-11-CHANGED", |b, _| { b.items.reviews.push(review(Day::ymd(2026, 9, 1))); b.items.use_changes.push(change(Some(Day::ymd(2026, 8, 1)))); }),
    ("K-24-1-EXTERNAL-MEASURE", |b, _| { b.items.measures[0].evidence.clear(); b.items.measures[0].status = Some(MeasureStatus::Rejected); b.items.measures[0].rejection_reason = "For dyr i forhold til gevinsten".into(); }),
    // each group counted, parents not fewer than half the children; a group named only in a relation
    ("K-35-7-A-SUBJECT-COUNT-GROUPS", |b, _| {
        b.items.recipients.push(Recipient { id: id("mt-3"), reference: r("MT3"), name: "Forældre".into(), side: Some(AccessSide::External), access: "Eget barns beskeder".into() });
        b.items.subject_categories.push(SubjectCategory { id: id("reg-3"), reference: r("REG3"), name: "Forældre til elever".into(), count: Some(900_000), count_note: "To pr. elev, færre ved søskende".into(), ..Default::default() });
    }),
    ("K-35-7-A-SUBJECT-COUNT-GROUPS", |b, _| {
        // parents as subjects only (they get letters), not as users: no claim about their number
        b.items.subject_categories.push(SubjectCategory { id: id("reg-3"), reference: r("REG3"), name: "Forældre".into(), count: Some(1_000), ..Default::default() });
    }),
    ("K-35-7-A-SUBJECT-COUNT-GROUPS", |b, _| b.items.subject_categories[0].name = "Elever i 0.–10. klasse".into()),
    // the sheet's number however it is written
    ("K-35-7-C-SOURCE-REF-UNKNOWN", |b, _| b.items.risks[0].source_reference = "kombit  beskeder t1".into()),
    ("K-35-7-C-SOURCE-REF-UNKNOWN", |b, _| b.items.risks[0].source_reference = "«KOMBIT Beskeder» T1 (fejlsendte beskeder)".into()),
    ("K-35-7-C-SOURCE-REF-UNKNOWN", |b, _| b.items.risks[0].source_reference = "KOMBIT Beskeder, T1.".into()),
    // documents, not rows of a sheet
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", |b, _| with_reference(b, "DPO's interne tilsynsrapport om Sikker fildeling (2023)")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", |b, _| with_reference(b, "KOMBIT instruks for Aula (AWS-forbehold)")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", |b, _| with_reference(b, "Brud anmeldt 12. marts 2025")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", |b, _| with_reference(b, "Datatilsynets afgørelse 2023-423-0005")),
    ("K-35-7-C-SOURCE-REF-UNVERIFIED", |b, _| with_reference(b, "KOMBIT Beskeder T2")),
    // covered by a second risk, or a reason why not
    ("K-35-7-C-SUPPLIER-THREAT-UNCOVERED", |b, _| { b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason.clear(); with_reference(b, "KOMBIT Beskeder, T2 (emnefelt)"); }),
    ("K-35-7-C-SUPPLIER-THREAT-UNCOVERED", |b, _| { b.items.supplier_sheets[0].threats.insert("T3".into(), SheetThreat { title: "Forælder uden forældremyndighed".into(), not_covered_reason: "Håndteres i KMD Elev, ikke i Aula".into() }); }),
    // numbers that agree with the counts, and numbers that are not a count of people
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, _| b.description.summary = "Aula bruges af ca. 560.000 elever og 50.000 medarbejdere.".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, _| b.description.scope = "Cirka 550 000 elever og omkring 48.000 ansatte".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, _| b.description.scope = "Over 500.000 elever i 0.–10. klasse; unge under 18 år".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, _| b.items.subject_categories[0].count_note = "Heraf ca. 12.000 elever i specialklasser. Opgjort 14.03.2025".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, _| b.description.summary = "Beskeder til hjemmet: typisk 2 forældre pr. elev, ca. 12.000 beskeder om dagen".into()),
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, _| b.description.scope = "Mellem 500.000-600.000 elever i de 98 kommuner".into()),
    // the base speaks of all municipalities; one that counts its own pupils says so itself
    ("K-35-7-A-SUBJECT-COUNT-PROSE", |b, s| { b.description.summary = "Aula bruges af ca. 560.000 elever.".into(); s.subject_counts.push(LocalSubjectCount { target: id("reg-1"), count: Some(41_000), note: "Københavns ca. 41.000 elever".into() }); }),
    // a conclusion with its grounds, or a bare one on a threat a risk covers anyway
    ("K-35-7-C-SUPPLIER-THREAT-REASON", |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Ikke relevant, fordi emnefeltet er slået fra i kommunernes opsætning af beskedmodulet siden 2023.".into()),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", |b, _| b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Dækkes af KOMBITs egen analyse af integrationen til UNI-login, som kommunen har modtaget 2. maj 2025.".into()),
    ("K-35-7-C-SUPPLIER-THREAT-REASON", |b, _| { b.items.supplier_sheets[0].threats.get_mut("T2").unwrap().not_covered_reason = "Ikke relevant.".into(); with_reference(b, "KOMBIT Beskeder T2"); }),
];

#[test]
fn near_misses_do_not_fire() {
    let mut failures = Vec::new();
    for (code, mutate) in NEAR_MISSES {
        let (c, mut b, mut s, p) = complete();
        mutate(&mut b, &mut s);
        for is_base in [false, true] {
            let report = run(&c, &b, &s, &p, is_base);
            if let Some(f) = report.findings.iter().find(|f| f.code == *code) {
                failures.push(format!("{code} (base={is_base}) fired on a near-miss: {}", f.message_da));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn one_cause_is_one_finding_and_messages_name_the_owner() {
    let (c, mut b, s, p) = complete();
    let risk = &mut b.items.risks[0];
    for a in [&mut risk.inherent, &mut risk.residual] {
        for d in Dimension::ALL {
            a.rating_mut(*d).consequence_reason = Prose::default();
            a.rating_mut(*d).likelihood_reason = Prose::default();
        }
    }
    b.items.measures[0].evidence.clear();
    b.items.measures[0].owner = Some(Owner::Other);
    b.items.measures[0].owner_name = "Styrelsen for IT og Læring".into();
    let report = run(&c, &b, &s, &p, true);
    let reasons: Vec<_> = report.findings.iter().filter(|f| f.code == "K-35-7-C-NO-REASON").collect();
    assert_eq!(reasons.len(), 1, "twelve unreasoned ratings are one finding: {reasons:#?}");
    assert!(reasons[0].message_da.contains("12 vurdering(er)"), "{}", reasons[0].message_da);
    let external = report.findings.iter().find(|f| f.code == "K-24-1-EXTERNAL-MEASURE").unwrap();
    assert!(external.message_da.contains("udføres af Styrelsen for IT og Læring"), "{}", external.message_da);
    for f in &report.findings {
        assert!(!f.message_da.contains("kritiser") && !f.message_en.contains("criticis"), "{}", f.message_da);
    }
}

#[test]
fn a_risk_without_a_residual_level_leaves_the_acceptance_undecided_and_is_counted_apart() {
    let (c, mut b, s, p) = complete();
    b.items.risks[0].residual = Assessment::default();
    let report = run(&c, &b, &s, &p, false);
    assert_eq!((report.picture.unrated_before, report.picture.unrated_after), (0, 1));
    assert_eq!(report.picture.after.counts.total(), 0);
    assert_eq!(report.acceptance, Acceptance::Incomplete, "not «acceptable» on a share of no rated risks");
    assert!(report.has("K-35-7-C-UNRATED"));
    let text = report::render(&report, Lang::Da);
    assert!(text.contains("1 ikke vurderet") && text.contains("kan ikke vurderes mod acceptkriteriet"), "{text}");
}

#[test]
fn the_risk_picture_counts_before_and_after_and_fills_the_matrices() {
    let (c, b, s, p) = complete();
    let report = run(&c, &b, &s, &p, false);
    assert_eq!(report.picture.before.counts.high, 1);
    assert_eq!(report.picture.after.counts.low, 1);
    assert_eq!(report.picture.before.high_percent, 100);
    // confidentiality before: devastating (4) × expected (4)
    assert_eq!(report.picture.matrices_before[0].cells[3][3], 1);
    assert_eq!(report.picture.matrices_after[0].cells[1][0], 1);
}

#[test]
fn the_committed_schema_of_the_report_is_the_generated_one() {
    let committed = include_str!("../../../../schema/check-report.v1.schema.json");
    assert!(committed == super::json_schema(), "schema/check-report.v1.schema.json is stale: run `konsekvens schema --check > schema/check-report.v1.schema.json`");
}

#[test]
fn acceptance_follows_copenhagens_rule() {
    let mut picture = RiskPicture::default();
    picture.after.counts = crate::effective::LevelCounts { low: 7, medium: 5, high: 0 };
    assert_eq!(picture.acceptance(&AcceptancePolicy::default()), Acceptance::Accepted, "2021: 42 % medium");
    picture.after.counts = crate::effective::LevelCounts { low: 2, medium: 8, high: 0 };
    assert_eq!(picture.acceptance(&AcceptancePolicy::default()), Acceptance::ConsultDpo, "80 % medium");
    assert_eq!(picture.acceptance(&AcceptancePolicy { max_medium_percent: 90 }), Acceptance::Accepted, "configurable");
    picture.after.counts = crate::effective::LevelCounts { low: 8, medium: 2, high: 2 };
    assert_eq!(picture.acceptance(&AcceptancePolicy { max_medium_percent: 100 }), Acceptance::PriorConsultation, "2020: 2 high");
    picture.unrated_after = 1;
    assert_eq!(picture.acceptance(&AcceptancePolicy::default()), Acceptance::PriorConsultation, "high residual risk needs Art. 36 whatever is left to rate");
    picture.after.counts = crate::effective::LevelCounts { low: 7, medium: 5, high: 0 };
    assert_eq!(picture.acceptance(&AcceptancePolicy::default()), Acceptance::Incomplete, "42 % of the rated, but one risk has no residual level");
    picture.unrated_after = 0;
    assert_eq!(picture.acceptance(&AcceptancePolicy::default()), Acceptance::Accepted);
}

#[test]
fn a_dpia_stripped_of_necessity_dpo_advice_and_gdpr_basis_fails_in_danish() {
    let (c, mut b, mut s, p) = complete();
    b.items.purposes[0].necessity = Necessity::default();
    b.items.purposes[0].legal_basis.art6.clear();
    b.items.dpo_advice.clear();
    s.additions.dpo_advice.clear();
    let report = run(&c, &b, &s, &p, false);
    for code in ["K-35-7-B-MISSING", "K-35-2-DPO-MISSING", "K-35-7-A-LEGAL-GDPR"] {
        assert!(report.has(code), "{code}");
    }
    let text = report::render(&report, Lang::Da);
    assert!(text.contains("nødvendighed og proportionalitet") && text.contains("FEJL"), "{text}");
    assert!(report.errors() >= 3);
}

#[test]
fn a_base_measure_not_implemented_here_no_longer_covers_the_risk() {
    let (c, b, mut s, p) = complete();
    s.measure_statuses.push(LocalMeasureStatus { target: id("m-1"), state: Some(LocalMeasureState::NotImplemented), text: "Vi bruger ikke beskedmodulet til forældre".into() });
    let report = run(&c, &b, &s, &p, false);
    assert!(report.has("K-24-1-SUPPLIER-RISK"));
    let dpia = EffectiveDpia::compute(&c, &b, &s, &p);
    assert!(matches!(dpia.items.measures[0].deviation, Some(Deviation::MeasureStatus { .. })));
}

fn release_of(b: &Base, name: &str, published_at: i64) -> Release {
    let (content, content_hash) = crate::release::content_of(b);
    Release { name: name.into(), date: Some(Day::ymd(2025, 6, 2)), published_at, content, content_hash, ..Release::default() }
}

#[test]
fn a_supplement_builds_on_its_release_and_is_told_of_a_newer_one() {
    let (mut c, b, mut s, p) = complete();
    c.releases.push(release_of(&b, "2025.1", 1));
    // Unbound while a release exists: warned.
    let report = run(&c, &b, &s, &p, false);
    assert!(report.has("K-RELEASE-UNBOUND"), "{:?}", report.findings);
    // Bound to the latest: silent, and built on the release's content, not the working base.
    s.meta.base_release = "2025.1".into();
    let mut working = b.clone();
    working.items.risks[0].title = "Ændret efter udgivelsen".into();
    let report = run(&c, &working, &s, &p, false);
    assert!(!report.findings.iter().any(|f| f.code.starts_with("K-RELEASE")), "{:?}", report.findings);
    let dpia = EffectiveDpia::compute(&c, &working, &s, &p);
    assert_eq!(dpia.items.risks[0].item.title, "Fejlsendt besked", "the release's text, not the working base's");
    assert_eq!(dpia.release.as_ref().map(|r| r.name.as_str()), Some("2025.1"));
    // A newer release: warned until the municipality confirms it.
    c.releases.push(release_of(&working, "2026.1", 2));
    let report = run(&c, &working, &s, &p, false);
    let newer = report.findings.iter().find(|f| f.code == "K-RELEASE-NEWER").expect("newer release flagged");
    assert_eq!(newer.severity, Severity::Warning);
    assert!(newer.message_da.contains("2026.1") && newer.message_en.contains("2025.1"));
    s.meta.base_release = "2026.1".into();
    assert!(!run(&c, &working, &s, &p, false).has("K-RELEASE-NEWER"));
    // The base alone is never "unbound".
    assert!(!run(&c, &working, &s, &p, true).findings.iter().any(|f| f.code.starts_with("K-RELEASE")));
}

#[test]
fn a_release_this_file_lacks_is_reported_and_the_working_base_used() {
    let (c, b, mut s, p) = complete();
    s.meta.base_release = "2027.1".into();
    let report = run(&c, &b, &s, &p, false);
    let f = report.findings.iter().find(|f| f.code == "K-RELEASE-MISSING").expect("missing release flagged");
    assert!(f.message_da.contains("2027.1"), "{}", f.message_da);
    let dpia = EffectiveDpia::compute(&c, &b, &s, &p);
    assert!(dpia.release.is_none() && dpia.release_problem.is_some());
    assert_eq!(dpia.items.risks.len(), b.items.risks.len());
    // Plain `show` warns too, not only the check, the PDF and `show --json`.
    let shown = crate::text::render(&dpia, false);
    assert!(shown.contains(&format!("ADVARSEL: {}", dpia.release_problem.as_ref().unwrap())), "{shown}");
    let bound = EffectiveDpia::compute(&c, &b, &complete().2, &p);
    assert!(!crate::text::render(&bound, false).contains("ADVARSEL"));
}

#[test]
fn dpo_advice_must_name_the_version_as_a_whole_word() {
    let (c, mut b, s, p) = complete();
    b.items.dpo_advice[0].concerns_version = "2025.10".into();
    assert!(run(&c, &b, &s, &p, true).has("K-35-2-DPO-VERSION"), "2025.10 is not 2025.1");
    b.items.dpo_advice[0].concerns_version = "udkast til 2025.1, marts".into();
    assert!(!run(&c, &b, &s, &p, true).has("K-35-2-DPO-VERSION"));
}

#[test]
fn a_plan_is_overdue_from_the_day_after_its_date_unless_the_municipality_says_otherwise() {
    let (c, mut b, mut s, p) = complete();
    b.items.measures[0].status = Some(MeasureStatus::Planned);
    b.items.measures[0].planned_date = Some(Day::ymd(2026, 11, 24));
    assert!(!run(&c, &b, &s, &p, true).has("K-35-7-D-PLANNED-OVERDUE"), "due today is not overdue");
    b.items.measures[0].planned_date = Some(Day::ymd(2026, 11, 23));
    let report = run(&c, &b, &s, &p, false);
    let f = report.findings.iter().find(|f| f.code == "K-35-7-D-PLANNED-OVERDUE").expect("overdue");
    assert_eq!((f.item.as_ref(), f.reference.as_ref(), f.basis), (Some(&id("m-1")), Some(&r("M1")), Basis::Art35_7d));
    assert!(f.message_da.contains("M1") && f.message_da.contains("23.11.2026") && f.message_da.contains("gennemført"), "{}", f.message_da);
    assert!(f.message_en.contains("2026-11-23") && f.message_en.contains("delay"), "{}", f.message_en);
    // København implements it its own way: the base's plan is not København's open point.
    s.measure_statuses.push(LocalMeasureStatus { target: id("m-1"), state: Some(LocalMeasureState::ImplementedDifferently), text: "To-faktor via kommunens IdP".into() });
    assert!(!run(&c, &b, &s, &p, false).has("K-35-7-D-PLANNED-OVERDUE"));
    assert!(run(&c, &b, &s, &p, true).has("K-35-7-D-PLANNED-OVERDUE"), "the base still has the overdue plan");
    // A measure København adds itself is judged by its own date.
    s.additions.measures.push(Measure { id: id("kbh-m-1"), reference: r("KBH-M1"), status: Some(MeasureStatus::Planned), planned_date: Some(Day::ymd(2026, 1, 31)), ..b.items.measures[0].clone() });
    let report = run(&c, &b, &s, &p, false);
    assert!(report.findings.iter().any(|f| f.code == "K-35-7-D-PLANNED-OVERDUE" && f.reference == Some(r("KBH-M1"))), "{:?}", report.findings);
}

#[test]
fn an_assurance_statement_goes_stale_after_a_year_and_a_day() {
    let (c, mut b, s, p) = complete();
    let stale = |b: &Base| run(&c, b, &s, &p, true).findings.into_iter().find(|f| f.code == "K-24-1-EVIDENCE-STALE");
    b.items.evidence[0].date = Some(Day::ymd(2025, 11, 24));
    assert!(stale(&b).is_none(), "exactly a year old is still current");
    b.items.evidence[0].date = Some(Day::ymd(2025, 11, 23));
    let f = stale(&b).expect("a year and a day");
    assert_eq!((f.item.as_ref(), f.reference.as_ref(), f.basis), (Some(&id("ev-1")), Some(&r("EV1")), Basis::Art24_1));
    assert!(f.message_da.contains("EV1") && f.message_da.contains("23.11.2025") && f.message_da.contains("Revisorerklæringen"), "{}", f.message_da);
    assert!(f.message_en.contains("2025-11-23") && f.message_en.contains("newer statement"), "{}", f.message_en);
    // ISAE 3402 likewise; a policy or an agreement does not expire with the year.
    b.items.evidence[0].kind = Some(EvidenceKind::Isae3402);
    assert!(stale(&b).is_some());
    for kind in [EvidenceKind::Policy, EvidenceKind::Contract, EvidenceKind::Test, EvidenceKind::Other] {
        b.items.evidence[0].kind = Some(kind);
        assert!(stale(&b).is_none(), "{kind:?}");
        b.items.evidence[0].date = None;
        assert!(stale(&b).is_none(), "{kind:?} undated");
        b.items.evidence[0].date = Some(Day::ymd(2025, 11, 23));
    }
    // Without its own date, the day it was received bounds its age; with neither, it is undated.
    b.items.evidence[0].kind = Some(EvidenceKind::Isae3000);
    b.items.evidence[0].date = None;
    b.items.evidence[0].received = Some(Day::ymd(2026, 2, 1));
    assert!(stale(&b).is_none());
    b.items.evidence[0].received = Some(Day::ymd(2024, 2, 1));
    assert!(stale(&b).expect("received long ago").message_da.contains("modtaget 01.02.2024"));
    b.items.evidence[0].received = None;
    assert!(stale(&b).expect("undated").message_da.contains("ingen dato"));
    // Leap day: a year before 29 February is 28 February.
    assert_eq!(super::rules::a_year_before(Day::ymd(2028, 2, 29)), Day::ymd(2027, 2, 28));
}
