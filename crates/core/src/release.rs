//! Releases of the joint base: the coordinator publishes the base as it stands ("2025.1"),
//! and each municipality's supplement states which release it was assessed against.
//!
//! A release holds the base's content as canonical JSON (items in reference order, sets
//! sorted — the same serialisation as the interchange format) and the SHA-256 of those
//! bytes. That makes it immutable and recoverable exactly, whatever happens to the working
//! base afterwards, and gives the PDF cover a fingerprint a reader can check.

use crate::effective::SharedBase;
use crate::model::{Base, Coordination, ItemId, Reference, Release};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReleaseError {
    #[error("a release needs a name (e.g. 2026.1)")]
    NoName,
    #[error("release «{0}» exists already; a release is published once and never changed — choose another name")]
    Exists(String),
    #[error("no release «{0}» in this workspace; sync with the hub to fetch it, or choose one of: {1}")]
    Unknown(String, String),
    #[error("release «{name}» is damaged: {why}")]
    Damaged { name: String, why: String },
    #[error("the reference {reference} is used by {first} and by {second}; give one of them a new reference before publishing (references are fixed at release)")]
    DuplicateReference { reference: Reference, first: ItemId, second: ItemId },
    #[error("{id} was {released} in release «{release}» and is now {now}; references are never renumbered once released — change it back to {released}")]
    Renumbered { id: ItemId, release: String, released: Reference, now: Reference },
}

/// The canonical bytes of a base and their SHA-256 (hex).
pub fn content_of(base: &Base) -> (String, String) {
    let content = serde_json::to_string(base).expect("the model serialises");
    let hash = sha256_hex(content.as_bytes());
    (content, hash)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Release {
    /// The base as published, after checking that its content still has its hash (shared:
    /// every municipality's effective DPIA borrows the one parsed copy).
    pub fn base(&self) -> Result<Arc<Base>, ReleaseError> {
        Ok(self.parsed()?.0)
    }

    /// The release's content as every effective DPIA built on it shares it (made once per
    /// process and release, beside the parsed base).
    pub fn shared_base(&self) -> Result<Arc<SharedBase>, ReleaseError> {
        Ok(self.parsed()?.1)
    }

    fn parsed(&self) -> Result<(Arc<Base>, Arc<SharedBase>), ReleaseError> {
        // Every municipality's effective DPIA stands on a release: the coordinator's overview
        // of 98 read the same 100 KB of JSON and hashed it 200 times. A release is immutable,
        // so one checked and parsed copy is kept per content (compared byte for byte).
        if let Some(found) = released::get(&self.content_hash, &self.content) {
            return Ok(found);
        }
        let damaged = |why: String| ReleaseError::Damaged { name: self.name.clone(), why };
        if sha256_hex(self.content.as_bytes()) != self.content_hash {
            return Err(damaged("its content does not match its SHA-256".into()));
        }
        let base: Arc<Base> = Arc::new(serde_json::from_str(&self.content).map_err(|e| damaged(e.to_string()))?);
        let shared = Arc::new(SharedBase::of(&base));
        released::put(&self.content_hash, &self.content, base.clone(), shared.clone());
        Ok((base, shared))
    }
}

/// Releases already checked and parsed in this process (a few; a release never changes).
pub(crate) mod released {
    use crate::effective::SharedBase;
    use crate::model::Base;
    use std::sync::{Arc, Mutex};

    const KEEP: usize = 8;
    type Entry = (String, Arc<String>, Arc<Base>, Arc<SharedBase>);
    static KEPT: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

    pub(super) fn get(hash: &str, content: &str) -> Option<(Arc<Base>, Arc<SharedBase>)> {
        let kept = KEPT.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter().find(|(h, c, _, _)| h == hash && c.as_str() == content).map(|(_, _, b, s)| (b.clone(), s.clone()))
    }

    /// Forgets every parsed release (tests: to build a DPIA whose release shares nothing).
    #[cfg(test)]
    pub(crate) fn forget() {
        KEPT.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub(super) fn put(hash: &str, content: &str, base: Arc<Base>, shared: Arc<SharedBase>) {
        let mut kept = KEPT.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= KEEP {
            kept.remove(0);
        }
        kept.push((hash.to_owned(), Arc::new(content.to_owned()), base, shared));
    }
}

impl Coordination {
    pub fn release(&self, name: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.name == name)
    }
    /// The newest release (by publishing time).
    pub fn latest_release(&self) -> Option<&Release> {
        self.releases.iter().max_by(|a, b| a.published_at.cmp(&b.published_at).then_with(|| a.name.cmp(&b.name)))
    }
    /// `name` or, when it is not there, the error listing what is.
    pub fn require_release(&self, name: &str) -> Result<&Release, ReleaseError> {
        self.release(name).ok_or_else(|| {
            let known: Vec<&str> = self.releases.iter().map(|r| r.name.as_str()).collect();
            ReleaseError::Unknown(name.to_owned(), if known.is_empty() { "(none yet)".into() } else { known.join(", ") })
        })
    }
}

/// What must hold before `base` is published after `previous`: no reference used twice,
/// and every item that was released keeps the reference it was released with.
pub fn check_publishable(base: &Base, previous: Option<(&str, &Base)>) -> Result<(), ReleaseError> {
    let mut seen: BTreeMap<&Reference, &ItemId> = BTreeMap::new();
    for (id, reference) in base.items.identities() {
        if reference.as_str().is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(reference, id) {
            return Err(ReleaseError::DuplicateReference { reference: reference.clone(), first: first.clone(), second: id.clone() });
        }
    }
    if let Some((name, prev)) = previous {
        let now: BTreeMap<&ItemId, &Reference> = base.items.identities().collect();
        for (id, released) in prev.items.identities() {
            if let Some(current) = now.get(id) {
                if *current != released {
                    return Err(ReleaseError::Renumbered {
                        id: id.clone(),
                        release: name.to_owned(),
                        released: released.clone(),
                        now: (*current).clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Risk;

    fn base_with(risks: &[(&str, &str)]) -> Base {
        let mut b = Base::default();
        for (id, r) in risks {
            b.items.risks.push(Risk { id: ItemId::from(*id), reference: Reference(r.to_string()), ..Risk::default() });
        }
        b
    }

    #[test]
    fn content_is_canonical_and_hashed() {
        let b = base_with(&[("r-1", "R1")]);
        let (c1, h1) = content_of(&b);
        let (c2, h2) = content_of(&b.clone());
        assert_eq!((c1.clone(), h1.clone()), (c2, h2));
        assert_eq!(h1.len(), 64);
        let r = Release { name: "2025.1".into(), content: c1, content_hash: h1, ..Release::default() };
        assert_eq!(*r.base().unwrap(), b);
        let tampered = Release { content: r.content.replace("R1", "R9"), ..r.clone() };
        assert!(matches!(tampered.base(), Err(ReleaseError::Damaged { .. })));
    }

    #[test]
    fn duplicate_and_renumbered_references_block_publishing() {
        let dup = base_with(&[("r-1", "R1"), ("r-2", "R1")]);
        assert!(matches!(check_publishable(&dup, None), Err(ReleaseError::DuplicateReference { .. })));
        let released = base_with(&[("r-1", "R1"), ("r-2", "R2")]);
        let renumbered = base_with(&[("r-1", "R1"), ("r-2", "R3")]);
        let err = check_publishable(&renumbered, Some(("2025.1", &released))).unwrap_err();
        assert!(err.to_string().contains("R2"), "{err}");
        let grown = base_with(&[("r-1", "R1"), ("r-2", "R2"), ("r-3", "R3")]);
        assert_eq!(check_publishable(&grown, Some(("2025.1", &released))), Ok(()));
    }
}
