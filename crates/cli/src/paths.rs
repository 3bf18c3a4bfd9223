//! Output must never replace an input: every command that writes a file names the files it
//! reads, and [`refuse_output_onto_input`] refuses before anything is read or written when
//! the output is one of them — the same path, a path that differs only in spelling
//! (`./`, `..`, another working directory), a symbolic link to it, or (on unix) a hard link
//! (same device and inode).
//!
//! A workspace counts with its SQLite companions (`-wal`, `-shm`, `-journal`): writing over
//! the log of an open workspace corrupts it as surely as writing over the file.

use crate::Failure;
use std::path::{Path, PathBuf};

/// An input of a command: what the user calls it (Danish, for the message) and its path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    pub role: &'static str,
    pub path: &'a Path,
}

impl<'a> Input<'a> {
    pub fn new(role: &'static str, path: &'a Path) -> Self {
        Input { role, path }
    }
}

/// Why a command refuses to write.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PathError {
    #[error(
        "[K-FIL-OUTPUT-IS-INPUT] uddatafilen {} er den samme fil som {role} {}; den ville blive overskrevet. \
         Intet er skrevet, og {role} er uændret. Vælg et andet filnavn til uddata.",
        out.display(),
        input.display()
    )]
    OutputIsInput { out: PathBuf, role: &'static str, input: PathBuf },
}

/// A role as the English message names it.
fn role_en(role: &str) -> &str {
    match role {
        "arbejdsfilen" => "the workspace",
        "arbejdsfilens SQLite-log" => "the workspace's SQLite log",
        "JSON-filen" => "the JSON file",
        "CNIL-filen" => "the CNIL file",
        "regnearket" => "the sheet",
        "mappinglageret" => "the mapping store",
        "mappingfilen" => "the mapping file",
        "PDF'en der underskrives" => "the PDF being signed",
        ".p12-filen" => "the .p12 file",
        "adgangskodefilen" => "the password file",
        other => other,
    }
}

impl From<PathError> for konsekvens_core::UserError {
    fn from(e: PathError) -> Self {
        let PathError::OutputIsInput { out, role, input } = &e;
        let da = e.to_string();
        let da = da.strip_prefix("[K-FIL-OUTPUT-IS-INPUT] ").unwrap_or(&da).to_owned();
        let en = format!(
            "the output file {} is the same file as {} {}; it would be overwritten. Nothing was written, and {} is unchanged. Choose another name for the output.",
            out.display(),
            role_en(role),
            input.display(),
            role_en(role)
        );
        konsekvens_core::UserError::new("K-FIL-OUTPUT-IS-INPUT", da, en).about(out.display())
    }
}

impl From<PathError> for Failure {
    fn from(e: PathError) -> Self {
        Failure::input(e)
    }
}

/// The workspace and the SQLite files that belong to it, as inputs named "arbejdsfilen".
pub(crate) fn workspace_files(path: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut out = vec![("arbejdsfilen", path.to_path_buf())];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        out.push(("arbejdsfilens SQLite-log", PathBuf::from(name)));
    }
    out
}

/// `Err` when `out` is (or would replace) any of `inputs`.
pub(crate) fn refuse_output_onto_input(out: &Path, inputs: &[Input<'_>]) -> Result<(), PathError> {
    for input in inputs {
        if same_file(out, input.path) {
            return Err(PathError::OutputIsInput { out: out.to_path_buf(), role: input.role, input: input.path.to_path_buf() });
        }
    }
    Ok(())
}

/// As [`refuse_output_onto_input`], for inputs given as owned (role, path) pairs.
pub(crate) fn refuse_onto(out: &Path, inputs: &[(&'static str, PathBuf)]) -> Result<(), PathError> {
    let inputs: Vec<Input<'_>> = inputs.iter().map(|(role, p)| Input::new(role, p)).collect();
    refuse_output_onto_input(out, &inputs)
}

/// Whether `a` and `b` name the same file. Both existing: the same file after following
/// links (device and inode on unix; canonical paths elsewhere). Otherwise: the same
/// canonical path of the parent directory and the same name.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
        #[cfg(not(unix))]
        {
            let _ = (ma, mb);
        }
    }
    match (normalized(a), normalized(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The canonical path of an existing file, or of a missing file's directory joined with its
/// name (a dangling symbolic link is followed as far as it goes).
fn normalized(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Some(c);
    }
    if let Ok(target) = std::fs::read_link(p) {
        let target = if target.is_absolute() { target } else { p.parent().unwrap_or(Path::new(".")).join(target) };
        if target != p {
            return normalized_once(&target);
        }
    }
    normalized_once(p)
}

fn normalized_once(p: &Path) -> Option<PathBuf> {
    let name = p.file_name()?;
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_by_any_spelling_or_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("aula.konsekvens");
        std::fs::write(&ws, b"x").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let dotted = sub.join("..").join(".").join("aula.konsekvens");
        assert!(same_file(&ws, &ws));
        assert!(same_file(&dotted, &ws), "`..` and `.` in the path");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.pdf");
            std::os::unix::fs::symlink(&ws, &link).unwrap();
            assert!(same_file(&link, &ws), "a symbolic link");
            let hard = dir.path().join("hard.pdf");
            std::fs::hard_link(&ws, &hard).unwrap();
            assert!(same_file(&hard, &ws), "a hard link");
        }
        let other = dir.path().join("andet.pdf");
        assert!(!same_file(&other, &ws), "a new file beside it");
        std::fs::write(&other, b"x").unwrap();
        assert!(!same_file(&other, &ws), "another file with the same content");
    }

    #[test]
    fn the_message_names_both_files_and_the_code() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("aula.konsekvens");
        std::fs::write(&ws, b"x").unwrap();
        let wal = dir.path().join("aula.konsekvens-wal");
        let err = refuse_onto(&ws, &workspace_files(&ws)).unwrap_err().to_string();
        assert!(err.starts_with("[K-FIL-OUTPUT-IS-INPUT]"), "{err}");
        assert!(err.contains("arbejdsfilen") && err.matches("aula.konsekvens").count() == 2, "{err}");
        assert!(err.contains("Vælg et andet filnavn"), "{err}");
        // the SQLite log beside the workspace is an input too, even before it exists
        assert!(refuse_onto(&wal, &workspace_files(&ws)).is_err());
        assert!(refuse_onto(&dir.path().join("kbh.pdf"), &workspace_files(&ws)).is_ok());
    }
}
