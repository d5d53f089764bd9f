//! Access to unit and project keys by approval (docs/security.md "Threat model"). Nothing is
//! sealed automatically: someone waiting is shown to the key holders who may approve, with what
//! identifies them; the approver's browser computes the fingerprint of the public key it is
//! about to seal to, and seals only when the approver confirms.

use serde::{Deserialize, Serialize};

use crate::domain::roles::Role;

/// `GET`: the caller's unit key and who waits for it (Unit Admins only see the waiting list).
pub const UNIT_KEYS: &str = "/units/me/keys";
/// `POST` [`Approval`]: a Unit Admin grants a colleague the unit key.
pub const UNIT_KEY_APPROVALS: &str = "/units/me/keys/approvals";
/// `POST` [`Approval`]: unit staff or a Project Owner grants a member the project key.
pub const PROJECT_APPROVALS: &str = "/projects/{public_id}/approvals";

/// Where someone's current key pair comes from, and so why they wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum KeyOrigin {
    /// Made at registration by invitation.
    Registration,
    /// Made at a password reset: the old key pair, and every seal made for it, is gone.
    PasswordReset,
}

impl KeyOrigin {
    /// The spelling in the database (`user_credentials.key_origin`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOrigin::Registration => "registration",
            KeyOrigin::PasswordReset => "password-reset",
        }
    }

    pub fn parse(value: &str) -> Option<KeyOrigin> {
        [KeyOrigin::Registration, KeyOrigin::PasswordReset].into_iter().find(|o| o.as_str() == value)
    }
}

/// Someone waiting for a key, as an approver is shown them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingMember {
    pub username: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub origin: KeyOrigin,
    /// "Name (username)" of whoever invited them, when known.
    pub invited_by: Option<String>,
    /// Their current public key (base64): what an approval seals to. Pages show its fingerprint,
    /// computed in the browser from these bytes, never a fingerprint the server sends.
    pub public_key: String,
}

impl WaitingMember {
    /// Why they wait, for a person.
    pub fn reason(&self) -> String {
        match (self.origin, &self.invited_by) {
            (KeyOrigin::Registration, Some(inviter)) => format!("Invited by {inviter}"),
            (KeyOrigin::Registration, None) => "Registered by invitation".to_string(),
            (KeyOrigin::PasswordReset, _) => "Reset their password (a new key pair)".to_string(),
        }
    }
}

/// An approval: the key sealed to `public_key`, which must still be the member's current public
/// key (else the server answers 409 and the approver looks again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approval {
    pub username: String,
    pub public_key: String,
    pub sealed: String,
}

/// `GET` [`UNIT_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitKeys {
    /// `None`: the unit has no key yet (its first staff member's browser makes it).
    pub unit_public_key: Option<String>,
    /// The caller's own seal of the unit key; `None` while waiting for approval.
    pub sealed_unit_key: Option<String>,
    /// Whether the caller may approve colleagues (a Unit Admin holding the key).
    pub may_approve: bool,
    /// Colleagues waiting for the unit key (empty unless `may_approve`).
    pub waiting: Vec<WaitingMember>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_round_trip_and_reasons_read_well() {
        for origin in [KeyOrigin::Registration, KeyOrigin::PasswordReset] {
            assert_eq!(KeyOrigin::parse(origin.as_str()), Some(origin));
            let json = serde_json::to_string(&origin).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", origin.as_str()),
                "one spelling on the wire and in the database"
            );
        }
        assert_eq!(KeyOrigin::parse("other"), None);
        let mut member = WaitingMember {
            username: "ada".into(),
            name: "Ada".into(),
            email: "ada@example.org".into(),
            role: Role::Researcher,
            origin: KeyOrigin::Registration,
            invited_by: Some("Unit Admin 1 (unitadmin_1)".into()),
            public_key: String::new(),
        };
        assert_eq!(member.reason(), "Invited by Unit Admin 1 (unitadmin_1)");
        member.origin = KeyOrigin::PasswordReset;
        assert_eq!(member.reason(), "Reset their password (a new key pair)");
    }
}
