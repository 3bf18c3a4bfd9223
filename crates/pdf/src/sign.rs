//! PAdES B-B signing (placeholder while being written).

#[derive(Debug, Clone, Default)]
pub struct SignMeta {
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact: Option<String>,
    /// Claimed signing time, unix seconds (written to /M).
    pub time: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("not implemented")]
    Todo,
}

pub fn sign(_pdf: &[u8], _p12: &[u8], _password: &str, _meta: &SignMeta) -> Result<Vec<u8>, SignError> {
    Err(SignError::Todo)
}
