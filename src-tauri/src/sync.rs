//! Co-editing through a hub: the app runs the hub client (`konsekvens_hub::sync_watch`) on a
//! second connection to the workspace file, so the user's edits never wait for the network;
//! what the hub brings is taken into the app's workspace (`catch_up`) and shown at once.
//! Offline, edits stay in the file and go out when the hub is reached again; the CRDT merges
//! them without a dialog.

use crate::session::AppState;
use konsekvens_core::{SystemEnv, Workspace};
use konsekvens_hub::{SyncState, WatchOptions};
use serde::Serialize;
use specta::Type;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// What the status line shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct SyncStatus {
    /// `disconnected`, `syncing`, `in_sync`, `offline`, `refused`, `stopped`.
    pub state: String,
    pub hub: Option<String>,
    /// Local changes waiting for the hub (while offline).
    pub pending: u32,
    pub detail: String,
    /// When the last round ended in sync (epoch milliseconds).
    pub last_in_sync: Option<i64>,
}

/// A running sync: stopping it ends the task at the next step.
pub struct SyncTask {
    stop: tokio::sync::watch::Sender<bool>,
}

impl Drop for SyncTask {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn describe(state: &SyncState, hub: &str, previous: &SyncStatus) -> SyncStatus {
    let mut s = SyncStatus { hub: Some(hub.to_owned()), last_in_sync: previous.last_in_sync, ..SyncStatus::default() };
    match state {
        SyncState::Syncing => {
            s.state = "syncing".into();
            s.pending = previous.pending;
        }
        SyncState::InSync { received } => {
            s.state = "in_sync".into();
            s.detail = format!("{received}");
            s.last_in_sync = Some(now_millis());
        }
        SyncState::Refused { docs } => {
            s.state = "refused".into();
            s.detail = docs.iter().map(|(k, why)| format!("{k}: {why}")).collect::<Vec<_>>().join("; ");
        }
        SyncState::Offline { pending, retry_in, error } => {
            s.state = "offline".into();
            s.pending = *pending as u32;
            s.detail = format!("{error} (nyt forsøg om {} s)", retry_in.as_secs().max(1));
        }
    }
    s
}

/// Starts syncing the open workspace with `hub` (replacing a running sync). Status changes
/// arrive on `updates`; what the hub brings is taken into the open workspace.
pub fn start(state: &AppState, path: PathBuf, hub: String, token: String, updates: Channel<SyncStatus>) -> Result<(), String> {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let status = state.sync_status.clone();
    let session = state.session.clone();
    *state.sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(SyncTask { stop });
    *status.lock().unwrap_or_else(|p| p.into_inner()) = SyncStatus { state: "syncing".into(), hub: Some(hub.clone()), ..SyncStatus::default() };
    tauri::async_runtime::spawn(async move {
        let publish = |s: SyncStatus| {
            *status.lock().unwrap_or_else(|p| p.into_inner()) = s.clone();
            let _ = updates.send(s);
        };
        let mut ws = match Workspace::open(&path, Arc::new(SystemEnv)) {
            Ok(ws) => ws,
            Err(e) => return publish(SyncStatus { state: "stopped".into(), hub: Some(hub), detail: e.to_string(), ..SyncStatus::default() }),
        };
        let on_state = |s: &SyncState, _: Option<&konsekvens_hub::SyncReport>| {
            if let Some(open) = session.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                match s {
                    // Take in what the hub brought (and the webview hears of it).
                    SyncState::InSync { received } if *received > 0 => {
                        let _ = open.ws.catch_up();
                    }
                    // The sync reset the refused document to the hub's state in the file;
                    // the refused edit stays in the log, and the webview reloads its mirrors.
                    SyncState::Refused { .. } => {
                        let _ = open.ws.reload_all();
                    }
                    _ => {}
                }
            }
            let previous = status.lock().unwrap_or_else(|p| p.into_inner()).clone();
            publish(describe(s, &hub, &previous));
        };
        let shutdown = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        let result = konsekvens_hub::sync_watch(&mut ws, &hub, &token, WatchOptions::default(), on_state, shutdown).await;
        let previous = status.lock().unwrap_or_else(|p| p.into_inner()).clone();
        publish(SyncStatus {
            state: "stopped".into(),
            detail: result.err().map(|e| e.to_string()).unwrap_or_default(),
            ..previous
        });
    });
    Ok(())
}

/// Connects the open workspace to a hub and keeps it in sync until disconnected.
#[tauri::command]
#[specta::specta]
pub fn connect_hub(hub: String, token: String, updates: Channel<SyncStatus>, state: State<'_, AppState>) -> Result<SyncStatus, String> {
    let path = state.with(|s, _| Ok(s.path.clone()))?;
    start(&state, path, hub.trim().to_owned(), token.trim().to_owned(), updates)?;
    Ok(state.sync_status.lock().unwrap_or_else(|p| p.into_inner()).clone())
}

#[tauri::command]
#[specta::specta]
pub fn disconnect_hub(state: State<'_, AppState>) -> SyncStatus {
    state.sync.lock().unwrap_or_else(|p| p.into_inner()).take();
    let mut status = state.sync_status.lock().unwrap_or_else(|p| p.into_inner());
    *status = SyncStatus { state: "disconnected".into(), ..SyncStatus::default() };
    status.clone()
}

#[tauri::command]
#[specta::specta]
pub fn sync_status(state: State<'_, AppState>) -> SyncStatus {
    let s = state.sync_status.lock().unwrap_or_else(|p| p.into_inner()).clone();
    if s.state.is_empty() { SyncStatus { state: "disconnected".into(), ..s } } else { s }
}

/// Joins a joint DPIA shared through a hub: a new workspace file at `path`, filled from the
/// hub (refused tokens and unreachable hubs leave no file behind), then opened.
#[tauri::command]
#[specta::specta]
pub async fn join_hub(hub: String, token: String, path: String, state: State<'_, AppState>) -> Result<crate::commands::Opened, String> {
    let target = PathBuf::from(&path);
    if target.exists() {
        return Err(format!("{path}: der findes allerede en fil; vælg et andet navn"));
    }
    let mut ws = Workspace::create(&target, Arc::new(SystemEnv)).map_err(|e| e.to_string())?;
    let result = konsekvens_hub::sync_once(&mut ws, hub.trim(), token.trim()).await;
    let remove = |p: &PathBuf| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
        }
    };
    match result {
        Ok(report) if report.docs.iter().any(|d| d.received > 0) => {}
        Ok(_) => {
            drop(ws);
            remove(&target);
            return Err("hubben sendte intet: er konsekvensanalysen registreret, og giver tokenet adgang til den?".into());
        }
        Err(e) => {
            drop(ws);
            remove(&target);
            return Err(e.to_string());
        }
    }
    drop(ws);
    let ws = Workspace::open(&target, Arc::new(SystemEnv)).map_err(|e| e.to_string())?;
    ws.ensure_review_baseline().map_err(|e| e.to_string())?;
    crate::commands::install_opened(&state, ws, target, true)
}
