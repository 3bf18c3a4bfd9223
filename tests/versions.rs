//! End-to-end: versions of a joint DPIA from the command line — releases, binding a
//! supplement to a release, comparing points, the log, review triggers and the
//! coordinator's overview.

use konsekvens_core::model::{Day, ItemId, Purpose, Risk};
use konsekvens_core::{Author, DocKey, SystemEnv, Workspace};
use konsekvens_e2e::{konsekvens, stderr, stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn demo(dir: &Path) -> PathBuf {
    let path = dir.join("aula.konsekvens");
    let out = konsekvens(["demo".as_ref(), path.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

fn run(args: &[&str]) -> std::process::Output {
    konsekvens(args.iter().copied())
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", stdout(&out)))
}

/// The app's way of editing: the core API on the file.
fn edit_base(path: &Path, f: impl FnOnce(&mut konsekvens_core::Edit<'_>) -> Result<(), konsekvens_core::DocError>) {
    let mut ws = Workspace::open(path, Arc::new(SystemEnv)).unwrap();
    ws.edit(DocKey::Base, &Author::new("koordinator", None), f).unwrap();
}

#[test]
fn publish_compare_confirm_and_overview() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let p = ws.to_str().unwrap();

    // The sample is published as 2025.1 and every municipality stands on it.
    let list = stdout(&run(&["release", "list", p]));
    assert!(list.starts_with("2025.1\t2025-06-02\t"), "{list}");
    let overview = json(&["status", p, "--json"]);
    assert_eq!(overview["latest_release"]["name"], "2025.1");
    assert!(overview["participants"].as_array().unwrap().iter().all(|x| x["on_latest"] == true && x["errors"] == 0));

    // The coordinator works on the base: a new purpose, a risk lowered.
    edit_base(&ws, |e| {
        let reference = e.next_reference::<Purpose>("")?;
        e.put(&Purpose { id: ItemId::from("purpose-trivsel"), reference, title: "Trivselsmålinger".into(), ..Purpose::default() })
    });
    let review = stdout(&run(&["review", p]));
    assert!(review.contains("Revision påkrævet") && review.contains("Trivselsmålinger"), "{review}");
    let check = run(&["check", p, "--json"]);
    assert!(stdout(&check).contains("K-35-11-TRIGGERED"));

    // Publishing checks references; a second release under the same name is refused (exit 1).
    let out = run(&["release", "publish", p, "--name", "2026.1", "--date", "2026-11-20", "--note", "Trivselsmålinger"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("SHA-256"));
    let again = run(&["release", "publish", p, "--name", "2026.1"]);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(stderr(&again).contains("2026.1"));

    // Compare the releases: the purpose is added, nothing else moved.
    let c = json(&["diff", p, "--from", "2025.1", "--to", "2026.1", "--json"]);
    let changes = c["changes"].as_array().unwrap();
    assert!(changes.iter().any(|x| x["kind"] == "added" && x["label"].as_str().unwrap().ends_with("Trivselsmålinger")), "{c:#}");
    assert_eq!(c["moved"].as_array().unwrap().len(), 0);
    // An unknown point is bad usage (exit 2) with the known releases named.
    let bad = run(&["diff", p, "--from", "2019.1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("2025.1, 2026.1"), "{}", stderr(&bad));

    // København is told of the new release, looks at what changed, and confirms it.
    let kbh = json(&["check", p, "--org", "101", "--json"]);
    assert!(kbh["findings"].as_array().unwrap().iter().any(|f| f["code"] == "K-RELEASE-NEWER"));
    let text = stdout(&run(&["diff", p, "--org", "101", "--from", "2025.1", "--to", "now"]));
    assert!(text.contains("Sammenligning"), "{text}");
    let out = run(&["release", "confirm", p, "--org", "101", "--name", "2026.1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let overview = json(&["status", p, "--json"]);
    let on_latest: Vec<(u64, bool)> = overview["participants"].as_array().unwrap().iter().map(|x| (x["code"].as_u64().unwrap(), x["on_latest"].as_bool().unwrap())).collect();
    assert_eq!(on_latest, [(101, true), (561, false), (751, false)]);
    let status_text = stdout(&run(&["status", p]));
    assert!(status_text.contains("2025.1 (ældre)"), "{status_text}");

    // The log names who did it.
    let log = stdout(&run(&["log", p, "--item", "F5"]));
    assert!(log.contains("koordinator") && log.contains("formål F5 Trivselsmålinger"), "{log}");
}

#[test]
fn a_changed_rating_shows_as_a_moved_level_and_a_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    let p = ws.to_str().unwrap();
    let base = Workspace::open(&ws, Arc::new(SystemEnv)).unwrap().view().base().unwrap();
    let risk = base.items.risks.iter().find(|r| r.reference.as_str() == "R1").unwrap().clone();
    let measure = base.items.measures.iter().find(|m| m.mitigates.contains(&risk.id)).unwrap().clone();
    edit_base(&ws, |e| {
        e.update::<Risk>(&risk.id, |r| {
            r.inherent.confidentiality.likelihood = Some(konsekvens_core::model::Likelihood::Unlikely);
            r.inherent.integrity.likelihood = Some(konsekvens_core::model::Likelihood::Unlikely);
            r.inherent.availability.likelihood = Some(konsekvens_core::model::Likelihood::Unlikely);
        })?;
        e.update::<konsekvens_core::model::Measure>(&measure.id, |m| {
            m.mitigates.remove(&risk.id);
        })
    });
    let today = Day::today().to_string();
    let c = json(&["diff", p, "--from", "2025.1", "--to", &today, "--json"]);
    let moved = &c["moved"][0];
    assert_eq!(moved["reference"], "R1");
    assert_eq!(moved["inherent"][0], "high");
    assert_ne!(moved["inherent"][1], "high");
    assert_eq!(c["links_broken"][0]["measure"], measure.reference.as_str());
    assert_eq!(c["links_broken"][0]["risk"], "R1");
    let text = stdout(&run(&["diff", p, "--from", "2025.1", "--lang", "en"]));
    assert!(text.contains("Links broken") && text.contains("R1"), "{text}");
}
