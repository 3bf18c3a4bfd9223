// Small accessible building blocks: labelled fields that commit to Rust when the user is done
// (blur, Enter, or a pause in typing), badges for levels and local items, section cards.

import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { LEVEL, date, lang, number, parseCount, parseDate, t } from "../i18n";
import type { RiskLevel } from "../model";

/** The value a control shows: the user's choice at once, then what Rust says. A refresh that
 *  still carries the old value (it started before the edit landed) does not flip the control
 *  back; a different value from Rust (undo, another municipality) replaces the choice. */
function useShown<T>(value: T): [T, (v: T) => void] {
  const [shown, setShown] = useState(value);
  useEffect(() => setShown(value), [JSON.stringify(value)]);
  return [shown, setShown];
}

/** Typing pauses longer than this commit the text (every edit is durable at once). */
const COMMIT_AFTER_MS = 900;

interface TextProps {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  multiline?: boolean;
  rows?: number;
  placeholder?: string;
  hint?: string;
  required?: boolean;
  disabled?: boolean;
  /** The label is read by screen readers but not shown. */
  hiddenLabel?: boolean;
}

/** A text input or textarea that keeps what is typed and commits it when the user pauses. */
export function TextField(p: TextProps) {
  const id = useId();
  const [draft, setDraft] = useState(p.value);
  const committed = useRef(p.value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // A new value from Rust (another field, undo, another municipality) replaces the draft
  // unless the user is typing here.
  useEffect(() => {
    if (timer.current === null) setDraft(p.value);
    committed.current = p.value;
  }, [p.value]);
  const commit = (v: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (v !== committed.current) {
      committed.current = v;
      p.onCommit(v);
    }
  };
  const onInput = (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setDraft(v);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => commit(v), COMMIT_AFTER_MS);
  };
  const common = {
    id,
    value: draft,
    onInput,
    onBlur: () => commit(draft),
    placeholder: p.placeholder,
    required: p.required,
    disabled: p.disabled,
    "aria-describedby": p.hint ? `${id}-hint` : undefined,
  };
  return (
    <div class="field">
      <label for={id} class={p.hiddenLabel ? "sr-only" : undefined}>{p.label}</label>
      {p.multiline ? (
        <textarea {...common} rows={p.rows ?? 3} />
      ) : (
        <input {...common} type="text" onKeyDown={(e) => e.key === "Enter" && commit(draft)} />
      )}
      {p.hint && <p id={`${id}-hint`} class="hint">{p.hint}</p>}
    </div>
  );
}

interface ParsedProps<V> {
  label: string;
  value: V | null;
  onCommit: (v: V | null) => void;
  hint?: string;
}

/** A one-line field for a value people write in their own notation: shown with `show`, read
 *  back with `parse` (null: empty; undefined: not a value, which is named and not saved) when
 *  the user leaves the field or presses Enter. */
function ParsedField<V>(p: ParsedProps<V> & {
  show: (v: V | null) => string;
  parse: (text: string) => V | null | undefined;
  invalidText: string;
  class: string;
  placeholder?: string;
}) {
  const id = useId();
  const [text, setText] = useState(p.show(p.value));
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    setText(p.show(p.value));
    setInvalid(false);
  }, [p.value, lang.value]);
  const commit = () => {
    const v = p.parse(text);
    if (v === undefined) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setText(p.show(v));
    if (v !== p.value) p.onCommit(v);
  };
  const described = [p.hint ? `${id}-hint` : null, invalid ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        class={p.class}
        value={text}
        placeholder={p.placeholder}
        aria-invalid={invalid || undefined}
        aria-describedby={described}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
      />
      {invalid && <p id={`${id}-error`} class="error-inline" role="alert">{p.invalidText}</p>}
      {p.hint && <p id={`${id}-hint`} class="hint">{p.hint}</p>}
    </div>
  );
}

/** A whole number shown and typed as the reader writes it (46.000 in Danish, 46,000 in
 *  English). Not a browser number control: it read a Dane's «46.000» as 46. */
export function NumberField(p: ParsedProps<number>) {
  return (
    <ParsedField
      {...p}
      class="count"
      show={(v) => (v === null ? "" : number(v))}
      parse={parseCount}
      invalidText={t("Ikke et helt tal — skriv fx 46.000.", "Not a whole number — write e.g. 46,000.")}
    />
  );
}

/** A date typed as the reader writes it — 21.06.2023 in Danish (also 21-6-2023, 21/6/2023),
 *  ISO in English — not as the browser's date control shows it: that follows the operating
 *  system's locale, so a Danish DPO on an English desktop saw 05/01/2027 for 5 January. */
export function DateField(p: ParsedProps<string>) {
  return (
    <ParsedField
      {...p}
      class="date"
      show={(v) => date(v, "")}
      parse={parseDate}
      placeholder={t("dd.mm.åååå", "yyyy-mm-dd")}
      invalidText={t("Ikke en dato — skriv fx 21.06.2027.", "Not a date — write e.g. 2027-06-21.")}
    />
  );
}

interface SelectProps<K extends string> {
  label: string;
  value: K | null;
  options: readonly K[];
  word: (k: K) => string;
  onChange: (k: K | null) => void;
  /** Offer "—" (unset). */
  empty?: boolean;
  /** The words for the unset choice (default "— vælg —"). */
  emptyLabel?: string;
  hiddenLabel?: boolean;
}

export function SelectField<K extends string>(p: SelectProps<K>) {
  const id = useId();
  const [shown, setShown] = useShown(p.value);
  return (
    <div class="field">
      <label for={id} class={p.hiddenLabel ? "sr-only" : undefined}>{p.label}</label>
      <select id={id} value={shown ?? ""} onChange={(e) => {
        const v = ((e.currentTarget as HTMLSelectElement).value || null) as K | null;
        setShown(v);
        p.onChange(v);
      }}>
        {(p.empty ?? true) && <option value="">{p.emptyLabel ?? t("— vælg —", "— choose —")}</option>}
        {p.options.map((k) => (
          <option value={k}>{p.word(k)}</option>
        ))}
      </select>
    </div>
  );
}

/** Ja / nej / ikke besvaret as a radio group. */
export function YesNo(p: { label: string; value: boolean | null; onChange: (v: boolean | null) => void }) {
  const name = useId();
  const [shown, setShown] = useShown(p.value);
  const choices: [boolean | null, string][] = [
    [true, t("Ja", "Yes")],
    [false, t("Nej", "No")],
    [null, t("Ikke besvaret", "Not answered")],
  ];
  return (
    <fieldset class="yesno">
      <legend>{p.label}</legend>
      {choices.map(([v, word]) => (
        <label>
          <input type="radio" name={name} checked={shown === v} onChange={() => { setShown(v); p.onChange(v); }} /> {word}
        </label>
      ))}
    </fieldset>
  );
}

/** A set of choices as checkboxes. */
export function Checks<K extends string>(p: { label: string; value: readonly K[]; options: readonly K[]; word: (k: K) => string; onChange: (v: K[]) => void }) {
  return <Links label={p.label} value={p.value} options={p.options.map((k) => ({ id: k, label: p.word(k) }))} onChange={(v) => p.onChange(v as K[])} plain />;
}

export function Level({ level, label }: { level: RiskLevel | null; label?: string }) {
  return <span class={`level level-${level ?? "none"}`}>{label ?? (level ? LEVEL(level) : t("ikke vurderet", "not rated"))}</span>;
}

export function LocalBadge() {
  return <span class="badge badge-local" title={t("Kommunens eget tillæg", "The municipality's own supplement")}>{t("Lokal", "Local")}</span>;
}

export function DeviationBadge() {
  return <span class="badge badge-deviation" title={t("Kommunen afviger fra fælles basis", "The municipality deviates from the joint base")}>{t("Afvigelse", "Deviation")}</span>;
}

export function NotApplicableBadge() {
  return <span class="badge badge-na">{t("Ikke relevant her", "Not applicable here")}</span>;
}

export function Ref({ children }: { children: ComponentChildren }) {
  return <code class="ref">{children}</code>;
}

export function Card(p: { title: string; basis?: string; id?: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const headingId = useId();
  return (
    <section class="card" aria-labelledby={headingId} id={p.id}>
      <header class="card-head">
        <h2 id={headingId}>
          {p.title} {p.basis && <small class="basis">{p.basis}</small>}
        </h2>
        {p.actions && <div class="card-actions">{p.actions}</div>}
      </header>
      {p.children}
    </section>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Links to other items (by id), chosen among `options`, shown by reference and title; with
 *  `plain`, a set of choices laid out in a row. */
export function Links(p: { label: string; value: readonly string[]; options: { id: string; label: string }[]; onChange: (ids: string[]) => void; plain?: boolean }) {
  const [shown, setShown] = useShown<readonly string[]>(p.value);
  if (p.options.length === 0) return null;
  return (
    <fieldset class={p.plain ? "checks" : "checks links"}>
      <legend>{p.label}</legend>
      {p.options.map((o) => (
        <label>
          <input
            type="checkbox"
            checked={shown.includes(o.id)}
            onChange={(e) => {
              const on = (e.currentTarget as HTMLInputElement).checked;
              const next = on ? [...shown, o.id] : shown.filter((x) => x !== o.id);
              setShown(next);
              p.onChange(next);
            }}
          />{" "}
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** Items as link options: "R5 Uautoriseret adgang …". */
export function options<T extends { id: string; reference: string }>(items: readonly T[], name: (i: T) => string) {
  return items.map((i) => ({ id: i.id, label: `${i.reference} ${name(i)}`.trim() }));
}
