// The frames Rust pushes to the Yjs mirrors: [n][n bytes of document name][update]
// (src-tauri/src/yjs.rs `frame`).

import { describe, expect, test } from "vitest";
import * as Y from "yjs";
import { unframe } from "./docs";
import { textAt } from "./ytext";

function frame(doc: string, update: Uint8Array): Uint8Array {
  const name = new TextEncoder().encode(doc);
  const out = new Uint8Array(1 + name.length + update.length);
  out[0] = name.length;
  out.set(name, 1);
  out.set(update, 1 + name.length);
  return out;
}

describe("unframe", () => {
  test("splits the document's name from the update", () => {
    const { doc, update } = unframe(frame("supplement/101", new Uint8Array([1, 2, 3])));
    expect(doc).toBe("supplement/101");
    expect([...update]).toEqual([1, 2, 3]);
  });

  test("as the Rust side frames it (the bytes of src-tauri's frames_name_the_document test)", () => {
    const bytes = new Uint8Array([14, ...new TextEncoder().encode("supplement/101"), 1, 2, 3]);
    expect(unframe(bytes)).toEqual({ doc: "supplement/101", update: new Uint8Array([1, 2, 3]) });
  });

  test("a real Yjs update survives the frame and applies", () => {
    const source = new Y.Doc();
    source.getMap("description").set("summary", new Y.Text("Aula er kommunernes intranet"));
    const { doc, update } = unframe(frame("base", Y.encodeStateAsUpdate(source)));
    expect(doc).toBe("base");
    const mirror = new Y.Doc();
    Y.applyUpdate(mirror, update);
    expect(textAt(mirror, ["description", "summary"])?.toString()).toBe("Aula er kommunernes intranet");
  });

  test("an empty update and a name with æøå", () => {
    const { doc, update } = unframe(frame("supplement/Høje-Taastrup", new Uint8Array()));
    expect(doc).toBe("supplement/Høje-Taastrup");
    expect(update.length).toBe(0);
  });
});

describe("textAt", () => {
  const ydoc = new Y.Doc();
  const risks = ydoc.getMap("risks");
  const risk = new Y.Map();
  risks.set("risk-1", risk);
  risk.set("threat", new Y.Text("Uautoriseret adgang"));
  risk.set("title", "Adgang");

  test("follows keys through nested maps to a shared text", () => {
    expect(textAt(ydoc, ["risks", "risk-1", "threat"])?.toString()).toBe("Uautoriseret adgang");
  });

  test("is null for a missing key, a plain value or a path through a non-map", () => {
    expect(textAt(ydoc, ["risks", "risk-2", "threat"])).toBeNull();
    expect(textAt(ydoc, ["risks", "risk-1", "title"])).toBeNull();
    expect(textAt(ydoc, ["risks", "risk-1", "title", "more"])).toBeNull();
  });
});
