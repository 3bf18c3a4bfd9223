//! The høringsnotat, and a municipality's own answer to a round, as [`Report`]s: the PDF and
//! the Word export lay them out as they do the DPIA (one content, every printed form).
//!
//! The notat: the round (draft, fingerprint, deadline, note, the release it led to), who
//! answered what (verdict, DPO, comments, open objections — and who did not answer), every
//! comment with its «forslag», replies and the coordinator's answer, grouped by item;
//! comments recurring across municipalities; and what changed from the draft to the release
//! (the comparison `konsekvens diff` makes).

use super::*;
use crate::diff::{self, ChangeKind};
use crate::doc::Party;
use crate::hearing::{self, Hearing, HearingError, Thread};
use crate::model::hearing::{Outcome, ProposalDecision, Round, Verdict};
use crate::model::{Consequence, Likelihood, Participant, Worded};
use crate::workspace::View;
use serde_json::Value;

struct Words {
    lang: Lang,
}

impl Words {
    fn t<'a>(&self, da: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::Da { da } else { en }
    }
    fn day(&self, d: Day) -> String {
        if self.lang == Lang::Da { d.danish() } else { d.to_string() }
    }
    fn verdict(&self, v: Verdict) -> &'static str {
        if self.lang == Lang::Da { v.danish() } else { v.english() }
    }
    fn outcome(&self, o: Outcome) -> &'static str {
        if self.lang == Lang::Da { o.danish() } else { o.english() }
    }
    /// A field's value as a reader knows it: the scale's word, the text, the number.
    fn value(&self, v: &Value) -> String {
        fn worded<W: Worded + serde::de::DeserializeOwned>(v: &Value, da: bool) -> Option<String> {
            let w: W = serde_json::from_value(v.clone()).ok()?;
            Some(if da { w.danish() } else { w.english() }.to_owned())
        }
        let da = self.lang == Lang::Da;
        worded::<Likelihood>(v, da).or_else(|| worded::<Consequence>(v, da)).unwrap_or_else(|| match v {
            Value::Null => "—".into(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }
}

fn heading(blocks: &mut Vec<Block>, level: u8, text: impl Into<String>) {
    blocks.push(Block::Heading { level, text: text.into() });
}
fn para(blocks: &mut Vec<Block>, spans: Vec<Span>) {
    blocks.push(Block::Para { spans, kind: ParaKind::Body });
}
fn small(blocks: &mut Vec<Block>, text: impl Into<String>) {
    blocks.push(Block::Para { spans: vec![Span::new(text).tone(Tone::Grey)], kind: ParaKind::Small });
}
fn kv(blocks: &mut Vec<Block>, rows: Vec<(String, Vec<Span>)>) {
    let mut t = Table::new(&[1.0, 2.6], None);
    for (k, v) in rows {
        t.row(vec![Cell::bold(k).fill(Fill::Header), Cell::spans(v)]);
    }
    blocks.push(Block::Keep(vec![Block::Table(t)]));
}

fn org_name(participants: &[Participant], party: Party, coordinator: &str) -> String {
    match party {
        Party::Coordinator => coordinator.to_owned(),
        Party::Org(code) => participants.iter().find(|p| p.code == Some(code)).map(|p| p.name.clone()).unwrap_or_else(|| code.to_string()),
    }
}

fn cover(blocks: &mut Vec<Block>, w: &Words, kicker: &str, title: &str, party: &str, facts: Vec<(String, Vec<Span>)>) {
    blocks.push(Block::Space(60.0));
    blocks.push(Block::Para { spans: vec![Span::new(kicker).tone(Tone::Grey)], kind: ParaKind::CoverKicker });
    blocks.push(Block::Para { spans: vec![Span::bold(title).tone(Tone::Accent)], kind: ParaKind::CoverTitle });
    blocks.push(Block::Para { spans: vec![Span::bold(party)], kind: ParaKind::CoverParty });
    kv(blocks, facts);
    blocks.push(Block::Space(18.0));
    let _ = w;
}

fn round_facts(w: &Words, round: &Round) -> Vec<(String, Vec<Span>)> {
    let mut rows = vec![
        (w.t("Høringsrunde", "Hearing round").into(), vec![Span::new(round.number.to_string())]),
        (w.t("Udkast", "Draft").into(), vec![Span::new(format!("{} ({})", round.draft.name, round.draft.date.map(|d| w.day(d)).unwrap_or_default()))]),
        (w.t("Fingeraftryk (SHA-256)", "Fingerprint (SHA-256)").into(), vec![Span::new(round.draft.content_hash.clone())]),
        (w.t("Svarfrist", "Deadline").into(), vec![Span::new(w.day(round.deadline))]),
        (w.t("Åbnet af", "Opened by").into(), vec![Span::new(round.opened_by.clone())]),
    ];
    if !round.note.is_empty() {
        rows.push((w.t("Note", "Note").into(), vec![Span::new(round.note.clone())]));
    }
    rows.push((
        w.t("Udgivelse", "Release").into(),
        match &round.closed {
            Some(c) => vec![Span::bold(c.release.clone())],
            None => vec![Span::new(w.t("runden er ikke afsluttet", "the round is not closed")).tone(Tone::Alert)],
        },
    ));
    rows
}

/// The comment's thread as blocks: who, what, the «forslag», replies, the coordinator's answer.
fn thread_blocks(blocks: &mut Vec<Block>, w: &Words, t: &Thread<'_>, names: &dyn Fn(Party) -> String, current: Option<&Value>) {
    let start = blocks.len();
    let c = &t.opening.comment;
    let mut who = vec![Span::bold(format!("{} ({})", names(t.opening.by), c.author))];
    if c.objection {
        who.push(Span::bold(format!(" — {}", w.t("indsigelse", "objection"))).tone(Tone::Alert));
    }
    if !c.target.field.is_empty() {
        who.push(Span::new(format!(" · {}", c.target.field)).tone(Tone::Grey));
    }
    para(blocks, who);
    para(blocks, vec![Span::new(c.text.clone())]);
    if let Some(p) = &c.proposal {
        let mut spans = vec![Span::bold(format!("{} ", w.t("Forslag:", "Proposed:"))), Span::new(format!("{} = {}", p.field, w.value(&p.value)))];
        if let Some(now) = current {
            spans.push(Span::new(format!(" ({} {})", w.t("udkastet:", "the draft:"), w.value(now))).tone(Tone::Grey));
        }
        para(blocks, spans);
    }
    if !c.revisions.is_empty() {
        small(blocks, format!("{} {}", w.t("Rettet efter afgivelse; tidligere versioner:", "Revised; earlier versions:"), c.revisions.len()));
    }
    for r in &t.replies {
        small(blocks, format!("↳ {} ({}): {}", names(r.by), r.comment.author, r.comment.text));
    }
    match t.response {
        Some(r) => {
            let tone = match r.outcome {
                Outcome::TakenIntoAccount => Tone::Accent,
                Outcome::Partly => Tone::Normal,
                Outcome::NotTaken => Tone::Alert,
            };
            let mut spans = vec![Span::bold(format!("{} ", w.t("Koordinatorens svar:", "The coordinator's answer:"))), Span::bold(w.outcome(r.outcome)).tone(tone)];
            if !r.reason.is_empty() {
                spans.push(Span::new(format!(" — {}", r.reason)));
            }
            para(blocks, spans);
            match &r.proposal {
                Some(ProposalDecision::Accepted { field, before, after, .. }) => para(
                    blocks,
                    vec![Span::new(format!("{} {field}: {} → {}", w.t("Forslaget er indarbejdet i basis:", "The proposal was written into the base:"), w.value(before), w.value(after))).tone(Tone::Accent)],
                ),
                Some(ProposalDecision::Declined) => para(blocks, vec![Span::new(w.t("Forslaget er afvist.", "The proposal was declined.")).tone(Tone::Alert)]),
                None => {}
            }
        }
        None => para(blocks, vec![Span::bold(w.t("Ikke besvaret af koordinatoren.", "Not answered by the coordinator.")).tone(Tone::Alert)]),
    }
    if t.resolved {
        small(blocks, w.t("Tråden er afsluttet.", "The thread is resolved."));
    }
    blocks.push(Block::Space(6.0));
    let group = blocks.split_off(start);
    blocks.push(Block::Keep(group));
}

/// `konsekvens export hearing-notat --round N`: the høringsnotat of round `number`.
pub fn hearing_notat(view: &View<'_>, number: u32, lang: Lang, date: Day) -> Result<Report, HearingError> {
    let w = Words { lang };
    let coordination = view.coordination()?;
    let base = view.base()?;
    let h = Hearing::read(view, Party::Coordinator)?;
    let status = h.status(number, &coordination.participants)?;
    let round = &status.round;
    let names = |p: Party| org_name(&coordination.participants, p, &coordination.coordinator);
    let draft = hearing::draft_dpia(round)?;
    let draft_json = serde_json::to_value(round.draft.base().map_err(crate::WorkspaceError::from)?).expect("the model serialises");
    let mut blocks = Vec::new();
    let title = format!("{} — {}", w.t("Høringsnotat", "Consultation report"), base.meta.title);
    cover(&mut blocks, &w, w.t("HØRINGSNOTAT · FÆLLES KONSEKVENSANALYSE", "CONSULTATION REPORT · JOINT DPIA"), &title, &coordination.coordinator, round_facts(&w, round));
    small(
        &mut blocks,
        w.t(
            "Notatet samler høringen af kommunernes databeskyttelsesrådgivere over udkastet: hvem der svarede hvad, hver bemærkning med koordinatorens svar, og hvad der blev ændret fra udkast til udgivelse.",
            "This report gathers the consultation of the municipalities' DPOs on the draft: who answered what, every comment with the coordinator's answer, and what changed from the draft to the release.",
        ),
    );
    blocks.push(Block::PageBreak);
    blocks.push(Block::Contents { title: w.t("Indhold", "Contents").into() });
    blocks.push(Block::PageBreak);

    // 1. Who answered what.
    heading(&mut blocks, 1, w.t("1 Høringssvar", "1 Answers"));
    let mut t = Table::new(&[1.4, 1.6, 1.6, 0.9, 0.9], Some(vec![
        Cell::bold(w.t("Kommune", "Municipality")),
        Cell::bold(w.t("Svar", "Verdict")),
        Cell::bold(w.t("Godkendt af DPO", "Signed off by the DPO")),
        Cell::bold(w.t("Bemærkninger", "Comments")).center(),
        Cell::bold(w.t("Åbne indsigelser", "Open objections")).center(),
    ]));
    for p in &status.participants {
        let (verdict, dpo) = match &p.answer {
            Some(a) => {
                let tone = match a.verdict {
                    Verdict::Agrees => Tone::Accent,
                    Verdict::AgreesWithRemarks => Tone::Normal,
                    Verdict::CannotAgree => Tone::Alert,
                };
                (Cell::spans(vec![Span::bold(w.verdict(a.verdict)).tone(tone)]), Cell::text(format!("{}, {}", a.dpo, w.day(a.dpo_date))))
            }
            None => (Cell::spans(vec![Span::bold(w.t("har ikke svaret", "has not answered")).tone(Tone::Alert)]), Cell::text("—")),
        };
        t.row(vec![Cell::text(format!("{} ({})", p.name, p.code)), verdict, dpo, Cell::text(p.comments.to_string()).center(), Cell::text(p.open_objections.to_string()).center()]);
    }
    blocks.push(Block::Table(t));
    let answered = status.participants.iter().filter(|p| p.answer.is_some()).count();
    small(&mut blocks, format!("{} {answered} {} {}.", w.t("Svar fra", "Answers from"), w.t("af", "of"), status.participants.len()));
    for p in status.participants.iter().filter_map(|p| p.answer.as_ref().filter(|a| !a.note.is_empty()).map(|a| (p, a))) {
        para(&mut blocks, vec![Span::bold(format!("{}: ", p.0.name)), Span::new(p.1.note.clone())]);
    }

    // 2. Every comment with the coordinator's answer, by item.
    heading(&mut blocks, 1, w.t("2 Bemærkninger og svar", "2 Comments and answers"));
    let threads = h.round_comments(number);
    if threads.is_empty() {
        para(&mut blocks, vec![Span::new(w.t("Ingen bemærkninger i runden.", "No comments in the round."))]);
    }
    let mut by_item: Vec<(String, Vec<&Thread<'_>>)> = Vec::new();
    for t in &threads {
        let label = item_label(&draft_json, &t.opening.comment.target, &w);
        match by_item.iter_mut().find(|(l, _)| *l == label) {
            Some((_, list)) => list.push(t),
            None => by_item.push((label, vec![t])),
        }
    }
    by_item.sort_by(|a, b| a.0.cmp(&b.0));
    for (label, list) in by_item {
        heading(&mut blocks, 2, label);
        for t in list {
            let current = t.opening.comment.proposal.as_ref().and_then(|p| {
                if t.opening.comment.target.item.is_none() && hearing::section_of(&p.field).is_some() {
                    return p.field.split('.').try_fold(&draft_json, |v, k| v.get(k));
                }
                let id = t.opening.comment.target.item.as_ref()?;
                let item = find(&draft_json, &id.0)?;
                p.field.split('.').try_fold(item, |v, k| v.get(k))
            });
            thread_blocks(&mut blocks, &w, t, &names, current);
        }
    }

    // 3. Recurring comments (numbered on when there are any).
    let mut next = 3;
    if !status.recurring.is_empty() {
        heading(&mut blocks, 1, format!("{next} {}", w.t("Bemærkninger fra flere kommuner", "Comments from several municipalities")));
        next += 1;
        let mut t = Table::new(&[1.2, 1.6, 2.0], Some(vec![Cell::bold(w.t("Punkt", "Item")), Cell::bold(w.t("Felt", "Field")), Cell::bold(w.t("Kommuner", "Municipalities"))]));
        for r in &status.recurring {
            let orgs: Vec<String> = r.orgs.iter().map(|c| names(Party::Org(*c))).collect();
            t.row(vec![Cell::text(r.reference.clone()), Cell::text(r.field.clone()), Cell::text(orgs.join(", "))]);
        }
        blocks.push(Block::Table(t));
    }

    // 4. What changed from the draft to the release.
    heading(&mut blocks, 1, format!("{next} {}", w.t("Ændringer fra udkast til udgivelse", "Changes from the draft to the release")));
    match &round.closed {
        None => para(&mut blocks, vec![Span::new(w.t("Runden er ikke afsluttet; der er endnu ingen udgivelse.", "The round is not closed; there is no release yet.")).tone(Tone::Alert)]),
        Some(c) => {
            let published = coordination.require_release(&c.release).map_err(crate::WorkspaceError::from)?.base().map_err(crate::WorkspaceError::from)?;
            let cmp = diff::compare(&round.draft.name, &draft, &c.release, &hearing::base_dpia(&published));
            small(&mut blocks, format!("{} {} → {}", w.t("Sammenligning:", "Comparison:"), round.draft.name, c.release));
            if cmp.changes.is_empty() {
                para(&mut blocks, vec![Span::new(w.t("Udgivelsen er identisk med udkastet.", "The release is identical to the draft."))]);
            }
            let mut t = Table::new(&[1.6, 0.8, 1.6, 2.0], Some(vec![
                Cell::bold(w.t("Punkt", "Item")),
                Cell::bold(w.t("Ændring", "Change")),
                Cell::bold(w.t("Felt", "Field")),
                Cell::bold(w.t("Før → efter", "Before → after")),
            ]));
            for ch in &cmp.changes {
                let kind = if lang == Lang::Da { ch.kind.danish() } else { ch.kind.english() };
                if ch.kind != ChangeKind::Changed || ch.fields.is_empty() {
                    t.row(vec![Cell::text(ch.label.clone()), Cell::text(kind), Cell::text("—"), Cell::text("—")]);
                }
                for f in &ch.fields {
                    t.row(vec![Cell::text(ch.label.clone()), Cell::text(kind), Cell::text(f.path.clone()), Cell::text(format!("{} → {}", clip(&w.value(&f.before)), clip(&w.value(&f.after))))]);
                }
            }
            if !t.rows.is_empty() {
                blocks.push(Block::Table(t));
            }
            for m in &cmp.moved {
                small(&mut blocks, format!("{} {}", w.t("Risikoniveau flyttet:", "Risk level moved:"), serde_json::to_string(m).unwrap_or_default()));
            }
        }
    }
    Ok(Report {
        lang,
        title,
        party: coordination.coordinator.clone(),
        author: coordination.coordinator.clone(),
        system: base.meta.system.clone(),
        date,
        blocks,
        kind: ReportKind::Hearing,
    })
}

/// `konsekvens export hearing-answer --round N --org CODE`: a municipality's answer as its
/// own document — verdict, note, its comments — with a signature page for its DPO (sign it
/// with `konsekvens sign`).
pub fn hearing_answer(view: &View<'_>, number: u32, org: OrgCode, lang: Lang, date: Day) -> Result<Report, HearingError> {
    let w = Words { lang };
    let coordination = view.coordination()?;
    let base = view.base()?;
    let h = Hearing::read(view, Party::Org(org))?;
    let round = h.round(number).ok_or(HearingError::NoRound(number))?;
    let name = org_name(&coordination.participants, Party::Org(org), &coordination.coordinator);
    let names = |p: Party| org_name(&coordination.participants, p, &coordination.coordinator);
    let draft_json = serde_json::to_value(round.draft.base().map_err(crate::WorkspaceError::from)?).expect("the model serialises");
    let mut blocks = Vec::new();
    let title = format!("{} — {}", w.t("Høringssvar", "Consultation answer"), base.meta.title);
    let mut facts = round_facts(&w, round);
    let answer = h.answers.get(&(org, number));
    facts.push((
        w.t("Svar", "Verdict").into(),
        vec![match answer {
            Some(a) => Span::bold(w.verdict(a.verdict)),
            None => Span::bold(w.t("ikke afgivet", "not given")).tone(Tone::Alert),
        }],
    ));
    cover(&mut blocks, &w, w.t("HØRINGSSVAR · FÆLLES KONSEKVENSANALYSE", "CONSULTATION ANSWER · JOINT DPIA"), &title, &name, facts);
    if let Some(a) = answer {
        if !a.note.is_empty() {
            para(&mut blocks, vec![Span::bold(format!("{} ", w.t("Begrundelse:", "Reason:"))), Span::new(a.note.clone())]);
        }
    }
    heading(&mut blocks, 1, w.t("1 Bemærkninger", "1 Comments"));
    let threads: Vec<Thread<'_>> = h.round_comments(number).into_iter().filter(|t| t.opening.by == Party::Org(org)).collect();
    if threads.is_empty() {
        para(&mut blocks, vec![Span::new(w.t("Ingen bemærkninger.", "No comments."))]);
    }
    for t in &threads {
        heading(&mut blocks, 2, item_label(&draft_json, &t.opening.comment.target, &w));
        thread_blocks(&mut blocks, &w, t, &names, None);
    }
    heading(&mut blocks, 1, w.t("2 Underskrift", "2 Signature"));
    let dpo = answer.map(|a| a.dpo.clone()).unwrap_or_default();
    blocks.push(Block::Signatures {
        note: w.t("PDF-udgaven underskrives digitalt (PAdES) med konsekvens sign.", "The PDF is signed digitally (PAdES) with konsekvens sign.").into(),
        labels: SignatureLabels {
            name: w.t("Navn", "Name").into(),
            capacity: w.t("Funktion", "Capacity").into(),
            date: w.t("Dato", "Date").into(),
            signature: w.t("Underskrift", "Signature").into(),
        },
        people: vec![Signer { name: dpo, capacity: w.t("Databeskyttelsesrådgiver", "Data protection officer").into() }],
    });
    Ok(Report { lang, title, party: name.clone(), author: name, system: base.meta.system.clone(), date, blocks, kind: ReportKind::Hearing })
}

fn find<'v>(v: &'v Value, id: &str) -> Option<&'v Value> {
    match v {
        Value::Object(o) if o.get("id").and_then(Value::as_str) == Some(id) => Some(v),
        Value::Object(o) => o.values().find_map(|x| find(x, id)),
        Value::Array(a) => a.iter().find_map(|x| find(x, id)),
        _ => None,
    }
}

/// «R1 Mangelfuld adgangskontrol», the whole DPIA, or a release.
fn item_label(draft: &Value, target: &crate::model::hearing::Target, w: &Words) -> String {
    match (&target.item, &target.release) {
        (Some(id), _) => match find(draft, &id.0) {
            Some(item) => diff::item_label(item),
            None => hearing::target_label(target),
        },
        (None, Some(r)) => format!("{} {r}", w.t("Udgivelse", "Release")),
        // A section, commented as an item of its own: one group for it and its parts.
        (None, None) => match hearing::section_of(&target.field) {
            Some(s) if s.root == hearing::DESCRIPTION => w.t("Beskrivelse af behandlingen", "Description of the processing").into(),
            Some(s) => crate::text::capitalise(w.t(s.da, s.en)),
            None => w.t("Analysen som helhed", "The DPIA as a whole").into(),
        },
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 300 { format!("{}…", s.chars().take(300).collect::<String>()) } else { s.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hearing::{Actor, Decision, NewComment};
    use crate::model::hearing::{Proposal, Target};
    use crate::model::ItemId;
    use crate::{FixedEnv, Workspace};
    use std::sync::Arc;

    fn text_of(r: &Report) -> String {
        fn spans(b: &Block, out: &mut String) {
            match b {
                Block::Heading { text, .. } => out.push_str(text),
                Block::Para { spans: s, .. } => s.iter().for_each(|s| out.push_str(&s.text)),
                Block::Table(t) => t.rows.iter().flat_map(|r| &r.cells).chain(t.header.iter().flatten()).for_each(|c| c.spans.iter().for_each(|s| out.push_str(&s.text))),
                Block::Keep(bs) => bs.iter().for_each(|b| spans(b, out)),
                _ => {}
            }
            out.push('\n');
        }
        let mut out = String::new();
        r.blocks.iter().for_each(|b| spans(b, &mut out));
        out
    }

    /// The sample with round 1 open; the coordinator and København's DPO.
    fn round_open(dir: &tempfile::TempDir) -> (Workspace, Actor, Actor) {
        let (coordination, base, supplements) = crate::sample::aula();
        let author = crate::Author::new("KL", None);
        let mut ws = Workspace::create_with(&dir.path().join("a.konsekvens"), Arc::new(FixedEnv::new(1_700_000_000_000, 3)), &author, &coordination, &base, &supplements).unwrap();
        let kl = Actor::new("KL", Party::Coordinator);
        hearing::open_round(&mut ws, &kl, "udkast", Day::ymd(2023, 12, 1), "Høring").unwrap();
        (ws, kl, Actor::new("Anne", Party::Org(OrgCode(101))))
    }

    #[test]
    fn the_notat_lists_answers_comments_and_the_change() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, kl, kbh) = round_open(&dir);
        let target = Target { item: Some(ItemId("risk-adgangskontrol-mangelfuld".into())), field: "inherent.confidentiality".into(), ..Target::default() };
        let proposal = Proposal { field: "inherent.confidentiality.likelihood".into(), value: serde_json::json!("expected") };
        let c = hearing::add_comment(&mut ws, &kbh, NewComment { target, round: Some(1), text: "For lavt".into(), proposal: Some(proposal), objection: true }).unwrap();
        hearing::answer_round(&mut ws, &kbh, 1, Verdict::CannotAgree, "", "Anne Dpo", Day::ymd(2023, 11, 20)).unwrap();
        let open = text_of(&hearing_notat(&ws.view(), 1, Lang::Da, Day::ymd(2023, 11, 21)).unwrap());
        assert!(open.contains("Ikke besvaret af koordinatoren") && open.contains("runden er ikke afsluttet"), "{open}");
        hearing::respond(&mut ws, &kl, &c, Outcome::TakenIntoAccount, "Enig", Some(Decision::Accept)).unwrap();
        hearing::close_round(&mut ws, &kl, 1, "2026.1", "").unwrap();
        let notat = hearing_notat(&ws.view(), 1, Lang::Da, Day::ymd(2023, 11, 22)).unwrap();
        let text = text_of(&notat);
        for expected in ["København (101)", "kan ikke tiltræde", "Anne Dpo", "Esbjerg", "har ikke svaret", "For lavt", "indarbejdet", "sandsynlig → forventet", "R1", "2026.1"] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }
        let answer = text_of(&hearing_answer(&ws.view(), 1, OrgCode(101), Lang::En, Day::ymd(2023, 11, 22)).unwrap());
        assert!(answer.contains("cannot agree") && answer.contains("For lavt"), "{answer}");
    }

    /// A comment on a section (here the WP248 screening) is grouped under the section's name,
    /// with its «forslag» against the draft's text.
    #[test]
    fn the_notat_groups_a_sections_comments_under_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ws, _, kbh) = round_open(&dir);
        let base = crate::sample::aula().1;
        let target = Target { field: "wp248.large_scale".into(), ..Target::default() };
        let proposal = Proposal { field: "wp248.large_scale.reason".into(), value: serde_json::json!("Alle skolebørn i kommunen") };
        hearing::add_comment(&mut ws, &kbh, NewComment { target, round: Some(1), text: "Begrund med tal".into(), proposal: Some(proposal), objection: false }).unwrap();
        let text = text_of(&hearing_notat(&ws.view(), 1, Lang::Da, Day::ymd(2023, 11, 21)).unwrap());
        let before = base.wp248.large_scale.reason.as_str().chars().take(20).collect::<String>();
        for expected in ["WP248-screeningen", "Begrund med tal", "Alle skolebørn i kommunen", before.as_str()] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }
        let en = text_of(&hearing_notat(&ws.view(), 1, Lang::En, Day::ymd(2023, 11, 21)).unwrap());
        assert!(en.contains("The WP248 screening"), "{en}");
    }
}
