/// <reference types="node" />
// What the real app's end-to-end specs share (e2e/app.spec.ts, e2e/signin.spec.ts, installed/installed.spec.ts).

import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { Driver, Session, type Element } from "./webdriver";

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => ok(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function until<T>(what: string, f: () => Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
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

/** The page's text in an element (CSS), or "" when there is none. */
export function textOf(s: Session, css: string): Promise<string> {
  return s.execute<string>("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';", css);
}

/** A button by the start of its text or by its accessible label, inside `within`. */
export function buttonOf(s: Session, label: string, within = "body"): Promise<Element> {
  return until(`the button «${label}»`, () =>
    s.execute<Element | null>(
      `const root = document.querySelector(arguments[1]);
       return root && [...root.querySelectorAll("button")].find((b) => b.textContent.trim().startsWith(arguments[0]) || b.getAttribute("aria-label") === arguments[0]) || null;`,
      label, within,
    ));
}

/** A screenshot of the window after the next two frames, as `dir/name.png`. */
export async function screenshot(s: Session, dir: string, name: string): Promise<void> {
  await s.executeAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.png`), await s.screenshot());
}

/** tauri-driver on free ports with `env`, and a session of the app started with `args`. */
export interface Started {
  session: Session;
  driver: Driver;
  tauriDriver: ChildProcess;
  /** What tauri-driver printed (the end of it). */
  log(): string;
}

export async function startApp(app: string, args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const port = await freePort();
  const nativePort = await freePort();
  let log = "";
  const tauriDriver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], { env, stdio: ["ignore", "pipe", "pipe"] });
  tauriDriver.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  tauriDriver.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const driver = new Driver(port);
  await until("tauri-driver", () => driver.send("GET", "/status").then(() => true), 30_000);
  const session = await Session.start(driver, { browserName: "wry", "tauri:options": { application: app, args } });
  return { session, driver, tauriDriver, log: () => log.slice(-4000) };
}
