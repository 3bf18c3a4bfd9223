/// <reference types="node" />
// The app as the Debian package installs it (/usr/bin/konsekvens-app), on its first start in
// a fresh home directory, with the organisation's policy file in /etc/konsekvens/policy.ini
// (written by tests/app/installed.rs: hub, joint DPIA, municipality 561 Esbjerg, Danish).
// tauri-driver + WebKitWebDriver drive it under Xvfb: the start screen shows the municipality
// and the hub as managed (read-only, «Fastlagt af din organisations politik»), the sample
// opens on Esbjerg's overview — the municipality the policy set — and the language cannot be
// switched. Screenshots: $KONSEKVENS_SCREENSHOTS/installed-*.png.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { Driver, Session } from "../e2e/webdriver";

const UI = resolve(import.meta.dirname, "../..");
const APP = process.env.KONSEKVENS_APP ?? "/usr/bin/konsekvens-app";
const SHOTS = resolve(process.env.KONSEKVENS_SCREENSHOTS ?? join(UI, "../target/screenshots"));
const DIR = process.env.KONSEKVENS_E2E_DIR ?? "";
/** What the policy file sets (tests/app/installed.rs writes it). */
const HUB = process.env.KONSEKVENS_POLICY_HUB ?? "";
const DPIA = process.env.KONSEKVENS_POLICY_DPIA ?? "";
const ORG = process.env.KONSEKVENS_POLICY_ORG ?? "";
const MANAGED = "Fastlagt af din organisations politik";

let tauriDriver: ChildProcess | null = null;
let driver: Driver;
let s: Session;
let driverLog = "";

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => ok(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function until<T>(what: string, f: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function text(css: string): Promise<string> {
  return s.execute<string>("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';", css);
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

async function shot(name: string): Promise<void> {
  await s.executeAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
  await mkdir(SHOTS, { recursive: true });
  await writeFile(join(SHOTS, `${name}.png`), await s.screenshot());
}

beforeAll(async () => {
  for (const [what, ok] of [["KONSEKVENS_E2E_DIR (set by tests/app/installed.rs)", DIR !== "" && existsSync(DIR)], [APP, existsSync(APP)], ["the policy's values (KONSEKVENS_POLICY_*)", HUB !== "" && DPIA !== "" && ORG !== ""]] as const) {
    if (!ok) throw new Error(`missing: ${what}`);
  }
  const port = await freePort();
  const nativePort = await freePort();
  // A first start: a home directory without settings or a sample.
  const home = join(DIR, "home");
  await mkdir(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share"), XDG_CACHE_HOME: join(home, ".cache"), USER: "Åse Bøgh (installeret)" };
  delete env.KONSEKVENS_POLICY; // the app must find the policy where the system keeps it
  delete env.KONSEKVENS_WORKSPACE;
  tauriDriver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], { env, stdio: ["ignore", "pipe", "pipe"] });
  tauriDriver.stdout?.on("data", (d: Buffer) => (driverLog += d.toString()));
  tauriDriver.stderr?.on("data", (d: Buffer) => (driverLog += d.toString()));
  driver = new Driver(port);
  await until("tauri-driver", () => driver.send("GET", "/status").then(() => true), 30_000);
  // No arguments: the installed app starts as the desktop entry starts it.
  s = await Session.start(driver, { browserName: "wry", "tauri:options": { application: APP, args: [] } });
});

afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && s) await shot(`installed-failed-${task.name.replace(/[^a-zA-Z0-9æøåÆØÅ]+/g, "-").slice(0, 60)}`).catch(() => {});
});

afterAll(async () => {
  await s?.close().catch(() => {});
  driver?.close();
  tauriDriver?.kill();
  if (driverLog.trim()) console.log(`--- tauri-driver ---\n${driverLog.slice(-4000)}`);
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
