//! `konsekvens import sheet`, `konsekvens import cnil`, `konsekvens export docx`.

use crate::paths::{self, Input};
use crate::{author, env, open, today, write_atomically, ExportArgs, Failure, LangArg};
use clap::Args;
use konsekvens_core::check::Lang;
use konsekvens_core::model::OrgCode;
use konsekvens_core::UserError;
use konsekvens_exchange::import::{ImportError, ImportOptions};
use konsekvens_exchange::{choose_mapping, mapping::MappingError, MappingOrigin, MappingStore};
use std::path::PathBuf;

pub fn export_docx(a: ExportArgs) -> Result<(), Failure> {
    let (ws, org) = a.open()?;
    let (dpia, opts) = konsekvens_exchange::docx::document_for(&ws, org, a.lang.into(), today())?;
    let bytes = konsekvens_exchange::docx::render(&dpia, &opts).map_err(Failure::problem)?;
    a.write(&bytes)
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("where").required(true).args(["out", "into"]))]
pub struct ImportCnilArgs {
    /// The .json exported by the CNIL PIA tool
    file: PathBuf,
    /// Make a new joint DPIA holding the PIA in its base
    #[arg(long)]
    out: Option<PathBuf>,
    /// Add the PIA to a municipality's supplement in this workspace (with --org)
    #[arg(long, requires = "org")]
    into: Option<PathBuf>,
    /// The municipality whose supplement receives the PIA
    #[arg(long, requires = "into")]
    org: Option<OrgCode>,
    /// The report as JSON
    #[arg(long)]
    json: bool,
    /// The global `--lang`, set by `run`.
    #[arg(skip)]
    pub(crate) lang: LangArg,
}

pub fn import_cnil(a: ImportCnilArgs) -> Result<(), Failure> {
    use konsekvens_exchange::cnil;
    if let Some(out) = &a.out {
        paths::refuse_output_onto_input(out, &[Input::new("CNIL-filen", &a.file)])?;
    }
    let pia = cnil::read(&a.file).map_err(Failure::input)?;
    let file = a.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let report = match (&a.out, &a.into, a.org) {
        (Some(out), _, _) => cnil::create(out, env(), &author(), pia, &file, today())?,
        (None, Some(into), Some(org)) => cnil::import_into(&mut open(into)?, &author(), org, pia, &file, today())?,
        _ => {
            return Err(Failure::Input(UserError::new(
                "K-BRUG",
                "angiv --out NY.konsekvens, eller --into STI med --org KODE",
                "give --out NEW.konsekvens, or --into PATH with --org CODE",
            )))
        }
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print!("{}", cnil::render(&report, a.lang.into()));
    }
    Ok(())
}

#[derive(Args)]
pub struct ImportSheetArgs {
    /// The risk sheet: .xlsx, .ods or .csv
    file: PathBuf,
    /// The workspace to import into (one edit: everything or nothing)
    #[arg(long)]
    into: PathBuf,
    /// Into this municipality's supplement, as local additions; without it, into the joint base
    #[arg(long)]
    org: Option<OrgCode>,
    /// The worksheet to read (default: the first whose header row names a risk register, else the first)
    #[arg(long)]
    sheet: Option<String>,
    /// What goes before the sheet's own references, e.g. "KOMBIT Beskeder" → "KOMBIT Beskeder T3"
    /// (default: the sheet's name; for a .csv the file's name)
    #[arg(long)]
    source: Option<String>,
    /// The mapping (JSON) from columns and words to our fields and scales; without it, the one
    /// saved for sheets of this shape, else one proposed from the header row
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Also write the mapping used to this file, to edit it and pass it with --mapping
    #[arg(long)]
    save_mapping: Option<PathBuf>,
    /// Import the threats that can be read and skip those with problems
    #[arg(long)]
    accept_partial: bool,
    /// Show what the import would do; write nothing
    #[arg(long)]
    dry_run: bool,
    /// Show how the sheet is read — the header row found, what each column maps to, the rows
    /// left out and the first threats as they will be imported — and write nothing
    #[arg(long)]
    explain: bool,
    /// The report as JSON
    #[arg(long)]
    json: bool,
    /// The global `--lang`, set by `run`.
    #[arg(skip)]
    pub(crate) lang: LangArg,
}

fn mapping_failure(e: MappingError) -> Failure {
    Failure::input(e)
}

pub fn import_sheet(a: ImportSheetArgs) -> Result<(), Failure> {
    let lang: Lang = a.lang.into();
    if let Some(out) = &a.save_mapping {
        let mut inputs = vec![("regnearket", a.file.clone()), ("mappinglageret", MappingStore::path_for(&a.into))];
        inputs.extend(paths::workspace_files(&a.into));
        if let Some(m) = &a.mapping {
            inputs.push(("mappingfilen", m.clone()));
        }
        paths::refuse_onto(out, &inputs)?;
    }
    let workbook = konsekvens_exchange::read_workbook(&a.file).map_err(Failure::input)?;
    let sheet = workbook.sheet(a.sheet.as_deref()).map_err(Failure::input)?;
    let mut ws = open(&a.into)?;
    let mut store = MappingStore::open(&a.into).map_err(mapping_failure)?;
    let chosen = choose_mapping(sheet, a.mapping.as_deref(), &store).map_err(mapping_failure)?;
    if let Some(out) = &a.save_mapping {
        write_atomically(out, chosen.mapping.to_json().as_bytes())?;
        eprintln!("{} {}", if lang == Lang::Da { "Skrev mappingen til" } else { "Wrote the mapping to" }, out.display());
    }
    if a.explain {
        print!("{}", konsekvens_exchange::report::explain(sheet, &chosen, lang));
        return Ok(());
    }
    let opts = ImportOptions {
        file: a.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        source_label: a.source.clone(),
        accept_partial: a.accept_partial,
        today: today(),
    };
    let result = if a.dry_run {
        konsekvens_exchange::preview(&ws, a.org, sheet, &chosen, &opts)
    } else {
        konsekvens_exchange::apply(&mut ws, &author(), a.org, sheet, &chosen, &opts)
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if chosen.origin == MappingOrigin::Proposed {
                eprintln!("{}", if lang == Lang::Da { "Foreslået mapping:" } else { "Proposed mapping:" });
                for n in &chosen.notes {
                    eprintln!("  {}", if lang == Lang::Da { &n.da } else { &n.en });
                }
            }
            return Err(import_failure(e));
        }
    };
    if report.written {
        store.put(&report.fingerprint, chosen.mapping.clone());
        store.save().map_err(mapping_failure)?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print!("{}", konsekvens_exchange::report::render(&report, lang));
    }
    Ok(())
}

/// What to do next, after the error (in both languages: the error's language is chosen
/// when it is printed).
fn import_failure(e: ImportError) -> Failure {
    let (da, en) = match &e {
        ImportError::Rows(_) => (
            "\nRet arket eller mappingen (--save-mapping FIL viser den), eller importér resten med --accept-partial.",
            "\nCorrect the sheet or the mapping (--save-mapping FILE shows it), or import the rest with --accept-partial.",
        ),
        ImportError::Layout(_) => (
            "\nIntet er importeret. Ret arket, eller giv en mapping med --mapping FIL (--save-mapping FIL skriver den foreslåede).",
            "\nNothing was imported. Correct the sheet, or give a mapping with --mapping FILE (--save-mapping FILE writes the proposed one).",
        ),
        ImportError::UnsureSource { .. } => ("\nIntet er importeret.", "\nNothing was imported."),
        ImportError::Workspace(_) => ("", ""),
    };
    match e {
        ImportError::Workspace(w) => Failure::from(w),
        other => {
            let mut u = UserError::from(other);
            u.da.push_str(da);
            u.en.push_str(en);
            Failure::Problem(u)
        }
    }
}
