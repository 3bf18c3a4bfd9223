//! `hub backup --to FILE` while the hub serves, and `hub restore --from FILE`.
//!
//! A backup is SQLite's online backup (rusqlite's `backup` API) of `hub.sqlite`, copied in
//! one step, so inside one read transaction: a consistent state that holds every update
//! acknowledged before the backup began (an acknowledgement waits for the commit and its
//! fsync). In WAL mode the reader does not hold up the hub's writer. The copy is written
//! beside FILE, checked (`PRAGMA integrity_check`, the hub's application id and schema),
//! made one self-contained file (rollback journal, no `-wal`), fsynced and only then renamed
//! to FILE: a FILE that exists is a whole backup.
//!
//! A restore refuses to run while a hub serves the directory (the data directory's lock,
//! held by `hub serve`); it never deletes the database it replaces but moves it (with its
//! `-wal`/`-shm`) into `before-restore-<time>/` in the data directory. The restored hub
//! opens a recovery window, as after a crash: its peers hold changes made after the
//! backup and send them back.

use crate::durable;
use crate::server::HubError;
use crate::store::{HubStore, StoreError, APPLICATION_ID, DB_FILE, SCHEMA_VERSION};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The lock file `hub serve` holds (an OS file lock, released when the process ends).
pub const LOCK_FILE: &str = "hub.lock";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: no hub database here", .0.display())]
    NoDatabase(PathBuf),
    #[error("{}: not a Konsekvens hub backup ({why})", path.display())]
    NotAHub { path: PathBuf, why: String },
    #[error("{}: damaged ({why})", path.display())]
    Damaged { path: PathBuf, why: String },
    #[error("{}: already exists; a backup never replaces a file", .0.display())]
    Exists(PathBuf),
    #[error("{}: the data directory already has a hub database; restore with --force (it is kept in before-restore-…/)", .0.display())]
    WouldReplace(PathBuf),
    #[error("the database is busy; the backup did not finish: {0}")]
    Busy(String),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("SQLite: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// What a backup or restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema: i32,
    pub dpias: i64,
    pub updates: i64,
    /// The log's last position (`hub log`'s numbers).
    pub last_seq: i64,
}

/// Locks the data directory for this process until the file is dropped: `hub serve` holds
/// it, `hub restore` takes it.
pub(crate) fn lock_data_dir(dir: &Path) -> Result<File, HubError> {
    let path = dir.join(LOCK_FILE);
    let file = File::options().create(true).truncate(false).write(true).open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(HubError::InUse(dir.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => Err(HubError::Io(e)),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_owned(), source }
}

/// Copies `from` into a new database at `part` in one backup step (one read transaction).
fn copy(from: &Connection, part: &Path) -> Result<Connection, BackupError> {
    let _ = std::fs::remove_file(part);
    let mut to = Connection::open(part)?;
    {
        let backup = Backup::new(from, &mut to)?;
        // Busy only while another connection holds a write lock on a rollback-journal
        // database; in WAL mode a reader is never held up, so a few tries are plenty.
        let mut tries = 0;
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => continue,
                StepResult::Busy | StepResult::Locked if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                other => return Err(BackupError::Busy(format!("{other:?}"))),
            }
        }
    }
    Ok(to)
}

/// Checks a copy (or a backup file) is a whole hub database; what it holds.
fn inspect(conn: &Connection, path: &Path) -> Result<BackupReport, BackupError> {
    let app: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| BackupError::NotAHub { path: path.to_owned(), why: e.to_string() })?;
    if app != APPLICATION_ID {
        return Err(BackupError::NotAHub { path: path.to_owned(), why: format!("application id {app:#x}") });
    }
    let schema: i32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if schema > SCHEMA_VERSION {
        return Err(StoreError::Newer { path: path.to_owned(), found: schema, supported: SCHEMA_VERSION }.into());
    }
    let check: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(BackupError::Damaged { path: path.to_owned(), why: check });
    }
    let dpias: i64 = conn.query_row("SELECT count(*) FROM dpias", [], |r| r.get(0))?;
    let (updates, last_seq): (i64, Option<i64>) = conn.query_row("SELECT count(*), max(seq) FROM updates", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let bytes = std::fs::metadata(path).map_err(io(path))?.len();
    Ok(BackupReport { path: path.to_owned(), bytes, schema, dpias, updates, last_seq: last_seq.unwrap_or(0) })
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    // Directories cannot be opened for fsync on Windows; its rename is durable as it stands.
    if cfg!(unix) {
        File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    }
    Ok(())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn part_of(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".part");
    PathBuf::from(p)
}

/// `hub backup --data DIR --to FILE`: safe while the hub serves DIR.
pub fn backup(data_dir: &Path, to: &Path) -> Result<BackupReport, BackupError> {
    let db = data_dir.join(DB_FILE);
    if !db.is_file() {
        return Err(BackupError::NoDatabase(data_dir.to_owned()));
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    // Read-write (not create): a reader of a WAL database may have to build its index.
    let from = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    from.busy_timeout(Duration::from_secs(10))?;
    let part = part_of(to);
    let result = (|| {
        let to_conn = copy(&from, &part)?;
        // One self-contained file: no -wal beside it to forget.
        to_conn.pragma_update(None, "journal_mode", "DELETE")?;
        let mut report = inspect(&to_conn, &part)?;
        drop(to_conn);
        File::open(&part).and_then(|f| f.sync_all()).map_err(io(&part))?;
        if to.exists() {
            return Err(BackupError::Exists(to.to_owned()));
        }
        std::fs::rename(&part, to).map_err(io(to))?;
        sync_dir(&parent_of(to))?;
        report.path = to.to_owned();
        Ok(report)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// `hub restore --from FILE --data DIR [--force]`: DIR's hub must be stopped.
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> Result<BackupReport, BackupError> {
    if !from.is_file() {
        return Err(BackupError::NoDatabase(from.to_owned()));
    }
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let _lock = lock_data_dir(data_dir)?;
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| BackupError::NotAHub { path: from.to_owned(), why: e.to_string() })?;
    inspect(&source, from)?;
    let db = data_dir.join(DB_FILE);
    if db.exists() && same_file(from, &db) {
        return Err(BackupError::WouldReplace(data_dir.to_owned()));
    }
    if db.exists() {
        if !force {
            return Err(BackupError::WouldReplace(data_dir.to_owned()));
        }
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let aside = data_dir.join(format!("before-restore-{stamp}"));
        std::fs::create_dir_all(&aside).map_err(io(&aside))?;
        for suffix in ["", "-wal", "-shm"] {
            let name = format!("{DB_FILE}{suffix}");
            let path = data_dir.join(&name);
            if path.exists() {
                std::fs::rename(&path, aside.join(&name)).map_err(io(&path))?;
            }
        }
    }
    let part = part_of(&db);
    let result = (|| {
        let to = copy(&source, &part)?;
        to.pragma_update(None, "journal_mode", "WAL")?;
        inspect(&to, &part)?;
        // Folded into the file: the rename below moves everything.
        to.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(to);
        for suffix in ["-wal", "-shm"] {
            let mut p = part.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        File::open(&part).and_then(|f| f.sync_all()).map_err(io(&part))?;
        std::fs::rename(&part, &db).map_err(io(&db))?;
        sync_dir(data_dir)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    // Peers hold what was written after the backup: as after a crash, they send it back.
    durable::open_recovery(data_dir, crate::store::now_millis()).map_err(io(data_dir))?;
    // An older schema is migrated now, while nobody else has the directory.
    drop(HubStore::open(data_dir)?);
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    inspect(&conn, &db)
}
