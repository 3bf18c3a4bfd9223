// The høring's pure functions: open comments per item and field, the open-comments view's
// filters, and a «forslag» as a word difference against the current text.

import { afterEach, describe, expect, test } from "vitest";
import { commentedItems, fieldLabel, filterThreads, openCount, openOnRelease, openOnSection, sectionOf, targetText, threadsFor, valueText, wordDiff, type ThreadView } from "./hearing";
import { lang } from "./i18n";

afterEach(() => {
  lang.value = "da";
});

function thread(p: { ref: string; by: string; item?: string | null; field?: string; release?: string | null; resolved?: boolean; answered?: boolean; objection?: boolean; reference?: string; proposalField?: string }): ThreadView {
  return {
    target: { item: p.item ?? null, reference: p.reference ?? "", field: p.field ?? "", release: p.release ?? null, supplement: null, label: p.reference ?? p.release ?? "hele analysen" },
    round: null,
    opening: {
      reference: p.ref, by: p.by, author: "DPO", text: "tekst", written_at: 0, objection: p.objection ?? false, revisions: 0,
      proposal: p.proposalField ? { field: p.proposalField, value: "expected", current: "likely" } : null,
    },
    replies: [],
    resolved: p.resolved ?? false,
    response: p.answered ? { outcome: "partly", reason: "r", proposal: null, change_seq: null, accepted_before: null, by: "KL", at: 0 } : null,
  };
}

const threads = [
  thread({ ref: "101/b-1", by: "101", item: "risk-6", reference: "R6", field: "inherent.confidentiality", proposalField: "inherent.confidentiality.likelihood", objection: true }),
  thread({ ref: "751/b-2", by: "751", item: "risk-10", reference: "R10", answered: true }),
  thread({ ref: "561/b-3", by: "561", item: "risk-6", reference: "R6", resolved: true }),
  thread({ ref: "coordinator/b-4", by: "coordinator", release: "2025.1" }),
  thread({ ref: "101/b-5", by: "101", item: "risk-6", reference: "R6", field: "residual.availability" }),
];

describe("open comments per item", () => {
  test("an item counts its open threads on any field; a field only its own", () => {
    expect(openCount(threads, "risk-6")).toBe(2);
    expect(openCount(threads, "risk-6", "inherent.confidentiality")).toBe(1);
    expect(openCount(threads, "risk-6", "inherent.integrity")).toBe(0);
    expect(openCount(threads, "risk-6", "residual.availability")).toBe(1);
    expect(openCount(threads, "risk-10")).toBe(1);
    expect(openCount(threads, "risk-99")).toBe(0);
    expect(openCount(undefined, "risk-6")).toBe(0);
  });

  test("a «forslag» on an item counts on the rating it changes", () => {
    const onItem = [thread({ ref: "101/b-9", by: "101", item: "risk-1", reference: "R1", proposalField: "residual.integrity.likelihood" })];
    expect(openCount(onItem, "risk-1", "residual.integrity")).toBe(1);
    expect(openCount(onItem, "risk-1", "inherent.integrity")).toBe(0);
  });

  test("a release counts the threads on it as a whole", () => {
    expect(openOnRelease(threads, "2025.1")).toBe(1);
    expect(openOnRelease(threads, "2026.1")).toBe(0);
  });

  test("the panel of an item shows every thread on it, resolved ones too", () => {
    const shown = threadsFor(threads, { item: "risk-6", field: "", release: null, supplement: null, label: "R6", kind: "risk" });
    expect(shown.map((x) => x.opening.reference)).toEqual(["101/b-1", "561/b-3", "101/b-5"]);
    const release = threadsFor(threads, { item: null, field: "", release: "2025.1", supplement: null, label: "2025.1", kind: null });
    expect(release.map((x) => x.opening.reference)).toEqual(["coordinator/b-4"]);
  });
});

describe("the open-comments view's filters", () => {
  const refs = (f: Parameters<typeof filterThreads>[1]) => filterThreads(threads, f).map((x) => x.opening.reference);
  test("by municipality, item and state", () => {
    expect(refs({ by: null, item: "", state: "open" })).toEqual(["101/b-1", "751/b-2", "coordinator/b-4", "101/b-5"]);
    expect(refs({ by: "101", item: "", state: "all" })).toEqual(["101/b-1", "101/b-5"]);
    expect(refs({ by: null, item: "r6", state: "all" })).toEqual(["101/b-1", "561/b-3", "101/b-5"]);
    expect(refs({ by: null, item: "", state: "resolved" })).toEqual(["561/b-3"]);
    expect(refs({ by: null, item: "", state: "objection" })).toEqual(["101/b-1"]);
    // the coordinator's own comments wait for no answer
    expect(refs({ by: null, item: "", state: "unanswered" })).toEqual(["101/b-1", "561/b-3", "101/b-5"]);
    expect(refs({ by: null, item: "2025.1", state: "all" })).toEqual(["coordinator/b-4"]);
    expect(refs({ by: "999", item: "", state: "all" })).toEqual([]);
  });

  test("the items to choose from, once each in natural order", () => {
    expect(commentedItems([...threads, thread({ ref: "x/b", by: "101", item: "r2", reference: "R2" })])).toEqual(["2025.1", "R10", "R2", "R6"].sort((a, b) => a.localeCompare(b, "da", { numeric: true })));
  });
});

describe("a «forslag» as a difference", () => {
  test("changed words are deleted and inserted, the rest kept", () => {
    const d = wordDiff("Sandsynligheden er lav for fejlsendte beskeder.", "Sandsynligheden er høj for fejlsendte beskeder i Aula.");
    expect(d.filter((p) => p.kind === "del").map((p) => p.text.trim())).toEqual(["lav", "beskeder."]);
    expect(d.filter((p) => p.kind === "ins").map((p) => p.text.trim())).toEqual(["høj", "beskeder i Aula."]);
    // read back, the pieces give both texts
    expect(d.filter((p) => p.kind !== "ins").map((p) => p.text).join("")).toBe("Sandsynligheden er lav for fejlsendte beskeder.");
    expect(d.filter((p) => p.kind !== "del").map((p) => p.text).join("")).toBe("Sandsynligheden er høj for fejlsendte beskeder i Aula.");
  });

  test("equal texts are one unchanged piece; empty ones give only the other", () => {
    expect(wordDiff("samme tekst", "samme tekst")).toEqual([{ kind: "same", text: "samme tekst" }]);
    expect(wordDiff("", "ny")).toEqual([{ kind: "ins", text: "ny" }]);
    expect(wordDiff("gammel", "")).toEqual([{ kind: "del", text: "gammel" }]);
  });

  test("very long texts are shown as a replacement, not compared word by word", () => {
    const long = "ord ".repeat(2500);
    const d = wordDiff(long, `${long}mere`);
    expect(d.map((p) => p.kind)).toEqual(["del", "ins"]);
  });

  test("what a thread is about, in words", () => {
    expect(targetText(threads[0].target)).toBe("R6 · fortrolighed før foranstaltninger");
    expect(targetText(threads[3].target)).toBe("udgivelse 2025.1");
  });

  test("a rating's step and field in words", () => {
    expect(valueText("inherent.confidentiality.likelihood", "expected")).toBe("forventet");
    expect(valueText("title", "Ny titel")).toBe("Ny titel");
    expect(fieldLabel("inherent.confidentiality.likelihood")).toBe("sandsynlighed, fortrolighed før foranstaltninger");
    expect(fieldLabel("residual.availability")).toBe("tilgængelighed efter foranstaltninger");
    lang.value = "en";
    expect(fieldLabel("inherent.confidentiality.likelihood")).toBe("likelihood, confidentiality before measures");
  });
});

describe("the description, commented as an item of its own", () => {
  const onDescription = [
    thread({ ref: "561/b-20", by: "561", field: "description" }),
    thread({ ref: "101/b-21", by: "101", field: "description.retention", proposalField: "description.retention" }),
    thread({ ref: "101/b-22", by: "101", field: "description.scope", resolved: true }),
    thread({ ref: "coordinator/b-23", by: "coordinator" }),
    thread({ ref: "coordinator/b-24", by: "coordinator", release: "2025.1" }),
  ];
  const target = (field: string) => ({ item: null, field, release: null, supplement: null, label: field, kind: null });

  test("the whole description counts the open threads on it and its parts; a part only its own", () => {
    expect(openOnSection(onDescription, "description")).toBe(2);
    expect(openOnSection(onDescription, "description.retention")).toBe(1);
    expect(openOnSection(onDescription, "description.scope")).toBe(0);
    expect(threadsFor(onDescription, target("description")).map((x) => x.opening.reference)).toEqual(["561/b-20", "101/b-21", "101/b-22"]);
    expect(threadsFor(onDescription, target("description.retention")).map((x) => x.opening.reference)).toEqual(["101/b-21"]);
  });

  test("the DPIA as a whole and a release are not the description", () => {
    expect(sectionOf("")).toBe(null);
    expect(sectionOf("description.")).toBe(null);
    expect(sectionOf("descriptions")).toBe(null);
    expect(threadsFor(onDescription, { ...target(""), release: null }).map((x) => x.opening.reference)).toEqual(["coordinator/b-23"]);
    expect(openOnRelease(onDescription, "2025.1")).toBe(1);
  });

  test("it is named as the Description view names it", () => {
    expect(targetText(onDescription[0].target)).toBe("beskrivelsen");
    expect(targetText(onDescription[1].target)).toBe("beskrivelsen: opbevaring og sletning");
    expect(fieldLabel("description.summary")).toBe("beskrivelsen: sammenfatning");
    lang.value = "en";
    expect(targetText(onDescription[1].target)).toBe("the description: retention and erasure");
  });
});

describe("the WP248 screening, the prior consultation and the review plan, commented as the description is", () => {
  const onSections = [
    thread({ ref: "101/b-30", by: "101", field: "wp248.large_scale", proposalField: "wp248.large_scale.reason" }),
    thread({ ref: "561/b-31", by: "561", field: "wp248" }),
    thread({ ref: "561/b-32", by: "561", field: "prior_consultation" }),
    thread({ ref: "101/b-33", by: "101", field: "review_plan.triggers" }),
    thread({ ref: "101/b-34", by: "101", field: "description.retention" }),
    thread({ ref: "coordinator/b-35", by: "coordinator" }),
  ];
  const target = (field: string) => ({ item: null, field, release: null, supplement: null, label: field, kind: null });

  test("each section counts its own threads, a part only its own, and none is the DPIA as a whole", () => {
    expect(["wp248", "wp248.large_scale", "prior_consultation.reason", "review_plan", "description"].map(sectionOf)).toEqual(["wp248", "wp248", "prior_consultation", "review_plan", "description"]);
    expect(["wp248.", "wp2488", "prior", "review_plan_x"].map(sectionOf)).toEqual([null, null, null, null]);
    expect(openOnSection(onSections, "wp248")).toBe(2);
    expect(openOnSection(onSections, "wp248.large_scale")).toBe(1);
    expect(openOnSection(onSections, "wp248.sensitive_data")).toBe(0);
    expect(openOnSection(onSections, "prior_consultation")).toBe(1);
    expect(openOnSection(onSections, "review_plan")).toBe(1);
    expect(openOnSection(onSections, "description")).toBe(1);
    expect(threadsFor(onSections, target("wp248")).map((x) => x.opening.reference)).toEqual(["101/b-30", "561/b-31"]);
    expect(threadsFor(onSections, target("")).map((x) => x.opening.reference)).toEqual(["coordinator/b-35"]);
  });

  test("they are named as their views name them", () => {
    lang.value = "da";
    expect(targetText(onSections[0].target)).toBe("WP248-screeningen: Behandling i stort omfang");
    expect(fieldLabel("wp248.large_scale.reason")).toBe("WP248-screeningen: Behandling i stort omfang – begrundelse");
    expect(targetText(onSections[2].target)).toBe("den forudgående høring");
    expect(targetText(onSections[3].target)).toBe("planen for revision: hvad der udløser en tidligere revision");
  });
});
