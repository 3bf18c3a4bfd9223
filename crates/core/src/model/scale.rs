//! The rating scales of Art. 35(7)(c): consequence and likelihood, each on four steps,
//! combined into a risk level (lav / mellem / høj) by a fixed matrix.
//!
//! The words are KOMBIT's (ødelæggende, meget alvorlig, alvorlig; forventet, sandsynlig),
//! completed downwards so each scale has four steps and a sheet's 1–4 maps onto it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How badly the data subjects are hurt if the threat happens (konsekvens).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Consequence {
    /// Begrænset
    Limited = 1,
    /// Alvorlig
    Serious = 2,
    /// Meget alvorlig
    VerySerious = 3,
    /// Ødelæggende
    Devastating = 4,
}

/// How likely the threat is to happen (sandsynlighed).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Likelihood {
    /// Usandsynlig
    Unlikely = 1,
    /// Mulig
    Possible = 2,
    /// Sandsynlig
    Likely = 3,
    /// Forventet
    Expected = 4,
}

/// The resulting risk level (risikoniveau), as Copenhagen's acceptance rule counts them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl Consequence {
    pub const ALL: [Consequence; 4] =
        [Self::Limited, Self::Serious, Self::VerySerious, Self::Devastating];
    pub fn step(self) -> u8 {
        self as u8
    }
    pub fn danish(self) -> &'static str {
        match self {
            Self::Limited => "begrænset",
            Self::Serious => "alvorlig",
            Self::VerySerious => "meget alvorlig",
            Self::Devastating => "ødelæggende",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Self::Limited => "limited",
            Self::Serious => "serious",
            Self::VerySerious => "very serious",
            Self::Devastating => "devastating",
        }
    }
}

impl Likelihood {
    pub const ALL: [Likelihood; 4] = [Self::Unlikely, Self::Possible, Self::Likely, Self::Expected];
    pub fn step(self) -> u8 {
        self as u8
    }
    pub fn danish(self) -> &'static str {
        match self {
            Self::Unlikely => "usandsynlig",
            Self::Possible => "mulig",
            Self::Likely => "sandsynlig",
            Self::Expected => "forventet",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Self::Unlikely => "unlikely",
            Self::Possible => "possible",
            Self::Likely => "likely",
            Self::Expected => "expected",
        }
    }
}

impl RiskLevel {
    /// From the lowest to the highest.
    pub const ALL: [RiskLevel; 3] = [Self::Low, Self::Medium, Self::High];
    /// The risk matrix: consequence step × likelihood step; 1–3 low, 4–8 medium, 9–16 high.
    /// So "meget alvorlig" and "sandsynlig" (3×3) is high, "alvorlig" and "sandsynlig" medium.
    pub fn of(consequence: Consequence, likelihood: Likelihood) -> RiskLevel {
        match consequence.step() * likelihood.step() {
            0..=3 => RiskLevel::Low,
            4..=8 => RiskLevel::Medium,
            _ => RiskLevel::High,
        }
    }
    pub fn danish(self) -> &'static str {
        match self {
            Self::Low => "lav",
            Self::Medium => "mellem",
            Self::High => "høj",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_kombit_red_threats() {
        // KOMBIT's misdirected message: devastating and expected, red.
        assert_eq!(RiskLevel::of(Consequence::Devastating, Likelihood::Expected), RiskLevel::High);
        assert_eq!(RiskLevel::of(Consequence::Serious, Likelihood::Likely), RiskLevel::Medium);
        assert_eq!(RiskLevel::of(Consequence::Limited, Likelihood::Likely), RiskLevel::Low);
        assert_eq!(RiskLevel::of(Consequence::VerySerious, Likelihood::Likely), RiskLevel::High);
    }

    #[test]
    fn the_matrix_is_monotone() {
        for c in Consequence::ALL {
            for l in Likelihood::ALL {
                for c2 in Consequence::ALL.into_iter().filter(|c2| *c2 >= c) {
                    assert!(RiskLevel::of(c2, l) >= RiskLevel::of(c, l));
                }
            }
        }
    }
}
