//! A read-only view of a workspace: what the queries — history, comparison, overview, check —
//! read. [`Workspace`] keeps the invariants and applies changes; a [`View`] only answers
//! (as rust-analyzer's `AnalysisHost` and `Analysis`). Points in the past start from the
//! nearest kept snapshot, never from the start of the log.

use super::{Workspace, WorkspaceError};
use crate::doc::{DocKey, DpiaDoc, IdSpan};
use crate::effective::{EffectiveDpia, SharedBase};
use crate::model::*;
use crate::store::{KnownAuthor, StoredChange};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

/// A read-only view of a workspace (see the module documentation). Cheap to make; it reads
/// each document at a past position once.
pub struct View<'w> {
    ws: &'w Workspace,
    /// Documents read at past log positions: the overview of 98 municipalities reads the
    /// base as of the last review once, not 98 times.
    at: RefCell<HashMap<(DocKey, i64), std::rc::Rc<DpiaDoc>>>,
    /// Coordination and base as read at past positions (and now), for the same reason.
    shared_at: RefCell<HashMap<i64, std::rc::Rc<(Coordination, Base)>>>,
    current: RefCell<Option<std::rc::Rc<(Coordination, Base)>>>,
    /// Supplements as they stand, read once per view (the check reads the acceptance policy
    /// beside the effective DPIA).
    supplements: RefCell<HashMap<OrgCode, std::rc::Rc<Supplement>>>,
    /// Documents' last log positions and the review baseline, read once per view (the
    /// overview asks them for each of 98 municipalities; nothing is written while a view
    /// lives: it borrows the workspace).
    last_seqs: RefCell<HashMap<DocKey, i64>>,
    baseline: std::cell::Cell<Option<i64>>,
    /// The bases read above (now, at past positions) as effective DPIAs share them: made
    /// once per base read, so 98 municipalities' DPIAs share the base's items.
    shared_bases: RefCell<Vec<SharedRead>>,
}

/// A coordination and base read, and its base as effective DPIAs share it.
type SharedRead = (std::rc::Rc<(Coordination, Base)>, std::sync::Arc<SharedBase>);

/// The setting that records up to which log position the file's content came in by import
/// or creation: content older than the file itself counts as reviewed by the reviews it
/// carries, not as "added since the last review".
pub(crate) const REVIEW_BASELINE: &str = "review_baseline_seq";

impl Workspace {
    /// A read-only view for queries.
    pub fn view(&self) -> View<'_> {
        View {
            ws: self,
            at: RefCell::default(),
            shared_at: RefCell::default(),
            current: RefCell::default(),
            supplements: RefCell::default(),
            last_seqs: RefCell::default(),
            baseline: Default::default(),
            shared_bases: RefCell::default(),
        }
    }
}

impl<'w> View<'w> {
    pub fn path(&self) -> &Path {
        self.ws.store.path()
    }

    pub fn keys(&self) -> impl Iterator<Item = DocKey> + '_ {
        self.ws.docs.keys().copied()
    }

    /// That the file has document `key` (without reading it): `UnknownOrg` for a
    /// municipality without a supplement here.
    pub fn require(&self, key: DocKey) -> Result<(), WorkspaceError> {
        if self.ws.docs.contains_key(&key) {
            Ok(())
        } else {
            Err(self.ws.unknown(key))
        }
    }

    /// A document as it stands (read-only).
    pub fn doc(&self, key: DocKey) -> Result<&'w DpiaDoc, WorkspaceError> {
        self.ws.doc(key)
    }

    pub fn coordination(&self) -> Result<Coordination, WorkspaceError> {
        Ok(self.current()?.0.clone())
    }

    pub fn base(&self) -> Result<Base, WorkspaceError> {
        Ok(self.current()?.1.clone())
    }

    /// Coordination and base as they stand, read once per view.
    pub fn current(&self) -> Result<std::rc::Rc<(Coordination, Base)>, WorkspaceError> {
        if let Some(c) = self.current.borrow().as_ref() {
            return Ok(c.clone());
        }
        let read = std::rc::Rc::new((self.ws.coordination()?, self.ws.base()?));
        *self.current.borrow_mut() = Some(read.clone());
        Ok(read)
    }

    pub fn supplement(&self, code: OrgCode) -> Result<Supplement, WorkspaceError> {
        Ok(Supplement::clone(&*self.supplement_shared(code)?))
    }

    /// A supplement as it stands, read once per view and shared.
    pub(crate) fn supplement_shared(&self, code: OrgCode) -> Result<std::rc::Rc<Supplement>, WorkspaceError> {
        if let Some(s) = self.supplements.borrow().get(&code) {
            return Ok(s.clone());
        }
        let read = std::rc::Rc::new(self.ws.supplement(code)?);
        self.supplements.borrow_mut().insert(code, read.clone());
        Ok(read)
    }

    pub fn supplement_codes(&self) -> Vec<OrgCode> {
        self.ws.supplement_codes()
    }

    pub fn participant(&self, code: OrgCode) -> Result<Participant, WorkspaceError> {
        self.current()?.0.participants.iter().find(|p| p.code == Some(code)).cloned().ok_or(WorkspaceError::UnknownOrg(code))
    }

    /// The effective DPIA of one municipality: base ⊕ its supplement.
    pub fn effective(&self, code: OrgCode) -> Result<EffectiveDpia, WorkspaceError> {
        let current = self.current()?;
        let coordination = &current.0;
        let participant = coordination.participants.iter().find(|p| p.code == Some(code)).cloned().ok_or(WorkspaceError::UnknownOrg(code))?;
        let supplement = if self.ws.docs.contains_key(&DocKey::Supplement(code)) { self.supplement_shared(code)? } else { Default::default() };
        Ok(self.effective_on(&current, &supplement, &participant))
    }

    /// The joint base read as a DPIA without a supplement.
    pub fn base_as_effective(&self) -> Result<EffectiveDpia, WorkspaceError> {
        let current = self.current()?;
        Ok(self.effective_on(&current, &Supplement::default(), &Participant::joint_base()))
    }

    /// [`EffectiveDpia::compute`] on a coordination and base this view read (now:
    /// [`View::current`], or at a past position), sharing the base's items with every other
    /// effective DPIA the view builds on the same read.
    pub fn effective_on(&self, read: &std::rc::Rc<(Coordination, Base)>, supplement: &Supplement, participant: &Participant) -> EffectiveDpia {
        EffectiveDpia::compute_on(&read.0, || self.shared_base(read), supplement, participant)
    }

    fn shared_base(&self, read: &std::rc::Rc<(Coordination, Base)>) -> std::sync::Arc<SharedBase> {
        if let Some((_, shared)) = self.shared_bases.borrow().iter().find(|(r, _)| std::rc::Rc::ptr_eq(r, read)) {
            return shared.clone();
        }
        let shared = std::sync::Arc::new(SharedBase::of(&read.1));
        self.shared_bases.borrow_mut().push((read.clone(), shared.clone()));
        shared
    }

    /// A municipality's effective DPIA, or with `None` the base alone.
    pub fn effective_or_base(&self, org: Option<OrgCode>) -> Result<EffectiveDpia, WorkspaceError> {
        match org {
            Some(code) => self.effective(code),
            None => self.base_as_effective(),
        }
    }

    // ---- The log -------------------------------------------------------------------------

    /// The highest log position over all documents; 0 for an empty log.
    pub fn head_seq(&self) -> Result<i64, WorkspaceError> {
        Ok(self.ws.store.head_seq()?)
    }

    /// The highest log position of a document.
    pub fn last_seq(&self, key: DocKey) -> Result<i64, WorkspaceError> {
        if let Some(seq) = self.last_seqs.borrow().get(&key) {
            return Ok(*seq);
        }
        let seq = self.ws.store.last_seq(key)?;
        self.last_seqs.borrow_mut().insert(key, seq);
        Ok(seq)
    }

    /// The last log position written at or before `at_millis` (by the log's clock).
    pub fn seq_at(&self, at_millis: i64) -> Result<i64, WorkspaceError> {
        Ok(self.ws.store.seq_at(at_millis)?)
    }

    /// The log position up to which content counts as reviewed (see `REVIEW_BASELINE`).
    pub fn review_baseline(&self) -> Result<i64, WorkspaceError> {
        if let Some(seq) = self.baseline.get() {
            return Ok(seq);
        }
        let seq = self.ws.store.setting(REVIEW_BASELINE)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        self.baseline.set(Some(seq));
        Ok(seq)
    }

    /// Number of updates of a document and its last one's position and time.
    pub fn log_stats(&self, key: DocKey) -> Result<(i64, Option<(i64, i64)>), WorkspaceError> {
        Ok(self.ws.store.doc_log_stats(key)?)
    }

    /// A page of the stored history (see [`crate::store::Store::changes_page`]).
    pub(crate) fn changes_page(&self, docs: &[String], item: Option<&str>, cursor: Option<i64>, limit: usize, newest_first: bool) -> Result<Vec<StoredChange>, WorkspaceError> {
        Ok(self.ws.store.changes_page(docs, item, cursor, limit, newest_first)?)
    }

    /// Whether document `key` has an update at or before `seq` (a restoration to before its
    /// first change would empty it).
    pub fn has_updates_upto(&self, key: DocKey, seq: i64) -> Result<bool, WorkspaceError> {
        Ok(self.ws.store.first_seq(key)?.is_some_and(|first| first <= seq))
    }

    /// The organisation the hub bound a CRDT client id to, and who first deleted a span.
    pub fn client_author(&self, client: u64) -> Result<Option<KnownAuthor>, WorkspaceError> {
        Ok(self.ws.store.client_author(client)?)
    }

    pub fn deletion_authors(&self, key: DocKey, span: IdSpan) -> Result<Vec<KnownAuthor>, WorkspaceError> {
        Ok(self.ws.store.deletion_authors(key, span)?)
    }

    // ---- The past ------------------------------------------------------------------------

    /// Document `key` as it was just after log position `seq`: the kept snapshot nearest
    /// before it plus the updates in between (at most a snapshot interval's worth), or the
    /// document in memory when nothing of it was logged since `seq`.
    pub fn document_at(&self, key: DocKey, seq: i64) -> Result<std::rc::Rc<DpiaDoc>, WorkspaceError> {
        if let Some(doc) = self.at.borrow().get(&(key, seq)) {
            return Ok(doc.clone());
        }
        let doc = std::rc::Rc::new(self.ws.build_document_at(key, seq)?);
        self.at.borrow_mut().insert((key, seq), doc.clone());
        Ok(doc)
    }

    /// A document's model just after log position `seq` — a kept model, memory when nothing
    /// of it was logged since, or decoded from the nearest kept snapshot (and then kept).
    pub(crate) fn model_at<T: super::DocModel>(&self, key: DocKey, seq: i64) -> Result<T, WorkspaceError> {
        self.ws.model_at(key, Some(seq))
    }

    /// The coordination and base documents as they were just after `seq`, read once per view.
    pub fn shared_at(&self, seq: i64) -> Result<std::rc::Rc<(Coordination, Base)>, WorkspaceError> {
        if let Some(c) = self.shared_at.borrow().get(&seq) {
            return Ok(c.clone());
        }
        let read = std::rc::Rc::new((
            self.model_at(DocKey::Coordination, seq)?,
            self.model_at(DocKey::Base, seq)?,
        ));
        self.shared_at.borrow_mut().insert(seq, read.clone());
        Ok(read)
    }

    /// The answer to `key` computed from `inputs` (the log positions it read): kept by the
    /// workspace across views, and in the file across commands (`answers`).
    pub(crate) fn memo(&self, key: &str, inputs: &str) -> Option<serde_json::Value> {
        {
            let memo = self.ws.memo.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, v)) = memo.get(key).filter(|(i, _)| i == inputs) {
                return Some(v.clone());
            }
        }
        let kept: serde_json::Value = serde_json::from_str(&self.ws.store.answer(key, inputs, super::models::MODEL_FORMAT).ok()??).ok()?;
        self.ws.memo.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), (inputs.to_owned(), kept.clone()));
        Some(kept)
    }

    /// Keeps an answer (in the file best effort: it only saves computing it again).
    pub(crate) fn remember(&self, key: &str, inputs: &str, value: serde_json::Value) {
        let _ = self.ws.store.keep_answer(key, inputs, super::models::MODEL_FORMAT, &value.to_string());
        let mut memo = self.ws.memo.lock().unwrap_or_else(|p| p.into_inner());
        memo.insert(key.to_owned(), (inputs.to_owned(), value));
    }
}

