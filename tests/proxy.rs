//! TLS through a reverse proxy for the end-to-end tests: nginx from Debian with the shipped
//! site configuration (`packaging/hub/nginx/konsekvens-hub.conf`) in front of a hub on
//! loopback, and a throwaway CA. Used by the hub's test (`sync` and the official Yjs client over
//! `wss://`) and the app's sign-in test (the app over `wss://`).

use crate::stderr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// nginx and openssl, or `None` (skipped with a message; under CI a missing one fails).
pub fn proxy_ready() -> Option<PathBuf> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().map(PathBuf::from).find(|p| p.exists());
    let missing = match (&nginx, Command::new("openssl").arg("version").output()) {
        (None, _) => Some("nginx is not installed (apt-get install nginx-light)"),
        (_, Err(_)) => Some("openssl is not installed"),
        _ => None,
    };
    match missing {
        None => nginx,
        Some(why) if ci => panic!("the TLS proxy test cannot run under CI: {why}"),
        Some(why) => {
            eprintln!("SKIPPED the TLS reverse proxy test: {why}");
            None
        }
    }
}

#[track_caller]
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", stderr(&out));
}

/// A throwaway CA and a certificate for localhost/127.0.0.1 signed by it: (ca.pem, cert, key).
pub fn throwaway_ca(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    openssl(dir, &["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Konsekvens test CA"]);
    openssl(dir, &["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "hub.key", "-out", "hub.csr", "-subj", "/CN=localhost"]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").unwrap();
    openssl(dir, &["x509", "-req", "-in", "hub.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "hub.pem", "-days", "2", "-extfile", "san.ext"]);
    (dir.join("ca.pem"), dir.join("hub.pem"), dir.join("hub.key"))
}

/// nginx in the foreground with the shipped site configuration; killed when dropped.
pub struct Nginx(Child, PathBuf);

impl Nginx {
    pub fn start(bin: &Path, dir: &Path, hub: &str, cert: &Path, key: &Path) -> (Nginx, u16) {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let site = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../packaging/hub/nginx/konsekvens-hub.conf"))
            .unwrap()
            .replace("@HUB@", hub)
            .replace("@LISTEN@", &format!("127.0.0.1:{port}"))
            .replace("@CERT@", &cert.display().to_string())
            .replace("@KEY@", &key.display().to_string())
            .replace("@LOGS@", &dir.display().to_string());
        std::fs::write(dir.join("site.conf"), site).unwrap();
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        #[cfg(unix)]
        let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
        #[cfg(not(unix))]
        let root = false;
        let d = dir.display();
        let main = format!(
            "{user}daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\nevents {{ worker_connections 256; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n  include {d}/site.conf;\n}}\n",
            user = if root { "user root;\n" } else { "" }
        );
        std::fs::write(dir.join("nginx.conf"), main).unwrap();
        let check = Command::new(bin).arg("-t").arg("-p").arg(dir).arg("-c").arg(dir.join("nginx.conf")).output().unwrap();
        assert!(check.status.success(), "nginx -t: {}", stderr(&check));
        let child = Command::new(bin).arg("-p").arg(dir).arg("-c").arg(dir.join("nginx.conf")).stderr(Stdio::null()).spawn().unwrap();
        let nginx = Nginx(child, dir.to_owned());
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < std::time::Duration::from_secs(20), "nginx did not listen on {port}");
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        (nginx, port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.1.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM to the master (nginx's fast shutdown; its workers go with it).
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

