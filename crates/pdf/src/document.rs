//! The DPIA document as PDF: the core's format-neutral [`Report`] (the same content the Word
//! export writes) turned into blocks for our layout engine, with vector heat maps, signature
//! boxes, a table of contents with page numbers and running footers.

use crate::archive::Attachment;
use crate::emit::{emit, Meta};
use crate::layout::*;
use crate::PdfError;
use konsekvens_core::model::{Consequence, Likelihood, RiskLevel};
use konsekvens_core::report::{self, HeatGrid, HeatMaps, ParaKind, Report, Tone};
use std::cell::RefCell;

fn color(tone: Tone) -> Rgb {
    match tone {
        Tone::Normal => BLACK,
        Tone::Grey => GREY,
        Tone::Local => LOCAL,
        Tone::Accent => ACCENT,
        Tone::Alert => ALERT,
    }
}

fn fill(f: report::Fill) -> Rgb {
    match f {
        report::Fill::Header => HEADER_FILL,
        report::Fill::Low => LOW_FILL,
        report::Fill::Medium => MEDIUM_FILL,
        report::Fill::High => HIGH_FILL,
        report::Fill::Local => LOCAL_FILL,
        report::Fill::NotApplicable => NA_FILL,
    }
}

fn level_fill(l: RiskLevel) -> Rgb {
    fill(match l {
        RiskLevel::Low => report::Fill::Low,
        RiskLevel::Medium => report::Fill::Medium,
        RiskLevel::High => report::Fill::High,
    })
}

fn spans(spans: &[report::Span]) -> Vec<Span> {
    spans.iter().map(|s| Span { text: s.text.clone(), font: if s.bold { Font::Bold } else { Font::Regular }, color: color(s.tone) }).collect()
}

fn cell(c: &report::Cell) -> Cell {
    Cell { spans: spans(&c.spans), fill: c.fill.map(fill), center: c.center, dot: c.mark }
}

fn table(t: &report::Table) -> Table {
    let mut out = Table::new(&t.widths, t.header.as_ref().map(|h| h.iter().map(cell).collect()));
    if t.compact {
        out.size = 7.5;
    }
    out.row_headers = t.row_headers;
    for row in &t.rows {
        out.row_filled(row.cells.iter().map(cell).collect(), row.fill.map(fill));
    }
    out
}

fn para_style(kind: ParaKind) -> ParaStyle {
    let cover = |size: f32, leading: f32, space_after: f32| ParaStyle { size, leading, indent: 0.0, space_before: 0.0, space_after };
    match kind {
        ParaKind::Body => ParaStyle::BODY,
        ParaKind::Small => ParaStyle::SMALL,
        ParaKind::CoverKicker => cover(10.0, 14.0, 8.0),
        ParaKind::CoverTitle => cover(24.0, 29.0, 10.0),
        ParaKind::CoverParty => cover(16.0, 20.0, 26.0),
    }
}

/// The report's blocks as layout blocks; the contents' title is returned for the TOC pass.
fn blocks(from: &[report::Block], toc_title: &mut String) -> Vec<Block> {
    let mut out = Vec::new();
    for b in from {
        match b {
            report::Block::Heading { level, text } => out.push(Block::Heading { level: *level, text: text.clone() }),
            report::Block::Para { spans: s, kind } => out.push(Block::Para { spans: spans(s), style: para_style(*kind) }),
            report::Block::Table(t) => out.push(Block::Table(table(t))),
            report::Block::List(items) => out.push(Block::List(items.iter().map(|i| spans(i)).collect())),
            report::Block::Space(points) => out.push(Block::Space(*points)),
            report::Block::PageBreak => out.push(Block::PageBreak),
            report::Block::Contents { title } => {
                *toc_title = title.clone();
                out.push(Block::Toc)
            }
            report::Block::Keep(group) => out.push(Block::Keep(blocks(group, toc_title))),
            report::Block::HeatMaps(maps) => out.push(heat_maps(maps.clone())),
            report::Block::Signatures { note, labels, people } => {
                out.push(Block::Para { spans: vec![Span::new(note.clone())], style: ParaStyle::BODY });
                let labels = [labels.name.clone(), labels.capacity.clone(), labels.date.clone(), labels.signature.clone()];
                out.extend(people.iter().map(|p| Block::Figure(signature_box(p.name.clone(), p.capacity.clone(), labels.clone()))));
            }
        }
    }
    out
}

/// The maps in words, for a screen reader: per map, each filled cell's consequence and
/// likelihood and the risks in it, most severe first.
fn heat_maps_in_words(maps: &HeatMaps) -> String {
    let mut parts = Vec::new();
    for map in &maps.maps {
        let mut cells: Vec<_> = map.grid.iter().filter(|(_, refs)| !refs.is_empty()).collect();
        cells.sort_by_key(|((c, l), _)| std::cmp::Reverse((*c, *l)));
        let words = |list: &[String; 4], step: u8| list.get(usize::from(step.saturating_sub(1))).cloned().unwrap_or_default();
        let listed: Vec<String> = cells
            .iter()
            .map(|((c, l), refs)| {
                format!("{} {}, {} {}: {}", maps.consequence_axis, words(&maps.consequence_words, *c), maps.likelihood_axis, words(&maps.likelihood_words, *l), refs.join(", "))
            })
            .collect();
        parts.push(if listed.is_empty() { format!("{}: —", map.title) } else { format!("{}: {}", map.title, listed.join("; ")) });
    }
    parts.join(". ")
}

/// The maps side by side (two fit the page's width).
fn heat_maps(maps: HeatMaps) -> Block {
    Block::Figure(Figure {
        tag: FigureTag::Figure { alt: heat_maps_in_words(&maps) },
        height: 240.0,
        draw: Box::new(move |x0, y0| {
            let mut out = Vec::new();
            for (k, map) in maps.maps.iter().enumerate() {
                heat_map(&mut out, x0 + k as f32 * (CONTENT_W / 2.0 + 4.0), y0, &map.title, &map.grid, &maps);
            }
            out
        }),
    })
}

/// One signatory's box: name and capacity (wrapped, however long) on the left, lines for
/// the date and the signature on the right.
fn signature_box(name: String, capacity: String, labels: [String; 4]) -> Figure {
    const PAD: f32 = 10.0;
    let half = CONTENT_W / 2.0 - 2.0 * PAD;
    let name_lines = wrap(&[Span::bold(name.clone())], 10.5, half);
    let capacity_lines = wrap(&[Span::new(capacity.clone())], 8.5, half);
    let left_h = 14.0 + name_lines.len() as f32 * 13.0 + 14.0 + capacity_lines.len() as f32 * 10.5;
    let box_h = left_h.max(74.0) + 2.0 * PAD;
    let alt = format!("{}: {name}. {}: {capacity}. {}, {}", labels[0], labels[1], labels[2], labels[3]);
    Figure {
        tag: FigureTag::Figure { alt },
        height: box_h + 12.0,
        draw: Box::new(move |x, y| {
            let top = y + 6.0;
            let mut out = vec![Draw::Rect { x, y: top, w: CONTENT_W, h: box_h, fill: None, stroke: Some((RULE, 0.6)) }];
            let label = |out: &mut Vec<Draw>, text: &str, lx: f32, ly: f32| out.push(Draw::Text { x: lx, y: ly, size: 7.5, font: Font::Regular, color: GREY, text: text.to_string() });
            let lines = |out: &mut Vec<Draw>, ls: &[TextLine], lx: f32, mut ly: f32, size: f32, leading: f32| {
                for l in ls {
                    for (dx, s) in &l.runs {
                        out.push(Draw::Text { x: lx + dx, y: ly, size, font: s.font, color: BLACK, text: s.text.clone() });
                    }
                    ly += leading;
                }
            };
            let (lx, mut ly) = (x + PAD, top + PAD + 8.0);
            label(&mut out, &labels[0], lx, ly);
            lines(&mut out, &name_lines, lx, ly + 13.0, 10.5, 13.0);
            ly += 14.0 + name_lines.len() as f32 * 13.0;
            label(&mut out, &labels[1], lx, ly);
            lines(&mut out, &capacity_lines, lx, ly + 11.0, 8.5, 10.5);
            // the right half: a line to write on, its label below
            let rx = x + CONTENT_W / 2.0 + PAD;
            for (k, text) in labels[2..].iter().enumerate() {
                let line_y = top + PAD + 26.0 + k as f32 * 36.0;
                out.push(Draw::Line { x1: rx, y1: line_y, x2: rx + half, y2: line_y, color: RULE, width: 0.6 });
                label(&mut out, text, rx, line_y + 9.0);
            }
            out
        }),
    }
}

/// One 4 × 4 heat map: consequence up, likelihood across, cells coloured by the matrix level.
fn heat_map(out: &mut Vec<Draw>, x0: f32, y0: f32, title: &str, grid: &HeatGrid, words: &HeatMaps) {
    let axis = (&words.consequence_axis, &words.likelihood_axis);
    let label_w = 58.0;
    let cell = 44.0;
    out.push(Draw::Text { x: x0, y: y0 + 11.0, size: 9.5, font: Font::Bold, color: ACCENT, text: title.to_string() });
    let gx = x0 + label_w;
    let gy = y0 + 28.0;
    for c in Consequence::ALL {
        let row = 4 - c.step() as usize; // devastating at the top
        let y = gy + row as f32 * cell;
        let word = &words.consequence_words[c.step() as usize - 1];
        for (k, part) in wrap(&[Span::new(word)], 7.0, label_w - 6.0).iter().enumerate() {
            let text: String = part.runs.iter().map(|r| r.1.text.clone()).collect::<Vec<_>>().join(" ");
            out.push(Draw::Text { x: x0, y: y + cell / 2.0 + k as f32 * 8.5, size: 7.0, font: Font::Regular, color: BLACK, text });
        }
        for l in Likelihood::ALL {
            let x = gx + (l.step() - 1) as f32 * cell;
            let level = RiskLevel::of(c, l);
            let fill = level_fill(level);
            out.push(Draw::Rect { x, y, w: cell, h: cell, fill: Some(fill), stroke: Some((WHITE, 1.5)) });
            if let Some(refs) = grid.get(&(c.step(), l.step())) {
                let n = refs.len().to_string();
                let w = text_width(&n, Font::Bold, 12.0);
                out.push(Draw::Text { x: x + (cell - w) / 2.0, y: y + 16.0, size: 12.0, font: Font::Bold, color: BLACK, text: n });
                for (k, line) in pack_refs(refs, cell - 4.0, 3).into_iter().enumerate() {
                    let w = text_width(&line, Font::Regular, 5.5);
                    out.push(Draw::Text { x: x + (cell - w) / 2.0, y: y + 25.0 + k as f32 * 6.5, size: 5.5, font: Font::Regular, color: BLACK, text: line });
                }
            }
        }
    }
    let by = gy + 4.0 * cell;
    for l in Likelihood::ALL {
        let x = gx + (l.step() - 1) as f32 * cell;
        let word = &words.likelihood_words[l.step() as usize - 1];
        let w = text_width(word, Font::Regular, 7.0);
        out.push(Draw::Text { x: x + (cell - w) / 2.0, y: by + 10.0, size: 7.0, font: Font::Regular, color: BLACK, text: word.to_string() });
    }
    let w = text_width(axis.1, Font::Bold, 7.5);
    out.push(Draw::Text { x: gx + (4.0 * cell - w) / 2.0, y: by + 22.0, size: 7.5, font: Font::Bold, color: GREY, text: format!("{} →", axis.1) });
    out.push(Draw::Text { x: x0, y: gy - 3.0, size: 7.5, font: Font::Bold, color: GREY, text: format!("{} ↑", axis.0) });
}

/// A heat-map cell's references in at most `max_lines` lines of `width` points (5.5 pt);
/// what does not fit is counted as "+N" at the end, so no reference silently disappears.
fn pack_refs(refs: &[String], width: f32, max_lines: usize) -> Vec<String> {
    let fits = |s: &str| text_width(s, Font::Regular, 5.5) <= width;
    let mut lines: Vec<String> = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        let last = lines.len() == max_lines;
        let joined = lines.last().map(|l| format!("{l} {r}"));
        match joined {
            Some(j) if fits(&j) => *lines.last_mut().unwrap() = j,
            _ if !last => lines.push(r.clone()),
            _ => {
                // no room: end the last line with the number left out
                let line = lines.last_mut().unwrap();
                let mut words: Vec<&str> = line.split(' ').collect();
                let mut left = refs.len() - i;
                while words.len() > 1 && !fits(&format!("{} +{left}", words.join(" "))) {
                    words.pop();
                    left += 1;
                }
                *line = format!("{} +{left}", words.join(" "));
                break;
            }
        }
    }
    lines
}

/// The pages of `report`: blocks, table of contents and all.
pub(crate) fn lay_out(report: &Report, cache: &WrapCache) -> Laid {
    let mut toc_title = String::new();
    let blocks = blocks(&report.blocks, &mut toc_title);
    let anchors: RefCell<Option<Vec<Anchor>>> = RefCell::new(None);
    let toc = |out: &mut Vec<Block>| {
        let a = anchors.borrow();
        let Some(a) = a.as_ref() else { return };
        out.push(Block::Heading { level: 1, text: toc_title.clone() });
        for anchor in a.iter().filter(|x| x.level <= 2) {
            let (indent, font, size) = if anchor.level == 1 { (0.0, Font::Bold, 9.5) } else { (14.0, Font::Regular, 9.0) };
            let text = anchor.text.clone();
            let page = (anchor.page + 1).to_string();
            out.push(Block::Figure(Figure {
                tag: FigureTag::Text { role: Role::TOCI, actual: format!("{} {}", anchor.text, anchor.page + 1) },
                height: if anchor.level == 1 { 16.0 } else { 12.5 },
                draw: Box::new(move |x, y| {
                    let base = y + size + if font == Font::Bold { 4.0 } else { 1.0 };
                    let num_w = text_width(&page, font, size);
                    let right = x + CONTENT_W;
                    let avail = CONTENT_W - indent - num_w - 16.0;
                    let mut t = text.clone();
                    while text_width(&t, font, size) > avail && t.pop().is_some() {}
                    if t.len() < text.len() {
                        t.push('…');
                    }
                    let tw = text_width(&t, font, size);
                    let mut out = vec![Draw::Text { x: x + indent, y: base, size, font, color: BLACK, text: t }];
                    let dots_from = x + indent + tw + 4.0;
                    let dots_to = right - num_w - 4.0;
                    let dot_w = text_width(".", Font::Regular, size);
                    if dots_to > dots_from {
                        let n = ((dots_to - dots_from) / (dot_w * 1.6)) as usize;
                        let mut dx = dots_to - n as f32 * dot_w * 1.6;
                        let mut leader = Vec::new();
                        for _ in 0..n {
                            leader.push(Draw::Text { x: dx, y: base, size, font: Font::Regular, color: GREY, text: ".".into() });
                            dx += dot_w * 1.6;
                        }
                        out.extend(leader);
                    }
                    out.push(Draw::Text { x: right - num_w, y: base, size, font, color: BLACK, text: page.clone() });
                    out
                }),
            }));
        }
    };
    // The table of contents needs the pages of the headings that follow it. Its entries are
    // the headings, known before layout, and their heights do not depend on the page
    // numbers: the first pass lays out a TOC of the right length with every page unknown
    // (0), which places every heading where it will stay; the second draws the real pages.
    // Should a second pass move a heading after all, a third follows (as before this
    // shortcut, at most three).
    *anchors.borrow_mut() = Some(headings(&blocks));
    let mut laid = layout_with(&blocks, &toc, cache);
    for _ in 0..2 {
        if anchors.borrow().as_ref() == Some(&laid.anchors) {
            break;
        }
        *anchors.borrow_mut() = Some(laid.anchors.clone());
        laid = layout_with(&blocks, &toc, cache);
    }
    laid
}

pub(crate) fn render(report: &Report, files: &[Attachment]) -> Result<Vec<u8>, PdfError> {
    let laid = lay_out(report, &WrapCache::new());
    let footer_left = report.footer_text();
    let (page, of) = report.page_words();
    let footer = move |i: usize, n: usize| -> Vec<Draw> {
        let y = PAGE_H - 36.0;
        let right = format!("{page} {} {of} {n}", i + 1);
        let rw = text_width(&right, Font::Regular, 7.5);
        let mut left = footer_left.clone();
        while text_width(&left, Font::Regular, 7.5) > CONTENT_W - rw - 20.0 && left.pop().is_some() {}
        vec![
            Draw::Line { x1: MARGIN_X, y1: y - 10.0, x2: PAGE_W - MARGIN_X, y2: y - 10.0, color: RULE, width: 0.5 },
            Draw::Text { x: MARGIN_X, y, size: 7.5, font: Font::Regular, color: GREY, text: left },
            Draw::Text { x: PAGE_W - MARGIN_X - rw, y, size: 7.5, font: Font::Regular, color: GREY, text: right },
        ]
    };
    let date = report.date;
    let meta = Meta {
        title: format!("{} — {}", report.title, report.party),
        author: report.author.clone(),
        subject: report.subject().into(),
        lang: if report.is_danish() { "da-DK" } else { "en-GB" },
        date: format!("D:{:04}{:02}{:02}000000Z", date.0.year(), date.0.month() as u8, date.0.day()),
    };
    emit(laid, &footer, &meta, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// København (Danish) and the base (English) from the bundled sample, as the CLI builds them.
    fn sample_reports() -> Vec<Report> {
        use konsekvens_core::model::{Day, OrgCode};
        let dir = tempfile::tempdir().unwrap();
        let env = std::sync::Arc::new(konsekvens_core::FixedEnv::new(1_700_000_000_000, 1));
        let ws = konsekvens_core::Workspace::create_demo(&dir.path().join("demo.konsekvens"), env).unwrap();
        [(Some(OrgCode(101)), crate::Lang::Da), (None, crate::Lang::En)]
            .into_iter()
            .map(|(org, lang)| {
                let (dpia, opts) = crate::document_for(&ws, org, lang, Day::ymd(2025, 6, 10)).unwrap();
                Report::of(&dpia, &opts)
            })
            .collect()
    }

    #[test]
    fn the_wrap_cache_lays_out_exactly_what_wrapping_each_time_does() {
        for report in sample_reports() {
            let cached = lay_out(&report, &WrapCache::new());
            let plain = lay_out(&report, &WrapCache::off());
            assert!(cached.pages.len() > 10, "{} pages", cached.pages.len());
            assert_eq!(cached.pages, plain.pages);
            assert_eq!(cached.marks, plain.marks);
            assert_eq!(cached.anchors, plain.anchors);
            assert_eq!(cached.elems, plain.elems);
        }
    }

    #[test]
    fn the_table_of_contents_names_the_page_each_heading_landed_on() {
        for report in sample_reports() {
            let laid = lay_out(&report, &WrapCache::new());
            let listed: Vec<&str> = laid.elems.iter().filter(|e| e.role == Role::TOCI).filter_map(|e| e.actual.as_deref()).collect();
            let landed: Vec<String> = laid.anchors.iter().filter(|a| a.level <= 2).map(|a| format!("{} {}", a.text, a.page + 1)).collect();
            assert!(landed.len() > 10, "{landed:?}");
            assert_eq!(listed, landed);
        }
    }

    fn refs(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("R{i}")).collect()
    }

    #[test]
    fn heat_map_cells_list_every_reference_or_count_the_rest() {
        assert_eq!(pack_refs(&refs(2), 40.0, 3), vec!["R1 R2"]);
        let all = pack_refs(&refs(6), 40.0, 3);
        assert!(all.len() <= 3 && all.join(" ").split(' ').count() == 6, "{all:?}");
        // far too many: the last line says how many are not shown, and the count adds up
        let many = pack_refs(&refs(30), 40.0, 3);
        assert_eq!(many.len(), 3);
        let last = many.last().unwrap();
        let (shown_last, more) = last.rsplit_once(" +").expect("a +N at the end");
        let shown = many[..2].iter().chain([&shown_last.to_string()]).map(|l| l.split(' ').count()).sum::<usize>();
        assert_eq!(shown + more.parse::<usize>().unwrap(), 30, "{many:?}");
        for l in &many {
            assert!(text_width(l, Font::Regular, 5.5) <= 40.0, "{l}");
        }
    }
}
