// A minimal safe-HTML builder: every interpolated value is escaped unless it is already
// SafeHtml (built by `html` itself). DPIA text is user content, so nothing reaches
// innerHTML unescaped.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Child = SafeHtml | string | number | null | undefined | false | readonly Child[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function flatten(v: Child): string {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(flatten).join("");
  return escape(String(v));
}

/** Tagged template: `html\`<p>${text}</p>\`` escapes `text`. */
export function html(strings: TemplateStringsArray, ...values: Child[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => {
    out += flatten(v) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** Joins children into one SafeHtml. */
export function join(children: readonly Child[], separator: Child = ""): SafeHtml {
  const sep = flatten(separator);
  return new SafeHtml(children.map(flatten).filter((s) => s !== "").join(sep));
}

/** A value usable in an id attribute and a #fragment. */
export function anchor(prefix: string, id: string): string {
  return `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}
