// The workbench's state: what is open, whose DPIA is shown, what the check says, and the
// actions that change it. Every edit goes straight to Rust, where it is durable at once;
// afterwards the views are refreshed from Rust, so unsaved state never exists.

import { batch, computed, signal } from "@preact/signals";
import { applyChanges, call, commands, message } from "./api";
import type { View_Serialize as View } from "./bindings";
import { mirror, onDocUpdate, onMirrorError, resetMirrors, subscribe } from "./docs";
import { KINDS } from "./catalogue";
import { lang, t } from "./i18n";
import { loadHearing } from "./hearing";
import type {
  CheckReport, Coordination, EffectiveDpia, EffectiveItems, ItemKind, Opened, SectionKind, Settings, UndoState, Value,
} from "./model";

export type ViewId =
  | "overview" | "description" | "necessity" | "wp248" | "risks" | "measures" | "supplement"
  | "governance" | "versions" | "coordinator" | "hearing" | "import" | "export" | "collaborate";

export const opened = signal<Opened | null>(null);

/** What the base alone is called: «Fælles basis» of a joint DPIA; of one controller's own
 *  DPIA (no participants, no supplements) that controller, as the core's `base_name`. */
export function baseName(o: { coordinator: string; title: string; participants: readonly unknown[] } | null): string {
  if (!o || o.participants.length > 0) return t("Fælles basis", "Joint base");
  return o.coordinator.trim() || o.title.trim() || t("Konsekvensanalyse", "DPIA");
}
export const settings = signal<Settings | null>(null);
/** Whether the system's policy file fixes this setting (`org`, `language`, `hub` …): shown as managed, not changeable. */
export const isManaged = (key: string): boolean => settings.value?.managed.includes(key) ?? false;
export const view = signal<ViewId>("overview");
/** Whose DPIA is shown: a municipality code, or null for the joint base. */
export const scope = signal<number | null>(null);
export const dpia = signal<EffectiveDpia | null>(null);
export const report = signal<CheckReport | null>(null);
/** Whose DPIA `dpia` and `report` hold (undefined before the first load). */
const loadedScope = signal<number | null | undefined>(undefined);
/** A municipality (or the base) was chosen and its DPIA is still loading: views wait rather
 *  than show the previous one's data under the new name. */
export const switching = computed(() => loadedScope.value !== scope.value);
export const coordination = signal<Coordination | null>(null);
export const undoState = signal<UndoState>({ can_undo: false, can_redo: false, changed: null });
/** The item a finding or a link asked to show (its id). */
export const focus = signal<string | null>(null);
export const notice = signal<{ kind: "error" | "info"; text: string } | null>(null);
/** Bumped on every refresh, so views holding their own data know to reload. */
export const revision = signal(0);

/** A municipality's DPIA shows the base as released (2025.1): there it cannot be edited —
 *  edits would go to the working base and not show — so it is edited in the base's own view,
 *  and the municipality deviates in its supplement. */
export const baseFrozen = computed(() => scope.value !== null && dpia.value?.release != null);

/** Words for where the released base is edited, for hints. */
export function frozenHint(): string {
  const r = dpia.value?.release?.name ?? "";
  return lang.value === "en"
    ? `This is the joint base as released (${r}). Edit the base under «Joint base» at the top — the changes go into the next release. Deviate locally under «My supplement».`
    : `Dette er fælles basis, som den er udgivet (${r}). Ret fælles basis under «Fælles basis» øverst — rettelserne kommer med i næste udgivelse. Afvig lokalt under «Mit tillæg».`;
}

/** The document a municipality's own items live in (the effective DPIA names it). */
export const supplementDoc = computed(() => dpia.value?.documents.local ?? null);

export function fail(e: unknown) {
  notice.value = { kind: "error", text: message(e) };
}

export function inform(text: string) {
  notice.value = { kind: "info", text };
}

let refreshing: Promise<void> | null = null;
let again = false;
/** The view Rust last sent, with its generation: the next refresh asks only for what
 *  changed since (a field edit: a few hundred bytes instead of the whole DPIA). */
let held: { generation: number; view: View } | null = null;

/** Reloads what the views show from Rust. Calls during a refresh fold into one more. */
export async function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        const code = scope.value;
        const since = held !== null && held.view.org === code ? held.generation : null;
        const r = await call(commands.refresh(code, since));
        let v: View;
        if (r.full) v = r.full;
        else if (held !== null && r.since === held.generation) v = applyChanges(held.view, r.changes);
        else {
          // Changes to a view this page does not hold (cannot happen in order): ask for all.
          held = null;
          again = true;
          continue;
        }
        held = { generation: r.generation, view: v };
        // Unchanged parts keep their objects, so signals holding them do not fire.
        batch(() => {
          dpia.value = v.dpia;
          report.value = v.report;
          loadedScope.value = v.org;
          coordination.value = v.coordination;
          if (!sameUndo(undoState.value, v.undo)) undoState.value = v.undo;
          revision.value++;
        });
        // The høring's threads and rounds, read as the user (its counts beside every item).
        await loadHearing();
      } catch (e) {
        held = null;
        fail(e);
      }
    } while (again);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

function sameUndo(a: UndoState, b: UndoState): boolean {
  return a.can_undo === b.can_undo && a.can_redo === b.can_redo && a.changed === b.changed;
}

let pending: ReturnType<typeof setTimeout> | null = null;
/** A refresh soon, after a burst of updates (typing) has settled. */
export function refreshSoon(ms = 250) {
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = null;
    void refresh();
  }, ms);
}

/** Runs an edit and refreshes; an error is shown and nothing is lost (Rust reloads). */
export async function edit<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await f();
    await refresh();
    return result;
  } catch (e) {
    fail(e);
    await refresh();
    return undefined;
  }
}

export const patchItem = (doc: string, kind: ItemKind, id: string, patch: Value) =>
  edit(() => call(commands.patchItem(doc, kind, id, patch)));

export const patchSection = (doc: string, section: SectionKind, patch: Value) =>
  edit(() => call(commands.patchSection(doc, section, patch)));

export async function newItem(doc: string, kind: ItemKind): Promise<string | undefined> {
  const item = await edit(() => call(commands.newItem(doc, kind)));
  return item ? ("id" in item.item ? item.item.id : undefined) : undefined;
}

export const removeItem = (doc: string, kind: ItemKind, id: string) => edit(() => call(commands.removeItem(doc, kind, id)));

export const link = (doc: string, measure: string, risk: string, linked: boolean) =>
  edit(() => call(commands.link(doc, measure, risk, linked)));

export async function undo(redo = false) {
  await edit(() => call(redo ? commands.redo() : commands.undo()));
}

/** Shows a workspace that was just opened. */
export async function show(o: Opened) {
  resetMirrors();
  const s = settings.value;
  const mine = s?.org ?? null;
  batch(() => {
    opened.value = o;
    scope.value = mine !== null && o.participants.some((p) => p.code === mine) ? mine : (o.participants.find((p) => p.code !== null)?.code ?? null);
    view.value = "overview";
    focus.value = null;
  });
  await refresh();
}

export async function open(what: () => Promise<Opened>) {
  try {
    await show(await what());
  } catch (e) {
    fail(e);
  }
}

export function setScope(code: number | null) {
  scope.value = code;
  void refresh();
}

/** Goes to the view that shows an item (the catalogue's view of the collection holding it) and
 *  focuses it. */
export function goToItem(id: string | null) {
  const items = dpia.value?.items;
  const kind = id && items ? KINDS.find((k) => k.home === "shared" && (items[k.collection as keyof EffectiveItems] as { id: string }[]).some((e) => e.id === id)) : undefined;
  const target: ViewId = kind?.view ?? "description";
  batch(() => {
    view.value = target;
    focus.value = id;
  });
}

/** Starts the app: settings, language, the update subscription, and an open workspace. */
export async function boot() {
  onMirrorError((text) => fail(text));
  try {
    const s = await commands.settings();
    settings.value = s;
    lang.value = s.language === "en" ? "en" : "da";
    await subscribe();
    onDocUpdate(() => refreshSoon());
    const current = await call(commands.current());
    if (current) await show(current);
  } catch (e) {
    fail(e);
  }
}

/** Loads the mirror of a document so rich-text fields can bind to it. */
export const ensureMirror = (doc: string) => mirror(doc);
