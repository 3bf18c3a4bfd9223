// The words, the risk matrix and the Danish formats the views rely on.

import { afterEach, describe, expect, test } from "vitest";
import type { Consequence, Likelihood } from "./bindings";
import {
  CONSEQUENCES, LEVEL, LIKELIHOODS, assessmentLevel, date, lang, levelOrder, number, parseCount, parseDate, ratingLevel, riskLevel, t, yesNo,
} from "./i18n";
import type { Assessment, Rating } from "./model";

afterEach(() => {
  lang.value = "da";
});

const rating = (consequence: Consequence | null, likelihood: Likelihood | null): Rating => ({
  consequence, consequence_reason: "", likelihood, likelihood_reason: "",
});

describe("the risk matrix", () => {
  // konsekvens-core's RiskLevel::of: consequence step × likelihood step, 1–3 lav, 4–8 mellem,
  // 9–16 høj. Row = consequence (begrænset … ødelæggende), column = likelihood.
  const EXPECTED = [
    ["low", "low", "low", "medium"],
    ["low", "medium", "medium", "medium"],
    ["low", "medium", "high", "high"],
    ["medium", "medium", "high", "high"],
  ];

  test("every cell matches the core's matrix", () => {
    CONSEQUENCES.forEach((c, i) => LIKELIHOODS.forEach((l, j) => expect(riskLevel(c, l), `${c} × ${l}`).toBe(EXPECTED[i][j])));
  });

  test("the two examples the core documents", () => {
    expect(riskLevel("very_serious", "likely")).toBe("high");
    expect(riskLevel("serious", "likely")).toBe("medium");
  });

  test("a half-rated dimension has no level", () => {
    expect(riskLevel(null, "likely")).toBeNull();
    expect(riskLevel("devastating", undefined)).toBeNull();
    expect(ratingLevel(rating("limited", null))).toBeNull();
  });
});

describe("assessmentLevel", () => {
  const assessment = (c: Rating, i: Rating, a: Rating): Assessment => ({ confidentiality: c, integrity: i, availability: a });

  test("is the highest level over the rated dimensions", () => {
    expect(assessmentLevel(assessment(rating("limited", "unlikely"), rating("devastating", "expected"), rating("serious", "possible")))).toBe("high");
    expect(assessmentLevel(assessment(rating("limited", "unlikely"), rating("serious", "possible"), rating(null, null)))).toBe("medium");
  });

  test("ignores unrated dimensions and is null when none is rated", () => {
    expect(assessmentLevel(assessment(rating(null, null), rating("limited", "possible"), rating("devastating", null)))).toBe("low");
    expect(assessmentLevel(assessment(rating(null, null), rating(null, "likely"), rating(null, null)))).toBeNull();
  });

  test("levelOrder sorts unrated below low below medium below high", () => {
    const sorted = (["high", null, "low", "medium"] as const).slice().sort((a, b) => levelOrder(a) - levelOrder(b));
    expect(sorted).toEqual([null, "low", "medium", "high"]);
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
