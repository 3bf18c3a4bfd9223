//! 6. Which measures answer which risks, by reference.

use super::*;

impl Doc<'_> {
    pub(super) fn traceability(&mut self) {
        let d = self.d;
        self.h1(self.t("Sporbarhed: risici og foranstaltninger", "Traceability: risks and measures"));
        self.small(self.t(
            "Matricen viser, hvilke foranstaltninger der reducerer hvilke risici, ved deres faste referencer. Kun elementer, der er relevante her, indgår.",
            "The matrix shows which measures reduce which risks, by their stable references. Only items that apply here are included.",
        ));
        let risks: Vec<&Entry<Risk>> = d.items.risks.iter().filter(|e| e.applies()).collect();
        let measures: Vec<&Entry<Measure>> = d.items.measures.iter().filter(|e| e.applies()).collect();
        if risks.is_empty() || measures.is_empty() {
            self.small(self.t("(ingen)", "(none)"));
            return;
        }
        let tables = measures.len().div_ceil(12);
        let per = measures.len().div_ceil(tables);
        for chunk in measures.chunks(per) {
            let per = chunk.len();
            let mut widths = vec![3.2];
            widths.extend(std::iter::repeat_n(0.62, chunk.len()));
            widths.extend(std::iter::repeat_n(0.62, per - chunk.len()));
            let mut header = vec![Cell::bold(self.t("Risiko \\ foranstaltning", "Risk \\ measure"))];
            for m in chunk {
                let mut c = Cell::bold(m.item.reference.0.clone()).center();
                if m.is_local() {
                    c.spans[0].tone = Tone::Local;
                }
                header.push(c);
            }
            header.extend(std::iter::repeat_n(Cell::default(), per - chunk.len()));
            let mut t = Table::new(&widths, Some(header));
            t.compact = true;
            t.row_headers = true;
            for r in &risks {
                let mut row = vec![Cell::spans(vec![Span::bold(format!("{} ", r.item.reference)), Span::new(r.item.title.clone())])];
                for m in chunk {
                    row.push(if m.item.mitigates.contains(&r.item.id) { Cell::mark() } else { Cell::default() });
                }
                row.extend(std::iter::repeat_n(Cell::default(), per - chunk.len()));
                t.row_filled(row, if r.is_local() { Some(Fill::Local) } else { None });
            }
            self.table(t);
        }
        let without: Vec<String> = risks.iter().filter(|r| d.measures_for(&r.item.id).next().is_none() && r.item.acceptance.is_blank()).map(|r| r.item.reference.0.clone()).collect();
        if !without.is_empty() {
            self.para(vec![
                Span::bold(format!("{}: ", self.t("Risici uden foranstaltning eller accept", "Risks without a measure or an acceptance"))).tone(Tone::Local),
                Span::new(without.join(", ")),
            ]);
        }
        let dangling: Vec<String> = measures
            .iter()
            .flat_map(|m| m.item.mitigates.iter().filter(|id| !self.refs.contains_key(*id)).map(move |id| format!("{} → ?{id}", m.item.reference)))
            .collect();
        if !dangling.is_empty() {
            self.para(vec![Span::bold(format!("{}: ", self.t("Henvisninger der ikke kan findes", "References that do not resolve"))).tone(Tone::Local), Span::new(dangling.join(", "))]);
        }
    }
}
