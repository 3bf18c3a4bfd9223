//! The hub's fan-out benchmark: N simulated clients over loopback (default 98 municipalities ×
//! 5 = 490), each with two WebSockets — the joint base (every client) and its municipality's
//! supplement (its 5 colleagues) — typing into a Y.Text at random moments. It measures, per
//! server:
//!
//! - fan-out latency: from the moment a client makes an edit to the moment each other client
//!   on that document receives it (p50, p99, max), and how many of the expected deliveries
//!   arrived;
//! - updates per second the server accepted and deliveries per second it sent;
//! - the server's peak memory (VmHWM of its process) and CPU time.
//!
//! The same workload runs against the Konsekvens hub — twice: with `--synchronous full`
//! (fsync every commit, the default) and `normal` (fsync at checkpoints) — as a child
//! process (this binary re-run as `fanout serve-hub DIR MODE`, or with `--hub-bin
//! target/release/konsekvens` as `konsekvens hub serve`), and against Hocuspocus
//! (`@hocuspocus/server` from npm, started from `crates/hub/bench/hocuspocus.mjs`; `npm ci`
//! runs there first if needed) — twice too: in memory, as it comes, and with its SQLite
//! extension (which stores a document's whole state after 2 s without changes, at most
//! 10 s late: what a crash loses). The ratios are printed. Run it optimised:
//!
//! ```text
//! cargo run --release -p konsekvens-hub --example fanout
//! cargo run --release -p konsekvens-hub --example fanout -- --orgs 20 --seconds 10 --only hub
//! ```
//!
//! Options: `--orgs N` (98), `--per-org N` (5), `--seconds S` (20), `--rate R` edits per
//! client per second (0.5), `--base-share F` fraction of edits on the base (0.5), `--rounds
//! N` (2; the order alternates, the summary takes medians), `--only
//! hub|hub-full|hub-normal|hocuspocus|hocuspocus-memory|hocuspocus-sqlite`,
//! `--hub-bin PATH`.
//!
//! - `--dpias N`: several joint DPIAs at once instead of one: N bases with `--per-org`
//!   clients each (one municipality each), every client on its DPIA's base only (`--dpias 98`:
//!   98 documents × 5 clients, the same 490 clients with little fan-out per update).
//! - `--baseline-bin PATH`: a fanout binary built from an earlier version; its `serve-hub`
//!   runs as «before» beside each hub mode, alternating in the same run (before/after
//!   measured side by side on a shared machine).
//! - `--soak S [--sample-every T]`: one server (`--only hub-full`) for S seconds, printing
//!   its resident memory every T seconds (30).
//! - `--edits overwrite`: each client sets its own key of a Y.Map to 8 new characters
//!   instead of typing into the text (`--edits type`, the default). The documents then stay
//!   the same size — an overwritten value's tombstone merges with the one before — so a
//!   soak shows the server's own memory over time apart from its documents' growth.
//!
//! Not a test: `cargo test` only compiles it.

use futures_util::{SinkExt, StreamExt};
use konsekvens_hub::{proto, BasePolicy, HubStore, Role, ServeConfig, Synchronous};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::encoding::read::{Cursor, Read};
use yrs::encoding::write::Write;
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, Map, MapRef, Options, ReadTxn, StateVector, Text, TextRef, Transact, Update};

const DPIA: &str = "bench";

#[derive(Debug, Clone)]
struct Args {
    /// `Some(n)`: n joint DPIAs of `per_org` municipalities each, one client per
    /// municipality, all on their DPIA's base; `None`: one joint DPIA of `orgs`
    /// municipalities with `per_org` clients each, on the base and their supplement.
    dpias: Option<usize>,
    orgs: usize,
    per_org: usize,
    seconds: f64,
    rate: f64,
    base_share: f64,
    targets: Vec<Target>,
    rounds: usize,
    hub_bin: Option<PathBuf>,
    /// A fanout binary of an earlier version: its `serve-hub` runs as «hub before».
    baseline_bin: Option<PathBuf>,
    /// Soak: print the server's memory every this many seconds (one target, one round).
    sample_every: Option<f64>,
    edits: Edits,
}

/// What one edit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edits {
    /// Types 8 characters into the client's text: the document grows with every edit.
    Type,
    /// Sets the client's own key of a map to 8 characters: the document stays the same size.
    Overwrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Hub(Synchronous),
    /// The hub of `--baseline-bin` (an earlier version), for before/after in one run.
    Before(Synchronous),
    /// Hocuspocus in memory (`sqlite: false`) or with its SQLite extension.
    Hocuspocus { sqlite: bool },
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Hub(Synchronous::Full) => "hub, sync full",
            Target::Hub(Synchronous::Normal) => "hub, sync normal",
            Target::Before(Synchronous::Full) => "before, sync full",
            Target::Before(Synchronous::Normal) => "before, normal",
            Target::Hocuspocus { sqlite: false } => "Hocuspocus",
            Target::Hocuspocus { sqlite: true } => "Hocuspocus+SQLite",
        }
    }
}

const HUBS: [Target; 2] = [Target::Hub(Synchronous::Full), Target::Hub(Synchronous::Normal)];
const HOCUSPOCUS: [Target; 2] = [Target::Hocuspocus { sqlite: false }, Target::Hocuspocus { sqlite: true }];

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dpias: None,
        orgs: 98,
        per_org: 5,
        seconds: 20.0,
        rate: 0.5,
        base_share: 0.5,
        targets: [HUBS, HOCUSPOCUS].concat(),
        rounds: 2,
        hub_bin: None,
        baseline_bin: None,
        sample_every: None,
        edits: Edits::Type,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--bench" {
            continue; // what `cargo bench` passes
        }
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|_| format!("{flag}: «{v}» is not a number"));
        match flag.as_str() {
            "--orgs" => args.orgs = number(value()?)? as usize,
            "--dpias" => args.dpias = Some(number(value()?)? as usize),
            "--baseline-bin" => args.baseline_bin = Some(PathBuf::from(value()?)),
            "--soak" => {
                args.seconds = number(value()?)?;
                args.rounds = 1;
                args.sample_every.get_or_insert(30.0);
            }
            "--edits" => {
                args.edits = match value()?.as_str() {
                    "type" => Edits::Type,
                    "overwrite" => Edits::Overwrite,
                    other => return Err(format!("--edits: «{other}» is not type or overwrite")),
                }
            }
            "--sample-every" => args.sample_every = Some(number(value()?)?.max(1.0)),
            "--per-org" => args.per_org = number(value()?)? as usize,
            "--seconds" => args.seconds = number(value()?)?,
            "--rate" => args.rate = number(value()?)?,
            "--base-share" => args.base_share = number(value()?)?.clamp(0.0, 1.0),
            "--hub-bin" => args.hub_bin = Some(PathBuf::from(value()?)),
            "--rounds" => args.rounds = (number(value()?)? as usize).max(1),
            "--only" => {
                // A comma-separated list: `--only hub-full,hocuspocus-memory`.
                let mut chosen = Vec::new();
                for one in value()?.split(',') {
                    chosen.extend(match one {
                        "hub" => HUBS.to_vec(),
                        "hub-full" => vec![HUBS[0]],
                        "hub-normal" => vec![HUBS[1]],
                        "hocuspocus" => HOCUSPOCUS.to_vec(),
                        "hocuspocus-memory" => vec![HOCUSPOCUS[0]],
                        "hocuspocus-sqlite" => vec![HOCUSPOCUS[1]],
                        other => return Err(format!("--only: «{other}» is not hub, hub-full, hub-normal, hocuspocus, hocuspocus-memory or hocuspocus-sqlite")),
                    });
                }
                args.targets = chosen;
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.orgs == 0 || args.orgs > 899 || args.per_org < 2 || args.rate <= 0.0 || args.seconds <= 0.0 {
        return Err("need 1..=899 orgs, at least 2 clients per org, a positive rate and duration".into());
    }
    if let Some(d) = args.dpias {
        if d == 0 || d * args.per_org > 8990 {
            return Err("--dpias: need 1 or more, at most 8990 clients".into());
        }
        args.orgs = d; // the client count below is orgs × per_org
    }
    if args.baseline_bin.is_some() {
        let before: Vec<Target> = args.targets.iter().filter_map(|t| if let Target::Hub(m) = t { Some(Target::Before(*m)) } else { None }).collect();
        args.targets.extend(before);
    }
    if args.sample_every.is_some() {
        args.rounds = 1;
        if args.targets.len() != 1 {
            return Err("a soak runs one server: add --only hub-full (or another)".into());
        }
    }
    Ok(args)
}

fn main() {
    let mut argv = std::env::args().skip(1);
    if argv.next().as_deref() == Some("serve-hub") {
        let dir = argv.next().expect("serve-hub DIR MODE");
        let mode = argv.next().and_then(|m| m.parse().ok()).expect("serve-hub DIR full|normal");
        serve_hub(Path::new(&dir), mode);
        return;
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fanout: {e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clients = args.orgs * args.per_org;
    match args.dpias {
        None => println!(
            "fan-out benchmark: {} clients ({} organisations × {}), 2 documents each (base + own supplement), {} edits/client/s for {} s, {:.0} % on the base",
            clients,
            args.orgs,
            args.per_org,
            args.rate,
            args.seconds,
            args.base_share * 100.0
        ),
        Some(d) => println!(
            "fan-out benchmark: {clients} clients on {d} joint DPIAs at once ({d} documents × {} clients, one municipality each), {} edits/client/s for {} s",
            args.per_org, args.rate, args.seconds
        ),
    }
    // Rounds alternate the order (hub first, then Hocuspocus first, …) so that a machine
    // getting busier or quieter during the run favours neither; the summary takes medians.
    let mut results: Vec<RunResult> = Vec::new();
    for round in 0..args.rounds {
        let mut order = args.targets.clone();
        if round % 2 == 1 {
            order.reverse();
        }
        for target in order {
            match runtime.block_on(run(target, &args)) {
                Ok(r) => {
                    r.print(round + 1);
                    results.push(r);
                }
                Err(e) => {
                    eprintln!("fanout: {}: {e}", target.name());
                    std::process::exit(1);
                }
            }
        }
    }
    println!("\nsummary (median of {} round(s)):", args.rounds);
    println!("  {:<18} {:>10} {:>10} {:>10} {:>10} {:>12} {:>10} {:>9}", "server", "p50 ms", "p99 ms", "p99 all", "max ms", "updates/s", "peak MiB", "CPU s");
    let mut medians = Vec::new();
    for &target in &args.targets {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.target == target).collect();
        let m = Summary {
            p50: median(runs.iter().map(|r| r.p50_ms())),
            p99: median(runs.iter().map(|r| r.p99_ms())),
            p99_all: median(runs.iter().map(|r| r.all_p99_ms())),
            max: median(runs.iter().map(|r| r.percentile_ms(1.0))),
            updates: median(runs.iter().map(|r| r.updates_per_second())),
            peak_mib: median(runs.iter().map(|r| r.peak_rss_kib as f64 / 1024.0)),
            cpu: median(runs.iter().map(|r| r.cpu_seconds)),
        };
        println!(
            "  {:<18} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>12.0} {:>10.1} {:>9.1}",
            target.name(),
            m.p50,
            m.p99,
            m.p99_all,
            m.max,
            m.updates,
            m.peak_mib,
            m.cpu
        );
        medians.push(m);
    }
    let figures: Vec<(Target, &Summary)> = args.targets.iter().copied().zip(&medians).collect();
    let is_hub = |t: Target| matches!(t, Target::Hub(_) | Target::Before(_));
    for &(target, hub) in figures.iter().filter(|(t, _)| is_hub(*t)) {
        for &(other, hp) in figures.iter().filter(|(t, _)| !is_hub(*t)) {
            println!("\nratios, {} ÷ {} (above 1: the hub is better):", other.name(), target.name());
            println!("  fan-out p50 {:.2}×   p99 {:.2}×   p99 all {:.2}×   peak memory {:.2}×   CPU {:.2}×", ratio(hp.p50, hub.p50), ratio(hp.p99, hub.p99), ratio(hp.p99_all, hub.p99_all), ratio(hp.peak_mib, hub.peak_mib), ratio(hp.cpu, hub.cpu));
        }
        let met = if hub.p99 < 50.0 { "met" } else { "MISSED" };
        println!("target p99 fan-out < 50 ms at {clients} clients, {}: {met} ({:.2} ms)", target.name(), hub.p99);
        if let Some(&(_, hp)) = figures.iter().find(|(t, _)| *t == Target::Hocuspocus { sqlite: false }) {
            let r = ratio(hub.p99, hp.p99);
            println!("target p99 ≤ 0.5 × Hocuspocus in memory, {}: {} ({r:.2}×)", target.name(), if r <= 0.5 { "met" } else { "MISSED" });
        }
    }
    for mode in [Synchronous::Full, Synchronous::Normal] {
        let (now, before) = (figures.iter().find(|(t, _)| *t == Target::Hub(mode)), figures.iter().find(|(t, _)| *t == Target::Before(mode)));
        if let (Some((_, now)), Some((_, before))) = (now, before) {
            println!("\nafter ÷ before, sync {mode}: p50 {:.2}×   p99 {:.2}×   p99 all {:.2}×   peak memory {:.2}×   CPU {:.2}×", ratio(now.p50, before.p50), ratio(now.p99, before.p99), ratio(now.p99_all, before.p99_all), ratio(now.peak_mib, before.peak_mib), ratio(now.cpu, before.cpu));
        }
    }
}

/// A server's figures over the rounds.
struct Summary {
    p50: f64,
    p99: f64,
    /// p99 over every edit, each client id's first included.
    p99_all: f64,
    max: f64,
    updates: f64,
    peak_mib: f64,
    cpu: f64,
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// The hub in this process (the child side of the benchmark).
fn serve_hub(dir: &Path, synchronous: Synchronous) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let config = ServeConfig { synchronous, ..ServeConfig::new(dir, "127.0.0.1:0".parse().unwrap()) };
        let server = konsekvens_hub::Server::bind(config).await.unwrap();
        eprintln!("listening on ws://{}", server.local_addr());
        server.run(konsekvens_hub::shutdown_signal()).await.unwrap();
    });
}

// ---- servers ------------------------------------------------------------------------------

/// A server child process and the address it printed.
struct ServerProcess {
    child: Child,
    addr: String,
    _data: Option<tempfile::TempDir>,
}

impl ServerProcess {
    fn spawn(mut cmd: Command, data: Option<tempfile::TempDir>) -> Result<ServerProcess, String> {
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(i) = line.find("ws://") {
                        break line[i..].trim().to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    return Err(format!("{cmd:?} exited without printing its address"));
                }
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Ok(ServerProcess { child, addr, _data: data })
    }

    /// Peak resident memory (VmHWM) in KiB and user+system CPU seconds, from /proc.
    fn usage(&self) -> (u64, f64) {
        let pid = self.child.id();
        let (_, hwm) = memory_kib(pid);
        let cpu = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                let fields: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
                let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
                Some(ticks / 100.0) // USER_HZ
            })
            .unwrap_or(0.0);
        (hwm, cpu)
    }

    fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The joint DPIA and document of each client's connections: `dpia/<id>/<key>` (the hub's
/// path, and the document name Hocuspocus is given), with the token's organisation index.
fn layout(args: &Args) -> Vec<(usize, Vec<String>)> {
    let clients = args.orgs * args.per_org;
    (0..clients)
        .map(|c| match args.dpias {
            None => {
                let org = c / args.per_org;
                (org, vec![format!("dpia/{DPIA}/base"), format!("dpia/{DPIA}/supplement/{}", 101 + org)])
            }
            // DPIA d: municipalities d·per_org … (d+1)·per_org − 1, one client each.
            Some(_) => (c, vec![format!("dpia/{DPIA}-{}/base", c / args.per_org)]),
        })
        .collect()
}

/// Registers KL and the municipalities, the joint DPIA(s) with every municipality taking
/// part, and one member token per municipality; starts the hub (or with `before`, the
/// baseline binary's) on it.
fn start_hub(args: &Args, synchronous: Synchronous, before: bool) -> Result<(ServerProcess, Vec<String>), String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut store = HubStore::open(data.path()).map_err(|e| e.to_string())?;
    store.add_org("KL", "KL / KOMBIT").map_err(|e| e.to_string())?;
    let orgs = match args.dpias {
        None => args.orgs,
        Some(d) => d * args.per_org,
    };
    let codes: Vec<String> = (0..orgs).map(|i| (101 + i).to_string()).collect();
    for code in &codes {
        store.add_org(code, &format!("Kommune {code}")).map_err(|e| e.to_string())?;
    }
    let parts: Vec<&str> = codes.iter().map(String::as_str).collect();
    match args.dpias {
        None => store.add_dpia(DPIA, "Benchmark", "KL", BasePolicy::AllParticipants, &parts).map_err(|e| e.to_string())?,
        Some(d) => {
            for (i, members) in parts.chunks(args.per_org).enumerate().take(d) {
                store.add_dpia(&format!("{DPIA}-{i}"), "Benchmark", "KL", BasePolicy::AllParticipants, members).map_err(|e| e.to_string())?;
            }
        }
    }
    let tokens = codes.iter().map(|c| store.issue_token(c, Role::Member, "bench").map(|t| t.secret)).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    drop(store);
    if before {
        // The earlier hub reads schema 2: the same database without the forwarding leases.
        let db = rusqlite::Connection::open(data.path().join(konsekvens_hub::store::DB_FILE)).map_err(|e| e.to_string())?;
        db.execute_batch("ALTER TABLE client_ids DROP COLUMN lease; PRAGMA user_version = 2;").map_err(|e| e.to_string())?;
    }
    let cmd = match (&args.hub_bin, &args.baseline_bin) {
        (_, Some(bin)) if before => {
            let mut c = Command::new(bin);
            c.arg("serve-hub").arg(data.path()).arg(synchronous.to_string());
            c
        }
        (Some(bin), _) => {
            let mut c = Command::new(bin);
            c.args(["hub", "serve", "--listen", "127.0.0.1:0", "--synchronous", &synchronous.to_string(), "--data"]).arg(data.path());
            c
        }
        _ => {
            let mut c = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
            c.arg("serve-hub").arg(data.path()).arg(synchronous.to_string());
            c
        }
    };
    Ok((ServerProcess::spawn(cmd, Some(data))?, tokens))
}

/// Hocuspocus from `bench/hocuspocus.mjs`; with `sqlite`, its SQLite extension stores the
/// documents in a fresh database file.
fn start_hocuspocus(sqlite: bool) -> Result<ServerProcess, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench");
    if !dir.join("node_modules/@hocuspocus/extension-sqlite").is_dir() {
        eprintln!("npm ci in {} (Hocuspocus)", dir.display());
        let ok = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).status().map_err(|e| format!("npm: {e}"))?;
        if !ok.success() {
            return Err(format!("npm ci failed in {}", dir.display()));
        }
    }
    let mut cmd = Command::new("node");
    cmd.arg("hocuspocus.mjs").current_dir(&dir).env("PORT", "0");
    let data = if sqlite {
        let data = tempfile::tempdir().map_err(|e| e.to_string())?;
        cmd.env("DATABASE", data.path().join("hocuspocus.sqlite"));
        Some(data)
    } else {
        None
    };
    ServerProcess::spawn(cmd, data)
}

// ---- the clients --------------------------------------------------------------------------

/// How frames are addressed: the hub has one URL per document; Hocuspocus prefixes every
/// message with the document name and wants an Auth message first.
#[derive(Clone, Copy)]
enum Wire {
    Hub,
    Hocuspocus,
}

impl Wire {
    fn frame(self, doc: &str, ysync: &[u8]) -> Vec<u8> {
        match self {
            Wire::Hub => ysync.to_vec(),
            Wire::Hocuspocus => {
                let mut out = Vec::with_capacity(ysync.len() + doc.len() + 2);
                out.write_string(doc);
                out.extend_from_slice(ysync);
                out
            }
        }
    }

    /// The update in a frame (a sync Update or SyncStep2), with `true` for SyncStep2; or
    /// whether the frame says authenticated (Hocuspocus).
    fn read(self, frame: &[u8]) -> Incoming {
        let mut c = Cursor::new(frame);
        if let Wire::Hocuspocus = self {
            if c.read_string().is_err() {
                return Incoming::Other;
            }
        }
        let Ok(kind) = c.read_var::<u32>() else { return Incoming::Other };
        match kind {
            // messageSync (and Hocuspocus' SyncReply)
            0 | 4 => match c.read_var::<u32>() {
                Ok(1) => c.read_buf().map(|b| Incoming::Step2(b.to_vec())).unwrap_or(Incoming::Other),
                Ok(2) => c.read_buf().map(|b| Incoming::Update(b.to_vec())).unwrap_or(Incoming::Other),
                _ => Incoming::Other,
            },
            // messageAuth: 2 = Authenticated in Hocuspocus, 0 = permission denied
            2 => match c.read_var::<u32>() {
                Ok(2) => Incoming::Authenticated,
                _ => Incoming::Denied,
            },
            _ => Incoming::Other,
        }
    }
}

enum Incoming {
    Step2(Vec<u8>),
    Update(Vec<u8>),
    Authenticated,
    Denied,
    Other,
}

/// When each edit was made: per CRDT client id, the clock its update reaches → the instant.
/// Sharded by client id so 490 readers rarely wait for each other.
struct SendLog {
    /// The instant, and whether it was the client id's first edit.
    shards: Vec<Mutex<Shard>>,
}

/// Per CRDT client id: the clock its update reaches → (the instant, its first edit).
type Shard = HashMap<u64, BTreeMap<u32, (Instant, bool)>>;

impl SendLog {
    fn new() -> SendLog {
        SendLog { shards: (0..64).map(|_| Mutex::new(HashMap::new())).collect() }
    }
    fn record(&self, client: u64, end: u32, at: Instant, first: bool) {
        self.shards[(client % 64) as usize].lock().unwrap().entry(client).or_default().insert(end, (at, first));
    }
    /// The edits of `client` an update carrying its clocks `start..end` delivers.
    fn sent(&self, client: u64, start: u32, end: u32, out: &mut Vec<(Instant, bool)>) {
        if let Some(edits) = self.shards[(client % 64) as usize].lock().unwrap().get(&client) {
            out.extend(edits.range(start + 1..=end).map(|(_, at)| *at));
        }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
type Sink = futures_util::stream::SplitSink<Socket, WsMessage>;

/// One client's connection to one document.
struct Conn {
    doc_name: String,
    sink: Sink,
    doc: Doc,
    field: Field,
    reader: tokio::task::JoinHandle<(Vec<u32>, Vec<u32>)>,
    /// Whether this connection has edited (its first edit binds its client id at the hub).
    edited: bool,
    /// False once the server closed it (a hub closes a connection that falls 1024 forwards
    /// behind with 1013): its edits stop, and the run says how many closed.
    open: bool,
}

fn client_ws_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(8 * 1024).write_buffer_size(0)
}

/// Connects, authenticates (Hocuspocus), syncs, and starts the reader that timestamps what
/// arrives. `id` is the CRDT client id of this connection's document.
/// Where a client's edits go (see [`Edits`]).
enum Field {
    Text(TextRef),
    Map(MapRef),
}

#[allow(clippy::too_many_arguments)]
async fn connect(wire: Wire, addr: &str, doc_name: &str, token: &str, id: u64, edits: Edits, log: Arc<SendLog>, stop: tokio::sync::watch::Receiver<bool>) -> Result<Conn, String> {
    let url = match wire {
        Wire::Hub => format!("{addr}/{doc_name}?token={token}"),
        Wire::Hocuspocus => addr.to_owned(),
    };
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(client_ws_config()), true)
        .await
        .map_err(|e| format!("connect {url}: {e} (too many open files? raise `ulimit -n`)"))?;
    let (mut sink, mut source) = socket.split();
    let doc = Doc::with_options(Options { client_id: ClientID::new(id), ..Options::default() });
    // A root both the base and the supplements model (the hub refuses roots a document kind
    // does not have: with «description», which only the base has, every supplement edit was
    // refused and its deliveries missing). Only its name matters to the servers.
    let field = match edits {
        Edits::Type => Field::Text(doc.get_or_insert_text("meta")),
        Edits::Overwrite => Field::Map(doc.get_or_insert_map("meta")),
    };
    let send = |frame: Vec<u8>| WsMessage::Binary(frame.into());
    if let Wire::Hocuspocus = wire {
        let mut auth = vec![];
        auth.write_var(2u32); // messageAuth
        auth.write_var(0u32); // token
        auth.write_string(token);
        sink.send(send(wire.frame(doc_name, &auth))).await.map_err(|e| e.to_string())?;
        loop {
            match wire.read(&next_frame(&mut source).await?) {
                Incoming::Authenticated => break,
                Incoming::Denied => return Err(format!("{doc_name}: permission denied")),
                _ => {}
            }
        }
    }
    sink.send(send(wire.frame(doc_name, &proto::sync_step1(&StateVector::default())))).await.map_err(|e| e.to_string())?;
    loop {
        let f = next_frame(&mut source).await?;
        match wire.read(&f) {
            Incoming::Step2(_) => break,
            Incoming::Denied => return Err(format!("{doc_name}: permission denied")),
            _ => {}
        }
    }
    let reader = tokio::spawn(read_loop(wire, source, id, log, stop));
    Ok(Conn { doc_name: doc_name.to_owned(), sink, doc, field, reader, edited: false, open: true })
}

async fn next_frame(source: &mut futures_util::stream::SplitStream<Socket>) -> Result<Vec<u8>, String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), source.next()).await {
            Ok(Some(Ok(WsMessage::Binary(b)))) => return Ok(b.to_vec()),
            Ok(Some(Ok(_))) => continue,
            Ok(other) => return Err(format!("connection ended during the handshake: {other:?}")),
            Err(_) => return Err("no answer within 30 s during the handshake".into()),
        }
    }
}

/// Reads until `stop`; one latency sample (µs) per edit of another client delivered.
async fn read_loop(wire: Wire, mut source: futures_util::stream::SplitStream<Socket>, own: u64, log: Arc<SendLog>, mut stop: tokio::sync::watch::Receiver<bool>) -> (Vec<u32>, Vec<u32>) {
    let (mut samples, mut first_samples) = (Vec::new(), Vec::new());
    let mut sent = Vec::new();
    loop {
        let frame = tokio::select! {
            f = source.next() => match f {
                Some(Ok(WsMessage::Binary(b))) => b,
                Some(Ok(_)) => continue,
                _ => break,
            },
            _ = stop.changed() => break,
        };
        let now = Instant::now();
        let data = match wire.read(&frame) {
            Incoming::Update(d) | Incoming::Step2(d) => d,
            _ => continue,
        };
        let Ok(update) = Update::decode_v1(&data) else { continue };
        for (client, ranges) in update.insertions(true).iter() {
            if client.get() == own {
                continue;
            }
            for r in ranges.iter() {
                sent.clear();
                log.sent(client.get(), r.start, r.end, &mut sent);
                for (at, first) in &sent {
                    let micros = now.saturating_duration_since(*at).as_micros().min(u32::MAX as u128) as u32;
                    if *first { first_samples.push(micros) } else { samples.push(micros) }
                }
            }
        }
    }
    (samples, first_samples)
}

impl Conn {
    /// Types a few characters (or overwrites a value); the update goes out at once. Returns (client, clock reached).
    async fn edit(&mut self, wire: Wire, log: &SendLog, n: u64) -> Result<(), String> {
        if !self.open {
            return Ok(());
        }
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            let value = format!("e{:07}", n % 10_000_000);
            match &self.field {
                Field::Text(text) => {
                    let len = text.len(&txn);
                    text.insert(&mut txn, len.min(4), &value);
                }
                Field::Map(map) => {
                    let key = format!("c{}", self.doc.client_id().get());
                    map.insert(&mut txn, key, value);
                }
            }
        }
        let (update, reach) = {
            let txn = self.doc.transact();
            (txn.encode_state_as_update_v1(&before), txn.state_vector().get(&self.doc.client_id()))
        };
        log.record(self.doc.client_id().get(), reach, Instant::now(), !std::mem::replace(&mut self.edited, true));
        let frame = wire.frame(&self.doc_name, &proto::update(update));
        if self.sink.send(WsMessage::Binary(frame.into())).await.is_err() {
            self.open = false;
        }
        Ok(())
    }
}

// ---- one run ------------------------------------------------------------------------------

struct RunResult {
    target: Target,
    clients: usize,
    sockets: usize,
    connect_seconds: f64,
    edits: u64,
    base_edits: u64,
    seconds: f64,
    expected_deliveries: u64,
    /// Latencies of every edit but each client id's first (µs, sorted).
    samples: Vec<u32>,
    /// Latencies of each client id's first edit: the hub binds the id (and fsyncs that)
    /// before it forwards one; a session makes it once (µs, sorted).
    first_samples: Vec<u32>,
    peak_rss_kib: u64,
    cpu_seconds: f64,
}

impl RunResult {
    fn percentile_ms(&self, p: f64) -> f64 {
        percentile_ms(&self.samples, p)
    }
    /// Over every edit, first ones included.
    fn all_p99_ms(&self) -> f64 {
        let mut all = [self.samples.as_slice(), self.first_samples.as_slice()].concat();
        all.sort_unstable();
        percentile_ms(&all, 0.99)
    }
    fn p50_ms(&self) -> f64 {
        self.percentile_ms(0.50)
    }
    fn p99_ms(&self) -> f64 {
        self.percentile_ms(0.99)
    }
    fn updates_per_second(&self) -> f64 {
        self.edits as f64 / self.seconds
    }
    fn print(&self, round: usize) {
        println!("\n{} (round {round}):", self.target.name());
        println!("  {} clients, {} WebSockets connected and synced in {:.1} s", self.clients, self.sockets, self.connect_seconds);
        println!(
            "  updates accepted   {} in {:.1} s = {:.0}/s ({} on the base)",
            self.edits,
            self.seconds,
            self.updates_per_second(),
            self.base_edits
        );
        println!(
            "  deliveries         {} of {} expected ({:.2} %) = {:.0}/s",
            (self.samples.len() + self.first_samples.len()),
            self.expected_deliveries,
            100.0 * (self.samples.len() + self.first_samples.len()) as f64 / self.expected_deliveries.max(1) as f64,
            (self.samples.len() + self.first_samples.len()) as f64 / self.seconds
        );
        println!(
            "  fan-out latency    p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms   (every edit but a client id's first)",
            self.p50_ms(),
            self.p99_ms(),
            self.percentile_ms(1.0)
        );
        println!(
            "  first edits        p50 {:.2} ms   p99 {:.2} ms   ({} deliveries); p99 of all deliveries {:.2} ms",
            percentile_ms(&self.first_samples, 0.5),
            percentile_ms(&self.first_samples, 0.99),
            self.first_samples.len(),
            self.all_p99_ms()
        );
        println!("  server peak memory {:.1} MiB (VmHWM)   CPU {:.1} s", self.peak_rss_kib as f64 / 1024.0, self.cpu_seconds);
    }
}

async fn run(target: Target, args: &Args) -> Result<RunResult, String> {
    let (server, tokens, wire) = match target {
        Target::Hub(synchronous) => {
            let (s, t) = start_hub(args, synchronous, false)?;
            (s, t, Wire::Hub)
        }
        Target::Before(synchronous) => {
            let (s, t) = start_hub(args, synchronous, true)?;
            (s, t, Wire::Hub)
        }
        Target::Hocuspocus { sqlite } => (start_hocuspocus(sqlite)?, vec!["bench".to_string(); args.orgs * args.per_org], Wire::Hocuspocus),
    };
    let result = drive(target, wire, &server, &tokens, args).await;
    let (peak_rss_kib, cpu_seconds) = server.usage();
    server.stop();
    let mut r = result?;
    r.peak_rss_kib = peak_rss_kib;
    r.cpu_seconds = cpu_seconds;
    Ok(r)
}

async fn drive(target: Target, wire: Wire, server: &ServerProcess, tokens: &[String], args: &Args) -> Result<RunResult, String> {
    let log = Arc::new(SendLog::new());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let plan = layout(args);
    let clients = plan.len();
    let addr = server.addr.clone();

    // Connect every client's documents, at most 64 handshakes at a time.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(64));
    let mut joins = Vec::new();
    for (c, (org, docs)) in plan.iter().cloned().enumerate() {
        let (addr, token, log, stop, gate, edits) = (addr.clone(), tokens[org].clone(), log.clone(), stop_rx.clone(), gate.clone(), args.edits);
        joins.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let mut conns = Vec::new();
            for (i, doc) in docs.iter().enumerate() {
                let id = 2 * c as u64 + 1_000_001 + i as u64;
                conns.push(connect(wire, &addr, doc, &token, id, edits, log.clone(), stop.clone()).await?);
            }
            Ok::<_, String>(conns)
        }));
    }
    let mut conns = Vec::with_capacity(clients);
    for j in joins {
        conns.push(j.await.map_err(|e| e.to_string())??);
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    let sockets: usize = conns.iter().map(Vec::len).sum();

    // Soak: the server's memory over time, with the edits made so far.
    let made = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sampler = args.sample_every.map(|every| {
        let (pid, made, mut stop) = (server.child.id(), made.clone(), stop_rx.clone());
        tokio::spawn(async move {
            let t0 = Instant::now();
            println!("  {:>7} {:>10} {:>10} {:>10}", "s", "RSS MiB", "peak MiB", "edits");
            loop {
                let (rss, hwm) = memory_kib(pid);
                println!("  {:>7.0} {:>10.1} {:>10.1} {:>10}", t0.elapsed().as_secs_f64(), rss as f64 / 1024.0, hwm as f64 / 1024.0, made.load(std::sync::atomic::Ordering::Relaxed));
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs_f64(every)) => {}
                    _ = stop.changed() => break,
                }
            }
        })
    });

    // Edit for `seconds`: each client at random moments (uniform gaps, mean 1/rate).
    let phase = Duration::from_secs_f64(args.seconds);
    let t0 = Instant::now();
    let mut editors = Vec::new();
    for (c, mut mine) in conns.into_iter().enumerate() {
        let (log, rate, share, made) = (log.clone(), args.rate, args.base_share, made.clone());
        editors.push(tokio::spawn(async move {
            let (mut n, mut on_base) = (0u64, 0u64);
            loop {
                let gap = Duration::from_secs_f64(rand::random::<f64>() * 2.0 / rate);
                if t0.elapsed() + gap >= phase {
                    break;
                }
                tokio::time::sleep_until((Instant::now() + gap).into()).await;
                // The base (first), or the supplement when there is one.
                let i = if mine.len() == 1 || rand::random::<f64>() < share {
                    on_base += 1;
                    0
                } else {
                    1
                };
                mine[i].edit(wire, &log, c as u64 * 1000 + n).await?;
                made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                n += 1;
            }
            Ok::<_, String>((n, on_base, mine))
        }));
    }
    let (mut edits, mut base_edits, mut conns) = (0u64, 0u64, Vec::new());
    for e in editors {
        let (n, b, mine) = e.await.map_err(|e| e.to_string())??;
        edits += n;
        base_edits += b;
        conns.push(mine);
    }
    let seconds = t0.elapsed().as_secs_f64();
    // Let the last deliveries arrive, then stop the readers.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    if let Some(sampler) = sampler {
        let _ = sampler.await;
    }
    let (mut samples, mut first_samples) = (Vec::new(), Vec::new());
    let closed = conns.iter().flatten().filter(|c| !c.open).count();
    if closed > 0 {
        println!("  {closed} connection(s) closed by the server during the run (their later deliveries are missing)");
    }
    for mine in conns {
        for mut conn in mine {
            let _ = conn.sink.send(WsMessage::Close(None)).await;
            let (later, first) = conn.reader.await.map_err(|e| e.to_string())?;
            samples.extend(later);
            first_samples.extend(first);
        }
    }
    samples.sort_unstable();
    first_samples.sort_unstable();
    // Who receives an edit: on the joint base everybody else; on a supplement its
    // municipality's other clients; on one of many DPIAs' bases its other clients.
    let supp_edits = edits - base_edits;
    let expected_deliveries = match args.dpias {
        None => base_edits * (clients as u64 - 1) + supp_edits * (args.per_org as u64 - 1),
        Some(_) => edits * (args.per_org as u64 - 1),
    };
    Ok(RunResult { target, clients, sockets, connect_seconds, edits, base_edits, seconds, expected_deliveries, samples, first_samples, peak_rss_kib: 0, cpu_seconds: 0.0 })
}

fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Resident and peak resident memory (VmRSS, VmHWM) of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()).unwrap_or(0);
    (field("VmRSS:"), field("VmHWM:"))
}
