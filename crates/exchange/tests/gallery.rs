//! The gallery (`tests/common/gallery.rs`): every shape of supplier sheet issue #17 names,
//! several files per shape, each imported with the proposed mapping (no hand-written one)
//! into a fresh joint DPIA. Each asserts the risks, ratings, measures and what the report
//! says; and a second import of the same file, through the mapping the first one saved,
//! changes nothing.

#[path = "common/gallery.rs"]
mod gallery;

use gallery::*;
use konsekvens_core::model::{Consequence as Co, Dimension as D, Likelihood as L, MeasureStatus, Risk};
use konsekvens_core::{Author, FixedEnv, Workspace};
use konsekvens_exchange::import::{ImportError, ImportOptions, ImportReport, MappingOrigin};
use konsekvens_exchange::{apply, choose_mapping, read_workbook, MappingStore};
use konsekvens_core::model::Day;
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Outcome {
    report: ImportReport,
    /// The report as the CLI prints it, in Danish.
    text: String,
    ws: Workspace,
}

impl Outcome {
    fn risk(&self, sheet_ref: &str) -> Risk {
        let tail = format!(" {}", sheet_ref.to_lowercase());
        let risks = self.ws.view().base().unwrap().items.risks;
        risks
            .iter()
            .find(|r| konsekvens_exchange::import::source_key(&r.source_reference).ends_with(&tail))
            .cloned()
            .unwrap_or_else(|| panic!("no risk from {sheet_ref}; risks: {:?}\n{}", risks.iter().map(|r| &r.source_reference).collect::<Vec<_>>(), self.text))
    }
    fn rated(&self, sheet_ref: &str, d: D) -> (Option<Co>, Option<L>) {
        let r = self.risk(sheet_ref);
        let rating = r.inherent.rating(d);
        (rating.consequence, rating.likelihood)
    }
    fn residual(&self, sheet_ref: &str, d: D) -> (Option<Co>, Option<L>) {
        let r = self.risk(sheet_ref);
        let rating = r.residual.rating(d);
        (rating.consequence, rating.likelihood)
    }
    fn measures_of(&self, sheet_ref: &str) -> Vec<(String, Option<MeasureStatus>, Option<Day>)> {
        let id = self.risk(sheet_ref).id;
        let mut v: Vec<_> = self.ws.view().base().unwrap().items.measures.iter().filter(|m| m.mitigates.contains(&id)).map(|m| (m.title.clone(), m.status, m.planned_date)).collect();
        v.sort();
        v
    }
    fn says(&self, what: &str) -> &Self {
        assert!(self.text.contains(what), "the report does not say «{what}»:\n{}", self.text);
        self
    }
    fn risks(&self) -> usize {
        self.report.counts.created + self.report.counts.updated + self.report.counts.unchanged
    }
}

fn workspace(dir: &Path) -> (PathBuf, Workspace) {
    let path = dir.join("aula.konsekvens");
    let ws = Workspace::create(&path, Arc::new(FixedEnv::new(1_780_000_000_000, 7))).unwrap();
    (path, ws)
}

fn opts(file: &str) -> ImportOptions {
    ImportOptions { file: file.into(), source_label: None, accept_partial: false, today: Day::ymd(2026, 6, 1) }
}

fn import_into(ws: &mut Workspace, ws_path: &Path, file: &Path) -> Result<(ImportReport, MappingOrigin), ImportError> {
    let wb = read_workbook(file).unwrap();
    let sheet = wb.sheet(None).unwrap();
    let mut store = MappingStore::open(ws_path).unwrap();
    let chosen = choose_mapping(sheet, None, &store).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let report = apply(ws, &Author::new("test", None), None, sheet, &chosen, &opts(&name))?;
    store.put(&report.fingerprint, chosen.mapping.clone());
    store.save().unwrap();
    Ok((report, chosen.origin))
}

/// Writes the file, imports it twice: the first time by the proposal, the second by the
/// saved mapping, changing nothing.
fn import(name: &str, kind: Kind, grids: &[Grid]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.{}", extension(kind)));
    std::fs::write(&file, bytes(kind, grids)).unwrap();
    let (ws_path, mut ws) = workspace(dir.path());
    let (report, origin) = import_into(&mut ws, &ws_path, &file).unwrap_or_else(|e| panic!("{name}: {}", konsekvens_core::UserError::from(e).da));
    assert_eq!(origin, MappingOrigin::Proposed, "{name}");
    let text = konsekvens_exchange::report::render(&report, konsekvens_core::check::Lang::Da);
    let (again, origin) = import_into(&mut ws, &ws_path, &file).unwrap();
    assert!(matches!(origin, MappingOrigin::Saved { .. }), "{name}: the second import finds the saved mapping by the fingerprint the first saved");
    assert_eq!((again.counts.created, again.counts.updated), (0, 0), "{name}: a second import changes nothing\n{}", konsekvens_exchange::report::render(&again, konsekvens_core::check::Lang::Da));
    assert_eq!(again.counts.unchanged, report.counts.created, "{name}");
    assert!(again.items.iter().filter(|i| i.kind == "measure").all(|i| i.action == konsekvens_exchange::import::Action::Unchanged), "{name}");
    Outcome { report, text, ws }
}

/// The import's error, as the user reads it in Danish.
fn refused(name: &str, kind: Kind, grids: &[Grid]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.{}", extension(kind)));
    std::fs::write(&file, bytes(kind, grids)).unwrap();
    let (ws_path, mut ws) = workspace(dir.path());
    match import_into(&mut ws, &ws_path, &file) {
        Ok((r, _)) => panic!("{name}: imported {:?}", r.counts),
        Err(e) => {
            let u = konsekvens_core::UserError::from(e);
            assert!(!u.da.contains("Int(") && !u.da.contains("Some(") && !u.da.contains("Float("), "no Rust notation: {}", u.da);
            u.da
        }
    }
}

// ---- the sheets ----------------------------------------------------------------------------

const HEADER: &[&str] = &["Ref.", "Trussel", "F/I/T", "Konsekvens", "Begrundelse", "Sandsynlighed", "Begrundelse", "Foranstaltninger", "Ansvarlig", "Status", "Frist"];

fn standard_rows(g: Grid) -> Grid {
    g.text(&["T1", T1, "F", "Ødelæggende", "Barnet kan skades varigt", "Forventet", "Sker ugentligt", "Advarsel ved mange modtagere", "KOMBIT", "Gennemført", ""])
        .text(&["T1", T1, "I", "Begrænset", "Indholdet ændres ikke", "Mulig", "Sjældent", "", "", "", ""])
        .text(&["T2", T2, "F", "Meget alvorlig", "Helbredsoplysninger ses", "Sandsynlig", "Markering glemmes", "Markering af følsomme beskeder", "KOMBIT", "Planlagt", "30.06.2027"])
        .text(&["T3", T3, "F, I", "Meget alvorlig", "Uvedkommende læser tråde", "Sandsynlig", "Mange manuelle grupper", "Automatisk gruppeopdatering", "Kommunen", "Gennemført", ""])
        .text(&["T4", T4, "F", "Alvorlig", "Søskende ser beskeder", "Mulig", "Delte tablets er almindelige", "Ingen", "", "", ""])
}

fn assert_standard(o: &Outcome) {
    assert_eq!(o.risks(), 4, "{}", o.text);
    assert_eq!(o.risk("T1").title, T1);
    assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)));
    assert_eq!(o.rated("T1", D::Integrity), (Some(Co::Limited), Some(L::Possible)));
    assert_eq!(o.rated("T3", D::Integrity), (Some(Co::VerySerious), Some(L::Likely)));
    assert_eq!(o.rated("T4", D::Confidentiality), (Some(Co::Serious), Some(L::Possible)));
    assert_eq!(o.risk("T1").inherent.rating(D::Confidentiality).consequence_reason.0, "Barnet kan skades varigt");
    assert_eq!(o.measures_of("T2"), [("Markering af følsomme beskeder".to_owned(), Some(MeasureStatus::Planned), Some(Day::ymd(2027, 6, 30)))]);
    assert!(o.measures_of("T4").is_empty(), "«Ingen» is no measure");
}

#[test]
fn a_title_block_with_the_supplier_and_version_comes_before_the_header() {
    let g = standard_rows(title_block(Grid::new("Beskeder"), "Netcompany A/S", "2.1").text(HEADER));
    let o = import("netcompany-beskeder", Kind::Xlsx, &[g]);
    assert_standard(&o);
    assert_eq!(o.report.header_row, 6);
    o.says("oprettet").says("T1");
}

#[test]
fn a_title_merged_over_the_table_and_a_logo_row() {
    let g = Grid::new("Risici")
        .text(&["Risikovurdering – Aula Beskeder (KOMBIT)"])
        .merge(0, 0, 0, 10)
        .text(&["", "", "", "", "", "", "", "", "", "", "[logo]"])
        .text(HEADER);
    let o = import("kombit-risici", Kind::Xlsx, &[standard_rows(g)]);
    assert_standard(&o);
    assert_eq!(o.report.header_row, 3);
}

#[test]
fn a_title_block_in_a_windows_1252_csv_with_decimal_commas() {
    let g = standard_rows(title_block(Grid::new("x"), "Systematic A/S", "3,0").text(HEADER));
    let o = import("leverandør-risici", Kind::Csv1252, &[g]);
    assert_standard(&o);
    assert_eq!(o.report.header_row, 6);
    assert_eq!(o.risk("T4").title, "Delt enhed i hjemmet", "æøå survive Windows-1252");
}

#[test]
fn csv_utf8_with_a_bom_and_unicode_text() {
    let g = standard_rows(Grid::new("x").text(HEADER));
    assert_standard(&import("beskeder-utf8", Kind::CsvUtf8Bom, std::slice::from_ref(&g)));
    assert_standard(&import("beskeder-unicode", Kind::Utf16Txt, &[g]));
}

#[test]
fn english_headers_under_a_title() {
    let g = Grid::new("Risk register")
        .text(&["Supplier:", "Acme Cloud ApS", "Date:", "2026-02-01"])
        .blank()
        .text(&["Risk ID", "Threat", "CIA", "Impact", "Impact rationale", "Likelihood", "Likelihood rationale", "Controls", "Owner", "Status", "Due date"]);
    let o = import("acme-register", Kind::Xlsx, &[standard_rows(g)]);
    assert_standard(&o);
}

#[test]
fn one_likelihood_column_beside_consequences_per_dimension() {
    for kind in [Kind::Xlsx, Kind::Csv1252] {
        let g = Grid::new("Beskeder")
            .text(&["Nr.", "Trussel", "Konsekvens (F)", "Konsekvens (I)", "Konsekvens (T)", "Sandsynlighed", "Begrundelse", "Foranstaltninger"])
            .text(&["T1", T1, "Ødelæggende", "Begrænset", "", "Forventet", "Sker ugentligt", "Advarsel ved mange modtagere"])
            .text(&["T2", T2, "Meget alvorlig", "", "", "Sandsynlig", "Markering glemmes", "Markering af følsomme beskeder"])
            .text(&["T3", T3, "Meget alvorlig", "Alvorlig", "Begrænset", "Mulig", "Mange grupper", "Automatisk gruppeopdatering"]);
        let o = import("en-sandsynlighed", kind, &[g]);
        assert_eq!(o.risks(), 3);
        assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)));
        assert_eq!(o.rated("T1", D::Integrity), (Some(Co::Limited), Some(L::Expected)), "the one likelihood serves each dimension");
        assert_eq!(o.rated("T3", D::Availability), (Some(Co::Limited), Some(L::Possible)));
        assert_eq!(o.rated("T2", D::Integrity), (None, None), "a dimension without a consequence is not rated");
        assert_eq!(o.risk("T1").inherent.rating(D::Integrity).likelihood_reason.0, "Sker ugentligt");
        o.says("én sandsynlighed for alle dimensioner");
    }
}

fn two_row_dimensions() -> Grid {
    Grid::new("Vurdering")
        .text(&["Ref.", "Trussel", "Fortrolighed", "", "Integritet", "", "Tilgængelighed", "", "Foranstaltninger"])
        .text(&["", "", "Konsekvens", "Sandsynlighed", "Konsekvens", "Sandsynlighed", "Konsekvens", "Sandsynlighed", ""])
        .merge(0, 0, 1, 0)
        .merge(0, 1, 1, 1)
        .merge(0, 2, 0, 3)
        .merge(0, 4, 0, 5)
        .merge(0, 6, 0, 7)
        .merge(0, 8, 1, 8)
        .text(&["T1", T1, "Ødelæggende", "Forventet", "Begrænset", "Mulig", "", "", "Advarsel ved mange modtagere"])
        .text(&["T3", T3, "Meget alvorlig", "Sandsynlig", "Alvorlig", "Mulig", "Begrænset", "Usandsynlig", "Automatisk gruppeopdatering"])
}

#[test]
fn a_two_row_header_with_dimensions_merged_over_their_ratings() {
    let o = import("to-raekker", Kind::Xlsx, &[two_row_dimensions()]);
    assert_eq!(o.report.header_row, 2);
    assert_eq!(o.rated("T1", D::Integrity), (Some(Co::Limited), Some(L::Possible)));
    assert_eq!(o.rated("T3", D::Availability), (Some(Co::Limited), Some(L::Unlikely)));
    assert_eq!(o.measures_of("T3")[0].0, "Automatisk gruppeopdatering", "a header merged down over both rows");
}

#[test]
fn a_two_row_header_saved_as_csv_loses_its_merges_but_not_its_meaning() {
    let o = import("to-raekker", Kind::CsvUtf8Bom, &[two_row_dimensions()]);
    assert_eq!(o.rated("T3", D::Integrity), (Some(Co::Serious), Some(L::Possible)));
    assert_eq!(o.rated("T3", D::Availability), (Some(Co::Limited), Some(L::Unlikely)));
}

fn inherent_and_residual(g: Grid) -> Grid {
    g.text(&["ID", "Trussel", "F/I/T", "Iboende risiko", "", "Restrisiko", "", "Foranstaltninger"])
        .text(&["", "", "", "Konsekvens", "Sandsynlighed", "Konsekvens", "Sandsynlighed", ""])
        .text(&["T1", T1, "F", "Ødelæggende", "Forventet", "Ødelæggende", "Mulig", "Advarsel ved mange modtagere"])
        .text(&["T2", T2, "F", "Meget alvorlig", "Sandsynlig", "Alvorlig", "Mulig", "Markering af følsomme beskeder"])
}

#[test]
fn inherent_and_residual_groups_over_a_second_header_row() {
    let g = inherent_and_residual(Grid::new("Risici")).merge(0, 0, 1, 0).merge(0, 1, 1, 1).merge(0, 2, 1, 2).merge(0, 3, 0, 4).merge(0, 5, 0, 6).merge(0, 7, 1, 7);
    let o = import("rest", Kind::Xlsx, &[g]);
    assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)));
    assert_eq!(o.residual("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Possible)));
    let o = import("rest", Kind::Csv1252, &[inherent_and_residual(Grid::new("x"))]);
    assert_eq!(o.residual("T2", D::Confidentiality), (Some(Co::Serious), Some(L::Possible)));
}

#[test]
fn consequence_heading_over_f_i_t_subcolumns() {
    let g = Grid::new("Beskeder")
        .text(&["Nr.", "Trussel", "Konsekvens", "", "", "Sandsynlighed", "Foranstaltninger"])
        .text(&["", "", "F", "I", "T", "", ""])
        .merge(0, 0, 1, 0)
        .merge(0, 1, 1, 1)
        .merge(0, 2, 0, 4)
        .merge(0, 5, 1, 5)
        .merge(0, 6, 1, 6)
        .text(&["T1", T1, "Ødelæggende", "Begrænset", "", "Forventet", "Advarsel ved mange modtagere"])
        .text(&["T3", T3, "Meget alvorlig", "Alvorlig", "Begrænset", "Mulig", "Automatisk gruppeopdatering"]);
    let o = import("konsekvens-fit", Kind::Xlsx, &[g]);
    assert_eq!(o.rated("T1", D::Integrity), (Some(Co::Limited), Some(L::Expected)));
    assert_eq!(o.rated("T3", D::Availability), (Some(Co::Limited), Some(L::Possible)));
}

fn merged_down(g: Grid) -> Grid {
    g.text(&["Ref.", "Trussel", "Sikkerhedsmål", "Konsekvens", "Sandsynlighed", "Foranstaltninger"])
        .text(&["T1", T1, "Fortrolighed", "Ødelæggende", "Forventet", "Advarsel ved mange modtagere"])
        .text(&["", "", "Integritet", "Begrænset", "Mulig", ""])
        .text(&["", "", "Tilgængelighed", "Begrænset", "Usandsynlig", ""])
        .text(&["T3", T3, "Fortrolighed", "Meget alvorlig", "Sandsynlig", "Automatisk gruppeopdatering"])
        .text(&["", "", "Integritet", "Alvorlig", "Mulig", ""])
}

#[test]
fn threat_cells_merged_down_over_the_f_i_t_rows() {
    let g = merged_down(Grid::new("Beskeder")).merge(1, 0, 3, 0).merge(1, 1, 3, 1).merge(1, 5, 3, 5).merge(4, 0, 5, 0).merge(4, 1, 5, 1);
    let o = import("flettet", Kind::Xlsx, &[g]);
    assert_eq!(o.risks(), 2, "{}", o.text);
    assert_eq!(o.rated("T1", D::Availability), (Some(Co::Limited), Some(L::Unlikely)));
    assert_eq!(o.rated("T3", D::Integrity), (Some(Co::Serious), Some(L::Possible)));
    // as CSV, the merged cells are blank under their first row
    let o = import("flettet", Kind::Csv1252, &[merged_down(Grid::new("x"))]);
    assert_eq!(o.rated("T1", D::Integrity), (Some(Co::Limited), Some(L::Possible)));
    assert_eq!(o.risk("T1").title, T1);
}

#[test]
fn an_overall_level_anywhere_an_assessment_date_and_a_due_date() {
    let g = Grid::new("Risici")
        .text(&["Samlet risiko", "Ref.", "Vurderingsdato", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Foranstaltninger", "Status", "Frist", "Risikoscore"])
        .text(&["Høj", "T1", "01.02.2026", T1, "F", "Ødelæggende", "Forventet", "Advarsel ved mange modtagere", "Planlagt", "31.12.2026", "16"])
        .text(&["Mellem", "T4", "01.02.2026", T4, "F", "Alvorlig", "Mulig", "Vejledning om delte enheder", "Planlagt", "01.09.2026", "4"]);
    let o = import("samlet", Kind::Xlsx, &[g]);
    assert_eq!(o.risks(), 2);
    assert_eq!(o.measures_of("T1"), [("Advarsel ved mange modtagere".to_owned(), Some(MeasureStatus::Planned), Some(Day::ymd(2026, 12, 31)))], "the due date, not the assessment date");
    o.says("datoen for vurderingen, ikke en frist").says("niveauet beregnes");
    // a bare «Dato» is not placed, and said so
    let g = Grid::new("x")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Foranstaltninger", "Dato", "Samlet vurdering"])
        .text(&["T1", T1, "F", "Ødelæggende", "Forventet", "Advarsel ved mange modtagere", "01.02.2026", "Rød"]);
    let o = import("dato", Kind::CsvUtf8Bom, &[g]);
    assert_eq!(o.measures_of("T1")[0].2, None);
    o.says("«Dato» er ikke placeret");
}

#[test]
fn existing_and_recommended_measures_in_their_own_columns() {
    let g = Grid::new("Risici")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Eksisterende foranstaltninger", "Anbefalede foranstaltninger", "Status"])
        .text(&["T1", T1, "F", "Ødelæggende", "Forventet", "Advarsel ved mange modtagere", "Uddannelse af personale\nPåmindelse ved afsendelse", "Gennemført"])
        .text(&["T4", T4, "F", "Alvorlig", "Mulig", "-", "Vejledning om delte enheder", ""]);
    let o = import("flere-foranstaltninger", Kind::Xlsx, &[g]);
    let m = o.measures_of("T1");
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(m.contains(&("Advarsel ved mange modtagere".into(), Some(MeasureStatus::Implemented), None)));
    assert!(m.contains(&("Påmindelse ved afsendelse".into(), Some(MeasureStatus::Planned), None)));
    assert_eq!(o.measures_of("T4"), [("Vejledning om delte enheder".to_owned(), Some(MeasureStatus::Planned), None)]);
    // the same under a «Foranstaltninger» band
    let g = Grid::new("Risici")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Foranstaltninger", ""])
        .text(&["", "", "", "", "", "Eksisterende", "Planlagte"])
        .merge(0, 0, 1, 0).merge(0, 1, 1, 1).merge(0, 2, 1, 2).merge(0, 3, 1, 3).merge(0, 4, 1, 4).merge(0, 5, 0, 6)
        .text(&["T1", T1, "F", "Ødelæggende", "Forventet", "Advarsel ved mange modtagere", "Påmindelse ved afsendelse"]);
    let o = import("foranstaltninger-band", Kind::Xlsx, &[g]);
    assert_eq!(o.measures_of("T1").len(), 2);
}

#[test]
fn ratings_only_as_fill_colour_are_read_from_the_colour_and_said_so() {
    // Excel's standard palette: a four-colour scale (green, yellow, orange, red) and no legend
    let g = Grid::new("Farver")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .row(vec![T("T1"), T(T1), T("F"), Fill(0xFF0000), Fill(0xFFC000)])
        .row(vec![T("T2"), T(T2), T("F"), Fill(0x00B050), T("Mulig")])
        .row(vec![T("T3"), T(T3), T("F"), Fill(0xFFFF00), Fill(0x92D050)]);
    let o = import("farver", Kind::Xlsx, &[g]);
    assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Likely)));
    assert_eq!(o.rated("T2", D::Confidentiality), (Some(Co::Limited), Some(L::Possible)));
    assert_eq!(o.rated("T3", D::Confidentiality), (Some(Co::Serious), Some(L::Unlikely)));
    o.says("5 vurderinger læst fra cellefarve (efter farvens nuance: grøn 1, gul 2, orange 3, rød 4")
        .says("D2 (Konsekvens): rød #FF0000 → trin 4")
        .says("E2 (Sandsynlighed): orange #FFC000 → trin 3");
    assert_eq!(o.report.colours.len(), 5);
    // and the preview (`import sheet --explain`, the app's mapping step) says it before anything is imported
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("farver.xlsx");
    std::fs::write(&file, bytes(Kind::Xlsx, &[Grid::new("Farver").text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"]).row(vec![T("T1"), T(T1), T("F"), Fill(0xFF0000), T("Mulig")])])).unwrap();
    let wb = read_workbook(&file).unwrap();
    let sheet = wb.sheet(None).unwrap();
    let chosen = choose_mapping(sheet, None, &MappingStore::open(&dir.path().join("x.konsekvens")).unwrap()).unwrap();
    let explained = konsekvens_exchange::report::explain(sheet, &chosen, konsekvens_core::check::Lang::Da);
    assert!(explained.contains("Læst fra cellefarve (1):\n  D2: rød #FF0000 → trin 3 (farvens nuance)"), "{explained}");

    // a traffic light (no orange): red is the third step, as «høj» of lav/mellem/høj
    let g = Grid::new("Trafiklys")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .row(vec![T("T1"), T(T1), T("F"), Fill(0xFF0000), Fill(0x00B050)])
        .row(vec![T("T2"), T(T2), T("F"), Fill(0xFFFF00), Fill(0xFF0000)]);
    let o = import("farver-trafiklys", Kind::Xlsx, &[g]);
    assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::VerySerious), Some(L::Unlikely)));
    assert_eq!(o.rated("T2", D::Confidentiality), (Some(Co::Serious), Some(L::Likely)));
    o.says("rød 3, når arket ikke bruger orange");

    // the sheet's own legend under the table wins over the hue: here dark red is «4» and
    // light red «3», swatches with their words beside them
    let g = Grid::new("Forklaring")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .row(vec![T("T1"), T(T1), T("F"), Fill(0xC00000), Fill(0xFF7C80)])
        .row(vec![T("T2"), T(T2), T("F"), Fill(0xFF7C80), Fill(0x00B050)])
        .blank()
        .row(vec![T("Farveforklaring")])
        .row(vec![Fill(0x00B050), T("1 – Lav")])
        .row(vec![Fill(0xFFFF00), T("2 – Mellem")])
        .row(vec![Fill(0xFF7C80), T("3 – Høj")])
        .row(vec![Fill(0xC00000), T("4 – Meget høj")]);
    let o = import("farver-forklaring", Kind::Xlsx, &[g]);
    assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Likely)));
    assert_eq!(o.rated("T2", D::Confidentiality), (Some(Co::VerySerious), Some(L::Unlikely)));
    o.says("4 vurderinger læst fra cellefarve (efter arkets egen farveforklaring)").says("D2 (Konsekvens): rød #C00000 → trin 4");

    // worded rating cells that are coloured too teach the colours to the ones that are not
    let g = Grid::new("Blandet")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .row(vec![T("T1"), T(T1), T("F"), FillText(0xE26B0A, "Meget alvorlig"), FillText(0xE26B0A, "Sandsynlig")])
        .row(vec![T("T2"), T(T2), T("F"), Fill(0xE26B0A), T("Mulig")]);
    let o = import("farver-blandet", Kind::Xlsx, &[g]);
    assert_eq!(o.rated("T2", D::Confidentiality), (Some(Co::VerySerious), Some(L::Possible)));
    o.says("1 vurderinger læst fra cellefarve (efter arkets egen farveforklaring)");

    // a colour that is no step (blue) is still a problem naming the cell and its colour
    let g = Grid::new("Farver")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .row(vec![T("T1"), T(T1), T("F"), Fill(0x0070C0), T("Mulig")]);
    let err = refused("farver-blaa", Kind::Xlsx, &[g]);
    assert!(err.contains("«Farver», række 2, kolonne D (Konsekvens): cellen er farvet (blå, #0070C0) men har ingen tekst"), "{err}");

    // a coloured level column beside worded ratings does not matter
    let g = Grid::new("Farver")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Samlet risiko"])
        .row(vec![T("T1"), T(T1), T("F"), T("Ødelæggende"), T("Forventet"), Fill(0xFF0000)]);
    let o = import("farver-niveau", Kind::Xlsx, &[g]);
    assert_eq!(o.risks(), 1);
    assert!(o.report.colours.is_empty());
}

#[test]
fn numeric_scales_from_one_to_five_and_decimal_commas() {
    let g = Grid::new("Score")
        .text(&["Id", "Risiko", "CIA", "Konsekvens (1-5)", "Sandsynlighed (1-5)", "Foranstaltning"])
        .row(vec![T("R-01"), T(T1), T("C"), N(5.0), N(4.0), T("Advarsel ved mange modtagere")])
        .row(vec![T("R-02"), T(T2), T("C"), N(3.0), N(1.0), T("Markering af følsomme beskeder")])
        .row(vec![T("R-03"), T(T3), T("I"), N(2.0), N(3.0), T("n/a")]);
    let o = import("score", Kind::Xlsx, std::slice::from_ref(&g));
    assert_eq!(o.rated("R-01", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)));
    assert_eq!(o.rated("R-02", D::Confidentiality), (Some(Co::VerySerious), Some(L::Unlikely)));
    assert_eq!(o.rated("R-03", D::Integrity), (Some(Co::Serious), Some(L::Likely)));
    assert!(o.measures_of("R-03").is_empty());
    o.says("går fra 1 til 5");
    let o = import("score", Kind::Csv1252, &[g]);
    assert_eq!(o.rated("R-01", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)), "«5,0» is 5");
    // our own 1–4, written with decimal commas
    let g = Grid::new("x")
        .text(&["Nr.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .row(vec![T("1"), T(T1), T("F"), N(4.0), N(3.0)])
        .row(vec![T("2"), T(T2), T("F"), N(2.0), N(1.0)]);
    let o = import("en-til-fire", Kind::Csv1252, &[g]);
    assert_eq!(o.rated("1", D::Confidentiality), (Some(Co::Devastating), Some(L::Likely)));
}

#[test]
fn hidden_rows_are_skipped_and_said() {
    let g = standard_rows(Grid::new("Beskeder").text(HEADER)).text(&["T9", "Udgået trussel", "F", "Alvorlig", "", "Mulig", "", "", "", "", ""]).hide(6);
    let o = import("skjult", Kind::Xlsx, &[g]);
    assert_standard(&o);
    o.says("række 7: skjult række");
}

fn with_notes(g: Grid) -> Grid {
    standard_rows(g.text(HEADER).text(&["Modul: Beskeder"]))
        .text(&["T5"])
        .blank()
        .text(&["* Skalaerne er beskrevet i bilag 2."])
        .text(&["Kilde:", "KOMBIT, trusselskatalog 2026"])
}

#[test]
fn headings_footnotes_source_notes_and_id_only_rows() {
    for kind in [Kind::Xlsx, Kind::Utf16Txt] {
        let o = import("noter", kind, &[with_notes(Grid::new("Beskeder"))]);
        assert_standard(&o);
        o.says("række 2: kun teksten «Modul: Beskeder»")
            .says("række 8: kun id'et «T5»")
            .says("række 10: kun teksten «* Skalaerne er beskrevet i bilag 2.»")
            .says("række 11: kun teksten «Kilde: KOMBIT, trusselskatalog 2026»");
    }
}

#[test]
fn no_measure_words_and_blanks() {
    let g = Grid::new("x")
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Foranstaltninger", "Status"])
        .text(&["T1", T1, "F", "Ødelæggende", "Forventet", "Ingen", "-"])
        .text(&["T2", T2, "F", "Alvorlig", "Mulig", "n/a", "n/a"])
        .text(&["T3", T3, "F", "-", "-", "–", ""]);
    let o = import("ingen", Kind::Csv1252, &[g]);
    assert_eq!(o.risks(), 3);
    assert!(o.measures_of("T1").is_empty() && o.measures_of("T2").is_empty() && o.measures_of("T3").is_empty());
    assert_eq!(o.rated("T3", D::Confidentiality), (None, None));
}

#[test]
fn a_bad_word_is_named_by_the_row_a_person_counts_in_the_csv() {
    // CRLF, a title line, a blank line, a cell with a line break: row 6 is the 6th row Excel shows
    let g = Grid::new("x")
        .text(&["Risici i Aula"])
        .blank()
        .text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed"])
        .text(&["T1", "Besked sendt\nforkert", "F", "Ødelæggende", "Forventet"])
        .text(&["T2", T2, "F", "Alvorlig", "Mulig"])
        .text(&["T3", T3, "F", "Katastrofal-ish", "Mulig"]);
    let err = refused("rækker", Kind::Csv1252, &[g]);
    assert!(err.contains("«rækker», række 6, kolonne D (Konsekvens): «Katastrofal-ish» er ikke et konsekvensord"), "{err}");
}

fn version(name: &str, block: &'static str, threats: &[(&'static str, &'static str, &'static str)]) -> Grid {
    let mut g = title_block(Grid::new(name), "Netcompany A/S", block).text(&["Ref.", "Trussel", "F/I/T", "Konsekvens", "Sandsynlighed", "Foranstaltninger"]);
    for (r, t, c) in threats {
        g = g.text(&[r, t, "F", c, "Mulig", "Uddannelse af personale"]);
    }
    g
}

#[test]
fn a_new_version_under_another_name_updates_and_marks_what_disappeared() {
    let dir = tempfile::tempdir().unwrap();
    let (ws_path, mut ws) = workspace(dir.path());
    let v1 = dir.path().join("KOMBIT-Beskeder.xlsx");
    std::fs::write(&v1, xlsx(&[version("KOMBIT Beskeder", "2.1", &[("T1", T1, "Ødelæggende"), ("T2", T2, "Alvorlig"), ("T3", T3, "Alvorlig"), ("T4", T4, "Alvorlig")])])).unwrap();
    let (first, _) = import_into(&mut ws, &ws_path, &v1).unwrap();
    assert_eq!(first.counts.created, 4);
    // the tab renamed, the title block one line longer, T2 re-rated, T4 gone, T5 new
    let mut g = version("Beskeder 2026", "3.0", &[("T1", T1, "Ødelæggende"), ("T2", T2, "Meget alvorlig"), ("T3", T3, "Alvorlig"), ("T5", "Ny trussel", "Begrænset")]);
    g.rows.insert(0, vec![T("Fortroligt – kun til kommunerne")]);
    let v2 = dir.path().join("Beskeder_v3.xlsx");
    std::fs::write(&v2, xlsx(&[g])).unwrap();
    let (second, origin) = import_into(&mut ws, &ws_path, &v2).unwrap();
    let text = konsekvens_exchange::report::render(&second, konsekvens_core::check::Lang::Da);
    assert!(matches!(origin, MappingOrigin::Saved { .. }), "the next version finds the saved mapping");
    assert_eq!(second.source_label, "KOMBIT Beskeder", "{text}");
    assert_eq!((second.counts.created, second.counts.updated, second.counts.unchanged, second.counts.no_longer_in_source), (1, 1, 2, 1), "{text}");
    assert!(text.contains("er samme kilde som «KOMBIT Beskeder»"), "{text}");
    assert!(text.contains("ikke længere i leverandørens materiale"), "{text}");
    let risks = ws.view().base().unwrap().items.risks;
    let t4 = risks.iter().find(|r| r.title == T4).unwrap();
    assert!(t4.source_reference.ends_with("(ikke længere i leverandørens materiale)"), "{}", t4.source_reference);
    assert_eq!(risks.len(), 5, "nothing deleted, nothing added twice");
    // again: nothing changes
    let (third, _) = import_into(&mut ws, &ws_path, &v2).unwrap();
    assert_eq!((third.counts.created, third.counts.updated, third.counts.no_longer_in_source), (0, 0, 1));
    // and T4 back in v1 takes the mark off
    let (back, _) = import_into(&mut ws, &ws_path, &v1).unwrap();
    let text = konsekvens_exchange::report::render(&back, konsekvens_core::check::Lang::Da);
    assert!(text.contains("igen i leverandørens materiale"), "{text}");
    let risks = ws.view().base().unwrap().items.risks;
    assert_eq!(risks.iter().find(|r| r.title == T4).unwrap().source_reference, "KOMBIT Beskeder T4");
}

#[test]
fn other_threats_under_the_same_numbers_are_another_source() {
    let dir = tempfile::tempdir().unwrap();
    let (ws_path, mut ws) = workspace(dir.path());
    let a = dir.path().join("Beskeder.xlsx");
    std::fs::write(&a, xlsx(&[version("Beskeder", "1", &[("1", T1, "Alvorlig"), ("2", T2, "Alvorlig"), ("3", T3, "Alvorlig")])])).unwrap();
    import_into(&mut ws, &ws_path, &a).unwrap();
    let b = dir.path().join("Kalender.xlsx");
    std::fs::write(&b, xlsx(&[version("Kalender", "1", &[("1", "Aftale synlig for alle", "Alvorlig"), ("2", "Slettet aftale", "Alvorlig"), ("3", "Forkert tidszone", "Alvorlig")])])).unwrap();
    let (r, _) = import_into(&mut ws, &ws_path, &b).unwrap();
    assert_eq!((r.counts.created, r.source_label.as_str()), (3, "Kalender"));
    // ids that match with threats that partly do: the user is asked
    let c = dir.path().join("Ukendt.xlsx");
    std::fs::write(&c, xlsx(&[version("Ukendt", "1", &[("1", T1, "Alvorlig"), ("2", "Noget andet", "Alvorlig"), ("3", "Og noget tredje", "Alvorlig")])])).unwrap();
    let err = konsekvens_core::UserError::from(import_into(&mut ws, &ws_path, &c).unwrap_err());
    assert_eq!(err.code, "K-ARK-KILDE-UKLAR");
    assert!(err.da.contains("--source"), "{}", err.da);
}

#[test]
fn explain_shows_the_header_row_the_mapping_and_the_first_threats() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("netcompany.xlsx");
    std::fs::write(&file, xlsx(&[with_notes(title_block(Grid::new("Beskeder"), "Netcompany A/S", "2.1"))])).unwrap();
    let (ws_path, _ws) = workspace(dir.path());
    let wb = read_workbook(&file).unwrap();
    let chosen = choose_mapping(wb.sheet(None).unwrap(), None, &MappingStore::open(&ws_path).unwrap()).unwrap();
    let text = konsekvens_exchange::report::explain(wb.sheet(None).unwrap(), &chosen, konsekvens_core::check::Lang::Da);
    for says in [
        "Overskriftsrække: 6 (fundet ud fra, hvad kolonnerne betyder)",
        "over den, række 1: Leverandør: | Netcompany A/S | Version: | 2.1",
        "A «Ref.» → arkets reference",
        "D «Konsekvens» → konsekvens",
        "E «Begrundelse» → begrundelse for konsekvens",
        "G «Begrundelse#2» → begrundelse for sandsynlighed",
        "K «Frist» → frist",
        "T1 (rækkerne 8, 9) «Besked sendt til forkert modtager»",
        "iboende fortrolighed: ødelæggende × forventet",
        "foranstaltning: Markering af følsomme beskeder (planlagt)",
        "række 7: kun teksten «Modul: Beskeder»",
    ] {
        assert!(text.contains(says), "explain does not say «{says}»:\n{text}");
    }
    let text = konsekvens_exchange::report::explain(wb.sheet(None).unwrap(), &chosen, konsekvens_core::check::Lang::En);
    assert!(text.contains("Header row: 6 (found by what its columns mean)") && text.contains("inherent confidentiality: devastating × expected"), "{text}");
    // moved by the user one row down: proposed again there, and said so
    let moved = konsekvens_exchange::ChosenMapping {
        mapping: konsekvens_exchange::propose_at(wb.sheet(None).unwrap(), Some(6)).mapping,
        origin: MappingOrigin::Proposed,
        notes: Vec::new(),
    };
    let text = konsekvens_exchange::report::explain(wb.sheet(None).unwrap(), &moved, konsekvens_core::check::Lang::Da);
    assert!(text.starts_with("Ark «Beskeder»\nOverskriftsrække: 7 (valgt)"), "{text}");
}

/// LibreOffice, when installed (CI installs it: `scripts/common.sh`), saves `files` again as
/// `filter` into `out` (one run for all: each start costs seconds); `None` when it is
/// missing outside CI.
fn libreoffice(files: &[PathBuf], filter: &str, out: &Path) -> Option<Vec<PathBuf>> {
    let found = std::process::Command::new("sh").args(["-c", "command -v soffice"]).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "soffice is missing; scripts/test installs it (Debian: libreoffice-calc-nogui)");
        eprintln!("skipped: soffice is not installed");
        return None;
    }
    let profile = out.join("lo-profile");
    let o = std::process::Command::new("soffice")
        .arg("--headless")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--convert-to", filter, "--outdir"])
        .arg(out)
        .args(files)
        .output()
        .unwrap();
    assert!(o.status.success(), "soffice: {}", String::from_utf8_lossy(&o.stderr));
    let ext = filter.split(':').next().unwrap();
    Some(
        files
            .iter()
            .map(|f| {
                let converted = out.join(f.file_stem().unwrap()).with_extension(ext);
                assert!(converted.exists(), "soffice wrote no {}: {}", converted.display(), String::from_utf8_lossy(&o.stdout));
                converted
            })
            .collect(),
    )
}

/// A gallery sheet, and what its import must give.
type Case = (&'static str, Grid, fn(&Outcome));

/// The gallery's sheets saved again by a program we did not write — LibreOffice Calc, as
/// .ods (merges and hidden rows in its own XML) and as Danish CSV (Windows-1252 and UTF-8,
/// semicolons) — import as the originals do.
#[test]
fn sheets_saved_again_by_libreoffice_import_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<Case> = vec![
        ("titelblok", standard_rows(title_block(Grid::new("Beskeder"), "Netcompany A/S", "2.1").text(HEADER)), assert_standard),
        ("skjult", standard_rows(Grid::new("Beskeder").text(HEADER)).text(&["T9", "Udgået trussel", "F", "Alvorlig", "", "Mulig", "", "", "", "", ""]).hide(6), |o| {
            // a CSV keeps no hidden rows: only the .ods still hides T9
            assert_eq!(o.rated("T1", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)));
            assert!(o.report.encoding.is_some() || o.text.contains("række 7: skjult række"), "{}", o.text);
        }),
        ("flettet", merged_down(Grid::new("Beskeder")).merge(1, 0, 3, 0).merge(1, 1, 3, 1).merge(1, 5, 3, 5).merge(4, 0, 5, 0).merge(4, 1, 5, 1), |o| {
            assert_eq!(o.rated("T1", D::Availability), (Some(Co::Limited), Some(L::Unlikely)));
            assert_eq!(o.rated("T3", D::Integrity), (Some(Co::Serious), Some(L::Possible)));
        }),
        ("to-raekker", two_row_dimensions(), |o| {
            assert_eq!(o.rated("T3", D::Integrity), (Some(Co::Serious), Some(L::Possible)));
            assert_eq!(o.rated("T3", D::Availability), (Some(Co::Limited), Some(L::Unlikely)));
        }),
    ];
    let originals: Vec<PathBuf> = cases
        .iter()
        .map(|(name, grid, _)| {
            let f = dir.path().join(format!("{name}.xlsx"));
            std::fs::write(&f, xlsx(std::slice::from_ref(grid))).unwrap();
            f
        })
        .collect();
    for (i, filter) in ["ods", "csv:Text - txt - csv (StarCalc):59,34,1", "csv:Text - txt - csv (StarCalc):59,34,76"].into_iter().enumerate() {
        let out = dir.path().join(format!("lo-{i}"));
        std::fs::create_dir_all(&out).unwrap();
        let Some(converted) = libreoffice(&originals, filter, &out) else { return };
        for ((name, _, check), file) in cases.iter().zip(&converted) {
            let ws_dir = out.join(name);
            std::fs::create_dir_all(&ws_dir).unwrap();
            let (ws_path, mut ws) = workspace(&ws_dir);
            let (report, _) = import_into(&mut ws, &ws_path, file).unwrap_or_else(|e| panic!("{name} as {filter}: {}", konsekvens_core::UserError::from(e).da));
            let text = konsekvens_exchange::report::render(&report, konsekvens_core::check::Lang::Da);
            check(&Outcome { report, text, ws });
            let (again, _) = import_into(&mut ws_again(&ws_path), &ws_path, file).unwrap();
            assert_eq!((again.counts.created, again.counts.updated), (0, 0), "{name} as {filter}");
        }
    }
}

fn ws_again(path: &Path) -> Workspace {
    Workspace::open(path, Arc::new(FixedEnv::new(1_790_000_000_000, 8))).unwrap()
}

#[test]
fn a_cover_sheet_first_combined_scale_words_and_day_numbers() {
    let cover = Grid::new("Forside").text(&["Risikovurdering af Aula"]).text(&["Leverandør:", "Netcompany A/S"]).text(&["Version:", "4.0"]);
    let scale = Grid::new("Skala").text(&["Trin", "Konsekvens", "Sandsynlighed"]).text(&["1", "Begrænset", "Usandsynlig"]);
    let register = Grid::new("Risici")
        .text(&["Risiko-ID", "Risikobeskrivelse", "F/I/T", "Konsekvens (K)", "Sandsynlighed (S)", "Nuværende foranstaltninger", "Handlingsplan", "Frist"])
        .row(vec![T("R1"), T(T1), T("F"), T("4 - Ødelæggende"), T("Forventet (4)"), T("Advarsel ved mange modtagere"), T("Påmindelse ved afsendelse"), N(46387.0)])
        .row(vec![T("R2"), T(T2), T("I"), T("2. Alvorlig"), T("3 – Sandsynlig"), T("Ingen"), T("-"), E]);
    let o = import("forside", Kind::Xlsx, &[cover, scale, register]);
    assert_eq!(o.report.sheet, "Risici", "the sheet whose header names a risk register");
    assert_eq!(o.rated("R1", D::Confidentiality), (Some(Co::Devastating), Some(L::Expected)), "«Konsekvens (K)» is not confidentiality's column: the F/I/T column says");
    assert_eq!(o.rated("R2", D::Integrity), (Some(Co::Serious), Some(L::Likely)));
    assert!(o.measures_of("R1").contains(&("Påmindelse ved afsendelse".to_owned(), Some(MeasureStatus::Planned), Some(Day::ymd(2026, 12, 31)))), "{:?}", o.measures_of("R1"));
    assert!(o.measures_of("R2").is_empty());
}
