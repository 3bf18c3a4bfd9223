import { describe, expect, it } from "vitest";
import { assessmentLevel, danishDate, danishNumber, riskLevel } from "./labels";
import { escape, html, join } from "./html";

describe("risk matrix", () => {
  it("matches the core's matrix (KOMBIT's red threats)", () => {
    expect(riskLevel("devastating", "expected")).toBe("high");
    expect(riskLevel("serious", "likely")).toBe("medium");
    expect(riskLevel("limited", "likely")).toBe("low");
    expect(riskLevel("very_serious", "likely")).toBe("high");
    expect(riskLevel("serious", null)).toBeNull();
  });

  it("takes the highest dimension as the risk's level", () => {
    const r = (c: "limited" | "devastating" | null, l: "unlikely" | "expected" | null) => ({
      consequence: c, consequence_reason: "", likelihood: l, likelihood_reason: "",
    });
    expect(assessmentLevel({ confidentiality: r("devastating", "expected"), integrity: r("limited", "unlikely"), availability: r(null, null) })).toBe("high");
    expect(assessmentLevel({ confidentiality: r(null, null), integrity: r(null, null), availability: r(null, null) })).toBeNull();
  });
});

describe("Danish formatting", () => {
  it("writes thousands with dots and dates day first", () => {
    expect(danishNumber(560000)).toBe("560.000");
    expect(danishNumber(999)).toBe("999");
    expect(danishNumber(1234567)).toBe("1.234.567");
    expect(danishDate("2023-06-21")).toBe("21.06.2023");
  });
});

describe("html", () => {
  it("escapes interpolated text but not nested html", () => {
    const evil = `<img src=x onerror="alert('x')">`;
    expect(escape(evil)).toBe("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;");
    expect(html`<p>${evil}</p>`.value).toBe(`<p>${escape(evil)}</p>`);
    expect(html`<ul>${["a&b", html`<b>c</b>`]}</ul>`.value).toBe("<ul>a&amp;b<b>c</b></ul>");
    expect(join([html`<i>1</i>`, null, "2"], ", ").value).toBe("<i>1</i>, 2");
  });
});
