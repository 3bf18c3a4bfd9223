//! End-to-end: `konsekvens hub serve` as a child process on a free loopback port, set up with
//! `konsekvens hub org/token/dpia`, and `konsekvens sync` processes as the clients — the way
//! KL/KOMBIT and the municipalities run them. Local edits are made with the core API on the
//! workspace files (the app's path); everything between files goes through the processes.
//!
//! - København (101), Esbjerg (561) and Aarhus (751) from the bundled AULA sample edit the
//!   base and their own supplements concurrently; Aarhus goes offline, both sides edit, it
//!   reconnects: every replica's `konsekvens export json` is byte-identical and holds every
//!   edit.
//! - `kill -9` of the hub during a burst of syncs: after a restart every update the hub
//!   acknowledged (a `konsekvens sync` that exited 0) is there.
//! - The official Yjs client (`yjs` + `y-websocket`) reads a change made through
//!   `konsekvens`, and its own change arrives in a `konsekvens` workspace.
//! - TLS: nginx from Debian, configured with `packaging/hub/nginx/konsekvens-hub.conf` and a
//!   throwaway CA, in front of the hub on loopback: `konsekvens sync` and the official Yjs
//!   client over `wss://`; an untrusted certificate is refused.
//! - Releases through the hub: KL publishes, København confirms the new release, Esbjerg
//!   stays, Aarhus never syncs; the coordinator's overview says who stands where. Two
//!   coordinators publishing at once; publishing while the hub is down is refused.
//! - The høring (issue #18): KL opens a round on the sample's draft; København objects to a
//!   rating with a proposed value, Esbjerg agrees with a comment, Aarhus does not answer; KL
//!   accepts København's proposal, answers Esbjerg and publishes; the høringsnotat PDF (read
//!   with pdftotext) lists all of it and the changed rating; København confirms the release
//!   and its overview shows its comment was taken into account.

use konsekvens_core::model::{OrgCode, Prose};
use konsekvens_core::{Author, DocKey, SystemEnv, Workspace};
use konsekvens_e2e::proxy::{proxy_ready, throwaway_ca, Nginx};
use konsekvens_e2e::{binary, konsekvens, stderr, stdout};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const DPIA: &str = "aula";
const KBH: OrgCode = OrgCode(101);
const ESB: OrgCode = OrgCode(561);
const AAR: OrgCode = OrgCode(751);

// ---- the hub process --------------------------------------------------------------------

/// `konsekvens hub serve` as a child process. Killed when dropped.
struct HubProcess {
    child: Child,
    /// `ws://127.0.0.1:PORT`
    addr: String,
    /// Everything the hub printed on stderr (for failure messages).
    log: Arc<Mutex<String>>,
}

impl HubProcess {
    /// Starts on a free port (`--listen 127.0.0.1:0`) and reads the bound address from the
    /// hub's first line on stderr.
    fn start(data: &Path) -> HubProcess {
        HubProcess::start_on(data, "127.0.0.1:0")
    }

    fn start_on(data: &Path, listen: &str) -> HubProcess {
        HubProcess::start_with(data, listen, &[])
    }

    /// With more `hub serve` flags (e.g. `--trust-proxy` behind nginx).
    fn start_with(data: &Path, listen: &str, flags: &[&str]) -> HubProcess {
        let mut child = Command::new(binary())
            .args(["hub", "serve", "--verbose", "--listen", listen, "--data"])
            .arg(data)
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start konsekvens hub serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap());
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Hubben lytter på ") {
                    let _ = tx.send(addr.to_owned());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the hub printed no address; it said:\n{}", log.lock().unwrap())
        });
        HubProcess { child, addr, log }
    }

    /// The URL `konsekvens sync --hub` is given.
    fn url(&self) -> String {
        format!("{}/dpia/{DPIA}", self.addr)
    }

    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }

    /// SIGKILL: no shutdown, no flush, no snapshot.
    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, as a service manager stops it; the exit status.
    fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the hub did not stop on SIGTERM:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- administration and clients ---------------------------------------------------------

fn run_ok(args: &[&std::ffi::OsStr]) -> Output {
    let out = konsekvens(args);
    assert!(out.status.success(), "konsekvens {args:?} failed: {}", stderr(&out));
    out
}

fn admin(data: &Path, args: &[&str]) -> String {
    let mut all: Vec<&std::ffi::OsStr> = vec!["hub".as_ref()];
    all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
    all.extend(["--data".as_ref(), data.as_os_str()]);
    stdout(&run_ok(&all)).trim().to_owned()
}

/// One token per party.
struct Tokens {
    kl: String,
    kbh: String,
    esb: String,
    aar: String,
}

/// KL/KOMBIT coordinates the joint DPIA «aula»; København, Esbjerg and Aarhus take part and
/// write the base together (base policy `all`).
fn register(data: &Path) -> Tokens {
    for (code, name) in [("KL", "KL / KOMBIT"), ("101", "København"), ("561", "Esbjerg"), ("751", "Aarhus")] {
        admin(data, &["org", "add", "--code", code, "--name", name]);
    }
    admin(
        data,
        &["dpia", "add", "--id", DPIA, "--title", "AULA", "--coordinator", "KL", "--base-policy", "all", "--participant", "101", "--participant", "561", "--participant", "751"],
    );
    let token = |org: &str, role: &str| {
        let secret = admin(data, &["token", "issue", "--org", org, "--role", role]);
        assert!(secret.starts_with("khub_") && !secret.contains('\n'), "one token on stdout: {secret}");
        secret
    };
    Tokens { kl: token("KL", "coordinator"), kbh: token("101", "member"), esb: token("561", "member"), aar: token("751", "member") }
}

/// `konsekvens sync PATH --hub URL` with the token in KONSEKVENS_TOKEN; `new` adds `--new`.
fn sync_command(path: &Path, url: &str, token: &str, new: bool) -> Command {
    let mut cmd = Command::new(binary());
    konsekvens_e2e::danish(cmd.arg("sync").arg(path).args(["--hub", url]).env("KONSEKVENS_TOKEN", token).env("KONSEKVENS_AUTHOR", "e2e"));
    if new {
        cmd.arg("--new");
    }
    cmd
}

fn sync(path: &Path, url: &str, token: &str) -> Output {
    sync_command(path, url, token, false).output().unwrap()
}

#[track_caller]
fn sync_ok(path: &Path, hub: &HubProcess, token: &str) {
    let out = sync(path, &hub.url(), token);
    assert!(out.status.success(), "sync {} failed: {}\nhub:\n{}", path.display(), stderr(&out), hub.log());
}

/// A municipality joins: `konsekvens sync NEW.konsekvens --new` pulls the joint DPIA.
fn join(path: &Path, hub: &HubProcess, token: &str) {
    let out = sync_command(path, &hub.url(), token, true).output().unwrap();
    assert!(out.status.success(), "joining failed: {}\nhub:\n{}", stderr(&out), hub.log());
}

fn export_json(path: &Path, dir: &Path, name: &str) -> String {
    let out = dir.join(format!("{name}.json"));
    run_ok(&["export".as_ref(), "json".as_ref(), path.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    std::fs::read_to_string(out).unwrap()
}

/// `export json` without its `hearing` section, for comparing a party's copy with the demo:
/// the parties are seeded with the sample's DPIA, not its finished høring (the sample's own
/// round stays in the demo file).
fn export_dpia(path: &Path, dir: &Path, name: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&export_json(path, dir, name)).unwrap();
    v.as_object_mut().unwrap().remove("hearing");
    serde_json::to_string_pretty(&v).unwrap()
}

// ---- local edits (what the app does to the file) ----------------------------------------

fn open(path: &Path) -> Workspace {
    Workspace::open(path, Arc::new(SystemEnv)).unwrap()
}

fn author(code: Option<OrgCode>) -> Author {
    Author::new(code.map_or("kl".into(), |c| format!("dpo@{c}")), code)
}

/// Edits the base's description (a Prose edit is a minimal diff into a Y.Text).
fn edit_description(path: &Path, who: Option<OrgCode>, f: impl FnOnce(&mut konsekvens_core::model::Description)) {
    let mut ws = open(path);
    let mut d = ws.view().base().unwrap().description;
    f(&mut d);
    ws.edit(DocKey::Base, &author(who), |e| e.set(&d)).unwrap();
}

/// Edits a municipality's own supplement: its contacts.
fn edit_contacts(path: &Path, code: OrgCode, f: impl FnOnce(&mut String)) {
    let mut ws = open(path);
    let mut meta = ws.view().supplement(code).unwrap().meta;
    let mut text = meta.contacts.0.clone();
    f(&mut text);
    meta.contacts = Prose::from(text.as_str());
    ws.edit(DocKey::Supplement(code), &author(Some(code)), |e| e.set(&meta)).unwrap();
}

/// `konsekvens demo`: the bundled AULA sample, the source every party's content comes from.
fn demo(dir: &Path) -> PathBuf {
    let path = dir.join("demo.konsekvens");
    if !path.exists() {
        run_ok(&["demo".as_ref(), path.as_os_str()]);
    }
    path
}

/// The coordinator's workspace: the demo's coordination and base, no supplements (KL writes
/// none; each municipality writes its own).
fn coordinator_workspace(path: &Path, dir: &Path) {
    let demo = open(&demo(dir));
    let (coordination, base) = (demo.view().coordination().unwrap(), demo.view().base().unwrap());
    Workspace::create_with(path, Arc::new(SystemEnv), &author(None), &coordination, &base, &[]).unwrap();
}

/// A municipality writes its supplement from the demo into its (joined) workspace.
fn write_sample_supplement(path: &Path, code: OrgCode, dir: &Path) {
    let s = open(&demo(dir)).view().supplement(code).unwrap();
    let mut ws = open(path);
    ws.edit(DocKey::Supplement(code), &author(Some(code)), |e| e.write_supplement(&s)).unwrap();
}

/// A registered hub running, with KL's coordination and base published to it.
fn published(dir: &Path) -> (PathBuf, Tokens, HubProcess) {
    let data = dir.join("hub");
    let t = register(&data);
    let hub = HubProcess::start(&data);
    let kl = dir.join("kl.konsekvens");
    coordinator_workspace(&kl, dir);
    sync_ok(&kl, &hub, &t.kl);
    (data, t, hub)
}

/// The four parties, seeded: KL published the sample base, each municipality joined and
/// wrote its sample supplement, and everyone pulled everything. Every replica then exports
/// byte-identically to `konsekvens demo`: nothing was lost or changed on the way.
struct Parties {
    kl: PathBuf,
    kbh: PathBuf,
    esb: PathBuf,
    aar: PathBuf,
}

fn seed(dir: &Path, hub: &HubProcess, t: &Tokens) -> Parties {
    let p = Parties { kl: dir.join("kl.konsekvens"), kbh: dir.join("kbh.konsekvens"), esb: dir.join("esb.konsekvens"), aar: dir.join("aar.konsekvens") };
    coordinator_workspace(&p.kl, dir);
    sync_ok(&p.kl, hub, &t.kl);
    for (path, token, code) in [(&p.kbh, &t.kbh, KBH), (&p.esb, &t.esb, ESB), (&p.aar, &t.aar, AAR)] {
        join(path, hub, token);
        write_sample_supplement(path, code, dir);
        sync_ok(path, hub, token);
    }
    for (path, token) in p.all(t) {
        sync_ok(path, hub, token);
    }
    let expected = export_dpia(&demo(dir), dir, "demo");
    for (i, (path, _)) in p.all(t).into_iter().enumerate() {
        let got = export_dpia(path, dir, &format!("seeded-{i}"));
        assert!(got == expected, "{} differs from the sample after seeding: {}", path.display(), first_difference(&got, &expected));
    }
    p
}

impl Parties {
    fn all<'a>(&'a self, t: &'a Tokens) -> [(&'a Path, &'a str); 4] {
        [(&self.kl, &t.kl), (&self.kbh, &t.kbh), (&self.esb, &t.esb), (&self.aar, &t.aar)]
    }
}

/// Every replica exports the same bytes; returns that export.
fn converged(p: &Parties, t: &Tokens, dir: &Path, round: &str) -> String {
    let exports: Vec<(String, String)> =
        p.all(t).iter().map(|(path, _)| (path.display().to_string(), export_json(path, dir, &format!("{round}-{}", path.file_stem().unwrap().to_string_lossy())))).collect();
    for (path, export) in &exports[1..] {
        assert!(*export == exports[0].1, "{path} differs from {} after {round}: {}", exports[0].0, first_difference(export, &exports[0].1));
    }
    exports.into_iter().next().unwrap().1
}

/// Where two exports part, for failure messages (they are thousands of lines).
fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let context = |lines: &[&str]| lines[at.saturating_sub(3)..(at + 3).min(lines.len())].join("\n");
    format!("line {}:\n{}\n--- versus ---\n{}", at + 1, context(&a), context(&b))
}

/// A loopback address where nothing listens.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("ws://127.0.0.1:{port}/dpia/{DPIA}")
}

// ---- the tests --------------------------------------------------------------------------

#[test]
fn three_municipalities_edit_concurrently_go_offline_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let t = register(&data);
    let hub = HubProcess::start(&data);
    let p = seed(dir.path(), &hub, &t);

    // Round 1: everybody edits at once — two of them the same paragraph — then all sync at once.
    edit_description(&p.kbh, Some(KBH), |d| d.summary.0.push_str(" København tilføjer dagtilbud."));
    edit_description(&p.esb, Some(ESB), |d| d.summary.0.insert_str(0, "Esbjerg: "));
    edit_description(&p.aar, Some(AAR), |d| d.retention = Prose::from("Aarhus: slettes efter 5 år."));
    edit_description(&p.kl, None, |d| d.scope.0.push_str(" (KL)"));
    edit_contacts(&p.kbh, KBH, |c| c.push_str(" DPO København: dpo@kk.dk"));
    edit_contacts(&p.esb, ESB, |c| c.push_str(" DPO Esbjerg: dpo@esbjerg.dk"));
    edit_contacts(&p.aar, AAR, |c| c.push_str(" DPO Aarhus: dpo@aarhus.dk"));
    let children: Vec<Child> = p
        .all(&t)
        .iter()
        .map(|(path, token)| sync_command(path, &hub.url(), token, false).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a concurrent sync failed: {}\nhub:\n{}", stderr(&out), hub.log());
    }
    for (path, token) in p.all(&t) {
        sync_ok(path, &hub, token);
    }
    let after_round1 = converged(&p, &t, dir.path(), "round1");
    for text in [
        "Esbjerg: ",
        " København tilføjer dagtilbud.",
        "Aarhus: slettes efter 5 år.",
        " (KL)",
        "dpo@kk.dk",
        "dpo@esbjerg.dk",
        "dpo@aarhus.dk",
    ] {
        assert!(after_round1.contains(text), "«{text}» is missing after round 1");
    }
    let summary = open(&p.kl).view().base().unwrap().description.summary.0;
    assert!(summary.starts_with("Esbjerg: ") && summary.ends_with(" København tilføjer dagtilbud."), "{summary}");

    // Round 2: Aarhus is offline (its syncs fail and it keeps its edits); the others go on.
    edit_description(&p.aar, Some(AAR), |d| d.summary.0.push_str(" Aarhus skrev offline."));
    edit_contacts(&p.aar, AAR, |c| c.push_str(" (offline)"));
    let out = sync(&p.aar, &dead_url(), &t.aar);
    assert_eq!(out.status.code(), Some(1), "offline is a reported problem: {}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach the hub"), "{}", stderr(&out));
    assert!(open(&p.aar).view().base().unwrap().description.summary.0.ends_with(" Aarhus skrev offline."), "kept locally");
    edit_description(&p.kbh, Some(KBH), |d| d.summary.0.insert_str(0, "KBH: "));
    edit_contacts(&p.esb, ESB, |c| c.push_str(" Esbjerg mens Aarhus var offline."));
    for (path, token) in [(&p.kbh, &t.kbh), (&p.esb, &t.esb), (&p.kl, &t.kl), (&p.kbh, &t.kbh)] {
        sync_ok(path, &hub, token);
    }
    // Aarhus reconnects; then everybody syncs once more.
    sync_ok(&p.aar, &hub, &t.aar);
    for (path, token) in p.all(&t) {
        sync_ok(path, &hub, token);
    }
    let after_round2 = converged(&p, &t, dir.path(), "round2");
    let summary = open(&p.esb).view().base().unwrap().description.summary.0;
    assert!(summary.starts_with("KBH: Esbjerg: "), "{summary}");
    assert!(summary.ends_with(" København tilføjer dagtilbud. Aarhus skrev offline."), "{summary}");
    for text in ["(offline)", " Esbjerg mens Aarhus var offline.", "dpo@aarhus.dk", " (KL)"] {
        assert!(after_round2.contains(text), "«{text}» is missing after round 2");
    }

    // The hub's log attributes every change to the organisation whose token sent it, and a
    // SIGTERM stops it cleanly.
    let status = hub.terminate();
    assert!(status.success(), "hub exit status {status}");
    let db = rusqlite::Connection::open(data.join("hub.sqlite")).unwrap();
    let misattributed: i64 = db
        .query_row("SELECT count(*) FROM updates WHERE doc LIKE 'supplement/%' AND doc != 'supplement/' || org", [], |r| r.get(0))
        .unwrap();
    assert_eq!(misattributed, 0, "a supplement update logged under another organisation");
    assert_eq!(admin(&data, &["refusals", "--dpia", DPIA]), "", "nothing the parties did was refused");
}

fn json_stdout(args: &[&str]) -> serde_json::Value {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    serde_json::from_str(&stdout(&run_ok(&args))).unwrap()
}

#[test]
fn releases_through_the_hub_leave_municipalities_on_different_releases_and_the_overview_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let t = register(&data);
    let hub = HubProcess::start(&data);
    let p = seed(dir.path(), &hub, &t);
    let kl = p.kl.to_str().unwrap();
    let url = hub.url();

    // KL works on the base and publishes 2026.1 through the hub.
    edit_description(&p.kl, None, |d| d.summary.0.push_str(" Udvidet til fritidsordninger i 2026."));
    run_ok(&["release", "publish", kl, "--name", "2026.1", "--date", "2026-11-20", "--note", "Fritidsordninger", "--hub", &url, "--token", &t.kl].map(std::ffi::OsStr::new));
    // København fetches it, reviews the changes and confirms it; Esbjerg fetches it and stays
    // on 2025.1 for now; Aarhus does not sync.
    sync_ok(&p.kbh, &hub, &t.kbh);
    let changed = stdout(&run_ok(&["diff", p.kbh.to_str().unwrap(), "--from", "2025.1", "--to", "2026.1"].map(std::ffi::OsStr::new)));
    assert!(changed.contains("fritidsordninger"), "{changed}");
    run_ok(&["release", "confirm", p.kbh.to_str().unwrap(), "--org", "101", "--name", "2026.1"].map(std::ffi::OsStr::new));
    sync_ok(&p.kbh, &hub, &t.kbh);
    sync_ok(&p.esb, &hub, &t.esb);
    sync_ok(&p.kl, &hub, &t.kl);

    let overview = json_stdout(&["status", kl, "--json"]);
    assert_eq!(overview["latest_release"]["name"], "2026.1");
    let stands: Vec<(u64, String, bool)> = overview["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["code"].as_u64().unwrap(), x["base_release"].as_str().unwrap().to_owned(), x["on_latest"].as_bool().unwrap()))
        .collect();
    assert_eq!(stands, [(101, "2026.1".into(), true), (561, "2025.1".into(), false), (751, "2025.1".into(), false)]);
    // Esbjerg's own check says a newer release awaits its review; København's does not.
    let esb = json_stdout(&["check", p.esb.to_str().unwrap(), "--org", "561", "--json"]);
    assert!(esb["findings"].as_array().unwrap().iter().any(|f| f["code"] == "K-RELEASE-NEWER"), "{esb}");
    let kbh = json_stdout(&["check", kl, "--org", "101", "--json"]);
    assert!(!kbh["findings"].as_array().unwrap().iter().any(|f| f["code"] == "K-RELEASE-NEWER"));

    // Two coordinators publish at once, each offline: after syncing, both releases are
    // everywhere, in publishing order, with the same content hashes.
    let kl2 = dir.path().join("kl2.konsekvens");
    join(&kl2, &hub, &t.kl);
    run_ok(&["release", "publish", kl, "--name", "2026.2", "--date", "2026-11-21"].map(std::ffi::OsStr::new));
    run_ok(&["release", "publish", kl2.to_str().unwrap(), "--name", "2026.3", "--date", "2026-11-21"].map(std::ffi::OsStr::new));
    for path in [&p.kl, &kl2, &p.kl] {
        sync_ok(path, &hub, &t.kl);
    }
    let list = |path: &Path| stdout(&run_ok(&["release".as_ref(), "list".as_ref(), path.as_os_str()]));
    assert_eq!(list(&p.kl), list(&kl2));
    assert!(list(&p.kl).contains("2026.2\t") && list(&p.kl).contains("2026.3\t"), "{}", list(&p.kl));

    // Publishing needs the hub when asked to go through it: down, it is refused and nothing is
    // published locally.
    let out = konsekvens(["release", "publish", kl, "--name", "2027.1", "--hub", &dead_url(), "--token", &t.kl]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("udgivelsen er ikke sket"), "{}", stderr(&out));
    assert!(!list(&p.kl).contains("2027.1"));

    // A supplement bound to a release this file does not have (a copy made before the release
    // arrived) says so, and shows the working base instead.
    let old = dir.path().join("old.json");
    let mut file: serde_json::Value = serde_json::from_str(&export_json(&p.kbh, dir.path(), "kbh")).unwrap();
    file["coordination"]["releases"].as_array_mut().unwrap().retain(|r| r["name"] != "2026.1");
    std::fs::write(&old, file.to_string()).unwrap();
    let copy = dir.path().join("old.konsekvens");
    run_ok(&["import".as_ref(), "json".as_ref(), old.as_os_str(), "--out".as_ref(), copy.as_os_str()]);
    let report = json_stdout(&["check", copy.to_str().unwrap(), "--org", "101", "--json"]);
    let missing = report["findings"].as_array().unwrap().iter().find(|f| f["code"] == "K-RELEASE-MISSING").expect("the missing release is reported");
    assert!(missing["message_da"].as_str().unwrap().contains("2026.1"), "{missing}");
}

#[test]
fn every_update_the_hub_acknowledged_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (data, t, hub) = published(dir.path());
    let (kbh, esb) = (dir.path().join("kbh.konsekvens"), dir.path().join("esb.konsekvens"));
    join(&kbh, &hub, &t.kbh);
    join(&esb, &hub, &t.esb);
    let url = hub.url();
    let port = hub.port().to_owned();

    // Two writers: København types into the base, Esbjerg into its supplement; after each
    // edit a `konsekvens sync`. Exit 0 means the hub acknowledged everything sent.
    const EDITS: usize = 30;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let writer = |path: PathBuf, token: String, name: &'static str, base: bool| {
        let (acked, failed, url) = (acked.clone(), failed.clone(), url.clone());
        std::thread::spawn(move || {
            let mut written = Vec::new();
            for i in 0..EDITS {
                let marker = format!("[{name}-{i}]");
                if base {
                    edit_description(&path, Some(KBH), |d| d.summary.0.push_str(&marker));
                } else {
                    edit_contacts(&path, ESB, |c| c.push_str(&marker));
                }
                written.push(marker);
                if sync(&path, &url, &token).status.success() {
                    acked.lock().unwrap().extend(written.drain(..));
                } else {
                    *failed.lock().unwrap() += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        })
    };
    let writers = [writer(kbh.clone(), t.kbh.clone(), "kbh", true), writer(esb.clone(), t.esb.clone(), "esb", false)];
    // Kill the hub while the burst is running, then start it again on the same port.
    let started = Instant::now();
    while acked.lock().unwrap().len() < 8 {
        assert!(started.elapsed() < Duration::from_secs(60), "no acknowledged edits");
        std::thread::sleep(Duration::from_millis(5));
    }
    hub.kill9();
    let acked_before_kill = acked.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(300));
    let hub = HubProcess::start_on(&data, &format!("127.0.0.1:{port}"));
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let failed = *failed.lock().unwrap();
    eprintln!("burst: {acked_before_kill} edits acknowledged before kill -9, {failed} syncs failed, {} acknowledged in all", acked.len());
    assert!(failed > 0, "the kill hit no sync: the burst was not interrupted");
    assert!(acked.len() > acked_before_kill, "syncs succeeded again after the restart");

    // A fresh replica pulls from the restarted hub: every acknowledged edit is there.
    let fresh = dir.path().join("fresh.konsekvens");
    join(&fresh, &hub, &t.kl);
    let export = export_json(&fresh, dir.path(), "fresh");
    let missing: Vec<&String> = acked.iter().filter(|m| !export.contains(m.as_str())).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}\nhub:\n{}", hub.log());

    // And nothing is lost on the clients' side: the unacknowledged edits go up now.
    sync_ok(&kbh, &hub, &t.kbh);
    sync_ok(&esb, &hub, &t.esb);
    sync_ok(&fresh, &hub, &t.kl);
    let export = export_json(&fresh, dir.path(), "fresh-after");
    for name in ["kbh", "esb"] {
        for i in 0..EDITS {
            assert!(export.contains(&format!("[{name}-{i}]")), "[{name}-{i}] is lost");
        }
    }
}

/// The hub forwards a change as soon as it is committed and answers its writer only once it
/// is on disk. Killed with SIGKILL three times in the middle of a stream — two
/// municipalities typing into the base and syncing after every edit, Aarhus following live
/// with `sync --watch` — and restarted on the same files each time: every change a sync
/// acknowledged (exit 0) is there, and whatever the peers received from the hub is taken
/// back, never refused — no copy is left holding a change the hub refuses forever, and no
/// block is bound to an organisation that did not write it.
#[test]
fn a_hub_killed_mid_stream_keeps_every_acknowledged_change_and_refuses_nothing_its_peers_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (data, t, mut hub) = published(dir.path());
    let (kbh, esb, aar) = (dir.path().join("kbh.konsekvens"), dir.path().join("esb.konsekvens"), dir.path().join("aar.konsekvens"));
    for (path, token) in [(&kbh, &t.kbh), (&esb, &t.esb), (&aar, &t.aar)] {
        join(path, &hub, token);
    }
    let bound = |org: &str| -> i64 {
        let db = rusqlite::Connection::open(data.join("hub.sqlite")).unwrap();
        db.query_row("SELECT count(*) FROM client_ids WHERE org = ?1", [org], |r| r.get(0)).unwrap()
    };
    let aarhus_ids = bound("751");
    let url = hub.url();
    let port = hub.port().to_owned();
    let watch = Watch::start(&aar, &hub, &t.aar);

    const EDITS: usize = 40;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(Mutex::new(0usize));
    let writer = |path: PathBuf, token: String, code: OrgCode, name: &'static str| {
        let (acked, failed, url) = (acked.clone(), failed.clone(), url.clone());
        std::thread::spawn(move || {
            let mut written = Vec::new();
            for i in 0..EDITS {
                let marker = format!("[{name}-{i}]");
                edit_description(&path, Some(code), |d| d.summary.0.push_str(&marker));
                written.push(marker);
                if sync(&path, &url, &token).status.success() {
                    acked.lock().unwrap().extend(written.drain(..));
                } else {
                    *failed.lock().unwrap() += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        })
    };
    let writers = [writer(kbh.clone(), t.kbh.clone(), KBH, "kbh"), writer(esb.clone(), t.esb.clone(), ESB, "esb")];
    let mut kills = 0;
    for _ in 0..3 {
        let target = acked.lock().unwrap().len() + 6;
        let started = Instant::now();
        while acked.lock().unwrap().len() < target && writers.iter().any(|w| !w.is_finished()) {
            assert!(started.elapsed() < Duration::from_secs(60), "no acknowledged edits");
            std::thread::sleep(Duration::from_millis(5));
        }
        if writers.iter().all(|w| w.is_finished()) {
            break;
        }
        hub.kill9();
        kills += 1;
        std::thread::sleep(Duration::from_millis(200));
        hub = HubProcess::start_on(&data, &format!("127.0.0.1:{port}"));
    }
    for w in writers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    eprintln!("stream: {kills} kill -9, {} syncs failed, {} edits acknowledged", failed.lock().unwrap(), acked.len());
    assert!(kills >= 2, "the stream ended before the hub was killed twice");

    // Every acknowledged edit is on the restarted hub.
    let fresh = dir.path().join("fresh.konsekvens");
    join(&fresh, &hub, &t.kl);
    let export = export_json(&fresh, dir.path(), "fresh");
    let missing: Vec<&String> = acked.iter().filter(|m| !export.contains(m.as_str())).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}\nhub:\n{}", hub.log());

    // The live copy reconnected and sent back what it held; nothing of it was refused.
    eventually("Aarhus's live copy has every acknowledged edit", || {
        let mine = export_json(&aar, dir.path(), "aar-live");
        acked.iter().all(|m| mine.contains(m.as_str()))
    });
    let (_, said) = watch.terminate();
    assert!(!said.contains("AFVIST"), "the live copy was refused:\n{said}");
    // Every copy is equal to the hub after one round each (exit 0: nothing refused).
    for (path, token) in [(&kbh, &t.kbh), (&esb, &t.esb), (&aar, &t.aar), (&fresh, &t.kl)] {
        sync_ok(path, &hub, token);
    }
    for (path, token) in [(&kbh, &t.kbh), (&esb, &t.esb), (&aar, &t.aar)] {
        sync_ok(path, &hub, token);
    }
    let exports: Vec<String> = [&kbh, &esb, &aar, &fresh].iter().enumerate().map(|(i, p)| export_json(p, dir.path(), &format!("end-{i}"))).collect();
    assert!(exports.iter().all(|e| *e == exports[0]), "the copies differ");
    for name in ["kbh", "esb"] {
        for i in 0..EDITS {
            assert!(exports[0].contains(&format!("[{name}-{i}]")), "[{name}-{i}] is lost");
        }
    }
    let refusals = admin(&data, &["refusals", "--dpia", DPIA]);
    assert!(!refusals.contains("K-HUB"), "the hub refused something:\n{refusals}");
    assert!(hub.terminate().success());
    assert_eq!(bound("751"), aarhus_ids, "Aarhus only passed others' changes back: no client id may be bound to it");
}

// ---- the official Yjs client ------------------------------------------------------------

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/hub/tests/js")
}

/// `false`: skipped with a message; under CI a missing Node setup fails instead.
fn node_ready() -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let missing = if !js_dir().join("node_modules/y-websocket").is_dir() {
        Some("crates/hub/tests/js has no node_modules; run `npm ci --prefix crates/hub/tests/js`")
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("`node` is not on PATH")
    } else {
        None
    };
    match missing {
        None => true,
        Some(why) if ci => panic!("the Yjs end-to-end test cannot run under CI: {why}"),
        Some(why) => {
            eprintln!("SKIPPED the official Yjs client against `konsekvens hub serve`: {why}");
            false
        }
    }
}

#[test]
fn the_official_yjs_client_sees_a_change_made_through_konsekvens() {
    if !node_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, t, hub) = published(dir.path());
    let kbh = dir.path().join("kbh.konsekvens");
    join(&kbh, &hub, &t.kbh);
    edit_description(&kbh, Some(KBH), |d| d.summary.0.push_str(" Ændret med konsekvens."));
    sync_ok(&kbh, &hub, &t.kbh);

    let seen = yjs_types(&hub, &t.esb, " Skrevet i Yjs.");
    assert!(seen.contains(" Ændret med konsekvens."), "the Yjs client did not see the change: {seen}");
    let title = open(&demo(dir.path())).view().base().unwrap().meta.title;
    assert!(seen.contains(&format!(r#""title":"{title}""#)), "{seen}");

    // The Yjs client's typing reaches København's workspace through `konsekvens sync`.
    sync_ok(&kbh, &hub, &t.kbh);
    let summary = open(&kbh).view().base().unwrap().description.summary.0;
    assert!(summary.ends_with(" Ændret med konsekvens. Skrevet i Yjs."), "{summary}");
    let shown = stdout(&run_ok(&["show".as_ref(), kbh.as_os_str()]));
    assert!(shown.contains("Skrevet i Yjs."), "`konsekvens show` prints it");

    // Live: with `konsekvens sync --watch` running, the Yjs client's typing lands in the
    // file without another sync, and a change to the file reaches the hub by itself.
    let watch = Watch::start(&kbh, &hub, &t.kbh);
    yjs_types(&hub, &t.esb, " Skrevet live.");
    eventually("the Yjs typing in the watched file", || open(&kbh).view().base().unwrap().description.summary.0.ends_with(" Skrevet live."));
    edit_description(&kbh, Some(KBH), |d| d.scope = Prose::from("Sendt af sync --watch."));
    let esb = dir.path().join("esb.konsekvens");
    join(&esb, &hub, &t.esb);
    eventually("the file's change at the hub", || {
        sync_ok(&esb, &hub, &t.esb);
        open(&esb).view().base().unwrap().description.scope.0 == "Sendt af sync --watch."
    });
    let (status, said) = watch.terminate();
    assert!(status.success(), "sync --watch exit status {status}: {said}");
    assert!(said.contains("ændringer modtaget"), "{said}");
}

/// The official Yjs client (crates/hub/tests/js/e2e.mjs) syncs the base, prints what it
/// read as JSON, and types `append` at the end of the summary; its output.
fn yjs_types(hub: &HubProcess, token: &str, append: &str) -> String {
    let out = Command::new("node")
        .arg("e2e.mjs")
        .current_dir(js_dir())
        .env("HUB", &hub.addr)
        .env("DPIA", DPIA)
        .env("TOKEN", token)
        .env("APPEND", append)
        .output()
        .expect("node runs");
    assert!(out.status.success(), "node failed: {}\n{}\nhub:\n{}", stdout(&out), stderr(&out), hub.log());
    stdout(&out)
}

/// `konsekvens sync PATH --watch` as a child process, once it reports being live.
struct Watch {
    child: Child,
    said: Arc<Mutex<String>>,
}

impl Watch {
    fn start(path: &Path, hub: &HubProcess, token: &str) -> Watch {
        let mut child = sync_command(path, &hub.url(), token, false).arg("--watch").stderr(Stdio::piped()).spawn().unwrap();
        let said = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let (lines, sink) = (BufReader::new(child.stderr.take().unwrap()), said.clone());
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                if line.starts_with("live:") {
                    let _ = tx.send(());
                }
                let mut said = sink.lock().unwrap();
                said.push_str(&line);
                said.push('\n');
            }
        });
        if rx.recv_timeout(Duration::from_secs(30)).is_err() {
            let _ = child.kill();
            panic!("sync --watch never went live: {}", said.lock().unwrap());
        }
        Watch { child, said }
    }

    /// SIGTERM; the exit status and everything it printed.
    fn terminate(mut self) -> (ExitStatus, String) {
        assert!(Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let said = self.said.lock().unwrap().clone();
        (status, said)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` until it holds (at most 20 s).
#[track_caller]
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(20), "{what} did not happen");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A hostile member through the hub: Esbjerg (561) empties the whole base. København's copy
/// names Esbjerg as the author of that change (not just «hub ws://…»), the hub's own log shows
/// it with what it deleted, and the coordinator restores the base to the point before,
/// through the hub, as a new change: every copy then holds the base as before (its export is
/// byte-identical to the sample's again), and the log shows the restoration by KL.
#[test]
fn a_member_empties_the_base_every_copy_names_it_and_the_coordinator_restores_it_through_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let t = register(&data);
    let hub = HubProcess::start(&data);
    let p = seed(dir.path(), &hub, &t);
    let before = export_dpia(&demo(dir.path()), dir.path(), "before");
    let shown = |path: &Path| stdout(&run_ok(&["show".as_ref(), path.as_os_str()]));
    let show_before = shown(&p.kbh);
    let url = hub.url();

    // Esbjerg empties the base: every item, every text.
    {
        let mut ws = open(&p.esb);
        ws.edit(DocKey::Base, &author(Some(ESB)), |e| e.write_base(&konsekvens_core::model::Base::default())).unwrap();
    }
    sync_ok(&p.esb, &hub, &t.esb);
    sync_ok(&p.kbh, &hub, &t.kbh);
    assert!(open(&p.kbh).view().base().unwrap().items.risks.is_empty());

    // København's log names Esbjerg as the author of the emptying.
    let log = json_stdout(&["log", p.kbh.to_str().unwrap(), "--json"]);
    let emptied = log.as_array().unwrap().iter().rev().find(|e| e["doc"] == "base").unwrap();
    assert!(emptied["author"].as_str().unwrap().starts_with("hub "), "{emptied}");
    assert_eq!(emptied["by"], serde_json::json!([{ "org": "561", "name": "Esbjerg", "label": "" }]), "{emptied}");
    let text = stdout(&run_ok(&["log".as_ref(), p.kbh.as_os_str()]));
    let line = text.lines().rfind(|l| l.starts_with('#') && l.contains(" i base")).unwrap();
    assert!(line.ends_with("— skrevet af 561 Esbjerg"), "{line}");

    // The hub's log shows it too: Esbjerg's token, what it deleted and which items went.
    let data_s = data.to_str().unwrap();
    let hub_log = stdout(&run_ok(&["hub", "log", "--data", data_s, "--dpia", DPIA, "--org", "561", "--doc", "base"].map(std::ffi::OsStr::new)));
    assert!(hub_log.starts_with("Nr.\tTidspunkt\tDokument\tOrganisation\tToken\tStørrelse\n"), "{hub_log}");
    let last = hub_log.rsplit("\n#").next().unwrap();
    assert!(last.contains("\tbase\t561 Esbjerg\tnr. 3\t"), "{last}");
    assert!(last.contains(" · slettet: ") && !last.contains("slettet: intet"), "{last}");
    assert!(last.contains("fjernet risiko R1 "), "{last}");
    let all = stdout(&run_ok(&["hub", "log", "--data", data_s, "--dpia", DPIA].map(std::ffi::OsStr::new)));
    assert!(all.contains("\tKL KL / KOMBIT\t") && all.contains("\t101 København\t"), "{all}");

    // The coordinator finds the change in its own log and restores the base to just before it.
    sync_ok(&p.kl, &hub, &t.kl);
    let log = json_stdout(&["log", p.kl.to_str().unwrap(), "--json"]);
    let emptied = log
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["doc"] == "base" && e["by"].as_array().unwrap().iter().any(|b| b["org"] == "561"))
        .unwrap();
    let point = format!("#{}", emptied["seq"].as_i64().unwrap() - 1);
    let kl = p.kl.to_str().unwrap();
    let restored = stdout(&run_ok(&["restore", kl, "--doc", "base", "--to", &point, "--hub", &url, "--token", &t.kl].map(std::ffi::OsStr::new)));
    assert!(restored.starts_with(&format!("Gendannede base til {point} som ændring #")), "{restored}");
    assert!(restored.contains("0 fjernet") && restored.contains("genskabt risiko R1 "), "{restored}");

    // Every copy, after syncing, holds the base as before — Aarhus too, which slept through it.
    for (path, token) in p.all(&t) {
        sync_ok(path, &hub, token);
    }
    for (i, (path, _)) in p.all(&t).into_iter().enumerate() {
        let got = export_dpia(path, dir.path(), &format!("restored-{i}"));
        assert!(got == before, "{} differs after the restoration: {}", path.display(), first_difference(&got, &before));
        assert_eq!(shown(path), show_before, "{}", path.display());
    }
    // …and its log shows the restoration as a new change by the coordinator.
    let log = json_stdout(&["log", p.kbh.to_str().unwrap(), "--json"]);
    let last = log.as_array().unwrap().iter().rev().find(|e| e["doc"] == "base").unwrap();
    assert_eq!(last["by"], serde_json::json!([{ "org": "KL", "name": "KL / KOMBIT", "label": "" }]), "{last}");

    // Restoring to a point that is not earlier is refused with its code, and changes nothing.
    let out = konsekvens(["restore", kl, "--to", "now"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("K-RESTORE-NO-POINT"), "{}", stderr(&out));
}

// ---- the høring -------------------------------------------------------------------------

/// `konsekvens ARGS…` that must succeed; its stdout.
fn ok(args: &[&std::ffi::OsStr]) -> String {
    stdout(&run_ok(args))
}

fn os<'a>(args: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    args.iter().map(std::ffi::OsStr::new).collect()
}

/// `konsekvens sync` as one party of the høring (`--org CODE` or `--coordinator`).
#[track_caller]
fn sync_as(path: &Path, hub: &HubProcess, token: &str, party: &[&str]) -> String {
    let out = sync_command(path, &hub.url(), token, false).args(party).output().unwrap();
    assert!(out.status.success(), "sync {} failed: {}\nhub:\n{}", path.display(), stderr(&out), hub.log());
    stderr(&out)
}

#[test]
fn a_hearing_round_through_the_hub_from_draft_to_confirmed_release() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
    let t = register(&data);
    let hub = HubProcess::start(&data);
    let p = seed(dir.path(), &hub, &t);
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    let (kl, kbh, esb) = (path(&p.kl), path(&p.kbh), path(&p.esb));

    // KL opens a round on the base as it stands.
    let round = ok(&os(&["hearing", "open", &kl, "--draft", "2026.1-udkast", "--deadline", "2099-12-31", "--note", "Høring af kommunernes DPO'er", "--name", "Karin (KL)"]));
    assert_eq!(round.trim(), "1");
    sync_as(&p.kl, &hub, &t.kl, &["--coordinator"]);

    // København objects to R1's confidentiality rating and proposes another likelihood.
    sync_as(&p.kbh, &hub, &t.kbh, &["--org", "101"]);
    let objection = ok(&os(&[
        "comment", "add", &kbh, "--org", "101", "--name", "Anne (DPO, København)", "--item", "R1", "--field", "inherent.confidentiality", "--round", "1",
        "--text", "Sandsynligheden for uautoriseret adgang er forventet, ikke sandsynlig", "--propose", "inherent.confidentiality.likelihood=forventet", "--objection",
    ]))
    .trim()
    .to_owned();
    ok(&os(&["hearing", "answer", &kbh, "--org", "101", "--round", "1", "--verdict", "kan-ikke", "--dpo", "Anne Andersen", "--dpo-date", "2026-11-20"]));
    sync_as(&p.kbh, &hub, &t.kbh, &["--org", "101"]);

    // Esbjerg agrees, with a comment.
    sync_as(&p.esb, &hub, &t.esb, &["--org", "561"]);
    let remark = ok(&os(&["comment", "add", &esb, "--org", "561", "--name", "Erik (DPO, Esbjerg)", "--item", "R1", "--round", "1", "--text", "Nævn UNI-login som kilde til risikoen"]))
        .trim()
        .to_owned();
    ok(&os(&["hearing", "answer", &esb, "--org", "561", "--round", "1", "--verdict", "bemaerkninger", "--dpo", "Erik Eriksen"]));
    sync_as(&p.esb, &hub, &t.esb, &["--org", "561"]);
    // Aarhus does not answer (it has the round, though).
    sync_as(&p.aar, &hub, &t.aar, &["--org", "751"]);

    // KL sees who answered what, answers both comments, accepts the proposal, publishes.
    sync_as(&p.kl, &hub, &t.kl, &["--coordinator"]);
    let status = ok(&os(&["hearing", "status", &kl]));
    assert!(status.contains("101 København: kan ikke tiltræde") && status.contains("751 Aarhus: har ikke svaret") && status.contains("1 åben(e) indsigelse"), "{status}");
    let refused = konsekvens(os(&["hearing", "close", &kl, "--round", "1", "--release", "2026.1"]));
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("[K-HOER-UBESVARET]"), "{}", stderr(&refused));
    ok(&os(&["hearing", "respond", &kl, "--comment", &objection, "--outcome", "indarbejdet", "--reason", "Enig: brudhistorikken taler for forventet", "--accept"]));
    ok(&os(&["hearing", "respond", &kl, "--comment", &remark, "--outcome", "delvist", "--reason", "UNI-login behandles under R5"]));
    ok(&os(&["hearing", "close", &kl, "--round", "1", "--release", "2026.1"]));
    sync_as(&p.kl, &hub, &t.kl, &["--coordinator"]);

    // The høringsnotat, read as a person reads the PDF.
    let notat = dir.path().join("hoeringsnotat.pdf");
    ok(&os(&["export", "hearing-notat", &kl, "--round", "1", "--out", notat.to_str().unwrap()]));
    let text = Command::new("pdftotext").arg(&notat).arg("-").output().expect("run pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
    for expected in [
        "Høringsnotat",
        "2026.1-udkast",
        "København (101)",
        "kan ikke tiltræde",
        "Anne Andersen",
        "Esbjerg (561)",
        "tiltræder med",
        "Aarhus (751)",
        "har ikke svaret",
        "forventet, ikke sandsynlig",
        "Nævn UNI-login",
        "indarbejdet",
        "delvist indarbejdet",
        "UNI-login behandles under R5",
        "sandsynlig → forventet",
        "Ændringer fra udkast til udgivelse",
    ] {
        assert!(text.contains(expected), "the høringsnotat lacks «{expected}»:\n{text}");
    }
    // … and its Word copy carries the same content.
    let word = dir.path().join("hoeringsnotat.docx");
    ok(&os(&["export", "hearing-notat", &kl, "--round", "1", "--out", word.to_str().unwrap()]));
    assert!(std::fs::read(&word).unwrap().starts_with(b"PK"));

    // København gets the release, confirms it, and sees what became of its objection.
    sync_as(&p.kbh, &hub, &t.kbh, &["--org", "101"]);
    let confirmed = ok(&os(&["release", "confirm", &kbh, "--org", "101", "--name", "2026.1"]));
    assert!(confirmed.contains(&objection) && confirmed.contains("svar: indarbejdet") && confirmed.contains("inherent.confidentiality.likelihood"), "{confirmed}");
    let overview = ok(&os(&["status", &kbh, "--org", "101"]));
    assert!(overview.contains(&format!("Jeres bemærkning {objection}")) && overview.contains("koordinatorens svar: indarbejdet"), "{overview}");
    // The accepted rating is in København's DPIA now, attributed to KL's change.
    let shown = ok(&os(&["show", &kbh, "--org", "101", "--json"]));
    let dpia: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let r1 = dpia["items"]["risks"].as_array().unwrap().iter().find(|r| r["reference"] == "R1").unwrap();
    assert_eq!(r1["inherent"]["confidentiality"]["likelihood"], "expected");
    assert_eq!(dpia["base_release"], "2026.1");
    sync_as(&p.kbh, &hub, &t.kbh, &["--org", "101"]);
}

// ---- TLS through a reverse proxy ----------------------------------------------------------

#[test]
fn sync_and_the_official_yjs_client_reach_the_hub_over_wss_through_nginx() {
    let Some(nginx_bin) = proxy_ready() else { return };
    if !node_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let (ca, cert, key) = throwaway_ca(&tls);
    let data = dir.path().join("hub");
    let t = register(&data);
    let hub = HubProcess::start_with(&data, "127.0.0.1:0", &["--trust-proxy"]);
    let proxy_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&proxy_dir).unwrap();
    let (nginx, port) = Nginx::start(&nginx_bin, &proxy_dir, hub.addr.trim_start_matches("ws://"), &cert, &key);
    let wss = format!("wss://localhost:{port}/dpia/{DPIA}");
    let over_tls = |path: &Path, token: &str, new: bool| {
        let mut cmd = sync_command(path, &wss, token, new);
        cmd.env("SSL_CERT_FILE", &ca).output().unwrap()
    };

    // KL publishes and København joins, edits and syncs, all over wss://.
    let kl = dir.path().join("kl.konsekvens");
    coordinator_workspace(&kl, dir.path());
    let out = over_tls(&kl, &t.kl, false);
    assert!(out.status.success(), "sync over wss: {}\nnginx:\n{}\nhub:\n{}", stderr(&out), nginx.log(), hub.log());
    let kbh = dir.path().join("kbh.konsekvens");
    assert!(over_tls(&kbh, &t.kbh, true).status.success());
    edit_description(&kbh, Some(KBH), |d| d.summary.0.push_str(" Sendt over TLS."));
    assert!(over_tls(&kbh, &t.kbh, false).status.success());

    // The official Yjs client over wss:// sees it and types; København's next sync has it.
    let out = Command::new("node")
        .arg("e2e.mjs")
        .current_dir(js_dir())
        .env("HUB", format!("wss://localhost:{port}"))
        .env("NODE_EXTRA_CA_CERTS", &ca)
        .env("DPIA", DPIA)
        .env("TOKEN", &t.esb)
        .env("APPEND", " Skrevet i Yjs over TLS.")
        .output()
        .unwrap();
    assert!(out.status.success(), "node over wss: {}\n{}\nnginx:\n{}", stdout(&out), stderr(&out), nginx.log());
    assert!(stdout(&out).contains("Sendt over TLS."), "{}", stdout(&out));
    assert!(over_tls(&kbh, &t.kbh, false).status.success());
    let summary = open(&kbh).view().base().unwrap().description.summary.0;
    assert!(summary.ends_with(" Sendt over TLS. Skrevet i Yjs over TLS."), "{summary}");

    // A wrong token through the proxy is the hub's 401, coded; an untrusted certificate is
    // refused by the client before any token is sent.
    let out = over_tls(&kbh, "khub_wrong", false);
    assert!(!out.status.success() && stderr(&out).contains("K-SYNC-TOKEN"), "{}", stderr(&out));
    let out = sync_command(&kbh, &wss, &t.kbh, false).env("SSL_CERT_FILE", &cert).output().unwrap();
    assert!(!out.status.success(), "a certificate signed by an unknown CA must be refused");
    assert!(stderr(&out).contains("K-SYNC-"), "{}", stderr(&out));
    // /healthz reaches the hub through the proxy (curl, as a load balancer asks); /metrics
    // does not exist there.
    let curl = |path: &str| {
        let out = Command::new("curl").args(["-s", "-o", "-", "-w", " %{http_code}", "--cacert"]).arg(&ca).arg(format!("https://localhost:{port}{path}")).output().unwrap();
        stdout(&out)
    };
    assert_eq!(curl("/healthz"), "ok\n 200");
    assert!(curl("/metrics").ends_with(" 404"));
    let access = std::fs::read_to_string(proxy_dir.join("konsekvens-hub.access.log")).unwrap();
    assert!(access.contains("GET /dpia/aula/base"), "{access}");
    assert!(!access.contains(&t.esb) && !access.contains("token="), "tokens stay out of the access log: {access}");
    drop(nginx);
}

#[path = "signin_e2e.rs"]
mod signin_e2e;
