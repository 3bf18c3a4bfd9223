//! A workspace: the documents of one joint DPIA, loaded from and saved to one SQLite file.
//!
//! Invariant: every document in memory equals its snapshot plus its logged updates. An edit
//! is applied in memory, appended to the log and committed before [`Workspace::edit`]
//! returns; if anything fails on the way the document is reloaded from the file, so memory
//! never holds a change the file does not.

use crate::doc::{DocError, DocKey, DpiaDoc, Edit, TouchTracker, UpdateIds};
use crate::env::Env;
use crate::model::*;
use crate::release::ReleaseError;
use crate::store::{Store, StoreError, UpdateMeta};
use crate::summary::{StoredSummary, Summariser};
use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod models;
mod view;
pub(crate) use models::DocModel;
pub use view::View;

/// Compact a document once this many updates have been logged since its snapshot.
pub const COMPACT_AFTER: usize = 500;

/// On a clean close, compact a document this session wrote once this many updates follow its
/// snapshot (fewer replay faster than a snapshot is written).
pub const COMPACT_ON_CLOSE: usize = 16;

/// Keep a document's state for point-in-time views every this many of its updates: a view of
/// any earlier point replays at most this many updates per document.
pub const HISTORY_EVERY: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("document {doc}: {source}")]
    Doc { doc: String, source: DocError },
    #[error("[K-FIL-SKADET] {path}: opdatering nr. {seq} i loggen (dokument {doc}) kan ikke læses: {reason}. Filen er ikke ændret; gendan den fra en sikkerhedskopi, eller hent dokumentet igen fra hubben med `konsekvens sync --new`")]
    DamagedUpdate { path: PathBuf, doc: String, seq: i64, reason: String },
    #[error("[K-FIL-SKADET] {path}: øjebliksbilledet af dokumentet {doc} kan ikke læses: {reason}. Filen er ikke ændret; gendan den fra en sikkerhedskopi")]
    DamagedSnapshot { path: PathBuf, doc: String, reason: String },
    #[error("{path}: the workspace lists an unknown document «{doc}»")]
    UnknownDocument { path: PathBuf, doc: String },
    #[error("municipality {0} does not take part in this joint DPIA")]
    UnknownOrg(OrgCode),
    #[error("municipality {0} already takes part in this joint DPIA")]
    DuplicateOrg(OrgCode),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Release(#[from] ReleaseError),
    /// A restoration that cannot be made; `code` is stable (`K-RESTORE-NO-POINT`).
    #[error("{code}: {message}")]
    Restore { code: &'static str, message: String },
}

impl WorkspaceError {
    fn doc(key: DocKey) -> impl FnOnce(DocError) -> WorkspaceError {
        move |source| WorkspaceError::Doc { doc: key.name(), source }
    }
}

/// Who makes a change; stored with every logged update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub org: Option<OrgCode>,
}

impl Author {
    pub fn new(name: impl Into<String>, org: Option<OrgCode>) -> Self {
        Author { name: name.into(), org }
    }
}

/// What a compaction did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompactStats {
    pub documents: usize,
    pub updates_folded: i64,
}

/// Where a persisted update came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateSource {
    /// The local user (an edit, an undo, the webview's text editor).
    Local,
    /// Elsewhere (the hub, another peer).
    Remote,
}

/// Told about every update once it is durable: the app forwards it to the webview's mirror
/// of the document and, when local, to the hub.
pub type UpdateListener = Arc<dyn Fn(DocKey, &[u8], UpdateSource) + Send + Sync>;

pub struct Workspace {
    store: Store,
    env: Arc<dyn Env>,
    /// Every document of the file, decoded when first needed: a command about one
    /// municipality reads 3 of 99, and reads of content go through the kept models first
    /// (`models.rs`), so most commands decode none.
    docs: BTreeMap<DocKey, Slot>,
    /// The log head up to which `catch_up` has told about documents not in memory.
    seen_head: Cell<i64>,
    listener: Option<UpdateListener>,
    /// Per document, once written to here: which parts changes touch and the parts as last
    /// summarised, so each update's change summary is computed when it is logged.
    summaries: BTreeMap<DocKey, Tracked>,
    /// Per document, updates since the last kept history snapshot, and its size then.
    since_history: BTreeMap<DocKey, usize>,
    history_size: BTreeMap<DocKey, usize>,
    /// Documents whose memory holds an update beyond `applied` (another process logged a row
    /// before ours that memory has not read): their state is no log position's until
    /// `catch_up`, so no history snapshot is kept of them meanwhile.
    ahead: BTreeSet<DocKey>,
    /// Documents this session logged updates to (compacted when it closes).
    wrote: BTreeSet<DocKey>,
    /// Answers kept across views while the log positions they read stand still (the
    /// review status), by question: the inputs they were computed from and the answer.
    memo: Mutex<HashMap<String, (String, serde_json::Value)>>,
    history_every: usize,
    /// Undo is on (the app); documents keep a local undo history.
    undo: bool,
    /// Documents in the order the local user edited them, for undo and redo across them.
    undo_order: Vec<DocKey>,
    redo_order: Vec<DocKey>,
    /// Inside [`Workspace::atomically`]: what its edits touched and what the listener is
    /// told once they are committed.
    batch: Option<Batch>,
}

/// The edits of one [`Workspace::atomically`] so far.
#[derive(Default)]
struct Batch {
    /// Documents written to, read again from the file if the batch is rolled back.
    touched: BTreeSet<DocKey>,
    /// Updates the listener hears of after the commit.
    told: Vec<(DocKey, Vec<u8>, UpdateSource)>,
    seen_head: i64,
}

/// A document of the file: empty until first needed, then as read from the file.
type Slot = OnceCell<Loaded>;

/// A document in memory.
struct Loaded {
    doc: DpiaDoc,
    /// Updates logged after its snapshot.
    since_snapshot: usize,
    /// The log position up to which memory reflects the log without gaps. Another process
    /// (a sync client) may append to the same file; `catch_up` reads from here, and a
    /// snapshot never claims more than this.
    applied: i64,
}

/// What a document's next update summary needs.
struct Tracked {
    tracker: TouchTracker,
    summariser: Summariser,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Workspace({})", self.store.path().display())
    }
}

impl Workspace {
    /// Creates an empty workspace (coordination and base documents, no participants).
    pub fn create(path: &Path, env: Arc<dyn Env>) -> Result<Workspace, WorkspaceError> {
        let store = Store::create(path, env.now_millis())?;
        let mut ws = Workspace::with_store(store, env);
        for key in [DocKey::Coordination, DocKey::Base] {
            ws.add_document(key)?;
        }
        Ok(ws)
    }

    /// Creates a workspace holding the given joint DPIA, atomically: it is written to a
    /// temporary file beside `path` and renamed into place only when complete, so a
    /// failure leaves nothing behind and an existing file is never touched.
    pub fn create_with(
        path: &Path,
        env: Arc<dyn Env>,
        author: &Author,
        coordination: &Coordination,
        base: &Base,
        supplements: &[Supplement],
    ) -> Result<Workspace, WorkspaceError> {
        Workspace::create_with_hearing(path, env, author, coordination, base, supplements, &[])
    }

    /// [`Workspace::create_with`], and the høring's remarks documents as a file holds them
    /// (`import json`, format version 4), in the same atomic creation.
    pub fn create_with_hearing(
        path: &Path,
        env: Arc<dyn Env>,
        author: &Author,
        coordination: &Coordination,
        base: &Base,
        supplements: &[Supplement],
        hearing: &[crate::interchange::RemarksRecords],
    ) -> Result<Workspace, WorkspaceError> {
        let (ws, ()) = Workspace::create_filled(path, env, |ws| {
            ws.edit(DocKey::Coordination, author, |e| e.write_coordination(coordination))?;
            ws.edit(DocKey::Base, author, |e| e.write_base(base))?;
            for s in supplements {
                let code = s.meta.org.ok_or_else(|| WorkspaceError::Doc {
                    doc: format!("supplement «{}»", s.meta.name),
                    source: DocError::NoOrgCode { what: "supplement" },
                })?;
                if !coordination.participants.iter().any(|p| p.code == Some(code)) {
                    return Err(WorkspaceError::UnknownOrg(code));
                }
                let key = DocKey::Supplement(code);
                ws.add_document(key)?;
                ws.edit(key, author, |e| e.write_supplement(s))?;
            }
            crate::hearing::write_records(ws, author, hearing)?;
            ws.ensure_review_baseline()
        })?;
        Ok(ws)
    }

    /// Creates a new workspace at `path` filled by `fill` (e.g. the first sync from a hub),
    /// atomically: it is filled in a temporary file beside `path` and renamed into place only
    /// when `fill` succeeds, so a failure — or a kill — leaves no half-made file that would
    /// block a retry, and an existing file is never touched.
    pub fn create_filled<R, E: From<WorkspaceError>>(
        path: &Path,
        env: Arc<dyn Env>,
        fill: impl FnOnce(&mut Workspace) -> Result<R, E>,
    ) -> Result<(Workspace, R), E> {
        if path.exists() {
            return Err(WorkspaceError::from(StoreError::Exists { path: path.to_owned() }).into());
        }
        let tmp = temp_beside(path, env.random_u64());
        let filled = Workspace::create(&tmp, env.clone()).map_err(E::from).and_then(|mut ws| fill(&mut ws).map(|r| (ws, r)));
        let (ws, result) = match filled {
            Ok(done) => done,
            Err(e) => {
                remove_sqlite_files(&tmp);
                return Err(e);
            }
        };
        drop(ws);
        if let Err(source) = std::fs::rename(&tmp, path) {
            remove_sqlite_files(&tmp);
            return Err(WorkspaceError::Io { path: path.to_owned(), source }.into());
        }
        Ok((Workspace::open(path, env)?, result))
    }

    /// Writes the bundled AULA sample (joint base + København, Esbjerg, Aarhus) to a new file.
    pub fn create_demo(path: &Path, env: Arc<dyn Env>) -> Result<Workspace, WorkspaceError> {
        use crate::sample;
        let (coordination, base, supplements) = sample::aula();
        let author = Author::new("Konsekvens (eksempel)", None);
        let mut ws = Workspace::create_with(path, env, &author, &coordination, &base, &supplements)?;
        ws.publish_release(sample::VERSION, sample::RELEASE_DATE, sample::RELEASE_NOTE, &Author::new("KL/KOMBIT", None))?;
        // The release followed a hearing round: the sample shows one, finished.
        crate::hearing::write_sample_round(&mut ws).map_err(|e| match e {
            crate::hearing::HearingError::Workspace(w) => w,
            other => WorkspaceError::Doc { doc: "remarks/coordinator".into(), source: DocError::Unreadable { point: "sample".into(), message: other.to_string() } },
        })?;
        ws.mark_review_baseline()?;
        Ok(ws)
    }

    // ---- Releases ------------------------------------------------------------------------

    /// Publishes the working base as release `name`: refused if the name exists, a
    /// reference is used twice, or an item released before has been renumbered. The
    /// release is written to the coordination document (the coordinator's write scope).
    pub fn publish_release(&mut self, name: &str, date: Day, note: &str, author: &Author) -> Result<Release, WorkspaceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ReleaseError::NoName.into());
        }
        let coordination = self.coordination()?;
        if coordination.release(name).is_some() {
            return Err(ReleaseError::Exists(name.to_owned()).into());
        }
        let base = self.base()?;
        let previous = match coordination.latest_release() {
            Some(r) => Some((r.name.clone(), r.base()?)),
            None => None,
        };
        crate::release::check_publishable(&base, previous.as_ref().map(|(n, b)| (n.as_str(), &**b)))?;
        let (content, content_hash) = crate::release::content_of(&base);
        let release = Release {
            name: name.to_owned(),
            date: Some(date),
            note: note.to_owned(),
            published_by: author.name.clone(),
            published_at: self.env.now_millis(),
            content_hash,
            content,
        };
        self.edit(DocKey::Coordination, author, |e| e.put(&release))?;
        Ok(release)
    }

    /// Binds a municipality's supplement to a release: it declares that its supplement was
    /// assessed against that release of the base (after reviewing what changed).
    pub fn bind_release(&mut self, code: OrgCode, name: &str, author: &Author) -> Result<(), WorkspaceError> {
        self.coordination()?.require_release(name)?;
        let key = DocKey::Supplement(code);
        self.doc(key)?;
        let mut meta: SupplementMeta = self.doc(key)?.section().map_err(WorkspaceError::doc(key))?;
        meta.base_release = name.to_owned();
        self.edit(key, author, |e| e.set(&meta))
    }

    /// Opens a workspace file. A damaged, foreign or newer file is refused unchanged.
    pub fn open(path: &Path, env: Arc<dyn Env>) -> Result<Workspace, WorkspaceError> {
        let store = Store::open(path)?;
        let mut ws = Workspace::with_store(store, env);
        let names = ws.store.documents()?;
        if let Some(first) = ws.store.history_backlog()? {
            ws.fill_history(&names, first)?;
        }
        for name in names {
            let key = DocKey::parse(&name)
                .map_err(|_| WorkspaceError::UnknownDocument { path: path.to_owned(), doc: name.clone() })?;
            // Decoded when first read (a damaged one is named then, the file unchanged).
            ws.docs.insert(key, Slot::new());
        }
        ws.seen_head.set(ws.store.head_seq()?);
        Ok(ws)
    }

    fn with_store(store: Store, env: Arc<dyn Env>) -> Workspace {
        Workspace {
            store,
            env,
            docs: BTreeMap::new(),
            seen_head: Cell::new(0),
            listener: None,
            summaries: BTreeMap::new(),
            since_history: BTreeMap::new(),
            history_size: BTreeMap::new(),
            ahead: BTreeSet::new(),
            wrote: BTreeSet::new(),
            memo: Mutex::default(),
            history_every: HISTORY_EVERY,
            undo: false,
            undo_order: Vec::new(),
            redo_order: Vec::new(),
            batch: None,
        }
    }

    /// Computes the history of updates logged without it (a file from before schema 3, or
    /// rows another build wrote), once, in one transaction: each update's change summary by
    /// replaying its document from the nearest kept state, and a kept snapshot every
    /// `history_every` updates of a document.
    fn fill_history(&self, names: &[String], first: i64) -> Result<(), WorkspaceError> {
        self.store.begin()?;
        let filled = (|| {
            for name in names {
                let Ok(key) = DocKey::parse(name) else { continue };
                let doc = self.build_document_at(key, first - 1)?;
                let tracker = doc.track_touches();
                let mut summariser = Summariser::of(&doc).map_err(WorkspaceError::doc(key))?;
                let mut rows = Vec::new();
                let mut count = 0usize;
                let path = self.store.path().to_owned();
                self.store.for_each_update(key, first - 1, |u| -> Result<(), WorkspaceError> {
                    let damaged = |e: DocError| WorkspaceError::DamagedUpdate { path: path.clone(), doc: key.name(), seq: u.seq, reason: e.to_string() };
                    // Bounded before Yrs decodes it (see `guard`).
                    crate::doc::guard::check_update_v1(&u.data).map_err(|e| damaged(e.into()))?;
                    let ids = doc.novelty(&u.data).map_err(damaged)?;
                    doc.apply_update(&u.data).map_err(damaged)?;
                    let changes = summariser.changes(&doc, tracker.take()).map_err(WorkspaceError::doc(key))?;
                    let summary = StoredSummary::new(changes, &ids);
                    rows.push((u.seq, u.doc.clone(), u.at_millis, summary.to_json(), summary.items()));
                    count += 1;
                    if count.is_multiple_of(self.history_every) {
                        self.store.keep_history_snapshot(key, u.seq, &doc.encode_state())?;
                    }
                    if rows.len() >= 1000 {
                        self.store.fill_history(&rows)?;
                        rows.clear();
                    }
                    Ok(())
                })?;
                self.store.fill_history(&rows)?;
            }
            self.store.recompute_clock(first)?;
            Ok::<(), WorkspaceError>(())
        })();
        match filled {
            Ok(()) => Ok(self.store.commit()?),
            Err(e) => {
                self.store.rollback();
                Err(e)
            }
        }
    }

    /// Document `key` as it was just after log position `seq`, from the kept snapshot
    /// nearest before it and the updates in between.
    pub(crate) fn build_document_at(&self, key: DocKey, seq: i64) -> Result<DpiaDoc, WorkspaceError> {
        // Read-only: it is never edited, so its client id does not matter.
        let doc = DpiaDoc::new(key, 1);
        let path = self.store.path();
        let mut after = 0;
        if let Some((upto, state)) = self.store.history_snapshot_at(key, seq)? {
            doc.apply_update(&state)
                .map_err(|e| WorkspaceError::DamagedSnapshot { path: path.to_owned(), doc: key.name(), reason: e.to_string() })?;
            after = upto;
        }
        for (at, data) in self.store.updates_between(key, after, seq)? {
            doc.apply_update(&data)
                .map_err(|e| WorkspaceError::DamagedUpdate { path: path.to_owned(), doc: key.name(), seq: at, reason: e.to_string() })?;
        }
        Ok(doc)
    }

    /// A document not in this file.
    fn unknown(&self, key: DocKey) -> WorkspaceError {
        match key {
            DocKey::Supplement(code) => WorkspaceError::UnknownOrg(code),
            other => WorkspaceError::UnknownDocument { path: self.path().to_owned(), doc: other.name() },
        }
    }

    /// The document in memory, if it has been read.
    fn in_memory(&self, key: DocKey) -> Option<&Loaded> {
        self.docs.get(&key).and_then(OnceCell::get)
    }

    /// The document in memory, read from the file first if it has not been.
    fn loaded(&self, key: DocKey) -> Result<&Loaded, WorkspaceError> {
        let slot = self.docs.get(&key).ok_or_else(|| self.unknown(key))?;
        if let Some(l) = slot.get() {
            return Ok(l);
        }
        let (mut doc, since_snapshot, applied) = self.load(key)?;
        if self.undo {
            doc.enable_undo();
        }
        Ok(slot.get_or_init(|| Loaded { doc, since_snapshot, applied }))
    }

    fn loaded_mut(&mut self, key: DocKey) -> Result<&mut Loaded, WorkspaceError> {
        self.loaded(key)?;
        Ok(self.docs.get_mut(&key).and_then(OnceCell::get_mut).expect("read above"))
    }

    /// Starts summarising a document's updates (before its first change here).
    fn ensure_tracked(&mut self, key: DocKey) -> Result<(), WorkspaceError> {
        if self.summaries.contains_key(&key) {
            return Ok(());
        }
        let doc = self.doc(key)?;
        let tracker = doc.track_touches();
        let summariser = Summariser::of(doc).map_err(WorkspaceError::doc(key))?;
        self.summaries.insert(key, Tracked { tracker, summariser });
        Ok(())
    }

    /// Brings a tracked document's summary up to date with changes not logged here
    /// (`catch_up`): what they changed is in the history of the process that logged them.
    fn resync_summary(&mut self, key: DocKey) -> Result<(), WorkspaceError> {
        if let (Some(t), Some(l)) = (self.summaries.get_mut(&key), self.docs.get(&key).and_then(OnceCell::get)) {
            let touched = t.tracker.take();
            t.summariser.changes(&l.doc, touched).map_err(WorkspaceError::doc(key))?;
        }
        Ok(())
    }

    /// Builds a document from its snapshot and the log after it; returns it with the number
    /// of updates after the snapshot and the last log position it reflects.
    fn load(&self, key: DocKey) -> Result<(DpiaDoc, usize, i64), WorkspaceError> {
        let doc = DpiaDoc::new(key, self.env.random_u64());
        let path = self.store.path().to_owned();
        let mut after = 0;
        if let Some((upto, state)) = self.store.snapshot(key)? {
            doc.apply_update(&state).map_err(|e| WorkspaceError::DamagedSnapshot {
                path: path.clone(),
                doc: key.name(),
                reason: e.to_string(),
            })?;
            after = upto;
        }
        let updates = self.store.updates_after(key, after)?;
        for (seq, data) in &updates {
            doc.apply_update(data).map_err(|e| WorkspaceError::DamagedUpdate {
                path: path.clone(),
                doc: key.name(),
                seq: *seq,
                reason: e.to_string(),
            })?;
        }
        let applied = updates.last().map(|(seq, _)| *seq).unwrap_or(after);
        Ok((doc, updates.len(), applied))
    }

    /// Rebuilds every document from the file: after another process reset a document to
    /// the hub's state (a refused write), memory must drop what the file dropped. The undo
    /// history starts afresh.
    pub fn reload_all(&mut self) -> Result<(), WorkspaceError> {
        let keys: Vec<DocKey> = self.docs.keys().copied().collect();
        for key in keys {
            self.reload(key)?;
        }
        self.catch_up().map(|_| ())
    }

    /// Takes in what another process (a sync client) has written to the file since this
    /// workspace last read it, including documents it added; the listener hears of each
    /// change as remote. Returns the documents that changed.
    pub fn catch_up(&mut self) -> Result<Vec<DocKey>, WorkspaceError> {
        let mut changed = Vec::new();
        let seen = self.seen_head.get();
        let head = self.store.head_seq()?;
        for name in self.store.documents()? {
            let Ok(key) = DocKey::parse(&name) else { continue };
            if !self.docs.contains_key(&key) {
                let (mut doc, since_snapshot, applied) = self.load(key)?;
                if self.undo {
                    doc.enable_undo();
                }
                let state = doc.encode_state();
                self.docs.insert(key, OnceCell::from(Loaded { doc, since_snapshot, applied }));
                self.tell(key, &state, UpdateSource::Remote);
                changed.push(key);
                continue;
            }
            let Some(after) = self.in_memory(key).map(|l| l.applied) else {
                // Not read yet: it is read from the file as it stands when first needed;
                // changed if the file holds something of it not seen before.
                if head > seen && self.store.last_seq(key)? > seen {
                    changed.push(key);
                }
                continue;
            };
            for (seq, data) in self.store.updates_after(key, after)? {
                let doc = &self.in_memory(key).expect("checked above").doc;
                let before = doc.version();
                doc.apply_update(&data).map_err(|e| WorkspaceError::DamagedUpdate {
                    path: self.store.path().to_owned(),
                    doc: key.name(),
                    seq,
                    reason: e.to_string(),
                })?;
                if doc.version() != before {
                    self.tell(key, &data, UpdateSource::Remote);
                    if !changed.contains(&key) {
                        changed.push(key);
                    }
                }
                if let Some(l) = self.docs.get_mut(&key).and_then(OnceCell::get_mut) {
                    l.applied = seq;
                }
            }
            // Memory now reads the log up to `applied` without a gap.
            self.ahead.remove(&key);
            self.resync_summary(key)?;
        }
        self.seen_head.set(head.max(seen));
        Ok(changed)
    }

    fn add_document(&mut self, key: DocKey) -> Result<(), WorkspaceError> {
        self.store.ensure_document(key, self.env.now_millis())?;
        if !self.docs.contains_key(&key) {
            let mut doc = DpiaDoc::new(key, self.env.random_u64());
            if self.undo {
                doc.enable_undo();
            }
            self.docs.insert(key, OnceCell::from(Loaded { doc, since_snapshot: 0, applied: 0 }));
        }
        Ok(())
    }

    /// Adds a municipality's supplement document (empty) to the file and to memory.
    #[cfg(feature = "fixtures")]
    pub(crate) fn add_supplement_document(&mut self, code: OrgCode) -> Result<(), WorkspaceError> {
        self.add_document(DocKey::Supplement(code))
    }

    /// Commits without waiting for the disk (the year-of-use fixture writes 100 000 edits;
    /// what it measures afterwards does not depend on fsync).
    #[cfg(feature = "fixtures")]
    pub(crate) fn relax_durability_for_fixture(&self) {
        self.store.set_synchronous(false);
    }

    #[cfg(feature = "fixtures")]
    pub(crate) fn restore_durability_for_fixture(&self) {
        self.store.set_synchronous(true);
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// The file's store, for the core's tests: callers read through [`View`] and write
    /// through the operations here, so no one writes behind the workspace's back.
    #[cfg(test)]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Gives the workspace a (still empty) supplement document for each of `codes` it lacks
    /// (a sync pulls what the hub has for them), and takes them in as `catch_up` does, so
    /// the listener hears of them. Returns the documents added.
    pub fn add_supplement_documents(&mut self, codes: &[OrgCode]) -> Result<Vec<DocKey>, WorkspaceError> {
        let keys: Vec<DocKey> = codes.iter().map(|c| DocKey::Supplement(*c)).collect();
        self.add_documents(&keys)
    }

    /// Gives the workspace each of `keys` it lacks (still empty: a sync pulls what the hub
    /// has), taken in as `catch_up` does. Returns the documents added.
    pub fn add_documents(&mut self, keys: &[DocKey]) -> Result<Vec<DocKey>, WorkspaceError> {
        let added: Vec<DocKey> = keys.iter().copied().filter(|k| !self.docs.contains_key(k)).collect();
        if added.is_empty() {
            return Ok(added);
        }
        let now = self.env.now_millis();
        for key in &added {
            self.store.ensure_document(*key, now)?;
        }
        self.catch_up()?;
        Ok(added)
    }

    /// Makes `state` (a whole document, e.g. the hub's after it refused this copy's writes)
    /// the content of document `key`: a snapshot covering the whole log, and the document
    /// reloaded from it with a fresh CRDT client id, so the refused clock range is never
    /// continued. The log keeps the refused updates as the audit trail; points in the past
    /// from here on start from this content.
    pub fn reset_document(&mut self, key: DocKey, state: &[u8]) -> Result<(), WorkspaceError> {
        if !self.docs.contains_key(&key) {
            return Err(self.unknown(key));
        }
        DpiaDoc::new(key, 1).apply_update(state).map_err(WorkspaceError::doc(key))?;
        let upto = self.store.last_seq(key)?;
        self.store.write_snapshot(key, upto, state, self.env.now_millis())?;
        self.store.keep_history_snapshot(key, upto, state)?;
        // The content from `upto` on is the hub's now, not what was read before.
        self.store.forget_models(key, upto)?;
        self.reload(key)?;
        self.catch_up().map(|_| ())
    }

    /// Records what the hub says about who wrote a document's changes (client id →
    /// organisation, and who first deleted which ids); `konsekvens log` and the history
    /// view name them.
    pub fn learn_authors(
        &mut self,
        key: DocKey,
        clients: &[(u64, crate::store::KnownAuthor)],
        deletions: &[(crate::doc::IdSpan, crate::store::KnownAuthor)],
        learned_from: &str,
    ) -> Result<(), WorkspaceError> {
        self.store.learn_authors(key, clients, deletions, learned_from, self.env.now_millis())?;
        self.forget_answers();
        Ok(())
    }

    /// The whole file checked: its structure and every stored row against its digest (what
    /// opening skips unless the last session ended uncleanly).
    pub fn verify_file(&self) -> Result<crate::store::Verification, WorkspaceError> {
        Ok(self.store.verify()?)
    }

    pub fn env(&self) -> &Arc<dyn Env> {
        &self.env
    }

    /// A fresh item id, e.g. `risk-5f0c…`.
    pub fn new_id(&self, kind: &str) -> ItemId {
        ItemId(format!("{kind}-{:016x}", self.env.random_u64()))
    }

    pub fn keys(&self) -> impl Iterator<Item = DocKey> + '_ {
        self.docs.keys().copied()
    }

    /// A document in memory (read from the file when first asked for).
    pub fn doc(&self, key: DocKey) -> Result<&DpiaDoc, WorkspaceError> {
        Ok(&self.loaded(key)?.doc)
    }

    /// Runs `f`'s edits — of several documents — as one transaction of the file: all of them
    /// are durable when this returns `Ok`, none when `f` or a write fails (the documents it
    /// touched are read again from the file, documents it added are gone, and the listener
    /// hears of nothing). A use case that must not stop halfway (closing a hearing round:
    /// the release and the round's record of it) runs its edits in here. Nested, it is part
    /// of the outer one.
    pub fn atomically<R, E: From<WorkspaceError>>(&mut self, f: impl FnOnce(&mut Workspace) -> Result<R, E>) -> Result<R, E> {
        if self.batch.is_some() {
            return f(self);
        }
        self.store.begin().map_err(WorkspaceError::from)?;
        self.batch = Some(Batch { seen_head: self.seen_head.get(), ..Batch::default() });
        let result = f(self);
        let batch = self.batch.take().expect("set above");
        let result = result.and_then(|r| self.store.commit().map(|()| r).map_err(|e| WorkspaceError::from(e).into()));
        match result {
            Ok(r) => {
                if let Some(listener) = &self.listener {
                    for (key, update, source) in &batch.told {
                        listener(*key, update, *source);
                    }
                }
                Ok(r)
            }
            Err(e) => {
                self.store.rollback();
                self.seen_head.set(batch.seen_head);
                // Documents the batch added to the file are gone with it.
                let kept: BTreeSet<String> = self.store.documents().map_err(WorkspaceError::from)?.into_iter().collect();
                let gone: Vec<DocKey> = self.docs.keys().copied().filter(|k| !kept.contains(&k.name())).collect();
                for key in gone {
                    self.docs.remove(&key);
                    self.summaries.remove(&key);
                    self.undo_order.retain(|k| *k != key);
                    self.redo_order.retain(|k| *k != key);
                }
                for key in batch.touched {
                    self.reload(key)?;
                }
                Err(e)
            }
        }
    }

    /// Edits one document in one transaction. Durable when this returns `Ok`; on any error
    /// the document is as it was before.
    pub fn edit<R>(
        &mut self,
        key: DocKey,
        author: &Author,
        f: impl FnOnce(&mut Edit<'_>) -> Result<R, DocError>,
    ) -> Result<R, WorkspaceError> {
        self.ensure_tracked(key)?;
        let doc = self.doc(key)?;
        let client_id = doc.client_id();
        match doc.edit(f) {
            Ok((result, update)) => {
                if !update.is_empty() {
                    self.persist(key, &update, author, Some(client_id), UpdateSource::Local, None)?;
                    self.note_local_edit(key);
                }
                Ok(result)
            }
            Err(e) => {
                self.reload(key)?;
                Err(WorkspaceError::doc(key)(e))
            }
        }
    }

    /// Applies an update that came from elsewhere (a peer, the hub) and logs it under
    /// `author`. A malformed update is refused and nothing changes.
    pub fn apply_update(&mut self, key: DocKey, update: &[u8], author: &Author) -> Result<(), WorkspaceError> {
        self.apply(key, update, author, UpdateSource::Remote)
    }

    /// Applies an update the local user made outside Rust (the webview's text editor): it is
    /// logged as the user's own and can be undone like an edit.
    pub fn apply_local_update(&mut self, key: DocKey, update: &[u8], author: &Author) -> Result<(), WorkspaceError> {
        self.apply(key, update, author, UpdateSource::Local)
    }

    fn apply(&mut self, key: DocKey, update: &[u8], author: &Author, source: UpdateSource) -> Result<(), WorkspaceError> {
        self.ensure_tracked(key)?;
        let doc = self.doc(key)?;
        // What it brings that memory lacks, for attribution (bounded first: see `guard`).
        let ids = match crate::doc::guard::check_update_v1(update).map_err(DocError::from).and_then(|_| doc.novelty(update)) {
            Ok(ids) => ids,
            Err(e) => return Err(WorkspaceError::doc(key)(e)),
        };
        let before = doc.version();
        let applied = match source {
            UpdateSource::Remote => doc.apply_update(update),
            UpdateSource::Local => doc.apply_local_update(update),
        };
        if let Err(e) = applied {
            self.reload(key)?;
            return Err(WorkspaceError::doc(key)(e));
        }
        if doc.version() != before {
            // The update's blocks carry the sender's client id, not this document's.
            self.persist(key, update, author, None, source, Some(ids))?;
            if source == UpdateSource::Local {
                self.note_local_edit(key);
            }
        }
        Ok(())
    }

    // ---- Undo ----------------------------------------------------------------------------

    /// Keeps an undo history of the local user's edits from now on (the app turns it on).
    pub fn enable_undo(&mut self) {
        self.undo = true;
        for l in self.docs.values_mut().filter_map(OnceCell::get_mut) {
            l.doc.enable_undo();
        }
    }

    fn note_local_edit(&mut self, key: DocKey) {
        if self.undo {
            if self.undo_order.last() != Some(&key) {
                self.undo_order.push(key);
            }
            self.redo_order.clear();
        }
    }

    pub fn can_undo(&self) -> bool {
        self.docs.values().filter_map(OnceCell::get).any(|l| l.doc.can_undo())
    }

    pub fn can_redo(&self) -> bool {
        self.docs.values().filter_map(OnceCell::get).any(|l| l.doc.can_redo())
    }

    /// Undoes the local user's last step (in whichever document it was), durably. Returns the
    /// document it changed, or `None` when there is nothing to undo.
    pub fn undo(&mut self, author: &Author) -> Result<Option<DocKey>, WorkspaceError> {
        self.undo_step(author, false)
    }

    pub fn redo(&mut self, author: &Author) -> Result<Option<DocKey>, WorkspaceError> {
        self.undo_step(author, true)
    }

    fn undo_step(&mut self, author: &Author, redo: bool) -> Result<Option<DocKey>, WorkspaceError> {
        loop {
            let order = if redo { &mut self.redo_order } else { &mut self.undo_order };
            let Some(key) = order.last().copied() else { return Ok(None) };
            if !self.docs.contains_key(&key) {
                order.pop();
                continue;
            }
            self.ensure_tracked(key)?;
            let order = if redo { &mut self.redo_order } else { &mut self.undo_order };
            let doc = &mut self.docs.get_mut(&key).and_then(OnceCell::get_mut).expect("read by ensure_tracked").doc;
            let can = if redo { doc.can_redo() } else { doc.can_undo() };
            if !can {
                order.pop();
                continue;
            }
            let client_id = doc.client_id();
            let Some(update) = doc.undo_step(redo) else {
                order.pop();
                continue;
            };
            if !doc.can_undo_or_redo(redo) {
                order.pop();
            }
            let other = if redo { &mut self.undo_order } else { &mut self.redo_order };
            if other.last() != Some(&key) {
                other.push(key);
            }
            self.persist(key, &update, author, Some(client_id), UpdateSource::Local, None)?;
            return Ok(Some(key));
        }
    }

    /// Told about every durable update from now on.
    pub fn set_listener(&mut self, listener: Option<UpdateListener>) {
        self.listener = listener;
    }

    /// What an update (applied in memory) changed, for the history: the parts it touched,
    /// and its CRDT ids (`ids` when known from before it was applied; a local change brings
    /// only its own).
    fn summarise(&mut self, key: DocKey, update: &[u8], ids: Option<UpdateIds>) -> Result<StoredSummary, WorkspaceError> {
        self.loaded(key)?;
        let doc = &self.docs.get(&key).and_then(OnceCell::get).expect("read above").doc;
        let changes = match self.summaries.get_mut(&key) {
            Some(t) => t.summariser.changes(doc, t.tracker.take()).map_err(WorkspaceError::doc(key))?,
            None => Vec::new(),
        };
        let ids = match ids {
            Some(ids) => ids,
            None => DpiaDoc::new(key, 1).novelty(update).map_err(WorkspaceError::doc(key))?,
        };
        Ok(StoredSummary::new(changes, &ids))
    }

    fn persist(&mut self, key: DocKey, update: &[u8], author: &Author, client_id: Option<u64>, source: UpdateSource, ids: Option<UpdateIds>) -> Result<(), WorkspaceError> {
        let summary = match self.summarise(key, update, ids) {
            Ok(s) => s,
            Err(e) => {
                self.reload(key)?;
                return Err(e);
            }
        };
        let meta = UpdateMeta { org: author.org, author: &author.name, client_id, at_millis: self.env.now_millis() };
        let seq = match self.store.append_with_history(key, update, &meta, &summary.to_json(), &summary.items()) {
            Ok(seq) => seq,
            Err(e) => {
                self.reload(key)?;
                return Err(e.into());
            }
        };
        if let Some(batch) = &mut self.batch {
            batch.touched.insert(key);
        }
        // Only without a gap: a row another process wrote before ours is still to be read.
        let before = self.store.last_seq_before(key, seq)?;
        let l = self.loaded_mut(key)?;
        l.since_snapshot += 1;
        if before <= l.applied {
            l.applied = seq;
        } else {
            self.ahead.insert(key);
        }
        self.wrote.insert(key);
        let kept = self.since_history.entry(key).or_default();
        *kept += 1;
        // A large document (a year of text edits leaves CRDT tombstones: the base reaches
        // MBs) is kept less often, about 1 KB of kept state per update.
        let every = self.history_every.max(self.history_size.get(&key).copied().unwrap_or(0) / 1024);
        // Inside a batch the state is no log position's until it commits: kept after it.
        if *kept >= every && !self.ahead.contains(&key) && self.batch.is_none() {
            // The same state is the document's snapshot too: its open replays no longer tail.
            let state = self.doc(key)?.encode_state();
            self.history_size.insert(key, state.len());
            self.store.keep_history_snapshot(key, seq, &state)?;
            self.store.write_snapshot(key, seq, &state, self.env.now_millis())?;
            self.since_history.insert(key, 0);
            self.loaded_mut(key)?.since_snapshot = 0;
        }
        self.tell(key, update, source);
        if self.batch.is_some() {
            return Ok(());
        }
        if self.loaded(key)?.since_snapshot >= COMPACT_AFTER {
            self.compact_doc(key)?;
        }
        Ok(())
    }

    /// Tells the listener of a durable update — inside [`Workspace::atomically`], once its
    /// transaction is committed.
    fn tell(&mut self, key: DocKey, update: &[u8], source: UpdateSource) {
        if let Some(batch) = &mut self.batch {
            batch.told.push((key, update.to_vec(), source));
        } else if let Some(listener) = &self.listener {
            listener(key, update, source);
        }
    }

    /// Drops a document from memory: it is read from the file again when next needed
    /// (after a failed edit or a refused update, memory must hold only what the file does).
    fn reload(&mut self, key: DocKey) -> Result<(), WorkspaceError> {
        self.summaries.remove(&key);
        self.ahead.remove(&key);
        self.forget_answers();
        if self.undo {
            self.undo_order.retain(|k| *k != key);
            self.redo_order.retain(|k| *k != key);
        }
        if let Some(slot) = self.docs.get_mut(&key) {
            *slot = Slot::new();
        }
        Ok(())
    }

    /// Writes a document's snapshot from memory; a document not in memory has nothing to add.
    fn compact_doc(&mut self, key: DocKey) -> Result<i64, WorkspaceError> {
        let Some(l) = self.in_memory(key) else { return Ok(0) };
        // Not the log's end: another process may have appended what memory does not hold.
        let (upto, folded) = (l.applied, l.since_snapshot as i64);
        self.store.write_snapshot(key, upto, &l.doc.encode_state(), self.env.now_millis())?;
        self.loaded_mut(key)?.since_snapshot = 0;
        Ok(folded)
    }

    /// Writes a fresh snapshot of every document, so opening replays no log.
    pub fn compact(&mut self) -> Result<CompactStats, WorkspaceError> {
        let keys: Vec<DocKey> = self.docs.keys().copied().collect();
        let mut stats = CompactStats::default();
        for key in keys {
            self.loaded(key)?;
            stats.updates_folded += self.compact_doc(key)?;
            stats.documents += 1;
        }
        Ok(stats)
    }

    // ---- Reading -------------------------------------------------------------------------

    pub(crate) fn coordination(&self) -> Result<Coordination, WorkspaceError> {
        self.model_at(DocKey::Coordination, None)
    }

    pub(crate) fn base(&self) -> Result<Base, WorkspaceError> {
        self.model_at(DocKey::Base, None)
    }

    pub(crate) fn supplement(&self, code: OrgCode) -> Result<Supplement, WorkspaceError> {
        self.model_at(DocKey::Supplement(code), None)
    }

    /// Codes of the municipalities that have a supplement in this workspace.
    pub(crate) fn supplement_codes(&self) -> Vec<OrgCode> {
        self.docs
            .keys()
            .filter_map(|k| match k {
                DocKey::Supplement(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn participant(&self, code: OrgCode) -> Result<Participant, WorkspaceError> {
        self.coordination()?
            .participants
            .into_iter()
            .find(|p| p.code == Some(code))
            .ok_or(WorkspaceError::UnknownOrg(code))
    }




    /// Marks everything logged so far as the starting point for review triggers (called
    /// after creating, importing or first syncing a workspace). Keeps an existing mark.
    pub fn ensure_review_baseline(&self) -> Result<(), WorkspaceError> {
        if self.store.setting(view::REVIEW_BASELINE)?.is_none() {
            self.store.set_setting(view::REVIEW_BASELINE, &self.store.head_seq()?.to_string())?;
            self.forget_answers();
        }
        Ok(())
    }

    /// Marks everything logged so far as reviewed content (replacing an earlier mark).
    pub fn mark_review_baseline(&self) -> Result<(), WorkspaceError> {
        self.store.set_setting(view::REVIEW_BASELINE, &self.store.head_seq()?.to_string())?;
        self.forget_answers();
        Ok(())
    }

    /// Drops the answers kept across views (something they rest on changed outside the log).
    fn forget_answers(&self) {
        self.memo.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Adds a municipality: lists it in the coordination document and opens its supplement.
    pub fn add_participant(&mut self, participant: &Participant, author: &Author) -> Result<(), WorkspaceError> {
        let code = participant
            .code
            .ok_or_else(|| WorkspaceError::doc(DocKey::Coordination)(DocError::NoOrgCode { what: "participant" }))?;
        if self.coordination()?.participants.iter().any(|p| p.code == Some(code)) {
            return Err(WorkspaceError::DuplicateOrg(code));
        }
        self.edit(DocKey::Coordination, author, |e| e.put(participant))?;
        let key = DocKey::Supplement(code);
        self.add_document(key)?;
        let meta = SupplementMeta {
            org: Some(code),
            name: participant.name.clone(),
            ref_prefix: participant.ref_prefix.clone(),
            ..SupplementMeta::default()
        };
        self.edit(key, author, |e| e.set(&meta))
    }
}

impl Drop for Workspace {
    /// A clean close compacts every document this session wrote with more than a few updates
    /// after its snapshot, so the next open replays at most that few per document, and keeps
    /// the model of each (`models.rs`), so the next command reads it without decoding. Best
    /// effort: a snapshot only saves replaying the log, a model only saves decoding it.
    fn drop(&mut self) {
        let wrote: Vec<DocKey> = self.wrote.iter().copied().filter(|k| self.in_memory(*k).is_some()).collect();
        for key in &wrote {
            if self.in_memory(*key).is_some_and(|l| l.since_snapshot >= COMPACT_ON_CLOSE) && self.compact_doc(*key).is_err() {
                break;
            }
        }
        // The next command reads what this session wrote without decoding it.
        for key in wrote {
            self.keep_current_model(key);
        }
    }
}

fn temp_beside(path: &Path, nonce: u64) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{nonce:x}.tmp"))
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod history_tests;

// The app keeps the workspace in state shared between threads: it must stay `Send` (Yrs'
// `sync` feature makes the undo manager's observers so).
#[cfg(test)]
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Workspace>();
};
