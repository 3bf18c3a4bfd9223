//! Issue #14's figures: what a user does after a year of use (the sample with 98
//! municipalities and 100 000 field edits through the product's own calls, a review and a
//! release near the end) beside the same command on the fresh sample with 98 municipalities
//! and after 1 000 edits — all in one run, each through the product's own path (a fresh
//! `Workspace::open` per measurement, as a CLI command starts; medians).
//! Run: `cargo bench -p konsekvens-core --bench workspace` (`EDITS=20000` for a shorter year;
//! `BENCH_DIR=dir` keeps the built files there and reuses them on the next run).
//! A bench binary, not a timed test: shared machines make timings flaky as assertions.

use konsekvens_core::check;
use konsekvens_core::doc::DocKey;
use konsekvens_core::fixtures::{day_of_step, year_of_use, YearSpec};
use konsekvens_core::history::{self, Point};
use konsekvens_core::model::*;
use konsekvens_core::check::Lang;
use konsekvens_core::report::document_for;
use konsekvens_core::{status, Author, Env, FixedEnv, Workspace};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MUNICIPALITIES: usize = 98;

fn env() -> Arc<dyn Env> {
    Arc::new(FixedEnv::new(1_796_000_000_000, 42))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A command's wall time and the CPU time the process spent on it (all its threads: the
/// checks of many DPIAs run on several): on a shared machine the wall time waits for the CPU,
/// the CPU time much less.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

/// The process's time on a CPU so far, threads that ended included (`CLOCK_PROCESS_CPUTIME_ID`).
fn cpu_now() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec; the clock id is a constant the kernel knows.
    if unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Medians of wall and CPU time, each on its own.
fn medians(v: Vec<Timing>) -> Timing {
    Timing { wall: median(v.iter().map(|t| t.wall).collect()), cpu: median(v.iter().map(|t| t.cpu).collect()) }
}

/// Median of `n` runs of `f` on a freshly opened workspace (open included, as a command).
fn command<R>(path: &Path, n: usize, mut f: impl FnMut(&Workspace) -> R) -> Timing {
    let mut times = Vec::new();
    for _ in 0..n {
        let (t, cpu) = (Instant::now(), cpu_now());
        let ws = Workspace::open(path, env()).expect("opens");
        std::hint::black_box(f(&ws));
        drop(ws);
        times.push(Timing { wall: t.elapsed(), cpu: cpu_now().saturating_sub(cpu) });
    }
    medians(times)
}

struct Year {
    name: &'static str,
    path: PathBuf,
    edits: usize,
}

fn build(dir: &Path, name: &'static str, edits: usize) -> Year {
    let path = dir.join(format!("{name}-{edits}.konsekvens"));
    if path.exists() {
        println!("reused {name:<8} {edits:>6} edits: {}", path.display());
        return Year { name, path, edits };
    }
    let t = Instant::now();
    let ws = year_of_use(&path, &YearSpec { edits, municipalities: MUNICIPALITIES, seed: 14 }).expect("the year builds");
    let head = ws.view().head_seq().unwrap();
    drop(ws);
    let size = std::fs::metadata(&path).unwrap().len();
    println!("built {name:<8} {edits:>6} edits, log head #{head}, file {:.1} MiB, in {:.1?}", size as f64 / 1048576.0, t.elapsed());
    Year { name, path, edits }
}

/// `ONLY=word,word`: measure only the rows whose name contains one of the words.
fn wanted(what: &str) -> bool {
    std::env::var("ONLY").map(|only| only.split(',').any(|w| what.contains(w))).unwrap_or(true)
}

/// A row, measured only if [`wanted`].
macro_rules! row {
    ($what:expr, $goal:expr, $figures:expr) => {
        if wanted($what) {
            row($what, $goal, $figures)
        }
    };
}

fn row(what: &str, goal: &str, figures: &[(&Year, Timing)]) {
    let cells: Vec<String> = figures.iter().map(|(y, d)| format!("{}: {:>9.2?} (CPU {:>8.2?})", y.name, d.wall, d.cpu)).collect();
    let (first, last) = (figures[0].1.wall, figures[figures.len() - 1].1.wall);
    // The machine's load beside each figure: a shared machine's figures are read with it.
    let load = std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next().map(str::to_owned)).unwrap_or_default();
    println!("{what:<44} {}   ×{:.2} {goal} (load {load})", cells.join("  "), last.as_secs_f64() / first.as_secs_f64().max(1e-9));
}

/// The check of the base and of every municipality in one process, as `check` does each.
/// The product's own path: `konsekvens check --all` calls the same function.
fn check_all(ws: &Workspace, today: Day) -> usize {
    check::check_all(&ws.view(), today).unwrap().iter().map(|(_, r)| r.findings.len()).sum()
}

fn main() {
    let edits: usize = std::env::var("EDITS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("BENCH_DIR").map(PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir).expect("bench dir");
    let fresh = build(dir, "fresh", 0);
    let small = build(dir, "1000", 1_000);
    let year = build(dir, "year", edits);
    let years = [&fresh, &small, &year];
    let today = day_of_step(edits, edits);
    let kbh = OrgCode(101);
    // `PROFILE=review|check|open|status|status-after-base|all`: repeat one command on the
    // year for `perf record` (`status-after-base`: each time after another command edited
    // the base, as the row below; `all`: the check of base + 98).
    if let Ok(what) = std::env::var("PROFILE") {
        for i in 0..50 {
            if what == "status-after-base" {
                let mut ws = Workspace::open(&year.path, env()).expect("opens");
                let id = ws.view().base().unwrap().items.measures[0].id.clone();
                ws.edit(DocKey::Base, &Author::new("dpo@101.kommune.dk", Some(kbh)), |e| e.update::<Measure>(&id, |m| m.owner_name = format!("Profil {i}"))).unwrap();
            }
            command(&year.path, 1, |ws| match what.as_str() {
                "review" => drop(check::review_status(&ws.view(), Some(kbh)).unwrap()),
                "check" => drop(check::check_in(&ws.view(), Some(kbh), today).unwrap()),
                "status" | "status-after-base" => drop(status::overview(&ws.view(), today).unwrap()),
                "all" => drop(check_all(ws, today)),
                _ => (),
            });
        }
        return;
    }
    println!("\nmedians of wall time (and of the process's CPU time, all threads); each figure opens the file first, as a command does; ×: year ÷ fresh (wall)");

    let each = |n: usize, f: &dyn Fn(&Workspace)| -> Vec<(&Year, Timing)> { years.iter().map(|y| (*y, command(&y.path, n, |ws| f(ws)))).collect() };

    row!("open (base + 98 + log)", "goal < 20 ms", &each(9, &|_| ()));
    row!("check --org 101", "goal ≤ 1.5× fresh", &each(7, &|ws| {
        check::check_in(&ws.view(), Some(kbh), today).unwrap();
    }));
    // The same after another command edited København's supplement (its kept model is then
    // made when that command closes), and on a file whose models were never kept (the first
    // command after an upgrade from schema 3): every read decodes its documents.
    // After another command edited København's supplement or the joint base (the models of
    // what it wrote are kept when it closes; every answer that read the base is computed
    // again), `n` times, timing only the command after it.
    let edited = |n: usize, base: bool, f: &dyn Fn(&Workspace)| -> Vec<(&Year, Timing)> {
        years
            .iter()
            .map(|y| {
                let mut times = Vec::new();
                for i in 0..n {
                    let mut ws = Workspace::open(&y.path, env()).expect("opens");
                    let author = Author::new("dpo@101.kommune.dk", Some(kbh));
                    if base {
                        let id = ws.view().base().unwrap().items.measures[0].id.clone();
                        ws.edit(DocKey::Base, &author, |e| e.update::<Measure>(&id, |m| m.owner_name = format!("Ansvarlig {i}"))).unwrap();
                    } else {
                        let id = ws.view().supplement(kbh).unwrap().additions.measures[0].id.clone();
                        ws.edit(DocKey::Supplement(kbh), &author, |e| e.update::<Measure>(&id, |m| m.owner_name = format!("Ansvarlig {i}"))).unwrap();
                    }
                    drop(ws);
                    times.push(command(&y.path, 1, |ws| f(ws)));
                }
                (*y, medians(times))
            })
            .collect()
    };
    let check_kbh = |ws: &Workspace| drop(check::check_in(&ws.view(), Some(kbh), today).unwrap());
    row!("check --org 101 after an edit of its supplement", "goal ≤ 1.5× fresh", &edited(5, false, &check_kbh));
    row!("check --org 101 after an edit of the base", "goal ≤ 1.5× fresh", &edited(5, true, &check_kbh));
    let cold = |n: usize| -> Vec<(&Year, Timing)> {
        years
            .iter()
            .map(|y| {
                let mut times = Vec::new();
                for _ in 0..n {
                    rusqlite::Connection::open(&y.path).unwrap().execute("DELETE FROM models", []).unwrap();
                    times.push(command(&y.path, 1, |ws| check::check_in(&ws.view(), Some(kbh), today).unwrap()));
                }
                (*y, medians(times))
            })
            .collect()
    };
    row!("check --org 101, no kept models (cold)", "(made once)", &cold(3));
    row!("review --org 101", "goal ≤ 1.5× fresh", &each(7, &|ws| {
        check::review_status(&ws.view(), Some(kbh)).unwrap();
    }));
    row!("status (98 municipalities)", "goal < 200 ms", &each(5, &|ws| {
        status::overview(&ws.view(), today).unwrap();
    }));
    row!("status after an edit of the base", "goal < 200 ms", &edited(3, true, &|ws| drop(status::overview(&ws.view(), today).unwrap())));
    row!("check base + 98, one process", "goal < 50 ms", &each(5, &|ws| {
        std::hint::black_box(check_all(ws, today));
    }));
    row!("log --org 101, first page (50)", "goal < 50 ms", &each(7, &|ws| {
        history::log_page(&ws.view(), Some(kbh), None, None, 50).unwrap();
    }));
    row!("export pdf --org 101 (document_for)", "goal ≤ 1.5× fresh", &each(7, &|ws| {
        document_for(ws, Some(kbh), Lang::Da, today).unwrap();
    }));
    row!("diff --org 101 2025.1 now", "goal ≤ 1.5× fresh", &each(7, &|ws| {
        history::compare(&ws.view(), Some(kbh), &Point::Release("2025.1".into()), &Point::Now).unwrap();
    }));
    row!("show --org 101 --at mid-year", "goal ≤ 1.5× fresh", &each(7, &|ws| {
        history::dpia_at(&ws.view(), Some(kbh), &Point::Date(day_of_step(edits / 2, edits))).unwrap();
    }));

    // The whole log, streamed oldest first.
    for y in years[1..].iter().filter(|_| wanted("log --org 101, whole log")) {
        let ws = Workspace::open(&y.path, env()).unwrap();
        let t = Instant::now();
        let mut n = 0usize;
        history::for_each_entry(&ws.view(), Some(kbh), None, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
        println!("log --org 101, whole log streamed ({} edits): {n} entries in {:.1?}", y.edits, t.elapsed());
    }

    // Appending stays what it was: one durable row (now with its summary).
    for y in [&fresh, &year].into_iter().filter(|_| wanted("append one update")) {
        let mut ws = Workspace::open(&y.path, env()).unwrap();
        let risk = ws.view().base().unwrap().items.risks[0].id.clone();
        let author = Author::new("bench", None);
        let mut times = Vec::new();
        for i in 0..200 {
            let t = Instant::now();
            ws.edit(DocKey::Base, &author, |e| e.update::<Risk>(&risk, |r| r.title = format!("Fejlsendt besked {i}"))).unwrap();
            times.push(t.elapsed());
        }
        println!("append one update, durable, with its summary ({}): median of 200 {:.1?}", y.name, median(times));
    }
}
