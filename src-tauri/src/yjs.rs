//! Raw-byte IPC between the Yrs documents in Rust and their Yjs mirrors in the webview, where
//! rich text is edited. Bytes travel as the whole invoke body and as raw channel messages
//! (a `Uint8Array` inside JSON would become a number array, 3–4× bigger and slow), so these
//! commands are outside the JSON bindings:
//!
//! - `doc_state` (header `konsekvens-doc: base`) → the document as one Yjs update;
//! - `apply_doc_update` (raw body, header `konsekvens-doc`) → applied as the user's own edit,
//!   durable and undoable;
//! - `subscribe_docs(channel)` → every durable update from then on, framed as
//!   `[n][n bytes of document name][update]`.

use crate::session::AppState;
use konsekvens_core::{DocKey, UpdateSource, UserError};
use std::sync::Arc;
use tauri::ipc::{Channel, InvokeBody, Request, Response};
use tauri::State;

pub const DOC_HEADER: &str = "konsekvens-doc";

fn doc_of(request: &Request<'_>) -> Result<DocKey, UserError> {
    let name = request.headers().get(DOC_HEADER).and_then(|v| v.to_str().ok()).ok_or_else(|| {
        UserError::new(
            "K-APP-IPC",
            format!("forespørgslen nævner intet dokument (headeren {DOC_HEADER})"),
            format!("the request names no document (header {DOC_HEADER})"),
        )
    })?;
    Ok(DocKey::parse(name)?)
}

/// `[n][name][update]`: the webview learns which mirror an update belongs to.
pub fn frame(key: DocKey, update: &[u8]) -> Vec<u8> {
    let name = key.name();
    let mut out = Vec::with_capacity(1 + name.len() + update.len());
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(update);
    out
}

#[tauri::command]
pub fn doc_state(request: Request<'_>, state: State<'_, AppState>) -> Result<Response, UserError> {
    let key = doc_of(&request)?;
    state.with(|s, _| Ok(Response::new(s.ws.doc(key)?.encode_state())))
}

#[tauri::command]
pub fn apply_doc_update(request: Request<'_>, state: State<'_, AppState>) -> Result<(), UserError> {
    let key = doc_of(&request)?;
    let InvokeBody::Raw(update) = request.body() else {
        return Err(UserError::new("K-APP-IPC", "ændringen skal sendes som rå bytes", "the update must be sent as raw bytes"));
    };
    crate::guard(|| state.with(|s, settings| Ok(s.ws.apply_local_update(key, update, &settings.author())?)))
}

#[tauri::command]
pub fn subscribe_docs(channel: Channel<Response>, state: State<'_, AppState>) {
    state.set_listener(Arc::new(move |key: DocKey, update: &[u8], _source: UpdateSource| {
        let _ = channel.send(Response::new(frame(key, update)));
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_name_the_document() {
        let f = frame(DocKey::Supplement(konsekvens_core::model::OrgCode(101)), &[1, 2, 3]);
        assert_eq!(f[0] as usize, "supplement/101".len());
        assert_eq!(&f[1..15], b"supplement/101");
        assert_eq!(&f[15..], &[1, 2, 3]);
    }
}
