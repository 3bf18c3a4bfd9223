//! A small page-layout engine: measures text with the embedded fonts' real glyph widths
//! (ttf-parser), wraps it, paginates blocks (paragraphs, tables with repeated header rows,
//! headings kept with what follows, drawings), and records where headings land so the
//! table of contents and the PDF outline can name their pages.
//!
//! Coordinates here are points from the page's top-left corner; `content.rs` writes the
//! result as the pages' content streams (bottom-left origin).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 56.0;
pub const MARGIN_TOP: f32 = 56.0;
/// Content ends here; the running footer sits below.
pub const MARGIN_BOTTOM: f32 = 62.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Font {
    Regular,
    Bold,
}

/// Advance widths per char for one font, read once.
struct Metrics {
    units_per_em: f32,
    face: ttf_parser::Face<'static>,
    /// Advances of the chars below [`DIRECT`], looked up in the font on first use:
    /// 0 not yet looked up, [`NO_GLYPH`] the font has none, else advance + 1. Measuring
    /// is the layout's innermost loop; a cmap lookup per char was half of rendering.
    direct: Box<[AtomicU32]>,
}

/// Latin, Latin-1, Latin Extended, general punctuation and arrows: every char the
/// documents print in practice.
pub(crate) const DIRECT: usize = 0x2200;
const NO_GLYPH: u32 = u32::MAX;

impl Metrics {
    /// The font's advance for `c` in font units, or `None` when it has no glyph for it.
    fn advance(&self, c: char) -> Option<u16> {
        let look = || self.face.glyph_index(c).map(|g| self.face.glyph_hor_advance(g).unwrap_or(500));
        let Some(slot) = self.direct.get(c as usize) else { return look() };
        match slot.load(Ordering::Relaxed) {
            0 => {
                let a = look();
                slot.store(a.map_or(NO_GLYPH, |a| a as u32 + 1), Ordering::Relaxed);
                a
            }
            NO_GLYPH => None,
            a => Some((a - 1) as u16),
        }
    }
}

fn metrics(font: Font) -> &'static Metrics {
    static R: OnceLock<Metrics> = OnceLock::new();
    static B: OnceLock<Metrics> = OnceLock::new();
    let (cell, bytes) = match font {
        Font::Regular => (&R, REGULAR_TTF),
        Font::Bold => (&B, BOLD_TTF),
    };
    cell.get_or_init(|| {
        let face = ttf_parser::Face::parse(bytes, 0).expect("bundled font parses");
        Metrics { units_per_em: face.units_per_em() as f32, face, direct: (0..DIRECT).map(|_| AtomicU32::new(0)).collect() }
    })
}

/// Width of `text` in points at `size`.
pub fn text_width(text: &str, font: Font, size: f32) -> f32 {
    let m = metrics(font);
    let units: f32 = text
        .chars()
        .map(|c| m.advance(c).or_else(|| m.advance('?')).unwrap_or(500) as f32)
        .sum();
    units / m.units_per_em * size
}

/// Replaces characters the font cannot show (so nothing silently disappears from the page).
pub fn printable(text: &str) -> String {
    let m = metrics(Font::Regular);
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => ' ',
            c if m.advance(c).is_some() => c,
            '→' => '>',
            _ => '?',
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

pub const BLACK: Rgb = Rgb(0.1, 0.1, 0.12);
pub const GREY: Rgb = Rgb(0.45, 0.45, 0.48);
pub const ACCENT: Rgb = Rgb(0.05, 0.25, 0.45);
pub const LOCAL: Rgb = Rgb(0.62, 0.27, 0.0);
pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
pub const RULE: Rgb = Rgb(0.75, 0.77, 0.8);
pub const HEADER_FILL: Rgb = Rgb(0.88, 0.91, 0.95);
pub const LOCAL_FILL: Rgb = Rgb(1.0, 0.94, 0.85);
pub const NA_FILL: Rgb = Rgb(0.93, 0.93, 0.93);
pub const LOW_FILL: Rgb = Rgb(0.72, 0.87, 0.68);
pub const MEDIUM_FILL: Rgb = Rgb(1.0, 0.85, 0.45);
pub const HIGH_FILL: Rgb = Rgb(0.93, 0.5, 0.45);
/// A verdict or flag that asks for action.
pub const ALERT: Rgb = Rgb(0.7, 0.1, 0.1);

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub font: Font,
    pub color: Rgb,
}

impl Span {
    pub fn new(text: impl Into<String>) -> Self {
        Span { text: text.into(), font: Font::Regular, color: BLACK }
    }
    pub fn bold(text: impl Into<String>) -> Self {
        Span { text: text.into(), font: Font::Bold, color: BLACK }
    }
    pub fn color(mut self, c: Rgb) -> Self {
        self.color = c;
        self
    }
}

/// What the renderer draws. y is the baseline for text, the top edge for rectangles.
#[derive(Debug, Clone, PartialEq)]
pub enum Draw {
    Text { x: f32, y: f32, size: f32, font: Font, color: Rgb, text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, fill: Option<Rgb>, stroke: Option<(Rgb, f32)> },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, color: Rgb, width: f32 },
    /// A filled circle (used as a mark in the traceability matrix).
    Dot { x: f32, y: f32, r: f32, color: Rgb },
}

/// One laid-out line of rich text: runs with their x offsets.
#[derive(Debug, Clone, Default)]
pub struct TextLine {
    pub runs: Vec<(f32, Span)>,
    pub width: f32,
}

/// Greedy word wrap of styled spans into lines no wider than `width`. Newlines break lines.
pub fn wrap(spans: &[Span], size: f32, width: f32) -> Vec<TextLine> {
    // Tokens: (text, style, is_space, forced_break)
    let mut lines = vec![TextLine::default()];
    let space_of = |f: Font| text_width(" ", f, size);
    let mut pending_space: Option<(Font, Rgb)> = None;
    for span in spans {
        let text = printable_keep_newlines(&span.text);
        for (pi, para) in text.split('\n').enumerate() {
            if pi > 0 {
                lines.push(TextLine::default());
                pending_space = None;
            }
            let starts_with_space = para.starts_with(' ');
            if starts_with_space && !lines.last().unwrap().runs.is_empty() {
                pending_space = Some((span.font, span.color));
            }
            let words: Vec<&str> = para.split(' ').filter(|w| !w.is_empty()).collect();
            let ends_with_space = para.ends_with(' ') && !words.is_empty();
            for (wi, word) in words.iter().enumerate() {
                let word_w = text_width(word, span.font, size);
                let line = lines.last_mut().unwrap();
                let gap = if line.runs.is_empty() {
                    0.0
                } else if wi > 0 || pending_space.is_some() {
                    space_of(pending_space.map(|p| p.0).unwrap_or(span.font))
                } else {
                    0.0 // glued to the previous span
                };
                if line.width + gap + word_w <= width {
                    let x = line.width + gap;
                    line.runs.push((x, Span { text: word.to_string(), ..span.clone() }));
                    line.width = x + word_w;
                } else {
                    if !line.runs.is_empty() {
                        lines.push(TextLine::default());
                    }
                    // On a fresh line; a word longer than the line is broken by characters.
                    let mut chunk = String::new();
                    for ch in word.chars() {
                        let mut next = chunk.clone();
                        next.push(ch);
                        if text_width(&next, span.font, size) > width && !chunk.is_empty() {
                            let l = lines.last_mut().unwrap();
                            l.width = text_width(&chunk, span.font, size);
                            l.runs.push((0.0, Span { text: std::mem::take(&mut chunk), ..span.clone() }));
                            lines.push(TextLine::default());
                            chunk.push(ch);
                        } else {
                            chunk = next;
                        }
                    }
                    let l = lines.last_mut().unwrap();
                    l.width = text_width(&chunk, span.font, size);
                    l.runs.push((0.0, Span { text: chunk, ..span.clone() }));
                }
                pending_space = None;
            }
            if ends_with_space {
                pending_space = Some((span.font, span.color));
            }
        }
    }
    // Merge adjacent runs of the same style so the PDF holds words with their spaces.
    for line in &mut lines {
        let mut merged: Vec<(f32, Span)> = Vec::new();
        for (x, s) in line.runs.drain(..) {
            if let Some((mx, m)) = merged.last_mut() {
                if m.font == s.font && m.color == s.color {
                    let end = *mx + text_width(&m.text, m.font, size);
                    let sp = text_width(" ", m.font, size);
                    if (x - end - sp).abs() < 0.01 {
                        m.text.push(' ');
                        m.text.push_str(&s.text);
                        continue;
                    } else if (x - end).abs() < 0.01 {
                        m.text.push_str(&s.text);
                        continue;
                    }
                }
            }
            merged.push((x, s));
        }
        line.runs = merged;
    }
    lines
}

/// Wrapped text by content, for one document: the same paragraph or cell is wrapped once
/// although the table of contents needs two layout passes and keep-together measuring lays
/// groups out before placing them (wrapping was most of the layout's time). Keyed by the
/// spans, size and width themselves, not by address, so a hit is the wrap of equal input.
pub struct WrapCache {
    on: bool,
    /// hash of (spans, size, width) → the inputs and their lines
    map: RefCell<HashMap<u64, Vec<Wrapped>>>,
}

/// Spans, size and width (as bits), and their lines.
type Wrapped = (Vec<Span>, u32, u32, Rc<Vec<TextLine>>);

impl WrapCache {
    pub fn new() -> WrapCache {
        WrapCache { on: true, map: RefCell::default() }
    }
    /// Wraps every time (what the cache must be indistinguishable from).
    pub fn off() -> WrapCache {
        WrapCache { on: false, map: RefCell::default() }
    }
    /// [`wrap`], remembered.
    pub fn wrap(&self, spans: &[Span], size: f32, width: f32) -> Rc<Vec<TextLine>> {
        if !self.on {
            return Rc::new(wrap(spans, size, width));
        }
        let (size_bits, width_bits) = (size.to_bits(), width.to_bits());
        let mut h = DefaultHasher::new();
        for s in spans {
            s.text.hash(&mut h);
            (s.font as u8, s.color.0.to_bits(), s.color.1.to_bits(), s.color.2.to_bits()).hash(&mut h);
        }
        (size_bits, width_bits).hash(&mut h);
        let mut map = self.map.borrow_mut();
        let bucket = map.entry(h.finish()).or_default();
        if let Some((.., lines)) = bucket.iter().find(|(s, sz, w, _)| *sz == size_bits && *w == width_bits && s.as_slice() == spans) {
            return lines.clone();
        }
        let lines = Rc::new(wrap(spans, size, width));
        bucket.push((spans.to_vec(), size_bits, width_bits, lines.clone()));
        lines
    }
}

impl Default for WrapCache {
    fn default() -> Self {
        WrapCache::new()
    }
}

fn printable_keep_newlines(s: &str) -> String {
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n")
}

/// Paragraph style.
#[derive(Debug, Clone, Copy)]
pub struct ParaStyle {
    pub size: f32,
    pub leading: f32,
    pub indent: f32,
    pub space_before: f32,
    pub space_after: f32,
}

impl ParaStyle {
    pub const BODY: ParaStyle = ParaStyle { size: 9.5, leading: 12.5, indent: 0.0, space_before: 0.0, space_after: 4.0 };
    pub const SMALL: ParaStyle = ParaStyle { size: 8.0, leading: 10.0, indent: 0.0, space_before: 0.0, space_after: 3.0 };
}

/// A table cell: rich text, optional fill, alignment, or a dot mark.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub spans: Vec<Span>,
    pub fill: Option<Rgb>,
    pub center: bool,
    pub dot: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { spans: vec![Span::new(s)], ..Cell::default() }
    }
    pub fn bold(s: impl Into<String>) -> Cell {
        Cell { spans: vec![Span::bold(s)], ..Cell::default() }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Relative column widths; scaled to the content width.
    pub widths: Vec<f32>,
    pub header: Option<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
    pub size: f32,
    /// Fill applied to every cell of a row that has none (e.g. local rows), per row.
    pub row_fill: Vec<Option<Rgb>>,
    /// The first column heads its row (`TH`, scope Row) although there is a header row.
    pub row_headers: bool,
}

impl Table {
    pub fn new(widths: &[f32], header: Option<Vec<Cell>>) -> Table {
        Table { widths: widths.to_vec(), header, rows: Vec::new(), size: 8.5, row_fill: Vec::new(), row_headers: false }
    }
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
        self.row_fill.push(None);
    }
    pub fn row_filled(&mut self, cells: Vec<Cell>, fill: Option<Rgb>) {
        self.rows.push(cells);
        self.row_fill.push(fill);
    }
}

/// A drawing of fixed height, drawn by a function given its top-left corner.
pub struct Figure {
    pub height: f32,
    pub draw: Box<dyn Fn(f32, f32) -> Vec<Draw>>,
    /// What it is to a screen reader.
    pub tag: FigureTag,
}

/// How a [`Figure`] enters the tagged PDF's structure.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureTag {
    /// Decoration: left out of the structure.
    Artifact,
    /// A picture, read as its alternative text (which says in words what it shows).
    Figure { alt: String },
    /// Text drawn by hand (a table-of-contents line), read as `actual`.
    Text { role: Role, actual: String },
}

/// Structure types of the tagged PDF (ISO 32000-1 14.8.4), as the layout uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Document,
    H1,
    H2,
    H3,
    P,
    Table,
    TR,
    /// A column header cell (scope Column).
    TH,
    /// A row header cell (scope Row): the label column of a table without a header row.
    RowHeader,
    TD,
    Figure,
    TOC,
    TOCI,
    /// A list, its items, each item's label (the bullet) and body.
    L,
    LI,
    Lbl,
    LBody,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H1 => "H1",
            Role::H2 => "H2",
            Role::H3 => "H3",
            Role::P => "P",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH | Role::RowHeader => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
        }
    }
    fn heading(level: u8) -> Role {
        match level {
            1 => Role::H1,
            2 => Role::H2,
            _ => Role::H3,
        }
    }
}

/// One element of the structure tree; the tree is `Laid::elems` in document order, the
/// first being the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Elem {
    pub role: Role,
    pub parent: Option<usize>,
    /// Alternative text (figures).
    pub alt: Option<String>,
    /// Replacement text (hand-drawn text, marks in table cells).
    pub actual: Option<String>,
}

/// What a drawing is in the structure: content of an element, or an artifact (rules,
/// cell borders, fills, repeated table headers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Artifact,
    Content(usize),
}

pub enum Block {
    /// A heading that enters the table of contents and the outline.
    Heading { level: u8, text: String },
    Para { spans: Vec<Span>, style: ParaStyle },
    Table(Table),
    /// A bulleted list: each item's text, wrapped beside its bullet.
    List(Vec<Vec<Span>>),
    Figure(Figure),
    Space(f32),
    PageBreak,
    /// A placeholder the table of contents fills in the second pass.
    Toc,
    /// Blocks kept on one page when they fit on one (a risk with its rating table, a caption
    /// with its figure); a group taller than a page flows like its blocks would.
    Keep(Vec<Block>),
}

/// Where a heading landed.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub level: u8,
    pub text: String,
    /// 0-based page index.
    pub page: usize,
    /// Distance of the heading's top from the page's top, in points.
    pub top: f32,
}

pub struct Laid {
    pub pages: Vec<Vec<Draw>>,
    pub anchors: Vec<Anchor>,
    /// Per page, what each drawing of `pages` is in the structure.
    pub marks: Vec<Vec<Mark>>,
    /// The structure tree, in document (reading) order.
    pub elems: Vec<Elem>,
}

const CELL_PAD_X: f32 = 3.5;
const CELL_PAD_Y: f32 = 3.0;

fn heading_style(level: u8) -> (f32, f32, f32) {
    // size, space before, space after
    match level {
        1 => (15.0, 14.0, 6.0),
        2 => (11.5, 10.0, 4.0),
        _ => (10.0, 7.0, 3.0),
    }
}

struct Pager<'c> {
    cache: &'c WrapCache,
    pages: Vec<Vec<Draw>>,
    y: f32,
    marks: Vec<Vec<Mark>>,
    elems: Vec<Elem>,
    /// What drawings pushed now are.
    mark: Mark,
    /// The element new blocks belong to (the document, or the table of contents).
    container: usize,
    /// The last heading's structure level: a heading is tagged at most one level deeper,
    /// so a reader's outline never skips one (a chapter whose first sub-heading is a
    /// level-3 heading reads H1 → H2).
    heading: u8,
    /// Drawings on the current page so far.
    on_page: usize,
    /// Only measuring (keep-together): drawings are counted, not kept.
    measure: bool,
}

impl<'c> Pager<'c> {
    fn bottom() -> f32 {
        PAGE_H - MARGIN_BOTTOM
    }
    fn room(&self) -> f32 {
        Self::bottom() - self.y
    }
    fn new(cache: &'c WrapCache) -> Pager<'c> {
        let document = Elem { role: Role::Document, parent: None, alt: None, actual: None };
        Pager {
            cache,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
            marks: vec![Vec::new()],
            elems: vec![document],
            mark: Mark::Artifact,
            container: 0,
            heading: 0,
            on_page: 0,
            measure: false,
        }
    }
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.marks.push(Vec::new());
        self.y = MARGIN_TOP;
        self.on_page = 0;
    }
    /// A new structure element under `parent`.
    fn elem(&mut self, role: Role, parent: usize) -> usize {
        self.elems.push(Elem { role, parent: Some(parent), alt: None, actual: None });
        self.elems.len() - 1
    }
    fn push(&mut self, d: Draw) {
        self.on_page += 1;
        if self.measure {
            return;
        }
        self.pages.last_mut().unwrap().push(d);
        let m = self.mark;
        self.marks.last_mut().unwrap().push(m);
    }
    fn at_top(&self) -> bool {
        (self.y - MARGIN_TOP).abs() < 0.01
    }
    fn ensure(&mut self, h: f32) {
        if self.room() < h && !self.at_top() {
            self.new_page();
        }
    }
    fn page_is_empty(&self) -> bool {
        self.on_page == 0
    }
    fn text_line(&mut self, line: &TextLine, x0: f32, baseline: f32, size: f32) {
        if self.measure {
            self.on_page += line.runs.len();
            return;
        }
        for (x, s) in &line.runs {
            self.push(Draw::Text { x: x0 + x, y: baseline, size, font: s.font, color: s.color, text: s.text.clone() });
        }
    }
}

/// The least height a block needs at the top of where it is placed (for keep-with-next).
fn min_start_height(block: &Block, c: &WrapCache) -> f32 {
    match block {
        Block::Heading { level, .. } => {
            let (size, before, after) = heading_style(*level);
            before + size * 1.3 + after + 30.0
        }
        Block::Para { spans, style } => {
            let lines = c.wrap(spans, style.size, CONTENT_W - style.indent).len().min(2) as f32;
            style.space_before + lines * style.leading
        }
        Block::Table(t) => table_start_height(t, c),
        Block::List(items) => items.first().map(|i| c.wrap(i, LIST_STYLE.size, CONTENT_W - LIST_INDENT).len().min(2) as f32 * LIST_STYLE.leading).unwrap_or(0.0),
        Block::Figure(f) => f.height,
        Block::Keep(inner) => kept_height(inner, c).or_else(|| inner.first().map(|b| min_start_height(b, c))).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A chapter heading's short introduction followed by a sub-heading (the chapter's note,
/// then "Risk register"): the note, the sub-heading and the start of what that sub-heading
/// introduces go together, or the chapter would open at one page's foot and begin on the next.
fn lead_in_height(blocks: &[Block], c: &WrapCache) -> Option<f32> {
    let [Block::Para { spans, style }, next @ Block::Heading { .. }, ..] = blocks else {
        return None;
    };
    let lines = c.wrap(spans, style.size, CONTENT_W - style.indent).len();
    (lines <= 4).then(|| style.space_before + lines as f32 * style.leading + style.space_after + min_start_height(next, c))
}

/// The height a group takes when placed below other content, if it fits on one page.
fn kept_height(blocks: &[Block], c: &WrapCache) -> Option<f32> {
    // start just below the top, so space before headings counts as it will where it lands
    let start = MARGIN_TOP + 1.0;
    let mut p = Pager { y: start, measure: true, ..Pager::new(c) };
    place(blocks, &mut p, &mut Vec::new(), &|_| {});
    (p.pages.len() == 1).then_some(p.y - start)
}

fn col_widths(t: &Table) -> Vec<f32> {
    let total: f32 = t.widths.iter().sum();
    t.widths.iter().map(|w| w / total * CONTENT_W).collect()
}

fn cell_lines(c: &Cell, w: f32, size: f32, cache: &WrapCache) -> Rc<Vec<TextLine>> {
    if c.dot || c.spans.is_empty() {
        return Rc::new(vec![TextLine::default()]);
    }
    cache.wrap(&c.spans, size, w - 2.0 * CELL_PAD_X)
}

fn leading(size: f32) -> f32 {
    size * 1.25
}

fn row_height(cells: &[Cell], w: &[f32], size: f32, cache: &WrapCache) -> f32 {
    cells
        .iter()
        .zip(w)
        .map(|(c, w)| cell_lines(c, *w, size, cache).len() as f32 * leading(size))
        .fold(0.0, f32::max)
        + 2.0 * CELL_PAD_Y
}

/// Lays the blocks out. `toc` renders the table of contents from the anchors of a previous
/// pass (empty on the first); it must produce the same number of lines each pass.
pub fn layout(blocks: &[Block], toc: &dyn Fn(&mut Vec<Block>)) -> Laid {
    layout_with(blocks, toc, &WrapCache::new())
}

/// [`layout`] with wrapped text remembered in `cache` (across passes of one document).
pub fn layout_with(blocks: &[Block], toc: &dyn Fn(&mut Vec<Block>), cache: &WrapCache) -> Laid {
    let mut p = Pager::new(cache);
    let mut anchors = Vec::new();
    place(blocks, &mut p, &mut anchors, toc);
    Laid { pages: p.pages, anchors, marks: p.marks, elems: p.elems }
}

/// The headings `layout` will record as anchors, in order, each on page 0 at the top: what
/// a table of contents of the right length can be drawn from before the pages are known.
pub fn headings(blocks: &[Block]) -> Vec<Anchor> {
    let mut out = Vec::new();
    fn walk(blocks: &[Block], out: &mut Vec<Anchor>) {
        for b in blocks {
            match b {
                Block::Heading { level, text } => out.push(Anchor { level: *level, text: text.clone(), page: 0, top: 0.0 }),
                Block::Keep(inner) => walk(inner, out),
                _ => {}
            }
        }
    }
    walk(blocks, &mut out);
    out
}

/// Places blocks in order, recording where headings land in `anchors`.
fn place(blocks: &[Block], p: &mut Pager, anchors: &mut Vec<Anchor>, toc: &dyn Fn(&mut Vec<Block>)) {
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::PageBreak => {
                if !p.at_top() || p.page_is_empty() {
                    p.new_page();
                }
            }
            Block::Space(h) => {
                if !p.at_top() {
                    p.y += h;
                }
            }
            Block::Toc => {
                let mut tb = Vec::new();
                toc(&mut tb);
                // the table of contents does not list its own title
                let (outer, container) = (p.container, p.container);
                p.container = p.elem(Role::TOC, container);
                place(&tb, p, &mut Vec::new(), &|_| {});
                p.container = outer;
            }
            Block::Heading { level, text } => {
                let (size, before, after) = heading_style(*level);
                let lines = p.cache.wrap(&[Span::bold(text.clone()).color(ACCENT)], size, CONTENT_W);
                let h = lines.len() as f32 * size * 1.25;
                // keep with next: the heading and the start of what follows must fit together;
                // a group that follows comes whole when heading and group fit on a page.
                let own = before + h + after;
                let next = match blocks.get(i + 1) {
                    Some(Block::Keep(inner)) => kept_height(inner, p.cache)
                        .filter(|g| own + g <= Pager::bottom() - MARGIN_TOP)
                        .unwrap_or_else(|| inner.first().map(|b| min_start_height(b, p.cache)).unwrap_or(0.0).min(PAGE_H / 3.0)),
                    Some(b) => lead_in_height(&blocks[i + 1..], p.cache).unwrap_or_else(|| min_start_height(b, p.cache)).min(PAGE_H / 3.0),
                    None => 0.0,
                };
                p.ensure(own + next);
                if !p.at_top() {
                    p.y += before;
                }
                anchors.push(Anchor { level: *level, text: text.clone(), page: p.pages.len() - 1, top: p.y });
                let container = p.container;
                let tagged = (*level).min(p.heading + 1);
                p.heading = tagged;
                p.mark = Mark::Content(p.elem(Role::heading(tagged), container));
                for l in lines.iter() {
                    let base = p.y + size;
                    p.text_line(l, MARGIN_X, base, size);
                    p.y += size * 1.25;
                }
                p.mark = Mark::Artifact;
                if *level == 1 {
                    let y = p.y + 1.0;
                    p.push(Draw::Line { x1: MARGIN_X, y1: y, x2: PAGE_W - MARGIN_X, y2: y, color: ACCENT, width: 0.8 });
                }
                p.y += after;
            }
            Block::Keep(inner) => {
                if let Some(h) = kept_height(inner, p.cache) {
                    p.ensure(h);
                }
                place(inner, p, anchors, toc);
            }
            Block::Para { spans, style } => {
                let lines = p.cache.wrap(spans, style.size, CONTENT_W - style.indent);
                if !p.at_top() {
                    p.y += style.space_before;
                }
                // avoid a single orphan line at a page foot
                if lines.len() > 1 {
                    p.ensure(2.0 * style.leading);
                }
                let container = p.container;
                p.mark = Mark::Content(p.elem(Role::P, container));
                for l in lines.iter() {
                    p.ensure(style.leading);
                    let base = p.y + style.size;
                    p.text_line(l, MARGIN_X + style.indent, base, style.size);
                    p.y += style.leading;
                }
                p.mark = Mark::Artifact;
                p.y += style.space_after;
            }
            Block::Table(t) => table(t, p),
            Block::List(items) => list(items, p),
            Block::Figure(f) => {
                p.ensure(f.height);
                let container = p.container;
                p.mark = match &f.tag {
                    FigureTag::Artifact => Mark::Artifact,
                    FigureTag::Figure { alt } => {
                        let e = p.elem(Role::Figure, container);
                        p.elems[e].alt = Some(alt.clone());
                        Mark::Content(e)
                    }
                    FigureTag::Text { role, actual } => {
                        let e = p.elem(*role, container);
                        p.elems[e].actual = Some(actual.clone());
                        Mark::Content(e)
                    }
                };
                for d in (f.draw)(MARGIN_X, p.y) {
                    p.push(d);
                }
                p.mark = Mark::Artifact;
                p.y += f.height;
            }
        }
    }
}

/// A list's text style, and how far its text stands in from the bullet's margin.
const LIST_STYLE: ParaStyle = ParaStyle::BODY;
const LIST_INDENT: f32 = 14.0;

/// A bulleted list: `L` → per item `LI` → `Lbl` (the bullet) and `LBody` (the text). An
/// item's lines may run over a page break; its first two stay together.
fn list(items: &[Vec<Span>], p: &mut Pager) {
    let style = LIST_STYLE;
    let container = p.container;
    let l = p.elem(Role::L, container);
    for spans in items {
        let lines = p.cache.wrap(spans, style.size, CONTENT_W - LIST_INDENT);
        p.ensure(lines.len().min(2) as f32 * style.leading);
        let li = p.elem(Role::LI, l);
        let lbl = p.elem(Role::Lbl, li);
        p.mark = Mark::Content(lbl);
        p.push(Draw::Text { x: MARGIN_X + 3.0, y: p.y + style.size, size: style.size, font: Font::Regular, color: ACCENT, text: "•".into() });
        let body = p.elem(Role::LBody, li);
        p.mark = Mark::Content(body);
        for line in lines.iter() {
            p.ensure(style.leading);
            let base = p.y + style.size;
            p.text_line(line, MARGIN_X + LIST_INDENT, base, style.size);
            p.y += style.leading;
        }
        p.mark = Mark::Artifact;
        p.y += 1.5;
    }
    p.y += style.space_after;
}

fn table(t: &Table, p: &mut Pager) {
    let w = col_widths(t);
    let size = t.size;
    let lead = leading(size);
    let header_h = t.header.as_ref().map(|h| row_height(h, &w, size, p.cache)).unwrap_or(0.0);
    // repeated on later pages, the header row is an artifact: it is in the structure once
    let draw_header = |p: &mut Pager, cells: &[Option<usize>]| {
        if let Some(h) = &t.header {
            draw_row(p, h, cells, &w, size, 0, usize::MAX, Some(HEADER_FILL));
        }
    };
    let container = p.container;
    let table_elem = p.elem(Role::Table, container);
    let row_elems = |p: &mut Pager, cell: Role, n: usize| -> Vec<Option<usize>> {
        let tr = p.elem(Role::TR, table_elem);
        // a table without a header row is label | value: its first column heads each row
        let role = |k: usize| if cell == Role::TD && k == 0 && (t.header.is_none() || t.row_headers) && n > 1 { Role::RowHeader } else { cell };
        (0..n).map(|k| Some(p.elem(role(k), tr))).collect()
    };
    let repeated: Vec<Option<usize>> = t.header.as_ref().map(|h| vec![None; h.len()]).unwrap_or_default();
    // the header never stands alone: it comes with as much of the first row as goes first
    p.ensure(table_start_height(t, p.cache));
    let first = match &t.header {
        Some(h) => row_elems(p, Role::TH, h.len()),
        None => Vec::new(),
    };
    draw_header(p, &first);
    let page_lines = page_lines(header_h, lead);
    let mut fresh = false; // nothing but the header on this page yet
    for (ri, row) in t.rows.iter().enumerate() {
        let cells = row_elems(p, Role::TD, row.len());
        for (c, e) in row.iter().zip(&cells) {
            if let (true, Some(e)) = (c.dot, e) {
                p.elems[*e].actual = Some("x".into());
            }
        }
        let lines: Vec<Rc<Vec<TextLine>>> = row.iter().zip(&w).map(|(c, cw)| cell_lines(c, *cw, size, p.cache)).collect();
        let n = lines.iter().map(|l| l.len()).max().unwrap_or(1);
        let mut from = 0;
        while from < n {
            let fit = ((p.room() - 2.0 * CELL_PAD_Y) / lead).floor().max(0.0) as usize;
            let take = rows_to_take(n - from, fit, page_lines, fresh);
            if take == 0 {
                p.new_page();
                draw_header(p, &repeated);
                fresh = true;
                continue;
            }
            let fill = t.row_fill.get(ri).copied().flatten();
            draw_row_lines(p, row, &cells, &lines, &w, size, from, from + take, fill);
            fresh = false;
            from += take;
            if from < n {
                p.new_page();
                draw_header(p, &repeated);
                fresh = true;
            }
        }
    }
    p.y += 6.0;
}

/// Lines a row can have on a page of its own, below the repeated header.
fn page_lines(header_h: f32, lead: f32) -> usize {
    ((Pager::bottom() - MARGIN_TOP - header_h - 2.0 * CELL_PAD_Y) / lead).floor().max(1.0) as usize
}

/// The height a table needs where it starts: its header and its first row — whole if
/// [`rows_to_take`] would keep it whole, else its first lines.
fn table_start_height(t: &Table, c: &WrapCache) -> f32 {
    let w = col_widths(t);
    let lead = leading(t.size);
    let header_h = t.header.as_ref().map(|h| row_height(h, &w, t.size, c)).unwrap_or(0.0);
    let Some(first) = t.rows.first() else { return header_h };
    let lines = first.iter().zip(&w).map(|(cell, cw)| cell_lines(cell, *cw, t.size, c).len()).max().unwrap_or(1);
    let whole = rows_to_take(lines, lines.saturating_sub(1), page_lines(header_h, lead), false) == 0;
    let shown = if whole { lines } else { lines.min(3) };
    header_h + shown as f32 * lead + 2.0 * CELL_PAD_Y
}

/// How many of a row's `rest` lines to draw where `fit` lines fit; 0 moves it to a new page.
/// A row that would fill at most a third of a page is kept whole (split, its stub reads as a
/// row of its own); a taller one is split, with at least three lines on each side. On a page
/// that holds only the header nothing is gained by moving on, so the row is split there.
fn rows_to_take(rest: usize, fit: usize, page_lines: usize, fresh: bool) -> usize {
    const MIN_PART: usize = 3;
    if fit >= rest {
        rest
    } else if fresh {
        fit.max(1)
    } else if rest * 3 <= page_lines {
        0
    } else if fit >= MIN_PART && rest - fit >= MIN_PART {
        fit
    } else {
        0
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_row(p: &mut Pager, cells: &[Cell], elems: &[Option<usize>], w: &[f32], size: f32, from: usize, to: usize, fill: Option<Rgb>) {
    let lines: Vec<Rc<Vec<TextLine>>> = cells.iter().zip(w).map(|(c, cw)| cell_lines(c, *cw, size, p.cache)).collect();
    let n = lines.iter().map(|l| l.len()).max().unwrap_or(1);
    draw_row_lines(p, cells, elems, &lines, w, size, from, to.min(n), fill);
}

#[allow(clippy::too_many_arguments)]
fn draw_row_lines(
    p: &mut Pager,
    cells: &[Cell],
    elems: &[Option<usize>],
    lines: &[Rc<Vec<TextLine>>],
    w: &[f32],
    size: f32,
    from: usize,
    to: usize,
    row_fill: Option<Rgb>,
) {
    let lead = leading(size);
    let h = (to - from) as f32 * lead + 2.0 * CELL_PAD_Y;
    let top = p.y;
    let mut x = MARGIN_X;
    for (k, ((cell, cl), cw)) in cells.iter().zip(lines).zip(w).enumerate() {
        let fill = cell.fill.or(row_fill);
        p.mark = Mark::Artifact;
        p.push(Draw::Rect { x, y: top, w: *cw, h, fill, stroke: Some((RULE, 0.4)) });
        p.mark = elems.get(k).copied().flatten().map_or(Mark::Artifact, Mark::Content);
        if cell.dot {
            if from == 0 {
                p.push(Draw::Dot { x: x + cw / 2.0, y: top + CELL_PAD_Y + lead / 2.0, r: size * 0.28, color: ACCENT });
            }
        } else {
            for (k, line) in cl.iter().enumerate().skip(from).take(to - from) {
                let base = top + CELL_PAD_Y + (k - from) as f32 * lead + size * 0.95;
                let lx = if cell.center { x + (cw - line.width) / 2.0 } else { x + CELL_PAD_X };
                p.text_line(line, lx, base, size);
            }
        }
        x += cw;
    }
    p.mark = Mark::Artifact;
    p.y += h;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font() {
        let w = text_width("æøå ÆØÅ", Font::Regular, 10.0);
        assert!(w > 20.0 && w < 60.0, "{w}");
        assert!(text_width("WWW", Font::Bold, 10.0) > text_width("iii", Font::Bold, 10.0));
    }

    #[test]
    fn cached_widths_are_the_fonts_own_on_every_call() {
        // each char measured straight from the font: its glyph's advance, or '?' for none
        let direct = |text: &str, bytes: &'static [u8], size: f32| {
            let face = ttf_parser::Face::parse(bytes, 0).unwrap();
            let units: f32 = text
                .chars()
                .map(|c| face.glyph_index(c).or_else(|| face.glyph_index('?')).and_then(|g| face.glyph_hor_advance(g)).unwrap_or(500) as f32)
                .sum();
            units / face.units_per_em() as f32 * size
        };
        // Latin-1, Danish letters, a dash and an arrow (cached), a char beyond the cache and
        // one the font lacks (U+4E2D); twice, so the second call reads the cache
        let text = "Ærø — Åbenrå → x · ∑ 中";
        for _ in 0..2 {
            assert_eq!(text_width(text, Font::Regular, 9.5), direct(text, REGULAR_TTF, 9.5));
            assert_eq!(text_width(text, Font::Bold, 11.0), direct(text, BOLD_TTF, 11.0));
        }
        assert_eq!(printable("Ærø 中 →"), "Ærø ? →");
    }

    #[test]
    fn wrapping_respects_the_width_and_keeps_every_word() {
        let text = "Kommunen vurderer at risikoen for fejlsendte beskeder er høj, fordi mange forældre tilføjes";
        let lines = wrap(&[Span::new(text)], 10.0, 120.0);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(l.width <= 120.0 + 0.01);
        }
        let joined: Vec<String> = lines.iter().map(|l| l.runs.iter().map(|r| r.1.text.clone()).collect::<Vec<_>>().join(" ")).collect();
        assert_eq!(joined.join(" "), text);
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_not_overflowing() {
        let lines = wrap(&[Span::new("Børne- og Ungdomsforvaltningen")], 8.5, 40.0);
        for l in &lines {
            assert!(l.width <= 40.0 + 0.01, "{l:?}");
        }
    }

    #[test]
    fn long_tables_repeat_their_header_on_every_page() {
        let mut t = Table::new(&[1.0, 3.0], Some(vec![Cell::bold("Ref"), Cell::bold("Tekst")]));
        for i in 0..120 {
            t.row(vec![Cell::text(format!("R{i}")), Cell::text("en række")]);
        }
        let laid = layout(&[Block::Table(t)], &|_| {});
        assert!(laid.pages.len() >= 2);
        for page in &laid.pages {
            let has_header = page.iter().any(|d| matches!(d, Draw::Text { text, .. } if text == "Ref"));
            assert!(has_header);
        }
    }

    #[test]
    fn short_rows_move_whole_and_only_tall_rows_split() {
        // 9 lines, 7 fit, 60 per page: a short row moves to the next page whole
        assert_eq!(rows_to_take(9, 7, 60, false), 0);
        assert_eq!(rows_to_take(9, 9, 60, false), 9);
        // a row of 40 lines splits where 25 fit, leaving 15 for the next page
        assert_eq!(rows_to_take(40, 25, 60, false), 25);
        // … but not into a stub of fewer than three lines on either side
        assert_eq!(rows_to_take(40, 2, 60, false), 0);
        assert_eq!(rows_to_take(40, 38, 60, false), 0);
        // a row taller than a page is split even right under the header
        assert_eq!(rows_to_take(70, 60, 60, true), 60);
        assert_eq!(rows_to_take(61, 60, 60, true), 60);
    }

    #[test]
    fn a_table_row_is_not_split_into_a_stub() {
        let mut t = Table::new(&[1.0, 3.0], Some(vec![Cell::bold("Ref"), Cell::bold("Tekst")]));
        t.row(vec![Cell::text("A"), Cell::text("kort")]);
        t.row(vec![Cell::text("B"), Cell::text((1..=9).map(|i| format!("linje{i}")).collect::<Vec<_>>().join("\n"))]);
        // room for the header, row A and 5½ lines of B
        let w = col_widths(&t);
        let room = row_height(&t.rows[0], &w, t.size, &WrapCache::off()) + 5.5 * leading(t.size);
        let laid = table_at_page_foot(t, room);
        assert_eq!(page_of(&laid, "A"), 0, "row A fits on the first page");
        assert_eq!(page_of(&laid, "linje1"), 1, "row B moves to the next page whole …");
        assert_eq!(page_of(&laid, "linje9"), 1, "… and stays together");
        assert_eq!(page_of(&laid, "B"), 1);
    }

    /// Lays out `t` after a paragraph and as much space as leaves room for its header and
    /// `room` points (plus a row's padding) on the first page.
    fn table_at_page_foot(t: Table, room: f32) -> Laid {
        let header_h = row_height(t.header.as_ref().unwrap(), &col_widths(&t), t.size, &WrapCache::off());
        let para = ParaStyle::BODY.leading + ParaStyle::BODY.space_after;
        let blocks = vec![
            Block::Para { spans: vec![Span::new("linje")], style: ParaStyle::BODY },
            Block::Space(Pager::bottom() - MARGIN_TOP - para - header_h - 2.0 * CELL_PAD_Y - room),
            Block::Table(t),
        ];
        layout(&blocks, &|_| {})
    }

    fn rows(n: usize, tag: &str) -> Table {
        let mut t = Table::new(&[1.0, 3.0], Some(vec![Cell::bold("Ref"), Cell::bold("Tekst")]));
        for i in 1..=n {
            t.row(vec![Cell::text(format!("{tag}{i}")), Cell::text("en række")]);
        }
        t
    }

    fn page_of(laid: &Laid, needle: &str) -> usize {
        laid.pages.iter().position(|p| p.iter().any(|d| matches!(d, Draw::Text { text, .. } if text == needle))).unwrap_or_else(|| panic!("{needle} is not drawn"))
    }

    #[test]
    fn a_kept_group_moves_to_the_next_page_whole() {
        // 38 lines of text, then a heading, a paragraph and a 12-row table kept together:
        // the heading and paragraph would fit on page 1, the table would not
        let text = || (0..38).map(|_| Block::Para { spans: vec![Span::new("linje")], style: ParaStyle::BODY });
        let card = || {
            vec![
                Block::Heading { level: 3, text: "R1 Risiko".into() },
                Block::Para { spans: vec![Span::new("Trussel")], style: ParaStyle::BODY },
                Block::Table(rows(12, "række")),
            ]
        };
        let loose: Vec<Block> = text().chain(card()).collect();
        let blocks: Vec<Block> = text().chain([Block::Keep(card())]).collect();
        let laid = layout(&loose, &|_| {});
        assert_eq!(page_of(&laid, "Trussel"), 0, "not kept, the paragraph stays on page 1");
        assert_eq!(page_of(&laid, "række12"), 1);
        let laid = layout(&blocks, &|_| {});
        assert_eq!(laid.anchors[0].page, 1, "kept, the heading moves with its table");
        assert_eq!(page_of(&laid, "Trussel"), 1);
        assert_eq!(page_of(&laid, "række1"), 1);
    }

    #[test]
    fn a_group_taller_than_a_page_flows_and_loses_nothing() {
        let laid = layout(&[Block::Keep(vec![Block::Heading { level: 2, text: "Lang".into() }, Block::Table(rows(150, "r"))])], &|_| {});
        assert!(laid.pages.len() >= 3);
        assert_eq!(laid.anchors[0].page, 0);
        for i in 1..=150 {
            page_of(&laid, &format!("r{i}"));
        }
    }

    #[test]
    fn a_table_header_is_never_left_alone_at_the_foot_of_a_page() {
        let mut t = Table::new(&[1.0, 3.0], Some(vec![Cell::bold("Ref"), Cell::bold("Tekst")]));
        t.row(vec![Cell::text("A"), Cell::text((1..=8).map(|i| format!("linje{i}")).collect::<Vec<_>>().join("\n"))]);
        // room for the header and four lines of the first row, which moves whole
        let room = 4.5 * leading(t.size);
        let laid = table_at_page_foot(t, room);
        assert_eq!(page_of(&laid, "Ref"), 1, "the header goes with its row");
        assert!(!laid.pages[0].iter().any(|d| matches!(d, Draw::Text { text, .. } if text == "Ref")));
        assert_eq!(page_of(&laid, "linje1"), 1);
    }

    #[test]
    fn a_chapter_and_its_short_note_go_with_the_first_sub_heading() {
        // 38 lines leave room for the chapter heading and its note, not for the section
        let mut blocks: Vec<Block> = (0..38).map(|_| Block::Para { spans: vec![Span::new("linje")], style: ParaStyle::BODY }).collect();
        blocks.push(Block::Heading { level: 1, text: "Kapitel".into() });
        blocks.push(Block::Para { spans: vec![Span::new("note ".repeat(30))], style: ParaStyle::SMALL });
        blocks.push(Block::Heading { level: 2, text: "Afsnit".into() });
        blocks.push(Block::Table(rows(10, "r")));
        let laid = layout(&blocks, &|_| {});
        assert_eq!(laid.anchors[0].page, laid.anchors[1].page, "the chapter opens on the page its first section starts on");
        assert_eq!(page_of(&laid, "r1"), laid.anchors[1].page);
    }

    #[test]
    fn a_heading_is_never_left_at_the_foot_of_a_page() {
        let mut blocks = Vec::new();
        for _ in 0..57 {
            blocks.push(Block::Para { spans: vec![Span::new("linje")], style: ParaStyle::BODY });
        }
        blocks.push(Block::Heading { level: 2, text: "Overskrift".into() });
        blocks.push(Block::Para { spans: vec![Span::new("tekst ".repeat(80))], style: ParaStyle::BODY });
        let laid = layout(&blocks, &|_| {});
        let a = &laid.anchors[0];
        let page = &laid.pages[a.page];
        // something of the following paragraph is on the heading's page
        assert!(page.iter().any(|d| matches!(d, Draw::Text { text, .. } if text.starts_with("tekst"))));
    }
}
