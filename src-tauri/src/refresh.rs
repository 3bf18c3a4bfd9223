//! What the views show — a DPIA, its check, the coordination and the undo state — in one
//! call, and after the first only what changed since.
//!
//! Rust remembers the view it last sent (as JSON, numbered by a generation). The webview
//! sends back the generation it holds; if that is the one remembered, the answer carries
//! only the changes (a field edit: its few leaves), else the whole view. An edit in another
//! municipality's supplement or a refresh with nothing new sends an empty list.
//!
//! Only reading the workspace holds the session lock; the check itself (a pure function of
//! the effective DPIA), serialising and comparing run after it is released, so the sync
//! task and other commands are not kept waiting. A release's `content` (the whole base as
//! published, ≈ 90 KiB each) is left out: the webview lists releases and never reads it.

use crate::commands::UndoState;
use crate::guard;
use crate::session::AppState;
use crate::commands::user;
use konsekvens_core::check::{self, check_with_review, CheckContext, CheckReport};
use konsekvens_core::UserError;
use konsekvens_core::effective::EffectiveDpia;
use konsekvens_core::model::{Coordination, OrgCode};
use serde::Serialize;
use serde_json::Value;
use specta::Type;
use tauri::State;

/// Everything the views are drawn from.
#[derive(Debug, Clone, Serialize, Type)]
pub struct View {
    /// Whose DPIA: a municipality code, or `None` for the joint base.
    pub org: Option<u16>,
    pub dpia: EffectiveDpia,
    pub report: CheckReport,
    /// Its releases without `content` (left empty).
    pub coordination: Coordination,
    pub undo: UndoState,
}

/// One step into a JSON value: an object's key or an array's index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(untagged)]
pub enum Step {
    Key(String),
    Index(u32),
}

/// One change to the view the webview holds.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// The value at `path` is now `value`; an index one past an array's end appends.
    Set { path: Vec<Step>, value: Value },
    /// The object key at the end of `path` is gone.
    Remove { path: Vec<Step> },
    /// The array at `path` keeps its first `len` entries.
    Truncate { path: Vec<Step>, len: u32 },
}

/// The answer to `refresh`.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Refreshed {
    /// Send this back as `since` next time.
    pub generation: u32,
    /// The whole view: the first time, for another municipality, or when the webview's
    /// copy is not the one Rust last sent.
    pub full: Option<View>,
    /// Otherwise the changes to the view of generation `since`, in order.
    pub since: Option<u32>,
    pub changes: Vec<Change>,
}

/// The view last sent, as JSON.
#[derive(Debug, Default)]
pub struct Shown {
    /// The newest generation handed out.
    generation: u32,
    /// The view of that generation: (generation, whose, JSON).
    last: Option<(u32, Option<u16>, Value)>,
}

impl Shown {
    /// Forgets the view (another workspace was opened); generations keep counting, so an
    /// old number never matches.
    pub fn forget(&mut self) {
        self.last = None;
    }
}

/// The views' data for a municipality (`org`) or the base; with `since`, the generation the
/// webview holds, only what changed.
#[tauri::command]
#[specta::specta]
pub fn refresh(org: Option<u16>, since: Option<u32>, state: State<'_, AppState>) -> Result<Refreshed, UserError> {
    guard(|| refreshed(&state, org, since))
}

pub fn refreshed(state: &AppState, org: Option<u16>, since: Option<u32>) -> Result<Refreshed, UserError> {
    let code = org.map(OrgCode);
    // Under the session lock: reading the documents and the log, nothing more.
    let (dpia, policy, review, mut coordination, undo) = state.with(|s, _| {
        let view = s.ws.view();
        let dpia = view.effective_or_base(code).map_err(user)?;
        let review = check::review_status_of(&view, code, &dpia).map_err(user)?;
        Ok((
            dpia,
            check::acceptance_policy(&view, code).map_err(user)?,
            review,
            view.coordination().map_err(user)?,
            UndoState { can_undo: s.ws.can_undo(), can_redo: s.ws.can_redo(), changed: None },
        ))
    })?;
    // What `Workspace::check` does, with the pure part outside the lock.
    let ctx = CheckContext { is_base: org.is_none(), policy, today: crate::commands::today() };
    let report = check_with_review(&dpia, &ctx, Some(&review));
    for release in &mut coordination.releases {
        release.content = String::new();
    }
    let view = View { org, dpia, report, coordination, undo };
    let value = serde_json::to_value(&view).map_err(UserError::internal)?;

    let (generation, previous) = {
        let mut shown = state.shown.lock().unwrap_or_else(|p| p.into_inner());
        shown.generation = shown.generation.wrapping_add(1);
        let previous = match (&shown.last, since) {
            (Some((g, o, _)), Some(since)) if *o == org && *g == since => shown.last.take().map(|(_, _, v)| v),
            _ => None,
        };
        (shown.generation, previous)
    };
    let reply = match previous {
        Some(previous) => Refreshed { generation, full: None, since, changes: diff(&previous, &value) },
        None => Refreshed { generation, full: Some(view), since: None, changes: Vec::new() },
    };
    {
        // A refresh that started later may have finished first: keep the newest.
        let mut shown = state.shown.lock().unwrap_or_else(|p| p.into_inner());
        if shown.generation == generation {
            shown.last = Some((generation, org, value));
        }
    }
    Ok(reply)
}

/// The changes that turn `old` into `new`: objects compared key by key, arrays index by
/// index (a grown array gets its new entries appended, a shrunk one is truncated), and an
/// array where most entries changed (an item inserted early) is sent whole.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(old, new, &mut path, &mut out);
    out
}

fn walk(old: &Value, new: &Value, path: &mut Vec<Step>, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in b {
                path.push(Step::Key(key.clone()));
                match a.get(key) {
                    Some(before) => walk(before, value, path, out),
                    None => out.push(Change::Set { path: path.clone(), value: value.clone() }),
                }
                path.pop();
            }
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                path.push(Step::Key(key.clone()));
                out.push(Change::Remove { path: path.clone() });
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let start = out.len();
            let mut changed = 0;
            for (i, value) in b.iter().enumerate() {
                path.push(Step::Index(i as u32));
                match a.get(i) {
                    Some(before) if before == value => {}
                    Some(before) => {
                        changed += 1;
                        walk(before, value, path, out);
                    }
                    None => {
                        changed += 1;
                        out.push(Change::Set { path: path.clone(), value: value.clone() });
                    }
                }
                path.pop();
            }
            if b.len() < a.len() {
                out.push(Change::Truncate { path: path.clone(), len: b.len() as u32 });
            }
            if changed > 1 && changed * 2 > b.len() {
                out.truncate(start);
                out.push(Change::Set { path: path.clone(), value: new.clone() });
            }
        }
        _ => out.push(Change::Set { path: path.clone(), value: new.clone() }),
    }
}

/// `changes` applied to `value` — what the webview does (`ui/src/api.ts`), here for tests.
pub fn apply(value: &mut Value, changes: &[Change]) {
    for change in changes {
        let (path, last) = match change {
            Change::Set { path, .. } | Change::Remove { path } => match path.split_last() {
                Some((last, parent)) => (parent, Some(last)),
                None => (&path[..], None),
            },
            Change::Truncate { path, .. } => (&path[..], None),
        };
        let mut at = &mut *value;
        for step in path {
            at = match step {
                Step::Key(k) => &mut at[k.as_str()],
                Step::Index(i) => &mut at[*i as usize],
            };
        }
        match (change, last) {
            (Change::Set { value, .. }, None) => *at = value.clone(),
            (Change::Set { value, .. }, Some(Step::Key(k))) => at[k.as_str()] = value.clone(),
            (Change::Set { value, .. }, Some(Step::Index(i))) => {
                let array = at.as_array_mut().expect("an array");
                if (*i as usize) < array.len() {
                    array[*i as usize] = value.clone();
                } else {
                    array.push(value.clone());
                }
            }
            (Change::Remove { .. }, Some(Step::Key(k))) => {
                at.as_object_mut().expect("an object").remove(k);
            }
            (Change::Truncate { len, .. }, _) => at.as_array_mut().expect("an array").truncate(*len as usize),
            _ => panic!("a change that cannot apply: {change:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(old: Value, new: Value) -> Vec<Change> {
        let changes = diff(&old, &new);
        let mut applied = old.clone();
        apply(&mut applied, &changes);
        assert_eq!(applied, new, "the changes {changes:?} turn old into new");
        changes
    }

    #[test]
    fn an_equal_view_has_no_changes() {
        let v = json!({ "a": [1, { "b": "c" }], "d": null });
        assert!(round_trip(v.clone(), v).is_empty());
    }

    #[test]
    fn a_changed_field_deep_in_an_array_is_sent_alone() {
        let risks: Vec<Value> = (0..20).map(|i| json!({ "id": format!("r{i}"), "threat": "lang tekst ".repeat(50) })).collect();
        let mut changed = risks.clone();
        changed[7]["threat"] = json!("ny trussel");
        let changes = round_trip(json!({ "items": { "risks": risks } }), json!({ "items": { "risks": changed } }));
        assert_eq!(
            changes,
            vec![Change::Set {
                path: vec![Step::Key("items".into()), Step::Key("risks".into()), Step::Index(7), Step::Key("threat".into())],
                value: json!("ny trussel"),
            }]
        );
    }

    #[test]
    fn arrays_grow_shrink_and_are_replaced_when_most_entries_moved() {
        let grown = round_trip(json!([1, 2, 3]), json!([1, 2, 3, 4]));
        assert_eq!(grown, vec![Change::Set { path: vec![Step::Index(3)], value: json!(4) }]);
        let shrunk = round_trip(json!([1, 2, 3]), json!([1, 2]));
        assert_eq!(shrunk, vec![Change::Truncate { path: vec![], len: 2 }]);
        let shifted = round_trip(json!({ "x": [1, 2, 3, 4] }), json!({ "x": [0, 1, 2, 3, 4] }));
        assert_eq!(shifted, vec![Change::Set { path: vec![Step::Key("x".into())], value: json!([0, 1, 2, 3, 4]) }]);
    }

    #[test]
    fn keys_come_and_go_and_kinds_change() {
        let changes = round_trip(json!({ "a": 1, "b": { "c": 2 } }), json!({ "b": [2], "e": null }));
        assert!(changes.contains(&Change::Remove { path: vec![Step::Key("a".into())] }));
        assert_eq!(round_trip(json!(1), json!("en")), vec![Change::Set { path: vec![], value: json!("en") }]);
    }
}
