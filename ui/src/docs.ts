// Yjs mirrors of the Rust documents, for editing rich text in the webview: each mirror starts
// from the document's state and follows every durable update Rust pushes; what the user types
// goes back to Rust as raw updates, where it becomes a durable, undoable edit.

import { signal } from "@preact/signals";
import { Channel, invoke } from "@tauri-apps/api/core";
import type * as Y from "yjs";
import { applyDocUpdate, docState, message } from "./api";

/** Yjs, imported with the first mirror (a rich-text field shown): the workbench opens on the
 *  overview, which has none, so the page does not parse it at start (lazy.tsx). */
const yjs = () => import("yjs");

/** Origin of updates that came from Rust: never sent back. */
export const FROM_RUST = "rust";

const mirrors = new Map<string, Promise<Y.Doc>>();
let subscribed = false;
const listeners = new Set<(doc: string) => void>();
let onError: (text: string) => void = () => {};

/** `[n][name][update]` → the document's name and the update. */
export function unframe(frame: Uint8Array): { doc: string; update: Uint8Array } {
  const n = frame[0];
  return { doc: new TextDecoder().decode(frame.subarray(1, 1 + n)), update: frame.subarray(1 + n) };
}

/** Called for every durable update (local or from the hub), with the document's name. */
export function onDocUpdate(f: (doc: string) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function onMirrorError(f: (text: string) => void) {
  onError = f;
}

/** Starts receiving Rust's updates (once per page). */
export async function subscribe(): Promise<void> {
  if (subscribed) return;
  subscribed = true;
  const channel = new Channel<ArrayBuffer>();
  channel.onmessage = (data) => {
    const { doc, update } = unframe(new Uint8Array(data));
    const m = mirrors.get(doc);
    if (m) void Promise.all([yjs(), m]).then(([Y, ydoc]) => Y.applyUpdate(ydoc, update, FROM_RUST));
    for (const f of listeners) f(doc);
  };
  await invoke("subscribe_docs", { channel });
}

/** Bumped when the mirrors are dropped, so bound editors bind again. */
export const mirrorEpoch = signal(0);

/** Forgets every mirror (another workspace was opened, or a refused write was dropped). */
export function resetMirrors() {
  for (const m of mirrors.values()) void m.then((d) => d.destroy());
  mirrors.clear();
  mirrorEpoch.value++;
}

/** The mirror of a document (`base`, `supplement/101`, `coordination`), loaded once. */
export function mirror(doc: string): Promise<Y.Doc> {
  let m = mirrors.get(doc);
  if (!m) {
    m = (async () => {
      const Y = await yjs();
      const ydoc = new Y.Doc();
      Y.applyUpdate(ydoc, await docState(doc), FROM_RUST);
      ydoc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === FROM_RUST) return;
        applyDocUpdate(doc, update).catch((e) => onError(message(e)));
      });
      return ydoc;
    })();
    mirrors.set(doc, m);
    m.catch(() => mirrors.delete(doc));
  }
  return m;
}
