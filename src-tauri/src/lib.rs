//! The Konsekvens desktop app: a thin Tauri 2 shell over `konsekvens-core`.
//!
//! The webview (ui/) renders; this crate only opens a workspace and hands the core's values
//! to the webview as JSON. Commands:
//!
//! | command            | arguments       | returns                                      |
//! |--------------------|-----------------|----------------------------------------------|
//! | `open_sample`      | –               | [`Opened`]: creates the bundled AULA demo if missing, opens it |
//! | `open_workspace`   | `path`          | [`Opened`]                                   |
//! | `participants`     | –               | the coordination document's participants     |
//! | `effective`        | `code` (u16)    | [`EffectiveDpia`] of that municipality       |
//! | `base`             | –               | the joint base ([`Base`])                    |
//!
//! Errors reach the webview as strings: the error's `Display` text.

use konsekvens_core::model::{Base, OrgCode, Participant};
use konsekvens_core::{EffectiveDpia, Env, SystemEnv, Workspace, WorkspaceError};
use serde::Serialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime, State};

/// Environment variable naming the workspace file `open_sample` uses.
pub const WORKSPACE_ENV: &str = "KONSEKVENS_WORKSPACE";
/// File name of the demo workspace in the app data directory.
pub const SAMPLE_FILE: &str = "aula-eksempel.konsekvens";

/// The open workspace, if any: the app's one piece of state.
pub type OpenWorkspace = Mutex<Option<Workspace>>;

/// Where the sample workspace lives, as given at launch (first CLI argument, else
/// `KONSEKVENS_WORKSPACE`); `None` means the app data directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Launch {
    pub workspace: Option<PathBuf>,
}

impl Launch {
    /// From the process's arguments and environment.
    pub fn from_process() -> Launch {
        Launch::from_parts(std::env::args_os().skip(1), std::env::var_os(WORKSPACE_ENV))
    }

    /// The first argument that is not an option wins over the environment variable; empty
    /// values count as absent.
    pub fn from_parts(args: impl IntoIterator<Item = OsString>, env: Option<OsString>) -> Launch {
        let arg = args
            .into_iter()
            .find(|a| !a.is_empty() && !a.to_string_lossy().starts_with('-'));
        let workspace = arg.or(env.filter(|v| !v.is_empty())).map(PathBuf::from);
        Launch { workspace }
    }

    /// The sample's path: the launch path, else [`SAMPLE_FILE`] in `data_dir`.
    pub fn sample_path(&self, data_dir: Option<PathBuf>) -> Result<PathBuf, String> {
        match (&self.workspace, data_dir) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(dir)) => Ok(dir.join(SAMPLE_FILE)),
            (None, None) => Err(format!(
                "Appens datamappe kunne ikke findes; angiv en fil med {WORKSPACE_ENV} eller som argument"
            )),
        }
    }
}

/// What the webview learns about a workspace it opened.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Opened {
    pub path: String,
    /// The demo was written just now.
    pub created: bool,
    pub title: String,
    pub coordinator: String,
    pub participants: Vec<Participant>,
}

/// Opens `path`, first writing the bundled AULA demo there if no file exists yet.
/// Returns the workspace and whether it was created.
pub fn open_or_create_demo(
    path: &Path,
    env: Arc<dyn Env>,
) -> Result<(Workspace, bool), WorkspaceError> {
    if path.exists() {
        return Ok((Workspace::open(path, env)?, false));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| WorkspaceError::Io {
            path: dir.to_owned(),
            source,
        })?;
    }
    Ok((Workspace::create_demo(path, env)?, true))
}

/// Describes an open workspace for the webview.
pub fn describe(ws: &Workspace, created: bool) -> Result<Opened, WorkspaceError> {
    let coordination = ws.coordination()?;
    Ok(Opened {
        path: ws.path().display().to_string(),
        created,
        title: ws.base()?.meta.title,
        coordinator: coordination.coordinator,
        participants: coordination.participants,
    })
}

fn text<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Runs a command body, turning a panic into an error string: a panic inside a command
/// would otherwise cross the webview's C callback and abort the whole app.
pub fn guard<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "ukendt fejl".into());
        Err(format!("Intern fejl: {what}"))
    })
}

/// Runs `f` on the open workspace.
fn with_open<T>(
    state: &OpenWorkspace,
    f: impl FnOnce(&Workspace) -> Result<T, WorkspaceError>,
) -> Result<T, String> {
    // Reading never leaves a workspace half-changed, so a lock poisoned by an earlier panic is
    // still safe to use.
    let open = state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let ws = open
        .as_ref()
        .ok_or_else(|| "Intet arbejdsområde er åbent".to_string())?;
    f(ws).map_err(text)
}

fn install(state: &OpenWorkspace, ws: Workspace, created: bool) -> Result<Opened, String> {
    let opened = describe(&ws, created).map_err(text)?;
    let mut open = state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *open = Some(ws);
    Ok(opened)
}

#[tauri::command]
fn open_sample<R: Runtime>(
    app: AppHandle<R>,
    launch: State<'_, Launch>,
    state: State<'_, OpenWorkspace>,
) -> Result<Opened, String> {
    guard(|| {
        let path = launch.sample_path(app.path().app_data_dir().ok())?;
        let (ws, created) = open_or_create_demo(&path, Arc::new(SystemEnv)).map_err(text)?;
        install(&state, ws, created)
    })
}

#[tauri::command]
fn open_workspace(path: String, state: State<'_, OpenWorkspace>) -> Result<Opened, String> {
    guard(|| {
        let ws = Workspace::open(Path::new(&path), Arc::new(SystemEnv)).map_err(text)?;
        install(&state, ws, false)
    })
}

#[tauri::command]
fn participants(state: State<'_, OpenWorkspace>) -> Result<Vec<Participant>, String> {
    guard(|| with_open(&state, |ws| Ok(ws.coordination()?.participants)))
}

#[tauri::command]
fn effective(code: u16, state: State<'_, OpenWorkspace>) -> Result<EffectiveDpia, String> {
    guard(|| with_open(&state, |ws| ws.effective(OrgCode(code))))
}

#[tauri::command]
fn base(state: State<'_, OpenWorkspace>) -> Result<Base, String> {
    guard(|| with_open(&state, |ws| ws.base()))
}

/// Registers the state and the commands on any runtime (the real one, or tests' mock).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>, launch: Launch) -> tauri::Builder<R> {
    builder
        .manage(OpenWorkspace::default())
        .manage(launch)
        .invoke_handler(tauri::generate_handler![
            open_sample,
            open_workspace,
            participants,
            effective,
            base
        ])
}

/// The app's entry point.
pub fn run() {
    setup(tauri::Builder::default(), Launch::from_process())
        .run(tauri::generate_context!())
        .expect("Konsekvens kunne ikke starte");
}

#[cfg(test)]
mod tests;
