// The app's commands (generated bindings in ./bindings) with errors turned into exceptions
// carrying the core's message, and the raw-byte calls for the Yjs mirrors.

import { invoke } from "@tauri-apps/api/core";
import { commands } from "./bindings";
import type { Change, Step } from "./bindings";

/** Running inside the Tauri webview (not a plain browser). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export class CommandError extends Error {}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: string };

/** Awaits a generated command and returns its data, or throws its error text. */
export async function call<T>(result: Promise<Result<T>>): Promise<T> {
  const r = await result;
  if (r.status === "error") throw new CommandError(r.error);
  return r.data;
}

export function message(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  return JSON.stringify(e);
}

export { commands };

const DOC_HEADER = "konsekvens-doc";

/** A document's whole state as one Yjs update. */
export async function docState(doc: string): Promise<Uint8Array> {
  const bytes = await invoke<ArrayBuffer>("doc_state", {}, { headers: { [DOC_HEADER]: doc } });
  return new Uint8Array(bytes);
}

/** Sends an update typed in the webview; Rust applies it as the user's own edit. */
export async function applyDocUpdate(doc: string, update: Uint8Array): Promise<void> {
  await invoke("apply_doc_update", update, { headers: { [DOC_HEADER]: doc } });
}

/**
 * `changes` (from the `refresh` command) applied to `value` without touching it: every
 * object and array on a changed path is copied, everything else is shared, so a view whose
 * part of the data did not change keeps the same object and does not redraw.
 */
export function applyChanges<T>(value: T, changes: readonly Change[]): T {
  const fresh = new Set<unknown>();
  const copy = (v: unknown): unknown => {
    if (fresh.has(v) || v === null || typeof v !== "object") return v;
    const c = Array.isArray(v) ? [...v] : { ...(v as Record<string, unknown>) };
    fresh.add(c);
    return c;
  };
  type Node = Record<string | number, unknown>;
  let root = value as unknown;
  for (const change of changes) {
    if (change.path.length === 0) {
      if (change.op === "set") root = change.value;
      else if (change.op === "truncate") root = (copy(root) as unknown[]).slice(0, change.len);
      continue;
    }
    root = copy(root);
    let at = root as Node;
    const inner = change.op === "truncate" ? change.path : change.path.slice(0, -1);
    for (const step of inner) {
      const child = copy(at[step]);
      if (child === null || typeof child !== "object") throw new Error(`refresh: no object at ${change.path.join(".")}`);
      at[step] = child;
      at = child as Node;
    }
    if (change.op === "truncate") {
      (at as unknown as unknown[]).length = change.len;
      continue;
    }
    const last: Step = change.path[change.path.length - 1];
    if (change.op === "remove") delete at[last];
    else if (Array.isArray(at) && typeof last === "number" && last >= at.length) at.push(change.value);
    else at[last] = change.value;
  }
  return root as T;
}
