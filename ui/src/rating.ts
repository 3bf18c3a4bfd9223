// A rating as the Risks editor edits it. An old DPIA (or the CNIL tool) may give a risk only
// as a level (lav/mellem/høj) without consequence × likelihood: the model keeps it as written
// (`legacy_level`), the editor shows it flagged as lacking its basis, and the DPO replaces it
// by rating consequence and likelihood — the level goes when the pair is complete.

import { LEVEL, t } from "./i18n";
import type { Rating } from "./model";

/** Whether the rating is only a level as written, without the pair behind it. */
export function onlyLegacyLevel(r: Rating): boolean {
  return !r.unaffected && r.legacy_level !== null && r.legacy_level !== undefined && !(r.consequence && r.likelihood);
}

/** The editor's words for a level given without its basis: the level as written, and what
 *  it lacks. Null for a rating that has its pair (or none). */
export function legacyNote(r: Rating): { written: string; lacks: string } | null {
  if (!onlyLegacyLevel(r)) return null;
  return {
    written: `${t("Angivet som", "Given as")} «${LEVEL(r.legacy_level!)}» ${t("(som i den ældre analyse)", "(as in the older DPIA)")}`,
    lacks: t(
      "Niveauet mangler sit grundlag: hverken konsekvens, sandsynlighed eller begrundelser. Vurder konsekvens og sandsynlighed med begrundelse; så erstatter de niveauet.",
      "The level lacks its basis: no consequence, likelihood or reasons. Rate consequence and likelihood with reasons; they then replace the level.",
    ),
  };
}

/** The patch to save for a change of a rating: a change that completes consequence ×
 *  likelihood also removes the level written without them (null removes it in the merge
 *  patch), so the pair replaces it. */
export function ratingPatch(r: Rating, change: Partial<Record<keyof Rating, unknown>>): Partial<Record<keyof Rating, unknown>> {
  const after = { ...r, ...change } as Rating;
  if (r.legacy_level != null && after.consequence && after.likelihood && !("legacy_level" in change)) {
    return { ...change, legacy_level: null };
  }
  return change;
}
