//! The one shape every error has where it reaches a user (the CLI's stderr, the app's
//! webview): a stable code to branch on, the message in Danish and in English, and what it
//! concerns. Each crate's errors convert into it beside their declaration (`From` impls:
//! here for the core's, in `konsekvens-pdf`, `-exchange` and `-hub` for theirs), so the shells
//! only choose the language.
//!
//! Codes are stable once published (scripts and the UI match on them); the codes older
//! messages carried in their text (`K-CRDT-*`, `K-FIL-*`, `K-SYNC-*`, `K-HUB-*`,
//! `K-RESTORE-*`) are kept. The enums' own `Display` stays as it was: it is the developer's
//! text, which logs and tests read.

use crate::check::Lang;
use crate::doc::guard::GuardError;
use crate::interchange::InterchangeError;
use crate::release::ReleaseError;
use crate::store::StoreError;
use crate::{DocError, WorkspaceError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// An error as a user meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UserError {
    /// Stable, e.g. `K-FIL-FINDES-IKKE`.
    pub code: String,
    /// The message in Danish (the first language).
    pub da: String,
    /// The same in English.
    pub en: String,
    /// What it concerns, where one thing is meant: a file, a document (`supplement/101`), an
    /// item id or reference, a municipality code.
    pub item: Option<String>,
}

impl UserError {
    pub fn new(code: &str, da: impl Into<String>, en: impl Into<String>) -> UserError {
        UserError { code: code.to_owned(), da: da.into(), en: en.into(), item: None }
    }

    /// The same error, concerning `item`.
    pub fn about(mut self, item: impl fmt::Display) -> UserError {
        self.item = Some(item.to_string());
        self
    }

    /// The message alone, in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.da,
            Lang::En => &self.en,
        }
    }

    /// `[CODE] message`, as the CLI prints it.
    pub fn text(&self, lang: Lang) -> String {
        format!("[{}] {}", self.code, self.message(lang))
    }

    /// The same error about a file: both messages lead with its path, and it is the item.
    pub fn in_file(self, path: &Path) -> UserError {
        let p = path.display();
        UserError { da: format!("{p}: {}", self.da), en: format!("{p}: {}", self.en), item: Some(p.to_string()), ..self }
    }

    /// A file that could not be read or written (`K-FIL-IO`); the system's reason is kept.
    pub fn io(path: &Path, e: &std::io::Error) -> UserError {
        let p = path.display();
        let da = match e.kind() {
            std::io::ErrorKind::NotFound => "findes ikke".to_owned(),
            std::io::ErrorKind::PermissionDenied => "adgang nægtet".to_owned(),
            std::io::ErrorKind::AlreadyExists => "findes allerede".to_owned(),
            _ => format!("kan ikke læses eller skrives ({e})"),
        };
        UserError::new("K-FIL-IO", format!("{p}: {da}"), format!("{p}: {e}")).about(p)
    }

    /// A panic caught at the boundary, or a failure that is ours and not the user's.
    pub fn internal(what: impl fmt::Display) -> UserError {
        UserError::new("K-INTERN", format!("Intern fejl: {what}"), format!("Internal error: {what}"))
    }

    /// A date the user typed that is not `YYYY-MM-DD`.
    pub fn bad_day(s: &str) -> UserError {
        UserError::new(
            "K-DATO",
            format!("«{s}» er ikke en dato på formen ÅÅÅÅ-MM-DD"),
            format!("«{s}» is not a date of the form YYYY-MM-DD"),
        )
        .about(s)
    }

    /// A point in the log the user named that cannot be one (`why`: the parser's words).
    pub fn bad_point(s: &str, why: &str) -> UserError {
        UserError::new(
            "K-PUNKT",
            format!("«{s}» er ikke et punkt i loggen; angiv nu, en udgivelse (2025.1), en dato (2026-11-01) eller en logposition (#123)"),
            why.to_owned(),
        )
        .about(s)
    }
}

/// Danish first, as the CLI prints it by default.
impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::Da))
    }
}

impl std::error::Error for UserError {}

/// Parses a date the user typed.
pub fn parse_day(s: &str) -> Result<crate::model::Day, UserError> {
    crate::model::Day::parse(s).map_err(|_| UserError::bad_day(s))
}

/// Parses a point the user typed (`now`, a release, a date, `#123`).
pub fn parse_point(s: &str) -> Result<crate::history::Point, UserError> {
    s.parse().map_err(|why: String| UserError::bad_point(s, &why))
}

/// The model's word in Danish for an item kind as `Item::NAME` spells it in English.
fn kind_da(kind: &str) -> &str {
    match kind {
        "data process" => "databehandlingsproces",
        "module" => "modul",
        "purpose" => "formål",
        "data category" => "oplysningskategori",
        "data-subject category" => "kategori af registrerede",
        "source" => "kilde",
        "recipient" => "modtager",
        "third-country transfer" => "overførsel til tredjeland",
        "processor" => "databehandler",
        "document type" => "dokumenttype",
        "system" => "system",
        "risk" => "risiko",
        "measure" => "foranstaltning",
        "evidence" => "dokumentation",
        "DPO advice" => "rådgivning fra DPO",
        "review" => "revision",
        "risk override" => "lokal risikovurdering",
        "local measure status" => "lokal status for en foranstaltning",
        "not-applicable marking" | "not_applicable" => "markering som ikke relevant",
        "local subject count" => "lokalt antal registrerede",
        "signatory" => "underskriver",
        "signing" => "underskrift",
        "release" => "udgivelse",
        "participant" => "deltager",
        "supplement" => "tillæg",
        other => other,
    }
}

/// Where an item belongs (`DocError::WrongDocument`'s English list of documents) in Danish.
fn allowed_da(allowed: &str) -> String {
    allowed
        .replace("the coordination document", "koordineringsdokumentet")
        .replace("the base", "den fælles basis")
        .replace("a supplement", "et tillæg")
        .replace(" or ", " eller ")
}

impl From<GuardError> for UserError {
    fn from(e: GuardError) -> UserError {
        match &e {
            GuardError::TooDeep { at, max } => UserError::new(
                "K-CRDT-DEPTH",
                format!("ændringen er indlejret mere end {max} niveauer dybt (ved byte {at}) og afvises uden at blive læst; den kommer ikke fra Konsekvens eller en almindelig Yjs-klient"),
                format!("the change nests more than {max} levels deep (at byte {at}) and is refused unread; it does not come from Konsekvens or an ordinary Yjs client"),
            ),
            GuardError::Malformed { at, what } => UserError::new(
                "K-CRDT-MALFORMED",
                format!("ændringen er ikke en gyldig Yjs-opdatering (ved byte {at}: {what}) og afvises"),
                format!("the change is not a valid Yjs update (at byte {at}: {what}) and is refused"),
            ),
        }
    }
}

impl From<DocError> for UserError {
    fn from(e: DocError) -> UserError {
        let en = e.to_string();
        let (code, da, item) = match e {
            DocError::Guard(g) => return g.into(),
            DocError::Shape { path, expected, found } => {
                ("K-DOK-FORM", format!("dokumentet har {found} ved «{path}», hvor der skal stå {expected}"), Some(path))
            }
            DocError::Update(why) => ("K-CRDT-MALFORMED", format!("ændringen er ikke en gyldig Yjs/Yrs-opdatering: {why}"), None),
            DocError::NotFound { kind, id, doc } => {
                ("K-DOK-FINDES-IKKE", format!("der er ingen {} med id {id} i dokumentet {doc}", kind_da(kind)), Some(id))
            }
            DocError::WrongDocument { kind, allowed, doc } => (
                "K-DOK-FORKERT-DOKUMENT",
                format!("en {} hører til i {}, ikke i dokumentet {doc}", kind_da(kind), allowed_da(&allowed)),
                Some(doc),
            ),
            DocError::NoSuchDocument(name) => {
                ("K-DOK-UKENDT", format!("«{name}» er ikke et dokument; brug base, coordination eller supplement/KODE"), Some(name))
            }
            DocError::NoId { kind } => ("K-DOK-ID-MANGLER", format!("en {} skal have et id", kind_da(kind)), None),
            DocError::IdChanged { kind, id } => {
                ("K-DOK-ID-AENDRET", format!("id'et på {} {id} kan ikke ændres", kind_da(kind)), Some(id))
            }
            DocError::BadValue { what, path, message } => {
                ("K-DOK-VAERDI", format!("{what}: værdien ved «{path}» passer ikke ({message})"), Some(path))
            }
            DocError::NotCreatedEmpty { kind } => (
                "K-DOK-IKKE-TOM",
                format!("en {} laves ud fra et punkt i den fælles basis, ikke tom", kind_da(kind)),
                None,
            ),
            DocError::NoOrgCode { what } => ("K-DOK-KOMMUNEKODE", format!("en {} skal have en kommunekode (a {what} needs a municipality code)", kind_da(what)), None),
            DocError::NoSuchReference(r) => ("K-DOK-REFERENCE", format!("intet punkt har referencen {r}"), Some(r)),
            DocError::Unreadable { point, message } => {
                ("K-DOK-ULAESELIG", format!("indholdet ved {point} kan ikke læses tilbage: {message}"), None)
            }
        };
        UserError { code: code.into(), da, en, item }
    }
}

impl From<StoreError> for UserError {
    fn from(e: StoreError) -> UserError {
        let en = e.to_string();
        let (code, da, path) = match &e {
            StoreError::Missing { path } => ("K-FIL-FINDES-IKKE", format!("{}: arbejdsfilen findes ikke (no such workspace file)", path.display()), Some(path)),
            StoreError::Exists { path } => (
                "K-FIL-FINDES",
                format!("{}: der findes allerede en fil; vælg et andet navn, eller fjern den først (a file already exists there)", path.display()),
                Some(path),
            ),
            StoreError::NotAWorkspace { path, why } => (
                "K-FIL-IKKE-ARBEJDSFIL",
                format!("{}: ikke en arbejdsfil fra Konsekvens ({why}) (not a Konsekvens workspace)", path.display()),
                Some(path),
            ),
            StoreError::Newer { path, found, supported } => (
                "K-FIL-NYERE",
                format!("{}: skrevet af en nyere Konsekvens (arbejdsfilens skema {found}; denne version læser op til {supported}). Opdatér Konsekvens; filen er ikke ændret", path.display()),
                Some(path),
            ),
            StoreError::Damaged { path, why } => (
                "K-FIL-SKADET",
                format!("{}: arbejdsfilen er beskadiget ({why}); filen er ikke ændret (damaged workspace)", path.display()),
                Some(path),
            ),
            StoreError::Integrity { path, row } => (
                "K-FIL-INTEGRITET",
                format!("{}: arbejdsfilen er beskadiget: {row} matcher ikke sin kontrolsum (indholdet er ændret efter det blev gemt, fx ved en diskfejl). Intet er ændret i filen; gendan den fra en sikkerhedskopi, eller hent dokumentet igen fra hubben med `konsekvens sync --new`", path.display()),
                Some(path),
            ),
            StoreError::Sql(inner) => ("K-FIL-DATABASE", format!("arbejdsfilens database: {inner}"), None),
        };
        // Integrity's Display is the Danish (with its code); the others' is the English.
        let en = match &e {
            StoreError::Integrity { path, row } => format!("{}: the workspace file is damaged: {row} does not match its checksum (changed after it was saved, e.g. by a disk fault). Nothing in the file was changed; restore it from a backup, or fetch the document again from the hub with `konsekvens sync --new`", path.display()),
            _ => en,
        };
        UserError { code: code.into(), da, en, item: path.map(|p| p.display().to_string()) }
    }
}

impl From<ReleaseError> for UserError {
    fn from(e: ReleaseError) -> UserError {
        let en = e.to_string();
        let (code, da, item) = match e {
            ReleaseError::NoName => ("K-UDG-NAVN", "en udgivelse skal have et navn (fx 2026.1)".to_owned(), None),
            ReleaseError::Exists(name) => (
                "K-UDG-FINDES",
                format!("udgivelsen «{name}» findes allerede; en udgivelse udgives én gang og ændres aldrig — vælg et andet navn"),
                Some(name),
            ),
            ReleaseError::Unknown(name, known) => (
                "K-UDG-UKENDT",
                format!("der er ingen udgivelse «{name}» i denne arbejdsfil; synkronisér med hubben for at hente den, eller vælg en af: {known}"),
                Some(name),
            ),
            ReleaseError::Damaged { name, why } => ("K-UDG-SKADET", format!("udgivelsen «{name}» er beskadiget: {why}"), Some(name)),
            ReleaseError::DuplicateReference { reference, first, second } => (
                "K-UDG-REFERENCE-DUBLET",
                format!("referencen {reference} bruges af både {first} og {second}; giv en af dem en ny reference før udgivelsen (referencer ligger fast, når de er udgivet)"),
                Some(reference.to_string()),
            ),
            ReleaseError::Renumbered { id, release, released, now } => (
                "K-UDG-OMNUMMERERET",
                format!("{id} var {released} i udgivelsen «{release}» og er nu {now}; en udgivet reference omnummereres aldrig — ret den tilbage til {released}"),
                Some(id.to_string()),
            ),
        };
        UserError { code: code.into(), da, en, item }
    }
}

impl From<InterchangeError> for UserError {
    fn from(e: InterchangeError) -> UserError {
        let en = e.to_string();
        let (code, da, item) = match e {
            InterchangeError::Syntax { line, column, message } => (
                "K-JSON-SYNTAKS",
                format!("ikke gyldig JSON i linje {line}, kolonne {column}: {message} (not valid JSON at line {line}, column {column})"),
                None,
            ),
            // The serde detail is English; it is quoted as it reads (scripts search for it).
            InterchangeError::Shape { path, message } => ("K-JSON-FORM", format!("filen passer ikke til formatet (at {path}: {message})"), Some(path)),
            InterchangeError::Format(found) => (
                "K-JSON-FORMAT",
                format!("filen er ikke en fælles konsekvensanalyse fra Konsekvens (formatet er «{found}», ikke «{}»)", crate::interchange::FORMAT),
                None,
            ),
            InterchangeError::Newer(v) => (
                "K-JSON-NYERE",
                format!("skrevet af en nyere Konsekvens (formatversion {v}; denne version læser op til {})", crate::interchange::VERSION),
                None,
            ),
            InterchangeError::Supplement { index, message } => {
                ("K-JSON-TILLAEG", format!("tillæg nr. {} (supplements[{index}]): {message}", index + 1), Some(format!("supplements[{index}]")))
            }
            InterchangeError::Unknown { path, field } => {
                ("K-JSON-UKENDT-FELT", format!("ved {path}: feltet «{field}» findes ikke i formatet"), Some(path))
            }
            InterchangeError::Missing { path, field } => {
                ("K-JSON-MANGLER", format!("ved {path}: det påkrævede felt «{field}» mangler"), Some(path))
            }
            InterchangeError::Dangling { path, id, .. } => {
                ("K-JSON-HENVISNING", format!("ved {path}: «{id}» er ikke id for noget element, henvisningen peger ud i ingenting"), Some(path))
            }
            InterchangeError::Duplicate { path, id } => {
                ("K-JSON-DUBLET", format!("ved {path}: id'et «{id}» bruges to gange"), Some(path))
            }
            InterchangeError::Hearing { path, da, .. } => ("K-JSON-HOERING", format!("ved {path}: {da}"), Some(path)),
        };
        UserError { code: code.into(), da, en, item }
    }
}

impl From<WorkspaceError> for UserError {
    fn from(e: WorkspaceError) -> UserError {
        let en = e.to_string();
        match e {
            WorkspaceError::Store(s) => s.into(),
            WorkspaceError::Release(r) => r.into(),
            WorkspaceError::Doc { doc, source } => {
                let inner = UserError::from(source);
                UserError {
                    da: format!("dokumentet {doc}: {}", inner.da),
                    en: format!("document {doc}: {}", inner.en),
                    item: inner.item.or(Some(doc)),
                    ..inner
                }
            }
            WorkspaceError::DamagedUpdate { path, doc, seq, reason } => UserError::new(
                "K-FIL-SKADET",
                format!("{}: opdatering nr. {seq} i loggen (dokument {doc}) kan ikke læses: {reason}. Filen er ikke ændret; gendan den fra en sikkerhedskopi, eller hent dokumentet igen fra hubben med `konsekvens sync --new`", path.display()),
                format!("{}: update no. {seq} in the log (document {doc}) cannot be read: {reason}. The file was not changed; restore it from a backup, or fetch the document again from the hub with `konsekvens sync --new`", path.display()),
            )
            .about(path.display()),
            WorkspaceError::DamagedSnapshot { path, doc, reason } => UserError::new(
                "K-FIL-SKADET",
                format!("{}: øjebliksbilledet af dokumentet {doc} kan ikke læses: {reason}. Filen er ikke ændret; gendan den fra en sikkerhedskopi", path.display()),
                format!("{}: the snapshot of document {doc} cannot be read: {reason}. The file was not changed; restore it from a backup", path.display()),
            )
            .about(path.display()),
            WorkspaceError::UnknownDocument { path, doc } => UserError::new(
                "K-FIL-UKENDT-DOKUMENT",
                format!("{}: arbejdsfilen nævner et ukendt dokument «{doc}»", path.display()),
                en,
            )
            .about(path.display()),
            WorkspaceError::UnknownOrg(code) => UserError::new(
                "K-ORG-UKENDT",
                format!("kommune {code} deltager ikke i denne fælles konsekvensanalyse"),
                en,
            )
            .about(code),
            WorkspaceError::DuplicateOrg(code) => UserError::new(
                "K-ORG-FINDES",
                format!("kommune {code} deltager allerede i denne fælles konsekvensanalyse"),
                en,
            )
            .about(code),
            WorkspaceError::Io { path, source } => UserError::io(&path, &source),
            WorkspaceError::Restore { code, message } => {
                // Written as "dansk / English" (the CLI printed both).
                let (da, en) = message.split_once(" / ").map(|(d, e)| (d.to_owned(), e.to_owned())).unwrap_or((message.clone(), message));
                UserError::new(code, da, en)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrgCode;
    use std::path::PathBuf;

    #[test]
    fn every_message_is_in_both_languages_and_keeps_the_old_codes() {
        let cases: Vec<UserError> = vec![
            StoreError::Missing { path: PathBuf::from("/x.konsekvens") }.into(),
            WorkspaceError::UnknownOrg(OrgCode(999)).into(),
            WorkspaceError::Doc { doc: "base".into(), source: DocError::NoSuchDocument("supplement/xyz".into()) }.into(),
            GuardError::TooDeep { at: 3, max: 48 }.into(),
            ReleaseError::Exists("2026.1".into()).into(),
            InterchangeError::Newer(9).into(),
        ];
        for e in &cases {
            assert!(e.code.starts_with("K-"), "{e:?}");
            assert!(!e.da.is_empty() && !e.en.is_empty() && e.da != e.en, "{e:?}");
            assert!(!e.da.contains("[K-") && !e.en.contains("[K-"), "the code is not repeated in the message: {e:?}");
        }
        assert_eq!(cases[0].item.as_deref(), Some("/x.konsekvens"));
        assert!(cases[1].da.contains("kommune 999 deltager ikke"), "{:?}", cases[1]);
        assert_eq!(cases[1].item.as_deref(), Some("999"));
        assert_eq!(cases[2].code, "K-DOK-UKENDT");
        assert!(cases[2].en.contains("names no document"), "the English is the core's own text: {:?}", cases[2]);
        assert_eq!(cases[3].code, "K-CRDT-DEPTH");
        assert_eq!(cases[4].text(Lang::En), "[K-UDG-FINDES] release «2026.1» exists already; a release is published once and never changed — choose another name");
    }

    #[test]
    fn a_restoration_refused_keeps_its_code_and_splits_its_languages() {
        let e: UserError = WorkspaceError::Restore { code: "K-RESTORE-NO-POINT", message: "ikke et punkt / not a point".into() }.into();
        assert_eq!((e.code.as_str(), e.da.as_str(), e.en.as_str()), ("K-RESTORE-NO-POINT", "ikke et punkt", "not a point"));
    }

    #[test]
    fn dates_and_points_typed_by_the_user_are_refused_with_codes() {
        assert_eq!(parse_day("2026-13-01").unwrap_err().code, "K-DATO");
        assert!(parse_day("2026-12-01").is_ok());
        let e = parse_point("#x").unwrap_err();
        assert_eq!(e.code, "K-PUNKT");
        assert!(e.en.contains("not a log position"), "{e:?}");
    }
}
