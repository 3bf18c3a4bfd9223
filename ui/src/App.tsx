// The workbench: a header with whose DPIA is shown, undo/redo and the language; a navigation
// of the DPIA's parts; the part being worked on. Without an open workspace, the start screen.

import { useEffect, useLayoutEffect } from "preact/hooks";
import { call, commands } from "./api";
import { lang, t } from "./i18n";
import {
  baseName, coordination, focus, isManaged, notice, opened, refresh, report, scope, setScope, settings, switching, undo, undoState, view, type ViewId,
} from "./state";
import { Collaborate, sync } from "./views/Collaborate";
import { ThreadPanel } from "./components/Remarks";
import { UpdateNotice } from "./components/Update";
import { hearing, panel } from "./hearing";
import { lazyView, type ViewComponent } from "./lazy";
import { Overview } from "./views/Overview";
import { Start } from "./views/Start";
import type { Basis } from "./bindings";

interface NavItem {
  id: ViewId;
  label: () => string;
  /** Findings on these provisions are counted on the item. */
  basis: Basis[];
  /** Shown only for a municipality (true) or only for the base (false). */
  municipality?: boolean;
}

const NAV: NavItem[] = [
  { id: "overview", label: () => t("Overblik", "Overview"), basis: [] },
  { id: "description", label: () => t("Systematisk beskrivelse", "Systematic description"), basis: ["art_35_7_a"] },
  { id: "necessity", label: () => t("Nødvendighed og proportionalitet", "Necessity and proportionality"), basis: ["art_35_7_b"] },
  { id: "wp248", label: () => t("WP248-screening", "WP248 screening"), basis: ["wp248"] },
  { id: "risks", label: () => t("Risici", "Risks"), basis: ["art_35_7_c"] },
  { id: "measures", label: () => t("Foranstaltninger og sporbarhed", "Measures and traceability"), basis: ["art_35_7_d", "art_24_1"] },
  { id: "supplement", label: () => t("Mit tillæg", "My supplement"), basis: ["joint_dpia"], municipality: true },
  { id: "governance", label: () => t("DPO, revision og art. 36", "DPO, review and Art. 36"), basis: ["art_35_2", "art_35_11", "art_36"] },
  { id: "versions", label: () => t("Versioner og historik", "Versions and history"), basis: ["art_5_2"] },
  { id: "coordinator", label: () => t("Koordinatorens overblik", "Coordinator's overview"), basis: [], municipality: false },
  { id: "hearing", label: () => t("Høring", "Consultation"), basis: [] },
  { id: "import", label: () => t("Import", "Import"), basis: [] },
  { id: "export", label: () => t("Eksport og underskrift", "Export and signing"), basis: [] },
  { id: "collaborate", label: () => t("Samarbejde via hub", "Co-editing via hub"), basis: [] },
];

/** The overview (where the workbench opens) and the hub's view (its module holds the sync
 *  state the header and navigation show) are loaded with the page; every other view when it
 *  is first shown (lazy.tsx: their code is not parsed while the app idles on the overview). */
const VIEWS: Record<ViewId, ViewComponent> = {
  overview: Overview,
  description: lazyView(() => import("./views/Description").then((m) => m.Description)),
  necessity: lazyView(() => import("./views/Necessity").then((m) => m.Necessity)),
  wp248: lazyView(() => import("./views/Wp248").then((m) => m.Wp248)),
  risks: lazyView(() => import("./views/Risks").then((m) => m.Risks)),
  measures: lazyView(() => import("./views/Measures").then((m) => m.Measures)),
  supplement: lazyView(() => import("./views/Supplement").then((m) => m.Supplement)),
  governance: lazyView(() => import("./views/Governance").then((m) => m.Governance)),
  versions: lazyView(() => import("./views/Versions").then((m) => m.Versions)),
  coordinator: lazyView(() => import("./views/Coordinator").then((m) => m.Coordinator)),
  hearing: lazyView(() => import("./views/Hearing").then((m) => m.Hearing)),
  import: lazyView(() => import("./views/Import").then((m) => m.Import)),
  export: lazyView(() => import("./views/Export").then((m) => m.Export)),
  collaborate: Collaborate,
};

function errorsOn(basis: Basis[]): number {
  return report.value?.findings.filter((f) => f.severity === "error" && basis.includes(f.basis)).length ?? 0;
}

function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join("");
}

function windowTitle(): string {
  const o = opened.value;
  if (!o) return "Konsekvens";
  const who = scope.value === null ? baseName(o) : (o.participants.find((p) => p.code === scope.value)?.name ?? "");
  return `Konsekvens — ${who}`;
}

function Header() {
  const o = opened.value!;
  const c = coordination.value;
  const participants = c?.participants ?? o.participants;
  return (
    <header class="app-head">
      <div class="brand">
        <img src="./icon.png" alt="" width="36" height="36" />
        <div>
          <p class="app-name">Konsekvens</p>
          <p class="dpia-title">{o.title}</p>
        </div>
      </div>
      <div class="head-tools">
        <label class="scope">
          <span>{t("Vis konsekvensanalysen for", "Show the DPIA of")}</span>
          <select value={scope.value === null ? "base" : String(scope.value)} onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            setScope(v === "base" ? null : Number(v));
          }}>
            {participants.filter((p) => p.code !== null).map((p) => (
              <option value={String(p.code)}>{p.name} ({p.code})</option>
            ))}
            <option value="base">{t("Fælles basis (uden tillæg)", "Joint base (no supplement)")}</option>
          </select>
        </label>
        <div class="undo" role="group" aria-label={t("Fortryd", "Undo")}>
          <button type="button" disabled={!undoState.value.can_undo} onClick={() => void undo()} title="Ctrl+Z">{t("Fortryd", "Undo")}</button>
          <button type="button" disabled={!undoState.value.can_redo} onClick={() => void undo(true)} title="Ctrl+Shift+Z">{t("Gentag", "Redo")}</button>
        </div>
        <div class="lang" role="group" aria-label={t("Sprog", "Language")}>
          {(["da", "en"] as const).map((l) => (
            <button type="button" aria-pressed={lang.value === l} disabled={isManaged("language")} title={isManaged("language") ? t("Fastlagt af din organisations politik", "Set by your organisation's policy") : undefined} onClick={() => {
              lang.value = l;
              const s = settings.value;
              if (s) void call(commands.saveSettings(s.user_name, s.org, l)).then((n) => (settings.value = n));
            }}>{l.toUpperCase()}</button>
          ))}
        </div>
      </div>
    </header>
  );
}

function Nav() {
  const isMunicipality = scope.value !== null;
  return (
    <nav class="side" aria-label={t("Dele af konsekvensanalysen", "Parts of the DPIA")}>
      <ul>
        {NAV.filter((n) => n.municipality === undefined || n.municipality === isMunicipality).map((n) => {
          const errors = errorsOn(n.basis);
          const open = n.id === "hearing" ? (hearing.value?.threads.filter((x) => !x.resolved).length ?? 0) : 0;
          const here = sync.value.peers.filter((p) => p.section === n.id);
          return (
            <li>
              <button type="button" class="nav-item" aria-current={view.value === n.id ? "page" : undefined} onClick={() => { focus.value = null; view.value = n.id; }}>
                <span>{n.label()}</span>
                {here.length > 0 && (
                  <span class="peers" aria-label={t(`Her nu: ${here.map((p) => p.name).join(", ")}`, `Here now: ${here.map((p) => p.name).join(", ")}`)} title={here.map((p) => `${p.name}${p.org ? ` (${p.org})` : ""}`).join(", ")}>
                    {here.map((p) => <span class="peer" aria-hidden="true">{initials(p.name)}</span>)}
                  </span>
                )}
                {errors > 0 && <span class="nav-count" aria-label={t(`${errors} fejl`, `${errors} errors`)}>{errors}</span>}
                {open > 0 && <span class="nav-count comments" aria-label={t(`${open} åbne bemærkninger`, `${open} open comments`)}>{open}</span>}
              </button>
            </li>
          );
        })}
      </ul>
      <p class="nav-foot">
        <button type="button" class="link" onClick={() => { opened.value = null; }}>{t("Skift arbejdsområde", "Switch workspace")}</button>
      </p>
    </nav>
  );
}

function Notice() {
  const n = notice.value;
  if (!n) return null;
  return (
    <div class={`notice notice-${n.kind}`} role={n.kind === "error" ? "alert" : "status"}>
      <span>{n.kind === "error" ? t("Fejl: ", "Error: ") : ""}{n.text}</span>
      <button type="button" class="link" onClick={() => (notice.value = null)}>{t("Luk", "Close")}</button>
    </div>
  );
}

export function App() {
  const title = windowTitle();
  useEffect(() => {
    document.title = title;
    document.documentElement.lang = lang.value;
  }, [title, lang.value]);
  useEffect(() => {
    if (opened.value) void refresh();
  }, [lang.value]);
  // A new view starts at its top, unless it was opened to show an item (which scrolls to it).
  // Before the browser paints (a layout effect): scrolled after the paint, the page jumped
  // under a click already aimed at the new view — the end-to-end test's click on
  // «+ Risiko» now and then landed on a row of the register instead.
  useLayoutEffect(() => {
    if (!focus.value) window.scrollTo(0, 0);
  }, [view.value]);
  if (!opened.value) {
    return (
      <>
        <Notice />
        <UpdateNotice />
        <Start />
      </>
    );
  }
  const View = VIEWS[view.value];
  return (
    <>
      <a class="skip" href="#indhold">{t("Spring til indholdet", "Skip to content")}</a>
      <Header />
      <Notice />
      <UpdateNotice />
      <div class={`layout${panel.value ? " with-panel" : ""}`}>
        <Nav />
        <main id="indhold" tabIndex={-1} aria-busy={switching.value}>
          {switching.value ? <p aria-busy="true">{t("Indlæser …", "Loading …")}</p> : <View />}
        </main>
        <ThreadPanel />
      </div>
    </>
  );
}
