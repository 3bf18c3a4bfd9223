//! Interchange in the app: supplier risk sheets in (with a mapping step: the user sees the
//! proposed or saved mapping of columns and words, changes it, previews, imports), a CNIL PIA
//! tool export in, and the DPIA out as Word — the same library calls as the CLI.

use crate::commands::{install_opened, today, user, Exported, Opened};
use crate::session::AppState;
use crate::guard;
use konsekvens_core::check::Lang;
use konsekvens_core::model::OrgCode;
use konsekvens_core::{SystemEnv, UserError};
use konsekvens_exchange::mapping::{fingerprint, header_row, headers};
use konsekvens_exchange::{choose_mapping, ChosenMapping, ImportOptions, Mapping, MappingOrigin, MappingStore};
use serde::Serialize;
use specta::Type;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::State;

fn lang(settings_lang: &str) -> Lang {
    if settings_lang == "en" { Lang::En } else { Lang::Da }
}

/// One column of the sheet's header row, as a mapping names it, with a sample of its words.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SheetColumn {
    /// The header text; the n-th of equal headers is `"Begrundelse#2"`.
    pub name: String,
    /// Distinct values below the header (lower case, at most 40), for mapping words.
    pub values: Vec<String>,
}

/// A sheet opened for import: its columns, and the mapping to start from.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SheetInfo {
    pub file: String,
    pub sheets: Vec<String>,
    pub sheet: String,
    pub columns: Vec<SheetColumn>,
    /// The mapping (format `konsekvens/sheet-mapping`), as JSON the user edits.
    pub mapping: serde_json::Value,
    /// `proposed`, `saved` or `file`.
    pub origin: String,
    /// What a proposal guessed.
    pub notes: Vec<String>,
    /// The header row the mapping reads (1 = the first row): found by what the columns mean,
    /// saved, or where the user moved it.
    pub header_row: u32,
    /// The rows of the sheet (1-based) that can be the header row: the first 40 with content.
    pub last_header_row: u32,
    /// How the sheet will be read, as `konsekvens import sheet --explain` prints it: the
    /// header row, what each column maps to, the rows left out, the first threats.
    pub preview: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SheetResult {
    /// Written (false for a preview).
    pub written: bool,
    /// The report as the CLI prints it.
    pub text: String,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub skipped: u32,
}

fn columns(sheet: &konsekvens_exchange::Sheet, mapping_row: Option<u32>) -> Vec<SheetColumn> {
    let Some(row) = header_row(sheet, mapping_row) else { return Vec::new() };
    let mut seen: Vec<String> = Vec::new();
    headers(sheet, row)
        .into_iter()
        .map(|(col, header)| {
            let n = seen.iter().filter(|h| **h == header).count();
            seen.push(header.clone());
            let name = if n == 0 { header } else { format!("{header}#{}", n + 1) };
            let values: BTreeSet<String> = (row + 1..=sheet.height())
                .map(|r| sheet.get(r, col).text().trim().to_lowercase())
                .filter(|v| !v.is_empty() && v.chars().count() <= 40)
                .take(200)
                .collect();
            SheetColumn { name, values: values.into_iter().take(40).collect() }
        })
        .collect()
}

/// Opens a sheet for import into the open workspace: the mapping saved for sheets of this
/// shape, else a proposal from the header row found by what its columns mean — or from
/// `header_row` (1-based), where the user moved it.
#[tauri::command]
#[specta::specta]
pub fn sheet_open(file: String, sheet: Option<String>, header_row: Option<u32>, state: State<'_, AppState>) -> Result<SheetInfo, UserError> {
    guard(|| {
        let workbook = konsekvens_exchange::read_workbook(Path::new(&file)).map_err(user)?;
        let chosen_sheet = workbook.sheet(sheet.as_deref()).map_err(user)?;
        let path = state.with(|s, _| Ok(s.path.clone()))?;
        let store = MappingStore::open(&path).map_err(user)?;
        let chosen = match header_row.and_then(|r| r.checked_sub(1)) {
            Some(row) => {
                let p = konsekvens_exchange::propose_at(chosen_sheet, Some(row));
                ChosenMapping { mapping: p.mapping, origin: MappingOrigin::Proposed, notes: p.notes }
            }
            None => choose_mapping(chosen_sheet, None, &store).map_err(user)?,
        };
        let en = state.settings().language == "en";
        let row = konsekvens_exchange::mapping::header_row(chosen_sheet, chosen.mapping.header_row).map(|r| r + 1).unwrap_or(1);
        Ok(SheetInfo {
            header_row: row,
            last_header_row: chosen_sheet.height().clamp(1, 40),
            preview: konsekvens_exchange::report::explain(chosen_sheet, &chosen, lang(&state.settings().language)),
            file: file.clone(),
            sheets: workbook.sheets.iter().map(|s| s.name.clone()).collect(),
            sheet: chosen_sheet.name.clone(),
            columns: columns(chosen_sheet, chosen.mapping.header_row),
            mapping: serde_json::to_value(&chosen.mapping).expect("mappings serialise"),
            origin: match chosen.origin {
                MappingOrigin::Proposed => "proposed",
                MappingOrigin::Saved { .. } => "saved",
                MappingOrigin::File { .. } => "file",
            }
            .into(),
            notes: chosen.notes.iter().map(|n| if en { n.en.clone() } else { n.da.clone() }).collect(),
        })
    })
}

/// Previews (`dry_run`) or imports a sheet with the user's mapping into the base or a
/// municipality's supplement, in one edit. An import saves the mapping for the next sheet of
/// the same shape.
#[tauri::command]
#[specta::specta]
pub fn sheet_import(
    file: String,
    sheet: Option<String>,
    org: Option<u16>,
    mapping: serde_json::Value,
    dry_run: bool,
    accept_partial: bool,
    state: State<'_, AppState>,
) -> Result<SheetResult, UserError> {
    guard(|| {
        let mapping: Mapping = serde_json::from_value(mapping)
            .map_err(|e| UserError::new("K-MAPPING-FORM", format!("mappingen passer ikke ({e})"), format!("the mapping does not fit ({e})")))?;
        let workbook = konsekvens_exchange::read_workbook(Path::new(&file)).map_err(user)?;
        let sheet = workbook.sheet(sheet.as_deref()).map_err(user)?;
        let chosen = ChosenMapping { mapping, origin: MappingOrigin::Proposed, notes: Vec::new() };
        let opts = ImportOptions {
            file: Path::new(&file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            source_label: None,
            accept_partial,
            today: today(),
        };
        let org = org.map(OrgCode);
        let l = lang(&state.settings().language);
        let report = state.with(|s, settings| {
            let result = if dry_run {
                konsekvens_exchange::preview(&s.ws, org, sheet, &chosen, &opts)
            } else {
                konsekvens_exchange::apply(&mut s.ws, &settings.author(), org, sheet, &chosen, &opts)
            };
            let report = result.map_err(user)?;
            if report.written {
                let mut store = MappingStore::open(&s.path).map_err(user)?;
                let key = header_row(sheet, chosen.mapping.header_row).map(|r| fingerprint(&headers(sheet, r))).unwrap_or_else(|| report.fingerprint.clone());
                store.put(&key, chosen.mapping.clone());
                store.save().map_err(user)?;
            }
            Ok(report)
        })?;
        let c = &report.counts;
        Ok(SheetResult {
            written: report.written,
            text: konsekvens_exchange::report::render(&report, l),
            created: c.created as u32,
            updated: c.updated as u32,
            unchanged: c.unchanged as u32,
            skipped: c.skipped as u32,
        })
    })
}

/// Imports a CNIL PIA tool export into a municipality's supplement of the open workspace.
#[tauri::command]
#[specta::specta]
pub fn cnil_import_into(file: String, org: u16, state: State<'_, AppState>) -> Result<String, UserError> {
    guard(|| {
        let pia = konsekvens_exchange::cnil::read(Path::new(&file)).map_err(user)?;
        let name = Path::new(&file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let l = lang(&state.settings().language);
        state.with(|s, settings| {
            let report = konsekvens_exchange::cnil::import_into(&mut s.ws, &settings.author(), OrgCode(org), pia, &name, today()).map_err(user)?;
            Ok(konsekvens_exchange::cnil::render(&report, l))
        })
    })
}

/// Makes a new joint DPIA at `out` from a CNIL PIA tool export and opens it.
#[tauri::command]
#[specta::specta]
pub fn cnil_import_new(file: String, out: String, state: State<'_, AppState>) -> Result<Opened, UserError> {
    guard(|| {
        let pia = konsekvens_exchange::cnil::read(Path::new(&file)).map_err(user)?;
        let name = Path::new(&file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let target = PathBuf::from(&out);
        konsekvens_exchange::cnil::create(&target, Arc::new(SystemEnv), &state.settings().author(), pia, &name, today()).map_err(user)?;
        let ws = konsekvens_core::Workspace::open(&target, Arc::new(SystemEnv)).map_err(user)?;
        install_opened(&state, ws, target, true)
    })
}

/// The DPIA (a municipality's, or the base) as Word, with the PDF's content and order.
#[tauri::command]
#[specta::specta]
pub fn export_docx(org: Option<u16>, lang: String, out: String, state: State<'_, AppState>) -> Result<Exported, UserError> {
    guard(|| {
        let l = self::lang(&lang);
        let bytes = state.with(|s, _| {
            let (dpia, opts) = konsekvens_exchange::docx::document_for(&s.ws, org.map(OrgCode), l, today()).map_err(user)?;
            konsekvens_exchange::docx::render(&dpia, &opts).map_err(user)
        })?;
        crate::commands::write_atomically(Path::new(&out), &bytes)?;
        Ok(Exported { path: out, bytes: bytes.len() as u32 })
    })
}

/// What the public summary of a municipality's DPIA (or the base) leaves out, item by item:
/// the export view shows it before the DPO exports.
#[tauri::command]
#[specta::specta]
pub fn public_summary_withheld(org: Option<u16>, lang: String, state: State<'_, AppState>) -> Result<Vec<konsekvens_core::report::Withheld>, UserError> {
    guard(|| {
        let l = self::lang(&lang);
        state.with(|s, _| Ok(konsekvens_core::report::public_summary_for(&s.ws, org.map(OrgCode), l, today()).map_err(user)?.withheld))
    })
}

/// The public summary as PDF/A (tagged, no DPIA data inside) or, with `html`, one accessible
/// HTML file.
#[tauri::command]
#[specta::specta]
pub fn export_public_summary(org: Option<u16>, lang: String, html: bool, out: String, state: State<'_, AppState>) -> Result<Exported, UserError> {
    guard(|| {
        let l = self::lang(&lang);
        let bytes = state.with(|s, _| {
            let summary = konsekvens_core::report::public_summary_for(&s.ws, org.map(OrgCode), l, today()).map_err(user)?;
            if html {
                Ok(konsekvens_exchange::html::render_report(&summary.report).into_bytes())
            } else {
                konsekvens_pdf::render_report(&summary.report).map_err(user)
            }
        })?;
        crate::commands::write_atomically(Path::new(&out), &bytes)?;
        Ok(Exported { path: out, bytes: bytes.len() as u32 })
    })
}
