//! The PDF as an archival record (PDF/A-3b, ISO 19005-3): XMP metadata that repeats the
//! document information, an sRGB output intent, and the DPIA's data carried inside as
//! associated files (`/AF`, relationship `Data`) — and reading those files back out of a
//! PDF someone hands us, which is untrusted input.

use crate::emit::{text_string, Meta};
use lopdf::{Dictionary, Object, ObjectId, Stream};
use std::io::Read;

/// The sRGB IEC61966-2.1 profile (ICC v2, Debian's icc-profiles-free, zlib licence:
/// `color/LICENSE-sRGB.txt`), the output intent every page's DeviceRGB is read against.
const SRGB_ICC: &[u8] = include_bytes!("../color/sRGB.icc");

/// A file carried inside the PDF: a PDF/A-3 associated file with relationship `Data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file's name, e.g. `konsekvensanalyse.json`.
    pub name: String,
    /// Its MIME type, e.g. `application/json`.
    pub mime: String,
    /// What it is, in the document's language (shown by PDF readers' attachment panels).
    pub description: String,
    pub bytes: Vec<u8>,
}

/// Largest embedded file read back (the interchange JSON's own limit).
pub const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024 * 1024;
/// More embedded files than this, or a name tree deeper than [`MAX_TREE_DEPTH`], is not ours.
const MAX_ATTACHMENTS: usize = 64;
const MAX_TREE_DEPTH: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the input is not a PDF file (it does not start with %PDF-)")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Damaged(String),
    #[error("the embedded file «{name}» is larger than {limit} bytes")]
    TooLarge { name: String, limit: u64 },
    #[error("the embedded file «{name}» cannot be read: {why}")]
    Unreadable { name: String, why: String },
    #[error("the PDF holds more than {MAX_ATTACHMENTS} embedded files, or a name tree nested deeper than {MAX_TREE_DEPTH} levels")]
    TooMany,
}

impl ArchiveError {
    /// Stable, for scripts and the app.
    pub fn code(&self) -> &'static str {
        match self {
            ArchiveError::NotPdf => "K-PDF-IKKE-PDF",
            ArchiveError::Damaged(_) => "K-PDF-SKADET",
            ArchiveError::TooLarge { .. } => "K-PDF-BILAG-FOR-STORT",
            ArchiveError::Unreadable { .. } => "K-PDF-BILAG-ULAESELIGT",
            ArchiveError::TooMany => "K-PDF-BILAG-FOR-MANGE",
        }
    }

    /// The message in Danish (Display is English).
    pub fn danish(&self) -> String {
        match self {
            ArchiveError::NotPdf => "filen er ikke en PDF (den begynder ikke med %PDF-)".into(),
            ArchiveError::Damaged(why) => format!("PDF'en kan ikke læses: {why}"),
            ArchiveError::TooLarge { name, limit } => format!("den indlejrede fil «{name}» er større end {limit} byte"),
            ArchiveError::Unreadable { name, why } => format!("den indlejrede fil «{name}» kan ikke læses: {why}"),
            ArchiveError::TooMany => {
                format!("PDF'en har flere end {MAX_ATTACHMENTS} indlejrede filer, eller et navnetræ dybere end {MAX_TREE_DEPTH} niveauer")
            }
        }
    }
}

/// `D:20261201000000Z` → `2026-12-01T00:00:00Z`, as XMP writes the same instant.
fn xmp_date(pdf_date: &str) -> String {
    let d = pdf_date.trim_start_matches("D:");
    let part = |a: usize, b: usize| d.get(a..b).unwrap_or("00");
    format!("{}-{}-{}T{}:{}:{}Z", part(0, 4), part(4, 6), part(6, 8), part(8, 10), part(10, 12), part(12, 14))
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The XMP packet: PDF/A-3B identification, and every document-information entry repeated
/// in its XMP property (ISO 19005-3 6.6.2.3) with the same value; with `ua`, the PDF/UA-1
/// identification and the extension schema that PDF/A requires for it (6.6.2.3.3).
pub(crate) fn xmp(meta: &Meta, producer: &str, ua: bool) -> String {
    let date = xmp_date(&meta.date);
    let e = xml_escape;
    let ua_schema = if ua {
        r#"
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
     <pdfaProperty:name>part</pdfaProperty:name>
     <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
     <pdfaProperty:category>internal</pdfaProperty:category>
     <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
    </rdf:li></rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>"#
    } else {
        ""
    };
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>Konsekvens</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{producer}</pdf:Producer>
  </rdf:Description>{ua_schema}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>"#,
        bom = '\u{feff}',
        title = e(&meta.title),
        author = e(&meta.author),
        subject = e(&meta.subject),
        lang = e(meta.lang),
        producer = e(producer),
    )
}

/// Makes the document PDF/A-3b: version 1.7, the XMP packet, the sRGB output intent, the
/// title shown in the window, and `files` embedded as associated files.
pub(crate) fn make_archival(doc: &mut lopdf::Document, meta: &Meta, producer: &str, files: &[Attachment], ua: bool) -> Result<(), String> {
    doc.version = "1.7".into();
    let mut xmp_dict = Dictionary::new();
    xmp_dict.set("Type", Object::Name(b"Metadata".to_vec()));
    xmp_dict.set("Subtype", Object::Name(b"XML".to_vec()));
    // left unfiltered, so any tool (and a person with a text editor) can read it
    let metadata = doc.add_object(Stream::new(xmp_dict, xmp(meta, producer, ua).into_bytes()).with_compression(false));

    let mut icc = Dictionary::new();
    icc.set("N", Object::Integer(3));
    let icc_id = doc.add_object(Stream::new(icc, SRGB_ICC.to_vec()));
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set("OutputConditionIdentifier", Object::string_literal("sRGB IEC61966-2.1"));
    intent.set("Info", Object::string_literal("sRGB IEC61966-2.1"));
    intent.set("RegistryName", Object::string_literal("http://www.color.org"));
    intent.set("DestOutputProfile", Object::Reference(icc_id));

    // each file: its stream (MIME type, size, date) and a file specification naming it
    let mut specs: Vec<(String, ObjectId)> = Vec::new();
    for f in files {
        let mut params = Dictionary::new();
        params.set("Size", Object::Integer(f.bytes.len() as i64));
        params.set("ModDate", Object::string_literal(meta.date.clone()));
        let mut sd = Dictionary::new();
        sd.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
        sd.set("Subtype", Object::Name(f.mime.as_bytes().to_vec()));
        sd.set("Params", Object::Dictionary(params));
        let stream = doc.add_object(Stream::new(sd, f.bytes.clone()));
        let mut ef = Dictionary::new();
        ef.set("F", Object::Reference(stream));
        ef.set("UF", Object::Reference(stream));
        let mut spec = Dictionary::new();
        spec.set("Type", Object::Name(b"Filespec".to_vec()));
        spec.set("F", Object::string_literal(f.name.clone()));
        spec.set("UF", text_string(&f.name));
        spec.set("Desc", text_string(&f.description));
        spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
        spec.set("EF", Object::Dictionary(ef));
        specs.push((f.name.clone(), doc.add_object(spec)));
    }
    specs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let root_id = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|e| e.to_string())?;
    let catalog = doc.get_object_mut(root_id).and_then(Object::as_dict_mut).map_err(|e| e.to_string())?;
    catalog.set("Metadata", Object::Reference(metadata));
    catalog.set("OutputIntents", Object::Array(vec![Object::Dictionary(intent)]));
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    if !specs.is_empty() {
        catalog.set("AF", Object::Array(specs.iter().map(|(_, id)| Object::Reference(*id)).collect()));
        let names = specs.iter().flat_map(|(n, id)| [Object::string_literal(n.clone()), Object::Reference(*id)]).collect();
        let mut tree = Dictionary::new();
        tree.set("Names", Object::Array(names));
        let mut names_dict = Dictionary::new();
        names_dict.set("EmbeddedFiles", Object::Dictionary(tree));
        catalog.set("Names", Object::Dictionary(names_dict));
    }
    Ok(())
}

/// The files embedded in a PDF (its `EmbeddedFiles` name tree), in name order. Every
/// number and stream in `pdf` is untrusted: the tree's depth and size and each file's
/// inflated size are bounded, and only unfiltered or Flate-compressed files are read.
pub fn attachments(pdf: &[u8]) -> Result<Vec<Attachment>, ArchiveError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(ArchiveError::NotPdf);
    }
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    let catalog = doc.catalog().map_err(|e| ArchiveError::Damaged(e.to_string()))?;
    let Some(tree) = catalog
        .get(b"Names")
        .ok()
        .and_then(|n| deref(&doc, n).as_dict().ok())
        .and_then(|n| n.get(b"EmbeddedFiles").ok())
        .and_then(|t| deref(&doc, t).as_dict().ok())
    else {
        return Ok(Vec::new());
    };
    let mut leaves = Vec::new();
    collect(&doc, tree, 0, &mut leaves)?;
    let mut out = Vec::new();
    for (name, spec) in leaves {
        out.push(read_file(&doc, &name, spec)?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn deref<'a>(doc: &'a lopdf::Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        other => other,
    }
}

fn pdf_text(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The name tree's (name, file specification) pairs, depth-first.
fn collect<'a>(doc: &'a lopdf::Document, node: &'a Dictionary, depth: usize, out: &mut Vec<(String, &'a Dictionary)>) -> Result<(), ArchiveError> {
    if depth > MAX_TREE_DEPTH {
        return Err(ArchiveError::TooMany);
    }
    if let Some(names) = node.get(b"Names").ok().and_then(|n| deref(doc, n).as_array().ok()) {
        for pair in names.chunks(2) {
            let [key, value] = pair else { break };
            let Ok(key) = deref(doc, key).as_str() else { continue };
            let Ok(spec) = deref(doc, value).as_dict() else { continue };
            if out.len() == MAX_ATTACHMENTS {
                return Err(ArchiveError::TooMany);
            }
            out.push((pdf_text(key), spec));
        }
    }
    if let Some(kids) = node.get(b"Kids").ok().and_then(|k| deref(doc, k).as_array().ok()) {
        for kid in kids {
            if let Ok(kid) = deref(doc, kid).as_dict() {
                collect(doc, kid, depth + 1, out)?;
            }
        }
    }
    Ok(())
}

fn read_file(doc: &lopdf::Document, key: &str, spec: &Dictionary) -> Result<Attachment, ArchiveError> {
    let text = |k: &[u8]| spec.get(k).ok().and_then(|o| deref(doc, o).as_str().ok()).map(pdf_text);
    let name = text(b"UF").or_else(|| text(b"F")).unwrap_or_else(|| key.to_owned());
    let unreadable = |why: &str| ArchiveError::Unreadable { name: name.clone(), why: why.to_owned() };
    let ef = spec.get(b"EF").ok().map(|o| deref(doc, o)).and_then(|o| o.as_dict().ok()).ok_or_else(|| unreadable("no /EF"))?;
    let stream = ef
        .get(b"UF")
        .or_else(|_| ef.get(b"F"))
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_stream().ok())
        .ok_or_else(|| unreadable("no embedded file stream"))?;
    let mime = stream.dict.get(b"Subtype").and_then(Object::as_name).map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter").map(|f| deref(doc, f)) {
        Err(_) => Vec::new(),
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a.iter().filter_map(|f| f.as_name().ok().map(<[u8]>::to_vec)).collect(),
        Ok(_) => return Err(unreadable("an unreadable /Filter")),
    };
    let too_large = || ArchiveError::TooLarge { name: name.clone(), limit: MAX_ATTACHMENT_BYTES };
    let bytes = match filters.as_slice() {
        [] => {
            if stream.content.len() as u64 > MAX_ATTACHMENT_BYTES {
                return Err(too_large());
            }
            stream.content.clone()
        }
        [f] if f == b"FlateDecode" => {
            // inflated with a cap: a small stream must not become gigabytes in memory
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(MAX_ATTACHMENT_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|e| unreadable(&e.to_string()))?;
            if out.len() as u64 > MAX_ATTACHMENT_BYTES {
                return Err(too_large());
            }
            out
        }
        _ => return Err(unreadable("compressed with a filter other than FlateDecode")),
    };
    let description = text(b"Desc").unwrap_or_default();
    Ok(Attachment { name, mime, description, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_dates_are_the_info_dates() {
        assert_eq!(xmp_date("D:20261201093005Z"), "2026-12-01T09:30:05Z");
    }

    #[test]
    fn xmp_escapes_what_xml_cannot_carry() {
        let meta = Meta { title: "R&D <Aarhus> «ø»".into(), author: "A \"B\"".into(), subject: "s".into(), lang: "da-DK", date: "D:20260101000000Z".into() };
        let x = xmp(&meta, "p", true);
        assert!(x.contains("R&amp;D &lt;Aarhus&gt; «ø»") && x.contains("A &quot;B&quot;"), "{x}");
        assert!(x.contains("<pdfuaid:part>1</pdfuaid:part>") && x.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(!xmp(&meta, "p", false).contains("pdfuaid"));
    }
}
