//! The catalogue: every kind of item declared once — its type, its collection (the root map in
//! a document and the field in `Items`), its reference letters, its Danish and English names,
//! the documents it may live in and the app view that shows it.
//!
//! Everything that lists the kinds is generated from [`item_catalogue!`]: `Items` and
//! `EffectiveItems`, the document layer's `Item`/`SharedItem` impls and root maps,
//! `AnyItem`/`ItemKind`, the effective DPIA's merge, the comparison's labels and — through
//! [`kinds`] and [`Worded`] — the app's generated `ui/src/catalogue.ts`. Adding a kind is one
//! entry here plus its own type, fields (`doc/schema.rs`) and rules. The same way
//! rust-analyzer generates its syntax kinds from one grammar.

use super::ids::{ItemId, Reference};
use super::scale::{Consequence, Likelihood, RiskLevel};
use serde::Serialize;

/// Calls `$callback! { shared { … } supplement { … } coordination { … } }` with the whole
/// catalogue. A consumer matches the groups it needs and passes over the rest with `$($rest:tt)*`.
///
/// - `shared`: kinds the base and every supplement hold (a supplement adds them locally); each
///   has an `id` and a short `reference`. `Type => collection, "LETTERS", view, "id slug", "da" / "en";`
/// - `supplement`: kinds only a supplement holds. `Type => collection, key |item| …, view, "id slug", "da" / "en";`
/// - `coordination`: kinds of the coordination document. `Type => collection, key |item| …, view, "da" / "en";`
#[macro_export]
macro_rules! item_catalogue {
    ($callback:ident) => {
        $callback! {
            shared {
                Process => processes, "DP", Description, "process", "databehandlingsproces" / "data process";
                Module => modules, "MOD", Description, "module", "modul" / "module";
                Purpose => purposes, "F", Necessity, "purpose", "formål" / "purpose";
                DataCategory => data_categories, "D", Description, "data", "kategori af oplysninger" / "data category";
                SubjectCategory => subject_categories, "REG", Description, "subjects", "kategori af registrerede" / "data-subject category";
                Source => sources, "K", Description, "source", "kilde" / "source";
                Recipient => recipients, "MT", Description, "recipient", "modtager" / "recipient";
                Transfer => transfers, "TL", Description, "transfer", "overførsel til tredjeland" / "third-country transfer";
                Processor => processors, "DB", Description, "processor", "databehandler" / "processor";
                DocumentType => document_types, "DT", Description, "doctype", "dokumenttype" / "document type";
                System => systems, "SYS", Description, "system", "system" / "system";
                Risk => risks, "R", Risks, "risk", "risiko" / "risk";
                Measure => measures, "M", Measures, "measure", "foranstaltning" / "measure";
                Evidence => evidence, "EV", Measures, "evidence", "dokumentation" / "evidence";
                DpoAdvice => dpo_advice, "DPO", Governance, "dpo", "DPO-rådgivning" / "DPO advice";
                Review => reviews, "RV", Governance, "review", "revision" / "review";
                UseChange => use_changes, "ÆN", Governance, "change", "ændring i brugen" / "change in use";
                SubjectView => subject_views, "SYN", Governance, "views", "de registreredes synspunkter" / "views of data subjects";
                SupplierSheet => supplier_sheets, "ARK", Risks, "sheet", "importeret leverandørark" / "imported supplier sheet";
            }
            supplement {
                Signatory => signatories, key |s: &Signatory| s.id.0.clone(), Supplement, "signatory", "underskriver" / "signatory";
                Signing => signings, key |s: &Signing| s.id.0.clone(), Supplement, "signing", "underskrift" / "signing";
                RiskOverride => risk_overrides, key |o: &RiskOverride| o.target.0.clone(), Supplement, "local", "lokal risikovurdering" / "local risk rating";
                LocalMeasureStatus => measure_statuses, key |s: &LocalMeasureStatus| s.target.0.clone(), Supplement, "local", "lokal status for foranstaltning" / "local measure status";
                NotApplicable => not_applicable, key |n: &NotApplicable| n.target.0.clone(), Supplement, "local", "markering som ikke relevant her" / "not-applicable marking";
                LocalSubjectCount => subject_counts, key |c: &LocalSubjectCount| c.target.0.clone(), Supplement, "local", "lokalt antal registrerede" / "local subject count";
            }
            coordination {
                // by code, or by name for a participant without one
                Participant => participants, key |p: &Participant| p.code.map(|c| c.to_string()).unwrap_or_else(|| p.name.clone()), Coordinator, "deltager" / "participant";
                // a release name is published once
                Release => releases, key |r: &Release| r.name.clone(), Versions, "udgivelse" / "release";
            }
        }
    };
}

/// Which documents a kind may live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Home {
    /// The base, and every supplement (as a local addition).
    Shared,
    Supplement,
    Coordination,
}

/// The app view that shows a kind (the UI's `ViewId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Description,
    Necessity,
    Risks,
    Measures,
    Governance,
    Supplement,
    Coordinator,
    Versions,
}

/// One kind of item as the catalogue declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The Rust type's name, e.g. `DataCategory`; `ItemKind` names it in snake case.
    pub type_name: &'static str,
    pub collection: &'static str,
    /// Letters of the short reference (R for R7, KBH-R2); empty for kinds without one.
    pub letters: &'static str,
    pub danish: &'static str,
    pub english: &'static str,
    pub home: Home,
    pub view: View,
    /// First part of a new item's id.
    pub slug: &'static str,
}

impl Kind {
    /// The snake-case name `ItemKind` serialises as (`data_category`).
    pub fn kind_name(&self) -> String {
        snake_case(self.type_name)
    }
}

/// A Rust type name in snake case, as serde's `rename_all = "snake_case"` writes a variant:
/// `DataCategory` → `data_category`, `Art6Basis` → `art6_basis`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

macro_rules! kinds_table {
    (
        shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ }
        supplement { $($l:ident => $lc:ident, key $lk:expr, $lv:ident, $ls:literal, $lda:literal / $len:literal;)+ }
        coordination { $($c:ident => $cc:ident, key $ck:expr, $cv:ident, $cda:literal / $cen:literal;)+ }
    ) => {
        /// Every kind, in the catalogue's order.
        pub const KINDS: &[Kind] = &[
            $(Kind { type_name: stringify!($s), collection: stringify!($sc), letters: $sl, danish: $sda, english: $sen, home: Home::Shared, view: View::$sv, slug: $ss },)+
            $(Kind { type_name: stringify!($l), collection: stringify!($lc), letters: "", danish: $lda, english: $len, home: Home::Supplement, view: View::$lv, slug: $ls },)+
            $(Kind { type_name: stringify!($c), collection: stringify!($cc), letters: "", danish: $cda, english: $cen, home: Home::Coordination, view: View::$cv, slug: "" },)+
        ];
    };
}
item_catalogue!(kinds_table);

/// The kind whose collection (root map) is `collection`.
pub fn kind_of_collection(collection: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.collection == collection)
}

/// The other parts of a DPIA a comparison names (sections and fields), with the reader's
/// Danish and English names: key, Danish, English.
pub const PARTS: &[(&str, &str, &str)] = &[
    ("meta", "oplysninger om analysen", "metadata"),
    ("base", "oplysninger om analysen", "metadata"),
    ("description", "systematisk beskrivelse", "systematic description"),
    ("wp248", "WP248-screening", "WP248 screening"),
    ("prior_consultation", "forudgående høring (art. 36)", "prior consultation (Art. 36)"),
    ("review_plan", "revisionsplan", "review plan"),
    ("conditions", "betingelser for fælles analyse", "joint-DPIA conditions"),
    ("coordinator", "koordinator", "coordinator"),
    ("base_write_policy", "hvem skriver fælles basis", "who writes the base"),
    ("base_release", "udgivelse, tillægget er vurderet mod", "release the supplement was assessed against"),
    ("release", "udgivelse, analysen bygger på", "release the DPIA builds on"),
    ("release_problem", "hvorfor udgivelsen ikke kunne bruges", "why the release could not be used"),
];

/// The reader's name of a collection or another part of the model (Danish, or English with
/// `en`); an unknown key is shown with spaces for underscores.
pub fn label(key: &str, en: bool) -> String {
    let found = kind_of_collection(key)
        .map(|k| (k.danish, k.english))
        .or_else(|| PARTS.iter().find(|(k, _, _)| *k == key).map(|(_, da, eng)| (*da, *eng)));
    match found {
        Some((da, eng)) => (if en { eng } else { da }).to_owned(),
        None => key.replace('_', " "),
    }
}

/// A shared kind's identity: its id and its short reference.
pub trait Catalogued {
    const COLLECTION: &'static str;
    const LETTERS: &'static str;
    fn identity(&self) -> (&ItemId, &Reference);
}

macro_rules! catalogued {
    (shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ } $($others:tt)*) => {$(
        impl Catalogued for super::items::$s {
            const COLLECTION: &'static str = stringify!($sc);
            const LETTERS: &'static str = $sl;
            fn identity(&self) -> (&ItemId, &Reference) {
                (&self.id, &self.reference)
            }
        }
    )+};
}
item_catalogue!(catalogued);

/// A closed set of values with a Danish and an English word each, in their order (the app
/// gets the words generated from these: `ui/src/catalogue.ts`).
pub trait Worded: Sized + Copy + Serialize + 'static {
    fn all() -> &'static [Self];
    fn danish(self) -> &'static str;
    fn english(self) -> &'static str;
    /// The value's name in JSON (serde's).
    fn key(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            other => unreachable!("a worded value serialises as a string, not {other:?}"),
        }
    }
}

macro_rules! worded_scale {
    ($($t:ty),+) => {$(
        impl Worded for $t {
            fn all() -> &'static [Self] { &<$t>::ALL }
            fn danish(self) -> &'static str { <$t>::danish(self) }
            fn english(self) -> &'static str { <$t>::english(self) }
        }
    )+};
}
worded_scale!(Consequence, Likelihood, RiskLevel);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::ItemKind;
    use std::collections::BTreeSet;

    #[test]
    fn collections_letters_and_names_are_unique() {
        let collections: BTreeSet<_> = KINDS.iter().map(|k| k.collection).collect();
        assert_eq!(collections.len(), KINDS.len());
        let letters: Vec<_> = KINDS.iter().map(|k| k.letters).filter(|l| !l.is_empty()).collect();
        assert_eq!(letters.iter().collect::<BTreeSet<_>>().len(), letters.len(), "{letters:?}");
        // One letter set must not be another's with a number in between (R vs RV is fine:
        // a reference is letters then digits).
        assert!(KINDS.iter().filter(|k| k.home == Home::Shared).all(|k| !k.letters.is_empty()));
        let danish: BTreeSet<_> = KINDS.iter().map(|k| k.danish).collect();
        assert_eq!(danish.len(), KINDS.len(), "two kinds read the same in Danish");
    }

    #[test]
    fn kind_names_are_what_item_kind_serialises() {
        let mut named = 0;
        for k in KINDS.iter().filter(|k| k.home != Home::Coordination) {
            let kind: ItemKind = serde_json::from_value(serde_json::Value::String(k.kind_name())).unwrap_or_else(|e| panic!("{}: {e}", k.type_name));
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::String(k.kind_name()));
            named += 1;
        }
        assert_eq!(named, KINDS.iter().filter(|k| k.home != Home::Coordination).count());
        assert!(serde_json::from_value::<ItemKind>(serde_json::Value::String("release".into())).is_err(), "releases are not edited as items");
    }

    #[test]
    fn labels_come_from_the_catalogue_and_the_parts() {
        assert_eq!(label("risks", false), "risiko");
        assert_eq!(label("risk_overrides", true), "local risk rating");
        assert_eq!(label("review_plan", false), "revisionsplan");
        assert_eq!(label("some_field", true), "some field");
    }

    #[test]
    fn worded_keys_are_the_json_names() {
        assert_eq!(Consequence::VerySerious.key(), "very_serious");
        assert_eq!(<Likelihood as Worded>::all().len(), 4);
        assert_eq!(RiskLevel::High.key(), "high");
    }
}
