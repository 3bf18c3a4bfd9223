//! `konsekvens login` / `logout`: signing in at the municipality's OpenID provider (see
//! `konsekvens_hub::signin`), so that `sync --sign-in` presents the person's ID token to
//! the hub instead of a token, and the audit trail names the person.

use crate::Failure;
use clap::Args;
use konsekvens_core::UserError;
use konsekvens_hub::signin::{self, BrowserEvent, CredentialStore, Credentials, DeviceLogin, SignInError};
use std::time::Duration;

#[derive(Args)]
pub struct LoginArgs {
    /// The OpenID provider (its issuer), e.g. https://login.microsoftonline.com/<tenant>/v2.0;
    /// default: the managed policy's `signin_issuer`
    #[arg(long)]
    issuer: Option<String>,
    /// The client id Konsekvens is registered with at the provider (the hub's audience);
    /// default: the managed policy's `signin_client_id`
    #[arg(long)]
    client_id: Option<String>,
    /// Sign in on another device with a code (RFC 8628), for a machine without a browser
    #[arg(long)]
    device: bool,
    /// Do not open the system browser; only print the address to open
    #[arg(long)]
    no_browser: bool,
    /// Give up after this many seconds
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Only say who is signed in (exit 1 when nobody is)
    #[arg(long, conflicts_with_all = ["issuer", "client_id", "device", "no_browser"])]
    status: bool,
}

pub(crate) fn failure(e: SignInError) -> Failure {
    let code = e.code();
    let da = e.to_string();
    let da = da.strip_prefix(&format!("[{code}] ")).unwrap_or(&da).to_owned();
    let en = da.rsplit_once(" (").map(|(_, en)| en.trim_end_matches(')').to_owned()).unwrap_or_else(|| da.clone());
    let u = UserError::new(code, da, en);
    match e {
        SignInError::Store { .. } => Failure::Input(u),
        _ => Failure::Problem(u),
    }
}

fn store() -> Result<CredentialStore, Failure> {
    CredentialStore::default_location().map_err(failure)
}

/// The person signed in, if anybody is and the sign-in is valid (refreshed when it has
/// expired): the name the audit trail uses instead of the login name. An expired sign-in that
/// cannot be refreshed is not used (`CredentialStore::identity`); the edit is then recorded
/// under the login name, and the person is told so.
pub(crate) fn signed_in() -> Option<Credentials> {
    let store = CredentialStore::default_location().ok()?;
    match store.identity() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "[{}] dit log-ind gælder ikke længere, så ændringen registreres ikke i dit navn, men under dit lokale navn; log ind igen med «konsekvens login» ({e}) (the sign-in is no longer valid: recorded under the local name)",
                e.code()
            );
            None
        }
    }
}

fn until(c: &Credentials) -> String {
    konsekvens_core::env::format_millis(c.expires_at as i64 * 1000)
}

pub fn login(a: LoginArgs) -> Result<(), Failure> {
    let store = store()?;
    if a.status {
        return match store.load().map_err(failure)? {
            Some(c) => {
                let state = if c.expires_within(Duration::ZERO) { "udløbet" } else { "gyldigt" };
                println!("Logget ind som {} hos {} (ID-token {state} til {})", c.person(), c.issuer, until(&c));
                Ok(())
            }
            None => {
                eprintln!("Ikke logget ind (not signed in)");
                Err(Failure::Silent(1))
            }
        };
    }
    let policy = konsekvens_core::policy::Policy::load().ok().flatten().unwrap_or_default();
    let missing = |what: &str, key: &str| {
        Failure::Input(UserError::new(
            "K-LOGIN-ARGS",
            format!("angiv --{what} (eller sæt {key} i politikfilen)"),
            format!("give --{what} (or set {key} in the policy file)"),
        ))
    };
    let issuer = a.issuer.or(policy.signin_issuer).ok_or_else(|| missing("issuer", "signin_issuer"))?;
    let client_id = a.client_id.or(policy.signin_client_id).ok_or_else(|| missing("client-id", "signin_client_id"))?;
    let timeout = Duration::from_secs(a.timeout.max(1));
    let credentials = if a.device {
        let discovery = signin::discover(&issuer).map_err(failure)?;
        let device = DeviceLogin::start(discovery, &client_id).map_err(failure)?;
        match &device.verification_uri_complete {
            Some(complete) => eprintln!("Åbn {complete} på en anden enhed (eller {} og skriv koden {})", device.verification_uri, device.user_code),
            None => eprintln!("Åbn {} på en anden enhed og skriv koden {}", device.verification_uri, device.user_code),
        }
        eprintln!("venter på log-ind …");
        // Tests shorten the provider's polling interval (never below what it asks when it says slow_down).
        let min = std::env::var("KONSEKVENS_DEVICE_POLL_MS").ok().and_then(|v| v.parse::<u64>().ok()).map(Duration::from_millis);
        device.finish(min).map_err(failure)?
    } else {
        signin::browser_sign_in(&issuer, &client_id, timeout, !a.no_browser, |event| match event {
            BrowserEvent::Started { url, redirect_uri } => {
                eprintln!("Log ind i browseren. Åbner den ikke af sig selv, så åbn denne adresse:\n{url}");
                eprintln!("venter på svar på {redirect_uri} …");
            }
            BrowserEvent::NotOpened { why } => eprintln!("browseren kunne ikke åbnes ({why}); åbn adressen ovenfor selv"),
        })
        .map_err(failure)?
    };
    store.save(&credentials).map_err(failure)?;
    eprintln!(
        "Logget ind som {} (ID-token gyldigt til {}{}). Gemt i {}",
        credentials.person(),
        until(&credentials),
        if credentials.refresh_token.is_some() { "; fornyes automatisk" } else { "" },
        store.path().display()
    );
    Ok(())
}

pub fn logout() -> Result<(), Failure> {
    let store = store()?;
    if store.remove().map_err(failure)? {
        eprintln!("Logget ud; log-ind er slettet fra {}", store.path().display());
    } else {
        eprintln!("Du var ikke logget ind");
    }
    Ok(())
}
