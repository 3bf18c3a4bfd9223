//! The live client: keeps one socket per document open, applies the others' updates to the
//! workspace as they arrive, pushes local changes as they are made, and relays presence
//! (who is in which section). When the hub cannot be reached it reports `Offline` with the
//! number of changes waiting and reconnects with exponential backoff; the workspace file is
//! the outbox, so nothing waits in memory.
//!
//! It owns a [`Workspace`] on the file like [`crate::sync_watch`] does: edits made by another
//! process (the app, on its own connection to the same file) are taken in with
//! [`Workspace::catch_up`] every `poll` interval, or at once after [`LiveHandle::changed`];
//! what the hub brings is written to the file and announced as [`LiveEvent::Received`]
//! (the app catches up, or applies the update bytes to its own documents).
//!
//! Per document: at connect we ask for the hub's whole state (SyncStep1 with an empty state
//! vector) and keep it as a *mirror* — what the hub is known to hold. A local change is what
//! the workspace has beyond the mirror; it goes out as an Update followed by SyncStep1 as a
//! barrier, and the barrier's answer brings the hub's verdict: with a permission-denied
//! message before it, the change was refused (the local document is reset to the mirror and
//! the refused update handed to the caller); without, the answer holds the change and the
//! mirror takes it. One change is in flight per document at a time; what is typed meanwhile
//! goes with the next.

use crate::client::{self, connect_doc, decode_sv, ensure_participant_documents, reset_to, Socket, SyncError, SyncOptions, Target};
use crate::attribution;
use crate::proto;
use futures_util::stream::{BoxStream, SelectAll, SplitSink};
use futures_util::{SinkExt, StreamExt};
use konsekvens_core::{DocKey, Workspace};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::any::Any;
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, Doc, ReadTxn, StateVector, Transact, Update};

/// Where we are, as the others see it: `{"user":{"name":…,"org":…},"section":…}` in the
/// y-protocols awareness state (the `user` field is what Yjs editors show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub name: String,
    /// The organisation's code, e.g. `101`.
    pub org: Option<String>,
    /// Which part of the DPIA the user is in, in the app's terms (e.g. `risks/R7`).
    pub section: Option<String>,
}

impl Presence {
    fn to_json(&self) -> String {
        let mut user = HashMap::from([("name".to_string(), Any::from(self.name.as_str()))]);
        if let Some(org) = &self.org {
            user.insert("org".into(), Any::from(org.as_str()));
        }
        let mut state = HashMap::from([("user".to_string(), Any::from(user))]);
        if let Some(section) = &self.section {
            state.insert("section".into(), Any::from(section.as_str()));
        }
        let mut json = String::new();
        Any::from(state).to_json(&mut json);
        json
    }
}

/// A string from another peer or the hub, made safe to print on a terminal or show in a
/// line of text: control characters (C0, DEL, C1) and the bidirectional overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069), which can rewrite or reorder what a terminal
/// shows, each become U+FFFD; a line break becomes a space.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Another participant's presence on one document. The text fields are [`printable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The peer's awareness client id.
    pub client_id: u64,
    /// The name the peer gives itself — or, when `verified`, the name its OpenID provider
    /// vouched for (written by the hub from the peer's ID token).
    pub name: Option<String>,
    /// Signed in: the hub wrote `name` from the verified ID token.
    pub verified: bool,
    /// The organisation's code — written by the hub from the peer's token, not by the peer.
    pub org: Option<String>,
    /// The organisation's registered name (written by the hub, like `org`).
    pub org_name: Option<String>,
    pub section: Option<String>,
    /// The whole awareness state as JSON (a Yjs editor may add a colour, a cursor, …).
    pub state: String,
}

impl Peer {
    fn parse(client_id: u64, json: &str) -> Peer {
        let any = Any::from_json(json).unwrap_or(Any::Null);
        let field = |map: &Any, key: &str| match map {
            Any::Map(m) => m.get(key).cloned(),
            _ => None,
        };
        let text = |v: Option<Any>| match v {
            Some(Any::String(s)) => Some(printable(&s)),
            Some(Any::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let user = field(&any, "user").unwrap_or(Any::Null);
        Peer {
            client_id,
            name: text(field(&user, "name")),
            org: text(field(&user, "org")),
            org_name: text(field(&user, "orgName")),
            verified: matches!(field(&user, "verified"), Some(Any::Bool(true))),
            section: text(field(&any, "section")),
            state: json.to_owned(),
        }
    }
}

/// The connection as a status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveState {
    /// Opening the documents' sockets and exchanging states.
    Connecting,
    /// Every document is in step with the hub; changes flow both ways as they are made.
    Live,
    /// The hub cannot be reached: `pending` local changes wait in the file; next try after
    /// `retry_in`.
    Offline { pending: usize, retry_in: Duration, error: String },
}

/// What a live session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    State(LiveState),
    /// Others' changes were applied to the workspace and logged (a Yrs v1 update).
    Received { key: DocKey, update: Vec<u8> },
    /// The hub refused our change to `key`: not applied, not forwarded. The local document
    /// was reset to the hub's state (reopen or catch up); the change stays in the log and
    /// here (a Yrs v1 update), so the user's text is not lost.
    Refused { key: DocKey, reason: String, refused_update: Vec<u8> },
    /// The hub does not serve this document to us (HTTP 403/404 at the handshake).
    Unavailable { key: DocKey, reason: String },
    /// Who else is on `key` now (everybody's presence but ours).
    Presence { key: DocKey, peers: Vec<Peer> },
}

#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// DPIA id, author of what comes from the hub, and the time allowed to connect and
    /// exchange states. (`reset_refused` does not apply: a live session always resets a
    /// refused document, or it would offer the same change again and again.)
    pub sync: SyncOptions,
    /// How often the file is checked for edits another process made.
    pub poll: Duration,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Presence is re-announced this often (y-protocols drops a peer silent for 30 s), and
    /// the connection is pinged: a hub silent for three of these is taken as gone.
    pub keepalive: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            sync: SyncOptions::default(),
            poll: Duration::from_millis(250),
            min_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            keepalive: Duration::from_secs(15),
        }
    }
}

enum Command {
    Presence(Option<Presence>),
    Changed,
}

/// Steers a running [`sync_live`] from anywhere (clone it freely).
#[derive(Debug, Clone)]
pub struct LiveHandle {
    commands: mpsc::UnboundedSender<Command>,
}

impl LiveHandle {
    /// Announces where we are (or, with `None`, that we are not here).
    pub fn set_presence(&self, presence: Option<Presence>) {
        let _ = self.commands.send(Command::Presence(presence));
    }

    /// Local edits were just written to the file: push them now instead of at the next poll.
    pub fn changed(&self) {
        let _ = self.commands.send(Command::Changed);
    }
}

/// The receiving end of a [`LiveHandle`], given to [`sync_live`].
pub struct LiveControl {
    commands: mpsc::UnboundedReceiver<Command>,
}

/// A handle and the control it steers.
pub fn live_control() -> (LiveHandle, LiveControl) {
    let (commands, rx) = mpsc::unbounded_channel();
    (LiveHandle { commands }, LiveControl { commands: rx })
}

/// Syncs `ws` with the hub live until `shutdown` completes. Returns then, or with an error
/// no retry cures (a refused token, a bad URL, an unreadable workspace).
pub async fn sync_live(
    ws: &mut Workspace,
    hub: &str,
    token: &str,
    opts: LiveOptions,
    mut control: LiveControl,
    mut on_event: impl FnMut(LiveEvent),
    shutdown: impl Future<Output = ()>,
) -> Result<(), SyncError> {
    tokio::pin!(shutdown);
    let mut me = Me { presence: None, awareness_id: awareness_id(), clock: 0 };
    let mut acked: BTreeMap<DocKey, i64> = BTreeMap::new();
    let mut backoff = opts.min_backoff;
    loop {
        ws.catch_up()?;
        on_event(LiveEvent::State(LiveState::Connecting));
        let ended = Session::run(ws, hub, token, &opts, &mut control, &mut me, &mut acked, &mut on_event, &mut shutdown).await;
        let error = match ended {
            Ok(Ended::Shutdown) => return Ok(()),
            Ok(Ended::Resync) => {
                backoff = opts.min_backoff;
                continue;
            }
            Ok(Ended::Lost(e)) => {
                // It was live: the backoff starts over.
                backoff = opts.min_backoff;
                e
            }
            Err(e) if e.is_transient() => e,
            Err(e) => return Err(e),
        };
        let pending = pending_changes(ws, &acked)?;
        on_event(LiveEvent::State(LiveState::Offline { pending, retry_in: backoff, error: error.to_string() }));
        let wait = backoff;
        backoff = (backoff * 2).min(opts.max_backoff);
        let deadline = Instant::now() + wait;
        // Presence changes made while offline are kept for the next connection.
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = &mut shutdown => return Ok(()),
                cmd = control.commands.recv() => match cmd {
                    Some(Command::Presence(p)) => me.presence = p,
                    Some(Command::Changed) => {}
                    None => tokio::time::sleep_until(deadline).await,
                },
            }
        }
    }
}

/// Log rows written since each document was last known to be in step with the hub.
fn pending_changes(ws: &Workspace, acked: &BTreeMap<DocKey, i64>) -> Result<usize, SyncError> {
    let mut pending = 0usize;
    for key in ws.keys().collect::<Vec<_>>() {
        let last = ws.view().last_seq(key)?;
        pending += (last - acked.get(&key).copied().unwrap_or(0)).max(0) as usize;
    }
    Ok(pending)
}

fn awareness_id() -> u64 {
    konsekvens_core::doc::client_id_from(rand::random::<u64>())
}

/// Our presence and its y-protocols clock (which only grows).
struct Me {
    presence: Option<Presence>,
    awareness_id: u64,
    clock: u32,
}

impl Me {
    fn frame(&mut self) -> Vec<u8> {
        self.clock += 1;
        let json = self.presence.as_ref().map_or_else(|| "null".to_string(), Presence::to_json);
        let entry = AwarenessUpdateEntry { clock: self.clock, json: json.into() };
        proto::encode(&Message::Awareness(AwarenessUpdate { clients: HashMap::from([(ClientID::new(self.awareness_id), entry)]) }))
    }
}

enum Ended {
    Shutdown,
    /// The participants changed: connect again with the new documents.
    Resync,
    /// A live connection broke.
    Lost(SyncError),
}

type Sink = SplitSink<Socket, WsMessage>;

/// One document's socket and what we know of the hub's copy.
struct Link {
    sink: Sink,
    /// What the hub is known to hold.
    mirror: Doc,
    /// The hub's whole state has arrived.
    synced: bool,
    /// Our update waiting for the barrier's answer.
    in_flight: Option<Vec<u8>>,
    refused: Option<String>,
    /// Log position last compared with the mirror.
    checked: i64,
    peers: HashMap<u64, (u32, String)>,
    /// Others' changes arrived since we last asked the hub who wrote the document's changes.
    authors_stale: bool,
}

struct Session<'a, F: FnMut(LiveEvent)> {
    ws: &'a mut Workspace,
    target: Target,
    links: BTreeMap<DocKey, Link>,
    acked: &'a mut BTreeMap<DocKey, i64>,
    on_event: &'a mut F,
    live: bool,
    /// Documents the hub would not serve us at connect (not connected again until a resync).
    unavailable: BTreeSet<DocKey>,
}

impl<'a, F: FnMut(LiveEvent)> Session<'a, F> {
    #[allow(clippy::too_many_arguments)]
    async fn run(
        ws: &'a mut Workspace,
        hub: &str,
        token: &str,
        opts: &LiveOptions,
        control: &mut LiveControl,
        me: &mut Me,
        acked: &'a mut BTreeMap<DocKey, i64>,
        on_event: &'a mut F,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Ended, SyncError> {
        let target = Target::resolve(ws, hub, &opts.sync)?;
        ensure_participant_documents(ws)?;
        if let Some(party) = opts.sync.party {
            client::ensure_remark_documents(ws, Some(party))?;
        }
        let keys: Vec<DocKey> = ws.keys().collect();
        let connecting = futures_util::future::join_all(keys.iter().map(|&key| connect_doc(&target.base_url, &target.dpia, key, token)));
        let sockets = tokio::time::timeout(opts.sync.timeout, connecting).await.map_err(|_| SyncError::Timeout(opts.sync.timeout))?;
        let mut session = Session { ws, target, links: BTreeMap::new(), acked, on_event, live: false, unavailable: BTreeSet::new() };
        let mut incoming: SelectAll<BoxStream<'static, (DocKey, Option<Frame>)>> = SelectAll::new();
        for (key, socket) in keys.into_iter().zip(sockets) {
            let socket = match socket? {
                Ok(s) => s,
                Err(reason) => {
                    (session.on_event)(LiveEvent::Unavailable { key, reason });
                    session.unavailable.insert(key);
                    continue;
                }
            };
            let (mut sink, stream) = socket.split();
            // The hub's whole state first: it becomes the mirror.
            sink.send(WsMessage::Binary(proto::sync_step1(&StateVector::default()).into())).await.map_err(lost)?;
            incoming.push(stream.map(move |m| (key, Some(m))).chain(futures_util::stream::once(async move { (key, None) })).boxed());
            let link = Link { sink, mirror: Doc::new(), synced: false, in_flight: None, refused: None, checked: 0, peers: HashMap::new(), authors_stale: false };
            session.links.insert(key, link);
        }
        if session.links.is_empty() {
            return Err(SyncError::Connect { url: session.target.base_url.clone(), reason: "the hub serves none of the documents".into() });
        }
        if me.presence.is_some() {
            session.announce(me).await?;
        }
        let deadline = Instant::now() + opts.sync.timeout;
        let mut poll = tokio::time::interval(opts.poll);
        let mut keepalive = tokio::time::interval_at(Instant::now() + opts.keepalive, opts.keepalive);
        let mut last_heard = Instant::now();
        let mut control_open = true;
        loop {
            tokio::select! {
                next = incoming.next() => {
                    let Some((key, frame)) = next else { return Ok(Ended::Lost(session.gone("every socket closed"))) };
                    last_heard = Instant::now();
                    match frame {
                        Some(Ok(WsMessage::Binary(b))) => {
                            let messages = proto::decode_frame(&b).map_err(SyncError::Protocol)?;
                            for m in messages {
                                if let Some(ended) = session.handle(key, m).await? {
                                    return Ok(ended);
                                }
                            }
                        }
                        Some(Ok(WsMessage::Close(Some(frame)))) if u16::from(frame.code) == crate::codes::CLOSE_SIGN_IN_EXPIRED => {
                            return Err(SyncError::SignInExpired(printable(&frame.reason)));
                        }
                        Some(Ok(WsMessage::Close(frame))) => {
                            let why = frame.map(|f| printable(&f.reason)).unwrap_or_default();
                            return Ok(Ended::Lost(session.gone(&format!("hubben lukkede {key} (the hub closed {key}): {why}"))));
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => match client::ws_error(e) {
                            too_large @ SyncError::TooLarge { .. } => return Err(too_large),
                            SyncError::Connect { reason, .. } => return Ok(Ended::Lost(session.gone(&reason))),
                            other => return Ok(Ended::Lost(session.gone(&other.to_string()))),
                        },
                        None => return Ok(Ended::Lost(session.gone(&format!("the connection of {key} ended")))),
                    }
                }
                cmd = control.commands.recv(), if control_open => match cmd {
                    Some(Command::Presence(p)) => {
                        me.presence = p;
                        session.announce(me).await?;
                    }
                    Some(Command::Changed) => {
                        if session.push_local().await? {
                            return Ok(Ended::Resync);
                        }
                    }
                    None => control_open = false,
                },
                _ = poll.tick() => {
                    if !session.live && Instant::now() > deadline {
                        return Err(SyncError::Timeout(opts.sync.timeout));
                    }
                    if session.push_local().await? {
                        return Ok(Ended::Resync);
                    }
                }
                _ = keepalive.tick() => {
                    if last_heard.elapsed() > 3 * opts.keepalive {
                        return Ok(Ended::Lost(SyncError::Timeout(3 * opts.keepalive)));
                    }
                    if me.presence.is_some() {
                        session.announce(me).await?;
                    }
                    for link in session.links.values_mut() {
                        link.sink.send(WsMessage::Ping(Default::default())).await.map_err(lost)?;
                    }
                    // Who wrote what arrived: asked at most once per keepalive, since the hub
                    // replays the document's log to answer.
                    let stale: Vec<DocKey> = session.links.iter().filter(|(_, l)| l.authors_stale).map(|(k, _)| *k).collect();
                    for key in stale {
                        session.ask_authors(key).await?;
                    }
                }
                _ = shutdown.as_mut() => {
                    if me.presence.take().is_some() {
                        let _ = session.announce(me).await;
                    }
                    for link in session.links.values_mut() {
                        let _ = link.sink.close().await;
                    }
                    return Ok(Ended::Shutdown);
                }
            }
        }
    }

    fn gone(&self, why: &str) -> SyncError {
        SyncError::Connect { url: self.target.base_url.clone(), reason: why.to_owned() }
    }

    /// Presence goes out on the base (every participant has it open).
    async fn announce(&mut self, me: &mut Me) -> Result<(), SyncError> {
        let frame = me.frame();
        if let Some(link) = self.links.get_mut(&DocKey::Base) {
            link.sink.send(WsMessage::Binary(frame.into())).await.map_err(lost)?;
        }
        Ok(())
    }

    async fn handle(&mut self, key: DocKey, message: Message) -> Result<Option<Ended>, SyncError> {
        match message {
            Message::Sync(SyncMessage::SyncStep2(data)) => {
                let link = self.links.get_mut(&key).expect("messages come from links");
                apply_to(&link.mirror, &data)?;
                if !link.synced {
                    // The hub's whole state: take what we lack from it.
                    link.synced = true;
                    let local_sv = decode_sv(&self.ws.doc(key)?.state_vector())?;
                    let missing = link.mirror.transact().encode_state_as_update_v1(&local_sv);
                    if self.receive(key, &missing)? {
                        return Ok(Some(Ended::Resync));
                    }
                    self.ask_authors(key).await?;
                    if !self.live && self.links.values().all(|l| l.synced) {
                        self.live = true;
                        (self.on_event)(LiveEvent::State(LiveState::Live));
                    }
                } else {
                    // The barrier's answer: the hub has decided on our update.
                    let ours = link.in_flight.take();
                    let refused = link.refused.take();
                    if self.receive(key, &data)? {
                        return Ok(Some(Ended::Resync));
                    }
                    if let (Some(ours), Some(reason)) = (ours, refused) {
                        self.reset(key)?;
                        (self.on_event)(LiveEvent::Refused { key, reason, refused_update: ours });
                    }
                }
                self.push(key).await?;
            }
            Message::Sync(SyncMessage::Update(data)) => {
                apply_to(&self.links[&key].mirror, &data)?;
                if self.receive(key, &data)? {
                    return Ok(Some(Ended::Resync));
                }
            }
            Message::Auth(Some(reason)) => {
                if let Some(link) = self.links.get_mut(&key) {
                    link.refused = Some(printable(&reason));
                }
            }
            Message::Awareness(update) => self.presence(key, update),
            Message::Custom(attribution::AUTHORS, json) => client::store_authors(self.ws, key, &json, &self.target.author.name)?,
            _ => {}
        }
        Ok(None)
    }

    /// Applies what the hub sent to the workspace; true if the participants changed (their
    /// supplements must be connected).
    fn receive(&mut self, key: DocKey, data: &[u8]) -> Result<bool, SyncError> {
        if client::apply(self.ws, key, data, &self.target.author)? == 0 {
            return Ok(false);
        }
        if let Some(link) = self.links.get_mut(&key) {
            link.authors_stale = true;
        }
        (self.on_event)(LiveEvent::Received { key, update: data.to_vec() });
        Ok(key == DocKey::Coordination && ensure_participant_documents(self.ws)?)
    }

    /// Asks the hub who wrote the document's changes; the answer is stored when it arrives
    /// (see [`crate::attribution`]; a hub of an earlier version does not answer).
    async fn ask_authors(&mut self, key: DocKey) -> Result<(), SyncError> {
        let link = self.links.get_mut(&key).expect("a linked document");
        link.authors_stale = false;
        let query = proto::encode(&Message::Custom(attribution::AUTHORS_QUERY, Vec::new()));
        link.sink.send(WsMessage::Binary(query.into())).await.map_err(lost)
    }

    /// After a refusal: the local document becomes the hub's (the mirror); the refused
    /// change stays in the log.
    fn reset(&mut self, key: DocKey) -> Result<(), SyncError> {
        let state = self.links[&key].mirror.transact().encode_state_as_update_v1(&StateVector::default());
        reset_to(self.ws, key, &state)?;
        for (key, link) in self.links.iter_mut() {
            link.checked = self.ws.view().last_seq(*key)?;
        }
        Ok(())
    }

    /// Takes in what another process wrote and sends each document's news; true when the
    /// file gained a document not connected yet (the app's first comment on its supplement
    /// made a remarks document): connect again to sync it too.
    async fn push_local(&mut self) -> Result<bool, SyncError> {
        self.ws.catch_up()?;
        if self.ws.keys().any(|k| !self.links.contains_key(&k) && !self.unavailable.contains(&k)) {
            return Ok(true);
        }
        let keys: Vec<DocKey> = self.links.keys().copied().collect();
        for key in keys {
            let last = self.ws.view().last_seq(key)?;
            if last != self.links[&key].checked {
                self.push(key).await?;
            }
        }
        Ok(false)
    }

    /// Sends what the workspace has beyond the mirror, then the barrier; or, with nothing
    /// to send, notes the document as in step.
    async fn push(&mut self, key: DocKey) -> Result<(), SyncError> {
        let last = self.ws.view().last_seq(key)?;
        let link = self.links.get_mut(&key).expect("a linked document");
        if !link.synced || link.in_flight.is_some() {
            return Ok(());
        }
        link.checked = last;
        let mirror_sv = link.mirror.transact().state_vector();
        let ours = self.ws.doc(key)?.encode_diff(&mirror_sv.encode_v1()).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let update = Update::decode_v1(&ours).map_err(|e| SyncError::Protocol(e.to_string()))?;
        if proto::novelty(&link.mirror, &update).is_empty() {
            self.acked.insert(key, last);
            return Ok(());
        }
        link.sink.feed(WsMessage::Binary(proto::update(ours.clone()).into())).await.map_err(lost)?;
        link.sink.send(WsMessage::Binary(proto::sync_step1(&mirror_sv).into())).await.map_err(lost)?;
        link.in_flight = Some(ours);
        Ok(())
    }

    fn presence(&mut self, key: DocKey, update: AwarenessUpdate) {
        let Some(link) = self.links.get_mut(&key) else { return };
        for (client, entry) in update.clients {
            let id = client.get();
            if &*entry.json == "null" {
                link.peers.remove(&id);
            } else if link.peers.get(&id).is_none_or(|(clock, _)| entry.clock >= *clock) {
                link.peers.insert(id, (entry.clock, entry.json.to_string()));
            }
        }
        let mut peers: Vec<Peer> = link.peers.iter().map(|(id, (_, json))| Peer::parse(*id, json)).collect();
        peers.sort_by_key(|p| p.client_id);
        (self.on_event)(LiveEvent::Presence { key, peers });
    }
}

type Frame = Result<WsMessage, tokio_tungstenite::tungstenite::Error>;

fn lost(e: tokio_tungstenite::tungstenite::Error) -> SyncError {
    client::ws_error(e)
}

fn apply_to(mirror: &Doc, data: &[u8]) -> Result<(), SyncError> {
    let update = proto::decode_update(data).map_err(SyncError::Protocol)?;
    mirror.transact_mut().apply_update(update).map_err(|e| SyncError::Protocol(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_round_trips_through_awareness_json() {
        let me = Presence { name: "Dorte, DPO".into(), org: Some("101".into()), section: Some("risks/R7".into()) };
        let peer = Peer::parse(7, &me.to_json());
        assert_eq!((peer.name.as_deref(), peer.org.as_deref(), peer.section.as_deref()), (Some("Dorte, DPO"), Some("101"), Some("risks/R7")));
        // What a Yjs editor announces: a user with a colour, no section.
        let yjs = Peer::parse(8, r##"{"user":{"name":"Yjs-klient","color":"#ff0000"}}"##);
        assert_eq!((yjs.name.as_deref(), yjs.section), (Some("Yjs-klient"), None));
        assert_eq!(Peer::parse(9, "not json").name, None);
        // What the hub stamps, and what a hostile peer may put in its name.
        let stamped = Peer::parse(10, r#"{"user":{"name":"Eve\u001b[2J\u202eLPD","org":"561","orgName":"Esbjerg"}}"#);
        assert_eq!(stamped.org_name.as_deref(), Some("Esbjerg"));
        assert_eq!(stamped.name.as_deref(), Some("Eve\u{fffd}[2J\u{fffd}LPD"));
    }

    #[test]
    fn printable_neutralises_every_control_and_bidi_character() {
        for c in (0u32..0x20).chain(0x7f..0xa0).chain(0x202a..0x202f).chain(0x2066..0x206a) {
            let c = char::from_u32(c).unwrap();
            let out = printable(&format!("a{c}b"));
            assert!(out == "a\u{fffd}b" || out == "a b", "{:?} → {out:?}", c);
        }
        assert_eq!(printable("København, Æble ø å — «DPO»"), "København, Æble ø å — «DPO»");
    }
}
