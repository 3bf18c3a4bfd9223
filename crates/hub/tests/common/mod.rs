#![allow(dead_code)]
//! Shared fixtures: a hub on 127.0.0.1:0 in a temporary directory, a registry with the
//! coordinator KL and the municipalities 101 (København) and 561 (Esbjerg), and workspaces.

use futures_util::{SinkExt, StreamExt};
use konsekvens_core::model::*;
use konsekvens_hub::proto;
use konsekvens_core::{Author, SystemEnv, Workspace};
use konsekvens_hub::{BasePolicy, HubError, HubStore, Role, ServeConfig, Server};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::sync::{Message, SyncMessage};
use yrs::StateVector;

pub const DPIA: &str = "aula";
/// Every network step of a test is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(20);

pub struct Tokens {
    pub coordinator: String,
    pub kbh: String,
    pub esb: String,
    pub kbh_reader: String,
    pub kbh_id: i64,
}

/// Registers the organisations, the joint DPIA and one token per role.
pub fn registry(dir: &Path, policy: BasePolicy) -> Tokens {
    let mut store = HubStore::open(dir).unwrap();
    store.add_org("KL", "KL / KOMBIT").unwrap();
    store.add_org("101", "København").unwrap();
    store.add_org("561", "Esbjerg").unwrap();
    store.add_dpia(DPIA, "AULA", "KL", policy, &["101", "561"]).unwrap();
    let kbh = store.issue_token("101", Role::Member, "kbh").unwrap();
    Tokens {
        coordinator: store.issue_token("KL", Role::Coordinator, "kl").unwrap().secret,
        esb: store.issue_token("561", Role::Member, "esb").unwrap().secret,
        kbh_reader: store.issue_token("101", Role::Reader, "kbh-read").unwrap().secret,
        kbh: kbh.secret,
        kbh_id: kbh.id,
    }
}

pub struct TestHub {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), HubError>>,
}

impl TestHub {
    pub async fn start(dir: &Path) -> TestHub {
        TestHub::start_at(dir, "127.0.0.1:0".parse().unwrap()).await
    }

    /// On a given address (to come back on the same port after a stop).
    pub async fn start_at(dir: &Path, listen: SocketAddr) -> TestHub {
        TestHub::start_with(ServeConfig::new(dir, listen)).await
    }

    pub async fn start_with(mut config: ServeConfig) -> TestHub {
        config.verbose = std::env::var_os("HUB_VERBOSE").is_some();
        let server = Server::bind(config).await.unwrap();
        let addr = server.local_addr();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async move {
            let _ = rx.await;
        }));
        TestHub { addr, stop: Some(tx), handle }
    }

    /// The URL a client is given: `ws://127.0.0.1:PORT/dpia/aula`.
    pub fn url(&self) -> String {
        format!("ws://{}/dpia/{DPIA}", self.addr)
    }

    pub fn base(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(LIMIT, self.handle).await.expect("hub stops in time").unwrap().unwrap();
    }
}

pub fn participants() -> Vec<Participant> {
    vec![
        Participant { code: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into() },
        Participant { code: Some(OrgCode(561)), name: "Esbjerg".into(), ref_prefix: "ESB".into() },
    ]
}

/// The coordinator's workspace: coordination (participants) and a base with its id.
pub fn coordinator_workspace(path: &Path) -> Workspace {
    let coordination = Coordination {
        coordinator: "KL / KOMBIT".into(),
        base_write_policy: Some(BaseWritePolicy::AllParticipants),
        participants: participants(),
        ..Coordination::default()
    };
    let mut base = Base::default();
    base.meta.dpia_id = DPIA.into();
    base.meta.title = "AULA".into();
    base.description.summary = Prose::from("Fælles konsekvensanalyse for AULA.");
    Workspace::create_with(path, Arc::new(SystemEnv), &Author::new("KL", None), &coordination, &base, &[]).unwrap()
}

/// A municipality's fresh, empty workspace (filled by its first sync).
pub fn empty_workspace(path: &Path) -> Workspace {
    Workspace::create(path, Arc::new(SystemEnv)).unwrap()
}

pub fn author(code: u16) -> Author {
    Author::new(format!("dpo@{code}"), Some(OrgCode(code)))
}

pub async fn sync(ws: &mut Workspace, url: &str, token: &str) -> konsekvens_hub::SyncReport {
    tokio::time::timeout(LIMIT, konsekvens_hub::sync_once(ws, url, token)).await.expect("sync in time").unwrap()
}

/// A raw WebSocket to one document, as a Yjs peer opens it.
pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw y-sync connection to `doc` (e.g. `base`, `supplement/561`) with `?token=`.
pub async fn raw(hub: &TestHub, doc: &str, token: &str) -> Socket {
    let url = format!("{}/dpia/{DPIA}/{doc}?token={token}", hub.base());
    let (ws, _) = tokio::time::timeout(LIMIT, Box::pin(tokio_tungstenite::connect_async(url))).await.unwrap().unwrap();
    ws
}

/// The y-sync messages of the next binary frame.
pub async fn recv(ws: &mut Socket) -> Vec<Message> {
    loop {
        match tokio::time::timeout(LIMIT, ws.next()).await.expect("a message in time") {
            Some(Ok(WsMessage::Binary(b))) => return proto::decode_frame(&b).unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("connection ended: {other:?}"),
        }
    }
}

/// Sends SyncStep1 (empty state vector) and collects everything up to the answering
/// SyncStep2: the hub has dealt with every earlier message of ours when it arrives.
pub async fn barrier(ws: &mut Socket) -> Vec<Message> {
    ws.send(WsMessage::Binary(proto::sync_step1(&StateVector::default()).into())).await.unwrap();
    let mut seen = Vec::new();
    loop {
        for m in recv(ws).await {
            let done = matches!(m, Message::Sync(SyncMessage::SyncStep2(_)));
            seen.push(m);
            if done {
                return seen;
            }
        }
    }
}

/// Sends one frame of y-sync messages.
pub async fn send(ws: &mut Socket, frame: Vec<u8>) {
    ws.send(WsMessage::Binary(frame.into())).await.unwrap();
}

/// The permission-denied reasons among `messages`.
pub fn denials(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            Message::Auth(Some(reason)) => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

/// The tables a hub of schema 1 (the first release) created: for the migration tests.
#[allow(dead_code)] // not every test binary opens an old data directory
pub const HUB_SCHEMA_1: &str = "CREATE TABLE orgs (code TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
    CREATE TABLE tokens (id INTEGER PRIMARY KEY AUTOINCREMENT, hash BLOB NOT NULL UNIQUE, org TEXT NOT NULL REFERENCES orgs(code),
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'member', 'reader')), label TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL, revoked_at INTEGER);
    CREATE TABLE dpias (id TEXT PRIMARY KEY, title TEXT NOT NULL, coordinator TEXT NOT NULL REFERENCES orgs(code),
    base_policy TEXT NOT NULL CHECK (base_policy IN ('all', 'coordinator')), created_at INTEGER NOT NULL);
    CREATE TABLE participants (dpia TEXT NOT NULL REFERENCES dpias(id), org TEXT NOT NULL REFERENCES orgs(code), PRIMARY KEY (dpia, org));
    CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, dpia TEXT NOT NULL REFERENCES dpias(id), doc TEXT NOT NULL,
    data BLOB NOT NULL, org TEXT NOT NULL, token_id INTEGER NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX updates_by_doc ON updates(dpia, doc, seq);
    CREATE TABLE snapshots (dpia TEXT NOT NULL, doc TEXT NOT NULL, upto_seq INTEGER NOT NULL, state BLOB NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (dpia, doc));
    CREATE TABLE client_ids (client_id INTEGER PRIMARY KEY, org TEXT NOT NULL, token_id INTEGER NOT NULL, first_seen INTEGER NOT NULL);
    CREATE TABLE refusals (id INTEGER PRIMARY KEY AUTOINCREMENT, dpia TEXT NOT NULL, doc TEXT NOT NULL, org TEXT NOT NULL,
    token_id INTEGER NOT NULL, reason TEXT NOT NULL, size INTEGER NOT NULL, at INTEGER NOT NULL);";

/// A database as a hub of schema 1 left it in `dir`, with `rows` (SQL) in it.
#[allow(dead_code)]
pub fn schema_1_database(dir: &std::path::Path, rows: &str) -> rusqlite::Connection {
    std::fs::create_dir_all(dir).unwrap();
    let db = rusqlite::Connection::open(dir.join(konsekvens_hub::store::DB_FILE)).unwrap();
    db.pragma_update(None, "journal_mode", "WAL").unwrap();
    db.pragma_update(None, "application_id", konsekvens_hub::store::APPLICATION_ID).unwrap();
    db.pragma_update(None, "user_version", 1).unwrap();
    db.execute_batch(HUB_SCHEMA_1).unwrap();
    db.execute_batch(rows).unwrap();
    db
}
