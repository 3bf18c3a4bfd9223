//! The risk picture: how many risks are low, medium and high before and after measures
//! (as Copenhagen summarised 2020 against 2021), and where they sit in the
//! consequence × likelihood matrix, per confidentiality, integrity and availability.

use super::{Acceptance, AcceptancePolicy};
use crate::effective::{EffectiveDpia, LevelCounts};
use crate::model::{Assessment, Dimension};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Counts with their percentages of all rated risks (rounded to whole percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Share {
    pub counts: LevelCounts,
    pub low_percent: u8,
    pub medium_percent: u8,
    pub high_percent: u8,
}

impl Share {
    fn of(counts: LevelCounts) -> Share {
        let total = counts.total();
        let pct = |n: usize| if total == 0 { 0 } else { ((n * 100) as f64 / total as f64).round() as u8 };
        Share { counts, low_percent: pct(counts.low), medium_percent: pct(counts.medium), high_percent: pct(counts.high) }
    }
}

/// `cells[consequence step − 1][likelihood step − 1]` = number of risks there.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Matrix {
    pub dimension: Option<Dimension>,
    pub cells: [[usize; 4]; 4],
}

impl Matrix {
    fn of(dimension: Dimension, assessments: &[&Assessment]) -> Matrix {
        let mut cells = [[0; 4]; 4];
        for a in assessments {
            let r = a.rating(dimension);
            if let (Some(c), Some(l)) = (r.consequence, r.likelihood) {
                cells[c.step() as usize - 1][l.step() as usize - 1] += 1;
            }
        }
        Matrix { dimension: Some(dimension), cells }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RiskPicture {
    pub before: Share,
    pub after: Share,
    /// Confidentiality, integrity, availability — before measures.
    pub matrices_before: Vec<Matrix>,
    /// Confidentiality, integrity, availability — after measures.
    pub matrices_after: Vec<Matrix>,
    /// Risks that apply but have no level before (after) measures: not in the shares.
    pub unrated_before: usize,
    pub unrated_after: usize,
}

impl RiskPicture {
    pub fn of(dpia: &EffectiveDpia) -> RiskPicture {
        let (before, after) = dpia.distribution();
        let applying: Vec<_> = dpia.items.risks.iter().filter(|e| e.applies()).collect();
        let inherent: Vec<&Assessment> = applying.iter().map(|e| &e.item.inherent).collect();
        let residual: Vec<&Assessment> = applying.iter().map(|e| &e.item.residual).collect();
        RiskPicture {
            before: Share::of(before),
            after: Share::of(after),
            matrices_before: Dimension::ALL.iter().map(|d| Matrix::of(*d, &inherent)).collect(),
            matrices_after: Dimension::ALL.iter().map(|d| Matrix::of(*d, &residual)).collect(),
            unrated_before: applying.len().saturating_sub(before.total()),
            unrated_after: applying.len().saturating_sub(after.total()),
        }
    }

    /// Applies the policy to the residual risk: high risk left → Art. 36; a medium share
    /// over the policy → consult the DPO.
    pub fn acceptance(&self, policy: &AcceptancePolicy) -> Acceptance {
        let after = self.after.counts;
        if after.high > 0 {
            Acceptance::PriorConsultation
        } else if self.unrated_after > 0 {
            Acceptance::Incomplete
        } else if after.medium * 100 > policy.max_medium_percent as usize * after.total() {
            Acceptance::ConsultDpo
        } else {
            Acceptance::Accepted
        }
    }
}
