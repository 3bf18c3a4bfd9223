// The risk picture: consequence × likelihood heat maps (before and after measures, per
// confidentiality, integrity and availability) and the low/medium/high distribution.

import { CONSEQUENCE, CONSEQUENCES, LEVEL, LIKELIHOOD, LIKELIHOODS, number, riskLevel, t } from "../i18n";
import type { Consequence, Likelihood } from "../bindings";
import type { Matrix } from "../model";

interface HeatMapProps {
  caption: string;
  matrix: Matrix | null;
  /** Places a risk: called with the cell chosen (the Risks view). */
  onPick?: (c: Consequence, l: Likelihood) => void;
  /** The cell the selected risk sits in. */
  mark?: { c: Consequence | null; l: Likelihood | null };
  compact?: boolean;
}

/** Rows from the most to the least serious consequence, columns from unlikely to expected. */
export function HeatMap(p: HeatMapProps) {
  const rows = [...CONSEQUENCES].reverse();
  return (
    <table class={`heatmap${p.compact ? " compact" : ""}`}>
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col"><span class="sr-only">{t("Konsekvens", "Consequence")}</span></th>
          {LIKELIHOODS.map((l) => (
            <th scope="col">{LIKELIHOOD(l)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr>
            <th scope="row">{CONSEQUENCE(c)}</th>
            {LIKELIHOODS.map((l) => {
              const count = p.matrix ? p.matrix.cells[CONSEQUENCES.indexOf(c)][LIKELIHOODS.indexOf(l)] : null;
              const level = riskLevel(c, l)!;
              const marked = p.mark?.c === c && p.mark?.l === l;
              const label = `${CONSEQUENCE(c)} × ${LIKELIHOOD(l)}: ${LEVEL(level)}${count !== null ? `, ${count} ${t("risici", "risks")}` : ""}`;
              return (
                <td class={`cell level-${level}${marked ? " marked" : ""}`}>
                  {p.onPick ? (
                    <button type="button" aria-label={label} aria-pressed={marked} onClick={() => p.onPick!(c, l)}>
                      {count ?? (marked ? "●" : "")}
                    </button>
                  ) : (
                    <><span aria-hidden="true">{count ? count : ""}</span><span class="sr-only">{label}</span></>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td />
          <td colSpan={4} class="axis">{t("sandsynlighed →", "likelihood →")}</td>
        </tr>
      </tfoot>
    </table>
  );
}

interface Counts {
  low: number;
  medium: number;
  high: number;
}

/** "7 lav · 5 mellem · 0 høj" as a stacked bar with the numbers written out. */
export function DistributionBar({ label, counts, unrated = 0 }: { label: string; counts: Counts; unrated?: number }) {
  const total = counts.low + counts.medium + counts.high;
  const pct = (n: number) => (total ? Math.round((n * 100) / total) : 0);
  const parts: [keyof Counts, number][] = [["low", counts.low], ["medium", counts.medium], ["high", counts.high]];
  return (
    <div class="distribution">
      <div class="distribution-label">{label}</div>
      <div class="bar" role="img" aria-label={`${label}: ${parts.map(([k, n]) => `${n} ${LEVEL(k)} (${pct(n)} %)`).join(", ")}`}>
        {parts.map(([k, n]) => n > 0 && <span class={`seg level-${k}`} style={{ flexGrow: n }} />)}
      </div>
      <div class="distribution-numbers">
        {parts.map(([k, n]) => (
          <span class={`count level-text-${k}`}>
            {number(n)} {LEVEL(k)} <small>({pct(n)} %)</small>
          </span>
        ))}
        {unrated > 0 && <span class="count unrated">{number(unrated)} {t("ikke vurderet", "not rated")} <small>({t("ikke talt med", "not counted")})</small></span>}
      </div>
    </div>
  );
}
