//! Konsekvens hub: the server several municipalities sync one joint DPIA through, and the
//! clients that sync a workspace file with it.
//!
//! - [`server`]: `konsekvens hub serve` — tokio, one WebSocket per document at
//!   `ws://HOST/dpia/<dpia-id>/<doc-key>?token=…`, the standard y-sync protocol
//!   (`yrs::sync`), so the official Yjs `y-websocket` client works against it. Writes are
//!   decided, logged (group commit) and forwarded by one writer thread (`writer`).
//! - [`store`]: the hub's SQLite database (registry, tokens as SHA-256 hashes, the
//!   append-only update log, snapshots, client-id bindings, refusals); the admin functions.
//! - [`rights`]: who writes which document (one document per write scope).
//! - [`client`]: `konsekvens sync PATH --hub URL --token TOKEN` (one round), and rounds.
//! - [`live`]: `konsekvens sync --watch` and the app: sockets kept open, changes and
//!   presence as they happen.
//!
//! - [`backup`]: `hub backup` while serving (SQLite's online backup) and `hub restore`.
//! - [`oidc`]: OpenID Connect ID tokens as bearers besides tokens (`--oidc FILE`): verified
//!   against the provider's keys, a claim mapped to an organisation and a role.
//! - [`signin`]: the client side of sign-in (`konsekvens login`, the app's «Log ind»):
//!   authorization code + PKCE with a loopback redirect, the device flow, refresh, and
//!   where the sign-in is kept.
//! - `/healthz` on the hub's address, `/metrics` (OpenMetrics) on `--metrics-listen`
//!   (`metrics`, `ops`); [`oplog`]: log lines as text or JSON (`--log-format json`).
//!
//! TLS is not built in: run the hub on loopback or a private address behind a reverse
//! proxy that terminates TLS and forwards WebSocket upgrades (see the crate README).

pub mod attribution;
pub mod backup;
pub mod client;
pub mod codes;
mod coded;
mod durable;
pub mod live;
mod metrics;
pub mod oidc;
mod ops;
pub mod oplog;
pub mod proto;
pub mod rights;
pub mod server;
pub mod signin;
pub mod store;
mod writer;

pub use client::{ensure_remark_documents, sync_once, sync_once_with, sync_watch, DocOutcome, DocReport, SyncError, SyncOptions, SyncReport, SyncState, WatchOptions};
pub use live::{live_control, printable, sync_live, LiveControl, LiveEvent, LiveHandle, LiveOptions, LiveState, Peer, Presence};
pub use rights::{BasePolicy, DpiaInfo, Role, TokenInfo};
pub use server::{serve, shutdown_signal, Clock, HubError, ServeConfig, Server};
pub use store::{HubStore, IssuedToken, Queries, StoreError, Synchronous};
