/// <reference types="node" />
// A small W3C WebDriver client for tauri-driver (which fronts WebKitWebDriver): sessions,
// elements, clicks, keys, scripts, screenshots. One keep-alive connection for every request
// — tauri-driver resets connections when a client opens one per request.

import { Agent, request } from "node:http";

/** An element reference as WebDriver returns it: one key (the spec's web element
 *  identifier) with the element's id. Passed back unchanged as a script argument. */
export type Element = Record<string, string>;

function id(el: Element): string {
  const v = Object.values(el)[0];
  if (typeof v !== "string") throw new WebDriverError(`not an element reference: ${JSON.stringify(el)}`);
  return v;
}

export const KEYS = { tab: "\uE004", enter: "\uE007", selectAll: "\uE009a", backspace: "\uE003" } as const;

export class WebDriverError extends Error {}

export class Session {
  private constructor(private readonly driver: Driver, readonly id: string) {}

  static async start(driver: Driver, capabilities: object): Promise<Session> {
    const r = (await driver.send("POST", "/session", { capabilities: { alwaysMatch: capabilities } })) as { sessionId: string };
    return new Session(driver, r.sessionId);
  }

  private send(method: string, path: string, body?: object): Promise<unknown> {
    return this.driver.send(method, `/session/${this.id}${path}`, body);
  }

  title(): Promise<string> {
    return this.send("GET", "/title") as Promise<string>;
  }

  /** Runs `script` (a function body: `arguments`, `return`) in the page. */
  execute<T>(script: string, ...args: unknown[]): Promise<T> {
    return this.send("POST", "/execute/sync", { script, args }) as Promise<T>;
  }

  /** Runs an asynchronous script: it ends by calling `arguments[arguments.length - 1]`. */
  executeAsync<T>(script: string, ...args: unknown[]): Promise<T> {
    return this.send("POST", "/execute/async", { script, args }) as Promise<T>;
  }

  async find(css: string): Promise<Element> {
    return (await this.send("POST", "/element", { using: "css selector", value: css })) as Element;
  }

  async click(el: Element): Promise<void> {
    await this.send("POST", `/element/${id(el)}/click`, {});
  }

  async clear(el: Element): Promise<void> {
    await this.send("POST", `/element/${id(el)}/clear`, {});
  }

  async type(el: Element, text: string): Promise<void> {
    await this.send("POST", `/element/${id(el)}/value`, { text });
  }

  async screenshot(): Promise<Buffer> {
    return Buffer.from((await this.send("GET", "/screenshot")) as string, "base64");
  }

  async close(): Promise<void> {
    await this.driver.send("DELETE", `/session/${this.id}`);
  }
}

/** The HTTP side: one connection, JSON in and out, WebDriver errors as exceptions. */
export class Driver {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly port: number) {}

  send(method: string, path: string, body?: object): Promise<unknown> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1", port: this.port, method, path, agent: this.agent,
          headers: { "content-type": "application/json; charset=utf-8", ...(data ? { "content-length": data.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let value: unknown;
            try {
              value = (JSON.parse(text) as { value: unknown }).value;
            } catch {
              reject(new WebDriverError(`${method} ${path}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
              return;
            }
            const error = value as { error?: string; message?: string } | null;
            if ((res.statusCode ?? 500) >= 400 || (error && typeof error === "object" && "error" in error && error.error)) {
              reject(new WebDriverError(`${method} ${path}: ${error?.error}: ${error?.message}`));
            } else {
              resolve(value);
            }
          });
        },
      );
      req.on("error", (e) => reject(new WebDriverError(`${method} ${path}: ${e.message}`)));
      if (data) req.write(data);
      req.end();
    });
  }

  close() {
    this.agent.destroy();
  }
}
