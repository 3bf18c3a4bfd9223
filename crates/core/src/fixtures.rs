//! A year of use, built through the product's own calls: the workspace the history, check
//! and overview benchmarks (and the app's) measure. Behind the `fixtures` feature: not part of
//! the product.
//!
//! Deterministic for a given [`YearSpec`]: the clock is set before every step and ids come
//! from a seeded generator, so two builds of the same spec hold the same content.

use crate::command::ItemKind;
use crate::doc::DocKey;
use crate::env::Env;
use crate::model::*;
use crate::workspace::{Author, Workspace, WorkspaceError};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// What year to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSpec {
    /// Field edits after the setup, spread over base and supplements.
    pub edits: usize,
    /// Municipalities with a supplement (the sample's own first).
    pub municipalities: usize,
    pub seed: u64,
}

/// 2025-12-01 08:00 UTC: the year starts after the sample's release and reviews.
pub const YEAR_START_MILLIS: i64 = 1_764_576_000_000;
const DAY_MILLIS: i64 = 86_400_000;

/// A clock the fixture sets before each step (one second per further reading, as
/// [`crate::FixedEnv`]) and a seeded random source.
#[derive(Debug)]
pub struct YearEnv {
    millis: AtomicI64,
    rng: Mutex<StdRng>,
}

impl YearEnv {
    pub fn new(start_millis: i64, seed: u64) -> YearEnv {
        YearEnv { millis: AtomicI64::new(start_millis), rng: Mutex::new(StdRng::seed_from_u64(seed)) }
    }
    pub fn set(&self, millis: i64) {
        self.millis.store(millis, Ordering::SeqCst);
    }
}

impl Env for YearEnv {
    fn now_millis(&self) -> i64 {
        self.millis.fetch_add(1000, Ordering::SeqCst)
    }
    fn random_u64(&self) -> u64 {
        self.rng.lock().expect("rng lock poisoned").random()
    }
}

/// The day of the year's step `n` of `of`.
pub fn day_of_step(n: usize, of: usize) -> Day {
    let millis = step_millis(n, of);
    Day(time::OffsetDateTime::from_unix_timestamp(millis / 1000).expect("in range").date())
}

fn step_millis(n: usize, of: usize) -> i64 {
    YEAR_START_MILLIS + (n as i64 * 364 * DAY_MILLIS) / of.max(1) as i64
}

/// Organisation codes of the generated municipalities: three digits, none of the sample's.
fn generated_codes(taken: &[OrgCode], n: usize) -> Vec<OrgCode> {
    (200u16..1000).step_by(7).map(OrgCode).filter(|c| !taken.contains(c)).take(n).collect()
}

/// The bundled sample with `municipalities` supplements (the sample's own first, then
/// generated ones with distinct 3-digit organisation codes), then `edits` deterministic
/// field edits spread over base and supplements through the product's own calls
/// (Workspace edit commands, as the app and CLI make them), with a review and a release
/// near the end of the year. Deterministic for a given spec.
pub fn year_of_use(path: &Path, spec: &YearSpec) -> Result<Workspace, WorkspaceError> {
    let env = Arc::new(YearEnv::new(YEAR_START_MILLIS - 30 * DAY_MILLIS, spec.seed));
    let mut rng = StdRng::seed_from_u64(spec.seed ^ 0x005E_ED0F_4EA5);
    let (mut coordination, base, mut supplements) = crate::sample::aula();
    supplements.truncate(spec.municipalities);
    let kept: Vec<OrgCode> = supplements.iter().filter_map(|s| s.meta.org).collect();
    let sample_codes: Vec<OrgCode> = coordination.participants.iter().filter_map(|p| p.code).collect();
    coordination.participants.retain(|p| p.code.is_some_and(|c| kept.contains(&c)));
    let kl = Author::new("KL/KOMBIT", None);
    let (mut ws, ()) = Workspace::create_filled(path, env.clone(), |ws| {
        ws.relax_durability_for_fixture();
        let author = Author::new("Konsekvens (eksempel)", None);
        ws.edit(DocKey::Coordination, &author, |e| e.write_coordination(&coordination))?;
        ws.edit(DocKey::Base, &author, |e| e.write_base(&base))?;
        for s in &supplements {
            ws.add_supplement_document(s.meta.org.expect("the sample's supplements name their municipality"))?;
            ws.edit(DocKey::Supplement(s.meta.org.unwrap()), &author, |e| e.write_supplement(s))?;
        }
        ws.ensure_review_baseline()?;
        ws.publish_release(crate::sample::VERSION, crate::sample::RELEASE_DATE, crate::sample::RELEASE_NOTE, &kl)?;
        ws.mark_review_baseline()?;
        Ok::<(), WorkspaceError>(())
    })?;
    ws.relax_durability_for_fixture();

    // The generated municipalities join, bind the release and write a local measure.
    let mut codes = kept.clone();
    for code in generated_codes(&sample_codes, spec.municipalities.saturating_sub(kept.len())) {
        let p = Participant { code: Some(code), name: format!("Kommune {code}"), ref_prefix: format!("K{code}") };
        ws.add_participant(&p, &kl)?;
        ws.bind_release(code, crate::sample::VERSION, &dpo(code))?;
        codes.push(code);
    }
    let risks: Vec<ItemId> = ws.base()?.items.risks.iter().map(|r| r.id.clone()).collect();
    let measures: Vec<ItemId> = ws.base()?.items.measures.iter().map(|m| m.id.clone()).collect();
    let mut local_measures = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let key = DocKey::Supplement(*code);
        let crate::command::AnyItem::Measure(m) = ws.new_item(key, ItemKind::Measure, &dpo(*code))? else {
            unreachable!("a new measure is a measure")
        };
        let patch = serde_json::json!({
            "title": "Lokal instruks om fejlsendte beskeder",
            "description": "Medarbejderne gennemgår modtagerlisten før afsendelse.",
            "status": "implemented",
            "kind": "organisational",
            "mitigates": [risks[i % risks.len()].as_str()],
        });
        ws.patch_item(key, ItemKind::Measure, &m.id, &patch, &dpo(*code))?;
        local_measures.push(m.id);
    }

    let review_at = spec.edits * 9 / 10;
    let release_at = spec.edits * 19 / 20;
    let texts = ["Beskeder sendes til forkerte modtagere.", "Adgang via svagt beskyttet login.", "Forældede gruppemedlemskaber."];
    for n in 0..spec.edits {
        env.set(step_millis(n, spec.edits));
        if n == review_at {
            review(&mut ws, day_of_step(n, spec.edits), &kl)?;
        }
        if n == release_at && n > 0 {
            ws.publish_release("2026.1", day_of_step(n, spec.edits), "Årlig revision", &kl)?;
        }
        let who = codes[rng.random_range(0..codes.len().max(1))];
        let roll = rng.random_range(0..100u32);
        if roll < 60 || codes.is_empty() {
            // The joint base, written by a participant's DPO.
            if roll < 30 {
                let id = &risks[rng.random_range(0..risks.len())];
                let patch = serde_json::json!({ "threat": format!("{} Revideret ({n}).", texts[n % texts.len()]) });
                ws.patch_item(DocKey::Base, ItemKind::Risk, id, &patch, &dpo(who))?;
            } else if roll < 40 {
                let id = &risks[rng.random_range(0..risks.len())];
                let likelihood = Likelihood::ALL[rng.random_range(0..2)];
                let patch = serde_json::json!({ "inherent": { "confidentiality": { "likelihood_reason": format!("Vurderet {n}."), "likelihood": likelihood } } });
                ws.patch_item(DocKey::Base, ItemKind::Risk, id, &patch, &dpo(who))?;
            } else {
                let id = &measures[rng.random_range(0..measures.len())];
                let patch = serde_json::json!({ "owner_name": format!("Ansvarlig {}", n % 97) });
                ws.patch_item(DocKey::Base, ItemKind::Measure, id, &patch, &dpo(who))?;
            }
        } else {
            // A municipality's own supplement: its local measure.
            let i = rng.random_range(0..codes.len());
            let patch = serde_json::json!({ "description": format!("Medarbejderne gennemgår modtagerlisten før afsendelse (version {n}).") });
            ws.patch_item(DocKey::Supplement(codes[i]), ItemKind::Measure, &local_measures[i], &patch, &dpo(codes[i]))?;
        }
    }
    if review_at >= spec.edits {
        review(&mut ws, day_of_step(spec.edits, spec.edits.max(1)), &kl)?;
    }
    ws.restore_durability_for_fixture();
    Ok(ws)
}

fn dpo(code: OrgCode) -> Author {
    Author::new(format!("dpo@{code}.kommune.dk"), Some(code))
}

/// The coordinator records the year's review of the base.
fn review(ws: &mut Workspace, day: Day, kl: &Author) -> Result<(), WorkspaceError> {
    let crate::command::AnyItem::Review(r) = ws.new_item(DocKey::Base, ItemKind::Review, kl)? else {
        unreachable!("a new review is a review")
    };
    let patch = serde_json::json!({ "date": day, "reviewer": "KL/KOMBIT", "summary": "Årlig gennemgang af fælles basis." });
    ws.patch_item(DocKey::Base, ItemKind::Review, &r.id, &patch, kl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_year_is_deterministic_and_holds_its_review_and_release() {
        let dir = tempfile::tempdir().unwrap();
        let spec = YearSpec { edits: 120, municipalities: 5, seed: 9 };
        let a = year_of_use(&dir.path().join("a.konsekvens"), &spec).unwrap();
        let b = year_of_use(&dir.path().join("b.konsekvens"), &spec).unwrap();
        assert_eq!(a.base().unwrap(), b.base().unwrap());
        assert_eq!(a.supplement_codes(), b.supplement_codes());
        assert_eq!(a.supplement_codes().len(), 5);
        let coordination = a.coordination().unwrap();
        assert_eq!(coordination.releases.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["2025.1", "2026.1"]);
        assert!(a.base().unwrap().items.reviews.iter().any(|r| r.reviewer == "KL/KOMBIT"));
        let other = year_of_use(&dir.path().join("c.konsekvens"), &YearSpec { seed: 10, ..spec }).unwrap();
        assert_ne!(a.base().unwrap(), other.base().unwrap(), "the seed matters");
    }
}
