/// <reference types="node" />
// The browser side of the UI tests: ui/dist served on loopback with the app's own content
// security policy, Debian's Chromium driven by playwright-core, the mocked backend (mock.ts)
// bundled and run before the app, axe-core, and screenshots.

import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { CALLS_GLOBAL, FIXTURES_GLOBAL, OPTIONS_GLOBAL, type Call, type Fixtures, type MockOptions } from "./fixtures";

export const UI = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ROOT = resolve(UI, "..");
const DIST = join(UI, "dist");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const FIXTURES = resolve(process.env.KONSEKVENS_UI_FIXTURES ?? join(ROOT, "target/ui-fixtures/fixtures.json"));
export const SCREENSHOTS = resolve(process.env.KONSEKVENS_UI_SCREENSHOTS ?? join(ROOT, "target/ui-screenshots"));
/** The app's window size (src-tauri/tauri.conf.json). */
export const VIEWPORT = { width: 1280, height: 860 };

// Chromium on a machine without network: no background connections, no first-run, no GPU.
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
];

export async function loadFixtures(): Promise<Fixtures> {
  const text = await readFile(FIXTURES, "utf8").catch(() => {
    throw new Error(`${FIXTURES} is missing: \`cargo test -p konsekvens-e2e --test app_ui\` writes it from the sample`);
  });
  return JSON.parse(text) as Fixtures;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".png": "image/png",
  ".svg": "image/svg+xml", ".ico": "image/x-icon", ".woff2": "font/woff2", ".json": "application/json",
};

/** The content security policy the app runs under (tauri.conf.json → app.security.csp). */
async function appCsp(): Promise<string> {
  const conf = JSON.parse(await readFile(join(ROOT, "src-tauri/tauri.conf.json"), "utf8")) as { app?: { security?: { csp?: string } } };
  return conf.app?.security?.csp ?? "";
}

/** Serves ui/dist on 127.0.0.1 (a free port), as the webview loads it. */
export async function serveDist(): Promise<{ url: string; close: () => Promise<void> }> {
  const csp = await appCsp();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(DIST, path === "/" ? "index.html" : path));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-security-policy": csp }).end(body),
      () => res.writeHead(404).end(`not found: ${path}`),
    );
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** mock.ts and what it imports as one classic script. */
export async function bundleMock(): Promise<string> {
  const result = await build({
    configFile: false,
    root: UI,
    logLevel: "warn",
    publicDir: false,
    build: {
      write: false,
      minify: false,
      target: "es2022",
      lib: { entry: join(UI, "tests/ui/mock.ts"), formats: ["iife"], name: "KonsekvensMock", fileName: "mock" },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const o of outputs) {
    if ("output" in o) {
      const chunk = o.output.find((c) => c.type === "chunk");
      if (chunk && chunk.type === "chunk") return chunk.code;
    }
  }
  throw new Error("vite produced no bundle of tests/ui/mock.ts");
}

/** A fresh Chromium profile in a temporary directory. */
export async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "konsekvens-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: VIEWPORT,
    locale: "da-DK",
    timezoneId: "Europe/Copenhagen",
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page of the app on the mocked backend, with what went wrong in it collected. */
export interface AppPage {
  page: Page;
  /** Uncaught exceptions and console errors. */
  errors: string[];
  calls(): Promise<Call[]>;
}

export async function openApp(context: BrowserContext, url: string, fixtures: Fixtures, mock: string, options: MockOptions = {}): Promise<AppPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript({ content: `window[${JSON.stringify(FIXTURES_GLOBAL)}] = ${JSON.stringify(fixtures)};\nwindow[${JSON.stringify(OPTIONS_GLOBAL)}] = ${JSON.stringify(options)};` });
  await page.addInitScript({ content: mock });
  await page.goto(url);
  return {
    page,
    errors,
    calls: () => page.evaluate((key) => (window as unknown as Record<string, Call[]>)[key], CALLS_GLOBAL),
  };
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | null = null;

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the DevTools protocol: the app's CSP (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(await axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`) }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).join("\n    ")}`);
}

/** Saves what the window shows as SCREENSHOTS/<name>.png, after the layout has settled. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
