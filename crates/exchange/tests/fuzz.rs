//! Fuzz harnesses (stable Rust, proptest) for the decoders of this crate and the JSON
//! interchange import: each feeds random and mutated input and asserts "no panic, and Ok or
//! a clean error" — quickly. Case counts are bounded for CI (a few seconds each in debug);
//! `PROPTEST_CASES=20000 cargo test -p konsekvens-exchange --test fuzz` runs longer.
//! What they found is recorded in the crate README ("Hostile files").

#[path = "common/bombs.rs"]
mod bombs;

use konsekvens_exchange::sheet::{read_bytes, SheetFormat};
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn testdata(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)).unwrap()
}

/// A sheet read from `bytes` goes on through the mapping proposal and the row parser, as in
/// `import sheet`; an error anywhere must be a value with a message, never a panic.
fn read_all_the_way(name: &str, format: SheetFormat, bytes: Vec<u8>) {
    match read_bytes(Path::new(name), format, bytes) {
        Ok(wb) => {
            for sheet in &wb.sheets {
                let proposal = konsekvens_exchange::propose(sheet);
                let _ = konsekvens_exchange::parse::parse(sheet, &proposal.mapping);
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Byte-level mutations: flip, overwrite with an interesting byte, delete a span, insert
/// a span, truncate.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just(b"-1".to_vec()),
        Just(b"18446744073709551616".to_vec()),
        Just(b"99999999999".to_vec()),
        Just(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_vec()),
        Just(b"{\"a\":{\"a\":{\"a\":".to_vec()),
        Just(b"\"\\u0000\\ud800\"".to_vec()),
        Just(b"1e999999".to_vec()),
        Just(vec![0xFF, 0xFE, 0x00]),
        prop::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<usize>(), prop::sample::select(vec![0u8, b'"', b'<', b'>', b'-', b'9', b'{', b'[', b';', b'\n', 0xFF])).prop_map(|(i, x)| Mutation::Set(i, x)),
        (any::<usize>(), 1..64usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(i, x) => {
                if let Some(b) = bytes.get_mut(i % len) {
                    *b ^= x;
                }
            }
            Mutation::Set(i, x) => {
                if let Some(b) = bytes.get_mut(i % len) {
                    *b = *x;
                }
            }
            Mutation::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Mutation::Insert(i, t) => {
                let at = (i % len).min(bytes.len());
                bytes.splice(at..at, t.iter().copied());
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
        }
    }
    bytes
}

// ---- sheets ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn random_bytes_as_any_sheet_format(bytes in prop::collection::vec(any::<u8>(), 0..2048), kind in 0..3u8) {
        let (name, format) = [("x.xlsx", SheetFormat::Xlsx), ("x.ods", SheetFormat::Ods), ("x.csv", SheetFormat::Csv)][kind as usize];
        read_all_the_way(name, format, bytes);
    }

    #[test]
    fn random_zip_archives_with_random_parts(parts in prop::collection::vec(("(xl/worksheets/sheet1.xml|content.xml|xl/workbook.xml|xl/sharedStrings.xml|mimetype|\\[Content_Types\\].xml)", prop::collection::vec(any::<u8>(), 0..256)), 0..6), ods in any::<bool>()) {
        let entries: Vec<(&str, &[u8])> = parts.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<_> = entries.into_iter().filter(|(n, _)| seen.insert(*n)).collect();
        let bytes = bombs::zip(&entries);
        let (name, format) = if ods { ("z.ods", SheetFormat::Ods) } else { ("z.xlsx", SheetFormat::Xlsx) };
        read_all_the_way(name, format, bytes);
    }
}

/// A cell reference: mostly plausible, sometimes at or past the sheet's edges, sometimes not
/// a reference at all.
fn cell_ref() -> impl Strategy<Value = String> {
    let col = prop_oneof![Just("A".to_owned()), Just("XFD".to_owned()), Just("XFE".to_owned()), Just("ZZZZZZZZZZZZZZ".to_owned()), "[A-Z]{1,3}"];
    let row = prop_oneof![Just("1".to_owned()), Just("1048576".to_owned()), Just("1048577".to_owned()), Just("4294967295".to_owned()), Just("99999999999999999999".to_owned()), Just("0".to_owned()), (1..2000u32).prop_map(|r| r.to_string())];
    prop_oneof![8 => (col, row).prop_map(|(c, r)| format!("{c}{r}")), 1 => "[A-Z0-9$:-]{0,8}"]
}

fn xlsx_cell() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        "[a-zæøå ]{0,12}".prop_map(|t| format!("<is><t>{t}</t></is>")),
        (-1e9f64..1e9).prop_map(|n| format!("<v>{n}</v>")),
        Just("<v>#N/A</v>".to_owned()),
        Just("<f>SUM(A1:XFD1048576)</f><v>1</v>".to_owned()),
        Just(String::new()),
    ];
    let t = prop::sample::select(vec!["inlineStr", "n", "s", "b", "e", "str", "d", "x"]);
    (prop::option::of(cell_ref()), t, value).prop_map(|(r, t, v)| match r {
        Some(r) => format!(r#"<c r="{r}" t="{t}">{v}</c>"#),
        None => format!(r#"<c t="{t}">{v}</c>"#),
    })
}

fn ods_count() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (1..4u32).prop_map(|n| n.to_string()),
        1 => Just("1024".to_owned()),
        1 => Just("16384".to_owned()),
        1 => Just("1048576".to_owned()),
        1 => Just("18446744073709551615".to_owned()),
        1 => Just("0".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("x".to_owned()),
    ]
}

proptest! {
    #![proptest_config(config(300))]

    /// Valid workbooks with cells placed anywhere, including past the sheet's edges and
    /// with rows without numbers; a huge `<dimension>` sometimes.
    #[test]
    fn xlsx_with_cells_anywhere(rows in prop::collection::vec((prop::option::of(prop_oneof![Just("1048576".to_owned()), (1..3000u32).prop_map(|r| r.to_string()), Just("x".to_owned()), Just("99999999999".to_owned())]), prop::collection::vec(xlsx_cell(), 0..6)), 0..8), dim in prop::option::of(prop_oneof![Just("A1:XFD1048576"), Just("A1:E3"), Just("ZZZ"), Just("A1:ZZZZZZZZZZZZZZZ1"), Just("A1:B99999999999")])) {
        let xml: String = rows
            .iter()
            .map(|(r, cells)| match r {
                Some(r) => format!(r#"<row r="{r}">{}</row>"#, cells.concat()),
                None => format!("<row>{}</row>", cells.concat()),
            })
            .collect();
        read_all_the_way("f.xlsx", SheetFormat::Xlsx, bombs::xlsx(&bombs::worksheet(dim, &xml)));
    }

    /// Tables with row and column repeats, from one to past the sheet and not numbers at all.
    #[test]
    fn ods_with_repeats(rows in prop::collection::vec((ods_count(), prop::collection::vec((ods_count(), "[a-zø]{0,6}", any::<bool>()), 0..5)), 0..6)) {
        let xml: String = rows
            .iter()
            .map(|(rr, cells)| {
                let cells: String = cells
                    .iter()
                    .map(|(cr, text, filled)| {
                        if *filled {
                            bombs::ods_cell(text, cr)
                        } else {
                            format!(r#"<table:table-cell table:number-columns-repeated="{cr}"/>"#)
                        }
                    })
                    .collect();
                format!(r#"<table:table-row table:number-rows-repeated="{rr}">{cells}</table:table-row>"#)
            })
            .collect();
        read_all_the_way("f.ods", SheetFormat::Ods, bombs::ods(&xml));
    }

    /// CSV from its own alphabet: delimiters, quotes, line breaks, a BOM, bytes that are not UTF-8.
    #[test]
    fn csv_from_its_own_alphabet(parts in prop::collection::vec(prop_oneof![Just(b";".to_vec()), Just(b",".to_vec()), Just(b"\t".to_vec()), Just(b"\"".to_vec()), Just(b"\n".to_vec()), Just(b"\r\n".to_vec()), Just(b"\xEF\xBB\xBF".to_vec()), Just(vec![0xE6]), "[A-Za-z0-9 ]{1,8}".prop_map(String::into_bytes)], 0..200)) {
        read_all_the_way("f.csv", SheetFormat::Csv, parts.concat());
    }

    /// The real test sheets, mutated (most mutations of a zip archive fail its checksums;
    /// those in the stored central directory and headers reach calamine).
    #[test]
    fn the_test_sheets_mutated(kind in 0..3u8, mutations in prop::collection::vec(mutation(), 1..4)) {
        let (name, format) = [("KOMBIT-Beskeder.xlsx", SheetFormat::Xlsx), ("KOMBIT-Beskeder.ods", SheetFormat::Ods), ("KOMBIT-Beskeder.csv", SheetFormat::Csv)][kind as usize];
        read_all_the_way(name, format, mutate(testdata(name), &mutations));
    }
}

// ---- JSON: the interchange format and CNIL PIA exports --------------------------------

/// `konsekvens export json` of the bundled sample.
fn interchange_json() -> &'static str {
    static J: OnceLock<String> = OnceLock::new();
    J.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let env = std::sync::Arc::new(konsekvens_core::FixedEnv::new(1_700_000_000_000, 7));
        let ws = konsekvens_core::Workspace::create_demo(&dir.path().join("demo.konsekvens"), env).unwrap();
        konsekvens_core::interchange::JointDpiaFile::from_workspace(&ws).unwrap().to_json()
    })
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn interchange_json_mutated(mutations in prop::collection::vec(mutation(), 1..6)) {
        let text = String::from_utf8_lossy(&mutate(interchange_json().as_bytes().to_vec(), &mutations)).into_owned();
        if let Err(e) = konsekvens_core::interchange::JointDpiaFile::from_json(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn cnil_export_mutated(mutations in prop::collection::vec(mutation(), 1..6)) {
        let text = String::from_utf8_lossy(&mutate(testdata("cnil-pia-aula.json"), &mutations)).into_owned();
        if let Err(e) = konsekvens_exchange::cnil::parse(Path::new("pia.json"), &text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn random_text_as_json(text in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,400}") {
        let _ = konsekvens_core::interchange::JointDpiaFile::from_json(&text);
        let _ = konsekvens_exchange::cnil::parse(Path::new("x.json"), &text);
    }
}
