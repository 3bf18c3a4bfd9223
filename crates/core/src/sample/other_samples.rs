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

#[test]
fn a_flawed_copy_of_each_sample_is_flagged_on_every_point() {
    for (name, mut file) in [("AULA", aula_file()), ("FlexBørn", flexboern()), ("Ballerup", ballerup())] {
        let (expect, expect_local) = flawed(&mut file);
        let reports = reports(&file);
        let (_, base) = &reports[0];
        let missing: Vec<&&str> = expect.iter().filter(|c| !base.has(c)).collect();
        assert!(missing.is_empty(), "{name}: not flagged: {missing:?}; got {:?}", base.findings.iter().map(|f| &f.code).collect::<Vec<_>>());
        // a supplement's «not relevant» that is only the conclusion
        assert_eq!(expect_local.is_empty(), file.supplements.is_empty());
        if let Some((_, kommune)) = reports.get(1) {
            let missing: Vec<&&str> = expect_local.iter().filter(|c| !kommune.has(c)).collect();
            assert!(missing.is_empty(), "{name}: the first municipality is not flagged: {missing:?}");
        }
    }
}

#[test]
fn the_report_lists_every_new_code_it_finds() {
    // the PDF and the Word copy print the report's findings table: every code found is in it
    let mut file = flexboern();
    let (expect, _) = flawed(&mut file);
    let d = EffectiveDpia::compute(&file.coordination, &file.base, &Supplement::default(), &Participant::joint_base());
    let findings = check::check(&d, &CheckContext { is_base: true, policy: Default::default(), today: today() });
    let options = crate::report::ReportOptions { is_base: true, findings: Some(crate::report::findings(&findings, check::Lang::Da)), ..crate::report::ReportOptions::new(today()) };
    let text = format!("{:?}", crate::report::Report::of(&d, &options).blocks);
    for code in expect {
        assert!(text.contains(code), "{code} is not in the printed report");
    }
}

#[test]
fn the_report_prints_each_imported_sheet_with_what_covers_each_threat() {
    // FlexBørn's RuteData sheet: T7 is R4's, T5 and T6 are not covered, with their reasons
    let file = flexboern();
    let d = EffectiveDpia::compute(&file.coordination, &file.base, &Supplement::default(), &Participant::joint_base());
    let findings = check::check(&d, &CheckContext { is_base: true, policy: Default::default(), today: today() });
    for (with_findings, letter) in [(true, 'B'), (false, 'A')] {
        let options = crate::report::ReportOptions {
            is_base: true,
            findings: with_findings.then(|| crate::report::findings(&findings, check::Lang::Da)),
            ..crate::report::ReportOptions::new(today())
        };
        let text = format!("{:?}", crate::report::Report::of(&d, &options).blocks);
        let annex = &text[text.find(&format!("Bilag {letter}. Importerede leverandørark")).unwrap_or_else(|| panic!("no annex {letter}"))..];
        let sheet = &file.base.items.supplier_sheets[0];
        assert!(annex.contains(&format!("{} {}", sheet.reference, sheet.label)), "{annex}");
        assert!(annex.contains(&sheet.version) && annex.contains("Importeret"), "identity, version, imported when");
        for (number, threat) in &sheet.threats {
            assert!(annex.contains(&format!("\"{number}\"")), "{number}");
            if threat.not_covered_reason.is_empty() {
                let risk = file.base.items.risks.iter().find(|r| r.source_reference.contains(number.as_str())).expect("a covering risk");
                assert!(annex.contains(&format!("\"{}\"", risk.reference)), "{number} covered by {}", risk.reference);
            } else {
                assert!(annex.contains(threat.not_covered_reason.trim()), "{number}'s reason");
            }
        }
    }
    // a DPIA without imported sheets has no such annex
    let ballerup = ballerup();
    let d = EffectiveDpia::compute(&ballerup.coordination, &ballerup.base, &Supplement::default(), &Participant::joint_base());
    if d.items.supplier_sheets.is_empty() {
        let text = format!("{:?}", crate::report::Report::of(&d, &crate::report::ReportOptions::new(today())).blocks);
        assert!(!text.contains("Importerede leverandørark"));
    }
}
