//! Bounds on what an import reads, inflates and allocates, so a hostile or broken file is
//! refused with a message instead of exhausting memory.
//!
//! - Every file is read through `Read::take`, refused above its size limit before it is
//!   parsed (a FIFO or `/dev/zero` named `x.csv` stops at the limit too).
//! - A `.xlsx`/`.ods` is a zip archive: before calamine sees it, [`check_archive`] reads every
//!   entry through `take` and counts what it really inflates (the declared sizes are checked
//!   too, but a zip bomb lies about them), and streams each worksheet's XML with quick-xml to
//!   find the area its cells span: calamine allocates a dense grid from the first to the last
//!   filled cell, and `.ods` repeat counts (`table:number-rows-repeated`,
//!   `table:number-columns-repeated`) multiply a single cell into that grid.
//! - A `.csv` is bounded by its size, its columns per row and its cells.
//!
//! Messages are Danish and carry a stable code (`[K-FIL-…]`).

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest sheet file (`.xlsx`, `.ods`, `.csv`) read at all.
pub const MAX_SHEET_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Largest JSON file (interchange, CNIL PIA) read at all.
pub const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;
/// What all entries of a `.xlsx`/`.ods` may inflate to together.
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// What one entry of a `.xlsx`/`.ods` may inflate to (calamine holds shared strings in memory).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
/// Entries in a `.xlsx`/`.ods`.
pub const MAX_ENTRIES: usize = 10_000;
/// Cells of a sheet's area from A1 to its last filled row and column (rows × columns).
pub const MAX_CELLS: u64 = 1_000_000;
/// Columns of a row (Excel's own limit is 16 384).
pub const MAX_COLUMNS: u64 = 16_384;
/// Rows of a sheet (Excel's own limit).
pub const MAX_ROWS: u64 = 1_048_576;

/// A file refused for its size or for what it would inflate to.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("[K-FIL-FOR-STOR] {}: filen er større end de {} byte, der højst indlæses. Intet er importeret; del filen op, eller fjern det, der ikke skal importeres.", path.display(), limit)]
    FileTooLarge { path: PathBuf, limit: u64 },
    #[error("[K-FIL-ZIP-BOMBE] {}: delen «{entry}» af filen pakkes ud til mere end {limit} byte ({what}). Filen er beskadiget eller lavet til at opbruge hukommelsen; intet er importeret. Gem arket igen i Excel eller LibreOffice, og importér den nye fil.", path.display())]
    Inflates { path: PathBuf, entry: String, limit: u64, what: &'static str },
    #[error("[K-FIL-ZIP-BOMBE] {}: filen har mere end {limit} dele (et regneark har få). Intet er importeret; gem arket igen, og importér den nye fil.", path.display())]
    TooManyEntries { path: PathBuf, limit: usize },
    #[error("[K-FIL-ARK-FOR-STORT] {}: arket «{sheet}» spænder over {rows} rækker × {columns} kolonner (til sidste udfyldte celle); højst {limit} celler (og {max_columns} kolonner) kan importeres. Intet er importeret; slet de celler, der står langt uden for tabellen, og gem arket igen.", path.display(), max_columns = MAX_COLUMNS)]
    SheetTooLarge { path: PathBuf, sheet: String, rows: u64, columns: u64, limit: u64 },
    #[error("[K-FIL-BESKADIGET] {}: delen «{entry}» af filen kan ikke læses ({reason}); filen er beskadiget. Intet er importeret; gem arket igen i Excel eller LibreOffice, og importér den nye fil.", path.display())]
    Unreadable { path: PathBuf, entry: String, reason: String },
}

/// Reads at most `limit` bytes of `path`; more is [`LimitError::FileTooLarge`].
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.len() > limit {
        return Err(LimitError::FileTooLarge { path: path.to_owned(), limit }.into());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(LimitError::FileTooLarge { path: path.to_owned(), limit }.into());
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text.
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_bounded(path, limit)?).map_err(|_| ReadError::NotUtf8 { path: path.to_owned() })
}

/// Reading a bounded file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("[K-FIL-IKKE-UTF8] {}: filen er ikke UTF-8-tekst; gem den som UTF-8, og prøv igen.", path.display())]
    NotUtf8 { path: PathBuf },
    #[error(transparent)]
    Limit(#[from] LimitError),
}

/// Which kind of archive [`check_archive`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archive {
    Xlsx,
    Ods,
}

/// Checks a `.xlsx`/`.ods` before calamine opens it: entry count, declared and actually
/// inflated sizes, and each worksheet's cell area. Bytes that are not a zip archive pass
/// (calamine then says what they are: an encrypted workbook, or damaged).
///
/// Returns what calamine does not say while the XML is streamed anyway: the rows each sheet
/// hides (by sheet name, as ranges of 0-based rows, end exclusive).
pub fn check_archive(path: &Path, bytes: &[u8], kind: Archive) -> Result<HiddenRows, LimitError> {
    let mut hidden = HiddenRows::new();
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else { return Ok(hidden) };
    if zip.len() > MAX_ENTRIES {
        return Err(LimitError::TooManyEntries { path: path.to_owned(), limit: MAX_ENTRIES });
    }
    let names = if kind == Archive::Xlsx { xlsx_sheet_names(&mut zip) } else { Vec::new() };
    let mut budget = MAX_INFLATED_BYTES;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| LimitError::Unreadable { path: path.to_owned(), entry: format!("nr. {}", i + 1), reason: e.to_string() })?;
        let name = entry.name().to_owned();
        let bomb = |limit: u64, what: &'static str| LimitError::Inflates { path: path.to_owned(), entry: name.clone(), limit, what };
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(bomb(MAX_ENTRY_BYTES, "oplyst størrelse"));
        }
        if entry.size() > budget {
            return Err(bomb(MAX_INFLATED_BYTES, "alle dele tilsammen, oplyst størrelse"));
        }
        let limit = budget.min(MAX_ENTRY_BYTES);
        let mut counted = Counted { inner: entry.take(limit + 1), n: 0 };
        let is_sheet = match kind {
            Archive::Xlsx => name.starts_with("xl/worksheets/") && name.ends_with(".xml"),
            Archive::Ods => name == "content.xml",
        };
        let area = if is_sheet {
            match kind {
                Archive::Xlsx => scan_xlsx_sheet(&mut counted).map(|(a, h)| vec![(sheet_name(&names, &name), a, h)]),
                Archive::Ods => scan_ods_content(&mut counted),
            }
        } else {
            std::io::copy(&mut counted, &mut std::io::sink()).map(|_| Vec::new()).map_err(|e| e.to_string())
        };
        // drain what the XML reader left (it stops at an error), so the count is the entry's
        let drained = std::io::copy(&mut counted, &mut std::io::sink());
        if counted.n > limit {
            let (limit, what) = if limit == MAX_ENTRY_BYTES { (MAX_ENTRY_BYTES, "udpakket") } else { (MAX_INFLATED_BYTES, "alle dele tilsammen, udpakket") };
            return Err(bomb(limit, what));
        }
        budget -= counted.n;
        let area = area.and_then(|a| drained.map(|_| a).map_err(|e| e.to_string()));
        let area = area.map_err(|reason| LimitError::Unreadable { path: path.to_owned(), entry: name.clone(), reason })?;
        for (sheet, (rows, columns), hides) in area {
            if columns > MAX_COLUMNS || rows > MAX_ROWS || rows.saturating_mul(columns) > MAX_CELLS {
                return Err(LimitError::SheetTooLarge { path: path.to_owned(), sheet, rows, columns, limit: MAX_CELLS });
            }
            if !hides.is_empty() {
                hidden.insert(sheet, hides);
            }
        }
    }
    Ok(hidden)
}

/// Hidden rows per sheet name: ranges of 0-based rows, end exclusive (an `.ods` repeats a
/// hidden row by a count, so a list of rows could be as long as the count claims).
pub type HiddenRows = std::collections::BTreeMap<String, Vec<(u64, u64)>>;

fn is_true(v: &str) -> bool {
    matches!(v.trim(), "1" | "true")
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// Rows as ranges of 0-based rows, end exclusive.
type RowRanges = Vec<(u64, u64)>;

/// Per sheet: its name, (rows, columns) from A1 to its last cell with content, and its
/// hidden rows.
type Areas = Vec<(String, (u64, u64), RowRanges)>;

/// A reader as lenient as calamine's (it does not check end names).
fn xml_reader<R: Read>(input: R) -> quick_xml::Reader<BufReader<R>> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(input));
    reader.config_mut().check_end_names = false;
    reader
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

/// `(row, column)`, 0-based, of an A1 reference; saturating, so a reference past any sheet
/// reads as huge rather than wrapping around.
fn cell_position(r: &str) -> Option<(u64, u64)> {
    let (mut col, mut row, mut digits) = (0u64, 0u64, false);
    for b in r.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' if !digits => col = col.saturating_mul(26).saturating_add((b.to_ascii_uppercase() - b'A') as u64 + 1),
            b'0'..=b'9' => {
                digits = true;
                row = row.saturating_mul(10).saturating_add((b - b'0') as u64);
            }
            b'$' => {}
            _ => return None,
        }
    }
    (digits && row > 0).then(|| (row - 1, col.saturating_sub(1)))
}

/// The area (rows, columns) from A1 to the last cell with content of one `.xlsx` worksheet,
/// placing cells as calamine does (`r` attributes, else the next row/column). A `<c/>`
/// without content is never a cell to calamine and is not counted.
fn scan_xlsx_sheet(input: impl Read) -> Result<((u64, u64), RowRanges), String> {
    use quick_xml::events::Event;
    let mut reader = xml_reader(input);
    let mut buf = Vec::new();
    let mut hidden: Vec<(u64, u64)> = Vec::new();
    let (mut row, mut col) = (0u64, 0u64);
    let (mut rows, mut columns) = (0u64, 0u64);
    let mut depth_in_cell = 0u32;
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            // An empty row places nothing (as before); only whether it is hidden is noted.
            Event::Empty(e) if e.local_name().as_ref() == "row" => {
                let at = attr(&e, "r").and_then(|r| r.trim().parse::<u64>().ok()).map(|r| r.saturating_sub(1)).unwrap_or(row);
                if at < MAX_ROWS && attr(&e, "hidden").is_some_and(|v| is_true(&v)) {
                    hidden.push((at, at + 1));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "row" => {
                if let Some(r) = attr(&e, "r") {
                    row = r.trim().parse::<u64>().map_err(|_| format!("rækkenummer «{r}»"))?.saturating_sub(1);
                    // calamine reads row numbers as u32 without overflow checks
                    if row >= MAX_ROWS {
                        return Err(format!("rækkenummer «{r}» ud over arkets sidste række"));
                    }
                }
                if attr(&e, "hidden").is_some_and(|v| is_true(&v)) {
                    hidden.push((row, row + 1));
                }
            }
            // calamine reads these references as u32 without overflow checks: refuse any
            // past the sheet's edges first
            Event::Start(e) | Event::Empty(e) if matches!(e.local_name().as_ref(), "dimension" | "mergeCell") => {
                if let Some(r) = attr(&e, "ref") {
                    for part in r.split(':') {
                        if let Some((r0, c0)) = cell_position(part) {
                            if r0 >= MAX_ROWS || c0 >= MAX_COLUMNS {
                                return Err(format!("område «{r}» ud over arkets kanter"));
                            }
                        }
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row = row.saturating_add(1);
                col = 0;
            }
            Event::Start(e) if e.local_name().as_ref() == "c" && depth_in_cell == 0 => {
                let (r, c) = match attr(&e, "r") {
                    Some(a) => cell_position(&a).ok_or_else(|| format!("cellereference «{a}»"))?,
                    None => (row, col),
                };
                col = c;
                rows = rows.max(r.saturating_add(1));
                columns = columns.max(c.saturating_add(1));
                col = col.saturating_add(1);
                depth_in_cell = 1;
            }
            Event::Start(_) if depth_in_cell > 0 => depth_in_cell += 1,
            Event::End(_) if depth_in_cell > 0 => depth_in_cell -= 1,
            Event::Eof => return Ok(((rows, columns), hidden)),
            _ => {}
        }
        buf.clear();
    }
}

/// Per `table:table` of an `.ods` content.xml: its name and the area (rows, columns) from A1
/// to its last cell with content, with row and column repeats multiplied out (saturating).
/// A cell with content is one with a value type, a formula or child elements.
fn scan_ods_content(input: impl Read) -> Result<Areas, String> {
    use quick_xml::events::Event;
    let mut reader = xml_reader(input);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut table: Option<(String, u64, u64, u64)> = None; // name, row position, rows, columns
    let mut hidden: Vec<(u64, u64)> = Vec::new();
    let (mut row_repeat, mut col) = (1u64, 0u64);
    let repeat = |e: &quick_xml::events::BytesStart<'_>, name: &str| attr(e, name).map(|v| v.trim().parse::<u64>().unwrap_or(u64::MAX)).unwrap_or(1);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        let (e, has_children) = match &event {
            Event::Start(e) => (Some(e), true),
            Event::Empty(e) => (Some(e), false),
            _ => (None, false),
        };
        if let Some(e) = e {
            match e.name().as_ref() {
                "table:table" if has_children => {
                    if let Some((name, _, rows, cols)) = table.take() {
                        out.push((name, (rows, cols), std::mem::take(&mut hidden)));
                    }
                    table = Some((attr(e, "table:name").unwrap_or_default(), 0, 0, 0));
                }
                "table:table-row" => {
                    row_repeat = repeat(e, "table:number-rows-repeated");
                    col = 0;
                    if let (Some(t), Some("collapse" | "filter")) = (table.as_ref(), attr(e, "table:visibility").as_deref()) {
                        hidden.push((t.1, t.1.saturating_add(row_repeat)));
                    }
                    if !has_children {
                        if let Some(t) = table.as_mut() {
                            t.1 = t.1.saturating_add(row_repeat);
                        }
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeat(e, "table:number-columns-repeated");
                    let filled = has_children || attr(e, "office:value-type").is_some() || attr(e, "table:formula").is_some();
                    if let (true, Some(t)) = (filled, table.as_mut()) {
                        t.2 = t.2.max(t.1.saturating_add(row_repeat));
                        t.3 = t.3.max(col.saturating_add(n));
                    }
                    col = col.saturating_add(n);
                }
                _ => {}
            }
        }
        match &event {
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let Some(t) = table.as_mut() {
                    t.1 = t.1.saturating_add(row_repeat);
                }
                row_repeat = 1;
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some((name, _, rows, cols)) = table.take() {
                    out.push((name, (rows, cols), std::mem::take(&mut hidden)));
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// `xl/worksheets/….xml` → the sheet's name, from the workbook and its relationships.
fn xlsx_sheet_names<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut read = |name: &str, element: &str, keys: [&str; 2]| -> Vec<(String, String)> {
        let Ok(entry) = zip.by_name(name) else { return Vec::new() };
        let mut reader = xml_reader(entry.take(MAX_ENTRY_BYTES));
        let (mut buf, mut out) = (Vec::new(), Vec::new());
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == element => {
                    let a = attr(&e, keys[0]);
                    let b = e.attributes().flatten().find(|x| x.key.local_name().as_ref() == keys[1]).map(|x| x.value.into_owned());
                    if let (Some(a), Some(b)) = (a, b) {
                        out.push((a, b));
                    }
                }
                Ok(Event::Eof) | Err(_) => return out,
                _ => {}
            }
            buf.clear();
        }
    };
    let sheets = read("xl/workbook.xml", "sheet", ["name", "id"]); // (name, r:id)
    let rels = read("xl/_rels/workbook.xml.rels", "Relationship", ["Id", "Target"]); // (id, target)
    sheets
        .into_iter()
        .filter_map(|(name, id)| {
            let target = &rels.iter().find(|(rid, _)| *rid == id)?.1;
            let part = match target.strip_prefix('/') {
                Some(abs) => abs.to_owned(),
                None => format!("xl/{target}"),
            };
            Some((part, name))
        })
        .collect()
}

fn sheet_name(names: &[(String, String)], entry: &str) -> String {
    names.iter().find(|(part, _)| part == entry).map(|(_, n)| n.clone()).unwrap_or_else(|| entry.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_saturate_instead_of_wrapping() {
        assert_eq!(cell_position("A1"), Some((0, 0)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position("$B$3"), Some((2, 1)));
        let (r, c) = cell_position("ZZZZZZZZZZZZZZZZ99999999999999999999999").unwrap();
        assert_eq!((r, c), (u64::MAX - 1, u64::MAX - 1));
        assert_eq!(cell_position("A0"), None);
        assert_eq!(cell_position("1A"), None);
    }

    #[test]
    fn an_xlsx_sheet_spans_to_its_last_cell_with_content() {
        let xml = r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData>
            <row r="1"><c r="A1" t="s"><v>0</v></c><c t="s"><v>1</v></c></row>
            <row><c><v>3</v></c></row>
            <row r="900"><c r="XFD900" s="1"/></row>
        </sheetData></worksheet>"#;
        // B1 from its neighbour, A2 from the row without r, the styled empty XFD900 not at all
        assert_eq!(scan_xlsx_sheet(xml.as_bytes()), Ok(((2, 2), vec![])));
        let far = r#"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>"#;
        assert_eq!(scan_xlsx_sheet(far.as_bytes()), Ok(((1_048_576, 16_384), vec![])));
        // references calamine would overflow on (u32 arithmetic) are refused before it sees them
        let wide_dim = r#"<worksheet><dimension ref="A1:ZZZZZZZZZZZZZZZ1"/><sheetData/></worksheet>"#;
        assert!(scan_xlsx_sheet(wide_dim.as_bytes()).is_err());
        let merged = r#"<worksheet><sheetData/><mergeCells><mergeCell ref="A1:B99999999999"/></mergeCells></worksheet>"#;
        assert!(scan_xlsx_sheet(merged.as_bytes()).is_err());
        let row = r#"<worksheet><sheetData><row r="99999999999"></row></sheetData></worksheet>"#;
        assert!(scan_xlsx_sheet(row.as_bytes()).is_err());
        let hidden = r#"<worksheet><sheetData><row r="2" hidden="1"><c r="A2"><v>1</v></c></row><row r="3" hidden="0"/><row r="7" hidden="true"/></sheetData></worksheet>"#;
        assert_eq!(scan_xlsx_sheet(hidden.as_bytes()), Ok(((2, 1), vec![(1, 2), (6, 7)])));
    }

    #[test]
    fn ods_repeats_multiply_filled_cells_but_not_empty_ones() {
        let ods = |body: &str| {
            format!(r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="Risici">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#)
        };
        // LibreOffice's trailing empty area: huge repeats of empty cells
        let normal = ods(r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Ref.</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row>
            <table:table-row table:number-rows-repeated="1048575"><table:table-cell table:style-name="ce1" table:number-columns-repeated="1024"/></table:table-row>"#);
        assert_eq!(scan_ods_content(normal.as_bytes()), Ok(vec![("Risici".to_owned(), (1, 1), vec![])]));
        let bomb = ods(r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#);
        assert_eq!(scan_ods_content(bomb.as_bytes()), Ok(vec![("Risici".to_owned(), (1_048_576, 16_384), vec![])]));
        let garbage = ods(r#"<table:table-row table:number-rows-repeated="-1"><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#);
        assert_eq!(scan_ods_content(garbage.as_bytes()), Ok(vec![("Risici".to_owned(), (u64::MAX, 1), vec![])]), "an unreadable count counts as huge");
        let hidden = ods(r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>
            <table:table-row table:visibility="collapse" table:number-rows-repeated="3"><table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell></table:table-row>"#);
        assert_eq!(scan_ods_content(hidden.as_bytes()), Ok(vec![("Risici".to_owned(), (4, 1), vec![(1, 4)])]));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, vec![b' '; 101]).unwrap();
        let err = read_bounded(&p, 100).unwrap_err().to_string();
        assert!(err.contains("[K-FIL-FOR-STOR]") && err.contains("100 byte"), "{err}");
        assert_eq!(read_bounded(&p, 101).unwrap().len(), 101);
    }
}
