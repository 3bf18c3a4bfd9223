//! How one Rust value is stored in a Yrs map entry. This is the only place that knows the
//! shapes inside the CRDT: prose is a Y.Text (edited in place, so concurrent typing merges),
//! sets are Y.Maps of `key → true` (so concurrent link/unlink merges), nested records are
//! Y.Maps (so concurrent edits of different fields merge), and everything else is an atomic
//! value where the last writer wins.

use super::DocError;
use crate::model::Prose;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use yrs::{Any, GetString, Map, MapPrelim, MapRef, Out, ReadTxn, Text, TextPrelim, TextRef, TransactionMut};

/// A value that can live under a key of a Yrs map.
pub trait Field: Sized {
    /// Writes `self` under `key`, changing only what differs from what is there.
    fn put(&self, map: &MapRef, txn: &mut TransactionMut, key: &str);
    /// Reads the value under `key`; a missing key reads as the empty value.
    fn take<T: ReadTxn>(map: &MapRef, txn: &T, key: &str) -> Result<Self, DocError>;
}

/// A struct stored as the entries of one Yrs map.
pub trait Record: Sized {
    fn write(&self, map: &MapRef, txn: &mut TransactionMut);
    fn read<T: ReadTxn>(map: &MapRef, txn: &T) -> Result<Self, DocError>;
}

pub(crate) fn shape_error(key: &str, expected: &str, found: &Out) -> DocError {
    let found = match found {
        Out::Any(a) => format!("the value {a}"),
        Out::YText(_) => "a text".into(),
        Out::YMap(_) => "a map".into(),
        Out::YArray(_) => "an array".into(),
        _ => "another shared type".into(),
    };
    DocError::Shape { path: key.to_owned(), expected: expected.to_owned(), found }
}

/// Returns the nested map under `key`, creating it if absent or of another type.
pub(crate) fn nested_map(map: &MapRef, txn: &mut TransactionMut, key: &str) -> MapRef {
    match map.get(txn, key) {
        Some(Out::YMap(m)) => m,
        _ => map.insert(txn, key, MapPrelim::default()),
    }
}

pub(crate) fn read_nested<R: Record + Default, T: ReadTxn>(
    map: &MapRef,
    txn: &T,
    key: &str,
) -> Result<Option<R>, DocError> {
    match map.get(txn, key) {
        None | Some(Out::Any(Any::Null)) => Ok(None),
        Some(Out::YMap(m)) => R::read(&m, txn).map(Some).map_err(|e| e.within(key)),
        Some(other) => Err(shape_error(key, "a map", &other)),
    }
}

// ---- Prose --------------------------------------------------------------------------------

/// Length of `s` in UTF-16 code units: documents count positions as Yjs does.
fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// Replaces the text's content by `new`, touching only the changed middle, so that a
/// concurrent edit elsewhere in the same text survives the merge.
pub(crate) fn set_text(text: &TextRef, txn: &mut TransactionMut, new: &str) {
    let old = text.get_string(txn);
    if old == new {
        return;
    }
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix: usize = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let suffix = suffix.min(old_rest.len()).min(new_rest.len());
    let removed = &old_rest[..old_rest.len() - suffix];
    let inserted = &new_rest[..new_rest.len() - suffix];
    let at = utf16_len(&old[..prefix]);
    if !removed.is_empty() {
        text.remove_range(txn, at, utf16_len(removed));
    }
    if !inserted.is_empty() {
        text.insert(txn, at, inserted);
    }
}

impl Field for Prose {
    fn put(&self, map: &MapRef, txn: &mut TransactionMut, key: &str) {
        match map.get(txn, key) {
            Some(Out::YText(text)) => set_text(&text, txn, &self.0),
            _ => {
                map.insert(txn, key, TextPrelim::new(self.0.as_str()));
            }
        }
    }
    fn take<T: ReadTxn>(map: &MapRef, txn: &T, key: &str) -> Result<Self, DocError> {
        match map.get(txn, key) {
            None | Some(Out::Any(Any::Null)) => Ok(Prose::default()),
            Some(Out::YText(text)) => Ok(Prose(text.get_string(txn))),
            Some(Out::Any(Any::String(s))) => Ok(Prose(s.to_string())),
            Some(other) => Err(shape_error(key, "a text", &other)),
        }
    }
}

// ---- Atoms --------------------------------------------------------------------------------

fn json_to_any(v: Value) -> Any {
    match v {
        Value::Null => Any::Null,
        Value::Bool(b) => Any::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Any::Number(yrs::any::Number::Int(i)),
            None => Any::Number(yrs::any::Number::Float(n.as_f64().unwrap_or_default())),
        },
        Value::String(s) => Any::String(s.into()),
        other => Any::String(other.to_string().into()),
    }
}

fn any_to_json(a: &Any) -> Value {
    match a {
        Any::Null | Any::Undefined => Value::Null,
        Any::Bool(b) => Value::Bool(*b),
        Any::Number(yrs::any::Number::Int(i)) => Value::from(*i),
        // Yjs has only doubles; integral ones come back as integers.
        Any::Number(yrs::any::Number::Float(f)) if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
            Value::from(*f as i64)
        }
        Any::Number(yrs::any::Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null)
        }
        Any::String(s) => Value::String(s.to_string()),
        other => Value::String(other.to_string()),
    }
}

pub(crate) fn put_atom<V: Serialize>(value: &V, map: &MapRef, txn: &mut TransactionMut, key: &str) {
    let new = json_to_any(serde_json::to_value(value).expect("model values serialise"));
    match map.get(txn, key) {
        Some(Out::Any(current)) if current == new => {}
        _ => {
            map.insert(txn, key, new);
        }
    }
}

pub(crate) fn take_atom<V: DeserializeOwned + Default, T: ReadTxn>(
    map: &MapRef,
    txn: &T,
    key: &str,
) -> Result<V, DocError> {
    match map.get(txn, key) {
        None | Some(Out::Any(Any::Null)) | Some(Out::Any(Any::Undefined)) => Ok(V::default()),
        Some(Out::Any(a)) => serde_json::from_value(any_to_json(&a)).map_err(|e| DocError::Shape {
            path: key.to_owned(),
            expected: std::any::type_name::<V>().rsplit("::").next().unwrap_or("value").to_owned(),
            found: format!("the value {a} ({e})"),
        }),
        Some(other) => Err(shape_error(key, "a plain value", &other)),
    }
}

/// Atomic (last-writer-wins) fields.
macro_rules! atom {
    ($($t:ty),+ $(,)?) => {$(
        impl crate::doc::fields::Field for $t {
            fn put(&self, map: &yrs::MapRef, txn: &mut yrs::TransactionMut, key: &str) {
                crate::doc::fields::put_atom(self, map, txn, key)
            }
            fn take<T: yrs::ReadTxn>(map: &yrs::MapRef, txn: &T, key: &str) -> Result<Self, crate::doc::DocError> {
                crate::doc::fields::take_atom(map, txn, key)
            }
        }
    )+};
}
pub(crate) use atom;

/// Optional atomic fields: `None` removes the entry.
macro_rules! optional_atom {
    ($($t:ty),+ $(,)?) => {$(
        impl crate::doc::fields::Field for Option<$t> {
            fn put(&self, map: &yrs::MapRef, txn: &mut yrs::TransactionMut, key: &str) {
                use yrs::Map;
                match self {
                    Some(v) => crate::doc::fields::put_atom(v, map, txn, key),
                    None => { if map.contains_key(txn, key) { map.remove(txn, key); } }
                }
            }
            fn take<T: yrs::ReadTxn>(map: &yrs::MapRef, txn: &T, key: &str) -> Result<Self, crate::doc::DocError> {
                crate::doc::fields::take_atom(map, txn, key)
            }
        }
    )+};
}
pub(crate) use optional_atom;

// ---- Sets ---------------------------------------------------------------------------------

fn set_key<K: Serialize>(k: &K) -> String {
    match serde_json::to_value(k).expect("set keys serialise") {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A set is a map `key → true`: adding and removing different members concurrently merges.
impl<K: Serialize + DeserializeOwned + Ord> Field for BTreeSet<K> {
    fn put(&self, map: &MapRef, txn: &mut TransactionMut, key: &str) {
        let set = nested_map(map, txn, key);
        let wanted: BTreeSet<String> = self.iter().map(set_key).collect();
        let present: Vec<String> = set.keys(txn).map(str::to_owned).collect();
        for k in present.iter().filter(|k| !wanted.contains(*k)) {
            set.remove(txn, k);
        }
        for k in wanted {
            if !set.contains_key(txn, &k) {
                set.insert(txn, k, true);
            }
        }
    }
    fn take<T: ReadTxn>(map: &MapRef, txn: &T, key: &str) -> Result<Self, DocError> {
        match map.get(txn, key) {
            None | Some(Out::Any(Any::Null)) => Ok(BTreeSet::new()),
            Some(Out::YMap(set)) => set
                .keys(txn)
                .map(|k| {
                    serde_json::from_value(Value::String(k.to_owned())).map_err(|_| DocError::Shape {
                        path: format!("{key}.{k}"),
                        expected: "a known member".into(),
                        found: format!("«{k}»"),
                    })
                })
                .collect(),
            Some(other) => Err(shape_error(key, "a set", &other)),
        }
    }
}

/// A map of records by a string key (an imported sheet's threats by their number): a Y.Map
/// of nested Y.Maps, so concurrent edits of different entries, or of different fields of one
/// entry, merge.
impl<R: Record + Default + PartialEq> Field for std::collections::BTreeMap<String, R> {
    fn put(&self, map: &MapRef, txn: &mut TransactionMut, key: &str) {
        let entries = nested_map(map, txn, key);
        let present: Vec<String> = entries.keys(txn).map(str::to_owned).collect();
        for k in present.iter().filter(|k| !self.contains_key(*k)) {
            entries.remove(txn, k);
        }
        for (k, v) in self {
            let inner = nested_map(&entries, txn, k);
            v.write(&inner, txn);
        }
    }
    fn take<T: ReadTxn>(map: &MapRef, txn: &T, key: &str) -> Result<Self, DocError> {
        match map.get(txn, key) {
            None | Some(Out::Any(Any::Null)) => Ok(Default::default()),
            Some(Out::YMap(entries)) => {
                let mut out = std::collections::BTreeMap::new();
                for (k, v) in entries.iter(txn) {
                    let value = match v {
                        Out::YMap(m) => R::read(&m, txn).map_err(|e| e.within(k).within(key))?,
                        other => return Err(shape_error(&format!("{key}.{k}"), "a map", &other)),
                    };
                    out.insert(k.to_owned(), value);
                }
                Ok(out)
            }
            Some(other) => Err(shape_error(key, "a map", &other)),
        }
    }
}

/// Declares a struct as a record: each listed field under its own name. The struct can then
/// also be a nested field (a map inside a map), optional or not.
macro_rules! record {
    ($t:ty { $($f:ident),+ $(,)? }) => {
        impl crate::doc::fields::Record for $t {
            fn write(&self, map: &yrs::MapRef, txn: &mut yrs::TransactionMut) {
                $( crate::doc::fields::Field::put(&self.$f, map, txn, stringify!($f)); )+
            }
            fn read<T: yrs::ReadTxn>(map: &yrs::MapRef, txn: &T) -> Result<Self, crate::doc::DocError> {
                Ok(Self {
                    $( $f: crate::doc::fields::Field::take(map, txn, stringify!($f))
                        .map_err(|e| e.within(stringify!($f)).unnested())?, )+
                })
            }
        }
        impl crate::doc::fields::Field for $t {
            fn put(&self, map: &yrs::MapRef, txn: &mut yrs::TransactionMut, key: &str) {
                let inner = crate::doc::fields::nested_map(map, txn, key);
                crate::doc::fields::Record::write(self, &inner, txn);
            }
            fn take<T: yrs::ReadTxn>(map: &yrs::MapRef, txn: &T, key: &str) -> Result<Self, crate::doc::DocError> {
                Ok(crate::doc::fields::read_nested(map, txn, key)?.unwrap_or_default())
            }
        }
        impl crate::doc::fields::Field for Option<$t> {
            fn put(&self, map: &yrs::MapRef, txn: &mut yrs::TransactionMut, key: &str) {
                use yrs::Map;
                match self {
                    Some(v) => crate::doc::fields::Field::put(v, map, txn, key),
                    None => { if map.contains_key(txn, key) { map.remove(txn, key); } }
                }
            }
            fn take<T: yrs::ReadTxn>(map: &yrs::MapRef, txn: &T, key: &str) -> Result<Self, crate::doc::DocError> {
                crate::doc::fields::read_nested(map, txn, key)
            }
        }
    };
}
pub(crate) use record;

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, OffsetKind, Options, Transact};

    fn doc() -> Doc {
        Doc::with_options(Options { offset_kind: OffsetKind::Utf16, ..Options::default() })
    }

    #[test]
    fn set_text_changes_only_the_middle_so_concurrent_edits_merge() {
        let a = doc();
        let root = a.get_or_insert_map("m");
        {
            let mut t = a.transact_mut();
            Prose::from("Elever og forældre").put(&root, &mut t, "p");
        }
        let b = doc();
        {
            let update = a.transact().encode_state_as_update_v1(&Default::default());
            b.transact_mut().apply_update(yrs::Update::decode_v1(&update).unwrap()).unwrap();
        }
        // a edits the start, b the end, each through a whole-value write
        let ua = {
            let mut t = a.transact_mut();
            Prose::from("Alle elever og forældre").put(&root, &mut t, "p");
            t.encode_update_v1()
        };
        let rb = b.get_or_insert_map("m");
        let ub = {
            let mut t = b.transact_mut();
            Prose::from("Elever og forældre på skoler").put(&rb, &mut t, "p");
            t.encode_update_v1()
        };
        a.transact_mut().apply_update(yrs::Update::decode_v1(&ub).unwrap()).unwrap();
        b.transact_mut().apply_update(yrs::Update::decode_v1(&ua).unwrap()).unwrap();
        let ta = Prose::take(&root, &a.transact(), "p").unwrap();
        let tb = Prose::take(&rb, &b.transact(), "p").unwrap();
        assert_eq!(ta, tb);
        assert_eq!(ta.0, "Alle elever og forældre på skoler");
    }

    #[test]
    fn set_text_handles_letters_outside_the_basic_plane() {
        let a = doc();
        let root = a.get_or_insert_map("m");
        let mut t = a.transact_mut();
        Prose::from("æ😀ø").put(&root, &mut t, "p");
        Prose::from("æ😀🙂ø å").put(&root, &mut t, "p");
        assert_eq!(Prose::take(&root, &t, "p").unwrap().0, "æ😀🙂ø å");
        Prose::from("ø").put(&root, &mut t, "p");
        assert_eq!(Prose::take(&root, &t, "p").unwrap().0, "ø");
    }

    #[test]
    fn wrong_shapes_are_named() {
        let a = doc();
        let root = a.get_or_insert_map("m");
        let mut t = a.transact_mut();
        root.insert(&mut t, "p", 42.0);
        let err = Prose::take(&root, &t, "p").unwrap_err();
        assert!(err.to_string().contains("p"), "{err}");
    }
}
