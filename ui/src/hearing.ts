// The høring in the webview: what Rust's `hearing` command reads (threads, rounds, their
// status), the thread panel's target, and the pure functions the views use — open comments
// per item, the filters of the open-comments view, and a «forslag» as a difference against
// the current text. The use cases are Rust's (konsekvens_core::hearing); nothing is decided here.

import { signal } from "@preact/signals";
import { call, commands } from "./api";
import type { HearingView_Serialize as HearingView, ThreadView_Serialize as ThreadView } from "./bindings";
import { CONSEQUENCE, DIMENSIONS, LIKELIHOOD, WP248_CRITERIA, t, type Dimension } from "./i18n";

export type { HearingView, ThreadView };

/** The høring as the user sees it; reloaded after every refresh. */
export const hearing = signal<HearingView | null>(null);

/** What the thread panel shows: the threads on an item (or one field of it) or a release. */
export interface PanelTarget {
  item: string | null;
  /** A field path inside the item (`inherent.confidentiality`); "" for the item. */
  field: string;
  release: string | null;
  /** The supplement the item is in (its threads stay between it and the coordinator). */
  supplement: number | null;
  /** How the panel names it: «R6», «R6 · fortrolighed før foranstaltninger». */
  label: string;
  /** The item's kind, for what a «forslag» can change (`risk`, `measure` …). */
  kind: string | null;
}
export const panel = signal<PanelTarget | null>(null);

/** Where the user is writing in the høring (a thread's reference or `ny:<item>`): presence. */
export const writingIn = signal<string | null>(null);

let loading: Promise<void> | null = null;
let held = "";
/** Reads the høring again (after a refresh: an edit, the hub's news, another role). */
export function loadHearing(): Promise<void> {
  if (loading) return loading;
  loading = call(commands.hearing())
    .then((h) => {
      // Unchanged, the signal keeps its object: the views do not render again for nothing.
      const json = JSON.stringify(h);
      if (json !== held) {
        held = json;
        hearing.value = h;
      }
    })
    .catch(() => {
      held = "";
      hearing.value = null;
    })
    .finally(() => {
      loading = null;
    });
  return loading;
}

/** Whether a thread is on `item` (and, given a field, on that field or inside it). */
export function isOn(th: ThreadView, item: string, field?: string): boolean {
  if (th.target.item !== item) return false;
  if (field === undefined) return true;
  const f = th.target.field;
  return f === field || f.startsWith(`${field}.`) || (field !== "" && (th.opening.proposal?.field ?? "").startsWith(`${field}.`) && f === "");
}

/** Open (unresolved) threads on an item, or on one field of it. */
export function openCount(threads: readonly ThreadView[] | undefined, item: string, field?: string): number {
  return (threads ?? []).filter((th) => !th.resolved && isOn(th, item, field)).length;
}

/** The root of the section a target's field (with no item and no release) names — the
 *  section as a whole (`wp248`) or one part of it (`description.retention`,
 *  `wp248.large_scale`) — as the core's `hearing::section_of` reads it; else null. */
export function sectionOf(field: string): string | null {
  for (const root of Object.keys(SECTIONS)) {
    if (field === root || (field.startsWith(`${root}.`) && field.length > root.length + 1)) return root;
  }
  return null;
}

/** Whether a thread is on a section (given a part, on that part; given the whole, on any part). */
export function isOnSection(th: ThreadView, field: string): boolean {
  if (th.target.item !== null || th.target.release !== null) return false;
  const root = sectionOf(field);
  if (root === null || sectionOf(th.target.field) !== root) return false;
  return field === root || th.target.field === field || th.target.field.startsWith(`${field}.`);
}

/** Open threads on a section, or on one part of it. */
export function openOnSection(threads: readonly ThreadView[] | undefined, field: string): number {
  return (threads ?? []).filter((th) => !th.resolved && isOnSection(th, field)).length;
}

/** The root of the section a target is about (no item, no release), as the core's
 *  `hearing::section_of_target`; else null. */
export function sectionOfTarget(target: { item: string | null; release: string | null; field: string }): string | null {
  return target.item === null && target.release === null ? sectionOf(target.field) : null;
}

/** Whether a panel target is a section (or a part of one). */
export function targetsSection(target: { item: string | null; release: string | null; field: string }): boolean {
  return sectionOfTarget(target) !== null;
}

/** The thread panel's target for a section (commented as an item of its own) or one part
 *  of it: no item, the field a path from the base's root. */
export function sectionTarget(field: string): PanelTarget {
  return { item: null, field, release: null, supplement: null, label: fieldLabel(field), kind: null };
}

/** Open threads on a release (commented as a whole). */
export function openOnRelease(threads: readonly ThreadView[] | undefined, release: string): number {
  return (threads ?? []).filter((th) => !th.resolved && th.target.release === release && th.target.item === null && sectionOf(th.target.field) === null).length;
}

/** The threads a panel shows: on the item (all its fields when the panel is for the item),
 *  or on the release. */
export function threadsFor(threads: readonly ThreadView[] | undefined, target: PanelTarget): ThreadView[] {
  if (targetsSection(target)) return (threads ?? []).filter((th) => isOnSection(th, target.field));
  return (threads ?? []).filter((th) =>
    target.item !== null
      ? isOn(th, target.item, target.field === "" ? undefined : target.field)
      : th.target.item === null && th.target.release === target.release && sectionOf(th.target.field) === null);
}

export type ThreadState = "open" | "resolved" | "unanswered" | "objection" | "all";

export interface ThreadFilter {
  /** `coordinator`, a municipality code, or null for everyone. */
  by: string | null;
  /** An item reference (R6) or release name, or "" for all. */
  item: string;
  state: ThreadState;
}

/** The open-comments view's filter: by who wrote the thread, the item, and its state. */
export function filterThreads(threads: readonly ThreadView[], f: ThreadFilter): ThreadView[] {
  const item = f.item.trim().toLowerCase();
  return threads.filter((th) => {
    if (f.by !== null && th.opening.by !== f.by) return false;
    if (item !== "" && th.target.reference.toLowerCase() !== item && (th.target.release ?? "").toLowerCase() !== item && !th.target.label.toLowerCase().startsWith(item)) return false;
    switch (f.state) {
      case "open": return !th.resolved;
      case "resolved": return th.resolved;
      case "unanswered": return th.response === null && th.opening.by !== "coordinator";
      case "objection": return th.opening.objection && !th.resolved;
      case "all": return true;
    }
  });
}

/** The items commented on, for the filter's choice: reference (or release) once each, in order. */
export function commentedItems(threads: readonly ThreadView[]): string[] {
  const seen = new Set<string>();
  for (const th of threads) seen.add(th.target.reference || th.target.release || "");
  seen.delete("");
  return [...seen].sort((a, b) => a.localeCompare(b, "da", { numeric: true }));
}

export interface Piece {
  kind: "same" | "del" | "ins";
  text: string;
}

/** A word-level difference of `before` → `after` (longest common subsequence of words, the
 *  spaces kept with them): what a «forslag» changes in the current text. Texts of more than
 *  2 000 words each are shown as a whole replacement rather than compared. */
export function wordDiff(before: string, after: string): Piece[] {
  const a = before.match(/\s*\S+\s*/g) ?? (before ? [before] : []);
  const b = after.match(/\s*\S+\s*/g) ?? (after ? [after] : []);
  if (a.length > 2000 || b.length > 2000) return merge([...a.map((text) => ({ kind: "del" as const, text })), ...b.map((text) => ({ kind: "ins" as const, text }))]);
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the common words of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i].trim() === b[j].trim() ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: Piece[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i].trim() === b[j].trim()) {
      out.push({ kind: "same", text: b[j] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ kind: "del", text: a[i++] });
    else out.push({ kind: "ins", text: b[j++] });
  }
  while (i < n) out.push({ kind: "del", text: a[i++] });
  while (j < m) out.push({ kind: "ins", text: b[j++] });
  return merge(out);
}

function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.kind === p.kind) last.text += p.text;
    else out.push({ ...p });
  }
  return out;
}

/** A field path in words: `inherent.confidentiality.likelihood` → «sandsynlighed, fortrolighed
 *  før foranstaltninger». */
export function fieldLabel(path: string): string {
  if (path === "") return "";
  const parts = path.split(".");
  const phase = parts[0] === "inherent" ? t("før foranstaltninger", "before measures") : parts[0] === "residual" ? t("efter foranstaltninger", "after measures") : null;
  if (phase && parts.length >= 2 && (DIMENSIONS.keys as string[]).includes(parts[1])) {
    const dim = DIMENSIONS(parts[1] as Dimension);
    const what: Record<string, string> = {
      consequence: t("konsekvens", "consequence"),
      likelihood: t("sandsynlighed", "likelihood"),
      consequence_reason: t("begrundelse for konsekvensen", "reason for the consequence"),
      likelihood_reason: t("begrundelse for sandsynligheden", "reason for the likelihood"),
    };
    return parts.length === 2 ? `${dim} ${phase}` : `${what[parts[2]] ?? parts[2]}, ${dim} ${phase}`;
  }
  const root = sectionOf(path);
  if (root !== null) {
    const section = SECTIONS[root];
    if (path === root) return section.name();
    const [first, ...rest] = path.slice(root.length + 1).split(".");
    const part = section.parts[first];
    const more = rest.join(".");
    const detail = more === "" ? "" : ` – ${more === "reason" ? t("begrundelse", "reason") : more}`;
    return `${section.name()}: ${part ? part() : first}${detail}`;
  }
  const named: Record<string, string> = { title: t("titel", "title"), description: t("beskrivelse", "description"), threat: t("trussel", "threat"), name: t("navn", "name"), acceptance: t("accept", "acceptance") };
  return named[path] ?? path;
}

/** The description's parts a comment (and a «forslag» of text) can be about, as the
 *  Description view names them. */
export const DESCRIPTION_PARTS: Record<string, () => string> = {
  summary: () => t("sammenfatning", "summary"),
  scope: () => t("afgrænsning", "scope"),
  retention: () => t("opbevaring og sletning", "retention and erasure"),
  new_technology_text: () => t("begrundelse (ny teknologi)", "reason (new technology)"),
  third_country_reason: () => t("begrundelse (tredjelande)", "reason (third countries)"),
  views_not_sought_reason: () => t("hvorfor de registreredes synspunkter ikke er indhentet", "why the data subjects' views were not sought"),
};

/** A section of the base commented as an item of its own (as the core's `hearing::SECTIONS`):
 *  its name, the parts a comment can be about, and the path (in the section) of the text a
 *  «forslag» on a part proposes. */
export interface CommentedSection {
  name: () => string;
  parts: Record<string, () => string>;
  text: (part: string) => string;
}

export const SECTIONS: Record<string, CommentedSection> = {
  description: { name: () => t("beskrivelsen", "the description"), parts: DESCRIPTION_PARTS, text: (part) => part },
  wp248: {
    name: () => t("WP248-screeningen", "the WP248 screening"),
    parts: Object.fromEntries(WP248_CRITERIA.keys.map((c) => [c, () => WP248_CRITERIA(c)])),
    text: (criterion) => `${criterion}.reason`,
  },
  prior_consultation: {
    name: () => t("den forudgående høring", "the prior consultation"),
    parts: { reason: () => t("begrundelse", "reason"), outcome: () => t("resultat", "outcome") },
    text: (part) => part,
  },
  review_plan: {
    name: () => t("planen for revision", "the review plan"),
    parts: { triggers: () => t("hvad der udløser en tidligere revision", "what triggers an earlier review") },
    text: (part) => part,
  },
};

/** What a thread is about, in words: «R6 · fortrolighed før foranstaltninger», «udgivelse 2025.1». */
export function targetText(target: ThreadView["target"]): string {
  if (targetsSection(target)) return fieldLabel(target.field);
  if (target.item === null) return target.release !== null ? t(`udgivelse ${target.release}`, `release ${target.release}`) : t("hele analysen", "the whole DPIA");
  const what = target.reference || target.label;
  const where = target.supplement !== null ? t(`tillæg ${target.supplement}: `, `supplement ${target.supplement}: `) : "";
  return `${where}${what}${target.field ? ` · ${fieldLabel(target.field)}` : ""}`;
}

/** A proposed or current value in words: a rating's step by its Danish word, text as text. */
export function valueText(path: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") {
    if (path.endsWith(".consequence") && (CONSEQUENCE.keys as string[]).includes(value)) return CONSEQUENCE(value as never);
    if (path.endsWith(".likelihood") && (LIKELIHOOD.keys as string[]).includes(value)) return LIKELIHOOD(value as never);
    return value;
  }
  return JSON.stringify(value);
}

export const VERDICTS = ["agrees", "agrees_with_remarks", "cannot_agree"] as const;
export type VerdictKey = (typeof VERDICTS)[number];
export function verdictWord(v: string): string {
  switch (v) {
    case "agrees": return t("tiltræder", "agrees");
    case "agrees_with_remarks": return t("tiltræder med bemærkninger", "agrees with remarks");
    case "cannot_agree": return t("kan ikke tiltræde", "cannot agree");
    default: return v;
  }
}

export const OUTCOMES = ["taken_into_account", "partly", "not_taken"] as const;
export type OutcomeKey = (typeof OUTCOMES)[number];
export function outcomeWord(o: string): string {
  switch (o) {
    case "taken_into_account": return t("indarbejdet", "taken into account");
    case "partly": return t("delvist indarbejdet", "partly taken into account");
    case "not_taken": return t("ikke indarbejdet", "not taken into account");
    default: return o;
  }
}

/** Who wrote a comment, by the participants' names: «København (101)», «Koordinatoren». */
export function partyName(by: string, participants: readonly { code: number | null; name: string }[]): string {
  if (by === "coordinator") return t("Koordinatoren", "The coordinator");
  const p = participants.find((x) => String(x.code) === by);
  return p ? `${p.name} (${by})` : by;
}
