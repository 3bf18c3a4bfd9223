// Danish first, English second: the language signal, the words for the model's values (generated
// from konsekvens-core into ./catalogue, never written here), the risk matrix's lookup, Danish
// numbers and dates.

import { signal } from "@preact/signals";
import type { Assessment_Serialize as Assessment, Consequence, Likelihood, RiskLevel } from "./bindings";
import { KINDS, PARTS, RISK_MATRIX, WORDS } from "./catalogue";

export type Lang = "da" | "en";
export const lang = signal<Lang>("da");

/** The text in the current language. */
export function t(da: string, en: string): string {
  return lang.value === "en" ? en : da;
}

type Words<K extends string> = { readonly [key in K]: readonly [string, string] };

/** A label map over generated words: the word for `key` in the current language; `keys` in the
 *  model's order. `capital`: as a label, with a capital first letter. */
function words<K extends string>(w: Words<K>, capital = false) {
  const cap = (s: string) => (capital ? s.charAt(0).toUpperCase() + s.slice(1) : s);
  const f = (key: K | null | undefined): string => (key ? cap(t(w[key][0], w[key][1])) : "—");
  f.keys = Object.keys(w) as K[];
  return f;
}

export const CONSEQUENCE = words(WORDS.consequence);
export const LIKELIHOOD = words(WORDS.likelihood);
export const LEVEL = words(WORDS.risk_level);
export const OPERATION = words(WORDS.operation);
export const DATA_CLASS = words(WORDS.data_class);
export const ART6 = words(WORDS.art6_basis);
export const ART9 = words(WORDS.art9_basis);
export const ACCESS_SIDE = words(WORDS.access_side);
export const TRANSFER_BASIS = words(WORDS.transfer_basis);
export const PROCESSOR_ROLE = words(WORDS.processor_role);
export const RISK_SOURCE = words(WORDS.risk_source);
export const MEASURE_KIND = words(WORDS.measure_kind);
export const MEASURE_STATUS = words(WORDS.measure_status);
export const OWNER = words(WORDS.owner);
export const EVIDENCE_KIND = words(WORDS.evidence_kind);
export const ADVICE_RESPONSE = words(WORDS.advice_response);
export const LOCAL_MEASURE_STATE = words(WORDS.local_measure_state);
export const SEVERITY = words(WORDS.severity);
export const BASIS = words(WORDS.basis);
export const CHANGE_KIND = words(WORDS.change_kind);
export const USE_CHANGE_KIND = words(WORDS.use_change_kind);
/** As a heading: «Tilføjet». */
export const CHANGE_KIND_HEAD = words(WORDS.change_kind, true);

export type Dimension = keyof Assessment;
export const DIMENSIONS = words<Dimension>(WORDS.dimension);
export const NECESSITY_ASPECTS = words(WORDS.necessity_aspect, true);
export const WP248_CRITERIA = words(WORDS.wp248_criterion, true);
export const JOINT_CONDITIONS = words(WORDS.joint_condition, true);

// ---- The risk matrix: a lookup in the core's, generated --------------------------------------

export const CONSEQUENCES: Consequence[] = CONSEQUENCE.keys;
export const LIKELIHOODS: Likelihood[] = LIKELIHOOD.keys;

/** The level of consequence × likelihood, as `RiskLevel::of` says; null if either is missing. */
export function riskLevel(c: Consequence | null | undefined, l: Likelihood | null | undefined): RiskLevel | null {
  return c && l ? RISK_MATRIX[c][l] : null;
}

/** For sorting: unrated first, then the levels in the core's order (low, medium, high). */
export function levelOrder(l: RiskLevel | null): number {
  return l ? LEVEL.keys.indexOf(l) + 1 : 0;
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

/** The reader's name for a collection or another part of the model (as the core's
 *  `catalogue::label`, from the same generated catalogue). */
export function collection(key: string): string {
  const kind = KINDS.find((k) => k.collection === key);
  const w: readonly [string, string] | undefined = kind ? [kind.da, kind.en] : (PARTS as Record<string, readonly [string, string]>)[key];
  return w ? t(w[0], w[1]) : key.replace(/_/g, " ");
}
