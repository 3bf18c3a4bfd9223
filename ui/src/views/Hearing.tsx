// The høring: hearing rounds (the coordinator opens one on the working base as a draft, sees
// who answered, answers every comment and publishes; a municipality answers and can revise
// until the deadline; what became of its comments behind a release), and every comment the
// user may read, filterable by municipality, item and state.

import { useState } from "preact/hooks";
import { call, commands } from "../api";
import { Card, Empty } from "../components/ui";
import { Thread } from "../components/Remarks";
import {
  commentedItems, fieldLabel, filterThreads, valueText, hearing, loadHearing, outcomeWord, partyName, verdictWord, VERDICTS, type ThreadState, type VerdictKey,
} from "../hearing";
import { date, t, today } from "../i18n";
import { coordination, edit, inform, opened, settings } from "../state";
import type { RoundStatusView_Serialize as RoundStatusView } from "../bindings";

const run = (f: () => Promise<unknown>) => edit(async () => { await f(); await loadHearing(); });

function participants() {
  return coordination.value?.participants ?? opened.value?.participants ?? [];
}

function OpenRound() {
  const [draft, setDraft] = useState("");
  const [deadline, setDeadline] = useState("");
  const [note, setNote] = useState("");
  return (
    <Card title={t("Åbn en høringsrunde", "Open a hearing round")}>
      <p class="lead">{t("Fælles basis, som den står nu, fryses som et udkast (indhold og SHA-256), og kommunerne svarer på det inden fristen.", "The joint base as it stands now is frozen as a draft (content and SHA-256), and the municipalities answer it by the deadline.")}</p>
      <div class="row">
        <div class="field"><label for="round-draft">{t("Udkastets navn", "The draft's name")}</label><input id="round-draft" value={draft} placeholder="2026.1-udkast" onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)} /></div>
        <div class="field"><label for="round-deadline">{t("Frist (ÅÅÅÅ-MM-DD)", "Deadline (YYYY-MM-DD)")}</label><input id="round-deadline" value={deadline} placeholder={today()} onInput={(e) => setDeadline((e.currentTarget as HTMLInputElement).value)} /></div>
      </div>
      <div class="field"><label for="round-note">{t("Note til kommunerne", "Note to the municipalities")}</label><textarea id="round-note" rows={2} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} /></div>
      <button type="button" class="primary" onClick={() => void run(async () => {
        const n = await call(commands.hearingOpen(draft, deadline, note));
        inform(t(`Høringsrunde ${n} er åbnet`, `Hearing round ${n} is open`));
      })}>{t("Åbn høringsrunden", "Open the hearing round")}</button>
    </Card>
  );
}

function Answer({ s }: { s: RoundStatusView }) {
  const me = hearing.value?.me ?? "";
  const mine = s.participants.find((p) => String(p.code) === me) ?? null;
  const [verdict, setVerdict] = useState<VerdictKey>((mine?.answer?.verdict as VerdictKey | undefined) ?? "agrees");
  const [note, setNote] = useState(mine?.answer?.note ?? "");
  const [dpo, setDpo] = useState(mine?.answer?.dpo ?? settings.value?.user_name ?? "");
  const [dpoDate, setDpoDate] = useState(mine?.answer?.dpo_date ?? today());
  return (
    <div class="answer-form" role="group" aria-label={t("Kommunens svar", "The municipality's answer")}>
      <h3>{mine?.answer ? t("Ret jeres svar (indtil fristen)", "Revise your answer (until the deadline)") : t("Jeres svar", "Your answer")}</h3>
      <fieldset class="plain verdicts">
        <legend>{t("Svar", "Verdict")}</legend>
        {VERDICTS.map((v) => <label><input type="radio" name="verdict" value={v} checked={verdict === v} onChange={() => setVerdict(v)} /> {verdictWord(v)}</label>)}
      </fieldset>
      <div class="field"><label for="answer-note">{t("Bemærkning til svaret", "Note to the answer")}</label><textarea id="answer-note" rows={2} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} /></div>
      <div class="row">
        <div class="field"><label for="answer-dpo">{t("Databeskyttelsesrådgiver", "Data protection officer")}</label><input id="answer-dpo" value={dpo} onInput={(e) => setDpo((e.currentTarget as HTMLInputElement).value)} /></div>
        <div class="field"><label for="answer-date">{t("Dato (ÅÅÅÅ-MM-DD)", "Date (YYYY-MM-DD)")}</label><input id="answer-date" value={dpoDate} onInput={(e) => setDpoDate((e.currentTarget as HTMLInputElement).value)} /></div>
      </div>
      <button type="button" class="primary" onClick={() => void run(async () => {
        await call(commands.hearingAnswer(s.round.number, verdict, note, dpo, dpoDate));
        inform(t(`Svaret på høringsrunde ${s.round.number} er afgivet`, `The answer to hearing round ${s.round.number} is given`));
      })}>{mine?.answer ? t("Gem det rettede svar", "Save the revised answer") : t("Afgiv svar", "Give the answer")}</button>
    </div>
  );
}

function Close({ s }: { s: RoundStatusView }) {
  const [release, setRelease] = useState(s.round.draft.replace(/-udkast$/, ""));
  const [note, setNote] = useState("");
  return (
    <div class="close-form" role="group" aria-label={t("Afslut runden", "Close the round")}>
      <h3>{t("Afslut runden og udgiv", "Close the round and publish")}</h3>
      {s.unanswered.length > 0 && <p class="warn-text">{t(`${s.unanswered.length} bemærkninger er ikke besvaret endnu; runden kan først afsluttes, når hver er besvaret.`, `${s.unanswered.length} comments are not answered yet; the round closes only when each is answered.`)}</p>}
      <div class="row">
        <div class="field"><label for="close-release">{t("Udgivelsens navn", "The release's name")}</label><input id="close-release" value={release} onInput={(e) => setRelease((e.currentTarget as HTMLInputElement).value)} /></div>
        <div class="field grow"><label for="close-note">{t("Note (tom: «Udgivet efter høringsrunde …»)", "Note (empty: «Published after hearing round …»)")}</label><input id="close-note" value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} /></div>
      </div>
      <button type="button" class="primary" disabled={s.unanswered.length > 0} onClick={() => void run(async () => {
        const r = await call(commands.hearingClose(s.round.number, release, note));
        inform(t(`Høringsrunde ${s.round.number} er afsluttet, og udgivelse ${r} er udgivet`, `Hearing round ${s.round.number} is closed and release ${r} is published`));
      })}>{t("Afslut og udgiv", "Close and publish")}</button>
    </div>
  );
}

function RoundCard({ s, first }: { s: RoundStatusView; first: boolean }) {
  const me = hearing.value?.me ?? "";
  const r = s.round;
  const state = r.release ? t(`afsluttet — udgivelse ${r.release}`, `closed — release ${r.release}`) : r.taking_answers ? t(`åben til og med ${date(r.deadline)}`, `open until ${date(r.deadline)}`) : t(`fristen ${date(r.deadline)} er overskredet`, `the deadline ${date(r.deadline)} has passed`);
  const answered = s.participants.filter((p) => p.answer !== null).length;
  return (
    <Card title={t(`Høringsrunde ${r.number}: ${r.draft}`, `Hearing round ${r.number}: ${r.draft}`)}>
      <p class="lead"><strong>{state}</strong> · {t(`${answered} af ${s.participants.length} kommuner har svaret`, `${answered} of ${s.participants.length} municipalities have answered`)}{r.note && <> · {r.note}</>}</p>
      <table class="table round-status">
        <thead><tr><th scope="col">{t("Kommune", "Municipality")}</th><th scope="col">{t("Svar", "Answer")}</th><th scope="col">{t("DPO", "DPO")}</th><th scope="col">{t("Bemærkninger", "Comments")}</th><th scope="col">{t("Åbne indsigelser", "Open objections")}</th></tr></thead>
        <tbody>
          {s.participants.map((p) => (
            <tr class={p.answer ? "" : "not-answered"}>
              <th scope="row">{p.name} ({p.code})</th>
              <td class={p.answer?.verdict === "cannot_agree" ? "bad" : p.answer ? "" : "warn"}>{p.answer ? verdictWord(p.answer.verdict) : t("har ikke svaret", "has not answered")}{p.answer && p.answer.revisions > 0 ? t(" (rettet)", " (revised)") : ""}</td>
              <td>{p.answer ? `${p.answer.dpo}, ${date(p.answer.dpo_date)}` : "—"}</td>
              <td>{p.comments}</td>
              <td class={p.open_objections ? "bad" : ""}>{p.open_objections}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {s.recurring.length > 0 && (
        <p class="hint">{t("Går igen i flere kommuner", "Recurring across municipalities")}: {s.recurring.map((x) => `${x.reference}${x.field ? ` (${x.field})` : ""}: ${x.orgs.join(", ")}`).join("; ")}</p>
      )}
      {me !== "coordinator" && r.taking_answers && first && <Answer s={s} />}
      {me === "coordinator" && !r.release && first && <Close s={s} />}
    </Card>
  );
}

function AfterOwn() {
  const h = hearing.value;
  if (!h || h.after.length === 0) return null;
  return (
    <Card title={t("Hvad blev der af jeres bemærkninger?", "What became of your comments?")}>
      <ul class="after">
        {h.after.map((a) => (
          <li>
            <p><strong>{a.target.replace(/ · (.+)$/, (_, f: string) => ` · ${fieldLabel(f)}`)}</strong> {t(`(udgivelse ${a.release})`, `(release ${a.release})`)}: {a.text}</p>
            <p><strong>{a.response ? outcomeWord(a.response.outcome) : t("ikke besvaret", "not answered")}</strong>{a.response?.reason ? ` — ${a.response.reason}` : ""}</p>
            {a.changed.length > 0 && (
              <ul class="changed">{a.changed.map(([path, before, after]) => <li>{fieldLabel(path) || path}: <del>{valueText(path, before) || "—"}</del> → <ins>{valueText(path, after) || "—"}</ins></li>)}</ul>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function AllComments() {
  const h = hearing.value!;
  const [by, setBy] = useState<string | null>(null);
  const [item, setItem] = useState("");
  const [state, setState] = useState<ThreadState>("open");
  const shown = filterThreads(h.threads, { by, item, state });
  const writers = [...new Set(h.threads.map((x) => x.opening.by))];
  const states: [ThreadState, string][] = [
    ["open", t("åbne", "open")], ["unanswered", t("ubesvarede", "unanswered")], ["objection", t("åbne indsigelser", "open objections")], ["resolved", t("løste", "resolved")], ["all", t("alle", "all")],
  ];
  return (
    <Card title={t("Alle bemærkninger", "All comments")}>
      <div class="filters" role="group" aria-label={t("Filtre", "Filters")}>
        <div class="field"><label for="f-by">{t("Kommune", "Municipality")}</label>
          <select id="f-by" value={by ?? ""} onChange={(e) => setBy((e.currentTarget as HTMLSelectElement).value || null)}>
            <option value="">{t("alle", "all")}</option>
            {writers.map((w) => <option value={w}>{partyName(w, participants())}</option>)}
          </select></div>
        <div class="field"><label for="f-item">{t("Punkt", "Item")}</label>
          <select id="f-item" value={item} onChange={(e) => setItem((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t("alle", "all")}</option>
            {commentedItems(h.threads).map((i) => <option value={i}>{i}</option>)}
          </select></div>
        <div class="field"><label for="f-state">{t("Tilstand", "State")}</label>
          <select id="f-state" value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value as ThreadState)}>
            {states.map(([k, w]) => <option value={k}>{w}</option>)}
          </select></div>
        <p class="filter-count" role="status">{shown.length} {t("af", "of")} {h.threads.length} {t("tråde", "threads")}</p>
      </div>
      {shown.length === 0 ? <Empty>{t("Ingen bemærkninger passer til filtrene.", "No comments match the filters.")}</Empty> : shown.map((th) => <Thread th={th} showTarget />)}
    </Card>
  );
}

export function Hearing() {
  const h = hearing.value;
  if (!h) return <p aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  const open = h.status.find((s) => s.round.release === null) ?? null;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Høring", "Consultation")}</h1>
        <p class="lead">
          {h.me === "coordinator" ? t("Du handler som koordinatoren (KL/KOMBIT).", "You act as the coordinator (KL/KOMBIT).") : t(`Du handler som ${partyName(h.me, participants())}.`, `You act as ${partyName(h.me, participants())}.`)}{" "}
          {t("Bemærkninger skrives ved hvert punkt (taleboblen) og læses og besvares her; et forslag vises som ændring mod den nuværende tekst.", "Comments are written beside each item (the speech bubble) and read and answered here; a proposal is shown as a change against the current text.")}
        </p>
      </header>
      {h.unreadable.length > 0 && <p class="warn-text" role="alert">{t("Poster, der ikke kan læses, er sprunget over", "Records that cannot be read were skipped")}: {h.unreadable.join("; ")}</p>}
      {h.me === "coordinator" && !open && <OpenRound />}
      <AfterOwn />
      {h.status.length === 0 ? <Card title={t("Høringsrunder", "Hearing rounds")}><Empty>{t("Der har ikke været nogen høringsrunde endnu.", "There has been no hearing round yet.")}</Empty></Card> : h.status.map((s, i) => <RoundCard s={s} first={i === 0} />)}
      <AllComments />
    </div>
  );
}

/** The export view's part: the høringsnotat of a round and a municipality's own answer. */
export function HearingExport({ out, setOut }: { out: string; setOut: (v: string) => void }) {
  const h = hearing.value;
  const [round, setRound] = useState<number | null>(null);
  if (!h || h.rounds.length === 0) return null;
  const n = round ?? h.rounds[h.rounds.length - 1].number;
  const org = h.me === "coordinator" ? null : Number(h.me);
  const write = (who: number | null, ext: string) => {
    const path = out.replace(/\.(pdf|docx)$/i, "") + ext;
    void edit(async () => {
      const r = await call(commands.exportHearing(n, who, "da", path));
      inform(t(`Gemt: ${r.path}`, `Saved: ${r.path}`));
    });
  };
  return (
    <Card title={t("Høringsnotat og høringssvar", "Consultation memo and answer")}>
      <div class="row">
        <div class="field"><label for="notat-round">{t("Høringsrunde", "Hearing round")}</label>
          <select id="notat-round" value={String(n)} onChange={(e) => setRound(Number((e.currentTarget as HTMLSelectElement).value))}>
            {h.rounds.map((r) => <option value={String(r.number)}>{r.number}: {r.draft}</option>)}
          </select></div>
        <div class="field grow"><label for="notat-out">{t("Fil (uden endelse)", "File (without extension)")}</label><input id="notat-out" value={out} spellcheck={false} onInput={(e) => setOut((e.currentTarget as HTMLInputElement).value)} /></div>
      </div>
      <div class="actions">
        <button type="button" onClick={() => write(null, ".pdf")}>{t("Høringsnotat som PDF", "Consultation memo as PDF")}</button>
        <button type="button" onClick={() => write(null, ".docx")}>{t("Høringsnotat som Word", "Consultation memo as Word")}</button>
        {org !== null && <button type="button" onClick={() => write(org, "-svar.pdf")}>{t("Vores høringssvar som PDF", "Our answer as PDF")}</button>}
        {org !== null && <button type="button" onClick={() => write(org, "-svar.docx")}>{t("Vores høringssvar som Word", "Our answer as Word")}</button>}
      </div>
    </Card>
  );
}
