//! What one update changed, computed when it is written: only the items and sections the
//! update touched are read (before: as last summarised; after: from the document) and
//! compared with [`diff::changes`] — the same comparison, on the same JSON, that reading the
//! whole document before and after each update gave, at a cost that does not grow with the
//! document or the log.

use crate::diff::{self, ItemChange};
use crate::doc::{CoordinationMeta, DocError, DocKind, DpiaDoc, Item, Section, Touched};
use crate::model::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

/// What is stored beside a logged update (`changes.summary`): the items and fields it
/// changed, and the CRDT ids it brought (for attribution by the hub's bindings).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredSummary {
    #[serde(rename = "c", default)]
    pub changes: Vec<ItemChange>,
    #[serde(rename = "i", default)]
    pub inserted: Vec<(u64, u32, u32)>,
    #[serde(rename = "d", default)]
    pub deleted: Vec<(u64, u32, u32)>,
}

impl StoredSummary {
    pub fn new(changes: Vec<ItemChange>, ids: &crate::doc::UpdateIds) -> StoredSummary {
        let span = |s: &crate::doc::IdSpan| (s.client, s.start, s.end);
        StoredSummary { changes, inserted: ids.inserted.iter().map(span).collect(), deleted: ids.deleted.iter().map(span).collect() }
    }

    pub fn ids(&self) -> crate::doc::UpdateIds {
        let span = |&(client, start, end): &(u64, u32, u32)| crate::doc::IdSpan { client, start, end };
        crate::doc::UpdateIds { inserted: self.inserted.iter().map(span).collect(), deleted: self.deleted.iter().map(span).collect() }
    }

    /// The ids of the items it changed (for `log --item`).
    pub fn items(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.changes.iter().filter(|c| !c.id.is_empty()).map(|c| c.id.clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary serialises")
    }
}

/// One part of a document as JSON, with the order the document lists it in.
#[derive(Debug, Clone, PartialEq)]
struct Part {
    order: (Option<Reference>, i64, String),
    value: Value,
}

/// Where a root's parts sit in the document's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A collection inside a group (`items` of a base, `additions` of a supplement).
    Grouped(&'static str),
    /// A collection at the top.
    Collection,
    /// A section (an object at the top; the coordination's `meta` is spread over the top).
    Section,
    SpreadSection,
}

fn shared(root: &str) -> bool {
    crate::model::catalogue::KINDS.iter().any(|k| k.home == crate::model::catalogue::Home::Shared && k.collection == root)
}

fn part_of<T: Item + serde::Serialize>(item: &T, order_time: i64) -> Part {
    Part { order: (item.reference().cloned(), order_time, item.key()), value: serde_json::to_value(item).expect("the model serialises") }
}

/// Applies `$m!(Type, order_time_expr)` to every item type a document can hold.
macro_rules! for_each_item_type {
    ($m:ident) => {
        $m!(Process); $m!(Module); $m!(Purpose); $m!(DataCategory); $m!(SubjectCategory); $m!(Source);
        $m!(Recipient); $m!(Transfer); $m!(Processor); $m!(DocumentType); $m!(System); $m!(Risk);
        $m!(Measure); $m!(Evidence); $m!(DpoAdvice); $m!(Review); $m!(UseChange); $m!(SubjectView); $m!(SupplierSheet); $m!(RiskOverride); $m!(LocalMeasureStatus);
        $m!(NotApplicable); $m!(LocalSubjectCount); $m!(Signatory); $m!(Signing); $m!(Participant); $m!(Release);
    };
}

macro_rules! for_each_section_type {
    ($m:ident) => {
        $m!(BaseMeta); $m!(Description); $m!(Wp248); $m!(PriorConsultation); $m!(ReviewPlan);
        $m!(SupplementMeta); $m!(JointConditions);
    };
}

/// Releases are listed by publication time; everything else by reference, then key.
trait OrderTime {
    fn order_time(&self) -> i64 {
        0
    }
}
macro_rules! default_order {
    ($t:ty) => {
        impl OrderTime for $t {}
    };
}
default_order!(Process); default_order!(Module); default_order!(Purpose); default_order!(DataCategory);
default_order!(SubjectCategory); default_order!(Source); default_order!(Recipient); default_order!(Transfer);
default_order!(Processor); default_order!(DocumentType); default_order!(System); default_order!(Risk);
default_order!(Measure); default_order!(Evidence); default_order!(DpoAdvice); default_order!(Review);
default_order!(UseChange); default_order!(SubjectView); default_order!(SupplierSheet);
default_order!(RiskOverride); default_order!(LocalMeasureStatus); default_order!(NotApplicable);
default_order!(LocalSubjectCount); default_order!(Signatory); default_order!(Signing); default_order!(Participant);
impl OrderTime for Release {
    fn order_time(&self) -> i64 {
        self.published_at
    }
}

/// Whether `root` holds items or a section in a document of `kind`, and where it sits.
fn place(kind: DocKind, root: &str) -> Option<Place> {
    macro_rules! item {
        ($t:ty) => {
            if <$t as Item>::ROOT == root && <$t as Item>::IN.contains(&kind) {
                return Some(match kind {
                    DocKind::Base if shared(root) => Place::Grouped("items"),
                    DocKind::Supplement if shared(root) => Place::Grouped("additions"),
                    _ => Place::Collection,
                });
            }
        };
    }
    for_each_item_type!(item);
    macro_rules! section {
        ($t:ty) => {
            if <$t as Section>::ROOT == root && <$t as Section>::IN.contains(&kind) {
                return Some(if kind == DocKind::Coordination { Place::SpreadSection } else { Place::Section });
            }
        };
    }
    for_each_section_type!(section);
    if kind == DocKind::Coordination && root == <CoordinationMeta as Section>::ROOT {
        return Some(Place::SpreadSection);
    }
    None
}

/// One item of `root` by its key, if there (`None` when `root` holds no items here).
fn read_item(doc: &DpiaDoc, root: &str, key: &str) -> Result<Option<Option<Part>>, DocError> {
    let kind = doc.key().kind();
    macro_rules! item {
        ($t:ty) => {
            if <$t as Item>::ROOT == root && <$t as Item>::IN.contains(&kind) {
                return Ok(Some(doc.get::<$t>(&ItemId(key.to_owned()))?.map(|i| part_of(&i, i.order_time()))));
            }
        };
    }
    for_each_item_type!(item);
    Ok(None)
}

fn read_section(doc: &DpiaDoc, root: &str) -> Result<Option<Part>, DocError> {
    let kind = doc.key().kind();
    // The coordination's meta is spread over the coordination's top level when serialised.
    if kind == DocKind::Coordination && root == <CoordinationMeta as Section>::ROOT {
        let s: CoordinationMeta = doc.section()?;
        let value = serde_json::json!({ "coordinator": s.coordinator, "base_write_policy": s.base_write_policy });
        return Ok(Some(Part { order: (None, 0, String::new()), value }));
    }
    macro_rules! section {
        ($t:ty) => {
            if <$t as Section>::ROOT == root && <$t as Section>::IN.contains(&kind) {
                let s: $t = doc.section()?;
                return Ok(Some(Part { order: (None, 0, String::new()), value: serde_json::to_value(&s).expect("the model serialises") }));
            }
        };
    }
    for_each_section_type!(section);
    Ok(None)
}

/// Every part of a document: each item by `(root, key)`, each section by `(root, "")`.
fn read_all(doc: &DpiaDoc) -> Result<HashMap<(String, String), Part>, DocError> {
    let kind = doc.key().kind();
    let mut parts = HashMap::new();
    macro_rules! item {
        ($t:ty) => {
            if <$t as Item>::IN.contains(&kind) {
                for i in doc.list::<$t>()? {
                    parts.insert((<$t as Item>::ROOT.to_owned(), i.key()), part_of(&i, i.order_time()));
                }
            }
        };
    }
    for_each_item_type!(item);
    macro_rules! section {
        ($t:ty) => {
            if <$t as Section>::IN.contains(&kind) {
                if let Some(p) = read_section(doc, <$t as Section>::ROOT)? {
                    parts.insert((<$t as Section>::ROOT.to_owned(), String::new()), p);
                }
            }
        };
    }
    for_each_section_type!(section);
    if kind == DocKind::Coordination {
        if let Some(p) = read_section(doc, <CoordinationMeta as Section>::ROOT)? {
            parts.insert((<CoordinationMeta as Section>::ROOT.to_owned(), String::new()), p);
        }
    }
    Ok(parts)
}

/// A collection's parts before and after the changes.
type BeforeAfter = (Vec<Part>, Vec<Part>);

/// Summarises the updates of one document as they are applied: keeps the JSON of every
/// part as last summarised.
#[derive(Debug, Clone, Default)]
pub struct Summariser {
    parts: HashMap<(String, String), Part>,
}

impl Summariser {
    /// For a document as it stands (its parts are read once).
    pub fn of(doc: &DpiaDoc) -> Result<Summariser, DocError> {
        Ok(Summariser { parts: read_all(doc)? })
    }

    /// What the changes that touched `touched` did to `doc` (already applied), in the order
    /// comparing the whole document before and after would report them.
    pub fn changes(&mut self, doc: &DpiaDoc, touched: Touched) -> Result<Vec<ItemChange>, DocError> {
        let kind = doc.key().kind();
        let mut before = Map::new();
        let mut after = Map::new();
        // (place, root) → (before parts, after parts)
        let mut collections: BTreeMap<(Option<&'static str>, String), BeforeAfter> = BTreeMap::new();
        let mut sections_done = std::collections::BTreeSet::new();
        for (root, key) in touched {
            let Some(place) = place(kind, &root) else { continue };
            match place {
                Place::Grouped(_) | Place::Collection => {
                    let group = if let Place::Grouped(g) = place { Some(g) } else { None };
                    let new = read_item(doc, &root, &key)?.flatten();
                    let id = (root.clone(), key);
                    let old = match &new {
                        Some(p) => self.parts.insert(id, p.clone()),
                        None => self.parts.remove(&id),
                    };
                    let entry = collections.entry((group, root)).or_default();
                    entry.0.extend(old);
                    entry.1.extend(new);
                }
                Place::Section | Place::SpreadSection => {
                    if !sections_done.insert(root.clone()) {
                        continue;
                    }
                    let new = read_section(doc, &root)?.unwrap_or(Part { order: (None, 0, String::new()), value: Value::Object(Map::new()) });
                    let old = self.parts.insert((root.clone(), String::new()), new.clone());
                    let old = old.map(|p| p.value).unwrap_or_else(|| empty_like(&new.value));
                    if place == Place::SpreadSection {
                        spread(&mut before, old);
                        spread(&mut after, new.value);
                    } else {
                        before.insert(root.clone(), old);
                        after.insert(root, new.value);
                    }
                }
            }
        }
        for ((group, root), (mut old, mut new)) in collections {
            old.sort_by(|a, b| a.order.cmp(&b.order));
            new.sort_by(|a, b| a.order.cmp(&b.order));
            let old = Value::Array(old.into_iter().map(|p| p.value).collect());
            let new = Value::Array(new.into_iter().map(|p| p.value).collect());
            match group {
                Some(g) => {
                    group_of(&mut before, g).insert(root.clone(), old);
                    group_of(&mut after, g).insert(root, new);
                }
                None => {
                    before.insert(root.clone(), old);
                    after.insert(root, new);
                }
            }
        }
        let mut changes = diff::changes(&Value::Object(before), &Value::Object(after));
        // A release's content is the whole base: its name says enough.
        for c in changes.iter_mut().filter(|c| c.collection == "releases") {
            c.fields.retain(|f| f.path != "content");
        }
        Ok(changes)
    }
}

/// A section never summarised before compares with its default (what an empty document reads).
fn empty_like(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.keys().map(|k| (k.clone(), Value::Null)).collect()),
        _ => Value::Null,
    }
}

fn spread(into: &mut Map<String, Value>, section: Value) {
    if let Value::Object(o) = section {
        into.extend(o);
    }
}

fn group_of<'a>(m: &'a mut Map<String, Value>, group: &str) -> &'a mut Map<String, Value> {
    m.entry(group.to_owned()).or_insert_with(|| Value::Object(Map::new())).as_object_mut().expect("a group is an object")
}

/// Every root the documents of `kind` model is placed (a new item kind must be added to
/// the lists above, or its changes would be missing from the history).
#[cfg(test)]
pub(crate) fn unplaced_roots(kind: DocKind) -> Vec<&'static str> {
    crate::doc::modelled_roots(kind).into_iter().filter(|r| place(kind, r).is_none()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_root_a_document_models_is_summarised() {
        for kind in [DocKind::Coordination, DocKind::Base, DocKind::Supplement] {
            assert!(unplaced_roots(kind).is_empty(), "{kind:?}: {:?}", unplaced_roots(kind));
        }
    }
}
