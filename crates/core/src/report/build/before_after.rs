//! 7. The risk picture before and after measures: counts, shares and heat maps.

use super::*;

impl Doc<'_> {
    pub(super) fn before_after(&mut self) {
        let d = self.d;
        self.h1(self.t("Risikobilledet før og efter foranstaltninger", "Risks before and after measures"));
        // the same counts and rounded shares as the check's risk picture
        let picture = RiskPicture::of(d);
        let (before, after) = (picture.before, picture.after);
        let mut t = Table::new(
            &[2.0, 1.0, 1.0, 1.0, 1.0],
            Some(self.header(&[("Risikoniveau", "Risk level"), ("Før: antal", "Before: count"), ("Før: andel", "Before: share"), ("Efter: antal", "After: count"), ("Efter: andel", "After: share")])),
        );
        for lvl in [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High] {
            let share = |s: &crate::check::Share| match lvl {
                RiskLevel::Low => (s.counts.low, s.low_percent),
                RiskLevel::Medium => (s.counts.medium, s.medium_percent),
                RiskLevel::High => (s.counts.high, s.high_percent),
            };
            let ((b, bp), (a, ap)) = (share(&before), share(&after));
            t.row(vec![
                Cell::bold(cap(self.w(lvl))).fill(level_fill(Some(lvl)).unwrap()),
                Cell::text(b.to_string()).center(),
                Cell::text(format!("{bp} %")).center(),
                Cell::text(a.to_string()).center(),
                Cell::text(format!("{ap} %")).center(),
            ]);
        }
        if picture.unrated_before + picture.unrated_after > 0 {
            let n = |k: usize| Cell::text(k.to_string()).center();
            t.row(vec![Cell::bold(self.t("Ikke vurderet (ikke i andelene)", "Not rated (not in the shares)")), n(picture.unrated_before), Cell::default(), n(picture.unrated_after), Cell::default()]);
        }
        t.row(vec![
            Cell::bold(self.t("I alt", "Total")),
            Cell::bold((before.counts.total() + picture.unrated_before).to_string()).center(),
            Cell::default(),
            Cell::bold((after.counts.total() + picture.unrated_after).to_string()).center(),
            Cell::default(),
        ]);
        self.table(t);
        self.heat_maps();
    }

    /// Consequence × likelihood grids before and after, with their caption kept beside them.
    pub(super) fn heat_maps(&mut self) {
        let d = self.d;
        // the caption stays with the heat maps it explains
        let caption = self.blocks.len();
        self.small(self.t(
            "Varmekortene placerer hver relevant risiko efter sin mest alvorlige dimension: konsekvens (lodret) mod sandsynlighed (vandret). Tallet er antallet af risici i feltet, under det deres referencer.",
            "The heat maps place each applicable risk by its most serious dimension: consequence (vertical) against likelihood (horizontal). The number is the count of risks in the cell, their references below it.",
        ));
        let grid = |pick: fn(&Risk) -> &Assessment| {
            let mut g = HeatGrid::new();
            for e in d.items.risks.iter().filter(|e| e.applies()) {
                if let Some((c, l)) = worst_point(pick(&e.item)) {
                    g.entry((c.step(), l.step())).or_default().push(e.item.reference.0.clone());
                }
            }
            g
        };
        let words = |w: [&'static str; 4]| w.map(String::from);
        let maps = HeatMaps {
            maps: vec![
                HeatMap { title: self.t("Før foranstaltninger (iboende)", "Before measures (inherent)").into(), grid: grid(|r| &r.inherent) },
                HeatMap { title: self.t("Efter foranstaltninger (rest)", "After measures (residual)").into(), grid: grid(|r| &r.residual) },
            ],
            consequence_axis: self.t("Konsekvens", "Consequence").into(),
            likelihood_axis: self.t("Sandsynlighed", "Likelihood").into(),
            consequence_words: words(Consequence::ALL.map(|c| self.w(c))),
            likelihood_words: words(Likelihood::ALL.map(|l| self.w(l))),
        };
        self.blocks.push(Block::HeatMaps(maps));
        self.keep_from(caption);
    }
}
