//! Every code the check can emit, declared once: its severity, the provision it rests on,
//! the section of Datatilsynet's 2024 AULA decision it answers, what the rule looks for and
//! what fixes it — in Danish and English. `konsekvens check --explain CODE` prints an entry;
//! the published schema of `check --json` lists the codes from here; a finding whose code
//! is not here fails the tests.

use super::{Basis, Basis::*, Lang, Severity, Severity::*};
use std::fmt::Write;

/// One code of the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub severity: Severity,
    pub basis: Basis,
    /// The decision's section(s) the rule answers ("" where it rests on the GDPR alone).
    pub section: &'static str,
    pub rule_da: &'static str,
    pub rule_en: &'static str,
    pub fix_da: &'static str,
    pub fix_en: &'static str,
}

macro_rules! rules {
    ($($code:literal, $sev:ident, $basis:ident, $section:literal, $rda:literal, $ren:literal, $fda:literal, $fen:literal;)+) => {
        /// The table, in the order of the DPIA.
        pub const RULES: &[Rule] = &[$(Rule { code: $code, severity: $sev, basis: $basis, section: $section, rule_da: $rda, rule_en: $ren, fix_da: $fda, fix_en: $fen }),+];
    };
}

rules! {
    "K-35-7-A-PROCESSES", Error, Art35_7a, "4.2.3", "Behandlingen skal beskrives systematisk: ingen databehandlingsprocesser.", "The processing must be described systematically: there are no data processes.", "Beskriv hver proces og dens behandlingsaktiviteter.", "Describe each process and its processing operations.";
    "K-35-7-A-OPERATIONS", Error, Art35_7a, "4.2.3", "En proces nævner ingen behandlingsaktiviteter (indsamling, registrering, søgning, videregivelse, sletning …).", "A process names no processing operations (collection, registration, search, disclosure, erasure …).", "Vælg de aktiviteter, processen udfører.", "Select the operations the process performs.";
    "K-35-7-A-DATA", Error, Art35_7a, "4.2.3", "Personoplysningerne er ikke defineret i kategorier.", "The personal data is not defined in categories.", "Tilføj kategorierne af personoplysninger.", "Add the categories of personal data.";
    "K-35-7-A-DATA-CLASS", Error, Art35_7a, "4.2.3", "En kategori af oplysninger er ikke klassificeret (almindelige, fortrolige, CPR, følsomme, strafbare forhold).", "A data category is not classified (ordinary, confidential, CPR, special-category, criminal offences).", "Angiv klassifikationen.", "State the classification.";
    "K-35-7-A-DATA-SPECIAL", Error, Art35_7a, "4.2.3", "En kategoris navn eller eksempler beskriver følsomme oplysninger (helbred, diagnoser, medicin, handicap, religion, etnisk oprindelse, politisk overbevisning, fagforening, seksuel orientering, genetiske eller biometriske data), men den er ikke klassificeret som følsomme (art. 9).", "A category's name or examples describe special-category data (health, diagnoses, medication, disability, religion, ethnic origin, political opinion, trade union, sexual orientation, genetic or biometric data), but it is not classified as special-category (Art. 9).", "Klassificer kategorien som følsomme oplysninger, og angiv undtagelsen efter art. 9, stk. 2, for de formål, der bruger den.", "Classify the category as special-category data and state the Art. 9(2) exception for the purposes that use it.";
    "K-35-7-A-DATA-CRIMINAL", Error, Art35_7a, "4.2.3", "En kategori beskriver oplysninger om strafbare forhold (straffeattester, børneattester, domme), men er ikke klassificeret efter art. 10.", "A category describes data on criminal offences (criminal records, child-protection certificates, convictions), but is not classified under Art. 10.", "Klassificer kategorien som strafbare forhold, og angiv hjemlen (databeskyttelseslovens § 8).", "Classify the category as criminal offences and state the basis (Danish Data Protection Act § 8).";
    "K-35-7-A-DATA-CONFIDENTIAL", Error, Art35_7a, "4.2.3", "En kategori beskriver CPR-numre eller sociale forhold (fortrolige i dansk praksis), men er klassificeret som almindelige eller slet ikke.", "A category describes CPR numbers or social matters (confidential in Danish practice), but is classified as ordinary or not at all.", "Klassificer kategorien som fortrolige oplysninger eller CPR-numre.", "Classify the category as confidential or CPR numbers.";
    "K-35-7-A-SPECIAL-UNLISTED", Error, Art35_7a, "4.2.3", "Beskrivelsen, en dokumenttype eller et formål nævner følsomme oplysninger, men ingen kategori er klassificeret som følsomme.", "The description, a document type or a purpose names special-category data, but no category is classified as such.", "Tilføj kategorien af følsomme oplysninger med undtagelsen efter art. 9, stk. 2.", "Add the special-category data category with its Art. 9(2) exception.";
    "K-35-7-A-PURPOSES", Error, Art35_7a, "4.2.3", "Der er ingen formål.", "There are no purposes.", "Beskriv præcist hvert formål, oplysningerne bruges til.", "Describe precisely each purpose the data is used for.";
    "K-35-7-A-PURPOSE-VAGUE", Warning, Art35_7a, "4.2.3", "Et formål er kun beskrevet med få ord. Datatilsynet anbefalede at præcisere et formål, der kun lød «kommunikation skole–hjem», når systemet også blev brugt til andet.", "A purpose is described in a few words. Datatilsynet recommended clarifying a purpose that said only «school–home communication» when the system was used for more.", "Beskriv al faktisk brug af oplysningerne under formålet.", "Describe every actual use of the data under the purpose.";
    "K-35-7-A-PURPOSE-UNUSED", Warning, Art35_7a, "4.2.3", "Et formål er ikke knyttet til nogen proces eller dokumenttype.", "A purpose is linked to no process or document type.", "Knyt formålet til den brug, det dækker, eller fjern det.", "Link the purpose to the use it covers, or remove it.";
    "K-35-7-A-USE-NO-PURPOSE", Error, Art35_7a, "4.2.3", "En proces, et modul eller en dokumenttype er ikke dækket af noget formål (link ved id).", "A process, module or document type is covered by no purpose (linked by id).", "Knyt brugen til de formål, den tjener, eller beskriv et formål, der dækker den.", "Link the use to the purposes it serves, or describe a purpose that covers it.";
    "K-35-7-A-USE-PURPOSE-MISMATCH", Warning, Art35_7a, "4.2.3", "En dokumenttype bruges til dokumentation, sagsbehandling eller registrering af hændelser, som de formål, der dækker den, ikke nævner (Sikker fildeling til pædagogisk dokumentation under et formål om kommunikation).", "A document type is used for documentation, casework or recording incidents that the purposes covering it do not name (secure file sharing for pedagogical documentation under a purpose of communication).", "Præciser formålet, eller tilføj et formål, der dækker brugen, og knyt dokumenttypen til det.", "Clarify the purpose, or add one that covers the use and link the document type to it.";
    "K-35-7-A-LEGAL-GDPR", Error, Art35_7a, "4.2.3", "Et formål har intet retsgrundlag i databeskyttelsesforordningen (art. 6); national lov alene er ikke nok.", "A purpose has no legal basis in the GDPR (Art. 6); national law alone is not enough.", "Angiv behandlingsgrundlaget efter art. 6, fx art. 6, stk. 1, litra e.", "State the Art. 6 basis, e.g. Art. 6(1)(e).";
    "K-35-7-A-LEGAL-ART9", Error, Art35_7a, "4.2.3", "Der behandles følsomme oplysninger, men intet formål angiver en undtagelse efter art. 9, stk. 2.", "Special-category data is processed, but no purpose states an Art. 9(2) exception.", "Angiv undtagelsen efter art. 9, stk. 2, for formålet.", "State the Art. 9(2) exception for the purpose.";
    "K-35-7-A-SUBJECTS", Error, Art35_7a, "4.2.3", "Der er ingen kategorier af registrerede.", "There are no categories of data subjects.", "Angiv hvem oplysningerne handler om, og hvor mange.", "State whom the data is about, and how many.";
    "K-35-7-A-SUBJECT-COUNT", Error, Art35_7a, "4.2.3, 4.2.5", "En kategori af registrerede mangler antallet.", "A data-subject category lacks its number.", "Angiv et tal, eller et skøn med begrundelse.", "Give a number, or an estimate with its basis.";
    "K-35-7-A-SUBJECT-COUNT-GROUPS", Warning, Art35_7a, "4.2.3, 4.2.5", "Antallene af registrerede dækker ikke brugergrupperne: ét antal for flere grupper, der bruger systemet (børn og forældre), eller færre forældre end halvdelen af de børn, de er forældre til.", "The numbers of data subjects do not cover the user groups: one number for several groups that use the system (children and parents), or fewer parents than half the children they are the parents of.", "Angiv antallet for hver gruppe af brugere, og ret et antal, der er mindre end den gruppe, det følger af.", "Give the number for each group of users, and correct a number smaller than the group it follows from.";
    "K-35-7-A-SUBJECTS-IMPLIED", Warning, Art35_7a, "4.2.5", "Kilder, processer, moduler eller brugergrupper omfatter et område (dagtilbud, skole, ældrepleje), hvis registrerede ingen kategori omfatter — som dagtilbuddene i Aula.", "Sources, processes, modules or user groups cover a setting (daycare, school, elderly care) whose data subjects no category covers — as daycare in AULA.", "Tilføj gruppen af registrerede med antal, eller forklar hvorfor den ikke er registreret.", "Add the data-subject group with its number, or explain why it is not a data subject.";
    "K-35-7-A-USERS-NOT-SUBJECTS", Warning, Art35_7a, "4.2.3", "En brugergruppe (børn, forældre, medarbejdere) findes ikke blandt de registrerede.", "A user group (children, parents, employees) is not among the data subjects.", "Tilføj gruppen med antal: brugere er også registrerede.", "Add the group with its number: users are data subjects too.";
    "K-35-7-A-VULNERABLE", Error, Art35_7a, "4.2.3", "En gruppe af registrerede er børn (elever, mindreårige, unge under 18 …), patienter, medarbejdere eller ældre i pleje, men er ikke markeret som sårbare (betragtning 38; WP248, kriterium 7).", "A data-subject group is children (pupils, minors, under-18s …), patients, employees or elderly in care, but is not marked vulnerable (recital 38; WP248 criterion 7).", "Marker gruppen som sårbar, og skriv hvad det betyder for behandlingen.", "Mark the group vulnerable and say what it means for the processing.";
    "K-35-7-A-VULNERABLE-REASON", Warning, Art35_7a, "4.2.3", "En gruppe er markeret som sårbar uden begrundelse.", "A group is marked vulnerable without a reason.", "Skriv hvorfor, og hvad det betyder for behandlingen.", "Say why, and what it means for the processing.";
    "K-35-7-A-SOURCES", Error, Art35_7a, "4.2.3", "Det fremgår ikke, hvor oplysningerne kommer fra.", "It does not say where the data comes from.", "Tilføj kilderne.", "Add the sources.";
    "K-35-7-A-ACCESS", Error, Art35_7a, "4.2.3", "Det fremgår ikke, hvem inden for eller uden for organisationen har adgang til oplysningerne.", "It does not say who inside or outside the organisation can access the data.", "Tilføj modtagere og deres adgang.", "Add recipients and their access.";
    "K-35-7-A-ACCESS-SIDE", Error, Art35_7a, "4.2.3", "En modtager er ikke angivet som intern eller ekstern.", "A recipient is not stated as internal or external.", "Angiv om adgangen er intern eller ekstern.", "State whether the access is internal or external.";
    "K-35-7-A-ACCESS-ROLE", Warning, Art35_7a, "4.2.3", "En modtager har ingen beskrevet rolle eller adgang.", "A recipient has no described role or access.", "Beskriv hvad modtageren har adgang til, og hvorfor.", "Describe what the recipient can access, and why.";
    "K-35-7-A-RETENTION", Error, Art35_7a, "4.2.3", "Der er ingen opbevaringsperiode.", "There is no retention period.", "Angiv hvornår oplysningerne slettes.", "State when the data is erased.";
    "K-35-7-A-RETENTION-RULE", Warning, Art35_7a, "4.2.3", "En opbevaringstekst angiver hverken en frist eller en sletteregel.", "A retention text states neither a period nor a deletion rule.", "Angiv fristen eller den hændelse, der udløser sletning.", "State the period or the event that triggers erasure.";
    "K-35-7-A-TRANSFERS-UNSTATED", Error, Art35_7a, "4.2.3", "Det fremgår ikke, om oplysninger forlader EU/EØS eller kan tilgås derfra (eller der står ja, men ingen overførsel er beskrevet).", "It does not say whether data leaves the EU/EEA or can be reached from outside it (or it says yes but describes no transfer).", "Registrer svaret: overførslerne med grundlag, eller «ingen» med begrundelsen.", "Record the answer: the transfers with their basis, or «none» with the reason.";
    "K-35-7-A-TRANSFERS-NONE-REASON", Error, Art35_7a, "4.2.3", "Der står «ingen overførsler», men ikke hvorfor.", "It says «no transfers», but not why.", "Begrund svaret: hostingregion, databehandlernes instruks og forbehold.", "Give the reason: hosting region, the processors' instructions and their clauses.";
    "K-35-7-A-TRANSFERS-CONTRADICTION", Error, Art35_7a, "4.2.3", "Der står «ingen overførsler», men overførsler er beskrevet.", "It says «no transfers», but transfers are described.", "Ret svaret eller overførslerne.", "Correct the answer or the transfers.";
    "K-35-7-A-TRANSFER-BASIS", Error, Art35_7a, "4.2.3", "En overførsel til et tredjeland har intet grundlag efter kapitel V.", "A third-country transfer has no Chapter V basis.", "Angiv grundlaget (tilstrækkelighedsafgørelse, standardkontraktbestemmelser …).", "State the basis (adequacy decision, standard contractual clauses …).";
    "K-35-7-A-TRANSFER-CLOUD", Error, Art35_7a, "4.2.3", "En databehandler er (eller bruger) en cloudleverandør, der kan være underlagt et tredjelands lovgivning (som AWS-forbeholdet i KOMBITs instruks), uden en vurdering af adgangen derfra.", "A processor is (or uses) a cloud provider that may be subject to a third country's law (as the AWS clause in KOMBIT's instruction), without an assessment of access from there.", "Beskriv overførslen eller adgangen og dens grundlag, eller begrund at der ingen er.", "Describe the transfer or access and its basis, or give the reason there is none.";
    "K-35-7-A-NEW-TECH", Error, Art35_7a, "4.2.3", "Det er ikke angivet, om der bruges ny teknologi.", "It is not stated whether new technology is used.", "Angiv det, med begrundelse.", "State it, with the reason.";
    "K-35-7-A-PROCESSORS", Warning, Art35_7a, "4.2.3", "Der er ingen databehandlere.", "There are no processors.", "Beskriv kæden af databehandlere og underdatabehandlere.", "Describe the chain of processors and sub-processors.";
    "K-35-7-B-MISSING", Error, Art35_7b, "4.2.3, 4.2.6", "Der er ingen vurdering af nødvendighed og proportionalitet for et formål (Københavns analyse havde ingen).", "There is no assessment of necessity and proportionality for a purpose (Copenhagen's DPIA had none).", "Forklar hvorfor behandlingen er nødvendig, og hvorfor den står i rimeligt forhold til formålet.", "Explain why the processing is necessary and why it is proportionate to the purpose.";
    "K-35-7-B-ASPECT", Warning, Art35_7b, "4.2.3", "Vurderingen af et formål mangler et eller flere aspekter (dataminimering, opbevaring, oplysningspligt, rettigheder, databehandlere, overførsler …).", "A purpose's assessment lacks one or more aspects (minimisation, storage, information, rights, processors, transfers …).", "Vurder de manglende aspekter.", "Assess the missing aspects.";
    "K-35-7-B-THIN", Warning, Art35_7b, "4.2.3", "Nødvendighed og proportionalitet er én linje pr. formål, eller kun en konklusion («står i rimeligt forhold»).", "Necessity and proportionality are one line per purpose, or only a conclusion («is proportionate»).", "Skriv hvilke alternativer der er overvejet, hvordan data er minimeret, hvor længe de opbevares, og hvordan rettighederne sikres.", "Say which alternatives were considered, how data is minimised, how long it is kept, and how rights are ensured.";
    "K-35-7-C-NO-RISKS", Error, Art35_7c, "4.1.2", "Risikoregistret er tomt.", "The risk register is empty.", "Vurder risiciene for de registrerede.", "Assess the risks to the data subjects.";
    "K-35-7-C-UNRATED", Error, Art35_7c, "4.1.2", "En risiko er ikke vurderet på konsekvens og sandsynlighed for alle dimensioner før og efter foranstaltninger.", "A risk is not rated on consequence and likelihood for every dimension before and after measures.", "Vurder hver dimension, eller marker den «ikke berørt» med begrundelse.", "Rate each dimension, or mark it «not affected» with a reason.";
    "K-35-7-C-NO-REASON", Error, Art35_7c, "4.1.2, 4.2.3", "Vurderinger af en risiko mangler begrundelse (én finding pr. risiko, der lister dem).", "Ratings of a risk lack their reasons (one finding per risk, listing them).", "Begrund hver konsekvens og sandsynlighed.", "Give the reason for each consequence and likelihood.";
    "K-35-7-C-LEGACY-LEVEL", Error, Art35_7c, "4.1.2, 4.2.3", "En risiko er kun angivet som et niveau (lav/mellem/høj) uden konsekvens × sandsynlighed og begrundelser, som i ældre analyser og CNIL-værktøjet.", "A risk is given only as a level (low/medium/high) without consequence × likelihood and reasons, as in older DPIAs and the CNIL tool.", "Vurder konsekvens og sandsynlighed med begrundelse; niveauet er bevaret, som det stod.", "Rate consequence and likelihood with reasons; the level is kept as written.";
    "K-35-7-C-UNAFFECTED-REASON", Error, Art35_7c, "4.1.2", "En dimension er markeret «ikke berørt» uden begrundelse.", "A dimension is marked «not affected» without a reason.", "Skriv hvorfor truslen ikke berører dimensionen.", "Say why the threat does not touch the dimension.";
    "K-35-7-C-RESIDUAL-HIGHER", Error, Art35_7c, "4.1.4", "Restrisikoen er højere end den iboende risiko uden begrundelse.", "The residual risk is higher than the inherent risk without a reason.", "Begrund det, eller ret vurderingen.", "Give the reason, or correct the rating.";
    "K-35-7-C-OVERRIDE-REASON", Error, Art35_7c, "4.4", "Kommunen vurderer en risiko anderledes end den fælles basis uden begrundelse.", "The municipality rates a risk differently from the joint base without a reason.", "Begrund den lokale vurdering.", "Give the reason for the local rating.";
    "K-35-7-C-ACCEPTANCE-BARE", Error, Art35_7c, "4.1.2, 4.1.4", "En accept af en risiko angiver kun konklusionen («acceptabelt sikkerhedsniveau»).", "A risk acceptance states only the conclusion («acceptable level of security»).", "Begrund accepten: konsekvens og sandsynlighed efter foranstaltninger, og hvem der har accepteret.", "Give the grounds: consequence and likelihood after measures, and who accepted it.";
    "K-24-1-OWN-REACH", Error, Art24_1, "4.1.4", "En accept af en risiko bygger kun på det, der ligger inden for den dataansvarliges eget handlingsrum; vurderingen kan ikke begrænses hertil.", "A risk acceptance rests only on what lies within the controller's own room for action; the assessment cannot be limited to that.", "Vurder også de foranstaltninger, leverandøren eller andre skal gennemføre, og hvad der sker, hvis de ikke gør.", "Assess the measures the supplier or others must take as well, and what follows if they do not.";
    "K-24-1-SUPPLIER-RISK", Error, Art24_1, "4.1.2, 4.1.4", "En risiko fra leverandørens eller KOMBITs materiale er ikke håndteret.", "A risk from the supplier's or KOMBIT's material is not addressed.", "Knyt foranstaltninger til den, accepter den med begrundelse, eller marker den som ikke relevant her med en underbygget begrundelse.", "Link measures to it, accept it with reasons, or mark it not applicable here with a substantiated reason.";
    "K-35-7-C-SOURCE-REF-UNKNOWN", Error, Art35_7c, "3.2.2, 4.2.3", "En risikos kildehenvisning nævner et importeret leverandørark, men et nummer, arket (i den senest importerede version) ikke har — referencenumre, der ikke svarer til numrene i risikovurderingsskemaerne, peger ud i ingenting.", "A risk's source reference names an imported supplier sheet, but a number the sheet (in the version imported last) does not have — reference numbers that do not match the numbers of the risk sheets point nowhere.", "Ret henvisningen til truslens nummer i det importerede ark, eller vurder om risikoen stadig er relevant, når truslen er udgået af leverandørens nye version.", "Correct the reference to the threat's number in the imported sheet, or assess whether the risk still applies when the threat has left the supplier's new version.";
    "K-35-7-C-SOURCE-REF-UNVERIFIED", Warning, Art35_7c, "3.2.2, 4.2.3", "Risici henviser til rækkenumre (T7, 3.2 …) i leverandørmateriale, der ikke er importeret, så det kan ikke efterprøves, at numrene findes (én finding pr. kilde).", "Risks refer to row numbers (T7, 3.2 …) in supplier material that has not been imported, so it cannot be verified that the numbers exist (one finding per source).", "Importér leverandørens ark (konsekvens import sheet --source med kildens navn), eller ret henvisningerne til navnet på et importeret ark.", "Import the supplier's sheet (konsekvens import sheet --source with the source's name), or correct the references to the name of an imported sheet.";
    "K-35-7-C-SUPPLIER-THREAT-UNCOVERED", Error, Art35_7c, "4.1.3, 4.2.3", "En trussel i et importeret leverandørark dækkes ikke af nogen risiko, og der står ikke hvorfor — analysen forholder sig ikke entydigt til alle identificerede risici (én finding pr. ark, der lister truslerne).", "A threat of an imported supplier sheet is covered by no risk, and it does not say why — the DPIA does not clearly address every identified risk (one finding per sheet, listing the threats).", "Opret en risiko med truslens nummer som kildehenvisning, henvis til truslen fra den risiko, der dækker den, eller skriv ved truslen hvorfor den ikke er relevant i denne behandling.", "Create a risk with the threat's number as its source reference, refer to the threat from the risk that covers it, or record with the threat why it does not apply to this processing.";
    "K-35-7-D-UNMITIGATED", Error, Art35_7d, "4.1.4", "En risiko har ingen foranstaltning og ingen begrundet accept.", "A risk has no measure and no reasoned acceptance.", "Knyt foranstaltninger til risikoen, eller accepter den med begrundelse.", "Link measures to the risk, or accept it with reasons.";
    "K-35-7-D-UNLINKED", Error, Art35_7d, "4.1.4, 4.3", "En foranstaltning er ikke knyttet til nogen risiko.", "A measure is not linked to any risk.", "Knyt den til de risici, den reducerer.", "Link it to the risks it reduces.";
    "K-35-7-D-STATUS", Error, Art35_7d, "4.2.3", "En foranstaltnings status (gennemført, planlagt, fravalgt) mangler.", "A measure's status (implemented, planned, rejected) is missing.", "Angiv status.", "State the status.";
    "K-35-7-D-PLANNED-DATE", Error, Art35_7d, "4.1.2", "En planlagt foranstaltning har ingen dato.", "A planned measure has no date.", "Angiv hvornår den gennemføres.", "State when it will be implemented.";
    "K-35-7-D-PLANNED-OVERDUE", Warning, Art35_7d, "4.1.2", "En planlagt foranstaltnings dato er passeret.", "A planned measure's date has passed.", "Marker den gennemført, eller angiv ny dato og årsagen til forsinkelsen.", "Mark it implemented, or set a new date and the reason for the delay.";
    "K-35-7-D-REJECTED-REASON", Error, Art35_7d, "4.1.2", "En fravalgt foranstaltning har ingen begrundelse.", "A rejected measure has no reason.", "Begrund fravalget.", "Give the reason for rejecting it.";
    "K-35-7-D-OWNER", Warning, Art35_7d, "4.1.4", "Det er ikke angivet, hvem der er ansvarlig for en foranstaltning.", "It is not stated who is responsible for a measure.", "Angiv ansvarlig (kommunen, leverandøren …), gerne med navn.", "State who is responsible (the municipality, the supplier …), preferably by name.";
    "K-35-7-D-LOCAL-STATUS", Error, Art35_7d, "4.4", "Kommunens afvigelse fra en fælles foranstaltning mangler sin art eller forklaring.", "The municipality's deviation from a joint measure lacks its kind or explanation.", "Angiv arten og forklar afvigelsen.", "State the kind and explain the deviation.";
    "K-24-1-EXTERNAL-MEASURE", Warning, Art24_1, "4.1.4", "En foranstaltning, som en anden end den dataansvarlige udfører, har ingen dokumentation for, at den virker (fravalgte og planlagte foranstaltninger undtaget).", "A measure carried out by someone other than the controller has no evidence that it works (rejected and planned measures excepted).", "Knyt dokumentation til den (revisorerklæring, test, aftale).", "Link evidence to it (assurance statement, test, agreement).";
    "K-24-1-EVIDENCE-STALE", Warning, Art24_1, "", "En revisorerklæring (ISAE 3000/3402) er over et år gammel eller udateret.", "An assurance statement (ISAE 3000/3402) is over a year old or undated.", "Indhent den nyeste erklæring, og registrer den med dato.", "Obtain the newest statement and record it with its date.";
    "K-5-2-REF-MISSING", Error, Art5_2, "4.1.4", "Et element har ingen kort reference.", "An item has no short reference.", "Giv det en reference.", "Give it a reference.";
    "K-5-2-REF-DUPLICATE", Error, Art5_2, "4.1.4", "En reference bruges af flere elementer.", "A reference is used by several items.", "Giv hvert element sin egen reference.", "Give each item its own reference.";
    "K-5-2-REF-DANGLING", Error, Art5_2, "4.1.4", "En henvisning peger på et element, der ikke findes (referencer, der peger ud i ingenting).", "A link points at an item that does not exist (references that point nowhere).", "Ret eller fjern henvisningen.", "Correct or remove the link.";
    "K-JOINT-UNRESOLVED", Error, JointDpia, "4.4", "Tillægget afviger fra et element i fælles basis, der ikke findes.", "The supplement deviates from a base item that does not exist.", "Fjern afvigelsen, eller opdater tillægget til den aktuelle basis.", "Remove the deviation, or update the supplement to the current base.";
    "K-JOINT-NA-REASON", Error, JointDpia, "4.1.2", "Et element er markeret som ikke relevant her uden underbygget begrundelse (for kort, eller kun konklusionen «vurderes ikke relevant»).", "An item is marked not applicable here without a substantiated reason (too short, or only the conclusion «not relevant»).", "Skriv hvorfor forholdet ikke er relevant i kommunens behandling.", "Say why it does not apply to the municipality's processing.";
    "K-SUBSTANCE-REPEATED", Warning, Art5_2, "4.1.2", "Samme sætning er brugt som begrundelse mindst tre gange fordelt på flere elementer: en standardtekst underbygger ikke den enkelte vurdering.", "The same sentence is used as the reason at least three times across several items: boilerplate does not substantiate each assessment.", "Begrund hver vurdering for sig.", "Give each assessment its own reason.";
    "K-35-2-DPO-MISSING", Error, Art35_2, "4.2.4", "Databeskyttelsesrådgiverens rådgivning er ikke registreret.", "The DPO's advice is not recorded.", "Registrer rådgivningen, datoen og om den blev fulgt.", "Record the advice, its date and whether it was followed.";
    "K-35-2-DPO-VERSION", Warning, Art35_2, "4.2.4", "Ingen rådgivning vedrører den version, der underskrives.", "No advice concerns the version being signed.", "Indhent rådgivning om versionen.", "Obtain advice on the version.";
    "K-35-2-DPO-PENDING", Warning, Art35_2, "4.2.4", "Det er ikke registreret, om rådgivningen blev fulgt.", "It is not recorded whether the advice was followed.", "Registrer svaret.", "Record the response.";
    "K-35-2-DPO-OVERRULED", Error, Art35_2, "4.2.4", "Rådgivningen blev ikke (fuldt) fulgt, men begrundelsen mangler.", "The advice was not (fully) followed, but the reason is missing.", "Begrund hvorfor.", "Give the reason.";
    "K-35-2-DPO-DATE", Warning, Art35_2, "4.1.2", "Rådgivningen er ikke dateret.", "The advice is not dated.", "Angiv datoen.", "State the date.";
    "K-35-2-ACCEPTANCE", Warning, Art35_2, "4.2.4", "Restrisikoen ligger uden for acceptkriteriet.", "The residual risk is outside the acceptance policy.", "Forelæg den for databeskyttelsesrådgiveren.", "Put it before the DPO.";
    "K-35-9-VIEWS", Warning, Art35_9, "", "Det fremgår ikke, om de registreredes eller deres repræsentanters synspunkter er indhentet, eller hvorfor ikke.", "It does not say whether the views of data subjects or their representatives were sought, or why not.", "Registrer hvem der er spurgt, hvornår, hvad de sagde, og hvordan det er indgået — eller begrundelsen for ikke at spørge.", "Record whom, when, what they said and how it was taken into account — or why they were not asked.";
    "K-35-9-VIEWS-INCOMPLETE", Warning, Art35_9, "", "En registrering af synspunkter mangler hvem, hvornår, hvad de sagde eller hvordan det er indgået.", "A record of views lacks whom, when, what they said or how it was taken into account.", "Udfyld det manglende.", "Fill in what is missing.";
    "K-36-REQUIRED", Error, Art36, "", "Høj restrisiko: Datatilsynet skal høres før behandlingen.", "High residual risk: Datatilsynet must be consulted before processing.", "Hør Datatilsynet, eller nedbring risikoen.", "Consult Datatilsynet, or reduce the risk.";
    "K-36-SUBMITTED", Info, Art36, "", "Høj restrisiko, og forudgående høring er registreret.", "High residual risk, and prior consultation is recorded.", "Intet at rette.", "Nothing to fix.";
    "K-36-UNDECIDED", Warning, Art36, "", "Det er ikke registreret, om forudgående høring er nødvendig.", "It is not recorded whether prior consultation is required.", "Registrer svaret og begrundelsen.", "Record the answer and the reason.";
    "K-36-CONTRADICTION", Error, Art36, "", "Der står, at høring ikke er nødvendig, men der er høj restrisiko.", "It says consultation is not required, but high residual risk remains.", "Ret svaret, eller nedbring risikoen.", "Correct the answer, or reduce the risk.";
    "K-WP248-UNANSWERED", Error, Wp248, "4.2.1", "WP248-screeningen mangler begrundede svar.", "The WP248 screening lacks reasoned answers.", "Besvar hvert kriterium med begrundelse.", "Answer each criterion with a reason.";
    "K-WP248-REQUIRED", Info, Wp248, "4.2.1", "To eller flere WP248-kriterier er opfyldt: en konsekvensanalyse er påkrævet.", "Two or more WP248 criteria are met: a DPIA is required.", "Intet at rette.", "Nothing to fix.";
    "K-JOINT-CONDITIONS", Error, JointDpia, "4.4", "Kommunen har ikke erklæret, om en betingelse for en fælles konsekvensanalyse er opfyldt.", "The municipality has not declared whether a joint-DPIA condition is met.", "Erklær hver betingelse med begrundelse.", "Declare each condition with a reason.";
    "K-JOINT-CONDITION-UNMET", Error, JointDpia, "4.4", "En betingelse for en fælles konsekvensanalyse er ikke opfyldt.", "A joint-DPIA condition is not met.", "Skriv et tillæg, der dækker forskellen, eller en selvstændig konsekvensanalyse.", "Write a supplement covering the difference, or a DPIA of its own.";
    "K-JOINT-CONDITION-REASON", Warning, JointDpia, "4.4", "En erklæring om en betingelse har ingen begrundelse.", "A declaration on a condition has no reason.", "Begrund erklæringen.", "Give the reason.";
    "K-JOINT-DEVIATION-UNASSESSED", Error, JointDpia, "4.4", "Tillægget tilføjer et formål, oplysninger eller registrerede uden lokal risikovurdering.", "The supplement adds a purpose, data or data subjects without a local risk assessment.", "Risikovurder afvigelsen i tillægget.", "Risk-assess the deviation in the supplement.";
    "K-JOINT-MODULE-UNASSESSED", Error, JointDpia, "4.4", "Et lokalt modul indgår ikke i nogen risikovurdering.", "A local module is part of no risk assessment.", "Knyt det til de risici, det indebærer.", "Link it to the risks it brings.";
    "K-RELEASE-MISSING", Warning, Art5_2, "4.1.2", "Udgivelsen af fælles basis, tillægget er vurderet mod, kan ikke bruges her.", "The base release the supplement was assessed against cannot be used here.", "Synkronisér med hubben.", "Sync with the hub.";
    "K-RELEASE-NEWER", Warning, Art35_11, "4.2.5", "Der er en nyere udgivelse af fælles basis end den, tillægget er vurderet mod.", "There is a newer base release than the one the supplement was assessed against.", "Gennemgå ændringerne, tilpas tillægget, og bekræft den nye udgivelse.", "Review the changes, adjust the supplement and confirm the new release.";
    "K-RELEASE-UNBOUND", Warning, Art5_2, "4.1.2", "Tillægget angiver ikke, hvilken udgivelse af fælles basis det er vurderet mod.", "The supplement does not state which base release it was assessed against.", "Bekræft en udgivelse.", "Confirm a release.";
    "K-35-11-NO-DATE", Warning, Art35_11, "4.2.5", "Der er ingen dato for næste revision.", "There is no date for the next review.", "Sæt en dato.", "Set a date.";
    "K-35-11-OVERDUE", Error, Art35_11, "4.2.5", "Den planlagte revision er ikke gennemført.", "The planned review has not been done.", "Gennemgå konsekvensanalysen, og registrer revisionen.", "Review the DPIA and record the review.";
    "K-35-11-TRIGGERED", Warning, Art35_11, "4.2.5", "Arbejdsområdets historik viser ændringer siden sidste revision (formål, oplysninger, registrerede, moduler, retsgrundlag, databehandlere, risici, antal, udgivelser).", "The workspace's history shows changes since the last review (purposes, data, subjects, modules, legal basis, processors, risks, counts, releases).", "Gennemgå konsekvensanalysen, og registrer revisionen.", "Review the DPIA and record the review.";
    "K-35-11-CHANGED", Warning, Art35_11, "4.2.5", "Konsekvensanalysen registrerer daterede ændringer i brugen (ny brugergruppe, nyt modul, nye oplysninger, leverandørskift) efter sidste revision — eller et tillæg ændrer behandlingen uden lokal revision.", "The DPIA records dated changes in use (a new user group, module, data, a supplier change) after the last review — or a supplement changes the processing without a local review.", "Gennemgå analysen mod ændringerne (retsgrundlag, registrerede og antal, risici), og registrer revisionen med dato.", "Review the DPIA against the changes (legal basis, subjects and counts, risks) and record the review with its date.";
    // The CNIL PIA tool's evaluator verdicts kept by `import cnil` (issue #17; check/cnil.rs).
    "K-35-7-C-CNIL-CORRECT", Warning, Art35_7c, "", "CNIL-evaluatoren vurderede en risiko «skal rettes», og vurderingen står uændret.", "The CNIL evaluator judged a risk «to be corrected», and the verdict still stands.", "Vurder risikoen og foranstaltningerne igen, og skriv efter vurderingen i restrisikoens begrundelse, hvad der er gjort (eller fjern linjen).", "Assess the risk and its measures again, and write after the verdict in the residual reason what was done (or remove the line).";
    "K-35-7-C-CNIL-IMPROVE", Info, Art35_7c, "", "CNIL-evaluatoren vurderede en risiko «skal forbedres», og vurderingen står uændret.", "The CNIL evaluator judged a risk «to be improved», and the verdict still stands.", "Forbedr vurderingen, og skriv efter vurderingen i restrisikoens begrundelse, hvad der er gjort (eller fjern linjen).", "Improve the assessment, and write after the verdict in the residual reason what was done (or remove the line).";
    "K-35-7-D-CNIL-CORRECT", Warning, Art35_7d, "", "CNIL-evaluatoren vurderede en foranstaltning «skal rettes», og vurderingen står uændret.", "The CNIL evaluator judged a measure «to be corrected», and the verdict still stands.", "Ret foranstaltningen, og skriv efter vurderingen i dens beskrivelse, hvad der er gjort (eller fjern linjen).", "Correct the measure, and write after the verdict in its description what was done (or remove the line).";
    "K-35-7-D-CNIL-IMPROVE", Info, Art35_7d, "", "CNIL-evaluatoren vurderede en foranstaltning «skal forbedres», og vurderingen står uændret.", "The CNIL evaluator judged a measure «to be improved», and the verdict still stands.", "Forbedr foranstaltningen, og skriv efter vurderingen i dens beskrivelse, hvad der er gjort (eller fjern linjen).", "Improve the measure, and write after the verdict in its description what was done (or remove the line).";
}

/// The entry of a code, if the check has one.
pub fn rule(code: &str) -> Option<&'static Rule> {
    let code = code.trim();
    RULES.iter().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// `konsekvens check --explain CODE`: the rule, its basis in the GDPR and the decision,
/// and what fixes it.
pub fn explain(rule: &Rule, lang: Lang) -> String {
    let mut out = String::new();
    let (sev, basis) = match lang {
        Lang::Da => (rule.severity.danish(), rule.basis.danish()),
        Lang::En => (rule.severity.english(), rule.basis.english()),
    };
    let _ = writeln!(out, "{} ({sev})", rule.code);
    let (l_rule, l_basis, l_decision, l_fix) = match lang {
        Lang::Da => ("Regel", "Grundlag", "Afgørelsen", "Sådan rettes det"),
        Lang::En => ("Rule", "Basis", "Decision", "How to fix it"),
    };
    let _ = writeln!(out, "{l_rule}: {}", if lang == Lang::Da { rule.rule_da } else { rule.rule_en });
    let _ = writeln!(out, "{l_basis}: {basis}");
    if !rule.section.is_empty() {
        let _ = match lang {
            Lang::Da => writeln!(out, "{l_decision}: Datatilsynets afgørelse om Københavns Kommunes konsekvensanalyse for Aula (2024), pkt. {}", rule.section),
            Lang::En => writeln!(out, "{l_decision}: Datatilsynet's 2024 decision on Copenhagen's AULA DPIA, § {}", rule.section),
        };
    }
    let _ = writeln!(out, "{l_fix}: {}", if lang == Lang::Da { rule.fix_da } else { rule.fix_en });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_declared_once_with_words_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "{} declared twice", r.code);
            assert!(r.code.starts_with("K-"));
            for text in [r.rule_da, r.rule_en, r.fix_da, r.fix_en] {
                assert!(!text.trim().is_empty(), "{}", r.code);
            }
            assert_ne!(r.rule_da, r.rule_en, "{}", r.code);
        }
    }

    #[test]
    fn every_code_the_rules_write_is_in_the_table() {
        for source in [include_str!("rules.rs"), include_str!("reading.rs"), include_str!("cnil.rs"), include_str!("supplier.rs")] {
            for (i, _) in source.match_indices("\"K-") {
                let code = &source[i + 1..i + 1 + source[i + 1..].find('"').unwrap()];
                assert!(rule(code).is_some(), "{code} is emitted but not declared in codes.rs");
            }
        }
    }

    #[test]
    fn explain_names_the_rule_its_basis_the_decision_and_the_fix() {
        let text = explain(rule("k-35-7-a-data-special").unwrap(), Lang::Da);
        assert!(text.contains("K-35-7-A-DATA-SPECIAL (fejl)") && text.contains("art. 35, stk. 7, litra a") && text.contains("pkt. 4.2.3") && text.contains("Sådan rettes det"), "{text}");
        let en = explain(rule("K-24-1-OWN-REACH").unwrap(), Lang::En);
        assert!(en.contains("§ 4.1.4") && en.contains("Art. 24(1)"), "{en}");
        assert!(rule("K-NOPE").is_none());
    }
}
