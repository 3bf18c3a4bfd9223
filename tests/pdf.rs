//! End-to-end: `konsekvens export pdf`, `sign` and `verify` as a DPO runs them, checked by verifiers we did not write.
//!
//! The sample workspace (`konsekvens demo`) is exported for København, Esbjerg, Aarhus and
//! the joint base; qpdf, pdftotext, pdffonts and pdfinfo read the files; every export is
//! signed with throwaway keys made by openssl (RSA and ECDSA P-256, AES and legacy .p12),
//! and `konsekvens verify`, pdfsig (trusting the test CA through an NSS database) and pyHanko
//! (`--trust`) must agree — on good files, on tampered ones, and after a second signature.
//! Tools come from poppler-utils, qpdf, openssl, libnss3-tools and PyPI's pyhanko-cli
//! (scripts/common.sh); a missing tool skips a check with a message, and fails it under CI.

#[path = "../crates/pdf/tests/common/verifiers.rs"]
mod verifiers;
#[path = "../crates/pdf/tests/common/pki.rs"]
mod pki;

use konsekvens_e2e::{binary, stderr, stdout};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use verifiers::{command, have, keys, outloud, pdfa_check, pdfsig, pyhanko_summary, Keys, PASSWORD};

/// The date the exports are made on (printed on the cover and in the footer).
const TODAY: &str = "2025-06-10";

/// Runs `konsekvens ARGS…` on the pinned date.
fn konsekvens<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> Output {
    konsekvens_e2e::danish(std::process::Command::new(binary()).args(args).env("KONSEKVENS_AUTHOR", "e2e").env("KONSEKVENS_TODAY", TODAY))
        .output()
        .expect("run konsekvens")
}

/// One exported PDF of the sample: which, and what its text must show.
struct Export {
    name: &'static str,
    args: &'static [&'static str],
    /// Texts that must be in the document (pdftotext).
    must: &'static [&'static str],
    /// Texts that must not.
    must_not: &'static [&'static str],
    english: bool,
}

const DANISH_HEADINGS: &[&str] = &[
    "Indhold",
    "Systematisk beskrivelse (art. 35, stk. 7, litra a)",
    "Nødvendighed og proportionalitet (art. 35, stk. 7, litra b)",
    "WP248-screening",
    "Risikovurdering (art. 35, stk. 7, litra c)",
    "Risikoregister",
    "Foranstaltninger (art. 35, stk. 7, litra d)",
    "Sporbarhed: risici og foranstaltninger",
    "Risikobilledet før og efter foranstaltninger",
    "Databeskyttelsesrådgiverens rådgivning (art. 35, stk. 2)",
    "Accept og forudgående høring (art. 36)",
    "Art. 36-flag",
    "Bilag A. Resultat af kontrollen",
    "Bilag B. Importerede leverandørark",
    "Underskrifter",
];

const ENGLISH_HEADINGS: &[&str] = &[
    "Contents",
    "Systematic description (Art. 35(7)(a))",
    "Necessity and proportionality (Art. 35(7)(b))",
    "WP248 screening",
    "Risk assessment (Art. 35(7)(c))",
    "Measures (Art. 35(7)(d))",
    "Traceability: risks and measures",
    "Risks before and after measures",
    "Advice of the data protection officer (Art. 35(2))",
    "Annex A. Findings of the check",
    "Annex B. Imported supplier sheets",
    "Signatures",
];

const EXPORTS: &[Export] = &[
    Export {
        name: "koebenhavn",
        args: &["--org", "101"],
        must: &["København (101)", "Kommunens lokale tillæg", "Betingelser for fælles konsekvensanalyse", "Afvigelser fra den fælles basis", "LOKAL", "KBH-", "Søren Ågård Østergaard", "Åse Bøgh", "Tillægsversion", "i loggen, senest"],
        must_not: &["ESB-", "AAR-"],
        english: false,
    },
    Export { name: "esbjerg", args: &["--org", "561"], must: &["Esbjerg (561)", "Kommunens lokale tillæg", "ESB-"], must_not: &["KBH-", "AAR-"], english: false },
    Export { name: "aarhus", args: &["--org", "751"], must: &["Aarhus (751)", "Kommunens lokale tillæg", "AAR-"], must_not: &["KBH-", "ESB-"], english: false },
    Export {
        name: "base",
        args: &["--base"],
        must: &["Fælles basis", "KL/KOMBIT"],
        must_not: &["Kommunens lokale tillæg", "KBH-", "ESB-", "AAR-", "Tillægsversion"],
        english: false,
    },
    Export {
        name: "koebenhavn-en",
        args: &["--org", "101", "--lang", "en"],
        must: &["København (101)", "The municipality's local supplement", "LOCAL", "Page 1 of", "Supplement version", "logged change"],
        must_not: &["Side 1 af", "Kommunens lokale tillæg"],
        english: true,
    },
    Export { name: "base-en", args: &["--base", "--lang", "en"], must: &["Joint base", "Page 1 of"], must_not: &["Side 1 af", "KBH-"], english: true },
];

/// The sample workspace and every export of it, made once for all tests.
struct Sample {
    dir: tempfile::TempDir,
    pdfs: BTreeMap<&'static str, PathBuf>,
}

fn sample() -> &'static Sample {
    static S: OnceLock<Sample> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("aula.konsekvens");
        let out = konsekvens(["demo".as_ref(), ws.as_os_str()]);
        assert!(out.status.success(), "demo: {}", stderr(&out));
        let mut pdfs = BTreeMap::new();
        for e in EXPORTS {
            let pdf = dir.path().join(format!("{}.pdf", e.name));
            let mut args: Vec<&OsStr> = vec!["export".as_ref(), "pdf".as_ref(), ws.as_os_str()];
            args.extend(e.args.iter().map(OsStr::new));
            args.extend(["--out".as_ref(), pdf.as_os_str()]);
            let out = konsekvens(&args);
            assert!(out.status.success(), "export {}: {}", e.name, stderr(&out));
            assert!(stderr(&out).contains("Skrev"), "{}", stderr(&out));
            pdfs.insert(e.name, pdf);
        }
        Sample { dir, pdfs }
    })
}

fn pdf(name: &str) -> &'static Path {
    &sample().pdfs[name]
}

/// A fresh path in the sample's directory.
fn scratch(name: &str) -> PathBuf {
    sample().dir.path().join(name)
}

fn tool_output(tool: &str, args: &[&OsStr]) -> Output {
    command(tool).args(args).output().unwrap_or_else(|e| panic!("{tool}: {e}"))
}

fn text_of(file: &Path, extra: &[&str]) -> String {
    let mut args: Vec<&OsStr> = extra.iter().map(OsStr::new).collect();
    args.extend([file.as_os_str(), "-".as_ref()]);
    let out = tool_output("pdftotext", &args);
    assert!(out.status.success(), "pdftotext {}: {}", file.display(), stderr(&out));
    String::from_utf8(out.stdout).expect("pdftotext gives UTF-8")
}

fn page_count(file: &Path) -> usize {
    let out = tool_output("pdfinfo", &[file.as_os_str()]);
    stdout(&out).lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("pdfinfo prints Pages:")
}

/// The outline (bookmarks) as (depth, title, page from 1), from qpdf's JSON. qpdf writes
/// each entry's keys in order dest, destpageposfrom1, kids, …, title, so a stack pairs
/// every title with its own page even across nested kids.
fn outline(file: &Path) -> Vec<(usize, String, usize)> {
    let out = tool_output("qpdf", &["--json".as_ref(), "--json-key=outlines".as_ref(), file.as_os_str()]);
    assert!(out.status.success(), "qpdf --json: {}", stderr(&out));
    let mut pages = Vec::new();
    let mut entries = Vec::new();
    for line in stdout(&out).lines().map(str::trim) {
        if let Some(n) = line.strip_prefix("\"destpageposfrom1\": ") {
            pages.push(n.trim_end_matches(',').parse::<usize>().unwrap());
        } else if let Some(t) = line.strip_prefix("\"title\": \"") {
            let page = pages.pop().expect("a title follows its page");
            entries.push((pages.len(), t.trim_end_matches(['"', ',']).replace("\\\"", "\""), page));
        }
    }
    entries
}

#[test]
fn every_export_is_a_clean_pdf_with_embedded_fonts_danish_text_and_a_working_outline() {
    if !["qpdf", "pdftotext", "pdffonts", "pdfinfo"].iter().all(|t| have(t, &["--version"])) {
        return;
    }
    for e in EXPORTS {
        let file = pdf(e.name);
        let bytes = std::fs::read(file).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{}", e.name);

        let out = tool_output("qpdf", &["--check".as_ref(), file.as_os_str()]);
        assert!(out.status.success() && stdout(&out).contains("No syntax or stream encoding errors"), "{}: qpdf --check: {}{}", e.name, stdout(&out), stderr(&out));

        let out = tool_output("pdffonts", &[file.as_os_str()]);
        let listing = stdout(&out);
        let fonts: Vec<&str> = listing.lines().skip(2).collect();
        assert!(!fonts.is_empty(), "{}: no fonts", e.name);
        for line in &fonts {
            // name type encoding emb sub uni object ID
            let cols: Vec<&str> = line.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7 && cols[n - 5..n - 2] == ["yes", "yes", "yes"], "{}: font not embedded, subset and with a Unicode map: {line}", e.name);
        }

        let text = text_of(file, &[]);
        let headings = if e.english { ENGLISH_HEADINGS } else { DANISH_HEADINGS };
        for needle in headings.iter().chain(e.must) {
            assert!(text.contains(needle), "{}: {needle:?} is missing from the text", e.name);
        }
        for needle in e.must_not {
            assert!(!text.contains(needle), "{}: {needle:?} should not be in the text", e.name);
        }
        for letter in ["æ", "ø", "å"] {
            assert!(text.contains(letter), "{}: pdftotext does not give {letter} back", e.name);
        }

        // "Side X af Y" on every page, and Y is the page count
        let pages = page_count(file);
        let footer = |i: usize| if e.english { format!("Page {i} of {pages}") } else { format!("Side {i} af {pages}") };
        let per_page: Vec<&str> = text.split('\u{c}').collect();
        assert!(per_page.len() >= pages, "{}: {} form feeds for {pages} pages", e.name, per_page.len());
        for (i, page) in per_page.iter().take(pages).enumerate() {
            assert!(page.contains(&footer(i + 1)), "{}: page {} lacks {:?}", e.name, i + 1, footer(i + 1));
        }

        // The outline: every numbered section, each pointing at the page its heading is on,
        // and the table of contents (page 2) prints the same page numbers.
        let entries = outline(file);
        let top: Vec<&(usize, String, usize)> = entries.iter().filter(|(depth, _, _)| *depth == 0).collect();
        assert!(top.len() >= 10, "{}: outline has {} top-level entries: {entries:?}", e.name, top.len());
        // no heading is the last thing on its page: text of its own section follows it
        for (_, title, page) in &entries {
            let text = per_page[page - 1].replace('\n', " ");
            let body = &text[..text.rfind(&footer(*page)).unwrap_or(text.len())];
            let body = &body[..body.rfind(" — ").unwrap_or(body.len())]; // the running footer's left part
            let after = body.find(title.as_str()).map(|at| body[at + title.len()..].split_whitespace().count()).unwrap_or(0);
            assert!(after >= 3, "{}: heading {title:?} ends page {page}:\n{}", e.name, per_page[page - 1]);
        }
        let toc = per_page[1];
        for (_, title, page) in &top {
            let on_page = per_page[page - 1].replace('\n', " ");
            assert!(on_page.contains(title.as_str()), "{}: outline entry {title:?} points at page {page}, where it is not", e.name);
            let toc_line = toc.lines().find(|l| l.starts_with(title.as_str())).unwrap_or_else(|| panic!("{}: {title:?} is not in the table of contents:\n{toc}", e.name));
            assert!(toc_line.trim_end().ends_with(&format!(" {page}")), "{}: table of contents says {toc_line:?}, outline says page {page}", e.name);
        }
    }
}

#[test]
fn the_cover_names_the_base_release_with_its_hash_the_supplement_version_and_the_status() {
    if !have("pdftotext", &["-v"]) {
        return;
    }
    let cover = |name: &str| text_of(pdf(name), &["-l", "1"]).replace('\n', " ");
    let kbh = cover("koebenhavn");
    for needle in ["København (101)", "Aula", "Fælles basis", "2025.1", "02.06.2025", "Indholdshash (SHA-256)", "Tillægsversion", "Dato", "10.06.2025", "Status"] {
        assert!(kbh.contains(needle), "København's cover lacks {needle:?}: {kbh}");
    }
    // the release's content hash: 64 hex digits
    let hex_run = kbh.split(|c: char| !c.is_ascii_hexdigit()).any(|w| w.len() == 64);
    assert!(hex_run, "no SHA-256 on the cover: {kbh}");
    let base = cover("base");
    assert!(base.contains("2025.1") && base.contains("Fælles basis") && !base.contains("Tillægsversion"), "{base}");
    let en = cover("koebenhavn-en");
    assert!(en.contains("Supplement version") && en.contains("Joint base") && en.contains("2025-06-02"), "{en}");
}

/// Signs `input` with `p12`; returns the command's output.
fn sign(input: &Path, p12: &Path, password: &str, out: &Path, extra: &[&str]) -> Output {
    let pw = scratch(&format!("pw-{}", out.file_name().unwrap().to_string_lossy()));
    std::fs::write(&pw, format!("{password}\n")).unwrap();
    let mut args: Vec<&OsStr> = vec!["sign".as_ref(), input.as_os_str(), "--p12".as_ref(), p12.as_os_str(), "--password-file".as_ref(), pw.as_os_str(), "--out".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    konsekvens(&args)
}

fn verify(file: &Path, k: &Keys) -> Output {
    konsekvens(["verify".as_ref(), file.as_os_str(), "--trust".as_ref(), k.path("ca.pem").as_os_str()])
}

fn signed_copy(name: &str, p12: &str, k: &Keys) -> PathBuf {
    let out = scratch(&format!("{name}-signed-{p12}.pdf"));
    let o = sign(pdf(name), &k.path(p12), PASSWORD, &out, &["--reason", "Godkendt efter høring af databeskyttelsesrådgiveren", "--location", "Rådhuset, København"]);
    assert!(o.status.success(), "sign {name} with {p12}: {}", stderr(&o));
    out
}

#[test]
fn rsa_and_ecdsa_from_aes_and_legacy_p12_sign_every_export_and_all_verifiers_agree() {
    let Some(k) = keys() else { return };
    let cases = [
        ("koebenhavn", "rsa.p12", "Søren Ågård Østergaard"),
        ("koebenhavn", "rsa-legacy.p12", "Søren Ågård Østergaard"),
        ("koebenhavn", "ec.p12", "Åse Bøgh"),
        ("koebenhavn", "ec-legacy.p12", "Åse Bøgh"),
        ("esbjerg", "ec.p12", "Åse Bøgh"),
        ("aarhus", "rsa.p12", "Søren Ågård Østergaard"),
        ("base", "rsa-legacy.p12", "Søren Ågård Østergaard"),
        ("koebenhavn-en", "ec-legacy.p12", "Åse Bøgh"),
    ];
    for (name, p12, signer) in cases {
        let before = std::fs::read(pdf(name)).unwrap();
        let signed = signed_copy(name, p12, k);
        assert_eq!(std::fs::read(pdf(name)).unwrap(), before, "{name}: signing changed its input");
        let bytes = std::fs::read(&signed).unwrap();
        assert!(bytes.starts_with(&before), "{name}/{p12}: the signature is an incremental update");

        let o = verify(&signed, k);
        let report = stdout(&o);
        assert_eq!(o.status.code(), Some(0), "{name}/{p12}: {report}{}", stderr(&o));
        for needle in [signer, "indhold: uændret", "tillid: certifikatkæden når et betroet rodcertifikat", "begrundelse: Godkendt efter høring", "sted: Rådhuset, København", "Resultat: alle signaturer er gyldige"] {
            assert!(report.contains(needle), "{name}/{p12}: {needle:?} missing from:\n{report}");
        }
        if let Some(out) = pdfsig(k, &signed) {
            for needle in ["Signature is Valid", "Certificate is Trusted", "Total document signed", "ETSI.CAdES.detached", signer] {
                assert!(out.contains(needle), "{name}/{p12}: pdfsig lacks {needle:?}:\n{out}");
            }
        }
        if let Some((ok, out)) = pyhanko_summary(k, &signed) {
            assert!(ok && out.contains(":INTACT:TRUSTED,UNTOUCHED"), "{name}/{p12}: pyHanko:\n{out}");
        }
    }
}

#[test]
fn a_second_signature_keeps_the_first_valid() {
    let Some(k) = keys() else { return };
    // the DPO signs first, then the director
    let first = scratch("kbh-dpo.pdf");
    let o = sign(pdf("koebenhavn"), &k.path("ec.p12"), PASSWORD, &first, &["--name", "Åse Bøgh", "--reason", "Databeskyttelsesrådgiver: rådgivet efter art. 35, stk. 2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let both = scratch("kbh-dpo-director.pdf");
    let o = sign(&first, &k.path("rsa-legacy.p12"), PASSWORD, &both, &["--reason", "Godkendt for den dataansvarlige"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read(&both).unwrap().starts_with(&std::fs::read(&first).unwrap()));

    let o = verify(&both, k);
    let report = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{report}");
    assert!(report.contains("Signatur 1: Åse Bøgh") && report.contains("Signatur 2: Søren Ågård Østergaard"), "{report}");
    assert_eq!(report.matches("indhold: uændret").count(), 2, "{report}");
    assert!(report.contains("dækket af en senere signatur"), "what follows the first signature is the second: {report}");
    if let Some(out) = pdfsig(k, &both) {
        assert_eq!(out.matches("Signature is Valid").count(), 2, "{out}");
        assert_eq!(out.matches("Certificate is Trusted").count(), 2, "{out}");
    }
    if let Some((ok, out)) = pyhanko_summary(k, &both) {
        assert!(ok, "{out}");
        assert_eq!(out.matches(":INTACT:TRUSTED").count(), 2, "{out}");
    }
}

/// The position of `needle` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The number after the last `key` in `pdf` (e.g. `/Size 152`, `/Root 113 0 R`).
fn last_number_after(pdf: &[u8], key: &str) -> usize {
    let at = rfind(pdf, key.as_bytes()).unwrap_or_else(|| panic!("no {key}")) + key.len();
    String::from_utf8_lossy(&pdf[at..(at + 24).min(pdf.len())]).split(|c: char| !c.is_ascii_digit()).find(|s| !s.is_empty()).unwrap().parse().unwrap()
}

#[test]
fn one_byte_changed_inside_the_signed_range_is_rejected_by_all_verifiers() {
    let Some(k) = keys() else { return };
    let signed = signed_copy("koebenhavn", "rsa.p12", k);
    let mut bytes = std::fs::read(&signed).unwrap();
    // a byte in the first page's content stream: before the signature value, so signed
    let contents = last_number_after(&bytes[..find(&bytes, b"/Type/Page/", 0).expect("a page") + 200], "/Contents ");
    let obj = find(&bytes, format!("\n{contents} 0 obj").as_bytes(), 0).expect("the content stream");
    let at = find(&bytes, b"stream", obj).unwrap() + 40;
    let sig_value = find(&bytes, b"/Contents <", 0).expect("the signature value");
    assert!(at < sig_value, "the changed byte is inside the first signed range");
    bytes[at] ^= 0x20;
    let tampered = scratch("kbh-one-byte.pdf");
    std::fs::write(&tampered, &bytes).unwrap();

    let o = verify(&tampered, k);
    let report = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{report}{}", stderr(&o));
    assert!(report.contains("indhold: ÆNDRET — de signerede bytes er ændret") && report.contains("Resultat: IKKE GYLDIG"), "{report}");
    // who signed, and that the certificate is trusted, is still reported
    assert!(report.contains("Signatur 1: Søren Ågård Østergaard") && report.contains("tillid: certifikatkæden når et betroet rodcertifikat"), "{report}");
    if let Some(out) = pdfsig(k, &tampered) {
        assert!(!out.contains("Signature is Valid") && out.contains("Digest Mismatch"), "{out}");
    }
    if let Some((ok, out)) = pyhanko_summary(k, &tampered) {
        assert!(!ok && out.contains(":INVALID") && !out.contains(":INTACT:"), "{out}");
    }
}

#[test]
fn content_appended_in_an_unsigned_incremental_update_is_rejected_by_all_verifiers() {
    let Some(k) = keys() else { return };
    let signed = signed_copy("koebenhavn", "rsa.p12", k);
    let mut bytes = std::fs::read(&signed).unwrap();
    // After signing, draw a box over page 1 and redefine the page to show it: the kind of
    // change an incremental update can make to a signed document without touching its bytes.
    let size = last_number_after(&bytes, "/Size ");
    let root = last_number_after(&bytes, "/Root ");
    let prev = last_number_after(&bytes, "startxref");
    let page = last_number_after(&bytes, "/Kids[");
    let page_at = rfind(&bytes, format!("\n{page} 0 obj").as_bytes()).unwrap() + 1;
    let page_end = find(&bytes, b"endobj", page_at).unwrap();
    let page_dict = String::from_utf8_lossy(&bytes[page_at..page_end]).into_owned();
    let old_contents = last_number_after(page_dict.as_bytes(), "/Contents ");
    let page_dict = page_dict.replacen(&format!("/Contents {old_contents} 0 R"), &format!("/Contents [{old_contents} 0 R {size} 0 R]"), 1);
    assert!(page_dict.contains(&format!("{size} 0 R]")), "page 1's content is redefined: {page_dict}");

    let overlay = "1 1 1 rg 40 500 515 300 re f 0 0 0 rg 60 640 400 40 re f";
    let mut update = Vec::new();
    let new_at = bytes.len() + 1;
    update.extend_from_slice(format!("\n{size} 0 obj\n<</Length {}>>stream\n{overlay}\nendstream\nendobj\n", overlay.len() + 1).as_bytes());
    let page_new_at = bytes.len() + update.len();
    update.extend_from_slice(page_dict.as_bytes());
    update.extend_from_slice(b"endobj\n");
    let xref = bytes.len() + update.len();
    update.extend_from_slice(
        format!("xref\n{page} 1\n{page_new_at:010} 00000 n\r\n{size} 1\n{new_at:010} 00000 n\r\ntrailer\n<</Size {} /Root {root} 0 R /Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n", size + 1)
            .as_bytes(),
    );
    bytes.extend_from_slice(&update);
    let tampered = scratch("kbh-appended.pdf");
    std::fs::write(&tampered, &bytes).unwrap();
    if have("qpdf", &["--version"]) {
        let o = tool_output("qpdf", &["--check".as_ref(), tampered.as_os_str()]);
        assert!(o.status.success(), "the forged update is itself a well-formed PDF: {}", stdout(&o));
    }

    let o = verify(&tampered, k);
    let report = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{report}{}", stderr(&o));
    assert!(report.contains("indhold: uændret"), "the signed bytes themselves are intact: {report}");
    assert!(report.contains("IKKE dækket af nogen signatur") && report.contains("(Page)"), "{report}");
    assert!(report.contains("Usigneret tilføjelse efter sidste signatur") && report.contains("Resultat: IKKE GYLDIG"), "{report}");
    // pdfsig: the signature itself is valid, but it does not cover the whole file
    if let Some(out) = pdfsig(k, &tampered) {
        assert!(out.contains("Not total document signed") && !out.contains("Total document signed"), "{out}");
    }
    // pyHanko: intact, but the update after it is an illegal modification
    if let Some((ok, out)) = pyhanko_summary(k, &tampered) {
        assert!(!ok && out.contains("ILLEGAL_MODIFICATIONS") && !out.contains("UNTOUCHED"), "{out}");
    }
}

/// Runs a failing command and checks: exit 2, a message naming `names` and saying `says`,
/// and neither the input nor an earlier file at `--out` changed.
fn refused(what: &str, o: &Output, names: &Path, says: &str, untouched: &[(&Path, &[u8])]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: exit {:?}, stderr {err}", o.status.code());
    assert!(err.contains(&names.display().to_string()) && err.contains(says), "{what}: the message should name {} and say {says:?}: {err}", names.display());
    for (file, bytes) in untouched {
        assert_eq!(std::fs::read(file).unwrap(), *bytes, "{what}: {} was changed", file.display());
    }
}

#[test]
fn bad_keys_and_bad_files_get_a_clear_message_and_change_nothing() {
    let Some(k) = keys() else { return };
    let input = pdf("koebenhavn");
    let original = std::fs::read(input).unwrap();
    // an earlier signed copy at the output path must survive a failed signing
    let out = scratch("kbh-refused.pdf");
    std::fs::write(&out, b"%PDF-1.7 an earlier signed copy").unwrap();
    let earlier = std::fs::read(&out).unwrap();
    let kept: &[(&Path, &[u8])] = &[(input, &original), (&out, &earlier)];

    for p12 in ["rsa.p12", "rsa-legacy.p12", "ec.p12"] {
        let o = sign(input, &k.path(p12), "forkert", &out, &[]);
        refused(&format!("wrong password for {p12}"), &o, &k.path(p12), "forkert adgangskode", kept);
    }
    let o = sign(input, &k.path("nokey.p12"), PASSWORD, &out, &[]);
    refused("a .p12 without a key", &o, &k.path("nokey.p12"), "ingen privat nøgle", kept);
    for p12 in ["expired.p12", "expired-legacy.p12"] {
        let o = sign(input, &k.path(p12), PASSWORD, &out, &[]);
        refused("an expired certificate", &o, &k.path(p12), "certifikatet udløb 2021-01-01", kept);
    }

    let not_pdf = scratch("noter.txt");
    std::fs::write(&not_pdf, "Referat fra mødet med databeskyttelsesrådgiveren\n").unwrap();
    let text = std::fs::read(&not_pdf).unwrap();
    let kept_text: &[(&Path, &[u8])] = &[(&not_pdf, &text), (&out, &earlier)];
    let o = sign(&not_pdf, &k.path("rsa.p12"), PASSWORD, &out, &[]);
    refused("signing a file that is not a PDF", &o, &not_pdf, "ikke en PDF", kept_text);
    let o = verify(&not_pdf, k);
    refused("verifying a file that is not a PDF", &o, &not_pdf, "ikke en PDF", kept_text);

    let o = sign(input, &k.path("missing.p12"), PASSWORD, &out, &[]);
    refused("a .p12 that does not exist", &o, &k.path("missing.p12"), "missing.p12", kept);
    let bad_anchor = scratch("not-a-certificate.pem");
    std::fs::write(&bad_anchor, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n").unwrap();
    let signed = signed_copy("koebenhavn", "ec.p12", k);
    let o = konsekvens(["verify".as_ref(), signed.as_os_str(), "--trust".as_ref(), bad_anchor.as_os_str()]);
    refused("a trust anchor that is not a certificate", &o, &bad_anchor, "rodcertifikat nr. 1", &[]);

    // an unsigned PDF is read fine, and what it says is the problem: exit 1
    let o = konsekvens(["verify".as_ref(), input.as_os_str()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("ingen signaturer"), "{}", stderr(&o));
}

#[test]
fn a_certificate_from_another_ca_is_intact_but_not_trusted() {
    let Some(k) = keys() else { return };
    let signed = signed_copy("aarhus", "ec.p12", k);
    // the signer's own certificate is no trust anchor for it
    let o = konsekvens(["verify".as_ref(), signed.as_os_str(), "--trust".as_ref(), k.path("rsa.pem").as_os_str()]);
    let report = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{report}");
    assert!(report.contains("indhold: uændret") && report.contains("IKKE betroet"), "{report}");
    // without anchors: intact, trust not examined, exit 0
    let o = konsekvens(["verify".as_ref(), signed.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("ikke undersøgt"), "{}", stdout(&o));
}

/// The høring's documents of the bundled sample (its finished round): the høringsnotat reads
/// as a person reads it, and København's answer is signed by its DPO and verifies.
#[test]
fn the_sample_hoeringsnotat_reads_right_and_a_municipalitys_answer_signs() {
    let ws = sample().dir.path().join("aula.konsekvens");
    let notat = scratch("hoeringsnotat.pdf");
    let out = konsekvens(["export".as_ref(), "hearing-notat".as_ref(), ws.as_os_str(), "--round".as_ref(), "1".as_ref(), "--out".as_ref(), notat.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&notat, &["-layout"]);
    for expected in ["Høringsnotat", "2025.1-udkast", "København (101)", "tiltræder med", "Esbjerg (561)", "R6 Besked med personoplysninger", "sandsynlig → forventet", "delvist indarbejdet"] {
        assert!(text.contains(expected), "the høringsnotat lacks «{expected}»:\n{text}");
    }
    let qpdf = tool_output("qpdf", &["--check".as_ref(), notat.as_os_str()]);
    assert!(qpdf.status.success(), "{}", stdout(&qpdf));
    let answer = scratch("svar-101.pdf");
    let out = konsekvens([
        "export".as_ref(), "hearing-answer".as_ref(), ws.as_os_str(), "--round".as_ref(), "1".as_ref(), "--org".as_ref(), "101".as_ref(), "--out".as_ref(), answer.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text_of(&answer, &[]).contains("Høringssvar"));
    let Some(k) = keys() else {
        eprintln!("openssl is missing: the signing of the answer is not tested");
        return;
    };
    let signed = scratch("svar-101-signeret.pdf");
    let o = sign(&answer, &k.path("rsa.p12"), PASSWORD, &signed, &["--reason", "Høringssvar godkendt af databeskyttelsesrådgiveren"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = verify(&signed, k);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
}

/// The sample workspace the exports were made from.
fn sample_workspace() -> PathBuf {
    scratch("aula.konsekvens")
}

#[test]
fn every_export_is_pdf_a_3b_and_tagged_and_stays_so_when_signed() {
    let Some(k) = keys() else { return };
    for e in EXPORTS {
        // PDF/A-3b rules and the structure tree (pikepdf), then a PDF/UA-1 checker
        if let Some((ok, out)) = pdfa_check(pdf(e.name), true) {
            assert!(ok, "{}: {out}", e.name);
        }
        if let Some((ok, out)) = outloud(pdf(e.name)) {
            assert!(ok, "{}: outloud: {out}", e.name);
        }
        let signed = signed_copy(e.name, "rsa.p12", k);
        if let Some((ok, out)) = pdfa_check(&signed, true) {
            assert!(ok, "{} signed: {out}", e.name);
        }
        // the signature field is in the structure too (a Form element, named by /TU)
        if let Some((ok, out)) = outloud(&signed) {
            assert!(ok, "{} signed: outloud: {out}", e.name);
        }
        let info = stdout(&tool_output("pdfinfo", &[signed.as_os_str()]));
        assert!(info.contains("Tagged:          yes") && info.contains("Metadata Stream: yes"), "{info}");
    }
}

/// The embedded file `n` (1-based, as pdfdetach numbers them) of `file`, read by poppler.
fn detached(file: &Path, n: usize, name: &str) -> Vec<u8> {
    let out = scratch(name);
    let o = tool_output("pdfdetach", &["-save".as_ref(), n.to_string().as_ref(), "-o".as_ref(), out.as_os_str(), file.as_os_str()]);
    assert!(o.status.success(), "pdfdetach: {}", stderr(&o));
    std::fs::read(out).unwrap()
}

#[test]
fn import_pdf_verifies_the_signature_and_round_trips_the_embedded_json_byte_for_byte() {
    let Some(k) = keys() else { return };
    for (name, org) in [("koebenhavn", Some("101")), ("base", None)] {
        let signed = signed_copy(name, "ec.p12", k);
        // poppler lists the two files and gives back the JSON we embedded
        let list = stdout(&tool_output("pdfdetach", &["-list".as_ref(), signed.as_os_str()]));
        assert!(list.contains("konsekvensanalyse.json") && list.contains("kontrolrapport.json"), "{list}");
        let embedded = detached(&signed, 1, &format!("{name}-embedded.json"));
        let check = detached(&signed, 2, &format!("{name}-check.json"));
        let check: serde_json::Value = serde_json::from_slice(&check).expect("the check report is JSON");
        assert!(check.get("findings").is_some(), "{check}");

        let ws = scratch(&format!("{name}-from-pdf.konsekvens"));
        let o = konsekvens(["import".as_ref(), "pdf".as_ref(), signed.as_os_str(), "--out".as_ref(), ws.as_os_str(), "--trust".as_ref(), k.path("ca.pem").as_os_str()]);
        assert!(o.status.success(), "import pdf {name}: {}", stderr(&o));
        assert!(stderr(&o).contains("Signatur gyldig") && stderr(&o).contains("Importerede"), "{}", stderr(&o));
        // the new workspace exports exactly the JSON the PDF carries
        let json = scratch(&format!("{name}-reexported.json"));
        let o = konsekvens(["export".as_ref(), "json".as_ref(), ws.as_os_str(), "--out".as_ref(), json.as_os_str()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(std::fs::read(&json).unwrap(), embedded, "{name}: export json of the imported workspace differs from the embedded JSON");
        // … and its PDF carries the same JSON again
        let again = scratch(&format!("{name}-again.pdf"));
        let mut args: Vec<&OsStr> = vec!["export".as_ref(), "pdf".as_ref(), ws.as_os_str(), "--out".as_ref(), again.as_os_str()];
        match org {
            Some(code) => args.extend(["--org".as_ref(), OsStr::new(code)]),
            None => args.push("--base".as_ref()),
        }
        let o = konsekvens(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(detached(&again, 1, &format!("{name}-again.json")), embedded, "{name}: the JSON changed on the round trip");
    }
}

#[test]
fn import_pdf_compares_the_signed_dpia_with_the_workspace_now() {
    let Some(k) = keys() else { return };
    let signed = signed_copy("koebenhavn", "rsa-legacy.p12", k);
    let compare = |ws: &Path| konsekvens(["import".as_ref(), "pdf".as_ref(), signed.as_os_str(), "--compare".as_ref(), ws.as_os_str()]);
    let o = compare(&sample_workspace());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("underskrevet → nu") && stdout(&o).contains("Ændringer (0)"), "unchanged: {}", stdout(&o));
    // København imports a supplier sheet after signing: the comparison names what it added
    let changed = scratch("aula-changed.konsekvens");
    std::fs::copy(sample_workspace(), &changed).unwrap();
    let sheet = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/exchange/testdata/KOMBIT-Beskeder.csv");
    let o = konsekvens(["import".as_ref(), "sheet".as_ref(), sheet.as_os_str(), "--into".as_ref(), changed.as_os_str(), "--org".as_ref(), "101".as_ref()]);
    assert!(o.status.success(), "import sheet: {}", stderr(&o));
    let o = compare(&changed);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(!text.contains("Ændringer (0)") && text.contains("KBH-M4"), "{text}");
}

#[test]
fn import_pdf_refuses_a_changed_or_unsigned_pdf_and_writes_nothing() {
    let Some(k) = keys() else { return };
    let signed = signed_copy("esbjerg", "rsa.p12", k);
    let mut bytes = std::fs::read(&signed).unwrap();
    // one byte of the first page's text, inside the signed range
    let at = find(&bytes, b"stream", 2000).unwrap() + 20;
    bytes[at] ^= 0x01;
    let changed = scratch("esbjerg-changed.pdf");
    std::fs::write(&changed, &bytes).unwrap();
    for (file, code, extra) in [(changed.as_path(), "K-PDF-IMPORT-UGYLDIG", None), (pdf("esbjerg"), "K-PDF-IMPORT-USIGNERET", None), (pdf("esbjerg"), "", Some("--unsigned"))] {
        let out = scratch(&format!("refused-{code}.konsekvens"));
        let mut args: Vec<&OsStr> = vec!["import".as_ref(), "pdf".as_ref(), file.as_os_str(), "--out".as_ref(), out.as_os_str()];
        args.extend(extra.map(OsStr::new));
        let o = konsekvens(&args);
        if code.is_empty() {
            assert!(o.status.success() && stderr(&o).contains("ikke underskrevet"), "{}", stderr(&o));
            continue;
        }
        assert_eq!(o.status.code(), Some(1), "{code}: {}", stderr(&o));
        assert!(stderr(&o).contains(code), "{}", stderr(&o));
        assert!(!out.exists(), "{code}: a workspace was written");
    }
}

#[test]
fn the_management_summary_opens_each_municipality_s_document_and_takes_at_most_two_pages() {
    for (name, title, decision) in [("koebenhavn", "Ledelsesresumé", "Beslutning"), ("esbjerg", "Ledelsesresumé", "Beslutning"), ("aarhus", "Ledelsesresumé", "Beslutning"), ("koebenhavn-en", "Management summary", "Decision")] {
        let entries = outline(pdf(name));
        let at = entries.iter().position(|e| e.1 == title).unwrap_or_else(|| panic!("{name}: no {title} in {entries:?}"));
        let next = entries[at + 1..].iter().find(|e| e.0 == entries[at].0).expect("a section follows");
        assert!(next.1.starts_with("1. "), "{name}: the summary comes first, before {next:?}");
        assert!(next.2 - entries[at].2 <= 2, "{name}: the summary takes {} pages", next.2 - entries[at].2);
        let text = text_of(pdf(name), &["-f", &entries[at].2.to_string(), "-l", &entries[at].2.to_string()]);
        assert!(text.contains(decision), "{name}: no decision asked for: {text}");
    }
    assert!(!outline(pdf("base")).iter().any(|e| e.1 == "Ledelsesresumé"), "the base has no municipality to decide");
}

/// `konsekvens sign --tsa URL --level b-t|b-lt|b-lta` against the loopback PKI (openssl ts,
/// openssl ocsp, a CRL), then `konsekvens verify --at` a day after the signer's certificate
/// expired: B-T no longer holds (exit 1), B-LT and B-LTA do (exit 0) and say their level;
/// pdfsig and qpdf read the B-LTA file and it stays PDF/A; a level above B-B without --tsa
/// is refused with a code and writes nothing.
#[test]
fn sign_tsa_and_the_long_term_levels_from_the_command_line_outlive_the_certificate() {
    let Some(lab) = pki::Lab::new(1, 730) else { return };
    let pw = scratch("lt-pw.txt");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let sign_at = |level: &str| {
        let out = scratch(&format!("kbh-{level}.pdf"));
        let o = konsekvens([
            "sign".as_ref(), pdf("koebenhavn").as_os_str(), "--p12".as_ref(), lab.path("signer.p12").as_os_str(), "--password-file".as_ref(), pw.as_os_str(),
            "--out".as_ref(), out.as_os_str(), "--tsa".as_ref(), lab.tsa_url().as_ref(), "--level".as_ref(), level.as_ref(),
        ]);
        assert!(o.status.success(), "sign --level {level}: {}", stderr(&o));
        out
    };
    let files: Vec<(&str, PathBuf)> = ["b-t", "b-lt", "b-lta"].into_iter().map(|l| (l, sign_at(l))).collect();
    lab.offline(); // verifying uses only what the files hold
    let verify_at = |file: &Path, at: Option<i64>| {
        let mut args: Vec<std::ffi::OsString> = vec!["verify".into(), file.into(), "--trust".into(), lab.path("root.pem").into(), "--trust".into(), lab.path("tsaroot.pem").into()];
        if let Some(at) = at {
            args.extend(["--at".into(), pki::iso(at).into()]);
        }
        konsekvens(&args)
    };
    let after = lab.signer_expires + 86_400;
    for (level, file) in &files {
        let name = format!("PAdES {}", level.to_uppercase());
        let o = verify_at(file, None);
        assert_eq!(o.status.code(), Some(0), "{level} now: {}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains(&format!("niveau: {name}")), "{level}: {}", stdout(&o));
        let o = verify_at(file, Some(after));
        let report = stdout(&o);
        assert!(report.contains("certifikatet er udløbet på valideringstidspunktet"), "{level}: {report}");
        if *level == "b-t" {
            assert_eq!(o.status.code(), Some(1), "B-T after expiry must not hold: {report}");
            assert!(report.contains("langtidsgyldighed: IKKE GYLDIG"), "{report}");
        } else {
            assert_eq!(o.status.code(), Some(0), "{level} after expiry: {report}{}", stderr(&o));
            assert!(report.contains(&format!("niveau: {name}")) && report.contains("ikke spærret (OCSP i DSS)") && report.contains("ikke spærret (CRL i DSS)"), "{report}");
        }
    }
    let lta = &files[2].1;
    assert!(stdout(&verify_at(lta, Some(after))).contains("Dokumenttidsstempel 1:"));
    let o = tool_output("qpdf", &["--check".as_ref(), lta.as_os_str()]);
    assert!(o.status.success(), "qpdf: {}", stdout(&o));
    if let Some((ok, out)) = pdfa_check(lta, true) {
        assert!(ok, "PDF/A after B-LTA: {out}");
    }
    if have("pdfsig", &["-v"]) {
        let o = tool_output("pdfsig", &[lta.as_os_str()]);
        assert!(stdout(&o).contains("Signature is Valid") && stdout(&o).contains("Tidsstempel 2") && stdout(&o).contains("Total document signed"), "pdfsig: {}", stdout(&o));
    }
    // B-LT without a time-stamping service: refused, nothing written
    let out = scratch("kbh-no-tsa.pdf");
    let o = konsekvens(["sign".as_ref(), pdf("koebenhavn").as_os_str(), "--p12".as_ref(), lab.path("signer.p12").as_os_str(), "--password-file".as_ref(), pw.as_os_str(), "--out".as_ref(), out.as_os_str(), "--level".as_ref(), "b-lt".as_ref()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("K-TSA-MANGLER"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// Signed in (`konsekvens login`'s file, as a provider's name claim made it), the
/// høringsnotat — PDF and Word — names the signed-in people: the comment's writer and the
/// DPO who signed the answer off, not the names typed with --name and --dpo.
#[test]
fn the_hoeringsnotat_names_the_signed_in_person_not_a_typed_name() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("aula.konsekvens");
    assert!(konsekvens(["demo".as_ref(), ws.as_os_str()]).status.success());
    // A sign-in as `konsekvens login` keeps it (KONSEKVENS_CONFIG_DIR/log-ind.json).
    let signed_in = |who: &str, name: &str| {
        let config = dir.path().join(who);
        std::fs::create_dir_all(&config).unwrap();
        let credentials = serde_json::json!({
            "issuer": "https://login.example.dk", "client_id": "konsekvens-hub", "id_token": "eyJ.x.y", "refresh_token": null,
            "expires_at": 4_102_444_800u64, "subject": who, "name": name, "email": null
        });
        std::fs::write(config.join("log-ind.json"), credentials.to_string()).unwrap();
        config
    };
    let mette = signed_in("mette", "Mette Holm Signeret");
    let karin = signed_in("karin", "Karin Koordinator Signeret");
    let run = |config: Option<&Path>, args: &[&str]| {
        let mut c = std::process::Command::new(binary());
        c.args(args.iter().map(OsStr::new)).env("KONSEKVENS_AUTHOR", "e2e").env("KONSEKVENS_TODAY", TODAY);
        match config {
            Some(dir) => c.env("KONSEKVENS_CONFIG_DIR", dir),
            None => c.env("KONSEKVENS_CONFIG_DIR", dir.path().join("nobody")),
        };
        konsekvens_e2e::danish(&mut c).output().unwrap()
    };
    let w = ws.to_str().unwrap();
    let ok = |o: Output| {
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).trim().to_owned()
    };
    let round = ok(run(Some(&karin), &["hearing", "open", w, "--draft", "2025.2-udkast", "--deadline", "2099-12-31"]));
    let comment = ok(run(Some(&mette), &["comment", "add", w, "--org", "101", "--round", &round, "--item", "R6", "--text", "Vi savner logning af opslag.", "--name", "Indtastet Skribent"]));
    // Not signed in, an answer needs a DPO's name.
    let o = run(None, &["hearing", "answer", w, "--org", "101", "--round", &round, "--verdict", "bemaerkninger"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--dpo"), "{}", stderr(&o));
    let o = run(Some(&mette), &["hearing", "answer", w, "--org", "101", "--round", &round, "--verdict", "bemaerkninger", "--dpo", "Indtastet DPO"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--dpo bruges ikke: du er logget ind som Mette Holm Signeret"), "{}", stderr(&o));
    ok(run(Some(&karin), &["hearing", "respond", w, "--comment", &comment, "--outcome", "indarbejdet", "--reason", "Logning tilføjet."]));
    ok(run(Some(&karin), &["hearing", "close", w, "--round", &round, "--release", "2025.2"]));

    let pdf = dir.path().join("notat.pdf");
    let docx = dir.path().join("notat.docx");
    for out in [&pdf, &docx] {
        ok(run(None, &["export", "hearing-notat", w, "--round", &round, "--out", out.to_str().unwrap()]));
    }
    let text = text_of(&pdf, &["-layout"]);
    let mut word = String::new();
    std::io::Read::read_to_string(&mut zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).unwrap().by_name("word/document.xml").unwrap(), &mut word).unwrap();
    for (what, doc) in [("PDF", &text), ("Word", &word)] {
        assert!(doc.contains("Mette Holm Signeret"), "{what}: the signed-in writer and DPO are named:\n{doc}");
        assert!(doc.contains("Karin Koordinator Signeret"), "{what}: the signed-in coordinator opened the round:\n{doc}");
        for typed in ["Indtastet DPO", "Indtastet Skribent"] {
            assert!(!doc.contains(typed), "{what}: a typed name ({typed}) is printed:\n{doc}");
        }
    }
    // The DPO column of the answers' table: the signed-in person, with the date.
    assert!(text.lines().any(|l| l.contains("København (101)") && l.contains("Mette Holm")), "{text}");
    assert!(text.contains("København (Mette Holm Signeret)"), "the comment's writer: {text}");
}
