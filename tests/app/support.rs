//! What the desktop app's tests share: where the pieces are, and the rule of this repository
//! that a missing outside tool (Chromium, WebKitWebDriver, tauri-driver, xvfb, node) skips a
//! test on a developer's machine with a message but fails it under CI, which installs them
//! all (scripts/test → scripts/common.sh).

#![allow(dead_code)] // each test target uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// target/<profile> of this build (where konsekvens and konsekvens-app are).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf()
}

/// target/ itself, where screenshots and fixtures are kept for CI's artifacts.
pub fn target_dir() -> PathBuf {
    profile_dir().parent().expect("target/").to_path_buf()
}

pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `true` when everything named is there; otherwise skips with a message, or under CI fails
/// naming what is missing.
pub fn ready(test: &str, missing: Vec<String>) -> bool {
    if missing.is_empty() {
        return true;
    }
    let why = missing.join("; ");
    assert!(!under_ci(), "{test} cannot run under CI: {why}");
    eprintln!("SKIPPED {test}: {why}");
    false
}

/// What of the usual prerequisites is missing: programs on PATH (or absolute paths) and files.
pub fn missing(programs: &[&str], files: &[(&Path, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for p in programs {
        let found = if p.starts_with('/') { Path::new(p).is_file() } else { which(p).is_some() };
        if !found {
            out.push(format!("`{p}` is not installed (scripts/test installs it)"));
        }
    }
    for (file, how) in files {
        if !file.exists() {
            out.push(format!("{} is missing: {how}", file.display()));
        }
    }
    out
}

pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

/// ui/dist must be built from the current sources: the app embeds it, the UI tests load it.
/// A stale one would test yesterday's UI; like a missing tool, that skips locally (with the
/// command that fixes it) and fails under CI.
pub fn stale_ui_dist() -> Option<String> {
    let ui = root().join("ui");
    let built = modified(&ui.join("dist/index.html")).unwrap_or(SystemTime::UNIX_EPOCH);
    (newest_in(&ui.join("src")) > built).then(|| "ui/dist is older than ui/src: run `cd ui && npm run build` (and rebuild the app: cargo build -p konsekvens-app)".to_string())
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn newest_in(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let t = if p.is_dir() {
            newest_in(&p)
        } else if name.ends_with(".test.ts") {
            continue; // unit tests are not part of the bundle
        } else {
            modified(&p).unwrap_or(SystemTime::UNIX_EPOCH)
        };
        newest = newest.max(t);
    }
    newest
}

/// Runs a command to its end; its output is returned, and shown in full when it failed.
pub fn run(what: &str, cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: could not start {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Runs one of the UI's npm scripts (vitest suites under ui/tests/) with `env`, and prints
/// what it printed, so `cargo test -- --nocapture` shows each step.
pub fn npm_script(script: &str, env: &[(&str, &Path)]) {
    let mut cmd = Command::new("npm");
    cmd.current_dir(root().join("ui")).args(["run", "--silent", script]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&format!("npm run {script}"), &mut cmd);
    println!("{}", String::from_utf8_lossy(&out.stdout));
}
