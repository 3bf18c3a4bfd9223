//! The sync client: brings a workspace file and a hub to the same state.
//!
//! Per document, over one WebSocket (`/dpia/<id>/<doc>`): send our state vector (SyncStep1),
//! take the hub's missing updates (SyncStep2) into the workspace — logged like any other
//! update —, send what the hub lacks (SyncStep2 against the hub's state vector), then send
//! our state vector again as a barrier: the hub answers messages in order, so once that
//! answer arrives the hub has decided on our update (a refusal, `Message::Auth`, would have
//! come first) and we hold everything it had. Then the two states are equal.
//!
//! The offline outbox is the workspace itself: whatever the hub lacks is computed from its
//! state vector at every sync, so edits made offline go out at the next successful sync.

use crate::attribution;
use crate::proto;
use konsekvens_core::doc::IdSpan;
use konsekvens_core::store::KnownAuthor;
use futures_util::{SinkExt, StreamExt};
use konsekvens_core::doc::{Party, RemarkScope};
use konsekvens_core::model::OrgCode;
use konsekvens_core::{Author, DocKey, Workspace, WorkspaceError};
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::StateVector;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("[K-SYNC-URL] «{0}» er ikke en hub-adresse: angiv ws://VÆRT:PORT eller wss://VÆRT/…, evt. med /dpia/<id> til sidst (not a hub address)")]
    BadUrl(String),
    #[error("[K-SYNC-NO-DPIA] arbejdsfilen angiver ingen fælles konsekvensanalyse (dpia_id er tom); angiv hubbens adresse som …/dpia/<id> (the workspace names no joint DPIA id)")]
    NoDpiaId,
    #[error("[K-SYNC-OFFLINE] hubben på {url} kan ikke nås: {reason}. Ændringerne venter i arbejdsfilen; prøv igen senere (cannot reach the hub)")]
    Connect { url: String, reason: String },
    #[error("[K-SYNC-TOKEN] hubben afviste tokenet: {0}. Bed koordinatoren om et gyldigt token (the hub refused the token)")]
    Unauthorized(String),
    /// The sign-in (an OpenID Connect ID token) has expired: at the handshake, or the hub
    /// closed an open connection when it expired. Refresh or sign in again, then reconnect.
    #[error("[K-SYNC-LOGIN-EXPIRED] dit log-ind er udløbet ({0}); log ind igen (the sign-in has expired; sign in again)")]
    SignInExpired(String),
    #[error("[K-SYNC-TIMEOUT] hubben svarede ikke inden for {0:?}; ændringerne venter i arbejdsfilen, prøv igen (the hub did not answer in time)")]
    Timeout(Duration),
    #[error("[K-SYNC-PROTOCOL] hubben sendte noget, der ikke kan tages imod: {0}. Intet af det er gemt i arbejdsfilen (the hub broke the protocol)")]
    Protocol(String),
    /// A message larger than the client reads ([`proto::CLIENT_MAX_MESSAGE_SIZE`]): the hub
    /// is reachable, but sent something this client will not buffer.
    #[error("[K-SYNC-TOO-LARGE] Hubben sendte en besked på {size} bytes, over grænsen på {max} bytes (the hub sent a message larger than this client reads)")]
    TooLarge { size: usize, max: usize },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
}

impl SyncError {
    /// True for errors that a later retry may cure (network, timeouts).
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Connect { .. } | SyncError::Timeout(_))
    }
}

/// How one document ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocOutcome {
    /// The workspace and the hub hold the same state of this document.
    InSync,
    /// The hub refused our changes: nothing of them was applied or forwarded. The refused
    /// update (a Yrs v1 update) is kept here — and in the workspace's log — so the user's
    /// text is not lost. With `reset`, the local document was resynchronised to the hub's
    /// state (see [`SyncOptions::reset_refused`]).
    Refused { reason: String, refused_update: Vec<u8>, reset: bool },
    /// The hub does not serve this document to us (HTTP 403/404 at the handshake).
    Unavailable { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocReport {
    pub key: DocKey,
    pub outcome: DocOutcome,
    /// Updates from the hub that changed the workspace.
    pub received: usize,
    /// Bytes of our update sent to the hub (it ignores what it already has).
    pub sent_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub hub: String,
    pub dpia: String,
    pub docs: Vec<DocReport>,
}

impl SyncReport {
    /// Every document is in the same state locally and on the hub (`konsekvens sync` exits 0).
    /// Threads on another municipality's supplement the hub does not serve us are not ours to
    /// read (a copy made from the coordinator's file lists them): they do not count.
    pub fn in_sync(&self) -> bool {
        self.docs.iter().all(|d| {
            d.outcome == DocOutcome::InSync
                || matches!((&d.outcome, d.key), (DocOutcome::Unavailable { .. }, DocKey::Remarks(RemarkScope { private: Some(_), .. })))
        })
    }
    pub fn refused(&self) -> impl Iterator<Item = (DocKey, &str)> {
        self.docs.iter().filter_map(|d| match &d.outcome {
            DocOutcome::Refused { reason, .. } => Some((d.key, reason.as_str())),
            _ => None,
        })
    }
    pub fn received(&self) -> usize {
        self.docs.iter().map(|d| d.received).sum()
    }
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.docs {
            match &d.outcome {
                DocOutcome::InSync => writeln!(f, "{}: in sync ({} update(s) received)", d.key, d.received)?,
                DocOutcome::Refused { reason, .. } => writeln!(f, "{}: REFUSED by the hub: {reason}", d.key)?,
                DocOutcome::Unavailable { reason } => writeln!(f, "{}: not available: {reason}", d.key)?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The joint DPIA id; default: from the URL (`…/dpia/<id>`) or the base's `dpia_id`.
    pub dpia: Option<String>,
    /// Bound on one document's exchange.
    pub timeout: Duration,
    /// Author recorded in the workspace log for updates that came from the hub.
    pub author: Option<String>,
    /// After a refusal, set the local document to the hub's state, so the next sync is
    /// clean. The refused changes stay in the workspace's log (the audit trail is never
    /// rewritten) and in the report; only the live document stops carrying them.
    pub reset_refused: bool,
    /// Who syncs, when known: the threads on its supplement (a municipality) or on every
    /// supplement (the coordinator) are fetched besides the public remarks.
    pub party: Option<Party>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions { dpia: None, timeout: Duration::from_secs(30), author: None, reset_refused: true, party: None }
    }
}

/// `konsekvens sync PATH --hub URL --token TOKEN`: one round; `Ok` with
/// [`SyncReport::in_sync`] when local and hub state are equal.
pub async fn sync_once(ws: &mut Workspace, hub: &str, token: &str) -> Result<SyncReport, SyncError> {
    sync_once_with(ws, hub, token, &SyncOptions::default()).await
}

pub async fn sync_once_with(ws: &mut Workspace, hub: &str, token: &str, opts: &SyncOptions) -> Result<SyncReport, SyncError> {
    let Target { base_url, dpia, author } = Target::resolve(ws, hub, opts)?;
    let mut docs = Vec::new();
    docs.push(sync_doc(ws, DocKey::Coordination, &base_url, &dpia, token, &author, opts).await?);
    ensure_participant_documents(ws)?;
    if let Some(party) = opts.party {
        ensure_remark_documents(ws, Some(party))?;
    }
    let mut keys: Vec<DocKey> = vec![DocKey::Base];
    keys.extend(ws.view().supplement_codes().into_iter().map(DocKey::Supplement));
    keys.extend(ws.keys().filter(|k| matches!(k, DocKey::Remarks(_))));
    for key in keys {
        docs.push(sync_doc(ws, key, &base_url, &dpia, token, &author, opts).await?);
    }
    Ok(SyncReport { hub: base_url, dpia, docs })
}

/// Where a workspace syncs: the hub's base URL, the joint DPIA and the author its log
/// records for what comes from the hub.
pub(crate) struct Target {
    pub(crate) base_url: String,
    pub(crate) dpia: String,
    pub(crate) author: Author,
}

impl Target {
    /// The DPIA id comes from the options, else the URL (`…/dpia/<id>`), else the base.
    pub(crate) fn resolve(ws: &Workspace, hub: &str, opts: &SyncOptions) -> Result<Target, SyncError> {
        let (base_url, url_dpia) = split_hub_url(hub)?;
        let dpia = match opts.dpia.clone().or(url_dpia) {
            Some(d) => d,
            None => {
                let id = ws.view().base()?.meta.dpia_id;
                if id.trim().is_empty() {
                    return Err(SyncError::NoDpiaId);
                }
                id
            }
        };
        let author = Author::new(opts.author.clone().unwrap_or_else(|| format!("hub {base_url}")), None);
        Ok(Target { base_url, dpia, author })
    }
}

/// Gives the workspace a (still empty) supplement document for every participant the
/// coordination document lists, so their supplements can be pulled. True if it added one.
pub(crate) fn ensure_participant_documents(ws: &mut Workspace) -> Result<bool, SyncError> {
    let Ok(coordination) = ws.view().coordination() else { return Ok(false) };
    let have = ws.view().supplement_codes();
    let missing: Vec<OrgCode> =
        coordination.participants.iter().filter_map(|p| p.code).filter(|c| !have.contains(c)).collect();
    let added = !missing.is_empty() && !ws.add_supplement_documents(&missing)?.is_empty();
    Ok(ensure_remark_documents(ws, None)? || added)
}

/// Gives the workspace the remarks documents of the høring it lacks: every participant's
/// and the coordinator's public ones, and — for `party` — the threads on the supplements it
/// reads. True if it added one.
pub fn ensure_remark_documents(ws: &mut Workspace, party: Option<Party>) -> Result<bool, SyncError> {
    let Ok(coordination) = ws.view().coordination() else { return Ok(false) };
    let codes: Vec<OrgCode> = coordination.participants.iter().filter_map(|p| p.code).collect();
    let mut keys = konsekvens_core::hearing::documents_for(&codes, Some(party.unwrap_or(Party::Org(OrgCode(0)))));
    if party.is_none() {
        keys.retain(|k| matches!(k, DocKey::Remarks(RemarkScope { private: None, .. })));
    }
    Ok(!ws.add_documents(&keys)?.is_empty())
}

pub(crate) fn reopen(ws: &mut Workspace) -> Result<(), SyncError> {
    let path = ws.path().to_owned();
    let env = ws.env().clone();
    *ws = Workspace::open(&path, env)?;
    Ok(())
}

/// `ws://h:p`, `ws://h:p/prefix`, `ws://h:p/dpia/aula` (http(s) is taken as ws(s)).
fn split_hub_url(hub: &str) -> Result<(String, Option<String>), SyncError> {
    let hub = hub.trim().trim_end_matches('/');
    let normalised = if let Some(rest) = hub.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if let Some(rest) = hub.strip_prefix("https://") {
        format!("wss://{rest}")
    } else {
        hub.to_owned()
    };
    if !(normalised.starts_with("ws://") || normalised.starts_with("wss://")) || normalised.contains('?') {
        return Err(SyncError::BadUrl(hub.to_owned()));
    }
    match normalised.rsplit_once("/dpia/") {
        Some((base, id)) if !id.is_empty() && !id.contains('/') => Ok((base.to_owned(), Some(id.to_owned()))),
        Some(_) => Err(SyncError::BadUrl(hub.to_owned())),
        None => Ok((normalised, None)),
    }
}

pub(crate) type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What the Rust clients read: messages and frames up to [`proto::CLIENT_MAX_MESSAGE_SIZE`]
/// (tungstenite's defaults, 64 MiB messages in 16 MiB frames, would refuse a hub's answer
/// sent as one larger frame).
pub(crate) fn client_ws_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(proto::CLIENT_MAX_MESSAGE_SIZE))
        .max_frame_size(Some(proto::CLIENT_MAX_MESSAGE_SIZE))
}

/// A WebSocket error as a [`SyncError`]: a message over our limit says so (the hub was
/// reachable); the rest is a lost connection.
pub(crate) fn ws_error(e: tokio_tungstenite::tungstenite::Error) -> SyncError {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
    match e {
        Error::Capacity(CapacityError::MessageTooLong { size, max_size }) => SyncError::TooLarge { size, max: max_size },
        e => SyncError::Connect { url: "hub".into(), reason: e.to_string() },
    }
}

/// Opens the socket of one document. `Ok(Err(reason))`: the hub does not serve it to us.
pub(crate) async fn connect_doc(base_url: &str, dpia: &str, key: DocKey, token: &str) -> Result<Result<Socket, String>, SyncError> {
    let url = format!("{base_url}/dpia/{dpia}/{}", key.name());
    let mut request = url.as_str().into_client_request().map_err(|_| SyncError::BadUrl(url.clone()))?;
    let bearer = format!("Bearer {token}").parse().map_err(|_| SyncError::Unauthorized("the token has characters a header cannot carry".into()))?;
    request.headers_mut().insert("authorization", bearer);
    // Boxed: with TLS (wss://) the handshake's future is large, and every caller's future
    // would carry it inline.
    match Box::pin(tokio_tungstenite::connect_async_with_config(request, Some(client_ws_config()), false)).await {
        Ok((socket, _)) => Ok(Ok(socket)),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            let status = resp.status();
            let body = resp.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            let reason = crate::live::printable(&if body.is_empty() { status.to_string() } else { body });
            if status.as_u16() == 401 && reason.starts_with(crate::codes::OIDC_EXPIRED) {
                Err(SyncError::SignInExpired(reason))
            } else if status.as_u16() == 401 {
                Err(SyncError::Unauthorized(reason))
            } else if status.as_u16() == 403 || status.as_u16() == 404 {
                Ok(Err(reason))
            } else {
                Err(SyncError::Connect { url, reason })
            }
        }
        Err(e) => Err(SyncError::Connect { url, reason: e.to_string() }),
    }
}

async fn sync_doc(
    ws: &mut Workspace,
    key: DocKey,
    base_url: &str,
    dpia: &str,
    token: &str,
    author: &Author,
    opts: &SyncOptions,
) -> Result<DocReport, SyncError> {
    match tokio::time::timeout(opts.timeout, sync_doc_inner(ws, key, base_url, dpia, token, author, opts.reset_refused)).await {
        Ok(r) => r,
        Err(_) => Err(SyncError::Timeout(opts.timeout)),
    }
}

async fn sync_doc_inner(
    ws: &mut Workspace,
    key: DocKey,
    base_url: &str,
    dpia: &str,
    token: &str,
    author: &Author,
    reset_refused: bool,
) -> Result<DocReport, SyncError> {
    let mut socket = match connect_doc(base_url, dpia, key, token).await? {
        Ok(s) => s,
        Err(reason) => return Ok(DocReport { key, outcome: DocOutcome::Unavailable { reason }, received: 0, sent_bytes: 0 }),
    };
    let mut received = 0;
    let mut refused: Option<String> = None;
    let local_sv = ws.doc(key)?.state_vector();
    send(&mut socket, proto::encode(&Message::Sync(SyncMessage::SyncStep1(decode_sv(&local_sv)?)))).await?;

    // Phase 1: the hub's state vector and its answer to ours.
    let mut hub_sv: Option<StateVector> = None;
    let mut answered = false;
    while hub_sv.is_none() || !answered {
        for msg in next_messages(&mut socket).await? {
            match msg {
                Message::Sync(SyncMessage::SyncStep1(sv)) => hub_sv = Some(sv),
                Message::Sync(SyncMessage::SyncStep2(data)) => {
                    received += apply(ws, key, &data, author)?;
                    answered = true;
                }
                Message::Sync(SyncMessage::Update(data)) => received += apply(ws, key, &data, author)?,
                Message::Auth(Some(reason)) => refused = Some(crate::live::printable(&reason)),
                _ => {}
            }
        }
    }
    // Phase 2: what the hub lacks, then the barrier.
    let hub_sv = hub_sv.expect("loop ends with it");
    let ours = ws.doc(key)?.encode_diff(&hub_sv.encode_v1()).map_err(|e| SyncError::Protocol(e.to_string()))?;
    let sent_bytes = ours.len();
    send(&mut socket, proto::sync_step2(ours.clone())).await?;
    let local_sv = ws.doc(key)?.state_vector();
    send(&mut socket, proto::encode(&Message::Sync(SyncMessage::SyncStep1(decode_sv(&local_sv)?)))).await?;
    let mut barrier = false;
    while !barrier {
        for msg in next_messages(&mut socket).await? {
            match msg {
                Message::Sync(SyncMessage::SyncStep2(data)) => {
                    received += apply(ws, key, &data, author)?;
                    barrier = true;
                }
                Message::Sync(SyncMessage::Update(data)) => received += apply(ws, key, &data, author)?,
                Message::Auth(Some(reason)) => refused = Some(crate::live::printable(&reason)),
                _ => {}
            }
        }
    }
    received += learn_authors(&mut socket, ws, key, author).await?;
    let mut reset = false;
    if refused.is_some() && reset_refused {
        // The hub's whole state, then a snapshot of it as the live document.
        send(&mut socket, proto::sync_step1(&StateVector::default())).await?;
        let full = loop {
            let mut got = None;
            for msg in next_messages(&mut socket).await? {
                if let Message::Sync(SyncMessage::SyncStep2(data)) = msg {
                    got = Some(data);
                }
            }
            if let Some(data) = got {
                break data;
            }
        };
        let _ = socket.close(None).await;
        reset_to(ws, key, &full)?;
        reset = true;
    } else {
        let _ = socket.close(None).await;
    }
    let outcome = match refused {
        Some(reason) => DocOutcome::Refused { reason, refused_update: ours, reset },
        None => DocOutcome::InSync,
    };
    Ok(DocReport { key, outcome, received, sent_bytes })
}

/// Asks the hub who wrote this document's changes and records the answer in the workspace,
/// so its history names the organisations (see [`crate::attribution`]). A SyncStep1 follows
/// the query as a barrier: a hub of an earlier version ignores the query, and its answer to
/// the barrier without an authors answer before it means "not supported" — no error.
/// Returns the updates that arrived meanwhile and changed the workspace.
async fn learn_authors(socket: &mut Socket, ws: &mut Workspace, key: DocKey, author: &Author) -> Result<usize, SyncError> {
    send(socket, proto::encode(&Message::Custom(attribution::AUTHORS_QUERY, Vec::new()))).await?;
    let local_sv = ws.doc(key)?.state_vector();
    send(socket, proto::encode(&Message::Sync(SyncMessage::SyncStep1(decode_sv(&local_sv)?)))).await?;
    let mut received = 0;
    loop {
        for msg in next_messages(socket).await? {
            match msg {
                Message::Custom(attribution::AUTHORS, json) => store_authors(ws, key, &json, &author.name)?,
                Message::Sync(SyncMessage::Update(data)) => received += apply(ws, key, &data, author)?,
                Message::Sync(SyncMessage::SyncStep2(data)) => return Ok(received + apply(ws, key, &data, author)?),
                _ => {}
            }
        }
    }
}

/// Records an [`attribution::AuthorsAnswer`] (JSON) for document `key`.
pub(crate) fn store_authors(ws: &mut Workspace, key: DocKey, json: &[u8], learned_from: &str) -> Result<(), SyncError> {
    let answer: attribution::AuthorsAnswer =
        serde_json::from_slice(json).map_err(|e| SyncError::Protocol(format!("hubbens svar om forfattere kan ikke læses: {e}")))?;
    // The hub is not trusted with the terminal: what it says is stored printable (and short),
    // so `konsekvens log` and the app never show its control or bidi characters.
    let text = |s: &str| crate::live::printable(&s.chars().take(200).collect::<String>());
    let known = |org: &str, name: &str, label: &str| KnownAuthor { org: text(org), name: text(name), label: text(label) };
    let clients: Vec<(u64, KnownAuthor)> = answer.clients.iter().map(|c| (c.client, known(&c.org, &c.name, &c.label))).collect();
    let deletions: Vec<(IdSpan, KnownAuthor)> = answer
        .deletions
        .iter()
        .map(|d| (IdSpan { client: d.client, start: d.clock, end: d.clock.saturating_add(d.len) }, known(&d.org, &d.name, &d.label)))
        .collect();
    ws.learn_authors(key, &clients, &deletions, learned_from)?;
    Ok(())
}

/// Makes `state` the live document (`Workspace::reset_document`: a snapshot covering the whole
/// log, a fresh CRDT client id so the refused clock range is never continued), then reopen.
/// The log keeps the refused updates as the audit trail.
pub(crate) fn reset_to(ws: &mut Workspace, key: DocKey, state: &[u8]) -> Result<(), SyncError> {
    proto::decode_update(state).map_err(SyncError::Protocol)?;
    ws.reset_document(key, state)?;
    reopen(ws)
}

pub(crate) fn decode_sv(bytes: &[u8]) -> Result<StateVector, SyncError> {
    konsekvens_core::doc::guard::check_state_vector_v1(bytes).map_err(|e| SyncError::Protocol(e.to_string()))?;
    StateVector::decode_v1(bytes).map_err(|e| SyncError::Protocol(e.to_string()))
}

/// Applies an update from the hub; 1 if it changed the workspace (deletions included).
pub(crate) fn apply(ws: &mut Workspace, key: DocKey, data: &[u8], author: &Author) -> Result<usize, SyncError> {
    let before = ws.doc(key)?.version();
    ws.apply_update(key, data, author)?;
    Ok(usize::from(ws.doc(key)?.version() != before))
}

async fn send(socket: &mut Socket, frame: Vec<u8>) -> Result<(), SyncError> {
    socket
        .send(WsMessage::Binary(frame.into()))
        .await
        .map_err(ws_error)
}

async fn next_messages(socket: &mut Socket) -> Result<Vec<Message>, SyncError> {
    loop {
        match socket.next().await {
            Some(Ok(WsMessage::Binary(b))) => return proto::decode_frame(&b).map_err(SyncError::Protocol),
            Some(Ok(WsMessage::Close(frame))) => {
                let why = frame.map(|f| crate::live::printable(&f.reason)).unwrap_or_default();
                return Err(SyncError::Connect { url: "hub".into(), reason: format!("hubben lukkede forbindelsen (the hub closed the connection) {why}") });
            }
            None => return Err(SyncError::Connect { url: "hub".into(), reason: "the hub closed the connection".into() }),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(ws_error(e)),
        }
    }
}

// ---- watch --------------------------------------------------------------------------------

/// What `konsekvens sync --watch` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Syncing,
    /// Local and hub state were equal at the end of the round.
    InSync { received: usize },
    /// Some documents were refused; their updates are kept in the report.
    Refused { docs: Vec<(DocKey, String)> },
    /// The hub cannot be reached; `pending` local updates wait for the next round.
    Offline { pending: usize, retry_in: Duration, error: String },
}

#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Pause between rounds while connected.
    pub interval: Duration,
    /// Backoff after a failure starts here and doubles up to `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    pub sync: SyncOptions,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            interval: Duration::from_secs(2),
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            sync: SyncOptions::default(),
        }
    }
}

/// Syncs in rounds until `shutdown` completes, catching up with the workspace file before
/// each round (another process — the app — may have edited it),
/// reconnecting with exponential backoff while the hub is unreachable. Returns on shutdown,
/// or with an error that no retry cures (bad token, bad URL, unreadable workspace).
pub async fn sync_watch(
    ws: &mut Workspace,
    hub: &str,
    token: &str,
    opts: WatchOptions,
    mut on_state: impl FnMut(&SyncState, Option<&SyncReport>),
    shutdown: impl Future<Output = ()>,
) -> Result<(), SyncError> {
    tokio::pin!(shutdown);
    let mut backoff = opts.min_backoff;
    let mut synced_seq: BTreeMap<DocKey, i64> = BTreeMap::new();
    loop {
        // Take in what another process (the app) wrote to the file since the last round.
        ws.catch_up()?;
        on_state(&SyncState::Syncing, None);
        let round = tokio::select! {
            r = sync_once_with(ws, hub, token, &opts.sync) => r,
            _ = &mut shutdown => return Ok(()),
        };
        let wait = match round {
            Ok(report) => {
                backoff = opts.min_backoff;
                for key in ws.keys().collect::<Vec<_>>() {
                    synced_seq.insert(key, ws.view().last_seq(key)?);
                }
                let refused: Vec<(DocKey, String)> = report.refused().map(|(k, r)| (k, r.to_owned())).collect();
                let state = if refused.is_empty() {
                    SyncState::InSync { received: report.received() }
                } else {
                    SyncState::Refused { docs: refused }
                };
                on_state(&state, Some(&report));
                opts.interval
            }
            Err(e) if e.is_transient() => {
                let mut pending = 0usize;
                for key in ws.keys().collect::<Vec<_>>() {
                    let last = ws.view().last_seq(key)?;
                    pending += (last - synced_seq.get(&key).copied().unwrap_or(0)).max(0) as usize;
                }
                on_state(&SyncState::Offline { pending, retry_in: backoff, error: e.to_string() }, None);
                let wait = backoff;
                backoff = (backoff * 2).min(opts.max_backoff);
                wait
            }
            Err(e) => return Err(e),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = &mut shutdown => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hubs_authors_are_stored_printable() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::create(&dir.path().join("w.konsekvens"), std::sync::Arc::new(konsekvens_core::SystemEnv)).unwrap();
        let json = br#"{"clients":[{"client":7,"org":"561","name":"Esbjerg\u001b[2J\u202eKL","label":"DPO\nfalsk linje"}],"deletions":[]}"#;
        store_authors(&mut ws, DocKey::Base, json, "ws://hub").unwrap();
        let a = ws.view().client_author(7).unwrap().unwrap();
        assert_eq!((a.name.as_str(), a.label.as_str()), ("Esbjerg\u{fffd}[2J\u{fffd}KL", "DPO falsk linje"));
        let err = store_authors(&mut ws, DocKey::Base, b"{not json", "ws://hub").unwrap_err().to_string();
        assert!(err.contains("hubbens svar om forfattere"), "{err}");
    }
}
