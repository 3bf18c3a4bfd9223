//! PAdES B-LT and B-LTA against a PKI on loopback (`common/pki.rs`: root → intermediate →
//! signer with a short validity, `openssl ocsp` and a CRL for the statuses, `openssl ts` as
//! TSA): the validation data lands in the DSS, a document timestamp covers it, and the
//! signature still verifies — here and in pyHanko — when the clock is set past the signer's
//! expiry; revocation services that misbehave each get a coded error and no file.

mod common;
#[path = "common/pki.rs"]
mod pki;
#[path = "common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::Day;
use konsekvens_pdf::{add_document_timestamp, add_validation_data, render, sign_timestamped, verify_at, Fetch, LtvError, ReportOptions, SignMeta, Tsa};
use pki::{iso, now, Lab};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;
use verifiers::{command, have, PASSWORD};

fn pdf() -> &'static [u8] {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| render(&common::kbh(), &ReportOptions::new(Day::ymd(2024, 5, 2))).unwrap())
}

fn fetch() -> Fetch {
    Fetch { timeout: Duration::from_secs(3) }
}

fn b_t(lab: &Lab, p12: &str) -> Vec<u8> {
    let meta = SignMeta { reason: Some("Godkendt for København".into()), ..SignMeta::at(now()) };
    sign_timestamped(pdf(), &lab.read(p12), PASSWORD, &meta, &Tsa { url: lab.tsa_url(), timeout: Duration::from_secs(5) }).unwrap()
}

fn anchors(lab: &Lab) -> Vec<Vec<u8>> {
    vec![lab.read("root.pem"), lab.read("tsaroot.pem")]
}

/// `pyhanko sign adesverify` (AdES validation with the DSS and the document timestamps, as
/// ETSI EN 319 102-1 describes) at `at`, trusting both roots: (exit success, its report).
fn pyhanko_ades(lab: &Lab, file: &Path, at: i64) -> Option<(bool, String)> {
    if !have("pyhanko", &["--version"]) {
        return None;
    }
    let out = command("pyhanko")
        .args(["sign", "adesverify", "--pretty-print", "--validation-time", &iso(at), "--trust"])
        .arg(lab.path("root.pem"))
        .arg("--trust")
        .arg(lab.path("tsaroot.pem"))
        .arg(file)
        .output()
        .unwrap();
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)))
}

/// `pyhanko sign validate --retroactive-revinfo` now, trusting both roots.
fn pyhanko_validate(lab: &Lab, file: &Path) -> Option<(bool, String)> {
    if !have("pyhanko", &["--version"]) {
        return None;
    }
    let out = command("pyhanko")
        .args(["sign", "validate", "--pretty-print", "--retroactive-revinfo", "--trust"])
        .arg(lab.path("root.pem"))
        .arg("--trust")
        .arg(lab.path("tsaroot.pem"))
        .arg(file)
        .output()
        .unwrap();
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn a_b_lta_signature_outlives_its_certificate_here_and_in_pyhanko() {
    // the signer's certificate expires in an hour; the TSA's in two years
    let Some(lab) = Lab::new(1, 730) else { return };
    let bt = b_t(&lab, "signer.p12");
    let lt = add_validation_data(&bt, &fetch()).unwrap();
    assert!(lt.starts_with(&bt), "an incremental update");
    let lta = add_document_timestamp(&lt, &Tsa { url: lab.tsa_url(), timeout: Duration::from_secs(5) }).unwrap();
    assert!(lta.starts_with(&lt));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b-lta.pdf");
    std::fs::write(&file, &lta).unwrap();
    // pyHanko's plain validation is not LTV-aware: it fetches revocation data online (here,
    // from the loopback responders) and ignores the DSS; it must judge the file VALID now
    if let Some((ok, out)) = pyhanko_validate(&lab, &file) {
        assert!(ok && out.contains("judged VALID"), "pyHanko validate: {out}");
    }
    lab.offline(); // from here on only what the files hold counts
    let hits = lab.hits.load(std::sync::atomic::Ordering::SeqCst);

    let anchors = anchors(&lab);
    let after_expiry = lab.signer_expires + 86_400;
    // now: each at its level, all holding
    for (file, level) in [(&bt, "PAdES B-T"), (&lt, "PAdES B-LT"), (&lta, "PAdES B-LTA")] {
        let r = verify_at(file, &anchors, now()).unwrap();
        assert!(r.ok(), "{level}: {r:#?}");
        assert_eq!(r.signatures[0].level(), Some(level), "{:#?}", r.signatures[0]);
    }
    let r = verify_at(&lt, &anchors, now()).unwrap();
    let s = &r.signatures[0];
    let sources: Vec<_> = s.revocation.iter().map(|c| (c.subject.as_str(), c.source)).collect();
    // signer and TSA by OCSP, the intermediate by the root's CRL
    assert!(sources.iter().any(|(sub, src)| sub.contains("Dorthe Databeskyttelse") && *src == Some("OCSP")), "{sources:?}");
    assert!(sources.iter().any(|(sub, src)| sub.contains("Mellem-CA") && *src == Some("CRL")), "{sources:?}");
    assert!(sources.iter().any(|(sub, src)| sub.contains("Konsekvens LT Test TSA") && *src == Some("OCSP")), "{sources:?}");
    assert!(s.revocation.iter().all(|c| c.revoked_at.is_none()));

    // a day after the signer's certificate expired: B-T alone no longer holds, B-LT and
    // B-LTA do (the timestamp proves the signature existed while the certificate was valid)
    let r = verify_at(&bt, &anchors, after_expiry).unwrap();
    assert!(!r.ok(), "B-T after expiry: {r:#?}");
    assert_eq!(r.signatures[0].cert_valid_at_validation, Some(false));
    assert!(r.signatures[0].long_term_problem.as_ref().unwrap().1.contains("udløbet"), "{r:#?}");
    for (file, level) in [(&lt, "PAdES B-LT"), (&lta, "PAdES B-LTA")] {
        let r = verify_at(file, &anchors, after_expiry).unwrap();
        assert!(r.ok(), "{level} after expiry: {r:#?}");
        assert_eq!(r.signatures[0].level(), Some(level));
        assert_eq!(r.signatures[0].cert_valid_at_validation, Some(false));
        assert_eq!(r.signatures[0].cert_valid_at_time, Some(true), "valid at the timestamp's time");
    }
    let r = verify_at(&lta, &anchors, after_expiry).unwrap();
    assert_eq!(r.document_timestamps.len(), 1);
    assert!(r.document_timestamps[0].valid() && r.document_timestamps[0].trusted == Some(true), "{r:#?}");

    if let Some((ok, out)) = pyhanko_ades(&lab, &file, after_expiry) {
        assert!(ok, "pyHanko adesverify after expiry: {out}");
        eprintln!("pyHanko adesverify at {}:\n{out}", iso(after_expiry));
        assert!(out.contains("judged VALID"), "{out}");
    }
    // B-T after expiry in pyHanko: no validation data, so it cannot pass
    let bt_file = dir.path().join("b-t.pdf");
    std::fs::write(&bt_file, &bt).unwrap();
    if let Some((ok, out)) = pyhanko_ades(&lab, &bt_file, after_expiry) {
        assert!(!ok, "pyHanko should not accept B-T after expiry: {out}");
    }
    assert_eq!(lab.hits.load(std::sync::atomic::Ordering::SeqCst), hits, "nobody fetched anything online");
    // qpdf and the PDF/A checks still pass
    if have("qpdf", &["--version"]) {
        let out = command("qpdf").arg("--check").arg(&file).output().unwrap();
        assert!(out.status.success(), "qpdf {:?}: {}{}", out.status.code(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    if let Some((ok, out)) = verifiers::pdfa_check(&file, false) {
        assert!(ok, "{out}");
    }
    if have("pdfsig", &["-v"]) {
        let out = command("pdfsig").arg(&file).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        // pdfsig (poppler 22) reads both; it verifies the signature but not a document
        // timestamp ("Signature Type: unknown", "not yet been verified")
        assert!(text.contains("Signature #1") && text.contains("Signature is Valid"), "{text}");
        assert!(text.contains("Signature #2") && text.contains("Tidsstempel 2") && text.contains("Total document signed"), "pdfsig sees the document timestamp: {text}");
    }
}

#[test]
fn a_document_timestamp_by_a_later_tsa_carries_the_signature_past_both_expiries() {
    // the signer's certificate: an hour; the first TSA's: a day. The document timestamp comes
    // from a second lab's TSA whose certificate lasts two years.
    let Some(short) = Lab::new(1, 1) else { return };
    let long = Lab::new(1, 730).unwrap();
    let lt = add_validation_data(&b_t(&short, "signer.p12"), &fetch()).unwrap();
    let lta = add_document_timestamp(&lt, &Tsa { url: long.tsa_url(), timeout: Duration::from_secs(5) }).unwrap();
    let anchors = vec![short.read("root.pem"), short.read("tsaroot.pem"), long.read("tsaroot.pem")];
    let past_both = short.tsa_expires + 86_400;
    let r = verify_at(&lt, &anchors, past_both).unwrap();
    assert!(!r.ok(), "B-LT with an expired TSA: {r:#?}");
    assert!(r.signatures[0].long_term_problem.as_ref().unwrap().0.contains("document timestamp"), "{r:#?}");
    let r = verify_at(&lta, &anchors, past_both).unwrap();
    assert!(r.ok(), "B-LTA: {r:#?}");
    assert_eq!(r.signatures[0].level(), Some("PAdES B-LTA"));
    // and not once the later TSA's certificate has expired too
    let r = verify_at(&lta, &anchors, long.tsa_expires + 86_400).unwrap();
    assert!(!r.ok());
    // a byte changed in the DSS: the document timestamp no longer matches
    let mut changed = lta.clone();
    let at = changed.windows(4).rposition(|w| w == b"/DSS").unwrap();
    changed[at + 1] = b'd';
    let r = verify_at(&changed, &anchors, now()).unwrap();
    assert!(!r.ok() && !r.document_timestamps[0].valid(), "{r:#?}");
}

fn refused(lab: &Lab, p12: &str) -> LtvError {
    let bt = b_t(lab, p12);
    add_validation_data(&bt, &fetch()).expect_err("no B-LT file")
}

#[test]
fn revocation_services_that_misbehave_get_a_coded_error_and_no_file() {
    let Some(lab) = Lab::new(1, 730) else { return };
    let e = refused(&lab, "garbage.p12");
    assert_eq!(e.code(), "K-LTV-UGYLDIGT-SVAR", "{e:?}");
    assert!(e.danish().contains("er ikke gyldige spærreoplysninger"), "{}", e.danish());
    let e = refused(&lab, "huge.p12");
    assert_eq!(e.code(), "K-LTV-FOR-STORT", "{e:?}");
    let e = refused(&lab, "foreign.p12");
    assert_eq!(e.code(), "K-LTV-UGYLDIGT-SVAR", "{e:?}");
    assert!(e.to_string().contains("not signed by the certificate's issuer"), "{e}");
    let e = refused(&lab, "revoked.p12");
    assert_eq!(e.code(), "K-LTV-SPAERRET", "{e:?}");
    assert!(e.danish().contains("Spærret Underskriver"), "{}", e.danish());
    let e = refused(&lab, "nosource.p12");
    assert_eq!(e.code(), "K-LTV-INGEN-KILDE", "{e:?}");
    let started = std::time::Instant::now();
    let e = refused(&lab, "hang.p12");
    assert_eq!(e.code(), "K-LTV-UTILGAENGELIG", "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "the timeout holds: {:?}", started.elapsed());
    // an unsigned PDF has nothing to add data for
    assert_eq!(add_validation_data(pdf(), &fetch()).unwrap_err().code(), "K-LTV-INGEN-SIGNATUR");
}
