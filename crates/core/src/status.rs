//! The coordinator's overview: for each participating municipality, the release its
//! supplement stands on, its check result, when its DPIA was last signed and how it
//! deviates; and the deviations that recur across municipalities — the material for
//! improving the shared base.

use crate::check::Acceptance;
use crate::effective::{Deviation, EffectiveDpia, ReleaseStamp};
use crate::model::*;
use crate::workspace::{View, Workspace, WorkspaceError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How many ways a municipality deviates from the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeviationCounts {
    pub local_items: usize,
    pub risk_overrides: usize,
    pub measure_statuses: usize,
    pub not_applicable: usize,
    pub subject_counts: usize,
}

impl DeviationCounts {
    pub fn total(&self) -> usize {
        self.local_items + self.risk_overrides + self.measure_statuses + self.not_applicable + self.subject_counts
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ParticipantStatus {
    pub code: OrgCode,
    pub name: String,
    /// The release the supplement was assessed against (empty: none).
    pub base_release: String,
    /// It stands on the newest release.
    pub on_latest: bool,
    pub release_problem: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    pub acceptance: Acceptance,
    pub review_due: bool,
    pub last_signed: Option<Signing>,
    pub deviations: DeviationCounts,
}

/// A deviation several municipalities make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecurringDeviation {
    /// `local_measure`, `local_risk`, `local_purpose` … `risk_override`, `not_applicable`,
    /// `measure_status`.
    pub kind: String,
    /// What they do, in one municipality's words (or the base item it concerns).
    pub label: String,
    pub municipalities: Vec<OrgCode>,
    pub da: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Overview {
    pub title: String,
    pub releases: Vec<ReleaseStamp>,
    pub latest_release: Option<ReleaseStamp>,
    pub participants: Vec<ParticipantStatus>,
    pub recurring: Vec<RecurringDeviation>,
}

/// Words too common to tell two measures apart.
const STOPWORDS: &[&str] = &[
    "og", "i", "af", "til", "for", "med", "på", "ved", "om", "den", "det", "de", "en", "et", "som", "fra", "the", "of", "and", "a", "to",
    "via", "lokal", "lokalt", "kommunens", "kommunal",
];

/// The words of a title that carry its meaning, lower-cased ("2-faktor" and "to-faktor"
/// and "2FA" all become "2fa").
fn words(title: &str) -> BTreeSet<String> {
    let lower = title.to_lowercase().replace("to-faktor", "2fa").replace("2-faktor", "2fa").replace("tofaktor", "2fa").replace("two-factor", "2fa");
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !STOPWORDS.contains(w))
        .map(|w| if w.starts_with("2fa") { "2fa".to_owned() } else { w.to_owned() })
        .collect()
}

fn similar(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    let common = a.intersection(b).count();
    let union = a.union(b).count();
    union > 0 && (common * 2 >= union || (a.contains("2fa") && b.contains("2fa")))
}

fn local_kind(collection: &str) -> (&'static str, &'static str, &'static str) {
    match collection {
        "measures" => ("local_measure", "tilføjer som lokal foranstaltning", "add as a local measure"),
        "risks" => ("local_risk", "tilføjer som lokal risiko", "add as a local risk"),
        "purposes" => ("local_purpose", "tilføjer som lokalt formål", "add as a local purpose"),
        "data_categories" => ("local_data_category", "tilføjer som lokal kategori af oplysninger", "add as a local data category"),
        "modules" => ("local_module", "tilføjer som lokalt modul", "add as a local module"),
        "systems" => ("local_system", "tilføjer som lokalt system", "add as a local system"),
        _ => ("local_item", "tilføjer lokalt", "add locally"),
    }
}

/// Groups what several municipalities do alike. `dpias` are their effective DPIAs.
pub fn recurring(dpias: &[(OrgCode, EffectiveDpia)]) -> Vec<RecurringDeviation> {
    // Clusters of (kind, collection, words, label, municipalities).
    type Cluster = (String, String, BTreeSet<String>, String, BTreeSet<OrgCode>);
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut add = |kind: &str, collection: &str, key: BTreeSet<String>, label: String, code: OrgCode| {
        match clusters.iter_mut().find(|(k, c, w, ..)| k == kind && c == collection && similar(w, &key)) {
            Some(cluster) => {
                cluster.4.insert(code);
            }
            None => clusters.push((kind.to_owned(), collection.to_owned(), key, label, BTreeSet::from([code]))),
        }
    };
    for (code, d) in dpias {
        macro_rules! locals {
            ($field:ident, $name:ident) => {
                for e in d.items.$field.iter().filter(|e| e.is_local()) {
                    add(local_kind(stringify!($field)).0, stringify!($field), words(&e.item.$name), e.item.$name.clone(), *code);
                }
            };
        }
        locals!(measures, title);
        locals!(risks, title);
        locals!(purposes, title);
        locals!(data_categories, name);
        locals!(modules, name);
        locals!(systems, name);
        // Deviations from a base item are grouped by the item.
        for e in d.items.risks.iter().filter(|e| matches!(e.deviation, Some(Deviation::RiskRating { .. }))) {
            add("risk_override", "", BTreeSet::from([e.item.id.to_string()]), format!("{} {}", e.item.reference, e.item.title), *code);
        }
        for e in d.items.measures.iter().filter(|e| matches!(e.deviation, Some(Deviation::MeasureStatus { .. }))) {
            add("measure_status", "", BTreeSet::from([e.item.id.to_string()]), format!("{} {}", e.item.reference, e.item.title), *code);
        }
        macro_rules! na {
            ($($field:ident: $name:ident),+) => {$(
                for e in d.items.$field.iter().filter(|e| !e.applies()) {
                    add("not_applicable", "", BTreeSet::from([e.item.id.to_string()]), format!("{} {}", e.item.reference, e.item.$name), *code);
                }
            )+};
        }
        na!(risks: title, measures: title, modules: name, purposes: title, data_categories: name, processes: name);
    }
    let mut out: Vec<RecurringDeviation> = clusters
        .into_iter()
        .filter(|c| c.4.len() >= 2)
        .map(|(kind, collection, _, label, orgs)| {
            let n = orgs.len();
            let (da_verb, en_verb) = match kind.as_str() {
                "risk_override" => ("vurderer risikoen anderledes end fælles basis:", "rate the risk differently from the base:"),
                "measure_status" => ("gennemfører foranstaltningen anderledes eller ikke:", "implement the measure differently or not at all:"),
                "not_applicable" => ("markerer som ikke relevant:", "mark as not applicable:"),
                _ => {
                    let (_, da, en) = local_kind(&collection);
                    (da, en)
                }
            };
            RecurringDeviation {
                da: format!("{n} kommuner {da_verb} «{label}»"),
                en: format!("{n} municipalities {en_verb} «{label}»"),
                kind,
                label,
                municipalities: orgs.into_iter().collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.municipalities.len().cmp(&a.municipalities.len()).then_with(|| a.label.cmp(&b.label)));
    out
}

fn deviations(s: &Supplement) -> DeviationCounts {
    let a = &s.additions;
    DeviationCounts {
        local_items: a.processes.len() + a.modules.len() + a.purposes.len() + a.data_categories.len() + a.subject_categories.len()
            + a.sources.len() + a.recipients.len() + a.transfers.len() + a.processors.len() + a.document_types.len()
            + a.systems.len() + a.risks.len() + a.measures.len(),
        risk_overrides: s.risk_overrides.len(),
        measure_statuses: s.measure_statuses.len(),
        not_applicable: s.not_applicable.len(),
        subject_counts: s.subject_counts.len(),
    }
}

/// The coordinator's overview, with each municipality checked as of `today`: the base and
/// coordination are read once, each municipality's effective DPIA is built once and checked
/// with its review status (the state at the last review shared where municipalities share it).
pub fn overview(view: &View<'_>, today: Day) -> Result<Overview, WorkspaceError> {
    let current = view.current()?;
    let coordination = &current.0;
    let latest = coordination.latest_release().map(ReleaseStamp::from);
    let codes = view.supplement_codes();
    // The workspace is read in this thread; the checks then run on the machine's cores.
    let mut read = Vec::new();
    for p in &coordination.participants {
        let Some(code) = p.code else { continue };
        let supplement = if codes.contains(&code) { view.supplement_shared(code)? } else { Default::default() };
        // Built once per municipality, on the base read once for all.
        let dpia = view.effective_on(&current, &supplement, p);
        let (ctx, review) = crate::check::check_inputs(view, Some(code), &dpia, today)?;
        read.push((p, code, supplement, dpia, ctx, review));
    }
    let jobs: Vec<_> = read.iter().map(|(.., dpia, ctx, review)| (dpia, ctx, review)).collect();
    let reports = crate::check::check_each(&jobs);
    let mut participants = Vec::new();
    let mut dpias = Vec::new();
    for ((p, code, supplement, dpia, ..), report) in read.into_iter().zip(reports) {
        participants.push(ParticipantStatus {
            code,
            name: p.name.clone(),
            base_release: supplement.meta.base_release.clone(),
            on_latest: match (&latest, &dpia.release) {
                (Some(l), Some(r)) => l.name == r.name,
                (None, _) => true,
                _ => false,
            },
            release_problem: dpia.release_problem.clone(),
            errors: report.errors(),
            warnings: report.warnings(),
            acceptance: report.acceptance,
            review_due: report.has("K-35-11-TRIGGERED") || report.has("K-35-11-OVERDUE"),
            last_signed: supplement.signings.iter().max_by_key(|s| s.date).cloned(),
            deviations: deviations(&supplement),
        });
        dpias.push((code, dpia));
    }
    Ok(Overview {
        title: current.1.meta.title.clone(),
        releases: coordination.releases.iter().map(ReleaseStamp::from).collect(),
        latest_release: latest,
        participants,
        recurring: recurring(&dpias),
    })
}

impl Workspace {
    /// Records that a municipality's DPIA was signed (the app and `konsekvens sign --record`).
    pub fn record_signing(&mut self, code: OrgCode, signing: &Signing, author: &crate::workspace::Author) -> Result<(), WorkspaceError> {
        self.edit(crate::doc::DocKey::Supplement(code), author, |e| e.put(signing))
    }
}

/// The overview as text for `konsekvens status`.
pub fn render(o: &Overview) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", o.title);
    match &o.latest_release {
        Some(r) => {
            let _ = writeln!(out, "Nyeste udgivelse af fælles basis: {} ({}), SHA-256 {}", r.name, r.date.map(|d| d.danish()).unwrap_or_default(), &r.content_hash[..16.min(r.content_hash.len())]);
        }
        None => {
            let _ = writeln!(out, "Fælles basis er ikke udgivet endnu.");
        }
    }
    let _ = writeln!(out, "\n{:<5} {:<14} {:<10} {:>5} {:>9} {:<8} {:<12} Afvigelser", "Kode", "Kommune", "Udgivelse", "Fejl", "Advarsler", "Revision", "Underskrevet");
    for p in &o.participants {
        let release = if p.base_release.is_empty() { "—".to_owned() } else if p.on_latest { p.base_release.clone() } else { format!("{} (ældre)", p.base_release) };
        let signed = p.last_signed.as_ref().and_then(|s| s.date).map(|d| d.danish()).unwrap_or_else(|| "—".into());
        let d = &p.deviations;
        let _ = writeln!(
            out,
            "{:<5} {:<14} {:<10} {:>5} {:>9} {:<8} {:<12} {} (lokale {}, vurderinger {}, foranstaltninger {}, ikke relevante {}, antal {})",
            p.code.to_string(), p.name, release, p.errors, p.warnings, if p.review_due { "påkrævet" } else { "ok" }, signed, d.total(),
            d.local_items, d.risk_overrides, d.measure_statuses, d.not_applicable, d.subject_counts
        );
    }
    let _ = writeln!(out, "\nGentagne afvigelser (materiale til at forbedre fælles basis):");
    if o.recurring.is_empty() {
        let _ = writeln!(out, "  ingen afvigelser går igen i flere kommuner");
    }
    for r in &o.recurring {
        let codes: Vec<String> = r.municipalities.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(out, "  {} ({})", r.da, codes.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::DocKey;
    use crate::workspace::Author;
    use std::sync::Arc;

    #[test]
    fn two_factor_login_in_other_words_is_the_same_measure() {
        let a = words("To-faktor-login via Azure AD (PIT)");
        let b = words("2FA med MitID Erhverv for medarbejdere");
        assert!(similar(&a, &b));
        assert!(!similar(&a, &words("Halvårlig gennemgang af grupper")));
        assert!(similar(&words("Gennemgang af manuelle grupper"), &words("Gennemgang af grupper, manuelle")));
    }

    #[test]
    fn the_overview_shows_releases_signings_and_recurring_deviations() {
        let dir = tempfile::tempdir().unwrap();
        let env = Arc::new(crate::FixedEnv::new(1_795_593_600_000, 3));
        let mut ws = Workspace::create_demo(&dir.path().join("w.konsekvens"), env).unwrap();
        let today = Day::ymd(2026, 11, 25);
        let o = crate::status::overview(&ws.view(), today).unwrap();
        assert_eq!(o.participants.len(), 3);
        assert!(o.participants.iter().all(|p| p.on_latest && p.errors == 0 && p.base_release == "2025.1"), "{:#?}", o.participants);
        // In the sample, København (PIT) and Aarhus (MitID Erhverv) add two-factor login.
        let [two_fa] = o.recurring.as_slice() else { panic!("one recurring deviation: {:?}", o.recurring) };
        assert_eq!((two_fa.kind.as_str(), two_fa.municipalities.as_slice()), ("local_measure", [OrgCode(101), OrgCode(751)].as_slice()));

        // Esbjerg adds it too, in its own words.
        let esbjerg = OrgCode(561);
        let risk = ws.supplement(OrgCode(101)).unwrap().additions.measures[0].mitigates.iter().next().unwrap().clone();
        ws.edit(DocKey::Supplement(esbjerg), &Author::new("dpo", Some(esbjerg)), |e| {
            let reference = e.next_reference::<Measure>("ESB-")?;
            e.put(&Measure { id: ItemId::from("m-2fa-esb"), reference, title: "Tofaktor-login for pædagoger".into(), mitigates: [risk].into(), ..Measure::default() })
        })
        .unwrap();
        ws.record_signing(OrgCode(561), &Signing { id: ItemId::from("sig-1"), date: Some(today), signer: "Åse Bøgh".into(), capacity: "DPO".into(), base_release: "2025.1".into(), pdf_sha256: "ab".into() }, &Author::new("dpo", Some(OrgCode(561)))).unwrap();
        ws.publish_release("2026.1", today, "", &Author::new("KL", None)).unwrap();

        let o = crate::status::overview(&ws.view(), today).unwrap();
        assert_eq!(o.latest_release.as_ref().unwrap().name, "2026.1");
        assert!(o.participants.iter().all(|p| !p.on_latest), "all stand on 2025.1");
        let esb = o.participants.iter().find(|p| p.code == OrgCode(561)).unwrap();
        assert_eq!(esb.last_signed.as_ref().unwrap().signer, "Åse Bøgh");
        assert_eq!(esb.deviations.local_items, 1);
        let two_fa = o.recurring.iter().find(|r| r.kind == "local_measure").expect("2FA recurs");
        assert_eq!(two_fa.municipalities, vec![OrgCode(101), OrgCode(561), OrgCode(751)]);
        assert!(two_fa.da.starts_with("3 kommuner tilføjer som lokal foranstaltning"), "{}", two_fa.da);
        let text = render(&o);
        assert!(text.contains("2025.1 (ældre)") && text.contains("3 kommuner"), "{text}");
    }

    /// The checks the overview and `check --all` run on several threads answer exactly as
    /// one check at a time does (a year of use with 12 municipalities, so each thread gets
    /// several DPIAs and the order of finishing differs from the order given).
    #[test]
    fn the_checks_run_on_several_threads_answer_as_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let ws = crate::fixtures::year_of_use(&dir.path().join("y.konsekvens"), &crate::fixtures::YearSpec { edits: 400, municipalities: 12, seed: 5 }).unwrap();
        let today = Day::ymd(2026, 11, 25);
        let view = ws.view();
        let all = crate::check::check_all(&view, today).unwrap();
        let orgs: Vec<Option<OrgCode>> = std::iter::once(None).chain(view.supplement_codes().into_iter().map(Some)).collect();
        assert_eq!(all.iter().map(|(o, _)| *o).collect::<Vec<_>>(), orgs);
        assert!(orgs.len() > 12, "{orgs:?}");
        for (org, report) in &all {
            let alone = crate::check::check_in(&view, *org, today).unwrap();
            assert_eq!(serde_json::to_value(report).unwrap(), serde_json::to_value(&alone).unwrap(), "{org:?}");
        }
        let overview = overview(&view, today).unwrap();
        for p in &overview.participants {
            let alone = crate::check::check_in(&view, Some(p.code), today).unwrap();
            assert_eq!((p.errors, p.warnings, p.acceptance), (alone.errors(), alone.warnings(), alone.acceptance), "{}", p.code);
        }
    }
}
