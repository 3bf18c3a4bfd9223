// Views loaded when first shown: the workbench opens on the overview, so the other views'
// code (and the rich-text editor, Quill and Yjs, that five of them use) is neither fetched
// nor parsed until the user goes there. Measured with scripts/bench-app (issue #14: the
// app's idle memory beside a blank Tauri window; see src-tauri/README.md «Memory»).

import { signal } from "@preact/signals";
import type { JSX } from "preact";
import { t } from "./i18n";

export type ViewComponent = () => JSX.Element | null;

/** A view whose module is imported the first time it is rendered; until then (a few
 *  milliseconds from the app's own files) a «loading» line. A failed import is shown and
 *  tried again on the next render. */
export function lazyView(load: () => Promise<ViewComponent>): ViewComponent {
  const loaded = signal<ViewComponent | null>(null);
  const failed = signal<string | null>(null);
  let started = false;
  return function LazyView() {
    const View = loaded.value;
    if (View) return <View />;
    if (!started) {
      started = true;
      load().then(
        (v) => { failed.value = null; loaded.value = v; },
        (e: unknown) => { started = false; failed.value = String(e); },
      );
    }
    if (failed.value) return <p role="alert">{t("Visningen kunne ikke indlæses: ", "The view could not be loaded: ")}{failed.value}</p>;
    return <p class="view-loading" aria-busy="true">{t("Indlæser …", "Loading …")}</p>;
  };
}
