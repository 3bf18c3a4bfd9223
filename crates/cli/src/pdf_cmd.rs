//! `konsekvens export pdf`, `konsekvens sign`, `konsekvens verify`.

use crate::paths;
use crate::{author, env, open, read_input, today, write_atomically, ExportArgs, Failure, LangArg};
use clap::Args;
use konsekvens_core::model::OrgCode;
use konsekvens_core::{diff, record, usecase, UserError, Workspace};
use konsekvens_pdf::{SignMeta, SignatureProblem, VerifyError};
use std::path::PathBuf;

#[derive(Args)]
pub struct SignArgs {
    /// The PDF to sign (left untouched)
    input: PathBuf,
    /// PKCS#12 file with the signer's key and certificate (AES or legacy encoding)
    #[arg(long)]
    p12: PathBuf,
    /// File whose first line is the .p12 password
    #[arg(long)]
    password_file: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// Signer's name (default: the certificate's common name)
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    #[arg(long)]
    location: Option<String>,
    /// RFC 3161 time-stamping service (http:// or https://): the signature gets a signature
    /// timestamp from it (PAdES B-T); without an answer that checks out nothing is written
    #[arg(long, value_name = "URL")]
    tsa: Option<String>,
    /// PAdES baseline level: b-b (the signature), b-t (and a signature timestamp: needs
    /// --tsa), b-lt (and the certificates' OCSP responses or CRLs, fetched from their AIA/CDP,
    /// in the DSS), b-lta (and a document timestamp over it all). Default: b-t with --tsa,
    /// else b-b
    #[arg(long, value_enum)]
    level: Option<LevelArg>,
    /// Record the signing in this workspace (as the app does): in the supplement of --org,
    /// with --capacity, today's date, the bound base release and the signed PDF's SHA-256
    #[arg(long, requires_all = ["org", "capacity"])]
    record: Option<PathBuf>,
    /// The municipality whose DPIA is signed (with --record)
    #[arg(long, requires = "record")]
    org: Option<OrgCode>,
    /// In which capacity the signer signs, e.g. Direktør (with --record)
    #[arg(long, requires = "record")]
    capacity: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LevelArg {
    #[value(name = "b-b")]
    BB,
    #[value(name = "b-t")]
    BT,
    #[value(name = "b-lt")]
    BLt,
    #[value(name = "b-lta")]
    BLta,
}

impl From<LevelArg> for konsekvens_pdf::Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::BB => konsekvens_pdf::Level::BB,
            LevelArg::BT => konsekvens_pdf::Level::BT,
            LevelArg::BLt => konsekvens_pdf::Level::BLt,
            LevelArg::BLta => konsekvens_pdf::Level::BLta,
        }
    }
}

#[derive(Args)]
pub struct VerifyArgs {
    file: PathBuf,
    /// Trust anchor certificate (PEM or DER); repeat for several
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Validate as at this time instead of now: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).
    /// A signature whose certificate has expired by then holds only as B-LT or B-LTA
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<i64>,
}

/// YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SSZ → unix seconds.
fn parse_time(s: &str) -> Result<i64, String> {
    let bad = || format!("«{s}» er ikke et tidspunkt på formen ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DDTTT:MM:SSZ (UTC)");
    let (date, clock) = match s.split_once('T') {
        Some((d, c)) => (d, Some(c.strip_suffix('Z').ok_or_else(bad)?)),
        None => (s, None),
    };
    let n: Vec<&str> = date.split('-').collect();
    let [y, m, d] = n.as_slice() else { return Err(bad()) };
    let num = |x: &str| x.parse::<u32>().map_err(|_| bad());
    let month = time::Month::try_from(num(m)? as u8).map_err(|_| bad())?;
    let day = time::Date::from_calendar_date(num(y)? as i32, month, num(d)? as u8).map_err(|_| bad())?;
    let (h, mi, se) = match clock {
        None => (0, 0, 0),
        Some(c) => {
            let p: Vec<&str> = c.split(':').collect();
            let [h, mi, se] = p.as_slice() else { return Err(bad()) };
            (num(h)?, num(mi)?, num(se)?)
        }
    };
    let t = day.with_hms(h as u8, mi as u8, se as u8).map_err(|_| bad())?;
    Ok(t.assume_utc().unix_timestamp())
}

pub fn export(a: ExportArgs) -> Result<(), Failure> {
    // (ExportArgs::open refuses an --out that names the workspace)
    let (ws, org) = a.open()?;
    let (dpia, opts) = konsekvens_pdf::document_for(&ws, org, a.lang.into(), today())?;
    let files = konsekvens_pdf::record_attachments(&ws, org, a.lang.into(), today())?;
    let pdf = konsekvens_pdf::render_with(&dpia, &opts, &files).map_err(Failure::problem)?;
    a.write(&pdf)
}

/// The public summary's file format.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Pdf,
    Html,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["org", "base"]))]
pub struct PublicSummaryArgs {
    path: PathBuf,
    /// The municipality whose effective DPIA to summarise
    #[arg(long)]
    org: Option<OrgCode>,
    /// The joint base (for the coordinator)
    #[arg(long)]
    base: bool,
    /// Where to write it (without it, --show-omissions only lists what would be left out)
    #[arg(long, required_unless_present = "show_omissions")]
    out: Option<PathBuf>,
    /// pdf or html (default: from --out's extension, else pdf)
    #[arg(long, value_enum)]
    format: Option<SummaryFormat>,
    /// List, item by item, what the summary leaves out (on stdout)
    #[arg(long)]
    show_omissions: bool,
    #[arg(skip)]
    pub lang: LangArg,
}

/// `export public-summary`: the summary built from the same effective DPIA as `export pdf`,
/// as PDF/A (no DPIA data embedded: the JSON holds everything the summary leaves out) or HTML.
pub fn public_summary(a: PublicSummaryArgs) -> Result<(), Failure> {
    if let Some(out) = &a.out {
        paths::refuse_onto(out, &paths::workspace_files(&a.path))?;
    }
    let ws = open(&a.path)?;
    let org = if a.base { None } else { a.org };
    let lang = a.lang.into();
    let summary = konsekvens_core::report::public_summary_for(&ws, org, lang, today())?;
    if a.show_omissions {
        print!("{}", summary.withheld_text(lang));
    }
    let Some(out) = &a.out else { return Ok(()) };
    let html = match a.format {
        Some(f) => f == SummaryFormat::Html,
        None => out.extension().is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")),
    };
    let bytes = if html {
        konsekvens_exchange::html::render_report(&summary.report).into_bytes()
    } else {
        konsekvens_pdf::render_report(&summary.report).map_err(Failure::problem)?
    };
    write_atomically(out, &bytes)?;
    let categories = summary.withheld.len();
    eprintln!(
        "Skrev {} ({} KiB); udeladt: {} elementer i {categories} {} (vis dem med --show-omissions)",
        out.display(),
        bytes.len() / 1024,
        summary.withheld_count(),
        if categories == 1 { "kategori" } else { "kategorier" }
    );
    Ok(())
}

#[derive(Args)]
pub struct ImportPdfArgs {
    /// A PDF exported (and signed) by Konsekvens
    file: PathBuf,
    /// Import the DPIA it carries into a new workspace here
    #[arg(long, conflicts_with = "compare", required_unless_present = "compare")]
    out: Option<PathBuf>,
    /// Instead, compare it with this workspace's DPIA as it is now: what changed since it was signed?
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Trust anchor certificate (PEM or DER) the signatures must chain to; repeat for several
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Accept a PDF that carries no signature at all (an unsigned export)
    #[arg(long)]
    unsigned: bool,
    #[arg(skip)]
    pub lang: LangArg,
}

/// `import pdf`: the signatures first (nothing is read from a PDF whose signed bytes were
/// changed or that has unsigned additions), then the embedded interchange JSON.
pub fn import(a: ImportPdfArgs) -> Result<(), Failure> {
    if let Some(out) = &a.out {
        paths::refuse_output_onto_input(out, &[paths::Input::new("PDF'en", &a.file)])?;
    }
    let pdf = read_input(&a.file)?;
    let anchors = a.trust.iter().map(|p| read_input(p)).collect::<Result<Vec<_>, _>>()?;
    match konsekvens_pdf::verify(&pdf, &anchors) {
        Ok(report) if report.ok() => {
            for s in &report.signatures {
                eprintln!("Signatur gyldig: {} ({})", if s.signer.is_empty() { "(ukendt underskriver)" } else { &s.signer }, s.claimed_time_utc());
            }
        }
        Ok(_) => {
            return Err(Failure::problem(
                UserError::new(
                    "K-PDF-IMPORT-UGYLDIG",
                    "PDF'ens underskrift er ikke gyldig (ændret, ikke betroet eller med usigneret indhold efter sig); intet er indlæst — se «konsekvens verify»",
                    "the PDF's signature is not valid (changed, not trusted or followed by unsigned content); nothing was imported — see «konsekvens verify»",
                )
                .in_file(&a.file),
            ))
        }
        Err(VerifyError::NoSignatures) if a.unsigned => eprintln!("Bemærk: PDF'en er ikke underskrevet"),
        Err(VerifyError::NoSignatures) => {
            return Err(Failure::problem(
                UserError::new(
                    "K-PDF-IMPORT-USIGNERET",
                    "PDF'en er ikke underskrevet; brug --unsigned for at indlæse den alligevel",
                    "the PDF is not signed; use --unsigned to import it anyway",
                )
                .in_file(&a.file),
            ))
        }
        Err(e) => {
            let file = match &e {
                VerifyError::BadTrustAnchor { index, .. } => a.trust[*index].clone(),
                _ => a.file.clone(),
            };
            return Err(Failure::Input(UserError::from(e).in_file(&file)));
        }
    }
    let files = konsekvens_pdf::attachments(&pdf).map_err(|e| Failure::Input(UserError::from(e).in_file(&a.file)))?;
    let Some(data) = files.iter().find(|f| f.name == record::DPIA_FILE) else {
        return Err(Failure::Input(
            UserError::new(
                "K-PDF-INGEN-DATA",
                format!("PDF'en indeholder ingen {} — den er ikke dannet af Konsekvens (eller af en ældre version)", record::DPIA_FILE),
                format!("the PDF carries no {} — it was not made by Konsekvens (or by an older version)", record::DPIA_FILE),
            )
            .in_file(&a.file),
        ));
    };
    let rec = record::Record::read(&data.bytes).map_err(|e| Failure::Input(e.in_file(&a.file)))?;
    let whose = match rec.org {
        Some(code) => format!("kommune {code}"),
        None => "den fælles basis".into(),
    };
    if let Some(out) = &a.out {
        let f = &rec.file;
        Workspace::create_with(out, env(), &author(), &f.coordination, &f.base, &f.supplements)?;
        eprintln!("Importerede konsekvensanalysen ({whose}) fra {} til {}", a.file.display(), out.display());
    } else if let Some(path) = &a.compare {
        let ws = open(path)?;
        let comparison = record::changes_since(&ws.view(), &rec, a.lang.into()).map_err(Failure::Input)?;
        print!("{}", diff::render(&comparison, matches!(a.lang, LangArg::En)));
    }
    Ok(())
}

pub fn sign(a: SignArgs) -> Result<(), Failure> {
    let mut inputs = vec![("PDF'en der underskrives", a.input.clone()), (".p12-filen", a.p12.clone()), ("adgangskodefilen", a.password_file.clone())];
    if let Some(ws) = &a.record {
        inputs.extend(paths::workspace_files(ws));
    }
    paths::refuse_onto(&a.out, &inputs)?;
    let pdf = read_input(&a.input)?;
    let p12 = read_input(&a.p12)?;
    let password = String::from_utf8(read_input(&a.password_file)?)
        .map_err(|_| {
            Failure::Input(
                UserError::new("K-FIL-IKKE-UTF8", "adgangskodefilen er ikke UTF-8-tekst", "the password file is not UTF-8 text").in_file(&a.password_file),
            )
        })?;
    let password = first_line(&password);
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // Opened before signing: a workspace that cannot take the record stops the signing.
    let mut record = match (&a.record, a.org, &a.capacity) {
        (Some(path), Some(org), Some(capacity)) => {
            let ws = open(path)?;
            ws.view().supplement(org)?; // a municipality that does not take part: refused before signing
            Some((ws, org, capacity.clone()))
        }
        _ => None,
    };
    let meta = SignMeta { name: a.name.clone(), reason: a.reason, location: a.location, contact: None, time };
    let level = a.level.map(konsekvens_pdf::Level::from).unwrap_or(if a.tsa.is_some() { konsekvens_pdf::Level::BT } else { konsekvens_pdf::Level::BB });
    let tsa = a.tsa.clone().map(konsekvens_pdf::Tsa::new);
    let signed = konsekvens_pdf::sign_at_level(&pdf, &p12, password, &meta, level, tsa.as_ref(), &konsekvens_pdf::Fetch::default());
    let signed = signed.map_err(|e| {
        let file = if e.concerns_p12() { &a.p12 } else { &a.input };
        Failure::Input(UserError::from(e).in_file(file))
    })?;
    write_atomically(&a.out, &signed)?;
    eprintln!("Underskrev {} → {}", a.input.display(), a.out.display());
    if let Some((ws, org, capacity)) = record.as_mut() {
        let author = author();
        let signer = a.name.clone().unwrap_or_else(|| author.name.clone());
        let signing = usecase::record_signing(ws, *org, &signer, capacity, &signed, &author)?;
        eprintln!("Registrerede underskriften i {} (kommune {org}, {})", ws.path().display(), signing.date.map(|d| d.danish()).unwrap_or_default());
    }
    Ok(())
}

fn utc(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|t| format!("{}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second()))
        .unwrap_or_else(|_| t.to_string())
}

pub fn verify(a: VerifyArgs) -> Result<(), Failure> {
    let pdf = read_input(&a.file)?;
    let anchors = a.trust.iter().map(|p| read_input(p)).collect::<Result<Vec<_>, _>>()?;
    let at = a.at.unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0));
    let report = konsekvens_pdf::verify_at(&pdf, &anchors, at).map_err(|e| {
        let file = match &e {
            VerifyError::BadTrustAnchor { index, .. } => &a.trust[*index],
            _ => &a.file,
        };
        // an unsigned PDF was read fine: what it says is the problem (exit 1, not 2)
        let unsigned = matches!(e, VerifyError::NoSignatures);
        let e = UserError::from(e).in_file(file);
        if unsigned {
            Failure::Problem(e)
        } else {
            Failure::Input(e)
        }
    })?;
    for (i, s) in report.signatures.iter().enumerate() {
        println!("Signatur {}: {}", i + 1, if s.signer.is_empty() { "(ukendt underskriver)" } else { &s.signer });
        if !s.subject.is_empty() {
            println!("  certifikat: {} (udstedt af {})", s.subject, s.issuer);
        }
        println!("  angivet tidspunkt: {}", s.claimed_time_utc());
        if let Some(r) = &s.reason {
            println!("  begrundelse: {r}");
        }
        if let Some(l) = &s.location {
            println!("  sted: {l}");
        }
        match &s.problem {
            None => println!("  indhold: uændret (signaturen er gyldig)"),
            Some(p @ SignatureProblem::DigestMismatch) => println!("  indhold: ÆNDRET — {}", p.danish()),
            Some(p) => println!("  indhold: UGYLDIG SIGNATUR — {}", p.danish()),
        }
        if s.cert_valid_at_time == Some(false) {
            println!("  certifikatet var ikke gyldigt på det angivne tidspunkt");
        }
        match s.trusted {
            Some(true) => println!("  tillid: certifikatkæden når et betroet rodcertifikat"),
            Some(false) => println!("  tillid: IKKE betroet — kæden når ingen af de angivne rodcertifikater"),
            None if a.trust.is_empty() => println!("  tillid: ikke undersøgt (angiv --trust CA.pem)"),
            None => println!("  tillid: kan ikke afgøres — signaturens certifikat kan ikke læses"),
        }
        if let Some(t) = &s.timestamp {
            println!("  tidsstempel: {} fra {}", t.time_utc(), if t.tsa.is_empty() { "(ukendt tjeneste)" } else { &t.tsa });
            match &t.problem {
                None => println!("  tidsstemplets aftryk: passer med signaturværdien"),
                Some((_, da)) => println!("  tidsstempel: UGYLDIGT — {da}"),
            }
            match t.trusted {
                Some(true) => println!("  tidsstemplets tillid: kæden når et betroet rodcertifikat"),
                Some(false) => println!("  tidsstemplets tillid: IKKE betroet — kæden når ingen af de angivne rodcertifikater"),
                None => {}
            }
        }
        for c in &s.revocation {
            match (c.source, c.revoked_at) {
                (_, Some(t)) => println!("  spærrestatus: {} SPÆRRET {} ({})", c.subject, utc(t), c.source.unwrap_or("")),
                (Some(src), None) => println!("  spærrestatus: {} ikke spærret ({src} i DSS)", c.subject),
                (None, None) => println!("  spærrestatus: {} — intet i DSS", c.subject),
            }
        }
        if s.cert_valid_at_validation == Some(false) {
            println!("  certifikatet er udløbet på valideringstidspunktet {}", utc(report.validation_time));
        }
        if let Some((_, da)) = &s.long_term_problem {
            println!("  langtidsgyldighed: IKKE GYLDIG — {da}");
        }
        if let Some(level) = s.level() {
            println!("  niveau: {level}");
        }
        if let Some(ap) = &s.appended {
            let by = if ap.signed_by_later { "dækket af en senere signatur" } else { "IKKE dækket af nogen signatur" };
            println!("  tilføjet efter: {} byte ({}; {by})", ap.bytes, ap.objects.join(", "));
        }
    }
    for (i, t) in report.document_timestamps.iter().enumerate() {
        println!("Dokumenttidsstempel {}: {} fra {}", i + 1, t.time_utc(), if t.tsa.is_empty() { "(ukendt tjeneste)" } else { &t.tsa });
        match &t.problem {
            None => println!("  indhold: uændret (tidsstemplet dækker filen til byte {})", t.covers),
            Some((_, da)) => println!("  UGYLDIGT — {da}"),
        }
        match t.trusted {
            Some(true) => println!("  tillid: kæden når et betroet rodcertifikat"),
            Some(false) => println!("  tillid: IKKE betroet — kæden når ingen af de angivne rodcertifikater"),
            None => {}
        }
        if !t.cert_valid_at_validation {
            println!("  tidsstemplingstjenestens certifikat er ikke gyldigt på valideringstidspunktet");
        }
    }
    if report.unsigned_tail > 0 && report.tail_is_validation_data {
        println!("Efter sidste signatur: {} byte valideringsdata (DSS: certifikater og spærreoplysninger, intet synligt indhold)", report.unsigned_tail);
    } else if report.unsigned_tail > 0 {
        println!("Usigneret tilføjelse efter sidste signatur: {} byte", report.unsigned_tail);
    }
    if report.ok() {
        println!("Resultat: alle signaturer er gyldige");
        Ok(())
    } else {
        println!("Resultat: IKKE GYLDIG");
        Err(Failure::Silent(1))
    }
}

/// The password: the file's first line, as a Windows editor saves it too — Notepad's
/// «UTF-8 with BOM» (a byte order mark is not part of the password), CRLF, or a lone CR.
fn first_line(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split(['\n', '\r']).next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn a_password_file_from_a_windows_editor_gives_the_same_password() {
        for text in ["hemmelig æøå\n", "hemmelig æøå\r\n", "\u{feff}hemmelig æøå\r\n", "hemmelig æøå", "hemmelig æøå\rnæste", "hemmelig æøå\r\nanden linje\r\n"] {
            assert_eq!(first_line(text), "hemmelig æøå", "{text:?}");
        }
        // Spaces belong to the password; only the line end and the BOM are not.
        assert_eq!(first_line(" med mellemrum \r\n"), " med mellemrum ");
        assert_eq!(first_line(""), "");
    }
}
