//! «Log ind»: the person signs in at the municipality's OpenID provider through the system
//! browser (authorization code + PKCE, loopback redirect; `konsekvens_hub::signin`, the same
//! code `konsekvens login` runs) and the sign-in is kept where the CLI keeps it, so both see
//! the same person. While the sign-in is valid, the app records its edits, presence and
//! høring remarks as the signed-in person (`Settings::author`), and the live sync can present
//! its ID token to the hub instead of a token (refreshed when it expires, `src/sync.rs`).
//! An expired sign-in that cannot be refreshed is shown as expired and is not used.

use crate::session::AppState;
use konsekvens_core::UserError;
use konsekvens_hub::signin::{self, BrowserEvent, CredentialStore, Credentials, SignInError};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::Duration;
use tauri::State;

/// How long «Log ind» waits for the browser to come back.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// Who is signed in, as the settings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SignInInfo {
    /// The `name` claim (else the e-mail).
    pub name: String,
    pub email: Option<String>,
    /// «Mette Holm <mette@kk.dk>»: what the history and the hub's log say.
    pub person: String,
    /// The organisation the provider's token names (`org`, else `tid`).
    pub org: Option<String>,
    pub issuer: String,
    pub client_id: String,
    /// When the ID token expires (epoch milliseconds).
    pub expires_at: i64,
    /// Not expired now: only then does the app act as this person.
    pub valid: bool,
    /// It can be renewed without the browser (the provider gave a refresh token).
    pub renewable: bool,
}

impl SignInInfo {
    pub fn of(c: &Credentials) -> SignInInfo {
        SignInInfo {
            name: c.name.clone(),
            email: c.email.clone(),
            person: c.person(),
            org: c.org.clone(),
            issuer: c.issuer.clone(),
            client_id: c.client_id.clone(),
            expires_at: (c.expires_at as i64).saturating_mul(1000),
            valid: !c.expires_within(Duration::ZERO),
            renewable: c.refresh_token.is_some(),
        }
    }
}

/// A sign-in error for the webview: the hub crate's mapping, with the app's own advice in
/// place of the CLI's.
pub fn user_error(e: &SignInError) -> UserError {
    let mut u = UserError::from(e);
    u.da = u.da.replace("med «konsekvens login»", "med «Log ind» under «Samarbejde via hub»");
    u
}

fn store(state: &AppState) -> Result<CredentialStore, UserError> {
    state.signin_store.clone().ok_or_else(|| {
        UserError::new("K-LOGIN-STORE", "log-ind kan ikke gemmes: ingen konfigurationsmappe", "the sign-in cannot be kept: no configuration directory")
    })
}

/// The sign-in the app holds (shared with the sync task).
pub type Slot = std::sync::Arc<std::sync::Mutex<Option<Credentials>>>;

/// The kept sign-in, refreshed (and kept) when it has expired and can be; `Ok(None)`: nobody
/// is signed in. An expired sign-in that cannot be refreshed is an error. Blocking (it may
/// ask the provider): call off the async workers.
pub fn fresh(store: &CredentialStore, slot: &Slot) -> Result<Option<Credentials>, UserError> {
    let result = store.identity();
    // What is kept now (refreshed, or the expired one), for the settings to show.
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = store.load().ok().flatten();
    result.map_err(|e| user_error(&e))
}

/// The ID token to connect with: the kept one, renewed first when it expires within
/// `signin::REFRESH_MARGIN` (so a connection does not open just to be closed at expiry).
pub fn for_connecting(store: &CredentialStore, slot: &Slot) -> Result<Credentials, UserError> {
    let result = store.fresh();
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = store.load().ok().flatten();
    result.map_err(|e| user_error(&e))
}

/// A renewed sign-in after the hub said the ID token expired (kept, and held in `slot`).
pub fn renew(store: &CredentialStore, slot: &Slot) -> Result<Credentials, UserError> {
    let current = store.load().map_err(|e| user_error(&e))?.ok_or_else(|| user_error(&SignInError::NotSignedIn))?;
    let result = store.renew(&current);
    *slot.lock().unwrap_or_else(|p| p.into_inner()) = store.load().ok().flatten();
    result.map_err(|e| user_error(&e))
}

/// Signs in through the system browser (or `KONSEKVENS_BROWSER`); the issuer and client id are
/// the policy's when it manages them, else what the user typed (then remembered).
#[tauri::command]
#[specta::specta]
pub async fn sign_in(issuer: String, client_id: String, state: State<'_, AppState>) -> Result<SignInInfo, UserError> {
    let now = state.settings();
    let (issuer, client_id) = (issuer.trim().to_owned(), client_id.trim().to_owned());
    state.check_unmanaged("signin_issuer", issuer != now.signin_issuer)?;
    state.check_unmanaged("signin_client_id", client_id != now.signin_client_id)?;
    if issuer.is_empty() || client_id.is_empty() {
        return Err(UserError::new(
            "K-LOGIN-ARGS",
            "angiv log-ind-udbyderens adresse (issuer) og appens klient-id hos den",
            "give the sign-in provider's address (issuer) and the app's client id there",
        ));
    }
    let store = store(&state)?;
    let (i, c) = (issuer.clone(), client_id.clone());
    let credentials = tauri::async_runtime::spawn_blocking(move || {
        signin::browser_sign_in(&i, &c, SIGN_IN_TIMEOUT, true, |event| {
            if let BrowserEvent::NotOpened { why } = event {
                eprintln!("browseren kunne ikke åbnes ({why})");
            }
        })
    })
    .await
    .map_err(|e| UserError::internal(e.to_string()))?
    .map_err(|e| user_error(&e))?;
    store.save(&credentials).map_err(|e| user_error(&e))?;
    *state.signin.lock().unwrap_or_else(|p| p.into_inner()) = Some(credentials.clone());
    state.update_settings(|s| {
        s.signin_issuer = issuer;
        s.signin_client_id = client_id;
    })?;
    Ok(SignInInfo::of(&credentials))
}

/// «Log ud»: forgets the sign-in (here and for the CLI, which keeps it in the same file); a
/// sync that used it stops.
#[tauri::command]
#[specta::specta]
pub fn sign_out(state: State<'_, AppState>) -> Result<crate::sync::SyncStatus, UserError> {
    store(&state)?.remove().map_err(|e| user_error(&e))?;
    *state.signin.lock().unwrap_or_else(|p| p.into_inner()) = None;
    let mut sync = state.sync.lock().unwrap_or_else(|p| p.into_inner());
    if sync.as_ref().is_some_and(|t| t.sign_in) {
        sync.take();
        *state.sync_status.lock().unwrap_or_else(|p| p.into_inner()) = crate::sync::SyncStatus { state: "disconnected".into(), ..Default::default() };
    }
    drop(sync);
    Ok(state.sync_status.lock().unwrap_or_else(|p| p.into_inner()).clone())
}

/// Who is signed in now; an expired sign-in is renewed first when it can be.
#[tauri::command]
#[specta::specta]
pub async fn signed_in(state: State<'_, AppState>) -> Result<Option<SignInInfo>, UserError> {
    let expired = state.signin.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|c| c.expires_within(Duration::ZERO) && c.refresh_token.is_some());
    if let (true, Some(store)) = (expired, state.signin_store.clone()) {
        // Renewing asks the provider: off the async workers. A failure leaves it shown as expired.
        let slot = state.signin.clone();
        let _ = tauri::async_runtime::spawn_blocking(move || fresh(&store, &slot)).await;
    }
    Ok(state.signin.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(SignInInfo::of))
}
