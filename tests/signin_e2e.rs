//! Sign-in end to end (a module of `hub.rs`, whose hub process and helpers it uses): a
//! municipality's DPO signs in with `konsekvens login` at a real OpenID provider on loopback
//! (the certified npm `oidc-provider`, `crates/hub/tests/oidc/provider.mjs`) — the browser
//! flow with PKCE and a loopback redirect, a scripted «browser» following the authorization
//! URL through the provider's login and consent pages; and the device flow — then syncs
//! with `--sign-in`, edits, and the hub's log, `konsekvens log` and the comment name the
//! person the provider vouched for. A tampered state, a token for another audience and an
//! expired sign-in without a refresh token are refused; with one, `sync --watch` renews the
//! sign-in when the hub closes the connection at expiry.

use super::*;

#[path = "../crates/hub/tests/oidc/provider.rs"]
mod provider;
use provider::{provider_ready, OpenIdProvider as Provider};

/// `konsekvens ARGS` as the person whose sign-in is kept in `config`.
fn as_person(config: &Path, args: &[&std::ffi::OsStr]) -> Command {
    let mut cmd = Command::new(binary());
    konsekvens_e2e::danish(cmd.args(args).env("KONSEKVENS_CONFIG_DIR", config).env("KONSEKVENS_AUTHOR", "typed-name").env_remove("KONSEKVENS_TOKEN"));
    cmd
}

/// `konsekvens login …` started; returns the child and the first line of stderr that
/// `wanted` picks (the authorization URL, the device URL), reading the rest in the background.
fn login_started(config: &Path, args: &[&str], wanted: fn(&str) -> Option<String>) -> (Child, String, Arc<Mutex<String>>) {
    let mut all: Vec<&std::ffi::OsStr> = vec!["login".as_ref()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    let mut child = as_person(config, &all).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let said = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    let (lines, sink) = (BufReader::new(child.stderr.take().unwrap()), said.clone());
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            if let Some(found) = wanted(&line) {
                let _ = tx.send(found);
            }
            let mut said = sink.lock().unwrap();
            said.push_str(&line);
            said.push('\n');
        }
    });
    let found = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("login printed no address: {}", said.lock().unwrap())
    });
    (child, found, said)
}

fn finished(mut child: Child, said: &Arc<Mutex<String>>) -> (ExitStatus, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            std::thread::sleep(Duration::from_millis(50));
            return (status, said.lock().unwrap().clone());
        }
        assert!(started.elapsed() < Duration::from_secs(30), "login did not end: {}", said.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn authorization_url(line: &str) -> Option<String> {
    line.starts_with("http://127.0.0.1:").then(|| line.to_owned())
}

fn device_url(line: &str) -> Option<String> {
    line.strip_prefix("Åbn ").and_then(|r| r.split(' ').next()).map(str::to_owned)
}

/// The browser flow: `login --no-browser`, the scripted browser signs `user` in.
fn browser_login(provider: &mut Provider, config: &Path, user: &str, client: &str, mode: &str) -> (ExitStatus, String, serde_json::Value) {
    let (child, url, said) = login_started(config, &["--issuer", &provider.issuer, "--client-id", client, "--no-browser", "--timeout", "30"], authorization_url);
    let page = provider.browse(user, &url, mode);
    let (status, said) = finished(child, &said);
    (status, said, page)
}

fn sign_in_sync(config: &Path, path: &Path, hub: &HubProcess, new: bool) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["sync".as_ref(), path.as_os_str(), "--hub".as_ref()];
    let url = hub.url();
    args.push(std::ffi::OsStr::new(&url));
    args.push("--sign-in".as_ref());
    if new {
        args.push("--new".as_ref());
    }
    as_person(config, &args).output().unwrap()
}

#[test]
fn a_dpo_signs_in_at_the_municipalitys_provider_syncs_edits_and_the_audit_trail_names_her() {
    if !provider_ready("the sign-in end-to-end test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut provider = Provider::start(600);
    let mut quick = Provider::start(4);
    let data = dir.path().join("hub");
    let t = register(&data);
    let oidc = dir.path().join("oidc.json");
    std::fs::write(&oidc, serde_json::json!({ "providers": [provider.hub_config(30), quick.hub_config(0)] }).to_string()).unwrap();
    let hub = HubProcess::start_with(&data, "127.0.0.1:0", &["--oidc", oidc.to_str().unwrap()]);
    let kl = dir.path().join("kl.konsekvens");
    coordinator_workspace(&kl, dir.path());
    sync_ok(&kl, &hub, &t.kl);

    // Mette (København) signs in through the browser flow.
    let mette = dir.path().join("mette");
    let (status, said, page) = browser_login(&mut provider, &mette, "mette", "konsekvens-hub", "");
    assert!(status.success(), "login: {said}");
    assert!(said.contains("Logget ind som Mette Holm <mette@kk.dk>") && said.contains("fornyes automatisk"), "{said}");
    assert_eq!(page["status"], 200, "{page}");
    assert!(page["body"].as_str().unwrap().contains("Du er logget ind i Konsekvens som Mette Holm"), "{page}");
    let kept = std::fs::read_to_string(mette.join("log-ind.json")).unwrap();
    assert!(kept.contains("\"id_token\": \"eyJ"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(mette.join("log-ind.json")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let status_out = as_person(&mette, &["login".as_ref(), "--status".as_ref()]).output().unwrap();
    assert!(stdout(&status_out).contains("Logget ind som Mette Holm <mette@kk.dk>"), "{}", stderr(&status_out));
    // The ID token is never printed (logs, the terminal).
    assert!(!said.contains("eyJ") && !hub.log().contains("eyJ"));

    // She joins with her sign-in (no token), edits the base and comments, syncs.
    let kbh = dir.path().join("kbh.konsekvens");
    let out = sign_in_sync(&mette, &kbh, &hub, true);
    assert!(out.status.success(), "sync --new --sign-in: {}\nhub:\n{}", stderr(&out), hub.log());
    edit_description(&kbh, Some(KBH), |d| d.scope = Prose::from("Rettet af den indloggede DPO."));
    let out = as_person(&mette, &["comment".as_ref(), "add".as_ref(), kbh.as_os_str(), "--org".as_ref(), "101".as_ref(), "--name".as_ref(), "Nogen Andens Navn".as_ref(), "--text".as_ref(), "Vi mangler en risiko om logning.".as_ref()])
        .output()
        .unwrap();
    assert!(out.status.success(), "comment add: {}", stderr(&out));
    assert!(stderr(&out).contains("--name bruges ikke"), "{}", stderr(&out));
    let out = sign_in_sync(&mette, &kbh, &hub, false);
    assert!(out.status.success(), "sync --sign-in: {}\nhub:\n{}", stderr(&out), hub.log());
    assert!(stderr(&out).contains("logget ind som Mette Holm"), "{}", stderr(&out));

    // The hub's log names her (verified by the hub from the ID token), and so does the
    // copy's history — KL's, after it syncs, as well as hers.
    let hub_log = admin(&data, &["log", "--dpia", DPIA, "--org", "101"]);
    assert!(hub_log.contains("Mette Holm <mette@kk.dk> · OIDC http://127.0.0.1:"), "{hub_log}");
    sync_ok(&kl, &hub, &t.kl);
    for copy in [&kl, &kbh] {
        let log = stdout(&run_ok(&["log".as_ref(), copy.as_os_str()]));
        let line = log.lines().filter(|l| l.contains("skrevet af 101 København (Mette Holm <mette@kk.dk> · OIDC")).count();
        assert!(line >= 1, "{}: {log}", copy.display());
    }
    let comments = stdout(&run_ok(&["comment".as_ref(), "list".as_ref(), "--coordinator".as_ref(), kl.as_os_str()]));
    assert!(comments.contains("Mette Holm <mette@kk.dk>") && !comments.contains("Nogen Andens Navn") && !comments.contains("typed-name"), "{comments}");

    // Lars (Esbjerg), on a machine without a browser: the device flow.
    let lars = dir.path().join("lars");
    let (child, url, said) = login_started(&lars, &["--device", "--issuer", &provider.issuer, "--client-id", "konsekvens-hub"], device_url);
    assert!(url.contains("/device") && url.contains("user_code="), "{url}");
    let answer = provider.ask(&format!("device lars {url}"));
    assert_eq!(answer["done"], true, "{answer}");
    let (status, said) = finished(child, &said);
    assert!(status.success() && said.contains("Logget ind som Lars Bak <lars@esbjerg.dk>"), "{said}");
    let esb = dir.path().join("esb.konsekvens");
    let out = sign_in_sync(&lars, &esb, &hub, true);
    assert!(out.status.success(), "Lars joins: {}", stderr(&out));

    // Hostile: a redirect with another state is refused and nothing is kept.
    let eve = dir.path().join("eve");
    let (status, said, page) = browser_login(&mut provider, &eve, "mette", "konsekvens-hub", "tamper-state");
    assert!(!status.success() && said.contains("K-LOGIN-STATE"), "{said}");
    assert!(page["body"].as_str().unwrap().contains("Log-ind mislykkedes"), "{page}");
    assert!(!eve.join("log-ind.json").exists());

    // A sign-in at another client of the provider (another audience) is refused by the hub.
    let other = dir.path().join("other");
    let (status, said, _) = browser_login(&mut provider, &other, "mette", "other-app", "");
    assert!(status.success(), "the provider signs her in to the other app: {said}");
    let out = sign_in_sync(&other, &dir.path().join("other.konsekvens"), &hub, true);
    assert!(!out.status.success() && stderr(&out).contains("K-SYNC-TOKEN") && stderr(&out).contains("anden modtager"), "{}", stderr(&out));
    assert!(!dir.path().join("other.konsekvens").exists());

    // Expiry: at a provider whose ID tokens live 4 s, `sync --watch` is closed by the hub
    // when the token expires and renews the sign-in with the refresh token.
    let quick_dir = dir.path().join("quick");
    let (status, said, _) = browser_login(&mut quick, &quick_dir, "mette", "konsekvens-hub", "");
    assert!(status.success(), "{said}");
    let mut watch = as_person(&quick_dir, &["sync".as_ref(), kbh.as_os_str(), "--hub".as_ref(), hub.url().as_ref(), "--sign-in".as_ref(), "--watch".as_ref()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let said = Arc::new(Mutex::new(String::new()));
    let (lines, sink) = (BufReader::new(watch.stderr.take().unwrap()), said.clone());
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    eventually("the sign-in renewed after the hub closed the connection, and live again", || {
        let s = said.lock().unwrap();
        s.find("fornyet: logget ind som Mette Holm").is_some_and(|at| s[at..].contains("live:"))
    });
    assert!(Command::new("kill").args(["-TERM", &watch.id().to_string()]).status().unwrap().success());
    let status = watch.wait().unwrap();
    let said = said.lock().unwrap().clone();
    assert!(status.success(), "{said}");
    assert!(said.contains("log-ind er udløbet"), "{said}");
    assert!(hub.log().contains("K-HUB-OIDC-EXPIRED"), "{}", hub.log());

    // Without a refresh token, an expired sign-in asks the person to sign in again (Danish).
    let mut kept: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(quick_dir.join("log-ind.json")).unwrap()).unwrap();
    kept["refresh_token"] = serde_json::Value::Null;
    kept["expires_at"] = 1.into();
    std::fs::write(quick_dir.join("log-ind.json"), kept.to_string()).unwrap();
    let out = sign_in_sync(&quick_dir, &kbh, &hub, false);
    assert!(!out.status.success() && stderr(&out).contains("dit log-ind er udløbet") && stderr(&out).contains("konsekvens login"), "{}", stderr(&out));
    // Nor is it used as identity for new edits: the comment is recorded under the local name
    // (here KONSEKVENS_AUTHOR), and she is told why.
    let out = as_person(&quick_dir, &["comment".as_ref(), "add".as_ref(), kbh.as_os_str(), "--org".as_ref(), "101".as_ref(), "--text".as_ref(), "Skrevet efter udløbet log-ind.".as_ref()]).output().unwrap();
    assert!(out.status.success(), "comment add: {}", stderr(&out));
    assert!(stderr(&out).contains("[K-LOGIN-EXPIRED] dit log-ind gælder ikke længere") && stderr(&out).contains("log ind igen"), "{}", stderr(&out));
    let comments = stdout(&run_ok(&["comment".as_ref(), "list".as_ref(), kbh.as_os_str(), "--org".as_ref(), "101".as_ref()]));
    // (before it, every comment in her copy was hers, signed in)
    assert!(comments.contains("Skrevet efter udløbet log-ind.") && comments.contains("typed-name"), "{comments}");

    // Logging out forgets the sign-in.
    let out = as_person(&mette, &["logout".as_ref()]).output().unwrap();
    assert!(out.status.success() && !mette.join("log-ind.json").exists(), "{}", stderr(&out));
}
