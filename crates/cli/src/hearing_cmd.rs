//! `konsekvens comment …`, `konsekvens hearing …` and the høringsnotat export: translations
//! of `konsekvens_core::hearing`'s use cases. Who acts is `--org CODE` (a municipality) or
//! `--coordinator`; the person is `--name`, else KONSEKVENS_AUTHOR or the login name.

use crate::{open, paths, today, write_atomically, Failure, LangArg};
use clap::{Args, Subcommand};
use konsekvens_core::check::Lang;
use konsekvens_core::doc::Party;
use konsekvens_core::hearing::{self, Actor, Decision, Hearing, NewComment};
use konsekvens_core::model::hearing::{Outcome, Proposal, Target, Verdict};
use konsekvens_core::model::{Consequence, Day, ItemId, Likelihood, OrgCode, Worded};
use konsekvens_core::{DocKey, UserError, Workspace};
use serde_json::Value;
use std::path::PathBuf;

/// Who acts: a municipality or the coordinator.
#[derive(Args, Clone)]
#[command(group = clap::ArgGroup::new("party").required(true).args(["org", "coordinator"]))]
pub struct Who {
    /// Act as this municipality (its DPO or staff), e.g. 101
    #[arg(long)]
    org: Option<OrgCode>,
    /// Act as the coordinator
    #[arg(long)]
    coordinator: bool,
    /// The person acting (default: KONSEKVENS_AUTHOR or the login name); ignored when signed
    /// in with `konsekvens login` (then the signed-in person acts)
    #[arg(long)]
    name: Option<String>,
}

impl Who {
    fn actor(&self) -> Actor {
        let party = match self.org {
            Some(code) if !self.coordinator => Party::Org(code),
            _ => Party::Coordinator,
        };
        actor_named(self.name.clone(), party)
    }
}

#[derive(Subcommand)]
pub enum CommentCommand {
    /// A new comment (bemærkning) on an item of the base, of your own supplement, or on a
    /// release; with --round, part of your answer to a hearing round
    Add {
        path: PathBuf,
        #[command(flatten)]
        who: Who,
        /// The item: its reference (R5, KBH-M2) or id; without it, the DPIA as a whole
        #[arg(long)]
        item: Option<String>,
        /// A field of the item, e.g. inherent.confidentiality (one rating); without --item, a
        /// section commented as an item of its own — description, wp248, prior_consultation,
        /// review_plan — or one part of it, e.g. description.retention, wp248.large_scale
        #[arg(long, default_value = "")]
        field: String,
        /// The item is in your supplement (the thread is then seen only by you and the coordinator)
        #[arg(long)]
        supplement: bool,
        /// A release commented as a whole
        #[arg(long)]
        release: Option<String>,
        /// The hearing round the comment belongs to
        #[arg(long)]
        round: Option<u32>,
        #[arg(long)]
        text: String,
        /// A proposed value («forslag»): FIELD=VALUE, e.g. inherent.confidentiality.likelihood=forventet,
        /// or for a section description.retention=TEXT, wp248.large_scale.met=true
        #[arg(long)]
        propose: Option<String>,
        /// An objection (indsigelse): you cannot accept the item as it stands
        #[arg(long)]
        objection: bool,
    },
    /// A reply in a comment's thread
    Reply {
        path: PathBuf,
        #[command(flatten)]
        who: Who,
        /// The comment replied to, e.g. 101/b-…
        #[arg(long)]
        to: String,
        #[arg(long)]
        text: String,
    },
    /// A new text for your own comment (the earlier text is kept)
    Edit {
        path: PathBuf,
        #[command(flatten)]
        who: Who,
        #[arg(long = "ref")]
        reference: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        propose: Option<String>,
    },
    /// Resolve a thread (or reopen it with --reopen): its writer or the coordinator
    Resolve {
        path: PathBuf,
        #[command(flatten)]
        who: Who,
        #[arg(long = "ref")]
        reference: String,
        #[arg(long)]
        reopen: bool,
    },
    /// The threads you can see: open ones only with --open; of one item or municipality
    List {
        path: PathBuf,
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        open: bool,
        /// Only threads on this item (reference or id)
        #[arg(long)]
        item: Option<String>,
        /// Only threads opened by this municipality
        #[arg(long)]
        from: Option<OrgCode>,
    },
}

#[derive(Subcommand)]
pub enum HearingCommand {
    /// Open a hearing round on the base as it stands (frozen as a draft release), with a deadline
    Open {
        path: PathBuf,
        /// The draft's name, e.g. 2026.1-udkast
        #[arg(long)]
        draft: String,
        /// The last day answers are taken, e.g. 2026-12-18
        #[arg(long)]
        deadline: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// A municipality's answer to a round, signed off by its DPO (revisable until the deadline)
    Answer {
        path: PathBuf,
        #[arg(long)]
        org: OrgCode,
        #[arg(long)]
        round: u32,
        /// tiltraeder, bemaerkninger (tiltræder med bemærkninger) or kan-ikke (kan ikke tiltræde)
        #[arg(long)]
        verdict: String,
        /// The DPO who signs the answer off; when signed in with `konsekvens login`, the
        /// signed-in person signs it off (and this is ignored)
        #[arg(long)]
        dpo: Option<String>,
        /// The DPO's date (default: today)
        #[arg(long)]
        dpo_date: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// The coordinator's answer to a comment: indarbejdet, delvist or ikke, with a reason;
    /// --accept writes its «forslag» into the base, --decline declines it
    Respond {
        path: PathBuf,
        /// The comment, e.g. 101/b-…
        #[arg(long)]
        comment: String,
        #[arg(long)]
        outcome: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long, conflicts_with = "decline")]
        accept: bool,
        #[arg(long)]
        decline: bool,
        #[arg(long)]
        name: Option<String>,
    },
    /// Close a round: every comment answered, the release published and recorded with the round
    Close {
        path: PathBuf,
        #[arg(long)]
        round: u32,
        /// The release to publish, e.g. 2026.1
        #[arg(long)]
        release: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Where a round stands: who answered what, open objections, unanswered and recurring comments
    Status {
        path: PathBuf,
        /// The round (default: the latest)
        #[arg(long)]
        round: Option<u32>,
    },
}

/// `export hearing-notat` and `export hearing-answer`.
#[derive(Args)]
pub struct NotatArgs {
    path: PathBuf,
    #[arg(long)]
    round: u32,
    /// A municipality's own answer instead of the høringsnotat (`hearing-answer`)
    #[arg(skip)]
    pub(crate) org: Option<OrgCode>,
    /// .pdf or .docx (Word), by its extension
    #[arg(long)]
    out: PathBuf,
    #[arg(skip)]
    pub(crate) lang: LangArg,
}

#[derive(Args)]
pub struct AnswerDocArgs {
    #[command(flatten)]
    pub(crate) notat: NotatArgs,
    #[arg(long)]
    pub(crate) org: OrgCode,
}

fn problem(e: impl Into<UserError>) -> Failure {
    Failure::Problem(e.into())
}

fn bad_value(what: &str, value: &str, da_hint: &str, en_hint: &str) -> Failure {
    Failure::Input(UserError::new("K-KALD", format!("Ugyldig {what}: «{value}». {da_hint}"), format!("Invalid {what}: «{value}». {en_hint}")).about(value))
}

fn day(s: &str) -> Result<Day, Failure> {
    Day::parse(s.trim()).map_err(|_| bad_value("dato", s, "Skriv den som ÅÅÅÅ-MM-DD.", "Write it as YYYY-MM-DD."))
}

/// The id of the item named by reference or id, in the base or in `supplement`.
fn item_id(ws: &Workspace, item: &str, supplement: Option<OrgCode>) -> Result<ItemId, Failure> {
    let doc = match supplement {
        Some(code) => DocKey::Supplement(code),
        None => DocKey::Base,
    };
    let json = konsekvens_core::history::read_doc(ws.doc(doc)?).map_err(|e| problem(UserError::from(e)))?;
    fn find(v: &Value, key: &str, want: &str) -> Option<String> {
        match v {
            Value::Object(o) => {
                if o.get(key).and_then(Value::as_str) == Some(want) {
                    return o.get("id").and_then(Value::as_str).map(str::to_owned);
                }
                o.values().find_map(|x| find(x, key, want))
            }
            Value::Array(a) => a.iter().find_map(|x| find(x, key, want)),
            _ => None,
        }
    }
    find(&json, "reference", item)
        .or_else(|| find(&json, "id", item))
        .map(ItemId)
        .ok_or_else(|| problem(UserError::new("K-HOER-PUNKT", format!("Intet punkt «{item}» i {doc}"), format!("Nothing «{item}» in {doc}")).about(item)))
}

/// `FIELD=VALUE`: the value as JSON when it reads as JSON, a scale's Danish or English word
/// as its key, else as text.
fn proposal(s: &str) -> Result<Proposal, Failure> {
    let (field, value) = s.split_once('=').ok_or_else(|| bad_value("forslag", s, "Skriv FELT=VÆRDI.", "Write FIELD=VALUE."))?;
    let value = value.trim();
    fn word<W: Worded>(value: &str) -> Option<String> {
        W::all().iter().find(|w| w.danish().eq_ignore_ascii_case(value) || w.english().eq_ignore_ascii_case(value)).map(|w| w.key())
    }
    let json = word::<Likelihood>(value)
        .or_else(|| word::<Consequence>(value))
        .map(Value::String)
        .or_else(|| serde_json::from_str::<Value>(value).ok())
        .unwrap_or_else(|| Value::String(value.to_owned()));
    Ok(Proposal { field: field.trim().to_owned(), value: json })
}

pub fn comment(cmd: CommentCommand) -> Result<(), Failure> {
    match cmd {
        CommentCommand::Add { path, who, item, field, supplement, release, round, text, propose, objection } => {
            let mut ws = open(&path)?;
            let actor = who.actor();
            let supplement = match (supplement, actor.party) {
                (false, _) => None,
                (true, Party::Org(code)) => Some(code),
                (true, Party::Coordinator) => who.org,
            };
            let item = item.map(|i| item_id(&ws, &i, supplement)).transpose()?;
            let target = Target { supplement, release, item, field, ..Target::default() };
            let proposal = propose.as_deref().map(proposal).transpose()?;
            let reference = hearing::add_comment(&mut ws, &actor, NewComment { target, round, text, proposal, objection }).map_err(problem)?;
            println!("{reference}");
        }
        CommentCommand::Reply { path, who, to, text } => {
            let mut ws = open(&path)?;
            println!("{}", hearing::reply(&mut ws, &who.actor(), &to, &text).map_err(problem)?);
        }
        CommentCommand::Edit { path, who, reference, text, propose } => {
            let mut ws = open(&path)?;
            let proposal = propose.as_deref().map(proposal).transpose()?;
            hearing::revise(&mut ws, &who.actor(), &reference, &text, proposal).map_err(problem)?;
            eprintln!("Bemærkning {reference} er rettet; den tidligere tekst er gemt");
        }
        CommentCommand::Resolve { path, who, reference, reopen } => {
            let mut ws = open(&path)?;
            hearing::set_resolved(&mut ws, &who.actor(), &reference, !reopen).map_err(problem)?;
            eprintln!("Tråden {reference} er {}", if reopen { "genåbnet" } else { "afsluttet" });
        }
        CommentCommand::List { path, who, open: only_open, item, from } => {
            let ws = open(&path)?;
            let actor = who.actor();
            let item = item.map(|i| item_id(&ws, &i, None).unwrap_or(ItemId(i)));
            let h = Hearing::read(&ws.view(), actor.party).map_err(problem)?;
            for t in h.threads() {
                let c = &t.opening.comment;
                if (only_open && t.resolved) || from.is_some_and(|f| t.opening.by != Party::Org(f)) || item.as_ref().is_some_and(|i| c.target.item.as_ref() != Some(i)) {
                    continue;
                }
                let state = if t.resolved { "afsluttet" } else { "åben" };
                let round = c.round.map(|n| format!(" · runde {n}")).unwrap_or_default();
                let kind = if c.objection { " · INDSIGELSE" } else { "" };
                println!("{} [{state}{round}{kind}] {} — {} ({}): {}", t.opening.reference, hearing::target_label(&c.target), t.opening.by, c.author, c.text);
                if let Some(p) = &c.proposal {
                    println!("    forslag: {} = {}", p.field, p.value);
                }
                for r in &t.replies {
                    println!("    ↳ {} {} ({}): {}", r.reference, r.by, r.comment.author, r.comment.text);
                }
                if let Some(r) = t.response {
                    println!("    svar: {} — {}", r.outcome.danish(), r.reason);
                }
            }
            for bad in &h.unreadable {
                eprintln!("[K-HOER-ULAESELIG] sprunget over: {bad}");
            }
        }
    }
    Ok(())
}

/// The person acting: when signed in, the signed-in person (not a name typed in).
fn actor_named(name: Option<String>, party: Party) -> Actor {
    if let Some(c) = crate::login_cmd::signed_in() {
        if name.as_deref().is_some_and(|n| n != c.person()) {
            eprintln!("--name bruges ikke: du er logget ind som {} (--name is ignored when signed in)", c.person());
        }
        return Actor::new(c.person(), party);
    }
    Actor::new(name.unwrap_or_else(|| crate::local_author().name), party)
}

/// Who signs a round answer off: when signed in, the signed-in person — the name their
/// provider vouched for, which the høringsnotat prints — not a name typed in; else `--dpo`.
fn signing_off(dpo: Option<String>) -> Result<String, Failure> {
    if let Some(c) = crate::login_cmd::signed_in() {
        if dpo.as_deref().is_some_and(|d| d.trim() != c.person()) {
            eprintln!("--dpo bruges ikke: du er logget ind som {}, som godkender svaret (--dpo is ignored when signed in)", c.person());
        }
        return Ok(c.person());
    }
    match dpo.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()) {
        Some(d) => Ok(d),
        None => Err(Failure::Input(UserError::new(
            "K-KALD",
            "Angiv --dpo (databeskyttelsesrådgiveren, der godkender svaret), eller log ind med konsekvens login",
            "Give --dpo (the DPO who signs the answer off), or sign in with konsekvens login",
        ))),
    }
}

pub fn run(cmd: HearingCommand) -> Result<(), Failure> {
    match cmd {
        HearingCommand::Open { path, draft, deadline, note, name } => {
            let deadline = day(&deadline)?;
            let mut ws = open(&path)?;
            let round = hearing::open_round(&mut ws, &actor_named(name, Party::Coordinator), &draft, deadline, &note).map_err(problem)?;
            println!("{}", round.number);
            eprintln!(
                "Høringsrunde {} er åbnet på udkastet {} (SHA-256 {}); svarfrist {}",
                round.number,
                round.draft.name,
                round.draft.content_hash,
                round.deadline.danish()
            );
        }
        HearingCommand::Answer { path, org, round, verdict, dpo, dpo_date, note, name } => {
            let verdict = Verdict::parse(&verdict)
                .ok_or_else(|| bad_value("afgørelse", &verdict, "Vælg tiltraeder, bemaerkninger eller kan-ikke.", "Choose tiltraeder, bemaerkninger or kan-ikke."))?;
            let dpo_date = dpo_date.as_deref().map(day).transpose()?.unwrap_or_else(today);
            let dpo = signing_off(dpo)?;
            let mut ws = open(&path)?;
            let answer = hearing::answer_round(&mut ws, &actor_named(name, Party::Org(org)), round, verdict, &note, &dpo, dpo_date).map_err(problem)?;
            eprintln!("{org} har svaret på høringsrunde {round}: {} (godkendt af {}, {})", answer.verdict.danish(), answer.dpo, answer.dpo_date.danish());
        }
        HearingCommand::Respond { path, comment, outcome, reason, accept, decline, name } => {
            let outcome = Outcome::parse(&outcome)
                .ok_or_else(|| bad_value("udfald", &outcome, "Vælg indarbejdet, delvist eller ikke.", "Choose indarbejdet, delvist or ikke."))?;
            let decision = if accept { Some(Decision::Accept) } else if decline { Some(Decision::Decline) } else { None };
            let mut ws = open(&path)?;
            let r = hearing::respond(&mut ws, &actor_named(name, Party::Coordinator), &comment, outcome, &reason, decision).map_err(problem)?;
            eprintln!("Svar på {comment}: {}", r.outcome.danish());
            if let Some(konsekvens_core::model::hearing::ProposalDecision::Accepted { field, before, after, seq, .. }) = &r.proposal {
                eprintln!("Forslaget er skrevet i basis: {field} {before} → {after} (ændring #{seq})");
            }
        }
        HearingCommand::Close { path, round, release, note, name } => {
            let mut ws = open(&path)?;
            let r = hearing::close_round(&mut ws, &actor_named(name, Party::Coordinator), round, &release, &note).map_err(problem)?;
            eprintln!("Høringsrunde {round} er afsluttet; udgivelse {} er publiceret", r.closed.map(|c| c.release).unwrap_or_default());
        }
        HearingCommand::Status { path, round } => {
            let ws = open(&path)?;
            let view = ws.view();
            let h = Hearing::read(&view, Party::Coordinator).map_err(problem)?;
            let number = round.or_else(|| h.rounds.last().map(|r| r.number)).ok_or_else(|| {
                problem(UserError::new("K-HOER-RUNDE", "Der er ingen høringsrunder endnu", "There are no hearing rounds yet"))
            })?;
            let participants = view.coordination()?.participants;
            let s = h.status(number, &participants).map_err(problem)?;
            print!("{}", render_status(&s));
        }
    }
    Ok(())
}

/// The round as the coordinator's overview shows it.
pub fn render_status(s: &hearing::RoundStatus) -> String {
    let r = &s.round;
    let mut out = format!(
        "Høringsrunde {} · udkast {} · frist {} · {}\n",
        r.number,
        r.draft.name,
        r.deadline.danish(),
        match &r.closed {
            Some(c) => format!("afsluttet med udgivelse {}", c.release),
            None => "åben".into(),
        }
    );
    for p in &s.participants {
        let verdict = p.answer.as_ref().map(|a| format!("{} (DPO {}, {})", a.verdict.danish(), a.dpo, a.dpo_date.danish())).unwrap_or_else(|| "har ikke svaret".into());
        out.push_str(&format!("  {} {}: {verdict}; {} bemærkning(er), {} åben(e) indsigelse(r)\n", p.code, p.name, p.comments, p.open_objections));
    }
    if !s.unanswered.is_empty() {
        out.push_str(&format!("  Ubesvarede bemærkninger: {}\n", s.unanswered.join(", ")));
    }
    for rec in &s.recurring {
        let orgs: Vec<String> = rec.orgs.iter().map(|o| o.to_string()).collect();
        out.push_str(&format!("  Går igen: {} {} (kommuner {})\n", rec.reference, rec.field, orgs.join(", ")));
    }
    out
}

pub fn export(a: NotatArgs) -> Result<(), Failure> {
    paths::refuse_onto(&a.out, &paths::workspace_files(&a.path))?;
    let ws = open(&a.path)?;
    let lang: Lang = a.lang.into();
    let report = match a.org {
        Some(org) => konsekvens_core::report::hearing_answer(&ws.view(), a.round, org, lang, today()),
        None => konsekvens_core::report::hearing_notat(&ws.view(), a.round, lang, today()),
    }
    .map_err(problem)?;
    let word = a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    let bytes = if word {
        konsekvens_exchange::docx::render_report(&report).map_err(problem)?
    } else {
        konsekvens_pdf::render_report(&report).map_err(problem)?
    };
    write_atomically(&a.out, &bytes)?;
    eprintln!("Skrev {} ({} KiB)", a.out.display(), bytes.len() / 1024);
    Ok(())
}

/// The høring in the overview: the latest round as the coordinator sees it (who answered
/// what, open objections, recurring comments); with `org`, that municipality's own comments
/// of every round and the coordinator's answers.
pub fn overview(ws: &Workspace, org: Option<OrgCode>) -> Result<String, Failure> {
    let view = ws.view();
    let viewer = org.map_or(Party::Coordinator, Party::Org);
    let h = Hearing::read(&view, viewer).map_err(problem)?;
    let Some(latest) = h.rounds.last() else { return Ok(String::new()) };
    let mut out = String::from("\nHøring\n");
    out.push_str(&render_status(&h.status(latest.number, &view.coordination()?.participants).map_err(problem)?));
    if let Some(code) = org {
        for round in &h.rounds {
            for t in h.round_comments(round.number).iter().filter(|t| t.opening.by == Party::Org(code)) {
                let answer = match t.response {
                    Some(r) => format!("{} — {}", r.outcome.danish(), r.reason),
                    None => "endnu ikke besvaret".into(),
                };
                out.push_str(&format!(
                    "  Jeres bemærkning {} (runde {}, {}): {}\n    koordinatorens svar: {answer}\n",
                    t.opening.reference,
                    round.number,
                    hearing::target_label(&t.opening.comment.target),
                    t.opening.comment.text
                ));
            }
        }
    }
    Ok(out)
}

/// The latest round's status, as the coordinator sees it (`status --json`).
pub fn latest_round(ws: &Workspace) -> Result<Option<hearing::RoundStatus>, Failure> {
    let view = ws.view();
    let h = Hearing::read(&view, Party::Coordinator).map_err(problem)?;
    let Some(latest) = h.rounds.last() else { return Ok(None) };
    Ok(Some(h.status(latest.number, &view.coordination()?.participants).map_err(problem)?))
}
