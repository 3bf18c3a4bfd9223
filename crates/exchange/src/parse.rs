//! Reading a risk sheet's rows through a mapping into threats with their ratings and
//! measures. Pure: a [`Sheet`] and a [`Mapping`] in, [`ParsedSheet`] out.
//!
//! Two kinds of problem: a sheet whose layout does not fit the mapping (no header row, a
//! merged header cell, a column the mapping names but the sheet lacks) is a [`LayoutError`]
//! and nothing can be read; a bad cell (an unknown scale word, a broken formula, a row
//! without reference) is a [`RowProblem`] located at sheet, row and column, and only its
//! threat is affected.

use crate::mapping::{self, find_column, header_row, headers, norm, split_list, Mapping};
use crate::sheet::{column_letter, Region, Sheet, Value};
use konsekvens_core::model::{Consequence, Day, Dimension, Likelihood, MeasureKind, MeasureStatus, Owner};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Where in the sheet: row and column as the user sees them (row 1, column A).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub sheet: String,
    pub row: u32,
    /// Column letter, e.g. "G".
    pub column: Option<String>,
    /// The column's header, e.g. "Konsekvens".
    pub header: Option<String>,
    /// The merged cells the value came from, e.g. "A5:A7".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<String>,
}

impl Location {
    /// In Danish: «Ark», række 5, kolonne G (Konsekvens).
    pub fn da(&self) -> String {
        let mut out = format!("«{}», række {}", self.sheet, self.row);
        if let Some(c) = &self.column {
            out.push_str(&format!(", kolonne {c}"));
            if let Some(h) = &self.header {
                out.push_str(&format!(" ({h})"));
            }
        }
        if let Some(m) = &self.merged {
            out.push_str(&format!(", fra de flettede celler {m}"));
        }
        out
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "«{}», row {}", self.sheet, self.row)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
            if let Some(h) = &self.header {
                write!(f, " ({h})")?;
            }
        }
        if let Some(m) = &self.merged {
            write!(f, ", from the merged cells {m}")?;
        }
        Ok(())
    }
}

/// The sheet cannot be read with this mapping at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("«{sheet}»: no header row among the first 40 rows (no row names the columns of a risk assessment, such as «Ref.», «Trussel», «Konsekvens», «Sandsynlighed», and none has three filled cells)")]
    NoHeader { sheet: String },
    #[error("«{sheet}», row {row}, cells {region}: the header «{text}» is a merged cell; give every column its own header (unmerge {region}) and import again")]
    MergedHeader { sheet: String, row: u32, region: String, text: String },
    #[error("«{sheet}», row {row}, column {column}: the column has no header but holds data (row {first_data}); is a header cell merged across it? Give the column its own header")]
    DataWithoutHeader { sheet: String, row: u32, column: String, first_data: u32 },
    #[error("«{sheet}», row {row} (the header row): the mapping's {field} column «{name}» is not in the sheet; its columns are {available}")]
    MissingColumn { sheet: String, row: u32, field: String, name: String, available: String },
    #[error("«{sheet}»: no column for {what}; the sheet's columns are {available}. Name one in a mapping (--mapping FILE; --save-mapping writes the proposed one to edit)")]
    Unmapped { sheet: String, what: String, what_da: String, available: String },
}

/// A cell that cannot be read; only its threat is affected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub at: Location,
    /// The sheet's reference of the threat the row belongs to, if it has one.
    pub reference: Option<String>,
    /// In English (the `Display`); `message_da` in Danish.
    pub message: String,
    pub message_da: String,
}

impl RowProblem {
    /// The problem with its place, in Danish.
    pub fn da(&self) -> String {
        format!("{}: {}", self.at.da(), self.message_da)
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    pub at: Location,
    pub reason_da: String,
    pub reason_en: String,
}

/// A cell whose formula's stored result was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormulaCell {
    pub at: Location,
    pub formula: String,
    pub value: String,
}

/// A rating read from a cell's fill colour alone (the cell has no text): said in the
/// report as «læst fra cellefarve», with the colour and how it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColourCell {
    pub at: Location,
    /// «#FF0000».
    pub colour: String,
    pub colour_da: String,
    pub colour_en: String,
    /// The step read, 1–4.
    pub step: u8,
    /// Whether the sheet's own legend gave the colour its step (else its hue did).
    pub by_legend: bool,
}

/// How a sheet's fill colours read as steps of our four-step scales, for ratings given only
/// as a cell's colour. The sheet's own legend first: a coloured cell whose text is a step
/// («Høj», «3», «Alvorlig») — a legend beside or under the table, or rating cells that carry
/// both colour and word — gives that exact colour its step (a colour given two steps is not
/// used). Else the colour's hue: green 1, yellow 2, orange 3, red 4 — or red 3 when the
/// sheet's rating colours have no orange (a three-colour traffic light, read as lav/mellem/høj
/// are: steps 1–3). Blue, purple, grey and black are no step.
#[derive(Debug, Default)]
struct ColourScale {
    legend: BTreeMap<u32, Option<u8>>,
    four_colours: bool,
}

/// A legend's or a cell's word as a step of our scales, if it is one.
fn step_word(text: &str) -> Option<u8> {
    let w = mapping::scale_word(text);
    mapping::lenient(&w, |x| mapping::builtin_consequence(x).map(|c| c.step()).or_else(|| mapping::builtin_likelihood(x).map(|l| l.step())).or_else(|| mapping::three_step(x)))
}

impl ColourScale {
    fn of(sheet: &Sheet, header: u32, rating_cols: &[u32]) -> ColourScale {
        let mut scale = ColourScale::default();
        let mut hues = BTreeSet::new();
        for ((row, col), rgb) in sheet.fills() {
            let text = sheet.get(row, col).text();
            let in_table = row > header && rating_cols.contains(&col);
            let step = if !text.trim().is_empty() {
                step_word(&text)
            } else if !in_table {
                // a swatch with its word in the next cell (a legend)
                let beside = sheet.get(row, col + 1).text();
                if sheet.fill(row, col + 1).is_none() && !rating_cols.contains(&(col + 1)) { step_word(&beside) } else { None }
            } else {
                None
            };
            if let Some(step) = step {
                let entry = scale.legend.entry(rgb).or_insert(Some(step));
                if *entry != Some(step) {
                    *entry = None;
                }
            }
            if in_table || step.is_some() {
                hues.insert(colour_name(rgb).1);
            }
        }
        scale.four_colours = hues.contains("orange");
        scale
    }

    /// The step a fill colour reads as, and whether the legend gave it.
    fn step(&self, rgb: u32) -> Option<(u8, bool)> {
        if let Some(known) = self.legend.get(&rgb) {
            return known.map(|s| (s, true));
        }
        let step = match colour_name(rgb).1 {
            "green" => 1,
            "yellow" => 2,
            "orange" => 3,
            "red" if self.four_colours => 4,
            "red" => 3,
            _ => return None,
        };
        Some((step, false))
    }
}

/// One dimension's rating as the sheet gives it; empty cells are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SheetRating {
    pub consequence: Option<Consequence>,
    pub consequence_reason: Option<String>,
    pub likelihood: Option<Likelihood>,
    pub likelihood_reason: Option<String>,
}

impl SheetRating {
    fn is_empty(&self) -> bool {
        *self == SheetRating::default()
    }
}

/// A measure named in a threat's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetMeasure {
    pub title: String,
    pub row: u32,
    pub owner: Option<(Owner, String)>,
    pub status: Option<MeasureStatus>,
    pub planned_date: Option<Day>,
    pub kind: Option<MeasureKind>,
}

/// One threat of the sheet, gathered from all rows with its reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SheetRisk {
    pub reference: String,
    pub rows: Vec<u32>,
    pub title: Option<String>,
    pub threat: Option<String>,
    pub modules: Vec<String>,
    pub processes: Vec<String>,
    pub inherent: BTreeMap<Dimension, SheetRating>,
    pub residual: BTreeMap<Dimension, SheetRating>,
    pub measures: Vec<SheetMeasure>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedSheet {
    pub sheet: String,
    /// 1-based.
    pub header_row: u32,
    pub fingerprint: String,
    pub risks: Vec<SheetRisk>,
    pub problems: Vec<RowProblem>,
    pub skipped: Vec<SkippedRow>,
    pub formulas: Vec<FormulaCell>,
    /// Ratings read from a cell's fill colour alone.
    pub colours: Vec<ColourCell>,
    /// References of threats held back for their problems (`--accept-partial`): still in
    /// the sheet, so their risks are not «no longer in the supplier material».
    pub withheld: Vec<String>,
}

/// The columns of the mapping, found in the sheet.
#[derive(Debug, Default)]
struct Cols {
    reference: Option<u32>,
    title: Option<u32>,
    threat: Option<u32>,
    module: Option<u32>,
    process: Option<u32>,
    dimension: Option<u32>,
    /// Ratings that apply to the row's dimensions: (consequence, c. reason, likelihood, l. reason), inherent and residual.
    general: [RatingCols; 2],
    per_dimension: BTreeMap<Dimension, [RatingCols; 2]>,
    /// Inherent/residual: whether one general likelihood (or consequence) column was folded
    /// into every dimension's ratings; a dimension the sheet does not rate by its own column
    /// then stays unrated.
    shared: [Option<u32>; 2],
    measure: Option<u32>,
    recommended_measure: Option<u32>,
    owner: Option<u32>,
    status: Option<u32>,
    planned_date: Option<u32>,
    measure_kind: Option<u32>,
}

#[derive(Debug, Default, Clone, Copy)]
struct RatingCols {
    consequence: Option<u32>,
    consequence_reason: Option<u32>,
    likelihood: Option<u32>,
    likelihood_reason: Option<u32>,
}

impl RatingCols {
    fn rates(&self) -> bool {
        self.consequence.is_some() || self.likelihood.is_some()
    }
    fn all(&self) -> impl Iterator<Item = u32> {
        [self.consequence, self.consequence_reason, self.likelihood, self.likelihood_reason].into_iter().flatten()
    }
}

/// One of our scales as a sheet's cell is read against it: the mapping's words first.
struct Scale<'a, T> {
    words: &'a BTreeMap<String, T>,
    builtin: fn(&str) -> Option<T>,
    what: &'static str,
    what_da: &'static str,
    ours: &'static str,
}

/// A fill colour's name by its hue, as a person would call it.
fn colour_name(rgb: u32) -> (&'static str, &'static str) {
    let (r, g, b) = (((rgb >> 16) & 0xFF) as f32, ((rgb >> 8) & 0xFF) as f32, (rgb & 0xFF) as f32);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    if max - min < 24.0 {
        return if max < 96.0 { ("sort", "black") } else { ("grå", "grey") };
    }
    let hue = if max == r {
        60.0 * ((g - b) / (max - min)).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / (max - min) + 2.0)
    } else {
        60.0 * ((r - g) / (max - min) + 4.0)
    };
    match hue as u32 {
        0..=14 | 331..=360 => ("rød", "red"),
        15..=49 => ("orange", "orange"),
        50..=69 => ("gul", "yellow"),
        70..=169 => ("grøn", "green"),
        170..=259 => ("blå", "blue"),
        _ => ("lilla", "purple"),
    }
}

struct Reader<'a> {
    sheet: &'a Sheet,
    mapping: &'a Mapping,
    header: u32,
    headers: Vec<(u32, String)>,
    problems: Vec<RowProblem>,
    formulas: Vec<FormulaCell>,
    colour_scale: ColourScale,
    colours: Vec<ColourCell>,
}

/// Whether a cell's text looks like a sheet's own reference (T1, 3.2, R-07, KOM.12) rather
/// than a sentence (a footnote, a source note, a section heading).
fn id_like(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 14 && t.split_whitespace().count() <= 2 && t.chars().any(|c| c.is_ascii_digit())
}

/// Reads the sheet's threats through the mapping.
///
/// Rows a person would not count as threats are left out and reported: hidden rows, blank
/// rows, rows with only an id, and text alone in a row (a section heading, a footnote or a
/// source note under the table). A row with neither reference nor threat but with ratings
/// continues the threat above it (its reference and threat cells merged down, or left
/// blank, over the F/I/T rows).
pub fn parse(sheet: &Sheet, mapping: &Mapping) -> Result<ParsedSheet, LayoutError> {
    let header = header_row(sheet, mapping.header_row).ok_or_else(|| LayoutError::NoHeader { sheet: sheet.name.clone() })?;
    let hs = headers(sheet, header);
    check_header_layout(sheet, header, &hs)?;
    let cols = resolve(sheet, header, &hs, mapping)?;
    let rating_cols: Vec<u32> = cols
        .general
        .iter()
        .chain(cols.per_dimension.values().flatten())
        .flat_map(|rc| [rc.consequence, rc.likelihood])
        .flatten()
        .collect();
    let colour_scale = ColourScale::of(sheet, header, &rating_cols);
    let mut r = Reader { sheet, mapping, header, headers: hs, problems: Vec::new(), formulas: Vec::new(), colour_scale, colours: Vec::new() };
    let mut skipped = Vec::new();
    let mut by_reference: Vec<SheetRisk> = Vec::new();
    let used: Vec<u32> = cols_used(&cols);
    let skip = |r: &Reader, row: u32, da: String, en: String| SkippedRow { at: r.at(row, None), reason_da: da, reason_en: en };
    let mut previous: Option<String> = None;
    for row in (header + 1)..sheet.height() {
        if sheet.is_hidden(row) {
            if !sheet.row_is_blank(row) {
                skipped.push(skip(&r, row, "skjult række i arket; vis den og importér igen, hvis den skal med".into(), "a hidden row in the sheet; unhide it and import again if it belongs".into()));
            }
            continue;
        }
        if sheet.row_is_blank(row) {
            skipped.push(skip(&r, row, "tom række".into(), "empty row".into()));
            continue;
        }
        let filled: Vec<u32> = used.iter().copied().filter(|c| !r.value(row, *c).0.is_blank()).collect();
        if filled.is_empty() {
            skipped.push(skip(&r, row, "intet i de kolonner, mappingen bruger".into(), "nothing in the columns the mapping uses".into()));
            continue;
        }
        let reference_text = cols.reference.map(|c| r.value(row, c).0.text()).unwrap_or_default();
        let in_row: Vec<u32> = (0..sheet.width()).filter(|c| !sheet.get(row, *c).is_blank()).collect();
        // Text alone in a row (or two cells, «Kilde: | KOMBIT»), not an id: a heading or a note.
        if in_row.len() <= 2 && !id_like(&reference_text) && !rating_cols.iter().any(|c| in_row.contains(c)) {
            let text = in_row.iter().map(|c| sheet.get(row, *c).text()).collect::<Vec<_>>().join(" ");
            let short: String = text.chars().take(60).collect();
            let more = if text.chars().count() > 60 { "…" } else { "" };
            skipped.push(skip(
                &r,
                row,
                format!("kun teksten «{short}{more}» (en overskrift eller en note under tabellen), ikke en trussel"),
                format!("only the text «{short}{more}» (a heading, or a note under the table), not a threat"),
            ));
            continue;
        }
        let Some(reference) = r.text(row, cols.reference, None) else {
            let threat_blank = [cols.title, cols.threat].into_iter().flatten().all(|c| r.value(row, c).0.is_blank());
            if let (Some(prev), true) = (previous.clone(), threat_blank) {
                // the reference and threat cells are merged down over this row, or left blank
                let risk = r.row(row, &prev, &cols);
                if let Some(existing) = by_reference.iter_mut().find(|x| norm(&x.reference) == norm(&prev)) {
                    r.merge(existing, risk);
                }
                continue;
            }
            r.problem(
                row,
                cols.reference,
                None,
                "ingen reference: hver række skal have arkets egen reference (T1, 3.2 …), så en ny version af arket opdaterer risikoen i stedet for at tilføje den igen".into(),
                "no reference: every row needs the sheet's own reference (T1, 3.2 …) so that a new version of the sheet updates the risk instead of adding it again".into(),
            );
            continue;
        };
        if cols.reference.is_some_and(|c| filled == [c]) {
            skipped.push(skip(&r, row, format!("kun id'et «{reference}», intet andet at importere"), format!("only the id «{reference}», nothing else to import")));
            continue;
        }
        previous = Some(reference.clone());
        let risk = r.row(row, &reference, &cols);
        match by_reference.iter_mut().find(|x| norm(&x.reference) == norm(&reference)) {
            Some(existing) => r.merge(existing, risk),
            None => by_reference.push(risk),
        }
    }
    let fingerprint = mapping::fingerprint(&r.headers);
    Ok(ParsedSheet {
        sheet: sheet.name.clone(),
        header_row: header + 1,
        fingerprint,
        risks: by_reference,
        problems: r.problems,
        skipped,
        formulas: r.formulas,
        colours: r.colours,
        withheld: Vec::new(),
    })
}

fn cols_used(c: &Cols) -> Vec<u32> {
    let mut v: Vec<u32> = [c.reference, c.title, c.threat, c.module, c.process, c.dimension, c.measure, c.recommended_measure, c.owner, c.status, c.planned_date, c.measure_kind]
        .into_iter()
        .flatten()
        .collect();
    for rc in c.general.iter().chain(c.per_dimension.values().flatten()) {
        v.extend(rc.all());
    }
    v
}

/// A merged header cell, or data under an empty header (how a merged header shows in .ods,
/// whose merged regions calamine does not report), makes the columns ambiguous.
fn check_header_layout(sheet: &Sheet, header: u32, hs: &[(u32, String)]) -> Result<(), LayoutError> {
    // A header merged down over two header rows is one column's; merged across columns in
    // the header row, the columns after the first have no header of their own.
    if let Some(region) = sheet.merged().iter().find(|m| m.contains(header, m.first_col) && m.first_col != m.last_col && m.last_row == header) {
        return Err(LayoutError::MergedHeader {
            sheet: sheet.name.clone(),
            row: header + 1,
            region: region.to_string(),
            text: sheet.get(region.first_row, region.first_col).text(),
        });
    }
    let last_header = hs.last().map(|(c, _)| *c).unwrap_or(0);
    for col in 0..=last_header {
        if hs.iter().any(|(c, _)| *c == col) {
            continue;
        }
        if let Some(first) = ((header + 1)..sheet.height()).find(|r| !sheet.get(*r, col).is_blank()) {
            return Err(LayoutError::DataWithoutHeader { sheet: sheet.name.clone(), row: header + 1, column: column_letter(col), first_data: first + 1 });
        }
    }
    Ok(())
}

fn resolve(sheet: &Sheet, header: u32, hs: &[(u32, String)], m: &Mapping) -> Result<Cols, LayoutError> {
    let available = hs.iter().map(|(c, h)| format!("{} «{h}»", column_letter(*c))).collect::<Vec<_>>().join(", ");
    for (field, name) in m.named_columns() {
        if find_column(hs, name).is_none() {
            return Err(LayoutError::MissingColumn { sheet: sheet.name.clone(), row: header + 1, field, name: name.clone(), available });
        }
    }
    let col = |name: &Option<String>| name.as_ref().and_then(|n| find_column(hs, n));
    let c = &m.columns;
    let mut cols = Cols {
        reference: col(&c.reference),
        title: col(&c.title),
        threat: col(&c.threat),
        module: col(&c.module),
        process: col(&c.process),
        dimension: col(&c.dimension),
        general: [
            RatingCols {
                consequence: col(&c.consequence),
                consequence_reason: col(&c.consequence_reason).or(col(&c.reason)),
                likelihood: col(&c.likelihood),
                likelihood_reason: col(&c.likelihood_reason).or(col(&c.reason)),
            },
            RatingCols {
                consequence: col(&c.residual_consequence),
                consequence_reason: col(&c.residual_consequence_reason).or(col(&c.residual_reason)),
                likelihood: col(&c.residual_likelihood),
                likelihood_reason: col(&c.residual_likelihood_reason).or(col(&c.residual_reason)),
            },
        ],
        per_dimension: m
            .per_dimension
            .iter()
            .map(|(d, p)| {
                (
                    *d,
                    [
                        RatingCols {
                            consequence: col(&p.consequence),
                            consequence_reason: col(&p.consequence_reason).or(col(&c.consequence_reason)).or(col(&c.reason)),
                            likelihood: col(&p.likelihood),
                            likelihood_reason: col(&p.likelihood_reason).or(col(&c.likelihood_reason)).or(col(&c.reason)),
                        },
                        RatingCols {
                            consequence: col(&p.residual_consequence),
                            consequence_reason: col(&c.residual_consequence_reason).or(col(&c.residual_reason)),
                            likelihood: col(&p.residual_likelihood),
                            likelihood_reason: col(&c.residual_likelihood_reason).or(col(&c.residual_reason)),
                        },
                    ],
                )
            })
            .collect(),
        measure: col(&c.measure),
        recommended_measure: col(&c.recommended_measure),
        owner: col(&c.owner),
        status: col(&c.status),
        planned_date: col(&c.planned_date),
        measure_kind: col(&c.measure_kind),
        shared: [None; 2],
    };
    // One likelihood (or consequence) column beside ratings per dimension serves each of them.
    if !cols.per_dimension.is_empty() {
        for i in 0..2 {
            let g = cols.general[i];
            if g.consequence.is_some() == g.likelihood.is_some() {
                continue;
            }
            for p in cols.per_dimension.values_mut() {
                let p = &mut p[i];
                if g.consequence.is_some() && p.consequence.is_none() {
                    p.consequence = g.consequence;
                    p.consequence_reason = p.consequence_reason.or(g.consequence_reason);
                }
                if g.likelihood.is_some() && p.likelihood.is_none() {
                    p.likelihood = g.likelihood;
                    p.likelihood_reason = p.likelihood_reason.or(g.likelihood_reason);
                }
            }
            cols.shared[i] = g.consequence.or(g.likelihood);
            cols.general[i] = RatingCols::default();
        }
    }
    let unmapped = |what_da: &str, what: &str| LayoutError::Unmapped { sheet: sheet.name.clone(), what: what.to_owned(), what_da: what_da.to_owned(), available: available.clone() };
    if cols.reference.is_none() {
        return Err(unmapped(
            "arkets reference for hver trussel (T1, 3.2 …; en overskrift som «Ref.», «ID» eller «Nr.»)",
            "the sheet's reference of each threat (T1, 3.2 …; a header such as «Ref.», «ID» or «Nr.»)",
        ));
    }
    if cols.title.is_none() && cols.threat.is_none() {
        return Err(unmapped("truslen (en overskrift som «Trussel», «Risiko» eller «Threat»)", "the threat (a header such as «Trussel», «Risiko» or «Threat»)"));
    }
    let general_rates = cols.general[0].rates();
    if !general_rates && !cols.per_dimension.values().any(|p| p[0].rates()) {
        return Err(unmapped("vurderingen (overskrifter som «Konsekvens» og «Sandsynlighed»)", "the rating (headers such as «Konsekvens» and «Sandsynlighed»)"));
    }
    if general_rates && (cols.general[0].consequence.is_none() || cols.general[0].likelihood.is_none()) {
        return Err(if cols.general[0].consequence.is_none() {
            unmapped("konsekvensen (en overskrift som «Konsekvens»)", "the consequence (a header such as «Konsekvens»)")
        } else {
            unmapped("sandsynligheden (en overskrift som «Sandsynlighed»)", "the likelihood (a header such as «Sandsynlighed»)")
        });
    }
    if general_rates && cols.dimension.is_none() && m.default_dimensions.is_empty() {
        return Err(unmapped(
            "hvilken af fortrolighed/integritet/tilgængelighed en vurdering gælder (en kolonne som «F/I/T», eller «default_dimensions» i mappingen)",
            "which of confidentiality/integrity/availability a rating concerns (a column such as «F/I/T», or «default_dimensions» in the mapping)",
        ));
    }
    Ok(cols)
}

impl Reader<'_> {
    /// The cell's value; a blank cell inside a region merged down from below the header takes
    /// the region's value (its first column only: a note merged across the table is not
    /// copied into every column), with the region.
    fn value(&self, row: u32, col: u32) -> (Value, Option<Region>) {
        let v = self.sheet.get(row, col);
        if v.is_blank() {
            if let Some(m) = self.sheet.merged_down_over(row, col).filter(|m| m.first_row > self.header) {
                return (self.sheet.get(m.first_row, m.first_col).clone(), Some(m));
            }
        }
        (v.clone(), None)
    }

    fn at(&self, row: u32, col: Option<u32>) -> Location {
        Location {
            sheet: self.sheet.name.clone(),
            row: row + 1,
            column: col.map(column_letter),
            header: col.and_then(|c| self.headers.iter().find(|(h, _)| *h == c).map(|(_, h)| h.clone())),
            merged: col.and_then(|c| self.sheet.merge_at(row, c)).filter(|m| m.first_row > self.header).map(|m| m.to_string()),
        }
    }

    fn problem(&mut self, row: u32, col: Option<u32>, reference: Option<&str>, da: String, en: String) {
        let at = self.at(row, col);
        self.problems.push(RowProblem { at, reference: reference.map(str::to_owned), message: en, message_da: da });
    }

    /// The cell's text (`None` if blank, or a word for «nothing» such as «-», «n/a»,
    /// «Ingen»). A spreadsheet error value or a formula without a stored result is a
    /// problem; a formula's stored result is used and noted.
    fn text(&mut self, row: u32, col: Option<u32>, reference: Option<&str>) -> Option<String> {
        let col = col?;
        let (value, region) = self.value(row, col);
        let (frow, fcol) = region.map(|m| (m.first_row, m.first_col)).unwrap_or((row, col));
        let formula = self.sheet.formula(frow, fcol).map(str::to_owned);
        match (&value, formula) {
            (Value::Error(e), f) => {
                let (da, en) = match f {
                    Some(f) => (format!("formlen ={f} giver fejlen {e}"), format!("its formula ={f} gives the error {e}")),
                    None => (format!("cellen indeholder fejlen {e}"), format!("it holds the error {e}")),
                };
                self.problem(row, Some(col), reference, format!("{da}; ret formlen, eller erstat den med sin værdi"), format!("{en}; correct the formula or replace it by its value"));
                None
            }
            (v, Some(f)) if v.is_blank() => {
                self.problem(
                    row,
                    Some(col),
                    reference,
                    format!("cellen indeholder formlen ={f}, men intet beregnet resultat (filen er gemt uden at blive beregnet); åbn og gem den i Excel eller LibreOffice, eller indsæt værdier"),
                    format!("the cell holds the formula ={f} but no computed result (the file was saved without calculating it); open and save it in Excel or LibreOffice, or paste values"),
                );
                None
            }
            (v, Some(f)) => {
                let at = self.at(row, Some(col));
                self.formulas.push(FormulaCell { at, formula: f, value: v.text() });
                Some(v.text()).filter(|t| !mapping::is_none_word(t))
            }
            (v, None) if v.is_blank() => None,
            (v, None) => Some(v.text()).filter(|t| !mapping::is_none_word(t)),
        }
    }

    fn scale<T: Copy>(&mut self, row: u32, col: Option<u32>, reference: &str, scale: Scale<'_, T>) -> Option<T> {
        let Some(text) = self.text(row, col, Some(reference)) else {
            // a rating given only as a fill colour: read by the sheet's legend or the
            // colour's hue, and said so; a colour that is no step is a problem
            if let Some(rgb) = col.and_then(|c| self.sheet.fill(row, c)).filter(|_| col.is_some_and(|c| self.value(row, c).0.is_blank())) {
                let (da, en) = colour_name(rgb);
                if let Some((step, by_legend)) = self.colour_scale.step(rgb) {
                    if let Some(v) = (scale.builtin)(&step.to_string()) {
                        let at = self.at(row, col);
                        self.colours.push(ColourCell { at, colour: format!("#{rgb:06X}"), colour_da: da.into(), colour_en: en.into(), step, by_legend });
                        return Some(v);
                    }
                }
                self.problem(
                    row,
                    col,
                    Some(reference),
                    format!("cellen er farvet ({da}, #{rgb:06X}) men har ingen tekst, og farven er ikke et trin på arkets farveskala (grøn, gul, orange, rød eller arkets forklaring): skriv vurderingen i cellen"),
                    format!("the cell is coloured ({en}, #{rgb:06X}) but holds no text, and the colour is no step of the sheet's colour scale (green, yellow, orange, red or the sheet's legend): write the {} in the cell", scale.what),
                );
            }
            return None;
        };
        let word = mapping::scale_word(&text);
        match mapping::lenient(&word, |w| scale.words.get(&mapping::scale_word(w)).copied().or_else(|| (scale.builtin)(w))) {
            Some(v) => Some(v),
            None => {
                // A formula whose stored result is not a word usually means the file was saved
                // by a program that does not calculate.
                let f = col.and_then(|c| self.sheet.formula(row, c)).map(str::to_owned);
                let formula_en = f.as_ref().map(|f| format!(" (the cell's formula ={f} has the stored result «{text}»; if the file was saved without calculating, open and save it in Excel or LibreOffice)")).unwrap_or_default();
                let formula_da = f.as_ref().map(|f| format!(" (cellens formel ={f} har det gemte resultat «{text}»; er filen gemt uden at blive beregnet, så åbn og gem den i Excel eller LibreOffice)")).unwrap_or_default();
                let (what, what_da) = (scale.what, scale.what_da);
                self.problem(
                    row,
                    col,
                    Some(reference),
                    format!("«{text}» er ikke et {what_da}, mappingen kender (vores: {}); tilføj det til mappingens {what}_words{formula_da}", scale.ours),
                    format!("«{text}» is not a {what} word the mapping knows (ours: {}); add it to the mapping's {what}_words{formula_en}", scale.ours),
                );
                None
            }
        }
    }

    fn rating(&mut self, row: u32, rc: &RatingCols, reference: &str) -> SheetRating {
        let m = self.mapping;
        SheetRating {
            consequence: self.scale(row, rc.consequence, reference, Scale { words: &m.consequence_words, builtin: mapping::builtin_consequence, what: "consequence", what_da: "konsekvensord", ours: "begrænset, alvorlig, meget alvorlig, ødelæggende, 1–4" }),
            consequence_reason: self.text(row, rc.consequence_reason, Some(reference)),
            likelihood: self.scale(row, rc.likelihood, reference, Scale { words: &m.likelihood_words, builtin: mapping::builtin_likelihood, what: "likelihood", what_da: "sandsynlighedsord", ours: "usandsynlig, mulig, sandsynlig, forventet, 1–4" }),
            likelihood_reason: self.text(row, rc.likelihood_reason, Some(reference)),
        }
    }

    fn dimensions(&mut self, row: u32, cols: &Cols, reference: &str) -> Vec<Dimension> {
        let Some(col) = cols.dimension else { return self.mapping.default_dimensions.clone() };
        let Some(text) = self.text(row, Some(col), Some(reference)) else { return Vec::new() };
        let mut dims = Vec::new();
        for part in split_list(&text) {
            let word = norm(&part);
            match self.mapping.dimension_words.get(&word).copied().or_else(|| mapping::builtin_dimension(&word)) {
                Some(d) if !dims.contains(&d) => dims.push(d),
                Some(_) => {}
                None => self.problem(
                    row,
                    Some(col),
                    Some(reference),
                    format!("«{part}» er ikke en dimension, mappingen kender (vores: F/I/T, C/I/A, fortrolighed, integritet, tilgængelighed); tilføj den til mappingens dimension_words"),
                    format!("«{part}» is not a dimension the mapping knows (ours: F/I/T, C/I/A, fortrolighed, integritet, tilgængelighed); add it to the mapping's dimension_words"),
                ),
            }
        }
        dims
    }

    fn row(&mut self, row: u32, reference: &str, cols: &Cols) -> SheetRisk {
        let mut risk = SheetRisk { reference: reference.to_owned(), rows: vec![row + 1], ..SheetRisk::default() };
        risk.title = self.text(row, cols.title, Some(reference)).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        risk.threat = self.text(row, cols.threat, Some(reference));
        if risk.title.is_none() {
            risk.title = risk.threat.as_ref().and_then(|t| t.lines().next()).map(|l| l.trim().to_owned());
        }
        risk.modules = self.text(row, cols.module, Some(reference)).map(|t| split_list(&t)).unwrap_or_default();
        risk.processes = self.text(row, cols.process, Some(reference)).map(|t| split_list(&t)).unwrap_or_default();
        let rated = cols.general[0].rates() || cols.general[1].rates();
        let general = [self.rating(row, &cols.general[0], reference), self.rating(row, &cols.general[1], reference)];
        if rated && !(general[0].is_empty() && general[1].is_empty()) {
            let dims = self.dimensions(row, cols, reference);
            if let Some(col) = cols.dimension.filter(|c| dims.is_empty() && self.sheet.get(row, *c).is_blank()) {
                self.problem(
                    row,
                    Some(col),
                    Some(reference),
                    "rækken vurderer truslen, men siger ikke, om det gælder fortrolighed, integritet eller tilgængelighed".into(),
                    "the row rates the threat but does not say for which of confidentiality, integrity and availability".into(),
                );
            }
            for d in dims {
                self.add_rating(&mut risk, row, d, general.clone(), reference);
            }
        }
        let per: Vec<(Dimension, [RatingCols; 2])> = cols.per_dimension.iter().map(|(d, p)| (*d, *p)).collect();
        for (d, p) in per {
            let mut ratings = [self.rating(row, &p[0], reference), self.rating(row, &p[1], reference)];
            for i in 0..2 {
                // a shared likelihood alone (or consequence alone) rates no dimension
                if cols.shared[i].is_some() && self.own_side_blank(row, &p[i], cols.shared[i]) {
                    ratings[i] = SheetRating::default();
                }
            }
            if !(ratings[0].is_empty() && ratings[1].is_empty()) {
                self.add_rating(&mut risk, row, d, ratings, reference);
            }
        }
        risk.measures = self.measures(row, cols, reference);
        risk
    }

    /// Whether the dimension's own rating column (the one not shared) is blank in the row.
    fn own_side_blank(&self, row: u32, p: &RatingCols, shared: Option<u32>) -> bool {
        [p.consequence, p.likelihood].into_iter().flatten().filter(|c| Some(*c) != shared).all(|c| self.value(row, c).0.is_blank())
    }

    fn add_rating(&mut self, risk: &mut SheetRisk, row: u32, d: Dimension, [inherent, residual]: [SheetRating; 2], reference: &str) {
        if risk.inherent.contains_key(&d) || risk.residual.contains_key(&d) {
            self.problem(row, None, Some(reference), format!("{reference} vurderer {} mere end én gang", d.danish()), format!("{reference} rates {} more than once", d.english()));
            return;
        }
        if !inherent.is_empty() {
            risk.inherent.insert(d, inherent);
        }
        if !residual.is_empty() {
            risk.residual.insert(d, residual);
        }
    }

    /// The measures of a row: the measure column's with the row's status, owner, kind and due
    /// date; the recommended measures column's as planned.
    fn measures(&mut self, row: u32, cols: &Cols, reference: &str) -> Vec<SheetMeasure> {
        let existing = self.text(row, cols.measure, Some(reference));
        let recommended = self.text(row, cols.recommended_measure, Some(reference));
        if existing.is_none() && recommended.is_none() {
            return Vec::new();
        }
        let m = self.mapping;
        let owner = self.text(row, cols.owner, Some(reference)).map(|name| {
            let owner = m.owner_words.get(&norm(&name)).copied().unwrap_or_else(|| mapping::builtin_owner(&name));
            (owner, name)
        });
        let status = self.scale(row, cols.status, reference, Scale { words: &m.status_words, builtin: mapping::builtin_status, what: "status", what_da: "statusord", ours: "gennemført, planlagt, fravalgt" });
        let kind = self.scale(row, cols.measure_kind, reference, Scale { words: &m.kind_words, builtin: mapping::builtin_kind, what: "kind", what_da: "ord for typen", ours: "teknisk, organisatorisk" });
        let planned_date = self.date(row, cols.planned_date, reference);
        let lines = |text: Option<String>| -> Vec<String> {
            text.unwrap_or_default()
                .lines()
                .map(|l| l.trim().trim_start_matches(['-', '•', '*', '·', '–']).trim().to_owned())
                .filter(|l| !l.is_empty() && !mapping::is_none_word(l))
                .collect()
        };
        let mut out: Vec<SheetMeasure> = lines(existing)
            .into_iter()
            .map(|title| SheetMeasure { title, row: row + 1, owner: owner.clone(), status, planned_date, kind })
            .collect();
        // the status column speaks of the measures in place; a recommendation is planned
        let recommended_status = if cols.measure.is_some() { Some(MeasureStatus::Planned) } else { status.or(Some(MeasureStatus::Planned)) };
        out.extend(lines(recommended).into_iter().map(|title| SheetMeasure { title, row: row + 1, owner: owner.clone(), status: recommended_status, planned_date, kind }));
        out
    }

    fn date(&mut self, row: u32, col: Option<u32>, reference: &str) -> Option<Day> {
        match col.map(|c| self.value(row, c).0) {
            Some(Value::Date(d)) => return Some(d),
            // a date cell without a date format shows Excel's day number (1900 system)
            Some(Value::Number(n)) if (20_000.0..80_000.0).contains(&n) && n.fract() == 0.0 => {
                let epoch = time::Date::from_calendar_date(1899, time::Month::December, 30).expect("a valid date");
                return epoch.checked_add(time::Duration::days(n as i64)).map(Day);
            }
            _ => {}
        }
        let text = self.text(row, col, Some(reference))?;
        match parse_date(&text) {
            Some(d) => Some(d),
            None => {
                self.problem(row, col, Some(reference), format!("«{text}» er ikke en dato (skriv 31.03.2026 eller 2026-03-31)"), format!("«{text}» is not a date (write 2026-03-31 or 31.03.2026)"));
                None
            }
        }
    }

    /// Adds a further row of the same reference to a threat (one row per dimension, or a
    /// row with one more measure).
    fn merge(&mut self, into: &mut SheetRisk, more: SheetRisk) {
        let row = more.rows[0] - 1;
        let reference = into.reference.clone();
        for (field, field_da, a, b) in [("title", "titel", &mut into.title, more.title), ("threat", "trussel", &mut into.threat, more.threat)] {
            match (a.as_ref(), b) {
                (Some(x), Some(y)) if norm(x) != norm(&y) => {
                    let first = into.rows[0];
                    self.problem(
                        row,
                        None,
                        Some(&reference),
                        format!("række {} giver {reference} en anden {field_da} end række {first}; én reference er én trussel", row + 1),
                        format!("row {} gives {reference} another {field} than row {first}; one reference is one threat", row + 1),
                    );
                }
                (None, Some(y)) => *a = Some(y),
                _ => {}
            }
        }
        for m in more.modules {
            if !into.modules.iter().any(|x| norm(x) == norm(&m)) {
                into.modules.push(m);
            }
        }
        for p in more.processes {
            if !into.processes.iter().any(|x| norm(x) == norm(&p)) {
                into.processes.push(p);
            }
        }
        for (d, r) in more.inherent {
            if into.inherent.insert(d, r).is_some() {
                self.problem(row, None, Some(&reference), format!("{reference} vurderer {} mere end én gang (række {} og {})", d.danish(), into.rows[0], row + 1), format!("{reference} rates {} more than once (rows {} and {})", d.english(), into.rows[0], row + 1));
            }
        }
        for (d, r) in more.residual {
            if into.residual.insert(d, r).is_some() {
                self.problem(row, None, Some(&reference), format!("{reference} vurderer rest-{} mere end én gang (række {} og {})", d.danish(), into.rows[0], row + 1), format!("{reference} rates the residual {} more than once (rows {} and {})", d.english(), into.rows[0], row + 1));
            }
        }
        into.measures.extend(more.measures);
        into.rows.push(row + 1);
    }
}

/// `2026-03-31`, `31.03.2026`, `31-03-2026` or `31/03/2026`.
pub fn parse_date(text: &str) -> Option<Day> {
    let t = text.trim();
    if let Ok(d) = Day::parse(t.get(..10).unwrap_or(t)) {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['.', '-', '/']).collect();
    if let [d, m, y] = parts.as_slice() {
        let (d, m, y) = (d.parse::<u8>().ok()?, m.parse::<u8>().ok()?, y.parse::<i32>().ok()?);
        let month = time::Month::try_from(m).ok()?;
        return time::Date::from_calendar_date(y, month, d).ok().map(Day);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::propose;
    use crate::sheet::Region;

    fn row(cells: &[&str]) -> Vec<Value> {
        cells.iter().map(|c| if c.is_empty() { Value::Empty } else { Value::Text((*c).into()) }).collect()
    }

    const HEADER: &[&str] = &["Ref.", "Trussel", "F/I/T", "Konsekvens", "Begrundelse", "Sandsynlighed", "Begrundelse", "Foranstaltninger", "Ansvarlig", "Status"];

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let mut all = vec![row(HEADER)];
        all.extend(rows.iter().map(|r| row(r)));
        Sheet::from_rows("KOMBIT Beskeder", all)
    }

    fn parsed(s: &Sheet) -> ParsedSheet {
        parse(s, &propose(s).mapping).unwrap()
    }

    #[test]
    fn rows_of_one_reference_make_one_threat() {
        let s = sheet(&[
            &["T1", "Fejlsendt besked", "F", "ødelæggende", "Barnet skades", "forventet", "Sker ofte", "Advarsel ved mange modtagere\n- Uddannelse", "KOMBIT", "gennemført"],
            &["T1", "Fejlsendt besked", "I", "begrænset", "Kun indhold", "mulig", "Sjældent", "", "", ""],
            &[],
            &["T2", "Umarkeret følsom besked", "F, T", "meget alvorlig", "Eksponering", "sandsynlig", "Fejl sker", "Påmindelse", "Kommunen", "planlagt"],
        ]);
        let p = parsed(&s);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.risks.len(), 2);
        let t1 = &p.risks[0];
        assert_eq!(t1.rows, [2, 3]);
        assert_eq!(t1.inherent[&Dimension::Confidentiality].consequence, Some(Consequence::Devastating));
        assert_eq!(t1.inherent[&Dimension::Integrity].likelihood_reason.as_deref(), Some("Sjældent"));
        assert_eq!(t1.measures.iter().map(|m| m.title.as_str()).collect::<Vec<_>>(), ["Advarsel ved mange modtagere", "Uddannelse"]);
        assert_eq!(t1.measures[0].owner.as_ref().map(|o| o.0), Some(Owner::Kombit));
        let t2 = &p.risks[1];
        assert_eq!(t2.inherent.keys().copied().collect::<Vec<_>>(), [Dimension::Confidentiality, Dimension::Availability]);
        assert_eq!(t2.measures[0].status, Some(MeasureStatus::Planned));
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].at.row, 4);
    }

    #[test]
    fn an_unknown_scale_word_is_located() {
        let s = sheet(&[&["T1", "Fejlsendt", "F", "katastrofisk", "x", "forventet", "y", "", "", ""]]);
        let mut m = propose(&s).mapping;
        m.consequence_words.clear();
        let p = parse(&s, &m).unwrap();
        assert_eq!(p.problems.len(), 1);
        let text = p.problems[0].to_string();
        assert!(text.starts_with("«KOMBIT Beskeder», row 2, column D (Konsekvens): «katastrofisk» is not a consequence word"), "{text}");
        assert_eq!(p.problems[0].reference.as_deref(), Some("T1"));
    }

    #[test]
    fn a_row_without_reference_is_a_problem_and_a_conflicting_title_too() {
        let s = sheet(&[
            &["", "Uden reference", "F", "alvorlig", "x", "mulig", "y", "", "", ""],
            &["T1", "Én titel", "F", "alvorlig", "x", "mulig", "y", "", "", ""],
            &["T1", "En anden titel", "I", "alvorlig", "x", "mulig", "y", "", "", ""],
        ]);
        let p = parsed(&s);
        let msgs: Vec<String> = p.problems.iter().map(|p| p.to_string()).collect();
        assert!(msgs[0].contains("row 2, column A (Ref.): no reference"), "{msgs:?}");
        assert!(msgs[1].contains("row 4 gives T1 another title than row 3"), "{msgs:?}");
    }

    #[test]
    fn formulas_use_their_stored_value_but_errors_and_missing_results_are_problems() {
        let mut rows = vec![row(HEADER)];
        rows.push(vec![Value::Text("T1".into()), Value::Text("A".into()), Value::Text("F".into()), Value::Text("alvorlig".into()), Value::Empty, Value::Text("mulig".into())]);
        rows.push(vec![Value::Text("T2".into()), Value::Text("B".into()), Value::Text("F".into()), Value::Error("#N/A".into()), Value::Empty, Value::Text("mulig".into())]);
        rows.push(vec![Value::Text("T3".into()), Value::Text("C".into()), Value::Text("F".into()), Value::Empty, Value::Empty, Value::Text("mulig".into())]);
        let s = Sheet::from_rows("Ark", rows)
            .with_formula(1, 3, "VLOOKUP(A2;Skala!A:B;2)")
            .with_formula(2, 3, "VLOOKUP(A3;Skala!A:B;2)")
            .with_formula(3, 3, "IF(B4=\"\";\"\";\"alvorlig\")");
        let p = parsed(&s);
        assert_eq!(p.formulas.len(), 1);
        assert_eq!(p.formulas[0].value, "alvorlig");
        let msgs: Vec<String> = p.problems.iter().map(|p| p.to_string()).collect();
        assert!(msgs.iter().any(|m| m.contains("row 3, column D (Konsekvens): its formula =VLOOKUP(A3;Skala!A:B;2) gives the error #N/A")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("row 4, column D (Konsekvens): the cell holds the formula") && m.contains("no computed result")), "{msgs:?}");
    }

    #[test]
    fn a_merged_header_cell_stops_the_import() {
        let s = sheet(&[&["T1", "A", "F", "alvorlig", "x", "mulig", "y", "", "", ""]])
            .with_merged(Region { first_row: 0, first_col: 3, last_row: 0, last_col: 4 });
        let err = parse(&s, &propose(&s).mapping).unwrap_err();
        assert!(err.to_string().contains("row 1, cells D1:E1: the header «Konsekvens» is a merged cell"), "{err}");
    }

    #[test]
    fn data_under_an_empty_header_stops_the_import() {
        let mut rows = vec![row(&["Ref.", "Trussel", "Konsekvens", "", "Sandsynlighed"])];
        rows.push(row(&["T1", "A", "alvorlig", "begrundelse", "mulig"]));
        let s = Sheet::from_rows("Ark", rows);
        let err = parse(&s, &propose(&s).mapping).unwrap_err();
        assert_eq!(err, LayoutError::DataWithoutHeader { sheet: "Ark".into(), row: 1, column: "D".into(), first_data: 2 });
    }

    #[test]
    fn a_column_the_mapping_names_but_the_sheet_lacks_is_named() {
        let s = sheet(&[&["T1", "A", "F", "alvorlig", "x", "mulig", "y", "", "", ""]]);
        let mut m = propose(&s).mapping;
        m.columns.owner = Some("Ejer".into());
        let err = parse(&s, &m).unwrap_err().to_string();
        assert!(err.contains("row 1 (the header row): the mapping's columns.owner column «Ejer» is not in the sheet"), "{err}");
    }

    #[test]
    fn a_sheet_without_likelihood_is_refused_with_its_columns_listed() {
        let s = Sheet::from_rows("Ark", vec![row(&["Ref.", "Trussel", "Konsekvens"]), row(&["T1", "A", "alvorlig"])]);
        let err = parse(&s, &propose(&s).mapping).unwrap_err().to_string();
        assert!(err.contains("no column for the likelihood"), "{err}");
        assert!(err.contains("A «Ref.», B «Trussel», C «Konsekvens»"), "{err}");
    }

    #[test]
    fn dates_in_iso_and_danish_form() {
        assert_eq!(parse_date("2026-03-31"), Some(Day::ymd(2026, 3, 31)));
        assert_eq!(parse_date("31.03.2026"), Some(Day::ymd(2026, 3, 31)));
        assert_eq!(parse_date("31/3/2026"), Some(Day::ymd(2026, 3, 31)));
        assert_eq!(parse_date("snart"), None);
    }
}
