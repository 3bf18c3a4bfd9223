import { describe, expect, it } from "vitest";
import { applyChanges } from "./api";
import type { Change } from "./bindings";

describe("applyChanges (the refresh's changes, as src-tauri/src/refresh.rs makes them)", () => {
  const view = () => ({
    org: 101,
    dpia: { items: { risks: [{ id: "r1", title: "Gammel" }, { id: "r2", title: "Anden" }], measures: [{ id: "m1" }] } },
    report: { findings: [{ code: "K1" }, { code: "K2" }, { code: "K3" }] },
    undo: { can_undo: false },
  });

  it("sets a deep field and copies only the path to it", () => {
    const before = view();
    const after = applyChanges(before, [{ op: "set", path: ["dpia", "items", "risks", 0, "title"], value: "Ny" }]);
    expect(after.dpia.items.risks[0].title).toBe("Ny");
    expect(before.dpia.items.risks[0].title).toBe("Gammel");
    expect(after.dpia.items.risks[1]).toBe(before.dpia.items.risks[1]);
    expect(after.dpia.items.measures).toBe(before.dpia.items.measures);
    expect(after.report).toBe(before.report);
    expect(after).not.toBe(before);
  });

  it("appends, truncates, removes and replaces", () => {
    const changes: Change[] = [
      { op: "set", path: ["dpia", "items", "risks", 2], value: { id: "r3", title: "Tredje" } },
      { op: "truncate", path: ["report", "findings"], len: 1 },
      { op: "remove", path: ["org"] },
      { op: "set", path: ["undo"], value: { can_undo: true } },
    ];
    const after = applyChanges(view(), changes) as Partial<ReturnType<typeof view>>;
    expect(after.dpia!.items.risks.map((r) => r.id)).toEqual(["r1", "r2", "r3"]);
    expect(after.report!.findings).toEqual([{ code: "K1" }]);
    expect("org" in after).toBe(false);
    expect(after.undo).toEqual({ can_undo: true });
  });

  it("returns the same object when nothing changed", () => {
    const v = view();
    expect(applyChanges(v, [])).toBe(v);
  });

  it("refuses a path into nothing rather than inventing data", () => {
    expect(() => applyChanges(view(), [{ op: "set", path: ["dpia", "nowhere", "x"], value: 1 }])).toThrow(/refresh/);
  });
});
