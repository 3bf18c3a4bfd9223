import { describe, expect, it } from "vitest";
import { baseAsEffective, distribution, renderDpia } from "./render";
import type { Assessment, Base, Consequence, EffectiveDpia, Likelihood, Measure, Risk } from "./types";

function rated(c: Consequence, l: Likelihood, why = ""): Assessment {
  const r = { consequence: c, consequence_reason: why, likelihood: l, likelihood_reason: why };
  return { confidentiality: r, integrity: { ...r }, availability: { ...r } };
}

function risk(id: string, reference: string, title: string, inherent: Assessment, residual: Assessment): Risk {
  return {
    id, reference, title, threat: "Trussel", processes: [], modules: [], source: "kombit",
    source_reference: "KOMBIT Beskeder T3", inherent, residual, residual_reason: "", acceptance: "",
  };
}

function measure(id: string, reference: string, title: string, mitigates: string[]): Measure {
  return {
    id, reference, title, description: "", kind: "technical", status: "planned", planned_date: "2025-03-01",
    rejection_reason: "", owner: "kombit", owner_name: "", mitigates, evidence: [],
  };
}

function emptyBase(): Base {
  const none = { met: null, reason: "" };
  return {
    meta: { dpia_id: "aula", title: "Konsekvensanalyse for Aula", system: "Aula", version_label: "2025.1" },
    description: { summary: "Aula er …", scope: "", retention: "", new_technology: false, new_technology_text: "" },
    wp248: {
      evaluation_scoring: none, automated_decision: none, systematic_monitoring: none,
      sensitive_data: { met: true, reason: "Følsomme oplysninger om børn" }, large_scale: { met: true, reason: "" },
      matching_datasets: none, vulnerable_subjects: { met: true, reason: "Børn" }, innovative_technology: none,
      prevents_exercise: none,
    },
    prior_consultation: { required: false, reason: "", submitted: null, case_number: "", outcome: "" },
    review_plan: { next_review: "2026-01-01", triggers: "" },
    items: {
      processes: [], modules: [], purposes: [], data_categories: [], subject_categories: [], sources: [],
      recipients: [], transfers: [], processors: [], document_types: [], systems: [],
      risks: [risk("r-1", "R1", "Fejladresseret besked", rated("devastating", "expected"), rated("serious", "possible"))],
      measures: [measure("m-1", "M1", "Advarsel ved mange modtagere", ["r-1"])],
      evidence: [], dpo_advice: [], reviews: [],
    },
  };
}

/** København: R1 rated differently, M1 not applicable, one local risk and measure. */
function copenhagen(): EffectiveDpia {
  const d = baseAsEffective(emptyBase(), "KL/KOMBIT");
  d.org = { code: 101, name: "København", ref_prefix: "KBH" };
  const r1 = d.items.risks[0];
  r1.deviation = {
    type: "risk_rating",
    base_inherent: r1.inherent,
    base_residual: r1.residual,
    reason: "UNI-login <svag>",
  };
  r1.residual = rated("very_serious", "likely", "Kun UNI-login");
  d.items.measures[0].not_applicable = "Vi bruger egen løsning";
  d.items.risks.push({ ...risk("kbh-r-1", "KBH-R1", "Sikker fildeling til pædagogisk dokumentation", rated("serious", "likely"), rated("limited", "possible")), origin: "local", deviation: null, not_applicable: null });
  d.items.measures.push({ ...measure("kbh-m-1", "KBH-M1", "2FA via Azure AD", ["r-1", "kbh-r-1"]), origin: "local", deviation: null, not_applicable: null });
  return d;
}

describe("renderDpia", () => {
  it("marks local items, shows base values beside overrides and not-applicable justifications", () => {
    const out = renderDpia(copenhagen(), false).value;
    expect(out).toContain("København (101)");
    expect(out).toMatch(/KBH-R1<\/span> <h3 class="item-title">Sikker fildeling[^<]*<\/h3><span class="badge badge-local">Lokal<\/span>/);
    expect(out).toContain('<span class="badge badge-deviation">Afvigelse</span>');
    // the base rating stays visible next to the local one, with the local reason (escaped)
    expect(out).toContain("Fælles basis</span>");
    expect(out).toContain("UNI-login &lt;svag&gt;");
    expect(out).toContain("konsekvens <b>ødelæggende</b>, sandsynlighed <b>forventet</b>");
    expect(out).toContain("konsekvens <b>meget alvorlig</b>, sandsynlighed <b>sandsynlig</b>");
    // …and beside exactly the cells that changed: R1's three residual ratings, not its inherent ones
    const r1table = out.slice(out.indexOf("Vurdering af R1"), out.indexOf("</table>", out.indexOf("Vurdering af R1")));
    expect(r1table.match(/class="base-value"/g)?.length).toBe(3);
    // M1 does not apply here: marked, with the justification, and no longer listed under R1
    expect(out).toContain('<span class="badge badge-na">Ikke relevant her</span>');
    expect(out).toContain("Vi bruger egen løsning");
    const r1 = out.slice(out.indexOf('id="risiko-r-1"'), out.indexOf('id="risiko-kbh-r-1"'));
    expect(r1).toMatch(/<dt>Foranstaltninger<\/dt><dd><a href="#foranstaltning-kbh-m-1">KBH-M1<\/a><\/dd>/);
    expect(r1).not.toContain(">M1</a>");
    // measures link back to the risks they reduce; status in Danish with the date
    expect(out).toContain('<a href="#risiko-r-1">R1</a>, <a href="#risiko-kbh-r-1">KBH-R1</a>');
    expect(out).toContain("planlagt</span> (senest 01.03.2025)");
    // the supplement section lists the deviations
    expect(out).toContain("6. Tillæg og afvigelser");
    expect(out).toContain("anden risikovurdering");
  });

  it("lists every risk in the overview with both levels and the measures that apply", () => {
    const out = renderDpia(copenhagen(), false).value;
    const table = out.slice(out.indexOf('<table class="overview-table">'), out.indexOf("</table>"));
    expect(table).toContain('<a class="ref" href="#risiko-kbh-r-1">KBH-R1</a>');
    expect(table).toMatch(/Sikker fildeling til pædagogisk dokumentation<span class="badge badge-local">Lokal<\/span>/);
    expect(table).toMatch(/<td><span class="level level-medium">mellem<\/span><\/td>\s*<td><span class="level level-low">lav<\/span><\/td>/);
    expect(table).not.toContain(">M1</a>");
  });

  it("counts risk levels before and after measures as the core does", () => {
    const { before, after } = distribution(copenhagen());
    expect(before).toEqual({ low: 0, medium: 1, high: 1 });
    expect(after).toEqual({ low: 1, medium: 0, high: 1 });
  });

  it("renders the joint base without local marks", () => {
    const d = baseAsEffective(emptyBase());
    expect(d.items.risks.every((r) => r.origin === "base" && r.deviation === null)).toBe(true);
    const out = renderDpia(d, true).value;
    expect(out).toContain("Fælles basis");
    expect(out).not.toContain("badge-local");
    expect(out).toContain("3 af 9 kriterier opfyldt</strong> — en konsekvensanalyse er påkrævet.");
    expect(out).toContain("Den fælles basis har intet lokalt tillæg");
  });
});
