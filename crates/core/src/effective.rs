//! The effective DPIA of one municipality: the joint base ⊕ that municipality's supplement.
//!
//! Every entry says where it comes from ([`Origin`]). Base items the supplement deviates
//! from carry the [`Deviation`] next to the base value it replaces, so a reader (and the
//! PDF) can show both; base items marked not applicable stay in the view, marked, with the
//! justification, because Datatilsynet must see that they were considered.

use crate::doc::DocKey;
use crate::model::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// From the joint base.
    Base,
    /// Added by the municipality's supplement.
    Local,
}

/// How the municipality deviates from a base item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
// The rating variant keeps both base assessments beside the local one by value: a few hundred
// bytes per deviation, read far more often than built.
#[allow(clippy::large_enum_variant)]
pub enum Deviation {
    /// The risk is rated differently here; the base ratings it replaces are kept.
    RiskRating { base_inherent: Assessment, base_residual: Assessment, reason: Prose },
    /// The base measure is not implemented here, or implemented differently.
    MeasureStatus { state: Option<LocalMeasureState>, text: Prose },
    /// The municipality's own number of data subjects.
    SubjectCount { base_count: Option<u64>, note: Prose },
}

/// One item of the effective DPIA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Entry<T> {
    /// The item, shared with the base it comes from and with every other effective DPIA
    /// built on that base (see [`SharedItems`]); an entry the supplement changes (a local
    /// rating, a local count) has its own copy. Serialised as the item itself.
    #[serde(flatten)]
    pub item: Arc<T>,
    pub origin: Origin,
    pub deviation: Option<Deviation>,
    /// The supplement's justification where this base item does not apply here.
    pub not_applicable: Option<Prose>,
    /// The document the item is edited in (`base`, `supplement/101`), so readers do not
    /// build document keys themselves.
    #[serde(default)]
    pub doc: String,
}

/// What every entry has, whatever its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryHead<'a> {
    pub id: &'a ItemId,
    pub reference: &'a Reference,
    pub origin: Origin,
    pub not_applicable: Option<&'a Prose>,
}

impl<'a> EntryHead<'a> {
    fn of<T: Catalogued>(e: &'a Entry<T>) -> Self {
        let (id, reference) = e.item.identity();
        EntryHead { id, reference, origin: e.origin, not_applicable: e.not_applicable.as_ref() }
    }
}

/// Every item id in the base, over all collections.
pub fn base_ids(base: &Base) -> impl Iterator<Item = &ItemId> {
    base.items.identities().map(|(id, _)| id)
}

/// The documents an effective DPIA's entries live in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Documents {
    /// The base's key (`base`).
    pub base: String,
    /// The municipality's supplement (`supplement/101`); `None` for the base alone.
    pub local: Option<String>,
}

/// The levels of one assessment: the highest (`overall`) and each dimension's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Levels {
    pub overall: Option<RiskLevel>,
    pub confidentiality: Option<RiskLevel>,
    pub integrity: Option<RiskLevel>,
    pub availability: Option<RiskLevel>,
}

impl From<&Assessment> for Levels {
    fn from(a: &Assessment) -> Self {
        Levels {
            overall: a.level(),
            confidentiality: a.confidentiality.level(),
            integrity: a.integrity.level(),
            availability: a.availability.level(),
        }
    }
}

/// What a reader shows of a risk, derived here so that no reader derives it again: its
/// levels (and those of the base ratings a local rating replaces) and the measures that
/// apply here and mitigate it, in reference order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RiskFacts {
    pub inherent: Levels,
    pub residual: Levels,
    pub base_inherent: Option<Levels>,
    pub base_residual: Option<Levels>,
    pub measures: Vec<ItemId>,
}

impl<T> Entry<T> {
    pub fn is_local(&self) -> bool {
        self.origin == Origin::Local
    }
    /// Applies here: not marked not applicable.
    pub fn applies(&self) -> bool {
        self.not_applicable.is_none()
    }
}

macro_rules! effective_items {
    (shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ } $($others:tt)*) => {
        /// The collections of the effective DPIA, base entries first, then local ones.
        #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        pub struct EffectiveItems {
            $(pub $sc: Vec<Entry<$s>>,)+
        }

        /// A base's items, each behind an `Arc`: made once per base, and every effective
        /// DPIA built on that base shares them instead of copying them.
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct SharedItems {
            $(pub $sc: Vec<Arc<$s>>,)+
        }

        impl SharedItems {
            pub fn of(items: &Items) -> Self {
                SharedItems { $($sc: items.$sc.iter().cloned().map(Arc::new).collect(),)+ }
            }
        }

        impl EffectiveItems {
            /// Base items and the supplement's additions, each collection in reference order.
            fn merge(base: &SharedItems, local: &Items, docs: &Documents, not_applicable: &BTreeMap<&ItemId, &Prose>) -> Self {
                EffectiveItems { $($sc: merge(&base.$sc, &local.$sc, docs, not_applicable),)+ }
            }

            /// What every entry has whatever its kind, over all collections.
            pub fn heads(&self) -> impl Iterator<Item = EntryHead<'_>> {
                std::iter::empty()$(.chain(self.$sc.iter().map(EntryHead::of)))+
            }
        }
    };
}
crate::item_catalogue!(effective_items);

/// What an effective DPIA reads of a base, made once per base: every effective DPIA built
/// on it shares its items ([`SharedItems`]) instead of copying them. A release's is kept
/// beside its parsed content ([`Release::shared_base`]), the working base's by a `View`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SharedBase {
    pub meta: BaseMeta,
    pub description: Description,
    pub wp248: Wp248,
    pub prior_consultation: PriorConsultation,
    pub review_plan: ReviewPlan,
    pub items: SharedItems,
    /// Every item id in the base ([`base_ids`]).
    pub ids: std::collections::BTreeSet<ItemId>,
}

impl SharedBase {
    pub fn of(base: &Base) -> Self {
        SharedBase {
            meta: base.meta.clone(),
            description: base.description.clone(),
            wp248: base.wp248.clone(),
            prior_consultation: base.prior_consultation.clone(),
            review_plan: base.review_plan.clone(),
            items: SharedItems::of(&base.items),
            ids: base_ids(base).cloned().collect(),
        }
    }
}

/// A release of the base, as the effective DPIA names it (without its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReleaseStamp {
    pub name: String,
    pub date: Option<Day>,
    pub content_hash: String,
    pub published_at: i64,
}

impl From<&Release> for ReleaseStamp {
    fn from(r: &Release) -> Self {
        ReleaseStamp { name: r.name.clone(), date: r.date, content_hash: r.content_hash.clone(), published_at: r.published_at }
    }
}

/// A municipality's DPIA as it will be checked, printed and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EffectiveDpia {
    pub org: Participant,
    pub coordinator: String,
    /// Whether the DPIA is joint (it has participating municipalities, each with a
    /// supplement). One without is one controller's own DPIA: nothing in it is headed
    /// «Fælles basis».
    pub joint: bool,
    pub base: BaseMeta,
    /// The base release the supplement was assessed against (its name; empty: none).
    pub base_release: String,
    /// The release whose content this DPIA is built on; `None` when built on the working
    /// base (the base alone, a supplement bound to no release, or one whose release is
    /// not in this file — see `release_problem`).
    pub release: Option<ReleaseStamp>,
    /// Why the bound release could not be used (not in this file yet, or damaged).
    pub release_problem: Option<String>,
    /// The newest release of the base there is.
    pub latest_release: Option<ReleaseStamp>,
    pub description: Description,
    pub local_legal_basis: Prose,
    pub contacts: Prose,
    pub wp248: Wp248,
    pub conditions: JointConditions,
    pub prior_consultation: PriorConsultation,
    pub prior_consultation_origin: Origin,
    pub review_plan: ReviewPlan,
    pub review_plan_origin: Origin,
    pub signatories: Vec<Signatory>,
    pub items: EffectiveItems,
    /// Supplement entries whose base item does not exist (for the check to report).
    pub unresolved_targets: Vec<ItemId>,
    /// Where the entries are edited.
    pub documents: Documents,
    /// Every risk's levels and measures by its id, as [`EffectiveDpia::risk_facts`] derives
    /// them when the DPIA is computed (for readers such as the app; Rust code asks the methods).
    pub risk_facts: BTreeMap<ItemId, RiskFacts>,
}

fn merge<T: Clone + Catalogued>(base: &[Arc<T>], local: &[T], docs: &Documents, not_applicable: &BTreeMap<&ItemId, &Prose>) -> Vec<Entry<T>> {
    let from_base = base.iter().map(|item| Entry {
        not_applicable: not_applicable.get(item.identity().0).map(|p| (*p).clone()),
        item: Arc::clone(item),
        origin: Origin::Base,
        deviation: None,
        doc: docs.base.clone(),
    });
    let from_local = local.iter().map(|item| Entry {
        not_applicable: None,
        item: Arc::new(item.clone()),
        origin: Origin::Local,
        deviation: None,
        doc: docs.local.clone().unwrap_or_default(),
    });
    from_base.chain(from_local).collect()
}

/// A section the supplement sets overrides the base's; an empty one leaves the base's.
fn local_or_base<S: Clone + Default + PartialEq>(local: &S, base: &S) -> (S, Origin) {
    if *local != S::default() {
        (local.clone(), Origin::Local)
    } else {
        (base.clone(), Origin::Base)
    }
}

impl EffectiveDpia {
    /// What the base alone is called: «Fælles basis» of a joint DPIA; of one controller's
    /// own DPIA, that controller (the coordinator field names it) or the DPIA's title.
    pub fn base_name(&self, da: bool) -> String {
        if self.joint {
            return if da { "Fælles basis" } else { "Joint base" }.into();
        }
        [&self.coordinator, &self.base.title, &self.base.system]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| if da { "Konsekvensanalyse" } else { "DPIA" }.into())
    }

    /// Computes base ⊕ supplement. `participant` is the coordination document's entry.
    /// A supplement bound to a release builds on that release's content, not on the
    /// working base: the municipality assessed that text, and it stays what it signed until
    /// it confirms a newer release.
    pub fn compute(coordination: &Coordination, working: &Base, supplement: &Supplement, participant: &Participant) -> Self {
        Self::compute_on(coordination, || Arc::new(SharedBase::of(working)), supplement, participant)
    }

    /// [`EffectiveDpia::compute`] on a working base already shared ([`SharedBase`]), asked
    /// only when the DPIA does not stand on a release: the entries share the base's items
    /// instead of copying them (a view builds 98 municipalities' DPIAs on one base).
    pub fn compute_on(coordination: &Coordination, working: impl FnOnce() -> Arc<SharedBase>, supplement: &Supplement, participant: &Participant) -> Self {
        let bound = supplement.meta.base_release.as_str();
        let (released, release_problem) = if bound.is_empty() {
            (None, None)
        } else {
            match coordination.require_release(bound).and_then(|r| Ok((ReleaseStamp::from(r), r.shared_base()?))) {
                Ok(found) => (Some(found), None),
                Err(e) => (None, Some(e.to_string())),
            }
        };
        let (release, base) = match released {
            Some((stamp, base)) => (Some(stamp), base),
            None => (None, working()),
        };
        let na: BTreeMap<&ItemId, &Prose> =
            supplement.not_applicable.iter().map(|n| (&n.target, &n.justification)).collect();
        let documents = Documents {
            base: DocKey::Base.name(),
            local: participant.code.or(supplement.meta.org).map(|code| DocKey::Supplement(code).name()),
        };
        let mut items = EffectiveItems::merge(&base.items, &supplement.additions, &documents, &na);
        let mut unresolved = Vec::new();

        for o in &supplement.risk_overrides {
            match items.risks.iter_mut().find(|e| e.origin == Origin::Base && e.item.id == o.target) {
                Some(entry) => {
                    entry.deviation = Some(Deviation::RiskRating {
                        base_inherent: entry.item.inherent.clone(),
                        base_residual: entry.item.residual.clone(),
                        reason: o.reason.clone(),
                    });
                    // The entry's own copy: the base's item stays shared and unchanged.
                    if let Some(a) = &o.inherent {
                        Arc::make_mut(&mut entry.item).inherent = a.clone();
                    }
                    if let Some(a) = &o.residual {
                        Arc::make_mut(&mut entry.item).residual = a.clone();
                    }
                }
                None => unresolved.push(o.target.clone()),
            }
        }
        for s in &supplement.measure_statuses {
            match items.measures.iter_mut().find(|e| e.origin == Origin::Base && e.item.id == s.target) {
                Some(entry) => {
                    entry.deviation = Some(Deviation::MeasureStatus { state: s.state, text: s.text.clone() })
                }
                None => unresolved.push(s.target.clone()),
            }
        }
        for c in &supplement.subject_counts {
            match items.subject_categories.iter_mut().find(|e| e.origin == Origin::Base && e.item.id == c.target) {
                Some(entry) => {
                    entry.deviation = Some(Deviation::SubjectCount { base_count: entry.item.count, note: c.note.clone() });
                    Arc::make_mut(&mut entry.item).count = c.count;
                }
                None => unresolved.push(c.target.clone()),
            }
        }
        unresolved.extend(supplement.not_applicable.iter().filter(|n| !base.ids.contains(&n.target)).map(|n| n.target.clone()));

        let (prior_consultation, prior_consultation_origin) =
            local_or_base(&supplement.prior_consultation, &base.prior_consultation);
        let (review_plan, review_plan_origin) = local_or_base(&supplement.review_plan, &base.review_plan);
        let mut org = participant.clone();
        if org.name.is_empty() {
            org.name = supplement.meta.name.clone();
        }
        let mut dpia = EffectiveDpia {
            org,
            coordinator: coordination.coordinator.clone(),
            joint: !coordination.participants.is_empty(),
            base: base.meta.clone(),
            base_release: supplement.meta.base_release.clone(),
            release,
            release_problem,
            latest_release: coordination.latest_release().map(ReleaseStamp::from),
            description: base.description.clone(),
            local_legal_basis: supplement.meta.local_legal_basis.clone(),
            contacts: supplement.meta.contacts.clone(),
            wp248: base.wp248.clone(),
            conditions: supplement.conditions.clone(),
            prior_consultation,
            prior_consultation_origin,
            review_plan,
            review_plan_origin,
            signatories: supplement.signatories.clone(),
            items,
            unresolved_targets: unresolved,
            documents,
            risk_facts: BTreeMap::new(),
        };
        dpia.risk_facts = dpia.risk_facts();
        dpia
    }

    /// Every risk's levels and the measures that mitigate it here.
    pub fn risk_facts(&self) -> BTreeMap<ItemId, RiskFacts> {
        self.items
            .risks
            .iter()
            .map(|e| {
                let (base_inherent, base_residual) = match &e.deviation {
                    Some(Deviation::RiskRating { base_inherent, base_residual, .. }) => (Some(base_inherent.into()), Some(base_residual.into())),
                    _ => (None, None),
                };
                let facts = RiskFacts {
                    inherent: (&e.item.inherent).into(),
                    residual: (&e.item.residual).into(),
                    base_inherent,
                    base_residual,
                    measures: self.measures_for(&e.item.id).map(|m| m.item.id.clone()).collect(),
                };
                (e.item.id.clone(), facts)
            })
            .collect()
    }

    /// Counts of risks per level (low, medium, high) before and after measures, over the
    /// risks that apply here. Unrated risks are not counted.
    pub fn distribution(&self) -> (LevelCounts, LevelCounts) {
        let mut before = LevelCounts::default();
        let mut after = LevelCounts::default();
        for e in self.items.risks.iter().filter(|e| e.applies()) {
            before.add(e.item.inherent.level());
            after.add(e.item.residual.level());
        }
        (before, after)
    }

    /// Every item's short reference by its stable ID, to print links by reference.
    pub fn references(&self) -> BTreeMap<ItemId, String> {
        self.items.heads().map(|h| (h.id.clone(), h.reference.0.clone())).collect()
    }

    /// Measures that apply here and mitigate `risk`.
    pub fn measures_for<'a>(&'a self, risk: &'a ItemId) -> impl Iterator<Item = &'a Entry<Measure>> + 'a {
        self.items.measures.iter().filter(move |m| m.applies() && m.item.mitigates.contains(risk))
    }
}

/// How many risks sit at each level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LevelCounts {
    pub low: usize,
    pub medium: usize,
    pub high: usize,
}

impl LevelCounts {
    fn add(&mut self, level: Option<RiskLevel>) {
        match level {
            Some(RiskLevel::Low) => self.low += 1,
            Some(RiskLevel::Medium) => self.medium += 1,
            Some(RiskLevel::High) => self.high += 1,
            None => {}
        }
    }
    pub fn total(&self) -> usize {
        self.low + self.medium + self.high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated(c: Consequence, l: Likelihood) -> Assessment {
        let r = Rating { consequence: Some(c), likelihood: Some(l), ..Rating::default() };
        Assessment { confidentiality: r.clone(), integrity: r.clone(), availability: r }
    }

    fn fixture() -> (Coordination, Base, Supplement, Participant) {
        let kbh = Participant { code: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into() };
        let coordination = Coordination { coordinator: "KL/KOMBIT".into(), base_write_policy: None, participants: vec![kbh.clone()], ..Default::default() };
        let mut base = Base::default();
        base.items.risks.push(Risk {
            id: "r-1".into(),
            reference: Reference("R1".into()),
            inherent: rated(Consequence::Serious, Likelihood::Possible),
            residual: rated(Consequence::Serious, Likelihood::Unlikely),
            ..Risk::default()
        });
        base.items.measures.push(Measure { id: "m-1".into(), reference: Reference("M1".into()), mitigates: ["r-1".into()].into(), ..Measure::default() });
        base.items.subject_categories.push(SubjectCategory { id: "s-1".into(), count: Some(1000), ..Default::default() });
        let mut s = Supplement::default();
        s.additions.measures.push(Measure { id: "kbh-m-1".into(), reference: Reference("KBH-M1".into()), mitigates: ["r-1".into()].into(), ..Measure::default() });
        s.risk_overrides.push(RiskOverride { target: "r-1".into(), inherent: Some(rated(Consequence::Serious, Likelihood::Expected)), residual: None, reason: "UNI-login".into() });
        s.subject_counts.push(LocalSubjectCount { target: "s-1".into(), count: Some(40), note: "dagtilbud".into() });
        s.not_applicable.push(NotApplicable { target: "m-1".into(), justification: "bruges ikke".into() });
        s.not_applicable.push(NotApplicable { target: "gone".into(), justification: "x".into() });
        (coordination, base, s, kbh)
    }

    #[test]
    fn overrides_replace_the_base_value_and_keep_it_beside() {
        let (c, b, s, p) = fixture();
        let e = EffectiveDpia::compute(&c, &b, &s, &p);
        let risk = &e.items.risks[0];
        assert_eq!(risk.item.inherent.level(), Some(RiskLevel::Medium));
        assert_eq!(risk.item.inherent.confidentiality.likelihood, Some(Likelihood::Expected));
        match &risk.deviation {
            Some(Deviation::RiskRating { base_inherent, reason, .. }) => {
                assert_eq!(base_inherent.confidentiality.likelihood, Some(Likelihood::Possible));
                assert_eq!(reason.as_str(), "UNI-login");
            }
            other => panic!("expected a rating deviation, got {other:?}"),
        }
        assert_eq!(e.items.subject_categories[0].item.count, Some(40));
    }

    #[test]
    fn local_items_follow_base_items_and_not_applicable_is_marked() {
        let (c, b, s, p) = fixture();
        let e = EffectiveDpia::compute(&c, &b, &s, &p);
        let origins: Vec<Origin> = e.items.measures.iter().map(|m| m.origin).collect();
        assert_eq!(origins, [Origin::Base, Origin::Local]);
        assert!(!e.items.measures[0].applies());
        // only the local measure still mitigates R1 here
        let r1 = ItemId::from("r-1");
        let here: Vec<&str> = e.measures_for(&r1).map(|m| m.item.reference.as_str()).collect();
        assert_eq!(here, ["KBH-M1"]);
        assert_eq!(e.unresolved_targets, vec![ItemId::from("gone")]);
    }

    #[test]
    fn entries_name_their_document_and_risks_carry_their_levels_and_measures() {
        let (c, b, s, p) = fixture();
        let e = EffectiveDpia::compute(&c, &b, &s, &p);
        assert_eq!(e.documents, Documents { base: "base".into(), local: Some("supplement/101".into()) });
        let docs: Vec<&str> = e.items.measures.iter().map(|m| m.doc.as_str()).collect();
        assert_eq!(docs, ["base", "supplement/101"]);
        let facts = &e.risk_facts[&ItemId::from("r-1")];
        let risk = &e.items.risks[0].item;
        assert_eq!(facts.inherent.overall, risk.inherent.level());
        assert_eq!(facts.inherent.overall, Some(RiskLevel::Medium), "the local rating (serious × expected)");
        assert_eq!(facts.residual.integrity, risk.residual.integrity.level());
        assert_eq!(facts.base_inherent.map(|l| l.overall), Some(Some(RiskLevel::Medium)), "serious × possible");
        assert_eq!(facts.base_residual.map(|l| l.confidentiality), Some(Some(RiskLevel::Low)));
        assert_eq!(facts.measures, [ItemId::from("kbh-m-1")], "the base measure does not apply here");

        let alone = EffectiveDpia::compute(&c, &b, &Supplement::default(), &Participant::default());
        assert_eq!(alone.documents.local, None);
        let facts = &alone.risk_facts[&ItemId::from("r-1")];
        assert_eq!((facts.base_inherent, facts.measures.as_slice()), (None, [ItemId::from("m-1")].as_slice()));
    }

    /// The cases the app's own level function was tested with, before the levels came in the
    /// effective DPIA: the highest over the rated dimensions; none when none is rated.
    #[test]
    fn levels_are_the_highest_over_the_rated_dimensions() {
        let r = |c: Option<Consequence>, l: Option<Likelihood>| Rating { consequence: c, likelihood: l, ..Rating::default() };
        use Consequence::*;
        use Likelihood::*;
        let a = |c: Rating, i: Rating, av: Rating| Levels::from(&Assessment { confidentiality: c, integrity: i, availability: av }).overall;
        assert_eq!(a(r(Some(Limited), Some(Unlikely)), r(Some(Devastating), Some(Expected)), r(Some(Serious), Some(Possible))), Some(RiskLevel::High));
        assert_eq!(a(r(Some(Limited), Some(Unlikely)), r(Some(Serious), Some(Possible)), r(None, None)), Some(RiskLevel::Medium));
        assert_eq!(a(r(None, None), r(Some(Limited), Some(Possible)), r(Some(Devastating), None)), Some(RiskLevel::Low));
        assert_eq!(a(r(None, None), r(None, Some(Likely)), r(None, None)), None);
        let half = Levels::from(&Assessment { confidentiality: r(Some(Limited), None), ..Assessment::default() });
        assert_eq!(half.confidentiality, None);
    }

    #[test]
    fn entries_come_in_reference_order_base_first() {
        let (c, mut b, mut s, p) = fixture();
        for (id, r) in [("r-10", "R10"), ("r-2", "R2")] {
            b.items.risks.push(Risk { id: id.into(), reference: Reference(r.into()), ..Risk::default() });
        }
        s.additions.risks.push(Risk { id: "kbh-r-1".into(), reference: Reference("KBH-R1".into()), ..Risk::default() });
        // As the document layer reads them: each collection sorted by reference.
        b.items.risks.sort_by(|x, y| x.reference.cmp(&y.reference));
        let e = EffectiveDpia::compute(&c, &b, &s, &p);
        let refs: Vec<&str> = e.items.risks.iter().map(|r| r.item.reference.as_str()).collect();
        assert_eq!(refs, ["R1", "R2", "R10", "KBH-R1"]);
        assert!(e.items.risks.windows(2).all(|w| w[0].item.reference <= w[1].item.reference));
    }

    /// A copy that shares nothing with the original.
    fn deep<T: Serialize + serde::de::DeserializeOwned>(v: &T) -> T {
        serde_json::from_value(serde_json::to_value(v).unwrap()).unwrap()
    }

    /// The effective DPIAs a view builds share the base's items (a release's, or the working
    /// base's). Each must equal the one built the old way, every entry its own copy — from
    /// copies of the view's inputs, the release parsed again — for every municipality of the
    /// sample and of a small year of use (local ratings and counts, releases), and building
    /// one must leave those built before it unchanged.
    #[test]
    fn shared_effective_dpias_equal_the_ones_built_from_copies() {
        let dir = tempfile::tempdir().unwrap();
        let env = || Arc::new(crate::env::FixedEnv::new(1_796_000_000_000, 42)) as Arc<dyn crate::env::Env>;
        let demo = crate::Workspace::create_demo(&dir.path().join("demo.konsekvens"), env()).unwrap();
        let spec = crate::fixtures::YearSpec { edits: 150, municipalities: 6, seed: 3 };
        let year = crate::fixtures::year_of_use(&dir.path().join("year.konsekvens"), &spec).unwrap();
        let mut overridden = 0;
        for ws in [&demo, &year] {
            let view = ws.view();
            let mut orgs = vec![None];
            orgs.extend(view.supplement_codes().into_iter().map(Some));
            // All built on one view first, then compared last to first.
            let shared: Vec<EffectiveDpia> = orgs.iter().map(|o| view.effective_or_base(*o).unwrap()).collect();
            let (coordination, base) = (deep(&view.coordination().unwrap()), deep(&view.base().unwrap()));
            for (org, dpia) in orgs.iter().zip(&shared).rev() {
                let (supplement, participant) = match org {
                    Some(code) => (deep(&view.supplement(*code).unwrap()), view.participant(*code).unwrap()),
                    None => (Supplement::default(), Participant::joint_base()),
                };
                crate::release::released::forget();
                let owned = EffectiveDpia::compute(&coordination, &base, &supplement, &participant);
                assert_eq!(dpia, &owned, "{org:?}");
                assert_eq!(serde_json::to_string(dpia).unwrap(), serde_json::to_string(&owned).unwrap(), "{org:?}");
                overridden += supplement.risk_overrides.len();
            }
            // They do share: a base entry no supplement changes is one item for all.
            let release = |d: &EffectiveDpia| d.release.as_ref().map(|r| r.name.clone());
            let (first, second) = shared[1..]
                .iter()
                .enumerate()
                .find_map(|(i, a)| shared[i + 2..].iter().find(|b| release(b) == release(a)).map(|b| (a, b)))
                .expect("two municipalities on the same base");
            let i = first.items.measures.iter().position(|e| e.origin == Origin::Base).unwrap();
            assert!(Arc::ptr_eq(&first.items.measures[i].item, &second.items.measures[i].item));
        }
        assert!(overridden > 0, "the samples rate some risks locally");
    }

    #[test]
    fn distribution_counts_before_and_after() {
        let (c, b, s, p) = fixture();
        let (before, after) = EffectiveDpia::compute(&c, &b, &s, &p).distribution();
        assert_eq!((before.medium, after.low), (1, 1));
    }
}
