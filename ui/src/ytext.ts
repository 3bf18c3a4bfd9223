// Reading a mirror's shared texts (docs.ts), for the rich-text editor: a module of its own, so
// that Yjs is loaded with the editor and not with the page (docs.ts imports it when needed).

import * as Y from "yjs";

/** The shared text at `path` (root map, then keys: ["risks", id, "threat"]), if there. */
export function textAt(ydoc: Y.Doc, path: readonly string[]): Y.Text | null {
  let node: unknown = ydoc.getMap(path[0]);
  for (const key of path.slice(1)) {
    if (!(node instanceof Y.Map)) return null;
    node = node.get(key);
  }
  return node instanceof Y.Text ? node : null;
}
