//! The use cases both shells offer, once: the CLI and the app translate their arguments to
//! these calls and the result back, and nothing else. Errors are [`UserError`]s, ready for
//! either language.

use crate::env::Env;
use crate::error::UserError;
use crate::model::*;
use crate::{Author, Workspace};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

impl Participant {
    /// The joint base where a municipality is expected (the base checked, printed or
    /// compared on its own): no code, no reference prefix.
    pub fn joint_base() -> Participant {
        Participant { code: None, name: "Fælles basis".into(), ref_prefix: String::new() }
    }

    /// `101 København KBH` (code, name, optional reference prefix of 2–5 capitals; without
    /// it, the name's first three letters), as the start view and `konsekvens new` take it.
    pub fn parse_line(line: &str) -> Result<Participant, UserError> {
        let bad = || {
            UserError::new(
                "K-NY-DELTAGER",
                format!("«{line}» skal være «kode navn FORKORTELSE», fx «101 København KBH»"),
                format!("«{line}» must be «code name PREFIX», e.g. «101 København KBH»"),
            )
            .about(line)
        };
        let line = line.trim();
        let (code, rest) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let code: OrgCode = code.parse().map_err(|_| bad())?;
        let rest = rest.trim();
        let is_prefix = |w: &str| (2..=5).contains(&w.chars().count()) && w.chars().all(|c| c.is_ascii_uppercase() || "ÆØÅ".contains(c));
        let (name, prefix) = match rest.rsplit_once(char::is_whitespace) {
            Some((name, last)) if is_prefix(last) => (name.trim().to_owned(), last.to_owned()),
            _ => (rest.to_owned(), rest.chars().take(3).collect::<String>().to_uppercase()),
        };
        if name.is_empty() {
            return Err(bad());
        }
        Ok(Participant { code: Some(code), name, ref_prefix: prefix })
    }
}

/// A new joint DPIA: what the start view asks and `konsekvens new` takes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewDpia {
    pub title: String,
    /// The system assessed (AULA); its letters and digits become the DPIA's id at the hub.
    pub system: String,
    pub coordinator: String,
    pub participants: Vec<Participant>,
}

/// Creates the joint DPIA at `path` (a new file, never over an existing one): the
/// coordination with its participants, an empty base with title and system, and an empty
/// supplement per participating municipality. Every participant may write the base.
pub fn create_joint_dpia(path: &Path, env: Arc<dyn Env>, author: &Author, spec: &NewDpia) -> Result<Workspace, UserError> {
    if spec.title.trim().is_empty() {
        return Err(UserError::new("K-NY-TITEL", "Giv konsekvensanalysen en titel", "Give the DPIA a title"));
    }
    let coordination = Coordination {
        coordinator: spec.coordinator.clone(),
        base_write_policy: Some(BaseWritePolicy::AllParticipants),
        participants: spec.participants.clone(),
        releases: Vec::new(),
    };
    let dpia_id: String = spec.system.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let base = Base {
        meta: BaseMeta { dpia_id, title: spec.title.clone(), system: spec.system.clone(), version_label: String::new() },
        ..Base::default()
    };
    let supplements: Vec<Supplement> = spec
        .participants
        .iter()
        .map(|p| Supplement {
            meta: SupplementMeta { org: p.code, name: p.name.clone(), ref_prefix: p.ref_prefix.clone(), ..SupplementMeta::default() },
            ..Supplement::default()
        })
        .collect();
    Ok(Workspace::create_with(path, env, author, &coordination, &base, &supplements)?)
}

/// Records in municipality `org`'s supplement that `signer` signed its DPIA as `capacity`:
/// today (by the workspace's clock), on the base release the supplement stands on, with the
/// SHA-256 of the signed PDF — what the coordinator's overview and the check read.
pub fn record_signing(ws: &mut Workspace, org: OrgCode, signer: &str, capacity: &str, signed_pdf: &[u8], author: &Author) -> Result<Signing, UserError> {
    if capacity.trim().is_empty() {
        return Err(UserError::new(
            "K-UNDERSKRIFT-EGENSKAB",
            "Angiv, i hvilken egenskab der underskrives (fx Direktør)",
            "Say in which capacity the DPIA is signed (e.g. Director)",
        ));
    }
    let release = ws.supplement(org)?.meta.base_release;
    let signing = Signing {
        id: ws.new_id("signing"),
        date: Some(ws.env().today()),
        signer: signer.to_owned(),
        capacity: capacity.to_owned(),
        base_release: release,
        pdf_sha256: crate::release::sha256_hex(signed_pdf),
    };
    ws.record_signing(org, &signing, author)?;
    Ok(signing)
}

/// Records why a threat of an imported supplier sheet is covered by no risk (`reason`),
/// or clears it (`None`: a risk must cover the threat) — `konsekvens sheet uncover|cover`.
/// The sheet is the base's, or with `org` that municipality's supplement's, named by its
/// reference («ARK1», «KBH-ARK1») or its label («KOMBIT Beskeder»); the threat by its
/// number as the check reads references («t3» finds «T3»). Returns the sheet's reference
/// and the threat's number as stored. The check judges the reason (an error when it only
/// states the conclusion: K-35-7-C-SUPPLIER-THREAT-REASON).
pub fn set_threat_not_covered(ws: &mut Workspace, org: Option<OrgCode>, sheet: &str, threat: &str, reason: Option<&str>, author: &Author) -> Result<(Reference, String), UserError> {
    use crate::check::supplier::ref_key;
    let (key, sheets) = match org {
        Some(code) => (crate::doc::DocKey::Supplement(code), ws.supplement(code)?.additions.supplier_sheets),
        None => (crate::doc::DocKey::Base, ws.base()?.items.supplier_sheets),
    };
    let wanted = ref_key(sheet);
    let found = sheets.iter().find(|s| ref_key(&s.reference.0) == wanted).or_else(|| sheets.iter().find(|s| ref_key(&s.label) == wanted));
    let Some(found) = found else {
        let known = sheets.iter().map(|s| format!("{} «{}»", s.reference, s.label)).collect::<Vec<_>>().join(", ");
        let (where_da, where_en) = match org {
            Some(code) => (format!("kommune {code}s tillæg"), format!("municipality {code}'s supplement")),
            None => ("fælles basis".to_owned(), "the joint base".to_owned()),
        };
        return Err(UserError::new(
            "K-ARK-UKENDT",
            format!("Intet importeret leverandørark «{sheet}» i {where_da}{}", if known.is_empty() { " (der er ikke importeret nogen)".to_owned() } else { format!("; der er: {known}") }),
            format!("No imported supplier sheet «{sheet}» in {where_en}{}", if known.is_empty() { " (none has been imported)".to_owned() } else { format!("; there are: {known}") }),
        ));
    };
    let wanted = ref_key(threat);
    let Some(number) = found.threats.keys().find(|k| ref_key(k) == wanted).cloned() else {
        let known = found.threats.keys().cloned().collect::<Vec<_>>().join(", ");
        return Err(UserError::new(
            "K-ARK-TRUSSEL-UKENDT",
            format!("Arket {} «{}» har ingen trussel «{threat}»; dets numre er: {known}", found.reference, found.label),
            format!("Sheet {} «{}» has no threat «{threat}»; its numbers are: {known}", found.reference, found.label),
        ));
    };
    let reason = reason.map(str::trim);
    if reason == Some("") {
        return Err(UserError::new(
            "K-ARK-BEGRUNDELSE",
            "Skriv hvorfor truslen ikke dækkes af nogen risiko (--reason \"…\")",
            "Say why no risk covers the threat (--reason \"…\")",
        ));
    }
    let id = found.id.clone();
    let n = number.clone();
    ws.edit(key, author, |e| {
        e.update::<SupplierSheet>(&id, |s| {
            if let Some(t) = s.threats.get_mut(&n) {
                t.not_covered_reason = reason.unwrap_or_default().to_owned();
            }
        })
    })?;
    Ok((found.reference.clone(), number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedEnv;

    fn spec() -> NewDpia {
        NewDpia {
            title: "Konsekvensanalyse for Skoleportal".into(),
            system: "Skole Portal".into(),
            coordinator: "KL".into(),
            participants: vec![Participant::parse_line("101 København KBH").unwrap(), Participant::parse_line("561 Esbjerg").unwrap()],
        }
    }

    #[test]
    fn a_threat_not_covered_gets_its_reason_and_loses_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ark.konsekvens");
        let sheet = SupplierSheet {
            id: ItemId("ark-1".into()), reference: Reference("ARK1".into()), label: "KOMBIT Beskeder".into(),
            threats: [("T1".to_owned(), SheetThreat { title: "Fejlsendt besked".into(), ..Default::default() })].into(),
            ..Default::default()
        };
        let mut base = Base::default();
        base.items.supplier_sheets.push(sheet);
        let mut ws = Workspace::create_with(&path, Arc::new(FixedEnv::new(1_750_000_000_000, 7)), &Author::new("test", None), &Coordination::default(), &base, &[]).unwrap();
        let who = Author::new("test", None);
        let reason = "Beskedmodulet er slået fra i kommunens opsætning siden 2023.";
        let (r, n) = set_threat_not_covered(&mut ws, None, "kombit beskeder", "t1", Some(reason), &who).unwrap();
        assert_eq!((r.0.as_str(), n.as_str()), ("ARK1", "T1"));
        assert_eq!(ws.base().unwrap().items.supplier_sheets[0].threats["T1"].not_covered_reason, reason);
        set_threat_not_covered(&mut ws, None, "ARK1", "T1", None, &who).unwrap();
        assert_eq!(ws.base().unwrap().items.supplier_sheets[0].threats["T1"].not_covered_reason, "");
        for (sheet, threat, reason, code) in [("ARK9", "T1", Some("x"), "K-ARK-UKENDT"), ("ARK1", "T7", Some("x"), "K-ARK-TRUSSEL-UKENDT"), ("ARK1", "T1", Some("  "), "K-ARK-BEGRUNDELSE")] {
            let e = set_threat_not_covered(&mut ws, None, sheet, threat, reason, &who).unwrap_err();
            assert_eq!(e.code, code, "{}", e.da);
        }
        assert!(set_threat_not_covered(&mut ws, Some(OrgCode(101)), "ARK1", "T1", Some("x"), &who).is_err(), "no such municipality");
    }

    #[test]
    fn a_new_joint_dpia_has_its_participants_and_empty_supplements() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ny.konsekvens");
        let ws = create_joint_dpia(&path, Arc::new(FixedEnv::new(0, 1)), &Author::new("test", None), &spec()).unwrap();
        assert_eq!(ws.base().unwrap().meta.dpia_id, "skoleportal");
        let c = ws.coordination().unwrap();
        assert_eq!(c.coordinator, "KL");
        assert_eq!(c.participants.iter().map(|p| p.ref_prefix.as_str()).collect::<Vec<_>>(), ["KBH", "ESB"]);
        assert_eq!(ws.supplement(OrgCode(561)).unwrap().meta.name, "Esbjerg");
        // never over an existing file, and never without a title
        let again = create_joint_dpia(&path, Arc::new(FixedEnv::new(0, 1)), &Author::new("test", None), &spec()).unwrap_err();
        assert_eq!(again.code, "K-FIL-FINDES");
        let untitled = NewDpia { title: " ".into(), ..spec() };
        let e = create_joint_dpia(&dir.path().join("b.konsekvens"), Arc::new(FixedEnv::new(0, 1)), &Author::new("t", None), &untitled).unwrap_err();
        assert_eq!(e.code, "K-NY-TITEL");
        assert!(!dir.path().join("b.konsekvens").exists());
    }

    #[test]
    fn participant_lines_read_as_the_start_view_reads_them() {
        let p = Participant::parse_line(" 101  København  KBH ").unwrap();
        assert_eq!((p.code, p.name.as_str(), p.ref_prefix.as_str()), (Some(OrgCode(101)), "København", "KBH"));
        let p = Participant::parse_line("751 Aarhus Kommune").unwrap();
        assert_eq!((p.name.as_str(), p.ref_prefix.as_str()), ("Aarhus Kommune", "AAR"));
        for bad in ["København", "1011 København", "abc København", "101"] {
            assert_eq!(Participant::parse_line(bad).unwrap_err().code, "K-NY-DELTAGER", "{bad}");
        }
    }

    #[test]
    fn a_signing_is_recorded_on_the_bound_release_with_the_pdfs_digest_and_the_clocks_day() {
        let dir = tempfile::tempdir().unwrap();
        // 2026-03-04 00:00 UTC
        let env = Arc::new(FixedEnv::new(1_772_582_400_000, 7));
        let mut ws = create_joint_dpia(&dir.path().join("s.konsekvens"), env, &Author::new("test", None), &spec()).unwrap();
        let author = Author::new("Borgmester", Some(OrgCode(101)));
        let s = record_signing(&mut ws, OrgCode(101), "Anna", "Direktør", b"%PDF-signed", &author).unwrap();
        assert_eq!(s.date, Some(Day::ymd(2026, 3, 4)));
        assert_eq!(s.pdf_sha256, crate::release::sha256_hex(b"%PDF-signed"));
        assert_eq!(ws.supplement(OrgCode(101)).unwrap().signings.first().map(|x| x.signer.as_str()), Some("Anna"));
        assert_eq!(record_signing(&mut ws, OrgCode(999), "Anna", "Direktør", b"x", &author).unwrap_err().code, "K-ORG-UKENDT");
        assert_eq!(record_signing(&mut ws, OrgCode(101), "Anna", " ", b"x", &author).unwrap_err().code, "K-UNDERSKRIFT-EGENSKAB");
    }
}
