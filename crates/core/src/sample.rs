//! The bundled AULA sample: a joint DPIA (fælles konsekvensanalyse) for Aula coordinated by
//! KL/KOMBIT, with local supplements for København (101), Esbjerg (561) and Aarhus (751).
//!
//! The content is data, not code: `crates/core/data/aula.joint-dpia.json`, in the interchange
//! format (`konsekvens/joint-dpia` v1, the one `konsekvens export json` writes), embedded in
//! the binary. [`aula`] returns the same values every time, with fixed, readable item ids
//! (`risk-beskeder-fejlsendt`, `measure-kbh-pit-2fa` …), so the demo workspace, its JSON export
//! and every test built on it are deterministic. Edit the sample there (or export an edited
//! demo with `konsekvens export json`); a test keeps the file in its canonical form.
//!
//! The content is written by us from public facts: Datatilsynet's 2024 decision on
//! Copenhagen's DPIA for AULA (journalnummer 2023-423-0005) and KOMBIT's page on security,
//! GDPR and audit statements. People's names are invented. The sample is meant to pass the
//! Datatilsynet check with no errors and no warnings for the base and for each municipality;
//! the things it deliberately leaves open are recorded as planned measures with dates still
//! ahead (M13, M15, KBH-M2) and a rejected one with its reason (M18), none of which the check
//! warns about, and its audit statements (EV1–EV3) are less than a year old.
//!
//! The risk picture of the base mirrors Copenhagen's 2021 analysis: 12 risks, 9 high and
//! 3 medium before measures; 7 low (58 %) and 5 medium (42 %) after, none high.

use crate::interchange::JointDpiaFile;
use crate::model::*;

/// København's municipality code.
pub const KOEBENHAVN: OrgCode = OrgCode(101);
/// Esbjerg's municipality code.
pub const ESBJERG: OrgCode = OrgCode(561);
/// Aarhus' municipality code.
pub const AARHUS: OrgCode = OrgCode(751);

/// The base release every supplement in the sample was assessed against.
pub const VERSION: &str = "2025.1";
/// When KL/KOMBIT published it, and with what note.
pub const RELEASE_DATE: Day = Day(time::macros::date!(2025 - 06 - 02));
pub const RELEASE_NOTE: &str = "Første fælles udgivelse efter høring af kommunernes databeskyttelsesrådgivere (DPO1).";

/// The sample as written, in the canonical form `JointDpiaFile::to_json` writes.
const SAMPLE_JSON: &str = include_str!("../data/aula.joint-dpia.json");

/// The whole sample: who takes part, the joint base, and the three municipalities'
/// supplements (København, Esbjerg, Aarhus).
pub fn aula() -> (Coordination, Base, Vec<Supplement>) {
    // Checked by the tests below: a build whose model cannot read its own sample fails them.
    let file = JointDpiaFile::from_json(SAMPLE_JSON).expect("the bundled sample is a valid joint-DPIA file");
    (file.coordination, file.base, file.supplements)
}

/// A second joint DPIA that is not AULA: FlexBørn, the transport company's system for
/// driving children to special schools and special daycare, coordinated by Trafikselskabet
/// Sjælland, with supplements for Køge (259, which adds transport to respite care) and
/// Roskilde (265). Invented, but written the way municipalities write: it exercises what
/// AULA does not (a cloud host under third-country law with its assessment, ratings «ikke
/// berørt», employees of a subcontractor as data subjects).
pub fn flexboern() -> JointDpiaFile {
    JointDpiaFile::from_json(include_str!("../data/flexboern.joint-dpia.json")).expect("the FlexBørn sample is a valid joint-DPIA file")
}

/// One municipality's own DPIA, without supplements: Ballerup's screen visits in home care
/// (elderly in care and health data; hosting in Denmark, so transfers «none» with the reason).
pub fn ballerup() -> JointDpiaFile {
    JointDpiaFile::from_json(include_str!("../data/ballerup-skaermbesoeg.dpia.json")).expect("the Ballerup sample is a valid DPIA file")
}

#[cfg(test)]
mod other_samples;

/// A deliberately flawed copy of a sample (`konsekvens demo --sample … --flawed`): breaks it
/// on every point the check reads for, the way DPIAs go wrong in practice. Returns the codes
/// that must follow for the base, and for the first municipality (none without supplements).
pub fn flawed(file: &mut JointDpiaFile) -> (Vec<&'static str>, Vec<&'static str>) {
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
        threats: [
            ("T1".to_owned(), SheetThreat { title: "Uautoriseret adgang".into(), ..Default::default() }),
            ("T2".to_owned(), SheetThreat { title: "Tab af data".into(), ..Default::default() }),
            ("T3".to_owned(), SheetThreat { title: "Nedbrud hos underleverandør".into(), not_covered_reason: "Ikke relevant.".into() }),
        ].into(),
        ..Default::default()
    });
    i.risks[0].source_reference = "Leverandørens risikovurdering T9".into();
    i.risks[1].source_reference = "Netcompany risikoanalyse 2025, R17".into();
    expect.extend(["K-35-7-C-SOURCE-REF-UNKNOWN", "K-35-7-C-SUPPLIER-THREAT-UNCOVERED", "K-35-7-C-SOURCE-REF-UNVERIFIED", "K-35-7-C-SUPPLIER-THREAT-REASON"]);
    // a number of people in the prose that no count agrees with
    b.description.summary = Prose(format!("{} Systemet bruges af ca. 95.000 medarbejdere.", b.description.summary.as_str().trim()));
    expect.push("K-35-7-A-SUBJECT-COUNT-PROSE");
    // one number for two groups that use the system
    i.recipients.push(Recipient { id: ItemId("flaw-users".into()), reference: Reference("MT90".into()), name: "Forældre og værger".into(), side: Some(AccessSide::External), access: "Eget barns oplysninger".into() });
    i.subject_categories.push(SubjectCategory { id: ItemId("flaw-reg".into()), reference: Reference("REG90".into()), name: "Elever og forældre".into(), count: Some(500), vulnerable: true, vulnerable_reason: "Elever er børn (betragtning 38)".into(), ..Default::default() });
    expect.push("K-35-7-A-SUBJECT-COUNT-GROUPS");
    // Art. 35(9) and 35(11)
    i.subject_views.clear();
    b.description.views_not_sought_reason = Prose::default();
    i.use_changes.push(UseChange { id: ItemId("flaw-change".into()), reference: Reference("ÆN90".into()), date: Some(Day::ymd(2026, 11, 1)), kind: Some(UseChangeKind::NewModule), description: "Nyt modul til fildeling".into(), concerns: Default::default() });
    expect.extend(["K-35-9-VIEWS", "K-35-11-CHANGED"]);
    // a supplement's «not relevant» that is only the conclusion
    let target = file.base.items.risks[0].id.clone();
    let local = match file.supplements.first_mut() {
        Some(s) => {
            s.not_applicable.push(NotApplicable { target, justification: Prose(format!("Vurderes ikke relevant for {} Kommune.", s.meta.name)) });
            vec!["K-JOINT-NA-REASON"]
        }
        None => Vec::new(),
    };
    (expect, local)
}


#[cfg(test)]
mod tests {
    use super::*;
    use Likelihood::{Expected, Likely};

    /// Ids the tests look for.
    mod k {
        pub const R_LOGIN: &str = "risk-login-svagt-beskyttet";
        pub const REG_CHILDREN: &str = "subj-boern-i-dagtilbud";
        pub const KBH_F_DOCUMENTATION: &str = "purpose-kbh-paedagogisk-dokumentation";
        pub const KBH_R_DOCUMENTATION: &str = "risk-kbh-paedagogisk-dokumentation";
        pub const KBH_M_PIT: &str = "measure-kbh-pit-2fa";
    }

    fn id(s: &str) -> ItemId {
        ItemId(s.into())
    }

    #[test]
    fn the_sample_file_is_in_canonical_form_and_checks_its_envelope() {
        let file = JointDpiaFile::from_json(SAMPLE_JSON).unwrap();
        assert_eq!(file.to_json(), SAMPLE_JSON, "write it back with JointDpiaFile::to_json (konsekvens export json)");
        let (c, b, s) = aula();
        assert_eq!((c.participants.len(), s.len()), (3, 3));
        assert_eq!(b.meta.version_label, VERSION);
        assert_eq!(s.iter().map(|s| s.meta.org).collect::<Vec<_>>(), [Some(KOEBENHAVN), Some(ESBJERG), Some(AARHUS)]);
    }
    use crate::check::{self, Acceptance, CheckContext, CheckReport, Severity};
    use crate::effective::{Deviation, EffectiveDpia, Origin};
    use crate::env::FixedEnv;
    use crate::workspace::Workspace;
    use std::collections::BTreeSet;
    use std::sync::Arc;

    /// "Today" for the check, as in the issue (review dates are judged against it).
    fn today() -> Day {
        Day::ymd(2026, 11, 25)
    }

    fn demo() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aula.konsekvens");
        let ws = Workspace::create_demo(&path, Arc::new(FixedEnv::new(1_700_000_000_000, 7))).unwrap();
        (dir, ws)
    }

    fn base_only(ws: &Workspace) -> EffectiveDpia {
        let p = Participant::joint_base();
        EffectiveDpia::compute(&ws.coordination().unwrap(), &ws.base().unwrap(), &Supplement::default(), &p)
    }

    /// (label, effective DPIA, report) for the base and each municipality.
    fn reports(ws: &Workspace) -> Vec<(String, EffectiveDpia, CheckReport)> {
        let mut out = Vec::new();
        let base = base_only(ws);
        let ctx = CheckContext { is_base: true, policy: crate::check::acceptance_policy(&ws.view(), None).unwrap(), today: today() };
        let report = check::check(&base, &ctx);
        out.push(("basis".to_string(), base, report));
        for code in [KOEBENHAVN, ESBJERG, AARHUS] {
            let dpia = ws.view().effective(code).unwrap();
            let ctx = CheckContext { is_base: false, policy: crate::check::acceptance_policy(&ws.view(), Some(code)).unwrap(), today: today() };
            let report = check::check(&dpia, &ctx);
            out.push((format!("{} ({code})", dpia.org.name), dpia, report));
        }
        out
    }

    #[test]
    fn the_demo_passes_the_check_for_the_base_and_every_municipality() {
        let (_dir, ws) = demo();
        assert_eq!(ws.supplement_codes(), vec![KOEBENHAVN, ESBJERG, AARHUS]);
        let mut failures = Vec::new();
        for (who, _, report) in reports(&ws) {
            // The sample leaves nothing open that the check warns about: its open points are
            // planned measures with dates (M13, M15, KBH-M2) and a reasoned rejection (M18).
            let noisy: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .map(|f| format!("{who}: {:?} {} {}", f.severity, f.code, f.message_da))
                .collect();
            failures.extend(noisy);
            assert!(report.dpia_required && report.has("K-WP248-REQUIRED"), "{who}: WP248 says a DPIA is required");
            assert_eq!(report.acceptance, Acceptance::Accepted, "{who}");
        }
        assert!(failures.is_empty(), "the sample should give no errors or warnings:\n{}", failures.join("\n"));
    }

    #[test]
    fn koebenhavn_keeps_the_base_value_beside_its_override_and_marks_local_items() {
        let (_dir, ws) = demo();
        let kbh = ws.view().effective(KOEBENHAVN).unwrap();
        let login = kbh.items.risks.iter().find(|e| e.item.id.as_str() == k::R_LOGIN).unwrap();
        assert_eq!(login.origin, Origin::Base);
        match &login.deviation {
            Some(Deviation::RiskRating { base_inherent, base_residual, reason }) => {
                assert_eq!(base_inherent.confidentiality.likelihood, Some(Likely), "KOMBIT's likelihood is kept");
                assert_eq!(base_residual.level(), Some(RiskLevel::Low));
                assert!(reason.as_str().contains("UNI-login"));
            }
            other => panic!("expected a rating deviation, got {other:?}"),
        }
        assert_eq!(login.item.inherent.confidentiality.likelihood, Some(Expected), "København rates it higher");
        assert!(login.item.inherent.confidentiality.likelihood > login_base_likelihood());
        assert_eq!(login.item.residual.level(), Some(RiskLevel::Medium));

        let pit = kbh.items.measures.iter().find(|e| e.item.id.as_str() == k::KBH_M_PIT).unwrap();
        assert_eq!(pit.origin, Origin::Local);
        assert_eq!(pit.item.reference.as_str(), "KBH-M1");
        assert!(pit.item.mitigates.contains(&id(k::R_LOGIN)), "the 2FA measure reduces the UNI-login risk");
        assert!(kbh.measures_for(&id(k::R_LOGIN)).any(|m| m.item.id.as_str() == k::KBH_M_PIT));

        let purpose = kbh.items.purposes.iter().find(|e| e.item.id.as_str() == k::KBH_F_DOCUMENTATION).unwrap();
        assert_eq!(purpose.origin, Origin::Local);
        assert!(!purpose.item.legal_basis.art6.is_empty() && !purpose.item.legal_basis.art9.is_empty());
        let local_risk = kbh.items.risks.iter().find(|e| e.item.id.as_str() == k::KBH_R_DOCUMENTATION).unwrap();
        assert_eq!(local_risk.origin, Origin::Local);
        assert!(kbh.measures_for(&local_risk.item.id).count() >= 2);

        let local_types = kbh.items.document_types.iter().filter(|e| e.is_local()).count();
        assert_eq!(local_types, 7, "København's own Sikker fildeling templates");
        let daycare = kbh.items.subject_categories.iter().find(|e| e.item.id.as_str() == k::REG_CHILDREN).unwrap();
        assert!(matches!(daycare.deviation, Some(Deviation::SubjectCount { base_count: Some(250_000), .. })));
        assert_eq!(daycare.item.count, Some(36_000));
        assert!(kbh.items.measures.iter().any(|e| matches!(
            e.deviation,
            Some(Deviation::MeasureStatus { state: Some(LocalMeasureState::ImplementedDifferently), .. })
        )));
        assert_eq!(kbh.signatories.len(), 2);
        assert!(kbh.items.dpo_advice.iter().any(|e| e.is_local() && e.item.concerns_version.contains(VERSION)));
        // Esbjerg and Aarhus deviate less, and none of København's local items leak to them.
        for code in [ESBJERG, AARHUS] {
            let other = ws.view().effective(code).unwrap();
            assert!(other.items.risks.iter().all(|e| e.deviation.is_none() && !e.is_local()));
            assert!(other.items.purposes.iter().all(|e| !e.is_local()));
            assert!(other.items.dpo_advice.iter().any(Entry::is_local));
            assert!(other.items.subject_categories.iter().any(|e| e.deviation.is_some()));
        }
        let esb = ws.view().effective(ESBJERG).unwrap();
        assert_eq!(esb.items.modules.iter().filter(|e| !e.applies()).count(), 1, "Komme/gå does not apply in Esbjerg");
        assert_eq!(crate::check::acceptance_policy(&ws.view(), Some(AARHUS)).unwrap().max_medium_percent, 60);
    }

    fn login_base_likelihood() -> Option<Likelihood> {
        aula().1.items.risks.into_iter().find(|r| r.id.as_str() == k::R_LOGIN).unwrap().inherent.confidentiality.likelihood
    }

    use crate::effective::Entry;

    /// Every id of the effective DPIA.
    fn known(d: &EffectiveDpia) -> BTreeSet<ItemId> {
        let i = &d.items;
        let mut all = BTreeSet::new();
        macro_rules! add {
            ($($f:ident),+) => { $( all.extend(i.$f.iter().map(|e| e.item.id.clone())); )+ };
        }
        add!(processes, modules, purposes, data_categories, subject_categories, sources, recipients, transfers,
            processors, document_types, systems, risks, measures, evidence, dpo_advice, reviews);
        all
    }

    #[test]
    fn every_link_resolves_and_every_risk_and_measure_is_tied() {
        let (_dir, ws) = demo();
        for (who, d, _) in reports(&ws) {
            let all = known(&d);
            let mut links: Vec<(String, &ItemId)> = Vec::new();
            let i = &d.items;
            for e in &i.processes {
                links.extend(e.item.modules.iter().chain(&e.item.purposes).map(|l| (e.item.reference.0.clone(), l)));
            }
            for e in &i.data_categories {
                links.extend(e.item.sources.iter().chain(&e.item.subjects).map(|l| (e.item.reference.0.clone(), l)));
            }
            for e in &i.risks {
                links.extend(e.item.processes.iter().chain(&e.item.modules).map(|l| (e.item.reference.0.clone(), l)));
            }
            for e in &i.measures {
                links.extend(e.item.mitigates.iter().chain(&e.item.evidence).map(|l| (e.item.reference.0.clone(), l)));
            }
            for e in &i.document_types {
                links.extend(e.item.module.iter().map(|l| (e.item.reference.0.clone(), l)));
            }
            for e in &i.processors {
                links.extend(e.item.parent.iter().map(|l| (e.item.reference.0.clone(), l)));
            }
            let dangling: Vec<String> = links.iter().filter(|(_, l)| !all.contains(*l)).map(|(from, l)| format!("{from} → {l}")).collect();
            assert!(dangling.is_empty(), "{who}: dangling links {dangling:?}");
            assert!(d.unresolved_targets.is_empty(), "{who}: supplement targets missing from the base {:?}", d.unresolved_targets);

            for m in &i.measures {
                assert!(!m.item.mitigates.is_empty(), "{who}: {} mitigates no risk", m.item.reference);
                let risks: Vec<&ItemId> = m.item.mitigates.iter().filter(|l| i.risks.iter().any(|r| &r.item.id == *l)).collect();
                assert_eq!(risks.len(), m.item.mitigates.len(), "{who}: {} mitigates something that is not a risk", m.item.reference);
            }
            for r in i.risks.iter().filter(|r| r.applies()) {
                let reduced = d.measures_for(&r.item.id).any(|m| m.item.status != Some(MeasureStatus::Rejected));
                assert!(reduced || !r.item.acceptance.is_blank(), "{who}: {} has no measure", r.item.reference);
                assert!(!r.item.source_reference.is_empty(), "{who}: {} has no source reference", r.item.reference);
            }
            // References are unique within each effective DPIA.
            let mut seen = BTreeSet::new();
            let i = &d.items;
            macro_rules! refs {
                ($($f:ident),+) => { $( for e in &i.$f { assert!(seen.insert(e.item.reference.0.clone()), "{who}: duplicate {}", e.item.reference); } )+ };
            }
            refs!(processes, modules, purposes, data_categories, subject_categories, sources, recipients, transfers,
                processors, document_types, systems, risks, measures, evidence, dpo_advice, reviews);
        }
    }

    #[test]
    fn the_residual_picture_has_no_high_risk_and_mirrors_copenhagen_2021() {
        let (_dir, ws) = demo();
        for (who, d, report) in reports(&ws) {
            let p = &report.picture;
            assert_eq!(p.after.counts.high, 0, "{who}: no high residual risk");
            assert!(p.before.counts.high >= 9, "{who}: several high risks before measures");
            assert!(p.after.medium_percent <= report.policy.max_medium_percent, "{who}: within the acceptance policy");
            for e in d.items.risks.iter().filter(|e| e.applies()) {
                let r = &e.item;
                for dim in Dimension::ALL {
                    let (before, after) = (r.inherent.rating(*dim), r.residual.rating(*dim));
                    assert!(after.level() <= before.level() || !r.residual_reason.is_blank(), "{who}: {} {dim:?} rises", r.reference);
                }
            }
        }
        let base = check::check(&base_only(&ws), &CheckContext { is_base: true, policy: Default::default(), today: today() });
        let (before, after) = (base.picture.before.counts, base.picture.after.counts);
        assert_eq!((before.low, before.medium, before.high), (0, 3, 9));
        assert_eq!((after.low, after.medium, after.high), (7, 5, 0), "Copenhagen 2021: 7 low (58 %), 5 medium (42 %)");
        assert_eq!((base.picture.after.low_percent, base.picture.after.medium_percent), (58, 42));
        let kbh = ws.view().effective(KOEBENHAVN).unwrap();
        let (_, after) = kbh.distribution();
        assert_eq!((after.low, after.medium, after.high), (6, 7, 0), "as København's prior-consultation text says");
    }

    #[test]
    fn the_sample_is_pure_and_survives_the_workspace_unchanged() {
        assert_eq!(aula(), aula());
        let (_dir, ws) = demo();
        let (coordination, base, supplements) = aula();
        let mut read = ws.coordination().unwrap();
        let published = std::mem::take(&mut read.releases);
        assert_eq!(read, coordination);
        assert_eq!(published.len(), 1, "create_demo publishes release {VERSION}");
        assert_eq!(*published[0].base().unwrap(), base, "release {VERSION} is the sample's base");
        assert_eq!(ws.base().unwrap(), base, "the base's items are listed in reference order");
        for s in supplements {
            let mut read = ws.supplement(s.meta.org.unwrap()).unwrap();
            let mut expected = s.clone();
            for v in [&mut read, &mut expected] {
                v.signatories.sort_by(|a, b| a.id.cmp(&b.id));
                v.subject_counts.sort_by(|a, b| a.target.cmp(&b.target));
                v.not_applicable.sort_by(|a, b| a.target.cmp(&b.target));
            }
            assert_eq!(read, expected, "{}", s.meta.name);
        }
    }
}
