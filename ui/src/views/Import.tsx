// Import: a supplier risk sheet (.xlsx, .ods, .csv) with a mapping step — which column holds
// what, and what the sheet's words mean on our scales — previewed before anything is written;
// a CNIL PIA tool export; and Word out.

import { open as openDialog } from "@tauri-apps/plugin-dialog";
import { useState } from "preact/hooks";
import { call, commands, inTauri } from "../api";
import { Card, SelectField } from "../components/ui";
import { CONSEQUENCE, CONSEQUENCES, LIKELIHOOD, LIKELIHOODS, number, t } from "../i18n";
import { edit, fail, inform, open, opened, scope } from "../state";
import type { SheetInfo, SheetResult } from "../bindings";
import type { Value } from "../model";
import { pickSave } from "./Start";

/** The roles a column can have, as the mapping names them. */
const ROLES: [string, () => string][] = [
  ["reference", () => t("Reference (fx T3): sådan findes risikoen igen ved næste import", "Reference (e.g. T3): how the risk is found again next time")],
  ["title", () => t("Trussel (titel)", "Threat (title)")],
  ["threat", () => t("Beskrivelse af truslen", "Description of the threat")],
  ["module", () => t("Modul", "Module")],
  ["process", () => t("Dataproces", "Data process")],
  ["dimension", () => t("Fortrolighed/integritet/tilgængelighed (F/I/T)", "Confidentiality/integrity/availability (C/I/A)")],
  ["consequence", () => t("Konsekvens", "Consequence")],
  ["consequence_reason", () => t("Begrundelse for konsekvensen", "Reason for the consequence")],
  ["likelihood", () => t("Sandsynlighed", "Likelihood")],
  ["likelihood_reason", () => t("Begrundelse for sandsynligheden", "Reason for the likelihood")],
  ["reason", () => t("Én begrundelse for begge", "One reason for both")],
  ["residual_consequence", () => t("Konsekvens efter foranstaltninger", "Consequence after measures")],
  ["residual_likelihood", () => t("Sandsynlighed efter foranstaltninger", "Likelihood after measures")],
  ["residual_reason", () => t("Begrundelse for restrisikoen", "Reason for the residual risk")],
  ["measure", () => t("Foranstaltninger (én pr. linje)", "Measures (one per line)")],
  ["recommended_measure", () => t("Anbefalede/planlagte foranstaltninger (planlagt)", "Recommended/planned measures (planned)")],
  ["owner", () => t("Ansvarlig", "Owner")],
  ["status", () => t("Status", "Status")],
  ["planned_date", () => t("Frist", "Due date")],
];

type MappingJson = { columns: Record<string, string | null>; consequence_words: Record<string, string>; likelihood_words: Record<string, string> } & Record<string, unknown>;

async function pick(name: string, extensions: string[]): Promise<string | null> {
  if (!inTauri()) return null;
  const chosen = await openDialog({ multiple: false, directory: false, filters: [{ name, extensions }] });
  return typeof chosen === "string" ? chosen : null;
}

function WordMap(p: { title: string; values: string[]; words: Record<string, string>; options: string[]; word: (k: string) => string; onChange: (w: Record<string, string>) => void }) {
  if (p.values.length === 0) return null;
  return (
    <fieldset class="group">
      <legend>{p.title}</legend>
      <table class="table">
        <tbody>
          {p.values.map((v) => (
            <tr>
              <th scope="row">«{v}»</th>
              <td>
                <SelectField hiddenLabel label={`«${v}»`} value={(p.words[v] ?? null) as string | null} options={p.options} word={p.word}
                  emptyLabel={t("vores ord / 1–4 (standard)", "our word / 1–4 (default)")}
                  onChange={(k) => {
                    const next = { ...p.words };
                    if (k) next[v] = k;
                    else delete next[v];
                    p.onChange(next);
                  }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

function SheetImport() {
  const [file, setFile] = useState("");
  const [info, setInfo] = useState<SheetInfo | null>(null);
  const [mapping, setMapping] = useState<MappingJson | null>(null);
  const [target, setTarget] = useState<"base" | "local">(scope.value === null ? "base" : "local");
  const [partial, setPartial] = useState(false);
  const [result, setResult] = useState<SheetResult | null>(null);
  const [moved, setMoved] = useState(false);
  const load = async (path: string, sheet: string | null, headerRow: number | null = null) => {
    try {
      const i = await call(commands.sheetOpen(path, sheet, headerRow));
      setInfo(i);
      setMoved(headerRow !== null);
      setMapping(i.mapping as MappingJson);
      setResult(null);
    } catch (e) {
      fail(e);
    }
  };
  const run = async (dryRun: boolean) => {
    if (!info || !mapping) return;
    const org = target === "local" ? scope.value : null;
    const r = await edit(() => call(commands.sheetImport(info.file, info.sheet, org, mapping as unknown as Value, dryRun, partial)));
    if (r) {
      setResult(r);
      if (r.written) inform(t(`Importeret: ${r.created} nye, ${r.updated} opdaterede, ${r.unchanged} uændrede risici.`, `Imported: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged risks.`));
    }
  };
  const column = (role: string) => (mapping?.columns[role] ?? null) as string | null;
  const valuesOf = (...roles: string[]) => [...new Set(roles.flatMap((r) => info?.columns.find((c) => c.name === column(r))?.values ?? []))];
  return (
    <Card title={t("Risikoark fra leverandøren", "The supplier's risk sheet")} basis=".xlsx · .ods · .csv">
      <div class="row">
        <div class="field grow"><label for="sheet-file">{t("Fil", "File")}</label><input id="sheet-file" value={file} spellcheck={false} onInput={(e) => setFile((e.currentTarget as HTMLInputElement).value)} /></div>
        <button type="button" onClick={async () => { const f = await pick(t("Regneark", "Spreadsheet"), ["xlsx", "ods", "csv"]).catch(() => null); if (f) { setFile(f); void load(f, null); } }}>{t("Vælg …", "Choose …")}</button>
        <button type="button" class="primary" disabled={!file} onClick={() => void load(file, null)}>{t("Læs arket", "Read the sheet")}</button>
      </div>
      {info && mapping && (
        <>
          <div class="row">
            <SelectField label={t("Ark", "Sheet")} value={info.sheet} options={info.sheets} word={(s) => s} empty={false} onChange={(s) => s && void load(info.file, s)} />
            <SelectField label={t("Importér til", "Import into")} value={target} options={scope.value === null ? ["base"] : ["base", "local"]} word={(k) => (k === "base" ? t("fælles basis", "the joint base") : t("mit tillæg", "my supplement"))} empty={false} onChange={(k) => setTarget((k ?? "base") as "base" | "local")} />
          </div>
          <p class="hint">
            {info.origin === "saved" ? t("Mappingen er den, der blev gemt sidst for ark med samme kolonner.", "The mapping is the one saved last for sheets with the same columns.") : t("Mappingen er et forslag ud fra overskrifterne. Ret det, hvor det gætter forkert.", "The mapping is a proposal from the headers. Correct it where it guesses wrong.")}
          </p>
          <div class="row" role="group" aria-label={t("Overskriftsrække", "Header row")}>
            <p class="grow">
              {t(`Overskriftsrække: række ${info.header_row}`, `Header row: row ${info.header_row}`)}
              {moved
                ? t(" (flyttet af dig; mappingen er foreslået igen ud fra den række)", " (moved by you; the mapping is proposed again from that row)")
                : info.origin === "proposed" && t(" (fundet ud fra, hvad kolonnerne betyder)", " (found by what its columns mean)")}
            </p>
            <button type="button" disabled={info.header_row <= 1} onClick={() => void load(info.file, info.sheet, info.header_row - 1)}>
              {t(`▲ Række ${info.header_row - 1}`, `▲ Row ${info.header_row - 1}`)}
            </button>
            <button type="button" disabled={info.header_row >= info.last_header_row} onClick={() => void load(info.file, info.sheet, info.header_row + 1)}>
              {t(`▼ Række ${info.header_row + 1}`, `▼ Row ${info.header_row + 1}`)}
            </button>
          </div>
          {info.notes.length > 0 && <ul class="hint">{info.notes.map((n) => <li>{n}</li>)}</ul>}
          <details>
            <summary>{t("Sådan læses arket (de første rækker, som de importeres)", "How the sheet is read (the first rows as they will import)")}</summary>
            <pre class="preview">{info.preview}</pre>
          </details>
          <fieldset class="group">
            <legend>{t("Kolonner", "Columns")}</legend>
            <div class="mapping-grid">
              {ROLES.map(([role, label]) => (
                <SelectField label={label()} value={column(role)} options={info.columns.map((c) => c.name)} word={(c) => c} emptyLabel={t("— ingen —", "— none —")}
                  onChange={(c) => setMapping({ ...mapping, columns: { ...mapping.columns, [role]: c } })} />
              ))}
            </div>
          </fieldset>
          <WordMap title={t("Arkets ord for konsekvens", "The sheet's words for consequence")} values={valuesOf("consequence", "residual_consequence")} words={mapping.consequence_words} options={CONSEQUENCES} word={(k) => CONSEQUENCE(k as never)}
            onChange={(w) => setMapping({ ...mapping, consequence_words: w })} />
          <WordMap title={t("Arkets ord for sandsynlighed", "The sheet's words for likelihood")} values={valuesOf("likelihood", "residual_likelihood")} words={mapping.likelihood_words} options={LIKELIHOODS} word={(k) => LIKELIHOOD(k as never)}
            onChange={(w) => setMapping({ ...mapping, likelihood_words: w })} />
          <label class="inline"><input type="checkbox" checked={partial} onChange={(e) => setPartial((e.currentTarget as HTMLInputElement).checked)} /> {t("Importér det, der kan læses, og spring resten over", "Import what can be read and skip the rest")}</label>
          <div class="actions">
            <button type="button" onClick={() => void run(true)}>{t("Forhåndsvis", "Preview")}</button>
            <button type="button" class="primary" onClick={() => void run(false)}>{t("Importér", "Import")}</button>
          </div>
        </>
      )}
      {result && (
        <div class="import-report">
          <p><strong>{result.written ? t("Importeret", "Imported") : t("Forhåndsvisning — intet er skrevet", "Preview — nothing written")}</strong>: {number(result.created)} {t("nye", "new")}, {number(result.updated)} {t("opdaterede", "updated")}, {number(result.unchanged)} {t("uændrede", "unchanged")}, {number(result.skipped)} {t("sprunget over", "skipped")}</p>
          <pre>{result.text}</pre>
        </div>
      )}
    </Card>
  );
}

function CnilImport() {
  const [file, setFile] = useState("");
  const [report, setReport] = useState<string | null>(null);
  return (
    <Card title={t("Fra CNIL's PIA-værktøj", "From the CNIL PIA tool")} basis=".json">
      <div class="row">
        <div class="field grow"><label for="cnil-file">{t("Eksporteret PIA (.json)", "Exported PIA (.json)")}</label><input id="cnil-file" value={file} spellcheck={false} onInput={(e) => setFile((e.currentTarget as HTMLInputElement).value)} /></div>
        <button type="button" onClick={async () => { const f = await pick("CNIL PIA", ["json"]).catch(() => null); if (f) setFile(f); }}>{t("Vælg …", "Choose …")}</button>
      </div>
      <div class="actions">
        {scope.value !== null && (
          <button type="button" disabled={!file} onClick={async () => {
            const r = await edit(() => call(commands.cnilImportInto(file, scope.value!)));
            if (r) setReport(r);
          }}>{t("Ind i mit tillæg", "Into my supplement")}</button>
        )}
        <button type="button" disabled={!file} onClick={async () => {
          const out = await pickSave(file.replace(/\.json$/i, ".konsekvens"), "konsekvens", "Konsekvens").catch(() => null);
          if (out) await open(() => call(commands.cnilImportNew(file, out)));
        }}>{t("Som ny fælles konsekvensanalyse …", "As a new joint DPIA …")}</button>
      </div>
      {report && <pre class="import-report">{report}</pre>}
    </Card>
  );
}

export function Import() {
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Import", "Import")}</h1>
        <p class="lead">{t("Leverandørens risikoark og analyser fra CNIL's værktøj bliver til risici, vurderinger og foranstaltninger her. En ny udgave af samme ark opdaterer de risici, den første lavede, i stedet for at lave dem igen.", "The supplier's risk sheets and analyses from CNIL's tool become risks, ratings and measures here. A new version of the same sheet updates the risks the first one made instead of making them again.")}</p>
      </header>
      {opened.value && <SheetImport />}
      <CnilImport />
    </div>
  );
}

/** Word export, for the Export view. */
export function WordExport({ lang }: { lang: string }) {
  const [out, setOut] = useState("");
  return (
    <Card title={t("Word-dokument", "Word document")} basis=".docx">
      <div class="row">
        <div class="field grow"><label for="docx-out">{t("Gem som", "Save as")}</label><input id="docx-out" value={out} placeholder="/home/dpo/konsekvensanalyse.docx" onInput={(e) => setOut((e.currentTarget as HTMLInputElement).value)} /></div>
        <button type="button" onClick={async () => { const f = await pickSave("konsekvensanalyse.docx", "docx", "Word").catch(() => null); if (f) setOut(f); }}>{t("Vælg …", "Choose …")}</button>
        <button type="button" disabled={!out} onClick={() => call(commands.exportDocx(scope.value, lang, out)).then((r) => inform(t(`Word-dokument gemt: ${r.path}`, `Word document saved: ${r.path}`)), fail)}>{t("Lav Word-dokument", "Make Word document")}</button>
      </div>
      <p class="hint">{t("Samme indhold og rækkefølge som PDF'en; til kommentarer fra kolleger. Den underskrevne udgave er PDF'en.", "The same content and order as the PDF, for colleagues' comments. The signed version is the PDF.")}</p>
    </Card>
  );
}
