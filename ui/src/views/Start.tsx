// The start screen: who you are, and which joint DPIA to work on — the bundled AULA sample,
// a recent or chosen file, a new joint DPIA, or one shared through a hub.

import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import { useEffect, useState } from "preact/hooks";
import { call, commands, inTauri, message } from "../api";
import { Card, TextField } from "../components/ui";
import { t } from "../i18n";
import { fail, isManaged, open, settings } from "../state";
import type { Participant } from "../model";
import type { RecentFile } from "../bindings";
import { JoinHub, SignIn } from "./Collaborate";
import { UpdateSettings } from "../components/Update";

const FILTERS = [{ name: "Konsekvens", extensions: ["konsekvens"] }];

async function pickFile(): Promise<string | null> {
  if (!inTauri()) return null;
  const chosen = await openDialog({ multiple: false, directory: false, filters: FILTERS });
  return typeof chosen === "string" ? chosen : null;
}

export async function pickSave(defaultPath: string, extension: string, name: string): Promise<string | null> {
  if (!inTauri()) return null;
  return saveDialog({ defaultPath, filters: [{ name, extensions: [extension] }] });
}

function Identity() {
  const s = settings.value;
  if (!s) return null;
  const saveIdentity = async (user: string, org: number | null) => {
    try {
      settings.value = await call(commands.saveSettings(user, org, s.language));
    } catch (e) {
      fail(e);
    }
  };
  const managedHint = t("Fastlagt af din organisations politik", "Set by your organisation's policy");
  return (
    <Card title={t("Hvem er du?", "Who are you?")}>
      <p class="lead">{t("Dit navn og din kommune står i historikken ved hver ændring, du laver.", "Your name and municipality are recorded in the history with every change you make.")}</p>
      {s.policy_error && (
        <p class="error" role="alert">
          {t("Politikfilen kan ikke bruges", "The policy file cannot be used")} [{s.policy_error.code}]: {t(s.policy_error.da, s.policy_error.en)}
        </p>
      )}
      <div class="row">
        <TextField label={t("Dit navn", "Your name")} value={s.user_name} onCommit={(v) => void saveIdentity(v, s.org)} placeholder={t("fx Mette Holm, DPO", "e.g. Mette Holm, DPO")} />
        <TextField
          label={t("Din kommunes kode (tom for KL/KOMBIT)", "Your municipality's code (empty for KL/KOMBIT)")}
          value={s.org === null ? "" : String(s.org)}
          disabled={isManaged("org")}
          hint={isManaged("org") ? managedHint : undefined}
          onCommit={(v) => {
            const code = v.trim() === "" ? null : Number(v.trim());
            if (code !== null && !(Number.isInteger(code) && code >= 100 && code <= 999)) {
              fail(t(`«${v}» er ikke en kommunekode (tre cifre, fx 101)`, `«${v}» is not a municipality code (three digits, e.g. 101)`));
              return;
            }
            void saveIdentity(s.user_name, code);
          }}
          placeholder="101"
        />
      </div>
    </Card>
  );
}

function OpenFile() {
  const [path, setPath] = useState("");
  const [recent, setRecent] = useState<RecentFile[]>([]);
  useEffect(() => {
    if (inTauri()) void commands.recentFiles().then(setRecent).catch(() => {});
  }, []);
  return (
    <Card title={t("Åbn en konsekvensanalyse", "Open a DPIA")}>
      <div class="actions">
        {settings.value?.policy.offer_sample !== false && (
          <button type="button" class="primary" onClick={() => void open(() => call(commands.openSample()))}>
            {t("Åbn eksemplet: Aula med København, Esbjerg og Aarhus", "Open the sample: Aula with København, Esbjerg and Aarhus")}
          </button>
        )}
        <button type="button" onClick={async () => {
          const chosen = await pickFile().catch((e) => (fail(e), null));
          if (chosen) await open(() => call(commands.openWorkspace(chosen)));
        }}>{t("Vælg fil …", "Choose file …")}</button>
      </div>
      <form class="row" onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) void open(() => call(commands.openWorkspace(path.trim())));
      }}>
        <div class="field grow">
          <label for="open-path">{t("Eller skriv stien til en fil", "Or type the path of a file")}</label>
          <input id="open-path" type="text" value={path} onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)} placeholder="/home/dpo/aula.konsekvens" spellcheck={false} />
        </div>
        <button type="submit">{t("Åbn", "Open")}</button>
      </form>
      {recent.length > 0 && (
        <>
          <h3>{t("Senest åbnede", "Recently opened")}</h3>
          <ul class="recent">
            {recent.map((r) => (
              <li>
                <button type="button" class="link" onClick={() => void open(() => call(commands.openWorkspace(r.path)))}>
                  {r.title || r.path}
                </button>{" "}
                <small>{r.path}</small>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

/** "101 København KBH" per line → participants. */
export function parseParticipants(text: string): { participants: Participant[]; problems: string[] } {
  const participants: Participant[] = [];
  const problems: string[] = [];
  // Line numbers count blank lines too, so they match what the user sees in the text area.
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const m = /^(\d{3})\s+(.+?)(?:\s+([A-ZÆØÅ]{2,5}))?$/.exec(line);
    if (!m) {
      problems.push(t(`Linje ${i + 1}: «${line}» skal være «kode navn FORKORTELSE», fx «101 København KBH»`, `Line ${i + 1}: «${line}» must be «code name PREFIX», e.g. «101 København KBH»`));
      return;
    }
    const name = m[2];
    participants.push({ code: Number(m[1]), name, ref_prefix: m[3] ?? name.slice(0, 3).toUpperCase() });
  });
  return { participants, problems };
}

function NewDpia() {
  const [title, setTitle] = useState("");
  const [system, setSystem] = useState("");
  const [coordinator, setCoordinator] = useState("KL/KOMBIT");
  const [list, setList] = useState("");
  const [path, setPath] = useState("");
  const create = async (e: Event) => {
    e.preventDefault();
    const { participants, problems } = parseParticipants(list);
    if (problems.length) return fail(problems.join(" "));
    let target = path.trim();
    if (!target) target = (await pickSave(`${system || "konsekvensanalyse"}.konsekvens`, "konsekvens", "Konsekvens").catch(() => null)) ?? "";
    if (!target) return fail(t("Vælg, hvor filen skal gemmes", "Choose where to save the file"));
    await open(() => call(commands.createWorkspace({ path: target, title, system, coordinator, participants })));
  };
  return (
    <Card title={t("Ny fælles konsekvensanalyse", "New joint DPIA")}>
      <form onSubmit={(e) => void create(e)} class="stack">
        <div class="row">
          <div class="field grow"><label for="nd-title">{t("Titel", "Title")}</label><input id="nd-title" required value={title} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} /></div>
          <div class="field"><label for="nd-system">{t("System", "System")}</label><input id="nd-system" required value={system} onInput={(e) => setSystem((e.currentTarget as HTMLInputElement).value)} /></div>
          <div class="field"><label for="nd-coord">{t("Koordinator", "Coordinator")}</label><input id="nd-coord" value={coordinator} onInput={(e) => setCoordinator((e.currentTarget as HTMLInputElement).value)} /></div>
        </div>
        <div class="field">
          <label for="nd-parts">{t("Deltagende kommuner, én pr. linje: kode, navn, forkortelse", "Participating municipalities, one per line: code, name, prefix")}</label>
          <textarea id="nd-parts" rows={3} value={list} placeholder={"101 København KBH\n561 Esbjerg ESB"} onInput={(e) => setList((e.currentTarget as HTMLTextAreaElement).value)} />
        </div>
        <div class="row">
          <div class="field grow"><label for="nd-path">{t("Fil (tom: vælg i en dialog)", "File (empty: choose in a dialog)")}</label><input id="nd-path" value={path} onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)} placeholder="/home/dpo/ny.konsekvens" /></div>
          <button type="submit" class="primary">{t("Opret", "Create")}</button>
        </div>
      </form>
    </Card>
  );
}

export function Start() {
  return (
    <main class="start" id="indhold">
      <header class="start-head">
        <img src="./icon.png" alt="" width="56" height="56" />
        <div>
          <h1>Konsekvens</h1>
          <p>{t("Én fælles konsekvensanalyse — hver kommune sit eget tillæg.", "One joint DPIA — each municipality its own supplement.")}</p>
        </div>
      </header>
      <div class="start-grid">
        <OpenFile />
        <Identity />
        <NewDpia />
        <SignIn />
        <JoinHub onError={(e) => fail(message(e))} />
        <UpdateSettings />
      </div>
    </main>
  );
}
