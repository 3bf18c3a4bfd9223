//! The history store against the log it summarises: a point in the past read from the
//! nearest kept snapshot equals the log replayed from its start, and the change summary
//! stored when an update was logged equals comparing the whole document before and after it.

use super::*;
use crate::diff;
use crate::effective::EffectiveDpia;
use crate::env::FixedEnv;
use crate::history::{self, read_doc, Point};
use crate::summary::StoredSummary;
use proptest::prelude::*;

const T0: i64 = 1_795_593_600_000;
const KBH: OrgCode = OrgCode(101);
const ESB: OrgCode = OrgCode(561);

/// The document at `seq` by replaying its log from the start (the old way, the reference).
fn replayed(ws: &Workspace, key: DocKey, seq: i64) -> DpiaDoc {
    let doc = DpiaDoc::new(key, 1);
    for (_, data) in ws.store.updates_upto(key, seq).unwrap() {
        doc.apply_update(&data).unwrap();
    }
    doc
}

fn replayed_dpia(ws: &Workspace, org: Option<OrgCode>, seq: i64) -> EffectiveDpia {
    let coordination = replayed(ws, DocKey::Coordination, seq).read_coordination().unwrap();
    let base = replayed(ws, DocKey::Base, seq).read_base().unwrap();
    match org {
        None => EffectiveDpia::compute(&coordination, &base, &Supplement::default(), &Participant::joint_base()),
        Some(code) => {
            let supplement = replayed(ws, DocKey::Supplement(code), seq).read_supplement().unwrap();
            let participant = coordination.participants.iter().find(|p| p.code == Some(code)).cloned().unwrap_or_else(|| ws.participant(code).unwrap_or_default());
            EffectiveDpia::compute(&coordination, &base, &supplement, &participant)
        }
    }
}

/// Each update's changes by reading the whole document before and after it (the old way).
fn whole_document_changes(ws: &Workspace, key: DocKey) -> Vec<(i64, StoredSummary)> {
    let doc = DpiaDoc::new(key, 1);
    let mut before = read_doc(&doc).unwrap();
    let mut out = Vec::new();
    for u in ws.store.log(Some(key)).unwrap() {
        let ids = doc.novelty(&u.data).unwrap();
        doc.apply_update(&u.data).unwrap();
        let after = read_doc(&doc).unwrap();
        let mut changes = diff::changes(&before, &after);
        for c in changes.iter_mut().filter(|c| c.collection == "releases") {
            c.fields.retain(|f| f.path != "content");
        }
        before = after;
        out.push((u.seq, StoredSummary::new(changes, &ids)));
    }
    out
}

fn stored(ws: &Workspace, key: DocKey) -> Vec<(i64, StoredSummary)> {
    ws.store
        .changes_page(&[key.name()], None, None, 100_000, false)
        .unwrap()
        .into_iter()
        .map(|c| (c.seq, serde_json::from_str(&c.summary).unwrap()))
        .collect()
}

#[derive(Debug, Clone)]
enum Step {
    RiskText(usize, u16),
    RiskRating(usize, usize),
    AddPurpose(u16),
    RemovePurpose,
    LocalMeasure(u16),
    Override(usize, usize),
    /// Another process (a sync client on the same file) writes Esbjerg's supplement.
    Elsewhere(u16),
    CatchUp,
    Undo,
    Reopen,
    Compact,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..12usize, any::<u16>()).prop_map(|(i, n)| Step::RiskText(i, n)),
        (0..12usize, 0..4usize).prop_map(|(i, l)| Step::RiskRating(i, l)),
        any::<u16>().prop_map(Step::AddPurpose),
        Just(Step::RemovePurpose),
        any::<u16>().prop_map(Step::LocalMeasure),
        (0..12usize, 0..4usize).prop_map(|(i, l)| Step::Override(i, l)),
        any::<u16>().prop_map(Step::Elsewhere),
        Just(Step::CatchUp),
        Just(Step::Undo),
        Just(Step::Reopen),
        Just(Step::Compact),
    ]
}

fn run(steps: &[Step], every: usize) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.konsekvens");
    let env: Arc<dyn Env> = Arc::new(FixedEnv::new(T0, 5));
    let mut ws = Workspace::create_demo(&path, env.clone()).unwrap();
    ws.history_every = every;
    ws.enable_undo();
    let mut other = Workspace::open(&path, Arc::new(FixedEnv::new(T0, 6))).unwrap();
    other.history_every = every;
    let dpo = Author::new("dpo@kk.dk", Some(KBH));
    let esb = Author::new("dpo@esbjerg.dk", Some(ESB));
    for s in steps {
        let risks = ws.base().unwrap().items.risks;
        match s {
            Step::RiskText(i, n) => {
                let id = risks[i % risks.len()].id.clone();
                ws.edit(DocKey::Base, &dpo, |e| e.update::<Risk>(&id, |r| r.threat = Prose(format!("Trussel {n}")))).unwrap();
            }
            Step::RiskRating(i, l) => {
                let id = risks[i % risks.len()].id.clone();
                ws.edit(DocKey::Base, &dpo, |e| e.update::<Risk>(&id, |r| r.residual.confidentiality.likelihood = Some(Likelihood::ALL[*l]))).unwrap();
            }
            Step::AddPurpose(n) => {
                ws.edit(DocKey::Base, &dpo, |e| {
                    let reference = e.next_reference::<Purpose>("")?;
                    e.put(&Purpose { id: ItemId(format!("purpose-{n}")), reference, title: format!("Formål {n}"), ..Purpose::default() })
                })
                .unwrap();
            }
            Step::RemovePurpose => {
                if let Some(p) = ws.base().unwrap().items.purposes.last() {
                    let id = p.id.clone();
                    ws.edit(DocKey::Base, &dpo, |e| e.remove::<Purpose>(&id).map(|_| ())).unwrap();
                }
            }
            Step::LocalMeasure(n) => {
                let id = ws.supplement(KBH).unwrap().additions.measures[0].id.clone();
                ws.edit(DocKey::Supplement(KBH), &dpo, |e| e.update::<Measure>(&id, |m| m.description = Prose(format!("Lokal {n}")))).unwrap();
            }
            Step::Override(i, l) => {
                let target = risks[i % risks.len()].id.clone();
                ws.edit(DocKey::Supplement(KBH), &dpo, |e| {
                    let mut o = e.get::<RiskOverride>(&target)?.unwrap_or(RiskOverride { target: target.clone(), ..RiskOverride::default() });
                    o.reason = Prose(format!("Lokalt {l}"));
                    e.put(&o)
                })
                .unwrap();
            }
            Step::Elsewhere(n) => {
                // Esbjerg's supplement, or København's own (a section this process never
                // writes), so the two processes' summaries cannot differ by a conflict.
                let code = if n % 2 == 0 { ESB } else { KBH };
                let meta: SupplementMeta = other.doc(DocKey::Supplement(code)).unwrap().section().unwrap();
                other.edit(DocKey::Supplement(code), &esb, |e| e.set(&SupplementMeta { name: format!("Kommune {n}"), ..meta })).unwrap();
            }
            Step::CatchUp => {
                ws.catch_up().unwrap();
                other.catch_up().unwrap();
            }
            Step::Undo => {
                ws.undo(&dpo).unwrap();
            }
            Step::Reopen => {
                drop(ws);
                ws = Workspace::open(&path, env.clone()).unwrap();
                ws.history_every = every;
                ws.enable_undo();
            }
            Step::Compact => {
                ws.compact().unwrap();
            }
        }
    }
    ws.catch_up().unwrap();
    (dir, ws)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// The snapshot path and the replay path give identical DPIAs at random points of a
    /// random history; and what the history stored for every update is what comparing the
    /// whole document before and after it says.
    #[test]
    fn the_snapshot_path_and_the_replay_path_agree(steps in prop::collection::vec(step(), 1..40), points in prop::collection::vec(any::<u16>(), 1..6), every in 1..6usize) {
        let (_dir, ws) = run(&steps, every);
        let view = ws.view();
        let head = view.head_seq().unwrap();
        for p in &points {
            let seq = *p as i64 % (head + 1);
            for org in [None, Some(KBH), Some(ESB)] {
                let fast = history::dpia_at(&view, org, &Point::Seq(seq)).unwrap();
                prop_assert_eq!(&fast, &replayed_dpia(&ws, org, seq), "at #{} for {:?}", seq, org);
            }
        }
        // Again in a fresh session, as a command reads: now from the models the reads above
        // and the closed sessions kept (`workspace/models.rs`), the past and the present.
        let again = Workspace::open(ws.path(), Arc::new(FixedEnv::new(T0, 9))).unwrap();
        let kept = again.view();
        for p in &points {
            let seq = *p as i64 % (head + 1);
            for org in [None, Some(KBH), Some(ESB)] {
                let fast = history::dpia_at(&kept, org, &Point::Seq(seq)).unwrap();
                prop_assert_eq!(&fast, &replayed_dpia(&ws, org, seq), "kept, at #{} for {:?}", seq, org);
            }
        }
        for org in [None, Some(KBH), Some(ESB)] {
            prop_assert_eq!(&kept.effective_or_base(org).unwrap(), &replayed_dpia(&ws, org, head), "kept, now, for {:?}", org);
        }
        for key in [DocKey::Coordination, DocKey::Base, DocKey::Supplement(KBH), DocKey::Supplement(ESB)] {
            prop_assert_eq!(stored(&ws, key), whole_document_changes(&ws, key), "{}", key);
        }
    }
}

#[test]
fn a_schema_2_file_gains_its_history_on_open_and_tells_the_same_history() {
    let steps: Vec<Step> = (0..30u16).map(|n| if n % 3 == 0 { Step::LocalMeasure(n) } else { Step::RiskText(n as usize, n) }).collect();
    let (dir, ws) = run(&steps, 4);
    let path = ws.path().to_owned();
    let expected = history::history(&ws.view(), Some(KBH), None).unwrap();
    let at = history::dpia_at(&ws.view(), Some(KBH), &Point::Seq(20)).unwrap();
    drop(ws);
    // What a schema-2 build wrote: no history tables.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE changes; DROP TABLE change_items; DROP TABLE history_snapshots; PRAGMA user_version = 2;").unwrap();
    drop(conn);
    let ws = Workspace::open(&path, Arc::new(FixedEnv::new(T0, 5))).unwrap();
    assert_eq!(ws.store.history_backlog().unwrap(), None, "filled in one go");
    assert_eq!(history::history(&ws.view(), Some(KBH), None).unwrap(), expected);
    assert_eq!(history::dpia_at(&ws.view(), Some(KBH), &Point::Seq(20)).unwrap(), at);
    let version: i32 = rusqlite::Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, crate::store::SCHEMA_VERSION);
    drop(dir);
}

#[test]
fn the_log_pages_newest_first_and_the_pages_add_up_to_the_whole_log() {
    let steps: Vec<Step> = (0..25u16).map(|n| if n % 2 == 0 { Step::LocalMeasure(n) } else { Step::RiskText(n as usize, n) }).collect();
    let (_dir, ws) = run(&steps, 3);
    let view = ws.view();
    let whole = history::history(&view, Some(KBH), None).unwrap();
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = history::log_page(&view, Some(KBH), None, before, 7).unwrap();
        assert!(page.entries.len() <= 7);
        assert!(page.entries.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
        paged.extend(page.entries);
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    paged.reverse();
    assert_eq!(paged, whole);
    // Only the item asked for, by its reference.
    let risk = ws.base().unwrap().items.risks[1].clone();
    let only = history::log_page(&view, None, Some(&risk.reference), None, 100).unwrap();
    assert!(!only.entries.is_empty() && only.entries.iter().all(|e| e.changes.iter().all(|c| c.id == risk.id.as_str())), "{only:?}");
}

#[test]
fn a_reused_review_status_is_forgotten_when_the_log_moves() {
    let (_dir, mut ws) = run(&[Step::RiskText(0, 1)], 3);
    let before = crate::check::review_status(&ws.view(), None).unwrap();
    assert!(before.triggers.is_empty(), "{before:?}");
    ws.edit(DocKey::Base, &Author::new("kl", None), |e| {
        e.put(&Purpose { id: ItemId::from("purpose-ny"), reference: Reference("F99".into()), title: "Nyt".into(), ..Purpose::default() })
    })
    .unwrap();
    let after = crate::check::review_status(&ws.view(), None).unwrap();
    assert_eq!(after.triggers.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>(), ["purpose"]);
    // Kept in the file by what it read: the next command reads it back, and København's
    // own status is kept apart from the base's.
    let kbh = crate::check::review_status(&ws.view(), Some(KBH)).unwrap();
    let path = ws.path().to_owned();
    drop(ws);
    let mut ws = Workspace::open(&path, Arc::new(FixedEnv::new(T0, 8))).unwrap();
    let kept = |ws: &Workspace, key: &str| ws.store().conn_query_answer(key);
    assert!(kept(&ws, "review-status/").is_some() && kept(&ws, &format!("review-status/{KBH}")).is_some());
    assert_eq!(crate::check::review_status(&ws.view(), None).unwrap(), after);
    assert_eq!(crate::check::review_status(&ws.view(), Some(KBH)).unwrap(), kbh);
    // Esbjerg's supplement moving leaves both standing; the base moving does not.
    let meta: SupplementMeta = ws.doc(DocKey::Supplement(ESB)).unwrap().section().unwrap();
    ws.edit(DocKey::Supplement(ESB), &Author::new("esb", Some(ESB)), |e| e.set(&SupplementMeta { name: "Esbjerg K".into(), ..meta })).unwrap();
    let inputs = kept(&ws, "review-status/").unwrap();
    assert_eq!(crate::check::review_status(&ws.view(), None).unwrap(), after);
    assert_eq!(kept(&ws, "review-status/").unwrap(), inputs, "not computed again");
    ws.edit(DocKey::Base, &Author::new("kl", None), |e| e.remove::<Purpose>(&ItemId::from("purpose-ny")).map(|_| ())).unwrap();
    assert!(crate::check::review_status(&ws.view(), None).unwrap().triggers.is_empty());
    assert_ne!(kept(&ws, "review-status/").unwrap(), inputs);
}
