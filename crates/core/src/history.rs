//! The history of a workspace, read from its update log (the audit trail, never rewritten):
//! the DPIA as it was at any earlier point, and who changed what and when. Free functions
//! over a read-only [`View`]; nothing here replays the log from its start: a point in the
//! past starts from the nearest kept snapshot, and each update's change summary was stored
//! when it was logged (`crate::summary`), so `log` pages through stored rows.

use crate::diff::{self, ChangeKind, ItemChange};
use crate::doc::{DocError, DocKey, DpiaDoc, UpdateIds};
use crate::effective::EffectiveDpia;
use crate::model::*;
use crate::store::{KnownAuthor, StoredChange};
use crate::summary::{StoredSummary, Summariser};
use crate::workspace::{View, WorkspaceError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A point in the history of a joint DPIA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    /// The current state.
    Now,
    /// A published release of the base (for a municipality: the state when it was published).
    Release(String),
    /// Just after log entry N.
    Seq(i64),
    /// The end of a day (UTC).
    Date(Day),
}

impl std::str::FromStr for Point {
    type Err = String;
    /// `now`, `#123` / `seq:123`, `2026-11-01`, or a release name such as `2025.1`.
    fn from_str(s: &str) -> Result<Point, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("an empty point; use now, a release name (2025.1), a date (2026-11-01) or a log position (#123)".into());
        }
        if s.eq_ignore_ascii_case("now") || s == "nu" {
            return Ok(Point::Now);
        }
        if let Some(n) = s.strip_prefix('#').or_else(|| s.strip_prefix("seq:")) {
            return n.parse().map(Point::Seq).map_err(|_| format!("«{s}» is not a log position (e.g. #123)"));
        }
        if let Ok(day) = Day::parse(s) {
            return Ok(Point::Date(day));
        }
        Ok(Point::Release(s.to_owned()))
    }
}

impl std::fmt::Display for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Point::Now => f.write_str("nu"),
            Point::Release(r) => write!(f, "udgivelse {r}"),
            Point::Seq(n) => write!(f, "#{n}"),
            Point::Date(d) => write!(f, "{}", d.danish()),
        }
    }
}

/// The last millisecond of a day (UTC).
pub fn end_of_day_millis(d: Day) -> i64 {
    let next = d.0.next_day().unwrap_or(d.0);
    next.midnight().assume_utc().unix_timestamp() * 1000 - 1
}

/// One logged update and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogEntry {
    pub seq: i64,
    pub doc: String,
    pub at_millis: i64,
    pub author: String,
    pub org: Option<OrgCode>,
    pub changes: Vec<ItemChange>,
    /// Who wrote it, as the hub attributes it (see [`attribution`]); empty when the hub has
    /// not told this copy yet (a local change not synced, or no hub).
    pub by: Vec<ChangeAuthor>,
}

/// One page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    /// The log position to pass as `before` for the next (older) page; `None` when this page
    /// reaches the start of the log.
    pub next_before: Option<i64>,
}

/// An organisation that wrote a change, as the hub attributes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChangeAuthor {
    pub org: String,
    pub name: String,
    pub label: String,
}

impl From<KnownAuthor> for ChangeAuthor {
    fn from(a: KnownAuthor) -> ChangeAuthor {
        ChangeAuthor { org: a.org, name: a.name, label: a.label }
    }
}

impl std::fmt::Display for ChangeAuthor {
    /// `561 Esbjerg (DPO Esbjerg)`, or `561 Esbjerg` without a token label.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.org)?;
        if !self.name.is_empty() && self.name != self.org {
            write!(f, " {}", self.name)?;
        }
        if !self.label.is_empty() {
            write!(f, " ({})", self.label)?;
        }
        Ok(())
    }
}

/// Replays a document's updates one by one and says what each brought: its new CRDT ids
/// (for attribution) and, if asked, the items it changed (read part by part, see
/// `crate::summary`). The hub's log reads its log through it.
pub struct Replay {
    doc: DpiaDoc,
    values: Option<(crate::doc::TouchTracker, Summariser)>,
}

/// What one replayed update brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replayed {
    pub ids: UpdateIds,
    /// Empty unless the replay reads values.
    pub changes: Vec<ItemChange>,
}

impl Replay {
    /// An empty document of `key`; with `read_values`, every step also says which items
    /// changed.
    pub fn new(key: DocKey, client_id: u64, read_values: bool) -> Result<Replay, DocError> {
        let doc = DpiaDoc::new(key, client_id);
        let values = if read_values { Some((doc.track_touches(), Summariser::of(&doc)?)) } else { None };
        Ok(Replay { doc, values })
    }

    pub fn step(&mut self, update: &[u8]) -> Result<Replayed, DocError> {
        crate::doc::guard::check_update_v1(update)?;
        let ids = self.doc.novelty(update)?;
        self.doc.apply_update(update)?;
        let mut changes = Vec::new();
        if let Some((tracker, summariser)) = &mut self.values {
            changes = summariser.changes(&self.doc, tracker.take())?;
        }
        Ok(Replayed { ids, changes })
    }

    pub fn doc(&self) -> &DpiaDoc {
        &self.doc
    }
}

/// A document's content as JSON (the model's serialisation).
pub fn read_doc(doc: &DpiaDoc) -> Result<serde_json::Value, DocError> {
    let v = match doc.key() {
        DocKey::Coordination => serde_json::to_value(doc.read_coordination()?),
        DocKey::Base => serde_json::to_value(doc.read_base()?),
        DocKey::Supplement(_) => serde_json::to_value(doc.read_supplement()?),
        DocKey::Remarks(_) => return crate::hearing::remarks_json(doc),
    };
    Ok(v.expect("the model serialises"))
}

/// The log position a point stands for (`None` for now).
pub fn seq_of(view: &View<'_>, point: &Point) -> Result<Option<i64>, WorkspaceError> {
    Ok(match point {
        Point::Now => None,
        Point::Seq(n) => Some(*n),
        Point::Date(d) => Some(view.seq_at(end_of_day_millis(*d))?),
        Point::Release(name) => {
            let coordination = view.coordination()?;
            let r = coordination.require_release(name)?;
            Some(view.seq_at(r.published_at)?)
        }
    })
}

/// A municipality's effective DPIA (or, with `None`, the base) as it was at `point`. The
/// base at a release is the release's own content, exactly as published.
pub fn dpia_at(view: &View<'_>, org: Option<OrgCode>, point: &Point) -> Result<EffectiveDpia, WorkspaceError> {
    if let (None, Point::Release(name)) = (org, point) {
        let coordination = view.coordination()?;
        let base = coordination.require_release(name)?.shared_base()?;
        return Ok(EffectiveDpia::compute_on(&coordination, || base, &Supplement::default(), &Participant::joint_base()));
    }
    let Some(seq) = seq_of(view, point)? else { return view.effective_or_base(org) };
    let shared = view.shared_at(seq)?;
    let coordination = &shared.0;
    match org {
        None => Ok(view.effective_on(&shared, &Supplement::default(), &Participant::joint_base())),
        Some(code) => {
            let key = DocKey::Supplement(code);
            let supplement: Supplement = view.model_at(key, seq)?;
            let participant = coordination
                .participants
                .iter()
                .find(|p| p.code == Some(code))
                .cloned()
                .unwrap_or_else(|| view.participant(code).unwrap_or_default());
            Ok(view.effective_on(&shared, &supplement, &participant))
        }
    }
}

/// Compares two points of the base (`org: None`) or of a municipality's effective DPIA.
pub fn compare(view: &View<'_>, org: Option<OrgCode>, from: &Point, to: &Point) -> Result<diff::Comparison, WorkspaceError> {
    let a = dpia_at(view, org, from)?;
    let b = dpia_at(view, org, to)?;
    Ok(diff::compare(&from.to_string(), &a, &to.to_string(), &b))
}

/// What the history of `org` (or the base) reads: the documents, the labels of items by id,
/// and the id an item reference stands for.
struct LogScope {
    docs: Vec<String>,
    labels: BTreeMap<String, String>,
    wanted_id: Option<ItemId>,
}

fn scope(view: &View<'_>, org: Option<OrgCode>, item: Option<&Reference>) -> Result<LogScope, WorkspaceError> {
    let mut docs = vec![DocKey::Coordination.name(), DocKey::Base.name()];
    if let Some(code) = org {
        view.require(DocKey::Supplement(code))?;
        docs.push(DocKey::Supplement(code).name());
    }
    // Supplement entries (overrides, not-applicable …) are keyed by their base item's id,
    // not by a reference: find the id the reference stands for, and label them by it.
    let current = view.effective_or_base(org)?;
    let labels = labels_of(&current);
    let wanted_id = match item {
        Some(r) => Some(id_of(&current, r).ok_or_else(|| WorkspaceError::Doc {
            doc: "history".into(),
            source: crate::DocError::NoSuchReference(r.to_string()),
        })?),
        None => None,
    };
    Ok(LogScope { docs, labels, wanted_id })
}

fn entry(view: &View<'_>, scope: &LogScope, row: StoredChange) -> Result<Option<LogEntry>, WorkspaceError> {
    let key = DocKey::parse(&row.doc).map_err(|e| WorkspaceError::Doc { doc: row.doc.clone(), source: e })?;
    let summary: StoredSummary = serde_json::from_str(&row.summary).map_err(|e| WorkspaceError::Doc {
        doc: row.doc.clone(),
        source: DocError::Unreadable { point: format!("#{}", row.seq), message: format!("the stored summary: {e}") },
    })?;
    let mut changes = summary.changes.clone();
    for c in changes.iter_mut().filter(|c| c.label == c.id) {
        if let Some(label) = scope.labels.get(c.id.as_str()) {
            c.label = label.clone();
        }
    }
    if let Some(id) = &scope.wanted_id {
        changes.retain(|c| c.id == id.as_str());
        if changes.is_empty() {
            return Ok(None);
        }
    }
    let by = attribution(view, key, &summary.ids())?;
    Ok(Some(LogEntry { seq: row.seq, doc: row.doc, at_millis: row.at_millis, author: row.author, org: row.org, changes, by }))
}

/// One page of who changed what and when, newest first: logged updates of the base and the
/// coordination document (and, with `org`, of that municipality's supplement) before log
/// position `before` (`None`: from the newest), at most `limit`. With `item`, only updates
/// that changed the item with that reference. Reads only the page's stored rows.
pub fn log_page(view: &View<'_>, org: Option<OrgCode>, item: Option<&Reference>, before: Option<i64>, limit: usize) -> Result<LogPage, WorkspaceError> {
    let scope = scope(view, org, item)?;
    let limit = limit.clamp(1, 1000);
    // One row more than the page says whether an older page exists.
    let mut rows = view.changes_page(&scope.docs, scope.wanted_id.as_ref().map(ItemId::as_str), before, limit + 1, true)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_before = if more { rows.last().map(|r| r.seq) } else { None };
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        entries.extend(entry(view, &scope, row)?);
    }
    Ok(LogPage { entries, next_before })
}

/// Every entry of the history (as [`log_page`] selects them), oldest first, one page at a
/// time: the whole log streamed without holding it in memory.
pub fn for_each_entry(view: &View<'_>, org: Option<OrgCode>, item: Option<&Reference>, mut f: impl FnMut(LogEntry) -> Result<(), WorkspaceError>) -> Result<(), WorkspaceError> {
    let scope = scope(view, org, item)?;
    const PAGE: usize = 500;
    let mut after = Some(0);
    while let Some(cursor) = after {
        let rows = view.changes_page(&scope.docs, scope.wanted_id.as_ref().map(ItemId::as_str), Some(cursor), PAGE, false)?;
        after = if rows.len() == PAGE { rows.last().map(|r| r.seq) } else { None };
        for row in rows {
            if let Some(e) = entry(view, &scope, row)? {
                f(e)?;
            }
        }
    }
    Ok(())
}

/// The whole history, oldest first (see [`for_each_entry`]; for small logs and tests).
pub fn history(view: &View<'_>, org: Option<OrgCode>, item: Option<&Reference>) -> Result<Vec<LogEntry>, WorkspaceError> {
    let mut entries = Vec::new();
    for_each_entry(view, org, item, |e| {
        entries.push(e);
        Ok(())
    })?;
    Ok(entries)
}

/// Who wrote the insertions and deletions `ids` of document `key`, as the hub told this
/// copy: insertions by the organisation their CRDT client id is bound to, deletions by
/// the organisation whose update first brought them to the hub. Sorted, without
/// duplicates; ids the hub has not attributed (yet) add nobody.
pub fn attribution(view: &View<'_>, key: DocKey, ids: &UpdateIds) -> Result<Vec<ChangeAuthor>, WorkspaceError> {
    let mut by = std::collections::BTreeSet::new();
    let mut clients: Vec<u64> = ids.inserted.iter().map(|s| s.client).collect();
    clients.dedup();
    for client in clients {
        by.extend(view.client_author(client)?);
    }
    for span in &ids.deleted {
        by.extend(view.deletion_authors(key, *span)?);
    }
    Ok(by.into_iter().map(ChangeAuthor::from).collect())
}

/// "R5 Uautoriseret adgang …" for every item id of the DPIA.
fn labels_of(d: &EffectiveDpia) -> BTreeMap<String, String> {
    let v = serde_json::to_value(&d.items).expect("the model serialises");
    v.as_object()
        .into_iter()
        .flat_map(|o| o.values())
        .filter_map(|a| a.as_array())
        .flatten()
        .filter_map(|e| Some((e.get("id")?.as_str()?.to_owned(), diff::item_label(e))))
        .collect()
}

fn id_of(d: &EffectiveDpia, r: &Reference) -> Option<ItemId> {
    let i = &d.items;
    macro_rules! find {
        ($($f:ident),+) => { None$(.or_else(|| i.$f.iter().find(|e| &e.item.reference == r).map(|e| e.item.id.clone())))+ };
    }
    find!(processes, modules, purposes, data_categories, subject_categories, sources, recipients, transfers,
        processors, document_types, systems, risks, measures, evidence, dpo_advice, reviews)
}

/// Summarises changes as "tilføjet risks R13 …" lines (for the CLI log).
pub fn summary(changes: &[ItemChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let verb = match c.kind {
                ChangeKind::Added => "tilføjet",
                ChangeKind::Removed => "fjernet",
                ChangeKind::Changed => "ændret",
            };
            let fields: Vec<&str> = c.fields.iter().map(|f| f.path.as_str()).filter(|p| !p.is_empty()).collect();
            let collection = crate::diff::collection_label(&c.collection, false);
            let what = if c.label.is_empty() { collection } else { format!("{collection} {}", c.label) };
            if fields.is_empty() {
                format!("{verb} {what}")
            } else {
                format!("{verb} {what} ({})", fields.join(", "))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ChangeKind;
    use crate::doc::client_id_from;
    use crate::env::FixedEnv;
    use crate::workspace::{Author, Workspace};
    use std::sync::Arc;

    /// 2026-11-25 08:00 UTC: after every review date in the sample, as the real clock is.
    const T0: i64 = 1_795_593_600_000;

    fn demo() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create_demo(&dir.path().join("w.konsekvens"), Arc::new(FixedEnv::new(T0, 7))).unwrap();
        (dir, ws)
    }

    fn kbh() -> Author {
        Author::new("dpo@kk.dk", Some(OrgCode(101)))
    }

    fn new_purpose(ws: &mut Workspace, key: DocKey, prefix: &str) -> Reference {
        ws.edit(key, &kbh(), |e| {
            let reference = e.next_reference::<Purpose>(prefix)?;
            e.put(&Purpose { id: ItemId::from("purpose-ny"), reference: reference.clone(), title: "Trivselsmåling".into(), ..Purpose::default() })?;
            Ok(reference)
        })
        .unwrap()
    }

    #[test]
    fn points_parse() {
        assert_eq!("now".parse::<Point>().unwrap(), Point::Now);
        assert_eq!("#12".parse::<Point>().unwrap(), Point::Seq(12));
        assert_eq!("2026-11-01".parse::<Point>().unwrap(), Point::Date(Day::ymd(2026, 11, 1)));
        assert_eq!("2025.1".parse::<Point>().unwrap(), Point::Release("2025.1".into()));
        assert!("#x".parse::<Point>().is_err());
    }

    #[test]
    fn the_sample_needs_no_review() {
        let (_d, ws) = demo();
        for org in [None, Some(OrgCode(101)), Some(OrgCode(561)), Some(OrgCode(751))] {
            let status = crate::check::review_status(&ws.view(), org).unwrap();
            assert!(status.triggers.is_empty(), "{org:?}: {:?}", status.triggers);
        }
    }

    #[test]
    fn each_kind_of_change_triggers_a_review_and_a_recorded_review_clears_it() {
        let (_d, mut ws) = demo();
        // a purpose added to the base
        new_purpose(&mut ws, DocKey::Base, "");
        let status = crate::check::review_status(&ws.view(), None).unwrap();
        assert_eq!(status.triggers.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(), ["purpose"]);
        let report = crate::check::check_in(&ws.view(), None, Day::ymd(2026, 11, 25)).unwrap();
        assert!(report.has("K-35-11-TRIGGERED"), "{:?}", report.findings);
        // København's effective DPIA builds on release 2025.1, which lacks the new purpose
        assert!(crate::check::review_status(&ws.view(), Some(OrgCode(101))).unwrap().triggers.is_empty());

        // a risk raised, a subject count changed, the processor chain changed
        let base = ws.base().unwrap();
        let risk = base.items.risks.iter().find(|r| r.residual.level() == Some(RiskLevel::Low)).unwrap().id.clone();
        ws.edit(DocKey::Base, &kbh(), |e| {
            e.update::<Risk>(&risk, |r| {
                r.residual.confidentiality.consequence = Some(Consequence::Devastating);
                r.residual.confidentiality.likelihood = Some(Likelihood::Expected);
            })
        })
        .unwrap();
        let processor = base.items.processors[0].id.clone();
        ws.edit(DocKey::Base, &kbh(), |e| e.update::<Processor>(&processor, |p| p.location = "Irland".into())).unwrap();
        let kinds: Vec<String> = crate::check::review_status(&ws.view(), None).unwrap().triggers.into_iter().map(|t| t.kind).collect();
        assert!(kinds.contains(&"risk_raised".into()) && kinds.contains(&"processor".into()), "{kinds:?}");

        let target = ws.supplement(OrgCode(101)).unwrap().subject_counts[0].target.clone();
        ws.edit(DocKey::Supplement(OrgCode(101)), &kbh(), |e| e.update::<LocalSubjectCount>(&target, |c| c.count = Some(1))).unwrap();
        let kinds: Vec<String> = crate::check::review_status(&ws.view(), Some(OrgCode(101))).unwrap().triggers.into_iter().map(|t| t.kind).collect();
        assert_eq!(kinds, ["subject_count"]);

        // a review recorded after the changes clears the triggers
        let today = Day(time::OffsetDateTime::from_unix_timestamp(T0 / 1000 + 86_400).unwrap().date());
        ws.edit(DocKey::Base, &kbh(), |e| {
            e.put(&Review { id: ItemId::from("review-ny"), reference: Reference("RV9".into()), date: Some(today), reviewer: "KL".into(), ..Review::default() })
        })
        .unwrap();
        assert!(crate::check::review_status(&ws.view(), None).unwrap().triggers.is_empty());
    }

    #[test]
    fn a_release_is_immutable_and_comparable_with_now() {
        let (_d, mut ws) = demo();
        let released = ws.coordination().unwrap().releases[0].clone();
        let risk = ws.base().unwrap().items.risks.iter().find(|r| r.residual.level() == Some(RiskLevel::Medium)).unwrap().clone();
        let measure = ws.base().unwrap().items.measures.iter().find(|m| m.mitigates.contains(&risk.id)).unwrap().clone();
        ws.edit(DocKey::Base, &kbh(), |e| {
            e.update::<Risk>(&risk.id, |r| {
                r.residual.confidentiality.consequence = Some(Consequence::Limited);
                r.residual.confidentiality.likelihood = Some(Likelihood::Unlikely);
                r.residual.integrity = r.residual.confidentiality.clone();
                r.residual.availability = r.residual.confidentiality.clone();
            })?;
            e.update::<Measure>(&measure.id, |m| {
                m.mitigates.remove(&risk.id);
            })
        })
        .unwrap();
        let reference = new_purpose(&mut ws, DocKey::Base, "");

        // The release did not move.
        let again = ws.coordination().unwrap().releases[0].clone();
        assert_eq!(again, released);
        assert_eq!(again.base().unwrap(), crate::history::dpia_at(&ws.view(), None, &Point::Release("2025.1".into())).map(|_| again.base().unwrap()).unwrap());
        let at_release = crate::history::dpia_at(&ws.view(), None, &Point::Release("2025.1".into())).unwrap();
        assert_eq!(at_release.items.risks.iter().find(|r| r.item.id == risk.id).unwrap().item.residual, risk.residual);

        let c = crate::history::compare(&ws.view(), None, &Point::Release("2025.1".into()), &Point::Now).unwrap();
        let moved: Vec<&str> = c.moved.iter().map(|m| m.reference.as_str()).collect();
        assert_eq!(moved, [risk.reference.as_str()]);
        assert_eq!(c.moved[0].residual, (Some(RiskLevel::Medium), Some(RiskLevel::Low)));
        assert_eq!(c.links_broken, vec![crate::diff::Link { risk: risk.reference.clone(), measure: measure.reference.clone() }]);
        let (before, after) = c.distribution;
        assert_eq!((before.residual.low + 1, before.residual.medium - 1), (after.residual.low, after.residual.medium));
        assert!(c.changes.iter().any(|ch| ch.kind == ChangeKind::Added && ch.label.starts_with(reference.as_str())), "{:?}", c.changes);
        let text = crate::diff::render(&c, false);
        assert!(text.contains("mellem → lav") && text.contains(&format!("{} ↔ {}", risk.reference, measure.reference)), "{text}");

        // Publishing again keeps references: renumbering a released item is refused.
        ws.edit(DocKey::Base, &kbh(), |e| e.update::<Risk>(&risk.id, |r| r.reference = Reference("R99".into()))).unwrap();
        let err = ws.publish_release("2026.1", Day::ymd(2026, 12, 1), "", &kbh()).unwrap_err();
        assert!(err.to_string().contains("never renumbered"), "{err}");
        ws.edit(DocKey::Base, &kbh(), |e| e.update::<Risk>(&risk.id, |r| r.reference = risk.reference.clone())).unwrap();
        let r2 = ws.publish_release("2026.1", Day::ymd(2026, 12, 1), "Ny revision", &kbh()).unwrap();
        assert_ne!(r2.content_hash, released.content_hash);
        assert!(ws.publish_release("2026.1", Day::ymd(2026, 12, 2), "", &kbh()).is_err(), "a name is published once");
        // København is told, and binding to the new release clears it.
        assert!(crate::check::check_in(&ws.view(), Some(OrgCode(101)), Day::ymd(2026, 12, 2)).unwrap().has("K-RELEASE-NEWER"));
        ws.bind_release(OrgCode(101), "2026.1", &kbh()).unwrap();
        assert!(!crate::check::check_in(&ws.view(), Some(OrgCode(101)), Day::ymd(2026, 12, 2)).unwrap().has("K-RELEASE-NEWER"));
        assert!(ws.bind_release(OrgCode(101), "2099.1", &kbh()).is_err());
    }

    #[test]
    fn synced_insertions_and_deletions_name_the_organisation_the_hub_attributes_them_to() {
        use crate::store::KnownAuthor;
        let (_d, mut ws) = demo();
        let esb = KnownAuthor { org: "561".into(), name: "Esbjerg".into(), label: "DPO".into() };
        let hub = Author::new("hub ws://hub", None);
        // Esbjerg's copy (its own client id) writes a purpose, then erases the summary.
        let theirs = DpiaDoc::new(DocKey::Base, 4242);
        theirs.apply_update(&ws.doc(DocKey::Base).unwrap().encode_state()).unwrap();
        let (_, added) = theirs
            .edit(|e| e.put(&Purpose { id: ItemId::from("purpose-esb"), reference: Reference("F99".into()), title: "Esbjergs".into(), ..Purpose::default() }))
            .unwrap();
        let mut description = ws.base().unwrap().description;
        description.summary = Prose::from("");
        let (_, erased) = theirs.edit(|e| e.set(&description)).unwrap();
        let erased_ids = ws.doc(DocKey::Base).unwrap().novelty(&erased).unwrap();
        assert!(erased_ids.inserted.is_empty() && !erased_ids.deleted.is_empty(), "deletion only: {erased_ids:?}");
        ws.apply_update(DocKey::Base, &added, &hub).unwrap();
        ws.apply_update(DocKey::Base, &erased, &hub).unwrap();

        // Before the hub said anything: nobody beyond the local author.
        let log = crate::history::history(&ws.view(), None, None).unwrap();
        assert!(log[log.len() - 2..].iter().all(|e| e.by.is_empty() && e.author == "hub ws://hub"));

        // The hub binds the client id and names the deleter of the erased ranges.
        let deletions: Vec<_> = erased_ids.deleted.iter().map(|s| (*s, esb.clone())).collect();
        ws.store().learn_authors(DocKey::Base, &[(client_id_from(4242), esb.clone())], &deletions, "hub ws://hub", 0).unwrap();
        let log = crate::history::history(&ws.view(), None, None).unwrap();
        let named = ChangeAuthor::from(esb);
        assert_eq!(named.to_string(), "561 Esbjerg (DPO)");
        for e in &log[log.len() - 2..] {
            assert_eq!(e.by, vec![named.clone()], "{e:?}");
        }
        // Local changes the hub has not attributed name nobody.
        assert!(log[0].by.is_empty());
    }

    #[test]
    fn history_names_who_changed_which_item() {
        let (_d, mut ws) = demo();
        let reference = new_purpose(&mut ws, DocKey::Base, "");
        let log = crate::history::history(&ws.view(), None, None).unwrap();
        let last = log.last().unwrap();
        assert_eq!((last.author.as_str(), last.org), ("dpo@kk.dk", Some(OrgCode(101))));
        assert_eq!(last.changes.len(), 1);
        assert_eq!(last.changes[0].kind, ChangeKind::Added);
        let only = crate::history::history(&ws.view(), None, Some(&reference)).unwrap();
        assert_eq!(only.len(), 1, "{only:?}");
        assert!(crate::history::history(&ws.view(), None, Some(&Reference("R999".into()))).is_err());
        // København's override of a base risk is found by the risk's reference.
        let target = ws.supplement(OrgCode(101)).unwrap().risk_overrides[0].target.clone();
        let r = ws.base().unwrap().items.risks.iter().find(|r| r.id == target).unwrap().reference.clone();
        let entries = crate::history::history(&ws.view(), Some(OrgCode(101)), Some(&r)).unwrap();
        assert!(entries.iter().any(|e| e.doc == "supplement/101"), "{entries:?}");
    }
}
