//! Update checks: when the app starts (and when the user asks), it reads the release's
//! manifest (`latest.json`, made by the release workflow's `tauri-action`) through the
//! official updater plugin (`tauri-plugin-updater`) and tells the webview whether a newer
//! version is out, with its notes. Installing downloads the installer, checks its minisign
//! signature against the public key built into the app (`plugins.updater.pubkey` in
//! `tauri.release.conf.json`) and runs it — on Windows (MSI/NSIS) and macOS. On Linux the
//! Debian package belongs to the system's package manager (and, on a managed desktop, to
//! IT): the app says so and links the download instead of installing.
//!
//! Whether to look: the organisation's policy (`update_check`) wins; else the user's
//! setting, on by default. A build without a real public key (development builds, CI's
//! package) never looks. The check runs in the background with a time limit: a machine
//! without network starts as fast as one with.

use konsekvens_core::UserError;
use serde::Serialize;
use specta::Type;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};

/// How long a check may take before it is given up (the start never waits for it).
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// What the app knows about updates, as the webview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateStatus {
    /// Not looked for: turned off by the organisation's policy (`managed`) or by the user.
    Off { managed: bool },
    /// This build carries no public key to check installers with (a development build, or a
    /// release built without one): it never looks.
    NotConfigured,
    /// Not looked yet (the check is about to run).
    Idle,
    Checking,
    UpToDate { current: String },
    Available {
        current: String,
        version: String,
        /// The release notes, as the manifest has them.
        notes: Option<String>,
        /// The release's date (RFC 3339), if the manifest has one.
        date: Option<String>,
        /// Whether the app can install it itself (Windows, macOS); else `download` is where to get it.
        install: bool,
        download: String,
    },
    Installing,
    /// Installed: the app restarts into the new version.
    Installed,
    Failed { error: UserError },
}

/// Whether to look for updates: `policy` (the organisation's `update_check`) wins over the
/// user's setting (`None`: on, the default); a build without a public key never looks.
pub fn decide(policy: Option<bool>, user: Option<bool>, configured: bool) -> UpdateStatus {
    match (policy, user) {
        (Some(false), _) => UpdateStatus::Off { managed: true },
        (None, Some(false)) => UpdateStatus::Off { managed: false },
        _ if !configured => UpdateStatus::NotConfigured,
        _ => UpdateStatus::Idle,
    }
}

/// Whether `pubkey` is a usable minisign public key as `tauri signer generate` prints it
/// (base64 of the key file's text) — the release configuration's placeholder is not.
pub fn usable_pubkey(pubkey: &str) -> bool {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(pubkey.trim()) else { return false };
    let Ok(text) = String::from_utf8(bytes) else { return false };
    minisign_verify::PublicKey::decode(&text).is_ok()
}

/// Whether a manifest's signature reads as a minisign signature (it is checked against the
/// installer's bytes only when downloaded: a manifest whose signature is missing, empty or
/// garbage is refused at once).
fn readable_signature(signature: &str) -> bool {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { return false };
    let Ok(text) = String::from_utf8(bytes) else { return false };
    minisign_verify::Signature::decode(&text).is_ok()
}

/// Whether this system lets the app install an update itself.
pub fn can_install() -> bool {
    cfg!(any(windows, target_os = "macos"))
}

/// Where to get a release by hand: the release's page for a GitHub «latest» manifest
/// (`…/releases/latest/download/latest.json` → `…/releases/latest`), else the manifest's folder.
pub fn download_page(endpoint: &str) -> String {
    if let Some(page) = endpoint.strip_suffix("/download/latest.json") {
        return page.to_owned();
    }
    match endpoint.rfind('/') {
        Some(i) if i > endpoint.find("://").map_or(0, |s| s + 2) => endpoint[..=i].to_owned(),
        _ => endpoint.to_owned(),
    }
}

fn error(code: &str, da: String, en: String) -> UserError {
    UserError::new(code, da, en)
}

/// The plugin's error in Danish and English, with a code.
pub fn explain(e: &UpdaterError, timeout: Duration) -> UserError {
    let s = timeout.as_secs().max(1);
    match e {
        UpdaterError::Reqwest(r) if r.is_timeout() => error(
            "K-OPDATERING-TIMEOUT",
            format!("Opdateringsserveren svarede ikke inden for {s} s; der søges igen ved næste start"),
            format!("The update server did not answer within {s} s; the app looks again at its next start"),
        ),
        UpdaterError::Reqwest(r) if r.is_decode() => error(
            "K-OPDATERING-MANIFEST",
            "Opdateringsmanifestet (latest.json) er ikke gyldig JSON".into(),
            "The update manifest (latest.json) is not valid JSON".into(),
        ),
        UpdaterError::Reqwest(r) => error(
            "K-OPDATERING-NET",
            format!("Opdateringsserveren kunne ikke nås ({r})"),
            format!("The update server could not be reached ({r})"),
        ),
        UpdaterError::Serialization(why) => error(
            "K-OPDATERING-MANIFEST",
            format!("Opdateringsmanifestet (latest.json) kan ikke læses: det skal have en version og for hver platform en adresse (url) og en signatur (signature) — {why}"),
            format!("The update manifest (latest.json) cannot be read: it needs a version and, per platform, an address (url) and a signature — {why}"),
        ),
        UpdaterError::ReleaseNotFound => error(
            "K-OPDATERING-MANIFEST",
            "Opdateringsserveren har intet gyldigt manifest (latest.json) at vise".into(),
            "The update server has no valid manifest (latest.json)".into(),
        ),
        UpdaterError::Minisign(_) | UpdaterError::Base64(_) | UpdaterError::SignatureUtf8(_) | UpdaterError::SignedVersionMismatch { .. } | UpdaterError::MissingSignedVersion => error(
            "K-OPDATERING-SIGNATUR",
            "Den hentede opdatering er ikke signeret med Konsekvens' udgivelsesnøgle; den er ikke installeret".into(),
            "The downloaded update is not signed with Konsekvens' release key; it was not installed".into(),
        ),
        UpdaterError::TargetNotFound(t) => error(
            "K-OPDATERING-PLATFORM",
            format!("Manifestet har ingen udgave til denne platform ({t})"),
            format!("The manifest has no build for this platform ({t})"),
        ),
        UpdaterError::TargetsNotFound(t) => error(
            "K-OPDATERING-PLATFORM",
            format!("Manifestet har ingen udgave til denne platform ({})", t.join(", ")),
            format!("The manifest has no build for this platform ({})", t.join(", ")),
        ),
        UpdaterError::Network(why) => error(
            "K-OPDATERING-NET",
            format!("Opdateringen kunne ikke hentes ({why})"),
            format!("The update could not be downloaded ({why})"),
        ),
        other => error("K-OPDATERING", format!("Opdateringen mislykkedes: {other}"), format!("The update failed: {other}")),
    }
}

type Checker = std::sync::Arc<dyn Fn(Duration) -> std::pin::Pin<Box<dyn std::future::Future<Output = (UpdateStatus, Option<Update>)> + Send>> + Send + Sync>;

/// The app's update state: what the webview is shown, the update found (to install), and
/// what the commands need of the app (they take no app handle, so they run on any runtime's
/// IPC): whether this build has a key, and how to look.
#[derive(Default)]
pub struct Updates {
    status: Mutex<Option<UpdateStatus>>,
    found: Mutex<Option<Update>>,
    configured: Mutex<bool>,
    checker: Mutex<Option<Checker>>,
    restart: Mutex<Option<std::sync::Arc<dyn Fn() + Send + Sync>>>,
}

impl Updates {
    pub fn status(&self) -> Option<UpdateStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, status: UpdateStatus) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = Some(status);
    }

    /// What the settings say now: policy over the user's choice, and whether this build can check.
    pub fn decision(&self, state: &crate::session::AppState) -> UpdateStatus {
        let settings = state.settings();
        decide(settings.policy.update_check, settings.update_check, *self.configured.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Looks (when `attach`ed) and keeps what was found.
    async fn look(&self, timeout: Duration) -> UpdateStatus {
        let checker = self.checker.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let (status, update) = match checker {
            Some(check) => check(timeout).await,
            None => (UpdateStatus::NotConfigured, None),
        };
        *self.found.lock().unwrap_or_else(|p| p.into_inner()) = update;
        self.set(status.clone());
        status
    }
}

/// Gives the update state what it needs of the app: whether its key is usable, and a way to
/// look at the configured endpoint.
pub fn attach<R: Runtime>(app: &AppHandle<R>) {
    let updates = app.state::<Updates>();
    *updates.configured.lock().unwrap_or_else(|p| p.into_inner()) = usable_pubkey(&configured_pubkey(app));
    let handle = app.clone();
    let checker: Checker = std::sync::Arc::new(move |timeout| {
        let app = handle.clone();
        Box::pin(async move { check(&app, None, timeout).await })
    });
    *updates.checker.lock().unwrap_or_else(|p| p.into_inner()) = Some(checker);
    let handle = app.clone();
    *updates.restart.lock().unwrap_or_else(|p| p.into_inner()) = Some(std::sync::Arc::new(move || handle.request_restart()));
}

/// The plugin's configuration as built into the app: its public key and endpoints.
fn configured_pubkey<R: Runtime>(app: &AppHandle<R>) -> String {
    app.config().plugins.0.get("updater").and_then(|c| c.get("pubkey")).and_then(|k| k.as_str()).unwrap_or_default().to_owned()
}

fn configured_endpoint<R: Runtime>(app: &AppHandle<R>) -> String {
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|c| c.get("endpoints"))
        .and_then(|e| e.get(0))
        .and_then(|e| e.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// A release as the manifest announces it: version, notes, date (RFC 3339).
type Announced = (String, Option<String>, Option<String>);

/// Reads the manifest at the configured endpoint (or `endpoint`, for tests) and says what it
/// found. Never panics and never waits longer than `timeout`.
pub async fn check<R: Runtime>(app: &AppHandle<R>, endpoint: Option<url::Url>, timeout: Duration) -> (UpdateStatus, Option<Update>) {
    let current = app.package_info().version.to_string();
    let page = download_page(endpoint.as_ref().map(|u| u.as_str()).unwrap_or(&configured_endpoint(app)));
    // The release as the manifest announces it, kept even when the manifest has no build for
    // this platform (a Linux package is then linked, not installed).
    let announced: std::sync::Arc<Mutex<Option<Announced>>> = Default::default();
    let seen = announced.clone();
    let mut builder = app
        .updater_builder()
        .timeout(timeout)
        .version_comparator(move |current, release| {
            let date = release.pub_date.and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok());
            *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some((release.version.to_string(), release.notes.clone(), date));
            release.version > current
        });
    if let Some(url) = endpoint {
        builder = match builder.endpoints(vec![url]) {
            Ok(b) => b,
            Err(e) => return (UpdateStatus::Failed { error: explain(&e, timeout) }, None),
        };
    }
    let updater = match builder.build() {
        Ok(u) => u,
        Err(e) => return (UpdateStatus::Failed { error: explain(&e, timeout) }, None),
    };
    // The plugin's own timeout covers each request; this covers the whole check (a server
    // that accepts and never answers, a stalled name lookup).
    let result = match tokio::time::timeout(timeout + Duration::from_secs(1), updater.check()).await {
        Ok(r) => r,
        Err(_) => {
            return (
                UpdateStatus::Failed {
                    error: error(
                        "K-OPDATERING-TIMEOUT",
                        format!("Opdateringsserveren svarede ikke inden for {} s; der søges igen ved næste start", timeout.as_secs().max(1)),
                        format!("The update server did not answer within {} s; the app looks again at its next start", timeout.as_secs().max(1)),
                    ),
                },
                None,
            )
        }
    };
    let newer = |version: &str| semver::Version::parse(version).ok().zip(semver::Version::parse(&current).ok()).is_some_and(|(v, c)| v > c);
    match result {
        Ok(Some(update)) => {
            if !readable_signature(&update.signature) {
                let error = error(
                    "K-OPDATERING-USIGNERET",
                    format!("Manifestet annoncerer version {}, men uden en gyldig signatur; opdateringen bruges ikke", update.version),
                    format!("The manifest announces version {}, but without a valid signature; the update is not used", update.version),
                );
                return (UpdateStatus::Failed { error }, None);
            }
            let install = can_install();
            let download = if install { page } else { update.download_url.to_string() };
            let date = update.date.and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok());
            let status = UpdateStatus::Available { current, version: update.version.clone(), notes: update.body.clone(), date, install, download };
            (status, Some(update))
        }
        Ok(None) => (UpdateStatus::UpToDate { current }, None),
        // A newer release with no build for this platform in the manifest: shown, linked.
        Err(UpdaterError::TargetNotFound(_) | UpdaterError::TargetsNotFound(_))
            if announced.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|(v, ..)| newer(v)) =>
        {
            let (version, notes, date) = announced.lock().unwrap_or_else(|p| p.into_inner()).clone().expect("checked above");
            (UpdateStatus::Available { current, version, notes, date, install: false, download: page }, None)
        }
        Err(UpdaterError::TargetNotFound(_) | UpdaterError::TargetsNotFound(_)) => (UpdateStatus::UpToDate { current }, None),
        Err(e) => (UpdateStatus::Failed { error: explain(&e, timeout) }, None),
    }
}

/// Downloads the update and checks its signature against the app's public key (the plugin
/// does; nothing unsigned is returned).
pub async fn download_verified(update: &Update, timeout: Duration) -> Result<Vec<u8>, UserError> {
    update.download(|_, _| {}, || {}).await.map_err(|e| explain(&e, timeout))
}

/// Looks for an update in the background when the settings allow it; the start never waits.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    start_with(app, CHECK_TIMEOUT);
}

/// [`start`] with another time limit (tests).
pub fn start_with<R: Runtime>(app: &AppHandle<R>, timeout: Duration) {
    attach(app);
    let updates = app.state::<Updates>();
    let decided = updates.decision(&app.state::<crate::session::AppState>());
    let look = decided == UpdateStatus::Idle;
    updates.set(if look { UpdateStatus::Checking } else { decided });
    if look {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            app.state::<Updates>().look(timeout).await;
        });
    }
}

/// What the app knows about updates now (the webview asks again while it says `checking`).
#[tauri::command]
#[specta::specta]
pub fn update_status(updates: State<'_, Updates>, state: State<'_, crate::session::AppState>) -> UpdateStatus {
    updates.status().unwrap_or_else(|| updates.decision(&state))
}

/// Looks now (the «Søg nu» button): only when the settings allow looking.
#[tauri::command]
#[specta::specta]
pub async fn check_for_update(updates: State<'_, Updates>, state: State<'_, crate::session::AppState>) -> Result<UpdateStatus, UserError> {
    let decided = updates.decision(&state);
    if decided != UpdateStatus::Idle {
        updates.set(decided.clone());
        return Ok(decided);
    }
    updates.set(UpdateStatus::Checking);
    Ok(updates.look(CHECK_TIMEOUT).await)
}

/// Turns the check at start on or off (refused when the policy decides).
#[tauri::command]
#[specta::specta]
pub fn save_update_check(enabled: bool, updates: State<'_, Updates>, state: State<'_, crate::session::AppState>) -> Result<crate::session::Settings, UserError> {
    set_update_check(enabled, &updates, &state)
}

fn set_update_check(enabled: bool, updates: &Updates, state: &crate::session::AppState) -> Result<crate::session::Settings, UserError> {
    let now = state.settings();
    state.check_unmanaged("update_check", now.update_check.unwrap_or(true) != enabled)?;
    state.update_settings(|s| s.update_check = Some(enabled))?;
    let decided = updates.decision(state);
    // Turned off: said at once; turned on: the next start (or «Søg nu») looks.
    if decided != UpdateStatus::Idle || matches!(updates.status(), Some(UpdateStatus::Off { .. }) | None) {
        updates.set(decided);
    }
    Ok(state.settings())
}

/// Downloads, verifies and installs the update found (Windows, macOS; there the installer
/// restarts the app, or it asks to be restarted). Refused on Linux (the package manager
/// installs) and when nothing was found.
#[tauri::command]
#[specta::specta]
pub async fn install_update(updates: State<'_, Updates>) -> Result<UpdateStatus, UserError> {
    if !can_install() {
        return Err(error(
            "K-OPDATERING-LINUX",
            "På Linux installeres opdateringer med systemets pakkehåndtering (apt) eller af IT: hent den nye pakke fra linket".into(),
            "On Linux updates are installed with the system's package manager (apt) or by IT: download the new package from the link".into(),
        ));
    }
    let update = updates.found.lock().unwrap_or_else(|p| p.into_inner()).clone().ok_or_else(|| {
        error("K-OPDATERING-INGEN", "Der er ingen ny version at installere; søg først".into(), "There is no new version to install; check first".into())
    })?;
    updates.set(UpdateStatus::Installing);
    let result = async {
        let bytes = download_verified(&update, Duration::from_secs(600)).await?;
        update.install(bytes).map_err(|e| explain(&e, CHECK_TIMEOUT))
    }
    .await;
    let status = match &result {
        Ok(()) => UpdateStatus::Installed,
        Err(e) => UpdateStatus::Failed { error: e.clone() },
    };
    updates.set(status.clone());
    if result.is_ok() {
        // (Windows' installer has ended the app already; macOS replaced the bundle.)
        if let Some(restart) = updates.restart.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            restart();
        }
    }
    result.map(|()| status)
}

/// Opens where the update can be downloaded (Linux) in the system's browser.
#[tauri::command]
#[specta::specta]
pub fn open_update_download(updates: State<'_, Updates>) -> Result<(), UserError> {
    let Some(UpdateStatus::Available { download, .. }) = updates.status() else {
        return Err(error("K-OPDATERING-INGEN", "Der er ingen ny version at hente".into(), "There is no new version to download".into()));
    };
    if !(download.starts_with("https://") || download.starts_with("http://")) {
        return Err(error("K-OPDATERING-LINK", format!("«{download}» er ikke en webadresse"), format!("«{download}» is not a web address")));
    }
    tauri_plugin_opener::open_url(&download, None::<&str>)
        .map_err(|e| error("K-OPDATERING-LINK", format!("Browseren kunne ikke åbnes: {e}"), format!("The browser could not be opened: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_wins_then_the_user_then_whether_the_build_can_check() {
        // The policy decides whatever the user chose.
        assert_eq!(decide(Some(false), Some(true), true), UpdateStatus::Off { managed: true });
        assert_eq!(decide(Some(false), None, true), UpdateStatus::Off { managed: true });
        assert_eq!(decide(Some(true), Some(false), true), UpdateStatus::Idle);
        // No policy: the user's choice, on by default.
        assert_eq!(decide(None, Some(false), true), UpdateStatus::Off { managed: false });
        assert_eq!(decide(None, None, true), UpdateStatus::Idle);
        assert_eq!(decide(None, Some(true), true), UpdateStatus::Idle);
        // A build without a key never looks, even when allowed (but "off" still says off).
        assert_eq!(decide(None, None, false), UpdateStatus::NotConfigured);
        assert_eq!(decide(Some(true), None, false), UpdateStatus::NotConfigured);
        assert_eq!(decide(Some(false), None, false), UpdateStatus::Off { managed: true });
    }

    #[test]
    fn the_release_configurations_placeholder_is_no_key() {
        let release: serde_json::Value = serde_json::from_str(include_str!("../tauri.release.conf.json")).unwrap();
        let placeholder = release["plugins"]["updater"]["pubkey"].as_str().unwrap();
        assert!(!usable_pubkey(placeholder));
        assert!(!usable_pubkey(""));
        assert!(!usable_pubkey("bm90IGEga2V5"));
        // A key as `tauri signer generate` prints it (generated once for this test).
        let key = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDkyNDM5NUVGQTVBQzgxNUUKUldSZWdheWw3NVZEa3R5aW5IVWVaa0cxT1A1d2MxQWl5aDhaL2NvV2NKdFM1ampBZUhIckxBc1cK";
        assert!(usable_pubkey(key));
        let base: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert!(!usable_pubkey(base["plugins"]["updater"]["pubkey"].as_str().unwrap()), "development builds never look");
    }

    #[test]
    fn the_download_page_of_a_github_manifest_is_the_release_page() {
        assert_eq!(download_page("https://github.com/konsekvens/konsekvens/releases/latest/download/latest.json"), "https://github.com/konsekvens/konsekvens/releases/latest");
        assert_eq!(download_page("https://opdatering.kl.dk/konsekvens/latest.json"), "https://opdatering.kl.dk/konsekvens/");
        assert_eq!(download_page("https://x"), "https://x");
    }

    // ---- The check itself, against a manifest served on loopback ----

    use crate::session::AppState;
    use serde_json::json;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};

    /// A key pair made with `tauri signer generate` (the Tauri CLI from packaging/linux, no
    /// password) and its signature (`tauri signer sign`) over [`SIGNED`]: the public key and
    /// the `.sig` as the CLI printed them. The private key was not kept.
    const PUBKEY: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDkyNDM5NUVGQTVBQzgxNUUKUldSZWdheWw3NVZEa3R5aW5IVWVaa0cxT1A1d2MxQWl5aDhaL2NvV2NKdFM1ampBZUhIckxBc1cK";
    const SIGNED: &[u8] = b"hello\n";
    const SIGNATURE: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXkKUlVSZWdheWw3NVZEa3FjL3Z4dkV2WHV2NXh1Y09halN3aEl5TjFVTTQyVUYxZEE1SUhNa3prVlZvRHdldzlGWGNkYWc1bEtOU1NOREUyWnhPNDIrWjBGSHN6ZGNXVlRkQ1FRPQp0cnVzdGVkIGNvbW1lbnQ6IHRpbWVzdGFtcDoxNzk2NTkzOTY1CWZpbGU6Zi5iaW4KQ2dURG93WGVucUVEM2EwbDRTZGVWanZiNXp0Nmk0VTZoVytzWjJNYjBHc0RXbXhmbmFCNTVXZ0tWTjcxdWdUSDVkeENLcDFPY1dFK1puTXNhVHpLQVE9PQo=";

    /// What the loopback server answers for a path.
    #[derive(Clone)]
    enum Answer {
        Body(u16, Vec<u8>),
        /// Reads the request and never answers (until the test is long over).
        Silent,
    }

    /// A tiny HTTP/1.1 server on 127.0.0.1 answering each path as `routes` says (404 else),
    /// one connection at a time; its thread ends with the test process.
    fn serve(routes: Vec<(&'static str, Answer)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                let Ok(mut stream) = stream else { continue };
                let routes = routes.clone();
                std::thread::spawn(move || {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_owned();
                    let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
                    let answer = routes.iter().find(|(p, _)| *p == path).map(|(_, a)| a.clone()).unwrap_or(Answer::Body(404, b"not found".to_vec()));
                    match answer {
                        Answer::Silent => std::thread::sleep(Duration::from_secs(30)),
                        Answer::Body(status, body) => {
                            let head = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
                        }
                    }
                });
            }
        });
        base
    }

    /// The updater's platform key here, as the plugin looks it up (`linux-x86_64`, …).
    fn platform() -> String {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            os => os,
        };
        format!("{os}-{}", std::env::consts::ARCH)
    }

    /// A mock app (version 0.1.0) with the updater plugin configured as a build with `pubkey`
    /// and `endpoint`, and the given policy.
    fn app_with(pubkey: &str, endpoint: &str, policy: Option<konsekvens_core::policy::Policy>) -> tauri::App<MockRuntime> {
        let mut context = mock_context(noop_assets());
        context.config_mut().plugins.0.insert("updater".into(), json!({ "pubkey": pubkey, "endpoints": [endpoint], "dangerousInsecureTransportProtocol": true }));
        crate::setup(mock_builder(), crate::Launch::default(), AppState::with_policy(None, None, Ok(policy)))
            .plugin(tauri_plugin_updater::Builder::new().build())
            .build(context)
            .expect("mock app")
    }

    fn manifest(version: &str, platforms: serde_json::Value) -> Answer {
        Answer::Body(200, json!({ "version": version, "notes": "Rettelser til høringsnotatet", "pub_date": "2026-12-01T10:00:00Z", "platforms": platforms }).to_string().into_bytes())
    }

    fn run_check(base: &str, path: &str, timeout: Duration) -> (UpdateStatus, Option<Update>) {
        let app = app_with(PUBKEY, &format!("{base}/latest.json"), None);
        let url = url::Url::parse(&format!("{base}{path}")).unwrap();
        tauri::async_runtime::block_on(check(app.handle(), Some(url), timeout))
    }

    fn failed(status: &UpdateStatus) -> &UserError {
        match status {
            UpdateStatus::Failed { error } => error,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_newer_version_is_shown_the_same_or_an_older_is_not() {
        let signed = json!({ platform(): { "url": "http://127.0.0.1:9/konsekvens_0.2.0_amd64.deb", "signature": SIGNATURE } });
        let base = serve(vec![
            ("/newer.json", manifest("0.2.0", signed.clone())),
            ("/same.json", manifest("0.1.0", signed.clone())),
            ("/older.json", manifest("0.0.9", signed.clone())),
            ("/other-platform.json", manifest("0.3.0", json!({ "windows-x86_64": { "url": "http://127.0.0.1:9/k.msi", "signature": SIGNATURE } }))),
        ]);
        let (status, update) = run_check(&base, "/newer.json", Duration::from_secs(5));
        match &status {
            UpdateStatus::Available { current, version, notes, date, install, download } => {
                assert_eq!((current.as_str(), version.as_str()), ("0.1.0", "0.2.0"));
                assert_eq!(notes.as_deref(), Some("Rettelser til høringsnotatet"));
                assert_eq!(date.as_deref(), Some("2026-12-01T10:00:00Z"));
                assert_eq!(*install, can_install());
                if !can_install() {
                    assert_eq!(download, "http://127.0.0.1:9/konsekvens_0.2.0_amd64.deb", "Linux links the package itself");
                }
            }
            other => panic!("{other:?}"),
        }
        assert!(update.is_some());
        assert_eq!(run_check(&base, "/same.json", Duration::from_secs(5)).0, UpdateStatus::UpToDate { current: "0.1.0".into() });
        assert_eq!(run_check(&base, "/older.json", Duration::from_secs(5)).0, UpdateStatus::UpToDate { current: "0.1.0".into() });
        // A newer release with no build for this platform: shown, linked to the manifest's folder.
        match run_check(&base, "/other-platform.json", Duration::from_secs(5)) {
            (UpdateStatus::Available { version, install: false, download, .. }, None) => {
                assert_eq!(version, "0.3.0");
                assert_eq!(download, format!("{base}/"));
            }
            (other, _) => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_unsigned_missing_and_silent_manifests_fail_clearly_in_danish() {
        let base = serve(vec![
            ("/broken.json", Answer::Body(200, b"{ \"version\": \"0.2.0\", ".to_vec())),
            ("/no-signature.json", manifest("0.2.0", json!({ platform(): { "url": "http://127.0.0.1:9/k.deb" } }))),
            ("/empty-signature.json", manifest("0.2.0", json!({ platform(): { "url": "http://127.0.0.1:9/k.deb", "signature": "" } }))),
            ("/bad-version.json", manifest("to-og-en-halv", json!({}))),
            ("/silent.json", Answer::Silent),
        ]);
        let broken = run_check(&base, "/broken.json", Duration::from_secs(5)).0;
        assert_eq!(failed(&broken).code, "K-OPDATERING-MANIFEST");
        assert!(failed(&broken).da.contains("ikke gyldig JSON"), "{broken:?}");

        let unsigned = run_check(&base, "/no-signature.json", Duration::from_secs(5)).0;
        assert_eq!(failed(&unsigned).code, "K-OPDATERING-MANIFEST");
        assert!(failed(&unsigned).da.contains("signatur"), "{unsigned:?}");

        let (empty, update) = run_check(&base, "/empty-signature.json", Duration::from_secs(5));
        assert_eq!(failed(&empty).code, "K-OPDATERING-USIGNERET");
        assert!(failed(&empty).da.contains("uden en gyldig signatur") && update.is_none(), "{empty:?}");

        assert_eq!(failed(&run_check(&base, "/bad-version.json", Duration::from_secs(5)).0).code, "K-OPDATERING-MANIFEST");
        assert_eq!(failed(&run_check(&base, "/missing.json", Duration::from_secs(5)).0).code, "K-OPDATERING-MANIFEST", "404");

        // A server that accepts and never answers: given up after the time limit, no hang.
        let started = std::time::Instant::now();
        let silent = run_check(&base, "/silent.json", Duration::from_secs(1)).0;
        assert_eq!(failed(&silent).code, "K-OPDATERING-TIMEOUT", "{silent:?}");
        assert!(failed(&silent).da.contains("svarede ikke inden for 1 s"));
        assert!(started.elapsed() < Duration::from_secs(60), "the check must give up, not hang");
        // Nothing listening at all.
        let closed = { let l = TcpListener::bind("127.0.0.1:0").unwrap(); format!("http://{}", l.local_addr().unwrap()) };
        assert_eq!(failed(&run_check(&closed, "/latest.json", Duration::from_secs(5)).0).code, "K-OPDATERING-NET");
    }

    #[test]
    fn the_installer_is_verified_against_the_apps_key_before_it_is_used() {
        let base = serve(vec![
            ("/k.deb", Answer::Body(200, SIGNED.to_vec())),
            ("/tampered.deb", Answer::Body(200, b"hellO\n".to_vec())),
        ]);
        // The manifest names the loopback server's own address.
        let base2 = serve(vec![
            ("/good.json", manifest("0.2.0", json!({ platform(): { "url": format!("{base}/k.deb"), "signature": SIGNATURE } }))),
            ("/tampered.json", manifest("0.2.0", json!({ platform(): { "url": format!("{base}/tampered.deb"), "signature": SIGNATURE } }))),
        ]);
        let (_, update) = run_check(&base2, "/good.json", Duration::from_secs(5));
        let bytes = tauri::async_runtime::block_on(download_verified(&update.expect("found"), Duration::from_secs(5))).expect("signed by the key");
        assert_eq!(bytes, SIGNED);
        let (_, update) = run_check(&base2, "/tampered.json", Duration::from_secs(5));
        let e = tauri::async_runtime::block_on(download_verified(&update.expect("found"), Duration::from_secs(5))).unwrap_err();
        assert_eq!(e.code, "K-OPDATERING-SIGNATUR", "{e:?}");
        // Another key than the app's: the same file is refused.
        let other = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IEZDRTk1QzFDMkJDRjQ1NEUKUldST1JjOHJIRnpwL0VQbG16YTRnd0NXU0d6am5xWVU5M3JFNkNYSFEyV3VmK1BMcmZmWGJRc3UK";
        assert!(usable_pubkey(other), "a second key from `tauri signer generate`");
        let app = app_with(other, &format!("{base2}/good.json"), None);
        let (_, update) = tauri::async_runtime::block_on(check(app.handle(), Some(url::Url::parse(&format!("{base2}/good.json")).unwrap()), Duration::from_secs(5)));
        let e = tauri::async_runtime::block_on(download_verified(&update.expect("found"), Duration::from_secs(5))).unwrap_err();
        assert_eq!(e.code, "K-OPDATERING-SIGNATUR", "{e:?}");
    }

    #[test]
    fn the_start_looks_in_the_background_only_when_allowed() {
        let base = serve(vec![("/latest.json", Answer::Silent)]);
        let endpoint = format!("{base}/latest.json");
        // Managed off: nothing is looked for, shown as managed; the user cannot turn it on.
        let off = konsekvens_core::policy::Policy { update_check: Some(false), ..Default::default() };
        let app = app_with(PUBKEY, &endpoint, Some(off));
        start_with(app.handle(), Duration::from_secs(1));
        assert_eq!(app.state::<Updates>().status(), Some(UpdateStatus::Off { managed: true }));
        let save = |app: &tauri::App<MockRuntime>, on: bool| set_update_check(on, &app.state::<Updates>(), &app.state::<AppState>());
        let refused = save(&app, true).unwrap_err();
        assert_eq!(refused.code, "K-POLITIK-STYRET");
        assert!(save(&app, false).is_ok(), "the policy's own value is no change");
        // A development build (no key): never looks.
        let app = app_with("", &endpoint, None);
        start_with(app.handle(), Duration::from_secs(1));
        assert_eq!(app.state::<Updates>().status(), Some(UpdateStatus::NotConfigured));
        // Allowed, and the server is silent: the start returns at once; the check gives up.
        let app = app_with(PUBKEY, &endpoint, None);
        start_with(app.handle(), Duration::from_secs(1));
        // Still checking when the start returns: it did not wait for the check's outcome.
        assert_eq!(app.state::<Updates>().status(), Some(UpdateStatus::Checking));
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while app.state::<Updates>().status() == Some(UpdateStatus::Checking) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let status = app.state::<Updates>().status().unwrap();
        assert_eq!(failed(&status).code, "K-OPDATERING-TIMEOUT");
        // The user turns it off: said at once, kept in the settings.
        let settings = save(&app, false).unwrap();
        assert_eq!(settings.update_check, Some(false));
        assert_eq!(app.state::<Updates>().status(), Some(UpdateStatus::Off { managed: false }));
    }
}
