//! A mapping says which column of a risk sheet holds which field of our risk register, and
//! which of the sheet's words mean which step of our scales. It is plain JSON (format
//! `konsekvens/sheet-mapping`, version 1; see the crate README), proposed from the header
//! row when the user has none, and kept beside the workspace keyed by the header row's
//! fingerprint so the next sheet of the same shape is read the same way.

use crate::sheet::{column_letter, Sheet, Value};
use konsekvens_core::model::{Consequence, Dimension, Likelihood, MeasureKind, MeasureStatus, Owner, RiskSource};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "konsekvens/sheet-mapping";
pub const VERSION: u32 = 1;
const STORE_FORMAT: &str = "konsekvens/sheet-mappings";

/// Columns are named by their header text; the n-th of several equal headers is
/// `"Begrundelse#2"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Columns {
    /// The sheet's own reference of the threat (T1, 3.2 …): how a re-import finds the risk.
    pub reference: Option<String>,
    pub title: Option<String>,
    /// A longer description of the threat.
    pub threat: Option<String>,
    /// Module name(s), matched to the DPIA's modules by name; several separated by , or ;.
    pub module: Option<String>,
    pub process: Option<String>,
    /// Which of confidentiality/integrity/availability a row rates (F/I/T, C/I/A, words).
    pub dimension: Option<String>,
    pub consequence: Option<String>,
    pub consequence_reason: Option<String>,
    pub likelihood: Option<String>,
    pub likelihood_reason: Option<String>,
    /// One reason for both consequence and likelihood.
    pub reason: Option<String>,
    pub residual_consequence: Option<String>,
    pub residual_consequence_reason: Option<String>,
    pub residual_likelihood: Option<String>,
    pub residual_likelihood_reason: Option<String>,
    /// One reason for both residual ratings.
    pub residual_reason: Option<String>,
    /// Measures, one per line of the cell.
    pub measure: Option<String>,
    /// Measures the sheet recommends or plans («Anbefalede foranstaltninger»): planned
    /// unless the status column says otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommended_measure: Option<String>,
    pub owner: Option<String>,
    pub status: Option<String>,
    pub planned_date: Option<String>,
    pub measure_kind: Option<String>,
}

/// Ratings in their own columns per dimension ("Konsekvens (F)", "Sandsynlighed (I)" …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DimensionColumns {
    pub consequence: Option<String>,
    pub consequence_reason: Option<String>,
    pub likelihood: Option<String>,
    pub likelihood_reason: Option<String>,
    pub residual_consequence: Option<String>,
    pub residual_likelihood: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Always "konsekvens/sheet-mapping".
    pub format: String,
    pub version: u32,
    /// The header row (1 = the first row); without it, the first row with three or more
    /// filled cells.
    #[serde(default)]
    pub header_row: Option<u32>,
    /// Fingerprint of the header row the mapping was made for (the key it is saved under).
    #[serde(default)]
    pub fingerprint: String,
    #[serde(default)]
    pub columns: Columns,
    #[serde(default)]
    pub per_dimension: BTreeMap<Dimension, DimensionColumns>,
    /// The dimensions a rating is taken to rate when the sheet names none.
    #[serde(default)]
    pub default_dimensions: Vec<Dimension>,
    /// Where the risks come from (kombit, supplier …); the check then treats them as
    /// supplier risks every municipality must address.
    #[serde(default)]
    pub risk_source: Option<RiskSource>,
    /// The sheet's words (lower case) for our scales; words not listed fall back to our own
    /// unambiguous ones (begrænset … ødelæggende, usandsynlig … forventet, 1–4, English).
    #[serde(default)]
    pub consequence_words: BTreeMap<String, Consequence>,
    #[serde(default)]
    pub likelihood_words: BTreeMap<String, Likelihood>,
    #[serde(default)]
    pub dimension_words: BTreeMap<String, Dimension>,
    #[serde(default)]
    pub status_words: BTreeMap<String, MeasureStatus>,
    #[serde(default)]
    pub kind_words: BTreeMap<String, MeasureKind>,
    #[serde(default)]
    pub owner_words: BTreeMap<String, Owner>,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            format: FORMAT.into(),
            version: VERSION,
            header_row: None,
            fingerprint: String::new(),
            columns: Columns::default(),
            per_dimension: BTreeMap::new(),
            default_dimensions: Vec::new(),
            risk_source: None,
            consequence_words: BTreeMap::new(),
            likelihood_words: BTreeMap::new(),
            dimension_words: BTreeMap::new(),
            status_words: BTreeMap::new(),
            kind_words: BTreeMap::new(),
            owner_words: BTreeMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not valid JSON at line {line}, column {column}: {message}", path.display())]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: at {at}: {message}", path.display())]
    Shape { path: PathBuf, at: String, message: String },
    #[error("{}: not a Konsekvens sheet mapping (format «{found}», expected «{expected}»)", path.display())]
    Format { path: PathBuf, found: String, expected: &'static str },
    #[error("{}: written by a newer Konsekvens (version {found}; this version reads {VERSION})", path.display())]
    Newer { path: PathBuf, found: u32 },
}

impl Mapping {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a mapping serialises");
        s.push('\n');
        s
    }

    /// Parses a mapping file's text, naming the JSON path of the first error.
    pub fn from_json(path: &Path, text: &str) -> Result<Mapping, MappingError> {
        let mapping: Mapping = parse_json(path, text)?;
        check_envelope(path, &mapping.format, FORMAT, mapping.version)?;
        Ok(mapping)
    }

    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Io { path: path.to_owned(), source })?;
        Mapping::from_json(path, &text)
    }

    /// Every column name the mapping uses, with the field it fills (for checking them
    /// against the sheet).
    pub fn named_columns(&self) -> Vec<(String, &String)> {
        let c = &self.columns;
        let mut out: Vec<(String, &String)> = [
            ("reference", &c.reference),
            ("title", &c.title),
            ("threat", &c.threat),
            ("module", &c.module),
            ("process", &c.process),
            ("dimension", &c.dimension),
            ("consequence", &c.consequence),
            ("consequence_reason", &c.consequence_reason),
            ("likelihood", &c.likelihood),
            ("likelihood_reason", &c.likelihood_reason),
            ("reason", &c.reason),
            ("residual_consequence", &c.residual_consequence),
            ("residual_consequence_reason", &c.residual_consequence_reason),
            ("residual_likelihood", &c.residual_likelihood),
            ("residual_likelihood_reason", &c.residual_likelihood_reason),
            ("residual_reason", &c.residual_reason),
            ("measure", &c.measure),
            ("recommended_measure", &c.recommended_measure),
            ("owner", &c.owner),
            ("status", &c.status),
            ("planned_date", &c.planned_date),
            ("measure_kind", &c.measure_kind),
        ]
        .into_iter()
        .filter_map(|(f, v)| v.as_ref().map(|v| (format!("columns.{f}"), v)))
        .collect();
        for (d, cols) in &self.per_dimension {
            let d = d.english();
            for (f, v) in [
                ("consequence", &cols.consequence),
                ("consequence_reason", &cols.consequence_reason),
                ("likelihood", &cols.likelihood),
                ("likelihood_reason", &cols.likelihood_reason),
                ("residual_consequence", &cols.residual_consequence),
                ("residual_likelihood", &cols.residual_likelihood),
            ] {
                if let Some(v) = v {
                    out.push((format!("per_dimension.{d}.{f}"), v));
                }
            }
        }
        out
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, MappingError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            MappingError::Syntax { path: path.to_owned(), line: inner.line(), column: inner.column(), message: strip_position(&inner.to_string()) }
        } else {
            MappingError::Shape { path: path.to_owned(), at, message: strip_position(&inner.to_string()) }
        }
    })
}

fn check_envelope(path: &Path, format: &str, expected: &'static str, version: u32) -> Result<(), MappingError> {
    if format != expected {
        return Err(MappingError::Format { path: path.to_owned(), found: format.to_owned(), expected });
    }
    if version > VERSION {
        return Err(MappingError::Newer { path: path.to_owned(), found: version });
    }
    Ok(())
}

fn strip_position(message: &str) -> String {
    message.find(" at line ").map(|i| message[..i].to_owned()).unwrap_or_else(|| message.to_owned())
}

// ---- words ---------------------------------------------------------------------------------

/// Lower case, trimmed, inner whitespace collapsed: how sheet words and headers are compared.
pub fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A scale cell's word: [`norm`], and a whole number written with a decimal comma or point
/// («3,0», «3.0») as the number («3»).
pub fn scale_word(s: &str) -> String {
    let w = norm(s);
    match w.replace(',', ".").parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e6 => format!("{}", f as i64),
        _ => w,
    }
}

/// «Ingen», «-», «n/a» …: the sheet says there is nothing here (no measure, no rating).
pub fn is_none_word(s: &str) -> bool {
    matches!(
        norm(s).trim_end_matches('.'),
        "-" | "–" | "—" | "--" | "n/a" | "na" | "n.a" | "i/r" | "ingen" | "ikke relevant" | "ikke aktuelt" | "none" | "not applicable" | "ingen foranstaltninger" | "ingen foranstaltning" | "ingen tiltag" | "no measures"
    )
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// Our own consequence words, Danish and English, and the CNIL gauge words: one step each.
pub fn builtin_consequence(word: &str) -> Option<Consequence> {
    use Consequence::*;
    Some(match norm(word).as_str() {
        "1" | "begrænset" | "ubetydelig" | "limited" | "negligible" | "minimal" => Limited,
        "2" | "alvorlig" | "moderat" | "betydelig" | "serious" | "moderate" | "significant" => Serious,
        "3" | "meget alvorlig" | "very serious" | "important" | "major" => VerySerious,
        "4" | "ødelæggende" | "katastrofal" | "devastating" | "catastrophic" | "maximum" | "maksimal" => Devastating,
        _ => return None,
    })
}

pub fn builtin_likelihood(word: &str) -> Option<Likelihood> {
    use Likelihood::*;
    Some(match norm(word).as_str() {
        "1" | "usandsynlig" | "meget usandsynlig" | "sjælden" | "unlikely" | "rare" => Unlikely,
        "2" | "mulig" | "possible" => Possible,
        "3" | "sandsynlig" | "likely" | "probable" => Likely,
        "4" | "forventet" | "meget sandsynlig" | "næsten sikker" | "expected" | "almost certain" | "certain" => Expected,
        _ => return None,
    })
}

/// Three-step words (lav/mellem/høj): not ours, so only the proposal maps them, and says so.
pub(crate) fn three_step(word: &str) -> Option<u8> {
    Some(match norm(word).as_str() {
        "lav" | "low" => 1,
        "mellem" | "middel" | "medium" => 2,
        "høj" | "high" => 3,
        "meget høj" | "very high" | "kritisk" | "critical" => 4,
        _ => return None,
    })
}

pub fn builtin_dimension(word: &str) -> Option<Dimension> {
    use Dimension::*;
    Some(match norm(word).as_str() {
        "f" | "c" | "k" | "fortrolighed" | "confidentiality" => Confidentiality,
        "i" | "integritet" | "integrity" => Integrity,
        "t" | "a" | "tilgængelighed" | "availability" => Availability,
        _ => return None,
    })
}

pub fn builtin_status(word: &str) -> Option<MeasureStatus> {
    use MeasureStatus::*;
    Some(match norm(word).as_str() {
        "gennemført" | "implementeret" | "etableret" | "i drift" | "eksisterende" | "ja" | "implemented" | "done" | "in place" | "existing" => Implemented,
        "planlagt" | "i gang" | "under implementering" | "planned" | "in progress" => Planned,
        "fravalgt" | "afvist" | "rejected" | "declined" => Rejected,
        _ => return None,
    })
}

pub fn builtin_kind(word: &str) -> Option<MeasureKind> {
    Some(match norm(word).as_str() {
        "teknisk" | "technical" | "t" => MeasureKind::Technical,
        "organisatorisk" | "organisational" | "organizational" | "o" => MeasureKind::Organisational,
        _ => return None,
    })
}

/// Owners are never unknown: an unmatched name is "other", with the name kept.
pub fn builtin_owner(word: &str) -> Owner {
    let w = norm(word);
    if w.contains("kombit") {
        Owner::Kombit
    } else if w.contains("kommune") || w.contains("municipality") || w.contains("skole") || w.contains("forvaltning") {
        Owner::Municipality
    } else if ["leverandør", "netcompany", "supplier", "vendor", "aws"].iter().any(|s| w.contains(s)) {
        Owner::Supplier
    } else {
        Owner::Other
    }
}

// ---- the header row ---------------------------------------------------------------------------

/// How many columns a header row candidate is scored by (no risk register is wider; a
/// hostile sheet 16 384 columns wide stays cheap).
const HEADER_SCORE_COLUMNS: u32 = 256;

/// How many rows from the top a header row is looked for in: title blocks, logos and notes
/// come first.
const HEADER_SEARCH_ROWS: u32 = 40;

/// The header row (0-based): the mapping's, else the one found by what its columns mean
/// ([`detect_header_row`]).
pub fn header_row(sheet: &Sheet, mapping_row: Option<u32>) -> Option<u32> {
    match mapping_row {
        Some(r) => r.checked_sub(1),
        None => detect_header_row(sheet),
    }
}

/// The row whose cells name the most fields of a risk register (reference, threat,
/// consequence, likelihood, measures …), among the first [`HEADER_SEARCH_ROWS`]: a title
/// block («Leverandør: | Netcompany A/S | Version: | 2.1») names almost none. A row
/// must name at least three fields, one of them a rating or a threat; without such a row,
/// the first row with three or more filled cells (so the proposal can say what it did not
/// recognise).
pub fn detect_header_row(sheet: &Sheet) -> Option<u32> {
    let last = sheet.height().min(HEADER_SEARCH_ROWS);
    let mut best: Option<(u32, u32)> = None;
    for r in 0..last {
        let score = header_score(sheet, r);
        if score > 0 && best.is_none_or(|(_, b)| score > b) {
            best = Some((r, score));
        }
    }
    best.map(|(r, _)| r).or_else(|| (0..last).find(|r| (0..sheet.width()).filter(|c| !sheet.get(*r, *c).is_blank()).count() >= 3))
}

/// Whether some row of the sheet heads a risk register (by what its columns mean).
pub fn looks_like_register(sheet: &Sheet) -> bool {
    (0..sheet.height().min(HEADER_SEARCH_ROWS)).any(|r| header_score(sheet, r) > 0)
}

/// A scale cell read leniently: the word itself, else without a leading step number or a
/// trailing parenthesis («4 - Ødelæggende», «Høj (3)»), else its leading number («3 –
/// sandsynlig» on a sheet whose words are not ours).
pub fn lenient<T>(word: &str, lookup: impl Fn(&str) -> Option<T>) -> Option<T> {
    if let Some(v) = lookup(word) {
        return Some(v);
    }
    let w = norm(word);
    let no_paren = w.split('(').next().unwrap_or(&w).trim().to_owned();
    let no_number = w.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches(['.', ')', ' ', '-', '–', ':']).trim().to_owned();
    let no_number = no_number.split('(').next().unwrap_or(&no_number).trim().to_owned();
    let number: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
    let inner: String = w.split('(').nth(1).map(|x| x.trim_end_matches(')').trim().to_owned()).unwrap_or_default();
    [no_paren, no_number, number, inner].into_iter().filter(|c| !c.is_empty() && *c != w).find_map(|c| lookup(&c))
}

/// How much a row looks like a risk register's header: distinct fields its cells name (a
/// rating and a threat or reference weigh more); 0 if it is not a header at all.
fn header_score(sheet: &Sheet, row: u32) -> u32 {
    let mut fields: Vec<Field> = Vec::new();
    for (_, h) in headers_within(sheet, row, HEADER_SCORE_COLUMNS) {
        // a header is a short label; long text, numbers and dates are data
        if h.chars().count() > 80 {
            continue;
        }
        if let Some(f) = classify(h.split('#').next().unwrap_or(&h)) {
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
    }
    let rating = fields.iter().any(|f| matches!(f, Field::Consequence(..) | Field::Likelihood(..) | Field::Level));
    let threat = fields.iter().any(|f| matches!(f, Field::Title | Field::Threat));
    let reference = fields.contains(&Field::Reference);
    if fields.len() < 3 || !(rating || threat) {
        return 0;
    }
    fields.len() as u32 + 3 * rating as u32 + 2 * threat as u32 + 2 * reference as u32
}

/// Words that head a group of columns in a two-row header («Fortrolighed» over
/// «Konsekvens | Sandsynlighed», «Restrisiko» over …, «Konsekvens» over «F | I | T»).
fn is_group_heading(text: &str) -> bool {
    let ws = words(text);
    let has = |w: &str| ws.iter().any(|x| x == w);
    ws.len() <= 3 && ws.iter().any(|w| w.len() > 1 && builtin_dimension(w).is_some())
        || ws.iter().any(|w| w.starts_with("rest") || w.starts_with("iboende") || w.starts_with("brutto") || w.starts_with("netto"))
        || has("residual")
        || has("inherent")
        || (has("før") || has("efter") || has("before") || has("after")) && ws.len() <= 4
        || ws.len() <= 2 && (text.to_lowercase().contains("konsekvens") || text.to_lowercase().contains("sandsynlighed") || has("impact") || has("likelihood"))
        || ws.len() <= 2 && (text.to_lowercase().contains("foranstaltning") || has("measures") || has("controls"))
        || ws.len() <= 2 && has("vurdering")
}

/// A header cell that names only a dimension (F, I, T, C, A or the word): it needs the
/// group above it to mean something.
fn is_dimension_only(text: &str) -> bool {
    let ws = words(text);
    ws.len() == 1 && builtin_dimension(&ws[0]).is_some()
}

/// What the row above a header row says, computed once per row: its filled cells and, per
/// column, the nearest filled cell at or left of it.
struct Above {
    row: u32,
    filled: usize,
    nearest_left: Vec<Option<u32>>,
}

impl Above {
    fn of(sheet: &Sheet, row: u32, width: u32) -> Option<Above> {
        let above = row.checked_sub(1)?;
        let mut nearest = None;
        let mut filled = 0;
        let nearest_left = (0..width)
            .map(|c| {
                if !sheet.get(above, c).is_blank() {
                    nearest = Some(c);
                    filled += 1;
                }
                nearest
            })
            .collect();
        Some(Above { row: above, filled, nearest_left })
    }
}

/// The text heading column `col` in the row above the header: a merged region over it,
/// the cell itself, or (where merges are not known: `.ods`, `.csv`) the nearest group
/// heading to its left with only blanks between.
fn band_text(sheet: &Sheet, above: &Above, col: u32) -> Option<(String, bool)> {
    let row = above.row;
    if let Some(m) = sheet.merge_at(row, col).filter(|m| m.last_row == row) {
        // a title merged over (most of) the table heads no group
        if m.first_col == 0 && (m.last_col + 1) * 4 >= sheet.width() * 3 {
            return None;
        }
        return Some((sheet.get(m.first_row, m.first_col).text(), true));
    }
    let own = sheet.get(row, col);
    if !own.is_blank() {
        // a group heading's merge is lost in .csv/.ods: it heads its cell and the blanks after
        return Some((own.text(), is_group_heading(&own.text())));
    }
    if sheet.merges_known || above.filled < 2 {
        return None;
    }
    let left = (*above.nearest_left.get(col as usize)?)?;
    let text = sheet.get(row, left).text();
    is_group_heading(&text).then_some((text, true))
}

/// One header cell's name, with a two-row header's group heading in front of it
/// («Fortrolighed Konsekvens»), or the heading itself over a blank cell (a header merged
/// down over both rows).
fn header_name(sheet: &Sheet, row: u32, col: u32, above: Option<&Above>) -> Option<String> {
    let own = sheet.get(row, col);
    if own.is_blank() {
        if let Some(m) = sheet.merged_down_over(row, col).filter(|m| m.last_col == col) {
            return Some(sheet.get(m.first_row, m.first_col).text());
        }
        if !sheet.merges_known {
            let above = above?;
            let text = sheet.get(above.row, col).text();
            return (above.filled >= 2 && !text.is_empty() && classify(&text).is_some() && !is_group_heading(&text)).then_some(text);
        }
        return None;
    }
    let own = own.text();
    match above.and_then(|a| band_text(sheet, a, col)) {
        Some((band, spans)) if (spans || is_dimension_only(&own)) && (is_group_heading(&band) || is_dimension_only(&own)) && norm(&band) != norm(&own) => {
            Some(format!("{band} {own}"))
        }
        _ => Some(own),
    }
}

/// The header cells of a row: (column, name as the mapping writes it).
pub fn headers(sheet: &Sheet, row: u32) -> Vec<(u32, String)> {
    headers_within(sheet, row, sheet.width())
}

fn headers_within(sheet: &Sheet, row: u32, width: u32) -> Vec<(u32, String)> {
    let width = width.min(sheet.width());
    let above = Above::of(sheet, row, width);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    (0..width)
        .filter_map(|c| {
            let text = header_name(sheet, row, c, above.as_ref())?;
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                return None;
            }
            let n = seen.entry(norm(&text)).or_default();
            *n += 1;
            Some((c, if *n == 1 { text } else { format!("{text}#{n}") }))
        })
        .collect()
}

/// SHA-256 over the normalised header names, shortened: the key a mapping is saved under.
pub fn fingerprint(headers: &[(u32, String)]) -> String {
    let joined = headers.iter().map(|(_, h)| norm(h)).collect::<Vec<_>>().join("\u{1f}");
    Sha256::digest(joined.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Finds a mapping's column name among the headers (case and spacing do not matter).
pub fn find_column(headers: &[(u32, String)], name: &str) -> Option<u32> {
    let wanted = norm(name);
    headers.iter().find(|(_, h)| norm(h) == wanted).map(|(c, _)| *c)
}

// ---- the proposal ------------------------------------------------------------------------------

/// A note on a proposal, in Danish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub da: String,
    pub en: String,
}

fn note(da: impl Into<String>, en: impl Into<String>) -> Note {
    Note { da: da.into(), en: en.into() }
}

/// A proposed mapping and what was guessed to make it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub mapping: Mapping,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Reference,
    Title,
    Threat,
    Module,
    Process,
    Dimension,
    Consequence(Option<Dimension>, bool),
    Likelihood(Option<Dimension>, bool),
    ConsequenceReason(Option<Dimension>, bool),
    LikelihoodReason(Option<Dimension>, bool),
    /// A reason for both ratings (residual: bool).
    Reason(bool),
    Measure,
    /// Measures the sheet recommends or plans (planned unless a status says otherwise).
    RecommendedMeasure,
    Owner,
    Status,
    PlannedDate,
    MeasureKind,
    /// A computed level or score: we compute the level ourselves.
    Level,
    /// When the sheet was assessed: not a measure's due date.
    AssessmentDate,
    /// A bare «Dato»: an assessment date or a due date; not placed, and said so.
    UnclearDate,
}

impl Field {
    /// The field's name in Danish and English, for the proposal's notes.
    fn name(self) -> Note {
        let dim = |d: Option<Dimension>| d.map(|d| (format!(" ({})", d.danish()), format!(" ({})", d.english()))).unwrap_or_default();
        let rest = |r: bool| if r { ("rest-", "residual ") } else { ("", "") };
        let (da, en): (String, String) = match self {
            Field::Reference => ("arkets reference".into(), "the sheet's reference".into()),
            Field::Title => ("titel".into(), "title".into()),
            Field::Threat => ("trusselsbeskrivelse".into(), "threat description".into()),
            Field::Module => ("modul".into(), "module".into()),
            Field::Process => ("databehandlingsproces".into(), "processing activity".into()),
            Field::Dimension => ("fortrolighed/integritet/tilgængelighed".into(), "confidentiality/integrity/availability".into()),
            Field::Consequence(d, r) | Field::ConsequenceReason(d, r) | Field::Likelihood(d, r) | Field::LikelihoodReason(d, r) => {
                let ((dd, de), (rd, re)) = (dim(d), rest(r));
                let (word_da, word_en) = match self {
                    Field::Consequence(..) | Field::ConsequenceReason(..) => ("konsekvens", "consequence"),
                    _ => ("sandsynlighed", "likelihood"),
                };
                match self {
                    Field::ConsequenceReason(..) | Field::LikelihoodReason(..) => (format!("begrundelse for {rd}{word_da}{dd}"), format!("reason for the {re}{word_en}{de}")),
                    _ => (format!("{rd}{word_da}{dd}"), format!("{re}{word_en}{de}")),
                }
            }
            Field::Reason(true) => ("begrundelse for restrisiko".into(), "reason for the residual risk".into()),
            Field::Reason(false) => ("begrundelse (konsekvens og sandsynlighed)".into(), "reason (consequence and likelihood)".into()),
            Field::Measure => ("foranstaltninger".into(), "measures".into()),
            Field::RecommendedMeasure => ("anbefalede/planlagte foranstaltninger".into(), "recommended/planned measures".into()),
            Field::AssessmentDate => ("vurderingsdato".into(), "assessment date".into()),
            Field::UnclearDate => ("dato".into(), "date".into()),
            Field::Owner => ("ansvarlig".into(), "owner".into()),
            Field::Status => ("status".into(), "status".into()),
            Field::PlannedDate => ("frist".into(), "due date".into()),
            Field::MeasureKind => ("type af foranstaltning".into(), "kind of measure".into()),
            Field::Level => ("risikoniveau".into(), "risk level".into()),
        };
        Note { da, en }
    }
}

/// The dimension a header names: a word anywhere («Fortrolighed Konsekvens»), a letter
/// after the first word («Konsekvens (F)»).
fn dimension_marker(ws: &[String]) -> Option<Dimension> {
    ws.iter().enumerate().find_map(|(i, w)| match w.as_str() {
        "fortrolighed" | "confidentiality" => Some(Dimension::Confidentiality),
        "integritet" | "integrity" => Some(Dimension::Integrity),
        "tilgængelighed" | "availability" => Some(Dimension::Availability),
        "f" | "c" if i > 0 => Some(Dimension::Confidentiality),
        // «K» is konfidentialitet, except in «Konsekvens (K)», where it is the word itself
        "k" if i > 0 && !ws.iter().any(|w| w.starts_with("konsekvens")) => Some(Dimension::Confidentiality),
        "i" if i > 0 => Some(Dimension::Integrity),
        "t" | "a" if i > 0 => Some(Dimension::Availability),
        _ => None,
    })
}

/// What a header names, by the Danish and English words supplier sheets use.
fn classify(header: &str) -> Option<Field> {
    let h = norm(header);
    let ws = words(header);
    let has = |w: &str| ws.iter().any(|x| x == w);
    let starts = |p: &str| ws.iter().any(|x| x.starts_with(p));
    let consequence = h.contains("konsekvens") || has("consequence") || has("impact") || has("severity") || h.contains("alvorlighed");
    let likelihood = h.contains("sandsynlighed") || has("likelihood") || has("probability") || h.contains("hyppighed");
    let reason = h.contains("begrund") || has("reason") || has("rationale") || has("justification") || has("argumentation");
    let residual = starts("rest") || has("residual") || has("efter") || has("after") || starts("netto");
    let dim = dimension_marker(&ws);
    // several ratings per dimension in one header («F/I/T») are the dimension column
    let dim = dim.filter(|_| !(ws.len() >= 3 && ws.iter().filter(|w| w.len() == 1).count() >= 3));
    if reason {
        return Some(if consequence {
            Field::ConsequenceReason(dim, residual)
        } else if likelihood {
            Field::LikelihoodReason(dim, residual)
        } else {
            Field::Reason(residual)
        });
    }
    if consequence {
        return Some(Field::Consequence(dim, residual));
    }
    if likelihood {
        return Some(Field::Likelihood(dim, residual));
    }
    let measure = h.contains("foranstaltning") || h.contains("tiltag") || starts("measure") || starts("control") || starts("mitigation") || starts("kontrol");
    let date = starts("dato") || h.contains("dato") || has("date") || has("dated");
    if date && (h.contains("vurder") || h.contains("opdater") || has("assessed") || has("assessment") || has("updated") || has("revision") || has("udarbejdet")) {
        return Some(Field::AssessmentDate);
    }
    if h.contains("niveau") || has("level") || has("score") || h.contains("risikotal") || has("samlet") || has("overall") || has("total")
        || (!measure && !date && (ws.iter().any(|w| w == "restrisiko" || w == "risikovurdering" || w == "risikoværdi") || has("rating") || has("inherent") && has("risk") || has("residual") && has("risk")))
    {
        return Some(Field::Level);
    }
    if ["ref", "ref.", "reference", "referencenr", "nr", "nr.", "no", "no.", "id", "løbenr", "#"].contains(&h.as_str())
        || has("id")
        || has("ref")
        || h.contains("reference")
    {
        return Some(Field::Reference);
    }
    if measure && (has("type") || has("art") || has("kind")) || (has("teknisk") && has("organisatorisk")) {
        return Some(Field::MeasureKind);
    }
    if starts("ansvar") || has("ejer") || has("owner") || has("responsible") {
        return Some(Field::Owner);
    }
    if starts("status") || h.contains("implementeringsstatus") || has("state") {
        return Some(Field::Status);
    }
    if has("frist") || has("deadline") || has("due") || has("senest") || has("tidsplan") || starts("implementeringsdato")
        || date && (h.contains("implement") || h.contains("planlagt") || h.contains("forvent") || has("target") || has("planned"))
    {
        return Some(Field::PlannedDate);
    }
    if date {
        return Some(Field::UnclearDate);
    }
    if h.contains("handlingsplan") || has("action") && has("plan") {
        return Some(Field::RecommendedMeasure);
    }
    if measure && (starts("anbefal") || starts("forslag") || starts("recommend") || starts("planlagt") || starts("planned") || starts("foreslå") || starts("proposed") || starts("yderligere") || starts("supplerende") || starts("additional") || starts("further") || has("nye") || has("new")) {
        return Some(Field::RecommendedMeasure);
    }
    if measure {
        return Some(Field::Measure);
    }
    if has("dimension") || h.contains("sikkerhedsmål") || h.contains("beskyttelsesmål") || has("cia") || has("fit")
        || ws == ["f", "i", "t"] || ws == ["c", "i", "a"]
    {
        return Some(Field::Dimension);
    }
    if starts("modul") || starts("module") || has("delsystem") || has("komponent") || has("component") {
        return Some(Field::Module);
    }
    if h.contains("proces") || starts("process") || h.contains("behandlingsaktivitet") {
        return Some(Field::Process);
    }
    if h.contains("beskrivelse") || starts("descri") || h.contains("uddybning") || h.contains("scenari") {
        return Some(Field::Threat);
    }
    if h.contains("trussel") || starts("threat") || has("titel") || has("title") || has("risiko") || has("risk") || has("hændelse") || has("navn") || has("name") {
        return Some(Field::Title);
    }
    None
}

fn slot(m: &mut Mapping, field: Field) -> Option<&mut Option<String>> {
    let c = &mut m.columns;
    Some(match field {
        Field::Reference => &mut c.reference,
        Field::Title => &mut c.title,
        Field::Threat => &mut c.threat,
        Field::Module => &mut c.module,
        Field::Process => &mut c.process,
        Field::Dimension => &mut c.dimension,
        Field::Measure => &mut c.measure,
        Field::RecommendedMeasure => &mut c.recommended_measure,
        Field::Owner => &mut c.owner,
        Field::Status => &mut c.status,
        Field::PlannedDate => &mut c.planned_date,
        Field::MeasureKind => &mut c.measure_kind,
        Field::Reason(false) => &mut c.reason,
        Field::Reason(true) => &mut c.residual_reason,
        Field::Consequence(None, false) => &mut c.consequence,
        Field::Consequence(None, true) => &mut c.residual_consequence,
        Field::Likelihood(None, false) => &mut c.likelihood,
        Field::Likelihood(None, true) => &mut c.residual_likelihood,
        Field::ConsequenceReason(None, false) => &mut c.consequence_reason,
        Field::ConsequenceReason(None, true) => &mut c.residual_consequence_reason,
        Field::LikelihoodReason(None, false) => &mut c.likelihood_reason,
        Field::LikelihoodReason(None, true) => &mut c.residual_likelihood_reason,
        Field::Consequence(Some(d), r) => {
            let p = m.per_dimension.entry(d).or_default();
            if r { &mut p.residual_consequence } else { &mut p.consequence }
        }
        Field::Likelihood(Some(d), r) => {
            let p = m.per_dimension.entry(d).or_default();
            if r { &mut p.residual_likelihood } else { &mut p.likelihood }
        }
        Field::ConsequenceReason(Some(d), false) => &mut m.per_dimension.entry(d).or_default().consequence_reason,
        Field::LikelihoodReason(Some(d), false) => &mut m.per_dimension.entry(d).or_default().likelihood_reason,
        // Per-dimension residual reasons are rare; they go to the shared residual reasons.
        Field::ConsequenceReason(Some(_), true) => &mut c.residual_consequence_reason,
        Field::LikelihoodReason(Some(_), true) => &mut c.residual_likelihood_reason,
        Field::Level | Field::AssessmentDate | Field::UnclearDate => return None,
    })
}

/// Proposes a mapping from the header row found by meaning and the words found below it.
pub fn propose(sheet: &Sheet) -> Proposal {
    propose_at(sheet, None)
}

/// Proposes a mapping reading `header` (0-based) as the header row — the user moved it —
/// or, without it, the row found by meaning.
pub fn propose_at(sheet: &Sheet, header: Option<u32>) -> Proposal {
    let mut notes = Vec::new();
    let mut m = Mapping::default();
    let Some(row) = header.or_else(|| header_row(sheet, None)) else {
        notes.push(note("Arket har ingen overskriftsrække (en række med mindst tre udfyldte celler).", "The sheet has no header row (a row with at least three filled cells)."));
        return Proposal { mapping: m, notes };
    };
    if row > 0 || header.is_some() {
        m.header_row = Some(row + 1);
    }
    let hs = headers(sheet, row);
    m.fingerprint = fingerprint(&hs);
    let mut previous: Option<Field> = None;
    for (col, header) in &hs {
        let at = format!("{} «{header}»", column_letter(*col));
        let Some(mut field) = classify(header) else {
            notes.push(note(format!("Kolonne {at} bruges ikke (ukendt overskrift)."), format!("Column {at} is not used (header not recognised).")));
            previous = None;
            continue;
        };
        // A bare "Begrundelse" explains the rating in the column before it.
        if field == Field::Reason(false) {
            field = match previous {
                Some(Field::Consequence(d, r)) => Field::ConsequenceReason(d, r),
                Some(Field::Likelihood(d, r)) => Field::LikelihoodReason(d, r),
                _ => field,
            };
        }
        previous = Some(field);
        let name = field.name();
        match field {
            Field::Level => {
                notes.push(note(
                    format!("Kolonne {at} ({}) bruges ikke: niveauet beregnes af konsekvens × sandsynlighed.", name.da),
                    format!("Column {at} ({}) is not used: the level is computed from consequence × likelihood.", name.en),
                ));
                continue;
            }
            Field::AssessmentDate => {
                notes.push(note(
                    format!("Kolonne {at} bruges ikke: det er datoen for vurderingen, ikke en frist for en foranstaltning."),
                    format!("Column {at} is not used: it is the date of the assessment, not a measure's due date."),
                ));
                continue;
            }
            Field::UnclearDate => {
                notes.push(note(
                    format!("Kolonne {at} er ikke placeret: det er uklart, om datoen er vurderingens eller en frist for foranstaltningen. Er det en frist, så angiv den som «planned_date» i mappingen."),
                    format!("Column {at} is not placed: it is unclear whether the date is the assessment's or a measure's due date. If it is a due date, name it as «planned_date» in the mapping."),
                ));
                continue;
            }
            _ => {}
        }
        match slot(&mut m, field) {
            Some(s) if s.is_none() => {
                *s = Some(header.clone());
                notes.push(note(format!("Kolonne {at} → {}", name.da), format!("Column {at} → {}", name.en)));
            }
            _ => notes.push(note(
                format!("Kolonne {at} ligner også {}, men den er allerede taget; den bruges ikke.", name.da),
                format!("Column {at} also looks like {}, which is already taken; it is not used.", name.en),
            )),
        }
    }
    let general = (m.columns.consequence.clone(), m.columns.likelihood.clone());
    if !m.per_dimension.is_empty() && (general.0.is_some() != general.1.is_some()) {
        let (name, da, en) = match &general {
            (Some(c), None) => (c.clone(), "konsekvens", "consequence"),
            (_, l) => (l.clone().unwrap_or_default(), "sandsynlighed", "likelihood"),
        };
        let dims = m.per_dimension.keys().map(|d| d.danish()).collect::<Vec<_>>().join(", ");
        let dims_en = m.per_dimension.keys().map(|d| d.english()).collect::<Vec<_>>().join(", ");
        notes.push(note(
            format!("«{name}» er én {da} for alle dimensioner ({dims}); den bruges for hver af dem."),
            format!("«{name}» is one {en} for all dimensions ({dims_en}); it is used for each of them."),
        ));
    }
    let c = &m.columns;
    if c.reference.is_none() {
        notes.push(note(
            "Ingen kolonne med arkets reference (fx «Ref.», «ID», «Nr.»): den skal angives i mappingen, for at en ny version af arket kan opdatere risiciene.",
            "No column with the sheet's reference (e.g. «Ref.», «ID», «No.»): name it in the mapping, so that an updated sheet can update the risks.",
        ));
    }
    if c.title.is_none() && c.threat.is_some() {
        notes.push(note("Ingen titelkolonne: titlen tages fra trusselsbeskrivelsens første linje.", "No title column: the title is the first line of the threat description."));
    }
    if c.dimension.is_none() && m.per_dimension.is_empty() && (c.consequence.is_some() || c.likelihood.is_some()) {
        m.default_dimensions = vec![Dimension::Confidentiality];
        notes.push(note(
            "Arket angiver ikke fortrolighed/integritet/tilgængelighed: vurderingerne antages at gælde fortrolighed. Ret «default_dimensions» i mappingen, hvis det er forkert.",
            "The sheet does not say confidentiality/integrity/availability: the ratings are taken to rate confidentiality. Change «default_dimensions» in the mapping if that is wrong.",
        ));
    }
    if sheet.name.to_lowercase().contains("kombit") || hs.iter().any(|(_, h)| h.to_lowercase().contains("kombit")) {
        m.risk_source = Some(RiskSource::Kombit);
    } else {
        m.risk_source = Some(RiskSource::Supplier);
    }
    collect_words(sheet, row, &hs, &mut m, &mut notes);
    Proposal { mapping: m, notes }
}

/// Puts the scale words found in the data rows into the mapping, so the saved mapping
/// shows (and lets the user correct) how each of the sheet's words was read.
fn collect_words(sheet: &Sheet, header: u32, hs: &[(u32, String)], m: &mut Mapping, notes: &mut Vec<Note>) {
    let values = |name: &Option<String>| -> Vec<String> {
        let Some(col) = name.as_ref().and_then(|n| find_column(hs, n)) else { return Vec::new() };
        let mut vs: Vec<String> = ((header + 1)..sheet.height())
            .filter(|r| !sheet.is_hidden(*r))
            .map(|r| sheet.get(r, col))
            .filter(|v| !matches!(v, Value::Error(_)))
            .map(|v| scale_word(&v.text()))
            .filter(|v| !v.is_empty() && !is_none_word(v))
            .collect();
        vs.sort();
        vs.dedup();
        vs
    };
    let c = m.columns.clone();
    let mut consequence_cols = vec![c.consequence.clone(), c.residual_consequence.clone()];
    let mut likelihood_cols = vec![c.likelihood.clone(), c.residual_likelihood.clone()];
    for p in m.per_dimension.values() {
        consequence_cols.extend([p.consequence.clone(), p.residual_consequence.clone()]);
        likelihood_cols.extend([p.likelihood.clone(), p.residual_likelihood.clone()]);
    }
    let mut unknown: Vec<String> = Vec::new();
    let words = consequence_cols.iter().flat_map(&values).collect::<Vec<_>>();
    scale_words(&words, builtin_consequence, &Consequence::ALL, ("Konsekvensord", "consequence", "konsekvens/consequence"), &mut m.consequence_words, notes, &mut unknown);
    let words = likelihood_cols.iter().flat_map(&values).collect::<Vec<_>>();
    scale_words(&words, builtin_likelihood, &Likelihood::ALL, ("Sandsynlighedsord", "likelihood", "sandsynlighed/likelihood"), &mut m.likelihood_words, notes, &mut unknown);
    for cell in values(&c.dimension) {
        for w in split_list(&cell) {
            let w = norm(&w);
            match builtin_dimension(&w) {
                Some(d) => {
                    m.dimension_words.insert(w, d);
                }
                None => unknown.push(format!("«{w}» (dimension)")),
            }
        }
    }
    for w in values(&c.status) {
        match builtin_status(&w) {
            Some(s) => {
                m.status_words.insert(w, s);
            }
            None => unknown.push(format!("«{w}» (status)")),
        }
    }
    for w in values(&c.measure_kind) {
        match builtin_kind(&w) {
            Some(k) => {
                m.kind_words.insert(w, k);
            }
            None => unknown.push(format!("«{w}» (type/kind)")),
        }
    }
    for cell in values(&c.owner) {
        m.owner_words.insert(cell.clone(), builtin_owner(&cell));
    }
    unknown.dedup();
    if !unknown.is_empty() {
        notes.push(note(
            format!("Ukendte ord (tilføj dem til mappingen): {}", unknown.join(", ")),
            format!("Unknown words (add them to the mapping): {}", unknown.join(", ")),
        ));
    }
}

/// Maps a rating column's words: ours directly, three-step words (lav/mellem/høj) by a
/// guess the notes state, the rest listed as unknown.
fn scale_words<T: Copy + Word>(
    words: &[String],
    builtin: fn(&str) -> Option<T>,
    steps: &[T; 4],
    (label_da, label_en, unknown_label): (&str, &str, &str),
    table: &mut BTreeMap<String, T>,
    notes: &mut Vec<Note>,
    unknown: &mut Vec<String>,
) {
    // A numeric scale longer than ours (1–5, 1–10) is spread over our four steps.
    let numbers: Vec<u32> = words.iter().filter_map(|w| w.parse::<u32>().ok()).collect();
    let top = numbers.iter().copied().max().unwrap_or(0);
    if numbers.len() == words.len() && (5..=10).contains(&top) && !numbers.contains(&0) {
        let top = if top <= 5 { 5 } else { top };
        let mut read = Vec::new();
        for v in 1..=top {
            let step = steps[(v * 4).div_ceil(top).clamp(1, 4) as usize - 1];
            table.insert(v.to_string(), step);
            read.push((v, step));
        }
        let list = |da: bool| read.iter().map(|(v, s)| format!("{v}→{}", if da { s.da() } else { s.en() })).collect::<Vec<_>>().join(", ");
        notes.push(note(
            format!("{label_da}ene går fra 1 til {top}; de er fordelt på vores fire trin: {}. Ret det i mappingen, hvis det er forkert.", list(true)),
            format!("The {label_en} numbers run from 1 to {top}; they are spread over our four steps: {}. Change it in the mapping if that is wrong.", list(false)),
        ));
        return;
    }
    for w in words {
        if let Some(v) = lenient(w, builtin) {
            table.insert(w.clone(), v);
        } else if let Some(step) = three_step(w) {
            let v = steps[step as usize - 1];
            notes.push(note(
                format!("{label_da}et «{w}» hører til en skala med tre trin; det er læst som «{}». Ret det i mappingen, hvis det er forkert.", v.da()),
                format!("The {label_en} word «{w}» belongs to a three-step scale; it was read as «{}». Change it in the mapping if that is wrong.", v.en()),
            ));
            table.insert(w.clone(), v);
        } else {
            unknown.push(format!("«{w}» ({unknown_label})"));
        }
    }
}

/// A scale step's word in Danish and English.
trait Word {
    fn da(&self) -> &'static str;
    fn en(&self) -> &'static str;
}

impl Word for Consequence {
    fn da(&self) -> &'static str {
        self.danish()
    }
    fn en(&self) -> &'static str {
        self.english()
    }
}

impl Word for Likelihood {
    fn da(&self) -> &'static str {
        self.danish()
    }
    fn en(&self) -> &'static str {
        self.english()
    }
}

/// Splits a cell listing several things ("F, I", "Beskeder; Grupper", one per line).
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split([',', ';', '\n', '/', '+'])
        .map(|s| s.trim().trim_start_matches(['-', '•', '*']).trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads a cell's text for a field, as a number-free string of words.
pub fn cell_word(v: &Value) -> String {
    norm(&v.text())
}

// ---- the store beside the workspace ----------------------------------------------------------

/// Saved mappings, keyed by fingerprint, in `<workspace>.mappings.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreFile {
    format: String,
    version: u32,
    mappings: BTreeMap<String, Mapping>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MappingStore {
    path: PathBuf,
    mappings: BTreeMap<String, Mapping>,
}

impl MappingStore {
    /// Where the mappings of the workspace at `workspace` are kept.
    pub fn path_for(workspace: &Path) -> PathBuf {
        let mut name = workspace.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".mappings.json");
        workspace.with_file_name(name)
    }

    /// Loads the store of a workspace; none yet is an empty store.
    pub fn open(workspace: &Path) -> Result<MappingStore, MappingError> {
        let path = Self::path_for(workspace);
        let mappings = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let file: StoreFile = parse_json(&path, &text)?;
                check_envelope(&path, &file.format, STORE_FORMAT, file.version)?;
                file.mappings
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => return Err(MappingError::Io { path, source }),
        };
        Ok(MappingStore { path, mappings })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, fingerprint: &str) -> Option<&Mapping> {
        self.mappings.get(fingerprint)
    }

    /// Keeps `mapping` for sheets whose header row has `fingerprint`.
    pub fn put(&mut self, fingerprint: &str, mut mapping: Mapping) {
        mapping.fingerprint = fingerprint.to_owned();
        self.mappings.insert(fingerprint.to_owned(), mapping);
    }

    /// Writes the store through a temporary file, so a failure keeps the old one.
    pub fn save(&self) -> Result<(), MappingError> {
        let file = StoreFile { format: STORE_FORMAT.into(), version: VERSION, mappings: self.mappings.clone() };
        let mut text = serde_json::to_string_pretty(&file).expect("mappings serialise");
        text.push('\n');
        write_atomically(&self.path, text.as_bytes()).map_err(|source| MappingError::Io { path: self.path.clone(), source })
    }
}

pub use konsekvens_core::files::write_atomically;

#[cfg(test)]
mod tests {
    use super::*;

    fn text_row(cells: &[&str]) -> Vec<Value> {
        cells.iter().map(|c| if c.is_empty() { Value::Empty } else { Value::Text((*c).into()) }).collect()
    }

    #[test]
    fn headers_are_classified_in_danish_and_english() {
        use Dimension::*;
        let cases = [
            ("Ref.", Some(Field::Reference)),
            ("Trussel-ID", Some(Field::Reference)),
            ("Trussel", Some(Field::Title)),
            ("Threat", Some(Field::Title)),
            ("Beskrivelse", Some(Field::Threat)),
            ("Modul", Some(Field::Module)),
            ("Dataproces", Some(Field::Process)),
            ("Sikkerhedsmål", Some(Field::Dimension)),
            ("F/I/T", Some(Field::Dimension)),
            ("Konsekvens", Some(Field::Consequence(None, false))),
            ("Impact", Some(Field::Consequence(None, false))),
            ("Sandsynlighed", Some(Field::Likelihood(None, false))),
            ("Begrundelse for konsekvens", Some(Field::ConsequenceReason(None, false))),
            ("Likelihood rationale", Some(Field::LikelihoodReason(None, false))),
            ("Begrundelse", Some(Field::Reason(false))),
            ("Restkonsekvens", Some(Field::Consequence(None, true))),
            ("Sandsynlighed efter foranstaltninger", Some(Field::Likelihood(None, true))),
            ("Begrundelse for restrisiko", Some(Field::Reason(true))),
            ("Konsekvens (F)", Some(Field::Consequence(Some(Confidentiality), false))),
            ("Sandsynlighed – tilgængelighed", Some(Field::Likelihood(Some(Availability), false))),
            ("Foranstaltninger", Some(Field::Measure)),
            ("Controls", Some(Field::Measure)),
            ("Type af foranstaltning", Some(Field::MeasureKind)),
            ("Ansvarlig", Some(Field::Owner)),
            ("Status", Some(Field::Status)),
            ("Frist", Some(Field::PlannedDate)),
            ("Risikoniveau", Some(Field::Level)),
            ("Bemærkninger", None),
        ];
        for (header, want) in cases {
            assert_eq!(classify(header), want, "{header}");
        }
    }

    #[test]
    fn a_proposal_maps_a_kombit_like_sheet_and_says_what_it_guessed() {
        let sheet = Sheet::from_rows(
            "KOMBIT Beskeder",
            vec![
                text_row(&["Risikovurdering af Beskeder"]),
                vec![],
                text_row(&["Ref.", "Trussel", "Konsekvens", "Begrundelse", "Sandsynlighed", "Begrundelse", "Risikoniveau", "Foranstaltninger", "Status"]),
                text_row(&["T1", "Fejlsendt besked", "Ødelæggende", "Skade", "Forventet", "Sker ofte", "Høj", "Advarsel", "Gennemført"]),
                text_row(&["T2", "Umarkeret", "høj", "Eksponering", "katastrofisk", "Fejl", "Høj", "Uddannelse", "Planlagt"]),
            ],
        );
        let p = propose(&sheet);
        let c = &p.mapping.columns;
        assert_eq!(p.mapping.header_row, Some(3));
        assert_eq!(c.reference.as_deref(), Some("Ref."));
        assert_eq!(c.consequence_reason.as_deref(), Some("Begrundelse"));
        assert_eq!(c.likelihood_reason.as_deref(), Some("Begrundelse#2"));
        assert_eq!(c.measure.as_deref(), Some("Foranstaltninger"));
        assert_eq!(p.mapping.default_dimensions, vec![Dimension::Confidentiality]);
        assert_eq!(p.mapping.risk_source, Some(RiskSource::Kombit));
        assert_eq!(p.mapping.consequence_words.get("ødelæggende"), Some(&Consequence::Devastating));
        assert_eq!(p.mapping.consequence_words.get("høj"), Some(&Consequence::VerySerious));
        assert_eq!(p.mapping.status_words.get("planlagt"), Some(&MeasureStatus::Planned));
        let all: String = p.notes.iter().map(|n| n.en.clone()).collect::<Vec<_>>().join("\n");
        assert!(all.contains("«høj» belongs to a three-step scale"), "{all}");
        assert!(all.contains("«katastrofisk» (sandsynlighed/likelihood)"), "{all}");
        assert!(all.contains("G «Risikoniveau» (risk level) is not used"), "{all}");
        assert!(all.contains("taken to rate confidentiality"), "{all}");
    }

    #[test]
    fn the_fingerprint_ignores_case_and_spacing_but_not_the_columns() {
        let a = fingerprint(&[(0, "Ref.".into()), (1, "Trussel".into())]);
        let b = fingerprint(&[(0, "ref.".into()), (1, " Trussel ".into())]);
        let c = fingerprint(&[(0, "Ref.".into()), (1, "Titel".into())]);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn a_mapping_file_names_the_path_of_its_first_error() {
        let path = Path::new("m.json");
        let err = Mapping::from_json(path, r#"{"format":"konsekvens/sheet-mapping","version":1,"consequence_words":{"x":"huge"}}"#).unwrap_err();
        assert!(matches!(&err, MappingError::Shape { at, .. } if at == "consequence_words.x"), "{err}");
        let err = Mapping::from_json(path, r#"{"format":"konsekvens/sheet-mapping","version":1,"columns":{"titel":"x"}}"#).unwrap_err();
        assert!(err.to_string().contains("titel"), "{err}");
        assert!(matches!(Mapping::from_json(path, r#"{"format":"x","version":1}"#), Err(MappingError::Format { .. })));
        assert!(matches!(Mapping::from_json(path, r#"{"format":"konsekvens/sheet-mapping","version":7}"#), Err(MappingError::Newer { found: 7, .. })));
    }

    #[test]
    fn a_mapping_round_trips_through_json_and_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("aula.konsekvens");
        let mut m = Mapping { fingerprint: "abc".into(), ..Mapping::default() };
        m.columns.reference = Some("Ref.".into());
        m.consequence_words.insert("høj".into(), Consequence::VerySerious);
        assert_eq!(Mapping::from_json(Path::new("m"), &m.to_json()).unwrap(), m);
        let mut store = MappingStore::open(&ws).unwrap();
        assert!(store.get("abc").is_none());
        store.put("abc", m.clone());
        store.save().unwrap();
        assert!(dir.path().join("aula.konsekvens.mappings.json").exists());
        assert_eq!(MappingStore::open(&ws).unwrap().get("abc"), Some(&m));
    }

    #[test]
    fn lists_split_on_the_usual_separators() {
        assert_eq!(split_list("F, I"), ["F", "I"]);
        assert_eq!(split_list("Beskeder; Grupper\n- Kalender"), ["Beskeder", "Grupper", "Kalender"]);
    }
}
