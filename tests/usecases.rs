//! The use cases the CLI shares with the app through the core (`konsekvens_core::usecase`):
//! creating a joint DPIA (`konsekvens new`, the app's start view) and recording a signing
//! (`konsekvens sign --record`, the app's signing) — and errors with codes, in Danish by
//! default and in English on request. Run `cargo build -p konsekvens-cli` first.

#[path = "../crates/pdf/tests/common/verifiers.rs"]
mod verifiers;

use konsekvens_core::model::OrgCode;
use konsekvens_core::usecase::{self, NewDpia};
use konsekvens_core::{Author, FixedEnv, SystemEnv, Workspace};
use konsekvens_e2e::{binary, konsekvens, stderr, stdout, TODAY};
use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

fn open(path: &Path) -> Workspace {
    Workspace::open(path, Arc::new(SystemEnv)).unwrap()
}

#[test]
fn new_creates_the_joint_dpia_the_app_creates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("skoleportal.konsekvens");
    let args = |p: &Path| -> Vec<std::ffi::OsString> {
        let mut v: Vec<std::ffi::OsString> = ["new".into(), p.as_os_str().to_owned()].into();
        for a in ["--title", "Konsekvensanalyse for Skoleportal", "--system", "Skole Portal", "--participant", "101 København KBH", "--participant", "561 Esbjerg"] {
            v.push(a.into());
        }
        v
    };
    let out = konsekvens(args(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Oprettede"), "{}", stderr(&out));
    let orgs = konsekvens(["orgs".as_ref(), path.as_os_str()]);
    assert_eq!(stdout(&orgs), "101\tKøbenhavn\tKBH\n561\tEsbjerg\tESB\n");

    // The same values as the use case the app's create_workspace calls.
    let by_app = dir.path().join("app.konsekvens");
    let participants = vec![
        konsekvens_core::model::Participant::parse_line("101 København KBH").unwrap(),
        konsekvens_core::model::Participant::parse_line("561 Esbjerg").unwrap(),
    ];
    let spec = NewDpia { title: "Konsekvensanalyse for Skoleportal".into(), system: "Skole Portal".into(), coordinator: "KL/KOMBIT".into(), participants };
    let app = usecase::create_joint_dpia(&by_app, Arc::new(FixedEnv::new(0, 1)), &Author::new("app", None), &spec).unwrap();
    let cli = open(&path);
    assert_eq!(cli.view().coordination().unwrap(), app.view().coordination().unwrap());
    assert_eq!(cli.view().base().unwrap(), app.view().base().unwrap());
    assert_eq!(cli.view().base().unwrap().meta.dpia_id, "skoleportal");
    assert_eq!(cli.view().supplement(OrgCode(561)).unwrap(), app.view().supplement(OrgCode(561)).unwrap());
    // The check runs on it (an empty DPIA: errors, not a crash).
    let check = konsekvens(["check".as_ref(), path.as_os_str(), "--org".as_ref(), "101".as_ref()]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));

    // Never over an existing file; never without a title; a participant it cannot read.
    let before = std::fs::read(&path).unwrap();
    let again = konsekvens(args(&path));
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("[K-FIL-FINDES]"), "{}", stderr(&again));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let untitled = dir.path().join("uden-titel.konsekvens");
    let out = konsekvens(["new".as_ref(), untitled.as_os_str(), "--title".as_ref(), " ".as_ref(), "--system".as_ref(), "X".as_ref()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("[K-NY-TITEL] Giv konsekvensanalysen en titel"), "{}", stderr(&out));
    assert!(!untitled.exists());
    let out = konsekvens(["new".as_ref(), untitled.as_os_str(), "--title".as_ref(), "T".as_ref(), "--system".as_ref(), "X".as_ref(), "--participant".as_ref(), "København 101".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("[K-NY-DELTAGER]") && stderr(&out).contains("«København 101»"), "{}", stderr(&out));
    assert!(!untitled.exists());
}

#[test]
fn sign_record_records_the_signing_in_the_supplement_as_the_app_does() {
    let Some(keys) = verifiers::keys() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("aula.konsekvens");
    assert!(konsekvens(["demo".as_ref(), ws.as_os_str()]).status.success());
    let pdf = dir.path().join("kbh.pdf");
    let out = konsekvens(["export".as_ref(), "pdf".as_ref(), ws.as_os_str(), "--org".as_ref(), "101".as_ref(), "--out".as_ref(), pdf.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pw = dir.path().join("pw");
    std::fs::write(&pw, format!("{}\n", verifiers::PASSWORD)).unwrap();
    let p12 = keys.path("rsa.p12");
    let sign = |out: &Path, org: &str| {
        let args: Vec<&OsStr> = vec![
            "sign".as_ref(), pdf.as_os_str(), "--p12".as_ref(), p12.as_os_str(), "--password-file".as_ref(), pw.as_os_str(),
            "--out".as_ref(), out.as_os_str(), "--name".as_ref(), "Anna Borg".as_ref(),
            "--record".as_ref(), ws.as_os_str(), "--org".as_ref(), org.as_ref(), "--capacity".as_ref(), "Direktør".as_ref(),
        ];
        konsekvens(args)
    };
    let before = open(&ws).view().supplement(OrgCode(101)).unwrap();
    let signed = dir.path().join("kbh-underskrevet.pdf");
    let out = sign(&signed, "101");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Registrerede underskriften"), "{}", stderr(&out));
    let after = open(&ws).view().supplement(OrgCode(101)).unwrap();
    assert_eq!(after.signings.len(), before.signings.len() + 1);
    let s = after.signings.iter().find(|s| !before.signings.contains(s)).expect("the new signing");
    assert_eq!((s.signer.as_str(), s.capacity.as_str()), ("Anna Borg", "Direktør"));
    assert_eq!(s.pdf_sha256, konsekvens_core::release::sha256_hex(&std::fs::read(&signed).unwrap()), "the digest of the file written");
    assert_eq!(s.base_release, after.meta.base_release);
    assert_eq!(s.date.map(|d| d.to_string()).as_deref(), Some(TODAY), "today by the pinned clock");
    // The signed file verifies, and the coordinator's overview shows the signing.
    let v = konsekvens(["verify".as_ref(), signed.as_os_str(), "--trust".as_ref(), keys.path("ca.pem").as_os_str()]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
    let status = konsekvens(["status".as_ref(), ws.as_os_str(), "--json".as_ref()]);
    assert!(stdout(&status).contains(&s.pdf_sha256), "the overview's last signing: {}", stdout(&status));

    // A municipality that does not take part: refused before anything is signed or written.
    let nowhere = dir.path().join("ingen.pdf");
    let out = sign(&nowhere, "999");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("[K-ORG-UKENDT] kommune 999 deltager ikke"), "{}", stderr(&out));
    assert!(!nowhere.exists());
    // --record needs --org and --capacity (bad usage).
    let out = konsekvens(["sign".as_ref(), pdf.as_os_str(), "--p12".as_ref(), p12.as_os_str(), "--password-file".as_ref(), pw.as_os_str(), "--out".as_ref(), nowhere.as_os_str(), "--record".as_ref(), ws.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn errors_carry_a_code_and_read_in_danish_unless_english_is_asked_for() {
    let missing = "/nonexistent/x.konsekvens";
    let run = |extra: &[&str], lang_env: Option<&str>| {
        let mut c = std::process::Command::new(binary());
        c.args(["show", missing]).args(extra).env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
        if let Some(l) = lang_env {
            c.env("LANG", l);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        stderr(&o)
    };
    let da = run(&[], None);
    assert!(da.starts_with("konsekvens: [K-FIL-FINDES-IKKE] ") && da.contains("arbejdsfilen findes ikke"), "{da}");
    let en = run(&["--lang", "en"], None);
    assert!(en.starts_with("konsekvens: [K-FIL-FINDES-IKKE] ") && en.contains("no such workspace file") && !en.contains("arbejdsfilen"), "{en}");
    let locale = run(&[], Some("en_GB.UTF-8"));
    assert_eq!(locale, en, "an English locale chooses English");
    assert_eq!(run(&["--lang", "da"], Some("en_GB.UTF-8")), da, "the flag wins over the locale");
    assert_eq!(run(&[], Some("da_DK.UTF-8")), da);

    // A point in the log the user typed: refused with its code, before anything is opened.
    let o = konsekvens(["diff", missing, "--from", "#x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[K-PUNKT] «#x» er ikke et punkt i loggen"), "{}", stderr(&o));

    // A call clap refuses (an unknown flag, a bad value): coded and in the user's language,
    // clap's own lines (the argument, the usage) after it.
    let o = konsekvens(["show", missing, "--bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("konsekvens: [K-KALD] Ugyldigt kald: ukendt argument (--bogus)"), "{}", stderr(&o));
    let o = konsekvens(["check", missing, "--org", "abc", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("konsekvens: [K-KALD] Invalid call: invalid value «abc»"), "{}", stderr(&o));
    assert!(konsekvens(["--help"]).status.success(), "help is not an error");
}
