//! Every code the check declares is emitted by a real run of the `konsekvens` binary
//! (issue #16: «make every code reachable from a real run, and test that»).
//!
//! The codes are read from the binary itself (`konsekvens schema --check`: the enum of a
//! finding's code, generated from the table in crates/core/src/check/codes.rs), so a code
//! added to the table without a run that reaches it fails here. The runs:
//! - the deliberately flawed copies of the three samples (`demo --sample … --flawed`), base
//!   and every municipality;
//! - a new, empty joint DPIA (`new`), base and municipality;
//! - DPIAs a user could have written, exported and imported (`import json`): FlexBørn
//!   with the flaws the samples do not carry (one file per group of flaws that would hide
//!   each other: an unrated risk leaves the acceptance undecided, so the outcome rules get
//!   files of their own);
//! - what only the workspace's history or another command makes: a release published after
//!   the municipalities confirmed theirs (`release publish`), a supplier sheet imported after
//!   the last review (`import sheet`), a CNIL PIA with the evaluator's verdicts (`import
//!   cnil --into`), a «not covered» reason recorded with `sheet uncover`.

use konsekvens_core::interchange::JointDpiaFile;
use konsekvens_core::model::*;
use konsekvens_e2e::{konsekvens, stderr, stdout};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Codes no CLI run can emit, with the reason. Keep this empty unless a code truly cannot
/// arise from what the CLI can write or read.
const EXEMPT: &[(&str, &str)] = &[
    // A link to an item that does not exist: `import json` refuses such a file (K-JSON-*,
    // with the JSON path), and no CLI command deletes an item another one links to. It
    // arises in the app (the coordinator deletes a risk a measure still mitigates, reached
    // by the app's command test named below) and when the hub merges a deletion with a new
    // link made at the same time; the rule table (check/tests.rs) covers it too.
    ("K-5-2-REF-DANGLING", "import json refuses dangling links and the CLI deletes no items; deleting a linked risk in the app makes one (src-tauri tests: deleting_a_linked_risk_in_the_app_…)"),
    // The same for a supplement's deviation («not applicable», a local rating) aimed at a base
    // item that does not exist: `import json` refuses it (its links check covers the
    // supplements' targets), and no CLI command removes a base item. In the app, the
    // coordinator deleting a base item a municipality deviates from makes it.
    ("K-JOINT-UNRESOLVED", "import json refuses a deviation from a missing base item; deleting the item in the app and confirming the release makes one (src-tauri tests: deleting_a_linked_risk_in_the_app_…)"),
];

fn ok(out: std::process::Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}", stderr(&out));
    stdout(&out)
}

/// The codes of `check --json` on the base (`None`) or a municipality.
fn codes(ws: &Path, org: Option<u16>) -> BTreeSet<String> {
    let mut args: Vec<String> = vec!["check".into(), ws.to_string_lossy().into(), "--json".into()];
    if let Some(o) = org {
        args.extend(["--org".into(), o.to_string()]);
    }
    let out = konsekvens(&args);
    // exit 1 is «the check found errors»: the JSON is on stdout either way
    assert!(matches!(out.status.code(), Some(0 | 1)), "check {args:?}: {}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("check --json {args:?}: {e}"));
    report["findings"].as_array().expect("findings").iter().map(|f| f["code"].as_str().expect("a code").to_owned()).collect()
}

/// Every code the binary's `check --json` schema declares.
fn declared() -> BTreeSet<String> {
    let schema: serde_json::Value = serde_json::from_str(&ok(konsekvens(["schema", "--check"]), "schema --check")).unwrap();
    let mut found = BTreeSet::new();
    fn walk(v: &serde_json::Value, found: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Array(e)) = m.get("enum") {
                    found.extend(e.iter().filter_map(|x| x.as_str()).filter(|s| s.starts_with("K-")).map(str::to_owned));
                }
                m.values().for_each(|x| walk(x, found));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, found)),
            _ => {}
        }
    }
    walk(&schema, &mut found);
    found
}

/// Writes `file` as JSON and imports it with the CLI into a new workspace.
fn imported(dir: &Path, name: &str, file: &JointDpiaFile) -> PathBuf {
    let json = dir.join(format!("{name}.json"));
    std::fs::write(&json, file.to_json()).unwrap();
    let ws = dir.join(format!("{name}.konsekvens"));
    ok(konsekvens(["import".as_ref(), "json".as_ref(), json.as_os_str(), "--out".as_ref(), ws.as_os_str()]), &format!("import json {name}"));
    ws
}

fn orgs(file: &JointDpiaFile) -> Vec<Option<u16>> {
    std::iter::once(None).chain(file.supplements.iter().filter_map(|s| s.meta.org).map(|o| Some(o.0))).collect()
}

fn id(s: &str) -> ItemId {
    ItemId(s.into())
}

/// FlexBørn with the flaws of the description, the register and the supplements that the
/// flawed samples do not carry.
fn items_flawed() -> JointDpiaFile {
    let mut f = konsekvens_core::sample::flexboern();
    let b = &mut f.base;
    b.description.third_country_access = Some(false);
    b.description.third_country_reason = "Alt hostes i EU hos RuteData i Frankfurt.".into(); // but a transfer is described
    b.prior_consultation.required = None;
    b.wp248.large_scale.met = None;
    b.review_plan.next_review = Some(Day::ymd(2026, 1, 1));
    b.description.retention = Prose::default();
    let i = &mut b.items;
    i.processes[0].operations.clear();
    i.data_categories[0].class = None;
    i.data_categories[1].retention = Prose::default();
    i.data_categories.push(DataCategory { id: id("d-attest"), reference: Reference("D90".into()), name: "Børneattester for chauffører".into(), class: Some(DataClass::Confidential), examples: "Attest indhentet ved ansættelse".into(), retention: "Slettes 5 år efter ansættelsens ophør".into(), ..Default::default() });
    for p in &mut i.purposes {
        p.legal_basis.art9.clear();
    }
    i.purposes[1].description = "Kørsel".into();
    i.purposes[1].legal_basis.art6.clear();
    i.purposes[1].necessity.transfers = Prose::default();
    i.purposes[0].necessity = Necessity::default();
    i.subject_categories[3].count = None;
    i.subject_categories[0].vulnerable_reason = Prose::default();
    i.subject_categories[1].name = "Pårørende".into(); // parents use the app, but are no longer among the subjects
    i.recipients.push(Recipient { id: id("mt-foraeldre"), reference: Reference("MT90".into()), name: "Forældre".into(), side: Some(AccessSide::External), access: "Eget barns kørselstider i appen".into() });
    i.recipients.push(Recipient { id: id("mt-paed"), reference: Reference("MT91".into()), name: "Pædagoger på specialskolerne".into(), side: None, access: "Modtager barnet".into() });
    i.transfers[0].basis = None;
    i.risks[0].residual.integrity.likelihood = None;
    i.risks[1].residual.availability.consequence_reason = Prose::default();
    i.risks[1].residual.availability.unaffected = false;
    i.risks[2].acceptance = "Risikoen vurderes acceptabel.".into();
    // R4 (the supplier's T7) no longer handled by any measure; R2 by none either
    for m in &mut i.measures {
        m.mitigates.remove(&id("risk-cloud-act"));
        m.mitigates.remove(&id("risk-mistet-telefon"));
    }
    i.risks[1].acceptance = Prose::default();
    i.risks[3].acceptance = Prose::default();
    i.measures[0].status = None;
    i.measures[1].status = Some(MeasureStatus::Planned);
    i.measures[1].planned_date = None;
    i.measures[3].status = Some(MeasureStatus::Planned);
    i.measures[3].planned_date = Some(Day::ymd(2026, 9, 1));
    i.measures[4].owner = None;
    i.measures[5].status = Some(MeasureStatus::Rejected);
    i.measures[5].rejection_reason = Prose::default();
    i.measures[0].evidence.clear();
    i.measures[0].owner = Some(Owner::Supplier);
    i.evidence[0].date = Some(Day::ymd(2025, 1, 10)); // an ISAE 3000 statement almost two years old
    i.modules[0].reference = Reference::default();
    i.sources[0].reference = i.modules[1].reference.clone();
    i.dpo_advice[0].response = None;
    i.dpo_advice[0].date = None;
    i.dpo_advice[0].concerns_version = "2024.2".into();
    i.subject_views[0].response = Prose::default();
    // Køge: a condition undeclared, a local rating and a local deviation without reasons
    let risk = f.base.items.risks[2].clone();
    let koege = &mut f.supplements[0];
    koege.conditions.same_data.met = None;
    koege.risk_overrides.push(RiskOverride { target: risk.id.clone(), inherent: Some(risk.residual.clone()), residual: None, reason: Prose::default() });
    koege.measure_statuses.push(LocalMeasureStatus { target: id("m-noedprocedure"), state: Some(LocalMeasureState::ImplementedDifferently), text: Prose::default() });
    // Roskilde: a condition not met and one without a reason, a purpose and a module of its
    // own that no local risk assesses, the DPO's advice overruled without a reason
    let purpose = f.base.items.purposes[0].clone();
    let roskilde = &mut f.supplements[1];
    roskilde.conditions.same_processing.met = Some(false);
    roskilde.conditions.similar_risks.reason = Prose::default();
    roskilde.additions.purposes.push(Purpose { id: id("ros-f1"), reference: Reference("ROS-F1".into()), title: "Kørsel til fritidstilbud".into(), ..purpose });
    roskilde.additions.modules.push(Module { id: id("ros-mod1"), reference: Reference("ROS-MOD1".into()), name: "Roskildes egen forældreapp".into(), description: "Viser afhentningstider".into() });
    roskilde.additions.dpo_advice[0].response = Some(AdviceResponse::Overruled);
    roskilde.additions.dpo_advice[0].response_reason = Prose::default();
    roskilde.meta.base_release = "2099.1".into(); // a release that is not in this workspace
    f
}

/// FlexBørn whose risk R1 is high after measures although it was low before: the base says
/// no prior consultation is needed, Køge has it required but not submitted, Roskilde
/// submitted it.
fn high_residual() -> JointDpiaFile {
    let mut f = konsekvens_core::sample::flexboern();
    let r = &mut f.base.items.risks[0];
    for d in Dimension::ALL {
        let before = r.inherent.rating_mut(*d);
        *before = Rating { consequence: Some(Consequence::Limited), likelihood: Some(Likelihood::Unlikely), ..Rating::default() };
        before.consequence_reason = format!("Et barn kan blive sat af forkert sted ({})", d.danish()).as_str().into();
        before.likelihood_reason = format!("Sket to gange i 2025 ({})", d.danish()).as_str().into();
        let after = r.residual.rating_mut(*d);
        *after = Rating { consequence: Some(Consequence::Devastating), likelihood: Some(Likelihood::Likely), ..Rating::default() };
        after.consequence_reason = format!("Chaufførernes nye app viser ikke hensyn ({})", d.danish()).as_str().into();
        after.likelihood_reason = format!("Vikarchauffører uden oplæring ({})", d.danish()).as_str().into();
    }
    r.residual_reason = Prose::default();
    f.base.prior_consultation = PriorConsultation { required: Some(false), reason: "Vi vurderer ikke, at høring er nødvendig.".into(), ..Default::default() };
    f.supplements[0].prior_consultation = PriorConsultation { required: Some(true), reason: "Høj restrisiko for R1.".into(), ..Default::default() };
    f.supplements[1].prior_consultation = PriorConsultation { required: Some(true), reason: "Høj restrisiko for R1.".into(), submitted: Some(Day::ymd(2026, 10, 1)), case_number: "2026-31-1234".into(), ..Default::default() };
    f
}

/// FlexBørn with every risk medium after measures: outside the acceptance policy (at most
/// 70 % medium), without a high one; and special-category data named in the description
/// that no category is classified as.
fn all_medium() -> JointDpiaFile {
    let mut f = konsekvens_core::sample::flexboern();
    // and the health data moved out of the categories, though the description still names it
    let health = f.base.items.data_categories.iter_mut().find(|c| c.class == Some(DataClass::Special)).expect("FlexBørn's health data");
    health.name = "Hensyn under kørslen".into();
    health.examples = "Fx fast siddeplads og hvem der må tage imod barnet".into();
    health.class = Some(DataClass::Confidential);
    f.base.description.summary = format!("{} Chaufføren ser barnets diagnoser og medicin, hvis det er nødvendigt under kørslen.", f.base.description.summary.as_str()).as_str().into();
    for r in &mut f.base.items.risks {
        for d in Dimension::ALL {
            let a = r.residual.rating_mut(*d);
            if !a.unaffected {
                a.consequence = Some(Consequence::Serious);
                a.likelihood = Some(Likelihood::Possible);
            }
        }
    }
    f
}

/// The CNIL tool's sample PIA (crates/exchange/testdata) as its evaluator might have left
/// it: a measure and a risk «to be corrected», a measure and a risk «to be improved».
fn cnil_with_every_verdict() -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/exchange/testdata/cnil-pia-aula.json")).unwrap();
    let mut pia: serde_json::Value = serde_json::from_str(&text).unwrap();
    let evaluations = pia["evaluations"].as_array_mut().unwrap();
    let mut next_id = evaluations.iter().filter_map(|e| e["id"].as_i64()).max().unwrap_or(0);
    let template = evaluations.iter().find(|e| e["reference_to"] == "3.1.4").expect("the measure evaluation").clone();
    for e in evaluations.iter_mut() {
        match e["reference_to"].as_str() {
            Some("3.1.4") | Some("3.3") => e["status"] = 1.into(), // to be corrected
            Some("3.2") => e["status"] = 2.into(),                  // to be improved
            _ => {}
        }
    }
    next_id += 1;
    let mut improve = template;
    improve["reference_to"] = "3.1.2".into();
    improve["status"] = 2.into();
    improve["id"] = next_id.into();
    evaluations.push(improve);
    serde_json::to_string(&pia).unwrap()
}

#[test]
fn every_code_the_check_declares_is_emitted_by_a_real_cli_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // code → the first run that emitted it
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut note = |run: &str, codes: BTreeSet<String>| {
        for c in codes {
            seen.entry(c).or_insert_with(|| run.to_owned());
        }
    };

    // the flawed samples
    for (sample, orgs) in [("aula", &[101u16, 561, 751][..]), ("flexboern", &[259, 265][..]), ("ballerup", &[][..])] {
        let ws = d.join(format!("{sample}-flawed.konsekvens"));
        ok(konsekvens(["demo".as_ref(), ws.as_os_str(), "--sample".as_ref(), sample.as_ref(), "--flawed".as_ref()]), "demo --flawed");
        note(&format!("demo --sample {sample} --flawed"), codes(&ws, None));
        for o in orgs {
            note(&format!("demo --sample {sample} --flawed, --org {o}"), codes(&ws, Some(*o)));
        }
    }

    // a new, empty joint DPIA
    let empty = d.join("ny.konsekvens");
    ok(konsekvens(["new".as_ref(), empty.as_os_str(), "--title".as_ref(), "Konsekvensanalyse for Skoleportal".as_ref(), "--system".as_ref(), "Skoleportal".as_ref(), "--participant".as_ref(), "253 Greve GRE".as_ref()]), "new");
    note("new", codes(&empty, None));
    note("new, --org 253", codes(&empty, Some(253)));

    // flaws the samples do not carry, exported and imported as a user would
    for (name, file) in [("items", items_flawed()), ("high", high_residual()), ("medium", all_medium())] {
        let ws = imported(d, name, &file);
        for o in orgs(&file) {
            note(&format!("import json {name}{}", o.map(|o| format!(", --org {o}")).unwrap_or_default()), codes(&ws, o));
        }
    }

    // the AULA demo: a release published after the municipalities confirmed theirs
    let aula = d.join("aula.konsekvens");
    ok(konsekvens(["demo".as_ref(), aula.as_os_str()]), "demo");
    note("demo", codes(&aula, None));
    ok(konsekvens(["release".as_ref(), "publish".as_ref(), aula.as_os_str(), "--name".as_ref(), "2026.1".as_ref()]), "release publish");
    note("release publish, --org 101", codes(&aula, Some(101)));

    // FlexBørn: its municipalities bound to no release once one is published; a supplier
    // sheet imported into the base after the last review; a «not covered» reason that is
    // only the conclusion; a CNIL PIA with the evaluator's verdicts in Køge's supplement
    let flex = imported(d, "flex", &konsekvens_core::sample::flexboern());
    ok(konsekvens(["release".as_ref(), "publish".as_ref(), flex.as_os_str(), "--name".as_ref(), "2026.1".as_ref()]), "release publish");
    let sheet = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/exchange/testdata/KOMBIT-Beskeder.csv");
    ok(konsekvens(["import".as_ref(), "sheet".as_ref(), sheet.as_os_str(), "--into".as_ref(), flex.as_os_str(), "--source".as_ref(), "RuteData Beskeder".as_ref()]), "import sheet");
    ok(konsekvens(["sheet".as_ref(), "uncover".as_ref(), flex.as_os_str(), "--sheet".as_ref(), "ARK1".as_ref(), "--threat".as_ref(), "T6".as_ref(), "--reason".as_ref(), "Ikke relevant.".as_ref()]), "sheet uncover");
    let cnil = d.join("cnil-pia.json");
    std::fs::write(&cnil, cnil_with_every_verdict()).unwrap();
    ok(konsekvens(["import".as_ref(), "cnil".as_ref(), cnil.as_os_str(), "--into".as_ref(), flex.as_os_str(), "--org".as_ref(), "259".as_ref()]), "import cnil");
    note("release publish + import sheet + sheet uncover", codes(&flex, None));
    note("import cnil --into --org 259", codes(&flex, Some(259)));

    let declared = declared();
    assert!(declared.len() > 80, "the schema lists the table's codes: {}", declared.len());
    let exempt: BTreeSet<&str> = EXEMPT.iter().map(|(c, _)| *c).collect();
    for (code, _) in EXEMPT {
        assert!(declared.contains(*code), "{code} is exempt but not declared");
        assert!(!seen.contains_key(*code), "{code} is exempt but a run emits it ({}): drop the exemption", seen[*code]);
    }
    let unknown: Vec<&String> = seen.keys().filter(|c| !declared.contains(*c)).collect();
    assert!(unknown.is_empty(), "emitted but not declared: {unknown:?}");
    let unreached: Vec<&String> = declared.iter().filter(|c| !seen.contains_key(*c) && !exempt.contains(c.as_str())).collect();
    assert!(unreached.is_empty(), "declared in codes.rs but emitted by no CLI run: {unreached:?}\n(reached: {seen:#?})");
}
