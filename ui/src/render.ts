// Renders an effective DPIA (or the joint base) as readable Danish HTML. Pure functions of
// the data: no DOM access, so they are unit-tested in Node.

import { anchor, html, join, type Child, type SafeHtml } from "./html";
import {
  ACCESS_SIDE, ADVICE_RESPONSE, ART6, ART9, CONSEQUENCE, DATA_CLASS, DIMENSIONS, EVIDENCE_KIND,
  JOINT_CONDITIONS, LEVEL, LIKELIHOOD, LOCAL_MEASURE_STATE, MEASURE_KIND, MEASURE_STATUS,
  NECESSITY_ASPECTS, OPERATION, OWNER, PROCESSOR_ROLE, RISK_SOURCE, TRANSFER_BASIS, WP248_CRITERIA,
  assessmentLevel, danishDate, danishNumber, ratingLevel, yesNo,
} from "./labels";
import type {
  Assessment, Base, Deviation, EffectiveDpia, EffectiveItems, Entry, ItemId, Items, Measure, Rating,
  Risk, RiskLevel,
} from "./types";

// ---- The base as a DPIA without a supplement ------------------------------------------------

/** The joint base in the effective view's shape: every entry from the base, nothing local. */
export function baseAsEffective(base: Base, coordinator = ""): EffectiveDpia {
  const items = {} as Record<keyof Items, unknown[]>;
  for (const key of Object.keys(base.items) as (keyof Items)[]) {
    items[key] = (base.items[key] as object[]).map((item) => ({
      ...item,
      origin: "base",
      deviation: null,
      not_applicable: null,
    }));
  }
  const noAnswer = { met: null, reason: "" };
  return {
    org: { code: null, name: "Fælles basis", ref_prefix: "" },
    coordinator,
    base: base.meta,
    base_release: "",
    description: base.description,
    local_legal_basis: "",
    contacts: "",
    wp248: base.wp248,
    conditions: {
      same_system_type: noAnswer,
      same_processing: noAnswer,
      same_data: noAnswer,
      similar_risks: noAnswer,
    },
    prior_consultation: base.prior_consultation,
    prior_consultation_origin: "base",
    review_plan: base.review_plan,
    review_plan_origin: "base",
    signatories: [],
    items: items as unknown as EffectiveItems,
    unresolved_targets: [],
  };
}

// ---- Counting ---------------------------------------------------------------------------------

export interface LevelCounts {
  low: number;
  medium: number;
  high: number;
}

/** Risks per level before and after measures, over the risks that apply (as the core counts). */
export function distribution(d: EffectiveDpia): { before: LevelCounts; after: LevelCounts } {
  const before = { low: 0, medium: 0, high: 0 };
  const after = { low: 0, medium: 0, high: 0 };
  for (const r of d.items.risks) {
    if (r.not_applicable !== null) continue;
    const b = assessmentLevel(r.inherent);
    const a = assessmentLevel(r.residual);
    if (b) before[b]++;
    if (a) after[a]++;
  }
  return { before, after };
}

/** Measures that apply here and mitigate the risk. */
export function measuresFor(d: EffectiveDpia, risk: ItemId): Entry<Measure>[] {
  return d.items.measures.filter((m) => m.not_applicable === null && m.mitigates.includes(risk));
}

// ---- Small pieces -------------------------------------------------------------------------------

type AnyEntry = Entry<{ id: ItemId; reference: string }>;

/** Where each item is shown: id → reference and anchor. */
type Index = Map<ItemId, { reference: string; anchor: string }>;

const ANCHOR_PREFIX: Partial<Record<keyof Items, string>> = {
  risks: "risiko",
  measures: "foranstaltning",
  evidence: "dokumentation",
  purposes: "formaal",
};

function index(d: EffectiveDpia): Index {
  const m: Index = new Map();
  for (const key of Object.keys(d.items) as (keyof Items)[]) {
    const prefix = ANCHOR_PREFIX[key] ?? "element";
    for (const e of d.items[key] as AnyEntry[]) {
      m.set(e.id, { reference: e.reference, anchor: anchor(prefix, e.id) });
    }
  }
  return m;
}

const BLANK = html`<span class="blank">(ikke udfyldt)</span>`;
const NONE = html`<span class="blank">(ingen)</span>`;
const UNSET = html`<span class="blank">(ikke angivet)</span>`;

function text(s: string | null | undefined): SafeHtml {
  return s && s.trim() !== "" ? html`<span class="prose">${s}</span>` : BLANK;
}

function word<K extends string>(table: Record<K, string>, v: K | null | undefined): SafeHtml {
  return v ? html`${table[v]}` : UNSET;
}

function field(label: Child, value: Child): SafeHtml {
  return html`<dt>${label}</dt><dd>${value}</dd>`;
}

function fields(...rows: Child[]): SafeHtml {
  return html`<dl class="fields">${rows}</dl>`;
}

export function levelBadge(level: RiskLevel | null): SafeHtml {
  return level
    ? html`<span class="level level-${level}">${LEVEL[level]}</span>`
    : html`<span class="level level-none">ikke vurderet</span>`;
}

function links(ids: readonly ItemId[], idx: Index): SafeHtml {
  if (ids.length === 0) return NONE;
  return join(
    ids.map((id) => {
      const target = idx.get(id);
      return target
        ? html`<a href="#${target.anchor}">${target.reference}</a>`
        : html`<span class="broken">${id} (findes ikke)</span>`;
    }),
    ", ",
  );
}

/** The badges after an item's title: Lokal, Afvigelse, Ikke relevant her. */
export function badges(e: { origin: string; deviation: Deviation | null; not_applicable: string | null }): SafeHtml {
  return html`${e.origin === "local" ? html`<span class="badge badge-local">Lokal</span>` : ""}${
    e.deviation ? html`<span class="badge badge-deviation">Afvigelse</span>` : ""
  }${e.not_applicable !== null ? html`<span class="badge badge-na">Ikke relevant her</span>` : ""}`;
}

function classes(e: AnyEntry): string {
  return [
    "item",
    e.origin === "local" ? "item-local" : "",
    e.deviation ? "item-deviation" : "",
    e.not_applicable !== null ? "item-na" : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** One item: reference, title, badges, the not-applicable note, then its body. */
function item(e: AnyEntry, title: string, body: Child, id?: string, level: 3 | 4 = 4): SafeHtml {
  const h = html`<h${level} class="item-title">${title || "(uden titel)"}</h${level}>`;
  return html`<article class="${classes(e)}"${id ? html` id="${id}"` : ""} aria-label="${e.reference} ${title}">
  <header class="item-head"><span class="ref">${e.reference}</span> ${h}${badges(e)}</header>
  ${
    e.not_applicable !== null
      ? html`<p class="na-note"><strong>Ikke relevant her:</strong> ${text(e.not_applicable)}</p>`
      : ""
  }
  ${body}
</article>`;
}

function group(title: string, entries: readonly AnyEntry[], render: (e: never) => SafeHtml): SafeHtml {
  return html`<section class="group"><h3>${title} <span class="count">(${entries.length})</span></h3>${
    entries.length === 0 ? html`<p class="blank">Ingen.</p>` : entries.map((e) => render(e as never))
  }</section>`;
}

function section(id: string, title: string, article: string, body: Child): SafeHtml {
  return html`<section class="dpia-section" id="${id}" aria-labelledby="${id}-h" tabindex="-1">
  <h2 id="${id}-h">${title}${article ? html` <span class="article">${article}</span>` : ""}</h2>
  ${body}
</section>`;
}

/** "Fælles basis: … / Lokalt: …" side by side. */
function compare(base: Child, local: Child): SafeHtml {
  return html`<div class="compare">
  <div class="compare-base"><span class="compare-label">Fælles basis</span>${base}</div>
  <div class="compare-local"><span class="compare-label">Lokalt</span>${local}</div>
</div>`;
}

// ---- Risks ------------------------------------------------------------------------------------

function ratingSummary(r: Rating): SafeHtml {
  return html`${levelBadge(ratingLevel(r))} <span class="cl">konsekvens <b>${word(CONSEQUENCE, r.consequence)}</b>, sandsynlighed <b>${word(LIKELIHOOD, r.likelihood)}</b></span>`;
}

function sameRating(a: Rating, b: Rating): boolean {
  return a.consequence === b.consequence && a.likelihood === b.likelihood;
}

/** One dimension's cell: level, consequence and likelihood, their reasons, and the base
 *  rating where the supplement changed it. An unrated dimension without reasons says so briefly. */
function ratingCell(r: Rating, base: Rating | null): SafeHtml {
  const rated = r.consequence !== null || r.likelihood !== null;
  const reasons = r.consequence_reason.trim() !== "" || r.likelihood_reason.trim() !== "";
  return html`<td>
  <div class="rating">${rated ? ratingSummary(r) : levelBadge(null)}</div>
  ${
    rated || reasons
      ? html`<p class="reason"><span class="reason-label">Konsekvens:</span> ${text(r.consequence_reason)}</p>
  <p class="reason"><span class="reason-label">Sandsynlighed:</span> ${text(r.likelihood_reason)}</p>`
      : ""
  }
  ${base && !sameRating(r, base) ? html`<p class="base-value"><span class="compare-label">Fælles basis</span> ${ratingSummary(base)}</p>` : ""}
</td>`;
}

/** The C/I/A table of one risk: inherent and residual, with reasons; base values beside overrides. */
export function ratingTable(r: Risk, deviation: Deviation | null): SafeHtml {
  const dev = deviation?.type === "risk_rating" ? deviation : null;
  const rows = DIMENSIONS.map(
    ([dim, label]) => html`<tr><th scope="row">${label}</th>${ratingCell(r.inherent[dim], dev ? dev.base_inherent[dim] : null)}${ratingCell(
      r.residual[dim],
      dev ? dev.base_residual[dim] : null,
    )}</tr>`,
  );
  return html`<table class="ratings">
  <caption>Vurdering af ${r.reference} for fortrolighed, integritet og tilgængelighed</caption>
  <thead><tr><th scope="col">Dimension</th><th scope="col">Iboende risiko</th><th scope="col">Restrisiko</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`;
}

function overall(a: Assessment): SafeHtml {
  return levelBadge(assessmentLevel(a));
}

function risk(d: EffectiveDpia, idx: Index, e: Entry<Risk>): SafeHtml {
  const dev = e.deviation?.type === "risk_rating" ? e.deviation : null;
  const source = e.source ? RISK_SOURCE[e.source] : "";
  const measures = measuresFor(d, e.id).map((m) => m.id);
  const body = html`
  <p class="risk-levels">Iboende risiko ${overall(e.inherent)} <span aria-hidden="true">→</span> restrisiko ${overall(e.residual)}</p>
  ${
    dev
      ? compare(
          html`<p>Iboende ${overall(dev.base_inherent)}, rest ${overall(dev.base_residual)}</p>`,
          html`<p>Iboende ${overall(e.inherent)}, rest ${overall(e.residual)}</p><p class="reason"><span class="reason-label">Begrundelse for lokal vurdering:</span> ${text(dev.reason)}</p>`,
        )
      : ""
  }
  ${fields(
    field("Trussel", text(e.threat)),
    field("Kilde", source ? html`${source}${e.source_reference ? ` (${e.source_reference})` : ""}` : UNSET),
    field("Processer", links(e.processes, idx)),
    field("Moduler", links(e.modules, idx)),
  )}
  ${ratingTable(e, e.deviation)}
  ${fields(
    e.residual_reason.trim() ? field("Begrundelse for restrisiko", text(e.residual_reason)) : "",
    e.acceptance.trim() ? field("Accept af risikoen", text(e.acceptance)) : "",
    field("Foranstaltninger", links(measures, idx)),
  )}`;
  return item(e, e.title, body, idx.get(e.id)?.anchor, 3);
}

// ---- Measures ---------------------------------------------------------------------------------

export function measureStatus(m: Measure): SafeHtml {
  if (!m.status) return UNSET;
  const date = m.status === "planned" && m.planned_date ? ` (senest ${danishDate(m.planned_date)})` : "";
  return html`<span class="status status-${m.status}">${MEASURE_STATUS[m.status]}</span>${date}`;
}

function measure(idx: Index, e: Entry<Measure>): SafeHtml {
  const dev = e.deviation?.type === "measure_status" ? e.deviation : null;
  const owner = e.owner ? OWNER[e.owner] : "";
  const body = html`
  ${dev ? compare(html`<p>${measureStatus(e)}</p>`, html`<p><strong>${word(LOCAL_MEASURE_STATE, dev.state)}</strong></p><p>${text(dev.text)}</p>`) : ""}
  ${fields(
    field("Beskrivelse", text(e.description)),
    field("Type", word(MEASURE_KIND, e.kind)),
    field("Status", measureStatus(e)),
    e.status === "rejected" ? field("Begrundelse for fravalg", text(e.rejection_reason)) : "",
    field("Ansvarlig", owner ? html`${owner}${e.owner_name ? ` (${e.owner_name})` : ""}` : UNSET),
    field("Reducerer risici", links(e.mitigates, idx)),
    field("Dokumentation", links(e.evidence, idx)),
  )}`;
  return item(e, e.title, body, idx.get(e.id)?.anchor, 3);
}

// ---- The whole document -----------------------------------------------------------------------

export interface Section {
  id: string;
  title: string;
}

export const SECTIONS: Section[] = [
  { id: "overblik", title: "Risici i overblik" },
  { id: "beskrivelse", title: "1. Systematisk beskrivelse" },
  { id: "noedvendighed", title: "2. Nødvendighed og proportionalitet" },
  { id: "wp248", title: "3. WP248-screening" },
  { id: "risici", title: "4. Risici" },
  { id: "foranstaltninger", title: "5. Foranstaltninger" },
  { id: "tillaeg", title: "6. Tillæg og afvigelser" },
  { id: "dpo", title: "7. DPO-rådgivning" },
  { id: "hoering", title: "8. Forudgående høring" },
  { id: "revision", title: "9. Revision" },
];

function counts(c: LevelCounts): SafeHtml {
  return html`<span class="level level-low">${c.low} lav</span> <span class="level level-medium">${c.medium} mellem</span> <span class="level level-high">${c.high} høj</span>`;
}

function description(d: EffectiveDpia, idx: Index): SafeHtml {
  const i = d.items;
  return html`
  ${fields(
    field("Sammenfatning", text(d.description.summary)),
    field("Afgrænsning", text(d.description.scope)),
    field("Opbevaring og sletning", text(d.description.retention)),
    field("Ny teknologi", yesNo(d.description.new_technology)),
    d.description.new_technology_text.trim() ? field("Om ny teknologi", text(d.description.new_technology_text)) : "",
    d.local_legal_basis.trim()
      ? field(html`Lokalt supplerende retsgrundlag <span class="badge badge-local">Lokal</span>`, text(d.local_legal_basis))
      : "",
  )}
  ${group("Databehandlingsprocesser", i.processes, (e: (typeof i.processes)[number]) =>
    item(e, e.name, fields(
      field("Beskrivelse", text(e.description)),
      field("Behandlingsaktiviteter", e.operations.length ? e.operations.map((o) => OPERATION[o]).join(", ") : NONE),
      field("Moduler", links(e.modules, idx)),
      field("Formål", links(e.purposes, idx)),
    ), idx.get(e.id)?.anchor),
  )}
  ${group("Moduler", i.modules, (e: (typeof i.modules)[number]) =>
    item(e, e.name, fields(field("Beskrivelse", text(e.description))), idx.get(e.id)?.anchor),
  )}
  ${group("Formål og retsgrundlag", i.purposes, (e: (typeof i.purposes)[number]) => {
    const art = [...e.legal_basis.art6.map((a) => ART6[a]), ...e.legal_basis.art9.map((a) => ART9[a])];
    return item(e, e.title, fields(
      field("Beskrivelse", text(e.description)),
      field("Databeskyttelsesforordningen", art.length ? art.join("; ") : UNSET),
      field("Begrundelse for retsgrundlag", text(e.legal_basis.gdpr_text)),
      field("National lovgivning", text(e.legal_basis.national_law)),
    ), idx.get(e.id)?.anchor);
  })}
  ${group("Kategorier af personoplysninger", i.data_categories, (e: (typeof i.data_categories)[number]) =>
    item(e, e.name, fields(
      field("Klassifikation", word(DATA_CLASS, e.class)),
      field("Eksempler", text(e.examples)),
      field("Opbevaring", text(e.retention)),
      field("Kilder", links(e.sources, idx)),
      field("Registrerede", links(e.subjects, idx)),
    ), idx.get(e.id)?.anchor),
  )}
  ${group("Kategorier af registrerede", i.subject_categories, (e: (typeof i.subject_categories)[number]) => {
    const dev = e.deviation?.type === "subject_count" ? e.deviation : null;
    const count = (n: number | null) => (n === null ? UNSET : html`${danishNumber(n)}`);
    return item(e, e.name, html`
      ${dev ? compare(html`<p>Antal: ${count(dev.base_count)}</p>`, html`<p>Antal: <strong>${count(e.count)}</strong></p><p>${text(dev.note)}</p>`) : ""}
      ${fields(
        field("Antal", count(e.count)),
        field("Om antallet", text(e.count_note)),
        field("Sårbare registrerede", e.vulnerable ? "ja" : "nej"),
        e.vulnerable ? field("Hvorfor sårbare", text(e.vulnerable_reason)) : "",
      )}`, idx.get(e.id)?.anchor);
  })}
  ${group("Kilder", i.sources, (e: (typeof i.sources)[number]) =>
    item(e, e.name, fields(field("Beskrivelse", text(e.description))), idx.get(e.id)?.anchor),
  )}
  ${group("Modtagere og adgang", i.recipients, (e: (typeof i.recipients)[number]) =>
    item(e, e.name, fields(field("Adgang", word(ACCESS_SIDE, e.side)), field("Hvem og hvordan", text(e.access))), idx.get(e.id)?.anchor),
  )}
  ${group("Databehandlere", i.processors, (e: (typeof i.processors)[number]) =>
    item(e, e.name, fields(
      field("Rolle", word(PROCESSOR_ROLE, e.role)),
      e.parent ? field("Underdatabehandler for", links([e.parent], idx)) : "",
      field("Ydelse", text(e.service)),
      field("Placering", e.location || UNSET),
    ), idx.get(e.id)?.anchor),
  )}
  ${group("Overførsler til tredjelande", i.transfers, (e: (typeof i.transfers)[number]) =>
    item(e, `${e.country} — ${e.recipient}`, fields(
      field("Overførselsgrundlag", word(TRANSFER_BASIS, e.basis)),
      field("Beskrivelse", text(e.description)),
    ), idx.get(e.id)?.anchor),
  )}
  ${group("Dokumenttyper", i.document_types, (e: (typeof i.document_types)[number]) =>
    item(e, e.name, fields(
      field("Beskrivelse", text(e.description)),
      e.module ? field("Modul", links([e.module], idx)) : "",
    ), idx.get(e.id)?.anchor),
  )}
  ${group("Andre systemer", i.systems, (e: (typeof i.systems)[number]) =>
    item(e, e.name, fields(field("Beskrivelse", text(e.description))), idx.get(e.id)?.anchor),
  )}`;
}

function necessity(d: EffectiveDpia): SafeHtml {
  if (d.items.purposes.length === 0) return html`<p class="blank">Ingen formål er beskrevet.</p>`;
  return join(
    d.items.purposes.map((e) =>
      item(e, e.title, fields(NECESSITY_ASPECTS.map(([key, label]) => field(label, text(e.necessity[key])))), undefined, 3),
    ),
  );
}

function wp248(d: EffectiveDpia): SafeHtml {
  const met = WP248_CRITERIA.filter(([key]) => d.wp248[key].met === true).length;
  const rows = WP248_CRITERIA.map(([key, label]) => {
    const a = d.wp248[key];
    return html`<tr><th scope="row">${label}</th><td class="answer answer-${String(a.met)}">${yesNo(a.met)}</td><td>${text(a.reason)}</td></tr>`;
  });
  return html`<table class="wp248">
  <caption>De ni kriterier i WP248 (rev. 01)</caption>
  <thead><tr><th scope="col">Kriterium</th><th scope="col">Opfyldt</th><th scope="col">Begrundelse</th></tr></thead>
  <tbody>${rows}</tbody>
</table>
<p class="summary"><strong>${met} af 9 kriterier opfyldt</strong>${met >= 2 ? " — en konsekvensanalyse er påkrævet." : "."}</p>`;
}

function supplement(d: EffectiveDpia, idx: Index, isBase: boolean): SafeHtml {
  if (isBase) {
    return html`<p class="blank">Den fælles basis har intet lokalt tillæg. Vælg en kommune for at se dens tillæg og afvigelser.</p>`;
  }
  const all = (Object.keys(d.items) as (keyof Items)[]).flatMap((k) => d.items[k] as AnyEntry[]);
  const title = (e: AnyEntry) => {
    const t = e as unknown as { title?: string; name?: string; country?: string; advisor?: string; reviewer?: string };
    return t.title ?? t.name ?? t.country ?? t.advisor ?? t.reviewer ?? "";
  };
  const line = (e: AnyEntry, note: Child) => {
    const target = idx.get(e.id);
    return html`<li><a href="#${target?.anchor ?? ""}">${e.reference}</a> ${title(e)}${note ? html` — ${note}` : ""}</li>`;
  };
  const local = all.filter((e) => e.origin === "local");
  const deviations = all.filter((e) => e.deviation !== null);
  const na = all.filter((e) => e.not_applicable !== null);
  const devNote = (dev: Deviation): SafeHtml => {
    switch (dev.type) {
      case "risk_rating":
        return html`anden risikovurdering: ${text(dev.reason)}`;
      case "measure_status":
        return html`${word(LOCAL_MEASURE_STATE, dev.state)}: ${text(dev.text)}`;
      case "subject_count":
        return html`eget antal registrerede: ${text(dev.note)}`;
    }
  };
  const conditions = JOINT_CONDITIONS.map(([key, label]) => {
    const a = d.conditions[key];
    return html`<tr><th scope="row">${label}</th><td class="answer answer-${String(a.met)}">${yesNo(a.met)}</td><td>${text(a.reason)}</td></tr>`;
  });
  return html`
  ${fields(
    field("Kommune", `${d.org.name}${d.org.code !== null ? ` (${d.org.code})` : ""}`),
    field("Vurderet mod basisudgivelse", d.base_release || html`<span class="blank">(arbejdsversion)</span>`),
    field("Lokalt supplerende retsgrundlag", text(d.local_legal_basis)),
    field("Kontakter", text(d.contacts)),
  )}
  <h3>Betingelser for fælles konsekvensanalyse</h3>
  <table class="conditions">
    <caption>Afgørelsens betingelser for at dele én konsekvensanalyse</caption>
    <thead><tr><th scope="col">Betingelse</th><th scope="col">Opfyldt</th><th scope="col">Begrundelse</th></tr></thead>
    <tbody>${conditions}</tbody>
  </table>
  <h3>Lokale tilføjelser <span class="count">(${local.length})</span></h3>
  ${local.length ? html`<ul class="overview">${local.map((e) => line(e, ""))}</ul>` : html`<p class="blank">Ingen.</p>`}
  <h3>Afvigelser fra den fælles basis <span class="count">(${deviations.length})</span></h3>
  ${deviations.length ? html`<ul class="overview">${deviations.map((e) => line(e, devNote(e.deviation as Deviation)))}</ul>` : html`<p class="blank">Ingen.</p>`}
  <h3>Ikke relevant her <span class="count">(${na.length})</span></h3>
  ${na.length ? html`<ul class="overview">${na.map((e) => line(e, text(e.not_applicable)))}</ul>` : html`<p class="blank">Ingen.</p>`}
  ${
    d.unresolved_targets.length
      ? html`<p class="warning" role="note"><strong>Advarsel:</strong> tillægget henviser til basiselementer, der ikke findes: ${d.unresolved_targets.join(", ")}</p>`
      : ""
  }
  <h3>Underskrivere</h3>
  ${
    d.signatories.length
      ? html`<ul>${d.signatories.map((s) => html`<li>${s.name} — ${s.capacity}</li>`)}</ul>`
      : html`<p class="blank">Ingen angivet.</p>`
  }`;
}

function dpo(d: EffectiveDpia, idx: Index): SafeHtml {
  if (d.items.dpo_advice.length === 0) return html`<p class="blank">Ingen rådgivning er registreret.</p>`;
  return join(
    d.items.dpo_advice.map((e) =>
      item(e, `${e.date ? danishDate(e.date) : "(udateret)"} — ${e.advisor}`, fields(
        field("Vedrører version", e.concerns_version || UNSET),
        field("Rådgivning", text(e.advice)),
        field("Fulgt", word(ADVICE_RESPONSE, e.response)),
        field("Begrundelse", text(e.response_reason)),
      ), idx.get(e.id)?.anchor, 3),
    ),
  );
}

function originNote(origin: string): SafeHtml {
  return origin === "local" ? html` <span class="badge badge-local">Lokal</span>` : html``;
}

function consultation(d: EffectiveDpia): SafeHtml {
  const pc = d.prior_consultation;
  return html`${originNote(d.prior_consultation_origin)}${fields(
    field("Påkrævet", yesNo(pc.required)),
    field("Begrundelse", text(pc.reason)),
    pc.submitted ? field("Indsendt", danishDate(pc.submitted)) : "",
    pc.case_number ? field("Journalnummer", pc.case_number) : "",
    pc.outcome.trim() ? field("Resultat", text(pc.outcome)) : "",
  )}`;
}

function review(d: EffectiveDpia, idx: Index): SafeHtml {
  return html`${originNote(d.review_plan_origin)}${fields(
    field("Næste revision", d.review_plan.next_review ? danishDate(d.review_plan.next_review) : html`<span class="blank">(ikke planlagt)</span>`),
    field("Udløsende forhold", text(d.review_plan.triggers)),
  )}
  ${group("Gennemførte revisioner", d.items.reviews, (e: (typeof d.items.reviews)[number]) =>
    item(e, `${e.date ? danishDate(e.date) : "(udateret)"} — ${e.reviewer}`, fields(
      field("Anledning", text(e.trigger)),
      field("Resultat", text(e.summary)),
    ), idx.get(e.id)?.anchor),
  )}`;
}

/** Every risk on one line: levels before and after measures, where it comes from, its measures. */
export function riskOverview(d: EffectiveDpia, idx: Index = index(d)): SafeHtml {
  if (d.items.risks.length === 0) return html`<p class="blank">Ingen risici.</p>`;
  const rows = d.items.risks.map((e) => {
    const target = idx.get(e.id);
    const na = e.not_applicable !== null;
    return html`<tr class="${na ? "row-na" : ""}">
  <td><a class="ref" href="#${target?.anchor ?? ""}">${e.reference}</a></td>
  <td>${e.title}${badges(e)}</td>
  <td>${na ? "–" : overall(e.inherent)}</td>
  <td>${na ? "–" : overall(e.residual)}</td>
  <td>${na ? html`<span class="blank">ikke relevant her</span>` : links(measuresFor(d, e.id).map((m) => m.id), idx)}</td>
</tr>`;
  });
  return html`<table class="overview-table">
  <caption>Alle risici med niveau før (iboende) og efter (rest) foranstaltninger</caption>
  <thead><tr><th scope="col">Ref.</th><th scope="col">Risiko</th><th scope="col">Iboende</th><th scope="col">Rest</th><th scope="col">Foranstaltninger</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`;
}

/** The table of contents. */
export function toc(): SafeHtml {
  return html`<nav class="toc" aria-label="Indhold"><h2 class="toc-title">Indhold</h2><ol>${SECTIONS.map(
    (s) => html`<li><a href="#${s.id}">${s.title}</a></li>`,
  )}</ol></nav>`;
}

/** The whole DPIA: header with the risk picture, then sections 1–9. */
export function renderDpia(d: EffectiveDpia, isBase: boolean): SafeHtml {
  const idx = index(d);
  const { before, after } = distribution(d);
  const title = d.base.title || "Konsekvensanalyse";
  const who = isBase ? "Fælles basis" : `${d.org.name}${d.org.code !== null ? ` (${d.org.code})` : ""}`;
  const localCount = (Object.keys(d.items) as (keyof Items)[]).reduce(
    (n, k) => n + (d.items[k] as AnyEntry[]).filter((e) => e.origin === "local").length,
    0,
  );
  const s = Object.fromEntries(SECTIONS.map((x) => [x.id, x.title]));
  return html`<header class="dpia-head">
  <h2 class="dpia-title" id="dpia-title">${title} <span class="who">— ${who}</span></h2>
  <p class="meta">System: ${d.base.system || "–"} · Basisversion: ${d.base.version_label || "–"}${
    d.coordinator ? ` · Koordinator: ${d.coordinator}` : ""
  }${isBase ? "" : html` · <span class="badge badge-local">Lokal</span> ${localCount} lokale elementer`}</p>
  <p class="picture">Risikobillede før foranstaltninger: ${counts(before)} · efter: ${counts(after)}</p>
</header>
${section("overblik", s.overblik, "", riskOverview(d, idx))}
${section("beskrivelse", s.beskrivelse, "art. 35, stk. 7, litra a", description(d, idx))}
${section("noedvendighed", s.noedvendighed, "art. 35, stk. 7, litra b", necessity(d))}
${section("wp248", s.wp248, "", wp248(d))}
${section("risici", s.risici, "art. 35, stk. 7, litra c", d.items.risks.length ? d.items.risks.map((e) => risk(d, idx, e)) : html`<p class="blank">Ingen risici.</p>`)}
${section("foranstaltninger", s.foranstaltninger, "art. 35, stk. 7, litra d", html`${
    d.items.measures.length ? d.items.measures.map((e) => measure(idx, e)) : html`<p class="blank">Ingen foranstaltninger.</p>`
  }${group("Dokumentation", d.items.evidence, (e: (typeof d.items.evidence)[number]) =>
    item(e, e.title, fields(
      field("Art", word(EVIDENCE_KIND, e.kind)),
      field("Udstedt af", e.issued_by || UNSET),
      e.date ? field("Dato", danishDate(e.date)) : "",
      e.received ? field("Modtaget", danishDate(e.received)) : "",
      e.location ? field("Placering", e.location) : "",
    ), idx.get(e.id)?.anchor),
  )}`)}
${section("tillaeg", s.tillaeg, "", supplement(d, idx, isBase))}
${section("dpo", s.dpo, "art. 35, stk. 2", dpo(d, idx))}
${section("hoering", s.hoering, "art. 36", consultation(d))}
${section("revision", s.revision, "art. 35, stk. 11", review(d, idx))}`;
}
