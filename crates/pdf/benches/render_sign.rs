//! Prints render and sign/verify times for København's effective DPIA.
//! `cargo bench -p konsekvens-pdf` (needs openssl on PATH for the throwaway test key).

#[path = "../tests/common/mod.rs"]
mod common;

use konsekvens_core::model::Day;
use konsekvens_pdf::{render, sign, verify, RenderOptions, SignMeta};
use std::process::Command;
use std::time::Instant;

fn main() {
    let d = common::kbh();
    let opts = RenderOptions::new(Day::ymd(2024, 5, 2));
    let _ = render(&d, &opts).unwrap(); // warm-up (font parsing)
    let n = 10;
    let t = Instant::now();
    let mut pdf = Vec::new();
    for _ in 0..n {
        pdf = render(&d, &opts).unwrap();
    }
    let per = t.elapsed() / n;
    let pages = lopdf::Document::load_mem(&pdf).map(|x| x.get_pages().len()).unwrap_or(0);
    println!("render København: {per:?} per document ({pages} pages, {} KiB)", pdf.len() / 1024);

    let dir = tempfile::tempdir().unwrap();
    let ok = |args: &[&str]| Command::new("openssl").args(args).current_dir(dir.path()).output().map(|o| o.status.success()).unwrap_or(false);
    for (name, alg) in [("RSA 2048", "rsa:2048"), ("ECDSA P-256", "ec")] {
        let mut req = vec!["req", "-x509", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "30", "-subj", "/CN=Bench"];
        if alg == "ec" {
            req.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
        } else {
            req.extend(["-newkey", "rsa:2048"]);
        }
        if !ok(&req) || !ok(&["pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-out", "k.p12", "-passout", "pass:x"]) {
            println!("sign: skipped (openssl not available)");
            return;
        }
        let p12 = std::fs::read(dir.path().join("k.p12")).unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let meta = SignMeta::at(now);
        let t = Instant::now();
        let mut signed = Vec::new();
        for _ in 0..n {
            signed = sign(&pdf, &p12, "x", &meta).unwrap();
        }
        let sign_per = t.elapsed() / n;
        let t = Instant::now();
        for _ in 0..n {
            assert!(verify(&signed, &[]).unwrap().ok());
        }
        println!("sign ({name}): {sign_per:?} per signature (incl. PKCS#12 decryption); verify: {:?}", t.elapsed() / n);
    }
}
