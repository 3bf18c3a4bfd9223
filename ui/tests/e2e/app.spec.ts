/// <reference types="node" />
// The real app, end to end: tauri-driver + WebKitWebDriver drive konsekvens-app under Xvfb as
// DPOs would — open the sample, add a risk to the joint base with ratings and reasons, link a
// measure and see the overview's findings change, publish the base as a release, switch to
// Esbjerg, confirm the release and rate the new risk differently, export Esbjerg's PDF, sign
// it with a .p12 and verify it in the app. Screenshots of the main views go to
// target/screenshots/. What the DPO did is written to $KONSEKVENS_E2E_DIR/scenario.json;
// tests/app/e2e.rs, which starts this under xvfb-run, then reads the workspace with the
// konsekvens CLI after the app has closed, to prove every edit was durable.

import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { buttonOf, screenshot, startApp, textOf, until, type Started } from "./harness";
import { KEYS, Session, type Element } from "./webdriver";

const UI = resolve(import.meta.dirname, "../..");
const APP = resolve(process.env.KONSEKVENS_APP ?? join(UI, "../target/debug/konsekvens-app"));
const SHOTS = resolve(process.env.KONSEKVENS_SCREENSHOTS ?? join(UI, "../target/screenshots"));
const DIR = process.env.KONSEKVENS_E2E_DIR ?? "";
const PASSWORD = process.env.KONSEKVENS_E2E_PASSWORD ?? "";
const WORKSPACE = join(DIR, "aula.konsekvens");

/** What the DPO does, and what tests/app/e2e.rs then looks for in the file. */
const scenario = {
  workspace: WORKSPACE,
  risk: {
    reference: "",
    title: "Vikarer ser fraværsbeskeder for hele skolen",
    threat: "Vikarer får samme rolle som faste lærere og kan læse fraværsbeskeder om børn i andre klasser.",
    // [consequence, likelihood, reason for the consequence, reason for the likelihood] for
    // inherent C, I, A, then residual C, I, A.
    ratings: [
      ["very_serious", "likely", "Fravær kan afsløre helbredsoplysninger om børn.", "Vikarer skifter ofte og får brede rettigheder."],
      ["serious", "possible", "En forkert besked kan føre til forkerte beslutninger om et barn.", "Vikarer kan skrive i beskedtråde."],
      ["limited", "unlikely", "Beskederne findes også i skolens fagsystem.", "Adgang for vikarer påvirker ikke driften."],
      ["very_serious", "unlikely", "Konsekvensen er den samme efter foranstaltningerne.", "Vikarroller begrænses til egne klasser."],
      ["serious", "unlikely", "Konsekvensen er den samme efter foranstaltningerne.", "Rettighedsstyring begrænser skriveadgang."],
      ["limited", "unlikely", "Uændret.", "Uændret."],
    ] as [string, string, string, string][],
  },
  measure: { reference: "M1" },
  release: { name: "2026.1", note: "Ny risiko om vikarers adgang (e2e)." },
  esbjerg: {
    org: 561,
    reason: "Esbjergs vikarer ser kun egne klassers beskeder, og fravær registreres uden årsag; konsekvensen for fortroligheden vurderes lavere.",
    // begrænset × sandsynlig: lav, so the assessment before measures drops from høj to mellem.
    consequence: "limited",
  },
  hearing: {
    draft: "2026.2-udkast",
    release: "2026.2",
    // København's objection with a «forslag» on R1's rating, accepted by the coordinator.
    comment: "Brudene i 2025 viser, at uvedkommende adgang må forventes; sandsynligheden før foranstaltninger bør være forventet (e2e).",
    item: "R1",
    field: "inherent.confidentiality.likelihood",
    value: "expected",
    dpo: "Anne Dam, databeskyttelsesrådgiver",
    reason: "Enig: brudhistorikken taler for forventet (e2e).",
    notat: join(DIR, "hoeringsnotat.pdf"),
  },
  pdf: join(DIR, "esbjerg.pdf"),
  signed: join(DIR, "esbjerg-underskrevet.pdf"),
  signer: "Åse Bøgh",
  capacity: "databeskyttelsesrådgiver",
  findings: { before: [] as string[], unlinked: [] as string[], linked: [] as string[] },
};

let app: Started | null = null;
let s: Session;

/** The page's text in an element (CSS), or "" when there is none. */
function text(css: string): Promise<string> {
  return textOf(s, css);
}

/** A button by the start of its text or by its accessible label, inside `within`. */
function button(label: string, within = "body"): Promise<Element> {
  return buttonOf(s, label, within);
}

/** The form control labelled `label` (exactly) inside `within` (the nth such, from 0). */
function field(label: string, within = "main", nth = 0): Promise<Element> {
  return until(`the field «${label}»`, () =>
    s.execute<Element | null>(
      `const root = document.querySelector(arguments[1]);
       // A label's own words, without the text of a control it wraps (a select's options).
       const own = (l) => { const c = l.cloneNode(true); c.querySelectorAll("select, input, textarea").forEach((x) => x.remove()); return c.textContent.trim(); };
       const labels = root ? [...root.querySelectorAll("label")].filter((l) => own(l) === arguments[0]) : [];
       const l = labels[arguments[2]];
       return (l && (l.htmlFor ? document.getElementById(l.htmlFor) : l.querySelector("input, select, textarea"))) || null;`,
      label, within, nth,
    ));
}

async function go(nav: string, heading: string): Promise<void> {
  await s.click(await button(nav, "nav.side"));
  await until(`the view «${heading}»`, async () => (await text("main h1")).startsWith(heading));
}

/** Types into a text field as a user does and leaves it, which commits the text. */
async function fill(el: Element, value: string): Promise<void> {
  await s.click(el);
  await s.clear(el);
  await s.type(el, value);
  await s.type(el, KEYS.tab);
}

/** Picks an option of a select by its value, with a real click on the option. */
async function choose(select: Element, value: string): Promise<void> {
  await s.click(select);
  const option = await s.execute<Element | null>("return [...arguments[0].options].find((o) => o.value === arguments[1]) || null;", select, value);
  if (!option) throw new Error(`the select has no option «${value}»`);
  await s.click(option);
  await until(`the select to show «${value}»`, () => s.execute<boolean>("return arguments[0].isConnected && arguments[0].value === arguments[1];", select, value));
}

/** Finding codes with their references, as the overview lists them. */
function findings(): Promise<string[]> {
  return s.execute<string[]>(
    `return [...document.querySelectorAll("ul.findings > li")].map((li) => {
       const ref = li.querySelector(".ref-link");
       return (ref ? ref.textContent.trim() + " " : "") + li.querySelector(".finding-meta code").textContent.trim();
     });`,
  );
}

async function noError(): Promise<void> {
  const error = await text(".notice-error");
  expect(error, "the app shows an error").toBe("");
}

/** Saves the window as SHOTS/<name>.png once two frames have been drawn (WebKit otherwise
 *  returns the previous frame). */
function shot(name: string): Promise<void> {
  return screenshot(s, SHOTS, name);
}

beforeAll(async () => {
  for (const [what, ok] of [["KONSEKVENS_E2E_DIR (set by tests/app/e2e.rs)", DIR !== "" && existsSync(DIR)], [APP, existsSync(APP)]] as const) {
    if (!ok) throw new Error(`missing: ${what}`);
  }
  // Pictures of an earlier run's failures would mislead whoever looks at this run's.
  await mkdir(SHOTS, { recursive: true });
  for (const f of await readdir(SHOTS)) if (f.startsWith("failed-")) await rm(join(SHOTS, f));
  // The app keeps its settings under HOME; a fresh one per run. USER names the author.
  const home = join(DIR, "home");
  await mkdir(home, { recursive: true });
  app = await startApp(APP, [WORKSPACE], { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local/share"), XDG_CACHE_HOME: join(home, ".cache"), USER: "Mette Holm (e2e)" });
  s = app.session;
});

// A failed step leaves a picture of the window behind, for CI's artifacts.
afterEach(async ({ task }) => {
  if (task.result?.state === "fail" && s) await shot(`failed-${task.name.replace(/[^a-zA-Z0-9æøåÆØÅ]+/g, "-").slice(0, 60)}`).catch(() => {});
});

afterAll(async () => {
  await s?.close().catch(() => {});
  app?.driver.close();
  app?.tauriDriver.kill();
  await writeFile(join(DIR, "scenario.json"), JSON.stringify(scenario, null, 2));
  if (app?.log().trim()) console.log(`--- tauri-driver ---\n${app.log()}`);
});

describe("a DPO in the real app", () => {
  test("the sample opens on København's overview", async () => {
    await until("the window title", async () => (await s.title()) === "Konsekvens — København", 90_000);
    await until("the overview", async () => (await text("main h1")).includes("København (101)"));
    scenario.findings.before = await findings();
    await noError();
    await shot("overview");
  });

  test("other main views render", async () => {
    for (const [nav, heading, name] of [
      ["Systematisk beskrivelse", "Systematisk beskrivelse", "description"],
      ["Nødvendighed og proportionalitet", "Formål, retsgrundlag", "necessity"],
      ["WP248-screening", "WP248-screening", "wp248"],
      ["DPO, revision og art. 36", "DPO-rådgivning", "governance"],
      ["Versioner og historik", "Versioner og historik", "versions"],
      ["Samarbejde via hub", "Samarbejde via hub", "collaborate"],
    ]) {
      await go(nav, heading);
      await noError();
      await shot(name);
    }
  });

  test("a new risk in the joint base, rated before and after measures with reasons", async () => {
    const r = scenario.risk;
    // A municipality's DPIA stands on a release; new joint risks are written in the base.
    await choose(await field("Vis konsekvensanalysen for", "header.app-head"), "base");
    await until("the joint base", async () => (await s.title()) === "Konsekvens — Fælles basis");
    // the base's own data, not København's still on screen while it loads (its register is
    // a row longer: a click on «+ Risiko» could land where the button was)
    await go("Overblik", "Fælles konsekvensanalyse for Aula — Fælles basis");
    scenario.findings.before = await findings();
    await go("Risici", "Risici");
    await s.click(await button("+ Risiko i fælles basis"));
    r.reference = await until("the new risk's detail pane", () =>
      s.execute<string | null>(`const d = document.querySelector("section.risk-detail"); return d && d.querySelector("code.ref").textContent.trim();`));
    await fill(await field("Titel", "section.risk-detail"), r.title);
    await until("the title in the register", async () => (await text("table.risks tr[aria-selected=true]")).includes(r.title));
    // The threat is rich text: typed into the Yjs mirror, sent to Rust as raw updates.
    const threat = await until("the threat editor", () =>
      s.execute<Element | null>(`const e = [...document.querySelectorAll("section.risk-detail .field.rich")].find((f) => f.textContent.includes("Trussel")); return (e && e.querySelector(".ql-editor[contenteditable=true]")) || null;`));
    await s.click(threat);
    await s.type(threat, r.threat);
    for (const [i, [consequence, likelihood, cReason, lReason]] of r.ratings.entries()) {
      // Inherent C, I, A in the first column, residual in the second.
      const scope = `section.risk-detail .side-by-side > .phase:nth-child(${i < 3 ? 1 : 2}) fieldset.rating:nth-of-type(${(i % 3) + 1})`;
      await choose(await field("Konsekvens", scope), consequence);
      await fill(await field("Begrundelse for konsekvensen", scope), cReason);
      await choose(await field("Sandsynlighed", scope), likelihood);
      await fill(await field("Begrundelse for sandsynligheden", scope), lReason);
    }
    await until("the risk's levels in the register", async () => (await text("table.risks tr[aria-selected=true]")).includes("høj"));
    await noError();
    await s.execute("document.activeElement.blur(); window.scrollTo(0, 0);");
    await shot("risks");
  });

  test("the overview finds the risk without a measure", async () => {
    const ref = scenario.risk.reference;
    await go("Overblik", "Fælles konsekvensanalyse");
    scenario.findings.unlinked = await until("a finding on the new risk", async () => {
      const f = await findings();
      return f.some((x) => x.startsWith(`${ref} `)) ? f : null;
    });
    expect(scenario.findings.unlinked.filter((x) => x.startsWith(`${ref} `)), "every rating has its reasons, only the measure is missing").toEqual([`${ref} K-35-7-D-UNMITIGATED`]);
    await shot("overview-finding");
  });

  test("a click in the traceability matrix links a measure, and the finding goes", async () => {
    const ref = scenario.risk.reference;
    await go("Foranstaltninger og sporbarhed", "Foranstaltninger og sporbarhed");
    // A plain click at the cell's centre: the new risk's row is the matrix's last, where
    // GTK's overlay scrollbar covered the cells until the matrix kept room for it.
    await s.click(await button(`${ref} ↔ ${scenario.measure.reference}: ikke knyttet`, "table.traceability"));
    await until("the link", () => s.execute<boolean>(`return [...document.querySelectorAll("table.traceability button[aria-checked=true]")].some((b) => b.getAttribute("aria-label").startsWith(arguments[0]));`, `${ref} ↔ ${scenario.measure.reference}:`));
    await noError();
    await shot("measures");
    await go("Overblik", "Fælles konsekvensanalyse");
    scenario.findings.linked = await until("the finding to go", async () => {
      const f = await findings();
      return f.some((x) => x.startsWith(`${ref} `)) ? null : f;
    });
    expect(scenario.findings.linked).toEqual(scenario.findings.before);
  });

  test("the coordinator publishes the joint base as a release", async () => {
    await go("Koordinatorens overblik", "Koordinatorens overblik");
    await shot("coordinator");
    await go("Versioner og historik", "Versioner og historik");
    await s.type(await s.find("#rel-name"), scenario.release.name);
    await fill(await field("Note"), scenario.release.note);
    await s.click(await button("Udgiv fælles basis"));
    await until("the release", async () => (await text(".notice-info")).startsWith(`Udgivelse ${scenario.release.name} er udgivet`));
    await noError();
    await shot("versions");
  });

  test("Esbjerg confirms the release and rates the new risk differently in its supplement", async () => {
    const e = scenario.esbjerg;
    await choose(await field("Vis konsekvensanalysen for", "header.app-head"), String(e.org));
    await until("Esbjerg's DPIA", async () => (await s.title()) === "Konsekvens — Esbjerg");
    await go("Mit tillæg", "Mit tillæg");
    await s.click(await button(`Bekræft ${scenario.release.name}`));
    await until("the confirmed release", async () => (await text("main section.card p")).includes(`udgivelse ${scenario.release.name}`));
    const pick = await field("Vurder en fælles risiko anderledes");
    const option = await until(`${scenario.risk.reference} among the joint risks`, () =>
      s.execute<string | null>(`const o = [...arguments[0].options].find((o) => o.textContent.startsWith(arguments[1] + " ")); return o ? o.value : null;`, pick, scenario.risk.reference));
    await choose(pick, option);
    await s.click(await button("Afvig"));
    const article = await until("the deviation", () =>
      s.execute<number | null>(`const i = [...document.querySelectorAll("article.deviation")].findIndex((a) => a.querySelector("code.ref").textContent.trim() === arguments[0]); return i < 0 ? null : i + 1;`, scenario.risk.reference));
    const scope = `article.deviation:nth-of-type(${article})`;
    await fill(await field("Hvorfor kommunen vurderer risikoen anderledes", scope), e.reason);
    await choose(await field("fortrolighed: konsekvens", scope), e.consequence);
    await until("the local rating", async () => (await text(`${scope} legend`)).startsWith("Før foranstaltninger mellem"));
    // The select shows what was chosen once the supplement has been read back.
    const shown = await s.execute<string>("return arguments[0].value;", await field("fortrolighed: konsekvens", scope));
    expect(shown, "the select shows the saved local rating").toBe(e.consequence);
    await noError();
    await shot("supplement");
  });

  test("Esbjerg's PDF is exported, signed with a .p12 and verified in the app", async () => {
    await go("Eksport og underskrift", "Eksport og underskrift");
    const out = await s.find("#pdf-out");
    await s.clear(out);
    await s.type(out, scenario.pdf);
    await s.click(await button("Lav PDF"));
    // Two waits, so a failure says whether the export never started or never finished.
    await until("the export to start (a progress bar or a notice)", async () => (await text(".progress")) !== "" || (await text(".notice")) !== "", 20_000);
    await until("the PDF", async () => (await text(".notice-info")).startsWith(`PDF gemt: ${scenario.pdf}`), 120_000);
    await s.type(await s.find("#p12"), join(DIR, "signer.p12"));
    await s.type(await s.find("#p12-password"), PASSWORD);
    await fill(await field("Underskriver (tom: navnet i certifikatet)"), scenario.signer);
    await fill(await field("I egenskab af"), scenario.capacity);
    const signed = await s.find("#signed-out");
    await s.clear(signed);
    await s.type(signed, scenario.signed);
    await s.click(await button("Underskriv"));
    await until("the signature", async () => (await text(".notice-info")).startsWith(`Underskrevet: ${scenario.signed}`), 60_000);
    await s.type(await s.find("#trust"), join(DIR, "ca.pem"));
    await s.click(await button("Efterprøv"));
    const verdict = await until("the verdict", () => text(".verdict"));
    expect(verdict).toContain("Alle underskrifter er gyldige.");
    expect(verdict).toContain(scenario.signer);
    expect(verdict).toContain("betroet");
    await noError();
    await shot("export");
  });
});

/** Who the user is, set on the start screen as a DPO does (the municipality's code, or empty
 *  for KL/KOMBIT), then the same workspace opened again as that party. */
async function actAs(code: string, title: string): Promise<void> {
  await s.click(await button("Skift arbejdsområde", "nav.side"));
  const org = await field("Din kommunes kode (tom for KL/KOMBIT)", "body");
  await s.click(org);
  // typed away as a user does: the field commits what was typed when it is left
  await s.type(org, KEYS.selectAll);
  await s.type(org, code || KEYS.backspace);
  await s.type(org, KEYS.tab);
  await s.click(await button("Åbn eksemplet", "body"));
  await until(`the window title «${title}»`, async () => (await s.title()) === `Konsekvens — ${title}`);
  await go("Høring", "Høring");
  await until(`acting as ${code || "the coordinator"}`, async () => (await text("main .view-head .lead")).includes(code ? `(${code})` : "koordinatoren"));
}

/** Clicks an element scrolled to the middle of the window (not under the sticky header). */
async function clickCentred(el: Element): Promise<void> {
  await s.execute("arguments[0].scrollIntoView({ block: 'center' });", el);
  await s.click(el);
}

/** The thread (in `within`) whose opening comment has `words`: a CSS-free handle through JS. */
function threadPart(words: string, css: string, within = "main"): Promise<Element> {
  return until(`«${css}» in the thread «${words.slice(0, 30)}…»`, () =>
    s.execute<Element | null>(
      `const a = [...document.querySelectorAll(arguments[2] + " article.thread")].find((x) => x.textContent.includes(arguments[0]));
       return (a && a.querySelector(arguments[1])) || null;`,
      words, css, within,
    ));
}

describe("the høring in the real app", () => {
  const h = scenario.hearing;
  const deadline = (() => {
    // after the app's pinned day (KONSEKVENS_TODAY, the core's Env::today), and the clock's
    const days = [Date.now(), Date.parse(process.env.KONSEKVENS_TODAY ?? "1970-01-01")];
    return new Date(Math.max(...days) + 30 * 86_400_000).toISOString().slice(0, 10);
  })();

  test("the coordinator opens a hearing round on the joint base", async () => {
    await go("Høring", "Høring");
    await s.type(await s.find("#round-draft"), h.draft);
    await s.type(await s.find("#round-deadline"), deadline);
    await s.type(await s.find("#round-note"), "Høring over den nye risiko om vikarer (e2e).");
    await s.click(await button("Åbn høringsrunden"));
    await until("the round", async () => (await text("main")).includes(`Høringsrunde 2: ${h.draft}`));
    await noError();
    await shot("hearing-round-open");
  });

  test("København objects to a rating with a «forslag» and answers the round", async () => {
    await actAs("101", "København");
    await go("Risici", "Risici");
    await s.click(await button(`Vis risiko ${h.item}`, "table.risks"));
    // København's DPIA shows the released base: the risk is commented from its heading, and
    // the «forslag» names the rating it changes.
    await s.click(await button(`Kommentér ${h.item}`, "section.risk-detail h2"));
    await choose(await s.find("#comment-about"), "inherent.confidentiality");
    await s.type(await s.find("#new-comment-text"), h.comment);
    await choose(await s.find("#proposal-field"), h.field);
    await choose(await s.find("#proposal-value"), h.value);
    await s.click(await until("the objection box", () => s.execute<Element | null>(`return [...document.querySelectorAll("aside.thread-panel label")].find((l) => l.textContent.includes("Indsigelse"))?.querySelector("input") || null;`)));
    await s.click(await button("Send bemærkning", "aside.thread-panel"));
    const diff = await threadPart(h.comment, ".proposal", "aside.thread-panel");
    expect(await s.execute<string>("return arguments[0].textContent;", diff)).toContain("sandsynlig → forventet");
    await until("the count beside the rating", async () => (await text("section.risk-detail .side-by-side .phase:nth-child(1) fieldset.rating:nth-of-type(1) legend .comment-count")) === "1");
    await noError();
    await shot("hearing-comment-proposal");
    await s.click(await button("Luk", "aside.thread-panel"));
    await go("Høring", "Høring");
    await s.click(await s.find('input[name="verdict"][value="cannot_agree"]'));
    const dpo = await s.find("#answer-dpo");
    await s.clear(dpo);
    await s.type(dpo, h.dpo);
    await s.click(await button("Afgiv svar"));
    await until("København's answer", async () => (await text("table.round-status tbody tr:nth-child(1)")).includes("kan ikke tiltræde"));
    await noError();
    await shot("hearing-answer");
  });

  test("the coordinator's overview shows the round: who answered what, open objections, recurring comments", async () => {
    await actAs("", "København");
    // The coordinator's overview is offered with the joint base in view (not a municipality's DPIA).
    const scopeField = await field("Vis konsekvensanalysen for", "header.app-head");
    await choose(scopeField, "base");
    await until("the joint base in view", async () => (await s.title()) !== "Konsekvens — København");
    await go("Koordinatorens overblik", "Koordinatorens overblik");
    const row = (name: string) => until(`the round's row for ${name}`, () =>
      s.execute<string | null>(`return [...document.querySelectorAll("main table.overview-round tbody tr")].map((r) => r.textContent).find((x) => x.includes(arguments[0])) || null;`, name));
    const kbh = await row("København (101)");
    expect(kbh).toContain("kan ikke tiltræde");
    expect(kbh).toContain(h.dpo);
    expect(await row("Aarhus (751)")).toContain("har ikke svaret");
    expect(await text("main")).toContain(`Høringsrunde 2: ${h.draft}`);
    expect(await text("main")).toContain("Bemærkninger, der går igen");
    await noError();
    await s.execute("document.querySelector('main table.overview-round').scrollIntoView({ block: 'center' });");
    await shot("hearing-overview");
    // back to København's DPIA in view, where the round's threads were read
    await choose(await field("Vis konsekvensanalysen for", "header.app-head"), "101");
    await until("København's DPIA", async () => (await s.title()) === "Konsekvens — København");
    await go("Høring", "Høring");
  });

  test("the coordinator accepts the «forslag», closes the round and publishes", async () => {
    const reason = await threadPart(h.comment, ".respond textarea");
    await clickCentred(reason);
    await s.type(reason, h.reason);
    await clickCentred(await threadPart(h.comment, ".respond button.primary"));
    await threadPart(h.comment, ".response .badge");
    await until("the answered round", async () => !(await text("main .close-form")).includes("ikke besvaret"));
    await noError();
    await shot("hearing-accepted");
    await clickCentred(await button("Afslut og udgiv"));
    await until("the release", async () => (await text(".notice-info")).startsWith(`Høringsrunde 2 er afsluttet, og udgivelse ${h.release} er udgivet`));
    await noError();
    await s.execute("window.scrollTo(0, 0);");
    await shot("hearing-closed");
    await go("Eksport og underskrift", "Eksport og underskrift");
    const out = await s.find("#notat-out");
    await s.clear(out);
    await s.type(out, h.notat.replace(/\.pdf$/, ""));
    await s.click(await button("Høringsnotat som PDF"));
    await until("the høringsnotat", async () => (await text(".notice-info")).startsWith(`Gemt: ${h.notat}`), 60_000);
    await noError();
  });

  test("København sees what became of its comment", async () => {
    await actAs("101", "København");
    await until("the answer to its comment", async () => {
      const after = await text("main ul.after");
      return after.includes(h.comment) && after.includes("indarbejdet") && after.includes("forventet");
    });
    await s.execute("window.scrollTo(0, 0);");
    await shot("hearing-after");
  });
});
