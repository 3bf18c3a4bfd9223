//! PAdES B-B signing: a CMS SignedData (ETSI.CAdES.detached, with the signing-certificate-v2
//! attribute and no signing-time attribute — the claimed time goes in /M) over the file's
//! bytes except the signature's own /Contents, appended as an incremental update so earlier
//! signatures stay valid. Keys come from a PKCS#12 file (AES/PBES2 or legacy encodings).

use crate::emit::text_string;
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use lopdf::{Dictionary, Object, ObjectId};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

/// Bytes reserved for the CMS signature (hex-encoded: twice this in the file).
const SIG_BYTES: usize = 16_384;

/// Who signs and why; all optional but the time.
#[derive(Debug, Clone, Default)]
pub struct SignMeta {
    /// The signer's name (default: the certificate's subject common name).
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact: Option<String>,
    /// Claimed signing time, unix seconds (written to /M; the certificate must be valid then).
    pub time: i64,
}

impl SignMeta {
    pub fn at(time: i64) -> Self {
        SignMeta { time, ..SignMeta::default() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the input is not a PDF file (it does not start with %PDF-)")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Damaged(String),
    #[error("wrong password for the .p12 file (or the file is damaged)")]
    WrongPassword,
    #[error("the .p12 file cannot be read: {0}")]
    BadP12(String),
    #[error("the .p12 file holds no private key with a certificate")]
    NoKey,
    #[error("the certificate expired on {0} (signing time is after it)")]
    Expired(String),
    #[error("the certificate is not valid until {0}")]
    NotYetValid(String),
    #[error("unsupported key type in the .p12 file: {0} (RSA and ECDSA P-256 are supported)")]
    UnsupportedKey(String),
    #[error("could not create the signature: {0}")]
    Crypto(String),
    /// No signature timestamp (PAdES B-T) was obtained; nothing was signed.
    #[error("no signature timestamp: {0}")]
    Tsa(#[from] crate::tsa::TsaError),
    #[error("no validation data (B-LT): {0}")]
    Ltv(#[from] crate::ltv::LtvError),
    #[error("PAdES {0} needs a time-stamping service (--tsa)")]
    NeedsTsa(&'static str),
}

impl SignError {
    /// The message in Danish, for the CLI and the app (Display is English).
    pub fn danish(&self) -> String {
        match self {
            SignError::NotPdf => "filen er ikke en PDF (den begynder ikke med %PDF-)".into(),
            SignError::Damaged(why) => format!("PDF'en kan ikke læses: {why}"),
            SignError::WrongPassword => "forkert adgangskode til .p12-filen (eller filen er beskadiget)".into(),
            SignError::BadP12(why) => format!(".p12-filen kan ikke læses: {why}"),
            SignError::NoKey => ".p12-filen indeholder ingen privat nøgle med et certifikat".into(),
            SignError::Expired(at) => format!("certifikatet udløb {at}; der kan ikke underskrives med et udløbet certifikat"),
            SignError::NotYetValid(at) => format!("certifikatet er først gyldigt fra {at}"),
            SignError::UnsupportedKey(kind) => format!("nøgletypen i .p12-filen understøttes ikke: {kind} (RSA og ECDSA P-256 understøttes)"),
            SignError::Crypto(why) => format!("signaturen kunne ikke dannes: {why}"),
            SignError::Tsa(e) => format!("intet tidsstempel på signaturen: {}", e.danish()),
            SignError::Ltv(e) => format!("ingen valideringsdata (B-LT): {}", e.danish()),
            SignError::NeedsTsa(level) => format!("PAdES {level} kræver en tidsstemplingstjeneste (--tsa)"),
        }
    }

    /// Whether the error is about the .p12 file (rather than the PDF).
    pub fn concerns_p12(&self) -> bool {
        !matches!(self, SignError::NotPdf | SignError::Damaged(_) | SignError::Crypto(_) | SignError::Tsa(_) | SignError::Ltv(_) | SignError::NeedsTsa(_))
    }
}

pub(crate) fn pdf_date(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("D:{:04}{:02}{:02}{:02}{:02}{:02}Z", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// Signs `pdf` with the key and certificate in `p12`, returning the signed file.
/// The input is not modified; on any error nothing is produced.
pub fn sign(pdf: &[u8], p12: &[u8], password: &str, meta: &SignMeta) -> Result<Vec<u8>, SignError> {
    sign_inner(pdf, p12, password, meta, None)
}

/// The same, PAdES B-T: the signature gets an RFC 3161 signature timestamp from `tsa` (the
/// `signature-time-stamp` unsigned attribute, over the signature value). When the service
/// cannot be reached or its answer does not check out, nothing is produced.
/// The PAdES baseline level a signature is made at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The signature alone.
    BB,
    /// With a signature timestamp.
    BT,
    /// And the validation data (certificates, OCSP responses, CRLs) in the DSS.
    BLt,
    /// And a document timestamp over all of it.
    BLta,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        }
    }
}

/// Signs at `level`: B-B; B-T with a signature timestamp from `tsa`; B-LT adds the validation
/// data fetched as `fetch` says (an incremental update after the signature); B-LTA then a
/// document timestamp from `tsa`. Any step that fails fails the whole: no file.
pub fn sign_at_level(pdf: &[u8], p12: &[u8], password: &str, meta: &SignMeta, level: Level, tsa: Option<&crate::tsa::Tsa>, fetch: &crate::ltv::Fetch) -> Result<Vec<u8>, SignError> {
    if level == Level::BB {
        return sign(pdf, p12, password, meta);
    }
    let tsa = tsa.ok_or(SignError::NeedsTsa(level.name()))?;
    let mut out = sign_timestamped(pdf, p12, password, meta, tsa)?;
    if level >= Level::BLt {
        out = crate::ltv::add_validation_data(&out, fetch)?;
    }
    if level == Level::BLta {
        out = add_document_timestamp(&out, tsa)?;
    }
    Ok(out)
}

pub fn sign_timestamped(pdf: &[u8], p12: &[u8], password: &str, meta: &SignMeta, tsa: &crate::tsa::Tsa) -> Result<Vec<u8>, SignError> {
    sign_inner(pdf, p12, password, meta, Some(tsa))
}

fn sign_inner(pdf: &[u8], p12: &[u8], password: &str, meta: &SignMeta, tsa: Option<&crate::tsa::Tsa>) -> Result<Vec<u8>, SignError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(SignError::NotPdf);
    }
    let (key_der, chain) = load_p12(p12, password)?;
    let cert = Certificate::from_der(&chain[0]).map_err(|e| SignError::BadP12(e.to_string()))?;
    check_validity(&cert, meta.time)?;
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| SignError::Damaged(e.to_string()))?;

    let name = meta.name.clone().unwrap_or_else(|| common_name(&cert).unwrap_or_default());
    let (mut out, contents_at) = append_update(pdf, &doc, &SigKind::Signature { name: &name, meta })?;
    let digest = fix_byte_range(&mut out, contents_at)?;
    let mut cms = build_cms(&key_der, &chain, &cert, &digest)?;
    if let Some(tsa) = tsa {
        cms = add_timestamp(&cms, tsa)?;
    }
    fill_contents(&mut out, contents_at, &cms)?;
    Ok(out)
}

/// Writes the /ByteRange (everything but the hex string <…> of /Contents at `contents_at`)
/// into its placeholder and returns the SHA-256 of the bytes it covers.
fn fix_byte_range(out: &mut [u8], contents_at: usize) -> Result<Vec<u8>, SignError> {
    let b = contents_at;
    let c = contents_at + 2 + 2 * SIG_BYTES;
    let d = out.len() - c;
    let br = format!("[0 {b} {c} {d}]");
    let placeholder = br_placeholder();
    // the placeholder is the /ByteRange right before our /Contents (`append_update`), not the
    // first such bytes in the file: a crafted input may hold the same bytes earlier
    let at = contents_at
        .checked_sub(placeholder.len() + b"/Contents ".len())
        .filter(|at| out.get(*at..contents_at) == Some([placeholder.as_bytes(), b"/Contents "].concat().as_slice()))
        .ok_or_else(|| SignError::Crypto("byte range placeholder lost".into()))?;
    let padded = format!("{br:<width$}", width = placeholder.len());
    out[at..at + placeholder.len()].copy_from_slice(padded.as_bytes());
    let mut h = Sha256::new();
    h.update(&out[..b]);
    h.update(&out[c..]);
    Ok(h.finalize().to_vec())
}

fn fill_contents(out: &mut [u8], contents_at: usize, cms: &[u8]) -> Result<(), SignError> {
    if cms.len() > SIG_BYTES {
        return Err(SignError::Crypto(format!("signature of {} bytes does not fit the {SIG_BYTES} reserved", cms.len())));
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, x) in cms.iter().enumerate() {
        let at = contents_at + 1 + 2 * i;
        out[at] = HEX[usize::from(x >> 4)];
        out[at + 1] = HEX[usize::from(x & 0xf)];
    }
    Ok(())
}

/// PAdES B-LTA's document timestamp: an incremental update with a `/Type /DocTimeStamp`
/// dictionary (`/SubFilter /ETSI.RFC3161`) whose /Contents is an RFC 3161 token over the
/// SHA-256 of the whole file except that token — including every signature and DSS before it.
pub fn add_document_timestamp(pdf: &[u8], tsa: &crate::tsa::Tsa) -> Result<Vec<u8>, SignError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(SignError::NotPdf);
    }
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| SignError::Damaged(e.to_string()))?;
    let (mut out, contents_at) = append_update(pdf, &doc, &SigKind::DocTimeStamp)?;
    let digest = fix_byte_range(&mut out, contents_at)?;
    let token = crate::tsa::timestamp_digest(tsa, &digest)?;
    fill_contents(&mut out, contents_at, &token)?;
    Ok(out)
}

/// What an update's signature dictionary is.
enum SigKind<'a> {
    /// A PAdES signature (ETSI.CAdES.detached) by `name`.
    Signature { name: &'a str, meta: &'a SignMeta },
    /// A document timestamp (ETSI.RFC3161).
    DocTimeStamp,
}

fn br_placeholder() -> String {
    format!("[0 {z} {z} {z}]", z = "0".repeat(10))
}

pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).rev().find(|&i| &hay[i..i + needle.len()] == needle)
}

fn load_p12(p12: &[u8], password: &str) -> Result<(Vec<u8>, Vec<Vec<u8>>), SignError> {
    use p12_keystore::{error::Error as E, KeyStore, Pkcs12ImportPolicy};
    let ks = KeyStore::from_pkcs12(p12, password, Pkcs12ImportPolicy::Relaxed).map_err(|e| match e {
        E::MacError(_) | E::UnpadError | E::Pkcs5Error(_) => SignError::WrongPassword,
        other => SignError::BadP12(other.to_string()),
    })?;
    let (_, chain) = ks.private_key_chain().ok_or(SignError::NoKey)?;
    if chain.certs().is_empty() {
        return Err(SignError::NoKey);
    }
    Ok((chain.key().as_der().to_vec(), chain.certs().iter().map(|c| c.as_der().to_vec()).collect()))
}

fn fmt_time(t: &x509_cert::time::Time) -> String {
    let secs = t.to_unix_duration().as_secs() as i64;
    time::OffsetDateTime::from_unix_timestamp(secs).map(|t| t.date().to_string()).unwrap_or_default()
}

pub(crate) fn check_validity(cert: &Certificate, at: i64) -> Result<(), SignError> {
    let v = &cert.tbs_certificate.validity;
    if (v.not_after.to_unix_duration().as_secs() as i64) < at {
        return Err(SignError::Expired(fmt_time(&v.not_after)));
    }
    if (v.not_before.to_unix_duration().as_secs() as i64) > at {
        return Err(SignError::NotYetValid(fmt_time(&v.not_before)));
    }
    Ok(())
}

pub(crate) fn common_name(cert: &Certificate) -> Option<String> {
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid::db::rfc4519::CN {
                if let Ok(s) = der::asn1::Utf8StringRef::try_from(&atv.value) {
                    return Some(s.as_str().to_string());
                }
                if let Ok(s) = der::asn1::PrintableStringRef::try_from(&atv.value) {
                    return Some(s.as_str().to_string());
                }
            }
        }
    }
    None
}

/// signing-certificate-v2 (RFC 5035): SEQUENCE { SEQUENCE OF ESSCertIDv2 { certHash } },
/// SHA-256 being the default hash algorithm, so it is omitted.
fn signing_certificate_v2(cert_der: &[u8]) -> Result<Attribute, SignError> {
    let hash = Sha256::digest(cert_der);
    let oct = OctetString::new(hash.to_vec()).map_err(|e| SignError::Crypto(e.to_string()))?;
    let ess_cert_id = der_seq(&[oct.to_der().map_err(|e| SignError::Crypto(e.to_string()))?]);
    let certs = der_seq(&[ess_cert_id]);
    let value = der_seq(&[certs]);
    let any = Any::from_der(&value).map_err(|e| SignError::Crypto(e.to_string()))?;
    let mut values = SetOfVec::new();
    values.insert(any).map_err(|e| SignError::Crypto(e.to_string()))?;
    Ok(Attribute { oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47"), values })
}

fn der_seq(parts: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = parts.concat();
    let mut out = vec![0x30];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend(body);
    out
}

fn build_cms(key_der: &[u8], chain: &[Vec<u8>], cert: &Certificate, digest: &[u8]) -> Result<Vec<u8>, SignError> {
    use pkcs8::DecodePrivateKey;
    let crypto = |e: &dyn std::fmt::Display| SignError::Crypto(e.to_string());
    let encap = EncapsulatedContentInfo { econtent_type: const_oid::db::rfc5911::ID_DATA, econtent: None };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    let sha256 = AlgorithmIdentifierOwned { oid: const_oid::db::rfc5912::ID_SHA_256, parameters: None };
    let ess = signing_certificate_v2(&chain[0])?;
    let info = pkcs8::PrivateKeyInfo::try_from(key_der).map_err(|e| crypto(&e))?;
    let alg = info.algorithm.oid;
    let mut builder = SignedDataBuilder::new(&encap);
    builder.add_digest_algorithm(sha256.clone()).map_err(|e| crypto(&e))?;
    for c in chain {
        let c = Certificate::from_der(c).map_err(|e| crypto(&e))?;
        builder.add_certificate(CertificateChoices::Certificate(c)).map_err(|e| crypto(&e))?;
    }
    if alg == const_oid::db::rfc5912::RSA_ENCRYPTION {
        let key = rsa::RsaPrivateKey::from_pkcs8_der(key_der).map_err(|e| crypto(&e))?;
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
        let mut si = SignerInfoBuilder::new(&signer, sid, sha256, &encap, Some(digest)).map_err(|e| crypto(&e))?;
        si.add_signed_attribute(ess).map_err(|e| crypto(&e))?;
        builder.add_signer_info::<_, rsa::pkcs1v15::Signature>(si).map_err(|e| crypto(&e))?;
    } else if alg == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
        let key = p256::ecdsa::SigningKey::from_pkcs8_der(key_der).map_err(|_| SignError::UnsupportedKey("EC key on a curve other than P-256".into()))?;
        let mut si = SignerInfoBuilder::new(&key, sid, sha256, &encap, Some(digest)).map_err(|e| crypto(&e))?;
        si.add_signed_attribute(ess).map_err(|e| crypto(&e))?;
        builder.add_signer_info::<_, p256::ecdsa::DerSignature>(si).map_err(|e| crypto(&e))?;
    } else {
        return Err(SignError::UnsupportedKey(alg.to_string()));
    }
    let ci = builder.build().map_err(|e| crypto(&e))?;
    ci.to_der().map_err(|e| crypto(&e))
}

/// Asks `tsa` to timestamp the signer's signature value and adds the token as the signer's
/// `signature-time-stamp` unsigned attribute.
fn add_timestamp(cms_der: &[u8], tsa: &crate::tsa::Tsa) -> Result<Vec<u8>, SignError> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::{SignedData, SignerInfos};
    let crypto = |e: der::Error| SignError::Crypto(e.to_string());
    let ci = ContentInfo::from_der(cms_der).map_err(crypto)?;
    let mut sd: SignedData = ci.content.decode_as().map_err(crypto)?;
    let mut infos = sd.signer_infos.0.into_vec();
    let si = infos.first_mut().ok_or_else(|| SignError::Crypto("no signer info".into()))?;
    let token = crate::tsa::timestamp(tsa, si.signature.as_bytes())?;
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(&token).map_err(crypto)?).map_err(crypto)?;
    let mut attrs = SetOfVec::new();
    attrs.insert(Attribute { oid: crate::tsa::ID_AA_TIME_STAMP_TOKEN, values }).map_err(crypto)?;
    si.unsigned_attrs = Some(attrs);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).map_err(crypto)?);
    let ci = ContentInfo { content_type: ci.content_type, content: Any::encode_from(&sd).map_err(crypto)? };
    ci.to_der().map_err(crypto)
}

/// In a tagged PDF, the signature widget joins the structure as a `Form` element at the end
/// of the document (PDF/UA 7.18.4): the new element, the document element, the parent tree
/// and the tree root go into the update. Returns the widget's parent-tree key; `None` (the
/// widget left untagged) when the file has no structure tree of the shape we write.
fn tag_widget(doc: &lopdf::Document, form_id: ObjectId, field_id: ObjectId, page_id: ObjectId, updated: &mut Vec<(ObjectId, Object)>) -> Option<i64> {
    let root_id = doc.catalog().ok()?.get(b"StructTreeRoot").ok()?.as_reference().ok()?;
    let mut root = doc.get_object(root_id).ok()?.as_dict().ok()?.clone();
    let top_id = root.get(b"K").ok()?.as_reference().ok()?;
    let mut top = doc.get_object(top_id).ok()?.as_dict().ok()?.clone();
    let tree_id = root.get(b"ParentTree").ok()?.as_reference().ok()?;
    let mut tree = doc.get_object(tree_id).ok()?.as_dict().ok()?.clone();
    let key = root.get(b"ParentTreeNextKey").ok()?.as_i64().ok()?;
    let mut nums = tree.get(b"Nums").ok()?.as_array().ok()?.clone();
    nums.push(Object::Integer(key));
    nums.push(Object::Reference(form_id));
    tree.set("Nums", Object::Array(nums));
    root.set("ParentTreeNextKey", Object::Integer(key.checked_add(1)?));
    let mut kids = match top.get(b"K").ok() {
        Some(Object::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    kids.push(Object::Reference(form_id));
    top.set("K", Object::Array(kids));
    let mut objr = Dictionary::new();
    objr.set("Type", Object::Name(b"OBJR".to_vec()));
    objr.set("Obj", Object::Reference(field_id));
    objr.set("Pg", Object::Reference(page_id));
    let mut form = Dictionary::new();
    form.set("S", Object::Name(b"Form".to_vec()));
    form.set("P", Object::Reference(top_id));
    form.set("K", Object::Dictionary(objr));
    updated.extend([(form_id, Object::Dictionary(form)), (top_id, Object::Dictionary(top)), (tree_id, Object::Dictionary(tree)), (root_id, Object::Dictionary(root))]);
    Some(key)
}

// ---- the incremental update ------------------------------------------------------------

pub(crate) fn write_obj(o: &Object, out: &mut Vec<u8>) {
    match o {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r:.4}").trim_end_matches('0').trim_end_matches('.').as_bytes()),
        Object::Name(n) => {
            out.push(b'/');
            for &c in n {
                if c.is_ascii_alphanumeric() || b"-_.+".contains(&c) {
                    out.push(c);
                } else {
                    out.extend_from_slice(format!("#{c:02X}").as_bytes());
                }
            }
        }
        Object::String(s, _) => {
            out.push(b'<');
            for c in s {
                out.extend_from_slice(format!("{c:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_obj(x, out);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(d, out),
        Object::Reference((id, gen)) => out.extend_from_slice(format!("{id} {gen} R").as_bytes()),
        Object::Stream(s) => write_dict(&s.dict, out), // never written by us

    }
}

fn write_dict(d: &Dictionary, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_obj(&Object::Name(k.clone()), out);
        out.push(b' ');
        write_obj(v, out);
    }
    out.extend_from_slice(b">>");
}

fn resolve<'a>(doc: &'a lopdf::Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// Appends the signature dictionary, its field/widget, the catalog's AcroForm and the page's
/// /Annots as an incremental update. Returns the new bytes and the offset of `<` of /Contents.
fn append_update(pdf: &[u8], doc: &lopdf::Document, kind: &SigKind) -> Result<(Vec<u8>, usize), SignError> {
    let damaged = |s: &str| SignError::Damaged(s.to_string());
    let prev = rfind(pdf, b"startxref").ok_or_else(|| damaged("no startxref"))?;
    let prev_xref: u64 = std::str::from_utf8(&pdf[prev + 9..]).ok().and_then(|s| s.split_whitespace().next()?.parse().ok()).ok_or_else(|| damaged("unreadable startxref"))?;
    let root_id = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(|_| damaged("no /Root"))?;
    // object numbers come from the file: a crafted maximum must not overflow
    let next = |id: u32| id.checked_add(1).ok_or_else(|| damaged("object numbers exhausted (an object number is 4294967295)"));
    let sig_id: ObjectId = (next(doc.max_id)?, 0);
    let field_id: ObjectId = (next(sig_id.0)?, 0);
    let form_id: ObjectId = (next(field_id.0)?, 0);
    // the update's /Size (one past the highest number) must be a valid object number too
    next(form_id.0)?;
    let page_id = *doc.get_pages().values().next().ok_or_else(|| damaged("no pages"))?;

    // existing signature fields, to name ours uniquely
    let mut catalog = doc.get_object(root_id).and_then(Object::as_dict).map_err(|_| damaged("no catalog"))?.clone();
    let mut updated: Vec<(ObjectId, Object)> = Vec::new();
    let acro_obj = catalog.get(b"AcroForm").ok().cloned();
    let mut acro = match &acro_obj {
        Some(o) => resolve(doc, o).and_then(|o| o.as_dict().ok()).cloned().unwrap_or_default(),
        None => Dictionary::new(),
    };
    let mut fields: Vec<Object> = match acro.get(b"Fields").ok() {
        Some(o) => resolve(doc, o).and_then(|o| o.as_array().ok()).cloned().unwrap_or_default(),
        None => Vec::new(),
    };
    let n = fields.len() + 1;
    fields.push(Object::Reference(field_id));
    acro.set("Fields", Object::Array(fields));
    acro.set("SigFlags", Object::Integer(3));
    match acro_obj {
        Some(Object::Reference(id)) => updated.push((id, Object::Dictionary(acro))),
        _ => {
            catalog.set("AcroForm", Object::Dictionary(acro));
        }
    }
    updated.push((root_id, Object::Dictionary(catalog)));

    let mut page = doc.get_object(page_id).and_then(Object::as_dict).map_err(|_| damaged("bad page"))?.clone();
    match page.get(b"Annots").ok().cloned() {
        Some(Object::Reference(aid)) => {
            let mut arr = doc.get_object(aid).and_then(Object::as_array).cloned().unwrap_or_default();
            arr.push(Object::Reference(field_id));
            updated.push((aid, Object::Array(arr)));
        }
        Some(Object::Array(mut arr)) => {
            arr.push(Object::Reference(field_id));
            page.set("Annots", Object::Array(arr));
            updated.push((page_id, Object::Dictionary(page)));
        }
        _ => {
            page.set("Annots", Object::Array(vec![Object::Reference(field_id)]));
            updated.push((page_id, Object::Dictionary(page)));
        }
    }

    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    let is_signature = matches!(kind, SigKind::Signature { .. });
    if is_signature {
        field.set("T", text_string(&format!("Underskrift {n}")));
        // what a screen reader announces for the field (PDF/UA 7.18.1)
        field.set("TU", text_string(&format!("Digital underskrift {n}")));
    } else {
        field.set("T", text_string(&format!("Tidsstempel {n}")));
        field.set("TU", text_string(&format!("Dokumenttidsstempel {n}")));
    }
    // Only the first signature joins the structure tree: a later one that changed the tree
    // would change what the earlier signatures cover in pyHanko's modification analysis
    // (it judged the first signature INVALID when the second tagged its widget).
    let first = n == 1 && is_signature;
    let key = if first { tag_widget(doc, form_id, field_id, page_id, &mut updated) } else { None };
    if let Some(key) = key {
        field.set("StructParent", Object::Integer(key));
    }
    field.set("V", Object::Reference(sig_id));
    field.set("F", Object::Integer(132));
    field.set("Rect", Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]));
    field.set("P", Object::Reference(page_id));
    updated.push((field_id, Object::Dictionary(field)));

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();
    // the signature dictionary, written by hand for the fixed-width placeholders
    offsets.push((sig_id, out.len()));
    let head = match kind {
        SigKind::Signature { .. } => "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached",
        SigKind::DocTimeStamp => "/Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161",
    };
    out.extend_from_slice(format!("{} 0 obj\n<<{head}/ByteRange {}/Contents ", sig_id.0, br_placeholder()).as_bytes());
    let contents_at = out.len();
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', 2 * SIG_BYTES));
    out.push(b'>');
    let mut rest = Dictionary::new();
    if let SigKind::Signature { name, meta } = kind {
        rest.set("M", Object::string_literal(pdf_date(meta.time)));
        if !name.is_empty() {
            rest.set("Name", text_string(name));
        }
        if let Some(r) = &meta.reason {
            rest.set("Reason", text_string(r));
        }
        if let Some(l) = &meta.location {
            rest.set("Location", text_string(l));
        }
        if let Some(c) = &meta.contact {
            rest.set("ContactInfo", text_string(c));
        }
    }
    for (k, v) in rest.iter() {
        write_obj(&Object::Name(k.clone()), &mut out);
        out.push(b' ');
        write_obj(v, &mut out);
    }
    out.extend_from_slice(b">>\nendobj\n");
    for (id, obj) in &updated {
        offsets.push((*id, out.len()));
        out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        write_obj(obj, &mut out);
        out.extend_from_slice(b"\nendobj\n");
    }
    // /Size: one past the highest object number written (the Form element's is reserved but
    // unused when the widget is not tagged: qpdf warns about a /Size beyond the objects)
    let highest = offsets.iter().map(|(id, _)| id.0).max().unwrap_or(0).max(doc.max_id);
    end_update(&mut out, &mut offsets, doc, i64::from(highest) + 1, root_id, prev_xref);
    Ok((out, contents_at))
}

/// Ends an incremental update: a classic cross-reference section for its objects (sorted into
/// runs of consecutive numbers), the trailer (/Root, /Info and /ID carried over, /Prev to the
/// file's section) and `startxref`.
pub(crate) fn end_update(out: &mut Vec<u8>, offsets: &mut [(ObjectId, usize)], doc: &lopdf::Document, size: i64, root_id: ObjectId, prev_xref: u64) {
    offsets.sort();
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 .0 == offsets[j].0 .0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", offsets[i].0 .0, j - i + 1).as_bytes());
        for (id, off) in &offsets[i..=j] {
            out.extend_from_slice(format!("{off:010} {:05} n\r\n", id.1).as_bytes());
        }
        i = j + 1;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(size));
    trailer.set("Root", Object::Reference(root_id));
    if let Ok(info) = doc.trailer.get(b"Info") {
        trailer.set("Info", info.clone());
    }
    if let Ok(id) = doc.trailer.get(b"ID") {
        trailer.set("ID", id.clone());
    }
    trailer.set("Prev", Object::Integer(prev_xref as i64));
    out.extend_from_slice(b"trailer\n");
    write_dict(&trailer, out);
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
}
