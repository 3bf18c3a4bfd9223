// Pure functions of the views: the participant list of a new joint DPIA. (The natural order of
// references is the core's: the effective DPIA's entries come in it; see model::ids's tests.)

import { afterEach, describe, expect, test, vi } from "vitest";
import { lang } from "./i18n";

// The rich-text editor (Quill) needs a DOM; these tests only need the views' pure functions.
vi.mock("./components/RichText", () => ({ RichText: () => null }));

const { parseParticipants } = await import("./views/Start");

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
