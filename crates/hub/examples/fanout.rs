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
use yrs::{ClientID, Doc, Options, ReadTxn, StateVector, Text, TextRef, Transact, Update};

const DPIA: &str = "bench";

#[derive(Debug, Clone)]
struct Args {
    orgs: usize,
    per_org: usize,
    seconds: f64,
    rate: f64,
    base_share: f64,
    targets: Vec<Target>,
    rounds: usize,
    hub_bin: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Hub(Synchronous),
    /// Hocuspocus in memory (`sqlite: false`) or with its SQLite extension.
    Hocuspocus { sqlite: bool },
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Hub(Synchronous::Full) => "hub, sync full",
            Target::Hub(Synchronous::Normal) => "hub, sync normal",
            Target::Hocuspocus { sqlite: false } => "Hocuspocus",
            Target::Hocuspocus { sqlite: true } => "Hocuspocus+SQLite",
        }
    }
}

const HUBS: [Target; 2] = [Target::Hub(Synchronous::Full), Target::Hub(Synchronous::Normal)];
const HOCUSPOCUS: [Target; 2] = [Target::Hocuspocus { sqlite: false }, Target::Hocuspocus { sqlite: true }];

fn parse_args() -> Result<Args, String> {
    let mut args = Args { orgs: 98, per_org: 5, seconds: 20.0, rate: 0.5, base_share: 0.5, targets: [HUBS, HOCUSPOCUS].concat(), rounds: 2, hub_bin: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--bench" {
            continue; // what `cargo bench` passes
        }
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|_| format!("{flag}: «{v}» is not a number"));
        match flag.as_str() {
            "--orgs" => args.orgs = number(value()?)? as usize,
            "--per-org" => args.per_org = number(value()?)? as usize,
            "--seconds" => args.seconds = number(value()?)?,
            "--rate" => args.rate = number(value()?)?,
            "--base-share" => args.base_share = number(value()?)?.clamp(0.0, 1.0),
            "--hub-bin" => args.hub_bin = Some(PathBuf::from(value()?)),
            "--rounds" => args.rounds = (number(value()?)? as usize).max(1),
            "--only" => {
                args.targets = match value()?.as_str() {
                    "hub" => HUBS.to_vec(),
                    "hub-full" => vec![HUBS[0]],
                    "hub-normal" => vec![HUBS[1]],
                    "hocuspocus" => HOCUSPOCUS.to_vec(),
                    "hocuspocus-memory" => vec![HOCUSPOCUS[0]],
                    "hocuspocus-sqlite" => vec![HOCUSPOCUS[1]],
                    other => return Err(format!("--only: «{other}» is not hub, hub-full, hub-normal, hocuspocus, hocuspocus-memory or hocuspocus-sqlite")),
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.orgs == 0 || args.orgs > 899 || args.per_org < 2 || args.rate <= 0.0 || args.seconds <= 0.0 {
        return Err("need 1..=899 orgs, at least 2 clients per org, a positive rate and duration".into());
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
    println!(
        "fan-out benchmark: {} clients ({} organisations × {}), 2 documents each (base + own supplement), {} edits/client/s for {} s, {:.0} % on the base",
        clients,
        args.orgs,
        args.per_org,
        args.rate,
        args.seconds,
        args.base_share * 100.0
    );
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
    println!("  {:<18} {:>10} {:>10} {:>10} {:>12} {:>10} {:>9}", "server", "p50 ms", "p99 ms", "max ms", "updates/s", "peak MiB", "CPU s");
    let mut medians = Vec::new();
    for &target in &args.targets {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.target == target).collect();
        let m = Summary {
            p50: median(runs.iter().map(|r| r.p50_ms())),
            p99: median(runs.iter().map(|r| r.p99_ms())),
            max: median(runs.iter().map(|r| r.percentile_ms(1.0))),
            updates: median(runs.iter().map(|r| r.updates_per_second())),
            peak_mib: median(runs.iter().map(|r| r.peak_rss_kib as f64 / 1024.0)),
            cpu: median(runs.iter().map(|r| r.cpu_seconds)),
        };
        println!(
            "  {:<18} {:>10.2} {:>10.2} {:>10.2} {:>12.0} {:>10.1} {:>9.1}",
            target.name(),
            m.p50,
            m.p99,
            m.max,
            m.updates,
            m.peak_mib,
            m.cpu
        );
        medians.push(m);
    }
    let figures: Vec<(Target, &Summary)> = args.targets.iter().copied().zip(&medians).collect();
    let is_hub = |t: Target| matches!(t, Target::Hub(_));
    for &(target, hub) in figures.iter().filter(|(t, _)| is_hub(*t)) {
        for &(other, hp) in figures.iter().filter(|(t, _)| !is_hub(*t)) {
            println!("\nratios, {} ÷ {} (above 1: the hub is better):", other.name(), target.name());
            println!("  fan-out p50 {:.2}×   p99 {:.2}×   peak memory {:.2}×   CPU {:.2}×", ratio(hp.p50, hub.p50), ratio(hp.p99, hub.p99), ratio(hp.peak_mib, hub.peak_mib), ratio(hp.cpu, hub.cpu));
        }
        let met = if hub.p99 < 50.0 { "met" } else { "MISSED" };
        println!("target p99 fan-out < 50 ms at {clients} clients, {}: {met} ({:.2} ms)", target.name(), hub.p99);
    }
}

/// A server's figures over the rounds.
struct Summary {
    p50: f64,
    p99: f64,
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
        let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
            .unwrap_or(0);
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

/// Registers KL and the municipalities, one joint DPIA with every municipality taking part,
/// and one member token per municipality; starts the hub on it.
fn start_hub(args: &Args, synchronous: Synchronous) -> Result<(ServerProcess, Vec<String>), String> {
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut store = HubStore::open(data.path()).map_err(|e| e.to_string())?;
    store.add_org("KL", "KL / KOMBIT").map_err(|e| e.to_string())?;
    let codes: Vec<String> = (0..args.orgs).map(|i| (101 + i).to_string()).collect();
    for code in &codes {
        store.add_org(code, &format!("Kommune {code}")).map_err(|e| e.to_string())?;
    }
    let parts: Vec<&str> = codes.iter().map(String::as_str).collect();
    store.add_dpia(DPIA, "Benchmark", "KL", BasePolicy::AllParticipants, &parts).map_err(|e| e.to_string())?;
    let tokens = codes.iter().map(|c| store.issue_token(c, Role::Member, "bench").map(|t| t.secret)).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    drop(store);
    let cmd = match &args.hub_bin {
        Some(bin) => {
            let mut c = Command::new(bin);
            c.args(["hub", "serve", "--listen", "127.0.0.1:0", "--synchronous", &synchronous.to_string(), "--data"]).arg(data.path());
            c
        }
        None => {
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
    shards: Vec<Mutex<HashMap<u64, BTreeMap<u32, Instant>>>>,
}

impl SendLog {
    fn new() -> SendLog {
        SendLog { shards: (0..64).map(|_| Mutex::new(HashMap::new())).collect() }
    }
    fn record(&self, client: u64, end: u32, at: Instant) {
        self.shards[(client % 64) as usize].lock().unwrap().entry(client).or_default().insert(end, at);
    }
    /// The edits of `client` an update carrying its clocks `start..end` delivers.
    fn sent(&self, client: u64, start: u32, end: u32, out: &mut Vec<Instant>) {
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
    text: TextRef,
    reader: tokio::task::JoinHandle<Vec<u32>>,
}

fn client_ws_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(8 * 1024).write_buffer_size(0)
}

/// Connects, authenticates (Hocuspocus), syncs, and starts the reader that timestamps what
/// arrives. `id` is the CRDT client id of this connection's document.
async fn connect(wire: Wire, addr: &str, doc_name: &str, token: &str, id: u64, log: Arc<SendLog>, stop: tokio::sync::watch::Receiver<bool>) -> Result<Conn, String> {
    let url = match wire {
        Wire::Hub => format!("{addr}/{doc_name}?token={token}"),
        Wire::Hocuspocus => addr.to_owned(),
    };
    let (socket, _) = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(client_ws_config()), true)
        .await
        .map_err(|e| format!("connect {url}: {e} (too many open files? raise `ulimit -n`)"))?;
    let (mut sink, mut source) = socket.split();
    let doc = Doc::with_options(Options { client_id: ClientID::new(id), ..Options::default() });
    // A root the base models (the hub refuses roots a document kind does not have).
    let text = doc.get_or_insert_text("description");
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
    Ok(Conn { doc_name: doc_name.to_owned(), sink, doc, text, reader })
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
async fn read_loop(wire: Wire, mut source: futures_util::stream::SplitStream<Socket>, own: u64, log: Arc<SendLog>, mut stop: tokio::sync::watch::Receiver<bool>) -> Vec<u32> {
    let mut samples = Vec::new();
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
                samples.extend(sent.iter().map(|at| now.saturating_duration_since(*at).as_micros().min(u32::MAX as u128) as u32));
            }
        }
    }
    samples
}

impl Conn {
    /// Types a few characters; the update goes out at once. Returns (client, clock reached).
    async fn edit(&mut self, wire: Wire, log: &SendLog, n: u64) -> Result<(), String> {
        let before = self.doc.transact().state_vector();
        {
            let mut txn = self.doc.transact_mut();
            let len = self.text.len(&txn);
            self.text.insert(&mut txn, len.min(4), &format!("e{:07}", n % 10_000_000));
        }
        let (update, reach) = {
            let txn = self.doc.transact();
            (txn.encode_state_as_update_v1(&before), txn.state_vector().get(&self.doc.client_id()))
        };
        log.record(self.doc.client_id().get(), reach, Instant::now());
        let frame = wire.frame(&self.doc_name, &proto::update(update));
        self.sink.send(WsMessage::Binary(frame.into())).await.map_err(|e| format!("send: {e}"))
    }
}

// ---- one run ------------------------------------------------------------------------------

struct RunResult {
    target: Target,
    clients: usize,
    connect_seconds: f64,
    edits: u64,
    base_edits: u64,
    seconds: f64,
    expected_deliveries: u64,
    samples: Vec<u32>,
    peak_rss_kib: u64,
    cpu_seconds: f64,
}

impl RunResult {
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        let i = ((self.samples.len() as f64 - 1.0) * p).round() as usize;
        self.samples[i] as f64 / 1000.0
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
        println!("  {} clients, {} WebSockets connected and synced in {:.1} s", self.clients, 2 * self.clients, self.connect_seconds);
        println!(
            "  updates accepted   {} in {:.1} s = {:.0}/s ({} on the base)",
            self.edits,
            self.seconds,
            self.updates_per_second(),
            self.base_edits
        );
        println!(
            "  deliveries         {} of {} expected ({:.2} %) = {:.0}/s",
            self.samples.len(),
            self.expected_deliveries,
            100.0 * self.samples.len() as f64 / self.expected_deliveries.max(1) as f64,
            self.samples.len() as f64 / self.seconds
        );
        println!(
            "  fan-out latency    p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
            self.p50_ms(),
            self.p99_ms(),
            self.percentile_ms(1.0)
        );
        println!("  server peak memory {:.1} MiB (VmHWM)   CPU {:.1} s", self.peak_rss_kib as f64 / 1024.0, self.cpu_seconds);
    }
}

async fn run(target: Target, args: &Args) -> Result<RunResult, String> {
    let (server, tokens, wire) = match target {
        Target::Hub(synchronous) => {
            let (s, t) = start_hub(args, synchronous)?;
            (s, t, Wire::Hub)
        }
        Target::Hocuspocus { sqlite } => (start_hocuspocus(sqlite)?, vec!["bench".to_string(); args.orgs], Wire::Hocuspocus),
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
    let clients = args.orgs * args.per_org;
    let addr = match wire {
        Wire::Hub => format!("{}/dpia/{DPIA}", server.addr),
        Wire::Hocuspocus => server.addr.clone(),
    };

    // Connect every client's two documents, at most 64 handshakes at a time.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(64));
    let mut joins = Vec::new();
    for c in 0..clients {
        let org = c / args.per_org;
        let (addr, token, log, stop, gate) = (addr.clone(), tokens[org].clone(), log.clone(), stop_rx.clone(), gate.clone());
        let supplement = format!("supplement/{}", 101 + org);
        joins.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let doc = |key: &str| match wire {
                Wire::Hub => key.to_owned(),
                Wire::Hocuspocus => format!("dpia/{DPIA}/{key}"),
            };
            let ids = (2 * c as u64 + 1_000_001, 2 * c as u64 + 1_000_002);
            let base = connect(wire, &addr, &doc("base"), &token, ids.0, log.clone(), stop.clone()).await?;
            let supp = connect(wire, &addr, &doc(&supplement), &token, ids.1, log, stop).await?;
            Ok::<_, String>((base, supp))
        }));
    }
    let mut conns = Vec::with_capacity(clients);
    for j in joins {
        conns.push(j.await.map_err(|e| e.to_string())??);
    }
    let connect_seconds = started.elapsed().as_secs_f64();

    // Edit for `seconds`: each client at random moments (uniform gaps, mean 1/rate).
    let phase = Duration::from_secs_f64(args.seconds);
    let t0 = Instant::now();
    let mut editors = Vec::new();
    for (c, (mut base, mut supp)) in conns.into_iter().enumerate() {
        let (log, rate, share) = (log.clone(), args.rate, args.base_share);
        editors.push(tokio::spawn(async move {
            let (mut n, mut on_base) = (0u64, 0u64);
            loop {
                let gap = Duration::from_secs_f64(rand::random::<f64>() * 2.0 / rate);
                if t0.elapsed() + gap >= phase {
                    break;
                }
                tokio::time::sleep_until((Instant::now() + gap).into()).await;
                let conn = if rand::random::<f64>() < share {
                    on_base += 1;
                    &mut base
                } else {
                    &mut supp
                };
                conn.edit(wire, &log, c as u64 * 1000 + n).await?;
                n += 1;
            }
            Ok::<_, String>((n, on_base, base, supp))
        }));
    }
    let (mut edits, mut base_edits, mut conns) = (0u64, 0u64, Vec::new());
    for e in editors {
        let (n, b, base, supp) = e.await.map_err(|e| e.to_string())??;
        edits += n;
        base_edits += b;
        conns.push((base, supp));
    }
    let seconds = t0.elapsed().as_secs_f64();
    // Let the last deliveries arrive, then stop the readers.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let mut samples = Vec::new();
    for (base, supp) in conns {
        for mut conn in [base, supp] {
            let _ = conn.sink.send(WsMessage::Close(None)).await;
            samples.extend(conn.reader.await.map_err(|e| e.to_string())?);
        }
    }
    samples.sort_unstable();
    let supp_edits = edits - base_edits;
    let expected_deliveries = base_edits * (clients as u64 - 1) + supp_edits * (args.per_org as u64 - 1);
    Ok(RunResult { target, clients, connect_seconds, edits, base_edits, seconds, expected_deliveries, samples, peak_rss_kib: 0, cpu_seconds: 0.0 })
}
