//! Nesting-depth and count bombs through every decoder on the wire: a few KB of `[[[[…]]]]`
//! used to overflow the hub's writer thread and abort the process (every municipality lost
//! its live session), from any token, even a reader's; the same bytes from a hostile hub
//! aborted `konsekvens sync`. After each attempt the hub still serves the others and their
//! state is unchanged.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use konsekvens_hub::{proto, BasePolicy};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::encoder::Encode;
use yrs::StateVector;

/// One item in the root `name` holding `depth` nested arrays (an lib0 `Any`).
fn depth_bomb(root: &str, depth: usize) -> Vec<u8> {
    let mut u = vec![1, 1, 0xb9, 0x60, 0, 8, 1, root.len() as u8];
    u.extend_from_slice(root.as_bytes());
    u.push(1);
    for _ in 0..depth {
        u.extend_from_slice(&[117, 1]);
    }
    u.extend_from_slice(&[126, 0]);
    u
}

/// The base's state as the coordinator sees it.
async fn base_state(hub: &TestHub, t: &Tokens) -> Vec<u8> {
    let mut ws = raw(hub, "base", &t.coordinator).await;
    barrier(&mut ws)
        .await
        .into_iter()
        .find_map(|m| match m {
            Message::Sync(SyncMessage::SyncStep2(s)) => Some(s),
            _ => None,
        })
        .expect("SyncStep2")
}

#[tokio::test]
async fn depth_and_count_bombs_from_any_token_are_refused_and_the_hub_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    // The coordinator writes something real first.
    let mut coord = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut coord, &hub.url(), &t.coordinator).await.in_sync());
    let before = base_state(&hub, &t).await;
    let mut listener = raw(&hub, "base", &t.kbh).await;
    barrier(&mut listener).await;

    let bomb = depth_bomb("base", 100_000); // 200 KB; 4 000 levels were enough to abort
    for token in [&t.kbh_reader, &t.esb, &t.coordinator] {
        for msg in [SyncMessage::Update(bomb.clone()), SyncMessage::SyncStep2(bomb.clone())] {
            let mut ws = raw(&hub, "base", token).await;
            send(&mut ws, Message::Sync(msg).encode_v1()).await;
            let answer = barrier(&mut ws).await;
            let denied = denials(&answer);
            assert_eq!(denied.len(), 1, "{answer:?}");
            // A reader is refused for its rights, before the bytes are read; a writer for the depth.
            assert!(denied[0].contains("K-CRDT-DEPTH") || token == &t.kbh_reader, "{denied:?}");
        }
    }
    // A SyncStep1 whose state vector claims a hundred million clients: refused, not reserved.
    let mut ws = raw(&hub, "base", &t.kbh_reader).await;
    send(&mut ws, vec![0, 0, 4, 0x80, 0xc2, 0xd7, 0x2f]).await;
    match tokio::time::timeout(LIMIT, ws.next()).await.unwrap() {
        Some(Ok(WsMessage::Close(Some(frame)))) => assert!(frame.reason.contains("K-CRDT-MALFORMED"), "{frame:?}"),
        other => {
            // The greeting may come first; the close follows it.
            let mut rest = vec![format!("{other:?}")];
            loop {
                match tokio::time::timeout(LIMIT, ws.next()).await.unwrap() {
                    Some(Ok(WsMessage::Close(Some(frame)))) => {
                        assert!(frame.reason.contains("K-CRDT-MALFORMED"), "{frame:?}");
                        break;
                    }
                    Some(Ok(m)) => rest.push(format!("{m:?}")),
                    end => panic!("no close with a reason: {end:?} after {rest:?}"),
                }
            }
        }
    }

    // Still serving: a legitimate write reaches the listener, and nothing else changed.
    assert_eq!(base_state(&hub, &t).await, before);
    let mut kbh = empty_workspace(&dir.path().join("kbh.konsekvens"));
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    let r = konsekvens_core::model::Risk {
        id: kbh.new_id("risk"),
        reference: konsekvens_core::model::Reference("R77".into()),
        title: "Efter bomberne".into(),
        ..Default::default()
    };
    kbh.edit(konsekvens_core::DocKey::Base, &author(101), |e| e.put(&r)).unwrap();
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    let got = tokio::time::timeout(LIMIT, async {
        loop {
            if recv(&mut listener).await.iter().any(|m| matches!(m, Message::Sync(SyncMessage::Update(_)))) {
                return;
            }
        }
    })
    .await;
    assert!(got.is_ok(), "the listener received the write after the bombs");
    hub.stop().await;
}

/// A hostile hub: answers the client's SyncStep1 on every document with a depth bomb.
async fn hostile_hub() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
                let _ = ws.send(WsMessage::Binary(proto::sync_step1(&StateVector::default()).into())).await;
                while let Some(Ok(msg)) = ws.next().await {
                    if let WsMessage::Binary(_) = msg {
                        let bomb = proto::sync_step2(depth_bomb("base", 100_000));
                        if ws.send(WsMessage::Binary(bomb.into())).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (format!("ws://{addr}/dpia/{DPIA}"), task)
}

#[tokio::test]
async fn a_hostile_hub_cannot_abort_sync_and_the_workspace_keeps_what_it_had() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kl.konsekvens");
    let mut ws = coordinator_workspace(&path);
    let before = ws.view().base().unwrap();
    let (url, task) = hostile_hub().await;
    let result = tokio::time::timeout(LIMIT, konsekvens_hub::sync_once(&mut ws, &url, "any")).await.expect("sync ends");
    let err = match result {
        Err(e) => e.to_string(),
        Ok(report) => format!("{report}"),
    };
    assert!(err.contains("K-CRDT-DEPTH"), "{err}");
    assert_eq!(ws.view().base().unwrap(), before);
    drop(ws);
    // And the file still opens with everything in it.
    let reopened = konsekvens_core::Workspace::open(&path, std::sync::Arc::new(konsekvens_core::SystemEnv)).unwrap();
    assert_eq!(reopened.view().base().unwrap(), before);
    task.abort();
}
