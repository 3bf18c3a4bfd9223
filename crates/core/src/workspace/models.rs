//! Kept models: a document's content as the model reads it, kept in the file by the
//! document's own log position (store schema 4, `models`). After a year of typing the base's
//! CRDT state is MBs of Y.Text tombstones, and decoding it was most of every command; its
//! model is ~100 KB of JSON. A model is made once — when a session that wrote the document
//! closes, or when a read had to decode the document from the file — and read back by every
//! later command that asks for the same position. The document at any log position is the
//! document at its own last update at or before it, so one kept model answers every point
//! between two of its updates (the state at the last review, a release, a date).

use super::{Workspace, WorkspaceError};
use crate::doc::{DocError, DocKey, DpiaDoc};
use crate::model::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The format of kept models and answers: bump it when a model type's (or the review
/// status's) serialised shape changes, so rows an earlier build kept are made again instead
/// of read without the new fields.
/// `the_model_format_follows_the_model` holds it to the models' JSON Schema.
pub(crate) const MODEL_FORMAT: i64 = 3;

/// What a document reads as: the coordination, the base or a supplement.
pub(crate) trait DocModel: Serialize + DeserializeOwned {
    fn read(doc: &DpiaDoc) -> Result<Self, DocError>;
}

impl DocModel for Coordination {
    fn read(doc: &DpiaDoc) -> Result<Self, DocError> {
        doc.read_coordination()
    }
}

impl DocModel for Base {
    fn read(doc: &DpiaDoc) -> Result<Self, DocError> {
        doc.read_base()
    }
}

impl DocModel for Supplement {
    fn read(doc: &DpiaDoc) -> Result<Self, DocError> {
        doc.read_supplement()
    }
}

impl Workspace {
    /// Document `key`'s model just after log position `at` (`None`: as it stands in this
    /// session): a kept model of that position if there is one, else read from memory when
    /// memory holds exactly that position, else decoded from the file (the nearest kept
    /// snapshot and the updates after it) and kept for the next reader.
    pub(crate) fn model_at<T: DocModel>(&self, key: DocKey, at: Option<i64>) -> Result<T, WorkspaceError> {
        if !self.docs.contains_key(&key) {
            return Err(self.unknown(key));
        }
        let err = WorkspaceError::doc(key);
        let memory = self.in_memory(key);
        // Memory that holds more than one log position (another process logged a row before
        // this session's own) is no position's: "now" is what memory holds.
        if let (None, Some(l)) = (at, memory) {
            if self.ahead.contains(&key) {
                return T::read(&l.doc).map_err(err);
            }
        }
        let pos = match (at, memory) {
            (None, Some(l)) => l.applied,
            (None, None) => self.store.last_seq(key)?,
            (Some(seq), _) => self.store.last_seq_upto(key, seq)?,
        };
        if let Some(model) = self.kept_model(key, pos) {
            return Ok(model);
        }
        match memory {
            // Memory changes with every edit: what it holds is kept when the session closes.
            Some(l) if !self.ahead.contains(&key) && l.applied == pos => T::read(&l.doc).map_err(err),
            _ if at.is_none() => {
                // Now, not in memory: read it in (an edit may follow), and keep its model.
                let l = self.loaded(key)?;
                let model = T::read(&l.doc).map_err(err)?;
                self.keep_model(key, l.applied, &model);
                Ok(model)
            }
            _ => {
                let model = T::read(&self.build_document_at(key, pos)?).map_err(err)?;
                self.keep_model(key, pos, &model);
                Ok(model)
            }
        }
    }

    fn kept_model<T: DocModel>(&self, key: DocKey, pos: i64) -> Option<T> {
        let json = self.store.model(key, pos, MODEL_FORMAT).ok().flatten()?;
        serde_json::from_str(&json).ok()
    }

    /// Keeps a model, best effort: it only saves decoding the document again (a file on
    /// read-only media, or one another process is writing, simply keeps none).
    fn keep_model<T: DocModel>(&self, key: DocKey, pos: i64, model: &T) {
        if pos > 0 {
            let json = serde_json::to_string(model).expect("the model serialises");
            let _ = self.store.keep_model(key, pos, MODEL_FORMAT, &json);
        }
    }

    /// Keeps the model of a document as memory holds it, if memory is a log position.
    pub(super) fn keep_current_model(&self, key: DocKey) {
        let Some(l) = self.in_memory(key).filter(|_| !self.ahead.contains(&key)) else { return };
        if self.kept_model_exists(key, l.applied) {
            return;
        }
        match key {
            DocKey::Coordination => {
                if let Ok(m) = Coordination::read(&l.doc) {
                    self.keep_model(key, l.applied, &m)
                }
            }
            DocKey::Base => {
                if let Ok(m) = Base::read(&l.doc) {
                    self.keep_model(key, l.applied, &m)
                }
            }
            DocKey::Supplement(_) => {
                if let Ok(m) = Supplement::read(&l.doc) {
                    self.keep_model(key, l.applied, &m)
                }
            }
            // Remarks are small and read record by record (`hearing`): nothing to keep.
            DocKey::Remarks(_) => {}
        }
    }

    fn kept_model_exists(&self, key: DocKey, pos: i64) -> bool {
        self.store.model(key, pos, MODEL_FORMAT).ok().flatten().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kept models are read back as the model types deserialise them: a change of their shape
    /// must change `MODEL_FORMAT`, or a model an earlier build kept would read without it.
    #[test]
    fn the_model_format_follows_the_model() {
        use crate::check::ReviewStatus;
        let models = (schemars::schema_for!(Coordination), schemars::schema_for!(Base), schemars::schema_for!(Supplement));
        let shape = serde_json::to_string(&(models, schemars::schema_for!(ReviewStatus))).unwrap();
        let fingerprint = crate::release::sha256_hex(shape.as_bytes());
        assert_eq!(
            (MODEL_FORMAT, fingerprint.as_str()),
            // format 2: #16's model fields; the schema annotations since (required titles, the
            // date pattern) change the fingerprint but not what serde reads; format 3: the
            // imported supplier sheets
            (3, "0c86fb3de6b5501c48062a2e7fe075b6a2b6a27f3719e3cb857800a84c638388"),
            "the model types changed shape: bump MODEL_FORMAT and record the new fingerprint here"
        );
    }
}
