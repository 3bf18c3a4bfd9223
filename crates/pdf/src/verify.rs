//! Verification (placeholder while being written).

#[derive(Debug, Clone)]
pub struct AppendedChange;
#[derive(Debug, Clone)]
pub struct SignatureReport;
#[derive(Debug, Clone)]
pub struct VerifyReport;
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("not implemented")]
    Todo,
}
pub fn verify(_pdf: &[u8], _trust: &[Vec<u8>]) -> Result<VerifyReport, VerifyError> {
    Err(VerifyError::Todo)
}
