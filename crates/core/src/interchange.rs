//! The JSON interchange format: a whole joint DPIA (coordination, base, supplements) as
//! one versioned document. Export is deterministic (items in reference order, sets sorted),
//! so export → import → export gives the same bytes. The JSON Schema is generated from
//! these types (`konsekvens schema`) and committed as `schema/joint-dpia.v2.schema.json`.
//! The update log (history) is not part of the format: it belongs to a workspace.
//!
//! Version 2 added what a DPIA must be able to say for the check to judge it: a rating's
//! dimension «ikke berørt» with its reason and a legacy level without consequence ×
//! likelihood (`Rating`), the answer on third-country access with its reason and the reason
//! the data subjects' views were not sought (`Description`), a document type's purposes,
//! dated changes in use (`use_changes`) and the data subjects' views (`subject_views`).
//! A version-1 file reads as version 2 with all of these empty — nothing of it is lost or
//! reinterpreted — and is written back as version 2. `schema/joint-dpia.v1.schema.json`
//! stays as the record of version 1.

use crate::model::{Base, Coordination, Supplement};
use crate::workspace::{Workspace, WorkspaceError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format's name, written in every file.
pub const FORMAT: &str = "konsekvens/joint-dpia";
/// The version this build writes; it reads this and older ones.
pub const VERSION: u32 = 2;

/// A whole joint DPIA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct JointDpiaFile {
    /// Always "konsekvens/joint-dpia".
    pub format: String,
    /// Format version: 2 (version 1 files are read too).
    pub version: u32,
    pub coordination: Coordination,
    pub base: Base,
    /// One per participating municipality, ordered by municipality code.
    pub supplements: Vec<Supplement>,
}

#[derive(Debug, thiserror::Error)]
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
        })
    }

    /// The file as this version writes it: an older file's content under the current
    /// version (what version 2 added stays empty until someone fills it in).
    pub fn migrated(mut self) -> Self {
        self.version = VERSION;
        self
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
        Ok(())
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
    let schema = schemars::schema_for!(JointDpiaFile);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_schema_is_the_generated_one() {
        let committed = include_str!("../../../schema/joint-dpia.v2.schema.json");
        assert!(committed == json_schema(), "schema/joint-dpia.v2.schema.json is stale: run `konsekvens schema > schema/joint-dpia.v2.schema.json`");
    }

    #[test]
    fn errors_name_the_path() {
        let text = r#"{"format":"konsekvens/joint-dpia","version":1,"coordination":{"coordinator":"KL","base_write_policy":null,"participants":[]},
            "base":{"meta":{"dpia_id":"","title":"","system":"","version_label":""},"description":{"summary":"","scope":"","retention":"","new_technology":null,"new_technology_text":""},
            "wp248":{},"prior_consultation":{},"review_plan":{},"items":{"risks":[{"id":"r","reference":"R1","inherent":{"confidentiality":{"likelihood":"høj"}}}]}},"supplements":[]}"#;
        let err = JointDpiaFile::from_json(text).unwrap_err().to_string();
        assert!(err.contains("base.items"), "{err}");
        assert!(err.contains("høj"), "{err}");
    }

    #[test]
    fn a_version_1_file_reads_with_the_new_fields_empty_and_writes_back_as_version_2() {
        let v1 = include_str!("../data/aula.joint-dpia.json").replacen("\"version\": 2", "\"version\": 1", 1);
        // a v1 writer wrote none of the v2 fields: strip them
        let mut value: serde_json::Value = serde_json::from_str(&v1).unwrap();
        fn strip(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(m) => {
                    for k in ["unaffected", "unaffected_reason", "legacy_level", "third_country_access", "third_country_reason", "views_not_sought_reason", "use_changes", "subject_views", "purposes"] {
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
        assert!(migrated.to_json().contains("\"version\": 2"));
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
}
