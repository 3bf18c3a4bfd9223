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
        self.time.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok()).map(utc).unwrap_or_else(|| "(ukendt)".into())
    }
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
    /// valid signature timestamp, "PAdES B-B" without; `None` when the signature is not intact.
    pub fn level(&self) -> Option<&'static str> {
        if !self.intact {
            return None;
        }
        Some(if self.timestamp.as_ref().is_some_and(|t| t.valid() && t.trusted != Some(false)) { "PAdES B-T" } else { "PAdES B-B" })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub signatures: Vec<SignatureReport>,
    /// Bytes at the end of the file not covered by any signature.
    pub unsigned_tail: usize,
}

impl VerifyReport {
    /// All signatures intact, nothing unsigned after the last one, and (if trust anchors
    /// were given) every signer trusted. This is what `konsekvens verify` exits 0 on.
    pub fn ok(&self) -> bool {
        !self.signatures.is_empty()
            && self.unsigned_tail == 0
            && self.signatures.iter().all(|s| {
                s.intact
                    && s.cert_valid_at_time == Some(true)
                    && s.trusted != Some(false)
                    && s.timestamp.as_ref().is_none_or(|t| t.valid() && t.trusted != Some(false))
            })
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

fn spki_der(c: &Certificate) -> Vec<u8> {
    c.tbs_certificate.subject_public_key_info.to_der().unwrap_or_default()
}

fn cert_signed_by(child: &Certificate, issuer: &Certificate) -> bool {
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

/// Checks every signature in `pdf`. `trust` holds trust anchors as PEM or DER certificates.
pub fn verify(pdf: &[u8], trust: &[Vec<u8>]) -> Result<VerifyReport, VerifyError> {
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

    let mut reports = Vec::new();
    for (k, (range, d)) in sigs.iter().enumerate() {
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
        };
        let range = match range {
            Ok(range) => *range,
            Err(p) => {
                r.problem = Some(p.clone());
                reports.push(r);
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
                r.cert_valid_at_time = Some(parse_pdf_date(&r.claimed_time).is_some_and(|t| crate::sign::check_validity(cert, t).is_ok()));
                if !anchors.is_empty() {
                    r.trusted = Some(chains_to(cert, &parsed.pool, &anchors));
                }
                match check_integrity(pdf, range, &parsed) {
                    Ok(()) => r.intact = true,
                    Err(p) => r.problem = Some(p),
                }
                r.timestamp = signature_timestamp(&parsed.signer_info, &anchors);
            }
            Err(p) => r.problem = Some(p),
        }
        reports.push(r);
    }
    Ok(VerifyReport { signatures: reports, unsigned_tail: len.saturating_sub(covered) })
}

/// The signer's `signature-time-stamp`, checked against its signature value.
fn signature_timestamp(si: &cms::signed_data::SignerInfo, anchors: &[Certificate]) -> Option<TimestampReport> {
    let attr = si.unsigned_attrs.as_ref()?.iter().find(|a| a.oid == crate::tsa::ID_AA_TIME_STAMP_TOKEN)?;
    let mut t = TimestampReport { time: None, tsa: String::new(), imprint_matches: false, problem: None, trusted: None };
    let token = attr.values.iter().next().and_then(|v| v.to_der().ok());
    match token.as_deref().map(|der| crate::tsa::check_token(der, si.signature.as_bytes())) {
        Some(Ok((tok, _))) => {
            t.time = Some(tok.time);
            t.tsa = tok.tsa_name;
            t.imprint_matches = true;
            if !anchors.is_empty() {
                t.trusted = Some(chains_to(&tok.cert, &tok.pool, anchors));
            }
        }
        // unreadable, another imprint, or the TSA's signature does not verify
        Some(Err((_, p))) => t.problem = Some((p.en, p.da)),
        None => t.problem = Some(("the attribute holds no token".into(), "attributten indeholder intet tidsstempel".into())),
    }
    Some(t)
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
