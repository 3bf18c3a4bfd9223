//! The hub's state: one SQLite file `hub.sqlite` under the data directory.
//!
//! - `orgs`, `tokens` (only the SHA-256 of a token is stored), `dpias`, `participants`: the
//!   registry the admin commands write;
//! - `updates`: the append-only log of every accepted update with organisation, token and
//!   time — the audit trail, never rewritten;
//! - `snapshots`: each document compacted up to a log position, so a restart replays only
//!   the tail of the log;
//! - `client_ids`: which organisation a CRDT client id belongs to (bound on first use);
//! - `refusals`: every refused write, with the reason.
//!
//! WAL: an update is committed (in the operating system's hands) before it is forwarded, and
//! on disk (the WAL fsynced) before its writer is answered. The server's writer commits the
//! updates that arrive together in one [`Batch`]; [`Queries`] reads and writes the same way
//! through the store or a batch.

use crate::rights::{BasePolicy, DpiaInfo, Role, TokenInfo};
use konsekvens_core::DocKey;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// "KHUB" — marks the file as a Konsekvens hub database.
pub const APPLICATION_ID: i32 = 0x4B48_5542;
/// 2: `refusals.org` and `refusals.token_id` may be NULL (a refused handshake has no
/// organisation or token). 3: `client_ids.lease` (see [`Queries::extend_leases`]). Older
/// databases are migrated when opened.
pub const SCHEMA_VERSION: i32 = 3;
/// The database file inside the data directory.
pub const DB_FILE: &str = "hub.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("hub database {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a Konsekvens hub database ({why})")]
    NotAHub { path: PathBuf, why: String },
    #[error("{path}: written by a newer Konsekvens hub (schema {found}; this version reads up to {supported})")]
    Newer { path: PathBuf, found: i32, supported: i32 },
    #[error("hub database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("organisation code «{0}» is not valid (letters, digits, '-' or '_', at most 32)")]
    BadOrgCode(String),
    #[error("DPIA id «{0}» is not valid (letters, digits, '-', '_' or '.', at most 64)")]
    BadDpiaId(String),
    #[error("no organisation with code {0}; add it with `hub org add`")]
    UnknownOrg(String),
    #[error("organisation {0} already exists")]
    DuplicateOrg(String),
    #[error("no joint DPIA with id {0}")]
    UnknownDpia(String),
    #[error("joint DPIA {0} already exists")]
    DuplicateDpia(String),
    #[error("no such token")]
    UnknownToken,
    #[error("the snapshot or update {seq} of {dpia}/{doc} is damaged: {why}")]
    Damaged { dpia: String, doc: String, seq: i64, why: String },
}

/// When the server answers a writer: after its update is on disk, or as soon as it is
/// committed (it reaches the disk at the next checkpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// An update is answered only once the WAL holding it is fsynced (group commit on the
    /// writer's syncer thread; forwarding does not wait): nothing acknowledged is lost even
    /// on power loss. The default.
    #[default]
    Full,
    /// Commits reach the operating system before the update is forwarded or acknowledged,
    /// and the disk at the next checkpoint (within a second): nothing acknowledged is lost
    /// when the hub process dies (kill -9, a crash); a power cut or kernel crash can lose the
    /// last second — which the clients still hold and send again at their next sync (taken
    /// back, see `writer`, «Durability»).
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

impl std::str::FromStr for Synchronous {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Synchronous::Full),
            "normal" => Ok(Synchronous::Normal),
            other => Err(format!("«{other}» is not a synchronous mode (full or normal)")),
        }
    }
}

impl std::fmt::Display for Synchronous {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Synchronous::Full => "full",
            Synchronous::Normal => "normal",
        })
    }
}

/// An issued token: `secret` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub org: String,
    pub role: Role,
    pub secret: String,
}

/// A token as listed (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: i64,
    pub org: String,
    pub role: Role,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub code: String,
    pub name: String,
}

/// One logged update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub seq: i64,
    pub dpia: String,
    pub doc: String,
    pub data: Vec<u8>,
    pub org: String,
    pub token_id: i64,
    pub at_millis: i64,
}

/// One refused write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalRow {
    pub dpia: String,
    pub doc: String,
    /// None for a refused handshake (an unknown token).
    pub org: Option<String>,
    pub token_id: Option<i64>,
    pub reason: String,
    pub at_millis: i64,
}

const SCHEMA: &str = r#"
CREATE TABLE orgs (code TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hash BLOB NOT NULL UNIQUE,
    org TEXT NOT NULL REFERENCES orgs(code),
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'member', 'reader')),
    label TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE dpias (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    coordinator TEXT NOT NULL REFERENCES orgs(code),
    base_policy TEXT NOT NULL CHECK (base_policy IN ('all', 'coordinator')),
    created_at INTEGER NOT NULL
);
CREATE TABLE participants (
    dpia TEXT NOT NULL REFERENCES dpias(id),
    org TEXT NOT NULL REFERENCES orgs(code),
    PRIMARY KEY (dpia, org)
);
CREATE TABLE updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    dpia TEXT NOT NULL REFERENCES dpias(id),
    doc TEXT NOT NULL,
    data BLOB NOT NULL,
    org TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX updates_by_doc ON updates(dpia, doc, seq);
CREATE TABLE snapshots (
    dpia TEXT NOT NULL,
    doc TEXT NOT NULL,
    upto_seq INTEGER NOT NULL,
    state BLOB NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (dpia, doc)
);
CREATE TABLE client_ids (
    client_id INTEGER PRIMARY KEY,
    org TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    lease INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE refusals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dpia TEXT NOT NULL,
    doc TEXT NOT NULL,
    org TEXT,
    token_id INTEGER,
    reason TEXT NOT NULL,
    size INTEGER NOT NULL,
    at INTEGER NOT NULL
);
"#;

/// Schema 1 → 2: `refusals` with nullable `org` and `token_id` (SQLite cannot drop a NOT
/// NULL constraint in place: the table is rebuilt, rows and ids kept).
const MIGRATE_1_TO_2: &str = r#"
CREATE TABLE refusals_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dpia TEXT NOT NULL,
    doc TEXT NOT NULL,
    org TEXT,
    token_id INTEGER,
    reason TEXT NOT NULL,
    size INTEGER NOT NULL,
    at INTEGER NOT NULL
);
INSERT INTO refusals_v2(id, dpia, doc, org, token_id, reason, size, at)
    SELECT id, dpia, doc, org, token_id, reason, size, at FROM refusals;
DROP TABLE refusals;
ALTER TABLE refusals_v2 RENAME TO refusals;
"#;

/// Schema 2 → 3: the forwarding lease of each client id. 0 for the ids bound before: the
/// hubs that bound them forwarded nothing that was not on disk.
const MIGRATE_2_TO_3: &str = "ALTER TABLE client_ids ADD COLUMN lease INTEGER NOT NULL DEFAULT 0;";

/// The hub database. Admin commands and the server both use it (SQLite serialises writers;
/// a token issued or revoked while the server runs takes effect on the next connection or
/// write).
pub struct HubStore {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for HubStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HubStore({})", self.path.display())
    }
}

pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn hash_token(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn valid_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn valid_dpia_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('.')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

impl HubStore {
    /// Opens (or creates) `DIR/hub.sqlite`, creating `DIR` if needed.
    pub fn open(data_dir: &Path) -> Result<HubStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io { path: data_dir.to_owned(), source })?;
        let path = data_dir.join(DB_FILE);
        let fresh = !path.exists();
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if fresh {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            let tx = conn.transaction()?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.execute_batch(SCHEMA)?;
            tx.commit()?;
        } else {
            let app: i32 = conn
                .pragma_query_value(None, "application_id", |r| r.get(0))
                .map_err(|e| StoreError::NotAHub { path: path.clone(), why: e.to_string() })?;
            if app != APPLICATION_ID {
                return Err(StoreError::NotAHub { path, why: format!("application id {app:#x}") });
            }
            let version: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version > SCHEMA_VERSION {
                return Err(StoreError::Newer { path, found: version, supported: SCHEMA_VERSION });
            }
            conn.pragma_update(None, "journal_mode", "WAL")?;
            if version < SCHEMA_VERSION {
                // One transaction, the version checked again inside it: another process may
                // have migrated meanwhile; a failure leaves the old schema as it was.
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let version: i32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
                if version < 2 {
                    tx.execute_batch(MIGRATE_1_TO_2)?;
                }
                if version < 3 {
                    tx.execute_batch(MIGRATE_2_TO_3)?;
                }
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                tx.commit()?;
            }
        }
        conn.pragma_update(None, "synchronous", Synchronous::Full.pragma())?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(HubStore { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When this connection's commits reach the disk (see [`Synchronous`]).
    pub fn set_synchronous(&self, mode: Synchronous) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "synchronous", mode.pragma())?;
        Ok(())
    }

    // ---- organisations -------------------------------------------------------------------

    /// `hub org add --code 101 --name København`
    pub fn add_org(&self, code: &str, name: &str) -> Result<(), StoreError> {
        if !valid_code(code) {
            return Err(StoreError::BadOrgCode(code.to_owned()));
        }
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO orgs(code, name, created_at) VALUES (?1, ?2, ?3)",
            params![code, name, now_millis()],
        )?;
        if n == 0 {
            return Err(StoreError::DuplicateOrg(code.to_owned()));
        }
        Ok(())
    }

    pub fn orgs(&self) -> Result<Vec<OrgRow>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT code, name FROM orgs ORDER BY code")?;
        let rows = stmt.query_map([], |r| Ok(OrgRow { code: r.get(0)?, name: r.get(1)? }))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn require_org(&self, code: &str) -> Result<(), StoreError> {
        let found: Option<i64> =
            self.conn.query_row("SELECT 1 FROM orgs WHERE code = ?1", params![code], |r| r.get(0)).optional()?;
        found.map(|_| ()).ok_or_else(|| StoreError::UnknownOrg(code.to_owned()))
    }

    // ---- tokens --------------------------------------------------------------------------

    /// `hub token issue --org 101 --role member`: returns the secret once; only its SHA-256
    /// is stored.
    pub fn issue_token(&self, org: &str, role: Role, label: &str) -> Result<IssuedToken, StoreError> {
        self.require_org(org)?;
        let bytes: [u8; 32] = rand::random();
        let secret = format!("khub_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        self.conn.execute(
            "INSERT INTO tokens(hash, org, role, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash_token(&secret), org, role.as_str(), label, now_millis()],
        )?;
        Ok(IssuedToken { id: self.conn.last_insert_rowid(), org: org.to_owned(), role, secret })
    }

    /// `hub token revoke --id N`. Revoking twice is not an error.
    pub fn revoke_token(&self, id: i64) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
            params![id, now_millis()],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownToken);
        }
        Ok(())
    }

    /// Revokes the token with this secret (for when only the secret is at hand).
    pub fn revoke_token_secret(&self, secret: &str) -> Result<i64, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM tokens WHERE hash = ?1", params![hash_token(secret)], |r| r.get(0))
            .optional()?;
        let id = id.ok_or(StoreError::UnknownToken)?;
        self.revoke_token(id)?;
        Ok(id)
    }

    pub fn tokens(&self) -> Result<Vec<TokenRow>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT id, org, role, label, created_at, revoked_at FROM tokens ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                let role: String = r.get(2)?;
                Ok(TokenRow {
                    id: r.get(0)?,
                    org: r.get(1)?,
                    role: Role::parse(&role).unwrap_or(Role::Reader),
                    label: r.get(3)?,
                    created_at: r.get(4)?,
                    revoked_at: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Which of these token ids are revoked (the server asks every second about the tokens
    /// of its open connections).
    pub fn revoked_among(&self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM tokens WHERE revoked_at IS NOT NULL")?;
        let revoked: std::collections::HashSet<i64> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(ids.iter().copied().filter(|id| revoked.contains(id)).collect())
    }

    /// The registered name of an organisation.
    pub fn org_name(&self, code: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT name FROM orgs WHERE code = ?1")?
            .query_row(params![code], |r| r.get(0))
            .optional()?)
    }

    /// The live (not revoked) token with this secret.
    pub fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, org, role FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
                params![hash_token(secret)],
                |r| {
                    let role: String = r.get(2)?;
                    Ok(TokenInfo { id: r.get(0)?, org: r.get(1)?, role: Role::parse(&role).unwrap_or(Role::Reader) })
                },
            )
            .optional()?)
    }

    // ---- joint DPIAs ---------------------------------------------------------------------

    /// `hub dpia add --id aula --title AULA --coordinator KL --base-policy all --participant 101 …`
    pub fn add_dpia(
        &mut self,
        id: &str,
        title: &str,
        coordinator: &str,
        policy: BasePolicy,
        participants: &[&str],
    ) -> Result<(), StoreError> {
        if !valid_dpia_id(id) {
            return Err(StoreError::BadDpiaId(id.to_owned()));
        }
        self.require_org(coordinator)?;
        for p in participants {
            self.require_org(p)?;
        }
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO dpias(id, title, coordinator, base_policy, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, title, coordinator, policy.as_str(), now_millis()],
        )?;
        if n == 0 {
            return Err(StoreError::DuplicateDpia(id.to_owned()));
        }
        for p in participants {
            tx.execute("INSERT OR IGNORE INTO participants(dpia, org) VALUES (?1, ?2)", params![id, p])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds a participant to an existing joint DPIA (idempotent).
    pub fn add_participant(&self, dpia: &str, org: &str) -> Result<(), StoreError> {
        self.require_org(org)?;
        self.dpia(dpia)?.ok_or_else(|| StoreError::UnknownDpia(dpia.to_owned()))?;
        self.conn.execute("INSERT OR IGNORE INTO participants(dpia, org) VALUES (?1, ?2)", params![dpia, org])?;
        Ok(())
    }

    pub fn set_base_policy(&self, dpia: &str, policy: BasePolicy) -> Result<(), StoreError> {
        let n = self.conn.execute("UPDATE dpias SET base_policy = ?2 WHERE id = ?1", params![dpia, policy.as_str()])?;
        if n == 0 {
            return Err(StoreError::UnknownDpia(dpia.to_owned()));
        }
        Ok(())
    }

    pub fn dpias(&self) -> Result<Vec<DpiaInfo>, StoreError> {
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT id FROM dpias ORDER BY id")?;
            let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            ids
        };
        ids.iter().filter_map(|id| self.dpia(id).transpose()).collect()
    }

    // ---- the update log ------------------------------------------------------------------

    /// Appends an accepted update and binds its new client ids to the writer's organisation,
    /// in one committed transaction. Returns the log position.
    pub fn append(&mut self, dpia: &str, key: DocKey, data: &[u8], who: &TokenInfo, new_client_ids: &[u64]) -> Result<i64, StoreError> {
        let batch = self.batch()?;
        let seq = batch.log_update(dpia, key, data, who, new_client_ids)?;
        batch.commit()?;
        Ok(seq)
    }

    /// Opens a write transaction (taking SQLite's write lock at once): the server's writer
    /// decides on, logs and records a whole batch of incoming updates in it, then commits
    /// once.
    pub fn batch(&mut self) -> Result<Batch<'_>, StoreError> {
        Ok(Batch { tx: self.conn.transaction_with_behavior(TransactionBehavior::Immediate)? })
    }

    /// The log of a joint DPIA (optionally one document), oldest first.
    pub fn log(&self, dpia: &str, key: Option<DocKey>) -> Result<Vec<LogRow>, StoreError> {
        self.log_after(dpia, key, 0)
    }

    /// The log after position `after`, oldest first.
    pub fn log_after(&self, dpia: &str, key: Option<DocKey>, after: i64) -> Result<Vec<LogRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, dpia, doc, data, org, token_id, at FROM updates
             WHERE dpia = ?1 AND (?2 IS NULL OR doc = ?2) AND seq > ?3 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map(params![dpia, key.map(|k| k.name()), after], |r| {
                Ok(LogRow {
                    seq: r.get(0)?,
                    dpia: r.get(1)?,
                    doc: r.get(2)?,
                    data: r.get(3)?,
                    org: r.get(4)?,
                    token_id: r.get(5)?,
                    at_millis: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub fn refusals(&self, dpia: &str) -> Result<Vec<RefusalRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT dpia, doc, org, token_id, reason, at FROM refusals WHERE dpia = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map(params![dpia], |r| {
                Ok(RefusalRow {
                    dpia: r.get(0)?,
                    doc: r.get(1)?,
                    org: r.get(2)?,
                    token_id: r.get(3)?,
                    reason: r.get(4)?,
                    at_millis: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Folds the WAL into the database file and empties it (on shutdown).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Copies what it can of the WAL into the database file without waiting for, or
    /// blocking, the writer (the server's checkpoint thread calls this every second).
    pub fn checkpoint_passive(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// A person signed in through OpenID Connect, as a row of `tokens`: found by issuer and
    /// subject, its organisation, role and label («name <e-mail> · OIDC issuer») brought up to
    /// date. `None` when that row is revoked (`hub token revoke --id N` locks the person out).
    /// The key is a SHA-256 with one more byte: 33 bytes, which no presented secret's hash
    /// (32) can equal, so no bearer can authenticate as the person.
    pub fn signed_in(&self, person: &crate::oidc::SignedIn) -> Result<Option<TokenInfo>, StoreError> {
        self.require_org(&person.org)?;
        let mut key = Sha256::digest(format!("oidc\n{}\n{}", person.issuer, person.subject).as_bytes()).to_vec();
        key.push(1);
        let label = format!("{} · OIDC {}", person.person, person.issuer);
        let found: Option<(i64, Option<i64>, String, String, String)> = self
            .conn
            .query_row("SELECT id, revoked_at, org, role, label FROM tokens WHERE hash = ?1", params![key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let id = match found {
            Some((_, Some(_), ..)) => return Ok(None),
            Some((id, None, org, role, old)) => {
                if org != person.org || role != person.role.as_str() || old != label {
                    self.conn.execute(
                        "UPDATE tokens SET org = ?2, role = ?3, label = ?4 WHERE id = ?1",
                        params![id, person.org, person.role.as_str(), label],
                    )?;
                }
                id
            }
            None => {
                self.conn.execute(
                    "INSERT INTO tokens(hash, org, role, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![key, person.org, person.role.as_str(), label, now_millis()],
                )?;
                self.conn.last_insert_rowid()
            }
        };
        Ok(Some(TokenInfo { id, org: person.org.clone(), role: person.role }))
    }

    /// Whether the database answers (`/healthz`).
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn.query_row("SELECT count(*) FROM dpias", [], |_| Ok(()))?;
        Ok(())
    }

    /// The size of the write-ahead log file (0 when there is none).
    pub fn wal_size(&self) -> u64 {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
    }

    /// Stops this connection from checkpointing when its commits grow the WAL: the server's
    /// writer leaves that to [`HubStore::checkpoint_passive`] on another thread, so a
    /// checkpoint's fsync of the database file never delays a commit.
    pub fn leave_checkpoints_to_others(&self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }
}

/// A write transaction: see [`HubStore::batch`]. Dropped without [`Batch::commit`], it rolls
/// back.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Batch<'_> {
    pub fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit()?)
    }
}

/// Reads and writes of the log, the registry and the bindings, the same through the store
/// and through a [`Batch`] (which sees its own uncommitted writes).
pub trait Queries {
    fn conn(&self) -> &Connection;

    /// Whether token `id` is still live (checked again before every write).
    fn token_live(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT revoked_at IS NULL FROM tokens WHERE id = ?1")?
            .query_row(params![id], |r| r.get::<_, bool>(0))
            .optional()?
            .unwrap_or(false))
    }

    fn dpia(&self, id: &str) -> Result<Option<DpiaInfo>, StoreError> {
        let row: Option<(String, String, String)> = self
            .conn()
            .prepare_cached("SELECT title, coordinator, base_policy FROM dpias WHERE id = ?1")?
            .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((title, coordinator, policy)) = row else { return Ok(None) };
        let mut stmt = self.conn().prepare_cached("SELECT org FROM participants WHERE dpia = ?1 ORDER BY org")?;
        let participants = stmt.query_map(params![id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(Some(DpiaInfo {
            id: id.to_owned(),
            title,
            coordinator,
            base_policy: BasePolicy::parse(&policy).unwrap_or(BasePolicy::CoordinatorOnly),
            participants,
        }))
    }

    /// The snapshot of a document and the log position it covers.
    fn snapshot(&self, dpia: &str, key: DocKey) -> Result<Option<(i64, Vec<u8>)>, StoreError> {
        Ok(self
            .conn()
            .prepare_cached("SELECT upto_seq, state FROM snapshots WHERE dpia = ?1 AND doc = ?2")?
            .query_row(params![dpia, key.name()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn updates_after(&self, dpia: &str, key: DocKey, after: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT seq, data FROM updates WHERE dpia = ?1 AND doc = ?2 AND seq > ?3 ORDER BY seq")?;
        let rows = stmt.query_map(params![dpia, key.name(), after], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Which organisation each of these client ids is bound to (unbound ones are absent).
    fn client_owners(&self, ids: &[u64]) -> Result<Vec<(u64, String)>, StoreError> {
        let mut stmt = self.conn().prepare_cached("SELECT org FROM client_ids WHERE client_id = ?1")?;
        let mut out = Vec::new();
        for &id in ids {
            if let Some(org) = stmt.query_row(params![id as i64], |r| r.get::<_, String>(0)).optional()? {
                out.push((id, org));
            }
        }
        Ok(out)
    }

    /// The organisation and forwarding lease of each of these client ids (unbound ones are
    /// absent).
    fn client_leases(&self, ids: &[u64]) -> Result<Vec<(u64, String, u32)>, StoreError> {
        let mut stmt = self.conn().prepare_cached("SELECT org, lease FROM client_ids WHERE client_id = ?1")?;
        let mut out = Vec::new();
        for &id in ids {
            if let Some((org, lease)) = stmt.query_row(params![id as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).optional()? {
                out.push((id, org, lease.clamp(0, i64::from(u32::MAX)) as u32));
            }
        }
        Ok(out)
    }

    /// Raises the forwarding leases of bound client ids: the hub forwards no block of a
    /// client id at or above its lease before the lease is on disk, so after a crash a block
    /// below the lease that the hub lacks may be one it forwarded and lost (see
    /// `writer`, «Durability»).
    fn extend_leases(&self, leases: &[(u64, u32)]) -> Result<(), StoreError> {
        let mut stmt = self.conn().prepare_cached("UPDATE client_ids SET lease = max(lease, ?2) WHERE client_id = ?1")?;
        for &(id, lease) in leases {
            stmt.execute(params![id as i64, i64::from(lease)])?;
        }
        Ok(())
    }

    /// The organisation and first token each of these client ids is bound to (unbound ones
    /// are absent).
    fn client_bindings(&self, ids: &[u64]) -> Result<Vec<(u64, String, i64)>, StoreError> {
        let mut stmt = self.conn().prepare_cached("SELECT org, token_id FROM client_ids WHERE client_id = ?1")?;
        let mut out = Vec::new();
        for &id in ids {
            if let Some((org, token)) = stmt.query_row(params![id as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))).optional()? {
                out.push((id, org, token));
            }
        }
        Ok(out)
    }

    /// Appends an accepted update and binds its new client ids to the writer's
    /// organisation. Not a transaction of its own: use [`HubStore::append`] or a [`Batch`].
    fn log_update(&self, dpia: &str, key: DocKey, data: &[u8], who: &TokenInfo, new_client_ids: &[u64]) -> Result<i64, StoreError> {
        let at = now_millis();
        let conn = self.conn();
        let mut bind = conn.prepare_cached(
            "INSERT OR IGNORE INTO client_ids(client_id, org, token_id, first_seen) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for &id in new_client_ids {
            bind.execute(params![id as i64, who.org, who.id, at])?;
        }
        conn.prepare_cached("INSERT INTO updates(dpia, doc, data, org, token_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![dpia, key.name(), data, who.org, who.id, at])?;
        Ok(conn.last_insert_rowid())
    }

    fn write_snapshot(&self, dpia: &str, key: DocKey, upto: i64, state: &[u8]) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO snapshots(dpia, doc, upto_seq, state, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(dpia, doc) DO UPDATE SET upto_seq = excluded.upto_seq, state = excluded.state, at = excluded.at",
            params![dpia, key.name(), upto, state, now_millis()],
        )?;
        Ok(())
    }

    fn record_refusal(&self, dpia: &str, key: DocKey, who: &TokenInfo, reason: &str, size: usize) -> Result<(), StoreError> {
        self.record_refusal_raw(dpia, &key.name(), Some(&who.org), Some(who.id), reason, size)
    }

    /// A refusal, possibly before anybody is known (a refused handshake).
    fn record_refusal_raw(
        &self,
        dpia: &str,
        doc: &str,
        org: Option<&str>,
        token: Option<i64>,
        reason: &str,
        size: usize,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO refusals(dpia, doc, org, token_id, reason, size, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![dpia, doc, org, token, reason, size as i64, now_millis()],
        )?;
        Ok(())
    }
}

impl Queries for HubStore {
    fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Queries for Batch<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
}
