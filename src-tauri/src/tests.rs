//! The commands, driven through Tauri's IPC on the mock runtime (no display needed), and the
//! plain helpers behind them.

use super::*;
use crate::session::AppState;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

fn app(launch: Launch) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = setup(mock_builder(), launch, AppState::new(None, None))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock window");
    (app, webview)
}

fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("JSON response"))
}

#[test]
fn launch_prefers_the_argument_then_the_environment_then_the_data_dir() {
    let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
    let env = Some(OsString::from("/tmp/env.konsekvens"));
    assert_eq!(
        Launch::from_parts(args(&["/tmp/arg.konsekvens"]), env.clone()).workspace,
        Some("/tmp/arg.konsekvens".into())
    );
    assert_eq!(
        Launch::from_parts(args(&["--verbose"]), env.clone()).workspace,
        Some("/tmp/env.konsekvens".into())
    );
    assert_eq!(
        Launch::from_parts(args(&[]), Some(OsString::new())).workspace,
        None
    );
    let none = Launch::default();
    assert_eq!(
        none.sample_path(Some("/data".into())).unwrap(),
        PathBuf::from("/data").join(SAMPLE_FILE)
    );
    assert!(none.sample_path(None).unwrap_err().da.contains(WORKSPACE_ENV));
}

/// The committed generated file at `relative` (to this crate) is `generated`; with
/// KONSEKVENS_WRITE_BINDINGS=1 it is written instead.
#[test]
fn compositing_is_turned_off_unless_the_user_chose() {
    use std::ffi::OsStr;
    // Nothing set: off (the memory measured in README «Memory»).
    assert!(disable_compositing(None, None));
    assert!(disable_compositing(None, Some(OsStr::new(""))));
    // WebKit's own switch, either way, is the user's choice.
    assert!(!disable_compositing(Some(OsStr::new("0")), None));
    assert!(!disable_compositing(Some(OsStr::new("1")), None));
    // Asked for compositing.
    assert!(!disable_compositing(None, Some(OsStr::new("1"))));
}

fn assert_generated_current(relative: &str, generated: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("KONSEKVENS_WRITE_BINDINGS").is_some() {
        std::fs::write(&path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "{} is stale: run `KONSEKVENS_WRITE_BINDINGS=1 cargo test -p konsekvens-app bindings`", path.display());
}

/// The committed TypeScript bindings are what the commands generate.
#[test]
fn bindings_are_current() {
    assert_generated_current(BINDINGS, &bindings().expect("bindings export"));
}

/// The committed catalogue and words (`ui/src/catalogue.ts`) are what the core generates.
#[test]
fn catalogue_bindings_are_current() {
    assert_generated_current(crate::catalogue::CATALOGUE, &crate::catalogue::catalogue_ts());
}

#[test]
fn a_panic_becomes_an_error_string() {
    assert_eq!(
        guard(|| -> Result<(), konsekvens_core::UserError> { panic!("boom") }).map_err(|e| (e.code, e.da)),
        Err(("K-INTERN".to_string(), "Intern fejl: boom".to_string()))
    );
    assert_eq!(guard(|| Ok(7)), Ok(7));
}

#[test]
fn commands_without_an_open_workspace_say_so() {
    let (_app, webview) = app(Launch::default());
    let err = invoke(&webview, "participants", json!({})).unwrap_err();
    assert_eq!(invoke(&webview, "current", json!({})).unwrap(), json!(null), "no launch path: the start screen");
    assert_eq!(err["da"], json!("Intet arbejdsområde er åbent"));
    assert_eq!((&err["code"], &err["en"]), (&json!("K-APP-INTET-AABENT"), &json!("No workspace is open")));
}

#[test]
fn open_workspace_reports_a_missing_file_with_the_core_error_text() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(Launch::default());
    let missing = dir.path().join("findes-ikke.konsekvens");
    let err = invoke(&webview, "open_workspace", json!({ "path": missing })).unwrap_err();
    let expected = konsekvens_core::Workspace::open(&missing, std::sync::Arc::new(konsekvens_core::SystemEnv))
        .unwrap_err()
        .to_string();
    assert_eq!(err["en"], json!(expected));
    assert_eq!(err["code"], json!("K-FIL-FINDES-IKKE"));
    assert_eq!(err["item"], json!(missing.display().to_string()), "the error names the file it concerns");
}

#[test]
fn open_sample_creates_the_demo_once_and_serves_its_views() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("demo.konsekvens");
    let (_app, webview) = app(Launch {
        workspace: Some(path.clone()),
    });

    let opened = invoke(&webview, "current", json!({})).expect("current").clone();
    assert_eq!(opened["created"], json!(true), "a launch path opens (and writes) the sample at start");
    let again = invoke(&webview, "open_sample", json!({})).expect("open_sample");
    assert_eq!(again["created"], json!(false));
    assert_eq!(opened["path"], json!(path.display().to_string()));
    let codes: Vec<u64> = opened["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["code"].as_u64())
        .collect();
    for code in [101, 561, 751] {
        assert!(
            codes.contains(&code),
            "participant {code} missing from {codes:?}"
        );
    }

    let participants = invoke(&webview, "participants", json!({})).unwrap();
    assert_eq!(participants, opened["participants"]);

    let kbh = invoke(&webview, "effective", json!({ "org": 101 })).expect("effective 101");
    assert_eq!(kbh["org"]["code"], json!(101));
    let risks = kbh["items"]["risks"].as_array().unwrap();
    assert!(!risks.is_empty());
    // København's supplement shows: local items, deviations or base items marked not applicable
    let entries: Vec<&Value> = kbh["items"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap())
        .collect();
    assert!(
        entries.iter().any(|e| e["origin"] == json!("local")
            || !e["deviation"].is_null()
            || !e["not_applicable"].is_null()),
        "København's effective DPIA equals the base"
    );
    assert!(risks[0]["inherent"]["confidentiality"]
        .get("consequence")
        .is_some());

    let base = invoke(&webview, "base", json!({})).expect("base");
    assert_eq!(
        base["items"]["risks"].as_array().unwrap().len(),
        risks
            .iter()
            .filter(|r| r["origin"] == json!("base"))
            .count()
    );

    let err = invoke(&webview, "effective", json!({ "org": 999 })).unwrap_err();
    assert_eq!(
        err["en"],
        json!(konsekvens_core::WorkspaceError::UnknownOrg(konsekvens_core::model::OrgCode(999)).to_string())
    );
    assert_eq!((&err["code"], &err["da"]), (&json!("K-ORG-UKENDT"), &json!("kommune 999 deltager ikke i denne fælles konsekvensanalyse")));

    // a second start opens the existing file instead of writing a new one
    let (_app2, webview2) = app(Launch {
        workspace: Some(path.clone()),
    });
    let again = invoke(&webview2, "open_sample", json!({})).unwrap();
    assert_eq!(again["created"], json!(false));
    assert_eq!(again["participants"], opened["participants"]);

    // and open_workspace reaches the same file by path
    let (_app3, webview3) = app(Launch::default());
    let by_path = invoke(&webview3, "open_workspace", json!({ "path": path })).unwrap();
    assert_eq!(by_path["title"], opened["title"]);
}

#[test]
fn editing_through_commands_is_typed_durable_and_undoable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.konsekvens");
    let (_app, webview) = app(Launch { workspace: Some(path.clone()) });
    invoke(&webview, "open_sample", json!({})).unwrap();
    let risk = invoke(&webview, "new_item", json!({ "doc": "supplement/101", "kind": "risk" })).expect("new_item");
    assert_eq!(risk["kind"], json!("risk"));
    assert_eq!(risk["item"]["reference"], json!("KBH-R2"));
    let mut edited = risk.clone();
    edited["item"]["title"] = json!("Forældre deler skærmbilleder af beskeder");
    edited["item"]["inherent"]["confidentiality"]["consequence"] = json!("very_serious");
    edited["item"]["inherent"]["confidentiality"]["consequence_reason"] = json!("Beskeder om børn kan spredes");
    invoke(&webview, "put_item", json!({ "doc": "supplement/101", "item": edited })).expect("put_item");
    let kbh = invoke(&webview, "effective", json!({ "org": 101 })).unwrap();
    let found = kbh["items"]["risks"].as_array().unwrap().iter().find(|r| r["reference"] == json!("KBH-R2")).expect("the new risk").clone();
    assert_eq!(found["origin"], json!("local"));
    assert_eq!(found["inherent"]["confidentiality"]["consequence"], json!("very_serious"));

    // The check sees it: a local risk without a measure.
    let report = invoke(&webview, "check", json!({ "org": 101 })).unwrap();
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["reference"] == json!("KBH-R2")), "{report}");

    // Undo takes the put back, then the creation.
    let u = invoke(&webview, "undo", json!({})).unwrap();
    assert_eq!(u["changed"], json!("supplement/101"));
    let kbh = invoke(&webview, "effective", json!({ "org": 101 })).unwrap();
    let found = kbh["items"]["risks"].as_array().unwrap().iter().find(|r| r["reference"] == json!("KBH-R2")).cloned();
    assert!(found.map(|r| r["title"] != json!("Forældre deler skærmbilleder af beskeder")).unwrap_or(true));

    // A bad document name and a bad item are refused with the core's words.
    let err = invoke(&webview, "put_item", json!({ "doc": "supplement/xyz", "item": edited })).unwrap_err();
    assert!(err["en"].as_str().unwrap().contains("names no document"), "{err}");
    assert_eq!(err["code"], json!("K-DOK-UKENDT"), "the webview can branch on the code");
    let err = invoke(&webview, "put_item", json!({ "doc": "base", "item": { "kind": "not_applicable", "item": { "target": "x" } } })).unwrap_err();
    assert!(err["en"].as_str().unwrap().contains("supplement"), "{err}");
    assert!(err["da"].as_str().unwrap().contains("tillæg"), "{err}");
}

/// The two codes no CLI run can reach (tests/check_codes.rs exempts them: `import json`
/// refuses dangling links and deviations, and the CLI deletes no items) arise in a real run of
/// the app: the coordinator deletes a risk a measure still mitigates and a municipality has
/// declared «ikke relevant», then publishes, and the municipality confirms the new release.
#[test]
fn deleting_a_linked_risk_in_the_app_is_found_as_a_dangling_link_and_an_unresolved_deviation() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(Launch { workspace: Some(dir.path().join("demo.konsekvens")) });
    invoke(&webview, "open_sample", json!({})).unwrap();
    let codes = |org: Value| -> Vec<String> {
        let report = invoke(&webview, "check", json!({ "org": org })).unwrap();
        report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!codes(json!(null)).contains(&"K-5-2-REF-DANGLING".to_owned()));
    assert!(!codes(json!(101)).contains(&"K-JOINT-UNRESOLVED".to_owned()));

    let base = invoke(&webview, "base", json!({})).unwrap();
    let risk = base["items"]["measures"].as_array().unwrap().iter()
        .find_map(|m| m["mitigates"].as_array().and_then(|r| r.first()).cloned())
        .expect("a base measure that mitigates a risk");
    invoke(&webview, "put_item", json!({ "doc": "supplement/101", "item": { "kind": "not_applicable", "item": {
        "target": risk, "justification": "Københavns skoler bruger ikke funktionen; vi har slået den fra i vores opsætning, så risikoen opstår ikke hos os." } } }))
        .expect("København declares the risk not relevant");
    assert_eq!(invoke(&webview, "remove_item", json!({ "doc": "base", "kind": "risk", "id": risk })).unwrap(), json!(true));
    assert!(codes(json!(null)).contains(&"K-5-2-REF-DANGLING".to_owned()), "the base's measure points at the deleted risk");

    invoke(&webview, "publish_release", json!({ "name": "2026.2", "date": "2026-12-01", "note": "Risiko fjernet" })).expect("publish");
    invoke(&webview, "confirm_release", json!({ "org": 101, "name": "2026.2" })).expect("København confirms");
    assert!(codes(json!(101)).contains(&"K-JOINT-UNRESOLVED".to_owned()), "København's deviation names a risk its release no longer has");
}

#[test]
fn the_webview_mirror_gets_the_state_and_sends_raw_updates() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(Launch { workspace: Some(dir.path().join("demo.konsekvens")) });
    invoke(&webview, "open_sample", json!({})).unwrap();
    let raw = |cmd: &str, doc: &str, body: InvokeBody| {
        let mut headers = tauri::http::HeaderMap::new();
        headers.insert(yjs::DOC_HEADER, doc.parse().unwrap());
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body,
                headers,
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
    };
    let state = match raw("doc_state", "base", InvokeBody::Json(json!({}))).expect("doc_state") {
        tauri::ipc::InvokeResponseBody::Raw(bytes) => bytes,
        other => panic!("expected raw bytes, got {other:?}"),
    };
    // The webview's Yjs document: a copy of the base with a sentence typed into the summary.
    let mirror = konsekvens_core::DpiaDoc::new(konsekvens_core::DocKey::Base, 4242);
    mirror.apply_update(&state).unwrap();
    let mut description = mirror.section::<konsekvens_core::model::Description>().unwrap();
    description.summary.0.push_str(" Tilføjet i appen.");
    let (_, update) = mirror.edit(|e| e.set(&description)).unwrap();
    raw("apply_doc_update", "base", InvokeBody::Raw(update)).expect("apply_doc_update");
    let base = invoke(&webview, "base", json!({})).unwrap();
    assert!(base["description"]["summary"].as_str().unwrap().ends_with("Tilføjet i appen."));
    let err = raw("apply_doc_update", "base", InvokeBody::Raw(b"not an update".to_vec())).unwrap_err();
    assert!(err.to_string().contains("K-CRDT-MALFORMED"), "{err}");
    assert!(raw("apply_doc_update", "nowhere", InvokeBody::Raw(vec![0])).is_err());
}

/// After the first refresh only what changed crosses IPC, and applying it gives exactly the
/// view a fresh refresh sends; a stale generation or another municipality gets the whole view.
#[test]
fn refresh_sends_the_whole_view_once_then_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = app(Launch { workspace: Some(dir.path().join("demo.konsekvens")) });
    invoke(&webview, "open_sample", json!({})).unwrap();
    let first = invoke(&webview, "refresh", json!({ "org": 101, "since": null })).expect("refresh");
    let mut held = first["full"].clone();
    assert_eq!(held["dpia"]["org"]["code"], json!(101));
    assert_eq!(held["report"], invoke(&webview, "check", json!({ "org": 101 })).unwrap(), "the same check as the check command");
    assert_eq!(held["dpia"], invoke(&webview, "effective", json!({ "org": 101 })).unwrap());
    let releases = held["coordination"]["releases"].as_array().unwrap();
    assert!(!releases.is_empty() && releases.iter().all(|r| r["content"] == json!("")), "release bases are not sent");

    let nothing = invoke(&webview, "refresh", json!({ "org": 101, "since": first["generation"] })).unwrap();
    assert_eq!(nothing["full"], json!(null));
    assert_eq!(nothing["changes"], json!([]), "nothing changed, nothing sent");

    // One field of a base risk: the change names that field (and what the check derives).
    let risk = held["dpia"]["items"]["risks"][0]["id"].clone();
    invoke(&webview, "patch_item", json!({ "doc": "base", "kind": "risk", "id": risk, "patch": { "title": "Ny titel" } })).unwrap();
    let delta = invoke(&webview, "refresh", json!({ "org": null, "since": nothing["generation"] })).unwrap();
    assert!(delta["full"].is_object(), "another scope than the one held: the whole view");
    let base_gen = delta["generation"].clone();
    invoke(&webview, "patch_item", json!({ "doc": "base", "kind": "risk", "id": risk, "patch": { "title": "Endnu en titel" } })).unwrap();
    let delta = invoke(&webview, "refresh", json!({ "org": null, "since": base_gen })).unwrap();
    let changes: Vec<refresh::Change> = serde_json::from_value::<Vec<Value>>(delta["changes"].clone()).unwrap().into_iter().map(change_of).collect();
    assert_eq!(delta["since"], base_gen);
    assert!(delta["full"].is_null() && !changes.is_empty());
    assert!(delta["changes"].to_string().len() < 2048, "a title edit sends a few hundred bytes: {}", delta["changes"]);
    let mut view = invoke(&webview, "refresh", json!({ "org": null, "since": null })).unwrap()["full"].clone();
    let fresh = view.clone();
    view["dpia"]["items"]["risks"][0]["title"] = json!("Ny titel");
    refresh::apply(&mut view, &changes);
    assert_eq!(view, fresh, "the changes turn the held view into the current one");

    // København's view is held from before the two edits: a stale generation gets it whole.
    let stale = invoke(&webview, "refresh", json!({ "org": 101, "since": first["generation"] })).unwrap();
    assert!(stale["full"].is_object());
    held = stale["full"].clone();
    assert_eq!(held["dpia"]["org"]["code"], json!(101));
}

/// A change as the webview receives it, read back for `refresh::apply`.
fn change_of(v: Value) -> refresh::Change {
    let path = |v: &Value| -> Vec<refresh::Step> {
        v.as_array().unwrap().iter().map(|s| match s {
            Value::String(k) => refresh::Step::Key(k.clone()),
            n => refresh::Step::Index(n.as_u64().unwrap() as u32),
        }).collect()
    };
    match v["op"].as_str().unwrap() {
        "set" => refresh::Change::Set { path: path(&v["path"]), value: v["value"].clone() },
        "remove" => refresh::Change::Remove { path: path(&v["path"]) },
        "truncate" => refresh::Change::Truncate { path: path(&v["path"]), len: v["len"].as_u64().unwrap() as u32 },
        op => panic!("unknown op {op}"),
    }
}

/// A policy file as the MSI writes it (CRLF, a BOM), read through the same path the app
/// takes at start: its settings are applied, listed as managed and cannot be changed; the
/// sample is not offered.
#[test]
fn managed_settings_from_the_policy_file_are_applied_and_cannot_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.ini");
    std::fs::write(
        &file,
        "\u{feff}[Konsekvens]\r\nhub=wss://hub.kl.dk\r\ndpia=aula\r\norg=561\r\nlanguage=en\r\ntsa=https://tsa.example.dk\r\nupdate_check=false\r\noffer_sample=false\r\n",
    )
    .unwrap();
    let policy = konsekvens_core::policy::Policy::read(&file).map_err(UserError::from);
    let state = AppState::with_policy(None, None, policy);
    let app = setup(mock_builder(), Launch { workspace: Some(dir.path().join("s.konsekvens")) }, state)
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window");

    let s = invoke(&webview, "settings", json!({})).unwrap();
    assert_eq!((s["org"].clone(), s["language"].clone()), (json!(561), json!("en")), "{s}");
    assert_eq!(s["policy"]["hub"], "wss://hub.kl.dk");
    assert_eq!(s["policy"]["tsa"], "https://tsa.example.dk");
    assert_eq!(s["managed"].as_array().unwrap().len(), 7, "{s}");

    // The name is the user's; the managed municipality and language are not.
    let saved = invoke(&webview, "save_settings", json!({ "userName": "Mette", "org": 561, "language": "en" })).unwrap();
    assert_eq!(saved["user_name"], "Mette");
    let refused = invoke(&webview, "save_settings", json!({ "userName": "Mette", "org": 101, "language": "en" })).unwrap_err();
    assert_eq!(refused["code"], "K-POLITIK-STYRET", "{refused}");
    assert_eq!(refused["item"], "org");
    let refused = invoke(&webview, "save_settings", json!({ "userName": "Mette", "org": 561, "language": "da" })).unwrap_err();
    assert_eq!(refused["code"], "K-POLITIK-STYRET", "{refused}");
    let refused = invoke(&webview, "open_sample", json!({})).unwrap_err();
    assert_eq!(refused["code"], "K-POLITIK-EKSEMPEL", "{refused}");
    // The managed time-stamping service is the one signing uses; the level stays the user's.
    assert_eq!(s["tsa"], "https://tsa.example.dk", "{s}");
    let refused = invoke(&webview, "save_signing", json!({ "tsa": "https://andet.example.dk", "level": "b-lta" })).unwrap_err();
    assert_eq!((refused["code"].clone(), refused["item"].clone()), (json!("K-POLITIK-STYRET"), json!("tsa")), "{refused}");
    let saved = invoke(&webview, "save_signing", json!({ "tsa": "https://tsa.example.dk", "level": "b-lta" })).unwrap();
    assert_eq!((saved["tsa"].clone(), saved["signature_level"].clone()), (json!("https://tsa.example.dk"), json!("b-lta")), "{saved}");
    let settings = tauri::Manager::state::<AppState>(&app).settings();
    assert_eq!((settings.level(), settings.tsa().map(|t| t.url)), (konsekvens_pdf::Level::BLta, Some("https://tsa.example.dk".to_owned())));
    assert!(!dir.path().join("s.konsekvens").exists(), "nothing was written");

    // A policy file that does not fit is shown, coded, and manages nothing.
    let bad = dir.path().join("bad.ini");
    std::fs::write(&bad, "[Konsekvens]\r\norg=KBH\r\n").unwrap();
    let state = AppState::with_policy(None, None, konsekvens_core::policy::Policy::read(&bad).map_err(UserError::from));
    let s = state.settings();
    assert_eq!(s.policy_error.as_ref().map(|e| e.code.as_str()), Some("K-POLITIK-VAERDI"));
    assert!(s.managed.is_empty());
    // Unmanaged: the user's own service and level; a level above B-B needs a service.
    assert_eq!(s.level(), konsekvens_pdf::Level::BB, "no service: B-B");
    state.update_settings(|s| s.tsa = "https://tsa.example.dk".into()).unwrap();
    assert_eq!(state.settings().level(), konsekvens_pdf::Level::BT, "a service and no level chosen: B-T");
}

/// The høring through the commands: the sample's finished round as København reads it, a
/// comment with a «forslag» on the released base, the coordinator's acceptance (a change of
/// the base) and the round's status — who acts is the user's settings.
#[test]
fn the_hoering_through_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.konsekvens");
    let (_app, webview) = app(Launch { workspace: Some(path) });
    invoke(&webview, "current", json!({})).expect("current");
    let act_as = |org: Value| invoke(&webview, "save_settings", json!({ "userName": "Test DPO", "org": org, "language": "da" })).expect("save_settings");

    act_as(json!(101));
    let h = invoke(&webview, "hearing", json!({})).expect("hearing");
    assert_eq!(h["me"], "101");
    assert_eq!(h["rounds"][0]["release"], "2025.1", "the sample's round is behind its release");
    let after = h["after"].as_array().unwrap();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["response"]["outcome"], "taken_into_account");
    assert_eq!(after[0]["response"]["accepted_before"], "likely");

    let reference = invoke(&webview, "comment_add", json!({ "comment": {
        "item": "risk-adgangskontrol-mangelfuld", "field": "inherent.confidentiality", "text": "Forventet, ikke sandsynlig",
        "proposal_field": "inherent.confidentiality.likelihood", "proposal_value": "expected", "objection": true } }))
    .expect("comment_add");
    let reference = reference.as_str().unwrap().to_owned();
    assert!(reference.starts_with("101/b-"), "{reference}");
    let h = invoke(&webview, "hearing", json!({})).expect("hearing");
    let thread = h["threads"].as_array().unwrap().iter().find(|t| t["opening"]["reference"] == reference.as_str()).expect("the new thread").clone();
    assert_eq!(thread["opening"]["proposal"]["current"], "likely", "the «forslag» is shown against the base now");
    // A municipality cannot answer comments.
    let refused = invoke(&webview, "hearing_respond", json!({ "reference": reference, "outcome": "taken_into_account", "reason": "", "decision": "accept" })).unwrap_err();
    assert_eq!(refused["code"], "K-HOER-KUN-KOORDINATOR");

    act_as(Value::Null);
    invoke(&webview, "hearing_respond", json!({ "reference": reference, "outcome": "taken_into_account", "reason": "Enig", "decision": "accept" })).expect("respond");
    let base = invoke(&webview, "base", json!({})).expect("base");
    let r1 = base["items"]["risks"].as_array().unwrap().iter().find(|r| r["id"] == "risk-adgangskontrol-mangelfuld").unwrap();
    assert_eq!(r1["inherent"]["confidentiality"]["likelihood"], "expected");
    let h = invoke(&webview, "hearing", json!({})).expect("hearing");
    assert_eq!(h["me"], "coordinator");
    let thread = h["threads"].as_array().unwrap().iter().find(|t| t["opening"]["reference"] == reference.as_str()).unwrap().clone();
    assert_eq!(thread["response"]["proposal"], "accepted");
    assert!(thread["response"]["change_seq"].as_i64().unwrap() > 0);
    let bad = invoke(&webview, "hearing_answer", json!({ "round": 1, "verdict": "perhaps", "note": "", "dpo": "x", "dpoDate": "2026-01-01" })).unwrap_err();
    assert_eq!(bad["code"], "K-HOER-SVAR");
}

/// The høring synced live between three apps through a real hub (in this process, on
/// loopback): København comments for the first time — a private thread on its supplement and
/// a comment on the base — while the coordinator's and Esbjerg's apps are open and live. The
/// coordinator's app receives both documents as they appear; Esbjerg's receives the public
/// one and never the private thread. Presence names the thread København is writing in.
#[test]
fn the_hoering_syncs_live_between_apps_through_a_hub() {
    use konsekvens_core::doc::Party;
    use konsekvens_core::model::{Base, Coordination, OrgCode, Participant};
    use konsekvens_core::{Author, Workspace};
    use konsekvens_hub::{BasePolicy, HubStore, Role, ServeConfig, Server, SyncOptions};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use tauri::Manager;

    let dir = tempfile::tempdir().unwrap();
    let hubdir = dir.path().join("hub");
    let (kl, kbh, esb) = {
        let mut store = HubStore::open(&hubdir).unwrap();
        for (code, name) in [("KL", "KL / KOMBIT"), ("101", "København"), ("561", "Esbjerg")] {
            store.add_org(code, name).unwrap();
        }
        store.add_dpia("aula", "AULA", "KL", BasePolicy::CoordinatorOnly, &["101", "561"]).unwrap();
        let token = |org: &str, role| store.issue_token(org, role, org).unwrap().secret;
        (token("KL", Role::Coordinator), token("101", Role::Member), token("561", Role::Member))
    };
    let server = tauri::async_runtime::block_on(Server::bind(ServeConfig::new(&hubdir, "127.0.0.1:0".parse().unwrap()))).unwrap();
    let url = format!("ws://{}/dpia/aula", server.local_addr());
    let (stop_hub, hub_stopped) = tokio::sync::oneshot::channel::<()>();
    let hub = tauri::async_runtime::spawn(server.run(async move {
        let _ = hub_stopped.await;
    }));

    // The coordinator's workspace, on the hub; each municipality's filled by a first sync.
    let coordination = Coordination {
        coordinator: "KL / KOMBIT".into(),
        participants: vec![
            Participant { code: Some(OrgCode(101)), name: "København".into(), ref_prefix: "KBH".into() },
            Participant { code: Some(OrgCode(561)), name: "Esbjerg".into(), ref_prefix: "ESB".into() },
        ],
        ..Coordination::default()
    };
    let mut base = Base::default();
    base.meta.dpia_id = "aula".into();
    base.meta.title = "AULA".into();
    let first_sync = |path: &std::path::Path, token: &str, party: Party, create: bool| {
        let env: Arc<dyn konsekvens_core::Env> = Arc::new(konsekvens_core::SystemEnv);
        let mut ws = if create { Workspace::create(path, env).unwrap() } else { Workspace::open(path, env).unwrap() };
        let opts = SyncOptions { party: Some(party), ..SyncOptions::default() };
        let report = tauri::async_runtime::block_on(konsekvens_hub::sync_once_with(&mut ws, &url, token, &opts)).unwrap();
        assert!(report.in_sync(), "{report}");
    };
    let paths = [dir.path().join("kl.konsekvens"), dir.path().join("kbh.konsekvens"), dir.path().join("esb.konsekvens")];
    drop(Workspace::create_with(&paths[0], Arc::new(konsekvens_core::SystemEnv), &Author::new("KL", None), &coordination, &base, &[]).unwrap());
    first_sync(&paths[0], &kl, Party::Coordinator, false);
    first_sync(&paths[1], &kbh, Party::Org(OrgCode(101)), true);
    first_sync(&paths[2], &esb, Party::Org(OrgCode(561)), true);

    // Three apps, each live on the hub as its party.
    let open_app = |path: &std::path::Path, org: Value, name: &str, token: &str| {
        let (app, webview) = app(Launch { workspace: Some(path.to_owned()) });
        invoke(&webview, "current", json!({})).expect("current");
        invoke(&webview, "save_settings", json!({ "userName": name, "org": org, "language": "da" })).expect("save_settings");
        let state = app.state::<AppState>();
        let presence = konsekvens_hub::Presence { name: name.into(), org: org.as_u64().map(|o| o.to_string()), section: None };
        crate::sync::start(&state, path.to_owned(), url.clone(), crate::sync::Bearer::Token(token.to_owned()), presence, tauri::ipc::Channel::new(|_| Ok(()))).unwrap();
        (app, webview)
    };
    let (_kl_app, kl_view) = open_app(&paths[0], Value::Null, "Karin (KL)", &kl);
    let (_kbh_app, kbh_view) = open_app(&paths[1], json!(101), "Anne (DPO København)", &kbh);
    let (_esb_app, esb_view) = open_app(&paths[2], json!(561), "Erik (DPO Esbjerg)", &esb);
    let until = |what: &str, ok: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !ok() {
            assert!(start.elapsed() < Duration::from_secs(20), "{what}: not within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    for view in [&kl_view, &kbh_view, &esb_view] {
        until("live", &|| invoke(view, "sync_status", json!({})).unwrap()["state"] == "in_sync");
    }
    let threads = |view: &WebviewWindow<MockRuntime>| -> Vec<String> {
        let h = invoke(view, "hearing", json!({})).expect("hearing");
        h["threads"].as_array().unwrap().iter().map(|t| t["opening"]["reference"].as_str().unwrap().to_owned()).collect()
    };
    assert!(threads(&kl_view).is_empty());

    // København comments for the first time: its documents appear while the others are live.
    let private = invoke(&kbh_view, "comment_add", json!({ "comment": { "item": null, "field": "", "supplement": 101, "text": "Internt: vores vikarer får forældrerollen", "objection": false } }))
        .expect("private comment");
    let private = private.as_str().unwrap().to_owned();
    let public = invoke(&kbh_view, "comment_add", json!({ "comment": { "item": null, "field": "description.retention", "text": "Slettefristen for beskeder mangler", "objection": false } }))
        .expect("public comment");
    let public = public.as_str().unwrap().to_owned();
    until("the coordinator's app receives both", &|| {
        let t = threads(&kl_view);
        t.contains(&private) && t.contains(&public)
    });
    until("Esbjerg's app receives the comment on the base", &|| threads(&esb_view).contains(&public));
    assert!(!threads(&esb_view).contains(&private), "a municipality's private thread never reaches another municipality");
    // … nor its document, in Esbjerg's file.
    let esb_ws = Workspace::open(&paths[2], Arc::new(konsekvens_core::SystemEnv)).unwrap();
    assert!(!esb_ws.keys().any(|k| k.name() == "remarks/101/101" || k.name() == "remarks/coordinator/101"));
    drop(esb_ws);
    // The coordinator replies in the private thread: back to København only.
    let reply = invoke(&kl_view, "comment_reply", json!({ "to": private, "text": "Noteret" })).expect("reply").as_str().unwrap().to_owned();
    until("København's app receives the coordinator's reply", &|| {
        let h = invoke(&kbh_view, "hearing", json!({})).unwrap();
        h["threads"].as_array().unwrap().iter().any(|t| t["replies"].as_array().unwrap().iter().any(|r| r["reference"] == reply.as_str()))
    });

    // Presence: København writes in the thread; the coordinator sees who and where.
    invoke(&kbh_view, "set_presence", json!({ "section": format!("høring:{public}") })).expect("set_presence");
    until("the coordinator sees København writing in the thread", &|| {
        let peers = invoke(&kl_view, "sync_status", json!({})).unwrap()["peers"].clone();
        peers.as_array().unwrap().iter().any(|p| p["name"] == "Anne (DPO København)" && p["org"] == "101" && p["section"] == format!("høring:{public}").as_str())
    });
    let esb_peers = invoke(&esb_view, "sync_status", json!({})).unwrap()["peers"].clone();
    assert!(esb_peers.as_array().unwrap().iter().all(|p| p["section"] != format!("høring:{private}").as_str()), "{esb_peers}");

    for view in [&kl_view, &kbh_view, &esb_view] {
        let status = invoke(view, "disconnect_hub", json!({})).expect("disconnect");
        assert_eq!(status["state"], "disconnected");
    }
    let _ = stop_hub.send(());
    tauri::async_runtime::block_on(hub).unwrap().unwrap();
    // The sync tasks end after the user disconnected: they must not then report «stopped»
    // over the «not connected» the user asked for (this was seen after «Log ud»). The hub is
    // gone, so a task still running would have ended by now.
    std::thread::sleep(Duration::from_millis(500));
    for view in [&kl_view, &kbh_view, &esb_view] {
        assert_eq!(invoke(view, "sync_status", json!({})).unwrap()["state"], "disconnected");
    }
}
