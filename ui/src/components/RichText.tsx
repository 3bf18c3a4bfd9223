// Rich text (paragraphs, lists, bold, italic) bound to a shared text of a Rust document
// through its Yjs mirror: what is typed reaches Rust (and the hub) as the user types, and
// others' typing appears here. Undo is the app's, so it follows the user across fields.

import Quill from "quill";
import "quill/dist/quill.snow.css";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { QuillBinding } from "y-quill";
import { message } from "../api";
import { mirror, mirrorEpoch } from "../docs";
import { textAt } from "../ytext";
import { t } from "../i18n";

interface Props {
  label: string;
  /** `base`, `supplement/101` … */
  doc: string;
  /** Root map, then keys: ["description", "summary"] or ["risks", id, "threat"]. */
  path: readonly string[];
  /** Creates the text in Rust when it does not exist yet (a field never written). */
  create?: () => Promise<unknown>;
  hint?: string;
  /** Shown, not edited (the released base in a municipality's view). */
  readOnly?: boolean;
}

const TOOLBAR = [["bold", "italic"], [{ list: "ordered" }, { list: "bullet" }], ["clean"]];

export function RichText(p: Props) {
  const id = useId();
  const host = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const key = `${p.doc}:${p.path.join("/")}:${mirrorEpoch.value}:${p.readOnly ? "ro" : "rw"}`;

  useEffect(() => {
    let binding: QuillBinding | null = null;
    let cancelled = false;
    const el = host.current;
    if (!el) return;
    el.replaceChildren();
    const editor = document.createElement("div");
    el.appendChild(editor);
    const quill = new Quill(editor, {
      theme: "snow",
      modules: { toolbar: TOOLBAR, history: { maxStack: 0, userOnly: true } },
      formats: ["bold", "italic", "list"],
      placeholder: t("Skriv her …", "Write here …"),
    });
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-labelledby", `${id}-label`);
    if (p.hint) quill.root.setAttribute("aria-describedby", `${id}-hint`);
    // The toolbar's buttons get names screen readers can say.
    const names: Record<string, string> = {
      bold: t("Fed", "Bold"),
      italic: t("Kursiv", "Italic"),
      clean: t("Fjern formatering", "Clear formatting"),
    };
    el.querySelectorAll<HTMLButtonElement>(".ql-toolbar button").forEach((b) => {
      const format = [...b.classList].find((c) => c.startsWith("ql-"))?.slice(3) ?? "";
      const label = format === "list" ? (b.value === "ordered" ? t("Nummereret liste", "Numbered list") : t("Punktliste", "Bulleted list")) : names[format];
      if (label) b.setAttribute("aria-label", label);
    });
    quill.disable();
    (async () => {
      try {
        const ydoc = await mirror(p.doc);
        let text = textAt(ydoc, p.path);
        if (!text && p.create) {
          await p.create();
          for (let i = 0; i < 20 && !text && !cancelled; i++) {
            await new Promise((r) => setTimeout(r, 50));
            text = textAt(ydoc, p.path);
          }
        }
        if (cancelled) return;
        if (!text) {
          setProblem(t("Feltet findes ikke i dokumentet.", "The field does not exist in the document."));
          return;
        }
        binding = new QuillBinding(text, quill);
        quill.enable(!p.readOnly);
        setProblem(null);
      } catch (e) {
        setProblem(message(e));
      }
    })();
    return () => {
      cancelled = true;
      binding?.destroy();
    };
  }, [key]);

  return (
    <div class={p.readOnly ? "field rich readonly" : "field rich"}>
      <span id={`${id}-label`} class="label">{p.label}</span>
      <div ref={host} class="rich-host" />
      {p.hint && <p id={`${id}-hint`} class="hint">{p.hint}</p>}
      {problem && <p class="error-inline" role="alert">{problem}</p>}
    </div>
  );
}
