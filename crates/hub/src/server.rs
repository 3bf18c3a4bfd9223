//! The hub server: one WebSocket per document at `ws://HOST/dpia/<dpia-id>/<doc-key>`,
//! speaking the standard y-sync protocol (`yrs::sync`), so the official `y-websocket`
//! client can sync a document. The token comes as `?token=…` or `Authorization: Bearer …`.
//!
//! The connections answer SyncStep1, relay presence (awareness) and hand every write to the
//! writer (`src/writer.rs`), which decides, logs (group commit) and forwards; a refused write is
//! answered with `Message::Auth(Some(reason))` (y-protocols' permission-denied). A frame
//! that is not y-sync, or too large, closes the connection with a code and a reason.

use crate::attribution;
use crate::proto;
use crate::rights::{DpiaInfo, TokenInfo};
use crate::store::{HubStore, Queries, StoreError, Synchronous};
use crate::writer::{self, WriteOutcome, WriterHandle};
use futures_util::{SinkExt, StreamExt};
use konsekvens_core::DocKey;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
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
    #[error("the hub's writer failed: {0}")]
    Writer(String),
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
    /// When commits reach the disk: every commit (default) or at checkpoints.
    pub synchronous: Synchronous,
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
            synchronous: Synchronous::Full,
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
        // The writer has a connection of its own: handshakes keep reading while it commits.
        let writer = WriterHandle::spawn(&config.data_dir, config.synchronous, config.compact_after.max(1), config.verbose)?;
        let listener =
            TcpListener::bind(config.listen).await.map_err(|source| HubError::Bind { addr: config.listen, source })?;
        let hub = Arc::new(Hub {
            store: Mutex::new(store),
            rooms: Mutex::new(HashMap::new()),
            writer,
            next_conn: AtomicU64::new(1),
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
        // Every queued write is committed before the writer stops.
        let stopping = hub.clone();
        tokio::task::spawn_blocking(move || stopping.writer.stop()).await.map_err(|e| HubError::Writer(e.to_string()))?;
        hub.compact_all().await?;
        hub.store.lock().expect("store lock").checkpoint()?;
        hub.log(format_args!("hub stopped; every accepted update is on disk"));
        Ok(())
    }
}

// ---- shared state -------------------------------------------------------------------------

struct Hub {
    /// Handshakes, opening rooms, the snapshots at shutdown (the writer has its own).
    store: Mutex<HubStore>,
    rooms: Mutex<HashMap<(String, DocKey), Arc<Room>>>,
    writer: WriterHandle,
    next_conn: AtomicU64,
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
pub(crate) struct Room {
    pub(crate) dpia: String,
    pub(crate) key: DocKey,
    /// An async lock: the writer holds it from applying an update until its commit, and a
    /// connection answering SyncStep1 meanwhile waits without blocking a runtime thread.
    pub(crate) state: tokio::sync::Mutex<DocState>,
    /// Presence (awareness) per awareness client id.
    presence: Mutex<HashMap<u64, Presence>>,
    pub(crate) tx: broadcast::Sender<Outgoing>,
}

/// A room's document and where it stands in the log.
pub(crate) struct DocState {
    pub(crate) doc: Doc,
    pub(crate) last_seq: i64,
    pub(crate) since_snapshot: usize,
}

impl DocState {
    /// The document from its snapshot and the log after it.
    pub(crate) fn load(store: &impl Queries, dpia: &str, key: DocKey) -> Result<DocState, StoreError> {
        let doc = new_server_doc();
        let damaged = |seq: i64, why: String| StoreError::Damaged { dpia: dpia.to_owned(), doc: key.name(), seq, why };
        let apply = |data: &[u8], seq: i64| -> Result<(), StoreError> {
            let update = proto::decode_update(data).map_err(|why| damaged(seq, why))?;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.transact_mut().apply_update(update)))
                .map_err(|_| damaged(seq, "applying it failed".into()))?
                .map_err(|e| damaged(seq, e.to_string()))
        };
        let mut last_seq = 0;
        if let Some((upto, state)) = store.snapshot(dpia, key)? {
            apply(&state, 0)?;
            last_seq = upto;
        }
        let tail = store.updates_after(dpia, key, last_seq)?;
        for (seq, data) in &tail {
            apply(data, *seq)?;
            last_seq = *seq;
        }
        Ok(DocState { doc, last_seq, since_snapshot: tail.len() })
    }
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
pub(crate) struct Outgoing {
    pub(crate) from: u64,
    pub(crate) frame: Bytes,
}

/// One connection: who, to which document.
pub(crate) struct Session {
    pub(crate) dpia: String,
    pub(crate) key: DocKey,
    pub(crate) who: TokenInfo,
    pub(crate) conn: u64,
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
        let state = DocState::load(&*self.store.lock().expect("store lock"), dpia, key)?;
        let (tx, _) = broadcast::channel(1024);
        let room = Arc::new(Room {
            dpia: dpia.to_owned(),
            key,
            state: tokio::sync::Mutex::new(state),
            presence: Mutex::new(HashMap::new()),
            tx,
        });
        rooms.insert((dpia.to_owned(), key), room.clone());
        Ok(room)
    }

    /// At shutdown, after the writer stopped: a snapshot of every document with news.
    async fn compact_all(&self) -> Result<(), HubError> {
        let rooms: Vec<Arc<Room>> = self.rooms.lock().expect("rooms lock").values().cloned().collect();
        for room in rooms {
            let mut state = room.state.lock().await;
            if state.since_snapshot > 0 {
                writer::snapshot(&*self.store.lock().expect("store lock"), &room, &mut state)?;
            }
        }
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

    /// Records presence and returns the frame to forward (None: nothing new). An entry for a
    /// client id another live connection announced is dropped — nobody speaks for, or removes,
    /// someone else's presence — unless that connection used the same token (a reconnect).
    fn awareness(&self, session: &Session, room: &Room, update: AwarenessUpdate) -> Option<Vec<u8>> {
        let mut presence = room.presence.lock().expect("presence lock");
        let mut changed = HashMap::new();
        for (client, entry) in update.clients {
            let id = client.get();
            let newer = match presence.get(&id) {
                Some(p) if p.conn != session.conn && p.token != session.who.id => false,
                Some(p) => entry.clock > p.clock || (entry.clock == p.clock && &*entry.json == "null"),
                None => true,
            };
            if newer {
                if &*entry.json == "null" {
                    presence.remove(&id);
                } else {
                    let p = Presence { clock: entry.clock, json: entry.json.clone(), conn: session.conn, token: session.who.id };
                    presence.insert(id, p);
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
        let presence = room.presence.lock().expect("presence lock");
        if presence.is_empty() {
            return None;
        }
        let clients = presence
            .iter()
            .map(|(id, p)| (ClientID::new(*id), AwarenessUpdateEntry { clock: p.clock, json: p.json.clone() }))
            .collect();
        Some(proto::encode(&Message::Awareness(AwarenessUpdate { clients })))
    }

    /// When a connection ends: its presence entries become `null` for everybody else.
    fn awareness_gone(&self, conn: u64, room: &Room) {
        let mut presence = room.presence.lock().expect("presence lock");
        let gone: Vec<(u64, u32)> = presence.iter().filter(|(_, p)| p.conn == conn).map(|(id, p)| (*id, p.clock)).collect();
        if gone.is_empty() {
            return;
        }
        let mut clients = HashMap::new();
        for (id, clock) in gone {
            presence.remove(&id);
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
    let session = Arc::new(Session { dpia, key, who, conn });
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
    let sv = room.state.lock().await.doc.transact().state_vector();
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
                    Some(Ok(WsMessage::Binary(frame))) => handle_frame(&hub, &session, &room, &frame).await,
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
                        hub.log(format_args!("{peer}: closing {}/{}: {reason}", session.dpia, session.key));
                        hub.writer.record_refusal(&session, reason.clone(), size).await;
                        let _ = sink.send(WsMessage::Close(Some(close_frame(code, &reason)))).await;
                        break;
                    }
                }
            }
            out = rx.recv() => {
                if forward(&mut sink, &mut rx, out, conn, &room).await.is_err() {
                    break;
                }
            }
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

/// Sends other connections' frames: the one received and whatever else is already queued,
/// written together (one flush, so one system call under load instead of one per frame).
/// `Err` ends the connection.
async fn forward(
    sink: &mut Sink,
    rx: &mut broadcast::Receiver<Outgoing>,
    first: Result<Outgoing, broadcast::error::RecvError>,
    conn: u64,
    room: &Room,
) -> Result<(), ()> {
    use broadcast::error::{RecvError, TryRecvError};
    let mut next = Some(first);
    while let Some(out) = next.take() {
        match out {
            Ok(o) if o.from == conn => {}
            Ok(o) => sink.feed(WsMessage::Binary(o.frame)).await.map_err(drop)?,
            Err(RecvError::Lagged(_)) => {
                // Missed some forwards: send the whole document (idempotent).
                let all = room.state.lock().await.doc.transact().encode_state_as_update_v1(&StateVector::default());
                sink.feed(WsMessage::Binary(proto::update(all).into())).await.map_err(drop)?;
            }
            Err(RecvError::Closed) => return Err(()),
        }
        next = match rx.try_recv() {
            Ok(o) => Some(Ok(o)),
            Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
        };
    }
    sink.flush().await.map_err(drop)
}

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

/// The answer to an authors query: who wrote the document's changes (see `attribution`).
/// The log is read under the store's lock and replayed off the async workers.
async fn authors(hub: &Hub, session: &Session) -> Result<Vec<u8>, HubError> {
    let rows = hub.store.lock().expect("store lock").log(&session.dpia, Some(session.key))?;
    let changes = tokio::task::spawn_blocking(move || attribution::replay(rows, false))
        .await
        .map_err(|e| HubError::Damaged(format!("replaying the log failed: {e}")))??;
    let answer = {
        let store = hub.store.lock().expect("store lock");
        let names = attribution::Names::load(&store)?;
        let bindings = store.client_bindings(&attribution::clients_of(&changes))?;
        attribution::answer(&changes, &bindings, &names)
    };
    let json = serde_json::to_vec(&answer).expect("the answer serialises");
    Ok(proto::encode(&Message::Custom(attribution::AUTHORS, json)))
}

async fn handle_frame(hub: &Hub, session: &Arc<Session>, room: &Arc<Room>, frame: &[u8]) -> Result<Vec<Vec<u8>>, Closing> {
    let messages = proto::decode_frame(frame).map_err(|why| Closing::Refused {
        code: CloseCode::Invalid,
        reason: format!("malformed y-sync message: {why}"),
        size: frame.len(),
    })?;
    let mut replies = Vec::new();
    for msg in messages {
        match msg {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                let diff = room.state.lock().await.doc.transact().encode_state_as_update_v1(&sv);
                replies.push(proto::sync_step2(diff));
            }
            Message::Sync(SyncMessage::SyncStep2(data)) | Message::Sync(SyncMessage::Update(data)) => {
                match hub.writer.write(session, room, data).await? {
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
            // Only ever an answer to a client that asked (a Yjs client never does).
            Message::Custom(attribution::AUTHORS_QUERY, _) => replies.push(authors(hub, session).await?),
            Message::Auth(_) | Message::Custom(..) => {}
        }
    }
    Ok(replies)
}
