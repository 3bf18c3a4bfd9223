//! The hub server: one WebSocket per document at `ws://HOST/dpia/<dpia-id>/<doc-key>`,
//! speaking the standard y-sync protocol (`yrs::sync`), so the official `y-websocket`
//! client can sync a document. The token comes as `?token=…` or `Authorization: Bearer …`.
//!
//! Per write: decode → compare with the document (a no-op is ignored, even from a reader) →
//! check the token is still live and may write this document → check the update's new CRDT
//! client ids are not bound to another organisation → apply → append to the log (committed)
//! → forward to the document's other connections. A refused write is not applied, not
//! logged as an update, not forwarded; it is answered with `Message::Auth(Some(reason))`
//! (y-protocols' permission-denied) and recorded in `refusals`.

use crate::proto::{self, Novelty};
use crate::rights::{DpiaInfo, TokenInfo};
use crate::store::{HubStore, StoreError};
use futures_util::{SinkExt, StreamExt};
use konsekvens_core::DocKey;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message as WsMessage};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, SyncMessage};
use yrs::{ClientID, Doc, OffsetKind, Options, ReadTxn, StateVector, Transact};

/// Write a snapshot of a document after this many logged updates (the log is kept).
pub const DEFAULT_COMPACT_AFTER: usize = 200;

/// The largest WebSocket message (and frame) the hub reads: 16 MiB. A whole joint DPIA with
/// its history is a few hundred kilobytes; a bigger message is refused with close code 1009
/// before it is buffered.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Damaged(String),
}

/// `konsekvens hub serve --data DIR --listen ADDR`
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Snapshot a document after this many updates since its last snapshot.
    pub compact_after: usize,
    /// Refuse (close with 1009) any incoming WebSocket message or frame larger than this.
    pub max_message_size: usize,
    /// Print one line per connection, refusal and shutdown step on stderr.
    pub verbose: bool,
}

impl ServeConfig {
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        ServeConfig {
            data_dir: data_dir.into(),
            listen,
            compact_after: DEFAULT_COMPACT_AFTER,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            verbose: false,
        }
    }
}

/// Binds and runs the hub until `shutdown` completes, then closes every connection,
/// snapshots every open document and checkpoints the database.
pub async fn serve(config: ServeConfig, shutdown: impl Future<Output = ()>) -> Result<(), HubError> {
    Server::bind(config).await?.run(shutdown).await
}

/// Completes on SIGTERM or Ctrl-C (SIGINT): pass it to [`serve`].
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A bound, not yet running hub (bind to port 0 and read [`Server::local_addr`] in tests).
pub struct Server {
    listener: TcpListener,
    hub: Arc<Hub>,
}

impl Server {
    pub async fn bind(config: ServeConfig) -> Result<Server, HubError> {
        let store = HubStore::open(&config.data_dir)?;
        let listener =
            TcpListener::bind(config.listen).await.map_err(|source| HubError::Bind { addr: config.listen, source })?;
        let hub = Arc::new(Hub {
            store: Mutex::new(store),
            rooms: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            compact_after: config.compact_after.max(1),
            ws_config: websocket_config(config.max_message_size),
            verbose: config.verbose,
        });
        Ok(Server { listener, hub })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), HubError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        let hub = self.hub.clone();
        hub.log(format_args!("hub listening on ws://{}", self.local_addr()));
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let hub = hub.clone();
                        let stop = stop_rx.clone();
                        tasks.spawn(async move { connection(hub, stream, peer, stop).await });
                    }
                    Err(e) => {
                        hub.log(format_args!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        hub.log(format_args!("shutting down: closing {} connection(s)", tasks.len()));
        drop(self.listener);
        let _ = stop_tx.send(true);
        let drained = tokio::time::timeout(Duration::from_secs(5), async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tasks.abort_all();
        }
        hub.compact_all()?;
        hub.store.lock().expect("store lock").checkpoint()?;
        hub.log(format_args!("hub stopped; every accepted update is on disk"));
        Ok(())
    }
}

// ---- shared state -------------------------------------------------------------------------

struct Hub {
    store: Mutex<HubStore>,
    rooms: Mutex<HashMap<(String, DocKey), Arc<Room>>>,
    next_conn: AtomicU64,
    compact_after: usize,
    ws_config: WebSocketConfig,
    verbose: bool,
}

/// Small read buffers (tungstenite allocates 128 KiB per connection by default, which is
/// most of the hub's memory at hundreds of connections); the size limit on messages and
/// frames alike, so an oversized frame is refused from its header.
fn websocket_config(max_message_size: usize) -> WebSocketConfig {
    let max = max_message_size.max(1024);
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

/// One document of one joint DPIA, shared by its connections.
struct Room {
    dpia: String,
    key: DocKey,
    state: Mutex<RoomState>,
    tx: broadcast::Sender<Outgoing>,
}

struct RoomState {
    doc: Doc,
    last_seq: i64,
    since_snapshot: usize,
    /// Presence (awareness) per awareness client id.
    awareness: HashMap<u64, Presence>,
}

/// One peer's presence as the hub relays it, and who announced it.
struct Presence {
    clock: u32,
    json: Arc<str>,
    conn: u64,
    token: i64,
}

/// A frame for a room's other connections (`Bytes`: one buffer shared by every receiver).
#[derive(Clone)]
struct Outgoing {
    from: u64,
    frame: Bytes,
}

/// What a write did.
enum WriteOutcome {
    /// Nothing the document lacks: ignored (readers send these too).
    NoOp,
    Applied,
    Refused(String),
}

#[derive(Clone)]
struct Session {
    dpia: String,
    key: DocKey,
    who: TokenInfo,
    conn: u64,
}

fn new_server_doc() -> Doc {
    let id: u64 = rand::random::<u64>() & ((1u64 << 53) - 1);
    Doc::with_options(Options { client_id: ClientID::new(id.max(1)), offset_kind: OffsetKind::Utf16, ..Options::default() })
}

impl Hub {
    fn log(&self, args: std::fmt::Arguments<'_>) {
        if self.verbose {
            eprintln!("konsekvens-hub: {args}");
        }
    }

    fn room(&self, dpia: &str, key: DocKey) -> Result<Arc<Room>, HubError> {
        let mut rooms = self.rooms.lock().expect("rooms lock");
        if let Some(room) = rooms.get(&(dpia.to_owned(), key)) {
            return Ok(room.clone());
        }
        let doc = new_server_doc();
        let store = self.store.lock().expect("store lock");
        let mut last_seq = 0;
        let damaged = |seq: i64, why: String| StoreError::Damaged { dpia: dpia.to_owned(), doc: key.name(), seq, why };
        let apply = |data: &[u8], seq: i64| -> Result<(), StoreError> {
            let update = proto::decode_update(data).map_err(|why| damaged(seq, why))?;
            catch_unwind(AssertUnwindSafe(|| doc.transact_mut().apply_update(update)))
                .map_err(|_| damaged(seq, "applying it failed".into()))?
                .map_err(|e| damaged(seq, e.to_string()))
        };
        if let Some((upto, state)) = store.snapshot(dpia, key)? {
            apply(&state, 0)?;
            last_seq = upto;
        }
        let tail = store.updates_after(dpia, key, last_seq)?;
        for (seq, data) in &tail {
            apply(data, *seq)?;
            last_seq = *seq;
        }
        drop(store);
        let (tx, _) = broadcast::channel(1024);
        let room = Arc::new(Room {
            dpia: dpia.to_owned(),
            key,
            state: Mutex::new(RoomState { doc, last_seq, since_snapshot: tail.len(), awareness: HashMap::new() }),
            tx,
        });
        rooms.insert((dpia.to_owned(), key), room.clone());
        Ok(room)
    }

    fn compact_all(&self) -> Result<(), HubError> {
        let rooms: Vec<Arc<Room>> = self.rooms.lock().expect("rooms lock").values().cloned().collect();
        for room in rooms {
            let mut state = room.state.lock().expect("room lock");
            if state.since_snapshot > 0 {
                self.snapshot(&room, &mut state)?;
            }
        }
        Ok(())
    }

    fn snapshot(&self, room: &Room, state: &mut RoomState) -> Result<(), HubError> {
        let bytes = state.doc.transact().encode_state_as_update_v1(&StateVector::default());
        self.store.lock().expect("store lock").write_snapshot(&room.dpia, room.key, state.last_seq, &bytes)?;
        state.since_snapshot = 0;
        Ok(())
    }

    /// Authenticates and authorises a handshake; the error is an HTTP status and a reason.
    fn admit(&self, path: &str, query: Option<&str>, bearer: Option<&str>) -> Result<(String, DocKey, TokenInfo), (StatusCode, String)> {
        let rest = path
            .strip_prefix("/dpia/")
            .ok_or((StatusCode::NOT_FOUND, "expected /dpia/<dpia-id>/<document>".to_string()))?;
        let (dpia, doc) = rest
            .split_once('/')
            .ok_or((StatusCode::NOT_FOUND, "expected /dpia/<dpia-id>/<document>".to_string()))?;
        let key = DocKey::parse(doc.trim_end_matches('/')).map_err(|e| (StatusCode::NOT_FOUND, e.to_string()))?;
        let token = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|kv| kv.strip_prefix("token="))
            .map(percent_decode)
            .or_else(|| bearer.map(str::to_owned))
            .ok_or((StatusCode::UNAUTHORIZED, "a token is required (?token=… or Authorization: Bearer …)".to_string()))?;
        let internal = |e: StoreError| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        let store = self.store.lock().expect("store lock");
        let who = store
            .authenticate(&token)
            .map_err(internal)?
            .ok_or((StatusCode::UNAUTHORIZED, "unknown or revoked token".to_string()))?;
        let info: DpiaInfo =
            store.dpia(dpia).map_err(internal)?.ok_or((StatusCode::NOT_FOUND, format!("no joint DPIA {dpia}")))?;
        if !info.has_document(key) {
            return Err((StatusCode::NOT_FOUND, format!("the joint DPIA {dpia} has no document {key}")));
        }
        info.may_read(&who).map_err(|why| (StatusCode::FORBIDDEN, why))?;
        Ok((dpia.to_owned(), key, who))
    }

    /// Decides on, applies, logs and forwards one incoming update.
    fn write(&self, session: &Session, room: &Room, data: &[u8]) -> Result<WriteOutcome, HubError> {
        let update = match proto::decode_update(data) {
            Ok(u) => u,
            Err(why) => return Ok(self.refuse(session, format!("malformed update: {why}"), data.len())),
        };
        let mut state = room.state.lock().expect("room lock");
        let novelty: Novelty = proto::novelty(&state.doc, &update);
        if novelty.is_empty() {
            return Ok(WriteOutcome::NoOp);
        }
        if let Some((client, from, have)) = novelty.gap {
            let why = format!(
                "update rejected: it builds on changes the hub does not have (client {client} from clock {from}; the hub has {have})"
            );
            return Ok(self.refuse(session, why, data.len()));
        }
        {
            let store = self.store.lock().expect("store lock");
            if !store.token_live(session.who.id)? {
                drop(store);
                return Ok(self.refuse(session, "the token has been revoked".into(), data.len()));
            }
            let info = store.dpia(&session.dpia)?.ok_or_else(|| HubError::Damaged(format!("joint DPIA {} vanished", session.dpia)))?;
            if let Err(why) = info.may_write(&session.who, session.key) {
                drop(store);
                return Ok(self.refuse(session, why, data.len()));
            }
            let owners = store.client_owners(&novelty.new_clients)?;
            if let Some((id, org)) = owners.iter().find(|(_, org)| *org != session.who.org) {
                let why = format!("the update carries CRDT client id {id}, which belongs to organisation {org}");
                drop(store);
                return Ok(self.refuse(session, why, data.len()));
            }
        }
        let applied = catch_unwind(AssertUnwindSafe(|| {
            let mut txn = state.doc.transact_mut();
            txn.apply_update(update)?;
            // Blocks or deletions waiting for predecessors the hub lacks: a legitimate peer
            // sends what it builds on (SyncStep2 is a diff against our state vector), so this
            // is a damaged or crafted update and the log would keep a hole.
            let sv = txn.state_vector();
            let incomplete = novelty.reaches.iter().any(|&(client, end)| sv.get(&ClientID::new(client)) < end);
            Ok::<bool, yrs::error::UpdateError>(incomplete || txn.store().pending_update().is_some() || txn.store().pending_ds().is_some())
        }));
        let why = match applied {
            Ok(Ok(false)) => None,
            Ok(Ok(true)) => Some("update rejected: it builds on changes the hub does not have".to_string()),
            Ok(Err(e)) => Some(format!("update rejected: {e}")),
            Err(_) => Some("update rejected: applying it failed".to_string()),
        };
        if let Some(why) = why {
            return self.refuse_after_apply(session, room, &mut state, why, data.len());
        }
        let appended = self.store.lock().expect("store lock").append(&session.dpia, session.key, data, &session.who, &novelty.new_clients);
        match appended {
            Ok(seq) => state.last_seq = seq,
            Err(e) => {
                // Memory must not hold what the log does not: rebuild the room from disk.
                self.reload(room, &mut state)?;
                return Err(e.into());
            }
        }
        state.since_snapshot += 1;
        if state.since_snapshot >= self.compact_after {
            self.snapshot(room, &mut state)?;
        }
        let _ = room.tx.send(Outgoing { from: session.conn, frame: proto::update(data.to_vec()).into() });
        Ok(WriteOutcome::Applied)
    }

    fn refuse(&self, session: &Session, reason: String, size: usize) -> WriteOutcome {
        self.log(format_args!(
            "refused a write to {}/{} by {} (token {}): {reason}",
            session.dpia, session.key, session.who.org, session.who.id
        ));
        if let Err(e) = self.store.lock().expect("store lock").record_refusal(&session.dpia, session.key, &session.who, &reason, size) {
            self.log(format_args!("could not record the refusal: {e}"));
        }
        WriteOutcome::Refused(reason)
    }

    fn refuse_after_apply(&self, session: &Session, room: &Room, state: &mut RoomState, reason: String, size: usize) -> Result<WriteOutcome, HubError> {
        self.reload(room, state)?;
        Ok(self.refuse(session, reason, size))
    }

    fn reload(&self, room: &Room, state: &mut RoomState) -> Result<(), HubError> {
        let doc = new_server_doc();
        let store = self.store.lock().expect("store lock");
        let mut last = 0;
        if let Some((upto, bytes)) = store.snapshot(&room.dpia, room.key)? {
            let u = proto::decode_update(&bytes).map_err(HubError::Damaged)?;
            doc.transact_mut().apply_update(u).map_err(|e| HubError::Damaged(e.to_string()))?;
            last = upto;
        }
        let tail = store.updates_after(&room.dpia, room.key, last)?;
        for (seq, data) in &tail {
            let u = proto::decode_update(data).map_err(HubError::Damaged)?;
            doc.transact_mut().apply_update(u).map_err(|e| HubError::Damaged(e.to_string()))?;
            last = *seq;
        }
        state.doc = doc;
        state.last_seq = last;
        state.since_snapshot = tail.len();
        Ok(())
    }

    /// Records presence and returns the frame to forward (None: nothing new). An entry for a
    /// client id another live connection announced is dropped — nobody speaks for, or removes,
    /// someone else's presence — unless that connection used the same token (a reconnect).
    fn awareness(&self, session: &Session, room: &Room, update: AwarenessUpdate) -> Option<Vec<u8>> {
        let mut state = room.state.lock().expect("room lock");
        let mut changed = HashMap::new();
        for (client, entry) in update.clients {
            let id = client.get();
            let newer = match state.awareness.get(&id) {
                Some(p) if p.conn != session.conn && p.token != session.who.id => false,
                Some(p) => entry.clock > p.clock || (entry.clock == p.clock && &*entry.json == "null"),
                None => true,
            };
            if newer {
                if &*entry.json == "null" {
                    state.awareness.remove(&id);
                } else {
                    let presence = Presence { clock: entry.clock, json: entry.json.clone(), conn: session.conn, token: session.who.id };
                    state.awareness.insert(id, presence);
                }
                changed.insert(client, entry);
            }
        }
        if changed.is_empty() {
            return None;
        }
        Some(proto::encode(&Message::Awareness(AwarenessUpdate { clients: changed })))
    }

    fn awareness_all(&self, room: &Room) -> Option<Vec<u8>> {
        let state = room.state.lock().expect("room lock");
        if state.awareness.is_empty() {
            return None;
        }
        let clients = state
            .awareness
            .iter()
            .map(|(id, p)| (ClientID::new(*id), AwarenessUpdateEntry { clock: p.clock, json: p.json.clone() }))
            .collect();
        Some(proto::encode(&Message::Awareness(AwarenessUpdate { clients })))
    }

    /// When a connection ends: its presence entries become `null` for everybody else.
    fn awareness_gone(&self, conn: u64, room: &Room) {
        let mut state = room.state.lock().expect("room lock");
        let gone: Vec<(u64, u32)> = state.awareness.iter().filter(|(_, p)| p.conn == conn).map(|(id, p)| (*id, p.clock)).collect();
        if gone.is_empty() {
            return;
        }
        let mut clients = HashMap::new();
        for (id, clock) in gone {
            state.awareness.remove(&id);
            clients.insert(ClientID::new(id), AwarenessUpdateEntry { clock: clock + 1, json: Arc::from("null") });
        }
        let frame = proto::encode(&Message::Awareness(AwarenessUpdate { clients }));
        let _ = room.tx.send(Outgoing { from: conn, frame: frame.into() });
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reject(status: StatusCode, reason: String) -> ErrorResponse {
    let mut resp = ErrorResponse::new(Some(reason));
    *resp.status_mut() = status;
    resp
}

// ---- one connection -----------------------------------------------------------------------

async fn connection(hub: Arc<Hub>, stream: TcpStream, peer: SocketAddr, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let mut admitted = None;
    #[allow(clippy::result_large_err)] // the type tungstenite's handshake callback requires
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let bearer = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match hub.admit(req.uri().path(), req.uri().query(), bearer) {
            Ok(ok) => {
                admitted = Some(ok);
                Ok(resp)
            }
            Err((status, reason)) => {
                hub.log(format_args!("{peer}: {} refused ({status}): {reason}", req.uri().path()));
                Err(reject(status, reason))
            }
        }
    };
    let accept = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(hub.ws_config));
    let ws = match tokio::time::timeout(Duration::from_secs(10), accept).await {
        Ok(Ok(ws)) => ws,
        _ => return,
    };
    let Some((dpia, key, who)) = admitted else { return };
    let conn = hub.next_conn.fetch_add(1, Ordering::Relaxed);
    let session = Session { dpia, key, who, conn };
    let room = match hub.room(&session.dpia, session.key) {
        Ok(room) => room,
        Err(e) => {
            hub.log(format_args!("{peer}: cannot open {}/{}: {e}", session.dpia, session.key));
            return;
        }
    };
    hub.log(format_args!("{peer}: {} ({}, token {}) opened {}/{}", session.who.org, session.who.role, session.who.id, session.dpia, session.key));
    let mut rx = room.tx.subscribe();
    let (mut sink, mut source) = ws.split();

    // Server's SyncStep1 first, then everybody's presence.
    let sv = room.state.lock().expect("room lock").doc.transact().state_vector();
    let mut greeting = vec![proto::sync_step1(&sv)];
    greeting.extend(hub.awareness_all(&room));
    for frame in greeting {
        if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            incoming = source.next() => {
                let replies = match incoming {
                    Some(Ok(WsMessage::Binary(frame))) => handle_frame(&hub, &session, &room, &frame),
                    Some(Ok(WsMessage::Text(_))) => Err(Closing::unsupported()),
                    Some(Ok(WsMessage::Close(_))) | None => break,
                    Some(Ok(_)) => continue, // ping/pong: tungstenite answers pings itself
                    Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                        Err(Closing::too_big(size, max_size))
                    }
                    Some(Err(e)) => {
                        hub.log(format_args!("{peer}: {}/{}: {e}", session.dpia, session.key));
                        break;
                    }
                };
                match replies {
                    Ok(replies) => {
                        if send_all(&mut sink, replies).await.is_err() {
                            break;
                        }
                    }
                    Err(Closing::Failed(e)) => {
                        hub.log(format_args!("{peer}: closing {}/{}: {e}", session.dpia, session.key));
                        let _ = sink.send(WsMessage::Close(Some(close_frame(CloseCode::Error, "internal error")))).await;
                        break;
                    }
                    Err(Closing::Refused { code, reason, size }) => {
                        hub.refuse(&session, reason.clone(), size);
                        let _ = sink.send(WsMessage::Close(Some(close_frame(code, &reason)))).await;
                        break;
                    }
                }
            }
            out = rx.recv() => match out {
                Ok(o) if o.from == conn => {}
                Ok(o) => {
                    if sink.send(WsMessage::Binary(o.frame)).await.is_err() { break; }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Missed some forwards: send the whole document (idempotent).
                    let all = room.state.lock().expect("room lock").doc.transact().encode_state_as_update_v1(&StateVector::default());
                    if sink.send(WsMessage::Binary(proto::update(all).into())).await.is_err() { break; }
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = stop.changed() => {
                let _ = sink.send(WsMessage::Close(Some(close_frame(CloseCode::Away, "the hub is shutting down")))).await;
                break;
            }
        }
    }
    hub.awareness_gone(conn, &room);
    hub.log(format_args!("{peer}: closed {}/{}", session.dpia, session.key));
}

type Sink = futures_util::stream::SplitSink<tokio_tungstenite::WebSocketStream<TcpStream>, WsMessage>;

async fn send_all(sink: &mut Sink, frames: Vec<Vec<u8>>) -> Result<(), WsError> {
    for frame in frames {
        sink.send(WsMessage::Binary(frame.into())).await?;
    }
    Ok(())
}

/// Why a connection is being closed by the hub.
enum Closing {
    /// The client broke the protocol or the limits: refused, recorded, closed with `code`.
    Refused { code: CloseCode, reason: String, size: usize },
    /// The hub itself failed (its database): closed with 1011.
    Failed(HubError),
}

impl Closing {
    fn too_big(size: usize, max_size: usize) -> Closing {
        Closing::Refused {
            code: CloseCode::Size,
            reason: format!("message of {size} bytes exceeds the hub's limit of {max_size} bytes"),
            size,
        }
    }
    fn unsupported() -> Closing {
        Closing::Refused { code: CloseCode::Unsupported, reason: "y-sync messages are binary; text frames are not accepted".into(), size: 0 }
    }
}

impl From<HubError> for Closing {
    fn from(e: HubError) -> Closing {
        Closing::Failed(e)
    }
}

/// A close frame; the reason is cut to the 123 bytes a close frame can carry.
fn close_frame(code: CloseCode, reason: &str) -> CloseFrame {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame { code, reason: reason[..end].into() }
}

fn handle_frame(hub: &Hub, session: &Session, room: &Room, frame: &[u8]) -> Result<Vec<Vec<u8>>, Closing> {
    let messages = proto::decode_frame(frame).map_err(|why| Closing::Refused {
        code: CloseCode::Invalid,
        reason: format!("malformed y-sync message: {why}"),
        size: frame.len(),
    })?;
    let mut replies = Vec::new();
    for msg in messages {
        match msg {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                let diff = room.state.lock().expect("room lock").doc.transact().encode_state_as_update_v1(&sv);
                replies.push(proto::sync_step2(diff));
            }
            Message::Sync(SyncMessage::SyncStep2(data)) | Message::Sync(SyncMessage::Update(data)) => {
                match hub.write(session, room, &data)? {
                    WriteOutcome::Applied | WriteOutcome::NoOp => {}
                    WriteOutcome::Refused(reason) => replies.push(proto::encode(&Message::Auth(Some(reason)))),
                }
            }
            Message::Awareness(update) => {
                if let Some(forward) = hub.awareness(session, room, update) {
                    let _ = room.tx.send(Outgoing { from: session.conn, frame: forward.into() });
                }
            }
            Message::AwarenessQuery => replies.extend(hub.awareness_all(room)),
            Message::Auth(_) | Message::Custom(..) => {}
        }
    }
    Ok(replies)
}
