//! Undoing a destructive change by restoring a document to an earlier point, as a **new**
//! change: the content the document had then is read as model values (the same read every
//! view uses) and written over the current document with the ordinary [`crate::Edit`] calls.
//! So the CRDT gets fresh operations by whoever restores — items deleted since are created
//! again (same ids), items created since are removed, changed fields get their old values —
//! and the log keeps everything: the destructive change, and its undoing. A hub takes the
//! restoration like any other write (and checks the writer's rights), and every replica
//! converges on it, which a rollback of the log could never do.

use crate::diff::{self, ChangeKind, ItemChange};
use crate::doc::DocKey;
use crate::history::{read_doc, Point};
use crate::workspace::{Author, Workspace, WorkspaceError};
use serde::Serialize;

/// What a restoration changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    pub doc: String,
    /// The point as the user gave it (`#123`, `2025.1`, a date).
    pub point: String,
    /// The log position the content was taken from (`None` for a release's own content).
    pub from_seq: Option<i64>,
    /// The log position of the restoring change; `None` if the document already had that
    /// content (nothing was written).
    pub seq: Option<i64>,
    /// Items there at the point and gone now: created again.
    pub recreated: Vec<ItemChange>,
    /// Items created since the point: removed.
    pub removed: Vec<ItemChange>,
    /// Items and sections changed since: given their old values.
    pub changed: Vec<ItemChange>,
}

impl RestoreReport {
    pub fn is_empty(&self) -> bool {
        self.recreated.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The report in Danish, one line per item.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str(&format!("{} har allerede indholdet fra {}; intet at gendanne.\n", self.doc, self.point));
            return out;
        }
        let at = self.seq.map(|s| format!(" som ændring #{s}")).unwrap_or_default();
        out.push_str(&format!(
            "Gendannede {} til {}{at}: {} genskabt, {} fjernet, {} ændret.\n",
            self.doc,
            self.point,
            self.recreated.len(),
            self.removed.len(),
            self.changed.len()
        ));
        let line = |verb: &str, c: &ItemChange| {
            let what = diff::collection_label(&c.collection, false);
            if c.label.is_empty() {
                format!("  {verb} {what}\n")
            } else {
                format!("  {verb} {what} {}\n", c.label)
            }
        };
        for c in &self.recreated {
            out.push_str(&line("genskabt", c));
        }
        for c in &self.removed {
            out.push_str(&line("fjernet", c));
        }
        for c in &self.changed {
            let fields: Vec<&str> = c.fields.iter().map(|f| f.path.as_str()).filter(|p| !p.is_empty()).collect();
            let mut l = line("ændret", c);
            if !fields.is_empty() {
                l.insert_str(l.len() - 1, &format!(" ({})", fields.join(", ")));
            }
            out.push_str(&l);
        }
        out
    }
}

fn no_point(why: String) -> WorkspaceError {
    WorkspaceError::Restore { code: "K-RESTORE-NO-POINT", message: why }
}

impl Workspace {
    /// Restores document `key` to its content at `point`, as a new change by `author`
    /// (see the module documentation). The base at a release is the release's own content.
    /// Refused (`K-RESTORE-NO-POINT`) for `now`, for a log position this file does not have,
    /// and for a point before the document's first change (that would empty it).
    pub fn restore(&mut self, key: DocKey, point: &Point, author: &Author) -> Result<RestoreReport, WorkspaceError> {
        self.doc(key)?;
        let doc_err = |e| WorkspaceError::Doc { doc: key.name(), source: e };
        let (old, from_seq) = match (key, point) {
            (_, Point::Now) => {
                return Err(no_point("«nu» er ikke et tidligere punkt; angiv en logposition (#123), en dato eller en udgivelse / “now” is not an earlier point".into()))
            }
            (DocKey::Base, Point::Release(name)) => {
                let base = self.coordination()?.require_release(name)?.base()?;
                (serde_json::to_value(&*base).expect("the model serialises"), None)
            }
            _ => {
                let view = self.view();
                let seq = crate::history::seq_of(&view, point)?.expect("not now");
                let head = view.head_seq()?;
                if seq < 0 || seq > head {
                    return Err(no_point(format!("logposition #{seq} findes ikke i {} (loggen går til #{head}) / no such log position", self.path().display())));
                }
                if !view.has_updates_upto(key, seq)? {
                    return Err(no_point(format!("{point} ligger før den første ændring af {key}; gendannelse ville tømme dokumentet / the point is before the document's first change")));
                }
                (read_doc(&*view.document_at(key, seq)?).map_err(doc_err)?, Some(seq))
            }
        };
        let now = read_doc(self.doc(key)?).map_err(doc_err)?;
        let mut report = RestoreReport {
            doc: key.name(),
            point: point.to_string(),
            from_seq,
            seq: None,
            recreated: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        };
        for c in diff::changes(&now, &old) {
            match c.kind {
                ChangeKind::Added => report.recreated.push(c),
                ChangeKind::Removed => report.removed.push(c),
                ChangeKind::Changed => report.changed.push(c),
            }
        }
        if report.is_empty() {
            return Ok(report);
        }
        let before = self.view().last_seq(key)?;
        let bad = |e: serde_json::Error| doc_err(crate::DocError::Unreadable { point: point.to_string(), message: e.to_string() });
        match key {
            DocKey::Base => {
                let base: crate::model::Base = serde_json::from_value(old).map_err(bad)?;
                self.edit(key, author, |e| e.write_base(&base))?;
            }
            DocKey::Coordination => {
                let c: crate::model::Coordination = serde_json::from_value(old).map_err(bad)?;
                self.edit(key, author, |e| e.write_coordination(&c))?;
            }
            DocKey::Supplement(_) => {
                let s: crate::model::Supplement = serde_json::from_value(old).map_err(bad)?;
                self.edit(key, author, |e| e.write_supplement(&s))?;
            }
            // Remarks are never taken back: a comment is revised or its thread resolved.
            DocKey::Remarks(_) => {
                return Err(doc_err(crate::DocError::WrongDocument {
                    kind: "restore",
                    allowed: "the coordination, the base or a supplement".into(),
                    doc: key.name(),
                }))
            }
        }
        let after = self.view().last_seq(key)?;
        report.seq = (after != before).then_some(after);
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::FixedEnv;
    use crate::model::*;
    use std::sync::Arc;

    fn demo() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create_demo(&dir.path().join("w.konsekvens"), Arc::new(FixedEnv::new(1_795_593_600_000, 7))).unwrap();
        (dir, ws)
    }

    #[test]
    fn a_deleted_base_comes_back_as_a_new_change_and_the_log_keeps_both() {
        let (_d, mut ws) = demo();
        let esb = Author::new("dpo@esbjerg", Some(OrgCode(561)));
        let kl = Author::new("kl", None);
        let before = ws.base().unwrap();
        let point = Point::Seq(ws.store().head_seq().unwrap());
        // A member empties the base and adds a risk of its own.
        ws.edit(DocKey::Base, &esb, |e| {
            e.write_base(&Base::default())?;
            e.put(&Risk { id: ItemId::from("risk-esb"), reference: Reference("R99".into()), title: "Ny".into(), ..Risk::default() })
        })
        .unwrap();
        assert!(ws.base().unwrap().items.measures.is_empty());
        let log_before = ws.store().head_seq().unwrap();

        let report = ws.restore(DocKey::Base, &point, &kl).unwrap();
        assert_eq!(ws.base().unwrap(), before, "the base is as it was");
        assert_eq!(report.removed.len(), 1, "{:?}", report.removed);
        assert_eq!(report.recreated.len(), before.items.len());
        assert_eq!(report.seq, Some(log_before + 1), "one new change");
        let text = report.render();
        assert!(text.starts_with("Gendannede base til #") && text.contains("fjernet risiko R99 Ny"), "{text}");
        // The log keeps the deletion and the restoration, the latter by the coordinator.
        let history = crate::history::history(&ws.view(), None, None).unwrap();
        let last = history.last().unwrap();
        assert_eq!((last.seq, last.author.as_str()), (log_before + 1, "kl"));
        assert!(history.iter().any(|e| e.author == "dpo@esbjerg"));
        // Restoring again changes nothing.
        let again = ws.restore(DocKey::Base, &point, &kl).unwrap();
        assert!(again.is_empty() && again.seq.is_none());
        assert!(again.render().contains("intet at gendanne"));
    }

    #[test]
    fn a_point_that_is_not_earlier_or_not_there_is_refused_with_its_code() {
        let (_d, mut ws) = demo();
        let kl = Author::new("kl", None);
        for point in [Point::Now, Point::Seq(999_999), Point::Seq(0)] {
            let err = ws.restore(DocKey::Base, &point, &kl).unwrap_err().to_string();
            assert!(err.starts_with("K-RESTORE-NO-POINT"), "{point}: {err}");
        }
        // The release's own content is a point too.
        let report = ws.restore(DocKey::Base, &Point::Release("2025.1".into()), &kl).unwrap();
        assert!(report.is_empty(), "{}", report.render());
    }
}
