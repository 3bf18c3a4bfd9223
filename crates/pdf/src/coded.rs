//! The PDF crate's errors as users meet them ([`UserError`]): a stable code, the Danish text
//! (`danish()`, beside each error) and the English (`Display`).

use crate::{ArchiveError, PdfError, SignError, SignatureProblem, VerifyError};
use konsekvens_core::UserError;

impl From<PdfError> for UserError {
    fn from(e: PdfError) -> UserError {
        let (code, da) = match &e {
            PdfError::Font => ("K-PDF-SKRIFT", "den indbyggede skrifttype kunne ikke indlæses".to_owned()),
            PdfError::Write(why) => ("K-PDF-SKRIV", format!("PDF'en kunne ikke skrives: {why}")),
        };
        UserError::new(code, da, e.to_string())
    }
}

impl From<ArchiveError> for UserError {
    fn from(e: ArchiveError) -> UserError {
        UserError::new(e.code(), e.danish(), e.to_string())
    }
}

impl SignError {
    /// Stable, for scripts and the app.
    pub fn code(&self) -> &'static str {
        match self {
            SignError::NotPdf => "K-PDF-IKKE-PDF",
            SignError::Damaged(_) => "K-PDF-SKADET",
            SignError::WrongPassword => "K-P12-ADGANGSKODE",
            SignError::BadP12(_) => "K-P12-ULAESELIG",
            SignError::NoKey => "K-P12-INGEN-NOEGLE",
            SignError::Expired(_) => "K-CERT-UDLOEBET",
            SignError::NotYetValid(_) => "K-CERT-IKKE-GYLDIG-ENDNU",
            SignError::UnsupportedKey(_) => "K-P12-NOEGLETYPE",
            SignError::Crypto(_) => "K-PDF-SIGNATUR",
            SignError::Tsa(e) => e.code(),
            SignError::Ltv(e) => e.code(),
            SignError::NeedsTsa(_) => "K-TSA-MANGLER",
        }
    }
}

impl From<SignError> for UserError {
    fn from(e: SignError) -> UserError {
        UserError::new(e.code(), e.danish(), e.to_string())
    }
}

impl VerifyError {
    /// Stable, for scripts and the app.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NotPdf => "K-PDF-IKKE-PDF",
            VerifyError::Damaged(_) => "K-PDF-SKADET",
            VerifyError::NoSignatures => "K-PDF-INGEN-SIGNATURER",
            VerifyError::BadTrustAnchor { .. } => "K-CERT-ROD",
        }
    }
}

impl From<VerifyError> for UserError {
    fn from(e: VerifyError) -> UserError {
        UserError::new(e.code(), e.danish(), e.to_string())
    }
}

impl SignatureProblem {
    /// Stable, for scripts and the app; the two /ByteRange codes were in the text already.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureProblem::ByteRange => "K-PDF-BYTERANGE",
            SignatureProblem::ByteRangeMalformed(_) => "K-PDF-BYTERANGE-FORM",
            SignatureProblem::ByteRangeOutside => "K-PDF-BYTERANGE-UDENFOR",
            SignatureProblem::Gap => "K-PDF-BYTERANGE-HUL",
            SignatureProblem::NotHex => "K-PDF-SIGNATUR-HEX",
            SignatureProblem::NotCms(_) => "K-PDF-SIGNATUR-CMS",
            SignatureProblem::Signer(_) => "K-PDF-UNDERSKRIVER",
            SignatureProblem::NoCertificate => "K-PDF-CERTIFIKAT-MANGLER",
            SignatureProblem::NoDigest => "K-PDF-KONTROLSUM-MANGLER",
            SignatureProblem::DigestMismatch => "K-PDF-AENDRET",
            SignatureProblem::NoSigningCertificate => "K-PDF-IKKE-PADES",
            SignatureProblem::SigningCertificateMismatch => "K-PDF-CERTIFIKAT-FORKERT",
            SignatureProblem::BadSignature(_) => "K-PDF-SIGNATUR-FORKERT",
        }
    }
}

/// A problem with one signature, as the app shows it beside the signature.
impl From<SignatureProblem> for UserError {
    fn from(p: SignatureProblem) -> UserError {
        let strip = |s: String| match s.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((_, rest)) => rest.to_owned(),
            None => s,
        };
        UserError::new(p.code(), strip(p.danish()), strip(p.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_errors_carry_codes_and_both_languages() {
        let e = UserError::from(SignError::WrongPassword);
        assert_eq!(e.code, "K-P12-ADGANGSKODE");
        assert!(e.da.contains("forkert adgangskode") && e.en.contains("wrong password"), "{e:?}");
        let e = UserError::from(SignatureProblem::ByteRangeOutside);
        assert_eq!(e.code, "K-PDF-BYTERANGE-UDENFOR");
        assert!(!e.da.starts_with('[') && !e.en.starts_with('['), "the code is not repeated: {e:?}");
        assert_eq!(UserError::from(VerifyError::NoSignatures).code, "K-PDF-INGEN-SIGNATURER");
    }
}
