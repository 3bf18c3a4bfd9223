//! Co-editing through a hub: the app runs the live hub client (`konsekvens_hub::sync_live`)
//! on a second connection to the workspace file, so the user's edits never wait for the
//! network: the client picks up what the app writes to the file, pushes it as it is made, and
//! writes what others send into the file; the app takes that in (`catch_up`) and shows it at
//! once. Presence (who is in which part of the DPIA) travels with it. Offline, edits stay in
//! the file and go out when the hub is reached again; the CRDT merges them without a dialog.

use crate::session::AppState;
use konsekvens_core::{SystemEnv, UserError, Workspace};
use konsekvens_hub::{LiveEvent, LiveHandle, LiveOptions, LiveState, Presence};
use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// Someone else working on the same joint DPIA right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct PeerInfo {
    pub name: String,
    pub org: Option<String>,
    /// The part of the DPIA they are in (the app's view name, e.g. `risks`).
    pub section: Option<String>,
}

/// What the status line shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct SyncStatus {
    /// `disconnected`, `syncing`, `in_sync`, `offline`, `refused`, `stopped`.
    pub state: String,
    pub hub: Option<String>,
    /// Local changes waiting for the hub (while offline).
    pub pending: u32,
    pub detail: String,
    /// Why the sync stopped, when it stopped for an error (in both languages).
    pub error: Option<UserError>,
    /// When the connection last became live (epoch milliseconds).
    pub last_in_sync: Option<i64>,
    /// Who else is here.
    pub peers: Vec<PeerInfo>,
}

/// A running sync: dropping it ends the task at the next step.
pub struct SyncTask {
    stop: tokio::sync::watch::Sender<bool>,
    pub live: LiveHandle,
}

impl Drop for SyncTask {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The status after `state`, keeping what it does not change.
fn describe(state: &LiveState, hub: &str, previous: &SyncStatus) -> SyncStatus {
    let mut s = SyncStatus { hub: Some(hub.to_owned()), peers: previous.peers.clone(), ..SyncStatus::default() };
    match state {
        LiveState::Connecting => {
            s.state = "syncing".into();
            s.last_in_sync = previous.last_in_sync;
        }
        LiveState::Live => {
            s.state = "in_sync".into();
            s.last_in_sync = Some(now_millis());
        }
        LiveState::Offline { pending, retry_in, error } => {
            s.state = "offline".into();
            s.pending = *pending as u32;
            s.last_in_sync = previous.last_in_sync;
            s.peers.clear();
            s.detail = format!("{error} (nyt forsøg om {} s)", retry_in.as_secs().max(1));
        }
    }
    s
}

/// Starts syncing the open workspace with `hub` (replacing a running sync). Status changes
/// arrive on `updates`; what the hub brings is taken into the open workspace.
pub fn start(state: &AppState, path: PathBuf, hub: String, token: String, presence: Presence, updates: Channel<SyncStatus>) -> Result<(), UserError> {
    let party = state.settings().org.map_or(konsekvens_core::doc::Party::Coordinator, |c| konsekvens_core::doc::Party::Org(konsekvens_core::model::OrgCode(c)));
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let (live, control) = konsekvens_hub::live_control();
    live.set_presence(Some(presence));
    let status = state.sync_status.clone();
    let session = state.session.clone();
    *state.sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(SyncTask { stop, live });
    *status.lock().unwrap_or_else(|p| p.into_inner()) = SyncStatus { state: "syncing".into(), hub: Some(hub.clone()), ..SyncStatus::default() };
    tauri::async_runtime::spawn(async move {
        let publish = |s: SyncStatus| {
            *status.lock().unwrap_or_else(|p| p.into_inner()) = s.clone();
            let _ = updates.send(s);
        };
        let mut ws = match Workspace::open(&path, Arc::new(SystemEnv)) {
            Ok(ws) => ws,
            Err(e) => {
                return publish(SyncStatus { state: "stopped".into(), hub: Some(hub), detail: e.to_string(), error: Some(e.into()), ..SyncStatus::default() })
            }
        };
        // Everyone's presence per document, so a peer on several documents counts once.
        let mut peers: BTreeMap<String, Vec<konsekvens_hub::Peer>> = BTreeMap::new();
        let on_event = |event: LiveEvent| {
            let previous = status.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let next = match event {
                LiveEvent::State(s) => describe(&s, &hub, &previous),
                LiveEvent::Received { .. } => {
                    // Take in what the hub brought (and the webview hears of it).
                    if let Some(open) = session.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                        let _ = open.ws.catch_up();
                    }
                    return;
                }
                LiveEvent::Refused { key, reason, .. } => {
                    // The client reset the document to the hub's state in the file; the
                    // refused edit stays in the log. Memory follows the file.
                    if let Some(open) = session.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
                        let _ = open.ws.reload_all();
                    }
                    SyncStatus { state: "refused".into(), detail: format!("{key}: {reason}"), ..previous }
                }
                LiveEvent::Unavailable { key, reason } => SyncStatus { detail: format!("{key}: {reason}"), ..previous },
                LiveEvent::Presence { key, peers: on_doc } => {
                    peers.insert(key.name(), on_doc);
                    let mut seen = std::collections::BTreeSet::new();
                    let all = peers
                        .values()
                        .flatten()
                        .filter(|p| seen.insert(p.client_id))
                        .filter_map(|p| Some(PeerInfo { name: p.name.clone()?, org: p.org.clone(), section: p.section.clone() }))
                        .collect();
                    SyncStatus { peers: all, ..previous }
                }
            };
            publish(next);
        };
        let shutdown = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        // The user's party: the threads on its supplement (all of them for the coordinator)
        // are synced besides the public remarks documents.
        let mut opts = LiveOptions::default();
        opts.sync.party = Some(party);
        let result = konsekvens_hub::sync_live(&mut ws, &hub, &token, opts, control, on_event, shutdown).await;
        let previous = status.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (detail, error) = match result {
            Ok(()) => (String::new(), None),
            Err(e) => (e.to_string(), Some(UserError::from(e))),
        };
        publish(SyncStatus { state: "stopped".into(), detail, error, peers: Vec::new(), ..previous });
    });
    Ok(())
}

fn presence(state: &AppState, section: Option<String>) -> Presence {
    let author = state.settings().author();
    Presence { name: author.name, org: author.org.map(|o| o.to_string()), section }
}

/// Tells the others which part of the DPIA the user is in now.
#[tauri::command]
#[specta::specta]
pub fn set_presence(section: Option<String>, state: State<'_, AppState>) {
    if let Some(task) = state.sync.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        task.live.set_presence(Some(presence(&state, section)));
    }
}

/// Connects the open workspace to a hub and keeps it in sync until disconnected.
#[tauri::command]
#[specta::specta]
pub fn connect_hub(hub: String, token: String, updates: Channel<SyncStatus>, state: State<'_, AppState>) -> Result<SyncStatus, UserError> {
    let path = state.with(|s, _| Ok(s.path.clone()))?;
    let me = presence(&state, None);
    start(&state, path, hub.trim().to_owned(), token.trim().to_owned(), me, updates)?;
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
pub async fn join_hub(hub: String, token: String, path: String, state: State<'_, AppState>) -> Result<crate::commands::Opened, UserError> {
    let target = PathBuf::from(&path);
    if target.exists() {
        return Err(UserError::from(konsekvens_core::store::StoreError::Exists { path: target }));
    }
    let mut ws = Workspace::create(&target, Arc::new(SystemEnv))?;
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
            return Err(UserError::new(
                "K-SYNC-TOM",
                "hubben sendte intet: er konsekvensanalysen registreret, og giver tokenet adgang til den?",
                "the hub sent nothing: is the joint DPIA registered, and does the token give access to it?",
            ));
        }
        Err(e) => {
            drop(ws);
            remove(&target);
            return Err(e.into());
        }
    }
    drop(ws);
    let ws = Workspace::open(&target, Arc::new(SystemEnv))?;
    ws.ensure_review_baseline()?;
    crate::commands::install_opened(&state, ws, target, true)
}
