//! The Konsekvens desktop app: a thin Tauri 2 shell over `konsekvens-core`.
//!
//! The webview (`ui/`) renders and edits; this crate translates its calls to the core and
//! back. Structured reads and edits are typed commands ([`commands`]) whose TypeScript
//! bindings are generated into `ui/src/bindings.ts` (tauri-specta); rich text travels as
//! raw Yjs updates ([`yjs`]). Errors reach the webview as `konsekvens_core::UserError`: a
//! code, the Danish and the English message; the webview shows the one the user chose.

pub mod catalogue;
pub mod commands;
pub mod exchange;
pub mod hearing;
pub mod refresh;
pub mod session;
pub mod signin;
pub mod sync;
pub mod update;
pub mod yjs;

use konsekvens_core::UserError;
use session::AppState;
use std::ffi::OsString;
use std::path::PathBuf;
use tauri::{Manager, Runtime};

/// Environment variable naming the workspace file `open_sample` uses.
pub const WORKSPACE_ENV: &str = "KONSEKVENS_WORKSPACE";
/// File name of the sample workspace in the app data directory.
pub const SAMPLE_FILE: &str = "aula-eksempel.konsekvens";
/// Where the TypeScript bindings are generated (relative to this crate).
pub const BINDINGS: &str = "../ui/src/bindings.ts";

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
        let arg = args.into_iter().find(|a| !a.is_empty() && !a.to_string_lossy().starts_with('-'));
        let workspace = arg.or(env.filter(|v| !v.is_empty())).map(PathBuf::from);
        Launch { workspace }
    }

    /// The sample's path: the launch path, else [`SAMPLE_FILE`] in `data_dir`.
    pub fn sample_path(&self, data_dir: Option<PathBuf>) -> Result<PathBuf, UserError> {
        match (&self.workspace, data_dir) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(dir)) => Ok(dir.join(SAMPLE_FILE)),
            (None, None) => Err(UserError::new(
                "K-APP-DATAMAPPE",
                format!("Appens datamappe kunne ikke findes; angiv en fil med {WORKSPACE_ENV} eller som argument"),
                format!("The app's data directory could not be found; name a file with {WORKSPACE_ENV} or as an argument"),
            )),
        }
    }
}

/// Runs a command body, turning a panic into an error (`K-INTERN`): a panic inside a command
/// would otherwise cross the webview's C callback and abort the whole app.
pub fn guard<T>(f: impl FnOnce() -> Result<T, UserError>) -> Result<T, UserError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "?".into());
        Err(UserError::internal(what))
    })
}

/// The typed commands, as tauri-specta registers them and exports their bindings.
pub fn specta<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::*;
    tauri_specta::Builder::<R>::new().commands(tauri_specta::collect_commands![
        open_sample,
        open_workspace,
        create_workspace,
        recent_files,
        settings,
        save_settings,
        save_signing,
        current,
        participants,
        effective,
        base,
        coordination,
        supplement,
        check,
        overview,
        history,
        compare,
        effective_at,
        review_status,
        refresh::refresh,
        put_item,
        patch_item,
        patch_section,
        new_item,
        remove_item,
        set_section,
        link,
        undo,
        redo,
        can_undo,
        publish_release,
        confirm_release,
        export_pdf,
        cancel_export,
        sign_pdf,
        verify_pdf,
        sync::connect_hub,
        sync::disconnect_hub,
        sync::sync_status,
        sync::set_presence,
        sync::join_hub,
        signin::sign_in,
        signin::sign_out,
        signin::signed_in,
        exchange::sheet_open,
        exchange::sheet_import,
        exchange::cnil_import_into,
        exchange::cnil_import_new,
        exchange::export_docx,
        hearing::hearing,
        hearing::comment_add,
        hearing::comment_reply,
        hearing::comment_resolve,
        hearing::hearing_open,
        hearing::hearing_answer,
        hearing::hearing_respond,
        hearing::hearing_close,
        hearing::export_hearing,
        exchange::public_summary_withheld,
        exchange::export_public_summary,
        update::update_status,
        update::check_for_update,
        update::save_update_check,
        update::install_update,
        update::open_update_download,
    ])
}

/// The bindings as TypeScript text. 64-bit integers become `number`: they are counts, log
/// positions and epoch milliseconds, all far below 2^53, where a JavaScript number is exact.
pub fn bindings() -> Result<String, String> {
    let ts = specta_typescript::Typescript::default()
        .header("// Generated by src-tauri (tauri-specta) from the Rust commands and the core's types. Do not edit:\n// regenerate with `KONSEKVENS_WRITE_BINDINGS=1 cargo test -p konsekvens-app bindings`.\n");
    let dir = tempfile_dir();
    let path = dir.join("bindings.ts");
    specta::<tauri::Wry>().dangerously_cast_bigints_to_number().export(ts, &path).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&path);
    Ok(text)
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("konsekvens-bindings-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Typed commands through tauri-specta's handler; the raw-byte ones (not JSON) beside it.
fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    // The handler borrows its builder, so the builder lives in the closure.
    let typed = specta::<R>();
    let raw: Box<dyn Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync> =
        Box::new(tauri::generate_handler![yjs::doc_state, yjs::apply_doc_update, yjs::subscribe_docs]);
    move |invoke| match invoke.message.command() {
        "doc_state" | "apply_doc_update" | "subscribe_docs" => raw(invoke),
        _ => typed.invoke_handler()(invoke),
    }
}

/// Registers the state and commands on any runtime (the real one, or tests' mock).
pub fn setup<R: Runtime>(builder: tauri::Builder<R>, launch: Launch, state: AppState) -> tauri::Builder<R> {
    builder.manage(state).manage(launch).manage(update::Updates::default()).invoke_handler(invoke_handler())
}

/// WebKitGTK's switch that turns accelerated compositing off (the page is painted on the CPU
/// into one buffer instead of GL-composited layers).
pub const WEBKIT_COMPOSITING_ENV: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
/// Set to anything non-empty, the app leaves WebKitGTK's compositing as it is (on).
pub const COMPOSITING_ENV: &str = "KONSEKVENS_WEBKIT_COMPOSITING";

/// Whether the app turns WebKitGTK's accelerated compositing off: yes, unless the user set
/// WebKit's own switch either way or asked for compositing with [`COMPOSITING_ENV`].
/// Composited, the web process holds GL buffers and layer tiles: measured with
/// `scripts/bench-app`, ≈ 70 MiB more in the idle app and in a blank window alike
/// (src-tauri/README.md «Memory»); the workbench is forms and tables, with no animation that
/// would need the GPU.
pub fn disable_compositing(webkit: Option<&std::ffi::OsStr>, ours: Option<&std::ffi::OsStr>) -> bool {
    webkit.is_none() && ours.is_none_or(|v| v.is_empty())
}

/// The app's entry point.
pub fn run() {
    // Before any thread starts (setting the environment is not thread-safe); WebKit's web
    // process inherits it.
    if cfg!(target_os = "linux") && disable_compositing(std::env::var_os(WEBKIT_COMPOSITING_ENV).as_deref(), std::env::var_os(COMPOSITING_ENV).as_deref()) {
        std::env::set_var(WEBKIT_COMPOSITING_ENV, "1");
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        // The state needs the app's directories, known once the app is set up.
        .setup(|app| {
            let config = app.path().app_config_dir().ok();
            app.manage(AppState::new(config.map(|d| d.join("indstillinger.json")), app.path().app_data_dir().ok()));
            // In the background, when allowed: the start does not wait for it.
            update::start(app.handle());
            Ok(())
        })
        .manage(Launch::from_process())
        .manage(update::Updates::default())
        .invoke_handler(invoke_handler())
        .run(tauri::generate_context!())
        .expect("Konsekvens kunne ikke starte");
}

#[cfg(test)]
mod tests;
