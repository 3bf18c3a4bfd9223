//! A workspace: the documents of one joint DPIA, loaded from and saved to one SQLite file.
//!
//! Invariant: every document in memory equals its snapshot plus its logged updates. An edit
//! is applied in memory, appended to the log and committed before [`Workspace::edit`]
//! returns; if anything fails on the way the document is reloaded from the file, so memory
//! never holds a change the file does not.

use crate::doc::{DocError, DocKey, DpiaDoc, Edit};
use crate::effective::EffectiveDpia;
use crate::env::Env;
use crate::model::*;
use crate::release::ReleaseError;
use crate::store::{Store, StoreError, UpdateMeta};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Compact a document once this many updates have been logged since its snapshot.
pub const COMPACT_AFTER: usize = 500;

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
    docs: BTreeMap<DocKey, DpiaDoc>,
    since_snapshot: BTreeMap<DocKey, usize>,
    /// Per document, the log position up to which memory reflects the log without gaps.
    /// Another process (a sync client) may append to the same file; `catch_up` reads from
    /// here, and a snapshot never claims more than this.
    applied: BTreeMap<DocKey, i64>,
    listener: Option<UpdateListener>,
    /// Undo is on (the app); documents keep a local undo history.
    undo: bool,
    /// Documents in the order the local user edited them, for undo and redo across them.
    undo_order: Vec<DocKey>,
    redo_order: Vec<DocKey>,
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
        let mut ws = Workspace { store, env, docs: BTreeMap::new(), since_snapshot: BTreeMap::new(), applied: BTreeMap::new(), listener: None, undo: false, undo_order: Vec::new(), redo_order: Vec::new() };
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
        crate::release::check_publishable(&base, previous.as_ref().map(|(n, b)| (n.as_str(), b)))?;
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
        let mut ws = Workspace { store, env, docs: BTreeMap::new(), since_snapshot: BTreeMap::new(), applied: BTreeMap::new(), listener: None, undo: false, undo_order: Vec::new(), redo_order: Vec::new() };
        for name in ws.store.documents()? {
            let key = DocKey::parse(&name)
                .map_err(|_| WorkspaceError::UnknownDocument { path: path.to_owned(), doc: name.clone() })?;
            let (doc, pending, applied) = ws.load(key)?;
            ws.docs.insert(key, doc);
            ws.since_snapshot.insert(key, pending);
            ws.applied.insert(key, applied);
        }
        Ok(ws)
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
        for name in self.store.documents()? {
            let Ok(key) = DocKey::parse(&name) else { continue };
            if !self.docs.contains_key(&key) {
                let (mut doc, pending, applied) = self.load(key)?;
                if self.undo {
                    doc.enable_undo();
                }
                if let Some(listener) = &self.listener {
                    listener(key, &doc.encode_state(), UpdateSource::Remote);
                }
                self.docs.insert(key, doc);
                self.since_snapshot.insert(key, pending);
                self.applied.insert(key, applied);
                changed.push(key);
                continue;
            }
            let after = *self.applied.get(&key).unwrap_or(&0);
            for (seq, data) in self.store.updates_after(key, after)? {
                let doc = self.docs.get(&key).expect("checked above");
                let before = doc.version();
                doc.apply_update(&data).map_err(|e| WorkspaceError::DamagedUpdate {
                    path: self.store.path().to_owned(),
                    doc: key.name(),
                    seq,
                    reason: e.to_string(),
                })?;
                if doc.version() != before {
                    if let Some(listener) = &self.listener {
                        listener(key, &data, UpdateSource::Remote);
                    }
                    if !changed.contains(&key) {
                        changed.push(key);
                    }
                }
                self.applied.insert(key, seq);
            }
        }
        Ok(changed)
    }

    fn add_document(&mut self, key: DocKey) -> Result<(), WorkspaceError> {
        self.store.ensure_document(key, self.env.now_millis())?;
        if !self.docs.contains_key(&key) {
            let mut doc = DpiaDoc::new(key, self.env.random_u64());
            if self.undo {
                doc.enable_undo();
            }
            self.docs.insert(key, doc);
            self.since_snapshot.insert(key, 0);
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn store(&self) -> &Store {
        &self.store
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

    pub fn doc(&self, key: DocKey) -> Result<&DpiaDoc, WorkspaceError> {
        self.docs.get(&key).ok_or(match key {
            DocKey::Supplement(code) => WorkspaceError::UnknownOrg(code),
            other => WorkspaceError::UnknownDocument { path: self.path().to_owned(), doc: other.name() },
        })
    }

    /// Edits one document in one transaction. Durable when this returns `Ok`; on any error
    /// the document is as it was before.
    pub fn edit<R>(
        &mut self,
        key: DocKey,
        author: &Author,
        f: impl FnOnce(&mut Edit<'_>) -> Result<R, DocError>,
    ) -> Result<R, WorkspaceError> {
        let doc = self.doc(key)?;
        let client_id = doc.client_id();
        match doc.edit(f) {
            Ok((result, update)) => {
                if !update.is_empty() {
                    self.persist(key, &update, author, Some(client_id), UpdateSource::Local)?;
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
        let doc = self.doc(key)?;
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
            self.persist(key, update, author, None, source)?;
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
        for doc in self.docs.values_mut() {
            doc.enable_undo();
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
        self.docs.values().any(DpiaDoc::can_undo)
    }

    pub fn can_redo(&self) -> bool {
        self.docs.values().any(DpiaDoc::can_redo)
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
            let Some(doc) = self.docs.get_mut(&key) else {
                order.pop();
                continue;
            };
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
            self.persist(key, &update, author, Some(client_id), UpdateSource::Local)?;
            return Ok(Some(key));
        }
    }

    /// Told about every durable update from now on.
    pub fn set_listener(&mut self, listener: Option<UpdateListener>) {
        self.listener = listener;
    }

    fn persist(&mut self, key: DocKey, update: &[u8], author: &Author, client_id: Option<u64>, source: UpdateSource) -> Result<(), WorkspaceError> {
        let meta = UpdateMeta { org: author.org, author: &author.name, client_id, at_millis: self.env.now_millis() };
        let seq = match self.store.append(key, update, &meta) {
            Ok(seq) => seq,
            Err(e) => {
                self.reload(key)?;
                return Err(e.into());
            }
        };
        // Only without a gap: a row another process wrote before ours is still to be read.
        let before = self.store.last_seq_before(key, seq)?;
        let applied = self.applied.entry(key).or_insert(0);
        if before <= *applied {
            *applied = seq;
        }
        if let Some(listener) = &self.listener {
            listener(key, update, source);
        }
        let pending = self.since_snapshot.entry(key).or_default();
        *pending += 1;
        if *pending >= COMPACT_AFTER {
            self.compact_doc(key)?;
        }
        Ok(())
    }

    fn reload(&mut self, key: DocKey) -> Result<(), WorkspaceError> {
        let (mut doc, pending, applied) = self.load(key)?;
        self.applied.insert(key, applied);
        if self.undo {
            doc.enable_undo();
            self.undo_order.retain(|k| *k != key);
            self.redo_order.retain(|k| *k != key);
        }
        self.docs.insert(key, doc);
        self.since_snapshot.insert(key, pending);
        Ok(())
    }

    fn compact_doc(&mut self, key: DocKey) -> Result<i64, WorkspaceError> {
        let doc = self.doc(key)?;
        // Not the log's end: another process may have appended what memory does not hold.
        let upto = *self.applied.get(&key).unwrap_or(&0);
        let folded = *self.since_snapshot.get(&key).unwrap_or(&0) as i64;
        self.store.write_snapshot(key, upto, &doc.encode_state(), self.env.now_millis())?;
        self.since_snapshot.insert(key, 0);
        Ok(folded)
    }

    /// Writes a fresh snapshot of every document, so opening replays no log.
    pub fn compact(&mut self) -> Result<CompactStats, WorkspaceError> {
        let keys: Vec<DocKey> = self.docs.keys().copied().collect();
        let mut stats = CompactStats::default();
        for key in keys {
            stats.updates_folded += self.compact_doc(key)?;
            stats.documents += 1;
        }
        Ok(stats)
    }

    // ---- Reading -------------------------------------------------------------------------

    pub fn coordination(&self) -> Result<Coordination, WorkspaceError> {
        self.doc(DocKey::Coordination)?.read_coordination().map_err(WorkspaceError::doc(DocKey::Coordination))
    }

    pub fn base(&self) -> Result<Base, WorkspaceError> {
        self.doc(DocKey::Base)?.read_base().map_err(WorkspaceError::doc(DocKey::Base))
    }

    pub fn supplement(&self, code: OrgCode) -> Result<Supplement, WorkspaceError> {
        let key = DocKey::Supplement(code);
        self.doc(key)?.read_supplement().map_err(WorkspaceError::doc(key))
    }

    /// Codes of the municipalities that have a supplement in this workspace.
    pub fn supplement_codes(&self) -> Vec<OrgCode> {
        self.docs
            .keys()
            .filter_map(|k| match k {
                DocKey::Supplement(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    pub fn participant(&self, code: OrgCode) -> Result<Participant, WorkspaceError> {
        self.coordination()?
            .participants
            .into_iter()
            .find(|p| p.code == Some(code))
            .ok_or(WorkspaceError::UnknownOrg(code))
    }

    /// The effective DPIA of one municipality: base ⊕ its supplement.
    pub fn effective(&self, code: OrgCode) -> Result<EffectiveDpia, WorkspaceError> {
        let coordination = self.coordination()?;
        let participant = coordination
            .participants
            .iter()
            .find(|p| p.code == Some(code))
            .cloned()
            .ok_or(WorkspaceError::UnknownOrg(code))?;
        let supplement = if self.docs.contains_key(&DocKey::Supplement(code)) {
            self.supplement(code)?
        } else {
            Supplement::default()
        };
        Ok(EffectiveDpia::compute(&coordination, &self.base()?, &supplement, &participant))
    }

    /// The joint base read as a DPIA without a supplement (what the coordinator checks,
    /// prints and signs).
    pub fn base_as_effective(&self) -> Result<EffectiveDpia, WorkspaceError> {
        let base_only = Participant::joint_base();
        Ok(EffectiveDpia::compute(&self.coordination()?, &self.base()?, &Supplement::default(), &base_only))
    }

    /// A municipality's effective DPIA, or with `None` the base alone.
    pub fn effective_or_base(&self, org: Option<OrgCode>) -> Result<EffectiveDpia, WorkspaceError> {
        match org {
            Some(code) => self.effective(code),
            None => self.base_as_effective(),
        }
    }

    /// The check of a municipality's effective DPIA (or, with `None`, of the base) as of `today`,
    /// under the municipality's acceptance policy, with the review triggers from the log.
    pub fn check(&self, org: Option<OrgCode>, today: Day) -> Result<crate::check::CheckReport, WorkspaceError> {
        let dpia = self.effective_or_base(org)?;
        let ctx = crate::check::CheckContext { is_base: org.is_none(), policy: self.acceptance_policy(org)?, today };
        let review = self.review_status(org)?;
        Ok(crate::check::check_with_review(&dpia, &ctx, Some(&review)))
    }

    /// The acceptance policy the check applies: the municipality's own if it set one, else
    /// the default (no high residual risk, medium at most 70 %).
    pub fn acceptance_policy(&self, code: Option<OrgCode>) -> Result<crate::check::AcceptancePolicy, WorkspaceError> {
        let mut policy = crate::check::AcceptancePolicy::default();
        if let Some(code) = code {
            if let Some(percent) = self.supplement(code)?.meta.max_medium_percent {
                policy.max_medium_percent = percent.min(100) as u8;
            }
        }
        Ok(policy)
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

// The app keeps the workspace in state shared between threads: it must stay `Send` (Yrs'
// `sync` feature makes the undo manager's observers so).
#[cfg(test)]
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Workspace>();
};
