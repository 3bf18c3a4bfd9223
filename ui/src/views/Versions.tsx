// Versions: the releases of the joint base (publish one as coordinator), a comparison of any
// two points (release, date, log position, now) — items added, removed and changed field by
// field, risk levels moved, links made and broken — and the history of who changed what.

import { CommentCount } from "../components/Remarks";
import { useEffect, useState } from "preact/hooks";
import { call, commands } from "../api";
import { DistributionBar } from "../components/Picture";
import { Card, DateField, Empty, Level, Ref, TextField } from "../components/ui";
import { CHANGE_KIND, CHANGE_KIND_HEAD, collection, date, dateTime, t, today } from "../i18n";
import { coordination, edit, fail, inform, revision, scope } from "../state";
import type { Comparison, EffectiveDpia, LogEntry, Value } from "../model";

function show(v: Value): string {
  if (v === null || v === "") return "—";
  if (Array.isArray(v)) return v.map(show).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function Publish() {
  const [name, setName] = useState("");
  const [day, setDay] = useState<string | null>(today());
  const [note, setNote] = useState("");
  return (
    <form class="stack" onSubmit={(e) => {
      e.preventDefault();
      void edit(async () => {
        const hash = await call(commands.publishRelease(name.trim(), day ?? today(), note));
        inform(t(`Udgivelse ${name} er udgivet (SHA-256 ${hash.slice(0, 16)}…).`, `Release ${name} is published (SHA-256 ${hash.slice(0, 16)}…).`));
        setName("");
        setNote("");
      });
    }}>
      <div class="row">
        <div class="field"><label for="rel-name">{t("Navn", "Name")}</label><input id="rel-name" required value={name} placeholder="2026.1" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} /></div>
        <DateField label={t("Dato", "Date")} value={day} onCommit={setDay} />
      </div>
      <TextField multiline label={t("Note", "Note")} value={note} onCommit={setNote} />
      <p class="hint">{t("En udgivelse kan ikke ændres bagefter: referencerne (R7, M12 …) ligger fast, og indholdet kan altid hentes frem igen.", "A release cannot be changed afterwards: references (R7, M12 …) are fixed, and the content can always be recovered.")}</p>
      <button type="submit" class="primary">{t("Udgiv fælles basis", "Publish the joint base")}</button>
    </form>
  );
}

function ComparisonView({ c }: { c: Comparison }) {
  const [a, b] = c.distribution;
  return (
    <div class="comparison">
      <div class="two-col">
        <div>
          <h3>{t("Før", "From")}: {c.from}</h3>
          <DistributionBar label={t("Efter foranstaltninger", "After measures")} counts={a.residual} />
        </div>
        <div>
          <h3>{t("Nu", "To")}: {c.to}</h3>
          <DistributionBar label={t("Efter foranstaltninger", "After measures")} counts={b.residual} />
        </div>
      </div>
      {c.moved.length > 0 && (
        <>
          <h3>{t("Risici, der har skiftet niveau", "Risks that changed level")}</h3>
          <table class="table">
            <thead><tr><th scope="col">{t("Risiko", "Risk")}</th><th scope="col">{t("Før foranstaltninger", "Before measures")}</th><th scope="col">{t("Efter foranstaltninger", "After measures")}</th></tr></thead>
            <tbody>
              {c.moved.map((m) => (
                <tr>
                  <th scope="row"><Ref>{m.reference}</Ref> {m.title}</th>
                  <td><Level level={m.inherent[0]} /> → <Level level={m.inherent[1]} /></td>
                  <td><Level level={m.residual[0]} /> → <Level level={m.residual[1]} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {(c.links_added.length > 0 || c.links_broken.length > 0) && (
        <p>
          {c.links_added.length > 0 && <>{t("Nye forbindelser", "Links made")}: {c.links_added.map((l) => `${l.risk} ↔ ${l.measure}`).join(", ")}. </>}
          {c.links_broken.length > 0 && <>{t("Afbrudte forbindelser", "Links broken")}: {c.links_broken.map((l) => `${l.risk} ↔ ${l.measure}`).join(", ")}.</>}
        </p>
      )}
      <h3>{t("Ændringer", "Changes")} ({c.changes.length})</h3>
      {c.changes.length === 0 ? <Empty>{t("Ingen ændringer.", "No changes.")}</Empty> : (
        <ul class="changes">
          {c.changes.map((ch) => (
            <li class={`change change-${ch.kind}`}>
              <strong>{CHANGE_KIND_HEAD(ch.kind)}</strong>: {collection(ch.collection)} {ch.label}
              {ch.fields.length > 0 && (
                <table class="table fields">
                  <tbody>
                    {ch.fields.map((f) => (
                      <tr><th scope="row">{f.path || "—"}</th><td class="before">{show(f.before)}</td><td aria-hidden="true">→</td><td class="after">{show(f.after)}</td></tr>
                    ))}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Compare() {
  const c = coordination.value;
  const points = ["now", ...(c?.releases.map((r) => r.name) ?? [])];
  const [from, setFrom] = useState(c?.releases[c.releases.length - 1]?.name ?? "now");
  const [to, setTo] = useState("now");
  const [result, setResult] = useState<Comparison | null>(null);
  const label = (p: string) => (p === "now" ? t("nu", "now") : `${t("udgivelse", "release")} ${p}`);
  return (
    <>
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        call(commands.compare(scope.value, from, to)).then(setResult, fail);
      }}>
        {([["cmp-from", t("Fra", "From"), from, setFrom], ["cmp-to", t("Til", "To"), to, setTo]] as const).map(([id, text, value, set]) => (
          <div class="field">
            <label for={id}>{text}</label>
            <input id={id} list="points" value={value} onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} />
          </div>
        ))}
        <datalist id="points">{points.map((p) => <option value={p}>{label(p)}</option>)}</datalist>
        <button type="submit" class="primary">{t("Sammenlign", "Compare")}</button>
      </form>
      <p class="hint">{t("Et punkt er «now», en udgivelse (2025.1), en dato (2026-11-01) eller en logposition (#123).", "A point is «now», a release (2025.1), a date (2026-11-01) or a log position (#123).")}</p>
      {result && <ComparisonView c={result} />}
    </>
  );
}

/** "supplement/101" → "tillæg 101", as a reader says it. */
function docName(doc: string): string {
  if (doc === "base") return t("fælles basis", "joint base");
  if (doc === "coordination") return t("koordinering", "coordination");
  return doc.replace("supplement/", t("tillæg ", "supplement "));
}

/** The DPIA as it was at a point: its risks and their levels, read-only. */
function AsItWas({ point, onClose }: { point: string; onClose: () => void }) {
  const [d, setD] = useState<EffectiveDpia | null>(null);
  useEffect(() => {
    call(commands.effectiveAt(scope.value, point)).then(setD, fail);
  }, [point, scope.value]);
  if (!d) return <p aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  const counts = (phase: "inherent" | "residual") => {
    const c = { low: 0, medium: 0, high: 0 };
    for (const r of d.items.risks.filter((r) => r.not_applicable === null)) {
      const l = d.risk_facts[r.id]?.[phase].overall ?? null;
      if (l) c[l]++;
    }
    return c;
  };
  return (
    <section class="as-it-was" aria-label={t(`Analysen, som den var ved ${point}`, `The DPIA as it was at ${point}`)}>
      <header class="card-head">
        <h3>{t("Som den var ved", "As it was at")} {point} {d.release ? `· ${t("udgivelse", "release")} ${d.release.name}` : ""}</h3>
        <button type="button" class="link" onClick={onClose}>{t("Luk", "Close")}</button>
      </header>
      <DistributionBar label={t("Før foranstaltninger", "Before measures")} counts={counts("inherent")} />
      <DistributionBar label={t("Efter foranstaltninger", "After measures")} counts={counts("residual")} />
      <table class="table">
        <thead><tr><th scope="col">{t("Risiko", "Risk")}</th><th scope="col">{t("Før", "Before")}</th><th scope="col">{t("Efter", "After")}</th><th scope="col">{t("Foranstaltninger", "Measures")}</th></tr></thead>
        <tbody>
          {d.items.risks.map((r) => (
            <tr class={r.not_applicable !== null ? "na" : ""}>
              <th scope="row"><Ref>{r.reference}</Ref> {r.title}</th>
              <td><Level level={d.risk_facts[r.id]?.inherent.overall ?? null} /></td>
              <td><Level level={d.risk_facts[r.id]?.residual.overall ?? null} /></td>
              <td>{d.items.measures.filter((m) => m.mitigates.includes(r.id)).map((m) => m.reference).join(", ") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/// Changes shown per page: the history is read a page at a time, newest first.
const HISTORY_PAGE = 50;

function History() {
  const [item, setItem] = useState("");
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [older, setOlder] = useState<number | null>(null);
  const [asOf, setAsOf] = useState<string | null>(null);
  const load = () =>
    call(commands.history(scope.value, item.trim() || null, null, HISTORY_PAGE)).then((p) => {
      setEntries(p.entries);
      setOlder(p.next_before);
    }, fail);
  const more = () =>
    older === null
      ? Promise.resolve()
      : call(commands.history(scope.value, item.trim() || null, older, HISTORY_PAGE)).then((p) => {
          setEntries((e) => [...(e ?? []), ...p.entries]);
          setOlder(p.next_before);
        }, fail);
  useEffect(() => {
    void load();
  }, [scope.value, revision.value]);
  return (
    <>
      {asOf && <AsItWas point={asOf} onClose={() => setAsOf(null)} />}
      <form class="row" onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <div class="field"><label for="hist-item">{t("Kun ændringer af (reference)", "Only changes to (reference)")}</label><input id="hist-item" value={item} placeholder="R5" onInput={(e) => setItem((e.currentTarget as HTMLInputElement).value)} /></div>
        <button type="submit">{t("Vis", "Show")}</button>
      </form>
      {entries === null ? null : entries.length === 0 ? <Empty>{t("Ingen ændringer.", "No changes.")}</Empty> : (
        <ol class="history">
          {entries.map((e) => (
            <li>
              <p class="history-head"><code>#{e.seq}</code> {dateTime(e.at_millis)} · <strong>{e.author}</strong>{e.org ? ` (${e.org})` : ""}{e.by.length ? ` · ${t("skrevet af", "written by")} ${e.by.map((a) => [a.org, a.name !== a.org ? a.name : "", a.label ? `(${a.label})` : ""].filter(Boolean).join(" ")).join(", ")}` : ""} · {docName(e.doc)} · <button type="button" class="link" onClick={() => setAsOf(`#${e.seq}`)}>{t("vis analysen, som den var", "show the DPIA as it was")}</button></p>
              <ul>{e.changes.map((c) => <li>{CHANGE_KIND(c.kind)} {collection(c.collection)} {c.label}{c.fields.length ? ` (${c.fields.map((f) => f.path).filter(Boolean).join(", ")})` : ""}</li>)}</ul>
            </li>
          ))}
        </ol>
      )}
      {older !== null && <button type="button" onClick={() => void more()}>{t("Vis ældre ændringer", "Show older changes")}</button>}
      <p class="hint">{t("Sammenlign en logposition (#N) med «now» for at se alt, der er ændret siden.", "Compare a log position (#N) with «now» to see everything changed since.")}</p>
    </>
  );
}

export function Versions() {
  const c = coordination.value;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Versioner og historik", "Versions and history")}</h1>
        <p class="lead">{t("Hvornår og med hvilket indhold hver overvejelse blev gjort: udgivelser af fælles basis, sammenligninger og loggen over ændringer.", "When, and with what content, each consideration was made: releases of the joint base, comparisons and the log of changes.")}</p>
      </header>
      <Card title={t("Udgivelser af fælles basis", "Releases of the joint base")}>
        {c && c.releases.length > 0 ? (
          <table class="table">
            <thead><tr><th scope="col">{t("Udgivelse", "Release")}</th><th scope="col">{t("Dato", "Date")}</th><th scope="col">{t("Udgivet af", "Published by")}</th><th scope="col">SHA-256</th><th scope="col">{t("Note", "Note")}</th></tr></thead>
            <tbody>{[...c.releases].reverse().map((r) => <tr><th scope="row">{r.name} <CommentCount target={{ item: null, field: "", release: r.name, supplement: null, label: t(`udgivelse ${r.name}`, `release ${r.name}`), kind: null }} always /></th><td>{date(r.date)}</td><td>{r.published_by}</td><td><code class="hash">{r.content_hash.slice(0, 16)}…</code></td><td>{r.note}</td></tr>)}</tbody>
          </table>
        ) : <Empty>{t("Fælles basis er ikke udgivet endnu.", "The joint base has not been released yet.")}</Empty>}
        {scope.value === null && <Publish />}
      </Card>
      <Card title={t("Sammenlign", "Compare")} basis={scope.value === null ? t("fælles basis", "joint base") : t("kommunens gældende analyse", "the municipality's effective DPIA")}>
        <Compare />
      </Card>
      <Card title={t("Historik: hvem ændrede hvad og hvornår", "History: who changed what and when")}>
        <History />
      </Card>
    </div>
  );
}
