//! What the importer refuses beyond serde's types, each with the JSON path: a field the
//! format does not have, a missing id or title, a duplicate id, and a link to no item.
//!
//! Unknown and missing fields are read off the published schema (generated from the
//! model), not declared a second time: the schema closes every object and lists each
//! item's required fields, and [`closed`] walks the file along it. So the schema a
//! script validates against and the importer cannot drift apart. The model types keep
//! serde's lenient defaults because the app's own stored documents and webview read them.

use super::{InterchangeError, JointDpiaFile};
use crate::model::{Ids, ItemId, Items};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Walks `value` along `schema`, refusing the first unknown or missing field.
pub(super) fn closed(value: &Value, schema: &Value) -> Result<(), InterchangeError> {
    let defs = schema.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut path = String::from("$");
    walk(value, schema, &defs, &mut path)
}

fn resolve<'a>(mut schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    // a $ref chain is short (schemars writes one level); the bound keeps a cycle finite
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/")) {
            Some(name) => match defs.get(name) {
                Some(d) => schema = d,
                None => break,
            },
            None => break,
        }
    }
    schema
}

fn walk(value: &Value, schema: &Value, defs: &Map<String, Value>, path: &mut String) -> Result<(), InterchangeError> {
    let schema = resolve(schema, defs);
    // Option<T> is anyOf [T, null]: the branch for a present value is the one that is not null
    if let Some(branches) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
        if value.is_null() {
            return Ok(());
        }
        let mut first = None;
        for b in branches.iter().filter(|b| b.get("type").and_then(Value::as_str) != Some("null")) {
            match walk(value, b, defs, path) {
                Ok(()) => return Ok(()),
                Err(e) => first = first.or(Some(e)),
            }
        }
        return first.map_or(Ok(()), Err);
    }
    match value {
        Value::Object(fields) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                if let Some(missing) = required.iter().filter_map(Value::as_str).find(|k| !fields.contains_key(*k)) {
                    return Err(InterchangeError::Missing { path: path.clone(), field: missing.to_owned() });
                }
            }
            for (key, v) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                match properties.and_then(|p| p.get(key)) {
                    Some(s) => walk(v, s, defs, path)?,
                    None if closed => {
                        path.truncate(len);
                        return Err(InterchangeError::Unknown { path: path.clone(), field: key.clone() });
                    }
                    None => {
                        if let Some(s) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                            walk(v, s, defs, path)?;
                        }
                    }
                }
                path.truncate(len);
            }
            Ok(())
        }
        Value::Array(elements) => {
            if let Some(s) = schema.get("items") {
                for (i, v) in elements.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(v, s, defs, path)?;
                    path.truncate(len);
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every id once, and every link to an item of the kind it names: in the base, to the
/// base; in a supplement, to the base or the supplement's own additions, and its local
/// records (overrides, statuses …) to the base item they concern, once each.
pub(super) fn links(file: &JointDpiaFile) -> Result<(), InterchangeError> {
    match broken_links(file).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every id used twice and every link to no item, in the order of the file (the first is
/// what an import refuses; an export warns of all of them).
pub(super) fn broken_links(file: &JointDpiaFile) -> Vec<InterchangeError> {
    let mut out = Vec::new();
    let base = kinds(&file.base.items, "$.base.items", &Kinds::default(), &mut out);
    links_in(&file.base.items, "$.base.items", &base, &mut out);
    for (index, s) in file.supplements.iter().enumerate() {
        let at = format!("$.supplements[{index}]");
        let own = kinds(&s.additions, &format!("{at}.additions"), &base, &mut out);
        let both = base.merged(&own);
        links_in(&s.additions, &format!("{at}.additions"), &both, &mut out);
        let mut target = |field: &str, kind: &'static str, targets: &mut dyn Iterator<Item = &ItemId>| {
            let mut seen = BTreeSet::new();
            for (i, id) in targets.enumerate() {
                let path = format!("{at}.{field}[{i}].target");
                if !base.has(kind, id) {
                    out.push(InterchangeError::Dangling { path, id: id.to_string(), kind });
                } else if !seen.insert(id) {
                    out.push(InterchangeError::Duplicate { path, id: id.to_string() });
                }
            }
        };
        target("risk_overrides", "risks", &mut s.risk_overrides.iter().map(|o| &o.target));
        target("measure_statuses", "measures", &mut s.measure_statuses.iter().map(|o| &o.target));
        target("not_applicable", "", &mut s.not_applicable.iter().map(|o| &o.target));
        target("subject_counts", "subject_categories", &mut s.subject_counts.iter().map(|o| &o.target));
    }
    out
}

/// Ids by the collection they are in («» is any collection).
#[derive(Default)]
struct Kinds(BTreeMap<&'static str, BTreeSet<ItemId>>);

impl Kinds {
    fn has(&self, kind: &str, id: &ItemId) -> bool {
        if kind.is_empty() {
            self.0.values().any(|ids| ids.contains(id))
        } else {
            self.0.get(kind).is_some_and(|ids| ids.contains(id))
        }
    }
    fn merged(&self, other: &Kinds) -> Kinds {
        let mut all = Kinds(self.0.clone());
        for (k, ids) in &other.0 {
            all.0.entry(k).or_default().extend(ids.iter().cloned());
        }
        all
    }
}

macro_rules! each_collection {
    ($items:expr, |$kind:ident, $list:ident| $body:expr) => {{
        let i = $items;
        { let $kind = "processes"; let $list: Vec<&ItemId> = i.processes.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "modules"; let $list: Vec<&ItemId> = i.modules.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "purposes"; let $list: Vec<&ItemId> = i.purposes.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "data_categories"; let $list: Vec<&ItemId> = i.data_categories.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "subject_categories"; let $list: Vec<&ItemId> = i.subject_categories.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "sources"; let $list: Vec<&ItemId> = i.sources.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "recipients"; let $list: Vec<&ItemId> = i.recipients.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "transfers"; let $list: Vec<&ItemId> = i.transfers.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "processors"; let $list: Vec<&ItemId> = i.processors.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "document_types"; let $list: Vec<&ItemId> = i.document_types.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "systems"; let $list: Vec<&ItemId> = i.systems.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "risks"; let $list: Vec<&ItemId> = i.risks.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "measures"; let $list: Vec<&ItemId> = i.measures.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "evidence"; let $list: Vec<&ItemId> = i.evidence.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "dpo_advice"; let $list: Vec<&ItemId> = i.dpo_advice.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "reviews"; let $list: Vec<&ItemId> = i.reviews.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "use_changes"; let $list: Vec<&ItemId> = i.use_changes.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "subject_views"; let $list: Vec<&ItemId> = i.subject_views.iter().map(|x| &x.id).collect(); $body }
        { let $kind = "supplier_sheets"; let $list: Vec<&ItemId> = i.supplier_sheets.iter().map(|x| &x.id).collect(); $body }
    }};
}

/// The ids of `items`, refusing one used twice (here, or already in `outer`: a
/// supplement's addition must not take a base item's id).
fn kinds(items: &Items, at: &str, outer: &Kinds, out: &mut Vec<InterchangeError>) -> Kinds {
    let mut kinds = Kinds::default();
    let mut all = BTreeSet::new();
    each_collection!(items, |kind, list| {
        for (i, id) in list.into_iter().enumerate() {
            if !all.insert(id) || outer.has("", id) {
                out.push(InterchangeError::Duplicate { path: format!("{at}.{kind}[{i}].id"), id: id.to_string() });
            }
            kinds.0.entry(kind).or_default().insert(id.clone());
        }
    });
    kinds
}

fn links_in(items: &Items, at: &str, known: &Kinds, out: &mut Vec<InterchangeError>) {
    let mut check = |path: String, kind: &'static str, ids: &Ids| {
        for id in ids.iter().filter(|id| !known.has(kind, id)) {
            out.push(InterchangeError::Dangling { path: path.clone(), id: id.to_string(), kind });
        }
    };
    let one = |id: &Option<ItemId>| id.iter().cloned().collect::<Ids>();
    for (i, x) in items.processes.iter().enumerate() {
        check(format!("{at}.processes[{i}].modules"), "modules", &x.modules);
        check(format!("{at}.processes[{i}].purposes"), "purposes", &x.purposes);
    }
    for (i, x) in items.data_categories.iter().enumerate() {
        check(format!("{at}.data_categories[{i}].sources"), "sources", &x.sources);
        check(format!("{at}.data_categories[{i}].subjects"), "subject_categories", &x.subjects);
    }
    for (i, x) in items.processors.iter().enumerate() {
        check(format!("{at}.processors[{i}].parent"), "processors", &one(&x.parent));
    }
    for (i, x) in items.document_types.iter().enumerate() {
        check(format!("{at}.document_types[{i}].module"), "modules", &one(&x.module));
        check(format!("{at}.document_types[{i}].purposes"), "purposes", &x.purposes);
    }
    for (i, x) in items.risks.iter().enumerate() {
        check(format!("{at}.risks[{i}].processes"), "processes", &x.processes);
        check(format!("{at}.risks[{i}].modules"), "modules", &x.modules);
    }
    for (i, x) in items.measures.iter().enumerate() {
        check(format!("{at}.measures[{i}].mitigates"), "risks", &x.mitigates);
        check(format!("{at}.measures[{i}].evidence"), "evidence", &x.evidence);
    }
    // a change in use may concern any item (a new module, a new purpose …)
    for (i, x) in items.use_changes.iter().enumerate() {
        check(format!("{at}.use_changes[{i}].concerns"), "", &x.concerns);
    }
}
