//! Long-term validation data (PAdES B-LT): for every certificate a signature or timestamp in
//! the PDF rests on, an OCSP response (from the certificate's AIA) or a CRL (from its CRL
//! distribution point), fetched over HTTP with limits, checked, and stored with the
//! certificates in the document security store (`/DSS`, ISO 32000-2 12.8.4.3) with one `/VRI`
//! entry per signature, in an incremental update. And the reading and checking of OCSP
//! responses and CRLs, which `verify` uses for the data in the DSS.

use crate::sign::{end_update, rfind, write_obj};
use crate::verify::{cert_signed_by, spki_der};
use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence, Tag, Tagged};
use lopdf::{Dictionary, Object, ObjectId};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use std::io::Read;
use std::time::Duration;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

/// id-ad-ocsp (RFC 5280 4.2.2.1).
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
/// id-pkix-ocsp-basic (RFC 6960 4.2.1).
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// id-pkix-ocsp-nonce.
const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// id-kp-OCSPSigning: a delegated responder's extended key usage.
const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// The most an OCSP responder may answer (a response with its responder's certificate is a
/// few KiB).
pub const MAX_OCSP_BYTES: u64 = 64 * 1024;
/// The most a CRL may be (a CA's CRL for a large population can reach MBs).
pub const MAX_CRL_BYTES: u64 = 8 * 1024 * 1024;
/// The most certificates one PDF's signatures may need validation data for.
pub const MAX_CERTS: usize = 32;

/// How validation data is fetched.
#[derive(Debug, Clone)]
pub struct Fetch {
    /// For each exchange (connect, send, read).
    pub timeout: Duration,
}

impl Default for Fetch {
    fn default() -> Self {
        Fetch { timeout: Duration::from_secs(30) }
    }
}

/// Why no validation data could be added. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LtvError {
    #[error("the PDF has no signatures to add validation data for")]
    NoSignatures,
    #[error("the PDF cannot be read: {0}")]
    Damaged(String),
    #[error("the issuer of «{0}» is neither in the signature nor in the file, so its status cannot be checked")]
    NoIssuer(String),
    #[error("the certificate «{0}» names no OCSP service (AIA) and no CRL (CDP) over http(s)")]
    NoSource(String),
    #[error("more than {MAX_CERTS} certificates need validation data")]
    TooMany,
    #[error("the revocation service {url} cannot be reached: {why}")]
    Unreachable { url: String, why: String },
    #[error("the revocation service {url} answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("the answer from {url} is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("the answer from {url} is not valid revocation data for «{subject}»: {why}")]
    Invalid { url: String, subject: String, why: String },
    #[error("the certificate «{subject}» is revoked (since {since})")]
    Revoked { subject: String, since: String },
    #[error("the status of the certificate «{0}» is unknown to its OCSP service")]
    Unknown(String),
}

impl LtvError {
    pub fn danish(&self) -> String {
        match self {
            LtvError::NoSignatures => "PDF'en har ingen signaturer at tilføje valideringsdata for".into(),
            LtvError::Damaged(why) => format!("PDF'en kan ikke læses: {why}"),
            LtvError::NoIssuer(s) => format!("udstederen af «{s}» er hverken med i signaturen eller i filen, så dets status kan ikke undersøges"),
            LtvError::NoSource(s) => format!("certifikatet «{s}» angiver hverken en OCSP-tjeneste (AIA) eller en spærreliste (CDP) over http(s)"),
            LtvError::TooMany => format!("mere end {MAX_CERTS} certifikater skal have valideringsdata"),
            LtvError::Unreachable { url, why } => format!("spærretjenesten {url} kan ikke nås: {why}"),
            LtvError::Http { url, status } => format!("spærretjenesten {url} svarede HTTP {status}"),
            LtvError::TooLarge { url, limit } => format!("svaret fra {url} er større end {limit} byte"),
            LtvError::Invalid { url, subject, why } => format!("svaret fra {url} er ikke gyldige spærreoplysninger for «{subject}»: {why}"),
            LtvError::Revoked { subject, since } => format!("certifikatet «{subject}» er spærret (siden {since})"),
            LtvError::Unknown(s) => format!("certifikatet «{s}» er ukendt for sin OCSP-tjeneste"),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            LtvError::NoSignatures => "K-LTV-INGEN-SIGNATUR",
            LtvError::Damaged(_) => "K-PDF-SKADET",
            LtvError::NoIssuer(_) => "K-LTV-INGEN-UDSTEDER",
            LtvError::NoSource(_) => "K-LTV-INGEN-KILDE",
            LtvError::TooMany => "K-LTV-FOR-MANGE",
            LtvError::Unreachable { .. } => "K-LTV-UTILGAENGELIG",
            LtvError::Http { .. } => "K-LTV-HTTP",
            LtvError::TooLarge { .. } => "K-LTV-FOR-STORT",
            LtvError::Invalid { .. } => "K-LTV-UGYLDIGT-SVAR",
            LtvError::Revoked { .. } => "K-LTV-SPAERRET",
            LtvError::Unknown(_) => "K-LTV-UKENDT",
        }
    }
}

// ---- OCSP (RFC 6960) -------------------------------------------------------------------

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: SerialNumber,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspSingleRequest {
    req_cert: CertId,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    request_list: Vec<OcspSingleRequest>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<x509_cert::ext::Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: ObjectIdentifier,
    response: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponse {
    /// ENUMERATED: 0 successful.
    response_status: Any,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    /// ResponseData, kept as read: the signature is over its DER.
    tbs_response_data: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<Certificate>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    /// [1] Name or [2] KeyHash.
    responder_id: Any,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<x509_cert::ext::Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    /// [0] good, [1] revoked (RevokedInfo), [2] unknown.
    cert_status: Any,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    single_extensions: Option<x509_cert::ext::Extensions>,
}

/// A certificate's status as an OCSP response or a CRL tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Good,
    /// Revoked at this time (unix seconds).
    Revoked(i64),
    Unknown,
}

/// Checked revocation data for one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevInfo {
    /// "OCSP" or "CRL".
    pub kind: &'static str,
    pub status: Status,
    /// thisUpdate (unix seconds).
    pub this_update: i64,
    pub next_update: Option<i64>,
    /// Certificates the answer carried (a delegated OCSP responder's).
    pub certs: Vec<Certificate>,
}

impl RevInfo {
    /// Whether this data speaks for the certificate's status at `t`: issued at or after it,
    /// or current then (thisUpdate ≤ t ≤ nextUpdate).
    pub fn covers(&self, t: i64) -> bool {
        self.this_update >= t || self.next_update.is_some_and(|n| self.this_update <= t && t <= n)
    }
}

fn gt(t: &GeneralizedTime) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

fn cert_id(cert: &Certificate, issuer: &Certificate, sha1: bool) -> Result<CertId, der::Error> {
    let name = issuer.tbs_certificate.subject.to_der()?;
    let key = issuer.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    let (alg, nh, kh) = if sha1 {
        (ID_SHA1, Sha1::digest(&name).to_vec(), Sha1::digest(key).to_vec())
    } else {
        (const_oid::db::rfc5912::ID_SHA_256, Sha256::digest(&name).to_vec(), Sha256::digest(key).to_vec())
    };
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned { oid: alg, parameters: None },
        issuer_name_hash: OctetString::new(nh)?,
        issuer_key_hash: OctetString::new(kh)?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// An OCSP request for `cert` (SHA-1 CertID, as responders expect) with a nonce.
fn ocsp_request(cert: &Certificate, issuer: &Certificate, nonce: &[u8]) -> Result<Vec<u8>, der::Error> {
    let value = OctetString::new(OctetString::new(nonce.to_vec())?.to_der()?)?;
    let ext = x509_cert::ext::Extension { extn_id: ID_PKIX_OCSP_NONCE, critical: false, extn_value: value };
    let req = OcspRequest {
        tbs_request: TbsRequest { request_list: vec![OcspSingleRequest { req_cert: cert_id(cert, issuer, true)? }], request_extensions: Some(vec![ext]) },
    };
    req.to_der()
}

fn has_eku(cert: &Certificate, oid: ObjectIdentifier) -> bool {
    matches!(cert.tbs_certificate.get::<x509_cert::ext::pkix::ExtendedKeyUsage>(), Ok(Some((_, eku))) if eku.0.contains(&oid))
}

/// Reads an OCSPResponse and checks it speaks for `cert`: successful, basic, signed by the
/// issuer or by a responder the issuer certified for OCSP signing, with a SingleResponse for
/// `cert` (SHA-1 or SHA-256 CertID). `nonce`: the one sent, if the response echoes one.
pub(crate) fn check_ocsp(der_bytes: &[u8], cert: &Certificate, issuer: &Certificate, nonce: Option<&[u8]>) -> Result<RevInfo, String> {
    let resp = OcspResponse::from_der(der_bytes).map_err(|e| format!("not an OCSP response: {e}"))?;
    if resp.response_status.tag() != Tag::Enumerated {
        return Err("not an OCSP response (no status)".into());
    }
    if resp.response_status.value() != [0] {
        return Err(format!("the responder did not answer successfully (status {:?})", resp.response_status.value()));
    }
    let rb = resp.response_bytes.ok_or("no response")?;
    if rb.response_type != ID_PKIX_OCSP_BASIC {
        return Err(format!("response type {} is not basic", rb.response_type));
    }
    let basic = BasicOcspResponse::from_der(rb.response.as_bytes()).map_err(|e| format!("BasicOCSPResponse: {e}"))?;
    let tbs = basic.tbs_response_data.to_der().map_err(|e| e.to_string())?;
    let data = ResponseData::from_der(&tbs).map_err(|e| format!("ResponseData: {e}"))?;
    let sig = basic.signature.as_bytes().ok_or("the signature is not whole bytes")?;
    let certs = basic.certs.clone().unwrap_or_default();
    let by_issuer = crate::verify::verify_sig(&spki_der(issuer), &basic.signature_algorithm.oid, &tbs, sig).is_ok();
    let by_delegate = !by_issuer
        && certs.iter().any(|r| cert_signed_by(r, issuer) && has_eku(r, ID_KP_OCSP_SIGNING) && crate::verify::verify_sig(&spki_der(r), &basic.signature_algorithm.oid, &tbs, sig).is_ok());
    if !by_issuer && !by_delegate {
        return Err("it is not signed by the certificate's issuer or a responder it authorised".into());
    }
    if let (Some(sent), Some(exts)) = (nonce, &data.response_extensions) {
        if let Some(ext) = exts.iter().find(|e| e.extn_id == ID_PKIX_OCSP_NONCE) {
            let got = OctetString::from_der(ext.extn_value.as_bytes()).map(|o| o.as_bytes().to_vec()).unwrap_or_else(|_| ext.extn_value.as_bytes().to_vec());
            if got != sent {
                return Err("its nonce is not the one sent (a replayed answer?)".into());
            }
        }
    }
    let want = [cert_id(cert, issuer, true).map_err(|e| e.to_string())?, cert_id(cert, issuer, false).map_err(|e| e.to_string())?];
    let single = data.responses.iter().find(|r| want.contains(&r.cert_id)).ok_or("it says nothing about this certificate")?;
    let status = match single.cert_status.tag() {
        Tag::ContextSpecific { number, .. } if number.value() == 0 => Status::Good,
        Tag::ContextSpecific { number, .. } if number.value() == 1 => {
            // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, … } (IMPLICIT [1])
            let at = GeneralizedTime::from_der(single.cert_status.value().get(..17).unwrap_or_default()).map(|t| gt(&t)).unwrap_or(0);
            Status::Revoked(at)
        }
        Tag::ContextSpecific { number, .. } if number.value() == 2 => Status::Unknown,
        other => return Err(format!("unknown certificate status {other}")),
    };
    Ok(RevInfo { kind: "OCSP", status, this_update: gt(&single.this_update), next_update: single.next_update.as_ref().map(gt), certs })
}

/// Reads a CRL and checks it speaks for `cert`: issued and signed by `issuer`; the status is
/// revoked if it lists the serial number.
pub(crate) fn check_crl(der_bytes: &[u8], cert: &Certificate, issuer: &Certificate) -> Result<RevInfo, String> {
    let crl = x509_cert::crl::CertificateList::from_der(der_bytes).map_err(|e| format!("not a CRL: {e}"))?;
    if crl.tbs_cert_list.issuer != issuer.tbs_certificate.subject || cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return Err("it is not the CRL of the certificate's issuer".into());
    }
    let tbs = crl.tbs_cert_list.to_der().map_err(|e| e.to_string())?;
    let sig = crl.signature.as_bytes().ok_or("the signature is not whole bytes")?;
    crate::verify::verify_sig(&spki_der(issuer), &crl.signature_algorithm.oid, &tbs, sig).map_err(|e| format!("its signature does not verify with the issuer's key: {e}"))?;
    let time = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
    let revoked = crl.tbs_cert_list.revoked_certificates.as_ref().and_then(|list| list.iter().find(|r| r.serial_number == cert.tbs_certificate.serial_number));
    let status = match revoked {
        Some(r) => Status::Revoked(time(&r.revocation_date)),
        None => Status::Good,
    };
    Ok(RevInfo { kind: "CRL", status, this_update: time(&crl.tbs_cert_list.this_update), next_update: crl.tbs_cert_list.next_update.as_ref().map(time), certs: Vec::new() })
}

// ---- where the data comes from -----------------------------------------------------------

fn http_url(g: &GeneralName) -> Option<String> {
    match g {
        GeneralName::UniformResourceIdentifier(u) if u.as_str().starts_with("http://") || u.as_str().starts_with("https://") => Some(u.as_str().to_string()),
        _ => None,
    }
}

/// The certificate's OCSP URLs (AIA, id-ad-ocsp), http(s) only.
pub(crate) fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    match cert.tbs_certificate.get::<AuthorityInfoAccessSyntax>() {
        Ok(Some((_, aia))) => aia.0.iter().filter(|a| a.access_method == ID_AD_OCSP).filter_map(|a| http_url(&a.access_location)).collect(),
        _ => Vec::new(),
    }
}

/// The certificate's CRL URLs (CRL distribution points, full names), http(s) only.
pub(crate) fn crl_urls(cert: &Certificate) -> Vec<String> {
    match cert.tbs_certificate.get::<CrlDistributionPoints>() {
        Ok(Some((_, cdp))) => cdp
            .0
            .iter()
            .filter_map(|dp| match &dp.distribution_point {
                Some(DistributionPointName::FullName(names)) => Some(names.iter().filter_map(http_url).collect::<Vec<_>>()),
                _ => None,
            })
            .flatten()
            .collect(),
        _ => Vec::new(),
    }
}

fn get(url: &str, body: Option<&[u8]>, limit: u64, fetch: &Fetch) -> Result<Vec<u8>, LtvError> {
    let unreachable = |why: String| LtvError::Unreachable { url: url.to_string(), why };
    let tls = native_tls::TlsConnector::new().map_err(|e| unreachable(e.to_string()))?;
    let agent = ureq::AgentBuilder::new().timeout(fetch.timeout).tls_connector(std::sync::Arc::new(tls)).redirects(0).build();
    let result = match body {
        Some(b) => agent.post(url).set("Content-Type", "application/ocsp-request").set("Accept", "application/ocsp-response").send_bytes(b),
        None => agent.get(url).call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(status, _)) => return Err(LtvError::Http { url: url.to_string(), status }),
        Err(e) => return Err(unreachable(e.to_string())),
    };
    if response.status() != 200 {
        return Err(LtvError::Http { url: url.to_string(), status: response.status() });
    }
    let mut out = Vec::new();
    response.into_reader().take(limit + 1).read_to_end(&mut out).map_err(|e| unreachable(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(LtvError::TooLarge { url: url.to_string(), limit });
    }
    Ok(out)
}

fn subject(c: &Certificate) -> String {
    c.tbs_certificate.subject.to_string()
}

fn fmt_time(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t).map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())).unwrap_or_else(|_| t.to_string())
}

/// What was fetched for one certificate: the raw answer and which kind it is.
enum Fetched {
    Ocsp(Vec<u8>, RevInfo),
    Crl(Vec<u8>, RevInfo),
}

/// OCSP first (each AIA URL), then CRLs (each CDP URL); the first answer that checks out.
/// A revoked or unknown status is an error, not data to embed.
fn fetch_status(cert: &Certificate, issuer: &Certificate, fetch: &Fetch) -> Result<Fetched, LtvError> {
    let ocsp = ocsp_urls(cert);
    let crls = crl_urls(cert);
    if ocsp.is_empty() && crls.is_empty() {
        return Err(LtvError::NoSource(subject(cert)));
    }
    let judge = |info: &RevInfo| match info.status {
        Status::Good => Ok(()),
        Status::Revoked(at) => Err(LtvError::Revoked { subject: subject(cert), since: fmt_time(at) }),
        Status::Unknown => Err(LtvError::Unknown(subject(cert))),
    };
    let mut first_error = None;
    for url in &ocsp {
        let clock = crate::tsa::nonce(url.as_bytes()).to_be_bytes();
        let nonce = Sha256::digest([cert.tbs_certificate.serial_number.as_bytes(), &clock[..]].concat())[..16].to_vec();
        let req = ocsp_request(cert, issuer, &nonce).map_err(|e| LtvError::Damaged(e.to_string()))?;
        let attempt = get(url, Some(&req), MAX_OCSP_BYTES, fetch).and_then(|bytes| {
            let info = check_ocsp(&bytes, cert, issuer, Some(&nonce)).map_err(|why| LtvError::Invalid { url: url.clone(), subject: subject(cert), why })?;
            judge(&info)?;
            Ok(Fetched::Ocsp(bytes, info))
        });
        match attempt {
            Ok(f) => return Ok(f),
            Err(e @ (LtvError::Revoked { .. } | LtvError::Unknown(_))) => return Err(e),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    for url in &crls {
        let attempt = get(url, None, MAX_CRL_BYTES, fetch).and_then(|bytes| {
            let info = check_crl(&bytes, cert, issuer).map_err(|why| LtvError::Invalid { url: url.clone(), subject: subject(cert), why })?;
            judge(&info)?;
            Ok(Fetched::Crl(bytes, info))
        });
        match attempt {
            Ok(f) => return Ok(f),
            Err(e @ LtvError::Revoked { .. }) => return Err(e),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| LtvError::NoSource(subject(cert))))
}

// ---- what the PDF's signatures rest on -----------------------------------------------------

/// One signature or document timestamp in the file, as far as validation data is concerned.
pub(crate) struct SignedThing {
    /// Uppercase hex SHA-1 of /Contents (the VRI key).
    pub vri_key: String,
    /// Leaf certificates: the signer's and its signature timestamp's TSA, or the document
    /// timestamp's TSA.
    pub leaves: Vec<Certificate>,
    /// Every certificate the CMS structures carry.
    pub pool: Vec<Certificate>,
}

fn cms_certs(sd: &cms::signed_data::SignedData) -> Vec<Certificate> {
    sd.certificates
        .as_ref()
        .map(|cs| cs.0.iter().filter_map(|c| match c { cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()), _ => None }).collect())
        .unwrap_or_default()
}

fn signer_of(sd: &cms::signed_data::SignedData, pool: &[Certificate]) -> Option<(Certificate, cms::signed_data::SignerInfo)> {
    let si = sd.signer_infos.0.iter().next()?.clone();
    let cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(ias) = &si.sid else { return None };
    let cert = pool.iter().find(|c| c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number)?.clone();
    Some((cert, si))
}

fn signed_data(der_bytes: &[u8]) -> Option<cms::signed_data::SignedData> {
    let mut reader = der::SliceReader::new(der_bytes).ok()?;
    let ci: cms::content_info::ContentInfo = der::Reader::decode(&mut reader).ok()?;
    ci.content.decode_as().ok()
}

/// The signatures and document timestamps of `doc` with the certificates they rest on.
pub(crate) fn signed_things(doc: &lopdf::Document) -> Vec<SignedThing> {
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"ByteRange").is_err() {
            continue;
        }
        let Ok(Object::String(contents, _)) = d.get(b"Contents") else { continue };
        let vri_key: String = Sha1::digest(contents).iter().map(|b| format!("{b:02X}")).collect();
        let Some(sd) = signed_data(contents) else { continue };
        let mut pool = cms_certs(&sd);
        let Some((cert, si)) = signer_of(&sd, &pool) else { continue };
        let mut leaves = vec![cert];
        // the signature timestamp's TSA
        let token = si
            .unsigned_attrs
            .as_ref()
            .and_then(|a| a.iter().find(|a| a.oid == crate::tsa::ID_AA_TIME_STAMP_TOKEN))
            .and_then(|a| a.values.iter().next())
            .and_then(|v| v.to_der().ok())
            .and_then(|der| signed_data(&der));
        if let Some(tsd) = token {
            let tpool = cms_certs(&tsd);
            if let Some((tcert, _)) = signer_of(&tsd, &tpool) {
                leaves.push(tcert);
            }
            pool.extend(tpool);
        }
        out.push(SignedThing { vri_key, leaves, pool });
    }
    out
}

fn self_signed(c: &Certificate) -> bool {
    c.tbs_certificate.issuer == c.tbs_certificate.subject && cert_signed_by(c, c)
}

/// `leaf`'s chain from `pool`: each certificate with its issuer, up to a self-signed root
/// (which needs no status). `Err(subject)` when an issuer is missing.
pub(crate) fn chain_pairs(leaf: &Certificate, pool: &[Certificate]) -> Result<Vec<(Certificate, Certificate)>, String> {
    let mut out = Vec::new();
    let mut cur = leaf.clone();
    for _ in 0..10 {
        if self_signed(&cur) {
            return Ok(out);
        }
        let Some(issuer) = pool.iter().find(|p| *p != &cur && cert_signed_by(&cur, p)) else { return Err(subject(&cur)) };
        out.push((cur.clone(), issuer.clone()));
        cur = issuer.clone();
    }
    Ok(out)
}

// ---- the DSS ----------------------------------------------------------------------------

/// What the DSS holds: its streams' bytes, read from a file (empty without a DSS).
#[derive(Debug, Default, Clone)]
pub(crate) struct DssData {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

/// Caps how much of a DSS is read: entries per array, and bytes per stream.
const MAX_DSS_ENTRIES: usize = 1024;
const MAX_DSS_STREAM: usize = MAX_CRL_BYTES as usize;

fn stream_bytes(doc: &lopdf::Document, o: &Object) -> Option<Vec<u8>> {
    let s = match o {
        Object::Reference(id) => doc.get_object(*id).ok()?.as_stream().ok()?,
        Object::Stream(s) => s,
        _ => return None,
    };
    let bytes = match s.dict.get(b"Filter") {
        Err(_) => s.content.clone(),
        Ok(Object::Name(n)) if n == b"FlateDecode" => {
            // inflated with a cap: a small stream must not become gigabytes in memory
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(s.content.as_slice()).take(MAX_DSS_STREAM as u64 + 1).read_to_end(&mut out).ok()?;
            out
        }
        Ok(_) => return None,
    };
    (bytes.len() <= MAX_DSS_STREAM).then_some(bytes)
}

fn dss_dict(doc: &lopdf::Document) -> Option<(Option<ObjectId>, Dictionary)> {
    let o = doc.catalog().ok()?.get(b"DSS").ok()?;
    match o {
        Object::Reference(id) => Some((Some(*id), doc.get_object(*id).ok()?.as_dict().ok()?.clone())),
        Object::Dictionary(d) => Some((None, d.clone())),
        _ => None,
    }
}

fn refs(doc: &lopdf::Document, d: &Dictionary, key: &[u8]) -> Vec<Object> {
    let arr = match d.get(key) {
        Ok(Object::Reference(id)) => doc.get_object(*id).ok().and_then(|o| o.as_array().ok()).cloned().unwrap_or_default(),
        Ok(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    arr.into_iter().take(MAX_DSS_ENTRIES).collect()
}

/// The DSS of `doc` (the latest revision's catalog).
pub(crate) fn read_dss(doc: &lopdf::Document) -> DssData {
    let Some((_, d)) = dss_dict(doc) else { return DssData::default() };
    let read = |key: &[u8]| -> Vec<Vec<u8>> { refs(doc, &d, key).iter().filter_map(|o| stream_bytes(doc, o)).collect() };
    DssData { certs: read(b"Certs"), ocsps: read(b"OCSPs"), crls: read(b"CRLs") }
}

/// Adds validation data for every signature and document timestamp in `pdf` (B-T → B-LT;
/// after a document timestamp, for that timestamp too): the chains' certificates, an OCSP
/// response or CRL for each certificate but the roots, all checked, in the DSS with a VRI
/// entry per signature. An incremental update; the input is unchanged. Data the DSS already
/// holds is not fetched again.
pub fn add_validation_data(pdf: &[u8], fetch: &Fetch) -> Result<Vec<u8>, LtvError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(LtvError::Damaged("not a PDF".into()));
    }
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| LtvError::Damaged(e.to_string()))?;
    let things = signed_things(&doc);
    if things.is_empty() {
        return Err(LtvError::NoSignatures);
    }
    let existing = read_dss(&doc);
    let existing_certs: Vec<Certificate> = existing.certs.iter().filter_map(|c| Certificate::from_der(c).ok()).collect();

    // new streams: (kind, bytes); kind 0 cert, 1 OCSP, 2 CRL
    let mut new: Vec<(u8, Vec<u8>)> = Vec::new();
    // per VRI key: indexes into `all` (existing first, then new) per kind
    let mut vri: Vec<(String, [Vec<usize>; 3])> = Vec::new();
    let mut fetched_for: Vec<(Vec<u8>, u8, Vec<u8>)> = Vec::new(); // (cert DER, kind, answer)
    let mut count = 0usize;
    for thing in &things {
        let mut pool = thing.pool.clone();
        pool.extend(existing_certs.iter().cloned());
        let mut entry: [Vec<Vec<u8>>; 3] = Default::default();
        for leaf in &thing.leaves {
            let pairs = chain_pairs(leaf, &pool).map_err(LtvError::NoIssuer)?;
            let mut chain: Vec<&Certificate> = vec![leaf];
            chain.extend(pairs.iter().map(|(_, i)| i));
            for c in chain {
                entry[0].push(c.to_der().map_err(|e| LtvError::Damaged(e.to_string()))?);
            }
            for (cert, issuer) in &pairs {
                let der_cert = cert.to_der().map_err(|e| LtvError::Damaged(e.to_string()))?;
                // already in the DSS, or fetched for another signature?
                let known = existing.ocsps.iter().find(|o| check_ocsp(o, cert, issuer, None).is_ok_and(|i| i.status == Status::Good)).map(|o| (1u8, o.clone())).or_else(|| {
                    existing.crls.iter().find(|o| check_crl(o, cert, issuer).is_ok_and(|i| i.status == Status::Good)).map(|o| (2u8, o.clone()))
                });
                let known = known.or_else(|| fetched_for.iter().find(|(c, _, _)| *c == der_cert).map(|(_, k, b)| (*k, b.clone())));
                let (kind, bytes) = match known {
                    Some(k) => k,
                    None => {
                        count += 1;
                        if count > MAX_CERTS {
                            return Err(LtvError::TooMany);
                        }
                        let (kind, bytes, info) = match fetch_status(cert, issuer, fetch)? {
                            Fetched::Ocsp(b, i) => (1u8, b, i),
                            Fetched::Crl(b, i) => (2u8, b, i),
                        };
                        for rc in &info.certs {
                            entry[0].push(rc.to_der().map_err(|e| LtvError::Damaged(e.to_string()))?);
                        }
                        fetched_for.push((der_cert.clone(), kind, bytes.clone()));
                        (kind, bytes)
                    }
                };
                entry[kind as usize].push(bytes);
            }
        }
        // every blob gets one index across existing + new
        let mut idx: [Vec<usize>; 3] = Default::default();
        for (k, blobs) in entry.iter().enumerate() {
            let have = match k {
                0 => &existing.certs,
                1 => &existing.ocsps,
                _ => &existing.crls,
            };
            for b in blobs {
                let old_at = have.iter().position(|h| h == b);
                let new_at = new.iter().filter(|(nk, _)| *nk as usize == k).position(|(_, nb)| nb == b);
                let i = match (old_at, new_at) {
                    (Some(i), _) => i,
                    (None, Some(j)) => have.len() + j,
                    (None, None) => {
                        new.push((k as u8, b.clone()));
                        have.len() + new.iter().filter(|(nk, _)| *nk as usize == k).count() - 1
                    }
                };
                if !idx[k].contains(&i) {
                    idx[k].push(i);
                }
            }
        }
        vri.push((thing.vri_key.clone(), idx));
    }
    write_dss(pdf, &doc, &new, &vri)
}

fn stream_object(bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("<</Length {}>>\nstream\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\nendstream");
}

/// Appends the DSS update: the new streams, the DSS dictionary (existing entries kept), the
/// VRI dictionaries and the catalog pointing at the DSS (with the ESIC extension level).
fn write_dss(pdf: &[u8], doc: &lopdf::Document, new: &[(u8, Vec<u8>)], vri: &[(String, [Vec<usize>; 3])]) -> Result<Vec<u8>, LtvError> {
    let damaged = |s: &str| LtvError::Damaged(s.to_string());
    let prev = rfind(pdf, b"startxref").ok_or_else(|| damaged("no startxref"))?;
    let prev_xref: u64 = std::str::from_utf8(&pdf[prev + 9..]).ok().and_then(|s| s.split_whitespace().next()?.parse().ok()).ok_or_else(|| damaged("unreadable startxref"))?;
    let root_id = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|_| damaged("no /Root"))?;
    let mut catalog = doc.get_object(root_id).and_then(Object::as_dict).map_err(|_| damaged("no catalog"))?.clone();
    let mut next = doc.max_id;
    let mut alloc = || -> Result<ObjectId, LtvError> {
        next = next.checked_add(1).ok_or_else(|| damaged("object numbers exhausted"))?;
        Ok((next, 0))
    };
    let (dss_id, mut dss) = match dss_dict(doc) {
        Some((Some(id), d)) => (id, d),
        Some((None, d)) => (alloc()?, d),
        None => (alloc()?, Dictionary::new()),
    };
    let mut arrays: [Vec<Object>; 3] = [refs(doc, &dss, b"Certs"), refs(doc, &dss, b"OCSPs"), refs(doc, &dss, b"CRLs")];
    let mut objects: Vec<(ObjectId, Vec<u8>)> = Vec::new();
    for (kind, bytes) in new {
        let id = alloc()?;
        let mut body = Vec::new();
        stream_object(bytes, &mut body);
        objects.push((id, body));
        arrays[*kind as usize].push(Object::Reference(id));
    }
    let mut vri_dict = match dss.get(b"VRI") {
        Ok(Object::Reference(id)) => doc.get_object(*id).ok().and_then(|o| o.as_dict().ok()).cloned().unwrap_or_default(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    for (key, idx) in vri {
        let mut entry = Dictionary::new();
        for (k, name) in [(0usize, "Cert"), (1, "OCSP"), (2, "CRL")] {
            let items: Vec<Object> = idx[k].iter().filter_map(|&i| arrays[k].get(i).cloned()).collect();
            if !items.is_empty() {
                entry.set(name, Object::Array(items));
            }
        }
        vri_dict.set(key.as_bytes().to_vec(), Object::Dictionary(entry));
    }
    dss.set("Type", Object::Name(b"DSS".to_vec()));
    for (k, name) in [(0usize, "Certs"), (1, "OCSPs"), (2, "CRLs")] {
        if !arrays[k].is_empty() {
            dss.set(name, Object::Array(arrays[k].clone()));
        }
    }
    dss.set("VRI", Object::Dictionary(vri_dict));
    let mut body = Vec::new();
    write_obj(&Object::Dictionary(dss), &mut body);
    objects.push((dss_id, body));
    if catalog.get(b"DSS").ok().and_then(|o| o.as_reference().ok()) != Some(dss_id) {
        catalog.set("DSS", Object::Reference(dss_id));
        // PAdES (ETSI EN 319 142-1 5.4.1): the ESIC extension declares the DSS to PDF 1.7 readers
        let mut ext = match catalog.get(b"Extensions") {
            Ok(Object::Dictionary(d)) => d.clone(),
            Ok(Object::Reference(id)) => doc.get_object(*id).ok().and_then(|o| o.as_dict().ok()).cloned().unwrap_or_default(),
            _ => Dictionary::new(),
        };
        let mut esic = Dictionary::new();
        esic.set("BaseVersion", Object::Name(b"1.7".to_vec()));
        esic.set("ExtensionLevel", Object::Integer(5));
        ext.set("ESIC", Object::Dictionary(esic));
        catalog.set("Extensions", Object::Dictionary(ext));
        let mut body = Vec::new();
        write_obj(&Object::Dictionary(catalog), &mut body);
        objects.push((root_id, body));
    }

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    for (id, body) in &objects {
        offsets.push((*id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    end_update(&mut out, &mut offsets, doc, i64::from(next) + 1, root_id, prev_xref);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_neither_ocsp_nor_crl() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x00];
        assert!(OcspResponse::from_der(b"<html>").is_err());
        assert!(x509_cert::crl::CertificateList::from_der(&der).is_err());
    }

    #[test]
    fn revocation_data_covers_a_time_it_was_current_for_or_followed() {
        let info = |this, next| RevInfo { kind: "OCSP", status: Status::Good, this_update: this, next_update: next, certs: vec![] };
        assert!(info(100, None).covers(90), "issued after the time");
        assert!(info(100, Some(200)).covers(150), "current then");
        assert!(!info(100, Some(200)).covers(250), "expired before the time");
        assert!(!info(100, None).covers(150), "issued before, no next update: says nothing about later");
    }
}
