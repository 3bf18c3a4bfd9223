//! References into the supplier's material must resolve (the decision, § 4.2.3: the
//! DPIA's «referencenumre» did not match the numbers of the risk sheets behind it, and the
//! DPIA did not clearly address every risk the supplier's material identified).
//!
//! What was imported is kept as [`SupplierSheet`]s (identity and threats by number); a
//! risk's source reference is «label number …» («KOMBIT Beskeder T3», «CNIL PIA «X» 3.2
//! (…)»). So:
//! - a reference whose label is an imported sheet's, but whose number that sheet (in the
//!   version imported last) does not have, points nowhere: an error;
//! - a reference that reads as a sheet's row («… T7», «… 3.2») under a label no imported
//!   sheet has cannot be checked: a warning per label, naming the risks;
//! - a threat of an imported sheet that no risk's reference names, and that has no reason
//!   for not being covered, is not addressed: an error per sheet, listing them;
//! - a reason for not covering a threat that is only the conclusion or a few words is no
//!   reason: an error per sheet, listing them.

use super::rules::{applying, at, Findings};
use super::Basis::Art35_7c;
use super::Severity::{Error, Warning};
use crate::effective::{EffectiveDpia, Entry};
use crate::model::{ItemId, Risk, SupplierSheet, NO_LONGER_IN_SOURCE};
use std::collections::{BTreeMap, BTreeSet};

/// A reference as it is compared: lower case, the quotes and separators people put around
/// a sheet's name as spaces, single spaces. «3.2» and «T-3» stay whole.
pub fn ref_key(text: &str) -> String {
    spaced(text).to_lowercase()
}

/// [`ref_key`] without the lower case: the words as written.
fn spaced(text: &str) -> String {
    text.chars()
        .map(|c| if matches!(c, ',' | ';' | ':' | '«' | '»' | '"' | '“' | '”' | '\'' | '‘' | '’') { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A reference without the import's «no longer in the supplier's material» mark, and
/// whether it had it.
fn without_mark(reference: &str) -> (&str, bool) {
    match reference.trim_end().strip_suffix(NO_LONGER_IN_SOURCE) {
        Some(rest) => (rest.trim_end(), true),
        None => (reference.trim(), false),
    }
}

/// Whether a word reads as a sheet's own number for a row: «T7», «R12», «3.2», «DP3-T1», «12»;
/// not a year («2023»), not a word, not a parenthesis.
fn row_number(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ')']);
    if w.is_empty() || w.chars().count() > 12 || !w.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    if !w.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '/' | '_')) {
        return false;
    }
    let year = w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()) && matches!(w.parse::<u32>(), Ok(1900..=2100));
    !year
}

/// A reference split as «label» + «number» where a word that reads as a row number ends
/// it, or is followed only by a parenthesis (the label must not be empty): «KOMBIT DP1 T1»
/// → («kombit dp1», «t1»); «CNIL PIA X 3.2 (ulovlig adgang)» → («cnil pia x», «3.2»); not
/// «Brud 12. marts 2025».
fn split_row_reference(key: &str) -> Option<(String, String)> {
    let words: Vec<&str> = key.split(' ').collect();
    let at = (1..words.len()).rev().find(|i| row_number(words[*i]) && words.get(i + 1).is_none_or(|w| w.starts_with('(')))?;
    Some((words[..at].join(" "), words[at].trim_end_matches(['.', ')']).to_owned()))
}

/// The sheet a reference names (the one with the longest label the reference starts with),
/// and the number after the label as written ([`number_under`]).
fn sheet_of<'a>(reference: &str, sheets: &'a [(String, &'a Entry<SupplierSheet>)]) -> Option<(&'a Entry<SupplierSheet>, String)> {
    // the reference is read once, not once per sheet (the check of 98 DPIAs asks for every risk)
    let reference = Written::of(reference);
    sheets
        .iter()
        .filter_map(|(label, e)| reference.number_under(label).map(|n| (label.len(), *e, n)))
        .max_by_key(|(len, ..)| *len)
        .map(|(_, e, n)| (e, n))
}

fn identity_da(s: &SupplierSheet) -> String {
    let mut parts = Vec::new();
    if !s.version.trim().is_empty() {
        parts.push(format!("version {}", s.version.trim()));
    }
    if !s.date.trim().is_empty() {
        parts.push(format!("dateret {}", s.date.trim()));
    }
    if let Some(d) = s.imported {
        parts.push(format!("importeret {d}"));
    }
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
}

fn identity_en(s: &SupplierSheet) -> String {
    let mut parts = Vec::new();
    if !s.version.trim().is_empty() {
        parts.push(format!("version {}", s.version.trim()));
    }
    if !s.date.trim().is_empty() {
        parts.push(format!("dated {}", s.date.trim()));
    }
    if let Some(d) = s.imported {
        parts.push(format!("imported {d}"));
    }
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
}

/// Up to `n` items of a list, then «…».
fn listed(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(" … (+{})", items.len() - n));
    }
    s
}

pub(super) fn run(d: &EffectiveDpia, f: &mut Findings) {
    let sheets: Vec<(String, &Entry<SupplierSheet>)> = applying(&d.items.supplier_sheets).map(|e| (ref_key(&e.item.label), e)).collect();
    // the numbers each sheet's threats are named by: sheet id → key of the number → number as written
    let numbers: BTreeMap<&ItemId, BTreeMap<String, &str>> =
        sheets.iter().map(|(_, e)| (&e.item.id, e.item.threats.keys().map(|k| (ref_key(k), k.as_str())).collect())).collect();
    // (sheet id, number key) each risk covers, counting risks marked not applicable here
    // too: their justification is judged by its own rule
    let mut covered: BTreeSet<(&ItemId, String)> = BTreeSet::new();
    // label → the risks naming a row under it that no imported sheet has
    let mut unverified: BTreeMap<String, (String, Vec<&Entry<Risk>>)> = BTreeMap::new();
    for e in &d.items.risks {
        let r = &e.item;
        if r.source_reference.trim().is_empty() {
            continue;
        }
        let (reference, gone) = without_mark(&r.source_reference);
        if let Some((sheet, shown)) = sheet_of(reference, &sheets) {
            let s = &sheet.item;
            let number = ref_key(&shown);
            let known = numbers.get(&s.id).is_some_and(|n| n.contains_key(&number));
            if known && !gone {
                covered.insert((&s.id, number));
                continue;
            }
            if !e.applies() {
                continue;
            }
            let (why_da, why_en) = if known {
                // marked by an import, but the threat is back: the next import clears the mark
                ("er markeret som ikke længere i leverandørens materiale", "is marked as no longer in the supplier's material")
            } else if gone {
                ("findes ikke længere i den version, der senest er importeret", "is no longer in the version imported last")
            } else {
                ("findes ikke i det importerede ark", "is not in the imported sheet")
            };
            f.push("K-35-7-C-SOURCE-REF-UNKNOWN", Error, Art35_7c, at(e),
                format!("{} henviser til «{}», men trussel {shown} {why_da} «{}»{}. Referencenumre, der ikke svarer til numrene i risikovurderingsskemaerne, peger ud i ingenting (afgørelsens pkt. 4.2.3). Ret henvisningen til truslens nummer i arket, eller vurder om risikoen stadig er relevant.", r.reference, reference, s.label, identity_da(s)),
                format!("{} refers to «{}», but threat {shown} {why_en} «{}»{}. Reference numbers that do not match the numbers of the risk sheets point nowhere (decision § 4.2.3). Correct the reference to the threat's number in the sheet, or assess whether the risk still applies.", r.reference, reference, s.label, identity_en(s)));
            continue;
        }
        if !e.applies() {
            continue;
        }
        if let Some((label, _)) = split_row_reference(&ref_key(reference)) {
            let shown: String = reference.split_whitespace().take(label.split(' ').count()).collect::<Vec<_>>().join(" ");
            unverified.entry(label).or_insert_with(|| (shown.trim_end_matches(',').to_owned(), Vec::new())).1.push(e);
        }
    }
    for (shown, risks) in unverified.values() {
        let refs: Vec<String> = risks.iter().map(|e| format!("{} («{}»)", e.item.reference, e.item.source_reference.trim())).collect();
        let (da_none, en_none) = if sheets.is_empty() {
            ("der er ikke importeret noget leverandørmateriale", "no supplier material has been imported")
        } else {
            ("intet importeret ark hedder sådan", "no imported sheet has that name")
        };
        f.push("K-35-7-C-SOURCE-REF-UNVERIFIED", Warning, Art35_7c, at(risks[0]),
            format!("{} henviser til numre i «{shown}», men {da_none}, så det kan ikke efterprøves, at numrene findes (afgørelsens pkt. 4.2.3): {}. Importér arket (konsekvens import sheet --source \"{shown}\"), eller ret henvisningerne til det importerede arks navn.", if risks.len() == 1 { "En risiko" } else { "Risici" }, listed(&refs, 8)),
            format!("{} refer{} to numbers in «{shown}», but {en_none}, so it cannot be verified that the numbers exist (decision § 4.2.3): {}. Import the sheet (konsekvens import sheet --source \"{shown}\"), or correct the references to the imported sheet's name.", if risks.len() == 1 { "A risk" } else { "Risks" }, if risks.len() == 1 { "s" } else { "" }, listed(&refs, 8)));
    }
    for (_, e) in &sheets {
        let s = &e.item;
        let open: Vec<String> = s
            .threats
            .iter()
            .filter(|(number, t)| t.not_covered_reason.trim().is_empty() && !covered.contains(&(&s.id, ref_key(number))))
            .map(|(number, t)| if t.title.trim().is_empty() { number.clone() } else { format!("{number} «{}»", t.title.trim()) })
            .collect();
        if open.is_empty() {
            continue;
        }
        let (n, total) = (open.len(), s.threats.len());
        f.push("K-35-7-C-SUPPLIER-THREAT-UNCOVERED", Error, Art35_7c, at(e),
            format!("{} «{}»{}: {n} af arkets {total} trusler dækkes ikke af nogen risiko: {}. Datatilsynet fandt, at analysen ikke entydigt forholdt sig til alle de risici, leverandørens materiale havde identificeret (afgørelsens pkt. 4.2.3). Opret en risiko med truslens nummer som kildehenvisning, henvis til den fra den risiko, der dækker den, eller skriv hvorfor den ikke er relevant her.", s.reference, s.label, identity_da(s), listed(&open, 10)),
            format!("{} «{}»{}: {n} of the sheet's {total} threats are covered by no risk: {}. Datatilsynet found that the DPIA did not clearly address every risk the supplier's material identified (decision § 4.2.3). Create a risk with the threat's number as its source reference, refer to it from the risk that covers it, or say why it does not apply here.", s.reference, s.label, identity_en(s), listed(&open, 10)));
    }
    // a «not covered» whose reason is only the conclusion («ikke relevant for X Kommune»)
    // or a few words substantiates nothing (as a «not applicable here», decision § 4.1.2)
    for (_, e) in &sheets {
        let s = &e.item;
        let bare: Vec<String> = s
            .threats
            .iter()
            .filter(|(number, t)| !t.not_covered_reason.trim().is_empty() && !covered.contains(&(&s.id, ref_key(number))) && unsubstantiated(&t.not_covered_reason))
            .map(|(number, t)| format!("{number} («{}»)", t.not_covered_reason.trim()))
            .collect();
        if bare.is_empty() {
            continue;
        }
        f.push("K-35-7-C-SUPPLIER-THREAT-REASON", Error, Art35_7c, at(e),
            format!("{} «{}»{}: begrundelsen for, at {} ikke dækkes af nogen risiko, angiver kun konklusionen eller er for kort: {}. Skriv hvorfor truslen ikke er relevant i denne behandling (fx at modulet er slået fra, eller at en anden analyse dækker den), ikke kun at den ikke er (afgørelsens pkt. 4.1.2 og 4.2.3).", s.reference, s.label, identity_da(s), if bare.len() == 1 { "en trussel" } else { "trusler" }, listed(&bare, 6)),
            format!("{} «{}»{}: the reason why {} covered by no risk states only the conclusion or is too short: {}. Say why the threat does not apply to this processing (e.g. the module is switched off, or another assessment covers it), not only that it does not (decision § 4.1.2 and 4.2.3).", s.reference, s.label, identity_en(s), if bare.len() == 1 { "a threat is" } else { "threats are" }, listed(&bare, 6)));
    }
}

/// One threat of an imported sheet and what answers it: the risks whose source reference
/// names it, or the recorded reason why none does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThreatCoverage {
    pub number: String,
    pub title: String,
    /// The references of the risks that name it («R3»), in register order.
    pub risks: Vec<String>,
    pub not_covered_reason: String,
}

/// An imported sheet with its threats, as `konsekvens sheet list` and the report's annex
/// print it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetCoverage {
    pub reference: String,
    pub label: String,
    pub supplier: String,
    pub file: String,
    pub tab: String,
    pub version: String,
    pub date: String,
    pub imported: Option<crate::model::Day>,
    /// Where it is kept: «base» or the supplement («supplement/101»).
    pub doc: String,
    pub threats: Vec<ThreatCoverage>,
}

/// Every imported sheet of an effective DPIA that applies here, and for each threat the
/// risks that cover it — as the check reads the references.
pub fn coverage(d: &EffectiveDpia) -> Vec<SheetCoverage> {
    let sheets: Vec<(String, &Entry<SupplierSheet>)> = applying(&d.items.supplier_sheets).map(|e| (ref_key(&e.item.label), e)).collect();
    let mut risks: BTreeMap<(&ItemId, String), Vec<String>> = BTreeMap::new();
    for e in applying(&d.items.risks) {
        let (reference, gone) = without_mark(&e.item.source_reference);
        if gone || reference.is_empty() {
            continue;
        }
        if let Some((sheet, shown)) = sheet_of(reference, &sheets) {
            risks.entry((&sheet.item.id, ref_key(&shown))).or_default().push(e.item.reference.to_string());
        }
    }
    sheets
        .iter()
        .map(|(_, e)| {
            let s = &e.item;
            SheetCoverage {
                reference: s.reference.to_string(), label: s.label.clone(), supplier: s.supplier.clone(), file: s.file.clone(), tab: s.tab.clone(),
                version: s.version.clone(), date: s.date.clone(), imported: s.imported, doc: e.doc.clone(),
                threats: s.threats.iter().map(|(number, t)| ThreatCoverage {
                    number: number.clone(), title: t.title.clone(),
                    risks: risks.get(&(&s.id, ref_key(number))).cloned().unwrap_or_default(),
                    not_covered_reason: t.not_covered_reason.clone(),
                }).collect(),
            }
        })
        .collect()
}

/// A «not covered» reason that substantiates nothing: a few words, or only the conclusion.
pub fn unsubstantiated(reason: &str) -> bool {
    reason.trim().chars().count() < super::rules::SUBSTANTIATED_CHARS || super::reading::bare_conclusion(reason)
}

/// The number of a sheet's row that a source reference names under `label`, as written
/// («T3» of «KOMBIT Beskeder T3 (…)»; «7» of «KOMBIT Beskeder, trussel 7»), if the
/// reference names that sheet at all.
pub fn number_under(label: &str, source_reference: &str) -> Option<String> {
    Written::of(source_reference).number_under(&ref_key(label))
}

/// A source reference read once: its words as written and its [`ref_key`].
struct Written {
    spaced: String,
    key: String,
}

impl Written {
    fn of(source_reference: &str) -> Written {
        let spaced = spaced(without_mark(source_reference).0);
        Written { key: spaced.to_lowercase(), spaced }
    }

    /// [`number_under`] for a label already made a [`ref_key`].
    fn number_under(&self, label: &str) -> Option<String> {
        if label.is_empty() || !self.key.strip_prefix(label).is_some_and(|rest| rest.starts_with(' ')) {
            return None;
        }
        let words: Vec<&str> = self.spaced.split(' ').skip(label.split(' ').count()).collect();
        let number = words.iter().find(|w| row_number(w)).or(words.first())?.trim_end_matches(['.', ')']);
        (!number.is_empty()).then(|| number.to_owned())
    }
}
