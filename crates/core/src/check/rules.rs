//! The rules. Each function looks at one requirement and pushes findings; codes are
//! stable (other tools and saved reports refer to them), messages say what to do.

use super::{Acceptance, Basis, CheckContext, Finding, RiskPicture, Severity};
use crate::effective::{Deviation, EffectiveDpia, Entry, Origin};
use super::review::ReviewStatus;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

use Basis::*;
use Severity::{Error, Info, Warning};

/// A purpose description shorter than this is too vague to say what the data is used for.
const PRECISE_PURPOSE_CHARS: usize = 40;
/// A not-applicable justification shorter than this does not substantiate anything.
pub(super) const SUBSTANTIATED_CHARS: usize = 20;

pub(super) struct Findings(pub(super) Vec<Finding>);

impl Findings {
    pub(super) fn push(&mut self, code: &str, severity: Severity, basis: Basis, item: Option<(&ItemId, &Reference)>, da: String, en: String) {
        debug_assert!(super::codes::rule(code).is_some(), "{code} is not in the table of codes (check/codes.rs)");
        self.0.push(Finding {
            code: code.to_owned(),
            severity,
            basis,
            item: item.map(|(id, _)| id.clone()),
            reference: item.map(|(_, r)| r.clone()),
            message_da: da,
            message_en: en,
        });
    }
}

pub(super) fn at<T: Catalogued>(e: &Entry<T>) -> Option<(&ItemId, &Reference)> {
    Some(e.item.identity())
}

pub(super) fn run(d: &EffectiveDpia, ctx: &CheckContext, history: Option<&ReviewStatus>, picture: &RiskPicture, acceptance: Acceptance) -> Vec<Finding> {
    let mut f = Findings(Vec::new());
    description(d, &mut f);
    necessity(d, &mut f);
    risks(d, &mut f);
    measures(d, ctx, &mut f);
    evidence(d, ctx, &mut f);
    references(d, &mut f);
    not_applicable(d, &mut f);
    dpo(d, ctx, &mut f);
    outcome(d, picture, acceptance, &mut f);
    wp248(d, &mut f);
    if !ctx.is_base {
        joint(d, &mut f);
        release(d, &mut f);
    }
    review(d, ctx, history, &mut f);
    super::reading::run(d, ctx, &mut f);
    super::cnil::run(d, &mut f);
    super::supplier::run(d, &mut f);
    super::counts::run(d, &mut f);
    f.0
}

pub(super) fn applying<T>(v: &[Entry<T>]) -> impl Iterator<Item = &Entry<T>> {
    v.iter().filter(|e| e.applies())
}

// ---- (a) systematic description ------------------------------------------------------------

fn description(d: &EffectiveDpia, f: &mut Findings) {
    let i = &d.items;
    if applying(&i.processes).next().is_none() {
        f.push("K-35-7-A-PROCESSES", Error, Art35_7a, None,
            "Behandlingen er ikke beskrevet: der er ingen databehandlingsprocesser. Beskriv hver proces og dens behandlingsaktiviteter.".into(),
            "The processing is not described: there are no data processes. Describe each process and its processing operations.".into());
    }
    for e in applying(&i.processes).filter(|e| e.item.operations.is_empty()) {
        f.push("K-35-7-A-OPERATIONS", Error, Art35_7a, at(e),
            format!("{} «{}» nævner ingen behandlingsaktiviteter (indsamling, registrering, søgning, videregivelse, sletning …). Vælg dem, processen udfører.", e.item.reference, e.item.name),
            format!("{} «{}» names no processing operations (collection, registration, search, disclosure, erasure …). Select those the process performs.", e.item.reference, e.item.name));
    }
    if applying(&i.data_categories).next().is_none() {
        f.push("K-35-7-A-DATA", Error, Art35_7a, None,
            "Personoplysningerne er ikke defineret: tilføj kategorierne af personoplysninger.".into(),
            "The personal data is not defined: add the categories of personal data.".into());
    }
    // a category whose words say what it is gets the finding that names it (reading.rs)
    for e in applying(&i.data_categories).filter(|e| e.item.class.is_none() && super::reading::data_kind(&e.item).is_none()) {
        f.push("K-35-7-A-DATA-CLASS", Error, Art35_7a, at(e),
            format!("{} «{}» er ikke klassificeret. Angiv om oplysningerne er almindelige, fortrolige, CPR-numre eller følsomme (art. 9).", e.item.reference, e.item.name),
            format!("{} «{}» is not classified. State whether the data is ordinary, confidential, CPR numbers or special-category (Art. 9).", e.item.reference, e.item.name));
    }
    if applying(&i.purposes).next().is_none() {
        f.push("K-35-7-A-PURPOSES", Error, Art35_7a, None,
            "Der er ingen formål. Beskriv præcist hvert formål, oplysningerne bruges til.".into(),
            "There are no purposes. Describe precisely each purpose the data is used for.".into());
    }
    for e in applying(&i.purposes) {
        let p = &e.item;
        if p.description.as_str().trim().chars().count() < PRECISE_PURPOSE_CHARS {
            f.push("K-35-7-A-PURPOSE-VAGUE", Warning, Art35_7a, at(e),
                format!("Formålet {} «{}» er ikke præcist beskrevet. Beskriv al faktisk brug af oplysningerne: Datatilsynet anbefalede at præcisere et formål, der kun lød «kommunikation», da systemet også blev brugt til pædagogisk dokumentation (afgørelsens pkt. 4.2.3).", p.reference, p.title),
                format!("Purpose {} «{}» is not described precisely. Describe every actual use of the data: Datatilsynet recommended clarifying a purpose that said only «communication» when the system was also used for pedagogical documentation (decision § 4.2.3).", p.reference, p.title));
        }
        if p.legal_basis.art6.is_empty() {
            let national = if p.legal_basis.national_law.is_blank() { "" } else { " National lov alene er ikke nok." };
            let national_en = if p.legal_basis.national_law.is_blank() { "" } else { " National law alone is not enough." };
            f.push("K-35-7-A-LEGAL-GDPR", Error, Art35_7a, at(e),
                format!("Formålet {} har intet retsgrundlag i databeskyttelsesforordningen (art. 6).{national} Angiv behandlingsgrundlaget, fx art. 6, stk. 1, litra e.", p.reference),
                format!("Purpose {} has no legal basis in the GDPR (Art. 6).{national_en} State the basis, e.g. Art. 6(1)(e).", p.reference));
        }
    }
    let special = applying(&i.data_categories).find(|e| e.item.class == Some(DataClass::Special));
    if let Some(e) = special {
        if !applying(&i.purposes).any(|p| !p.item.legal_basis.art9.is_empty()) {
            f.push("K-35-7-A-LEGAL-ART9", Error, Art35_7a, at(e),
                format!("{} indeholder følsomme oplysninger, men intet formål angiver en undtagelse efter art. 9, stk. 2.", e.item.reference),
                format!("{} holds special-category data, but no purpose states an Art. 9(2) exception.", e.item.reference));
        }
    }
    if applying(&i.subject_categories).next().is_none() {
        f.push("K-35-7-A-SUBJECTS", Error, Art35_7a, None,
            "Der er ingen kategorier af registrerede. Angiv hvem oplysningerne handler om, og hvor mange.".into(),
            "There are no categories of data subjects. State whom the data is about, and how many.".into());
    }
    for e in applying(&i.subject_categories) {
        let s = &e.item;
        if s.count.is_none() {
            f.push("K-35-7-A-SUBJECT-COUNT", Error, Art35_7a, at(e),
                format!("{} «{}» mangler antallet af registrerede. Angiv et tal (eller et skøn med begrundelse).", s.reference, s.name),
                format!("{} «{}» lacks the number of data subjects. Give a number (or an estimate with its basis).", s.reference, s.name));
        }
        if let (Some(group), false) = (super::reading::vulnerable_group(s), s.vulnerable) {
            let (why_da, why_en) = if group.en == "children" { ("børn nyder særlig beskyttelse, betragtning 38", "children merit specific protection, recital 38") } else { ("WP248, kriterium 7", "WP248, criterion 7") };
            f.push("K-35-7-A-VULNERABLE", Error, Art35_7a, at(e),
                format!("{} «{}» omfatter {}, men er ikke markeret som sårbare registrerede ({why_da}). Marker gruppen som sårbar, og skriv hvad det betyder for behandlingen.", s.reference, s.name, group.da),
                format!("{} «{}» includes {}, but is not marked as vulnerable data subjects ({why_en}). Mark the group vulnerable and say what it means for the processing.", s.reference, s.name, group.en));
        }
        if s.vulnerable && s.vulnerable_reason.is_blank() {
            f.push("K-35-7-A-VULNERABLE-REASON", Warning, Art35_7a, at(e),
                format!("{} er markeret som sårbare uden begrundelse. Skriv hvorfor, og hvad det betyder for behandlingen.", s.reference),
                format!("{} is marked vulnerable without a reason. Say why, and what it means for the processing.", s.reference));
        }
    }
    if applying(&i.sources).next().is_none() {
        f.push("K-35-7-A-SOURCES", Error, Art35_7a, None,
            "Det fremgår ikke, hvor oplysningerne kommer fra. Tilføj kilderne (fagsystemer, registre, brugerne selv).".into(),
            "It does not say where the data comes from. Add the sources (case systems, registers, the users themselves).".into());
    }
    let sides: BTreeSet<Option<AccessSide>> = applying(&i.recipients).map(|e| e.item.side).collect();
    for (side, da, en) in [(AccessSide::Internal, "inden for", "inside"), (AccessSide::External, "uden for", "outside")] {
        if !sides.contains(&Some(side)) {
            f.push("K-35-7-A-ACCESS", Error, Art35_7a, None,
                format!("Det fremgår ikke, hvem {da} organisationen har adgang til oplysningerne. Tilføj modtagere og adgang."),
                format!("It does not say who {en} the organisation can access the data. Add recipients and access."));
        }
    }
    for e in applying(&i.recipients).filter(|e| e.item.side.is_none()) {
        f.push("K-35-7-A-ACCESS-SIDE", Error, Art35_7a, at(e),
            format!("{} «{}»: angiv om adgangen er intern eller ekstern.", e.item.reference, e.item.name),
            format!("{} «{}»: state whether the access is internal or external.", e.item.reference, e.item.name));
    }
    let general_retention = !d.description.retention.is_blank();
    for e in applying(&i.data_categories).filter(|e| e.item.retention.is_blank() && !general_retention) {
        f.push("K-35-7-A-RETENTION", Error, Art35_7a, at(e),
            format!("Der er ingen opbevaringsperiode for {} «{}». Angiv hvornår oplysningerne slettes.", e.item.reference, e.item.name),
            format!("There is no retention period for {} «{}». State when the data is erased.", e.item.reference, e.item.name));
    }
    for e in applying(&i.transfers).filter(|e| matches!(e.item.basis, None | Some(TransferBasis::None))) {
        f.push("K-35-7-A-TRANSFER-BASIS", Error, Art35_7a, at(e),
            format!("Overførslen {} til {} har intet overførselsgrundlag efter kapitel V.", e.item.reference, e.item.country),
            format!("Transfer {} to {} has no Chapter V transfer basis.", e.item.reference, e.item.country));
    }
    if d.description.new_technology.is_none() {
        f.push("K-35-7-A-NEW-TECH", Error, Art35_7a, None,
            "Det er ikke angivet, om der bruges ny teknologi.".into(),
            "It is not stated whether new technology is used.".into());
    }
    if applying(&i.processors).next().is_none() {
        f.push("K-35-7-A-PROCESSORS", Warning, Art35_7a, None,
            "Der er ingen databehandlere. Beskriv kæden af databehandlere og underdatabehandlere (leverandør, driftsleverandør, hosting).".into(),
            "There are no processors. Describe the chain of processors and sub-processors (supplier, operator, hosting).".into());
    }
}

// ---- (b) necessity and proportionality ---------------------------------------------------

fn necessity(d: &EffectiveDpia, f: &mut Findings) {
    for e in applying(&d.items.purposes) {
        let n = &e.item.necessity;
        let blank: Vec<NecessityAspect> = NecessityAspect::ALL.iter().copied().filter(|a| n.aspect(*a).is_blank()).collect();
        if blank.contains(&NecessityAspect::Necessity) || blank.contains(&NecessityAspect::Proportionality) {
            f.push("K-35-7-B-MISSING", Error, Art35_7b, at(e),
                format!("Der er ingen vurdering af nødvendighed og proportionalitet for formålet {} «{}». Forklar hvorfor behandlingen er nødvendig, og hvorfor den står i rimeligt forhold til formålet.", e.item.reference, e.item.title),
                format!("There is no assessment of necessity and proportionality for purpose {} «{}». Explain why the processing is necessary and why it is proportionate to the purpose.", e.item.reference, e.item.title));
        } else if !blank.is_empty() {
            let da: Vec<&str> = blank.iter().map(|a| a.danish()).collect();
            let en: Vec<&str> = blank.iter().map(|a| a.english()).collect();
            f.push("K-35-7-B-ASPECT", Warning, Art35_7b, at(e),
                format!("Formålet {} mangler vurdering af: {}.", e.item.reference, da.join(", ")),
                format!("Purpose {} lacks an assessment of: {}.", e.item.reference, en.join(", ")));
        }
    }
}

// ---- (c) risks ---------------------------------------------------------------------------

fn risks(d: &EffectiveDpia, f: &mut Findings) {
    if applying(&d.items.risks).next().is_none() {
        f.push("K-35-7-C-NO-RISKS", Error, Art35_7c, None,
            "Der er ingen risici i risikoregistret. Vurder risiciene for de registrerede.".into(),
            "The risk register is empty. Assess the risks to the data subjects.".into());
    }
    for e in applying(&d.items.risks) {
        let r = &e.item;
        // One cause, one finding: every dimension of both assessments that lacks the same
        // thing is listed in one finding for the risk.
        let mut unrated: Vec<(String, String)> = Vec::new();
        let mut unreasoned: Vec<(String, String)> = Vec::new();
        let mut legacy: Vec<(String, String)> = Vec::new();
        let mut untouched: Vec<(String, String)> = Vec::new();
        for (assessment, da, en) in [(&r.inherent, "før", "before"), (&r.residual, "efter", "after")] {
            for dim in Dimension::ALL {
                let rating = assessment.rating(*dim);
                let label = || (format!("{} {da}", dim.danish()), format!("{} {en}", dim.english()));
                if rating.unaffected {
                    if rating.unaffected_reason.is_blank() {
                        untouched.push(label());
                    }
                    continue;
                }
                if rating.is_legacy_only() {
                    legacy.push((format!("{} {da} ({})", dim.danish(), rating.legacy_level.map(|l| l.danish()).unwrap_or_default()), format!("{} {en} ({})", dim.english(), rating.legacy_level.map(|l| l.english()).unwrap_or_default())));
                    continue;
                }
                if !rating.is_rated() {
                    unrated.push(label());
                }
                if rating.consequence.is_some() && rating.consequence_reason.is_blank() {
                    unreasoned.push((format!("{} {da} (konsekvens)", dim.danish()), format!("{} {en} (consequence)", dim.english())));
                }
                if rating.likelihood.is_some() && rating.likelihood_reason.is_blank() {
                    unreasoned.push((format!("{} {da} (sandsynlighed)", dim.danish()), format!("{} {en} (likelihood)", dim.english())));
                }
            }
        }
        let list = |v: &[(String, String)]| (v.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join(", "), v.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join(", "));
        if !unrated.is_empty() {
            let (da, en) = list(&unrated);
            f.push("K-35-7-C-UNRATED", Error, Art35_7c, at(e),
                format!("{}: risikoen er ikke vurderet (konsekvens og sandsynlighed) for {da} foranstaltninger. Vurder hver dimension, eller marker den som ikke berørt med en begrundelse.", r.reference),
                format!("{}: the risk is not rated (consequence and likelihood) for {en} measures. Rate each dimension, or mark it not affected with a reason.", r.reference));
        }
        if !unreasoned.is_empty() {
            let (da, en) = list(&unreasoned);
            f.push("K-35-7-C-NO-REASON", Error, Art35_7c, at(e),
                format!("{}: {} vurdering(er) mangler begrundelse: {da}. Datatilsynet kræver begrundelser, ikke kun «lav/mellem/høj».", r.reference, unreasoned.len()),
                format!("{}: {} rating(s) lack a reason: {en}. Datatilsynet requires reasons, not just «low/medium/high».", r.reference, unreasoned.len()));
        }
        if !legacy.is_empty() {
            let (da, en) = list(&legacy);
            f.push("K-35-7-C-LEGACY-LEVEL", Error, Art35_7c, at(e),
                format!("{}: risikoen er kun angivet som et niveau uden konsekvens × sandsynlighed og begrundelser: {da}. Niveauet er bevaret, som det stod; vurder konsekvens og sandsynlighed for hver dimension med begrundelse (afgørelsens pkt. 4.1.2).", r.reference),
                format!("{}: the risk is given only as a level without consequence × likelihood and reasons: {en}. The level is kept as written; rate consequence and likelihood for each dimension with reasons (decision § 4.1.2).", r.reference));
        }
        if !untouched.is_empty() {
            let (da, en) = list(&untouched);
            f.push("K-35-7-C-UNAFFECTED-REASON", Error, Art35_7c, at(e),
                format!("{}: {da} er markeret «ikke berørt» uden begrundelse. Skriv hvorfor truslen ikke berører dimensionen.", r.reference),
                format!("{}: {en} is marked «not affected» without a reason. Say why the threat does not touch the dimension.", r.reference));
        }
        if let (Some(before), Some(after)) = (r.inherent.level(), r.residual.level()) {
            if after > before && r.residual_reason.is_blank() {
                f.push("K-35-7-C-RESIDUAL-HIGHER", Error, Art35_7c, at(e),
                    format!("{}: restrisikoen ({}) er højere end den iboende risiko ({}) uden begrundelse.", r.reference, after.danish(), before.danish()),
                    format!("{}: the residual risk ({}) is higher than the inherent risk ({}) without a reason.", r.reference, after.english(), before.english()));
            }
        }
        if let Some(Deviation::RiskRating { reason, .. }) = &e.deviation {
            if reason.is_blank() {
                f.push("K-35-7-C-OVERRIDE-REASON", Error, Art35_7c, at(e),
                    format!("{}: kommunen vurderer risikoen anderledes end den fælles basis uden at begrunde det.", r.reference),
                    format!("{}: the municipality rates the risk differently from the joint base without a reason.", r.reference));
            }
        }
    }
}

// ---- (d) measures ------------------------------------------------------------------------

/// A measure counts as reducing risk here if it applies, is not rejected, and is not
/// marked as not implemented in this municipality.
fn mitigating(e: &Entry<Measure>) -> bool {
    e.applies()
        && e.item.status != Some(MeasureStatus::Rejected)
        && !matches!(e.deviation, Some(Deviation::MeasureStatus { state: Some(LocalMeasureState::NotImplemented), .. }))
}

fn measures(d: &EffectiveDpia, ctx: &CheckContext, f: &mut Findings) {
    let i = &d.items;
    for e in applying(&i.risks) {
        let r = &e.item;
        let covered = i.measures.iter().any(|m| mitigating(m) && m.item.mitigates.contains(&r.id));
        if covered || !r.acceptance.is_blank() {
            continue;
        }
        let supplier = matches!(r.source, Some(RiskSource::Kombit) | Some(RiskSource::Supplier));
        let (code, basis, da_extra, en_extra) = if supplier {
            ("K-24-1-SUPPLIER-RISK", Art24_1, " Risikoen stammer fra leverandørens materiale: håndter den, eller marker den som ikke relevant her med en begrundelse.", " The risk comes from the supplier's material: address it, or mark it not applicable here with a reason.")
        } else {
            ("K-35-7-D-UNMITIGATED", Art35_7d, "", "")
        };
        f.push(code, Error, basis, at(e),
            format!("{} «{}» har ingen foranstaltning, der reducerer den, og ingen begrundet accept.{da_extra}", r.reference, r.title),
            format!("{} «{}» has no measure that reduces it and no reasoned acceptance.{en_extra}", r.reference, r.title));
    }
    for e in applying(&i.measures) {
        let m = &e.item;
        if m.mitigates.is_empty() {
            f.push("K-35-7-D-UNLINKED", Error, Art35_7d, at(e),
                format!("Foranstaltningen {} «{}» er ikke knyttet til nogen risiko. Knyt den til de risici, den reducerer.", m.reference, m.title),
                format!("Measure {} «{}» is not linked to any risk. Link it to the risks it reduces.", m.reference, m.title));
        }
        match m.status {
            None => f.push("K-35-7-D-STATUS", Error, Art35_7d, at(e),
                format!("{}: angiv om foranstaltningen er gennemført, planlagt eller fravalgt.", m.reference),
                format!("{}: state whether the measure is implemented, planned or rejected.", m.reference)),
            Some(MeasureStatus::Planned) if m.planned_date.is_none() => f.push("K-35-7-D-PLANNED-DATE", Error, Art35_7d, at(e),
                format!("{} er planlagt uden dato. Angiv hvornår den gennemføres.", m.reference),
                format!("{} is planned without a date. State when it will be implemented.", m.reference)),
            Some(MeasureStatus::Rejected) if m.rejection_reason.is_blank() => f.push("K-35-7-D-REJECTED-REASON", Error, Art35_7d, at(e),
                format!("{} er fravalgt uden begrundelse.", m.reference),
                format!("{} is rejected without a reason.", m.reference)),
            _ => {}
        }
        // A plan whose date has passed: the measure is either in place by now or delayed, and
        // the DPIA should say which. A municipality's own status for a base measure (not
        // implemented here, implemented differently) replaces the base's plan for it.
        let local_status = matches!(e.deviation, Some(Deviation::MeasureStatus { state: Some(_), .. }));
        if let (Some(MeasureStatus::Planned), Some(date), false) = (m.status, m.planned_date, local_status) {
            if date < ctx.today {
                f.push("K-35-7-D-PLANNED-OVERDUE", Warning, Art35_7d, at(e),
                    format!("Foranstaltningen {} «{}» var planlagt til {}, men er stadig markeret som planlagt. Marker den som gennemført, eller angiv en ny dato og årsagen til forsinkelsen.", m.reference, m.title, date.danish()),
                    format!("Measure {} «{}» was planned for {date} but is still marked planned. Mark it implemented, or set a new date and give the reason for the delay.", m.reference, m.title));
            }
        }
        match m.owner {
            None => f.push("K-35-7-D-OWNER", Warning, Art35_7d, at(e),
                format!("{}: angiv hvem der er ansvarlig for foranstaltningen.", m.reference),
                format!("{}: state who is responsible for the measure.", m.reference)),
            Some(Owner::Municipality) => {}
            // a rejected measure does not work by design, a planned one is not in place yet:
            // no evidence that it works is asked of either
            Some(_) if matches!(m.status, Some(MeasureStatus::Rejected | MeasureStatus::Planned)) => {}
            Some(owner) if m.evidence.is_empty() => {
                let (by_da, by_en) = if m.owner_name.trim().is_empty() { (owner_phrase_da(owner).to_owned(), owner_phrase_en(owner).to_owned()) } else { (m.owner_name.trim().to_owned(), m.owner_name.trim().to_owned()) };
                f.push("K-24-1-EXTERNAL-MEASURE", Warning, Art24_1, at(e),
                    format!("{} udføres af {by_da}, men der er ingen dokumentation for, at den dataansvarlige har sikret sig, at den virker (fx en revisorerklæring, en test eller en aftale). Den dataansvarlige skal stadig vurdere den.", m.reference),
                    format!("{} is carried out by {by_en}, but there is no evidence that the controller has assured itself it works (e.g. an assurance statement, a test or an agreement). The controller must still assess it.", m.reference))
            }
            Some(_) => {}
        }
        if let Some(Deviation::MeasureStatus { state, text }) = &e.deviation {
            if state.is_none() || text.is_blank() {
                f.push("K-35-7-D-LOCAL-STATUS", Error, Art35_7d, at(e),
                    format!("{}: kommunens afvigelse fra foranstaltningen mangler {}.", m.reference, if state.is_none() { "sin art" } else { "en forklaring" }),
                    format!("{}: the municipality's deviation from the measure lacks {}.", m.reference, if state.is_none() { "its kind" } else { "an explanation" }));
            }
        }
    }
}

fn owner_phrase_da(owner: Owner) -> &'static str {
    match owner {
        Owner::Municipality => "kommunen",
        Owner::Kombit => "KOMBIT",
        Owner::Supplier => "leverandøren",
        Owner::Other => "en anden end den dataansvarlige",
    }
}

fn owner_phrase_en(owner: Owner) -> &'static str {
    match owner {
        Owner::Municipality => "the municipality",
        Owner::Kombit => "KOMBIT",
        Owner::Supplier => "the supplier",
        Owner::Other => "someone other than the controller",
    }
}

/// Assurance statements (ISAE 3000, ISAE 3402) are issued yearly: one more than a year old
/// no longer shows that the supplier's controls work now (Art. 24(1): measures are reviewed
/// and updated, and the controller must be able to demonstrate it). Policies, agreements and
/// tests do not expire with the year and are not judged by their age.
fn evidence(d: &EffectiveDpia, ctx: &CheckContext, f: &mut Findings) {
    let year_ago = a_year_before(ctx.today);
    for e in applying(&d.items.evidence).filter(|e| matches!(e.item.kind, Some(EvidenceKind::Isae3000 | EvidenceKind::Isae3402))) {
        let ev = &e.item;
        // The statement's own date; failing that, when it was received (it is no newer).
        let dated = ev
            .date
            .map(|d| (d, format!("er dateret {}", d.danish()), format!("is dated {d}")))
            .or_else(|| ev.received.map(|r| (r, format!("blev modtaget {} (erklæringens egen dato er ikke angivet)", r.danish()), format!("was received on {r} (the statement's own date is not recorded)"))));
        match dated {
            None => f.push("K-24-1-EVIDENCE-STALE", Warning, Art24_1, at(e),
                format!("Revisorerklæringen {} «{}» har ingen dato, så det kan ikke ses, om den er under et år gammel. Angiv erklæringens dato, eller indhent den nyeste erklæring.", ev.reference, ev.title),
                format!("The assurance statement {} «{}» has no date, so it cannot be seen whether it is less than a year old. Record the statement's date, or obtain the newest statement.", ev.reference, ev.title)),
            Some((when, da, en)) if when < year_ago => f.push("K-24-1-EVIDENCE-STALE", Warning, Art24_1, at(e),
                format!("Revisorerklæringen {} «{}» {da} og er mere end 12 måneder gammel. Indhent den nyere erklæring, og registrer den med dato.", ev.reference, ev.title),
                format!("The assurance statement {} «{}» {en} and is more than 12 months old. Obtain the newer statement and record it with its date.", ev.reference, ev.title)),
            Some(_) => {}
        }
    }
}

/// The same day a year earlier (29 February: 28 February).
pub(super) fn a_year_before(day: Day) -> Day {
    let d = day.0;
    Day(d.replace_year(d.year() - 1).unwrap_or_else(|_| d.replace_day(28).and_then(|d| d.replace_year(d.year() - 1)).expect("28 February exists every year")))
}

// ---- references --------------------------------------------------------------------------

fn references(d: &EffectiveDpia, f: &mut Findings) {
    let i = &d.items;
    let mut known: BTreeMap<&ItemId, &Reference> = BTreeMap::new();
    let mut by_reference: BTreeMap<&str, Vec<&ItemId>> = BTreeMap::new();
    for h in i.heads() {
        known.insert(h.id, h.reference);
        by_reference.entry(h.reference.as_str()).or_default().push(h.id);
        if h.reference.as_str().trim().is_empty() {
            f.push("K-5-2-REF-MISSING", Error, Art5_2, Some((h.id, h.reference)),
                format!("Et element (id {}) har ingen kort reference; dokumenter kan ikke henvise til det.", h.id),
                format!("An item (id {}) has no short reference; documents cannot refer to it.", h.id));
        }
    }
    for (reference, ids) in by_reference.iter().filter(|(r, ids)| !r.is_empty() && ids.len() > 1) {
        f.push("K-5-2-REF-DUPLICATE", Error, Art5_2, Some((ids[0], &Reference(reference.to_string()))),
            format!("Referencen {reference} bruges af {} elementer. Hver reference skal pege på ét element.", ids.len()),
            format!("Reference {reference} is used by {} items. Each reference must point at one item.", ids.len()));
    }
    let mut dangling = |from: (&ItemId, &Reference), what_da: &str, what_en: &str, ids: &BTreeSet<ItemId>| {
        for id in ids.iter().filter(|id| !known.contains_key(id)) {
            f.push("K-5-2-REF-DANGLING", Error, Art5_2, Some(from),
                format!("{} henviser til {what_da} {id}, som ikke findes. Ret eller fjern henvisningen.", from.1),
                format!("{} refers to {what_en} {id}, which does not exist. Fix or remove the reference.", from.1));
        }
    };
    for e in &i.processes {
        dangling((&e.item.id, &e.item.reference), "modul", "module", &e.item.modules);
        dangling((&e.item.id, &e.item.reference), "formål", "purpose", &e.item.purposes);
    }
    for e in &i.data_categories {
        dangling((&e.item.id, &e.item.reference), "kilde", "source", &e.item.sources);
        dangling((&e.item.id, &e.item.reference), "registrerede", "data subjects", &e.item.subjects);
    }
    for e in &i.risks {
        dangling((&e.item.id, &e.item.reference), "proces", "process", &e.item.processes);
        dangling((&e.item.id, &e.item.reference), "modul", "module", &e.item.modules);
    }
    for e in &i.measures {
        dangling((&e.item.id, &e.item.reference), "risiko", "risk", &e.item.mitigates);
        dangling((&e.item.id, &e.item.reference), "dokumentation", "evidence", &e.item.evidence);
    }
    for e in &i.document_types {
        dangling((&e.item.id, &e.item.reference), "modul", "module", &e.item.module.iter().cloned().collect());
    }
    for e in &i.processors {
        dangling((&e.item.id, &e.item.reference), "databehandler", "processor", &e.item.parent.iter().cloned().collect());
    }
    for target in &d.unresolved_targets {
        f.push("K-JOINT-UNRESOLVED", Error, JointDpia, None,
            format!("Tillægget afviger fra et element i den fælles basis (id {target}), som ikke findes i basis. Fjern afvigelsen eller opdater tillægget til den aktuelle basis."),
            format!("The supplement deviates from a base item (id {target}) that does not exist in the base. Remove the deviation or update the supplement to the current base."));
    }
}

fn not_applicable(d: &EffectiveDpia, f: &mut Findings) {
    for h in d.items.heads() {
        if let Some(j) = h.not_applicable {
            if j.as_str().trim().chars().count() < SUBSTANTIATED_CHARS || super::reading::bare_conclusion(j.as_str()) {
                f.push("K-JOINT-NA-REASON", Error, JointDpia, Some((h.id, h.reference)),
                    format!("{} er markeret som ikke relevant her uden en underbygget begrundelse: skriv hvorfor forholdet ikke er relevant i kommunens behandling, ikke kun at det ikke er (afgørelsens pkt. 4.1.2).", h.reference),
                    format!("{} is marked not applicable here without a substantiated reason: say why it does not apply to the municipality's processing, not only that it does not (decision § 4.1.2).", h.reference));
            }
        }
    }
}

// ---- DPO, acceptance, Art. 36 ------------------------------------------------------------

fn dpo(d: &EffectiveDpia, ctx: &CheckContext, f: &mut Findings) {
    let own: Vec<&Entry<DpoAdvice>> = d
        .items
        .dpo_advice
        .iter()
        .filter(|e| e.applies() && (ctx.is_base || e.origin == Origin::Local))
        .collect();
    if own.is_empty() {
        let (da, en) = if ctx.is_base {
            ("Databeskyttelsesrådgiverens rådgivning er ikke registreret. Registrer rådgivningen, datoen og om den blev fulgt.", "The DPO's advice is not recorded. Record the advice, its date and whether it was followed.")
        } else {
            ("Kommunens egen databeskyttelsesrådgiver har ikke givet registreret rådgivning om denne konsekvensanalyse. Hver dataansvarlig skal rådføre sig med sin DPO.", "The municipality's own DPO has no recorded advice on this DPIA. Each controller must seek the advice of its DPO.")
        };
        f.push("K-35-2-DPO-MISSING", Error, Art35_2, None, da.into(), en.into());
        return;
    }
    let version = if !ctx.is_base && !d.base_release.is_empty() { d.base_release.as_str() } else { d.base.version_label.as_str() };
    if !version.is_empty() && !own.iter().any(|e| mentions_version(&e.item.concerns_version, version)) {
        f.push("K-35-2-DPO-VERSION", Warning, Art35_2, None,
            format!("Ingen registreret rådgivning fra databeskyttelsesrådgiveren vedrører version {version}. Indhent rådgivning om den version, der underskrives."),
            format!("No recorded DPO advice concerns version {version}. Obtain advice on the version being signed."));
    }
    for e in own {
        let a = &e.item;
        match a.response {
            None | Some(AdviceResponse::Pending) => f.push("K-35-2-DPO-PENDING", Warning, Art35_2, at(e),
                format!("{}: det er ikke registreret, om rådgivningen blev fulgt.", a.reference),
                format!("{}: it is not recorded whether the advice was followed.", a.reference)),
            Some(AdviceResponse::Overruled) | Some(AdviceResponse::PartlyFollowed) if a.response_reason.is_blank() => f.push("K-35-2-DPO-OVERRULED", Error, Art35_2, at(e),
                format!("{}: rådgivningen blev ikke (fuldt) fulgt, men begrundelsen mangler.", a.reference),
                format!("{}: the advice was not (fully) followed, but the reason is missing.", a.reference)),
            _ => {}
        }
        if a.date.is_none() {
            f.push("K-35-2-DPO-DATE", Warning, Art35_2, at(e),
                format!("{}: rådgivningen er ikke dateret.", a.reference),
                format!("{}: the advice is not dated.", a.reference));
        }
    }
}

/// Whether `text` names `version` as a whole word: "2025.1 med tillæg" names 2025.1,
/// "2025.10" does not.
fn mentions_version(text: &str, version: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '«' | '»' | '"' | '/'))
        .map(|w| w.trim_end_matches(['.', ':']))
        .any(|w| w == version)
}

fn outcome(d: &EffectiveDpia, picture: &RiskPicture, acceptance: Acceptance, f: &mut Findings) {
    let after = picture.after.counts;
    match acceptance {
        // the unrated risks are findings of their own (K-35-7-C-UNRATED)
        Acceptance::Accepted | Acceptance::Incomplete => {}
        Acceptance::ConsultDpo => f.push("K-35-2-ACCEPTANCE", Warning, Art35_2, None,
            format!("Restrisikoen ligger uden for acceptkriteriet ({} af {} risici er mellem, {} %). Forelæg den for databeskyttelsesrådgiveren.", after.medium, after.total(), picture.after.medium_percent),
            format!("The residual risk is outside the acceptance policy ({} of {} risks are medium, {} %). Put it before the DPO.", after.medium, after.total(), picture.after.medium_percent)),
        Acceptance::PriorConsultation => {
            if d.prior_consultation.submitted.is_none() {
                f.push("K-36-REQUIRED", Error, Art36, None,
                    format!("{} risiko/risici er fortsat høje efter foranstaltninger. Datatilsynet skal høres, før behandlingen påbegyndes (art. 36), eller risikoen skal nedbringes.", after.high),
                    format!("{} risk(s) remain high after measures. Datatilsynet must be consulted before processing (Art. 36), or the risk reduced.", after.high));
            } else {
                f.push("K-36-SUBMITTED", Info, Art36, None,
                    "Høj restrisiko: forudgående høring af Datatilsynet er registreret.".into(),
                    "High residual risk: prior consultation of Datatilsynet is recorded.".into());
            }
        }
    }
    if d.prior_consultation.required.is_none() {
        f.push("K-36-UNDECIDED", Warning, Art36, None,
            "Det er ikke registreret, om forudgående høring af Datatilsynet er nødvendig, og hvorfor.".into(),
            "It is not recorded whether prior consultation of Datatilsynet is required, and why.".into());
    } else if d.prior_consultation.required == Some(false) && acceptance == Acceptance::PriorConsultation {
        f.push("K-36-CONTRADICTION", Error, Art36, None,
            "Der står, at forudgående høring ikke er nødvendig, men der er høj restrisiko.".into(),
            "It says prior consultation is not required, but high residual risk remains.".into());
    }
}

fn wp248(d: &EffectiveDpia, f: &mut Findings) {
    let mut unanswered = Vec::new();
    for c in Wp248Criterion::ALL {
        let a = d.wp248.answer(*c);
        if a.met.is_none() || a.reason.is_blank() {
            unanswered.push(*c);
        }
    }
    if !unanswered.is_empty() {
        let da: Vec<&str> = unanswered.iter().map(|c| c.danish()).collect();
        let en: Vec<&str> = unanswered.iter().map(|c| c.english()).collect();
        f.push("K-WP248-UNANSWERED", Error, Wp248, None,
            format!("WP248-screeningen mangler svar med begrundelse for: {}.", da.join("; ")),
            format!("The WP248 screening lacks a reasoned answer for: {}.", en.join("; ")));
    }
    let met = d.wp248.met_count();
    if met >= 2 {
        f.push("K-WP248-REQUIRED", Info, Wp248, None,
            format!("{met} af WP248's ni kriterier er opfyldt: en konsekvensanalyse er påkrævet."),
            format!("{met} of WP248's nine criteria are met: a DPIA is required."));
    }
}

// ---- joint DPIA and review ---------------------------------------------------------------

fn joint(d: &EffectiveDpia, f: &mut Findings) {
    for c in JointCondition::ALL {
        let a = d.conditions.answer(*c);
        match a.met {
            None => f.push("K-JOINT-CONDITIONS", Error, JointDpia, None,
                format!("Kommunen har ikke erklæret, om betingelsen «{}» for en fælles konsekvensanalyse er opfyldt.", c.danish()),
                format!("The municipality has not declared whether the joint-DPIA condition «{}» is met.", c.english())),
            Some(false) => f.push("K-JOINT-CONDITION-UNMET", Error, JointDpia, None,
                format!("Betingelsen «{}» er ikke opfyldt: den fælles konsekvensanalyse dækker ikke kommunens behandling. Skriv et tillæg, der dækker forskellen, eller en selvstændig konsekvensanalyse.", c.danish()),
                format!("The condition «{}» is not met: the joint DPIA does not cover the municipality's processing. Write a supplement covering the difference, or a DPIA of its own.", c.english())),
            Some(true) if a.reason.is_blank() => f.push("K-JOINT-CONDITION-REASON", Warning, JointDpia, None,
                format!("Erklæringen om «{}» har ingen begrundelse.", c.danish()),
                format!("The declaration on «{}» has no reason.", c.english())),
            _ => {}
        }
    }
    let i = &d.items;
    let local_risk_work = i.risks.iter().any(|e| e.is_local() || matches!(e.deviation, Some(Deviation::RiskRating { .. })));
    let mut material: Vec<(&ItemId, &Reference, &str)> = Vec::new();
    material.extend(i.purposes.iter().filter(|e| e.is_local()).map(|e| (&e.item.id, &e.item.reference, "formål")));
    material.extend(i.data_categories.iter().filter(|e| e.is_local()).map(|e| (&e.item.id, &e.item.reference, "kategori af personoplysninger")));
    material.extend(i.subject_categories.iter().filter(|e| e.is_local()).map(|e| (&e.item.id, &e.item.reference, "gruppe af registrerede")));
    if !local_risk_work {
        for (id, reference, what) in material {
            f.push("K-JOINT-DEVIATION-UNASSESSED", Error, JointDpia, Some((id, reference)),
                format!("Tillægget tilføjer et {what} ({reference}) uden nogen lokal risikovurdering. En væsentlig afvigelse fra den fælles basis skal risikovurderes i tillægget."),
                format!("The supplement adds a {} ({reference}) without any local risk assessment. A material deviation from the joint base must be risk-assessed in the supplement.", match what { "formål" => "purpose", "kategori af personoplysninger" => "data category", _ => "data-subject group" }));
        }
    }
    for e in i.modules.iter().filter(|e| e.is_local()) {
        if !i.risks.iter().any(|r| r.applies() && r.item.modules.contains(&e.item.id)) {
            f.push("K-JOINT-MODULE-UNASSESSED", Error, JointDpia, at(e),
                format!("Det lokale modul {} «{}» indgår ikke i nogen risikovurdering.", e.item.reference, e.item.name),
                format!("The local module {} «{}» is not part of any risk assessment.", e.item.reference, e.item.name));
        }
    }
}

/// Which release of the base the municipality assessed (Art. 5(2): it must be possible to
/// show what was assessed), and whether a newer one awaits its review (Art. 35(11)).
fn release(d: &EffectiveDpia, f: &mut Findings) {
    if let Some(problem) = &d.release_problem {
        f.push("K-RELEASE-MISSING", Warning, Art5_2, None,
            format!("Tillægget er vurderet mod udgivelse {} af fælles basis, men den kan ikke bruges her ({problem}). Konsekvensanalysen er vist med arbejdsversionen af fælles basis. Synkronisér med hubben.", d.base_release),
            format!("The supplement was assessed against release {} of the joint base, which cannot be used here ({problem}). The DPIA is shown with the working base. Sync with the hub.", d.base_release));
    }
    match (&d.release, &d.latest_release) {
        (Some(bound), Some(latest)) if latest.published_at > bound.published_at => f.push("K-RELEASE-NEWER", Warning, Art35_11, None,
            format!("Der er en nyere udgivelse af fælles basis ({}) end den, tillægget er vurderet mod ({}). Gennemgå ændringerne, tilpas tillægget, og bekræft den nye udgivelse.", latest.name, bound.name),
            format!("There is a newer release of the joint base ({}) than the one the supplement was assessed against ({}). Review the changes, adjust the supplement and confirm the new release.", latest.name, bound.name)),
        (None, Some(latest)) if d.base_release.is_empty() => f.push("K-RELEASE-UNBOUND", Warning, Art5_2, None,
            format!("Tillægget angiver ikke, hvilken udgivelse af fælles basis det er vurderet mod. Bekræft udgivelse {} (eller en ældre), så det kan dokumenteres, hvad kommunen har vurderet.", latest.name),
            format!("The supplement does not state which release of the joint base it was assessed against. Confirm release {} (or an older one) so that what the municipality assessed can be documented.", latest.name)),
        _ => {}
    }
}

fn review(d: &EffectiveDpia, ctx: &CheckContext, history: Option<&ReviewStatus>, f: &mut Findings) {
    match d.review_plan.next_review {
        None => f.push("K-35-11-NO-DATE", Warning, Art35_11, None,
            "Der er ingen dato for næste revision af konsekvensanalysen.".into(),
            "There is no date for the next review of the DPIA.".into()),
        Some(date) if date < ctx.today => f.push("K-35-11-OVERDUE", Error, Art35_11, None,
            format!("Revisionen var planlagt til {} og er ikke gennemført. Gennemgå konsekvensanalysen, og registrer revisionen.", date.danish()),
            format!("The review was due on {} and has not been done. Review the DPIA and record the review.", date)),
        _ => {}
    }
    if let Some(status) = history {
        // The workspace's log says what changed since the last review.
        if !status.triggers.is_empty() {
            let since_da = status.last_review.map(|d| format!("siden sidste revision ({})", d.danish())).unwrap_or_else(|| "og der er ingen registreret revision".into());
            let since_en = status.last_review.map(|d| format!("since the last review ({d})")).unwrap_or_else(|| "and no review is recorded".into());
            let da: Vec<&str> = status.triggers.iter().map(|t| t.da.as_str()).collect();
            let en: Vec<&str> = status.triggers.iter().map(|t| t.en.as_str()).collect();
            f.push("K-35-11-TRIGGERED", Warning, Art35_11, None,
                format!("Revision påkrævet: der er sket ændringer {since_da}: {}. Gennemgå konsekvensanalysen, og registrer revisionen.", da.join("; ")),
                format!("Review due: there are changes {since_en}: {}. Review the DPIA and record the review.", en.join("; ")));
        }
    }
    // The dated changes in use the DPIA itself records: one after the last review (or any,
    // with no review) means the review has not caught up with it — from a workspace or a
    // DPIA that arrived without history alike.
    let i = &d.items;
    let last_review = i.reviews.iter().filter(|e| e.applies()).filter_map(|e| e.item.date).max();
    let mut changes_da: Vec<String> = Vec::new();
    let mut changes_en: Vec<String> = Vec::new();
    for e in applying(&i.use_changes) {
        let c = &e.item;
        if c.date.is_none() || last_review.is_none() || c.date > last_review {
            let kind = c.kind.map(|k| (k.danish(), k.english())).unwrap_or(("ændring", "change"));
            let when_da = c.date.map(|d| d.danish()).unwrap_or_else(|| "udateret".into());
            let when_en = c.date.map(|d| d.to_string()).unwrap_or_else(|| "undated".into());
            changes_da.push(format!("{} {} ({when_da})", c.reference, kind.0));
            changes_en.push(format!("{} {} ({when_en})", c.reference, kind.1));
        }
    }
    if history.is_none() && !ctx.is_base {
        // Without the history (a DPIA read from JSON): local purposes, data categories or
        // subject groups change the processing, so a recorded local review is required.
        let changed = i.purposes.iter().any(Entry::is_local) || i.data_categories.iter().any(Entry::is_local) || i.subject_categories.iter().any(Entry::is_local)
            || i.subject_categories.iter().any(|e| matches!(e.deviation, Some(Deviation::SubjectCount { .. })));
        if changed && !i.reviews.iter().any(Entry::is_local) {
            changes_da.push("tillægget ændrer formål, oplysninger eller registrerede, og kommunen har ingen registreret revision".into());
            changes_en.push("the supplement changes purposes, data or data subjects, and the municipality has no recorded review".into());
        }
    }
    if !changes_da.is_empty() {
        let since_da = last_review.map(|d| format!("efter sidste revision ({})", d.danish())).unwrap_or_else(|| "uden nogen registreret revision".into());
        let since_en = last_review.map(|d| format!("after the last review ({d})")).unwrap_or_else(|| "with no recorded review".into());
        f.push("K-35-11-CHANGED", Warning, Art35_11, None,
            format!("Konsekvensanalysen er ikke gennemgået mod ændringer i brugen {since_da}: {}. Gennemgå den (retsgrundlag, registrerede og antal, risici), og registrer revisionen med dato.", changes_da.join("; ")),
            format!("The DPIA has not been reviewed against changes in use {since_en}: {}. Review it (legal basis, data subjects and counts, risks) and record the review with its date.", changes_en.join("; ")));
    }
}
