//! The hub server: one WebSocket per document at `ws://HOST/dpia/<dpia-id>/<doc-key>`,
//! speaking the standard y-sync protocol (`yrs::sync`), so the official `y-websocket`
//! client can sync a document. The token comes as `?token=…` or `Authorization: Bearer …`.
//!
//! The connections answer SyncStep1, relay presence (awareness) and hand every write to the
//! writer (`src/writer.rs`), which decides, logs (group commit) and forwards; a refused write is
//! answered with `Message::Auth(Some(reason))` (y-protocols' permission-denied). A frame
//! that is not y-sync, or too large, closes the connection with a code and a reason.

use crate::codes::*;
use crate::attribution;
use crate::metrics::{self, HubMetrics};
use crate::ops::{self, Route};
use crate::oplog::{self, Level};
use crate::proto;
use crate::rights::{DpiaInfo, TokenInfo};
use crate::store::{HubStore, Queries, StoreError, Synchronous};
use crate::writer::{self, WriteLimits, WriteOutcome, WriterHandle};
use futures_util::{SinkExt, StreamExt};
use konsekvens_core::DocKey;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message as WsMessage};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, SyncMessage};
use yrs::{ClientID, Doc, OffsetKind, Options, ReadTxn, Transact};

/// Write a snapshot of a document after this many logged updates (the log is kept).
pub const DEFAULT_COMPACT_AFTER: usize = 200;

/// The largest WebSocket message (and frame) the hub reads: 4 MiB. A whole joint DPIA with
/// its history is a few hundred kilobytes; a bigger message is refused with close code 1009
/// from its header, before it is buffered.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 << 20;
/// The largest update the hub accepts: 1 MiB.
pub const DEFAULT_MAX_UPDATE_SIZE: usize = 1 << 20;
/// The largest document (its encoded state): 32 MiB. Never above
/// [`proto::MAX_DOCUMENT_SIZE_CEILING`], so every answer fits the Rust clients' limit.
pub const DEFAULT_MAX_DOCUMENT_SIZE: usize = 32 << 20;
/// The largest presence (awareness) state of one client: 4 KiB of JSON.
pub const DEFAULT_MAX_PRESENCE_SIZE: usize = 4 << 10;
/// A connection from which no whole message arrives for this long is closed (the Rust
/// clients ping every 15 s, `y-websocket` renews its presence every 15 s).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// A document stays in memory this long after its last connection closed (then it is read
/// from the database again when someone opens it).
pub const DEFAULT_ROOM_IDLE: Duration = Duration::from_secs(60);
/// A frame that has begun must be complete within this.
pub const DEFAULT_FRAME_TIMEOUT: Duration = Duration::from_secs(30);
/// Open connections in total (HTTP 503 beyond).
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Open connections per token (HTTP 429 beyond); a live client opens one per document.
pub const DEFAULT_MAX_CONNECTIONS_PER_TOKEN: usize = 32;
/// Failed authentications from one address within a minute before it is throttled.
pub const DEFAULT_AUTH_FAILURES: u32 = 10;
/// How long a throttled address gets HTTP 429.
pub const DEFAULT_AUTH_THROTTLE: Duration = Duration::from_secs(60);
/// How often the hub looks for revoked tokens among the open connections.
pub const DEFAULT_REVOCATION_CHECK: Duration = Duration::from_secs(1);
/// Past this size the write-ahead log is emptied by a TRUNCATE checkpoint: 16 MiB.
pub const DEFAULT_WAL_LIMIT: u64 = 16 << 20;

/// Presence entries (awareness client ids) one connection may announce.
const MAX_PRESENCE_IDS_PER_CONNECTION: usize = 8;
/// Presence entries one document holds (a new one beyond is dropped).
const MAX_PRESENCE_PER_ROOM: usize = 2048;
/// Presence entries per frame the hub sends (so the greeting stays small).
const PRESENCE_PER_FRAME: usize = 64;
/// An awareness client id stays owned by the token that announced it this long after its
/// connection closed (a reconnect with the same token takes it back; no other token can).
const PRESENCE_OWNERSHIP: Duration = Duration::from_secs(10 * 60);
/// Client ids whose ownership is remembered per document.
const MAX_PRESENCE_OWNERS: usize = 16_384;
/// Bad presence entries (malformed, too large, forged) after which a connection is closed.
const MAX_BAD_PRESENCE: u32 = 20;
/// Presence refusals recorded per connection (the rest are only dropped).
const MAX_PRESENCE_REFUSALS_RECORDED: u32 = 5;
/// Addresses whose failed authentications are remembered.
const MAX_THROTTLE_ENTRIES: usize = 10_000;

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
    #[error("{}: another hub is serving this data directory", .0.display())]
    InUse(PathBuf),
}

/// `konsekvens hub serve --data DIR --listen ADDR`
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// Snapshot a document after at least this many updates since its last snapshot (and,
    /// for a large document, only once the log after it holds an eighth of its size or ten
    /// times this many updates: see `DocState::snapshot_due`).
    pub compact_after: usize,
    /// Refuse (close with 1009) any incoming WebSocket message or frame larger than this.
    pub max_message_size: usize,
    /// Refuse (permission denied) an update larger than this.
    pub max_update_size: usize,
    /// Refuse an update that would make the document's encoded state larger than this
    /// (capped at [`proto::MAX_DOCUMENT_SIZE_CEILING`]).
    pub max_document_size: usize,
    /// Drop (and record) a presence state larger than this.
    pub max_presence_size: usize,
    /// Close a connection from which no whole message arrived for this long.
    pub idle_timeout: Duration,
    /// How long a document stays in memory after its last connection closed. A hub serving
    /// many joint DPIAs for a year holds only the documents in use, not every one ever opened
    /// (a room whose presence ids are still reserved, see `PRESENCE_OWNERSHIP`, stays too).
    pub room_idle: Duration,
    /// Close a connection whose frame, once begun, is not complete within this.
    pub frame_timeout: Duration,
    /// Open connections in total; beyond, HTTP 503 at the handshake.
    pub max_connections: usize,
    /// Open connections per token; beyond, HTTP 429 at the handshake.
    pub max_connections_per_token: usize,
    /// Failed authentications from one address within a minute before it gets HTTP 429.
    pub auth_failures: u32,
    /// How long such an address gets HTTP 429.
    pub auth_throttle: Duration,
    /// How often open connections are checked for revoked tokens (and closed).
    pub revocation_check: Duration,
    /// Take the client's address from the last entry of `X-Forwarded-For` (set it when the
    /// hub runs behind a reverse proxy, which it must then be reachable only through):
    /// otherwise every client has the proxy's address, and one client's wrong tokens
    /// throttle them all.
    pub trust_proxy: bool,
    /// Empty the write-ahead log (TRUNCATE checkpoint) once it is larger than this.
    pub wal_limit: u64,
    /// When commits reach the disk: every commit (default) or at checkpoints.
    pub synchronous: Synchronous,
    /// Print one line per connection, refusal and shutdown step on stderr.
    pub verbose: bool,
    /// Serve `/metrics` (and `/healthz`) on this address too: one the monitoring reaches and
    /// clients do not (`/metrics` names the joint DPIAs). Without it there is no `/metrics`.
    pub metrics_listen: Option<SocketAddr>,
    /// OpenID Connect providers whose ID tokens are accepted besides tokens (`--oidc FILE`).
    pub oidc: Option<crate::oidc::OidcConfig>,
    /// The clock that decides a hearing round's deadline: the core's [`Env`] (the wall clock,
    /// or the day `KONSEKVENS_TODAY` pins), as the CLI and the app judge it; a test's own.
    pub clock: Clock,
}

/// The hub's clock: the core's injected [`Env`] (its `today`).
#[derive(Clone)]
pub struct Clock(pub std::sync::Arc<dyn konsekvens_core::Env>);

impl Default for Clock {
    fn default() -> Self {
        Clock(std::sync::Arc::new(konsekvens_core::SystemEnv))
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock(today {})", self.0.today())
    }
}

impl ServeConfig {
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        ServeConfig {
            data_dir: data_dir.into(),
            listen,
            compact_after: DEFAULT_COMPACT_AFTER,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_update_size: DEFAULT_MAX_UPDATE_SIZE,
            max_document_size: DEFAULT_MAX_DOCUMENT_SIZE,
            max_presence_size: DEFAULT_MAX_PRESENCE_SIZE,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            room_idle: DEFAULT_ROOM_IDLE,
            frame_timeout: DEFAULT_FRAME_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_token: DEFAULT_MAX_CONNECTIONS_PER_TOKEN,
            auth_failures: DEFAULT_AUTH_FAILURES,
            auth_throttle: DEFAULT_AUTH_THROTTLE,
            revocation_check: DEFAULT_REVOCATION_CHECK,
            trust_proxy: false,
            wal_limit: DEFAULT_WAL_LIMIT,
            synchronous: Synchronous::Full,
            verbose: false,
            metrics_listen: None,
            oidc: None,
            clock: Clock::default(),
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
    metrics_listener: Option<TcpListener>,
    hub: Arc<Hub>,
    /// Held while the hub runs: no second hub, and no `hub restore`, on the same directory.
    _lock: std::fs::File,
}

impl Server {
    pub async fn bind(config: ServeConfig) -> Result<Server, HubError> {
        let store = HubStore::open(&config.data_dir)?;
        let lock = crate::backup::lock_data_dir(&config.data_dir)?;
        // Every answer (a whole document as SyncStep2) must fit what the Rust clients read.
        let max_document = config.max_document_size.clamp(1024, proto::MAX_DOCUMENT_SIZE_CEILING);
        let limits = WriteLimits { max_update: config.max_update_size.clamp(1, max_document), max_document };
        let listener =
            TcpListener::bind(config.listen).await.map_err(|source| HubError::Bind { addr: config.listen, source })?;
        let metrics_listener = match config.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|source| HubError::Bind { addr, source })?),
            None => None,
        };
        let metrics = Arc::new(HubMetrics::new());
        // The providers' keys before the first handshake (a provider not reachable now is
        // asked again by the refresher; its users are refused meanwhile, tokens still work).
        let oidc = match &config.oidc {
            Some(c) => {
                let oidc = Arc::new(crate::oidc::Oidc::new(c.clone()));
                let fetching = oidc.clone();
                let errors = tokio::task::spawn_blocking(move || fetching.fetch_keys(true)).await.map_err(|e| HubError::Writer(e.to_string()))?;
                for e in errors {
                    oplog::line(Level::Warn, format_args!("cannot fetch the OpenID provider's keys: {e}"));
                }
                Some(oidc)
            }
            None => None,
        };
        // A run that did not stop cleanly may have forwarded changes it never made durable:
        // peers may send them back for a while (see `writer`, «Durability»).
        let recovering = crate::durable::start(&config.data_dir, crate::store::now_millis())?;
        if recovering {
            oplog::line(Level::Warn, format_args!("the last run did not stop cleanly; changes it forwarded but lost are taken back from peers"));
        }
        // The writer has a connection of its own: handshakes keep reading while it commits.
        let writer = WriterHandle::spawn(
            &config.data_dir,
            config.synchronous,
            config.compact_after.max(1),
            limits,
            config.wal_limit,
            recovering,
            config.verbose,
            metrics.clone(),
            config.clock.0.clone(),
        )?;
        let hub = Arc::new(Hub {
            store: Mutex::new(store),
            rooms: Mutex::new(HashMap::new()),
            writer,
            next_conn: AtomicU64::new(1),
            ws_config: websocket_config(config.max_message_size),
            verbose: config.verbose,
            connections: AtomicUsize::new(0),
            sessions: Mutex::new(HashMap::new()),
            throttle: Mutex::new(HashMap::new()),
            config: config.clone(),
            metrics,
            oidc,
        });
        Ok(Server { listener, metrics_listener, hub, _lock: lock })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Where `/metrics` is served, if anywhere (`ServeConfig::metrics_listen`).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), HubError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        let hub = self.hub.clone();
        hub.log(format_args!("hub listening on ws://{}", self.local_addr()));
        let revocations = tokio::spawn(watch_revocations(hub.clone()));
        let closing_rooms = tokio::spawn(close_idle_rooms(hub.clone()));
        let monitoring = self.metrics_listener.map(|l| tokio::spawn(serve_metrics(hub.clone(), l)));
        let keys = hub.oidc.clone().map(|o| tokio::spawn(crate::oidc::keep_keys_fresh(o, |e| oplog::line(Level::Warn, format_args!("{e}")))));
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
        revocations.abort();
        closing_rooms.abort();
        for task in [monitoring, keys].into_iter().flatten() {
            task.abort();
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
        crate::durable::stopped(&hub.config.data_dir)?;
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
    /// Accepted TCP connections (handshakes included).
    connections: AtomicUsize,
    /// The open sessions per token id: how many, and how to close them (revocation).
    sessions: Mutex<HashMap<i64, Vec<Kick>>>,
    /// Failed authentications per peer address.
    throttle: Mutex<HashMap<IpAddr, Throttle>>,
    config: ServeConfig,
    metrics: Arc<HubMetrics>,
    oidc: Option<Arc<crate::oidc::Oidc>>,
}

/// How to close one open session: its connection number and the signal it waits on.
type Kick = (u64, Arc<Notify>);

/// An admitted handshake: where to, who, and the session slot it holds.
struct Admitted {
    dpia: String,
    key: DocKey,
    who: TokenInfo,
    org_name: String,
    slot: SessionSlot,
    signed_in: Option<SignedInSession>,
}

/// A connection made with an OpenID Connect ID token: who (verified by the hub) and until when.
#[derive(Debug, Clone)]
pub(crate) struct SignedInSession {
    /// The `name` claim: stamped onto the connection's presence as `user.name`.
    pub(crate) name: String,
    /// The ID token's expiry (plus leeway), seconds since 1970: the connection is closed then.
    pub(crate) expires_at: u64,
}

/// Failed authentications of one address.
struct Throttle {
    window_start: Instant,
    failures: u32,
    blocked_until: Option<Instant>,
}

/// Holds one of the hub's connection slots; gives it back when dropped.
struct ConnectionSlot(Arc<Hub>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Holds a token's session slot (and its revocation signal); gives it back when dropped.
struct SessionSlot {
    hub: Arc<Hub>,
    token: i64,
    conn: u64,
    kick: Arc<Notify>,
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        let mut sessions = self.hub.sessions.lock().expect("sessions lock");
        if let Some(list) = sessions.get_mut(&self.token) {
            list.retain(|(c, _)| *c != self.conn);
            if list.is_empty() {
                sessions.remove(&self.token);
            }
        }
    }
}

/// Closes idle rooms, a few times per [`ServeConfig::room_idle`].
async fn close_idle_rooms(hub: Arc<Hub>) {
    let mut tick = tokio::time::interval((hub.config.room_idle / 4).clamp(Duration::from_millis(20), Duration::from_secs(15)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        hub.close_idle_rooms(Instant::now());
    }
}

/// Every `revocation_check`: closes the open sessions of tokens revoked meanwhile (`hub
/// token revoke` runs as another process and only writes the database).
async fn watch_revocations(hub: Arc<Hub>) {
    let mut tick = tokio::time::interval(hub.config.revocation_check.max(Duration::from_millis(50)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let open: Vec<i64> = hub.sessions.lock().expect("sessions lock").keys().copied().collect();
        if open.is_empty() {
            continue;
        }
        let revoked = match hub.store.lock().expect("store lock").revoked_among(&open) {
            Ok(ids) => ids,
            Err(e) => {
                hub.log(format_args!("cannot check for revoked tokens: {e}"));
                continue;
            }
        };
        let sessions = hub.sessions.lock().expect("sessions lock");
        for id in revoked {
            for (_, kick) in sessions.get(&id).into_iter().flatten() {
                kick.notify_one();
            }
        }
    }
}

/// The TCP stream with a count of the bytes read, so the connection can tell a frame that
/// has begun but does not complete (bytes arrive, no message) from a silent one.
struct Metered {
    inner: TcpStream,
    read: Arc<AtomicU64>,
}

impl AsyncRead for Metered {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        if n > 0 {
            self.read.fetch_add(n as u64, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Metered {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Small read buffers (tungstenite allocates 128 KiB per connection by default, which is
/// most of the hub's memory at hundreds of connections); frames written together up to
/// 8 KiB (`forward` feeds what is queued and flushes once: one `send` for several frames —
/// 80 % of the hub's CPU under load is the kernel's send path — where 0 wrote each frame
/// eagerly); the size limit on messages and frames alike, so an oversized frame is refused
/// from its header.
fn websocket_config(max_message_size: usize) -> WebSocketConfig {
    let max = max_message_size.max(1024);
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
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
    /// Which token announced each awareness client id (kept a while after it left).
    owners: Mutex<HashMap<u64, Owner>>,
    /// Who wrote the document, as far as the log has been read, and the last answer with
    /// its log position: any participant may ask as often as it likes.
    authors: tokio::sync::Mutex<KeptAuthors>,
    pub(crate) tx: broadcast::Sender<Outgoing>,
    /// Open connections to the room, and when the last one closed (or the room was opened):
    /// an idle room is closed after [`ServeConfig::room_idle`].
    members: Mutex<(usize, Instant)>,
}

impl Room {
    /// Whether the room may leave memory: nobody connected for `after`, and no presence id
    /// of its still reserved for the token that used it.
    fn idle(&self, now: Instant, after: Duration) -> bool {
        let (members, since) = *self.members.lock().expect("members lock");
        members == 0
            && now.duration_since(since) >= after
            && self.owners.lock().expect("owners lock").values().all(|o| o.left.is_some_and(|left| now.duration_since(left) >= PRESENCE_OWNERSHIP))
    }
}

/// A connection's membership of its room, counted until dropped.
struct Member(Arc<Room>);

impl Member {
    fn join(room: &Arc<Room>) -> Member {
        room.members.lock().expect("members lock").0 += 1;
        Member(room.clone())
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let mut members = self.0.members.lock().expect("members lock");
        *members = (members.0.saturating_sub(1), Instant::now());
    }
}

/// A room's authors (see [`authors`]).
#[derive(Default)]
struct KeptAuthors {
    log: attribution::Authors,
    frame: Option<(i64, Bytes)>,
}

/// A room's document and where it stands in the log.
pub(crate) struct DocState {
    pub(crate) doc: Doc,
    pub(crate) last_seq: i64,
    /// Updates, and their bytes, in the log after the last snapshot; the snapshot's size.
    pub(crate) since_snapshot: usize,
    pub(crate) tail_bytes: usize,
    pub(crate) snapshot_bytes: usize,
    /// The encoded size of the document, or an upper bound of it (the snapshot's size plus
    /// the updates' since; measured again at every snapshot and near the limit).
    pub(crate) size: usize,
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
        let mut snapshot_bytes = 0;
        if let Some((upto, state)) = store.snapshot(dpia, key)? {
            apply(&state, 0)?;
            last_seq = upto;
            snapshot_bytes = state.len();
        }
        let tail = store.updates_after(dpia, key, last_seq)?;
        let mut tail_bytes = 0;
        for (seq, data) in &tail {
            apply(data, *seq)?;
            last_seq = *seq;
            tail_bytes += data.len();
        }
        Ok(DocState { doc, last_seq, since_snapshot: tail.len(), tail_bytes, snapshot_bytes, size: snapshot_bytes + tail_bytes })
    }

    /// Whether to snapshot the document now. A snapshot encodes the whole document — after
    /// a year, megabytes — on the writer's thread, where every forward waits: taken every
    /// `compact_after` updates whatever the size, its cost grew with the document (at 490
    /// clients, a 2.7 MB base every 1.6 s). So: never before `compact_after` updates, then
    /// once the log after the last snapshot holds an eighth of the snapshot's bytes (the
    /// work stays in proportion to what was written) or ten times `compact_after` updates
    /// (what an opening replays stays bounded).
    pub(crate) fn snapshot_due(&self, compact_after: usize) -> bool {
        self.since_snapshot >= compact_after
            && (self.tail_bytes.saturating_mul(8) >= self.snapshot_bytes || self.since_snapshot >= compact_after.saturating_mul(10))
    }

    /// After a snapshot of `bytes` bytes covering the whole log.
    pub(crate) fn snapshotted(&mut self, bytes: usize) {
        (self.since_snapshot, self.tail_bytes, self.snapshot_bytes, self.size) = (0, 0, bytes, bytes);
    }
}

/// One peer's presence as the hub relays it, and who announced it.
struct Presence {
    clock: u32,
    json: Arc<str>,
    conn: u64,
}

/// The token an awareness client id belongs to; `left`: when its connection closed.
struct Owner {
    token: i64,
    conn: u64,
    left: Option<Instant>,
}

/// A frame for a room's other connections (`Bytes`: one buffer shared by every receiver).
#[derive(Clone)]
pub(crate) struct Outgoing {
    pub(crate) from: u64,
    pub(crate) frame: Bytes,
    /// When an update arrived at the hub (None: presence), for the fan-out latency.
    pub(crate) at: Option<Instant>,
}

/// One connection: who, to which document.
pub(crate) struct Session {
    pub(crate) dpia: String,
    pub(crate) key: DocKey,
    pub(crate) who: TokenInfo,
    /// The organisation's registered name (stamped onto presence).
    pub(crate) org_name: String,
    pub(crate) conn: u64,
    /// Signed in with an ID token: the verified person, who the presence then names.
    pub(crate) signed_in: Option<SignedInSession>,
}

fn new_server_doc() -> Doc {
    let id = konsekvens_core::doc::client_id_from(rand::random::<u64>());
    Doc::with_options(Options { client_id: ClientID::new(id), offset_kind: OffsetKind::Utf16, ..Options::default() })
}

impl Hub {
    fn log(&self, args: std::fmt::Arguments<'_>) {
        if self.verbose {
            oplog::line(Level::Info, args);
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
            owners: Mutex::new(HashMap::new()),
            authors: tokio::sync::Mutex::new(KeptAuthors::default()),
            tx,
            members: Mutex::new((0, Instant::now())),
        });
        rooms.insert((dpia.to_owned(), key), room.clone());
        self.metrics.documents_open(rooms.len());
        Ok(room)
    }

    /// Drops the rooms idle for [`ServeConfig::room_idle`] from memory. A room anything else
    /// still holds (a connection between opening it and joining, a write in the writer's
    /// queue) stays: the next sweep looks again. Nothing is lost: every accepted update is in
    /// the log, which the next opening reads.
    fn close_idle_rooms(&self, now: Instant) {
        let mut rooms = self.rooms.lock().expect("rooms lock");
        rooms.retain(|_, room| Arc::strong_count(room) > 1 || !room.idle(now, self.config.room_idle));
        self.metrics.documents_open(rooms.len());
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
    /// Takes the token's session slot (HTTP 429 beyond `max_connections_per_token`). Failed
    /// authentications are recorded and counted per address; past `auth_failures` in a
    /// minute the address gets HTTP 429 for `auth_throttle`, without its tokens being looked
    /// at.
    fn admit(
        self: &Arc<Self>,
        path: &str,
        query: Option<&str>,
        bearer: Option<&str>,
        ip: IpAddr,
    ) -> Result<Admitted, (StatusCode, String)> {
        let not_found = || (StatusCode::NOT_FOUND, "forventede /dpia/<dpia-id>/<dokument> (expected /dpia/<dpia-id>/<document>)".to_string());
        let rest = path.strip_prefix("/dpia/").ok_or_else(not_found)?;
        let (dpia, doc) = rest.split_once('/').ok_or_else(not_found)?;
        let key = DocKey::parse(doc.trim_end_matches('/')).map_err(|e| (StatusCode::NOT_FOUND, e.to_string()))?;
        if let Some(wait) = self.throttled(ip) {
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                format!("{AUTH_THROTTLED}: for mange forkerte tokens fra {ip}; prøv igen om {} s (too many failed authentications)", wait.as_secs().max(1)),
            ));
        }
        let token = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|kv| kv.strip_prefix("token="))
            .map(percent_decode)
            .or_else(|| bearer.map(str::to_owned))
            .ok_or((StatusCode::UNAUTHORIZED, format!("{AUTH}: et token kræves, ?token=… eller Authorization: Bearer … (a token is required)")))?;
        let internal = |e: StoreError| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
        // An ID token from a configured OpenID provider, or a hub token.
        let mut signed_in = None;
        let (found, refusal) = match self.oidc.as_ref().filter(|_| crate::oidc::looks_like_jwt(&token)) {
            Some(oidc) => match oidc.verify(&token) {
                Ok(person) => {
                    signed_in = Some(SignedInSession { name: person.name.clone(), expires_at: person.expires_at });
                    let store = self.store.lock().expect("store lock");
                    let who = match store.signed_in(&person) {
                        Err(StoreError::UnknownOrg(org)) => {
                            let reason = format!("{OIDC_ORG}: kravet peger på organisationen {org}, som ikke er registreret på hubben (the claim maps to an organisation the hub does not know)");
                            return Err((StatusCode::FORBIDDEN, reason));
                        }
                        other => other.map_err(internal)?,
                    };
                    let why = format!("{REVOKED}: {} er spærret på hubben (the signed-in person is locked out)", person.person);
                    (who, Some(why))
                }
                // A valid token whose claim maps to no organisation: refused as forbidden, recorded.
                Err(r) if r.status == 403 => {
                    self.writer.record_anonymous(clip(dpia, 64), clip(doc, 64), r.reason.clone());
                    return Err((StatusCode::FORBIDDEN, r.reason));
                }
                Err(r) => (None, Some(r.reason)),
            },
            None => (self.store.lock().expect("store lock").authenticate(&token).map_err(internal)?, None),
        };
        let store = self.store.lock().expect("store lock");
        let Some(who) = found else {
            drop(store);
            let reason = refusal.unwrap_or_else(|| format!("{AUTH}: ukendt eller tilbagekaldt token fra {ip} (unknown or revoked token)"));
            let throttled = self.auth_failed(ip);
            let recorded = match &throttled {
                None => reason.clone(),
                Some(_) => format!("{AUTH_THROTTLED}: {ip} har sendt {} forkerte tokens på et minut; afvist i {} s (throttled)", self.config.auth_failures, self.config.auth_throttle.as_secs()),
            };
            self.writer.record_anonymous(clip(dpia, 64), clip(doc, 64), recorded);
            return Err((StatusCode::UNAUTHORIZED, reason));
        };
        let info: DpiaInfo = store
            .dpia(dpia)
            .map_err(internal)?
            .ok_or((StatusCode::NOT_FOUND, format!("fælles konsekvensanalyse {dpia} findes ikke (no joint DPIA {dpia})")))?;
        if !info.has_document(key) {
            return Err((StatusCode::NOT_FOUND, format!("{dpia} har intet dokument {key} (the joint DPIA {dpia} has no document {key})")));
        }
        info.may_read_doc(&who, key).map_err(|why| (StatusCode::FORBIDDEN, why))?;
        let org_name = store.org_name(&who.org).map_err(internal)?.unwrap_or_else(|| who.org.clone());
        drop(store);
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let kick = Arc::new(Notify::new());
        {
            let mut sessions = self.sessions.lock().expect("sessions lock");
            let list = sessions.entry(who.id).or_default();
            if list.len() >= self.config.max_connections_per_token {
                return Err((
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "{BUSY}: tokenet har allerede {} forbindelser åbne, det højeste antal (the token has the most connections allowed)",
                        list.len()
                    ),
                ));
            }
            list.push((conn, kick.clone()));
        }
        let slot = SessionSlot { hub: self.clone(), token: who.id, conn, kick };
        Ok(Admitted { dpia: dpia.to_owned(), key, who, org_name, slot, signed_in })
    }

    /// How long `ip` is still refused, if it is.
    fn throttled(&self, ip: IpAddr) -> Option<Duration> {
        let throttle = self.throttle.lock().expect("throttle lock");
        let until = throttle.get(&ip)?.blocked_until?;
        until.checked_duration_since(Instant::now())
    }

    /// Counts a failed authentication; `Some` when it starts throttling the address.
    fn auth_failed(&self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut throttle = self.throttle.lock().expect("throttle lock");
        if throttle.len() >= MAX_THROTTLE_ENTRIES {
            throttle.retain(|_, t| {
                t.blocked_until.is_some_and(|u| u > now) || now.duration_since(t.window_start) < Duration::from_secs(60)
            });
        }
        let t = throttle.entry(ip).or_insert(Throttle { window_start: now, failures: 0, blocked_until: None });
        if now.duration_since(t.window_start) >= Duration::from_secs(60) {
            *t = Throttle { window_start: now, failures: 0, blocked_until: None };
        }
        t.failures += 1;
        if t.failures >= self.config.auth_failures.max(1) {
            t.blocked_until = Some(now + self.config.auth_throttle);
            t.failures = 0;
            t.window_start = now + self.config.auth_throttle;
            return Some(self.config.auth_throttle);
        }
        None
    }

    /// Checks, stamps and records presence; returns the frame to forward (None: nothing new)
    /// and the refusals. Per entry: at most `max_presence_size` bytes of JSON, an object
    /// (or `null`: gone); the hub writes the token's organisation into `user.org` and
    /// `user.orgName`, so nobody can appear as another organisation. An awareness client id
    /// belongs to the token that first announced it — while its connection is open, and
    /// [`PRESENCE_OWNERSHIP`] after — so nobody speaks for, removes or takes over someone
    /// else's presence (a reconnect with the same token may). Each connection announces at
    /// most [`MAX_PRESENCE_IDS_PER_CONNECTION`] ids.
    ///
    /// A claimed organisation is corrected, not dropped, and does not count as bad presence:
    /// the app fills `user.org` from its user's settings, which may simply be wrong.
    fn awareness(&self, session: &Session, room: &Room, update: AwarenessUpdate) -> (Option<Vec<u8>>, Vec<PresenceRefusal>) {
        let now = Instant::now();
        let mut refusals = Vec::new();
        let mut owners = room.owners.lock().expect("owners lock");
        let mut presence = room.presence.lock().expect("presence lock");
        let mut changed = HashMap::new();
        for (client, entry) in update.clients {
            let id = client.get();
            match owners.get(&id) {
                Some(o) if o.token != session.who.id && o.left.is_none_or(|left| now.duration_since(left) < PRESENCE_OWNERSHIP) => {
                    refusals.push(PresenceRefusal::bad(format!(
                        "{PRESENCE_FORGED}: tilstedeværelses-id {id} tilhører en anden forbindelse (presence id {id} belongs to another connection)"
                    )));
                    continue;
                }
                Some(_) => {}
                None => {
                    let mine = owners.values().filter(|o| o.conn == session.conn && o.left.is_none()).count();
                    if mine >= MAX_PRESENCE_IDS_PER_CONNECTION {
                        refusals.push(PresenceRefusal::bad(format!(
                            "{TOO_LARGE}: højst {MAX_PRESENCE_IDS_PER_CONNECTION} tilstedeværelses-id'er pr. forbindelse (too many presence ids)"
                        )));
                        continue;
                    }
                    if owners.len() >= MAX_PRESENCE_OWNERS {
                        owners.retain(|_, o| o.left.is_none_or(|left| now.duration_since(left) < PRESENCE_OWNERSHIP));
                    }
                    if owners.len() >= MAX_PRESENCE_OWNERS || presence.len() >= MAX_PRESENCE_PER_ROOM {
                        refusals.push(PresenceRefusal::bad(format!("{TOO_LARGE}: dokumentet har for mange tilstedeværelser (too many presence entries)")));
                        continue;
                    }
                }
            }
            if entry.json.len() > self.config.max_presence_size {
                refusals.push(PresenceRefusal::bad(format!(
                    "{TOO_LARGE}: tilstedeværelse på {} bytes; grænsen er {} bytes (presence too large)",
                    entry.json.len(),
                    self.config.max_presence_size
                )));
                continue;
            }
            let json = match stamp_presence(&entry.json, session) {
                Ok((json, forged)) => {
                    if let Some(claimed) = forged {
                        refusals.push(PresenceRefusal {
                            reason: format!(
                                "{PRESENCE_FORGED}: tilstedeværelsen påstod organisation «{}»; hubben satte {} (presence claimed another organisation)",
                                crate::live::printable(&clip(&claimed, 64)),
                                session.who.org
                            ),
                            bad: false,
                        });
                    }
                    json
                }
                Err(why) => {
                    refusals.push(PresenceRefusal::bad(format!("{PRESENCE_MALFORMED}: {why}")));
                    continue;
                }
            };
            owners.insert(id, Owner { token: session.who.id, conn: session.conn, left: None });
            let newer = match presence.get(&id) {
                Some(p) => entry.clock > p.clock || (entry.clock == p.clock && json.is_none()),
                None => true,
            };
            if newer {
                let json: Arc<str> = match json {
                    None => {
                        presence.remove(&id);
                        Arc::from("null")
                    }
                    Some(json) => {
                        let json: Arc<str> = Arc::from(json);
                        presence.insert(id, Presence { clock: entry.clock, json: json.clone(), conn: session.conn });
                        json
                    }
                };
                changed.insert(client, AwarenessUpdateEntry { clock: entry.clock, json });
            }
        }
        if changed.is_empty() {
            return (None, refusals);
        }
        (Some(proto::encode(&Message::Awareness(AwarenessUpdate { clients: changed }))), refusals)
    }

    /// Everybody's presence, in frames of at most [`PRESENCE_PER_FRAME`] entries.
    fn awareness_all(&self, room: &Room) -> Vec<Vec<u8>> {
        let presence = room.presence.lock().expect("presence lock");
        let entries: Vec<(ClientID, AwarenessUpdateEntry)> = presence
            .iter()
            .map(|(id, p)| (ClientID::new(*id), AwarenessUpdateEntry { clock: p.clock, json: p.json.clone() }))
            .collect();
        entries
            .chunks(PRESENCE_PER_FRAME)
            .map(|chunk| proto::encode(&Message::Awareness(AwarenessUpdate { clients: chunk.iter().cloned().collect() })))
            .collect()
    }

    /// When a connection ends: its presence entries become `null` for everybody else; the
    /// ids stay its token's for [`PRESENCE_OWNERSHIP`].
    fn awareness_gone(&self, conn: u64, room: &Room) {
        let now = Instant::now();
        for owner in room.owners.lock().expect("owners lock").values_mut() {
            if owner.conn == conn && owner.left.is_none() {
                owner.left = Some(now);
            }
        }
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
        let _ = room.tx.send(Outgoing { from: conn, frame: frame.into(), at: None });
    }
}

/// Presence the hub dropped (`bad`) or corrected, and why.
struct PresenceRefusal {
    reason: String,
    bad: bool,
}

impl PresenceRefusal {
    fn bad(reason: String) -> PresenceRefusal {
        PresenceRefusal { reason, bad: true }
    }
}

/// One connection's record of refused presence.
#[derive(Default)]
struct PresenceStrikes {
    /// Entries dropped (the connection closes past [`MAX_BAD_PRESENCE`]).
    bad: u32,
    /// Refusals recorded (at most [`MAX_PRESENCE_REFUSALS_RECORDED`]).
    recorded: u32,
    /// A claimed organisation was recorded (once per connection: it comes again with every
    /// renewal, every 15 s).
    claim_recorded: bool,
}

/// Checks one presence state and writes the token's organisation into it:
/// `Ok((None, _))` for `null` (gone), `Ok((Some(json), claimed))` for an object, where
/// `claimed` is the other organisation the client put in `user.org`, if it did.
fn stamp_presence(json: &str, session: &Session) -> Result<(Option<String>, Option<String>), String> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| format!("tilstedeværelsen er ikke JSON (presence is not JSON): {e}"))?;
    let mut state = match value {
        serde_json::Value::Null => return Ok((None, None)),
        serde_json::Value::Object(map) => map,
        _ => return Err("tilstedeværelsen er ikke et JSON-objekt (presence is not a JSON object)".into()),
    };
    let user = state.entry("user").or_insert_with(|| serde_json::Value::Object(Default::default()));
    if !user.is_object() {
        *user = serde_json::Value::Object(Default::default());
    }
    let user = user.as_object_mut().expect("made an object");
    let claimed = match user.get("org") {
        Some(serde_json::Value::String(org)) if *org != session.who.org => Some(org.clone()),
        Some(serde_json::Value::Null) | Some(serde_json::Value::String(_)) | None => None,
        Some(other) => Some(other.to_string()),
    };
    user.insert("org".into(), session.who.org.clone().into());
    user.insert("orgName".into(), session.org_name.clone().into());
    // Signed in: the name is the one the provider vouched for, not the one the client typed.
    if let Some(s) = &session.signed_in {
        user.insert("name".into(), s.name.clone().into());
        user.insert("verified".into(), true.into());
    } else {
        user.remove("verified");
    }
    Ok((Some(serde_json::Value::Object(state).to_string()), claimed))
}

/// At most `max` bytes of `s` (on a character boundary).
fn clip(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
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

// ---- operations ---------------------------------------------------------------------------

impl Hub {
    /// `/healthz`: 200 when the database answers, 503 otherwise.
    fn health(&self) -> (u16, String) {
        match self.store.lock().expect("store lock").ping() {
            Ok(()) => (200, "ok\n".to_owned()),
            Err(e) => (503, format!("hubbens database svarer ikke (the hub's database does not answer): {e}\n")),
        }
    }

    fn metrics_text(&self) -> String {
        let wal = self.store.lock().expect("store lock").wal_size();
        self.metrics.encode(wal)
    }
}

/// Answers `/healthz` (and a misdirected `/metrics`) on the clients' address; false when
/// the connection is something else (a WebSocket handshake), which is left unread.
async fn answer_plain_http(hub: &Hub, stream: &mut TcpStream, deadline: tokio::time::Instant) -> bool {
    let Ok(Some(route)) = tokio::time::timeout_at(deadline, ops::peek_route(stream)).await else { return false };
    if ops::read_head(stream).await.is_some() {
        let (status, body) = match route {
            Route::Healthz => hub.health(),
            _ => (404, "/metrics findes kun på --metrics-listen (/metrics is served on --metrics-listen only)\n".to_owned()),
        };
        ops::respond(stream, status, "text/plain; charset=utf-8", &body).await;
    }
    true
}

/// At most this many monitoring requests at once (more wait in the kernel's backlog).
const MAX_OPS_CONNECTIONS: usize = 16;

/// The monitoring address: `/metrics` and `/healthz` over plain HTTP, nothing else.
async fn serve_metrics(hub: Arc<Hub>, listener: TcpListener) {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_OPS_CONNECTIONS));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else { return };
        let (mut stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let hub = hub.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let Some(head) = ops::read_head(&mut stream).await else { return };
            let (status, content_type, body) = match ops::route_of(&head) {
                Route::Metrics => (200, metrics::CONTENT_TYPE, hub.metrics_text()),
                Route::Healthz => {
                    let (status, body) = hub.health();
                    (status, "text/plain; charset=utf-8", body)
                }
                Route::Other => (404, "text/plain; charset=utf-8", "GET /metrics eller /healthz (GET /metrics or /healthz)\n".to_owned()),
            };
            ops::respond(&mut stream, status, content_type, &body).await;
        });
    }
}

// ---- one connection -----------------------------------------------------------------------

async fn connection(hub: Arc<Hub>, mut stream: TcpStream, peer: SocketAddr, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let over_capacity = hub.connections.fetch_add(1, Ordering::Relaxed) >= hub.config.max_connections;
    let _slot = ConnectionSlot(hub.clone());
    // A health check or a misdirected scrape is plain HTTP, told apart by its first bytes.
    // One deadline for telling and for the handshake: a silent connection holds its slot 10 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    // Boxed: the connection's own future stays as small as it was (tests run many on one stack).
    if Box::pin(answer_plain_http(&hub, &mut stream, deadline)).await {
        return;
    }
    let mut admitted = None;
    #[allow(clippy::result_large_err)] // the type tungstenite's handshake callback requires
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if over_capacity {
            let reason = format!("{BUSY}: hubben har det højeste antal forbindelser åbne; prøv igen senere (the hub is at its connection limit)");
            hub.metrics.handshake_refused(503);
            hub.log(format_args!("{peer}: {} refused (503): {reason}", req.uri().path()));
            return Err(reject(StatusCode::SERVICE_UNAVAILABLE, reason));
        }
        let bearer = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        // Behind a reverse proxy every peer is the proxy: with `trust_proxy`, the address the
        // proxy appended to X-Forwarded-For is the one throttled and recorded.
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .and_then(|ip| ip.trim().parse::<IpAddr>().ok());
        let ip = match forwarded {
            Some(ip) if hub.config.trust_proxy => ip,
            _ => peer.ip(),
        };
        match hub.admit(req.uri().path(), req.uri().query(), bearer, ip) {
            Ok(ok) => {
                admitted = Some(ok);
                Ok(resp)
            }
            Err((status, reason)) => {
                hub.metrics.handshake_refused(status.as_u16());
                hub.log(format_args!("{peer}: {} refused ({status}): {reason}", req.uri().path()));
                Err(reject(status, reason))
            }
        }
    };
    let read = Arc::new(AtomicU64::new(0));
    let stream = Metered { inner: stream, read: read.clone() };
    let accept = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(hub.ws_config));
    // Not split into halves: the loop below reads and writes in turn, and the halves' shared
    // lock cost every forward a lock and a waker registration.
    let mut ws = match tokio::time::timeout_at(deadline, accept).await {
        Ok(Ok(ws)) => ws,
        _ => return,
    };
    let Some(Admitted { dpia, key, who, org_name, slot, signed_in }) = admitted else { return };
    let conn = slot.conn;
    let kick = slot.kick.clone();
    // A signed-in connection lasts as long as its ID token: then it is closed with
    // CLOSE_SIGN_IN_EXPIRED, and the client signs in again (or refreshes) and reconnects.
    // The token is valid through its `exp` second (as the check at the handshake has it).
    let expiry = {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let left = signed_in.as_ref().map(|s| Duration::from_millis((s.expires_at + 1).saturating_mul(1000).saturating_sub(now)));
        tokio::time::Instant::now() + left.unwrap_or(Duration::from_secs(100 * 365 * 24 * 3600))
    };
    let session = Arc::new(Session { dpia, key, who, org_name, conn, signed_in });
    let _open = hub.metrics.connection_opened(&session.dpia);
    let room = match hub.room(&session.dpia, session.key) {
        Ok(room) => room,
        Err(e) => {
            hub.log(format_args!("{peer}: cannot open {}/{}: {e}", session.dpia, session.key));
            return;
        }
    };
    let _member = Member::join(&room);
    hub.log(format_args!("{peer}: {} ({}, token {}) opened {}/{}", session.who.org, session.who.role, session.who.id, session.dpia, session.key));
    let mut rx = room.tx.subscribe();
    let mut reading = Reading::default();

    // Server's SyncStep1 first, then everybody's presence.
    let sv = room.state.lock().await.doc.transact().state_vector();
    let mut greeting = vec![proto::sync_step1(&sv)];
    greeting.extend(hub.awareness_all(&room));
    for frame in greeting {
        if ws.send(WsMessage::Binary(frame.into())).await.is_err() {
            return;
        }
    }
    // Timeouts: a whole message must arrive at least every `idle_timeout`, and a frame that
    // has begun (bytes read since the last message) must be complete within `frame_timeout`.
    let mut clock = tokio::time::interval(Duration::from_millis(250).min(hub.config.frame_timeout / 4).max(Duration::from_millis(10)));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_message = Instant::now();
    let mut read_at_last_message = read.load(Ordering::Relaxed);
    let mut partial_since: Option<Instant> = None;
    let mut strikes = PresenceStrikes::default();
    // The futures that end the connection are made once: made in the loop, each forward's
    // wake-up registered and removed a timer and two waiters again.
    let expired = tokio::time::sleep_until(expiry);
    let kicked = kick.notified();
    let stopping = stop.changed();
    tokio::pin!(expired, kicked, stopping);
    loop {
        tokio::select! {
            incoming = reading.next(&mut ws) => {
                last_message = Instant::now();
                read_at_last_message = read.load(Ordering::Relaxed);
                partial_since = None;
                let replies = match incoming {
                    Some(Ok(WsMessage::Binary(frame))) => handle_frame(&hub, &session, &room, &frame, &mut strikes).await,
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
                        if send_all(&mut ws, replies).await.is_err() {
                            break;
                        }
                    }
                    Err(closing) => {
                        closing.close(&hub, &session, &mut ws, peer).await;
                        break;
                    }
                }
            }
            out = rx.recv() => {
                if forward(&mut ws, &mut rx, out, conn, &hub.metrics).await.is_err() {
                    break;
                }
            }
            _ = clock.tick() => {
                let now = Instant::now();
                if read.load(Ordering::Relaxed) > read_at_last_message {
                    let since = *partial_since.get_or_insert(now);
                    if now.duration_since(since) >= hub.config.frame_timeout {
                        let reason = format!(
                            "{IDLE}: en besked blev ikke færdig inden for {} s (a frame did not complete in time)",
                            hub.config.frame_timeout.as_secs_f32()
                        );
                        Closing::Refused { code: CloseCode::Policy, reason, size: 0 }.close(&hub, &session, &mut ws, peer).await;
                        break;
                    }
                }
                if now.duration_since(last_message) >= hub.config.idle_timeout {
                    let reason = format!(
                        "{IDLE}: forbindelsen har været tavs i {} s (the connection was silent too long)",
                        hub.config.idle_timeout.as_secs_f32()
                    );
                    Closing::Refused { code: CloseCode::Away, reason, size: 0 }.close(&hub, &session, &mut ws, peer).await;
                    break;
                }
            }
            _ = &mut expired => {
                let reason = format!("{OIDC_EXPIRED}: log-ind er udløbet; log ind igen (the sign-in has expired)");
                hub.log(format_args!("{peer}: {}/{}: {reason}", session.dpia, session.key));
                let code = CloseCode::from(crate::codes::CLOSE_SIGN_IN_EXPIRED);
                let _ = ws.send(WsMessage::Close(Some(close_frame(code, &reason)))).await;
                break;
            }
            _ = &mut kicked => {
                let reason = format!("{REVOKED}: tokenet er tilbagekaldt; forbindelsen lukkes (the token has been revoked)");
                Closing::Refused { code: CloseCode::Policy, reason, size: 0 }.close(&hub, &session, &mut ws, peer).await;
                break;
            }
            _ = &mut stopping => {
                let _ = ws.send(WsMessage::Close(Some(close_frame(CloseCode::Away, "hubben lukker ned (the hub is shutting down)")))).await;
                break;
            }
        }
    }
    drop(slot);
    hub.awareness_gone(conn, &room);
    hub.log(format_args!("{peer}: closed {}/{}", session.dpia, session.key));
}

type Socket = tokio_tungstenite::WebSocketStream<Metered>;

/// A connection's reading side. Every wake-up of a connection's task (each forward to it)
/// polls every branch of its `select!`, and each poll of tungstenite's reader zeroes its
/// 8 KiB read buffer before trying the socket: 8 % of the hub's CPU at 490 clients went to
/// that `memset` (`perf`, stop 21). Once tungstenite has found the socket empty, the next
/// poll waits for the socket to be readable first (tokio's cached readiness: no system
/// call, no buffer). Until then tungstenite is asked directly: it may hold whole frames
/// read together with the last one.
#[derive(Default)]
struct Reading {
    drained: bool,
}

impl Reading {
    /// The next message; cancel-safe (what `select!` needs): tungstenite keeps a partly read
    /// frame, and `drained` is only set after tungstenite returned `Pending`.
    async fn next(&mut self, ws: &mut Socket) -> Option<Result<WsMessage, WsError>> {
        loop {
            if self.drained {
                // An error here is the socket's: tungstenite reports it on the next poll.
                // (`poll_read_ready` keeps the task's waker in the socket's reader slot, as
                // a read does; `readable()` would queue and unqueue a waiter per wake-up.)
                let _ = std::future::poll_fn(|cx| ws.get_ref().inner.poll_read_ready(cx)).await;
                self.drained = false;
            }
            match std::future::poll_fn(|cx| Poll::Ready(ws.poll_next_unpin(cx))).await {
                Poll::Ready(message) => return message,
                Poll::Pending => self.drained = true,
            }
        }
    }
}

/// Sends other connections' frames: the one received and whatever else is already queued,
/// written together (one flush, so one system call under load instead of one per frame).
/// `Err` ends the connection.
async fn forward(
    ws: &mut Socket,
    rx: &mut broadcast::Receiver<Outgoing>,
    first: Result<Outgoing, broadcast::error::RecvError>,
    conn: u64,
    metrics: &HubMetrics,
) -> Result<(), ()> {
    use broadcast::error::{RecvError, TryRecvError};
    let mut next = Some(first);
    let mut arrived = Vec::new();
    while let Some(out) = next.take() {
        match out {
            Ok(o) if o.from == conn => {}
            Ok(o) => {
                arrived.extend(o.at);
                ws.feed(WsMessage::Binary(o.frame)).await.map_err(drop)?
            }
            Err(RecvError::Lagged(_)) => {
                // More than a channel's worth behind: the client reads slower than the room
                // writes. Closed with 1013; it reconnects and its SyncStep1 gets what it
                // lacks. (Sending the whole document instead cost a copy per lagging
                // connection: when an overloaded host made them all lag, the 10-minute
                // soak's memory grew from 40 to 360 MB and the encodes made it lag more.)
                let reason = format!("{BUSY}: forbindelsen kom for langt bagud; forbind igen (the connection fell behind; reconnect)");
                let _ = ws.send(WsMessage::Close(Some(close_frame(CloseCode::Again, &reason)))).await;
                return Err(());
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
    ws.flush().await.map_err(drop)?;
    let now = Instant::now();
    for at in arrived {
        metrics.delivered(now.saturating_duration_since(at));
    }
    Ok(())
}

async fn send_all(ws: &mut Socket, frames: Vec<Vec<u8>>) -> Result<(), WsError> {
    for frame in frames {
        ws.send(WsMessage::Binary(frame.into())).await?;
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
            reason: format!("{TOO_LARGE}: besked på {size} bytes, over grænsen på {max_size} bytes (message of {size} bytes exceeds the hub's limit of {max_size} bytes)"),
            size,
        }
    }
    fn unsupported() -> Closing {
        Closing::Refused {
            code: CloseCode::Unsupported,
            reason: format!("{UNSUPPORTED}: y-sync-beskeder er binære; tekstrammer tages ikke imod (y-sync messages are binary; text frames are not accepted)"),
            size: 0,
        }
    }

    /// Records the refusal (if it is one) and sends the close frame.
    async fn close(self, hub: &Hub, session: &Arc<Session>, ws: &mut Socket, peer: SocketAddr) {
        match self {
            Closing::Failed(e) => {
                hub.log(format_args!("{peer}: closing {}/{}: {e}", session.dpia, session.key));
                let _ = ws.send(WsMessage::Close(Some(close_frame(CloseCode::Error, "intern fejl i hubben (internal error)")))).await;
            }
            Closing::Refused { code, reason, size } => {
                hub.log(format_args!("{peer}: closing {}/{}: {reason}", session.dpia, session.key));
                hub.writer.record_refusal(session, reason.clone(), size).await;
                let _ = ws.send(WsMessage::Close(Some(close_frame(code, &reason)))).await;
            }
        }
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
/// The room keeps what it has read of the log; a query reads only the rows appended since
/// (off the async workers), and repeated queries at one log position (one per keepalive from
/// every live client, or a hostile loop) get the kept frame.
async fn authors(hub: &Hub, session: &Session, room: &Room) -> Result<Vec<u8>, HubError> {
    let head = room.state.lock().await.last_seq;
    let mut kept = room.authors.lock().await;
    if let Some((seq, frame)) = kept.frame.as_ref() {
        if *seq == head {
            return Ok(frame.to_vec());
        }
    }
    let rows = hub.store.lock().expect("store lock").log_after(&session.dpia, Some(session.key), kept.log.upto)?;
    let mut log = std::mem::take(&mut kept.log);
    let key = session.key;
    // On a panic the kept log is lost and the next query reads the log from its start.
    let (log, read) = tokio::task::spawn_blocking(move || {
        let read = log.extend(key, rows);
        (log, read)
    })
    .await
    .map_err(|e| HubError::Damaged(format!("replaying the log failed: {e}")))?;
    let upto = log.upto;
    kept.log = log;
    read?;
    let answer = {
        let store = hub.store.lock().expect("store lock");
        let names = attribution::Names::load(&store)?;
        let bindings = store.client_bindings(&kept.log.clients())?;
        kept.log.answer(&bindings, &names)
    };
    let json = serde_json::to_vec(&answer).expect("the answer serialises");
    let frame = proto::encode(&Message::Custom(attribution::AUTHORS, json));
    kept.frame = Some((upto, Bytes::from(frame.clone())));
    Ok(frame)
}

async fn handle_frame(
    hub: &Hub,
    session: &Arc<Session>,
    room: &Arc<Room>,
    frame: &[u8],
    strikes: &mut PresenceStrikes,
) -> Result<Vec<Vec<u8>>, Closing> {
    let messages = proto::decode_frame(frame).map_err(|why| Closing::Refused {
        code: CloseCode::Invalid,
        reason: format!("{MALFORMED}: beskeden er ikke y-sync (malformed y-sync message): {why}"),
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
                let size = update.clients.values().map(|e| e.json.len()).sum();
                let (forward, refusals) = hub.awareness(session, room, update);
                if let Some(forward) = forward {
                    let _ = room.tx.send(Outgoing { from: session.conn, frame: forward.into(), at: None });
                }
                for refusal in refusals {
                    let record = if refusal.bad {
                        strikes.bad += 1;
                        true
                    } else {
                        !std::mem::replace(&mut strikes.claim_recorded, true)
                    };
                    if record && strikes.recorded < MAX_PRESENCE_REFUSALS_RECORDED {
                        strikes.recorded += 1;
                        hub.writer.record_refusal(session, refusal.reason, size).await;
                    }
                }
                if strikes.bad > MAX_BAD_PRESENCE {
                    return Err(Closing::Refused {
                        code: CloseCode::Policy,
                        reason: format!("{PRESENCE_MALFORMED}: for mange afviste tilstedeværelser (too many refused presence updates)"),
                        size,
                    });
                }
            }
            Message::AwarenessQuery => replies.extend(hub.awareness_all(room)),
            // Only ever an answer to a client that asked (a Yjs client never does).
            Message::Custom(attribution::AUTHORS_QUERY, _) => replies.push(authors(hub, session, room).await?),
            Message::Auth(_) | Message::Custom(..) => {}
        }
    }
    Ok(replies)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Arc<Room> {
        let state = DocState { doc: Doc::new(), last_seq: 0, since_snapshot: 0, tail_bytes: 0, snapshot_bytes: 0, size: 0 };
        Arc::new(Room {
            dpia: "aula".into(),
            key: DocKey::Base,
            state: tokio::sync::Mutex::new(state),
            presence: Mutex::new(HashMap::new()),
            owners: Mutex::new(HashMap::new()),
            authors: tokio::sync::Mutex::new(KeptAuthors::default()),
            tx: broadcast::channel(4).0,
            members: Mutex::new((0, Instant::now())),
        })
    }

    #[test]
    fn a_room_is_idle_without_members_for_the_time_and_once_its_presence_ids_are_free_again() {
        let room = room();
        let t0 = Instant::now();
        let after = Duration::from_secs(60);
        let member = Member::join(&room);
        assert!(!room.idle(t0 + Duration::from_secs(3600), after), "a member keeps it");
        drop(member);
        let left = room.members.lock().unwrap().1;
        assert!(!room.idle(left + Duration::from_secs(59), after));
        assert!(room.idle(left + after, after));
        // A presence id used by a token that left is reserved for it for PRESENCE_OWNERSHIP:
        // the room (which remembers the reservation) stays that long.
        room.owners.lock().unwrap().insert(7, Owner { token: 1, conn: 1, left: Some(left) });
        assert!(!room.idle(left + after, after));
        assert!(room.idle(left + PRESENCE_OWNERSHIP, after));
        room.owners.lock().unwrap().insert(8, Owner { token: 2, conn: 2, left: None });
        assert!(!room.idle(left + PRESENCE_OWNERSHIP * 2, after), "a connection that has not left");
    }

    #[test]
    fn a_snapshot_is_due_after_enough_updates_and_for_a_large_document_enough_bytes() {
        let state = |since_snapshot, tail_bytes, snapshot_bytes| DocState {
            doc: Doc::new(),
            last_seq: 0,
            since_snapshot,
            tail_bytes,
            snapshot_bytes,
            size: tail_bytes + snapshot_bytes,
        };
        // A small document: every 200 updates, as before.
        assert!(!state(199, 20_000, 50_000).snapshot_due(200));
        assert!(state(200, 20_000, 50_000).snapshot_due(200));
        assert!(state(200, 200, 0).snapshot_due(200), "the first snapshot");
        // A large one: once the log after it holds an eighth of it …
        assert!(!state(200, 6_000, 2_700_000).snapshot_due(200));
        assert!(!state(1_999, 337_000, 2_700_000).snapshot_due(200));
        assert!(state(1_500, 337_500, 2_700_000).snapshot_due(200));
        // … or 10 × compact_after updates, however small.
        assert!(state(2_000, 54_000, 2_700_000).snapshot_due(200));
        let mut s = state(2_000, 54_000, 2_700_000);
        s.snapshotted(2_750_000);
        assert!(!s.snapshot_due(200));
        assert_eq!((s.since_snapshot, s.tail_bytes, s.snapshot_bytes, s.size), (0, 0, 2_750_000, 2_750_000));
    }
}
