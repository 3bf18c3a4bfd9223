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
