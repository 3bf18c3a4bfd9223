// The DPO's advice and what was done with it (Art. 35(2)), the review plan, the reviews done
// and whether one is due now (Art. 35(11)), and prior consultation of Datatilsynet (Art. 36).

import { useEffect, useState } from "preact/hooks";
import { call, commands } from "../api";
import { Collection } from "../components/Collection";
import { CommentCount } from "../components/Remarks";
import { sectionTarget } from "../hearing";
import { RichText } from "../components/RichText";
import { Card, DateField, LocalBadge, SelectField, TextField, YesNo } from "../components/ui";
import { ADVICE_RESPONSE, USE_CHANGE_KIND, date, lang, t } from "../i18n";
import { dpia, fail, patchItem, patchSection, report, revision, scope } from "../state";
import type { ReviewStatus } from "../model";

function ReviewDue() {
  const [status, setStatus] = useState<ReviewStatus | null>(null);
  useEffect(() => {
    call(commands.reviewStatus(scope.value)).then(setStatus, fail);
  }, [scope.value, revision.value]);
  if (!status) return null;
  return status.triggers.length === 0 ? (
    <p class="acceptance acceptance-accepted">{t("Ingen ændringer siden sidste revision kræver en ny.", "No changes since the last review call for a new one.")} {t("Sidste revision", "Last review")}: {date(status.last_review)}.</p>
  ) : (
    <div class="callout callout-warn" role="status">
      <p><strong>{t("Revision påkrævet", "Review due")}</strong> ({t("art. 35, stk. 11", "Art. 35(11)")}) — {t("ændringer siden sidste revision", "changes since the last review")} ({date(status.last_review)}):</p>
      <ul>{status.triggers.map((tr) => <li>{lang.value === "en" ? tr.en : tr.da}</li>)}</ul>
    </div>
  );
}

export function Governance() {
  const d = dpia.value;
  const r = report.value;
  if (!d || !r) return null;
  // A municipality keeps its own review plan and Art. 36 record in its supplement.
  const doc = d.documents.local ?? d.documents.base;
  const pc = d.prior_consultation;
  const plan = d.review_plan;
  const high = r.picture.after.counts.high;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("DPO-rådgivning, revision og forudgående høring", "DPO advice, review and prior consultation")}</h1>
      </header>
      <Card title={t("Databeskyttelsesrådgiverens rådgivning", "The DPO's advice")} basis={t("art. 35, stk. 2", "Art. 35(2)")}>
        <Collection kind="dpo_advice" noun={t("rådgivning", "advice")} entries={d.items.dpo_advice} title={(e) => `${date(e.date)} — ${e.advisor}`}
          detail={(e) => `${t("vedrører", "concerns")} ${e.concerns_version || "—"} · ${ADVICE_RESPONSE(e.response)}`}
          editor={({ entry: e, doc: itemDoc, save, readOnly }) => (
            <>
              <div class="row">
                <DateField label={t("Dato", "Date")} value={e.date} onCommit={(v) => save({ date: v })} />
                <TextField label={t("Rådgiver", "Advisor")} value={e.advisor} onCommit={(v) => save({ advisor: v })} />
                <TextField label={t("Vedrører version", "Concerns version")} value={e.concerns_version} onCommit={(v) => save({ concerns_version: v })} hint={t("Udgivelsen eller datoen, rådgivningen gælder", "The release or date the advice concerns")} />
              </div>
              <RichText label={t("Rådgivningen", "The advice")} doc={itemDoc} path={["dpo_advice", e.id, "advice"]} create={() => patchItem(itemDoc, "dpo_advice", e.id, { advice: "" })} readOnly={readOnly} />
              <SelectField label={t("Fulgt?", "Followed?")} value={e.response} options={ADVICE_RESPONSE.keys} word={ADVICE_RESPONSE} onChange={(v) => save({ response: v })} />
              <TextField multiline label={t("Hvorfor (især hvis den ikke blev fulgt)", "Why (especially if not followed)")} value={e.response_reason} onCommit={(v) => save({ response_reason: v })} />
            </>
          )} />
      </Card>

      <Card title={t("Revision", "Review")} basis={t("art. 35, stk. 11", "Art. 35(11)")} actions={d.review_plan_origin === "local" ? <LocalBadge /> : <CommentCount target={sectionTarget("review_plan")} always />}>
        <ReviewDue />
        <DateField label={t("Næste planlagte revision", "Next planned review")} value={plan.next_review} onCommit={(v) => void patchSection(doc, "review_plan", { next_review: v })} />
        <TextField multiline label={t("Hvad udløser en tidligere revision", "What triggers an earlier review")} value={plan.triggers} onCommit={(v) => void patchSection(doc, "review_plan", { triggers: v })} />
        <h3>{t("Gennemførte revisioner", "Reviews done")}</h3>
        <Collection kind="review" noun={t("revision", "review")} entries={d.items.reviews} title={(e) => `${date(e.date)} — ${e.reviewer}`}
          editor={({ entry: e, save }) => (
            <>
              <div class="row">
                <DateField label={t("Dato", "Date")} value={e.date} onCommit={(v) => save({ date: v })} />
                <TextField label={t("Foretaget af", "Done by")} value={e.reviewer} onCommit={(v) => save({ reviewer: v })} />
              </div>
              <TextField multiline label={t("Anledning", "Trigger")} value={e.trigger} onCommit={(v) => save({ trigger: v })} />
              <TextField multiline label={t("Resultat", "Outcome")} value={e.summary} onCommit={(v) => save({ summary: v })} />
            </>
          )} />
      </Card>

      <Card title={t("De registreredes synspunkter", "Views of the data subjects")} basis={t("art. 35, stk. 9", "Art. 35(9)")}>
        <Collection kind="subject_view" noun={t("høring af registrerede", "consultation")} entries={d.items.subject_views} title={(e) => `${date(e.date)} — ${e.whom}`}
          editor={({ entry: e, save }) => (
            <>
              <div class="row">
                <DateField label={t("Dato", "Date")} value={e.date} onCommit={(v) => save({ date: v })} />
                <TextField label={t("Hvem (fx skolebestyrelser, elevråd, medarbejderrepræsentanter)", "Whom (e.g. school boards, pupils' councils, staff representatives)")} value={e.whom} onCommit={(v) => save({ whom: v })} />
              </div>
              <TextField multiline label={t("Hvad de sagde", "What they said")} value={e.views} onCommit={(v) => save({ views: v })} />
              <TextField multiline label={t("Hvordan det er indgået", "How it was taken into account")} value={e.response} onCommit={(v) => save({ response: v })} />
            </>
          )} />
        <TextField multiline label={t("Hvis synspunkterne ikke er indhentet: hvorfor ikke", "If the views were not sought: why not")} value={d.description.views_not_sought_reason} onCommit={(v) => void patchSection("base", "description", { views_not_sought_reason: v })} />
      </Card>

      <Card title={t("Ændringer i brugen", "Changes in use")} basis={t("art. 35, stk. 11", "Art. 35(11)")}>
        <Collection kind="use_change" noun={t("ændring", "change")} entries={d.items.use_changes} title={(e) => `${date(e.date)} — ${e.kind ? USE_CHANGE_KIND(e.kind) : t("ændring", "change")}`}
          editor={({ entry: e, save }) => (
            <>
              <div class="row">
                <DateField label={t("Dato", "Date")} value={e.date} onCommit={(v) => save({ date: v })} />
                <SelectField label={t("Art", "Kind")} value={e.kind} options={USE_CHANGE_KIND.keys} word={USE_CHANGE_KIND} onChange={(v) => save({ kind: v })} />
              </div>
              <TextField multiline label={t("Hvad ændrede sig", "What changed")} value={e.description} onCommit={(v) => save({ description: v })} />
            </>
          )} />
      </Card>

      <Card title={t("Forudgående høring af Datatilsynet", "Prior consultation of Datatilsynet")} basis={t("art. 36", "Art. 36")} actions={d.prior_consultation_origin === "local" ? <LocalBadge /> : <CommentCount target={sectionTarget("prior_consultation")} always />}>
        <p class={`acceptance ${high ? "acceptance-prior_consultation" : "acceptance-accepted"}`}>
          {high ? t(`${high} høje restrisici: forudgående høring er påkrævet.`, `${high} high residual risks: prior consultation is required.`) : t("Ingen høje restrisici efter foranstaltninger.", "No high residual risk after measures.")}
        </p>
        <YesNo label={t("Er forudgående høring påkrævet?", "Is prior consultation required?")} value={pc.required} onChange={(v) => void patchSection(doc, "prior_consultation", { required: v })} />
        <TextField multiline label={t("Begrundelse", "Reason")} value={pc.reason} onCommit={(v) => void patchSection(doc, "prior_consultation", { reason: v })} />
        <div class="row">
          <DateField label={t("Indsendt", "Submitted")} value={pc.submitted} onCommit={(v) => void patchSection(doc, "prior_consultation", { submitted: v })} />
          <TextField label={t("Journalnummer", "Case number")} value={pc.case_number} onCommit={(v) => void patchSection(doc, "prior_consultation", { case_number: v })} />
        </div>
        <TextField multiline label={t("Resultat", "Outcome")} value={pc.outcome} onCommit={(v) => void patchSection(doc, "prior_consultation", { outcome: v })} />
      </Card>
    </div>
  );
}
