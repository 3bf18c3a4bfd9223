// The app's commands (generated bindings in ./bindings) with errors turned into exceptions
// carrying the error's code and its Danish and English message, and the raw-byte calls for
// the Yjs mirrors.

import { invoke } from "@tauri-apps/api/core";
import { commands, type UserError_Serialize as UserError } from "./bindings";
import { lang } from "./i18n";
import type { Change, Step } from "./bindings";

/** Running inside the Tauri webview (not a plain browser). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** A refused command: `code` to branch on, the message in the user's language. */
export class CommandError extends Error {
  readonly error: UserError;
  constructor(error: UserError) {
    super(error.da);
    this.name = "CommandError";
    this.error = error;
  }
  get code(): string {
    return this.error.code;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: UserError };

/** Awaits a generated command and returns its data, or throws its error as a CommandError. */
export async function call<T>(result: Promise<Result<T>>): Promise<T> {
  const r = await result;
  if (r.status === "error") throw new CommandError(r.error);
  return r.data;
}

/** Whether a value has the shape of the app's errors (the raw-byte commands reject with one). */
export function isUserError(e: unknown): e is UserError {
  return typeof e === "object" && e !== null && typeof (e as UserError).code === "string" && typeof (e as UserError).da === "string" && typeof (e as UserError).en === "string";
}

/** The error's stable code, if it has one. */
export function errorCode(e: unknown): string | null {
  if (e instanceof CommandError) return e.code;
  return isUserError(e) ? e.code : null;
}

/** An error's message in the chosen language. */
export function message(e: unknown): string {
  const coded = e instanceof CommandError ? e.error : isUserError(e) ? e : null;
  if (coded) return lang.value === "en" ? coded.en : coded.da;
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
