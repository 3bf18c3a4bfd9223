// The Risks editor and a legacy level-only rating (lav/mellem/høj without consequence ×
// likelihood): shown as written, flagged, and replaced by a proper pair.

import { afterEach, describe, expect, test } from "vitest";
import { lang } from "./i18n";
import type { Rating } from "./model";
import { legacyNote, onlyLegacyLevel, ratingPatch } from "./rating";

afterEach(() => {
  lang.value = "da";
});

const legacy: Rating = {
  consequence: null, consequence_reason: "", likelihood: null, likelihood_reason: "", unaffected: false, unaffected_reason: "", legacy_level: "high",
};

describe("a rating given only as a level", () => {
  test("is shown as written and flagged as lacking its basis", () => {
    expect(onlyLegacyLevel(legacy)).toBe(true);
    const note = legacyNote(legacy)!;
    expect(note.written).toContain("«høj»");
    expect(note.lacks).toContain("mangler sit grundlag");
    lang.value = "en";
    expect(legacyNote(legacy)!.written).toContain("«high»");
  });

  test("half a pair does not replace it; the second half does, and the level is removed", () => {
    const first = ratingPatch(legacy, { consequence: "serious" });
    expect(first).toEqual({ consequence: "serious" });
    const half: Rating = { ...legacy, consequence: "serious" };
    expect(onlyLegacyLevel(half)).toBe(true);
    const second = ratingPatch(half, { likelihood: "likely" });
    expect(second).toEqual({ likelihood: "likely", legacy_level: null });
    const rated: Rating = { ...half, likelihood: "likely", legacy_level: null };
    expect(onlyLegacyLevel(rated)).toBe(false);
    expect(legacyNote(rated)).toBeNull();
  });

  test("a proper rating, one «not affected», and one without a level are left alone", () => {
    const proper: Rating = { ...legacy, legacy_level: null, consequence: "limited", likelihood: "unlikely" };
    expect(ratingPatch(proper, { likelihood: "possible" })).toEqual({ likelihood: "possible" });
    expect(legacyNote({ ...legacy, unaffected: true, unaffected_reason: "Truslen berører ikke tilgængeligheden" })).toBeNull();
    expect(legacyNote({ ...legacy, legacy_level: null })).toBeNull();
  });
});
