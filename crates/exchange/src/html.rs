//! A [`Report`] as one self-contained, accessible HTML file (the public summary's web form):
//! `lang` on the document, semantic elements (`header`, `main`, `h1`–`h3` without skipped
//! levels, `ul`, `table` with `th scope`, `figure` with `figcaption`), the style sheet
//! inline, no script, no external resource.
//!
//! Written with maud: every text from the DPIA is escaped by the template engine (a `&`,
//! `<` or quote in a purpose's description cannot become markup), and the markup is checked
//! when this crate compiles.

use konsekvens_core::check::Lang;
use konsekvens_core::model::{Consequence, Likelihood, RiskLevel};
use konsekvens_core::report::{Block, Cell, Fill, HeatMaps, ParaKind, Report, Span, Table, Tone};
use maud::{html, Markup, PreEscaped, DOCTYPE};

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; line-height: 1.5; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1 { color: #1f4e79; font-size: 1.6rem; border-bottom: 2px solid #1f4e79; padding-bottom: .2rem; margin-top: 2.2rem; }
h2 { color: #1f4e79; font-size: 1.2rem; margin-top: 1.6rem; }
h3 { color: #1f4e79; font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
p { margin: .4rem 0 .6rem; }
.kicker { color: #555; letter-spacing: .04em; font-size: .85rem; margin: 0; }
.title { color: #1f4e79; font-size: 1.9rem; font-weight: bold; margin: .3rem 0; }
.party { font-size: 1.25rem; font-weight: bold; }
.small { color: #555; font-size: .9rem; }
.grey { color: #555; } .local { color: #8a4b00; } .accent { color: #1f4e79; } .alert { color: #a1141a; }
ul { padding-left: 1.3rem; margin: .3rem 0 .8rem; } li { margin: .15rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid #b8c2cc; padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th, th[scope=row] { background: #e8eef4; }
.fill-low { background: #dff0d8; } .fill-medium { background: #fcefc7; } .fill-high { background: #f6d0cd; }
.fill-local { background: #fff4e5; } .fill-na { background: #f0f0f0; } .fill-header { background: #e8eef4; }
.center { text-align: center; }
figure { margin: 1rem 0; } figcaption { color: #555; font-size: .9rem; margin-bottom: .4rem; }
.heat { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.heat table { width: auto; font-size: .8rem; }
.heat td { width: 4.2rem; height: 3rem; text-align: center; }
.heat caption { font-weight: bold; color: #1f4e79; text-align: left; padding-bottom: .3rem; }
.footer { color: #555; font-size: .85rem; border-top: 1px solid #b8c2cc; margin-top: 3rem; padding-top: .5rem; }
@media print { main { max-width: none; } }
"#;

fn class(tone: Tone) -> Option<&'static str> {
    match tone {
        Tone::Normal => None,
        Tone::Grey => Some("grey"),
        Tone::Local => Some("local"),
        Tone::Accent => Some("accent"),
        Tone::Alert => Some("alert"),
    }
}

fn fill_class(f: Option<Fill>) -> Option<&'static str> {
    f.map(|f| match f {
        Fill::Header => "fill-header",
        Fill::Low => "fill-low",
        Fill::Medium => "fill-medium",
        Fill::High => "fill-high",
        Fill::Local => "fill-local",
        Fill::NotApplicable => "fill-na",
    })
}

/// A span's text, its line breaks as `<br>`.
fn text(s: &str) -> Markup {
    html! {
        @for (k, line) in s.split('\n').enumerate() {
            @if k > 0 { br; }
            (line)
        }
    }
}

fn spans(spans: &[Span]) -> Markup {
    html! {
        @for s in spans {
            @let inner = text(&s.text);
            @match (s.bold, class(s.tone)) {
                (true, c) => strong class=[c] { (inner) },
                (false, Some(c)) => span class=(c) { (inner) },
                (false, None) => (inner),
            }
        }
    }
}

fn cell(c: &Cell, tag_th: Option<&str>) -> Markup {
    let mut classes: Vec<&str> = fill_class(c.fill).into_iter().collect();
    if c.center {
        classes.push("center");
    }
    let class = (!classes.is_empty()).then(|| classes.join(" "));
    let content = if c.mark { html! { span aria-hidden="true" { "●" } span class="visually-hidden" style="position:absolute;left:-9999px" { "x" } } } else { spans(&c.spans) };
    match tag_th {
        Some(scope) => html! { th scope=(scope) class=[class] { (content) } },
        None => html! { td class=[class] { (content) } },
    }
}

fn table(t: &Table) -> Markup {
    let row_headers = t.header.is_none() || t.row_headers;
    html! {
        table {
            @if let Some(h) = &t.header {
                thead { tr { @for c in h { (cell(c, Some("col"))) } } }
            }
            tbody {
                @for row in &t.rows {
                    tr class=[fill_class(row.fill)] {
                        @for (k, c) in row.cells.iter().enumerate() {
                            (cell(c, (k == 0 && row_headers && row.cells.len() > 1).then_some("row")))
                        }
                    }
                }
            }
        }
    }
}

fn level_class(c: u8, l: u8) -> &'static str {
    let level = match (Consequence::ALL.get(usize::from(c.saturating_sub(1))), Likelihood::ALL.get(usize::from(l.saturating_sub(1)))) {
        (Some(c), Some(l)) => RiskLevel::of(*c, *l),
        _ => RiskLevel::Low,
    };
    match level {
        RiskLevel::Low => "fill-low",
        RiskLevel::Medium => "fill-medium",
        RiskLevel::High => "fill-high",
    }
}

/// The heat maps as real tables: consequence down (most severe first), likelihood across,
/// each cell the number of risks and their references.
fn heat_maps(m: &HeatMaps) -> Markup {
    html! {
        figure class="heat" {
            @for map in &m.maps {
                table {
                    caption { (map.title) }
                    thead {
                        tr {
                            th scope="col" { (m.consequence_axis) " \\ " (m.likelihood_axis) }
                            @for w in &m.likelihood_words { th scope="col" { (w) } }
                        }
                    }
                    tbody {
                        @for c in (1..=4u8).rev() {
                            tr {
                                th scope="row" { (m.consequence_words[usize::from(c - 1)]) }
                                @for l in 1..=4u8 {
                                    td class=(level_class(c, l)) {
                                        @if let Some(refs) = map.grid.get(&(c, l)).filter(|r| !r.is_empty()) {
                                            strong { (refs.len()) } br; (refs.join(" "))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn blocks(bs: &[Block]) -> Markup {
    html! {
        @for b in bs {
            @match b {
                Block::Heading { level: 1, text: t } => h1 { (t) },
                Block::Heading { level: 2, text: t } => h2 { (t) },
                Block::Heading { text: t, .. } => h3 { (t) },
                Block::Para { spans: s, kind } => {
                    @match kind {
                        ParaKind::Body => p { (spans(s)) },
                        ParaKind::Small => p class="small" { (spans(s)) },
                        ParaKind::CoverKicker => p class="kicker" { (spans(s)) },
                        ParaKind::CoverTitle => p class="title" { (spans(s)) },
                        ParaKind::CoverParty => p class="party" { (spans(s)) },
                    }
                },
                Block::Table(t) => (table(t)),
                Block::List(items) => ul { @for i in items { li { (spans(i)) } } },
                Block::Keep(group) => (blocks(group)),
                Block::HeatMaps(m) => (heat_maps(m)),
                Block::Signatures { labels, people, .. } => table {
                    thead { tr { th scope="col" { (labels.name) } th scope="col" { (labels.capacity) } } }
                    tbody { @for s in people { tr { td { (s.name) } td { (s.capacity) } } } }
                },
                // paper only: page breaks, spacing, a table of contents with page numbers
                Block::Space(_) | Block::PageBreak | Block::Contents { .. } => {},
            }
        }
    }
}

/// The report as a complete HTML document (UTF-8).
pub fn render_report(report: &Report) -> String {
    let lang = if report.lang == Lang::Da { "da" } else { "en" };
    let title = format!("{} — {}", report.title, report.party);
    let page = html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("Konsekvens ", env!("CARGO_PKG_VERSION")));
                meta name="description" content=(report.subject());
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    (blocks(&report.blocks))
                    p class="footer" { (report.footer_text()) }
                }
            }
        }
    };
    page.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use konsekvens_core::model::Day;
    use konsekvens_core::report::ReportKind;

    fn report(blocks: Vec<Block>) -> Report {
        Report {
            lang: Lang::Da,
            title: "Resumé <b>".into(),
            party: "Kommune & co".into(),
            author: "x".into(),
            system: "S".into(),
            date: Day::ymd(2026, 12, 6),
            blocks,
            kind: ReportKind::PublicSummary,
        }
    }

    #[test]
    fn every_text_is_escaped() {
        let hostile = "</p><script>alert(1)</script>\"'&";
        let html = render_report(&report(vec![
            Block::Heading { level: 1, text: hostile.into() },
            Block::Para { spans: vec![Span::new(hostile)], kind: ParaKind::Body },
            Block::List(vec![vec![Span::bold(hostile)]]),
        ]));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;'&amp;"), "{html}");
        assert!(html.contains("<title>Resumé &lt;b&gt; — Kommune &amp; co</title>"), "{html}");
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"da\">"), "{html}");
    }

    #[test]
    fn tables_have_header_cells_with_scope_and_lists_are_lists() {
        let mut t = Table::new(&[1.0, 1.0], None);
        t.row(vec![Cell::text("Etiket"), Cell::text("Værdi")]);
        let html = render_report(&report(vec![Block::Table(t), Block::List(vec![vec![Span::new("a")], vec![Span::new("b\nc")]])]));
        assert!(html.contains("<th scope=\"row\">Etiket</th><td>Værdi</td>"), "{html}");
        assert!(html.contains("<ul><li>a</li><li>b<br>c</li></ul>"), "{html}");
    }
}
