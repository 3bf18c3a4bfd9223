// Art. 35(7)(c): the risk register. A table to sort and filter (by C/I/A, level, owner,
// source), a consequence × likelihood matrix to place the selected risk on, and a detail pane
// with every rating and its reasons, inherent and residual side by side.

import { useEffect, useMemo, useState } from "preact/hooks";
import { RichText } from "../components/RichText";
import { CommentCount } from "../components/Remarks";
import { HeatMap } from "../components/Picture";
import { legacyNote, ratingPatch } from "../rating";
import { Card, Empty, Level, Links, LocalBadge, DeviationBadge, NotApplicableBadge, Ref, SelectField, TextField, YesNo, options } from "../components/ui";
import {
  CONSEQUENCE, CONSEQUENCES, DIMENSIONS, LEVEL, LIKELIHOOD, LIKELIHOODS, OWNER, RISK_SOURCE, levelOrder, t, type Dimension,
} from "../i18n";
import { baseFrozen, dpia, focus, frozenHint, newItem, patchItem, removeItem, scope, supplementDoc } from "../state";
import type { Consequence, Likelihood, Owner, RiskSource } from "../bindings";
import type { EffectiveDpia, Entry, Matrix, Measure, Rating, Risk, RiskLevel, Value } from "../model";

type Phase = "inherent" | "residual";

/** The thread panel's target for a risk, or one rating of it. */
function riskTarget(e: Entry<Risk>, field = "", label = e.reference) {
  return { item: e.id, field, release: null, supplement: e.origin === "local" ? Number(e.doc.split("/")[1]) || null : null, label, kind: "risk" };
}
type SortKey = "reference" | "title" | "source" | "inherent" | "residual" | "measures";

/** The level a risk has in one phase, in one dimension or overall, as the core derived it. */
function levelOf(d: EffectiveDpia, e: Entry<Risk>, phase: Phase, dim: Dimension | "all"): RiskLevel | null {
  const levels = d.risk_facts[e.id]?.[phase];
  return levels ? levels[dim === "all" ? "overall" : dim] : null;
}

/** The measures that apply here and mitigate the risk, as the core found them. */
function measuresFor(d: EffectiveDpia, risk: string): Entry<Measure>[] {
  const ids = d.risk_facts[risk]?.measures ?? [];
  return ids.map((id) => d.items.measures.find((m) => m.id === id)).filter((m): m is Entry<Measure> => m !== undefined);
}

function RatingEditor(p: { label: string; rating: Rating; level: RiskLevel | null; save: (patch: Partial<Record<keyof Rating, unknown>>) => void; base?: Rating; baseLevel?: RiskLevel | null; comments?: preact.ComponentChildren }) {
  const r = p.rating;
  const legacy = legacyNote(r);
  return (
    <fieldset class="rating">
      <legend>{p.label} <Level level={p.level} /> {p.comments}</legend>
      <YesNo label={t("Ikke berørt af truslen?", "Not affected by the threat?")} value={r.unaffected} onChange={(v) => p.save({ unaffected: v === true })} />
      {r.unaffected ? (
        <TextField multiline rows={2} label={t("Hvorfor dimensionen ikke er berørt", "Why the dimension is not affected")} value={r.unaffected_reason} onCommit={(v) => p.save({ unaffected_reason: v })} />
      ) : <>
      {legacy && (
        <div class="legacy-level" role="note">
          <p><strong>{legacy.written}</strong> <Level level={r.legacy_level ?? null} /></p>
          <p class="warn-text">{legacy.lacks}</p>
        </div>
      )}
      <SelectField label={t("Konsekvens", "Consequence")} value={r.consequence} options={CONSEQUENCES} word={CONSEQUENCE} onChange={(v) => p.save(ratingPatch(r, { consequence: v }))} />
      <TextField multiline rows={2} label={t("Begrundelse for konsekvensen", "Reason for the consequence")} value={r.consequence_reason} onCommit={(v) => p.save({ consequence_reason: v })} />
      <SelectField label={t("Sandsynlighed", "Likelihood")} value={r.likelihood} options={LIKELIHOODS} word={LIKELIHOOD} onChange={(v) => p.save(ratingPatch(r, { likelihood: v }))} />
      <TextField multiline rows={2} label={t("Begrundelse for sandsynligheden", "Reason for the likelihood")} value={r.likelihood_reason} onCommit={(v) => p.save({ likelihood_reason: v })} />
      </>}
      {p.base && (p.base.consequence !== r.consequence || p.base.likelihood !== r.likelihood) && (
        <p class="hint base-value">{t("Fælles basis", "Joint base")}: {CONSEQUENCE(p.base.consequence)} × {LIKELIHOOD(p.base.likelihood)} <Level level={p.baseLevel ?? null} /></p>
      )}
    </fieldset>
  );
}

function Detail({ entry, phase, dimension }: { entry: Entry<Risk>; phase: Phase; dimension: Dimension }) {
  const d = dpia.value!;
  const e = entry;
  const doc = e.doc;
  const save = (patch: object) => void patchItem(doc, "risk", e.id, patch as Value);
  const deviation = e.deviation?.type === "risk_rating" ? e.deviation : null;
  const facts = d.risk_facts[e.id];
  const linked = measuresFor(d, e.id);
  const readOnly = e.origin === "base" && baseFrozen.value;
  return (
    <section class="risk-detail" aria-label={t(`Risiko ${e.reference}`, `Risk ${e.reference}`)}>
      <h2>
        <Ref>{e.reference}</Ref> {e.title || t("(uden titel)", "(untitled)")} {e.origin === "local" && <LocalBadge />} {deviation && <DeviationBadge />} {e.not_applicable !== null && <NotApplicableBadge />} <CommentCount target={riskTarget(e)} always />
      </h2>
      {deviation && (
        <p class="hint deviation-note">
          {t("Kommunen vurderer risikoen anderledes end fælles basis", "The municipality rates this risk differently from the joint base")}: {deviation.reason}. {t("Ændr den lokale vurdering under «Mit tillæg».", "Change the local rating under «My supplement».")}
        </p>
      )}
      {readOnly ? (
        <p class="hint shared-hint">{frozenHint()}</p>
      ) : e.origin === "base" && scope.value !== null && !deviation && (
        <p class="hint shared-hint">{t("Risikoen hører til fælles basis. Vurderer I den anderledes, så afvig under «Mit tillæg».", "The risk belongs to the joint base. If you rate it differently, deviate under «My supplement».")}</p>
      )}
      <fieldset class="plain" disabled={readOnly}>
      <TextField label={t("Titel", "Title")} value={e.title} onCommit={(v) => save({ title: v })} />
      <RichText label={t("Trussel", "Threat")} doc={doc} path={["risks", e.id, "threat"]} create={() => patchItem(doc, "risk", e.id, { threat: "" })} readOnly={readOnly} />
      <div class="row">
        <SelectField label={t("Kilde", "Source")} value={e.source} options={RISK_SOURCE.keys} word={RISK_SOURCE} onChange={(v) => save({ source: v })} />
        <TextField label={t("Reference i kildematerialet", "Reference in the source material")} value={e.source_reference} onCommit={(v) => save({ source_reference: v })} placeholder="KOMBIT Beskeder T3" />
      </div>
      <Links label={t("Berørte processer", "Processes affected")} value={e.processes} options={options(d.items.processes, (x) => x.name)} onChange={(v) => save({ processes: v })} />
      <Links label={t("Berørte moduler", "Modules affected")} value={e.modules} options={options(d.items.modules, (x) => x.name)} onChange={(v) => save({ modules: v })} />

      <div class="side-by-side">
        {(["inherent", "residual"] as const).map((ph) => (
          <div class={`phase${ph === phase ? " current" : ""}`}>
            <h3>{ph === "inherent" ? t("Før foranstaltninger (iboende)", "Before measures (inherent)") : t("Efter foranstaltninger (rest)", "After measures (residual)")} <Level level={levelOf(d, e, ph, "all")} /></h3>
            {DIMENSIONS.keys.map((dim) => (
              <RatingEditor
                label={DIMENSIONS(dim)}
                rating={e[ph][dim]}
                level={levelOf(d, e, ph, dim)}
                base={deviation ? (ph === "inherent" ? deviation.base_inherent : deviation.base_residual)[dim] : undefined}
                baseLevel={(ph === "inherent" ? facts?.base_inherent : facts?.base_residual)?.[dim] ?? null}
                save={(patch) => save({ [ph]: { [dim]: patch } })}
                comments={<CommentCount target={riskTarget(e, `${ph}.${dim}`, `${e.reference} · ${DIMENSIONS(dim)} ${ph === "inherent" ? t("før", "before") : t("efter", "after")}`)} />}
              />
            ))}
          </div>
        ))}
      </div>
      <TextField multiline label={t("Begrundelse, hvis restrisikoen er højere end den iboende", "Reason if the residual risk is higher than the inherent")} value={e.residual_reason} onCommit={(v) => save({ residual_reason: v })} />
      <TextField multiline label={t("Accept af risikoen, som den er (i stedet for en foranstaltning), med begrundelse", "Acceptance of the risk as it is (instead of a measure), with reasons")} value={e.acceptance} onCommit={(v) => save({ acceptance: v })} />
      </fieldset>
      <h3>{t("Foranstaltninger", "Measures")}</h3>
      {linked.length ? (
        <ul class="linked">{linked.map((m) => <li><Ref>{m.reference}</Ref> {m.title} {m.origin === "local" && <LocalBadge />}</li>)}</ul>
      ) : (
        <p class="warn-text">{t("Ingen foranstaltning er knyttet til risikoen. Knyt en i sporbarhedsmatricen under «Foranstaltninger», eller accepter risikoen med en begrundelse.", "No measure is linked to this risk. Link one in the traceability matrix under «Measures», or accept the risk with reasons.")}</p>
      )}
      <p class="hint">{t(`Markeret celle i matricen: ${DIMENSIONS(dimension)}, ${phase === "inherent" ? "før" : "efter"} foranstaltninger. Klik en celle for at placere risikoen.`, `Marked cell in the matrix: ${DIMENSIONS(dimension)}, ${phase === "inherent" ? "before" : "after"} measures. Click a cell to place the risk.`)}</p>
      {!readOnly && (
        <button type="button" class="danger link" onClick={() => {
          if (confirm(t(`Slet ${e.reference}? Det kan fortrydes.`, `Delete ${e.reference}? It can be undone.`))) void removeItem(doc, "risk", e.id);
        }}>{t("Slet", "Delete")} {e.reference}</button>
      )}
    </section>
  );
}

export function Risks() {
  const d = dpia.value;
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "reference", desc: false });
  const [dimension, setDimension] = useState<Dimension | "all">("all");
  const [level, setLevel] = useState<RiskLevel | null>(null);
  const [phase, setPhase] = useState<Phase>("residual");
  const [source, setSource] = useState<RiskSource | null>(null);
  const [owner, setOwner] = useState<Owner | null>(null);
  const [placeDim, setPlaceDim] = useState<Dimension>("confidentiality");
  const rows = useMemo(() => {
    if (!d) return [];
    let list = d.items.risks.filter((e) =>
      (level === null || levelOf(d, e, phase, dimension) === level)
      && (source === null || e.source === source)
      && (owner === null || measuresFor(d, e.id).some((m) => m.owner === owner)));
    // the core gives the risks in reference order
    const order = new Map(d.items.risks.map((e, i) => [e.id, i]));
    const by = (e: Entry<Risk>): string | number => {
      switch (sort.key) {
        case "reference": return order.get(e.id) ?? 0;
        case "title": return e.title.toLowerCase();
        case "source": return e.source ?? "";
        case "inherent": return levelOrder(levelOf(d, e, "inherent", dimension));
        case "residual": return levelOrder(levelOf(d, e, "residual", dimension));
        case "measures": return measuresFor(d, e.id).length;
      }
    };
    list = [...list].sort((a, b) => {
      const [x, y] = [by(a), by(b)];
      const c = typeof x === "number" ? x - (y as number) : String(x).localeCompare(String(y), "da");
      return sort.desc ? -c : c;
    });
    return list;
  }, [d, sort, dimension, level, phase, source, owner]);
  if (!d) return null;
  const selected = d.items.risks.find((e) => e.id === focus.value) ?? null;
  const local = supplementDoc.value;

  // The matrix for placing: counts of all risks in the chosen dimension and phase.
  const matrix: Matrix = { dimension: null, cells: [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]] };
  for (const e of d.items.risks.filter((x) => x.not_applicable === null)) {
    const r = e[phase][placeDim];
    if (r.consequence && r.likelihood) matrix.cells[CONSEQUENCES.indexOf(r.consequence)][LIKELIHOODS.indexOf(r.likelihood)]++;
  }
  const place = (c: Consequence, l: Likelihood) => {
    if (selected) void patchItem(selected.doc, "risk", selected.id, { [phase]: { [placeDim]: { consequence: c, likelihood: l } } });
  };
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : "none"}>
      <button type="button" class="sort" onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : false })}>
        {label} {sort.key === key ? (sort.desc ? "▼" : "▲") : ""}
      </button>
    </th>
  );
  const add = async (doc: string) => {
    const id = await newItem(doc, "risk");
    if (id) focus.value = id;
  };
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Risici", "Risks")} <small class="basis">{t("art. 35, stk. 7, litra c", "Art. 35(7)(c)")}</small></h1>
        <p class="lead">{t("Hver risiko vurderes for fortrolighed, integritet og tilgængelighed — konsekvens og sandsynlighed, hver med begrundelse — før og efter foranstaltninger.", "Each risk is rated for confidentiality, integrity and availability — consequence and likelihood, each with reasons — before and after measures.")}</p>
      </header>
      <div class="filters" role="group" aria-label={t("Filtre", "Filters")}>
        <SelectField label={t("Niveau for", "Level of")} value={dimension === "all" ? null : dimension} options={DIMENSIONS.keys} word={DIMENSIONS} emptyLabel={t("samlet (højeste)", "overall (highest)")} onChange={(v) => setDimension(v ?? "all")} />
        <SelectField label={t("Fase", "Phase")} value={phase} options={["inherent", "residual"] as Phase[]} word={(p) => (p === "inherent" ? t("før foranstaltninger", "before measures") : t("efter foranstaltninger", "after measures"))} empty={false} onChange={(v) => setPhase(v ?? "residual")} />
        <SelectField label={t("Niveau", "Level")} value={level} options={[...LEVEL.keys].reverse()} word={LEVEL} emptyLabel={t("alle", "all")} onChange={setLevel} />
        <SelectField label={t("Kilde", "Source")} value={source} options={RISK_SOURCE.keys} word={RISK_SOURCE} emptyLabel={t("alle", "all")} onChange={setSource} />
        <SelectField label={t("Ansvarlig for foranstaltning", "Measure owner")} value={owner} options={OWNER.keys} word={OWNER} emptyLabel={t("alle", "all")} onChange={setOwner} />
        <p class="filter-count" role="status">{rows.length} {t("af", "of")} {d.items.risks.length} {t("risici", "risks")}</p>
      </div>
      <div class="register">
        <div class="register-table">
          {rows.length === 0 ? <Empty>{t("Ingen risici passer til filtrene.", "No risks match the filters.")}</Empty> : (
            <table class="table risks">
              <caption class="sr-only">{t("Risikoregister", "Risk register")}</caption>
              <thead>
                <tr>
                  {header("reference", t("Ref.", "Ref."))}
                  {header("title", t("Risiko", "Risk"))}
                  {header("source", t("Kilde", "Source"))}
                  {header("inherent", t("Før", "Before"))}
                  {header("residual", t("Efter", "After"))}
                  {header("measures", t("Foranst.", "Measures"))}
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => {
                  const n = measuresFor(d, e.id).length;
                  return (
                    <tr class={`${e.id === selected?.id ? "selected" : ""}${e.not_applicable !== null ? " na" : ""}`} aria-selected={e.id === selected?.id} onClick={() => (focus.value = e.id)}>
                      <td><button type="button" class="link" onClick={() => (focus.value = e.id)} aria-label={t(`Vis risiko ${e.reference}`, `Show risk ${e.reference}`)}><Ref>{e.reference}</Ref></button></td>
                      <td>{e.title} <CommentCount target={riskTarget(e)} /> {e.origin === "local" && <LocalBadge />} {e.deviation && <DeviationBadge />} {e.not_applicable !== null && <NotApplicableBadge />}</td>
                      <td>{RISK_SOURCE(e.source)}</td>
                      <td><Level level={levelOf(d, e, "inherent", dimension)} /></td>
                      <td><Level level={levelOf(d, e, "residual", dimension)} /></td>
                      <td class={n === 0 && !e.acceptance.trim() ? "unlinked" : ""}>{n || (e.acceptance.trim() ? t("accepteret", "accepted") : t("ingen", "none"))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <div class="actions">
            {!baseFrozen.value && <button type="button" onClick={() => void add("base")}>+ {t("Risiko i fælles basis", "Risk in the joint base")}</button>}
            {local && <button type="button" onClick={() => void add(local)}>+ {t("Lokal risiko (mit tillæg)", "Local risk (my supplement)")}</button>}
          </div>
          <Card title={t("Placér risikoen i matricen", "Place the risk in the matrix")}>
            <div class="row">
              <SelectField label={t("Dimension", "Dimension")} value={placeDim} options={DIMENSIONS.keys} word={DIMENSIONS} empty={false} onChange={(v) => setPlaceDim(v ?? "confidentiality")} />
            </div>
            <HeatMap
              caption={`${DIMENSIONS(placeDim)}, ${phase === "inherent" ? t("før foranstaltninger", "before measures") : t("efter foranstaltninger", "after measures")}`}
              matrix={matrix}
              onPick={selected && !(selected.origin === "base" && baseFrozen.value) ? place : undefined}
              mark={selected ? { c: selected[phase][placeDim].consequence, l: selected[phase][placeDim].likelihood } : undefined}
            />
            {!selected && <p class="hint">{t("Vælg en risiko i tabellen for at placere den.", "Choose a risk in the table to place it.")}</p>}
          </Card>
        </div>
        {/* Scrolls on its own: reachable by keyboard even when everything in it is read-only. */}
        <div class="register-detail" tabIndex={0} role="region" aria-label={t("Den valgte risiko", "The selected risk")}>
          {selected ? <Detail entry={selected} phase={phase} dimension={placeDim} /> : <Empty>{t("Vælg en risiko i tabellen.", "Choose a risk in the table.")}</Empty>}
        </div>
      </div>
      <SupplierSheets />
    </div>
  );
}

/** The risks whose source reference names a sheet's threat (as the core's check reads it:
 *  the sheet's label, then the number; case, quotes and commas aside). */
function coveringRisks(d: EffectiveDpia, label: string, number: string): string[] {
  const key = (s: string) => s.replace(/[,;:«»"“”'‘’]/g, " ").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
  const head = `${key(label)} `;
  return d.items.risks
    .filter((r) => {
      const k = key(r.source_reference);
      return k.startsWith(head) && k.slice(head.length).split(" ").some((w) => w.replace(/[.)]+$/, "") === key(number));
    })
    .map((r) => r.reference);
}

/** The supplier sheets imported (konsekvens import sheet / import cnil): what the risks'
 *  source references are checked against. Each threat shows the risks that cover it, or the
 *  reason it is not covered here. */
function SupplierSheets() {
  const d = dpia.value;
  const sheets = d?.items.supplier_sheets ?? [];
  useEffect(() => {
    const id = focus.value;
    if (id && sheets.some((s) => s.id === id)) document.getElementById(`sheet-${id}`)?.scrollIntoView({ block: "start" });
  }, [focus.value, sheets.length]);
  if (!d || sheets.length === 0) return null;
  return (
    <Card title={t("Importerede leverandørark", "Imported supplier sheets")} basis={t("kildehenvisningerne efterprøves mod dem", "source references are checked against them")}>
      {sheets.map((e) => {
        const readOnly = e.origin === "base" && baseFrozen.value;
        const who = [e.supplier, e.version && `${t("version", "version")} ${e.version}`, e.date, e.file && `${e.file}${e.tab ? ` (${e.tab})` : ""}`, e.imported && `${t("importeret", "imported")} ${e.imported}`].filter(Boolean).join(" · ");
        return (
          <section id={`sheet-${e.id}`} class={`supplier-sheet${focus.value === e.id ? " selected" : ""}`} aria-label={t(`Leverandørark ${e.reference}`, `Supplier sheet ${e.reference}`)}>
            <h3><Ref>{e.reference}</Ref> {e.label} {e.origin === "local" && <LocalBadge />}</h3>
            {who && <p class="hint">{who}</p>}
            <table class="table sheet-threats">
              <thead><tr><th>{t("Nr.", "No.")}</th><th>{t("Trussel", "Threat")}</th><th>{t("Dækket af", "Covered by")}</th><th>{t("Hvorfor ikke dækket her", "Why not covered here")}</th></tr></thead>
              <tbody>
                {Object.entries(e.threats).map(([number, threat]) => {
                  const covering = coveringRisks(d, e.label, number);
                  return (
                    <tr class={covering.length === 0 && !threat?.not_covered_reason ? "uncovered" : ""}>
                      <td><Ref>{number}</Ref></td>
                      <td>{threat?.title}</td>
                      <td>{covering.length ? covering.join(", ") : <span class="warn-text">{t("ingen risiko", "no risk")}</span>}</td>
                      <td>{covering.length === 0 && (
                        <TextField label={t(`Hvorfor ${number} ikke er relevant her`, `Why ${number} does not apply here`)} value={threat?.not_covered_reason ?? ""} disabled={readOnly}
                          onCommit={(v) => void patchItem(e.doc, "supplier_sheet", e.id, { threats: { [number]: { not_covered_reason: v } } } as Value)} />
                      )}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        );
      })}
    </Card>
  );
}
