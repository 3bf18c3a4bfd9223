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

/// One document's authors as far as its log has been read: kept per room by the server and
/// extended by the rows appended since the last query, so an answer costs the new rows, not
/// a replay of the whole log (which it did per log position before).
#[derive(Default)]
pub(crate) struct Authors {
    /// The document replayed up to `upto` (None until the first query).
    replay: Option<Replay>,
    /// The last log position read.
    pub(crate) upto: i64,
    /// Client ids with blocks in the document.
    clients: BTreeSet<u64>,
    /// Every deleted id range, with the organisation and token of the update that first
    /// brought the deletion.
    deletions: Vec<(IdSpan, String, i64)>,
}

impl Authors {
    /// Reads log rows appended after `upto` (oldest first, this document's only). On error
    /// what was read stays read, and `upto` says how far.
    pub(crate) fn extend(&mut self, key: DocKey, rows: Vec<LogRow>) -> Result<(), StoreError> {
        for row in rows {
            if row.seq <= self.upto {
                continue;
            }
            let damaged = |why: String| StoreError::Damaged { dpia: row.dpia.clone(), doc: row.doc.clone(), seq: row.seq, why };
            if self.replay.is_none() {
                self.replay = Some(Replay::new(key, 1, false).map_err(|e| damaged(e.to_string()))?);
            }
            let step = self.replay.as_mut().expect("made above").step(&row.data).map_err(|e| damaged(e.to_string()))?;
            self.clients.extend(step.ids.inserted.iter().map(|s| s.client));
            self.deletions.extend(step.ids.deleted.into_iter().map(|span| (span, row.org.clone(), row.token_id)));
            self.upto = row.seq;
        }
        Ok(())
    }

    /// The client ids with blocks in the document.
    pub(crate) fn clients(&self) -> Vec<u64> {
        self.clients.iter().copied().collect()
    }

    /// The answer to [`AUTHORS_QUERY`], with the bindings of the client ids
    /// (`bindings`: client id → organisation and token).
    pub(crate) fn answer(&self, bindings: &[(u64, String, i64)], names: &Names) -> AuthorsAnswer {
        let clients = bindings
            .iter()
            .map(|(client, org, token)| ClientAuthor { client: *client, org: org.clone(), name: names.org(org), label: names.label(*token) })
            .collect();
        let deletions = self
            .deletions
            .iter()
            .map(|(span, org, token)| DeletionAuthor {
                client: span.client,
                clock: span.start,
                len: span.end - span.start,
                org: org.clone(),
                name: names.org(org),
                label: names.label(*token),
            })
            .collect();
        AuthorsAnswer { clients, deletions }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{ClientID, Doc, Map, Options, ReadTxn, StateVector, Transact};

    fn row(seq: i64, org: &str, data: Vec<u8>) -> LogRow {
        LogRow { seq, dpia: "aula".into(), doc: "base".into(), data, org: org.into(), token_id: seq, at_millis: 0 }
    }

    /// København writes two entries, Esbjerg deletes one and writes its own: the log.
    fn log() -> Vec<LogRow> {
        let kbh = Doc::with_options(Options { client_id: ClientID::new(101_001), ..Options::default() });
        let meta = kbh.get_or_insert_map("meta");
        meta.insert(&mut kbh.transact_mut(), "a", "1");
        let first = kbh.transact().encode_state_as_update_v1(&StateVector::default());
        let sv = kbh.transact().state_vector();
        meta.insert(&mut kbh.transact_mut(), "b", "2");
        let second = kbh.transact().encode_state_as_update_v1(&sv);
        let esb = Doc::with_options(Options { client_id: ClientID::new(561_001), ..Options::default() });
        esb.transact_mut().apply_update(yrs::Update::decode_v1(&kbh.transact().encode_state_as_update_v1(&StateVector::default())).unwrap()).unwrap();
        let sv = esb.transact().state_vector();
        let emeta = esb.get_or_insert_map("meta");
        emeta.remove(&mut esb.transact_mut(), "a");
        emeta.insert(&mut esb.transact_mut(), "c", "3");
        let third = esb.transact().encode_state_as_update_v1(&sv);
        vec![row(1, "101", first), row(2, "101", second), row(5, "561", third)]
    }
    use yrs::updates::decoder::Decode;

    fn names() -> Names {
        Names { orgs: [("101".into(), "København".into()), ("561".into(), "Esbjerg".into())].into(), labels: BTreeMap::new() }
    }

    #[test]
    fn authors_extended_row_by_row_answer_as_a_replay_of_the_whole_log() {
        let rows = log();
        let whole = replay(rows.clone(), false).unwrap();
        let mut kept = Authors::default();
        kept.extend(DocKey::Base, rows[..1].to_vec()).unwrap();
        assert_eq!((kept.upto, kept.clients()), (1, vec![101_001]));
        // Rows already read are skipped; the rest extend what is kept.
        kept.extend(DocKey::Base, rows.clone()).unwrap();
        assert_eq!(kept.upto, 5);
        assert_eq!(kept.clients(), vec![101_001, 561_001]);
        let deleted: Vec<_> = whole.iter().flat_map(|c| c.ids.deleted.iter().map(move |s| (s.client, s.start, s.end, c.org.clone()))).collect();
        let answer = kept.answer(&[(101_001, "101".into(), 1), (561_001, "561".into(), 5)], &names());
        let got: Vec<_> = answer.deletions.iter().map(|d| (d.client, d.clock, d.clock + d.len, d.org.clone())).collect();
        assert_eq!(got, deleted);
        assert_eq!(got, vec![(101_001, 0, 1, "561".to_string())], "Esbjerg deleted København's first entry");
        assert_eq!(answer.deletions[0].name, "Esbjerg");
    }
}
