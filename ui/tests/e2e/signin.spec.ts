/// <reference types="node" />
// «Log ind» in the real app (npm run test:e2e-signin, started by tests/app/signin.rs, which
// runs the OpenID provider and the hub and plays the browser): the app starts on the start
// screen with a policy that names the provider, signs in through the «browser» (the program
// KONSEKVENS_BROWSER names), joins the hub as the signed-in person, shows who is signed in,
// edits København's supplement and signs out. What it did goes to $KONSEKVENS_E2E_DIR/signin.json.

import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { buttonOf, screenshot, startApp, textOf, until, type Started } from "./harness";
import { KEYS, Session, type Element } from "./webdriver";

const UI = resolve(import.meta.dirname, "../..");
const APP = resolve(process.env.KONSEKVENS_APP ?? join(UI, "../target/debug/konsekvens-app"));
const SHOTS = resolve(process.env.KONSEKVENS_SCREENSHOTS ?? join(UI, "../target/screenshots"));
const DIR = process.env.KONSEKVENS_E2E_DIR ?? "";

const done = {
  workspace: join(DIR, "kbh.konsekvens"),
  legalBasis: "Lokalt retsgrundlag skrevet af den indloggede DPO (e2e).",
  signedIn: "",
  claims: "",
  signedOut: false,
};

let app: Started | null = null;
let s: Session;

/** The page's text in an element (CSS), or "" when there is none. */
function text(css: string): Promise<string> {
  return textOf(s, css);
}

/** A button by the start of its text or by its accessible label, inside `within`. */
function button(label: string, within = "body"): Promise<Element> {
  return buttonOf(s, label, within);
}

function field(id: string): Promise<Element> {
  return until(`the field #${id}`, () => s.execute<Element | null>("return document.getElementById(arguments[0]);", id));
}

async function noError(): Promise<void> {
  expect(await text(".notice-error"), "the app shows an error").toBe("");
}

function shot(name: string): Promise<void> {
  return screenshot(s, SHOTS, name);
}

beforeAll(async () => {
  for (const [what, ok] of [["KONSEKVENS_E2E_DIR (set by tests/app/signin.rs)", DIR !== "" && existsSync(DIR)], [APP, existsSync(APP)]] as const) {
    if (!ok) throw new Error(`missing: ${what}`);
  }
  const home = join(DIR, "home");
  await mkdir(home, { recursive: true });
  // USER is what «Hvem er du?» falls back to: it must not be what the history records.
  app = await startApp(APP, [], { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share"), XDG_CACHE_HOME: join(home, ".cache"), USER: "typed-name" });
  s = app.session;
});

afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && s) await shot(`failed-signin-${task.name.replace(/[^a-zA-Z0-9æøåÆØÅ]+/g, "-").slice(0, 50)}`).catch(() => {});
});

afterAll(async () => {
  await s?.close().catch(() => {});
  app?.driver.close();
  app?.tauriDriver.kill();
  await writeFile(join(DIR, "signin.json"), JSON.stringify(done, null, 2));
  if (app?.log().trim()) console.log(`--- tauri-driver ---\n${app.log()}`);
});

describe("a DPO signs in with the municipality's identity in the real app", () => {
  test("«Log ind» on the start screen goes through the browser and shows who is signed in", async () => {
    const signIn = await until("the sign-in card", () => s.execute<Element | null>("return document.getElementById('signin');"), 90_000);
    expect(signIn).toBeTruthy();
    // The policy names the provider and the client id: shown, managed.
    expect(await s.execute<string>("return document.getElementById('signin-issuer').value;")).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s.click(await button("Log ind", "#signin"));
    // The «browser» (the test's program) signs Mette in at the provider; the loopback redirect
    // reaches the app, which checks the ID token and keeps the sign-in.
    done.signedIn = await until("the signed-in person", () => text("#signin .signed-in"), 60_000);
    done.claims = await text("#signin .signin-claims");
    await noError();
  });

  test("joins the hub as the signed-in person (no token) and syncs", async () => {
    expect(await text(".start-grid")).toContain("Du henter som Mette Holm <mette@kk.dk> (log-ind)");
    const path = await field("join-path");
    await s.click(path);
    await s.type(path, done.workspace);
    await s.click(await button("Hent og åbn"));
    await until("København's overview", async () => (await text("main h1")).includes("København (101)"), 60_000);
    await s.click(await button("Samarbejde via hub", "nav.side"));
    await until("in sync with the hub", async () => (await text(".sync-state")).startsWith("Synkroniseret med"), 60_000);
    await noError();
    await shot("signin-settings");
  });

  test("when the ID token expires the hub closes the connection and the app renews the sign-in", async () => {
    await until("the hub to close the connection at expiry", async () => existsSync(join(DIR, "expired")), 60_000);
    await until("in sync again", async () => (await text(".sync-state")).startsWith("Synkroniseret med"), 60_000);
    await until("the renewed sign-in", async () => (await text("#signin .signin-claims")).includes("Gyldigt til"));
    await noError();
  });

  test("an edit is recorded as the signed-in person and reaches the hub", async () => {
    await s.click(await button("Systematisk beskrivelse", "nav.side"));
    const el = await until("the local legal basis", () =>
      s.execute<Element | null>(`const l = [...document.querySelectorAll("main label")].find((l) => l.textContent.trim() === "Lokalt supplerende retsgrundlag"); return l ? (l.htmlFor ? document.getElementById(l.htmlFor) : l.querySelector("textarea, input")) : null;`));
    await s.click(el);
    await s.clear(el);
    await s.type(el, done.legalBasis);
    await s.type(el, KEYS.tab);
    // tests/app/signin.rs writes «seen» once the hub's log has the edit under her name.
    await until("the hub to log the edit", async () => existsSync(join(DIR, "seen")), 60_000);
    await noError();
  });

  test("«Log ud» forgets the sign-in", async () => {
    await s.click(await button("Samarbejde via hub", "nav.side"));
    await s.click(await button("Log ud", "#signin"));
    await until("the sign-in form again", async () => (await text("#signin")).includes("Log-ind-udbyder"));
    await until("the sync that used it stopped", async () => /^(Ikke forbundet|Synkronisering stoppet)/.test(await text(".sync-state")));
    done.signedOut = true;
    await shot("signin-signed-out");
  });
});
