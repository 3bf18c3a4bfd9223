//! The workbench's views in headless Chromium (`ui/tests/ui`: vitest driving Debian's
//! Chromium through playwright-core) against the built `ui/dist`, with the Tauri IPC mocked.
//!
//! The mock answers with data this test computes from the bundled AULA sample through the
//! same konsekvens-core calls the app's commands make (src-tauri/src/commands.rs), and the
//! Yjs states of the documents as `doc_state` sends them — made afresh on every run, so the
//! views are tested against what the core produces today, never against a stale copy.
//! The sample is taken one step further the way a DPO would: København has added a local
//! risk, rated only in part and not yet covered by a measure, so the check has findings to
//! show and to click.
//!
//! Screenshots of every view go to target/ui-screenshots/ (CI keeps them).
//! Run alone: `cd ui && npm run build && cd .. && cargo test -p konsekvens-e2e --test app_ui`;
//! afterwards `cd ui && npm run test:ui` reruns the browser part on the same fixtures.

mod support;

use konsekvens_core::command::{AnyItem, ItemKind};
use konsekvens_core::history::Point;
use konsekvens_core::model::{Day, OrgCode};
use konsekvens_core::{Author, DocKey, SystemEnv, Workspace};
use serde_json::{json, Map, Value};
use std::path::Path;
use std::sync::Arc;
use support::*;

macro_rules! to_json {
    ($v:expr) => {
        serde_json::to_value($v).expect("model values serialise")
    };
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The day the check runs for: pinned, as in the other end-to-end tests, so the sample's
/// review dates cannot expire the fixtures.
fn today() -> Day {
    Day::parse(konsekvens_e2e::TODAY).expect("TODAY is a date")
}

/// København adds a local risk and gets as far as rating its confidentiality before
/// measures: the check then finds the missing ratings and the missing measure.
fn add_local_risk(ws: &mut Workspace) -> (String, String) {
    let kbh = OrgCode(101);
    let author = Author::new("Mette Holm", Some(kbh));
    let AnyItem::Risk(risk) = ws.new_item(DocKey::Supplement(kbh), ItemKind::Risk, &author).expect("new local risk") else {
        panic!("new_item(risk) made something else")
    };
    let patch = json!({
        "title": "Vikarer ser fraværsbeskeder for hele skolen",
        "source": "municipality",
        "inherent": { "confidentiality": {
            "consequence": "very_serious",
            "consequence_reason": "Fraværsbeskeder kan afsløre helbredsoplysninger om børn.",
            "likelihood": "possible",
            "likelihood_reason": "Vikarer får i dag samme rolle som faste lærere.",
        } },
    });
    ws.patch_item(DocKey::Supplement(kbh), ItemKind::Risk, &risk.id, &patch, &author).expect("rate the local risk");
    (risk.id.0.clone(), risk.reference.0.clone())
}

/// København imports a sheet of its own (the local app supplier's risk assessment) and has
/// not yet said which risk covers its second threat: the check's finding names the sheet,
/// and the overview must lead to it. The local risk covers the first (its source reference
/// names it).
fn add_local_sheet(ws: &mut Workspace, risk_id: &str) -> (String, String) {
    use konsekvens_core::model::{ItemId, Reference, SheetThreat, SupplierSheet};
    let kbh = OrgCode(101);
    let author = Author::new("Mette Holm", Some(kbh));
    let sheet = SupplierSheet {
        id: ItemId("sheet-kbh-skoleapp".into()), reference: Reference("KBH-ARK1".into()), label: "Skoleappen risikovurdering".into(),
        supplier: "Skoleappen ApS".into(), file: "Skoleappen-risici.xlsx".into(), tab: "Risici".into(), version: "1.2".into(), date: "01.09.2026".into(),
        fingerprint: "0f".repeat(32), imported: Some(Day::ymd(2026, 9, 3)),
        threats: [
            ("S1".to_owned(), SheetThreat { title: "Vikarer ser fraværsbeskeder".into(), ..Default::default() }),
            ("S2".to_owned(), SheetThreat { title: "Push-beskeder viser barnets navn på låseskærmen".into(), ..Default::default() }),
        ].into(),
    };
    ws.put_item(DocKey::Supplement(kbh), &AnyItem::SupplierSheet(sheet.clone()), &author).expect("København's sheet");
    ws.patch_item(DocKey::Supplement(kbh), ItemKind::Risk, &ItemId(risk_id.into()), &json!({ "source_reference": "Skoleappen risikovurdering S1" }), &author).expect("the local risk covers S1");
    (sheet.id.0, sheet.reference.0)
}

/// Everything the mocked IPC answers, for the base and each municipality.
fn fixtures(ws: &Workspace, path: &Path, scenario: Value) -> Value {
    let day = today();
    let coordination = ws.view().coordination().expect("coordination");
    let base = ws.view().base().expect("base");
    let latest = coordination.releases.last().map(|r| r.name.clone());
    let mut scopes = Map::new();
    let mut docs = Map::new();
    let orgs: Vec<Option<OrgCode>> = std::iter::once(None).chain(coordination.participants.iter().filter_map(|p| p.code).map(Some)).collect();
    for org in orgs {
        let key = org.map_or("base".to_string(), |c| c.0.to_string());
        let mut compare = Map::new();
        for from in latest.iter().cloned().chain(["now".to_string()]) {
            let points = (from.parse::<Point>().expect("point"), "now".parse::<Point>().expect("now"));
            compare.insert(format!("{from}|now"), to_json!(konsekvens_core::history::compare(&ws.view(), org, &points.0, &points.1).expect("compare")));
        }
        let mut scope = json!({
            "effective": to_json!(ws.view().effective_or_base(org).expect("effective")),
            "check": to_json!(konsekvens_core::check::check_in(&ws.view(), org, day).expect("check")),
            "history": to_json!(konsekvens_core::history::history(&ws.view(), org, None).expect("history")),
            "review_status": to_json!(konsekvens_core::check::review_status(&ws.view(), org).expect("review status")),
            "compare": compare,
        });
        if let Some(code) = org {
            scope["supplement"] = to_json!(ws.view().supplement(code).expect("supplement"));
            let doc = DocKey::Supplement(code);
            docs.insert(doc.name(), Value::String(hex(&ws.doc(doc).expect("supplement doc").encode_state())));
        }
        scopes.insert(key, scope);
    }
    for doc in [DocKey::Coordination, DocKey::Base] {
        docs.insert(doc.name(), Value::String(hex(&ws.doc(doc).expect("doc").encode_state())));
    }
    json!({
        "path": path.display().to_string(),
        "today": day.to_string(),
        "title": base.meta.title,
        "coordination": to_json!(&coordination),
        "overview": to_json!(konsekvens_core::status::overview(&ws.view(), day).expect("overview")),
        "scopes": scopes,
        "docs": docs,
        "scenario": scenario,
    })
}

#[test]
fn every_view_renders_the_sample_passes_axe_and_is_photographed() {
    let ui = root().join("ui");
    let mut lacking = missing(
        &["node", "npm", "/usr/bin/chromium"],
        &[
            (&ui.join("node_modules/playwright-core"), "run `cd ui && npm ci`"),
            (&ui.join("dist/index.html"), "run `cd ui && npm run build`"),
        ],
    );
    lacking.extend(stale_ui_dist());
    if !ready("the UI tests in headless Chromium", lacking) {
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aula.konsekvens");
    let mut ws = Workspace::create_demo(&path, Arc::new(SystemEnv)).expect("write the sample");
    let (id, reference) = add_local_risk(&mut ws);
    let (sheet_id, sheet_reference) = add_local_sheet(&mut ws, &id);
    let data = fixtures(&ws, &path, json!({ "org": 101, "risk_id": id, "risk_reference": reference, "sheet_id": sheet_id, "sheet_reference": sheet_reference }));

    let out = target_dir().join("ui-fixtures");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("fixtures.json");
    std::fs::write(&file, serde_json::to_vec(&data).unwrap()).unwrap();
    let shots = target_dir().join("ui-screenshots");
    npm_script("test:ui", &[("KONSEKVENS_UI_FIXTURES", &file), ("KONSEKVENS_UI_SCREENSHOTS", &shots)]);
}
