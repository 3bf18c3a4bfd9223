//! Signing in at the municipality's OpenID provider, for the CLI (`konsekvens login`) and
//! the app alike: the ID token a client then presents to the hub (see [`crate::oidc`] for
//! how the hub checks it).
//!
//! - **Browser** ([`BrowserLogin`]): the authorization code flow with PKCE (RFC 7636,
//!   `S256`) and a loopback redirect (RFC 8252 §7.3): a listener on `127.0.0.1` on an
//!   ephemeral port receives the code; `state` must come back unchanged and the ID token must
//!   carry our `nonce`; the code is exchanged at the token endpoint from discovery.
//! - **Device** ([`DeviceLogin`], RFC 8628) for machines without a browser: the user opens
//!   the provider's page elsewhere and types the code shown; offered when discovery names a
//!   `device_authorization_endpoint`.
//! - **Refresh** ([`refresh`]): a new ID token from the refresh token (`offline_access`),
//!   for the same subject; otherwise the user signs in again.
//!
//! Every ID token is checked here as the hub checks it (signature by a key of the
//! provider's JWKS with an asymmetric algorithm, issuer, audience = our client id, expiry)
//! plus the nonce, before it is kept. Endpoints must be `https://`, or `http://` on loopback.
//!
//! The sign-in is kept in [`CredentialStore`]: one JSON file in the user's configuration
//! directory, readable only by the user (mode 0600), never printed (`Debug` hides the tokens).
//!
//! What the CLI and the app share beyond the protocol: [`browser_sign_in`] (discovery, the
//! loopback listener, the system browser opened by [`open_browser`] — or the program named by
//! `KONSEKVENS_BROWSER`, which tests use to play the browser), and [`CredentialStore::identity`],
//! the one rule for whom new edits are recorded as: the signed-in person while the sign-in is
//! valid (refreshed when it has expired); an expired sign-in that cannot be refreshed is
//! never used as identity.

use crate::oidc::{allowed_algorithm, fetch_jwks};
use base64::Engine;
use jsonwebtoken::{DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The scopes asked for: the ID token's name and e-mail, the organisation claim (`profile`),
/// and a refresh token.
pub const SCOPE: &str = "openid profile email offline_access";
/// The largest answer read from a provider.
const MAX_BODY: u64 = 1 << 20;
/// The largest request read on the loopback listener.
const MAX_REQUEST: usize = 16 * 1024;
/// An ID token this close to its expiry is refreshed before use.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("[K-LOGIN-DISCOVERY] udbyderen {issuer} kan ikke bruges: {why} (the OpenID provider cannot be used)")]
    Discovery { issuer: String, why: String },
    #[error("[K-LOGIN-STATE] svaret til log-ind-siden passer ikke til dette log-ind (forkert state); intet er gemt. Log ind igen (the redirect does not belong to this sign-in)")]
    State,
    #[error("[K-LOGIN-DENIED] udbyderen afviste log-ind: {0} (the provider refused the sign-in)")]
    Denied(String),
    #[error("[K-LOGIN-TOKEN] udbyderen udstedte ingen tokens: {0} (the provider's token endpoint refused)")]
    Token(String),
    #[error("[K-LOGIN-ID-TOKEN] ID-tokenet fra udbyderen kan ikke godtages: {0} (the provider's ID token is not valid)")]
    IdToken(String),
    #[error("[K-LOGIN-TIMEOUT] log-ind blev ikke fuldført inden for {0:?}; prøv igen (the sign-in did not complete in time)")]
    Timeout(Duration),
    #[error("[K-LOGIN-NO-DEVICE] udbyderen tilbyder ikke log-ind med kode på en anden enhed (device flow); brug log-ind i browseren (the provider has no device authorization endpoint)")]
    NoDevice,
    #[error("[K-LOGIN-EXPIRED] dit log-ind er udløbet og kan ikke fornys ({0}); log ind igen med «konsekvens login» (the sign-in has expired)")]
    Expired(String),
    #[error("[K-LOGIN-NONE] du er ikke logget ind; log ind med «konsekvens login --issuer URL --client-id ID» (not signed in)")]
    NotSignedIn,
    #[error("[K-LOGIN-STORE] log-ind kan ikke gemmes eller læses i {path}: {why} (the sign-in cannot be stored)")]
    Store { path: String, why: String },
    #[error("[K-LOGIN-NET] udbyderen kan ikke nås: {0} (cannot reach the provider)")]
    Network(String),
}

impl SignInError {
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::Discovery { .. } => "K-LOGIN-DISCOVERY",
            SignInError::State => "K-LOGIN-STATE",
            SignInError::Denied(_) => "K-LOGIN-DENIED",
            SignInError::Token(_) => "K-LOGIN-TOKEN",
            SignInError::IdToken(_) => "K-LOGIN-ID-TOKEN",
            SignInError::Timeout(_) => "K-LOGIN-TIMEOUT",
            SignInError::NoDevice => "K-LOGIN-NO-DEVICE",
            SignInError::Expired(_) => "K-LOGIN-EXPIRED",
            SignInError::NotSignedIn => "K-LOGIN-NONE",
            SignInError::Store { .. } => "K-LOGIN-STORE",
            SignInError::Network(_) => "K-LOGIN-NET",
        }
    }
}

/// Where the provider says its endpoints are (OpenID Connect Discovery).
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
}

/// `https://`, or `http://` to a loopback address (a provider on the same machine, tests).
fn acceptable_endpoint(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

fn agent() -> Result<ureq::Agent, SignInError> {
    let tls = native_tls::TlsConnector::new().map_err(|e| SignInError::Network(e.to_string()))?;
    Ok(ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(20))
        // Never follow a redirect with a code, a refresh token or a device code.
        .redirects(0)
        .tls_connector(std::sync::Arc::new(tls))
        .build())
}

fn read_body(response: ureq::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    response.into_reader().take(MAX_BODY + 1).read_to_end(&mut body).map_err(|e| e.to_string())?;
    if body.len() as u64 > MAX_BODY {
        return Err(format!("svaret er større end {MAX_BODY} bytes"));
    }
    Ok(body)
}

/// Reads the provider's discovery document; its `issuer` must be exactly `issuer`.
pub fn discover(issuer: &str) -> Result<Discovery, SignInError> {
    let issuer = issuer.trim_end_matches('/');
    let bad = |why: String| SignInError::Discovery { issuer: issuer.to_owned(), why };
    if !acceptable_endpoint(issuer) {
        return Err(bad("udstederen skal være en https://-adresse (http:// kun på 127.0.0.1)".into()));
    }
    let url = format!("{issuer}/.well-known/openid-configuration");
    let response = agent()?.get(&url).call().map_err(|e| bad(e.to_string()))?;
    let body = read_body(response).map_err(bad)?;
    let d: Discovery = serde_json::from_slice(&body).map_err(|e| bad(format!("ikke et discovery-dokument: {e}")))?;
    if d.issuer.trim_end_matches('/') != issuer {
        return Err(bad(format!("dokumentet angiver udstederen {}", crate::live::printable(&d.issuer))));
    }
    for (what, url) in [
        ("authorization_endpoint", Some(&d.authorization_endpoint)),
        ("token_endpoint", Some(&d.token_endpoint)),
        ("jwks_uri", Some(&d.jwks_uri)),
        ("device_authorization_endpoint", d.device_authorization_endpoint.as_ref()),
    ] {
        if let Some(url) = url {
            if !acceptable_endpoint(url) {
                return Err(bad(format!("{what} skal være https:// ({})", crate::live::printable(url))));
            }
        }
    }
    Ok(d)
}

/// A kept sign-in. `Debug` never shows the tokens.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Credentials {
    pub issuer: String,
    pub client_id: String,
    pub id_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The ID token's `exp` (seconds since 1970).
    pub expires_at: u64,
    pub subject: String,
    /// The `name` claim (else the e-mail, else the subject): who is signed in.
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The organisation the provider's token names (the `org` claim, else Entra's tenant
    /// `tid`), as the person sees it; the hub maps it by its own configuration.
    #[serde(default)]
    pub org: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("id_token", &"…")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .field("expires_at", &self.expires_at)
            .field("name", &self.name)
            .finish()
    }
}

impl Credentials {
    /// «Mette Holm <mette@kk.dk>»: the person as the hub also names them.
    pub fn person(&self) -> String {
        match &self.email {
            Some(e) if *e != self.name => format!("{} <{e}>", self.name),
            _ => self.name.clone(),
        }
    }

    /// Whether the ID token expires within `margin`.
    pub fn expires_within(&self, margin: Duration) -> bool {
        now_secs() + margin.as_secs() >= self.expires_at
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn random_b64(bytes: usize) -> String {
    let v: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

/// Checks an ID token as the hub will (and the nonce when one was sent); its claims.
pub fn validate_id_token(d: &Discovery, client_id: &str, id_token: &str, nonce: Option<&str>) -> Result<Credentials, SignInError> {
    let bad = |why: &str| SignInError::IdToken(why.to_owned());
    if id_token.len() > crate::oidc::MAX_ID_TOKEN {
        return Err(bad("for stort"));
    }
    let header = jsonwebtoken::decode_header(id_token).map_err(|_| bad("kan ikke læses"))?;
    if !allowed_algorithm(header.alg) {
        return Err(bad("ikke signeret med en tilladt algoritme"));
    }
    let keys = fetch_jwks(&d.jwks_uri).map_err(|e| bad(&format!("udbyderens nøgler kan ikke hentes: {e}")))?;
    let key = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or_else(|| bad("signeret med en nøgle, udbyderen ikke har offentliggjort"))?;
    let decoding = DecodingKey::from_jwk(key).map_err(|_| bad("udbyderens nøgle kan ikke bruges"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&d.issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 30;
    let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(id_token, &decoding, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind::*;
        match e.kind() {
            ExpiredSignature => bad("udløbet"),
            InvalidAudience => bad("udstedt til en anden modtager (aud)"),
            InvalidIssuer => bad("udstederen passer ikke"),
            InvalidSignature => bad("signaturen er ikke gyldig"),
            _ => bad("ikke gyldigt"),
        }
    })?;
    let claims = data.claims;
    if let Some(nonce) = nonce {
        if claims.get("nonce").and_then(|v| v.as_str()) != Some(nonce) {
            return Err(bad("nonce passer ikke til dette log-ind"));
        }
    }
    let text = |k: &str| {
        claims.get(k).and_then(|v| v.as_str()).map(|s| s.chars().filter(|c| !c.is_control()).take(120).collect::<String>()).filter(|s| !s.is_empty())
    };
    let subject = text("sub").ok_or_else(|| bad("intet subjekt (sub)"))?;
    let email = text("email");
    let name = text("name").or_else(|| email.clone()).unwrap_or_else(|| subject.clone());
    let expires_at = claims.get("exp").and_then(|v| v.as_u64()).ok_or_else(|| bad("intet udløb (exp)"))?;
    let org = match claims.get("org") {
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).next().map(|s| s.chars().filter(|c| !c.is_control()).take(120).collect()),
        _ => text("org"),
    }
    .or_else(|| text("tid"));
    Ok(Credentials { issuer: d.issuer.clone(), client_id: client_id.to_owned(), id_token: id_token.to_owned(), refresh_token: None, expires_at, subject, name, email, org })
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// POSTs a form to the token endpoint: the answer, or the provider's OAuth error.
fn token_request(d: &Discovery, form: &[(&str, &str)]) -> Result<Result<TokenAnswer, OAuthError>, SignInError> {
    let body = match agent()?.post(&d.token_endpoint).send_form(form) {
        Ok(r) => read_body(r).map_err(SignInError::Token)?,
        Err(ureq::Error::Status(_, r)) => {
            let body = read_body(r).map_err(SignInError::Token)?;
            let e: OAuthError = serde_json::from_slice(&body)
                .map_err(|_| SignInError::Token(crate::live::printable(&String::from_utf8_lossy(&body).chars().take(200).collect::<String>())))?;
            return Ok(Err(e));
        }
        Err(e) => return Err(SignInError::Network(e.to_string())),
    };
    serde_json::from_slice(&body).map(Ok).map_err(|e| SignInError::Token(format!("svaret er ikke JSON: {e}")))
}

fn oauth_text(e: &OAuthError) -> String {
    let text = match &e.error_description {
        Some(d) => format!("{} ({d})", e.error),
        None => e.error.clone(),
    };
    crate::live::printable(&text.chars().take(300).collect::<String>())
}

fn credentials(d: &Discovery, client_id: &str, answer: TokenAnswer, nonce: Option<&str>) -> Result<Credentials, SignInError> {
    let id_token = answer.id_token.ok_or_else(|| SignInError::Token("intet ID-token i svaret (er scope «openid» tilladt?)".into()))?;
    let mut c = validate_id_token(d, client_id, &id_token, nonce)?;
    c.refresh_token = answer.refresh_token;
    Ok(c)
}

/// A browser sign-in under way: the loopback listener waits for the provider's redirect.
pub struct BrowserLogin {
    discovery: Discovery,
    client_id: String,
    listener: TcpListener,
    redirect_uri: String,
    state: String,
    nonce: String,
    verifier: String,
    url: String,
}

impl BrowserLogin {
    /// Binds `127.0.0.1:0` and builds the authorization URL (open it in the system browser).
    pub fn start(discovery: Discovery, client_id: &str) -> Result<BrowserLogin, SignInError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| SignInError::Network(format!("127.0.0.1: {e}")))?;
        let port = listener.local_addr().map_err(|e| SignInError::Network(e.to_string()))?.port();
        let redirect_uri = format!("http://127.0.0.1:{port}/callback");
        let state = random_b64(24);
        let nonce = random_b64(24);
        let verifier = random_b64(48);
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut url = url::Url::parse(&discovery.authorization_endpoint)
            .map_err(|e| SignInError::Discovery { issuer: discovery.issuer.clone(), why: e.to_string() })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", SCOPE)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            // Needed for `offline_access` (a refresh token) at most providers.
            .append_pair("prompt", "consent");
        Ok(BrowserLogin { discovery, client_id: client_id.to_owned(), listener, redirect_uri, state, nonce, verifier, url: url.into() })
    }

    /// The URL to open in the browser.
    pub fn authorization_url(&self) -> &str {
        &self.url
    }

    /// The loopback redirect URI (`http://127.0.0.1:PORT/callback`).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits (blocking) for the redirect, checks `state`, exchanges the code (with the PKCE
    /// verifier) and checks the ID token (with the nonce). The browser is shown a short page
    /// saying how it went. Requests for other paths (a favicon) get 404 and are ignored.
    pub fn finish(self, timeout: Duration) -> Result<Credentials, SignInError> {
        let deadline = Instant::now() + timeout;
        self.listener.set_nonblocking(true).map_err(|e| SignInError::Network(e.to_string()))?;
        loop {
            let (mut stream, _) = match self.listener.accept() {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(SignInError::Timeout(timeout));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                Err(e) => return Err(SignInError::Network(e.to_string())),
            };
            let Some(target) = read_request_target(&mut stream) else {
                respond(&mut stream, 400, "Ugyldig forespørgsel (bad request).");
                continue;
            };
            let Some(query) = target.strip_prefix("/callback?").or_else(|| (target == "/callback").then_some("")) else {
                respond(&mut stream, 404, "Ikke fundet (not found).");
                continue;
            };
            let params: std::collections::HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let result = self.callback(&params);
            match &result {
                Ok(c) => respond(&mut stream, 200, &format!("Du er logget ind i Konsekvens som {}. Du kan lukke dette vindue. (Signed in; you may close this window.)", html_escape(&c.person()))),
                Err(e) => respond(&mut stream, 400, &format!("Log-ind mislykkedes: {}", html_escape(&e.to_string()))),
            }
            return result;
        }
    }

    /// Completes the sign-in from the redirect URL itself (when the user pastes it because
    /// the loopback redirect could not reach this program): the same checks as [`finish`](Self::finish).
    pub fn complete(&self, redirect_url: &str) -> Result<Credentials, SignInError> {
        let url = url::Url::parse(redirect_url).map_err(|_| SignInError::State)?;
        let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        self.callback(&params)
    }

    fn callback(&self, params: &std::collections::HashMap<String, String>) -> Result<Credentials, SignInError> {
        // The state first: a redirect that is not ours is not read any further.
        if params.get("state").map(String::as_str) != Some(self.state.as_str()) {
            return Err(SignInError::State);
        }
        if let Some(error) = params.get("error") {
            return Err(SignInError::Denied(oauth_text(&OAuthError { error: error.clone(), error_description: params.get("error_description").cloned() })));
        }
        let code = params.get("code").ok_or_else(|| SignInError::Denied("ingen kode i svaret".into()))?;
        exchange_code(&self.discovery, &self.client_id, code, &self.redirect_uri, &self.verifier, &self.nonce)
    }
}

/// Exchanges an authorization code (with the PKCE verifier); checks the ID token's nonce.
pub fn exchange_code(d: &Discovery, client_id: &str, code: &str, redirect_uri: &str, verifier: &str, nonce: &str) -> Result<Credentials, SignInError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier),
    ];
    match token_request(d, &form)? {
        Ok(answer) => credentials(d, client_id, answer, Some(nonce)),
        Err(e) => Err(SignInError::Token(oauth_text(&e))),
    }
}

/// The request target of an HTTP/1 request line (bounded read).
fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_REQUEST {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().next()?;
    let mut parts = line.split(' ');
    (parts.next()? == "GET").then_some(())?;
    Some(parts.next()?.to_owned())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!("<!doctype html><html lang=\"da\"><meta charset=\"utf-8\"><title>Konsekvens</title><p>{text}</p></html>");
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// The environment variable naming a program run with the authorization URL as its only
/// argument instead of the system browser (tests play the browser with it; a site may
/// prefer a particular browser).
pub const BROWSER_ENV: &str = "KONSEKVENS_BROWSER";

/// Opens `url` in the system browser (the `open` crate: xdg-open, `start`, `open`), or runs
/// the program named by [`BROWSER_ENV`] with it. Does not wait for the browser.
pub fn open_browser(url: &str) -> Result<(), String> {
    match std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()) {
        Some(program) => std::process::Command::new(&program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .spawn()
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", std::path::Path::new(&program).display())),
        None => open::that_detached(url).map_err(|e| e.to_string()),
    }
}

/// The whole browser sign-in, as `konsekvens login` and the app's «Log ind» run it: discovery
/// at `issuer`, the loopback listener, `announce(authorization URL, redirect URI)` (to show
/// the address in case the browser does not open), the browser opened when `open` (a failure
/// to open it is announced, not fatal: the user may open the address by hand), then the
/// redirect awaited for at most `timeout`. The caller keeps the result ([`CredentialStore::save`]).
pub fn browser_sign_in(issuer: &str, client_id: &str, timeout: Duration, open: bool, mut announce: impl FnMut(BrowserEvent<'_>)) -> Result<Credentials, SignInError> {
    let discovery = discover(issuer)?;
    let browser = BrowserLogin::start(discovery, client_id)?;
    announce(BrowserEvent::Started { url: browser.authorization_url(), redirect_uri: browser.redirect_uri() });
    if open {
        if let Err(why) = open_browser(browser.authorization_url()) {
            announce(BrowserEvent::NotOpened { why: &why });
        }
    }
    browser.finish(timeout)
}

/// What [`browser_sign_in`] tells its caller while it runs.
#[derive(Debug, Clone, Copy)]
pub enum BrowserEvent<'a> {
    /// The listener waits at `redirect_uri`; `url` is what the browser is sent to.
    Started { url: &'a str, redirect_uri: &'a str },
    /// The browser could not be started.
    NotOpened { why: &'a str },
}

/// A device sign-in under way (RFC 8628): show `user_code` and `verification_uri`, then poll.
pub struct DeviceLogin {
    discovery: Discovery,
    client_id: String,
    device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    interval: Duration,
    expires_in: Duration,
}

#[derive(Deserialize)]
struct DeviceAnswer {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
}

impl DeviceLogin {
    pub fn start(discovery: Discovery, client_id: &str) -> Result<DeviceLogin, SignInError> {
        let endpoint = discovery.device_authorization_endpoint.clone().ok_or(SignInError::NoDevice)?;
        let body = match agent()?.post(&endpoint).send_form(&[("client_id", client_id), ("scope", SCOPE)]) {
            Ok(r) => read_body(r).map_err(SignInError::Token)?,
            Err(ureq::Error::Status(_, r)) => {
                let body = read_body(r).map_err(SignInError::Token)?;
                let text = serde_json::from_slice::<OAuthError>(&body).map(|e| oauth_text(&e)).unwrap_or_else(|_| "afvist".into());
                return Err(SignInError::Denied(text));
            }
            Err(e) => return Err(SignInError::Network(e.to_string())),
        };
        let a: DeviceAnswer = serde_json::from_slice(&body).map_err(|e| SignInError::Token(format!("svaret er ikke et device-svar: {e}")))?;
        for url in std::iter::once(&a.verification_uri).chain(a.verification_uri_complete.as_ref()) {
            if !acceptable_endpoint(url) {
                return Err(SignInError::Discovery { issuer: discovery.issuer.clone(), why: format!("verification_uri skal være https:// ({})", crate::live::printable(url)) });
            }
        }
        Ok(DeviceLogin {
            discovery,
            client_id: client_id.to_owned(),
            device_code: a.device_code,
            user_code: crate::live::printable(&a.user_code.chars().take(32).collect::<String>()),
            verification_uri: a.verification_uri,
            verification_uri_complete: a.verification_uri_complete,
            interval: Duration::from_secs(a.interval.unwrap_or(5).clamp(1, 60)),
            expires_in: Duration::from_secs(a.expires_in.clamp(10, 3600)),
        })
    }

    /// Polls the token endpoint (blocking) until the user has signed in, refused, or the
    /// code expired. `min_interval` only shortens waits in tests; the provider's
    /// `slow_down` is obeyed.
    pub fn finish(self, min_interval: Option<Duration>) -> Result<Credentials, SignInError> {
        let deadline = Instant::now() + self.expires_in;
        let mut interval = min_interval.map_or(self.interval, |m| m.min(self.interval));
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", self.device_code.as_str()),
            ("client_id", self.client_id.as_str()),
        ];
        loop {
            if Instant::now() >= deadline {
                return Err(SignInError::Timeout(self.expires_in));
            }
            std::thread::sleep(interval);
            match token_request(&self.discovery, &form)? {
                Ok(answer) => return credentials(&self.discovery, &self.client_id, answer, None),
                Err(e) if e.error == "authorization_pending" => {}
                Err(e) if e.error == "slow_down" => interval += Duration::from_secs(5),
                Err(e) if e.error == "expired_token" => return Err(SignInError::Timeout(self.expires_in)),
                Err(e) => return Err(SignInError::Denied(oauth_text(&e))),
            }
        }
    }
}

/// A new ID token from the refresh token, for the same person (OpenID Connect Core §12.2).
pub fn refresh(old: &Credentials) -> Result<Credentials, SignInError> {
    let refresh_token = old.refresh_token.as_deref().ok_or_else(|| SignInError::Expired("intet fornyelsestoken".into()))?;
    let d = discover(&old.issuer)?;
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", old.client_id.as_str())];
    let answer = match token_request(&d, &form)? {
        Ok(a) => a,
        Err(e) => return Err(SignInError::Expired(oauth_text(&e))),
    };
    let mut fresh = credentials(&d, &old.client_id, answer, None)?;
    if fresh.subject != old.subject {
        return Err(SignInError::IdToken("det nye ID-token gælder en anden person (sub)".into()));
    }
    if fresh.refresh_token.is_none() {
        fresh.refresh_token = old.refresh_token.clone();
    }
    Ok(fresh)
}

/// Where the sign-in is kept: one file, readable only by its user.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    path: PathBuf,
}

impl CredentialStore {
    /// `KONSEKVENS_CONFIG_DIR`, else the user's configuration directory (`~/.config`,
    /// `%APPDATA%`, `~/Library/Application Support`), `konsekvens/log-ind.json`.
    pub fn default_location() -> Result<CredentialStore, SignInError> {
        let dir = match std::env::var_os("KONSEKVENS_CONFIG_DIR").filter(|v| !v.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => dirs::config_dir()
                .ok_or_else(|| SignInError::Store { path: "~".into(), why: "ingen konfigurationsmappe (no configuration directory)".into() })?
                .join("konsekvens"),
        };
        Ok(CredentialStore { path: dir.join("log-ind.json") })
    }

    pub fn at(path: &Path) -> CredentialStore {
        CredentialStore { path: path.to_owned() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, why: impl std::fmt::Display) -> SignInError {
        SignInError::Store { path: self.path.display().to_string(), why: why.to_string() }
    }

    /// The kept sign-in, if any.
    pub fn load(&self) -> Result<Option<Credentials>, SignInError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.fail(e)),
        };
        if bytes.len() as u64 > MAX_BODY {
            return Err(self.fail("filen er for stor"));
        }
        serde_json::from_slice(&bytes).map(Some).map_err(|e| self.fail(e))
    }

    /// Writes the sign-in (a new file, mode 0600, renamed into place).
    pub fn save(&self, c: &Credentials) -> Result<(), SignInError> {
        let dir = self.path.parent().ok_or_else(|| self.fail("ingen mappe"))?;
        std::fs::create_dir_all(dir).map_err(|e| self.fail(e))?;
        let tmp = dir.join(format!(".log-ind-{:016x}.tmp", rand::random::<u64>()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = (|| {
            let mut f = options.open(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(c).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.fail(e));
        }
        Ok(())
    }

    /// Forgets the sign-in; `false` when there was none.
    pub fn remove(&self) -> Result<bool, SignInError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// A valid ID token for the hub: the kept one, or a refreshed one (then kept) when it
    /// expires within [`REFRESH_MARGIN`]. `Expired` when it cannot be refreshed.
    pub fn fresh(&self) -> Result<Credentials, SignInError> {
        let c = self.load()?.ok_or(SignInError::NotSignedIn)?;
        if !c.expires_within(REFRESH_MARGIN) {
            return Ok(c);
        }
        self.renew(&c)
    }

    /// Whom new edits are recorded as: `Ok(None)` when nobody is signed in; the kept sign-in
    /// while its ID token is valid; when it has expired, a refreshed one (kept). An expired
    /// sign-in that cannot be refreshed is an error (`K-LOGIN-EXPIRED`, or `K-LOGIN-NET` when
    /// the provider cannot be reached) — never the identity: whoever holds the machine after
    /// the sign-in ended must not act under the name it vouched for without signing in again.
    pub fn identity(&self) -> Result<Option<Credentials>, SignInError> {
        let Some(c) = self.load()? else { return Ok(None) };
        if !c.expires_within(Duration::ZERO) {
            return Ok(Some(c));
        }
        self.renew(&c).map(Some)
    }

    /// A refreshed sign-in (kept), whatever the expiry of the current one.
    pub fn renew(&self, c: &Credentials) -> Result<Credentials, SignInError> {
        let fresh = match refresh(c) {
            Ok(f) => f,
            Err(SignInError::Network(why)) => return Err(SignInError::Network(why)),
            Err(e @ SignInError::Expired(_)) => return Err(e),
            Err(e) => return Err(SignInError::Expired(e.to_string())),
        };
        self.save(&fresh)?;
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Credentials {
        Credentials {
            issuer: "https://login.example.dk".into(),
            client_id: "konsekvens-hub".into(),
            id_token: "eyJsecret.id.token".into(),
            refresh_token: Some("refresh-secret".into()),
            expires_at: now_secs() + 3600,
            subject: "mette".into(),
            name: "Mette Holm".into(),
            email: Some("mette@kk.dk".into()),
            org: Some("101".into()),
        }
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert!(acceptable_endpoint("https://login.microsoftonline.com/x/v2.0"));
        assert!(acceptable_endpoint("http://127.0.0.1:8080/auth"));
        assert!(acceptable_endpoint("http://localhost:8080/auth"));
        assert!(!acceptable_endpoint("http://login.example.dk/auth"));
        assert!(!acceptable_endpoint("http://127.0.0.1.evil.example/auth"));
        assert!(!acceptable_endpoint("file:///etc/passwd"));
        assert!(!acceptable_endpoint("javascript:alert(1)"));
    }

    #[test]
    fn the_kept_sign_in_is_private_and_never_debug_printed() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialStore::at(&dir.path().join("sub/log-ind.json"));
        assert_eq!(store.load().unwrap(), None);
        store.save(&sample()).unwrap();
        assert_eq!(store.load().unwrap(), Some(sample()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("secret") && shown.contains("Mette Holm"), "{shown}");
        assert_eq!(sample().person(), "Mette Holm <mette@kk.dk>");
        assert!(!sample().expires_within(REFRESH_MARGIN));
        assert!(Credentials { expires_at: now_secs() + 30, ..sample() }.expires_within(REFRESH_MARGIN));
        // Damaged: a clear error, not a panic.
        std::fs::write(store.path(), b"{not json").unwrap();
        assert_eq!(store.load().unwrap_err().code(), "K-LOGIN-STORE");
        assert!(store.remove().unwrap());
        assert!(!store.remove().unwrap());
        assert_eq!(store.fresh().unwrap_err().code(), "K-LOGIN-NONE");
    }

    #[test]
    fn an_expired_sign_in_that_cannot_be_refreshed_is_never_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialStore::at(&dir.path().join("log-ind.json"));
        assert_eq!(store.identity().unwrap(), None, "nobody signed in");
        store.save(&sample()).unwrap();
        assert_eq!(store.identity().unwrap().map(|c| c.person()), Some("Mette Holm <mette@kk.dk>".into()));
        // Expired, no refresh token: refused, and the kept sign-in is left for «log ind igen».
        store.save(&Credentials { expires_at: now_secs() - 1, refresh_token: None, ..sample() }).unwrap();
        assert_eq!(store.identity().unwrap_err().code(), "K-LOGIN-EXPIRED");
        // Expired with a refresh token at a provider that cannot be reached: still no identity.
        store.save(&Credentials { expires_at: now_secs() - 1, issuer: "http://127.0.0.1:9".into(), ..sample() }).unwrap();
        assert!(store.identity().is_err());
        assert!(store.load().unwrap().is_some());
    }

    #[test]
    fn the_browser_program_of_the_environment_gets_the_url() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("url");
        let program = dir.path().join("browser.sh");
        std::fs::write(&program, format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", out.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::env::set_var(BROWSER_ENV, &program);
            open_browser("http://127.0.0.1:9/auth?x=1&y=2").unwrap();
            std::env::set_var(BROWSER_ENV, dir.path().join("missing"));
            assert!(open_browser("http://127.0.0.1:9/auth").unwrap_err().contains("missing"));
            std::env::remove_var(BROWSER_ENV);
            let started = Instant::now();
            while std::fs::read_to_string(&out).unwrap_or_default().is_empty() {
                assert!(started.elapsed() < Duration::from_secs(10), "the browser program was not run");
                std::thread::sleep(Duration::from_millis(20));
            }
            assert_eq!(std::fs::read_to_string(&out).unwrap(), "http://127.0.0.1:9/auth?x=1&y=2");
        }
    }

    #[test]
    fn the_loopback_listener_refuses_a_foreign_state_and_ignores_other_paths() {
        let d = Discovery {
            issuer: "http://127.0.0.1:9".into(),
            authorization_endpoint: "http://127.0.0.1:9/auth".into(),
            token_endpoint: "http://127.0.0.1:9/token".into(),
            jwks_uri: "http://127.0.0.1:9/jwks".into(),
            device_authorization_endpoint: None,
        };
        let login = BrowserLogin::start(d, "konsekvens-hub").unwrap();
        let url = url::Url::parse(login.authorization_url()).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["redirect_uri"], login.redirect_uri());
        assert!(login.redirect_uri().starts_with("http://127.0.0.1:"));
        assert_ne!(q["state"], q["nonce"]);
        let port = login.redirect_uri().trim_start_matches("http://127.0.0.1:").trim_end_matches("/callback").to_owned();
        let get = move |path: &str| {
            let mut s = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let client = std::thread::spawn(move || (get("/favicon.ico"), get("/callback?code=abc&state=not-ours")));
        let err = login.finish(Duration::from_secs(10)).unwrap_err();
        assert_eq!(err.code(), "K-LOGIN-STATE");
        let (favicon, callback) = client.join().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        assert!(callback.starts_with("HTTP/1.1 400") && callback.contains("Log-ind mislykkedes"), "{callback}");
    }
}
