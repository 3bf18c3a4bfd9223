//! The høring as plain values: comments (bemærkninger) with their «forslag», thread states,
//! hearing rounds (høringsrunder), the municipalities' answers and the coordinator's answers
//! to each comment. Stored as records in the remarks documents (`doc::remarks`); who wrote a
//! record is the document's writer, never a field of the record.

use super::{Day, ItemId, OrgCode, Release};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a comment is about: an item (or one field of it, e.g. a rating of one dimension,
/// `inherent.confidentiality`) of the base, of a municipality's supplement, or a release.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Target {
    /// The supplement the item is in; `None`: the base (or the release).
    pub supplement: Option<OrgCode>,
    /// A release commented as a whole (its name), e.g. the draft of a round.
    pub release: Option<String>,
    /// The item; `None` with no `release`: the DPIA as a whole.
    pub item: Option<ItemId>,
    /// The item's reference when the comment was written (R5), for readers.
    pub reference: String,
    /// A field path inside the item (`inherent.confidentiality.likelihood`); empty: the item.
    pub field: String,
}

/// A proposed value for one field of the commented item («forslag»).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Proposal {
    /// Dotted path inside the item (`inherent.confidentiality.likelihood`, `title`).
    pub field: String,
    /// The value as the model writes it in JSON (`"sandsynlig"`, a text).
    pub value: serde_json::Value,
}

/// An earlier version of a comment (edits keep their history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Revision {
    pub text: String,
    pub proposal: Option<Proposal>,
    pub objection: bool,
    /// When it was replaced (epoch milliseconds).
    pub replaced_at: i64,
}

/// A comment or a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Comment {
    /// Unique within its writer's documents (`b-…`); referenced as `writer/id`.
    pub id: String,
    pub target: Target,
    /// The comment replied to (`101/b-…`, `coordinator/b-…`); `None` opens a thread.
    pub reply_to: Option<String>,
    /// The hearing round it is part of.
    pub round: Option<u32>,
    pub text: String,
    pub proposal: Option<Proposal>,
    /// An objection (indsigelse): the municipality cannot accept the item as it stands.
    pub objection: bool,
    /// The person who wrote it.
    pub author: String,
    pub written_at: i64,
    /// Earlier versions, oldest first.
    pub revisions: Vec<Revision>,
}

/// A thread resolved or reopened (the latest of all parties' states counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ThreadState {
    pub resolved: bool,
    pub by: String,
    pub at: i64,
}

/// A municipality's verdict on a round's draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// tiltræder
    Agrees,
    /// tiltræder med bemærkninger
    AgreesWithRemarks,
    /// kan ikke tiltræde
    CannotAgree,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Agrees, Verdict::AgreesWithRemarks, Verdict::CannotAgree];
    pub fn danish(self) -> &'static str {
        match self {
            Verdict::Agrees => "tiltræder",
            Verdict::AgreesWithRemarks => "tiltræder med bemærkninger",
            Verdict::CannotAgree => "kan ikke tiltræde",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Verdict::Agrees => "agrees",
            Verdict::AgreesWithRemarks => "agrees with remarks",
            Verdict::CannotAgree => "cannot agree",
        }
    }
    /// The CLI's word: `tiltraeder`, `bemaerkninger`, `kan-ikke`.
    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Agrees => "tiltraeder",
            Verdict::AgreesWithRemarks => "bemaerkninger",
            Verdict::CannotAgree => "kan-ikke",
        }
    }
    pub fn parse(s: &str) -> Option<Verdict> {
        let s = s.trim().to_lowercase();
        Verdict::ALL.into_iter().find(|v| s == v.slug() || s == v.danish() || s == v.english() || s == format!("{:?}", v).to_lowercase())
    }
}

/// A municipality's answer to a round, signed off by its DPO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoundAnswer {
    pub round: u32,
    pub verdict: Verdict,
    pub note: String,
    /// The DPO who signed it off, and when.
    pub dpo: String,
    pub dpo_date: Day,
    /// The person who entered it.
    pub by: String,
    pub answered_at: i64,
    /// Earlier answers to the same round (revised before the deadline), oldest first.
    pub earlier: Vec<(Verdict, String, i64)>,
}

/// How a round stands once closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Closing {
    /// The release published after the round.
    pub release: String,
    pub by: String,
    pub at: i64,
}

/// A hearing round on a draft release of the base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Round {
    pub number: u32,
    /// The base as it stood at opening, frozen as a release is (content + SHA-256).
    pub draft: Release,
    /// The last day answers are taken (inclusive).
    pub deadline: Day,
    pub note: String,
    pub opened_by: String,
    pub opened_at: i64,
    pub closed: Option<Closing>,
}

/// The coordinator's answer to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// indarbejdet
    TakenIntoAccount,
    /// delvist indarbejdet
    Partly,
    /// ikke indarbejdet
    NotTaken,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::TakenIntoAccount, Outcome::Partly, Outcome::NotTaken];
    pub fn danish(self) -> &'static str {
        match self {
            Outcome::TakenIntoAccount => "indarbejdet",
            Outcome::Partly => "delvist indarbejdet",
            Outcome::NotTaken => "ikke indarbejdet",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Outcome::TakenIntoAccount => "taken into account",
            Outcome::Partly => "partly taken into account",
            Outcome::NotTaken => "not taken into account",
        }
    }
    /// The CLI's word: `indarbejdet`, `delvist`, `ikke`.
    pub fn slug(self) -> &'static str {
        match self {
            Outcome::TakenIntoAccount => "indarbejdet",
            Outcome::Partly => "delvist",
            Outcome::NotTaken => "ikke",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        let s = s.trim().to_lowercase();
        Outcome::ALL.into_iter().find(|o| s == o.slug() || s == o.danish() || s == o.english())
    }
}

/// What became of a comment's «forslag».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum ProposalDecision {
    /// Written into the base: the field's value before and after, and the log position of
    /// the change (attributed to the coordinator, linked to the comment by this record).
    Accepted { item: ItemId, field: String, before: serde_json::Value, after: serde_json::Value, seq: i64 },
    /// Declined; the reason is the response's.
    Declined,
}

/// The coordinator's answer to one comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Response {
    /// The comment answered (`101/b-…`).
    pub comment: String,
    pub outcome: Outcome,
    pub reason: String,
    pub proposal: Option<ProposalDecision>,
    pub by: String,
    pub at: i64,
    /// Earlier answers to the same comment, oldest first.
    pub earlier: Vec<(Outcome, String, i64)>,
}
