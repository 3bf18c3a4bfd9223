//! Art. 35(11): the changes since the last review that call for a new one, measured from the
//! workspace's history — and the check of a workspace's DPIA with them. The state at the
//! last review is read from the nearest kept snapshot (never by replaying the log from the
//! start), and the status is kept per organisation by the log positions it read — in memory
//! and in the file (`answers`), so another municipality's edit leaves it standing.

use super::{AcceptancePolicy, CheckContext, CheckReport};
use crate::doc::DocKey;
use crate::effective::EffectiveDpia;
use crate::history::{self, Point};
use crate::model::*;
use crate::workspace::{View, WorkspaceError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A change since the last review that calls for a new review (Art. 35(11)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewTrigger {
    /// `purpose`, `data_category`, `subject_category`, `module`, `legal_basis`, `processor`,
    /// `risk_raised`, `subject_count`, `release`.
    pub kind: String,
    pub label: String,
    pub da: String,
    pub en: String,
}

/// What the review triggers were measured against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewStatus {
    /// Date of the last recorded review; `None` if none is recorded.
    pub last_review: Option<Day>,
    pub triggers: Vec<ReviewTrigger>,
}

/// The check of a municipality's effective DPIA (or, with `None`, of the base) as of `today`,
/// under the municipality's acceptance policy, with the review triggers from the history.
/// The entry point for the CLI, the app and the overview: cheap when nothing was logged
/// since the DPIA's documents last moved (the review status is kept by the positions it read).
pub fn check_in(view: &View<'_>, org: Option<OrgCode>, today: Day) -> Result<CheckReport, WorkspaceError> {
    let dpia = view.effective_or_base(org)?;
    check_effective(view, org, &dpia, today)
}

/// [`check_in`] of an effective DPIA the caller already built from `view`.
pub fn check_effective(view: &View<'_>, org: Option<OrgCode>, dpia: &EffectiveDpia, today: Day) -> Result<CheckReport, WorkspaceError> {
    let (ctx, review) = check_inputs(view, org, dpia, today)?;
    Ok(super::check_with_review(dpia, &ctx, Some(&review)))
}

/// What [`check_effective`] reads from the workspace besides the DPIA: the context (the
/// acceptance policy) and the review status. The rest of the check needs no workspace.
pub fn check_inputs(view: &View<'_>, org: Option<OrgCode>, dpia: &EffectiveDpia, today: Day) -> Result<(CheckContext, ReviewStatus), WorkspaceError> {
    let ctx = CheckContext { is_base: org.is_none(), policy: acceptance_policy(view, org)?, today };
    Ok((ctx, review_status_of(view, org, dpia)?))
}

/// The check of the joint base and of every municipality's DPIA, as of `today`: what the
/// coordinator checks before a release. The workspace is read first, in one thread; the
/// checks then run on the machine's cores ([`super::check_each`]).
pub fn check_all(view: &View<'_>, today: Day) -> Result<Vec<(Option<OrgCode>, CheckReport)>, WorkspaceError> {
    let orgs: Vec<Option<OrgCode>> = std::iter::once(None).chain(view.supplement_codes().into_iter().map(Some)).collect();
    let mut read = Vec::with_capacity(orgs.len());
    for org in &orgs {
        let dpia = view.effective_or_base(*org)?;
        let (ctx, review) = check_inputs(view, *org, &dpia, today)?;
        read.push((dpia, ctx, review));
    }
    let jobs: Vec<_> = read.iter().map(|(d, c, r)| (d, c, r)).collect();
    Ok(orgs.into_iter().zip(super::check_each(&jobs)).collect())
}

/// The acceptance policy the check applies: the municipality's own if it set one, else
/// the default (no high residual risk, medium at most 70 %).
pub fn acceptance_policy(view: &View<'_>, code: Option<OrgCode>) -> Result<AcceptancePolicy, WorkspaceError> {
    let mut policy = AcceptancePolicy::default();
    if let Some(code) = code {
        if let Some(percent) = view.supplement_shared(code)?.meta.max_medium_percent {
            policy.max_medium_percent = percent.min(100) as u8;
        }
    }
    Ok(policy)
}

/// The changes since the last review that call for a new one: a purpose, data category,
/// subject group or module added, a legal basis or the processor chain changed, a risk
/// raised, a municipality's subject count changed, or a newer release of the base.
/// Content that came in when the file was created or imported counts as reviewed.
pub fn review_status(view: &View<'_>, org: Option<OrgCode>) -> Result<ReviewStatus, WorkspaceError> {
    let now = view.effective_or_base(org)?;
    review_status_of(view, org, &now)
}

/// [`review_status`] of an effective DPIA the caller already built from `view`.
pub fn review_status_of(view: &View<'_>, org: Option<OrgCode>, now: &EffectiveDpia) -> Result<ReviewStatus, WorkspaceError> {
    // What it reads: the DPIA's documents (now, and at the last review found in them) and
    // the review baseline. An edit elsewhere — another municipality's supplement — leaves
    // it standing.
    let mut keys = vec![DocKey::Coordination, DocKey::Base];
    keys.extend(org.map(DocKey::Supplement));
    let mut inputs = format!("baseline {}", view.review_baseline()?);
    for key in &keys {
        inputs.push_str(&format!(" {key} {}", view.last_seq(*key)?));
    }
    let memo = format!("review-status/{}", org.map(|o| o.to_string()).unwrap_or_default());
    if let Some(status) = view.memo(&memo, &inputs).and_then(|v| serde_json::from_value(v).ok()) {
        return Ok(status);
    }
    let last_review = now.items.reviews.iter().filter(|e| e.applies()).filter_map(|e| e.item.date).max();
    let since_millis = last_review.map(history::end_of_day_millis).unwrap_or(i64::MIN);
    let seq = view.seq_at(since_millis)?.max(view.review_baseline()?);
    // Nothing of the DPIA's documents logged since: it is as it was, no trigger from changes.
    let mut unchanged = true;
    for key in keys {
        unchanged &= view.last_seq(key)? <= seq;
    }
    let mut triggers = if unchanged { Vec::new() } else { triggers_between(&history::dpia_at(view, org, &Point::Seq(seq))?, now) };
    if let (Some(release), Some(reviewed)) = (&now.latest_release, last_review) {
        if release.date.is_some_and(|d| d > reviewed) {
            triggers.push(ReviewTrigger {
                kind: "release".into(),
                label: release.name.clone(),
                da: format!("ny udgivelse af fælles basis: {}", release.name),
                en: format!("a new release of the joint base: {}", release.name),
            });
        }
    }
    let status = ReviewStatus { last_review, triggers };
    view.remember(&memo, &inputs, serde_json::to_value(&status).expect("a review status serialises"));
    Ok(status)
}

fn trigger(kind: &str, label: String, da: String, en: String) -> ReviewTrigger {
    ReviewTrigger { kind: kind.into(), label, da, en }
}

/// The review triggers between two states of one DPIA.
pub fn triggers_between(then: &EffectiveDpia, now: &EffectiveDpia) -> Vec<ReviewTrigger> {
    let mut out = Vec::new();
    macro_rules! added {
        ($field:ident, $kind:literal, $da:literal, $en:literal, $name:ident) => {
            let old: std::collections::BTreeSet<&ItemId> = then.items.$field.iter().filter(|e| e.applies()).map(|e| &e.item.id).collect();
            for e in now.items.$field.iter().filter(|e| e.applies() && !old.contains(&e.item.id)) {
                let label = format!("{} {}", e.item.reference, e.item.$name);
                out.push(trigger($kind, label.clone(), format!("{} tilføjet: {label}", $da), format!("{} added: {label}", $en)));
            }
        };
    }
    added!(purposes, "purpose", "formål", "purpose", title);
    added!(data_categories, "data_category", "kategori af oplysninger", "data category", name);
    added!(subject_categories, "subject_category", "kategori af registrerede", "data-subject category", name);
    added!(modules, "module", "modul", "module", name);

    let old_purposes: BTreeMap<&ItemId, &Purpose> = then.items.purposes.iter().map(|e| (&e.item.id, &*e.item)).collect();
    for e in &now.items.purposes {
        if let Some(old) = old_purposes.get(&e.item.id) {
            if old.legal_basis != e.item.legal_basis {
                let label = format!("{} {}", e.item.reference, e.item.title);
                out.push(trigger("legal_basis", label.clone(), format!("retsgrundlaget er ændret for {label}"), format!("the legal basis changed for {label}")));
            }
        }
    }
    let chain = |d: &EffectiveDpia| -> BTreeMap<ItemId, (String, Option<ProcessorRole>, Option<ItemId>, String)> {
        d.items.processors.iter().filter(|e| e.applies()).map(|e| (e.item.id.clone(), (e.item.name.clone(), e.item.role, e.item.parent.clone(), e.item.location.clone()))).collect()
    };
    let (old_chain, new_chain) = (chain(then), chain(now));
    if old_chain != new_chain {
        let names: Vec<String> = new_chain.values().map(|(n, ..)| n.clone()).collect();
        out.push(trigger("processor", names.join(" → "), format!("databehandlerkæden er ændret (nu: {})", names.join(", ")), format!("the processor chain changed (now: {})", names.join(", "))));
    }
    let old_risks: BTreeMap<&ItemId, &Risk> = then.items.risks.iter().filter(|e| e.applies()).map(|e| (&e.item.id, &*e.item)).collect();
    for e in now.items.risks.iter().filter(|e| e.applies()) {
        let Some(old) = old_risks.get(&e.item.id) else { continue };
        let raised = |a: Option<RiskLevel>, b: Option<RiskLevel>| matches!((a, b), (Some(a), Some(b)) if b > a);
        if raised(old.inherent.level(), e.item.inherent.level()) || raised(old.residual.level(), e.item.residual.level()) {
            let label = format!("{} {}", e.item.reference, e.item.title);
            out.push(trigger("risk_raised", label.clone(), format!("risikoen er vurderet højere: {label}"), format!("the risk was rated higher: {label}")));
        }
    }
    let old_counts: BTreeMap<&ItemId, Option<u64>> = then.items.subject_categories.iter().map(|e| (&e.item.id, e.item.count)).collect();
    for e in now.items.subject_categories.iter().filter(|e| e.applies()) {
        if let Some(old) = old_counts.get(&e.item.id) {
            if *old != e.item.count {
                let label = format!("{} {}", e.item.reference, e.item.name);
                let show = |c: Option<u64>| c.map(|c| c.to_string()).unwrap_or_else(|| "—".into());
                out.push(trigger("subject_count", label.clone(), format!("antal registrerede ændret for {label}: {} → {}", show(*old), show(e.item.count)), format!("number of data subjects changed for {label}: {} → {}", show(*old), show(e.item.count))));
            }
        }
    }
    out
}

