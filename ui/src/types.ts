// The JSON shapes the app's commands return: serde's rendering of konsekvens-core's model
// (crates/core/src/model/*.rs and effective.rs). Option → null, enums → snake_case strings,
// id sets → arrays, dates → "YYYY-MM-DD", municipality codes → numbers.

export type ItemId = string;
export type Day = string;

export type Consequence = "limited" | "serious" | "very_serious" | "devastating";
export type Likelihood = "unlikely" | "possible" | "likely" | "expected";
export type RiskLevel = "low" | "medium" | "high";

export type Operation =
  | "collection" | "registration" | "organisation" | "storage" | "search"
  | "use" | "disclosure" | "restriction" | "erasure" | "anonymisation";
export type DataClass = "ordinary" | "confidential" | "cpr" | "special" | "criminal";
export type Art6Basis =
  | "consent" | "contract" | "legal_obligation" | "vital_interests" | "public_task" | "legitimate_interests";
export type Art9Basis =
  | "explicit_consent" | "employment" | "vital_interests" | "legal_claims"
  | "substantial_public_interest" | "health_or_social_care";
export type AccessSide = "internal" | "external";
export type TransferBasis =
  | "adequacy_decision" | "standard_contractual_clauses" | "binding_corporate_rules" | "derogation" | "none";
export type ProcessorRole = "processor" | "sub_processor";
export type RiskSource = "kombit" | "supplier" | "municipality" | "dpo" | "breach" | "other";
export type MeasureKind = "technical" | "organisational";
export type MeasureStatus = "implemented" | "planned" | "rejected";
export type Owner = "municipality" | "kombit" | "supplier" | "other";
export type EvidenceKind = "isae3000" | "isae3402" | "policy" | "contract" | "test" | "other";
export type AdviceResponse = "pending" | "followed" | "partly_followed" | "overruled";
export type LocalMeasureState = "not_implemented" | "implemented_differently";
export type Origin = "base" | "local";

export interface Rating {
  consequence: Consequence | null;
  consequence_reason: string;
  likelihood: Likelihood | null;
  likelihood_reason: string;
}

export interface Assessment {
  confidentiality: Rating;
  integrity: Rating;
  availability: Rating;
}

export interface LegalBasis {
  art6: Art6Basis[];
  art9: Art9Basis[];
  gdpr_text: string;
  national_law: string;
}

export interface Necessity {
  necessity: string;
  proportionality: string;
  minimisation: string;
  accuracy: string;
  storage_limitation: string;
  information: string;
  data_subject_rights: string;
  processors: string;
  transfers: string;
}

interface Item {
  id: ItemId;
  reference: string;
}

export interface Process extends Item {
  name: string;
  description: string;
  operations: Operation[];
  modules: ItemId[];
  purposes: ItemId[];
}
export interface Module extends Item {
  name: string;
  description: string;
}
export interface Purpose extends Item {
  title: string;
  description: string;
  legal_basis: LegalBasis;
  necessity: Necessity;
}
export interface DataCategory extends Item {
  name: string;
  class: DataClass | null;
  examples: string;
  retention: string;
  sources: ItemId[];
  subjects: ItemId[];
}
export interface SubjectCategory extends Item {
  name: string;
  count: number | null;
  count_note: string;
  vulnerable: boolean;
  vulnerable_reason: string;
}
export interface Source extends Item {
  name: string;
  description: string;
}
export interface Recipient extends Item {
  name: string;
  side: AccessSide | null;
  access: string;
}
export interface Transfer extends Item {
  country: string;
  recipient: string;
  basis: TransferBasis | null;
  description: string;
}
export interface Processor extends Item {
  name: string;
  role: ProcessorRole | null;
  parent: ItemId | null;
  service: string;
  location: string;
}
export interface DocumentType extends Item {
  name: string;
  description: string;
  module: ItemId | null;
}
export interface System extends Item {
  name: string;
  description: string;
}
export interface Risk extends Item {
  title: string;
  threat: string;
  processes: ItemId[];
  modules: ItemId[];
  source: RiskSource | null;
  source_reference: string;
  inherent: Assessment;
  residual: Assessment;
  residual_reason: string;
  acceptance: string;
}
export interface Measure extends Item {
  title: string;
  description: string;
  kind: MeasureKind | null;
  status: MeasureStatus | null;
  planned_date: Day | null;
  rejection_reason: string;
  owner: Owner | null;
  owner_name: string;
  mitigates: ItemId[];
  evidence: ItemId[];
}
export interface Evidence extends Item {
  title: string;
  kind: EvidenceKind | null;
  issued_by: string;
  date: Day | null;
  received: Day | null;
  location: string;
}
export interface DpoAdvice extends Item {
  date: Day | null;
  advisor: string;
  concerns_version: string;
  advice: string;
  response: AdviceResponse | null;
  response_reason: string;
}
export interface Review extends Item {
  date: Day | null;
  reviewer: string;
  trigger: string;
  summary: string;
}

export interface Items {
  processes: Process[];
  modules: Module[];
  purposes: Purpose[];
  data_categories: DataCategory[];
  subject_categories: SubjectCategory[];
  sources: Source[];
  recipients: Recipient[];
  transfers: Transfer[];
  processors: Processor[];
  document_types: DocumentType[];
  systems: System[];
  risks: Risk[];
  measures: Measure[];
  evidence: Evidence[];
  dpo_advice: DpoAdvice[];
  reviews: Review[];
}

export interface Wp248Answer {
  met: boolean | null;
  reason: string;
}
export interface Wp248 {
  evaluation_scoring: Wp248Answer;
  automated_decision: Wp248Answer;
  systematic_monitoring: Wp248Answer;
  sensitive_data: Wp248Answer;
  large_scale: Wp248Answer;
  matching_datasets: Wp248Answer;
  vulnerable_subjects: Wp248Answer;
  innovative_technology: Wp248Answer;
  prevents_exercise: Wp248Answer;
}

export interface PriorConsultation {
  required: boolean | null;
  reason: string;
  submitted: Day | null;
  case_number: string;
  outcome: string;
}
export interface ReviewPlan {
  next_review: Day | null;
  triggers: string;
}
export interface Description {
  summary: string;
  scope: string;
  retention: string;
  new_technology: boolean | null;
  new_technology_text: string;
}
export interface BaseMeta {
  dpia_id: string;
  title: string;
  system: string;
  version_label: string;
}
export interface Participant {
  code: number | null;
  name: string;
  ref_prefix: string;
}

export interface Base {
  meta: BaseMeta;
  description: Description;
  wp248: Wp248;
  prior_consultation: PriorConsultation;
  review_plan: ReviewPlan;
  items: Items;
}

export interface ConditionAnswer {
  met: boolean | null;
  reason: string;
}
export interface JointConditions {
  same_system_type: ConditionAnswer;
  same_processing: ConditionAnswer;
  same_data: ConditionAnswer;
  similar_risks: ConditionAnswer;
}
export interface Signatory {
  id: ItemId;
  name: string;
  capacity: string;
}

export type Deviation =
  | { type: "risk_rating"; base_inherent: Assessment; base_residual: Assessment; reason: string }
  | { type: "measure_status"; state: LocalMeasureState | null; text: string }
  | { type: "subject_count"; base_count: number | null; note: string };

/** One item of the effective DPIA: the item's fields flattened, plus where it comes from. */
export type Entry<T> = T & {
  origin: Origin;
  deviation: Deviation | null;
  not_applicable: string | null;
};

export type EffectiveItems = { [K in keyof Items]: Entry<Items[K][number]>[] };

export interface EffectiveDpia {
  org: Participant;
  coordinator: string;
  base: BaseMeta;
  base_release: string;
  description: Description;
  local_legal_basis: string;
  contacts: string;
  wp248: Wp248;
  conditions: JointConditions;
  prior_consultation: PriorConsultation;
  prior_consultation_origin: Origin;
  review_plan: ReviewPlan;
  review_plan_origin: Origin;
  signatories: Signatory[];
  items: EffectiveItems;
  unresolved_targets: ItemId[];
}

/** What `open_sample` / `open_workspace` return. */
export interface Opened {
  path: string;
  created: boolean;
  title: string;
  coordinator: string;
  participants: Participant[];
}
