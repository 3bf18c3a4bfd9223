use super::*;
use crate::model::ItemId;
use crate::env::FixedEnv;
use std::sync::Arc;

const START: i64 = 1_700_000_000_000; // 2023-11-14
const KBH: OrgCode = OrgCode(101);
const ESB: OrgCode = OrgCode(561);
const AAR: OrgCode = OrgCode(751);
const R1: &str = "risk-adgangskontrol-mangelfuld";

fn env_at(millis: i64) -> Arc<dyn crate::Env> {
    Arc::new(FixedEnv::new(millis, 11))
}

fn kl() -> Actor {
    Actor::new("Koordinator KL", Party::Coordinator)
}
fn kbh() -> Actor {
    Actor::new("DPO København", Party::Org(KBH))
}
fn esb() -> Actor {
    Actor::new("DPO Esbjerg", Party::Org(ESB))
}

/// The AULA sample with its release, before any hearing round.
fn sample(dir: &tempfile::TempDir) -> Workspace {
    let (coordination, base, supplements) = crate::sample::aula();
    let mut ws = Workspace::create_with(&dir.path().join("aula.konsekvens"), env_at(START), &kl().author(), &coordination, &base, &supplements).unwrap();
    ws.publish_release(crate::sample::VERSION, crate::sample::RELEASE_DATE, "", &kl().author()).unwrap();
    ws
}

/// The bundled sample as `konsekvens demo` writes it.
fn demo(dir: &tempfile::TempDir) -> Workspace {
    Workspace::create_demo(&dir.path().join("demo.konsekvens"), env_at(START)).unwrap()
}

fn on_r1(field: &str) -> Target {
    Target { item: Some(ItemId(R1.into())), field: field.into(), ..Target::default() }
}

fn likelihood_proposal() -> Proposal {
    Proposal { field: "inherent.confidentiality.likelihood".into(), value: serde_json::json!("expected") }
}

/// The issue's story in the core: a round, an objection with a «forslag», an agreement with
/// a comment, a municipality that does not answer; accepted, answered, published.
#[test]
fn a_round_from_opening_to_release() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    let round = open_round(&mut ws, &kl(), "2026.1-udkast", Day::ymd(2023, 12, 1), "Høring over udkast").unwrap();
    assert_eq!(round.number, 1);
    assert_eq!(round.draft.content_hash, crate::release::sha256_hex(round.draft.content.as_bytes()));

    let objection = add_comment(
        &mut ws,
        &kbh(),
        NewComment { target: on_r1("inherent.confidentiality"), round: Some(1), text: "Sandsynligheden er forventet, ikke sandsynlig".into(), proposal: Some(likelihood_proposal()), objection: true },
    )
    .unwrap();
    assert!(objection.starts_with("101/b-"));
    answer_round(&mut ws, &kbh(), 1, Verdict::CannotAgree, "", "Anne DPO", Day::ymd(2023, 11, 20)).unwrap();
    let esb_comment = add_comment(&mut ws, &esb(), NewComment { target: on_r1(""), round: Some(1), text: "Nævn UNI-login".into(), ..NewComment::default() }).unwrap();
    answer_round(&mut ws, &esb(), 1, Verdict::AgreesWithRemarks, "", "Erik DPO", Day::ymd(2023, 11, 21)).unwrap();

    let participants = ws.view().coordination().unwrap().participants;
    let h = Hearing::read(&ws.view(), Party::Coordinator).unwrap();
    let status = h.status(1, &participants).unwrap();
    assert_eq!(status.not_answered().map(|p| p.code).collect::<Vec<_>>(), vec![AAR]);
    let kbh_row = status.participants.iter().find(|p| p.code == KBH).unwrap();
    assert_eq!((kbh_row.answer.as_ref().unwrap().verdict, kbh_row.open_objections), (Verdict::CannotAgree, 1));
    assert_eq!(status.unanswered.len(), 2);
    assert_eq!(status.recurring.len(), 0, "different fields of R1 are not the same comment");

    // Not every comment answered: the round cannot close.
    let err = close_round(&mut ws, &kl(), 1, "2026.1", "").unwrap_err();
    assert!(matches!(err, HearingError::Unanswered { .. }), "{err}");

    let response = respond(&mut ws, &kl(), &objection, Outcome::TakenIntoAccount, "Enig", Some(Decision::Accept)).unwrap();
    let Some(ProposalDecision::Accepted { before, after, seq, .. }) = &response.proposal else { panic!("{response:?}") };
    assert_eq!((before, after), (&serde_json::json!("likely"), &serde_json::json!("expected")));
    assert!(*seq > 0);
    let base = ws.view().base().unwrap();
    let r1 = base.items.risks.iter().find(|r| r.id.0 == R1).unwrap();
    assert_eq!(r1.inherent.confidentiality.likelihood, Some(crate::model::Likelihood::Expected));
    respond(&mut ws, &kl(), &esb_comment, Outcome::Partly, "UNI-login nævnes under R4", None).unwrap();

    let closed = close_round(&mut ws, &kl(), 1, "2026.1", "").unwrap();
    assert_eq!(closed.closed.as_ref().unwrap().release, "2026.1");
    assert!(ws.view().coordination().unwrap().release("2026.1").is_some());

    // København confirming sees what became of its comment, and what changed.
    let after = after_own_comments(&ws.view(), KBH, "2026.1").unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].response.as_ref().unwrap().outcome, Outcome::TakenIntoAccount);
    assert!(after[0].changed.iter().any(|f| f.path.contains("likelihood")), "{:?}", after[0].changed);
    // A closed round takes nothing more.
    let late = answer_round(&mut ws, &esb(), 1, Verdict::Agrees, "", "Erik DPO", Day::ymd(2023, 11, 22)).unwrap_err();
    assert!(matches!(late, HearingError::Closed(1)));
}

/// Closing publishes the release and records it in the round in one transaction: when the
/// round's record cannot be written (here: the file refuses it), no release is published
/// either, and closing again later works.
#[test]
fn closing_a_round_is_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    open_round(&mut ws, &kl(), "2026.1-udkast", Day::ymd(2023, 12, 1), "").unwrap();
    let path = ws.path().to_owned();
    let sql = rusqlite::Connection::open(&path).unwrap();
    sql.execute_batch(
        "CREATE TRIGGER refuse_rounds BEFORE INSERT ON updates WHEN NEW.doc = 'remarks/coordinator'
         BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
    )
    .unwrap();
    let head = ws.view().last_seq(DocKey::Coordination).unwrap();
    close_round(&mut ws, &kl(), 1, "2026.1", "").unwrap_err();
    assert!(ws.view().coordination().unwrap().release("2026.1").is_none(), "a release without its round's record");
    assert_eq!(ws.view().last_seq(DocKey::Coordination).unwrap(), head);
    sql.execute_batch("DROP TRIGGER refuse_rounds").unwrap();
    drop(ws);
    let mut ws = Workspace::open(&path, env_at(START)).unwrap();
    assert!(ws.view().coordination().unwrap().release("2026.1").is_none());
    assert!(Hearing::read(&ws.view(), Party::Coordinator).unwrap().open_round().is_some());
    let closed = close_round(&mut ws, &kl(), 1, "2026.1", "").unwrap();
    assert_eq!(closed.closed.unwrap().release, "2026.1");
    assert!(ws.view().coordination().unwrap().release("2026.1").is_some());
}

#[test]
fn accepting_a_proposal_is_one_transaction_with_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    open_round(&mut ws, &kl(), "2026.1-udkast", Day::ymd(2023, 12, 1), "").unwrap();
    let objection = add_comment(
        &mut ws,
        &kbh(),
        NewComment { target: on_r1("inherent.confidentiality"), round: Some(1), text: "Forventet, ikke sandsynlig".into(), proposal: Some(likelihood_proposal()), objection: true },
    )
    .unwrap();
    let likelihood = |ws: &Workspace| ws.view().base().unwrap().items.risks.iter().find(|r| r.id.0 == R1).unwrap().inherent.confidentiality.likelihood;
    let before = likelihood(&ws);
    let head = ws.view().last_seq(DocKey::Base).unwrap();
    let path = ws.path().to_owned();
    let sql = rusqlite::Connection::open(&path).unwrap();
    // the answer's write fails after the base change was made
    sql.execute_batch(
        "CREATE TRIGGER refuse_answers BEFORE INSERT ON updates WHEN NEW.doc = 'remarks/coordinator'
         BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
    )
    .unwrap();
    respond(&mut ws, &kl(), &objection, Outcome::TakenIntoAccount, "Enig", Some(Decision::Accept)).unwrap_err();
    assert_eq!(likelihood(&ws), before, "the base changed without the answer that records it");
    assert_eq!(ws.view().last_seq(DocKey::Base).unwrap(), head);
    sql.execute_batch("DROP TRIGGER refuse_answers").unwrap();
    drop(ws);
    let mut ws = Workspace::open(&path, env_at(START)).unwrap();
    assert_eq!(likelihood(&ws), before);
    assert!(!Hearing::read(&ws.view(), Party::Coordinator).unwrap().responses.contains_key(&objection));
    respond(&mut ws, &kl(), &objection, Outcome::TakenIntoAccount, "Enig", Some(Decision::Accept)).unwrap();
    assert_eq!(likelihood(&ws), Some(crate::model::Likelihood::Expected));
}

#[test]
fn the_deadline_holds_and_answers_are_revisable_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    open_round(&mut ws, &kl(), "udkast", Day::ymd(2023, 11, 20), "").unwrap();
    answer_round(&mut ws, &kbh(), 1, Verdict::Agrees, "", "Anne DPO", Day::ymd(2023, 11, 15)).unwrap();
    let revised = answer_round(&mut ws, &kbh(), 1, Verdict::CannotAgree, "Vi mangler R9", "Anne DPO", Day::ymd(2023, 11, 16)).unwrap();
    assert_eq!(revised.earlier.len(), 1, "the first answer is kept");
    let path = ws.path().to_owned();
    drop(ws);
    // Two weeks later.
    let mut ws = Workspace::open(&path, env_at(START + 14 * 86_400_000)).unwrap();
    let err = answer_round(&mut ws, &esb(), 1, Verdict::Agrees, "", "Erik DPO", Day::ymd(2023, 11, 28)).unwrap_err();
    assert!(matches!(err, HearingError::PastDeadline { round: 1, .. }), "{err}");
    let err = add_comment(&mut ws, &esb(), NewComment { target: on_r1(""), round: Some(1), text: "sent".into(), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::PastDeadline { .. }));
    assert_eq!(UserError::from(err).code, "K-HOER-FRIST");
}

#[test]
fn rights_and_visibility() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    // Only the coordinator opens rounds and answers comments.
    assert!(matches!(open_round(&mut ws, &kbh(), "x", Day::ymd(2024, 1, 1), ""), Err(HearingError::CoordinatorOnly(_))));
    let c = add_comment(&mut ws, &esb(), NewComment { target: on_r1(""), text: "Hm".into(), ..NewComment::default() }).unwrap();
    assert!(matches!(respond(&mut ws, &kbh(), &c, Outcome::NotTaken, "nej", None), Err(HearingError::CoordinatorOnly(_))));
    // København comments on its own supplement, privately; not on Esbjerg's.
    let own = Target { supplement: Some(KBH), ..Target::default() };
    let private = add_comment(&mut ws, &kbh(), NewComment { target: own, text: "Vores tillæg".into(), ..NewComment::default() }).unwrap();
    let theirs = Target { supplement: Some(ESB), ..Target::default() };
    assert!(matches!(
        add_comment(&mut ws, &kbh(), NewComment { target: theirs, text: "x".into(), ..NewComment::default() }),
        Err(HearingError::NotYourSupplement { .. })
    ));
    assert!(ws.keys().any(|k| k.name() == "remarks/101/101"));
    let seen = |party| Hearing::read(&ws.view(), party).unwrap().comment(&private).is_some();
    assert!(seen(Party::Org(KBH)) && seen(Party::Coordinator) && !seen(Party::Org(ESB)));
    // Esbjerg cannot reply in it (it does not see it), nor resolve København's thread.
    assert!(matches!(reply(&mut ws, &esb(), &private, "hej"), Err(HearingError::NoComment(_))));
    let kbh_base = add_comment(&mut ws, &kbh(), NewComment { target: on_r1(""), text: "Basis".into(), ..NewComment::default() }).unwrap();
    assert!(matches!(set_resolved(&mut ws, &esb(), &kbh_base, true), Err(HearingError::NotYours(..))));
    // The coordinator replies in the private thread: it stays private.
    let r = reply(&mut ws, &kl(), &private, "Set").unwrap();
    assert!(ws.keys().any(|k| k.name() == "remarks/coordinator/101"));
    assert!(Hearing::read(&ws.view(), Party::Org(ESB)).unwrap().comment(&r).is_none());
}

#[test]
fn threads_resolve_reopen_and_edits_keep_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    let c = add_comment(&mut ws, &kbh(), NewComment { target: on_r1("title"), text: "Titlen er uklar".into(), ..NewComment::default() }).unwrap();
    let r = reply(&mut ws, &esb(), &c, "Enig").unwrap();
    revise(&mut ws, &kbh(), &c, "Titlen er meget uklar", None).unwrap();
    assert!(matches!(revise(&mut ws, &esb(), &c, "x", None), Err(HearingError::NotYours(..))));
    set_resolved(&mut ws, &kl(), &r, true).unwrap();
    let h = Hearing::read(&ws.view(), Party::Org(ESB)).unwrap();
    let threads = h.threads();
    assert_eq!(threads.len(), 1);
    assert!(threads[0].resolved);
    assert_eq!(threads[0].replies.len(), 1);
    assert_eq!(threads[0].opening.comment.revisions[0].text, "Titlen er uklar");
    set_resolved(&mut ws, &kbh(), &c, false).unwrap();
    assert!(!Hearing::read(&ws.view(), Party::Org(ESB)).unwrap().threads()[0].resolved);
}

#[test]
fn a_proposal_must_fit_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    let bad = |field: &str, value: serde_json::Value| NewComment {
        target: on_r1(""),
        text: "forslag".into(),
        proposal: Some(Proposal { field: field.into(), value }),
        ..NewComment::default()
    };
    let mut ws2 = |n: NewComment| add_comment(&mut ws, &kbh(), n);
    assert!(matches!(ws2(bad("inherent.confidentiality.likelihood", serde_json::json!("meget"))), Err(HearingError::BadProposal(_))));
    assert!(matches!(ws2(bad("no.such.field", serde_json::json!(1))), Err(HearingError::BadProposal(_))));
    assert!(matches!(ws2(bad("id", serde_json::json!("risk-x"))), Err(HearingError::BadProposal(_))));
    assert!(ws2(bad("title", serde_json::json!("Ny titel"))).is_ok());
    let nothing = NewComment { target: Target { item: Some(ItemId("risk-none".into())), ..Target::default() }, text: "x".into(), ..NewComment::default() };
    assert!(matches!(ws2(nothing), Err(HearingError::NoItem(..))));
}

#[test]
fn hostile_records_are_skipped_not_believed() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    let key = DocKey::Remarks(RemarkScope::public(Party::Org(KBH)));
    ws.add_documents(&[key]).unwrap();
    let author = kbh().author();
    // A record under another id, garbage, and an answer claiming another round.
    let forged = Comment { id: "b-other".into(), text: "x".into(), ..Comment::default() };
    ws.edit(key, &author, |e| {
        e.put_record(COMMENTS, "b-1", &serde_json::to_string(&forged).unwrap())?;
        e.put_record(COMMENTS, "b-2", "{not json")?;
        e.put_record(ANSWERS, "1", r#"{"round":2,"verdict":"agrees","note":"","dpo":"x","dpo_date":"2023-11-14","by":"x","answered_at":0,"earlier":[]}"#)
    })
    .unwrap();
    // A municipality's document has no place for answers to comments or rounds.
    assert!(ws.edit(key, &author, |e| e.put_record(RESPONSES, "x", "{}")).is_err());
    let h = Hearing::read(&ws.view(), Party::Coordinator).unwrap();
    assert!(h.comments.is_empty() && h.answers.is_empty());
    assert_eq!(h.unreadable.len(), 3, "{:?}", h.unreadable);
}

#[test]
fn remark_keys_round_trip_and_refuse_what_names_no_document() {
    for name in ["remarks/101", "remarks/coordinator", "remarks/101/101", "remarks/coordinator/561"] {
        assert_eq!(DocKey::parse(name).unwrap().name(), name);
    }
    for bad in ["remarks/101/561", "remarks/", "remarks/x", "remarks/101/101/1", "remarks/coordinator/x"] {
        assert!(DocKey::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_sample_shows_a_finished_round_behind_its_release() {
    let dir = tempfile::tempdir().unwrap();
    let ws = demo(&dir);
    let h = Hearing::read(&ws.view(), Party::Org(ESB)).unwrap();
    assert!(h.unreadable.is_empty(), "{:?}", h.unreadable);
    let round = h.round_of_release(crate::sample::VERSION).expect("the release follows a round");
    assert_eq!(round.draft.content_hash, crate::release::sha256_hex(round.draft.content.as_bytes()));
    let participants = ws.view().coordination().unwrap().participants;
    let status = h.status(round.number, &participants).unwrap();
    assert!(status.unanswered.is_empty() && status.not_answered().count() == 0);
    // What København sees on confirming: its «forslag» accepted, R6 changed from the draft.
    let after = after_own_comments(&ws.view(), KBH, crate::sample::VERSION).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].response.as_ref().unwrap().outcome, Outcome::TakenIntoAccount);
    assert!(after[0].changed.iter().any(|f| f.path == "inherent.confidentiality.likelihood" && f.after == serde_json::json!("expected")), "{:?}", after[0].changed);
    // The høringsnotat of it builds.
    crate::report::hearing_notat(&ws.view(), 1, crate::check::Lang::Da, Day::ymd(2025, 6, 2)).unwrap();
}

/// A hostile copy with 20 000 replies in one chain, and a loop: read quickly, each comment in
/// one thread.
#[test]
fn long_and_circular_reply_chains_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    let key = DocKey::Remarks(RemarkScope::public(Party::Org(KBH)));
    ws.add_documents(&[key]).unwrap();
    let n = 20_000;
    ws.edit(key, &kbh().author(), |e| {
        for i in 0..n {
            let reply_to = if i == 0 { None } else { Some(format!("101/b-{}", i - 1)) };
            let c = Comment { id: format!("b-{i}"), text: "x".into(), reply_to, written_at: i as i64, ..Comment::default() };
            e.put_record(COMMENTS, &c.id, &serde_json::to_string(&c).unwrap())?;
        }
        // Two comments replying to each other.
        for (a, b) in [("b-x", "b-y"), ("b-y", "b-x")] {
            let c = Comment { id: a.into(), text: "loop".into(), reply_to: Some(format!("101/{b}")), written_at: 1_000_000, ..Comment::default() };
            e.put_record(COMMENTS, a, &serde_json::to_string(&c).unwrap())?;
        }
        Ok(())
    })
    .unwrap();
    let started = std::time::Instant::now();
    let h = Hearing::read(&ws.view(), Party::Org(ESB)).unwrap();
    let threads = h.threads();
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    assert_eq!(threads.len(), 2);
    assert_eq!(threads.iter().map(|t| t.replies.len() + 1).sum::<usize>(), n + 2);
    let last = h.comment(&format!("101/b-{}", n - 1)).unwrap();
    assert_eq!(h.opening_of(last).reference, "101/b-0");
}

/// The description is commented as an item of its own, and one part of it with a «forslag»
/// the coordinator accepts into the base's description.
#[test]
fn the_description_is_commented_as_an_item_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    open_round(&mut ws, &kl(), "udkast", Day::ymd(2023, 12, 1), "").unwrap();
    let on = |field: &str| Target { field: field.into(), ..Target::default() };
    let whole = add_comment(&mut ws, &esb(), NewComment { target: on("description"), text: "Beskrivelsen mangler Aulas app".into(), ..NewComment::default() }).unwrap();
    let retention = Proposal { field: "description.retention".into(), value: serde_json::json!("Beskeder slettes efter 13 måneder.") };
    let kbh_c = add_comment(
        &mut ws,
        &kbh(),
        NewComment { target: on("description.retention"), round: Some(1), text: "Skriv slettefristen".into(), proposal: Some(retention.clone()), objection: true },
    )
    .unwrap();
    add_comment(&mut ws, &esb(), NewComment { target: on("description.retention"), round: Some(1), text: "Enig med København".into(), ..NewComment::default() }).unwrap();
    // What is not a part of the description, or not the base's, is refused.
    let err = add_comment(&mut ws, &kbh(), NewComment { target: on("description.farve"), text: "x".into(), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::NoItem(..)), "{err}");
    let err = add_comment(&mut ws, &kbh(), NewComment { target: Target { supplement: Some(KBH), ..on("description") }, text: "x".into(), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::NoItem(..)), "{err}");
    let whole_proposal = Proposal { field: "description".into(), value: serde_json::json!({}) };
    let err = add_comment(&mut ws, &kbh(), NewComment { target: on("description"), text: "x".into(), proposal: Some(whole_proposal), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::BadProposal(_)), "{err}");
    let wrong_shape = Proposal { field: "description.new_technology".into(), value: serde_json::json!("måske") };
    let err = add_comment(&mut ws, &kbh(), NewComment { target: on("description.new_technology"), text: "x".into(), proposal: Some(wrong_shape), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::BadProposal(_)), "{err}");

    let h = Hearing::read(&ws.view(), Party::Coordinator).unwrap();
    assert_eq!(target_label(&h.comment(&whole).unwrap().comment.target), "beskrivelsen");
    assert_eq!(target_label(&h.comment(&kbh_c).unwrap().comment.target), "beskrivelsen · retention");
    let status = h.status(1, &ws.view().coordination().unwrap().participants).unwrap();
    assert_eq!(status.recurring.len(), 1, "{:?}", status.recurring);
    assert_eq!((status.recurring[0].reference.as_str(), status.recurring[0].field.as_str()), ("beskrivelsen", "description.retention"));
    assert_eq!(status.recurring[0].orgs, vec![KBH, ESB]);

    let r = respond(&mut ws, &kl(), &kbh_c, Outcome::TakenIntoAccount, "Indarbejdet", Some(Decision::Accept)).unwrap();
    assert_eq!(ws.view().base().unwrap().description.retention.as_str(), "Beskeder slettes efter 13 måneder.");
    match r.proposal {
        Some(ProposalDecision::Accepted { item, field, after, .. }) => {
            assert_eq!((item.0.as_str(), field.as_str()), ("description", "description.retention"));
            assert_eq!(after, retention.value);
        }
        other => panic!("{other:?}"),
    }
    assert!(ws.view().base().unwrap().description.summary.as_str().starts_with("Aula er"), "the rest of the description is kept");
}

/// The WP248 screening, the prior consultation and the review plan are commented as items
/// of their own too: a part with a «forslag» the coordinator accepts into that section,
/// and after the release, København sees what changed in the part it commented on.
#[test]
fn the_wp248_screening_prior_consultation_and_review_plan_are_commented_like_the_description() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    open_round(&mut ws, &kl(), "udkast", Day::ymd(2023, 12, 1), "").unwrap();
    let on = |field: &str| Target { field: field.into(), ..Target::default() };
    let reason = Proposal { field: "wp248.large_scale.reason".into(), value: serde_json::json!("Alle elever og forældre i kommunen: stor skala.") };
    let kbh_c = add_comment(
        &mut ws,
        &kbh(),
        NewComment { target: on("wp248.large_scale"), round: Some(1), text: "Begrund stor skala med tal".into(), proposal: Some(reason.clone()), objection: true },
    )
    .unwrap();
    add_comment(&mut ws, &esb(), NewComment { target: on("wp248.large_scale"), round: Some(1), text: "Enig".into(), ..NewComment::default() }).unwrap();
    let consultation = add_comment(&mut ws, &esb(), NewComment { target: on("prior_consultation"), round: Some(1), text: "Hvorfor ingen forudgående høring?".into(), ..NewComment::default() }).unwrap();
    let plan = add_comment(&mut ws, &kbh(), NewComment { target: on("review_plan.triggers"), text: "Ny leverandør bør udløse revision".into(), ..NewComment::default() }).unwrap();
    // Parts that do not exist, a section on a supplement, a value of the wrong shape: refused.
    for field in ["wp248.farve", "review_plan.", "prior_consultation_x"] {
        let err = add_comment(&mut ws, &kbh(), NewComment { target: on(field), text: "x".into(), ..NewComment::default() }).unwrap_err();
        assert!(matches!(err, HearingError::NoItem(..)), "{field}: {err}");
    }
    let err = add_comment(&mut ws, &kbh(), NewComment { target: Target { supplement: Some(KBH), ..on("review_plan") }, text: "x".into(), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::NoItem(..)), "{err}");
    let wrong_shape = Proposal { field: "prior_consultation.required".into(), value: serde_json::json!("måske") };
    let err = add_comment(&mut ws, &kbh(), NewComment { target: on("prior_consultation"), text: "x".into(), proposal: Some(wrong_shape), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::BadProposal(_)), "{err}");
    let other_section = Proposal { field: "description.retention".into(), value: serde_json::json!("x") };
    let err = add_comment(&mut ws, &kbh(), NewComment { target: on("wp248"), text: "x".into(), proposal: Some(other_section), ..NewComment::default() }).unwrap_err();
    assert!(matches!(err, HearingError::BadProposal(_)), "a «forslag» stays in the commented section: {err}");
    let said = UserError::from(err);
    assert_eq!(said.code, "K-HOER-FORSLAG");
    assert_eq!(said.da, "Forslaget kan ikke bruges: bemærkningen gælder WP248-screeningen; dens forslag kan ikke ændre beskrivelsen", "Danish, all of it");

    let h = Hearing::read(&ws.view(), Party::Coordinator).unwrap();
    assert_eq!(target_label(&h.comment(&kbh_c).unwrap().comment.target), "WP248-screeningen · large_scale");
    assert_eq!(target_label(&h.comment(&consultation).unwrap().comment.target), "den forudgående høring");
    assert_eq!(target_label(&h.comment(&plan).unwrap().comment.target), "planen for revision · triggers");
    let status = h.status(1, &ws.view().coordination().unwrap().participants).unwrap();
    assert_eq!(status.recurring.len(), 1, "{:?}", status.recurring);
    assert_eq!((status.recurring[0].reference.as_str(), status.recurring[0].field.as_str()), ("WP248-screeningen", "wp248.large_scale"));

    let r = respond(&mut ws, &kl(), &kbh_c, Outcome::TakenIntoAccount, "Indarbejdet", Some(Decision::Accept)).unwrap();
    let Some(ProposalDecision::Accepted { item, field, after, .. }) = &r.proposal else { panic!("{r:?}") };
    assert_eq!((item.0.as_str(), field.as_str(), after), ("wp248", "wp248.large_scale.reason", &reason.value));
    let base = ws.view().base().unwrap();
    assert_eq!(base.wp248.large_scale.reason.as_str(), "Alle elever og forældre i kommunen: stor skala.");
    let sample_base = sample(&tempfile::tempdir().unwrap()).view().base().unwrap();
    assert_eq!(base.wp248.large_scale.met, sample_base.wp248.large_scale.met, "the rest of the criterion is kept");
    assert_eq!(base.wp248.sensitive_data, sample_base.wp248.sensitive_data, "the other criteria are kept");
    let h = Hearing::read(&ws.view(), Party::Coordinator).unwrap();
    for reference in h.status(1, &ws.view().coordination().unwrap().participants).unwrap().unanswered {
        respond(&mut ws, &kl(), &reference, Outcome::NotTaken, "Ikke relevant", None).unwrap();
    }
    close_round(&mut ws, &kl(), 1, "2026.1", "").unwrap();
    let after = after_own_comments(&ws.view(), KBH, "2026.1").unwrap();
    let mine = after.iter().find(|a| a.reference == kbh_c).unwrap();
    assert_eq!(mine.target, "WP248-screeningen · large_scale");
    assert_eq!(mine.changed.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["large_scale.reason"], "{:?}", mine.changed);
}

/// An `Env` whose day is pinned apart from its clock (as `KONSEKVENS_TODAY` pins the real one).
struct PinnedDay(FixedEnv, Day);
impl crate::Env for PinnedDay {
    fn now_millis(&self) -> i64 {
        self.0.now_millis()
    }
    fn random_u64(&self) -> u64 {
        self.0.random_u64()
    }
    fn today(&self) -> Day {
        self.1
    }
}

/// The deadline is judged by the workspace's `Env::today` — the one clock the CLI, the app
/// and the hub use — not by a day computed from the milliseconds beside it.
#[test]
fn the_deadline_is_judged_by_the_envs_today() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = sample(&dir);
    open_round(&mut ws, &kl(), "udkast", Day::ymd(2023, 11, 20), "").unwrap();
    let path = ws.path().to_owned();
    drop(ws);
    // The milliseconds say 14 November; the pinned day says the 21st: too late.
    let mut ws = Workspace::open(&path, Arc::new(PinnedDay(FixedEnv::new(START, 3), Day::ymd(2023, 11, 21)))).unwrap();
    let err = answer_round(&mut ws, &esb(), 1, Verdict::Agrees, "", "Erik DPO", Day::ymd(2023, 11, 21)).unwrap_err();
    assert!(matches!(err, HearingError::PastDeadline { today, .. } if today == Day::ymd(2023, 11, 21)), "{err}");
    drop(ws);
    // The deadline's own day is still in time.
    let mut ws = Workspace::open(&path, Arc::new(PinnedDay(FixedEnv::new(START, 4), Day::ymd(2023, 11, 20)))).unwrap();
    answer_round(&mut ws, &esb(), 1, Verdict::Agrees, "", "Erik DPO", Day::ymd(2023, 11, 20)).unwrap();
}

/// `export json` carries the høring and `import json` writes it back: every document's
/// records (public and private threads, answers, rounds, the coordinator's answers) as they
/// were, and the file written again is the same.
#[test]
fn the_hearing_round_trips_through_the_interchange_file() {
    use crate::interchange::JointDpiaFile;
    let dir = tempfile::tempdir().unwrap();
    let mut ws = demo(&dir);
    let private = add_comment(&mut ws, &kbh(), NewComment { target: Target { supplement: Some(KBH), ..Target::default() }, text: "Internt".into(), ..NewComment::default() }).unwrap();
    reply(&mut ws, &kl(), &private, "Set").unwrap();
    set_resolved(&mut ws, &kbh(), &private, true).unwrap();
    add_comment(&mut ws, &esb(), NewComment { target: Target { field: "description".into(), ..Target::default() }, text: "Beskrivelsen".into(), ..NewComment::default() }).unwrap();
    let file = JointDpiaFile::from_workspace(&ws).unwrap();
    let names: Vec<String> = file.hearing.iter().map(|r| format!("{}/{:?}", r.by, r.supplement)).collect();
    assert!(names.contains(&"101/Some(OrgCode(101))".to_owned()) && names.contains(&"coordinator/Some(OrgCode(101))".to_owned()) && names.contains(&"coordinator/None".to_owned()), "{names:?}");
    let text = file.to_json();
    let back = JointDpiaFile::from_json(&text).unwrap();
    assert_eq!(back, file);
    let imported = back.create_workspace(&dir.path().join("imported.konsekvens"), env_at(START), &kl().author()).unwrap();
    assert_eq!(JointDpiaFile::from_workspace(&imported).unwrap().to_json(), text, "export → import → export gives the same bytes");
    for party in [Party::Coordinator, Party::Org(KBH), Party::Org(ESB)] {
        let (a, b) = (Hearing::read(&ws.view(), party).unwrap(), Hearing::read(&imported.view(), party).unwrap());
        assert_eq!(a.comments, b.comments, "{party}");
        assert_eq!((&a.rounds, &a.answers, &a.responses), (&b.rounds, &b.answers, &b.responses), "{party}");
        assert_eq!(a.threads().iter().map(|t| t.resolved).collect::<Vec<_>>(), b.threads().iter().map(|t| t.resolved).collect::<Vec<_>>());
    }
    assert!(Hearing::read(&imported.view(), Party::Org(ESB)).unwrap().comment(&private).is_none(), "a private thread stays private after import");
    assert_eq!(Hearing::read(&imported.view(), Party::Coordinator).unwrap().rounds.len(), 1, "the sample's finished round");
}
