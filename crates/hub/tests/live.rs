//! The live client: changes and presence flow as they are made; offline it counts what
//! waits and reconnects; a refused change comes back to the caller. Each live session runs
//! as its own task owning its workspace, and "the app" edits the same file through a second
//! workspace, as the desktop app does.

mod common;

use common::*;
use konsekvens_core::model::*;
use konsekvens_core::{DocKey, SystemEnv, Workspace};
use konsekvens_hub::{live_control, sync_live, BasePolicy, LiveEvent, LiveHandle, LiveOptions, LiveState, Presence, SyncError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// A live session on `path` in its own task.
struct Live {
    handle: LiveHandle,
    events: mpsc::UnboundedReceiver<LiveEvent>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), SyncError>>,
}

impl Live {
    fn start(path: &Path, url: &str, token: &str) -> Live {
        Live::start_with(path, url, token, LiveOptions::default().keepalive)
    }

    fn start_with(path: &Path, url: &str, token: &str, keepalive: Duration) -> Live {
        let mut ws = Workspace::open(path, Arc::new(SystemEnv)).unwrap();
        let (handle, control) = live_control();
        let (tx, events) = mpsc::unbounded_channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let opts = LiveOptions {
            poll: Duration::from_millis(50),
            min_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
            keepalive,
            ..LiveOptions::default()
        };
        let (url, token) = (url.to_owned(), token.to_owned());
        // Spawning proves the session future is Send (the app runs it on its runtime).
        let task = tokio::spawn(async move {
            sync_live(&mut ws, &url, &token, opts, control, move |e| drop(tx.send(e)), async move {
                let _ = stopped.await;
            })
            .await
        });
        Live { handle, events, stop: Some(stop), task }
    }

    /// Waits for the first event `f` accepts, skipping others.
    async fn next(&mut self, what: &str, f: impl Fn(&LiveEvent) -> bool) -> LiveEvent {
        tokio::time::timeout(LIMIT, async {
            loop {
                let e = self.events.recv().await.expect("the session is running");
                if f(&e) {
                    return e;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {what} in time"))
    }

    async fn live(&mut self) {
        self.next("Live state", |e| matches!(e, LiveEvent::State(LiveState::Live))).await;
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(LIMIT, self.task).await.expect("stops in time").unwrap().unwrap();
    }
}

/// "The app": edits the file through its own workspace, then tells the session.
fn app_edit(path: &Path, live: &Live, key: DocKey, f: impl FnOnce(&mut Workspace, DocKey)) {
    let mut ws = Workspace::open(path, Arc::new(SystemEnv)).unwrap();
    f(&mut ws, key);
    live.handle.changed();
}

fn set_scope(text: &'static str) -> impl FnOnce(&mut Workspace, DocKey) {
    move |ws, key| {
        let mut d = ws.view().base().unwrap().description;
        d.scope = Prose::from(text);
        ws.edit(key, &author(101), |e| e.set(&d)).unwrap();
    }
}

async fn joined(dir: &Path, hub: &TestHub, name: &str, token: &str) -> PathBuf {
    let path = dir.join(format!("{name}.konsekvens"));
    let mut ws = empty_workspace(&path);
    assert!(sync(&mut ws, &hub.url(), token).await.in_sync());
    path
}

fn reopen(path: &Path) -> Workspace {
    Workspace::open(path, Arc::new(SystemEnv)).unwrap()
}

/// A hub with KL's coordination and base, and København's joined workspace live on it.
async fn kbh_live(dir: &Path) -> (Tokens, TestHub, PathBuf, Live) {
    let t = registry(dir, BasePolicy::AllParticipants);
    let hub = TestHub::start(dir).await;
    let mut kl = coordinator_workspace(&dir.join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let kbh_path = joined(dir, &hub, "kbh", &t.kbh).await;
    let mut kbh = Live::start(&kbh_path, &hub.url(), &t.kbh);
    kbh.live().await;
    (t, hub, kbh_path, kbh)
}

/// Syncs a fresh Esbjerg workspace until `done` holds for it (the live session sends on its
/// own time).
async fn until_esbjerg_sees(dir: &Path, hub: &TestHub, t: &Tokens, what: &str, done: impl Fn(&Workspace) -> bool) {
    let mut esb = empty_workspace(&dir.join("esb.konsekvens"));
    for _ in 0..400 {
        assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
        if done(&esb) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} never reached the hub");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_and_presence_flow_live() {
    let dir = tempfile::tempdir().unwrap();
    let (t, hub, kbh_path, mut kbh) = kbh_live(dir.path()).await;
    let esb_path = joined(dir.path(), &hub, "esb", &t.esb).await;
    let mut esb = Live::start(&esb_path, &hub.url(), &t.esb);
    esb.live().await;

    // København's app writes; Esbjerg's file has it without another round.
    app_edit(&kbh_path, &kbh, DocKey::Base, set_scope("Skrevet i København, set live i Esbjerg."));
    esb.next("København's change", |e| matches!(e, LiveEvent::Received { key: DocKey::Base, .. })).await;
    assert_eq!(reopen(&esb_path).view().base().unwrap().description.scope.0, "Skrevet i København, set live i Esbjerg.");
    // And the other way, typed while the first is in the files.
    app_edit(&esb_path, &esb, DocKey::Base, |ws, key| {
        let mut d = ws.view().base().unwrap().description;
        d.retention = Prose::from("Esbjerg svarer.");
        ws.edit(key, &author(561), |e| e.set(&d)).unwrap();
    });
    kbh.next("Esbjerg's change", |e| matches!(e, LiveEvent::Received { key: DocKey::Base, .. })).await;
    assert_eq!(reopen(&kbh_path).view().base().unwrap().description.retention.0, "Esbjerg svarer.");

    // Presence: who is in which section.
    let dorte = Presence { name: "Dorte (DPO)".into(), org: Some("101".into()), section: Some("risks/R7".into()) };
    kbh.handle.set_presence(Some(dorte));
    let seen = esb
        .next("København's presence", |e| matches!(e, LiveEvent::Presence { peers, .. } if peers.iter().any(|p| p.section.as_deref() == Some("risks/R7"))))
        .await;
    let LiveEvent::Presence { key, peers } = seen else { unreachable!() };
    assert_eq!(key, DocKey::Base);
    assert_eq!((peers[0].name.as_deref(), peers[0].org.as_deref()), (Some("Dorte (DPO)"), Some("101")));
    kbh.handle.set_presence(None);
    esb.next("København leaving", |e| matches!(e, LiveEvent::Presence { peers, .. } if peers.is_empty())).await;

    kbh.stop().await;
    esb.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_changes_wait_in_the_file_and_go_out_on_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let (t, hub, kbh_path, mut kbh) = kbh_live(dir.path()).await;
    let addr = hub.addr;

    hub.stop().await;
    let first = kbh.next("Offline", |e| matches!(e, LiveEvent::State(LiveState::Offline { .. }))).await;
    app_edit(&kbh_path, &kbh, DocKey::Base, set_scope("Skrevet offline."));
    let later = kbh
        .next("Offline with the edit pending", |e| matches!(e, LiveEvent::State(LiveState::Offline { pending, .. }) if *pending >= 1))
        .await;
    let (LiveEvent::State(LiveState::Offline { retry_in: a, .. }), LiveEvent::State(LiveState::Offline { retry_in: b, .. })) = (&first, &later) else {
        unreachable!()
    };
    assert!(b > a, "the backoff grows: {a:?}, then {b:?}");

    let hub = TestHub::start_at(dir.path(), addr).await;
    kbh.live().await;
    until_esbjerg_sees(dir.path(), &hub, &t, "the offline edit", |esb| esb.view().base().unwrap().description.scope.0 == "Skrevet offline.").await;
    kbh.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_live_change_is_handed_back_and_the_document_reset() {
    let dir = tempfile::tempdir().unwrap();
    let (t, hub, kbh_path, mut kbh) = kbh_live(dir.path()).await;
    let esbjerg = DocKey::Supplement(OrgCode(561));
    app_edit(&kbh_path, &kbh, esbjerg, |ws, key| {
        let mut meta = ws.view().supplement(OrgCode(561)).unwrap().meta;
        meta.name = "Overtaget af København".into();
        ws.edit(key, &author(101), |e| e.set(&meta)).unwrap();
    });
    let refused = kbh.next("the refusal", |e| matches!(e, LiveEvent::Refused { .. })).await;
    let LiveEvent::Refused { key, reason, refused_update } = refused else { unreachable!() };
    assert_eq!(key, esbjerg);
    assert!(reason.contains("561"), "{reason}");
    assert!(!refused_update.is_empty());
    // The file's document is the hub's again; the refused change stays in the log.
    let ws = reopen(&kbh_path);
    assert_eq!(ws.view().supplement(OrgCode(561)).unwrap().meta.name, "");
    let log = konsekvens_core::history::history(&ws.view(), Some(OrgCode(561)), None).unwrap();
    assert!(log.iter().any(|row| row.doc == esbjerg.name() && row.org == Some(OrgCode(101))));
    // The session goes on: København's own change is accepted.
    app_edit(&kbh_path, &kbh, DocKey::Base, set_scope("Efter afvisningen."));
    until_esbjerg_sees(dir.path(), &hub, &t, "the accepted change", |esb| esb.view().base().unwrap().description.scope.0 == "Efter afvisningen.").await;
    kbh.stop().await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_copy_learns_who_wrote_what_it_received() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let kbh_path = joined(dir.path(), &hub, "kbh", &t.kbh).await;
    let mut kbh = Live::start_with(&kbh_path, &hub.url(), &t.kbh, Duration::from_millis(300));
    kbh.live().await;

    let mut esb = empty_workspace(&dir.path().join("esb.konsekvens"));
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    let mut d = esb.view().base().unwrap().description;
    d.scope = Prose::from("Esbjerg skrev dette.");
    esb.edit(DocKey::Base, &author(561), |e| e.set(&d)).unwrap();
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    kbh.next("Esbjerg's change", |e| matches!(e, LiveEvent::Received { key: DocKey::Base, .. })).await;

    let named = || konsekvens_core::history::history(&reopen(&kbh_path).view(), None, None).unwrap().pop().is_some_and(|e| e.by.iter().any(|b| b.org == "561" && b.name == "Esbjerg"));
    let started = std::time::Instant::now();
    while !named() {
        assert!(started.elapsed() < LIMIT, "the live copy never learned who wrote the change");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kbh.stop().await;
    hub.stop().await;
}
