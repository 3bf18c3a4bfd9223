//! The høring through a real hub, with hostile clients: a municipality writing another's
//! comments or answers, forging the coordinator's answer, reading another's supplement
//! threads, answering after the deadline (the hub's clock decides, whatever the client's
//! says) — each refused, and the legitimate story in between arrives everywhere.

mod common;

use common::*;
use konsekvens_core::doc::remarks::{ANSWERS, COMMENTS, RESPONSES};
use konsekvens_core::doc::{Party, RemarkScope};
use konsekvens_core::hearing::{self, Actor, NewComment};
use konsekvens_core::model::hearing::{Comment, Outcome, Target, Verdict};
use konsekvens_core::model::*;
use konsekvens_core::{Author, DocKey, Env, FixedEnv, Workspace};
use konsekvens_hub::{BasePolicy, DocOutcome, ServeConfig, SyncOptions};
use std::path::Path;
use std::sync::Arc;

fn kl() -> Actor {
    Actor::new("Koordinator", Party::Coordinator)
}
fn kbh() -> Actor {
    Actor::new("dpo@101", Party::Org(OrgCode(101)))
}
fn esb() -> Actor {
    Actor::new("dpo@561", Party::Org(OrgCode(561)))
}
fn remarks(by: Party) -> DocKey {
    DocKey::Remarks(RemarkScope::public(by))
}

async fn sync_as(ws: &mut Workspace, url: &str, token: &str, party: Party) -> konsekvens_hub::SyncReport {
    let opts = SyncOptions { party: Some(party), ..SyncOptions::default() };
    tokio::time::timeout(LIMIT, konsekvens_hub::sync_once_with(ws, url, token, &opts)).await.expect("sync in time").unwrap()
}

fn refusal(report: &konsekvens_hub::SyncReport, key: DocKey) -> String {
    report.refused().find(|(k, _)| *k == key).map(|(_, r)| r.to_owned()).unwrap_or_else(|| panic!("{key} not refused: {report}"))
}

/// KL's copy: the sample's coordination and an empty base of the test's DPIA, on `env`'s clock.
fn coordinator(dir: &Path, env: Arc<dyn Env>) -> Workspace {
    let mut base = Base::default();
    base.meta.dpia_id = DPIA.into();
    let coordination = coordinator_workspace(&dir.join("tmpl.konsekvens")).view().coordination().unwrap();
    Workspace::create_with(&dir.join("kl.konsekvens"), env, &Author::new("KL", None), &coordination, &base, &[]).unwrap()
}

fn municipality(dir: &Path, name: &str, env: Arc<dyn Env>) -> Workspace {
    Workspace::create(&dir.join(name), env).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_keeps_each_party_to_its_own_remarks() {
    let dir = tempfile::tempdir().unwrap();
    let hubdir = dir.path().join("hub");
    let t = registry(&hubdir, BasePolicy::CoordinatorOnly);
    let hub = TestHub::start(&hubdir).await;
    let url = hub.url();

    let mut coord = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    let today = konsekvens_core::env::today();
    let deadline = konsekvens_core::env::day_of_millis(konsekvens_core::SystemEnv.now_millis() + 14 * 86_400_000);
    hearing::open_round(&mut coord, &kl(), "udkast-1", deadline, "Høring").unwrap();
    assert!(sync_as(&mut coord, &url, &t.coordinator, Party::Coordinator).await.in_sync());

    // København and Esbjerg join, comment and answer, as they may.
    let mut k = municipality(dir.path(), "kbh.konsekvens", Arc::new(konsekvens_core::SystemEnv));
    assert!(sync_as(&mut k, &url, &t.kbh, Party::Org(OrgCode(101))).await.in_sync());
    let objection = hearing::add_comment(&mut k, &kbh(), NewComment { round: Some(1), text: "Vi kan ikke tiltræde".into(), objection: true, ..NewComment::default() }).unwrap();
    hearing::answer_round(&mut k, &kbh(), 1, Verdict::CannotAgree, "", "Anne", today).unwrap();
    let private = hearing::add_comment(&mut k, &kbh(), NewComment { target: Target { supplement: Some(OrgCode(101)), ..Target::default() }, text: "Internt".into(), ..NewComment::default() }).unwrap();
    let report = sync_as(&mut k, &url, &t.kbh, Party::Org(OrgCode(101))).await;
    assert!(report.in_sync(), "{report}");

    let mut e = municipality(dir.path(), "esb.konsekvens", Arc::new(konsekvens_core::SystemEnv));
    assert!(sync_as(&mut e, &url, &t.esb, Party::Org(OrgCode(561))).await.in_sync());
    let seen = hearing::Hearing::read(&e.view(), Party::Org(OrgCode(561))).unwrap();
    assert!(seen.comment(&objection).is_some(), "a comment on the base reaches every participant");
    assert!(seen.comment(&private).is_none());
    assert!(!e.keys().any(|k| k.name() == "remarks/101/101"), "Esbjerg never fetches København's supplement threads");

    // Esbjerg writes København's comments: refused by the hub, whatever its copy says.
    let kbh_doc = remarks(Party::Org(OrgCode(101)));
    let forged = Comment { id: "b-forged".into(), text: "København trækker indsigelsen".into(), ..Comment::default() };
    e.edit(kbh_doc, &Author::new("x", Some(OrgCode(561))), |ed| ed.put_record(COMMENTS, "b-forged", &serde_json::to_string(&forged).unwrap())).unwrap();
    let report = sync(&mut e, &url, &t.esb).await;
    assert!(refusal(&report, kbh_doc).starts_with("K-HUB-RIGHTS"));
    // … and København's answer to the round.
    e.edit(kbh_doc, &Author::new("x", Some(OrgCode(561))), |ed| ed.put_record(ANSWERS, "1", r#"{"round":1,"verdict":"agrees"}"#)).unwrap();
    assert!(refusal(&sync(&mut e, &url, &t.esb).await, kbh_doc).starts_with("K-HUB-RIGHTS"));

    // A member forges the coordinator's answer to its own objection.
    let coord_doc = remarks(Party::Coordinator);
    let answer = serde_json::json!({"comment": objection, "outcome": "taken_into_account", "reason": "", "proposal": null, "by": "KL", "at": 0, "earlier": []});
    k.edit(coord_doc, &kbh().author(), |ed| ed.put_record(RESPONSES, &objection, &answer.to_string())).unwrap();
    assert!(refusal(&sync(&mut k, &url, &t.kbh).await, coord_doc).starts_with("K-HUB-RIGHTS"));

    // Reading another's supplement threads: refused at the handshake.
    let report = sync_as(&mut e, &url, &t.esb, Party::Coordinator).await;
    let unavailable: Vec<String> = report.docs.iter().filter(|d| matches!(d.outcome, DocOutcome::Unavailable { .. })).map(|d| d.key.name()).collect();
    assert!(unavailable.contains(&"remarks/101/101".to_owned()) && unavailable.contains(&"remarks/coordinator/101".to_owned()), "{unavailable:?}");

    // The coordinator sees everything true, nothing forged, and answers.
    let report = sync_as(&mut coord, &url, &t.coordinator, Party::Coordinator).await;
    assert!(report.in_sync(), "{report}");
    let h = hearing::Hearing::read(&coord.view(), Party::Coordinator).unwrap();
    assert!(h.comment(&private).is_some() && h.comment("561/b-forged").is_none() && h.comment("101/b-forged").is_none());
    assert!(h.responses.is_empty(), "the forged answer never arrived");
    assert_eq!(h.answers[&(OrgCode(101), 1)].verdict, Verdict::CannotAgree);
    hearing::respond(&mut coord, &kl(), &objection, Outcome::Partly, "Delvist: se R2", None).unwrap();
    hearing::reply(&mut coord, &kl(), &private, "Noteret").unwrap();
    assert!(sync_as(&mut coord, &url, &t.coordinator, Party::Coordinator).await.in_sync());
    let report = sync_as(&mut k, &url, &t.kbh, Party::Org(OrgCode(101))).await;
    let h = hearing::Hearing::read(&k.view(), Party::Org(OrgCode(101))).unwrap();
    assert_eq!(h.responses[&objection].outcome, Outcome::Partly, "{report}");
    assert_eq!(h.threads().iter().find(|t| t.opening.reference == private).unwrap().replies.len(), 1);
    // Nothing is deleted: København removing its own objection, as a raw Yjs peer, is refused.
    let mut sock = raw(&hub, "remarks/101", &t.kbh).await;
    let state = barrier(&mut sock)
        .await
        .into_iter()
        .find_map(|m| match m {
            yrs::sync::Message::Sync(yrs::sync::SyncMessage::SyncStep2(s)) => Some(s),
            _ => None,
        })
        .unwrap();
    let doc = yrs::Doc::with_options(yrs::Options { client_id: yrs::ClientID::new(4_242_424), ..yrs::Options::default() });
    use yrs::updates::decoder::Decode;
    use yrs::{Map, ReadTxn, Transact};
    doc.transact_mut().apply_update(yrs::Update::decode_v1(&state).unwrap()).unwrap();
    let before = doc.transact().state_vector();
    let id = objection.split('/').nth(1).unwrap();
    assert!(doc.get_or_insert_map(COMMENTS).remove(&mut doc.transact_mut(), id).is_some());
    let deletion = doc.transact().encode_state_as_update_v1(&before);
    send(&mut sock, konsekvens_hub::proto::update(deletion)).await;
    let reasons = denials(&barrier(&mut sock).await);
    assert!(reasons.iter().any(|r| r.contains("K-HUB-REMARK-DELETED")), "{reasons:?}");
    assert!(sync_as(&mut e, &url, &t.esb, Party::Org(OrgCode(561))).await.in_sync());
    assert!(hearing::Hearing::read(&e.view(), Party::Org(OrgCode(561))).unwrap().comment(&objection).is_some());
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_after_the_deadline_is_refused_by_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hubdir = dir.path().join("hub");
    let t = registry(&hubdir, BasePolicy::CoordinatorOnly);
    let hub = TestHub::start(&hubdir).await;
    let url = hub.url();
    // Everyone's clock says November 2023; the hub's says today.
    let past = 1_700_000_000_000;
    let mut coord = coordinator(dir.path(), Arc::new(FixedEnv::new(past, 1)));
    hearing::open_round(&mut coord, &kl(), "udkast-1", Day::ymd(2023, 11, 30), "").unwrap();
    assert!(sync(&mut coord, &url, &t.coordinator).await.in_sync());
    let mut k = municipality(dir.path(), "kbh.konsekvens", Arc::new(FixedEnv::new(past, 2)));
    assert!(sync(&mut k, &url, &t.kbh).await.in_sync());
    // The client thinks it is in time; the hub knows better.
    hearing::answer_round(&mut k, &kbh(), 1, Verdict::Agrees, "", "Anne", Day::ymd(2023, 11, 15)).unwrap();
    let kbh_doc = remarks(Party::Org(OrgCode(101)));
    let why = refusal(&sync(&mut k, &url, &t.kbh).await, kbh_doc);
    assert!(why.starts_with("K-HUB-DEADLINE") && why.contains("fristen"), "{why}");
    // A comment to the round is late too; a comment outside any round is not.
    let mut k = Workspace::open(&dir.path().join("kbh.konsekvens"), Arc::new(FixedEnv::new(past + 10_000_000, 3))).unwrap();
    hearing::add_comment(&mut k, &kbh(), NewComment { round: Some(1), text: "sent".into(), ..NewComment::default() }).unwrap();
    assert!(refusal(&sync(&mut k, &url, &t.kbh).await, kbh_doc).starts_with("K-HUB-DEADLINE"));
    hearing::add_comment(&mut k, &kbh(), NewComment { text: "Uden for runden".into(), ..NewComment::default() }).unwrap();
    let report = sync(&mut k, &url, &t.kbh).await;
    assert!(report.in_sync(), "{report}");
    // An answer to a round that does not exist is refused as well.
    let mut e = municipality(dir.path(), "esb.konsekvens", Arc::new(FixedEnv::new(past, 4)));
    assert!(sync(&mut e, &url, &t.esb).await.in_sync());
    let esb_doc = remarks(Party::Org(OrgCode(561)));
    e.edit(esb_doc, &esb().author(), |ed| {
        ed.put_record(ANSWERS, "7", r#"{"round":7,"verdict":"agrees","note":"","dpo":"x","dpo_date":"2023-11-15","by":"x","answered_at":0,"earlier":[]}"#)
    })
    .unwrap();
    assert!(refusal(&sync(&mut e, &url, &t.esb).await, esb_doc).contains("ingen høringsrunde 7"));
    hub.stop().await;
}

/// The hub's clock is the core's injected `Env` (`ServeConfig::clock`, the wall clock or
/// `KONSEKVENS_TODAY` in `hub serve`): a hub whose day is past the deadline refuses an answer
/// a hostile client writes straight into its document while its own clock says it is in
/// time; a hub whose day is the deadline itself takes one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubs_injected_clock_decides_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let hubdir = dir.path().join("hub");
    let t = registry(&hubdir, BasePolicy::CoordinatorOnly);
    let deadline = Day::ymd(2031, 3, 1);
    let noon = |d: Day| d.0.midnight().assume_utc().unix_timestamp() * 1000 + 12 * 3_600_000;
    let env_on = |d: Day, seed: u64| -> Arc<dyn Env> { Arc::new(FixedEnv::new(noon(d), seed)) };
    let hub_on = |d: Day| ServeConfig { clock: konsekvens_hub::Clock(env_on(d, 9)), ..ServeConfig::new(&hubdir, "127.0.0.1:0".parse().unwrap()) };
    assert_eq!(hub_on(deadline).clock.0.today(), deadline);

    let hub = TestHub::start_with(hub_on(Day::ymd(2031, 3, 2))).await;
    let url = hub.url();
    let mut coord = coordinator(dir.path(), env_on(Day::ymd(2031, 2, 1), 1));
    hearing::open_round(&mut coord, &kl(), "udkast-1", deadline, "").unwrap();
    assert!(sync(&mut coord, &url, &t.coordinator).await.in_sync());
    let answer = |dpo: &str| {
        format!(r#"{{"round":1,"verdict":"agrees","note":"","dpo":"{dpo}","dpo_date":"2031-02-15","by":"{dpo}","answered_at":0,"earlier":[]}}"#)
    };
    // København's client thinks it is 15 February and writes its answer raw, past any check.
    let mut k = municipality(dir.path(), "kbh.konsekvens", env_on(Day::ymd(2031, 2, 15), 2));
    assert!(sync(&mut k, &url, &t.kbh).await.in_sync());
    let kbh_doc = remarks(Party::Org(OrgCode(101)));
    k.edit(kbh_doc, &kbh().author(), |ed| ed.put_record(ANSWERS, "1", &answer("Anne"))).unwrap();
    let why = refusal(&sync(&mut k, &url, &t.kbh).await, kbh_doc);
    assert!(why.starts_with("K-HUB-DEADLINE") && why.contains("i dag er 02.03.2031"), "{why}");
    hub.stop().await;

    // The same hub on the deadline's own day: in time.
    let hub = TestHub::start_with(hub_on(deadline)).await;
    let url = hub.url();
    let mut e = municipality(dir.path(), "esb.konsekvens", env_on(Day::ymd(2031, 2, 15), 4));
    assert!(sync(&mut e, &url, &t.esb).await.in_sync());
    let esb_doc = remarks(Party::Org(OrgCode(561)));
    e.edit(esb_doc, &esb().author(), |ed| ed.put_record(ANSWERS, "1", &answer("Erik"))).unwrap();
    let report = sync(&mut e, &url, &t.esb).await;
    assert!(report.in_sync(), "{report}");
    assert!(sync(&mut coord, &url, &t.coordinator).await.in_sync());
    let h = hearing::Hearing::read(&coord.view(), Party::Coordinator).unwrap();
    assert_eq!(h.answers.keys().collect::<Vec<_>>(), [&(OrgCode(561), 1)], "only the answer in time arrived");
    hub.stop().await;
}

/// Live, as the app syncs: a comment København writes arrives in Esbjerg's open session as
/// it is made, in København's remarks document, and reads as København's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_arrives_live() {
    use konsekvens_hub::{live_control, sync_live, LiveEvent, LiveOptions};
    let dir = tempfile::tempdir().unwrap();
    let hubdir = dir.path().join("hub");
    let t = registry(&hubdir, BasePolicy::CoordinatorOnly);
    let hub = TestHub::start(&hubdir).await;
    let url = hub.url();
    let mut coord = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut coord, &url, &t.coordinator).await.in_sync());
    let mut k = municipality(dir.path(), "kbh.konsekvens", Arc::new(konsekvens_core::SystemEnv));
    assert!(sync(&mut k, &url, &t.kbh).await.in_sync());
    let esb_path = dir.path().join("esb.konsekvens");
    let mut e = municipality(dir.path(), "esb.konsekvens", Arc::new(konsekvens_core::SystemEnv));
    assert!(sync(&mut e, &url, &t.esb).await.in_sync());
    drop(e);

    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (_handle, control) = live_control();
    let (live_url, token, path) = (url.clone(), t.esb.clone(), esb_path.clone());
    let task = tokio::spawn(async move {
        let mut ws = Workspace::open(&path, Arc::new(konsekvens_core::SystemEnv)).unwrap();
        let opts = LiveOptions { poll: std::time::Duration::from_millis(50), ..LiveOptions::default() };
        sync_live(&mut ws, &live_url, &token, opts, control, move |ev| drop(tx.send(ev)), async move {
            let _ = stopped.await;
        })
        .await
    });
    let kbh_doc = remarks(Party::Org(OrgCode(101)));
    tokio::time::timeout(LIMIT, async {
        while let Some(ev) = events.recv().await {
            if matches!(ev, LiveEvent::State(konsekvens_hub::LiveState::Live)) {
                break;
            }
        }
    })
    .await
    .expect("Esbjerg's session goes live");
    let comment = hearing::add_comment(&mut k, &kbh(), NewComment { text: "Skriv UNI-login ind i R5".into(), ..NewComment::default() }).unwrap();
    assert!(sync(&mut k, &url, &t.kbh).await.in_sync());
    tokio::time::timeout(LIMIT, async {
        while let Some(ev) = events.recv().await {
            if matches!(&ev, LiveEvent::Received { key, .. } if *key == kbh_doc) {
                break;
            }
        }
    })
    .await
    .expect("København's comment arrives live");
    let _ = stop.send(());
    tokio::time::timeout(LIMIT, task).await.unwrap().unwrap().unwrap();
    let e = Workspace::open(&esb_path, Arc::new(konsekvens_core::SystemEnv)).unwrap();
    let h = hearing::Hearing::read(&e.view(), Party::Org(OrgCode(561))).unwrap();
    assert_eq!(h.comment(&comment).map(|p| p.by), Some(Party::Org(OrgCode(101))));
    hub.stop().await;
}
