//! The workspace file: one SQLite database a user can copy and back up.
//!
//! Every acknowledged edit is one row in the append-only `updates` log (document, author,
//! organisation, time, CRDT client id) committed with `synchronous=FULL`, so it survives a
//! crash or power cut. `snapshots` hold each document compacted up to a log position, so
//! opening replays only the tail of the log; the log itself is kept as the audit trail.
//!
//! Every update and snapshot row carries a SHA-256 digest of what it stores (schema 2), checked
//! whenever the row is read: a bit flip inside stored text is reported with the row it was found
//! in instead of opening as different content. SQLite's own page checks do not see it: the page
//! stays well-formed. (It guards against damage, not against someone who rewrites the file:
//! they can recompute the digest; releases carry their own SHA-256 for that.)
//!
//! `client_orgs` and `deletion_orgs` hold what the hub said about who wrote which CRDT ids
//! (see `history::Workspace::attribution`).

use crate::doc::{DocKey, IdSpan};
use crate::model::OrgCode;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// "KONS" — marks the file as ours, so we never write into somebody else's database.
pub const APPLICATION_ID: i32 = 0x4B4F_4E53;
/// The schema this build writes and reads. 2 added the per-row digests; 3 the history
/// computed when written (each update's change summary, the items it touched, kept
/// snapshots by log position, a monotone clock for time queries). An older file is migrated
/// when opened, one transaction per step; the summaries and snapshots of its existing log
/// are then computed once by the workspace ([`Store::history_backlog`]). 4 added `models`:
/// a document's content as the model reads it, kept by log position (see [`MODELS_SCHEMA`]).
pub const SCHEMA_VERSION: i32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: no such workspace file")]
    Missing { path: PathBuf },
    #[error("{path}: a file already exists there; choose another name or remove it first")]
    Exists { path: PathBuf },
    #[error("{path}: not a Konsekvens workspace ({why})")]
    NotAWorkspace { path: PathBuf, why: String },
    #[error("{path}: written by a newer Konsekvens (workspace schema {found}; this version reads up to {supported}). Update Konsekvens; the file was not changed")]
    Newer { path: PathBuf, found: i32, supported: i32 },
    #[error("{path}: damaged workspace ({why}); the file was not changed")]
    Damaged { path: PathBuf, why: String },
    #[error("[K-FIL-INTEGRITET] {path}: arbejdsfilen er beskadiget: {row} matcher ikke sin kontrolsum (indholdet er ændret efter det blev gemt, fx ved en diskfejl). Intet er ændret i filen; gendan den fra en sikkerhedskopi, eller hent dokumentet igen fra hubben med `konsekvens sync --new`")]
    Integrity { path: PathBuf, row: String },
    #[error("workspace database: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// One logged update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedUpdate {
    pub seq: i64,
    pub doc: String,
    pub data: Vec<u8>,
    pub org: Option<OrgCode>,
    pub author: String,
    pub client_id: Option<u64>,
    pub at_millis: i64,
}

/// Who and when, stored with each update.
#[derive(Debug, Clone)]
pub struct UpdateMeta<'a> {
    pub org: Option<OrgCode>,
    pub author: &'a str,
    pub client_id: Option<u64>,
    pub at_millis: i64,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Who wrote what, as the hub told us (`konsekvens sync` asks it): the organisation each CRDT
/// client id is bound to, and who first deleted each range of ids. Part of schema 2; a
/// schema-1 file gains them in its migration (`migrate_to_2`).
const ATTRIBUTION_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS client_orgs (
    client INTEGER PRIMARY KEY,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    learned_from TEXT NOT NULL,
    learned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deletion_orgs (
    doc TEXT NOT NULL,
    client INTEGER NOT NULL,
    clock INTEGER NOT NULL,
    len INTEGER NOT NULL,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    learned_from TEXT NOT NULL,
    PRIMARY KEY (doc, client, clock)
);
"#;

/// An organisation (and, where the hub knows it, the person or role its token is labelled
/// with) that wrote a change, as the hub attributes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KnownAuthor {
    /// The hub's organisation code, e.g. `561` or `KL`.
    pub org: String,
    /// The organisation's name, e.g. `Esbjerg`.
    pub name: String,
    /// The label of the token that wrote it (e.g. `DPO Esbjerg`); may be empty.
    pub label: String,
}

/// The history, computed once when an update is logged (schema 3):
/// - `changes`: per update, what it changed (items and fields, CRDT ids, as JSON) and the
///   log's clock so far (`at_max`, the largest time up to this row: time queries are an
///   index lookup even when clocks of several processes disagree);
/// - `change_items`: which items an update touched, for `log --item`;
/// - `history_snapshots`: a document's state at a log position, kept (the `snapshots` row is
///   replaced by each compaction), so any earlier point starts from the nearest one.
const HISTORY_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY,
    doc TEXT NOT NULL,
    at_max INTEGER NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_doc ON changes(doc, seq);
CREATE INDEX IF NOT EXISTS changes_by_clock ON changes(at_max, seq);
CREATE TABLE IF NOT EXISTS change_items (
    item TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (item, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history_snapshots (
    doc TEXT NOT NULL,
    upto_seq INTEGER NOT NULL,
    state BLOB NOT NULL,
    digest BLOB NOT NULL,
    PRIMARY KEY (doc, upto_seq)
);
"#;

/// Schema 4: a document's content as the model reads it (JSON), kept by the document's own
/// log position, so a command reads a year-old base without decoding its CRDT state (MBs of
/// Y.Text tombstones after a year of typing) — computed once, when first read or when a
/// session that wrote the document closes. Derived data: a row that does not read back
/// (digest, `format`) is computed again; `reset_document` drops the rows it makes untrue.
const MODELS_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS models (
    doc TEXT NOT NULL,
    upto_seq INTEGER NOT NULL,
    format INTEGER NOT NULL,
    model TEXT NOT NULL,
    digest BLOB NOT NULL,
    PRIMARY KEY (doc, upto_seq)
);
"#;

/// Schema 4 too: answers computed from the log and kept by what they were computed from
/// (`key` names the question, `inputs` the log positions it read), such as a municipality's
/// review status — one row per question, replaced when its inputs move.
const ANSWERS_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    inputs TEXT NOT NULL,
    format INTEGER NOT NULL,
    value TEXT NOT NULL,
    digest BLOB NOT NULL
);
"#;

/// Kept models per document; the oldest made go first (a model is cheap to make again).
const MODELS_KEPT: i64 = 24;

const SCHEMA: &str = r#"
CREATE TABLE workspace (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    doc TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
CREATE TABLE updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL REFERENCES documents(doc),
    data BLOB NOT NULL,
    org INTEGER,
    author TEXT NOT NULL,
    client_id INTEGER,
    at INTEGER NOT NULL,
    digest BLOB
);
CREATE INDEX updates_by_doc ON updates(doc, seq);
CREATE TABLE snapshots (
    doc TEXT PRIMARY KEY REFERENCES documents(doc),
    upto_seq INTEGER NOT NULL,
    state BLOB NOT NULL,
    at INTEGER NOT NULL,
    digest BLOB
);
"#;

/// The digest of a logged update: its document, bytes, who and when.
fn update_digest(doc: &str, data: &[u8], org: Option<u16>, author: &str, client_id: Option<i64>, at: i64) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"konsekvens/update\0");
    h.update(doc.as_bytes());
    h.update([0]);
    h.update((data.len() as u64).to_le_bytes());
    h.update(data);
    h.update(org.map_or(-1i64, i64::from).to_le_bytes());
    h.update(author.as_bytes());
    h.update([0]);
    h.update(client_id.unwrap_or(-1).to_le_bytes());
    h.update(at.to_le_bytes());
    h.finalize().to_vec()
}

/// The digest of a snapshot: its document, the log position it covers and the state.
fn snapshot_digest(doc: &str, upto_seq: i64, state: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"konsekvens/snapshot\0");
    h.update(doc.as_bytes());
    h.update([0]);
    h.update(upto_seq.to_le_bytes());
    h.update(state);
    h.finalize().to_vec()
}

/// The digest of a kept model: its document, position, format and JSON.
fn model_digest(doc: &str, upto_seq: i64, format: i64, model: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"konsekvens/model\0");
    h.update(doc.as_bytes());
    h.update([0]);
    h.update(upto_seq.to_le_bytes());
    h.update(format.to_le_bytes());
    h.update(model.as_bytes());
    h.finalize().to_vec()
}

/// The digest of a kept answer.
fn answer_digest(key: &str, inputs: &str, format: i64, value: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"konsekvens/answer\0");
    h.update(key.as_bytes());
    h.update([0]);
    h.update(inputs.as_bytes());
    h.update([0]);
    h.update(format.to_le_bytes());
    h.update(value.as_bytes());
    h.finalize().to_vec()
}

/// Schema 1 → 2: the digest columns, filled for every existing row (the content is taken as
/// it stands: damage from before cannot be told apart now), and the attribution tables.
fn migrate_to_2(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have migrated it while we waited for the lock.
    let version: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= 2 {
        return Ok(());
    }
    tx.execute_batch("ALTER TABLE updates ADD COLUMN digest BLOB; ALTER TABLE snapshots ADD COLUMN digest BLOB;")?;
    tx.execute_batch(ATTRIBUTION_SCHEMA)?;
    {
        let mut read = tx.prepare("SELECT seq, doc, data, org, author, client_id, at FROM updates")?;
        let mut write = tx.prepare("UPDATE updates SET digest = ?2 WHERE seq = ?1")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let doc: String = r.get(1)?;
            let data: Vec<u8> = r.get(2)?;
            let author: String = r.get(4)?;
            let digest = update_digest(&doc, &data, r.get(3)?, &author, r.get(5)?, r.get(6)?);
            write.execute(params![r.get::<_, i64>(0)?, digest])?;
        }
        let mut read = tx.prepare("SELECT doc, upto_seq, state FROM snapshots")?;
        let mut write = tx.prepare("UPDATE snapshots SET digest = ?2 WHERE doc = ?1")?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let doc: String = r.get(0)?;
            let state: Vec<u8> = r.get(2)?;
            write.execute(params![doc.as_str(), snapshot_digest(&doc, r.get(1)?, &state)])?;
        }
    }
    tx.pragma_update(None, "user_version", 2)?;
    tx.commit()
}

/// Schema 2 → 3: the history tables, empty; the workspace fills them from the log
/// ([`Store::history_backlog`]) before it answers anything.
fn migrate_to_3(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= 3 {
        return Ok(());
    }
    tx.execute_batch(HISTORY_SCHEMA)?;
    tx.pragma_update(None, "user_version", 3)?;
    tx.commit()
}

/// Schema 3 → 4: the kept models, empty (they are made when first read).
fn migrate_to_4(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version >= 4 {
        return Ok(());
    }
    tx.execute_batch(MODELS_SCHEMA)?;
    tx.execute_batch(ANSWERS_SCHEMA)?;
    tx.pragma_update(None, "user_version", 4)?;
    tx.commit()
}

fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
}

fn wal_left_behind(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0)
}

/// What one logged update changed, stored beside it (see [`HISTORY_SCHEMA`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub seq: i64,
    pub doc: String,
    pub org: Option<OrgCode>,
    pub author: String,
    pub at_millis: i64,
    /// The summary as written (JSON; read by `history`).
    pub summary: String,
}

/// What a full check of the file found ([`Store::verify`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// SQLite's `integrity_check` messages; empty when the structure is sound.
    pub structure: Vec<String>,
    /// Rows whose digest does not match.
    pub rows: Vec<String>,
    pub updates: i64,
    pub snapshots: i64,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        self.structure.is_empty() && self.rows.is_empty()
    }
}

impl Store {
    /// Creates a new, empty workspace file; refuses to overwrite anything.
    pub fn create(path: &Path, created_at: i64) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists { path: path.to_owned() });
        }
        let mut conn = Connection::open(path)?;
        tune(&conn)?;
        let tx = conn.transaction()?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch(ATTRIBUTION_SCHEMA)?;
        tx.execute_batch(HISTORY_SCHEMA)?;
        tx.execute_batch(MODELS_SCHEMA)?;
        tx.execute_batch(ANSWERS_SCHEMA)?;
        tx.execute("INSERT INTO workspace(key, value) VALUES ('created_at', ?1)", params![created_at.to_string()])?;
        tx.commit()?;
        Ok(Store { conn, path: path.to_owned() })
    }

    /// Opens an existing workspace. Checks that it is ours and of a schema we read before
    /// anything is written to it (even switching on WAL is a write).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing { path: path.to_owned() });
        }
        let not_ours = |why: String| StoreError::NotAWorkspace { path: path.to_owned(), why };
        let version = {
            let probe = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|e| not_ours(e.to_string()))?;
            let app_id: i32 = probe
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .map_err(|e| not_ours(format!("{e}; is it an SQLite database?")))?;
            if app_id != APPLICATION_ID {
                return Err(not_ours(format!("application id {app_id:#x}, expected {APPLICATION_ID:#x}")));
            }
            let version: i32 = probe.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version > SCHEMA_VERSION {
                return Err(StoreError::Newer { path: path.to_owned(), found: version, supported: SCHEMA_VERSION });
            }
            if version < 1 {
                return Err(not_ours(format!("schema version {version}")));
            }
            // SQLite removes the `-wal` file when the last connection closes cleanly: one left
            // behind means a crash (or another process has it open). Only then is the whole
            // file's structure checked on open — a check that grows with the file; otherwise
            // every row is still checked against its digest when read, and `verify` checks
            // everything on demand.
            if wal_left_behind(path) {
                let check: String = probe
                    .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
                    .map_err(|e| StoreError::Damaged { path: path.to_owned(), why: e.to_string() })?;
                if check != "ok" {
                    return Err(StoreError::Damaged { path: path.to_owned(), why: check });
                }
            }
            version
        };
        let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        tune(&conn)?;
        if version < 2 {
            migrate_to_2(&mut conn)?;
        }
        if version < 3 {
            migrate_to_3(&mut conn)?;
        }
        if version < 4 {
            migrate_to_4(&mut conn)?;
        }
        Ok(Store { conn, path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `synchronous=FULL` (the product) or `OFF` (bulk fixtures only).
    #[cfg_attr(not(feature = "fixtures"), allow(dead_code))]
    pub(crate) fn set_synchronous(&self, full: bool) {
        let _ = self.conn.pragma_update(None, "synchronous", if full { "FULL" } else { "OFF" });
    }

    /// Registers a document (idempotent).
    pub fn ensure_document(&self, key: DocKey, at_millis: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO documents(doc, created_at) VALUES (?1, ?2)",
            params![key.name(), at_millis],
        )?;
        Ok(())
    }

    pub fn documents(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT doc FROM documents ORDER BY doc")?;
        let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Appends one update without its history (tests of damaged and old files only).
    #[cfg(test)]
    pub fn append(&self, key: DocKey, data: &[u8], meta: &UpdateMeta<'_>) -> Result<i64, StoreError> {
        let (doc, org, client_id) = (key.name(), meta.org.map(|o| o.0), meta.client_id.map(|c| c as i64));
        let digest = update_digest(&doc, data, org, meta.author, client_id, meta.at_millis);
        self.conn.execute(
            "INSERT INTO updates(doc, data, org, author, client_id, at, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![doc, data, org, meta.author, client_id, meta.at_millis, digest],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Appends one update with what it changed (`summary`, and the ids of the items it
    /// touched) in one transaction, committed when this returns — or, inside the caller's
    /// transaction ([`Store::begin`]), with it; returns its log position.
    pub fn append_with_history(&self, key: DocKey, data: &[u8], meta: &UpdateMeta<'_>, summary: &str, items: &[String]) -> Result<i64, StoreError> {
        let (doc, org, client_id) = (key.name(), meta.org.map(|o| o.0), meta.client_id.map(|c| c as i64));
        let digest = update_digest(&doc, data, org, meta.author, client_id, meta.at_millis);
        let tx = self.own_transaction()?;
        self.conn
            .prepare_cached("INSERT INTO updates(doc, data, org, author, client_id, at, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![doc, data, org, meta.author, client_id, meta.at_millis, digest])?;
        let seq = self.conn.last_insert_rowid();
        let clock = self.clock_before(seq)?.max(meta.at_millis);
        self.write_history_row(seq, &doc, clock, summary, items)?;
        if let Some(tx) = tx {
            tx.commit()?;
        }
        Ok(seq)
    }

    /// The log's clock just before `seq`: the largest time written so far.
    fn clock_before(&self, seq: i64) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT at_max FROM changes WHERE seq < ?1 ORDER BY seq DESC LIMIT 1")?
            .query_row(params![seq], |r| r.get(0))
            .optional()?
            .unwrap_or(i64::MIN))
    }

    fn write_history_row(&self, seq: i64, doc: &str, clock: i64, summary: &str, items: &[String]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO changes(seq, doc, at_max, summary) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![seq, doc, clock, summary])?;
        let mut item = self.conn.prepare_cached("INSERT OR IGNORE INTO change_items(item, seq) VALUES (?1, ?2)")?;
        for id in items {
            item.execute(params![id, seq])?;
        }
        Ok(())
    }

    /// The first log position whose history (summary) has not been computed yet, if any:
    /// after a migration from schema 2, or an update logged by a build without it.
    pub fn history_backlog(&self) -> Result<Option<i64>, StoreError> {
        let done: i64 = self.conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM changes")?.query_row([], |r| r.get(0))?;
        let first: Option<i64> = self
            .conn
            .query_row("SELECT seq FROM updates WHERE seq > ?1 ORDER BY seq LIMIT 1", params![done], |r| r.get(0))
            .optional()?;
        Ok(first)
    }

    /// Fills the history of already logged updates (see [`Store::history_backlog`]): `rows`
    /// gives each update's position, document, time, summary and touched items. Inside the
    /// caller's transaction ([`Store::begin`]); the clock is set by [`Store::recompute_clock`].
    pub fn fill_history(&self, rows: &[(i64, String, i64, String, Vec<String>)]) -> Result<(), StoreError> {
        for (seq, doc, at, summary, items) in rows {
            self.write_history_row(*seq, doc, *at, summary, items)?;
        }
        Ok(())
    }

    /// Sets the log's clock (the largest time so far) of every history row from `from_seq` on,
    /// in log order, after [`Store::fill_history`] wrote them document by document.
    pub fn recompute_clock(&self, from_seq: i64) -> Result<(), StoreError> {
        let mut clock = self.clock_before(from_seq)?;
        let mut read = self.conn.prepare("SELECT c.seq, u.at, c.at_max FROM changes c JOIN updates u ON u.seq = c.seq WHERE c.seq >= ?1 ORDER BY c.seq")?;
        let mut write = self.conn.prepare("UPDATE changes SET at_max = ?2 WHERE seq = ?1")?;
        let mut rows = read.query(params![from_seq])?;
        while let Some(r) = rows.next()? {
            let (seq, at, stored): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            clock = clock.max(at);
            if stored != clock {
                write.execute(params![seq, clock])?;
            }
        }
        Ok(())
    }

    /// A transaction of its own for a write of several rows, or `None` inside the caller's
    /// ([`Store::begin`]: a workspace edit of several documents), whose commit or rollback
    /// then covers these rows too.
    fn own_transaction(&self) -> Result<Option<rusqlite::Transaction<'_>>, StoreError> {
        Ok(if self.conn.is_autocommit() { Some(self.conn.unchecked_transaction()?) } else { None })
    }

    /// Starts a write transaction that [`Store::commit`] ends (a migration's fill, a
    /// workspace edit of several documents).
    pub fn begin(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    pub fn commit(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// Calls `f` with every update of a document logged after `after_seq`, in order, one at
    /// a time (checked against its digest), without holding the log in memory.
    pub fn for_each_update<E: From<StoreError>>(&self, key: DocKey, after_seq: i64, mut f: impl FnMut(&LoggedUpdate) -> Result<(), E>) -> Result<(), E> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, doc, data, org, author, client_id, at, digest FROM updates WHERE doc = ?1 AND seq > ?2 ORDER BY seq")
            .map_err(StoreError::from)?;
        let mut rows = stmt.query(params![key.name(), after_seq]).map_err(StoreError::from)?;
        while let Some(r) = rows.next().map_err(StoreError::from)? {
            f(&self.checked_row(r)?)?;
        }
        Ok(())
    }

    /// Keeps a document's state at log position `upto_seq` for point-in-time views.
    pub fn keep_history_snapshot(&self, key: DocKey, upto_seq: i64, state: &[u8]) -> Result<(), StoreError> {
        let doc = key.name();
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO history_snapshots(doc, upto_seq, state, digest) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![doc, upto_seq, state, snapshot_digest(&doc, upto_seq, state)])?;
        Ok(())
    }

    /// The kept snapshot of a document nearest before (or at) `seq`.
    pub fn history_snapshot_at(&self, key: DocKey, seq: i64) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        let doc = key.name();
        let row = self
            .conn
            .prepare_cached("SELECT upto_seq, state, digest FROM history_snapshots WHERE doc = ?1 AND upto_seq <= ?2 ORDER BY upto_seq DESC LIMIT 1")?
            .query_row(params![doc, seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Vec<u8>>(2)?)))
            .optional()?;
        let Some((upto, state, digest)) = row else { return Ok(None) };
        if digest != snapshot_digest(&doc, upto, &state) {
            return Err(self.damaged(format!("øjebliksbilledet af dokumentet {doc} ved log nr. {upto}")));
        }
        Ok(Some((upto, state)))
    }

    /// The highest log position of a document at or before `seq` (0 if none): the document
    /// at `seq` is the document at this position.
    pub fn last_seq_upto(&self, key: DocKey, seq: i64) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM updates WHERE doc = ?1 AND seq <= ?2")?
            .query_row(params![key.name(), seq], |r| r.get(0))?)
    }

    /// The kept model of a document at its log position `upto_seq` in `format`, if there is
    /// one that reads back (a damaged row is only a cache miss: it is made again).
    pub fn model(&self, key: DocKey, upto_seq: i64, format: i64) -> Result<Option<String>, StoreError> {
        let doc = key.name();
        let row = self
            .conn
            .prepare_cached("SELECT model, digest FROM models WHERE doc = ?1 AND upto_seq = ?2 AND format = ?3")?
            .query_row(params![doc, upto_seq, format], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .optional()?;
        Ok(row.filter(|(model, digest)| *digest == model_digest(&doc, upto_seq, format, model)).map(|(model, _)| model))
    }

    /// Keeps a document's model at its log position `upto_seq`, and at most
    /// [`MODELS_KEPT`] per document.
    pub fn keep_model(&self, key: DocKey, upto_seq: i64, format: i64, model: &str) -> Result<(), StoreError> {
        self.without_fsync(|| self.keep_model_row(key, upto_seq, format, model))
    }

    fn keep_model_row(&self, key: DocKey, upto_seq: i64, format: i64, model: &str) -> Result<(), StoreError> {
        let doc = key.name();
        let tx = self.own_transaction()?;
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO models(doc, upto_seq, format, model, digest) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![doc, upto_seq, format, model, model_digest(&doc, upto_seq, format, model)])?;
        self.conn
            .prepare_cached("DELETE FROM models WHERE doc = ?1 AND rowid NOT IN (SELECT rowid FROM models WHERE doc = ?1 ORDER BY rowid DESC LIMIT ?2)")?
            .execute(params![doc, MODELS_KEPT])?;
        if let Some(tx) = tx {
            tx.commit()?;
        }
        Ok(())
    }

    /// The kept answer to `key` if it was computed from `inputs` in `format` and reads back.
    pub fn answer(&self, key: &str, inputs: &str, format: i64) -> Result<Option<String>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT value, digest FROM answers WHERE key = ?1 AND inputs = ?2 AND format = ?3")?
            .query_row(params![key, inputs, format], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .optional()?;
        Ok(row.filter(|(value, digest)| *digest == answer_digest(key, inputs, format, value)).map(|(value, _)| value))
    }

    /// Keeps the answer to `key` computed from `inputs` (replacing an earlier one).
    pub fn keep_answer(&self, key: &str, inputs: &str, format: i64, value: &str) -> Result<(), StoreError> {
        self.without_fsync(|| {
            self.conn
                .prepare_cached("INSERT OR REPLACE INTO answers(key, inputs, format, value, digest) VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![key, inputs, format, value, answer_digest(key, inputs, format, value)])?;
            Ok(())
        })
    }

    /// Runs a write of derived data (kept models and answers) without waiting for the disk:
    /// losing it in a crash only means computing it again, and an fsync per kept row made the
    /// overview of 98 municipalities wait 98 times. In WAL mode the file stays consistent;
    /// the next durable commit (a logged update) syncs these rows with it.
    fn without_fsync<R>(&self, f: impl FnOnce() -> Result<R, StoreError>) -> Result<R, StoreError> {
        let was: i64 = self.conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
        if was > 1 {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        let done = f();
        if was > 1 {
            self.conn.pragma_update(None, "synchronous", was)?;
        }
        done
    }

    /// The inputs the kept answer to `key` was computed from (tests).
    #[cfg(test)]
    pub fn conn_query_answer(&self, key: &str) -> Option<String> {
        self.conn.query_row("SELECT inputs FROM answers WHERE key = ?1", [key], |r| r.get(0)).optional().unwrap()
    }

    /// Drops a document's kept models from log position `from_seq` on (its content there
    /// was replaced: `reset_document`).
    pub fn forget_models(&self, key: DocKey, from_seq: i64) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM models WHERE doc = ?1 AND upto_seq >= ?2", params![key.name(), from_seq])?;
        Ok(())
    }

    /// Updates of a document in `(after_seq, upto_seq]`, in order.
    pub fn updates_between(&self, key: DocKey, after_seq: i64, upto_seq: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        self.checked_updates(
            "SELECT seq, doc, data, org, author, client_id, at, digest FROM updates WHERE doc = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
            params![key.name(), after_seq, upto_seq],
        )
    }

    /// The stored history of the documents `docs`, at most `limit` rows: newest first before
    /// log position `cursor` (exclusive; `None` from the end), or oldest first after it. With
    /// `item`, only updates that touched that item id (through `change_items`).
    pub fn changes_page(&self, docs: &[String], item: Option<&str>, cursor: Option<i64>, limit: usize, newest_first: bool) -> Result<Vec<StoredChange>, StoreError> {
        let docs = serde_json::to_string(docs).expect("strings serialise");
        let (cmp, order) = if newest_first { ("<", "DESC") } else { (">", "ASC") };
        let cursor = cursor.unwrap_or(if newest_first { i64::MAX } else { 0 });
        let sql = match item {
            None => format!(
                "SELECT c.seq, c.doc, u.org, u.author, u.at, c.summary FROM changes c JOIN updates u ON u.seq = c.seq
                 WHERE c.seq {cmp} ?1 AND +c.doc IN (SELECT value FROM json_each(?2)) AND ?3 IS NULL ORDER BY c.seq {order} LIMIT ?4"
            ),
            Some(_) => format!(
                "SELECT c.seq, c.doc, u.org, u.author, u.at, c.summary FROM change_items i JOIN changes c ON c.seq = i.seq JOIN updates u ON u.seq = c.seq
                 WHERE i.seq {cmp} ?1 AND +c.doc IN (SELECT value FROM json_each(?2)) AND i.item = ?3 ORDER BY i.seq {order} LIMIT ?4"
            ),
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![cursor, docs, item, limit as i64], |r| {
                Ok(StoredChange { seq: r.get(0)?, doc: r.get(1)?, org: r.get::<_, Option<u16>>(2)?.map(OrgCode), author: r.get(3)?, at_millis: r.get(4)?, summary: r.get(5)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Number of updates of a document and the last one's position and time.
    pub fn doc_log_stats(&self, key: DocKey) -> Result<(i64, Option<(i64, i64)>), StoreError> {
        let n: i64 = self.conn.prepare_cached("SELECT count(*) FROM updates WHERE doc = ?1")?.query_row(params![key.name()], |r| r.get(0))?;
        let last = self
            .conn
            .query_row("SELECT seq, at FROM updates WHERE doc = ?1 ORDER BY seq DESC LIMIT 1", params![key.name()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok((n, last))
    }

    /// The whole file checked: SQLite's `integrity_check` and every row's digest (the
    /// on-demand check; `konsekvens verify-file`).
    pub fn verify(&self) -> Result<Verification, StoreError> {
        let mut v = Verification::default();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for msg in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let msg = msg?;
            if msg != "ok" {
                v.structure.push(msg);
            }
        }
        let mut stmt = self.conn.prepare("SELECT seq, doc, data, org, author, client_id, at, digest FROM updates ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            v.updates += 1;
            if let Err(StoreError::Integrity { row, .. }) = self.checked_row(r) {
                v.rows.push(row);
            }
        }
        for table in ["snapshots", "history_snapshots"] {
            let mut stmt = self.conn.prepare(&format!("SELECT doc, upto_seq, state, digest FROM {table}"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                v.snapshots += 1;
                let (doc, upto, state, digest): (String, i64, Vec<u8>, Option<Vec<u8>>) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                if digest.as_deref() != Some(&snapshot_digest(&doc, upto, &state)[..]) {
                    v.rows.push(format!("øjebliksbilledet af dokumentet {doc} ved log nr. {upto}"));
                }
            }
        }
        let mut stmt = self.conn.prepare("SELECT doc, upto_seq, format, model, digest FROM models")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (doc, upto, format, model, digest): (String, i64, i64, String, Vec<u8>) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            if digest != model_digest(&doc, upto, format, &model) {
                v.rows.push(format!("den gemte læsning af dokumentet {doc} ved log nr. {upto}"));
            }
        }
        Ok(v)
    }

    /// The snapshot of a document and the log position it covers.
    pub fn snapshot(&self, key: DocKey) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        let doc = key.name();
        let row = self
            .conn
            .query_row("SELECT upto_seq, state, digest FROM snapshots WHERE doc = ?1", params![doc], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, Option<Vec<u8>>>(2)?))
            })
            .optional()?;
        let Some((upto, state, digest)) = row else { return Ok(None) };
        if digest.as_deref() != Some(&snapshot_digest(&doc, upto, &state)[..]) {
            return Err(self.damaged(format!("øjebliksbilledet af dokumentet {doc} (op til log nr. {upto})")));
        }
        Ok(Some((upto, state)))
    }

    fn damaged(&self, row: String) -> StoreError {
        StoreError::Integrity { path: self.path.clone(), row }
    }

    /// Reads `(seq, data)` rows of `updates` selected by `sql` (which must select
    /// `seq, doc, data, org, author, client_id, at, digest`), each checked against its digest.
    fn checked_updates(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        Ok(self.checked_log(sql, args)?.into_iter().map(|u| (u.seq, u.data)).collect())
    }

    fn checked_log(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<LoggedUpdate>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query(args)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(self.checked_row(r)?);
        }
        Ok(out)
    }

    /// One row `seq, doc, data, org, author, client_id, at, digest` of `updates`, checked.
    fn checked_row(&self, r: &rusqlite::Row<'_>) -> Result<LoggedUpdate, StoreError> {
        let (seq, doc, data): (i64, String, Vec<u8>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let (org, author, client_id, at): (Option<u16>, String, Option<i64>, i64) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let digest: Option<Vec<u8>> = r.get(7)?;
        if digest.as_deref() != Some(&update_digest(&doc, &data, org, &author, client_id, at)[..]) {
            return Err(self.damaged(format!("opdatering nr. {seq} i loggen (dokument {doc})")));
        }
        Ok(LoggedUpdate { seq, doc, data, org: org.map(OrgCode), author, client_id: client_id.map(|c| c as u64), at_millis: at })
    }

    /// Updates of a document logged after `after_seq`, in order.
    pub fn updates_after(&self, key: DocKey, after_seq: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        self.checked_updates(
            "SELECT seq, doc, data, org, author, client_id, at, digest FROM updates WHERE doc = ?1 AND seq > ?2 ORDER BY seq",
            params![key.name(), after_seq],
        )
    }

    /// Updates of a document up to and including log position `upto_seq`, in order (to
    /// rebuild the document as it was then).
    pub fn updates_upto(&self, key: DocKey, upto_seq: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        self.checked_updates(
            "SELECT seq, doc, data, org, author, client_id, at, digest FROM updates WHERE doc = ?1 AND seq <= ?2 ORDER BY seq",
            params![key.name(), upto_seq],
        )
    }

    /// The last log position (over all documents) written at or before `at_millis`, by the
    /// log's clock (the largest time written so far: where clocks of several processes
    /// disagree, the log up to the first row that passed `at_millis`); 0 if none. An index
    /// lookup (`changes_by_clock`), not a scan of the log.
    pub fn seq_at(&self, at_millis: i64) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq FROM changes WHERE at_max <= ?1 ORDER BY at_max DESC, seq DESC LIMIT 1")?
            .query_row(params![at_millis], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// The highest log position over all documents; 0 for an empty log.
    pub fn head_seq(&self) -> Result<i64, StoreError> {
        Ok(self.conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM updates")?.query_row([], |r| r.get(0))?)
    }

    /// When log position `seq` was written, if it exists.
    pub fn time_of(&self, seq: i64) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.prepare_cached("SELECT at FROM updates WHERE seq = ?1")?.query_row(params![seq], |r| r.get(0)).optional()?)
    }

    /// A value of the `workspace` table (file-level settings such as the review baseline).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.prepare_cached("SELECT value FROM workspace WHERE key = ?1")?.query_row(params![key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO workspace(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The full log of a document (or of all documents), with who and when.
    pub fn log(&self, key: Option<DocKey>) -> Result<Vec<LoggedUpdate>, StoreError> {
        self.checked_log(
            "SELECT seq, doc, data, org, author, client_id, at, digest FROM updates WHERE ?1 IS NULL OR doc = ?1 ORDER BY seq",
            params![key.map(|k| k.name())],
        )
    }

    /// Records what the hub says about who wrote a document's changes: client id →
    /// organisation bindings, and who first deleted which ids. Replaces what an earlier
    /// answer said about the same ids (the hub's bindings never change; names may).
    pub fn learn_authors(
        &self,
        key: DocKey,
        clients: &[(u64, KnownAuthor)],
        deletions: &[(IdSpan, KnownAuthor)],
        learned_from: &str,
        at_millis: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut client = tx.prepare_cached(
                "INSERT INTO client_orgs(client, org, name, label, learned_from, learned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(client) DO UPDATE SET org = excluded.org, name = excluded.name, label = excluded.label,
                 learned_from = excluded.learned_from, learned_at = excluded.learned_at",
            )?;
            for (id, a) in clients {
                client.execute(params![*id as i64, a.org, a.name, a.label, learned_from, at_millis])?;
            }
            let mut deletion = tx.prepare_cached(
                "INSERT INTO deletion_orgs(doc, client, clock, len, org, name, label, learned_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(doc, client, clock) DO UPDATE SET len = excluded.len, org = excluded.org, name = excluded.name,
                 label = excluded.label, learned_from = excluded.learned_from",
            )?;
            for (span, a) in deletions {
                deletion.execute(params![
                    key.name(),
                    span.client as i64,
                    span.start,
                    span.end.saturating_sub(span.start),
                    a.org,
                    a.name,
                    a.label,
                    learned_from
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The organisation the hub bound this CRDT client id to, if we have been told.
    pub fn client_author(&self, client: u64) -> Result<Option<KnownAuthor>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT org, name, label FROM client_orgs WHERE client = ?1")?
            .query_row(params![client as i64], |r| Ok(KnownAuthor { org: r.get(0)?, name: r.get(1)?, label: r.get(2)? }))
            .optional()?)
    }

    /// Who first deleted (some of) the ids of `span` in a document, as the hub told us.
    pub fn deletion_authors(&self, key: DocKey, span: IdSpan) -> Result<Vec<KnownAuthor>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT org, name, label FROM deletion_orgs
             WHERE doc = ?1 AND client = ?2 AND clock < ?4 AND clock + len > ?3 ORDER BY org, label",
        )?;
        let rows = stmt
            .query_map(params![key.name(), span.client as i64, span.start, span.end], |r| {
                Ok(KnownAuthor { org: r.get(0)?, name: r.get(1)?, label: r.get(2)? })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Number of updates logged for a document after its snapshot.
    pub fn pending_since_snapshot(&self, key: DocKey) -> Result<i64, StoreError> {
        let upto = self.snapshot_seq(key)?;
        Ok(self.conn.prepare_cached("SELECT count(*) FROM updates WHERE doc = ?1 AND seq > ?2")?.query_row(params![key.name(), upto],
            |r| r.get(0),
        )?)
    }

    fn snapshot_seq(&self, key: DocKey) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT upto_seq FROM snapshots WHERE doc = ?1", params![key.name()], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// The highest log position of a document before `seq` (0 if none).
    pub fn last_seq_before(&self, key: DocKey, seq: i64) -> Result<i64, StoreError> {
        Ok(self.conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM updates WHERE doc = ?1 AND seq < ?2")?.query_row(params![key.name(), seq],
            |r| r.get(0),
        )?)
    }

    /// The first log position of a document, if it has any.
    pub fn first_seq(&self, key: DocKey) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.prepare_cached("SELECT min(seq) FROM updates WHERE doc = ?1")?.query_row(params![key.name()], |r| r.get(0))?)
    }

    /// The highest log position of a document.
    pub fn last_seq(&self, key: DocKey) -> Result<i64, StoreError> {
        Ok(self.conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM updates WHERE doc = ?1")?.query_row(params![key.name()],
            |r| r.get(0),
        )?)
    }

    /// Stores `state` as the document's snapshot covering the log up to `upto_seq`.
    pub fn write_snapshot(&self, key: DocKey, upto_seq: i64, state: &[u8], at_millis: i64) -> Result<(), StoreError> {
        let doc = key.name();
        let digest = snapshot_digest(&doc, upto_seq, state);
        self.conn.execute(
            "INSERT INTO snapshots(doc, upto_seq, state, at, digest) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(doc) DO UPDATE SET upto_seq = excluded.upto_seq, state = excluded.state, at = excluded.at, digest = excluded.digest",
            params![doc, upto_seq, state, at_millis, digest],
        )?;
        Ok(())
    }

    /// Runs `f` inside one SQLite transaction (bulk import, benchmarks).
    pub fn in_transaction<R>(&mut self, f: impl FnOnce(&Store) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(r) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(r)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.konsekvens");
        std::fs::write(&path, b"this is a text file, not a database at all, really").unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().expect("refused");
        assert!(matches!(err, StoreError::NotAWorkspace { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("notes.konsekvens-wal").exists());
    }

    #[test]
    fn another_programs_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE t(x)").unwrap();
        let err = Store::open(&path).err().expect("refused");
        assert!(err.to_string().contains("not a Konsekvens workspace"), "{err}");
    }

    #[test]
    fn a_newer_schema_is_refused_with_both_versions_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.konsekvens");
        drop(Store::create(&path, 0).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 7).unwrap();
        let err = Store::open(&path).err().expect("refused").to_string();
        assert!(err.contains("schema 7") && err.contains(&format!("up to {SCHEMA_VERSION}")), "{err}");
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.konsekvens");
        std::fs::write(&path, b"precious").unwrap();
        assert!(matches!(Store::create(&path, 0), Err(StoreError::Exists { .. })));
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    }

    /// A schema-1 file as the earlier version wrote it: no digest columns.
    fn schema_1_file(path: &Path) {
        let store = Store::create(path, 0).unwrap();
        store.ensure_document(DocKey::Base, 0).unwrap();
        let meta = UpdateMeta { org: Some(OrgCode(101)), author: "dpo@kk.dk", client_id: Some(7), at_millis: 5 };
        let a = store.append(DocKey::Base, b"one", &meta).unwrap();
        store.append(DocKey::Base, b"two", &meta).unwrap();
        store.write_snapshot(DocKey::Base, a, b"state", 6).unwrap();
        store
            .conn
            .execute_batch(
                "ALTER TABLE updates DROP COLUMN digest; ALTER TABLE snapshots DROP COLUMN digest;
                 DROP TABLE client_orgs; DROP TABLE deletion_orgs; PRAGMA user_version = 1;",
            )
            .unwrap();
    }

    #[test]
    fn a_schema_1_file_is_migrated_on_open_and_keeps_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.konsekvens");
        schema_1_file(&path);
        let store = Store::open(&path).unwrap();
        let version: i32 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(store.snapshot(DocKey::Base).unwrap(), Some((1, b"state".to_vec())));
        assert_eq!(store.updates_after(DocKey::Base, 0).unwrap(), vec![(1, b"one".to_vec()), (2, b"two".to_vec())]);
        drop(store);
        // Opening again is a no-op migration.
        assert_eq!(Store::open(&path).unwrap().log(None).unwrap().len(), 2);
    }

    #[test]
    fn a_changed_byte_in_a_stored_update_or_snapshot_is_reported_with_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.konsekvens");
        schema_1_file(&path);
        drop(Store::open(&path).unwrap());
        // A bit flip in the second update's bytes: SQLite's pages stay well-formed.
        Connection::open(&path).unwrap().execute("UPDATE updates SET data = X'74776e' WHERE seq = 2", []).unwrap();
        let store = Store::open(&path).unwrap();
        let err = store.updates_after(DocKey::Base, 1).unwrap_err().to_string();
        assert!(err.contains("K-FIL-INTEGRITET") && err.contains("opdatering nr. 2") && err.contains("base"), "{err}");
        assert!(store.log(None).is_err() && store.updates_upto(DocKey::Base, 2).is_err());
        assert_eq!(store.updates_upto(DocKey::Base, 1).unwrap().len(), 1, "rows before it still read");
        // Who wrote it is covered too.
        Connection::open(&path).unwrap().execute("UPDATE updates SET data = X'74776f', org = 561 WHERE seq = 2", []).unwrap();
        assert!(store.log(None).is_err());
        Connection::open(&path).unwrap().execute("UPDATE updates SET org = 101 WHERE seq = 2", []).unwrap();
        assert_eq!(store.log(None).unwrap().len(), 2, "restored row reads again");
        Connection::open(&path).unwrap().execute("UPDATE snapshots SET state = X'7374617465ff'", []).unwrap();
        let err = store.snapshot(DocKey::Base).unwrap_err().to_string();
        assert!(err.contains("øjebliksbilledet af dokumentet base"), "{err}");
    }

    #[test]
    fn a_file_without_the_attribution_tables_gains_them_on_open_and_keeps_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.konsekvens");
        // What the earlier version wrote: schema 1, without the attribution tables.
        schema_1_file(&path);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.log(None).unwrap().len(), 2);
        let version: i32 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION, "migrated to the schema this build writes");
        let esb = KnownAuthor { org: "561".into(), name: "Esbjerg".into(), label: "DPO".into() };
        let span = IdSpan { client: 9, start: 10, end: 20 };
        store.learn_authors(DocKey::Base, &[(7, esb.clone())], &[(span, esb.clone())], "ws://hub", 5).unwrap();
        assert_eq!(store.client_author(7).unwrap(), Some(esb.clone()));
        assert_eq!(store.client_author(8).unwrap(), None);
        let overlapping = IdSpan { client: 9, start: 19, end: 25 };
        assert_eq!(store.deletion_authors(DocKey::Base, overlapping).unwrap(), vec![esb]);
        assert!(store.deletion_authors(DocKey::Base, IdSpan { client: 9, start: 20, end: 25 }).unwrap().is_empty());
        assert!(store.deletion_authors(DocKey::Coordination, span).unwrap().is_empty());
    }

    #[test]
    fn a_schema_3_file_gains_the_kept_models_on_open_and_keeps_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.konsekvens");
        let store = Store::create(&path, 0).unwrap();
        store.ensure_document(DocKey::Base, 0).unwrap();
        let meta = UpdateMeta { org: Some(OrgCode(101)), author: "dpo@kk.dk", client_id: Some(7), at_millis: 5 };
        let a = store.append_with_history(DocKey::Base, b"one", &meta, "{}", &[]).unwrap();
        store.write_snapshot(DocKey::Base, a, b"state", 6).unwrap();
        // What the previous version wrote: schema 3, without `models`.
        store.conn.execute_batch("DROP TABLE models; PRAGMA user_version = 3;").unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let version: i32 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(store.snapshot(DocKey::Base).unwrap(), Some((a, b"state".to_vec())));
        assert_eq!(store.updates_after(DocKey::Base, 0).unwrap(), vec![(a, b"one".to_vec())]);
        assert_eq!(store.model(DocKey::Base, a, 1).unwrap(), None);
        assert_eq!(store.answer("review-status/101", "base 1", 1).unwrap(), None, "the answers table is there too");
        store.keep_answer("review-status/101", "base 1", 1, "{}").unwrap();
        assert_eq!(store.answer("review-status/101", "base 1", 1).unwrap().as_deref(), Some("{}"));
        assert_eq!(store.answer("review-status/101", "base 2", 1).unwrap(), None, "other inputs, no answer");
        store.keep_model(DocKey::Base, a, 1, "{\"x\":1}").unwrap();
        assert_eq!(store.model(DocKey::Base, a, 1).unwrap().as_deref(), Some("{\"x\":1}"));
        assert_eq!(store.model(DocKey::Base, a, 2).unwrap(), None, "another format is not read");
        assert!(store.verify().unwrap().is_ok());
        // A changed byte in a kept model makes it a miss (it is made again), and `verify` names it.
        store.conn.execute("UPDATE models SET model = '{\"x\":2}'", []).unwrap();
        assert_eq!(store.model(DocKey::Base, a, 1).unwrap(), None);
        assert!(store.verify().unwrap().rows.iter().any(|r| r.contains("dokumentet base")));
        drop(store);
        assert!(Store::open(&path).is_ok(), "opening again is a no-op migration");
    }

    #[test]
    fn kept_models_are_bounded_per_document_and_forgotten_from_a_reset_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("w.konsekvens"), 0).unwrap();
        for seq in 1..=(MODELS_KEPT + 10) {
            store.keep_model(DocKey::Base, seq, 1, "{}").unwrap();
        }
        store.keep_model(DocKey::Coordination, 3, 1, "{}").unwrap();
        let count = |doc: &str| -> i64 { store.conn.query_row("SELECT count(*) FROM models WHERE doc = ?1", [doc], |r| r.get(0)).unwrap() };
        assert_eq!(count("base"), MODELS_KEPT);
        assert!(store.model(DocKey::Base, MODELS_KEPT + 10, 1).unwrap().is_some(), "the newest kept");
        assert!(store.model(DocKey::Base, 1, 1).unwrap().is_none(), "the oldest made go first");
        store.forget_models(DocKey::Base, 20).unwrap();
        assert!(store.model(DocKey::Base, 19, 1).unwrap().is_some() && store.model(DocKey::Base, 20, 1).unwrap().is_none());
        assert_eq!(count("coordination"), 1, "other documents keep theirs");
        let synchronous: i64 = store.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!(synchronous, 2, "the log's commits wait for the disk again (FULL)");
    }

    #[test]
    fn log_and_snapshot_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("w.konsekvens"), 0).unwrap();
        store.ensure_document(DocKey::Base, 0).unwrap();
        let meta = UpdateMeta { org: Some(OrgCode(101)), author: "dpo@kk.dk", client_id: Some(7), at_millis: 5 };
        let a = store.append(DocKey::Base, b"one", &meta).unwrap();
        let b = store.append(DocKey::Base, b"two", &meta).unwrap();
        store.write_snapshot(DocKey::Base, a, b"state", 6).unwrap();
        assert_eq!(store.updates_after(DocKey::Base, a).unwrap(), vec![(b, b"two".to_vec())]);
        assert_eq!(store.pending_since_snapshot(DocKey::Base).unwrap(), 1);
        let log = store.log(Some(DocKey::Base)).unwrap();
        assert_eq!(log[0].org, Some(OrgCode(101)));
        assert_eq!(log[1].author, "dpo@kk.dk");
    }
}
