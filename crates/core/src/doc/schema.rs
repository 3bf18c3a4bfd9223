//! Which model types are records, which fields are atoms, and where each lives in which
//! document. Keys inside the documents are the Rust field names (snake_case).

use super::fields::{atom, optional_atom, record};
use crate::model::*;

atom!(String, bool, i64, ItemId, Reference);
optional_atom!(
    u64, bool, Day, OrgCode, ItemId, Consequence, Likelihood, DataClass, AccessSide,
    TransferBasis, ProcessorRole, RiskSource, MeasureKind, MeasureStatus, Owner, EvidenceKind,
    AdviceResponse, LocalMeasureState, BaseWritePolicy, RiskLevel, UseChangeKind
);

record!(Rating { consequence, consequence_reason, likelihood, likelihood_reason, unaffected, unaffected_reason, legacy_level });
record!(Assessment { confidentiality, integrity, availability });
record!(LegalBasis { art6, art9, gdpr_text, national_law });
record!(Necessity {
    necessity, proportionality, minimisation, accuracy, storage_limitation, information,
    data_subject_rights, processors, transfers
});
record!(Process { id, reference, name, description, operations, modules, purposes });
record!(Module { id, reference, name, description });
record!(Purpose { id, reference, title, description, legal_basis, necessity });
record!(DataCategory { id, reference, name, class, examples, retention, sources, subjects });
record!(SubjectCategory { id, reference, name, count, count_note, vulnerable, vulnerable_reason });
record!(Source { id, reference, name, description });
record!(Recipient { id, reference, name, side, access });
record!(Transfer { id, reference, country, recipient, basis, description });
record!(Processor { id, reference, name, role, parent, service, location });
record!(DocumentType { id, reference, name, description, module, purposes });
record!(System { id, reference, name, description });
record!(Risk {
    id, reference, title, threat, processes, modules, source, source_reference, inherent,
    residual, residual_reason, acceptance
});
record!(Measure {
    id, reference, title, description, kind, status, planned_date, rejection_reason, owner,
    owner_name, mitigates, evidence
});
record!(Evidence { id, reference, title, kind, issued_by, date, received, location });
record!(DpoAdvice { id, reference, date, advisor, concerns_version, advice, response, response_reason });
record!(Review { id, reference, date, reviewer, trigger, summary });
record!(UseChange { id, reference, date, kind, description, concerns });
record!(SubjectView { id, reference, whom, date, views, response });
record!(SupplierSheet { id, reference, label, supplier, file, tab, version, date, fingerprint, imported, threats });
record!(SheetThreat { title, not_covered_reason });
record!(Wp248Answer { met, reason });
record!(Wp248 {
    evaluation_scoring, automated_decision, systematic_monitoring, sensitive_data, large_scale,
    matching_datasets, vulnerable_subjects, innovative_technology, prevents_exercise
});
record!(PriorConsultation { required, reason, submitted, case_number, outcome });
record!(ReviewPlan { next_review, triggers });
record!(Description {
    summary, scope, retention, new_technology, new_technology_text, third_country_access,
    third_country_reason, views_not_sought_reason
});
record!(BaseMeta { dpia_id, title, system, version_label });
record!(Participant { code, name, ref_prefix });
record!(SupplementMeta { org, name, ref_prefix, base_release, local_legal_basis, contacts, max_medium_percent });
record!(Signatory { id, name, capacity });
record!(Signing { id, date, signer, capacity, base_release, pdf_sha256 });
record!(Release { name, date, note, published_by, published_at, content_hash, content });
record!(RiskOverride { target, inherent, residual, reason });
record!(LocalMeasureStatus { target, state, text });
record!(NotApplicable { target, justification });
record!(LocalSubjectCount { target, count, note });
record!(ConditionAnswer { met, reason });
record!(JointConditions { same_system_type, same_processing, same_data, similar_risks });
record!(CoordinationMeta { coordinator, base_write_policy });

/// The coordination document's own fields (participants are a collection beside it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoordinationMeta {
    pub coordinator: String,
    pub base_write_policy: Option<BaseWritePolicy>,
}
