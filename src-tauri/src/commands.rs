//! The typed commands the webview calls. Each translates to the core and back; the
//! TypeScript bindings (`ui/src/bindings.ts`) are generated from these signatures.
//! Errors reach the webview as [`UserError`]s: a stable code to branch on, Danish and
//! English, and what they concern.

use crate::session::{AppState, RecentFile, Settings};
use crate::{guard, Launch};
use konsekvens_core::check::CheckReport;
use konsekvens_core::command::{AnyItem, AnySection, ItemKind, SectionKind};
use konsekvens_core::diff::Comparison;
use konsekvens_core::effective::EffectiveDpia;
use konsekvens_core::check::ReviewStatus;
use konsekvens_core::history::{LogPage, Point};
use konsekvens_core::model::*;
use konsekvens_core::status::Overview;
use konsekvens_core::error::{parse_day, parse_point};
use konsekvens_core::usecase;
use konsekvens_core::{DocKey, SystemEnv, UserError, Workspace};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// Any crate's error in the user's form.
pub(crate) fn user<E: Into<UserError>>(e: E) -> UserError {
    e.into()
}

fn doc_key(doc: &str) -> Result<DocKey, UserError> {
    DocKey::parse(doc).map_err(user)
}

fn org(code: Option<u16>) -> Option<OrgCode> {
    code.map(OrgCode)
}

/// What the webview learns about a workspace it opened.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Type)]
pub struct Opened {
    pub path: String,
    /// The sample was written just now.
    pub created: bool,
    pub title: String,
    pub coordinator: String,
    pub participants: Vec<Participant>,
    pub releases: Vec<String>,
}

fn describe(ws: &Workspace, path: &Path, created: bool) -> Result<Opened, UserError> {
    let coordination = ws.view().coordination().map_err(user)?;
    Ok(Opened {
        path: path.display().to_string(),
        created,
        title: ws.view().base().map_err(user)?.meta.title,
        coordinator: coordination.coordinator,
        participants: coordination.participants,
        releases: coordination.releases.into_iter().map(|r| r.name).collect(),
    })
}

pub fn install_opened(state: &AppState, ws: Workspace, path: PathBuf, created: bool) -> Result<Opened, UserError> {
    let opened = describe(&ws, &path, created)?;
    state.install(ws, path)?;
    Ok(opened)
}

/// Opens `path`, first writing the bundled AULA sample there if no file exists yet.
pub fn open_or_create_sample(path: &Path) -> Result<(Workspace, bool), UserError> {
    if path.exists() {
        return Ok((Workspace::open(path, Arc::new(SystemEnv)).map_err(user)?, false));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| UserError::io(dir, &e))?;
    }
    Ok((Workspace::create_demo(path, Arc::new(SystemEnv)).map_err(user)?, true))
}

// ---- Workspace ------------------------------------------------------------------------------

/// Opens the bundled AULA sample (written on first use to the launch path or the app's data
/// directory).
#[tauri::command]
#[specta::specta]
pub fn open_sample(launch: State<'_, Launch>, state: State<'_, AppState>) -> Result<Opened, UserError> {
    guard(|| {
        if state.settings().policy.offer_sample == Some(false) {
            return Err(UserError::new(
                "K-POLITIK-EKSEMPEL",
                "eksemplet tilbydes ikke på denne computer (organisationens politik: offer_sample=false)",
                "the sample is not offered on this computer (the organisation's policy: offer_sample=false)",
            ));
        }
        let path = launch.sample_path(state.data_dir.clone())?;
        let (ws, created) = open_or_create_sample(&path)?;
        install_opened(&state, ws, path, created)
    })
}

#[tauri::command]
#[specta::specta]
pub fn open_workspace(path: String, state: State<'_, AppState>) -> Result<Opened, UserError> {
    guard(|| {
        let path = PathBuf::from(path);
        let ws = Workspace::open(&path, Arc::new(SystemEnv)).map_err(user)?;
        install_opened(&state, ws, path, false)
    })
}

/// A new joint DPIA: where, its title and system, the coordinator and the participating
/// municipalities (each gets an empty supplement); see [`usecase::create_joint_dpia`].
#[derive(Debug, Clone, Deserialize, Type)]
pub struct NewDpia {
    pub path: String,
    pub title: String,
    pub system: String,
    pub coordinator: String,
    pub participants: Vec<Participant>,
}

#[tauri::command]
#[specta::specta]
pub fn create_workspace(spec: NewDpia, state: State<'_, AppState>) -> Result<Opened, UserError> {
    guard(|| {
        let path = PathBuf::from(&spec.path);
        let new = usecase::NewDpia { title: spec.title, system: spec.system, coordinator: spec.coordinator, participants: spec.participants };
        let ws = usecase::create_joint_dpia(&path, Arc::new(SystemEnv), &state.settings().author(), &new)?;
        install_opened(&state, ws, path, true)
    })
}

#[tauri::command]
#[specta::specta]
pub fn recent_files(state: State<'_, AppState>) -> Vec<RecentFile> {
    state.settings().recent
}

#[tauri::command]
#[specta::specta]
pub fn settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Saves who the user is and the language (the recent files are kept).
#[tauri::command]
#[specta::specta]
pub fn save_settings(user_name: String, org: Option<u16>, language: String, state: State<'_, AppState>) -> Result<Settings, UserError> {
    // A managed setting keeps the policy's value: asking for another is refused, the same is not.
    let now = state.settings();
    state.check_unmanaged("org", org != now.org)?;
    state.check_unmanaged("language", language != now.language)?;
    state.update_settings(|s| {
        s.user_name = user_name;
        s.org = org;
        s.language = if language == "en" { "en".into() } else { "da".into() };
    })?;
    Ok(state.settings())
}

/// Saves how the app signs: the time-stamping service (empty: none; refused when the policy
/// manages `tsa` and another is asked for) and the PAdES level ("b-b", "b-t", "b-lt", "b-lta").
#[tauri::command]
#[specta::specta]
pub fn save_signing(tsa: String, level: String, state: State<'_, AppState>) -> Result<Settings, UserError> {
    let now = state.settings();
    let tsa = tsa.trim().to_owned();
    state.check_unmanaged("tsa", tsa != now.tsa)?;
    if !(tsa.is_empty() || tsa.starts_with("https://") || tsa.starts_with("http://")) {
        return Err(UserError::new("K-TSA-URL", "tidsstemplingstjenestens adresse skal begynde med https:// eller http://", "the time-stamping service's URL must start with https:// or http://").about("tsa"));
    }
    if !["", "b-b", "b-t", "b-lt", "b-lta"].contains(&level.as_str()) {
        return Err(UserError::new("K-SIGNATUR-NIVEAU", format!("ukendt signaturniveau «{level}» (b-b, b-t, b-lt eller b-lta)"), format!("unknown signature level «{level}» (b-b, b-t, b-lt or b-lta)")).about("level"));
    }
    if level.starts_with("b-") && level != "b-b" && tsa.is_empty() {
        return Err(UserError::new("K-TSA-MANGLER", format!("PAdES {} kræver en tidsstemplingstjeneste", level.to_uppercase()), format!("PAdES {} needs a time-stamping service", level.to_uppercase())).about("tsa"));
    }
    state.update_settings(|s| {
        // (a managed value is the policy's, checked above, and applied over the saved one)
        s.tsa = tsa;
        s.signature_level = level;
    })?;
    Ok(state.settings())
}

/// What the webview shows on start: the workspace already open (after a reload of the
/// webview), else the one named at launch (written from the sample if it does not exist
/// yet), else nothing — the start screen.
#[tauri::command]
#[specta::specta]
pub fn current(launch: State<'_, Launch>, state: State<'_, AppState>) -> Result<Option<Opened>, UserError> {
    guard(|| {
        {
            let session = state.session.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(s) = session.as_ref() {
                return describe(&s.ws, &s.path, false).map(Some);
            }
        }
        let Some(path) = launch.workspace.clone() else { return Ok(None) };
        let (ws, created) = open_or_create_sample(&path)?;
        install_opened(&state, ws, path, created).map(Some)
    })
}

// ---- Reading --------------------------------------------------------------------------------

#[tauri::command]
#[specta::specta]
pub fn participants(state: State<'_, AppState>) -> Result<Vec<Participant>, UserError> {
    state.with(|s, _| Ok(s.ws.view().coordination().map_err(user)?.participants))
}

/// A municipality's effective DPIA (base ⊕ its supplement); without `org`, the base alone.
#[tauri::command]
#[specta::specta]
pub fn effective(org: Option<u16>, state: State<'_, AppState>) -> Result<EffectiveDpia, UserError> {
    guard(|| state.with(|s, _| s.ws.view().effective_or_base(self::org(org)).map_err(user)))
}

#[tauri::command]
#[specta::specta]
pub fn base(state: State<'_, AppState>) -> Result<Base, UserError> {
    state.with(|s, _| s.ws.view().base().map_err(user))
}

#[tauri::command]
#[specta::specta]
pub fn coordination(state: State<'_, AppState>) -> Result<Coordination, UserError> {
    state.with(|s, _| s.ws.view().coordination().map_err(user))
}

#[tauri::command]
#[specta::specta]
pub fn supplement(org: u16, state: State<'_, AppState>) -> Result<Supplement, UserError> {
    state.with(|s, _| s.ws.view().supplement(OrgCode(org)).map_err(user))
}

/// Today, or the day `KONSEKVENS_TODAY` pins (`konsekvens_core::env::today`).
pub(crate) fn today() -> Day {
    konsekvens_core::env::today()
}

/// The Datatilsynet check of a municipality's DPIA (or the base), with the review triggers.
#[tauri::command]
#[specta::specta]
pub fn check(org: Option<u16>, state: State<'_, AppState>) -> Result<CheckReport, UserError> {
    guard(|| state.with(|s, _| konsekvens_core::check::check_in(&s.ws.view(), self::org(org), today()).map_err(user)))
}

/// The coordinator's overview of every municipality.
#[tauri::command]
#[specta::specta]
pub fn overview(state: State<'_, AppState>) -> Result<Overview, UserError> {
    guard(|| state.with(|s, _| konsekvens_core::status::overview(&s.ws.view(), today()).map_err(user)))
}

/// One page of who changed what and when, newest first: changes before log position `before`
/// (none: from the newest), at most `limit` (default 50); with `item`, only changes to that
/// reference. Reads the page's stored rows only, however long the history.
#[tauri::command]
#[specta::specta]
pub fn history(org: Option<u16>, item: Option<String>, before: Option<i64>, limit: Option<u32>, state: State<'_, AppState>) -> Result<LogPage, UserError> {
    let limit = limit.unwrap_or(50) as usize;
    guard(|| state.with(|s, _| konsekvens_core::history::log_page(&s.ws.view(), self::org(org), item.map(Reference).as_ref(), before, limit).map_err(user)))
}

/// Compares two points: `now`, a release name, a date (YYYY-MM-DD) or a log position (#N).
#[tauri::command]
#[specta::specta]
pub fn compare(org: Option<u16>, from: String, to: String, state: State<'_, AppState>) -> Result<Comparison, UserError> {
    guard(|| {
        let from: Point = parse_point(&from)?;
        let to: Point = parse_point(&to)?;
        state.with(|s, _| konsekvens_core::history::compare(&s.ws.view(), self::org(org), &from, &to).map_err(user))
    })
}

/// The DPIA as it was at a point.
#[tauri::command]
#[specta::specta]
pub fn effective_at(org: Option<u16>, point: String, state: State<'_, AppState>) -> Result<EffectiveDpia, UserError> {
    guard(|| {
        let point: Point = parse_point(&point)?;
        state.with(|s, _| konsekvens_core::history::dpia_at(&s.ws.view(), self::org(org), &point).map_err(user))
    })
}

#[tauri::command]
#[specta::specta]
pub fn review_status(org: Option<u16>, state: State<'_, AppState>) -> Result<ReviewStatus, UserError> {
    guard(|| state.with(|s, _| konsekvens_core::check::review_status(&s.ws.view(), self::org(org)).map_err(user)))
}

// ---- Editing --------------------------------------------------------------------------------

/// Writes an item into a document (`base` or `supplement/101`): new, or the fields that differ.
#[tauri::command]
#[specta::specta]
pub fn put_item(doc: String, item: AnyItem, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| state.with(|s, settings| s.ws.put_item(doc_key(&doc)?, &item, &settings.author()).map_err(user)))
}

/// Changes only the fields of an item named in `patch` (a JSON merge patch): what the
/// webview sends when one field was edited.
#[tauri::command]
#[specta::specta]
pub fn patch_item(doc: String, kind: ItemKind, id: String, patch: serde_json::Value, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| state.with(|s, settings| s.ws.patch_item(doc_key(&doc)?, kind, &ItemId(id), &patch, &settings.author()).map_err(user)))
}

/// Changes only the fields of a section named in `patch`.
#[tauri::command]
#[specta::specta]
pub fn patch_section(doc: String, section: SectionKind, patch: serde_json::Value, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| state.with(|s, settings| s.ws.patch_section(doc_key(&doc)?, section, &patch, &settings.author()).map_err(user)))
}

/// Creates an empty item with a fresh id and the next reference.
#[tauri::command]
#[specta::specta]
pub fn new_item(doc: String, kind: ItemKind, state: State<'_, AppState>) -> Result<AnyItem, UserError> {
    guard(|| state.with(|s, settings| s.ws.new_item(doc_key(&doc)?, kind, &settings.author()).map_err(user)))
}

#[tauri::command]
#[specta::specta]
pub fn remove_item(doc: String, kind: ItemKind, id: String, state: State<'_, AppState>) -> Result<bool, UserError> {
    guard(|| state.with(|s, settings| s.ws.remove_item(doc_key(&doc)?, kind, &ItemId(id), &settings.author()).map_err(user)))
}

#[tauri::command]
#[specta::specta]
pub fn set_section(doc: String, section: AnySection, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| state.with(|s, settings| s.ws.set_section(doc_key(&doc)?, &section, &settings.author()).map_err(user)))
}

/// Links or unlinks a measure (in document `doc`) and a risk.
#[tauri::command]
#[specta::specta]
pub fn link(doc: String, measure: String, risk: String, linked: bool, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| {
        state.with(|s, settings| s.ws.link(doc_key(&doc)?, &ItemId(measure), &ItemId(risk), linked, &settings.author()).map_err(user))
    })
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct UndoState {
    pub can_undo: bool,
    pub can_redo: bool,
    /// The document the last step changed.
    pub changed: Option<String>,
}

fn undo_state(ws: &Workspace, changed: Option<DocKey>) -> UndoState {
    UndoState { can_undo: ws.can_undo(), can_redo: ws.can_redo(), changed: changed.map(|k| k.name()) }
}

#[tauri::command]
#[specta::specta]
pub fn undo(state: State<'_, AppState>) -> Result<UndoState, UserError> {
    guard(|| {
        state.with(|s, settings| {
            let changed = s.ws.undo(&settings.author()).map_err(user)?;
            Ok(undo_state(&s.ws, changed))
        })
    })
}

#[tauri::command]
#[specta::specta]
pub fn redo(state: State<'_, AppState>) -> Result<UndoState, UserError> {
    guard(|| {
        state.with(|s, settings| {
            let changed = s.ws.redo(&settings.author()).map_err(user)?;
            Ok(undo_state(&s.ws, changed))
        })
    })
}

#[tauri::command]
#[specta::specta]
pub fn can_undo(state: State<'_, AppState>) -> Result<UndoState, UserError> {
    state.with(|s, _| Ok(undo_state(&s.ws, None)))
}

// ---- Releases -------------------------------------------------------------------------------

/// Publishes the working base as a release (the coordinator).
#[tauri::command]
#[specta::specta]
pub fn publish_release(name: String, date: String, note: String, state: State<'_, AppState>) -> Result<String, UserError> {
    guard(|| {
        let day = parse_day(&date)?;
        state.with(|s, settings| Ok(s.ws.publish_release(&name, day, &note, &settings.author()).map_err(user)?.content_hash))
    })
}

/// A municipality confirms that its supplement is assessed against a release.
#[tauri::command]
#[specta::specta]
pub fn confirm_release(org: u16, name: String, state: State<'_, AppState>) -> Result<(), UserError> {
    guard(|| state.with(|s, settings| s.ws.bind_release(OrgCode(org), &name, &settings.author()).map_err(user)))
}

// ---- Export, signing, verification --------------------------------------------------------

/// A step of a long job, for the progress bar.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Progress {
    /// 0–100.
    pub percent: u8,
    pub step: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Exported {
    pub path: String,
    pub bytes: u32,
}

fn cancelled(state: &AppState) -> Result<(), UserError> {
    if state.cancel_export.load(Ordering::SeqCst) {
        Err(UserError::new("K-EKSPORT-ANNULLERET", "Eksporten blev annulleret", "The export was cancelled"))
    } else {
        Ok(())
    }
}

/// Renders a municipality's DPIA (or with `org` absent, the base) as PDF to `out`, reporting
/// progress; `cancel_export` stops it before the file is written.
#[tauri::command]
#[specta::specta]
pub async fn export_pdf(org: Option<u16>, lang: String, out: String, progress: Channel<Progress>, state: State<'_, AppState>) -> Result<Exported, UserError> {
    let step = |percent: u8, step: &str| {
        let _ = progress.send(Progress { percent, step: step.into() });
    };
    state.cancel_export.store(false, Ordering::SeqCst);
    step(5, "Beregner den gældende konsekvensanalyse");
    let lang = if lang == "en" { konsekvens_pdf::Lang::En } else { konsekvens_pdf::Lang::Da };
    // the DPIA's data goes inside the PDF (PDF/A-3 associated files), as the CLI's export does
    let (dpia, opts, files) = guard(|| {
        state.with(|s, _| {
            let (dpia, opts) = konsekvens_pdf::document_for(&s.ws, self::org(org), lang, today()).map_err(user)?;
            let files = konsekvens_pdf::record_attachments(&s.ws, self::org(org), lang, today()).map_err(user)?;
            Ok((dpia, opts, files))
        })
    })?;
    cancelled(&state)?;
    step(35, "Sætter dokumentet op");
    let pdf = tauri::async_runtime::spawn_blocking(move || konsekvens_pdf::render_with(&dpia, &opts, &files).map_err(user))
        .await
        .map_err(UserError::internal)??;
    cancelled(&state)?;
    step(85, "Gemmer filen");
    write_atomically(Path::new(&out), &pdf)?;
    step(100, "Færdig");
    Ok(Exported { path: out, bytes: pdf.len() as u32 })
}

#[tauri::command]
#[specta::specta]
pub fn cancel_export(state: State<'_, AppState>) {
    state.cancel_export.store(true, Ordering::SeqCst);
}

pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), UserError> {
    konsekvens_core::files::write_atomically(out, bytes).map_err(|e| UserError::io(out, &e))
}

/// Who signs, for `sign_pdf`; with `org` and `capacity` the signing is recorded in the
/// municipality's supplement.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct SignRequest {
    pub input: String,
    pub p12: String,
    pub password: String,
    pub out: String,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub org: Option<u16>,
    pub capacity: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub fn sign_pdf(request: SignRequest, state: State<'_, AppState>) -> Result<Exported, UserError> {
    guard(|| {
        let read = |p: &str| std::fs::read(p).map_err(|e| UserError::io(Path::new(p), &e));
        let pdf = read(&request.input)?;
        let p12 = read(&request.p12)?;
        let time = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        let meta = konsekvens_pdf::SignMeta { name: request.name.clone(), reason: request.reason, location: request.location, contact: None, time };
        // the level and time-stamping service of the settings (the policy's TSA applied over them)
        let settings = state.settings();
        let tsa = settings.tsa();
        let signed = konsekvens_pdf::sign_at_level(&pdf, &p12, &request.password, &meta, settings.level(), tsa.as_ref(), &konsekvens_pdf::Fetch::default()).map_err(user)?;
        write_atomically(Path::new(&request.out), &signed)?;
        if let (Some(code), Some(capacity)) = (request.org, request.capacity) {
            state.with(|s, settings| {
                let author = settings.author();
                let signer = request.name.unwrap_or_else(|| author.name.clone());
                usecase::record_signing(&mut s.ws, OrgCode(code), &signer, &capacity, &signed, &author).map(|_| ())
            })?;
        }
        Ok(Exported { path: request.out, bytes: signed.len() as u32 })
    })
}

/// One signature, as `verify_pdf` reports it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SignatureCheck {
    pub signer: String,
    pub subject: String,
    pub issuer: String,
    /// The signing time the signature claims, in UTC ("2026-12-06 05:31:55 UTC").
    pub claimed_time: String,
    pub reason: Option<String>,
    pub intact: bool,
    /// Why the signature does not hold, in both languages.
    pub problem: Option<UserError>,
    /// `None` when the certificate's validity could not be judged.
    pub cert_valid_at_time: Option<bool>,
    pub trusted: Option<bool>,
    pub appended_bytes: Option<u32>,
    pub appended_signed: bool,
    /// "PAdES B-B" … "PAdES B-LTA"; `None` when not intact.
    pub level: Option<String>,
    /// The signature timestamp's time (UTC), if it has a valid one.
    pub timestamp: Option<String>,
    /// Why the signature does not hold at the validation time though intact (an expired
    /// certificate without long-term data, a revoked one), in both languages.
    pub long_term_problem: Option<UserError>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct VerifyResult {
    pub ok: bool,
    pub signatures: Vec<SignatureCheck>,
    pub unsigned_tail: u32,
}

#[tauri::command]
#[specta::specta]
pub fn verify_pdf(path: String, trust: Vec<String>) -> Result<VerifyResult, UserError> {
    guard(|| {
        let pdf = std::fs::read(&path).map_err(|e| UserError::io(Path::new(&path), &e))?;
        let anchors = trust.iter().map(|p| std::fs::read(p).map_err(|e| UserError::io(Path::new(p), &e))).collect::<Result<Vec<_>, _>>()?;
        let report = konsekvens_pdf::verify(&pdf, &anchors).map_err(|e| user(e).in_file(Path::new(&path)))?;
        Ok(VerifyResult {
            ok: report.ok(),
            // validation data (a B-LT DSS) after the last signature is not unsigned content
            unsigned_tail: if report.tail_is_validation_data { 0 } else { report.unsigned_tail as u32 },
            signatures: report
                .signatures
                .into_iter()
                .map(|s| SignatureCheck {
                    level: s.level().map(str::to_owned),
                    timestamp: s.timestamp.as_ref().filter(|t| t.valid()).map(|t| t.time_utc()),
                    long_term_problem: s.long_term_problem.clone().map(|(en, da)| UserError::new("K-PDF-LANGTID", da, en)),
                    claimed_time: s.claimed_time_utc(),
                    signer: s.signer,
                    subject: s.subject,
                    issuer: s.issuer,
                    reason: s.reason,
                    intact: s.intact,
                    problem: s.problem.map(UserError::from),
                    cert_valid_at_time: s.cert_valid_at_time,
                    trusted: s.trusted,
                    appended_bytes: s.appended.as_ref().map(|a| a.bytes as u32),
                    appended_signed: s.appended.as_ref().is_some_and(|a| a.signed_by_later),
                })
                .collect(),
        })
    })
}
