//! The hub in operation: `/healthz`, `/metrics`, backups taken while it serves under load and
//! restored to a hub that serves every acknowledged change, the data directory's lock, and
//! an older data directory upgraded through a backup and a restore.

mod common;

use common::*;
use konsekvens_hub::backup::{self, BackupError};
use konsekvens_hub::{BasePolicy, HubError, HubStore, ServeConfig};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, Map, Options, ReadTxn, Transact, Update};

/// A plain HTTP GET; the status and the body.
async fn get(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(LIMIT, tcp.read_to_end(&mut answer)).await.expect("an answer in time").unwrap();
    let text = String::from_utf8(answer).unwrap();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// A hub with `/metrics` on a loopback port of its own: its two addresses, the sender that
/// stops it and its task.
async fn serve_with_metrics(
    config: ServeConfig,
) -> (std::net::SocketAddr, std::net::SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<Result<(), HubError>>) {
    let config = ServeConfig { metrics_listen: Some("127.0.0.1:0".parse().unwrap()), ..config };
    let server = konsekvens_hub::Server::bind(config).await.unwrap();
    let (addr, metrics_addr) = (server.local_addr(), server.metrics_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    (addr, metrics_addr, stop, running)
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.parse().ok()))
}

fn put(doc: &Doc, key: &str) -> Vec<u8> {
    let before = doc.transact().state_vector();
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), key, "x");
    doc.transact().encode_state_as_update_v1(&before)
}

/// The base as a fresh reader of `hub` sees it.
async fn base_of(hub: &TestHub, token: &str) -> Doc {
    let mut ws = raw(hub, "base", token).await;
    let doc = Doc::with_options(Options { client_id: ClientID::new(9_999_001), ..Options::default() });
    for m in barrier(&mut ws).await {
        if let Message::Sync(SyncMessage::SyncStep2(u)) = m {
            doc.transact_mut().apply_update(Update::decode_v1(&u).unwrap()).unwrap();
        }
    }
    doc
}

fn has(doc: &Doc, key: &str) -> bool {
    let map = doc.get_or_insert_map("meta");
    let txn = doc.transact();
    map.get(&txn, key).is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_answer_and_count_what_happens_without_client_chosen_labels() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let (addr, metrics_addr, stop, running) = serve_with_metrics(ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap())).await;

    assert_eq!(get(addr, b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n").await, (200, "ok\n".to_owned()));
    // A request line arriving in pieces is still told apart from a handshake.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /hea").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    slow.write_all(b"lthz HTTP/1.1\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // /metrics names the joint DPIAs: not on the clients' address.
    let (status, body) = get(addr, b"GET /metrics HTTP/1.1\r\n\r\n").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("--metrics-listen"), "{body}");

    // Traffic: two writers, a reader's refused write, wrong tokens for a DPIA that does not exist.
    let mut kbh = raw_at(addr, "base", &t.kbh).await;
    let mut esb = raw_at(addr, "base", &t.esb).await;
    let mut reader = raw_at(addr, "base", &t.kbh_reader).await;
    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_555), ..Options::default() });
    for i in 0..5 {
        send(&mut kbh, konsekvens_hub::proto::update(put(&doc, &format!("k{i}")))).await;
    }
    barrier(&mut kbh).await;
    let mut got = 0;
    while got < 5 {
        got += recv(&mut esb).await.iter().filter(|m| matches!(m, Message::Sync(SyncMessage::Update(_)))).count();
    }
    let foreign = Doc::with_options(Options { client_id: ClientID::new(1_010_556), ..Options::default() });
    send(&mut reader, konsekvens_hub::proto::update(put(&foreign, "nope"))).await;
    assert_eq!(denials(&barrier(&mut reader).await).len(), 1);
    for _ in 0..3 {
        let url = format!("ws://{addr}/dpia/evil-{}/base?token=wrong", rand_suffix());
        assert!(tokio_tungstenite::connect_async(url).await.is_err());
    }
    tokio::time::sleep(Duration::from_millis(1300)).await; // a checkpoint runs every second

    let (status, text) = get(metrics_addr, b"GET /metrics HTTP/1.1\r\nHost: monitoring\r\n\r\n").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(metric(&text, "konsekvens_hub_connections{dpia=\"aula\"}"), Some(3.0), "{text}");
    assert_eq!(metric(&text, "konsekvens_hub_updates_total{dpia=\"aula\"}"), Some(5.0), "{text}");
    assert_eq!(metric(&text, "konsekvens_hub_refusals_total{dpia=\"aula\"}"), Some(1.0), "{text}");
    assert_eq!(metric(&text, "konsekvens_hub_handshake_refusals_total{status=\"401\"}"), Some(3.0), "{text}");
    // Each of the 5 updates reached one other connection (the reader's and Esbjerg's: 10).
    assert_eq!(metric(&text, "konsekvens_hub_fanout_seconds_count"), Some(10.0), "{text}");
    assert!(metric(&text, "konsekvens_hub_wal_bytes").is_some(), "{text}");
    assert!(metric(&text, "konsekvens_hub_last_checkpoint_timestamp_seconds").unwrap() > 1.7e9, "{text}");
    assert!(!text.contains("evil-"), "a client cannot add a series: {text}");
    assert!(text.ends_with("# EOF\n"));
    assert_eq!(get(metrics_addr, b"GET /healthz HTTP/1.1\r\n\r\n").await.0, 200);
    assert_eq!(get(metrics_addr, b"GET /other HTTP/1.1\r\n\r\n").await.0, 404);

    // Closed connections are counted down.
    drop((kbh, esb, reader));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, text) = get(metrics_addr, b"GET /metrics HTTP/1.1\r\n\r\n").await;
    assert_eq!(metric(&text, "konsekvens_hub_connections{dpia=\"aula\"}"), Some(0.0), "{text}");
    let _ = stop.send(());
    running.await.unwrap().unwrap();
}

/// A year of joint DPIAs opened and left: the hub holds only the documents in use. A room
/// nobody has open leaves memory after `room_idle` (never while a connection holds it), and
/// opening it again reads it from the log: what was written is all there, and the reopened
/// document takes new writes that reach the other connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_nobody_has_open_leaves_memory_and_opens_again_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let config = ServeConfig { room_idle: Duration::from_millis(200), ..ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap()) };
    let (addr, metrics_addr, stop, running) = serve_with_metrics(config).await;
    let open = || async move { metric(&get(metrics_addr, b"GET /metrics HTTP/1.1\r\n\r\n").await.1, "konsekvens_hub_documents_open") };

    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_777), ..Options::default() });
    let mut kbh = raw_at(addr, "base", &t.kbh).await;
    for i in 0..3 {
        send(&mut kbh, konsekvens_hub::proto::update(put(&doc, &format!("før{i}")))).await;
    }
    barrier(&mut kbh).await;
    assert_eq!(open().await, Some(1.0));
    // Held open, it stays however long it is idle.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(open().await, Some(1.0), "a room with a connection stays");

    drop(kbh);
    let mut gone = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if open().await == Some(0.0) {
            gone = true;
            break;
        }
    }
    assert!(gone, "the room left memory after its last connection closed");

    // Opened again: read from the log, and it takes writes as before.
    let mut esb = raw_at(addr, "base", &t.esb).await;
    barrier(&mut esb).await;
    let mut kbh = raw_at(addr, "base", &t.kbh).await;
    barrier(&mut kbh).await;
    send(&mut kbh, konsekvens_hub::proto::update(put(&doc, "efter"))).await;
    assert!(denials(&barrier(&mut kbh).await).is_empty());
    let mut forwarded = false;
    for _ in 0..20 {
        if recv(&mut esb).await.iter().any(|m| matches!(m, Message::Sync(SyncMessage::Update(_)))) {
            forwarded = true;
            break;
        }
    }
    assert!(forwarded, "the reopened room forwards to its connections");
    let mut reader = raw_at(addr, "base", &t.kbh_reader).await;
    let fresh = Doc::new();
    for m in barrier(&mut reader).await {
        if let Message::Sync(SyncMessage::SyncStep2(u)) = m {
            fresh.transact_mut().apply_update(Update::decode_v1(&u).unwrap()).unwrap();
        }
    }
    for key in ["før0", "før1", "før2", "efter"] {
        assert!(has(&fresh, key), "{key} is in the reopened document");
    }
    drop((kbh, esb, reader));
    let _ = stop.send(());
    running.await.unwrap().unwrap();
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

async fn raw_at(addr: std::net::SocketAddr, doc: &str, token: &str) -> Socket {
    let url = format!("ws://{addr}/dpia/{DPIA}/{doc}?token={token}");
    tokio::time::timeout(LIMIT, tokio_tungstenite::connect_async(url)).await.unwrap().unwrap().0
}

/// One writer under load: an update, and every few a barrier (the hub has answered every
/// earlier write: each is committed and fsynced), after which they count as acknowledged.
async fn write_until(hub_addr: std::net::SocketAddr, token: String, name: &'static str, client: u64, acked: Arc<AtomicUsize>, stop: Arc<AtomicBool>) {
    let mut ws = raw_at(hub_addr, "base", &token).await;
    let doc = Doc::with_options(Options { client_id: ClientID::new(client), ..Options::default() });
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..4 {
            send(&mut ws, konsekvens_hub::proto::update(put(&doc, &format!("{name}-{n}")))).await;
            n += 1;
        }
        let seen = barrier(&mut ws).await;
        assert!(denials(&seen).is_empty(), "{name}: {:?}", denials(&seen));
        acked.store(n, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_taken_under_load_restore_to_a_hub_that_serves_every_acknowledged_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let hub = TestHub::start(dir.path()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<(&'static str, String, u64)> =
        vec![("kbh", t.kbh.clone(), 1_010_901), ("esb", t.esb.clone(), 5_610_901), ("kl", t.coordinator.clone(), 7_770_901)];
    let mut acked = HashMap::new();
    let mut tasks = Vec::new();
    for (name, token, client) in writers {
        let count = Arc::new(AtomicUsize::new(0));
        acked.insert(name, count.clone());
        tasks.push(tokio::spawn(write_until(hub.addr, token, name, client, count, stop.clone())));
    }
    // Backups while the writers write, each with what was acknowledged before it began.
    let mut backups = Vec::new();
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let before: HashMap<&str, usize> = acked.iter().map(|(k, v)| (*k, v.load(Ordering::SeqCst))).collect();
        let (data, to) = (dir.path().to_owned(), out.path().join(format!("hub-{i}.sqlite")));
        let report = tokio::task::spawn_blocking(move || backup::backup(&data, &to)).await.unwrap().unwrap();
        assert_eq!(report.schema, konsekvens_hub::store::SCHEMA_VERSION);
        backups.push((report, before));
    }
    // While the hub serves, its directory cannot be restored into.
    let first = backups[0].0.path.clone();
    let refused = backup::restore(&first, dir.path(), true).unwrap_err();
    assert!(matches!(refused, BackupError::Hub(HubError::InUse(_))), "{refused}");
    // Nor can a second hub serve it.
    let second = konsekvens_hub::Server::bind(ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap())).await;
    assert!(matches!(second, Err(HubError::InUse(_))));
    // A backup never replaces a file.
    assert!(matches!(backup::backup(dir.path(), &first), Err(BackupError::Exists(_))));

    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let total: usize = acked.values().map(|a| a.load(Ordering::SeqCst)).sum();
    assert!(total >= 60, "the load wrote too little to mean anything: {total}");
    hub.stop().await;

    let mut grew = Vec::new();
    for (i, (report, before)) in backups.iter().enumerate() {
        assert!(report.updates >= before.values().sum::<usize>() as i64, "backup {i}: {report:?} {before:?}");
        let restored = tempfile::tempdir().unwrap();
        let back = backup::restore(&report.path, restored.path(), false).unwrap();
        assert_eq!((back.updates, back.last_seq), (report.updates, report.last_seq));
        let hub = TestHub::start(restored.path()).await;
        let base = base_of(&hub, &t.kbh_reader).await;
        for (name, n) in before {
            for k in 0..*n {
                assert!(has(&base, &format!("{name}-{k}")), "backup {i}: {name}-{k} was acknowledged before it began");
            }
        }
        // The restored hub takes writes as before.
        let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_999), ..Options::default() });
        let mut kbh = raw(&hub, "base", &t.kbh).await;
        send(&mut kbh, konsekvens_hub::proto::update(put(&doc, "after-restore"))).await;
        assert!(denials(&barrier(&mut kbh).await).is_empty());
        hub.stop().await;
        grew.push(report.updates);
    }
    assert!(grew.windows(2).all(|w| w[0] <= w[1]), "later backups hold more: {grew:?}");
}

#[test]
fn a_restore_keeps_the_database_it_replaces_and_refuses_what_is_not_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    registry(&data, BasePolicy::AllParticipants);
    let file = dir.path().join("backup.sqlite");
    backup::backup(&data, &file).unwrap();
    assert!(!dir.path().join("backup.sqlite.part").exists());
    HubStore::open(&data).unwrap().add_org("751", "Aarhus").unwrap();

    assert!(matches!(backup::restore(&file, &data, false), Err(BackupError::WouldReplace(_))));
    backup::restore(&file, &data, true).unwrap();
    let orgs: Vec<String> = HubStore::open(&data).unwrap().orgs().unwrap().into_iter().map(|o| o.code).collect();
    assert!(!orgs.contains(&"751".to_owned()), "the backup's state: {orgs:?}");
    let aside: Vec<_> = std::fs::read_dir(&data).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().starts_with("before-restore-")).collect();
    assert_eq!(aside.len(), 1);
    let kept = HubStore::open(&aside[0].path()).unwrap().orgs().unwrap();
    assert!(kept.iter().any(|o| o.code == "751"), "the replaced database is kept whole");
    assert!(data.join("hub.recovery").exists(), "peers may send back what the backup lacks");

    // Not a hub database, a damaged one, a missing one.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"SQLite format 3\0 but not really").unwrap();
    let fresh = dir.path().join("fresh");
    assert!(backup::restore(&junk, &fresh, false).is_err());
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t(x)").unwrap();
    assert!(matches!(backup::restore(&other, &fresh, false), Err(BackupError::NotAHub { .. })));
    let mut cut = std::fs::read(&file).unwrap();
    cut.truncate(cut.len() / 2);
    let cut_file = dir.path().join("cut.sqlite");
    std::fs::write(&cut_file, &cut).unwrap();
    assert!(backup::restore(&cut_file, &fresh, false).is_err(), "half a backup is refused");
    assert!(!fresh.join(konsekvens_hub::store::DB_FILE).exists(), "and nothing is put in place");
    assert!(matches!(backup::backup(&fresh, &dir.path().join("x.sqlite")), Err(BackupError::NoDatabase(_))));
    // Every error is coded, Danish first.
    let e: konsekvens_core::UserError = BackupError::WouldReplace(data.clone()).into();
    assert_eq!(e.code, "K-HUB-GENDAN-ERSTAT");
    assert!(e.da.contains("datamappen"), "{e:?}");
}

/// What a hub of schema 1 (the first release) left: the registry, one logged update.
fn schema_1_data_dir(dir: &Path, update: &[u8]) {
    let db = schema_1_database(
        dir,
        "INSERT INTO orgs VALUES ('KL', 'KL / KOMBIT', 1), ('101', 'København', 1);
        INSERT INTO dpias VALUES ('aula', 'AULA', 'KL', 'all', 1);
        INSERT INTO participants VALUES ('aula', '101');
        INSERT INTO client_ids VALUES (1010321, '101', 1, 1);",
    );
    db.execute("INSERT INTO tokens(hash, org, role, created_at) VALUES (?1, '101', 'member', 1)", [{
        use sha2::Digest;
        sha2::Sha256::digest(b"kbh-old").to_vec()
    }])
        .unwrap();
    db.execute("INSERT INTO updates(dpia, doc, data, org, token_id, at) VALUES ('aula', 'base', ?1, '101', 1, 2)", [update]).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_data_directory_is_upgraded_through_backup_and_restore_and_serves_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_321), ..Options::default() });
    schema_1_data_dir(&old, &put(&doc, "written-by-version-1"));
    // The documented upgrade: stop the old hub, back its directory up, restore into the new
    // version's directory (migrated there), start the new hub.
    let file = dir.path().join("v1.sqlite");
    let report = backup::backup(&old, &file).unwrap();
    assert_eq!(report.schema, 1, "a backup is the database as it was");
    let new = dir.path().join("new");
    let restored = backup::restore(&file, &new, false).unwrap();
    assert_eq!((restored.schema, restored.updates), (konsekvens_hub::store::SCHEMA_VERSION, 1));
    let hub = TestHub::start(&new).await;
    let base = base_of(&hub, "kbh-old").await;
    assert!(has(&base, "written-by-version-1"));
    // The old token still writes, under its old client id.
    let mut ws = raw(&hub, "base", "kbh-old").await;
    send(&mut ws, konsekvens_hub::proto::update(put(&doc, "written-by-this-version"))).await;
    assert!(denials(&barrier(&mut ws).await).is_empty());
    hub.stop().await;
    // A database from a newer hub is refused, not opened.
    rusqlite::Connection::open(new.join(konsekvens_hub::store::DB_FILE)).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let newer = dir.path().join("newer.sqlite");
    assert!(matches!(backup::backup(&new, &newer), Err(BackupError::Store(konsekvens_hub::StoreError::Newer { .. }))));
}
