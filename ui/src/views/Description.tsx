// Art. 35(7)(a): the systematic description — the processing as prose, and its parts as
// structured items: processes with their operations, modules, data classed by sensitivity,
// data subjects with counts, sources, who can access, transfers, processors, documents.

import { Collection, type EditorProps } from "../components/Collection";
import { CommentCount } from "../components/Remarks";
import { DESCRIPTION_PARTS, sectionTarget } from "../hearing";
import { RichText } from "../components/RichText";
import { Card, Checks, Links, NumberField, SelectField, TextField, YesNo, options } from "../components/ui";
import {
  ACCESS_SIDE, DATA_CLASS, OPERATION, PROCESSOR_ROLE, TRANSFER_BASIS, number, t,
} from "../i18n";
import { baseFrozen, dpia, frozenHint, patchSection, scope } from "../state";
import type { Deviation } from "../model";

export function Description() {
  const d = dpia.value;
  if (!d) return null;
  const i = d.items;
  const base = scope.value === null;
  const frozen = baseFrozen.value;
  const createSection = (field: string) => () => patchSection("base", "description", { [field]: "" });
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Systematisk beskrivelse", "Systematic description")} <small class="basis">{t("art. 35, stk. 7, litra a", "Art. 35(7)(a)")}</small></h1>
        <p class="lead">{t("Behandlingen, formålene og de oplysninger, registrerede og modtagere, den omfatter. Fælles for alle deltagende kommuner; kommunens egne tilføjelser er markeret «Lokal».", "The processing, its purposes, and the data, data subjects and recipients it covers. Shared by all participating municipalities; the municipality's own additions are marked «Local».")}</p>
      </header>

      <Card title={t("Beskrivelse af behandlingen", "Description of the processing")} actions={<CommentCount target={sectionTarget("description")} always />}>
        {frozen && <p class="hint shared-hint">{frozenHint()}</p>}
        <p class="part-comments">{Object.keys(DESCRIPTION_PARTS).map((part) => <CommentCount target={sectionTarget(`description.${part}`)} />)}</p>
        <fieldset class="plain" disabled={frozen}>
        <RichText label={t("Sammenfatning", "Summary")} doc="base" path={["description", "summary"]} create={createSection("summary")} readOnly={frozen} />
        <RichText label={t("Afgrænsning", "Scope")} doc="base" path={["description", "scope"]} create={createSection("scope")} readOnly={frozen} />
        <RichText label={t("Opbevaring og sletning", "Retention and erasure")} doc="base" path={["description", "retention"]} create={createSection("retention")} readOnly={frozen} />
        <YesNo label={t("Bruges der ny teknologi?", "Is new technology used?")} value={d.description.new_technology} onChange={(v) => void patchSection("base", "description", { new_technology: v })} />
        <RichText label={t("Begrundelse (ny teknologi)", "Reason (new technology)")} doc="base" path={["description", "new_technology_text"]} create={createSection("new_technology_text")} readOnly={frozen} />
        </fieldset>
        {!base && (
          <TextField multiline label={t("Lokalt supplerende retsgrundlag", "Local additional legal basis")} value={d.local_legal_basis} onCommit={(v) => void patchSection(d.documents.local ?? d.documents.base, "supplement_meta", { local_legal_basis: v })} />
        )}
      </Card>

      <Card title={t("Databehandlingsprocesser", "Data processes")} basis={t("behandlingsaktiviteter", "processing operations")}>
        <Collection kind="process" noun={t("proces", "process")} entries={i.processes} title={(e) => e.name}
          detail={(e) => e.operations.map((o) => OPERATION(o)).join(", ")}
          editor={({ entry: e, save }) => (
            <>
              <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
              <TextField multiline label={t("Beskrivelse", "Description")} value={e.description} onCommit={(v) => save({ description: v })} />
              <Checks label={t("Behandlingsaktiviteter", "Processing operations")} value={e.operations} options={OPERATION.keys} word={OPERATION} onChange={(v) => save({ operations: v })} />
              <Links label={t("Moduler", "Modules")} value={e.modules} options={options(i.modules, (m) => m.name)} onChange={(v) => save({ modules: v })} />
              <Links label={t("Formål", "Purposes")} value={e.purposes} options={options(i.purposes, (p) => p.title)} onChange={(v) => save({ purposes: v })} />
            </>
          )} />
      </Card>

      <Card title={t("Moduler", "Modules")}>
        <Collection kind="module" noun={t("modul", "module")} entries={i.modules} title={(e) => e.name}
          editor={nameAndDescription} />
      </Card>

      <Card title={t("Kategorier af personoplysninger", "Categories of personal data")} basis={t("almindelige, fortrolige, CPR, følsomme", "ordinary, confidential, CPR, special")}>
        <Collection kind="data_category" noun={t("kategori", "category")} entries={i.data_categories} title={(e) => e.name}
          detail={(e) => <span class={`class class-${e.class ?? "none"}`}>{e.class ? DATA_CLASS(e.class) : t("ikke klassificeret", "not classed")}</span>}
          editor={({ entry: e, save }) => (
            <>
              <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
              <SelectField label={t("Klassifikation", "Class")} value={e.class} options={DATA_CLASS.keys} word={DATA_CLASS} onChange={(v) => save({ class: v })} />
              <TextField multiline label={t("Eksempler", "Examples")} value={e.examples} onCommit={(v) => save({ examples: v })} />
              <TextField multiline label={t("Opbevaring", "Retention")} value={e.retention} onCommit={(v) => save({ retention: v })} />
              <Links label={t("Kilder", "Sources")} value={e.sources} options={options(i.sources, (s) => s.name)} onChange={(v) => save({ sources: v })} />
              <Links label={t("Registrerede", "Data subjects")} value={e.subjects} options={options(i.subject_categories, (s) => s.name)} onChange={(v) => save({ subjects: v })} />
            </>
          )} />
      </Card>

      <Card title={t("Kategorier af registrerede", "Categories of data subjects")} basis={t("antal og sårbarhed", "numbers and vulnerability")}>
        <Collection kind="subject_category" noun={t("kategori", "category")} entries={i.subject_categories} title={(e) => e.name}
          detail={(e) => <>{e.count !== null ? number(e.count) : t("antal mangler", "count missing")}{e.vulnerable ? ` · ${t("sårbare", "vulnerable")}` : ""}{countDeviation(e.deviation)}</>}
          editor={({ entry: e, save }) => (
            <>
              <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
              <NumberField label={t("Antal", "Count")} value={e.count} onCommit={(v) => save({ count: v })} hint={e.deviation?.type === "subject_count" ? t("Kommunens eget antal står i «Mit tillæg».", "The municipality's own count is in «My supplement».") : undefined} />
              <TextField multiline label={t("Om antallet", "About the count")} value={e.count_note} onCommit={(v) => save({ count_note: v })} />
              <YesNo label={t("Sårbare registrerede (fx børn)?", "Vulnerable data subjects (e.g. children)?")} value={e.vulnerable} onChange={(v) => save({ vulnerable: v === true })} />
              <TextField multiline label={t("Hvorfor sårbare", "Why vulnerable")} value={e.vulnerable_reason} onCommit={(v) => save({ vulnerable_reason: v })} />
            </>
          )} />
      </Card>

      <div class="two-col">
        <Card title={t("Kilder", "Sources")}>
          <Collection kind="source" noun={t("kilde", "source")} entries={i.sources} title={(e) => e.name}
            editor={nameAndDescription} />
        </Card>
        <Card title={t("Modtagere og adgang", "Recipients and access")} basis={t("internt og eksternt", "internal and external")}>
          <Collection kind="recipient" noun={t("modtager", "recipient")} entries={i.recipients} title={(e) => e.name}
            detail={(e) => (e.side ? ACCESS_SIDE(e.side) : "")}
            editor={({ entry: e, save }) => (
              <>
                <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
                <SelectField label={t("Internt eller eksternt", "Internal or external")} value={e.side} options={ACCESS_SIDE.keys} word={ACCESS_SIDE} onChange={(v) => save({ side: v })} />
                <TextField multiline label={t("Hvad kan de se og gøre", "What they can see and do")} value={e.access} onCommit={(v) => save({ access: v })} />
              </>
            )} />
        </Card>
      </div>

      <div class="two-col">
        <Card title={t("Databehandlere", "Processors")} basis={t("kæden af databehandlere", "the processor chain")}>
          <Collection kind="processor" noun={t("databehandler", "processor")} entries={i.processors} title={(e) => e.name}
            detail={(e) => [e.role ? PROCESSOR_ROLE(e.role) : "", e.location].filter(Boolean).join(" · ")}
            editor={({ entry: e, save }) => (
              <>
                <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
                <SelectField label={t("Rolle", "Role")} value={e.role} options={PROCESSOR_ROLE.keys} word={PROCESSOR_ROLE} onChange={(v) => save({ role: v })} />
                <SelectField label={t("Arbejder for", "Works for")} value={e.parent} options={i.processors.filter((p) => p.id !== e.id).map((p) => p.id)} word={(id) => i.processors.find((p) => p.id === id)?.name ?? id} onChange={(v) => save({ parent: v })} />
                <TextField multiline label={t("Ydelse", "Service")} value={e.service} onCommit={(v) => save({ service: v })} />
                <TextField label={t("Placering", "Location")} value={e.location} onCommit={(v) => save({ location: v })} />
              </>
            )} />
        </Card>
        <Card title={t("Overførsler til tredjelande", "Third-country transfers")}>
          <YesNo label={t("Forlader oplysningerne EU/EØS, eller kan de tilgås derfra?", "Does the data leave the EU/EEA, or can it be reached from outside it?")} value={d.description.third_country_access} onChange={(v) => void patchSection("base", "description", { third_country_access: v })} />
          <TextField multiline label={t("Begrundelse (hostingregion, databehandlernes instruks og forbehold)", "Reason (hosting region, the processors' instructions and clauses)")} value={d.description.third_country_reason} onCommit={(v) => void patchSection("base", "description", { third_country_reason: v })} />
          <Collection kind="transfer" noun={t("overførsel", "transfer")} entries={i.transfers} title={(e) => `${e.country} — ${e.recipient}`}
            detail={(e) => (e.basis ? TRANSFER_BASIS(e.basis) : t("grundlag mangler", "basis missing"))}
            editor={({ entry: e, save }) => (
              <>
                <TextField label={t("Land", "Country")} value={e.country} onCommit={(v) => save({ country: v })} />
                <TextField label={t("Modtager", "Recipient")} value={e.recipient} onCommit={(v) => save({ recipient: v })} />
                <SelectField label={t("Grundlag (kapitel V)", "Basis (Chapter V)")} value={e.basis} options={TRANSFER_BASIS.keys} word={TRANSFER_BASIS} onChange={(v) => save({ basis: v })} />
                <TextField multiline label={t("Beskrivelse", "Description")} value={e.description} onCommit={(v) => save({ description: v })} />
              </>
            )} />
        </Card>
      </div>

      <div class="two-col">
        <Card title={t("Dokumenttyper", "Document types")}>
          <Collection kind="document_type" noun={t("dokumenttype", "document type")} entries={i.document_types} title={(e) => e.name}
            editor={({ entry: e, save }) => (
              <>
                <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
                <TextField multiline label={t("Beskrivelse", "Description")} value={e.description} onCommit={(v) => save({ description: v })} />
                <SelectField label={t("Modul", "Module")} value={e.module} options={i.modules.map((m) => m.id)} word={(id) => i.modules.find((m) => m.id === id)?.name ?? id} onChange={(v) => save({ module: v })} />
              </>
            )} />
        </Card>
        <Card title={t("Andre systemer", "Other systems")}>
          <Collection kind="system" noun={t("system", "system")} entries={i.systems} title={(e) => e.name}
            editor={nameAndDescription} />
        </Card>
      </div>
    </div>
  );
}

/** The editor of items that are a name and a description (modules, sources, systems). */
function nameAndDescription({ entry: e, save }: EditorProps<{ name: string; description: string }>) {
  return (
    <>
      <TextField label={t("Navn", "Name")} value={e.name} onCommit={(v) => save({ name: v })} />
      <TextField multiline label={t("Beskrivelse", "Description")} value={e.description} onCommit={(v) => save({ description: v })} />
    </>
  );
}

function countDeviation(d: Deviation | null) {
  if (d?.type !== "subject_count") return null;
  return ` · ${t("fælles basis", "joint base")}: ${d.base_count !== null ? number(d.base_count) : "—"}`;
}
