//! End-to-end: hostile and mistaken files against the built `konsekvens` binary.
//!
//! - An output never replaces an input: every command that writes a file refuses an output
//!   path that names one of its inputs — the same path, `./` or `..` spellings, a symbolic
//!   link, the workspace's SQLite log — with `[K-FIL-OUTPUT-IS-INPUT]`, exit 2, and the input
//!   byte for byte as it was.
//! - Allocation bombs (`.xlsx` cells far apart, `.ods` repeats, a zip bomb, a CSV with
//!   20 000 columns, JSON too large or too deep) are refused fast with a Danish message, exit 2.
//! - Crafted /ByteRange arrays in a signed PDF: a named problem per signature, exit 1, no panic.
//! - A reader that closes the pipe early (`| head`): a quiet end, no panic.
//!
//! The files are made in code (crates/exchange/tests/common/bombs.rs); keys with openssl
//! (crates/pdf/tests/common/verifiers.rs; without openssl the PDF test is skipped, under CI
//! it fails). Run `cargo build -p konsekvens-cli` first.

#[path = "../crates/exchange/tests/common/bombs.rs"]
mod bombs;
#[path = "../crates/pdf/tests/common/verifiers.rs"]
mod verifiers;

use konsekvens_e2e::{binary, konsekvens, stderr, stdout};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn demo(dir: &Path) -> PathBuf {
    let path = dir.join("aula.konsekvens");
    let out = konsekvens(["demo".as_ref(), path.as_os_str()]);
    assert!(out.status.success(), "demo failed: {}", stderr(&out));
    path
}

/// `konsekvens ARGS…` run in `dir` (so `./x` and relative paths mean what a user means).
fn konsekvens_in(dir: &Path, args: &[&OsStr]) -> Output {
    konsekvens_e2e::danish(Command::new(binary()).args(args).current_dir(dir).env("KONSEKVENS_AUTHOR", "e2e").env("KONSEKVENS_TODAY", konsekvens_e2e::TODAY)).output().expect("run konsekvens")
}

/// Everything in `dir` (names and bytes): what must not change when a command refuses.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    all.sort();
    all
}

fn assert_refused_onto_input(out: &Output, what: &str, output_shown: &str, input_shown: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{what}: exit code; stderr: {err}");
    assert!(err.contains("[K-FIL-OUTPUT-IS-INPUT]"), "{what}: {err}");
    assert!(err.contains(output_shown) && err.contains(input_shown), "{what}: names both files: {err}");
    assert!(err.contains("Vælg et andet filnavn"), "{what}: says what to do: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[test]
fn exports_refuse_to_write_over_the_workspace_by_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ws = demo(d);
    std::fs::create_dir(d.join("sub")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&ws, d.join("link.pdf")).unwrap();
    let before = snapshot(d);
    let mut outs = vec!["aula.konsekvens", "./aula.konsekvens", "sub/../aula.konsekvens", "aula.konsekvens-wal"];
    if cfg!(unix) {
        outs.push("link.pdf");
    }
    for out in outs {
        for export in [&["export", "json", "aula.konsekvens"][..], &["export", "pdf", "aula.konsekvens", "--org", "101"], &["export", "docx", "./aula.konsekvens", "--base"]] {
            let mut args: Vec<&OsStr> = export.iter().map(OsStr::new).collect();
            args.extend([OsStr::new("--out"), OsStr::new(out)]);
            let o = konsekvens_in(d, &args);
            assert_refused_onto_input(&o, &format!("{export:?} --out {out}"), out, "arbejdsfilen");
        }
    }
    assert_eq!(snapshot(d), before, "the workspace and everything beside it is unchanged");
    // and an export to a new name still works (the check does not refuse everything)
    let o = konsekvens_in(d, &["export".as_ref(), "json".as_ref(), "aula.konsekvens".as_ref(), "--out".as_ref(), "aula.json".as_ref()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn sign_and_imports_refuse_to_write_over_what_they_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ws = demo(d);
    // the refusal comes before anything is read, so stand-in inputs are enough for sign
    std::fs::write(d.join("kbh.pdf"), b"%PDF-1.7\n").unwrap();
    std::fs::write(d.join("dpo.p12"), b"not read").unwrap();
    std::fs::write(d.join("pw.txt"), "hemmelig\n").unwrap();
    let o = konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), d.join("aula.json").as_os_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/exchange/testdata/cnil-pia-aula.json"), d.join("pia.json")).unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/exchange/testdata/KOMBIT-Beskeder.csv"), d.join("risici.csv")).unwrap();
    std::fs::write(d.join("mapping.json"), "{}").unwrap();
    let before = snapshot(d);
    fn sign(out: &'static str) -> [&'static str; 8] {
        ["sign", "kbh.pdf", "--p12", "dpo.p12", "--password-file", "pw.txt", "--out", out]
    }
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (sign("kbh.pdf").to_vec(), "./kbh.pdf", "PDF'en der underskrives"),
        (sign("./kbh.pdf").to_vec(), "./kbh.pdf", "PDF'en der underskrives"),
        (sign("dpo.p12").to_vec(), "dpo.p12", ".p12-filen"),
        (sign("pw.txt").to_vec(), "pw.txt", "adgangskodefilen"),
        (vec!["import", "json", "aula.json", "--out", "./aula.json"], "./aula.json", "JSON-filen"),
        (vec!["import", "cnil", "pia.json", "--out", "sub/../pia.json"], "sub/../pia.json", "CNIL-filen"),
        (vec!["import", "sheet", "risici.csv", "--into", "aula.konsekvens", "--save-mapping", "risici.csv"], "risici.csv", "regnearket"),
        (vec!["import", "sheet", "risici.csv", "--into", "aula.konsekvens", "--save-mapping", "./aula.konsekvens"], "./aula.konsekvens", "arbejdsfilen"),
        (vec!["import", "sheet", "risici.csv", "--into", "aula.konsekvens", "--mapping", "mapping.json", "--save-mapping", "mapping.json"], "mapping.json", "mappingfilen"),
        (vec!["import", "sheet", "risici.csv", "--into", "aula.konsekvens", "--save-mapping", "aula.konsekvens.mappings.json"], "aula.konsekvens.mappings.json", "mappinglageret"),
    ];
    std::fs::create_dir(d.join("sub")).unwrap();
    for (args, shown, role) in cases {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let o = konsekvens_in(d, &args);
        assert_refused_onto_input(&o, &format!("{args:?}"), shown.trim_start_matches("./").trim_start_matches("sub/../"), role);
    }
    assert_eq!(snapshot(d), before, "nothing was written, every input is as it was");
}

/// Runs `konsekvens ARGS…`, asserting it refused in time with exit 2, a code and no panic.
fn refused_fast(args: &[&OsStr], code: &str, names: &str) -> String {
    let start = Instant::now();
    let o = konsekvens(args);
    let took = start.elapsed();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(took < Duration::from_secs(30), "{args:?} took {took:?}");
    assert!(err.contains(code) && err.contains(names), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

#[test]
fn sheet_bombs_are_refused_quickly_and_leave_the_workspace_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ws = demo(d);
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("fjerne-celler.xlsx", bombs::xlsx_far_cells(), "[K-FIL-ARK-FOR-STORT]"),
        ("gentagelser.ods", bombs::ods_repeat_bomb(), "[K-FIL-ARK-FOR-STORT]"),
        ("zipbombe.xlsx", bombs::xlsx_zip_bomb(300 * 1024 * 1024), "[K-FIL-ZIP-BOMBE]"),
        ("bred.csv", bombs::csv_wide(2_000_000), "[K-FIL-ARK-FOR-STORT]"),
    ];
    for (name, bytes, _) in &files {
        std::fs::write(d.join(name), bytes).unwrap();
    }
    let big = d.join("stor.csv");
    std::fs::File::create(&big).unwrap().set_len(60 * 1024 * 1024).unwrap();
    let before = snapshot(d);
    for (name, bytes, code) in &files {
        assert!(bytes.len() < 4 * 1024 * 1024, "{name} is small: {} bytes", bytes.len());
        let file = d.join(name);
        let err = refused_fast(&["import".as_ref(), "sheet".as_ref(), file.as_os_str(), "--into".as_ref(), ws.as_os_str()], code, name);
        assert!(err.to_lowercase().contains("intet er importeret"), "{err}");
    }
    refused_fast(&["import".as_ref(), "sheet".as_ref(), big.as_os_str(), "--into".as_ref(), ws.as_os_str()], "[K-FIL-FOR-STOR]", "stor.csv");
    assert_eq!(snapshot(d), before, "the workspace is unchanged");
}

#[test]
fn json_too_large_or_too_deep_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = d.join("stor.json");
    std::fs::File::create(&big).unwrap().set_len(65 * 1024 * 1024).unwrap();
    let deep = d.join("dyb.json");
    std::fs::write(&deep, format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000))).unwrap();
    for (file, code) in [(&big, "[K-FIL-FOR-STOR]"), (&deep, "dyb.json")] {
        let name = file.file_name().unwrap().to_str().unwrap();
        refused_fast(&["import".as_ref(), "json".as_ref(), file.as_os_str(), "--out".as_ref(), d.join("ny.konsekvens").as_os_str()], code, name);
        refused_fast(&["import".as_ref(), "cnil".as_ref(), file.as_os_str(), "--out".as_ref(), d.join("ny.konsekvens").as_os_str()], code, name);
    }
    assert!(!d.join("ny.konsekvens").exists());
}

#[test]
fn crafted_byte_ranges_are_reported_per_signature_without_a_panic() {
    let Some(k) = verifiers::keys() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ws = demo(d);
    let pdf = d.join("basis.pdf");
    let o = konsekvens(["export".as_ref(), "pdf".as_ref(), ws.as_os_str(), "--base".as_ref(), "--out".as_ref(), pdf.as_os_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pw = d.join("pw.txt");
    std::fs::write(&pw, verifiers::PASSWORD).unwrap();
    let signed = d.join("basis-1.pdf");
    let o = konsekvens(["sign".as_ref(), pdf.as_os_str(), "--p12".as_ref(), k.path("rsa.p12").as_os_str(), "--password-file".as_ref(), pw.as_os_str(), "--out".as_ref(), signed.as_os_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&signed).unwrap();
    let at = bytes.windows(12).rposition(|w| w == b"/ByteRange [").unwrap();
    let width = bytes[at..].windows(9).position(|w| w == b"/Contents").unwrap(); // the padded slot
    let len = bytes.len();
    for (br, says) in [
        ("[0 -1 10 20]".to_owned(), "[K-PDF-BYTERANGE-FORM]"),
        ("[0 10 20]".to_owned(), "3 tal i stedet for 4"),
        ("[0 1.5 10 20]".to_owned(), "ikke et helt tal"),
        (format!("[0 10 {len} 1]"), "[K-PDF-BYTERANGE-UDENFOR]"),
        (format!("[0 1 2 {}]", i64::MAX), "peger uden for filen"),
    ] {
        let mut crafted = bytes.clone();
        let text = format!("/ByteRange {br}");
        crafted[at..at + width].copy_from_slice(format!("{text:<width$}").as_bytes());
        let file = d.join("forfalsket.pdf");
        std::fs::write(&file, &crafted).unwrap();
        let o = konsekvens(["verify".as_ref(), file.as_os_str(), "--trust".as_ref(), k.path("ca.pem").as_os_str()]);
        let (out, err) = (stdout(&o), stderr(&o));
        assert_eq!(o.status.code(), Some(1), "{br}: {out}{err}");
        assert!(out.contains("UGYLDIG SIGNATUR") && out.contains(says), "{br}: {out}");
        assert!(out.contains("Resultat: IKKE GYLDIG"), "{br}: {out}");
        assert!(!err.contains("panicked"), "{br}: {err}");
        // signing the crafted file: a signed file or a clean error, never a panic
        let o = konsekvens(["sign".as_ref(), file.as_os_str(), "--p12".as_ref(), k.path("rsa.p12").as_os_str(), "--password-file".as_ref(), pw.as_os_str(), "--out".as_ref(), d.join("igen.pdf").as_os_str()]);
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    // a wrong password and a .p12 that is not one: clean Danish errors, exit 2
    let wrong = d.join("forkert.txt");
    std::fs::write(&wrong, "forkert").unwrap();
    let o = konsekvens(["sign".as_ref(), pdf.as_os_str(), "--p12".as_ref(), k.path("rsa.p12").as_os_str(), "--password-file".as_ref(), wrong.as_os_str(), "--out".as_ref(), d.join("x.pdf").as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("forkert adgangskode"), "{}", stderr(&o));
    let garbage = d.join("skrald.p12");
    std::fs::write(&garbage, b"ikke en p12-fil").unwrap();
    let o = konsekvens(["sign".as_ref(), pdf.as_os_str(), "--p12".as_ref(), garbage.as_os_str(), "--password-file".as_ref(), pw.as_os_str(), "--out".as_ref(), d.join("x.pdf").as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("skrald.p12: .p12-filen kan ikke læses"), "{}", stderr(&o));
    assert!(!d.join("x.pdf").exists());
}

/// Starts `konsekvens ARGS…` with its stdout a pipe whose reading end is closed at once,
/// before the command has opened the workspace, so every write meets a closed pipe.
fn with_closed_stdout(args: &[&OsStr]) -> Output {
    let mut child = Command::new(binary()).args(args).env("KONSEKVENS_TODAY", konsekvens_e2e::TODAY).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(dir.path());
    for args in [
        vec!["show".as_ref(), ws.as_os_str(), "--org".as_ref(), "101".as_ref()],
        vec!["show".as_ref(), ws.as_os_str(), "--json".as_ref()],
        vec!["log".as_ref(), ws.as_os_str()],
        vec!["schema".as_ref()],
    ] {
        let o = with_closed_stdout(&args);
        let err = stderr(&o);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            // ended by SIGPIPE, as `git log | head` is (the shell shows 141), or done before
            // it wrote anything that mattered
            assert!(o.status.signal() == Some(13) || o.status.code() == Some(0), "{args:?}: {:?}", o.status);
        }
    }
    // the same through a real shell pipeline with head
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' show '{}' --org 101 | head -1", binary().display(), ws.display()))
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}
