//! The real desktop app, end to end: `ui/tests/e2e/app.spec.ts` drives target/debug/
//! konsekvens-app through tauri-driver and WebKitWebDriver inside `xvfb-run` — open the
//! sample, add a risk to the joint base with ratings and reasons, link a measure and watch the
//! findings change, publish a release, switch to Esbjerg, confirm the release and rate the new
//! risk differently, export Esbjerg's PDF, sign it with a .p12 made here by openssl and verify
//! it in the app; then the høring: the coordinator opens a round, København objects to a rating
//! with a «forslag» and answers the round, the coordinator accepts it, closes the round and
//! exports the høringsnotat, and København sees what became of its comment. Screenshots go to
//! target/screenshots/.
//!
//! Then, with the app closed, this test reads the workspace with the `konsekvens` CLI: every
//! edit the DPO made must be in the file, and the signed PDF must verify with the CLI too.
//!
//! Needs the built app and CLI (`cargo build -p konsekvens-app -p konsekvens-cli`, after
//! `cd ui && npm run build`), xvfb-run, tauri-driver and WebKitWebDriver (scripts/test
//! installs them); without them it skips, and under CI it fails.

mod support;

use konsekvens_e2e::{konsekvens, stderr, stdout, TODAY};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

const PASSWORD: &str = "hemmelig-e2e";

/// A test CA (`ca.pem`) and a signer issued by it (`signer.p12`, ECDSA P-256, "Åse Bøgh").
fn make_keys(dir: &Path) {
    let openssl = |args: &[&str]| {
        run(&format!("openssl {}", args[0]), Command::new("openssl").current_dir(dir).args(args));
    };
    std::fs::write(dir.join("leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n").unwrap();
    openssl(&["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Konsekvens E2E CA/O=Test", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "signer.key"]);
    openssl(&["req", "-new", "-key", "signer.key", "-out", "signer.csr", "-subj", "/CN=Åse Bøgh/O=Esbjerg Kommune", "-utf8"]);
    openssl(&["x509", "-req", "-in", "signer.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "signer.pem", "-days", "30", "-extfile", "leaf.ext"]);
    openssl(&["pkcs12", "-export", "-inkey", "signer.key", "-in", "signer.pem", "-certfile", "ca.pem", "-out", "signer.p12", "-passout", &format!("pass:{PASSWORD}")]);
}

fn json_of(args: &[&str]) -> Value {
    let o = konsekvens(args);
    assert!(o.status.success(), "konsekvens {}: {}{}", args.join(" "), stdout(&o), stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("konsekvens {}: not JSON ({e})", args.join(" ")))
}

fn by_reference<'a>(items: &'a Value, reference: &str) -> &'a Value {
    items.as_array().unwrap().iter().find(|e| e["reference"] == reference).unwrap_or_else(|| panic!("{reference} is not in the file"))
}

#[test]
fn a_dpo_edits_signs_and_verifies_in_the_real_app_and_every_edit_is_in_the_file() {
    let app = profile_dir().join("konsekvens-app");
    let cli = profile_dir().join("konsekvens");
    let ui = root().join("ui");
    let mut lacking = missing(
        &["xvfb-run", "tauri-driver", "/usr/bin/WebKitWebDriver", "openssl", "node", "npm"],
        &[
            (&app, "run `cargo build -p konsekvens-app`"),
            (&cli, "run `cargo build -p konsekvens-cli`"),
            (&ui.join("node_modules/vitest"), "run `cd ui && npm ci`"),
            (&ui.join("dist/index.html"), "run `cd ui && npm run build`"),
        ],
    );
    lacking.extend(stale_ui_dist());
    lacking.extend(app_older_than_dist(&app));
    if !ready("the end-to-end test of the real app", lacking) {
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    make_keys(work);
    let shots = target_dir().join("screenshots");
    let out = Command::new("timeout")
        .args(["--kill-after=10", "600", "xvfb-run", "-a", "-s", "-screen 0 1280x860x24", "npm", "run", "--silent", "test:e2e"])
        .current_dir(&ui)
        // The app checks for the same day as the CLI below (the sample's review dates).
        .env("KONSEKVENS_TODAY", TODAY)
        .env("KONSEKVENS_APP", &app)
        .env("KONSEKVENS_E2E_DIR", work)
        .env("KONSEKVENS_E2E_PASSWORD", PASSWORD)
        .env("KONSEKVENS_SCREENSHOTS", &shots)
        .output()
        .expect("start xvfb-run");
    let log = format!("--- stdout ---\n{}\n--- stderr ---\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the app's end-to-end steps failed ({}); screenshots: {}\n{log}", out.status, shots.display());
    println!("{log}");

    let scenario: Value = serde_json::from_slice(&std::fs::read(work.join("scenario.json")).expect("scenario.json")).unwrap();
    let ws = scenario["workspace"].as_str().unwrap();
    let risk = &scenario["risk"];
    let reference = risk["reference"].as_str().unwrap();
    assert!(!reference.is_empty(), "the app made no risk");

    // The new risk, its threat (typed as rich text) and every rating with its reasons.
    let base = json_of(&["show", ws, "--json"]);
    let saved = by_reference(&base["items"]["risks"], reference);
    assert_eq!(saved["title"], risk["title"]);
    assert_eq!(saved["threat"].as_str().unwrap().trim(), risk["threat"].as_str().unwrap());
    for (i, r) in risk["ratings"].as_array().unwrap().iter().enumerate() {
        let phase = if i < 3 { "inherent" } else { "residual" };
        let dim = ["confidentiality", "integrity", "availability"][i % 3];
        let got = &saved[phase][dim];
        for (k, field) in ["consequence", "likelihood", "consequence_reason", "likelihood_reason"].iter().enumerate() {
            assert_eq!(got[field], r[k], "{reference} {phase} {dim} {field}");
        }
    }
    // The link made in the traceability matrix.
    let measure = by_reference(&base["items"]["measures"], scenario["measure"]["reference"].as_str().unwrap());
    assert!(measure["mitigates"].as_array().unwrap().contains(&saved["id"]), "the measure does not mitigate {reference}: {measure}");

    // The base's check: nothing left on the new risk, as the overview showed at the end.
    let check = json_of(&["check", ws, "--json"]);
    let on_risk: Vec<&Value> = check["findings"].as_array().unwrap().iter().filter(|f| f["reference"] == reference).collect();
    assert!(on_risk.is_empty(), "findings on {reference} remain: {on_risk:?}");

    // The release, Esbjerg standing on it, and Esbjerg's local rating beside the base's.
    let release = scenario["release"]["name"].as_str().unwrap();
    let releases = konsekvens(["release", "list", ws]);
    assert!(stdout(&releases).lines().any(|l| l.starts_with(&format!("{release}\t"))), "no release {release}: {}", stdout(&releases));
    let e = &scenario["esbjerg"];
    let esbjerg = json_of(&["show", ws, "--org", "561", "--json"]);
    assert_eq!(esbjerg["base_release"], release, "Esbjerg did not confirm {release}");
    let local = by_reference(&esbjerg["items"]["risks"], reference);
    assert_eq!(local["deviation"]["type"], "risk_rating", "{local}");
    assert_eq!(local["deviation"]["reason"], e["reason"]);
    assert_eq!(local["inherent"]["confidentiality"]["consequence"], e["consequence"]);
    assert_eq!(local["deviation"]["base_inherent"]["confidentiality"]["consequence"], risk["ratings"][0][0]);

    // The log names who made the changes.
    let log = json_of(&["log", ws, "--json"]);
    assert!(log.as_array().unwrap().iter().any(|entry| entry["author"] == "Mette Holm (e2e)"), "no change by the app's user in the log");

    // The PDF, the signature (recorded in Esbjerg's supplement) and the CLI's verdict.
    let pdf = PathBuf::from(scenario["pdf"].as_str().unwrap());
    let signed = PathBuf::from(scenario["signed"].as_str().unwrap());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"), "{} is not a PDF", pdf.display());
    let ca = work.join("ca.pem");
    let verify = konsekvens(["verify".as_ref(), signed.as_os_str(), "--trust".as_ref(), ca.as_os_str()]);
    assert_eq!(verify.status.code(), Some(0), "konsekvens verify: {}{}", stdout(&verify), stderr(&verify));
    assert!(stdout(&verify).contains("alle signaturer er gyldige"), "{}", stdout(&verify));
    let status = json_of(&["status", ws, "--json"]);
    let p = status["participants"].as_array().unwrap().iter().find(|p| p["code"] == 561).expect("Esbjerg in the status");
    assert_eq!(p["last_signed"]["signer"], scenario["signer"], "{p}");
    assert_eq!(p["last_signed"]["capacity"], scenario["capacity"], "{p}");
    if which("pdftotext").is_some() {
        let text = run("pdftotext", Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-"));
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Esbjerg") && text.contains(risk["title"].as_str().unwrap()), "the PDF lacks Esbjerg or the new risk");
    } else {
        assert!(!under_ci(), "pdftotext is missing (poppler-utils)");
    }

    // The høring: København's objection and «forslag» in the file, the coordinator's
    // acceptance written into the base, the release after the round, and the høringsnotat.
    let h = &scenario["hearing"];
    let release = h["release"].as_str().unwrap();
    let releases = konsekvens(["release", "list", ws]);
    assert!(stdout(&releases).lines().any(|l| l.starts_with(&format!("{release}\t"))), "no release {release} after the round: {}", stdout(&releases));
    let comments = stdout(&konsekvens(["comment", "list", ws, "--org", "101"]));
    assert!(comments.contains(h["comment"].as_str().unwrap()), "København's comment is not in the file: {comments}");
    let status = stdout(&konsekvens(["hearing", "status", ws, "--round", "2"]));
    assert!(status.contains("101 København: kan ikke tiltræde") && status.contains(&format!("afsluttet med udgivelse {release}")), "{status}");
    let base = json_of(&["show", ws, "--json"]);
    let item = by_reference(&base["items"]["risks"], h["item"].as_str().unwrap());
    assert_eq!(item["inherent"]["confidentiality"]["likelihood"], h["value"], "the accepted «forslag» is not in the base");
    let notat = PathBuf::from(h["notat"].as_str().unwrap());
    assert!(std::fs::read(&notat).unwrap().starts_with(b"%PDF-"), "{} is not a PDF", notat.display());
    if which("pdftotext").is_some() {
        let text = run("pdftotext", Command::new("pdftotext").arg(&notat).arg("-"));
        let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
        for expected in ["Høringsnotat", h["draft"].as_str().unwrap(), "København (101)", "kan ikke tiltræde", "indarbejdet"] {
            assert!(text.contains(expected), "the høringsnotat lacks «{expected}»");
        }
    }
}

/// The binary embeds ui/dist when it is compiled: built before the current dist, it would
/// show an older UI than the one the other tests checked.
fn app_older_than_dist(app: &Path) -> Option<String> {
    let time = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let (built, dist) = (time(app)?, time(&root().join("ui/dist/index.html"))?);
    (built < dist).then(|| {
        format!("{} is older than ui/dist: rebuild it (cargo build -p konsekvens-app; touch src-tauri/src/lib.rs if cargo sees nothing to do)", app.display())
    })
}
