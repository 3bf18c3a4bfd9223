//! Time, identifiers and randomness are injected through [`Env`], so that tests and the
//! sample are deterministic while the app uses the wall clock and the OS random source.

use rand::{rngs::StdRng, Rng, SeedableRng};
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;

/// Where the core gets "now" and fresh random numbers from.
pub trait Env: Send + Sync {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_millis(&self) -> i64;
    /// A fresh 64-bit random number (item ids, CRDT client ids).
    fn random_u64(&self) -> u64;
    /// Today's date (UTC) by this clock: the day a signing is recorded, a check is run.
    fn today(&self) -> crate::model::Day {
        day_of_millis(self.now_millis())
    }
}

/// The UTC date of epoch milliseconds.
pub fn day_of_millis(millis: i64) -> crate::model::Day {
    let date = OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000).map(|t| t.date()).unwrap_or(time::Date::MIN);
    crate::model::Day(date)
}

/// The real world: wall clock and the operating system's random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemEnv;

impl Env for SystemEnv {
    fn now_millis(&self) -> i64 {
        (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }
    fn random_u64(&self) -> u64 {
        rand::rng().random()
    }
    /// The wall clock's day, or the one `KONSEKVENS_TODAY` (YYYY-MM-DD) pins, so scripts and
    /// tests can run the check, exports and signings as of a given day.
    fn today(&self) -> crate::model::Day {
        use crate::model::Day;
        std::env::var("KONSEKVENS_TODAY").ok().and_then(|s| Day::parse(&s).ok()).unwrap_or_else(|| day_of_millis(self.now_millis()))
    }
}

/// Today by the real world ([`SystemEnv::today`]: the clock, or `KONSEKVENS_TODAY`), for the
/// shells (CLI, app) where no workspace is at hand.
pub fn today() -> crate::model::Day {
    SystemEnv.today()
}

/// A deterministic world for tests and the bundled sample: a clock that advances one
/// second per reading from a fixed start, and a seeded random generator.
#[derive(Debug)]
pub struct FixedEnv {
    millis: AtomicU64,
    rng: std::sync::Mutex<StdRng>,
}

impl FixedEnv {
    pub fn new(start_millis: i64, seed: u64) -> Self {
        Self {
            millis: AtomicU64::new(start_millis as u64),
            rng: std::sync::Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }
}

impl Env for FixedEnv {
    fn now_millis(&self) -> i64 {
        self.millis.fetch_add(1000, Ordering::SeqCst) as i64
    }
    fn random_u64(&self) -> u64 {
        self.rng.lock().expect("rng lock poisoned").random()
    }
}

/// Formats epoch milliseconds as an RFC 3339 UTC timestamp.
pub fn format_millis(millis: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| millis.to_string())
}
