//! Which parts of a document changes touch: the item (by its key in its root map) or the
//! section, so the history can summarise an update by reading only those parts instead of
//! serialising the whole document twice.

use super::{modelled_roots, DpiaDoc};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use yrs::types::{Event, PathSegment};
use yrs::{DeepObservable, Doc};

/// `(root, key)`: the entry of a root map a change reached (an item's key, or a section's
/// field name).
pub type Touched = BTreeSet<(String, String)>;

const OBSERVER: &str = "history-touched";

/// Records what every transaction on one document touches, until dropped.
pub struct TouchTracker {
    doc: Doc,
    roots: Vec<&'static str>,
    seen: Arc<Mutex<Touched>>,
}

impl DpiaDoc {
    /// Starts recording which root entries changes touch (local edits and applied updates).
    pub fn track_touches(&self) -> TouchTracker {
        let seen: Arc<Mutex<Touched>> = Arc::default();
        let roots = modelled_roots(self.key.kind());
        for root in &roots {
            let root = *root;
            let map = self.doc.get_or_insert_map(root);
            let seen = seen.clone();
            map.observe_deep(OBSERVER, move |txn, events| {
                let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                for e in events.iter() {
                    match e.path().front() {
                        Some(PathSegment::Key(k)) => {
                            seen.insert((root.to_owned(), k.to_string()));
                        }
                        Some(PathSegment::Index(_)) => {}
                        None => {
                            if let Event::Map(m) = e {
                                for k in m.keys(txn).keys() {
                                    seen.insert((root.to_owned(), k.to_string()));
                                }
                            }
                        }
                    }
                }
            });
        }
        TouchTracker { doc: self.doc.clone(), roots, seen }
    }
}

impl TouchTracker {
    /// What was touched since the last call.
    pub fn take(&self) -> Touched {
        std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Drop for TouchTracker {
    fn drop(&mut self) {
        for root in &self.roots {
            self.doc.get_or_insert_map(*root).unobserve_deep(OBSERVER);
        }
    }
}
