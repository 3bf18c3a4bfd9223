//! Comparing two states of a DPIA: which items were added, removed or changed field by
//! field, which risks moved level, how the before/after distribution moved (8/2/2 → 7/5/0),
//! and which risk ↔ measure links were made or broken.
//!
//! The field comparison is generic over the serialised model, so a field added to the
//! model is compared without touching this module: objects are compared key by key, and
//! arrays of items (objects with an `id`, `target`, `name` or `code`) are matched by that
//! key instead of by position.

use crate::effective::{EffectiveDpia, LevelCounts};
use crate::model::{Reference, RiskLevel};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One changed leaf: `path` is dotted (`residual.confidentiality.likelihood`); a value absent
/// on one side is `null` there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldChange {
    pub path: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed];
    pub fn danish(self) -> &'static str {
        match self {
            ChangeKind::Added => "tilføjet",
            ChangeKind::Removed => "fjernet",
            ChangeKind::Changed => "ændret",
        }
    }
    pub fn english(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

impl crate::model::Worded for ChangeKind {
    fn all() -> &'static [Self] {
        &Self::ALL
    }
    fn danish(self) -> &'static str {
        ChangeKind::danish(self)
    }
    fn english(self) -> &'static str {
        ChangeKind::english(self)
    }
}

/// What happened to one item (or one singleton section, with `id` empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ItemChange {
    /// The collection or section: `risks`, `measures`, `description`, `risk_overrides` …
    pub collection: String,
    /// The item's stable key (`id`, or the `target` of a supplement entry); empty for a section.
    pub id: String,
    /// How a reader knows the item: "R5 Svagt beskyttet login".
    pub label: String,
    pub kind: ChangeKind,
    /// For `Changed`: the fields that differ.
    pub fields: Vec<FieldChange>,
}

/// Field-by-field differences between two serialised values. `root` names the collection
/// of top-level fields that are not in an item collection.
pub fn changes(before: &Value, after: &Value) -> Vec<ItemChange> {
    let mut out = Vec::new();
    let empty = serde_json::Map::new();
    let (b, a) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    for key in keys(b, a) {
        let (bv, av) = (b.get(key).unwrap_or(&Value::Null), a.get(key).unwrap_or(&Value::Null));
        if bv == av {
            continue;
        }
        collect(key, bv, av, &mut out);
    }
    out
}

fn keys<'a>(b: &'a serde_json::Map<String, Value>, a: &'a serde_json::Map<String, Value>) -> BTreeSet<&'a str> {
    b.keys().chain(a.keys()).map(String::as_str).collect()
}

/// `key` holds a collection (array of items), a group of collections (`items`,
/// `additions`), or a section (object of fields).
fn collect(key: &str, before: &Value, after: &Value, out: &mut Vec<ItemChange>) {
    if is_collection(before) && is_collection(after) {
        collection(key, before, after, out);
    } else if is_group(before) && is_group(after) {
        for sub in keys(before.as_object().unwrap(), after.as_object().unwrap()) {
            let (bv, av) = (&before[sub], &after[sub]);
            if bv != av {
                collect(sub, bv, av, out);
            }
        }
    } else {
        let mut fields = Vec::new();
        leaves("", before, after, &mut fields);
        if !fields.is_empty() {
            out.push(ItemChange { collection: key.to_owned(), id: String::new(), label: String::new(), kind: ChangeKind::Changed, fields });
        }
    }
}

/// An array whose elements are all items (an empty array counts: it may gain items).
fn is_collection(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.iter().all(|e| item_key(e).is_some()),
        Value::Null => true,
        _ => false,
    }
}

/// An object all of whose members are collections, e.g. `items` of a base.
fn is_group(v: &Value) -> bool {
    matches!(v, Value::Object(o) if !o.is_empty() && o.values().all(|m| matches!(m, Value::Array(_)) && is_collection(m)))
}

fn item_key(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    ["id", "target", "name", "code"].iter().find_map(|k| match o.get(*k) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// "R5 Svagt beskyttet login", from the item's own fields.
pub fn item_label(v: &Value) -> String {
    let field = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let name = ["title", "name", "country", "signer"].iter().find_map(|k| field(k));
    match (field("reference"), name) {
        (Some(r), Some(n)) => format!("{r} {n}"),
        (Some(r), None) => r.to_owned(),
        (None, Some(n)) => n.to_owned(),
        (None, None) => field("target").or(field("id")).unwrap_or_default().to_owned(),
    }
}

fn collection(key: &str, before: &Value, after: &Value, out: &mut Vec<ItemChange>) {
    let index = |v: &Value| -> BTreeMap<String, Value> {
        v.as_array().into_iter().flatten().filter_map(|e| Some((item_key(e)?, e.clone()))).collect()
    };
    let (b, a) = (index(before), index(after));
    // Report in the order the later state lists its items (reference order), then removals.
    let order: Vec<&String> = after
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| item_key(e).and_then(|k| a.get_key_value(&k).map(|(k, _)| k)))
        .chain(before.as_array().into_iter().flatten().filter_map(|e| item_key(e).and_then(|k| b.get_key_value(&k).map(|(k, _)| k))).filter(|k| !a.contains_key(*k)))
        .collect();
    for id in order {
        let change = match (b.get(id), a.get(id)) {
            (None, Some(new)) => ItemChange { collection: key.into(), id: id.clone(), label: item_label(new), kind: ChangeKind::Added, fields: vec![] },
            (Some(old), None) => ItemChange { collection: key.into(), id: id.clone(), label: item_label(old), kind: ChangeKind::Removed, fields: vec![] },
            (Some(old), Some(new)) if old != new => {
                let mut fields = Vec::new();
                leaves("", old, new, &mut fields);
                ItemChange { collection: key.into(), id: id.clone(), label: item_label(new), kind: ChangeKind::Changed, fields }
            }
            _ => continue,
        };
        out.push(change);
    }
}

fn leaves(path: &str, before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for k in keys(b, a) {
                let (bv, av) = (b.get(k).unwrap_or(&Value::Null), a.get(k).unwrap_or(&Value::Null));
                if bv != av {
                    let p = if path.is_empty() { k.to_owned() } else { format!("{path}.{k}") };
                    leaves(&p, bv, av, out);
                }
            }
        }
        // One side missing a nested record: compare against an empty record, so each field
        // shows (e.g. an override that now sets a residual assessment).
        (Value::Null, Value::Object(_)) => leaves(path, &Value::Object(Default::default()), after, out),
        (Value::Object(_), Value::Null) => leaves(path, before, &Value::Object(Default::default()), out),
        _ if before != after => out.push(FieldChange { path: path.to_owned(), before: before.clone(), after: after.clone() }),
        _ => {}
    }
}

// ---- Comparing two effective DPIAs ----------------------------------------------------------

/// A risk whose level moved, before measures and/or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LevelMove {
    pub id: String,
    pub reference: Reference,
    pub title: String,
    pub inherent: (Option<RiskLevel>, Option<RiskLevel>),
    pub residual: (Option<RiskLevel>, Option<RiskLevel>),
}

/// A risk ↔ measure link, by reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Link {
    pub risk: Reference,
    pub measure: Reference,
}

/// The distribution of risk levels at one point: before and after measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Distribution {
    pub inherent: LevelCounts,
    pub residual: LevelCounts,
}

/// Everything that differs between two states of one DPIA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Comparison {
    pub from: String,
    pub to: String,
    pub changes: Vec<ItemChange>,
    pub moved: Vec<LevelMove>,
    pub distribution: (Distribution, Distribution),
    pub links_added: Vec<Link>,
    pub links_broken: Vec<Link>,
}

impl Comparison {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.links_added.is_empty() && self.links_broken.is_empty()
    }
}

/// Fields of the effective view that say where the view came from, or what is derived from
/// the rest for readers, rather than what the DPIA says; comparing them would only add noise.
const BOOKKEEPING: &[&str] = &["latest_release", "unresolved_targets", "documents", "risk_facts"];

fn comparable(d: &EffectiveDpia) -> Value {
    let mut v = serde_json::to_value(d).expect("the effective DPIA serialises");
    if let Some(o) = v.as_object_mut() {
        for k in BOOKKEEPING {
            o.remove(*k);
        }
    }
    v
}

fn distribution(d: &EffectiveDpia) -> Distribution {
    let (inherent, residual) = d.distribution();
    Distribution { inherent, residual }
}

fn links(d: &EffectiveDpia) -> BTreeSet<Link> {
    let refs: BTreeMap<&crate::model::ItemId, &Reference> = d.items.risks.iter().map(|r| (&r.item.id, &r.item.reference)).collect();
    let refs = &refs;
    d.items
        .measures
        .iter()
        .filter(|m| m.applies())
        .flat_map(|m| {
            m.item.mitigates.iter().map(move |risk| Link {
                risk: refs.get(risk).map(|r| (*r).clone()).unwrap_or_else(|| Reference(risk.to_string())),
                measure: m.item.reference.clone(),
            })
        })
        .collect()
}

/// Compares two states of one DPIA (`from` → `to`), labelled for the reader.
pub fn compare(from_label: &str, from: &EffectiveDpia, to_label: &str, to: &EffectiveDpia) -> Comparison {
    let before: BTreeMap<&crate::model::ItemId, _> = from.items.risks.iter().filter(|e| e.applies()).map(|e| (&e.item.id, e)).collect();
    let moved = to
        .items
        .risks
        .iter()
        .filter(|e| e.applies())
        .filter_map(|e| {
            let old = before.get(&e.item.id)?;
            let inherent = (old.item.inherent.level(), e.item.inherent.level());
            let residual = (old.item.residual.level(), e.item.residual.level());
            (inherent.0 != inherent.1 || residual.0 != residual.1).then(|| LevelMove {
                id: e.item.id.to_string(),
                reference: e.item.reference.clone(),
                title: e.item.title.clone(),
                inherent,
                residual,
            })
        })
        .collect();
    let (lb, la) = (links(from), links(to));
    Comparison {
        from: from_label.to_owned(),
        to: to_label.to_owned(),
        changes: changes(&comparable(from), &comparable(to)),
        moved,
        distribution: (distribution(from), distribution(to)),
        links_added: la.difference(&lb).cloned().collect(),
        links_broken: lb.difference(&la).cloned().collect(),
    }
}

// ---- Text -----------------------------------------------------------------------------------

/// The reader's name for a collection or section of the model (singular), in Danish or English.
pub fn collection_label(key: &str, en: bool) -> String {
    crate::model::catalogue::label(key, en)
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => "—".to_owned(),
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(short).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    };
    const MAX: usize = 90;
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s
    }
}

fn counts(c: &LevelCounts) -> String {
    format!("{}/{}/{}", c.low, c.medium, c.high)
}

fn level(l: Option<RiskLevel>, en: bool) -> &'static str {
    match l {
        None => "—",
        Some(l) if en => l.english(),
        Some(l) => l.danish(),
    }
}

/// For a changed text, the part that changed with a little context on each side, so a
/// reader sees the edit and not the first 90 letters of two long paragraphs.
fn excerpts(before: &str, after: &str) -> (String, String) {
    const CONTEXT: usize = 30;
    let (b, a): (Vec<char>, Vec<char>) = (before.chars().collect(), after.chars().collect());
    let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let suffix = b[prefix..].iter().rev().zip(a[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let cut = |s: &[char]| {
        let start = prefix.saturating_sub(CONTEXT);
        let end = (s.len() - suffix + CONTEXT).min(s.len());
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.extend(&s[start..end]);
        if end < s.len() {
            out.push('…');
        }
        out
    };
    (cut(&b), cut(&a))
}

/// One line per item change with its fields indented, for the CLI and the log.
pub fn render_changes(changes: &[ItemChange], en: bool, out: &mut String) {
    use std::fmt::Write;
    for c in changes {
        let what = if en { c.kind.english() } else { c.kind.danish() };
        let label = if c.label.is_empty() { String::new() } else { format!(" {}", c.label) };
        let _ = writeln!(out, "  {what}: {}{label}", collection_label(&c.collection, en));
        for f in &c.fields {
            let path = if f.path.is_empty() { String::new() } else { format!("{}: ", f.path) };
            let (before, after) = match (&f.before, &f.after) {
                (Value::String(b), Value::String(a)) if b.chars().count() > 90 || a.chars().count() > 90 => {
                    let (b, a) = excerpts(b, a);
                    (short(&Value::String(b)), short(&Value::String(a)))
                }
                (b, a) => (short(b), short(a)),
            };
            let _ = writeln!(out, "      {path}{before} → {after}");
        }
    }
}

/// The comparison as readable text (Danish, or English with `en`).
pub fn render(c: &Comparison, en: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let t = |da: &'static str, eng: &'static str| if en { eng } else { da };
    let _ = writeln!(out, "{} {} → {}", t("Sammenligning", "Comparison"), c.from, c.to);
    let (a, b) = &c.distribution;
    let _ = writeln!(
        out,
        "{} {} → {}   {} {} → {}   ({})",
        t("Før foranstaltninger", "Before measures"),
        counts(&a.inherent),
        counts(&b.inherent),
        t("efter", "after"),
        counts(&a.residual),
        counts(&b.residual),
        t("lav/mellem/høj", "low/medium/high")
    );
    if !c.moved.is_empty() {
        let _ = writeln!(out, "\n{}", t("Risici der har skiftet niveau:", "Risks that changed level:"));
        for m in &c.moved {
            let _ = writeln!(
                out,
                "  {} {}: {} {} → {}, {} {} → {}",
                m.reference,
                m.title,
                t("før", "before"),
                level(m.inherent.0, en),
                level(m.inherent.1, en),
                t("efter", "after"),
                level(m.residual.0, en),
                level(m.residual.1, en)
            );
        }
    }
    for (links, head) in [(&c.links_added, t("Nye forbindelser risiko ↔ foranstaltning:", "Links made:")), (&c.links_broken, t("Afbrudte forbindelser:", "Links broken:"))] {
        if !links.is_empty() {
            let _ = writeln!(out, "\n{head}");
            for l in links {
                let _ = writeln!(out, "  {} ↔ {}", l.risk, l.measure);
            }
        }
    }
    let _ = writeln!(out, "\n{} ({})", t("Ændringer", "Changes"), c.changes.len());
    if c.changes.is_empty() {
        let _ = writeln!(out, "  {}", t("ingen", "none"));
    }
    render_changes(&c.changes, en, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_are_matched_by_id_not_position() {
        let before = json!({ "risks": [ {"id": "a", "reference": "R1", "title": "A", "x": 1}, {"id": "b", "reference": "R2", "title": "B", "x": 1} ] });
        let after = json!({ "risks": [ {"id": "b", "reference": "R2", "title": "B", "x": 2}, {"id": "c", "reference": "R3", "title": "C", "x": 1} ] });
        let c = changes(&before, &after);
        let kinds: Vec<(&str, ChangeKind)> = c.iter().map(|c| (c.id.as_str(), c.kind)).collect();
        assert_eq!(kinds, [("b", ChangeKind::Changed), ("c", ChangeKind::Added), ("a", ChangeKind::Removed)]);
        assert_eq!(c[0].label, "R2 B");
        assert_eq!(c[0].fields, vec![FieldChange { path: "x".into(), before: json!(1), after: json!(2) }]);
    }

    #[test]
    fn nested_fields_and_sections_get_dotted_paths() {
        let before = json!({ "description": {"summary": "a", "new_technology": false}, "items": { "risks": [ {"id": "a", "residual": {"confidentiality": {"likelihood": "likely"}}} ] } });
        let after = json!({ "description": {"summary": "b", "new_technology": false}, "items": { "risks": [ {"id": "a", "residual": {"confidentiality": {"likelihood": "unlikely"}}} ] } });
        let c = changes(&before, &after);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].collection.as_str(), c[0].fields[0].path.as_str()), ("description", "summary"));
        assert_eq!((c[1].collection.as_str(), c[1].fields[0].path.as_str()), ("risks", "residual.confidentiality.likelihood"));
    }

    #[test]
    fn a_long_text_shows_where_it_changed() {
        let before = "Aula er den fælles platform for folkeskolen og dagtilbud, og den bruges af alle kommuner i landet hver dag.";
        let after = format!("{before} Udvidet til fritidsordninger.");
        let (b, a) = excerpts(before, &after);
        assert!(a.contains("Udvidet til fritidsordninger.") && a.starts_with('…'), "{a}");
        assert!(b.ends_with("hver dag.") && !b.contains("Udvidet"), "{b}");
    }

    #[test]
    fn equal_values_have_no_changes() {
        let v = json!({ "risks": [ {"id": "a"} ], "meta": {"title": "x"} });
        assert!(changes(&v, &v).is_empty());
    }

    /// What the effective DPIA derives for readers (levels, linked measures, documents)
    /// moves with the ratings; a comparison names the rating only.
    #[test]
    fn derived_fields_are_not_changes() {
        use crate::effective::EffectiveDpia;
        use crate::model::*;
        let (coordination, base, supplements) = crate::sample::aula();
        let kbh = &supplements[0];
        let p = coordination.participants.iter().find(|p| p.code == kbh.meta.org).unwrap();
        let from = EffectiveDpia::compute(&coordination, &base, kbh, p);
        let mut changed = base.clone();
        let risk = &mut changed.items.risks[0];
        risk.residual.confidentiality.likelihood = Some(if risk.residual.confidentiality.likelihood == Some(Likelihood::Expected) { Likelihood::Unlikely } else { Likelihood::Expected });
        let to = EffectiveDpia::compute(&coordination, &changed, kbh, p);
        assert_ne!(from.risk_facts, to.risk_facts, "the derived levels moved");
        let c = compare("før", &from, "efter", &to);
        let what: Vec<(&str, &str)> = c.changes.iter().map(|c| (c.collection.as_str(), c.id.as_str())).collect();
        assert_eq!(what, [("risks", base.items.risks[0].id.as_str())]);
    }
}
