//! Typed edits by value, for callers that cannot hold an [`Edit`] (the desktop app's
//! commands arrive as JSON): every kind of item and section as one enum each, and the
//! workspace operations on them. Each operation is one durable transaction.

use crate::doc::{DocError, DocKey, Edit, Item};
use crate::model::*;
use crate::workspace::{Author, Workspace, WorkspaceError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! any_item {
    (
        shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ }
        supplement { $($l:ident => $lc:ident, key $lk:expr, $lv:ident, $ls:literal, $lda:literal / $len:literal;)+ }
        $($coordination:tt)*
    ) => { any_item!(@ $($s($s) $ss,)+ $($l($l) $ls,)+); };
    (@ $($variant:ident($t:ty) $slug:literal,)+) => {
        /// One item of any kind, by value.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(tag = "kind", content = "item", rename_all = "snake_case")]
        pub enum AnyItem { $($variant($t)),+ }

        /// The kinds of item.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ItemKind { $($variant),+ }

        impl AnyItem {
            pub fn kind(&self) -> ItemKind {
                match self { $(AnyItem::$variant(_) => ItemKind::$variant),+ }
            }
            fn put(&self, e: &mut Edit<'_>) -> Result<(), DocError> {
                match self { $(AnyItem::$variant(item) => e.put(item)),+ }
            }
        }

        impl ItemKind {
            fn remove(self, e: &mut Edit<'_>, id: &ItemId) -> Result<bool, DocError> {
                match self { $(ItemKind::$variant => e.remove::<$t>(id)),+ }
            }
            fn get(self, e: &Edit<'_>, id: &ItemId) -> Result<Option<AnyItem>, DocError> {
                match self { $(ItemKind::$variant => Ok(e.get::<$t>(id)?.map(AnyItem::$variant))),+ }
            }
            /// A new, empty item with `id` and the next free reference under `prefix`;
            /// `None` for kinds that are keyed by the base item they concern.
            fn fresh(self, e: &Edit<'_>, id: ItemId, prefix: &str) -> Result<Option<AnyItem>, DocError> {
                match self {
                    $(ItemKind::$variant => Ok(<$t>::fresh(e, id, prefix)?.map(AnyItem::$variant)),)+
                }
            }
            pub fn name(self) -> &'static str {
                match self { $(ItemKind::$variant => <$t as Item>::NAME),+ }
            }
            /// First part of a new item's id.
            fn slug(self) -> &'static str {
                match self { $(ItemKind::$variant => $slug),+ }
            }
            /// Changes only the fields named in `patch` (JSON merge patch, RFC 7386) of the
            /// stored item, so a caller holding an older copy of the item cannot overwrite
            /// what others changed meanwhile (text typed in another field, say).
            fn patch(self, e: &mut Edit<'_>, id: &ItemId, patch: &serde_json::Value) -> Result<(), DocError> {
                match self {
                    $(ItemKind::$variant => {
                        let current: $t = e.get::<$t>(id)?.ok_or_else(|| DocError::NotFound { kind: <$t as Item>::NAME, id: id.to_string(), doc: e.key().name() })?;
                        let patched: $t = merged(&current, patch, <$t as Item>::NAME)?;
                        if Item::key(&patched) != Item::key(&current) {
                            return Err(DocError::IdChanged { kind: <$t as Item>::NAME, id: id.to_string() });
                        }
                        e.put(&patched)
                    })+
                }
            }
        }
    };
}

crate::item_catalogue!(any_item);

/// `current` with `patch` merged in (RFC 7386: objects merge, anything else replaces, null
/// clears), read back as the model type so a wrong shape is refused with its path.
fn merged<T: Serialize + serde::de::DeserializeOwned>(current: &T, patch: &serde_json::Value, what: &str) -> Result<T, DocError> {
    fn merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
        match (target, patch) {
            (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
                for (k, v) in p {
                    if v.is_null() {
                        t.insert(k.clone(), serde_json::Value::Null);
                    } else {
                        merge(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                    }
                }
            }
            (t, p) => *t = p.clone(),
        }
    }
    let mut value = serde_json::to_value(current).expect("the model serialises");
    merge(&mut value, patch);
    serde_path_to_error::deserialize(value).map_err(|e| DocError::BadValue { what: what.to_string(), path: e.path().to_string(), message: e.inner().to_string() })
}

/// How a new, empty item of a kind is made: shared kinds get `id` and the next free
/// reference under `prefix`; the others are keyed by the base item they concern, or made
/// with content, and are not created empty.
trait Fresh: Sized {
    fn fresh(_e: &Edit<'_>, _id: ItemId, _prefix: &str) -> Result<Option<Self>, DocError> {
        Ok(None)
    }
}

macro_rules! fresh {
    (
        shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ }
        supplement { $($l:ident => $lc:ident, key $lk:expr, $lv:ident, $ls:literal, $lda:literal / $len:literal;)+ }
        $($coordination:tt)*
    ) => {
        $(impl Fresh for $s {
            fn fresh(e: &Edit<'_>, id: ItemId, prefix: &str) -> Result<Option<Self>, DocError> {
                let reference = e.next_reference::<$s>(prefix)?;
                Ok(Some(Self { id, reference, ..Self::default() }))
            }
        })+
        $(impl Fresh for $l {})+
    };
}
crate::item_catalogue!(fresh);

/// One singleton section of a document, by value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "section", content = "value", rename_all = "snake_case")]
pub enum AnySection {
    BaseMeta(BaseMeta),
    Description(Description),
    Wp248(Wp248),
    PriorConsultation(PriorConsultation),
    ReviewPlan(ReviewPlan),
    SupplementMeta(SupplementMeta),
    JointConditions(JointConditions),
}

/// The names of the sections, for patching one by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    BaseMeta,
    Description,
    Wp248,
    PriorConsultation,
    ReviewPlan,
    SupplementMeta,
    JointConditions,
}

impl SectionKind {
    fn patch(self, e: &mut Edit<'_>, patch: &serde_json::Value) -> Result<(), DocError> {
        macro_rules! patch {
            ($t:ty, $name:literal) => {{
                let current: $t = e.section()?;
                e.set(&merged(&current, patch, $name)?)
            }};
        }
        match self {
            SectionKind::BaseMeta => patch!(BaseMeta, "metadata"),
            SectionKind::Description => patch!(Description, "description"),
            SectionKind::Wp248 => patch!(Wp248, "WP248 screening"),
            SectionKind::PriorConsultation => patch!(PriorConsultation, "prior consultation"),
            SectionKind::ReviewPlan => patch!(ReviewPlan, "review plan"),
            SectionKind::SupplementMeta => patch!(SupplementMeta, "supplement metadata"),
            SectionKind::JointConditions => patch!(JointConditions, "joint conditions"),
        }
    }
}

impl AnySection {
    fn set(&self, e: &mut Edit<'_>) -> Result<(), DocError> {
        match self {
            AnySection::BaseMeta(s) => e.set(s),
            AnySection::Description(s) => e.set(s),
            AnySection::Wp248(s) => e.set(s),
            AnySection::PriorConsultation(s) => e.set(s),
            AnySection::ReviewPlan(s) => e.set(s),
            AnySection::SupplementMeta(s) => e.set(s),
            AnySection::JointConditions(s) => e.set(s),
        }
    }
}

impl Workspace {
    /// Writes an item (new, or the fields that differ from the stored one).
    pub fn put_item(&mut self, key: DocKey, item: &AnyItem, author: &Author) -> Result<(), WorkspaceError> {
        self.edit(key, author, |e| item.put(e))
    }

    /// Removes an item; whether it was there.
    pub fn remove_item(&mut self, key: DocKey, kind: ItemKind, id: &ItemId, author: &Author) -> Result<bool, WorkspaceError> {
        self.edit(key, author, |e| kind.remove(e, id))
    }

    pub fn set_section(&mut self, key: DocKey, section: &AnySection, author: &Author) -> Result<(), WorkspaceError> {
        self.edit(key, author, |e| section.set(e))
    }

    /// Changes only the fields of an item named in `patch` (a JSON merge patch).
    pub fn patch_item(&mut self, key: DocKey, kind: ItemKind, id: &ItemId, patch: &serde_json::Value, author: &Author) -> Result<(), WorkspaceError> {
        self.edit(key, author, |e| kind.patch(e, id, patch))
    }

    /// Changes only the fields of a section named in `patch` (a JSON merge patch).
    pub fn patch_section(&mut self, key: DocKey, section: SectionKind, patch: &serde_json::Value, author: &Author) -> Result<(), WorkspaceError> {
        self.edit(key, author, |e| section.patch(e, patch))
    }

    /// Creates an empty item of `kind` with a fresh id and the next reference (in a
    /// supplement prefixed with the municipality's letters, e.g. KBH-R3), durably.
    pub fn new_item(&mut self, key: DocKey, kind: ItemKind, author: &Author) -> Result<AnyItem, WorkspaceError> {
        let prefix = match key {
            DocKey::Supplement(code) => format!("{}-", self.participant(code)?.ref_prefix),
            _ => String::new(),
        };
        let id = self.new_id(kind.slug());
        self.edit(key, author, |e| {
            let item = kind.fresh(e, id, &prefix)?.ok_or_else(|| {
                DocError::NotCreatedEmpty { kind: kind.name() }
            })?;
            item.put(e)?;
            Ok(item)
        })
    }

    /// Links (or unlinks) a measure and a risk: the measure in document `key` then
    /// mitigates the risk (which may be in the base while the measure is local).
    pub fn link(&mut self, key: DocKey, measure: &ItemId, risk: &ItemId, linked: bool, author: &Author) -> Result<(), WorkspaceError> {
        self.edit(key, author, |e| {
            e.update::<Measure>(measure, |m| {
                if linked {
                    m.mitigates.insert(risk.clone());
                } else {
                    m.mitigates.remove(risk);
                }
            })
        })
    }

    /// The item of `kind` with `id` in document `key`, if there.
    pub fn item(&mut self, key: DocKey, kind: ItemKind, id: &ItemId) -> Result<Option<AnyItem>, WorkspaceError> {
        let doc = self.doc(key)?;
        let (found, _) = doc.edit(|e| kind.get(e, id)).map_err(|source| WorkspaceError::Doc { doc: key.name(), source })?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn new_items_get_the_next_reference_in_their_document() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::create_demo(&dir.path().join("w.konsekvens"), Arc::new(crate::FixedEnv::new(0, 1))).unwrap();
        let author = Author::new("dpo", Some(OrgCode(101)));
        let AnyItem::Risk(base) = ws.new_item(DocKey::Base, ItemKind::Risk, &author).unwrap() else { panic!() };
        assert_eq!(base.reference.as_str(), "R13");
        let AnyItem::Risk(local) = ws.new_item(DocKey::Supplement(OrgCode(101)), ItemKind::Risk, &author).unwrap() else { panic!() };
        assert_eq!(local.reference.as_str(), "KBH-R2");
        let AnyItem::Measure(m) = ws.new_item(DocKey::Supplement(OrgCode(101)), ItemKind::Measure, &author).unwrap() else { panic!() };
        ws.link(DocKey::Supplement(OrgCode(101)), &m.id, &base.id, true, &author).unwrap();
        let kbh = ws.view().effective(OrgCode(101)).unwrap();
        assert!(kbh.items.measures.iter().any(|e| e.item.id == m.id && e.item.mitigates.contains(&base.id)));
        assert!(ws.new_item(DocKey::Supplement(OrgCode(101)), ItemKind::RiskOverride, &author).is_err());
        assert!(matches!(ws.new_item(DocKey::Base, ItemKind::NotApplicable, &author), Err(WorkspaceError::Doc { .. })));

        // Put by value, then remove.
        let mut edited = base.clone();
        edited.title = "Ny risiko".into();
        ws.put_item(DocKey::Base, &AnyItem::Risk(edited), &author).unwrap();
        assert_eq!(ws.item(DocKey::Base, ItemKind::Risk, &base.id).unwrap(), Some(AnyItem::Risk(Risk { title: "Ny risiko".into(), ..base.clone() })));
        assert!(ws.remove_item(DocKey::Base, ItemKind::Risk, &base.id, &author).unwrap());
        // A supplement-only item cannot go into the base.
        let na = AnyItem::NotApplicable(NotApplicable { target: base.id.clone(), justification: "x".into() });
        assert!(ws.put_item(DocKey::Base, &na, &author).is_err());
        // A patch changes only what it names; a wrong shape is refused with its path.
        let AnyItem::Risk(r) = ws.new_item(DocKey::Base, ItemKind::Risk, &author).unwrap() else { panic!() };
        ws.patch_item(DocKey::Base, ItemKind::Risk, &r.id, &serde_json::json!({ "title": "Ny", "residual": { "integrity": { "likelihood": "likely" } } }), &author).unwrap();
        ws.patch_item(DocKey::Base, ItemKind::Risk, &r.id, &serde_json::json!({ "threat": "Trussel" }), &author).unwrap();
        let Some(AnyItem::Risk(now)) = ws.item(DocKey::Base, ItemKind::Risk, &r.id).unwrap() else { panic!() };
        assert_eq!((now.title.as_str(), now.threat.as_str()), ("Ny", "Trussel"));
        assert_eq!(now.residual.integrity.likelihood, Some(Likelihood::Likely));
        ws.patch_item(DocKey::Base, ItemKind::Risk, &r.id, &serde_json::json!({ "residual": { "integrity": { "likelihood": null } } }), &author).unwrap();
        let Some(AnyItem::Risk(now)) = ws.item(DocKey::Base, ItemKind::Risk, &r.id).unwrap() else { panic!() };
        assert_eq!(now.residual.integrity.likelihood, None);
        let err = ws.patch_item(DocKey::Base, ItemKind::Risk, &r.id, &serde_json::json!({ "residual": { "integrity": { "likelihood": "often" } } }), &author).unwrap_err();
        assert!(err.to_string().contains("residual.integrity.likelihood"), "{err}");
        assert!(ws.patch_item(DocKey::Base, ItemKind::Risk, &r.id, &serde_json::json!({ "id": "other" }), &author).is_err());
        ws.patch_section(DocKey::Base, SectionKind::Description, &serde_json::json!({ "new_technology": true }), &author).unwrap();
        assert_eq!(ws.base().unwrap().description.new_technology, Some(true));
        assert!(!ws.base().unwrap().description.summary.is_blank(), "the rest of the section is kept");

        // JSON shape the app sends.
        let json = serde_json::to_value(AnyItem::Risk(Risk::default())).unwrap();
        assert_eq!(json["kind"], "risk");
    }
}
