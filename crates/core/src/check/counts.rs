//! Numbers of data subjects written in prose against the count fields (issue #16: «subject
//! counts that don't cover the user groups»). A description that says «ca. 12.000 elever»
//! while the categories of pupils count 4.000, or names «ca. 900 lærere» while no category
//! counts employees, does not describe the processing's scale consistently (the decision,
//! § 4.2.3 and 4.2.5: how many, of whom).
//!
//! What is read: the description's summary and scope, the WP248 answers' reasons and the
//! categories' count notes. A number is one the way Danish texts write them — «12.000»,
//! «12 000», «12000», «1,2 mio.», a range «12.000-15.000» / «12.000 til 15.000», after «ca.»,
//! «cirka», «omkring», «knap», «godt», «over», «under» — directly followed (or after one
//! word, «12.000 indskrevne elever») by a group: children/pupils, parents, employees.
//! «heraf 300 elever» is a part, not the whole, and «2 forældre pr. barn» a ratio: neither is
//! read. A municipality that counts a group itself (its supplement's count) is judged by
//! its own note on that count: the base's words are about every municipality together.

use super::rules::{applying, Findings};
use super::vocabulary::{self as v, Lexicon, Words};
use super::Basis::Art35_7a;
use super::Severity::Warning;
use crate::effective::{Deviation, EffectiveDpia, Entry};
use crate::model::SubjectCategory;
use std::collections::BTreeMap;

/// One number of people as written: the lowest and highest it allows, whether it is an
/// estimate («ca.»), and the words as written («ca. 12.000 elever»).
#[derive(Debug, Clone)]
pub struct Stated {
    pub low: u64,
    pub high: u64,
    pub approximate: bool,
    pub group: &'static Lexicon,
    pub written: String,
}

const GROUPS: &[Lexicon] = &[v::CHILDREN, v::PARENTS, v::EMPLOYEES];

/// Words before a number that make it an estimate, a floor or a ceiling.
const ABOUT: &[&str] = &["ca", "ca.", "cirka", "omkring", "knap", "godt", "anslået", "anslaaet", "skønsmæssigt", "about", "approximately", "around", "roughly", "some", "nearly"];
const OVER: &[&str] = &["over", "mindst", "flere", "mere", "above", "least", "more"];
const UNDER: &[&str] = &["under", "højst", "hoejst", "færre", "faerre", "op", "below", "most", "fewer", "up"];
/// Words before a number that make it a part of a whole named before.
const PART: &[&str] = &["heraf", "deraf", "herunder", "heriblandt", "including", "whom", "among"];
/// Words after the group that make the number a ratio («2 forældre pr. barn»).
const RATIO: &[&str] = &["pr", "pr.", "per", "hver", "each"];

/// A run of digits with thousands separators («12.000», «12 000», «1.200.000») or plain
/// («12000»), and a decimal comma before «mio.» («1,2 mio.»): the value and where it ends.
fn number_at(chars: &[char], start: usize) -> Option<(f64, usize)> {
    // Counted up to one past the longest number read, so a long run of digits (a pasted
    // identifier, a hostile file) costs the same at each position, not its whole length.
    let digits = |i: usize| chars[i..].iter().take(MAX_DIGITS + 1).take_while(|c| c.is_ascii_digit()).count();
    let n = digits(start);
    if n == 0 || n > MAX_DIGITS || (start > 0 && (chars[start - 1].is_alphanumeric() || chars[start - 1] == '.' || chars[start - 1] == ',')) {
        return None;
    }
    let mut text: String = chars[start..start + n].iter().collect();
    let mut end = start + n;
    // thousands groups: a separator and exactly three digits
    while end + 4 <= chars.len() && matches!(chars[end], '.' | ' ' | '\u{a0}' | '\u{202f}') && digits(end + 1) == 3 && !chars.get(end + 4).is_some_and(|c| c.is_ascii_digit()) {
        text.extend(&chars[end + 1..end + 4]);
        end += 4;
    }
    let mut value: f64 = text.parse().ok()?;
    // «1,2 mio.»
    if chars.get(end) == Some(&',') && digits(end + 1) > 0 {
        let d = digits(end + 1);
        let after: String = chars[end + 1 + d..].iter().take(12).collect::<String>().to_lowercase();
        if after.trim_start().starts_with("mio") || after.trim_start().starts_with("million") {
            let frac: String = chars[end + 1..end + 1 + d].iter().collect();
            value = format!("{text}.{frac}").parse().ok()?;
            end += 1 + d;
        }
    }
    let after: String = chars[end..].iter().take(12).collect::<String>().to_lowercase();
    let rest = after.trim_start();
    for unit in ["millioner", "million", "mio.", "mio"] {
        if rest.starts_with(unit) {
            value *= 1_000_000.0;
            end += after.chars().count() - rest.chars().count() + unit.chars().count();
            break;
        }
    }
    Some((value, end))
}

/// The words of `chars[from..]` up to a digit or the end of a clause, lower case, at most `n`.
fn words_after(chars: &[char], from: usize, n: usize) -> Vec<String> {
    let text: String = chars[from..].iter().take_while(|c| !c.is_ascii_digit() && !matches!(c, ';' | ':' | '(' | ')' | '\n')).collect();
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .take_while(|w| w != "." && w != "-" && w != "–")
        .take(n)
        .collect()
}

/// The most digits a run may have to be read as a number of people (a group of thousands
/// has three; anything longer is an identifier).
const MAX_DIGITS: usize = 15;

/// How far back the words before a number are looked for: three words and «ca.», with room
/// to spare; bounded so that a text with many numbers is read once, not once per number.
const LOOK_BEHIND: usize = 240;

/// The up to three words before `at`, lower case, nearest last.
fn words_before(chars: &[char], at: usize) -> Vec<String> {
    let text: String = chars[at.saturating_sub(LOOK_BEHIND)..at].iter().collect();
    let clause = text.rsplit(['.', ';', ':', '(', ')', '\n']).next().unwrap_or("");
    // «ca.» ends in a full stop: look behind it too
    let clause = if clause.trim().is_empty() || text.trim_end().to_lowercase().ends_with("ca.") { text.as_str() } else { clause };
    let words: Vec<String> = clause.split_whitespace().map(|w| w.to_lowercase()).collect();
    words[words.len().saturating_sub(3)..].to_vec()
}

thread_local! {
    static STATED: std::cell::RefCell<v::TextMemo<Vec<Stated>>> = Default::default();
}

/// [`stated`], kept per thread by the text: the base's texts are read for each of 98 DPIAs.
fn stated_kept(text: &str) -> std::rc::Rc<Vec<Stated>> {
    v::TextMemo::get(&STATED, text, stated)
}

/// The numbers of people a text states, in the order written.
pub fn stated(text: &str) -> Vec<Stated> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some((first, mut end)) = number_at(&chars, i) else {
            i += 1;
            continue;
        };
        let start = i;
        let (mut low, mut high) = (first, first);
        // a range: «12.000-15.000», «12.000 – 15.000», «12.000 til 15.000»
        let gap: String = chars[end..].iter().take(6).collect();
        let skip = ["-", "–", " - ", " – ", " til ", " to "]
            .iter()
            .find(|sep| gap.starts_with(**sep))
            .map(|sep| sep.chars().count());
        if let Some(skip) = skip {
            if let Some((second, e)) = number_at(&chars, end + skip) {
                if second >= first {
                    high = second;
                    end = e;
                }
            }
        }
        i = end.max(i + 1);
        let before = words_before(&chars, start);
        let after = words_after(&chars, end, 4);
        if before.iter().any(|w| PART.contains(&w.trim_matches(|c: char| !c.is_alphanumeric()))) {
            continue;
        }
        // the group: the first or second word after the number
        let Some((at, group)) = after.iter().take(2).enumerate().find_map(|(k, w)| GROUPS.iter().find(|g| Words::of(w).names(g)).map(|g| (k, g))) else { continue };
        if after.get(at + 1).is_some_and(|w| RATIO.contains(&w.as_str())) || high < 20.0 {
            continue;
        }
        let last = before.last().map(|w| w.trim_end_matches(['.', ',']).to_owned()).unwrap_or_default();
        let prev = before.iter().rev().nth(1).cloned().unwrap_or_default();
        let approximate = ABOUT.iter().any(|a| a.trim_end_matches('.') == last) || (last == "mod" && prev == "op");
        if OVER.contains(&last.as_str()) || (last == "end" && OVER.contains(&prev.as_str())) {
            high = f64::INFINITY;
        } else if UNDER.contains(&last.as_str()) || (last == "end" && UNDER.contains(&prev.as_str())) || (last == "til" && prev == "op") {
            low = 0.0;
        }
        let lead = if approximate || low == 0.0 || high.is_infinite() { before.iter().rev().take(if last == "end" || last == "til" || last == "mod" { 2 } else { 1 }).rev().cloned().collect::<Vec<_>>().join(" ") + " " } else { String::new() };
        let written: String = chars[start..end].iter().collect::<String>() + " " + &after[..=at].join(" ");
        out.push(Stated { low: low as u64, high: if high.is_infinite() { u64::MAX } else { high as u64 }, approximate, group, written: format!("{lead}{}", written.trim()) });
    }
    out
}

/// Whether a count agrees with a stated number: within 5 % of it, 15 % for an estimate.
pub fn agrees(count: u64, s: &Stated) -> bool {
    let slack = if s.approximate { 0.15 } else { 0.05 };
    let (c, low, high) = (count as f64, s.low as f64, s.high as f64);
    c >= low * (1.0 - slack) && (s.high == u64::MAX || c <= high * (1.0 + slack))
}

/// A category's group, when its name (up to «til», «for» …) names exactly one.
fn group_of(e: &Entry<SubjectCategory>) -> Vec<&'static Lexicon> {
    let head = Words::of(&super::reading::head_of(&e.item.name));
    GROUPS.iter().filter(|g| head.names(g)).collect()
}

pub(super) fn run(d: &EffectiveDpia, f: &mut Findings) {
    let cats: Vec<(&Entry<SubjectCategory>, Vec<&Lexicon>)> = applying(&d.items.subject_categories).map(|e| (e, group_of(e))).collect();
    // (where, text, whether it is a municipality's note on its own count, the category whose
    // note it is)
    type Text<'a> = (String, &'a str, bool, Option<&'a Entry<SubjectCategory>>);
    let mut texts: Vec<Text> = vec![("beskrivelsen".into(), d.description.summary.as_str(), false, None), ("afgrænsningen".into(), d.description.scope.as_str(), false, None)];
    for c in crate::model::Wp248Criterion::ALL {
        texts.push(("WP248-screeningen".into(), d.wp248.answer(*c).reason.as_str(), false, None));
    }
    for (e, _) in &cats {
        texts.push((e.item.reference.to_string(), e.item.count_note.as_str(), false, Some(*e)));
        if let Some(Deviation::SubjectCount { note, .. }) = &e.deviation {
            texts.push((e.item.reference.to_string(), note.as_str(), true, Some(*e)));
        }
    }
    type Statement<'a> = (String, Stated, bool, Option<&'a Entry<SubjectCategory>>);
    // group (by its Danish name) → the statements about it
    let mut by_group: BTreeMap<&str, Vec<Statement>> = BTreeMap::new();
    for (place, text, local, category) in texts {
        for s in stated_kept(text).iter() {
            by_group.entry(s.group.da).or_default().push((place.clone(), s.clone(), local, category));
        }
    }
    let shown = |v: &[&Statement]| v.iter().map(|(p, s, ..)| format!("«{}» ({p})", s.written)).collect::<Vec<_>>().join(", ");
    for (group, statements) in by_group {
        let lexicon = statements[0].1.group;
        let alone: Vec<&Entry<SubjectCategory>> = cats.iter().filter(|(_, g)| g.len() == 1 && g[0].da == group).map(|(e, _)| *e).collect();
        let mixed = cats.iter().any(|(_, g)| g.len() > 1 && g.iter().any(|l| l.da == group));
        if alone.is_empty() {
            if mixed {
                continue; // one number for several groups: K-35-7-A-SUBJECT-COUNT-GROUPS
            }
            let all: Vec<&Statement> = statements.iter().collect();
            f.push("K-35-7-A-SUBJECT-COUNT-PROSE", Warning, Art35_7a, None,
                format!("Teksten nævner et antal {} ({}), men ingen kategori af registrerede tæller dem. Tilføj gruppen med sit antal, så antallene dækker alle, oplysningerne handler om.", lexicon.da, shown(&all)),
                format!("The text states a number of {} ({}), but no data-subject category counts them. Add the group with its number, so the counts cover everyone the data is about.", lexicon.en, shown(&all)));
            continue;
        }
        if alone.iter().any(|e| e.item.count.is_none()) {
            continue; // a category without its number: K-35-7-A-SUBJECT-COUNT
        }
        // a municipality that counts the group itself is judged by its own notes: the
        // base's words are about every municipality together
        let local = alone.iter().any(|e| matches!(&e.deviation, Some(Deviation::SubjectCount { .. })));
        let count: u64 = alone.iter().filter_map(|e| e.item.count).sum();
        // a category's own note is about that category; other texts about the group as a
        // whole, or about one of its categories («ca. 560.000 elever» beside children in daycare)
        let off: Vec<&Statement> = statements
            .iter()
            .filter(|(_, s, l, category)| *l == local && match category {
                Some(c) if c.item.count.is_some() && alone.iter().any(|a| a.item.id == c.item.id) => !agrees(c.item.count.unwrap_or_default(), s),
                _ => !agrees(count, s) && !alone.iter().filter_map(|e| e.item.count).any(|n| agrees(n, s)),
            })
            .collect();
        if off.is_empty() {
            continue;
        }
        let counted = alone.iter().map(|e| format!("{} {}", e.item.reference, thousands(e.item.count.unwrap_or_default()))).collect::<Vec<_>>().join(", ");
        f.push("K-35-7-A-SUBJECT-COUNT-PROSE", Warning, Art35_7a, super::rules::at(off[0].3.unwrap_or(alone[0])),
            format!("Teksten angiver antallet af {} som {}, men kategorierne tæller {} ({counted}). Ret antallet eller teksten, så analysen siger det samme om, hvor mange der behandles oplysninger om.", lexicon.da, shown(&off), if alone.len() == 1 { thousands(count) } else { format!("{} i alt", thousands(count)) }),
            format!("The text gives the number of {} as {}, but the categories count {} ({counted}). Correct the number or the text, so the DPIA says one thing about how many people the data concerns.", lexicon.en, shown(&off), if alone.len() == 1 { thousands(count) } else { format!("{} in all", thousands(count)) }));
    }
}

/// 12000 → «12.000».
fn thousands(n: u64) -> String {
    crate::text::danish_number(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (u64, u64, bool, &'static str) {
        let s = stated(text);
        assert_eq!(s.len(), 1, "{text}: {s:?}");
        (s[0].low, s[0].high, s[0].approximate, s[0].group.da)
    }

    #[test]
    fn a_run_of_digits_longer_than_a_count_is_no_number_and_far_text_before_does_not_matter() {
        // an identifier, not a count: nothing stated, whatever follows it
        assert!(stated(&format!("{} elever", "7".repeat(100_000))).is_empty());
        assert!(stated("Sag 1234567890123456 elever").is_empty());
        // the words just before a number decide, however long the text before them
        let long = format!("{} Systemet bruges af ca. 12.000 elever.", "Lang indledning uden tal. ".repeat(4_000));
        assert_eq!(one(&long), (12_000, 12_000, true, "børn"));
    }

    #[test]
    fn danish_numbers_of_people_as_written() {
        assert_eq!(one("Systemet bruges af ca. 12.000 elever."), (12_000, 12_000, true, "børn"));
        assert_eq!(one("Omfatter 12 000 skoleelever i kommunen"), (12_000, 12_000, false, "børn"));
        assert_eq!(one("Omfatter 12\u{a0}000 elever"), (12_000, 12_000, false, "børn"));
        assert_eq!(one("Mellem 12.000-15.000 elever og unge"), (12_000, 15_000, false, "børn"));
        assert_eq!(one("Skønnet 12.000 – 15.000 børn"), (12_000, 15_000, false, "børn"));
        assert_eq!(one("cirka 12.000 til 15.000 børn i dagtilbud"), (12_000, 15_000, true, "børn"));
        assert_eq!(one("knap 3.500 ansatte lærere og pædagoger"), (3_500, 3_500, true, "medarbejdere"));
        assert_eq!(one("omkring 24.000 forældre og værger"), (24_000, 24_000, true, "forældre"));
        assert_eq!(one("over 560.000 elever i folkeskolen"), (560_000, u64::MAX, false, "børn"));
        assert_eq!(one("I alt ca. 1,2 mio. forældre"), (1_200_000, 1_200_000, true, "forældre"));
        assert_eq!(one("Der er 4500 indskrevne elever"), (4_500, 4_500, false, "børn"));
        assert_eq!(one("about 9000 pupils"), (9_000, 9_000, true, "børn"));
        // the group is the number's noun, whatever the sentence does with them
        assert_eq!(one("Beskeder sendes til 12.000 forældre"), (12_000, 12_000, false, "forældre"));
    }

    #[test]
    fn not_a_number_of_people() {
        for text in [
            "To forældre pr. barn",
            "2 forældre pr. elev, færre ved søskende",
            "Elever i 0.–10. klasse",
            "Unge under 18 år",
            "Importeret 14.03.2025 fra KOMBIT",
            "Heraf ca. 300 elever i specialklasser",
            "ca. 12.000 beskeder om elever om ugen",
            "Fælles for 98 kommuner",
            "Version 2.1 af 14.03.2025",
        ] {
            let s = stated(text);
            assert!(s.is_empty(), "{text}: {s:?}");
        }
    }

    #[test]
    fn a_count_agrees_within_its_slack() {
        let s = |low, high, approximate| Stated { low, high, approximate, group: &v::CHILDREN, written: String::new() };
        assert!(agrees(12_400, &s(12_000, 12_000, true)));
        assert!(!agrees(4_000, &s(12_000, 12_000, true)));
        assert!(!agrees(12_900, &s(12_000, 12_000, false)));
        assert!(agrees(14_000, &s(12_000, 15_000, false)));
        assert!(!agrees(20_000, &s(12_000, 15_000, false)));
        assert!(agrees(900_000, &s(560_000, u64::MAX, false)));
        assert_eq!(thousands(560_000), "560.000");
    }
}
