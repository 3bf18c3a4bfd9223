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
use std::sync::{Arc, Mutex};
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
    /// The live client's handle and the presence last announced (the task replaces the
    /// handle when it reconnects with a renewed sign-in, and announces the presence again).
    pub live: Arc<Mutex<(LiveHandle, Option<Presence>)>>,
    /// Whether it presents the sign-in's ID token (else a token).
    pub sign_in: bool,
}

impl SyncTask {
    pub fn set_presence(&self, presence: Option<Presence>) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.0.set_presence(presence.clone());
        live.1 = presence;
    }
}

/// What the hub's refusal of a sign-in means, in words for the person (the hub's reasons
/// start with a stable code, `konsekvens_hub::codes`); `None` for anything else.
pub fn signin_refusal(reason: &str) -> Option<UserError> {
    use konsekvens_hub::codes::{OIDC, OIDC_EXPIRED, OIDC_ORG};
    let said = konsekvens_hub::live::printable(reason);
    if said.contains(OIDC_EXPIRED) {
        Some(UserError::new(
            "K-APP-LOGIN-UDLOEBET",
            format!("Dit log-ind er udløbet og kunne ikke fornys; log ind igen under «Samarbejde via hub». Hubben sagde: {said}"),
            format!("Your sign-in has expired and could not be renewed; sign in again under «Co-editing via a hub». The hub said: {said}"),
        ))
    } else if said.contains(OIDC_ORG) {
        Some(UserError::new(
            "K-APP-LOGIN-ORG",
            format!("Hubben kender ikke den organisation, dit log-ind angiver: bed hubbens operatør om at knytte den til en kommune. Hubben sagde: {said}"),
            format!("The hub does not know the organisation your sign-in names: ask the hub's operator to map it to a municipality. The hub said: {said}"),
        ))
    } else if said.contains(OIDC) && said.contains("(aud)") {
        Some(UserError::new(
            "K-APP-LOGIN-MODTAGER",
            format!("Hubben godtager ikke dit log-ind: det er udstedt til et andet klient-id, end hubben er sat op til. Ret klient-id'et og log ind igen, eller spørg hubbens operatør. Hubben sagde: {said}"),
            format!("The hub does not accept your sign-in: it was issued to another client id than the hub expects. Correct the client id and sign in again, or ask the hub's operator. The hub said: {said}"),
        ))
    } else if said.contains(OIDC) {
        Some(UserError::new(
            "K-APP-LOGIN-AFVIST",
            format!("Hubben godtager ikke dit log-ind. Hubben sagde: {said}"),
            format!("The hub does not accept your sign-in. The hub said: {said}"),
        ))
    } else {
        None
    }
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

/// What the sync presents to the hub: a token, or the sign-in's ID token.
pub enum Bearer {
    Token(String),
    SignIn,
}

/// Starts syncing the open workspace with `hub` (replacing a running sync). Status changes
/// arrive on `updates`; what the hub brings is taken into the open workspace. With the
/// sign-in, its ID token is renewed before it expires and whenever the hub closes the
/// connection because it did; a sign-in that cannot be renewed stops the sync with a
/// Danish message.
pub fn start(state: &AppState, path: PathBuf, hub: String, bearer: Bearer, presence: Presence, updates: Channel<SyncStatus>) -> Result<(), UserError> {
    let party = state.settings().org.map_or(konsekvens_core::doc::Party::Coordinator, |c| konsekvens_core::doc::Party::Org(konsekvens_core::model::OrgCode(c)));
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    // Whether the end was asked for (disconnect, sign out, another workspace).
    let asked = stopped.clone();
    let (handle, control) = konsekvens_hub::live_control();
    handle.set_presence(Some(presence.clone()));
    let live = Arc::new(Mutex::new((handle, Some(presence))));
    let status = state.sync_status.clone();
    let session = state.session.clone();
    let sign_in = matches!(bearer, Bearer::SignIn);
    let signin = match bearer {
        Bearer::SignIn => Some((state.signin_store.clone().ok_or_else(|| crate::signin::user_error(&konsekvens_hub::signin::SignInError::NotSignedIn))?, state.signin.clone())),
        Bearer::Token(_) => None,
    };
    let mut token = match bearer {
        Bearer::Token(t) => t,
        Bearer::SignIn => String::new(),
    };
    *state.sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(SyncTask { stop, live: live.clone(), sign_in });
    *status.lock().unwrap_or_else(|p| p.into_inner()) = SyncStatus { state: "syncing".into(), hub: Some(hub.clone()), ..SyncStatus::default() };
    tauri::async_runtime::spawn(async move {
        // Once the end was asked for, the one who asked has set the status: nothing the
        // ending task reports («stopped», a last state change) may overwrite it. Checked under
        // the lock, which the asker takes after asking.
        let publish = |s: SyncStatus| {
            let mut current = status.lock().unwrap_or_else(|p| p.into_inner());
            if *asked.borrow() {
                return;
            }
            *current = s.clone();
            drop(current);
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
        let mut on_event = |event: LiveEvent| {
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
                LiveEvent::Unavailable { key, reason } => {
                    SyncStatus { detail: format!("{key}: {reason}"), error: signin_refusal(&reason).or(previous.error.clone()), ..previous }
                }
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
        tokio::pin!(shutdown);
        let mut control = Some(control);
        let mut renewed = false;
        let result = loop {
            // The sign-in's ID token: refreshed when it has expired (or the hub said so).
            if let Some((store, slot)) = &signin {
                let (store, slot, again) = (store.clone(), slot.clone(), renewed);
                let fresh = tauri::async_runtime::spawn_blocking(move || match again {
                    true => crate::signin::renew(&store, &slot),
                    false => crate::signin::for_connecting(&store, &slot),
                })
                .await
                .unwrap_or_else(|e| Err(UserError::internal(e.to_string())));
                match fresh {
                    Ok(c) => token = c.id_token,
                    Err(e) => break Err(e),
                }
            }
            let control = match control.take() {
                Some(c) => c,
                None => {
                    // Reconnecting: a new handle, told the presence the user last announced.
                    let (handle, control) = konsekvens_hub::live_control();
                    let mut live = live.lock().unwrap_or_else(|p| p.into_inner());
                    handle.set_presence(live.1.clone());
                    live.0 = handle;
                    control
                }
            };
            // The user's party: the threads on its supplement (all of them for the coordinator)
            // are synced besides the public remarks documents.
            let mut opts = LiveOptions::default();
            opts.sync.party = Some(party);
            match konsekvens_hub::sync_live(&mut ws, &hub, &token, opts, control, &mut on_event, &mut shutdown).await {
                // The hub closed the connection as the ID token expired: renew, reconnect.
                Err(konsekvens_hub::SyncError::SignInExpired(_)) if signin.is_some() => renewed = true,
                Err(konsekvens_hub::SyncError::Unauthorized(why)) if signin.is_some() => {
                    break Err(signin_refusal(&why).unwrap_or_else(|| UserError::from(konsekvens_hub::SyncError::Unauthorized(why))))
                }
                Err(e) => break Err(UserError::from(e)),
                Ok(()) => break Ok(()),
            }
        };
        let previous = status.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (detail, error) = match result {
            Ok(()) => (String::new(), None),
            Err(e) => (e.da.clone(), Some(e)),
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
        task.set_presence(Some(presence(&state, section)));
    }
}

/// Connects the open workspace to a hub and keeps it in sync until disconnected: with
/// `token`, or, with `sign_in`, with the signed-in person's ID token.
#[tauri::command]
#[specta::specta]
pub fn connect_hub(hub: String, token: String, sign_in: bool, updates: Channel<SyncStatus>, state: State<'_, AppState>) -> Result<SyncStatus, UserError> {
    let path = state.with(|s, _| Ok(s.path.clone()))?;
    let me = presence(&state, None);
    let bearer = if sign_in { Bearer::SignIn } else { Bearer::Token(token.trim().to_owned()) };
    start(&state, path, hub.trim().to_owned(), bearer, me, updates)?;
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
/// hub (refused tokens and unreachable hubs leave no file behind), then opened. With
/// `sign_in`, the signed-in person's ID token is presented instead of `token`.
#[tauri::command]
#[specta::specta]
pub async fn join_hub(hub: String, token: String, sign_in: bool, path: String, state: State<'_, AppState>) -> Result<crate::commands::Opened, UserError> {
    let target = PathBuf::from(&path);
    if target.exists() {
        return Err(UserError::from(konsekvens_core::store::StoreError::Exists { path: target }));
    }
    let token = if sign_in {
        let store = state.signin_store.clone().ok_or_else(|| crate::signin::user_error(&konsekvens_hub::signin::SignInError::NotSignedIn))?;
        let slot = state.signin.clone();
        let fresh = tauri::async_runtime::spawn_blocking(move || crate::signin::fresh(&store, &slot)).await.map_err(|e| UserError::internal(e.to_string()))??;
        fresh.ok_or_else(|| crate::signin::user_error(&konsekvens_hub::signin::SignInError::NotSignedIn))?.id_token
    } else {
        token.trim().to_owned()
    };
    let mut ws = Workspace::create(&target, Arc::new(SystemEnv))?;
    let result = konsekvens_hub::sync_once(&mut ws, hub.trim(), &token).await;
    let remove = |p: &PathBuf| {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
        }
    };
    match result {
        Ok(report) if report.docs.iter().any(|d| d.received > 0) => {}
        Ok(report) => {
            drop(ws);
            remove(&target);
            // A sign-in the hub refuses per document (an organisation it does not know) says so.
            let refusal = report.docs.iter().find_map(|d| match &d.outcome {
                konsekvens_hub::DocOutcome::Unavailable { reason } if sign_in => signin_refusal(reason),
                _ => None,
            });
            if let Some(refusal) = refusal {
                return Err(refusal);
            }
            return Err(UserError::new(
                "K-SYNC-TOM",
                "hubben sendte intet: er konsekvensanalysen registreret, og giver tokenet adgang til den?",
                "the hub sent nothing: is the joint DPIA registered, and does the token give access to it?",
            ));
        }
        Err(e) => {
            drop(ws);
            remove(&target);
            return Err(match &e {
                konsekvens_hub::SyncError::Unauthorized(why) | konsekvens_hub::SyncError::SignInExpired(why) if sign_in => signin_refusal(why).unwrap_or_else(|| e.into()),
                _ => e.into(),
            });
        }
    }
    drop(ws);
    let ws = Workspace::open(&target, Arc::new(SystemEnv))?;
    ws.ensure_review_baseline()?;
    crate::commands::install_opened(&state, ws, target, true)
}

#[cfg(test)]
mod tests {
    use super::signin_refusal;

    #[test]
    fn the_hubs_refusals_of_a_sign_in_are_told_in_danish() {
        let expired = signin_refusal("K-HUB-OIDC-EXPIRED: ID-tokenet er udløbet; log ind igen (the ID token has expired; sign in again)").unwrap();
        assert_eq!(expired.code, "K-APP-LOGIN-UDLOEBET");
        assert!(expired.da.starts_with("Dit log-ind er udløbet"));
        let audience = signin_refusal("K-HUB-OIDC: ID-tokenet er udstedt til en anden modtager (aud) (the ID token is for another audience)").unwrap();
        assert_eq!(audience.code, "K-APP-LOGIN-MODTAGER");
        assert!(audience.da.contains("andet klient-id"));
        let org = signin_refusal("K-HUB-OIDC-ORG: kravet «org» (999) svarer ikke til nogen organisation på hubben (the claim maps to no organisation)").unwrap();
        assert_eq!(org.code, "K-APP-LOGIN-ORG");
        assert!(org.da.contains("organisation"));
        assert_eq!(signin_refusal("K-HUB-OIDC: ID-tokenets signatur er ikke gyldig (the ID token's signature is not valid)").unwrap().code, "K-APP-LOGIN-AFVIST");
        assert!(signin_refusal("K-HUB-AUTH: unknown token").is_none());
    }
}
