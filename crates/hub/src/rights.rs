//! Who may read and write which document of a joint DPIA.
//!
//! A CRDT update cannot be partly accepted, so rights follow document boundaries:
//! - `coordination`: only a coordinator token of the DPIA's coordinating organisation;
//! - `base`: the coordinator, and — under the policy "all" — every participant's member token;
//! - `supplement/101`: only member/coordinator tokens of organisation 101 (a participant);
//! - `remarks/101`, `remarks/101/101` (the høring): only member/coordinator tokens of 101;
//! - `remarks/coordinator`, `remarks/coordinator/101`: only the coordinator;
//! - reader tokens write nothing.
//!
//! Every participant and the coordinator may read every document of the DPIA, except the
//! threads on a supplement (`remarks/101/101`, `remarks/coordinator/101`): those only
//! municipality 101 and the coordinator read.

use konsekvens_core::doc::{Party, RemarkScope};
use konsekvens_core::DocKey;

/// A token's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Coordinator,
    Member,
    Reader,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Member => "member",
            Role::Reader => "reader",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "coordinator" => Some(Role::Coordinator),
            "member" => Some(Role::Member),
            "reader" => Some(Role::Reader),
            _ => None,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s).ok_or_else(|| format!("«{s}» is not a role (coordinator, member or reader)"))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may write the base document of a joint DPIA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BasePolicy {
    /// Every participant (member or coordinator token) and the coordinator.
    AllParticipants,
    /// The coordinator only.
    CoordinatorOnly,
}

impl BasePolicy {
    pub fn as_str(&self) -> &'static str {
        match self {
            BasePolicy::AllParticipants => "all",
            BasePolicy::CoordinatorOnly => "coordinator",
        }
    }
    pub fn parse(s: &str) -> Option<BasePolicy> {
        match s {
            "all" => Some(BasePolicy::AllParticipants),
            "coordinator" => Some(BasePolicy::CoordinatorOnly),
            _ => None,
        }
    }
}

impl std::str::FromStr for BasePolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BasePolicy::parse(s).ok_or_else(|| format!("«{s}» is not a base policy (all or coordinator)"))
    }
}

/// An authenticated token (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub org: String,
    pub role: Role,
}

/// A registered joint DPIA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpiaInfo {
    pub id: String,
    pub title: String,
    pub coordinator: String,
    pub base_policy: BasePolicy,
    pub participants: Vec<String>,
}

impl DpiaInfo {
    pub fn is_participant(&self, org: &str) -> bool {
        self.participants.iter().any(|p| p == org)
    }

    fn is_coordinator(&self, who: &TokenInfo) -> bool {
        who.role == Role::Coordinator && who.org == self.coordinator
    }

    /// Whether the document exists in this DPIA (a supplement only for a participant).
    pub fn has_document(&self, key: DocKey) -> bool {
        match key {
            DocKey::Coordination | DocKey::Base => true,
            DocKey::Supplement(code) => self.is_participant(&code.to_string()),
            DocKey::Remarks(RemarkScope { by, private }) => {
                let writer = match by {
                    Party::Coordinator => true,
                    Party::Org(code) => self.is_participant(&code.to_string()),
                };
                writer && private.is_none_or(|code| self.is_participant(&code.to_string()))
            }
        }
    }

    /// Reading one document: [`DpiaInfo::may_read`], and a supplement's threads only for that
    /// municipality and the coordinator.
    pub fn may_read_doc(&self, who: &TokenInfo, key: DocKey) -> Result<(), String> {
        self.may_read(who)?;
        match key {
            DocKey::Remarks(RemarkScope { private: Some(code), .. }) if who.org != code.to_string() && who.org != self.coordinator => Err(format!(
                "{key} læses kun af kommune {code} og koordinatoren ({}): tråde om et tillæg er deres (read only by municipality {code} and the coordinator)",
                self.coordinator
            )),
            _ => Ok(()),
        }
    }

    /// Reading: the coordinator and every participant read every document.
    pub fn may_read(&self, who: &TokenInfo) -> Result<(), String> {
        if who.org == self.coordinator || self.is_participant(&who.org) {
            Ok(())
        } else {
            Err(format!(
                "organisation {} deltager ikke i den fælles konsekvensanalyse {} (organisation {} takes no part in the joint DPIA {})",
                who.org, self.id, who.org, self.id
            ))
        }
    }

    /// Writing one document; `Err` carries the reason sent back to the client.
    pub fn may_write(&self, who: &TokenInfo, key: DocKey) -> Result<(), String> {
        self.may_read(who)?;
        if who.role == Role::Reader {
            return Err(format!("tokenet må kun læse: {} må ikke skrive {key} (read-only token: {} may not write {key})", who.org, who.org));
        }
        match key {
            DocKey::Coordination if self.is_coordinator(who) => Ok(()),
            DocKey::Coordination => {
                Err(format!(
                    "kun koordinatoren ({}) skriver koordineringsdokumentet (only the coordinator ({}) writes the coordination document)",
                    self.coordinator, self.coordinator
                ))
            }
            DocKey::Base if self.is_coordinator(who) => Ok(()),
            DocKey::Base if self.base_policy == BasePolicy::AllParticipants && self.is_participant(&who.org) => Ok(()),
            DocKey::Base => Err(format!(
                "basen i {} skrives kun af koordinatoren ({}) (the base of {} is written by the coordinator ({}) only)",
                self.id, self.coordinator, self.id, self.coordinator
            )),
            DocKey::Supplement(code) if code.to_string() == who.org && self.is_participant(&who.org) => Ok(()),
            DocKey::Supplement(code) => {
                Err(format!(
                    "{key} skrives kun af kommune {code}, ikke af {} ({key} is written only by municipality {code}, not by {})",
                    who.org, who.org
                ))
            }
            DocKey::Remarks(RemarkScope { by: Party::Coordinator, .. }) if self.is_coordinator(who) => Ok(()),
            DocKey::Remarks(RemarkScope { by: Party::Coordinator, .. }) => Err(format!(
                "koordinatorens svar og høringsrunder ({key}) skrives kun af koordinatoren ({}), ikke af {} (only the coordinator writes {key})",
                self.coordinator, who.org
            )),
            DocKey::Remarks(RemarkScope { by: Party::Org(code), .. }) if code.to_string() == who.org && self.is_participant(&who.org) => Ok(()),
            DocKey::Remarks(RemarkScope { by: Party::Org(code), .. }) => Err(format!(
                "{key} er kommune {code}s bemærkninger og skrives kun af den, ikke af {} ({key} is written only by municipality {code}, not by {})",
                who.org, who.org
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use konsekvens_core::model::OrgCode;

    fn dpia(policy: BasePolicy) -> DpiaInfo {
        DpiaInfo {
            id: "aula".into(),
            title: "AULA".into(),
            coordinator: "KL".into(),
            base_policy: policy,
            participants: vec!["101".into(), "561".into()],
        }
    }
    fn tok(org: &str, role: Role) -> TokenInfo {
        TokenInfo { id: 1, org: org.into(), role }
    }

    #[test]
    fn the_rights_table() {
        let all = dpia(BasePolicy::AllParticipants);
        let only = dpia(BasePolicy::CoordinatorOnly);
        let kbh = tok("101", Role::Member);
        let kl = tok("KL", Role::Coordinator);
        let s101 = DocKey::Supplement(OrgCode(101));
        let s561 = DocKey::Supplement(OrgCode(561));
        assert!(all.may_write(&kbh, s101).is_ok());
        assert!(all.may_write(&kbh, s561).is_err());
        assert!(all.may_write(&kbh, DocKey::Base).is_ok());
        assert!(only.may_write(&kbh, DocKey::Base).is_err());
        assert!(all.may_write(&kbh, DocKey::Coordination).is_err());
        assert!(only.may_write(&kl, DocKey::Base).is_ok());
        assert!(all.may_write(&kl, DocKey::Coordination).is_ok());
        assert!(all.may_write(&kl, s101).is_err());
        assert!(all.may_write(&tok("101", Role::Reader), s101).is_err());
        assert!(all.may_write(&tok("101", Role::Coordinator), DocKey::Coordination).is_err());
        assert!(all.may_read(&tok("999", Role::Member)).is_err());
        assert!(all.may_read(&tok("561", Role::Reader)).is_ok());
    }

    #[test]
    fn the_hoering_rights_table() {
        let all = dpia(BasePolicy::CoordinatorOnly);
        let kbh = tok("101", Role::Member);
        let esb = tok("561", Role::Member);
        let kl = tok("KL", Role::Coordinator);
        let key = |s: &str| DocKey::parse(s).unwrap();
        assert!(all.may_write(&kbh, key("remarks/101")).is_ok());
        assert!(all.may_write(&kbh, key("remarks/101/101")).is_ok());
        assert!(all.may_write(&esb, key("remarks/101")).is_err());
        assert!(all.may_write(&kbh, key("remarks/coordinator")).is_err());
        assert!(all.may_write(&kbh, key("remarks/coordinator/101")).is_err());
        assert!(all.may_write(&tok("101", Role::Coordinator), key("remarks/coordinator")).is_err());
        assert!(all.may_write(&kl, key("remarks/coordinator/561")).is_ok());
        assert!(all.may_write(&kl, key("remarks/101")).is_err());
        assert!(all.may_write(&tok("101", Role::Reader), key("remarks/101")).is_err());
        // A supplement's threads: the municipality and the coordinator read them.
        assert!(all.may_read_doc(&esb, key("remarks/101")).is_ok());
        assert!(all.may_read_doc(&esb, key("remarks/101/101")).is_err());
        assert!(all.may_read_doc(&esb, key("remarks/coordinator/101")).is_err());
        assert!(all.may_read_doc(&tok("101", Role::Reader), key("remarks/coordinator/101")).is_ok());
        assert!(all.may_read_doc(&kl, key("remarks/101/101")).is_ok());
        assert!(all.has_document(key("remarks/561/561")) && !all.has_document(key("remarks/999")) && !all.has_document(key("remarks/coordinator/999")));
    }
}
