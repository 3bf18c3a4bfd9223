//! Offentligt resumé (public summary): what a municipality (or the joint base) processes,
//! why, on what basis, the main risks to people and how they are reduced — built from the
//! same effective DPIA as the document, but without what an attacker could use: threat
//! descriptions, the reasons behind the ratings, measure descriptions, evidence, suppliers'
//! services and hosting, references to supplier risk sheets, the integrated systems and the
//! modules' descriptions.
//!
//! What is left out is not hidden from the DPO: [`PublicSummary::withheld`] lists it, item
//! by item with an excerpt, so the CLI (`export public-summary --show-omissions`) and the
//! app's export view show it before anything is exported. The document itself says, by
//! category, what it leaves out and why.

use super::*;
use serde::Serialize;

/// The public summary and what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicSummary {
    pub report: Report,
    /// What the full DPIA says that the summary does not, by category (only categories with
    /// something in them).
    pub withheld: Vec<Withheld>,
}

/// One category of content the public summary leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Withheld {
    /// e.g. «Trusselsbeskrivelser».
    pub category: String,
    /// Why it is left out, in one sentence.
    pub reason: String,
    pub items: Vec<WithheldItem>,
}

/// One item whose text is left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WithheldItem {
    /// The item's reference (R4, M2, DB3 …).
    pub reference: String,
    /// Its title or name (which the summary may print; the excerpt it does not).
    pub name: String,
    /// The start of the withheld text (at most 120 characters), for the DPO to recognise it.
    pub excerpt: String,
}

impl PublicSummary {
    /// How many items have something withheld, over all categories.
    pub fn withheld_count(&self) -> usize {
        self.withheld.iter().map(|w| w.items.len()).sum()
    }

    /// The withheld list as plain text (the CLI's `--show-omissions`).
    pub fn withheld_text(&self, lang: Lang) -> String {
        let da = lang == Lang::Da;
        let mut out = String::new();
        if self.withheld.is_empty() {
            out.push_str(if da { "Resuméet udelader intet fra analysen: den har ingen af de udeladte felter udfyldt.\n" } else { "The summary leaves nothing out: the assessment has none of the withheld fields filled in.\n" });
            return out;
        }
        out.push_str(if da {
            "Udeladt af det offentlige resumé (vises ikke i PDF og HTML):\n"
        } else {
            "Left out of the public summary (not in the PDF or HTML):\n"
        });
        for w in &self.withheld {
            out.push_str(&format!("\n{} ({}) — {}\n", w.category, w.items.len(), w.reason));
            for i in &w.items {
                out.push_str(&format!("  {} {}: «{}»\n", i.reference, i.name, i.excerpt));
            }
        }
        out
    }
}

/// The public summary of `dpia` (a municipality's effective DPIA, or the base with
/// `opts.is_base`).
pub fn public_summary(dpia: &EffectiveDpia, opts: &ReportOptions) -> PublicSummary {
    let (report, withheld) = build::public_report(dpia, opts);
    PublicSummary { report, withheld }
}

/// What `konsekvens export public-summary` and the app render for a municipality
/// (`Some(code)`) or the joint base (`None`): the same effective DPIA and acceptance policy
/// as the document ([`document_for`]).
pub fn public_summary_for(ws: &Workspace, org: Option<OrgCode>, lang: Lang, today: Day) -> Result<PublicSummary, WorkspaceError> {
    let (dpia, opts) = document_for(ws, org, lang, today)?;
    Ok(public_summary(&dpia, &opts))
}
