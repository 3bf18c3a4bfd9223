/// <reference types="node" />
// Every view of the workbench in headless Chromium, on the mocked backend with real data from
// the sample (see tests/app/ui.rs): each is loaded, its key content checked against the data
// the core produced, scanned with axe-core (no serious or critical violation may remain) and
// photographed into target/ui-screenshots/<view>.png.

import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Fixtures, MockOptions, ScopeFixture } from "./fixtures";
import { bundleMock, launch, loadFixtures, openApp, screenshot, seriousViolations, serveDist, type AppPage } from "./harness";

let fx: Fixtures;
let mock: string;
let server: Awaited<ReturnType<typeof serveDist>>;
let browser: Awaited<ReturnType<typeof launch>>;
let kbh: ScopeFixture;

beforeAll(async () => {
  fx = await loadFixtures();
  kbh = fx.scopes[String(fx.scenario.org)];
  [mock, server, browser] = await Promise.all([bundleMock(), serveDist(), launch()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The app with the sample open (København, as the user's settings say), or the start screen. */
async function app(options: MockOptions = {}): Promise<AppPage> {
  const a = await openApp(browser.context, server.url, fx, mock, options);
  if (!options.start) await a.page.waitForFunction(() => document.title.startsWith("Konsekvens — "));
  return a;
}

/** Goes to a view as the user does, and waits until its code has loaded (App.tsx loads every
 *  view but the overview when it is first shown, lazy.tsx). */
async function goTo(a: AppPage, name: RegExp): Promise<void> {
  const item = a.page.getByRole("navigation").getByRole("button", { name });
  await item.click();
  await expect.poll(() => item.getAttribute("aria-current")).toBe("page");
  await expect.poll(() => a.page.locator("main .view-loading").count()).toBe(0);
}

function heading(page: Page): Locator {
  return page.locator("main h1").first();
}

/** The page shows no error, has no serious accessibility violation, and is photographed. */
async function finish(a: AppPage, name: string): Promise<void> {
  await screenshot(a.page, name);
  const notices = await a.page.locator(".notice-error").allTextContents();
  expect(notices, "the app shows an error").toEqual([]);
  expect(a.errors, "errors in the page").toEqual([]);
  const violations = await seriousViolations(a.page);
  expect(violations, `axe-core on ${name}:\n${violations.join("\n")}`).toEqual([]);
  await a.page.close();
}

/** A typed field refuses `bad` (named in an alert, no `cmd` sent), then saves `good` on Tab:
 *  exactly one `cmd` whose arguments contain `saved`, and the alert is gone. */
async function refusedThenSaved(a: AppPage, field: Locator, cmd: string, p: { bad: string; refusal: string; good: string; saved: string }): Promise<void> {
  const sent = async () => (await a.calls()).filter((c) => c.cmd === cmd);
  await field.fill(p.bad);
  await field.press("Enter");
  await expect.poll(() => a.page.getByRole("alert").textContent()).toContain(p.refusal);
  expect(await sent()).toEqual([]);
  await field.fill(p.good);
  await field.press("Tab");
  await expect.poll(async () => (await sent()).map((c) => JSON.stringify(c.args))).toEqual([expect.stringContaining(p.saved)]);
  expect(await a.page.getByRole("alert").count()).toBe(0);
}

const WORD = { lav: "low", mellem: "medium", høj: "high", "ikke vurderet": "none" } as const;

/** How many level badges of each kind a table column shows. */
async function levelsIn(cells: Locator): Promise<Record<string, number>> {
  const out: Record<string, number> = { low: 0, medium: 0, high: 0, none: 0 };
  for (const text of await cells.allTextContents()) out[WORD[text.trim() as keyof typeof WORD]]++;
  return out;
}

describe("the start screen", () => {
  test("offers the sample, a file, a new joint DPIA, «Log ind» and a hub; the sample opens", async () => {
    const a = await app({ start: true });
    const { page } = a;
    await expect.poll(() => page.locator("h1").textContent()).toBe("Konsekvens");
    const cards = await page.locator(".card h2").allTextContents();
    expect(cards.map((c) => c.trim())).toEqual(["Åbn en konsekvensanalyse", "Hvem er du?", "Ny fælles konsekvensanalyse", "Log ind", "Deltag via en hub", "Nye versioner"]);
    expect(await page.locator(".update-state").textContent()).toContain("bygget uden opdateringsnøgle");
    await expect.poll(() => page.getByRole("button", { name: fx.title }).count()).toBe(1); // the recent file
    await finish(a, "start");
  });

  test("a new version is announced with its notes; on Linux it is linked, not installed", async () => {
    const update = { state: "available", current: "0.1.0", version: "0.2.0", notes: "Høringsnotatet navngiver den, der er logget ind.", date: "2026-12-01T10:00:00Z", install: false, download: "https://github.com/konsekvens/konsekvens/releases/latest" } as const;
    const a = await app({ start: true, update });
    const { page } = a;
    const notice = page.getByRole("status", { name: "Ny version" });
    await expect.poll(() => notice.textContent()).toContain("Ny version 0.2.0 tilgængelig");
    expect(await notice.textContent()).toContain("apt");
    await notice.getByText("Hvad er nyt").click();
    expect(await notice.locator(".update-notes").textContent()).toBe(update.notes);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "start-update-notice");
    expect(await notice.getByRole("button", { name: "Installér og genstart" }).count()).toBe(0);
    await notice.getByRole("button", { name: "Hent den nye version" }).click();
    await expect.poll(async () => (await a.calls()).map((c) => c.cmd)).toContain("open_update_download");
    expect(await page.locator(".update-state").textContent()).toContain("Ny version 0.2.0 tilgængelig (du har 0.1.0)");
    // The user turns the check at start off: saved as the user's choice.
    await page.getByLabel("Søg efter en ny version, når appen starter").uncheck();
    await expect.poll(async () => (await a.calls()).filter((c) => c.cmd === "save_update_check").map((c) => JSON.stringify(c.args))).toEqual([JSON.stringify({ enabled: false })]);
    await finish(a, "start-update");
  });

  test("«Åbn eksemplet» opens the sample on København's overview", async () => {
    const a = await app({ start: true });
    await a.page.getByRole("button", { name: /^Åbn eksemplet/ }).click();
    await a.page.waitForFunction(() => document.title === "Konsekvens — København");
    expect(await heading(a.page).textContent()).toContain(fx.title);
    expect((await a.calls()).map((c) => c.cmd)).toContain("open_sample");
    await a.page.close();
  });
});

describe("the overview", () => {
  test("shows completeness, every finding and the risk picture the check computed", async () => {
    const a = await app();
    const { page } = a;
    const r = kbh.check;
    expect(await heading(page).textContent()).toBe(`${fx.title} — København (101)`);
    expect(await page.evaluate(() => document.documentElement.dataset.windowTitle), "the window title, set through IPC").toBe("Konsekvens — København");
    const errors = r.findings.filter((f) => f.severity === "error");
    expect(errors.length, "the fixture has findings to show").toBeGreaterThan(0);
    expect(await page.locator(".tile-bad strong").textContent()).toBe(String(errors.length));
    expect(await page.locator("ul.findings > li").count()).toBe(r.findings.length);
    expect(await page.locator("ul.findings").textContent()).toContain(errors[0].message_da);
    // Completeness: the row for Art. 35(7)(c) counts the errors on that provision.
    const row = page.locator("table.completeness tr", { has: page.locator("th", { hasText: "art. 35, stk. 7, litra c" }) });
    expect(await row.locator("td").first().textContent()).toBe(String(errors.filter((f) => f.basis === "art_35_7_c").length));
    // The distribution bar's numbers are the core's.
    const before = r.picture.before;
    expect(await page.locator(".distribution .bar").first().getAttribute("aria-label")).toContain(`${before.counts.medium} mellem (${before.medium_percent} %)`);
    // Keyboard users get the skip link first.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Spring til indholdet");
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await finish(a, "overview");
  });

  test("a finding's reference leads to the risk it concerns", async () => {
    const a = await app();
    const { page } = a;
    const { risk_id, risk_reference } = fx.scenario;
    const risk = kbh.effective.items.risks.find((r) => r.id === risk_id)!;
    await page.locator("ul.findings .ref-link", { hasText: risk_reference }).first().click();
    expect(await heading(page).textContent()).toContain("Risici");
    const detail = page.getByRole("region", { name: `Risiko ${risk_reference}` });
    await expect.poll(() => detail.isVisible()).toBe(true);
    expect(await detail.getByLabel("Titel", { exact: true }).inputValue()).toBe(risk.title);
    expect(await page.locator("table.risks tr[aria-selected=true]").textContent()).toContain(risk.title);
    await page.close();
  });

  test("a finding about a supplier sheet leads to the sheet in the Risks view", async () => {
    const a = await app();
    const { page } = a;
    const { sheet_id, sheet_reference } = fx.scenario;
    // the core's finding: København's sheet has a threat no risk covers
    const finding = kbh.check.findings.find((f) => f.code === "K-35-7-C-SUPPLIER-THREAT-UNCOVERED" && f.item === sheet_id);
    expect(finding, "the check names the sheet").toBeTruthy();
    const item = page.locator("ul.findings > li", { hasText: finding!.message_da.slice(0, 40) });
    await item.locator(".ref-link", { hasText: sheet_reference }).first().click();
    expect(await heading(page).textContent()).toContain("Risici");
    const sheet = page.getByRole("region", { name: `Leverandørark ${sheet_reference}` });
    await expect.poll(() => sheet.evaluate((e) => e.classList.contains("selected"))).toBe(true);
    // scrolled into view
    await expect.poll(() => sheet.evaluate((e) => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; })).toBe(true);
    // the uncovered threat is marked, the covered one names its risk
    expect(await sheet.locator("tr.uncovered").count()).toBe(1);
    expect(await sheet.locator("tr.uncovered").textContent()).toContain("S2");
    expect(await sheet.locator("tbody tr", { hasText: "S1" }).textContent()).toContain(fx.scenario.risk_reference);
    await screenshot(page, "overview-to-sheet");
    await page.close();
  });

  test("the language switch turns the workbench English", async () => {
    const a = await app();
    const { page } = a;
    await page.getByRole("group", { name: "Sprog" }).getByRole("button", { name: "EN" }).click();
    await expect.poll(() => page.getByRole("navigation").getByRole("button", { name: /^Overview/ }).count()).toBe(1);
    expect(await page.getByRole("navigation").getByRole("button", { name: /^Measures and traceability/ }).count()).toBe(1);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.locator(".tile-bad").textContent()).toMatch(/\d+ errors/);
    expect(await page.locator("ul.findings").textContent()).toContain(kbh.check.findings[0].message_en);
    const saved = (await a.calls()).filter((c) => c.cmd === "save_settings").map((c) => (c.args as { language: string }).language);
    expect(saved, "the choice is saved in the settings").toEqual(["en"]);
    await finish(a, "overview-en");
  });
});

describe("the parts of the DPIA", () => {
  test("description (a): the prose arrives through the Yjs mirror, the items are listed", async () => {
    const a = await app();
    const { page } = a;
    const d = kbh.effective;
    await goTo(a, /^Systematisk beskrivelse/);
    expect(await heading(page).textContent()).toContain("Systematisk beskrivelse");
    // Rich text is bound to the base document's state, as doc_state sent it. København's DPIA
    // stands on a release: the base is shown as released, read-only, with where to edit it.
    const summary = page.locator(".field.rich", { hasText: "Sammenfatning" }).locator(".ql-editor");
    await expect.poll(() => summary.textContent()).toContain(d.description.summary.slice(0, 60));
    expect(await summary.getAttribute("contenteditable")).toBe("false");
    expect(await page.locator(".shared-hint").first().textContent()).toContain(`som den er udgivet (${d.release!.name})`);
    for (const p of d.items.processes) expect(await page.locator(".item-title", { hasText: p.name }).count()).toBeGreaterThan(0);
    expect((await a.calls()).filter((c) => c.cmd === "doc_state").map((c) => c.args)).toContain("base");
    await finish(a, "description");
  });

  test("necessity (b): every purpose, and an opened one with its description and legal basis", async () => {
    const a = await app();
    const { page } = a;
    const purposes = kbh.effective.items.purposes;
    await goTo(a, /^Nødvendighed og proportionalitet/);
    const section = page.locator("section.card", { has: page.locator("h2", { hasText: "Formål" }) });
    expect(await section.locator("ul.items > li").count()).toBe(purposes.length);
    const first = purposes[0];
    await section.locator("summary", { hasText: first.title }).click();
    const editor = section.locator(".item-editor").first();
    await expect.poll(() => editor.locator(".ql-editor").textContent()).toContain(first.description.slice(0, 40));
    expect(await editor.getByLabel("Formål", { exact: true }).inputValue()).toBe(first.title);
    await finish(a, "necessity");
  });

  test("WP248: the nine criteria and the check's verdict", async () => {
    const a = await app();
    const { page } = a;
    await goTo(a, /^WP248-screening/);
    expect(await page.locator(".view-head .acceptance").textContent()).toContain(`${kbh.check.wp248_met} af 9 kriterier er opfyldt`);
    expect(await page.locator("ol.criteria > li").count()).toBe(9);
    // The screening is commented as an item of its own (as the description is): here about
    // one criterion, with a «forslag» for its reason.
    await page.getByRole("button", { name: "Kommentér WP248-screeningen" }).click();
    const panel = page.locator("aside.thread-panel");
    const about = panel.locator("#comment-about");
    expect(await about.locator("option").count()).toBe(10);
    await about.selectOption("wp248.large_scale");
    await panel.locator("#new-comment-text").fill("Stor skala bør begrundes med tal");
    expect(await panel.locator("#proposal-field option").allTextContents()).toEqual(["— intet forslag —", "WP248-screeningen: Behandling i stort omfang – begrundelse"]);
    await panel.locator("#proposal-field").selectOption("wp248.large_scale.reason");
    await panel.locator("#proposal-value").fill("Alle skolebørn og forældre i kommunen");
    await screenshot(page, "wp248-comment");
    await panel.getByRole("button", { name: "Send bemærkning" }).click();
    const sent = async () => (await a.calls()).filter((c) => c.cmd === "comment_add").map((c) => JSON.stringify(c.args));
    await expect.poll(sent).toEqual([expect.stringMatching(/"field":"wp248\.large_scale".*"proposal_field":"wp248\.large_scale\.reason","proposal_value":"Alle skolebørn og forældre i kommunen"/)]);
    await finish(a, "wp248");
  });

  test("risks (c): the register agrees with the core's risk picture; a selected risk shows every rating", async () => {
    const a = await app();
    const { page } = a;
    const d = kbh.effective;
    const picture = kbh.check.picture;
    await goTo(a, /^Risici/);
    expect(await page.locator(".filter-count").textContent()).toBe(`${d.items.risks.length} af ${d.items.risks.length} risici`);
    // The levels the webview computes (i18n.ts riskLevel) against those the core counted.
    const rows = page.locator("table.risks tbody tr");
    const before = await levelsIn(rows.locator("td:nth-child(4) .level"));
    const after = await levelsIn(rows.locator("td:nth-child(5) .level"));
    expect({ low: before.low, medium: before.medium, high: before.high }).toEqual(picture.before.counts);
    expect({ low: after.low, medium: after.medium, high: after.high }).toEqual(picture.after.counts);
    // Select the first risk: its matrix placement counts match the core's matrix after measures.
    const risk = d.items.risks[0];
    await page.getByRole("button", { name: `Vis risiko ${risk.reference}`, exact: true }).click();
    const detail = page.getByRole("region", { name: `Risiko ${risk.reference}` });
    await expect.poll(() => detail.isVisible()).toBe(true);
    expect(await detail.locator("fieldset.rating").count()).toBe(6);
    expect(await detail.getByLabel("Begrundelse for konsekvensen").first().inputValue()).toBe(risk.inherent.confidentiality.consequence_reason);
    const core = picture.matrices_after.find((m) => m.dimension === "confidentiality")!;
    // A base risk of a released base is not placed from a municipality's view: the cells are
    // read out, not buttons.
    const labels = await page.locator("table.heatmap td.cell").evaluateAll((cells) =>
      cells.map((c) => c.querySelector("button")?.getAttribute("aria-label") ?? c.querySelector(".sr-only")?.textContent ?? ""));
    const counts = labels.map((l) => Number(/, (\d+) risici$/.exec(l)?.[1]));
    // Rows run from the most serious consequence down; core cells are [consequence][likelihood].
    expect(counts).toEqual([...core.cells].reverse().flat());
    // The imported supplier sheets the source references are checked against: every threat of
    // the core's model is listed under its sheet, with the risks that cover it or why not.
    expect(d.items.supplier_sheets.length).toBeGreaterThan(0);
    for (const sheet of d.items.supplier_sheets) {
      const region = page.getByRole("region", { name: `Leverandørark ${sheet.reference}` });
      await region.scrollIntoViewIfNeeded();
      expect(await region.locator("table.sheet-threats tbody tr").count()).toBe(Object.keys(sheet.threats).length);
      expect(await region.locator("h3").textContent()).toContain(sheet.label);
    }
    await screenshot(page, "risks-sheets");
    await page.evaluate(() => window.scrollTo(0, 0));
    await finish(a, "risks");
  });

  test("measures (d): the traceability matrix marks the risk without a measure, and a click links it", async () => {
    const a = await app();
    const { page } = a;
    const d = kbh.effective;
    const { risk_id, risk_reference } = fx.scenario;
    await goTo(a, /^Foranstaltninger og sporbarhed/);
    const matrix = page.locator("table.traceability");
    const risks = d.items.risks.filter((r) => r.not_applicable === null);
    const measures = d.items.measures.filter((m) => m.not_applicable === null && m.status !== "rejected");
    expect(await matrix.locator("tbody tr").count()).toBe(risks.length);
    expect(await matrix.locator("thead th").count()).toBe(measures.length + 1);
    const linked = measures.reduce((n, m) => n + m.mitigates.filter((id) => risks.some((r) => r.id === id)).length, 0);
    expect(await matrix.locator("button[role=switch][aria-checked=true]").count()).toBe(linked);
    const row = matrix.locator("tbody tr", { has: page.locator("th", { hasText: risk_reference }) });
    expect(await row.getAttribute("class")).toContain("unlinked");
    // The released base's measures are linked in the base's own view; here, a local one.
    const base = measures.find((m) => m.origin === "base")!;
    expect(await row.getByRole("switch", { name: `${risk_reference} ↔ ${base.reference}: ikke knyttet` }).isDisabled()).toBe(true);
    const measure = measures.find((m) => m.origin === "local")!;
    await row.getByRole("switch", { name: `${risk_reference} ↔ ${measure.reference}: ikke knyttet` }).click();
    await expect.poll(async () => (await a.calls()).filter((c) => c.cmd === "link").map((c) => c.args)).toEqual([
      { doc: measure.origin === "local" ? `supplement/${fx.scenario.org}` : "base", measure: measure.id, risk: risk_id, linked: true },
    ]);
    await finish(a, "measures");
  });

  test("my supplement: København's deviations beside the base", async () => {
    const a = await app();
    const { page } = a;
    const s = kbh.supplement!;
    await goTo(a, /^Mit tillæg/);
    expect(await heading(page).textContent()).toBe("Mit tillæg — København");
    expect(await page.locator("article.deviation").count()).toBe(s.risk_overrides.length + s.measure_statuses.length);
    const overridden = new Set(s.risk_overrides.map((o) => o.target));
    const selectable = kbh.effective.items.risks.filter((r) => r.origin === "base" && !overridden.has(r.id));
    expect(await page.getByLabel("Vurder en fælles risiko anderledes").locator("option").count()).toBe(selectable.length + 1);
    expect(await page.locator(".condition").count()).toBe(4);
    // Counts read and are typed with Danish thousands separators; a decimal is refused.
    const counted = s.subject_counts[0];
    const name = kbh.effective.items.subject_categories.find((c) => c.id === counted.target)!.name;
    const field = page.getByLabel(`Antal her: ${name}`);
    expect(await field.inputValue()).toBe(counted.count!.toLocaleString("da-DK"));
    await refusedThenSaved(a, field, "patch_item", { bad: "47,5", refusal: "Ikke et helt tal", good: "47.500", saved: '"count":47500' });
    await finish(a, "supplement");
  });

  test("governance: the DPO's advice, the review and Art. 36", async () => {
    const a = await app();
    const { page } = a;
    await goTo(a, /^DPO, revision og art\. 36/);
    const advice = page.locator("section.card", { has: page.locator("h2", { hasText: "Databeskyttelsesrådgiverens rådgivning" }) });
    expect(await advice.locator("ul.items > li").count()).toBe(kbh.effective.items.dpo_advice.length);
    const due = kbh.review_status.triggers.length > 0;
    expect(await page.locator(due ? ".callout-warn" : ".acceptance-accepted").first().isVisible()).toBe(true);
    // Dates read and are typed the Danish way whatever the desktop's locale; a day that does
    // not exist is named and not saved.
    const next = page.getByLabel("Næste planlagte revision");
    const plan = kbh.effective.review_plan.next_review!;
    expect(await next.inputValue()).toBe(plan.split("-").reverse().join("."));
    await refusedThenSaved(a, next, "patch_section", { bad: "31.02.2027", refusal: "Ikke en dato", good: "1.6.2027", saved: '"next_review":"2027-06-01"' });
    expect(await next.inputValue()).toBe("01.06.2027");
    await finish(a, "governance");
  });

  test("versions: the releases, the history, and a comparison with the latest release", async () => {
    const a = await app();
    const { page } = a;
    const latest = fx.coordination.releases.at(-1)!;
    await goTo(a, /^Versioner og historik/);
    expect(await page.locator("section.card table").first().textContent()).toContain(latest.name);
    await expect.poll(() => page.locator("ol.history > li").count()).toBe(Math.min(50, kbh.history.length));
    await page.getByRole("button", { name: "Sammenlign" }).click();
    const changes = kbh.compare[`${latest.name}|now`].changes;
    await expect.poll(() => page.locator(".comparison h3", { hasText: "Ændringer" }).textContent()).toBe(`Ændringer (${changes.length})`);
    await finish(a, "versions");
  });

  test("the coordinator's overview of every municipality (the joint base)", async () => {
    const a = await app();
    const { page } = a;
    await page.getByLabel("Vis konsekvensanalysen for").selectOption("base");
    await page.waitForFunction(() => document.title === "Konsekvens — Fælles basis");
    await goTo(a, /^Koordinatorens overblik/);
    const rows = page.locator("main table tbody tr");
    await expect.poll(() => rows.count()).toBe(fx.overview.participants.length);
    for (const [i, p] of fx.overview.participants.entries()) {
      expect(await rows.nth(i).locator("th").textContent()).toBe(`${p.name} (${p.code})`);
      expect(await rows.nth(i).locator("td").nth(1).textContent()).toBe(String(p.errors));
    }
    await finish(a, "coordinator");
  });

  test("import: a supplier's risk sheet and a CNIL PIA export", async () => {
    const a = await app();
    const { page } = a;
    await goTo(a, /^Import/);
    expect(await heading(page).textContent()).toBe("Import");
    expect(await page.locator("section.card h2").count()).toBeGreaterThanOrEqual(2);
    expect(await page.getByLabel("Eksporteret PIA (.json)").inputValue()).toBe("");
    // the mapping step: the header row found, moved with one click, the preview read again
    await page.locator("#sheet-file").fill("/data/netcompany-beskeder.xlsx");
    await page.getByRole("button", { name: "Læs arket" }).click();
    await expect.poll(() => page.getByRole("group", { name: "Overskriftsrække" }).textContent()).toContain("Overskriftsrække: række 6 (fundet ud fra, hvad kolonnerne betyder)");
    await page.getByRole("button", { name: "▼ Række 7" }).click();
    await expect.poll(() => page.getByRole("group", { name: "Overskriftsrække" }).textContent()).toContain("Overskriftsrække: række 7 (flyttet af dig");
    const opens = (await a.calls()).filter((c) => c.cmd === "sheet_open");
    expect(opens.map((c) => (c.args as Record<string, unknown>).headerRow)).toEqual([null, 7]);
    await page.getByText("Sådan læses arket").click();
    expect(await page.locator("pre.preview").textContent()).toContain("T1 (række 8)");
    await finish(a, "import");
  });

  test("export: a PDF is made with progress and reported with its size", async () => {
    const a = await app();
    const { page } = a;
    await goTo(a, /^Eksport og underskrift/);
    const out = await page.locator("#pdf-out").inputValue();
    expect(out).toBe(fx.path.replace(/[^/]*$/, "konsekvensanalyse-101.pdf"));
    await page.getByRole("button", { name: "Lav PDF" }).click();
    await expect.poll(() => page.locator(".notice-info").textContent()).toContain(`PDF gemt: ${out} (240 KiB)`);
    const call = (await a.calls()).find((c) => c.cmd === "export_pdf")!;
    expect(call.args).toMatchObject({ org: 101, lang: "da", out });
    // the public summary: what it leaves out is listed before it is saved, as HTML here
    await expect.poll(() => page.locator("#withheld-title").textContent()).toBe("Udeladt af resuméet: 2 elementer");
    await page.getByText("Trusselsbeskrivelser").click();
    expect(await page.locator(".withheld").textContent()).toContain("R1 Manglende eller fejlagtig adgangskontrol: Adgangskontrollen virker ikke efter hensigten");
    await page.getByLabel("HTML").check();
    const summaryOut = await page.locator("#summary-out").inputValue();
    expect(summaryOut).toMatch(/101-offentligt-resume\.html$/);
    await page.getByRole("button", { name: "Gem offentligt resumé" }).click();
    await expect.poll(() => page.locator(".notice-info").textContent()).toContain(`Offentligt resumé gemt: ${summaryOut}`);
    const saved = (await a.calls()).find((c) => c.cmd === "export_public_summary")!;
    expect(saved.args).toMatchObject({ org: 101, lang: "da", html: true, out: summaryOut });
    await finish(a, "export");
  });

  test("co-editing: the hub form and the sync state", async () => {
    const a = await app();
    const { page } = a;
    await goTo(a, /^Samarbejde via hub/);
    expect(await page.locator(".sync-state").textContent()).toBe("Ikke forbundet til en hub (arbejder lokalt)");
    expect(await page.getByLabel("Hubbens adresse").inputValue()).toBe("ws://");
    await finish(a, "collaborate");
  });
});
