//! Spreadsheet files made in code for the hostile-file tests: minimal `.xlsx` and `.ods`
//! archives around given XML, and the bombs built from them. Shared by this crate's fuzz
//! tests and the end-to-end tests (`tests/hostile_files.rs` includes this file with `#[path]`).
//! Nothing here is a binary fixture: every file is written by the test that uses it.
#![allow(dead_code)]

use std::io::Write;

/// A zip archive of `entries` (deflated; `mimetype` stored, as ODF wants it).
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        let method = if *name == "mimetype" { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        out.start_file(*name, SimpleFileOptions::default().compression_method(method).large_file(data.len() > u32::MAX as usize)).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Risici" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A worksheet's XML around `rows` (`<row>` elements), with a `<dimension>` if given.
pub fn worksheet(dimension: Option<&str>, rows: &str) -> String {
    let dim = dimension.map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default();
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{rows}</sheetData></worksheet>"#)
}

/// A one-sheet workbook ("Risici") with `sheet_xml` as its worksheet, plus `extra` parts.
pub fn xlsx_with(sheet_xml: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ];
    entries.extend_from_slice(extra);
    zip(&entries)
}

pub fn xlsx(sheet_xml: &str) -> Vec<u8> {
    xlsx_with(sheet_xml, &[])
}

/// An inline-string cell.
pub fn text_cell(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A small, valid risk sheet: a header row and two threats.
pub fn xlsx_valid() -> Vec<u8> {
    let rows = [
        ["Ref.", "Trussel", "Konsekvens", "Sandsynlighed", "Foranstaltninger"],
        ["T1", "Besked til forkert modtager", "Alvorlig", "Mulig", "Advarsel ved sending"],
        ["T2", "Uautoriseret adgang", "Meget alvorlig", "Usandsynlig", "To-faktor-login"],
    ];
    let mut xml = String::new();
    for (r, row) in rows.iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, v) in row.iter().enumerate() {
            xml.push_str(&text_cell(&format!("{}{}", (b'A' + c as u8) as char, r + 1), v));
        }
        xml.push_str("</row>");
    }
    xlsx(&worksheet(Some("A1:E3"), &xml))
}

/// A few KB claiming the whole sheet: `<dimension ref="A1:XFD1048576">`, and a value in A1
/// and in XFD1048576 — calamine would allocate every cell between (≈ 17 billion).
pub fn xlsx_far_cells() -> Vec<u8> {
    let rows = format!(r#"<row r="1">{}</row><row r="1048576">{}</row>"#, text_cell("A1", "Ref."), text_cell("XFD1048576", "x"));
    xlsx(&worksheet(Some("A1:XFD1048576"), &rows))
}

/// Only the dimension claims the whole sheet; the cells are a small table (harmless).
pub fn xlsx_dimension_only() -> Vec<u8> {
    let rows = format!(r#"<row r="1">{}{}</row>"#, text_cell("A1", "Ref."), text_cell("B1", "Trussel"));
    xlsx(&worksheet(Some("A1:XFD1048576"), &rows))
}

/// A `.xlsx` whose shared strings inflate to `inflated` bytes of spaces (a zip bomb: the file
/// is a thousandth of that).
pub fn xlsx_zip_bomb(inflated: usize) -> Vec<u8> {
    let mut sst = b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">".to_vec();
    sst.resize(sst.len() + inflated, b' ');
    sst.extend_from_slice(b"</sst>");
    xlsx_with(&worksheet(None, ""), &[("xl/sharedStrings.xml", &sst)])
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// An `.ods` with one table "Risici" holding `rows` (`<table:table-row>` elements).
pub fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Risici">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", MANIFEST.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

/// An `.ods` string cell, repeated `repeat` times across.
pub fn ods_cell(text: &str, repeat: &str) -> String {
    format!(r#"<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#)
}

/// One filled cell repeated over the whole sheet: 1 048 576 rows × 16 384 columns.
pub fn ods_repeat_bomb() -> Vec<u8> {
    ods(&format!(r#"<table:table-row table:number-rows-repeated="1048576">{}</table:table-row>"#, ods_cell("x", "16384")))
}

/// A CSV whose one line has `columns` fields.
pub fn csv_wide(columns: usize) -> Vec<u8> {
    let mut line = b"Ref.;Trussel".to_vec();
    line.extend(std::iter::repeat_n(b';', columns));
    line.push(b'\n');
    line
}
