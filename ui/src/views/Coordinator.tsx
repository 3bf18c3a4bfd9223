// The coordinator's overview: each municipality's release, check result, signing, review and
// deviations, and the deviations several municipalities make — material for the next release;
// and the latest hearing round: who answered what, open objections, recurring comments.

import { useEffect, useState } from "preact/hooks";
import { call, commands } from "../api";
import { Card, Empty } from "../components/ui";
import { fieldLabel, hearing, loadHearing, partyName, verdictWord, type HearingView } from "../hearing";
import { date, lang, t } from "../i18n";
import { fail, revision, setScope, view } from "../state";
import type { Overview } from "../model";

/** The latest hearing round (as the Høring view shows it), in the overview. */
function RoundInOverview({ h }: { h: HearingView }) {
  const s = h.status[0];
  if (!s) return null;
  const r = s.round;
  const answered = s.participants.filter((p) => p.answer !== null).length;
  const state = r.release ? t(`afsluttet — udgivelse ${r.release}`, `closed — release ${r.release}`) : r.taking_answers ? t(`åben til og med ${date(r.deadline)}`, `open until ${date(r.deadline)}`) : t(`fristen ${date(r.deadline)} er overskredet`, `the deadline ${date(r.deadline)} has passed`);
  const names = s.participants.map((p) => ({ code: p.code, name: p.name }));
  return (
    <Card title={t(`Høringsrunde ${r.number}: ${r.draft}`, `Hearing round ${r.number}: ${r.draft}`)}
      actions={<button type="button" class="link" onClick={() => (view.value = "hearing")}>{t("Åbn høringen", "Open the hearing")}</button>}>
      <p class="lead"><strong>{state}</strong> · {t(`${answered} af ${s.participants.length} kommuner har svaret`, `${answered} of ${s.participants.length} municipalities have answered`)}
        {s.unanswered.length > 0 && <> · <span class="warn">{s.unanswered.length === 1 ? t("1 bemærkning venter på koordinatorens svar", "1 comment awaits the coordinator's answer") : t(`${s.unanswered.length} bemærkninger venter på koordinatorens svar`, `${s.unanswered.length} comments await the coordinator's answer`)}</span></>}</p>
      <table class="table overview-round">
        <thead><tr><th scope="col">{t("Kommune", "Municipality")}</th><th scope="col">{t("Svar", "Answer")}</th><th scope="col">{t("Bemærkninger", "Comments")}</th><th scope="col">{t("Åbne indsigelser", "Open objections")}</th></tr></thead>
        <tbody>
          {s.participants.map((p) => (
            <tr class={p.answer ? "" : "not-answered"}>
              <th scope="row">{p.name} ({p.code})</th>
              <td class={p.answer?.verdict === "cannot_agree" ? "bad" : p.answer ? "" : "warn"}>{p.answer ? `${verdictWord(p.answer.verdict)} (${p.answer.dpo}, ${date(p.answer.dpo_date)})` : t("har ikke svaret", "has not answered")}</td>
              <td>{p.comments}</td>
              <td class={p.open_objections ? "bad" : ""}>{p.open_objections}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t("Bemærkninger, der går igen", "Comments that recur")}</h3>
      {s.recurring.length === 0 ? <Empty>{t("Ingen bemærkning går igen i flere kommuner.", "No comment recurs across municipalities.")}</Empty> : (
        <ul class="recurring-comments">{s.recurring.map((x) => (
          <li>{x.field.startsWith("description") ? fieldLabel(x.field) : `${x.reference}${x.field ? ` · ${fieldLabel(x.field)}` : ""}`} <small>({x.orgs.map((o) => partyName(String(o), names)).join(", ")})</small></li>
        ))}</ul>
      )}
    </Card>
  );
}

export function Coordinator() {
  const [o, setO] = useState<Overview | null>(null);
  useEffect(() => {
    call(commands.overview()).then(setO, fail);
    void loadHearing();
  }, [revision.value]);
  const h = hearing.value;
  if (!o) return <p aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Koordinatorens overblik", "Coordinator's overview")}</h1>
        <p class="lead">{o.latest_release ? t(`Nyeste udgivelse: ${o.latest_release.name} (${date(o.latest_release.date)}).`, `Latest release: ${o.latest_release.name} (${date(o.latest_release.date)}).`) : t("Fælles basis er ikke udgivet endnu.", "The joint base has not been released yet.")}</p>
      </header>
      <Card title={t("Kommunerne", "The municipalities")}>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("Kommune", "Municipality")}</th><th scope="col">{t("Udgivelse", "Release")}</th><th scope="col">{t("Fejl", "Errors")}</th><th scope="col">{t("Advarsler", "Warnings")}</th>
              <th scope="col">{t("Revision", "Review")}</th><th scope="col">{t("Senest underskrevet", "Last signed")}</th><th scope="col">{t("Afvigelser", "Deviations")}</th>
            </tr>
          </thead>
          <tbody>
            {o.participants.map((p) => (
              <tr>
                <th scope="row"><button type="button" class="link" onClick={() => { setScope(p.code); view.value = "overview"; }}>{p.name} ({p.code})</button></th>
                <td class={p.on_latest ? "" : "warn"}>{p.base_release || "—"}{p.on_latest ? "" : t(" (ældre)", " (older)")}</td>
                <td class={p.errors ? "bad" : ""}>{p.errors}</td>
                <td class={p.warnings ? "warn" : ""}>{p.warnings}</td>
                <td class={p.review_due ? "warn" : ""}>{p.review_due ? t("påkrævet", "due") : t("ok", "ok")}</td>
                <td>{p.last_signed ? `${date(p.last_signed.date)} (${p.last_signed.signer})` : "—"}</td>
                <td>{p.deviations.local_items + p.deviations.risk_overrides + p.deviations.measure_statuses + p.deviations.not_applicable + p.deviations.subject_counts}
                  <small> ({t("lokale", "local")} {p.deviations.local_items}, {t("vurderinger", "ratings")} {p.deviations.risk_overrides}, {t("ikke relevante", "n/a")} {p.deviations.not_applicable})</small></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title={t("Afvigelser, der går igen", "Deviations that recur")}>
        {o.recurring.length === 0 ? <Empty>{t("Ingen afvigelse går igen i flere kommuner.", "No deviation recurs across municipalities.")}</Empty> : (
          <ul>{o.recurring.map((r) => <li>{lang.value === "en" ? r.en : r.da} <small>({r.municipalities.join(", ")})</small></li>)}</ul>
        )}
      </Card>
      {h && <RoundInOverview h={h} />}
    </div>
  );
}
