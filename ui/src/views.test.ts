// Pure functions of the views: the participant list of a new joint DPIA, and the natural
// order of references.

import { afterEach, describe, expect, test, vi } from "vitest";
import { lang } from "./i18n";

// The rich-text editor (Quill) needs a DOM; these tests only need the views' pure functions.
vi.mock("./components/RichText", () => ({ RichText: () => null }));

const { parseParticipants } = await import("./views/Start");
const { compareRefs } = await import("./views/Risks");

afterEach(() => {
  lang.value = "da";
});

describe("parseParticipants", () => {
  test("code, name and prefix per line", () => {
    const { participants, problems } = parseParticipants("101 København KBH\n561 Esbjerg ESB\n");
    expect(problems).toEqual([]);
    expect(participants).toEqual([
      { code: 101, name: "København", ref_prefix: "KBH" },
      { code: 561, name: "Esbjerg", ref_prefix: "ESB" },
    ]);
  });

  test("names with spaces and æøå; a missing prefix is made from the name", () => {
    const { participants, problems } = parseParticipants("  169 Høje-Taastrup HTK  \n\n751 Aarhus\n 615 Ringkøbing Skjern");
    expect(problems).toEqual([]);
    expect(participants).toEqual([
      { code: 169, name: "Høje-Taastrup", ref_prefix: "HTK" },
      { code: 751, name: "Aarhus", ref_prefix: "AAR" },
      { code: 615, name: "Ringkøbing Skjern", ref_prefix: "RIN" },
    ]);
  });

  test("a bad line is named by its line in the text area (blank lines count) and the rest still parse", () => {
    const { participants, problems } = parseParticipants("101 København KBH\n\nKøbenhavn 101\n56 Esbjerg ESB");
    expect(participants.map((p) => p.code)).toEqual([101]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("Linje 3");
    expect(problems[0]).toContain("«København 101»");
    expect(problems[1]).toContain("Linje 4");
  });

  test("problems are in English when the UI is", () => {
    lang.value = "en";
    expect(parseParticipants("x").problems[0]).toMatch(/^Line 1: «x» must be/);
  });

  test("nothing in, nothing out", () => {
    expect(parseParticipants("\n  \n")).toEqual({ participants: [], problems: [] });
  });
});

describe("compareRefs", () => {
  const sorted = (refs: string[]) => [...refs].sort(compareRefs);

  test("numbers in natural order", () => {
    expect(sorted(["R10", "R2", "R1", "R21"])).toEqual(["R1", "R2", "R10", "R21"]);
  });

  test("base references before local ones (longer prefix), local ones by municipality", () => {
    expect(sorted(["KBH-R2", "R7", "ESB-R1", "KBH-R10", "R12"])).toEqual(["R7", "R12", "ESB-R1", "KBH-R2", "KBH-R10"]);
  });

  test("different letters sort by letter", () => {
    expect(sorted(["R1", "M3", "M12", "F2"])).toEqual(["F2", "M3", "M12", "R1"]);
  });

  test("equal references compare equal; a reference without a number first", () => {
    expect(compareRefs("R5", "R5")).toBe(0);
    expect(sorted(["R1", "R"])).toEqual(["R", "R1"]);
  });
});
