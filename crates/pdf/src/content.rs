//! The pages' content streams, written as bytes directly: text as Identity-H glyph codes,
//! rectangles, rules and dots, each drawing inside the marked-content sequence the structure
//! tree points at. Going through printpdf's `Op`s instead (translated into lopdf operations,
//! then formatted back into text) was over half of rendering (crate README, «Fourth round»);
//! printpdf still embeds and subsets the fonts, and tells us their codes (`emit::codes`).

use crate::layout::{Draw, Font, Mark, Role, Rgb, DIRECT, PAGE_H};
use std::collections::{BTreeSet, HashMap};

/// Where `f` is in the per-font pairs here (`[regular, bold]`).
pub(crate) fn slot(f: Font) -> usize {
    match f {
        Font::Regular => 0,
        Font::Bold => 1,
    }
}

/// The chars a document shows in one font, in char order.
#[derive(Default)]
pub(crate) struct CharSet {
    direct: Vec<bool>,
    other: BTreeSet<char>,
}

impl CharSet {
    pub(crate) fn extend(&mut self, text: &str) {
        if self.direct.is_empty() {
            self.direct = vec![false; DIRECT];
        }
        for c in text.chars() {
            match self.direct.get_mut(c as usize) {
                Some(seen) => *seen = true,
                None => {
                    self.other.insert(c);
                }
            }
        }
    }

    /// Every char of the set once, ascending.
    pub(crate) fn chars(&self) -> impl Iterator<Item = char> + '_ {
        let direct = self.direct.iter().enumerate().filter(|(_, seen)| **seen).filter_map(|(c, _)| char::from_u32(c as u32));
        direct.chain(self.other.iter().copied())
    }
}

/// One font's codes: what the content stream writes for each char (the subset font's glyph
/// id). A char the font has no glyph for is written as 0, `.notdef`, as printpdf does.
#[derive(Default)]
pub(crate) struct Codes {
    /// code + 1 per char below [`DIRECT`]; 0 when the document does not show the char
    direct: Vec<u32>,
    other: HashMap<char, u16>,
}

impl Codes {
    pub(crate) fn insert(&mut self, c: char, code: u16) {
        if self.direct.is_empty() {
            self.direct = vec![0; DIRECT];
        }
        match self.direct.get_mut(c as usize) {
            Some(slot) => *slot = u32::from(code) + 1,
            None => {
                self.other.insert(c, code);
            }
        }
    }

    fn code(&self, c: char) -> u16 {
        match self.direct.get(c as usize) {
            Some(&slot) => slot.saturating_sub(1) as u16,
            None if (c as usize) < DIRECT => 0,
            None => self.other.get(&c).copied().unwrap_or(0),
        }
    }
}

/// The fonts as the pages name them (their resource names) and code them, by [`slot`].
pub(crate) type Fonts = [(String, Codes); 2];

/// A marked-content sequence: an element's content, an artifact, or the running footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seq {
    Artifact,
    Pagination,
    Content(usize),
}

/// One page's content stream.
pub(crate) struct Page {
    pub bytes: Vec<u8>,
    /// The element of each marked-content id on the page, by id.
    pub mcids: Vec<usize>,
}

/// Writes one page: its drawings (marked as `marks` says) and then its footer (an artifact
/// of type Pagination). `roles` gives each element's structure type.
pub(crate) fn page(draws: &[Draw], marks: &[Mark], footer: &[Draw], roles: &(dyn Fn(usize) -> Role + Sync), fonts: &Fonts) -> Page {
    let mut w = Writer { out: Vec::with_capacity(64 * draws.len() + 1024) };
    let mut mcids = Vec::new();
    let mut open: Option<Seq> = None;
    let seqs = marks.iter().map(|m| match m {
        Mark::Artifact => Seq::Artifact,
        Mark::Content(e) => Seq::Content(*e),
    });
    for (d, seq) in draws.iter().zip(seqs).chain(footer.iter().map(|d| (d, Seq::Pagination))) {
        if open != Some(seq) {
            if open.is_some() {
                w.op("EMC");
            }
            match seq {
                Seq::Artifact => w.op("/Artifact BMC"),
                Seq::Pagination => w.op("/Artifact <</Type /Pagination>> BDC"),
                Seq::Content(e) => {
                    w.raw("/");
                    w.raw(roles(e).name());
                    w.raw(" <</MCID ");
                    w.int(mcids.len() as i64);
                    w.op(">> BDC");
                    mcids.push(e);
                }
            }
            open = Some(seq);
        }
        w.draw(d, fonts);
    }
    if open.is_some() {
        w.op("EMC");
    }
    Page { bytes: w.out, mcids }
}

struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn raw(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    /// An operator (with whatever came before it on the line) and the line's end.
    fn op(&mut self, s: &str) {
        self.raw(s);
        self.out.push(b'\n');
    }

    fn int(&mut self, mut n: i64) {
        if n < 0 {
            self.out.push(b'-');
            n = -n;
        }
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[i..]);
    }

    /// A number as the shortest decimal that reads back as the same `f32` (what lopdf writes
    /// for a real, so the pages draw exactly as printpdf's did), then a space.
    fn num(&mut self, x: f32) {
        let x = if x.is_finite() { x } else { 0.0 };
        // below 2^24 an f32 integer is its own shortest form; at and above, every f32 is an
        // integer that Display rounds to its shortest digits (ryu would add «.0»)
        const EXACT: f32 = 16_777_216.0;
        if x.abs() < EXACT && x == x.trunc() {
            self.int(x as i64);
        } else {
            let mut buf = ryu::Buffer::new();
            match buf.format_finite(x) {
                digits if x.abs() < EXACT && !digits.contains('e') => self.raw(digits),
                // ryu's exponent form (below 1e-5): PDF has none, Display spells it out
                _ => {
                    use std::io::Write;
                    let _ = write!(self.out, "{x}");
                }
            }
        }
        self.out.push(b' ');
    }

    /// A point given from the page's top, in PDF's coordinates (from the bottom).
    fn point(&mut self, x: f32, y_from_top: f32) {
        self.num(x);
        self.num(PAGE_H - y_from_top);
    }

    fn color(&mut self, c: Rgb, op: &str) {
        self.num(c.0);
        self.num(c.1);
        self.num(c.2);
        self.op(op);
    }

    fn text(&mut self, text: &str, codes: &Codes) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.out.push(b'<');
        for c in text.chars() {
            let code = codes.code(c);
            for shift in [12, 8, 4, 0] {
                self.out.push(HEX[usize::from((code >> shift) & 0xf)]);
            }
        }
        self.out.push(b'>');
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.point(x, y);
        self.op("m");
        self.point(x + w, y);
        self.op("l");
        self.point(x + w, y + h);
        self.op("l");
        self.point(x, y + h);
        self.op("l");
        self.op("h");
    }

    fn draw(&mut self, d: &Draw, fonts: &Fonts) {
        match d {
            Draw::Text { x, y, size, font, color, text } => {
                let (name, codes) = &fonts[slot(*font)];
                self.op("BT");
                self.raw("/");
                self.raw(name);
                self.raw(" ");
                self.num(*size);
                self.op("Tf");
                self.color(*color, "rg");
                self.point(*x, *y);
                self.op("Td");
                self.text(text, codes);
                self.op(" Tj");
                self.op("ET");
            }
            Draw::Rect { x, y, w, h, fill, stroke } => {
                if let Some(f) = fill {
                    self.color(*f, "rg");
                    self.rect(*x, *y, *w, *h);
                    self.op("f");
                }
                if let Some((c, width)) = stroke {
                    self.color(*c, "RG");
                    self.num(*width);
                    self.op("w");
                    self.rect(*x, *y, *w, *h);
                    self.op("S");
                }
            }
            Draw::Line { x1, y1, x2, y2, color, width } => {
                self.color(*color, "RG");
                self.num(*width);
                self.op("w");
                self.point(*x1, *y1);
                self.op("m");
                self.point(*x2, *y2);
                self.op("l");
                self.op("S");
            }
            Draw::Dot { x, y, r, color } => {
                // a circle from four Bézier arcs (k: the usual 4/3·(√2−1) handle length)
                let (x, y, r) = (*x, *y, *r);
                let k = 0.5523 * r;
                self.color(*color, "rg");
                self.point(x + r, y);
                self.op("m");
                let arcs = [
                    [(x + r, y + k), (x + k, y + r), (x, y + r)],
                    [(x - k, y + r), (x - r, y + k), (x - r, y)],
                    [(x - r, y - k), (x - k, y - r), (x, y - r)],
                    [(x + k, y - r), (x + r, y - k), (x + r, y)],
                ];
                for arc in arcs {
                    for (px, py) in arc {
                        self.point(px, py);
                    }
                    self.op("c");
                }
                self.op("h");
                self.op("f");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut Writer)) -> String {
        let mut w = Writer { out: Vec::new() };
        f(&mut w);
        String::from_utf8(w.out).unwrap()
    }

    #[test]
    fn numbers_are_written_as_the_shortest_decimal_of_the_f32() {
        assert_eq!(written(|w| [0.0, 1.0, 0.5, 0.05, -0.25, -3.1, 12.3456, 841.89, 1e-4, -0.0].iter().for_each(|x| w.num(*x))), "0 1 0.5 0.05 -0.25 -3.1 12.3456 841.89 0.0001 0 ");
        assert_eq!(written(|w| w.num(f32::NAN)), "0 ");
        assert_eq!(written(|w| w.num(f32::INFINITY)), "0 ");
        assert_eq!(written(|w| w.num(3e9)), "3000000000 ");
        assert_eq!(written(|w| w.int(i64::from(i32::MIN))), "-2147483648");
    }

    proptest::proptest! {
        /// Any number is written as the shortest digits that read back as the same `f32`,
        /// Display's digits (so the pages draw as printpdf's did) but where two are equally
        /// short and close (ryu rounds that tie to even, Display up).
        #[test]
        fn a_number_is_written_as_its_shortest_round_trip(bits in proptest::num::u32::ANY, page in -2000.0f32..2000.0) {
            for x in [f32::from_bits(bits), page] {
                let x = if x.is_finite() { x } else { 0.0 };
                let out = written(|w| w.num(x));
                let ours = out.strip_suffix(' ').unwrap();
                proptest::prop_assert!(!ours.contains(['e', 'E']), "{}", ours);
                proptest::prop_assert_eq!(ours.parse::<f32>().unwrap(), x);
                let display = if x == 0.0 { "0".to_string() } else { format!("{x}") };
                proptest::prop_assert_eq!(ours.len(), display.len(), "{} vs {}", ours, display);
            }
        }
    }

    #[test]
    fn text_is_written_as_the_fonts_codes_and_an_unknown_char_as_notdef() {
        let mut codes = Codes::default();
        codes.insert('A', 0x24);
        codes.insert('ø', 0x1ab);
        codes.insert('€', 0xfffe);
        codes.insert('😀', 7);
        assert_eq!(written(|w| w.text("Aø€😀x", &codes)), "<002401abfffe00070000>");
        assert_eq!(written(|w| w.text("Z", &Codes::default())), "<0000>");
    }

    #[test]
    fn a_char_set_lists_each_char_once_in_order() {
        let mut set = CharSet::default();
        set.extend("bøa😀b€a");
        set.extend("Å");
        assert_eq!(set.chars().collect::<String>(), "abÅø€😀");
        assert_eq!(CharSet::default().chars().count(), 0);
    }

    #[test]
    fn a_page_marks_its_content_by_element_and_its_footer_as_pagination() {
        let fonts: Fonts = [("R".into(), Codes::default()), ("B".into(), Codes::default())];
        let text = |s: &str| Draw::Text { x: 10.0, y: 20.0, size: 9.5, font: Font::Regular, color: Rgb(0.1, 0.1, 0.12), text: s.into() };
        let rule = Draw::Line { x1: 0.0, y1: 1.0, x2: 5.0, y2: 1.0, color: Rgb(1.0, 0.0, 0.0), width: 0.4 };
        let draws = [text("a"), text("b"), rule.clone(), text("c")];
        let marks = [Mark::Content(3), Mark::Content(3), Mark::Artifact, Mark::Content(5)];
        let role = |e: usize| if e == 3 { Role::H1 } else { Role::P };
        let page = page(&draws, &marks, &[text("1")], &role, &fonts);
        let s = String::from_utf8(page.bytes).unwrap();
        assert_eq!(page.mcids, [3, 5]);
        let ops: Vec<&str> = s.lines().filter(|l| l.ends_with("BDC") || l.ends_with("BMC") || *l == "EMC").collect();
        assert_eq!(ops, ["/H1 <</MCID 0>> BDC", "EMC", "/Artifact BMC", "EMC", "/P <</MCID 1>> BDC", "EMC", "/Artifact <</Type /Pagination>> BDC", "EMC"]);
        assert!(s.contains("BT\n/R 9.5 Tf\n0.1 0.1 0.12 rg\n10 821.89 Td\n<0000> Tj\nET\n"), "{s}");
        assert!(s.contains("1 0 0 RG\n0.4 w\n0 840.89 m\n5 840.89 l\nS\n"), "{s}");
        let lexed = lopdf::content::Content::decode(s.as_bytes()).expect("lopdf reads the stream back");
        assert_eq!(lexed.operations.iter().filter(|o| o.operator == "Tj").count(), 4);
    }
}
