// Starts the workbench: settings, the update subscription, the open workspace; global
// keyboard shortcuts for undo and redo.

import "./style.css";
import { effect } from "@preact/signals";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { render } from "preact";
import { App } from "./App";
import { t } from "./i18n";
import { baseName, boot, fail, opened, scope, undo, view } from "./state";
import { commands, inTauri } from "./api";
import { sync } from "./views/Collaborate";
import { writingIn } from "./hearing";

/** Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y undo the user's last durable step, wherever it was;
 *  inside a plain text field the browser's own undo of the typing in progress comes first. */
function shortcuts(e: KeyboardEvent) {
  if (!(e.ctrlKey || e.metaKey) || !opened.value) return;
  const key = e.key.toLowerCase();
  const redo = (key === "z" && e.shiftKey) || key === "y";
  if (key !== "z" && !redo) return;
  const el = document.activeElement;
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return;
  e.preventDefault();
  e.stopPropagation();
  void undo(redo);
}

document.addEventListener("keydown", shortcuts, true);

// The window title says whose DPIA is shown (scripts/screenshot waits for it).
effect(() => {
  const o = opened.value;
  const code = scope.value;
  const who = !o ? "" : code === null ? baseName(o) : (o.participants.find((p) => p.code === code)?.name ?? "");
  const title = o ? `Konsekvens — ${who}` : "Konsekvens";
  document.title = title;
  if (inTauri()) getCurrentWindow().setTitle(title).catch(() => {});
});

// Presence: the others see which part of the DPIA the user is in.
effect(() => {
  // In a thread (or a new comment) of the høring: there; otherwise the view.
  const where = writingIn.value ? `høring:${writingIn.value}` : view.value;
  if (inTauri() && sync.value.hub && sync.value.state !== "stopped") void commands.setPresence(where).catch(() => {});
});

render(<App />, document.getElementById("app")!);

if (inTauri()) {
  void boot();
} else {
  fail(t("Siden kører uden for Konsekvens-appen, så der er ingen data. Start appen med scripts/open-sample.", "The page runs outside the Konsekvens app, so there is no data. Start the app with scripts/open-sample."));
}
