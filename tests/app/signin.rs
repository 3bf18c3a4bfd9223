//! «Log ind» in the real desktop app, end to end: a real OpenID provider on loopback (the
//! certified npm `oidc-provider`, the harness shared with the hub's and the CLI's sign-in
//! tests), a hub that takes its ID tokens (`hub serve --oidc`), and the app under Xvfb driven
//! by `ui/tests/e2e/signin.spec.ts` through tauri-driver. The app's «browser» is a program
//! named by KONSEKVENS_BROWSER that hands the authorization URL to this test, which plays the
//! browser through the provider's login and consent pages (as the CLI's test does). The app
//! signs in, joins the hub with no token, shows who is signed in (screenshot
//! target/screenshots/signin-settings.png); its ID token expires after 12 s, the hub closes
//! the connection, the app renews the sign-in and reconnects; it edits, and signs out. Then: the hub's log,
//! `konsekvens log` of the app's copy and of the coordinator's, and presence as the
//! coordinator's `sync --watch` saw it, name the signed-in person — never the login name.
//! The app reaches the hub as a municipality would: `wss://` through nginx with the shipped
//! site configuration and a certificate from a throwaway CA (the CA given by SSL_CERT_FILE).

mod support;
#[path = "../../crates/hub/tests/oidc/provider.rs"]
mod provider;

use konsekvens_core::{Author, SystemEnv, Workspace};
use konsekvens_e2e::proxy::{proxy_ready, throwaway_ca, Nginx};
use konsekvens_e2e::{binary, konsekvens, stderr, stdout};
use provider::{provider_ready, OpenIdProvider};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

const DPIA: &str = "aula";

fn admin(data: &Path, args: &[&str]) -> String {
    let out = Command::new(binary()).arg("hub").args(args).arg("--data").arg(data).output().unwrap();
    assert!(out.status.success(), "hub {args:?}: {}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// Reads a child's stderr into a shared string in the background.
fn collect(stream: impl std::io::Read + Send + 'static, into: Arc<Mutex<String>>, found: Option<(&'static str, mpsc::Sender<String>)>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some((prefix, tx)) = &found {
                if let Some(rest) = line.strip_prefix(prefix) {
                    let _ = tx.send(rest.to_owned());
                }
            }
            let mut all = into.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    });
}

fn eventually(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_dpo_signs_in_in_the_app_joins_without_a_token_edits_and_every_trail_names_her() {
    let app = profile_dir().join("konsekvens-app");
    let cli = profile_dir().join("konsekvens");
    let ui = root().join("ui");
    let mut lacking = missing(
        &["xvfb-run", "tauri-driver", "/usr/bin/WebKitWebDriver", "node", "npm"],
        &[
            (&app, "run `cargo build -p konsekvens-app`"),
            (&cli, "run `cargo build -p konsekvens-cli`"),
            (&ui.join("node_modules/vitest"), "run `cd ui && npm ci`"),
            (&ui.join("dist/index.html"), "run `cd ui && npm run build`"),
        ],
    );
    lacking.extend(stale_ui_dist());
    if !ready("the app's sign-in end-to-end test", lacking) || !provider_ready("the app's sign-in end-to-end test") {
        return;
    }
    let Some(nginx_bin) = proxy_ready() else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    // ID tokens that live 12 s: the hub closes the app's connection when one expires (leeway
    // 0), and the app must renew the sign-in and reconnect on its own.
    let provider = OpenIdProvider::start(12);
    let issuer = provider.issuer.clone();

    // The hub: KL coordinates «aula», København takes part; sign-in by the provider.
    let data = work.join("hub");
    for (code, name) in [("KL", "KL / KOMBIT"), ("101", "København"), ("561", "Esbjerg"), ("751", "Aarhus")] {
        admin(&data, &["org", "add", "--code", code, "--name", name]);
    }
    admin(&data, &["dpia", "add", "--id", DPIA, "--title", "AULA", "--coordinator", "KL", "--base-policy", "all", "--participant", "101", "--participant", "561", "--participant", "751"]);
    let kl_token = admin(&data, &["token", "issue", "--org", "KL", "--role", "coordinator"]);
    let oidc = work.join("oidc.json");
    std::fs::write(&oidc, serde_json::json!({ "providers": [provider.hub_config(0)] }).to_string()).unwrap();
    let mut hub = Command::new(binary())
        .args(["hub", "serve", "--verbose", "--trust-proxy", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .arg("--oidc")
        .arg(&oidc)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let hub_log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    collect(hub.stderr.take().unwrap(), hub_log.clone(), Some(("Hubben lytter på ", tx)));
    let addr = rx.recv_timeout(Duration::from_secs(30)).expect("the hub listens");
    let url = format!("{addr}/dpia/{DPIA}");
    // nginx with TLS in front of the hub: the app's only way in.
    let tls = work.join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let (ca, cert, key) = throwaway_ca(&tls);
    let proxy_dir = work.join("nginx");
    std::fs::create_dir_all(&proxy_dir).unwrap();
    let (nginx, port) = Nginx::start(&nginx_bin, &proxy_dir, addr.trim_start_matches("ws://"), &cert, &key);
    let wss = format!("wss://localhost:{port}");

    // KL's copy (the demo's coordination and base) on the hub, then KL watches live.
    let demo = work.join("demo.konsekvens");
    assert!(konsekvens(["demo".as_ref(), demo.as_os_str()]).status.success());
    let kl = work.join("kl.konsekvens");
    {
        let demo = Workspace::open(&demo, Arc::new(SystemEnv)).unwrap();
        let (coordination, base) = (demo.view().coordination().unwrap(), demo.view().base().unwrap());
        Workspace::create_with(&kl, Arc::new(SystemEnv), &Author::new("kl", None), &coordination, &base, &[]).unwrap();
    }
    let kl_sync = |watch: bool| {
        let mut cmd = Command::new(binary());
        konsekvens_e2e::danish(cmd.arg("sync").arg(&kl).args(["--hub", &url]).env("KONSEKVENS_TOKEN", &kl_token).env("KONSEKVENS_CONFIG_DIR", work.join("kl-config")));
        if watch {
            cmd.arg("--watch");
        }
        cmd
    };
    let out = kl_sync(false).output().unwrap();
    assert!(out.status.success(), "KL publishes: {}", stderr(&out));
    let mut watch = kl_sync(true).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let watched = Arc::new(Mutex::new(String::new()));
    collect(watch.stderr.take().unwrap(), watched.clone(), None);

    // The app's «browser»: hands the authorization URL to this test, which plays the browser.
    let browser = work.join("browser.sh");
    let urls = work.join("browser-url");
    std::fs::write(&browser, format!("#!/bin/sh\nprintf '%s\\n' \"$1\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n", urls.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let policy = work.join("policy.ini");
    std::fs::write(&policy, format!("[Konsekvens]\r\nhub={wss}\r\ndpia={DPIA}\r\norg=101\r\nsignin_issuer={issuer}\r\nsignin_client_id=konsekvens-hub\r\n")).unwrap();
    let config = work.join("config");
    let playing = {
        let (urls, mut provider) = (urls.clone(), provider);
        std::thread::spawn(move || {
            let started = Instant::now();
            let url = loop {
                if let Ok(u) = std::fs::read_to_string(&urls) {
                    break u.trim().to_owned();
                }
                if started.elapsed() > Duration::from_secs(240) {
                    return (provider, serde_json::Value::Null);
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            let page = provider.browse("mette", &url, "");
            (provider, page)
        })
    };
    // «expired»: the hub closed the app's connection as its ID token expired (the spec then
    // waits to be in sync again). «seen»: the spec waits for it after the edit, so the app
    // stays open until the hub has it.
    let seen = work.join("seen");
    let watcher = {
        let (data, seen, expired, hub_log) = (data.clone(), seen.clone(), work.join("expired"), hub_log.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(300) && !seen.exists() {
                if !expired.exists() && hub_log.lock().unwrap().contains("K-HUB-OIDC-EXPIRED") {
                    std::fs::write(&expired, "").unwrap();
                }
                let log = Command::new(binary()).args(["hub", "log", "--dpia", DPIA, "--org", "101", "--data"]).arg(&data).output().unwrap();
                if stdout(&log).contains("Mette Holm <mette@kk.dk>") {
                    std::fs::write(&seen, "").unwrap();
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };

    let shots = target_dir().join("screenshots");
    let out = Command::new("timeout")
        .args(["--kill-after=10", "300", "xvfb-run", "-a", "-s", "-screen 0 1280x860x24", "npm", "run", "--silent", "test:e2e-signin"])
        .current_dir(&ui)
        .env("KONSEKVENS_APP", &app)
        .env("KONSEKVENS_E2E_DIR", work)
        .env("KONSEKVENS_SCREENSHOTS", &shots)
        .env("KONSEKVENS_POLICY", &policy)
        .env("KONSEKVENS_BROWSER", &browser)
        .env("KONSEKVENS_CONFIG_DIR", &config)
        .env("SSL_CERT_FILE", &ca)
        .env_remove("KONSEKVENS_WORKSPACE")
        .env_remove("KONSEKVENS_TOKEN")
        .output()
        .expect("start xvfb-run");
    let log = format!("--- stdout ---\n{}\n--- stderr ---\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    std::fs::write(&seen, "").ok(); // ends the watcher
    assert!(out.status.success(), "the app's sign-in steps failed ({}); screenshots: {}\n{log}\nhub:\n{}\nnginx:\n{}", out.status, shots.display(), hub_log.lock().unwrap(), nginx.log());
    println!("{log}");
    watcher.join().unwrap();
    let (_provider, page) = playing.join().unwrap();

    // The browser was shown the app's page; the app kept what it saw of the claims.
    assert_eq!(page["status"], 200, "{page}");
    assert!(page["body"].as_str().unwrap().contains("Du er logget ind i Konsekvens som Mette Holm"), "{page}");
    let done: serde_json::Value = serde_json::from_slice(&std::fs::read(work.join("signin.json")).unwrap()).unwrap();
    assert_eq!(done["signedIn"], "Logget ind som Mette Holm");
    let claims = done["claims"].as_str().unwrap();
    assert!(claims.contains("mette@kk.dk") && claims.contains("101") && claims.contains("Gyldigt til") && claims.contains(&issuer), "{claims}");
    assert_eq!(done["signedOut"], true);
    assert!(!config.join("log-ind.json").exists(), "«Log ud» leaves no sign-in behind");

    // The hub closed her connection at expiry, and the app came back with a renewed sign-in.
    assert!(hub_log.lock().unwrap().contains("K-HUB-OIDC-EXPIRED"), "{}", hub_log.lock().unwrap());
    // The hub's log names her from the ID token.
    let hub_says = admin(&data, &["log", "--dpia", DPIA, "--org", "101"]);
    assert!(hub_says.contains("Mette Holm <mette@kk.dk> · OIDC http://127.0.0.1:"), "{hub_says}");
    // The app's copy records her as the author, never the login name; so does KL's copy.
    let ws = done["workspace"].as_str().unwrap();
    let log = stdout(&konsekvens(["log", ws, "--org", "101", "--json"]));
    let entries: serde_json::Value = serde_json::from_str(&log).unwrap();
    let authors: Vec<&str> = entries.as_array().unwrap().iter().filter_map(|e| e["author"].as_str()).collect();
    assert!(authors.contains(&"Mette Holm <mette@kk.dk>"), "{authors:?}");
    assert!(!authors.iter().any(|a| a.contains("typed-name")), "{authors:?}");
    eventually("KL's live copy to show her edit", Duration::from_secs(30), || {
        let log = stdout(&konsekvens(["log".as_ref(), kl.as_os_str(), "--org".as_ref(), "101".as_ref()]));
        log.contains("skrevet af 101 København (Mette Holm <mette@kk.dk> · OIDC")
    });
    let shown = stdout(&konsekvens(["show", kl.to_str().unwrap(), "--org", "101", "--json"]));
    assert!(shown.contains(done["legalBasis"].as_str().unwrap()), "KL's copy lacks her edit");
    // Presence: KL's live sync saw her, named from her sign-in.
    let _ = Command::new("kill").args(["-TERM", &watch.id().to_string()]).status();
    let _ = watch.wait();
    let watched = watched.lock().unwrap().clone();
    assert!(watched.contains("til stede: Mette Holm"), "{watched}");
    assert!(!watched.contains("typed-name"), "{watched}");
    // Everything the app said to the hub went through the proxy.
    let access = std::fs::read_to_string(proxy_dir.join("konsekvens-hub.access.log")).unwrap();
    assert!(access.contains("GET /dpia/aula/base"), "the app did not come through nginx: {access}");
    drop(nginx);
    let _ = hub.kill();
    let _ = hub.wait();
}
