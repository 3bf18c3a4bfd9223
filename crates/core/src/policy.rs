//! Managed settings: a system-wide policy file an IT department deploys (the MSI writes it
//! from its properties, `packaging/windows/policy.wxs`; group policy, Intune or a Debian
//! configuration package can put it in place), read when the app starts. A setting the file
//! sets is *managed*: shown as such and not changeable in the app.
//!
//! Where (only administrators can write there):
//! - Windows: `%ProgramData%\Konsekvens\policy.ini`
//! - macOS: `/Library/Application Support/Konsekvens/policy.ini`
//! - Linux: `/etc/konsekvens/policy.ini`
//! - anywhere: `KONSEKVENS_POLICY=PATH` (tests, and a packaging that keeps it elsewhere).
//!
//! The format is what Windows' INI writer (and so the MSI's `IniFile`) produces: a
//! `[Konsekvens]` section of `key=value` lines, `;` or `#` comments, CRLF or LF line ends,
//! UTF-8 (with or without a BOM) or UTF-16 with its BOM. Keys, documented in
//! `packaging/README.md`: `hub`, `dpia`, `org`, `language`, `tsa`, `update_check`,
//! `offer_sample`, `signin_issuer`, `signin_client_id`. Other sections are ignored (the file may be shared); an unknown key, a
//! repeated key or a value that does not fit is an error naming the line, never a guess.

use crate::error::UserError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Overrides where the policy file is looked for.
pub const ENV_OVERRIDE: &str = "KONSEKVENS_POLICY";
/// The section the app reads.
pub const SECTION: &str = "Konsekvens";
/// A policy file is a few lines; anything larger is not one (and is not read whole).
pub const MAX_POLICY_BYTES: u64 = 64 * 1024;
/// Every key the file may set, as it spells them (the MSI fragment and the README are tested
/// against this list, so none of them can miss a key).
pub const KEYS: &[&str] = &["hub", "dpia", "org", "language", "tsa", "update_check", "offer_sample", "signin_issuer", "signin_client_id"];

/// The settings an IT department may fix. `None`: not managed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Policy {
    /// The hub's address, `wss://…` (or `ws://…` on a private network).
    pub hub: Option<String>,
    /// The joint DPIA's id at the hub (e.g. `aula`).
    pub dpia: Option<String>,
    /// The municipality's code (e.g. 101 for København).
    pub org: Option<u16>,
    /// `da` or `en`.
    pub language: Option<String>,
    /// The time-stamping service (RFC 3161) signatures are stamped by: its URL.
    pub tsa: Option<String>,
    /// Whether the app looks for updates.
    pub update_check: Option<bool>,
    /// Whether the app offers to open the bundled sample.
    pub offer_sample: Option<bool>,
    /// The OpenID provider staff sign in at (its issuer URL), for `konsekvens login`.
    pub signin_issuer: Option<String>,
    /// The client id Konsekvens is registered with at that provider (the hub's audience).
    pub signin_client_id: Option<String>,
}

/// The operating systems whose policy location differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Windows,
    MacOs,
    Linux,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else if cfg!(target_os = "macos") {
            Platform::MacOs
        } else {
            Platform::Linux
        }
    }
}

/// Where `platform` keeps the policy file, given its environment (`env(name)`). A string, so
/// that Windows' path is computed (and tested) the same on every system.
pub fn policy_path_for(platform: Platform, env: impl Fn(&str) -> Option<String>) -> String {
    if let Some(path) = env(ENV_OVERRIDE).filter(|p| !p.trim().is_empty()) {
        return path;
    }
    match platform {
        Platform::Windows => {
            let base = env("ProgramData").filter(|p| !p.trim().is_empty()).unwrap_or_else(|| r"C:\ProgramData".to_owned());
            format!(r"{}\Konsekvens\policy.ini", base.trim_end_matches(['\\', '/']))
        }
        Platform::MacOs => "/Library/Application Support/Konsekvens/policy.ini".to_owned(),
        Platform::Linux => "/etc/konsekvens/policy.ini".to_owned(),
    }
}

/// This system's policy file.
pub fn policy_path() -> PathBuf {
    PathBuf::from(policy_path_for(Platform::current(), |name| std::env::var(name).ok()))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: {why}")]
    Io { path: String, why: String },
    #[error("larger than {MAX_POLICY_BYTES} bytes")]
    TooLarge,
    #[error("not text (UTF-8, or UTF-16 with a byte order mark)")]
    NotText,
    #[error("line {line}: unknown key «{key}»")]
    UnknownKey { line: usize, key: String },
    #[error("line {line}: «{key}» is set twice")]
    Repeated { line: usize, key: String },
    #[error("line {line}: «{text}» is neither [section], key=value nor a comment")]
    NotALine { line: usize, text: String },
    #[error("line {line}: {key}={value}: {why}")]
    BadValue { line: usize, key: String, value: String, why: &'static str },
}

/// Why a value does not fit, in Danish, for the same English `why`.
fn danish_why(why: &str) -> &'static str {
    match why {
        "a hub address starts with wss:// or ws://" => "en hub-adresse begynder med wss:// eller ws://",
        "letters, digits, '-', '_' or '.', at most 64" => "bogstaver, cifre, '-', '_' eller '.', højst 64",
        "a municipality code is a number from 1 to 999" => "en kommunekode er et tal fra 1 til 999",
        "da or en" => "da eller en",
        "a time-stamping service's URL starts with https:// or http://" => "et tidsstemplingsservice-URL begynder med https:// eller http://",
        "true or false" => "true eller false",
        "an issuer URL starts with https:// (http:// only on 127.0.0.1)" => "en udsteders URL begynder med https:// (http:// kun på 127.0.0.1)",
        "a client id of printable characters, at most 200" => "et klient-id af synlige tegn, højst 200",
        _ => "ugyldig værdi",
    }
}

impl From<PolicyError> for UserError {
    fn from(e: PolicyError) -> UserError {
        let en = format!("the policy file: {e}");
        let (code, da) = match &e {
            PolicyError::Io { path, why } => ("K-POLITIK-IO", format!("politikfilen {path} kan ikke læses: {why}")),
            PolicyError::TooLarge => ("K-POLITIK-STOR", format!("politikfilen er større end {MAX_POLICY_BYTES} bytes")),
            PolicyError::NotText => ("K-POLITIK-TEKST", "politikfilen er ikke tekst (UTF-8, eller UTF-16 med byte order mark)".to_owned()),
            PolicyError::UnknownKey { line, key } => ("K-POLITIK-NOEGLE", format!("politikfilen, linje {line}: ukendt nøgle «{key}»")),
            PolicyError::Repeated { line, key } => ("K-POLITIK-GENTAGET", format!("politikfilen, linje {line}: «{key}» er sat to gange")),
            PolicyError::NotALine { line, text } => {
                ("K-POLITIK-LINJE", format!("politikfilen, linje {line}: «{text}» er hverken [afsnit], nøgle=værdi eller en kommentar"))
            }
            PolicyError::BadValue { line, key, value, why } => {
                ("K-POLITIK-VAERDI", format!("politikfilen, linje {line}: {key}={value}: {}", danish_why(why)))
            }
        };
        UserError::new(code, da, en)
    }
}

/// The file's text: UTF-8 (a BOM dropped) or UTF-16 LE/BE with its BOM.
fn decode(bytes: &[u8]) -> Result<String, PolicyError> {
    let utf16 = |le: bool| {
        let units: Vec<u16> =
            bytes[2..].chunks_exact(2).map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) }).collect();
        String::from_utf16(&units).map_err(|_| PolicyError::NotText)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|_| PolicyError::NotText),
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| PolicyError::NotText),
    }
}

fn flag(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "ja" => Some(true),
        "false" | "0" | "no" | "nej" => Some(false),
        _ => None,
    }
}

impl Policy {
    /// Reads the policy from text (see the module's documentation for the format).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let mut policy = Policy::default();
        let mut in_section = false;
        let mut seen: Vec<String> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let l = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if l.is_empty() || l.starts_with(';') || l.starts_with('#') {
                continue;
            }
            if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                in_section = name.trim().eq_ignore_ascii_case(SECTION);
                continue;
            }
            let Some((key, value)) = l.split_once('=') else {
                return Err(PolicyError::NotALine { line, text: l.chars().take(80).collect() });
            };
            if !in_section {
                continue;
            }
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim().trim_matches('"').to_owned();
            if seen.contains(&key) {
                return Err(PolicyError::Repeated { line, key });
            }
            let bad = |why: &'static str| PolicyError::BadValue { line, key: key.clone(), value: value.chars().take(200).collect(), why };
            match key.as_str() {
                "hub" => {
                    let ok = (value.starts_with("wss://") || value.starts_with("ws://")) && value.len() > 6 && !value.contains(char::is_whitespace);
                    policy.hub = if ok { Some(value.clone()) } else { return Err(bad("a hub address starts with wss:// or ws://")) };
                }
                "dpia" => {
                    let ok = !value.is_empty()
                        && value.len() <= 64
                        && !value.starts_with('.')
                        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                    policy.dpia = if ok { Some(value.clone()) } else { return Err(bad("letters, digits, '-', '_' or '.', at most 64")) };
                }
                "org" => {
                    policy.org = Some(value.parse::<u16>().ok().filter(|c| (1..=999).contains(c)).ok_or_else(|| bad("a municipality code is a number from 1 to 999"))?);
                }
                "language" => {
                    let lang = value.to_ascii_lowercase();
                    policy.language = if lang == "da" || lang == "en" { Some(lang) } else { return Err(bad("da or en")) };
                }
                "tsa" => {
                    let ok = (value.starts_with("https://") || value.starts_with("http://")) && value.len() > 8 && !value.contains(char::is_whitespace);
                    policy.tsa = if ok { Some(value.clone()) } else { return Err(bad("a time-stamping service's URL starts with https:// or http://")) };
                }
                "update_check" => policy.update_check = Some(flag(&value).ok_or_else(|| bad("true or false"))?),
                "offer_sample" => policy.offer_sample = Some(flag(&value).ok_or_else(|| bad("true or false"))?),
                "signin_issuer" => {
                    let ok = (value.starts_with("https://") && value.len() > 8 || value.starts_with("http://127.0.0.1:")) && !value.contains(char::is_whitespace);
                    policy.signin_issuer = if ok { Some(value.clone()) } else { return Err(bad("an issuer URL starts with https:// (http:// only on 127.0.0.1)")) };
                }
                "signin_client_id" => {
                    let ok = !value.is_empty() && value.len() <= 200 && value.chars().all(|c| c.is_ascii_graphic());
                    policy.signin_client_id = if ok { Some(value.clone()) } else { return Err(bad("a client id of printable characters, at most 200")) };
                }
                _ => return Err(PolicyError::UnknownKey { line, key: key.chars().take(80).collect() }),
            }
            seen.push(key);
        }
        Ok(policy)
    }

    /// Reads the policy file at `path`; `Ok(None)` when there is none (nothing is managed).
    pub fn read(path: &Path) -> Result<Option<Policy>, PolicyError> {
        use std::io::Read;
        let io = |e: std::io::Error| PolicyError::Io { path: path.display().to_string(), why: e.to_string() };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_POLICY_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_POLICY_BYTES {
            return Err(PolicyError::TooLarge);
        }
        Policy::parse(&decode(&bytes)?).map(Some)
    }

    /// This system's policy ([`policy_path`]).
    pub fn load() -> Result<Option<Policy>, PolicyError> {
        Policy::read(&policy_path())
    }

    /// The names of the settings this policy fixes, as the file spells them.
    pub fn managed(&self) -> Vec<&'static str> {
        [
            ("hub", self.hub.is_some()),
            ("dpia", self.dpia.is_some()),
            ("org", self.org.is_some()),
            ("language", self.language.is_some()),
            ("tsa", self.tsa.is_some()),
            ("update_check", self.update_check.is_some()),
            ("offer_sample", self.offer_sample.is_some()),
            ("signin_issuer", self.signin_issuer.is_some()),
            ("signin_client_id", self.signin_client_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_as_the_msi_writes_it_with_crlf_and_a_bom() {
        let text = "\u{feff}; written by msiexec\r\n[Konsekvens]\r\nhub=wss://hub.kl.dk/dpia/aula\r\nDPIA=aula\r\norg = 101\r\nlanguage=EN\r\n\
                    tsa=http://timestamp.example.dk\r\nupdate_check=false\r\noffer_sample=0\r\n\
                    signin_issuer=https://login.microsoftonline.com/tenant/v2.0\r\nsignin_client_id=konsekvens-hub\r\n\r\n[Other]\r\nhub=ignored\r\n";
        let p = Policy::parse(text).unwrap();
        assert_eq!(
            p,
            Policy {
                hub: Some("wss://hub.kl.dk/dpia/aula".into()),
                dpia: Some("aula".into()),
                org: Some(101),
                language: Some("en".into()),
                tsa: Some("http://timestamp.example.dk".into()),
                update_check: Some(false),
                offer_sample: Some(false),
                signin_issuer: Some("https://login.microsoftonline.com/tenant/v2.0".into()),
                signin_client_id: Some("konsekvens-hub".into()),
            }
        );
        assert_eq!(p.managed(), KEYS, "KEYS names every setting, in the file's order");
        assert_eq!(Policy::parse("[konsekvens]\norg=561\n").unwrap().managed(), vec!["org"]);
    }

    #[test]
    fn utf16_as_windows_ini_files_may_be_is_read() {
        let text = "[Konsekvens]\r\norg=751\r\n";
        for le in [true, false] {
            let mut bytes = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
            for u in text.encode_utf16() {
                bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            assert_eq!(Policy::parse(&decode(&bytes).unwrap()).unwrap().org, Some(751));
        }
        assert_eq!(decode(&[0xC3, 0x28]), Err(PolicyError::NotText));
    }

    #[test]
    fn what_does_not_fit_is_refused_naming_its_line_in_danish_first() {
        for (text, code, line) in [
            ("[Konsekvens]\nhub=http://hub\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\n\norg=1010\n", "K-POLITIK-VAERDI", 3),
            ("[Konsekvens]\norg=abc\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\nlanguage=de\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\ndpia=../etc\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\ntsa=ftp://x\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\nupdate_check=maybe\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\nsignin_issuer=http://login.example.dk\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\nsignin_client_id=a b\n", "K-POLITIK-VAERDI", 2),
            ("[Konsekvens]\nhubb=wss://x\n", "K-POLITIK-NOEGLE", 2),
            ("[Konsekvens]\norg=101\norg=561\n", "K-POLITIK-GENTAGET", 3),
            ("[Konsekvens]\njust words\n", "K-POLITIK-LINJE", 2),
        ] {
            let e = Policy::parse(text).unwrap_err();
            let u: UserError = e.clone().into();
            assert_eq!(u.code, code, "{text:?}: {e}");
            assert!(u.da.contains(&format!("linje {line}")), "{text:?}: {}", u.da);
            assert!(u.en.contains(&format!("line {line}")), "{text:?}: {}", u.en);
        }
    }

    #[test]
    fn the_path_per_platform_with_windows_paths_computed_anywhere() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(policy_path_for(Platform::Windows, env(&[("ProgramData", r"D:\ProgramData\")])), r"D:\ProgramData\Konsekvens\policy.ini");
        assert_eq!(policy_path_for(Platform::Windows, env(&[])), r"C:\ProgramData\Konsekvens\policy.ini");
        assert_eq!(policy_path_for(Platform::MacOs, env(&[])), "/Library/Application Support/Konsekvens/policy.ini");
        assert_eq!(policy_path_for(Platform::Linux, env(&[])), "/etc/konsekvens/policy.ini");
        assert_eq!(policy_path_for(Platform::Windows, env(&[(ENV_OVERRIDE, r"\\server\share\policy.ini")])), r"\\server\share\policy.ini");
    }

    #[test]
    fn a_missing_file_manages_nothing_and_a_huge_one_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Policy::read(&dir.path().join("none.ini")), Ok(None));
        let big = dir.path().join("big.ini");
        std::fs::write(&big, vec![b';'; MAX_POLICY_BYTES as usize + 10]).unwrap();
        assert_eq!(Policy::read(&big), Err(PolicyError::TooLarge));
        let ok = dir.path().join("policy.ini");
        std::fs::write(&ok, "[Konsekvens]\r\noffer_sample=false\r\n").unwrap();
        assert_eq!(Policy::read(&ok).unwrap().unwrap().offer_sample, Some(false));
    }
}
