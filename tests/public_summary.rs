//! End-to-end: `konsekvens export public-summary` for the three samples, as PDF and HTML.
//!
//! The no-leak test reads what must stay out from the DPIA itself (`konsekvens show --json`,
//! the effective DPIA): every threat description, rating reason, measure description and
//! detail, evidence, supplier service and transfer description, system description and
//! module description — cut into sentences — and looks for each in the public PDF
//! (pdftotext) and in the HTML's text. As a control, the full DPIA's PDF of the same sample
//! must contain some of them (the search would find a leak).

#[path = "../crates/pdf/tests/common/verifiers.rs"]
mod verifiers;

use konsekvens_e2e::{konsekvens, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use verifiers::{command, outloud, pdfa_check_with};

fn run(args: &[&str]) -> String {
    let out = konsekvens(args);
    assert!(out.status.success(), "konsekvens {args:?}: {}{}", stderr(&out), stdout(&out));
    stdout(&out)
}

/// One sample workspace and whose summary: a municipality (`--org`), or the base.
struct Case {
    dir: tempfile::TempDir,
    ws: PathBuf,
    whose: Vec<String>,
}

fn case(sample: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join(format!("{sample}.konsekvens"));
    run(&["demo", ws.to_str().unwrap(), "--sample", sample]);
    // the first municipality, or the base of a DPIA without supplements
    let orgs = run(&["orgs", ws.to_str().unwrap()]);
    let whose = match orgs.lines().next().and_then(|l| l.split('\t').next()).filter(|c| !c.is_empty()) {
        Some(code) => vec!["--org".to_string(), code.to_string()],
        None => vec!["--base".to_string()],
    };
    Case { dir, ws, whose }
}

impl Case {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn export(&self, what: &str, out: &Path, extra: &[&str]) -> String {
        let mut args = vec!["export", what, self.ws.to_str().unwrap()];
        args.extend(self.whose.iter().map(String::as_str));
        args.extend(extra);
        args.extend(["--out", out.to_str().unwrap()]);
        let o = konsekvens(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    }
    /// The effective DPIA the summary is built from, as JSON.
    fn dpia(&self) -> Value {
        let mut args = vec!["show", self.ws.to_str().unwrap(), "--json"];
        if self.whose[0] == "--org" {
            args.extend(["--org", self.whose[1].as_str()]);
        }
        serde_json::from_str(&run(&args)).expect("show --json")
    }
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Every text the summary promises to leave out, read from the DPIA's JSON.
fn secrets(d: &Value) -> Vec<(String, String)> {
    let items = &d["items"];
    let list = |k: &str| items[k].as_array().cloned().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |what: &str, item: &Value, text: Option<String>| {
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            out.push((format!("{} {what}", s(item, "reference").unwrap_or_default()), t));
        }
    };
    for r in list("risks") {
        add("threat", &r, s(&r, "threat"));
        add("residual reason", &r, s(&r, "residual_reason"));
        add("acceptance", &r, s(&r, "acceptance"));
        add("source reference", &r, s(&r, "source_reference"));
        for a in ["inherent", "residual"] {
            for dim in ["confidentiality", "integrity", "availability"] {
                for reason in ["consequence_reason", "likelihood_reason", "unaffected_reason"] {
                    add(reason, &r, s(&r[a][dim], reason));
                }
            }
        }
        add("deviation reason", &r, s(&r["deviation"], "reason"));
    }
    for m in list("measures") {
        add("measure description", &m, s(&m, "description"));
        add("rejection reason", &m, s(&m, "rejection_reason"));
        add("owner", &m, s(&m, "owner_name"));
        add("deviation", &m, s(&m["deviation"], "text"));
    }
    for e in list("evidence") {
        add("evidence title", &e, s(&e, "title"));
        add("evidence location", &e, s(&e, "location"));
    }
    for p in list("processors") {
        add("supplier service", &p, s(&p, "service"));
    }
    for t in list("transfers") {
        add("transfer description", &t, s(&t, "description"));
    }
    for x in list("systems") {
        add("system description", &x, s(&x, "description"));
    }
    for x in list("modules") {
        add("module description", &x, s(&x, "description"));
    }
    out
}

/// What the summary publishes by design, read from the same JSON: a withheld text's
/// sentence that is also here (a rating reason naming a measure whose title is published, an
/// owner named in the contact text) is not a leak.
fn published(d: &Value) -> String {
    let items = &d["items"];
    let list = |k: &str| items[k].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for key in ["summary", "retention"] {
        out.extend(s(&d["description"], key));
    }
    out.extend(s(d, "contacts"));
    for p in list("purposes") {
        out.extend([s(&p, "title"), s(&p, "description"), s(&p["legal_basis"], "national_law")].into_iter().flatten());
    }
    for (k, fields) in [
        ("data_categories", &["name", "examples"][..]),
        ("subject_categories", &["name"]),
        ("processors", &["name", "location"]),
        ("recipients", &["name"]),
        ("transfers", &["country", "recipient"]),
        ("risks", &["title"]),
        ("measures", &["title"]),
    ] {
        for x in list(k) {
            out.extend(fields.iter().filter_map(|f| s(&x, f)));
        }
    }
    squash(&out.join(" \n "))
}

fn squash(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A text's sentences of at least 24 characters (a whole withheld text can be wrapped,
/// reordered or cut in a layout; a sentence of it is what would leak).
fn fragments(t: &str) -> Vec<String> {
    squash(t).split(['.', ';', '\n', '(', ')']).map(str::trim).filter(|f| f.chars().count() >= 24).map(str::to_owned).collect()
}

fn pdf_text(file: &Path) -> String {
    let out = command("pdftotext").arg(file).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext: {}", stderr(&out));
    squash(&String::from_utf8(out.stdout).unwrap())
}

/// The HTML's text: tags removed, the entities maud writes decoded.
fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    squash(&text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&"))
}

fn leaks(text: &str, secrets: &[(String, String)], published: &str) -> Vec<String> {
    secrets
        .iter()
        .flat_map(|(what, t)| fragments(t).into_iter().filter(|f| text.contains(f.as_str()) && !published.contains(f.as_str())).map(move |f| format!("{what}: «{f}»")))
        .collect()
}

#[test]
fn no_threat_measure_detail_or_supplier_text_reaches_the_public_pdf_or_html() {
    for sample in ["aula", "flexboern", "ballerup"] {
        let c = case(sample);
        let d = c.dpia();
        let secrets = secrets(&d);
        let published = published(&d);
        // only sentences not also published by design count (see `published`)
        let fragments: usize = secrets.iter().map(|(_, t)| fragments(t).iter().filter(|f| !published.contains(f.as_str())).count()).sum();
        assert!(secrets.len() >= 10 && fragments >= 10, "{sample}: too little to test: {secrets:?}");

        let pdf = c.path("resume.pdf");
        c.export("public-summary", &pdf, &[]);
        let html = c.path("resume.html");
        c.export("public-summary", &html, &[]);
        let pdf_text = pdf_text(&pdf);
        let html_text = html_text(&std::fs::read_to_string(&html).unwrap());
        assert_eq!(leaks(&pdf_text, &secrets, &published), Vec::<String>::new(), "{sample}: the public PDF leaks");
        assert_eq!(leaks(&html_text, &secrets, &published), Vec::<String>::new(), "{sample}: the public HTML leaks");

        // what it does publish: every applicable risk's title, the purposes
        for r in d["items"]["risks"].as_array().unwrap().iter().filter(|r| r["not_applicable"].is_null()) {
            let title = squash(r["title"].as_str().unwrap());
            assert!(pdf_text.contains(&title) && html_text.contains(&title), "{sample}: risk «{title}» missing");
        }
        for heading in ["Hvad behandles", "Hvorfor og med hvilken hjemmel", "Risici for de registrerede", "Samlet vurdering", "Hvad resuméet udelader"] {
            assert!(pdf_text.contains(heading) && html_text.contains(heading), "{sample}: «{heading}» missing");
        }
        // the control: the full DPIA prints them, so the search above would have found them
        if sample == "flexboern" {
            let full = c.path("dpia.pdf");
            c.export("pdf", &full, &[]);
            let found = leaks(&pdf_text_of(&full), &secrets, &published);
            assert!(found.len() * 2 >= fragments, "{sample}: the full DPIA shows only {} of {fragments} fragments: the search is broken", found.len());
        }
    }
}

fn pdf_text_of(file: &Path) -> String {
    pdf_text(file)
}

#[test]
fn show_omissions_lists_each_withheld_item_and_writes_nothing_without_out() {
    let c = case("flexboern");
    let mut args = vec!["export", "public-summary", c.ws.to_str().unwrap()];
    args.extend(c.whose.iter().map(String::as_str));
    args.push("--show-omissions");
    let listing = run(&args);
    let d = c.dpia();
    for r in d["items"]["risks"].as_array().unwrap().iter().filter(|r| r["not_applicable"].is_null() && !r["threat"].as_str().unwrap_or("").trim().is_empty()) {
        let reference = r["reference"].as_str().unwrap();
        assert!(listing.lines().any(|l| l.trim_start().starts_with(&format!("{reference} "))), "{reference} missing:\n{listing}");
    }
    for category in ["Trusselsbeskrivelser", "Foranstaltningernes detaljer", "Leverandørernes ydelser, drift og hosting", "Dokumentation"] {
        assert!(listing.contains(category), "«{category}» missing:\n{listing}");
    }
    let written: Vec<PathBuf> = std::fs::read_dir(c.dir.path()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "pdf" || e == "html")).collect();
    assert!(written.is_empty(), "--show-omissions alone wrote {written:?}");
}

#[test]
fn the_public_pdf_is_tagged_with_lists_and_passes_pdf_a_and_pdf_ua_checks_in_both_languages() {
    let c = case("aula");
    for (lang, words, code) in [("da", ["Offentligt resumé", "Hvad behandles", "Samlet vurdering"], "da"), ("en", ["Public summary", "What is processed", "Conclusion"], "en")] {
        let pdf = c.path(&format!("resume-{lang}.pdf"));
        let html = c.path(&format!("resume-{lang}.html"));
        let lang_args: &[&str] = if lang == "en" { &["--lang", "en"] } else { &[] };
        let mut a = lang_args.to_vec();
        a.extend(["--format", "pdf"]);
        c.export("public-summary", &pdf, &a);
        let mut a = lang_args.to_vec();
        a.extend(["--format", "html"]);
        c.export("public-summary", &html, &a);
        if let Some((ok, out)) = pdfa_check_with(&pdf, &["--tagged", "--lists"]) {
            assert!(ok, "{lang}: {out}");
        }
        if let Some((ok, out)) = outloud(&pdf) {
            assert!(ok, "{lang}: outloud: {out}");
        }
        // reading order: the sections in the order they are printed
        let text = pdf_text(&pdf);
        let at: Vec<usize> = words.iter().map(|w| text.find(w).unwrap_or_else(|| panic!("{lang}: «{w}» missing"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{lang}: reading order {at:?}");
        // no DPIA data inside: the JSON would carry everything the summary leaves out
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(!bytes.windows(12).any(|w| w == b"EmbeddedFile"), "{lang}: the summary carries files");
        let html = std::fs::read_to_string(&html).unwrap();
        assert!(html.starts_with(&format!("<!DOCTYPE html><html lang=\"{code}\">")), "{}", &html[..80]);
        assert!(html.contains("<ul><li>") && html.contains("<th scope=\"row\">") && html.contains("<h2>"), "semantic HTML");
        for external in ["src=", "http://", "https://", "<script", "<link"] {
            assert!(!html.contains(external), "{lang}: the HTML is not self-contained: {external}");
        }
        for w in words {
            assert!(html_text(&html).contains(w), "{lang}: HTML lacks «{w}»");
        }
    }
}
