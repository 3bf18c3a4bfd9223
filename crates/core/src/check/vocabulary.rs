//! What the check reads out of the DPIA's own words: the vocabulary, as data, in one place.
//!
//! Municipalities do not write «følsomme oplysninger (art. 9)» in a classification field;
//! they write «helbredsoplysninger», «diagnoser og medicin», «børn i dagtilbud», «unge under
//! 18». The rules ask this module whether a text names such a thing. Matching is done on a
//! normalised text (lower case, æ/ø/å folded to ae/oe/aa, accents dropped) word by word, so
//! inflections («diagnose», «diagnoser», «diagnoserne») and compounds
//! («helbredsoplysninger», «sundhedsdata», «skolebørn») are found by their stem — and the
//! near-misses a stem alone would hit («forældre» is not «ældre», «sociale medier» are not
//! social matters, «religionsundervisning» is not religion) are excluded term by term. A
//! term just after a negation in the same clause («ingen helbredsoplysninger») does not
//! count.

/// Where a stem may sit in a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// The whole word («dom», «race»).
    Word,
    /// The start of the word: inflections («elever», «eleverne»).
    Start,
    /// Anywhere in the word: compounds («helbredsoplysninger», «skolebørn»).
    Inside,
}

/// One stem with the near-misses it must not match.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    stem: &'static str,
    at: At,
    /// Inside a word: not when the stem directly follows one of these («for|ældre»).
    not_after: &'static [&'static str],
    /// Not when the word starts with one of these («religionsundervisning»).
    not_words: &'static [&'static str],
    /// Not when the next word starts with one of these («sociale medier»).
    not_next: &'static [&'static str],
}

const fn term(stem: &'static str, at: At) -> Term {
    Term { stem, at, not_after: &[], not_words: &[], not_next: &[] }
}
const fn w(stem: &'static str) -> Term {
    term(stem, At::Word)
}
const fn s(stem: &'static str) -> Term {
    term(stem, At::Start)
}
const fn i(stem: &'static str) -> Term {
    term(stem, At::Inside)
}
impl Term {
    const fn not_after(mut self, v: &'static [&'static str]) -> Term {
        self.not_after = v;
        self
    }
    const fn not_words(mut self, v: &'static [&'static str]) -> Term {
        self.not_words = v;
        self
    }
    const fn not_next(mut self, v: &'static [&'static str]) -> Term {
        self.not_next = v;
        self
    }
}

/// A named set of terms: one thing the check looks for.
#[derive(Debug, Clone, Copy)]
pub struct Lexicon {
    pub da: &'static str,
    pub en: &'static str,
    terms: &'static [Term],
}

// ---- special categories (Art. 9), criminal offences (Art. 10), confidential ---------------

pub const HEALTH: Lexicon = Lexicon { da: "helbredsoplysninger", en: "health data", terms: &[
    i("helbred"), i("sundhedsoplys"), i("sundhedsdata"), i("sundhedsfagl"), i("sundhedsjournal"), i("sygdom"), s("syge").not_words(&["sygeplejerske"]), s("sygemeld"), i("sygefravaer"),
    i("diagnos"), i("medicin"), i("handicap"), i("funktionsnedsaet"), i("allergi"), i("psykiatri"), s("psykisk"), i("misbrug"),
    i("graviditet"), s("gravid"), i("patientjournal"), s("behandlingsplan"), i("genoptraen"), s("demens"), s("autis"), s("adhd"), s("epilep"), s("diabet"),
    s("health"), s("medical"), s("medication"), s("disabilit"), s("illness"), s("sickness"), s("diagnos"),
] };
pub const RELIGION: Lexicon = Lexicon { da: "religiøs overbevisning", en: "religious belief", terms: &[
    s("religi").not_words(&["religionsundervis", "religionsfag", "religionslaere"]), i("trosretning"), i("trossamfund"), i("trosmaessig"), s("konfession"),
] };
pub const ETHNICITY: Lexicon = Lexicon { da: "race eller etnisk oprindelse", en: "racial or ethnic origin", terms: &[
    i("etnisk"), i("etnicitet"), w("race"), s("racial"), s("ethnic"),
] };
pub const POLITICAL: Lexicon = Lexicon { da: "politisk overbevisning", en: "political opinion", terms: &[
    s("politisk").not_next(&["ledelse", "udvalg", "beslut", "niveau", "vedtag"]), i("partimedlem"), i("partitilhoer"), s("political"),
] };
pub const UNION: Lexicon = Lexicon { da: "fagforeningsmæssigt tilhørsforhold", en: "trade-union membership", terms: &[
    i("fagforening"), i("fagligt tilhoer"), s("trade union"),
] };
pub const SEXUAL: Lexicon = Lexicon { da: "seksuelle forhold eller seksuel orientering", en: "sex life or sexual orientation", terms: &[
    s("seksuel").not_words(&["seksualundervis"]), s("seksualitet"), s("sexual"), s("kønsidentitet"), s("koensidentitet"),
] };
pub const GENETIC: Lexicon = Lexicon { da: "genetiske data", en: "genetic data", terms: &[
    s("genetisk"), i("gendata"), w("dna"), s("genetic"),
] };
pub const BIOMETRIC: Lexicon = Lexicon { da: "biometriske data", en: "biometric data", terms: &[
    i("biometri"), i("fingeraftryk"), i("ansigtsgenkend"), s("biometric"), s("fingerprint"), s("facial"),
] };
/// «Følsomme oplysninger» is Danish practice's own word for Art. 9 data.
pub const SENSITIVE_WORD: Lexicon = Lexicon { da: "følsomme oplysninger", en: "sensitive data", terms: &[
    // «følsomme beskeder» says how a message is marked, not what data a category holds
    s("følsomme oplys"), s("følsomme personoplys"), s("følsomme data"), s("følsomme og fortrolige"), s("følsomt"), s("særlige kategori"), s("special category"), s("special-category"), s("sensitive data"), s("sensitive personal"),
] };
/// Every Art. 9(1) category, in the order the article lists them.
pub const SPECIAL: &[Lexicon] = &[ETHNICITY, POLITICAL, RELIGION, UNION, GENETIC, BIOMETRIC, HEALTH, SEXUAL, SENSITIVE_WORD];

pub const CRIMINAL: Lexicon = Lexicon { da: "strafbare forhold (art. 10)", en: "criminal offences (Art. 10)", terms: &[
    s("strafbar"), i("straffeattest"), i("straffedom"), i("straffesag"), s("domfaeld"), i("boerneattest"), i("kriminal"), s("kriminel"), w("dom"), w("domme"), s("sigtelse"), i("lovovertraed"), i("politiattest"),
    s("criminal"), s("conviction"), s("offence"), s("offense"),
] };
pub const CPR: Lexicon = Lexicon { da: "CPR-numre", en: "CPR numbers", terms: &[
    s("cpr"), i("personnummer"), i("personnumre"), s("social security number"),
] };
/// Social matters and family circumstances: fortrolige in Danish practice.
pub const SOCIAL: Lexicon = Lexicon { da: "sociale forhold og andre fortrolige oplysninger", en: "social matters and other confidential data", terms: &[
    s("social").not_next(&["medie", "media", "netvaerk", "network"]).not_words(&["socialrådgiver", "socialraadgiver"]), i("socialsag"), i("underretning"), i("anbring"), s("anbragt"),
    i("forebyggende foranstaltning"), i("forældremyndighed"), i("foraeldremyndighed"), s("samvaer"), i("familieforhold"), i("skilsmisse"), s("oekonomiske forhold"), i("fortrolig"),
    s("confidential"), w("welfare"), s("child protection"),
] };

// ---- vulnerable data subjects (recital 38, WP248 criterion 7) ------------------------------

pub const CHILDREN: Lexicon = Lexicon { da: "børn", en: "children", terms: &[
    i("boern").not_words(&["boerneattest"]), s("barn").not_words(&["barnevogn"]), i("barnet"), s("elev").not_words(&["elevat", "elevplan", "elevraad"]), s("skoleelev"), s("mindreaarig"), w("unge"), w("ungdom"), s("spaedboern"),
    s("vuggestuebarn"), s("boernehavebarn"), s("pupil"), s("child"), w("minors"), w("minor"), s("teenager"), w("kids"), w("schoolchildren"),
] };
pub const PATIENTS: Lexicon = Lexicon { da: "patienter", en: "patients", terms: &[
    s("patient"), i("psykiatrisk"), s("indlagt"),
] };
pub const EMPLOYEES: Lexicon = Lexicon { da: "medarbejdere", en: "employees", terms: &[
    i("medarbejder"), s("ansat"), s("ansatte"), i("personale"), s("laerer").not_words(&["laereplan"]), s("paedagog").not_words(&["paedagogisk dokumentation"]), i("sygeplejerske"), i("sundhedsplejerske"), s("socialraadgiver"),
    s("leder"), i("sagsbehandler"), i("hjemmehjaelper"), i("sundhedshjaelper"), i("sundhedsassistent"), i("visitator"),
    s("employee"), w("staff"), s("teacher"), s("worker"), s("caseworker"),
] };
pub const ELDERLY_IN_CARE: Lexicon = Lexicon { da: "ældre i pleje", en: "elderly in care", terms: &[
    i("aeldre").not_after(&["for"]).not_words(&["aeldreraad"]), i("plejehjem"), i("plejecent"), i("plejebolig"), i("hjemmepleje"), i("hjemmehjaelp").not_words(&["hjemmehjaelper"]), s("beboer"), s("elderly"), s("nursing home"), s("care home"), w("seniors"),
] };
pub const OTHER_VULNERABLE: Lexicon = Lexicon { da: "andre sårbare grupper", en: "other vulnerable groups", terms: &[
    s("udsatte"), i("handicap"), i("udviklingshaem"), s("psykisk syge"), i("asylansoeg"), i("flygtning"), s("hjemloes"), i("misbruger"),
    s("vulnerable"), s("disabled"), s("refugee"), s("asylum"),
] };
/// The groups WP248's criterion 7 and recital 38 call vulnerable, children first.
pub const VULNERABLE: &[Lexicon] = &[CHILDREN, PATIENTS, ELDERLY_IN_CARE, EMPLOYEES, OTHER_VULNERABLE];

/// Parents and guardians, as users and data subjects.
pub const PARENTS: Lexicon = Lexicon { da: "forældre", en: "parents", terms: &[
    s("foraeldre"), i("kontaktperson"), s("vaerge"), s("parent"), s("guardian"),
] };

// ---- settings a description implies, and the data subjects they bring ----------------------

/// Daycare: a daycare source or process means children in daycare among the data subjects.
pub const DAYCARE: Lexicon = Lexicon { da: "dagtilbud", en: "daycare", terms: &[
    i("dagtilbud"), i("vuggestue"), i("boernehave"), i("dagpleje"), i("fritidshjem"), i("sfo"), s("daycare"), s("kindergarten"), s("nursery"),
] };
pub const SCHOOL: Lexicon = Lexicon { da: "skole", en: "school", terms: &[
    i("folkeskole"), s("skole").not_words(&["skoleleder"]), s("grundskole"), w("school"), w("schools"),
] };
pub const CARE: Lexicon = Lexicon { da: "ældrepleje", en: "elderly care", terms: &[
    i("hjemmepleje"), i("plejehjem"), i("plejecent"), i("aeldrepleje"), i("hjemmehjaelp"), s("nursing home"), s("home care"),
] };
/// (setting, the data subjects it implies).
pub const SETTINGS: &[(Lexicon, Lexicon)] = &[
    // children named as children, not as pupils: «Elever» alone leave daycare out (the
    // decision's case), «Børn og unge» cover it
    (DAYCARE, Lexicon { da: "børn i dagtilbud", en: "children in daycare", terms: &[i("boern").not_words(&["skoleboern"]), s("barn"), i("dagtilbud"), i("vuggestue"), i("dagpleje"), i("fritidshjem"), i("sfo"), s("child"), s("daycare"), s("kindergarten"), s("nursery")] }),
    (SCHOOL, Lexicon { da: "elever", en: "pupils", terms: CHILDREN.terms }),
    (CARE, Lexicon { da: "borgere i pleje", en: "citizens in care", terms: &[i("aeldre").not_after(&["for"]), s("beboer"), i("borger"), i("pleje").not_after(&["sundheds"]), s("elderly"), s("resident"), s("citizen")] }),
];

// ---- uses and purposes ---------------------------------------------------------------------

/// Documenting the work with a person (the decision's «pædagogisk dokumentation»).
pub const DOCUMENTATION: Lexicon = Lexicon { da: "dokumentation", en: "documentation", terms: &[
    i("dokumentation"), i("notat"), w("note"), w("noter"), i("observation"), i("handleplan"), i("journal"), i("statusark"), i("logbog"), i("statusbeskriv"), i("referat"),
    s("documentation"), s("record-keeping"), w("notes"), s("observation"),
] };
/// Casework: referrals, assessments, notifications, applications.
pub const CASEWORK: Lexicon = Lexicon { da: "sagsbehandling", en: "casework", terms: &[
    i("indstilling"), i("visitation"), i("udredning"), i("underretning"), i("ansoegning"), i("sagsbehandl"), i("afgoerelse"), i("bevilling"),
    s("referral"), s("casework"), w("assessment"), s("application"),
] };
/// Recording incidents: use of force, episodes, concerns.
pub const INCIDENTS: Lexicon = Lexicon { da: "registrering af hændelser", en: "recording incidents", terms: &[
    i("magtanvendelse"), i("episode"), i("haendelse"), i("bekymring"), i("skadesanmeld"), i("kradse"), s("incident"), s("use of force"),
] };
pub const ACTIVITIES: &[Lexicon] = &[DOCUMENTATION, CASEWORK, INCIDENTS];

// ---- retention, transfers, substance ------------------------------------------------------

/// A deletion rule: a verb of deletion or a period.
pub const DELETION: Lexicon = Lexicon { da: "sletteregel", en: "deletion rule", terms: &[
    s("slet"), i("slettes"), i("sletning"), i("slettefrist"), i("sletteregel"), s("destru"), s("kasser"), s("anonymis"), i("makuler"), s("arkiver"), i("journalis"), s("overfoer"), i("frist"), s("periode"), s("udloeb"), s("ophoer"), s("deaktiver"),
    s("delet"), s("eras"), s("destroy"), s("anonymi"), s("purg"), s("archiv"),
] };
/// Units of a retention period («5 år», «30 dage»).
pub const PERIOD_UNITS: &[&str] = &["aar", "maaned", "uge", "dag", "doegn", "time", "year", "month", "week", "day", "hour", "skoleaar"];

/// Cloud providers subject to a third country's law (the US CLOUD Act in KOMBIT's AWS
/// clause), one lexicon per provider so «AWS» and «Amazon Web Services» are one.
pub const THIRD_COUNTRY_CLOUD: &[Lexicon] = &[
    Lexicon { da: "Amazon Web Services", en: "Amazon Web Services", terms: &[w("aws"), s("amazon")] },
    Lexicon { da: "Microsoft", en: "Microsoft", terms: &[w("azure"), s("microsoft"), w("m365"), w("o365"), s("office 365"), s("sharepoint"), s("onedrive"), w("teams")] },
    Lexicon { da: "Google", en: "Google", terms: &[s("google"), w("gcp")] },
    Lexicon { da: "Oracle", en: "Oracle", terms: &[s("oracle")] },
    Lexicon { da: "Salesforce", en: "Salesforce", terms: &[s("salesforce")] },
    Lexicon { da: "IBM", en: "IBM", terms: &[w("ibm")] },
    Lexicon { da: "ServiceNow", en: "ServiceNow", terms: &[s("servicenow")] },
    Lexicon { da: "Zoom", en: "Zoom", terms: &[w("zoom")] },
    Lexicon { da: "Dropbox", en: "Dropbox", terms: &[s("dropbox")] },
    Lexicon { da: "Alibaba Cloud", en: "Alibaba Cloud", terms: &[s("alibaba")] },
];

/// Alternatives considered (necessity: could it be done with less?).
pub const ALTERNATIVES: Lexicon = Lexicon { da: "alternativer", en: "alternatives", terms: &[
    s("alternativ"), s("mindre indgribende"), s("andre losninger"), s("andre loesninger"), s("fravalgt"), s("i stedet for"), s("sammenlignet med"), s("frem for"),
    s("alternative"), s("less intrusive"), s("instead of"), s("compared with"),
] };
pub const MINIMISATION: Lexicon = Lexicon { da: "dataminimering", en: "data minimisation", terms: &[
    i("minimer"), i("kun de oplysninger"), i("kun de noedvendige"), s("begraens"), s("ikke cpr"), s("ingen cpr"), s("minimi"), s("only the data"),
] };
pub const RIGHTS: Lexicon = Lexicon { da: "de registreredes rettigheder", en: "data-subject rights", terms: &[
    i("rettighed"), s("indsigt"), s("berigtig"), s("indsigelse"), s("oplysningspligt"), s("rights"), s("access request"), s("objection"),
] };

/// Phrases that state a conclusion without its grounds («vurderes ikke relevant for X
/// Kommune», «står i rimeligt forhold», «acceptabelt sikkerhedsniveau»). A text that is
/// little more than one of these substantiates nothing.
pub const CONCLUSIONS: &[&str] = &[
    "vurderes ikke relevant", "vurderes ikke at vaere relevant", "ikke relevant for", "er ikke relevant", "ikke aktuelt", "ikke relevant",
    "staar i rimeligt forhold", "er proportional", "er noedvendig", "er noedvendigt", "vurderes noedvendig", "vurderes proportional",
    "acceptabelt sikkerhedsniveau", "acceptabel risiko", "risikoen accepteres", "risikoen er acceptabel", "vurderes acceptabel", "vurderes at vaere acceptabel",
    "ok", "se ovenfor", "som ovenfor", "jf ovenfor", "ingen bemaerkninger", "intet at bemaerke",
    "not relevant", "not applicable", "is proportionate", "is necessary", "acceptable risk", "acceptable level of security", "risk accepted", "see above", "n a",
];
/// An acceptance that rests only on the controller's own room for action (decision 4.1.4:
/// the assessment «kan ikke begrænses til» what lies within it; Art. 24(1)).
pub const OWN_REACH: &[&str] = &[
    "inden for forvaltningens handlingsrum", "inden for kommunens handlingsrum", "inden for vores handlingsrum", "inden for kommunens raaderum", "inden for forvaltningens raaderum",
    "inden for den dataansvarliges raaderum", "inden for den dataansvarliges handlingsrum", "inden for egen kontrol", "inden for kommunens egen kontrol", "kommunens eget handlingsrum",
    "within the municipality s control", "within our own control", "within the controller s own", "within our remit",
];

// ---- matching ------------------------------------------------------------------------------

/// Lower case, Danish letters and accents folded, every non-alphanumeric a space, except
/// sentence marks (kept as « . » so negation stays within its clause).
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'é' | 'è' | 'ê' => out.push('e'),
            'ü' => out.push('u'),
            'á' | 'à' => out.push('a'),
            '.' | ';' | ':' | '!' | '?' | '\n' => out.push_str(" . "),
            c if c.is_alphanumeric() => out.push(c),
            '-' | '–' | '/' | '\'' | '’' => out.push(' '),
            _ => out.push(' '),
        }
    }
    out
}

const NEGATIONS: &[&str] = &["ikke", "ingen", "intet", "uden", "aldrig", "hverken", "no", "not", "without", "never", "neither", "nor"];
/// How far back a negation reaches within its clause.
const NEGATION_REACH: usize = 5;

/// A normalised text as words; "." marks a clause boundary.
///
/// A text is analysed once per thread and the analysis shared: the check of 98 municipalities
/// reads the same base texts 99 times (see [`Words::of`]).
pub struct Words {
    analysed: std::rc::Rc<Analysed>,
}

/// A text's words, and what was asked of them, filled as asked: what [`Words::find`] found
/// per lexicon, [`Words::contains_phrase`] and [`Words::content_beyond`] per list of
/// phrases, and the [`Words::key`].
#[derive(Default)]
struct Analysed {
    words: Vec<String>,
    found: Asked<Option<usize>>,
    contains: Asked<bool>,
    beyond: Asked<usize>,
    key: std::cell::OnceCell<String>,
}

/// Answers by what was asked (a lexicon's or a phrase list's place in the binary).
type Asked<T> = std::cell::RefCell<Vec<(LexiconKey, T)>>;

/// The answer kept in `asked` for `key`, else `f`'s, kept.
fn asked<T: Copy>(asked: &Asked<T>, key: LexiconKey, f: impl FnOnce() -> T) -> T {
    if let Some((_, v)) = asked.borrow().iter().find(|(k, _)| *k == key) {
        return *v;
    }
    let v = f();
    asked.borrow_mut().push((key, v));
    v
}

/// A list of phrases by its place in the binary: only `'static` lists are asked, so no
/// other list can come to sit at the same place.
fn phrases_key(phrases: &'static [&'static str]) -> LexiconKey {
    (phrases.as_ptr() as usize, phrases.len())
}

/// A lexicon by its terms' place in the binary (as [`folded`] keeps them).
type LexiconKey = (usize, usize);

fn lexicon_key(lexicon: &Lexicon) -> LexiconKey {
    (lexicon.terms.as_ptr() as usize, lexicon.terms.len())
}

/// How many bytes of text a per-thread memo may hold before it is dropped and made again as
/// asked: a bound on memory whatever the texts (a DPIA's texts are ~100 KB).
const KEPT_BYTES: usize = 4 << 20;

/// A pure function of a text, kept per thread by the text: the check of base + 98 reads the
/// same base texts 99 times, and each reading is then a lookup. Bounded by [`KEPT_BYTES`].
/// Keyed by foldhash (seeded per process) rather than SipHash: the key is the whole text, and
/// hashing it was a tenth of the check; the bound keeps a flood of colliding texts small.
pub(super) struct TextMemo<T> {
    kept: std::collections::HashMap<Box<str>, std::rc::Rc<T>, foldhash::fast::RandomState>,
    bytes: usize,
}

impl<T> Default for TextMemo<T> {
    fn default() -> Self {
        TextMemo { kept: Default::default(), bytes: 0 }
    }
}

impl<T> TextMemo<T> {
    /// `make(text)`, kept: pass only a function whose answer depends on the text alone.
    pub(super) fn get(memo: &'static std::thread::LocalKey<std::cell::RefCell<TextMemo<T>>>, text: &str, make: impl FnOnce(&str) -> T) -> std::rc::Rc<T> {
        if let Some(kept) = memo.with(|m| m.borrow().kept.get(text).cloned()) {
            return kept;
        }
        let made = std::rc::Rc::new(make(text));
        memo.with(|m| {
            let mut m = m.borrow_mut();
            if m.bytes + text.len() + 64 > KEPT_BYTES {
                *m = Default::default();
            }
            m.bytes += text.len() + 64;
            m.kept.insert(text.into(), made.clone());
        });
        made
    }
}

thread_local! {
    static ANALYSED: std::cell::RefCell<TextMemo<Analysed>> = Default::default();
}

impl Words {
    /// The text's words. The analysis — its words and every lexicon asked of them — is kept
    /// per thread by the text ([`TextMemo`]), so a text read again (the base's texts in each
    /// of 98 municipalities' DPIAs) costs a lookup; a pure function of the text, so kept
    /// analyses cannot change an answer.
    pub fn of(text: &str) -> Words {
        Words { analysed: TextMemo::get(&ANALYSED, text, |t| Analysed { words: Self::split(t), ..Default::default() }) }
    }

    fn split(text: &str) -> Vec<String> {
        // «Børne- og Ungdomsforvaltningen»: a compound's first part written apart is not a
        // word of its own (it is not about children)
        let kept: Vec<&str> = text.split_whitespace().filter(|w| !(w.ends_with('-') || w.ends_with('–'))).collect();
        normalise(&kept.join(" ")).split_whitespace().map(str::to_owned).collect()
    }

    fn negated(&self, at: usize) -> bool {
        let mut k = at;
        let mut reach = 0;
        while k > 0 && reach < NEGATION_REACH {
            k -= 1;
            let word = self.analysed.words[k].as_str();
            if word == "." || word == "men" || word == "but" {
                return false;
            }
            if NEGATIONS.contains(&word) {
                return true;
            }
            reach += 1;
        }
        false
    }

    fn term_at(&self, at: usize, t: &Folded) -> bool {
        // a stem of several words («kun de nødvendige») is matched word by word from here
        let (first, rest) = match t.parts.split_first() {
            Some(x) => x,
            None => return false,
        };
        let word = self.analysed.words[at].as_str();
        if t.not_words.iter().any(|n| word.starts_with(n.as_str())) {
            return false;
        }
        let hit_first = if rest.is_empty() {
            match t.at {
                At::Word => word == first,
                At::Start => word.starts_with(first.as_str()),
                At::Inside => inside(word, first).any(|pos| !t.not_after.iter().any(|p| word[..pos].ends_with(p.as_str()))),
            }
        } else {
            // a phrase: the first word may be inflected or compounded, the last by its start
            match t.at {
                At::Inside => word.ends_with(first.as_str()),
                _ => word == first,
            }
        };
        if !hit_first {
            return false;
        }
        for (k, part) in rest.iter().enumerate() {
            match self.analysed.words.get(at + 1 + k) {
                Some(next) if (k + 1 == rest.len() && next.starts_with(part.as_str())) || next == part => {}
                _ => return false,
            }
        }
        if let Some(next) = self.analysed.words.get(at + t.parts.len()) {
            if t.not_next.iter().any(|n| next.starts_with(n.as_str())) {
                return false;
            }
        }
        true
    }

    /// The first word (as normalised) that names the lexicon, outside a negation.
    pub fn find(&self, lexicon: &Lexicon) -> Option<&str> {
        let at = asked(&self.analysed.found, lexicon_key(lexicon), || {
            let terms = folded(lexicon);
            (0..self.analysed.words.len()).find(|&k| self.analysed.words[k] != "." && terms.iter().any(|t| self.term_at(k, t)) && !self.negated(k))
        });
        at.map(|k| self.analysed.words[k].as_str())
    }

    pub fn names(&self, lexicon: &Lexicon) -> bool {
        self.find(lexicon).is_some()
    }

    /// Whether a period is given: a number followed by a unit («5 år», «30 dage»), or a
    /// number written out before one («fem år»).
    pub fn has_period(&self) -> bool {
        const NUMBERS: &[&str] = &["et", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "tolv", "one", "two", "three", "five", "ten"];
        self.analysed.words.windows(2).any(|p| {
            (p[0].chars().all(|c| c.is_ascii_digit()) || NUMBERS.contains(&p[0].as_str())) && PERIOD_UNITS.iter().any(|u| p[1].starts_with(u))
        })
    }

    /// Ages under 18 («unge under 18», «0-6 år», «6–16-årige», «børn på 3 år»).
    pub fn names_minors_by_age(&self) -> bool {
        for (k, word) in self.analysed.words.iter().enumerate() {
            let Ok(n) = word.parse::<u32>() else { continue };
            let prev = k.checked_sub(1).map(|p| self.analysed.words[p].as_str()).unwrap_or("");
            let next = self.analysed.words.get(k + 1).map(String::as_str).unwrap_or("");
            let years = next.starts_with("aar") || next.starts_with("year");
            if (prev == "under" && n <= 18) || (years && n < 18 && prev != "over" && prev != "fra") {
                return true;
            }
        }
        false
    }

    /// The sentence of the text, normalised, minus every conclusion phrase: what is left
    /// is the reasoning. Used to tell a reason from a bare conclusion.
    pub fn content_beyond(&self, phrases: &'static [&'static str]) -> usize {
        asked(&self.analysed.beyond, phrases_key(phrases), || self.content_beyond_now(phrases))
    }

    fn content_beyond_now(&self, phrases: &[&str]) -> usize {
        let joined = self.analysed.words.iter().filter(|w| *w != ".").cloned().collect::<Vec<_>>().join(" ");
        let mut rest = format!(" {joined} ");
        for p in phrases {
            rest = rest.replace(&format!(" {} ", fold(p)), " ");
        }
        rest.split_whitespace().filter(|w| !FILLER.contains(w) && !w.chars().all(|c| c.is_ascii_digit())).count()
    }

    pub fn contains_phrase(&self, phrases: &'static [&'static str]) -> bool {
        asked(&self.analysed.contains, phrases_key(phrases), || self.contains_phrase_now(phrases))
    }

    fn contains_phrase_now(&self, phrases: &[&str]) -> bool {
        let joined = format!(" {} ", self.analysed.words.iter().filter(|w| *w != ".").cloned().collect::<Vec<_>>().join(" "));
        phrases.iter().any(|p| joined.contains(&format!(" {} ", fold(p))))
    }

    /// The words, without clause marks, joined: a key for «the same sentence».
    pub fn key(&self) -> String {
        self.analysed.key.get_or_init(|| self.analysed.words.iter().filter(|w| *w != ".").cloned().collect::<Vec<_>>().join(" ")).clone()
    }
}

/// Where `stem` occurs in `word`, left to right without overlap — what `str::match_indices`
/// finds, without building a two-way searcher for every word (words are a few bytes; this
/// was a fifth of the check's time).
fn inside<'a>(word: &'a str, stem: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (hay, needle) = (word.as_bytes(), stem.as_bytes());
    let mut from = 0;
    std::iter::from_fn(move || {
        if needle.is_empty() || hay.len() < needle.len() {
            return None;
        }
        let first = needle[0];
        while from + needle.len() <= hay.len() {
            let at = from;
            from += 1;
            if hay[at] == first && hay[at..at + needle.len()] == *needle {
                from = at + needle.len();
                return Some(at);
            }
        }
        None
    })
}

/// A lexicon's terms folded as the text is — once per process, not once per text: the
/// check reads hundreds of texts per DPIA, and the overview checks 98 DPIAs.
fn folded(lexicon: &Lexicon) -> std::sync::Arc<Vec<Folded>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<(usize, usize), Arc<Vec<Folded>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    // a lexicon is known by its terms' place in the binary (consts may be copied: then it is
    // folded once per copy, which is still a handful)
    let key = lexicon_key(lexicon);
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(key).or_insert_with(|| Arc::new(lexicon.terms.iter().map(Folded::of).collect())).clone()
}

/// A term with its stem and exceptions folded as the text is.
struct Folded {
    parts: Vec<String>,
    at: At,
    not_after: Vec<String>,
    not_words: Vec<String>,
    not_next: Vec<String>,
}

impl Folded {
    fn of(t: &Term) -> Folded {
        Folded {
            parts: fold(t.stem).split(' ').filter(|p| !p.is_empty()).map(str::to_owned).collect(),
            at: t.at,
            not_after: t.not_after.iter().map(|x| fold(x)).collect(),
            not_words: t.not_words.iter().map(|x| fold(x).replace(' ', "")).collect(),
            not_next: t.not_next.iter().map(|x| fold(x)).collect(),
        }
    }
}

/// Words that carry no reasoning of their own.
const FILLER: &[&str] = &[
    "det", "den", "de", "der", "er", "og", "at", "for", "i", "til", "af", "paa", "med", "som", "en", "et", "vi", "kommune", "kommunen", "kommunes", "x", "vores", "her", "derfor",
    "risikoen", "risiko", "vurderes", "vurderet", "vurderer", "samlet", "set", "hermed", "dette", "denne", "the", "a", "an", "is", "be", "it", "this", "of", "to", "and", "in", "we",
];

fn fold(stem: &str) -> String {
    normalise(stem).split_whitespace().filter(|w| *w != ".").collect::<Vec<_>>().join(" ")
}

/// Whether `text` names anything of `lexicon`, as [`Words::find`] finds it.
pub fn names(text: &str, lexicon: &Lexicon) -> bool {
    Words::of(text).names(lexicon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(lex: &Lexicon, yes: &[&str], no: &[&str]) {
        for t in yes {
            assert!(names(t, lex), "«{t}» should name {}", lex.en);
        }
        for t in no {
            assert!(!names(t, lex), "«{t}» should not name {} (found {:?})", lex.en, Words::of(t).find(lex));
        }
    }

    /// `inside` finds what `str::match_indices` finds (left to right, no overlap), which the
    /// `not_after` exceptions were written against.
    #[test]
    fn inside_finds_what_match_indices_finds() {
        let cases = [("aaaa", "aa"), ("foraeldreaeldre", "aeldre"), ("abc", ""), ("", "a"), ("ab", "abc"), ("sygdomsygdom", "sygdom"), ("xaxaxa", "axa"), ("ælde", "ld")];
        for (word, stem) in cases {
            let ours: Vec<usize> = inside(word, stem).collect();
            let std: Vec<usize> = if stem.is_empty() { vec![] } else { word.match_indices(stem).map(|(p, _)| p).collect() };
            assert_eq!(ours, std, "{word:?} / {stem:?}");
        }
    }

    /// A text analysed again answers as the first time, and what one lexicon found is not
    /// another's answer; the kept analyses stay within their bound.
    #[test]
    fn kept_analyses_answer_as_fresh_ones() {
        let text = "Oplysninger om elevens helbred og diagnoser, ikke strafbare forhold";
        let first = (Words::of(text).find(&HEALTH).map(str::to_owned), Words::of(text).names(&CRIMINAL));
        let again = (Words::of(text).find(&HEALTH).map(str::to_owned), Words::of(text).names(&CRIMINAL));
        assert_eq!(first, (Some("helbred".to_owned()), false));
        assert_eq!(first, again);
        assert_eq!(Words::split(text), Words::of(text).analysed.words);
        let long = "ord ".repeat(1 << 16);
        for n in 0..(2 * KEPT_BYTES / long.len() + 2) {
            Words::of(&format!("{n} {long}"));
        }
        assert!(ANALYSED.with(|a| a.borrow().bytes) <= KEPT_BYTES);
        assert_eq!(Words::of(text).find(&HEALTH), Some("helbred"));
    }

    #[test]
    fn health_in_danish_and_english_with_inflections_and_compounds() {
        hit(&HEALTH,
            &["Helbredsoplysninger", "oplysninger om elevens helbred", "Sundhedsdata fra sundhedsplejen", "diagnose", "Diagnoser og medicin", "medicinering i skoletiden", "Handicap og funktionsnedsættelser", "allergier", "sygefravær", "Health data", "medical conditions", "psykiske vanskeligheder"],
            &["Navn og adresse", "Ingen helbredsoplysninger", "behandles ikke diagnoser", "Behandlingsgrundlag", "Profilbillede", "fravær uden angivelse af årsag", "sygeplejerskens navn"]);
    }

    #[test]
    fn the_other_special_categories() {
        hit(&RELIGION, &["Religiøst tilhørsforhold", "oplysninger om religion", "trosretning (fx kost)"], &["Religionsundervisning på skemaet", "Religionsfaget"]);
        hit(&ETHNICITY, &["Etnisk oprindelse", "ethnic origin"], &["Klassetrin", "Ingen oplysninger om etnisk oprindelse"]);
        hit(&POLITICAL, &["Politiske holdninger", "political opinions"], &["Politisk ledelse af kommunen", "Privatlivspolitik og sikkerhedspolitik"]);
        hit(&UNION, &["Fagforeningsmedlemskab", "fagforening"], &["Faglige vanskeligheder"]);
        hit(&SEXUAL, &["Seksuel orientering", "sexual orientation"], &["Seksualundervisning i 8. klasse"]);
        hit(&BIOMETRIC, &["Fingeraftryk til login", "biometriske data", "ansigtsgenkendelse"], &["Der bruges ikke biometri", "Billeder og video"]);
        hit(&GENETIC, &["genetiske oplysninger", "DNA-profil"], &["generelle oplysninger"]);
        hit(&SENSITIVE_WORD, &["Følsomme oplysninger", "særlige kategorier af personoplysninger", "følsomme personoplysninger om børn"], &["Ingen følsomme oplysninger", "Almindelige oplysninger", "hvem der har åbnet følsomme beskeder"]);
    }

    #[test]
    fn criminal_cpr_and_social_matters() {
        hit(&CRIMINAL, &["Straffeattester", "børneattest for medarbejdere", "oplysninger om strafbare forhold", "domme", "Straffedomme og verserende straffesager", "Criminal records"], &["Domæne og IP-adresse", "Bedømmelse", "Ingen straffeattester"]);
        hit(&CPR, &["CPR-nummer", "cpr-nr.", "personnumre"], &["Navn", "Ingen CPR-numre i beskeder"]);
        hit(&SOCIAL, &["Sociale forhold", "underretninger", "anbringelse uden for hjemmet", "Forældremyndighed og samvær", "fortrolige oplysninger om familien"], &["Sociale medier", "Social media handles", "Kontaktoplysninger"]);
    }

    #[test]
    fn children_are_named_many_ways() {
        hit(&CHILDREN,
            &["Elever", "Eleverne i 0.–10. klasse", "Børn i dagtilbud", "Skolebørn", "Mindreårige", "Unge under 18", "pupils", "Children", "Barnet", "Vuggestuebørn"],
            &["Forældre", "Medarbejdere", "Lærere og pædagoger", "Borgere over 18 år", "Elevatorservice"]);
        assert!(Words::of("Unge under 18").names_minors_by_age());
        assert!(Words::of("Brugere på 6-16 år").names_minors_by_age());
        assert!(!Words::of("Borgere over 18 år").names_minors_by_age());
        assert!(!Words::of("Medarbejdere med 25 års anciennitet").names_minors_by_age());
    }

    #[test]
    fn other_vulnerable_groups_and_their_near_misses() {
        hit(&ELDERLY_IN_CARE, &["Ældre borgere med hjemmepleje", "Beboere på plejecentre", "Borgere i plejebolig"], &["Forældre og andre kontaktpersoner", "Bedsteforældre", "Plejeforældre"]);
        hit(&EMPLOYEES, &["Medarbejdere i skoler og dagtilbud", "Ansatte", "Pædagogisk personale", "Staff", "Sagsbehandlere", "Hjemmehjælpere", "Social- og sundhedsassistenter"], &["Forældre", "Elever"]);
        hit(&ELDERLY_IN_CARE, &["Borgere med hjemmehjælp"], &["Hjemmehjælpere"]);
        hit(&PATIENTS, &["Patienter i psykiatrien", "patients"], &["Pårørende"]);
    }

    #[test]
    fn activities_settings_and_deletion() {
        hit(&DOCUMENTATION, &["Pædagogisk dokumentation", "Pædagogiske notater", "Observationer", "Handleplaner"], &["Kommunikation skole–hjem", "Kalender"]);
        hit(&DAYCARE, &["KMD Institution (dagtilbud)", "Kommunikation i vuggestuer og børnehaver"], &["Folkeskolen", "Børneattest"]);
        hit(&DELETION, &["Slettes efter 5 år", "journaliseres og slettes", "anonymiseres", "deleted after a year"], &["Opbevares", "Så længe det er nødvendigt"]);
        assert!(Words::of("Gemmes i 5 år").has_period());
        assert!(Words::of("opbevares i fem år").has_period());
        assert!(!Words::of("Så længe det er nødvendigt").has_period());
        for (text, provider) in [("Amazon Web Services EMEA SARL", "Amazon Web Services"), ("AWS (Frankfurt)", "Amazon Web Services"), ("Microsoft Azure (Vesteuropa)", "Microsoft"), ("Google Workspace", "Google")] {
            assert_eq!(THIRD_COUNTRY_CLOUD.iter().find(|l| names(text, l)).map(|l| l.en), Some(provider), "{text}");
        }
        for text in ["Netcompany A/S", "KMD", "Zoomvisning i kalenderen"] {
            assert!(!THIRD_COUNTRY_CLOUD.iter().any(|l| names(text, l)), "{text}");
        }
    }

    #[test]
    fn a_bare_conclusion_leaves_little_beyond_itself() {
        let bare = Words::of("Risikoen vurderes ikke relevant for Esbjerg Kommune.");
        assert!(bare.content_beyond(CONCLUSIONS) <= 2, "{}", bare.content_beyond(CONCLUSIONS));
        let reasoned = Words::of("Ikke relevant, fordi kommunen ikke bruger modulet Komme/gå; det er slået fra i kommunens opsætning siden 2021.");
        assert!(reasoned.content_beyond(CONCLUSIONS) > 6);
        assert!(Words::of("Der opnås et acceptabelt sikkerhedsniveau inden for forvaltningens handlingsrum").contains_phrase(OWN_REACH));
        assert!(!Words::of("KOMBIT har rettet fejlen; vi har selv indført 2FA").contains_phrase(OWN_REACH));
    }
}
