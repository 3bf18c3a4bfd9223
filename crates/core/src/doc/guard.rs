//! Bounds on CRDT input before Yrs decodes it.
//!
//! Yrs decodes nested values (`Any` arrays and maps, sub-document options) by recursion and
//! reserves memory for the counts a message declares. So a few KB of `[[[[…]]]]` overflow the
//! decoding thread's stack — an abort that no `catch_unwind` can stop — and a five-byte count
//! can ask for gigabytes. Everything that decodes a CRDT update, a state vector or a y-sync
//! frame from outside (the hub, the sync clients, a workspace's log, the webview) walks it
//! here first: one pass without recursion and without allocating by declared counts, that
//! refuses what nests deeper than [`MAX_DEPTH`] or declares more than its bytes can hold, and
//! reports which root types the update writes into (so the hub can refuse the ones the
//! product does not model).
//!
//! The walk mirrors yrs 0.28's v1 decoder (`Update::decode`, `ItemContent::decode`,
//! `Any::decode`, `IdSet::decode`) and lib0's y-sync messages. What passes here still goes
//! through Yrs's own decoder, which stays the judge of validity; this only makes sure that
//! decoder runs in bounded stack and memory.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How deeply values may nest: `Any` arrays/maps inside each other, and shared types inside
/// shared types created by one update. The product's own documents nest four levels at most
/// (root map → item map → record map → value); Yjs editors' formatting attributes one or two.
pub const MAX_DEPTH: u32 = 48;

/// Why an update, state vector or frame was refused before decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    #[error("[K-CRDT-DEPTH] ændringen er indlejret mere end {max} niveauer dybt (ved byte {at}) og afvises uden at blive læst; den kommer ikke fra Konsekvens eller en almindelig Yjs-klient")]
    TooDeep { at: usize, max: u32 },
    #[error("[K-CRDT-MALFORMED] ændringen er ikke en gyldig Yjs-opdatering (ved byte {at}: {what}) og afvises")]
    Malformed { at: usize, what: &'static str },
}

impl GuardError {
    /// The stable code, for callers that branch on it.
    pub fn code(&self) -> &'static str {
        match self {
            GuardError::TooDeep { .. } => "K-CRDT-DEPTH",
            GuardError::Malformed { .. } => "K-CRDT-MALFORMED",
        }
    }
}

/// What an update that passed the guard contains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateShape {
    /// Root types the update names as the parent of an item (every first write into a root
    /// names it; later items reach it through their neighbours).
    pub roots: BTreeSet<String>,
    /// CRDT client ids that have blocks in the update.
    pub clients: BTreeSet<u64>,
    /// Per client with blocks, the clock its blocks reach (exclusive): a document whose state
    /// vector reaches these already has every block of the update.
    pub reaches: BTreeMap<u64, u64>,
    /// Blocks (items, GC and skip ranges) in the update.
    pub blocks: u64,
    /// Deleted ranges in the update's delete set.
    pub deleted_ranges: u64,
    /// The deepest nesting met (`Any` values, shared types within the update).
    pub depth: u32,
}

/// Checks a v1 update (what y-sync's SyncStep2 and Update carry and what the logs store).
pub fn check_update_v1(data: &[u8]) -> Result<UpdateShape, GuardError> {
    let mut r = Reader { buf: data, pos: 0 };
    let mut shape = UpdateShape::default();
    // Depth of the shared types this update creates, by the id of their item.
    let mut type_depth: HashMap<(u64, u64), u32> = HashMap::new();
    let clients = r.count(1, "antal klienter")?;
    for _ in 0..clients {
        // Each block takes at least one byte.
        let blocks = r.count(1, "antal blokke")?;
        let client = r.var_u64("klient-id")?;
        let mut clock = r.var_u64("klokke")?;
        shape.clients.insert(client);
        for _ in 0..blocks {
            shape.blocks += 1;
            let len = block(&mut r, &mut shape, &mut type_depth, (client, clock))?;
            clock = clock.saturating_add(len);
        }
        let reach = shape.reaches.entry(client).or_insert(0);
        *reach = (*reach).max(clock);
    }
    shape.deleted_ranges = id_set(&mut r)?;
    if r.pos != data.len() {
        // Yrs ignores trailing bytes; we refuse them, as nothing we or Yjs write has any.
        return Err(r.malformed("bytes efter opdateringens slutning"));
    }
    Ok(shape)
}

/// Checks a v1 state vector (what SyncStep1 carries).
pub fn check_state_vector_v1(data: &[u8]) -> Result<(), GuardError> {
    let mut r = Reader { buf: data, pos: 0 };
    let n = r.count(2, "antal klienter")?;
    for _ in 0..n {
        r.var_u64("klient-id")?;
        r.var_u64("klokke")?;
    }
    Ok(())
}

/// Checks one WebSocket frame of y-sync messages (y-protocols: sync, awareness, auth,
/// awareness query; anything else is a custom message with a byte payload): every count fits
/// the bytes and every state vector passes its check, so Yrs's `MessageReader` then decodes
/// it in bounded memory. Updates inside stay bytes there: they pass [`check_update_v1`] when
/// they are decoded, so that a bad update is refused on its own (the hub answers it with
/// permission-denied) instead of taking the frame's other messages with it.
pub fn check_sync_frame(frame: &[u8]) -> Result<(), GuardError> {
    let mut r = Reader { buf: frame, pos: 0 };
    while r.pos < frame.len() {
        match r.var_u64("beskedtype")? {
            0 => {
                let kind = r.var_u64("sync-type")?;
                let payload = r.buf_slice("sync-indhold")?;
                let start = r.pos - payload.len();
                let nested = |e: GuardError| e.shifted(start);
                match kind {
                    0 => check_state_vector_v1(payload).map_err(nested)?,
                    1 | 2 => {}
                    _ => return Err(r.malformed("ukendt sync-type")),
                }
            }
            1 => {
                let payload = r.buf_slice("tilstedeværelse")?;
                let mut a = Reader { buf: payload, pos: 0 };
                // client id, clock and a JSON string: at least three bytes an entry.
                let n = a.count(3, "antal tilstedeværelser")?;
                for _ in 0..n {
                    a.var_u64("klient-id")?;
                    a.var_u64("klokke")?;
                    a.string("tilstedeværelse")?;
                }
            }
            2 => {
                r.var_u64("adgangstype")?;
                r.string("adgangsbesked")?;
            }
            3 => {}
            _ => {
                r.buf_slice("brugerbesked")?;
            }
        }
    }
    Ok(())
}

impl GuardError {
    /// The same error with its position counted from an enclosing buffer.
    fn shifted(self, by: usize) -> GuardError {
        match self {
            GuardError::TooDeep { at, max } => GuardError::TooDeep { at: at + by, max },
            GuardError::Malformed { at, what } => GuardError::Malformed { at: at + by, what },
        }
    }
}

const HAS_ORIGIN: u8 = 0b1000_0000;
const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
const HAS_PARENT_SUB: u8 = 0b0010_0000;

/// One block; returns its length in clock ticks.
fn block(r: &mut Reader<'_>, shape: &mut UpdateShape, type_depth: &mut HashMap<(u64, u64), u32>, id: (u64, u64)) -> Result<u64, GuardError> {
    let info = r.u8("blokinfo")?;
    match info {
        10 | 0 => {
            let len = r.var_u64("længde")?;
            if len == 0 {
                return Err(r.malformed("tom blok"));
            }
            return Ok(len);
        }
        _ => {}
    }
    let cant_copy_parent_info = info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0;
    if info & HAS_ORIGIN != 0 {
        r.var_u64("venstre oprindelse")?;
        r.var_u64("venstre oprindelse")?;
    }
    if info & HAS_RIGHT_ORIGIN != 0 {
        r.var_u64("højre oprindelse")?;
        r.var_u64("højre oprindelse")?;
    }
    // The nesting of the shared type this item sits in, where the update itself says so.
    let mut parent_depth = 0;
    if cant_copy_parent_info {
        if r.var_u64("forældreinfo")? == 1 {
            shape.roots.insert(r.string("rodtype")?.to_owned());
        } else {
            let parent = (r.var_u64("forælder")?, r.var_u64("forælder")?);
            parent_depth = type_depth.get(&parent).copied().unwrap_or(1);
        }
        if info & HAS_PARENT_SUB != 0 {
            r.string("nøgle")?;
        }
    }
    let len = match info & 0b1111 {
        1 => r.var_u64("længde")?, // deleted
        2 => {
            // JSON: yrs reads `len + 1` strings (a quirk it shares with Yjs's encoder).
            let n = r.count(1, "antal JSON-værdier")?.saturating_add(1);
            for _ in 0..n {
                r.string("JSON-værdi")?;
            }
            n
        }
        3 => {
            r.buf_slice("binære data")?;
            1
        }
        4 => {
            // A string's length counts UTF-16 units; the bytes bound it either way.
            let s = r.string("tekst")?;
            s.encode_utf16().count() as u64
        }
        5 => {
            json(r)?;
            1
        }
        6 => {
            r.string("formatnøgle")?;
            json(r)?;
            1
        }
        7 => {
            let depth = parent_depth + 1;
            if depth > MAX_DEPTH {
                return Err(GuardError::TooDeep { at: r.pos, max: MAX_DEPTH });
            }
            shape.depth = shape.depth.max(depth);
            type_depth.insert(id, depth);
            match r.u8("typereference")? {
                0 | 1 | 2 | 4 | 5 | 6 | 9 | 15 => {}
                3 => {
                    r.string("XML-navn")?;
                }
                // 7 is a weak link, which this build of Yrs does not decode.
                _ => return Err(r.malformed("ukendt typereference")),
            }
            1
        }
        8 => {
            // Each value takes at least one byte.
            let n = r.count(1, "antal værdier")?;
            for _ in 0..n {
                any_value(r, shape)?;
            }
            n
        }
        9 => {
            r.string("underdokument")?;
            any_value(r, shape)?;
            1
        }
        _ => return Err(r.malformed("ukendt indholdstype")),
    };
    Ok(len)
}

/// A JSON value inside a string (embeds and formatting): Yrs parses it with serde_json,
/// whose own nesting limit (128) refuses what is deeper, so only the string is read here.
fn json(r: &mut Reader<'_>) -> Result<(), GuardError> {
    r.string("JSON").map(drop)
}

/// An lib0 `Any` value, walked with an explicit stack of "values still to read" per level.
fn any_value(r: &mut Reader<'_>, shape: &mut UpdateShape) -> Result<(), GuardError> {
    // Each open array or map: how many values (or key/value pairs) are left, and whether keys come first.
    let mut open: Vec<(u64, bool)> = Vec::new();
    loop {
        let depth = open.len() as u32 + 1;
        if depth > MAX_DEPTH {
            return Err(GuardError::TooDeep { at: r.pos, max: MAX_DEPTH });
        }
        shape.depth = shape.depth.max(depth);
        match r.u8("værditype")? {
            127 | 126 | 121 | 120 => {}
            125 => {
                r.var_u64("heltal")?;
            }
            124 => {
                r.take(4, "tal")?;
            }
            123 | 122 => {
                r.take(8, "tal")?;
            }
            119 => {
                r.string("tekst")?;
            }
            118 => {
                // key (≥ 1 byte) + value (≥ 1 byte)
                let n = r.count(2, "antal nøgler")?;
                open.push((n, true));
            }
            117 => {
                let n = r.count(1, "antal elementer")?;
                open.push((n, false));
            }
            116 => {
                r.buf_slice("binære data")?;
            }
            _ => return Err(r.malformed("ukendt værditype")),
        }
        // Close every finished container; read the next key where a map wants one.
        loop {
            match open.last_mut() {
                None => return Ok(()),
                Some((0, _)) => {
                    open.pop();
                }
                Some((left, is_map)) => {
                    *left -= 1;
                    if *is_map {
                        r.string("nøgle")?;
                    }
                    break;
                }
            }
        }
    }
}

/// The delete set: per client, ranges of (clock, length). Returns how many ranges.
fn id_set(r: &mut Reader<'_>) -> Result<u64, GuardError> {
    let mut ranges = 0;
    let clients = r.count(2, "antal klienter i sletningerne")?;
    for _ in 0..clients {
        r.var_u64("klient-id")?;
        let n = r.count(2, "antal sletninger")?;
        for _ in 0..n {
            r.var_u64("klokke")?;
            r.var_u64("længde")?;
        }
        ranges += n;
    }
    Ok(ranges)
}

/// A cursor over untrusted bytes: every read is bounds-checked.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn malformed(&self, what: &'static str) -> GuardError {
        GuardError::Malformed { at: self.pos, what }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, GuardError> {
        let b = *self.buf.get(self.pos).ok_or_else(|| self.malformed(what))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], GuardError> {
        if n > self.remaining() {
            return Err(self.malformed(what));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// lib0's unsigned varint (7 bits a byte, at most 64 bits).
    fn var_u64(&mut self, what: &'static str) -> Result<u64, GuardError> {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8(what)?;
            if shift >= 64 || (shift == 63 && b & 0x7f > 1) {
                return Err(self.malformed(what));
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// A declared count of things that take at least `min_bytes` each: more than the bytes
    /// left can hold is refused, so nothing downstream reserves memory for it.
    fn count(&mut self, min_bytes: usize, what: &'static str) -> Result<u64, GuardError> {
        let n = self.var_u64(what)?;
        if n > (self.remaining() / min_bytes.max(1)) as u64 {
            return Err(self.malformed(what));
        }
        Ok(n)
    }

    fn buf_slice(&mut self, what: &'static str) -> Result<&'a [u8], GuardError> {
        let n = self.var_u64(what)?;
        let n = usize::try_from(n).map_err(|_| self.malformed(what))?;
        self.take(n, what)
    }

    fn string(&mut self, what: &'static str) -> Result<&'a str, GuardError> {
        let at = self.pos;
        let bytes = self.buf_slice(what)?;
        std::str::from_utf8(bytes).map_err(|_| GuardError::Malformed { at, what: "tekst der ikke er UTF-8" })
    }
}

#[cfg(test)]
mod tests;
