// Errors from Rust arrive as UserError (code, Danish, English): the webview shows the chosen
// language and can branch on the code.

import { afterEach, describe, expect, test } from "vitest";
import { call, CommandError, errorCode, message } from "./api";
import { lang } from "./i18n";

afterEach(() => {
  lang.value = "da";
});

const refused = { code: "K-ORG-UKENDT", da: "kommune 999 deltager ikke", en: "municipality 999 does not take part", item: "999" };

describe("command errors", () => {
  test("a refused command throws its error with the code", async () => {
    const thrown = await call(Promise.resolve({ status: "error" as const, error: refused })).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CommandError);
    expect(errorCode(thrown)).toBe("K-ORG-UKENDT");
    expect(await call(Promise.resolve({ status: "ok" as const, data: 7 }))).toBe(7);
  });

  test("the message follows the chosen language", () => {
    const e = new CommandError(refused);
    expect(message(e)).toBe("kommune 999 deltager ikke");
    lang.value = "en";
    expect(message(e)).toBe("municipality 999 does not take part");
    // The raw-byte commands reject with the plain object.
    expect(message(refused)).toBe("municipality 999 does not take part");
  });

  test("anything else is shown as it is, without a code", () => {
    expect(message("plain")).toBe("plain");
    expect(message(new Error("boom"))).toBe("boom");
    expect(errorCode(new Error("boom"))).toBeNull();
    expect(errorCode({ code: 1 })).toBeNull();
  });
});
