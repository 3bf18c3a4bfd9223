//! Workspaces for benchmarks: the bundled sample after a year of use. Behind the `fixtures`
//! feature, so the product never carries it.
//!
//! (A minimal version on the app's branch; the history branch owns the real one and wins
//! at merge. Same signature.)

use crate::command::ItemKind;
use crate::doc::DocKey;
use crate::env::Env;
use crate::model::*;
use crate::workspace::{Author, Workspace, WorkspaceError};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// How much use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearSpec {
    /// Field edits over the year.
    pub edits: usize,
    /// Supplements (the sample's three first, then made-up municipalities).
    pub municipalities: usize,
    pub seed: u64,
}

/// A clock the fixture sets before each edit (a year's edits spread over a year, so review
/// and history look up real dates), and a seeded random source.
struct YearEnv {
    millis: AtomicI64,
    rng: Mutex<StdRng>,
}

impl Env for YearEnv {
    fn now_millis(&self) -> i64 {
        // Every reading a millisecond later, so log times never tie.
        self.millis.fetch_add(1, Ordering::SeqCst)
    }
    fn random_u64(&self) -> u64 {
        self.rng.lock().expect("rng lock").random()
    }
}

/// 2025-07-01, after the sample's release 2025.1.
const START_MILLIS: i64 = 1_751_328_000_000;
const YEAR_MILLIS: i64 = 365 * 24 * 3600 * 1000;

/// The bundled sample with `municipalities` supplements, then `edits` deterministic field
/// edits spread over base and supplements through the product's own calls (Workspace edit
/// commands), with a review and a release near the end of the year. Deterministic.
pub fn year_of_use(path: &Path, spec: &YearSpec) -> Result<Workspace, WorkspaceError> {
    let env = Arc::new(YearEnv { millis: AtomicI64::new(START_MILLIS), rng: Mutex::new(StdRng::seed_from_u64(spec.seed)) });
    let mut ws = Workspace::create_demo(path, env.clone())?;
    let coordinator = Author::new("KL/KOMBIT", None);
    for i in ws.supplement_codes().len()..spec.municipalities {
        // Made-up codes above the real ones (the highest kommunekode is 860).
        let code = OrgCode(900 + i as u16);
        let p = Participant { code: Some(code), name: format!("Kommune {code}"), ref_prefix: format!("K{i}") };
        ws.add_participant(&p, &coordinator)?;
    }
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let risks: Vec<ItemId> = ws.base()?.items.risks.iter().map(|r| r.id.clone()).collect();
    let codes = ws.supplement_codes();
    // Each supplement gets one local risk its municipality keeps revising.
    let mut local = Vec::new();
    for code in &codes {
        let author = Author::new(format!("DPO {code}"), Some(*code));
        let AnyItemId(id) = new_risk(&mut ws, DocKey::Supplement(*code), &author)?;
        local.push((*code, id, author));
    }
    let base_author = Author::new("Fælles redaktion", None);
    let review_at = spec.edits * 9 / 10;
    let release_at = spec.edits * 19 / 20;
    for n in 0..spec.edits {
        env.millis.store(START_MILLIS + (n as i64 * YEAR_MILLIS) / spec.edits.max(1) as i64, Ordering::SeqCst);
        if n == review_at {
            review(&mut ws, &base_author)?;
        }
        if n == release_at {
            ws.publish_release("2026.1", day_of(env.millis.load(Ordering::SeqCst)), "Årets rettelser", &coordinator)?;
        }
        // Two edits in three in the base, the rest spread over the supplements.
        let (key, id, author) = if n % 3 != 2 || local.is_empty() {
            (DocKey::Base, &risks[rng.random_range(0..risks.len())], &base_author)
        } else {
            let (code, id, author) = &local[rng.random_range(0..local.len())];
            (DocKey::Supplement(*code), id, author)
        };
        let patch = match n % 4 {
            0 => serde_json::json!({ "title": format!("Risiko revideret {n}") }),
            1 => serde_json::json!({ "threat": format!("Trusselsbeskrivelse, revision {n}.") }),
            2 => serde_json::json!({ "inherent": { "confidentiality": { "likelihood": Likelihood::ALL[n / 4 % 4] } } }),
            _ => serde_json::json!({ "source_reference": format!("Leverandørens ark T{}", n % 40) }),
        };
        ws.patch_item(key, ItemKind::Risk, id, &patch, author)?;
    }
    Ok(ws)
}

struct AnyItemId(ItemId);

fn new_risk(ws: &mut Workspace, key: DocKey, author: &Author) -> Result<AnyItemId, WorkspaceError> {
    match ws.new_item(key, ItemKind::Risk, author)? {
        crate::command::AnyItem::Risk(r) => Ok(AnyItemId(r.id)),
        _ => unreachable!("new_item(Risk) makes a risk"),
    }
}

/// A recorded review of the base, dated the day it is made.
fn review(ws: &mut Workspace, author: &Author) -> Result<(), WorkspaceError> {
    let id = match ws.new_item(DocKey::Base, ItemKind::Review, author)? {
        crate::command::AnyItem::Review(r) => r.id,
        _ => unreachable!("new_item(Review) makes a review"),
    };
    let date = day_of(ws.env().now_millis());
    let patch = serde_json::json!({ "date": date, "reviewer": "Fælles redaktion", "summary": "Årlig gennemgang." });
    ws.patch_item(DocKey::Base, ItemKind::Review, &id, &patch, author)
}

fn day_of(millis: i64) -> Day {
    let t = time::OffsetDateTime::from_unix_timestamp(millis / 1000).expect("a date in range");
    Day(t.date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_year_is_deterministic_and_has_its_review_and_release() {
        let dir = tempfile::tempdir().unwrap();
        let spec = YearSpec { edits: 60, municipalities: 5, seed: 7 };
        let a = year_of_use(&dir.path().join("a.konsekvens"), &spec).unwrap();
        let b = year_of_use(&dir.path().join("b.konsekvens"), &spec).unwrap();
        assert_eq!(a.base().unwrap(), b.base().unwrap());
        assert_eq!(a.supplement_codes().len(), 5);
        let c = a.coordination().unwrap();
        assert_eq!(c.releases.last().map(|r| r.name.as_str()), Some("2026.1"));
        assert!(a.base().unwrap().items.reviews.iter().any(|r| r.summary.as_str() == "Årlig gennemgang."));
        assert!(a.store().head_seq().unwrap() > 60);
    }
}
