//! The check's report as text, in Danish or English (`konsekvens check`).

use super::{Acceptance, CheckReport, Lang, Matrix, Severity, Share};
use crate::model::{Consequence, Likelihood};
use std::fmt::Write;

fn t<'a>(lang: Lang, da: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Da => da,
        Lang::En => en,
    }
}

fn share_line(lang: Lang, label: &str, s: &Share, unrated: usize) -> String {
    let mut line = format!(
        "  {label:<8} {} {} ({} %), {} {} ({} %), {} {} ({} %)",
        s.counts.low, t(lang, "lav", "low"), s.low_percent,
        s.counts.medium, t(lang, "mellem", "medium"), s.medium_percent,
        s.counts.high, t(lang, "høj", "high"), s.high_percent
    );
    if unrated > 0 {
        line.push_str(&format!("; {unrated} {}", t(lang, "ikke vurderet (ikke talt med)", "not rated (not counted)")));
    }
    line
}

fn matrix(out: &mut String, lang: Lang, m: &Matrix) {
    let dim = m.dimension.map(|d| match lang { Lang::Da => d.danish(), Lang::En => d.english() }).unwrap_or_default();
    let _ = writeln!(out, "    {dim}");
    for c in Consequence::ALL.iter().rev() {
        let name = match lang { Lang::Da => c.danish(), Lang::En => c.english() };
        let row: Vec<String> = Likelihood::ALL.iter().map(|l| format!("{:>12}", m.cells[c.step() as usize - 1][l.step() as usize - 1])).collect();
        let _ = writeln!(out, "      {name:>15} |{}", row.join(""));
    }
    // the columns are named, or a reader cannot tell "expected" from "unlikely"
    let names: Vec<String> = Likelihood::ALL.iter().map(|l| format!("{:>12}", match lang { Lang::Da => l.danish(), Lang::En => l.english() })).collect();
    let _ = writeln!(out, "      {:>15}  {}", "", names.join(""));
    let _ = writeln!(out, "      {:>15}  {:>48}", "", t(lang, "sandsynlighed →", "likelihood →"));
}

/// A readable report: risk picture, acceptance, WP248, then the findings by severity.
pub fn render(r: &CheckReport, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", t(lang, "Kontrol af konsekvensanalyse", "DPIA check"), r.subject);
    let _ = writeln!(out, "{} {}, {} {}", r.errors(), t(lang, "fejl", "errors"), r.warnings(), t(lang, "advarsler", "warnings"));
    let _ = writeln!(out, "\n{}", t(lang, "Risikobillede (før → efter foranstaltninger)", "Risk picture (before → after measures)"));
    out.push_str(&share_line(lang, t(lang, "før", "before"), &r.picture.before, r.picture.unrated_before));
    out.push('\n');
    out.push_str(&share_line(lang, t(lang, "efter", "after"), &r.picture.after, r.picture.unrated_after));
    out.push('\n');
    let _ = writeln!(out, "  {}", t(lang, "Konsekvens × sandsynlighed, før:", "Consequence × likelihood, before:"));
    for m in &r.picture.matrices_before {
        matrix(&mut out, lang, m);
    }
    let _ = writeln!(out, "  {}", t(lang, "Konsekvens × sandsynlighed, efter:", "Consequence × likelihood, after:"));
    for m in &r.picture.matrices_after {
        matrix(&mut out, lang, m);
    }
    let acceptance = match (r.acceptance, lang) {
        (Acceptance::Accepted, Lang::Da) => format!("Restrisikoen er acceptabel (ingen høje, højst {} % mellem).", r.policy.max_medium_percent),
        (Acceptance::Accepted, Lang::En) => format!("The residual risk is acceptable (no high, at most {} % medium).", r.policy.max_medium_percent),
        (Acceptance::ConsultDpo, Lang::Da) => "Restrisikoen ligger uden for acceptkriteriet: forelæg den for databeskyttelsesrådgiveren.".into(),
        (Acceptance::ConsultDpo, Lang::En) => "The residual risk is outside the acceptance policy: consult the DPO.".into(),
        (Acceptance::PriorConsultation, Lang::Da) => "Høj restrisiko: forudgående høring af Datatilsynet (art. 36) er påkrævet.".into(),
        (Acceptance::PriorConsultation, Lang::En) => "High residual risk: prior consultation of Datatilsynet (Art. 36) is required.".into(),
        (Acceptance::Incomplete, Lang::Da) => format!("Restrisikoen kan ikke vurderes mod acceptkriteriet, før alle risici er vurderet efter foranstaltninger ({} mangler).", r.picture.unrated_after),
        (Acceptance::Incomplete, Lang::En) => format!("The residual risk cannot be judged against the acceptance policy until every risk is rated after measures ({} missing).", r.picture.unrated_after),
    };
    let _ = writeln!(out, "\n{acceptance}");
    let _ = writeln!(
        out,
        "WP248: {} {} 9{}",
        r.wp248_met,
        t(lang, "af", "of"),
        if r.dpia_required { t(lang, " kriterier opfyldt — konsekvensanalyse påkrævet", " criteria met — DPIA required") } else { t(lang, " kriterier opfyldt", " criteria met") }
    );
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let of: Vec<_> = r.findings.iter().filter(|f| f.severity == severity).collect();
        if of.is_empty() {
            continue;
        }
        let title = match lang { Lang::Da => severity.danish(), Lang::En => severity.english() };
        let _ = writeln!(out, "\n{} ({})", title.to_uppercase(), of.len());
        for f in of {
            let basis = match lang { Lang::Da => f.basis.danish(), Lang::En => f.basis.english() };
            let item = f.reference.as_ref().map(|r| format!(" [{r}]")).unwrap_or_default();
            let _ = writeln!(out, "  {}{item} ({basis})\n    {}", f.code, f.message(lang));
        }
    }
    out
}

/// The check of the base and every municipality ([`super::check_all`]) as one line each:
/// what a coordinator reads before a release (`konsekvens check --all`); `check --org`
/// gives a municipality's findings.
pub fn render_all(reports: &[(Option<crate::model::OrgCode>, CheckReport)], lang: Lang) -> String {
    let mut out = String::new();
    let municipalities = reports.iter().filter(|(org, _)| org.is_some()).count();
    let _ = writeln!(out, "{} {municipalities} {}", t(lang, "Kontrol af den fælles basis og", "Check of the joint base and"), t(lang, "kommuners konsekvensanalyser", "municipalities' DPIAs"));
    let _ = writeln!(out, "\n{:<5} {:<32} {:>5} {:>9}  {}", t(lang, "Kode", "Code"), t(lang, "Analyse", "DPIA"), t(lang, "Fejl", "Errors"), t(lang, "Advarsler", "Warnings"), t(lang, "Restrisiko", "Residual risk"));
    for (org, r) in reports {
        let code = org.map(|c| c.to_string()).unwrap_or_else(|| "—".into());
        let acceptance = match (r.acceptance, lang) {
            (Acceptance::Accepted, Lang::Da) => "acceptabel",
            (Acceptance::Accepted, Lang::En) => "acceptable",
            (Acceptance::ConsultDpo, Lang::Da) => "forelæg for DPO",
            (Acceptance::ConsultDpo, Lang::En) => "consult the DPO",
            (Acceptance::PriorConsultation, Lang::Da) => "høj: art. 36-høring",
            (Acceptance::PriorConsultation, Lang::En) => "high: Art. 36 consultation",
            (Acceptance::Incomplete, Lang::Da) => "ikke alle vurderet",
            (Acceptance::Incomplete, Lang::En) => "not all rated",
        };
        let subject: String = r.subject.chars().take(32).collect();
        let _ = writeln!(out, "{code:<5} {subject:<32} {:>5} {:>9}  {acceptance}", r.errors(), r.warnings());
    }
    let (errors, with_errors) = (reports.iter().map(|(_, r)| r.errors()).sum::<usize>(), reports.iter().filter(|(_, r)| r.errors() > 0).count());
    let _ = writeln!(out, "\n{errors} {} {with_errors} {}", t(lang, "fejl i", "errors in"), t(lang, "analyser. Se en kommunes fund med check --org KODE, basis' med check uden --org.", "DPIAs. See a municipality's findings with check --org CODE, the base's with check without --org."));
    out
}
