//! The cover: what the document is, whose it is, what it stands on, and its status.

use super::*;

impl Doc<'_> {
    pub(super) fn cover(&mut self) {
        self.blocks.push(Block::Space(60.0));
        self.blocks.push(Block::Para {
            spans: vec![Span::new(self.t("KONSEKVENSANALYSE · GDPR ART. 35", "DATA PROTECTION IMPACT ASSESSMENT · GDPR ART. 35")).tone(Tone::Grey)],
            kind: ParaKind::CoverKicker,
        });
        self.blocks.push(Block::Para {
            spans: vec![Span::bold(self.title()).tone(Tone::Accent)],
            kind: ParaKind::CoverTitle,
        });
        self.blocks.push(Block::Para {
            spans: vec![Span::bold(self.org_line())],
            kind: ParaKind::CoverParty,
        });
        let rows = self.cover_facts();
        self.kv(rows);
        self.blocks.push(Block::Space(18.0));
        let note = if self.o.is_base {
            self.t(
                "Denne fælles basis deles af de deltagende kommuner. Hver kommune er selv dataansvarlig og supplerer basis med et lokalt tillæg, hvor dens behandling afviger.",
                "This joint base is shared by the participating municipalities. Each remains the controller and adds a local supplement where its processing differs.",
            )
        } else {
            self.t(
                "Dokumentet er kommunens gældende konsekvensanalyse: den fælles basis med kommunens lokale tillæg. Lokale elementer er markeret LOKAL og fremhævet; afvigelser viser den basisværdi, de erstatter.",
                "This is the municipality's effective DPIA: the joint base with its local supplement. Local items are marked LOCAL and highlighted; deviations show the base value they replace.",
            )
        };
        self.small(note);
    }

    /// The cover's label/value rows, from the system to the content's fingerprint.
    fn cover_facts(&self) -> Vec<(String, Vec<Span>)> {
        let d = self.d;
        let mut rows: Vec<(String, Vec<Span>)> = Vec::new();
        rows.push((self.t("System", "System").into(), vec![Span::new(d.base.system.clone())]));
        if !self.o.is_base {
            rows.push((self.t("Dataansvarlig", "Controller").into(), vec![Span::new(self.org_line())]));
        }
        if d.joint {
            rows.push((self.t("Koordinator", "Coordinator").into(), vec![Span::new(d.coordinator.clone())]));
            rows.push((self.t("Fælles basis", "Joint base").into(), self.base_version_spans()));
        } else {
            // one controller's own DPIA: no joint base, no coordinator
            rows.push((self.t("Dataansvarlig", "Controller").into(), vec![Span::new(d.coordinator.clone())]));
            rows.push((self.t("Version", "Version").into(), self.base_version_spans()));
        }
        if !self.o.is_base {
            rows.push((
                self.t("Tillægsversion", "Supplement version").into(),
                vec![Span::new(self.o.supplement_version.clone().unwrap_or_else(|| "—".into()))],
            ));
        }
        rows.push((self.t("Dato", "Date").into(), vec![Span::new(self.day(Some(self.o.generated_at)))]));
        rows.push((
            self.t("Status", "Status").into(),
            vec![Span::bold(self.o.status.clone().unwrap_or_else(|| self.t("Udkast", "Draft").into()))],
        ));
        rows.push((self.t("Risikobillede", "Risk profile").into(), vec![Span::new(self.risk_profile())]));
        let acceptance = RiskPicture::of(d).acceptance(&self.o.policy);
        let art36 = if acceptance == Acceptance::PriorConsultation { self.t("ja", "yes") } else { self.t("nej", "no") };
        rows.push((
            self.t("Accept af restrisiko", "Residual risk acceptance").into(),
            vec![Span::bold(cap(self.outcome(acceptance))), Span::new(format!("\n{}: {art36}", self.t("Art. 36-flag (forudgående høring)", "Art. 36 flag (prior consultation)")))],
        ));
        if !d.signatories.is_empty() {
            rows.push((self.t("Underskrives af", "To be signed by").into(), self.signatory_spans()));
        }
        rows.push((
            self.t("Fingeraftryk (SHA-256)", "Fingerprint (SHA-256)").into(),
            vec![Span::new(content_hash(d)).tone(Tone::Grey)],
        ));
        rows
    }

    /// The base the document stands on: the bound release with its date, content hash and
    /// any remark, or the working base's version label.
    fn base_version_spans(&self) -> Vec<Span> {
        let d = self.d;
        match &self.o.base_version {
            Some(v) => {
                let mut s = vec![Span::bold(v.name.clone())];
                if v.date.is_some() {
                    s.push(Span::new(format!(", {}", self.day(v.date))));
                }
                if !v.hash.is_empty() {
                    s.push(Span::new(format!("\n{}: {}", self.t("Indholdshash (SHA-256)", "Content hash (SHA-256)"), v.hash)).tone(Tone::Grey));
                }
                if let Some(remark) = &v.remark {
                    s.push(Span::new(format!("\n{remark}")).tone(Tone::Local));
                }
                s
            }
            None => {
                let mut s = vec![Span::bold(if d.base.version_label.is_empty() { "—".to_string() } else { d.base.version_label.clone() })];
                if !self.o.is_base {
                    let rel = if d.base_release.is_empty() { self.t("arbejdsversionen", "the working version").to_string() } else { d.base_release.clone() };
                    s.push(Span::new(format!("\n{} {rel}", self.t("Tillægget er vurderet mod", "The supplement was assessed against"))));
                }
                s
            }
        }
    }

    /// "før foranstaltninger 3/5/2, efter 7/3/0 (lav/mellem/høj)".
    fn risk_profile(&self) -> String {
        let (before, after) = self.d.distribution();
        format!(
            "{} {}/{}/{}, {} {}/{}/{} ({})",
            self.t("før foranstaltninger", "before measures"),
            before.low,
            before.medium,
            before.high,
            self.t("efter", "after"),
            after.low,
            after.medium,
            after.high,
            self.t("lav/mellem/høj", "low/medium/high")
        )
    }

    fn signatory_spans(&self) -> Vec<Span> {
        let mut who = Vec::new();
        for (k, sig) in self.d.signatories.iter().enumerate() {
            who.push(Span::bold(format!("{}{}", if k == 0 { "" } else { "\n" }, sig.name)));
            if !sig.capacity.is_empty() {
                who.push(Span::new(format!(", {}", sig.capacity)));
            }
        }
        who
    }
}
