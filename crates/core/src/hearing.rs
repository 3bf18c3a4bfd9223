//! The høring: comments (bemærkninger) on the joint DPIA, hearing rounds (høringsrunder) on
//! a draft release, the municipalities' answers and the coordinator's answer to every
//! comment — use cases both shells offer, and the reading of it all as one [`Hearing`].
//!
//! Everything is stored in the remarks documents (`DocKey::Remarks`), one per writer and
//! visibility, so a hub enforces who writes what by document, as it does for supplements:
//! - `remarks/101`: København's comments on the base, its replies, thread states and its
//!   answers to rounds — read by every participant;
//! - `remarks/coordinator`: the rounds (the draft frozen at opening), the coordinator's
//!   answers, comments and thread states — read by every participant;
//! - `remarks/101/101` and `remarks/coordinator/101`: the threads on København's supplement,
//!   read only by København and the coordinator.
//!
//! Who wrote a record is the document's writer (the hub binds it), never a field: a comment
//! is referenced as `writer/id` (`101/b-…`), a reply names its parent that way, and only the
//! coordinator's documents can hold rounds and answers to comments.

use crate::doc::remarks::{ANSWERS, COMMENTS, RESPONSES, ROUNDS, STATES};
use crate::doc::{Party, RemarkScope};
use crate::effective::EffectiveDpia;
use crate::model::catalogue::{kind_of_collection, snake_case};
use crate::model::hearing::*;
use crate::model::{Base, Coordination, Day, OrgCode, Participant, Release, Supplement};
use crate::workspace::View;
use crate::{Author, DocError, DocKey, DpiaDoc, UserError, Workspace, WorkspaceError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The longest comment, reason or note taken (characters): a page of text is far less.
pub const MAX_TEXT: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum HearingError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("no comment «{0}» (references look like 101/b-… or coordinator/b-…)")]
    NoComment(String),
    #[error("no hearing round {0}")]
    NoRound(u32),
    #[error("hearing round {0} is closed")]
    Closed(u32),
    #[error("the deadline of hearing round {round} was {deadline}; today is {today}")]
    PastDeadline { round: u32, deadline: Day, today: Day },
    #[error("only the coordinator may {0}")]
    CoordinatorOnly(&'static str),
    #[error("only a municipality taking part may {0}")]
    MunicipalityOnly(&'static str),
    #[error("{by} may not comment on the supplement of {of}: a supplement's threads are its municipality's and the coordinator's")]
    NotYourSupplement { by: Party, of: OrgCode },
    #[error("{0} cannot change a comment or thread of {1}")]
    NotYours(Party, String),
    #[error("nothing with id «{0}» in {1}")]
    NoItem(String, Why),
    #[error("the «forslag» cannot be used: {0}")]
    BadProposal(Why),
    #[error("comment {0} carries no «forslag»")]
    NoProposal(String),
    #[error("{0} is empty")]
    Empty(&'static str),
    #[error("{0} is longer than {MAX_TEXT} characters")]
    TooLong(&'static str),
    #[error("hearing round {round} has comments the coordinator has not answered: {list}")]
    Unanswered { round: u32, list: String },
    #[error("hearing round {0} is still open; close it before opening another")]
    RoundOpen(u32),
    #[error("the deadline {deadline} lies before today ({today})")]
    DeadlineBefore { deadline: Day, today: Day },
    #[error("«{0}» names an existing release; a draft needs a new name")]
    NameTaken(String),
    #[error("a verdict other than «tiltræder» needs comments in the round or a note")]
    VerdictWithoutRemarks,
    #[error("the reason is needed for «{0}»")]
    NoReason(&'static str),
}

impl From<HearingError> for UserError {
    fn from(e: HearingError) -> UserError {
        use HearingError as H;
        match e {
            H::Workspace(w) => w.into(),
            H::NoComment(r) => UserError::new("K-HOER-BEMAERKNING", format!("Der er ingen bemærkning «{r}» (en henvisning ser ud som 101/b-… eller coordinator/b-…)"), format!("No comment «{r}» (references look like 101/b-… or coordinator/b-…)")).about(r),
            H::NoRound(n) => UserError::new("K-HOER-RUNDE", format!("Der er ingen høringsrunde {n}"), format!("No hearing round {n}")),
            H::Closed(n) => UserError::new("K-HOER-LUKKET", format!("Høringsrunde {n} er afsluttet"), format!("Hearing round {n} is closed")),
            H::PastDeadline { round, deadline, today } => UserError::new(
                "K-HOER-FRIST",
                format!("Fristen for høringsrunde {round} var {}; i dag er {}. Svar og bemærkninger til runden tages ikke imod efter fristen", deadline.danish(), today.danish()),
                format!("The deadline of hearing round {round} was {deadline}; today is {today}. Answers and comments to the round are not taken after it"),
            ),
            H::CoordinatorOnly(what) => UserError::new("K-HOER-KUN-KOORDINATOR", format!("Kun koordinatoren må {}", danish_what(what)), format!("Only the coordinator may {what}")),
            H::MunicipalityOnly(what) => UserError::new("K-HOER-KUN-KOMMUNE", format!("Kun en deltagende kommune må {}", danish_what(what)), format!("Only a municipality taking part may {what}")),
            H::NotYourSupplement { by, of } => UserError::new(
                "K-HOER-ANDENS-TILLAEG",
                format!("{by} må ikke kommentere kommune {of}s tillæg: tråde om et tillæg er kommunens og koordinatorens"),
                format!("{by} may not comment on the supplement of {of}: a supplement's threads are its municipality's and the coordinator's"),
            ),
            H::NotYours(p, r) => UserError::new("K-HOER-ANDENS", format!("{p} kan ikke ændre {r}: det er en andens bemærkning eller tråd"), format!("{p} cannot change {r}: it is someone else's comment or thread")).about(r),
            H::NoItem(id, doc) => UserError::new("K-HOER-PUNKT", format!("Intet punkt med id «{id}» i {}", doc.da), format!("Nothing with id «{id}» in {}", doc.en)).about(id),
            H::BadProposal(why) => UserError::new("K-HOER-FORSLAG", format!("Forslaget kan ikke bruges: {}", why.da), format!("The proposed value cannot be used: {}", why.en)),
            H::NoProposal(r) => UserError::new("K-HOER-INTET-FORSLAG", format!("Bemærkning {r} har intet forslag"), format!("Comment {r} carries no proposed value")).about(r),
            H::Empty(what) => UserError::new("K-HOER-TOM", format!("{} er tom", danish_what(what)), format!("{what} is empty")),
            H::TooLong(what) => UserError::new("K-HOER-FOR-LANG", format!("{} er længere end {MAX_TEXT} tegn", danish_what(what)), format!("{what} is longer than {MAX_TEXT} characters")),
            H::Unanswered { round, list } => UserError::new(
                "K-HOER-UBESVARET",
                format!("Høringsrunde {round} har bemærkninger, koordinatoren ikke har svaret på: {list}. Svar på hver bemærkning (konsekvens hearing respond) før runden afsluttes"),
                format!("Hearing round {round} has comments the coordinator has not answered: {list}. Answer every comment (konsekvens hearing respond) before closing"),
            ),
            H::RoundOpen(n) => UserError::new("K-HOER-AABEN", format!("Høringsrunde {n} er stadig åben; afslut den før en ny åbnes"), format!("Hearing round {n} is still open; close it before opening another")),
            H::DeadlineBefore { deadline, today } => UserError::new("K-HOER-FRIST", format!("Fristen {} ligger før i dag ({})", deadline.danish(), today.danish()), format!("The deadline {deadline} lies before today ({today})")),
            H::NameTaken(n) => UserError::new("K-HOER-NAVN", format!("«{n}» er navnet på en eksisterende udgivelse; et udkast skal have et nyt navn"), format!("«{n}» names an existing release; a draft needs a new name")).about(n),
            H::VerdictWithoutRemarks => UserError::new(
                "K-HOER-SVAR",
                "Et andet svar end «tiltræder» kræver bemærkninger i runden eller en begrundelse (--note)",
                "A verdict other than «agrees» needs comments in the round or a note (--note)",
            ),
            H::NoReason(what) => UserError::new("K-HOER-BEGRUNDELSE", format!("En begrundelse kræves for «{what}»"), format!("A reason is needed for «{what}»")),
        }
    }
}

fn danish_what(what: &str) -> &str {
    match what {
        "open a hearing round" => "åbne en høringsrunde",
        "answer comments" => "svare på bemærkninger",
        "close a hearing round" => "afslutte en høringsrunde",
        "answer a hearing round" => "svare på en høringsrunde",
        "the comment" => "Bemærkningen",
        "the reason" => "Begrundelsen",
        "the DPO's name" => "Databeskyttelsesrådgiverens navn",
        "the note" => "Noten",
        "the draft's name" => "Udkastets navn",
        other => other,
    }
}

/// Who acts: a person, for a party (the coordinator or a municipality).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub party: Party,
}

impl Actor {
    pub fn new(name: impl Into<String>, party: Party) -> Self {
        Actor { name: name.into(), party }
    }
    /// The log's author of this actor's changes.
    pub fn author(&self) -> Author {
        Author::new(
            self.name.clone(),
            match self.party {
                Party::Org(code) => Some(code),
                Party::Coordinator => None,
            },
        )
    }
}

/// A comment as read, with who wrote it (from its document) and its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub by: Party,
    /// `101/b-…`: the writer and the comment's id.
    pub reference: String,
    /// The supplement whose private threads hold it.
    pub private: Option<OrgCode>,
    pub comment: Comment,
}

/// One thread: its opening comment, replies in order, whether it is resolved and the
/// coordinator's answer to the opening comment.
#[derive(Debug, Clone)]
pub struct Thread<'h> {
    pub opening: &'h Posted,
    pub replies: Vec<&'h Posted>,
    pub resolved: bool,
    pub response: Option<&'h Response>,
}

/// The høring as one party sees it: every comment visible to it, the rounds, the answers.
#[derive(Debug, Clone, Default)]
pub struct Hearing {
    pub comments: Vec<Posted>,
    /// By thread reference: the latest state and its party.
    states: BTreeMap<String, Vec<(Party, ThreadState)>>,
    pub rounds: Vec<Round>,
    pub answers: BTreeMap<(OrgCode, u32), RoundAnswer>,
    /// By comment reference.
    pub responses: BTreeMap<String, Response>,
    /// Records that do not read as the model (a damaged or hostile copy): named, skipped.
    pub unreadable: Vec<String>,
    /// Position in `comments` by reference (built by `read`).
    index: std::collections::HashMap<String, usize>,
}

/// Whether `viewer` reads the remarks document `scope`.
pub fn may_read(viewer: Party, scope: RemarkScope) -> bool {
    match scope.private {
        None => true,
        Some(code) => viewer == Party::Coordinator || viewer == Party::Org(code),
    }
}

fn parse<T: serde::de::DeserializeOwned>(doc: DocKey, key: &str, json: &str, bad: &mut Vec<String>) -> Option<T> {
    match serde_json::from_str(json) {
        Ok(v) => Some(v),
        Err(e) => {
            bad.push(format!("{doc}: {key}: {e}"));
            None
        }
    }
}

impl Hearing {
    /// Reads every remarks document of the workspace that `viewer` may read.
    pub fn read(view: &View<'_>, viewer: Party) -> Result<Hearing, HearingError> {
        let mut h = Hearing::default();
        for key in view.keys() {
            let DocKey::Remarks(scope) = key else { continue };
            if !may_read(viewer, scope) {
                continue;
            }
            let doc = view.doc(key)?;
            h.take(doc, scope).map_err(|e| WorkspaceError::Doc { doc: key.name(), source: e })?;
        }
        h.comments.sort_by(|a, b| (a.comment.written_at, &a.reference).cmp(&(b.comment.written_at, &b.reference)));
        h.index = h.comments.iter().enumerate().map(|(i, p)| (p.reference.clone(), i)).collect();
        h.rounds.sort_by_key(|r| r.number);
        Ok(h)
    }

    fn take(&mut self, doc: &DpiaDoc, scope: RemarkScope) -> Result<(), DocError> {
        let key = doc.key();
        let bad = &mut self.unreadable;
        for (id, json) in doc.records(COMMENTS)? {
            let Some(comment) = parse::<Comment>(key, &id, &json, bad) else { continue };
            // The key is the id; a record claiming another id is not believed.
            if comment.id != id {
                bad.push(format!("{key}: {id}: the record names another id"));
                continue;
            }
            let reference = format!("{}/{id}", scope.by);
            self.comments.push(Posted { by: scope.by, reference, private: scope.private, comment });
        }
        for (thread, json) in doc.records(STATES)? {
            if let Some(state) = parse::<ThreadState>(key, &thread, &json, bad) {
                self.states.entry(thread).or_default().push((scope.by, state));
            }
        }
        if let (Party::Org(code), None) = (scope.by, scope.private) {
            for (n, json) in doc.records(ANSWERS)? {
                let Some(answer) = parse::<RoundAnswer>(key, &n, &json, bad) else { continue };
                if n != answer.round.to_string() {
                    bad.push(format!("{key}: {n}: the answer names round {}", answer.round));
                    continue;
                }
                self.answers.insert((code, answer.round), answer);
            }
        }
        if scope.by == Party::Coordinator {
            if scope.private.is_none() {
                for (n, json) in doc.records(ROUNDS)? {
                    let Some(round) = parse::<Round>(key, &n, &json, bad) else { continue };
                    if n != round.number.to_string() {
                        bad.push(format!("{key}: {n}: the round names number {}", round.number));
                        continue;
                    }
                    self.rounds.push(round);
                }
            }
            for (comment, json) in doc.records(RESPONSES)? {
                let Some(response) = parse::<Response>(key, &comment, &json, bad) else { continue };
                if response.comment != comment {
                    bad.push(format!("{key}: {comment}: the answer names comment {}", response.comment));
                    continue;
                }
                self.responses.insert(comment, response);
            }
        }
        Ok(())
    }

    pub fn comment(&self, reference: &str) -> Option<&Posted> {
        match self.index.get(reference).and_then(|&i| self.comments.get(i)) {
            Some(p) if p.reference == reference => Some(p),
            _ => self.comments.iter().find(|p| p.reference == reference),
        }
    }

    fn position(&self, reference: &str) -> Option<usize> {
        match self.index.get(reference) {
            Some(&i) if self.comments.get(i).is_some_and(|p| p.reference == reference) => Some(i),
            _ => self.comments.iter().position(|p| p.reference == reference),
        }
    }

    /// For every comment, the position of its thread's opening comment: the end of its chain
    /// of replies. A chain that dangles ends at its last comment found; one that loops (a
    /// hostile copy) at the comment where the loop closes. Linear in the comments: each is
    /// walked once.
    fn openings(&self) -> Vec<usize> {
        const UNKNOWN: usize = usize::MAX;
        let mut out = vec![UNKNOWN; self.comments.len()];
        for start in 0..self.comments.len() {
            let mut path = Vec::new();
            let mut on_path = BTreeSet::new();
            let mut at = start;
            let end = loop {
                if out[at] != UNKNOWN {
                    break out[at];
                }
                if !on_path.insert(at) {
                    break at;
                }
                path.push(at);
                match self.comments[at].comment.reply_to.as_deref().and_then(|r| self.position(r)) {
                    Some(parent) => at = parent,
                    None => break at,
                }
            };
            for i in path {
                out[i] = end;
            }
        }
        out
    }

    /// The opening comment of the thread `posted` belongs to.
    pub fn opening_of<'h>(&'h self, posted: &'h Posted) -> &'h Posted {
        match self.position(&posted.reference) {
            Some(i) => &self.comments[self.openings()[i]],
            None => posted,
        }
    }

    /// Whether the thread opened by `opening` is resolved: the latest state set by the
    /// thread's writer or the coordinator counts.
    pub fn is_resolved(&self, opening: &Posted) -> bool {
        self.states
            .get(&opening.reference)
            .into_iter()
            .flatten()
            .filter(|(p, _)| *p == Party::Coordinator || *p == opening.by)
            .max_by_key(|(_, s)| s.at)
            .is_some_and(|(_, s)| s.resolved)
    }

    /// Every thread, in the order their opening comments were written.
    pub fn threads(&self) -> Vec<Thread<'_>> {
        let openings = self.openings();
        let mut threads: Vec<Thread<'_>> = Vec::new();
        let mut slot: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for (i, p) in self.comments.iter().enumerate().filter(|(i, _)| openings[*i] == *i) {
            slot.insert(i, threads.len());
            threads.push(Thread { opening: p, replies: Vec::new(), resolved: self.is_resolved(p), response: self.responses.get(&p.reference) });
        }
        for (i, p) in self.comments.iter().enumerate().filter(|(i, _)| openings[*i] != *i) {
            if let Some(&t) = slot.get(&openings[i]) {
                threads[t].replies.push(p);
            }
        }
        threads
    }

    pub fn round(&self, number: u32) -> Option<&Round> {
        self.rounds.iter().find(|r| r.number == number)
    }

    /// The round still open, if any.
    pub fn open_round(&self) -> Option<&Round> {
        self.rounds.iter().find(|r| r.closed.is_none())
    }

    /// The round a release was published after.
    pub fn round_of_release(&self, release: &str) -> Option<&Round> {
        self.rounds.iter().find(|r| r.closed.as_ref().is_some_and(|c| c.release == release))
    }

    /// The municipalities' thread-opening comments in round `number`.
    pub fn round_comments(&self, number: u32) -> Vec<Thread<'_>> {
        self.threads().into_iter().filter(|t| t.opening.comment.round == Some(number) && matches!(t.opening.by, Party::Org(_))).collect()
    }

    /// Where a round stands: per participant answered or not, its verdict and open
    /// objections; comments still without the coordinator's answer; recurring comments.
    pub fn status(&self, number: u32, participants: &[Participant]) -> Result<RoundStatus, HearingError> {
        let round = self.round(number).ok_or(HearingError::NoRound(number))?.clone();
        let threads = self.round_comments(number);
        let mut rows = Vec::new();
        for p in participants {
            let Some(code) = p.code else { continue };
            let own: Vec<&Thread<'_>> = threads.iter().filter(|t| t.opening.by == Party::Org(code)).collect();
            rows.push(ParticipantRound {
                code,
                name: p.name.clone(),
                answer: self.answers.get(&(code, number)).cloned(),
                comments: own.len(),
                open_objections: own.iter().filter(|t| t.opening.comment.objection && !t.resolved && t.response.is_none_or(|r| r.outcome != Outcome::TakenIntoAccount)).count(),
            });
        }
        let unanswered = threads.iter().filter(|t| t.response.is_none()).map(|t| t.opening.reference.clone()).collect();
        Ok(RoundStatus { round, participants: rows, unanswered, recurring: recurring(&threads) })
    }
}

/// One municipality in a round.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParticipantRound {
    pub code: OrgCode,
    pub name: String,
    pub answer: Option<RoundAnswer>,
    pub comments: usize,
    pub open_objections: usize,
}

/// Comments on the same item (and field) from several municipalities.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recurring {
    pub reference: String,
    pub field: String,
    pub orgs: Vec<OrgCode>,
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoundStatus {
    pub round: Round,
    pub participants: Vec<ParticipantRound>,
    /// Opening comments of the round the coordinator has not answered.
    pub unanswered: Vec<String>,
    pub recurring: Vec<Recurring>,
}

impl RoundStatus {
    pub fn not_answered(&self) -> impl Iterator<Item = &ParticipantRound> {
        self.participants.iter().filter(|p| p.answer.is_none())
    }
}

/// Comments that recur across municipalities: the same item (and field), two or more
/// municipalities — as recurring deviations are shown in the overview.
pub fn recurring(threads: &[Thread<'_>]) -> Vec<Recurring> {
    let mut by_target: BTreeMap<(String, String), Recurring> = BTreeMap::new();
    for t in threads {
        let Party::Org(code) = t.opening.by else { continue };
        let c = &t.opening.comment;
        // An item, or a section (its part is the field's second step).
        let (item, reference) = match (&c.target.item, section_of_target(&c.target)) {
            (Some(item), _) => (item.0.clone(), c.target.reference.clone()),
            (None, Some(section)) => (section.root.to_owned(), section.da.to_owned()),
            (None, None) => continue,
        };
        let field = c.proposal.as_ref().map(|p| p.field.clone()).unwrap_or_else(|| c.target.field.clone());
        let field = field.split('.').take(2).collect::<Vec<_>>().join(".");
        let entry = by_target.entry((item, field.clone())).or_insert_with(|| Recurring {
            reference,
            field,
            orgs: Vec::new(),
            comments: Vec::new(),
        });
        if !entry.orgs.contains(&code) {
            entry.orgs.push(code);
        }
        entry.comments.push(t.opening.reference.clone());
    }
    by_target.into_values().filter(|r| r.orgs.len() >= 2).collect()
}

// ---- Use cases ------------------------------------------------------------------------

/// A new comment.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub target: Target,
    pub round: Option<u32>,
    pub text: String,
    pub proposal: Option<Proposal>,
    pub objection: bool,
}

fn text(what: &'static str, s: &str, required: bool) -> Result<String, HearingError> {
    let s = s.trim();
    if required && s.is_empty() {
        return Err(HearingError::Empty(what));
    }
    if s.chars().count() > MAX_TEXT {
        return Err(HearingError::TooLong(what));
    }
    Ok(s.to_owned())
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("the model serialises")
}

/// The remarks document `party` writes about a target in `supplement` (or the base).
fn scope_for(party: Party, supplement: Option<OrgCode>) -> Result<RemarkScope, HearingError> {
    Ok(match supplement {
        None => RemarkScope::public(party),
        Some(of) => {
            if party != Party::Coordinator && party != Party::Org(of) {
                return Err(HearingError::NotYourSupplement { by: party, of });
            }
            RemarkScope::on_supplement(party, of)
        }
    })
}

fn write(ws: &mut Workspace, actor: &Actor, scope: RemarkScope, root: &'static str, key: &str, record: &str) -> Result<(), HearingError> {
    let doc = DocKey::Remarks(scope);
    ws.add_documents(&[doc])?;
    ws.edit(doc, &actor.author(), |e| e.put_record(root, key, record))?;
    Ok(())
}

fn participant(view: &View<'_>, party: Party) -> Result<Option<Participant>, HearingError> {
    match party {
        Party::Coordinator => Ok(None),
        Party::Org(code) => Ok(Some(view.participant(code)?)),
    }
}

/// Finds the object with `"id": id` anywhere in `value`; with the collection it sits in.
fn find_item<'v>(value: &'v Value, id: &str, within: Option<&str>) -> Option<(Option<String>, &'v Value)> {
    match value {
        Value::Object(o) => {
            if o.get("id").and_then(Value::as_str) == Some(id) {
                return Some((within.map(str::to_owned), value));
            }
            o.iter().find_map(|(k, v)| find_item(v, id, Some(k)))
        }
        Value::Array(a) => a.iter().find_map(|v| find_item(v, id, within)),
        _ => None,
    }
}

fn at_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, k| v.get(k))
}

/// The JSON merge patch that sets `path` to `value`.
fn patch_of(path: &str, value: &Value) -> Value {
    path.rsplit('.').fold(value.clone(), |inner, k| serde_json::json!({ k: inner }))
}

/// Today by the workspace's clock: the one [`crate::Env`] the CLI, the app and the hub judge
/// deadlines by (the wall clock's day, or the one `KONSEKVENS_TODAY` pins).
fn today(ws: &Workspace) -> Day {
    ws.env().today()
}

/// Refuses a round's answer or comment after the round's last day (or once it is closed).
fn require_open(h: &Hearing, number: u32, today: Day) -> Result<&Round, HearingError> {
    let round = h.round(number).ok_or(HearingError::NoRound(number))?;
    if round.closed.is_some() {
        return Err(HearingError::Closed(number));
    }
    if today > round.deadline {
        return Err(HearingError::PastDeadline { round: number, deadline: round.deadline, today });
    }
    Ok(round)
}

/// Checks a proposal against the item it is for: the field exists and the value has its
/// shape (the model reads the item back with it).
fn check_proposal(item: &Value, collection: Option<&str>, proposal: &Proposal) -> Result<(), HearingError> {
    let field = proposal.field.trim();
    if field.is_empty() || field == "id" || field.starts_with("id.") || field == "reference" {
        return Err(bad(format!("«{field}» er ikke et felt, et forslag kan ændre"), format!("«{field}» is not a field a proposal can change")));
    }
    if at_path(item, field).is_none() {
        return Err(bad(format!("punktet har intet felt «{field}»"), format!("the item has no field «{field}»")));
    }
    let kind = collection.and_then(kind_of_collection).ok_or_else(|| bad("punktet er ikke af en art, fælles basis rummer", "the item is not of a kind the base holds"))?;
    let mut patched = item.clone();
    merge(&mut patched, &patch_of(field, &proposal.value));
    let any = serde_json::json!({ "kind": snake_case(kind.type_name), "item": patched });
    serde_json::from_value::<crate::command::AnyItem>(any).map_err(|e| doesnt_fit(field, e))?;
    Ok(())
}

/// A section of the base that is not a list of items, commented as an item of its own (a
/// target with no item and no release whose field is the section's root, or a path in it:
/// `wp248.large_scale`), and open to a «forslag» for one of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentedSection {
    /// The section's root in the base (and the first step of a target's field).
    pub root: &'static str,
    pub kind: crate::command::SectionKind,
    /// How a reader names it, in Danish and English.
    pub da: &'static str,
    pub en: &'static str,
}

/// The sections of the base a comment can be about: the system description (Art. 35(7)(a)),
/// the WP248 screening, the prior consultation (Art. 36) and the review plan (Art. 35(11)).
pub const SECTIONS: [CommentedSection; 4] = [
    CommentedSection { root: DESCRIPTION, kind: crate::command::SectionKind::Description, da: "beskrivelsen", en: "the description" },
    CommentedSection { root: "wp248", kind: crate::command::SectionKind::Wp248, da: "WP248-screeningen", en: "the WP248 screening" },
    CommentedSection { root: "prior_consultation", kind: crate::command::SectionKind::PriorConsultation, da: "den forudgående høring", en: "the prior consultation" },
    CommentedSection { root: "review_plan", kind: crate::command::SectionKind::ReviewPlan, da: "planen for revision", en: "the review plan" },
];

/// The section a target's field (with no item and no release) names: its root as a whole
/// or one part of it (`description.retention`, `wp248.large_scale.reason`).
pub fn section_of(field: &str) -> Option<&'static CommentedSection> {
    SECTIONS.iter().find(|s| field == s.root || field.strip_prefix(s.root).is_some_and(|rest| rest.starts_with('.') && rest.len() > 1))
}

/// The section a comment's target is about: no item, no release, and a field naming a section.
pub fn section_of_target(t: &Target) -> Option<&'static CommentedSection> {
    if t.item.is_none() && t.release.is_none() { section_of(&t.field) } else { None }
}

/// The base's section a description comment's field is rooted in.
pub const DESCRIPTION: &str = "description";

/// Checks a «forslag» for one part of a section (`description.retention`, a path from the
/// base's root): the part exists and the section reads back with the value.
fn check_section_proposal(base: &Value, proposal: &Proposal) -> Result<&'static CommentedSection, HearingError> {
    let field = proposal.field.trim();
    let section = section_of(field).filter(|s| field != s.root).ok_or_else(|| {
        bad(
            format!("«{field}» er ikke en del af et afsnit (description.summary, wp248.large_scale, prior_consultation.reason, review_plan.triggers …)"),
            format!("«{field}» is not a part of a section (description.summary, wp248.large_scale, prior_consultation.reason, review_plan.triggers …)"),
        )
    })?;
    if at_path(base, field).is_none() {
        return Err(bad(format!("{} har ingen del «{field}»", section.da), format!("{} has no part «{field}»", section.en)));
    }
    let mut patched = base.get(section.root).cloned().unwrap_or(Value::Null);
    merge(&mut patched, &patch_of(&field[section.root.len() + 1..], &proposal.value));
    let any = serde_json::json!({ "section": section.kind, "value": patched });
    serde_json::from_value::<crate::command::AnySection>(any).map_err(|e| doesnt_fit(field, e))?;
    Ok(section)
}

/// A «forslag» changes the section its comment is about, not another one.
fn same_section(commented: &CommentedSection, proposed: &CommentedSection) -> Result<(), HearingError> {
    if commented.root == proposed.root {
        Ok(())
    } else {
        Err(bad(
            format!("bemærkningen gælder {}; dens forslag kan ikke ændre {}", commented.da, proposed.da),
            format!("the comment is on {}; its «forslag» cannot change {}", commented.en, proposed.en),
        ))
    }
}

/// A part of a message in Danish and English: why a «forslag» cannot be used (after
/// «Forslaget kan ikke bruges:»), where an item was looked for (after «Intet punkt … i»).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    pub da: String,
    pub en: String,
}

impl Why {
    pub fn new(da: impl Into<String>, en: impl Into<String>) -> Why {
        Why { da: da.into(), en: en.into() }
    }
}

fn in_base() -> Why {
    Why::new("fælles basis", "the base")
}

fn in_draft(round: u32) -> Why {
    Why::new(format!("udkastet til høringsrunde {round}"), format!("the draft of round {round}"))
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

fn bad(da: impl Into<String>, en: impl Into<String>) -> HearingError {
    HearingError::BadProposal(Why::new(da, en))
}

/// The model does not read the field back with the value (its reason is serde's, in English).
fn doesnt_fit(field: &str, e: serde_json::Error) -> HearingError {
    bad(format!("«{field}»: værdien passer ikke til feltet ({e})"), format!("«{field}»: the value does not fit the field ({e})"))
}

fn needs_a_target() -> HearingError {
    bad(
        "et forslag kræver punktet, det gælder (--item, eller --field med en del af et afsnit: description.…, wp248.…, prior_consultation.…, review_plan.…)",
        "a «forslag» needs the item it is for (--item, or --field with a part of a section: description.…, wp248.…, prior_consultation.…, review_plan.…)",
    )
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// `konsekvens comment add`: a new thread on an item of the base, of the actor's own
/// supplement, or on a release; with a round, part of the actor's answer to it.
pub fn add_comment(ws: &mut Workspace, actor: &Actor, new: NewComment) -> Result<String, HearingError> {
    let body = text("the comment", &new.text, true)?;
    let view = ws.view();
    participant(&view, actor.party)?;
    let h = Hearing::read(&view, actor.party)?;
    let mut target = new.target.clone();
    let scope = scope_for(actor.party, target.supplement)?;
    if let Some(n) = new.round {
        require_open(&h, n, today(ws))?;
        if target.supplement.is_some() {
            return Err(bad("en høringsrunde gælder udkastet til fælles basis; et tillæg er ikke med i den", "a hearing round is on the base's draft; a supplement is not in it"));
        }
    }
    if let Some(name) = &target.release {
        let known = view.coordination()?.release(name).is_some() || h.rounds.iter().any(|r| &r.draft.name == name);
        if !known {
            return Err(HearingError::NoItem(name.clone(), Why::new("udgivelserne", "the releases")));
        }
    }
    if let Some(id) = &target.item {
        // In a round, the item must be in the draft as frozen; otherwise in the document now.
        let (content, doc_name) = match (new.round, target.supplement) {
            (Some(n), _) => (serde_json::from_str::<Value>(&h.round(n).expect("checked").draft.content).unwrap_or(Value::Null), in_draft(n)),
            (None, Some(code)) => (
                crate::history::read_doc(view.doc(DocKey::Supplement(code))?).map_err(|e| WorkspaceError::Doc { doc: format!("supplement/{code}"), source: e })?,
                Why::new(format!("tillæg {code}"), format!("supplement {code}")),
            ),
            (None, None) => (serde_json::to_value(view.base()?).expect("the model serialises"), in_base()),
        };
        let (collection, item) = find_item(&content, &id.0, None).ok_or_else(|| HearingError::NoItem(id.0.clone(), doc_name))?;
        target.reference = item.get("reference").and_then(Value::as_str).unwrap_or_default().to_owned();
        if !target.field.is_empty() && at_path(item, &target.field).is_none() {
            return Err(HearingError::NoItem(format!("{}.{}", id.0, target.field), Why::new("punktet", "the item")));
        }
        if let Some(p) = &new.proposal {
            if target.supplement.is_some() {
                return Err(bad("et forslag gælder fælles basis; et tillæg ændres af dets kommune", "a «forslag» is for the base; a supplement is changed by its municipality"));
            }
            check_proposal(item, collection.as_deref(), p)?;
        }
    } else if let Some(section) = section_of_target(&target) {
        // A section of the base, commented as an item of its own (or one part of it).
        if target.supplement.is_some() {
            return Err(HearingError::NoItem(
                target.field.clone(),
                Why::new(format!("et tillæg ({} hører til fælles basis)", section.da), format!("a supplement ({} is the base's)", section.en)),
            ));
        }
        let (content, doc_name) = match new.round {
            Some(n) => (serde_json::from_str::<Value>(&h.round(n).expect("checked").draft.content).unwrap_or(Value::Null), in_draft(n)),
            None => (serde_json::to_value(view.base()?).expect("the model serialises"), in_base()),
        };
        if at_path(&content, &target.field).is_none() {
            return Err(HearingError::NoItem(target.field.clone(), doc_name));
        }
        if let Some(p) = &new.proposal {
            same_section(section, check_section_proposal(&content, p)?)?;
        }
    } else if target.release.is_none() && !target.field.is_empty() {
        // Not an item, not a section: the DPIA as a whole has no fields.
        return Err(HearingError::NoItem(
            target.field.clone(),
            Why::new("analysen (description, wp248, prior_consultation, review_plan eller et punkt)", "the DPIA (description, wp248, prior_consultation, review_plan or an item)"),
        ));
    } else if new.proposal.is_some() {
        return Err(needs_a_target());
    }
    let id = ws.new_id("b").0;
    let comment = Comment {
        id: id.clone(),
        target,
        reply_to: None,
        round: new.round,
        text: body,
        proposal: new.proposal,
        objection: new.objection,
        author: actor.name.clone(),
        written_at: ws.env().now_millis(),
        revisions: Vec::new(),
    };
    write(ws, actor, scope, COMMENTS, &id, &json(&comment))?;
    Ok(format!("{}/{id}", actor.party))
}

/// `konsekvens comment reply`: a reply in the thread of `to`, visible as the thread is.
pub fn reply(ws: &mut Workspace, actor: &Actor, to: &str, body: &str) -> Result<String, HearingError> {
    let body = text("the comment", body, true)?;
    let h = Hearing::read(&ws.view(), actor.party)?;
    participant(&ws.view(), actor.party)?;
    let parent = h.comment(to).ok_or_else(|| HearingError::NoComment(to.to_owned()))?;
    let scope = scope_for(actor.party, parent.private)?;
    let id = ws.new_id("b").0;
    let comment = Comment {
        id: id.clone(),
        target: parent.comment.target.clone(),
        reply_to: Some(parent.reference.clone()),
        round: None,
        text: body,
        author: actor.name.clone(),
        written_at: ws.env().now_millis(),
        ..Comment::default()
    };
    write(ws, actor, scope, COMMENTS, &id, &json(&comment))?;
    Ok(format!("{}/{id}", actor.party))
}

/// `konsekvens comment edit`: a new text (and «forslag») for one's own comment; the earlier
/// version is kept in the comment. A round's comment is revisable until the deadline.
pub fn revise(ws: &mut Workspace, actor: &Actor, reference: &str, body: &str, proposal: Option<Proposal>) -> Result<(), HearingError> {
    let body = text("the comment", body, true)?;
    let h = Hearing::read(&ws.view(), actor.party)?;
    let posted = h.comment(reference).ok_or_else(|| HearingError::NoComment(reference.to_owned()))?;
    if posted.by != actor.party {
        return Err(HearingError::NotYours(actor.party, reference.to_owned()));
    }
    if let Some(n) = posted.comment.round {
        require_open(&h, n, today(ws))?;
    }
    let mut c = posted.comment.clone();
    if let (Some(p), Some(id)) = (&proposal, &c.target.item) {
        let base = serde_json::to_value(ws.view().base()?).expect("the model serialises");
        let (collection, item) = find_item(&base, &id.0, None).ok_or_else(|| HearingError::NoItem(id.0.clone(), in_base()))?;
        check_proposal(item, collection.as_deref(), p)?;
    } else if let Some(p) = proposal.as_ref().filter(|_| c.target.item.is_none()) {
        let commented = section_of_target(&c.target).ok_or_else(needs_a_target)?;
        same_section(commented, check_section_proposal(&serde_json::to_value(ws.view().base()?).expect("the model serialises"), p)?)?;
    }
    c.revisions.push(Revision { text: c.text.clone(), proposal: c.proposal.clone(), objection: c.objection, replaced_at: ws.env().now_millis() });
    c.text = body;
    if proposal.is_some() {
        c.proposal = proposal;
    }
    let scope = scope_for(actor.party, posted.private)?;
    write(ws, actor, scope, COMMENTS, &c.id.clone(), &json(&c))
}

/// `konsekvens comment resolve` / `--reopen`: by the thread's writer or the coordinator.
pub fn set_resolved(ws: &mut Workspace, actor: &Actor, reference: &str, resolved: bool) -> Result<(), HearingError> {
    let h = Hearing::read(&ws.view(), actor.party)?;
    let posted = h.comment(reference).ok_or_else(|| HearingError::NoComment(reference.to_owned()))?;
    let opening = h.opening_of(posted);
    if actor.party != Party::Coordinator && actor.party != opening.by {
        return Err(HearingError::NotYours(actor.party, opening.reference.clone()));
    }
    let state = ThreadState { resolved, by: actor.name.clone(), at: ws.env().now_millis() };
    let scope = scope_for(actor.party, opening.private)?;
    let key = opening.reference.clone();
    write(ws, actor, scope, STATES, &key, &json(&state))
}

/// `konsekvens hearing open`: the coordinator opens a round on the base as it stands now,
/// frozen as a draft release (content and SHA-256), with a deadline and a note.
pub fn open_round(ws: &mut Workspace, actor: &Actor, draft_name: &str, deadline: Day, note: &str) -> Result<Round, HearingError> {
    if actor.party != Party::Coordinator {
        return Err(HearingError::CoordinatorOnly("open a hearing round"));
    }
    let name = text("the draft's name", draft_name, true)?;
    let note = text("the note", note, false)?;
    let today = today(ws);
    if deadline < today {
        return Err(HearingError::DeadlineBefore { deadline, today });
    }
    let view = ws.view();
    let h = Hearing::read(&view, actor.party)?;
    if let Some(open) = h.open_round() {
        return Err(HearingError::RoundOpen(open.number));
    }
    let coordination = view.coordination()?;
    if coordination.release(&name).is_some() || h.rounds.iter().any(|r| r.draft.name == name) {
        return Err(HearingError::NameTaken(name));
    }
    let base = view.base()?;
    let previous = match coordination.latest_release() {
        Some(r) => Some((r.name.clone(), r.base().map_err(WorkspaceError::from)?)),
        None => None,
    };
    crate::release::check_publishable(&base, previous.as_ref().map(|(n, b)| (n.as_str(), &**b))).map_err(WorkspaceError::from)?;
    let (content, content_hash) = crate::release::content_of(&base);
    let now = ws.env().now_millis();
    let number = h.rounds.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    let round = Round {
        number,
        draft: Release { name, date: Some(today), note: note.clone(), published_by: actor.name.clone(), published_at: now, content_hash, content },
        deadline,
        note,
        opened_by: actor.name.clone(),
        opened_at: now,
        closed: None,
    };
    write(ws, actor, RemarkScope::public(Party::Coordinator), ROUNDS, &number.to_string(), &json(&round))?;
    Ok(round)
}

/// `konsekvens hearing answer`: a municipality's verdict on a round, signed off by its DPO;
/// revisable until the deadline (the earlier answers are kept).
pub fn answer_round(ws: &mut Workspace, actor: &Actor, number: u32, verdict: Verdict, note: &str, dpo: &str, dpo_date: Day) -> Result<RoundAnswer, HearingError> {
    let Party::Org(code) = actor.party else { return Err(HearingError::MunicipalityOnly("answer a hearing round")) };
    participant(&ws.view(), actor.party)?;
    let note = text("the note", note, false)?;
    let dpo = text("the DPO's name", dpo, true)?;
    let h = Hearing::read(&ws.view(), actor.party)?;
    require_open(&h, number, today(ws))?;
    let has_comments = h.round_comments(number).iter().any(|t| t.opening.by == actor.party);
    if verdict != Verdict::Agrees && !has_comments && note.is_empty() {
        return Err(HearingError::VerdictWithoutRemarks);
    }
    let mut earlier = Vec::new();
    if let Some(old) = h.answers.get(&(code, number)) {
        earlier = old.earlier.clone();
        earlier.push((old.verdict, old.note.clone(), old.answered_at));
    }
    let answer = RoundAnswer { round: number, verdict, note, dpo, dpo_date, by: actor.name.clone(), answered_at: ws.env().now_millis(), earlier };
    write(ws, actor, RemarkScope::public(actor.party), ANSWERS, &number.to_string(), &json(&answer))?;
    Ok(answer)
}

/// What the coordinator decides about a comment's «forslag».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Decline,
}

/// `konsekvens hearing respond`: the coordinator answers a comment — taken into account,
/// partly or not, with a reason — and decides its «forslag»: accepted, it becomes a change of
/// the base written now, attributed to the coordinator and linked to the comment by the
/// answer's record (field, before, after, log position).
pub fn respond(ws: &mut Workspace, actor: &Actor, reference: &str, outcome: Outcome, reason: &str, decision: Option<Decision>) -> Result<Response, HearingError> {
    if actor.party != Party::Coordinator {
        return Err(HearingError::CoordinatorOnly("answer comments"));
    }
    let reason = text("the reason", reason, false)?;
    if reason.is_empty() && (outcome != Outcome::TakenIntoAccount || decision == Some(Decision::Decline)) {
        return Err(HearingError::NoReason(if decision == Some(Decision::Decline) { "afvist forslag" } else { outcome.danish() }));
    }
    let h = Hearing::read(&ws.view(), actor.party)?;
    let posted = h.comment(reference).ok_or_else(|| HearingError::NoComment(reference.to_owned()))?.clone();
    let scope = scope_for(Party::Coordinator, posted.private)?;
    ws.add_documents(&[DocKey::Remarks(scope)])?;
    // The base change an accepted «forslag» becomes and the answer that records it are one
    // transaction: never a changed base without the answer that says why, nor the reverse.
    ws.atomically(|ws| {
        let proposal = match decision {
            None => None,
            Some(Decision::Decline) => {
                posted.comment.proposal.as_ref().ok_or_else(|| HearingError::NoProposal(reference.to_owned()))?;
                Some(ProposalDecision::Declined)
            }
            Some(Decision::Accept) => Some(accept(ws, actor, &posted)?),
        };
        let mut earlier = Vec::new();
        if let Some(old) = h.responses.get(reference) {
            earlier = old.earlier.clone();
            earlier.push((old.outcome, old.reason.clone(), old.at));
        }
        // An earlier acceptance stays recorded: the base was changed by it.
        let proposal = proposal.or_else(|| h.responses.get(reference).and_then(|r| r.proposal.clone()));
        let response = Response { comment: reference.to_owned(), outcome, reason, proposal, by: actor.name.clone(), at: ws.env().now_millis(), earlier };
        write(ws, actor, scope, RESPONSES, reference, &json(&response))?;
        Ok(response)
    })
}

fn accept(ws: &mut Workspace, actor: &Actor, posted: &Posted) -> Result<ProposalDecision, HearingError> {
    let c = &posted.comment;
    let p = c.proposal.as_ref().ok_or_else(|| HearingError::NoProposal(posted.reference.clone()))?;
    if c.target.supplement.is_some() {
        return Err(bad("et forslag til et tillæg er kommunens at gennemføre", "a «forslag» on a supplement is the municipality's to make"));
    }
    if section_of_target(&c.target).is_some() {
        return accept_in_section(ws, actor, p);
    }
    let id = c.target.item.clone().ok_or_else(|| bad("bemærkningen nævner intet punkt", "the comment names no item"))?;
    let base = serde_json::to_value(ws.view().base()?).expect("the model serialises");
    let (collection, item) = find_item(&base, &id.0, None).ok_or_else(|| HearingError::NoItem(id.0.clone(), in_base()))?;
    check_proposal(item, collection.as_deref(), p)?;
    let before = at_path(item, &p.field).cloned().unwrap_or(Value::Null);
    let kind = collection.as_deref().and_then(kind_of_collection).expect("checked by check_proposal");
    let kind: crate::command::ItemKind = serde_json::from_value(Value::String(snake_case(kind.type_name))).map_err(|e| bad(e.to_string(), e.to_string()))?;
    ws.patch_item(DocKey::Base, kind, &id, &patch_of(&p.field, &p.value), &actor.author())?;
    let after_base = serde_json::to_value(ws.view().base()?).expect("the model serialises");
    let after = find_item(&after_base, &id.0, None).and_then(|(_, i)| at_path(i, &p.field).cloned()).unwrap_or(Value::Null);
    let seq = ws.view().last_seq(DocKey::Base)?;
    Ok(ProposalDecision::Accepted { item: id, field: p.field.clone(), before, after, seq })
}

/// A «forslag» for a part of a section, written into that section of the base; recorded as
/// accepted for the item named by the section's root (`description`, `wp248` …).
fn accept_in_section(ws: &mut Workspace, actor: &Actor, p: &Proposal) -> Result<ProposalDecision, HearingError> {
    let base = serde_json::to_value(ws.view().base()?).expect("the model serialises");
    let section = check_section_proposal(&base, p)?;
    let field = p.field.trim();
    let before = at_path(&base, field).cloned().unwrap_or(Value::Null);
    ws.patch_section(DocKey::Base, section.kind, &patch_of(&field[section.root.len() + 1..], &p.value), &actor.author())?;
    let after = at_path(&serde_json::to_value(ws.view().base()?).expect("the model serialises"), field).cloned().unwrap_or(Value::Null);
    let seq = ws.view().last_seq(DocKey::Base)?;
    Ok(ProposalDecision::Accepted { item: crate::model::ItemId(section.root.into()), field: field.to_owned(), before, after, seq })
}

/// `konsekvens hearing close`: every comment of the round answered, the coordinator
/// publishes the release and the round records it.
pub fn close_round(ws: &mut Workspace, actor: &Actor, number: u32, release: &str, note: &str) -> Result<Round, HearingError> {
    if actor.party != Party::Coordinator {
        return Err(HearingError::CoordinatorOnly("close a hearing round"));
    }
    let h = Hearing::read(&ws.view(), actor.party)?;
    let mut round = h.round(number).ok_or(HearingError::NoRound(number))?.clone();
    if round.closed.is_some() {
        return Err(HearingError::Closed(number));
    }
    let unanswered: Vec<String> = h.round_comments(number).iter().filter(|t| t.response.is_none()).map(|t| t.opening.reference.clone()).collect();
    if !unanswered.is_empty() {
        return Err(HearingError::Unanswered { round: number, list: unanswered.join(", ") });
    }
    let note = if note.trim().is_empty() { format!("Udgivet efter høringsrunde {number} (udkast {})", round.draft.name) } else { note.trim().to_owned() };
    let today = today(ws);
    // A release of that name published after the round opened (a file an earlier build
    // left with the release but not the round's record of it) is the round's.
    let existing = ws.view().coordination()?.release(release.trim()).filter(|r| r.published_at >= round.opened_at).cloned();
    let scope = RemarkScope::public(Party::Coordinator);
    ws.add_documents(&[DocKey::Remarks(scope)])?;
    // The release and the round's record of it are one transaction: never one without the other.
    ws.atomically(|ws| {
        let published = match existing {
            Some(r) => r,
            None => ws.publish_release(release, today, &note, &actor.author())?,
        };
        round.closed = Some(Closing { release: published.name.clone(), by: actor.name.clone(), at: ws.env().now_millis() });
        write(ws, actor, scope, ROUNDS, &number.to_string(), &json(&round))?;
        Ok(round)
    })
}

/// The base of a round's draft, as an effective DPIA (for comparisons).
pub fn draft_dpia(round: &Round) -> Result<EffectiveDpia, HearingError> {
    let base = round.draft.base().map_err(WorkspaceError::from)?;
    Ok(base_dpia(&base))
}

pub fn base_dpia(base: &Base) -> EffectiveDpia {
    EffectiveDpia::compute(&Coordination::default(), base, &Supplement::default(), &Participant::joint_base())
}

/// What became of one of a municipality's comments in the round a release followed.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterComment {
    pub reference: String,
    pub target: String,
    pub text: String,
    pub response: Option<Response>,
    /// The commented item's fields that differ between the draft and the release.
    pub changed: Vec<crate::diff::FieldChange>,
}

/// For a municipality confirming `release`: its comments in the round the release followed,
/// the coordinator's answers, and what changed in the items it commented on.
pub fn after_own_comments(view: &View<'_>, org: OrgCode, release: &str) -> Result<Vec<AfterComment>, HearingError> {
    let h = Hearing::read(view, Party::Org(org))?;
    let Some(round) = h.round_of_release(release) else { return Ok(Vec::new()) };
    let published = view.coordination()?.require_release(release).map_err(WorkspaceError::from)?.base().map_err(WorkspaceError::from)?;
    let changes = crate::diff::compare("", &draft_dpia(round)?, "", &base_dpia(&published)).changes;
    let mut out = Vec::new();
    for t in h.round_comments(round.number).into_iter().filter(|t| t.opening.by == Party::Org(org)) {
        let c = &t.opening.comment;
        let changed = match (&c.target.item, section_of_target(&c.target)) {
            (Some(id), _) => changes.iter().find(|ch| ch.id == id.0).map(|ch| ch.fields.clone()).unwrap_or_default(),
            // A section's changes come with an empty id; a comment on a part sees that part's.
            (None, Some(section)) => {
                let part = c.target.field.strip_prefix(section.root).and_then(|rest| rest.strip_prefix('.'));
                let within = |path: &str| part.is_none_or(|p| path == p || path.strip_prefix(p).is_some_and(|r| r.starts_with('.')));
                changes
                    .iter()
                    .find(|ch| ch.id.is_empty() && ch.collection == section.root)
                    .map(|ch| ch.fields.iter().filter(|f| within(&f.path)).cloned().collect())
                    .unwrap_or_default()
            }
            (None, None) => Vec::new(),
        };
        out.push(AfterComment { reference: t.opening.reference.clone(), target: target_label(&c.target), text: c.text.clone(), response: t.response.cloned(), changed });
    }
    Ok(out)
}

/// How a reader knows a comment's target: «R5 · inherent.confidentiality», «udgivelse 2026.1».
pub fn target_label(t: &Target) -> String {
    let where_ = |s: String| match t.supplement {
        Some(code) => format!("tillæg {code}: {s}"),
        None => s,
    };
    // A section names its part after «·» itself: the field is not repeated.
    if let Some(section) = section_of_target(t) {
        return match t.field.strip_prefix(section.root).and_then(|rest| rest.strip_prefix('.')) {
            Some(part) => where_(format!("{} · {part}", section.da)),
            None => where_(section.da.to_owned()),
        };
    }
    let s = match (&t.release, &t.item) {
        (Some(r), None) => format!("udgivelse {r}"),
        (_, Some(id)) if !t.reference.is_empty() => t.reference.clone(),
        (_, Some(id)) => id.0.clone(),
        (None, None) => "hele analysen".into(),
    };
    let s = where_(s);
    if t.field.is_empty() { s } else { format!("{s} · {}", t.field) }
}

/// The parties and documents a participant syncs: every public remarks document, and the
/// private ones of the supplements `viewer` may read (all for the coordinator).
pub fn documents_for(participants: &[OrgCode], viewer: Option<Party>) -> Vec<DocKey> {
    let mut keys: BTreeSet<DocKey> = BTreeSet::new();
    keys.insert(DocKey::Remarks(RemarkScope::public(Party::Coordinator)));
    for &code in participants {
        keys.insert(DocKey::Remarks(RemarkScope::public(Party::Org(code))));
        if viewer.is_none_or(|v| v == Party::Coordinator || v == Party::Org(code)) {
            keys.insert(DocKey::Remarks(RemarkScope::on_supplement(Party::Org(code), code)));
            keys.insert(DocKey::Remarks(RemarkScope::on_supplement(Party::Coordinator, code)));
        }
    }
    keys.into_iter().collect()
}

// ---- The høring in the interchange file (format version 4) ------------------------------

/// Every remarks document of the workspace with its records, for `export json`: ordered by
/// document, comments by id. A record that does not read as the model (a damaged copy,
/// named by [`Hearing::unreadable`] in the app) is not carried: the format is typed.
pub fn records_of(view: &View<'_>) -> Result<Vec<crate::interchange::RemarksRecords>, WorkspaceError> {
    let mut out = Vec::new();
    let mut keys: Vec<DocKey> = view.keys().filter(|k| matches!(k, DocKey::Remarks(_))).collect();
    keys.sort();
    for key in keys {
        let DocKey::Remarks(scope) = key else { continue };
        let doc = view.doc(key)?;
        let doc_error = |e| WorkspaceError::Doc { doc: key.name(), source: e };
        let roots = crate::doc::remarks::roots_of(scope);
        let read = |root: &'static str| -> Result<BTreeMap<String, String>, WorkspaceError> {
            if roots.contains(&root) { doc.records(root).map_err(doc_error) } else { Ok(BTreeMap::new()) }
        };
        let mut r = crate::interchange::RemarksRecords { by: scope.by.name(), supplement: scope.private, ..Default::default() };
        r.comments = read(COMMENTS)?.values().filter_map(|j| serde_json::from_str::<Comment>(j).ok()).collect();
        r.states = read(STATES)?.into_iter().filter_map(|(k, j)| Some((k, serde_json::from_str::<ThreadState>(&j).ok()?))).collect();
        r.answers = read(ANSWERS)?.values().filter_map(|j| serde_json::from_str::<RoundAnswer>(j).ok()).collect();
        r.answers.sort_by_key(|a| a.round);
        r.rounds = read(ROUNDS)?.values().filter_map(|j| serde_json::from_str::<Round>(j).ok()).collect();
        r.rounds.sort_by_key(|x| x.number);
        r.responses = read(RESPONSES)?.values().filter_map(|j| serde_json::from_str::<Response>(j).ok()).collect();
        let empty = r.comments.is_empty() && r.states.is_empty() && r.answers.is_empty() && r.rounds.is_empty() && r.responses.is_empty();
        if !empty {
            out.push(r);
        }
    }
    Ok(out)
}

/// What an import refuses in a file's høring, with the JSON path: a writer that is not a
/// party of the joint DPIA, a record in a document that cannot hold it (as the hub would
/// refuse it), a key used twice.
pub fn validate_records(records: &[crate::interchange::RemarksRecords], coordination: &Coordination) -> Result<(), crate::interchange::InterchangeError> {
    use crate::interchange::InterchangeError;
    let bad = |path: String, da: String, en: String| Err(InterchangeError::Hearing { path, da, en });
    let takes_part = |code: OrgCode| coordination.participants.iter().any(|p| p.code == Some(code));
    let mut documents = BTreeSet::new();
    for (i, r) in records.iter().enumerate() {
        let at = format!("$.hearing[{i}]");
        let Some(by) = Party::parse(&r.by).filter(|p| match p {
            Party::Org(code) => takes_part(*code),
            Party::Coordinator => true,
        }) else {
            return bad(format!("{at}.by"), format!("«{}» er hverken koordinatoren eller en deltagende kommune", r.by), format!("«{}» is neither the coordinator nor a participating municipality", r.by));
        };
        if let Some(of) = r.supplement {
            if !takes_part(of) || (by != Party::Coordinator && by != Party::Org(of)) {
                return bad(format!("{at}.supplement"), format!("{by} kan ikke have tråde om kommune {of}s tillæg"), format!("{by} cannot hold threads on the supplement of {of}"));
            }
        }
        let scope = RemarkScope { by, private: r.supplement };
        if !documents.insert(scope) {
            return bad(at, format!("dokumentet {} står to gange", DocKey::Remarks(scope).name()), format!("the document {} appears twice", DocKey::Remarks(scope).name()));
        }
        let roots = crate::doc::remarks::roots_of(scope);
        for (root, n) in [(ANSWERS, r.answers.len()), (ROUNDS, r.rounds.len()), (RESPONSES, r.responses.len())] {
            if n > 0 && !roots.contains(&root) {
                return bad(format!("{at}.{root}"), format!("{} kan ikke rumme {root}: hubben tager kun imod dem fra deres skriver", DocKey::Remarks(scope).name()), format!("{} cannot hold {root}: the hub takes them only from their writer", DocKey::Remarks(scope).name()));
            }
        }
        let mut keys = BTreeSet::new();
        for (j, c) in r.comments.iter().enumerate() {
            if c.id.trim().is_empty() || !keys.insert(c.id.as_str()) {
                return bad(format!("{at}.comments[{j}].id"), format!("id'et «{}» er tomt eller bruges to gange", c.id), format!("the id «{}» is empty or used twice", c.id));
            }
        }
        let mut numbers = BTreeSet::new();
        for (j, a) in r.answers.iter().enumerate() {
            if !numbers.insert(a.round) {
                return bad(format!("{at}.answers[{j}].round"), format!("to svar på høringsrunde {}", a.round), format!("two answers to hearing round {}", a.round));
            }
        }
        let mut numbers = BTreeSet::new();
        for (j, x) in r.rounds.iter().enumerate() {
            if !numbers.insert(x.number) {
                return bad(format!("{at}.rounds[{j}].number"), format!("høringsrunde {} står to gange", x.number), format!("hearing round {} appears twice", x.number));
            }
        }
        let mut answered = BTreeSet::new();
        for (j, x) in r.responses.iter().enumerate() {
            if !answered.insert(x.comment.as_str()) {
                return bad(format!("{at}.responses[{j}].comment"), format!("to svar på bemærkning {}", x.comment), format!("two answers to comment {}", x.comment));
            }
        }
    }
    Ok(())
}

/// Writes a file's høring into a new workspace (`import json`): each document's records as
/// they were, one edit per document, by `author` (who imports).
pub fn write_records(ws: &mut Workspace, author: &Author, records: &[crate::interchange::RemarksRecords]) -> Result<(), WorkspaceError> {
    for r in records {
        let Some(by) = Party::parse(&r.by) else { continue };
        let key = DocKey::Remarks(RemarkScope { by, private: r.supplement });
        ws.add_documents(&[key])?;
        let mut rows: Vec<(&'static str, String, String)> = Vec::new();
        rows.extend(r.comments.iter().map(|c| (COMMENTS, c.id.clone(), json(c))));
        rows.extend(r.states.iter().map(|(k, v)| (STATES, k.clone(), json(v))));
        rows.extend(r.answers.iter().map(|a| (ANSWERS, a.round.to_string(), json(a))));
        rows.extend(r.rounds.iter().map(|x| (ROUNDS, x.number.to_string(), json(x))));
        rows.extend(r.responses.iter().map(|x| (RESPONSES, x.comment.clone(), json(x))));
        ws.edit(key, author, |e| {
            for (root, k, v) in &rows {
                e.put_record(root, k, v)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// A remarks document's content as JSON (for `history`): its records by root.
pub fn remarks_json(doc: &DpiaDoc) -> Result<Value, DocError> {
    let DocKey::Remarks(scope) = doc.key() else { return Ok(Value::Null) };
    let mut out = serde_json::Map::new();
    for root in crate::doc::remarks::roots_of(scope) {
        let records: serde_json::Map<String, Value> =
            doc.records(root)?.into_iter().map(|(k, v)| (k, serde_json::from_str(&v).unwrap_or(Value::String(v)))).collect();
        out.insert(root.to_owned(), Value::Object(records));
    }
    Ok(Value::Object(out))
}


/// Why a municipality's update touching `touched` rounds comes too late, judged by the
/// coordinator's `rounds` (number → record, as [`crate::doc::remarks::rounds_of`] reads them)
/// on `today`: a round that does not exist, is closed, or whose last day has passed. The hub
/// refuses such an update, so the deadline holds offline too (an answer written before the
/// deadline on a wrong clock is refused when it arrives).
pub fn too_late(rounds: &BTreeMap<String, String>, touched: &BTreeSet<Option<u32>>, today: Day) -> Option<String> {
    for n in touched {
        let Some(n) = n else {
            return Some("svaret angiver ingen høringsrunde (the answer names no hearing round)".into());
        };
        let Some(round) = rounds.get(&n.to_string()).and_then(|j| serde_json::from_str::<Round>(j).ok()) else {
            return Some(format!("der er ingen høringsrunde {n} (no hearing round {n})"));
        };
        if round.closed.is_some() {
            return Some(format!("høringsrunde {n} er afsluttet (hearing round {n} is closed)"));
        }
        if today > round.deadline {
            return Some(format!(
                "fristen for høringsrunde {n} var {}; i dag er {} (the deadline of hearing round {n} was {})",
                round.deadline.danish(),
                today.danish(),
                round.deadline
            ));
        }
    }
    None
}

/// The bundled sample's finished hearing round behind its first release, so a new user sees
/// one: KL/KOMBIT's draft, København's comment with a «forslag» on R6 (misdirected messages:
/// likelihood «sandsynlig» → «forventet», given its breach reports) accepted, Aarhus's comment
/// on R10 (the AWS clause) partly taken into account, Esbjerg agreeing. Written as the dated
/// records the use cases would have written then (the use cases judge deadlines by today).
pub(crate) fn write_sample_round(ws: &mut Workspace) -> Result<(), HearingError> {
    use crate::model::{ItemId, Likelihood, Risk};
    use crate::sample::{AARHUS, ESBJERG, KOEBENHAVN, RELEASE_DATE, VERSION};
    const R6: &str = "risk-beskeder-fejlsendt";
    const R10: &str = "risk-tredjeland-aws-forbehold";
    let millis = |d: Day, hour: i64| d.0.midnight().assume_utc().unix_timestamp() * 1000 + hour * 3_600_000;
    let day = |days: i64| Day(RELEASE_DATE.0 - time::Duration::days(days));
    let (opened, deadline) = (day(35), day(14));
    let released = ws.view().coordination()?.release(VERSION).cloned().ok_or_else(|| HearingError::NoItem(VERSION.into(), Why::new("udgivelserne", "the releases")))?;
    // The draft: the release as it was before København's «forslag» was accepted.
    let mut draft_base = Base::clone(&*released.base().map_err(WorkspaceError::from)?);
    let risk: &mut Risk = draft_base.items.risks.iter_mut().find(|r| r.id.0 == R6).ok_or_else(|| HearingError::NoItem(R6.into(), Why::new("eksemplet", "the sample")))?;
    risk.inherent.confidentiality.likelihood = Some(Likelihood::Likely);
    let (content, content_hash) = crate::release::content_of(&draft_base);
    let kl = Actor::new("KL/KOMBIT", Party::Coordinator);
    let round = Round {
        number: 1,
        draft: Release {
            name: format!("{VERSION}-udkast"),
            date: Some(opened),
            note: "Udkast til høring".into(),
            published_by: kl.name.clone(),
            published_at: millis(opened, 9),
            content_hash,
            content,
        },
        deadline,
        note: "Høring af kommunernes databeskyttelsesrådgivere over udkastet til den første fælles udgivelse.".into(),
        opened_by: kl.name.clone(),
        opened_at: millis(opened, 9),
        closed: Some(Closing { release: VERSION.into(), by: kl.name.clone(), at: released.published_at }),
    };
    let target = |id: &str, reference: &str, field: &str| Target { item: Some(ItemId(id.into())), reference: reference.into(), field: field.into(), ..Target::default() };
    let kbh = Actor::new("Databeskyttelsesrådgiver, Københavns Kommune", Party::Org(KOEBENHAVN));
    let aar = Actor::new("Databeskyttelsesrådgiver, Aarhus Kommune", Party::Org(AARHUS));
    let esb = Actor::new("Databeskyttelsesrådgiver, Esbjerg Kommune", Party::Org(ESBJERG));
    let kbh_comment = Comment {
        id: ws.new_id("b").0,
        target: target(R6, "R6", "inherent.confidentiality"),
        round: Some(1),
        text: "Vi har anmeldt over 35 brud med fejlsendte beskeder i Aula, et af dem til 94 modtagere. Sandsynligheden før foranstaltninger bør være «forventet», ikke «sandsynlig».".into(),
        proposal: Some(Proposal { field: "inherent.confidentiality.likelihood".into(), value: Value::String("expected".into()) }),
        author: kbh.name.clone(),
        written_at: millis(day(20), 10),
        ..Comment::default()
    };
    let aar_comment = Comment {
        id: ws.new_id("b").0,
        target: target(R10, "R10", ""),
        round: Some(1),
        text: "Vurderingen bør nævne, hvilke regioner AWS må behandle data i, og hvad forbeholdet om udlevering efter lov i tredjeland betyder for os som dataansvarlige.".into(),
        author: aar.name.clone(),
        written_at: millis(day(18), 14),
        ..Comment::default()
    };
    let answer = |verdict: Verdict, dpo: &Actor, on: i64| RoundAnswer {
        round: 1,
        verdict,
        note: String::new(),
        dpo: dpo.name.clone(),
        dpo_date: day(on),
        by: dpo.name.clone(),
        answered_at: millis(day(on), 15),
        earlier: Vec::new(),
    };
    let kbh_ref = format!("{}/{}", kbh.party, kbh_comment.id);
    let aar_ref = format!("{}/{}", aar.party, aar_comment.id);
    let seq = ws.view().last_seq(DocKey::Base)?;
    let responses = [
        Response {
            comment: kbh_ref.clone(),
            outcome: Outcome::TakenIntoAccount,
            reason: "Enig: bruddene viser, at fejlsendte beskeder må forventes. Sandsynligheden er rettet i udgivelsen.".into(),
            proposal: Some(ProposalDecision::Accepted {
                item: ItemId(R6.into()),
                field: "inherent.confidentiality.likelihood".into(),
                before: Value::String("likely".into()),
                after: Value::String("expected".into()),
                seq,
            }),
            by: kl.name.clone(),
            at: millis(day(10), 11),
            earlier: Vec::new(),
        },
        Response {
            comment: aar_ref.clone(),
            outcome: Outcome::Partly,
            reason: "Regionerne (EU) står nu i vurderingen; forbeholdets betydning afventer KOMBITs juridiske notat og tages op ved næste udgivelse.".into(),
            proposal: None,
            by: kl.name.clone(),
            at: millis(day(10), 11),
            earlier: Vec::new(),
        },
    ];
    let public = |p: Party| RemarkScope::public(p);
    write(ws, &kbh, public(kbh.party), COMMENTS, &kbh_comment.id.clone(), &json(&kbh_comment))?;
    write(ws, &kbh, public(kbh.party), ANSWERS, "1", &json(&answer(Verdict::AgreesWithRemarks, &kbh, 20)))?;
    write(ws, &aar, public(aar.party), COMMENTS, &aar_comment.id.clone(), &json(&aar_comment))?;
    write(ws, &aar, public(aar.party), ANSWERS, "1", &json(&answer(Verdict::AgreesWithRemarks, &aar, 18)))?;
    write(ws, &esb, public(esb.party), ANSWERS, "1", &json(&answer(Verdict::Agrees, &esb, 16)))?;
    for r in &responses {
        write(ws, &kl, public(Party::Coordinator), RESPONSES, &r.comment.clone(), &json(r))?;
    }
    let resolved = ThreadState { resolved: true, by: kl.name.clone(), at: millis(day(10), 12) };
    write(ws, &kl, public(Party::Coordinator), STATES, &kbh_ref, &json(&resolved))?;
    write(ws, &kl, public(Party::Coordinator), ROUNDS, "1", &json(&round))?;
    Ok(())
}

#[cfg(test)]
mod tests;
