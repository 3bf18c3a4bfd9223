// The shape of target/ui-fixtures/fixtures.json, written by tests/app/ui.rs from the bundled
// AULA sample through the same konsekvens-core calls the app's commands make. Typed with the
// generated bindings, so a changed command result shows up here as a type error.

import type {
  CheckReport, Comparison, Coordination, EffectiveDpia, LogEntry, Overview, ReviewStatus, Supplement,
} from "../../src/model";

/** Everything the app shows for the joint base or one municipality. */
export interface ScopeFixture {
  effective: EffectiveDpia;
  check: CheckReport;
  history: LogEntry[];
  review_status: ReviewStatus;
  /** Comparisons by "from|to" (the latest release → now, now → now). */
  compare: Record<string, Comparison>;
  /** A municipality's supplement (absent for the base). */
  supplement?: Supplement;
}

export interface Fixtures {
  /** The workspace file the fixtures were read from. */
  path: string;
  /** The day the check was run for (YYYY-MM-DD). */
  today: string;
  title: string;
  coordination: Coordination;
  overview: Overview;
  /** "base", "101", "561" … */
  scopes: Record<string, ScopeFixture>;
  /** Yjs states (hex) by document name, as `doc_state` returns them. */
  docs: Record<string, string>;
  /** What the fixture writer did beyond the sample: København's new local risk, and its own
   *  imported supplier sheet with a threat no risk covers. */
  scenario: { org: number; risk_id: string; risk_reference: string; sheet_id: string; sheet_reference: string };
}

/** How a page's mocked backend starts. */
export interface MockOptions {
  /** No workspace is open: the start screen. */
  start?: boolean;
  language?: "da" | "en";
  /** What the update check at start found (default: this build looks for none). */
  update?: import("../../src/bindings").UpdateStatus_Serialize;
}

/** One IPC call the page made, as the mock saw it. */
export interface Call {
  cmd: string;
  args: unknown;
}

export const FIXTURES_GLOBAL = "__KONSEKVENS_FIXTURES__";
export const OPTIONS_GLOBAL = "__KONSEKVENS_MOCK__";
export const CALLS_GLOBAL = "__konsekvensCalls";
