//! Allocation bombs and oversized files: every importer refuses them quickly, with a Danish
//! message that names the file (and sheet) and the limit, before allocating by what the file
//! claims. The files are made in code (common/bombs.rs).

#[path = "common/bombs.rs"]
mod bombs;

use konsekvens_exchange::limits::{self, LimitError};
use konsekvens_exchange::sheet::{read_bytes, SheetFormat};
use konsekvens_exchange::SheetError;
use std::path::Path;
use std::time::{Duration, Instant};

/// Reads `bytes` as `name` and returns the error, asserting it came fast.
fn refused(name: &str, format: SheetFormat, bytes: Vec<u8>) -> SheetError {
    let start = Instant::now();
    let result = read_bytes(Path::new(name), format, bytes);
    assert!(start.elapsed() < Duration::from_secs(20), "{name}: took {:?}", start.elapsed());
    match result {
        Ok(wb) => panic!("{name} was read ({} sheets)", wb.sheets.len()),
        Err(e) => e,
    }
}

#[test]
fn the_valid_sheet_made_in_code_reads() {
    let wb = read_bytes(Path::new("risici.xlsx"), SheetFormat::Xlsx, bombs::xlsx_valid()).unwrap();
    let sheet = wb.sheet(None).unwrap();
    assert_eq!(sheet.name, "Risici");
    assert_eq!(sheet.get(2, 4).text(), "To-faktor-login");
    let ods = read_bytes(Path::new("risici.ods"), SheetFormat::Ods, bombs::ods(&format!("<table:table-row>{}</table:table-row>", bombs::ods_cell("Ref.", "3")))).unwrap();
    assert_eq!(ods.sheet(None).unwrap().get(0, 2).text(), "Ref.");
}

#[test]
fn xlsx_cells_far_apart_are_refused_naming_the_sheet_and_the_limit() {
    let e = refused("leverandør.xlsx", SheetFormat::Xlsx, bombs::xlsx_far_cells());
    assert!(matches!(e, SheetError::Limit(LimitError::SheetTooLarge { rows: 1_048_576, columns: 16_384, .. })), "{e:?}");
    let text = e.to_string();
    assert!(text.starts_with("[K-FIL-ARK-FOR-STORT] leverandør.xlsx: arket «Risici»"), "{text}");
    assert!(text.contains("1000000 celler"), "{text}");
}

#[test]
fn a_dimension_claiming_the_whole_sheet_alone_allocates_nothing_and_reads() {
    // calamine reserves by <dimension> only below 100 000 cells; the cells decide the area
    let start = Instant::now();
    let wb = read_bytes(Path::new("x.xlsx"), SheetFormat::Xlsx, bombs::xlsx_dimension_only()).unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(wb.sheet(None).unwrap().width(), 2);
}

#[test]
fn ods_repeats_over_the_whole_sheet_are_refused() {
    let e = refused("risici.ods", SheetFormat::Ods, bombs::ods_repeat_bomb());
    assert!(matches!(e, SheetError::Limit(LimitError::SheetTooLarge { .. })), "{e:?}");
    assert!(e.to_string().contains("arket «Risici»"), "{e}");
    // a column repeat alone: 16 384 filled columns × 100 rows is over the cell limit too
    let wide = bombs::ods(&format!(r#"<table:table-row table:number-rows-repeated="100">{}</table:table-row>"#, bombs::ods_cell("x", "16384")));
    assert!(matches!(refused("w.ods", SheetFormat::Ods, wide), SheetError::Limit(LimitError::SheetTooLarge { .. })));
    // and a repeat count that is not a number is refused by calamine, not read as 1
    let odd = bombs::ods(&format!(r#"<table:table-row table:number-rows-repeated="-5">{}</table:table-row>"#, bombs::ods_cell("x", "1")));
    assert!(read_bytes(Path::new("o.ods"), SheetFormat::Ods, odd).is_err());
}

#[test]
fn a_zip_bomb_is_refused_by_what_it_really_inflates() {
    let bomb = bombs::xlsx_zip_bomb(limits::MAX_ENTRY_BYTES as usize + 1024);
    assert!(bomb.len() < 1024 * 1024, "the bomb is small: {} bytes", bomb.len());
    let e = refused("bombe.xlsx", SheetFormat::Xlsx, bomb.clone());
    let text = e.to_string();
    assert!(text.starts_with("[K-FIL-ZIP-BOMBE] bombe.xlsx: delen «xl/sharedStrings.xml»"), "{text}");
    // the same bomb with its declared sizes rewritten to 1 000 bytes: refused while inflating
    let lying = lie_about_sizes(&bomb, "xl/sharedStrings.xml", 1000);
    let e = refused("løgn.xlsx", SheetFormat::Xlsx, lying);
    assert!(e.to_string().contains("[K-FIL-ZIP-BOMBE]") || e.to_string().contains("løgn.xlsx"), "{e}");
}

/// Rewrites the uncompressed size of `entry` in its local header and the central directory.
fn lie_about_sizes(zip: &[u8], entry: &str, size: u32) -> Vec<u8> {
    let mut out = zip.to_vec();
    let name = entry.as_bytes();
    for (sig, size_at, name_len_at, name_at) in [(b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)] {
        let mut i = 0;
        while i + name_at <= out.len() {
            if &out[i..i + 4] == sig {
                let n = u16::from_le_bytes([out[i + name_len_at], out[i + name_len_at + 1]]) as usize;
                if out.get(i + name_at..i + name_at + n) == Some(name) {
                    out[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
                }
            }
            i += 1;
        }
    }
    out
}

#[test]
fn csv_with_too_many_columns_or_cells_is_refused() {
    let e = refused("bred.csv", SheetFormat::Csv, bombs::csv_wide(20_000));
    assert!(e.to_string().starts_with("[K-FIL-ARK-FOR-STORT] bred.csv: arket «bred.csv»"), "{e}");
    // many short rows: over the cell limit
    let many = "a;b;c\n".repeat(limits::MAX_CELLS as usize / 3 + 10);
    assert!(matches!(refused("lang.csv", SheetFormat::Csv, many.into_bytes()), SheetError::Limit(LimitError::SheetTooLarge { .. })));
    // one gigantic line within the file limit reads (one cell), bounded by the file's size
    let mut big = b"Ref.;".to_vec();
    big.resize(8 * 1024 * 1024, b'x');
    let wb = read_bytes(Path::new("stor.csv"), SheetFormat::Csv, big).unwrap();
    assert_eq!(wb.sheets[0].width(), 2);
}

#[test]
fn files_over_the_size_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("stor.csv");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(limits::MAX_SHEET_FILE_BYTES + 1).unwrap(); // sparse: nothing written
    let e = konsekvens_exchange::read_workbook(&p).unwrap_err().to_string();
    assert!(e.starts_with("[K-FIL-FOR-STOR]") && e.contains("stor.csv") && e.contains(&limits::MAX_SHEET_FILE_BYTES.to_string()), "{e}");
    let j = dir.path().join("pia.json");
    std::fs::File::create(&j).unwrap().set_len(limits::MAX_JSON_BYTES + 1).unwrap();
    let e = konsekvens_exchange::cnil::read(&j).unwrap_err().to_string();
    assert!(e.starts_with("[K-FIL-FOR-STOR]") && e.contains("pia.json"), "{e}");
}

#[test]
fn deeply_nested_json_is_a_clean_error() {
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    assert!(konsekvens_exchange::cnil::parse(Path::new("dyb.json"), &deep).is_err());
    let deep_obj = format!(r#"{{"format":"konsekvens/joint-dpia","version":1,"base":{}{}}}"#, r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    assert!(konsekvens_core::interchange::JointDpiaFile::from_json(&deep_obj).is_err());
}
