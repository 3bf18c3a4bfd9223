//! Versions of a joint DPIA: `konsekvens release …`, `diff`, `log`, `review`, `status`.

use crate::{author, open, today, Failure, LangArg};
use clap::{Args, Subcommand};
use konsekvens_core::history::{self, Point};
use konsekvens_core::model::{Day, OrgCode, Reference};
use konsekvens_core::{diff, env::format_millis, status, DocKey, UserError};
use konsekvens_hub::printable;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Publish the working base as a release (coordinator). With --hub, syncs first and
    /// after, and refuses while the hub cannot be reached
    Publish {
        path: PathBuf,
        /// e.g. 2026.1; a name is published once
        #[arg(long)]
        name: String,
        /// The release's date (default: today)
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// Publish through this hub (ws://…); the token from --token or KONSEKVENS_TOKEN
        #[arg(long, requires = "token")]
        hub: Option<String>,
        #[arg(long, env = "KONSEKVENS_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// The releases, oldest first, with their content hashes
    List { path: PathBuf },
    /// A municipality confirms that its supplement is assessed against a release
    Confirm {
        path: PathBuf,
        #[arg(long)]
        org: OrgCode,
        #[arg(long)]
        name: String,
    },
}

#[derive(Args)]
pub struct DiffArgs {
    path: PathBuf,
    /// now, a release (2025.1), a date (2026-11-01) or a log position (#123)
    // Points are parsed by `run`, so a bad one is refused with its code in the user's language.
    #[arg(long)]
    from: String,
    #[arg(long, default_value = "now")]
    to: String,
    /// Compare the municipality's effective DPIA; without it, the base
    #[arg(long)]
    org: Option<OrgCode>,
    #[arg(long)]
    json: bool,
    /// The global `--lang`, set by `run`.
    #[arg(skip)]
    pub(crate) lang: LangArg,
}

#[derive(Args)]
pub struct LogArgs {
    path: PathBuf,
    /// Include this municipality's supplement (the base and coordination are always shown)
    #[arg(long)]
    org: Option<OrgCode>,
    /// Only changes to the item with this reference (e.g. R5)
    #[arg(long)]
    item: Option<String>,
    #[arg(long)]
    json: bool,
    /// Only the newest N changes, newest first (a page; the whole log otherwise, oldest first)
    #[arg(long)]
    limit: Option<usize>,
    /// With --limit: the page before this log position (#123 or 123), as the previous page's last line says
    #[arg(long, value_parser = parse_seq, requires = "limit")]
    before: Option<i64>,
}

fn parse_seq(s: &str) -> Result<i64, String> {
    s.trim().trim_start_matches('#').parse().map_err(|_| format!("«{s}» er ikke en logposition (fx #123) / not a log position"))
}

#[derive(Args)]
pub struct RestoreArgs {
    path: PathBuf,
    /// The document: base, coordination or supplement/101
    #[arg(long, default_value = "base", value_parser = parse_doc)]
    doc: DocKey,
    /// The earlier point: a log position (#123, see `konsekvens log`), a date (2026-11-01) or,
    /// for the base, a release (2025.1)
    #[arg(long)]
    to: String,
    /// Restore through this hub (ws://…): sync first (so what others wrote since is taken
    /// into account), then restore, then sync again; the token from --token or
    /// KONSEKVENS_TOKEN. The hub takes the restoration only from a token that may write
    /// the document
    #[arg(long, requires = "token")]
    hub: Option<String>,
    #[arg(long, env = "KONSEKVENS_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[arg(long)]
    json: bool,
}

pub(crate) fn parse_doc(s: &str) -> Result<DocKey, String> {
    DocKey::parse(s).map_err(|e| e.to_string())
}

#[derive(Args)]
pub struct ReviewArgs {
    path: PathBuf,
    #[arg(long)]
    org: Option<OrgCode>,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct StatusArgs {
    path: PathBuf,
    #[arg(long)]
    json: bool,
    /// As this municipality: its own comments in the hearing rounds and what became of them
    #[arg(long)]
    org: Option<OrgCode>,
}

fn json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("serialises"));
}

fn point(s: &str) -> Result<Point, Failure> {
    konsekvens_core::error::parse_point(s).map_err(Failure::Input)
}

fn date(s: Option<String>) -> Result<Day, Failure> {
    match s {
        Some(s) => konsekvens_core::error::parse_day(&s).map_err(Failure::Input),
        None => Ok(today()),
    }
}

/// What a sync round around a publication or restoration is called when it fails: its
/// codes, and when it ran, in Danish and English.
struct Round {
    failed: &'static str,
    refused: &'static str,
    lead: (&'static str, &'static str),
    when: (&'static str, &'static str),
}

const BEFORE_RELEASE: Round = Round { failed: "K-UDG-SYNC", refused: "K-UDG-AFVIST", lead: ("udgivelsen er ikke sket: ", "the release was not made: "), when: ("før udgivelsen", "before the release") };
const AFTER_RELEASE: Round = Round {
    when: ("efter udgivelsen (udgivelsen ligger lokalt og sendes ved næste synkronisering)", "after the release (it is kept locally and sent at the next sync)"),
    lead: ("", ""),
    ..BEFORE_RELEASE
};
const BEFORE_RESTORE: Round = Round { failed: "K-RESTORE-SYNC", refused: "K-RESTORE-REFUSED", lead: ("", ""), when: ("før gendannelsen (intet er gendannet)", "before the restoration (nothing was restored)") };
const AFTER_RESTORE: Round = Round {
    when: ("efter gendannelsen (den ligger lokalt og sendes ved næste synkronisering)", "after the restoration (it is kept locally and sent at the next sync)"),
    ..BEFORE_RESTORE
};

/// One sync round that must reach the hub and be accepted by it.
async fn sync_round(ws: &mut konsekvens_core::Workspace, hub: &str, token: &str, r: &Round) -> Result<(), Failure> {
    let report = konsekvens_hub::sync_once(ws, hub, token).await.map_err(|e| {
        let e = UserError::from(e);
        Failure::Problem(UserError::new(
            r.failed,
            format!("{}synkronisering {} mislykkedes ({}); prøv igen, når hubben kan nås", r.lead.0, r.when.0, printable(&e.da)),
            format!("{}the sync {} failed ({}); try again when the hub can be reached", r.lead.1, r.when.1, printable(&e.en)),
        ))
    })?;
    if let Some((key, reason)) = report.refused().next() {
        let reason = printable(reason);
        let (da, en) = (format!("hubben afviste {key} {}: {reason}", r.when.0), format!("the hub refused {key} {}: {reason}", r.when.1));
        return Err(Failure::Problem(UserError::new(r.refused, da, en)));
    }
    Ok(())
}

pub fn release(cmd: ReleaseCommand) -> Result<(), Failure> {
    match cmd {
        ReleaseCommand::Publish { path, name, date: d, note, hub, token } => {
            let mut ws = open(&path)?;
            let day = date(d)?;
            let release = match (hub, token) {
                (Some(hub), Some(token)) => {
                    // Publish against the newest base and releases, so two coordinators do
                    // not publish over each other, and hand the release over at once.
                    let rt = crate::hub_cmd::runtime()?;
                    rt.block_on(sync_round(&mut ws, &hub, &token, &BEFORE_RELEASE))?;
                    let release = ws.publish_release(&name, day, &note, &author())?;
                    rt.block_on(sync_round(&mut ws, &hub, &token, &AFTER_RELEASE))?;
                    release
                }
                _ => ws.publish_release(&name, day, &note, &author())?,
            };
            println!("Udgav {} ({}), SHA-256 {}", release.name, day.danish(), release.content_hash);
        }
        ReleaseCommand::List { path } => {
            for r in open(&path)?.view().coordination()?.releases {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    r.name,
                    r.date.map(|d| d.to_string()).unwrap_or_default(),
                    r.content_hash,
                    r.published_by,
                    r.note
                );
            }
        }
        ReleaseCommand::Confirm { path, org, name } => {
            let mut ws = open(&path)?;
            ws.bind_release(org, &name, &author())?;
            eprintln!("Tillægget for {org} er nu vurderet mod udgivelse {name}");
            // What became of the municipality's own comments in the round the release followed.
            let after = konsekvens_core::hearing::after_own_comments(&ws.view(), org, &name).map_err(Failure::problem)?;
            if !after.is_empty() {
                println!("Jeres bemærkninger i høringen før {name}:");
            }
            for a in &after {
                let answer = a.response.as_ref().map(|r| format!("{} — {}", r.outcome.danish(), r.reason)).unwrap_or_else(|| "ikke besvaret".into());
                println!("  {} ({}): {}\n    svar: {answer}", a.reference, a.target, a.text);
                for f in &a.changed {
                    println!("    ændret: {} {} → {}", f.path, f.before, f.after);
                }
            }
        }
    }
    Ok(())
}

pub fn diff(a: DiffArgs) -> Result<(), Failure> {
    let (from, to) = (point(&a.from)?, point(&a.to)?);
    let ws = open(&a.path)?;
    let comparison = history::compare(&ws.view(), a.org, &from, &to)?;
    if a.json {
        json(&comparison);
    } else {
        print!("{}", diff::render(&comparison, matches!(a.lang, LangArg::En)));
    }
    Ok(())
}

pub fn log(a: LogArgs) -> Result<(), Failure> {
    use std::io::Write;
    let ws = open(&a.path)?;
    let view = ws.view();
    let item = a.item.map(Reference);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let print = |out: &mut dyn Write, e: &history::LogEntry| -> std::io::Result<()> {
        let org = e.org.map(|o| format!(" ({o})")).unwrap_or_default();
        // Who wrote it, as the hub attributes it (a synced change's author is the hub).
        let by = if e.by.is_empty() {
            String::new()
        } else {
            format!(" — skrevet af {}", e.by.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        };
        writeln!(out, "#{} {} {}{} i {}{by}", e.seq, format_millis(e.at_millis), e.author, org, e.doc)?;
        for line in history::summary(&e.changes) {
            writeln!(out, "    {line}")?;
        }
        Ok(())
    };
    let io = |e: std::io::Error| Failure::Problem(UserError::new("K-UDSKRIFT", format!("kan ikke skrive loggen: {e}"), format!("cannot write the log: {e}")));
    if let Some(limit) = a.limit {
        // One page, newest first, read from the stored history alone.
        let page = history::log_page(&view, a.org, item.as_ref(), a.before, limit)?;
        if a.json {
            json(&page);
            return Ok(());
        }
        for e in &page.entries {
            print(&mut out, e).map_err(io)?;
        }
        if let Some(next) = page.next_before {
            writeln!(out, "(ældre ændringer: --limit {limit} --before #{next})").map_err(io)?;
        }
        return out.flush().map_err(io);
    }
    // The whole log, oldest first, streamed: one page in memory at a time.
    let mut first = true;
    if a.json {
        write!(out, "[").map_err(io)?;
    }
    history::for_each_entry(&view, a.org, item.as_ref(), |e| {
        let written = if a.json {
            let sep = if first { "\n  " } else { ",\n  " };
            write!(out, "{sep}{}", serde_json::to_string(&e).expect("an entry serialises"))
        } else {
            print(&mut out, &e)
        };
        first = false;
        written.map_err(|e| konsekvens_core::WorkspaceError::Io { path: a.path.clone(), source: e })
    })?;
    if a.json {
        writeln!(out, "{}]", if first { "" } else { "\n" }).map_err(io)?;
    }
    out.flush().map_err(io)
}

pub fn review(a: ReviewArgs) -> Result<(), Failure> {
    let ws = open(&a.path)?;
    let view = ws.view();
    let status = konsekvens_core::check::review_status(&view, a.org)?;
    let next = view.effective_or_base(a.org)?.review_plan.next_review;
    if a.json {
        json(&serde_json::json!({ "last_review": status.last_review, "next_review": next, "triggers": status.triggers }));
        return Ok(());
    }
    println!("Sidste revision: {}", status.last_review.map(|d| d.danish()).unwrap_or_else(|| "ingen registreret".into()));
    println!("Næste planlagte revision: {}", next.map(|d| d.danish()).unwrap_or_else(|| "ingen dato".into()));
    if status.triggers.is_empty() {
        println!("Ingen ændringer siden sidste revision kræver en ny.");
    } else {
        println!("Revision påkrævet (art. 35, stk. 11) på grund af:");
        for t in &status.triggers {
            println!("  - {}", t.da);
        }
    }
    Ok(())
}

pub fn status(a: StatusArgs) -> Result<(), Failure> {
    let overview = status::overview(&open(&a.path)?.view(), today())?;
    if a.json {
        // The overview's JSON, with the latest hearing round added under «hearing» (absent
        // when there is none).
        let mut value = serde_json::to_value(&overview).expect("serialises");
        if let Some(round) = crate::hearing_cmd::latest_round(&open(&a.path)?)? {
            let mut round = serde_json::to_value(&round).expect("serialises");
            // The draft's fingerprint is enough here; its content is the whole base.
            if let Some(draft) = round["round"]["draft"].as_object_mut() {
                draft.remove("content");
            }
            value["hearing"] = round;
        }
        json(&value);
    } else {
        print!("{}", status::render(&overview));
        print!("{}", crate::hearing_cmd::overview(&open(&a.path)?, a.org)?);
    }
    Ok(())
}

pub fn restore(a: RestoreArgs) -> Result<(), Failure> {
    let to = point(&a.to)?;
    let mut ws = open(&a.path)?;
    let report = match (&a.hub, &a.token) {
        (Some(hub), Some(token)) => {
            let rt = crate::hub_cmd::runtime()?;
            rt.block_on(sync_round(&mut ws, hub, token, &BEFORE_RESTORE))?;
            let report = ws.restore(a.doc, &to, &author())?;
            if !report.is_empty() {
                if let Err(e) = rt.block_on(sync_round(&mut ws, hub, token, &AFTER_RESTORE)) {
                    print!("{}", report.render());
                    return Err(e);
                }
            }
            report
        }
        _ => ws.restore(a.doc, &to, &author())?,
    };
    if a.json {
        json(&report);
    } else {
        print!("{}", report.render());
    }
    Ok(())
}
