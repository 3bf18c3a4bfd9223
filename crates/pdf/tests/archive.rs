//! The PDF as an archival record: PDF/A-3b (checked with pikepdf by `pdfa_check.py`), the
//! DPIA's data embedded as associated files and read back byte for byte — before and after
//! signing — and hostile embedded files refused with a coded error, never a panic.

mod common;
#[path = "common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::Day;
use konsekvens_pdf::{attachments, render_with, sign, ArchiveError, Attachment, ReportOptions, SignMeta};
use lopdf::{dictionary, Object, Stream};
use std::io::Write;

fn files() -> Vec<Attachment> {
    vec![
        Attachment { name: "konsekvensanalyse.json".into(), mime: "application/json".into(), description: "Data".into(), bytes: b"{\"format\": \"x\", \"\xc3\xa6\": 1}\n".to_vec() },
        Attachment { name: "kontrolrapport.json".into(), mime: "application/json".into(), description: "Kontrol".into(), bytes: vec![b'7'; 100_000] },
    ]
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn rendered() -> Vec<u8> {
    render_with(&common::kbh(), &ReportOptions::new(Day::ymd(2026, 12, 1)), &files()).unwrap()
}

#[test]
fn embedded_files_come_back_byte_for_byte_before_and_after_signing() {
    let pdf = rendered();
    assert_eq!(attachments(&pdf).unwrap(), files());
    let Some(k) = verifiers::keys() else { return };
    let signed = sign(&pdf, &k.read("rsa.p12"), verifiers::PASSWORD, &SignMeta::at(now())).unwrap();
    assert_eq!(attachments(&signed).unwrap(), files());
}

#[test]
fn the_pdf_is_pdf_a_3b_before_and_after_signing() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = rendered();
    let path = dir.path().join("kbh.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Some((ok, out)) = verifiers::pdfa_check(&path, false) {
        assert!(ok, "{out}");
    }
    let Some(k) = verifiers::keys() else { return };
    let signed = sign(&pdf, &k.read("ec.p12"), verifiers::PASSWORD, &SignMeta::at(now())).unwrap();
    let path = dir.path().join("kbh-signed.pdf");
    std::fs::write(&path, &signed).unwrap();
    if let Some((ok, out)) = verifiers::pdfa_check(&path, false) {
        assert!(ok, "after signing: {out}");
    }
}

#[test]
fn a_pdf_without_embedded_files_has_none() {
    let pdf = render_with(&common::fixture(), &ReportOptions::new(Day::ymd(2026, 12, 1)), &[]).unwrap();
    assert_eq!(attachments(&pdf).unwrap(), vec![]);
}

/// A minimal PDF whose EmbeddedFiles name tree is `tree`, with `extra` objects.
fn with_tree(build: impl FnOnce(&mut lopdf::Document) -> Object) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] });
    doc.objects.insert(pages, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }));
    let tree = build(&mut doc);
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages, "Names" => dictionary! { "EmbeddedFiles" => tree } });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn spec(doc: &mut lopdf::Document, stream: Stream) -> Object {
    let s = doc.add_object(stream);
    Object::Reference(doc.add_object(dictionary! { "Type" => "Filespec", "F" => Object::string_literal("x.json"), "EF" => dictionary! { "F" => s } }))
}

#[test]
fn an_embedded_file_that_inflates_past_the_limit_is_refused() {
    // 65 MiB of zeros deflate to about 65 KiB: read uncapped, a small file would take 65 MiB
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..65 {
        z.write_all(&chunk).unwrap();
    }
    let deflated = z.finish().unwrap();
    let pdf = with_tree(|doc| {
        let stream = Stream::new(dictionary! { "Type" => "EmbeddedFile", "Filter" => "FlateDecode" }, deflated).with_compression(false);
        let s = spec(doc, stream);
        dictionary! { "Names" => vec![Object::string_literal("x.json"), s] }.into()
    });
    let e = attachments(&pdf).unwrap_err();
    assert!(matches!(e, ArchiveError::TooLarge { .. }), "{e:?}");
    assert_eq!(e.code(), "K-PDF-BILAG-FOR-STORT");
    assert!(e.danish().contains("x.json"), "{}", e.danish());
}

#[test]
fn a_name_tree_that_loops_or_a_broken_file_gets_a_coded_error() {
    // a node whose kid is itself: the depth limit ends it
    let looped = with_tree(|doc| {
        let id = doc.new_object_id();
        doc.objects.insert(id, Object::Dictionary(dictionary! { "Kids" => vec![Object::Reference(id)] }));
        Object::Reference(id)
    });
    assert_eq!(attachments(&looped).unwrap_err().code(), "K-PDF-BILAG-FOR-MANGE");
    // a file compressed with a filter we do not read, and one that is not valid deflate
    for (filter, content) in [("LZWDecode", b"abc".to_vec()), ("FlateDecode", b"not deflate".to_vec())] {
        let pdf = with_tree(|doc| {
            let s = spec(doc, Stream::new(dictionary! { "Filter" => filter }, content).with_compression(false));
            dictionary! { "Names" => vec![Object::string_literal("x.json"), s] }.into()
        });
        let e = attachments(&pdf).unwrap_err();
        assert_eq!(e.code(), "K-PDF-BILAG-ULAESELIGT", "{filter}: {e:?}");
    }
    assert_eq!(attachments(b"GIF89a").unwrap_err().code(), "K-PDF-IKKE-PDF");
    assert_eq!(attachments(b"%PDF-1.7\n garbage").unwrap_err().code(), "K-PDF-SKADET");
}
