// Export and signing: render a municipality's DPIA (or the base) as PDF with progress, sign it
// with a .p12 (PAdES), open it; and verify a PDF someone sent.

import { Channel } from "@tauri-apps/api/core";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import { openPath } from "@tauri-apps/plugin-opener";
import { useEffect, useState } from "preact/hooks";
import { call, commands, errorCode, inTauri, message } from "../api";
import { Card, TextField } from "../components/ui";
import { lang, number, t } from "../i18n";
import { dpia, fail, inform, isManaged, opened, refresh, scope, settings } from "../state";
import type { Progress, VerifyResult, Withheld } from "../bindings";
import { WordExport } from "./Import";
import { HearingExport } from "./Hearing";
import { pickSave } from "./Start";

async function pickOpen(name: string, extensions: string[]): Promise<string | null> {
  if (!inTauri()) return null;
  const chosen = await openDialog({ multiple: false, directory: false, filters: [{ name, extensions }] });
  return typeof chosen === "string" ? chosen : null;
}

function PathField(p: { id: string; label: string; value: string; onChange: (v: string) => void; pick: () => Promise<string | null> }) {
  return (
    <div class="row">
      <div class="field grow">
        <label for={p.id}>{p.label}</label>
        <input id={p.id} value={p.value} spellcheck={false} onInput={(e) => p.onChange((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <button type="button" onClick={async () => { const v = await p.pick().catch((e) => (fail(e), null)); if (v) p.onChange(v); }}>{t("Vælg …", "Choose …")}</button>
    </div>
  );
}

function suggested(ext: string): string {
  const o = opened.value;
  const dir = o ? o.path.replace(/[^/\\]*$/, "") : "";
  const who = scope.value === null ? "faelles-basis" : String(scope.value);
  return `${dir}konsekvensanalyse-${who}${ext}`;
}

/** Offentligt resumé: what it leaves out is listed before the DPO exports it (PDF/A or HTML). */
export function PublicSummary(p: { lang: string }) {
  const [html, setHtml] = useState(false);
  const [out, setOut] = useState(suggested("-offentligt-resume.pdf").replace("konsekvensanalyse-", ""));
  const [withheld, setWithheld] = useState<Withheld[] | null>(null);
  const org = scope.value;
  useEffect(() => {
    setWithheld(null);
    call(commands.publicSummaryWithheld(org, p.lang)).then(setWithheld, fail);
  }, [org, p.lang, dpia.value]);
  const pickFormat = (asHtml: boolean) => {
    setHtml(asHtml);
    setOut((o) => o.replace(/\.(pdf|html)$/i, asHtml ? ".html" : ".pdf"));
  };
  const save = async () => {
    try {
      const result = await call(commands.exportPublicSummary(org, p.lang, html, out));
      inform(t(`Offentligt resumé gemt: ${result.path} (${number(Math.round(result.bytes / 1024))} KiB)`, `Public summary saved: ${result.path} (${number(Math.round(result.bytes / 1024))} KiB)`));
    } catch (e) {
      fail(e);
    }
  };
  const count = withheld?.reduce((n, w) => n + w.items.length, 0) ?? 0;
  return (
    <Card title={t("Offentligt resumé", "Public summary")}>
      <p class="hint">{t(
        "Hvad der behandles, hvorfor og med hvilken hjemmel, de vigtigste risici for de registrerede og hvordan de mindskes — til kommunens hjemmeside. Uden oplysninger, der kan bruges til angreb.",
        "What is processed, why and on what legal basis, the main risks to people and how they are reduced — for the municipality's website. Without what could be used for an attack.")}</p>
      <section aria-labelledby="withheld-title" class="withheld">
        <h3 id="withheld-title">{withheld === null ? t("Udeladt …", "Left out …") : t(`Udeladt af resuméet: ${number(count)} elementer`, `Left out of the summary: ${number(count)} items`)}</h3>
        {withheld?.length === 0 && <p>{t("Intet: analysen har ingen af de udeladte felter udfyldt.", "Nothing: none of the withheld fields is filled in.")}</p>}
        {withheld?.map((w) => (
          <details>
            <summary><strong>{w.category}</strong> ({number(w.items.length)}) — {w.reason}</summary>
            <ul>
              {w.items.map((i) => <li><strong>{i.reference}</strong> {i.name}: <q>{i.excerpt}</q></li>)}
            </ul>
          </details>
        ))}
      </section>
      <fieldset class="yesno">
        <legend>{t("Format", "Format")}</legend>
        <label><input type="radio" name="summary-format" checked={!html} onChange={() => pickFormat(false)} /> PDF/A</label>
        <label><input type="radio" name="summary-format" checked={html} onChange={() => pickFormat(true)} /> HTML</label>
      </fieldset>
      <PathField id="summary-out" label={t("Gem som", "Save as")} value={out} onChange={setOut} pick={() => (html ? pickSave(out, "html", "HTML") : pickSave(out, "pdf", "PDF"))} />
      <button type="button" disabled={!out || withheld === null} onClick={() => void save()}>{t("Gem offentligt resumé", "Save public summary")}</button>
    </Card>
  );
}

export function Export() {
  const [out, setOut] = useState(suggested(".pdf"));
  const [notat, setNotat] = useState(suggested("").replace(/konsekvensanalyse-[^/\\]*$/, "hoeringsnotat"));
  const [docLang, setDocLang] = useState(lang.value);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [p12, setP12] = useState("");
  const [password, setPassword] = useState("");
  const [signed, setSigned] = useState(suggested("-underskrevet.pdf"));
  const [signer, setSigner] = useState("");
  const [capacity, setCapacity] = useState("");
  const [reason, setReason] = useState(t("Godkendt konsekvensanalyse", "Approved DPIA"));
  const [location, setLocation] = useState("");
  const [verifyPath, setVerifyPath] = useState("");
  const [trust, setTrust] = useState("");
  const [verdict, setVerdict] = useState<VerifyResult | null>(null);
  const d = dpia.value;
  const signing = settings.value;
  const tsa = signing?.tsa ?? "";
  const level = signing?.signature_level ?? "";
  const levelShown = level ? level.toUpperCase() : tsa ? "B-T" : "B-B";
  const saveSigning = async (nextTsa: string, nextLevel: string) => {
    try {
      settings.value = await call(commands.saveSigning(nextTsa, nextLevel));
    } catch (e) {
      fail(e);
    }
  };
  const who = scope.value === null ? t("fælles basis", "the joint base") : d?.org.name ?? "";

  const render = async () => {
    setExported(null);
    const channel = new Channel<Progress>();
    channel.onmessage = setProgress;
    try {
      const result = await call(commands.exportPdf(scope.value, docLang, out, channel));
      setExported(result.path);
      setVerifyPath(result.path);
      inform(t(`PDF gemt: ${result.path} (${number(Math.round(result.bytes / 1024))} KiB)`, `PDF saved: ${result.path} (${number(Math.round(result.bytes / 1024))} KiB)`));
    } catch (e) {
      // The user's own cancel is news, not a failure.
      if (errorCode(e) === "K-EKSPORT-ANNULLERET") inform(message(e));
      else fail(e);
    } finally {
      setProgress(null);
    }
  };

  const sign = async () => {
    try {
      const input = exported ?? out;
      const result = await call(commands.signPdf({
        input, p12, password, out: signed, name: signer || null, reason: reason || null, location: location || null,
        org: scope.value, capacity: scope.value !== null && capacity ? capacity : null,
      }));
      setPassword("");
      setVerifyPath(result.path);
      inform(t(`Underskrevet: ${result.path}`, `Signed: ${result.path}`));
      await refresh();
    } catch (e) {
      fail(e);
    }
  };

  const verify = async () => {
    try {
      setVerdict(await call(commands.verifyPdf(verifyPath, trust ? [trust] : [])));
    } catch (e) {
      setVerdict(null);
      fail(e);
    }
  };

  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Eksport og underskrift", "Export and signing")}</h1>
        <p class="lead">{t(`Dokumentet for ${who}, som Datatilsynet kan læse, og som alle kan efterprøve.`, `The document for ${who}, readable by Datatilsynet and verifiable by anyone.`)}</p>
      </header>
      <Card title={t("1. Lav PDF", "1. Make the PDF")}>
        <PathField id="pdf-out" label={t("Gem som", "Save as")} value={out} onChange={setOut} pick={() => pickSave(out, "pdf", "PDF")} />
        <fieldset class="yesno">
          <legend>{t("Sprog", "Language")}</legend>
          <label><input type="radio" name="doc-lang" checked={docLang === "da"} onChange={() => setDocLang("da")} /> Dansk</label>
          <label><input type="radio" name="doc-lang" checked={docLang === "en"} onChange={() => setDocLang("en")} /> English</label>
        </fieldset>
        <div class="actions">
          <button type="button" class="primary" disabled={progress !== null || !out} onClick={() => void render()}>{t("Lav PDF", "Make PDF")}</button>
          {progress && <button type="button" onClick={() => void commands.cancelExport()}>{t("Annullér", "Cancel")}</button>}
          {exported && inTauri() && <button type="button" onClick={() => openPath(exported).catch((e) => fail(message(e)))}>{t("Åbn PDF", "Open PDF")}</button>}
        </div>
        {progress && (
          <div class="progress">
            <progress max={100} value={progress.percent} aria-label={t("Eksport", "Export")} />
            <span role="status">{progress.step}</span>
          </div>
        )}
      </Card>

      <WordExport lang={docLang} />
      <HearingExport out={notat} setOut={setNotat} />

      <PublicSummary lang={docLang} />

      <Card title={t("2. Underskriv", "2. Sign")} basis={`PAdES ${levelShown}`}>
        <PathField id="p12" label={t("Certifikat (.p12), fx OCES3 / MitID Erhverv", "Certificate (.p12), e.g. OCES3 / MitID Erhverv")} value={p12} onChange={setP12} pick={() => pickOpen("PKCS#12", ["p12", "pfx"])} />
        <div class="field"><label for="p12-password">{t("Adgangskode til certifikatet", "Certificate password")}</label><input id="p12-password" type="password" autocomplete="off" value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} /></div>
        <div class="row">
          <TextField label={t("Underskriver (tom: navnet i certifikatet)", "Signer (empty: the certificate's name)")} value={signer} onCommit={setSigner} />
          {scope.value !== null && <TextField label={t("I egenskab af", "Capacity")} value={capacity} onCommit={setCapacity} placeholder={t("fx databeskyttelsesrådgiver", "e.g. DPO")} />}
        </div>
        <div class="row">
          <TextField label={t("Begrundelse", "Reason")} value={reason} onCommit={setReason} />
          <TextField label={t("Sted", "Location")} value={location} onCommit={setLocation} />
        </div>
        <div class="row">
          <TextField
            label={t("Tidsstemplingstjeneste (RFC 3161, tom: ingen)", "Time-stamping service (RFC 3161, empty: none)")}
            value={tsa}
            placeholder="https://…"
            disabled={isManaged("tsa")}
            hint={isManaged("tsa") ? t("Fastlagt af din organisations politik", "Set by your organisation's policy") : undefined}
            onCommit={(v) => void saveSigning(v, v.trim() ? level : level === "b-b" ? level : "")}
          />
          <div class="field">
            <label for="signature-level">{t("Signaturniveau", "Signature level")}</label>
            <select id="signature-level" value={level} onChange={(e) => void saveSigning(tsa, (e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t("Automatisk (B-T med tidsstempel, ellers B-B)", "Automatic (B-T with a timestamp, else B-B)")}</option>
              <option value="b-b">PAdES B-B</option>
              <option value="b-t" disabled={!tsa}>{t("PAdES B-T (tidsstempel)", "PAdES B-T (timestamp)")}</option>
              <option value="b-lt" disabled={!tsa}>{t("PAdES B-LT (+ spærreoplysninger)", "PAdES B-LT (+ revocation data)")}</option>
              <option value="b-lta" disabled={!tsa}>{t("PAdES B-LTA (+ dokumenttidsstempel, til arkivet)", "PAdES B-LTA (+ document timestamp, for the archive)")}</option>
            </select>
          </div>
        </div>
        <PathField id="signed-out" label={t("Gem underskrevet PDF som", "Save the signed PDF as")} value={signed} onChange={setSigned} pick={() => pickSave(signed, "pdf", "PDF")} />
        <button type="button" class="primary" disabled={!p12 || !signed} onClick={() => void sign()}>{t("Underskriv", "Sign")}</button>
        <p class="hint">{t("En ny underskrift (fx direktøren efter DPO'en) lægges oven på de tidligere, som forbliver gyldige.", "A further signature (e.g. the director after the DPO) is added on top; earlier ones stay valid.")}</p>
      </Card>

      <Card title={t("Efterprøv en PDF", "Verify a PDF")}>
        <PathField id="verify-path" label={t("PDF", "PDF")} value={verifyPath} onChange={setVerifyPath} pick={() => pickOpen("PDF", ["pdf"])} />
        <PathField id="trust" label={t("Betroet rodcertifikat (valgfrit, PEM eller DER)", "Trusted root certificate (optional, PEM or DER)")} value={trust} onChange={setTrust} pick={() => pickOpen(t("Certifikat", "Certificate"), ["pem", "crt", "cer", "der"])} />
        <button type="button" disabled={!verifyPath} onClick={() => void verify()}>{t("Efterprøv", "Verify")}</button>
        {verdict && (
          <div class={`verdict ${verdict.ok ? "verdict-ok" : "verdict-bad"}`} role="status">
            <p><strong>{verdict.ok ? t("Alle underskrifter er gyldige.", "All signatures are valid.") : t("Dokumentet er IKKE gyldigt underskrevet.", "The document is NOT validly signed.")}</strong></p>
            <ol>
              {verdict.signatures.map((s) => (
                <li>
                  {s.signer} — {s.claimed_time}: {s.intact ? t("indholdet er uændret", "content unchanged") : `${t("ÆNDRET", "CHANGED")}: ${s.problem ? message(s.problem) : ""}`}
                  {s.trusted === true ? `, ${t("betroet", "trusted")}` : s.trusted === false ? `, ${t("ikke betroet", "not trusted")}` : ""}
                  {s.level ? `, ${s.level}` : ""}
                  {s.timestamp ? `, ${t("tidsstemplet", "timestamped")} ${s.timestamp}` : ""}
                  {s.long_term_problem ? ` — ${message(s.long_term_problem)}` : ""}
                  {s.appended_bytes ? `, ${t("tilføjet bagefter", "appended afterwards")}: ${number(s.appended_bytes)} bytes${s.appended_signed ? ` (${t("underskrevet senere", "signed later")})` : ` (${t("ikke underskrevet", "not signed")})`}` : ""}
                </li>
              ))}
            </ol>
            {verdict.unsigned_tail > 0 && <p>{t(`${number(verdict.unsigned_tail)} bytes efter sidste underskrift er ikke underskrevet.`, `${number(verdict.unsigned_tail)} bytes after the last signature are not signed.`)}</p>}
          </div>
        )}
      </Card>
    </div>
  );
}
