//! Signing and verification: keys made with openssl at test time (never committed);
//! independent checks with pdfsig (poppler-utils + certutil) and pyHanko when present.
//! Under CI (env CI set) a missing tool fails the test; otherwise it is skipped with a message.

mod common;
#[path = "common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::Day;
use konsekvens_pdf::{render, sign, verify, ReportOptions, SignError, SignMeta, VerifyError};
use std::path::Path;
use std::sync::OnceLock;
use verifiers::{keys, pdfsig, pyhanko, PASSWORD};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn meta() -> SignMeta {
    SignMeta { reason: Some("Godkendt for København".into()), location: Some("København".into()), ..SignMeta::at(now()) }
}

fn pdf() -> &'static [u8] {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| render(&common::kbh(), &ReportOptions::new(Day::ymd(2024, 5, 2))).unwrap())
}

#[test]
fn rsa_and_ecdsa_with_aes_and_legacy_p12_verify_here_and_in_pdfsig() {
    let Some(k) = keys() else { return };
    let ca = k.read("ca.pem");
    for p12 in ["rsa.p12", "rsa-legacy.p12", "ec.p12", "ec-legacy.p12"] {
        let signed = sign(pdf(), &k.read(p12), PASSWORD, &meta()).unwrap_or_else(|e| panic!("{p12}: {e}"));
        assert!(signed.starts_with(pdf()), "incremental: the original bytes are kept");
        let report = verify(&signed, std::slice::from_ref(&ca)).unwrap();
        assert!(report.ok(), "{p12}: {report:#?}");
        let s = &report.signatures[0];
        assert!(s.signer == "Søren Ågård Østergaard" || s.signer == "Åse Bøgh", "{}", s.signer);
        assert_eq!(s.trusted, Some(true));
        let file = k.path(&format!("signed-{p12}.pdf"));
        std::fs::write(&file, &signed).unwrap();
        if let Some(out) = pdfsig(k, &file) {
            assert!(out.contains("Signature is Valid"), "{p12}: {out}");
            assert!(out.contains("Certificate is Trusted"), "{p12}: {out}");
            assert!(out.contains("Total document signed"), "{p12}: {out}");
            assert!(out.contains("ETSI.CAdES.detached"), "{p12}: {out}");
        }
        if p12 == "rsa.p12" || p12 == "ec.p12" {
            if let Some((ok, out)) = pyhanko(k, &file) {
                assert!(ok && out.contains("judged VALID") && out.contains("is trusted") && out.contains("covers the entire file"), "{p12}: {out}");
            }
        }
        if let Ok(dir) = std::env::var("KONSEKVENS_SIGNED_OUT") {
            std::fs::write(Path::new(&dir).join(format!("signed-{p12}.pdf")), &signed).unwrap();
        }
    }
}

#[test]
fn bytes_like_the_byte_range_placeholder_earlier_in_the_file_are_left_alone() {
    // the placeholder our update writes, already in the input (a comment after %%EOF): only
    // our own /ByteRange may be filled in, or the signature covers the wrong bytes
    let Some(k) = keys() else { return };
    let mut crafted = pdf().to_vec();
    crafted.extend_from_slice(b"%[0 0000000000 0000000000 0000000000]/Contents \n");
    let signed = sign(&crafted, &k.read("rsa.p12"), PASSWORD, &meta()).unwrap();
    assert!(signed.starts_with(&crafted), "the input's bytes are kept as they were");
    let report = verify(&signed, &[k.read("ca.pem")]).unwrap();
    assert!(report.ok(), "{report:#?}");
}

#[test]
fn a_second_signature_keeps_the_first_valid() {
    let Some(k) = keys() else { return };
    let ca = k.read("ca.pem");
    let once = sign(pdf(), &k.read("rsa.p12"), PASSWORD, &meta()).unwrap();
    let twice = sign(&once, &k.read("ec.p12"), PASSWORD, &meta()).unwrap();
    let report = verify(&twice, &[ca]).unwrap();
    assert_eq!(report.signatures.len(), 2);
    assert!(report.ok(), "{report:#?}");
    let first = report.signatures[0].appended.as_ref().expect("the second signature follows the first");
    assert!(first.signed_by_later);
    let file = k.path("twice.pdf");
    std::fs::write(&file, &twice).unwrap();
    if let Some(out) = pdfsig(k, &file) {
        assert_eq!(out.matches("Signature is Valid").count(), 2, "{out}");
    }
    if let Some((ok, out)) = pyhanko(k, &file) {
        assert!(ok && out.matches("judged VALID").count() == 2, "{out}");
    }
}

#[test]
fn tampering_inside_the_signed_range_is_detected() {
    let Some(k) = keys() else { return };
    let mut signed = sign(pdf(), &k.read("rsa.p12"), PASSWORD, &meta()).unwrap();
    // change a byte in the first page's object stream region (inside the signed range)
    let at = signed.len() / 3;
    signed[at] ^= 0x01;
    match verify(&signed, &[k.read("ca.pem")]) {
        Ok(r) => {
            assert!(!r.ok());
            assert!(!r.signatures[0].intact, "{r:#?}");
        }
        Err(VerifyError::Damaged(_)) => {}
        Err(e) => panic!("{e}"),
    }
    let file = k.path("tampered.pdf");
    std::fs::write(&file, &signed).unwrap();
    if let Some(out) = pdfsig(k, &file) {
        assert!(!out.contains("Signature is Valid"), "{out}");
    }
    if let Some((ok, out)) = pyhanko(k, &file) {
        assert!(!ok && !out.contains("judged VALID"), "{out}");
    }
}

#[test]
fn an_unsigned_incremental_update_after_signing_is_reported() {
    let Some(k) = keys() else { return };
    let signed = sign(pdf(), &k.read("rsa.p12"), PASSWORD, &meta()).unwrap();
    // append an update that redefines the document info (a plausible silent change)
    let doc = lopdf::Document::load_mem(&signed).unwrap();
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    let prev = signed.windows(9).rposition(|w| w == b"startxref").unwrap();
    let prev_xref: usize = String::from_utf8_lossy(&signed[prev + 9..]).split_whitespace().next().unwrap().parse().unwrap();
    let mut t = signed.clone();
    let off = t.len();
    t.extend_from_slice(format!("{} 0 obj\n<</Title (Forfalsket)>>\nendobj\n", info.0).as_bytes());
    let xref = t.len();
    t.extend_from_slice(format!("xref\n{} 1\n{off:010} 00000 n\r\ntrailer\n<</Size {} /Root {} 0 R /Info {} 0 R /Prev {prev_xref}>>\nstartxref\n{xref}\n%%EOF\n", info.0, doc.max_id + 1, root.0, info.0).as_bytes());
    let r = verify(&t, &[k.read("ca.pem")]).unwrap();
    assert!(!r.ok());
    assert!(r.signatures[0].intact, "the signed bytes themselves are intact");
    assert!(r.unsigned_tail > 0);
    let a = r.signatures[0].appended.as_ref().unwrap();
    assert!(!a.signed_by_later);
    assert_eq!(a.objects.len(), 1, "{a:?}");
    let file = k.path("appended.pdf");
    std::fs::write(&file, &t).unwrap();
    if let Some(out) = pdfsig(k, &file) {
        assert!(!out.contains("Total document signed"), "{out}");
    }
    if let Some((_ok, out)) = pyhanko(k, &file) {
        assert!(!out.contains("covers the entire file"), "{out}");
    }
}

#[test]
fn clear_errors_and_input_untouched() {
    let Some(k) = keys() else { return };
    let input = pdf().to_vec();
    assert!(matches!(sign(&input, &k.read("rsa.p12"), "forkert", &meta()), Err(SignError::WrongPassword)));
    assert!(matches!(sign(&input, &k.read("rsa-legacy.p12"), "forkert", &meta()), Err(SignError::WrongPassword)));
    assert!(matches!(sign(&input, &k.read("nokey.p12"), PASSWORD, &meta()), Err(SignError::NoKey)));
    assert!(matches!(sign(&input, &k.read("expired.p12"), PASSWORD, &meta()), Err(SignError::Expired(_))));
    assert!(matches!(sign(&input, &k.read("expired-legacy.p12"), PASSWORD, &meta()), Err(SignError::Expired(_))));
    assert!(matches!(sign(b"hello", &k.read("rsa.p12"), PASSWORD, &meta()), Err(SignError::NotPdf)));
    assert!(matches!(verify(b"hello", &[]), Err(VerifyError::NotPdf)));
    assert!(matches!(verify(&input, &[]), Err(VerifyError::NoSignatures)));
    assert_eq!(input, pdf());
    // messages are plain
    assert_eq!(SignError::WrongPassword.to_string(), "wrong password for the .p12 file (or the file is damaged)");
}

#[test]
fn untrusted_without_the_anchor() {
    let Some(k) = keys() else { return };
    let signed = sign(pdf(), &k.read("ec.p12"), PASSWORD, &meta()).unwrap();
    let r = verify(&signed, &[]).unwrap();
    assert!(r.ok(), "intact and nothing appended; no anchors given");
    assert_eq!(r.signatures[0].trusted, None);
    let other = k.read("rsa.pem"); // not a CA of this chain
    let r = verify(&signed, &[other]).unwrap();
    assert_eq!(r.signatures[0].trusted, Some(false));
    assert!(!r.ok());
}
