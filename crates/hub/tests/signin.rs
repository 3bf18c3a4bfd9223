//! OpenID Connect sign-in at the hub, against a real OpenID provider: the certified
//! `oidc-provider` from npm (`tests/oidc/provider.mjs`, its own lockfile) on loopback, whose
//! ID tokens are obtained by the authorization code flow with PKCE, login and consent as a
//! browser goes through them. The hub fetches the provider's JWKS and accepts its tokens
//! besides hub tokens; an expired token, a token for another audience, a forged one, an
//! unsigned one and a user whose claim maps to no organisation are refused, coded.

mod common;

use base64::Engine;
use common::*;
use konsekvens_hub::oidc::{OidcConfig, ProviderConfig};
use konsekvens_hub::{BasePolicy, HubStore, ServeConfig};
use tokio_tungstenite::tungstenite::Error as WsError;
use yrs::{ClientID, Doc, Map, Options, ReadTxn, Transact};

#[path = "oidc/provider.rs"]
mod provider;
use provider::{provider_ready, OpenIdProvider};

/// The provider as the hub is configured for it.
fn provider_config(p: &OpenIdProvider, leeway: u64) -> ProviderConfig {
    serde_json::from_value(p.hub_config(leeway)).expect("the shared configuration is a ProviderConfig")
}

/// Connects to the base with `bearer` as `?token=`; the HTTP status and body when refused.
async fn connect(hub: &TestHub, bearer: &str) -> Result<Socket, (u16, String)> {
    let url = format!("{}/dpia/{DPIA}/base?token={bearer}", hub.base());
    match Box::pin(tokio_tungstenite::connect_async(url)).await {
        Ok((ws, _)) => Ok(ws),
        Err(WsError::Http(resp)) => {
            let body = resp.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            Err((resp.status().as_u16(), body))
        }
        Err(e) => panic!("connect: {e}"),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signed_in_at_the_provider_edits_and_is_named_while_bad_id_tokens_are_refused() {
    if !provider_ready("the OpenID sign-in test") {
        return;
    }
    let mut provider = OpenIdProvider::start(600);
    let mut quick = OpenIdProvider::start(1); // tokens that expire at once
    let dir = tempfile::tempdir().unwrap();
    let t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
    config.oidc = Some(OidcConfig { providers: vec![provider_config(&provider, 30), provider_config(&quick, 0)] });
    let hub = TestHub::start_with(config).await;

    // Mette (org claim 101) signs in and writes; the hub names her.
    let mette = provider.id_token("konsekvens-hub", "mette");
    let mut ws = connect(&hub, &mette).await.expect("a valid ID token is accepted");
    let doc = Doc::with_options(Options { client_id: ClientID::new(1_010_808), ..Options::default() });
    let before = doc.transact().state_vector();
    doc.get_or_insert_map("meta").insert(&mut doc.transact_mut(), "signed-in", "yes");
    send(&mut ws, konsekvens_hub::proto::update(doc.transact().encode_state_as_update_v1(&before))).await;
    assert!(denials(&barrier(&mut ws).await).is_empty());
    let store = HubStore::open(dir.path()).unwrap();
    let row = store.log(DPIA, None).unwrap().pop().expect("the update is logged");
    assert_eq!(row.org, "101");
    let token = store.tokens().unwrap().into_iter().find(|r| r.id == row.token_id).unwrap();
    assert!(token.label.starts_with("Mette Holm <mette@kk.dk> · OIDC http://127.0.0.1:"), "{}", token.label);
    // Another sign-in of hers is the same identity; a hub token still works beside it.
    let again = provider.id_token("konsekvens-hub", "mette");
    drop(connect(&hub, &again).await.expect("signed in again"));
    assert_eq!(store.tokens().unwrap().iter().filter(|r| r.label.starts_with("Mette Holm")).count(), 1);
    drop(connect(&hub, &t.kbh).await.expect("hub tokens stay"));

    // Refused, each with its code.
    let other_audience = provider.id_token("other-app", "mette");
    let (status, body) = connect(&hub, &other_audience).await.unwrap_err();
    assert_eq!(status, 401);
    assert!(body.starts_with("K-HUB-OIDC:") && body.contains("audience"), "{body}");

    let expiring = quick.id_token("konsekvens-hub", "lars");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = connect(&hub, &expiring).await.unwrap_err();
    assert_eq!(status, 401);
    assert!(body.contains("udløbet") && body.contains("expired"), "{body}");

    // Forged: Mette's token with its organisation claim changed to Esbjerg's.
    let parts: Vec<&str> = mette.split('.').collect();
    let payload = String::from_utf8(unb64(parts[1])).unwrap().replace("\"org\":\"101\"", "\"org\":\"561\"");
    assert!(payload.contains("\"561\""));
    let forged = format!("{}.{}.{}", parts[0], b64(payload.as_bytes()), parts[2]);
    let (status, body) = connect(&hub, &forged).await.unwrap_err();
    assert_eq!(status, 401);
    assert!(body.contains("signatur") && body.contains("signature"), "{body}");
    // Unsigned (alg none), and HS256 with the provider's public key as the secret's stand-in.
    for alg in ["none", "HS256"] {
        let header = b64(format!("{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}").as_bytes());
        let token = format!("{header}.{}.{}", parts[1], if alg == "none" { "" } else { parts[2] });
        let (status, body) = connect(&hub, &token).await.unwrap_err();
        assert_eq!(status, 401, "{alg}");
        assert!(body.starts_with("K-HUB-OIDC:"), "{alg}: {body}");
    }
    // A token from a provider the hub was not told about.
    let stranger = {
        let p: serde_json::Value = serde_json::from_slice(&unb64(parts[1])).unwrap();
        let mut p = p.as_object().unwrap().clone();
        p.insert("iss".into(), "https://evil.example".into());
        format!("{}.{}.{}", parts[0], b64(serde_json::to_string(&p).unwrap().as_bytes()), parts[2])
    };
    let (status, body) = connect(&hub, &stranger).await.unwrap_err();
    assert!(status == 401 && body.contains("provider"), "{body}");

    // A real user of the provider whose claim (org 999) maps to no organisation.
    let nobody = provider.id_token("konsekvens-hub", "nobody");
    let (status, body) = connect(&hub, &nobody).await.unwrap_err();
    assert_eq!(status, 403);
    assert!(body.starts_with("K-HUB-OIDC-ORG:") && body.contains("999"), "{body}");

    // Locked out: the coordinator revokes Mette's identity like a token.
    store.revoke_token(token.id).unwrap();
    let (status, body) = connect(&hub, &provider.id_token("konsekvens-hub", "mette")).await.unwrap_err();
    assert_eq!(status, 401);
    assert!(body.contains("Mette Holm"), "{body}");

    // Nothing of the refused was written; the refusals are recorded.
    assert_eq!(store.log(DPIA, None).unwrap().len(), 1);
    let refusals = store.refusals(DPIA).unwrap();
    assert!(refusals.iter().any(|r| r.reason.starts_with("K-HUB-OIDC-ORG")), "{refusals:?}");
    hub.stop().await;
}

/// The client side (`konsekvens_hub::signin`, used by `konsekvens login` and the app) against
/// the same provider: a browser sign-in whose redirect is taken from the «browser»; the code
/// cannot be used twice; an ID token for another client is refused before it is kept; and a
/// connection the hub admitted with an ID token is closed, with its own close code, when
/// the token expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_sign_in_refuses_replayed_codes_and_foreign_tokens_and_the_hub_closes_expired_sign_ins() {
    use konsekvens_hub::signin::{self, BrowserLogin};
    if !provider_ready("the OpenID sign-in test") {
        return;
    }
    let mut provider = OpenIdProvider::start(600);
    let discovery = tokio::task::spawn_blocking({
        let issuer = provider.issuer.clone();
        move || signin::discover(&issuer)
    })
    .await
    .unwrap()
    .expect("discovery");
    assert!(discovery.device_authorization_endpoint.is_some(), "the test provider offers the device flow");
    let login = BrowserLogin::start(discovery.clone(), "konsekvens-hub").unwrap();
    let answer = provider.ask(&format!("browse mette {} capture", login.authorization_url()));
    let callback = answer["callback"].as_str().unwrap_or_else(|| panic!("{answer}")).to_owned();
    assert!(callback.starts_with(login.redirect_uri()), "{callback}");
    let (login, first, replay) = tokio::task::spawn_blocking(move || {
        let first = login.complete(&callback);
        let replay = login.complete(&callback);
        (login, first, replay)
    })
    .await
    .unwrap();
    drop(login);
    let mette = first.expect("the code is exchanged once");
    assert_eq!(mette.person(), "Mette Holm <mette@kk.dk>");
    assert!(mette.refresh_token.is_some(), "offline_access gives a refresh token");
    let replay = replay.unwrap_err();
    assert_eq!(replay.code(), "K-LOGIN-TOKEN", "{replay}");
    assert!(replay.to_string().contains("invalid_grant"), "{replay}");

    // A token issued to another client is not kept as ours.
    let foreign = provider.id_token("other-app", "mette");
    let d = discovery.clone();
    let err = tokio::task::spawn_blocking(move || signin::validate_id_token(&d, "konsekvens-hub", &foreign, None)).await.unwrap().unwrap_err();
    assert!(err.to_string().contains("anden modtager"), "{err}");
    // The replay revoked what the code gave: its refresh token no longer works.
    let m = mette.clone();
    let revoked = tokio::task::spawn_blocking(move || signin::refresh(&m)).await.unwrap().unwrap_err();
    assert_eq!(revoked.code(), "K-LOGIN-EXPIRED", "{revoked}");
    // A sign-in used once refreshes to a new ID token for the same person.
    let login = BrowserLogin::start(discovery.clone(), "konsekvens-hub").unwrap();
    let answer = provider.ask(&format!("browse mette {} capture", login.authorization_url()));
    let callback = answer["callback"].as_str().unwrap_or_else(|| panic!("{answer}")).to_owned();
    let (once, refreshed) = tokio::task::spawn_blocking(move || {
        let once = login.complete(&callback).expect("signed in");
        // ID tokens carry `iat` in whole seconds: refreshed within the same second on an idle
        // machine, the provider issues a byte-identical token, so step into the next second
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let refreshed = signin::refresh(&once);
        (once, refreshed)
    })
    .await
    .unwrap();
    let refreshed = refreshed.expect("refreshed");
    assert_eq!((refreshed.subject.as_str(), refreshed.name.as_str()), ("mette", "Mette Holm"));
    assert_ne!(refreshed.id_token, once.id_token);

    // The hub closes a signed-in connection when its ID token expires.
    let mut quick = OpenIdProvider::start(2);
    let dir = tempfile::tempdir().unwrap();
    let _t = registry(dir.path(), BasePolicy::AllParticipants);
    let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
    config.oidc = Some(OidcConfig { providers: vec![provider_config(&quick, 0)] });
    let hub = TestHub::start_with(config).await;
    let lars = quick.id_token("konsekvens-hub", "lars");
    let mut ws = connect(&hub, &lars).await.expect("accepted while valid");
    let started = std::time::Instant::now();
    let closed = tokio::time::timeout(LIMIT, async {
        use futures_util::StreamExt;
        loop {
            match ws.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                other => panic!("the connection ended without a close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("closed within the limit")
    .expect("a close frame");
    assert_eq!(u16::from(closed.code), konsekvens_hub::codes::CLOSE_SIGN_IN_EXPIRED);
    assert!(closed.reason.starts_with("K-HUB-OIDC-EXPIRED") && closed.reason.contains("udløbet"), "{}", closed.reason);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "closed at expiry, not at the idle timeout");
    // Reconnecting with the expired token is refused as expired (the client then refreshes).
    let (status, body) = connect(&hub, &lars).await.unwrap_err();
    assert_eq!(status, 401);
    assert!(body.starts_with("K-HUB-OIDC-EXPIRED"), "{body}");
    hub.stop().await;
}
