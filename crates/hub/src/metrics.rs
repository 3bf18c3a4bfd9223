//! What an operator's monitoring scrapes at `/metrics` (OpenMetrics text, which Prometheus
//! reads): open connections, accepted updates and refusals per joint DPIA, the fan-out
//! latency, the write-ahead log's size and the last checkpoint.
//!
//! Labels carry only registered joint DPIA ids (a connection is counted once admitted) and
//! HTTP status codes: nothing a client sends can add a series, so a hostile client cannot
//! make the hub's memory or a scrape grow.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The content type of [`HubMetrics::encode`]'s answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct DpiaLabel {
    dpia: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct StatusLabel {
    status: u16,
}

/// The hub's metrics; shared by the connections, the writer and the checkpoint thread.
pub(crate) struct HubMetrics {
    registry: Registry,
    connections: Family<DpiaLabel, Gauge>,
    documents_open: Gauge,
    updates: Family<DpiaLabel, Counter>,
    refusals: Family<DpiaLabel, Counter>,
    handshake_refusals: Family<StatusLabel, Counter>,
    fanout: Histogram,
    wal_bytes: Gauge,
    last_checkpoint: Gauge<f64, AtomicU64>,
    checkpoint_failures: Counter,
}

impl HubMetrics {
    pub(crate) fn new() -> HubMetrics {
        let connections = Family::<DpiaLabel, Gauge>::default();
        let documents_open = Gauge::default();
        let updates = Family::<DpiaLabel, Counter>::default();
        let refusals = Family::<DpiaLabel, Counter>::default();
        let handshake_refusals = Family::<StatusLabel, Counter>::default();
        // 50 µs … ≈ 1.6 s: loopback deliveries take under a millisecond, a loaded host hundreds.
        let fanout = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        let wal_bytes = Gauge::default();
        let last_checkpoint = Gauge::<f64, AtomicU64>::default();
        let checkpoint_failures = Counter::default();
        let mut registry = Registry::with_prefix("konsekvens_hub");
        registry.register("connections", "Open WebSocket connections per joint DPIA", connections.clone());
        registry.register(
            "documents_open",
            "Documents held in memory: those with connections, and those closed less than --room-idle ago",
            documents_open.clone(),
        );
        registry.register("updates", "Updates accepted (logged and forwarded) per joint DPIA", updates.clone());
        registry.register("refusals", "Refused writes, presence and closes per joint DPIA (as in `hub refusals`)", refusals.clone());
        registry.register(
            "handshake_refusals",
            "Refused WebSocket handshakes by HTTP status (wrong token 401, throttled 429, …)",
            handshake_refusals.clone(),
        );
        registry.register("fanout_seconds", "From an update's arrival to its being written to each other connection", fanout.clone());
        registry.register("wal_bytes", "Size of the SQLite write-ahead log", wal_bytes.clone());
        registry.register(
            "last_checkpoint_timestamp_seconds",
            "When the write-ahead log was last checkpointed (Unix time; 0: not yet)",
            last_checkpoint.clone(),
        );
        registry.register("checkpoint_failures", "Checkpoints that failed (retried a second later)", checkpoint_failures.clone());
        HubMetrics {
            registry,
            connections,
            documents_open,
            updates,
            refusals,
            handshake_refusals,
            fanout,
            wal_bytes,
            last_checkpoint,
            checkpoint_failures,
        }
    }

    /// Counts an admitted connection until the returned guard is dropped.
    pub(crate) fn connection_opened(&self, dpia: &str) -> OpenConnection {
        let gauge = self.connections.get_or_create(&DpiaLabel { dpia: dpia.to_owned() }).clone();
        gauge.inc();
        OpenConnection(gauge)
    }

    pub(crate) fn documents_open(&self, n: usize) {
        self.documents_open.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub(crate) fn update_accepted(&self, dpia: &str) {
        self.updates.get_or_create(&DpiaLabel { dpia: dpia.to_owned() }).inc();
    }

    pub(crate) fn refused(&self, dpia: &str) {
        self.refusals.get_or_create(&DpiaLabel { dpia: dpia.to_owned() }).inc();
    }

    pub(crate) fn handshake_refused(&self, status: u16) {
        self.handshake_refusals.get_or_create(&StatusLabel { status }).inc();
    }

    pub(crate) fn delivered(&self, latency: Duration) {
        self.fanout.observe(latency.as_secs_f64());
    }

    pub(crate) fn checkpointed(&self, ok: bool) {
        if ok {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
            self.last_checkpoint.set(now.as_secs_f64());
        } else {
            self.checkpoint_failures.inc();
        }
    }

    /// The OpenMetrics text of every metric, the WAL's size read now.
    pub(crate) fn encode(&self, wal_bytes: u64) -> String {
        self.wal_bytes.set(i64::try_from(wal_bytes).unwrap_or(i64::MAX));
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// An admitted connection as counted in `konsekvens_hub_connections`.
pub(crate) struct OpenConnection(Gauge);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_each_dpia_and_counts_down_closed_connections() {
        let m = HubMetrics::new();
        let a = m.connection_opened("aula");
        let _b = m.connection_opened("aula");
        m.update_accepted("aula");
        m.refused("aula");
        m.handshake_refused(401);
        m.delivered(Duration::from_micros(300));
        m.checkpointed(true);
        m.documents_open(2);
        drop(a);
        let text = m.encode(4096);
        for line in [
            "konsekvens_hub_connections{dpia=\"aula\"} 1",
            "konsekvens_hub_updates_total{dpia=\"aula\"} 1",
            "konsekvens_hub_refusals_total{dpia=\"aula\"} 1",
            "konsekvens_hub_handshake_refusals_total{status=\"401\"} 1",
            "konsekvens_hub_fanout_seconds_count 1",
            "konsekvens_hub_wal_bytes 4096",
            "konsekvens_hub_documents_open 2",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
        let at: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("konsekvens_hub_last_checkpoint_timestamp_seconds "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(at > 1.7e9, "{at}");
    }
}
