/// <reference types="node" />
// The app as the Debian package installs it (/usr/bin/konsekvens-app), on its first start in
// a fresh home directory, with the organisation's policy file in /etc/konsekvens/policy.ini
// (written by tests/app/installed.rs: hub, joint DPIA, municipality 561 Esbjerg, Danish).
// tauri-driver + WebKitWebDriver drive it under Xvfb: the start screen shows the municipality
// and the hub as managed (read-only, «Fastlagt af din organisations politik»), the sample
// opens on Esbjerg's overview — the municipality the policy set — and the language cannot be
// switched. Screenshots: $KONSEKVENS_SCREENSHOTS/installed-*.png.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { screenshot, startApp, textOf, until, type Started } from "../e2e/harness";
import { Session } from "../e2e/webdriver";

const UI = resolve(import.meta.dirname, "../..");
const APP = process.env.KONSEKVENS_APP ?? "/usr/bin/konsekvens-app";
const SHOTS = resolve(process.env.KONSEKVENS_SCREENSHOTS ?? join(UI, "../target/screenshots"));
const DIR = process.env.KONSEKVENS_E2E_DIR ?? "";
/** What the policy file sets (tests/app/installed.rs writes it). */
const HUB = process.env.KONSEKVENS_POLICY_HUB ?? "";
const DPIA = process.env.KONSEKVENS_POLICY_DPIA ?? "";
const ORG = process.env.KONSEKVENS_POLICY_ORG ?? "";
const MANAGED = "Fastlagt af din organisations politik";

let app: Started | null = null;
let s: Session;



/** The page's text in an element (CSS), or "" when there is none. */
function text(css: string): Promise<string> {
  return textOf(s, css);
}

/** A form control by its label's exact text: its value, whether it can be changed, and the
 *  hint the page shows for it (aria-describedby, or the field's `.hint`). */
type Control = { value: string; disabled: boolean; readOnly: boolean; hint: string };
function control(label: string): Promise<Control | null> {
  return s.execute<Control | null>(
    `const l = [...document.querySelectorAll("label")].find((l) => l.textContent.trim() === arguments[0]);
     const c = l && (l.htmlFor ? document.getElementById(l.htmlFor) : l.querySelector("input, select, textarea"));
     if (!c) return null;
     const described = (c.getAttribute("aria-describedby") || "").split(" ").filter(Boolean).map((id) => document.getElementById(id)).filter(Boolean);
     const field = c.closest(".field");
     const hint = described.length ? described.map((e) => e.textContent.trim()).join(" ") : ((field && field.querySelector(".hint")) ? field.querySelector(".hint").textContent.trim() : "");
     return { value: c.value, disabled: c.disabled, readOnly: c.readOnly, hint };`,
    label,
  );
}

function shot(name: string): Promise<void> {
  return screenshot(s, SHOTS, name);
}

beforeAll(async () => {
  for (const [what, ok] of [["KONSEKVENS_E2E_DIR (set by tests/app/installed.rs)", DIR !== "" && existsSync(DIR)], [APP, existsSync(APP)], ["the policy's values (KONSEKVENS_POLICY_*)", HUB !== "" && DPIA !== "" && ORG !== ""]] as const) {
    if (!ok) throw new Error(`missing: ${what}`);
  }
  // A first start: a home directory without settings or a sample.
  const home = join(DIR, "home");
  await mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share"), XDG_CACHE_HOME: join(home, ".cache"), USER: "Åse Bøgh (installeret)" };
  delete env.KONSEKVENS_POLICY; // the app must find the policy where the system keeps it
  delete env.KONSEKVENS_WORKSPACE;
  // No arguments: the installed app starts as the desktop entry starts it.
  app = await startApp(APP, [], env);
  s = app.session;
});

afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && s) await shot(`installed-failed-${task.name.replace(/[^a-zA-Z0-9æøåÆØÅ]+/g, "-").slice(0, 60)}`).catch(() => {});
});

afterAll(async () => {
  await s?.close().catch(() => {});
  app?.driver.close();
  app?.tauriDriver.kill();
  if (app?.log().trim()) console.log(`--- tauri-driver ---\n${app.log()}`);
});

describe("the installed app with the organisation's policy", () => {
  test("the start screen shows the municipality and the hub as managed", async () => {
    const org = await until("the municipality's field", () => control("Din kommunes kode (tom for KL/KOMBIT)"), 90_000);
    expect(org.value).toBe(ORG);
    expect(org.disabled, "the policy's municipality can be changed in the app").toBe(true);
    expect(org.hint).toBe(MANAGED);
    const hub = await until("the hub's field", () => control("Hubbens adresse med analysens id"));
    expect(hub.value).toBe(`${HUB}/dpia/${DPIA}`);
    expect(hub.readOnly, "the policy's hub can be changed in the app").toBe(true);
    expect(hub.hint).toBe(MANAGED);
    expect(await text("[role=alert]"), "the policy file was refused").toBe("");
    await s.execute("window.scrollTo(0, 0);");
    await shot("installed-start");
  });

  test("the sample opens on the policy's municipality, and the language is fixed", async () => {
    const sample = await until("the sample button", () =>
      s.execute<Record<string, string> | null>(`return [...document.querySelectorAll("button")].find((b) => b.textContent.trim().startsWith("Åbn eksemplet")) || null;`));
    await s.click(sample);
    await until("the window title naming Esbjerg", async () => (await s.title()) === "Konsekvens — Esbjerg", 90_000);
    await until("Esbjerg's overview", async () => (await text("main h1")).includes(`Esbjerg (${ORG})`));
    expect(await text(".notice-error"), "the app shows an error").toBe("");
    const language = await s.execute<{ disabled: boolean; title: string }[]>(
      `return [...document.querySelectorAll("header .lang button")].map((b) => ({ disabled: b.disabled, title: b.title }));`);
    expect(language.length, "no language switch found").toBeGreaterThan(0);
    for (const b of language) expect(b, "the language can be switched").toEqual({ disabled: true, title: MANAGED });
    await shot("installed-overview");
  });
});
