//! The CNIL PIA tool's evaluator verdicts, as the check knows them (issue #17).
//!
//! The CNIL tool's evaluator judges each measure and each risk «acceptable», «to be
//! improved» or «to be corrected». `import cnil` keeps the verdict as a line of the
//! measure's description and of the risk's residual reason, written by [`verdict_line`]:
//!
//! ```text
//! Evaluatorens vurdering (CNIL): skal rettes
//! Evaluatorens vurdering af risikoen (CNIL): skal forbedres
//! ```
//!
//! A verdict line that still says only «skal rettes» (to be corrected) or «skal forbedres»
//! (to be improved) is a finding on the item: the DPO addresses it by correcting the item
//! and then either removing the line or writing after the verdict what was done
//! («… skal rettes — rettet 3.5.2026: adgangen begrænset til …»). A line with more after
//! the verdict, and «acceptabel», are not findings.

use super::rules::{applying, at, Findings};
use super::Severity::*;
use super::Basis::*;
use crate::effective::EffectiveDpia;

/// The evaluator's verdict in the CNIL tool (its `evaluations[].status`: 1, 2, 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CnilVerdict {
    ToBeCorrected,
    ToBeImproved,
    Acceptable,
}

impl CnilVerdict {
    /// The CNIL tool's status number: 1 to be corrected, 2 to be improved, 3 acceptable.
    pub fn from_status(status: i64) -> Option<CnilVerdict> {
        Some(match status {
            1 => CnilVerdict::ToBeCorrected,
            2 => CnilVerdict::ToBeImproved,
            3 => CnilVerdict::Acceptable,
            _ => return None,
        })
    }

    /// As the verdict line writes it (Danish: the DPIA's language).
    pub fn danish(self) -> &'static str {
        match self {
            CnilVerdict::ToBeCorrected => "skal rettes",
            CnilVerdict::ToBeImproved => "skal forbedres",
            CnilVerdict::Acceptable => "acceptabel",
        }
    }

    fn english(self) -> &'static str {
        match self {
            CnilVerdict::ToBeCorrected => "to be corrected",
            CnilVerdict::ToBeImproved => "to be improved",
            CnilVerdict::Acceptable => "acceptable",
        }
    }
}

/// Measure or risk: what the verdict was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictOn {
    Measure,
    Risk,
}

const MEASURE_LINE: &str = "Evaluatorens vurdering (CNIL): ";
const RISK_LINE: &str = "Evaluatorens vurdering af risikoen (CNIL): ";

/// The line `import cnil` writes for a verdict.
pub fn verdict_line(on: VerdictOn, verdict: CnilVerdict) -> String {
    let lead = match on {
        VerdictOn::Measure => MEASURE_LINE,
        VerdictOn::Risk => RISK_LINE,
    };
    format!("{lead}{}", verdict.danish())
}

/// The verdict a text still states without saying what was done about it.
pub fn open_verdict(text: &str) -> Option<CnilVerdict> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let rest = line.strip_prefix(MEASURE_LINE.trim_end()).or_else(|| line.strip_prefix(RISK_LINE.trim_end()))?.trim();
        [CnilVerdict::ToBeCorrected, CnilVerdict::ToBeImproved].into_iter().find(|v| rest.trim_end_matches('.').eq_ignore_ascii_case(v.danish()))
    })
}

pub(super) fn run(d: &EffectiveDpia, f: &mut Findings) {
    for e in applying(&d.items.measures) {
        let m = &e.item;
        let Some(v) = open_verdict(&m.description.0) else { continue };
        let (code, severity) = match v {
            CnilVerdict::ToBeCorrected => ("K-35-7-D-CNIL-CORRECT", Warning),
            _ => ("K-35-7-D-CNIL-IMPROVE", Info),
        };
        f.push(code, severity, Art35_7d, at(e),
            format!("{} «{}»: CNIL-evaluatoren vurderede foranstaltningen «{}», og det står uændret. Ret foranstaltningen, og skriv efter vurderingen i beskrivelsen, hvad der er gjort (eller fjern linjen).", m.reference, m.title, v.danish()),
            format!("{} «{}»: the CNIL evaluator judged the measure «{}», and that still stands. Correct the measure, and write after the verdict in its description what was done (or remove the line).", m.reference, m.title, v.english()));
    }
    for e in applying(&d.items.risks) {
        let r = &e.item;
        let Some(v) = open_verdict(&r.residual_reason.0) else { continue };
        let (code, severity) = match v {
            CnilVerdict::ToBeCorrected => ("K-35-7-C-CNIL-CORRECT", Warning),
            _ => ("K-35-7-C-CNIL-IMPROVE", Info),
        };
        f.push(code, severity, Art35_7c, at(e),
            format!("{} «{}»: CNIL-evaluatoren vurderede risikoen «{}», og det står uændret. Vurder risikoen og foranstaltningerne igen, og skriv efter vurderingen i restrisikoens begrundelse, hvad der er gjort (eller fjern linjen).", r.reference, r.title, v.danish()),
            format!("{} «{}»: the CNIL evaluator judged the risk «{}», and that still stands. Assess the risk and its measures again, and write after the verdict in the residual reason what was done (or remove the line).", r.reference, r.title, v.english()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_is_open_until_something_is_written_after_it() {
        let line = verdict_line(VerdictOn::Measure, CnilVerdict::ToBeCorrected);
        assert_eq!(line, "Evaluatorens vurdering (CNIL): skal rettes");
        assert_eq!(open_verdict(&format!("TLS overalt.\n{line}\nEvaluering (CNIL): mangler nøglehåndtering")), Some(CnilVerdict::ToBeCorrected));
        assert_eq!(open_verdict(&verdict_line(VerdictOn::Risk, CnilVerdict::ToBeImproved)), Some(CnilVerdict::ToBeImproved));
        assert_eq!(open_verdict(&format!("{line} — rettet 3.5.2026: nøgler i HSM")), None);
        assert_eq!(open_verdict(&verdict_line(VerdictOn::Measure, CnilVerdict::Acceptable)), None);
        assert_eq!(open_verdict("Vi vurderer selv, at det skal rettes"), None);
        assert_eq!(CnilVerdict::from_status(1), Some(CnilVerdict::ToBeCorrected));
        assert_eq!(CnilVerdict::from_status(0), None);
    }
}
