//! Which sheet was imported: its identity as the sheet itself states it (the supplier,
//! version and date in the title block above the header row: «Leverandør: | Netcompany
//! A/S | Version: | 2.1 | Dato: | 14.03.2026») and a fingerprint of its content. The import
//! keeps both, with the sheet's threats, as a `SupplierSheet` in the workspace, so the check
//! can tell a reference that points nowhere (`core::check::supplier`).

use crate::sheet::{Sheet, Value};
use sha2::{Digest, Sha256};

/// What a sheet says about itself above its header row. Empty where it says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetIdentity {
    pub supplier: String,
    pub version: String,
    /// As written («14.03.2026», «marts 2026»): a date is kept as the sheet gives it.
    pub date: String,
}

/// What a title block's key cell names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Supplier,
    Version,
    Date,
}

fn key_of(text: &str) -> Option<Key> {
    let t = text.trim().trim_end_matches([':', '.']).trim().to_lowercase();
    match t.as_str() {
        "leverandør" | "leverandor" | "leverandøren" | "supplier" | "vendor" | "udarbejdet af" | "prepared by" | "udgiver" | "kilde" | "source" | "dataansvarlig leverandør" => Some(Key::Supplier),
        "version" | "versionsnummer" | "ver" | "rev" | "revision" | "udgave" => Some(Key::Version),
        "dato" | "date" | "udarbejdet" | "senest opdateret" | "opdateret" | "last updated" | "versionsdato" | "version date" | "godkendt" => Some(Key::Date),
        _ => None,
    }
}

/// At most this many rows above the header are read (as the header row is looked for).
const TITLE_ROWS: u32 = 40;
/// And this many columns of each.
const TITLE_COLUMNS: u32 = 32;

/// Reads the title block above the header row (`header_row` 1-based, as `ParsedSheet` says
/// it): a key cell («Version:») followed by its value in the same cell («Version: 2.1») or
/// in the next filled cell of the row. The first value of each key counts.
pub fn sheet_identity(sheet: &Sheet, header_row: u32) -> SheetIdentity {
    let mut id = SheetIdentity::default();
    let rows = header_row.saturating_sub(1).min(TITLE_ROWS);
    for row in 0..rows {
        let width = sheet.width().min(TITLE_COLUMNS);
        let mut col = 0;
        while col < width {
            let cell = sheet.get(row, col);
            col += 1;
            let Value::Text(text) = cell else { continue };
            let (key, inline) = match text.split_once(':') {
                Some((k, v)) if key_of(k).is_some() && !v.trim().is_empty() => (key_of(k), Some(v.trim().to_owned())),
                _ => (key_of(text), None),
            };
            let Some(key) = key else { continue };
            let value = match inline {
                Some(v) => v,
                None => {
                    let next = (col..width).find(|c| !sheet.get(row, *c).is_blank());
                    match next {
                        // a key right after a key is no value
                        Some(c) if !matches!(sheet.get(row, c), Value::Text(t) if key_of(t).is_some()) => {
                            col = c + 1;
                            sheet.get(row, c).text()
                        }
                        _ => continue,
                    }
                }
            };
            let slot = match key {
                Key::Supplier => &mut id.supplier,
                Key::Version => &mut id.version,
                Key::Date => &mut id.date,
            };
            if slot.is_empty() {
                *slot = value.chars().take(200).collect();
            }
        }
    }
    id
}

/// SHA-256 (hex) of the sheet's content as read: each filled cell's position and text.
/// The same content saved as `.xlsx`, `.ods` or CSV has the same fingerprint; a changed
/// cell gives another.
pub fn content_fingerprint(sheet: &Sheet) -> String {
    let mut h = Sha256::new();
    for row in 0..sheet.height() {
        for col in 0..sheet.width() {
            let v = sheet.get(row, col);
            if !v.is_blank() {
                h.update(format!("{row}\t{col}\t{}\n", v.text()).as_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn the_title_block_names_supplier_version_and_date_in_either_layout() {
        let s = Sheet::from_rows("Beskeder", vec![
            vec![t("Risikovurdering af Aula — Beskeder")],
            vec![t("Leverandør:"), t("Netcompany A/S"), Value::Empty, t("Version:"), Value::Number(2.1)],
            vec![t("Dato: 14.03.2026")],
            vec![],
            vec![t("Ref."), t("Trussel"), t("Konsekvens")],
        ]);
        let id = sheet_identity(&s, 5);
        assert_eq!(id, SheetIdentity { supplier: "Netcompany A/S".into(), version: "2.1".into(), date: "14.03.2026".into() });
        // below the header nothing counts, and a sheet without a title block has no identity
        let bare = Sheet::from_rows("x", vec![vec![t("Ref."), t("Trussel")], vec![t("Version"), t("9")]]);
        assert_eq!(sheet_identity(&bare, 1), SheetIdentity::default());
        // a key followed by another key is not its value
        let keys = Sheet::from_rows("x", vec![vec![t("Version"), t("Dato"), t("1.3.2026")], vec![t("Ref.")]]);
        assert_eq!(sheet_identity(&keys, 2), SheetIdentity { date: "1.3.2026".into(), ..Default::default() });
    }

    #[test]
    fn the_fingerprint_follows_the_content_not_the_format() {
        let a = Sheet::from_rows("a", vec![vec![t("Ref."), t("Trussel")], vec![t("T1"), t("Fejlsendt")]]);
        let b = Sheet::from_rows("b", vec![vec![t("Ref."), t("Trussel"), Value::Empty], vec![t("T1"), t(" Fejlsendt ")]]);
        let c = Sheet::from_rows("a", vec![vec![t("Ref."), t("Trussel")], vec![t("T1"), t("Fejlsendt besked")]]);
        assert_eq!(content_fingerprint(&a), content_fingerprint(&b));
        assert_ne!(content_fingerprint(&a), content_fingerprint(&c));
        assert_eq!(content_fingerprint(&a).len(), 64);
    }
}
