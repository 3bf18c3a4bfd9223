//! Prints the time to assemble, render, sign and verify København's DPIA from the bundled
//! sample — what `konsekvens export pdf --org 101` and `konsekvens sign` do.
//! `cargo bench -p konsekvens-pdf` (openssl on PATH makes the throwaway keys).

#[path = "../tests/common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::{Day, OrgCode};
use konsekvens_core::{FixedEnv, Workspace};
use konsekvens_pdf::{document_for, render, sign, verify, Lang, SignMeta};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs `f` `n` times after one warm-up run; returns the mean time and the last result.
fn mean<T>(n: u32, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = f();
    let t = Instant::now();
    for _ in 0..n {
        out = f();
    }
    (t.elapsed() / n, out)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::create_demo(&dir.path().join("aula.konsekvens"), Arc::new(FixedEnv::new(1_750_000_000_000, 1))).unwrap();
    let today = Day::ymd(2025, 6, 10);
    let n = 10;

    let (assemble, (dpia, opts)) = mean(n, || document_for(&ws, Some(OrgCode(101)), Lang::Da, today).unwrap());
    println!("assemble København (effective DPIA + check + supplement log): {assemble:?}");
    let (per, pdf) = mean(n, || render(&dpia, &opts).unwrap());
    let pages = lopdf::Document::load_mem(&pdf).map(|x| x.get_pages().len()).unwrap_or(0);
    println!("render København: {per:?} per document ({pages} pages, {} KiB)", pdf.len() / 1024);

    let Some(keys) = verifiers::keys() else {
        println!("sign/verify: skipped (openssl is not installed)");
        return;
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    for (name, p12) in [("RSA 2048", "rsa.p12"), ("RSA 2048, legacy .p12", "rsa-legacy.p12"), ("ECDSA P-256", "ec.p12")] {
        let p12 = keys.read(p12);
        let (sign_per, signed) = mean(n, || sign(&pdf, &p12, verifiers::PASSWORD, &SignMeta::at(now)).unwrap());
        let (verify_per, report) = mean(n, || verify(&signed, &[keys.read("ca.pem")]).unwrap());
        assert!(report.ok(), "{report:#?}");
        println!("sign ({name}): {sign_per:?} per signature (incl. PKCS#12 decryption); verify with trust anchor: {verify_per:?}");
    }
}
