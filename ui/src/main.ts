// The one screen: pick a municipality (or the joint base) and read its effective DPIA.

import "./style.css";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { api, inTauri, message } from "./api";
import { baseAsEffective, renderDpia, toc } from "./render";
import type { Opened, Participant } from "./types";

const BASE = "base";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const select = $<HTMLSelectElement>("org");
const main = $<HTMLElement>("indhold");
const tocSlot = $<HTMLElement>("toc-slot");
const status = $<HTMLElement>("status");
const error = $<HTMLElement>("error");
const openForm = $<HTMLFormElement>("open-form");
const openPath = $<HTMLInputElement>("open-path");
const openSample = $<HTMLButtonElement>("open-sample");

/** The window title says what is shown — "Konsekvens — København (101)" — or that it failed;
 *  scripts/screenshot waits for it. */
function windowTitle(what: string): string {
  return `Konsekvens — ${what}`;
}

function setTitle(what: string) {
  const title = windowTitle(what);
  document.title = title;
  if (inTauri()) getCurrentWindow().setTitle(title).catch(() => {});
}

function showError(e: unknown | null) {
  if (e === null) {
    error.hidden = true;
    error.textContent = "";
  } else {
    error.hidden = false;
    error.textContent = `Fejl: ${message(e)}`;
    setTitle(`fejl: ${message(e)}`);
  }
}

export function optionLabel(p: Participant): string {
  return p.code !== null ? `${p.name} (${p.code})` : p.name;
}

function fillPicker(participants: Participant[], keep: string | null) {
  select.replaceChildren();
  for (const p of participants.filter((p) => p.code !== null)) {
    select.add(new Option(optionLabel(p), String(p.code)));
  }
  select.add(new Option("Fælles basis (uden lokalt tillæg)", BASE));
  const values = Array.from(select.options, (o) => o.value);
  select.value = keep && values.includes(keep) ? keep : values[0];
  select.disabled = false;
}

async function show(choice: string) {
  main.setAttribute("aria-busy", "true");
  try {
    const dpia =
      choice === BASE ? baseAsEffective(await api.base(), current?.coordinator ?? "") : await api.effective(Number(choice));
    main.innerHTML = renderDpia(dpia, choice === BASE).value;
    tocSlot.innerHTML = toc().value;
    showError(null);
    setTitle(choice === BASE ? "Fælles basis" : optionLabel(dpia.org));
  } catch (e) {
    showError(e);
  } finally {
    main.removeAttribute("aria-busy");
  }
}

let current: Opened | null = null;

async function opened(o: Opened) {
  current = o;
  status.textContent = `${o.created ? "Eksemplet er oprettet og åbnet" : "Åbnet"}: ${o.path}`;
  fillPicker(o.participants, select.value || null);
  await show(select.value);
}

async function open(what: () => Promise<Opened>) {
  try {
    await opened(await what());
  } catch (e) {
    showError(e);
    status.textContent = "Intet arbejdsområde er åbent.";
  }
}

select.addEventListener("change", () => void show(select.value));
openForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const path = openPath.value.trim();
  if (path) void open(() => api.openWorkspace(path));
  else openPath.focus();
});
openSample.addEventListener("click", () => void open(api.openSample));

if (inTauri()) {
  void open(api.openSample);
} else {
  status.textContent = "Ikke forbundet.";
  showError("Siden kører uden for Konsekvens-appen, så der er ingen data at vise. Start appen med scripts/open-sample.");
}
