//! Turns laid-out pages into a PDF: printpdf embeds and subsets the fonts (Liberation Sans),
//! `content` writes the pages; lopdf then adds what printpdf does not do our way — a nested outline
//! with exact destinations, deterministic metadata and document id, the document language.

use crate::archive::{make_archival, Attachment};
use crate::content::{self, CharSet, Codes, Fonts};
use crate::layout::{Anchor, Draw, Laid, Role, BOLD_TTF, PAGE_H, PAGE_W, REGULAR_TTF};
use crate::PdfError;
use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Pt, TextItem};
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

pub(crate) fn emit(mut laid: Laid, footer: &dyn Fn(usize, usize) -> Vec<Draw>, meta: &Meta, files: &[Attachment]) -> Result<Vec<u8>, PdfError> {
    let pages = std::mem::take(&mut laid.pages);
    let total = pages.len();
    let footers: Vec<Vec<Draw>> = (0..total).map(|i| footer(i, total)).collect();
    let mut used = [CharSet::default(), CharSet::default()];
    for d in pages.iter().flatten().chain(footers.iter().flatten()) {
        if let Draw::Text { font, text, .. } = d {
            used[content::slot(*font)].extend(text);
        }
    }
    let (mut lo, fonts) = fonts_and_pages(&meta.title, total, &used)?;
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    // the marked-content ids: per page, the element of each; per element, its (page, id)s
    let mut page_mcids: Vec<Vec<usize>> = Vec::with_capacity(total);
    let mut content: Vec<Vec<(usize, i64)>> = vec![Vec::new(); laid.elems.len()];
    let role = |e: usize| laid.elems.get(e).map_or(Role::P, |el| el.role);
    let written: Vec<content::Page> = {
        use rayon::prelude::*;
        let marks = |i: usize| laid.marks.get(i).map(Vec::as_slice).unwrap_or_default();
        pages.par_iter().zip(&footers).enumerate().map(|(i, (draws, foot))| content::page(draws, marks(i), foot, &role, &fonts)).collect()
    };
    for (i, page) in written.into_iter().enumerate() {
        for (id, e) in page.mcids.iter().enumerate() {
            content[*e].push((i, id as i64));
        }
        page_mcids.push(page.mcids);
        let contents = page_ids
            .get(i)
            .and_then(|id| lo.get_dictionary(*id).ok())
            .and_then(|d| d.get(b"Contents").and_then(Object::as_reference).ok())
            .ok_or_else(|| PdfError::Write(format!("printpdf wrote no content stream for page {}", i + 1)))?;
        lo.objects.insert(contents, Object::Stream(lopdf::Stream::new(Dictionary::new(), page.bytes)));
    }
    finish(&mut lo, &laid.anchors, meta)?;
    structure(&mut lo, &laid, &page_mcids, &content).map_err(PdfError::Write)?;
    make_archival(&mut lo, meta, PRODUCER, files, true).map_err(PdfError::Write)?;
    compress(&mut lo);
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// printpdf's part: `total` empty pages with their resources, and the two fonts embedded and
/// subset to the chars `used` shows in each. The first page carries one text run per font of
/// exactly those chars in order, so that its content stream tells each char's code in the
/// subset font (printpdf renumbers the glyphs and does not say how); the caller then writes
/// every page's content over it.
fn fonts_and_pages(title: &str, total: usize, used: &[CharSet; 2]) -> Result<(lopdf::Document, Fonts), PdfError> {
    let mut doc = PdfDocument::new(title);
    let (regular, bold) = fonts().ok_or(PdfError::Font)?;
    let ids = [doc.add_font(regular), doc.add_font(bold)];
    let shown: Vec<String> = used.iter().map(|set| set.chars().collect()).collect();
    let mut probe = vec![Op::StartTextSection];
    for (id, text) in ids.iter().zip(&shown).filter(|(_, text)| !text.is_empty()) {
        probe.push(Op::SetFont { font: PdfFontHandle::External(id.clone()), size: Pt(10.0) });
        probe.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
    }
    probe.push(Op::EndTextSection);
    let size = (Mm(PAGE_W * 25.4 / 72.0), Mm(PAGE_H * 25.4 / 72.0));
    doc.pages = (0..total).map(|i| PdfPage::new(size.0, size.1, if i == 0 { std::mem::take(&mut probe) } else { Vec::new() })).collect();
    let opts = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let lo = doc.to_lopdf_document(&opts, &mut Vec::new());
    let mut fonts: Fonts = ids.map(|id| (id.0, Codes::default()));
    if total > 0 {
        codes(&lo, &shown, &mut fonts).map_err(|e| PdfError::Write(format!("the fonts' codes: {e}")))?;
    }
    Ok((lo, fonts))
}

/// Reads each char's code back from the first page's text runs (see [`fonts_and_pages`]):
/// run by run, two bytes per char of what the font was asked to show.
fn codes(lo: &lopdf::Document, shown: &[String], fonts: &mut Fonts) -> Result<(), String> {
    let first = *lo.get_pages().values().next().ok_or("no page")?;
    let stream = lo.get_page_content(first);
    let ops = lopdf::content::Content::decode(&stream).map_err(|e| e.to_string())?.operations;
    let mut font: Option<usize> = None;
    let mut read = [false, false];
    for op in ops {
        match (op.operator.as_str(), op.operands.as_slice()) {
            ("Tf", [Object::Name(name), ..]) => {
                font = fonts.iter().position(|(n, _)| n.as_bytes() == name.as_slice());
            }
            ("Tj" | "TJ", operands) => {
                // Tj <codes>, or TJ [<codes> …] when printpdf splits the run
                let strings = match operands {
                    [Object::Array(items)] => items.as_slice(),
                    other => other,
                };
                let bytes: Vec<u8> = strings.iter().filter_map(|o| o.as_str().ok()).flatten().copied().collect();
                let f = font.ok_or("a text run before its font")?;
                let chars: Vec<char> = shown[f].chars().collect();
                if bytes.len() != 2 * chars.len() || read[f] {
                    return Err(format!("{} bytes for {} chars", bytes.len(), chars.len()));
                }
                for (c, code) in chars.iter().zip(bytes.chunks_exact(2)) {
                    fonts[f].1.insert(*c, u16::from_be_bytes([code[0], code[1]]));
                }
                read[f] = true;
            }
            _ => {}
        }
    }
    match shown.iter().zip(read).find(|(text, read)| !text.is_empty() && !read) {
        Some(_) => Err("a font's text run is missing".into()),
        None => Ok(()),
    }
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
/// only when it saves more than the /Filter entry costs), on rayon's threads.
///
/// - One compressor per thread, reset between streams: a fresh one per stream allocated and
///   zeroed its buffers each time, and those page faults were a quarter of rendering.
/// - zlib's default level (6), not its best (9): a profile of rendering put 29 % of it in
///   level 9's lazy matching (`deflate_slow`); level 6 makes the sample's file 0.55 % larger
///   (crate README, «Third round»).
/// - Each stream is deflated on its own, so the bytes do not depend on which thread took it.
fn compress(doc: &mut lopdf::Document) {
    use rayon::prelude::*;
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
    streams.into_par_iter().with_max_len(1).for_each_init(
        || (flate2::Compress::new(flate2::Compression::default(), true), Vec::new()),
        |(z, buf), stream| {
            if let Some(deflated) = deflate(z, buf, &stream.content) {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(deflated);
            }
        },
    );
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
