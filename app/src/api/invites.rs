//! Invites and registration. An invite carries no key material: the server draws the link's
//! token and mails it, so whatever reads the mail, the outbox or a log can at most register —
//! keys come only from a key holder's approval afterwards (`keys`).

use crate::domain::ids::UnitId;
use crate::domain::roles::Role;
use serde::{Deserialize, Serialize};

use super::account::NewKeyPair;

/// `POST` [`NewInvite`] → [`Invited`]; `GET` (query: [`InviteQuery`]) → `[InviteSummary]`, one
/// page of the pending invites the caller may see, newest first.
pub const INVITES: &str = "/invites";
/// The most invites one page shows.
pub const INVITES_SHOWN: i64 = 100;

/// Which page of invites: those older than `before` (`created_at.id` of the previous page's
/// last invite), or the newest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteQuery {
    pub before: Option<String>,
}
/// `GET` → [`InviteDetails`] (the registration page; public, by the mailed token).
pub const INVITE_BY_TOKEN: &str = "/invites/by-token/{token}";
/// `DELETE` → 204: cancels a pending invite.
pub const INVITE: &str = "/invites/{id}";
/// `POST` → 204: re-sends a pending invite (a new link valid a week; the old one stops working).
pub const INVITE_RESEND: &str = "/invites/{id}/resend";
/// `POST` [`Registration`] → 201 [`Registered`].
pub const INVITE_ACCEPT: &str = "/invites/by-token/{token}/accept";

/// What an inviter sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInvite {
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Researcher invites to a project (DDS `?project=`): its public id, and whether the invitee
    /// becomes its Project Owner.
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub owner: bool,
}

/// What an invite request did (one field names which).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Invited {
    /// A new invite was mailed: `{"id"}`.
    Sent { id: i64 },
    /// A known Researcher joined the project; their access waits for approval: `{"added"}`.
    Added { added: String },
    /// A member's Project Owner flag changed: `{"changed"}`.
    Changed { changed: String },
    /// A pending Researcher invite now also leads to the project: `{"added_to_invite"}`.
    AddedToInvite { added_to_invite: i64 },
}

/// What the registration page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteDetails {
    pub email: String,
    pub role: Role,
    pub unit: Option<String>,
    pub expires_at: i64,
    /// Staff invites: whether the unit has a key. Without one, the registering browser makes it
    /// (the unit's first staff member); with one, the newcomer waits for a Unit Admin's approval.
    pub unit_has_key: bool,
    /// Researcher invites: the projects it leads to (access to each waits for approval).
    pub projects: Vec<InvitedProject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitedProject {
    pub public_id: String,
    pub title: String,
    pub is_owner: bool,
}

/// A pending invite, as the invites page lists it (and the server's listing query reads it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct InviteSummary {
    pub id: i64,
    pub email: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: Role,
    pub unit_id: Option<UnitId>,
    pub created_at: i64,
    pub expires_at: i64,
    /// The projects a Researcher invite leads to (public ids).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", sqlx(skip))]
    pub projects: Vec<String>,
}

/// What the invitee's browser sends to register: name, username, and the credentials and new
/// key pair it derived (the password itself never leaves the browser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub name: String,
    pub username: String,
    #[serde(flatten)]
    pub credentials: NewKeyPair,
    /// The unit's first staff member: the unit key pair their browser made (the unit had none).
    #[serde(default)]
    pub unit_public_key: Option<String>,
    /// With `unit_public_key`: the new unit private key sealed to the new public key.
    #[serde(default)]
    pub sealed_unit_key: Option<String>,
}

/// The account a registration made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registered {
    pub username: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_own_field() {
        for (outcome, json) in [
            (Invited::Sent { id: 3 }, r#"{"id":3}"#),
            (Invited::Added { added: "ada".into() }, r#"{"added":"ada"}"#),
            (Invited::Changed { changed: "ada".into() }, r#"{"changed":"ada"}"#),
            (Invited::AddedToInvite { added_to_invite: 4 }, r#"{"added_to_invite":4}"#),
        ] {
            assert_eq!(serde_json::to_string(&outcome).unwrap(), json);
            assert_eq!(serde_json::from_str::<Invited>(json).unwrap(), outcome);
        }
    }
}
