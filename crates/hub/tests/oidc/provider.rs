//! The sign-in tests' OpenID provider, shared by every test that needs one (`#[path]` into
//! crates/hub/tests/signin.rs, tests/signin_e2e.rs and tests/app/signin.rs): `node
//! provider.mjs` beside this file — the certified npm `oidc-provider` on 127.0.0.1 — started
//! as a child, spoken to one JSON line per command (see provider.mjs's header), killed when
//! dropped. Only std and serde_json, so any test crate can include it.

#![allow(dead_code)] // each test uses its own part

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// crates/hub/tests/oidc, found from whichever crate includes this file.
pub fn oidc_dir() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("crates/hub/tests/oidc");
        if candidate.is_dir() {
            return candidate;
        }
        if !dir.pop() {
            panic!("crates/hub/tests/oidc not found above {}", env!("CARGO_MANIFEST_DIR"));
        }
    }
}

/// `false`: skipped with a message naming `test`; under CI a missing setup fails instead.
pub fn provider_ready(test: &str) -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    if oidc_dir().join("node_modules/oidc-provider").is_dir() && Command::new("node").arg("--version").output().is_ok() {
        return true;
    }
    let why = "crates/hub/tests/oidc has no node_modules (npm ci --prefix crates/hub/tests/oidc) or node is missing";
    assert!(!ci, "{test} cannot run under CI: {why}");
    eprintln!("SKIPPED {test}: {why}");
    false
}

/// `node provider.mjs`: the issuer; ID tokens, a scripted browser and a person on another
/// device on request.
pub struct OpenIdProvider {
    child: Child,
    stdin: ChildStdin,
    lines: std::io::Lines<BufReader<ChildStdout>>,
    pub issuer: String,
}

impl OpenIdProvider {
    /// A provider whose ID tokens live `id_token_ttl` seconds.
    pub fn start(id_token_ttl: u64) -> OpenIdProvider {
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(oidc_dir())
            .env("ID_TOKEN_TTL", id_token_ttl.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let issuer = first["issuer"].as_str().unwrap().to_owned();
        OpenIdProvider { child, stdin, lines, issuer }
    }

    /// One command to the provider script and its JSON answer.
    pub fn ask(&mut self, command: &str) -> serde_json::Value {
        writeln!(self.stdin, "{command}").unwrap();
        serde_json::from_str(&self.lines.next().unwrap().unwrap()).unwrap()
    }

    /// An ID token for `user` signed in to `client` (code flow with PKCE).
    pub fn id_token(&mut self, client: &str, user: &str) -> String {
        let answer = self.ask(&format!("token {client} {user}"));
        answer["id_token"].as_str().unwrap_or_else(|| panic!("no ID token: {answer}")).to_owned()
    }

    /// The browser a client sent to `url`: signs `user` in and consents, then calls the
    /// client's loopback redirect; `{"status", "body"}` of the page the client answered.
    pub fn browse(&mut self, user: &str, url: &str, mode: &str) -> serde_json::Value {
        self.ask(&format!("browse {user} {url} {mode}"))
    }

    /// This provider in `hub serve --oidc FILE`'s `providers` (audience konsekvens-hub, the
    /// `org` claim: 101 København and 561 Esbjerg as members).
    pub fn hub_config(&self, leeway: u64) -> serde_json::Value {
        serde_json::json!({
            "issuer": self.issuer, "audience": "konsekvens-hub", "jwks_uri": format!("{}/jwks", self.issuer),
            "claim": "org", "organisations": { "101": { "org": "101" }, "561": { "org": "561" } }, "leeway_seconds": leeway
        })
    }
}

impl Drop for OpenIdProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
