//! PAdES B-T: signature timestamps from a local RFC 3161 service — `openssl ts -reply` with a
//! throwaway TSA certificate (made by openssl here), behind a loopback HTTP responder written
//! below — checked by our `verify`, pdfsig and pyHanko; and services that misbehave (garbage,
//! a token for another imprint, HTTP 500, no answer, nobody listening), each a coded error.

mod common;
#[path = "common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::Day;
use konsekvens_pdf::{render, sign_timestamped, verify, ReportOptions, SignError, SignMeta, Tsa};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use verifiers::{command, have, keys, pdfsig, run, Keys, PASSWORD};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn pdf() -> &'static [u8] {
    static P: OnceLock<Vec<u8>> = OnceLock::new();
    P.get_or_init(|| render(&common::kbh(), &ReportOptions::new(Day::ymd(2024, 5, 2))).unwrap())
}

/// A TSA root (`tsaca.pem`, its own CA, not the signers') and a TSA certificate with
/// extendedKeyUsage timeStamping, and the `openssl ts` configuration that uses them.
fn tsa_dir() -> Option<&'static Path> {
    static D: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    D.get_or_init(|| {
        if !have("openssl", &["version"]) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        run(d, &["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsaca.key", "-out", "tsaca.pem", "-days", "3650", "-subj", "/CN=Konsekvens Test TSA Rod/O=Test", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        run(d, &["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Konsekvens Test TSA/O=Test"]);
        std::fs::write(d.join("tsa.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n").unwrap();
        run(d, &["openssl", "x509", "-req", "-in", "tsa.csr", "-CA", "tsaca.pem", "-CAkey", "tsaca.key", "-CAcreateserial", "-out", "tsa.pem", "-days", "825", "-extfile", "tsa.ext"]);
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        std::fs::write(
            d.join("tsa.cnf"),
            "[tsa]\ndefault_tsa=t\n[t]\nserial=./tsaserial\nsigner_cert=./tsa.pem\ncerts=./tsaca.pem\nsigner_key=./tsa.key\nsigner_digest=sha256\n\
             default_policy=1.2.3.4.1\ndigests=sha256\naccuracy=secs:1\nordering=no\ntsa_name=yes\ness_cert_id_chain=no\ness_cert_id_alg=sha256\n",
        )
        .unwrap();
        Some(dir)
    })
    .as_ref()
    .map(|d| d.path())
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Good,
    Garbage,
    OtherImprint,
    Status500,
    Hang,
}

/// `openssl ts -reply` for the query `q` (one at a time: the serial file is shared).
fn openssl_reply(dir: &Path, q: &[u8]) -> Vec<u8> {
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::write(dir.join("q.tsq"), q).unwrap();
    run(dir, &["openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", "q.tsq", "-out", "r.tsr"]);
    std::fs::read(dir.join("r.tsr")).unwrap()
}

/// A loopback HTTP server answering POSTs as `mode` says; its URL.
fn responder(mode: Mode) -> String {
    let dir = tsa_dir().unwrap().to_path_buf();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsa", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let body = read_request(&mut s);
            let (status, reply) = match mode {
                Mode::Good => ("200 OK", openssl_reply(&dir, &body)),
                Mode::Garbage => ("200 OK", b"<html>ikke et tidsstempel</html>".to_vec()),
                Mode::OtherImprint => {
                    std::fs::write(dir.join("other.txt"), "en anden signatur").unwrap();
                    let q = command("openssl").args(["ts", "-query", "-data", "other.txt", "-sha256", "-cert"]).current_dir(&dir).output().unwrap().stdout;
                    ("200 OK", openssl_reply(&dir, &q))
                }
                Mode::Status500 => ("500 Internal Server Error", b"fejl".to_vec()),
                Mode::Hang => {
                    std::thread::sleep(Duration::from_secs(30));
                    continue;
                }
            };
            let head = format!("HTTP/1.1 {status}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", reply.len());
            let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(&reply));
        }
    });
    url
}

fn read_request(s: &mut std::net::TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return Vec::new();
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return buf[end + 4..].to_vec();
        }
    }
}

fn tsa(url: String) -> Tsa {
    Tsa { url, timeout: Duration::from_secs(3) }
}

fn signed_b_t(k: &Keys) -> Vec<u8> {
    let meta = SignMeta { reason: Some("Godkendt for København".into()), ..SignMeta::at(now()) };
    sign_timestamped(pdf(), &k.read("rsa.p12"), PASSWORD, &meta, &tsa(responder(Mode::Good))).unwrap()
}

fn tsa_root() -> PathBuf {
    tsa_dir().unwrap().join("tsaca.pem")
}

#[test]
fn a_timestamped_signature_is_b_t_here_in_pdfsig_and_in_pyhanko() {
    let Some(k) = keys() else { return };
    let signed = signed_b_t(k);
    assert!(signed.starts_with(pdf()), "incremental");
    let anchors = [k.read("ca.pem"), std::fs::read(tsa_root()).unwrap()];
    let report = verify(&signed, &anchors).unwrap();
    assert!(report.ok(), "{report:#?}");
    let s = &report.signatures[0];
    assert_eq!(s.level(), Some("PAdES B-T"), "{s:#?}");
    let t = s.timestamp.as_ref().expect("a timestamp");
    assert!(t.imprint_matches && t.valid() && t.trusted == Some(true), "{t:#?}");
    assert!((t.time.unwrap() - now()).abs() < 120, "the TSA's time is now: {}", t.time_utc());
    assert!(t.tsa.contains("Konsekvens Test TSA"), "{}", t.tsa);

    // without the TSA's root the timestamp is not trusted, and the file is not all well
    let report = verify(&signed, &anchors[..1]).unwrap();
    let t = report.signatures[0].timestamp.as_ref().unwrap();
    assert_eq!(t.trusted, Some(false));
    assert!(!report.ok());
    assert_eq!(report.signatures[0].level(), Some("PAdES B-B"));

    let file = k.path("b-t.pdf");
    std::fs::write(&file, &signed).unwrap();
    if let Some(out) = pdfsig(k, &file) {
        assert!(out.contains("Signature is Valid") && out.contains("Total document signed"), "{out}");
    }
    if let Some(out) = pyhanko_with_tsa_root(k, &file) {
        assert!(out.contains("judged VALID"), "{out}");
        assert!(out.to_ascii_lowercase().contains("timestamp token") && !out.contains("No timestamp token"), "{out}");
    }
}

/// pyHanko's validation report, trusting the signers' CA and the TSA's root.
fn pyhanko_with_tsa_root(k: &Keys, file: &Path) -> Option<String> {
    if !have("pyhanko", &["--version"]) {
        return None;
    }
    let out = command("pyhanko").args(["sign", "validate", "--pretty-print", "--trust"]).arg(k.path("ca.pem")).arg("--trust").arg(tsa_root()).arg(file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    Some(text)
}

#[test]
fn a_changed_token_makes_the_timestamp_invalid_though_the_pdf_bytes_are_intact() {
    let Some(k) = keys() else { return };
    let signed = signed_b_t(k);
    // the token sits in /Contents (outside the byte range): change its TSTInfo's imprint
    let report = verify(&signed, &[]).unwrap();
    assert!(report.signatures[0].timestamp.as_ref().unwrap().valid());
    let needle = b"/Contents <";
    let at = signed.windows(needle.len()).rposition(|w| w == needle).unwrap() + needle.len();
    let hex = std::str::from_utf8(&signed[at..at + 2 * 16_384]).unwrap();
    // the 32-byte imprint follows the SHA-256 OID inside the TSTInfo: 0608608648016503040201 … 0420
    let oid = "0609608648016503040201";
    let mut tampered = signed.clone();
    let mut changed = false;
    let mut from = 0;
    while let Some(p) = hex[from..].find(oid) {
        let p = from + p;
        // MessageImprint { AlgorithmIdentifier { oid [, NULL] }, OCTET STRING (0420 …) }
        let after = &hex[p + oid.len()..];
        let skip = if after.starts_with("0500") { 4 } else { 0 };
        if after[skip..].starts_with("0420") {
            let i = at + p + oid.len() + skip + 4;
            tampered[i] = if tampered[i] == b'0' { b'1' } else { b'0' };
            changed = true;
        }
        from = p + oid.len();
    }
    assert!(changed, "an imprint was found");
    let report = verify(&tampered, &[]).unwrap();
    let s = &report.signatures[0];
    let t = s.timestamp.as_ref().unwrap();
    assert!(!t.valid(), "{t:#?}");
    assert!(!report.ok());
    assert_ne!(s.level(), Some("PAdES B-T"));
}

fn refused(url: String, timeout: Duration) -> SignError {
    let k = keys().unwrap();
    let meta = SignMeta::at(now());
    sign_timestamped(pdf(), &k.read("rsa.p12"), PASSWORD, &meta, &Tsa { url, timeout }).expect_err("no signed PDF")
}

#[test]
fn a_service_that_misbehaves_gets_a_coded_error_and_no_signed_pdf() {
    if keys().is_none() || tsa_dir().is_none() {
        return;
    }
    let code = |e: &SignError| {
        assert!(matches!(e, SignError::Tsa(_)), "not a TSA error: {e:?}");
        e.code()
    };
    let e = refused(responder(Mode::Garbage), Duration::from_secs(5));
    assert_eq!(code(&e), "K-TSA-UGYLDIGT-SVAR", "{e:?}");
    assert!(e.danish().contains("tidsstemplingstjenestens svar er ikke et gyldigt RFC 3161-svar"), "{}", e.danish());
    let e = refused(responder(Mode::OtherImprint), Duration::from_secs(5));
    assert_eq!(code(&e), "K-TSA-FORKERT-AFTRYK", "{e:?}");
    let e = refused(responder(Mode::Status500), Duration::from_secs(5));
    assert_eq!(code(&e), "K-TSA-HTTP", "{e:?}");
    assert!(e.danish().contains("HTTP 500"), "{}", e.danish());
    let started = std::time::Instant::now();
    let e = refused(responder(Mode::Hang), Duration::from_secs(2));
    assert_eq!(code(&e), "K-TSA-UTILGAENGELIG", "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "the timeout holds: {:?}", started.elapsed());
    // nobody listening
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = refused(format!("http://127.0.0.1:{port}/tsa"), Duration::from_secs(2));
    assert_eq!(code(&e), "K-TSA-UTILGAENGELIG", "{e:?}");
    let e = refused("ftp://tsa.example.dk".into(), Duration::from_secs(2));
    assert_eq!(code(&e), "K-TSA-UTILGAENGELIG", "{e:?}");
}
