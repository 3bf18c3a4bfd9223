use super::*;
use proptest::prelude::*;
use rand::{rngs::StdRng, seq::SliceRandom, SeedableRng};

fn risk(id: &str, reference: &str, threat: &str) -> Risk {
    Risk { id: id.into(), reference: Reference(reference.into()), title: "Fejlsendt besked".into(), threat: threat.into(), ..Risk::default() }
}

#[test]
fn items_round_trip_through_the_document() {
    let doc = DpiaDoc::new(DocKey::Base, 1);
    let mut r = risk("risk-1", "R1", "En besked sendes til forkert modtager");
    r.inherent.confidentiality = Rating {
        consequence: Some(Consequence::Devastating),
        consequence_reason: "Følsomme oplysninger om børn".into(),
        likelihood: Some(Likelihood::Expected),
        likelihood_reason: "Sket 35 gange".into(),
        ..Rating::default()
    };
    // format version 2: a dimension not touched, with its reason; a level as an old DPIA wrote it
    r.inherent.availability = Rating { unaffected: true, unaffected_reason: "En fejlsendt besked fjerner intet".into(), ..Rating::default() };
    r.residual.integrity = Rating { legacy_level: Some(RiskLevel::Medium), ..Rating::default() };
    r.modules.insert("mod-1".into());
    r.source = Some(RiskSource::Kombit);
    doc.edit(|e| e.put(&r)).unwrap();
    assert_eq!(doc.get::<Risk>(&"risk-1".into()).unwrap(), Some(r.clone()));
    assert_eq!(doc.read_base().unwrap().items.risks, vec![r]);
}

#[test]
fn an_edit_that_changes_nothing_produces_no_update() {
    let doc = DpiaDoc::new(DocKey::Base, 1);
    let r = risk("risk-1", "R1", "x");
    doc.edit(|e| e.put(&r)).unwrap();
    let ((), update) = doc.edit(|e| e.put(&r)).unwrap();
    assert!(update.is_empty());
}

#[test]
fn supplement_only_items_are_refused_in_the_base() {
    let doc = DpiaDoc::new(DocKey::Base, 1);
    let err = doc.edit(|e| e.put(&NotApplicable { target: "m-1".into(), justification: "x".into() })).unwrap_err();
    assert!(err.to_string().contains("supplement"), "{err}");
    let coordination = DpiaDoc::new(DocKey::Coordination, 2);
    assert!(coordination.edit(|e| e.put(&risk("r", "R1", ""))).is_err());
}

#[test]
fn next_reference_continues_the_series_per_prefix() {
    let doc = DpiaDoc::new(DocKey::Supplement(OrgCode(101)), 1);
    doc.edit(|e| {
        e.put(&risk("a", "KBH-R1", ""))?;
        e.put(&risk("b", "KBH-R7", ""))?;
        e.put(&risk("c", "R9", ""))
    })
    .unwrap();
    let next = doc.edit(|e| e.next_reference::<Risk>("KBH-")).unwrap().0;
    assert_eq!(next.as_str(), "KBH-R8");
}

#[test]
fn malformed_updates_are_refused_with_a_reason() {
    let doc = DpiaDoc::new(DocKey::Base, 1);
    for bad in [&b"\xff\xff\xff\xff"[..], b"", b"\x01\x02garbage"] {
        let err = doc.apply_update(bad).unwrap_err();
        assert!(matches!(err, DocError::Update(_) | DocError::Guard(_)), "{err}");
    }
}

#[test]
fn a_peer_writing_the_wrong_shape_gets_a_located_error() {
    let doc = DpiaDoc::new(DocKey::Base, 1);
    doc.edit(|e| e.put(&risk("risk-1", "R1", "x"))).unwrap();
    {
        let mut t = doc.yrs().transact_mut();
        let risks = t.get_or_insert_map("risks");
        let Some(Out::YMap(item)) = risks.get(&t, "risk-1") else { panic!() };
        item.insert(&mut t, "source", "mars");
    }
    let err = doc.read_base().unwrap_err().to_string();
    assert!(err.contains("risks.risk-1") && err.contains("source"), "{err}");
}

#[test]
fn strings_are_utf16_positioned_for_javascript_peers() {
    let doc = DpiaDoc::new(DocKey::Base, 1);
    let m = Module { id: "m".into(), reference: Reference("MOD1".into()), name: "Beskeder".into(), description: "Sikker fildeling 😀 æøå".into() };
    doc.edit(|e| e.put(&m)).unwrap();
    doc.edit(|e| e.update::<Module>(&"m".into(), |m| m.description = "Sikker fildeling 😀 ÆØÅ".into())).unwrap();
    assert_eq!(doc.get::<Module>(&"m".into()).unwrap().unwrap().description.as_str(), "Sikker fildeling 😀 ÆØÅ");
}

// ---- Convergence ------------------------------------------------------------------------

/// An edit a replica can make. Ids and texts come from small pools so replicas collide.
#[derive(Debug, Clone)]
enum Op {
    PutRisk { doc: usize, id: u8, threat: String, likelihood: u8 },
    EditThreat { doc: usize, id: u8, at: usize, text: String },
    Link { doc: usize, measure: u8, risk: u8 },
    Unlink { doc: usize, measure: u8, risk: u8 },
    RemoveRisk { doc: usize, id: u8 },
    Override { supplement: usize, risk: u8, reason: String },
}

const LIKELIHOODS: [Likelihood; 4] = Likelihood::ALL;

fn op() -> impl Strategy<Value = Op> {
    let text = "[a-zæøå ]{0,6}";
    prop_oneof![
        (0..3usize, 0..4u8, text, 0..4u8).prop_map(|(doc, id, threat, likelihood)| Op::PutRisk { doc, id, threat, likelihood }),
        (0..3usize, 0..4u8, 0..8usize, text).prop_map(|(doc, id, at, text)| Op::EditThreat { doc, id, at, text }),
        (0..3usize, 0..3u8, 0..4u8).prop_map(|(doc, measure, risk)| Op::Link { doc, measure, risk }),
        (0..3usize, 0..3u8, 0..4u8).prop_map(|(doc, measure, risk)| Op::Unlink { doc, measure, risk }),
        (0..3usize, 0..4u8).prop_map(|(doc, id)| Op::RemoveRisk { doc, id }),
        (1..3usize, 0..4u8, text).prop_map(|(supplement, risk, reason)| Op::Override { supplement, risk, reason }),
    ]
}

const KEYS: [DocKey; 3] = [DocKey::Base, DocKey::Supplement(OrgCode(101)), DocKey::Supplement(OrgCode(561))];

struct Replica {
    docs: Vec<DpiaDoc>,
}

impl Replica {
    fn new(n: u64) -> Self {
        Replica { docs: KEYS.iter().enumerate().map(|(i, k)| DpiaDoc::new(*k, n * 10 + i as u64 + 1)).collect() }
    }

    /// Applies the op locally and returns (document index, update).
    fn apply(&self, op: &Op) -> Option<(usize, Vec<u8>)> {
        let rid = |i: u8| ItemId(format!("risk-{i}"));
        let mid = |i: u8| ItemId(format!("measure-{i}"));
        let (d, result) = match op {
            Op::PutRisk { doc, id, threat, likelihood } => (*doc, self.docs[*doc].edit(|e| {
                let mut r = e.get::<Risk>(&rid(*id))?.unwrap_or_else(|| risk(&rid(*id).0, &format!("R{id}"), ""));
                r.threat = threat.as_str().into();
                r.inherent.availability.likelihood = Some(LIKELIHOODS[*likelihood as usize]);
                e.put(&r)
            })),
            Op::EditThreat { doc, id, at, text } => (*doc, self.docs[*doc].edit(|e| {
                if e.get::<Risk>(&rid(*id))?.is_some() {
                    e.update::<Risk>(&rid(*id), |r| {
                        let chars: Vec<char> = r.threat.0.chars().collect();
                        let at = (*at).min(chars.len());
                        r.threat.0 = chars[..at].iter().chain(text.chars().collect::<Vec<_>>().iter()).chain(chars[at..].iter()).collect();
                    })?;
                }
                Ok(())
            })),
            Op::Link { doc, measure, risk } | Op::Unlink { doc, measure, risk } => {
                let link = matches!(op, Op::Link { .. });
                (*doc, self.docs[*doc].edit(|e| {
                    let mut m = e.get::<Measure>(&mid(*measure))?.unwrap_or_else(|| Measure {
                        id: mid(*measure),
                        reference: Reference(format!("M{measure}")),
                        ..Measure::default()
                    });
                    if link {
                        m.mitigates.insert(rid(*risk));
                    } else {
                        m.mitigates.remove(&rid(*risk));
                    }
                    e.put(&m)
                }))
            }
            Op::RemoveRisk { doc, id } => (*doc, self.docs[*doc].edit(|e| e.remove::<Risk>(&rid(*id)).map(|_| ()))),
            Op::Override { supplement, risk, reason } => (*supplement, self.docs[*supplement].edit(|e| {
                e.put(&RiskOverride { target: rid(*risk), reason: reason.as_str().into(), ..RiskOverride::default() })
            })),
        };
        let ((), update) = result.expect("local edits succeed");
        (!update.is_empty()).then_some((d, update))
    }

    fn state(&self) -> (Base, Supplement, Supplement) {
        (self.docs[0].read_base().unwrap(), self.docs[1].read_supplement().unwrap(), self.docs[2].read_supplement().unwrap())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Three replicas edit the base and two supplements concurrently; every replica then
    /// receives every update, in its own random order and some twice. All must agree.
    #[test]
    fn concurrent_edits_converge_in_any_delivery_order(
        ops in proptest::collection::vec((0..3usize, op()), 1..40),
        orders in proptest::collection::vec(any::<u64>(), 3),
        dup in any::<proptest::sample::Index>(),
    ) {
        let replicas: Vec<Replica> = (0..3).map(|n| Replica::new(n as u64)).collect();
        let mut produced: Vec<(usize, usize, Vec<u8>)> = Vec::new(); // (origin replica, doc, update)
        for (who, op) in &ops {
            if let Some((d, u)) = replicas[*who].apply(op) {
                produced.push((*who, d, u));
            }
        }
        for (n, replica) in replicas.iter().enumerate() {
            let mut incoming: Vec<&(usize, usize, Vec<u8>)> = produced.iter().filter(|(o, _, _)| *o != n).collect();
            if !incoming.is_empty() {
                // any permutation (seeded by proptest, so a failure shrinks and replays),
                // plus one duplicate delivery
                incoming.shuffle(&mut StdRng::seed_from_u64(orders[n]));
                let again = incoming[dup.index(incoming.len())];
                incoming.push(again);
            }
            for (_, d, u) in incoming {
                replica.docs[*d].apply_update(u).unwrap();
            }
        }
        let first = replicas[0].state();
        for r in &replicas[1..] {
            prop_assert_eq!(&r.state(), &first);
        }
    }
}

#[test]
fn a_deletion_alone_is_an_update_and_survives_out_of_order_delivery() {
    let a = DpiaDoc::new(DocKey::Base, 1);
    let (_, u1) = a.edit(|e| e.put(&risk("risk-1", "R1", "a"))).unwrap();
    let (_, u2) = a.edit(|e| e.update::<Risk>(&"risk-1".into(), |r| r.threat = "".into())).unwrap();
    assert!(!u2.is_empty(), "deleting text must produce an update");
    let b = DpiaDoc::new(DocKey::Base, 2);
    for u in [&u2, &u1, &u2] {
        b.apply_update(u).unwrap();
    }
    assert_eq!(b.get::<Risk>(&"risk-1".into()).unwrap().unwrap().threat.as_str(), "");
}
