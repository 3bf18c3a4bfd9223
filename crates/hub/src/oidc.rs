//! OpenID Connect sign-in at the hub, beside tokens (which stay, for scripts and service
//! accounts): a client presents the ID token its user got from the municipality's identity
//! provider as the bearer (`Authorization: Bearer eyJ…` or `?token=eyJ…`). The hub accepts it
//! only from a configured provider (`hub serve --oidc FILE`), signed by a key of that
//! provider's JWKS with an asymmetric algorithm (never `none` or a shared secret), for the
//! configured audience, and not expired (30 s leeway by default); a configured claim (`org`, Entra's
//! `tid`, a group) maps to a registered organisation and a role. A claim value that maps to
//! no organisation is refused (HTTP 403, `K-HUB-OIDC-ORG`), whatever else the token says.
//!
//! A signed-in person is a row of `tokens` (`HubStore::signed_in`), labelled with their name
//! and e-mail, so `hub log`, `hub token list`, refusals and the per-token limits name and
//! count the person, and `hub token revoke --id N` locks them out. Its hash can never match a
//! presented secret.
//!
//! The provider's keys are fetched from its `jwks_uri` when the hub starts and every five
//! minutes (a token with an unknown key id asks for a fetch at once, at most one a minute),
//! never while a handshake waits.

use crate::codes::{OIDC, OIDC_EXPIRED, OIDC_ORG};
use crate::rights::Role;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An ID token longer than this is refused before it is decoded.
pub const MAX_ID_TOKEN: usize = 16 * 1024;
/// How often the keys are fetched again.
pub const JWKS_REFRESH: Duration = Duration::from_secs(300);
/// An unknown key id asks for a fetch at most this often.
const JWKS_MIN_INTERVAL: Duration = Duration::from_secs(60);
/// The largest JWKS read.
const MAX_JWKS: u64 = 1 << 20;

/// `hub serve --oidc FILE`: the providers whose ID tokens the hub accepts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    pub providers: Vec<ProviderConfig>,
}

/// One identity provider (e.g. a municipality's Entra ID tenant, KOMBIT's access management).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Exactly as the tokens' `iss` says it.
    pub issuer: String,
    /// The client id the hub's users sign in with: the tokens' `aud` must contain it.
    pub audience: String,
    /// Where the provider publishes its signing keys (its discovery document's `jwks_uri`).
    pub jwks_uri: String,
    /// The claim that names the organisation: a string, or an array of strings (groups).
    pub claim: String,
    /// Claim value → the organisation (its code at the hub) and the role.
    pub organisations: BTreeMap<String, Mapping>,
    /// Clock skew tolerated on `exp` (seconds; default 30).
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
}

fn default_leeway() -> u64 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub org: String,
    #[serde(default = "member")]
    pub role: String,
}

fn member() -> String {
    "member".to_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum OidcConfigError {
    #[error("{path}: {why}")]
    Read { path: String, why: String },
    #[error("{path}: {why}")]
    Invalid { path: String, why: String },
}

impl OidcConfig {
    /// Reads and checks the configuration (every role known, every issuer once).
    pub fn read(path: &Path) -> Result<OidcConfig, OidcConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| OidcConfigError::Read { path: shown.clone(), why: e.to_string() })?;
        let config: OidcConfig =
            serde_json::from_str(&text).map_err(|e| OidcConfigError::Invalid { path: shown.clone(), why: e.to_string() })?;
        let invalid = |why: String| OidcConfigError::Invalid { path: shown.clone(), why };
        for (i, p) in config.providers.iter().enumerate() {
            if config.providers[..i].iter().any(|q| q.issuer == p.issuer) {
                return Err(invalid(format!("the issuer {} is configured twice", p.issuer)));
            }
            if !(p.jwks_uri.starts_with("https://") || p.jwks_uri.starts_with("http://")) {
                return Err(invalid(format!("{}: jwks_uri must be an http(s) URL", p.issuer)));
            }
            for (value, m) in &p.organisations {
                if Role::parse(&m.role).is_none() {
                    return Err(invalid(format!("{}: «{value}» → role «{}»: coordinator, member or reader", p.issuer, m.role)));
                }
            }
        }
        Ok(config)
    }
}

/// Who an accepted ID token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub issuer: String,
    pub subject: String,
    pub org: String,
    pub role: Role,
    /// «name <e-mail>», as the token says (for the audit trail).
    pub person: String,
    /// The `name` claim (else the e-mail, else the subject): stamped onto presence.
    pub name: String,
    /// The token's `exp` plus the leeway (seconds since 1970): the hub closes the
    /// connection then (close code [`crate::codes::CLOSE_SIGN_IN_EXPIRED`]).
    pub expires_at: u64,
}

/// Why an ID token is refused: the HTTP status and the reason (code, Danish, English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub reason: String,
}

fn refused(why_da: &str, why_en: &str) -> Refused {
    Refused { status: 401, reason: format!("{OIDC}: {why_da} ({why_en})") }
}

struct Provider {
    config: ProviderConfig,
    keys: Mutex<Keys>,
}

struct Keys {
    set: JwkSet,
    fetched: Option<Instant>,
    wanted: bool,
}

/// The configured providers and their keys.
pub struct Oidc {
    providers: Vec<Provider>,
    /// Pokes the refresher when a token names an unknown key.
    pub(crate) refresh: tokio::sync::Notify,
}

/// Whether a bearer is shaped like a JWT (three base64url parts; hub tokens start `khub_`).
pub fn looks_like_jwt(bearer: &str) -> bool {
    bearer.starts_with("eyJ") && bearer.split('.').count() == 3
}

/// The unverified payload's `iss`, only to choose the provider whose rules then apply.
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    serde_json::from_slice::<Iss>(&bytes).ok().map(|i| i.iss)
}

/// Asymmetric algorithms only: with a shared secret anybody holding the (public) key could
/// sign, and `none` signs nothing.
pub(crate) fn allowed_algorithm(alg: Algorithm) -> bool {
    use Algorithm::*;
    matches!(alg, RS256 | RS384 | RS512 | PS256 | PS384 | PS512 | ES256 | ES384 | EdDSA)
}

fn key_algorithm_matches(jwk: &Jwk, alg: Algorithm) -> bool {
    let Some(declared) = jwk.common.key_algorithm else { return true };
    let same = |k: KeyAlgorithm| format!("{k:?}") == format!("{alg:?}");
    same(declared)
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Oidc {
        Oidc {
            providers: config
                .providers
                .into_iter()
                .map(|config| Provider { config, keys: Mutex::new(Keys { set: JwkSet { keys: Vec::new() }, fetched: None, wanted: false }) })
                .collect(),
            refresh: tokio::sync::Notify::new(),
        }
    }

    /// Fetches every provider's keys (blocking: call off the async workers). A provider that
    /// cannot be reached keeps the keys it had; the error names it.
    pub fn fetch_keys(&self, force: bool) -> Vec<String> {
        let mut errors = Vec::new();
        for p in &self.providers {
            {
                let keys = p.keys.lock().expect("keys lock");
                let due = keys.fetched.is_none_or(|at| at.elapsed() >= JWKS_REFRESH);
                let asked = keys.wanted && keys.fetched.is_none_or(|at| at.elapsed() >= JWKS_MIN_INTERVAL);
                if !(force || due || asked) {
                    continue;
                }
            }
            match fetch_jwks(&p.config.jwks_uri) {
                Ok(set) => {
                    let mut keys = p.keys.lock().expect("keys lock");
                    *keys = Keys { set, fetched: Some(Instant::now()), wanted: false };
                }
                Err(why) => {
                    let mut keys = p.keys.lock().expect("keys lock");
                    keys.fetched = Some(Instant::now());
                    keys.wanted = false;
                    errors.push(format!("{}: {why}", p.config.jwks_uri));
                }
            }
        }
        errors
    }

    /// Verifies an ID token and maps it to an organisation and a role.
    pub fn verify(&self, token: &str) -> Result<SignedIn, Refused> {
        if token.len() > MAX_ID_TOKEN {
            return Err(refused("ID-tokenet er for stort", "the ID token is too large"));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| refused("ID-tokenet kan ikke læses", "the ID token cannot be read"))?;
        if !allowed_algorithm(header.alg) {
            return Err(refused("ID-tokenet er ikke signeret med en tilladt algoritme", "the ID token is not signed with an accepted algorithm"));
        }
        let issuer = unverified_issuer(token).ok_or_else(|| refused("ID-tokenet har ingen udsteder (iss)", "the ID token has no issuer"))?;
        let provider = self
            .providers
            .iter()
            .find(|p| p.config.issuer == issuer)
            .ok_or_else(|| refused("ID-tokenet er fra en udbyder, hubben ikke kender", "the ID token is from a provider the hub does not accept"))?;
        let key = {
            let mut keys = provider.keys.lock().expect("keys lock");
            let found = match &header.kid {
                Some(kid) => keys.set.find(kid).cloned(),
                None if keys.set.keys.len() == 1 => keys.set.keys.first().cloned(),
                None => None,
            };
            if found.is_none() {
                keys.wanted = true;
                self.refresh.notify_one();
            }
            found
        }
        .ok_or_else(|| refused("ID-tokenet er signeret med en nøgle, udbyderen ikke har offentliggjort; prøv igen om lidt", "the ID token's key is not among the provider's keys; try again shortly"))?;
        if !key_algorithm_matches(&key, header.alg) {
            return Err(refused("ID-tokenets algoritme passer ikke til nøglen", "the ID token's algorithm does not match its key"));
        }
        let decoding = DecodingKey::from_jwk(&key).map_err(|_| refused("udbyderens nøgle kan ikke bruges", "the provider's key cannot be used"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&provider.config.issuer]);
        validation.set_audience(&[&provider.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = provider.config.leeway_seconds;
        validation.validate_exp = true;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind::*;
            match e.kind() {
                ExpiredSignature => Refused { status: 401, reason: format!("{OIDC_EXPIRED}: ID-tokenet er udløbet; log ind igen (the ID token has expired; sign in again)") },
                InvalidAudience => refused("ID-tokenet er udstedt til en anden modtager (aud)", "the ID token is for another audience"),
                InvalidIssuer => refused("ID-tokenets udsteder passer ikke", "the ID token's issuer does not match"),
                InvalidSignature => refused("ID-tokenets signatur er ikke gyldig", "the ID token's signature is not valid"),
                _ => refused("ID-tokenet er ikke gyldigt", "the ID token is not valid"),
            }
        })?;
        let claims = data.claims;
        let subject = claims.get("sub").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let values: Vec<&str> = match claims.get(&provider.config.claim) {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        };
        let mapped: Vec<&Mapping> = values.iter().filter_map(|v| provider.config.organisations.get(*v)).collect();
        let mapping = match mapped.as_slice() {
            [one] => *one,
            [first, rest @ ..] if rest.iter().all(|m| m.org == first.org && m.role == first.role) => *first,
            [] => {
                return Err(Refused {
                    status: 403,
                    reason: format!(
                        "{OIDC_ORG}: kravet «{}» ({}) svarer ikke til nogen organisation på hubben (the claim maps to no organisation)",
                        provider.config.claim,
                        values.join(", ").chars().take(120).collect::<String>()
                    ),
                })
            }
            _ => {
                return Err(Refused {
                    status: 403,
                    reason: format!("{OIDC_ORG}: kravet «{}» svarer til flere organisationer (the claim maps to several organisations)", provider.config.claim),
                })
            }
        };
        let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).map(|s| s.chars().filter(|c| !c.is_control()).take(120).collect::<String>());
        let person = match (text("name"), text("email")) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n,
            (None, Some(e)) => e,
            (None, None) => subject.clone(),
        };
        let name = text("name").or_else(|| text("email")).unwrap_or_else(|| subject.clone());
        let expires_at = claims.get("exp").and_then(|v| v.as_u64()).unwrap_or(0).saturating_add(provider.config.leeway_seconds);
        Ok(SignedIn {
            issuer: provider.config.issuer.clone(),
            subject,
            org: mapping.org.clone(),
            role: Role::parse(&mapping.role).unwrap_or(Role::Reader),
            person,
            name,
            expires_at,
        })
    }
}

/// GET the JWKS (bounded in time and size).
pub(crate) fn fetch_jwks(uri: &str) -> Result<JwkSet, String> {
    use std::io::Read;
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .tls_connector(Arc::new(native_tls::TlsConnector::new().map_err(|e| e.to_string())?))
        .build();
    let response = agent.get(uri).call().map_err(|e| e.to_string())?;
    let mut body = Vec::new();
    response.into_reader().take(MAX_JWKS + 1).read_to_end(&mut body).map_err(|e| e.to_string())?;
    if body.len() as u64 > MAX_JWKS {
        return Err(format!("larger than {MAX_JWKS} bytes"));
    }
    serde_json::from_slice(&body).map_err(|e| format!("not a JWKS: {e}"))
}

/// Fetches the keys now and then, and when a token asked for it (on a blocking thread).
pub(crate) async fn keep_keys_fresh(oidc: Arc<Oidc>, log: impl Fn(String) + Send + 'static) {
    loop {
        let _ = tokio::time::timeout(JWKS_REFRESH, oidc.refresh.notified()).await;
        let o = oidc.clone();
        if let Ok(errors) = tokio::task::spawn_blocking(move || o.fetch_keys(false)).await {
            for e in errors {
                log(format!("cannot fetch the OpenID provider's keys: {e}"));
            }
        }
    }
}
