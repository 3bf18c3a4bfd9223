//! A throwaway PKI on loopback for the long-term signature tests (PAdES B-LT/B-LTA), made
//! with openssl at test time (EC P-256 keys: quick to make), shared by `tests/ltv.rs` and the
//! end-to-end tests (`tests/pdf.rs` includes this file with `#[path]`):
//!
//! - root CA → intermediate CA (its CRL distribution point: `/crl/root.crl`, the root's CRL
//!   made by `openssl ca -gencrl`) → signers whose AIA names `/ocsp/int`, answered by
//!   `openssl ocsp -index … -reqin … -respout …` (signed by the intermediate);
//! - a TSA root → TSA certificate (AIA `/ocsp/tsa`), `openssl ts -reply` at `/tsa`;
//! - signers whose AIA names a responder that misbehaves: `/ocsp/garbage`, `/ocsp/huge`
//!   (more than 64 KiB), `/ocsp/hang`, `/ocsp/foreign` (signed by a key that is not the
//!   issuer's); one revoked in the intermediate's index; one with neither AIA nor CDP.
//!
//! One small HTTP server (a thread per connection) answers them all; `offline()` makes it
//! refuse everything (HTTP 503), so a verifier run afterwards can only use what the PDF holds.
#![allow(dead_code)]

use super::verifiers::{command, have, run, PASSWORD};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `YYYYMMDDHHMMSSZ` for `openssl ca -startdate/-enddate`.
fn asn1_time(t: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(t).unwrap();
    format!("{:04}{:02}{:02}{:02}{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// ISO 8601 (UTC) for pyHanko's `--validation-time` and `konsekvens verify --at`.
pub fn iso(t: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(t).unwrap();
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

pub struct Lab {
    dir: tempfile::TempDir,
    pub base: String,
    offline: Arc<AtomicBool>,
    /// Requests answered (any path).
    pub hits: Arc<AtomicUsize>,
    /// When the signers' certificates expire (unix seconds).
    pub signer_expires: i64,
    /// When the TSA's certificate expires.
    pub tsa_expires: i64,
}

const CA_CNF: &str = "[ca]\ndefault_ca=t\n[t]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial.txt\ncrlnumber=crlnumber.txt\ndefault_md=sha256\npolicy=any\nunique_subject=no\ndefault_crl_days=30\n[any]\ncommonName=supplied\norganizationName=optional\n";

impl Lab {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub fn tsa_url(&self) -> String {
        format!("{}/tsa", self.base)
    }

    /// From now on every request gets HTTP 503.
    pub fn offline(&self) {
        self.offline.store(true, Ordering::SeqCst);
    }

    /// The lab: `signer_hours` is how long the signers' certificates stay valid from now,
    /// `tsa_days` the TSA's. `None` (or a panic under CI) without openssl.
    pub fn new(signer_hours: i64, tsa_days: i64) -> Option<Lab> {
        if !have("openssl", &["version"]) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let t0 = now();
        let lab = Lab { base: base.clone(), offline: Arc::new(AtomicBool::new(false)), hits: Arc::new(AtomicUsize::new(0)), signer_expires: t0 + signer_hours * 3600, tsa_expires: t0 + tsa_days * 86400, dir };
        let d = lab.dir.path();
        let ec = |name: &str| run(d, &["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &format!("{name}.key")]);
        let selfsigned = |name: &str, cn: &str| {
            ec(name);
            run(d, &["openssl", "req", "-x509", "-key", &format!("{name}.key"), "-out", &format!("{name}.pem"), "-days", "3650", "-subj", &format!("/CN={cn}/O=Test"), "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-utf8"]);
            std::fs::create_dir_all(d.join(format!("{name}-db"))).unwrap();
        };
        selfsigned("root", "Konsekvens LT Test Rod");
        selfsigned("tsaroot", "Konsekvens LT Test TSA Rod");
        for ca in ["root", "int", "tsaroot"] {
            std::fs::create_dir_all(d.join(format!("{ca}-db"))).unwrap();
            std::fs::write(d.join(format!("{ca}-db/ca.cnf")), CA_CNF).unwrap();
            std::fs::write(d.join(format!("{ca}-db/index.txt")), "").unwrap();
            std::fs::write(d.join(format!("{ca}-db/serial.txt")), "1000\n").unwrap();
            std::fs::write(d.join(format!("{ca}-db/crlnumber.txt")), "01\n").unwrap();
        }
        // issue(ca, name, cn, extensions, from, to)
        let issue = |ca: &str, name: &str, cn: &str, ext: &str, from: i64, to: i64| {
            ec(name);
            run(d, &["openssl", "req", "-new", "-key", &format!("{name}.key"), "-out", &format!("{name}.csr"), "-subj", &format!("/CN={cn}/O=København Kommune"), "-utf8"]);
            std::fs::write(d.join(format!("{name}.ext")), ext).unwrap();
            let db = format!("{ca}-db");
            run(
                &d.join(&db),
                &["openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", &format!("../{ca}.pem"), "-keyfile", &format!("../{ca}.key"), "-in", &format!("../{name}.csr"), "-out", &format!("../{name}.pem"), "-startdate", &asn1_time(from), "-enddate", &asn1_time(to), "-extfile", &format!("../{name}.ext"), "-notext", "-utf8"],
            );
        };
        let ca_ext = format!("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\ncrlDistributionPoints=URI:{base}/crl/root.crl\n");
        issue("root", "int", "Konsekvens LT Test Mellem-CA", &ca_ext, t0 - 86400, t0 + 3650 * 86400);
        let leaf = |ocsp: &str| format!("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nauthorityInfoAccess=OCSP;URI:{base}/ocsp/{ocsp}\n");
        let (from, to) = (t0 - 3600, lab.signer_expires);
        issue("int", "signer", "Dorthe Databeskyttelse", &leaf("int"), from, to);
        for mode in ["garbage", "huge", "hang", "foreign"] {
            issue("int", mode, &format!("Underskriver {mode}"), &leaf(mode), from, to);
        }
        issue("int", "revoked", "Spærret Underskriver", &leaf("int"), from, to);
        issue("int", "nosource", "Underskriver uden kilde", "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n", from, to);
        run(&d.join("int-db"), &["openssl", "ca", "-config", "ca.cnf", "-cert", "../int.pem", "-keyfile", "../int.key", "-revoke", "../revoked.pem", "-crl_reason", "keyCompromise"]);
        run(&d.join("root-db"), &["openssl", "ca", "-config", "ca.cnf", "-cert", "../root.pem", "-keyfile", "../root.key", "-gencrl", "-out", "../root.crl.pem"]);
        run(d, &["openssl", "crl", "-in", "root.crl.pem", "-outform", "DER", "-out", "root.crl"]);
        issue(
            "tsaroot",
            "tsa",
            "Konsekvens LT Test TSA",
            &format!("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\nauthorityInfoAccess=OCSP;URI:{base}/ocsp/tsa\n"),
            t0 - 3600,
            lab.tsa_expires,
        );
        std::fs::write(d.join("chain.pem"), [lab.read("int.pem"), lab.read("root.pem")].concat()).unwrap();
        let pass = format!("pass:{PASSWORD}");
        for name in ["signer", "garbage", "huge", "hang", "foreign", "revoked", "nosource"] {
            run(d, &["openssl", "pkcs12", "-export", "-inkey", &format!("{name}.key"), "-in", &format!("{name}.pem"), "-certfile", "chain.pem", "-out", &format!("{name}.p12"), "-passout", &pass]);
        }
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        std::fs::write(
            d.join("tsa.cnf"),
            "[tsa]\ndefault_tsa=t\n[t]\nserial=./tsaserial\nsigner_cert=./tsa.pem\ncerts=./tsaroot.pem\nsigner_key=./tsa.key\nsigner_digest=sha256\n\
             default_policy=1.2.3.4.1\ndigests=sha256\naccuracy=secs:1\nordering=no\ntsa_name=yes\ness_cert_id_chain=no\ness_cert_id_alg=sha256\n",
        )
        .unwrap();
        lab.serve(listener);
        Some(lab)
    }

    fn serve(&self, listener: TcpListener) {
        let dir = self.dir.path().to_path_buf();
        let offline = self.offline.clone();
        let hits = self.hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let (dir, offline, hits) = (dir.clone(), offline.clone(), hits.clone());
                std::thread::spawn(move || {
                    let (path, body) = read_request(&mut s);
                    hits.fetch_add(1, Ordering::SeqCst);
                    let (status, reply) = if offline.load(Ordering::SeqCst) { ("503 Service Unavailable", b"offline".to_vec()) } else { answer(&dir, &path, &body) };
                    if status.is_empty() {
                        return; // hang: the connection stays open until the thread ends
                    }
                    let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", reply.len());
                    let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(&reply));
                });
            }
        });
    }
}

/// openssl runs one at a time: the CA databases and serial files are shared.
static OPENSSL: Mutex<()> = Mutex::new(());

fn ocsp(dir: &Path, ca: &str, signer: &str, q: &[u8]) -> Vec<u8> {
    let _g = OPENSSL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir_in(dir).unwrap();
    std::fs::write(tmp.path().join("q.der"), q).unwrap();
    let out = command("openssl")
        .args(["ocsp", "-index", &format!("{ca}-db/index.txt"), "-CA", &format!("{ca}.pem"), "-rsigner", &format!("{signer}.pem"), "-rkey", &format!("{signer}.key"), "-ndays", "30"])
        .arg("-reqin")
        .arg(tmp.path().join("q.der"))
        .arg("-respout")
        .arg(tmp.path().join("r.der"))
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl ocsp: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(tmp.path().join("r.der")).unwrap()
}

fn answer(dir: &Path, path: &str, body: &[u8]) -> (&'static str, Vec<u8>) {
    const OK: &str = "200 OK";
    match path {
        "/tsa" => {
            let _g = OPENSSL.lock().unwrap_or_else(|e| e.into_inner());
            let tmp = tempfile::tempdir_in(dir).unwrap();
            std::fs::write(tmp.path().join("q.tsq"), body).unwrap();
            let out = command("openssl").args(["ts", "-reply", "-config", "tsa.cnf", "-queryfile"]).arg(tmp.path().join("q.tsq")).arg("-out").arg(tmp.path().join("r.tsr")).current_dir(dir).output().unwrap();
            assert!(out.status.success(), "openssl ts: {}", String::from_utf8_lossy(&out.stderr));
            (OK, std::fs::read(tmp.path().join("r.tsr")).unwrap())
        }
        "/ocsp/int" => (OK, ocsp(dir, "int", "int", body)),
        "/ocsp/tsa" => (OK, ocsp(dir, "tsaroot", "tsaroot", body)),
        "/ocsp/foreign" => (OK, ocsp(dir, "int", "tsaroot", body)),
        "/ocsp/garbage" => (OK, b"<html>ikke et OCSP-svar</html>".to_vec()),
        "/ocsp/huge" => (OK, vec![0x30; 70 * 1024]),
        "/ocsp/hang" => {
            std::thread::sleep(Duration::from_secs(20));
            ("", Vec::new())
        }
        "/crl/root.crl" => (OK, std::fs::read(dir.join("root.crl")).unwrap()),
        _ => ("404 Not Found", b"?".to_vec()),
    }
}

fn read_request(s: &mut std::net::TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return (String::new(), Vec::new());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let lower = head.to_ascii_lowercase();
            let len: usize = lower.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return (path, buf[end + 4..].to_vec());
        }
    }
}
