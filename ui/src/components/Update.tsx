// New versions (src-tauri/src/update.rs): the notice «Ny version X tilgængelig» with its
// notes, and the start screen's card where the user turns the check at start on or off
// (shown as managed when the organisation's policy decides) and looks now.

import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { call, commands, inTauri, message } from "../api";
import type { UpdateStatus_Serialize as UpdateStatus } from "../bindings";
import { t } from "../i18n";
import { fail, isManaged, settings } from "../state";
import { Card } from "./ui";

export const updateStatus = signal<UpdateStatus | null>(null);
/** The notice was closed for this version. */
const dismissed = signal<string | null>(null);

/** Reads the status, and again while the background check is running (at most a minute). */
export async function loadUpdateStatus(): Promise<void> {
  if (!inTauri()) return;
  for (let i = 0; i < 60; i++) {
    const s = await commands.updateStatus();
    updateStatus.value = s;
    if (s.state !== "checking") return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The status in words, for the settings card. */
export function describeUpdate(s: UpdateStatus | null): string {
  if (!s) return "";
  switch (s.state) {
    case "off":
      return s.managed
        ? t("Din organisation har slået søgning efter nye versioner fra.", "Your organisation has turned off looking for new versions.")
        : t("Appen søger ikke efter nye versioner.", "The app does not look for new versions.");
    case "not_configured":
      return t("Denne udgave af appen er bygget uden opdateringsnøgle og søger ikke efter nye versioner.", "This build of the app has no update key and does not look for new versions.");
    case "idle":
      return t("Appen søger efter nye versioner ved næste start.", "The app looks for new versions at its next start.");
    case "checking":
      return t("Søger efter en ny version …", "Looking for a new version …");
    case "up_to_date":
      return t(`Du har den nyeste version (${s.current}).`, `You have the latest version (${s.current}).`);
    case "available":
      return t(`Ny version ${s.version} tilgængelig (du har ${s.current}).`, `New version ${s.version} available (you have ${s.current}).`);
    case "installing":
      return t("Henter og installerer den nye version …", "Downloading and installing the new version …");
    case "installed":
      return t("Den nye version er installeret; appen genstarter.", "The new version is installed; the app restarts.");
    case "failed":
      return `${t("Søgningen efter en ny version mislykkedes", "Looking for a new version failed")} [${s.error.code}]: ${t(s.error.da, s.error.en)}`;
  }
}

async function install(): Promise<void> {
  updateStatus.value = { state: "installing" };
  try {
    updateStatus.value = await call(commands.installUpdate());
  } catch (e) {
    fail(e);
    await loadUpdateStatus();
  }
}

/** «Ny version X tilgængelig»: its notes, and how to get it here. */
export function UpdateNotice() {
  useEffect(() => {
    void loadUpdateStatus().catch(() => {});
  }, []);
  const s = updateStatus.value;
  if (!s || s.state !== "available" || dismissed.value === s.version) return null;
  return (
    <section class="notice notice-update" role="status" aria-label={t("Ny version", "New version")}>
      <div class="update-text">
        <strong>{t(`Ny version ${s.version} tilgængelig`, `New version ${s.version} available`)}</strong>{" "}
        <span>{t(`(du har ${s.current})`, `(you have ${s.current})`)}</span>
        {s.notes && (
          <details>
            <summary>{t("Hvad er nyt", "What's new")}</summary>
            <p class="update-notes">{s.notes}</p>
          </details>
        )}
        {!s.install && (
          <p class="update-how">
            {t(
              "På Linux installeres den nye version med systemets pakkehåndtering (apt) — eller af IT — ikke inde fra appen. Hent pakken og installér den, fx med «sudo apt-get install ./konsekvens_….deb».",
              "On Linux the new version is installed with the system's package manager (apt) — or by IT — not from inside the app. Download the package and install it, e.g. with «sudo apt-get install ./konsekvens_….deb».",
            )}
          </p>
        )}
      </div>
      <div class="update-actions">
        {s.install ? (
          <button type="button" class="primary" onClick={() => void install()}>{t("Installér og genstart", "Install and restart")}</button>
        ) : (
          <button type="button" onClick={() => void call(commands.openUpdateDownload()).catch(fail)} title={s.download}>{t("Hent den nye version", "Download the new version")}</button>
        )}
        <button type="button" class="link" onClick={() => (dismissed.value = s.version)}>{t("Ikke nu", "Not now")}</button>
      </div>
    </section>
  );
}

/** The start screen's card: look at start (managed or the user's), look now. */
export function UpdateSettings() {
  const s = settings.value;
  if (!s) return null;
  const managed = isManaged("update_check");
  const on = s.update_check ?? true;
  const status = updateStatus.value;
  const toggle = async (enabled: boolean) => {
    try {
      settings.value = await call(commands.saveUpdateCheck(enabled));
      await loadUpdateStatus();
    } catch (e) {
      fail(e);
    }
  };
  const lookNow = async () => {
    updateStatus.value = { state: "checking" };
    try {
      updateStatus.value = await call(commands.checkForUpdate());
    } catch (e) {
      fail(message(e));
    }
  };
  return (
    <Card title={t("Nye versioner", "New versions")}>
      <label class="inline">
        <input type="checkbox" checked={on} disabled={managed} onChange={(e) => void toggle((e.currentTarget as HTMLInputElement).checked)} />{" "}
        {t("Søg efter en ny version, når appen starter", "Look for a new version when the app starts")}
      </label>
      {managed && <p class="hint">{t("Fastlagt af din organisations politik", "Set by your organisation's policy")}</p>}
      <p class="update-state" aria-live="polite">{describeUpdate(status)}</p>
      {on && status?.state !== "not_configured" && (
        <div class="actions">
          <button type="button" disabled={status?.state === "checking" || status?.state === "installing"} onClick={() => void lookNow()}>{t("Søg nu", "Look now")}</button>
        </div>
      )}
    </Card>
  );
}
