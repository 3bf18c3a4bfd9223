// The app's commands (generated bindings in ./bindings) with errors turned into exceptions
// carrying the core's message, and the raw-byte calls for the Yjs mirrors.

import { invoke } from "@tauri-apps/api/core";
import { commands } from "./bindings";

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
