//! Who wrote what, from the hub's log: the hub's answer to a client that asks who wrote a
//! document's changes, and the readable log of `konsekvens hub log`.
//!
//! **Why this shape.** The hub knows the organisation and token of every update it logged,
//! and binds every CRDT client id to the organisation that first wrote it (`client_ids`).
//! A participant's copy sees updates without either: the hub's SyncStep2 merges many
//! writers' updates into one, and the Yjs protocol has no field for an author. So the copy
//! attributes by CRDT ids instead, which survive merging: an **insertion** is attributed by
//! its client id (bound by the hub to one organisation, and every client id in a hub's
//! document is bound — a block with an unbound id is never accepted); a **deletion** carries
//! no deleter's id at all (a delete set only names the deleted ids), so the hub replays its
//! log and says, per deleted id range, whose update first brought that deletion. Both are
//! facts of the hub's append-only log, so they never change once said, and a copy can
//! attribute any update, however it was merged, by the ids it brings.
//!
//! **On the wire.** A y-sync custom message: the client sends `Custom(AUTHORS_QUERY, [])`
//! on a document's socket, the hub answers `Custom(AUTHORS, JSON)` (an [`AuthorsAnswer`]).
//! Only on request: the official `y-websocket` client logs an error for a message type it
//! does not know, and never sends the query, so it never gets one. A hub of an earlier
//! version ignores the query; the client sends a SyncStep1 after it as a barrier and takes
//! the SyncStep2 answer without an authors answer as "not supported".

use crate::store::{HubStore, LogRow, Queries, StoreError};
use konsekvens_core::diff::ItemChange;
use konsekvens_core::doc::{IdSpan, UpdateIds};
use konsekvens_core::history::Replay;
use konsekvens_core::DocKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The client asks who wrote the document's changes (no payload).
pub const AUTHORS_QUERY: u8 = 100;
/// The hub's answer: an [`AuthorsAnswer`] as JSON.
pub const AUTHORS: u8 = 101;

/// Who wrote a document's changes, as the hub's log says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorsAnswer {
    /// Every CRDT client id with blocks in the document, and the organisation it is bound to.
    pub clients: Vec<ClientAuthor>,
    /// Every deleted id range, and the organisation whose update first brought the deletion.
    pub deletions: Vec<DeletionAuthor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAuthor {
    pub client: u64,
    pub org: String,
    pub name: String,
    /// The label of the token that first wrote with this client id (may be empty).
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionAuthor {
    pub client: u64,
    pub clock: u32,
    pub len: u32,
    pub org: String,
    pub name: String,
    pub label: String,
}

/// One logged update and what it brought.
#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub seq: i64,
    pub doc: String,
    pub org: String,
    pub token_id: i64,
    pub at_millis: i64,
    pub size: usize,
    /// Its new insertions and deletions (what the document lacked when it was logged).
    pub ids: UpdateIds,
    /// The items it changed (only when replayed with values).
    pub changes: Vec<ItemChange>,
}

/// Replays log rows (oldest first; every document's rows from its first) and says what each
/// brought. With `read_values`, also which items each changed (slower: reads the document
/// after every update).
pub fn replay(rows: Vec<LogRow>, read_values: bool) -> Result<Vec<LoggedChange>, StoreError> {
    let mut docs: HashMap<String, Replay> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let damaged = |why: String| StoreError::Damaged { dpia: row.dpia.clone(), doc: row.doc.clone(), seq: row.seq, why };
        let replay = match docs.get_mut(&row.doc) {
            Some(r) => r,
            None => {
                let key = DocKey::parse(&row.doc).map_err(|e| damaged(e.to_string()))?;
                let r = Replay::new(key, 1, read_values).map_err(|e| damaged(e.to_string()))?;
                docs.entry(row.doc.clone()).or_insert(r)
            }
        };
        let step = replay.step(&row.data).map_err(|e| damaged(e.to_string()))?;
        out.push(LoggedChange {
            seq: row.seq,
            doc: row.doc,
            org: row.org,
            token_id: row.token_id,
            at_millis: row.at_millis,
            size: row.data.len(),
            ids: step.ids,
            changes: step.changes,
        });
    }
    Ok(out)
}

/// Organisation names and token labels, for readable answers.
pub(crate) struct Names {
    orgs: BTreeMap<String, String>,
    labels: BTreeMap<i64, String>,
}

impl Names {
    pub(crate) fn load(store: &HubStore) -> Result<Names, StoreError> {
        Ok(Names {
            orgs: store.orgs()?.into_iter().map(|o| (o.code, o.name)).collect(),
            labels: store.tokens()?.into_iter().map(|t| (t.id, t.label)).collect(),
        })
    }
    pub fn org(&self, code: &str) -> String {
        self.orgs.get(code).cloned().unwrap_or_default()
    }
    pub fn label(&self, token: i64) -> String {
        self.labels.get(&token).cloned().unwrap_or_default()
    }
}

/// The answer to [`AUTHORS_QUERY`] for one document, from its replayed log and the bindings
/// of the client ids in it (`bindings`: client id → organisation and token).
pub(crate) fn answer(changes: &[LoggedChange], bindings: &[(u64, String, i64)], names: &Names) -> AuthorsAnswer {
    let clients = bindings
        .iter()
        .map(|(client, org, token)| ClientAuthor { client: *client, org: org.clone(), name: names.org(org), label: names.label(*token) })
        .collect();
    let mut deletions = Vec::new();
    for c in changes {
        for span in &c.ids.deleted {
            deletions.push(DeletionAuthor {
                client: span.client,
                clock: span.start,
                len: span.end - span.start,
                org: c.org.clone(),
                name: names.org(&c.org),
                label: names.label(c.token_id),
            });
        }
    }
    AuthorsAnswer { clients, deletions }
}

/// The client ids with blocks in these changes.
pub(crate) fn clients_of(changes: &[LoggedChange]) -> Vec<u64> {
    changes.iter().flat_map(|c| c.ids.inserted.iter().map(|s| s.client)).collect::<BTreeSet<u64>>().into_iter().collect()
}

/// One row of `konsekvens hub log`.
#[derive(Debug, Clone)]
pub struct HubLogEntry {
    pub change: LoggedChange,
    pub org_name: String,
    pub token_label: String,
}

/// The hub's log of a joint DPIA, readable: optionally one organisation's updates and one
/// document's, the last `limit` of them, each with what it inserted, deleted and changed.
pub fn hub_log(store: &HubStore, dpia: &str, org: Option<&str>, doc: Option<DocKey>, limit: Option<usize>) -> Result<Vec<HubLogEntry>, StoreError> {
    if store.dpia(dpia)?.is_none() {
        return Err(StoreError::UnknownDpia(dpia.to_owned()));
    }
    let names = Names::load(store)?;
    // Every document is replayed from its first update, so "new" is measured correctly.
    let changes = replay(store.log(dpia, doc)?, true)?;
    let mut entries: Vec<HubLogEntry> = changes
        .into_iter()
        .filter(|c| org.is_none_or(|o| c.org == o))
        .map(|c| HubLogEntry { org_name: names.org(&c.org), token_label: names.label(c.token_id), change: c })
        .collect();
    if let Some(n) = limit {
        let skip = entries.len().saturating_sub(n);
        entries.drain(..skip);
    }
    Ok(entries)
}

/// `42 i 3 områder (klient 123: 0..40, …)`: spans of ids, shortened.
pub fn spans_text(spans: &[IdSpan]) -> String {
    let total: u64 = spans.iter().map(|s| u64::from(s.end - s.start)).sum();
    let shown: Vec<String> = spans.iter().take(3).map(|s| format!("klient {}: {}..{}", s.client, s.start, s.end)).collect();
    let more = if spans.len() > 3 { ", …" } else { "" };
    let areas = if spans.len() == 1 { "område" } else { "områder" };
    format!("{total} i {} {areas} ({}{more})", spans.len(), shown.join(", "))
}
