//! Prints figures for the workspace targets: open a joint DPIA with a base and 98
//! supplements and 100 000 logged updates (before and after compaction), append one
//! update durably, and compact. Run: `cargo bench -p konsekvens-core --bench workspace`.
//! A bench binary, not a timed test: shared machines make timings flaky as assertions.

use konsekvens_core::doc::{DocKey, DpiaDoc};
use konsekvens_core::model::*;
use konsekvens_core::store::{Store, UpdateMeta};
use konsekvens_core::check::{check, AcceptancePolicy, CheckContext};
use konsekvens_core::{Author, EffectiveDpia, Env, FixedEnv, Workspace};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SUPPLEMENTS: u16 = 98;
const UPDATES: usize = 100_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.konsekvens");
    let env: Arc<dyn Env> = Arc::new(FixedEnv::new(1_700_000_000_000, 42));
    let author = Author::new("bench", None);

    // 98 municipalities (codes 101, 103, …) each with a supplement document.
    let codes: Vec<OrgCode> = (0..SUPPLEMENTS).map(|i| OrgCode(101 + 2 * i)).collect();
    {
        let mut ws = Workspace::create(&path, env.clone()).unwrap();
        for (i, code) in codes.iter().enumerate() {
            let p = Participant { code: Some(*code), name: format!("Kommune {i}"), ref_prefix: format!("K{i}") };
            ws.add_participant(&p, &author).unwrap();
        }
    }

    // 100 000 small edits, spread over the base and the supplements as real work would be:
    // risks created and their texts and ratings revised, in one bulk transaction.
    let t = Instant::now();
    let keys: Vec<DocKey> = std::iter::once(DocKey::Base).chain(codes.iter().map(|c| DocKey::Supplement(*c))).collect();
    let docs: Vec<DpiaDoc> = keys.iter().enumerate().map(|(i, k)| DpiaDoc::new(*k, 1000 + i as u64)).collect();
    let mut store = Store::open(&path).unwrap();
    store
        .in_transaction(|store| {
            for n in 0..UPDATES {
                let d = n % docs.len();
                let doc = &docs[d];
                let risk = ItemId(format!("risk-{}", (n / docs.len()) % 20));
                let ((), update) = doc
                    .edit(|e| {
                        let mut r = e.get::<Risk>(&risk)?.unwrap_or_else(|| Risk {
                            id: risk.clone(),
                            reference: Reference(format!("R{}", (n / docs.len()) % 20 + 1)),
                            title: "Fejlsendt besked".into(),
                            ..Risk::default()
                        });
                        r.threat = Prose(format!("{} Revideret {n}.", r.threat.as_str().chars().take(200).collect::<String>()));
                        r.inherent.confidentiality.likelihood = Some(Likelihood::ALL[n % 4]);
                        e.put(&r)
                    })
                    .unwrap();
                let meta = UpdateMeta { org: None, author: "bench", client_id: Some(doc.client_id()), at_millis: n as i64 };
                store.append(keys[d], &update, &meta)?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);
    let size = std::fs::metadata(&path).unwrap().len();
    println!("setup: {UPDATES} updates over 1 base + {SUPPLEMENTS} supplements in {:.1?}; file {:.1} MiB", t.elapsed(), size as f64 / 1048576.0);

    let t = Instant::now();
    let ws = Workspace::open(&path, env.clone()).unwrap();
    println!("open, replaying the whole log (no snapshots):  {:>10.1?}", t.elapsed());
    let expected = ws.base().unwrap();
    drop(ws);

    let mut ws = Workspace::open(&path, env.clone()).unwrap();
    let t = Instant::now();
    let stats = ws.compact().unwrap();
    println!("compact {} documents ({} updates folded):       {:>10.1?}", stats.documents, stats.updates_folded, t.elapsed());
    drop(ws);

    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let ws = Workspace::open(&path, env.clone()).unwrap();
        opens.push(t.elapsed());
        assert_eq!(ws.base().unwrap(), expected, "compaction changed nothing visible");
    }
    println!("open after compaction (median of 5):           {:>10.1?}", median(opens));

    let mut ws = Workspace::open(&path, env.clone()).unwrap();
    let risk = ItemId("risk-0".into());
    let mut appends = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        ws.edit(DocKey::Supplement(codes[0]), &author, |e| e.update::<Risk>(&risk, |r| r.title = format!("Fejlsendt besked {i}")))
            .unwrap();
        appends.push(t.elapsed());
    }
    println!("append one update, durable (median of 200):    {:>10.1?}", median(appends.clone()));
    println!("append one update, durable (slowest of 200):   {:>10.1?}", appends.iter().max().unwrap());

    let t = Instant::now();
    let effective = ws.effective(codes[0]).unwrap();
    println!("effective DPIA of one municipality:            {:>10.1?} ({} risks)", t.elapsed(), effective.items.risks.len());

    // The Datatilsynet check over the base and all 98 municipalities, as the
    // coordinator's overview runs it.
    let today = Day::ymd(2026, 11, 24);
    let t = Instant::now();
    let base_only = Participant::default();
    let base = EffectiveDpia::compute(&ws.coordination().unwrap(), &ws.base().unwrap(), &Supplement::default(), &base_only);
    let mut findings = check(&base, &CheckContext { is_base: true, policy: AcceptancePolicy::default(), today }).findings.len();
    for code in &codes {
        let dpia = ws.effective(*code).unwrap();
        findings += check(&dpia, &CheckContext { is_base: false, policy: AcceptancePolicy::default(), today }).findings.len();
    }
    println!("check base + {SUPPLEMENTS} supplements (incl. effective view): {:>6.1?} ({findings} findings)", t.elapsed());
}
