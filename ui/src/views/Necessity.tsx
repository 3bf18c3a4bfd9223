// Art. 35(7)(b): each purpose, precisely described, with its legal basis in the GDPR and in
// national law kept apart, and necessity and proportionality assessed aspect by aspect.

import { Collection } from "../components/Collection";
import { RichText } from "../components/RichText";
import { Card, Checks, TextField } from "../components/ui";
import { ART6, ART9, NECESSITY_ASPECTS, t } from "../i18n";
import { dpia } from "../state";
import { patchItem } from "../state";

export function Necessity() {
  const d = dpia.value;
  if (!d) return null;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Formål, retsgrundlag, nødvendighed og proportionalitet", "Purposes, legal basis, necessity and proportionality")} <small class="basis">{t("art. 35, stk. 7, litra b", "Art. 35(7)(b)")}</small></h1>
        <p class="lead">{t("Hvert formål beskrives præcist, så al faktisk brug er dækket, med retsgrundlag i databeskyttelsesforordningen og i national ret hver for sig, og med en vurdering af nødvendighed og proportionalitet for hvert aspekt.", "Each purpose is described precisely, so all actual use is covered, with its legal basis in the GDPR and in national law separately, and necessity and proportionality assessed for each aspect.")}</p>
      </header>
      <Card title={t("Formål", "Purposes")}>
        <Collection kind="purpose" noun={t("formål", "purpose")} entries={d.items.purposes} title={(e) => e.title}
          detail={(e) => {
            const missing = NECESSITY_ASPECTS.keys.filter((a) => !e.necessity[a].trim()).length;
            const gdpr = e.legal_basis.art6.length > 0;
            return <>{gdpr ? "" : t("GDPR-grundlag mangler · ", "GDPR basis missing · ")}{missing ? t(`${missing} af 9 aspekter mangler`, `${missing} of 9 aspects missing`) : t("alle aspekter vurderet", "all aspects assessed")}</>;
          }}
          editor={({ entry: e, doc, save, readOnly }) => (
            <>
              <TextField label={t("Formål", "Purpose")} value={e.title} onCommit={(v) => save({ title: v })} />
              <RichText label={t("Præcis beskrivelse af formålet", "Precise description of the purpose")} doc={doc} path={["purposes", e.id, "description"]} create={() => patchItem(doc, "purpose", e.id, { description: "" })} readOnly={readOnly} />
              <fieldset class="group">
                <legend>{t("Retsgrundlag", "Legal basis")}</legend>
                <Checks label={t("Databeskyttelsesforordningen art. 6", "GDPR Art. 6")} value={e.legal_basis.art6} options={ART6.keys} word={ART6} onChange={(v) => save({ legal_basis: { art6: v } })} />
                <Checks label={t("Art. 9 (følsomme oplysninger)", "Art. 9 (special categories)")} value={e.legal_basis.art9} options={ART9.keys} word={ART9} onChange={(v) => save({ legal_basis: { art9: v } })} />
                <TextField multiline label={t("Begrundelse i forordningen", "Reasoning under the GDPR")} value={e.legal_basis.gdpr_text} onCommit={(v) => save({ legal_basis: { gdpr_text: v } })} />
                <TextField multiline label={t("National ret (fx folkeskoleloven, dagtilbudsloven)", "National law (e.g. the Folkeskole Act)")} value={e.legal_basis.national_law} onCommit={(v) => save({ legal_basis: { national_law: v } })} />
              </fieldset>
              <fieldset class="group">
                <legend>{t("Nødvendighed og proportionalitet", "Necessity and proportionality")}</legend>
                {NECESSITY_ASPECTS.keys.map((a) => (
                  <TextField multiline label={NECESSITY_ASPECTS(a)} value={e.necessity[a]} onCommit={(v) => save({ necessity: { [a]: v } })} />
                ))}
              </fieldset>
            </>
          )} />
      </Card>
    </div>
  );
}
