//! `konsekvens sheet list|cover|uncover`: the imported supplier sheets, which risk covers
//! each of their threats, and the recorded reason where the municipality or the
//! coordinator decides that none does.

use crate::{author, open, Failure, LangArg};
use clap::{Args, Subcommand};
use konsekvens_core::check::supplier::{coverage, unsubstantiated};
use konsekvens_core::check::Lang;
use konsekvens_core::model::OrgCode;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum SheetCommand {
    /// The imported supplier sheets (identity, version, imported when) and each threat's
    /// covering risks or its reason for being «not covered»; with --org, the municipality's
    /// effective DPIA (the base's sheets and its own)
    List {
        path: PathBuf,
        #[arg(long)]
        org: Option<OrgCode>,
        /// As JSON
        #[arg(long)]
        json: bool,
    },
    /// Record why a threat of an imported sheet is covered by no risk (the check judges the
    /// reason: «ikke relevant» alone is no reason)
    Uncover(ThreatArgs),
    /// Remove a threat's «not covered» reason: a risk must then cover it (name the threat in
    /// the risk's source reference, e.g. «KOMBIT Beskeder T3»)
    Cover(ThreatArgs),
}

#[derive(Args)]
pub struct ThreatArgs {
    path: PathBuf,
    /// The sheet: its reference (ARK1, KBH-ARK1) or its label («KOMBIT Beskeder»)
    #[arg(long)]
    sheet: String,
    /// The threat's number in the sheet (T3, 3.2)
    #[arg(long)]
    threat: String,
    /// Why no risk covers it (uncover only)
    #[arg(long)]
    reason: Option<String>,
    /// A sheet imported into this municipality's supplement; without it, the joint base's
    #[arg(long)]
    org: Option<OrgCode>,
}

pub fn run(c: SheetCommand, lang: LangArg) -> Result<(), Failure> {
    match c {
        SheetCommand::List { path, org, json } => {
            let dpia = open(&path)?.view().effective_or_base(org)?;
            let sheets = coverage(&dpia);
            if json {
                println!("{}", serde_json::to_string_pretty(&sheets).expect("serialises"));
            } else {
                print!("{}", render(&sheets, lang.into()));
            }
        }
        SheetCommand::Uncover(a) => {
            let Some(reason) = a.reason.as_deref() else {
                return Err(Failure::Input(konsekvens_core::UserError::new(
                    "K-ARK-BEGRUNDELSE",
                    "Skriv hvorfor truslen ikke dækkes af nogen risiko (--reason \"…\")",
                    "Say why no risk covers the threat (--reason \"…\")",
                )));
            };
            let mut ws = open(&a.path)?;
            let (sheet, number) = konsekvens_core::usecase::set_threat_not_covered(&mut ws, a.org, &a.sheet, &a.threat, Some(reason), &author())?;
            let da = lang_is_da(lang);
            eprintln!("{}", if da { format!("{sheet} {number}: ikke dækket, begrundelse registreret") } else { format!("{sheet} {number}: not covered, reason recorded") });
            if unsubstantiated(reason) {
                eprintln!("{}", if da {
                    "Advarsel: begrundelsen angiver kun konklusionen eller er for kort; kontrollen melder den (K-35-7-C-SUPPLIER-THREAT-REASON). Skriv hvorfor truslen ikke er relevant her."
                } else {
                    "Warning: the reason states only the conclusion or is too short; the check reports it (K-35-7-C-SUPPLIER-THREAT-REASON). Say why the threat does not apply here."
                });
            }
        }
        SheetCommand::Cover(a) => {
            if a.reason.is_some() {
                return Err(Failure::Input(konsekvens_core::UserError::new(
                    "K-BRUG",
                    "sheet cover fjerner begrundelsen; brug sheet uncover --reason for at registrere en",
                    "sheet cover removes the reason; use sheet uncover --reason to record one",
                )));
            }
            let mut ws = open(&a.path)?;
            let (sheet, number) = konsekvens_core::usecase::set_threat_not_covered(&mut ws, a.org, &a.sheet, &a.threat, None, &author())?;
            eprintln!("{}", if lang_is_da(lang) {
                format!("{sheet} {number}: begrundelsen er fjernet; en risiko skal nu dække truslen (kildehenvisning med truslens nummer)")
            } else {
                format!("{sheet} {number}: the reason is removed; a risk must now cover the threat (a source reference with its number)")
            });
        }
    }
    Ok(())
}

fn lang_is_da(lang: LangArg) -> bool {
    Lang::from(lang) == Lang::Da
}

/// The sheets as text, one block per sheet.
pub fn render(sheets: &[konsekvens_core::check::supplier::SheetCoverage], lang: Lang) -> String {
    use std::fmt::Write;
    let da = lang == Lang::Da;
    let mut out = String::new();
    if sheets.is_empty() {
        out.push_str(if da { "Der er ikke importeret noget leverandørark.\n" } else { "No supplier sheet has been imported.\n" });
        return out;
    }
    for s in sheets {
        let mut identity = Vec::new();
        if !s.supplier.is_empty() {
            identity.push(s.supplier.clone());
        }
        if !s.version.is_empty() {
            identity.push(format!("version {}", s.version));
        }
        if !s.date.is_empty() {
            identity.push(format!("{} {}", if da { "dateret" } else { "dated" }, s.date));
        }
        if let Some(d) = s.imported {
            identity.push(format!("{} {d}", if da { "importeret" } else { "imported" }));
        }
        if !s.file.is_empty() {
            identity.push(if s.tab.is_empty() { s.file.clone() } else { format!("{} [{}]", s.file, s.tab) });
        }
        let _ = writeln!(out, "{} «{}» ({})", s.reference, s.label, identity.join(", "));
        for t in &s.threats {
            let answer = if !t.risks.is_empty() {
                format!("{} {}", if da { "dækket af" } else { "covered by" }, t.risks.join(", "))
            } else if !t.not_covered_reason.trim().is_empty() {
                format!("{}: {}", if da { "ikke dækket" } else { "not covered" }, t.not_covered_reason.trim())
            } else {
                (if da { "IKKE DÆKKET, ingen begrundelse" } else { "NOT COVERED, no reason" }).to_owned()
            };
            let _ = writeln!(out, "  {} {} — {answer}", t.number, if t.title.is_empty() { String::new() } else { format!("«{}»", t.title) });
        }
    }
    out
}
