//! The hostile-client matrix: every way a client may try to write what it must not, or break
//! the protocol, gets its answer — an HTTP status at the handshake, y-protocols'
//! permission-denied `Message::Auth(Some(reason))`, or a close frame with a code — and after
//! each attempt the hub's stored state is byte-identical (every document's encoded state and
//! every table but `refusals`) and the hub still serves the others: a listener connected
//! through the whole matrix receives a legitimate write after each case.

mod common;

use common::*;
use futures_util::StreamExt;
use konsekvens_core::model::OrgCode;
use konsekvens_core::DocKey;
use konsekvens_hub::{proto, BasePolicy, HubStore, Role, ServeConfig};
use rusqlite::types::Value;
use std::path::Path;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, Map, Options, ReadTxn, StateVector, Text, Transact};

/// The hub reads no message larger than this in the matrix (the default is 4 MiB).
const LIMIT_BYTES: usize = 64 * 1024;
/// Nor an update larger than this (the default is 1 MiB).
const UPDATE_LIMIT: usize = 16 * 1024;

/// What the hub answered.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// Refused at the handshake with this HTTP status.
    Http(u16),
    /// Permission denied (y-protocols `Auth`) with a reason containing the given text.
    Denied(String),
    /// Closed with this code and a reason containing the given text.
    Closed(CloseCode, String),
    /// Said nothing to the client, but recorded a refusal whose reason contains the text
    /// (presence dropped or corrected).
    Recorded(String),
}

/// Everything the hub stores except the refusals: each document's encoded state, as a
/// fresh peer receives it, and every row of the tables that hold state.
#[derive(Debug, PartialEq)]
struct Fingerprint {
    documents: Vec<(String, Vec<u8>)>,
    tables: Vec<(&'static str, Vec<Vec<Value>>)>,
}

async fn fingerprint(hub: &TestHub, dir: &Path, t: &Tokens) -> Fingerprint {
    let mut documents = Vec::new();
    for doc in ["coordination", "base", "supplement/101", "supplement/561"] {
        let mut ws = raw(hub, doc, &t.coordinator).await;
        let state = barrier(&mut ws)
            .await
            .into_iter()
            .find_map(|m| match m {
                Message::Sync(SyncMessage::SyncStep2(state)) => Some(state),
                _ => None,
            })
            .expect("the barrier ends with SyncStep2");
        documents.push((doc.to_string(), state));
    }
    let db = rusqlite::Connection::open(dir.join(konsekvens_hub::store::DB_FILE)).unwrap();
    let mut tables = Vec::new();
    for (table, order) in [
        ("updates", "seq"),
        ("snapshots", "dpia, doc"),
        ("client_ids", "client_id"),
        ("tokens", "id"),
        ("dpias", "id"),
        ("participants", "dpia, org"),
        ("orgs", "code"),
    ] {
        let mut stmt = db.prepare(&format!("SELECT * FROM {table} ORDER BY {order}")).unwrap();
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |r| (0..columns).map(|i| r.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        tables.push((table, rows));
    }
    Fingerprint { documents, tables }
}

fn refusal_count(dir: &Path) -> usize {
    HubStore::open(dir).unwrap().refusals(DPIA).unwrap().len()
}

/// Returns once every refusal recorded so far is committed: a refused handshake is
/// recorded without holding up the handshake, through the writer's queue — an (empty)
/// write queued behind it is answered after it.
async fn flush_writer(hub: &TestHub, t: &Tokens) {
    let mut ws = raw(hub, "base", &t.coordinator).await;
    send(&mut ws, proto::update(vec![0, 0])).await;
    assert!(denials(&barrier(&mut ws).await).is_empty());
}

/// The reasons recorded after the first `skip`.
fn refusals_since(dir: &Path, skip: usize) -> Vec<String> {
    HubStore::open(dir).unwrap().refusals(DPIA).unwrap().into_iter().skip(skip).map(|r| r.reason).collect()
}

/// The last refusal recorded, as an answer.
fn last_refusal(dir: &Path) -> Answer {
    Answer::Recorded(HubStore::open(dir).unwrap().refusals(DPIA).unwrap().pop().map(|r| r.reason).unwrap_or_default())
}

/// One awareness entry as a frame.
fn awareness(id: u64, clock: u32, json: &str) -> Vec<u8> {
    let entry = AwarenessUpdateEntry { clock, json: json.into() };
    proto::encode(&Message::Awareness(AwarenessUpdate { clients: [(ClientID::new(id), entry)].into() }))
}

/// The presence a fresh peer on the base is greeted with, for one awareness id.
async fn seen_presence(hub: &TestHub, token: &str, id: u64) -> Option<String> {
    let mut fresh = raw(hub, "base", token).await;
    barrier(&mut fresh).await.into_iter().find_map(|m| match m {
        Message::Awareness(u) => u.clients.get(&ClientID::new(id)).map(|e| e.json.to_string()),
        _ => None,
    })
}

/// A y-sync update of a fresh document with this CRDT client id: one map entry.
fn update_from(client: u64, key: &str, value: &str) -> Vec<u8> {
    let doc = Doc::with_options(Options { client_id: ClientID::new(client), ..Options::default() });
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), key, value);
    let update = doc.transact().encode_state_as_update_v1(&StateVector::default());
    update
}

/// Connects with `?token=` and returns the HTTP status the handshake was refused with.
async fn handshake_status(url: String) -> Answer {
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Answer::Http(resp.status().as_u16()),
        Ok(_) => panic!("the handshake was accepted"),
        Err(e) => panic!("unexpected handshake error: {e}"),
    }
}

/// Sends `frame`, then a barrier; the permission-denied reason, if any.
async fn write_answer(ws: &mut Socket, frame: Vec<u8>) -> Answer {
    send(ws, frame).await;
    match denials(&barrier(ws).await).as_slice() {
        [] => panic!("the write was accepted"),
        [reason] => Answer::Denied(reason.clone()),
        more => panic!("more than one answer: {more:?}"),
    }
}

/// Sends a raw WebSocket message and reads until the hub closes the connection.
async fn close_answer(ws: &mut Socket, message: WsMessage) -> Answer {
    use futures_util::SinkExt;
    // The hub may close before reading all of a too-large message: a failed send is fine.
    let _ = ws.send(message).await;
    loop {
        match tokio::time::timeout(LIMIT, ws.next()).await.expect("the hub closes in time") {
            Some(Ok(WsMessage::Close(Some(frame)))) => return Answer::Closed(frame.code, frame.reason.to_string()),
            Some(Ok(WsMessage::Close(None))) | None => panic!("closed without a code"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("connection failed instead of closing: {e}"),
        }
    }
}

/// `Answer` matching: the reason needs only to contain the expected text.
fn matches(got: &Answer, expected: &Answer) -> bool {
    match (got, expected) {
        (Answer::Denied(g), Answer::Denied(e)) => g.contains(e.as_str()),
        (Answer::Closed(gc, g), Answer::Closed(ec, e)) => gc == ec && g.contains(e.as_str()),
        (Answer::Recorded(g), Answer::Recorded(e)) => g.contains(e.as_str()),
        (g, e) => g == e,
    }
}

/// The coordinator writes one base update; the listener (Esbjerg, on the base all along)
/// must receive it forwarded.
async fn still_serving(hub: &TestHub, t: &Tokens, listener: &mut Socket, n: usize) {
    let mut kl = raw(hub, "base", &t.coordinator).await;
    let update = update_from(900_000 + n as u64, &format!("ping-{n}"), "pong");
    send(&mut kl, proto::update(update.clone())).await;
    assert!(denials(&barrier(&mut kl).await).is_empty(), "the coordinator's write is accepted");
    loop {
        let got = recv(listener).await;
        if got.iter().any(|m| matches!(m, Message::Sync(SyncMessage::Update(u)) if *u == update)) {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_client_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::CoordinatorOnly);
    let (revoked, revoked_later, outsider) = {
        let store = HubStore::open(dir.path()).unwrap();
        store.add_org("999", "Udenforstående Kommune").unwrap();
        let revoked = store.issue_token("561", Role::Member, "revoked").unwrap();
        store.revoke_token(revoked.id).unwrap();
        let later = store.issue_token("561", Role::Member, "revoked while connected").unwrap();
        (revoked.secret, later, store.issue_token("999", Role::Member, "outsider").unwrap().secret)
    };
    let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
    config.max_message_size = LIMIT_BYTES;
    config.max_update_size = UPDATE_LIMIT;
    // Here a revoked token's write meets the check on every write; closing its sockets
    // within a second is `limits.rs`'s test.
    config.revocation_check = std::time::Duration::from_secs(3600);
    let hub = TestHub::start_with(config).await;

    // State worth protecting: coordination and base from KL, both supplements from their owners.
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    for (code, token, file) in [(101u16, &t.kbh, "kbh"), (561, &t.esb, "esb")] {
        let mut ws = empty_workspace(&dir.path().join(format!("{file}.konsekvens")));
        assert!(sync(&mut ws, &hub.url(), token).await.in_sync());
        let key = DocKey::Supplement(OrgCode(code));
        let mut meta = ws.view().supplement(OrgCode(code)).unwrap().meta;
        meta.org = Some(OrgCode(code));
        meta.name = format!("Kommune {code}");
        ws.edit(key, &author(code), |e| e.set(&meta)).unwrap();
        assert!(sync(&mut ws, &hub.url(), token).await.in_sync());
    }
    // Esbjerg binds a client id on its supplement and stays connected with it.
    let esb_doc = Doc::with_options(Options { client_id: ClientID::new(5_610_001), ..Options::default() });
    esb_doc.get_or_insert_map("meta").insert(&mut esb_doc.transact_mut(), "esb", "Esbjerg");
    let mut esb_writer = raw(&hub, "supplement/561", &t.esb).await;
    send(&mut esb_writer, proto::update(esb_doc.transact().encode_state_as_update_v1(&StateVector::default()))).await;
    assert!(denials(&barrier(&mut esb_writer).await).is_empty());
    // A client id KL's sync bound (it wrote the base).
    let kl_client: u64 = {
        let db = rusqlite::Connection::open(dir.path().join(konsekvens_hub::store::DB_FILE)).unwrap();
        db.query_row("SELECT client_id FROM client_ids WHERE org = 'KL' LIMIT 1", [], |r| r.get::<_, i64>(0)).unwrap() as u64
    };
    // The listener announces its presence on the base.
    let mut listener = raw(&hub, "base", &t.esb).await;
    let presence = |clock: u32, json: &str| {
        let entry = AwarenessUpdateEntry { clock, json: json.into() };
        proto::encode(&Message::Awareness(AwarenessUpdate { clients: [(ClientID::new(5_610_099), entry)].into() }))
    };
    send(&mut listener, presence(1, r#"{"user":{"name":"Esbjerg"}}"#)).await;
    barrier(&mut listener).await;

    let base_url = |doc: &str| format!("{}/dpia/{DPIA}/{doc}", hub.base());
    let valid = update_from(1_010_001, "k", "v");
    let mut ran = 0;
    macro_rules! case {
        ($name:expr, $expected:expr, $refusal_logged:expr, $attempt:expr) => {{
            let before = fingerprint(&hub, dir.path(), &t).await;
            let refusals = refusal_count(dir.path());
            let got: Answer = $attempt;
            let expected: Answer = $expected;
            assert!(matches(&got, &expected), "{}: expected {expected:?}, got {got:?}", $name);
            assert_eq!(fingerprint(&hub, dir.path(), &t).await, before, "{}: the stored state changed", $name);
            flush_writer(&hub, &t).await;
            let logged = refusal_count(dir.path()) - refusals;
            assert_eq!(logged, usize::from($refusal_logged), "{}: refusals recorded", $name);
            assert!(
                refusals_since(dir.path(), refusals).iter().all(|r| r.starts_with("K-HUB-")),
                "{}: every refusal starts with its code: {:?}",
                $name,
                refusals_since(dir.path(), refusals)
            );
            ran += 1;
            still_serving(&hub, &t, &mut listener, ran).await;
        }};
    }

    // ---- at the handshake ----------------------------------------------------------------
    case!("no token", Answer::Http(401), false, handshake_status(base_url("base")).await);
    case!("unknown token (recorded)", Answer::Http(401), true, handshake_status(format!("{}?token=khub_00", base_url("base"))).await);
    case!("revoked token (recorded)", Answer::Http(401), true, handshake_status(format!("{}?token={revoked}", base_url("base"))).await);
    case!(
        "an organisation outside the joint DPIA",
        Answer::Http(403),
        false,
        handshake_status(format!("{}?token={outsider}", base_url("base"))).await
    );
    case!(
        "a supplement of a non-participant",
        Answer::Http(404),
        false,
        handshake_status(format!("{}?token={}", base_url("supplement/999"), t.kbh)).await
    );
    case!(
        "an unknown joint DPIA",
        Answer::Http(404),
        false,
        handshake_status(format!("{}/dpia/nope/base?token={}", hub.base(), t.kbh)).await
    );

    // ---- writes the rights forbid --------------------------------------------------------
    case!("a reader token writing", Answer::Denied("read-only".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh_reader).await;
        write_answer(&mut ws, proto::update(valid.clone())).await
    });
    case!("a member writing another municipality's supplement", Answer::Denied("written only by municipality 561".into()), true, {
        let mut ws = raw(&hub, "supplement/561", &t.kbh).await;
        write_answer(&mut ws, proto::sync_step2(valid.clone())).await
    });
    case!("a member writing the base under coordinator-only policy", Answer::Denied("coordinator (KL) only".into()), true, {
        let mut ws = raw(&hub, "base", &t.kbh).await;
        write_answer(&mut ws, proto::update(valid.clone())).await
    });
    case!("a member writing the coordination document", Answer::Denied("only the coordinator".into()), true, {
        let mut ws = raw(&hub, "coordination", &t.esb).await;
        write_answer(&mut ws, proto::update(valid.clone())).await
    });
    case!("the coordinator writing a municipality's supplement", Answer::Denied("written only by municipality 101".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.coordinator).await;
        write_answer(&mut ws, proto::update(valid.clone())).await
    });
    // Connected first, then revoked (the tokens table changes before the case begins).
    let mut revoked_socket = raw(&hub, "supplement/561", &revoked_later.secret).await;
    barrier(&mut revoked_socket).await;
    HubStore::open(dir.path()).unwrap().revoke_token(revoked_later.id).unwrap();
    case!("a token revoked while connected", Answer::Denied("revoked".into()), true, {
        write_answer(&mut revoked_socket, proto::update(valid.clone())).await
    });

    // ---- forged CRDT client ids ----------------------------------------------------------
    case!("another connection's client id (Esbjerg's, live)", Answer::Denied("belongs to organisation 561".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(update_from(5_610_001, "forged", "x"))).await
    });
    case!("another organisation's client id (KL's on the base)", Answer::Denied("belongs to organisation KL".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(update_from(kl_client, "forged", "x"))).await
    });
    case!("a fresh client id and a forged one in one update", Answer::Denied("belongs to organisation 561".into()), true, {
        let forged = update_from(5_610_001, "forged", "x");
        let fresh = update_from(1_010_777, "fresh", "y");
        let both = yrs::merge_updates_v1([forged.as_slice(), fresh.as_slice()]).unwrap();
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(both)).await
    });

    // ---- malformed frames ----------------------------------------------------------------
    case!("garbage bytes", Answer::Closed(CloseCode::Invalid, "malformed y-sync message".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        close_answer(&mut ws, WsMessage::Binary(vec![0xff, 0xfe, 0x13, 0x37, 0x00, 0x42].into())).await
    });
    case!("a truncated y-sync message", Answer::Closed(CloseCode::Invalid, "malformed y-sync message".into()), true, {
        let whole = proto::update(valid.clone());
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        close_answer(&mut ws, WsMessage::Binary(whole[..whole.len() / 2].to_vec().into())).await
    });
    case!("a valid message carrying a corrupt update", Answer::Denied("malformed update".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(vec![0x03, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x99, 0x42, 0x17])).await
    });
    case!("a valid message carrying a truncated update", Answer::Denied("malformed update".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(valid[..valid.len() - 3].to_vec())).await
    });
    case!("an update building on changes the hub does not have", Answer::Denied("builds on changes the hub does not have".into()), true, {
        let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_555), ..Options::default() });
        let notes = doc.get_or_insert_map("meta");
        notes.insert(&mut doc.transact_mut(), "first", "1");
        let after_first = doc.transact().state_vector();
        notes.insert(&mut doc.transact_mut(), "second", "2");
        let second_only = doc.transact().encode_state_as_update_v1(&after_first);
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(second_only)).await
    });
    case!("an update typing after text the hub never saw", Answer::Denied("builds on changes the hub does not have".into()), true, {
        // Another peer's text, never sent to the hub; then København types after it.
        let other = Doc::with_options(Options { client_id: ClientID::new(1_010_556), ..Options::default() });
        other.get_or_insert_text("meta").insert(&mut other.transact_mut(), 0, "unseen ");
        let kbh = Doc::with_options(Options { client_id: ClientID::new(1_010_557), ..Options::default() });
        let unseen = other.transact().encode_state_as_update_v1(&StateVector::default());
        kbh.transact_mut().apply_update(yrs::Update::decode_v1(&unseen).unwrap()).unwrap();
        let before = kbh.transact().state_vector();
        kbh.get_or_insert_text("meta").insert(&mut kbh.transact_mut(), 7, "typed after it");
        let typed = kbh.transact().encode_state_as_update_v1(&before);
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(typed)).await
    });
    case!("a text frame", Answer::Closed(CloseCode::Unsupported, "binary".into()), true, {
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        close_answer(&mut ws, WsMessage::Text("hello".into())).await
    });

    // ---- an oversized message ------------------------------------------------------------
    case!("an oversized message", Answer::Closed(CloseCode::Size, "K-HUB-TOO-LARGE: besked på".into()), true, {
        let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_888), ..Options::default() });
        doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), "big", "x".repeat(2 * LIMIT_BYTES));
        let big = doc.transact().encode_state_as_update_v1(&StateVector::default());
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        close_answer(&mut ws, WsMessage::Binary(proto::update(big).into())).await
    });

    // ---- someone else's presence ---------------------------------------------------------
    case!("presence under the listener's awareness id", Answer::Recorded("K-HUB-PRESENCE-FORGED".into()), 2usize, {
        let mut ws = raw(&hub, "base", &t.kbh).await;
        send(&mut ws, presence(7, "null")).await;
        send(&mut ws, presence(8, r#"{"user":{"name":"Forfalsket"}}"#)).await;
        assert!(denials(&barrier(&mut ws).await).is_empty());
        // A fresh peer still sees Esbjerg's own presence.
        let mut fresh = raw(&hub, "base", &t.coordinator).await;
        let seen = barrier(&mut fresh).await;
        let esbjerg = seen.iter().any(|m| {
            matches!(m, Message::Awareness(u) if u.clients.get(&ClientID::new(5_610_099)).is_some_and(|e| e.json.contains("Esbjerg")))
        });
        assert!(esbjerg, "{seen:?}");
        last_refusal(dir.path())
    });
    case!("presence claiming another organisation", Answer::Recorded("K-HUB-PRESENCE-FORGED".into()), true, {
        // Esbjerg's member token says it is KL's DPO: relayed, but as Esbjerg.
        let mut ws = raw(&hub, "base", &t.esb).await;
        send(&mut ws, awareness(5_610_201, 1, r#"{"user":{"name":"KL's DPO","org":"KL","orgName":"KL / KOMBIT"}}"#)).await;
        assert!(denials(&barrier(&mut ws).await).is_empty());
        let json = seen_presence(&hub, &t.coordinator, 5_610_201).await.expect("relayed");
        let state: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(state["user"]["org"], "561", "{json}");
        assert_eq!(state["user"]["orgName"], "Esbjerg", "{json}");
        assert_eq!(state["user"]["name"], "KL's DPO", "the name is the peer's own: {json}");
        last_refusal(dir.path())
    });
    case!("squatting the presence id of a peer that left", Answer::Recorded("K-HUB-PRESENCE-FORGED".into()), 2usize, {
        let mut esb = raw(&hub, "base", &t.esb).await;
        send(&mut esb, awareness(5_610_300, 1, r#"{"user":{"name":"Esbjerg DPO"}}"#)).await;
        barrier(&mut esb).await;
        drop(esb);
        // Once Esbjerg's presence is gone (its connection closed), København takes the id.
        tokio::time::timeout(LIMIT, async {
            while seen_presence(&hub, &t.coordinator, 5_610_300).await.is_some() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the presence leaves with its connection");
        let mut ws = raw(&hub, "base", &t.kbh).await;
        send(&mut ws, awareness(5_610_300, 9, r#"{"user":{"name":"Esbjerg DPO"}}"#)).await;
        send(&mut ws, awareness(5_610_300, 10, "null")).await;
        assert!(denials(&barrier(&mut ws).await).is_empty());
        assert_eq!(seen_presence(&hub, &t.coordinator, 5_610_300).await, None, "nobody appears under Esbjerg's id");
        // Esbjerg's token takes it back on reconnecting.
        let mut back = raw(&hub, "base", &t.esb).await;
        send(&mut back, awareness(5_610_300, 11, r#"{"user":{"name":"Esbjerg DPO"}}"#)).await;
        barrier(&mut back).await;
        assert!(seen_presence(&hub, &t.coordinator, 5_610_300).await.is_some_and(|j| j.contains("\"561\"")));
        last_refusal(dir.path())
    });
    case!("presence that is not JSON", Answer::Recorded("K-HUB-PRESENCE-MALFORMED".into()), true, {
        let mut ws = raw(&hub, "base", &t.kbh).await;
        send(&mut ws, awareness(1_010_301, 1, "{not json")).await;
        assert!(denials(&barrier(&mut ws).await).is_empty(), "the connection stays open and answers");
        assert_eq!(seen_presence(&hub, &t.coordinator, 1_010_301).await, None);
        last_refusal(dir.path())
    });
    case!("presence that is JSON but not an object", Answer::Recorded("K-HUB-PRESENCE-MALFORMED".into()), true, {
        let mut ws = raw(&hub, "base", &t.kbh).await;
        send(&mut ws, awareness(1_010_302, 1, "[1,2,3]")).await;
        barrier(&mut ws).await;
        assert_eq!(seen_presence(&hub, &t.coordinator, 1_010_302).await, None);
        last_refusal(dir.path())
    });
    case!("oversized presence", Answer::Recorded("K-HUB-TOO-LARGE".into()), true, {
        let mut ws = raw(&hub, "base", &t.kbh_reader).await;
        let big = format!(r#"{{"user":{{"name":"{}"}}}}"#, "x".repeat(5 * 1024));
        send(&mut ws, awareness(1_010_303, 1, &big)).await;
        barrier(&mut ws).await;
        assert_eq!(seen_presence(&hub, &t.coordinator, 1_010_303).await, None);
        last_refusal(dir.path())
    });
    case!("presence under many ids from one connection", Answer::Recorded("K-HUB-TOO-LARGE".into()), 2usize, {
        let mut ws = raw(&hub, "base", &t.kbh).await;
        for id in 0..10 {
            send(&mut ws, awareness(1_010_400 + id, 1, r#"{"user":{"name":"n"}}"#)).await;
        }
        barrier(&mut ws).await;
        assert_eq!(seen_presence(&hub, &t.coordinator, 1_010_409).await, None, "the ninth and tenth are dropped");
        assert!(seen_presence(&hub, &t.coordinator, 1_010_400).await.is_some());
        last_refusal(dir.path())
    });

    case!("malformed presence again and again", Answer::Closed(CloseCode::Policy, "K-HUB-PRESENCE-MALFORMED".into()), 6usize, {
        // Five recorded, the 21st closes the connection (and that is recorded too).
        let mut ws = raw(&hub, "base", &t.kbh).await;
        let mut frames = Vec::new();
        for clock in 1..=21 {
            frames.extend(awareness(1_010_310, clock, "nope"));
        }
        close_answer(&mut ws, WsMessage::Binary(frames.into())).await
    });
    case!("a wrong organisation in every presence renewal", Answer::Recorded("K-HUB-PRESENCE-FORGED".into()), true, {
        // What an app whose user settings name another organisation sends every 15 s:
        // corrected each time, recorded once, never closed.
        let mut ws = raw(&hub, "base", &t.kbh).await;
        for clock in 1..=30 {
            send(&mut ws, awareness(1_010_311, clock, r#"{"user":{"name":"Dorte","org":"561"}}"#)).await;
        }
        assert!(denials(&barrier(&mut ws).await).is_empty(), "still open");
        assert!(seen_presence(&hub, &t.coordinator, 1_010_311).await.is_some_and(|j| j.contains(r#""org":"101""#)));
        last_refusal(dir.path())
    });

    // ---- sizes and shapes of updates -----------------------------------------------------
    case!("an update over the per-update limit", Answer::Denied("K-HUB-TOO-LARGE".into()), true, {
        let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_501), ..Options::default() });
        doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), "big", "x".repeat(UPDATE_LIMIT + 1));
        let big = doc.transact().encode_state_as_update_v1(&StateVector::default());
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(big)).await
    });
    case!("an update into a root type the document does not model", Answer::Denied("K-HUB-ROOT-UNMODELLED".into()), true, {
        let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_502), ..Options::default() });
        doc.get_or_insert_map("junk").insert(&mut doc.transact_mut(), "filler", "x".repeat(8 * 1024));
        let junk = doc.transact().encode_state_as_update_v1(&StateVector::default());
        let mut ws = raw(&hub, "supplement/101", &t.kbh).await;
        write_answer(&mut ws, proto::update(junk)).await
    });
    case!("a base root written to the coordination document", Answer::Denied("K-HUB-ROOT-UNMODELLED".into()), true, {
        let doc = Doc::with_options(Options { client_id: ClientID::new(9_000_503), ..Options::default() });
        doc.get_or_insert_map("risks").insert(&mut doc.transact_mut(), "R1", "x");
        let update = doc.transact().encode_state_as_update_v1(&StateVector::default());
        let mut ws = raw(&hub, "coordination", &t.coordinator).await;
        write_answer(&mut ws, proto::update(update)).await
    });
    case!("a reader's undecodable write is refused for its rights, not decoded", Answer::Denied("K-HUB-RIGHTS".into()), true, {
        // Claims one client with blocks, then garbage: decoding it would fail differently.
        let mut ws = raw(&hub, "supplement/101", &t.kbh_reader).await;
        write_answer(&mut ws, proto::update(vec![1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x13, 0x37])).await
    });
    case!("a reader's deletion is refused", Answer::Denied("K-HUB-RIGHTS".into()), true, {
        // A delete set only (no blocks), deleting Esbjerg's entry: decoded, and refused.
        let sv = esb_doc.transact().state_vector();
        let scratch = Doc::new();
        scratch.transact_mut().apply_update(yrs::Update::decode_v1(&esb_doc.transact().encode_state_as_update_v1(&StateVector::default())).unwrap()).unwrap();
        scratch.get_or_insert_map("meta").remove(&mut scratch.transact_mut(), "esb");
        let delete_only = scratch.transact().encode_state_as_update_v1(&sv);
        assert_eq!(delete_only.first(), Some(&0), "no blocks, a delete set");
        let mut ws = raw(&hub, "supplement/561", &t.kbh_reader).await;
        write_answer(&mut ws, proto::update(delete_only)).await
    });

    // The refusals name who tried what.
    let refusals = HubStore::open(dir.path()).unwrap().refusals(DPIA).unwrap();
    assert!(refusals.iter().any(|r| r.org.as_deref() == Some("101") && r.doc == "supplement/561"), "{refusals:?}");
    assert!(refusals.iter().any(|r| r.reason.contains("exceeds the hub's limit")), "{refusals:?}");
    assert!(refusals.iter().any(|r| r.org.is_none() && r.reason.starts_with("K-HUB-AUTH")), "a failed handshake is recorded: {refusals:?}");
    // The writer that stayed connected through it all still writes.
    let sv = esb_doc.transact().state_vector();
    esb_doc.get_or_insert_map("meta").insert(&mut esb_doc.transact_mut(), "still", "here");
    send(&mut esb_writer, proto::update(esb_doc.transact().encode_state_as_update_v1(&sv))).await;
    assert!(denials(&barrier(&mut esb_writer).await).is_empty());
    let log = HubStore::open(dir.path()).unwrap().log(DPIA, Some(DocKey::Supplement(OrgCode(561)))).unwrap();
    assert_eq!(log.last().map(|row| row.org.as_str()), Some("561"), "Esbjerg's last write is logged");
    hub.stop().await;
}
