//! Turns laid-out pages into a PDF: printpdf draws text (embedded, subset Liberation Sans)
//! and vector shapes; lopdf then adds what printpdf does not do our way — a nested outline
//! with exact destinations, deterministic metadata and document id, the document language.

use crate::layout::{Anchor, Draw, Font, Laid, Mark, Role, Rgb, BOLD_TTF, PAGE_H, PAGE_W, REGULAR_TTF};
use crate::archive::{make_archival, Attachment};
use crate::PdfError;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Color, DictItem, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, TextItem, WindingOrder,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub(crate) struct Meta {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub lang: &'static str,
    /// PDF date string, e.g. D:20231114000000Z
    pub date: String,
}

/// The bundled fonts as printpdf parses them: once per process, not per document (each
/// document subsets its own copy).
fn fonts() -> Option<&'static (ParsedFont, ParsedFont)> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            Some((ParsedFont::from_bytes(REGULAR_TTF, 0, &mut warnings)?, ParsedFont::from_bytes(BOLD_TTF, 0, &mut warnings)?))
        })
        .as_ref()
}

/// The document information's /Producer, repeated in the XMP as pdf:Producer.
const PRODUCER: &str = concat!("konsekvens-pdf ", env!("CARGO_PKG_VERSION"), " (printpdf 0.12)");

fn color(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb { r: c.0, g: c.1, b: c.2, icc_profile: None })
}

fn pt(x: f32, y_from_top: f32) -> Point {
    Point { x: Pt(x), y: Pt(PAGE_H - y_from_top) }
}

fn lp(x: f32, y: f32) -> LinePoint {
    LinePoint { p: pt(x, y), bezier: false }
}

fn rect_ring(x: f32, y: f32, w: f32, h: f32) -> PolygonRing {
    PolygonRing { points: vec![lp(x, y), lp(x + w, y), lp(x + w, y + h), lp(x, y + h)] }
}

pub(crate) fn emit(mut laid: Laid, footer: &dyn Fn(usize, usize) -> Vec<Draw>, meta: &Meta, files: &[Attachment]) -> Result<Vec<u8>, PdfError> {
    let mut doc = PdfDocument::new(&meta.title);
    let (regular, bold) = fonts().ok_or(PdfError::Font)?;
    let regular_id = doc.add_font(regular);
    let bold_id = doc.add_font(bold);
    let font_id = |f: Font| -> FontId {
        match f {
            Font::Regular => regular_id.clone(),
            Font::Bold => bold_id.clone(),
        }
    };
    let total = laid.pages.len();
    let mut pages = Vec::with_capacity(total);
    // the marked-content ids: per page, the element of each; per element, its (page, id)s
    let mut page_mcids: Vec<Vec<usize>> = Vec::with_capacity(total);
    let mut content: Vec<Vec<(usize, i64)>> = vec![Vec::new(); laid.elems.len()];
    // the drawings are moved into printpdf's operations (their texts not copied)
    for (i, draws) in std::mem::take(&mut laid.pages).into_iter().enumerate() {
        let mut ops = Vec::new();
        let foot = footer(i, total);
        let mut mcids = Vec::new();
        let mut open: Option<Seq> = None;
        let marks = laid.marks.get(i).map(Vec::as_slice).unwrap_or_default();
        let seqs = marks.iter().map(|m| match m {
            Mark::Artifact => Seq::Artifact,
            Mark::Content(e) => Seq::Content(*e),
        });
        for (d, seq) in draws.into_iter().zip(seqs).chain(foot.into_iter().map(|d| (d, Seq::Pagination))) {
            if open != Some(seq) {
                if open.is_some() {
                    ops.push(Op::EndMarkedContent);
                }
                ops.push(match seq {
                    Seq::Artifact => Op::BeginMarkedContent { tag: "Artifact".into() },
                    Seq::Pagination => Op::BeginMarkedContentWithProperties { tag: "Artifact".into(), properties: dict_item(&[("Type", DictItem::Name(b"Pagination".to_vec()))]) },
                    Seq::Content(e) => {
                        let id = mcids.len() as i64;
                        mcids.push(e);
                        content[e].push((i, id));
                        let role = laid.elems.get(e).map_or(Role::P, |el| el.role);
                        Op::BeginMarkedContentWithProperties { tag: role.name().into(), properties: dict_item(&[("MCID", DictItem::Int(id))]) }
                    }
                });
                open = Some(seq);
            }
            match d {
                Draw::Text { x, y, size, font, color: c, text } => {
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(font)), size: Pt(size) });
                    ops.push(Op::SetFillColor { col: color(c) });
                    ops.push(Op::SetTextCursor { pos: pt(x, y) });
                    ops.push(Op::ShowText { items: vec![TextItem::Text(text)] });
                    ops.push(Op::EndTextSection);
                }
                Draw::Rect { x, y, w, h, fill, stroke } => {
                    if let Some(f) = fill {
                        ops.push(Op::SetFillColor { col: color(f) });
                        ops.push(Op::DrawPolygon {
                            polygon: Polygon { rings: vec![rect_ring(x, y, w, h)], mode: PaintMode::Fill, winding_order: WindingOrder::NonZero },
                        });
                    }
                    if let Some((c, width)) = stroke {
                        ops.push(Op::SetOutlineColor { col: color(c) });
                        ops.push(Op::SetOutlineThickness { pt: Pt(width) });
                        ops.push(Op::DrawPolygon {
                            polygon: Polygon { rings: vec![rect_ring(x, y, w, h)], mode: PaintMode::Stroke, winding_order: WindingOrder::NonZero },
                        });
                    }
                }
                Draw::Line { x1, y1, x2, y2, color: c, width } => {
                    ops.push(Op::SetOutlineColor { col: color(c) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(width) });
                    ops.push(Op::DrawLine { line: Line { points: vec![lp(x1, y1), lp(x2, y2)], is_closed: false } });
                }
                Draw::Dot { x, y, r, color: c } => {
                    // a circle from four Bézier arcs
                    let k = 0.5523 * r;
                    let b = |px: f32, py: f32| LinePoint { p: pt(px, py), bezier: true };
                    let points = vec![
                        lp(x + r, y),
                        b(x + r, y + k),
                        b(x + k, y + r),
                        lp(x, y + r),
                        b(x - k, y + r),
                        b(x - r, y + k),
                        lp(x - r, y),
                        b(x - r, y - k),
                        b(x - k, y - r),
                        lp(x, y - r),
                        b(x + k, y - r),
                        b(x + r, y - k),
                    ];
                    ops.push(Op::SetFillColor { col: color(c) });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon { rings: vec![PolygonRing { points }], mode: PaintMode::Fill, winding_order: WindingOrder::NonZero },
                    });
                }
            }
        }
        if open.is_some() {
            ops.push(Op::EndMarkedContent);
        }
        page_mcids.push(mcids);
        pages.push(PdfPage::new(Mm(PAGE_W * 25.4 / 72.0), Mm(PAGE_H * 25.4 / 72.0), ops));
    }
    doc.pages = pages;
    let opts = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let mut lo = doc.to_lopdf_document(&opts, &mut Vec::new());
    finish(&mut lo, &laid.anchors, meta)?;
    structure(&mut lo, &laid, &page_mcids, &content).map_err(PdfError::Write)?;
    make_archival(&mut lo, meta, PRODUCER, files, true).map_err(PdfError::Write)?;
    compress(&mut lo);
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// A marked-content sequence: an element's content, an artifact, or the running footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seq {
    Artifact,
    Pagination,
    Content(usize),
}

fn dict_item(entries: &[(&str, DictItem)]) -> DictItem {
    DictItem::Dict { map: entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() }
}

/// The structure tree (tagged PDF, PDF/UA-1): one StructElem per layout element, each
/// element's marked content by page and id, the parent tree from each page's ids back to
/// their elements, and the catalog's MarkInfo.
fn structure(doc: &mut lopdf::Document, laid: &Laid, page_mcids: &[Vec<usize>], content: &[Vec<(usize, i64)>]) -> Result<(), String> {
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let root_id = doc.new_object_id();
    let ids: Vec<ObjectId> = laid.elems.iter().map(|_| doc.new_object_id()).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); laid.elems.len()];
    for (k, e) in laid.elems.iter().enumerate() {
        if let Some(p) = e.parent {
            children[p].push(k);
        }
    }
    for (k, e) in laid.elems.iter().enumerate() {
        // (/Type /StructElem is optional: left out, as thousands of cells add up)
        let mut d = Dictionary::new();
        d.set("S", Object::Name(e.role.name().as_bytes().to_vec()));
        d.set("P", Object::Reference(e.parent.map_or(root_id, |p| ids[p])));
        let mut kids: Vec<Object> = Vec::new();
        // content on the element's first page is a bare id; on later pages an MCR naming its page
        let first = content[k].first().map(|(page, _)| *page);
        if let Some(pg) = first.and_then(|p| pages.get(p)) {
            d.set("Pg", Object::Reference(*pg));
        }
        for (page, mcid) in &content[k] {
            let Some(pg) = pages.get(*page) else { continue };
            if Some(*page) == first {
                kids.push(Object::Integer(*mcid));
            } else {
                let mut mcr = Dictionary::new();
                mcr.set("Type", Object::Name(b"MCR".to_vec()));
                mcr.set("Pg", Object::Reference(*pg));
                mcr.set("MCID", Object::Integer(*mcid));
                kids.push(Object::Dictionary(mcr));
            }
        }
        kids.extend(children[k].iter().map(|c| Object::Reference(ids[*c])));
        match kids.len() {
            0 => {}
            1 => d.set("K", kids.pop().unwrap_or(Object::Null)),
            _ => d.set("K", Object::Array(kids)),
        }
        if let Some(alt) = &e.alt {
            d.set("Alt", text_string(alt));
        }
        if let Some(actual) = &e.actual {
            d.set("ActualText", text_string(actual));
        }
        let scope: Option<&[u8]> = match e.role {
            Role::TH => Some(b"Column"),
            Role::RowHeader => Some(b"Row"),
            _ => None,
        };
        if let Some(scope) = scope {
            let mut a = Dictionary::new();
            a.set("O", Object::Name(b"Table".to_vec()));
            a.set("Scope", Object::Name(scope.to_vec()));
            d.set("A", Object::Dictionary(a));
        }
        if e.role == Role::L {
            // bulleted, not numbered (ISO 32000-1 14.8.5.5, Table 347)
            let mut a = Dictionary::new();
            a.set("O", Object::Name(b"List".to_vec()));
            a.set("ListNumbering", Object::Name(b"Disc".to_vec()));
            d.set("A", Object::Dictionary(a));
        }
        doc.objects.insert(ids[k], Object::Dictionary(d));
    }
    let mut nums = Vec::new();
    for (i, pg) in pages.iter().enumerate() {
        let refs = page_mcids.get(i).map(|m| m.iter().map(|e| Object::Reference(ids[*e])).collect()).unwrap_or_default();
        nums.push(Object::Integer(i as i64));
        nums.push(Object::Array(refs));
        let page = doc.get_object_mut(*pg).and_then(Object::as_dict_mut).map_err(|e| e.to_string())?;
        page.set("StructParents", Object::Integer(i as i64));
        page.set("Tabs", Object::Name(b"S".to_vec()));
    }
    let mut parent_tree = Dictionary::new();
    parent_tree.set("Nums", Object::Array(nums));
    let parent_tree = doc.add_object(parent_tree);
    let mut root = Dictionary::new();
    root.set("Type", Object::Name(b"StructTreeRoot".to_vec()));
    if !ids.is_empty() {
        root.set("K", Object::Reference(ids[0]));
    }
    root.set("ParentTree", Object::Reference(parent_tree));
    root.set("ParentTreeNextKey", Object::Integer(pages.len() as i64));
    doc.objects.insert(root_id, Object::Dictionary(root));
    let root_ref = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|e| e.to_string())?;
    let catalog = doc.get_object_mut(root_ref).and_then(Object::as_dict_mut).map_err(|e| e.to_string())?;
    catalog.set("StructTreeRoot", Object::Reference(root_id));
    let mut mark_info = Dictionary::new();
    mark_info.set("Marked", Object::Boolean(true));
    catalog.set("MarkInfo", Object::Dictionary(mark_info));
    Ok(())
}

/// Deflates every stream that has no filter yet, as `lopdf::Document::compress` does (kept
/// only when it saves more than the /Filter entry costs), on the machine's cores.
///
/// - One compressor per thread, reset between streams: a fresh one per stream allocated and
///   zeroed its buffers each time, and those page faults were a quarter of rendering.
/// - zlib's default level (6), not its best (9): a profile of rendering put 29 % of it in
///   level 9's lazy matching (`deflate_slow`); level 6 makes the sample's file 0.55 % larger
///   (crate README, «Third round»).
/// - Each stream is deflated on its own, so the bytes do not depend on which thread took it.
fn compress(doc: &mut lopdf::Document) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let mut streams: Vec<&mut lopdf::Stream> = doc
        .objects
        .values_mut()
        .filter_map(|o| match o {
            Object::Stream(s) if s.allows_compression && s.dict.get(b"Filter").is_err() => Some(s),
            _ => None,
        })
        .collect();
    // the largest first (the font programs), so no thread is left with a big one at the end
    streams.sort_by_key(|s| std::cmp::Reverse(s.content.len()));
    let streams: Vec<Mutex<&mut lopdf::Stream>> = streams.into_iter().map(Mutex::new).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut z = flate2::Compress::new(flate2::Compression::default(), true);
        let mut buf = Vec::new();
        while let Some(stream) = streams.get(next.fetch_add(1, Ordering::Relaxed)) {
            let mut stream = stream.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(deflated) = deflate(&mut z, &mut buf, &stream.content) {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(deflated);
            }
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4).min(streams.len());
    if threads <= 1 {
        return work();
    }
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
}

/// `content` deflated by `z` (reset first) through `buf`, if that makes it smaller by more
/// than the /Filter entry costs.
fn deflate(z: &mut flate2::Compress, buf: &mut Vec<u8>, content: &[u8]) -> Option<Vec<u8>> {
    z.reset();
    buf.clear();
    buf.reserve(content.len() / 2 + 64);
    loop {
        let consumed = z.total_in() as usize;
        match z.compress_vec(&content[consumed..], buf, flate2::FlushCompress::Finish) {
            Ok(flate2::Status::StreamEnd) => break,
            Ok(_) => buf.reserve(buf.capacity().max(64)),
            Err(_) => return None,
        }
    }
    (buf.len() + 19 < content.len()).then(|| buf.clone())
}

/// UTF-16BE with a byte-order mark: how PDF text strings carry Danish letters.
pub(crate) fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn finish(doc: &mut lopdf::Document, anchors: &[Anchor], meta: &Meta) -> Result<(), PdfError> {
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    // Metadata: deterministic (the date is injected), no random ids.
    let mut info = Dictionary::new();
    info.set("Title", text_string(&meta.title));
    info.set("Author", text_string(&meta.author));
    info.set("Subject", text_string(&meta.subject));
    info.set("Creator", text_string("Konsekvens"));
    info.set("Producer", text_string(PRODUCER));
    info.set("CreationDate", Object::string_literal(meta.date.clone()));
    info.set("ModDate", Object::string_literal(meta.date.clone()));
    let info_id = doc.add_object(info);
    doc.trailer.set("Info", Object::Reference(info_id));

    // Outline: level-1 headings at the top, level-2 under them.
    let outlines_id = doc.new_object_id();
    struct Node {
        id: ObjectId,
        anchor: Anchor,
        kids: Vec<Node>,
    }
    let mut top: Vec<Node> = Vec::new();
    for a in anchors.iter().filter(|a| a.level <= 2) {
        let node = Node { id: doc.new_object_id(), anchor: a.clone(), kids: Vec::new() };
        match (a.level, top.last_mut()) {
            (2, Some(parent)) => parent.kids.push(node),
            _ => top.push(node),
        }
    }
    fn write(doc: &mut lopdf::Document, nodes: &[Node], parent: ObjectId, pages: &[ObjectId]) -> i64 {
        let mut count = 0;
        for (i, n) in nodes.iter().enumerate() {
            let mut d = Dictionary::new();
            d.set("Title", text_string(&n.anchor.text));
            d.set("Parent", Object::Reference(parent));
            if i > 0 {
                d.set("Prev", Object::Reference(nodes[i - 1].id));
            }
            if i + 1 < nodes.len() {
                d.set("Next", Object::Reference(nodes[i + 1].id));
            }
            let page = pages.get(n.anchor.page).copied().unwrap_or(pages[0]);
            d.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Integer(0),
                    Object::Real(PAGE_H - n.anchor.top + 4.0),
                    Object::Null,
                ]),
            );
            if !n.kids.is_empty() {
                d.set("First", Object::Reference(n.kids[0].id));
                d.set("Last", Object::Reference(n.kids.last().unwrap().id));
                let c = write(doc, &n.kids, n.id, pages);
                // closed by default for sections with many children
                d.set("Count", Object::Integer(if c > 12 { -c } else { c }));
                count += if c > 12 { 0 } else { c };
            }
            doc.objects.insert(n.id, Object::Dictionary(d));
            count += 1;
        }
        count
    }
    if !top.is_empty() {
        let count = write(doc, &top, outlines_id, &pages);
        let mut o = Dictionary::new();
        o.set("Type", Object::Name(b"Outlines".to_vec()));
        o.set("First", Object::Reference(top[0].id));
        o.set("Last", Object::Reference(top.last().unwrap().id));
        o.set("Count", Object::Integer(count));
        doc.objects.insert(outlines_id, Object::Dictionary(o));
    }
    let root_id = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|e| PdfError::Write(e.to_string()))?;
    let catalog = doc.get_object_mut(root_id).and_then(Object::as_dict_mut).map_err(|e| PdfError::Write(e.to_string()))?;
    catalog.remove(b"Outlines");
    if !top.is_empty() {
        catalog.set("Outlines", Object::Reference(outlines_id));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    catalog.set("Lang", Object::string_literal(meta.lang));
    // A document id derived from the content, so the same input gives the same file.
    let mut h = Sha256::new();
    h.update(meta.title.as_bytes());
    h.update(meta.date.as_bytes());
    for a in anchors {
        h.update(a.text.as_bytes());
        h.update((a.page as u64).to_be_bytes());
    }
    let id = h.finalize()[..16].to_vec();
    doc.trailer.set("ID", Object::Array(vec![Object::String(id.clone(), StringFormat::Hexadecimal), Object::String(id, StringFormat::Hexadecimal)]));
    Ok(())
}
