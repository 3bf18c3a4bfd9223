//! The samples that are not AULA pass the check; a deliberately flawed copy of each sample —
//! AULA included — is flagged on every point the check reads for (issue #16).

use super::*;
use crate::check::{self, CheckContext, CheckReport, Severity};
use crate::effective::EffectiveDpia;

fn today() -> Day {
    Day::ymd(2026, 11, 25)
}

fn aula_file() -> JointDpiaFile {
    let (coordination, base, supplements) = aula();
    JointDpiaFile { format: crate::interchange::FORMAT.into(), version: crate::interchange::VERSION, coordination, base, supplements, hearing: Vec::new() }
}

/// (who, report) for the base and every municipality of a file.
fn reports(file: &JointDpiaFile) -> Vec<(String, CheckReport)> {
    let ctx = |is_base| CheckContext { is_base, policy: Default::default(), today: today() };
    let base = EffectiveDpia::compute(&file.coordination, &file.base, &Supplement::default(), &Participant::joint_base());
    let mut out = vec![(base.base_name(true), check::check(&base, &ctx(true)))];
    for s in &file.supplements {
        let p = file.coordination.participants.iter().find(|p| p.code == s.meta.org).expect("a participant").clone();
        let d = EffectiveDpia::compute(&file.coordination, &file.base, s, &p);
        out.push((p.name.clone(), check::check(&d, &ctx(false))));
    }
    out
}

fn noisy(file: &JointDpiaFile) -> Vec<String> {
    reports(file)
        .into_iter()
        .flat_map(|(who, r)| r.findings.into_iter().filter(|f| f.severity != Severity::Info).map(move |f| format!("{who}: {} {}", f.code, f.message_da)))
        .collect()
}

#[test]
fn the_flexboern_joint_dpia_and_its_two_supplements_pass_with_no_errors_or_warnings() {
    let file = flexboern();
    assert_eq!(file.supplements.len(), 2);
    assert!(!file.base.meta.system.to_lowercase().contains("aula"));
    let noisy = noisy(&file);
    assert!(noisy.is_empty(), "{}", noisy.join("\n"));
    assert_eq!(file.to_json(), include_str!("../../data/flexboern.joint-dpia.json"), "canonical form (konsekvens export json)");
}

#[test]
fn ballerups_own_dpia_passes_and_is_not_headed_joint_base() {
    let file = ballerup();
    assert!(file.supplements.is_empty() && file.coordination.participants.is_empty());
    let noisy = noisy(&file);
    assert!(noisy.is_empty(), "{}", noisy.join("\n"));
    let (who, report) = reports(&file).remove(0);
    assert_eq!((who.as_str(), report.subject.as_str()), ("Ballerup Kommune", "Ballerup Kommune"));
    let text = check::report::render(&report, check::Lang::Da);
    assert!(!text.contains("Fælles basis"), "{text}");
    assert_eq!(file.to_json(), include_str!("../../data/ballerup-skaermbesoeg.dpia.json"), "canonical form (konsekvens export json)");
}

/// Breaks a sample on every point the check reads for; returns the codes that must follow.
fn flaw(file: &mut JointDpiaFile) -> Vec<&'static str> {
    let mut expect = Vec::new();
    let b = &mut file.base;
    let i = &mut b.items;
    // special-category data described, but classified ordinary
    let special = i.data_categories.iter_mut().find(|c| c.class == Some(DataClass::Special)).expect("a special category");
    special.class = Some(DataClass::Ordinary);
    expect.push("K-35-7-A-DATA-SPECIAL");
    // CPR numbers in a category called ordinary
    i.data_categories.push(DataCategory { id: ItemId("flaw-cpr".into()), reference: Reference("D90".into()), name: "Identifikation".into(), class: Some(DataClass::Ordinary), examples: "Navn og personnummer".into(), retention: "Efter behov".into(), ..Default::default() });
    expect.extend(["K-35-7-A-DATA-CONFIDENTIAL", "K-35-7-A-RETENTION-RULE"]);
    // a vulnerable group not marked so
    i.subject_categories.iter_mut().find(|s| s.vulnerable).expect("a vulnerable group").vulnerable = false;
    expect.push("K-35-7-A-VULNERABLE");
    // transfers: none stated without a reason, or not stated at all
    if b.description.third_country_access == Some(false) {
        b.description.third_country_reason = "Ikke relevant.".into();
        expect.push("K-35-7-A-TRANSFERS-NONE-REASON");
    } else {
        i.transfers.clear();
        b.description.third_country_access = None;
        b.description.third_country_reason = Prose::default();
        expect.extend(["K-35-7-A-TRANSFERS-UNSTATED", "K-35-7-A-TRANSFER-CLOUD"]);
    }
    // uses without purposes, a purpose without uses, documentation under communication
    i.processes[0].purposes.clear();
    i.modules.push(Module { id: ItemId("flaw-mod".into()), reference: Reference("MOD90".into()), name: "Sikker fildeling".into(), description: "Deling af filer".into() });
    i.purposes.push(Purpose { id: ItemId("flaw-purpose".into()), reference: Reference("F90".into()), title: "Kommunikation".into(), description: "Beskeder mellem medarbejdere og hjemmet om praktiske forhold".into(), ..i.purposes[0].clone() });
    i.document_types.push(DocumentType { id: ItemId("flaw-dt".into()), reference: Reference("DT90".into()), name: "Pædagogisk dokumentation".into(), description: "Observationer og notater om det enkelte barn".into(), module: None, purposes: [ItemId("flaw-purpose".into())].into() });
    i.purposes.push(Purpose { id: ItemId("flaw-unused".into()), reference: Reference("F91".into()), title: "Statistik".into(), ..i.purposes[0].clone() });
    expect.extend(["K-35-7-A-USE-NO-PURPOSE", "K-35-7-A-USE-PURPOSE-MISMATCH", "K-35-7-A-PURPOSE-UNUSED"]);
    // cross-reading: a recipient without role, a daycare source with no daycare children
    i.recipients[0].access = Prose::default();
    i.sources.push(Source { id: ItemId("flaw-src".into()), reference: Reference("K90".into()), name: "KMD Institution".into(), description: "Stamdata om vuggestuer og dagpleje".into() });
    for s in &mut i.subject_categories {
        if s.name.to_lowercase().contains("dagtilbud") || s.name.to_lowercase().contains("børn") {
            s.name = "Elever".into();
        }
    }
    expect.extend(["K-35-7-A-ACCESS-ROLE", "K-35-7-A-SUBJECTS-IMPLIED"]);
    // substance: one line of necessity, one sentence for many reasons, an acceptance within own reach
    i.purposes[0].necessity.necessity = "Nødvendigt.".into();
    i.purposes[0].necessity.proportionality = "Står i rimeligt forhold.".into();
    i.purposes[0].necessity.minimisation = Prose::default();
    expect.push("K-35-7-B-THIN");
    for r in i.risks.iter_mut().take(3) {
        r.inherent.confidentiality.likelihood_reason = "Vurderet ud fra erfaring.".into();
        r.residual.confidentiality.likelihood_reason = "Vurderet ud fra erfaring.".into();
    }
    expect.push("K-SUBSTANCE-REPEATED");
    i.risks[0].acceptance = "Der kan opnås et acceptabelt sikkerhedsniveau for de elementer, der ligger inden for forvaltningens handlingsrum.".into();
    expect.push("K-24-1-OWN-REACH");
    // the format's new answers, left open
    i.risks[1].residual.confidentiality = Rating { legacy_level: Some(RiskLevel::Medium), ..Rating::default() };
    i.risks[1].inherent.integrity = Rating { unaffected: true, ..Rating::default() };
    expect.extend(["K-35-7-C-LEGACY-LEVEL", "K-35-7-C-UNAFFECTED-REASON"]);
    // references into the supplier's material: a number the imported sheet lacks (so its own
    // threats are covered by nothing), and a row of a sheet never imported
    i.supplier_sheets.push(SupplierSheet {
        id: ItemId("flaw-sheet".into()), reference: Reference("ARK90".into()), label: "Leverandørens risikovurdering".into(), version: "1.0".into(),
        threats: [("T1".to_owned(), SheetThreat { title: "Uautoriseret adgang".into(), ..Default::default() }), ("T2".to_owned(), SheetThreat { title: "Tab af data".into(), ..Default::default() })].into(),
        ..Default::default()
    });
    i.risks[0].source_reference = "Leverandørens risikovurdering T9".into();
    i.risks[1].source_reference = "Netcompany risikoanalyse 2025, R17".into();
    expect.extend(["K-35-7-C-SOURCE-REF-UNKNOWN", "K-35-7-C-SUPPLIER-THREAT-UNCOVERED", "K-35-7-C-SOURCE-REF-UNVERIFIED"]);
    // one number for two groups that use the system
    i.recipients.push(Recipient { id: ItemId("flaw-users".into()), reference: Reference("MT90".into()), name: "Forældre og værger".into(), side: Some(AccessSide::External), access: "Eget barns oplysninger".into() });
    i.subject_categories.push(SubjectCategory { id: ItemId("flaw-reg".into()), reference: Reference("REG90".into()), name: "Elever og forældre".into(), count: Some(500), vulnerable: true, vulnerable_reason: "Elever er børn (betragtning 38)".into(), ..Default::default() });
    expect.push("K-35-7-A-SUBJECT-COUNT-GROUPS");
    // Art. 35(9) and 35(11)
    i.subject_views.clear();
    b.description.views_not_sought_reason = Prose::default();
    i.use_changes.push(UseChange { id: ItemId("flaw-change".into()), reference: Reference("ÆN90".into()), date: Some(Day::ymd(2026, 11, 1)), kind: Some(UseChangeKind::NewModule), description: "Nyt modul til fildeling".into(), concerns: Default::default() });
    expect.extend(["K-35-9-VIEWS", "K-35-11-CHANGED"]);
    expect
}

#[test]
fn a_flawed_copy_of_each_sample_is_flagged_on_every_point() {
    for (name, mut file) in [("AULA", aula_file()), ("FlexBørn", flexboern()), ("Ballerup", ballerup())] {
        let expect = flaw(&mut file);
        let reports = reports(&file);
        let (_, base) = &reports[0];
        let missing: Vec<&&str> = expect.iter().filter(|c| !base.has(c)).collect();
        assert!(missing.is_empty(), "{name}: not flagged: {missing:?}; got {:?}", base.findings.iter().map(|f| &f.code).collect::<Vec<_>>());
        // a supplement's «not relevant» that is only the conclusion
        if let Some(s) = file.supplements.first_mut() {
            let target = file.base.items.risks[0].id.clone();
            s.not_applicable.push(NotApplicable { target, justification: Prose(format!("Vurderes ikke relevant for {} Kommune.", s.meta.name)) });
            let (_, kommune) = &self::reports(&file)[1];
            assert!(kommune.has("K-JOINT-NA-REASON"), "{name}: a bare «ikke relevant» is not substantiated");
        }
    }
}

#[test]
fn the_report_lists_every_new_code_it_finds() {
    // the PDF and the Word copy print the report's findings table: every code found is in it
    let mut file = flexboern();
    let expect = flaw(&mut file);
    let d = EffectiveDpia::compute(&file.coordination, &file.base, &Supplement::default(), &Participant::joint_base());
    let findings = check::check(&d, &CheckContext { is_base: true, policy: Default::default(), today: today() });
    let options = crate::report::ReportOptions { is_base: true, findings: Some(crate::report::findings(&findings, check::Lang::Da)), ..crate::report::ReportOptions::new(today()) };
    let text = format!("{:?}", crate::report::Report::of(&d, &options).blocks);
    for code in expect {
        assert!(text.contains(code), "{code} is not in the printed report");
    }
}
