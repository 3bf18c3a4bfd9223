//! Migration from the CNIL PIA tool (github.com/LINCnil/pia): its `.json` export of one PIA
//! (`pia`, `answers`, `measures`, `evaluations`, `comments`) into a new joint DPIA or into a
//! municipality's supplement.
//!
//! The tool's standard structure has fixed questions, referred to by number: 111–123 the
//! context, 211–227 the fundamental principles, and three fixed risks with the same six
//! questions each — 32x illegitimate access, 33x unwanted modification, 34x disappearance of
//! data — whose 5th and 6th answers carry a 1–4 gauge (severity, likelihood). We map:
//!
//! | CNIL | Konsekvens |
//! |---|---|
//! | 111 processing | description summary |
//! | 211 purposes, 212 legal basis, 213–227 | one purpose: description, legal basis (GDPR text), necessity aspects |
//! | 215 storage duration | description retention and the purpose's storage limitation |
//! | the three risks | three risks rating confidentiality / integrity / availability after the planned controls (residual); gauges 1–4 step for step |
//! | measures, 3.1 evaluations | measures (technical/organisational from the knowledge-base slug), due date and person in charge |
//! | 32x/33x/34x 4th answer (controls) | which measures mitigate which risk |
//! | DPO names, opinion | DPO advice |
//! | evaluations of sections | a review |
//!
//! What has no counterpart (responsibilities, standards, data and life-cycle text,
//! supporting assets, opinions of the data subjects, comments, author/evaluator/validator)
//! is kept as notes in the description (new DPIA) or in the purpose's description
//! (supplement), and the report lists each one and where it went.

use crate::import::{Action, Gap, ItemLine};
use crate::mapping::Note;
use konsekvens_core::check::cnil::{verdict_line, CnilVerdict, VerdictOn};
use konsekvens_core::check::{self, CheckContext, Lang};
use konsekvens_core::doc::Item;
use konsekvens_core::model::*;
use konsekvens_core::{Author, DocKey, EffectiveDpia, Env, Workspace, WorkspaceError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The `dbVersion`s of the PIA tool's `pia` table that its exports have carried (2017–2019);
/// newer exports carry none.
const KNOWN_DB_VERSIONS: &[u64] = &[201707071818, 201708291502, 201709122303, 201802221337, 201809012140, 201910230914];
const QUESTIONS: &[u32] = &[
    111, 112, 113, 121, 122, 123, 211, 212, 213, 214, 215, 221, 222, 223, 224, 225, 226, 227, 321, 322, 323, 324, 325, 326, 331, 332, 333, 334, 335, 336, 341, 342, 343, 344,
    345, 346,
];

#[derive(Debug, thiserror::Error)]
pub enum CnilError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Too large, or not UTF-8 (the message names the file and the limit).
    #[error(transparent)]
    Read(crate::limits::ReadError),
    #[error("{}: not valid JSON at line {line}, column {column}: {message}", path.display())]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: not an export of the CNIL PIA tool (no «pia» object with the PIA's name)", path.display())]
    NotAPia { path: PathBuf },
    #[error("{}: written by a version of the CNIL PIA tool this import does not know (pia.dbVersion {found}; known: {known}); export it again from a current version of the tool", path.display())]
    UnknownVersion { path: PathBuf, found: u64, known: String },
    #[error("{}: the PIA uses its own structure «{name}»; this import reads PIAs made with the CNIL tool's standard structure", path.display())]
    CustomStructure { path: PathBuf, name: String },
    #[error("{}: at {at}: {message}", path.display())]
    Shape { path: PathBuf, at: String, message: String },
}

/// A number the tool writes as a number or as a string ("12").
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

/// As the file writes it: `5`, `2.5`, «x» — never Rust's `Int(5)`.
impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(x) => write!(f, "{x}"),
            Num::Text(t) => write!(f, "«{t}»"),
        }
    }
}

impl Num {
    fn as_i64(&self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(*i),
            Num::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            Num::Float(_) => None,
            Num::Text(s) => s.trim().parse().ok(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Export {
    pia: Pia,
    #[serde(default)]
    answers: Vec<Answer>,
    #[serde(default)]
    measures: Vec<CnilMeasure>,
    #[serde(default)]
    evaluations: Vec<Evaluation>,
    #[serde(default)]
    comments: Option<Vec<Comment>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Pia {
    name: String,
    category: Option<String>,
    author_name: Option<String>,
    evaluator_name: Option<String>,
    validator_name: Option<String>,
    dpo_status: Option<Num>,
    dpo_opinion: Option<String>,
    dpos_names: Option<String>,
    people_names: Option<String>,
    concerned_people_opinion: Option<String>,
    concerned_people_status: Option<Num>,
    concerned_people_searched_opinion: Option<bool>,
    concerned_people_searched_content: Option<String>,
    rejection_reason: Option<String>,
    applied_adjustments: Option<String>,
    status: Option<Num>,
    updated_at: Option<String>,
    structure_id: Option<Value>,
    structure_name: Option<String>,
    #[serde(rename = "dbVersion")]
    db_version: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    reference_to: Num,
    #[serde(default)]
    data: AnswerData,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerData {
    text: Option<String>,
    gauge: Option<Num>,
    list: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct CnilMeasure {
    id: Num,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    placeholder: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Evaluation {
    reference_to: Num,
    #[serde(default)]
    evaluation_comment: Option<String>,
    #[serde(default)]
    action_plan_comment: Option<String>,
    #[serde(default)]
    gauges: Option<Gauges>,
    #[serde(default)]
    estimated_implementation_date: Option<String>,
    #[serde(default)]
    person_in_charge: Option<String>,
    /// The evaluator's verdict: 1 to be corrected, 2 to be improved, 3 acceptable (0 or
    /// none: not evaluated).
    #[serde(default)]
    status: Option<Num>,
}

impl Evaluation {
    /// The evaluator's verdict, which the check knows (`check::cnil`).
    fn verdict(&self) -> Option<CnilVerdict> {
        CnilVerdict::from_status(self.status.as_ref().and_then(Num::as_i64)?)
    }
}

/// A measure of the tool's knowledge base: its slug, our Danish title, and the tool's own
/// titles in French and English (`src/assets/i18n/{fr,en}.json`,
/// `knowledge_base.slugs.<slug>.name`, LINCnil/pia, April 2026), and whether it is
/// organisational (`PIA_ORG_*`, and the processing contract among the security measures).
struct KnowledgeBaseMeasure {
    slug: &'static str,
    da: &'static str,
    fr: &'static str,
    en: &'static str,
    organisational: bool,
}

const fn kb(slug: &'static str, da: &'static str, fr: &'static str, en: &'static str, organisational: bool) -> KnowledgeBaseMeasure {
    KnowledgeBaseMeasure { slug, da, fr, en, organisational }
}

/// The 29 measures of the tool's knowledge base (`src/assets/files/pia_knowledge-base.json`).
const KNOWLEDGE_BASE: &[KnowledgeBaseMeasure] = &[
    kb("PIA_TEC_CHIF", "Kryptering", "Chiffrement", "Encryption", false),
    kb("PIA_TEC_ANO", "Anonymisering", "Anonymisation", "Anonymisation", false),
    kb("PIA_TEC_CLO", "Adskillelse af data", "Cloisonnement", "Partitioning data", false),
    kb("PIA_TEC_CTLA", "Logisk adgangskontrol", "Contrôle des accès logiques", "Logical access control", false),
    kb("PIA_TEC_LOG", "Sporbarhed (logning)", "Journalisation", "Traceability (logging)", false),
    kb("PIA_TEC_ARCH", "Arkivering", "Archivage", "Archiving", false),
    kb("PIA_TEC_PAP", "Sikring af papirdokumenter", "Sécurisation des documents papier", "Paper document security", false),
    kb("PIA_TEC_MINI", "Dataminimering", "Minimisation des données", "Minimising the amount of personal data", false),
    kb("PIA_SEC_EXP", "Driftssikkerhed", "Sécurisation de l'exploitation", "Operating security", false),
    kb("PIA_SEC_MAL", "Beskyttelse mod skadelig software", "Lutte contre les logiciels malveillants", "Clamping down on malicious software", false),
    kb("PIA_SEC_COMP", "Sikring af arbejdsstationer", "Gestion des postes de travail", "Managing workstations", false),
    kb("PIA_SEC_WEB", "Sikring af websteder", "Protection des sites web", "Website security", false),
    kb("PIA_SEC_BKP", "Sikkerhedskopiering", "Sauvegarde des données", "Backups", false),
    kb("PIA_SEC_MAIN", "Vedligeholdelse", "Maintenance", "Maintenance", false),
    kb("PIA_SEC_CTR", "Databehandleraftaler", "Contrat de sous-traitance", "Processing contracts", true),
    kb("PIA_SEC_NET", "Netværkssikkerhed", "Sécurisation des canaux informatiques", "Network security", false),
    kb("PIA_SEC_PHY", "Fysisk adgangskontrol", "Sécurité physique", "Physical access control", false),
    kb("PIA_SEC_LOG", "Overvågning af netværksaktivitet", "Traçabilité", "Monitoring network activity", false),
    kb("PIA_SEC_MAT", "Sikring af udstyr", "Sécurisation des matériels", "Hardware security", false),
    kb("PIA_SEC_SRC", "Afstand til risikokilder", "Eloignement des sources de risques", "Avoiding sources of risk", false),
    kb("PIA_SEC_PROT", "Beskyttelse mod ikke-menneskelige risici", "Protection contre les sources de risques non humaines", "Protecting against non-human sources of risks", false),
    kb("PIA_ORG_ORG", "Organisering af databeskyttelsen", "Organisation de la politique de protection de la vie privée", "Organisation", true),
    kb("PIA_ORG_POL", "Databeskyttelsespolitik", "Gérer la politique de protection de la vie privée", "Policy", true),
    kb("PIA_ORG_RMGT", "Risikostyring", "Gérer les risques", "Managing privacy risks", true),
    kb("PIA_ORG_PBD", "Databeskyttelse i projekter", "Intégrer la protection de la vie privée dans les projets", "Integrating privacy protection in projects", true),
    kb("PIA_ORG_VIOL", "Håndtering af sikkerhedshændelser og brud på persondatasikkerheden", "Gérer les incidents de sécurité et les violations de données", "Managing personal data violations", true),
    kb("PIA_ORG_PERS", "Personalehåndtering", "Gestion des personnels", "Personnel management", true),
    kb("PIA_ORG_EXT", "Styring af tredjeparter med adgang til data", "Gestion des tiers accédant aux données", "Relations with third parties", true),
    kb("PIA_ORG_AUD", "Tilsyn med databeskyttelsen", "Superviser la protection de la vie privée", "Supervision", true),
];

/// The knowledge-base measure a slug or translation key names («knowledge_base.slugs.
/// PIA_TEC_CHIF.placeholder», «….name», «PIA_TEC_CHIF»).
fn knowledge_base(key: &str) -> Option<&'static KnowledgeBaseMeasure> {
    let code = key.trim().split('.').find(|p| p.starts_with("PIA_"))?;
    KNOWLEDGE_BASE.iter().find(|m| m.slug == code)
}

/// A measure's Danish title by its slug, when the file has none of its own.
#[cfg(test)]
fn knowledge_base_title(slug: &str) -> Option<&'static str> {
    knowledge_base(slug).map(|m| m.da)
}

/// Whether a title is one of the tool's untranslated keys rather than a title («knowledge_
/// base.slugs.PIA_TEC_CHIF.name», «measures.placeholder_title»): the tool writes the key
/// when its translation was not loaded.
fn is_translation_key(title: &str) -> bool {
    let t = title.trim();
    !t.contains(' ') && (t.starts_with("knowledge_base.") || t.starts_with("measures.")) && t.contains('.')
}

#[derive(Debug, Default, Deserialize)]
struct Gauges {
    #[serde(default)]
    x: Option<Num>,
    #[serde(default)]
    y: Option<Num>,
}

#[derive(Debug, Deserialize)]
struct Comment {
    reference_to: Num,
    #[serde(default)]
    description: Option<String>,
}

/// A CNIL PIA read and mapped onto our model, before it is written anywhere.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CnilPia {
    pub name: String,
    pub summary: Prose,
    pub retention: Prose,
    pub purpose: Purpose,
    pub risks: Vec<Risk>,
    pub measures: Vec<Measure>,
    pub dpo_advice: Option<DpoAdvice>,
    pub review: Option<Review>,
    /// The PIA as the workspace keeps it: its identity (name, file, date, a fingerprint of
    /// the file) and its three risks by number, so the risks' source references can be
    /// checked against it.
    pub sheet: SupplierSheet,
    /// What has no counterpart: (label, text).
    pub notes: Vec<(String, String)>,
    /// How each CNIL part was mapped, for the report.
    pub mapped: Vec<Note>,
    /// Items an earlier import of this PIA made: updated or unchanged, and what changed (the
    /// rest are created).
    pub actions: BTreeMap<ItemId, (Action, Vec<Note>)>,
}

fn outcome<T>(old: Option<&T>, new: &T, changes: fn(&T, &T) -> Vec<Note>) -> (Action, Vec<Note>) {
    match old {
        None => (Action::Created, Vec::new()),
        Some(old) => {
            let c = changes(old, new);
            (if c.is_empty() { Action::Unchanged } else { Action::Updated }, c)
        }
    }
}

/// Reads a CNIL PIA export (file) and maps it.
pub fn read(path: &Path) -> Result<CnilPia, CnilError> {
    let text = crate::limits::read_text_bounded(path, crate::limits::MAX_JSON_BYTES).map_err(|e| match e {
        crate::limits::ReadError::Io { path, source } => CnilError::Io { path, source },
        other => CnilError::Read(other),
    })?;
    parse(path, &text)
}

/// Maps a CNIL PIA export's text. Unknown versions and shapes are refused with the path of
/// the problem.
pub fn parse(path: &Path, text: &str) -> Result<CnilPia, CnilError> {
    let value: Value = serde_json::from_str(text).map_err(|e| CnilError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })?;
    let has_name = value.get("pia").and_then(|p| p.get("name")).is_some_and(Value::is_string);
    if !has_name {
        return Err(CnilError::NotAPia { path: path.to_owned() });
    }
    let export: Export = serde_path_to_error::deserialize(value).map_err(|e| CnilError::Shape {
        path: path.to_owned(),
        at: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    if let Some(v) = export.pia.db_version.filter(|v| !KNOWN_DB_VERSIONS.contains(v)) {
        return Err(CnilError::UnknownVersion {
            path: path.to_owned(),
            found: v,
            known: KNOWN_DB_VERSIONS.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        });
    }
    if export.pia.structure_id.as_ref().is_some_and(|v| !v.is_null()) {
        return Err(CnilError::CustomStructure { path: path.to_owned(), name: export.pia.structure_name.clone().unwrap_or_default() });
    }
    let shape = |at: String, message: String| CnilError::Shape { path: path.to_owned(), at, message };
    let mut answers: BTreeMap<u32, &AnswerData> = BTreeMap::new();
    for (i, a) in export.answers.iter().enumerate() {
        let q = a.reference_to.as_i64().and_then(|q| u32::try_from(q).ok()).filter(|q| QUESTIONS.contains(q));
        let Some(q) = q else {
            return Err(shape(
                format!("answers[{i}].reference_to"),
                format!("{} is not a question of the CNIL PIA standard structure (111–346); was the PIA made with a newer or customised version of the tool?", a.reference_to),
            ));
        };
        if let Some(g) = &a.data.gauge {
            if !matches!(g.as_i64(), Some(0..=4)) {
                return Err(shape(format!("answers[{i}].data.gauge"), format!("{g} is not a gauge (0–4)")));
            }
        }
        answers.insert(q, &a.data);
    }
    let mut pia = Mapper { export: &export, answers }.map();
    let sha = <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes());
    pia.sheet.fingerprint = sha.iter().map(|b| format!("{b:02x}")).collect();
    pia.sheet.file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(pia)
}

/// What goes before the numbers of a CNIL PIA's risks in their source references.
pub fn source_label(name: &str) -> String {
    format!("CNIL PIA «{name}»")
}

struct Mapper<'a> {
    export: &'a Export,
    answers: BTreeMap<u32, &'a AnswerData>,
}

/// The three fixed risks: (item, title, dimension, CNIL name).
const RISKS: [(u32, &str, Dimension, &str); 3] = [
    (32, "Ulovlig adgang til personoplysningerne", Dimension::Confidentiality, "illegitimate access to data"),
    (33, "Uønsket ændring af personoplysningerne", Dimension::Integrity, "unwanted modification of data"),
    (34, "Forsvinden af personoplysningerne", Dimension::Availability, "data disappearance"),
];

impl Mapper<'_> {
    fn text(&self, q: u32) -> String {
        self.answers.get(&q).and_then(|a| a.text.as_deref()).map(html_to_text).unwrap_or_default()
    }
    fn list(&self, q: u32) -> Vec<String> {
        self.answers.get(&q).and_then(|a| a.list.clone()).unwrap_or_default().iter().map(|s| html_to_text(s)).filter(|s| !s.is_empty()).collect()
    }
    fn gauge(&self, q: u32) -> Option<u8> {
        self.answers.get(&q).and_then(|a| a.gauge.as_ref()).and_then(Num::as_i64).filter(|g| (1..=4).contains(g)).map(|g| g as u8)
    }
    fn evaluation(&self, reference: &str) -> Option<&Evaluation> {
        self.export.evaluations.iter().find(|e| match &e.reference_to {
            Num::Text(s) => s == reference,
            other => other.as_i64().map(|n| n.to_string()).as_deref() == Some(reference),
        })
    }

    fn map(&self) -> CnilPia {
        let p = &self.export.pia;
        let mut out = CnilPia { name: p.name.clone(), ..CnilPia::default() };
        let mapped = |da: &str, en: &str| Note { da: da.into(), en: en.into() };
        out.summary = Prose(self.text(111));
        out.retention = Prose(self.text(215));
        out.mapped.push(mapped("111 behandlingen → beskrivelsens sammenfatning; 215 opbevaring → opbevaring og sletning", "111 processing → description summary; 215 storage → retention"));

        // The principles become one purpose with its legal basis and necessity.
        let labelled = |parts: &[(u32, &str)]| {
            parts.iter().filter_map(|(q, label)| Some(self.text(*q)).filter(|t| !t.is_empty()).map(|t| format!("{label}: {t}"))).collect::<Vec<_>>().join("\n")
        };
        out.purpose = Purpose {
            title: format!("Formål: {}", p.name),
            description: Prose(self.text(211)),
            legal_basis: LegalBasis { gdpr_text: Prose(labelled(&[(212, "Retsgrundlag"), (222, "Samtykke")])), ..LegalBasis::default() },
            necessity: Necessity {
                minimisation: Prose(self.text(213)),
                accuracy: Prose(self.text(214)),
                storage_limitation: Prose(self.text(215)),
                information: Prose(self.text(221)),
                data_subject_rights: Prose(labelled(&[(223, "Indsigt og dataportabilitet"), (224, "Berigtigelse og sletning"), (225, "Begrænsning og indsigelse")])),
                processors: Prose(self.text(226)),
                transfers: Prose(self.text(227)),
                ..Necessity::default()
            },
            ..Purpose::default()
        };
        out.mapped.push(mapped(
            "211–227 de grundlæggende principper → ét formål: 211 beskrivelse, 212 og 222 retsgrundlag, 213–227 nødvendighedens aspekter (nødvendighed og proportionalitet har intet modstykke og skal udfyldes)",
            "211–227 fundamental principles → one purpose: 211 description, 212 and 222 legal basis, 213–227 the necessity aspects (necessity and proportionality have no counterpart and must be filled in)",
        ));

        // Measures, with their evaluations (3.1.<id>).
        let mut by_title: BTreeMap<String, usize> = BTreeMap::new();
        for m in &self.export.measures {
            let id = m.id.as_i64().map(|n| n.to_string()).unwrap_or_else(|| m.id.to_string().trim_matches(['«', '»']).to_owned());
            let slug = m.placeholder.as_deref().unwrap_or_default();
            let written = m.title.as_deref().map(html_to_text).unwrap_or_default();
            // the knowledge-base measure the placeholder (or an untranslated title) names
            let known = knowledge_base(slug).or_else(|| is_translation_key(&written).then(|| knowledge_base(&written)).flatten());
            // a measure taken from the knowledge base and left untitled, or titled with the
            // tool's key, still says what it is: our Danish title, the tool's own beside it
            let title = if !written.is_empty() && !is_translation_key(&written) {
                written
            } else if let Some(k) = known {
                k.da.to_owned()
            } else {
                format!("Foranstaltning {id}")
            };
            let kind = known.map(|k| if k.organisational { MeasureKind::Organisational } else { MeasureKind::Technical });
            let mut description = m.content.as_deref().map(html_to_text).unwrap_or_default();
            if let Some(k) = known {
                if title == k.da {
                    let _ = write!(description, "\nCNIL's vidensbase: {} / {} ({})", k.fr, k.en, k.slug);
                }
            }
            let mut measure = Measure { title: title.clone(), kind, ..Measure::default() };
            if let Some(e) = self.evaluation(&format!("3.1.{id}")) {
                if let Some(v) = e.verdict() {
                    let _ = write!(description, "\n{}", verdict_line(VerdictOn::Measure, v));
                }
                for (label, text) in [("Evaluering (CNIL)", &e.evaluation_comment), ("Handlingsplan (CNIL)", &e.action_plan_comment)] {
                    if let Some(t) = text.as_deref().map(html_to_text).filter(|t| !t.is_empty()) {
                        let _ = write!(description, "\n{label}: {t}");
                    }
                }
                if let Some(d) = e.estimated_implementation_date.as_deref().and_then(crate::parse::parse_date) {
                    measure.planned_date = Some(d);
                    measure.status = Some(MeasureStatus::Planned);
                }
                if let Some(who) = e.person_in_charge.as_deref().map(str::trim).filter(|w| !w.is_empty() && *w != "None") {
                    measure.owner_name = who.to_owned();
                    measure.owner = Some(Owner::Other);
                }
            }
            measure.description = Prose(description.trim().to_owned());
            by_title.insert(crate::mapping::norm(&title), out.measures.len());
            out.measures.push(measure);
        }
        out.mapped.push(mapped(
            "foranstaltninger → foranstaltninger (teknisk/organisatorisk efter vidensbasens kategori; frist og ansvarlig fra handlingsplanen); CNIL angiver ikke, om de er gennemført eller planlagt",
            "measures → measures (technical/organisational by the knowledge-base category; due date and person in charge from the action plan); CNIL does not say whether they are implemented or planned",
        ));

        // The three fixed risks: CNIL estimates each after the planned controls, so the gauges
        // are the residual rating of one dimension; the inherent rating has no counterpart.
        for (item, title, dim, cnil_name) in RISKS {
            let q = |n: u32| item * 10 + n;
            let impacts = self.list(q(1));
            let threats = self.list(q(2));
            let sources = self.list(q(3));
            let severity = self.gauge(q(5));
            let likelihood = self.gauge(q(6));
            if impacts.is_empty() && threats.is_empty() && sources.is_empty() && severity.is_none() && likelihood.is_none() {
                continue;
            }
            let mut threat = String::new();
            if !threats.is_empty() {
                let _ = writeln!(threat, "Trusler: {}", threats.join("; "));
            }
            if !sources.is_empty() {
                let _ = writeln!(threat, "Risikokilder: {}", sources.join("; "));
            }
            let mut risk = Risk {
                title: title.to_owned(),
                threat: Prose(threat.trim().to_owned()),
                source: Some(RiskSource::Other),
                source_reference: format!("{} {}.{item} ({cnil_name})", source_label(&p.name), item / 10),
                ..Risk::default()
            };
            let rating = risk.residual.rating_mut(dim);
            rating.consequence = severity.map(|g| Consequence::ALL[g as usize - 1]);
            let impacts_text = if impacts.is_empty() { String::new() } else { format!("Virkninger for de registrerede: {}. ", impacts.join("; ")) };
            rating.consequence_reason = Prose(format!("{impacts_text}{}", self.text(q(5))).trim().to_owned());
            rating.likelihood = likelihood.map(|g| Likelihood::ALL[g as usize - 1]);
            rating.likelihood_reason = Prose(self.text(q(6)));
            if let Some(e) = self.evaluation(&format!("3.{}", item % 10)) {
                let mut notes = Vec::new();
                if let Some(v) = e.verdict() {
                    notes.push(verdict_line(VerdictOn::Risk, v));
                }
                let (x, y) = e.gauges.as_ref().map(|g| (g.x.as_ref().and_then(Num::as_i64), g.y.as_ref().and_then(Num::as_i64))).unwrap_or_default();
                if let (Some(x @ 1..=4), Some(y @ 1..=4)) = (x, y) {
                    notes.push(format!(
                        "Evaluatorens vurdering efter handlingsplanen (CNIL): alvor {}, sandsynlighed {}",
                        Consequence::ALL[x as usize - 1].danish(),
                        Likelihood::ALL[y as usize - 1].danish()
                    ));
                }
                for t in [&e.evaluation_comment, &e.action_plan_comment] {
                    if let Some(t) = t.as_deref().map(html_to_text).filter(|t| !t.is_empty()) {
                        notes.push(t);
                    }
                }
                risk.residual_reason = Prose(notes.join("\n"));
            }
            for control in self.list(q(4)) {
                if let Some(i) = by_title.get(&crate::mapping::norm(&control)) {
                    out.measures[*i].mitigates.insert(ItemId(format!("cnil-risk-{item}")));
                }
            }
            risk.id = ItemId(format!("cnil-risk-{item}"));
            out.sheet.threats.insert(format!("{}.{item}", item / 10), SheetThreat { title: title.to_owned(), ..SheetThreat::default() });
            out.risks.push(risk);
        }
        out.mapped.push(mapped(
            "de tre faste risici (ulovlig adgang, uønsket ændring, forsvinden) → tre risici for fortrolighed, integritet og tilgængelighed; målerne 1–4 (ubetydelig, begrænset, betydelig, maksimal) → restrisikoens trin 1–4, da CNIL vurderer med de planlagte foranstaltninger; den iboende risiko har intet modstykke og skal vurderes",
            "the three fixed risks (illegitimate access, unwanted modification, disappearance) → three risks rating confidentiality, integrity and availability; the 1–4 gauges (negligible, limited, significant, maximum) → residual steps 1–4, since CNIL rates with the planned controls; the inherent risk has no counterpart and must be rated",
        ));

        if p.dpos_names.as_deref().is_some_and(|s| !s.trim().is_empty()) || p.dpo_opinion.as_deref().is_some_and(|s| !s.trim().is_empty()) {
            let verdict = match p.dpo_status.as_ref().and_then(Num::as_i64) {
                Some(1) => " (CNIL: positiv udtalelse)",
                Some(0) => " (CNIL: negativ udtalelse)",
                _ => "",
            };
            out.dpo_advice = Some(DpoAdvice {
                advisor: p.dpos_names.clone().unwrap_or_default(),
                advice: Prose(format!("{}{verdict}", p.dpo_opinion.as_deref().map(html_to_text).unwrap_or_default())),
                ..DpoAdvice::default()
            });
            out.mapped.push(mapped("DPO'ens navn og udtalelse → DPO-rådgivning (dato og kommunens svar skal udfyldes)", "the DPO's name and opinion → DPO advice (date and the municipality's response must be filled in)"));
        }

        let section_evaluations: Vec<String> = self
            .export
            .evaluations
            .iter()
            .filter_map(|e| {
                let r = match &e.reference_to {
                    Num::Text(s) => s.clone(),
                    other => other.as_i64().map(|n| n.to_string()).unwrap_or_default(),
                };
                (r.starts_with("1.") || r.starts_with("2.")).then_some(r).and_then(|r| {
                    let texts: Vec<String> = [&e.evaluation_comment, &e.action_plan_comment].iter().filter_map(|t| t.as_deref().map(html_to_text).filter(|t| !t.is_empty())).collect();
                    (!texts.is_empty()).then(|| format!("{r}: {}", texts.join(" — ")))
                })
            })
            .collect();
        if !section_evaluations.is_empty() {
            out.review = Some(Review {
                date: p.updated_at.as_deref().and_then(crate::parse::parse_date),
                reviewer: p.evaluator_name.clone().unwrap_or_default(),
                trigger: Prose("Evaluering af konsekvensanalysen i CNIL's PIA-værktøj".into()),
                summary: Prose(section_evaluations.join("\n")),
                ..Review::default()
            });
            out.mapped.push(mapped("evalueringer af afsnittene → en revision", "evaluations of the sections → a review"));
        }

        // No counterpart: kept as notes.
        for (q, label) in [(112, "Ansvar for behandlingen (CNIL 1.1.2)"), (113, "Standarder (CNIL 1.1.3)"), (121, "Oplysninger, der behandles (CNIL 1.2.1)"), (122, "Oplysningernes livscyklus (CNIL 1.2.2)"), (123, "Understøttende aktiver (CNIL 1.2.3)")] {
            let t = self.text(q);
            if !t.is_empty() {
                out.notes.push((label.to_owned(), t));
            }
        }
        let people = [p.people_names.as_deref(), p.concerned_people_opinion.as_deref(), p.concerned_people_searched_content.as_deref()]
            .into_iter()
            .flatten()
            .map(html_to_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        if !people.is_empty() {
            out.notes.push(("De registreredes synspunkter (CNIL)".into(), people));
        }
        let roles: Vec<String> = [("forfatter", &p.author_name), ("evaluator", &p.evaluator_name), ("godkender", &p.validator_name), ("kategori", &p.category)]
            .iter()
            .filter_map(|(label, v)| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{label}: {v}")))
            .collect();
        if !roles.is_empty() {
            out.notes.push(("Roller i CNIL PIA".into(), roles.join(", ")));
        }
        for (label, v) in [("Begrundelse for afvisning (CNIL)", &p.rejection_reason), ("Foretagne tilpasninger (CNIL)", &p.applied_adjustments)] {
            if let Some(t) = v.as_deref().map(html_to_text).filter(|t| !t.is_empty()) {
                out.notes.push((label.to_owned(), t));
            }
        }
        for c in self.export.comments.iter().flatten() {
            if let Some(t) = c.description.as_deref().map(html_to_text).filter(|t| !t.is_empty()) {
                let r = c.reference_to.as_i64().map(|n| n.to_string()).unwrap_or_default();
                out.notes.push((format!("Kommentar til {r} (CNIL)"), t));
            }
        }
        out.sheet.label = source_label(&p.name);
        out.sheet.supplier = "CNIL PIA-værktøjet".into();
        out.sheet.date = p.updated_at.clone().unwrap_or_default().chars().take(40).collect();
        out
    }
}

impl CnilPia {
    fn notes_text(&self) -> String {
        if self.notes.is_empty() {
            return String::new();
        }
        let mut s = String::from("Fra CNIL PIA, uden modstykke i Konsekvens:");
        for (label, text) in &self.notes {
            let _ = write!(s, "\n{label}: {text}");
        }
        s
    }

    /// Gives every item an id and a reference (`prefix` "" in the base, "KBH-" in a
    /// supplement) and links measures to the risks' new ids. An item an earlier import of
    /// the same PIA made (a risk by its source reference, a measure or the purpose by title,
    /// the DPO advice and the review by who and when) keeps its id and reference, and what
    /// the user added that CNIL has no place for (the inherent rating, links, acceptance);
    /// `actions` then says whether it changed.
    fn assign(&mut self, env: &Arc<dyn Env>, prefix: &str, existing: &Items, today: Day) -> Vec<(ItemId, ItemId)> {
        let id = |kind: &str| ItemId(format!("{kind}-{:016x}", env.random_u64()));
        let next = |letter: &str, refs: &mut dyn Iterator<Item = &Reference>| {
            let head = format!("{prefix}{letter}");
            refs.map(Reference::split_number).filter(|(h, _)| *h == head).map(|(_, n)| n).max().unwrap_or(0)
        };
        let norm = crate::mapping::norm;
        let mut renamed = Vec::new();
        let mut n = next(Risk::REF_LETTER, &mut existing.risks.iter().map(|r| &r.reference));
        for r in &mut self.risks {
            let old_id = r.id.clone();
            match existing.risks.iter().find(|x| x.source_reference == r.source_reference) {
                Some(old) => {
                    let fresh = r.clone();
                    *r = Risk { title: fresh.title, threat: fresh.threat, source: fresh.source, source_reference: fresh.source_reference, residual: fresh.residual, residual_reason: fresh.residual_reason, ..old.clone() };
                    self.actions.insert(r.id.clone(), outcome(Some(old), r, crate::import::risk_changes));
                }
                None => {
                    n += 1;
                    r.id = id("risk");
                    r.reference = Reference(format!("{prefix}{}{n}", Risk::REF_LETTER));
                }
            }
            renamed.push((old_id, r.id.clone()));
        }
        let mut n = next(Measure::REF_LETTER, &mut existing.measures.iter().map(|r| &r.reference));
        for m in &mut self.measures {
            m.mitigates = m.mitigates.iter().map(|old| renamed.iter().find(|(o, _)| o == old).map(|(_, new)| new.clone()).unwrap_or_else(|| old.clone())).collect();
            match existing.measures.iter().find(|x| norm(&x.title) == norm(&m.title)) {
                Some(old) => {
                    let mut merged = old.clone();
                    merged.description = m.description.clone();
                    merged.kind = m.kind.or(old.kind);
                    merged.status = m.status.or(old.status);
                    merged.planned_date = m.planned_date.or(old.planned_date);
                    if m.owner.is_some() {
                        (merged.owner, merged.owner_name) = (m.owner, m.owner_name.clone());
                    }
                    merged.mitigates.extend(m.mitigates.iter().cloned());
                    *m = merged;
                    self.actions.insert(m.id.clone(), outcome(Some(old), m, crate::import::measure_changes));
                }
                None => {
                    n += 1;
                    m.id = id("measure");
                    m.reference = Reference(format!("{prefix}{}{n}", Measure::REF_LETTER));
                }
            }
        }
        match existing.purposes.iter().find(|x| norm(&x.title) == norm(&self.purpose.title)) {
            Some(old) => {
                self.purpose.id = old.id.clone();
                self.purpose.reference = old.reference.clone();
                let changed = *old != self.purpose;
                self.actions.insert(old.id.clone(), (if changed { Action::Updated } else { Action::Unchanged }, Vec::new()));
            }
            None => {
                let n = next(Purpose::REF_LETTER, &mut existing.purposes.iter().map(|r| &r.reference));
                self.purpose.id = id("purpose");
                self.purpose.reference = Reference(format!("{prefix}{}{}", Purpose::REF_LETTER, n + 1));
            }
        }
        if let Some(a) = &mut self.dpo_advice {
            match existing.dpo_advice.iter().find(|x| x.advisor == a.advisor && x.date == a.date) {
                Some(old) => {
                    (a.id, a.reference) = (old.id.clone(), old.reference.clone());
                    self.actions.insert(a.id.clone(), (if old == a { Action::Unchanged } else { Action::Updated }, Vec::new()));
                }
                None => {
                    let n = next(DpoAdvice::REF_LETTER, &mut existing.dpo_advice.iter().map(|r| &r.reference));
                    a.id = id("dpo");
                    a.reference = Reference(format!("{prefix}{}{}", DpoAdvice::REF_LETTER, n + 1));
                }
            }
        }
        // the PIA imported before (by its label): its identity and threats replaced, a
        // reason for not covering a threat kept
        match existing.supplier_sheets.iter().find(|x| norm(&x.label) == norm(&self.sheet.label)) {
            Some(old) => {
                (self.sheet.id, self.sheet.reference, self.sheet.imported) = (old.id.clone(), old.reference.clone(), old.imported);
                for (number, t) in &mut self.sheet.threats {
                    if let Some(o) = old.threats.get(number) {
                        t.not_covered_reason = o.not_covered_reason.clone();
                    }
                }
                let same = old.fingerprint == self.sheet.fingerprint && old.threats == self.sheet.threats && old.file == self.sheet.file;
                if !same {
                    self.sheet.imported = Some(today);
                }
                self.actions.insert(old.id.clone(), (if same { Action::Unchanged } else { Action::Updated }, Vec::new()));
            }
            None => {
                let n = next(SupplierSheet::REF_LETTER, &mut existing.supplier_sheets.iter().map(|r| &r.reference));
                self.sheet.id = id("sheet");
                self.sheet.reference = Reference(format!("{prefix}{}{}", SupplierSheet::REF_LETTER, n + 1));
                self.sheet.imported = Some(today);
            }
        }
        if let Some(r) = &mut self.review {
            match existing.reviews.iter().find(|x| x.reviewer == r.reviewer && x.date == r.date) {
                Some(old) => {
                    (r.id, r.reference) = (old.id.clone(), old.reference.clone());
                    self.actions.insert(r.id.clone(), (if old == r { Action::Unchanged } else { Action::Updated }, Vec::new()));
                }
                None => {
                    let n = next(Review::REF_LETTER, &mut existing.reviews.iter().map(|r| &r.reference));
                    r.id = id("review");
                    r.reference = Reference(format!("{prefix}{}{}", Review::REF_LETTER, n + 1));
                }
            }
        }
        renamed
    }

    /// Whether the item is written: new or changed.
    fn changes(&self, id: &ItemId) -> bool {
        self.actions.get(id).is_none_or(|(a, _)| *a != Action::Unchanged)
    }

    fn put_into(&self, items: &mut Items) {
        items.purposes.push(self.purpose.clone());
        items.risks.extend(self.risks.iter().cloned());
        items.measures.extend(self.measures.iter().cloned());
        items.dpo_advice.extend(self.dpo_advice.clone());
        items.reviews.extend(self.review.clone());
        items.supplier_sheets.push(self.sheet.clone());
    }

    fn lines(&self) -> Vec<ItemLine> {
        let line = |kind: &'static str, id: &ItemId, reference: &Reference, title: &str| {
            let (action, changes) = self.actions.get(id).cloned().unwrap_or((Action::Created, Vec::new()));
            ItemLine { kind, action, reference: reference.clone(), title: title.to_owned(), sheet_reference: None, rows: Vec::new(), changes }
        };
        let mut out = vec![line("purpose", &self.purpose.id, &self.purpose.reference, &self.purpose.title)];
        out.extend(self.risks.iter().map(|r| line("risk", &r.id, &r.reference, &r.title)));
        out.extend(self.measures.iter().map(|m| line("measure", &m.id, &m.reference, &m.title)));
        out.extend(self.dpo_advice.iter().map(|a| line("dpo_advice", &a.id, &a.reference, &a.advisor)));
        out.extend(self.review.iter().map(|r| line("review", &r.id, &r.reference, &r.reviewer)));
        out.push(line("supplier_sheet", &self.sheet.id, &self.sheet.reference, &self.sheet.label));
        out
    }
}

/// What a CNIL import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CnilReport {
    pub file: String,
    pub name: String,
    /// `base` of a new workspace, or `supplement/101`.
    pub target: String,
    pub items: Vec<ItemLine>,
    pub mapped: Vec<Note>,
    /// Notes without counterpart: (label, where it was kept).
    pub notes: Vec<(String, String)>,
    pub gaps: Vec<Gap>,
}

fn slug(name: &str) -> String {
    let s: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// A new joint DPIA (no participants yet) holding the CNIL PIA in its base.
pub fn create(out: &Path, env: Arc<dyn Env>, author: &Author, mut pia: CnilPia, file: &str, today: Day) -> Result<CnilReport, WorkspaceError> {
    pia.assign(&env, "", &Items::default(), today);
    let mut base = Base {
        meta: BaseMeta { dpia_id: slug(&pia.name), title: pia.name.clone(), system: String::new(), version_label: String::new() },
        ..Base::default()
    };
    let notes = pia.notes_text();
    base.description.summary = Prose(if notes.is_empty() { pia.summary.0.clone() } else { format!("{}\n\n{notes}", pia.summary.0).trim().to_owned() });
    base.description.retention = pia.retention.clone();
    pia.put_into(&mut base.items);
    let ws = Workspace::create_with(out, env, author, &Coordination::default(), &base, &[])?;
    report(&ws, None, &pia, file, "beskrivelsens sammenfatning", today)
}

/// The CNIL PIA as local additions in a municipality's supplement, in one edit.
pub fn import_into(ws: &mut Workspace, author: &Author, org: OrgCode, mut pia: CnilPia, file: &str, today: Day) -> Result<CnilReport, WorkspaceError> {
    let participant = ws.view().participant(org)?;
    let prefix = if participant.ref_prefix.is_empty() { format!("{org}-") } else { format!("{}-", participant.ref_prefix) };
    let existing = ws.view().supplement(org)?.additions;
    pia.assign(ws.env(), &prefix, &existing, today);
    let notes = pia.notes_text();
    if !notes.is_empty() {
        pia.purpose.description = Prose(format!("{}\n\n{notes}", pia.purpose.description.0).trim().to_owned());
    }
    // the purpose's text is only known whole now: compare it again
    if let Some(old) = existing.purposes.iter().find(|x| x.id == pia.purpose.id) {
        let changed = *old != pia.purpose;
        pia.actions.insert(old.id.clone(), (if changed { Action::Updated } else { Action::Unchanged }, Vec::new()));
    }
    let mut additions = Items::default();
    pia.put_into(&mut additions);
    let pia_ref = &pia;
    ws.edit(DocKey::Supplement(org), author, |e| {
        for p in additions.purposes.iter().filter(|x| pia_ref.changes(&x.id)) {
            e.put(p)?;
        }
        for r in additions.risks.iter().filter(|x| pia_ref.changes(&x.id)) {
            e.put(r)?;
        }
        for m in additions.measures.iter().filter(|x| pia_ref.changes(&x.id)) {
            e.put(m)?;
        }
        for a in additions.dpo_advice.iter().filter(|x| pia_ref.changes(&x.id)) {
            e.put(a)?;
        }
        for sheet in additions.supplier_sheets.iter().filter(|x| pia_ref.changes(&x.id)) {
            e.put(sheet)?;
        }
        additions.reviews.iter().filter(|x| pia_ref.changes(&x.id)).try_for_each(|r| e.put(r))
    })?;
    let purpose_ref = pia.purpose.reference.0.clone();
    report(ws, Some(org), &pia, file, &format!("beskrivelsen af formålet {purpose_ref}"), today)
}

fn report(ws: &Workspace, org: Option<OrgCode>, pia: &CnilPia, file: &str, notes_at: &str, today: Day) -> Result<CnilReport, WorkspaceError> {
    let dpia: EffectiveDpia = ws.view().effective_or_base(org)?;
    let ctx = CheckContext { is_base: org.is_none(), policy: konsekvens_core::check::acceptance_policy(&ws.view(), org)?, today };
    let ids: Vec<&ItemId> = std::iter::once(&pia.purpose.id)
        .chain(pia.risks.iter().map(|r| &r.id))
        .chain(pia.measures.iter().map(|m| &m.id))
        .chain(pia.dpo_advice.iter().map(|a| &a.id))
        .chain(pia.review.iter().map(|r| &r.id))
        .chain(std::iter::once(&pia.sheet.id))
        .collect();
    let gaps = check::check(&dpia, &ctx)
        .findings
        .into_iter()
        .filter(|f| f.item.as_ref().is_some_and(|i| ids.contains(&i)))
        .map(|f| Gap { reference: f.reference, code: f.code, severity: f.severity, message_da: f.message_da, message_en: f.message_en })
        .collect();
    Ok(CnilReport {
        file: file.to_owned(),
        name: pia.name.clone(),
        target: org.map(DocKey::Supplement).unwrap_or(DocKey::Base).name(),
        items: pia.lines(),
        mapped: pia.mapped.clone(),
        notes: pia.notes.iter().map(|(label, _)| (label.clone(), notes_at.to_owned())).collect(),
        gaps,
    })
}

/// The report as text.
pub fn render(r: &CnilReport, lang: Lang) -> String {
    let da = lang == Lang::Da;
    let t = |a: &'static str, b: &'static str| if da { a } else { b };
    let mut out = String::new();
    let _ = writeln!(out, "{} «{}» ({}) → {}", t("Import af CNIL PIA", "Import of CNIL PIA"), r.name, r.file, r.target);
    let _ = writeln!(out, "\n{}:", t("Sådan er PIA'en læst", "How the PIA was read"));
    for m in &r.mapped {
        let _ = writeln!(out, "  {}", if da { &m.da } else { &m.en });
    }
    for (action, da_word, en_word) in [(Action::Created, "Oprettet", "Created"), (Action::Updated, "Opdateret", "Updated"), (Action::Unchanged, "Uændret", "Unchanged")] {
        let items: Vec<&ItemLine> = r.items.iter().filter(|i| i.action == action).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({}):", t(da_word, en_word), items.len());
        for i in items {
            let changes = if i.changes.is_empty() { String::new() } else { format!(": {}", i.changes.iter().map(|n| if da { n.da.as_str() } else { n.en.as_str() }).collect::<Vec<_>>().join(", ")) };
            let _ = writeln!(out, "  {} «{}»{changes}", i.reference, i.title);
        }
    }
    if !r.notes.is_empty() {
        let _ = writeln!(out, "\n{}:", t("Uden modstykke, gemt som noter", "Without counterpart, kept as notes"));
        for (label, at) in &r.notes {
            let _ = writeln!(out, "  {label} → {at}");
        }
    }
    if !r.gaps.is_empty() {
        let _ = writeln!(out, "\n{} ({}):", t("Det mangler de importerede elementer ifølge kontrollen", "What the check says the imported items still lack"), r.gaps.len());
        for g in &r.gaps {
            let _ = writeln!(out, "  [{}] {} {}", if da { g.severity.danish() } else { g.severity.english() }, g.code, if da { &g.message_da } else { &g.message_en });
        }
    }
    out
}

/// The text of the HTML the tool's rich-text editor writes: tags dropped, block ends as line
/// breaks, the common entities decoded, blank lines collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                out.push_str(rest);
                rest = "";
                break;
            };
            let tag = rest[1..end].trim().to_lowercase();
            let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap_or_default();
            if matches!(name, "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4") && (tag.starts_with('/') || name == "br") {
                out.push('\n');
            }
            rest = &rest[end + 1..];
        } else {
            let end = rest.find(';').filter(|e| *e <= 10);
            let decoded = end.and_then(|e| {
                let entity = &rest[1..e];
                match entity {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" | "#39" => Some('\''),
                    "nbsp" => Some(' '),
                    _ => entity
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                }
            });
            match (decoded, end) {
                (Some(c), Some(e)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_from_the_rich_text_editor_becomes_text() {
        assert_eq!(html_to_text("<p>Første&nbsp;linje</p><p>Anden <b>fed</b> &amp; &lt;tag&gt; &#230;&#xF8;</p>"), "Første linje\nAnden fed & <tag> æø");
        assert_eq!(html_to_text("<span style=\"x\">a<br>b</span>"), "a\nb");
        assert_eq!(html_to_text("AT&T og 3 < 4"), "AT&T og 3 < 4");
    }

    fn sample() -> CnilPia {
        parse(Path::new("x.json"), include_str!("../testdata/cnil-pia-aula.json")).unwrap()
    }

    #[test]
    fn the_sample_maps_the_three_risks_to_the_three_dimensions() {
        let p = sample();
        assert_eq!(p.risks.len(), 3);
        let access = &p.risks[0];
        assert_eq!(access.residual.confidentiality.consequence, Some(Consequence::VerySerious));
        assert_eq!(access.residual.confidentiality.likelihood, Some(Likelihood::Possible));
        assert!(access.residual.confidentiality.consequence_reason.0.contains("Virkninger for de registrerede"));
        assert!(access.inherent.level().is_none(), "CNIL gives no inherent rating");
        assert_eq!(p.risks[1].residual.integrity.consequence, Some(Consequence::Serious));
        assert_eq!(p.risks[2].residual.availability.likelihood, Some(Likelihood::Unlikely));
        assert!(access.residual_reason.0.contains("alvor meget alvorlig, sandsynlighed usandsynlig"), "{}", access.residual_reason.0);
        let encryption = p.measures.iter().find(|m| m.title == "Kryptering").unwrap();
        assert_eq!(encryption.kind, Some(MeasureKind::Technical));
        assert!(encryption.mitigates.contains(&ItemId("cnil-risk-32".into())));
        let training = p.measures.iter().find(|m| m.title.starts_with("Uddannelse")).unwrap();
        assert_eq!(training.status, Some(MeasureStatus::Planned));
        assert_eq!(training.planned_date, Some(Day::ymd(2026, 6, 30)));
        assert_eq!(training.kind, Some(MeasureKind::Organisational));
        assert!(p.purpose.necessity.data_subject_rights.0.contains("Indsigt og dataportabilitet:"));
        assert!(p.dpo_advice.as_ref().unwrap().advice.0.contains("positiv udtalelse"));
        assert!(p.notes.iter().any(|(l, _)| l.starts_with("Ansvar for behandlingen")));
        assert!(p.notes.iter().any(|(l, _)| l.starts_with("Kommentar til 212")));
    }

    #[test]
    fn importing_the_same_pia_twice_updates_instead_of_duplicating() {
        let dir = tempfile::tempdir().unwrap();
        let env: Arc<dyn Env> = Arc::new(konsekvens_core::FixedEnv::new(1_780_000_000_000, 3));
        let mut ws = Workspace::create_demo(&dir.path().join("aula.konsekvens"), env).unwrap();
        let author = Author::new("test", None);
        let org = OrgCode(561);
        let today = Day::ymd(2026, 6, 1);
        let first = import_into(&mut ws, &author, org, sample(), "pia.json", today).unwrap();
        assert!(first.items.iter().all(|i| i.action == Action::Created));
        let count = |ws: &Workspace| {
            let a = ws.view().supplement(org).unwrap().additions;
            (a.purposes.len(), a.risks.len(), a.measures.len(), a.dpo_advice.len(), a.reviews.len())
        };
        let before = count(&ws);
        let second = import_into(&mut ws, &author, org, sample(), "pia.json", today).unwrap();
        assert_eq!(count(&ws), before, "nothing is added twice");
        assert!(second.items.iter().all(|i| i.action == Action::Unchanged), "{:?}", second.items.iter().map(|i| (&i.reference, i.action)).collect::<Vec<_>>());
        assert!(render(&second, Lang::Da).contains("Uændret ("));
        // a re-rated risk in a new export is an update, said with what changed
        let mut changed = sample();
        changed.risks[0].residual.confidentiality.consequence = Some(Consequence::Devastating);
        let third = import_into(&mut ws, &author, org, changed, "pia.json", today).unwrap();
        let updated: Vec<_> = third.items.iter().filter(|i| i.action == Action::Updated).collect();
        assert_eq!(updated.len(), 1, "{:?}", third.items);
        assert_eq!(updated[0].changes[0].da, "rest fortrolighed");
        assert_eq!(count(&ws), before);
    }

    #[test]
    fn verdicts_and_knowledge_base_titles_survive_and_no_message_shows_rust() {
        let p = sample();
        assert!(p.measures.iter().any(|m| m.description.0.contains("Evaluatorens vurdering (CNIL): acceptabel") || m.description.0.contains("Evaluatorens vurdering (CNIL): skal forbedres")), "{:?}", p.measures.iter().map(|m| &m.description.0).collect::<Vec<_>>());
        assert_eq!(knowledge_base_title("knowledge_base.slugs.PIA_SEC_BKP.placeholder"), Some("Sikkerhedskopiering"));
        let text = include_str!("../testdata/cnil-pia-aula.json").replacen("\"reference_to\": 111", "\"reference_to\": 999", 1);
        if text.contains("999") {
            let err = parse(Path::new("x.json"), &text).unwrap_err().to_string();
            assert!(err.contains("999 is not a question") && !err.contains("Int("), "{err}");
        }
        let untitled = include_str!("../testdata/cnil-pia-aula.json").replace("\"title\": \"Kryptering\"", "\"title\": \"\"");
        let p = parse(Path::new("x.json"), &untitled).unwrap();
        assert!(p.measures.iter().any(|m| m.title == "Kryptering" && m.kind == Some(MeasureKind::Technical)), "{:?}", p.measures.iter().map(|m| (&m.title, m.kind)).collect::<Vec<_>>());
    }

    #[test]
    fn knowledge_base_keys_become_titles_and_the_check_knows_the_verdicts() {
        // the tool writes its untranslated key when the translation was not loaded; the
        // current knowledge base's slugs (PIA_SEC_CTR, PIA_TEC_CLO …) all have titles
        let text = include_str!("../testdata/cnil-pia-aula.json")
            .replace("\"title\": \"Kryptering\"", "\"title\": \"knowledge_base.slugs.PIA_SEC_CTR.name\"")
            .replace("knowledge_base.slugs.PIA_TEC_CHIF.placeholder", "knowledge_base.slugs.PIA_SEC_CTR.placeholder")
            .replace("\"status\": 3, \"global_status\": 2, \"pia_id\": 3, \"reference_to\": \"3.1.4\"", "\"status\": 1, \"global_status\": 2, \"pia_id\": 3, \"reference_to\": \"3.1.4\"");
        let p = parse(Path::new("x.json"), &text).unwrap();
        let contract = p.measures.iter().find(|m| m.title == "Databehandleraftaler").unwrap_or_else(|| panic!("{:?}", p.measures.iter().map(|m| &m.title).collect::<Vec<_>>()));
        assert_eq!(contract.kind, Some(MeasureKind::Organisational));
        assert!(contract.description.0.contains("CNIL's vidensbase: Contrat de sous-traitance / Processing contracts (PIA_SEC_CTR)"), "{}", contract.description.0);
        for slug in ["PIA_TEC_CLO", "PIA_TEC_CTLA", "PIA_TEC_MINI", "PIA_SEC_EXP", "PIA_SEC_MAL", "PIA_SEC_COMP", "PIA_SEC_MAIN", "PIA_SEC_PHY", "PIA_SEC_SRC", "PIA_SEC_PROT", "PIA_ORG_ORG", "PIA_ORG_RMGT", "PIA_ORG_PBD", "PIA_ORG_VIOL", "PIA_ORG_EXT", "PIA_ORG_AUD"] {
            assert!(knowledge_base_title(&format!("knowledge_base.slugs.{slug}.placeholder")).is_some(), "{slug}");
        }
        assert_eq!(KNOWLEDGE_BASE.len(), 29);
        // the evaluator's «to be corrected» on measure 4 and «to be improved» on risk 3.2 are findings
        let dir = tempfile::tempdir().unwrap();
        let env: Arc<dyn Env> = Arc::new(konsekvens_core::FixedEnv::new(1_780_000_000_000, 3));
        let report = create(&dir.path().join("ny.konsekvens"), env, &Author::new("test", None), p, "pia.json", Day::ymd(2026, 6, 1)).unwrap();
        let codes: Vec<&str> = report.gaps.iter().map(|g| g.code.as_str()).collect();
        assert!(codes.contains(&"K-35-7-D-CNIL-CORRECT") && codes.contains(&"K-35-7-C-CNIL-IMPROVE"), "{codes:?}");
        let text = render(&report, Lang::Da);
        assert!(text.contains("CNIL-evaluatoren vurderede foranstaltningen «skal rettes»"), "{text}");
    }

    #[test]
    fn unknown_versions_and_shapes_are_refused_with_a_clear_error() {
        let path = Path::new("pia.json");
        let err = parse(path, r#"{"pia":{"name":"x","dbVersion":209901010000},"answers":[]}"#).unwrap_err();
        assert!(matches!(err, CnilError::UnknownVersion { found: 209901010000, .. }), "{err}");
        let err = parse(path, r#"{"pia":{"name":"x"},"answers":[{"reference_to":517,"data":{}}]}"#).unwrap_err();
        assert!(err.to_string().contains("at answers[0].reference_to: 517 is not a question"), "{err}");
        let err = parse(path, r#"{"pia":{"name":"x","structure_id":4,"structure_name":"Sundhed"}}"#).unwrap_err();
        assert!(matches!(err, CnilError::CustomStructure { ref name, .. } if name == "Sundhed"), "{err}");
        assert!(matches!(parse(path, r#"{"format":"konsekvens/joint-dpia"}"#), Err(CnilError::NotAPia { .. })));
        let err = parse(path, r#"{"pia":{"name":"x"},"answers":[{"reference_to":325,"data":{"gauge":9}}]}"#).unwrap_err();
        assert!(err.to_string().contains("answers[0].data.gauge"), "{err}");
        let err = parse(path, r#"{"pia":{"name":"x"},"measures":[{"title":"y"}]}"#).unwrap_err();
        assert!(err.to_string().contains("measures[0]"), "{err}");
    }
}
