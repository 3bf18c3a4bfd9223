//! y-sync framing helpers shared by the server and the client (`yrs::sync`).

use konsekvens_core::doc::guard;
use std::panic::{catch_unwind, AssertUnwindSafe};
use yrs::encoding::read::Cursor;
use yrs::sync::{Message, MessageReader, SyncMessage};
use yrs::updates::decoder::{Decode, DecoderV1};
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

/// The largest WebSocket message (and frame) the Rust clients read: 64 MiB. The hub's
/// answers stay below it — a whole document as SyncStep2 is at most
/// [`MAX_DOCUMENT_SIZE_CEILING`], a forwarded update at most the per-update limit, presence
/// goes out in small frames — so a client never meets a message it cannot read.
pub const CLIENT_MAX_MESSAGE_SIZE: usize = 64 << 20;

/// The hub refuses to let a document's encoded state grow beyond this, whatever its
/// configuration says: the client's limit less 1 MiB for framing and an update in flight.
pub const MAX_DOCUMENT_SIZE_CEILING: usize = CLIENT_MAX_MESSAGE_SIZE - (1 << 20);

pub fn encode(msg: &Message) -> Vec<u8> {
    msg.encode_v1()
}

pub fn sync_step1(sv: &StateVector) -> Vec<u8> {
    encode(&Message::Sync(SyncMessage::SyncStep1(sv.clone())))
}

pub fn sync_step2(update: Vec<u8>) -> Vec<u8> {
    encode(&Message::Sync(SyncMessage::SyncStep2(update)))
}

pub fn update(update: Vec<u8>) -> Vec<u8> {
    encode(&Message::Sync(SyncMessage::Update(update)))
}

/// Decodes every message in one WebSocket frame. A malformed frame (or one that makes the
/// decoder panic) is an error, and so is a truncated one: `MessageReader` silently stops at
/// a message cut short, so the decoded messages must account for every byte of the frame
/// (y-protocols encodes canonically, so re-encoding gives the same length).
pub fn decode_frame(frame: &[u8]) -> Result<Vec<Message>, String> {
    // Counts and nesting bounded before Yrs reserves or recurses (a depth bomb aborts).
    guard::check_sync_frame(frame).map_err(|e| e.to_string())?;
    let messages = catch_unwind(AssertUnwindSafe(|| {
        let mut decoder = DecoderV1::new(Cursor::new(frame));
        MessageReader::new(&mut decoder).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }))
    .map_err(|_| "the frame made the decoder fail".to_string())??;
    let decoded: usize = messages.iter().map(|m| m.encode_v1().len()).sum();
    if decoded != frame.len() {
        return Err(format!("{} of the frame's {} bytes are not a whole message (truncated?)", frame.len().abs_diff(decoded), frame.len()));
    }
    Ok(messages)
}

/// Decodes a v1 update; malformed or too deeply nested input (or a decoder panic) is an error.
pub fn decode_update(data: &[u8]) -> Result<Update, String> {
    guard::check_update_v1(data).map_err(|e| e.to_string())?;
    catch_unwind(|| Update::decode_v1(data)).map_err(|_| "the update made the decoder fail".to_string())?.map_err(|e| e.to_string())
}

/// What an update would add to a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Novelty {
    /// Client ids whose blocks reach beyond what the document has.
    pub new_clients: Vec<u64>,
    /// For each new client, the clock its blocks in the update reach: once applied, the
    /// document's state vector must reach it too, or the update left a hole.
    pub reaches: Vec<(u64, u32)>,
    /// Deletions the document does not have yet.
    pub new_deletions: bool,
    /// A client whose blocks start beyond the document's clock for it:
    /// `(client, first clock in the update, the document's clock)`.
    pub gap: Option<(u64, u32, u32)>,
}

impl Novelty {
    pub fn is_empty(&self) -> bool {
        self.new_clients.is_empty() && !self.new_deletions
    }
}

/// Compares an update with a document: which of its insertions and deletions are new.
/// A Yjs SyncStep2 always carries the peer's whole delete set, so "has a delete set" is not
/// "changes something"; only what the document lacks counts.
pub fn novelty(doc: &Doc, update: &Update) -> Novelty {
    let txn = doc.transact();
    let sv = txn.state_vector();
    let mut novelty = Novelty::default();
    for (client, ranges) in update.insertions(true).iter() {
        let have = sv.get(client);
        let (Some(start), Some(end)) = (ranges.iter().map(|r| r.start).min(), ranges.iter().map(|r| r.end).max()) else {
            continue;
        };
        if end > have {
            novelty.new_clients.push(client.get());
            novelty.reaches.push((client.get(), end));
            if start > have && novelty.gap.is_none() {
                novelty.gap = Some((client.get(), start, have));
            }
        }
    }
    novelty.new_deletions = if update.delete_set().is_empty() {
        false
    } else {
        let have = txn.snapshot().delete_set;
        !update.delete_set().diff(&have).is_empty()
    };
    novelty
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{ClientID, Map, Options};

    fn two_inserts() -> (Vec<u8>, Vec<u8>) {
        let doc = Doc::with_options(Options { client_id: ClientID::new(555), ..Options::default() });
        let notes = doc.get_or_insert_map("notes");
        notes.insert(&mut doc.transact_mut(), "first", "1");
        let first = doc.transact().encode_state_as_update_v1(&StateVector::default());
        let after_first = doc.transact().state_vector();
        notes.insert(&mut doc.transact_mut(), "second", "2");
        let second = doc.transact().encode_state_as_update_v1(&after_first);
        (first, second)
    }

    #[test]
    fn an_update_that_skips_clocks_is_a_gap() {
        let (first, second) = two_inserts();
        let hub = Doc::new();
        let n = novelty(&hub, &decode_update(&second).unwrap());
        assert_eq!(n.gap, Some((555, 1, 0)));
        hub.transact_mut().apply_update(decode_update(&first).unwrap()).unwrap();
        let n = novelty(&hub, &decode_update(&second).unwrap());
        assert_eq!((n.gap, n.new_clients, n.reaches), (None, vec![555], vec![(555, 2)]));
        hub.transact_mut().apply_update(decode_update(&second).unwrap()).unwrap();
        assert!(novelty(&hub, &decode_update(&first).unwrap()).is_empty(), "old news");
    }

    #[test]
    fn a_truncated_frame_is_an_error() {
        let whole = update(two_inserts().0);
        assert_eq!(decode_frame(&whole).unwrap().len(), 1);
        let mut two = whole.clone();
        two.extend_from_slice(&sync_step1(&StateVector::default()));
        assert_eq!(decode_frame(&two).unwrap().len(), 2, "several messages in one frame");
        assert!(decode_frame(&whole[..whole.len() - 2]).is_err(), "cut short");
        assert!(decode_frame(&two[..two.len() - 1]).is_err());
    }
}
