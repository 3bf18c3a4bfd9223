// The app's commands (src-tauri/src/lib.rs). Errors arrive as strings: the core's Display text.

import { invoke } from "@tauri-apps/api/core";
import type { Base, EffectiveDpia, Opened, Participant } from "./types";

export const api = {
  openSample: () => invoke<Opened>("open_sample"),
  openWorkspace: (path: string) => invoke<Opened>("open_workspace", { path }),
  participants: () => invoke<Participant[]>("participants"),
  effective: (code: number) => invoke<EffectiveDpia>("effective", { code }),
  base: () => invoke<Base>("base"),
};

/** Running inside the Tauri webview (not a plain browser on the Vite dev server). */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export function message(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  return JSON.stringify(e);
}
