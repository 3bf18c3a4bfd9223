//! Helpers for the end-to-end tests: find and run the built `konsekvens` binary.

pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `konsekvens` binary of this build (target/<profile>/konsekvens). `cargo test
/// --workspace` builds it; run `cargo build -p konsekvens-cli` first when testing alone.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir.join(format!("konsekvens{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: run `cargo build -p konsekvens-cli` first", bin.display());
    bin
}

/// "Today" for the check in these tests: the sample's review dates are judged against it, so
/// the tests do not start failing when the sample's next review date passes.
pub const TODAY: &str = "2026-11-25";

/// Runs `konsekvens ARGS…` with a fixed author, day and (Danish) language and returns its
/// output.
pub fn konsekvens<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    danish(Command::new(binary()).args(args).env("KONSEKVENS_AUTHOR", "e2e").env("KONSEKVENS_TODAY", TODAY)).output().expect("run konsekvens")
}

/// Errors in Danish whatever the developer's locale (an English `LANG` makes them English).
pub fn danish(c: &mut Command) -> &mut Command {
    c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "da_DK.UTF-8")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
