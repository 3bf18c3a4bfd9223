// WP248: the nine criteria, each answered with a reason; two or more met means a DPIA is
// required (and the screening says so).

import { CommentCount } from "../components/Remarks";
import { Card, TextField, YesNo } from "../components/ui";
import { sectionTarget } from "../hearing";
import { WP248_CRITERIA, t } from "../i18n";
import { baseFrozen, dpia, frozenHint, patchSection, report } from "../state";

export function Wp248() {
  const d = dpia.value;
  const r = report.value;
  if (!d || !r) return null;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("WP248-screening", "WP248 screening")} <small class="basis">{t("Artikel 29-gruppens retningslinjer", "Article 29 Working Party guidelines")}</small></h1>
        <p class={`acceptance ${r.dpia_required ? "acceptance-consult_dpo" : "acceptance-accepted"}`}>
          {r.wp248_met} {t("af 9 kriterier er opfyldt", "of 9 criteria are met")}. {r.dpia_required ? t("To eller flere er opfyldt: en konsekvensanalyse er påkrævet.", "Two or more are met: a DPIA is required.") : t("Under to: en konsekvensanalyse er ikke påkrævet efter WP248, men kan være det efter Datatilsynets liste.", "Fewer than two: WP248 does not require a DPIA, though Datatilsynet's list may.")}
        </p>
      </header>
      <Card title={t("Kriterier", "Criteria")} actions={<CommentCount target={sectionTarget("wp248")} always />}>
        {baseFrozen.value && <p class="hint shared-hint">{frozenHint()}</p>}
        <p class="part-comments">{WP248_CRITERIA.keys.map((c) => <CommentCount target={sectionTarget(`wp248.${c}`)} />)}</p>
        <fieldset class="plain" disabled={baseFrozen.value}>
        <ol class="criteria">
          {WP248_CRITERIA.keys.map((c) => {
            const a = d.wp248[c];
            return (
              <li class="criterion">
                <YesNo label={WP248_CRITERIA(c)} value={a.met} onChange={(v) => void patchSection("base", "wp248", { [c]: { met: v } })} />
                <TextField multiline rows={2} label={t("Begrundelse", "Reason")} value={a.reason} onCommit={(v) => void patchSection("base", "wp248", { [c]: { reason: v } })} />
              </li>
            );
          })}
        </ol>
        </fieldset>
      </Card>
    </div>
  );
}
