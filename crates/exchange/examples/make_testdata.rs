//! Writes the example supplier risk sheet and the bad-input sheets under `testdata/`:
//!
//!     cargo run -p konsekvens-exchange --example make_testdata
//!
//! then `testdata/make.sh` converts the example to .ods with LibreOffice and makes the
//! password-protected and the damaged copies. The sheet is made by us in the style of
//! KOMBIT's module risk assessments for Aula (threats of the message module with consequence
//! and likelihood words, reasons, measures, owners); it is not KOMBIT's material.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};
use std::path::{Path, PathBuf};

const HEADER: [&str; 18] = [
    "Ref.",
    "Modul",
    "Dataproces",
    "Trussel",
    "Beskrivelse",
    "F/I/T",
    "Konsekvens",
    "Begrundelse",
    "Sandsynlighed",
    "Begrundelse",
    "Risikoniveau",
    "Foranstaltninger",
    "Ansvarlig",
    "Status",
    "Frist",
    "Restkonsekvens",
    "Restsandsynlighed",
    "Begrundelse for restrisiko",
];

const TITLE: &str = "KOMBIT · Aula · Risikovurdering af modulet Beskeder";
const SUBTITLE: &str = "Eksempel udarbejdet af Konsekvens til test og demonstration — ikke KOMBITs materiale.";
const SHEET: &str = "KOMBIT Beskeder";

type Row = [&'static str; 18];

/// T1–T10 in the order of the sheet; T1, T2, T3 and T5 continue on a second row with one more measure.
const ROWS: &[Row] = &[
    ["T1", "Beskeder, Grupper", "DP3, DP4", "Besked sendt til forkert modtager eller gruppe",
     "En medarbejder eller forælder sender en besked med personoplysninger om et barn til forkerte modtagere, fx en hel gruppe i stedet for én forælder.",
     "F", "Ødelæggende", "Følsomme oplysninger om et barn kan nå mange uvedkommende og skade barnets omdømme varigt.",
     "Forventet", "Fejlsendte beskeder er den hyppigste bruddtype i kommunernes anmeldelser om Aula.", "høj",
     "Advarsel ved afsendelse til mange modtagere eller grupper", "KOMBIT", "Gennemført", "", "Ødelæggende", "Mulig", "Advarslen og uddannelsen mindsker hyppigheden, men fejlsendte beskeder forekommer stadig."],
    ["T1", "", "", "", "", "", "", "", "", "", "", "Uddannelse af medarbejdere i korrekt brug af Beskeder", "Kommunen", "Gennemført", "", "", "", ""],
    ["T2", "Beskeder, Notifikationer", "DP3, DP4", "Følsom besked sendt uden markering som følsom",
     "Følsomme oplysninger skrives i en almindelig besked uden markering og vises derfor i notifikationer og efter login på lavere sikkerhedsniveau.",
     "F", "Meget alvorlig", "Helbredsoplysninger om et barn kan ses af andre i husstanden eller på en delt enhed.",
     "Forventet", "Markeringen er en afkrydsning, som brugerne selv skal huske.", "høj",
     "Markering af følsomme beskeder med skærpet visning", "KOMBIT", "Gennemført", "",
     "Meget alvorlig", "Mulig", "Markeringen og retningslinjen mindsker fejlene; påmindelsen ved afsendelse er endnu ikke indført."],
    ["T2", "", "", "", "", "", "", "", "", "", "", "Påmindelse om følsom-markering ved afsendelse", "KOMBIT", "Planlagt", "2027-06-30", "", "", ""],
    ["T3", "Grupper, Beskeder", "DP1, DP3, DP4", "Forældet gruppemedlemskab giver adgang til beskedtråde",
     "En medarbejder eller forælder, der ikke længere hører til en gruppe, modtager fortsat beskeder og kan læse tråde om børnene.",
     "F, I", "Meget alvorlig", "Fortrolige oplysninger eksponeres for personer uden tilknytning til barnet.",
     "Forventet", "Kommunerne vedligeholder mange manuelt oprettede grupper.", "høj",
     "Automatisk opdatering af grupper fra KMD Elev og KMD Institution", "KOMBIT", "Gennemført", "",
     "Meget alvorlig", "Usandsynlig", "Automatisk opdatering og halvårlig gennemgang fjerner forældede medlemskaber."],
    ["T3", "", "", "", "", "", "", "", "", "", "", "Halvårlig gennemgang af manuelt oprettede grupper", "Kommunen (skoleleder)", "Planlagt", "2026-03-31", "", "", ""],
    ["T4", "Beskeder", "DP3, DP4", "Besked læst af uvedkommende på delt eller ulåst enhed",
     "En besked læses af andre, fordi en medarbejder eller forælder har forladt en enhed uden at logge ud.",
     "F", "Alvorlig", "Oplysninger om et barn kan nå andre voksne i hjemmet eller på arbejdspladsen.",
     "Sandsynlig", "Delte enheder i hjem og på skoler er almindelige.", "mellem",
     "Automatisk logud efter inaktivitet", "KOMBIT", "Gennemført", "",
     "Alvorlig", "Mulig", "Automatisk logud begrænser tidsrummet, hvor en besked kan læses."],
    ["T5", "Beskeder", "DP3", "Tråd med personoplysninger udvidet med nye deltagere",
     "Nye deltagere tilføjes en eksisterende tråd og kan læse hele historikken, også oplysninger, der ikke var tiltænkt dem.",
     "F", "Alvorlig", "Tidligere beskeder om et barn kan nå nye deltagere uden behov.",
     "Mulig", "Tråde udvides jævnligt, fx når en ny lærer kommer til.", "mellem",
     "Advarsel ved tilføjelse af deltagere til eksisterende tråd", "KOMBIT", "Planlagt", "2026-12-31",
     "Alvorlig", "Usandsynlig", "Advarslen gør brugeren opmærksom på, at historikken deles."],
    ["T5", "", "", "", "", "", "", "", "", "", "", "Uddannelse af medarbejdere i korrekt brug af Beskeder", "Kommunen", "Gennemført", "", "", "", ""],
    ["T6", "Beskeder", "DP3, DP4", "Automatisk sletning fjerner beskeder, der skulle have været journaliseret",
     "Beskeder slettes efter de fastsatte frister, før oplysninger med betydning for en sag er overført til kommunens journal.",
     "T", "Alvorlig", "Oplysninger, der har betydning for en afgørelse om barnet, kan gå tabt.",
     "Mulig", "Journaliseringspligten følges ikke altid i en travl hverdag.", "mellem",
     "Retningslinje for journalisering før sletning", "Kommunen", "Gennemført", "",
     "Alvorlig", "Usandsynlig", "Retningslinjen og påmindelser ved frister mindsker risikoen."],
    ["T7", "Beskeder, Profiler og kontaktoplysninger", "DP2, DP3", "Forkert afsendernavn eller rolle vises",
     "Modtageren ser en forkert rolle for afsenderen, fx en medarbejder vist som privat kontaktperson.",
     "I", "Begrænset", "Modtageren kan misforstå beskedens status, men oplysningerne ændres ikke.",
     "Mulig", "", "lav",
     "Rollebetegnelse vises ved afsendernavn", "KOMBIT", "Gennemført", "",
     "Begrænset", "Usandsynlig", "Rollebetegnelsen gør afsenderens rolle tydelig."],
    ["T8", "Beskeder, Notifikationer", "DP3, DP4", "Beskedindhold vises i notifikationer på låseskærmen",
     "Notifikationer på mobiltelefoner kan vise uddrag af beskeder, som andre kan se uden at låse telefonen op.",
     "F", "Alvorlig", "Uddrag af beskeder om et barn kan ses af andre.",
     "Sandsynlig", "Mange brugere modtager notifikationer på telefonen.", "mellem",
     "Notifikationer viser ikke beskedens indhold", "KOMBIT", "Gennemført", "",
     "Alvorlig", "Usandsynlig", "Notifikationerne nævner kun, at der er en ny besked."],
    ["T9", "Beskeder", "DP3, DP4", "Beskeder utilgængelige ved nedbrud",
     "Et nedbrud hos leverandøren gør beskeder utilgængelige, så vigtige meddelelser om et barn ikke når frem i tide.",
     "T", "Alvorlig", "Forældre og personale kan mangle oplysninger, der har betydning for barnets trivsel den dag.",
     "Usandsynlig", "Driften har høj oppetid, og nedbrud er sjældne.", "lav",
     "Beredskabsplan og aftalt oppetid hos leverandøren", "Netcompany (leverandør)", "Gennemført", "",
     "Alvorlig", "Usandsynlig", "Beredskabsplanen sikrer hurtig genetablering."],
    ["T10", "Beskeder", "DP2, DP3", "Uautoriseret adgang til beskeder via overtaget login",
     "En uvedkommende overtager et brugernavn og en adgangskode og læser beskeder om børn.",
     "F", "Meget alvorlig", "Alle brugerens beskeder, også følsomme, kan læses.",
     "Mulig", "Phishing mod brugere af offentlige løsninger forekommer.", "mellem",
     "Login på højt sikkerhedsniveau (MitID) før følsomme beskeder vises", "KOMBIT", "Gennemført", "",
     "Meget alvorlig", "Usandsynlig", "Følsomme beskeder kræver login på højt sikkerhedsniveau."],
];

/// The updated version of the sheet: T5's rating is raised, and T11 is new.
fn rows_v2() -> Vec<Row> {
    let mut rows: Vec<Row> = ROWS.to_vec();
    let t5 = rows.iter_mut().find(|r| r[0] == "T5").expect("T5");
    t5[6] = "Meget alvorlig";
    t5[7] = "Historikken kan rumme følsomme oplysninger om barnet, som nye deltagere ikke må se.";
    t5[10] = "mellem";
    rows.push([
        "T11", "Beskeder, Profiler og kontaktoplysninger", "DP3", "Besked sendt fra forkert profil",
        "En forælder med flere børn eller en medarbejder med flere institutioner sender fra den forkerte profil.",
        "F", "Alvorlig", "Modtagerne får oplysninger i en forkert sammenhæng.",
        "Mulig", "Profilvalget er let at overse.", "mellem",
        "Tydelig visning af den aktive profil", "KOMBIT", "Planlagt", "2027-01-31",
        "Alvorlig", "Usandsynlig", "Tydelig profilvisning mindsker fejlene.",
    ]);
    rows
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// A workbook with a fixed creation time, so regenerating gives the same bytes.
fn workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_author("Konsekvens").set_creation_datetime(&ExcelDateTime::from_ymd(2025, 1, 1)?));
    Ok(wb)
}

fn header_sheet<'a>(wb: &'a mut Workbook, name: &str) -> Result<&'a mut Worksheet, XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, TITLE, &Format::new().set_bold().set_font_size(14))?;
    ws.write_string(1, 0, SUBTITLE)?;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if [3, 4, 7, 9, 11, 17].contains(&c) { 40 } else { 14 })?;
    }
    Ok(ws)
}

fn write_rows(ws: &mut Worksheet, rows: &[Row]) -> Result<(), XlsxError> {
    let wrap = Format::new().set_text_wrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string_with_format(4 + r as u32, c as u16, *v, &wrap)?;
            }
        }
    }
    Ok(())
}

fn xlsx(path: &Path, rows: &[Row]) -> Result<(), XlsxError> {
    let mut wb = workbook()?;
    let ws = header_sheet(&mut wb, SHEET)?;
    write_rows(ws, rows)?;
    wb.save(path)
}

/// As Excel's «CSV UTF-8»: semicolons, a byte-order mark, the title rows too.
fn csv(path: &Path, header: &[&str], rows: &[Vec<&str>]) {
    let mut w = csv::WriterBuilder::new().delimiter(b';').flexible(true).from_writer(Vec::from(*b"\xEF\xBB\xBF"));
    w.write_record([TITLE]).unwrap();
    w.write_record([SUBTITLE]).unwrap();
    w.write_record([""]).unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    std::fs::write(path, w.into_inner().unwrap()).unwrap();
}

/// The rows without the columns `drop` (0-based).
fn without(rows: &[Row], drop: &[usize]) -> Vec<Vec<&'static str>> {
    rows.iter().map(|r| r.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, v)| *v).collect()).collect()
}

fn main() -> Result<(), XlsxError> {
    let dir = testdata();
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).expect("testdata/bad");
    xlsx(&dir.join("KOMBIT-Beskeder.xlsx"), ROWS)?;
    xlsx(&dir.join("KOMBIT-Beskeder-v2.xlsx"), &rows_v2())?;
    csv(&dir.join("KOMBIT-Beskeder.csv"), &HEADER, &without(ROWS, &[]));

    // The likelihood columns (I, J: likelihood and its reason; Q: residual likelihood) are missing.
    let drop = [8, 9, 16];
    let header: Vec<&str> = HEADER.iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, h)| *h).collect();
    csv(&bad.join("missing-column.csv"), &header, &without(ROWS, &drop));

    // "Konsekvens" is one header merged across the rating and its reason.
    let mut wb = workbook()?;
    let ws = header_sheet(&mut wb, SHEET)?;
    ws.merge_range(3, 6, 3, 7, "Konsekvens", &Format::new().set_bold())?;
    write_rows(ws, &ROWS[..3])?;
    wb.save(bad.join("merged-header.xlsx"))?;

    // Consequence by formula: T1's computed result is stored, T4's formula gives #N/A and
    // T5's was saved without a result (as some generators do).
    let mut wb = workbook()?;
    let ws = header_sheet(&mut wb, SHEET)?;
    write_rows(ws, ROWS)?;
    ws.write_formula(4, 6, Formula::new("=VLOOKUP(A5,Skala!A:B,2,FALSE)").set_result("Ødelæggende"))?;
    ws.write_formula(10, 6, Formula::new("=VLOOKUP(A11,Skala!A:B,2,FALSE)").set_result("#N/A"))?;
    ws.write_formula(11, 6, Formula::new("=VLOOKUP(A12,Skala!A:B,2,FALSE)").set_result(""))?;
    let scale = wb.add_worksheet();
    scale.set_name("Skala")?;
    scale.write_string(0, 0, "T1")?.write_string(0, 1, "Ødelæggende")?;
    wb.save(bad.join("formulas.xlsx"))?;

    // Blank rows between the threats and a row with only a remark in an unused column.
    let mut rows: Vec<Row> = Vec::new();
    for (i, r) in ROWS[..8].iter().enumerate() {
        rows.push(*r);
        if i == 3 {
            rows.push([""; 18]);
            rows.push([""; 18]);
        }
    }
    let mut remark = [""; 18];
    remark[10] = "Bemærk: niveauerne er KOMBITs";
    rows.push(remark);
    csv(&bad.join("empty-rows.csv"), &HEADER, &without(&rows, &[]));

    // Scale words the mapping does not know.
    let mut rows: Vec<Row> = ROWS[..6].to_vec();
    let main_row = |rows: &mut Vec<Row>, reference: &str| -> usize { rows.iter().position(|r| r[0] == reference && !r[3].is_empty()).expect("a threat's first row") };
    let t2 = main_row(&mut rows, "T2");
    rows[t2][6] = "Enorm";
    let t3 = main_row(&mut rows, "T3");
    rows[t3][8] = "Hyppig";
    csv(&bad.join("unknown-words.csv"), &HEADER, &without(&rows, &[]));
    println!("wrote the example and bad-input sheets to {}", dir.display());
    Ok(())
}
