// The words, the risk matrix (against the core's generated one) and the Danish formats the views rely on.

import { afterEach, describe, expect, test } from "vitest";
import type { Consequence, Likelihood } from "./bindings";
import { KINDS, RISK_MATRIX, WORDS } from "./catalogue";
import {
  CONSEQUENCE, CONSEQUENCES, LEVEL, LIKELIHOODS, NECESSITY_ASPECTS, OPERATION, WP248_CRITERIA, collection, date, lang, levelOrder, number,
  parseCount, parseDate, riskLevel, t, yesNo,
} from "./i18n";
import type { Rating } from "./model";

afterEach(() => {
  lang.value = "da";
});

const rating = (consequence: Consequence | null, likelihood: Likelihood | null): Rating => ({
  consequence, consequence_reason: "", likelihood, likelihood_reason: "", unaffected: false, unaffected_reason: "", legacy_level: null,
});

describe("the risk matrix", () => {
  // RISK_MATRIX is what konsekvens-core's RiskLevel::of computes for every cell, generated into
  // ./catalogue (src-tauri's test fails when the file is stale): the heat maps show the core's.
  test("every cell is the core's, and every consequence × likelihood has one", () => {
    expect(Object.keys(RISK_MATRIX)).toEqual(CONSEQUENCES);
    for (const c of CONSEQUENCES) {
      expect(Object.keys(RISK_MATRIX[c])).toEqual(LIKELIHOODS);
      for (const l of LIKELIHOODS) expect(riskLevel(c, l), `${c} × ${l}`).toBe(RISK_MATRIX[c][l]);
    }
    expect(CONSEQUENCES).toHaveLength(4);
    expect(LIKELIHOODS).toHaveLength(4);
  });

  test("the two examples the core documents", () => {
    expect(riskLevel("very_serious", "likely")).toBe("high");
    expect(riskLevel("serious", "likely")).toBe("medium");
  });

  test("a half-rated dimension has no level", () => {
    expect(riskLevel(null, "likely")).toBeNull();
    expect(riskLevel("devastating", undefined)).toBeNull();
    const half = rating("limited", null);
    expect(riskLevel(half.consequence, half.likelihood)).toBeNull();
  });
});

describe("levels", () => {
  // The highest level over an assessment's dimensions comes from the core (the effective DPIA's
  // risk_facts; tested in konsekvens-core's effective::tests).
  test("levelOrder sorts unrated below low below medium below high", () => {
    const sorted = (["high", null, "low", "medium"] as const).slice().sort((a, b) => levelOrder(a) - levelOrder(b));
    expect(sorted).toEqual([null, "low", "medium", "high"]);
  });
});

describe("generated words", () => {
  test("every word map is the core's, in the core's order", () => {
    expect(CONSEQUENCE.keys).toEqual(Object.keys(WORDS.consequence));
    expect(CONSEQUENCE("very_serious")).toBe(WORDS.consequence.very_serious[0]);
    lang.value = "en";
    expect(OPERATION("erasure")).toBe(WORDS.operation.erasure[1]);
  });

  test("labels (necessity, WP248, conditions) start with a capital", () => {
    expect(NECESSITY_ASPECTS("minimisation")).toBe("Dataminimering");
    lang.value = "en";
    expect(WP248_CRITERIA("large_scale")).toBe("Data processed on a large scale");
  });

  test("collections and parts are named from the catalogue; an unknown key is spelt out", () => {
    expect(collection("risks")).toBe(KINDS.find((k) => k.collection === "risks")!.da);
    expect(collection("review_plan")).toBe("revisionsplan");
    expect(collection("some_field")).toBe("some field");
    lang.value = "en";
    expect(collection("dpo_advice")).toBe("DPO advice");
  });
});

describe("language", () => {
  test("t and the word maps follow the language signal", () => {
    expect(t("Risici", "Risks")).toBe("Risici");
    expect(LEVEL("high")).toBe("høj");
    expect(yesNo(null)).toBe("ikke besvaret");
    lang.value = "en";
    expect(t("Risici", "Risks")).toBe("Risks");
    expect(LEVEL("high")).toBe("high");
    expect(yesNo(true)).toBe("yes");
  });

  test("a missing word is a dash, not «undefined»", () => {
    expect(LEVEL(null)).toBe("—");
  });
});

describe("numbers", () => {
  test("Danish groups thousands with a point, English with a comma", () => {
    expect(number(560000)).toBe("560.000");
    expect(number(1234567)).toBe("1.234.567");
    expect(number(999)).toBe("999");
    lang.value = "en";
    expect(number(560000)).toBe("560,000");
  });

  test("fractions are cut, not rounded, and negatives keep their sign", () => {
    expect(number(1999.9)).toBe("1.999");
    expect(number(-25000)).toBe("-25.000");
  });
});

describe("counts", () => {
  test("a Dane's thousands separator groups digits; decimals and words are not counts", () => {
    expect(parseCount("46.000")).toBe(46000);
    expect(parseCount(" 1.300.000 ")).toBe(1300000);
    expect(parseCount("46 000")).toBe(46000);
    expect(parseCount("46000")).toBe(46000);
    expect(parseCount("")).toBeNull();
    for (const bad of ["46,5", "46.00", "4.6000", "-3", "mange", "46,000"]) {
      expect(parseCount(bad), bad).toBeUndefined();
    }
  });
  test("in English the comma groups", () => {
    lang.value = "en";
    expect(parseCount("46,000")).toBe(46000);
    expect(parseCount("46.000")).toBeUndefined();
  });
});

describe("dates", () => {
  test("typed dates are read day first or as ISO, and only real days pass", () => {
    expect(parseDate("21.06.2023")).toBe("2023-06-21");
    expect(parseDate(" 5-1-2027 ")).toBe("2027-01-05");
    expect(parseDate("5/1/2027")).toBe("2027-01-05");
    expect(parseDate("2027-01-05")).toBe("2027-01-05");
    expect(parseDate("29.02.2028")).toBe("2028-02-29");
    expect(parseDate("")).toBeNull();
    for (const bad of ["29.02.2027", "32.01.2027", "01.13.2027", "snart", "2027", "1.1.27"]) {
      expect(parseDate(bad), bad).toBeUndefined();
    }
  });

  test("Danish dates are DD.MM.YYYY, English keeps ISO", () => {
    expect(date("2023-06-21")).toBe("21.06.2023");
    lang.value = "en";
    expect(date("2023-06-21")).toBe("2023-06-21");
  });

  test("no date is a dash; a value that is not a date is shown as it is", () => {
    expect(date(null)).toBe("—");
    expect(date("")).toBe("—");
    expect(date("snart")).toBe("snart");
  });
});
