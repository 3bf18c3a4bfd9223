//! Konsekvens core: the joint DPIA (GDPR Art. 35) of several Danish municipalities as Yrs
//! CRDT documents persisted in SQLite, and the effective DPIA of each municipality.
//!
//! Layers, bottom up: [`model`] (plain values), [`doc`] (those values in Yrs documents),
//! [`store`] (the SQLite update log and snapshots), [`workspace`] (documents + store: the
//! unit an app or the CLI opens), [`effective`] (base ⊕ supplement), and the read-only
//! outputs [`text`], [`report`] (the printed document's content, for the PDF and Word) and
//! [`interchange`] (JSON). No Tauri, no async, no I/O but SQLite.

pub mod check;
pub mod command;
pub mod doc;
pub mod diff;
pub mod effective;
pub mod env;
pub mod error;
pub mod files;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod hearing;
pub mod history;
pub mod interchange;
pub mod model;
pub mod policy;
pub mod record;
pub mod release;
pub mod report;
pub mod restore;
pub mod sample;
pub mod status;
pub mod store;
pub mod summary;
pub mod text;
pub mod usecase;
pub mod workspace;

pub use doc::{DocError, DocKey, DpiaDoc, Edit};
pub use effective::EffectiveDpia;
pub use env::{Env, FixedEnv, SystemEnv};
pub use error::UserError;
pub use workspace::{Author, UpdateListener, UpdateSource, Workspace, WorkspaceError};
