//! The stable codes every refusal reason and close reason starts with (`K-HUB-…: `), so a
//! client, a script or `hub refusals` can tell them apart whatever the wording after them.
//! The wording is Danish first (it reaches data protection officers through the app and
//! the CLI), with the English in parentheses.

/// A write the token's rights do not allow (role, organisation, document).
pub const RIGHTS: &str = "K-HUB-RIGHTS";
/// A municipality's answer or round comment after the round's deadline, or to a round that
/// is closed or does not exist.
pub const DEADLINE: &str = "K-HUB-DEADLINE";
/// An update removing a remark (a comment, a thread state, an answer, a round): never done.
pub const REMARK_DELETED: &str = "K-HUB-REMARK-DELETED";
/// The token was revoked (on a write, or its open sockets being closed).
pub const REVOKED: &str = "K-HUB-REVOKED";
/// A message, an update or presence larger than the hub's limit.
pub const TOO_LARGE: &str = "K-HUB-TOO-LARGE";
/// The document would grow beyond the hub's limit.
pub const DOC_FULL: &str = "K-HUB-DOC-FULL";
/// An update writing into a root type the document kind does not model.
pub const ROOT_UNMODELLED: &str = "K-HUB-ROOT-UNMODELLED";
/// An update or frame that does not decode.
pub const MALFORMED: &str = "K-HUB-MALFORMED";
/// An update building on changes the hub does not have.
pub const GAP: &str = "K-HUB-GAP";
/// An update carrying a CRDT client id bound to another organisation.
pub const CLIENT_ID: &str = "K-HUB-CLIENT-ID";
/// Presence claiming another organisation, or another connection's client id.
pub const PRESENCE_FORGED: &str = "K-HUB-PRESENCE-FORGED";
/// Presence that is not a JSON object (or null).
pub const PRESENCE_MALFORMED: &str = "K-HUB-PRESENCE-MALFORMED";
/// A token that is unknown or revoked at the handshake.
pub const AUTH: &str = "K-HUB-AUTH";
/// Too many failed authentications from one address.
pub const AUTH_THROTTLED: &str = "K-HUB-AUTH-THROTTLED";
/// Too many connections (of the token, or in total).
pub const BUSY: &str = "K-HUB-BUSY";
/// A connection silent for too long, or a frame that did not complete in time.
pub const IDLE: &str = "K-HUB-IDLE";
/// Not the y-sync protocol (a text frame).
pub const UNSUPPORTED: &str = "K-HUB-UNSUPPORTED";
/// An OpenID Connect ID token the hub does not accept (signature, issuer, audience, expiry).
pub const OIDC: &str = "K-HUB-OIDC";
/// An ID token whose organisation claim maps to no organisation at the hub.
pub const OIDC_ORG: &str = "K-HUB-OIDC-ORG";
/// An ID token that has expired: refused at the handshake, and the reason an open connection
/// is closed when its ID token expires (close code [`CLOSE_SIGN_IN_EXPIRED`]).
pub const OIDC_EXPIRED: &str = "K-HUB-OIDC-EXPIRED";
/// The WebSocket close code (application range) of a connection whose ID token expired: the
/// client signs in again (or refreshes) and reconnects.
pub const CLOSE_SIGN_IN_EXPIRED: u16 = 4001;
