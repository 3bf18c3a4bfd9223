//! The høring in the app (issue #18): comments (bemærkninger) with their «forslag», threads,
//! hearing rounds and the høringsnotat — thin commands over `konsekvens_core::hearing`, the
//! same use cases as `konsekvens comment|hearing|export hearing-notat`. Who acts is the
//! user's settings: a municipality code, or none for the coordinator (KL/KOMBIT).

use crate::commands::{today, user, write_atomically, Exported};
use crate::guard;
use crate::session::{AppState, Settings};
use konsekvens_core::check::Lang;
use konsekvens_core::doc::Party;
use konsekvens_core::error::parse_day;
use konsekvens_core::hearing::{self, Actor, Decision, Hearing, NewComment, Posted};
use konsekvens_core::model::hearing::{Outcome, Proposal, ProposalDecision, Target, Verdict};
use konsekvens_core::model::{ItemId, OrgCode};
use konsekvens_core::UserError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;
use std::path::Path;
use tauri::State;

fn party(settings: &Settings) -> Party {
    settings.org.map_or(Party::Coordinator, |c| Party::Org(OrgCode(c)))
}

fn actor(settings: &Settings) -> Actor {
    Actor::new(settings.author().name, party(settings))
}

/// One comment or reply, as the webview shows it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CommentView {
    /// `101/b-…`: the writer and the comment's id.
    pub reference: String,
    /// `coordinator` or the municipality code.
    pub by: String,
    pub author: String,
    pub text: String,
    pub written_at: i64,
    pub objection: bool,
    /// The «forslag»: a field path of the item and the proposed value.
    pub proposal: Option<ProposalView>,
    /// How many earlier versions the comment has.
    pub revisions: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ProposalView {
    pub field: String,
    pub value: Value,
    /// The field's value in the working base now (what the «forslag» is shown against).
    pub current: Value,
}

/// What a thread is about.
#[derive(Debug, Clone, Serialize, Type)]
pub struct TargetView {
    /// The item's id; `None`: a release or the DPIA as a whole.
    pub item: Option<String>,
    pub reference: String,
    pub field: String,
    pub release: Option<String>,
    /// The supplement whose private threads hold it (visible to it and the coordinator).
    pub supplement: Option<u16>,
    /// «R6 · inherent.confidentiality», «udgivelse 2025.1».
    pub label: String,
}

/// The coordinator's answer to a thread's opening comment.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ResponseView {
    /// `taken_into_account`, `partly`, `not_taken`.
    pub outcome: String,
    pub reason: String,
    /// `accepted`, `declined` or `None` (the comment had no «forslag», or it was not decided).
    pub proposal: Option<String>,
    /// An accepted «forslag»: the base's log position of the change it became, and the
    /// field's value before it (the «forslag» is shown against that once accepted).
    pub change_seq: Option<i64>,
    pub accepted_before: Option<Value>,
    pub by: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ThreadView {
    pub target: TargetView,
    pub round: Option<u32>,
    pub opening: CommentView,
    pub replies: Vec<CommentView>,
    pub resolved: bool,
    pub response: Option<ResponseView>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RoundView {
    pub number: u32,
    pub draft: String,
    pub deadline: String,
    pub note: String,
    pub opened_by: String,
    /// The release published after it, once closed.
    pub release: Option<String>,
    /// Answers and round comments are still taken (open and not past the deadline).
    pub taking_answers: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AnswerView {
    /// `agrees`, `agrees_with_remarks`, `cannot_agree`.
    pub verdict: String,
    pub note: String,
    pub dpo: String,
    pub dpo_date: String,
    pub by: String,
    pub answered_at: i64,
    pub revisions: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ParticipantRoundView {
    pub code: u16,
    pub name: String,
    pub answer: Option<AnswerView>,
    pub comments: u32,
    pub open_objections: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct RecurringView {
    pub reference: String,
    pub field: String,
    pub orgs: Vec<u16>,
}

/// Where a round stands.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RoundStatusView {
    pub round: RoundView,
    pub participants: Vec<ParticipantRoundView>,
    /// Opening comments of the round the coordinator has not answered.
    pub unanswered: Vec<String>,
    pub recurring: Vec<RecurringView>,
}

/// What became of one of the user's comments in the round a release followed.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AfterView {
    pub release: String,
    pub reference: String,
    pub target: String,
    pub text: String,
    pub response: Option<ResponseView>,
    /// The commented item's fields that differ between the draft and the release:
    /// (path, before, after) as text.
    pub changed: Vec<(String, String, String)>,
}

/// The høring as the user sees it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct HearingView {
    /// Who the user acts as: `coordinator` or the municipality code.
    pub me: String,
    pub threads: Vec<ThreadView>,
    pub rounds: Vec<RoundView>,
    /// Per round, newest first.
    pub status: Vec<RoundStatusView>,
    /// The user's municipality: what became of its comments behind each release.
    pub after: Vec<AfterView>,
    /// Records that do not read as the model (a damaged or hostile copy), named and skipped.
    pub unreadable: Vec<String>,
}

fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, k| v.get(k))
}

fn find_item<'v>(value: &'v Value, id: &str) -> Option<&'v Value> {
    match value {
        Value::Object(o) => {
            if o.get("id").and_then(Value::as_str) == Some(id) {
                return Some(value);
            }
            o.values().find_map(|v| find_item(v, id))
        }
        Value::Array(a) => a.iter().find_map(|v| find_item(v, id)),
        _ => None,
    }
}

fn comment_view(p: &Posted, base: &Value) -> CommentView {
    let c = &p.comment;
    let proposal = c.proposal.as_ref().map(|pr| {
        // A part of a section is a path from the base's root; an item's field, from the item.
        let current = match &c.target.item {
            Some(id) => find_item(base, &id.0).and_then(|i| at_path(i, &pr.field)),
            None if c.target.release.is_none() && hearing::section_of(&pr.field).is_some() => at_path(base, &pr.field),
            None => None,
        }
        .cloned()
        .unwrap_or(Value::Null);
        ProposalView { field: pr.field.clone(), value: pr.value.clone(), current }
    });
    CommentView {
        reference: p.reference.clone(),
        by: p.by.name(),
        author: c.author.clone(),
        text: c.text.clone(),
        written_at: c.written_at,
        objection: c.objection,
        proposal,
        revisions: c.revisions.len() as u32,
    }
}

fn slug<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn response_view(r: &konsekvens_core::model::hearing::Response) -> ResponseView {
    let (proposal, change_seq, accepted_before) = match &r.proposal {
        Some(ProposalDecision::Accepted { seq, before, .. }) => (Some("accepted".to_owned()), Some(*seq), Some(before.clone())),
        Some(ProposalDecision::Declined) => (Some("declined".to_owned()), None, None),
        None => (None, None, None),
    };
    ResponseView { outcome: slug(&r.outcome), reason: r.reason.clone(), proposal, change_seq, accepted_before, by: r.by.clone(), at: r.at }
}

fn target_view(t: &Target) -> TargetView {
    TargetView {
        item: t.item.as_ref().map(|i| i.0.clone()),
        reference: t.reference.clone(),
        field: t.field.clone(),
        release: t.release.clone(),
        supplement: t.supplement.map(|c| c.0),
        label: hearing::target_label(t),
    }
}

fn round_view(r: &konsekvens_core::model::hearing::Round, today: konsekvens_core::model::Day) -> RoundView {
    RoundView {
        number: r.number,
        draft: r.draft.name.clone(),
        deadline: r.deadline.to_string(),
        note: r.note.clone(),
        opened_by: r.opened_by.clone(),
        release: r.closed.as_ref().map(|c| c.release.clone()),
        taking_answers: r.closed.is_none() && today <= r.deadline,
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Everything of the høring the user may read.
pub fn read(ws: &konsekvens_core::Workspace, settings: &Settings) -> Result<HearingView, UserError> {
    let view = ws.view();
    let me = party(settings);
    let h = Hearing::read(&view, me).map_err(user)?;
    let base = serde_json::to_value(view.base().map_err(user)?).map_err(UserError::internal)?;
    let participants = view.coordination().map_err(user)?.participants;
    // The workspace's clock (`Env::today`: the wall clock's day or `KONSEKVENS_TODAY`), the
    // one the core judges the deadline by.
    let day = ws.env().today();
    let threads = h
        .threads()
        .iter()
        .map(|t| ThreadView {
            target: target_view(&t.opening.comment.target),
            round: t.opening.comment.round,
            opening: comment_view(t.opening, &base),
            replies: t.replies.iter().map(|r| comment_view(r, &base)).collect(),
            resolved: t.resolved,
            response: t.response.map(response_view),
        })
        .collect();
    let mut status = Vec::new();
    for r in h.rounds.iter().rev() {
        let s = h.status(r.number, &participants).map_err(user)?;
        status.push(RoundStatusView {
            round: round_view(&s.round, day),
            participants: s
                .participants
                .iter()
                .map(|p| ParticipantRoundView {
                    code: p.code.0,
                    name: p.name.clone(),
                    answer: p.answer.as_ref().map(|a| AnswerView {
                        verdict: slug(&a.verdict),
                        note: a.note.clone(),
                        dpo: a.dpo.clone(),
                        dpo_date: a.dpo_date.to_string(),
                        by: a.by.clone(),
                        answered_at: a.answered_at,
                        revisions: a.earlier.len() as u32,
                    }),
                    comments: p.comments as u32,
                    open_objections: p.open_objections as u32,
                })
                .collect(),
            unanswered: s.unanswered.clone(),
            recurring: s.recurring.iter().map(|r| RecurringView { reference: r.reference.clone(), field: r.field.clone(), orgs: r.orgs.iter().map(|o| o.0).collect() }).collect(),
        });
    }
    let mut after = Vec::new();
    if let Party::Org(code) = me {
        for r in h.rounds.iter().rev() {
            let Some(closed) = &r.closed else { continue };
            for a in hearing::after_own_comments(&view, code, &closed.release).map_err(user)? {
                after.push(AfterView {
                    release: closed.release.clone(),
                    reference: a.reference,
                    target: a.target,
                    text: a.text,
                    response: a.response.as_ref().map(response_view),
                    changed: a.changed.iter().map(|f| (f.path.clone(), text_of(&f.before), text_of(&f.after))).collect(),
                });
            }
        }
    }
    Ok(HearingView {
        me: me.name(),
        threads,
        rounds: h.rounds.iter().map(|r| round_view(r, day)).collect(),
        status,
        after,
        unreadable: h.unreadable.clone(),
    })
}

#[tauri::command]
#[specta::specta]
pub fn hearing(state: State<'_, AppState>) -> Result<HearingView, UserError> {
    guard(|| state.with(|s, settings| read(&s.ws, settings)))
}

/// A new comment from the webview: on an item (or one field of it) of the base or of the
/// user's supplement, on a release, or on the whole DPIA; in a round or not.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct NewCommentIn {
    pub item: Option<String>,
    /// A field path inside the item (`inherent.confidentiality`); empty: the item.
    pub field: String,
    pub release: Option<String>,
    pub supplement: Option<u16>,
    pub round: Option<u32>,
    pub text: String,
    /// A «forslag»: the field path and the proposed value as the model writes it.
    pub proposal_field: Option<String>,
    pub proposal_value: Option<Value>,
    pub objection: bool,
}

#[tauri::command]
#[specta::specta]
pub fn comment_add(comment: NewCommentIn, state: State<'_, AppState>) -> Result<String, UserError> {
    guard(|| {
        let proposal = match (comment.proposal_field, comment.proposal_value) {
            (Some(field), Some(value)) if !field.trim().is_empty() => Some(Proposal { field: field.trim().to_owned(), value }),
            _ => None,
        };
        let new = NewComment {
            target: Target {
                supplement: comment.supplement.map(OrgCode),
                release: comment.release,
                item: comment.item.map(ItemId),
                reference: String::new(),
                field: comment.field,
            },
            round: comment.round,
            text: comment.text,
            proposal,
            objection: comment.objection,
        };
        state.with(|s, settings| hearing::add_comment(&mut s.ws, &actor(settings), new).map_err(user))
    })
}

#[tauri::command]
#[specta::specta]
pub fn comment_reply(to: String, text: String, state: State<'_, AppState>) -> Result<String, UserError> {
    guard(|| state.with(|s, settings| hearing::reply(&mut s.ws, &actor(settings), &to, &text).map_err(user)))
}

/// Resolves or reopens the thread `reference` belongs to.
#[tauri::command]
#[specta::specta]
pub fn comment_resolve(reference: String, resolved: bool, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| state.with(|s, settings| hearing::set_resolved(&mut s.ws, &actor(settings), &reference, resolved).map_err(user)))
}

/// The coordinator opens a round on the working base as it stands (frozen as a draft).
#[tauri::command]
#[specta::specta]
pub fn hearing_open(draft: String, deadline: String, note: String, state: State<'_, AppState>) -> Result<u32, UserError> {
    guard(|| {
        let deadline = parse_day(&deadline)?;
        state.with(|s, settings| Ok(hearing::open_round(&mut s.ws, &actor(settings), &draft, deadline, &note).map_err(user)?.number))
    })
}

fn verdict(v: &str) -> Result<Verdict, UserError> {
    Verdict::parse(v).ok_or_else(|| {
        UserError::new("K-HOER-SVAR", format!("«{v}» er ikke et svar (tiltraeder, bemaerkninger, kan-ikke)"), format!("«{v}» is not a verdict (agrees, agrees_with_remarks, cannot_agree)"))
    })
}

/// A municipality answers a round (revisable until the deadline), signed off by its DPO.
#[tauri::command]
#[specta::specta]
pub fn hearing_answer(round: u32, verdict: String, note: String, dpo: String, dpo_date: String, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| {
        let v = match verdict.as_str() {
            "agrees" => Verdict::Agrees,
            "agrees_with_remarks" => Verdict::AgreesWithRemarks,
            "cannot_agree" => Verdict::CannotAgree,
            other => self::verdict(other)?,
        };
        let day = parse_day(&dpo_date)?;
        state.with(|s, settings| hearing::answer_round(&mut s.ws, &actor(settings), round, v, &note, &dpo, day).map(|_| ()).map_err(user))
    })
}

/// The coordinator answers a comment; `decision` `accept` writes its «forslag» into the base
/// (a change linked to the comment), `decline` declines it with the reason.
#[tauri::command]
#[specta::specta]
pub fn hearing_respond(reference: String, outcome: String, reason: String, decision: Option<String>, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| {
        let o = match outcome.as_str() {
            "taken_into_account" => Outcome::TakenIntoAccount,
            "partly" => Outcome::Partly,
            "not_taken" => Outcome::NotTaken,
            other => Outcome::parse(other).ok_or_else(|| UserError::new("K-HOER-SVAR", format!("«{other}» er ikke et svar på en bemærkning"), format!("«{other}» is not an answer to a comment")))?,
        };
        let d = match decision.as_deref() {
            None | Some("") => None,
            Some("accept") => Some(Decision::Accept),
            Some("decline") => Some(Decision::Decline),
            Some(other) => return Err(UserError::new("K-HOER-FORSLAG", format!("«{other}» er hverken accept eller afvis"), format!("«{other}» is neither accept nor decline"))),
        };
        state.with(|s, settings| hearing::respond(&mut s.ws, &actor(settings), &reference, o, &reason, d).map(|_| ()).map_err(user))
    })
}

/// The coordinator closes a round: every comment answered, the release is published.
#[tauri::command]
#[specta::specta]
pub fn hearing_close(round: u32, release: String, note: String, state: State<'_, AppState>) -> Result<String, UserError> {
    guard(|| state.with(|s, settings| Ok(hearing::close_round(&mut s.ws, &actor(settings), round, &release, &note).map_err(user)?.closed.map(|c| c.release).unwrap_or_default())))
}

/// The høringsnotat of a round (no `org`), or a municipality's answer to it, as PDF or
/// Word (by `out`'s extension), as `konsekvens export hearing-notat|hearing-answer` writes it.
#[tauri::command]
#[specta::specta]
pub fn export_hearing(round: u32, org: Option<u16>, lang: String, out: String, state: State<'_, AppState>) -> Result<Exported, UserError> {
    guard(|| {
        let l = if lang == "en" { Lang::En } else { Lang::Da };
        let report = state.with(|s, _| {
            let view = s.ws.view();
            match org {
                Some(code) => konsekvens_core::report::hearing_answer(&view, round, OrgCode(code), l, today()),
                None => konsekvens_core::report::hearing_notat(&view, round, l, today()),
            }
            .map_err(user)
        })?;
        let word = Path::new(&out).extension().is_some_and(|e| e.eq_ignore_ascii_case("docx"));
        let bytes = if word { konsekvens_exchange::docx::render_report(&report).map_err(user)? } else { konsekvens_pdf::render_report(&report).map_err(user)? };
        write_atomically(Path::new(&out), &bytes)?;
        Ok(Exported { path: out, bytes: bytes.len() as u32 })
    })
}
