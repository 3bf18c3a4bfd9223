//! The Word export checked by a validator we did not write: every XML part of our .docx
//! files (the AULA sample's base and København's copy, its høringsnotat, the FlexBørn and
//! Ballerup samples) against the ECMA-376 transitional schemas (`tests/ooxml-xsd/`, see its
//! README) with libxml2's `xmllint --schema`.
//!
//! Word reads a part through markup compatibility (ECMA-376 Part 3) before it applies the
//! schema: attributes and elements in a namespace the part declares `mc:Ignorable` (and the
//! consumer does not understand) are removed first. So does this test, and only that: an
//! element or attribute of a namespace that is neither understood (one of the schemas here)
//! nor declared ignorable fails the test, as does `mc:AlternateContent` (we write none).

use konsekvens_core::check::Lang;
use konsekvens_core::model::{Day, OrgCode};
use konsekvens_core::{Author, FixedEnv, Workspace};
use konsekvens_exchange::docx;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespaces the vendored schemas define: a consumer with these schemas understands them.
const UNDERSTOOD: &[&str] = &[
    MC,
    XML,
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "http://schemas.openxmlformats.org/drawingml/2006/chartDrawing",
    "http://schemas.openxmlformats.org/drawingml/2006/diagram",
    "http://schemas.openxmlformats.org/drawingml/2006/lockedCanvas",
    "http://schemas.openxmlformats.org/package/2006/content-types",
    "http://schemas.openxmlformats.org/package/2006/relationships",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
];

fn xsd(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ooxml-xsd").join(name)
}

/// The schema a part is validated against, by its name in the package.
fn schema_of(part: &str) -> Option<&'static str> {
    Some(match part {
        "[Content_Types].xml" => "opc-contentTypes.xsd",
        p if p.ends_with(".rels") => "opc-relationships.xsd",
        "docProps/app.xml" => "shared-documentPropertiesExtended.xsd",
        "docProps/custom.xml" => "shared-documentPropertiesCustom.xsd",
        p if p.starts_with("word/theme/") => "dml-main.xsd",
        p if p.starts_with("word/") && p.ends_with(".xml") => "wml.xsd",
        _ => return None,
    })
}

/// Parts not validated, and why: the core properties' schema imports Dublin Core's from
/// dublincore.org, which is not vendored; its content is checked by hand below.
const NOT_VALIDATED: &[&str] = &["docProps/core.xml"];

fn xmllint() -> bool {
    let found = Command::new("sh").args(["-c", "command -v xmllint"]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "xmllint is missing; scripts/test installs it (Debian: libxml2-utils)");
        eprintln!("skipped: xmllint is not installed");
    }
    found
}

/// A part after markup-compatibility processing, as a consumer that understands
/// [`UNDERSTOOD`] reads it; an error names what such a consumer must refuse.
fn mce(part: &str, xml: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut writer = quick_xml::Writer::new(Vec::new());
    // per open element: its prefixes in scope and the namespaces declared ignorable
    let mut scopes: Vec<(BTreeMap<String, String>, BTreeSet<String>)> = vec![(BTreeMap::from([("xml".to_owned(), XML.to_owned())]), BTreeSet::new())];
    let mut skip = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| format!("{part}: not well-formed: {e}"))?;
        match event {
            Event::Eof => break,
            Event::Start(_) | Event::Empty(_) if skip > 0 => {
                if matches!(event, Event::Start(_)) {
                    skip += 1;
                }
            }
            Event::End(_) if skip > 0 => skip -= 1,
            _ if skip > 0 => {}
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let (mut prefixes, mut ignorable) = scopes.last().cloned().unwrap_or_default();
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("{part}: {e}"))?;
                    let key = a.key.0.to_owned();
                    let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| format!("{part}: {e}"))?.into_owned();
                    if let Some(prefix) = key.strip_prefix("xmlns:") {
                        prefixes.insert(prefix.to_owned(), value);
                    } else if key == "xmlns" {
                        prefixes.insert(String::new(), value);
                    }
                }
                let ns_of = |qname: &str, prefixes: &BTreeMap<String, String>, attribute: bool| -> Result<Option<String>, String> {
                    match qname.split_once(':') {
                        Some((p, _)) => prefixes.get(p).cloned().map(Some).ok_or_else(|| format!("{part}: the prefix «{p}» of «{qname}» is not declared")),
                        None if attribute => Ok(None),
                        None => Ok(prefixes.get("").cloned()),
                    }
                };
                for a in e.attributes().flatten() {
                    let key = a.key.0.to_owned();
                    if key.starts_with("xmlns") {
                        continue;
                    }
                    if ns_of(&key, &prefixes, true)?.as_deref() == Some(MC) && key.ends_with(":Ignorable") {
                        for p in a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| format!("{part}: {e}"))?.split_whitespace() {
                            let uri = prefixes.get(p).ok_or_else(|| format!("{part}: mc:Ignorable names «{p}», which is not declared"))?;
                            ignorable.insert(uri.clone());
                        }
                    }
                }
                let name = e.name().0.to_owned();
                let ns = ns_of(&name, &prefixes, false)?.unwrap_or_default();
                if ns == MC {
                    return Err(format!("{part}: <{name}> (markup compatibility's alternate content) is not expected in our export"));
                }
                if !UNDERSTOOD.contains(&ns.as_str()) {
                    if ignorable.contains(&ns) {
                        // an ignorable element goes with its content
                        if !empty {
                            skip = 1;
                        }
                        continue;
                    }
                    return Err(format!("{part}: <{name}> is in the namespace {ns}, which is neither in the schemas nor declared mc:Ignorable"));
                }
                let mut kept = BytesStart::new(name.clone());
                for a in e.attributes().flatten() {
                    let key = a.key.0.to_owned();
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        kept.push_attribute(a);
                        continue;
                    }
                    match ns_of(&key, &prefixes, true)? {
                        Some(n) if n == MC => {} // processing attributes, consumed here
                        Some(n) if !UNDERSTOOD.contains(&n.as_str()) => {
                            if !ignorable.contains(&n) {
                                return Err(format!("{part}: the attribute {key} on <{name}> is in {n}, which is neither in the schemas nor declared mc:Ignorable"));
                            }
                        }
                        _ => kept.push_attribute(a),
                    }
                }
                if empty {
                    writer.write_event(Event::Empty(kept)).map_err(|e| e.to_string())?;
                } else {
                    scopes.push((prefixes, ignorable));
                    writer.write_event(Event::Start(kept)).map_err(|e| e.to_string())?;
                }
            }
            Event::End(e) => {
                scopes.pop();
                writer.write_event(Event::End(e)).map_err(|e| e.to_string())?;
            }
            other => writer.write_event(other).map_err(|e| e.to_string())?,
        }
    }
    String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())
}

fn parts(docx: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip package");
    (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).unwrap();
            if f.is_dir() {
                return None;
            }
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap_or_else(|e| panic!("{}: {e}", f.name()));
            Some((f.name().to_owned(), s))
        })
        .collect()
}

/// Every XML part of `docx` after markup compatibility, validated by xmllint against its
/// schema; the errors xmllint reports (empty: valid).
fn validate(label: &str, docx: &[u8], dir: &Path) -> Vec<String> {
    let mut by_schema: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    let mut problems = Vec::new();
    let out = dir.join(label);
    for (name, xml) in parts(docx) {
        if NOT_VALIDATED.contains(&name.as_str()) {
            continue;
        }
        let Some(schema) = schema_of(&name) else {
            problems.push(format!("{label}: {name} is a part no schema here covers"));
            continue;
        };
        match mce(&name, &xml) {
            Ok(processed) => {
                let path = out.join(&name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, processed).unwrap();
                by_schema.entry(schema).or_default().push(path);
            }
            Err(e) => problems.push(format!("{label}: {e}")),
        }
    }
    for (schema, files) in by_schema {
        let o = Command::new("xmllint").arg("--noout").arg("--nonet").arg("--schema").arg(xsd(schema)).args(&files).output().expect("run xmllint");
        if !o.status.success() {
            let text = String::from_utf8_lossy(&o.stderr);
            problems.extend(text.lines().filter(|l| !l.ends_with(" validates") && !l.contains("Schemas parser warning")).map(|l| format!("{label}: {}", l.replace(&format!("{}/", out.display()), ""))));
        }
    }
    problems
}

fn env() -> Arc<FixedEnv> {
    Arc::new(FixedEnv::new(1_780_000_000_000, 7))
}

/// The exports the test validates: (label, .docx bytes).
fn exports(dir: &Path) -> Vec<(&'static str, Vec<u8>)> {
    let today = Day::ymd(2026, 6, 1);
    let ws = Workspace::create_demo(&dir.join("aula.konsekvens"), env()).unwrap();
    let mut out = Vec::new();
    for (label, org) in [("aula-base", None), ("aula-101", Some(OrgCode(101)))] {
        let (dpia, opts) = docx::document_for(&ws, org, Lang::Da, today).unwrap();
        out.push((label, docx::render(&dpia, &opts).unwrap()));
    }
    let (dpia, opts) = docx::document_for(&ws, Some(OrgCode(101)), Lang::En, today).unwrap();
    out.push(("aula-101-en", docx::render(&dpia, &opts).unwrap()));
    let notat = konsekvens_core::report::hearing_notat(&ws.view(), 1, Lang::Da, today).unwrap();
    out.push(("aula-hoeringsnotat", docx::render_report(&notat).unwrap()));
    for (label, file) in [("flexboern", konsekvens_core::sample::flexboern()), ("ballerup", konsekvens_core::sample::ballerup())] {
        let path = dir.join(format!("{label}.konsekvens"));
        let ws = Workspace::create_with(&path, env(), &Author::new("Test", None), &file.coordination, &file.base, &file.supplements).unwrap();
        let org = file.supplements.first().and_then(|s| s.meta.org);
        let (dpia, opts) = docx::document_for(&ws, org, Lang::Da, today).unwrap();
        out.push((label, docx::render(&dpia, &opts).unwrap()));
    }
    out
}

#[test]
fn the_word_exports_are_valid_against_the_ecma_376_transitional_schemas() {
    if !xmllint() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (label, bytes) in exports(dir.path()) {
        if let Some(keep) = std::env::var_os("KONSEKVENS_KEEP_DOCX") {
            std::fs::write(Path::new(&keep).join(format!("{label}.docx")), &bytes).unwrap();
        }
        problems.extend(validate(label, &bytes, dir.path()));
        // heading levels do not skip (1 → 3 without a 2): Word's navigation pane and a
        // screen reader's outline follow them
        let doc = parts(&bytes).into_iter().find(|(n, _)| n == "word/document.xml").unwrap().1;
        let levels: Vec<u32> = doc.split("<w:pStyle w:val=\"Heading").skip(1).filter_map(|rest| rest[..1].parse().ok()).collect();
        assert!(levels.len() > 3, "{label}: {levels:?}");
        let mut previous = 0;
        for (i, l) in levels.iter().enumerate() {
            assert!(*l <= previous + 1, "{label}: heading {i} is level {l} after level {previous}");
            previous = *l;
        }
        let core = parts(&bytes).into_iter().find(|(n, _)| n == "docProps/core.xml").map(|(_, x)| x).unwrap_or_default();
        assert!(core.is_empty() || core.contains("<cp:coreProperties"), "{label}: docProps/core.xml is not core properties: {core}");
    }
    assert!(problems.is_empty(), "{} schema violations:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_validation_finds_what_is_wrong() {
    // the test above can fail: a paragraph's properties in the wrong order, an unknown
    // element, an undeclared extension namespace are each reported
    if !xmllint() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (coordination, base, _) = konsekvens_core::sample::aula();
    let dpia = konsekvens_core::EffectiveDpia::compute(&coordination, &base, &konsekvens_core::model::Supplement::default(), &konsekvens_core::model::Participant::joint_base());
    let opts = docx::ReportOptions { is_base: true, ..docx::ReportOptions::new(Day::ymd(2026, 6, 1)) };
    let good = docx::render(&dpia, &opts).unwrap();
    assert!(validate("good", &good, dir.path()).is_empty(), "the unbroken document is valid");
    let doc = parts(&good).into_iter().find(|(n, _)| n == "word/document.xml").unwrap().1;
    let broken = [
        // w:jc before w:pStyle: CT_PPrBase's sequence starts with pStyle
        doc.replacen("<w:pPr>", "<w:pPr><w:jc w:val=\"left\"/><w:pStyle w:val=\"Normal\"/>", 1),
        doc.replacen("<w:body>", "<w:body><w:paragraph/>", 1),
        doc.replacen("<w:body>", "<w:body><x:p xmlns:x=\"urn:example:unknown\"/>", 1),
    ];
    for (i, xml) in broken.iter().enumerate() {
        assert_ne!(xml, &doc, "mutation {i} did not apply");
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut zip, xml.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let problems = validate(&format!("broken{i}"), &bytes, dir.path());
        assert!(!problems.is_empty(), "mutation {i} passed the validation");
    }
}
