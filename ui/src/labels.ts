// Danish words for the model's enums (the same as konsekvens-core's `danish()`), the risk
// matrix, and Danish number and date formatting.

import type {
  AccessSide, AdviceResponse, Art6Basis, Art9Basis, Assessment, Consequence, DataClass, Day,
  EvidenceKind, Likelihood, LocalMeasureState, MeasureKind, MeasureStatus, Necessity, Operation,
  Owner, ProcessorRole, Rating, RiskLevel, RiskSource, TransferBasis, Wp248, JointConditions,
} from "./types";

export const CONSEQUENCE: Record<Consequence, string> = {
  limited: "begrænset",
  serious: "alvorlig",
  very_serious: "meget alvorlig",
  devastating: "ødelæggende",
};

export const LIKELIHOOD: Record<Likelihood, string> = {
  unlikely: "usandsynlig",
  possible: "mulig",
  likely: "sandsynlig",
  expected: "forventet",
};

export const LEVEL: Record<RiskLevel, string> = { low: "lav", medium: "mellem", high: "høj" };

export const OPERATION: Record<Operation, string> = {
  collection: "indsamling",
  registration: "registrering",
  organisation: "systematisering",
  storage: "opbevaring",
  search: "søgning",
  use: "brug",
  disclosure: "videregivelse",
  restriction: "begrænsning",
  erasure: "sletning",
  anonymisation: "anonymisering",
};

export const DATA_CLASS: Record<DataClass, string> = {
  ordinary: "almindelige",
  confidential: "fortrolige",
  cpr: "CPR-nummer",
  special: "følsomme (art. 9)",
  criminal: "strafbare forhold (art. 10)",
};

export const ART6: Record<Art6Basis, string> = {
  consent: "art. 6, stk. 1, litra a (samtykke)",
  contract: "art. 6, stk. 1, litra b (kontrakt)",
  legal_obligation: "art. 6, stk. 1, litra c (retlig forpligtelse)",
  vital_interests: "art. 6, stk. 1, litra d (vitale interesser)",
  public_task: "art. 6, stk. 1, litra e (myndighedsudøvelse)",
  legitimate_interests: "art. 6, stk. 1, litra f (legitim interesse)",
};

export const ART9: Record<Art9Basis, string> = {
  explicit_consent: "art. 9, stk. 2, litra a",
  employment: "art. 9, stk. 2, litra b",
  vital_interests: "art. 9, stk. 2, litra c",
  legal_claims: "art. 9, stk. 2, litra f",
  substantial_public_interest: "art. 9, stk. 2, litra g",
  health_or_social_care: "art. 9, stk. 2, litra h",
};

export const ACCESS_SIDE: Record<AccessSide, string> = { internal: "internt", external: "eksternt" };

export const TRANSFER_BASIS: Record<TransferBasis, string> = {
  adequacy_decision: "tilstrækkelighedsafgørelse (art. 45)",
  standard_contractual_clauses: "standardkontraktbestemmelser (art. 46)",
  binding_corporate_rules: "bindende virksomhedsregler (art. 47)",
  derogation: "undtagelse (art. 49)",
  none: "intet grundlag",
};

export const PROCESSOR_ROLE: Record<ProcessorRole, string> = {
  processor: "databehandler",
  sub_processor: "underdatabehandler",
};

export const RISK_SOURCE: Record<RiskSource, string> = {
  kombit: "KOMBIT",
  supplier: "leverandør",
  municipality: "kommunen",
  dpo: "DPO",
  breach: "brud på persondatasikkerheden",
  other: "andet",
};

export const MEASURE_KIND: Record<MeasureKind, string> = { technical: "teknisk", organisational: "organisatorisk" };

export const MEASURE_STATUS: Record<MeasureStatus, string> = {
  implemented: "gennemført",
  planned: "planlagt",
  rejected: "fravalgt",
};

export const OWNER: Record<Owner, string> = {
  municipality: "kommunen",
  kombit: "KOMBIT",
  supplier: "leverandør",
  other: "andre",
};

export const EVIDENCE_KIND: Record<EvidenceKind, string> = {
  isae3000: "ISAE 3000-erklæring",
  isae3402: "ISAE 3402-erklæring",
  policy: "politik/retningslinje",
  contract: "aftale",
  test: "test/kontrol",
  other: "andet",
};

export const ADVICE_RESPONSE: Record<AdviceResponse, string> = {
  pending: "afventer",
  followed: "fulgt",
  partly_followed: "delvist fulgt",
  overruled: "ikke fulgt",
};

export const LOCAL_MEASURE_STATE: Record<LocalMeasureState, string> = {
  not_implemented: "ikke gennemført her",
  implemented_differently: "gennemført anderledes",
};

export const DIMENSIONS = [
  ["confidentiality", "Fortrolighed"],
  ["integrity", "Integritet"],
  ["availability", "Tilgængelighed"],
] as const satisfies readonly (readonly [keyof Assessment, string])[];

export const NECESSITY_ASPECTS = [
  ["necessity", "Nødvendighed"],
  ["proportionality", "Proportionalitet"],
  ["minimisation", "Dataminimering"],
  ["accuracy", "Rigtighed"],
  ["storage_limitation", "Opbevaringsbegrænsning"],
  ["information", "Oplysningspligt"],
  ["data_subject_rights", "De registreredes rettigheder"],
  ["processors", "Databehandlere"],
  ["transfers", "Overførsler"],
] as const satisfies readonly (readonly [keyof Necessity, string])[];

export const WP248_CRITERIA = [
  ["evaluation_scoring", "Evaluering eller scoring"],
  ["automated_decision", "Automatiske afgørelser med retsvirkning"],
  ["systematic_monitoring", "Systematisk overvågning"],
  ["sensitive_data", "Følsomme eller meget personlige oplysninger"],
  ["large_scale", "Behandling i stort omfang"],
  ["matching_datasets", "Sammenkobling af datasæt"],
  ["vulnerable_subjects", "Sårbare registrerede"],
  ["innovative_technology", "Ny teknologi"],
  ["prevents_exercise", "Hindrer udøvelse af rettigheder"],
] as const satisfies readonly (readonly [keyof Wp248, string])[];

export const JOINT_CONDITIONS = [
  ["same_system_type", "Samme type system"],
  ["same_processing", "Samme behandlingsaktiviteter"],
  ["same_data", "Samme typer personoplysninger"],
  ["similar_risks", "Tilsvarende høje risici"],
] as const satisfies readonly (readonly [keyof JointConditions, string])[];

const STEP_C: Record<Consequence, number> = { limited: 1, serious: 2, very_serious: 3, devastating: 4 };
const STEP_L: Record<Likelihood, number> = { unlikely: 1, possible: 2, likely: 3, expected: 4 };
const ORDER: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };

/** The core's risk matrix: consequence step × likelihood step; 1–3 lav, 4–8 mellem, 9–16 høj. */
export function riskLevel(c: Consequence | null, l: Likelihood | null): RiskLevel | null {
  if (!c || !l) return null;
  const p = STEP_C[c] * STEP_L[l];
  return p <= 3 ? "low" : p <= 8 ? "medium" : "high";
}

export function ratingLevel(r: Rating): RiskLevel | null {
  return riskLevel(r.consequence, r.likelihood);
}

/** The highest level over the rated dimensions; null if none is rated. */
export function assessmentLevel(a: Assessment): RiskLevel | null {
  let best: RiskLevel | null = null;
  for (const [dim] of DIMENSIONS) {
    const l = ratingLevel(a[dim]);
    if (l && (best === null || ORDER[l] > ORDER[best])) best = l;
  }
  return best;
}

/** 560000 → "560.000", as Danish writes thousands. */
export function danishNumber(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
}

/** "2023-06-21" → "21.06.2023"; anything else is returned unchanged. */
export function danishDate(d: Day): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : d;
}

export function yesNo(b: boolean | null): string {
  return b === true ? "ja" : b === false ? "nej" : "ikke besvaret";
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
