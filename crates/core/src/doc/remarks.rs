//! The remarks documents' storage: each root map holds records keyed by id, every record
//! one atomic JSON string (last writer wins on the whole record).
//!
//! A record is written whole and never removed: a comment's earlier texts travel inside it
//! (see `model::hearing`), so "nothing is deleted" holds in the current state, and the
//! update log keeps every version besides. Atomic records also let the hub see exactly which
//! keys an update wrote (a round's answer, a comment) and check them against the round's
//! deadline.

use super::{fields, DocError, DocKind, DpiaDoc, Edit};
use std::collections::BTreeMap;
use yrs::{Any, Doc, Map, Out, ReadTxn, Transact};

/// Comments and replies, by id.
pub const COMMENTS: &str = "comments";
/// Thread states (resolved / reopened), by the thread's comment reference.
pub const STATES: &str = "states";
/// A municipality's answers to hearing rounds, by round number.
pub const ANSWERS: &str = "answers";
/// The coordinator's hearing rounds, by number.
pub const ROUNDS: &str = "rounds";
/// The coordinator's answers to comments, by the comment's reference.
pub const RESPONSES: &str = "responses";

/// The roots a remarks document of this kind holds; a hub refuses any other.
pub(crate) fn roots(coordinator: bool, private: bool) -> Vec<&'static str> {
    let mut names = vec![COMMENTS, STATES];
    if coordinator {
        names.push(RESPONSES);
        if !private {
            names.push(ROUNDS);
        }
    } else if !private {
        names.push(ANSWERS);
    }
    names
}

/// The roots of the remarks document `scope`.
pub fn roots_of(scope: super::RemarkScope) -> Vec<&'static str> {
    roots(scope.by == super::Party::Coordinator, scope.private.is_some())
}

fn holds(doc: &DpiaDoc, root: &'static str) -> Result<(), DocError> {
    match doc.key.kind() {
        DocKind::Remarks { coordinator, private } if roots(coordinator, private).contains(&root) => Ok(()),
        _ => Err(DocError::WrongDocument { kind: root, allowed: "a remarks document of its writer".into(), doc: doc.key.name() }),
    }
}

impl Edit<'_> {
    /// Writes one record (JSON) under `key` of `root`, replacing what was there.
    pub fn put_record(&mut self, root: &'static str, key: &str, json: &str) -> Result<(), DocError> {
        holds(self.doc, root)?;
        let map = self.root(root);
        let same = matches!(map.get(&self.txn, key), Some(Out::Any(Any::String(s))) if &*s == json);
        if !same {
            map.insert(&mut self.txn, key, Any::String(json.into()));
        }
        Ok(())
    }
}

impl DpiaDoc {
    /// Every record of `root`, by key (empty when the root was never written).
    pub fn records(&self, root: &'static str) -> Result<BTreeMap<String, String>, DocError> {
        holds(self, root)?;
        let txn = self.doc.transact();
        let mut out = BTreeMap::new();
        let Some(map) = txn.get_map(root) else { return Ok(out) };
        for (key, value) in map.iter(&txn) {
            match value {
                Out::Any(Any::String(s)) => {
                    out.insert(key.to_owned(), s.to_string());
                }
                other => return Err(fields::shape_error(&format!("{root}.{key}"), "a record (JSON text)", &other)),
            }
        }
        Ok(out)
    }
}

/// The entries of a root map of any Yrs document as text, for comparing before and after an
/// update (the hub's deadline check); values that are not records are shown as Yrs prints
/// them, so a change to them is seen too.
pub fn entries(doc: &Doc, root: &str) -> BTreeMap<String, String> {
    let txn = doc.transact();
    let Some(map) = txn.get_map(root) else { return BTreeMap::new() };
    map.iter(&txn).map(|(k, v)| (k.to_owned(), v.to_string(&txn))).collect()
}

/// Every record of a remarks document, by root, as text: what the hub compares before and
/// after an update, so a record is never removed (a comment is revised, a thread resolved —
/// nothing is deleted) and a round's deadline is checked on what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records(BTreeMap<&'static str, BTreeMap<String, String>>);

impl Records {
    pub fn of(doc: &Doc, scope: super::RemarkScope) -> Records {
        Records(roots_of(scope).into_iter().map(|root| (root, entries(doc, root))).collect())
    }

    /// The first record present before and gone after (`root/key`).
    pub fn removed(before: &Records, after: &Records) -> Option<String> {
        before.0.iter().find_map(|(root, keys)| {
            let now = after.0.get(root);
            keys.keys().find(|k| now.is_none_or(|n| !n.contains_key(*k))).map(|k| format!("{root}/{k}"))
        })
    }

    /// What a round's deadline governs (a municipality's answers and comments).
    pub fn round_bound(&self) -> RoundBound {
        RoundBound {
            answers: self.0.get(ANSWERS).cloned().unwrap_or_default(),
            comments: self.0.get(COMMENTS).cloned().unwrap_or_default(),
        }
    }
}

/// What of a municipality's remarks document a hearing round's deadline governs: its answers
/// and its comments (a comment names its round), as text per key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundBound {
    answers: BTreeMap<String, String>,
    comments: BTreeMap<String, String>,
}

impl RoundBound {
    pub fn of(doc: &Doc) -> RoundBound {
        RoundBound { answers: entries(doc, ANSWERS), comments: entries(doc, COMMENTS) }
    }

    /// The rounds an update touched, from the state before and after it: an answer added or
    /// changed (by its key, and the round it names), a comment added or changed that names a
    /// round (before or after). `None` inside: a key that names no round (refused as such).
    pub fn touched(before: &RoundBound, after: &RoundBound) -> std::collections::BTreeSet<Option<u32>> {
        fn round_in(json: &str) -> Option<Option<u32>> {
            let v: serde_json::Value = serde_json::from_str(json).ok()?;
            match v.get("round") {
                None | Some(serde_json::Value::Null) => None,
                Some(n) => Some(n.as_u64().and_then(|n| u32::try_from(n).ok())),
            }
        }
        let mut rounds = std::collections::BTreeSet::new();
        let changed = |b: &BTreeMap<String, String>, a: &BTreeMap<String, String>| -> Vec<(String, Option<String>, Option<String>)> {
            let keys: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
            keys.into_iter().filter(|k| b.get(*k) != a.get(*k)).map(|k| (k.clone(), b.get(k).cloned(), a.get(k).cloned())).collect()
        };
        for (key, old, new) in changed(&before.answers, &after.answers) {
            rounds.insert(key.parse::<u32>().ok());
            for json in [old, new].into_iter().flatten() {
                rounds.extend(round_in(&json));
            }
        }
        for (_, old, new) in changed(&before.comments, &after.comments) {
            for json in [old, new].into_iter().flatten() {
                rounds.extend(round_in(&json));
            }
        }
        rounds
    }
}

/// The coordinator's rounds as the hub holds them (number → record text).
pub fn rounds_of(coordinator_doc: &Doc) -> BTreeMap<String, String> {
    entries(coordinator_doc, ROUNDS)
}
