//! What `packaging/hub/` ships, checked with tools we did not write: the systemd unit with
//! `systemd-analyze verify` and its sandboxing with `systemd-analyze security` (exposure at
//! most 2.0, "OK"), and its `ExecStart` line run as written (the flags exist and the hub
//! answers `/healthz` and `/metrics`). The nginx configuration is exercised in `tests/hub.rs`.

use konsekvens_e2e::{binary, stderr};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn unit_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../packaging/hub/konsekvens-hub.service")
}

/// The unit with its `ExecStart` pointed at the binary under test.
fn unit_text() -> String {
    std::fs::read_to_string(unit_path()).unwrap().replace("/usr/local/bin/konsekvens", &binary().display().to_string())
}

fn systemd_analyze() -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    match Command::new("systemd-analyze").arg("--version").output() {
        Ok(o) if o.status.success() => true,
        _ if ci => panic!("systemd-analyze is missing (apt-get install systemd)"),
        _ => {
            eprintln!("SKIPPED the systemd unit checks: systemd-analyze is missing");
            false
        }
    }
}

#[test]
fn the_systemd_unit_verifies_and_is_sandboxed() {
    if !systemd_analyze() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("konsekvens-hub.service");
    std::fs::write(&unit, unit_text()).unwrap();
    let out = Command::new("systemd-analyze").arg("verify").arg(&unit).output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "systemd-analyze verify: {}", stderr(&out));
    let out = Command::new("systemd-analyze").args(["security", "--offline=true", "--no-pager"]).arg(&unit).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned() + &stderr(&out);
    let level: f64 = said
        .lines()
        .find_map(|l| l.split("Overall exposure level for konsekvens-hub.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in: {said}"));
    assert!(level <= 2.0, "exposure {level}: {said}");
}

/// `ExecStart` as written (continuation lines joined), on free loopback ports.
#[test]
fn the_units_command_line_serves_health_and_metrics() {
    let text = unit_text();
    let joined = text.replace("\\\n", " ");
    let exec = joined.lines().find_map(|l| l.strip_prefix("ExecStart=")).expect("an ExecStart line");
    let data = tempfile::tempdir().unwrap();
    let args: Vec<String> = exec
        .split_whitespace()
        .skip(1)
        .map(|a| match a {
            "/var/lib/konsekvens-hub" => data.path().display().to_string(),
            "127.0.0.1:7878" | "127.0.0.1:9478" => "127.0.0.1:0".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    let mut child = Command::new(binary()).args(&args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    // Read on a thread to the end: the hub keeps logging (a closed pipe would end it).
    let lines = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (mut hub, mut metrics) = (None, None);
    let mut seen = Vec::new();
    while hub.is_none() || metrics.is_none() {
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| panic!("no addresses: {seen:?}"));
        // --log-format json: every line an object; the addresses are in the messages.
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let msg = v["msg"].as_str().unwrap().to_owned();
        if let Some(a) = msg.strip_prefix("Hubben lytter på ws://") {
            hub = Some(a.to_owned());
        }
        if let Some(a) = msg.strip_prefix("Målinger på http://").and_then(|m| m.strip_suffix("/metrics")) {
            metrics = Some(a.to_owned());
        }
        seen.push(line);
    }
    let get = |addr: &str, path: &str| {
        let mut tcp = std::net::TcpStream::connect(addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        write!(tcp, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).unwrap();
        answer
    };
    let (hub, metrics) = (hub.expect("the hub's address"), metrics.expect("the metrics address"));
    assert!(get(&hub, "/healthz").starts_with("HTTP/1.1 200"), "{seen:?}");
    let m = get(&metrics, "/metrics");
    assert!(m.contains("konsekvens_hub_wal_bytes") && m.contains("application/openmetrics-text"), "{m}");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "SIGTERM stops it cleanly: {status}");
    // Every later line is JSON too.
    for line in rx.try_iter() {
        assert!(serde_json::from_str::<serde_json::Value>(&line).is_ok(), "not JSON: {line}");
    }
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The value of `attr="…"` in an XML element's text.
fn attr<'a>(element: &'a str, attr: &str) -> &'a str {
    let start = element.find(&format!(" {attr}=\"")).unwrap_or_else(|| panic!("no {attr} in {element}")) + attr.len() + 3;
    &element[start..start + element[start..].find('"').unwrap()]
}

/// A plausible value for each policy key (as an administrator would pass it to msiexec).
fn sample_value(key: &str) -> &'static str {
    match key {
        "hub" => "wss://hub.kl.dk",
        "dpia" => "aula",
        "org" => "101",
        "language" => "da",
        "tsa" => "https://tsa.example.dk",
        "update_check" => "false",
        "offer_sample" => "false",
        "signin_issuer" => "https://login.microsoftonline.com/tenant/v2.0",
        "signin_client_id" => "konsekvens-hub",
        other => panic!("no sample value for the policy key «{other}»: add one here and a property to packaging/windows/policy.wxs"),
    }
}

/// The MSI fragment writes what the app reads: it is well-formed XML (xmllint); it has one
/// `IniFile` line per key of the policy (`konsekvens_core::policy::KEYS`, so a key added to
/// the policy without an MSI property fails here), each from a declared, secure property;
/// those lines with plausible values make a policy file the app accepts, managing every
/// setting; every component is referenced by the release configuration; and the README's
/// table names every property.
#[test]
fn the_msi_fragment_writes_a_policy_file_the_app_reads() {
    use konsekvens_core::policy::KEYS;
    let path = repo("packaging/windows/policy.wxs");
    let out = Command::new("xmllint").arg("--noout").arg(&path).output().expect("xmllint (apt libxml2-utils)");
    assert!(out.status.success(), "policy.wxs is not well-formed XML: {}", stderr(&out));
    // The check can fail: a fragment with an unclosed element is refused.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("policy.wxs");
    std::fs::write(&broken, std::fs::read_to_string(&path).unwrap().replacen("</Component>", "", 1)).unwrap();
    assert!(!Command::new("xmllint").arg("--noout").arg(&broken).output().unwrap().status.success(), "xmllint must refuse a broken fragment");

    let wxs = std::fs::read_to_string(&path).unwrap();
    let readme = std::fs::read_to_string(repo("packaging/README.md")).unwrap();
    // As Windows' INI writer leaves it: CRLF.
    let mut ini = String::from("[Konsekvens]\r\n");
    let mut keys = Vec::new();
    for element in wxs.split('<').filter(|e| e.starts_with("IniFile ")) {
        assert_eq!(attr(element, "Section"), konsekvens_core::policy::SECTION);
        assert_eq!(attr(element, "Name"), "policy.ini");
        let property = attr(element, "Value").trim_start_matches('[').trim_end_matches(']');
        assert!(property.chars().all(|c| c.is_ascii_uppercase()), "{property}: a public MSI property is upper case");
        assert!(wxs.contains(&format!("<Property Id=\"{property}\" Secure=\"yes\" />")), "{property} is not declared");
        let key = attr(element, "Key");
        assert!(readme.contains(&format!("| `{property}` | `{key}` |")), "packaging/README.md does not list {property} → {key}");
        ini.push_str(&format!("{key}={}\r\n", sample_value(key)));
        keys.push(key.to_owned());
    }
    let mut want: Vec<String> = KEYS.iter().map(|k| k.to_string()).collect();
    keys.sort();
    want.sort();
    assert_eq!(keys, want, "one MSI property per policy key");
    let policy = konsekvens_core::policy::Policy::parse(&ini).unwrap_or_else(|e| panic!("{e}\n{ini}"));
    assert_eq!(policy.managed(), KEYS, "every setting can be set by the MSI: {ini}");
    assert_eq!(policy.org, Some(101));
    let components: Vec<String> = wxs.split('<').filter(|e| e.starts_with("Component ")).map(|e| attr(e, "Id").to_owned()).collect();
    let release: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(repo("src-tauri/tauri.release.conf.json")).unwrap()).unwrap();
    let refs: Vec<String> = release["bundle"]["windows"]["wix"]["componentRefs"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(refs, components, "the release configuration installs every component of the fragment");
    assert_eq!(release["bundle"]["windows"]["wix"]["fragmentPaths"][0], "../packaging/windows/policy.wxs");
    assert!(repo("src-tauri").join("../packaging/windows/policy.wxs").exists());
}

/// The release workflow against GitHub's workflow schema (SchemaStore's, vendored by the
/// PyPI package check-jsonschema; installed into target/pyenv by scripts/test).
#[test]
fn the_release_workflow_is_a_valid_github_workflow() {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let tool = ["target/pyenv/bin/check-jsonschema"].into_iter().map(repo).find(|p| p.exists()).or_else(|| {
        Command::new("check-jsonschema").arg("--version").output().ok().filter(|o| o.status.success()).map(|_| PathBuf::from("check-jsonschema"))
    });
    let Some(tool) = tool else {
        assert!(!ci, "check-jsonschema is missing (pip install check-jsonschema)");
        eprintln!("SKIPPED the release workflow check: check-jsonschema is missing");
        return;
    };
    let workflow = repo(".github/workflows/release.yml");
    let out = Command::new(&tool).args(["--builtin-schema", "vendor.github-workflows"]).arg(&workflow).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    // A broken copy is refused: the check can fail.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("release.yml");
    std::fs::write(&broken, std::fs::read_to_string(&workflow).unwrap().replace("runs-on:", "runs_on:")).unwrap();
    let out = Command::new(&tool).args(["--builtin-schema", "vendor.github-workflows"]).arg(&broken).output().unwrap();
    assert!(!out.status.success(), "a job without runs-on must be refused");
    let text = std::fs::read_to_string(&workflow).unwrap();
    assert!(text.contains("uses: tauri-apps/tauri-action@v0") && text.contains("includeUpdaterJson: true"));
    for secret in ["TAURI_SIGNING_PRIVATE_KEY", "WINDOWS_CERTIFICATE", "APPLE_CERTIFICATE", "APPLE_SIGNING_IDENTITY"] {
        assert!(text.contains(&format!("secrets.{secret}")), "{secret}");
    }
}
