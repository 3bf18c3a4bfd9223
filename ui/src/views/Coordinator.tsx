// The coordinator's overview: each municipality's release, check result, signing, review and
// deviations, and the deviations several municipalities make — material for the next release.

import { useEffect, useState } from "preact/hooks";
import { call, commands } from "../api";
import { Card, Empty } from "../components/ui";
import { date, lang, t } from "../i18n";
import { fail, revision, setScope, view } from "../state";
import type { Overview } from "../model";

export function Coordinator() {
  const [o, setO] = useState<Overview | null>(null);
  useEffect(() => {
    call(commands.overview()).then(setO, fail);
  }, [revision.value]);
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
    </div>
  );
}
