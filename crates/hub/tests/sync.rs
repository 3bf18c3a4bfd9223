//! Two municipalities and a coordinator sync through a hub on loopback.

mod common;

use common::*;
use futures_util::SinkExt;
use konsekvens_core::model::*;
use konsekvens_core::{Author, DocKey, Workspace};
use konsekvens_hub::proto;
use konsekvens_hub::{BasePolicy, DocOutcome, HubStore, Queries, SyncError};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use yrs::sync::{Message, SyncMessage};
use yrs::{ClientID, Doc, Map, Options, ReadTxn, StateVector, Transact};

const KBH: OrgCode = OrgCode(101);
const ESB: OrgCode = OrgCode(561);

fn set_supplement_name(ws: &mut Workspace, code: OrgCode, who: u16, name: &str) -> Result<(), konsekvens_core::WorkspaceError> {
    let mut meta = ws.view().supplement(code).unwrap().meta;
    meta.org = Some(code);
    meta.name = name.into();
    ws.edit(DocKey::Supplement(code), &author(who), |e| e.set(&meta))
}

fn edit_description(ws: &mut Workspace, who: u16, f: impl FnOnce(&mut Description)) {
    let mut d = ws.view().base().unwrap().description;
    f(&mut d);
    ws.edit(DocKey::Base, &author(who), |e| e.set(&d)).unwrap();
}

/// Coordinator pushes; København and Esbjerg pull into empty files.
async fn three_parties(dir: &std::path::Path, hub: &TestHub, t: &Tokens) -> (Workspace, Workspace, Workspace) {
    let mut kl = coordinator_workspace(&dir.join("kl.konsekvens"));
    let r = sync(&mut kl, &hub.url(), &t.coordinator).await;
    assert!(r.in_sync(), "{r}");
    let mut kbh = empty_workspace(&dir.join("kbh.konsekvens"));
    let r = sync(&mut kbh, &hub.url(), &t.kbh).await;
    assert!(r.in_sync(), "{r}");
    let mut esb = empty_workspace(&dir.join("esb.konsekvens"));
    let r = sync(&mut esb, &hub.url(), &t.esb).await;
    assert!(r.in_sync(), "{r}");
    assert_eq!(kbh.view().base().unwrap().meta.dpia_id, DPIA);
    assert_eq!(kbh.view().supplement_codes(), vec![KBH, ESB]);
    (kl, kbh, esb)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_municipalities_editing_base_and_their_supplements_converge() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let (mut kl, mut kbh, mut esb) = three_parties(dir.path(), &hub, &t).await;

    set_supplement_name(&mut kbh, KBH, 101, "Københavns Kommune").unwrap();
    edit_description(&mut kbh, 101, |d| d.scope = Prose::from("Alle skoler og dagtilbud."));
    set_supplement_name(&mut esb, ESB, 561, "Esbjerg Kommune").unwrap();
    edit_description(&mut esb, 561, |d| d.retention = Prose::from("Slettes efter 5 år."));

    for (who, token) in [(0, &t.kbh), (1, &t.esb), (0, &t.kbh), (2, &t.coordinator)] {
        let ws = match who {
            0 => &mut kbh,
            1 => &mut esb,
            _ => &mut kl,
        };
        let r = sync(ws, &hub.url(), token).await;
        assert!(r.in_sync(), "{r}");
    }
    for ws in [&kbh, &esb, &kl] {
        let base = ws.view().base().unwrap();
        assert_eq!(base.description.summary.0, "Fælles konsekvensanalyse for AULA.");
        assert_eq!(base.description.scope.0, "Alle skoler og dagtilbud.");
        assert_eq!(base.description.retention.0, "Slettes efter 5 år.");
        assert_eq!(ws.view().supplement(KBH).unwrap().meta.name, "Københavns Kommune");
        assert_eq!(ws.view().supplement(ESB).unwrap().meta.name, "Esbjerg Kommune");
    }
    assert_eq!(kbh.view().base().unwrap(), esb.view().base().unwrap());

    // Every logged change is attributable to the organisation whose token sent it.
    let store = HubStore::open(dir.path()).unwrap();
    let log = store.log(DPIA, Some(DocKey::Supplement(KBH))).unwrap();
    assert!(!log.is_empty() && log.iter().all(|row| row.org == "101"), "{log:?}");
    let log = store.log(DPIA, Some(DocKey::Coordination)).unwrap();
    assert!(log.iter().all(|row| row.org == "KL"));
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_another_municipalitys_supplement_is_refused_not_applied_not_forwarded() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let (_kl, mut kbh, mut esb) = three_parties(dir.path(), &hub, &t).await;
    set_supplement_name(&mut esb, ESB, 561, "Esbjerg Kommune").unwrap();
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    let log_before = HubStore::open(dir.path()).unwrap().log(DPIA, Some(DocKey::Supplement(ESB))).unwrap().len();

    // Esbjerg listens on its own supplement.
    let mut listener = raw(&hub, "supplement/561", &t.esb).await;
    let _greeting = barrier(&mut listener).await;

    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    set_supplement_name(&mut kbh, ESB, 101, "Overtaget af København").unwrap();
    let r = sync(&mut kbh, &hub.url(), &t.kbh).await;
    assert!(!r.in_sync());
    let refused: Vec<_> = r.refused().collect();
    assert_eq!(refused.len(), 1, "{r}");
    assert_eq!(refused[0].0, DocKey::Supplement(ESB));
    assert!(refused[0].1.contains("561"), "{}", refused[0].1);
    let kept = r.docs.iter().find(|d| d.key == DocKey::Supplement(ESB)).unwrap();
    assert!(matches!(&kept.outcome, DocOutcome::Refused { refused_update, reset: true, .. } if !refused_update.is_empty()));
    // Resynchronised: the live document is the hub's again, the refused change stays in the log.
    assert_eq!(kbh.view().supplement(ESB).unwrap().meta.name, "Esbjerg Kommune");
    let log = konsekvens_core::history::history(&kbh.view(), Some(ESB), None).unwrap();
    assert!(log.iter().any(|row| row.doc == DocKey::Supplement(ESB).name() && row.org == Some(KBH)));
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync(), "clean after the reset");
    // København can still write its own supplement afterwards.
    set_supplement_name(&mut kbh, KBH, 101, "Københavns Kommune").unwrap();
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());

    // Not forwarded: nothing reached the listener before its next barrier.
    let seen = barrier(&mut listener).await;
    assert!(!seen.iter().any(|m| matches!(m, Message::Sync(SyncMessage::Update(_)))), "{seen:?}");
    // Not applied, not logged; the refusal itself is recorded.
    let store = HubStore::open(dir.path()).unwrap();
    assert_eq!(store.log(DPIA, Some(DocKey::Supplement(ESB))).unwrap().len(), log_before);
    let refusals = store.refusals(DPIA).unwrap();
    assert!(refusals.iter().any(|r| r.org.as_deref() == Some("101") && r.doc == "supplement/561"), "{refusals:?}");
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    assert_eq!(esb.view().supplement(ESB).unwrap().meta.name, "Esbjerg Kommune");
    // A fresh workspace sees Esbjerg's own text only.
    let mut fresh = empty_workspace(&dir.path().join("fresh.konsekvens"));
    let _ = sync(&mut fresh, &hub.url(), &t.esb).await;
    assert_eq!(fresh.view().supplement(ESB).unwrap().meta.name, "Esbjerg Kommune");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_syncs_but_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());

    let mut reader = empty_workspace(&dir.path().join("reader.konsekvens"));
    let r = sync(&mut reader, &hub.url(), &t.kbh_reader).await;
    assert!(r.in_sync(), "pulling is fine for a reader: {r}");
    assert_eq!(reader.view().base().unwrap().meta.title, "AULA");

    edit_description(&mut reader, 101, |d| d.scope = Prose::from("Læseren skriver"));
    let r = sync(&mut reader, &hub.url(), &t.kbh_reader).await;
    let refused: Vec<_> = r.refused().collect();
    assert_eq!(refused.len(), 1, "{r}");
    assert!(refused[0].1.contains("read-only"), "{}", refused[0].1);
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    assert_eq!(kl.view().base().unwrap().description.scope.0, "");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_only_policy_refuses_members_on_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::CoordinatorOnly);
    let hub = TestHub::start(dir.path()).await;
    let (_kl, mut kbh, _esb) = three_parties(dir.path(), &hub, &t).await;
    edit_description(&mut kbh, 101, |d| d.scope = Prose::from("x"));
    set_supplement_name(&mut kbh, KBH, 101, "Københavns Kommune").unwrap();
    let r = sync(&mut kbh, &hub.url(), &t.kbh).await;
    let refused: Vec<_> = r.refused().map(|(k, _)| k).collect();
    assert_eq!(refused, vec![DocKey::Base], "{r}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_hub_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let (_kl, mut kbh, _esb) = three_parties(dir.path(), &hub, &t).await;
    set_supplement_name(&mut kbh, KBH, 101, "Københavns Kommune").unwrap();
    edit_description(&mut kbh, 101, |d| d.scope = Prose::from("Alle skoler."));
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    hub.stop().await;
    // Shutdown snapshotted the documents; the log is still complete.
    let store = HubStore::open(dir.path()).unwrap();
    assert!(store.snapshot(DPIA, DocKey::Base).unwrap().is_some());
    drop(store);

    let hub = TestHub::start(dir.path()).await;
    let mut fresh = empty_workspace(&dir.path().join("fresh.konsekvens"));
    assert!(sync(&mut fresh, &hub.url(), &t.esb).await.in_sync());
    assert_eq!(fresh.view().base().unwrap(), kbh.view().base().unwrap());
    assert_eq!(fresh.view().supplement(KBH).unwrap().meta.name, "Københavns Kommune");
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync(), "nothing new either way");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_merge_on_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let url = hub.url();
    let (_kl, mut kbh, mut esb) = three_parties(dir.path(), &hub, &t).await;
    hub.stop().await;

    edit_description(&mut kbh, 101, |d| d.scope = Prose::from("Offline i København."));
    set_supplement_name(&mut kbh, KBH, 101, "KK offline").unwrap();
    let err = konsekvens_hub::sync_once(&mut kbh, &url, &t.kbh).await.expect_err("hub is down");
    assert!(err.is_transient(), "{err}");
    edit_description(&mut esb, 561, |d| d.retention = Prose::from("Offline i Esbjerg."));

    let hub = TestHub::start(dir.path()).await;
    for (who, token) in [(0, &t.kbh), (1, &t.esb), (0, &t.kbh)] {
        let ws = if who == 0 { &mut kbh } else { &mut esb };
        let r = sync(ws, &hub.url(), token).await;
        assert!(r.in_sync(), "{r}");
    }
    for ws in [&kbh, &esb] {
        let d = ws.view().base().unwrap().description;
        assert_eq!(d.scope.0, "Offline i København.");
        assert_eq!(d.retention.0, "Offline i Esbjerg.");
        assert_eq!(ws.view().supplement(KBH).unwrap().meta.name, "KK offline");
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organisations_client_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let doc = Doc::with_options(Options { client_id: ClientID::new(4242), ..Options::default() });
    let map = doc.get_or_insert_map("meta");
    map.insert(&mut doc.transact_mut(), "a", "from København");
    let first = doc.transact().encode_state_as_update_v1(&StateVector::default());

    let mut kbh = raw(&hub, "base", &t.kbh).await;
    kbh.send(WsMessage::Binary(proto::update(first).into())).await.unwrap();
    let seen = barrier(&mut kbh).await;
    assert!(!seen.iter().any(|m| matches!(m, Message::Auth(_))), "{seen:?}");

    // Esbjerg continues client 4242's history: refused, it belongs to 101.
    let sv = doc.transact().state_vector();
    map.insert(&mut doc.transact_mut(), "b", "forged");
    let second = doc.transact().encode_state_as_update_v1(&sv);
    let mut esb = raw(&hub, "base", &t.esb).await;
    esb.send(WsMessage::Binary(proto::update(second.clone()).into())).await.unwrap();
    let seen = barrier(&mut esb).await;
    let reason = seen.iter().find_map(|m| match m {
        Message::Auth(Some(r)) => Some(r.clone()),
        _ => None,
    });
    assert!(reason.as_deref().is_some_and(|r| r.contains("4242") && r.contains("101")), "{seen:?}");
    // København itself may continue it.
    kbh.send(WsMessage::Binary(proto::update(second).into())).await.unwrap();
    let seen = barrier(&mut kbh).await;
    assert!(!seen.iter().any(|m| matches!(m, Message::Auth(_))), "{seen:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_revoked_tokens_are_turned_away() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut ws = empty_workspace(&dir.path().join("x.konsekvens"));
    let err = konsekvens_hub::sync_once(&mut ws, &hub.url(), "khub_nope").await.expect_err("refused");
    assert!(matches!(err, SyncError::Unauthorized(_)), "{err}");
    HubStore::open(dir.path()).unwrap().revoke_token(t.kbh_id).unwrap();
    let err = konsekvens_hub::sync_once(&mut ws, &hub.url(), &t.kbh).await.expect_err("revoked");
    assert!(matches!(err, SyncError::Unauthorized(_)), "{err}");
    assert!(sync(&mut ws, &hub.url(), &t.esb).await.in_sync());
    hub.stop().await;
}

#[test]
fn tokens_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let store = HubStore::open(dir.path()).unwrap();
    assert_eq!(store.authenticate(&t.kbh).unwrap().unwrap().org, "101");
    store.checkpoint().unwrap();
    let bytes = std::fs::read(store.path()).unwrap();
    assert!(!bytes.windows(t.kbh.len()).any(|w| w == t.kbh.as_bytes()), "the secret is not in the database");
    store.revoke_token(t.kbh_id).unwrap();
    assert!(store.authenticate(&t.kbh).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_compacts_into_snapshots_and_keeps_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = konsekvens_hub::ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
    config.compact_after = 3;
    let hub = TestHub::start_with(config).await;
    let (_kl, mut kbh, _esb) = three_parties(dir.path(), &hub, &t).await;
    for i in 0..7 {
        edit_description(&mut kbh, 101, |d| d.scope = Prose::from(format!("Version {i}").as_str()));
        assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    }
    let store = HubStore::open(dir.path()).unwrap();
    let (upto, _) = store.snapshot(DPIA, DocKey::Base).unwrap().expect("snapshot written while running");
    let log = store.log(DPIA, Some(DocKey::Base)).unwrap();
    assert!(upto > log[0].seq, "the snapshot covers part of the log");
    assert!(log.len() >= 8, "the log keeps every update: {}", log.len());
    drop(store);
    hub.stop().await;
    let hub = TestHub::start(dir.path()).await;
    let mut fresh = empty_workspace(&dir.path().join("fresh.konsekvens"));
    assert!(sync(&mut fresh, &hub.url(), &t.esb).await.in_sync());
    assert_eq!(fresh.view().base().unwrap().description.scope.0, "Version 6");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deletion_from_the_hub_is_kept_after_reopening() {
    // A peer erasing text sends an update with a delete set and no new blocks: it must be
    // logged like any other, or reopening the file brings the text back.
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    edit_description(&mut kl, 101, |d| d.scope = Prose::from("Skoler og dagtilbud"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let path = dir.path().join("kbh.konsekvens");
    let mut kbh = empty_workspace(&path);
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    edit_description(&mut kl, 101, |d| d.scope = Prose::from("Skoler"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let r = sync(&mut kbh, &hub.url(), &t.kbh).await;
    assert_eq!(r.received(), 1, "{r}");
    drop(kbh);
    let kbh = Workspace::open(&path, std::sync::Arc::new(konsekvens_core::SystemEnv)).unwrap();
    assert_eq!(kbh.view().base().unwrap().description.scope.0, "Skoler");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_copy_names_the_organisation_that_wrote_or_deleted_and_a_restore_is_the_coordinators() {
    use konsekvens_core::history::{ChangeAuthor, Point};
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let (mut kl, mut kbh, mut esb) = three_parties(dir.path(), &hub, &t).await;
    let esbjerg = ChangeAuthor { org: "561".into(), name: "Esbjerg".into(), label: "esb".into() };
    let kl_org = ChangeAuthor { org: "KL".into(), name: "KL / KOMBIT".into(), label: "kl".into() };

    // Esbjerg writes into the base; København's copy names Esbjerg, not just «hub …».
    edit_description(&mut esb, 561, |d| d.scope = Prose::from("Skoler i Esbjerg."));
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    let last = konsekvens_core::history::history(&kbh.view(), None, None).unwrap().pop().unwrap();
    assert!(last.author.starts_with("hub "), "{last:?}");
    assert_eq!(last.by, vec![esbjerg.clone()]);

    // A deletion only (text erased) carries no client id of its own: the hub names Esbjerg.
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let point_kl = Point::Seq(kl.view().head_seq().unwrap());
    edit_description(&mut esb, 561, |d| {
        d.summary = Prose::from("");
        d.scope = Prose::from("");
    });
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    let last = konsekvens_core::history::history(&kbh.view(), None, None).unwrap().pop().unwrap();
    assert!(last.changes.iter().any(|c| c.collection == "description"), "{last:?}");
    assert_eq!(last.by, vec![esbjerg.clone()], "{last:?}");

    // The hub's own log says the same, with what was deleted.
    let store = HubStore::open(dir.path()).unwrap();
    let log = konsekvens_hub::attribution::hub_log(&store, DPIA, Some("561"), Some(DocKey::Base), Some(1)).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].org_name.as_str(), log[0].token_label.as_str()), ("Esbjerg", "esb"));
    assert!(!log[0].change.ids.deleted.is_empty() && log[0].change.ids.inserted.is_empty(), "{:?}", log[0].change.ids);

    // The coordinator restores the base through the hub: a new change, by KL, everywhere.
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let report = kl.restore(DocKey::Base, &point_kl, &Author::new("kl", None)).unwrap();
    assert_eq!(report.changed.len(), 1, "{}", report.render());
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    let base = kbh.view().base().unwrap();
    assert_eq!((base.description.summary.0.as_str(), base.description.scope.0.as_str()), ("Fælles konsekvensanalyse for AULA.", "Skoler i Esbjerg."));
    let last = konsekvens_core::history::history(&kbh.view(), None, None).unwrap().pop().unwrap();
    assert_eq!(last.by, vec![kl_org], "{last:?}");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authors_answer_comes_only_to_a_client_that_asks() {
    use konsekvens_hub::attribution::{AuthorsAnswer, AUTHORS, AUTHORS_QUERY};
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let (_kl, _kbh, mut esb) = three_parties(dir.path(), &hub, &t).await;

    // A Yjs-like peer that never asks: while Esbjerg writes, it gets sync and nothing custom.
    let mut yjs = raw(&hub, "base", &t.kbh).await;
    let mut seen = barrier(&mut yjs).await;
    edit_description(&mut esb, 561, |d| d.scope = Prose::from("Esbjerg."));
    assert!(sync(&mut esb, &hub.url(), &t.esb).await.in_sync());
    seen.extend(barrier(&mut yjs).await);
    assert!(!seen.iter().any(|m| matches!(m, Message::Custom(..))), "{seen:?}");

    // Asked, the hub names every client id in the document and who deleted what.
    send(&mut yjs, proto::encode(&Message::Custom(AUTHORS_QUERY, Vec::new()))).await;
    let answer = loop {
        let found = recv(&mut yjs).await.into_iter().find_map(|m| match m {
            Message::Custom(AUTHORS, json) => Some(serde_json::from_slice::<AuthorsAnswer>(&json).unwrap()),
            _ => None,
        });
        if let Some(a) = found {
            break a;
        }
    };
    let orgs: std::collections::BTreeSet<(&str, &str)> = answer.clients.iter().map(|c| (c.org.as_str(), c.name.as_str())).collect();
    assert_eq!(orgs, [("561", "Esbjerg"), ("KL", "KL / KOMBIT")].into_iter().collect(), "{answer:?}");
    assert!(answer.clients.iter().any(|c| c.org == "561" && c.label == "esb"));
    hub.stop().await;
}

/// A peer's SyncStep2 is computed against the hub's state vector as it was when it connected,
/// so it can carry back what others wrote meanwhile. From a token that may not write the
/// document that echo is no write and must not be refused (it made a concurrent `konsekvens
/// sync` of the coordinator fail on a municipality's supplement); a block of its own is.
#[tokio::test]
async fn an_echo_of_others_blocks_from_a_non_writer_is_ignored_and_its_own_block_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let mut kl = coordinator_workspace(&dir.path().join("kl.konsekvens"));
    assert!(sync(&mut kl, &hub.url(), &t.coordinator).await.in_sync());
    let mut kbh = empty_workspace(&dir.path().join("kbh.konsekvens"));
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    set_supplement_name(&mut kbh, KBH, 101, "Københavns Kommune").unwrap();
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());

    // KL holds København's supplement as the hub has it, København's blocks included.
    let mut socket = raw(&hub, "supplement/101", &t.coordinator).await;
    let state = barrier(&mut socket)
        .await
        .into_iter()
        .find_map(|m| match m {
            Message::Sync(SyncMessage::SyncStep2(s)) => Some(s),
            _ => None,
        })
        .expect("SyncStep2");
    let copy = Doc::with_options(Options { client_id: ClientID::new(4711), ..Options::default() });
    copy.transact_mut().apply_update(proto::decode_update(&state).unwrap()).unwrap();
    let before = copy.transact().state_vector();
    // Sent back whole, as a SyncStep2 against an older state vector would: ignored.
    send(&mut socket, proto::sync_step2(copy.transact().encode_state_as_update_v1(&StateVector::default()))).await;
    let answer = barrier(&mut socket).await;
    assert!(denials(&answer).is_empty(), "{answer:?}");
    // A block of KL's own in København's supplement: refused for its rights.
    copy.get_or_insert_map("meta").insert(&mut copy.transact_mut(), "name", "KL skriver her");
    send(&mut socket, proto::sync_step2(copy.transact().encode_state_as_update_v1(&before))).await;
    let denied = denials(&barrier(&mut socket).await);
    assert!(denied.len() == 1 && denied[0].starts_with("K-HUB-RIGHTS"), "{denied:?}");
    assert!(sync(&mut kbh, &hub.url(), &t.kbh).await.in_sync());
    assert_eq!(kbh.view().supplement(KBH).unwrap().meta.name, "Københavns Kommune");
    hub.stop().await;
}
