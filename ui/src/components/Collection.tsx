// A collection of items (processes, risks, measures …) as a list of expandable rows: the
// reference, the title, where it comes from (the joint base or the municipality's own
// supplement) and whether it applies here; opened, the item's editor. New items go into the
// base or, for a municipality, into its supplement.

import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import { baseFrozen, focus, frozenHint, newItem, removeItem, scope, supplementDoc } from "../state";
import type { Entry, ItemKind, Value } from "../model";
import { patchItem } from "../state";
import { DeviationBadge, Empty, LocalBadge, NotApplicableBadge, Ref } from "./ui";
import { CommentBadge, CommentCount } from "./Remarks";

/** What an editor gets: the entry and how to save a change to one or more of its fields. */
export interface EditorProps<T> {
  entry: Entry<T>;
  /** The document the item lives in. */
  doc: string;
  save: (patch: Value) => void;
  /** The released base, shown but not edited here. */
  readOnly?: boolean;
}

interface Identified {
  id: string;
  reference: string;
}

interface Props<T extends Identified> {
  kind: ItemKind;
  entries: Entry<T>[];
  title: (e: Entry<T>) => string;
  /** A short line under the title (e.g. class, count). */
  detail?: (e: Entry<T>) => ComponentChildren;
  editor: (p: EditorProps<T>) => ComponentChildren;
  /** Words for "add …". */
  noun: string;
  emptyText?: string;
}

function Row<T extends Identified>(p: Props<T> & { entry: Entry<T> }) {
  const e = p.entry;
  const doc = e.doc;
  const ref = useRef<HTMLDetailsElement>(null);
  // Editors (rich text among them) are built only while their row is open.
  const [isOpen, setOpen] = useState(false);
  const focused = focus.value === e.id;
  // before the paint, as App's scroll to the top: the view opens at the item, not above it
  useLayoutEffect(() => {
    if (focused && ref.current) {
      ref.current.open = true;
      setOpen(true);
      ref.current.scrollIntoView({ block: "start" });
      ref.current.querySelector<HTMLElement>("summary")?.focus();
    }
  }, [focused]);
  const save = (patch: Value) => void patchItem(doc, p.kind, e.id, patch);
  const readOnly = e.origin === "base" && baseFrozen.value;
  return (
    <li class={`item${e.origin === "local" ? " is-local" : ""}${e.not_applicable !== null ? " is-na" : ""}`}>
      <details ref={ref} id={`item-${e.id}`} onToggle={(ev) => setOpen((ev.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          <Ref>{e.reference || "—"}</Ref>
          <span class="item-title">{p.title(e) || t("(uden titel)", "(untitled)")}</span>
          {e.origin === "local" && <LocalBadge />}
          {e.deviation && <DeviationBadge />}
          {e.not_applicable !== null && <NotApplicableBadge />}
          {p.detail && <span class="item-detail">{p.detail(e)}</span>}
          <CommentBadge item={e.id} />
        </summary>
        {isOpen && <div class="item-editor">
          <p class="item-comments"><CommentCount always target={{ item: e.id, field: "", release: null, supplement: e.origin === "local" ? Number(e.doc.split("/")[1]) || null : null, label: e.reference || p.title(e), kind: p.kind }} /></p>
          {readOnly ? (
            <p class="hint shared-hint">{frozenHint()}</p>
          ) : e.origin === "base" && scope.value !== null && (
            <p class="hint shared-hint">{t("Dette element hører til fælles basis: ændringer gælder alle deltagende kommuner. Brug «Mit tillæg» til at afvige lokalt.", "This item belongs to the joint base: changes apply to every participating municipality. Use «My supplement» to deviate locally.")}</p>
          )}
          {e.not_applicable !== null && <p class="hint">{t("Ikke relevant her", "Not applicable here")}: {e.not_applicable}</p>}
          <fieldset class="plain" disabled={readOnly}>
            {p.editor({ entry: e, doc, save, readOnly })}
          </fieldset>
          {!readOnly && (
            <div class="item-foot">
              <button type="button" class="danger link" onClick={() => {
                if (confirm(t(`Slet ${e.reference}? Det kan fortrydes.`, `Delete ${e.reference}? It can be undone.`))) void removeItem(doc, p.kind, e.id);
              }}>{t("Slet", "Delete")} {e.reference}</button>
            </div>
          )}
        </div>}
      </details>
    </li>
  );
}

export function Collection<T extends Identified>(p: Props<T>) {
  const local = supplementDoc.value;
  const add = async (doc: string) => {
    const id = await newItem(doc, p.kind);
    if (id) focus.value = id;
  };
  return (
    <div class="collection">
      {p.entries.length === 0 ? <Empty>{p.emptyText ?? t("Ingen endnu.", "None yet.")}</Empty> : (
        <ul class="items">{p.entries.map((e) => <Row {...p} entry={e} />)}</ul>
      )}
      <div class="actions">
        {!baseFrozen.value && <button type="button" onClick={() => void add("base")}>+ {p.noun} {t("i fælles basis", "in the joint base")}</button>}
        {local && <button type="button" onClick={() => void add(local)}>+ {p.noun} {t("lokalt (mit tillæg)", "locally (my supplement)")}</button>}
      </div>
    </div>
  );
}
