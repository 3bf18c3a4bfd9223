//! What docx-rs writes, made valid Office Open XML (ECMA-376 transitional) before it is
//! packed: docx-rs writes the children of `w:pPr`, `w:rPr`, `w:style`, `w:tblPr`, `w:trPr`,
//! `w:tcPr` and `w:sectPr` in its own order (`<w:pPr><w:rPr/><w:pStyle/>`, `<w:style>
//! <w:name/><w:rPr/><w:pPr/><w:basedOn/>`), where the schema prescribes a sequence; Word
//! is strict about it where LibreOffice forgives. Each such element's children are put in
//! the schema's order (stably: children the table does not name keep their order, after
//! those it names). And the paragraph style «Normal» is marked as the document's default
//! paragraph style (`w:default="1"`), which docx-rs leaves out.
//!
//! The orders are the sequences of the complex types in `wml.xsd` (ECMA-376 Part 4, the
//! transitional schema vendored in `tests/ooxml-xsd/`); `tests/ooxml.rs` validates every
//! part of our exports against them with xmllint.

use quick_xml::events::{BytesStart, Event};

/// docx-rs always writes this part (`w15:commentsEx`, Word 2012's extension for comment
/// threads, outside ECMA-376), empty when there are no comments: we leave it out.
pub(crate) const COMMENTS_EXTENDED: &str = "word/commentsExtended.xml";

/// The package's relationships or content types without the entry for [`COMMENTS_EXTENDED`].
pub(crate) fn without_comments_extended(xml: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(xml) else { return xml.to_vec() };
    let mut out = text.to_owned();
    for marker in ["Target=\"commentsExtended.xml\"", "PartName=\"/word/commentsExtended.xml\""] {
        while let Some(at) = out.find(marker) {
            let (Some(start), Some(len)) = (out[..at].rfind('<'), out[at..].find("/>")) else { break };
            out.replace_range(start..at + len + 2, "");
        }
    }
    out.into_bytes()
}

/// CT_PPr: EG_PPrBase, then rPr, sectPr, pPrChange.
const PPR: &[&str] = &[
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
    "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
];
/// CT_ParaRPr / CT_RPr (EG_RPrBase in the order of ECMA-376's first edition, a sequence;
/// later editions allow any order, Word writes this one).
const RPR: &[&str] = &[
    "ins", "del", "moveFrom", "moveTo", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss", "imprint", "noProof",
    "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
    "em", "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange",
];
/// CT_Style.
const STYLE: &[&str] = &[
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
];
/// CT_TblPr.
const TBLPR: &[&str] = &[
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout",
    "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange",
];
/// CT_TrPr (a choice in the schema; Word's order).
const TRPR: &[&str] = &["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange"];
/// CT_TcPr.
const TCPR: &[&str] = &[
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel",
    "cellMerge", "tcPrChange",
];
/// CT_SectPr.
const SECTPR: &[&str] = &[
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
    "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
];
/// CT_Settings.
const SETTINGS: &[&str] = &[
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime", "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign",
    "attachedTemplate", "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions", "doNotTrackMoves",
    "doNotTrackFormatting", "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit",
    "hyphenationZone", "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting",
    "bookFoldPrinting", "bookFoldPrintingSheets", "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData",
    "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving",
    "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
];
/// CT_TblBorders and CT_TcBorders.
const BORDERS: &[&str] = &["top", "start", "left", "bottom", "end", "right", "insideH", "insideV", "tl2br", "tr2bl"];
/// CT_TblCellMar and CT_TcMar.
const MARGINS: &[&str] = &["top", "start", "left", "bottom", "end", "right"];

fn order_of(parent: &str) -> Option<&'static [&'static str]> {
    Some(match parent {
        "w:pPr" => PPR,
        "w:rPr" => RPR,
        "w:style" => STYLE,
        "w:tblPr" => TBLPR,
        "w:trPr" => TRPR,
        "w:tcPr" => TCPR,
        "w:sectPr" => SECTPR,
        "w:settings" => SETTINGS,
        "w:tblBorders" | "w:tcBorders" => BORDERS,
        "w:tblCellMar" | "w:tcMar" => MARGINS,
        _ => return None,
    })
}

enum Node {
    Element { start: BytesStart<'static>, children: Vec<Node>, empty: bool },
    Other(Event<'static>),
}

impl Node {
    fn name(&self) -> Option<String> {
        match self {
            Node::Element { start, .. } => Some(start.name().0.to_owned()),
            Node::Other(_) => None,
        }
    }
}

/// One part of the package as the schema wants it (see the module's documentation).
pub(crate) fn conform(xml: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(xml).map_err(|e| e.to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    // the open elements, each with the children read so far
    let mut stack: Vec<(Option<BytesStart<'static>>, Vec<Node>)> = vec![(None, Vec::new())];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => break,
            Event::Start(e) => stack.push((Some(e.into_owned()), Vec::new())),
            // as above, and docx-rs gives a table's grid columns a `w:type` CT_TblGridCol has not
            Event::Empty(e) if e.name().0 == "w:rPr" && e.attributes().next().is_none() => {}
            Event::Empty(e) => {
                let mut e = e.into_owned();
                if e.name().0 == "w:gridCol" {
                    let kept: Vec<(String, String)> = e.attributes().flatten().filter(|a| a.key.0 != "w:type").map(|a| (a.key.0.to_owned(), a.value.to_string())).collect();
                    e.clear_attributes();
                    for (k, v) in &kept {
                        e.push_attribute((k.as_str(), v.as_str()));
                    }
                }
                let node = Node::Element { start: e, children: Vec::new(), empty: true };
                stack.last_mut().ok_or("unbalanced")?.1.push(node);
            }
            Event::End(_) => {
                let (start, mut children) = stack.pop().ok_or("unbalanced")?;
                let start = start.ok_or("an end tag without its start")?;
                if let Some(order) = order_of(start.name().0) {
                    let rank = |n: &Node| n.name().and_then(|name| order.iter().position(|o| local(&name) == *o)).unwrap_or(usize::MAX);
                    children.sort_by_key(rank);
                }
                // an empty run-properties element says nothing, and where docx-rs writes one —
                // inside the paragraph properties of a style, a numbering level or the
                // defaults (CT_PPrGeneral) — the schema has no place for it
                if start.name().0 == "w:rPr" && children.is_empty() && start.attributes().next().is_none() {
                    continue;
                }
                stack.last_mut().ok_or("unbalanced")?.1.push(Node::Element { start, children, empty: false });
            }
            other => stack.last_mut().ok_or("unbalanced")?.1.push(Node::Other(other.into_owned())),
        }
    }
    let (_, nodes) = stack.pop().ok_or("unbalanced")?;
    if !stack.is_empty() {
        return Err("an element is not closed".into());
    }
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(xml.len()));
    for n in nodes {
        write(&mut writer, n)?;
    }
    Ok(writer.into_inner())
}

fn write(w: &mut quick_xml::Writer<Vec<u8>>, node: Node) -> Result<(), String> {
    match node {
        Node::Other(e) => w.write_event(e).map_err(|e| e.to_string()),
        Node::Element { mut start, children, empty } => {
            // the paragraph style «Normal» is the default one
            if start.name().0 == "w:style" && attr(&start, "w:styleId").as_deref() == Some("Normal") && attr(&start, "w:type").as_deref() == Some("paragraph") && attr(&start, "w:default").is_none() {
                start.push_attribute(("w:default", "1"));
            }
            if empty {
                return w.write_event(Event::Empty(start)).map_err(|e| e.to_string());
            }
            let end = start.to_end().into_owned();
            w.write_event(Event::Start(start)).map_err(|e| e.to_string())?;
            for c in children {
                write(w, c)?;
            }
            w.write_event(Event::End(end)).map_err(|e| e.to_string())
        }
    }
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn attr(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start.attributes().flatten().find(|a| a.key.0 == name).map(|a| a.value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conformed(xml: &str) -> String {
        String::from_utf8(conform(xml.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn children_are_put_in_the_schemas_order_and_the_rest_is_kept() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="w"><w:p><w:pPr><w:rPr /><w:jc w:val="center" /><w:pStyle w:val="Small" /></w:pPr><w:r><w:rPr><w:sz w:val="17" /><w:b /><w:color w:val="666666" /></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p></w:document>"#;
        assert_eq!(
            conformed(xml),
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="w"><w:p><w:pPr><w:pStyle w:val="Small" /><w:jc w:val="center" /></w:pPr><w:r><w:rPr><w:b /><w:color w:val="666666" /><w:sz w:val="17" /></w:rPr><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p></w:document>"#
        );
    }

    #[test]
    fn normal_becomes_the_default_paragraph_style_and_style_children_are_ordered() {
        let xml = r#"<w:styles xmlns:w="w"><w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal" /><w:rPr /><w:pPr /><w:qFormat /></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1" /><w:pPr /><w:next w:val="Normal" /><w:basedOn w:val="Normal" /></w:style></w:styles>"#;
        assert_eq!(
            conformed(xml),
            r#"<w:styles xmlns:w="w"><w:style w:type="paragraph" w:styleId="Normal" w:default="1"><w:name w:val="Normal" /><w:qFormat /><w:pPr /></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1" /><w:basedOn w:val="Normal" /><w:next w:val="Normal" /><w:pPr /></w:style></w:styles>"#
        );
        assert!(conform(b"<w:a><w:b></w:a>").is_err());
    }

    #[test]
    fn the_comment_thread_part_is_left_out_of_relationships_and_content_types() {
        let rels = r#"<Relationships><Relationship Id="rId3" Target="settings.xml" /><Relationship Id="rId5" Type="http://schemas.microsoft.com/office/2011/relationships/commentsExtended" Target="commentsExtended.xml" /><Relationship Id="rIdFooter1" Target="footer1.xml" /></Relationships>"#;
        assert_eq!(
            String::from_utf8(without_comments_extended(rels.as_bytes())).unwrap(),
            r#"<Relationships><Relationship Id="rId3" Target="settings.xml" /><Relationship Id="rIdFooter1" Target="footer1.xml" /></Relationships>"#
        );
        let types = r#"<Types><Override PartName="/word/comments.xml" ContentType="c" /><Override PartName="/word/commentsExtended.xml" ContentType="x" /></Types>"#;
        assert_eq!(String::from_utf8(without_comments_extended(types.as_bytes())).unwrap(), r#"<Types><Override PartName="/word/comments.xml" ContentType="c" /></Types>"#);
    }
}
