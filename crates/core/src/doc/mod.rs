//! The document layer: the DPIA model stored in Yrs CRDT documents.
//!
//! One document per write scope, so a hub can let a municipality write its own supplement
//! and nothing else (a CRDT update cannot be partly accepted):
//! - the **coordination** document (coordinator, participants, base write policy),
//! - the **base** document (the joint DPIA every participant shares),
//! - one **supplement** document per municipality,
//! - the **remarks** documents of the høring, one per writer and visibility ([`RemarkScope`]).
//!
//! Each document has root maps: singleton sections (`meta`, `description`, `wp248` …) and
//! collections (`risks`, `measures` …) that map an item's id to the item's map. Outside this
//! module nothing touches Yrs types directly: callers use [`Item`], [`Section`] and [`Edit`].

mod fields;
pub mod guard;
pub mod remarks;
mod schema;

pub use schema::CoordinationMeta;

use crate::model::catalogue::Home;
use crate::model::*;
use fields::Record;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use yrs::undo::UndoManager;
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, Map, MapPrelim, MapRef, OffsetKind, Options, Out, ReadTxn, StateVector, Transact, TransactionMut, Update, WriteTxn};

/// What went wrong inside a document.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocError {
    #[error("the document has {found} at «{path}» where {expected} belongs")]
    Shape { path: String, expected: String, found: String },
    #[error("the update is not a valid Yjs/Yrs update: {0}")]
    Update(String),
    /// Refused before decoding: nested too deeply, or counts its bytes cannot hold.
    #[error(transparent)]
    Guard(#[from] guard::GuardError),
    #[error("no {kind} with id {id} in the {doc} document")]
    NotFound { kind: &'static str, id: String, doc: String },
    #[error("a {kind} belongs in {allowed}, not in the {doc} document")]
    WrongDocument { kind: &'static str, allowed: String, doc: String },
    /// A document name (`base`, `coordination`, `supplement/101`) that names none.
    #[error("«{0}» names no document")]
    NoSuchDocument(String),
    #[error("a {kind} needs an id")]
    NoId { kind: &'static str },
    /// Ids are stable: an edit may not give an item another one.
    #[error("the id of {kind} {id} cannot change")]
    IdChanged { kind: &'static str, id: String },
    /// A value from outside (the webview, a patch) that does not have the model's shape.
    #[error("{what}: {message} at «{path}»")]
    BadValue { what: String, path: String, message: String },
    /// Items that only exist beside a base item (an override, a not-applicable marking).
    #[error("a {kind} is made for a base item, not created empty")]
    NotCreatedEmpty { kind: &'static str },
    #[error("a {what} needs a municipality code")]
    NoOrgCode { what: &'static str },
    #[error("no item has the reference {0}")]
    NoSuchReference(String),
    /// Stored content at a point in the log that no longer reads as the model.
    #[error("the content at {point} does not read back: {message}")]
    Unreadable { point: String, message: String },
}

impl DocError {
    /// Prefixes the error's path with the key it was found under.
    pub(crate) fn within(self, key: &str) -> DocError {
        match self {
            DocError::Shape { path, expected, found } if !path.starts_with(key) => {
                DocError::Shape { path: format!("{key}.{path}"), expected, found }
            }
            other => other,
        }
    }
    pub(crate) fn unnested(self) -> DocError {
        match self {
            DocError::Shape { path, expected, found } => {
                // "f.f.x" happens when a field's own read already added its key
                let mut parts: Vec<&str> = path.split('.').collect();
                parts.dedup();
                DocError::Shape { path: parts.join("."), expected, found }
            }
            other => other,
        }
    }
}

/// Which document: the write scope a hub enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKey {
    Coordination,
    Base,
    Supplement(OrgCode),
    /// The remarks (bemærkninger) of one party in the høring: its comments, replies and
    /// thread states, a municipality's answers to hearing rounds, the coordinator's rounds
    /// and answers to comments. One document per writer and visibility, so a hub can let
    /// København write only København's remarks (see [`RemarkScope`]).
    Remarks(RemarkScope),
}

/// Who takes part in a høring: the coordinator or a municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    Coordinator,
    Org(OrgCode),
}

impl Party {
    /// `coordinator` or the municipality code, as in document names and comment references.
    pub fn name(&self) -> String {
        match self {
            Party::Coordinator => "coordinator".into(),
            Party::Org(code) => code.to_string(),
        }
    }
    pub fn parse(s: &str) -> Option<Party> {
        if s == "coordinator" {
            Some(Party::Coordinator)
        } else {
            s.parse::<OrgCode>().ok().map(Party::Org)
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// One remarks document: who writes it, and — for the threads on a municipality's own
/// supplement — which municipality (only it and the coordinator read those).
///
/// `remarks/101` (København on the base, read by all), `remarks/coordinator` (the
/// coordinator: rounds, answers, its own comments; read by all), `remarks/101/101`
/// (København on its supplement) and `remarks/coordinator/101` (the coordinator's answers
/// there) — the last two read only by København and the coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RemarkScope {
    pub by: Party,
    /// The supplement whose private threads these are; `None` for the public document.
    pub private: Option<OrgCode>,
}

impl RemarkScope {
    pub fn public(by: Party) -> Self {
        RemarkScope { by, private: None }
    }
    /// The document `by` writes its remarks on `supplement` into (both parties read it).
    pub fn on_supplement(by: Party, supplement: OrgCode) -> Self {
        RemarkScope { by, private: Some(supplement) }
    }
}

/// The kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Coordination,
    Base,
    Supplement,
    Remarks { coordinator: bool, private: bool },
}

impl DocKey {
    pub fn kind(&self) -> DocKind {
        match self {
            DocKey::Coordination => DocKind::Coordination,
            DocKey::Base => DocKind::Base,
            DocKey::Supplement(_) => DocKind::Supplement,
            DocKey::Remarks(s) => DocKind::Remarks { coordinator: s.by == Party::Coordinator, private: s.private.is_some() },
        }
    }
    /// The name used in storage and on the wire: `coordination`, `base`, `supplement/101`,
    /// `remarks/101`, `remarks/coordinator/101`.
    pub fn name(&self) -> String {
        match self {
            DocKey::Coordination => "coordination".into(),
            DocKey::Base => "base".into(),
            DocKey::Supplement(code) => format!("supplement/{code}"),
            DocKey::Remarks(RemarkScope { by, private: None }) => format!("remarks/{by}"),
            DocKey::Remarks(RemarkScope { by, private: Some(code) }) => format!("remarks/{by}/{code}"),
        }
    }
    pub fn parse(s: &str) -> Result<DocKey, DocError> {
        let none = || DocError::NoSuchDocument(s.to_owned());
        match s {
            "coordination" => Ok(DocKey::Coordination),
            "base" => Ok(DocKey::Base),
            _ if s.starts_with("remarks/") => {
                let mut parts = s["remarks/".len()..].split('/');
                let by = parts.next().and_then(Party::parse).ok_or_else(none)?;
                let private = match parts.next() {
                    None => None,
                    Some(code) => Some(code.parse::<OrgCode>().map_err(|_| none())?),
                };
                // A municipality's private remarks are on its own supplement only.
                let valid = parts.next().is_none()
                    && match (by, private) {
                        (Party::Org(o), Some(p)) => o == p,
                        _ => true,
                    };
                if !valid {
                    return Err(none());
                }
                Ok(DocKey::Remarks(RemarkScope { by, private }))
            }
            _ => s
                .strip_prefix("supplement/")
                .and_then(|c| c.parse::<OrgCode>().ok())
                .map(DocKey::Supplement)
                .ok_or_else(none),
        }
    }
}

impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

const SHARED: &[DocKind] = &[DocKind::Base, DocKind::Supplement];
const SUPPLEMENT: &[DocKind] = &[DocKind::Supplement];
const BASE: &[DocKind] = &[DocKind::Base];
const COORDINATION: &[DocKind] = &[DocKind::Coordination];
const BASE_AND_SUPPLEMENT_SECTIONS: &[DocKind] = SHARED;

fn kinds_text(kinds: &[DocKind]) -> String {
    kinds
        .iter()
        .map(|k| match k {
            DocKind::Coordination => "the coordination document",
            DocKind::Base => "the base",
            DocKind::Supplement => "a supplement",
            DocKind::Remarks { .. } => "a remarks document",
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A kind of item kept in a collection, keyed by a stable id.
pub trait Item: Record + Default + Clone + fmt::Debug {
    /// Name of the collection's root map.
    const ROOT: &'static str;
    /// Letter(s) of the short reference, e.g. "R" for risks; empty for items without one.
    const REF_LETTER: &'static str;
    /// Human name for messages.
    const NAME: &'static str;
    /// Which documents may hold this kind of item.
    const IN: &'static [DocKind];
    fn key(&self) -> String;
    fn reference(&self) -> Option<&Reference>;
}

/// An item kind that the base and the supplements share (a supplement adds them locally).
pub trait SharedItem: Item {
    fn of(items: &Items) -> &Vec<Self>;
    fn of_mut(items: &mut Items) -> &mut Vec<Self>;
}

/// A singleton part of a document (metadata, description, WP248 screening …).
pub trait Section: Record + Default {
    const ROOT: &'static str;
    const IN: &'static [DocKind];
}

impl Home {
    /// The documents a kind at home here may live in.
    pub const fn documents(self) -> &'static [DocKind] {
        match self {
            Home::Shared => SHARED,
            Home::Supplement => SUPPLEMENT,
            Home::Coordination => COORDINATION,
        }
    }
}

macro_rules! item_impls {
    (
        shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ }
        supplement { $($l:ident => $lc:ident, key $lk:expr, $lv:ident, $ls:literal, $lda:literal / $len:literal;)+ }
        coordination { $($c:ident => $cc:ident, key $ck:expr, $cv:ident, $cda:literal / $cen:literal;)+ }
    ) => {
        $(
            impl Item for $s {
                const ROOT: &'static str = stringify!($sc);
                const REF_LETTER: &'static str = $sl;
                const NAME: &'static str = $sen;
                const IN: &'static [DocKind] = Home::Shared.documents();
                fn key(&self) -> String { self.id.0.clone() }
                fn reference(&self) -> Option<&Reference> { Some(&self.reference) }
            }
            impl SharedItem for $s {
                fn of(items: &Items) -> &Vec<Self> { &items.$sc }
                fn of_mut(items: &mut Items) -> &mut Vec<Self> { &mut items.$sc }
            }
        )+
        $(item_impls!(@keyed $l, $lc, $lk, $len, Supplement);)+
        $(item_impls!(@keyed $c, $cc, $ck, $cen, Coordination);)+

        /// Applies `$m!` to every shared collection type.
        macro_rules! for_each_shared_item {
            ($m:ident) => { $( $m!($s); )+ };
        }
        /// Applies `$m!` to every item type.
        macro_rules! for_each_item {
            ($m:ident) => { $( $m!($s); )+ $( $m!($l); )+ $( $m!($c); )+ };
        }
    };
    (@keyed $t:ident, $root:ident, $key:expr, $name:literal, $home:ident) => {
        impl Item for $t {
            const ROOT: &'static str = stringify!($root);
            const REF_LETTER: &'static str = "";
            const NAME: &'static str = $name;
            const IN: &'static [DocKind] = Home::$home.documents();
            fn key(&self) -> String { ($key)(self) }
            fn reference(&self) -> Option<&Reference> { None }
        }
    };
}
crate::item_catalogue!(item_impls);

macro_rules! sections {
    ($($t:ty => $root:literal in $kinds:expr;)+) => {$(
        impl Section for $t {
            const ROOT: &'static str = $root;
            const IN: &'static [DocKind] = $kinds;
        }
    )+};
}

sections! {
    BaseMeta => "meta" in BASE;
    Description => "description" in BASE;
    Wp248 => "wp248" in BASE;
    PriorConsultation => "prior_consultation" in BASE_AND_SUPPLEMENT_SECTIONS;
    ReviewPlan => "review_plan" in BASE_AND_SUPPLEMENT_SECTIONS;
    SupplementMeta => "meta" in SUPPLEMENT;
    JointConditions => "conditions" in SUPPLEMENT;
    CoordinationMeta => "meta" in COORDINATION;
}

/// One Yrs document holding one write scope of a joint DPIA.
pub struct DpiaDoc {
    doc: Doc,
    key: DocKey,
    undo: Option<Undo>,
}

/// Origin of transactions that bring changes from elsewhere (the file, a peer, the hub):
/// never undone by the local user's undo.
const REMOTE: &str = "remote";
/// Key of the update observer that captures what an undo or redo changed.
const UNDO_CAPTURE: &str = "undo-capture";

/// The local user's undo history of one document, and the updates its steps produce.
struct Undo {
    manager: UndoManager<()>,
    captured: Arc<Mutex<Vec<Vec<u8>>>>,
}

/// The root maps a document of `kind` can hold (the undo scope).
pub fn modelled_roots(kind: DocKind) -> Vec<&'static str> {
    let mut names = Vec::new();
    macro_rules! root {
        ($t:ty) => {
            if <$t as Item>::IN.contains(&kind) {
                names.push(<$t as Item>::ROOT);
            }
        };
    }
    for_each_item!(root);
    macro_rules! section {
        ($($t:ty),+) => {$( if <$t as Section>::IN.contains(&kind) && !names.contains(&<$t as Section>::ROOT) { names.push(<$t as Section>::ROOT); } )+};
    }
    section!(BaseMeta, Description, Wp248, PriorConsultation, ReviewPlan, SupplementMeta, JointConditions, CoordinationMeta);
    if let DocKind::Remarks { coordinator, private } = kind {
        names.extend(remarks::roots(coordinator, private));
    }
    names
}

impl fmt::Debug for DpiaDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DpiaDoc({})", self.key)
    }
}

/// The CRDT ids `start..end` of one client: blocks it inserted, or that were deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdSpan {
    pub client: u64,
    pub start: u32,
    pub end: u32,
}

/// What an update brings that a document lacks ([`DpiaDoc::novelty`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateIds {
    /// New blocks: the client id is the writer's.
    pub inserted: Vec<IdSpan>,
    /// New deletions: the client id is the one that inserted what is deleted, not the
    /// deleter's (a CRDT delete set does not name who deleted).
    pub deleted: Vec<IdSpan>,
}

impl UpdateIds {
    pub fn is_empty(&self) -> bool {
        self.inserted.is_empty() && self.deleted.is_empty()
    }
}

/// Keeps a client id inside the 53 bits JavaScript numbers hold exactly, and non-zero.
pub fn client_id_from(random: u64) -> u64 {
    (random & ((1u64 << 53) - 1)).max(1)
}

fn read_items<T: Item, R: ReadTxn>(doc: &Doc, txn: &R) -> Result<Vec<T>, DocError> {
    let Some(root) = txn.get_map(T::ROOT) else { return Ok(Vec::new()) };
    let mut items = Vec::new();
    for (key, value) in root.iter(txn) {
        match value {
            Out::YMap(map) => {
                items.push(T::read(&map, txn).map_err(|e| e.within(&format!("{}.{key}", T::ROOT)))?)
            }
            other => return Err(fields::shape_error(&format!("{}.{key}", T::ROOT), "an item", &other)),
        }
    }
    let _ = doc;
    items.sort_by(|a, b| match (a.reference(), b.reference()) {
        (Some(ra), Some(rb)) => ra.cmp(rb).then_with(|| a.key().cmp(&b.key())),
        _ => a.key().cmp(&b.key()),
    });
    Ok(items)
}

fn read_section<S: Section, R: ReadTxn>(txn: &R) -> Result<S, DocError> {
    match txn.get_map(S::ROOT) {
        Some(map) => S::read(&map, txn).map_err(|e| e.within(S::ROOT)),
        None => Ok(S::default()),
    }
}

impl DpiaDoc {
    /// An empty document. `client_id` must be fresh for every session that edits it.
    pub fn new(key: DocKey, client_id: u64) -> Self {
        let doc = Doc::with_options(Options {
            client_id: ClientID::new(client_id_from(client_id)),
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        });
        // Root maps must exist before Yjs-compatible peers bind to them.
        DpiaDoc { doc, key, undo: None }
    }

    /// Starts an undo history for the local user: edits and local updates from here on can
    /// be undone; changes from elsewhere (the hub, other peers) are never undone.
    pub fn enable_undo(&mut self) {
        if self.undo.is_some() {
            return;
        }
        let mut manager = UndoManager::with_options(yrs::undo::Options::default());
        for name in modelled_roots(self.key.kind()) {
            let root = self.doc.get_or_insert_map(name);
            manager.expand_scope(&self.doc, &root);
        }
        let captured: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let sink = captured.clone();
        let _ = self.doc.observe_update_v1(UNDO_CAPTURE, move |_, e| {
            sink.lock().unwrap_or_else(|p| p.into_inner()).push(e.update.clone());
        });
        self.undo = Some(Undo { manager, captured });
    }

    pub fn can_undo(&self) -> bool {
        self.undo.as_ref().is_some_and(|u| u.manager.can_undo())
    }

    pub fn can_redo(&self) -> bool {
        self.undo.as_ref().is_some_and(|u| u.manager.can_redo())
    }

    /// After an undo (or redo) step, whether another one of the same kind is possible.
    pub fn can_undo_or_redo(&self, redo: bool) -> bool {
        if redo {
            self.can_redo()
        } else {
            self.can_undo()
        }
    }

    /// Undoes (or with `redo`, redoes) the local user's last step; returns the update it
    /// made, or `None` if there was nothing to do.
    pub fn undo_step(&mut self, redo: bool) -> Option<Vec<u8>> {
        let undo = self.undo.as_mut()?;
        undo.captured.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let done = if redo { undo.manager.redo_blocking() } else { undo.manager.undo_blocking() };
        let updates = std::mem::take(&mut *undo.captured.lock().unwrap_or_else(|p| p.into_inner()));
        if !done || updates.is_empty() {
            return None;
        }
        Some(if updates.len() == 1 { updates.into_iter().next().unwrap() } else { yrs::merge_updates_v1(&updates).ok()? })
    }

    pub fn key(&self) -> DocKey {
        self.key
    }

    pub fn client_id(&self) -> u64 {
        self.doc.client_id().get()
    }

    /// The underlying Yrs document, for sync and for binding editors.
    pub fn yrs(&self) -> &Doc {
        &self.doc
    }

    /// Applies a v1 update from storage or a peer. Malformed bytes are refused with an error,
    /// and so is a update that makes the decoder panic (a hostile peer must not crash us).
    /// The local user's undo does not undo it.
    pub fn apply_update(&self, update: &[u8]) -> Result<(), DocError> {
        self.apply(update, true)
    }

    /// Applies a v1 update the local user made elsewhere (the webview's text editor): it is
    /// part of the user's undo history.
    pub fn apply_local_update(&self, update: &[u8]) -> Result<(), DocError> {
        self.apply(update, false)
    }

    fn apply(&self, update: &[u8], remote: bool) -> Result<(), DocError> {
        // Yrs decodes nested values by recursion: bound them first (see `guard`).
        guard::check_update_v1(update)?;
        let decoded = catch_unwind(|| Update::decode_v1(update))
            .map_err(|_| DocError::Update("the decoder rejected it".into()))?
            .map_err(|e| DocError::Update(e.to_string()))?;
        catch_unwind(AssertUnwindSafe(|| {
            let mut txn = if remote { self.doc.transact_mut_with(REMOTE) } else { self.doc.transact_mut() };
            txn.apply_update(decoded)
        }))
        .map_err(|_| DocError::Update("applying it failed".into()))?
        .map_err(|e| DocError::Update(e.to_string()))
    }

    /// What a v1 update would bring that this document lacks (call it before applying):
    /// its new insertions, by the CRDT client ids that made them, and its new deletions, by
    /// the ids of what they delete. A Yjs SyncStep2 carries the sender's whole delete set, so
    /// only deletions the document does not have yet count.
    pub fn novelty(&self, update: &[u8]) -> Result<UpdateIds, DocError> {
        let decoded = catch_unwind(|| Update::decode_v1(update))
            .map_err(|_| DocError::Update("the decoder rejected it".into()))?
            .map_err(|e| DocError::Update(e.to_string()))?;
        let txn = self.doc.transact();
        let sv = txn.state_vector();
        let mut ids = UpdateIds::default();
        for (client, ranges) in decoded.insertions(true).iter() {
            let have = sv.get(client);
            for r in ranges.iter() {
                if r.end > have {
                    ids.inserted.push(IdSpan { client: client.get(), start: r.start.max(have), end: r.end });
                }
            }
        }
        if !decoded.delete_set().is_empty() {
            let have = txn.snapshot().delete_set;
            for (client, ranges) in decoded.delete_set().diff(&have).iter() {
                for r in ranges.iter() {
                    ids.deleted.push(IdSpan { client: client.get(), start: r.start, end: r.end });
                }
            }
        }
        Ok(ids)
    }

    /// The whole document as one update.
    pub fn encode_state(&self) -> Vec<u8> {
        self.doc.transact().encode_state_as_update_v1(&StateVector::default())
    }

    pub fn state_vector(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.doc.transact().state_vector().encode_v1()
    }

    /// The state vector and the delete set: unlike the state vector alone, it also changes
    /// when an update only deletes (a peer erasing text adds no blocks).
    pub fn version(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.doc.transact().snapshot().encode_v1()
    }

    /// What a peer with state vector `sv` is missing.
    pub fn encode_diff(&self, sv: &[u8]) -> Result<Vec<u8>, DocError> {
        guard::check_state_vector_v1(sv)?;
        let sv = StateVector::decode_v1(sv).map_err(|e| DocError::Update(e.to_string()))?;
        Ok(self.doc.transact().encode_state_as_update_v1(&sv))
    }

    fn check_kind(&self, kinds: &[DocKind], name: &'static str) -> Result<(), DocError> {
        if kinds.contains(&self.key.kind()) {
            Ok(())
        } else {
            Err(DocError::WrongDocument { kind: name, allowed: kinds_text(kinds), doc: self.key.name() })
        }
    }

    /// Runs `f` in one transaction and returns its result with the update it produced
    /// (empty if nothing changed). On error nothing should be persisted: the caller reloads.
    pub fn edit<R>(&self, f: impl FnOnce(&mut Edit<'_>) -> Result<R, DocError>) -> Result<(R, Vec<u8>), DocError> {
        let mut edit = Edit { txn: self.doc.transact_mut(), doc: self };
        let result = f(&mut edit)?;
        // A deletion adds no new clock, so "nothing changed" needs both checks.
        let unchanged = edit.txn.before_state() == &edit.txn.state_vector() && edit.txn.delete_set().is_empty();
        let update = if unchanged {
            Vec::new()
        } else {
            edit.txn.encode_update_v1()
        };
        Ok((result, update))
    }

    pub fn list<T: Item>(&self) -> Result<Vec<T>, DocError> {
        read_items(&self.doc, &self.doc.transact())
    }

    pub fn get<T: Item>(&self, id: &ItemId) -> Result<Option<T>, DocError> {
        get_item(&self.doc.transact(), id)
    }

    pub fn section<S: Section>(&self) -> Result<S, DocError> {
        read_section(&self.doc.transact())
    }

    pub fn read_base(&self) -> Result<Base, DocError> {
        self.check_kind(BASE, "base")?;
        let txn = self.doc.transact();
        Ok(Base {
            meta: read_section(&txn)?,
            description: read_section(&txn)?,
            wp248: read_section(&txn)?,
            prior_consultation: read_section(&txn)?,
            review_plan: read_section(&txn)?,
            items: read_all_items(&self.doc, &txn)?,
        })
    }

    pub fn read_coordination(&self) -> Result<Coordination, DocError> {
        self.check_kind(COORDINATION, "coordination")?;
        let txn = self.doc.transact();
        let meta: CoordinationMeta = read_section(&txn)?;
        let mut releases: Vec<Release> = read_items(&self.doc, &txn)?;
        releases.sort_by(|a, b| a.published_at.cmp(&b.published_at).then_with(|| a.name.cmp(&b.name)));
        Ok(Coordination {
            coordinator: meta.coordinator,
            base_write_policy: meta.base_write_policy,
            participants: read_items(&self.doc, &txn)?,
            releases,
        })
    }
}

fn read_all_items<R: ReadTxn>(doc: &Doc, txn: &R) -> Result<Items, DocError> {
    let mut items = Items::default();
    macro_rules! read_one {
        ($t:ty) => {
            *<$t as SharedItem>::of_mut(&mut items) = read_items::<$t, R>(doc, txn)?;
        };
    }
    for_each_shared_item!(read_one);
    Ok(items)
}

fn get_item<T: Item, R: ReadTxn>(txn: &R, id: &ItemId) -> Result<Option<T>, DocError> {
    let Some(root) = txn.get_map(T::ROOT) else { return Ok(None) };
    match root.get(txn, id.as_str()) {
        Some(Out::YMap(map)) => T::read(&map, txn).map(Some),
        None => Ok(None),
        Some(other) => Err(fields::shape_error(&format!("{}.{id}", T::ROOT), "an item", &other)),
    }
}

/// An open transaction on one document, with typed operations.
pub struct Edit<'d> {
    txn: TransactionMut<'d>,
    doc: &'d DpiaDoc,
}

impl Edit<'_> {
    pub fn key(&self) -> DocKey {
        self.doc.key
    }

    fn root(&mut self, name: &str) -> MapRef {
        self.txn.get_or_insert_map(name)
    }

    /// Inserts the item, or updates the fields that differ if an item with its id exists.
    pub fn put<T: Item>(&mut self, item: &T) -> Result<(), DocError> {
        self.doc.check_kind(T::IN, T::NAME)?;
        let key = item.key();
        if key.is_empty() {
            return Err(DocError::NoId { kind: T::NAME });
        }
        let root = self.root(T::ROOT);
        let map = match root.get(&self.txn, &key) {
            Some(Out::YMap(m)) => m,
            _ => root.insert(&mut self.txn, key, MapPrelim::default()),
        };
        item.write(&map, &mut self.txn);
        Ok(())
    }

    pub fn get<T: Item>(&self, id: &ItemId) -> Result<Option<T>, DocError> {
        get_item(&self.txn, id)
    }

    pub fn list<T: Item>(&self) -> Result<Vec<T>, DocError> {
        read_items(&self.doc.doc, &self.txn)
    }

    /// Changes an existing item through `f`; only the fields `f` changed are written.
    pub fn update<T: Item>(&mut self, id: &ItemId, f: impl FnOnce(&mut T)) -> Result<(), DocError> {
        let mut item: T = self.get(id)?.ok_or_else(|| DocError::NotFound {
            kind: T::NAME,
            id: id.to_string(),
            doc: self.doc.key.name(),
        })?;
        f(&mut item);
        if item.key() != id.as_str() {
            return Err(DocError::IdChanged { kind: T::NAME, id: id.to_string() });
        }
        self.put(&item)
    }

    /// Removes the item; returns whether it was there.
    pub fn remove<T: Item>(&mut self, id: &ItemId) -> Result<bool, DocError> {
        self.doc.check_kind(T::IN, T::NAME)?;
        let root = self.root(T::ROOT);
        Ok(root.remove(&mut self.txn, id.as_str()).is_some())
    }

    pub fn section<S: Section>(&self) -> Result<S, DocError> {
        read_section(&self.txn)
    }

    pub fn set<S: Section>(&mut self, value: &S) -> Result<(), DocError> {
        self.doc.check_kind(S::IN, S::ROOT)?;
        let root = self.root(S::ROOT);
        value.write(&root, &mut self.txn);
        Ok(())
    }

    /// The next free short reference for a new item, e.g. "R13" or "KBH-R3".
    pub fn next_reference<T: Item>(&self, prefix: &str) -> Result<Reference, DocError> {
        let head = format!("{prefix}{}", T::REF_LETTER);
        let highest = self
            .list::<T>()?
            .iter()
            .filter_map(|i| i.reference().map(|r| r.split_number()).filter(|(h, _)| *h == head).map(|(_, n)| n))
            .max()
            .unwrap_or(0);
        Ok(Reference(format!("{head}{}", highest + 1)))
    }

    /// Makes collection `T` hold exactly `wanted`.
    fn replace_all<T: Item>(&mut self, wanted: &[T]) -> Result<(), DocError> {
        let keep: std::collections::BTreeSet<String> = wanted.iter().map(Item::key).collect();
        let root = self.root(T::ROOT);
        let present: Vec<String> = root.keys(&self.txn).map(str::to_owned).collect();
        for key in present.into_iter().filter(|k| !keep.contains(k)) {
            root.remove(&mut self.txn, &key);
        }
        wanted.iter().try_for_each(|item| self.put(item))
    }

    fn replace_items(&mut self, items: &Items) -> Result<(), DocError> {
        macro_rules! put_one {
            ($t:ty) => {
                self.replace_all::<$t>(<$t as SharedItem>::of(items))?;
            };
        }
        for_each_shared_item!(put_one);
        Ok(())
    }

    /// Makes the base document equal `base` (import; changes only what differs).
    pub fn write_base(&mut self, base: &Base) -> Result<(), DocError> {
        self.set(&base.meta)?;
        self.set(&base.description)?;
        self.set(&base.wp248)?;
        self.set(&base.prior_consultation)?;
        self.set(&base.review_plan)?;
        self.replace_items(&base.items)
    }

    pub fn write_coordination(&mut self, c: &Coordination) -> Result<(), DocError> {
        self.set(&CoordinationMeta { coordinator: c.coordinator.clone(), base_write_policy: c.base_write_policy })?;
        self.replace_all(&c.participants)?;
        self.replace_all(&c.releases)
    }
}

mod touched;
pub use touched::{TouchTracker, Touched};

/// A supplement's own collections are the catalogue's supplement kinds, under their
/// collection names.
macro_rules! supplement_io {
    (
        shared { $($shared:tt)* }
        supplement { $($l:ident => $lc:ident, key $lk:expr, $lv:ident, $ls:literal, $lda:literal / $len:literal;)+ }
        $($others:tt)*
    ) => {
        impl DpiaDoc {
            pub fn read_supplement(&self) -> Result<Supplement, DocError> {
                self.check_kind(SUPPLEMENT, "supplement")?;
                let txn = self.doc.transact();
                Ok(Supplement {
                    meta: read_section(&txn)?,
                    conditions: read_section(&txn)?,
                    prior_consultation: read_section(&txn)?,
                    review_plan: read_section(&txn)?,
                    additions: read_all_items(&self.doc, &txn)?,
                    $($lc: read_items(&self.doc, &txn)?,)+
                })
            }
        }

        impl Edit<'_> {
            pub fn write_supplement(&mut self, s: &Supplement) -> Result<(), DocError> {
                self.set(&s.meta)?;
                self.set(&s.conditions)?;
                self.set(&s.prior_consultation)?;
                self.set(&s.review_plan)?;
                self.replace_items(&s.additions)?;
                $(self.replace_all(&s.$lc)?;)+
                Ok(())
            }
        }
    };
}
crate::item_catalogue!(supplement_io);

#[cfg(test)]
mod tests;
