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
    if !r.colours.is_empty() {
        // the DPO sees which ratings are a reading of colour, and by which rule
        let legend = r.colours.iter().any(|c| c.by_legend);
        let hue = r.colours.iter().any(|c| !c.by_legend);
        let how = match (legend, hue) {
            (true, false) => t("efter arkets egen farveforklaring", "by the sheet's own colour legend"),
            (false, true) => t("efter farvens nuance: grøn 1, gul 2, orange 3, rød 4 (rød 3, når arket ikke bruger orange)", "by the colour's hue: green 1, yellow 2, orange 3, red 4 (red 3 when the sheet uses no orange)"),
            _ => t("efter arkets farveforklaring, ellers farvens nuance", "by the sheet's colour legend, else the colour's hue"),
        };
        let _ = writeln!(out, "\n{} {} ({how}); {}:", r.colours.len(), t("vurderinger læst fra cellefarve", "ratings read from cell colour"), t("kontrollér dem", "check them"));
        for c in &r.colours {
            let header = c.at.header.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
            let colour = pick(lang, &c.colour_da, &c.colour_en);
            let _ = writeln!(out, "  {}{}{header}: {colour} {} → {} {}", c.at.column.clone().unwrap_or_default(), c.at.row, c.colour, t("trin", "step"), c.step);
        }
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

/// A mapping's field (as [`crate::Mapping::named_columns`] names it) in the user's words.
fn field_words(lang: Lang, field: &str) -> String {
    let (path, dim) = match field.strip_prefix("per_dimension.") {
        Some(rest) => {
            let (d, f) = rest.split_once('.').unwrap_or((rest, ""));
            let d = konsekvens_core::model::Dimension::ALL.iter().find(|x| x.english() == d).map(|x| pick(lang, x.danish(), x.english()).to_owned()).unwrap_or_default();
            (f, Some(d))
        }
        None => (field.strip_prefix("columns.").unwrap_or(field), None),
    };
    let (da, en) = match path {
        "reference" => ("arkets reference", "the sheet's reference"),
        "title" => ("titel", "title"),
        "threat" => ("trusselsbeskrivelse", "threat description"),
        "module" => ("modul", "module"),
        "process" => ("databehandlingsproces", "processing activity"),
        "dimension" => ("fortrolighed/integritet/tilgængelighed", "confidentiality/integrity/availability"),
        "consequence" => ("konsekvens", "consequence"),
        "consequence_reason" => ("begrundelse for konsekvens", "reason for the consequence"),
        "likelihood" => ("sandsynlighed", "likelihood"),
        "likelihood_reason" => ("begrundelse for sandsynlighed", "reason for the likelihood"),
        "reason" => ("begrundelse", "reason"),
        "residual_consequence" => ("restkonsekvens", "residual consequence"),
        "residual_consequence_reason" => ("begrundelse for restkonsekvens", "reason for the residual consequence"),
        "residual_likelihood" => ("restsandsynlighed", "residual likelihood"),
        "residual_likelihood_reason" => ("begrundelse for restsandsynlighed", "reason for the residual likelihood"),
        "residual_reason" => ("begrundelse for restrisiko", "reason for the residual risk"),
        "measure" => ("foranstaltninger", "measures"),
        "recommended_measure" => ("anbefalede/planlagte foranstaltninger", "recommended/planned measures"),
        "owner" => ("ansvarlig", "owner"),
        "status" => ("status", "status"),
        "planned_date" => ("frist", "due date"),
        "measure_kind" => ("type af foranstaltning", "kind of measure"),
        other => (other, other),
    };
    match dim {
        Some(d) => format!("{} ({d})", pick(lang, da, en)),
        None => pick(lang, da, en).to_owned(),
    }
}

/// How many threats `explain` shows as they will be imported.
const EXPLAIN_THREATS: usize = 5;

/// What an import of the sheet would read, before anything is written: the header row and
/// how it was found, what each column maps to (and which are not used, and why), the rows
/// left out, and the first threats as they will be imported — or the problem that stops it.
pub fn explain(sheet: &crate::Sheet, chosen: &crate::ChosenMapping, lang: Lang) -> String {
    use crate::mapping::{header_row, headers};
    use crate::sheet::column_letter;
    let t = |da, en| pick(lang, da, en);
    let mut out = String::new();
    let m = &chosen.mapping;
    let _ = writeln!(out, "{} «{}»{}", t("Ark", "Sheet"), sheet.name, sheet.encoding.map(|e| format!(" ({} {e})", t("tegnsæt", "encoding"))).unwrap_or_default());
    let Some(row) = header_row(sheet, m.header_row) else {
        let _ = writeln!(out, "{}", t("Ingen overskriftsrække fundet blandt de første 40 rækker.", "No header row found among the first 40 rows."));
        return out;
    };
    let how = match (&chosen.origin, m.header_row) {
        (MappingOrigin::File { .. }, Some(_)) => t("fra mappingfilen", "from the mapping file"),
        (MappingOrigin::Saved { .. }, _) => t("fundet som ved sidste import; mappingen er gemt", "found as at the last import; the mapping is saved"),
        (_, Some(r)) if Some(r.saturating_sub(1)) != crate::mapping::detect_header_row(sheet) => t("valgt", "as chosen"),
        _ => t("fundet ud fra, hvad kolonnerne betyder", "found by what its columns mean"),
    };
    let _ = writeln!(out, "{}: {} ({how})", t("Overskriftsrække", "Header row"), row + 1);
    for above in 0..row {
        if sheet.row_is_blank(above) {
            continue;
        }
        let text: Vec<String> = (0..sheet.width().min(12)).map(|c| sheet.get(above, c).text()).filter(|s| !s.is_empty()).collect();
        let line: String = text.join(" | ").chars().take(90).collect();
        let _ = writeln!(out, "  {} {}: {line}", t("over den, række", "above it, row"), above + 1);
    }
    let _ = writeln!(out, "\n{}:", t("Kolonner", "Columns"));
    let named = m.named_columns();
    for (col, header) in headers(sheet, row) {
        let fields: Vec<String> = named.iter().filter(|(_, n)| crate::mapping::norm(n) == crate::mapping::norm(&header)).map(|(f, _)| field_words(lang, f)).collect();
        let to = if fields.is_empty() { t("(bruges ikke)", "(not used)").to_owned() } else { format!("→ {}", fields.join(", ")) };
        let _ = writeln!(out, "  {} «{header}» {to}", column_letter(col));
    }
    if !m.default_dimensions.is_empty() {
        let dims: Vec<&str> = m.default_dimensions.iter().map(|d| pick(lang, d.danish(), d.english())).collect();
        let _ = writeln!(out, "  {}: {}", t("vurderingerne gælder", "the ratings rate"), dims.join(", "));
    }
    // the proposal's other notes (its column assignments are the list above)
    let notes: Vec<&Note> = chosen.notes.iter().filter(|n| !(n.en.starts_with("Column ") && n.en.contains("» → "))).collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "\n{}:", t("Forslaget", "The proposal"));
        for n in notes {
            let _ = writeln!(out, "  {}", note(lang, n));
        }
    }
    let parsed = match crate::parse::parse(sheet, m) {
        Ok(p) => p,
        Err(e) => {
            let u = konsekvens_core::UserError::from(e);
            let _ = writeln!(out, "\n{}", pick(lang, &u.da, &u.en));
            return out;
        }
    };
    let _ = writeln!(out, "\n{} ({} {}):", t("De første trusler, som de importeres", "The first threats as they will be imported"), parsed.risks.len(), t("i alt", "in all"));
    for r in parsed.risks.iter().take(EXPLAIN_THREATS) {
        let _ = writeln!(out, "  {} ({}) «{}»", r.reference, rows(lang, &r.rows), r.title.clone().unwrap_or_default());
        for (label, ratings) in [(t("iboende", "inherent"), &r.inherent), (t("rest", "residual"), &r.residual)] {
            for (d, s) in ratings {
                let c = s.consequence.map(|c| pick(lang, c.danish(), c.english())).unwrap_or("–");
                let l = s.likelihood.map(|l| pick(lang, l.danish(), l.english())).unwrap_or("–");
                let _ = writeln!(out, "    {label} {}: {c} × {l}", pick(lang, d.danish(), d.english()));
            }
        }
        for ms in &r.measures {
            let status = ms.status.map(|s| format!(" ({})", pick(lang, s.danish(), s.english()))).unwrap_or_default();
            let _ = writeln!(out, "    {} {}{status}", t("foranstaltning:", "measure:"), ms.title);
        }
    }
    if parsed.risks.len() > EXPLAIN_THREATS {
        let _ = writeln!(out, "  …");
    }
    if !parsed.colours.is_empty() {
        let _ = writeln!(out, "\n{} ({}):", t("Læst fra cellefarve", "Read from cell colour"), parsed.colours.len());
        for c in &parsed.colours {
            let how = if c.by_legend { t("arkets forklaring", "the sheet's legend") } else { t("farvens nuance", "the colour's hue") };
            let _ = writeln!(out, "  {}{}: {} {} → {} {} ({how})", c.at.column.clone().unwrap_or_default(), c.at.row, pick(lang, &c.colour_da, &c.colour_en), c.colour, t("trin", "step"), c.step);
        }
    }
    if !parsed.skipped.is_empty() {
        let _ = writeln!(out, "\n{}:", t("Sprunget over", "Skipped"));
        for s in &parsed.skipped {
            let _ = writeln!(out, "  {} {}: {}", t("række", "row"), s.at.row, pick(lang, &s.reason_da, &s.reason_en));
        }
    }
    if !parsed.problems.is_empty() {
        let _ = writeln!(out, "\n{} ({}):", t("Problemer, der stopper importen", "Problems that stop the import"), parsed.problems.len());
        for p in &parsed.problems {
            let _ = writeln!(out, "  {}", if lang == Lang::Da { p.da() } else { p.to_string() });
        }
    }
    out
}
