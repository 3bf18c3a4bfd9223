//! The app's state: the open workspace with who is working in it, and the user's settings
//! (name, municipality, language, recent files), kept as JSON in the app's config directory,
//! with the system's managed settings (the policy file) applied over them.

use konsekvens_core::model::OrgCode;
use konsekvens_core::policy::Policy;
use konsekvens_core::{Author, UpdateListener, UserError, Workspace};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many recent files the start screen lists.
const RECENT: usize = 8;

/// Who the user is, remembered between sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(default)]
pub struct Settings {
    /// The name written in the log with every change.
    pub user_name: String,
    /// The municipality the user works for; `None`: the coordinator (KL/KOMBIT).
    pub org: Option<u16>,
    /// "da" or "en".
    pub language: String,
    /// Most recent first.
    pub recent: Vec<RecentFile>,
    /// The RFC 3161 time-stamping service signatures are stamped by (http:// or https://);
    /// empty: none. The policy's `tsa` is applied over it.
    pub tsa: String,
    /// The PAdES level the app signs at: "b-b", "b-t", "b-lt" or "b-lta"; empty: B-T with a
    /// time-stamping service, else B-B.
    pub signature_level: String,
    /// Whether the app looks for a new version when it starts; `None`: yes (the default).
    /// The policy's `update_check` is applied over it.
    pub update_check: Option<bool>,
    /// The system's managed settings (`konsekvens_core::policy`), applied over the user's
    /// above. Read at start, never saved: the file holds them, not these fields.
    #[serde(skip_deserializing)]
    pub policy: Policy,
    /// The names of the managed settings (`org`, `language`, `hub` …): shown as managed and
    /// not changeable in the app.
    #[serde(skip_deserializing)]
    pub managed: Vec<String>,
    /// A policy file that could not be read: shown to the user; nothing is then managed.
    #[serde(skip_deserializing)]
    pub policy_error: Option<UserError>,
    /// The OpenID provider «Log ind» signs in at (its issuer URL); the policy's `signin_issuer`
    /// is applied over it.
    pub signin_issuer: String,
    /// The app's client id at that provider (the hub's audience); the policy's `signin_client_id`
    /// is applied over it.
    pub signin_client_id: String,
    /// Who is signed in (`src/signin.rs`), read from the kept sign-in; never saved here.
    #[serde(skip_deserializing)]
    pub signed_in: Option<crate::signin::SignInInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RecentFile {
    pub path: String,
    pub title: String,
}

impl Settings {
    pub fn load(path: &Path) -> Settings {
        std::fs::read_to_string(path).ok().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
    }

    /// Written through a temporary file, so a crash never leaves half a settings file.
    pub fn save(&self, path: &Path) -> Result<(), UserError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| UserError::io(dir, &e))?;
        }
        let tmp = path.with_extension("json.tmp");
        let json = serde_json::to_string_pretty(self).expect("settings serialise");
        std::fs::write(&tmp, json).and_then(|()| std::fs::rename(&tmp, path)).map_err(|e| UserError::io(path, &e))
    }

    pub fn remember(&mut self, path: &Path, title: &str) {
        let path = path.display().to_string();
        self.recent.retain(|r| r.path != path);
        self.recent.insert(0, RecentFile { path, title: title.to_owned() });
        self.recent.truncate(RECENT);
    }

    /// The level signing uses, from `signature_level` (and whether a TSA is set).
    pub fn level(&self) -> konsekvens_pdf::Level {
        use konsekvens_pdf::Level;
        match self.signature_level.as_str() {
            "b-b" => Level::BB,
            "b-t" => Level::BT,
            "b-lt" => Level::BLt,
            "b-lta" => Level::BLta,
            _ if self.tsa.trim().is_empty() => Level::BB,
            _ => Level::BT,
        }
    }

    /// The time-stamping service to use, if any.
    pub fn tsa(&self) -> Option<konsekvens_pdf::Tsa> {
        let url = self.tsa.trim();
        (!url.is_empty()).then(|| konsekvens_pdf::Tsa::new(url))
    }

    /// Who acts: the signed-in person while the sign-in is valid (the name the provider
    /// vouched for), else the «Hvem er du?» name, else the login name.
    pub fn author(&self) -> Author {
        let name = match &self.signed_in {
            Some(s) if s.valid => s.person.clone(),
            _ if self.user_name.trim().is_empty() => whoami(),
            _ => self.user_name.trim().to_owned(),
        };
        Author::new(name, self.org.map(OrgCode))
    }
}

fn whoami() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "ukendt bruger".into())
}

/// The open workspace.
pub struct Session {
    pub ws: Workspace,
    pub path: PathBuf,
}

/// Everything the commands share.
pub struct AppState {
    /// Shared with the sync task, which takes the hub's updates into it.
    pub session: Arc<Mutex<Option<Session>>>,
    pub settings: Mutex<Settings>,
    /// Where `settings` is saved; `None` in tests that keep settings in memory.
    pub settings_path: Option<PathBuf>,
    /// Told about every durable update (the webview's document mirror subscribes here).
    pub listener: Mutex<Option<UpdateListener>>,
    /// Set to cancel a running export.
    pub cancel_export: Arc<std::sync::atomic::AtomicBool>,
    /// The app's data directory, where the sample is written on first start.
    pub data_dir: Option<PathBuf>,
    /// The running hub sync, if any; dropping it stops the sync.
    pub sync: Mutex<Option<crate::sync::SyncTask>>,
    pub sync_status: Arc<Mutex<crate::sync::SyncStatus>>,
    /// The managed settings read at start (`Ok(None)`: no policy file).
    pub policy: Result<Option<Policy>, UserError>,
    /// What `refresh` last sent the webview, so the next sends only what changed. Its own
    /// lock: comparing views never holds the session.
    pub shown: Mutex<crate::refresh::Shown>,
    /// Where the sign-in is kept (the CLI's file); `None` in tests that do not sign in.
    pub signin_store: Option<konsekvens_hub::signin::CredentialStore>,
    /// The sign-in as last read or renewed (shared with the sync task, which renews it).
    pub signin: crate::signin::Slot,
}

impl AppState {
    pub fn new(settings_path: Option<PathBuf>, data_dir: Option<PathBuf>) -> AppState {
        let state = AppState::with_policy(settings_path, data_dir, Policy::load().map_err(UserError::from));
        state.with_signin_store(konsekvens_hub::signin::CredentialStore::default_location().ok())
    }

    /// Keeps the sign-in in `store` (and reads what it holds now).
    pub fn with_signin_store(mut self, store: Option<konsekvens_hub::signin::CredentialStore>) -> AppState {
        *self.signin.lock().unwrap_or_else(|p| p.into_inner()) = store.as_ref().and_then(|s| s.load().ok().flatten());
        self.signin_store = store;
        self
    }

    /// With the managed settings given (tests; `new` reads the system's policy file).
    pub fn with_policy(settings_path: Option<PathBuf>, data_dir: Option<PathBuf>, policy: Result<Option<Policy>, UserError>) -> AppState {
        let settings = settings_path.as_deref().map(Settings::load).unwrap_or_default();
        AppState {
            session: Arc::default(),
            settings: Mutex::new(settings),
            settings_path,
            listener: Mutex::new(None),
            cancel_export: Arc::default(),
            data_dir,
            sync: Mutex::new(None),
            sync_status: Arc::default(),
            shown: Mutex::default(),
            policy,
            signin_store: None,
            signin: Arc::default(),
        }
    }

    /// The user's settings with the managed ones applied over them.
    pub fn settings(&self) -> Settings {
        let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match &self.policy {
            Ok(Some(policy)) => {
                if let Some(org) = policy.org {
                    s.org = Some(org);
                }
                if let Some(language) = &policy.language {
                    s.language = language.clone();
                }
                if let Some(tsa) = &policy.tsa {
                    s.tsa = tsa.clone();
                }
                if let Some(check) = policy.update_check {
                    s.update_check = Some(check);
                }
                if let Some(issuer) = &policy.signin_issuer {
                    s.signin_issuer = issuer.clone();
                }
                if let Some(client_id) = &policy.signin_client_id {
                    s.signin_client_id = client_id.clone();
                }
                s.managed = policy.managed().into_iter().map(str::to_owned).collect();
                s.policy = policy.clone();
            }
            Ok(None) => {}
            Err(e) => s.policy_error = Some(e.clone()),
        }
        s.signed_in = self.signin.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(crate::signin::SignInInfo::of);
        s
    }

    /// Refused when `key` is managed and the user asks for something else than the policy.
    pub fn check_unmanaged(&self, key: &str, changed: bool) -> Result<(), UserError> {
        let managed = matches!(&self.policy, Ok(Some(p)) if p.managed().contains(&key));
        if managed && changed {
            let path = konsekvens_core::policy::policy_path();
            return Err(UserError::new(
                "K-POLITIK-STYRET",
                format!("indstillingen «{key}» er fastlagt af organisationens politik ({}) og kan ikke ændres her", path.display()),
                format!("the setting «{key}» is fixed by the organisation's policy ({}) and cannot be changed here", path.display()),
            )
            .about(key));
        }
        Ok(())
    }

    pub fn update_settings(&self, f: impl FnOnce(&mut Settings)) -> Result<Settings, UserError> {
        let mut settings = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut settings);
        if let Some(path) = &self.settings_path {
            settings.save(path)?;
        }
        Ok(settings.clone())
    }

    /// Installs a freshly opened workspace: undo on, the listener attached, remembered.
    pub fn install(&self, mut ws: Workspace, path: PathBuf) -> Result<(), UserError> {
        // A sync of the previous workspace stops.
        self.sync.lock().unwrap_or_else(|p| p.into_inner()).take();
        *self.sync_status.lock().unwrap_or_else(|p| p.into_inner()) = Default::default();
        ws.enable_undo();
        ws.set_listener(self.listener.lock().unwrap_or_else(|p| p.into_inner()).clone());
        let title = ws.view().base().map(|b| b.meta.title).unwrap_or_default();
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(Session { ws, path: path.clone() });
        self.shown.lock().unwrap_or_else(|p| p.into_inner()).forget();
        self.update_settings(|s| s.remember(&path, &title))?;
        Ok(())
    }

    /// Sets the listener for the open workspace and for every one opened later.
    pub fn set_listener(&self, listener: UpdateListener) {
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(listener.clone());
        if let Some(s) = self.session.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            s.ws.set_listener(Some(listener));
        }
    }

    /// Runs `f` on the open workspace. A lock poisoned by an earlier panic is still safe:
    /// the workspace never holds a change the file does not (it reloads on failure).
    pub fn with<T>(&self, f: impl FnOnce(&mut Session, &Settings) -> Result<T, UserError>) -> Result<T, UserError> {
        let settings = self.settings();
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        let session = session
            .as_mut()
            .ok_or_else(|| UserError::new("K-APP-INTET-AABENT", "Intet arbejdsområde er åbent", "No workspace is open"))?;
        f(session, &settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_signed_in_the_author_is_the_signed_in_person_and_never_after_it_expired() {
        use crate::signin::SignInInfo;
        let mut s = Settings { user_name: "Typed Name".into(), org: Some(101), ..Settings::default() };
        assert_eq!(s.author().name, "Typed Name");
        let info = SignInInfo {
            name: "Mette Holm".into(),
            email: Some("mette@kk.dk".into()),
            person: "Mette Holm <mette@kk.dk>".into(),
            org: Some("101".into()),
            issuer: "https://login.example.dk".into(),
            client_id: "konsekvens-hub".into(),
            expires_at: 0,
            valid: true,
            renewable: false,
        };
        s.signed_in = Some(info.clone());
        assert_eq!(s.author().name, "Mette Holm <mette@kk.dk>");
        assert_eq!(s.author().org, Some(OrgCode(101)));
        s.signed_in = Some(SignInInfo { valid: false, ..info });
        assert_eq!(s.author().name, "Typed Name", "an expired sign-in is not the identity");
    }

    #[test]
    fn the_kept_sign_in_reaches_the_settings_with_its_validity() {
        let dir = tempfile::tempdir().unwrap();
        let store = konsekvens_hub::signin::CredentialStore::at(&dir.path().join("log-ind.json"));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let c = konsekvens_hub::signin::Credentials {
            issuer: "https://login.example.dk".into(),
            client_id: "konsekvens-hub".into(),
            id_token: "eyJ.x.y".into(),
            refresh_token: None,
            expires_at: now + 3600,
            subject: "mette".into(),
            name: "Mette Holm".into(),
            email: Some("mette@kk.dk".into()),
            org: Some("101".into()),
        };
        store.save(&c).unwrap();
        let state = AppState::with_policy(None, None, Ok(None)).with_signin_store(Some(store.clone()));
        let shown = state.settings().signed_in.expect("signed in");
        assert!(shown.valid && shown.org.as_deref() == Some("101") && shown.expires_at == (now as i64 + 3600) * 1000);
        assert_eq!(state.settings().author().name, "Mette Holm <mette@kk.dk>");
        // Expired and without a refresh token: renewing fails, the settings show it expired.
        store.save(&konsekvens_hub::signin::Credentials { expires_at: now - 10, ..c }).unwrap();
        let err = crate::signin::fresh(&store, &state.signin).unwrap_err();
        assert_eq!(err.code, "K-LOGIN-EXPIRED");
        assert!(err.da.contains("«Log ind»") && !err.da.contains("konsekvens login"), "{}", err.da);
        assert!(!state.settings().signed_in.unwrap().valid);
        assert_ne!(state.settings().author().name, "Mette Holm <mette@kk.dk>");
    }

    #[test]
    fn settings_remember_recent_files_newest_first_without_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let mut s = Settings::default();
        for i in 0..10 {
            s.remember(Path::new(&format!("/tmp/{i}.konsekvens")), "Aula");
        }
        s.remember(Path::new("/tmp/3.konsekvens"), "Aula");
        assert_eq!(s.recent.len(), RECENT);
        assert_eq!(s.recent[0].path, "/tmp/3.konsekvens");
        assert_eq!(s.recent.iter().filter(|r| r.path == "/tmp/3.konsekvens").count(), 1);
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path), s);
        std::fs::write(&path, "{ broken").unwrap();
        assert_eq!(Settings::load(&path), Settings::default(), "a damaged settings file is ignored, not fatal");
    }
}
