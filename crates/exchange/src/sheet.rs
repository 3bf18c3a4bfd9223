//! A spreadsheet as plain cells: `.xlsx` and `.ods` through calamine, `.csv` through the csv
//! crate. Every cell keeps its absolute position, so a message can name the sheet, row and
//! column the way the user sees them (row 5, column E), and formulas and merged regions are
//! kept beside the values so the importer can say what it met.

use calamine::{Data, Dimensions, Ods, OdsError, Reader, Xlsx, XlsxError};
use konsekvens_core::model::Day;
use std::collections::BTreeMap;
use std::fmt;
use crate::limits::{self, Archive, LimitError, ReadError};
use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

/// The kinds of file the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetFormat {
    Xlsx,
    Ods,
    Csv,
}

impl SheetFormat {
    /// By file extension (case-insensitive); `None` for anything else.
    pub fn of(path: &Path) -> Option<SheetFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" => Some(SheetFormat::Xlsx),
            "ods" => Some(SheetFormat::Ods),
            // «Unicode text» from Excel is tab-separated UTF-16 saved as .txt
            "csv" | "txt" | "tsv" => Some(SheetFormat::Csv),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            SheetFormat::Xlsx => ".xlsx",
            SheetFormat::Ods => ".ods",
            SheetFormat::Csv => ".csv",
        }
    }
}

/// One cell's value as the importer sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(Day),
    /// A spreadsheet error value such as `#N/A` or `#REF!` (usually a broken formula).
    Error(String),
}

impl Value {
    /// Empty, or text that is only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as the user would read it in the sheet: whole numbers without ".0".
    pub fn text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.trim().to_owned(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            Value::Date(d) => d.to_string(),
            Value::Error(e) => e.clone(),
        }
    }
}

/// A rectangle of merged cells (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Region {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row) && (self.first_col..=self.last_col).contains(&col)
    }
}

impl fmt::Display for Region {
    /// Spreadsheet notation, e.g. `C3:E3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}:{}{}", column_letter(self.first_col), self.first_row + 1, column_letter(self.last_col), self.last_row + 1)
    }
}

/// One worksheet (a CSV file is one sheet).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    pub name: String,
    /// `rows[r][c]` is the cell in row r+1, column c (0 = A); rows may be ragged.
    rows: Vec<Vec<Value>>,
    /// Formulas by (row, column), 0-based, without the leading "=" as the file stores them.
    formulas: BTreeMap<(u32, u32), String>,
    merged: Vec<Region>,
    /// Whether the format tells merged regions (`.xlsx`); in `.ods` and `.csv` a merged
    /// cell shows only as blanks beside or under its text.
    pub merges_known: bool,
    /// Hidden rows as ranges of 0-based rows, end exclusive.
    hidden: Vec<(u64, u64)>,
    /// Cells with a visible fill colour (0xRRGGBB), from the `.xlsx` styles.
    fills: BTreeMap<(u32, u32), u32>,
    /// How a CSV file's bytes were decoded («UTF-8», «Windows-1252», «UTF-16LE»).
    pub encoding: Option<&'static str>,
    /// The merged regions by (first column, first row), to find a cell's region in log time.
    by_first: BTreeMap<(u32, u32), Region>,
}

/// Merged regions read at most: a risk sheet has a few hundred; a file with more is read
/// as if the rest were not merged (every lookup stays cheap on hostile files).
pub const MAX_MERGES: usize = 5_000;

const EMPTY: Value = Value::Empty;

impl Sheet {
    /// A sheet from rows of values, starting at A1.
    pub fn from_rows(name: impl Into<String>, rows: Vec<Vec<Value>>) -> Sheet {
        Sheet { name: name.into(), rows, ..Sheet::default() }
    }

    pub fn with_hidden_row(mut self, row: u32) -> Sheet {
        self.hidden.push((row as u64, row as u64 + 1));
        self
    }

    pub fn with_fill(mut self, row: u32, col: u32, rgb: u32) -> Sheet {
        self.fills.insert((row, col), rgb);
        self
    }

    pub fn is_hidden(&self, row: u32) -> bool {
        self.hidden.iter().any(|(a, b)| (*a..*b).contains(&(row as u64)))
    }

    /// Every cell with a visible fill colour: ((row, column), 0xRRGGBB).
    pub fn fills(&self) -> impl Iterator<Item = ((u32, u32), u32)> + '_ {
        self.fills.iter().map(|(k, v)| (*k, *v))
    }

    /// The cell's fill colour (0xRRGGBB), if it has a visible one.
    pub fn fill(&self, row: u32, col: u32) -> Option<u32> {
        self.fills.get(&(row, col)).copied()
    }

    /// The merged region of more than one cell that holds the cell, if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<Region> {
        self.merged.iter().copied().find(|m| m.contains(row, col) && (m.first_row != m.last_row || m.first_col != m.last_col))
    }

    pub fn with_formula(mut self, row: u32, col: u32, formula: impl Into<String>) -> Sheet {
        self.formulas.insert((row, col), formula.into());
        self
    }

    pub fn with_merged(mut self, region: Region) -> Sheet {
        if self.merged.len() < MAX_MERGES {
            self.merged.push(region);
            self.by_first.insert((region.first_col, region.first_row), region);
        }
        self.merges_known = true;
        self
    }

    /// The region merged down in column `col` over `row` from a row above it, if any.
    pub fn merged_down_over(&self, row: u32, col: u32) -> Option<Region> {
        self.by_first.range((col, 0)..=(col, row)).next_back().map(|(_, m)| *m).filter(|m| m.contains(row, col) && m.first_row < row)
    }

    pub fn get(&self, row: u32, col: u32) -> &Value {
        self.rows.get(row as usize).and_then(|r| r.get(col as usize)).unwrap_or(&EMPTY)
    }

    /// Number of rows up to the last one holding anything.
    pub fn height(&self) -> u32 {
        self.rows.iter().rposition(|r| r.iter().any(|v| !v.is_blank())).map(|i| i as u32 + 1).unwrap_or(0)
    }

    pub fn width(&self) -> u32 {
        self.rows.iter().map(|r| r.len() as u32).max().unwrap_or(0)
    }

    pub fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.formulas.get(&(row, col)).map(String::as_str)
    }

    pub fn merged(&self) -> &[Region] {
        &self.merged
    }

    /// Whether every cell of the row is blank.
    pub fn row_is_blank(&self, row: u32) -> bool {
        self.rows.get(row as usize).is_none_or(|r| r.iter().all(Value::is_blank))
    }
}

/// A file's sheets, in workbook order.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    pub path: PathBuf,
    pub format: SheetFormat,
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    /// The sheet named `name`; without a name, the first sheet whose header row names the
    /// columns of a risk register (a cover page, a scale or a list of values often comes
    /// first), else the first sheet.
    pub fn sheet(&self, name: Option<&str>) -> Result<&Sheet, SheetError> {
        match name {
            None => self
                .sheets
                .iter()
                .find(|s| crate::mapping::looks_like_register(s))
                .or(self.sheets.first())
                .ok_or_else(|| SheetError::NoSheets { path: self.path.clone() }),
            Some(n) => self.sheets.iter().find(|s| s.name == n).ok_or_else(|| SheetError::NoSuchSheet {
                path: self.path.clone(),
                name: n.to_owned(),
                available: self.sheets.iter().map(|s| format!("«{}»", s.name)).collect::<Vec<_>>().join(", "),
            }),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: only .xlsx, .ods and .csv (or tab-separated .txt) files can be imported", path.display())]
    Unsupported { path: PathBuf },
    #[error("{}: the workbook is password-protected (encrypted); save a copy without a password and import that", path.display())]
    Password { path: PathBuf },
    #[error("{}: not a readable {format} file ({reason}); it may be damaged, or another kind of file with that name", path.display())]
    Corrupt { path: PathBuf, format: &'static str, reason: String },
    #[error("{}: row {row}: {reason}", path.display())]
    Csv { path: PathBuf, row: u64, reason: String },
    #[error("{}: row {row}, column {column} is not UTF-8 text; save the sheet as «CSV UTF-8» and import that", path.display())]
    Encoding { path: PathBuf, row: u64, column: String },
    #[error("{}: the workbook has no sheet «{name}» (it has {available})", path.display())]
    NoSuchSheet { path: PathBuf, name: String, available: String },
    #[error("{}: the workbook has no sheets", path.display())]
    NoSheets { path: PathBuf },
    /// Too large, or would inflate or allocate too much (see [`crate::limits`]).
    #[error(transparent)]
    Limit(#[from] LimitError),
}

impl From<ReadError> for SheetError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io { path, source } => SheetError::Io { path, source },
            ReadError::NotUtf8 { path } => SheetError::Encoding { path, row: 1, column: "A".into() },
            ReadError::Limit(l) => SheetError::Limit(l),
        }
    }
}

/// `0 → A`, `25 → Z`, `26 → AA`.
pub fn column_letter(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Reads a workbook by its extension. The file is read once, within
/// [`limits::MAX_SHEET_FILE_BYTES`]; a `.xlsx`/`.ods` is checked with
/// [`limits::check_archive`] before calamine parses it.
pub fn read(path: &Path) -> Result<Workbook, SheetError> {
    let format = SheetFormat::of(path).ok_or_else(|| SheetError::Unsupported { path: path.to_owned() })?;
    let bytes = limits::read_bounded(path, limits::MAX_SHEET_FILE_BYTES)?;
    read_bytes(path, format, bytes)
}

/// A workbook from its bytes; `path` names it in messages (and a CSV's sheet).
pub fn read_bytes(path: &Path, format: SheetFormat, bytes: Vec<u8>) -> Result<Workbook, SheetError> {
    if bytes.len() as u64 > limits::MAX_SHEET_FILE_BYTES {
        return Err(LimitError::FileTooLarge { path: path.to_owned(), limit: limits::MAX_SHEET_FILE_BYTES }.into());
    }
    let sheets = match format {
        SheetFormat::Csv => vec![read_csv(path, &bytes)?],
        SheetFormat::Xlsx => {
            let mut hidden = limits::check_archive(path, &bytes, Archive::Xlsx)?;
            let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(|e| xlsx_error(path, e))?;
            let names = wb.sheet_names();
            let mut sheets = Vec::new();
            for name in names {
                let merged = wb.merge_cells_by_sheet_name(&name).map_err(|e| xlsx_error(path, e))?;
                let mut sheet = read_sheet(&mut wb, &name, merged, |e| xlsx_error(path, e))?;
                sheet.merges_known = true;
                sheet.hidden = hidden.remove(&name).unwrap_or_default();
                // Styles only say something; a sheet whose styles cannot be read is read without.
                if let Ok(styles) = wb.worksheet_style(&name) {
                    sheet.fills = fills(&sheet, &styles);
                }
                sheets.push(sheet);
            }
            sheets
        }
        SheetFormat::Ods => {
            let mut hidden = limits::check_archive(path, &bytes, Archive::Ods)?;
            let mut wb = Ods::new(Cursor::new(bytes)).map_err(|e| ods_error(path, e))?;
            let names = wb.sheet_names();
            let mut sheets = Vec::new();
            for name in names {
                // calamine does not report merged regions for .ods; the importer's check for
                // data under an empty header cell catches a merged header there.
                let mut sheet = read_sheet(&mut wb, &name, Vec::new(), |e| ods_error(path, e))?;
                sheet.hidden = hidden.remove(&name).unwrap_or_default();
                sheets.push(sheet);
            }
            sheets
        }
    };
    Ok(Workbook { path: path.to_owned(), format, sheets })
}

/// The visible, coloured (not white) fills of the cells within the sheet's value area, which
/// the pre-scan has bounded (styled empty cells far away are not visited).
fn fills(sheet: &Sheet, styles: &calamine::StyleRange) -> BTreeMap<(u32, u32), u32> {
    let mut out = BTreeMap::new();
    for r in 0..sheet.rows.len() as u32 {
        for c in 0..sheet.width() {
            let Some(fill) = styles.get((r, c)).and_then(|s| s.fill.as_ref()) else { continue };
            if !fill.is_visible() {
                continue;
            }
            if let Some(colour) = fill.get_color().filter(|c| !c.is_white()) {
                out.insert((r, c), colour.to_argb() & 0x00FF_FFFF);
            }
        }
    }
    out
}

fn xlsx_error(path: &Path, e: XlsxError) -> SheetError {
    match e {
        XlsxError::Password => SheetError::Password { path: path.to_owned() },
        XlsxError::Io(source) => SheetError::Io { path: path.to_owned(), source },
        other => SheetError::Corrupt { path: path.to_owned(), format: SheetFormat::Xlsx.name(), reason: other.to_string() },
    }
}

fn ods_error(path: &Path, e: OdsError) -> SheetError {
    match e {
        OdsError::Password => SheetError::Password { path: path.to_owned() },
        OdsError::Io(source) => SheetError::Io { path: path.to_owned(), source },
        other => SheetError::Corrupt { path: path.to_owned(), format: SheetFormat::Ods.name(), reason: other.to_string() },
    }
}

fn read_sheet<RS: Read + Seek, R: Reader<RS>>(
    wb: &mut R,
    name: &str,
    merged: Vec<Dimensions>,
    err: impl Fn(R::Error) -> SheetError,
) -> Result<Sheet, SheetError> {
    let range = wb.worksheet_range(name).map_err(&err)?;
    let mut rows: Vec<Vec<Value>> = Vec::new();
    if let Some((r0, c0)) = range.start() {
        for (r, row) in range.rows().enumerate() {
            let abs_row = r0 as usize + r;
            if rows.len() <= abs_row {
                rows.resize(abs_row + 1, Vec::new());
            }
            let cells = &mut rows[abs_row];
            cells.resize(c0 as usize + row.len(), Value::Empty);
            for (c, data) in row.iter().enumerate() {
                cells[c0 as usize + c] = value_of(data);
            }
        }
    }
    let mut formulas = BTreeMap::new();
    let f = wb.worksheet_formula(name).map_err(&err)?;
    if let Some((r0, c0)) = f.start() {
        for (r, row) in f.rows().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    formulas.insert((r0 + r as u32, c0 + c as u32), text.clone());
                }
            }
        }
    }
    let mut sheet = Sheet { name: name.to_owned(), rows, formulas, ..Sheet::default() };
    for d in merged.into_iter().take(MAX_MERGES) {
        sheet = sheet.with_merged(Region { first_row: d.start.0, first_col: d.start.1, last_row: d.end.0, last_col: d.end.1 });
    }
    Ok(sheet)
}

fn value_of(data: &Data) -> Value {
    match data {
        Data::Empty => Value::Empty,
        Data::String(s) => Value::Text(s.clone()),
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            time::Month::try_from(m)
                .ok()
                .and_then(|month| time::Date::from_calendar_date(y as i32, month, d).ok())
                .map(|date| Value::Date(Day(date)))
                .unwrap_or_else(|| Value::Text(dt.as_f64().to_string()))
        }
        Data::DateTimeIso(s) => s.get(..10).and_then(|d| Day::parse(d).ok()).map(Value::Date).unwrap_or_else(|| Value::Text(s.clone())),
        Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}

/// A CSV file's text as Excel writes it: UTF-8 with or without a BOM («CSV UTF-8»),
/// UTF-16 with a BOM («Unicode text», tab-separated), else Windows-1252 (Danish Excel's
/// plain «CSV»; every byte is a character there, so it cannot fail).
fn decode_csv(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text, encoding.name());
    }
    // UTF-16 without a BOM: text of ASCII letters has a zero in every other byte.
    let sample = &bytes[..bytes.len().min(400)];
    let zeros = |odd: usize| sample.iter().skip(odd).step_by(2).filter(|b| **b == 0).count();
    if sample.len() >= 4 && zeros(1) * 3 > sample.len() && zeros(0) == 0 {
        return (encoding_rs::UTF_16LE.decode_without_bom_handling(bytes).0, "UTF-16LE");
    }
    if sample.len() >= 4 && zeros(0) * 3 > sample.len() && zeros(1) == 0 {
        return (encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0, "UTF-16BE");
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0, "windows-1252"),
    }
}

/// A CSV file as one sheet named after the file. The delimiter (`;`, `,` or tab; Danish
/// Excel writes `;`) is the one that splits the first rows into the most fields (a title
/// row above the table has one field whatever the delimiter).
fn read_csv(path: &Path, bytes: &[u8]) -> Result<Sheet, SheetError> {
    let (text, encoding) = decode_csv(bytes);
    let bytes = text.as_bytes();
    let widest = |d: u8| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(d)
            .flexible(true)
            .from_reader(bytes)
            .byte_records()
            .take(20)
            .map_while(Result::ok)
            .map(|r| r.len())
            .max()
            .unwrap_or(0)
    };
    let delimiter = [b'\t', b',', b';'].into_iter().max_by_key(|d| widest(*d)).unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).flexible(true).from_reader(bytes);
    // The csv crate skips blank lines, but a spreadsheet shows them as empty rows: keep
    // them, so row numbers match what the user sees. (A record's own line breaks, inside
    // quotes, do not start a row.)
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut record = csv::ByteRecord::new();
    let (mut cells_read, mut widest_row) = (0u64, 0u64);
    let too_large = |rows: u64, columns: u64| SheetError::Limit(LimitError::SheetTooLarge {
        path: path.to_owned(),
        sheet: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        rows,
        columns,
        limit: limits::MAX_CELLS,
    });
    loop {
        let row = rows.len() as u64 + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(SheetError::Csv { path: path.to_owned(), row, reason: e.to_string() }),
        }
        // The reported start of a record lies before the blank lines the reader skipped.
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(0).min(bytes.len());
        // After a CR the reader stops, so the LF of a CRLF (Danish Excel's line end) may
        // still lie ahead: it ends the previous row, not a blank one.
        if start > 0 && bytes[start - 1] == b'\r' && bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let mut blank = 0;
        let mut i = start;
        while i < bytes.len() && matches!(bytes[i], b'\r' | b'\n') {
            i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            blank += 1;
        }
        // Memory follows the cells read (rows are ragged): bound them, the widest row, and
        // the rows (blank lines included).
        widest_row = widest_row.max(record.len() as u64);
        cells_read += record.len() as u64;
        let height = (rows.len() + blank + 1) as u64;
        if widest_row > limits::MAX_COLUMNS || cells_read > limits::MAX_CELLS || height > limits::MAX_ROWS {
            return Err(too_large(height, widest_row));
        }
        rows.extend(std::iter::repeat_n(Vec::new(), blank));
        let row = rows.len() as u64 + 1;
        let mut cells = Vec::with_capacity(record.len());
        for (c, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| SheetError::Encoding { path: path.to_owned(), row, column: column_letter(c as u32) })?;
            cells.push(if text.trim().is_empty() { Value::Empty } else { Value::Text(text.to_owned()) });
        }
        rows.push(cells);
    }
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Sheet { encoding: Some(encoding), ..Sheet::from_rows(name, rows) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn csv_with_semicolons_quotes_and_a_bom() {
        let text = "\u{feff}Ref.;Trussel;Foranstaltninger\nT1;\"Fejl; sendt\";\"Advarsel\nUddannelse\"\n\nT2;Andet;\n";
        let sheet = read_csv(Path::new("kombit.csv"), text.as_bytes()).unwrap();
        assert_eq!(sheet.name, "kombit");
        assert_eq!(sheet.get(0, 0), &Value::Text("Ref.".into()));
        assert_eq!(sheet.get(1, 1), &Value::Text("Fejl; sendt".into()));
        assert_eq!(sheet.get(1, 2).text(), "Advarsel\nUddannelse");
        assert_eq!(sheet.get(3, 0).text(), "T2");
        assert!(sheet.get(3, 2).is_blank());
        assert_eq!(sheet.height(), 4);
    }

    #[test]
    fn csv_with_commas_and_a_title_row() {
        let sheet = read_csv(Path::new("x.csv"), b"Risici i Aula\na,b,c\n1,2,3\n").unwrap();
        assert_eq!(sheet.get(2, 2).text(), "3");
    }

    #[test]
    fn csv_as_danish_excel_writes_it_is_read_in_its_encoding() {
        // «CSV (semikolonsepareret)»: Windows-1252, CRLF
        let sheet = read_csv(Path::new("x.csv"), b"Ref.;Trussel\r\nT1;\xc6ndret \xf8nske \x96 \x80\r\n").unwrap();
        assert_eq!(sheet.get(1, 1).text(), "Ændret ønske – €");
        assert_eq!(sheet.encoding, Some("windows-1252"));
        // «Unicode-tekst»: UTF-16LE with a BOM, tabs
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("Ref.\tTrussel\r\nT1\tFejl på æøå\r\n".encode_utf16().flat_map(u16::to_le_bytes));
        let sheet = read_csv(Path::new("x.txt"), &utf16).unwrap();
        assert_eq!(sheet.get(1, 1).text(), "Fejl på æøå");
        assert_eq!(sheet.encoding, Some("UTF-16LE"));
        // and without its BOM
        let sheet = read_csv(Path::new("x.txt"), &utf16[2..]).unwrap();
        assert_eq!(sheet.get(1, 1).text(), "Fejl på æøå");
        let sheet = read_csv(Path::new("x.csv"), "\u{feff}a;b\r\n\r\nø;2,5\r\n".as_bytes()).unwrap();
        assert_eq!((sheet.get(2, 0).text(), sheet.encoding), ("ø".to_owned(), Some("UTF-8")));
    }

    #[test]
    fn unsupported_extensions_are_refused() {
        assert!(matches!(read(Path::new("risici.docx")), Err(SheetError::Unsupported { .. })));
        assert_eq!(SheetFormat::of(Path::new("Unicode.TXT")), Some(SheetFormat::Csv));
    }

    #[test]
    fn numbers_read_as_the_sheet_shows_them() {
        assert_eq!(Value::Number(3.0).text(), "3");
        assert_eq!(Value::Number(2.5).text(), "2.5");
        assert!(Value::Text("  ".into()).is_blank());
    }
}
