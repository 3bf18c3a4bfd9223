//! A municipality's local supplement (tillæg): where its use of the system deviates from
//! the joint base. Each deviation is keyed by the base item it concerns.

use super::ids::{Day, ItemId, OrgCode};
use super::items::{
    Assessment, Items, JointCondition, LocalMeasureState, PriorConsultation, Prose, ReviewPlan,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who the supplement belongs to and the local facts that are not items.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SupplementMeta {
    pub org: Option<OrgCode>,
    pub name: String,
    pub ref_prefix: String,
    /// The base release the supplement was assessed against (empty: the working base).
    pub base_release: String,
    /// Local additions to the legal basis (e.g. a municipal council decision).
    pub local_legal_basis: Prose,
    pub contacts: Prose,
    /// The municipality's acceptance policy: the highest share (percent) of medium residual
    /// risks accepted without the DPO; `None` is the default 70 %.
    pub max_medium_percent: Option<u64>,
}

/// A person who signs the municipality's DPIA, and in what capacity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Signatory {
    pub id: ItemId,
    pub name: String,
    pub capacity: String,
}

/// A record that the municipality's DPIA was signed: what, by whom, in what capacity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Signing {
    pub id: ItemId,
    pub date: Option<Day>,
    pub signer: String,
    pub capacity: String,
    /// The base release the signed DPIA stood on.
    pub base_release: String,
    /// SHA-256 (hex) of the signed PDF.
    pub pdf_sha256: String,
}

/// The municipality rates a base risk differently, and says why.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RiskOverride {
    /// The base risk.
    pub target: ItemId,
    pub inherent: Option<Assessment>,
    pub residual: Option<Assessment>,
    pub reason: Prose,
}

/// A base measure is not carried out here, or carried out differently.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LocalMeasureStatus {
    pub target: ItemId,
    pub state: Option<LocalMeasureState>,
    pub text: Prose,
}

/// A base item does not apply in this municipality, with the justification.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NotApplicable {
    pub target: ItemId,
    pub justification: Prose,
}

/// The municipality's own count for a base data-subject category (e.g. after daycare rollout).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LocalSubjectCount {
    pub target: ItemId,
    pub count: Option<u64>,
    pub note: Prose,
}

/// One of the four joint-DPIA conditions, declared met or not, with reasons.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ConditionAnswer {
    pub met: Option<bool>,
    pub reason: Prose,
}

/// The declaration that the joint DPIA fits this municipality (decision §4.4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct JointConditions {
    pub same_system_type: ConditionAnswer,
    pub same_processing: ConditionAnswer,
    pub same_data: ConditionAnswer,
    pub similar_risks: ConditionAnswer,
}

impl JointConditions {
    pub fn answer(&self, c: JointCondition) -> &ConditionAnswer {
        match c {
            JointCondition::SameSystemType => &self.same_system_type,
            JointCondition::SameProcessing => &self.same_processing,
            JointCondition::SameData => &self.same_data,
            JointCondition::SimilarRisks => &self.similar_risks,
        }
    }
}

/// A municipality's supplement document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Supplement {
    pub meta: SupplementMeta,
    pub conditions: JointConditions,
    pub prior_consultation: PriorConsultation,
    pub review_plan: ReviewPlan,
    pub signatories: Vec<Signatory>,
    /// When the municipality's DPIA was signed, oldest first.
    pub signings: Vec<Signing>,
    /// Local additions: risks, measures, purposes, document types, systems …
    pub additions: Items,
    pub risk_overrides: Vec<RiskOverride>,
    pub measure_statuses: Vec<LocalMeasureStatus>,
    pub not_applicable: Vec<NotApplicable>,
    pub subject_counts: Vec<LocalSubjectCount>,
}
