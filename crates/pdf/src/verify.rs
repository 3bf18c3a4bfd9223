//! Verification of the PDF's signatures: per signature, who signed, the claimed time,
//! whether the signed bytes are intact (digest and CMS signature), what was appended after
//! it, and whether the signer's certificate chains to a given trust anchor.

use crate::sign::{common_name, find};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode, Reader, SliceReader};
use lopdf::Object;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

/// What follows a signature's signed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendedChange {
    pub bytes: usize,
    /// Objects (re)defined after the signature, e.g. "Sig", "Catalog", "Page", "Annot".
    pub objects: Vec<String>,
    /// The appended part is covered by a later signature (e.g. a co-signer).
    pub signed_by_later: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    /// /Name of the signature, or the certificate's common name.
    pub signer: String,
    /// Subject of the signing certificate (RFC 4514).
    pub subject: String,
    pub issuer: String,
    /// /M as written, e.g. D:20240502120000Z.
    pub claimed_time: String,
    pub reason: Option<String>,
    pub location: Option<String>,
    /// The digest matches and the CMS signature verifies with the signer's certificate.
    pub intact: bool,
    /// Why not intact (digest mismatch, bad signature …).
    pub problem: Option<SignatureProblem>,
    /// The signer's certificate was valid at the claimed time; `None` if the signature's
    /// certificate could not be read.
    pub cert_valid_at_time: Option<bool>,
    /// `Some(true)` if the chain reaches one of the given trust anchors; `None` without anchors.
    pub trusted: Option<bool>,
    /// Bytes appended after this signature's range, if any.
    pub appended: Option<AppendedChange>,
    /// The RFC 3161 signature timestamp (PAdES B-T), if the signature carries one.
    pub timestamp: Option<TimestampReport>,
    /// The signer's certificate is valid at the validation time (`None`: unreadable). When it
    /// is not (it has expired since), the signature holds only as B-LT or B-LTA.
    pub cert_valid_at_validation: Option<bool>,
    /// The status of each certificate of the signer's and its timestamp's chains as the
    /// document security store (DSS) tells it; empty without a DSS.
    pub revocation: Vec<RevocationCheck>,
    /// Validation data for every certificate of both chains is in the DSS, checked, and speaks
    /// for the signing time (PAdES B-LT).
    pub long_term: bool,
    /// A valid document timestamp covers the DSS with that data (PAdES B-LTA).
    pub archived: bool,
    /// Why the signature does not hold at the validation time though intact (English, Danish).
    pub long_term_problem: Option<(String, String)>,
}

/// One certificate's status from the DSS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationCheck {
    /// The certificate's subject.
    pub subject: String,
    /// "OCSP" or "CRL"; `None`: the DSS holds nothing that speaks for this certificate.
    pub source: Option<&'static str>,
    /// Revoked at this time (unix seconds), if so.
    pub revoked_at: Option<i64>,
}

/// A document timestamp (PAdES B-LTA: `/Type /DocTimeStamp`, ETSI.RFC3161) over the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocTimestampReport {
    /// genTime, unix seconds; `None` when the token cannot be read.
    pub time: Option<i64>,
    pub tsa: String,
    /// Its imprint is the SHA-256 of its byte range and its TSA signature verifies.
    pub intact: bool,
    pub problem: Option<(String, String)>,
    /// `Some(true)` if the TSA's certificate chains to one of the anchors; `None` without anchors.
    pub trusted: Option<bool>,
    /// The TSA's certificate is valid at the validation time.
    pub cert_valid_at_validation: bool,
    /// Bytes of the file it covers (from the start).
    pub covers: usize,
}

impl DocTimestampReport {
    pub fn valid(&self) -> bool {
        self.intact && self.problem.is_none() && self.trusted != Some(false)
    }

    /// genTime as "2026-12-06 05:31:55 UTC".
    pub fn time_utc(&self) -> String {
        gen_time_utc(self.time)
    }
}

/// A signature's `signature-time-stamp` (RFC 3161 token over the signature value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampReport {
    /// genTime, unix seconds; `None` when the token cannot be read.
    pub time: Option<i64>,
    /// The time-stamping authority: the token's `tsa` name, else its certificate's subject.
    pub tsa: String,
    /// The token's message imprint is the SHA-256 of this signature's value.
    pub imprint_matches: bool,
    /// Why the token is not good (unreadable, imprint, TSA signature), English and Danish.
    pub problem: Option<(String, String)>,
    /// `Some(true)` if the TSA's certificate chains to one of the trust anchors; `None` without anchors.
    pub trusted: Option<bool>,
}

impl TimestampReport {
    /// Readable, its imprint is this signature's and its TSA signature verifies.
    pub fn valid(&self) -> bool {
        self.problem.is_none() && self.imprint_matches
    }

    /// genTime as "2026-12-06 05:31:55 UTC".
    pub fn time_utc(&self) -> String {
        gen_time_utc(self.time)
    }
}

/// A token's genTime as "2026-12-06 05:31:55 UTC", or «(ukendt)».
fn gen_time_utc(time: Option<i64>) -> String {
    time.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok()).map(utc).unwrap_or_else(|| "(ukendt)".into())
}

/// What a checked token says, for either report: its time, its TSA, and whether the TSA's
/// certificate chains to an anchor (`None` without anchors; the DSS's certificates help).
fn stamped(tok: &crate::tsa::Token, anchors: &[Certificate], dss_certs: &[Certificate]) -> (Option<i64>, String, Option<bool>) {
    let trusted = (!anchors.is_empty()).then(|| {
        let mut pool = tok.pool.clone();
        pool.extend(dss_certs.iter().cloned());
        chains_to(&tok.cert, &pool, anchors)
    });
    (Some(tok.time), tok.tsa_name.clone(), trusted)
}

fn utc(t: time::OffsetDateTime) -> String {
    format!("{}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

impl SignatureReport {
    /// The claimed time as a reader writes it, in UTC ("2026-12-06 05:31:55 UTC"); /M as
    /// written when it is not a PDF date.
    pub fn claimed_time_utc(&self) -> String {
        parse_pdf_date(&self.claimed_time)
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .map(utc)
            .unwrap_or_else(|| self.claimed_time.clone())
    }

    /// The PAdES baseline level this signature reaches as checked here: "PAdES B-T" with a
    /// valid signature timestamp, "PAdES B-B" without, "PAdES B-LT" when the DSS holds checked
    /// validation data for both chains, "PAdES B-LTA" when a valid document timestamp covers
    /// it; `None` when the signature is not intact.
    pub fn level(&self) -> Option<&'static str> {
        if !self.intact {
            return None;
        }
        if !self.timestamp.as_ref().is_some_and(|t| t.valid() && t.trusted != Some(false)) {
            return Some("PAdES B-B");
        }
        Some(if !self.long_term {
            "PAdES B-T"
        } else if !self.archived {
            "PAdES B-LT"
        } else {
            "PAdES B-LTA"
        })
    }

    /// Whether this signature holds: intact, its certificate valid at the signing time,
    /// trusted (with anchors), its timestamp good, no certificate revoked before the signing
    /// time, and — when its certificate has expired by the validation time — proven by B-LT
    /// or B-LTA data.
    pub fn holds(&self) -> bool {
        self.intact
            && self.cert_valid_at_time == Some(true)
            && self.trusted != Some(false)
            && self.timestamp.as_ref().is_none_or(|t| t.valid() && t.trusted != Some(false))
            && self.long_term_problem.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub signatures: Vec<SignatureReport>,
    /// Bytes at the end of the file not covered by any signature.
    pub unsigned_tail: usize,
    /// That tail only adds validation data: a DSS, its streams and the catalog's `/DSS`
    /// (and `/Extensions`) — what B-LT appends after a signature; nothing a reader sees.
    pub tail_is_validation_data: bool,
    /// Document timestamps (B-LTA), in file order.
    pub document_timestamps: Vec<DocTimestampReport>,
    /// The time the file was validated at (unix seconds): now, or as asked.
    pub validation_time: i64,
}

impl VerifyReport {
    /// All signatures intact, nothing unsigned after the last one, and (if trust anchors
    /// were given) every signer trusted. This is what `konsekvens verify` exits 0 on.
    pub fn ok(&self) -> bool {
        !self.signatures.is_empty()
            && (self.unsigned_tail == 0 || self.tail_is_validation_data)
            && self.signatures.iter().all(SignatureReport::holds)
            && self.document_timestamps.iter().all(DocTimestampReport::valid)
    }
}

/// Why a signature is not intact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureProblem {
    #[error("the byte range does not describe this file")]
    ByteRange,
    /// /ByteRange is not four whole, non-negative numbers (why, in Danish).
    #[error("[K-PDF-BYTERANGE-FORM] /ByteRange is not four whole, non-negative numbers: {0}")]
    ByteRangeMalformed(String),
    /// /ByteRange points past the end of the file (or its sum overflows).
    #[error("[K-PDF-BYTERANGE-UDENFOR] /ByteRange points outside the file")]
    ByteRangeOutside,
    #[error("the byte range does not exclude exactly the signature value")]
    Gap,
    #[error("the signature value is not hex")]
    NotHex,
    #[error("the signature value is not a CMS signature: {0}")]
    NotCms(String),
    #[error("the signer cannot be identified: {0}")]
    Signer(String),
    #[error("the signer's certificate is not in the signature")]
    NoCertificate,
    #[error("the signature has no signed message digest")]
    NoDigest,
    #[error("the signed bytes have been changed (digest mismatch)")]
    DigestMismatch,
    #[error("no signing-certificate-v2 attribute (not PAdES B-B)")]
    NoSigningCertificate,
    #[error("signing-certificate-v2 does not match the signer's certificate")]
    SigningCertificateMismatch,
    #[error("the signature does not verify with the signer's key: {0}")]
    BadSignature(String),
}

impl SignatureProblem {
    /// The problem in Danish, for the CLI and the app (Display is English).
    pub fn danish(&self) -> String {
        match self {
            SignatureProblem::ByteRange => "signaturens byteområde passer ikke til filen".into(),
            SignatureProblem::ByteRangeMalformed(why) => {
                format!("[K-PDF-BYTERANGE-FORM] signaturens /ByteRange er ikke fire hele, ikke-negative tal ({why}); filen er beskadiget eller forfalsket")
            }
            SignatureProblem::ByteRangeOutside => {
                "[K-PDF-BYTERANGE-UDENFOR] signaturens /ByteRange peger uden for filen; filen er afkortet, beskadiget eller forfalsket".into()
            }
            SignatureProblem::Gap => "byteområdet udelader ikke præcis signaturværdien".into(),
            SignatureProblem::NotHex => "signaturværdien er ikke hexadecimal".into(),
            SignatureProblem::NotCms(why) => format!("signaturværdien er ikke en CMS-signatur: {why}"),
            SignatureProblem::Signer(why) => format!("underskriveren kan ikke identificeres: {why}"),
            SignatureProblem::NoCertificate => "underskriverens certifikat er ikke med i signaturen".into(),
            SignatureProblem::NoDigest => "signaturen har ingen signeret kontrolsum".into(),
            SignatureProblem::DigestMismatch => "de signerede bytes er ændret (kontrolsummen passer ikke)".into(),
            SignatureProblem::NoSigningCertificate => "signaturen mangler attributten signing-certificate-v2 (ikke PAdES B-B)".into(),
            SignatureProblem::SigningCertificateMismatch => "signing-certificate-v2 passer ikke til underskriverens certifikat".into(),
            SignatureProblem::BadSignature(why) => format!("signaturen passer ikke med underskriverens nøgle: {why}"),
        }
    }
}

/// A signature's CMS structure, read far enough to name the signer.
struct Parsed {
    cert: Certificate,
    pool: Vec<Certificate>,
    signer_info: cms::signed_data::SignerInfo,
}

/// A signature's /ByteRange `[0 b c l]`, checked against the file: the signed bytes are
/// `pdf[..b]` and `pdf[c..end]`, and `b < c <= end <= pdf.len()` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SignedRange {
    b: usize,
    c: usize,
    end: usize,
}

/// Reads /ByteRange as untrusted input: every number is checked, every sum is checked.
fn byte_range(o: &Object, len: usize) -> Result<SignedRange, SignatureProblem> {
    use SignatureProblem as P;
    let Object::Array(items) = o else { return Err(P::ByteRangeMalformed("ikke en liste".into())) };
    if items.len() != 4 {
        return Err(P::ByteRangeMalformed(format!("{} tal i stedet for 4", items.len())));
    }
    let mut n = [0u64; 4];
    for (i, x) in items.iter().enumerate() {
        let Object::Integer(v) = x else { return Err(P::ByteRangeMalformed(format!("tal nr. {} er ikke et helt tal", i + 1))) };
        n[i] = u64::try_from(*v).map_err(|_| P::ByteRangeMalformed(format!("tal nr. {} er negativt", i + 1)))?;
    }
    let [a, b, c, l] = n;
    let end = c.checked_add(l).ok_or(P::ByteRangeOutside)?;
    if end > len as u64 || b > len as u64 || c > len as u64 {
        return Err(P::ByteRangeOutside);
    }
    if a != 0 || b == 0 || c <= b {
        return Err(P::ByteRange);
    }
    if c - b < 2 {
        return Err(P::Gap);
    }
    // all at most `len`, so they fit a usize
    Ok(SignedRange { b: b as usize, c: c as usize, end: end as usize })
}

/// Reads the CMS signature between `pdf[b]` and `pdf[c - 1]` and finds the signer's
/// certificate (by issuer and serial: the certificate set is sorted, not ordered).
fn parse_signature(pdf: &[u8], SignedRange { b, c, .. }: SignedRange) -> Result<Parsed, SignatureProblem> {
    use SignatureProblem as P;
    if pdf[b] != b'<' || pdf[c - 1] != b'>' {
        return Err(P::Gap);
    }
    let cms_bytes = unhex(&pdf[b + 1..c - 1]).ok_or(P::NotHex)?;
    let mut reader = SliceReader::new(&cms_bytes).map_err(|e| P::NotCms(e.to_string()))?;
    let ci: ContentInfo = reader.decode().map_err(|e| P::NotCms(e.to_string()))?;
    let sd: SignedData = ci.content.decode_as().map_err(|e| P::NotCms(format!("not SignedData: {e}")))?;
    let pool: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|cs| cs.0.iter().filter_map(|c| match c { cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()), _ => None }).collect())
        .unwrap_or_default();
    let signer_info = sd.signer_infos.0.iter().next().ok_or_else(|| P::Signer("no signer info".into()))?.clone();
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &signer_info.sid else {
        return Err(P::Signer("identified by key id, which is not supported".into()));
    };
    let cert = pool
        .iter()
        .find(|c| c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number)
        .ok_or(P::NoCertificate)?
        .clone();
    Ok(Parsed { cert, pool, signer_info })
}

/// Whether the signed bytes are what was signed: the message digest over the byte range,
/// signing-certificate-v2 naming the signer's certificate, and the signature over the
/// signed attributes.
fn check_integrity(pdf: &[u8], SignedRange { b, c, end }: SignedRange, parsed: &Parsed) -> Result<(), SignatureProblem> {
    use SignatureProblem as P;
    let si = &parsed.signer_info;
    let attrs = si.signed_attrs.as_ref().ok_or(P::NoDigest)?;
    let md_oid = const_oid::db::rfc5911::ID_MESSAGE_DIGEST;
    let md = attrs.iter().find(|x| x.oid == md_oid).and_then(|x| x.values.iter().next()).ok_or(P::NoDigest)?;
    let md = md.to_der().ok().and_then(|d| der::asn1::OctetString::from_der(&d).ok()).ok_or(P::NoDigest)?;
    let mut h = Sha256::new();
    h.update(&pdf[..b]);
    h.update(&pdf[c..end]);
    if md.as_bytes() != h.finalize().as_slice() {
        return Err(P::DigestMismatch);
    }
    let ess = const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
    let v = attrs.iter().find(|x| x.oid == ess).and_then(|x| x.values.iter().next()).ok_or(P::NoSigningCertificate)?;
    let want = Sha256::digest(parsed.cert.to_der().map_err(|e| P::Signer(e.to_string()))?);
    let raw = v.to_der().map_err(|_| P::SigningCertificateMismatch)?;
    if find(&raw, &want, 0).is_none() {
        return Err(P::SigningCertificateMismatch);
    }
    let signed = attrs.to_der().map_err(|e| P::BadSignature(e.to_string()))?;
    verify_sig(&spki_der(&parsed.cert), &si.signature_algorithm.oid, &signed, si.signature.as_bytes()).map_err(P::BadSignature)
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the input is not a PDF file (it does not start with %PDF-)")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Damaged(String),
    #[error("the PDF has no signatures")]
    NoSignatures,
    #[error("trust anchor {index} is not a PEM or DER certificate: {reason}")]
    BadTrustAnchor { index: usize, reason: String },
}

impl VerifyError {
    /// The message in Danish, for the CLI and the app (Display is English).
    pub fn danish(&self) -> String {
        match self {
            VerifyError::NotPdf => "filen er ikke en PDF (den begynder ikke med %PDF-)".into(),
            VerifyError::Damaged(why) => format!("PDF'en kan ikke læses: {why}"),
            VerifyError::NoSignatures => "PDF'en har ingen signaturer".into(),
            VerifyError::BadTrustAnchor { index, reason } => format!("rodcertifikat nr. {} er ikke et PEM- eller DER-certifikat: {reason}", index + 1),
        }
    }
}

fn parse_anchor(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains("-----BEGIN") {
            let mut out = Vec::new();
            let mut rest = text;
            while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
                let body = &rest[start + 27..];
                let end = body.find("-----END CERTIFICATE-----").ok_or("unterminated PEM block")?;
                let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
                let der = base64_decode(&b64).ok_or("bad base64")?;
                out.push(Certificate::from_der(&der).map_err(|e| e.to_string())?);
                rest = &body[end..];
            }
            if out.is_empty() {
                return Err("no CERTIFICATE block".into());
            }
            return Ok(out);
        }
    }
    Certificate::from_der(bytes).map(|c| vec![c]).map_err(|e| e.to_string())
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let k = chunk.len();
        out.push((n >> 16) as u8);
        if k > 2 {
            out.push((n >> 8) as u8);
        }
        if k > 3 {
            out.push(n as u8);
        }
    }
    Some(out)
}

/// Verifies `sig` over `msg` with the public key in `spki_der`, for the algorithms we sign with.
pub(crate) fn verify_sig(spki_der: &[u8], alg: &const_oid::ObjectIdentifier, msg: &[u8], sig: &[u8]) -> Result<(), String> {
    use signature::Verifier;
    use spki::DecodePublicKey;
    let rsa_sha256 = const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
    let rsa = const_oid::db::rfc5912::RSA_ENCRYPTION;
    let ecdsa_sha256 = const_oid::db::rfc5912::ECDSA_WITH_SHA_256;
    if *alg == rsa_sha256 || *alg == rsa {
        let key = rsa::RsaPublicKey::from_public_key_der(spki_der).map_err(|e| e.to_string())?;
        let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key);
        let s = rsa::pkcs1v15::Signature::try_from(sig).map_err(|e| e.to_string())?;
        vk.verify(msg, &s).map_err(|_| "the signature does not verify".to_string())
    } else if *alg == ecdsa_sha256 {
        let vk = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der).map_err(|e| e.to_string())?;
        let s = p256::ecdsa::DerSignature::try_from(sig).map_err(|e| e.to_string())?;
        vk.verify(msg, &s).map_err(|_| "the signature does not verify".to_string())
    } else {
        Err(format!("unsupported signature algorithm {alg}"))
    }
}

pub(crate) fn spki_der(c: &Certificate) -> Vec<u8> {
    c.tbs_certificate.subject_public_key_info.to_der().unwrap_or_default()
}

pub(crate) fn cert_signed_by(child: &Certificate, issuer: &Certificate) -> bool {
    if child.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = child.tbs_certificate.to_der() else { return false };
    let Some(sig) = child.signature.as_bytes() else { return false };
    verify_sig(&spki_der(issuer), &child.signature_algorithm.oid, &tbs, sig).is_ok()
}

fn chains_to(leaf: &Certificate, pool: &[Certificate], anchors: &[Certificate]) -> bool {
    let mut cur = leaf.clone();
    for _ in 0..10 {
        if anchors.iter().any(|a| a == &cur) {
            return true;
        }
        if anchors.iter().any(|a| cert_signed_by(&cur, a)) {
            return true;
        }
        match pool.iter().find(|p| *p != &cur && cert_signed_by(&cur, p)) {
            Some(next) => cur = next.clone(),
            None => return false,
        }
    }
    false
}

fn pdf_text(o: Option<&Object>) -> Option<String> {
    match o? {
        Object::String(b, _) => Some(if b.starts_with(&[0xFE, 0xFF]) {
            let u: Vec<u16> = b[2..].chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            String::from_utf16_lossy(&u)
        } else {
            b.iter().map(|&c| c as char).collect()
        }),
        _ => None,
    }
}

fn unhex(s: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|p| {
            let h = |c: u8| (c as char).to_digit(16);
            Some((h(p[0])? * 16 + h(*p.get(1).unwrap_or(&b'0'))?) as u8)
        })
        .collect()
}

/// Checks every signature in `pdf` now. `trust` holds trust anchors as PEM or DER certificates.
pub fn verify(pdf: &[u8], trust: &[Vec<u8>]) -> Result<VerifyReport, VerifyError> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    verify_at(pdf, trust, now)
}

/// Checks every signature in `pdf` as at `at` (unix seconds, the validation time): a
/// signature whose certificate has expired by then holds only with a signature timestamp
/// from before the expiry and validation data in the DSS (B-LT), and — when the timestamp's
/// own TSA certificate has expired too — a document timestamp over them (B-LTA).
pub fn verify_at(pdf: &[u8], trust: &[Vec<u8>], at: i64) -> Result<VerifyReport, VerifyError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(VerifyError::NotPdf);
    }
    let mut anchors = Vec::new();
    for (index, t) in trust.iter().enumerate() {
        anchors.extend(parse_anchor(t).map_err(|reason| VerifyError::BadTrustAnchor { index, reason })?);
    }
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| VerifyError::Damaged(e.to_string()))?;
    // signature dictionaries: every dictionary with a /ByteRange and /Contents. Every number
    // in them is untrusted: a range that does not fit the file is that signature's problem.
    let len = pdf.len();
    let mut sigs: Vec<(Result<SignedRange, SignatureProblem>, &lopdf::Dictionary)> = Vec::new();
    let null = Object::Null;
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict() {
            if let (Ok(br), Ok(_)) = (d.get(b"ByteRange"), d.get(b"Contents")) {
                let br = match br {
                    Object::Reference(id) => doc.get_object(*id).unwrap_or(&null),
                    other => other,
                };
                sigs.push((byte_range(br, len), d));
            }
        }
    }
    if sigs.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    // in file order; broken ranges last
    sigs.sort_by_key(|(r, _)| r.as_ref().map(|r| r.end).unwrap_or(usize::MAX));
    let ends: Vec<usize> = sigs.iter().filter_map(|(r, _)| r.as_ref().ok().map(|r| r.end)).collect();
    let covered = ends.iter().copied().max().unwrap_or(0);

    let dss = crate::ltv::read_dss(&doc);
    let dss_certs: Vec<Certificate> = dss.certs.iter().filter_map(|c| Certificate::from_der(c).ok()).collect();
    let mut reports = Vec::new();
    let mut doc_stamps: Vec<DocTimestampReport> = Vec::new();
    // per signature report: what the long-term checks need
    let mut pending: Vec<Option<LongTermInput>> = Vec::new();
    for (k, (range, d)) in sigs.iter().enumerate() {
        let is_doc_ts = d.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"DocTimeStamp".as_slice())
            || d.get(b"SubFilter").ok().and_then(|t| t.as_name().ok()) == Some(b"ETSI.RFC3161".as_slice());
        if is_doc_ts {
            doc_stamps.push(document_timestamp(pdf, range, &anchors, &dss_certs, at));
            continue;
        }
        let mut r = SignatureReport {
            signer: pdf_text(d.get(b"Name").ok()).unwrap_or_default(),
            subject: String::new(),
            issuer: String::new(),
            claimed_time: pdf_text(d.get(b"M").ok()).unwrap_or_default(),
            reason: pdf_text(d.get(b"Reason").ok()),
            location: pdf_text(d.get(b"Location").ok()),
            intact: false,
            problem: None,
            cert_valid_at_time: None,
            trusted: None,
            appended: None,
            timestamp: None,
            cert_valid_at_validation: None,
            revocation: Vec::new(),
            long_term: false,
            archived: false,
            long_term_problem: None,
        };
        let range = match range {
            Ok(range) => *range,
            Err(p) => {
                r.problem = Some(p.clone());
                reports.push(r);
                pending.push(None);
                continue;
            }
        };
        let end = range.end;
        if end < len {
            let tail = &pdf[end..];
            let mut objects = Vec::new();
            let mut at = 0;
            while let Some(p) = find(tail, b" obj", at) {
                let head = &tail[..p];
                let line_start = head.iter().rposition(|&x| x == b'\n' || x == b'\r').map(|i| i + 1).unwrap_or(0);
                let parts: Vec<u32> = std::str::from_utf8(&head[line_start..]).unwrap_or("").split_whitespace().filter_map(|x| x.parse().ok()).collect();
                if parts.len() == 2 {
                    let kind = u16::try_from(parts[1])
                        .ok()
                        .and_then(|gen| doc.get_object((parts[0], gen)).ok())
                        .and_then(|o| o.as_dict().ok().or_else(|| o.as_stream().ok().map(|s| &s.dict)))
                        .and_then(|dd| dd.get(b"Type").or_else(|_| dd.get(b"FT")).ok().and_then(|t| t.as_name().ok()).map(|n| String::from_utf8_lossy(n).into_owned()))
                        .unwrap_or_else(|| "object".into());
                    objects.push(format!("{} {} ({kind})", parts[0], parts[1]));
                }
                at = p + 4;
            }
            let later = ends.get(k + 1..).unwrap_or(&[]);
            r.appended = Some(AppendedChange { bytes: tail.len(), objects, signed_by_later: later.contains(&covered) && covered == len });
        }
        // who signed, and whether the certificate is valid and trusted, are reported even
        // when the signed bytes have been changed
        match parse_signature(pdf, range) {
            Ok(parsed) => {
                let cert = &parsed.cert;
                r.subject = cert.tbs_certificate.subject.to_string();
                r.issuer = cert.tbs_certificate.issuer.to_string();
                if r.signer.is_empty() {
                    r.signer = common_name(cert).unwrap_or_else(|| r.subject.clone());
                }
                let mut pool = parsed.pool.clone();
                pool.extend(dss_certs.iter().cloned());
                if !anchors.is_empty() {
                    r.trusted = Some(chains_to(cert, &pool, &anchors));
                }
                match check_integrity(pdf, range, &parsed) {
                    Ok(()) => r.intact = true,
                    Err(p) => r.problem = Some(p),
                }
                let (ts, token) = signature_timestamp(&parsed.signer_info, &anchors, &dss_certs);
                r.timestamp = ts;
                // the signing time: the timestamp's when it is good, else the claimed /M
                let stamped = token.as_ref().filter(|_| r.timestamp.as_ref().is_some_and(|t| t.valid() && t.trusted != Some(false)));
                let signing_time = stamped.map(|t| t.time).or_else(|| parse_pdf_date(&r.claimed_time));
                r.cert_valid_at_time = Some(signing_time.is_some_and(|t| crate::sign::check_validity(cert, t).is_ok()));
                r.cert_valid_at_validation = Some(crate::sign::check_validity(cert, at).is_ok());
                let mut leaves = vec![cert.clone()];
                if let Some(t) = stamped {
                    leaves.push(t.cert.clone());
                    pool.extend(t.pool.iter().cloned());
                }
                let (revocation, complete) = long_term_data(&leaves, &pool, &dss, signing_time.unwrap_or(i64::MIN));
                r.revocation = revocation;
                r.long_term = stamped.is_some() && complete;
                pending.push(Some(LongTermInput { leaves, pool, signing_time: signing_time.unwrap_or(i64::MIN), tsa_cert: stamped.map(|t| t.cert.clone()), end: range.end }));
            }
            Err(p) => {
                r.problem = Some(p);
                pending.push(None);
            }
        }
        reports.push(r);
    }
    if reports.is_empty() && doc_stamps.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    // B-LTA: the last valid document timestamp after a signature covers a DSS (the one of
    // the revision it stamps) that holds that signature's validation data
    let last_stamp = doc_stamps.iter().rev().find(|t| t.valid()).cloned();
    let stamped_dss = last_stamp.as_ref().and_then(|t| {
        let prefix = pdf.get(..t.covers)?;
        lopdf::Document::load_mem(prefix).ok().map(|d| crate::ltv::read_dss(&d))
    });
    for (r, input) in reports.iter_mut().zip(&pending) {
        let Some(input) = input else { continue };
        if let (Some(ts), Some(dss)) = (&last_stamp, &stamped_dss) {
            r.archived = r.long_term && ts.covers > input.end && long_term_data(&input.leaves, &input.pool, dss, input.signing_time).1;
        }
        r.long_term_problem = long_term_problem(r, input, last_stamp.as_ref().filter(|_| r.archived), at);
    }
    let unsigned_tail = len.saturating_sub(covered);
    let tail_is_validation_data = unsigned_tail > 0 && covered > 0 && validation_data_only(pdf, covered, &doc);
    Ok(VerifyReport { signatures: reports, unsigned_tail, tail_is_validation_data, document_timestamps: doc_stamps, validation_time: at })
}

/// Whether everything `pdf` defines after byte `covered` is validation data: new stream
/// objects the DSS lists, the DSS dictionary (only /Type, /Certs, /OCSPs, /CRLs, /VRI), and
/// the catalog changed in nothing but /DSS and /Extensions.
fn validation_data_only(pdf: &[u8], covered: usize, doc: &lopdf::Document) -> bool {
    let Some(prefix) = pdf.get(..covered).and_then(|p| lopdf::Document::load_mem(p).ok()) else { return false };
    let Ok(root_id) = doc.trailer.get(b"Root").and_then(Object::as_reference) else { return false };
    let Ok(catalog) = doc.get_object(root_id).and_then(Object::as_dict) else { return false };
    let Some(before) = prefix.trailer.get(b"Root").and_then(Object::as_reference).ok().and_then(|id| prefix.get_object(id).ok()).and_then(|o| o.as_dict().ok()) else { return false };
    let strip = |d: &lopdf::Dictionary| {
        let mut d = d.clone();
        d.remove(b"DSS");
        d.remove(b"Extensions");
        d
    };
    if strip(catalog) != strip(before) {
        return false;
    }
    let dss_id = catalog.get(b"DSS").ok().and_then(|o| o.as_reference().ok());
    let dss = dss_id.and_then(|id| doc.get_object(id).ok()).and_then(|o| o.as_dict().ok());
    let listed: Vec<lopdf::ObjectId> = dss
        .map(|d| {
            [b"Certs".as_slice(), b"OCSPs", b"CRLs"]
                .iter()
                .filter_map(|k| d.get(k).ok().and_then(|a| a.as_array().ok()))
                .flatten()
                .filter_map(|o| o.as_reference().ok())
                .collect()
        })
        .unwrap_or_default();
    if let Some(d) = dss {
        if d.iter().any(|(k, _)| !matches!(k.as_slice(), b"Type" | b"Certs" | b"OCSPs" | b"CRLs" | b"VRI")) {
            return false;
        }
    }
    // every object (re)defined in the tail
    let tail = &pdf[covered..];
    let mut at = 0;
    while let Some(p) = find(tail, b" obj", at) {
        at = p + 4;
        let head = &tail[..p];
        let line_start = head.iter().rposition(|&x| x == b'\n' || x == b'\r').map(|i| i + 1).unwrap_or(0);
        let parts: Vec<u32> = std::str::from_utf8(&head[line_start..]).unwrap_or("").split_whitespace().filter_map(|x| x.parse().ok()).collect();
        let [num, gen] = parts.as_slice() else { continue };
        let Ok(gen) = u16::try_from(*gen) else { return false };
        let id = (*num, gen);
        let fine = id == root_id
            || Some(id) == dss_id
            || (listed.contains(&id) && !prefix.objects.contains_key(&id) && doc.get_object(id).is_ok_and(|o| o.as_stream().is_ok()));
        if !fine {
            return false;
        }
    }
    true
}

/// What the long-term checks of one signature need once every signature has been read.
struct LongTermInput {
    leaves: Vec<Certificate>,
    pool: Vec<Certificate>,
    signing_time: i64,
    tsa_cert: Option<Certificate>,
    end: usize,
}

/// The status of every certificate of the chains of `leaves` (but the roots) from `dss`, and
/// whether each has data that is checked (signed by its issuer or a responder it authorised),
/// good or revoked only after `signing_time`, and speaks for `signing_time`.
fn long_term_data(leaves: &[Certificate], pool: &[Certificate], dss: &crate::ltv::DssData, signing_time: i64) -> (Vec<RevocationCheck>, bool) {
    use crate::ltv::Status;
    let mut out = Vec::new();
    let mut complete = true;
    for leaf in leaves {
        let Ok(pairs) = crate::ltv::chain_pairs(leaf, pool) else {
            complete = false;
            continue;
        };
        for (cert, issuer) in pairs {
            let infos = dss
                .ocsps
                .iter()
                .filter_map(|o| crate::ltv::check_ocsp(o, &cert, &issuer, None).ok())
                .chain(dss.crls.iter().filter_map(|c| crate::ltv::check_crl(c, &cert, &issuer).ok()));
            let mut best: Option<crate::ltv::RevInfo> = None;
            for info in infos {
                // a revocation wins over any good answer; else data that speaks for the time
                let better = match (&best, info.status) {
                    (_, Status::Revoked(_)) => true,
                    (None, _) => true,
                    (Some(b), Status::Good) => !matches!(b.status, Status::Revoked(_)) && !b.covers(signing_time) && info.covers(signing_time),
                    _ => false,
                };
                if better {
                    best = Some(info);
                }
            }
            let subject = cert.tbs_certificate.subject.to_string();
            if out.iter().any(|c: &RevocationCheck| c.subject == subject) {
                continue;
            }
            let ok = best.as_ref().is_some_and(|b| match b.status {
                Status::Good => b.covers(signing_time),
                Status::Revoked(when) => when > signing_time,
                Status::Unknown => false,
            });
            complete &= ok;
            let revoked_at = best.as_ref().and_then(|b| if let Status::Revoked(t) = b.status { Some(t) } else { None });
            out.push(RevocationCheck { subject, source: best.map(|b| b.kind), revoked_at });
        }
    }
    (out, complete)
}

/// Why an intact signature does not hold at the validation time `at`: a certificate revoked
/// before the signing time, or an expired certificate without the long-term proof it needs.
fn long_term_problem(r: &SignatureReport, input: &LongTermInput, stamp: Option<&DocTimestampReport>, at: i64) -> Option<(String, String)> {
    if let Some(c) = r.revocation.iter().find(|c| c.revoked_at.is_some_and(|t| t <= input.signing_time)) {
        return Some((format!("the certificate «{}» was revoked before the signing time", c.subject), format!("certifikatet «{}» var spærret før underskrifttidspunktet", c.subject)));
    }
    if r.cert_valid_at_validation != Some(false) {
        return None;
    }
    if !r.long_term {
        return Some((
            "the signer's certificate has expired by the validation time, and the signature has no timestamp with validation data (B-LT) to prove it was valid when it signed".into(),
            "underskriverens certifikat er udløbet på valideringstidspunktet, og signaturen har intet tidsstempel med valideringsdata (B-LT), der viser, at det var gyldigt, da der blev underskrevet".into(),
        ));
    }
    let tsa_valid_now = input.tsa_cert.as_ref().is_some_and(|c| crate::sign::check_validity(c, at).is_ok());
    if tsa_valid_now {
        return None;
    }
    // the signature timestamp's own certificate has expired too: a document timestamp made
    // while it was valid, by a TSA valid now, must cover it (B-LTA)
    let proven = stamp.is_some_and(|s| {
        s.cert_valid_at_validation && s.time.is_some_and(|t| input.tsa_cert.as_ref().is_some_and(|c| crate::sign::check_validity(c, t).is_ok()))
    });
    if proven {
        None
    } else {
        Some((
            "the certificates of the signer and of its timestamp have expired by the validation time, and no valid document timestamp (B-LTA) covers them".into(),
            "både underskriverens og tidsstemplets certifikat er udløbet på valideringstidspunktet, og intet gyldigt dokumenttidsstempel (B-LTA) dækker dem".into(),
        ))
    }
}

/// A document timestamp: its token's imprint must be the SHA-256 of its byte range.
fn document_timestamp(pdf: &[u8], range: &Result<SignedRange, SignatureProblem>, anchors: &[Certificate], dss_certs: &[Certificate], at: i64) -> DocTimestampReport {
    let mut t = DocTimestampReport { time: None, tsa: String::new(), intact: false, problem: None, trusted: None, cert_valid_at_validation: false, covers: 0 };
    let range = match range {
        Ok(r) => *r,
        Err(p) => {
            t.problem = Some((p.to_string(), p.danish()));
            return t;
        }
    };
    t.covers = range.end;
    if pdf[range.b] != b'<' || pdf[range.c - 1] != b'>' {
        t.problem = Some((SignatureProblem::Gap.to_string(), SignatureProblem::Gap.danish()));
        return t;
    }
    let Some(token) = unhex(&pdf[range.b + 1..range.c - 1]) else {
        t.problem = Some((SignatureProblem::NotHex.to_string(), SignatureProblem::NotHex.danish()));
        return t;
    };
    // the token's DER, without the zero padding after it
    let token = match der::SliceReader::new(&token).ok().and_then(|mut r| r.decode::<der::Any>().ok()).and_then(|a| a.to_der().ok()) {
        Some(t) => t,
        None => {
            t.problem = Some(("the timestamp is not DER".into(), "tidsstemplet er ikke DER".into()));
            return t;
        }
    };
    let mut h = Sha256::new();
    h.update(&pdf[..range.b]);
    h.update(&pdf[range.c..range.end]);
    match crate::tsa::check_token(&token, &h.finalize()) {
        Ok((tok, _)) => {
            (t.time, t.tsa, t.trusted) = stamped(&tok, anchors, dss_certs);
            t.intact = true;
            t.cert_valid_at_validation = crate::sign::check_validity(&tok.cert, at).is_ok();
        }
        Err((_, p)) => t.problem = Some((p.en, p.da)),
    }
    t
}

/// The signer's `signature-time-stamp`, checked against its signature value, and the token
/// read when it checks out.
fn signature_timestamp(si: &cms::signed_data::SignerInfo, anchors: &[Certificate], dss_certs: &[Certificate]) -> (Option<TimestampReport>, Option<crate::tsa::Token>) {
    let Some(attr) = si.unsigned_attrs.as_ref().and_then(|a| a.iter().find(|a| a.oid == crate::tsa::ID_AA_TIME_STAMP_TOKEN)) else { return (None, None) };
    let mut t = TimestampReport { time: None, tsa: String::new(), imprint_matches: false, problem: None, trusted: None };
    let token = attr.values.iter().next().and_then(|v| v.to_der().ok());
    let mut read = None;
    match token.as_deref().map(|der| crate::tsa::check_token(der, &Sha256::digest(si.signature.as_bytes()))) {
        Some(Ok((tok, _))) => {
            (t.time, t.tsa, t.trusted) = stamped(&tok, anchors, dss_certs);
            t.imprint_matches = true;
            read = Some(tok);
        }
        // unreadable, another imprint, or the TSA's signature does not verify
        Some(Err((_, p))) => t.problem = Some((p.en, p.da)),
        None => t.problem = Some(("the attribute holds no token".into(), "attributten indeholder intet tidsstempel".into())),
    }
    (Some(t), read)
}

/// D:YYYYMMDDHHmmSS[Z|+hh'mm'] → unix seconds (offsets honoured).
fn parse_pdf_date(s: &str) -> Option<i64> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let n = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, mo) = (n(0, 4)?, n(4, 6).unwrap_or(1));
    let (d, h, mi, se) = (n(6, 8).unwrap_or(1), n(8, 10).unwrap_or(0), n(10, 12).unwrap_or(0), n(12, 14).unwrap_or(0));
    let date = time::Date::from_calendar_date(y as i32, time::Month::try_from(mo as u8).ok()?, d as u8).ok()?;
    let t = date.with_hms(h as u8, mi as u8, se as u8).ok()?.assume_utc().unix_timestamp();
    let off = match s.get(14..15) {
        Some("+") | Some("-") => {
            let sign = if &s[14..15] == "+" { 1 } else { -1 };
            sign * (n(15, 17).unwrap_or(0) * 3600 + n(18, 20).unwrap_or(0) * 60)
        }
        _ => 0,
    };
    Some(t - off)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(m: &str) -> String {
        let r = SignatureReport {
            signer: String::new(),
            subject: String::new(),
            issuer: String::new(),
            claimed_time: m.into(),
            reason: None,
            location: None,
            intact: true,
            problem: None,
            cert_valid_at_time: None,
            trusted: None,
            appended: None,
            timestamp: None,
            cert_valid_at_validation: None,
            revocation: Vec::new(),
            long_term: false,
            archived: false,
            long_term_problem: None,
        };
        r.claimed_time_utc()
    }

    #[test]
    fn the_claimed_time_reads_in_utc_whatever_offset_the_pdf_wrote() {
        assert_eq!(claimed("D:20261206053155Z"), "2026-12-06 05:31:55 UTC");
        assert_eq!(claimed("D:20261206063155+01'00'"), "2026-12-06 05:31:55 UTC");
        assert_eq!(claimed("D:20260101003000-02'00'"), "2026-01-01 02:30:00 UTC");
        assert_eq!(claimed("i går"), "i går", "not a PDF date: shown as written");
    }
}
