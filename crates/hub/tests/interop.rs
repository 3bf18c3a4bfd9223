//! The official Yjs client (`yjs` + `y-websocket` from npm) syncs the base document with
//! our hub: reads what Rust wrote, writes a Y.Map entry and types into a Y.Text, sees
//! presence relayed, and a reader's write comes back as permission-denied.
//!
//! Needs `npm ci --prefix crates/hub/tests/js` once. Without node_modules the test is
//! skipped with a message — unless CI is set, then it fails.

mod common;

use common::*;
use konsekvens_core::DocKey;
use konsekvens_hub::{BasePolicy, HubStore};
use std::path::PathBuf;
use std::process::Stdio;

const INSTALL: &str = "npm ci --prefix crates/hub/tests/js";

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("js")
}

/// `None`: skip (message printed). Panics under CI instead of skipping.
fn node_ready() -> Option<()> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let missing = if !js_dir().join("node_modules").join("y-websocket").is_dir() {
        Some(format!("{} has no node_modules; run `{INSTALL}`", js_dir().display()))
    } else if std::process::Command::new("node").arg("--version").output().is_err() {
        Some("`node` is not on PATH".to_string())
    } else {
        None
    };
    match missing {
        None => Some(()),
        Some(why) if ci => panic!("Yjs interop test cannot run under CI: {why}"),
        Some(why) => {
            eprintln!("SKIPPED yjs_client_syncs_with_the_hub: {why}");
            None
        }
    }
}

/// Runs `script` of `js_dir()` against `hub` with the DPIA and the given variables; returns the
/// last line it printed (its JSON verdict) after asserting it succeeded within 90 s.
async fn run_node(script: &str, hub: &TestHub, vars: &[(&str, &str)]) -> String {
    let child = tokio::process::Command::new("node")
        .arg(script)
        .current_dir(js_dir())
        .env("HUB", hub.base())
        .env("DPIA", DPIA)
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let out = tokio::time::timeout(std::time::Duration::from_secs(90), child.wait_with_output())
        .await
        .expect("the node script finishes in time")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "node {script} failed ({}):\n{stdout}\n{stderr}", out.status);
    stdout.lines().last().unwrap_or_default().to_string()
}

/// A hub with the coordinator's sample synced into it, or `None` (skip) without node.
async fn seeded_hub() -> Option<(tempfile::TempDir, Tokens, TestHub, konsekvens_core::Workspace)> {
    node_ready()?;
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    Some((dir, t, hub, kl))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yjs_client_syncs_with_the_hub() {
    let Some((dir, t, hub, mut kl)) = seeded_hub().await else { return };

    let line = run_node("interop.mjs", &hub, &[("TOKEN", t.kbh.as_str()), ("READER_TOKEN", t.kbh_reader.as_str())]).await;
    // What the Yjs client read from the Rust side.
    assert!(line.contains(r#""dpia_id":"aula""#), "{line}");
    assert!(line.contains(r#""title":"AULA""#), "{line}");
    assert!(line.contains(r#""summary":"Fælles konsekvensanalyse for AULA.""#), "{line}");
    // Presence relayed between two Yjs clients; the reader refused with our reason.
    assert!(line.contains(r#""presence":"Yjs-klient""#), "{line}");
    assert!(line.contains("read-only"), "{line}");
    assert!(line.contains(r#""after_refusal":"AULA (fra Yjs)""#), "{line}");

    // What the Rust side reads from the Yjs client.
    let r = sync(&mut kl, &hub.url(), &t.coordinator).await;
    assert!(r.in_sync(), "{r}");
    let base = kl.view().base().unwrap();
    assert_eq!(base.meta.title, "AULA (fra Yjs)");
    assert_eq!(base.description.summary.0, "Fælles konsekvensanalyse for AULA. Tilføjet fra Yjs.");
    // The Yjs client's write is logged as København's.
    let store = HubStore::open(dir.path()).unwrap();
    assert!(store.log(DPIA, Some(DocKey::Base)).unwrap().iter().any(|row| row.org == "101"));
    assert!(store.refusals(DPIA).unwrap().iter().any(|r| r.token_id.is_some_and(|t| t > 0) && r.doc == "base"));
    hub.stop().await;
}

/// After a hostile raw client sent presence that is not JSON (y-websocket's handler throws on
/// it, and the client never syncs, if the hub relays it) and presence claiming another
/// organisation, the official client still syncs, writes, and sees the hub's organisation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yjs_client_syncs_after_hostile_presence() {
    let Some((dir, t, hub, _kl)) = seeded_hub().await else { return };
    let line = run_node("hostile.mjs", &hub, &[("TOKEN", t.kbh.as_str()), ("ESB_TOKEN", t.esb.as_str())]).await;
    assert!(line.contains(r#""malformed_relayed":false"#), "{line}");
    assert!(line.contains(r#""claimed_org":"561""#), "{line}");
    assert!(line.contains(r#""claimed_org_name":"Esbjerg""#), "{line}");
    assert!(line.contains(r#""title":"AULA (efter angreb)""#), "{line}");
    assert!(line.contains(r#""own_org_name":"København""#), "{line}");
    let refusals = HubStore::open(dir.path()).unwrap().refusals(DPIA).unwrap();
    assert!(refusals.iter().any(|r| r.reason.starts_with("K-HUB-PRESENCE-MALFORMED") && r.org.as_deref() == Some("561")), "{refusals:?}");
    assert!(refusals.iter().any(|r| r.reason.starts_with("K-HUB-PRESENCE-FORGED") && r.org.as_deref() == Some("561")), "{refusals:?}");
    hub.stop().await;
}
