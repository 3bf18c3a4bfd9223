//! The Datatilsynet check: what the 2024 AULA decision found missing in Copenhagen's DPIA,
//! looked for by machine in the base or in any municipality's effective DPIA.
//!
//! The check is a pure function of an [`EffectiveDpia`] and a [`CheckContext`]; it returns
//! [`Finding`]s — each with a stable code, a severity, the article it rests on, the item it
//! concerns and a message in Danish and English that says what to do — plus the risk
//! picture (before/after counts and consequence × likelihood matrices) and the outcome of
//! the municipality's acceptance policy.

pub mod cnil;
mod picture;
pub mod report;
pub mod review;
pub mod codes;
pub mod counts;
mod reading;
mod rules;
pub mod supplier;
pub mod vocabulary;

pub use picture::{Matrix, RiskPicture, Share};

use crate::effective::EffectiveDpia;
pub use review::{acceptance_policy, check_all, check_in, check_inputs, review_status, review_status_of, ReviewStatus, ReviewTrigger};
use crate::model::{Day, ItemId, Reference};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];
    pub fn danish(self) -> &'static str {
        match self {
            Severity::Error => "fejl",
            Severity::Warning => "advarsel",
            Severity::Info => "info",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The provision or guideline a finding rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Basis {
    #[serde(rename = "art_35_7_a")]
    Art35_7a,
    #[serde(rename = "art_35_7_b")]
    Art35_7b,
    #[serde(rename = "art_35_7_c")]
    Art35_7c,
    #[serde(rename = "art_35_7_d")]
    Art35_7d,
    #[serde(rename = "art_35_2")]
    Art35_2,
    /// The views of data subjects or their representatives.
    #[serde(rename = "art_35_9")]
    Art35_9,
    #[serde(rename = "art_35_11")]
    Art35_11,
    #[serde(rename = "art_36")]
    Art36,
    #[serde(rename = "art_24_1")]
    Art24_1,
    #[serde(rename = "art_5_2")]
    Art5_2,
    #[serde(rename = "wp248")]
    Wp248,
    /// The decision's § 4.4 on joint DPIAs.
    #[serde(rename = "joint_dpia")]
    JointDpia,
}

impl Basis {
    pub const ALL: [Basis; 12] = [
        Basis::Art35_7a, Basis::Art35_7b, Basis::Art35_7c, Basis::Art35_7d, Basis::Art35_2, Basis::Art35_9, Basis::Art35_11,
        Basis::Art36, Basis::Art24_1, Basis::Art5_2, Basis::Wp248, Basis::JointDpia,
    ];
    pub fn danish(self) -> &'static str {
        match self {
            Basis::Art35_7a => "art. 35, stk. 7, litra a",
            Basis::Art35_7b => "art. 35, stk. 7, litra b",
            Basis::Art35_7c => "art. 35, stk. 7, litra c",
            Basis::Art35_7d => "art. 35, stk. 7, litra d",
            Basis::Art35_2 => "art. 35, stk. 2",
            Basis::Art35_9 => "art. 35, stk. 9",
            Basis::Art35_11 => "art. 35, stk. 11",
            Basis::Art36 => "art. 36",
            Basis::Art24_1 => "art. 24, stk. 1",
            Basis::Art5_2 => "art. 5, stk. 2",
            Basis::Wp248 => "WP248",
            Basis::JointDpia => "fælles konsekvensanalyse (afgørelsens pkt. 4.4)",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Basis::Art35_7a => "Art. 35(7)(a)",
            Basis::Art35_7b => "Art. 35(7)(b)",
            Basis::Art35_7c => "Art. 35(7)(c)",
            Basis::Art35_7d => "Art. 35(7)(d)",
            Basis::Art35_2 => "Art. 35(2)",
            Basis::Art35_9 => "Art. 35(9)",
            Basis::Art35_11 => "Art. 35(11)",
            Basis::Art36 => "Art. 36",
            Basis::Art24_1 => "Art. 24(1)",
            Basis::Art5_2 => "Art. 5(2)",
            Basis::Wp248 => "WP248",
            Basis::JointDpia => "joint DPIA (decision § 4.4)",
        }
    }
}

macro_rules! worded {
    ($($t:ty),+) => {$(
        impl crate::model::Worded for $t {
            fn all() -> &'static [Self] { &<$t>::ALL }
            fn danish(self) -> &'static str { <$t>::danish(self) }
            fn english(self) -> &'static str { <$t>::english(self) }
        }
    )+};
}
worded!(Severity, Basis);

/// One gap Datatilsynet would see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    /// Stable code, e.g. `K-35-7-B-MISSING`: one of the codes `konsekvens check --explain`
    /// explains (`check::codes`).
    #[schemars(schema_with = "code_schema")]
    pub code: String,
    pub severity: Severity,
    pub basis: Basis,
    /// The item concerned, by its stable id and its short reference.
    pub item: Option<ItemId>,
    pub reference: Option<Reference>,
    pub message_da: String,
    pub message_en: String,
}

/// The codes the check can emit, from the table in `codes.rs`.
fn code_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let codes: Vec<&str> = codes::RULES.iter().map(|r| r.code).collect();
    schemars::json_schema!({ "type": "string", "enum": codes })
}

impl Finding {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.message_da,
            Lang::En => &self.message_en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Da,
    En,
}

/// When residual risk is acceptable without involving the DPO (Copenhagen's own rule is
/// the default: no high residual risk, and medium ones at most 70 % of all). High residual
/// risk always means prior consultation (Art. 36), whatever the policy says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AcceptancePolicy {
    pub max_medium_percent: u8,
}

impl Default for AcceptancePolicy {
    fn default() -> Self {
        AcceptancePolicy { max_medium_percent: 70 }
    }
}

/// What the acceptance policy says about the residual risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// Within the policy.
    Accepted,
    /// Outside the policy: the DPO must be consulted.
    ConsultDpo,
    /// High residual risk remains: prior consultation of Datatilsynet (Art. 36).
    PriorConsultation,
    /// Some risk that applies has no residual level yet, so the policy cannot be judged:
    /// a share of "all risks" that leaves one out would call acceptable what may not be.
    Incomplete,
}

/// The JSON Schema of [`CheckReport`] — the shape `konsekvens check --json` prints, published
/// as `schema/check-report.v1.schema.json` for scripts that read it.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(CheckReport);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}

/// What the check needs besides the DPIA.
#[derive(Debug, Clone)]
pub struct CheckContext {
    /// Checking the joint base alone (no municipality).
    pub is_base: bool,
    pub policy: AcceptancePolicy,
    /// Today, for review dates, planned measures' dates and the age of audit statements.
    pub today: Day,
}

/// The check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckReport {
    /// Whose DPIA: municipality name, or the base.
    pub subject: String,
    pub findings: Vec<Finding>,
    pub picture: RiskPicture,
    pub acceptance: Acceptance,
    pub policy: AcceptancePolicy,
    /// WP248: how many criteria are met, and so whether a DPIA is required.
    pub wp248_met: usize,
    pub dpia_required: bool,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }
    /// Whether any finding has this code.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// Runs every rule.
pub fn check(dpia: &EffectiveDpia, ctx: &CheckContext) -> CheckReport {
    check_with_review(dpia, ctx, None)
}

/// Runs every rule, judging Art. 35(11) by the changes since the last review found in the
/// workspace's history (`review`), instead of by what the DPIA alone shows.
pub fn check_with_review(dpia: &EffectiveDpia, ctx: &CheckContext, review: Option<&ReviewStatus>) -> CheckReport {
    let picture = RiskPicture::of(dpia);
    let acceptance = picture.acceptance(&ctx.policy);
    let mut findings = rules::run(dpia, ctx, review, &picture, acceptance);
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.basis.cmp(&b.basis))
            .then_with(|| a.reference.cmp(&b.reference))
            .then_with(|| a.code.cmp(&b.code))
    });
    let wp248_met = dpia.wp248.met_count();
    CheckReport {
        subject: if ctx.is_base { dpia.base_name(true) } else { dpia.org.name.clone() },
        findings,
        picture,
        acceptance,
        policy: ctx.policy,
        wp248_met,
        dpia_required: wp248_met >= 2,
    }
}

/// [`check_with_review`] of many DPIAs — the coordinator's overview and the check of base +
/// 98 — on the machine's cores. Each check is a pure function of its inputs (the text memos
/// are per thread), so the answers are the ones a loop would give, in the order given.
pub fn check_each(jobs: &[(&EffectiveDpia, &CheckContext, &ReviewStatus)]) -> Vec<CheckReport> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let run = |&(dpia, ctx, review): &(&EffectiveDpia, &CheckContext, &ReviewStatus)| check_with_review(dpia, ctx, Some(review));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_CHECK_THREADS).min(jobs.len());
    if workers <= 1 {
        return jobs.iter().map(run).collect();
    }
    // each worker takes the next job as it finishes one (DPIAs differ in size)
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, CheckReport)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break mine };
                        mine.push((i, run(job)));
                    }
                })
            })
            .collect();
        // a rule that panics is a bug: surface it as the loop would have
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, report)| report).collect()
}

/// At most this many threads check at once: beyond a few, memory for the per-thread text
/// memos grows and the overview of 98 DPIAs gains nothing.
const MAX_CHECK_THREADS: usize = 4;

#[cfg(test)]
mod tests;
