mod common;

use konsekvens_core::model::Day;
use konsekvens_pdf::{render, FindingLine, Lang, ReportOptions};
use std::process::Command;

fn opts() -> ReportOptions {
    let mut o = ReportOptions::new(Day::ymd(2024, 5, 2));
    o.findings = Some(vec![FindingLine { code: "K12".into(), severity: "advarsel".into(), message: "Risiko R7 har ingen foranstaltning i København.".into() }]);
    o
}

/// Tools from poppler-utils / qpdf: required under CI, skipped with a message otherwise.
pub fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok() || Command::new(name).arg("--version").output().is_ok();
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("{name} is required under CI (install poppler-utils / qpdf)");
        }
        eprintln!("SKIP: {name} not installed");
    }
    ok
}

#[test]
fn renders_kbh_and_the_text_comes_back_with_danish_letters() {
    let d = common::kbh();
    let pdf = render(&d, &opts()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kbh.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(out) = std::env::var("KONSEKVENS_PDF_OUT") {
        std::fs::write(out, &pdf).unwrap();
    }
    if tool("pdftotext") {
        let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for needle in ["København", "Nødvendighed og proportionalitet", "Sårbare", "Side 1 af", "Indhold", "ødelæggende", "Underskrifter", "Søren Ågård Østergaard", "Bilag A"] {
            assert!(text.contains(needle), "missing {needle:?} in text");
        }
        let pages = text.matches('\u{c}').count();
        assert!(text.contains(&format!("Side {pages} af {pages}")), "last page footer");
    }
    if tool("qpdf") {
        let out = Command::new("qpdf").arg("--check").arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
    if tool("pdffonts") {
        let out = Command::new("pdffonts").arg(&path).output().unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        for line in s.lines().skip(2) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // name type encoding emb sub uni ...
            assert!(line.contains("yes yes yes") || cols.len() < 5, "font not embedded+subset+unicode: {line}");
        }
        assert!(s.contains("LiberationSans"), "{s}");
    }
}

#[test]
fn english_and_base_render_too() {
    let d = common::kbh();
    let mut o = opts();
    o.lang = Lang::En;
    let en = render(&d, &o).unwrap();
    let mut o = opts();
    o.is_base = true;
    o.findings = None;
    let base = render(&d, &o).unwrap();
    let dir = tempfile::tempdir().unwrap();
    if tool("pdftotext") {
        for (name, pdf, want, not) in [("en.pdf", &en, "Page 1 of", "Side 1 af"), ("base.pdf", &base, "Fælles basis", "Kommunens lokale tillæg")] {
            let p = dir.path().join(name);
            std::fs::write(&p, pdf).unwrap();
            let out = Command::new("pdftotext").arg(&p).arg("-").output().unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(text.contains(want), "{name}: {want}");
            assert!(!text.contains(not), "{name}: {not}");
        }
    }
}

#[test]
fn same_input_same_bytes_apart_from_resource_names() {
    let d = common::kbh();
    // printpdf names font resources randomly; the laid-out content must still be identical.
    let a = render(&d, &opts()).unwrap();
    let b = render(&d, &opts()).unwrap();
    let pages = |pdf: &[u8]| lopdf::Document::load_mem(pdf).unwrap().get_pages().len();
    assert_eq!(pages(&a), pages(&b));
    assert!((a.len() as i64 - b.len() as i64).abs() < 64);
}
