// Co-editing through a hub (KL/KOMBIT runs it): connect with the hub's address and your
// token — or «Log ind» at the municipality's identity provider in the system browser and
// connect as the signed-in person — see the sync state; edits made offline go out when the
// hub is reached again and merge without a dialog. The start screen's "join" makes a new
// local copy from the hub.

import { Channel } from "@tauri-apps/api/core";
import { signal } from "@preact/signals";
import { useState } from "preact/hooks";
import { call, commands, message } from "../api";
import { Card } from "../components/ui";
import { dateTime, t } from "../i18n";
import { resetMirrors } from "../docs";
import { fail, isManaged, open, opened, refresh, settings } from "../state";
import type { SignInInfo, SyncStatus } from "../bindings";
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
    // The sync may have renewed the sign-in (a new expiry) or found it expired.
    if (settings.value?.signed_in) void reloadSettings().catch(() => {});
  };
  return c;
}

/** The settings again (who is signed in is part of them). */
async function reloadSettings(): Promise<void> {
  settings.value = await commands.settings();
}

/** The signed-in person, as the sign-in card and the connection show them. */
export function signedIn(): SignInInfo | null {
  return settings.value?.signed_in ?? null;
}

/** «Log ind» / «Log ud»: the municipality's identity provider, through the system browser. */
export function SignIn() {
  const st = settings.value;
  const [issuer, setIssuer] = useState(st?.signin_issuer ?? "");
  const [clientId, setClientId] = useState(st?.signin_client_id ?? "");
  const [waiting, setWaiting] = useState(false);
  const who = signedIn();
  const managedIssuer = isManaged("signin_issuer");
  const managedClient = isManaged("signin_client_id");
  // The policy's values win whenever they are known (the settings may arrive after the first render).
  const shownIssuer = managedIssuer ? st?.signin_issuer ?? "" : issuer;
  const shownClient = managedClient ? st?.signin_client_id ?? "" : clientId;
  return (
    <Card title={t("Log ind", "Sign in")} id="signin">
      {who ? (
        <div class="stack">
          <p class="signed-in" role="status">{t(`Logget ind som ${who.name}`, `Signed in as ${who.name}`)}</p>
          <dl class="signin-claims">
            <dt>{t("E-mail", "E-mail")}</dt><dd>{who.email ?? "—"}</dd>
            <dt>{t("Organisation (fra log-ind)", "Organisation (from the sign-in)")}</dt><dd>{who.org ?? "—"}</dd>
            <dt>{t("Udbyder", "Provider")}</dt><dd>{who.issuer}</dd>
            <dt>{who.valid ? t("Gyldigt til", "Valid until") : t("Udløbet", "Expired")}</dt>
            <dd>{dateTime(who.expires_at)}{who.valid && who.renewable ? t(" (fornyes automatisk)", " (renewed automatically)") : ""}</dd>
          </dl>
          {!who.valid && <p class="signin-expired" role="alert">{t("Dit log-ind er udløbet og kunne ikke fornys. Dine ændringer registreres under navnet i «Hvem er du?», indtil du logger ind igen.", "Your sign-in has expired and could not be renewed. Your changes are recorded under the name in «Who are you?» until you sign in again.")}</p>}
          <p class="hint">{t("Historikken, hubbens log og tilstedeværelsen viser dette navn, mens du er logget ind.", "The history, the hub's log and presence show this name while you are signed in.")}</p>
          <div class="row">
            {!who.valid && <button type="button" class="primary" onClick={() => void doSignIn(who.issuer, who.client_id)}>{t("Log ind igen", "Sign in again")}</button>}
            <button type="button" onClick={() => call(commands.signOut()).then(async (st) => { sync.value = st; await reloadSettings(); }, fail)}>{t("Log ud", "Sign out")}</button>
          </div>
        </div>
      ) : (
        <form class="stack" onSubmit={(e) => { e.preventDefault(); void doSignIn(shownIssuer, shownClient); }}>
          <div class="row">
            <div class="field grow"><label for="signin-issuer">{t("Log-ind-udbyder (issuer)", "Sign-in provider (issuer)")}</label><input id="signin-issuer" value={shownIssuer} readOnly={managedIssuer} placeholder="https://login.microsoftonline.com/<tenant>/v2.0" onInput={(e) => setIssuer((e.currentTarget as HTMLInputElement).value)} spellcheck={false} /></div>
            <div class="field grow"><label for="signin-client">{t("Klient-id", "Client id")}</label><input id="signin-client" value={shownClient} readOnly={managedClient} onInput={(e) => setClientId((e.currentTarget as HTMLInputElement).value)} spellcheck={false} /></div>
          </div>
          {(managedIssuer || managedClient) && <p class="hint">{t("Fastlagt af din organisations politik", "Set by your organisation's policy")}</p>}
          <button type="submit" class="primary" disabled={waiting}>{waiting ? t("Venter på browseren …", "Waiting for the browser …") : t("Log ind", "Sign in")}</button>
          <p class="hint">{t("Log ind åbner din browser hos kommunens log-ind-udbyder. Bagefter skriver historikken og hubben dit navn fra log-ind, ikke navnet i «Hvem er du?».", "Signing in opens your browser at the municipality's identity provider. Afterwards the history and the hub record your name from the sign-in, not the name in «Who are you?».")}</p>
        </form>
      )}
    </Card>
  );

  async function doSignIn(i: string, c: string): Promise<void> {
    setWaiting(true);
    try {
      await call(commands.signIn(i, c));
      await reloadSettings();
    } catch (e) {
      fail(e);
    } finally {
      setWaiting(false);
    }
  }
}

export function Collaborate() {
  const [hub, setHub] = useState(sync.value.hub ?? "ws://");
  const [token, setToken] = useState("");
  const [useSignIn, setUseSignIn] = useState(true);
  const who = signedIn();
  const withSignIn = who !== null && useSignIn;
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
            call(commands.connectHub(hub, token, withSignIn, channel())).then((st) => (sync.value = st), fail);
          }}>
            <div class="row">
              <div class="field grow"><label for="hub-url">{t("Hubbens adresse", "The hub's address")}</label><input id="hub-url" value={hub} placeholder="wss://hub.kl.dk/dpia/aula" onInput={(e) => setHub((e.currentTarget as HTMLInputElement).value)} spellcheck={false} /></div>
              {!withSignIn && <div class="field grow"><label for="hub-token">{t("Token", "Token")}</label><input id="hub-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} /></div>}
            </div>
            {who && <label class="inline"><input type="checkbox" checked={useSignIn} onChange={(e) => setUseSignIn((e.currentTarget as HTMLInputElement).checked)} /> {t(`Forbind som ${who.person} (log-ind) i stedet for med et token`, `Connect as ${who.person} (sign-in) instead of with a token`)}</label>}
            <button type="submit" class="primary" disabled={!opened.value}>{t("Forbind", "Connect")}</button>
            <p class="hint">{t("Tokenet gemmes ikke; det udstedes af koordinatoren med «konsekvens hub token issue».", "The token is not stored; the coordinator issues it with «konsekvens hub token issue».")}</p>
          </form>
        ) : (
          <button type="button" onClick={() => commands.disconnectHub().then((st) => (sync.value = st), fail)}>{t("Afbryd (arbejd offline)", "Disconnect (work offline)")}</button>
        )}
      </Card>
      <SignIn />
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
  const withSignIn = signedIn() !== null;
  return (
    <Card title={t("Deltag via en hub", "Join through a hub")}>
      <form class="stack" onSubmit={async (e) => {
        e.preventDefault();
        let target = path.trim();
        if (!target) target = (await pickSave("faelles-analyse.konsekvens", "konsekvens", "Konsekvens").catch(() => null)) ?? "";
        if (!target) return onError(t("Vælg, hvor din kopi skal gemmes", "Choose where to save your copy"));
        await open(async () => {
          const o = await call(commands.joinHub(hub, token, withSignIn, target));
          call(commands.connectHub(hub, token, withSignIn, channel())).then((st) => (sync.value = st), fail);
          return o;
        });
      }}>
        <div class="field"><label for="join-url">{t("Hubbens adresse med analysens id", "The hub's address with the DPIA's id")}</label><input id="join-url" value={hub} readOnly={managedHub !== null} aria-describedby={managedHub !== null ? "join-url-managed" : undefined} placeholder="wss://hub.kl.dk/dpia/aula" onInput={(e) => setHub((e.currentTarget as HTMLInputElement).value)} spellcheck={false} />{managedHub !== null && <p id="join-url-managed" class="hint">{t("Fastlagt af din organisations politik", "Set by your organisation's policy")}</p>}</div>
        {withSignIn
          ? <p class="hint">{t(`Du henter som ${signedIn()?.person} (log-ind)`, `You fetch as ${signedIn()?.person} (sign-in)`)}</p>
          : <div class="field"><label for="join-token">{t("Token", "Token")}</label><input id="join-token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.currentTarget as HTMLInputElement).value)} /></div>}
        <div class="field"><label for="join-path">{t("Gem kopien som (tom: vælg i en dialog)", "Save the copy as (empty: choose in a dialog)")}</label><input id="join-path" value={path} placeholder="/home/dpo/aula.konsekvens" onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)} /></div>
        <button type="submit">{t("Hent og åbn", "Fetch and open")}</button>
      </form>
    </Card>
  );
}
