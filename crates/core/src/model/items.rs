//! The items of a DPIA. Every collection item has a stable [`ItemId`] and a short
//! [`Reference`]; links between items are sets of ids. Prose fields are [`Prose`]: in the
//! CRDT document they are shared texts that several people can edit at once.

use super::ids::{Day, ItemId, OrgCode, Reference};
use super::scale::{Consequence, Likelihood, RiskLevel};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Co-edited text. Stored as a Y.Text so a Yjs editor in the webview can bind to it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Prose(pub String);

impl Prose {
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Prose {
    fn from(s: &str) -> Self {
        Prose(s.to_owned())
    }
}

pub type Ids = BTreeSet<ItemId>;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $da:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn danish(self) -> &'static str { match self { $($name::$variant => $da),+ } }
            pub fn english(self) -> &'static str { match self { $($name::$variant => $en),+ } }
        }
        impl super::catalogue::Worded for $name {
            fn all() -> &'static [Self] { Self::ALL }
            fn danish(self) -> &'static str { <$name>::danish(self) }
            fn english(self) -> &'static str { <$name>::english(self) }
        }
    };
}

string_enum!(
    /// Processing operations named in Art. 4(2) and by the decision.
    Operation {
        Collection => "indsamling" / "collection",
        Registration => "registrering" / "registration",
        Organisation => "systematisering" / "organisation",
        Storage => "opbevaring" / "storage",
        Search => "søgning" / "search",
        Use => "brug" / "use",
        Disclosure => "videregivelse" / "disclosure",
        Restriction => "begrænsning" / "restriction",
        Erasure => "sletning" / "erasure",
        Anonymisation => "anonymisering" / "anonymisation",
    }
);

string_enum!(
    /// How sensitive a data category is: the decision asks for this classification.
    DataClass {
        /// Almindelige oplysninger (Art. 6)
        Ordinary => "almindelige" / "ordinary",
        /// Fortrolige oplysninger, e.g. social problems, internal family matters
        Confidential => "fortrolige" / "confidential",
        /// Personnummer (CPR), databeskyttelseslovens § 11
        Cpr => "CPR-nummer" / "CPR number",
        /// Følsomme oplysninger, Art. 9
        Special => "følsomme (art. 9)" / "special category (Art. 9)",
        /// Strafbare forhold, Art. 10
        Criminal => "strafbare forhold (art. 10)" / "criminal offences (Art. 10)",
    }
);

string_enum!(
    /// GDPR Art. 6(1) legal bases.
    Art6Basis {
        Consent => "art. 6, stk. 1, litra a (samtykke)" / "Art. 6(1)(a) consent",
        Contract => "art. 6, stk. 1, litra b (kontrakt)" / "Art. 6(1)(b) contract",
        LegalObligation => "art. 6, stk. 1, litra c (retlig forpligtelse)" / "Art. 6(1)(c) legal obligation",
        VitalInterests => "art. 6, stk. 1, litra d (vitale interesser)" / "Art. 6(1)(d) vital interests",
        PublicTask => "art. 6, stk. 1, litra e (myndighedsudøvelse)" / "Art. 6(1)(e) public task",
        LegitimateInterests => "art. 6, stk. 1, litra f (legitim interesse)" / "Art. 6(1)(f) legitimate interests",
    }
);

string_enum!(
    /// GDPR Art. 9(2) exceptions for special-category data.
    Art9Basis {
        ExplicitConsent => "art. 9, stk. 2, litra a" / "Art. 9(2)(a)",
        Employment => "art. 9, stk. 2, litra b" / "Art. 9(2)(b)",
        VitalInterests => "art. 9, stk. 2, litra c" / "Art. 9(2)(c)",
        LegalClaims => "art. 9, stk. 2, litra f" / "Art. 9(2)(f)",
        SubstantialPublicInterest => "art. 9, stk. 2, litra g" / "Art. 9(2)(g)",
        HealthOrSocialCare => "art. 9, stk. 2, litra h" / "Art. 9(2)(h)",
    }
);

string_enum!(
    /// Who can reach the data: inside the controller's organisation or outside it.
    AccessSide {
        Internal => "internt" / "internal",
        External => "eksternt" / "external",
    }
);

string_enum!(
    /// Basis for a transfer to a third country (Chapter V).
    TransferBasis {
        AdequacyDecision => "tilstrækkelighedsafgørelse (art. 45)" / "adequacy decision (Art. 45)",
        StandardContractualClauses => "standardkontraktbestemmelser (art. 46)" / "standard contractual clauses (Art. 46)",
        BindingCorporateRules => "bindende virksomhedsregler (art. 47)" / "binding corporate rules (Art. 47)",
        Derogation => "undtagelse (art. 49)" / "derogation (Art. 49)",
        None => "intet grundlag" / "no basis",
    }
);

string_enum!(
    /// Role in the processor chain.
    ProcessorRole {
        Processor => "databehandler" / "processor",
        SubProcessor => "underdatabehandler" / "sub-processor",
    }
);

string_enum!(
    /// Where a risk was identified.
    RiskSource {
        Kombit => "KOMBIT" / "KOMBIT",
        Supplier => "leverandør" / "supplier",
        Municipality => "kommunen" / "municipality",
        Dpo => "DPO" / "DPO",
        Breach => "brud på persondatasikkerheden" / "personal data breach",
        Other => "andet" / "other",
    }
);

string_enum!(
    MeasureKind {
        Technical => "teknisk" / "technical",
        Organisational => "organisatorisk" / "organisational",
    }
);

string_enum!(
    /// Implemented, planned (with a date) or deliberately rejected (with a reason).
    MeasureStatus {
        Implemented => "gennemført" / "implemented",
        Planned => "planlagt" / "planned",
        Rejected => "fravalgt" / "rejected",
    }
);

string_enum!(
    /// Who carries out a measure. Measures outside the municipality are still assessed (Art. 24(1)).
    Owner {
        Municipality => "kommunen" / "municipality",
        Kombit => "KOMBIT" / "KOMBIT",
        Supplier => "leverandør" / "supplier",
        Other => "andre" / "other",
    }
);

string_enum!(
    EvidenceKind {
        Isae3000 => "ISAE 3000-erklæring" / "ISAE 3000 statement",
        Isae3402 => "ISAE 3402-erklæring" / "ISAE 3402 statement",
        Policy => "politik/retningslinje" / "policy",
        Contract => "aftale" / "agreement",
        Test => "test/kontrol" / "test/control",
        Other => "andet" / "other",
    }
);

string_enum!(
    /// How the controller responded to the DPO's advice (Art. 35(2)).
    AdviceResponse {
        Pending => "afventer" / "pending",
        Followed => "fulgt" / "followed",
        PartlyFollowed => "delvist fulgt" / "partly followed",
        Overruled => "ikke fulgt" / "overruled",
    }
);

string_enum!(
    /// The nine criteria of the Article 29 Working Party's guidelines (WP248 rev.01).
    Wp248Criterion {
        EvaluationScoring => "evaluering eller scoring" / "evaluation or scoring",
        AutomatedDecision => "automatiske afgørelser med retsvirkning" / "automated decision-making with legal effect",
        SystematicMonitoring => "systematisk overvågning" / "systematic monitoring",
        SensitiveData => "følsomme eller meget personlige oplysninger" / "sensitive or highly personal data",
        LargeScale => "behandling i stort omfang" / "data processed on a large scale",
        MatchingDatasets => "sammenkobling af datasæt" / "matching or combining datasets",
        VulnerableSubjects => "sårbare registrerede" / "vulnerable data subjects",
        InnovativeTechnology => "ny teknologi" / "innovative use of technology",
        PreventsExercise => "hindrer udøvelse af rettigheder" / "prevents exercising a right or using a service",
    }
);

string_enum!(
    /// The aspects of necessity and proportionality (Art. 35(7)(b), Art. 5).
    NecessityAspect {
        Necessity => "nødvendighed" / "necessity",
        Proportionality => "proportionalitet" / "proportionality",
        Minimisation => "dataminimering" / "data minimisation",
        Accuracy => "rigtighed" / "accuracy",
        StorageLimitation => "opbevaringsbegrænsning" / "storage limitation",
        Information => "oplysningspligt" / "information to data subjects",
        DataSubjectRights => "de registreredes rettigheder" / "data-subject rights",
        Processors => "databehandlere" / "processors",
        Transfers => "overførsler" / "transfers",
    }
);

string_enum!(
    /// The four conditions under which controllers may share one DPIA (decision §4.4).
    JointCondition {
        SameSystemType => "samme type system" / "same type of system",
        SameProcessing => "samme behandlingsaktiviteter" / "same processing activities",
        SameData => "samme typer personoplysninger" / "same types of personal data",
        SimilarRisks => "tilsvarende høje risici" / "similar high risks",
    }
);

string_enum!(
    /// How a municipality's use of a base measure deviates.
    LocalMeasureState {
        NotImplemented => "ikke gennemført her" / "not implemented here",
        ImplementedDifferently => "gennemført anderledes" / "implemented differently",
    }
);

string_enum!(
    /// Risk dimension.
    Dimension {
        Confidentiality => "fortrolighed" / "confidentiality",
        Integrity => "integritet" / "integrity",
        Availability => "tilgængelighed" / "availability",
    }
);

/// One dimension's rating: consequence and likelihood, each with its reason — or «ikke
/// berørt» (the threat does not touch this dimension) with the reason, instead of a filler
/// rating. Since format version 2 a rating may also hold only a level (lav/mellem/høj), as
/// old DPIAs and the CNIL tool write them: kept as written, and flagged by the check as
/// lacking its basis and reasons.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Rating {
    pub consequence: Option<Consequence>,
    pub consequence_reason: Prose,
    pub likelihood: Option<Likelihood>,
    pub likelihood_reason: Prose,
    /// The threat does not touch this dimension (format version 2).
    pub unaffected: bool,
    /// Why the dimension is not touched (format version 2).
    pub unaffected_reason: Prose,
    /// A level given without consequence × likelihood, as written in an older DPIA
    /// (format version 2). Consequence and likelihood, when given, take precedence.
    pub legacy_level: Option<RiskLevel>,
}

impl Rating {
    /// The level: from consequence × likelihood, else the legacy level as written; none for
    /// a dimension the threat does not touch.
    pub fn level(&self) -> Option<RiskLevel> {
        if self.unaffected {
            return None;
        }
        match (self.consequence, self.likelihood) {
            (Some(c), Some(l)) => Some(RiskLevel::of(c, l)),
            _ => self.legacy_level,
        }
    }
    /// Rated by consequence × likelihood (not only by a legacy level).
    pub fn is_rated(&self) -> bool {
        self.consequence.is_some() && self.likelihood.is_some()
    }
    /// Whether the dimension is answered at all: rated, given a legacy level, or not touched.
    pub fn is_answered(&self) -> bool {
        self.unaffected || self.level().is_some()
    }
    /// Only a legacy level: no consequence × likelihood behind it.
    pub fn is_legacy_only(&self) -> bool {
        !self.unaffected && !self.is_rated() && self.legacy_level.is_some()
    }
}

/// A risk rated for confidentiality, integrity and availability.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Assessment {
    pub confidentiality: Rating,
    pub integrity: Rating,
    pub availability: Rating,
}

impl Assessment {
    pub fn rating(&self, d: Dimension) -> &Rating {
        match d {
            Dimension::Confidentiality => &self.confidentiality,
            Dimension::Integrity => &self.integrity,
            Dimension::Availability => &self.availability,
        }
    }
    pub fn rating_mut(&mut self, d: Dimension) -> &mut Rating {
        match d {
            Dimension::Confidentiality => &mut self.confidentiality,
            Dimension::Integrity => &mut self.integrity,
            Dimension::Availability => &mut self.availability,
        }
    }
    /// The highest level over the rated dimensions; `None` if none is rated.
    pub fn level(&self) -> Option<RiskLevel> {
        Dimension::ALL.iter().filter_map(|d| self.rating(*d).level()).max()
    }
}

/// Legal basis: the GDPR article(s) and the national law, kept apart, since Copenhagen
/// was criticised for citing only Folkeskoleloven.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct LegalBasis {
    pub art6: BTreeSet<Art6Basis>,
    pub art9: BTreeSet<Art9Basis>,
    pub gdpr_text: Prose,
    pub national_law: Prose,
}

/// Necessity and proportionality of one purpose, aspect by aspect.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Necessity {
    pub necessity: Prose,
    pub proportionality: Prose,
    pub minimisation: Prose,
    pub accuracy: Prose,
    pub storage_limitation: Prose,
    pub information: Prose,
    pub data_subject_rights: Prose,
    pub processors: Prose,
    pub transfers: Prose,
}

impl Necessity {
    pub fn aspect(&self, a: NecessityAspect) -> &Prose {
        match a {
            NecessityAspect::Necessity => &self.necessity,
            NecessityAspect::Proportionality => &self.proportionality,
            NecessityAspect::Minimisation => &self.minimisation,
            NecessityAspect::Accuracy => &self.accuracy,
            NecessityAspect::StorageLimitation => &self.storage_limitation,
            NecessityAspect::Information => &self.information,
            NecessityAspect::DataSubjectRights => &self.data_subject_rights,
            NecessityAspect::Processors => &self.processors,
            NecessityAspect::Transfers => &self.transfers,
        }
    }
}

// ---- Collection items -------------------------------------------------------------------

/// A data process / processing activity (KOMBIT's five for AULA).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct Process {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub description: Prose,
    pub operations: BTreeSet<Operation>,
    pub modules: Ids,
    pub purposes: Ids,
}

/// A module of the system (AULA: beskeder, kalender, Sikker fildeling …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct Module {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub description: Prose,
}

/// A precise purpose with its legal basis and its necessity/proportionality assessment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "title"]))]
pub struct Purpose {
    pub id: ItemId,
    pub reference: Reference,
    pub title: String,
    pub description: Prose,
    pub legal_basis: LegalBasis,
    pub necessity: Necessity,
}

/// A category of personal data and how sensitive it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct DataCategory {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub class: Option<DataClass>,
    pub examples: Prose,
    pub retention: Prose,
    pub sources: Ids,
    pub subjects: Ids,
}

/// A category of data subjects, with how many and whether they are vulnerable.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct SubjectCategory {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub count: Option<u64>,
    pub count_note: Prose,
    pub vulnerable: bool,
    pub vulnerable_reason: Prose,
}

/// Where data comes from (KMD Elev, KMD Institution, UNI-login, the users themselves …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct Source {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub description: Prose,
}

/// Who receives or can access the data, inside or outside the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct Recipient {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub side: Option<AccessSide>,
    pub access: Prose,
}

/// A transfer to a third country and its Chapter V basis.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Transfer {
    pub id: ItemId,
    pub reference: Reference,
    pub country: String,
    pub recipient: String,
    pub basis: Option<TransferBasis>,
    pub description: Prose,
}

/// A processor or sub-processor in the chain (KOMBIT → Netcompany → AWS).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct Processor {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub role: Option<ProcessorRole>,
    /// The processor this one works for; `None` for a processor directly under the controllers.
    pub parent: Option<ItemId>,
    pub service: Prose,
    pub location: String,
}

/// A type of document handled in the system (e.g. Sikker fildeling's categories).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct DocumentType {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub description: Prose,
    pub module: Option<ItemId>,
    /// The purposes the document type serves (format version 2); with its module's
    /// processes' purposes, what a use of it must be covered by.
    pub purposes: Ids,
}

/// Another IT system integrated with or used around the system (identity providers …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "name"]))]
pub struct System {
    pub id: ItemId,
    pub reference: Reference,
    pub name: String,
    pub description: Prose,
}

/// A risk to the data subjects, rated before (inherent) and after (residual) measures.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "title"]))]
pub struct Risk {
    pub id: ItemId,
    pub reference: Reference,
    pub title: String,
    pub threat: Prose,
    pub processes: Ids,
    pub modules: Ids,
    pub source: Option<RiskSource>,
    /// The risk's number in the source material, e.g. "KOMBIT Beskeder T3".
    pub source_reference: String,
    pub inherent: Assessment,
    pub residual: Assessment,
    /// Needed where the residual rating is higher than the inherent one.
    pub residual_reason: Prose,
    /// An explicit, reasoned acceptance of the risk as it stands (instead of a measure).
    pub acceptance: Prose,
}

/// A technical or organisational measure, linked to the risks it reduces.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "title"]))]
pub struct Measure {
    pub id: ItemId,
    pub reference: Reference,
    pub title: String,
    pub description: Prose,
    pub kind: Option<MeasureKind>,
    pub status: Option<MeasureStatus>,
    pub planned_date: Option<Day>,
    pub rejection_reason: Prose,
    pub owner: Option<Owner>,
    pub owner_name: String,
    pub mitigates: Ids,
    pub evidence: Ids,
}

/// Documentation that a measure works: an audit statement, a policy, a test.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "title"]))]
pub struct Evidence {
    pub id: ItemId,
    pub reference: Reference,
    pub title: String,
    pub kind: Option<EvidenceKind>,
    pub issued_by: String,
    pub date: Option<Day>,
    pub received: Option<Day>,
    pub location: String,
}

/// The DPO's advice (Art. 35(2)) and what the controller did with it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct DpoAdvice {
    pub id: ItemId,
    pub reference: Reference,
    pub date: Option<Day>,
    pub advisor: String,
    /// Which version of the DPIA the advice concerns (release name or date).
    pub concerns_version: String,
    pub advice: Prose,
    pub response: Option<AdviceResponse>,
    pub response_reason: Prose,
}

string_enum!(
    /// What changed in the use of the system (Art. 35(11)).
    UseChangeKind {
        NewUserGroup => "ny brugergruppe" / "new user group",
        NewModule => "nyt modul" / "new module",
        NewDataCategory => "ny kategori af oplysninger" / "new data category",
        NewPurpose => "nyt formål" / "new purpose",
        SupplierChange => "skift af leverandør eller underdatabehandler" / "supplier or sub-processor change",
        Other => "anden ændring" / "other change",
    }
);

/// A dated change in the use of the system (a rollout to a new user group, a new module, a
/// new data category, a supplier change): the DPIA must be reviewed against it (Art.
/// 35(11)). Format version 2.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct UseChange {
    pub id: ItemId,
    pub reference: Reference,
    pub date: Option<Day>,
    pub kind: Option<UseChangeKind>,
    pub description: Prose,
    /// The items the change concerns (a new subject category, module …).
    pub concerns: Ids,
}

/// The views of data subjects or their representatives (Art. 35(9)): sought from whom,
/// when, what they said and how it was taken into account. Format version 2.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SubjectView {
    pub id: ItemId,
    pub reference: Reference,
    /// Whose views: e.g. school boards, parents' boards, pupils' councils, staff representatives.
    pub whom: String,
    pub date: Option<Day>,
    /// What they said.
    pub views: Prose,
    /// How it was taken into account.
    pub response: Prose,
}

/// A supplier's risk sheet (or a CNIL PIA) as it was imported: its identity and the threats
/// it lists by their own numbers, so that a risk's source reference («KOMBIT Beskeder T3»)
/// can be checked against it, and a threat no risk covers can be found (the decision's
/// «referencenumre», § 4.2.3). Importing a new version of the same sheet replaces its
/// threats and identity (the log keeps the old version). Format version 3.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
#[schemars(extend("required" = ["id", "label"]))]
pub struct SupplierSheet {
    pub id: ItemId,
    pub reference: Reference,
    /// What goes before the sheet's own numbers in a risk's source reference
    /// («KOMBIT Beskeder» in «KOMBIT Beskeder T3»).
    pub label: String,
    /// The supplier or source as the sheet names it («Netcompany A/S», «KOMBIT»), or empty.
    pub supplier: String,
    /// The file and the sheet (tab) it was read from.
    pub file: String,
    pub tab: String,
    /// The sheet's version and date as written in it («2.1», «14.03.2026»), or empty.
    pub version: String,
    pub date: String,
    /// SHA-256 (hex) of the sheet's content as read (its cells; for a CNIL PIA the file):
    /// the same content saved in another format has the same fingerprint.
    pub fingerprint: String,
    /// When it was imported.
    pub imported: Option<Day>,
    /// Its threats by their number in the sheet («T3», «3.2»).
    pub threats: std::collections::BTreeMap<String, SheetThreat>,
}

/// One threat of an imported sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SheetThreat {
    /// Its title (or threat text) in the sheet.
    pub title: String,
    /// Why no risk of the DPIA covers it (it does not concern this processing …): the
    /// answer to «a supplier threat no risk covers». Kept across new versions of the sheet.
    pub not_covered_reason: String,
}

/// The mark an import appends to a risk's source reference when the sheet's new version no
/// longer has its threat (so the register, the PDF and the check show it); it goes when the
/// threat comes back.
pub const NO_LONGER_IN_SOURCE: &str = "(ikke længere i leverandørens materiale)";

/// One completed review (Art. 35(11)).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Review {
    pub id: ItemId,
    pub reference: Reference,
    pub date: Option<Day>,
    pub reviewer: String,
    pub trigger: Prose,
    pub summary: Prose,
}

macro_rules! items_struct {
    (shared { $($s:ident => $sc:ident, $sl:literal, $sv:ident, $ss:literal, $sda:literal / $sen:literal;)+ } $($others:tt)*) => {
        /// The collections shared by the base and every supplement: a supplement can add any kind of
        /// item the base has.
        #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(default)]
        pub struct Items {
            $(pub $sc: Vec<$s>,)+
        }

        impl Items {
            /// Every item's id and short reference, over all collections.
            pub fn identities(&self) -> impl Iterator<Item = (&ItemId, &Reference)> {
                std::iter::empty()$(.chain(self.$sc.iter().map(|x| (&x.id, &x.reference))))+
            }
            /// How many items there are, over all collections.
            pub fn len(&self) -> usize {
                0 $(+ self.$sc.len())+
            }
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}
crate::item_catalogue!(items_struct);

// ---- Singletons ---------------------------------------------------------------------------

/// One answered WP248 criterion.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Wp248Answer {
    pub met: Option<bool>,
    pub reason: Prose,
}

/// WP248 screening: the nine criteria, each answered with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Wp248 {
    pub evaluation_scoring: Wp248Answer,
    pub automated_decision: Wp248Answer,
    pub systematic_monitoring: Wp248Answer,
    pub sensitive_data: Wp248Answer,
    pub large_scale: Wp248Answer,
    pub matching_datasets: Wp248Answer,
    pub vulnerable_subjects: Wp248Answer,
    pub innovative_technology: Wp248Answer,
    pub prevents_exercise: Wp248Answer,
}

impl Wp248 {
    pub fn answer(&self, c: Wp248Criterion) -> &Wp248Answer {
        use Wp248Criterion::*;
        match c {
            EvaluationScoring => &self.evaluation_scoring,
            AutomatedDecision => &self.automated_decision,
            SystematicMonitoring => &self.systematic_monitoring,
            SensitiveData => &self.sensitive_data,
            LargeScale => &self.large_scale,
            MatchingDatasets => &self.matching_datasets,
            VulnerableSubjects => &self.vulnerable_subjects,
            InnovativeTechnology => &self.innovative_technology,
            PreventsExercise => &self.prevents_exercise,
        }
    }
    /// How many criteria are met; two or more means a DPIA is required.
    pub fn met_count(&self) -> usize {
        Wp248Criterion::ALL.iter().filter(|c| self.answer(**c).met == Some(true)).count()
    }
}

/// Prior consultation of Datatilsynet (Art. 36).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct PriorConsultation {
    pub required: Option<bool>,
    pub reason: Prose,
    pub submitted: Option<Day>,
    pub case_number: String,
    pub outcome: Prose,
}

/// The review plan (Art. 35(11)): when next, and what triggers an earlier review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ReviewPlan {
    pub next_review: Option<Day>,
    pub triggers: Prose,
}

/// The systematic description's free-standing parts (Art. 35(7)(a)).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Description {
    pub summary: Prose,
    pub scope: Prose,
    pub retention: Prose,
    pub new_technology: Option<bool>,
    pub new_technology_text: Prose,
    /// Whether personal data leaves the EU/EEA or can be reached from outside it (format
    /// version 2). `Some(false)` is the recorded answer «none», with its reason; transfers
    /// that happen are the `transfers` items.
    pub third_country_access: Option<bool>,
    /// Why there is none (hosting region, the processors' instructions …), or the overall
    /// assessment of the transfers (format version 2).
    pub third_country_reason: Prose,
    /// Why the views of the data subjects or their representatives were not sought (Art.
    /// 35(9)); blank when they were (the `subject_views` items, format version 2).
    pub views_not_sought_reason: Prose,
}

/// The joint DPIA's identity, held in the base document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct BaseMeta {
    pub dpia_id: String,
    pub title: String,
    pub system: String,
    pub version_label: String,
}

/// A participating controller (municipality) of the joint DPIA.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Participant {
    pub code: Option<OrgCode>,
    pub name: String,
    /// Prefix of the municipality's local references, e.g. "KBH" → KBH-R1.
    pub ref_prefix: String,
}

/// A published release of the joint base (e.g. "2025.1"). Immutable: it carries the base's
/// content as it was when published (canonical JSON) and the SHA-256 of that content, which
/// the PDF cover prints, so the release can be recovered exactly at any later time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Release {
    pub name: String,
    pub date: Option<Day>,
    pub note: String,
    pub published_by: String,
    /// When it was published, epoch milliseconds (orders releases published the same day).
    pub published_at: i64,
    /// SHA-256 (hex) of `content`.
    pub content_hash: String,
    /// The base as published: `serde_json` of [`Base`], items in reference order.
    pub content: String,
}

/// The coordination document: who takes part, who coordinates, and the releases of the
/// base. Written by the coordinator only, so it is its own document (one document per
/// write scope).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Coordination {
    pub coordinator: String,
    pub base_write_policy: Option<BaseWritePolicy>,
    pub participants: Vec<Participant>,
    /// Oldest first.
    pub releases: Vec<Release>,
}

string_enum!(
    /// Who may write the shared base.
    BaseWritePolicy {
        AllParticipants => "alle deltagere" / "all participants",
        CoordinatorOnly => "kun koordinator" / "coordinator only",
    }
);

/// The base document: the joint part every participating municipality shares.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Base {
    pub meta: BaseMeta,
    pub description: Description,
    pub wp248: Wp248,
    pub prior_consultation: PriorConsultation,
    pub review_plan: ReviewPlan,
    pub items: Items,
}
