// The høring beside the DPIA: a count of open comments beside every item that has them, and
// the side panel with the threads of the item in view — add a comment (with a «forslag»),
// reply, resolve and reopen; the coordinator answers a comment and accepts or declines its
// «forslag». Everything is a command to Rust (konsekvens_core::hearing); after it the views
// and the høring are read again.

import { useState } from "preact/hooks";
import { call, commands } from "../api";
import {
  SECTIONS, fieldLabel, hearing, targetText, targetsSection, loadHearing, openCount, openOnSection, openOnRelease, sectionOfTarget, outcomeWord, OUTCOMES, panel, partyName, threadsFor, valueText, wordDiff, writingIn,
  type OutcomeKey, type PanelTarget, type ThreadView,
} from "../hearing";
import { CONSEQUENCE, CONSEQUENCES, dateTime, DIMENSIONS, LIKELIHOOD, LIKELIHOODS, t, type Dimension } from "../i18n";
import { coordination, edit, opened } from "../state";
import { sync } from "../views/Collaborate";
import type { CommentView_Serialize as CommentView, ProposalView } from "../bindings";

/** A speech bubble (drawn: the system may have no emoji font). */
function Bubble() {
  return (
    <svg class="bubble" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M2 2.5h12a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H7l-3.5 3v-3H2a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
    </svg>
  );
}

/** Opens the panel on a target. */
export function showThreads(target: PanelTarget) {
  panel.value = target;
}

/** The count of open comments on an item (or a field of it), as a button that opens the
 *  panel; with none, a quiet button to comment (only when `always`). */
export function CommentCount(p: { target: PanelTarget; always?: boolean }) {
  const h = hearing.value;
  const n = p.target.item !== null
    ? openCount(h?.threads, p.target.item, p.target.field === "" ? undefined : p.target.field)
    : targetsSection(p.target) ? openOnSection(h?.threads, p.target.field) : openOnRelease(h?.threads, p.target.release ?? "");
  if (n === 0 && !p.always) return null;
  const label = n === 0
    ? t(`Kommentér ${p.target.label}`, `Comment on ${p.target.label}`)
    : t(`${n} åbne bemærkninger til ${p.target.label}`, `${n} open comments on ${p.target.label}`);
  return (
    <button type="button" class={`comment-count${n === 0 ? " none" : ""}`} aria-label={label} title={label} onClick={(e) => { e.stopPropagation(); e.preventDefault(); showThreads(p.target); }}>
      <Bubble />{n > 0 && <span class="n">{n}</span>}
    </button>
  );
}

/** The count as a plain mark (inside a row's <summary>, where a button may not be). */
export function CommentBadge({ item }: { item: string }) {
  const n = openCount(hearing.value?.threads, item);
  if (n === 0) return null;
  const label = t(`${n} åbne bemærkninger`, `${n} open comments`);
  return <span class="comment-count" role="img" aria-label={label} title={label}><Bubble /><span class="n">{n}</span></span>;
}

function participants() {
  return coordination.value?.participants ?? opened.value?.participants ?? [];
}

/** A «forslag» against the current value: a text as a word difference, a step as from → to. */
export function ProposalDiff({ proposal, acceptedFrom }: { proposal: ProposalView; acceptedFrom?: unknown }) {
  // Once accepted, against the value it replaced (the base now holds the proposed one).
  const accepted = acceptedFrom !== undefined && acceptedFrom !== null;
  const before = valueText(proposal.field, accepted ? acceptedFrom : proposal.current);
  const after = valueText(proposal.field, proposal.value);
  const pieces = typeof proposal.value === "string" && before.length + after.length > 40 ? wordDiff(before, after) : null;
  return (
    <div class="proposal">
      <p class="proposal-head">{t("Forslag", "Proposal")} — {fieldLabel(proposal.field)}{accepted ? <em> ({t("indarbejdet", "accepted")})</em> : before === after && <em> ({t("som nu", "as now")})</em>}</p>
      {pieces ? (
        <p class="diff">{pieces.map((x) => (x.kind === "same" ? <span>{x.text}</span> : x.kind === "del" ? <del>{x.text}</del> : <ins>{x.text}</ins>))}</p>
      ) : (
        <p class="diff"><del aria-label={t("nu", "now")}>{before || "—"}</del> → <ins aria-label={t("foreslået", "proposed")}>{after || "—"}</ins></p>
      )}
    </div>
  );
}

function Comment({ c, acceptedFrom }: { c: CommentView; acceptedFrom?: unknown }) {
  return (
    <div class={`comment${c.objection ? " objection" : ""}`}>
      <p class="comment-meta">
        <strong>{partyName(c.by, participants())}</strong> · {c.author} · <time>{dateTime(c.written_at)}</time>
        {c.objection && <span class="badge objection-badge">{t("indsigelse", "objection")}</span>}
        {c.revisions > 0 && <small> ({t("redigeret", "edited")})</small>}
      </p>
      <p class="comment-text">{c.text}</p>
      {c.proposal && <ProposalDiff proposal={c.proposal} acceptedFrom={acceptedFrom} />}
    </div>
  );
}

const run = (f: () => Promise<unknown>) => edit(async () => { await f(); await loadHearing(); });

function Respond({ th }: { th: ThreadView }) {
  const [outcome, setOutcome] = useState<OutcomeKey>(th.opening.proposal ? "taken_into_account" : "partly");
  const [reason, setReason] = useState("");
  const send = (decision: string | null, o: OutcomeKey = outcome) => void run(() => call(commands.hearingRespond(th.opening.reference, o, reason, decision)));
  return (
    <div class="respond" role="group" aria-label={t("Koordinatorens svar", "The coordinator's answer")}>
      <div class="row">
        <div class="field">
          <label for={`o-${th.opening.reference}`}>{t("Svar", "Answer")}</label>
          <select id={`o-${th.opening.reference}`} value={outcome} onChange={(e) => setOutcome((e.currentTarget as HTMLSelectElement).value as OutcomeKey)}>
            {OUTCOMES.map((o) => <option value={o}>{outcomeWord(o)}</option>)}
          </select>
        </div>
      </div>
      <div class="field">
        <label for={`r-${th.opening.reference}`}>{t("Begrundelse", "Reason")}</label>
        <textarea id={`r-${th.opening.reference}`} rows={2} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <div class="actions">
        {th.opening.proposal && th.response?.proposal !== "accepted" && <>
          <button type="button" class="primary" onClick={() => send("accept", "taken_into_account")}>{t("Acceptér forslaget", "Accept the proposal")}</button>
          <button type="button" onClick={() => send("decline", outcome === "taken_into_account" ? "not_taken" : outcome)}>{t("Afvis forslaget", "Decline the proposal")}</button>
        </>}
        <button type="button" onClick={() => send(null)}>{t("Svar", "Answer")}</button>
      </div>
    </div>
  );
}

function Reply({ th }: { th: ThreadView }) {
  const [text, setText] = useState("");
  const id = `reply-${th.opening.reference}`;
  return (
    <div class="reply">
      <label for={id} class="sr-only">{t("Svar i tråden", "Reply in the thread")}</label>
      <textarea id={id} rows={2} value={text} placeholder={t("Svar i tråden …", "Reply in the thread …")}
        onFocus={() => (writingIn.value = th.opening.reference)} onBlur={() => (writingIn.value = null)}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      <button type="button" disabled={text.trim() === ""} onClick={() => void run(async () => { await call(commands.commentReply(th.opening.reference, text)); setText(""); })}>{t("Svar", "Reply")}</button>
    </div>
  );
}

/** Who else is writing in this thread now (presence through the hub). */
function Writing({ where }: { where: string }) {
  const here = sync.value.peers.filter((p) => p.section === `høring:${where}`);
  if (here.length === 0) return null;
  return <p class="writing" role="status">{t("Skriver her nu", "Writing here now")}: {here.map((p) => `${p.name}${p.org ? ` (${p.org})` : ""}`).join(", ")}</p>;
}

export function Thread({ th, showTarget }: { th: ThreadView; showTarget?: boolean }) {
  const h = hearing.value;
  const me = h?.me ?? "";
  const mayResolve = me === "coordinator" || me === th.opening.by;
  return (
    <article class={`thread${th.resolved ? " resolved" : ""}`} aria-label={t(`Tråd ${th.opening.reference}`, `Thread ${th.opening.reference}`)}>
      {showTarget && (
        <p class="thread-target">
          <button type="button" class="link" onClick={() => showThreads({ item: th.target.item, field: th.target.field, release: th.target.release, supplement: th.target.supplement, label: targetText(th.target), kind: null })}>{targetText(th.target)}</button>
          {th.round !== null && <small> · {t(`høringsrunde ${th.round}`, `hearing round ${th.round}`)}</small>}
          {th.target.supplement !== null && <small> · {t("kun kommunen og koordinatoren", "only the municipality and the coordinator")}</small>}
        </p>
      )}
      <Comment c={th.opening} acceptedFrom={th.response?.accepted_before ?? undefined} />
      {th.replies.map((r) => <div class="reply-comment"><Comment c={r} /></div>)}
      {th.response && (
        <div class={`response outcome-${th.response.outcome}`}>
          <p class="comment-meta"><strong>{t("Koordinatorens svar", "The coordinator's answer")}: {outcomeWord(th.response.outcome)}</strong> · {th.response.by}
            {th.response.proposal === "accepted" && <span class="badge">{t(`forslaget er indarbejdet (ændring #${th.response.change_seq})`, `proposal accepted (change #${th.response.change_seq})`)}</span>}
            {th.response.proposal === "declined" && <span class="badge">{t("forslaget er afvist", "proposal declined")}</span>}
          </p>
          {th.response.reason && <p class="comment-text">{th.response.reason}</p>}
        </div>
      )}
      <p class="thread-state">{th.resolved ? t("Løst", "Resolved") : t("Åben", "Open")}
        {mayResolve && <button type="button" class="link" onClick={() => void run(() => call(commands.commentResolve(th.opening.reference, !th.resolved)))}>{th.resolved ? t("Genåbn", "Reopen") : t("Markér som løst", "Mark resolved")}</button>}
      </p>
      <Writing where={th.opening.reference} />
      {me === "coordinator" && th.opening.by !== "coordinator" && !th.resolved && <Respond th={th} />}
      {!th.resolved && <Reply th={th} />}
    </article>
  );
}

/** The fields a «forslag» on this target can change, with how their values are chosen. */
export function proposalFields(target: PanelTarget): { path: string; steps: readonly string[] | null }[] {
  if (target.supplement !== null) return [];
  // A section: its parts' texts, each as a proposed text (a path from the base's root).
  const root = sectionOfTarget(target);
  if (root !== null) {
    const section = SECTIONS[root];
    const parts = target.field === root ? Object.keys(section.parts) : [target.field.slice(root.length + 1).split(".")[0]].filter((p) => p in section.parts);
    return parts.map((p) => ({ path: `${root}.${section.text(p)}`, steps: null }));
  }
  if (target.item === null) return [];
  const out: { path: string; steps: readonly string[] | null }[] = [];
  const rating = /^(inherent|residual)\.(confidentiality|integrity|availability)$/.exec(target.field);
  const ratings = rating ? [target.field] : target.kind === "risk" ? ratingFields() : [];
  for (const r of ratings) {
    out.push({ path: `${r}.consequence`, steps: CONSEQUENCES }, { path: `${r}.likelihood`, steps: LIKELIHOODS });
  }
  if (!rating) out.push({ path: target.kind === "purpose" ? "description" : "title", steps: null });
  return out;
}

/** The ratings of a risk a comment can be about (`inherent.confidentiality` …). */
function ratingFields(): string[] {
  return (["inherent", "residual"] as const).flatMap((ph) => (DIMENSIONS.keys as Dimension[]).map((d) => `${ph}.${d}`));
}

function NewComment({ target: shown }: { target: PanelTarget }) {
  const h = hearing.value;
  // A risk's comment can be about one of its ratings, a section's about one of its parts,
  // chosen here.
  const [about, setAbout] = useState(shown.field);
  const wholeSection = sectionOfTarget(shown) === shown.field ? shown.field : null;
  const target = { ...shown, field: about };
  const round = h?.rounds.find((r) => r.taking_answers) ?? null;
  const [text, setText] = useState("");
  const [objection, setObjection] = useState(false);
  const [inRound, setInRound] = useState(true);
  const fields = proposalFields(target);
  const [field, setField] = useState("");
  const [value, setValue] = useState("");
  const chosen = fields.find((f) => f.path === field) ?? null;
  const me = h?.me ?? "";
  const key = `ny:${target.item ?? target.release ?? target.field}`;
  const send = () =>
    void run(async () => {
      await call(commands.commentAdd({
        item: target.item,
        field: target.field,
        release: target.release,
        supplement: target.supplement,
        round: round && inRound && me !== "coordinator" && target.supplement === null ? round.number : null,
        text,
        proposal_field: chosen ? chosen.path : null,
        proposal_value: chosen ? value : null,
        objection,
      }));
      setText("");
      setField("");
      setValue("");
      setObjection(false);
    });
  return (
    <div class="new-comment" role="group" aria-label={t("Ny bemærkning", "New comment")}>
      {shown.kind === "risk" && shown.field === "" && (
        <div class="field">
          <label for="comment-about">{t("Om", "About")}</label>
          <select id="comment-about" value={about} onChange={(e) => { setAbout((e.currentTarget as HTMLSelectElement).value); setField(""); setValue(""); }}>
            <option value="">{t("hele risikoen", "the whole risk")}</option>
            {ratingFields().map((f) => <option value={f}>{fieldLabel(f)}</option>)}
          </select>
        </div>
      )}
      {wholeSection !== null && (
        <div class="field">
          <label for="comment-about">{t("Om", "About")}</label>
          <select id="comment-about" value={about} onChange={(e) => { setAbout((e.currentTarget as HTMLSelectElement).value); setField(""); setValue(""); }}>
            <option value={wholeSection}>{t(`hele ${SECTIONS[wholeSection].name()}`, `all of ${SECTIONS[wholeSection].name()}`)}</option>
            {Object.entries(SECTIONS[wholeSection].parts).map(([p, name]) => <option value={`${wholeSection}.${p}`}>{name()}</option>)}
          </select>
        </div>
      )}
      <div class="field">
        <label for="new-comment-text">{t("Ny bemærkning", "New comment")}</label>
        <textarea id="new-comment-text" rows={3} value={text} onFocus={() => (writingIn.value = key)} onBlur={() => (writingIn.value = null)} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      <Writing where={key} />
      {fields.length > 0 && (
        <div class="row">
          <div class="field">
            <label for="proposal-field">{t("Forslag til", "Proposal for")}</label>
            <select id="proposal-field" value={field} onChange={(e) => { setField((e.currentTarget as HTMLSelectElement).value); setValue(""); }}>
              <option value="">{t("— intet forslag —", "— no proposal —")}</option>
              {fields.map((f) => <option value={f.path}>{fieldLabel(f.path)}</option>)}
            </select>
          </div>
          {chosen && (chosen.steps ? (
            <div class="field">
              <label for="proposal-value">{t("Foreslået værdi", "Proposed value")}</label>
              <select id="proposal-value" value={value} onChange={(e) => setValue((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">{t("— vælg —", "— choose —")}</option>
                {chosen.steps.map((s) => <option value={s}>{chosen.path.endsWith("consequence") ? CONSEQUENCE(s as never) : LIKELIHOOD(s as never)}</option>)}
              </select>
            </div>
          ) : (
            <div class="field grow">
              <label for="proposal-value">{t("Foreslået tekst", "Proposed text")}</label>
              <textarea id="proposal-value" rows={2} value={value} onInput={(e) => setValue((e.currentTarget as HTMLTextAreaElement).value)} />
            </div>
          ))}
        </div>
      )}
      <div class="row checks">
        {me !== "coordinator" && <label><input type="checkbox" checked={objection} onChange={(e) => setObjection((e.currentTarget as HTMLInputElement).checked)} /> {t("Indsigelse (kan ikke accepteres som det står)", "Objection (cannot be accepted as it stands)")}</label>}
        {round && me !== "coordinator" && target.supplement === null && (
          <label><input type="checkbox" checked={inRound} onChange={(e) => setInRound((e.currentTarget as HTMLInputElement).checked)} /> {t(`Del af svaret på høringsrunde ${round.number} (frist ${round.deadline})`, `Part of the answer to hearing round ${round.number} (deadline ${round.deadline})`)}</label>
        )}
      </div>
      <button type="button" class="primary" disabled={text.trim() === "" || (chosen !== null && value === "")} onClick={send}>{t("Send bemærkning", "Send comment")}</button>
    </div>
  );
}

/** The side panel with the threads of the target in view. */
export function ThreadPanel() {
  const target = panel.value;
  if (!target) return null;
  const threads = threadsFor(hearing.value?.threads, target);
  const open = threads.filter((x) => !x.resolved);
  return (
    <aside class="thread-panel" aria-label={t(`Bemærkninger til ${target.label}`, `Comments on ${target.label}`)}>
      <header>
        <h2>{t("Bemærkninger", "Comments")} — {target.label}</h2>
        <button type="button" class="link" onClick={() => (panel.value = null)}>{t("Luk", "Close")}</button>
      </header>
      {target.supplement !== null && <p class="hint">{t("Tråde om tillægget ses kun af kommunen og koordinatoren.", "Threads on the supplement are seen only by the municipality and the coordinator.")}</p>}
      <p class="hint">{t(`${open.length} åbne, ${threads.length - open.length} løste`, `${open.length} open, ${threads.length - open.length} resolved`)}</p>
      {threads.map((th) => <Thread th={th} showTarget={th.target.field !== target.field} />)}
      <NewComment target={target} />
    </aside>
  );
}
