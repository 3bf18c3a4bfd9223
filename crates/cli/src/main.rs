//! `konsekvens`: every main job of Konsekvens, headless.
//!
//! Exit codes: 0 success, 1 a reported problem (e.g. the workspace holds no such
//! municipality), 2 bad usage or unreadable input. Errors go to stderr as `[CODE] message`,
//! in Danish, or in English with `--lang en` or an English locale (`LANG=en_GB.UTF-8`).

mod exchange_cmd;
mod hearing_cmd;
mod hub_cmd;
mod login_cmd;
mod paths;
mod pdf_cmd;
mod sheet_cmd;
mod versions_cmd;

use clap::{Parser, Subcommand};
use konsekvens_core::check::{self, Lang};
use konsekvens_core::interchange::JointDpiaFile;
use konsekvens_core::model::{Day, OrgCode};
use konsekvens_core::release::ReleaseError;
use konsekvens_core::usecase::{self, NewDpia};
use konsekvens_core::{text, Author, Env, SystemEnv, UserError, Workspace, WorkspaceError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "konsekvens", version, about = "Fælles konsekvensanalyse (DPIA) for kommuner — the command line")]
struct Cli {
    /// Language of messages and errors, and of what check, export, import and diff write
    /// (default: Danish; errors follow an English LANG)
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    #[command(subcommand)]
    command: Command,
}

/// The bundled samples (`konsekvens demo --sample`).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sample {
    Aula,
    Flexboern,
    Ballerup,
}

#[derive(Subcommand)]
enum Command {
    /// Write a bundled sample to a new workspace: AULA (joint base + København, Esbjerg,
    /// Aarhus), FlexBørn (joint base + Køge, Roskilde) or Ballerup (one municipality's own DPIA)
    Demo {
        path: PathBuf,
        #[arg(long, value_enum, default_value = "aula")]
        sample: Sample,
        /// A deliberately flawed copy of the sample, broken on every point the check reads
        /// for (special data classified ordinary, uses without purposes, boilerplate reasons,
        /// references into supplier sheets that point nowhere …): to see what the check finds
        #[arg(long)]
        flawed: bool,
    },
    /// Create a new joint DPIA (as the app's start view does): title, system, coordinator and
    /// the participating municipalities, each with an empty supplement
    New(NewArgs),
    /// Print a municipality's effective DPIA (base ⊕ supplement) as text; without --org, the base
    Show {
        path: PathBuf,
        /// Municipality code, e.g. 101 for København
        #[arg(long)]
        org: Option<OrgCode>,
        /// Print the effective DPIA as JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Check a DPIA as Datatilsynet would: completeness, traceability, acceptance.
    /// Exit 0 without errors, 1 with errors.
    Check {
        #[arg(required_unless_present = "explain")]
        path: Option<PathBuf>,
        /// Municipality code; without it, the joint base is checked
        #[arg(long)]
        org: Option<OrgCode>,
        /// The joint base and every municipality: one line each (with --json, every report)
        #[arg(long, conflicts_with = "org")]
        all: bool,
        /// Findings and risk picture as JSON
        #[arg(long)]
        json: bool,
        /// Explain a finding's code: the rule, its basis in the GDPR and the decision, and the fix
        #[arg(long, value_name = "CODE", conflicts_with_all = ["org", "json", "all"])]
        explain: Option<String>,
    },
    /// Export a workspace
    #[command(subcommand)]
    Export(Export),
    /// Import a JSON file into a new workspace, or a risk sheet or CNIL PIA into a workspace
    #[command(subcommand)]
    Import(Import),
    /// Print the JSON Schema of the interchange format (or, with --check, of `check --json`)
    Schema {
        /// The schema of the check's report instead
        #[arg(long)]
        check: bool,
    },
    /// Fold the update log into snapshots so the workspace opens fast (the log is kept)
    Compact { path: PathBuf },
    /// Check the whole workspace file: SQLite's structure and every stored row against its
    /// checksum (opening does this only after an unclean shutdown). Exit 1 if damaged
    CheckFile { path: PathBuf },
    /// List the municipalities taking part
    Orgs { path: PathBuf },
    /// Sign a PDF (PAdES B-B; B-T, B-LT, B-LTA with --tsa and --level; incremental updates: earlier signatures stay valid)
    Sign(pdf_cmd::SignArgs),
    /// Verify every signature in a PDF. Exit 0 only if all are intact and nothing unsigned follows
    Verify(pdf_cmd::VerifyArgs),
    /// The sync hub: serve, and administer organisations, tokens and joint DPIAs
    #[command(subcommand)]
    Hub(hub_cmd::HubCommand),
    /// Sync a workspace with a hub: one round (exit 0 when local and hub state are equal), or --watch
    Sync(hub_cmd::SyncArgs),
    /// Sign in at the municipality's OpenID provider (browser with PKCE, or --device), so
    /// `sync --sign-in` and the audit trail use the person's identity
    Login(login_cmd::LoginArgs),
    /// Forget the sign-in kept by `login`
    Logout,
    /// Releases of the joint base: publish (coordinator), list, confirm (a municipality)
    #[command(subcommand)]
    Release(versions_cmd::ReleaseCommand),
    /// Compare two points (release, date, log position, now) of the base or a municipality's DPIA
    Diff(versions_cmd::DiffArgs),
    /// Who changed what and when, from the workspace's update log
    Log(versions_cmd::LogArgs),
    /// Restore a document to an earlier point as a new change (the log keeps everything);
    /// with --hub, through the hub so every participant gets it
    Restore(versions_cmd::RestoreArgs),
    /// Is a review due (Art. 35(11))? The changes since the last review, and the next date
    Review(versions_cmd::ReviewArgs),
    /// The coordinator's overview: each municipality's release, check result, signing and deviations
    Status(versions_cmd::StatusArgs),
    /// Comments (bemærkninger) on the joint DPIA: add, reply, edit, resolve, list
    #[command(subcommand)]
    Comment(hearing_cmd::CommentCommand),
    /// Hearing rounds (høringsrunder): open (coordinator), answer (a municipality), respond,
    /// close (publishes the release), status
    #[command(subcommand)]
    Hearing(hearing_cmd::HearingCommand),
    /// The imported supplier sheets: list each threat with the risk that covers it, or record
    /// (uncover --reason) or remove (cover) the reason why none does
    #[command(subcommand)]
    Sheet(sheet_cmd::SheetCommand),
}

#[derive(Clone, Copy, Default, clap::ValueEnum)]
pub(crate) enum LangArg {
    #[default]
    Da,
    En,
}

/// The language errors are printed in: `--lang`, else the locale (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`, the first one set) when it is English, else Danish.
fn error_lang(flag: Option<LangArg>, var: impl Fn(&str) -> Option<String>) -> Lang {
    if let Some(l) = flag {
        return l.into();
    }
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].iter().filter_map(|v| var(v)).find(|v| !v.is_empty()).unwrap_or_default();
    if locale.starts_with("en") { Lang::En } else { Lang::Da }
}

/// `--lang en` / `--lang=en` in arguments clap could not parse (so `Cli::lang` is unknown).
fn lang_in_args(args: impl IntoIterator<Item = String>) -> Option<LangArg> {
    let args: Vec<String> = args.into_iter().collect();
    let value = args.iter().enumerate().find_map(|(i, a)| match a.strip_prefix("--lang") {
        Some("") => args.get(i + 1).cloned(),
        Some(rest) => rest.strip_prefix('=').map(str::to_owned),
        None => None,
    })?;
    match value.as_str() {
        "en" => Some(LangArg::En),
        "da" => Some(LangArg::Da),
        _ => None,
    }
}

/// A call clap refused, as the user's error (`K-KALD`): what is wrong in Danish and English,
/// with the argument it concerns.
fn usage_error(e: &clap::Error) -> UserError {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let (da, en) = match e.kind() {
        ErrorKind::UnknownArgument => ("ukendt argument", "unknown argument"),
        ErrorKind::InvalidSubcommand => ("ukendt kommando", "unknown command"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => ("ugyldig værdi", "invalid value"),
        ErrorKind::MissingRequiredArgument => ("et påkrævet argument mangler", "a required argument is missing"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ("en kommando mangler", "a command is missing"),
        ErrorKind::ArgumentConflict => ("argumenterne kan ikke bruges sammen", "the arguments cannot be used together"),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => ("forkert antal værdier", "wrong number of values"),
        ErrorKind::NoEquals => ("værdien skal angives med =", "the value must be given with ="),
        ErrorKind::InvalidUtf8 => ("et argument er ikke UTF-8-tekst", "an argument is not UTF-8 text"),
        _ => ("kaldet er ugyldigt", "the call is invalid"),
    };
    let about = match (e.get(ContextKind::InvalidArg), e.get(ContextKind::InvalidSubcommand)) {
        (Some(ContextValue::String(a)), _) | (_, Some(ContextValue::String(a))) => Some(a.clone()),
        (Some(ContextValue::Strings(a)), _) => Some(a.join(", ")),
        _ => None,
    };
    let value = match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) => format!(" «{v}»"),
        _ => String::new(),
    };
    let (da, en) = match &about {
        Some(a) => (format!("Ugyldigt kald: {da}{value} ({a}). Se konsekvens --help."), format!("Invalid call: {en}{value} ({a}). See konsekvens --help.")),
        None => (format!("Ugyldigt kald: {da}. Se konsekvens --help."), format!("Invalid call: {en}. See konsekvens --help.")),
    };
    let error = UserError::new("K-KALD", da, en);
    match about {
        Some(a) => error.about(a),
        None => error,
    }
}

#[derive(clap::Args)]
struct NewArgs {
    /// The new workspace file (refused if it exists)
    path: PathBuf,
    #[arg(long)]
    title: String,
    /// The system assessed, e.g. AULA (also the joint DPIA's id at the hub)
    #[arg(long)]
    system: String,
    #[arg(long, default_value = "KL/KOMBIT")]
    coordinator: String,
    /// A participating municipality: "CODE NAME [PREFIX]", e.g. "101 København KBH"; repeat
    #[arg(long = "participant")]
    participants: Vec<String>,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Da => Lang::Da,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Subcommand)]
enum Export {
    /// The whole joint DPIA as JSON (format konsekvens/joint-dpia, version 1)
    Json {
        path: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// A municipality's effective DPIA (--org) or the joint base (--base) as a PDF
    Pdf(ExportArgs),
    /// The same as a Word document (.docx), with the PDF's sections, heading styles and tables
    Docx(ExportArgs),
    /// Offentligt resumé (public summary) of a municipality's DPIA (--org) or the joint base
    /// (--base), as PDF/A (tagged) or one accessible HTML file — without threat
    /// descriptions, measure details, evidence, suppliers' operations and integrated systems;
    /// --show-omissions lists what it leaves out (alone: only the list, nothing written)
    PublicSummary(pdf_cmd::PublicSummaryArgs),
    /// The høringsnotat of a hearing round as PDF, or Word with --out ….docx
    HearingNotat(hearing_cmd::NotatArgs),
    /// A municipality's answer to a hearing round as its own document (PDF to sign, or .docx)
    HearingAnswer(hearing_cmd::AnswerDocArgs),
}

#[derive(Subcommand)]
enum Import {
    /// A JSON file exported by `konsekvens export json`, into a new workspace at --out
    Json {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// A supplier risk sheet (.xlsx, .ods, .csv) into the base or a supplement; a new version of
    /// the sheet updates the risks it made
    Sheet(exchange_cmd::ImportSheetArgs),
    /// A PIA exported (.json) by the CNIL PIA tool, into a new joint DPIA (--out) or a
    /// municipality's supplement (--into PATH --org CODE)
    Cnil(exchange_cmd::ImportCnilArgs),
    /// A (signed) PDF exported by Konsekvens: verifies its signatures and imports the DPIA
    /// it carries into a new workspace (--out), or compares it with a workspace's current
    /// DPIA (--compare PATH): what changed since it was signed?
    Pdf(pdf_cmd::ImportPdfArgs),
}

/// A failure, with the exit code it maps to.
pub(crate) enum Failure {
    /// Already reported on stdout (e.g. a check with errors): just the exit code.
    Silent(u8),
    /// Exit 1: the input was read, and what it says is a problem.
    Problem(UserError),
    /// Exit 2: bad usage or unreadable input.
    Input(UserError),
}

impl Failure {
    /// Exit 1, from any error that has a user's form.
    pub(crate) fn problem(e: impl Into<UserError>) -> Failure {
        Failure::Problem(e.into())
    }
    /// Exit 2, from any error that has a user's form.
    pub(crate) fn input(e: impl Into<UserError>) -> Failure {
        Failure::Input(e.into())
    }
}

impl From<WorkspaceError> for Failure {
    fn from(e: WorkspaceError) -> Self {
        match e {
            WorkspaceError::UnknownOrg(_) | WorkspaceError::DuplicateOrg(_) => Failure::problem(e),
            // Publishing refused for what the base says (a name taken, a reference clash).
            WorkspaceError::Release(ReleaseError::Exists(_) | ReleaseError::DuplicateReference { .. } | ReleaseError::Renumbered { .. }) => {
                Failure::problem(e)
            }
            // A restoration refused for what the file holds (no such point).
            WorkspaceError::Restore { .. } => Failure::problem(e),
            other => Failure::input(other),
        }
    }
}

/// What a use case of the core refuses: what the file or the workspace says is a problem
/// (exit 1), anything about the files themselves is input (exit 2).
impl From<UserError> for Failure {
    fn from(e: UserError) -> Self {
        if e.code.starts_with("K-FIL-") { Failure::Input(e) } else { Failure::Problem(e) }
    }
}

pub(crate) fn env() -> Arc<dyn Env> {
    Arc::new(SystemEnv)
}

/// Who acts: the signed-in person (`konsekvens login`) — the name their provider vouched
/// for, while the sign-in is valid or can be renewed — else KONSEKVENS_AUTHOR or the login name.
pub(crate) fn author() -> Author {
    if let Some(c) = login_cmd::signed_in() {
        return Author::new(c.person(), None);
    }
    local_author()
}

/// KONSEKVENS_AUTHOR or the login name (not signed in, or the sign-in is no longer valid).
pub(crate) fn local_author() -> Author {
    let user = std::env::var("KONSEKVENS_AUTHOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "ukendt".into());
    Author::new(user, None)
}

pub(crate) fn open(path: &Path) -> Result<Workspace, Failure> {
    Ok(Workspace::open(path, env())?)
}

/// Writes `contents` to `out` atomically (`konsekvens_core::files`), so a failure leaves `out` as it was.
pub(crate) fn write_atomically(out: &Path, contents: &[u8]) -> Result<(), Failure> {
    konsekvens_core::files::write_atomically(out, contents).map_err(|e| Failure::Input(UserError::io(out, &e)))
}

/// A document export (`export pdf`, `export docx`): whose DPIA, where, in which language.
#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["org", "base"]))]
pub(crate) struct ExportArgs {
    path: PathBuf,
    /// The municipality whose effective DPIA (its base release ⊕ its supplement) to write
    #[arg(long)]
    org: Option<OrgCode>,
    /// The joint base (for the coordinator)
    #[arg(long)]
    base: bool,
    #[arg(long)]
    out: PathBuf,
    /// The global `--lang`, set by `run`.
    #[arg(skip)]
    pub(crate) lang: LangArg,
}

impl ExportArgs {
    /// The workspace and whose DPIA: `None` for the base.
    pub(crate) fn open(&self) -> Result<(Workspace, Option<OrgCode>), Failure> {
        self.refuse_output_onto_input()?;
        Ok((open(&self.path)?, if self.base { None } else { self.org }))
    }

    /// Refuses an `--out` that names the workspace (or its SQLite log): checked before the
    /// workspace is opened.
    pub(crate) fn refuse_output_onto_input(&self) -> Result<(), Failure> {
        Ok(paths::refuse_onto(&self.out, &paths::workspace_files(&self.path))?)
    }

    /// Writes the document to `--out` (atomically) and says so.
    pub(crate) fn write(&self, bytes: &[u8]) -> Result<(), Failure> {
        write_atomically(&self.out, bytes)?;
        eprintln!("Skrev {} ({} KiB)", self.out.display(), bytes.len() / 1024);
        Ok(())
    }
}

/// Reads a file named on the command line; failure is unreadable input (exit 2).
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Input(UserError::io(path, &e)))
}

/// Reads a text file named on the command line, refusing one larger than `limit` bytes
/// before reading it (exit 2). A UTF-8 byte order mark, which Windows editors and
/// PowerShell 5 write, is not part of the text (RFC 8259 lets a JSON reader ignore it).
pub(crate) fn read_text_bounded(path: &Path, limit: u64) -> Result<String, Failure> {
    let text = konsekvens_exchange::limits::read_text_bounded(path, limit).map_err(Failure::input)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Today, or the day `KONSEKVENS_TODAY` pins (`konsekvens_core::env::today`).
pub(crate) fn today() -> Day {
    konsekvens_core::env::today()
}

fn run(cli: Cli) -> Result<(), Failure> {
    let lang = cli.lang.unwrap_or_default();
    match cli.command {
        Command::New(a) => {
            let participants = a.participants.iter().map(|l| konsekvens_core::model::Participant::parse_line(l)).collect::<Result<Vec<_>, _>>().map_err(Failure::Input)?;
            let spec = NewDpia { title: a.title, system: a.system, coordinator: a.coordinator, participants };
            let ws = usecase::create_joint_dpia(&a.path, env(), &author(), &spec)?;
            let n = ws.view().coordination()?.participants.len();
            eprintln!("Oprettede den fælles konsekvensanalyse {} ({n} {})", a.path.display(), if n == 1 { "kommune" } else { "kommuner" });
        }
        Command::Demo { path, sample, flawed: true } => {
            let mut file = match sample {
                Sample::Aula => {
                    let (coordination, base, supplements) = konsekvens_core::sample::aula();
                    konsekvens_core::interchange::JointDpiaFile { format: konsekvens_core::interchange::FORMAT.into(), version: konsekvens_core::interchange::VERSION, coordination, base, supplements, hearing: Vec::new() }
                }
                Sample::Flexboern => konsekvens_core::sample::flexboern(),
                Sample::Ballerup => konsekvens_core::sample::ballerup(),
            };
            let (base, local) = konsekvens_core::sample::flawed(&mut file);
            let mut ws = Workspace::create_with(&path, env(), &author(), &file.coordination, &file.base, &file.supplements)?;
            if sample == Sample::Aula {
                // the supplements stand on the sample's release: publish the flawed base as it
                let who = konsekvens_core::Author::new("KL/KOMBIT", None);
                ws.publish_release(konsekvens_core::sample::VERSION, konsekvens_core::sample::RELEASE_DATE, konsekvens_core::sample::RELEASE_NOTE, &who)?;
            }
            eprintln!("Skrev en fejlbehæftet kopi af eksemplet til {}: kontrollen skal finde {} i basis{}", path.display(), base.join(", "),
                if local.is_empty() { String::new() } else { format!(" og {} i den første kommunes tillæg", local.join(", ")) });
        }
        Command::Demo { path, sample, flawed: false } => {
            let ws = match sample {
                Sample::Aula => Workspace::create_demo(&path, env())?,
                Sample::Flexboern | Sample::Ballerup => {
                    let file = if sample == Sample::Flexboern { konsekvens_core::sample::flexboern() } else { konsekvens_core::sample::ballerup() };
                    Workspace::create_with(&path, env(), &author(), &file.coordination, &file.base, &file.supplements)?
                }
            };
            let orgs: Vec<String> = ws.view().coordination()?.participants.iter().map(|p| format!("{} {}", p.code.map(|c| c.0).unwrap_or(0), p.name)).collect();
            if orgs.is_empty() {
                eprintln!("Skrev eksemplet til {} (én dataansvarligs egen konsekvensanalyse, uden tillæg)", path.display());
            } else {
                eprintln!("Skrev eksemplet til {} (kommuner: {})", path.display(), orgs.join(", "));
            }
        }
        Command::CheckFile { path } => {
            let v = open(&path)?.verify_file()?;
            if !v.is_ok() {
                for m in &v.structure {
                    println!("[K-FIL-STRUKTUR] {}: {m}", path.display());
                }
                for r in &v.rows {
                    println!("[K-FIL-INTEGRITET] {}: {r} matcher ikke sin kontrolsum", path.display());
                }
                return Err(Failure::Silent(1));
            }
            println!(
                "Arbejdsfilen er hel: SQLite-strukturen er i orden, og {} opdateringer og {} øjebliksbilleder stemmer med deres kontrolsummer.",
                v.updates, v.snapshots
            );
        }
        Command::Check { explain: Some(code), .. } => match check::codes::rule(&code) {
            Some(rule) => print!("{}", check::codes::explain(rule, lang.into())),
            None => {
                return Err(Failure::Input(UserError::new(
                    "K-CHECK-UNKNOWN-CODE",
                    format!("Kontrollen har ingen kode «{}». Koderne står i check --json's skema (schema --check) og i rapportens fund.", code.trim()),
                    format!("The check has no code «{}». The codes are listed in check --json's schema (schema --check) and in the report's findings.", code.trim()),
                )))
            }
        },
        Command::Check { path, all: true, json, explain: None, .. } => {
            let path = path.expect("clap requires a path without --explain");
            let reports = check::check_all(&open(&path)?.view(), today())?;
            if json {
                let all: Vec<_> = reports.iter().map(|(org, report)| serde_json::json!({ "org": org, "report": report })).collect();
                println!("{}", serde_json::to_string_pretty(&all).expect("serialises"));
            } else {
                print!("{}", check::report::render_all(&reports, lang.into()));
            }
            if reports.iter().any(|(_, r)| r.errors() > 0) {
                return Err(Failure::Silent(1));
            }
        }
        Command::Check { path, org, json, explain: None, .. } => {
            let path = path.expect("clap requires a path without --explain");
            let report = check::check_in(&open(&path)?.view(), org, today())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
            } else {
                print!("{}", check::report::render(&report, lang.into()));
            }
            if report.errors() > 0 {
                return Err(Failure::Silent(1));
            }
        }
        Command::Show { path, org, json } => {
            let dpia = open(&path)?.view().effective_or_base(org)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&dpia).expect("serialises"));
            } else {
                print!("{}", text::render(&dpia, org.is_none()));
            }
        }
        Command::Export(Export::Json { path, out }) => {
            paths::refuse_onto(&out, &paths::workspace_files(&path))?;
            let ws = open(&path)?;
            let file = JointDpiaFile::from_workspace(&ws)?;
            write_atomically(&out, file.to_json().as_bytes())?;
            // written as it is (nothing is dropped), but `import json` refuses such a file:
            // say so, each link with its JSON path
            let broken = file.broken_links();
            let l: Lang = lang.into();
            let n = broken.len();
            for e in broken.into_iter().take(20) {
                eprintln!("{}: {}", if l == Lang::Da { "Advarsel" } else { "Warning" }, UserError::from(e).text(l));
            }
            if n > 0 {
                eprintln!(
                    "{}",
                    match l {
                        Lang::Da => format!("Advarsel: {n} henvisning(er) i {} peger på elementer, der ikke findes, eller et id bruges to gange{}; filen er skrevet, men `import json` afviser den, indtil det er rettet i arbejdsområdet", out.display(), if n > 20 { " (de første 20 er vist)" } else { "" }),
                        Lang::En => format!("Warning: {n} link(s) in {} point at no item, or an id is used twice{}; the file is written, but `import json` refuses it until this is corrected in the workspace", out.display(), if n > 20 { " (the first 20 are shown)" } else { "" }),
                    }
                );
            }
        }
        Command::Import(Import::Json { file, out }) => {
            paths::refuse_output_onto_input(&out, &[paths::Input::new("JSON-filen", &file)])?;
            let text = read_text_bounded(&file, konsekvens_exchange::limits::MAX_JSON_BYTES)?;
            let parsed = JointDpiaFile::from_json(&text).map_err(|e| Failure::Input(UserError::from(e).in_file(&file)))?;
            parsed.create_workspace(&out, env(), &author())?;
            eprintln!("Importerede {} til {}", file.display(), out.display());
        }
        Command::Schema { check: false } => print!("{}", konsekvens_core::interchange::json_schema()),
        Command::Schema { check: true } => print!("{}", check::json_schema()),
        Command::Compact { path } => {
            let mut ws = open(&path)?;
            let stats = ws.compact()?;
            eprintln!("Komprimerede {} dokumenter ({} opdateringer foldet ind)", stats.documents, stats.updates_folded);
        }
        // The content's language is the global --lang (Danish without it).
        Command::Export(Export::Pdf(mut args)) => {
            args.lang = lang;
            pdf_cmd::export(args)?
        }
        Command::Import(Import::Sheet(mut args)) => {
            args.lang = lang;
            exchange_cmd::import_sheet(args)?
        }
        Command::Export(Export::Docx(mut args)) => {
            args.lang = lang;
            exchange_cmd::export_docx(args)?
        }
        Command::Import(Import::Cnil(mut args)) => {
            args.lang = lang;
            exchange_cmd::import_cnil(args)?
        }
        Command::Export(Export::PublicSummary(mut args)) => {
            args.lang = lang;
            pdf_cmd::public_summary(args)?
        }
        Command::Export(Export::HearingNotat(mut args)) => {
            args.lang = lang;
            hearing_cmd::export(args)?
        }
        Command::Export(Export::HearingAnswer(mut args)) => {
            args.notat.lang = lang;
            args.notat.org = Some(args.org);
            hearing_cmd::export(args.notat)?
        }
        Command::Comment(cmd) => hearing_cmd::comment(cmd)?,
        Command::Hearing(cmd) => hearing_cmd::run(cmd)?,
        Command::Sheet(cmd) => sheet_cmd::run(cmd, lang)?,
        Command::Import(Import::Pdf(mut args)) => {
            args.lang = lang;
            pdf_cmd::import(args)?
        }
        Command::Sign(args) => pdf_cmd::sign(args)?,
        Command::Verify(args) => pdf_cmd::verify(args)?,
        Command::Hub(cmd) => hub_cmd::run(cmd)?,
        Command::Sync(args) => hub_cmd::sync(args)?,
        Command::Login(args) => login_cmd::login(args)?,
        Command::Logout => login_cmd::logout()?,
        Command::Release(cmd) => versions_cmd::release(cmd)?,
        Command::Diff(mut args) => {
            args.lang = lang;
            versions_cmd::diff(args)?
        }
        Command::Log(args) => versions_cmd::log(args)?,
        Command::Restore(args) => versions_cmd::restore(args)?,
        Command::Review(args) => versions_cmd::review(args)?,
        Command::Status(args) => versions_cmd::status(args)?,
        Command::Orgs { path } => {
            for p in open(&path)?.view().coordination()?.participants {
                println!("{}\t{}\t{}", p.code.map(|c| c.to_string()).unwrap_or_default(), p.name, p.ref_prefix);
            }
        }
    }
    Ok(())
}

/// A reader that stops early (`konsekvens log … | head`) closes the pipe: the default
/// SIGPIPE action ends the process quietly, as it does `git log | head` and `cat`, where
/// Rust's ignored SIGPIPE would make the next `println!` panic. Not for the commands that
/// talk to the network (`hub serve`, `sync`): a peer closing its socket must be an error
/// there, not the end of the hub (std and tokio send with MSG_NOSIGNAL, but we do not
/// bet the hub on every library doing so).
fn quiet_on_closed_pipe(command: &Command) {
    if matches!(command, Command::Sync(_) | Command::Hub(hub_cmd::HubCommand::Serve { .. })) {
        return;
    }
    #[cfg(unix)]
    // SAFETY: called once, first thing in `main`, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: not an error.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let lang = error_lang(lang_in_args(std::env::args()), |v| std::env::var(v).ok());
            eprintln!("konsekvens: {}", usage_error(&e).text(lang));
            // clap's own lines name the argument and show the usage (in English).
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    quiet_on_closed_pipe(&cli.command);
    let lang = error_lang(cli.lang, |v| std::env::var(v).ok());
    let (exit, e) = match run(cli) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(Failure::Silent(code)) => return ExitCode::from(code),
        Err(Failure::Problem(e)) => (1, e),
        Err(Failure::Input(e)) => (2, e),
    };
    eprintln!("konsekvens: {}", e.text(lang));
    ExitCode::from(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_danish_unless_the_flag_or_an_english_locale_says_otherwise() {
        let env = |pairs: &'static [(&'static str, &'static str)]| move |v: &str| pairs.iter().find(|(k, _)| *k == v).map(|(_, x)| x.to_string());
        assert_eq!(error_lang(None, env(&[])), Lang::Da);
        assert_eq!(error_lang(None, env(&[("LANG", "C.UTF-8")])), Lang::Da);
        assert_eq!(error_lang(None, env(&[("LANG", "en_GB.UTF-8")])), Lang::En);
        assert_eq!(error_lang(None, env(&[("LC_ALL", "da_DK.UTF-8"), ("LANG", "en_US.UTF-8")])), Lang::Da, "LC_ALL wins");
        assert_eq!(error_lang(None, env(&[("LC_ALL", ""), ("LANG", "en_US.UTF-8")])), Lang::En, "an empty variable counts as unset");
        assert_eq!(error_lang(Some(LangArg::Da), env(&[("LANG", "en_US.UTF-8")])), Lang::Da, "the flag wins");
        assert_eq!(error_lang(Some(LangArg::En), env(&[])), Lang::En);
    }

    #[test]
    fn a_refused_call_is_coded_and_worded_in_both_languages() {
        let e = Cli::try_parse_from(["konsekvens", "show", "x.konsekvens", "--bogus"]).err().expect("refused");
        let u = usage_error(&e);
        assert_eq!(u.code, "K-KALD");
        assert!(u.da.starts_with("Ugyldigt kald: ukendt argument") && u.da.contains("--bogus"), "{}", u.da);
        assert!(u.en.starts_with("Invalid call: unknown argument") && u.en.contains("--bogus"), "{}", u.en);
        let e = Cli::try_parse_from(["konsekvens", "check", "x.konsekvens", "--org", "abc"]).err().expect("refused");
        let u = usage_error(&e);
        assert!(u.da.contains("ugyldig værdi «abc»") && u.da.contains("--org"), "{}", u.da);
        let e = Cli::try_parse_from(["konsekvens", "frobnicate"]).err().expect("refused");
        assert!(usage_error(&e).da.contains("ukendt kommando"), "{}", usage_error(&e).da);
    }

    #[test]
    fn the_language_of_a_refused_call_is_read_from_the_raw_arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches!(lang_in_args(args(&["konsekvens", "show", "--lang", "en", "--bogus"])), Some(LangArg::En)));
        assert!(matches!(lang_in_args(args(&["konsekvens", "--lang=da", "x"])), Some(LangArg::Da)));
        assert!(lang_in_args(args(&["konsekvens", "--lang"])).is_none());
        assert!(lang_in_args(args(&["konsekvens", "show", "--bogus"])).is_none());
    }

    #[test]
    fn the_global_lang_flag_is_read_before_and_after_the_subcommand() {
        let cli = Cli::try_parse_from(["konsekvens", "show", "x.konsekvens", "--lang", "en"]).unwrap();
        assert!(matches!(cli.lang, Some(LangArg::En)));
        let cli = Cli::try_parse_from(["konsekvens", "--lang", "en", "check", "x.konsekvens"]).unwrap();
        assert!(matches!(cli.lang, Some(LangArg::En)));
        assert!(Cli::try_parse_from(["konsekvens", "orgs", "x.konsekvens"]).unwrap().lang.is_none());
    }
}
