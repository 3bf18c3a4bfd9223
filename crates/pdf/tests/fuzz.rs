//! Fuzz harnesses (stable Rust, proptest) for what `verify` and `sign` read: a real signed
//! PDF with crafted /ByteRange arrays, bytes mutated in and around /ByteRange and /Contents
//! and anywhere, truncations; and .p12 files mutated or random. Each case asserts "no
//! panic, and Ok or a clean error". Bounded case counts for CI;
//! `PROPTEST_CASES=20000 cargo test -p konsekvens-pdf --test fuzz` runs longer. What they
//! found is recorded in the crate README ("Hostile files").

mod common;
#[path = "common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::Day;
use konsekvens_pdf::{render, sign, verify, ReportOptions, SignMeta, SignatureProblem};
use proptest::prelude::*;
use std::sync::OnceLock;
use verifiers::{keys, PASSWORD};

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Now: the test certificates are made at test time, valid from now.
fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The fixture's PDF signed once with the test RSA key, and the CA; `None` without openssl.
fn signed() -> Option<&'static (Vec<u8>, Vec<u8>)> {
    static S: OnceLock<Option<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    S.get_or_init(|| {
        let k = keys()?;
        let pdf = render(&common::fixture(), &ReportOptions::new(Day::ymd(2026, 5, 2))).unwrap();
        let signed = sign(&pdf, &k.read("rsa.p12"), PASSWORD, &SignMeta::at(now())).unwrap();
        Some((signed, k.read("ca.pem")))
    })
    .as_ref()
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).rposition(|w| w == needle).expect("present")
}

/// Verifies, asserting the outcome is a report or a clean error.
fn verify_cleanly(pdf: &[u8], ca: &[u8]) -> Option<konsekvens_pdf::VerifyReport> {
    match verify(pdf, &[ca.to_vec()]) {
        Ok(r) => {
            for s in &r.signatures {
                let _ = s.claimed_time_utc();
                if let Some(p) = &s.problem {
                    assert!(!p.danish().is_empty());
                }
            }
            Some(r)
        }
        Err(e) => {
            assert!(!e.danish().is_empty());
            None
        }
    }
}

/// A /ByteRange entry: plausible, at the file's edges, overflowing, negative, not a number.
fn entry(len: usize) -> impl Strategy<Value = String> {
    let len = len as i64;
    prop_oneof![
        (0..len).prop_map(|n| n.to_string()),
        prop::sample::select(vec![0, 1, len - 1, len, len + 1, -1, i64::MIN, i64::MAX, i64::MAX / 2 + 1, u32::MAX as i64]).prop_map(|n| n.to_string()),
        Just("1.5".to_owned()),
        Just("/Name".to_owned()),
        Just("(0)".to_owned()),
        Just("99999999999999999999999".to_owned()),
        Just("1 0 R".to_owned()),
    ]
}

#[test]
fn crafted_byte_ranges_each_get_a_named_problem() {
    let Some((pdf, ca)) = signed() else { return };
    let len = pdf.len() as i64;
    let at = find(pdf, b"/ByteRange [");
    let width = pdf[at..].windows(9).position(|w| w == b"/Contents").unwrap(); // the padded slot
    let craft = |br: &str| {
        let mut out = pdf.clone();
        let text = format!("/ByteRange {br}");
        assert!(text.len() <= width, "{text}");
        out[at..at + width].copy_from_slice(format!("{text:<width$}").as_bytes());
        out
    };
    type Case = (String, fn(&SignatureProblem) -> bool);
    let cases: Vec<Case> = vec![
        (format!("[0 -5 10 {len}]"), |p| matches!(p, SignatureProblem::ByteRangeMalformed(_))),
        (format!("[0 10 {} {}]", len, 5), |p| matches!(p, SignatureProblem::ByteRangeOutside)),
        (format!("[0 1 2 {}]", i64::MAX), |p| matches!(p, SignatureProblem::ByteRangeOutside)), // c + l overflows an i64
        ("[0 10 20]".to_owned(), |p| matches!(p, SignatureProblem::ByteRangeMalformed(_))),
        ("[0 1.5 20 30]".to_owned(), |p| matches!(p, SignatureProblem::ByteRangeMalformed(_))),
        ("[0 10 5 30]".to_owned(), |p| matches!(p, SignatureProblem::ByteRange)),
        ("[0 10 11 30]".to_owned(), |p| matches!(p, SignatureProblem::Gap)),
        (format!("[0 {} {} 0]", len - 2, len), |p| matches!(p, SignatureProblem::Gap | SignatureProblem::NotHex | SignatureProblem::NotCms(_))),
    ];
    for (br, expected) in cases {
        let report = verify(&craft(&br), std::slice::from_ref(ca)).unwrap_or_else(|e| panic!("{br}: {e}"));
        assert!(!report.ok(), "{br}");
        let problem = report.signatures[0].problem.as_ref().unwrap_or_else(|| panic!("{br}: no problem"));
        assert!(expected(problem), "{br}: {problem:?}");
    }
    let outside = verify(&craft(&format!("[0 10 {len} 5]")), std::slice::from_ref(ca)).unwrap();
    assert!(outside.signatures[0].problem.as_ref().unwrap().danish().contains("peger uden for filen"));
}

proptest! {
    #![proptest_config(config(400))]

    /// /ByteRange arrays of any length with any entries, written over the real one.
    #[test]
    fn verify_survives_any_byte_range(entries in prop::collection::vec(entry(200_000), 0..6)) {
        let Some((pdf, ca)) = signed() else { return Ok(()) };
        let at = find(pdf, b"/ByteRange [");
        let width = pdf[at..].windows(9).position(|w| w == b"/Contents").unwrap(); // the padded slot
        let text = format!("/ByteRange [{}]", entries.join(" "));
        let mut out = pdf.clone();
        if text.len() <= width {
            out[at..at + width].copy_from_slice(format!("{text:<width$}").as_bytes());
        } else {
            out.splice(at..at + width, text.bytes()); // shifts the rest: the xref no longer fits
        }
        if let Some(r) = verify_cleanly(&out, ca) {
            prop_assert!(!r.ok() || out == *pdf);
        }
    }

    /// Bytes changed in and around /ByteRange and /Contents (the hex signature value).
    #[test]
    fn verify_survives_mutations_near_the_signature(edits in prop::collection::vec((0..40_000usize, any::<u8>(), 0..4u8), 1..8)) {
        let Some((pdf, ca)) = signed() else { return Ok(()) };
        let start = find(pdf, b"/ByteRange [").saturating_sub(200);
        let mut out = pdf.clone();
        for (offset, byte, how) in edits {
            let i = (start + offset).min(out.len() - 1);
            match how {
                0 => out[i] = byte,
                1 => out[i] = b"0123456789ABCDEF<>[] -/"[byte as usize % 23],
                2 => { out.remove(i); }
                _ => out.insert(i, byte),
            }
        }
        verify_cleanly(&out, ca);
    }

    /// Anywhere in the file, and truncated.
    #[test]
    fn verify_survives_mutations_anywhere(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6), cut in prop::option::of(any::<usize>())) {
        let Some((pdf, ca)) = signed() else { return Ok(()) };
        let mut out = pdf.clone();
        for (i, b) in edits {
            let n = out.len();
            out[i % n] = b;
        }
        if let Some(c) = cut {
            out.truncate(c % out.len());
        }
        verify_cleanly(&out, ca);
        // signing a damaged file: a signed file or a clean error
        if let Some(k) = keys() {
            if let Err(e) = sign(&out, &k.read("ec.p12"), PASSWORD, &SignMeta::at(now())) {
                prop_assert!(!e.danish().is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// .p12 files: the real ones with bytes changed, and random bytes; the right and a
    /// wrong password.
    #[test]
    fn p12_loading_survives_mutations(which in 0..2usize, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4), random in prop::collection::vec(any::<u8>(), 0..600), use_random in any::<bool>(), right_password in any::<bool>()) {
        let Some(k) = keys() else { return Ok(()) };
        let p12 = if use_random {
            random
        } else {
            let mut p12 = k.read(["rsa.p12", "ec-legacy.p12"][which]);
            for (i, b) in edits {
                let n = p12.len();
                p12[i % n] ^= b.max(1);
            }
            p12
        };
        let password = if right_password { PASSWORD } else { "forkert" };
        match sign(b"%PDF-1.7\n", &p12, password, &SignMeta::at(now())) {
            Ok(_) => prop_assert!(false, "a 9-byte PDF cannot be signed"),
            Err(e) => prop_assert!(!e.danish().is_empty()),
        }
    }
}

#[test]
fn a_wrong_password_and_garbage_p12_are_clean_danish_errors() {
    let Some(k) = keys() else { return };
    let pdf = b"%PDF-1.7\n";
    let e = sign(pdf, &k.read("rsa.p12"), "forkert", &SignMeta::at(now())).unwrap_err();
    assert!(e.danish().contains("forkert adgangskode"), "{}", e.danish());
    let e = sign(pdf, b"ikke en p12-fil", PASSWORD, &SignMeta::at(now())).unwrap_err();
    assert!(e.danish().starts_with(".p12-filen kan ikke læses"), "{}", e.danish());
}
