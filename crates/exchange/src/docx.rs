//! The effective DPIA (or the joint base) as a Word document, so colleagues can comment on
//! it. The content is the core's [`Report`] — the same the PDF lays out, so both have the
//! same sections in the same order — written with Word heading styles (the navigation pane
//! and the table of contents work), real Word tables (the risk register, the traceability
//! matrix, the heat maps) and the supplement's local items marked LOKAL.

use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, InstrPAGEREF, InstrText, LineSpacing, NumPages, PageNum, Paragraph, Run, RunFonts,
    Shading, ShdType, SpecialIndentType, Style, StyleType, Tab, TabLeaderType, TabValueType, Table, TableCell, TableCellMargins, TableRow, WidthType,
};
use konsekvens_core::model::{Consequence, Likelihood, RiskLevel};
use konsekvens_core::report::{self, Block, Cell, Fill, HeatMaps, ParaKind, Report, Signer, SignatureLabels, Span, Tone};
use konsekvens_core::EffectiveDpia;

/// What goes in the document besides the DPIA, and how the app and the CLI assemble it:
/// the core's, shared with the PDF.
pub use konsekvens_core::report::{document_for, ReportOptions};

#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("could not write the Word document: {0}")]
    Write(String),
}

/// Writes the effective DPIA (or, with `opts.is_base`, the joint base) as .docx bytes.
pub fn render(dpia: &EffectiveDpia, opts: &ReportOptions) -> Result<Vec<u8>, DocxError> {
    render_report(&Report::of(dpia, opts))
}

/// Writes an already built document as .docx bytes.
pub fn render_report(report: &Report) -> Result<Vec<u8>, DocxError> {
    let mut w = Writer { body: Vec::new(), toc: Vec::new(), level: 0 };
    w.blocks(&report.blocks, false);
    let toc = w.contents();
    let mut docx = styles(Docx::new())
        .page_size(11906, 16838)
        .page_margin(docx_rs::PageMargin { top: 1134, left: 1134, bottom: 1134, right: 1134, header: 567, footer: 567, gutter: 0 })
        .default_fonts(RunFonts::new().ascii("Liberation Sans").hi_ansi("Liberation Sans").east_asia("Liberation Sans"))
        .default_size(20)
        .footer(footer(report));
    for block in w.body {
        docx = match block {
            Out::P(p) => docx.add_paragraph(*p),
            Out::T(t) => docx.add_table(*t),
            Out::Contents => toc.iter().cloned().fold(docx, Docx::add_paragraph),
        };
    }
    let mut stored = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut stored).map_err(|e| DocxError::Write(e.to_string()))?;
    deflate(&stored.into_inner()).map_err(DocxError::Write)
}

/// Rewrites a zip package with every part deflated (docx-rs stores them uncompressed,
/// which makes a 40-page DPIA half a megabyte), each WordprocessingML part put in the
/// schema's element order (`ooxml::conform`) and Word 2012's empty comment-thread part left
/// out. Part order is kept: [Content_Types].xml first.
fn deflate(stored: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;
    let e = |e: zip::result::ZipError| e.to_string();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(stored)).map_err(e)?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(e)?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().to_owned();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        match name.as_str() {
            // Word 2012's extension part for comment threads (not ECMA-376): we write no comments
            crate::ooxml::COMMENTS_EXTENDED => continue,
            "word/_rels/document.xml.rels" | "[Content_Types].xml" => bytes = crate::ooxml::without_comments_extended(&bytes),
            n if n.starts_with("word/") && n.ends_with(".xml") => bytes = crate::ooxml::conform(&bytes).map_err(|e| format!("{name}: {e}"))?,
            _ => {}
        }
        out.start_file(name, options).map_err(e)?;
        out.write_all(&bytes).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(e)?.into_inner())
}

// Word's palette: the PDF's colours for text, lighter tints for cell fills (Word documents
// are read on screen and commented in).
const GREY: &str = "666666";
const ACCENT: &str = "1B3A5C";

fn color(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Normal => None,
        Tone::Grey => Some(GREY),
        Tone::Local => Some("9E4500"),
        Tone::Accent => Some(ACCENT),
        Tone::Alert => Some("B31A1A"),
    }
}

fn fill(f: Fill) -> &'static str {
    match f {
        Fill::Header => "EDF1F5",
        Fill::Low => "D8EFD3",
        Fill::Medium => "FCEBC2",
        Fill::High => "F6C9C4",
        Fill::Local => "FFF0D9",
        Fill::NotApplicable => "EEEEEE",
    }
}

fn level_fill(l: RiskLevel) -> Fill {
    match l {
        RiskLevel::Low => Fill::Low,
        RiskLevel::Medium => Fill::Medium,
        RiskLevel::High => Fill::High,
    }
}

/// A4 less 2 cm margins, in twentieths of a point.
const CONTENT_WIDTH: f32 = 9638.0;

fn styles(docx: Docx) -> Docx {
    // space before and after in twips, as the PDF's headings (14/6, 10/4, 7/3 pt): without
    // it a heading stood flush against the table above it
    let heading = |id: &str, name: &str, level: usize, size: usize, before: u32, after: u32| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .bold()
            .size(size)
            .color(ACCENT)
            .outline_lvl(level)
            .line_spacing(LineSpacing::new().before(before).after(after))
            .q_format(true)
    };
    docx.add_style(heading("Heading1", "heading 1", 0, 32, 280, 120))
        .add_style(heading("Heading2", "heading 2", 1, 26, 200, 80))
        .add_style(heading("Heading3", "heading 3", 2, 22, 140, 60))
        .add_style(Style::new("Title", StyleType::Paragraph).name("Title").based_on("Normal").bold().size(48).color(ACCENT).q_format(true))
        .add_style(Style::new("Small", StyleType::Paragraph).name("Small").based_on("Normal").size(16).color(GREY))
        .add_style(Style::new("TOCHeading", StyleType::Paragraph).name("TOC Heading").based_on("Normal").bold().size(32).color(ACCENT))
        .add_style(Style::new("TOC1", StyleType::Paragraph).name("toc 1").based_on("Normal").bold())
        .add_style(Style::new("TOC2", StyleType::Paragraph).name("toc 2").based_on("Normal").indent(Some(280), None, None, None))
}

fn footer(report: &Report) -> Footer {
    let (page, of) = report.page_words();
    Footer::new().add_paragraph(
        Paragraph::new()
            .style("Small")
            .add_run(plain(format!("{}   {page} ", report.footer_text())))
            .add_page_num(PageNum::new())
            .add_run(plain(format!(" {of} ")))
            .add_num_pages(NumPages::new()),
    )
}

enum Out {
    P(Box<Paragraph>),
    T(Box<Table>),
    /// Where the table of contents goes (it is made when all headings are known).
    Contents,
}

/// A run of text; line breaks in the text become line breaks in Word.
fn run(span: &Span) -> Run {
    let mut r = Run::new();
    for (i, line) in span.text.split('\n').enumerate() {
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        r = r.add_text(line);
    }
    if span.bold {
        r = r.bold();
    }
    if let Some(c) = color(span.tone) {
        r = r.color(c);
    }
    r
}

fn plain(text: impl Into<String>) -> Run {
    run(&Span::new(text))
}

fn paragraph(spans: &[Span]) -> Paragraph {
    spans.iter().map(run).fold(Paragraph::new(), Paragraph::add_run)
}

struct Writer {
    body: Vec<Out>,
    /// Headings of levels 1–2: (level, text, bookmark name).
    toc: Vec<(usize, String, String)>,
    /// The level of the last heading (0 before the first).
    level: usize,
}

impl Writer {
    /// The blocks in order; `keep` holds a group together (each paragraph keeps with the next).
    fn blocks(&mut self, blocks: &[Block], keep: bool) {
        for b in blocks {
            match b {
                Block::Heading { level, text } => self.heading(*level as usize, text),
                Block::Para { spans, kind } => {
                    let p = match kind {
                        ParaKind::Body => paragraph(spans),
                        ParaKind::Small | ParaKind::CoverKicker => paragraph(spans).style("Small"),
                        ParaKind::CoverTitle => paragraph(spans).style("Title"),
                        ParaKind::CoverParty => spans.iter().map(|s| run(s).size(32)).fold(Paragraph::new(), Paragraph::add_run),
                    };
                    self.body.push(Out::P(Box::new(p.keep_next(keep))));
                }
                Block::Table(t) => self.table(t),
                // a bullet and a hanging indent (the report's lists are short; no Word numbering part)
                Block::List(items) => {
                    for item in items {
                        let p = item.iter().map(run).fold(Paragraph::new().add_run(Run::new().add_text("•").add_tab()), Paragraph::add_run);
                        let p = p.indent(Some(360), Some(SpecialIndentType::Hanging(360)), None, None);
                        self.body.push(Out::P(Box::new(p.keep_next(keep))));
                    }
                }
                // Word sets the cover's spacing by its paragraph styles
                Block::Space(_) => {}
                Block::PageBreak => self.body.push(Out::P(Box::new(Paragraph::new().add_run(Run::new().add_break(BreakType::Page))))),
                Block::Contents { title } => {
                    self.body.push(Out::P(Box::new(Paragraph::new().style("TOCHeading").add_run(plain(title.as_str())))));
                    self.body.push(Out::Contents);
                }
                Block::Keep(group) => self.blocks(group, true),
                Block::HeatMaps(maps) => self.heat_maps(maps),
                // a Word copy is for reading and commenting, not signed: no note on PAdES
                Block::Signatures { note: _, labels, people } => self.signatures(labels, people),
            }
        }
    }

    /// A heading in Word's heading style; levels 1–2 are bookmarked for the contents. A level
    /// is at most one below the heading before it (the report puts the purposes, level 3,
    /// straight under section 2): Word's navigation pane and a screen reader's outline take
    /// a skipped level for a missing heading.
    fn heading(&mut self, level: usize, text: &str) {
        let level = level.clamp(1, self.level + 1);
        self.level = level;
        let mut p = Paragraph::new().style(&format!("Heading{level}")).keep_next(true);
        if level <= 2 {
            let id = self.toc.len() + 1;
            let name = format!("_Toc{id:06}");
            p = p.add_bookmark_start(id, &name).add_run(plain(text)).add_bookmark_end(id);
            self.toc.push((level, text.to_owned(), name));
        } else {
            p = p.add_run(plain(text));
        }
        self.body.push(Out::P(Box::new(p)));
    }

    /// The table of contents: the headings with PAGEREF fields to their bookmarks, which
    /// LibreOffice and Word compute on opening or printing. (Each field is one run: LibreOffice
    /// does not evaluate PAGEREFs inside an imported TOC field, nor fields split over runs.)
    fn contents(&self) -> Vec<Paragraph> {
        self.toc
            .iter()
            .map(|(level, text, bookmark)| {
                let page = Run::new()
                    .add_field_char(FieldCharType::Begin, false)
                    .add_instr_text(InstrText::PAGEREF(InstrPAGEREF::new(bookmark).hyperlink()))
                    .add_field_char(FieldCharType::Separate, false)
                    .add_text("1")
                    .add_field_char(FieldCharType::End, false);
                Paragraph::new()
                    .style(&format!("TOC{level}"))
                    .add_tab(Tab::new().val(TabValueType::Right).leader(TabLeaderType::Dot).pos(CONTENT_WIDTH as usize))
                    .add_run(plain(text.as_str()))
                    .add_run(Run::new().add_tab())
                    .add_run(page)
            })
            .collect()
    }

    /// A Word table: relative column widths, the header row (bold on the header fill, kept
    /// with the first row so it never ends a page alone), rows that do not split.
    fn table(&mut self, t: &report::Table) {
        let total: f32 = t.widths.iter().sum();
        let grid: Vec<usize> = t.widths.iter().map(|w| (w / total * CONTENT_WIDTH) as usize).collect();
        // the PDF's table sizes (8.5 pt, compact 7.5 pt): at the body's 10 pt, a reference
        // column's «AFVIGELSE» broke in two
        let size = if t.compact { 15 } else { 17 };
        let make_row = |cells: &[Cell], row_fill: Option<Fill>, header: bool| {
            let cells = cells
                .iter()
                .zip(&grid)
                .map(|(c, w)| {
                    let runs: Vec<Run> = if c.mark { vec![run(&Span::bold("●"))] } else { c.spans.iter().map(run).collect() };
                    let mut para = runs.into_iter().map(|r| r.size(size)).fold(Paragraph::new().keep_next(header), Paragraph::add_run);
                    if c.center {
                        para = para.align(AlignmentType::Center);
                    }
                    let mut cell = TableCell::new().add_paragraph(para).width(*w, WidthType::Dxa);
                    if let Some(f) = c.fill.or(row_fill) {
                        cell = cell.shading(Shading::new().shd_type(ShdType::Clear).color("auto").fill(fill(f)));
                    }
                    cell
                })
                .collect();
            TableRow::new(cells).cant_split()
        };
        let mut rows = Vec::new();
        if let Some(header) = &t.header {
            rows.push(make_row(header, Some(Fill::Header), true));
        }
        rows.extend(t.rows.iter().map(|r| make_row(&r.cells, r.fill, false)));
        // cell padding as the PDF's: 2 pt above and below (without it LibreOffice set a cell's
        // last line on its border) and 3.5 pt beside
        let margins = TableCellMargins::new().margin(40, 70, 40, 70);
        self.body.push(Out::T(Box::new(Table::new(rows).set_grid(grid.clone()).width(CONTENT_WIDTH as usize, WidthType::Dxa).margins(margins))));
        // Word joins two tables that follow each other; an empty paragraph keeps them apart.
        self.body.push(Out::P(Box::new(Paragraph::new())));
    }

    /// Each 4 × 4 heat map as a table under its title: consequence down (the most severe at
    /// the top), likelihood across, each cell coloured by the matrix level with the count
    /// and the references.
    fn heat_maps(&mut self, maps: &HeatMaps) {
        for map in &maps.maps {
            self.heading(3, &map.title);
            let corner = format!("{} \\ {}", maps.consequence_axis, maps.likelihood_axis.to_lowercase());
            let mut header = vec![Cell::bold(corner)];
            header.extend(maps.likelihood_words.iter().map(|w| Cell::bold(cap(w)).center()));
            let mut t = report::Table::new(&[1.6, 1.0, 1.0, 1.0, 1.0], Some(header));
            for c in Consequence::ALL.iter().rev() {
                let mut row = vec![Cell::bold(cap(&maps.consequence_words[c.step() as usize - 1])).fill(Fill::Header)];
                for l in Likelihood::ALL {
                    let level = level_fill(RiskLevel::of(*c, l));
                    row.push(match map.grid.get(&(c.step(), l.step())) {
                        Some(refs) => Cell::spans(vec![Span::bold(refs.len().to_string()), Span::new(format!("\n{}", refs.join(" "))).tone(Tone::Grey)]).center().fill(level),
                        None => Cell::default().fill(level),
                    });
                }
                t.row(row);
            }
            self.table(&t);
        }
    }

    /// One row per signatory, with room to write the date and sign a printed copy.
    fn signatures(&mut self, labels: &SignatureLabels, people: &[Signer]) {
        let header = [&labels.name, &labels.capacity, &labels.date, &labels.signature].map(|l| Cell::bold(l.as_str()));
        let mut t = report::Table::new(&[2.0, 2.6, 1.2, 2.2], Some(header.to_vec()));
        for p in people {
            t.row(vec![Cell::bold(p.name.as_str()), Cell::text(p.capacity.as_str()), Cell::text("\n\n"), Cell::text("\n\n")]);
        }
        self.table(&t);
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use konsekvens_core::check::Lang;
    use konsekvens_core::model::{Day, OrgCode, Participant, Supplement};
    use std::io::Read;

    fn part(docx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    fn koebenhavn() -> EffectiveDpia {
        let (coordination, base, supplements) = konsekvens_core::sample::aula();
        let kbh = supplements.iter().find(|s| s.meta.org == Some(OrgCode(101))).unwrap();
        let participant = coordination.participants.iter().find(|p| p.code == Some(OrgCode(101))).unwrap();
        EffectiveDpia::compute(&coordination, &base, kbh, participant)
    }

    #[test]
    fn sections_are_word_headings_in_the_pdfs_order_and_local_items_are_marked() {
        let opts = ReportOptions { findings: Some(Vec::new()), ..ReportOptions::new(Day::ymd(2025, 6, 1)) };
        let bytes = render(&koebenhavn(), &opts).unwrap();
        let doc = part(&bytes, "word/document.xml");
        let headings: Vec<&str> = doc
            .split(r#"<w:pStyle w:val="Heading1" />"#)
            .skip(1)
            .filter_map(|rest| rest.split(r#"<w:t xml:space="preserve">"#).nth(1)?.split("</w:t>").next())
            .collect();
        // the municipality's copy opens with the management summary, as the PDF does
        assert_eq!(headings[0], "Ledelsesresumé");
        assert_eq!(headings[1], "1. Systematisk beskrivelse (art. 35, stk. 7, litra a)");
        assert_eq!(headings[6], "6. Sporbarhed: risici og foranstaltninger");
        assert_eq!(headings[8], "8. Kommunens lokale tillæg");
        assert_eq!(headings.last(), Some(&"Underskrifter"));
        assert!(doc.contains(">LOKAL<"), "local items are marked");
        assert!(doc.contains("<w:tbl>"), "tables are Word tables");
        assert!(doc.contains("PAGEREF _Toc000001"), "the contents point at the bookmarked headings");
        assert!(!doc.contains("PAdES"), "a Word copy does not claim digital signatures");
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains(r#"<w:style w:type="paragraph" w:styleId="Heading1">"#) && styles.contains(r#"<w:outlineLvl w:val="0" />"#), "{styles}");
    }

    #[test]
    fn the_base_has_no_supplement_section_and_english_works() {
        let (coordination, base, _) = konsekvens_core::sample::aula();
        let base_only = Participant::joint_base();
        let dpia = EffectiveDpia::compute(&coordination, &base, &Supplement::default(), &base_only);
        let opts = ReportOptions { lang: Lang::En, is_base: true, ..ReportOptions::new(Day::ymd(2025, 6, 1)) };
        let doc = part(&render(&dpia, &opts).unwrap(), "word/document.xml");
        assert!(doc.contains("Systematic description (Art. 35(7)(a))"));
        assert!(!doc.contains("local supplement</w:t>"), "the heading «The municipality's local supplement» is only for municipalities");
        assert!(!doc.contains("Annex A. Findings"), "no findings, no annex of findings");
        // the sample's imported supplier sheets are printed as the (then first) annex
        assert!(doc.contains("Annex A. Imported supplier sheets") && doc.contains("KOMBIT Beskeder"), "the sheets' annex");
    }

    #[test]
    fn the_word_copy_measures_residual_risk_against_the_municipalitys_own_policy() {
        // Word and PDF share the report, so a stricter local policy shows in both
        let strict = ReportOptions { policy: konsekvens_core::check::AcceptancePolicy { max_medium_percent: 0 }, ..ReportOptions::new(Day::ymd(2025, 6, 1)) };
        let doc = part(&render(&koebenhavn(), &strict).unwrap(), "word/document.xml");
        assert!(doc.contains("højst 0 % må være mellem"), "the policy's own limit is printed");
    }
}
