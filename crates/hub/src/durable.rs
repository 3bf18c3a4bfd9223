//! What the writer needs to forward before the disk has an update, and answer only after:
//! an fsync of SQLite's write-ahead log that does not go through SQLite, and whether the
//! previous run ended without a clean shutdown.
//!
//! The writer commits with `synchronous=NORMAL` (the commit is `write()`s into the WAL, in
//! the operating system's page cache — it survives a killed process) and forwards at once;
//! the syncer thread then fsyncs the WAL file for every commit made so far (group commit)
//! and only then answers the writers. An fsync on any descriptor of a file flushes all its
//! dirty pages, whoever wrote them, which is what SQLite's own `synchronous=FULL` does at
//! each commit. See the crate README, «Durability».

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The marker of a running hub: present at start means the last run did not stop cleanly.
pub(crate) const RUNNING_FILE: &str = "hub.running";
/// Present while a recovery window is open: the time (ms since the epoch) it opened.
pub(crate) const RECOVERY_FILE: &str = "hub.recovery";
/// How long after an unclean stop peers may send back others' changes the hub forwarded
/// and lost (see `writer`): offline peers come back within days, not months.
pub(crate) const RECOVERY_WINDOW: Duration = Duration::from_secs(14 * 24 * 3600);

/// The WAL file of the hub database, for fsyncs. Reopened when SQLite replaced it (it does
/// so only when the last connection closes, which the running hub never lets happen, but a
/// stale descriptor would make every later fsync a silent no-op).
pub(crate) struct WalFile {
    path: PathBuf,
    dir: PathBuf,
    open: Option<(File, u64)>,
}

impl WalFile {
    pub(crate) fn new(db: &Path) -> WalFile {
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        let dir = db.parent().map(Path::to_owned).unwrap_or_else(|| PathBuf::from("."));
        WalFile { path: PathBuf::from(wal), dir, open: None }
    }

    /// Every commit made before this call is on disk when it returns `Ok`.
    pub(crate) fn sync(&mut self) -> std::io::Result<()> {
        let meta = std::fs::metadata(&self.path)?;
        #[cfg(unix)]
        let ino = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let ino = {
            let _ = meta;
            self.open = None; // no inode to compare: open afresh each time
            0
        };
        if self.open.as_ref().is_none_or(|(_, open)| *open != ino) {
            let file = File::open(&self.path)?;
            // A new WAL file's directory entry must be on disk too.
            File::open(&self.dir)?.sync_all()?;
            self.open = Some((file, ino));
        }
        let (file, _) = self.open.as_ref().expect("opened above");
        file.sync_data()
    }
}

/// Writes `name` with `content` in `dir` durably (the file and its directory entry).
fn write_durably(dir: &Path, name: &str, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = File::create(dir.join(name))?;
    f.write_all(content.as_bytes())?;
    f.sync_all()?;
    File::open(dir)?.sync_all()
}

/// Called once when the hub starts serving: marks it running, and says whether peers may
/// send back changes a crashed run forwarded and lost (a recovery window is open).
pub(crate) fn start(dir: &Path, now_millis: i64) -> std::io::Result<bool> {
    let crashed = dir.join(RUNNING_FILE).exists();
    if crashed {
        write_durably(dir, RECOVERY_FILE, &now_millis.to_string())?;
    }
    write_durably(dir, RUNNING_FILE, "")?;
    let opened: Option<i64> = std::fs::read_to_string(dir.join(RECOVERY_FILE)).ok().and_then(|s| s.trim().parse().ok());
    match opened {
        Some(at) if now_millis.saturating_sub(at) < RECOVERY_WINDOW.as_millis() as i64 => Ok(true),
        Some(_) => {
            std::fs::remove_file(dir.join(RECOVERY_FILE))?;
            Ok(false)
        }
        None => Ok(false),
    }
}

/// Opens a recovery window now (`hub restore`: the peers hold what the backup lacks).
pub(crate) fn open_recovery(dir: &Path, now_millis: i64) -> std::io::Result<()> {
    write_durably(dir, RECOVERY_FILE, &now_millis.to_string())
}

/// Called after a clean shutdown (everything committed and checkpointed).
pub(crate) fn stopped(dir: &Path) -> std::io::Result<()> {
    std::fs::remove_file(dir.join(RUNNING_FILE))?;
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_opens_a_recovery_window_that_a_clean_stop_keeps_and_time_closes() {
        let dir = tempfile::tempdir().unwrap();
        let day = 24 * 3600 * 1000;
        assert!(!start(dir.path(), 0).unwrap(), "a first start is not a recovery");
        stopped(dir.path()).unwrap();
        assert!(!start(dir.path(), day).unwrap(), "a clean stop opens nothing");
        // No stop: the next start finds the marker.
        assert!(start(dir.path(), 2 * day).unwrap(), "a run that did not stop cleanly opens the window");
        stopped(dir.path()).unwrap();
        assert!(start(dir.path(), 3 * day).unwrap(), "the window stays open across clean restarts");
        stopped(dir.path()).unwrap();
        assert!(!start(dir.path(), 2 * day + RECOVERY_WINDOW.as_millis() as i64).unwrap(), "and closes when its time is up");
        assert!(!dir.path().join(RECOVERY_FILE).exists());
    }

    #[test]
    fn the_wal_is_synced_and_reopened_when_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite");
        let mut wal = WalFile::new(&db);
        assert!(wal.sync().is_err(), "no WAL yet: an error, not a silent success");
        std::fs::write(dir.path().join("x.sqlite-wal"), b"one").unwrap();
        wal.sync().unwrap();
        let first = wal.open.as_ref().unwrap().1;
        std::fs::remove_file(dir.path().join("x.sqlite-wal")).unwrap();
        std::fs::write(dir.path().join("x.sqlite-wal"), b"two").unwrap();
        wal.sync().unwrap();
        assert_ne!(wal.open.as_ref().unwrap().1, first, "a replaced WAL is reopened");
    }
}
