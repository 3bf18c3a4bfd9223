//! Importing a risk sheet into the base or a municipality's supplement: read → map →
//! preview → apply. Planning is a pure function of the parsed sheet and the target
//! document's items ([`plan_import`]); [`preview`] shows its report without writing, [`apply`]
//! writes it in ONE workspace edit (all or nothing) and reports what the Datatilsynet check
//! says the imported items still lack.
//!
//! A risk is found again by its source reference («KOMBIT Beskeder T3» = the source label
//! plus the sheet's own reference), so a new version of a sheet updates the risks it made
//! instead of adding them twice. Measures are found by title; modules and processes by
//! name or reference (and created when the DPIA has none of that name).

use crate::mapping::{fingerprint, header_row, headers, norm, propose, Mapping, MappingError, MappingStore, Note};
use crate::parse::{parse, FormulaCell, LayoutError, ParsedSheet, RowProblem, SheetMeasure, SheetRating, SheetRisk};
use crate::sheet::Sheet;
use konsekvens_core::check::{self, CheckContext, Severity};
use konsekvens_core::doc::{DocError, Edit, Item};
use konsekvens_core::model::*;
use konsekvens_core::{Author, DocKey, EffectiveDpia, Workspace, WorkspaceError};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::Path;

/// How to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// The file's name, for the report.
    pub file: String,
    /// Prefix of every source reference («KOMBIT Beskeder» + « T3»); default: the sheet's
    /// name (a CSV file's name), with - and _ read as spaces.
    pub source_label: Option<String>,
    /// Import the threats that can be read and skip the others (otherwise any problem
    /// stops the whole import).
    pub accept_partial: bool,
    /// For the check of what the imported items lack.
    pub today: Day,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("{} in the sheet, so nothing was imported:\n{}", count(.0.len()), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowProblem>),
    /// The sheet's ids match an earlier import's but its threats only partly: the user says
    /// whether it is the same source.
    #[error("the sheet's references match those imported from «{candidate}» ({matched} of {total}), but only {same_titles} of their titles; if it is a new version of that sheet, import it with --source \"{candidate}\"; if it is another source, give it its own name with --source")]
    UnsureSource { candidate: String, matched: usize, total: usize, same_titles: usize },
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
}

fn count(n: usize) -> String {
    if n == 1 { "1 problem".into() } else { format!("{n} problems") }
}

/// What happens to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    /// The threat is no longer in the sheet: its risk is marked, for the DPO to decide.
    NoLongerInSource,
}

/// What marks a risk whose threat has disappeared from the supplier's sheet: appended to its
/// source reference (so the register, the PDF and the check show it), and taken off again if
/// the threat comes back. Declared in the core, whose check reads it.
pub use konsekvens_core::model::NO_LONGER_IN_SOURCE;

/// A source reference without the [`NO_LONGER_IN_SOURCE`] mark, normalised: how risks are
/// found again.
pub fn source_key(source_reference: &str) -> String {
    let n = norm(source_reference);
    n.strip_suffix(&norm(NO_LONGER_IN_SOURCE)).map(|s| s.trim_end().to_owned()).unwrap_or(n)
}

/// One item the import touches, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemLine {
    /// risk, measure, module or process.
    pub kind: &'static str,
    pub action: Action,
    pub reference: Reference,
    pub title: String,
    /// The sheet's reference (risks) and the rows the item came from.
    pub sheet_reference: Option<String>,
    pub rows: Vec<u32>,
    /// What changed, for updates.
    pub changes: Vec<Note>,
}

/// A threat or row left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub sheet_reference: Option<String>,
    pub rows: Vec<u32>,
    pub reason_da: String,
    pub reason_en: String,
}

/// What the check says an imported item still lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub reference: Option<Reference>,
    pub code: String,
    pub severity: Severity,
    pub message_da: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// Risks from this source whose threats the sheet no longer has.
    pub no_longer_in_source: usize,
}

/// Where the mapping came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum MappingOrigin {
    /// Given by the user (a file).
    File { path: String },
    /// Saved by an earlier import of a sheet of the same shape.
    Saved { path: String },
    /// Proposed from the header row.
    Proposed,
}

/// The mapping an import uses, where it came from, and what its proposal guessed.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenMapping {
    pub mapping: Mapping,
    pub origin: MappingOrigin,
    pub notes: Vec<Note>,
}

/// The mapping for a sheet: the given file's, else the one saved for sheets with this
/// header row, else a proposal from the header row.
pub fn choose_mapping(sheet: &Sheet, given: Option<&Path>, store: &MappingStore) -> Result<ChosenMapping, MappingError> {
    if let Some(path) = given {
        return Ok(ChosenMapping { mapping: Mapping::load(path)?, origin: MappingOrigin::File { path: path.display().to_string() }, notes: Vec::new() });
    }
    // The header row is found as the proposal finds it, so the fingerprint looked up is the
    // one the import saved; the saved mapping then reads the header where it is now (a
    // longer title block moves it down).
    if let Some(row) = header_row(sheet, None) {
        if let Some(saved) = store.get(&fingerprint(&headers(sheet, row))) {
            let mapping = Mapping { header_row: Some(row + 1), ..saved.clone() };
            return Ok(ChosenMapping { mapping, origin: MappingOrigin::Saved { path: store.path().display().to_string() }, notes: Vec::new() });
        }
    }
    let p = propose(sheet);
    Ok(ChosenMapping { mapping: p.mapping, origin: MappingOrigin::Proposed, notes: p.notes })
}

/// The result of a preview or an import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub sheet: String,
    /// `base` or `supplement/101`.
    pub target: String,
    pub source_label: String,
    /// False for a preview (dry run): nothing was written.
    pub written: bool,
    pub mapping: MappingOrigin,
    /// The header row the import read (1 = the first row).
    pub header_row: u32,
    /// How a CSV file was decoded («UTF-8», «windows-1252», «UTF-16LE»).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub fingerprint: String,
    /// What the proposal guessed (empty for a given or saved mapping).
    pub mapping_notes: Vec<Note>,
    /// Risks only.
    pub counts: Counts,
    pub items: Vec<ItemLine>,
    pub skipped: Vec<Skipped>,
    pub formulas: Vec<FormulaCell>,
    /// Ratings read from a cell's fill colour alone («læst fra cellefarve»).
    pub colours: Vec<crate::parse::ColourCell>,
    pub notes: Vec<Note>,
    pub gaps: Vec<Gap>,
}

// ---- planning -------------------------------------------------------------------------------

/// The target document's items, and for a supplement what the base already holds.
#[derive(Debug, Clone, Default)]
pub struct TargetState {
    /// Prefix of new references: "" in the base, "KBH-" in København's supplement.
    pub prefix: String,
    pub risks: Vec<Risk>,
    pub measures: Vec<Measure>,
    pub modules: Vec<Module>,
    pub processes: Vec<Process>,
    /// The sheets imported into the target before (their identity and threats).
    pub sheets: Vec<SupplierSheet>,
    /// For a supplement: the base's modules and processes (linkable) and risks (not to copy).
    pub base: Option<Items>,
}

impl TargetState {
    fn from_items(prefix: String, items: &Items, base: Option<Items>) -> Self {
        TargetState {
            prefix,
            risks: items.risks.clone(),
            measures: items.measures.clone(),
            modules: items.modules.clone(),
            processes: items.processes.clone(),
            sheets: items.supplier_sheets.clone(),
            base,
        }
    }

    fn from_edit(e: &Edit<'_>, prefix: String, base: Option<Items>) -> Result<Self, DocError> {
        Ok(TargetState { prefix, risks: e.list()?, measures: e.list()?, modules: e.list()?, processes: e.list()?, sheets: e.list()?, base })
    }
}

/// The items to write, each with what happens to it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub risks: Vec<(Action, Risk, SheetRisk, Vec<Note>)>,
    pub measures: Vec<(Action, Measure, Vec<u32>, Vec<Note>)>,
    pub modules: Vec<(Module, Vec<u32>)>,
    pub processes: Vec<(Process, Vec<u32>)>,
    /// The imported sheet as the workspace keeps it (identity and threats), and whether it
    /// changed; set by [`plan_sheet`].
    pub sheet: Option<(Action, SupplierSheet)>,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<Note>,
}

impl Plan {
    /// Ids of every item the import created or matched (the check's findings on them are
    /// the report's gaps).
    pub fn ids(&self) -> BTreeSet<ItemId> {
        self.risks
            .iter()
            .map(|r| r.1.id.clone())
            .chain(self.measures.iter().map(|m| m.1.id.clone()))
            .chain(self.modules.iter().map(|m| m.0.id.clone()))
            .chain(self.processes.iter().map(|p| p.0.id.clone()))
            .chain(self.sheet.iter().map(|s| s.1.id.clone()))
            .collect()
    }

    /// Puts the plan into a document's items (for the preview's check).
    pub fn apply_to(&self, items: &mut Items) {
        fn upsert<T: Clone>(list: &mut Vec<T>, item: &T, id: impl Fn(&T) -> &ItemId) {
            match list.iter_mut().find(|x| id(x) == id(item)) {
                Some(x) => *x = item.clone(),
                None => list.push(item.clone()),
            }
        }
        for (_, r, ..) in &self.risks {
            upsert(&mut items.risks, r, |x| &x.id);
        }
        for (_, m, ..) in &self.measures {
            upsert(&mut items.measures, m, |x| &x.id);
        }
        for (m, _) in &self.modules {
            upsert(&mut items.modules, m, |x| &x.id);
        }
        for (p, _) in &self.processes {
            upsert(&mut items.processes, p, |x| &x.id);
        }
        if let Some((_, sheet)) = &self.sheet {
            upsert(&mut items.supplier_sheets, sheet, |x| &x.id);
        }
    }

    /// Writes the new and changed items in the edit's transaction.
    pub fn write(&self, e: &mut Edit<'_>) -> Result<(), DocError> {
        for (m, _) in &self.modules {
            e.put(m)?;
        }
        for (p, _) in &self.processes {
            e.put(p)?;
        }
        for (action, r, _, changes) in &self.risks {
            let changed = match action {
                Action::Unchanged => false,
                Action::NoLongerInSource => !changes.is_empty(),
                _ => true,
            };
            if changed {
                e.put(r)?;
            }
        }
        for (action, m, ..) in &self.measures {
            if *action != Action::Unchanged {
                e.put(m)?;
            }
        }
        if let Some((action, sheet)) = &self.sheet {
            if *action != Action::Unchanged {
                e.put(sheet)?;
            }
        }
        Ok(())
    }
}

/// Hands out the next reference of one kind: R13, R14 … or KBH-M3 ….
struct Numbering {
    head: String,
    next: u64,
}

impl Numbering {
    fn new<'a>(prefix: &str, letter: &str, existing: impl Iterator<Item = &'a Reference>) -> Numbering {
        let head = format!("{prefix}{letter}");
        let highest = existing.map(Reference::split_number).filter(|(h, _)| *h == head).map(|(_, n)| n).max().unwrap_or(0);
        Numbering { head, next: highest + 1 }
    }
    fn take(&mut self) -> Reference {
        self.next += 1;
        Reference(format!("{}{}", self.head, self.next - 1))
    }
}

fn change(da: &str, en: &str) -> Note {
    Note { da: da.into(), en: en.into() }
}

struct Planner<'a> {
    state: &'a TargetState,
    mapping: &'a Mapping,
    new_id: &'a mut dyn FnMut(&str) -> ItemId,
    risk_refs: Numbering,
    measure_refs: Numbering,
    module_refs: Numbering,
    process_refs: Numbering,
    plan: Plan,
}

/// Plans the import of the parsed threats into the target. Pure but for `new_id`.
pub fn plan_import(parsed: &ParsedSheet, mapping: &Mapping, state: &TargetState, source_label: &str, new_id: &mut dyn FnMut(&str) -> ItemId) -> Plan {
    let p = &state.prefix;
    let mut planner = Planner {
        state,
        mapping,
        new_id,
        risk_refs: Numbering::new(p, Risk::REF_LETTER, state.risks.iter().map(|x| &x.reference)),
        measure_refs: Numbering::new(p, Measure::REF_LETTER, state.measures.iter().map(|x| &x.reference)),
        module_refs: Numbering::new(p, Module::REF_LETTER, state.modules.iter().map(|x| &x.reference)),
        process_refs: Numbering::new(p, Process::REF_LETTER, state.processes.iter().map(|x| &x.reference)),
        plan: Plan::default(),
    };
    for threat in &parsed.risks {
        planner.risk(threat, source_label);
    }
    planner.gone(parsed, source_label);
    planner.plan
}

/// «KOMBIT Beskeder» + «T3».
pub fn source_reference(label: &str, sheet_reference: &str) -> String {
    if label.trim().is_empty() { sheet_reference.trim().to_owned() } else { format!("{} {}", label.trim(), sheet_reference.trim()) }
}

/// The sheet as the workspace keeps it after this import: the earlier import of the same
/// source (by its label) updated — its threats replaced by this version's, a reason for not
/// covering a threat kept where the threat is still there — or a new one. Pure but for
/// `new_id`; the plan's notes say what became of it.
pub fn plan_sheet(plan: &mut Plan, parsed: &ParsedSheet, state: &TargetState, label: &str, found: SheetFound, new_id: &mut dyn FnMut(&str) -> ItemId) {
    let key = norm(label);
    let existing = state.sheets.iter().find(|s| norm(&s.label) == key);
    let mut sheet = match existing {
        Some(s) => s.clone(),
        None => {
            let numbers = state.sheets.iter().map(|s| &s.reference);
            let mut refs = Numbering::new(&state.prefix, SupplierSheet::REF_LETTER, numbers);
            SupplierSheet { id: new_id("sheet"), reference: refs.take(), ..SupplierSheet::default() }
        }
    };
    sheet.label = label.trim().to_owned();
    (sheet.file, sheet.tab) = (found.file, found.tab);
    (sheet.supplier, sheet.version, sheet.date) = (found.identity.supplier, found.identity.version, found.identity.date);
    sheet.fingerprint = found.fingerprint;
    let old = std::mem::take(&mut sheet.threats);
    let reason = |number: &str| old.iter().find(|(k, _)| norm(k) == norm(number)).map(|(_, t)| t.not_covered_reason.clone()).unwrap_or_default();
    for r in &parsed.risks {
        let title = r.title.clone().or_else(|| r.threat.clone()).unwrap_or_default();
        let title: String = title.lines().next().unwrap_or_default().chars().take(200).collect();
        sheet.threats.insert(r.reference.trim().to_owned(), SheetThreat { title, not_covered_reason: reason(&r.reference) });
    }
    // threats held back for their problems are still in the sheet
    for w in &parsed.withheld {
        sheet.threats.entry(w.trim().to_owned()).or_insert_with(|| SheetThreat { title: String::new(), not_covered_reason: reason(w) });
    }
    let shown = |s: &SupplierSheet| {
        let mut parts = vec![format!("{} trusler", s.threats.len())];
        if !s.version.is_empty() {
            parts.insert(0, format!("version {}", s.version));
        }
        parts.join(", ")
    };
    let action = match existing {
        None => {
            sheet.imported = Some(found.today);
            plan.notes.push(Note {
                da: format!("Arket gemmes som {} «{}» ({}), så risikoernes kildehenvisninger kan efterprøves mod det.", sheet.reference, sheet.label, shown(&sheet)),
                en: format!("The sheet is kept as {} «{}» ({}), so the risks' source references can be checked against it.", sheet.reference, sheet.label, shown(&sheet).replace("trusler", "threats")),
            });
            Action::Created
        }
        Some(before) if before.threats == sheet.threats && before.label == sheet.label
            && (before.fingerprint == sheet.fingerprint || plan.risks.iter().all(|r| r.0 == Action::Unchanged)) =>
        {
            // the same content again, perhaps in another format (a cell such as a date may
            // read differently there): the import changes nothing, so it writes nothing
            sheet = before.clone();
            Action::Unchanged
        }
        Some(before) => {
            sheet.imported = Some(found.today);
            let gone: Vec<&String> = before.threats.keys().filter(|k| !sheet.threats.keys().any(|n| norm(n) == norm(k))).collect();
            let new: Vec<&String> = sheet.threats.keys().filter(|k| !before.threats.keys().any(|n| norm(n) == norm(k))).collect();
            let list = |v: &[&String]| if v.is_empty() { "–".to_owned() } else { v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ") };
            plan.notes.push(Note {
                da: format!("{} «{}»: denne version ({}) erstatter den importerede ({}); nye trusler: {}; udgået: {}.", sheet.reference, sheet.label, shown(&sheet), shown(before), list(&new), list(&gone)),
                en: format!("{} «{}»: this version ({}) replaces the one imported ({}); new threats: {}; gone: {}.", sheet.reference, sheet.label, shown(&sheet).replace("trusler", "threats"), shown(before).replace("trusler", "threats"), list(&new), list(&gone)),
            });
            Action::Updated
        }
    };
    plan.sheet = Some((action, sheet));
}

/// Where a sheet came from and what it says about itself, for [`plan_sheet`].
#[derive(Debug, Clone)]
pub struct SheetFound {
    pub file: String,
    pub tab: String,
    pub identity: crate::identity::SheetIdentity,
    pub fingerprint: String,
    pub today: Day,
}

impl SheetFound {
    pub fn of(sheet: &Sheet, parsed: &ParsedSheet, opts: &ImportOptions) -> SheetFound {
        SheetFound {
            file: opts.file.clone(),
            tab: sheet.name.clone(),
            identity: crate::identity::sheet_identity(sheet, parsed.header_row),
            fingerprint: crate::identity::content_fingerprint(sheet),
            today: opts.today,
        }
    }
}

fn set_rating(a: &mut Assessment, ratings: &std::collections::BTreeMap<Dimension, SheetRating>) {
    for (d, s) in ratings {
        let r = a.rating_mut(*d);
        if let Some(c) = s.consequence {
            r.consequence = Some(c);
        }
        if let Some(t) = &s.consequence_reason {
            r.consequence_reason = Prose(t.clone());
        }
        if let Some(l) = s.likelihood {
            r.likelihood = Some(l);
        }
        if let Some(t) = &s.likelihood_reason {
            r.likelihood_reason = Prose(t.clone());
        }
    }
}

impl Planner<'_> {
    fn risk(&mut self, threat: &SheetRisk, label: &str) {
        let source_ref = source_reference(label, &threat.reference);
        let key = norm(&source_ref);
        if let Some(b) = self.state.base.as_ref().and_then(|b| b.risks.iter().find(|r| source_key(&r.source_reference) == key)) {
            self.plan.skipped.push(Skipped {
                sheet_reference: Some(threat.reference.clone()),
                rows: threat.rows.clone(),
                reason_da: format!("findes allerede i den fælles basis som {} («{}»); en anden lokal vurdering hører hjemme i en afvigelse fra basis", b.reference, b.title),
                reason_en: format!("already in the joint base as {} («{}»); a different local rating belongs in an override of the base", b.reference, b.title),
            });
            return;
        }
        let existing = self.state.risks.iter().find(|r| source_key(&r.source_reference) == key);
        let mut risk = match existing {
            Some(r) => r.clone(),
            None => Risk { id: (self.new_id)("risk"), reference: self.risk_refs.take(), ..Risk::default() },
        };
        if let Some(t) = &threat.title {
            risk.title = t.clone();
        }
        if let Some(t) = &threat.threat {
            risk.threat = Prose(t.clone());
        }
        if !threat.modules.is_empty() {
            risk.modules = threat.modules.iter().map(|n| self.module(n, &threat.rows)).collect();
        }
        if !threat.processes.is_empty() {
            risk.processes = threat.processes.iter().map(|n| self.process(n, &threat.rows)).collect();
        }
        if self.mapping.risk_source.is_some() {
            risk.source = self.mapping.risk_source;
        }
        risk.source_reference = source_ref;
        set_rating(&mut risk.inherent, &threat.inherent);
        set_rating(&mut risk.residual, &threat.residual);
        let (action, changes) = match existing {
            None => (Action::Created, Vec::new()),
            Some(old) => {
                let mut changes = risk_changes(old, &risk);
                if old.source_reference != risk.source_reference && source_key(&old.source_reference) == key {
                    changes.retain(|c| c.en != "source");
                    changes.push(change("igen i leverandørens materiale", "back in the supplier material"));
                }
                (if changes.is_empty() { Action::Unchanged } else { Action::Updated }, changes)
            }
        };
        for m in &threat.measures {
            self.measure(m, &risk.id);
        }
        self.plan.risks.push((action, risk, threat.clone(), changes));
    }

    /// Marks the risks this source made whose threats the sheet no longer has (threats held
    /// back for their problems are still in it): never deleted, never silently kept.
    fn gone(&mut self, parsed: &ParsedSheet, label: &str) {
        let seen: BTreeSet<String> = parsed.risks.iter().map(|r| &r.reference).chain(&parsed.withheld).map(|r| norm(&source_reference(label, r))).collect();
        let head = format!("{} ", norm(label));
        for old in &self.state.risks {
            let key = source_key(&old.source_reference);
            if !key.starts_with(&head) || seen.contains(&key) {
                continue;
            }
            let mut risk = old.clone();
            let mut changes = Vec::new();
            if norm(&old.source_reference) == key {
                risk.source_reference = format!("{} {NO_LONGER_IN_SOURCE}", old.source_reference.trim());
                changes.push(change("markeret: ikke længere i leverandørens materiale", "marked: no longer in the supplier material"));
            }
            let words = label.split_whitespace().count();
            let reference = key.split_whitespace().skip(words).collect::<Vec<_>>().join(" ");
            let reference = old.source_reference.split_whitespace().skip(words).take(reference.split_whitespace().count()).collect::<Vec<_>>().join(" ");
            let threat = SheetRisk { reference, ..SheetRisk::default() };
            self.plan.risks.push((Action::NoLongerInSource, risk, threat, changes));
        }
    }

    fn module(&mut self, name: &str, rows: &[u32]) -> ItemId {
        let key = norm(name);
        let base = self.state.base.as_ref().map(|b| b.modules.as_slice()).unwrap_or_default();
        let known = self.state.modules.iter().chain(base).chain(self.plan.modules.iter().map(|m| &m.0));
        if let Some(m) = known.clone().find(|m| norm(&m.name) == key).or_else(|| known.clone().find(|m| norm(&m.reference.0) == key)) {
            return m.id.clone();
        }
        let m = Module { id: (self.new_id)("module"), reference: self.module_refs.take(), name: name.trim().to_owned(), ..Module::default() };
        let id = m.id.clone();
        self.plan.modules.push((m, rows.to_vec()));
        id
    }

    fn process(&mut self, name: &str, rows: &[u32]) -> ItemId {
        let key = norm(name);
        let base = self.state.base.as_ref().map(|b| b.processes.as_slice()).unwrap_or_default();
        let known = self.state.processes.iter().chain(base).chain(self.plan.processes.iter().map(|p| &p.0));
        if let Some(p) = known.clone().find(|p| norm(&p.name) == key).or_else(|| known.clone().find(|p| norm(&p.reference.0) == key)) {
            return p.id.clone();
        }
        let p = Process { id: (self.new_id)("process"), reference: self.process_refs.take(), name: name.trim().to_owned(), ..Process::default() };
        let id = p.id.clone();
        self.plan.processes.push((p, rows.to_vec()));
        id
    }

    fn measure(&mut self, s: &SheetMeasure, risk: &ItemId) {
        let key = norm(&s.title);
        // A measure named in several rows is one measure; its first row's status etc. wins.
        if let Some((_, m, rows, _)) = self.plan.measures.iter_mut().find(|(_, m, ..)| norm(&m.title) == key) {
            m.mitigates.insert(risk.clone());
            if !rows.contains(&s.row) {
                rows.push(s.row);
            }
            if s.status.is_some() && m.status != s.status {
                self.plan.notes.push(Note {
                    da: format!("Foranstaltningen «{}» har en anden status i række {}; status fra række {} er brugt.", m.title, s.row, rows[0]),
                    en: format!("The measure «{}» has another status in row {}; the status of row {} was used.", m.title, s.row, rows[0]),
                });
            }
            return;
        }
        let existing = self.state.measures.iter().find(|m| norm(&m.title) == key);
        let mut m = match existing {
            Some(m) => m.clone(),
            None => Measure { id: (self.new_id)("measure"), reference: self.measure_refs.take(), title: s.title.clone(), ..Measure::default() },
        };
        m.mitigates.insert(risk.clone());
        if s.status.is_some() {
            m.status = s.status;
        }
        if s.kind.is_some() {
            m.kind = s.kind;
        }
        if s.planned_date.is_some() {
            m.planned_date = s.planned_date;
        }
        if let Some((owner, name)) = &s.owner {
            m.owner = Some(*owner);
            m.owner_name = name.clone();
        }
        self.plan.measures.push((Action::Created, m, vec![s.row], Vec::new()));
    }
}

pub(crate) fn risk_changes(old: &Risk, new: &Risk) -> Vec<Note> {
    let mut c = Vec::new();
    if old.title != new.title {
        c.push(change("titel", "title"));
    }
    if old.threat != new.threat {
        c.push(change("trussel", "threat"));
    }
    if old.modules != new.modules {
        c.push(change("moduler", "modules"));
    }
    if old.processes != new.processes {
        c.push(change("processer", "processes"));
    }
    if old.source != new.source || old.source_reference != new.source_reference {
        c.push(change("kilde", "source"));
    }
    for d in Dimension::ALL {
        if old.inherent.rating(*d) != new.inherent.rating(*d) {
            c.push(Note { da: format!("iboende {}", d.danish()), en: format!("inherent {}", d.english()) });
        }
        if old.residual.rating(*d) != new.residual.rating(*d) {
            c.push(Note { da: format!("rest {}", d.danish()), en: format!("residual {}", d.english()) });
        }
    }
    c
}

pub(crate) fn measure_changes(old: &Measure, new: &Measure) -> Vec<Note> {
    let mut c = Vec::new();
    if old.mitigates != new.mitigates {
        c.push(change("risici", "risks"));
    }
    if old.status != new.status {
        c.push(change("status", "status"));
    }
    if old.kind != new.kind {
        c.push(change("type", "kind"));
    }
    if old.planned_date != new.planned_date {
        c.push(change("frist", "due date"));
    }
    if old.owner != new.owner || old.owner_name != new.owner_name {
        c.push(change("ansvarlig", "owner"));
    }
    c
}

/// Marks each planned measure created, updated or unchanged against the target's items.
fn settle_measures(plan: &mut Plan, state: &TargetState) {
    for (action, m, _, changes) in &mut plan.measures {
        match state.measures.iter().find(|x| x.id == m.id) {
            None => *action = Action::Created,
            Some(old) => {
                *changes = measure_changes(old, m);
                *action = if changes.is_empty() { Action::Unchanged } else { Action::Updated };
            }
        }
    }
}

// ---- preview and apply --------------------------------------------------------------------

fn doc_key(org: Option<OrgCode>) -> DocKey {
    org.map(DocKey::Supplement).unwrap_or(DocKey::Base)
}

/// The reference prefix of new items: none in the base, "KBH-" in København's supplement.
fn prefix(ws: &Workspace, org: Option<OrgCode>) -> Result<String, WorkspaceError> {
    Ok(match org {
        None => String::new(),
        Some(code) => {
            let p = ws.view().participant(code)?.ref_prefix;
            if p.is_empty() { format!("{code}-") } else { format!("{p}-") }
        }
    })
}

/// Drops threats with problems when the user accepts a partial import, or refuses.
fn accepted(mut parsed: ParsedSheet, accept_partial: bool) -> Result<(ParsedSheet, Vec<Skipped>), ImportError> {
    if parsed.problems.is_empty() {
        return Ok((parsed, Vec::new()));
    }
    if !accept_partial {
        return Err(ImportError::Rows(parsed.problems));
    }
    let mut skipped = Vec::new();
    for p in &parsed.problems {
        let reason_en = p.to_string();
        let reason_da = p.da();
        match &p.reference {
            Some(r) => {
                let rows = parsed.risks.iter().find(|x| norm(&x.reference) == norm(r)).map(|x| x.rows.clone()).unwrap_or_else(|| vec![p.at.row]);
                skipped.push(Skipped { sheet_reference: Some(r.clone()), rows, reason_da, reason_en });
            }
            None => skipped.push(Skipped { sheet_reference: None, rows: vec![p.at.row], reason_da, reason_en }),
        }
    }
    let bad: BTreeSet<String> = parsed.problems.iter().filter_map(|p| p.reference.as_deref()).map(norm).collect();
    parsed.withheld = parsed.risks.iter().filter(|r| bad.contains(&norm(&r.reference))).map(|r| r.reference.clone()).collect();
    parsed.risks.retain(|r| !bad.contains(&norm(&r.reference)));
    Ok((parsed, skipped))
}

/// The label in front of the sheet's references.
pub fn default_source_label(sheet: &Sheet) -> String {
    sheet.name.replace(['-', '_'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The source label of this sheet, and what was decided about it: the one given; else the
/// sheet's name when risks already carry it; else, when the sheet's references and threats
/// match the risks an earlier import made under another label (a renamed tab or file), that
/// label, said so; else the sheet's name for a new source. When the references match but
/// the threats only partly, the user is asked ([`ImportError::UnsureSource`]).
pub fn resolve_source_label(sheet: &Sheet, parsed: &ParsedSheet, state: &TargetState, given: Option<&str>) -> Result<(String, Option<Note>), ImportError> {
    if let Some(label) = given {
        return Ok((label.to_owned(), None));
    }
    let default = default_source_label(sheet);
    let head = format!("{} ", norm(&default));
    let all: Vec<&Risk> = state.risks.iter().chain(state.base.iter().flat_map(|b| b.risks.iter())).collect();
    if parsed.risks.is_empty() || all.iter().any(|r| source_key(&r.source_reference).starts_with(&head)) {
        return Ok((default, None));
    }
    // label → (references matched, of them with the same threat)
    let mut candidates: std::collections::BTreeMap<String, (String, usize, usize)> = Default::default();
    for threat in &parsed.risks {
        let tail = format!(" {}", norm(&threat.reference));
        for r in &all {
            let key = source_key(&r.source_reference);
            let Some(label) = key.strip_suffix(&tail).filter(|l| !l.is_empty()) else { continue };
            let original: String = r.source_reference.split_whitespace().take(label.split_whitespace().count()).collect::<Vec<_>>().join(" ");
            let entry = candidates.entry(label.to_owned()).or_insert((original, 0, 0));
            entry.1 += 1;
            let (a, b) = (norm(&r.title), threat.title.as_deref().map(norm).unwrap_or_default());
            if !b.is_empty() && (a == b || a.contains(&b) || b.contains(&a)) {
                entry.2 += 1;
            }
        }
    }
    let Some((_, (label, matched, same))) = candidates.into_iter().max_by_key(|(_, (_, m, s))| (*s, *m)) else { return Ok((default, None)) };
    let total = parsed.risks.len();
    if matched * 2 >= total && same * 2 >= matched {
        let note = Note {
            da: format!("Arket «{}» er samme kilde som «{label}»: {matched} af {total} referencer og {same} trusler går igen; risiciene opdateres under «{label}» (angiv --source, hvis det er forkert).", sheet.name),
            en: format!("The sheet «{}» is the same source as «{label}»: {matched} of {total} references and {same} threats recur; the risks are updated under «{label}» (give --source if that is wrong).", sheet.name),
        };
        return Ok((label, Some(note)));
    }
    if same * 5 < matched {
        // same ids, other threats: another sheet that numbers its threats the same way
        return Ok((default, None));
    }
    Err(ImportError::UnsureSource { candidate: label, matched, total, same_titles: same })
}

/// Shows what an import would do, without writing anything.
pub fn preview(ws: &Workspace, org: Option<OrgCode>, sheet: &Sheet, chosen: &ChosenMapping, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let mapping = &chosen.mapping;
    let (parsed, skipped) = accepted(parse(sheet, mapping)?, opts.accept_partial)?;
    let (state, base) = state_of(ws, org)?;
    let (label, label_note) = resolve_source_label(sheet, &parsed, &state, opts.source_label.as_deref())?;
    let env = ws.env().clone();
    let mut plan = plan_import(&parsed, mapping, &state, &label, &mut |kind| ItemId(format!("{kind}-{:016x}", env.random_u64())));
    plan.notes.extend(label_note);
    settle_measures(&mut plan, &state);
    plan_sheet(&mut plan, &parsed, &state, &label, SheetFound::of(sheet, &parsed, opts), &mut |kind| ItemId(format!("{kind}-{:016x}", env.random_u64())));
    let mut base = base;
    let mut supplement = org.map(|c| ws.view().supplement(c)).transpose()?;
    match supplement.as_mut() {
        Some(s) => plan.apply_to(&mut s.additions),
        None => plan.apply_to(&mut base.items),
    }
    let gaps = gaps(ws, org, &base, supplement.as_ref(), &plan.ids(), opts.today)?;
    Ok(report(sheet, &parsed, skipped, &plan, gaps, &label, org, chosen, opts, false))
}

/// Imports the sheet in one workspace edit: everything or nothing is written.
pub fn apply(ws: &mut Workspace, author: &Author, org: Option<OrgCode>, sheet: &Sheet, chosen: &ChosenMapping, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let mapping = &chosen.mapping;
    let (parsed, skipped) = accepted(parse(sheet, mapping)?, opts.accept_partial)?;
    let (label, label_note) = resolve_source_label(sheet, &parsed, &state_of(ws, org)?.0, opts.source_label.as_deref())?;
    let prefix = prefix(ws, org)?;
    let base_items = match org {
        Some(_) => Some(ws.view().base()?.items),
        None => None,
    };
    let env = ws.env().clone();
    let found = SheetFound::of(sheet, &parsed, opts);
    let plan = ws.edit(doc_key(org), author, |e| {
        let state = TargetState::from_edit(e, prefix, base_items)?;
        let mut plan = plan_import(&parsed, mapping, &state, &label, &mut |kind| ItemId(format!("{kind}-{:016x}", env.random_u64())));
        plan.notes.extend(label_note.clone());
        settle_measures(&mut plan, &state);
        plan_sheet(&mut plan, &parsed, &state, &label, found.clone(), &mut |kind| ItemId(format!("{kind}-{:016x}", env.random_u64())));
        plan.write(e)?;
        Ok(plan)
    })?;
    let base = ws.view().base()?;
    let supplement = org.map(|c| ws.view().supplement(c)).transpose()?;
    let gaps = gaps(ws, org, &base, supplement.as_ref(), &plan.ids(), opts.today)?;
    Ok(report(sheet, &parsed, skipped, &plan, gaps, &label, org, chosen, opts, true))
}

fn state_of(ws: &Workspace, org: Option<OrgCode>) -> Result<(TargetState, Base), WorkspaceError> {
    let base = ws.view().base()?;
    let prefix = prefix(ws, org)?;
    let state = match org {
        None => TargetState::from_items(prefix, &base.items, None),
        Some(code) => TargetState::from_items(prefix, &ws.view().supplement(code)?.additions, Some(base.items.clone())),
    };
    Ok((state, base))
}

/// The check's findings on the given items, over the DPIA as it is (or would be).
fn gaps(ws: &Workspace, org: Option<OrgCode>, base: &Base, supplement: Option<&Supplement>, ids: &BTreeSet<ItemId>, today: Day) -> Result<Vec<Gap>, WorkspaceError> {
    let coordination = ws.view().coordination()?;
    let dpia = match (org, supplement) {
        (Some(code), Some(s)) => EffectiveDpia::compute(&coordination, base, s, &ws.view().participant(code)?),
        _ => {
            let base_only = Participant::joint_base();
            EffectiveDpia::compute(&coordination, base, &Supplement::default(), &base_only)
        }
    };
    let ctx = CheckContext { is_base: org.is_none(), policy: konsekvens_core::check::acceptance_policy(&ws.view(), org)?, today };
    Ok(check::check(&dpia, &ctx)
        .findings
        .into_iter()
        .filter(|f| f.item.as_ref().is_some_and(|i| ids.contains(i)))
        .map(|f| Gap { reference: f.reference, code: f.code, severity: f.severity, message_da: f.message_da, message_en: f.message_en })
        .collect())
}

#[allow(clippy::too_many_arguments)]
fn report(
    sheet: &Sheet,
    parsed: &ParsedSheet,
    mut skipped: Vec<Skipped>,
    plan: &Plan,
    gaps: Vec<Gap>,
    label: &str,
    org: Option<OrgCode>,
    chosen: &ChosenMapping,
    opts: &ImportOptions,
    written: bool,
) -> ImportReport {
    let mut items = Vec::new();
    let mut counts = Counts::default();
    for (action, r, threat, changes) in &plan.risks {
        match action {
            Action::Created => counts.created += 1,
            Action::Updated => counts.updated += 1,
            Action::Unchanged => counts.unchanged += 1,
            Action::NoLongerInSource => counts.no_longer_in_source += 1,
        }
        items.push(ItemLine {
            kind: "risk",
            action: *action,
            reference: r.reference.clone(),
            title: r.title.clone(),
            sheet_reference: Some(threat.reference.clone()),
            rows: threat.rows.clone(),
            changes: changes.clone(),
        });
    }
    for (action, m, rows, changes) in &plan.measures {
        items.push(ItemLine { kind: "measure", action: *action, reference: m.reference.clone(), title: m.title.clone(), sheet_reference: None, rows: rows.clone(), changes: changes.clone() });
    }
    for (m, rows) in &plan.modules {
        items.push(ItemLine { kind: "module", action: Action::Created, reference: m.reference.clone(), title: m.name.clone(), sheet_reference: None, rows: rows.clone(), changes: Vec::new() });
    }
    for (p, rows) in &plan.processes {
        items.push(ItemLine { kind: "process", action: Action::Created, reference: p.reference.clone(), title: p.name.clone(), sheet_reference: None, rows: rows.clone(), changes: Vec::new() });
    }
    skipped.extend(plan.skipped.iter().cloned());
    counts.skipped = skipped.iter().filter(|s| s.sheet_reference.is_some()).count();
    skipped.extend(parsed.skipped.iter().map(|s| Skipped { sheet_reference: None, rows: vec![s.at.row], reason_da: s.reason_da.clone(), reason_en: s.reason_en.clone() }));
    ImportReport {
        file: opts.file.clone(),
        sheet: sheet.name.clone(),
        target: doc_key(org).name(),
        source_label: label.to_owned(),
        written,
        mapping: chosen.origin.clone(),
        header_row: parsed.header_row,
        encoding: sheet.encoding.map(str::to_owned),
        fingerprint: parsed.fingerprint.clone(),
        mapping_notes: chosen.notes.clone(),
        counts,
        items,
        skipped,
        formulas: parsed.formulas.clone(),
        colours: parsed.colours.clone(),
        notes: plan.notes.clone(),
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::propose;
    use crate::sheet::Value;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        let cells = |r: &[&str]| r.iter().map(|c| if c.is_empty() { Value::Empty } else { Value::Text((*c).into()) }).collect();
        let mut all = vec![cells(&["Ref.", "Trussel", "Modul", "Konsekvens", "Begrundelse", "Sandsynlighed", "Begrundelse", "Foranstaltninger", "Status"])];
        all.extend(rows.iter().map(|r| cells(r)));
        Sheet::from_rows("KOMBIT Beskeder", all)
    }

    fn planned(s: &Sheet, state: &TargetState) -> Plan {
        let mapping = propose(s).mapping;
        let parsed = parse(s, &mapping).unwrap();
        let mut n = 0;
        let mut plan = plan_import(&parsed, &mapping, state, &default_source_label(s), &mut |kind| {
            n += 1;
            ItemId(format!("{kind}-{n}"))
        });
        settle_measures(&mut plan, state);
        plan
    }

    const ROWS: &[&[&str]] = &[
        &["T1", "Fejlsendt besked", "Beskeder", "ødelæggende", "Skade", "forventet", "Ofte", "Advarsel\nUddannelse", "gennemført"],
        &["T2", "Umarkeret besked", "Beskeder", "alvorlig", "Eksponering", "mulig", "Sjældent", "Uddannelse", "gennemført"],
    ];

    #[test]
    fn a_first_import_creates_and_a_second_changes_nothing() {
        let s = sheet(ROWS);
        let first = planned(&s, &TargetState::default());
        let refs: Vec<&str> = first.risks.iter().map(|r| r.1.reference.as_str()).collect();
        assert_eq!(refs, ["R1", "R2"]);
        assert!(first.risks.iter().all(|r| r.0 == Action::Created));
        assert_eq!(first.risks[0].1.source_reference, "KOMBIT Beskeder T1");
        assert_eq!(first.risks[0].1.source, Some(RiskSource::Kombit));
        let training = first.measures.iter().find(|m| m.1.title == "Uddannelse").unwrap();
        assert_eq!(training.1.mitigates.len(), 2, "one measure named for two threats mitigates both");
        assert_eq!(first.modules.len(), 1, "the module is created once");

        let mut items = Items::default();
        first.apply_to(&mut items);
        let state = TargetState::from_items(String::new(), &items, None);
        let second = planned(&s, &state);
        assert!(second.risks.iter().all(|r| r.0 == Action::Unchanged), "{:?}", second.risks.iter().map(|r| (&r.1.reference, &r.3)).collect::<Vec<_>>());
        assert!(second.measures.iter().all(|m| m.0 == Action::Unchanged));
        assert!(second.modules.is_empty(), "the module is found by name");

        let mut changed: Vec<&[&str]> = ROWS.to_vec();
        let t2 = ["T2", "Umarkeret besked", "Beskeder", "meget alvorlig", "Eksponering", "mulig", "Sjældent", "Uddannelse", "gennemført"];
        changed[1] = &t2;
        let third = planned(&sheet(&changed), &state);
        let actions: Vec<(&str, Action)> = third.risks.iter().map(|r| (r.1.reference.as_str(), r.0)).collect();
        assert_eq!(actions, [("R1", Action::Unchanged), ("R2", Action::Updated)]);
        assert_eq!(third.risks[1].3[0].en, "inherent confidentiality");
    }

    #[test]
    fn a_supplement_gets_local_references_and_skips_what_the_base_has() {
        let s = sheet(ROWS);
        let mut base = Items::default();
        base.risks.push(Risk { id: "r-base".into(), reference: Reference("R6".into()), title: "Fejlsendt".into(), source_reference: "KOMBIT  beskeder t1".into(), ..Risk::default() });
        let state = TargetState { prefix: "KBH-".into(), base: Some(base), ..TargetState::default() };
        let plan = planned(&s, &state);
        assert_eq!(plan.risks.len(), 1);
        assert_eq!(plan.risks[0].1.reference.as_str(), "KBH-R1");
        assert_eq!(plan.skipped[0].sheet_reference.as_deref(), Some("T1"));
        assert!(plan.skipped[0].reason_en.contains("already in the joint base as R6"));
        assert!(plan.measures.iter().all(|m| m.1.reference.as_str().starts_with("KBH-M")));
    }
}
