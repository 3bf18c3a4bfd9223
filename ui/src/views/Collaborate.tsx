// Co-editing through a hub (KL/KOMBIT runs it): connect with the hub's address and your
// token, see the sync state; edits made offline go out when the hub is reached again and
// merge without a dialog. The start screen's "join" makes a new local copy from the hub.

import { Channel } from "@tauri-apps/api/core";
import { signal } from "@preact/signals";
import { useState } from "preact/hooks";
import { call, commands, message } from "../api";
import { Card } from "../components/ui";
import { dateTime, t } from "../i18n";
import { resetMirrors } from "../docs";
import { fail, open, opened, refresh, settings } from "../state";
import type { SyncStatus } from "../bindings";
import { pickSave } from "./Start";

export const sync = signal<SyncStatus>({ state: "disconnected", hub: null, pending: 0, detail: "", error: null, last_in_sync: null, peers: [] });

/** One line for the overview's header. */
export function syncLine(): string {
  const s = sync.value;
  switch (s.state) {
    case "in_sync": return t(`Synkroniseret med ${s.hub}`, `In sync with ${s.hub}`) + (s.last_in_sync ? ` (${dateTime(s.last_in_sync)})` : "");
    case "syncing": return t("Synkroniserer …", "Syncing …");
    case "offline": return t(`Offline: ${s.pending} ændring(er) venter`, `Offline: ${s.pending} change(s) waiting`);
    case "refused": return t("Hubben afviste en ændring", "The hub refused a change");
    case "stopped": return t("Synkronisering stoppet", "Sync stopped");
    default: return t("Ikke forbundet til en hub (arbejder lokalt)", "Not connected to a hub (working locally)");
  }
}

function channel(): Channel<SyncStatus> {
  const c = new Channel<SyncStatus>();
  c.onmessage = (s) => {
    sync.value = s;
    // A refused write was dropped from the documents (it stays in the log): start the
    // rich-text mirrors afresh from Rust.
    if (s.state === "refused") {
      resetMirrors();
      fail(t(`Hubben afviste en ændring: ${s.detail}. Ændringen er gemt i historikken, men ikke delt.`, `The hub refused a change: ${s.detail}. The change is kept in the history but not shared.`));
    }
    void refresh();
  };
  return c;
}

export function Collaborate() {
  const [hub, setHub] = useState(sync.value.hub ?? "ws://");
  const [token, setToken] = useState("");
  const s = sync.value;
  const connected = s.state !== "disconnected" && s.state !== "stopped";
  // Why it stopped, in the chosen language; else what the hub said.
  const detail = s.error ? message(s.error) : s.detail;
  return (
    <div class="view">
      <header class="view-head">
        <h1>{t("Samarbejde via hub", "Co-editing via a hub")}</h1>
        <p class="lead">{t("Kommunerne redigerer fælles basis og hver sit tillæg sammen gennem KL/KOMBIT's hub. Hver kommune kan kun skrive i sit eget tillæg; hubben afviser resten.", "The municipalities co-edit the joint base and each its own supplement through KL/KOMBIT's hub. Each municipality can only write its own supplement; the hub refuses the rest.")}</p>
      </header>
      <Card title={t("Forbindelse", "Connection")}>
        <p class={`sync-state sync-${s.state}`} role="status">{syncLine()}{detail && s.state !== "in_sync" ? ` — ${detail}` : ""}</p>
        {s.peers.length > 0 && (
          <>
            <h3>{t("Også her lige nu", "Also here now")}</h3>
            <ul>{s.peers.map((p) => <li>{p.name}{p.org ? ` (${p.org})` : ""}{p.section ? ` — ${t("i", "in")} ${p.section}` : ""}</li>)}</ul>
          </>
        )}
        {!connected ? (
          <form class="stack" onSubmit={(e) => {
            e.preventDefault();
            call(commands.connectHub(hub, token, channel())).then((st) => (sync.value = st), fail);
          }}>
            <div class="row">
              <div class="field grow"><label for="hub-url">{t("Hubbens adresse", "The hub's address")}</label><input id="hub-url" value={hub} placeholder="wss://hub.kl.dk/dpia/aula" onInput={(e) => setHub((e.currentTarget as HTMLInputElement).value)} spellcheck={false} /></div>
              <div class="field grow"><label for="hub-token">{t("Token", "Token")}</label><input id="hub-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} /></div>
            </div>
            <button type="submit" class="primary" disabled={!opened.value}>{t("Forbind", "Connect")}</button>
            <p class="hint">{t("Tokenet gemmes ikke; det udstedes af koordinatoren med «konsekvens hub token issue».", "The token is not stored; the coordinator issues it with «konsekvens hub token issue».")}</p>
          </form>
        ) : (
          <button type="button" onClick={() => commands.disconnectHub().then((st) => (sync.value = st), fail)}>{t("Afbryd (arbejd offline)", "Disconnect (work offline)")}</button>
        )}
      </Card>
    </div>
  );
}

/** The start screen's card: a new local copy of a joint DPIA from a hub. */
export function JoinHub({ onError }: { onError: (e: unknown) => void }) {
  // The policy's hub and joint DPIA, when the organisation fixes them.
  const policy = settings.value?.policy;
  const managedHub = policy?.hub ? (policy.dpia && !policy.hub.includes("/dpia/") ? `${policy.hub.replace(/\/+$/, "")}/dpia/${policy.dpia}` : policy.hub) : null;
  const [typed, setHub] = useState("ws://");
  // The policy's address wins whenever it is known: the settings may arrive after this card
  // first rendered (an initial state taken then stayed «ws://» under a read-only field).
  const hub = managedHub ?? typed;
  const [token, setToken] = useState("");
  const [path, setPath] = useState("");
  return (
    <Card title={t("Deltag via en hub", "Join through a hub")}>
      <form class="stack" onSubmit={async (e) => {
        e.preventDefault();
        let target = path.trim();
        if (!target) target = (await pickSave("faelles-analyse.konsekvens", "konsekvens", "Konsekvens").catch(() => null)) ?? "";
        if (!target) return onError(t("Vælg, hvor din kopi skal gemmes", "Choose where to save your copy"));
        await open(async () => {
          const o = await call(commands.joinHub(hub, token, target));
          call(commands.connectHub(hub, token, channel())).then((st) => (sync.value = st), fail);
          return o;
        });
      }}>
        <div class="field"><label for="join-url">{t("Hubbens adresse med analysens id", "The hub's address with the DPIA's id")}</label><input id="join-url" value={hub} readOnly={managedHub !== null} aria-describedby={managedHub !== null ? "join-url-managed" : undefined} placeholder="wss://hub.kl.dk/dpia/aula" onInput={(e) => setHub((e.currentTarget as HTMLInputElement).value)} spellcheck={false} />{managedHub !== null && <p id="join-url-managed" class="hint">{t("Fastlagt af din organisations politik", "Set by your organisation's policy")}</p>}</div>
        <div class="field"><label for="join-token">{t("Token", "Token")}</label><input id="join-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} /></div>
        <div class="field"><label for="join-path">{t("Gem kopien som (tom: vælg i en dialog)", "Save the copy as (empty: choose in a dialog)")}</label><input id="join-path" value={path} placeholder="/home/dpo/aula.konsekvens" onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)} /></div>
        <button type="submit">{t("Hent og åbn", "Fetch and open")}</button>
      </form>
    </Card>
  );
}
