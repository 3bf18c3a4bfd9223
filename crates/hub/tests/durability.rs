//! The hub forwards an update once it is committed and answers its writer once it is on disk
//! (see `src/writer.rs`, «Durability»). A power loss can therefore lose an update the peers
//! already hold. These tests make that loss happen — the un-fsynced tail of the log removed
//! from a stopped hub's database, the way a power cut leaves it — and check that the peer
//! holding the lost update gets it accepted back, attributed to its author, while a peer
//! writing under another organisation's client id beyond what the hub could have forwarded
//! is still refused. (A killed process loses nothing committed: `tests/hub.rs` at the
//! workspace root kills the real binary mid-stream.)

mod common;

use common::*;
use konsekvens_hub::attribution::{AuthorsAnswer, AUTHORS, AUTHORS_QUERY};
use konsekvens_hub::{proto, BasePolicy};
use std::path::Path;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, GetString, Map, Options, ReadTxn, StateVector, Text, Transact, Update};

/// København's CRDT client id in these tests.
const KBH_CLIENT: u64 = 1_010_777;
const ESB_CLIENT: u64 = 5_610_777;

fn doc_with(client: u64) -> Doc {
    Doc::with_options(Options { client_id: ClientID::new(client), ..Options::default() })
}

/// The update one map entry adds to `doc`.
fn put(doc: &Doc, key: &str, value: &str) -> Vec<u8> {
    let before = doc.transact().state_vector();
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), key, value);
    doc.transact().encode_state_as_update_v1(&before)
}

/// The next `n` updates forwarded to `ws`.
async fn forwarded(ws: &mut Socket, n: usize) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    while got.len() < n {
        for m in recv(ws).await {
            if let Message::Sync(SyncMessage::Update(u)) = m {
                got.push(u);
            }
        }
    }
    got
}

/// The hub's base as a fresh reader sees it.
async fn hub_base(hub: &TestHub, token: &str) -> Doc {
    let mut ws = raw(hub, "base", token).await;
    let doc = doc_with(9_999_001);
    for m in barrier(&mut ws).await {
        if let Message::Sync(SyncMessage::SyncStep2(u)) = m {
            doc.transact_mut().apply_update(Update::decode_v1(&u).unwrap()).unwrap();
        }
    }
    doc
}

fn meta(doc: &Doc, key: &str) -> Option<String> {
    let map = doc.get_or_insert_map("meta"); // before the read transaction: it writes
    let txn = doc.transact();
    map.get(&txn, key).map(|v| v.to_string(&txn))
}

fn bound_org(dir: &Path, client: u64) -> Option<String> {
    let db = rusqlite::Connection::open(dir.join(konsekvens_hub::store::DB_FILE)).unwrap();
    db.query_row("SELECT org FROM client_ids WHERE client_id = ?1", [client as i64], |r| r.get(0)).ok()
}

fn lease(dir: &Path, client: u64) -> u32 {
    let db = rusqlite::Connection::open(dir.join(konsekvens_hub::store::DB_FILE)).unwrap();
    db.query_row("SELECT lease FROM client_ids WHERE client_id = ?1", [client as i64], |r| r.get::<_, i64>(0)).unwrap() as u32
}

/// What a power cut after `kept` was fsynced leaves: the log rows after it gone, and no
/// snapshot beyond it; the hub marked as running (it never stopped).
fn lose_log_after(dir: &Path, kept: i64) {
    let db = rusqlite::Connection::open(dir.join(konsekvens_hub::store::DB_FILE)).unwrap();
    let lost = db.execute("DELETE FROM updates WHERE seq > ?1", [kept]).unwrap();
    assert!(lost > 0, "nothing to lose after #{kept}");
    db.execute("DELETE FROM snapshots", []).unwrap();
    std::fs::write(dir.join("hub.running"), b"").unwrap();
}

fn last_seq(dir: &Path) -> i64 {
    let db = rusqlite::Connection::open(dir.join(konsekvens_hub::store::DB_FILE)).unwrap();
    db.query_row("SELECT max(seq) FROM updates", [], |r| r.get(0)).unwrap()
}

async fn authors(ws: &mut Socket) -> AuthorsAnswer {
    send(ws, proto::encode(&Message::Custom(AUTHORS_QUERY, vec![]))).await;
    loop {
        for m in recv(ws).await {
            if let Message::Custom(AUTHORS, json) = m {
                return serde_json::from_slice(&json).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn a_change_forwarded_and_lost_in_a_power_cut_is_taken_back_from_a_peer_and_stays_its_authors() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let addr = hub.addr;

    // København writes twice (each answered: durable); Esbjerg, connected, receives both and
    // writes on top of them.
    let mut kbh = raw(&hub, "base", &t.kbh).await;
    let mut esb = raw(&hub, "base", &t.esb).await;
    barrier(&mut esb).await;
    let kbh_doc = doc_with(KBH_CLIENT);
    send(&mut kbh, proto::update(put(&kbh_doc, "first", "København 1"))).await;
    assert!(denials(&barrier(&mut kbh).await).is_empty());
    let kept = last_seq(dir.path());
    send(&mut kbh, proto::update(put(&kbh_doc, "second", "København 2"))).await;
    assert!(denials(&barrier(&mut kbh).await).is_empty());
    let esb_doc = doc_with(ESB_CLIENT);
    for u in forwarded(&mut esb, 2).await {
        esb_doc.transact_mut().apply_update(Update::decode_v1(&u).unwrap()).unwrap();
    }
    let esb_own = put(&esb_doc, "esb", "Esbjerg, on top");
    send(&mut esb, proto::update(esb_own)).await;
    assert!(denials(&barrier(&mut esb).await).is_empty());

    // While the hub runs normally, nobody but København writes under its client id.
    let forger = doc_with(KBH_CLIENT);
    forger.transact_mut().apply_update(Update::decode_v1(&kbh_doc.transact().encode_state_as_update_v1(&StateVector::default())).unwrap()).unwrap();
    let forged = put(&forger, "forged", "Esbjerg as København");
    send(&mut esb, proto::update(forged.clone())).await;
    let denied = denials(&barrier(&mut esb).await);
    assert!(denied.len() == 1 && denied[0].starts_with("K-HUB-CLIENT-ID"), "{denied:?}");
    drop((kbh, esb));
    hub.stop().await;
    assert!(lease(dir.path(), KBH_CLIENT) >= 2, "København's lease covers both its updates");

    // A power cut after the first update was fsynced: the second (and Esbjerg's, which
    // builds on it) were forwarded but never reached the disk.
    lose_log_after(dir.path(), kept);
    let hub = TestHub::start_at(dir.path(), addr).await;
    assert_eq!(meta(&hub_base(&hub, &t.coordinator).await, "second"), None, "the hub lost the second update");

    // Esbjerg reconnects and sends what the hub lacks: København's lost update and its own.
    let mut esb = raw(&hub, "base", &t.esb).await;
    send(&mut esb, proto::sync_step2(esb_doc.transact().encode_state_as_update_v1(&StateVector::default()))).await;
    let denied = denials(&barrier(&mut esb).await);
    assert!(denied.is_empty(), "the peer holding a lost change is refused: {denied:?}");
    let base = hub_base(&hub, &t.coordinator).await;
    assert_eq!(meta(&base, "second").as_deref(), Some("København 2"));
    assert_eq!(meta(&base, "esb").as_deref(), Some("Esbjerg, on top"));
    // København's blocks stay København's: the binding, and the authors answer.
    assert_eq!(bound_org(dir.path(), KBH_CLIENT).as_deref(), Some("101"));
    assert_eq!(bound_org(dir.path(), ESB_CLIENT).as_deref(), Some("561"));
    let answer = authors(&mut esb).await;
    let org_of = |client: u64| answer.clients.iter().find(|c| c.client == client).map(|c| c.org.clone());
    assert_eq!(org_of(KBH_CLIENT).as_deref(), Some("101"), "{answer:?}");
    assert_eq!(org_of(ESB_CLIENT).as_deref(), Some("561"), "{answer:?}");

    // Beyond København's lease the hub never forwarded anything: writing there under its
    // id is refused, recovery or not.
    let lease_now = lease(dir.path(), KBH_CLIENT);
    let forger = doc_with(KBH_CLIENT);
    forger.transact_mut().apply_update(Update::decode_v1(&base.transact().encode_state_as_update_v1(&StateVector::default())).unwrap()).unwrap();
    let before = forger.transact().state_vector();
    let text = forger.get_or_insert_text("description");
    text.insert(&mut forger.transact_mut(), 0, &"x".repeat(lease_now as usize + 10));
    let beyond = forger.transact().encode_state_as_update_v1(&before);
    send(&mut esb, proto::update(beyond)).await;
    let denied = denials(&barrier(&mut esb).await);
    assert!(denied.len() == 1 && denied[0].starts_with("K-HUB-CLIENT-ID"), "{denied:?}");
    let after = hub_base(&hub, &t.coordinator).await;
    assert_eq!(after.get_or_insert_text("description").get_string(&after.transact()), "", "nothing of the forgery was applied");
    drop(esb);
    hub.stop().await;
}

#[tokio::test]
async fn a_first_write_binds_and_leases_its_client_id_on_disk_before_anyone_receives_it() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut kbh = raw(&hub, "base", &t.kbh).await;
    let mut esb = raw(&hub, "base", &t.esb).await;
    barrier(&mut esb).await;
    let kbh_doc = doc_with(KBH_CLIENT);
    send(&mut kbh, proto::update(put(&kbh_doc, "first", "1"))).await;
    // Esbjerg receives it; by then the binding and lease are committed (and were fsynced
    // before the forward: `writer`), and a killed hub would keep them.
    forwarded(&mut esb, 1).await;
    assert_eq!(bound_org(dir.path(), KBH_CLIENT).as_deref(), Some("101"));
    assert_eq!(lease(dir.path(), KBH_CLIENT), 1 + 4096);
    // Later writes within the lease do not raise it; one passing it does.
    for i in 0..5 {
        send(&mut kbh, proto::update(put(&kbh_doc, &format!("k{i}"), "v"))).await;
    }
    assert!(denials(&barrier(&mut kbh).await).is_empty());
    assert_eq!(lease(dir.path(), KBH_CLIENT), 1 + 4096);
    let before = kbh_doc.transact().state_vector();
    kbh_doc.get_or_insert_text("description").insert(&mut kbh_doc.transact_mut(), 0, &"y".repeat(5000));
    send(&mut kbh, proto::update(kbh_doc.transact().encode_state_as_update_v1(&before))).await;
    assert!(denials(&barrier(&mut kbh).await).is_empty());
    assert_eq!(lease(dir.path(), KBH_CLIENT), 6 + 5000 + 4096);
    drop((kbh, esb));
    hub.stop().await;
    assert!(!dir.path().join("hub.running").exists(), "a clean stop removes the running marker");
}
