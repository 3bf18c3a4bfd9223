//! The hub crate's errors as users meet them ([`UserError`]): the `K-SYNC-*` codes the sync
//! messages carried in their text, and codes for the hub's own (`hub serve`, `hub org …`).

use crate::backup::BackupError;
use crate::client::SyncError;
use crate::server::HubError;
use crate::signin::SignInError;
use crate::store::StoreError;
use konsekvens_core::UserError;

/// A message whose `Display` leads with `[CODE] `, without it.
fn uncoded(s: String) -> String {
    match s.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        Some((_, rest)) => rest.to_owned(),
        None => s,
    }
}

impl SignInError {
    /// The short English its message ends with, in parentheses.
    fn english(&self) -> &'static str {
        match self {
            SignInError::Discovery { .. } => "the OpenID provider cannot be used",
            SignInError::State => "the redirect does not belong to this sign-in",
            SignInError::Denied(_) => "the provider refused the sign-in",
            SignInError::Token(_) => "the provider's token endpoint refused",
            SignInError::IdToken(_) => "the provider's ID token is not valid",
            SignInError::Timeout(_) => "the sign-in did not complete in time",
            SignInError::NoDevice => "the provider has no device authorization endpoint",
            SignInError::Expired(_) => "the sign-in has expired",
            SignInError::NotSignedIn => "not signed in",
            SignInError::Store { .. } => "the sign-in cannot be stored",
            SignInError::Network(_) => "cannot reach the provider",
        }
    }
}

impl From<&SignInError> for UserError {
    /// The Danish is the message without its code and its English; the English is that.
    fn from(e: &SignInError) -> UserError {
        let en = e.english();
        let message = uncoded(e.to_string());
        let da = message.strip_suffix(&format!(" ({en})")).map(str::to_owned).unwrap_or(message);
        UserError::new(e.code(), da, en)
    }
}

impl From<SyncError> for UserError {
    fn from(e: SyncError) -> UserError {
        // The Danish is the Display (with the short English in parentheses, as before).
        let (code, en, item) = match &e {
            SyncError::Workspace(_) => {
                let SyncError::Workspace(w) = e else { unreachable!() };
                return w.into();
            }
            SyncError::BadUrl(url) => (
                "K-SYNC-URL",
                format!("«{url}» is not a hub address: give ws://HOST:PORT or wss://HOST/…, optionally ending in /dpia/<id>"),
                Some(url.clone()),
            ),
            SyncError::NoDpiaId => (
                "K-SYNC-NO-DPIA",
                "the workspace names no joint DPIA (dpia_id is empty); give the hub's address as …/dpia/<id>".to_owned(),
                None,
            ),
            SyncError::Connect { url, reason } => (
                "K-SYNC-OFFLINE",
                format!("cannot reach the hub at {url}: {reason}. The changes wait in the workspace file; try again later"),
                Some(url.clone()),
            ),
            SyncError::Unauthorized(why) => {
                ("K-SYNC-TOKEN", format!("the hub refused the token: {why}. Ask the coordinator for a valid token"), None)
            }
            SyncError::SignInExpired(why) => ("K-SYNC-LOGIN-EXPIRED", format!("the sign-in has expired ({why}); sign in again"), None),
            SyncError::Timeout(d) => {
                ("K-SYNC-TIMEOUT", format!("the hub did not answer within {d:?}; the changes wait in the workspace file, try again"), None)
            }
            SyncError::Protocol(why) => (
                "K-SYNC-PROTOCOL",
                format!("the hub sent something that cannot be taken in: {why}. None of it was stored in the workspace file"),
                None,
            ),
            SyncError::TooLarge { size, max } => (
                "K-SYNC-TOO-LARGE",
                format!("the hub sent a message of {size} bytes, over the limit of {max} bytes this client reads"),
                None,
            ),
        };
        let mut u = UserError::new(code, uncoded(e.to_string()), en);
        u.item = item;
        u
    }
}

impl From<StoreError> for UserError {
    fn from(e: StoreError) -> UserError {
        let en = e.to_string();
        let (code, da, item) = match e {
            StoreError::Io { path, source } => return UserError::io(&path, &source),
            StoreError::NotAHub { path, why } => {
                ("K-HUB-FIL", format!("{}: ikke en hub-database fra Konsekvens ({why})", path.display()), Some(path.display().to_string()))
            }
            StoreError::Newer { path, found, supported } => (
                "K-HUB-NYERE",
                format!("{}: skrevet af en nyere Konsekvens-hub (skema {found}; denne version læser op til {supported})", path.display()),
                Some(path.display().to_string()),
            ),
            StoreError::Sql(inner) => ("K-HUB-DATABASE", format!("hubbens database: {inner}"), None),
            StoreError::BadOrgCode(c) => (
                "K-HUB-ORG-KODE",
                format!("organisationskoden «{c}» er ugyldig (bogstaver, cifre, '-' eller '_', højst 32)"),
                Some(c),
            ),
            StoreError::BadDpiaId(id) => (
                "K-HUB-DPIA-ID",
                format!("id'et «{id}» for konsekvensanalysen er ugyldigt (bogstaver, cifre, '-', '_' eller '.', højst 64)"),
                Some(id),
            ),
            StoreError::UnknownOrg(c) => ("K-HUB-ORG-UKENDT", format!("ingen organisation med koden {c}; tilføj den med `hub org add`"), Some(c)),
            StoreError::DuplicateOrg(c) => ("K-HUB-ORG-FINDES", format!("organisationen {c} findes allerede"), Some(c)),
            StoreError::UnknownDpia(id) => ("K-HUB-DPIA-UKENDT", format!("ingen fælles konsekvensanalyse med id'et {id}"), Some(id)),
            StoreError::DuplicateDpia(id) => ("K-HUB-DPIA-FINDES", format!("den fælles konsekvensanalyse {id} findes allerede"), Some(id)),
            StoreError::UnknownToken => ("K-HUB-TOKEN-UKENDT", "intet sådant token".to_owned(), None),
            StoreError::Damaged { dpia, doc, seq, why } => (
                "K-HUB-SKADET",
                format!("øjebliksbilledet eller opdatering {seq} af {dpia}/{doc} er beskadiget: {why}"),
                Some(format!("{dpia}/{doc}")),
            ),
        };
        let mut u = UserError::new(code, da, en);
        u.item = item;
        u
    }
}

impl From<HubError> for UserError {
    fn from(e: HubError) -> UserError {
        let en = e.to_string();
        match e {
            HubError::Store(s) => s.into(),
            HubError::Bind { addr, source } => {
                UserError::new("K-HUB-LYT", format!("kan ikke lytte på {addr}: {source}"), en).about(addr)
            }
            HubError::Io(source) => UserError::new("K-HUB-NETVAERK", format!("netværk: {source}"), en),
            HubError::Damaged(why) => UserError::new("K-HUB-SKADET", format!("hubbens data er beskadiget: {why}"), en),
            HubError::Writer(why) => UserError::new("K-HUB-SKRIVER", format!("hubbens skriver fejlede: {why}"), en),
            HubError::InUse(dir) => UserError::new(
                "K-HUB-KOERER",
                format!("{}: en anden hub kører på denne datamappe; stop den først", dir.display()),
                en,
            )
            .about(dir.display()),
        }
    }
}

impl From<crate::oidc::OidcConfigError> for UserError {
    fn from(e: crate::oidc::OidcConfigError) -> UserError {
        let en = e.to_string();
        match e {
            crate::oidc::OidcConfigError::Read { path, why } => {
                UserError::new("K-HUB-OIDC-KONFIG", format!("{path}: OpenID-konfigurationen kan ikke læses: {why}"), en).about(path)
            }
            crate::oidc::OidcConfigError::Invalid { path, why } => {
                UserError::new("K-HUB-OIDC-KONFIG", format!("{path}: OpenID-konfigurationen er ugyldig: {why}"), en).about(path)
            }
        }
    }
}

impl From<BackupError> for UserError {
    fn from(e: BackupError) -> UserError {
        let en = e.to_string();
        let shown = |p: &std::path::Path| p.display().to_string();
        match e {
            BackupError::Io { path, source } => UserError::io(&path, &source),
            BackupError::Hub(h) => h.into(),
            BackupError::Store(s) => s.into(),
            BackupError::Sql(inner) => UserError::new("K-HUB-DATABASE", format!("hubbens database: {inner}"), en),
            BackupError::NoDatabase(p) => {
                UserError::new("K-HUB-BACKUP-INGEN", format!("{}: ingen hub-database her", p.display()), en).about(shown(&p))
            }
            BackupError::NotAHub { path, why } => UserError::new(
                "K-HUB-BACKUP-FIL",
                format!("{}: ikke en sikkerhedskopi af en Konsekvens-hub ({why})", path.display()),
                en,
            )
            .about(shown(&path)),
            BackupError::Damaged { path, why } => {
                UserError::new("K-HUB-BACKUP-SKADET", format!("{}: beskadiget ({why})", path.display()), en).about(shown(&path))
            }
            BackupError::Exists(p) => UserError::new(
                "K-HUB-BACKUP-FINDES",
                format!("{}: findes allerede; en sikkerhedskopi erstatter aldrig en fil", p.display()),
                en,
            )
            .about(shown(&p)),
            BackupError::WouldReplace(p) => UserError::new(
                "K-HUB-GENDAN-ERSTAT",
                format!("{}: datamappen har allerede en hub-database; gendan med --force (den gemmes i before-restore-…/)", p.display()),
                en,
            )
            .about(shown(&p)),
            BackupError::Busy(why) => {
                UserError::new("K-HUB-BACKUP-OPTAGET", format!("databasen er optaget; sikkerhedskopien blev ikke færdig: {why}"), en)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sign_in_error_splits_into_its_danish_and_its_english() {
        use std::time::Duration;
        let s = || "x (y)".to_owned();
        for e in [
            SignInError::Discovery { issuer: "https://idp".into(), why: s() },
            SignInError::State,
            SignInError::Denied(s()),
            SignInError::Token(s()),
            SignInError::IdToken(s()),
            SignInError::Timeout(Duration::from_secs(300)),
            SignInError::NoDevice,
            SignInError::Expired(s()),
            SignInError::NotSignedIn,
            SignInError::Store { path: "/p".into(), why: s() },
            SignInError::Network(s()),
        ] {
            let u = UserError::from(&e);
            assert_eq!(u.code, e.code());
            // the message ends with exactly this English, and the Danish is the rest
            assert_eq!(e.to_string(), format!("[{}] {} ({})", u.code, u.da, u.en), "{e:?}");
            assert!(!u.da.is_empty() && !u.da.starts_with('['), "{e:?}");
        }
    }

    use super::*;

    #[test]
    fn sync_errors_keep_their_codes_and_gain_an_english_message() {
        let e = UserError::from(SyncError::Connect { url: "ws://x:1".into(), reason: "refused".into() });
        assert_eq!(e.code, "K-SYNC-OFFLINE");
        assert!(e.da.starts_with("hubben på ws://x:1 kan ikke nås") && e.da.contains("(cannot reach the hub)"), "{e:?}");
        assert!(e.en.starts_with("cannot reach the hub at ws://x:1"), "{e:?}");
        let e = UserError::from(StoreError::UnknownOrg("kbh".into()));
        assert_eq!((e.code.as_str(), e.item.as_deref()), ("K-HUB-ORG-UKENDT", Some("kbh")));
        assert!(e.en.contains("no organisation with code kbh"), "{e:?}");
    }
}
