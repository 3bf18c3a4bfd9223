// "Mit tillæg": where the municipality's use deviates from the joint base, side by side with
// the base — its own ratings of base risks (with reasons), base measures not implemented here,
// base items that do not apply here, its own subject counts, the four joint-DPIA conditions,
// the release it stands on, and who signs.

import { useEffect, useState } from "preact/hooks";
import { call, commands } from "../api";
import { Card, Empty, Level, LocalBadge, NumberField, Ref, SelectField, TextField, YesNo } from "../components/ui";
import {
  CONSEQUENCE, CONSEQUENCES, DIMENSIONS, JOINT_CONDITIONS, LIKELIHOOD, LIKELIHOODS, LOCAL_MEASURE_STATE, date,
  number, t,
} from "../i18n";
import { coordination, dpia, edit, fail, patchItem, patchSection, removeItem, revision, scope, view } from "../state";
import type { AnyItem, Assessment, Levels, Risk, Supplement as SupplementDoc, Value } from "../model";

function useSupplement(code: number | null): SupplementDoc | null {
  const [s, setS] = useState<SupplementDoc | null>(null);
  useEffect(() => {
    if (code === null) return setS(null);
    call(commands.supplement(code)).then(setS, fail);
  }, [code, revision.value]);
  return s;
}

const put = (doc: string, item: AnyItem) => edit(() => call(commands.putItem(doc, item)));

/** `levels`/`baseLevels`: the core's levels of the local and the base assessment. */
function AssessmentEditor(p: { label: string; value: Assessment; base: Assessment; levels: Levels | undefined; baseLevels: Levels | undefined; save: (patch: object) => void }) {
  return (
    <fieldset class="group">
      <legend>{p.label} <Level level={p.levels?.overall ?? null} /> <small>{t("fælles basis", "joint base")}: <Level level={p.baseLevels?.overall ?? null} /></small></legend>
      <table class="table compact-ratings">
        <thead><tr><th scope="col">{t("Dimension", "Dimension")}</th><th scope="col">{t("Konsekvens", "Consequence")}</th><th scope="col">{t("Sandsynlighed", "Likelihood")}</th><th scope="col">{t("Fælles basis", "Joint base")}</th></tr></thead>
        <tbody>
          {DIMENSIONS.keys.map((dim) => (
            <tr>
              <th scope="row">{DIMENSIONS(dim)}</th>
              <td><SelectField hiddenLabel label={`${DIMENSIONS(dim)}: ${t("konsekvens", "consequence")}`} value={p.value[dim].consequence} options={CONSEQUENCES} word={CONSEQUENCE} onChange={(v) => p.save({ [dim]: { consequence: v } })} /></td>
              <td><SelectField hiddenLabel label={`${DIMENSIONS(dim)}: ${t("sandsynlighed", "likelihood")}`} value={p.value[dim].likelihood} options={LIKELIHOODS} word={LIKELIHOOD} onChange={(v) => p.save({ [dim]: { likelihood: v } })} /></td>
              <td>{CONSEQUENCE(p.base[dim].consequence)} × {LIKELIHOOD(p.base[dim].likelihood)} <Level level={p.baseLevels?.[dim] ?? null} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

function RiskDeviations({ doc, supplement }: { doc: string; supplement: SupplementDoc }) {
  const d = dpia.value!;
  const baseRisks = d.items.risks.filter((e) => e.origin === "base");
  const [adding, setAdding] = useState<string | null>(null);
  const overridden = new Set(supplement.risk_overrides.map((o) => o.target));
  return (
    <>
      {supplement.risk_overrides.length === 0 && <Empty>{t("Kommunen vurderer alle fælles risici som fælles basis.", "The municipality rates every joint risk as the joint base does.")}</Empty>}
      {supplement.risk_overrides.map((o) => {
        const e = d.items.risks.find((r) => r.id === o.target);
        if (!e) return <p class="error-inline">{t(`Afvigelsen gælder en risiko, der ikke findes i fælles basis (${o.target}).`, `The deviation concerns a risk not in the joint base (${o.target}).`)}</p>;
        const dev = e.deviation?.type === "risk_rating" ? e.deviation : null;
        const baseIn = dev?.base_inherent ?? e.inherent;
        const baseRes = dev?.base_residual ?? e.residual;
        const facts = d.risk_facts[e.id];
        const save = (patch: object) => void patchItem(doc, "risk_override", o.target, patch as Value);
        return (
          <article class="deviation">
            <h3><Ref>{e.reference}</Ref> {e.title} <LocalBadge /></h3>
            <TextField multiline label={t("Hvorfor kommunen vurderer risikoen anderledes", "Why the municipality rates the risk differently")} value={o.reason} onCommit={(v) => save({ reason: v })} />
            <div class="side-by-side">
              {o.inherent ? <AssessmentEditor label={t("Før foranstaltninger", "Before measures")} value={o.inherent} base={baseIn} levels={facts?.inherent} baseLevels={facts?.base_inherent ?? facts?.inherent} save={(p) => save({ inherent: p })} />
                : <button type="button" onClick={() => save({ inherent: baseIn })}>{t("Afvig også før foranstaltninger", "Deviate before measures too")}</button>}
              {o.residual ? <AssessmentEditor label={t("Efter foranstaltninger", "After measures")} value={o.residual} base={baseRes} levels={facts?.residual} baseLevels={facts?.base_residual ?? facts?.residual} save={(p) => save({ residual: p })} />
                : <button type="button" onClick={() => save({ residual: baseRes })}>{t("Afvig også efter foranstaltninger", "Deviate after measures too")}</button>}
            </div>
            <button type="button" class="link danger" onClick={() => void removeItem(doc, "risk_override", o.target)}>{t("Følg fælles basis igen", "Follow the joint base again")}</button>
          </article>
        );
      })}
      <div class="row">
        <SelectField label={t("Vurder en fælles risiko anderledes", "Rate a joint risk differently")} value={adding}
          options={baseRisks.filter((r) => !overridden.has(r.id)).map((r) => r.id)}
          word={(id) => { const r = baseRisks.find((x) => x.id === id)!; return `${r.reference} ${r.title}`; }}
          onChange={setAdding} />
        <button type="button" disabled={!adding} onClick={() => {
          const r = baseRisks.find((x) => x.id === adding) as Risk | undefined;
          if (r) void put(doc, { kind: "risk_override", item: { target: r.id, inherent: r.inherent, residual: null, reason: "" } });
          setAdding(null);
        }}>{t("Afvig", "Deviate")}</button>
      </div>
    </>
  );
}

function MeasureDeviations({ doc, supplement }: { doc: string; supplement: SupplementDoc }) {
  const d = dpia.value!;
  const base = d.items.measures.filter((e) => e.origin === "base");
  const [adding, setAdding] = useState<string | null>(null);
  return (
    <>
      {supplement.measure_statuses.map((s) => {
        const m = base.find((x) => x.id === s.target);
        const save = (patch: object) => void patchItem(doc, "local_measure_status", s.target, patch as Value);
        return (
          <article class="deviation">
            <h3><Ref>{m?.reference ?? s.target}</Ref> {m?.title} <LocalBadge /></h3>
            <SelectField label={t("Her", "Here")} value={s.state} options={LOCAL_MEASURE_STATE.keys} word={LOCAL_MEASURE_STATE} onChange={(v) => save({ state: v })} />
            <TextField multiline label={t("Hvordan eller hvorfor ikke", "How, or why not")} value={s.text} onCommit={(v) => save({ text: v })} />
            <button type="button" class="link danger" onClick={() => void removeItem(doc, "local_measure_status", s.target)}>{t("Gennemføres som i fælles basis", "Implemented as in the joint base")}</button>
          </article>
        );
      })}
      <div class="row">
        <SelectField label={t("En fælles foranstaltning gennemføres ikke eller anderledes her", "A joint measure is not implemented here, or differently")} value={adding}
          options={base.filter((m) => !supplement.measure_statuses.some((s) => s.target === m.id)).map((m) => m.id)}
          word={(id) => { const m = base.find((x) => x.id === id)!; return `${m.reference} ${m.title}`; }} onChange={setAdding} />
        <button type="button" disabled={!adding} onClick={() => {
          if (adding) void put(doc, { kind: "local_measure_status", item: { target: adding, state: "not_implemented", text: "" } });
          setAdding(null);
        }}>{t("Tilføj", "Add")}</button>
      </div>
    </>
  );
}

/** The collections whose base items this view offers to mark "not applicable here". */
const NA_COLLECTIONS = ["risks", "measures", "modules", "purposes", "data_categories", "processes"] as const;

function NotApplicable({ doc, supplement }: { doc: string; supplement: SupplementDoc }) {
  const items = dpia.value!.items;
  const all = NA_COLLECTIONS.flatMap((c) => (items[c] as { id: string; reference: string; origin: string; title?: string; name?: string }[]).filter((e) => e.origin === "base"));
  const [adding, setAdding] = useState<string | null>(null);
  const label = (id: string) => { const e = all.find((x) => x.id === id); return e ? `${e.reference} ${e.title ?? e.name ?? ""}` : id; };
  return (
    <>
      {supplement.not_applicable.map((n) => (
        <article class="deviation">
          <h3>{label(n.target)} <LocalBadge /></h3>
          <TextField multiline label={t("Begrundelse: hvorfor gælder det ikke her?", "Justification: why does it not apply here?")} value={n.justification} onCommit={(v) => void patchItem(doc, "not_applicable", n.target, { justification: v })} />
          <button type="button" class="link danger" onClick={() => void removeItem(doc, "not_applicable", n.target)}>{t("Gælder alligevel", "Applies after all")}</button>
        </article>
      ))}
      <div class="row">
        <SelectField label={t("Markér et fælles element som ikke relevant her", "Mark a joint item as not applicable here")} value={adding}
          options={all.filter((e) => !supplement.not_applicable.some((n) => n.target === e.id)).map((e) => e.id)} word={label} onChange={setAdding} />
        <button type="button" disabled={!adding} onClick={() => {
          if (adding) void put(doc, { kind: "not_applicable", item: { target: adding, justification: "" } });
          setAdding(null);
        }}>{t("Markér", "Mark")}</button>
      </div>
    </>
  );
}

function SubjectCounts({ doc, supplement }: { doc: string; supplement: SupplementDoc }) {
  const d = dpia.value!;
  const base = d.items.subject_categories.filter((e) => e.origin === "base");
  return (
    <table class="table">
      <thead><tr><th scope="col">{t("Registrerede", "Data subjects")}</th><th scope="col">{t("Fælles basis", "Joint base")}</th><th scope="col">{t("Her", "Here")}</th><th scope="col">{t("Note", "Note")}</th></tr></thead>
      <tbody>
        {base.map((c) => {
          const local = supplement.subject_counts.find((s) => s.target === c.id);
          const baseCount = c.deviation?.type === "subject_count" ? c.deviation.base_count : c.count;
          return (
            <tr>
              <th scope="row"><Ref>{c.reference}</Ref> {c.name}</th>
              <td>{baseCount !== null ? number(baseCount) : "—"}</td>
              <td>
                <NumberField label={t(`Antal her: ${c.name}`, `Count here: ${c.name}`)} value={local?.count ?? null} onCommit={(v) => {
                  if (local) void patchItem(doc, "local_subject_count", c.id, { count: v });
                  else void put(doc, { kind: "local_subject_count", item: { target: c.id, count: v, note: "" } });
                }} />
              </td>
              <td>{local && <TextField hiddenLabel label={t("Note", "Note")} value={local.note} onCommit={(v) => void patchItem(doc, "local_subject_count", c.id, { note: v })} />}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Signatories({ doc, supplement }: { doc: string; supplement: SupplementDoc }) {
  return (
    <>
      <ul class="signatories">
        {supplement.signatories.map((s) => (
          <li class="row">
            <TextField label={t("Navn", "Name")} value={s.name} onCommit={(v) => void patchItem(doc, "signatory", s.id, { name: v })} />
            <TextField label={t("I egenskab af", "Capacity")} value={s.capacity} onCommit={(v) => void patchItem(doc, "signatory", s.id, { capacity: v })} />
            <button type="button" class="link danger" onClick={() => void removeItem(doc, "signatory", s.id)}>{t("Fjern", "Remove")}</button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => void put(doc, { kind: "signatory", item: { id: `signatory-${Date.now().toString(36)}`, name: "", capacity: "" } })}>+ {t("Underskriver", "Signatory")}</button>
      {supplement.signings.length > 0 && (
        <>
          <h3>{t("Underskrevet", "Signed")}</h3>
          <ul>{supplement.signings.map((s) => <li>{date(s.date)}: {s.signer} ({s.capacity}), {t("udgivelse", "release")} {s.base_release || "—"}</li>)}</ul>
        </>
      )}
    </>
  );
}

function Release({ supplement, code }: { supplement: SupplementDoc; code: number }) {
  const c = coordination.value;
  const latest = c?.releases[c.releases.length - 1];
  const bound = supplement.meta.base_release;
  return (
    <>
      <p>{bound ? <>{t("Tillægget er vurderet mod udgivelse", "The supplement was assessed against release")} <strong>{bound}</strong>.</> : t("Tillægget er ikke bundet til en udgivelse af fælles basis.", "The supplement is not bound to a release of the joint base.")}</p>
      {latest && latest.name !== bound && (
        <div class="callout">
          <p>{t(`Der er en nyere udgivelse: ${latest.name} (${date(latest.date)}). Se, hvad der er ændret, tilpas tillægget, og bekræft udgivelsen.`, `There is a newer release: ${latest.name} (${date(latest.date)}). See what changed, adjust the supplement and confirm the release.`)}</p>
          <div class="actions">
            <button type="button" onClick={() => (view.value = "versions")}>{t("Se ændringerne", "See the changes")}</button>
            <button type="button" class="primary" onClick={() => void edit(() => call(commands.confirmRelease(code, latest.name)))}>{t(`Bekræft ${latest.name}`, `Confirm ${latest.name}`)}</button>
          </div>
        </div>
      )}
    </>
  );
}

export function Supplement() {
  const code = scope.value;
  const s = useSupplement(code);
  const d = dpia.value;
  if (code === null) return <div class="view"><Empty>{t("Vælg en kommune øverst for at se dens tillæg.", "Choose a municipality at the top to see its supplement.")}</Empty></div>;
  if (!s || !d) return <p aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  const doc = d.documents.local;
  if (doc === null) return <p aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  const localCount = Object.values(d.items).flat().filter((e) => e.origin === "local").length;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Mit tillæg", "My supplement")} <span class="who">— {d.org.name}</span></h1>
        <p class="lead">{t(`Her står, hvor ${d.org.name}s brug afviger fra fælles basis. ${localCount} lokale elementer (risici, foranstaltninger, formål …) er tilføjet i de øvrige afsnit og markeret «Lokal».`, `Where ${d.org.name}'s use deviates from the joint base. ${localCount} local items (risks, measures, purposes …) are added in the other parts and marked «Local».`)}</p>
      </header>
      <Card title={t("Udgivelse af fælles basis", "Release of the joint base")}><Release supplement={s} code={code} /></Card>
      <Card title={t("Betingelser for fælles konsekvensanalyse", "Conditions for a joint DPIA")} basis={t("afgørelsens pkt. 4.4", "decision § 4.4")}>
        {JOINT_CONDITIONS.keys.map((c) => (
          <div class="condition">
            <YesNo label={JOINT_CONDITIONS(c)} value={s.conditions[c].met} onChange={(v) => void patchSection(doc, "joint_conditions", { [c]: { met: v } })} />
            <TextField multiline rows={2} label={t("Begrundelse", "Reason")} value={s.conditions[c].reason} onCommit={(v) => void patchSection(doc, "joint_conditions", { [c]: { reason: v } })} />
          </div>
        ))}
      </Card>
      <Card title={t("Risici vurderet anderledes end fælles basis", "Risks rated differently from the joint base")}><RiskDeviations doc={doc} supplement={s} /></Card>
      <Card title={t("Fælles foranstaltninger, der ikke gennemføres eller gennemføres anderledes her", "Joint measures not implemented here, or differently")}><MeasureDeviations doc={doc} supplement={s} /></Card>
      <Card title={t("Ikke relevant her", "Not applicable here")}><NotApplicable doc={doc} supplement={s} /></Card>
      <Card title={t("Antal registrerede her", "Number of data subjects here")}><SubjectCounts doc={doc} supplement={s} /></Card>
      <Card title={t("Kontakt og acceptkriterium", "Contacts and acceptance policy")}>
        <TextField multiline label={t("Kontaktpersoner", "Contacts")} value={s.meta.contacts} onCommit={(v) => void patchSection(doc, "supplement_meta", { contacts: v })} />
        <NumberField label={t("Højeste andel mellem-restrisici uden DPO (procent; tom = 70)", "Highest share of medium residual risks without the DPO (percent; empty = 70)")} value={s.meta.max_medium_percent} onCommit={(v) => void patchSection(doc, "supplement_meta", { max_medium_percent: v === null ? null : Math.min(100, v) })} />
      </Card>
      <Card title={t("Underskrivere", "Signatories")}><Signatories doc={doc} supplement={s} /></Card>
    </div>
  );
}
