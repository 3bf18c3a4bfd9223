//! The import report as text, in Danish or English: what was created, updated, left
//! unchanged and skipped (and why), and what the check says the imported items still lack.

use crate::import::{Action, ImportReport, MappingOrigin};
use crate::mapping::Note;
use konsekvens_core::check::Lang;
use std::fmt::Write;

fn pick<'a>(lang: Lang, da: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Da => da,
        Lang::En => en,
    }
}

fn note(lang: Lang, n: &Note) -> &str {
    pick(lang, &n.da, &n.en)
}

fn rows(lang: Lang, rows: &[u32]) -> String {
    let list = rows.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    match (lang, rows.len()) {
        (_, 0) => String::new(),
        (Lang::Da, 1) => format!("række {list}"),
        (Lang::Da, _) => format!("rækkerne {list}"),
        (Lang::En, 1) => format!("row {list}"),
        (Lang::En, _) => format!("rows {list}"),
    }
}

/// The report as the CLI prints it.
pub fn render(r: &ImportReport, lang: Lang) -> String {
    let mut out = String::new();
    let t = |da, en| pick(lang, da, en);
    let target = if r.target == "base" { t("den fælles basis", "the joint base").to_owned() } else { format!("{} {}", t("tillægget", "the supplement"), r.target.trim_start_matches("supplement/")) };
    let _ = writeln!(out, "{} «{}», {} «{}» → {target}", t("Import af", "Import of"), r.file, t("ark", "sheet"), r.sheet);
    if !r.written {
        let _ = writeln!(out, "{}", t("PRØVEKØRSEL: intet er skrevet.", "DRY RUN: nothing was written."));
    }
    let origin = match &r.mapping {
        MappingOrigin::File { path } => format!("{} {path}", t("fra", "from")),
        MappingOrigin::Saved { path } => format!("{} {path} ({} {})", t("gemt i", "saved in"), t("fingeraftryk", "fingerprint"), r.fingerprint),
        MappingOrigin::Proposed => t("foreslået ud fra overskriftsrækken", "proposed from the header row").to_owned(),
    };
    let _ = writeln!(out, "Mapping: {origin}; {} {}", t("overskriftsrække", "header row"), r.header_row);
    if let Some(e) = &r.encoding {
        let _ = writeln!(out, "{} {e}", t("Tegnsæt:", "Encoding:"));
    }
    for n in &r.mapping_notes {
        let _ = writeln!(out, "  {}", note(lang, n));
    }
    let _ = writeln!(
        out,
        "{}: «{}» + {} ({} «{}»)",
        t("Kildereference", "Source reference"),
        r.source_label,
        t("arkets reference", "the sheet's reference"),
        t("fx", "e.g."),
        r.items
            .iter()
            .filter(|i| i.kind == "risk")
            .filter_map(|i| i.sheet_reference.clone())
            .chain(r.skipped.iter().filter_map(|s| s.sheet_reference.clone()))
            .next()
            .map(|s| crate::import::source_reference(&r.source_label, &s))
            .unwrap_or_else(|| "…".into())
    );
    let c = &r.counts;
    let _ = writeln!(
        out,
        "\n{}: {} {}, {} {}, {} {}, {} {}{}",
        t("Risici", "Risks"),
        c.created,
        t("oprettet", "created"),
        c.updated,
        t("opdateret", "updated"),
        c.unchanged,
        t("uændret", "unchanged"),
        c.skipped,
        t("sprunget over", "skipped"),
        if c.no_longer_in_source > 0 {
            format!(", {} {}", c.no_longer_in_source, t("ikke længere i leverandørens materiale (afgør, om de skal beholdes)", "no longer in the supplier material (decide whether to keep them)"))
        } else {
            String::new()
        }
    );
    for kind in ["risk", "measure", "module", "process"] {
        let lines: Vec<_> = r.items.iter().filter(|i| i.kind == kind).collect();
        if lines.is_empty() {
            continue;
        }
        if kind != "risk" {
            let title = match kind {
                "measure" => t("Foranstaltninger", "Measures"),
                "module" => t("Moduler oprettet (beskriv dem)", "Modules created (describe them)"),
                _ => t("Databehandlingsprocesser oprettet (beskriv dem)", "Processing activities created (describe them)"),
            };
            let _ = writeln!(out, "\n{title}:");
        }
        for i in lines {
            let action = match i.action {
                Action::Created => t("oprettet ", "created  "),
                Action::Updated => t("opdateret", "updated  "),
                Action::Unchanged => t("uændret  ", "unchanged"),
                Action::NoLongerInSource => t("ikke længere i leverandørens materiale:", "no longer in the supplier material:"),
            };
            let from = match (&i.sheet_reference, i.rows.is_empty()) {
                (Some(s), _) => format!(" ({s}, {})", rows(lang, &i.rows)),
                (None, false) => format!(" ({})", rows(lang, &i.rows)),
                (None, true) => String::new(),
            };
            let changes = if i.changes.is_empty() { String::new() } else { format!(": {}", i.changes.iter().map(|n| note(lang, n)).collect::<Vec<_>>().join(", ")) };
            let _ = writeln!(out, "  {action} {} «{}»{from}{changes}", i.reference, i.title);
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(out, "\n{}:", t("Sprunget over", "Skipped"));
        for s in &r.skipped {
            let what = match &s.sheet_reference {
                Some(x) => format!("{x} ({})", rows(lang, &s.rows)),
                None => rows(lang, &s.rows),
            };
            let _ = writeln!(out, "  {what}: {}", pick(lang, &s.reason_da, &s.reason_en));
        }
    }
    if !r.formulas.is_empty() {
        let shown: Vec<String> = r.formulas.iter().take(5).map(|f| format!("{}{} ={} → «{}»", f.at.column.clone().unwrap_or_default(), f.at.row, f.formula, f.value)).collect();
        let more = if r.formulas.len() > 5 { " …" } else { "" };
        let _ = writeln!(
            out,
            "\n{} {}: {}{more}",
            r.formulas.len(),
            t("celler med formler; deres gemte resultat er brugt", "cells with formulas; their stored results were used"),
            shown.join("; ")
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "{}", note(lang, n));
    }
    if r.gaps.is_empty() {
        let _ = writeln!(out, "\n{}", t("Kontrollen finder intet, de importerede elementer mangler.", "The check finds nothing the imported items lack."));
    } else {
        let _ = writeln!(out, "\n{} ({}):", t("Det mangler de importerede elementer ifølge kontrollen", "What the check says the imported items still lack"), r.gaps.len());
        for g in &r.gaps {
            let sev = pick(lang, g.severity.danish(), g.severity.english());
            let _ = writeln!(out, "  [{sev}] {} {}", g.code, pick(lang, &g.message_da, &g.message_en));
        }
    }
    out
}
