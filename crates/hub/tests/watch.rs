//! `konsekvens sync --watch`: rounds while connected, offline with pending count and
//! backoff while the hub is down, picks up edits another process made to the file.

mod common;

use common::*;
use konsekvens_core::model::*;
use konsekvens_core::{DocKey, SystemEnv, Workspace};
use konsekvens_hub::{sync_watch, BasePolicy, SyncState, WatchOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

async fn next_matching(rx: &mut mpsc::UnboundedReceiver<SyncState>, what: &str, f: impl Fn(&SyncState) -> bool) -> SyncState {
    tokio::time::timeout(LIMIT, async {
        loop {
            let s = rx.recv().await.expect("watch still running");
            if f(&s) {
                return s;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {what} state in time"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reconnects_with_backoff_and_sends_what_was_written_offline() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let addr = hub.addr;
    let url = hub.url();
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &url, &t.coordinator).await.in_sync());
    let kbh_path = dir.path().join("kbh.konsekvens");
    let mut kbh = empty_workspace(&kbh_path);

    let (state_tx, mut states) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let opts = WatchOptions {
        interval: Duration::from_millis(50),
        min_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        ..WatchOptions::default()
    };
    let watch = sync_watch(&mut kbh, &url, &t.kbh, opts, move |s, _| drop(state_tx.send(s.clone())), async move {
        let _ = stop_rx.await;
    });
    let dir_path = dir.path().to_owned();
    let driver = async move {
        next_matching(&mut states, "in-sync", |s| matches!(s, SyncState::InSync { .. })).await;
        hub.stop().await;
        let first = next_matching(&mut states, "offline", |s| matches!(s, SyncState::Offline { .. })).await;
        // Another process (the app) edits the file while the hub is down.
        {
            let mut other = Workspace::open(&kbh_path, Arc::new(SystemEnv)).unwrap();
            let mut d = other.view().base().unwrap().description;
            d.scope = Prose::from("Skrevet mens hubben var nede.");
            other.edit(DocKey::Base, &author(101), |e| e.set(&d)).unwrap();
        }
        let later = next_matching(&mut states, "offline with a pending edit", |s| {
            matches!(s, SyncState::Offline { pending, .. } if *pending >= 1)
        })
        .await;
        let (SyncState::Offline { retry_in: a, .. }, SyncState::Offline { retry_in: b, .. }) = (&first, &later) else { unreachable!() };
        assert!(b > a, "backoff grows: {a:?} then {b:?}");
        let hub = TestHub::start_at(&dir_path, addr).await;
        next_matching(&mut states, "in-sync after reconnect", |s| matches!(s, SyncState::InSync { .. })).await;
        let _ = stop_tx.send(());
        hub
    };
    let (watched, hub) = tokio::join!(watch, driver);
    watched.unwrap();

    let mut esb = empty_workspace(&dir.path().join("esb.konsekvens"));
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    assert_eq!(esb.view().base().unwrap().description.scope.0, "Skrevet mens hubben var nede.");
    hub.stop().await;
}
