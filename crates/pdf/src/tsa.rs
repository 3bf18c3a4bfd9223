//! RFC 3161 signature timestamps (PAdES B-T): the request sent to a time-stamping authority
//! (TSA) over HTTP, the checks of its answer, and the reading of a token in a signature.
//!
//! The token is the `signature-time-stamp` unsigned attribute (id-aa-timeStampToken,
//! 1.2.840.113549.1.9.16.2.14) of the signer, over the SHA-256 of the signature value.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{GeneralizedTime, ObjectIdentifier, OctetString, Uint};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use std::io::Read;
use std::time::Duration;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;

/// id-aa-timeStampToken (RFC 3161 appendix A): the unsigned attribute holding the token.
pub(crate) const ID_AA_TIME_STAMP_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// id-ct-TSTInfo: the token's content type.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// The most a TSA may answer (a token with a certificate chain is a few KiB).
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024;

/// Where to ask for the timestamp, and how long to wait at most.
#[derive(Debug, Clone)]
pub struct Tsa {
    /// http:// or https:// URL of the RFC 3161 service.
    pub url: String,
    /// For the whole exchange (connect, send, read).
    pub timeout: Duration,
}

impl Tsa {
    pub fn new(url: impl Into<String>) -> Self {
        Tsa { url: url.into(), timeout: Duration::from_secs(30) }
    }
}

/// Why no timestamp was obtained. Signing stops: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TsaError {
    #[error("the time-stamping service {url} cannot be reached: {why}")]
    Unreachable { url: String, why: String },
    #[error("the time-stamping service {url} answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("the time-stamping service refused the request (status {status}{text})")]
    NotGranted { status: u32, text: String },
    #[error("the timestamp does not belong to this signature ({0})")]
    WrongImprint(String),
    #[error("the time-stamping service's answer is not a valid RFC 3161 response: {0}")]
    Malformed(String),
}

impl TsaError {
    pub fn danish(&self) -> String {
        match self {
            TsaError::Unreachable { url, why } => format!("tidsstemplingstjenesten {url} kan ikke nås: {why}"),
            TsaError::Http { url, status } => format!("tidsstemplingstjenesten {url} svarede HTTP {status}"),
            TsaError::NotGranted { status, text } => format!("tidsstemplingstjenesten afviste anmodningen (status {status}{text})"),
            TsaError::WrongImprint(why) => format!("tidsstemplet hører ikke til denne signatur ({why})"),
            TsaError::Malformed(why) => format!("tidsstemplingstjenestens svar er ikke et gyldigt RFC 3161-svar: {why}"),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            TsaError::Unreachable { .. } => "K-TSA-UTILGAENGELIG",
            TsaError::Http { .. } => "K-TSA-HTTP",
            TsaError::NotGranted { .. } => "K-TSA-AFVIST",
            TsaError::WrongImprint(_) => "K-TSA-FORKERT-AFTRYK",
            TsaError::Malformed(_) => "K-TSA-UGYLDIGT-SVAR",
        }
    }
}

// ---- RFC 3161 structures ---------------------------------------------------------------

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    /// DEFAULT FALSE: written only when true.
    #[asn1(optional = "true")]
    cert_req: Option<bool>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfo {
    status: u32,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<der::asn1::BitString>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    #[asn1(optional = "true")]
    time_stamp_token: Option<Any>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Accuracy {
    #[asn1(optional = "true")]
    seconds: Option<u64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<u16>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Uint,
    gen_time: GeneralizedTime,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(optional = "true")]
    ordering: Option<bool>,
    #[asn1(optional = "true")]
    nonce: Option<Uint>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<x509_cert::ext::Extensions>,
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: const_oid::db::rfc5912::ID_SHA_256, parameters: None }
}

/// What a token says, once its signature and imprint are checked.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// genTime, unix seconds.
    pub time: i64,
    /// The TSA's name: the token's `tsa` field, else its signer's subject.
    pub tsa_name: String,
    pub cert: Certificate,
    pub pool: Vec<Certificate>,
}

/// Why a token in a signature is not good, in both languages (for the verify report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenProblem {
    pub en: String,
    pub da: String,
}

fn problem(en: impl Into<String>, da: impl Into<String>) -> TokenProblem {
    TokenProblem { en: en.into(), da: da.into() }
}

/// Reads a TimeStampToken (a CMS SignedData with a TSTInfo), checks that its imprint is
/// `digest` (the SHA-256 of what was stamped), that its signed message digest is that of the TSTInfo and that its
/// signature verifies with the certificate it carries. The nonce is returned for the caller.
pub(crate) fn check_token(token_der: &[u8], digest: &[u8]) -> Result<(Token, Option<Uint>), (bool, TokenProblem)> {
    // (true, …): the imprint is wrong; (false, …): the token is unreadable or its signature bad
    let bad = |en: String, da: String| (false, problem(en, da));
    let ci = ContentInfo::from_der(token_der).map_err(|e| bad(format!("not a CMS structure: {e}"), format!("ikke en CMS-struktur: {e}")))?;
    if ci.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(bad("not SignedData".into(), "ikke SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| bad(format!("not SignedData: {e}"), format!("ikke SignedData: {e}")))?;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(bad("the content is not a TSTInfo".into(), "indholdet er ikke en TSTInfo".into()));
    }
    let econtent = sd.encap_content_info.econtent.as_ref().ok_or_else(|| bad("no TSTInfo".into(), "ingen TSTInfo".into()))?;
    let tst_bytes = econtent.decode_as::<OctetString>().map_err(|e| bad(format!("TSTInfo: {e}"), format!("TSTInfo: {e}")))?;
    let tst = TstInfo::from_der(tst_bytes.as_bytes()).map_err(|e| bad(format!("TSTInfo: {e}"), format!("TSTInfo: {e}")))?;
    if tst.message_imprint.hash_algorithm.oid != const_oid::db::rfc5912::ID_SHA_256 {
        return Err((true, problem(format!("imprint hashed with {}, not SHA-256", tst.message_imprint.hash_algorithm.oid), format!("aftrykket er dannet med {}, ikke SHA-256", tst.message_imprint.hash_algorithm.oid))));
    }
    if tst.message_imprint.hashed_message.as_bytes() != digest {
        return Err((true, problem("its message imprint is not the SHA-256 of what it should stamp", "dets aftryk er ikke SHA-256 af det, det skal tidsstemple")));
    }
    let pool: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|cs| cs.0.iter().filter_map(|c| match c { cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()), _ => None }).collect())
        .unwrap_or_default();
    let si = sd.signer_infos.0.iter().next().ok_or_else(|| bad("no signer".into(), "ingen underskriver".into()))?;
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else {
        return Err(bad("the TSA is identified by key id, which is not supported".into(), "tidsstemplingstjenesten er angivet ved nøgle-id, hvilket ikke understøttes".into()));
    };
    let cert = pool
        .iter()
        .find(|c| c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number)
        .ok_or_else(|| bad("the TSA's certificate is not in the token".into(), "tidsstemplingstjenestens certifikat er ikke med i tidsstemplet".into()))?
        .clone();
    if si.digest_alg.oid != const_oid::db::rfc5912::ID_SHA_256 {
        return Err(bad(format!("digest algorithm {} is not supported", si.digest_alg.oid), format!("hashalgoritmen {} understøttes ikke", si.digest_alg.oid)));
    }
    let attrs = si.signed_attrs.as_ref().ok_or_else(|| bad("no signed attributes".into(), "ingen signerede attributter".into()))?;
    let md = attrs
        .iter()
        .find(|a| a.oid == const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or_else(|| bad("no message digest".into(), "ingen kontrolsum".into()))?;
    if md.as_bytes() != Sha256::digest(tst_bytes.as_bytes()).as_slice() {
        return Err(bad("the TSTInfo was changed (digest mismatch)".into(), "TSTInfo er ændret (kontrolsummen passer ikke)".into()));
    }
    let signed = attrs.to_der().map_err(|e| bad(e.to_string(), e.to_string()))?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| bad(e.to_string(), e.to_string()))?;
    crate::verify::verify_sig(&spki, &si.signature_algorithm.oid, &signed, si.signature.as_bytes())
        .map_err(|why| bad(format!("the TSA's signature does not verify: {why}"), format!("tidsstemplingstjenestens signatur passer ikke: {why}")))?;
    let tsa_name = match &tst.tsa {
        Some(GeneralName::DirectoryName(n)) => n.to_string(),
        Some(GeneralName::UniformResourceIdentifier(u)) => u.to_string(),
        _ => cert.tbs_certificate.subject.to_string(),
    };
    let time = tst.gen_time.to_unix_duration().as_secs() as i64;
    Ok((Token { time, tsa_name, cert, pool }, tst.nonce))
}

/// A nonce that differs per request: the imprint and the clock, 63 bits.
pub(crate) fn nonce(stamped: &[u8]) -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut h = Sha256::new();
    h.update(stamped);
    h.update(nanos.to_be_bytes());
    let d = h.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) >> 1
}

fn request(digest: &[u8], nonce: u64) -> Result<Vec<u8>, TsaError> {
    let malformed = |e: der::Error| TsaError::Malformed(e.to_string());
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint { hash_algorithm: sha256_alg(), hashed_message: OctetString::new(digest.to_vec()).map_err(malformed)? },
        req_policy: None,
        nonce: Some(Uint::new(&nonce.to_be_bytes()).map_err(malformed)?),
        cert_req: Some(true),
    };
    req.to_der().map_err(malformed)
}

fn post(tsa: &Tsa, body: &[u8]) -> Result<Vec<u8>, TsaError> {
    let unreachable = |why: String| TsaError::Unreachable { url: tsa.url.clone(), why };
    let tls = native_tls::TlsConnector::new().map_err(|e| unreachable(e.to_string()))?;
    let agent = ureq::AgentBuilder::new().timeout(tsa.timeout).tls_connector(std::sync::Arc::new(tls)).redirects(0).build();
    let response = match agent.post(&tsa.url).set("Content-Type", "application/timestamp-query").send_bytes(body) {
        Ok(r) => r,
        Err(ureq::Error::Status(status, _)) => return Err(TsaError::Http { url: tsa.url.clone(), status }),
        Err(e) => return Err(unreachable(e.to_string())),
    };
    if response.status() != 200 {
        return Err(TsaError::Http { url: tsa.url.clone(), status: response.status() });
    }
    let mut out = Vec::new();
    response.into_reader().take(MAX_RESPONSE_BYTES + 1).read_to_end(&mut out).map_err(|e| unreachable(e.to_string()))?;
    if out.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(TsaError::Malformed(format!("larger than {MAX_RESPONSE_BYTES} bytes")));
    }
    Ok(out)
}

/// Reads a TimeStampResp: granted, a token whose imprint is `digest`, the nonce sent, and a
/// signature that verifies. Returns the token's DER.
fn accept(resp: &[u8], digest: &[u8], nonce: u64) -> Result<Vec<u8>, TsaError> {
    let resp = TimeStampResp::from_der(resp).map_err(|e| TsaError::Malformed(e.to_string()))?;
    if resp.status.status > 1 {
        let text = resp.status.status_string.map(|s| format!(": {}", s.join(" "))).unwrap_or_default();
        return Err(TsaError::NotGranted { status: resp.status.status, text });
    }
    let token = resp.time_stamp_token.ok_or_else(|| TsaError::Malformed("granted, but no token".into()))?;
    let token = token.to_der().map_err(|e| TsaError::Malformed(e.to_string()))?;
    let (_, got) = check_token(&token, digest).map_err(|(imprint, p)| if imprint { TsaError::WrongImprint(p.en) } else { TsaError::Malformed(p.en) })?;
    let want = Uint::new(&nonce.to_be_bytes()).map_err(|e| TsaError::Malformed(e.to_string()))?;
    if got.as_ref() != Some(&want) {
        return Err(TsaError::WrongImprint("the nonce is not the one sent".into()));
    }
    Ok(token)
}

/// Asks `tsa` for a timestamp over `signature` (the signer's signature value) and returns
/// the checked token's DER.
pub(crate) fn timestamp(tsa: &Tsa, signature: &[u8]) -> Result<Vec<u8>, TsaError> {
    timestamp_digest(tsa, &Sha256::digest(signature))
}

/// Asks `tsa` for a timestamp whose imprint is `digest` (a SHA-256), e.g. of a document
/// timestamp's byte range, and returns the checked token's DER.
pub(crate) fn timestamp_digest(tsa: &Tsa, digest: &[u8]) -> Result<Vec<u8>, TsaError> {
    if !(tsa.url.starts_with("http://") || tsa.url.starts_with("https://")) {
        return Err(TsaError::Unreachable { url: tsa.url.clone(), why: "not an http:// or https:// URL".into() });
    }
    let n = nonce(digest);
    let resp = post(tsa, &request(digest, n)?)?;
    accept(&resp, digest, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_rfc3161_der_with_sha256_nonce_and_cert_req() {
        let der = request(&Sha256::digest(b"signaturen"), 0x1234).unwrap();
        let back = TimeStampReq::from_der(&der).unwrap();
        assert_eq!(back.version, 1);
        assert_eq!(back.message_imprint.hashed_message.as_bytes(), Sha256::digest(b"signaturen").as_slice());
        assert_eq!(back.cert_req, Some(true));
        assert_eq!(back.nonce.unwrap().as_bytes(), &[0x12, 0x34]);
    }

    #[test]
    fn a_refusal_and_garbage_are_told_apart() {
        // TimeStampResp { status { 2 (rejection), statusString { "nej" } } }
        let rejected = [0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x30, 0x05, 0x0c, 0x03, b'n', b'e', b'j'];
        assert_eq!(accept(&rejected, b"x", 1), Err(TsaError::NotGranted { status: 2, text: ": nej".into() }));
        assert!(matches!(accept(b"<html>", b"x", 1), Err(TsaError::Malformed(_))));
        // granted without a token
        assert!(matches!(accept(&[0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00], b"x", 1), Err(TsaError::Malformed(_))));
    }
}
