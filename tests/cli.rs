//! The CLI contract other issues and scripts build on: exact command forms, exit codes
//! (0 ok, 1 a reported problem, 2 bad usage or unreadable input), errors on stderr.

use konsekvens_e2e::{konsekvens, stderr, stdout};
use std::path::Path;

fn demo(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("aula.konsekvens");
    let out = konsekvens(["demo".as_ref(), path.as_os_str()]);
    assert!(out.status.success(), "demo failed: {}", stderr(&out));
    path
}

#[test]
fn show_prints_koebenhavns_effective_dpia_with_local_deviations_marked() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let out = konsekvens(["show".as_ref(), ws.as_os_str(), "--org".as_ref(), "101".as_ref()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("København (101)"), "{text}");
    assert!(text.contains("[LOKAL]"), "local items are marked");
    assert!(text.contains("[AFVIGELSE]"), "overrides are marked");
    assert!(text.contains("Fælles basis vurderer"), "the base value stands beside the local one");
    assert!(text.contains("KBH-"), "local references carry the municipality prefix");
    assert!(text.to_lowercase().contains("2-faktor") || text.contains("to-faktor"), "København's 2FA measure");
    for heading in ["Systematisk beskrivelse", "Nødvendighed og proportionalitet", "WP248", "Risici", "Foranstaltninger", "art. 36"] {
        assert!(text.contains(heading), "missing section {heading}");
    }
}

#[test]
fn show_without_org_prints_the_base_without_local_items() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let out = konsekvens(["show".as_ref(), ws.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("fælles basis"));
    assert!(!text.contains("[LOKAL]") && !text.contains("KBH-"));
}

#[test]
fn esbjerg_and_aarhus_differ_from_koebenhavn() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let show = |org: &str| stdout(&konsekvens(["show".as_ref(), ws.as_os_str(), "--org".as_ref(), org.as_ref()]));
    let (kbh, esb, aar) = (show("101"), show("561"), show("751"));
    assert!(esb.contains("Esbjerg (561)") && aar.contains("Aarhus (751)"));
    assert_ne!(kbh, esb);
    assert!(!esb.contains("KBH-") && !aar.contains("KBH-"));
}

#[test]
fn json_export_import_export_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let a = dir.path().join("a.json");
    let copy = dir.path().join("copy.konsekvens");
    let b = dir.path().join("b.json");
    for args in [
        vec!["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), a.as_os_str()],
        vec!["import".as_ref(), "json".as_ref(), a.as_os_str(), "--out".as_ref(), copy.as_os_str()],
        vec!["export".as_ref(), "json".as_ref(), copy.as_os_str(), "--out".as_ref(), b.as_os_str()],
    ] {
        let out = konsekvens(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let (a, b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(a.len() > 10_000, "the sample is substantial");
    assert!(a == b, "export → import → export changed the bytes");
}

/// A file a DPO edited on Windows: CRLF line ends, and the byte order mark Notepad's
/// «UTF-8 with BOM» and PowerShell 5's `Out-File -Encoding utf8` write. It imports as the
/// original does (it was refused as «not valid JSON at line 1, column 1»).
#[test]
fn a_json_file_saved_on_windows_with_crlf_and_a_bom_imports_as_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let a = dir.path().join("a.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), a.as_os_str()]).status.success());
    let original = std::fs::read(&a).unwrap();
    let windows = dir.path().join("windows.json");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(String::from_utf8(original.clone()).unwrap().replace('\n', "\r\n").into_bytes());
    std::fs::write(&windows, &bytes).unwrap();
    let copy = dir.path().join("copy.konsekvens");
    let out = konsekvens(["import".as_ref(), "json".as_ref(), windows.as_os_str(), "--out".as_ref(), copy.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let b = dir.path().join("b.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), copy.as_os_str(), "--out".as_ref(), b.as_os_str()]).status.success());
    assert!(std::fs::read(&b).unwrap() == original, "the Windows copy imported differently");
}

#[test]
fn a_truncated_json_file_is_refused_and_no_workspace_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let json = dir.path().join("a.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), json.as_os_str()]).status.success());
    let text = std::fs::read_to_string(&json).unwrap();
    std::fs::write(&json, &text[..text.len() / 2]).unwrap();
    let target = dir.path().join("new.konsekvens");
    let out = konsekvens(["import".as_ref(), "json".as_ref(), json.as_os_str(), "--out".as_ref(), target.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("line") && err.contains("column"), "{err}");
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary files left behind");
}

#[test]
fn a_hand_broken_json_file_names_the_path_of_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let json = dir.path().join("a.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), json.as_os_str()]).status.success());
    let text = std::fs::read_to_string(&json).unwrap();
    let broken = text.replacen("\"likelihood\": \"expected\"", "\"likelihood\": \"meget høj\"", 1);
    assert_ne!(broken, text, "the sample has an expected likelihood to break");
    std::fs::write(&json, broken).unwrap();
    let target = dir.path().join("new.konsekvens");
    let out = konsekvens(["import".as_ref(), "json".as_ref(), json.as_os_str(), "--out".as_ref(), target.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("likelihood") && err.contains("meget høj") && err.contains("risks["), "{err}");
    assert!(!target.exists());
}

#[test]
fn import_never_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let json = dir.path().join("a.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), json.as_os_str()]).status.success());
    let before = std::fs::read(&ws).unwrap();
    let out = konsekvens(["import".as_ref(), "json".as_ref(), json.as_os_str(), "--out".as_ref(), ws.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&ws).unwrap(), before);
}

#[test]
fn a_corrupt_workspace_file_gets_a_clear_error_and_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let bytes = std::fs::read(&ws).unwrap();
    for (name, damaged) in [("truncated", bytes[..bytes.len() / 3].to_vec()), ("garbage", b"PK\x03\x04 not a database".to_vec())] {
        let path = dir.path().join(format!("{name}.konsekvens"));
        std::fs::write(&path, &damaged).unwrap();
        let out = konsekvens(["show".as_ref(), path.as_os_str(), "--org".as_ref(), "101".as_ref()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(&path.display().to_string()), "{name}: the message names the file: {err}");
        assert!(err.contains("not a Konsekvens workspace") || err.contains("damaged"), "{name}: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), damaged, "{name}: the file is unchanged");
    }
}

#[test]
fn an_unknown_municipality_is_a_reported_problem() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let out = konsekvens(["show".as_ref(), ws.as_os_str(), "--org".as_ref(), "999".as_ref()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("999"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(konsekvens(["show"]).status.code(), Some(2));
    assert_eq!(konsekvens(["frobnicate"]).status.code(), Some(2));
    let out = konsekvens(["show", "x.konsekvens", "--org", "KBH"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("municipality code"), "{}", stderr(&out));
    let missing = konsekvens(["show", "/nonexistent/x.konsekvens"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no such workspace file"));
}

#[test]
fn the_demo_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let out = konsekvens(["demo".as_ref(), ws.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_check_passes_the_sample_and_prints_its_risk_picture() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    for org in [None, Some("101"), Some("561"), Some("751")] {
        let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), ws.as_os_str()];
        if let Some(code) = org {
            args.extend([std::ffi::OsStr::new("--org"), std::ffi::OsStr::new(code)]);
        }
        let out = konsekvens(args);
        assert_eq!(out.status.code(), Some(0), "{org:?}: {}", stdout(&out));
        let text = stdout(&out);
        assert!(text.contains("0 fejl") && text.contains("Risikobillede"), "{text}");
    }
}

/// `check --all`: one line per DPIA with the same counts as each `check --org`, every
/// report in JSON, and exit 1 when one of them has an error (a flawed sample).
#[test]
fn check_all_lists_the_base_and_every_municipality_as_each_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let out = konsekvens(["check".as_ref(), ws.as_os_str(), "--all".as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Kontrol af den fælles basis og 3 kommuners konsekvensanalyser"), "{text}");
    let out = konsekvens(["check".as_ref(), ws.as_os_str(), "--all".as_ref(), "--json".as_ref()]);
    let all: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.iter().map(|r| r["org"].clone()).collect::<Vec<_>>(), [serde_json::Value::Null, 101.into(), 561.into(), 751.into()]);
    for entry in all {
        let mut args: Vec<String> = vec!["check".into(), ws.to_string_lossy().into(), "--json".into()];
        if let Some(code) = entry["org"].as_u64() {
            args.extend(["--org".into(), code.to_string()]);
        }
        let alone: serde_json::Value = serde_json::from_str(&stdout(&konsekvens(&args))).unwrap();
        assert_eq!(entry["report"], alone, "{}", entry["org"]);
        let line = format!("{:<5} {}", entry["org"].as_u64().map(|c| c.to_string()).unwrap_or("—".into()), alone["subject"].as_str().unwrap().chars().take(32).collect::<String>());
        assert!(text.contains(&line), "{line} missing from:\n{text}");
    }

    let flawed = dir.path().join("fejl.konsekvens");
    assert!(konsekvens(["demo".as_ref(), flawed.as_os_str(), "--sample".as_ref(), "flexboern".as_ref(), "--flawed".as_ref()]).status.success());
    let out = konsekvens(["check".as_ref(), flawed.as_os_str(), "--all".as_ref(), "--lang".as_ref(), "en".as_ref()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("errors in"), "{}", stdout(&out));
    let out = konsekvens(["check".as_ref(), ws.as_os_str(), "--all".as_ref(), "--org".as_ref(), "101".as_ref()]);
    assert_eq!(out.status.code(), Some(2), "--all and --org exclude each other");
}

#[test]
fn a_dpia_stripped_of_necessity_dpo_advice_and_gdpr_basis_fails_in_danish() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let json = dir.path().join("aula.json");
    let out = konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), json.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // What Datatilsynet found missing in Copenhagen's DPIA, removed from the joint base.
    let mut file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for purpose in file["base"]["items"]["purposes"].as_array_mut().unwrap() {
        purpose["necessity"] = serde_json::json!({});
        purpose["legal_basis"]["art6"] = serde_json::json!([]);
        purpose["legal_basis"]["art9"] = serde_json::json!([]);
    }
    file["base"]["items"]["dpo_advice"] = serde_json::json!([]);
    let stripped = dir.path().join("stripped.json");
    std::fs::write(&stripped, serde_json::to_string(&file).unwrap()).unwrap();
    let bare = dir.path().join("stripped.konsekvens");
    let out = konsekvens(["import".as_ref(), "json".as_ref(), stripped.as_os_str(), "--out".as_ref(), bare.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = konsekvens(["check".as_ref(), bare.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "errors exit 1");
    let text = stdout(&out);
    for (code, danish) in [
        ("K-35-7-B-MISSING", "nødvendighed og proportionalitet"),
        ("K-35-2-DPO-MISSING", "rådgivning"),
        ("K-35-7-A-LEGAL-GDPR", "retsgrundlag"),
    ] {
        assert!(text.contains(code), "{code} missing from:\n{text}");
        assert!(text.to_lowercase().contains(danish), "{danish} missing from:\n{text}");
    }
}

/// Python's `jsonschema` from the test venv (scripts/common.sh installs it into target/pyenv);
/// `None` (a skip) when it is missing, a failure under CI.
fn python_with_jsonschema() -> Option<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let python = root.join("target/pyenv/bin/python");
    let ok = python.is_file() && std::process::Command::new(&python).args(["-c", "import jsonschema"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "Python's jsonschema is required under CI: run scripts/test (it installs it into target/pyenv)");
        eprintln!("SKIP: Python's jsonschema is not in target/pyenv");
    }
    ok.then_some(python)
}

/// `DOC` against `SCHEMA` with Python's jsonschema (the draft the schema names).
fn validate(python: &Path, schema: &Path, doc: &Path) -> std::process::Output {
    std::process::Command::new(python)
        .args(["-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))"])
        .arg(schema)
        .arg(doc)
        .output()
        .expect("run python")
}

/// What a script reading our JSON relies on: the export and the check's report validate
/// against the schemas in schema/, by a validator we did not write.
#[test]
fn the_json_we_print_validates_against_the_schemas_we_publish() {
    let Some(python) = python_with_jsonschema() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let export = dir.path().join("aula.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), export.as_os_str()]).status.success());
    let mut cases = vec![(root.join(format!("schema/joint-dpia.v{}.schema.json", konsekvens_core::interchange::VERSION)), export)];
    for org in ["101", "561", "751"] {
        let out = konsekvens(["check".as_ref(), ws.as_os_str(), "--org".as_ref(), org.as_ref(), "--json".as_ref()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report = dir.path().join(format!("check-{org}.json"));
        std::fs::write(&report, &out.stdout).unwrap();
        cases.push((root.join("schema/check-report.v1.schema.json"), report));
    }
    // a report with findings and an undecided acceptance: the working base, its risks without
    // residual ratings (the municipalities stand on release 2025.1, which keeps them)
    let mut file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cases[0].1).unwrap()).unwrap();
    for risk in file["base"]["items"]["risks"].as_array_mut().unwrap() {
        risk["residual"] = serde_json::json!({});
    }
    let broken_json = dir.path().join("unrated.json");
    std::fs::write(&broken_json, serde_json::to_string(&file).unwrap()).unwrap();
    let broken = dir.path().join("unrated.konsekvens");
    assert!(konsekvens(["import".as_ref(), "json".as_ref(), broken_json.as_os_str(), "--out".as_ref(), broken.as_os_str()]).status.success());
    let out = konsekvens(["check".as_ref(), broken.as_os_str(), "--json".as_ref()]);
    assert_eq!(out.status.code(), Some(1), "unrated risks are errors");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["acceptance"], "incomplete");
    let unrated = dir.path().join("check-unrated.json");
    std::fs::write(&unrated, &out.stdout).unwrap();
    cases.push((root.join("schema/check-report.v1.schema.json"), unrated));

    for (schema, doc) in &cases {
        let out = validate(&python, schema, doc);
        assert!(out.status.success(), "{} does not validate against {}:\n{}", doc.display(), schema.display(), stderr(&out));
    }
    // and the validator does refuse what breaks the schema
    let mut wrong: serde_json::Value = serde_json::from_slice(&std::fs::read(&cases[1].1).unwrap()).unwrap();
    wrong["acceptance"] = "maybe".into();
    std::fs::write(&cases[1].1, wrong.to_string()).unwrap();
    let out = validate(&python, &cases[1].0, &cases[1].1);
    assert!(!out.status.success() && stderr(&out).contains("maybe"), "{}", stderr(&out));
}

/// Art. 35(11) from the content: a dated change in use after the last review is found by a
/// real run of `check` (not only by the rule table) — and every code the check's schema
/// lists has an explanation (`check --explain`).
#[test]
fn a_dated_change_after_the_last_review_is_found_by_a_real_run_and_every_code_explains_itself() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let json = dir.path().join("aula.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), json.as_os_str()]).status.success());
    let mut file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    file["base"]["items"]["use_changes"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "change-ny-skabelon", "reference": "ÆN9", "date": "2026-09-01", "kind": "new_module",
        "description": "Modulet Forløb er taget i brug til elevplaner.", "concerns": []
    }));
    let changed_json = dir.path().join("changed.json");
    std::fs::write(&changed_json, serde_json::to_string(&file).unwrap()).unwrap();
    let changed = dir.path().join("changed.konsekvens");
    assert!(konsekvens(["import".as_ref(), "json".as_ref(), changed_json.as_os_str(), "--out".as_ref(), changed.as_os_str()]).status.success());
    let out = konsekvens(["check".as_ref(), changed.as_os_str()]);
    let text = stdout(&out);
    assert!(text.contains("K-35-11-CHANGED") && text.contains("ÆN9"), "{text}");

    let schema: serde_json::Value = serde_json::from_slice(&konsekvens(["schema", "--check"]).stdout).unwrap();
    let codes = schema["$defs"]["Finding"]["properties"]["code"]["enum"].as_array().expect("the schema lists the codes").clone();
    assert!(codes.len() > 80, "{}", codes.len());
    for code in codes {
        let code = code.as_str().unwrap();
        let out = konsekvens(["check", "--explain", code]);
        assert!(out.status.success() && stdout(&out).starts_with(code) && stdout(&out).contains("Sådan rettes det"), "{code}: {}", stderr(&out));
    }
    let out = konsekvens(["check", "--explain", "K-FINDES-IKKE"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("[K-CHECK-UNKNOWN-CODE]"), "{}", stderr(&out));
}

/// The samples that are not AULA pass the check from the command line too, and one
/// municipality's own DPIA is not headed «Fælles basis».
#[test]
fn the_other_samples_pass_the_check_and_a_single_dpia_is_not_a_joint_base() {
    let dir = tempfile::tempdir().unwrap();
    let flex = dir.path().join("flex.konsekvens");
    assert!(konsekvens(["demo".as_ref(), flex.as_os_str(), "--sample".as_ref(), "flexboern".as_ref()]).status.success());
    for org in [None, Some("259"), Some("265")] {
        let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), flex.as_os_str()];
        if let Some(o) = org {
            args.push("--org".as_ref());
            args.push(o.as_ref());
        }
        let out = konsekvens(args);
        assert_eq!(out.status.code(), Some(0), "{org:?}: {}", stdout(&out));
        assert!(stdout(&out).contains("0 fejl, 0 advarsler"), "{}", stdout(&out));
    }
    let own = dir.path().join("ballerup.konsekvens");
    assert!(konsekvens(["demo".as_ref(), own.as_os_str(), "--sample".as_ref(), "ballerup".as_ref()]).status.success());
    let out = konsekvens(["check".as_ref(), own.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("Kontrol af konsekvensanalyse: Ballerup Kommune") && !stdout(&out).contains("Fælles basis"), "{}", stdout(&out));
}

/// The published schema is as strict as the importer: the bundled samples and an export
/// pass both; a file with an unknown field, a missing title or id, or a malformed date is
/// refused by both — by the schema through a validator we did not write, by `import json`
/// with a coded error naming the JSON path, and without writing a workspace. A link to no
/// item or an id used twice (which a JSON Schema cannot express) is refused by the importer.
#[test]
fn the_schema_and_the_importer_refuse_the_same_files() {
    let Some(python) = python_with_jsonschema() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let schema = root.join(format!("schema/joint-dpia.v{}.schema.json", konsekvens_core::interchange::VERSION));
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let export = dir.path().join("aula.json");
    assert!(konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), export.as_os_str()]).status.success());
    let mut good = vec![export.clone()];
    for sample in ["aula.joint-dpia.json", "flexboern.joint-dpia.json", "ballerup-skaermbesoeg.dpia.json"] {
        good.push(root.join("crates/core/data").join(sample));
    }
    for file in &good {
        let out = validate(&python, &schema, file);
        assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
    }
    let aula: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    type Change = fn(&mut serde_json::Value);
    let both: [(&str, &str, Change); 6] = [
        ("K-JSON-UKENDT-FELT", "$.base.items.measures[1]", |v| v["base"]["items"]["measures"][1]["titel"] = "stavefejl".into()),
        ("K-JSON-UKENDT-FELT", "$.supplements[0].meta", |v| v["supplements"][0]["meta"]["kommune"] = "København".into()),
        ("K-JSON-MANGLER", "$.base.items.risks[3]", |v| drop(v["base"]["items"]["risks"][3].as_object_mut().unwrap().remove("title"))),
        ("K-JSON-MANGLER", "$.base.items.processes[0]", |v| drop(v["base"]["items"]["processes"][0].as_object_mut().unwrap().remove("name"))),
        ("K-JSON-MANGLER", "$.supplements[0].additions.risks[0]", |v| drop(v["supplements"][0]["additions"]["risks"][0].as_object_mut().unwrap().remove("id"))),
        ("K-JSON-FORM", "planned_date", |v| v["base"]["items"]["measures"][0]["planned_date"] = "01.02.2027".into()),
    ];
    let importer_only: [(&str, &str, Change); 3] = [
        ("K-JSON-HENVISNING", "$.base.items.measures[1].mitigates", |v| v["base"]["items"]["measures"][1]["mitigates"] = serde_json::json!(["risk-findes-ikke"])),
        ("K-JSON-HENVISNING", "$.supplements[0].risk_overrides[0].target", |v| v["supplements"][0]["risk_overrides"][0]["target"] = "risk-findes-ikke".into()),
        ("K-JSON-DUBLET", "$.base.items.risks[1].id", |v| v["base"]["items"]["risks"][1]["id"] = v["base"]["items"]["risks"][0]["id"].clone()),
    ];
    for (i, (code, path, change)) in both.iter().chain(importer_only.iter()).enumerate() {
        let mut v = aula.clone();
        change(&mut v);
        let file = dir.path().join(format!("broken-{i}.json"));
        std::fs::write(&file, v.to_string()).unwrap();
        if i < both.len() {
            let out = validate(&python, &schema, &file);
            assert!(!out.status.success(), "the schema lets {code} at {path} through");
        }
        let out_ws = dir.path().join(format!("broken-{i}.konsekvens"));
        let out = konsekvens(["import".as_ref(), "json".as_ref(), file.as_os_str(), "--out".as_ref(), out_ws.as_os_str()]);
        let err = stderr(&out);
        assert!(!out.status.success() && err.contains(code) && err.contains(path), "{code} at {path}: {err}");
        assert!(!out_ws.exists(), "a refused file writes nothing");
    }
}

#[test]
fn export_json_warns_of_links_to_items_that_do_not_exist() {
    // a workspace can hold a link to an item deleted since: the export writes the file as it
    // is, but says which links point at nothing (and that `import json` refuses the file)
    use konsekvens_core::model::Risk;
    use konsekvens_core::{Author, DocKey, SystemEnv, Workspace};
    let dir = tempfile::tempdir().unwrap();
    let ws_path = demo(dir.path());
    let json = dir.path().join("aula.json");
    let clean = konsekvens(["export".as_ref(), "json".as_ref(), ws_path.as_os_str(), "--out".as_ref(), json.as_os_str()]);
    assert!(clean.status.success() && !stderr(&clean).contains("Advarsel"), "{}", stderr(&clean));
    {
        let mut ws = Workspace::open(&ws_path, std::sync::Arc::new(SystemEnv)).unwrap();
        let base = ws.view().base().unwrap();
        let linked = base.items.risks.iter().find(|r| base.items.measures.iter().any(|m| m.mitigates.contains(&r.id))).unwrap().id.clone();
        ws.edit(DocKey::Base, &Author::new("Test", None), |e| e.remove::<Risk>(&linked)).unwrap();
    }
    let out = konsekvens(["export".as_ref(), "json".as_ref(), ws_path.as_os_str(), "--out".as_ref(), json.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("Advarsel: [K-JSON-HENVISNING] ved $.base.items.measures["), "{err}");
    assert!(err.contains("peger på elementer, der ikke findes") && err.contains("`import json` afviser den"), "{err}");
    // and it is so: the file written is refused by the import, with the same path
    let back = konsekvens(["import".as_ref(), "json".as_ref(), json.as_os_str(), "--out".as_ref(), dir.path().join("igen.konsekvens").as_os_str()]);
    assert_eq!(back.status.code(), Some(2), "{}", stderr(&back));
    assert!(stderr(&back).contains("K-JSON-HENVISNING"), "{}", stderr(&back));
}

/// The høring travels in the interchange file (format 4): `export json` carries the sample's
/// finished round and a comment on the description, `import json` writes them back, and the
/// deadline of a round is judged by the day `KONSEKVENS_TODAY` pins, as everything else is.
#[test]
fn the_hoering_survives_export_and_import_json_and_its_deadline_follows_konsekvens_today() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let run = |today: &str, args: &[&std::ffi::OsStr]| {
        konsekvens_e2e::danish(std::process::Command::new(konsekvens_e2e::binary()).args(args).env("KONSEKVENS_AUTHOR", "e2e").env("KONSEKVENS_TODAY", today)).output().unwrap()
    };
    let os = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
    let w = ws.to_str().unwrap();
    // København comments on the description's part on retention, with a «forslag».
    let out = konsekvens(os(&["comment", "add", w, "--org", "101", "--field", "description.retention", "--text", "Slettefristen for beskeder mangler", "--propose", "description.retention=Beskeder slettes efter 13 måneder."]));
    assert!(out.status.success(), "{}", stderr(&out));
    let reference = stdout(&out).trim().to_owned();

    let json = dir.path().join("aula.json");
    let out = konsekvens(os(&["export", "json", w, "--out", json.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(file["version"], 4);
    let by: Vec<&str> = file["hearing"].as_array().unwrap().iter().map(|r| r["by"].as_str().unwrap()).collect();
    assert!(by.contains(&"coordinator") && by.contains(&"101") && by.contains(&"561"), "{by:?}");
    let imported = dir.path().join("imported.konsekvens");
    let out = konsekvens(os(&["import", "json", json.to_str().unwrap(), "--out", imported.to_str().unwrap()]));
    assert!(out.status.success(), "{}", stderr(&out));
    let i = imported.to_str().unwrap();
    let status = stdout(&konsekvens(os(&["hearing", "status", i])));
    assert!(status.contains("afsluttet med udgivelse 2025.1") && status.contains("101 København: tiltræder med bemærkninger") && status.contains("561 Esbjerg: tiltræder"), "{status}");
    let list = stdout(&konsekvens(os(&["comment", "list", i, "--coordinator"])));
    assert!(list.contains(&reference) && list.contains("beskrivelsen · retention"), "{list}");
    // The same file, exported again, is the same.
    let again = dir.path().join("again.json");
    assert!(konsekvens(os(&["export", "json", i, "--out", again.to_str().unwrap()])).status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap(), std::fs::read_to_string(&json).unwrap());

    // A round with a deadline; KONSEKVENS_TODAY after it refuses an answer, on it takes one.
    let out = run("2026-11-25", &os(&["hearing", "open", i, "--draft", "2026.2-udkast", "--deadline", "2026-12-01"]).iter().map(|s| s.as_os_str()).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    let answer = os(&["hearing", "answer", i, "--org", "561", "--round", "2", "--verdict", "tiltraeder", "--dpo", "Erik Eriksen"]);
    let answer: Vec<&std::ffi::OsStr> = answer.iter().map(|s| s.as_os_str()).collect();
    let late = run("2026-12-02", &answer);
    assert_eq!(late.status.code(), Some(1), "{}", stderr(&late));
    assert!(stderr(&late).contains("[K-HOER-FRIST]") && stderr(&late).contains("i dag er 02.12.2026"), "{}", stderr(&late));
    let in_time = run("2026-12-01", &answer);
    assert!(in_time.status.success(), "{}", stderr(&in_time));
}

/// The WP248 screening is commented on from the CLI as the description is: a criterion with
/// a «forslag» the coordinator accepts into the base, named in Danish in the list; a part
/// that does not exist is refused naming it, and nothing is written.
#[test]
fn a_wp248_criterion_is_commented_and_its_forslag_accepted_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let w = ws.to_str().unwrap();
    let out = konsekvens(["comment", "add", w, "--org", "101", "--field", "wp248.large_scale", "--text", "Stor skala skal begrundes med tal", "--propose", "wp248.large_scale.reason=Alle skolebørn og forældre i kommunen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let reference = stdout(&out).trim().to_owned();
    let list = stdout(&konsekvens(["comment", "list", w, "--coordinator"]));
    assert!(list.contains(&reference) && list.contains("WP248-screeningen · large_scale"), "{list}");

    let out = konsekvens(["comment", "add", w, "--org", "101", "--field", "wp248.stor_skala", "--text", "x"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("[K-HOER-PUNKT]") && stderr(&out).contains("Intet punkt med id «wp248.stor_skala» i fælles basis"), "{}", stderr(&out));

    let out = konsekvens(["hearing", "respond", w, "--comment", reference.as_str(), "--outcome", "indarbejdet", "--reason", "Tilføjet", "--accept"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = dir.path().join("aula.json");
    assert!(konsekvens(["export", "json", w, "--out", json.to_str().unwrap()]).status.success());
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(file["base"]["wp248"]["large_scale"]["reason"], "Alle skolebørn og forældre i kommunen", "{}", file["base"]["wp248"]);
}
