// Danish first, English second: the language signal, the words for the model's enums (the
// same as konsekvens-core's `danish()`/`english()`), the risk matrix, Danish numbers and dates.

import { signal } from "@preact/signals";
import type {
  AccessSide, AdviceResponse, Art6Basis, Art9Basis, Assessment_Serialize as Assessment, Basis,
  Consequence, DataClass, EvidenceKind, JointConditions_Serialize as JointConditions, Likelihood,
  LocalMeasureState, MeasureKind, MeasureStatus, Necessity_Serialize as Necessity, Operation, Owner,
  ProcessorRole, Rating_Serialize as Rating, RiskLevel, RiskSource, Severity, TransferBasis,
  Wp248_Serialize as Wp248,
} from "./bindings";

export type Lang = "da" | "en";
export const lang = signal<Lang>("da");

/** The text in the current language. */
export function t(da: string, en: string): string {
  return lang.value === "en" ? en : da;
}

type Words<K extends string> = Record<K, readonly [string, string]>;

/** A label map: the word for `key` in the current language. */
function words<K extends string>(w: Words<K>) {
  const f = (key: K | null | undefined): string => (key ? t(w[key][0], w[key][1]) : "—");
  f.keys = Object.keys(w) as K[];
  return f;
}

export const CONSEQUENCE = words<Consequence>({
  limited: ["begrænset", "limited"],
  serious: ["alvorlig", "serious"],
  very_serious: ["meget alvorlig", "very serious"],
  devastating: ["ødelæggende", "devastating"],
});

export const LIKELIHOOD = words<Likelihood>({
  unlikely: ["usandsynlig", "unlikely"],
  possible: ["mulig", "possible"],
  likely: ["sandsynlig", "likely"],
  expected: ["forventet", "expected"],
});

export const LEVEL = words<RiskLevel>({ low: ["lav", "low"], medium: ["mellem", "medium"], high: ["høj", "high"] });

export const OPERATION = words<Operation>({
  collection: ["indsamling", "collection"],
  registration: ["registrering", "registration"],
  organisation: ["systematisering", "organisation"],
  storage: ["opbevaring", "storage"],
  search: ["søgning", "search"],
  use: ["brug", "use"],
  disclosure: ["videregivelse", "disclosure"],
  restriction: ["begrænsning", "restriction"],
  erasure: ["sletning", "erasure"],
  anonymisation: ["anonymisering", "anonymisation"],
});

export const DATA_CLASS = words<DataClass>({
  ordinary: ["almindelige", "ordinary"],
  confidential: ["fortrolige", "confidential"],
  cpr: ["CPR-nummer", "CPR number"],
  special: ["følsomme (art. 9)", "special category (Art. 9)"],
  criminal: ["strafbare forhold (art. 10)", "criminal offences (Art. 10)"],
});

export const ART6 = words<Art6Basis>({
  consent: ["art. 6, stk. 1, litra a (samtykke)", "Art. 6(1)(a) consent"],
  contract: ["art. 6, stk. 1, litra b (kontrakt)", "Art. 6(1)(b) contract"],
  legal_obligation: ["art. 6, stk. 1, litra c (retlig forpligtelse)", "Art. 6(1)(c) legal obligation"],
  vital_interests: ["art. 6, stk. 1, litra d (vitale interesser)", "Art. 6(1)(d) vital interests"],
  public_task: ["art. 6, stk. 1, litra e (myndighedsudøvelse)", "Art. 6(1)(e) public task"],
  legitimate_interests: ["art. 6, stk. 1, litra f (legitim interesse)", "Art. 6(1)(f) legitimate interests"],
});

export const ART9 = words<Art9Basis>({
  explicit_consent: ["art. 9, stk. 2, litra a", "Art. 9(2)(a)"],
  employment: ["art. 9, stk. 2, litra b", "Art. 9(2)(b)"],
  vital_interests: ["art. 9, stk. 2, litra c", "Art. 9(2)(c)"],
  legal_claims: ["art. 9, stk. 2, litra f", "Art. 9(2)(f)"],
  substantial_public_interest: ["art. 9, stk. 2, litra g", "Art. 9(2)(g)"],
  health_or_social_care: ["art. 9, stk. 2, litra h", "Art. 9(2)(h)"],
});

export const ACCESS_SIDE = words<AccessSide>({ internal: ["internt", "internal"], external: ["eksternt", "external"] });

export const TRANSFER_BASIS = words<TransferBasis>({
  adequacy_decision: ["tilstrækkelighedsafgørelse (art. 45)", "adequacy decision (Art. 45)"],
  standard_contractual_clauses: ["standardkontraktbestemmelser (art. 46)", "standard contractual clauses (Art. 46)"],
  binding_corporate_rules: ["bindende virksomhedsregler (art. 47)", "binding corporate rules (Art. 47)"],
  derogation: ["undtagelse (art. 49)", "derogation (Art. 49)"],
  none: ["intet grundlag", "no basis"],
});

export const PROCESSOR_ROLE = words<ProcessorRole>({ processor: ["databehandler", "processor"], sub_processor: ["underdatabehandler", "sub-processor"] });

export const RISK_SOURCE = words<RiskSource>({
  kombit: ["KOMBIT", "KOMBIT"],
  supplier: ["leverandør", "supplier"],
  municipality: ["kommunen", "municipality"],
  dpo: ["DPO", "DPO"],
  breach: ["brud på persondatasikkerheden", "personal data breach"],
  other: ["andet", "other"],
});

export const MEASURE_KIND = words<MeasureKind>({ technical: ["teknisk", "technical"], organisational: ["organisatorisk", "organisational"] });

export const MEASURE_STATUS = words<MeasureStatus>({
  implemented: ["gennemført", "implemented"],
  planned: ["planlagt", "planned"],
  rejected: ["fravalgt", "rejected"],
});

export const OWNER = words<Owner>({
  municipality: ["kommunen", "municipality"],
  kombit: ["KOMBIT", "KOMBIT"],
  supplier: ["leverandør", "supplier"],
  other: ["andre", "other"],
});

export const EVIDENCE_KIND = words<EvidenceKind>({
  isae3000: ["ISAE 3000-erklæring", "ISAE 3000 statement"],
  isae3402: ["ISAE 3402-erklæring", "ISAE 3402 statement"],
  policy: ["politik/retningslinje", "policy"],
  contract: ["aftale", "agreement"],
  test: ["test/kontrol", "test/control"],
  other: ["andet", "other"],
});

export const ADVICE_RESPONSE = words<AdviceResponse>({
  pending: ["afventer", "pending"],
  followed: ["fulgt", "followed"],
  partly_followed: ["delvist fulgt", "partly followed"],
  overruled: ["ikke fulgt", "overruled"],
});

export const LOCAL_MEASURE_STATE = words<LocalMeasureState>({
  not_implemented: ["ikke gennemført her", "not implemented here"],
  implemented_differently: ["gennemført anderledes", "implemented differently"],
});

export const SEVERITY = words<Severity>({ error: ["fejl", "error"], warning: ["advarsel", "warning"], info: ["info", "info"] });

export const BASIS = words<Basis>({
  art_35_7_a: ["art. 35, stk. 7, litra a", "Art. 35(7)(a)"],
  art_35_7_b: ["art. 35, stk. 7, litra b", "Art. 35(7)(b)"],
  art_35_7_c: ["art. 35, stk. 7, litra c", "Art. 35(7)(c)"],
  art_35_7_d: ["art. 35, stk. 7, litra d", "Art. 35(7)(d)"],
  art_35_2: ["art. 35, stk. 2", "Art. 35(2)"],
  art_35_11: ["art. 35, stk. 11", "Art. 35(11)"],
  art_36: ["art. 36", "Art. 36"],
  art_24_1: ["art. 24, stk. 1", "Art. 24(1)"],
  art_5_2: ["art. 5, stk. 2", "Art. 5(2)"],
  wp248: ["WP248", "WP248"],
  joint_dpia: ["fælles analyse (pkt. 4.4)", "joint DPIA (§ 4.4)"],
});

export type Dimension = keyof Assessment;
export const DIMENSIONS = words<Dimension>({
  confidentiality: ["fortrolighed", "confidentiality"],
  integrity: ["integritet", "integrity"],
  availability: ["tilgængelighed", "availability"],
});

export const NECESSITY_ASPECTS = words<keyof Necessity>({
  necessity: ["Nødvendighed", "Necessity"],
  proportionality: ["Proportionalitet", "Proportionality"],
  minimisation: ["Dataminimering", "Data minimisation"],
  accuracy: ["Rigtighed", "Accuracy"],
  storage_limitation: ["Opbevaringsbegrænsning", "Storage limitation"],
  information: ["Oplysningspligt", "Information to data subjects"],
  data_subject_rights: ["De registreredes rettigheder", "Data-subject rights"],
  processors: ["Databehandlere", "Processors"],
  transfers: ["Overførsler", "Transfers"],
});

export const WP248_CRITERIA = words<keyof Wp248>({
  evaluation_scoring: ["Evaluering eller scoring", "Evaluation or scoring"],
  automated_decision: ["Automatiske afgørelser med retsvirkning", "Automated decision-making with legal effect"],
  systematic_monitoring: ["Systematisk overvågning", "Systematic monitoring"],
  sensitive_data: ["Følsomme eller meget personlige oplysninger", "Sensitive or highly personal data"],
  large_scale: ["Behandling i stort omfang", "Data processed on a large scale"],
  matching_datasets: ["Sammenkobling af datasæt", "Matching or combining datasets"],
  vulnerable_subjects: ["Sårbare registrerede", "Vulnerable data subjects"],
  innovative_technology: ["Ny teknologi", "Innovative use of technology"],
  prevents_exercise: ["Hindrer udøvelse af rettigheder", "Prevents exercising a right or using a service"],
});

export const JOINT_CONDITIONS = words<keyof JointConditions>({
  same_system_type: ["Samme type system", "Same type of system"],
  same_processing: ["Samme behandlingsaktiviteter", "Same processing activities"],
  same_data: ["Samme typer personoplysninger", "Same types of personal data"],
  similar_risks: ["Tilsvarende høje risici", "Similar high risks"],
});

// ---- The risk matrix (as the core's RiskLevel::of) -------------------------------------------

export const CONSEQUENCES: Consequence[] = ["limited", "serious", "very_serious", "devastating"];
export const LIKELIHOODS: Likelihood[] = ["unlikely", "possible", "likely", "expected"];
const ORDER: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };

/** Consequence step × likelihood step; 1–3 lav, 4–8 mellem, 9–16 høj. */
export function riskLevel(c: Consequence | null | undefined, l: Likelihood | null | undefined): RiskLevel | null {
  if (!c || !l) return null;
  const p = (CONSEQUENCES.indexOf(c) + 1) * (LIKELIHOODS.indexOf(l) + 1);
  return p <= 3 ? "low" : p <= 8 ? "medium" : "high";
}

export function ratingLevel(r: Rating): RiskLevel | null {
  return riskLevel(r.consequence, r.likelihood);
}

/** The highest level over the rated dimensions; null if none is rated. */
export function assessmentLevel(a: Assessment): RiskLevel | null {
  let best: RiskLevel | null = null;
  for (const dim of DIMENSIONS.keys) {
    const l = ratingLevel(a[dim]);
    if (l && (best === null || ORDER[l] > ORDER[best])) best = l;
  }
  return best;
}

export function levelOrder(l: RiskLevel | null): number {
  return l ? ORDER[l] + 1 : 0;
}

// ---- Numbers and dates ------------------------------------------------------------------------

/** 560000 → "560.000" in Danish, "560,000" in English. */
export function number(n: number): string {
  const sep = lang.value === "en" ? "," : ".";
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** What a person typed as a whole number → the number; null for nothing; undefined when it
 *  is not one. Thousands may be grouped with the UI language's separator or a space
 *  («46.000», «46 000»; «46,000» in English); a decimal part is not a count. */
export function parseCount(text: string): number | null | undefined {
  const s = text.trim();
  if (s === "") return null;
  const sep = lang.value === "en" ? "," : ".";
  const grouped = new RegExp(`^\\d{1,3}([${sep} ]\\d{3})+$`);
  if (!/^\d+$/.test(s) && !grouped.test(s)) return undefined;
  const n = Number(s.replace(/[^\d]/g, ""));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** "2023-06-21" → "21.06.2023" in Danish; ISO in English. `none` is what no date reads as. */
export function date(d: string | null | undefined, none = "—"): string {
  if (!d) return none;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  return m && lang.value === "da" ? `${m[3]}.${m[2]}.${m[1]}` : d;
}

/** What a person typed as a date → ISO "YYYY-MM-DD"; null for nothing; undefined when it is
 *  not a date. Day first, as Danes write it (21.06.2023, 21-6-2023, 21/6/2023), or ISO. */
export function parseDate(text: string): string | null | undefined {
  const s = text.trim();
  if (s === "") return null;
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const dmy = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) [d, m, y] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else return undefined;
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) return undefined;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${y}-${p(m)}-${p(d)}`;
}

/** Epoch milliseconds as a local date and time. */
export function dateTime(millis: number): string {
  return new Date(millis).toLocaleString(lang.value === "en" ? "en-GB" : "da-DK", { dateStyle: "short", timeStyle: "short" });
}

export function yesNo(b: boolean | null | undefined): string {
  return b === true ? t("ja", "yes") : b === false ? t("nej", "no") : t("ikke besvaret", "not answered");
}

/** Today as YYYY-MM-DD (local time). */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The reader's name for a collection or section of the model (as diff::collection_label). */
export const COLLECTION: Record<string, readonly [string, string]> = {
  processes: ["databehandlingsproces", "data process"],
  modules: ["modul", "module"],
  purposes: ["formål", "purpose"],
  data_categories: ["kategori af oplysninger", "data category"],
  subject_categories: ["kategori af registrerede", "data-subject category"],
  sources: ["kilde", "source"],
  recipients: ["modtager", "recipient"],
  transfers: ["overførsel til tredjeland", "third-country transfer"],
  processors: ["databehandler", "processor"],
  document_types: ["dokumenttype", "document type"],
  systems: ["system", "system"],
  risks: ["risiko", "risk"],
  measures: ["foranstaltning", "measure"],
  evidence: ["dokumentation", "evidence"],
  dpo_advice: ["DPO-rådgivning", "DPO advice"],
  reviews: ["revision", "review"],
  signatories: ["underskriver", "signatory"],
  signings: ["underskrift", "signing"],
  risk_overrides: ["lokal risikovurdering", "local risk rating"],
  measure_statuses: ["lokal status for foranstaltning", "local measure status"],
  not_applicable: ["ikke relevant her", "not applicable here"],
  subject_counts: ["lokalt antal registrerede", "local subject count"],
  participants: ["deltager", "participant"],
  releases: ["udgivelse", "release"],
  meta: ["oplysninger om analysen", "metadata"],
  base: ["oplysninger om analysen", "metadata"],
  description: ["systematisk beskrivelse", "systematic description"],
  wp248: ["WP248-screening", "WP248 screening"],
  prior_consultation: ["forudgående høring (art. 36)", "prior consultation (Art. 36)"],
  review_plan: ["revisionsplan", "review plan"],
  conditions: ["betingelser for fælles analyse", "joint-DPIA conditions"],
  release: ["udgivelse, analysen bygger på", "release the DPIA builds on"],
  base_release: ["udgivelse, tillægget er vurderet mod", "release the supplement was assessed against"],
};

export function collection(key: string): string {
  const w = COLLECTION[key];
  return w ? t(w[0], w[1]) : key.replace(/_/g, " ");
}
