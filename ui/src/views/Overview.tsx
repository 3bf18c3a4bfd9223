// The overview: how complete the DPIA is per provision, the check's findings (each leading to
// the item it concerns), the risk picture before and after measures, and the sync state.

import { DistributionBar, HeatMap } from "../components/Picture";
import { Card, Empty, Level } from "../components/ui";
import { BASIS, DIMENSIONS, SEVERITY, date, lang, t } from "../i18n";
import { baseName, dpia, goToItem, opened, report, view } from "../state";
import { syncLine } from "./Collaborate";
import type { Acceptance as AcceptanceOutcome, Basis } from "../bindings";
import type { Finding, RiskLevel } from "../model";

/** The provisions the decision checks, in the order a DPIA is read. */
export const PROVISIONS: Basis[] = ["art_35_7_a", "art_35_7_b", "art_35_7_c", "art_35_7_d", "art_24_1", "art_35_2", "art_35_11", "art_36", "art_5_2", "wp248", "joint_dpia"];

function FindingRow({ f }: { f: Finding }) {
  const text = lang.value === "en" ? f.message_en : f.message_da;
  const go = () => goToItem(f.item);
  // Messages usually start with the item's reference: that reference becomes the link.
  const lead = f.reference && text.startsWith(f.reference) ? f.reference : null;
  return (
    <li class={`finding finding-${f.severity}`}>
      <span class={`sev sev-${f.severity}`}>{SEVERITY(f.severity)}</span>
      <div class="finding-body">
        <p>
          {lead ? (
            <>
              <button type="button" class="link ref-link" onClick={go}>{lead}</button>
              {text.slice(lead.length)}
            </>
          ) : (
            <>
              {text}
              {f.reference && <> <button type="button" class="link ref-link" onClick={go} aria-label={t(`Gå til ${f.reference}`, `Go to ${f.reference}`)}>→ {f.reference}</button></>}
            </>
          )}
        </p>
        <p class="finding-meta"><code>{f.code}</code> · {BASIS(f.basis)}</p>
      </div>
    </li>
  );
}

export function FindingsList({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return <Empty>{t("Kontrollen fandt intet at bemærke.", "The check found nothing to remark.")}</Empty>;
  return <ul class="findings">{findings.map((f) => <FindingRow f={f} />)}</ul>;
}

function Completeness() {
  const r = report.value!;
  const isMunicipality = dpia.value?.org.code != null;
  return (
    <table class="completeness">
      <caption>{t("Fuldstændighed pr. bestemmelse", "Completeness per provision")}</caption>
      <thead>
        <tr><th scope="col">{t("Bestemmelse", "Provision")}</th><th scope="col">{t("Fejl", "Errors")}</th><th scope="col">{t("Advarsler", "Warnings")}</th><th scope="col">{t("Status", "Status")}</th></tr>
      </thead>
      <tbody>
        {PROVISIONS.filter((b) => b !== "joint_dpia" || isMunicipality).map((b) => {
          const of = r.findings.filter((f) => f.basis === b);
          const errors = of.filter((f) => f.severity === "error").length;
          const warnings = of.filter((f) => f.severity === "warning").length;
          return (
            <tr>
              <th scope="row">{BASIS(b)}</th>
              <td class={errors ? "bad" : ""}>{errors}</td>
              <td class={warnings ? "warn" : ""}>{warnings}</td>
              <td>{errors ? <span class="status status-bad">{t("mangler", "incomplete")}</span> : warnings ? <span class="status status-warn">{t("se advarsler", "see warnings")}</span> : <span class="status status-ok">{t("opfyldt", "met")}</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The colour of the core's acceptance outcome (it decides the outcome; this only shows it). */
const ACCEPTANCE_TONE: Record<AcceptanceOutcome, RiskLevel> = { accepted: "low", consult_dpo: "medium", incomplete: "medium", prior_consultation: "high" };

function Acceptance() {
  const r = report.value!;
  const text = {
    accepted: t(`Restrisikoen er acceptabel: ingen høje, højst ${r.policy.max_medium_percent} % mellem.`, `The residual risk is acceptable: no high, at most ${r.policy.max_medium_percent} % medium.`),
    consult_dpo: t("Restrisikoen ligger uden for acceptkriteriet: forelæg den for databeskyttelsesrådgiveren.", "The residual risk is outside the acceptance policy: consult the DPO."),
    prior_consultation: t("Høj restrisiko: forudgående høring af Datatilsynet (art. 36) er påkrævet.", "High residual risk: prior consultation of Datatilsynet (Art. 36) is required."),
    incomplete: t(`Restrisikoen kan ikke vurderes mod acceptkriteriet, før alle risici er vurderet efter foranstaltninger (${r.picture.unrated_after} mangler).`, `The residual risk cannot be judged against the acceptance policy until every risk is rated after measures (${r.picture.unrated_after} missing).`),
  }[r.acceptance];
  return <p class={`acceptance acceptance-${r.acceptance}`}>{text}</p>;
}

export function Overview() {
  const d = dpia.value;
  const r = report.value;
  if (!d || !r) return <p aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  const errors = r.findings.filter((f) => f.severity === "error");
  const rest = r.findings.filter((f) => f.severity !== "error");
  // whose DPIA the data is (not the scope just chosen, whose data may still be loading)
  const who = d.org.code === null ? baseName(opened.value) : `${d.org.name} (${d.org.code})`;
  const release = d.release;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{d.base.title} <span class="who">— {who}</span></h1>
        <p class="meta">
          {t("System", "System")}: {d.base.system} · {t("Koordinator", "Coordinator")}: {d.coordinator} ·{" "}
          {release ? (
            <>{t("Bygger på udgivelse", "Builds on release")} <strong>{release.name}</strong> ({date(release.date)})</>
          ) : d.org.code === null ? (
            <>{t("Arbejdsversion", "Working version")}{d.latest_release ? <> · {t("seneste udgivelse", "latest release")} <strong>{d.latest_release.name}</strong></> : null}</>
          ) : (
            <>{t("Ikke bundet til en udgivelse", "Not bound to a release")}</>
          )}{" "}
          · <span class="sync-line">{syncLine()}</span>
        </p>
        <div class="summary-tiles">
          <div class={`tile ${errors.length ? "tile-bad" : "tile-ok"}`}><strong>{errors.length}</strong> {t("fejl", "errors")}</div>
          <div class={`tile ${rest.some((f) => f.severity === "warning") ? "tile-warn" : "tile-ok"}`}><strong>{r.findings.filter((f) => f.severity === "warning").length}</strong> {t("advarsler", "warnings")}</div>
          <div class="tile"><strong>{r.wp248_met}</strong> {t("af 9 WP248-kriterier opfyldt", "of 9 WP248 criteria met")} {r.dpia_required ? t("— konsekvensanalyse påkrævet", "— DPIA required") : ""}</div>
          <div class="tile"><strong>{d.items.risks.filter((e) => e.not_applicable === null).length}</strong> {t("risici", "risks")} · <strong>{d.items.measures.filter((e) => e.not_applicable === null).length}</strong> {t("foranstaltninger", "measures")}</div>
        </div>
        <Acceptance />
      </header>

      <div class="two-col">
        <Card title={t("Kontrol som Datatilsynet", "Check as Datatilsynet would")}>
          <Completeness />
        </Card>
        <Card title={t("Risikobillede", "Risk picture")} basis={t("før og efter foranstaltninger", "before and after measures")}>
          <DistributionBar label={t("Før foranstaltninger (iboende risiko)", "Before measures (inherent risk)")} counts={r.picture.before.counts} unrated={r.picture.unrated_before} />
          <DistributionBar label={t("Efter foranstaltninger (restrisiko)", "After measures (residual risk)")} counts={r.picture.after.counts} unrated={r.picture.unrated_after} />
          <p class="hint">{t("Acceptkriterium", "Acceptance policy")}: {t("ingen høje restrisici, højst", "no high residual risk, at most")} {r.policy.max_medium_percent} % {t("mellem", "medium")} — <Level level={ACCEPTANCE_TONE[r.acceptance]} label={r.acceptance === "accepted" ? t("opfyldt", "met") : r.acceptance === "incomplete" ? t("kan ikke vurderes endnu", "cannot be judged yet") : t("ikke opfyldt", "not met")} /></p>
        </Card>
      </div>

      <Card title={t("Fund", "Findings")} actions={<button type="button" class="link" onClick={() => (view.value = "risks")}>{t("Til risici", "To the risks")}</button>}>
        <FindingsList findings={[...errors, ...rest]} />
      </Card>

      <Card title={t("Konsekvens × sandsynlighed", "Consequence × likelihood")} basis={t("antal risici i hver celle", "number of risks in each cell")}>
        <div class="heatmaps">
          {DIMENSIONS.keys.map((dim, i) => (
            <div class="heatmap-pair">
              <h3>{DIMENSIONS(dim)}</h3>
              <HeatMap compact caption={t("Før", "Before")} matrix={r.picture.matrices_before[i] ?? null} />
              <HeatMap compact caption={t("Efter", "After")} matrix={r.picture.matrices_after[i] ?? null} />
            </div>
          ))}
        </div>
      </Card>
    </div>
  );
}
