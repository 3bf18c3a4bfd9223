use super::*;
use std::collections::BTreeMap;
use proptest::prelude::*;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Array, ArrayPrelim, ClientID, Doc, GetString, Map, MapPrelim, Options, ReadTxn, StateVector, Text, Transact, Update};

fn doc(client: u64) -> Doc {
    Doc::with_options(Options { client_id: ClientID::new(client), ..Options::default() })
}

/// An update as the product writes one: maps in maps, text, an `Any` value, a deletion.
fn ordinary_update() -> Vec<u8> {
    let d = doc(7);
    let risks = d.get_or_insert_map("risks");
    let mut t = d.transact_mut();
    let item = risks.insert(&mut t, "r1", MapPrelim::default());
    item.insert(&mut t, "title", yrs::TextPrelim::new("Uvedkommende læser beskeder"));
    item.insert(&mut t, "ratings", yrs::Any::from(vec![yrs::Any::from(1.0), yrs::Any::from(vec![yrs::Any::from("C")])]));
    item.insert(&mut t, "gone", "x");
    item.remove(&mut t, "gone");
    drop(t);
    let update = d.transact().encode_state_as_update_v1(&StateVector::default());
    update
}

/// One item in root array `name` holding `value` (an encoded lib0 `Any`).
fn any_update(root: &str, value: &[u8]) -> Vec<u8> {
    let mut u = vec![1, 1, 9, 0, 8, 1, root.len() as u8];
    u.extend_from_slice(root.as_bytes());
    u.push(1); // one value
    u.extend_from_slice(value);
    u.push(0); // empty delete set
    u
}

fn nested_arrays(depth: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(depth * 2 + 1);
    for _ in 0..depth {
        v.extend_from_slice(&[117, 1]);
    }
    v.push(126);
    v
}

#[test]
fn an_ordinary_update_passes_and_names_its_roots() {
    let update = ordinary_update();
    let shape = check_update_v1(&update).unwrap();
    assert_eq!(shape.roots, BTreeSet::from(["risks".to_string()]));
    assert_eq!(shape.clients, BTreeSet::from([7]));
    let d = doc(1);
    d.transact_mut().apply_update(Update::decode_v1(&update).unwrap()).unwrap();
    let sv = d.transact().state_vector();
    assert_eq!(shape.reaches, BTreeMap::from([(7, u64::from(sv.get(&ClientID::new(7))))]));
    assert!(shape.blocks >= 4 && shape.deleted_ranges == 1, "{shape:?}");
    assert!(shape.depth >= 2 && shape.depth < 5, "{shape:?}");
}

#[test]
fn what_yjs_and_quill_write_passes() {
    // Formatting attributes and embeds are JSON strings inside the update.
    let d = doc(8);
    let text = d.get_or_insert_text("description");
    let mut t = d.transact_mut();
    text.insert(&mut t, 0, "Elever og forældre");
    text.format(&mut t, 0, 6, yrs::types::Attrs::from([("bold".into(), true.into())]));
    text.insert_embed(&mut t, 3, yrs::Any::from(vec![yrs::Any::from("billede")]));
    drop(t);
    let update = d.transact().encode_state_as_update_v1(&StateVector::default());
    assert_eq!(check_update_v1(&update).unwrap().roots, BTreeSet::from(["description".to_string()]));
}

#[test]
fn a_depth_bomb_is_refused_before_decoding() {
    // A hundred thousand nested arrays in 200 KB; four thousand were enough to abort the hub.
    let bomb = any_update("base", &nested_arrays(100_000));
    let err = check_update_v1(&bomb).unwrap_err();
    assert!(matches!(err, GuardError::TooDeep { max: MAX_DEPTH, .. }), "{err}");
    assert!(err.to_string().contains("K-CRDT-DEPTH") && err.to_string().contains("indlejret"));
    // So is the same bomb in a map, and inside a sub-document's options.
    let mut map = Vec::new();
    for _ in 0..1000 {
        map.extend_from_slice(&[118, 1, 1, b'k']);
    }
    map.push(126);
    assert!(matches!(check_update_v1(&any_update("base", &map)), Err(GuardError::TooDeep { .. })));
}

#[test]
fn nesting_within_the_limit_decodes_as_yrs_reads_it() {
    let ok = any_update("base", &nested_arrays(MAX_DEPTH as usize - 1));
    assert_eq!(check_update_v1(&ok).unwrap().depth, MAX_DEPTH);
    let d = doc(1);
    d.transact_mut().apply_update(Update::decode_v1(&ok).unwrap()).unwrap();
    assert_eq!(d.get_or_insert_array("base").len(&d.transact()), 1);
    assert!(check_update_v1(&any_update("base", &nested_arrays(MAX_DEPTH as usize))).is_err());
}

#[test]
fn nested_shared_types_count_as_depth() {
    let nest = |levels: usize| {
        let d = doc(3);
        let root = d.get_or_insert_array("base");
        let mut t = d.transact_mut();
        let mut current = root.insert(&mut t, 0, ArrayPrelim::default());
        for _ in 1..levels {
            current = current.insert(&mut t, 0, ArrayPrelim::default());
        }
        drop(t);
        let update = d.transact().encode_state_as_update_v1(&StateVector::default());
        update
    };
    assert_eq!(check_update_v1(&nest(10)).unwrap().depth, 10);
    assert!(matches!(check_update_v1(&nest(MAX_DEPTH as usize + 5)), Err(GuardError::TooDeep { .. })));
}

#[test]
fn counts_the_bytes_cannot_hold_are_refused() {
    // An array that claims 250 million elements in five bytes.
    let err = check_update_v1(&any_update("base", &[117, 0xff, 0xff, 0xff, 0x7a])).unwrap_err();
    assert!(matches!(err, GuardError::Malformed { .. }), "{err}");
    // A block count, a client count, a delete-set count.
    assert!(check_update_v1(&[1, 0xff, 0xff, 0xff, 0x0f, 9, 0]).is_err());
    assert!(check_update_v1(&[0xff, 0xff, 0xff, 0x0f]).is_err());
    assert!(check_update_v1(&[0, 0xff, 0xff, 0xff, 0x0f]).is_err());
    // A state vector of a hundred million clients.
    assert!(check_state_vector_v1(&[0x80, 0xc2, 0xd7, 0x2f]).is_err());
    // An unterminated varint, a string past the end, invalid UTF-8, trailing bytes.
    assert!(check_update_v1(&[0xff; 12]).is_err());
    assert!(check_update_v1(&[1, 1, 9, 0, 4, 1, 4, b'b', b'a', b's', b'e', 200, 1, 2]).is_err());
    assert!(check_update_v1(&any_update("base", &[119, 2, 0xc3, 0x28])).is_err());
    let mut trailing = ordinary_update();
    trailing.push(0);
    assert!(check_update_v1(&trailing).is_err());
}

#[test]
fn frames_are_checked_message_by_message() {
    let sv = doc(1).transact().state_vector().encode_v1();
    let mut frame = vec![0, 0, sv.len() as u8];
    frame.extend_from_slice(&sv);
    assert!(check_sync_frame(&frame).is_ok());
    let update = ordinary_update();
    let msg = yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(update)).encode_v1();
    let aware = {
        let mut clients = HashMap::new();
        clients.insert(ClientID::new(5), yrs::sync::awareness::AwarenessUpdateEntry { clock: 1, json: "{\"user\":{}}".into() });
        yrs::sync::Message::Awareness(yrs::sync::awareness::AwarenessUpdate { clients }).encode_v1()
    };
    let both = [msg.clone(), aware].concat();
    assert!(check_sync_frame(&both).is_ok());
    // An update inside stays bytes until it is decoded on its own (and checked then).
    let bomb = yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(any_update("base", &nested_arrays(5000)))).encode_v1();
    assert!(check_sync_frame(&bomb).is_ok());
    // A state vector is decoded with the frame: its errors are placed in the frame.
    let err = check_sync_frame(&[0, 0, 3, 1, 5, 0x80]).unwrap_err();
    assert!(matches!(err, GuardError::Malformed { at: 6, .. }), "{err:?}");
    // A SyncStep1 whose state vector claims a hundred million clients.
    assert!(check_sync_frame(&[0, 0, 4, 0x80, 0xc2, 0xd7, 0x2f]).is_err());
    // Awareness that claims more entries than it has bytes.
    assert!(check_sync_frame(&[1, 3, 0xff, 0xff, 0x03]).is_err());
    assert!(check_sync_frame(&msg[..msg.len() - 1]).is_err(), "cut short");
}

#[test]
fn yrs_decodes_what_the_guard_walked_the_same_way() {
    let update = ordinary_update();
    check_update_v1(&update).unwrap();
    let d = doc(2);
    d.transact_mut().apply_update(Update::decode_v1(&update).unwrap()).unwrap();
    let risks = d.get_or_insert_map("risks");
    let t = d.transact();
    let Some(yrs::Out::YMap(item)) = risks.get(&t, "r1") else { panic!("no item") };
    let Some(yrs::Out::YText(title)) = item.get(&t, "title") else { panic!("no title") };
    assert_eq!(title.get_string(&t), "Uvedkommende læser beskeder");
}

/// Decodes `data` with Yrs on a thread with a small stack: what the guard lets through must
/// decode in bounded stack (a deep input would abort the test binary here).
fn decode_on_small_stack(data: Vec<u8>) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            if let Ok(update) = Update::decode_v1(&data) {
                let d = doc(99);
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| d.transact_mut().apply_update(update)));
            }
        })
        .unwrap()
        .join()
        .ok();
}

fn mutate(base: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut v = base.to_vec();
    for (at, b) in edits {
        if !v.is_empty() {
            let i = at % v.len();
            v[i] = *b;
        }
    }
    v.truncate(v.len().saturating_sub(cut % 4));
    v
}

proptest! {
    // The fuzz harness for the wire decoder (see the core README): random bytes, and real
    // updates with bytes replaced and cut, never panic the guard, and whatever it accepts
    // decodes in a quarter of a MiB of stack.
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = check_sync_frame(&data);
        let _ = check_state_vector_v1(&data);
        if check_update_v1(&data).is_ok() {
            decode_on_small_stack(data);
        }
    }

    #[test]
    fn mutated_updates_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6), cut in any::<usize>(), nest in 0usize..200) {
        let base = if nest % 2 == 0 { ordinary_update() } else { any_update("base", &nested_arrays(nest)) };
        let data = mutate(&base, &edits, cut);
        let _ = check_sync_frame(&data);
        if check_update_v1(&data).is_ok() {
            decode_on_small_stack(data);
        }
    }
}
