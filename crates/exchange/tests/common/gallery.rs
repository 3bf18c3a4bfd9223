//! The gallery: supplier risk sheets shaped as DPOs meet them, made here in code (not by
//! hand) — title blocks, two-row headers, merged threat cells, overall levels, several
//! measure columns, dates, fill colours, numeric scales, hidden rows, notes, «Ingen», CSV
//! as Danish Excel writes it. `tests/gallery.rs` imports each and checks what a DPO
//! expects; `examples/make_gallery.rs` writes them to a folder to open in Excel or
//! LibreOffice.

#![allow(dead_code)]

use rust_xlsxwriter::{Color, Format, FormatPattern, Workbook};

/// One cell as a sheet author writes it.
#[derive(Clone, Debug)]
pub enum C {
    T(&'static str),
    S(String),
    N(f64),
    /// No text, only a fill colour (0xRRGGBB).
    Fill(u32),
    /// Text on a fill colour (a legend's entry, or a worded rating cell that is coloured too).
    FillText(u32, &'static str),
    E,
}

pub use C::*;

/// A sheet: its rows, merged regions (first row, first col, last row, last col; 0-based)
/// and hidden rows.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    pub name: String,
    pub rows: Vec<Vec<C>>,
    pub merges: Vec<(u32, u16, u32, u16)>,
    pub hidden: Vec<u32>,
}

impl Grid {
    pub fn new(name: &str) -> Grid {
        Grid { name: name.into(), ..Grid::default() }
    }
    pub fn row(mut self, cells: Vec<C>) -> Grid {
        self.rows.push(cells);
        self
    }
    pub fn text(self, cells: &[&'static str]) -> Grid {
        self.row(cells.iter().map(|c| if c.is_empty() { E } else { T(c) }).collect())
    }
    pub fn blank(self) -> Grid {
        self.row(vec![])
    }
    pub fn merge(mut self, r0: u32, c0: u16, r1: u32, c1: u16) -> Grid {
        self.merges.push((r0, c0, r1, c1));
        self
    }
    pub fn hide(mut self, row: u32) -> Grid {
        self.hidden.push(row);
        self
    }
}

/// How the file is written.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Xlsx,
    /// Danish Excel's «CSV (semikolonsepareret)»: Windows-1252, `;`, CRLF.
    Csv1252,
    /// «CSV UTF-8»: a BOM, `;`, CRLF.
    CsvUtf8Bom,
    /// «Unicode-tekst»: UTF-16LE with a BOM, tabs, CRLF, saved as .txt.
    Utf16Txt,
}

pub fn xlsx(grids: &[Grid]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for g in grids {
        let ws = wb.add_worksheet();
        ws.set_name(&g.name).unwrap();
        let merged = |r: u32, c: u16| g.merges.iter().any(|(r0, c0, r1, c1)| (*r0..=*r1).contains(&r) && (*c0..=*c1).contains(&c));
        for (r, row) in g.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if merged(r, c) {
                    continue;
                }
                match cell {
                    T(t) => drop(ws.write_string(r, c, *t).unwrap()),
                    S(t) => drop(ws.write_string(r, c, t).unwrap()),
                    N(n) => drop(ws.write_number(r, c, *n).unwrap()),
                    Fill(rgb) => drop(ws.write_blank(r, c, &Format::new().set_pattern(FormatPattern::Solid).set_background_color(Color::RGB(*rgb))).unwrap()),
                    FillText(rgb, text) => drop(ws.write_string_with_format(r, c, *text, &Format::new().set_pattern(FormatPattern::Solid).set_background_color(Color::RGB(*rgb))).unwrap()),
                    E => {}
                }
            }
        }
        for (r0, c0, r1, c1) in &g.merges {
            let text = match g.rows.get(*r0 as usize).and_then(|r| r.get(*c0 as usize)) {
                Some(T(t)) => t.to_string(),
                Some(S(t)) => t.clone(),
                Some(N(n)) => n.to_string(),
                _ => String::new(),
            };
            ws.merge_range(*r0, *c0, *r1, *c1, &text, &Format::new()).unwrap();
        }
        for r in &g.hidden {
            ws.set_row_hidden(*r).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The grid as CSV text (merges are only their first cell, as Excel saves them).
pub fn csv_text(g: &Grid, sep: char, decimal_comma: bool) -> String {
    let mut out = String::new();
    for row in &g.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let t = match c {
                    T(t) => t.to_string(),
                    S(t) => t.clone(),
                    N(n) if decimal_comma => format!("{n:.1}").replace('.', ","),
                    N(n) => n.to_string(),
                    Fill(_) | E => String::new(),
                    FillText(_, t) => (*t).to_owned(),
                };
                if t.contains([sep, '"', '\n', '\r']) { format!("\"{}\"", t.replace('"', "\"\"")) } else { t }
            })
            .collect();
        out.push_str(&cells.join(&sep.to_string()));
        out.push_str("\r\n");
    }
    out
}

pub fn bytes(kind: Kind, grids: &[Grid]) -> Vec<u8> {
    match kind {
        Kind::Xlsx => xlsx(grids),
        Kind::Csv1252 => encoding_rs::WINDOWS_1252.encode(&csv_text(&grids[0], ';', true)).0.into_owned(),
        Kind::CsvUtf8Bom => {
            let mut b = b"\xEF\xBB\xBF".to_vec();
            b.extend(csv_text(&grids[0], ';', true).as_bytes());
            b
        }
        Kind::Utf16Txt => {
            let mut b = vec![0xFF, 0xFE];
            b.extend(csv_text(&grids[0], '\t', true).encode_utf16().flat_map(u16::to_le_bytes));
            b
        }
    }
}

pub fn extension(kind: Kind) -> &'static str {
    match kind {
        Kind::Xlsx => "xlsx",
        Kind::Csv1252 | Kind::CsvUtf8Bom => "csv",
        Kind::Utf16Txt => "txt",
    }
}

// ---- the threats every sheet carries, in its own words -----------------------------------------

pub const T1: &str = "Besked sendt til forkert modtager";
pub const T2: &str = "Følsom besked uden markering";
pub const T3: &str = "Forældet gruppemedlemskab";
pub const T4: &str = "Delt enhed i hjemmet";

/// A title block as suppliers write it: key/value pairs on a line, a blank row, a logo row
/// (empty but for a picture), a note.
pub fn title_block(g: Grid, supplier: &'static str, version: &'static str) -> Grid {
    g.text(&["Leverandør:", supplier, "Version:", version, "Dato:", "14.03.2026"])
        .blank()
        .text(&["", "", "", "", "", "", "[logo]"])
        .text(&["Risikovurdering af modulet Beskeder. Vurderingen bygger på ISO 27005 og KOMBITs trusselskatalog; se bilag 2 for skalaerne."])
        .blank()
}
