//! The printed DPIA as a record that carries its data (issue #19): the files a PDF embeds
//! — the interchange JSON of the one DPIA printed (coordination, base and that
//! municipality's supplement: what `import json` reads) and the check report printed in its
//! annex — and reading them back out of a signed PDF, into a new workspace or compared with
//! the DPIA as it is now («what changed since this was signed?»).

use crate::check::Lang;
use crate::diff::{self, Comparison};
use crate::error::UserError;
use crate::interchange::{JointDpiaFile, FORMAT, VERSION};
use crate::model::{Day, OrgCode, Participant, Supplement};
use crate::workspace::{View, WorkspaceError};
use crate::EffectiveDpia;

/// The embedded interchange JSON's file name.
pub const DPIA_FILE: &str = "konsekvensanalyse.json";
/// The embedded check report's file name (`check --json`'s format).
pub const CHECK_FILE: &str = "kontrolrapport.json";

/// A file to carry inside the printed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFile {
    pub name: &'static str,
    pub mime: &'static str,
    /// What it is, in the document's language.
    pub description: String,
    pub bytes: Vec<u8>,
}

/// The interchange file of one printed DPIA: everything of the joint DPIA but the other
/// municipalities' supplements (the base: none at all).
pub fn record_file(view: &View<'_>, org: Option<OrgCode>) -> Result<JointDpiaFile, WorkspaceError> {
    let supplements = match org {
        Some(code) => {
            view.effective(code)?; // a municipality that does not take part is refused here
            let mut s = if view.supplement_codes().contains(&code) { view.supplement(code)? } else { Supplement::default() };
            s.meta.org = Some(code);
            vec![s]
        }
        None => Vec::new(),
    };
    // The høring is not part of a printed DPIA's record: it is the joint DPIA's negotiation,
    // not the analysis one municipality signs (and holds threads others may not read).
    Ok(JointDpiaFile { format: FORMAT.into(), version: VERSION, coordination: view.coordination()?, base: view.base()?, supplements, hearing: Vec::new() })
}

/// The files the PDF of `org`'s DPIA (or the base) carries: its interchange JSON and the
/// check report as of `today`.
pub fn record_files(view: &View<'_>, org: Option<OrgCode>, lang: Lang, today: Day) -> Result<Vec<RecordFile>, WorkspaceError> {
    let dpia = record_file(view, org)?.to_json().into_bytes();
    let report = crate::check::check_in(view, org, today)?;
    let mut check = serde_json::to_string_pretty(&report).expect("the check report serialises");
    check.push('\n');
    let en = lang == Lang::En;
    Ok(vec![
        RecordFile {
            name: DPIA_FILE,
            mime: "application/json",
            description: if en { "The DPIA's data (konsekvens/joint-dpia v1): import with «konsekvens import pdf»" } else { "Konsekvensanalysens data (konsekvens/joint-dpia v1): indlæs med «konsekvens import pdf»" }.into(),
            bytes: dpia,
        },
        RecordFile {
            name: CHECK_FILE,
            mime: "application/json",
            description: if en { "The check's findings when the document was made" } else { "Kontrollens fund da dokumentet blev dannet" }.into(),
            bytes: check.into_bytes(),
        },
    ])
}

/// The DPIA read back from a record's embedded JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub file: JointDpiaFile,
    /// The municipality whose DPIA it is; `None` for the joint base.
    pub org: Option<OrgCode>,
}

impl Record {
    /// Reads the embedded interchange JSON (untrusted: the interchange format's own checks).
    pub fn read(json: &[u8]) -> Result<Record, UserError> {
        let text = std::str::from_utf8(json).map_err(|_| {
            UserError::new("K-PDF-DATA-IKKE-UTF8", format!("den indlejrede {DPIA_FILE} er ikke UTF-8-tekst"), format!("the embedded {DPIA_FILE} is not UTF-8 text"))
        })?;
        let file = JointDpiaFile::from_json(text).map_err(UserError::from)?;
        let org = match file.supplements.as_slice() {
            [] => None,
            [one] => one.meta.org,
            _ => {
                return Err(UserError::new(
                    "K-PDF-DATA-FLERE",
                    format!("den indlejrede {DPIA_FILE} har flere kommuners tillæg; en underskrevet PDF har højst ét"),
                    format!("the embedded {DPIA_FILE} holds several municipalities' supplements; a signed PDF holds at most one"),
                ))
            }
        };
        Ok(Record { file, org })
    }

    /// The DPIA as it was printed: the municipality's effective DPIA, or the base.
    pub fn effective(&self) -> EffectiveDpia {
        let (participant, supplement) = match (self.org, self.file.supplements.first()) {
            (Some(code), Some(s)) => {
                let p = self.file.coordination.participants.iter().find(|p| p.code == Some(code)).cloned();
                // JointDpiaFile::from_json checked that the supplement's municipality takes part
                (p.unwrap_or_else(Participant::joint_base), s.clone())
            }
            _ => (Participant::joint_base(), Supplement::default()),
        };
        EffectiveDpia::compute(&self.file.coordination, &self.file.base, &supplement, &participant)
    }
}

/// What changed in the workspace's DPIA since the record was made (signed).
pub fn changes_since(view: &View<'_>, record: &Record, lang: Lang) -> Result<Comparison, UserError> {
    let now = view.effective_or_base(record.org)?;
    let (then_label, now_label) = match lang {
        Lang::Da => ("underskrevet", "nu"),
        Lang::En => ("signed", "now"),
    };
    Ok(diff::compare(then_label, &record.effective(), now_label, &now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;
    use std::sync::Arc;

    fn sample() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create_demo(&dir.path().join("w.konsekvens"), Arc::new(crate::FixedEnv::new(0, 1))).unwrap();
        (dir, ws)
    }

    #[test]
    fn a_record_reads_back_as_the_dpia_it_was_made_from() {
        let (_dir, ws) = sample();
        let view = ws.view();
        for org in [Some(OrgCode(101)), None] {
            let files = record_files(&view, org, Lang::Da, Day::ymd(2026, 12, 1)).unwrap();
            assert_eq!(files.iter().map(|f| f.name).collect::<Vec<_>>(), [DPIA_FILE, CHECK_FILE]);
            let rec = Record::read(&files[0].bytes).unwrap();
            assert_eq!(rec.org, org);
            assert_eq!(rec.file.to_json().into_bytes(), files[0].bytes, "parsing and writing again gives the same bytes");
            assert_eq!(rec.effective(), view.effective_or_base(org).unwrap());
            assert!(changes_since(&view, &rec, Lang::Da).unwrap().is_empty());
        }
    }

    #[test]
    fn a_record_of_several_municipalities_or_not_utf8_is_refused_with_a_code() {
        let (_dir, ws) = sample();
        let mut all = crate::interchange::JointDpiaFile::from_workspace(&ws).unwrap();
        assert!(all.supplements.len() > 1);
        assert_eq!(Record::read(all.to_json().as_bytes()).unwrap_err().code, "K-PDF-DATA-FLERE");
        all.supplements.clear();
        assert_eq!(Record::read(all.to_json().as_bytes()).unwrap().org, None);
        assert_eq!(Record::read(b"\xff\xfe{").unwrap_err().code, "K-PDF-DATA-IKKE-UTF8");
    }
}
