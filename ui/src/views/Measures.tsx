// Art. 35(7)(d): measures with kind, status (planned with a date, rejected with a reason),
// owner and evidence; the risk × measure traceability matrix, where a click makes or breaks a
// link and risks or measures without one stand out; and the evidence itself.

import { Collection } from "../components/Collection";
import { RichText } from "../components/RichText";
import { Card, DateField, Links, LocalBadge, Ref, SelectField, TextField, options } from "../components/ui";
import { EVIDENCE_KIND, MEASURE_KIND, MEASURE_STATUS, OWNER, date, t } from "../i18n";
import { baseFrozen, dpia, focus, link, patchItem } from "../state";
import type { Entry, Measure, Risk } from "../model";

function Traceability() {
  const d = dpia.value!;
  // in reference order, as the core gives them
  const risks = d.items.risks.filter((r) => r.not_applicable === null);
  const measures = d.items.measures.filter((m) => m.not_applicable === null && m.status !== "rejected");
  const covered = (r: Entry<Risk>) => measures.some((m) => m.mitigates.includes(r.id));
  const used = (m: Entry<Measure>) => m.mitigates.some((id) => risks.some((r) => r.id === id));
  return (
    <div class="matrix-scroll">
      <table class="table traceability">
        <caption>{t("Sporbarhed: risici × foranstaltninger. Klik en celle for at knytte eller løsne.", "Traceability: risks × measures. Click a cell to link or unlink.")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("Risiko", "Risk")}</th>
            {measures.map((m) => (
              <th scope="col" class={used(m) ? "" : "unlinked"} title={m.title}>
                <button type="button" class="link vertical" onClick={() => (focus.value = m.id)}>{m.reference}</button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {risks.map((r) => (
            <tr class={covered(r) || r.acceptance.trim() ? "" : "unlinked"}>
              <th scope="row"><Ref>{r.reference}</Ref> <span class="trace-title">{r.title}</span>{!covered(r) && !r.acceptance.trim() && <span class="sr-only"> — {t("ingen foranstaltning", "no measure")}</span>}</th>
              {measures.map((m) => {
                const on = m.mitigates.includes(r.id);
                const label = `${r.reference} ↔ ${m.reference}: ${on ? t("knyttet", "linked") : t("ikke knyttet", "not linked")}`;
                return (
                  <td class={on ? "on" : ""}>
                    <button type="button" role="switch" aria-checked={on} aria-label={label} title={label} disabled={m.origin === "base" && baseFrozen.value} onClick={() => void link(m.doc, m.id, r.id, !on)}>
                      {on ? "●" : ""}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Measures() {
  const d = dpia.value;
  if (!d) return null;
  const risks = d.items.risks;
  const evidence = d.items.evidence;
  const unlinkedRisks = risks.filter((r) => r.not_applicable === null && !r.acceptance.trim() && !d.items.measures.some((m) => m.not_applicable === null && m.status !== "rejected" && m.mitigates.includes(r.id)));
  const unlinkedMeasures = d.items.measures.filter((m) => m.not_applicable === null && m.mitigates.length === 0);
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Foranstaltninger og sporbarhed", "Measures and traceability")} <small class="basis">{t("art. 35, stk. 7, litra d", "Art. 35(7)(d)")}</small></h1>
        <p class="lead">
          {unlinkedRisks.length === 0 && unlinkedMeasures.length === 0
            ? t("Hver risiko har en foranstaltning eller en begrundet accept, og hver foranstaltning er knyttet til en risiko.", "Every risk has a measure or a reasoned acceptance, and every measure is linked to a risk.")
            : t(`${unlinkedRisks.length} risici uden foranstaltning og ${unlinkedMeasures.length} foranstaltninger uden risiko er fremhævet.`, `${unlinkedRisks.length} risks without a measure and ${unlinkedMeasures.length} measures without a risk are highlighted.`)}
        </p>
      </header>
      <Card title={t("Sporbarhedsmatrix", "Traceability matrix")}>
        <Traceability />
      </Card>
      <Card title={t("Foranstaltninger", "Measures")}>
        <Collection kind="measure" noun={t("foranstaltning", "measure")} entries={d.items.measures} title={(e) => e.title}
          detail={(e) => (
            <>
              {MEASURE_STATUS(e.status)}{e.status === "planned" && e.planned_date ? ` ${date(e.planned_date)}` : ""} · {OWNER(e.owner)}
              {e.deviation?.type === "measure_status" ? ` · ${t("lokal status", "local status")}` : ""}
              {e.mitigates.length === 0 ? <span class="warn-text"> · {t("ingen risiko", "no risk")}</span> : null}
            </>
          )}
          editor={({ entry: e, doc, save, readOnly }) => (
            <>
              <TextField label={t("Titel", "Title")} value={e.title} onCommit={(v) => save({ title: v })} />
              <RichText label={t("Beskrivelse", "Description")} doc={doc} path={["measures", e.id, "description"]} create={() => patchItem(doc, "measure", e.id, { description: "" })} readOnly={readOnly} />
              <div class="row">
                <SelectField label={t("Type", "Kind")} value={e.kind} options={MEASURE_KIND.keys} word={MEASURE_KIND} onChange={(v) => save({ kind: v })} />
                <SelectField label={t("Status", "Status")} value={e.status} options={MEASURE_STATUS.keys} word={MEASURE_STATUS} onChange={(v) => save({ status: v })} />
                {e.status === "planned" && <DateField label={t("Planlagt til", "Planned for")} value={e.planned_date} onCommit={(v) => save({ planned_date: v })} />}
              </div>
              {e.status === "rejected" && <TextField multiline label={t("Begrundelse for fravalget", "Reason for rejecting it")} value={e.rejection_reason} onCommit={(v) => save({ rejection_reason: v })} />}
              <div class="row">
                <SelectField label={t("Ansvarlig", "Owner")} value={e.owner} options={OWNER.keys} word={OWNER} onChange={(v) => save({ owner: v })} />
                <TextField label={t("Ansvarlig (navn)", "Owner (name)")} value={e.owner_name} onCommit={(v) => save({ owner_name: v })} />
              </div>
              {e.origin === "local" && <p class="hint"><LocalBadge /> {t("Kommunens egen foranstaltning.", "The municipality's own measure.")}</p>}
              <Links label={t("Reducerer risici", "Reduces risks")} value={e.mitigates} options={options(risks, (r) => r.title)} onChange={(v) => save({ mitigates: v })} />
              <Links label={t("Dokumentation", "Evidence")} value={e.evidence} options={options(evidence, (x) => x.title)} onChange={(v) => save({ evidence: v })} />
            </>
          )} />
      </Card>
      <Card title={t("Dokumentation", "Evidence")} basis={t("erklæringer, politikker, test", "statements, policies, tests")}>
        <Collection kind="evidence" noun={t("dokumentation", "evidence")} entries={evidence} title={(e) => e.title}
          detail={(e) => [EVIDENCE_KIND(e.kind), e.date ? date(e.date) : ""].filter(Boolean).join(" · ")}
          editor={({ entry: e, save }) => (
            <>
              <TextField label={t("Titel", "Title")} value={e.title} onCommit={(v) => save({ title: v })} />
              <div class="row">
                <SelectField label={t("Art", "Kind")} value={e.kind} options={EVIDENCE_KIND.keys} word={EVIDENCE_KIND} onChange={(v) => save({ kind: v })} />
                <TextField label={t("Udstedt af", "Issued by")} value={e.issued_by} onCommit={(v) => save({ issued_by: v })} />
              </div>
              <div class="row">
                <DateField label={t("Dato", "Date")} value={e.date} onCommit={(v) => save({ date: v })} />
                <DateField label={t("Modtaget", "Received")} value={e.received} onCommit={(v) => save({ received: v })} />
              </div>
              <TextField label={t("Hvor findes den", "Where it is kept")} value={e.location} onCommit={(v) => save({ location: v })} />
            </>
          )} />
      </Card>
    </div>
  );
}
