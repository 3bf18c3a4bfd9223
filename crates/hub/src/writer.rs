//! The hub's writer: one thread that decides on, applies, logs and forwards every incoming
//! update, committing the updates that arrive together in one SQLite transaction, and a
//! syncer thread that makes them durable and answers their writers (group commit: one
//! fsync for every batch committed meanwhile, not one per update).
//!
//! Per update, on the raw bytes first: not larger than the update limit → the token is
//! still live and may write this document (if not: refused without decoding, unless it is a
//! delete set only that deletes nothing new — ignored, readers send these) → then decoded:
//! compare with the document (a no-op is ignored) → no hole (blocks starting beyond the
//! document's clock) → the update's new CRDT client ids are not bound to another
//! organisation (unless they are returned after a crash, below) → the document stays below
//! its size limit → apply (refused if it leaves blocks waiting for predecessors, or creates
//! a root type the document kind does not model) → log.
//! After the commit: forward to the document's other connections; after the fsync: answer
//! the writer's connection. A refused write is not applied, not logged as an update, not
//! forwarded; it is recorded in `refusals` (in the same transaction) and answered with its
//! reason.
//!
//! **Durability.** The commit is `write()`s into the WAL without an fsync: a killed hub
//! process loses nothing it committed, so nothing it forwarded. The fsync comes after the
//! forward, on the syncer thread, and every answer waits for it (`Synchronous::Full`): the
//! answer is the acknowledgement (the Rust clients' barrier), so nothing acknowledged is
//! lost even on power loss. What a power loss (or a kernel crash) can lose is a change
//! forwarded but not yet fsynced: it lives on only in the peers' copies, and they send it
//! back when they reconnect. So that the hub can take it back **attributed to its author**:
//! - a client id is bound to its organisation on disk before any of its blocks is
//!   forwarded, and each client id has a *lease*, a clock the hub has forwarded nothing at
//!   or above; a batch that binds an id or raises a lease (by [`LEASE_AHEAD`], so rarely) is
//!   fsynced before it is forwarded;
//! - after a run that did not stop cleanly (`durable::start`), for a while, blocks of a
//!   client id bound to another organisation are accepted from a peer if they lie below the
//!   id's lease — the hub may have forwarded and lost them; the insertions stay attributed
//!   to the bound organisation (attribution is by client id). Beyond the lease they are
//!   refused as always.
//!
//! Why threads: an fsync takes milliseconds. Done on the async runtime's workers it stalls
//! every connection's fan-out behind it (measured: p99 fan-out 190 ms at 490 clients), and
//! done before the forward it put a disk write into every delivery's latency. The rooms an
//! in-flight batch touches stay locked until its commit, so no peer is ever sent state that
//! is not committed. WAL checkpoints (which fsync the database file) run on a thread of
//! their own.

use crate::codes::*;
use crate::durable::WalFile;
use crate::metrics::HubMetrics;
use crate::oplog::{self, Level};
use crate::proto::{self, Novelty};
use konsekvens_core::doc::remarks::{Records, RoundBound};
use konsekvens_core::doc::{modelled_roots, Party, RemarkScope};
use konsekvens_core::DocKey;
use crate::rights::DpiaInfo;
use crate::server::{DocState, HubError, Outgoing, Room, Session};
use crate::store::{Batch, HubStore, Queries, StoreError, Synchronous};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use yrs::{ClientID, ReadTxn, StateVector, Transact};

/// At most this many jobs share one transaction.
const MAX_BATCH: usize = 256;

/// How often the checkpoint thread copies the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// How far a client id's forwarding lease runs ahead of what it has written, in CRDT clocks
/// (one per character typed): raising a lease costs an fsync before the forward, and the
/// lease bounds what a peer may send back under another organisation's id after a crash.
pub(crate) const LEASE_AHEAD: u32 = 4096;

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WriteOutcome {
    /// Nothing the document lacks: ignored (readers send these too).
    NoOp,
    /// Logged (committed) and forwarded.
    Applied,
    /// Not applied, not logged, not forwarded; recorded with this reason.
    Refused(String),
}

enum Job {
    /// `received`: when the connection read it (the fan-out latency starts there).
    Write { session: Arc<Session>, room: Arc<Room>, data: Vec<u8>, received: Instant, reply: oneshot::Sender<Result<WriteOutcome, String>> },
    /// A refusal decided by the connection (a malformed frame, an oversized message):
    /// recorded before the connection is closed.
    Refusal { session: Arc<Session>, reason: String, size: usize, reply: oneshot::Sender<()> },
    /// A refusal at the handshake, before anybody is known (a wrong token): recorded
    /// without an organisation or token.
    Anonymous { dpia: String, doc: String, reason: String },
    Stop,
}

/// An answer the syncer sends once the batch it belongs to is on disk.
enum Reply {
    Write(oneshot::Sender<Result<WriteOutcome, String>>, WriteOutcome),
    Recorded(oneshot::Sender<()>),
}

impl Reply {
    fn send(self, synced: &Result<(), String>) {
        match self {
            Reply::Write(reply, outcome) => drop(reply.send(synced.clone().map(|()| outcome))),
            Reply::Recorded(reply) => drop(reply.send(())),
        }
    }
}

/// The connections' side of the writer.
pub(crate) struct WriterHandle {
    jobs: mpsc::Sender<Job>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    stop_checkpoints: mpsc::Sender<()>,
}

impl WriterHandle {
    /// Starts the writer, and the thread that checkpoints the WAL for it, each on its own
    /// connection to the hub database.
    #[allow(clippy::too_many_arguments)] // each is one setting of `ServeConfig`; a struct for them would be a second ServeConfig
    pub(crate) fn spawn(
        data_dir: &Path,
        synchronous: Synchronous,
        compact_after: usize,
        limits: WriteLimits,
        wal_limit: u64,
        recovering: bool,
        verbose: bool,
        metrics: Arc<HubMetrics>,
        clock: Arc<dyn konsekvens_core::Env>,
    ) -> Result<WriterHandle, HubError> {
        let store = HubStore::open(data_dir)?;
        // Commits are write()s only; the fsync is ours (`durable`), after the forward.
        store.set_synchronous(Synchronous::Normal)?;
        store.leave_checkpoints_to_others()?;
        let (jobs, rx) = mpsc::channel();
        let (to_syncer, synced) = mpsc::channel::<Vec<Reply>>();
        let mut syncer_wal = WalFile::new(store.path());
        let writer = Writer { wal: WalFile::new(store.path()), store, compact_after, limits, synchronous, recovering, syncer: to_syncer, verbose, metrics: metrics.clone(), clock };
        let writer = std::thread::Builder::new().name("hub-writer".into()).spawn(move || writer.run(rx))?;
        let syncer = std::thread::Builder::new().name("hub-syncer".into()).spawn(move || {
            // Group commit: one fsync covers every batch committed before it.
            while let Ok(first) = synced.recv() {
                let mut replies = first;
                while let Ok(more) = synced.try_recv() {
                    replies.extend(more);
                }
                let result = syncer_wal.sync().map_err(|e| format!("fsync of the write-ahead log failed: {e}"));
                if let Err(e) = &result {
                    oplog::line(Level::Warn, format_args!("{e}"));
                }
                for reply in replies {
                    reply.send(&result);
                }
            }
        })?;
        let checkpoints = HubStore::open(data_dir)?;
        let (stop_checkpoints, stop) = mpsc::channel::<()>();
        let checkpointer = std::thread::Builder::new().name("hub-checkpoint".into()).spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
                // Passive checkpoints never wait for the writer, but under a steady stream
                // of commits the WAL is never restarted and only grows (hundreds of MB after
                // 50 000 small updates): past `wal_limit` a TRUNCATE checkpoint waits for the
                // writer's current batch, copies the (small) rest and empties the file.
                let result = if checkpoints.wal_size() > wal_limit {
                    checkpoints.checkpoint()
                } else {
                    checkpoints.checkpoint_passive()
                };
                metrics.checkpointed(result.is_ok());
                if let Err(e) = result {
                    oplog::line(Level::Warn, format_args!("checkpoint failed (retried in a second): {e}"));
                }
            }
        })?;
        Ok(WriterHandle { jobs, threads: Mutex::new(vec![writer, syncer, checkpointer]), stop_checkpoints })
    }

    /// Decides on one update; returns once it is forwarded and on disk (or refused), or, with
    /// `Synchronous::Normal`, committed.
    pub(crate) async fn write(&self, session: &Arc<Session>, room: &Arc<Room>, data: Vec<u8>) -> Result<WriteOutcome, HubError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Write { session: session.clone(), room: room.clone(), data, received: Instant::now(), reply })
            .map_err(|_| HubError::Writer("it has stopped".into()))?;
        answer.await.map_err(|_| HubError::Writer("it stopped before answering".into()))?.map_err(HubError::Writer)
    }

    /// Records a refusal the connection decided on; returns once it is committed.
    pub(crate) async fn record_refusal(&self, session: &Arc<Session>, reason: String, size: usize) {
        let (reply, done) = oneshot::channel();
        if self.jobs.send(Job::Refusal { session: session.clone(), reason, size, reply }).is_ok() {
            let _ = done.await;
        }
    }

    /// Records a refused handshake (no organisation or token); does not wait.
    pub(crate) fn record_anonymous(&self, dpia: String, doc: String, reason: String) {
        let _ = self.jobs.send(Job::Anonymous { dpia, doc, reason });
    }

    /// Finishes the queued jobs and stops the threads (call when no connection is left).
    pub(crate) fn stop(&self) {
        let _ = self.jobs.send(Job::Stop);
        let _ = self.stop_checkpoints.send(());
        for thread in self.threads.lock().expect("writer threads lock").drain(..) {
            let _ = thread.join();
        }
    }
}

struct Writer {
    store: HubStore,
    compact_after: usize,
    limits: WriteLimits,
    /// Whether answers wait for the fsync (`Full`) or only for the commit.
    synchronous: Synchronous,
    /// For the fsync before forwarding a batch that binds a client id or raises a lease.
    wal: WalFile,
    /// A recovery window is open: see «Durability» above.
    recovering: bool,
    syncer: mpsc::Sender<Vec<Reply>>,
    verbose: bool,
    metrics: Arc<HubMetrics>,
    /// Decides hearing rounds' deadlines (`ServeConfig::clock`).
    clock: Arc<dyn konsekvens_core::Env>,
}

/// How the writer decided on one job, before the commit.
enum Decided {
    NoOp,
    Refused(String),
    /// Logged at this position; forwarded after the commit.
    Logged(i64),
    Recorded,
}

impl Writer {
    fn log(&self, args: std::fmt::Arguments<'_>) {
        if self.verbose {
            oplog::line(Level::Info, args);
        }
    }

    fn run(mut self, jobs: mpsc::Receiver<Job>) {
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let stop = batch.iter().position(|j| matches!(j, Job::Stop));
            if let Some(at) = stop {
                batch.truncate(at);
            }
            self.process(batch);
            if stop.is_some() {
                return;
            }
        }
    }

    fn process(&mut self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        // Every room the batch touches, locked until the commit (only this thread ever
        // holds more than one room lock, so the order cannot deadlock).
        let mut rooms: Vec<Arc<Room>> = Vec::new();
        let room_of: Vec<Option<usize>> = jobs
            .iter()
            .map(|job| match job {
                Job::Write { room, .. } => Some(rooms.iter().position(|r| Arc::ptr_eq(r, room)).unwrap_or_else(|| {
                    rooms.push(room.clone());
                    rooms.len() - 1
                })),
                _ => None,
            })
            .collect();
        let mut states: Vec<_> = rooms.iter().map(|r| r.state.blocking_lock()).collect();

        let (decided, leased) = match self.decide_all(&jobs, &room_of, &rooms, &mut states) {
            Ok(decided) => decided,
            Err(e) => {
                self.log(format_args!("a batch of {} write(s) failed: {e}", jobs.len()));
                self.reload_all(&rooms, &mut states);
                fail(jobs, &e.to_string());
                return;
            }
        };
        // A batch that binds a client id or raises a lease is on disk before any of it is
        // forwarded (see «Durability»); the rest is forwarded now and fsynced after.
        let synced = leased && {
            if let Err(e) = self.wal.sync() {
                // Committed but not known to be on disk: forward nothing, answer an error
                // (the writers send it again; it is then a no-op or taken).
                self.log(format_args!("fsync of the write-ahead log failed: {e}"));
                fail(jobs, &format!("fsync of the write-ahead log failed: {e}"));
                return;
            }
            true
        };
        let mut replies = Vec::with_capacity(jobs.len());
        for ((job, decision), room) in jobs.into_iter().zip(decided).zip(room_of) {
            match (job, decision) {
                (Job::Write { session, data, received, reply, .. }, Decided::Logged(seq)) => {
                    let (room, state) = (&rooms[room.expect("a write has a room")], &mut states[room.expect("a write has a room")]);
                    state.last_seq = seq;
                    state.since_snapshot += 1;
                    state.tail_bytes += data.len();
                    let _ = room.tx.send(Outgoing { from: session.conn, frame: proto::update(data).into(), at: Some(received) });
                    self.metrics.update_accepted(&session.dpia);
                    replies.push(Reply::Write(reply, WriteOutcome::Applied));
                }
                (Job::Write { reply, .. }, Decided::NoOp) => replies.push(Reply::Write(reply, WriteOutcome::NoOp)),
                (Job::Write { session, reply, .. }, Decided::Refused(why)) => {
                    self.metrics.refused(&session.dpia);
                    replies.push(Reply::Write(reply, WriteOutcome::Refused(why)))
                }
                (Job::Refusal { session, reply, .. }, _) => {
                    self.metrics.refused(&session.dpia);
                    replies.push(Reply::Recorded(reply))
                }
                _ => {}
            }
        }
        for (room, state) in rooms.iter().zip(states.iter_mut()) {
            if state.snapshot_due(self.compact_after) {
                if let Err(e) = snapshot(&self.store, room, state) {
                    self.log(format_args!("snapshot of {}/{} failed (the log is complete): {e}", room.dpia, room.key));
                }
            }
        }
        drop(states);
        // Every answer of a batch — a no-op or a refusal too — waits for its fsync: an
        // answer tells a Rust client its change is on the hub, and a no-op may rest on
        // another connection's update of this very batch.
        if self.synchronous == Synchronous::Full && !synced {
            if let Err(mpsc::SendError(replies)) = self.syncer.send(replies) {
                for reply in replies {
                    reply.send(&Err("the hub's syncer has stopped".into()));
                }
            }
        } else {
            for reply in replies {
                reply.send(&Ok(()));
            }
        }
    }

    /// Decides on every job inside one transaction and commits it. On error nothing of the
    /// batch is on disk, and the caller reloads the rooms.
    /// Also says whether the batch bound a client id or raised a lease.
    fn decide_all(
        &mut self,
        jobs: &[Job],
        room_of: &[Option<usize>],
        rooms: &[Arc<Room>],
        states: &mut [tokio::sync::MutexGuard<'_, DocState>],
    ) -> Result<(Vec<Decided>, bool), StoreError> {
        let (verbose, limits) = (self.verbose, self.limits);
        let ctx = Ctx { limits, verbose, recovering: self.recovering, today: self.clock.today() };
        let mut leased = false;
        let batch = self.store.batch()?;
        let mut dpias: HashMap<String, DpiaInfo> = HashMap::new();
        let mut decided = Vec::with_capacity(jobs.len());
        for (job, room) in jobs.iter().zip(room_of) {
            decided.push(match job {
                Job::Write { session, data, .. } => {
                    let i = room.expect("a write has a room");
                    decide(&batch, &mut dpias, session, &rooms[i], &mut states[i], data, ctx, &mut leased)?
                }
                Job::Refusal { session, reason, size, .. } => {
                    refuse(&batch, session, reason.clone(), *size, verbose)?;
                    Decided::Recorded
                }
                Job::Anonymous { dpia, doc, reason } => {
                    if verbose {
                        oplog::line(Level::Info, format_args!("refused a handshake to {dpia}/{doc}: {reason}"));
                    }
                    batch.record_refusal_raw(dpia, doc, None, None, reason, 0)?;
                    Decided::Recorded
                }
                Job::Stop => Decided::NoOp,
            });
        }
        batch.commit()?;
        Ok((decided, leased))
    }

    fn reload_all(&self, rooms: &[Arc<Room>], states: &mut [tokio::sync::MutexGuard<'_, DocState>]) {
        for (room, state) in rooms.iter().zip(states.iter_mut()) {
            match DocState::load(&self.store, &room.dpia, room.key) {
                Ok(fresh) => **state = fresh,
                Err(e) => self.log(format_args!("cannot reload {}/{}: {e}", room.dpia, room.key)),
            }
        }
    }
}

/// Answers every job of a failed batch with the error.
fn fail(jobs: Vec<Job>, why: &str) {
    for job in jobs {
        match job {
            Job::Write { reply, .. } => drop(reply.send(Err(why.to_owned()))),
            Job::Refusal { reply, .. } => drop(reply.send(())),
            Job::Anonymous { .. } | Job::Stop => {}
        }
    }
}

/// What `decide` needs besides the update.
#[derive(Clone, Copy)]
struct Ctx {
    limits: WriteLimits,
    verbose: bool,
    recovering: bool,
    /// The hub's day (its clock's), for hearing rounds' deadlines.
    today: konsekvens_core::model::Day,
}

fn refuse(batch: &Batch<'_>, session: &Session, reason: String, size: usize, verbose: bool) -> Result<Decided, StoreError> {
    if verbose {
        oplog::line(
            Level::Info,
            format_args!("refused a write to {}/{} by {} (token {}): {reason}", session.dpia, session.key, session.who.org, session.who.id),
        );
    }
    batch.record_refusal(&session.dpia, session.key, &session.who, &reason, size)?;
    Ok(Decided::Refused(reason))
}

/// Sizes the writer enforces (see `ServeConfig`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteLimits {
    /// The largest update accepted (bytes of the v1 update).
    pub(crate) max_update: usize,
    /// The largest document: its encoded state plus an update must stay below this.
    pub(crate) max_document: usize,
}

/// One update, inside the batch's transaction (which sees the batch's earlier writes).
///
/// The order matters: size and rights come first, on the raw bytes, so a token that may not
/// write this document never gets its blocks decoded (the decoder is the attack surface). Only
/// an update whose blocks the hub already has (by their clocks, see `blocks_known`) — a Yjs
/// SyncStep2 carries the peer's whole delete set, readers' too, and may echo what others wrote
/// meanwhile — is decoded for such a token, to tell "nothing new" (ignored) from a deletion
/// (refused).
#[allow(clippy::too_many_arguments)]
fn decide(
    batch: &Batch<'_>,
    dpias: &mut HashMap<String, DpiaInfo>,
    session: &Session,
    room: &Room,
    state: &mut DocState,
    data: &[u8],
    ctx: Ctx,
    leased: &mut bool,
) -> Result<Decided, StoreError> {
    let Ctx { limits, verbose, recovering, today } = ctx;
    let size = data.len();
    if size > limits.max_update {
        let why = format!(
            "{TOO_LARGE}: ændringen fylder {size} bytes; hubben tager højst {} bytes pr. ændring (the update exceeds the hub's limit per update)",
            limits.max_update
        );
        return refuse(batch, session, why, size, verbose);
    }
    let denied = if !batch.token_live(session.who.id)? {
        Some(format!("{REVOKED}: tokenet er tilbagekaldt (the token has been revoked)"))
    } else {
        if !dpias.contains_key(&session.dpia) {
            let info = batch.dpia(&session.dpia)?.ok_or_else(|| StoreError::UnknownDpia(session.dpia.clone()))?;
            dpias.insert(session.dpia.clone(), info);
        }
        dpias[&session.dpia].may_write(&session.who, session.key).err().map(|why| format!("{RIGHTS}: {why}"))
    };
    if let Some(why) = denied {
        if !blocks_known(data, state) {
            return refuse(batch, session, why, size, verbose);
        }
        // Only blocks the hub has, and a delete set: a no-op unless it deletes something.
        return match proto::decode_update(data) {
            Ok(update) if proto::novelty(&state.doc, &update).is_empty() => Ok(Decided::NoOp),
            _ => refuse(batch, session, why, size, verbose),
        };
    }
    let update = match proto::decode_update(data) {
        Ok(u) => u,
        Err(why) => return refuse(batch, session, format!("{MALFORMED}: ændringen kan ikke læses (malformed update): {why}"), size, verbose),
    };
    let novelty: Novelty = proto::novelty(&state.doc, &update);
    if novelty.is_empty() {
        return Ok(Decided::NoOp);
    }
    if let Some((client, from, have)) = novelty.gap {
        let why = format!(
            "{GAP}: ændringen bygger på ændringer, hubben ikke har (update rejected: it builds on changes the hub does not have; client {client} from clock {from}, the hub has {have})"
        );
        return refuse(batch, session, why, size, verbose);
    }
    let bound = batch.client_leases(&novelty.new_clients)?;
    let reach = |id: u64| novelty.reaches.iter().find(|(c, _)| *c == id).map_or(0, |(_, end)| *end);
    // Another organisation's id: refused — unless a recovery window is open and the blocks
    // lie below its lease, where they may be ones the hub forwarded and lost in a crash,
    // returned by a peer that received them (they stay attributed to `org`).
    let foreign = bound.iter().find(|(id, org, lease)| *org != session.who.org && !(recovering && reach(*id) <= *lease));
    if let Some((id, org, _)) = foreign {
        let why = format!(
            "{CLIENT_ID}: ændringen bærer CRDT-klient-id {id}, som tilhører organisation {org} (the update carries CRDT client id {id}, which belongs to organisation {org})"
        );
        return refuse(batch, session, why, size, verbose);
    }
    if state.size + size > limits.max_document {
        // The running figure is an upper bound; measure before refusing.
        state.size = state.doc.transact().encode_state_as_update_v1(&StateVector::default()).len();
        if state.size + size > limits.max_document {
            let why = format!(
                "{DOC_FULL}: dokumentet fylder {} bytes; med denne ændring ({size} bytes) ville det overstige hubbens grænse på {} bytes (the document would exceed the hub's limit)",
                state.size, limits.max_document
            );
            return refuse(batch, session, why, size, verbose);
        }
    }
    let modelled = modelled_roots(session.key.kind());
    // Remarks: every record before the update (none may disappear; a municipality's round
    // answers and comments are held to the round's deadline).
    let records_before = match session.key {
        DocKey::Remarks(scope) => Some((scope, Records::of(&state.doc, scope))),
        _ => None,
    };
    let applied = catch_unwind(AssertUnwindSafe(|| {
        let mut txn = state.doc.transact_mut();
        let roots_before: Vec<String> = txn.root_refs().map(|(name, _)| name.to_owned()).collect();
        txn.apply_update(update)?;
        // A root type the document kind does not model: no client of ours reads it, but
        // every client receives it (and an attacker could fill a document with it).
        let unmodelled = txn
            .root_refs()
            .map(|(name, _)| name)
            .find(|name| !modelled.contains(name) && !roots_before.iter().any(|b| b == name))
            .map(str::to_owned);
        // Blocks or deletions waiting for predecessors the hub lacks: a legitimate peer
        // sends what it builds on (SyncStep2 is a diff against our state vector), so this is
        // a damaged or crafted update and the log would keep a hole.
        let sv = txn.state_vector();
        let incomplete = novelty.reaches.iter().any(|&(client, end)| sv.get(&ClientID::new(client)) < end);
        let incomplete = incomplete || txn.store().pending_update().is_some() || txn.store().pending_ds().is_some();
        Ok::<_, yrs::error::UpdateError>((unmodelled, incomplete))
    }));
    let why = match applied {
        Ok(Ok((Some(root), _))) => Some(format!(
            "{ROOT_UNMODELLED}: ændringen skriver i «{}», som et {}-dokument ikke har (the update writes a root type the document does not model)",
            crate::live::printable(&root),
            session.key
        )),
        Ok(Ok((None, false))) => match &records_before {
            Some((scope, before)) => {
                let after = Records::of(&state.doc, *scope);
                match Records::removed(before, &after) {
                    Some(gone) => Some(format!(
                        "{REMARK_DELETED}: ændringen sletter «{}»; bemærkninger, svar og runder rettes eller afsluttes, de slettes aldrig (a remark is never deleted)",
                        crate::live::printable(&gone)
                    )),
                    None if matches!(scope.by, Party::Org(_)) => late(batch, room, &before.round_bound(), &after.round_bound(), today)?,
                    None => None,
                }
            }
            None => None,
        },
        Ok(Ok((None, true))) => Some(format!(
            "{GAP}: ændringen bygger på ændringer, hubben ikke har (update rejected: it builds on changes the hub does not have)"
        )),
        Ok(Err(e)) => Some(format!("{MALFORMED}: ændringen kan ikke anvendes (update rejected): {e}")),
        Err(_) => Some(format!("{MALFORMED}: ændringen kan ikke anvendes (update rejected: applying it failed)")),
    };
    if let Some(why) = why {
        // The document took part of it: rebuild it from the log as this batch sees it.
        *state = DocState::load(batch, &room.dpia, room.key)?;
        return refuse(batch, session, why, size, verbose);
    }
    state.size += size;
    let seq = batch.log_update(&session.dpia, session.key, data, &session.who, &novelty.new_clients)?;
    // Leases to raise: a new id's (bound just now, lease 0) and any the update passes.
    let raise: Vec<(u64, u32)> = novelty
        .reaches
        .iter()
        .filter(|(client, end)| *end > bound.iter().find(|(id, ..)| id == client).map_or(0, |(_, _, lease)| *lease))
        .map(|(client, end)| (*client, end.saturating_add(LEASE_AHEAD)))
        .collect();
    if !raise.is_empty() {
        batch.extend_leases(&raise)?;
        *leased = true;
    }
    Ok(Decided::Logged(seq))
}

/// Why a municipality's remarks update is refused for a hearing round's deadline (the hub's
/// clock decides, not the client's), judged against the coordinator's rounds as logged.
fn late(batch: &Batch<'_>, room: &Room, before: &RoundBound, after: &RoundBound, today: konsekvens_core::model::Day) -> Result<Option<String>, StoreError> {
    let touched = RoundBound::touched(before, after);
    if touched.is_empty() {
        return Ok(None);
    }
    let coordinator = DocState::load(batch, &room.dpia, DocKey::Remarks(RemarkScope::public(Party::Coordinator)))?;
    let rounds = konsekvens_core::doc::remarks::rounds_of(&coordinator.doc);
    Ok(konsekvens_core::hearing::too_late(&rounds, &touched, today).map(|why| format!("{DEADLINE}: {why}")))
}

/// Whether every block of a v1 update is one the document already has, judged by the clocks
/// the guard reads — Yrs decodes nothing. A peer's SyncStep2 is computed against the hub's
/// state vector as it was when the peer connected, so it can carry back blocks others wrote
/// meanwhile: an echo, not a write, even from a token that may not write the document.
fn blocks_known(data: &[u8], state: &DocState) -> bool {
    let Ok(shape) = konsekvens_core::doc::guard::check_update_v1(data) else { return false };
    let sv = state.doc.transact().state_vector();
    shape.reaches.iter().all(|(client, end)| *end <= u64::from(sv.get(&ClientID::new(*client))))
}

/// Writes a snapshot of a room's document covering the log up to its last position.
pub(crate) fn snapshot(store: &impl Queries, room: &Room, state: &mut DocState) -> Result<(), StoreError> {
    let bytes = state.doc.transact().encode_state_as_update_v1(&StateVector::default());
    store.write_snapshot(&room.dpia, room.key, state.last_seq, &bytes)?;
    state.snapshotted(bytes.len());
    Ok(())
}
