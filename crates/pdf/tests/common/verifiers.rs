//! Test keys and the independent verifiers, shared by this crate's tests, its benchmark and
//! the end-to-end tests (`tests/pdf.rs` includes this file with `#[path]`).
//!
//! Keys and certificates are made with openssl at test time and never committed. pdfsig
//! (poppler-utils) trusts the test CA through an NSS database made with certutil
//! (libnss3-tools); pyHanko trusts it with `--trust`. A missing tool skips a check with a
//! message, but fails the test when `CI` is set, so CI cannot pass by skipping.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The password of every test .p12.
pub const PASSWORD: &str = "hemmelig";

/// The command for `tool`: from PATH, or from the workspace's Python venv (`target/pyenv/bin`,
/// where scripts/common.sh installs pyHanko) when PATH does not have it.
pub fn command(tool: &str) -> Command {
    let on_path = std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()));
    if !on_path {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().map(|d| d.join("target/pyenv/bin").join(tool)).find(|p| p.is_file());
        if let Some(venv) = venv {
            return Command::new(venv);
        }
    }
    Command::new(tool)
}

/// Whether `tool` runs (`probe` are harmless arguments such as `--version`). Missing: a
/// message and `false`, or a panic under CI.
pub fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = command(tool).args(probe).output().is_ok();
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("{tool} is required under CI: install it (see crates/pdf/README.md, scripts/common.sh)");
        }
        eprintln!("SKIP: {tool} is not installed");
    }
    ok
}

/// Runs a command in `dir` and fails the test with its stderr if it fails.
pub fn run(dir: &Path, args: &[&str]) {
    let out = command(args[0]).args(&args[1..]).current_dir(dir).output().unwrap_or_else(|e| panic!("{}: {e}", args[0]));
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A directory of throwaway keys (see [`keys`]).
pub struct Keys {
    dir: tempfile::TempDir,
    nssdb: OnceLock<Option<String>>,
}

impl Keys {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    /// `sql:DIR` of an NSS database that trusts the test CA, made once; `None` without certutil.
    fn nssdb(&self) -> Option<&str> {
        self.nssdb
            .get_or_init(|| {
                if !have("certutil", &["-H"]) {
                    return None;
                }
                let db = self.path("nssdb");
                std::fs::create_dir_all(&db).unwrap();
                let db = format!("sql:{}", db.display());
                run(self.dir.path(), &["certutil", "-N", "-d", &db, "--empty-password"]);
                run(self.dir.path(), &["certutil", "-A", "-d", &db, "-n", "konsekvens-test-ca", "-t", "CT,C,C", "-i", "ca.pem"]);
                Some(db)
            })
            .as_deref()
    }
}

/// A test CA (`ca.pem`), and signers issued by it, with password [`PASSWORD`]:
/// - `rsa.p12`, `rsa-legacy.p12`: RSA 2048, "Søren Ågård Østergaard", OpenSSL 3's default
///   (AES/PBES2) and `-legacy` (RC2/3DES) encodings;
/// - `ec.p12`, `ec-legacy.p12`: ECDSA P-256, "Åse Bøgh", both encodings;
/// - `expired.p12`: RSA, valid only in 2020;
/// - `nokey.p12`: a certificate and no key.
///
/// `None` (or a panic under CI) without openssl.
pub fn keys() -> Option<&'static Keys> {
    static K: OnceLock<Option<Keys>> = OnceLock::new();
    K.get_or_init(|| {
        if !have("openssl", &["version"]) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n").unwrap();
        run(d, &["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=Konsekvens Test CA/O=Test", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        run(d, &["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key"]);
        run(d, &["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key"]);
        for (k, cn) in [("rsa", "Søren Ågård Østergaard"), ("ec", "Åse Bøgh")] {
            run(d, &["openssl", "req", "-new", "-key", &format!("{k}.key"), "-out", &format!("{k}.csr"), "-subj", &format!("/CN={cn}/O=København Kommune"), "-utf8"]);
            run(d, &["openssl", "x509", "-req", "-in", &format!("{k}.csr"), "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", &format!("{k}.pem"), "-days", "825", "-extfile", "leaf.ext"]);
        }
        // `openssl x509 -req` (3.0) cannot date a certificate in the past; `openssl ca` can.
        std::fs::write(d.join("ca.cnf"), "[ca]\ndefault_ca=test\n[test]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial.txt\ndefault_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\norganizationName=optional\n").unwrap();
        std::fs::write(d.join("index.txt"), "").unwrap();
        std::fs::write(d.join("serial.txt"), "1000\n").unwrap();
        run(d, &["openssl", "req", "-new", "-key", "rsa.key", "-out", "expired.csr", "-subj", "/CN=Udløbet Underskriver/O=København Kommune", "-utf8"]);
        run(d, &["openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "expired.csr", "-out", "expired.pem", "-startdate", "20200101000000Z", "-enddate", "20210101000000Z", "-extfile", "leaf.ext", "-notext", "-utf8"]);
        let pass = format!("pass:{PASSWORD}");
        for (name, key) in [("rsa", "rsa.key"), ("ec", "ec.key"), ("expired", "rsa.key")] {
            let (cert, p12, legacy) = (format!("{name}.pem"), format!("{name}.p12"), format!("{name}-legacy.p12"));
            run(d, &["openssl", "pkcs12", "-export", "-inkey", key, "-in", &cert, "-certfile", "ca.pem", "-out", &p12, "-passout", &pass]);
            run(d, &["openssl", "pkcs12", "-export", "-legacy", "-inkey", key, "-in", &cert, "-certfile", "ca.pem", "-out", &legacy, "-passout", &pass]);
        }
        run(d, &["openssl", "pkcs12", "-export", "-nokeys", "-in", "rsa.pem", "-out", "nokey.p12", "-passout", &pass]);
        Some(Keys { dir, nssdb: OnceLock::new() })
    })
    .as_ref()
}

/// pdfsig's report on `file`, trusting the test CA; `None` without pdfsig/certutil. pdfsig
/// exits 0 even on "Digest Mismatch", so callers read the text.
pub fn pdfsig(keys: &Keys, file: &Path) -> Option<String> {
    if !have("pdfsig", &["-v"]) {
        return None;
    }
    let db = keys.nssdb()?;
    let out = command("pdfsig").arg("-nssdir").arg(db).arg(file).output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// `pyhanko sign validate --trust ca.pem --pretty-print FILE`: (exit status success, the
/// detailed report); `None` without pyHanko.
pub fn pyhanko(keys: &Keys, file: &Path) -> Option<(bool, String)> {
    pyhanko_validate(keys, file, true)
}

/// `pyhanko sign validate --trust ca.pem FILE`: (exit status success, one summary line per
/// signature, e.g. `Underskrift 1:<hash>:INTACT:TRUSTED,UNTOUCHED`); `None` without pyHanko.
pub fn pyhanko_summary(keys: &Keys, file: &Path) -> Option<(bool, String)> {
    pyhanko_validate(keys, file, false)
}

fn pyhanko_validate(keys: &Keys, file: &Path, pretty: bool) -> Option<(bool, String)> {
    if !have("pyhanko", &["--version"]) {
        return None;
    }
    let mut cmd = command("pyhanko");
    cmd.args(["sign", "validate", "--trust"]).arg(keys.path("ca.pem"));
    if pretty {
        cmd.arg("--pretty-print");
    }
    let out = cmd.arg(file).output().unwrap();
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)))
}

/// The PDF/A-3b rules of `crates/pdf/tests/pdfa_check.py`, read with pikepdf (qpdf's
/// parser), on `file`; `tagged` adds the PDF/UA catalogue rules. `None` when no Python with
/// pikepdf is found (a message, or a panic under CI); else (passed, what it printed).
pub fn pdfa_check(file: &Path, tagged: bool) -> Option<(bool, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().find(|d| d.join("crates/pdf/tests/pdfa_check.py").is_file())?.to_path_buf();
    let venv = root.join("target/pyenv/bin/python");
    let python = if venv.is_file() { venv } else { PathBuf::from("python3") };
    let has_pikepdf = Command::new(&python).args(["-c", "import pikepdf"]).output().is_ok_and(|o| o.status.success());
    if !has_pikepdf {
        if std::env::var_os("CI").is_some() {
            panic!("pikepdf is required under CI: install it (scripts/common.sh)");
        }
        eprintln!("SKIP: pikepdf is not installed");
        return None;
    }
    let mut cmd = Command::new(&python);
    cmd.arg(root.join("crates/pdf/tests/pdfa_check.py")).arg(file);
    if tagged {
        cmd.arg("--tagged");
    }
    let out = cmd.output().expect("run pdfa_check.py");
    Some((out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))))
}

/// `pdfa_check.py FILE ARGS…` (e.g. `--tagged --lists`); `None` without pikepdf, as [`pdfa_check`].
pub fn pdfa_check_with(file: &Path, args: &[&str]) -> Option<(bool, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().find(|d| d.join("crates/pdf/tests/pdfa_check.py").is_file())?.to_path_buf();
    let venv = root.join("target/pyenv/bin/python");
    let python = if venv.is_file() { venv } else { PathBuf::from("python3") };
    if !Command::new(&python).args(["-c", "import pikepdf"]).output().is_ok_and(|o| o.status.success()) {
        if std::env::var_os("CI").is_some() {
            panic!("pikepdf is required under CI: install it (scripts/common.sh)");
        }
        eprintln!("SKIP: pikepdf is not installed");
        return None;
    }
    let out = Command::new(&python).arg(root.join("crates/pdf/tests/pdfa_check.py")).arg(file).args(args).output().expect("run pdfa_check.py");
    Some((out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))))
}

/// outloud (PyPI, a PDF/UA-1 checker after the Matterhorn protocol) on `file`, its
/// conformance layer only; `None` when it is not installed (a message, or a panic under CI).
pub fn outloud(file: &Path) -> Option<(bool, String)> {
    if !have("outloud", &["--version"]) {
        return None;
    }
    let out = command("outloud").args(["--layer", "conformance"]).arg(file).output().expect("run outloud");
    Some((out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))))
}
