// The app's backend, mocked in the page: `mockIPC` from @tauri-apps/api/mocks answers every
// command the views call with the fixtures (real data from the sample, see fixtures.ts).
// Bundled as a classic script and run before the app (playwright's addInitScript), so the
// app finds `__TAURI_INTERNALS__` and boots as it does in the webview.
//
// Edits are recorded in `window.__konsekvensCalls` and answered as Rust answers them; the
// data does not change (the end-to-end test against the real app covers that). A command
// without an answer fails loudly: the app shows its error, and the test fails on it.

import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type { SyncStatus_Serialize as SyncStatus, UserError_Serialize as UserError } from "../../src/bindings";
import type { Opened, Progress, Settings, UndoState } from "../../src/model";
import { CALLS_GLOBAL, FIXTURES_GLOBAL, OPTIONS_GLOBAL, type Call, type Fixtures, type MockOptions, type ScopeFixture } from "./fixtures";

type Args = Record<string, unknown>;
type Internals = {
  invoke: (cmd: string, args?: unknown, options?: { headers?: Record<string, string> }) => Promise<unknown>;
  runCallback: (id: number, data: unknown) => void;
};

const page = window as unknown as Record<string, unknown>;
const fx = page[FIXTURES_GLOBAL] as Fixtures;
const options = (page[OPTIONS_GLOBAL] ?? {}) as MockOptions;
const calls: Call[] = [];
page[CALLS_GLOBAL] = calls;

let isOpen = !options.start;
let settings: Settings = {
  user_name: "Mette Holm",
  org: fx.scenario.org,
  language: options.language ?? "da",
  recent: [{ path: fx.path, title: fx.title }],
  tsa: "",
  signature_level: "",
  update_check: null,
  policy: { hub: null, dpia: null, org: null, language: null, tsa: null, update_check: null, offer_sample: null, signin_issuer: null, signin_client_id: null },
  managed: [],
  policy_error: null,
  signin_issuer: "",
  signin_client_id: "",
  signed_in: null,
};
const opened: Opened = {
  path: fx.path,
  created: false,
  title: fx.title,
  coordinator: fx.coordination.coordinator,
  participants: fx.coordination.participants,
  releases: fx.coordination.releases.map((r) => r.name),
};
const undo: UndoState = { can_undo: true, can_redo: false, changed: null };
const sync: SyncStatus = { state: "disconnected", hub: null, pending: 0, detail: "", error: null, last_in_sync: null, peers: [] };

/** Command errors reach the webview as a UserError (code, Danish, English), as from Rust. */
function refuse(text: string): never {
  const error: UserError = { code: "K-MOCK", da: text, en: text, item: null };
  throw error;
}

function scope(org: unknown): ScopeFixture {
  const key = org === null || org === undefined ? "base" : String(org);
  return fx.scopes[key] ?? refuse(`Kommune ${key} deltager ikke i den fælles konsekvensanalyse`);
}

function bytes(hex: string): ArrayBuffer {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out.buffer;
}

let created = 0;
let generation = 0;
let shown: { generation: number; org: number | null } | null = null;
const ANSWERS: Record<string, (a: Args) => unknown> = {
  settings: () => settings,
  save_settings: (a) => (settings = { ...settings, user_name: String(a.userName), org: a.org as number | null, language: a.language === "en" ? "en" : "da" }),
  save_signing: (a) => (settings = { ...settings, tsa: String(a.tsa), signature_level: String(a.level) }),
  recent_files: () => settings.recent,
  current: () => (isOpen ? opened : null),
  open_sample: () => ((isOpen = true), opened),
  open_workspace: (a) => (a.path === fx.path ? ((isOpen = true), opened) : refuse(`${String(a.path)}: filen findes ikke`)),
  participants: () => fx.coordination.participants,
  subscribe_docs: () => null,
  effective: (a) => scope(a.org).effective,
  check: (a) => scope(a.org).check,
  coordination: () => fx.coordination,
  supplement: (a) => scope(a.org).supplement ?? refuse("fælles basis har intet tillæg"),
  overview: () => fx.overview,
  // A supplier sheet with a title block: its header found at row 6, movable by the user.
  sheet_open: (a) => {
    const row = typeof a.headerRow === "number" ? a.headerRow : 6;
    return {
      file: String(a.file),
      sheets: ["Forside", "Beskeder"],
      sheet: "Beskeder",
      columns: [{ name: "Ref.", values: ["t1"] }, { name: "Trussel", values: [] }, { name: "Konsekvens", values: ["ødelæggende"] }, { name: "Sandsynlighed", values: ["forventet"] }],
      mapping: { format: "konsekvens/sheet-mapping", version: 1, header_row: row, columns: { reference: "Ref.", title: "Trussel", consequence: "Konsekvens", likelihood: "Sandsynlighed" }, consequence_words: {}, likelihood_words: {} },
      origin: "proposed",
      notes: [],
      header_row: row,
      last_header_row: 12,
      preview: `Ark «Beskeder»\nOverskriftsrække: ${row} (${row === 6 ? "fundet ud fra, hvad kolonnerne betyder" : "valgt"})\n\nDe første trusler, som de importeres (1 i alt):\n  T1 (række ${row + 1}) «Besked sendt til forkert modtager»`,
    };
  },
  history: (a) => {
    if (a.item) return refuse("historik for ét element er ikke i testdata");
    // A page, newest first, as the core's log_page answers.
    const limit = Number(a.limit ?? 50);
    const older = scope(a.org).history.filter((e) => a.before == null || e.seq < Number(a.before)).reverse();
    const entries = older.slice(0, limit);
    return { entries, next_before: older.length > limit ? entries[entries.length - 1].seq : null };
  },
  compare: (a) => scope(a.org).compare[`${String(a.from)}|${String(a.to)}`] ?? refuse(`sammenligningen ${String(a.from)} → ${String(a.to)} er ikke i testdata`),
  review_status: (a) => scope(a.org).review_status,
  can_undo: () => undo,
  // As Rust: the whole view first and for another scope, then the changes since the
  // generation the page holds — none here, the data does not change (what changes carry is
  // tested in src-tauri and ui/src/api.test.ts).
  refresh: (a) => {
    const s = scope(a.org);
    const org = (a.org ?? null) as number | null;
    const since = a.since as number | null;
    const held = shown !== null && shown.org === org && since === shown.generation;
    shown = { generation: ++generation, org };
    return held
      ? { generation, full: null, since, changes: [] }
      : { generation, full: { org, dpia: s.effective, report: s.check, coordination: fx.coordination, undo }, since: null, changes: [] };
  },
  undo: () => undo,
  redo: () => undo,
  put_item: () => null,
  patch_item: () => null,
  patch_section: () => null,
  set_section: () => null,
  remove_item: () => true,
  link: () => null,
  new_item: (a) => {
    created++;
    return { kind: a.kind, item: { id: `ny-${created}`, reference: `NY${created}` } };
  },
  sync_status: () => sync,
  disconnect_hub: () => sync,
  cancel_export: () => null,
  export_pdf: async (a) => {
    // Progress arrives on the channel the view passed, as Rust sends it.
    const channel = a.progress as { id: number };
    const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
    const steps: Progress[] = [{ percent: 5, step: "Beregner den gældende konsekvensanalyse" }, { percent: 100, step: "Færdig" }];
    steps.forEach((message, index) => internals.runCallback(channel.id, { index, message }));
    return { path: a.out, bytes: 245_760 };
  },
  public_summary_withheld: () => [
    {
      category: "Trusselsbeskrivelser",
      reason: "de beskriver, hvordan et angreb eller en fejl kan ske",
      items: [{ reference: "R1", name: "Manglende eller fejlagtig adgangskontrol", excerpt: "Adgangskontrollen virker ikke efter hensigten …" }],
    },
    {
      category: "Foranstaltningernes detaljer",
      reason: "resuméet nævner foranstaltningerne ved navn",
      items: [{ reference: "M1", name: "Rollebaseret adgangsmodel", excerpt: "Rettigheder tildeles ud fra rolle …" }],
    },
  ],
  export_public_summary: (a) => ({ path: a.out, bytes: 23_552 }),
  comment_add: () => "101/b-1",
  update_status: () => options.update ?? { state: "not_configured" },
  check_for_update: () => options.update ?? { state: "not_configured" },
  save_update_check: (a) => (settings = { ...settings, update_check: Boolean(a.enabled) }),
  open_update_download: () => null,
  "plugin:window|set_title": (a) => {
    document.documentElement.dataset.windowTitle = String(a.value);
    return null;
  },
};

mockWindows("main");
mockIPC((cmd, args) => {
  calls.push({ cmd, args });
  const answer = ANSWERS[cmd];
  if (!answer) throw new Error(`mock: no answer for the command «${cmd}» — add it to ui/tests/ui/mock.ts`);
  return answer((args ?? {}) as Args);
});

// The raw-byte commands name their document in a header, which mockIPC does not pass on.
const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
const mocked = internals.invoke;
internals.invoke = async (cmd, args, opts) => {
  const doc = opts?.headers?.["konsekvens-doc"];
  if (cmd === "doc_state") {
    calls.push({ cmd, args: doc });
    const hex = doc === undefined ? undefined : fx.docs[doc];
    return hex === undefined ? refuse(`dokumentet ${doc ?? "(uden navn)"} findes ikke`) : bytes(hex);
  }
  if (cmd === "apply_doc_update") {
    calls.push({ cmd, args: { doc, bytes: (args as Uint8Array).length } });
    return null;
  }
  return mocked(cmd, args, opts);
};
