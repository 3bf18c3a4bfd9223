//! y-sync framing helpers shared by the server and the client (`yrs::sync`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use yrs::encoding::read::Cursor;
use yrs::sync::{Message, MessageReader, SyncMessage};
use yrs::updates::decoder::{Decode, DecoderV1};
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

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
/// decoder panic) is an error.
pub fn decode_frame(frame: &[u8]) -> Result<Vec<Message>, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut decoder = DecoderV1::new(Cursor::new(frame));
        MessageReader::new(&mut decoder).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }))
    .map_err(|_| "the frame made the decoder fail".to_string())?
}

/// Decodes a v1 update; malformed input (or a decoder panic) is an error.
pub fn decode_update(data: &[u8]) -> Result<Update, String> {
    catch_unwind(|| Update::decode_v1(data)).map_err(|_| "the update made the decoder fail".to_string())?.map_err(|e| e.to_string())
}

/// What an update would add to a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Novelty {
    /// Client ids whose blocks reach beyond what the document has.
    pub new_clients: Vec<u64>,
    /// Deletions the document does not have yet.
    pub new_deletions: bool,
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
    let mut new_clients = Vec::new();
    for (client, ranges) in update.insertions(true).iter() {
        let have = sv.get(client);
        if ranges.iter().any(|r| r.end > have) {
            new_clients.push(client.get());
        }
    }
    let new_deletions = if update.delete_set().is_empty() {
        false
    } else {
        let have = txn.snapshot().delete_set;
        !update.delete_set().diff(&have).is_empty()
    };
    Novelty { new_clients, new_deletions }
}
