//! The exchange crate's errors as users meet them ([`UserError`]): a stable code, Danish and
//! English. The English is each error's `Display`; the Danish is written here. Codes that
//! were already in the messages (`K-FIL-*`) are kept.

use crate::cnil::CnilError;
use crate::docx::DocxError;
use crate::import::ImportError;
use crate::limits::{LimitError, ReadError};
use crate::mapping::MappingError;
use crate::parse::LayoutError;
use crate::sheet::SheetError;
use konsekvens_core::UserError;
use std::path::Path;

/// A message whose `Display` leads with `[CODE] `, without it.
fn uncoded(s: String) -> String {
    match s.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        Some((_, rest)) => rest.to_owned(),
        None => s,
    }
}

/// The Danish message with the English after it, in parentheses: scripts search for the
/// English wording, and serde details are English.
fn glossed(da: String, en: &str) -> String {
    format!("{da}\n({en})")
}

fn file(path: &Path) -> String {
    path.display().to_string()
}

impl From<LimitError> for UserError {
    fn from(e: LimitError) -> UserError {
        // Danish is the Display (with its code); the English is written here.
        let da = uncoded(e.to_string());
        let (code, en, path) = match &e {
            LimitError::FileTooLarge { path, limit } => (
                "K-FIL-FOR-STOR",
                format!("{}: the file is larger than the {limit} bytes that are read at most. Nothing was imported; split the file, or remove what is not to be imported.", path.display()),
                path,
            ),
            LimitError::Inflates { path, entry, limit, what } => (
                "K-FIL-ZIP-BOMBE",
                format!("{}: the part «{entry}» of the file unpacks to more than {limit} bytes ({what}). The file is damaged or made to exhaust memory; nothing was imported. Save the sheet again in Excel or LibreOffice, and import the new file.", path.display()),
                path,
            ),
            LimitError::TooManyEntries { path, limit } => (
                "K-FIL-ZIP-BOMBE",
                format!("{}: the file has more than {limit} parts (a spreadsheet has few). Nothing was imported; save the sheet again, and import the new file.", path.display()),
                path,
            ),
            LimitError::SheetTooLarge { path, sheet, rows, columns, limit } => (
                "K-FIL-ARK-FOR-STORT",
                format!("{}: the sheet «{sheet}» spans {rows} rows × {columns} columns (to the last filled cell); at most {limit} cells can be imported. Nothing was imported; delete the cells far outside the table, and save the sheet again.", path.display()),
                path,
            ),
            LimitError::Unreadable { path, entry, reason } => (
                "K-FIL-BESKADIGET",
                format!("{}: the part «{entry}» of the file cannot be read ({reason}); the file is damaged. Nothing was imported; save the sheet again in Excel or LibreOffice, and import the new file.", path.display()),
                path,
            ),
        };
        UserError::new(code, da, en).about(file(path))
    }
}

impl From<ReadError> for UserError {
    fn from(e: ReadError) -> UserError {
        match e {
            ReadError::Io { path, source } => UserError::io(&path, &source),
            ReadError::NotUtf8 { path } => UserError::new(
                "K-FIL-IKKE-UTF8",
                format!("{}: filen er ikke UTF-8-tekst; gem den som UTF-8, og prøv igen.", path.display()),
                format!("{}: the file is not UTF-8 text; save it as UTF-8, and try again.", path.display()),
            )
            .about(file(&path)),
            ReadError::Limit(l) => l.into(),
        }
    }
}

impl From<SheetError> for UserError {
    fn from(e: SheetError) -> UserError {
        let en = e.to_string();
        let (code, da, path) = match e {
            SheetError::Io { path, source } => return UserError::io(&path, &source),
            SheetError::Limit(l) => return l.into(),
            SheetError::Unsupported { path } => ("K-ARK-FILTYPE", "kun .xlsx-, .ods- og .csv-filer kan importeres".to_owned(), path),
            SheetError::Password { path } => (
                "K-ARK-ADGANGSKODE",
                "projektmappen er beskyttet med adgangskode (krypteret); gem en kopi uden adgangskode, og importér den".to_owned(),
                path,
            ),
            SheetError::Corrupt { path, format, reason } => (
                "K-ARK-ULAESELIG",
                format!("ikke en læsbar {format}-fil ({reason}); den er måske beskadiget, eller en anden slags fil med det navn"),
                path,
            ),
            SheetError::Csv { path, row, reason } => ("K-ARK-CSV", format!("række {row}: {reason}"), path),
            SheetError::Encoding { path, row, column } => (
                "K-ARK-TEGNSAET",
                format!("række {row}, kolonne {column} er ikke UTF-8-tekst; gem arket som «CSV UTF-8», og importér det"),
                path,
            ),
            SheetError::NoSuchSheet { path, name, available } => {
                ("K-ARK-INTET-ARK", format!("projektmappen har intet ark «{name}» (den har {available})"), path)
            }
            SheetError::NoSheets { path } => ("K-ARK-INGEN-ARK", "projektmappen har ingen ark".to_owned(), path),
        };
        let da = glossed(format!("{}: {da}", path.display()), &en);
        UserError::new(code, da, en).about(file(&path))
    }
}

impl From<MappingError> for UserError {
    fn from(e: MappingError) -> UserError {
        let en = e.to_string();
        let (code, da, path) = match e {
            MappingError::Io { path, source } => return UserError::io(&path, &source),
            MappingError::Syntax { path, line, column, message } => {
                ("K-MAPPING-SYNTAKS", format!("ikke gyldig JSON i linje {line}, kolonne {column}: {message}"), path)
            }
            // The serde path and message are the technical detail, kept as they read.
            MappingError::Shape { path, at, message } => ("K-MAPPING-FORM", format!("mappingen passer ikke (at {at}: {message})"), path),
            MappingError::Format { path, found, expected } => {
                ("K-MAPPING-FORMAT", format!("ikke en mapping til regneark fra Konsekvens (formatet er «{found}», ikke «{expected}»)"), path)
            }
            MappingError::Newer { path, found } => (
                "K-MAPPING-NYERE",
                format!("skrevet af en nyere Konsekvens (version {found}; denne version læser {})", crate::mapping::VERSION),
                path,
            ),
        };
        UserError::new(code, format!("{}: {da}", path.display()), en).about(file(&path))
    }
}

impl From<CnilError> for UserError {
    fn from(e: CnilError) -> UserError {
        let en = e.to_string();
        let (code, da, path) = match e {
            CnilError::Io { path, source } => return UserError::io(&path, &source),
            CnilError::Read(r) => return r.into(),
            CnilError::Syntax { path, line, column, message } => {
                ("K-CNIL-SYNTAKS", format!("ikke gyldig JSON i linje {line}, kolonne {column}: {message}"), path)
            }
            CnilError::NotAPia { path } => (
                "K-CNIL-IKKE-PIA",
                "ikke en eksport fra CNIL's PIA-værktøj (intet «pia»-objekt med PIA'ens navn)".to_owned(),
                path,
            ),
            CnilError::UnknownVersion { path, found, known } => (
                "K-CNIL-VERSION",
                format!("skrevet af en version af CNIL's PIA-værktøj, som importen ikke kender (pia.dbVersion {found}; kendte: {known}); eksportér den igen fra en aktuel version af værktøjet (written by a version of the CNIL PIA tool this import does not know (pia.dbVersion {found}))"),
                path,
            ),
            CnilError::CustomStructure { path, name } => (
                "K-CNIL-STRUKTUR",
                format!("PIA'en bruger sin egen struktur «{name}»; importen læser PIA'er lavet med værktøjets standardstruktur"),
                path,
            ),
            CnilError::Shape { path, at, message } => ("K-CNIL-FORM", format!("PIA'en passer ikke (at {at}: {message})"), path),
        };
        UserError::new(code, format!("{}: {da}", path.display()), en).about(file(&path))
    }
}

impl From<DocxError> for UserError {
    fn from(e: DocxError) -> UserError {
        let DocxError::Write(why) = &e;
        UserError::new("K-DOCX-SKRIV", format!("Word-dokumentet kunne ikke skrives: {why}"), e.to_string())
    }
}

impl From<LayoutError> for UserError {
    fn from(e: LayoutError) -> UserError {
        let en = e.to_string();
        let (code, da, sheet) = match e {
            LayoutError::NoHeader { sheet } => (
                "K-ARK-OVERSKRIFT",
                format!("«{sheet}»: ingen overskriftsrække blandt de første 40 rækker (ingen række navngiver en risikovurderings kolonner, fx «Ref.», «Trussel», «Konsekvens», «Sandsynlighed», og ingen har mindst tre udfyldte celler)"),
                sheet,
            ),
            LayoutError::MergedHeader { sheet, row, region, text } => (
                "K-ARK-FLETTET",
                format!("«{sheet}», række {row}, cellerne {region}: overskriften «{text}» er en flettet celle; giv hver kolonne sin egen overskrift (ophæv fletningen af {region}), og importér igen"),
                sheet,
            ),
            LayoutError::DataWithoutHeader { sheet, row, column, first_data } => (
                "K-ARK-UDEN-OVERSKRIFT",
                format!("«{sheet}», række {row}, kolonne {column}: kolonnen har ingen overskrift, men indeholder data (række {first_data}); er en overskriftscelle flettet hen over den? Giv kolonnen sin egen overskrift"),
                sheet,
            ),
            LayoutError::MissingColumn { sheet, row, field, name, available } => (
                "K-ARK-KOLONNE-MANGLER",
                format!("«{sheet}», række {row} (overskriftsrækken): mappingens kolonne til {field}, «{name}», findes ikke i arket; dets kolonner er {available}"),
                sheet,
            ),
            LayoutError::Unmapped { sheet, what_da, available, .. } => (
                "K-ARK-KOLONNE-UKENDT",
                format!("«{sheet}»: ingen kolonne til {what_da}; arkets kolonner er {available}. Angiv en i en mapping (--mapping FIL; --save-mapping skriver den foreslåede, så den kan rettes)"),
                sheet,
            ),
        };
        UserError::new(code, glossed(da, &en), en).about(sheet)
    }
}

impl From<ImportError> for UserError {
    fn from(e: ImportError) -> UserError {
        match e {
            ImportError::Layout(l) => l.into(),
            ImportError::Workspace(w) => w.into(),
            ImportError::UnsureSource { ref candidate, matched, total, same_titles } => {
                let da = format!("Arkets referencer svarer til dem, der blev importeret fra «{candidate}» ({matched} af {total}), men kun {same_titles} af truslerne går igen. Er det en ny version af det ark, så importér med --source \"{candidate}\"; er det en anden kilde, så giv den sit eget navn med --source");
                UserError::new("K-ARK-KILDE-UKLAR", glossed(da, &e.to_string()), e.to_string())
            }
            ImportError::Rows(rows) => {
                // A row's message is one text (mostly English): the Danish leads, the rows follow.
                let en = ImportError::Rows(rows.clone()).to_string();
                let n = rows.len();
                let list = rows.iter().map(|p| format!("  {}", p.da())).collect::<Vec<_>>().join("\n");
                let da = glossed(format!("Arket har {}, så intet er importeret:\n{list}", if n == 1 { "1 problem".to_owned() } else { format!("{n} problemer") }), &en);
                UserError::new("K-ARK-RAEKKER", da, en)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Location;
    use std::path::PathBuf;

    #[test]
    fn exchange_errors_keep_their_codes_and_read_in_both_languages() {
        let e = UserError::from(LimitError::FileTooLarge { path: PathBuf::from("stor.csv"), limit: 10 });
        assert_eq!(e.code, "K-FIL-FOR-STOR");
        assert!(e.da.starts_with("stor.csv: filen er større") && e.en.starts_with("stor.csv: the file is larger"), "{e:?}");
        assert_eq!(e.item.as_deref(), Some("stor.csv"));
        let e = UserError::from(SheetError::NoSheets { path: PathBuf::from("a.xlsx") });
        assert_eq!((e.code.as_str(), e.en.as_str()), ("K-ARK-INGEN-ARK", "a.xlsx: the workbook has no sheets"));
        assert_eq!(e.da, "a.xlsx: projektmappen har ingen ark\n(a.xlsx: the workbook has no sheets)");
        let e = UserError::from(ImportError::Rows(vec![crate::parse::RowProblem {
            at: Location { sheet: "Risici".into(), row: 5, column: Some("G".into()), header: Some("Konsekvens".into()), merged: None },
            reference: None,
            message: "x".into(),
            message_da: "y".into(),
        }]));
        assert!(e.da.starts_with("Arket har 1 problem, så intet er importeret") && e.en.contains("«Risici», row 5, column G (Konsekvens): x"), "{e:?}");
        assert!(e.da.contains("«Risici», række 5, kolonne G (Konsekvens): y"), "{e:?}");
    }
}
