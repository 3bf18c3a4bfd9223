//! The JSON interchange format: a whole joint DPIA (coordination, base, supplements) as
//! one versioned document. Export is deterministic (items in reference order, sets sorted),
//! so export → import → export gives the same bytes. The JSON Schema is generated from
//! these types (`konsekvens schema`) and committed as `schema/joint-dpia.v4.schema.json`.
//! The update log (history) is not part of the format: it belongs to a workspace.
//!
//! Version 2 added what a DPIA must be able to say for the check to judge it: a rating's
//! dimension «ikke berørt» with its reason and a legacy level without consequence ×
//! likelihood (`Rating`), the answer on third-country access with its reason and the reason
//! the data subjects' views were not sought (`Description`), a document type's purposes,
//! dated changes in use (`use_changes`) and the data subjects' views (`subject_views`).
//! A version-1 file reads as version 2 with all of these empty — nothing of it is lost or
//! reinterpreted — and is written back as the current version. `schema/joint-dpia.v1.schema.json`
//! stays as the record of version 1.
//!
//! Version 3 added the imported supplier sheets (`supplier_sheets`: each sheet's identity —
//! label, supplier, file and tab, version and date as written, a fingerprint of its content —
//! and its threats by their own numbers), so that risks' source references can be checked
//! against what was imported. A version-2 file reads as version 3 with none imported;
//! `schema/joint-dpia.v2.schema.json` stays as the record of version 2.
//!
//! Version 4 added the høring (`hearing`): every remarks document of the workspace — who
//! writes it, the supplement whose private threads it holds — with its comments, thread
//! states, the municipalities' answers to rounds, the rounds (their drafts frozen) and the
//! coordinator's answers. A version-3 file reads as version 4 with no høring;
//! `schema/joint-dpia.v3.schema.json` stays as the record of version 3.

use crate::model::hearing::{Comment, Response, Round, RoundAnswer, ThreadState};
use crate::model::{Base, Coordination, OrgCode, Supplement};
use crate::workspace::{Workspace, WorkspaceError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod strict;

/// The format's name, written in every file.
pub const FORMAT: &str = "konsekvens/joint-dpia";
/// The version this build writes; it reads this and older ones.
pub const VERSION: u32 = 4;

/// A whole joint DPIA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct JointDpiaFile {
    /// Always "konsekvens/joint-dpia".
    pub format: String,
    /// Format version: 4 (versions 1 to 3 are read too).
    pub version: u32,
    pub coordination: Coordination,
    pub base: Base,
    /// One per participating municipality, ordered by municipality code.
    pub supplements: Vec<Supplement>,
    /// The høring (format version 4): one entry per remarks document, ordered by document.
    #[serde(default)]
    pub hearing: Vec<RemarksRecords>,
}

/// One remarks document's records: who writes it (the hub binds each document to its
/// writer, so who wrote a record is this, never a field of the record), and for the threads
/// on a municipality's supplement, that supplement (read only by it and the coordinator).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RemarksRecords {
    /// «coordinator» or the municipality code (as text: «101»).
    #[schemars(required)]
    pub by: String,
    /// The supplement whose private threads these are; absent for the public document.
    pub supplement: Option<OrgCode>,
    /// Comments and replies, by their id (unique in the document).
    pub comments: Vec<Comment>,
    /// Threads resolved or reopened, by the thread's opening comment's reference (`101/b-…`).
    pub states: std::collections::BTreeMap<String, ThreadState>,
    /// A municipality's answers to hearing rounds (its public document only), one per round.
    pub answers: Vec<RoundAnswer>,
    /// The coordinator's hearing rounds (its public document only).
    pub rounds: Vec<Round>,
    /// The coordinator's answers to comments (its documents only), one per comment.
    pub responses: Vec<Response>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum InterchangeError {
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    #[error("at {path}: {message}")]
    Shape { path: String, message: String },
    #[error("this is not a Konsekvens joint-DPIA file (format «{0}», expected «{FORMAT}»)")]
    Format(String),
    #[error("written by a newer Konsekvens (format version {0}; this version reads up to {VERSION})")]
    Newer(u32),
    #[error("supplements[{index}]: {message}")]
    Supplement { index: usize, message: String },
    #[error("at {path}: unknown field «{field}» (the format has no such field)")]
    Unknown { path: String, field: String },
    #[error("at {path}: the required field «{field}» is missing")]
    Missing { path: String, field: String },
    #[error("at {path}: «{id}» is not the id of any item{}", kind_en(kind))]
    Dangling { path: String, id: String, kind: &'static str },
    #[error("at {path}: the id «{id}» is used a second time")]
    Duplicate { path: String, id: String },
    /// A record of the høring that cannot be where it is (a municipality's answer in the
    /// coordinator's document, a round twice …), in Danish and English.
    #[error("at {path}: {en}")]
    Hearing { path: String, da: String, en: String },
}

fn kind_en(kind: &str) -> String {
    if kind.is_empty() { String::new() } else { format!(" in {kind}") }
}

impl JointDpiaFile {
    /// Reads the whole workspace into the interchange form.
    pub fn from_workspace(ws: &Workspace) -> Result<Self, WorkspaceError> {
        let supplements = ws.supplement_codes().into_iter().map(|c| ws.supplement(c)).collect::<Result<_, _>>()?;
        Ok(JointDpiaFile {
            format: FORMAT.into(),
            version: VERSION,
            coordination: ws.coordination()?,
            base: ws.base()?,
            supplements,
            hearing: crate::hearing::records_of(&ws.view())?,
        })
    }

    /// A new workspace at `path` holding the file: coordination, base, supplements and the
    /// høring (`import json`), created atomically.
    pub fn create_workspace(&self, path: &std::path::Path, env: std::sync::Arc<dyn crate::Env>, author: &crate::Author) -> Result<Workspace, WorkspaceError> {
        Workspace::create_with_hearing(path, env, author, &self.coordination, &self.base, &self.supplements, &self.hearing)
    }

    /// The file as this version writes it: an older file's content under the current
    /// version (what versions 2 to 4 added stays empty until someone fills it in).
    pub fn migrated(mut self) -> Self {
        self.version = VERSION;
        self
    }

    /// Every link to no item and every id used twice, in the order of the file: what
    /// `from_json` would refuse (it names the first). A workspace can hold them (a link to
    /// an item deleted since); `export json` writes the file and warns of each.
    pub fn broken_links(&self) -> Vec<InterchangeError> {
        strict::broken_links(self)
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the model serialises");
        s.push('\n');
        s
    }

    /// Parses and validates a file's text, naming the path of the first error.
    pub fn from_json(text: &str) -> Result<Self, InterchangeError> {
        // First the envelope, so a file from a newer version gets that message and not a
        // complaint about some field it added.
        #[derive(Deserialize)]
        struct Envelope {
            format: Option<String>,
            version: Option<u32>,
        }
        let envelope: Envelope = serde_json::from_str(text).map_err(syntax)?;
        let format = envelope.format.unwrap_or_default();
        if format != FORMAT {
            return Err(InterchangeError::Format(format));
        }
        match envelope.version {
            Some(v) if v > VERSION => return Err(InterchangeError::Newer(v)),
            _ => {}
        }
        // Unknown and missing fields before the types: one code for an unknown field
        // wherever it is (the envelope's own `deny_unknown_fields` would name it otherwise).
        let value: serde_json::Value = serde_json::from_str(text).map_err(syntax)?;
        strict::closed(&value, schema_value())?;
        let mut de = serde_json::Deserializer::from_str(text);
        let file: JointDpiaFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                syntax(inner)
            } else {
                InterchangeError::Shape { path, message: strip_position(&inner.to_string()) }
            }
        })?;
        file.validate()?;
        strict::links(&file)?;
        Ok(file)
    }

    fn validate(&self) -> Result<(), InterchangeError> {
        let mut seen = std::collections::BTreeSet::new();
        for (index, s) in self.supplements.iter().enumerate() {
            let Some(code) = s.meta.org else {
                return Err(InterchangeError::Supplement { index, message: "meta.org (the municipality code) is missing".into() });
            };
            if !self.coordination.participants.iter().any(|p| p.code == Some(code)) {
                return Err(InterchangeError::Supplement {
                    index,
                    message: format!("municipality {code} is not among coordination.participants"),
                });
            }
            if !seen.insert(code) {
                return Err(InterchangeError::Supplement { index, message: format!("a second supplement for municipality {code}") });
            }
        }
        crate::hearing::validate_records(&self.hearing, &self.coordination)
    }
}

fn syntax(e: serde_json::Error) -> InterchangeError {
    InterchangeError::Syntax { line: e.line(), column: e.column(), message: strip_position(&e.to_string()) }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The JSON Schema of [`JointDpiaFile`], pretty-printed with a final newline.
pub fn json_schema() -> String {
    let mut s = serde_json::to_string_pretty(schema_value()).expect("schema serialises");
    s.push('\n');
    s
}

/// The schema as the importer walks it. Every object in it is closed
/// (`additionalProperties: false`) here, once for the whole format, rather than by
/// `deny_unknown_fields` on each model type: the app's stored documents and its webview
/// read the same types and stay lenient.
fn schema_value() -> &'static serde_json::Value {
    static SCHEMA: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let close = schemars::transform::RecursiveTransform(|schema: &mut schemars::Schema| {
            if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
                schema.insert("additionalProperties".into(), false.into());
            }
        });
        let generator = schemars::generate::SchemaSettings::default().with_transform(close).into_generator();
        serde_json::to_value(generator.into_root_schema_for::<JointDpiaFile>()).expect("schema serialises")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserError;

    #[test]
    fn the_committed_schema_is_the_generated_one() {
        if std::env::var_os("KONSEKVENS_WRITE_SCHEMA").is_some() {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/joint-dpia.v4.schema.json"), json_schema()).unwrap();
            return;
        }
        let committed = include_str!("../../../schema/joint-dpia.v4.schema.json");
        assert!(committed == json_schema(), "schema/joint-dpia.v4.schema.json is stale: run `konsekvens schema > schema/joint-dpia.v4.schema.json`");
    }

    #[test]
    fn errors_name_the_path() {
        let text = r#"{"format":"konsekvens/joint-dpia","version":1,"coordination":{"coordinator":"KL","base_write_policy":null,"participants":[]},
            "base":{"meta":{"dpia_id":"","title":"","system":"","version_label":""},"description":{"summary":"","scope":"","retention":"","new_technology":null,"new_technology_text":""},
            "wp248":{},"prior_consultation":{},"review_plan":{},"items":{"risks":[{"id":"r","reference":"R1","title":"t","inherent":{"confidentiality":{"likelihood":"høj"}}}]}},"supplements":[]}"#;
        let err = JointDpiaFile::from_json(text).unwrap_err().to_string();
        assert!(err.contains("base.items"), "{err}");
        assert!(err.contains("høj"), "{err}");
    }

    #[test]
    fn a_version_1_file_reads_with_the_new_fields_empty_and_writes_back_as_the_current_version() {
        let v1 = include_str!("../data/aula.joint-dpia.json").replacen(&format!("\"version\": {VERSION}"), "\"version\": 1", 1);
        // a v1 writer wrote none of the v2 fields: strip them
        let mut value: serde_json::Value = serde_json::from_str(&v1).unwrap();
        fn strip(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(m) => {
                    for k in ["unaffected", "unaffected_reason", "legacy_level", "third_country_access", "third_country_reason", "views_not_sought_reason", "use_changes", "subject_views", "purposes", "supplier_sheets"] {
                        if k != "purposes" || m.contains_key("module") {
                            m.remove(k);
                        }
                    }
                    m.values_mut().for_each(strip);
                }
                serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
                _ => {}
            }
        }
        strip(&mut value);
        let file = JointDpiaFile::from_json(&value.to_string()).expect("a version-1 file keeps importing");
        assert_eq!(file.version, 1);
        assert!(file.base.items.subject_views.is_empty() && file.base.description.third_country_access.is_none());
        assert_eq!(file.base.items.risks.len(), 12, "nothing of the old file is lost");
        let migrated = file.migrated();
        assert_eq!(migrated.version, VERSION);
        assert!(migrated.to_json().contains(&format!("\"version\": {VERSION}")));
    }

    #[test]
    fn a_version_2_file_reads_with_no_sheets_imported_and_writes_back_as_the_current_version() {
        let mut value: serde_json::Value = serde_json::from_str(include_str!("../data/aula.joint-dpia.json")).unwrap();
        value["version"] = 2.into();
        value.as_object_mut().unwrap().remove("hearing");
        // a v2 writer knew no imported sheets
        value["base"]["items"].as_object_mut().unwrap().remove("supplier_sheets");
        for s in value["supplements"].as_array_mut().unwrap() {
            s["additions"].as_object_mut().unwrap().remove("supplier_sheets");
        }
        let file = JointDpiaFile::from_json(&value.to_string()).expect("a version-2 file keeps importing");
        assert_eq!(file.version, 2);
        assert!(file.base.items.supplier_sheets.is_empty());
        assert_eq!(file.base.items.risks.len(), 12, "nothing of the old file is lost");
        let migrated = file.migrated();
        assert!(migrated.to_json().contains(&format!("\"version\": {VERSION}")) && migrated.to_json().contains("\"supplier_sheets\": []"));
    }

    #[test]
    fn a_version_3_file_reads_with_no_hearing_and_writes_back_as_version_4() {
        // as the committed record of version 3 describes it: no `hearing`
        let v3: serde_json::Value = serde_json::from_str(include_str!("../../../schema/joint-dpia.v3.schema.json")).unwrap();
        assert!(v3["properties"].get("hearing").is_none());
        let mut value: serde_json::Value = serde_json::from_str(AULA).unwrap();
        value["version"] = 3.into();
        value.as_object_mut().unwrap().remove("hearing");
        let file = JointDpiaFile::from_json(&value.to_string()).expect("a version-3 file keeps importing");
        assert_eq!(file.version, 3);
        assert!(file.hearing.is_empty());
        let migrated = file.migrated();
        assert_eq!(migrated.version, 4);
        assert!(migrated.to_json().contains("\"version\": 4") && migrated.to_json().ends_with("\"hearing\": []\n}\n"));
    }

    #[test]
    fn hostile_hearing_records_are_refused_with_their_path() {
        let comment = serde_json::json!({"id": "b-1", "text": "x"});
        let answer = serde_json::json!({"round": 1, "verdict": "agrees", "note": "", "dpo": "A", "dpo_date": "2026-01-01", "by": "A", "answered_at": 0, "earlier": []});
        let cases: Vec<(&str, serde_json::Value)> = vec![
            // a writer that does not take part, or is no party at all
            ("$.hearing[0].by", serde_json::json!([{"by": "999"}])),
            ("$.hearing[0].by", serde_json::json!([{"by": "KL"}])),
            // Esbjerg's threads on København's supplement
            ("$.hearing[0].supplement", serde_json::json!([{"by": "561", "supplement": 101}])),
            // an answer to a round in the coordinator's document; a round in a municipality's
            ("$.hearing[0].answers", serde_json::json!([{"by": "coordinator", "answers": [answer]}])),
            ("$.hearing[0].responses", serde_json::json!([{"by": "101", "responses": [{"comment": "101/b-1", "outcome": "partly", "reason": "r", "proposal": null, "by": "K", "at": 0, "earlier": []}]}])),
            // one document twice, one comment id twice
            ("$.hearing[1]", serde_json::json!([{"by": "101"}, {"by": "101"}])),
            ("$.hearing[0].comments[1].id", serde_json::json!([{"by": "101", "comments": [comment, comment]}])),
        ];
        for (path, hearing) in cases {
            let err = aula_with(|v| v["hearing"] = hearing.clone()).unwrap_err();
            match &err {
                InterchangeError::Hearing { path: p, .. } => assert_eq!(p, path, "{hearing}"),
                other => panic!("{other}: {hearing}"),
            }
            assert_eq!(UserError::from(err).code, "K-JSON-HOERING");
        }
        // an unknown field inside a record is refused by the closed schema, with its path
        let err = aula_with(|v| v["hearing"] = serde_json::json!([{"by": "101", "comments": [{"id": "b-1", "skriver": "København"}]}])).unwrap_err();
        assert!(matches!(&err, InterchangeError::Unknown { path, field } if path == "$.hearing[0].comments[0]" && field == "skriver"), "{err}");
        // and a well-formed høring imports
        assert!(aula_with(|v| v["hearing"] = serde_json::json!([{"by": "101", "comments": [comment], "answers": [answer]}])).is_ok());
    }

    #[test]
    fn a_truncated_file_names_line_and_column() {
        let err = JointDpiaFile::from_json("{\"format\": \"konsekvens/joint-dpia\", \"vers").unwrap_err();
        assert!(matches!(err, InterchangeError::Syntax { line: 1, .. }), "{err}");
    }

    #[test]
    fn other_formats_and_newer_versions_are_named() {
        assert!(matches!(JointDpiaFile::from_json(r#"{"format":"pia","version":1}"#), Err(InterchangeError::Format(f)) if f == "pia"));
        assert!(matches!(JointDpiaFile::from_json(r#"{"format":"konsekvens/joint-dpia","version":9}"#), Err(InterchangeError::Newer(9))));
    }

    const AULA: &str = include_str!("../data/aula.joint-dpia.json");

    /// One hand-made break of a file's JSON.
    type Change = fn(&mut serde_json::Value);

    /// The AULA sample with one change made to its JSON.
    fn aula_with(change: impl FnOnce(&mut serde_json::Value)) -> Result<JointDpiaFile, InterchangeError> {
        let mut v: serde_json::Value = serde_json::from_str(AULA).unwrap();
        change(&mut v);
        JointDpiaFile::from_json(&v.to_string())
    }

    fn path_of(e: &InterchangeError) -> &str {
        match e {
            InterchangeError::Unknown { path, .. } | InterchangeError::Missing { path, .. } | InterchangeError::Dangling { path, .. } | InterchangeError::Duplicate { path, .. } => path,
            other => panic!("not a strictness error: {other}"),
        }
    }

    #[test]
    fn the_bundled_samples_import_under_the_strict_rules() {
        for text in [AULA, include_str!("../data/flexboern.joint-dpia.json"), include_str!("../data/ballerup-skaermbesoeg.dpia.json")] {
            let file = JointDpiaFile::from_json(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(JointDpiaFile::from_json(&file.to_json()).unwrap(), file, "an export imports again");
        }
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_path_wherever_it_is() {
        let cases: [(&str, Change); 5] = [
            ("$", |v| { v["comment"] = "x".into(); }),
            ("$.base.items.measures[1]", |v| { v["base"]["items"]["measures"][1]["titel"] = "typo".into(); }),
            ("$.base.items.risks[3].inherent.confidentiality", |v| { v["base"]["items"]["risks"][3]["inherent"]["confidentiality"]["colour"] = "red".into(); }),
            ("$.supplements[0].risk_overrides[0]", |v| { v["supplements"][0]["risk_overrides"][0]["approved"] = true.into(); }),
            ("$.base.items", |v| { v["base"]["items"]["threats"] = serde_json::json!([]); }),
        ];
        for (path, change) in cases {
            let err = aula_with(change).unwrap_err();
            assert!(matches!(err, InterchangeError::Unknown { .. }), "{err}");
            assert_eq!(path_of(&err), path, "{err}");
        }
    }

    #[test]
    fn a_missing_id_or_title_is_refused_but_an_empty_one_is_left_to_the_check() {
        let cases: [(&str, &str, Change); 4] = [
            ("$.base.items.risks[2]", "title", |v| { v["base"]["items"]["risks"][2].as_object_mut().unwrap().remove("title"); }),
            ("$.base.items.processes[0]", "name", |v| { v["base"]["items"]["processes"][0].as_object_mut().unwrap().remove("name"); }),
            ("$.supplements[0].additions.measures[2]", "title", |v| { v["supplements"][0]["additions"]["measures"][2].as_object_mut().unwrap().remove("title"); }),
            ("$.base.items.evidence[0]", "id", |v| { v["base"]["items"]["evidence"][0].as_object_mut().unwrap().remove("id"); }),
        ];
        for (path, field, change) in cases {
            match aula_with(change).unwrap_err() {
                InterchangeError::Missing { path: p, field: f } => assert_eq!((p.as_str(), f.as_str()), (path, field)),
                other => panic!("{other}"),
            }
        }
        // written but empty is the state of an item being drafted: `check` says it
        assert!(aula_with(|v| v["base"]["items"]["risks"][2]["title"] = "".into()).is_ok());
    }

    #[test]
    fn a_link_to_no_item_is_refused_with_its_path() {
        let cases: [(&str, Change); 6] = [
            ("$.base.items.measures[1].mitigates", |v| { v["base"]["items"]["measures"][1]["mitigates"].as_array_mut().unwrap().push("risk-findes-ikke".into()); }),
            // an id of the wrong kind: a measure does not mitigate a module
            ("$.base.items.measures[1].mitigates", |v| { let m = v["base"]["items"]["modules"][0]["id"].clone(); v["base"]["items"]["measures"][1]["mitigates"].as_array_mut().unwrap().push(m); }),
            ("$.base.items.processes[0].purposes", |v| { v["base"]["items"]["processes"][0]["purposes"] = serde_json::json!(["formaal-x"]); }),
            ("$.base.items.document_types[0].module", |v| { v["base"]["items"]["document_types"][0]["module"] = "modul-x".into(); }),
            ("$.supplements[0].risk_overrides[0].target", |v| { v["supplements"][0]["risk_overrides"][0]["target"] = "risk-x".into(); }),
            // the base cannot lean on one municipality's additions
            ("$.base.items.measures[0].mitigates", |v| { let r = v["supplements"][0]["additions"]["risks"][0]["id"].clone(); v["base"]["items"]["measures"][0]["mitigates"].as_array_mut().unwrap().push(r); }),
        ];
        for (path, change) in cases {
            let err = aula_with(change).unwrap_err();
            assert!(matches!(err, InterchangeError::Dangling { .. }), "{err}");
            assert_eq!(path_of(&err), path, "{err}");
        }
        // a municipality's measure may mitigate a base risk
        assert!(aula_with(|v| { let r = v["base"]["items"]["risks"][0]["id"].clone(); v["supplements"][0]["additions"]["measures"][0]["mitigates"] = serde_json::json!([r]); }).is_ok());
    }

    #[test]
    fn an_export_can_name_every_broken_link_in_the_order_of_the_file() {
        // what a workspace may hold (a link to an item deleted since): the file is written
        // as it is, and `export json` warns of each with its path
        let clean = JointDpiaFile::from_json(AULA).unwrap();
        assert!(clean.broken_links().is_empty());
        let mut file = clean.clone();
        file.base.items.measures[1].mitigates.insert(crate::model::ItemId("risk-slettet".into()));
        file.base.items.processes[0].purposes.insert(crate::model::ItemId("formaal-slettet".into()));
        file.base.items.measures[0].id = file.base.items.risks[0].id.clone();
        let paths: Vec<String> = file.broken_links().iter().map(|e| path_of(e).to_owned()).collect();
        assert_eq!(paths, ["$.base.items.measures[0].id", "$.base.items.processes[0].purposes", "$.base.items.measures[1].mitigates"]);
        // and an import refuses the first of them
        let err = JointDpiaFile::from_json(&file.to_json()).unwrap_err();
        assert_eq!(path_of(&err), "$.base.items.measures[0].id");
    }

    #[test]
    fn an_id_used_twice_is_refused() {
        let cases: [(&str, Change); 3] = [
            ("$.base.items.risks[1].id", |v| { v["base"]["items"]["risks"][1]["id"] = v["base"]["items"]["risks"][0]["id"].clone(); }),
            // across kinds too: a link names an id, not a kind and an id
            ("$.base.items.measures[0].id", |v| { v["base"]["items"]["measures"][0]["id"] = v["base"]["items"]["risks"][0]["id"].clone(); }),
            ("$.supplements[0].additions.risks[0].id", |v| { v["supplements"][0]["additions"]["risks"][0]["id"] = v["base"]["items"]["risks"][0]["id"].clone(); }),
        ];
        for (path, change) in cases {
            let err = aula_with(change).unwrap_err();
            assert!(matches!(err, InterchangeError::Duplicate { .. }), "{err}");
            assert_eq!(path_of(&err), path, "{err}");
        }
        let err = aula_with(|v| { let o = v["supplements"][0]["risk_overrides"][0].clone(); v["supplements"][0]["risk_overrides"].as_array_mut().unwrap().push(o); }).unwrap_err();
        assert_eq!(path_of(&err), "$.supplements[0].risk_overrides[1].target", "{err}");
    }

    #[test]
    fn hostile_files_are_refused_by_path_without_a_panic() {
        // no wall-clock bound (it failed at 216 s on a loaded 2-core machine: timed unit tests flake);
        // what keeps these cheap is that each is refused at its first offending path, asserted below
        // nesting deeper than serde_json's recursion limit, where a field is expected
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let text = AULA.replacen("\"format\"", &format!("\"x\": {deep}, \"format\""), 1);
        assert!(JointDpiaFile::from_json(&text).is_err());
        // a deep but well-formed object in an unknown field: refused by name, not walked
        let nested = format!("{}1{}", "{\"a\":".repeat(100), "}".repeat(100));
        let err = aula_with(|v| v["base"]["items"]["risks"][0]["x"] = serde_json::from_str(&nested).unwrap()).unwrap_err();
        assert_eq!(path_of(&err), "$.base.items.risks[0]");
        // a huge array of links to nothing, and a huge array of copies of one item
        let err = aula_with(|v| v["base"]["items"]["measures"][0]["mitigates"] = (0..200_000).map(|i| format!("r{i}")).collect()).unwrap_err();
        assert!(matches!(err, InterchangeError::Dangling { .. }), "{err}");
        let err = aula_with(|v| { let r = v["base"]["items"]["risks"][0].clone(); v["base"]["items"]["risks"] = vec![r; 50_000].into(); }).unwrap_err();
        assert_eq!(path_of(&err), "$.base.items.risks[1].id");
    }

    #[test]
    fn the_schema_closes_every_object_and_requires_titles_and_date_patterns() {
        let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
        let defs = schema["$defs"].as_object().unwrap();
        for (name, def) in defs.iter().filter(|(_, d)| d.get("properties").is_some()) {
            assert_eq!(def["additionalProperties"], false, "{name} is open");
        }
        assert_eq!(defs["Risk"]["required"], serde_json::json!(["id", "title"]));
        assert_eq!(defs["Process"]["required"], serde_json::json!(["id", "name"]));
        assert_eq!(defs["Measure"]["properties"]["planned_date"]["pattern"], "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "{}", defs["Measure"]["properties"]["planned_date"]);
        assert!(defs["MeasureStatus"]["enum"].is_array() || defs["MeasureStatus"]["oneOf"].is_array(), "{}", defs["MeasureStatus"]);
    }
}
