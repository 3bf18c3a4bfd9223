use super::*;
use crate::env::FixedEnv;

fn env() -> Arc<dyn Env> {
    Arc::new(FixedEnv::new(1_700_000_000_000, 7))
}

fn dpo() -> Author {
    Author::new("dpo@kk.dk", Some(OrgCode(101)))
}

fn kbh() -> Participant {
    Participant { code: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into() }
}

fn fresh(dir: &tempfile::TempDir) -> (PathBuf, Workspace) {
    let path = dir.path().join("aula.konsekvens");
    let mut ws = Workspace::create(&path, env()).unwrap();
    ws.add_participant(&kbh(), &dpo()).unwrap();
    (path, ws)
}

fn a_risk(ws: &Workspace, reference: &str) -> Risk {
    Risk { id: ws.new_id("risk"), reference: Reference(reference.into()), title: "Fejlsendt besked".into(), ..Risk::default() }
}

#[test]
fn edits_are_durable_and_reopen_identically() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    let r = a_risk(&ws, "R1");
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    let local = Measure { id: ws.new_id("measure"), reference: Reference("KBH-M1".into()), mitigates: [r.id.clone()].into(), ..Measure::default() };
    ws.edit(DocKey::Supplement(OrgCode(101)), &dpo(), |e| e.put(&local)).unwrap();
    let before = (ws.base().unwrap(), ws.supplement(OrgCode(101)).unwrap());
    drop(ws);
    let ws = Workspace::open(&path, env()).unwrap();
    assert_eq!((ws.base().unwrap(), ws.supplement(OrgCode(101)).unwrap()), before);
    let log = ws.store().log(Some(DocKey::Base)).unwrap();
    assert_eq!(log.last().unwrap().author, "dpo@kk.dk");
    assert_eq!(log.last().unwrap().org, Some(OrgCode(101)));
}

#[test]
fn a_failed_edit_leaves_memory_and_file_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut ws) = fresh(&dir);
    let before = ws.base().unwrap();
    let r = a_risk(&ws, "R1");
    let err = ws
        .edit(DocKey::Base, &dpo(), |e| {
            e.put(&r)?;
            e.update::<Measure>(&"no-such".into(), |_| {})
        })
        .unwrap_err();
    assert!(err.to_string().contains("no measure with id no-such"), "{err}");
    assert_eq!(ws.base().unwrap(), before, "the half-made edit was rolled back");
    assert!(ws.store().log(Some(DocKey::Base)).unwrap().is_empty());
}

/// Edits of several documents inside `atomically` are all durable or none: a failure after
/// the first leaves memory, file and listener as they were; a success tells the listener
/// once committed.
#[test]
fn edits_of_several_documents_commit_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    let told = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = told.clone();
    ws.set_listener(Some(Arc::new(move |key, _: &[u8], _| sink.lock().unwrap().push(key))));
    let r = a_risk(&ws, "R1");
    let head = ws.store().head_seq().unwrap();
    let remarks = DocKey::Remarks(crate::doc::RemarkScope::public(crate::doc::Party::Coordinator));
    let failed: Result<(), WorkspaceError> = ws.atomically(|ws| {
        ws.edit(DocKey::Base, &dpo(), |e| e.put(&r))?;
        ws.add_documents(&[remarks])?;
        ws.add_participant(&Participant { code: Some(OrgCode(561)), name: "Esbjerg".into(), ref_prefix: "ESB".into() }, &dpo())?;
        Err(WorkspaceError::UnknownOrg(OrgCode(999)))
    });
    assert!(matches!(failed, Err(WorkspaceError::UnknownOrg(_))));
    assert!(ws.base().unwrap().items.risks.is_empty(), "memory holds what the file does not");
    assert_eq!(ws.coordination().unwrap().participants.len(), 1);
    assert!(!ws.keys().any(|k| k == remarks));
    assert_eq!(ws.store().head_seq().unwrap(), head);
    assert!(told.lock().unwrap().is_empty(), "the listener heard of a rolled-back edit");

    ws.atomically(|ws| {
        ws.edit(DocKey::Base, &dpo(), |e| e.put(&r))?;
        ws.add_participant(&Participant { code: Some(OrgCode(561)), name: "Esbjerg".into(), ref_prefix: "ESB".into() }, &dpo())
    })
    .unwrap();
    assert_eq!(*told.lock().unwrap(), vec![DocKey::Base, DocKey::Coordination, DocKey::Supplement(OrgCode(561))]);
    drop(ws);
    let ws = Workspace::open(&path, env()).unwrap();
    assert_eq!(ws.base().unwrap().items.risks.len(), 1);
    assert_eq!(ws.coordination().unwrap().participants.len(), 2);
}

#[test]
fn a_malformed_remote_update_is_refused_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut ws) = fresh(&dir);
    let r = a_risk(&ws, "R1");
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    let err = ws.apply_update(DocKey::Base, b"\x05\x00garbage", &dpo()).unwrap_err();
    assert!(err.to_string().contains("ikke en gyldig Yjs-opdatering"), "{err}");
    assert_eq!(ws.base().unwrap().items.risks, vec![r]);
}

#[test]
fn a_damaged_log_entry_is_named_and_the_file_is_not_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    let r = a_risk(&ws, "R1");
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    drop(ws);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let seq: i64 = conn.query_row("SELECT max(seq) FROM updates WHERE doc = 'base'", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE updates SET data = x'ffffff' WHERE seq = ?1", [seq]).unwrap();
    // The model the closed session kept is not what a reader must trust here: drop it, as
    // a file from before kept models (or a damaged kept model) reads.
    conn.execute("DELETE FROM models", []).unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    // Opening reads no document: it changes nothing.
    drop(Workspace::open(&path, env()).unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Documents are read when first needed: the base's damage is named when it is read.
    let before = log_and_snapshots(&path);
    let ws = Workspace::open(&path, env()).unwrap();
    let err = ws.view().base().unwrap_err().to_string();
    assert!(err.contains(&format!("opdatering nr. {seq} i loggen (dokument base)")), "{err}");
    let err = ws.doc(DocKey::Base).unwrap_err().to_string();
    assert!(err.contains(&format!("opdatering nr. {seq} i loggen (dokument base)")), "{err}");
    drop(ws);
    // Reading may keep the models of the intact documents (derived, see `models.rs`); the
    // log and the snapshots are as they were.
    assert_eq!(log_and_snapshots(&path), before);
}

/// Every logged update and snapshot of a file, as stored.
fn log_and_snapshots(path: &Path) -> Vec<(String, i64, Vec<u8>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut rows = Vec::new();
    for sql in ["SELECT doc, seq, data FROM updates ORDER BY seq", "SELECT doc, upto_seq, state FROM snapshots ORDER BY doc", "SELECT doc, upto_seq, state FROM history_snapshots ORDER BY doc, upto_seq"] {
        let mut stmt = conn.prepare(sql).unwrap();
        rows.extend(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap));
    }
    rows
}

#[test]
fn a_depth_bomb_in_the_log_is_named_not_an_abort() {
    // The bytes a hostile hub could have sent an earlier version: a few KB of nested arrays.
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    let r = a_risk(&ws, "R1");
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    let mut bomb = vec![1, 1, 9, 0, 8, 1, 4, b'b', b'a', b's', b'e', 1];
    for _ in 0..50_000 {
        bomb.extend_from_slice(&[117, 1]);
    }
    bomb.extend_from_slice(&[126, 0]);
    let meta = crate::store::UpdateMeta { org: None, author: "hub", client_id: None, at_millis: 1 };
    let seq = ws.store().append(DocKey::Base, &bomb, &meta).unwrap();
    drop(ws);
    let before = std::fs::read(&path).unwrap();
    let err = Workspace::open(&path, env()).unwrap_err().to_string();
    assert!(err.contains(&format!("opdatering nr. {seq}")) && err.contains("K-CRDT-DEPTH"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // From the wire it is refused too, and nothing is lost.
    let other = tempfile::tempdir().unwrap();
    let (_, mut ws) = fresh(&other);
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    let err = ws.apply_update(DocKey::Base, &bomb, &dpo()).unwrap_err().to_string();
    assert!(err.contains("K-CRDT-DEPTH"), "{err}");
    assert_eq!(ws.base().unwrap().items.risks, vec![r]);
}

#[test]
fn a_bit_flip_in_stored_text_is_reported_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    let r = Risk { title: "Uvedkommende læser elevplaner".into(), ..a_risk(&ws, "R1") };
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    drop(ws);
    // Flip one bit of the title's bytes in the file itself, as a failing disk would — in the
    // logged update and in the model the closed session kept of it.
    let mut bytes = std::fs::read(&path).unwrap();
    let needle = "elevplaner".as_bytes();
    let found: Vec<usize> = bytes.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i).collect();
    assert!(found.len() >= 2, "the title is stored as text, in the log and in the kept model");
    for at in found {
        bytes[at] ^= 0x01; // e → d
    }
    std::fs::write(&path, &bytes).unwrap();
    // The damaged kept model is not trusted; the log row is named when the base is read.
    let ws = Workspace::open(&path, env()).unwrap();
    let err = ws.view().base().unwrap_err().to_string();
    assert!(err.contains("K-FIL-INTEGRITET") && err.contains("opdatering nr."), "{err}");
    let err = ws.doc(DocKey::Base).unwrap_err().to_string();
    assert!(err.contains("K-FIL-INTEGRITET") && err.contains("opdatering nr."), "{err}");
}

#[test]
fn compaction_makes_opening_independent_of_the_log_and_keeps_history() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    let r = a_risk(&ws, "R1");
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    for i in 0..20 {
        ws.edit(DocKey::Base, &dpo(), |e| e.update::<Risk>(&r.id, |r| r.threat = Prose(format!("version {i}")))).unwrap();
    }
    let stats = ws.compact().unwrap();
    assert_eq!(stats.documents, 3);
    assert!(stats.updates_folded >= 21);
    assert_eq!(ws.store().pending_since_snapshot(DocKey::Base).unwrap(), 0);
    assert_eq!(ws.store().log(Some(DocKey::Base)).unwrap().len(), 21, "the log is the audit trail");
    let expected = ws.base().unwrap();
    drop(ws);
    assert_eq!(Workspace::open(&path, env()).unwrap().base().unwrap(), expected);
}

#[test]
fn adding_a_municipality_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut ws) = fresh(&dir);
    assert!(matches!(ws.add_participant(&kbh(), &dpo()), Err(WorkspaceError::DuplicateOrg(OrgCode(101)))));
    assert!(matches!(ws.view().effective(OrgCode(561)), Err(WorkspaceError::UnknownOrg(OrgCode(561)))));
}

#[test]
fn create_with_is_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.konsekvens");
    let coordination = Coordination { participants: vec![kbh()], ..Coordination::default() };
    let stray = Supplement { meta: SupplementMeta { org: Some(OrgCode(999)), ..SupplementMeta::default() }, ..Supplement::default() };
    let err = Workspace::create_with(&path, env(), &dpo(), &coordination, &Base::default(), &[stray]).unwrap_err();
    assert!(matches!(err, WorkspaceError::UnknownOrg(OrgCode(999))));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left behind");
}

/// Steps further apart than the undo manager's grouping window (its clock is the wall clock).
fn pause() {
    std::thread::sleep(std::time::Duration::from_millis(600));
}

#[test]
fn undo_and_redo_follow_the_users_own_steps_across_documents_and_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut ws) = fresh(&dir);
    ws.enable_undo();
    let r = a_risk(&ws, "R1");
    ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
    pause();
    ws.edit(DocKey::Base, &dpo(), |e| e.update::<Risk>(&r.id, |r| r.title = "Fejladresseret besked".into())).unwrap();
    pause();
    let kbh_meta = SupplementMeta { contacts: "DPO: dpo@kk.dk".into(), ..ws.supplement(OrgCode(101)).unwrap().meta };
    ws.edit(DocKey::Supplement(OrgCode(101)), &dpo(), |e| e.set(&kbh_meta)).unwrap();

    // A change from another municipality (via the hub) is not part of our undo history.
    let peer = DpiaDoc::new(DocKey::Base, 99);
    peer.apply_update(&ws.doc(DocKey::Base).unwrap().encode_state()).unwrap();
    let (_, remote) = peer.edit(|e| e.set(&Description { summary: "Fra Aarhus".into(), ..Description::default() })).unwrap();
    ws.apply_update(DocKey::Base, &remote, &Author::new("hub", Some(OrgCode(751)))).unwrap();

    assert_eq!(ws.undo(&dpo()).unwrap(), Some(DocKey::Supplement(OrgCode(101))));
    assert!(ws.supplement(OrgCode(101)).unwrap().meta.contacts.is_blank());
    assert_eq!(ws.undo(&dpo()).unwrap(), Some(DocKey::Base));
    assert_eq!(ws.base().unwrap().items.risks[0].title, "Fejlsendt besked");
    assert_eq!(ws.base().unwrap().description.summary.as_str(), "Fra Aarhus", "the remote change stays");
    assert_eq!(ws.redo(&dpo()).unwrap(), Some(DocKey::Base));
    assert_eq!(ws.base().unwrap().items.risks[0].title, "Fejladresseret besked");
    assert_eq!(ws.undo(&dpo()).unwrap(), Some(DocKey::Base));
    assert_eq!(ws.undo(&dpo()).unwrap(), Some(DocKey::Base));
    assert!(ws.base().unwrap().items.risks.is_empty());
    assert_eq!(ws.undo(&dpo()).unwrap(), None, "nothing more of ours to undo");

    // Every step was logged: the file says what memory says.
    let expected = (ws.base().unwrap(), ws.supplement(OrgCode(101)).unwrap());
    drop(ws);
    let ws = Workspace::open(&path, env()).unwrap();
    assert_eq!((ws.base().unwrap(), ws.supplement(OrgCode(101)).unwrap()), expected);
}

#[test]
fn text_typed_in_the_webview_is_local_and_undoable() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut ws) = fresh(&dir);
    ws.enable_undo();
    let seen: Arc<std::sync::Mutex<Vec<(DocKey, UpdateSource)>>> = Arc::default();
    let sink = seen.clone();
    ws.set_listener(Some(Arc::new(move |key, _: &[u8], source| sink.lock().unwrap().push((key, source)))));
    // The webview's Yjs document types into the description's summary.
    let mut webview = DpiaDoc::new(DocKey::Base, 42);
    webview.apply_update(&ws.doc(DocKey::Base).unwrap().encode_state()).unwrap();
    webview.enable_undo();
    let (_, typed) = webview.edit(|e| e.set(&Description { summary: "Aula bruges af skoler".into(), ..Description::default() })).unwrap();
    ws.apply_local_update(DocKey::Base, &typed, &dpo()).unwrap();
    assert_eq!(ws.base().unwrap().description.summary.as_str(), "Aula bruges af skoler");
    assert_eq!(ws.undo(&dpo()).unwrap(), Some(DocKey::Base));
    assert!(ws.base().unwrap().description.summary.is_blank());
    assert_eq!(*seen.lock().unwrap(), [(DocKey::Base, UpdateSource::Local), (DocKey::Base, UpdateSource::Local)]);
    // A malformed update from the webview is refused and changes nothing.
    assert!(ws.apply_local_update(DocKey::Base, b"\x00garbage", &dpo()).is_err());
}

#[test]
fn a_second_process_on_the_same_file_is_caught_up_and_never_lost_by_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut app) = fresh(&dir);
    // The sync client opens the same file (as `konsekvens sync --watch` or the app's sync task),
    // with its own random source: two processes never share a CRDT client id.
    let mut sync = Workspace::open(&path, Arc::new(FixedEnv::new(1_700_000_000_000, 8))).unwrap();
    // (Both Envs make the same item ids: give the items distinct ones.)
    let remote = Risk { id: ItemId::from("risk-from-aarhus"), ..a_risk(&sync, "R1") };
    sync.edit(DocKey::Base, &Author::new("hub", Some(OrgCode(751))), |e| e.put(&remote)).unwrap();
    // The app writes its own edit before it has read the other's: no gap may be skipped.
    let mine = Risk { id: ItemId::from("risk-mine"), ..a_risk(&app, "R2") };
    app.edit(DocKey::Base, &dpo(), |e| e.put(&mine)).unwrap();
    let heard: Arc<std::sync::Mutex<Vec<UpdateSource>>> = Arc::default();
    let sink = heard.clone();
    app.set_listener(Some(Arc::new(move |_, _: &[u8], source| sink.lock().unwrap().push(source))));
    assert_eq!(app.catch_up().unwrap(), vec![DocKey::Base]);
    assert_eq!(app.base().unwrap().items.risks.len(), 2);
    assert_eq!(*heard.lock().unwrap(), [UpdateSource::Remote]);
    assert!(app.catch_up().unwrap().is_empty(), "nothing new the second time");
    // A compaction by the sync process, which has not read the app's edit, loses nothing.
    sync.compact().unwrap();
    drop((app, sync));
    let reopened = Workspace::open(&path, env()).unwrap();
    assert_eq!(reopened.base().unwrap().items.risks.len(), 2);
    // A document another process added is picked up too.
    let mut a = Workspace::open(&path, env()).unwrap();
    let mut b = Workspace::open(&path, env()).unwrap();
    b.add_participant(&Participant { code: Some(OrgCode(561)), name: "Esbjerg".into(), ref_prefix: "ESB".into() }, &dpo()).unwrap();
    let changed = a.catch_up().unwrap();
    assert!(changed.contains(&DocKey::Supplement(OrgCode(561))), "{changed:?}");
    assert_eq!(a.supplement(OrgCode(561)).unwrap().meta.name, "Esbjerg");
}

mod fuzz_open {
    //! The fuzz harness for opening a workspace file (see the core README): a real file with
    //! bytes replaced anywhere — SQLite's header and pages, the stored updates — opens, or is
    //! refused with an error; it never panics, and a refused file is left as it was.
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// A small but real workspace: a base with risks, a supplement, a snapshot and a log tail.
    fn original() -> &'static [u8] {
        static FILE: OnceLock<Vec<u8>> = OnceLock::new();
        FILE.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let (path, mut ws) = fresh(&dir);
            for i in 1..=3 {
                let r = a_risk(&ws, &format!("R{i}"));
                ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
            }
            ws.compact().unwrap();
            let r = a_risk(&ws, "R4");
            ws.edit(DocKey::Base, &dpo(), |e| e.put(&r)).unwrap();
            drop(ws);
            std::fs::read(path).unwrap()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn a_damaged_file_opens_or_is_refused_never_panics(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            cut in proptest::option::weighted(0.1, any::<usize>()),
        ) {
            let mut bytes = original().to_vec();
            for (at, b) in &edits {
                let i = at % bytes.len();
                bytes[i] = *b;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut % bytes.len());
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.konsekvens");
            std::fs::write(&path, &bytes).unwrap();
            match Workspace::open(&path, env()) {
                Ok(ws) => {
                    // Whatever opened reads without panicking.
                    let _ = ws.base();
                    let _ = ws.store().log(None);
                }
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                    prop_assert_eq!(std::fs::read(&path).unwrap(), bytes, "a refused file is not changed");
                }
            }
        }
    }
}

#[test]
fn create_filled_leaves_nothing_when_filling_fails_and_renames_when_it_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ny.konsekvens");
    // A first sync that fails (a hostile hub, a refusal): no half-made file blocks a retry.
    let failed = Workspace::create_filled(&path, env(), |ws| {
        ws.add_participant(&kbh(), &dpo())?;
        Err::<(), WorkspaceError>(WorkspaceError::UnknownOrg(OrgCode(999)))
    });
    assert!(failed.is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left beside it");
    let (ws, n) = Workspace::create_filled(&path, env(), |ws| {
        ws.add_participant(&kbh(), &dpo())?;
        Ok::<_, WorkspaceError>(1)
    })
    .unwrap();
    assert_eq!(n, 1);
    assert_eq!(ws.store().path(), path.as_path());
    drop(ws);
    assert!(Workspace::open(&path, env()).unwrap().coordination().unwrap().participants.iter().any(|p| p.code == Some(OrgCode(101))));
    // And it never touches a file that is there.
    assert!(Workspace::create_filled(&path, env(), |_| Ok::<_, WorkspaceError>(())).is_err());
}
