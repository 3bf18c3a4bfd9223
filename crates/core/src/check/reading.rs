//! The rules that read the DPIA as Datatilsynet reads it: across the document and for
//! substance, not field by field. What a text names is asked of [`super::vocabulary`]; the
//! rules here decide what it means for the DPIA.

use super::rules::{applying, at, Findings};
use super::vocabulary::{self as v, Lexicon, Words};
use super::{Basis::*, CheckContext};
use crate::effective::{EffectiveDpia, Entry};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

use super::Severity::{Error, Warning};

pub(super) fn run(d: &EffectiveDpia, ctx: &CheckContext, f: &mut Findings) {
    data_from_text(d, f);
    special_unlisted(d, f);
    implied_subjects(d, f);
    subject_counts(d, f);
    recipients(d, f);
    retention(d, f);
    transfers(d, f);
    uses_and_purposes(d, f);
    substance(d, ctx, f);
    necessity_depth(d, f);
    views(d, f);
}

/// What a data category's own words say it is, strongest first: the lexicon found and the
/// class it calls for.
pub(super) fn data_kind(c: &DataCategory) -> Option<(&'static Lexicon, DataClass)> {
    let words = Words::of(&format!("{}. {}", c.name, c.examples.as_str()));
    if let Some(l) = v::SPECIAL.iter().find(|l| words.names(l)) {
        return Some((l, DataClass::Special));
    }
    if words.names(&v::CRIMINAL) {
        return Some((&v::CRIMINAL, DataClass::Criminal));
    }
    if words.names(&v::CPR) {
        return Some((&v::CPR, DataClass::Cpr));
    }
    if words.names(&v::SOCIAL) {
        return Some((&v::SOCIAL, DataClass::Confidential));
    }
    None
}

/// Whether the class given covers the kind the words name: special and criminal data each
/// need their own class; CPR numbers and social matters any class above «almindelige».
fn covers(given: DataClass, needed: DataClass) -> bool {
    match needed {
        DataClass::Special => given == DataClass::Special,
        DataClass::Criminal => given == DataClass::Criminal,
        DataClass::Cpr | DataClass::Confidential => given != DataClass::Ordinary,
        DataClass::Ordinary => true,
    }
}

fn class_da(c: Option<DataClass>) -> String {
    c.map(|c| format!("klassificeret som «{}»", c.danish())).unwrap_or_else(|| "ikke klassificeret".into())
}

fn class_en(c: Option<DataClass>) -> String {
    c.map(|c| format!("classified as «{}»", c.english())).unwrap_or_else(|| "not classified".into())
}

fn data_from_text(d: &EffectiveDpia, f: &mut Findings) {
    let art9 = applying(&d.items.purposes).any(|p| !p.item.legal_basis.art9.is_empty());
    for e in applying(&d.items.data_categories) {
        let c = &e.item;
        let Some((lexicon, needed)) = data_kind(c) else { continue };
        if c.class.is_some_and(|given| covers(given, needed)) {
            continue;
        }
        let (given_da, given_en) = (class_da(c.class), class_en(c.class));
        match needed {
            DataClass::Special => {
                let (basis_da, basis_en) = if art9 { ("", "") } else { (" Intet formål angiver endnu en undtagelse efter art. 9, stk. 2: angiv den.", " No purpose states an Art. 9(2) exception yet: state it.") };
                f.push("K-35-7-A-DATA-SPECIAL", Error, Art35_7a, at(e),
                    format!("{} «{}» beskriver {} (art. 9), men er {given_da}. Klassificer kategorien som følsomme oplysninger.{basis_da}", c.reference, c.name, lexicon.da),
                    format!("{} «{}» describes {} (Art. 9), but is {given_en}. Classify the category as special-category data.{basis_en}", c.reference, c.name, lexicon.en));
            }
            DataClass::Criminal => f.push("K-35-7-A-DATA-CRIMINAL", Error, Art35_7a, at(e),
                format!("{} «{}» beskriver oplysninger om strafbare forhold, men er {given_da}. Klassificer kategorien efter art. 10, og angiv hjemlen (databeskyttelseslovens § 8).", c.reference, c.name),
                format!("{} «{}» describes data on criminal offences, but is {given_en}. Classify the category under Art. 10 and state the basis (Danish Data Protection Act § 8).", c.reference, c.name)),
            _ => f.push("K-35-7-A-DATA-CONFIDENTIAL", Error, Art35_7a, at(e),
                format!("{} «{}» beskriver {}, som i dansk praksis er fortrolige, men er {given_da}. Klassificer kategorien som fortrolige oplysninger (eller CPR-numre), og angiv hjemlen (databeskyttelseslovens § 11 for CPR).", c.reference, c.name, lexicon.da),
                format!("{} «{}» describes {}, which Danish practice treats as confidential, but is {given_en}. Classify the category as confidential (or CPR numbers) and state the basis (Danish Data Protection Act § 11 for CPR).", c.reference, c.name, lexicon.en)),
        }
    }
}

/// The description, a document type or a purpose says special-category data is processed,
/// but no data category is classified so.
fn special_unlisted(d: &EffectiveDpia, f: &mut Findings) {
    let i = &d.items;
    if applying(&i.data_categories).any(|e| e.item.class == Some(DataClass::Special) || data_kind(&e.item).is_some_and(|(_, c)| c == DataClass::Special)) {
        return;
    }
    let mut texts: Vec<(Option<(&ItemId, &Reference)>, String)> = vec![(None, format!("{} {}", d.description.summary.as_str(), d.description.scope.as_str()))];
    texts.extend(applying(&i.document_types).map(|e| (at(e), format!("{}. {}", e.item.name, e.item.description.as_str()))));
    texts.extend(applying(&i.purposes).map(|e| (at(e), format!("{}. {}", e.item.title, e.item.description.as_str()))));
    for (item, text) in texts {
        let words = Words::of(&text);
        if let Some(l) = v::SPECIAL.iter().find(|l| words.names(l)) {
            let where_da = item.map(|(_, r)| format!("{r}")).unwrap_or_else(|| "Beskrivelsen".into());
            let where_en = item.map(|(_, r)| format!("{r}")).unwrap_or_else(|| "The description".into());
            f.push("K-35-7-A-SPECIAL-UNLISTED", Error, Art35_7a, item,
                format!("{where_da} nævner {} (art. 9), men ingen kategori af personoplysninger er klassificeret som følsomme. Tilføj kategorien, og angiv undtagelsen efter art. 9, stk. 2.", l.da),
                format!("{where_en} names {} (Art. 9), but no data category is classified as special-category data. Add the category and state the Art. 9(2) exception.", l.en));
            return;
        }
    }
}

/// The vulnerable group a subject category's name says it is. Only the head of the name
/// counts: «Forældre til elever» are parents, not pupils.
pub(super) fn vulnerable_group(s: &SubjectCategory) -> Option<&'static Lexicon> {
    let head = head_of(&s.name);
    let words = Words::of(&format!("{head}. {}", s.count_note.as_str()));
    let name = Words::of(&head);
    if name.names_minors_by_age() || words.names(&v::CHILDREN) && name.names(&v::CHILDREN) {
        return Some(&v::CHILDREN);
    }
    v::VULNERABLE.iter().find(|l| name.names(l))
}

/// A name up to its first relational word: «Forældre til børn i dagtilbud» → «Forældre».
pub(super) fn head_of(name: &str) -> String {
    let mut head = Vec::new();
    for word in name.split_whitespace() {
        if matches!(word.to_lowercase().as_str(), "til" | "for" | "af" | "om" | "of" | "to" | "about") {
            break;
        }
        head.push(word);
    }
    head.join(" ")
}

/// User groups, sources, processes and modules that imply data subjects no category lists.
fn implied_subjects(d: &EffectiveDpia, f: &mut Findings) {
    let i = &d.items;
    // the groups by their names (a count note's «pr. barn» names no group)
    let subjects: Vec<Words> = applying(&i.subject_categories).map(|e| Words::of(&e.item.name)).collect();
    if subjects.is_empty() {
        return; // K-35-7-A-SUBJECTS says it
    }
    let mut places: Vec<(Option<(&ItemId, &Reference)>, String)> = Vec::new();
    places.extend(applying(&i.sources).map(|e| (at(e), format!("{}. {}", e.item.name, e.item.description.as_str()))));
    places.extend(applying(&i.processes).map(|e| (at(e), format!("{}. {}", e.item.name, e.item.description.as_str()))));
    places.extend(applying(&i.modules).map(|e| (at(e), format!("{}. {}", e.item.name, e.item.description.as_str()))));
    places.extend(applying(&i.recipients).map(|e| (at(e), e.item.name.clone())));
    for (setting, implied) in v::SETTINGS {
        if subjects.iter().any(|s| s.names(implied)) {
            continue;
        }
        let named: Vec<&Reference> = places.iter().filter(|(_, t)| v::names(t, setting)).filter_map(|(item, _)| item.map(|(_, r)| r)).collect();
        if let Some(first) = places.iter().find(|(_, t)| v::names(t, setting)) {
            let refs = named.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
            f.push("K-35-7-A-SUBJECTS-IMPLIED", Warning, Art35_7a, first.0,
                format!("Beskrivelsen omfatter {} ({refs}), men ingen kategori af registrerede omfatter {}. Tilføj gruppen med antal, eller forklar hvorfor den ikke er registreret (afgørelsens pkt. 4.2.5).", setting.da, implied.da),
                format!("The description covers {} ({refs}), but no data-subject category covers {}. Add the group with its number, or explain why it is not a data subject (decision § 4.2.5).", setting.en, implied.en));
        }
    }
    // user groups are data subjects too (their profiles, their messages, their log data)
    const PEOPLE: &[Lexicon] = &[v::CHILDREN, v::EMPLOYEES, PARENTS];
    for e in applying(&i.recipients) {
        let name = Words::of(&head_of(&e.item.name));
        for group in PEOPLE {
            if name.names(group) && !subjects.iter().any(|s| s.names(group)) {
                f.push("K-35-7-A-USERS-NOT-SUBJECTS", Warning, Art35_7a, at(e),
                    format!("Brugergruppen {} «{}» ({}) findes ikke blandt de registrerede. Brugere er også registrerede: tilføj gruppen med antal.", e.item.reference, e.item.name, group.da),
                    format!("The user group {} «{}» ({}) is not among the data subjects. Users are data subjects too: add the group with its number.", e.item.reference, e.item.name, group.en));
            }
        }
    }
}

use v::PARENTS;

/// The numbers of the data subjects cover the user groups: one number for several groups
/// that use the system says how many of neither, and parents counted fewer than half the
/// children they are the parents of are not all counted (each child has a parent or
/// guardian who uses the system).
fn subject_counts(d: &EffectiveDpia, f: &mut Findings) {
    const GROUPS: &[Lexicon] = &[v::CHILDREN, PARENTS, v::EMPLOYEES];
    let groups_of = |name: &str| -> Vec<&'static Lexicon> {
        let head = Words::of(&head_of(name));
        GROUPS.iter().filter(|g| head.names(g)).collect()
    };
    let users: Vec<&Lexicon> = applying(&d.items.recipients).flat_map(|e| groups_of(&e.item.name)).collect();
    let cats: Vec<(&Entry<SubjectCategory>, Vec<&Lexicon>)> = applying(&d.items.subject_categories).map(|e| (e, groups_of(&e.item.name))).collect();
    for (e, groups) in &cats {
        let (Some(count), true) = (e.item.count, groups.len() >= 2) else { continue };
        if !groups.iter().any(|g| users.iter().any(|u| u.da == g.da)) {
            continue;
        }
        let (da, en): (Vec<&str>, Vec<&str>) = groups.iter().map(|g| (g.da, g.en)).unzip();
        f.push("K-35-7-A-SUBJECT-COUNT-GROUPS", Warning, Art35_7a, at(e),
            format!("{} «{}» har ét antal ({count}) for flere grupper, der bruger systemet ({}). Antallet siger ikke, hvor mange der er af hver: angiv antallet for hver gruppe (del kategorien, eller skriv fordelingen).", e.item.reference, e.item.name, da.join(" og ")),
            format!("{} «{}» has one number ({count}) for several groups that use the system ({}). The number does not say how many there are of each: give the number for each group (split the category, or state the split).", e.item.reference, e.item.name, en.join(" and ")));
    }
    // the groups counted alone: (entries, sum of their counts, whether every one has a count)
    let alone = |g: &Lexicon| {
        let of: Vec<&Entry<SubjectCategory>> = cats.iter().filter(|(_, gs)| gs.len() == 1 && gs[0].da == g.da).map(|(e, _)| *e).collect();
        let sum: u64 = of.iter().filter_map(|e| e.item.count).sum();
        let all = !of.is_empty() && of.iter().all(|e| e.item.count.is_some());
        (of, sum, all)
    };
    let (children, n_children, all_children) = alone(&v::CHILDREN);
    let (parents, n_parents, all_parents) = alone(&PARENTS);
    if all_children && all_parents && n_parents * 2 < n_children && users.iter().any(|u| u.da == PARENTS.da) {
        let refs = |v: &[&Entry<SubjectCategory>]| v.iter().map(|e| e.item.reference.to_string()).collect::<Vec<_>>().join(", ");
        f.push("K-35-7-A-SUBJECT-COUNT-GROUPS", Warning, Art35_7a, at(parents[0]),
            format!("Forældrene er talt til {n_parents} ({}), færre end halvdelen af de {n_children} børn ({}), som de er forældre til — men hvert barn har en forælder eller værge, der bruger systemet. Ret antallet, eller skriv hvordan det er opgjort.", refs(&parents), refs(&children)),
            format!("The parents are counted as {n_parents} ({}), fewer than half the {n_children} children ({}) they are the parents of — yet each child has a parent or guardian who uses the system. Correct the number, or say how it was counted.", refs(&parents), refs(&children)));
    }
}

fn recipients(d: &EffectiveDpia, f: &mut Findings) {
    for e in applying(&d.items.recipients).filter(|e| e.item.access.is_blank()) {
        f.push("K-35-7-A-ACCESS-ROLE", Warning, Art35_7a, at(e),
            format!("{} «{}»: det fremgår ikke, hvilken rolle modtageren har, og hvad den har adgang til. Beskriv adgangen.", e.item.reference, e.item.name),
            format!("{} «{}»: it does not say what role the recipient has and what it can access. Describe the access.", e.item.reference, e.item.name));
    }
}

/// A retention text that names neither a deletion nor a period is no rule.
fn retention(d: &EffectiveDpia, f: &mut Findings) {
    // «Som D4» takes another category's rule: that one is judged on its own
    let references: BTreeSet<String> = applying(&d.items.data_categories).map(|e| v::normalise(e.item.reference.as_str()).trim().to_owned()).collect();
    let rule = |t: &Prose| {
        let w = Words::of(t.as_str());
        w.names(&v::DELETION) || w.has_period() || w.key().split(' ').any(|x| references.contains(x))
    };
    if !d.description.retention.is_blank() && !rule(&d.description.retention) {
        f.push("K-35-7-A-RETENTION-RULE", Warning, Art35_7a, None,
            "Opbevaringsbeskrivelsen angiver hverken en frist eller hvornår og hvordan oplysningerne slettes. Angiv sletteregler (frist eller hændelse, der udløser sletning).".into(),
            "The retention text states neither a period nor when and how the data is erased. State the deletion rules (a period or the event that triggers erasure).".into());
    }
    for e in applying(&d.items.data_categories).filter(|e| !e.item.retention.is_blank() && !rule(&e.item.retention)) {
        f.push("K-35-7-A-RETENTION-RULE", Warning, Art35_7a, at(e),
            format!("{} «{}»: opbevaringen angiver hverken en frist eller en sletteregel. Angiv hvornår oplysningerne slettes.", e.item.reference, e.item.name),
            format!("{} «{}»: the retention states neither a period nor a deletion rule. State when the data is erased.", e.item.reference, e.item.name));
    }
}

fn transfers(d: &EffectiveDpia, f: &mut Findings) {
    let i = &d.items;
    let listed: Vec<&Entry<Transfer>> = applying(&i.transfers).collect();
    let desc = &d.description;
    match (listed.is_empty(), desc.third_country_access) {
        (true, None) => f.push("K-35-7-A-TRANSFERS-UNSTATED", Error, Art35_7a, None,
            "Det fremgår ikke, om personoplysninger overføres til eller kan tilgås fra lande uden for EU/EØS. Registrer svaret: overførslerne med grundlag, eller «ingen» med begrundelsen (hostingregion, databehandlernes instruks).".into(),
            "It does not say whether personal data is transferred to or can be reached from outside the EU/EEA. Record the answer: the transfers with their basis, or «none» with the reason (hosting region, the processors' instructions).".into()),
        (true, Some(false)) if desc.third_country_reason.is_blank() || bare_conclusion(desc.third_country_reason.as_str()) => f.push("K-35-7-A-TRANSFERS-NONE-REASON", Error, Art35_7a, None,
            "Der står, at ingen oplysninger forlader EU/EØS, men ikke hvorfor. Begrund det (hvor data ligger, hvad databehandleraftalerne og instrukserne siger om behandling uden for EU/EØS).".into(),
            "It says no data leaves the EU/EEA, but not why. Give the reason (where the data is hosted, what the processor agreements and instructions say about processing outside the EU/EEA).".into()),
        (true, Some(true)) => f.push("K-35-7-A-TRANSFERS-UNSTATED", Error, Art35_7a, None,
            "Der står, at oplysninger overføres til eller kan tilgås fra lande uden for EU/EØS, men ingen overførsel er beskrevet. Beskriv hver overførsel med land, modtager og grundlag efter kapitel V.".into(),
            "It says data is transferred to or reachable from outside the EU/EEA, but no transfer is described. Describe each transfer with its country, recipient and Chapter V basis.".into()),
        (false, Some(false)) => f.push("K-35-7-A-TRANSFERS-CONTRADICTION", Error, Art35_7a, None,
            format!("Der står, at ingen oplysninger forlader EU/EØS, men {} overførsel(er) er beskrevet. Ret svaret eller overførslerne.", listed.len()),
            format!("It says no data leaves the EU/EEA, but {} transfer(s) are described. Correct the answer or the transfers.", listed.len())),
        _ => {}
    }
    // A processor whose words point at a cloud provider under a third country's law needs
    // an assessment: a transfer naming it, or the recorded answer naming it.
    let assessed: Vec<Words> = listed.iter().map(|e| Words::of(&format!("{} {} {}", e.item.recipient, e.item.country, e.item.description.as_str()))).chain([Words::of(desc.third_country_reason.as_str())]).collect();
    for e in applying(&i.processors) {
        let words = Words::of(&format!("{}. {}. {}", e.item.name, e.item.service.as_str(), e.item.location));
        let Some(provider) = v::THIRD_COUNTRY_CLOUD.iter().find(|l| words.names(l)) else { continue };
        if assessed.iter().any(|a| a.names(provider)) {
            continue;
        }
        f.push("K-35-7-A-TRANSFER-CLOUD", Error, Art35_7a, at(e),
            format!("{} «{}» er (eller bruger) {}, der kan være underlagt lovgivning i et land uden for EU/EØS, men der er ingen vurdering af adgangen derfra. Beskriv overførslen eller adgangen og dens grundlag, eller begrund at der ingen er (fx instruksens forbehold for udlevering efter lov).", e.item.reference, e.item.name, provider.da),
            format!("{} «{}» is (or uses) {}, which may be subject to the law of a country outside the EU/EEA, but there is no assessment of access from there. Describe the transfer or access and its basis, or give the reason there is none (e.g. the instruction's clause on disclosure required by law).", e.item.reference, e.item.name, provider.en));
    }
}

/// Every process, module and document type is covered by a purpose (linked by id), a
/// document type's activity is one a covering purpose names, and every purpose is used.
fn uses_and_purposes(d: &EffectiveDpia, f: &mut Findings) {
    let i = &d.items;
    let purposes: BTreeMap<&ItemId, &Purpose> = applying(&i.purposes).map(|e| (&e.item.id, &*e.item)).collect();
    let mut used: BTreeSet<&ItemId> = BTreeSet::new();
    let mut module_purposes: BTreeMap<&ItemId, BTreeSet<&ItemId>> = BTreeMap::new();
    for e in applying(&i.processes) {
        let own: BTreeSet<&ItemId> = e.item.purposes.iter().filter(|p| purposes.contains_key(p)).collect();
        used.extend(own.iter().copied());
        if own.is_empty() {
            f.push("K-35-7-A-USE-NO-PURPOSE", Error, Art35_7a, at(e),
                format!("Processen {} «{}» er ikke knyttet til noget formål. Knyt den til de formål, den tjener, eller beskriv formålet.", e.item.reference, e.item.name),
                format!("Process {} «{}» is not linked to any purpose. Link it to the purposes it serves, or describe the purpose.", e.item.reference, e.item.name));
        }
        for m in &e.item.modules {
            module_purposes.entry(m).or_default().extend(own.iter().copied());
        }
    }
    let mut doc_purposes: BTreeMap<&ItemId, BTreeSet<&ItemId>> = BTreeMap::new();
    for e in applying(&i.document_types) {
        let mut covering: BTreeSet<&ItemId> = e.item.purposes.iter().filter(|p| purposes.contains_key(p)).collect();
        used.extend(covering.iter().copied());
        if let Some(m) = &e.item.module {
            covering.extend(module_purposes.get(m).into_iter().flatten().copied());
            // a document type's own purposes reach its module
            doc_purposes.entry(m).or_default().extend(e.item.purposes.iter().filter(|p| purposes.contains_key(p)));
        }
        let words = Words::of(&format!("{}. {}", e.item.name, e.item.description.as_str()));
        if covering.is_empty() {
            f.push("K-35-7-A-USE-NO-PURPOSE", Error, Art35_7a, at(e),
                format!("Dokumenttypen {} «{}» er ikke dækket af noget formål (hverken selv eller gennem sit modul). Knyt den til formålet, eller beskriv et formål, der dækker den.", e.item.reference, e.item.name),
                format!("Document type {} «{}» is not covered by any purpose (neither itself nor through its module). Link it to its purpose, or describe a purpose that covers it.", e.item.reference, e.item.name));
            continue;
        }
        let stated: Vec<Words> = covering.iter().map(|p| Words::of(&format!("{}. {}", purposes[p].title, purposes[p].description.as_str()))).collect();
        let name_stem = name_stem(&e.item.name);
        for activity in v::ACTIVITIES.iter().filter(|a| words.names(a)) {
            let named = stated.iter().any(|s| s.names(activity) || name_stem.as_deref().is_some_and(|n| s.key().contains(n)));
            if !named {
                let titles = covering.iter().map(|p| format!("{} «{}»", purposes[p].reference, purposes[p].title)).collect::<Vec<_>>().join(", ");
                f.push("K-35-7-A-USE-PURPOSE-MISMATCH", Warning, Art35_7a, at(e),
                    format!("Dokumenttypen {} «{}» bruges til {}, men de formål, der dækker den ({titles}), nævner det ikke. Præciser formålet, eller tilføj et, der dækker brugen (afgørelsens pkt. 4.2.3: Sikker fildeling til pædagogisk dokumentation under et formål om kommunikation).", e.item.reference, e.item.name, activity.da),
                    format!("Document type {} «{}» is used for {}, but the purposes covering it ({titles}) do not say so. Clarify the purpose, or add one that covers the use (decision § 4.2.3: secure file sharing for pedagogical documentation under a purpose of communication).", e.item.reference, e.item.name, activity.en));
                break;
            }
        }
    }
    for e in applying(&i.modules) {
        let covered = module_purposes.get(&e.item.id).is_some_and(|p| !p.is_empty()) || doc_purposes.get(&e.item.id).is_some_and(|p| !p.is_empty());
        if !covered {
            f.push("K-35-7-A-USE-NO-PURPOSE", Error, Art35_7a, at(e),
                format!("Modulet {} «{}» indgår ikke i nogen proces med et formål. Knyt det til de processer, der bruger det, eller beskriv hvorfor det ikke bruges.", e.item.reference, e.item.name),
                format!("Module {} «{}» is part of no process with a purpose. Link it to the processes that use it, or say why it is not used.", e.item.reference, e.item.name));
        }
    }
    for e in applying(&i.purposes).filter(|e| !used.contains(&e.item.id)) {
        f.push("K-35-7-A-PURPOSE-UNUSED", Warning, Art35_7a, at(e),
            format!("Formålet {} «{}» er ikke knyttet til nogen proces eller dokumenttype. Knyt det til den brug, det dækker.", e.item.reference, e.item.title),
            format!("Purpose {} «{}» is linked to no process or document type. Link it to the use it covers.", e.item.reference, e.item.title));
    }
}

/// The first long word of a name, as a stem to find it inflected in another text
/// («Handleplan» in «handleplaner»).
fn name_stem(name: &str) -> Option<String> {
    let w = Words::of(name);
    w.key().split(' ').find(|w| w.chars().count() >= 6).map(|w| w.chars().take(w.chars().count().saturating_sub(1).max(5)).collect())
}

/// A text that only states a conclusion: one of the conclusion phrases and (almost)
/// nothing else.
pub(super) fn bare_conclusion(text: &str) -> bool {
    let w = Words::of(text);
    w.contains_phrase(v::CONCLUSIONS) && w.content_beyond(v::CONCLUSIONS) <= 3
}

/// Justifications, reasons and acceptances: boilerplate substantiates nothing.
fn substance(d: &EffectiveDpia, _ctx: &CheckContext, f: &mut Findings) {
    let i = &d.items;
    // the same sentence used as the reason for many items
    let mut reasons: Vec<(&str, (&ItemId, &Reference))> = Vec::new();
    for e in applying(&i.risks) {
        let r = &e.item;
        for a in [&r.inherent, &r.residual] {
            for dim in Dimension::ALL {
                let rating = a.rating(*dim);
                reasons.push((rating.consequence_reason.as_str(), r.identity()));
                reasons.push((rating.likelihood_reason.as_str(), r.identity()));
                reasons.push((rating.unaffected_reason.as_str(), r.identity()));
            }
        }
        reasons.push((r.acceptance.as_str(), r.identity()));
    }
    for h in i.heads() {
        if let Some(j) = h.not_applicable {
            reasons.push((j.as_str(), (h.id, h.reference)));
        }
    }
    // why a supplier sheet's threats are not covered
    for e in applying(&i.supplier_sheets) {
        for t in e.item.threats.values() {
            reasons.push((t.not_covered_reason.as_str(), e.item.identity()));
        }
    }
    // (the text as written, the items using it, how many times, the first item)
    type Uses<'a> = (String, BTreeSet<&'a Reference>, usize, Option<(&'a ItemId, &'a Reference)>);
    let mut by_sentence: BTreeMap<String, Uses> = BTreeMap::new();
    for (text, item) in reasons {
        let key = Words::of(text).key();
        if key.split(' ').count() < 3 {
            continue;
        }
        let slot = by_sentence.entry(key).or_insert_with(|| (text.trim().to_owned(), BTreeSet::new(), 0, Some(item)));
        slot.1.insert(item.1);
        slot.2 += 1;
    }
    // many uses across items: within one item, «som ovenfor» may be deliberate
    for (text, refs, uses, item) in by_sentence.values() {
        if refs.len() >= 2 && *uses >= 3 {
            let list = refs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ");
            f.push("K-SUBSTANCE-REPEATED", Warning, Art5_2, *item,
                format!("Samme begrundelse («{}») er brugt {uses} gange for {} elementer ({list}). En standardtekst underbygger ikke den enkelte vurdering: begrund hver for sig.", short(text), refs.len()),
                format!("The same reason («{}») is used {uses} times for {} items ({list}). Boilerplate does not substantiate each assessment: give each its own reason.", short(text), refs.len()));
        }
    }
    // acceptances: a bare conclusion, or resting only on the controller's own reach
    for e in applying(&i.risks) {
        let r = &e.item;
        if r.acceptance.is_blank() {
            continue;
        }
        let w = Words::of(r.acceptance.as_str());
        if w.contains_phrase(v::OWN_REACH) {
            f.push("K-24-1-OWN-REACH", Error, Art24_1, at(e),
                format!("{}: accepten af risikoen bygger på det, der ligger inden for den dataansvarliges eget handlingsrum. Vurderingen kan ikke begrænses hertil (art. 24, stk. 1; afgørelsens pkt. 4.1.4): vurder også det, leverandøren eller andre skal gøre.", r.reference),
                format!("{}: the acceptance of the risk rests on what lies within the controller's own room for action. The assessment cannot be limited to that (Art. 24(1); decision § 4.1.4): assess what the supplier or others must do as well.", r.reference));
        } else if bare_conclusion(r.acceptance.as_str()) {
            f.push("K-35-7-C-ACCEPTANCE-BARE", Error, Art35_7c, at(e),
                format!("{}: accepten («{}») angiver kun konklusionen. Begrund hvorfor risikoen kan accepteres: konsekvens og sandsynlighed efter foranstaltninger, og hvem der har accepteret den.", r.reference, short(r.acceptance.as_str())),
                format!("{}: the acceptance («{}») states only the conclusion. Give the grounds for accepting the risk: consequence and likelihood after measures, and who accepted it.", r.reference, short(r.acceptance.as_str())));
        }
    }
}

fn short(text: &str) -> String {
    let t: String = text.trim().chars().take(80).collect();
    if text.trim().chars().count() > 80 { format!("{t}…") } else { t }
}

/// Necessity and proportionality in one line per purpose names none of what it must weigh.
fn necessity_depth(d: &EffectiveDpia, f: &mut Findings) {
    /// Below this, necessity and proportionality together are one line.
    const ONE_LINE: usize = 160;
    for e in applying(&d.items.purposes) {
        let n = &e.item.necessity;
        if n.necessity.is_blank() || n.proportionality.is_blank() {
            continue; // K-35-7-B-MISSING
        }
        let core = format!("{} {}", n.necessity.as_str(), n.proportionality.as_str());
        let all = NecessityAspect::ALL.iter().map(|a| n.aspect(*a).as_str()).collect::<Vec<_>>().join(". ");
        let words = Words::of(&all);
        let mut missing: Vec<(&str, &str)> = Vec::new();
        if !Words::of(&core).names(&v::ALTERNATIVES) {
            missing.push(("overvejede alternativer", "alternatives considered"));
        }
        if n.minimisation.is_blank() && !words.names(&v::MINIMISATION) {
            missing.push(("dataminimering", "data minimisation"));
        }
        if n.storage_limitation.is_blank() && !words.names(&v::DELETION) && !words.has_period() {
            missing.push(("opbevaring og sletning", "retention"));
        }
        if n.data_subject_rights.is_blank() && !words.names(&v::RIGHTS) {
            missing.push(("de registreredes rettigheder", "data-subject rights"));
        }
        let thin = core.trim().chars().count() < ONE_LINE || bare_conclusion(n.necessity.as_str()) || bare_conclusion(n.proportionality.as_str());
        if thin && !missing.is_empty() {
            f.push("K-35-7-B-THIN", Warning, Art35_7b, at(e),
                format!("Vurderingen af nødvendighed og proportionalitet for {} «{}» er kun en konklusion. Den mangler: {}.", e.item.reference, e.item.title, missing.iter().map(|m| m.0).collect::<Vec<_>>().join(", ")),
                format!("The assessment of necessity and proportionality for {} «{}» is only a conclusion. It lacks: {}.", e.item.reference, e.item.title, missing.iter().map(|m| m.1).collect::<Vec<_>>().join(", ")));
        }
    }
}

/// Art. 35(9): the views of data subjects or their representatives, or why not sought.
fn views(d: &EffectiveDpia, f: &mut Findings) {
    let records: Vec<&Entry<SubjectView>> = applying(&d.items.subject_views).collect();
    if records.is_empty() {
        if d.description.views_not_sought_reason.is_blank() {
            f.push("K-35-9-VIEWS", Warning, Art35_9, None,
                "Det fremgår ikke, om de registreredes eller deres repræsentanters synspunkter er indhentet (fx skolebestyrelser, forældrebestyrelser, elevråd, medarbejderrepræsentanter), eller hvorfor ikke. Registrer hvem der er spurgt, hvornår, hvad de sagde, og hvordan det er indgået — eller begrundelsen for ikke at spørge.".into(),
                "It does not say whether the views of the data subjects or their representatives were sought (e.g. school boards, parents' boards, pupils' councils, staff representatives), or why not. Record whom, when, what they said and how it was taken into account — or the reason for not asking.".into());
        }
        return;
    }
    for e in records {
        let s = &e.item;
        let mut lacks: Vec<(&str, &str)> = Vec::new();
        if s.whom.trim().is_empty() {
            lacks.push(("hvem", "whom"));
        }
        if s.date.is_none() {
            lacks.push(("hvornår", "when"));
        }
        if s.views.is_blank() {
            lacks.push(("hvad de sagde", "what they said"));
        }
        if s.response.is_blank() {
            lacks.push(("hvordan det er indgået", "how it was taken into account"));
        }
        if !lacks.is_empty() {
            f.push("K-35-9-VIEWS-INCOMPLETE", Warning, Art35_9, at(e),
                format!("{}: registreringen af de registreredes synspunkter mangler {}.", s.reference, lacks.iter().map(|l| l.0).collect::<Vec<_>>().join(", ")),
                format!("{}: the record of the data subjects' views lacks {}.", s.reference, lacks.iter().map(|l| l.1).collect::<Vec<_>>().join(", ")));
        }
    }
}
