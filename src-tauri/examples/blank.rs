//! A blank Tauri window: the baseline `scripts/bench-app` compares the app's cold start and
//! memory with. Built from this crate, so it links the same Tauri, features and WebKitGTK as
//! the app, but it opens no workspace, registers no plugins or commands, and its webview
//! loads an empty page (served by a URI scheme of its own, as the app's page comes through
//! Tauri's; WebKitGTK reports no page load for `about:blank`, and data URLs need another
//! Tauri feature). When the page has loaded, the window's title becomes "Blank — klar",
//! which the benchmark waits for (as it waits for the app's title naming a municipality).
//!
//!     cargo build -p konsekvens-app --example blank

use tauri::http::Response;
use tauri::webview::PageLoadEvent;
use tauri::{Url, WebviewUrl, WebviewWindowBuilder};

/// The title the benchmark waits for.
const READY: &str = "Blank — klar";

fn main() {
    let mut context = tauri::generate_context!();
    // The app's window would load the workbench; this one is made below, blank.
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        .register_uri_scheme_protocol("blank", |_ctx, _request| {
            Response::builder().header("content-type", "text/html").body(b"<!doctype html><title>blank</title>".to_vec()).expect("a response")
        })
        .setup(|app| {
            let blank = Url::parse("blank://localhost/").expect("a valid URL");
            WebviewWindowBuilder::new(app, "main", WebviewUrl::CustomProtocol(blank))
                .title("Blank")
                .inner_size(1280.0, 860.0)
                .on_page_load(|window, payload| {
                    if payload.event() == PageLoadEvent::Finished {
                        let _ = window.set_title(READY);
                    }
                })
                .build()?;
            Ok(())
        })
        .run(context)
        .expect("the blank window could not start");
}
