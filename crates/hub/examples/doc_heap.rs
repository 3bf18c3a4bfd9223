//! How much memory a document takes in Yrs as the fan-out benchmark's clients edit it: the
//! share of a hub's (or any Yjs server's) memory that is the documents' own, apart from the
//! server. The fan-out soak (`fanout --soak 600`) measures the hub process's resident memory;
//! this replays the same edits — 490 clients, each typing 8 characters into its own part of
//! a Y.Text (`type`) or setting its own key of a Y.Map (`overwrite`) — into one Yrs document,
//! counting the bytes the allocator holds for it (as asked for, and as glibc's malloc
//! chunks: what a process's resident memory sees), and prints them per edit beside the
//! document's encoded size.
//!
//! ```text
//! cargo run --release -p konsekvens-hub --example doc_heap -- [EDITS]
//! ```
//!
//! Not a test: `cargo test` only compiles it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use yrs::updates::decoder::Decode;
use yrs::{ClientID, Doc, Map, MapRef, Options, ReadTxn, StateVector, Text, TextRef, Transact, Update};

/// The system allocator, counting the bytes asked for and what glibc's malloc takes for them.
struct Counting;

/// Bytes asked for and not freed.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The same allocations as glibc's chunks: 8 bytes of header, rounded up to 16, at least 32.
static CHUNKS: AtomicUsize = AtomicUsize::new(0);

fn chunk(size: usize) -> usize {
    ((size + 8 + 15) & !15).max(32)
}

fn count(add: usize, sub: usize) {
    LIVE.fetch_add(add, Ordering::Relaxed);
    LIVE.fetch_sub(sub, Ordering::Relaxed);
    CHUNKS.fetch_add(if add > 0 { chunk(add) } else { 0 }, Ordering::Relaxed);
    CHUNKS.fetch_sub(if sub > 0 { chunk(sub) } else { 0 }, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size(), 0);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(0, layout.size());
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size, layout.size());
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CLIENTS: u64 = 490;

fn main() {
    let edits: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(145_000);
    println!("{edits} edits by {CLIENTS} clients into one document (the fan-out soak made ≈ 145 000 in 10 minutes)");
    println!("  {:<10} {:>10} {:>12} {:>18} {:>15}", "edits", "heap MiB", "heap B/edit", "in malloc B/edit", "encoded B/edit");
    for overwrite in [false, true] {
        let (heap, chunks, encoded) = replay(edits, overwrite);
        println!(
            "  {:<10} {:>10.1} {:>12.0} {:>18.0} {:>15.1}",
            if overwrite { "overwrite" } else { "type" },
            heap as f64 / 1048576.0,
            heap as f64 / edits as f64,
            chunks as f64 / edits as f64,
            encoded as f64 / edits as f64
        );
    }
}

/// The document's heap growth (asked for, and as glibc's chunks) and encoded size after
/// `edits` edits.
fn replay(edits: u64, overwrite: bool) -> (usize, usize, usize) {
    // The clients' edits first (their documents are not the server's memory), as updates.
    let updates: Vec<Vec<u8>> = {
        let clients: Vec<(Doc, TextRef, MapRef)> = (0..CLIENTS)
            .map(|i| {
                let doc = Doc::with_options(Options { client_id: ClientID::new(1_000_001 + i), ..Options::default() });
                let (text, map) = (doc.get_or_insert_text("meta"), doc.get_or_insert_map("values"));
                (doc, text, map)
            })
            .collect();
        (0..edits)
            .map(|n| {
                let (doc, text, map) = &clients[((n * 7919) % CLIENTS) as usize];
                let before = doc.transact().state_vector();
                {
                    let mut txn = doc.transact_mut();
                    let value = format!("e{:07}", n % 10_000_000);
                    if overwrite {
                        map.insert(&mut txn, format!("c{}", doc.client_id().get()), value);
                    } else {
                        let len = text.len(&txn);
                        text.insert(&mut txn, len.min(4), &value);
                    }
                }
                doc.transact().encode_state_as_update_v1(&before)
            })
            .collect()
    };
    let server = Doc::new();
    let (live, chunks) = (LIVE.load(Ordering::Relaxed), CHUNKS.load(Ordering::Relaxed));
    for update in &updates {
        server.transact_mut().apply_update(Update::decode_v1(update).expect("our own update")).expect("applies");
    }
    let heap = LIVE.load(Ordering::Relaxed).saturating_sub(live);
    let in_malloc = CHUNKS.load(Ordering::Relaxed).saturating_sub(chunks);
    let encoded = server.transact().encode_state_as_update_v1(&StateVector::default()).len();
    (heap, in_malloc, encoded)
}
