//! Benchmark, not a test: one edit and the refresh after it, through the app's own commands
//! (Tauri's IPC on the mock runtime, so every argument and answer is (de)serialised as JSON
//! as it is for the webview), on the fresh sample and on the sample after a year of use
//! (`konsekvens_core::fixtures::year_of_use`: 100 000 field edits, a review and a release).
//!
//! For each workspace, alternating, it measures:
//! - **before**: the refresh as the webview made it until issue #14 — `effective`, `check`,
//!   `coordination`, `can_undo` after the edit (the whole DPIA, every release's base);
//! - **after**: `refresh` with the generation the webview holds (only what changed);
//! - the core's `review_status` alone (the part of the check another change makes cheap), so
//!   what the app's side costs is the refresh minus it.
//!
//! The edit: København's DPO retitles a local risk, while København's DPIA is shown.
//!
//!     cargo run --release -p konsekvens-app --example refresh [-- EDITS [MUNICIPALITIES [ROUNDS]]]
//!
//! The year-of-use file is built once per spec and kept under target/bench-fixtures/ (each
//! run works on a copy).

use konsekvens_app::session::AppState;
use konsekvens_app::{setup, Launch};
use konsekvens_core::check::{self, check_with_review, CheckContext};
use konsekvens_core::UserError;
use konsekvens_core::fixtures::{year_of_use, YearSpec};
use konsekvens_core::model::OrgCode;
use konsekvens_core::{SystemEnv, Workspace};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

const ORG: u16 = 101;

struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    /// Bytes that crossed IPC since the last `take_bytes` (arguments and answers as JSON).
    bytes: usize,
}

impl App {
    fn open(path: &Path) -> App {
        let app = setup(mock_builder(), Launch::default(), AppState::new(None, None)).build(mock_context(noop_assets())).expect("mock app");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window");
        let mut a = App { _app: app, webview, bytes: 0 };
        a.call("open_workspace", json!({ "path": path }));
        a
    }

    fn call(&mut self, cmd: &str, args: Value) -> Value {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args.clone()),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        self.bytes += args.to_string().len();
        match get_ipc_response(&self.webview, request) {
            Ok(InvokeResponseBody::Json(text)) => {
                self.bytes += text.len();
                serde_json::from_str(&text).expect("JSON")
            }
            Ok(InvokeResponseBody::Raw(raw)) => panic!("{cmd}: raw answer of {} bytes", raw.len()),
            Err(e) => panic!("{cmd}: {e}"),
        }
    }

    fn take_bytes(&mut self) -> usize {
        std::mem::take(&mut self.bytes)
    }
}

/// The local risk København's DPO edits.
fn local_risk(path: &Path) -> String {
    let ws = Workspace::open(path, Arc::new(SystemEnv)).expect("open");
    let s = ws.view().supplement(OrgCode(ORG)).expect("København's supplement");
    s.additions.risks.first().expect("a local risk").id.0.clone()
}

struct Figures {
    before: Vec<Duration>,
    before_bytes: usize,
    after: Vec<Duration>,
    after_bytes: usize,
    edit: Vec<Duration>,
    refresh: Vec<Duration>,
    core: Vec<Duration>,
    review: Vec<Duration>,
    first_bytes: usize,
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn measure(path: &Path, rounds: usize) -> Figures {
    let risk = local_risk(path);
    let mut app = App::open(path);
    let mut f = Figures { before: vec![], before_bytes: 0, after: vec![], after_bytes: 0, edit: vec![], refresh: vec![], core: vec![], review: vec![], first_bytes: 0 };
    app.take_bytes();
    let first = app.call("refresh", json!({ "org": ORG, "since": null }));
    f.first_bytes = app.take_bytes();
    let mut since = first["generation"].clone();
    let doc = format!("supplement/{ORG}");
    let mut n = 0;
    let mut edit = |app: &mut App| {
        n += 1;
        let t = Instant::now();
        app.call("patch_item", json!({ "doc": doc, "kind": "risk", "id": risk, "patch": { "title": format!("Skærmbilleder deles, revision {n}") } }));
        t.elapsed()
    };
    for _ in 0..rounds {
        // Before: the four reads the webview made after every edit.
        app.take_bytes();
        let t = Instant::now();
        f.edit.push(edit(&mut app));
        for (cmd, args) in [("effective", json!({ "org": ORG })), ("check", json!({ "org": ORG })), ("coordination", json!({})), ("can_undo", json!({}))] {
            app.call(cmd, args);
        }
        f.before.push(t.elapsed());
        f.before_bytes = app.take_bytes();

        // The refresh after it, on top of the view held (the edit above is in this delta
        // too; the next round's is what is timed and counted).
        since = app.call("refresh", json!({ "org": ORG, "since": since }))["generation"].clone();
        app.take_bytes();
        let t = Instant::now();
        f.edit.push(edit(&mut app));
        let r0 = Instant::now();
        let r = app.call("refresh", json!({ "org": ORG, "since": since }));
        f.refresh.push(r0.elapsed());
        f.after.push(t.elapsed());
        f.after_bytes = app.take_bytes();
        assert!(r["full"].is_null(), "the refresh sent the whole view again");
        since = r["generation"].clone();

        // The core's share of the refresh, timed alone: its reads and the check (the
        // review status apart); the rest is the app's (JSON, changes, IPC). The review
        // status is memoised per log head: one more edit moves the head, so it is computed
        // afresh, as after every edit the user makes.
        edit(&mut app);
        let state = app.webview.state::<AppState>();
        let code = Some(OrgCode(ORG));
        let t = Instant::now();
        let review = state.with(|s, _| check::review_status(&s.ws.view(), code).map_err(UserError::from)).expect("review status");
        f.review.push(t.elapsed());
        let t = Instant::now();
        state
            .with(|s, _| {
                let view = s.ws.view();
                let dpia = view.effective_or_base(code).map_err(UserError::from)?;
                let policy = check::acceptance_policy(&view, code).map_err(UserError::from)?;
                view.coordination().map_err(UserError::from)?;
                let ctx = CheckContext { is_base: false, policy, today: konsekvens_core::env::today() };
                Ok(check_with_review(&dpia, &ctx, Some(&review)))
            })
            .expect("core reads");
        f.core.push(t.elapsed());
    }
    f
}

/// The year-of-use workspace for `spec`, built once and copied for each run.
fn year_file(spec: &YearSpec, work: &Path) -> PathBuf {
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-fixtures");
    std::fs::create_dir_all(&target).expect("target/bench-fixtures");
    let kept = target.join(format!("year-{}-{}-{}.konsekvens", spec.edits, spec.municipalities, spec.seed));
    if !kept.exists() {
        let t = Instant::now();
        let building = target.join("building.konsekvens");
        let _ = std::fs::remove_file(&building);
        let mut ws = year_of_use(&building, spec).expect("year of use");
        ws.compact().expect("compact");
        drop(ws);
        std::fs::rename(&building, &kept).expect("keep the fixture");
        eprintln!("built {} in {:.1?}", kept.display(), t.elapsed());
    }
    let copy = work.join("year.konsekvens");
    std::fs::copy(&kept, &copy).expect("copy the fixture");
    copy
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("numbers: EDITS MUNICIPALITIES ROUNDS"));
    let spec = YearSpec { edits: args.next().unwrap_or(100_000), municipalities: args.next().unwrap_or(3), seed: 1 };
    let rounds = args.next().unwrap_or(21);
    let work = tempfile::tempdir().expect("temp dir");
    let fresh = work.path().join("sample.konsekvens");
    Workspace::create_demo(&fresh, Arc::new(SystemEnv)).expect("sample");
    let year = year_file(&spec, work.path());

    let a = measure(&fresh, rounds);
    let b = measure(&year, rounds);
    let kib = |b: usize| b as f64 / 1024.0;
    println!(
        "One edit (a local risk's title, København) + the refresh after it, through the app's commands on Tauri's mock runtime; medians of {rounds}, {} cores, {} build",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    println!("{:<58} {:>16} {:>26}", "", "fresh sample", format!("after {} edits", spec.edits));
    println!("{:<58} {:>16} {:>26}", "municipalities", 3, spec.municipalities);
    let row = |label: &str, x: Duration, y: Duration| println!("{label:<58} {:>13.2} ms {:>23.2} ms", x.as_secs_f64() * 1e3, y.as_secs_f64() * 1e3);
    let bytes = |label: &str, x: usize, y: usize| println!("{label:<58} {:>12.1} KiB {:>22.1} KiB", kib(x), kib(y));
    row("before: edit + effective, check, coordination, can_undo", median(&a.before), median(&b.before));
    bytes("  IPC bytes per edit", a.before_bytes, b.before_bytes);
    row("after:  edit + refresh (changes only)", median(&a.after), median(&b.after));
    bytes("  IPC bytes per edit", a.after_bytes, b.after_bytes);
    row("  of which the edit (patch_item, durable)", median(&a.edit), median(&b.edit));
    row("  of which the refresh", median(&a.refresh), median(&b.refresh));
    row("    of which the core's review status (timed alone)", median(&a.review), median(&b.review));
    row("    of which the core's effective DPIA, coordination, check", median(&a.core), median(&b.core));
    let app_side = |f: &Figures| median(&f.refresh).saturating_sub(median(&f.review) + median(&f.core));
    row("    the app's side: JSON, changes, IPC (the rest)", app_side(&a), app_side(&b));
    bytes("first refresh (the whole view, once)", a.first_bytes, b.first_bytes);
}
