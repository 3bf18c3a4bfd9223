//! The Debian package, installed and started as an IT department would roll it out: the
//! `.deb` that `scripts/build-deb` made with Tauri's bundler is checked (what it carries, its
//! desktop entry, that its Depends cover every shared library its binaries load), installed
//! with `apt-get install ./konsekvens_….deb`, and the installed `/usr/bin/konsekvens-app` is
//! started under Xvfb with the organisation's policy in `/etc/konsekvens/policy.ini`
//! (`ui/tests/installed/installed.spec.ts`, through tauri-driver): the start screen shows the
//! municipality and the hub as managed, the sample opens on the policy's municipality. The
//! installed CLI opens the sample too. Then `apt-get remove` and a check that nothing is left.
//!
//! It changes the system (it installs a package), so it needs root (or `sudo -n`) and runs
//! only when asked: `KONSEKVENS_TEST_DEB=1` (CI sets it through `scripts/test`). Locally:
//! `scripts/build-deb && KONSEKVENS_TEST_DEB=1 cargo test -p konsekvens-e2e --test app_installed`.
//! It refuses to run where a `konsekvens` package is already installed.
//!
//! The policy file: as root, the test gives its processes a private mount namespace
//! (`unshare --mount`) with a tmpfs on `/etc/konsekvens`, so the file is at the system path the
//! app reads but no other process on the machine (another test run, an installed app) sees
//! it; through sudo, it writes the real file (refused if one exists) and removes it after.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::*;

const PACKAGE: &str = "konsekvens";
const POLICY_DIR: &str = "/etc/konsekvens";
const HUB: &str = "wss://hub.esbjerg.test";
const DPIA: &str = "aula";
const ORG: &str = "561";

/// Prints a step with the seconds since the test started (what each step costs CI).
fn step(started: std::time::Instant, what: &str) {
    eprintln!("[{:>6.1} s] {what}", started.elapsed().as_secs_f64());
}

fn opted_in() -> bool {
    std::env::var("KONSEKVENS_TEST_DEB").is_ok_and(|v| v == "1")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `cmd` as root: directly when we are root, else through `sudo -n`.
fn root_cmd(program: &str) -> Command {
    if is_root() {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.args(["-n", program]);
        c
    }
}

fn apt_get(args: &[&str]) -> Output {
    let mut c = root_cmd("env");
    c.args(["DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-q"]).args(args);
    run(&format!("apt-get {}", args.join(" ")), &mut c)
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "install ok installed")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The package `scripts/build-deb` made for this build (debug or release, as this test).
fn the_deb() -> Result<PathBuf, String> {
    let dir = profile_dir().join("bundle/deb");
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|_| format!("{} is missing: run scripts/build-deb", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("konsekvens_") && n.to_string_lossy().ends_with(".deb")))
        .collect();
    let [deb] = debs.as_slice() else { return Err(format!("not one konsekvens_*.deb in {}: run scripts/build-deb", dir.display())) };
    Ok(deb.clone())
}

/// Removes the package (and a policy file written for real) however the test ends.
struct Cleanup {
    policy_written: Option<PathBuf>,
    created_dir: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(file) = self.policy_written.take() {
            let _ = root_cmd("rm").arg("-f").arg(&file).status();
        }
        if self.created_dir {
            let _ = root_cmd("rmdir").arg(POLICY_DIR).status();
        }
        if installed(PACKAGE) {
            let _ = root_cmd("env")
                .args(["DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-q", "remove", PACKAGE])
                .status();
        }
    }
}

/// What the package carries and declares, read from the file as dpkg reads it.
fn check_the_package(deb: &Path, work: &Path) {
    let field = |name: &str| text(&run("dpkg-deb -f", Command::new("dpkg-deb").arg("-f").arg(deb).arg(name))).trim().to_owned();
    assert_eq!(field("Package"), PACKAGE);
    assert_eq!(field("Architecture"), "amd64");
    assert!(!field("Version").is_empty());
    let depends = field("Depends");
    let declared: Vec<String> = depends.split(',').map(|d| d.split_whitespace().next().unwrap_or("").to_owned()).collect();
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libssl3"] {
        assert!(declared.iter().any(|d| d == needed), "Depends lacks {needed}: {depends}");
    }

    // Unpacked as dpkg would (one decompression: a debug build's package is ~110 MB).
    let tree = work.join("unpacked");
    run("dpkg-deb -x", Command::new("dpkg-deb").arg("-x").arg(deb).arg(&tree));
    for path in ["usr/bin/konsekvens-app", "usr/bin/konsekvens", "usr/share/applications/Konsekvens.desktop", "usr/share/icons/hicolor/512x512/apps/konsekvens-app.png"] {
        assert!(tree.join(path).is_file(), "the package lacks /{path}");
    }
    // The package holds this build's binaries (the ones the other tests ran), not an older
    // package's: the CLI byte for byte, the app but for the bundle type the bundler writes
    // into it (`__TAURI_BUNDLE_TYPE_VAR_UNK` → `…_DEB`).
    let stale = "the package is not of the current build: run scripts/build-deb again";
    let built_cli = std::fs::read(profile_dir().join("konsekvens")).unwrap();
    assert!(std::fs::read(tree.join("usr/bin/konsekvens")).unwrap() == built_cli, "/usr/bin/konsekvens: {stale}");
    drop(built_cli);
    let built_app = std::fs::read(profile_dir().join("konsekvens-app")).unwrap();
    let packed_app = std::fs::read(tree.join("usr/bin/konsekvens-app")).unwrap();
    // The variable the bundler patches: the binary also holds the other types' names as
    // constants (`…_DEB`, `…_RPM`, …, what the updater compares against), so look for the
    // unpatched value itself.
    let marker = b"__TAURI_BUNDLE_TYPE_VAR_UNK";
    let at = built_app.windows(marker.len()).position(|w| w == marker).expect("the built app binary has Tauri's unpatched bundle type") + marker.len() - 3;
    assert_eq!(&packed_app.get(at..at + 3).unwrap_or_default(), b"DEB", "/usr/bin/konsekvens-app is not marked as a .deb's: {stale}");
    assert!(packed_app.len() == built_app.len() && packed_app[..at] == built_app[..at] && packed_app[at + 3..] == built_app[at + 3..], "/usr/bin/konsekvens-app: {stale}");
    drop((built_app, packed_app));
    let desktop = std::fs::read_to_string(tree.join("usr/share/applications/Konsekvens.desktop")).unwrap();
    for line in ["Type=Application", "Name=Konsekvens", "Exec=konsekvens-app", "Icon=konsekvens-app"] {
        assert!(desktop.lines().any(|l| l == line), "the desktop entry lacks «{line}»:\n{desktop}");
    }
    assert!(desktop.lines().any(|l| l.starts_with("Categories=") && l.contains("Office")), "the desktop entry is not in Office:\n{desktop}");
    run("desktop-file-validate", Command::new("desktop-file-validate").arg(tree.join("usr/share/applications/Konsekvens.desktop")));

    // Every shared library the two binaries load must come with a declared dependency (or
    // one of theirs): dpkg-shlibdeps names the packages, apt-cache the declared ones' closure.
    let shl = work.join("shlibdeps");
    std::fs::create_dir_all(shl.join("debian")).unwrap();
    std::fs::write(shl.join("debian/control"), "Source: konsekvens\n").unwrap();
    let out = run(
        "dpkg-shlibdeps",
        Command::new("dpkg-shlibdeps").current_dir(&shl).arg("-O").arg(tree.join("usr/bin/konsekvens-app")).arg(tree.join("usr/bin/konsekvens")),
    );
    let line = text(&out);
    let needed: Vec<String> = line
        .trim()
        .strip_prefix("shlibs:Depends=")
        .unwrap_or_else(|| panic!("dpkg-shlibdeps said: {line}"))
        .split(',')
        .map(|d| d.split_whitespace().next().unwrap_or("").to_owned())
        .collect();
    let closure = text(&run(
        "apt-cache depends",
        Command::new("apt-cache").args(["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]).args(&declared),
    ));
    let reachable: Vec<&str> = closure
        .lines()
        .map(|l| l.trim().trim_start_matches('|').trim_start_matches("Depends:").trim_start_matches("PreDepends:").trim().trim_matches(|c| c == '<' || c == '>'))
        .collect();
    // Not a vacuous check: the app's own libraries are among what dpkg-shlibdeps found.
    for library in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libssl3"] {
        assert!(needed.iter().any(|n| n == library), "dpkg-shlibdeps did not find {library}: {line}");
    }
    for package in &needed {
        // libc6 and libgcc-s1 are essential: every Debian system has them.
        if package == "libc6" || package == "libgcc-s1" {
            continue;
        }
        assert!(reachable.contains(&package.as_str()), "the binaries load a library of {package}, which Depends ({depends}) does not bring");
    }
}

#[test]
fn the_deb_installs_starts_with_the_policy_and_uninstalls_cleanly() {
    if !opted_in() {
        eprintln!("SKIPPED the installed-package test: it installs a package system-wide; run it with KONSEKVENS_TEST_DEB=1 (as root or with sudo) after scripts/build-deb");
        return;
    }
    let ui = root().join("ui");
    let mut lacking = missing(
        &["dpkg-deb", "dpkg-shlibdeps", "apt-get", "apt-cache", "desktop-file-validate", "xvfb-run", "tauri-driver", "/usr/bin/WebKitWebDriver", "node", "npm", "unshare"],
        &[(&ui.join("node_modules/vitest"), "run `cd ui && npm ci`")],
    );
    if !is_root() && !Command::new("sudo").args(["-n", "true"]).status().is_ok_and(|s| s.success()) {
        lacking.push("root, or sudo without a password: the test installs a package".into());
    }
    let deb = the_deb();
    if let Err(e) = &deb {
        lacking.push(e.clone());
    }
    // Opted in: what is missing fails, as under CI.
    assert!(lacking.is_empty(), "the installed-package test cannot run: {}", lacking.join("; "));
    let deb = deb.unwrap();
    assert!(!installed(PACKAGE), "a `{PACKAGE}` package is installed on this machine; the test would replace and then remove it: `apt-get remove {PACKAGE}` first");
    assert!(!Path::new("/usr/bin/konsekvens-app").exists(), "/usr/bin/konsekvens-app exists outside a package: the test would overwrite it");

    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    step(started, "checking the package");
    check_the_package(&deb, work);

    // The policy as Windows' INI writer would write it (CRLF), with a comment and a section
    // the app does not read.
    let policy_text = format!(
        "; Konsekvens: managed settings (written by tests/app/installed.rs)\r\n[Konsekvens]\r\nhub={HUB}\r\ndpia={DPIA}\r\norg={ORG}\r\nlanguage=da\r\nupdate_check=false\r\n\r\n[Other]\r\nkey=value\r\n"
    );
    let policy_file = work.join("policy.ini");
    std::fs::write(&policy_file, &policy_text).unwrap();
    let private_namespace = is_root();
    let real_policy = Path::new(POLICY_DIR).join("policy.ini");
    let had_policy = real_policy.exists();
    let created_dir = !Path::new(POLICY_DIR).exists();
    let mut cleanup = Cleanup { policy_written: None, created_dir };
    if !private_namespace {
        assert!(!had_policy, "{POLICY_DIR}/policy.ini exists: the test will not replace an administrator's policy");
    }

    // apt-get, as an administrator installs a downloaded package (dependencies from the archive).
    step(started, "apt-get install");
    let deb_arg = deb.display().to_string();
    apt_get(&["install", "--no-install-recommends", &deb_arg]);
    assert!(installed(PACKAGE), "apt-get install did not leave {PACKAGE} installed");
    let files = text(&run("dpkg -L", Command::new("dpkg").args(["-L", PACKAGE])));
    for path in ["/usr/bin/konsekvens-app", "/usr/bin/konsekvens", "/usr/share/applications/Konsekvens.desktop"] {
        assert!(files.lines().any(|l| l == path), "dpkg -L {PACKAGE} lacks {path}");
    }

    // The installed CLI writes the sample and reads it back.
    step(started, "the installed CLI");
    let sample = work.join("cli-sample.konsekvens");
    run("konsekvens demo", Command::new("/usr/bin/konsekvens").arg("demo").arg(&sample));
    let shown = run("konsekvens status", Command::new("/usr/bin/konsekvens").arg("status").arg(&sample));
    assert!(text(&shown).contains("Esbjerg"), "the installed CLI's status of the sample: {}", text(&shown));

    // The installed app, started as the desktop entry starts it, with the policy in /etc.
    step(started, "the installed app under Xvfb");
    let screenshots = target_dir().join("screenshots");
    let driven = [
        "timeout", "--kill-after=10", "300", "xvfb-run", "-a", "-s", "-screen 0 1280x860x24", "npm", "run", "--silent", "test:installed",
    ];
    let mut cmd = if private_namespace {
        std::fs::create_dir_all(POLICY_DIR).unwrap();
        let mut c = Command::new("unshare");
        c.args(["--mount", "--propagation", "private", "--", "sh", "-c"])
            .arg(format!("mount -t tmpfs -o size=1m,mode=0755 konsekvens-policy {POLICY_DIR} && install -m 0644 \"$0\" {POLICY_DIR}/policy.ini && exec \"$@\""))
            .arg(&policy_file)
            .args(driven);
        c
    } else {
        run("install the policy", root_cmd("install").args(["-D", "-m", "0644"]).arg(&policy_file).arg(Path::new(POLICY_DIR).join("policy.ini")));
        cleanup.policy_written = Some(Path::new(POLICY_DIR).join("policy.ini"));
        let mut c = Command::new(driven[0]);
        c.args(&driven[1..]);
        c
    };
    let out = cmd
        .current_dir(&ui)
        .env_remove("KONSEKVENS_POLICY")
        .env_remove("KONSEKVENS_WORKSPACE")
        .env("KONSEKVENS_APP", "/usr/bin/konsekvens-app")
        .env("KONSEKVENS_E2E_DIR", work)
        .env("KONSEKVENS_SCREENSHOTS", &screenshots)
        .env("KONSEKVENS_POLICY_HUB", HUB)
        .env("KONSEKVENS_POLICY_DPIA", DPIA)
        .env("KONSEKVENS_POLICY_ORG", ORG)
        .output()
        .expect("start the installed app's test");
    let log = format!("--- stdout ---\n{}\n--- stderr ---\n{}", text(&out), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the installed app's steps failed ({}); screenshots: {}\n{log}", out.status, screenshots.display());
    println!("{log}");
    if private_namespace && !had_policy {
        assert!(!real_policy.exists(), "the policy file leaked out of the test's mount namespace");
    }

    // The sample the app wrote is in the fresh home, on the policy's municipality's side.
    let written = work.join("home/.local/share/dk.konsekvens.app/aula-eksempel.konsekvens");
    assert!(written.is_file(), "the app did not write its sample to {}", written.display());

    // Uninstalled, nothing of the package is left.
    step(started, "apt-get remove");
    apt_get(&["remove", PACKAGE]);
    assert!(!installed(PACKAGE), "{PACKAGE} is still installed after apt-get remove");
    for path in ["/usr/bin/konsekvens-app", "/usr/bin/konsekvens", "/usr/share/applications/Konsekvens.desktop", "/usr/share/icons/hicolor/512x512/apps/konsekvens-app.png"] {
        assert!(!Path::new(path).exists(), "{path} is left after apt-get remove");
    }
    drop(cleanup);
    assert_eq!(real_policy.exists(), had_policy, "the test's policy file is left in {POLICY_DIR}");
    assert_eq!(Path::new(POLICY_DIR).exists(), !created_dir, "{POLICY_DIR} is left behind");
    step(started, "done");
}
