//! Project rules as far as accounts need them (DDS §1.2, §5, §6.6): who may create a project,
//! who stands in which capacity towards one, who may bring Researchers in, and who may restore a
//! member's access after a password reset. Pure rules; the server asks them, the pages mirror them.

use serde::{Deserialize, Serialize};

use crate::domain::ids::{UnitId, UserId};
use crate::domain::permissions::{Actor, Decision, Denied};
use crate::domain::project_status::ProjectStatus;
use crate::domain::roles::Role;

/// How the caller's browser reaches a project's private key (`key` of `GET /projects/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum KeyPath {
    /// Staff: open the unit key (`GET units/me/keys`), then this seal.
    UnitKey { sealed: String },
    /// Researchers: open this seal with their own private key.
    Member { sealed: String },
    /// Access pending: nobody has sealed the key to the caller's current public key yet.
    Pending,
    /// Super Admins hold no project keys.
    None,
}

impl KeyPath {
    /// DDS's Access column: the key is reachable (`Some(true)`), pending, or never (`None`).
    pub fn access(&self) -> Option<bool> {
        match self {
            KeyPath::UnitKey { .. } | KeyPath::Member { .. } => Some(true),
            KeyPath::Pending => Some(false),
            KeyPath::None => None,
        }
    }
}

/// One line of `GET /projects`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectSummary {
    pub public_id: String,
    pub title: String,
    pub pi: String,
    pub unit: String,
    pub status: ProjectStatus,
    pub created_at: i64,
    /// The caller's capacity: "Unit Admin", "Unit Personnel", "Project Owner", "Researcher",
    /// "Super Admin".
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub capacity: Capacity,
    /// Whether the caller holds the project key now (`None` for Super Admins: never).
    pub access: Option<bool>,
}

/// How a user stands towards one project. On the wire as its [`Capacity::label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "&str", try_from = "String")]
pub enum Capacity {
    /// Unit Admin or Unit Personnel of the project's unit: every project of the unit, through
    /// the unit key.
    Staff(Role),
    /// A Researcher member with DDS's Project Owner flag.
    Owner,
    /// A Researcher member.
    Member,
    /// Super Admins list projects but hold no project keys (DDS: no data access).
    Operator,
    /// Anyone else: the project is not shown to them.
    Outsider,
}

impl Capacity {
    /// `membership`: the Researcher's membership of the project (`Some(is_owner)`), if any.
    pub fn of(actor: &Actor, project_unit: UnitId, membership: Option<bool>) -> Capacity {
        match actor.role {
            Role::SuperAdmin => Capacity::Operator,
            Role::UnitAdmin | Role::UnitPersonnel if actor.unit_id == Some(project_unit) => {
                Capacity::Staff(actor.role)
            }
            Role::UnitAdmin | Role::UnitPersonnel => Capacity::Outsider,
            Role::Researcher => match membership {
                Some(true) => Capacity::Owner,
                Some(false) => Capacity::Member,
                None => Capacity::Outsider,
            },
        }
    }

    /// DDS's name for it, as shown in listings.
    pub fn label(self) -> &'static str {
        match self {
            Capacity::Staff(role) => role.as_str(),
            Capacity::Owner => "Project Owner",
            Capacity::Member => "Researcher",
            Capacity::Operator => "Super Admin",
            Capacity::Outsider => "",
        }
    }

    /// The capacity a label names (the inverse of [`Capacity::label`]).
    pub fn parse(label: &str) -> Option<Capacity> {
        Some(match label {
            "Unit Admin" => Capacity::Staff(Role::UnitAdmin),
            "Unit Personnel" => Capacity::Staff(Role::UnitPersonnel),
            "Project Owner" => Capacity::Owner,
            "Researcher" => Capacity::Member,
            "Super Admin" => Capacity::Operator,
            "" => Capacity::Outsider,
            _ => return None,
        })
    }

    /// Whether the project appears in the user's listing at all.
    pub fn sees_project(self) -> bool {
        self != Capacity::Outsider
    }

    /// Whether the user is meant to hold the project key (Super Admins never are).
    pub fn holds_key(self) -> bool {
        matches!(self, Capacity::Staff(_) | Capacity::Owner | Capacity::Member)
    }

    /// Whether the user sees who the project's members are (and their access).
    pub fn sees_members(self) -> bool {
        matches!(self, Capacity::Staff(_) | Capacity::Owner)
    }
}

impl From<Capacity> for &'static str {
    fn from(capacity: Capacity) -> &'static str {
        capacity.label()
    }
}

impl TryFrom<String> for Capacity {
    type Error = String;

    fn try_from(label: String) -> Result<Capacity, String> {
        Capacity::parse(&label).ok_or_else(|| format!("unknown capacity '{label}'"))
    }
}

pub const NOT_ENOUGH_UNIT_ADMINS: &str = "Your unit does not have enough Unit Admins. At least two Unit Admins are required for a project to be created.";

pub const ONLY_TWO_UNIT_ADMINS: &str = "Your unit has only two Unit Admins. If both lose access to their keys (for example by resetting their passwords), the data of this project cannot be recovered. Invite a third Unit Admin, or confirm to create the project anyway.";

/// What a creation attempt gets: allowed, allowed once confirmed, or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Creation {
    Allowed,
    NeedsConfirmation(&'static str),
}

/// Creating a project (DDS: Unit Admins and Unit Personnel; the unit needs two Unit Admins, and
/// with exactly two the creator must confirm).
pub fn may_create_project(actor: &Actor, unit_admins: usize, confirmed: bool) -> Result<Creation, Denied> {
    if !actor.role.belongs_to_unit() || actor.unit_id.is_none() {
        return Err(Denied("Only Unit Admins and Unit Personnel can create projects."));
    }
    match unit_admins {
        0 | 1 => Err(Denied(NOT_ENOUGH_UNIT_ADMINS)),
        2 if !confirmed => Ok(Creation::NeedsConfirmation(ONLY_TWO_UNIT_ADMINS)),
        _ => Ok(Creation::Allowed),
    }
}

/// Inviting a Researcher to the project, or adding an existing one (DDS §1.2: unit staff of the
/// project's unit and its Project Owners; Super Admins have no project keys to share).
pub fn may_bring_in_researchers(capacity: Capacity) -> Decision {
    match capacity {
        Capacity::Staff(_) | Capacity::Owner => Ok(()),
        Capacity::Operator => {
            Err(Denied("Super Admins cannot give access to projects: they hold no project keys."))
        }
        Capacity::Member => Err(Denied("Only unit staff and Project Owners can add users to a project.")),
        Capacity::Outsider => Err(Denied("Project access denied.")),
    }
}

/// Approving a member's project access (DDS's `project access fix`, by an explicit approval):
/// unit staff of the project's unit approve Project Owners and Researchers; Project Owners
/// approve Project Owners and Researchers. Staff access goes through the unit key (see
/// `unit_keys`). Nobody approves their own access.
pub fn may_approve_access(approver: Capacity, approver_id: UserId, member_id: UserId) -> Decision {
    if approver_id == member_id {
        return Err(Denied("You cannot approve your own access: someone who holds the key must do it."));
    }
    match approver {
        Capacity::Staff(_) | Capacity::Owner => Ok(()),
        _ => Err(Denied("Only unit staff and Project Owners can approve project access.")),
    }
}

/// Title, description and PI as DDS checks them at creation.
pub fn check_project_details(title: &str, description: &str, pi: &str) -> Result<(), &'static str> {
    let title = title.trim();
    if title.is_empty() {
        return Err("The project needs a title.");
    }
    if title.chars().count() > 255 {
        return Err("The title can be at most 255 characters.");
    }
    if description.trim().is_empty() {
        return Err("The project needs a description.");
    }
    if description.chars().count() > 5000 {
        return Err("The description can be at most 5000 characters.");
    }
    let pi = pi.trim();
    let looks_like_email = pi.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    });
    if !looks_like_email || pi.chars().any(char::is_whitespace) || pi.len() > 254 {
        return Err("The PI must be given as a valid email address.");
    }
    Ok(())
}

/// DDS's project ids: the unit's internal reference and a five-digit counter (`intref00001`).
pub fn public_id(internal_ref: &str, counter: i64) -> String {
    format!("{internal_ref}{counter:05}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: UnitId = UnitId(1);

    fn actor(role: Role, unit: Option<UnitId>) -> Actor {
        Actor { user_id: UserId(100), role, unit_id: unit }
    }

    #[test]
    fn capacity_by_role_unit_and_membership() {
        let staff = actor(Role::UnitAdmin, Some(UNIT));
        assert_eq!(Capacity::of(&staff, UNIT, None), Capacity::Staff(Role::UnitAdmin));
        assert_eq!(Capacity::of(&staff, UnitId(2), None), Capacity::Outsider, "another unit's project");
        let personnel = actor(Role::UnitPersonnel, Some(UNIT));
        assert_eq!(Capacity::of(&personnel, UNIT, None), Capacity::Staff(Role::UnitPersonnel));
        let researcher = actor(Role::Researcher, None);
        assert_eq!(Capacity::of(&researcher, UNIT, Some(true)), Capacity::Owner);
        assert_eq!(Capacity::of(&researcher, UNIT, Some(false)), Capacity::Member);
        assert_eq!(Capacity::of(&researcher, UNIT, None), Capacity::Outsider);
        let operator = actor(Role::SuperAdmin, None);
        assert_eq!(Capacity::of(&operator, UNIT, None), Capacity::Operator);
        assert!(Capacity::Operator.sees_project() && !Capacity::Operator.holds_key());
        assert!(!Capacity::Outsider.sees_project());
        assert!(Capacity::Owner.sees_members() && !Capacity::Member.sees_members());
    }

    #[test]
    fn capacity_has_one_spelling_on_the_wire() {
        let all = [
            Capacity::Staff(Role::UnitAdmin),
            Capacity::Staff(Role::UnitPersonnel),
            Capacity::Owner,
            Capacity::Member,
            Capacity::Operator,
        ];
        for capacity in all {
            let json = serde_json::to_string(&capacity).unwrap();
            assert_eq!(json, format!("\"{}\"", capacity.label()));
            assert_eq!(serde_json::from_str::<Capacity>(&json).unwrap(), capacity);
        }
        assert!(serde_json::from_str::<Capacity>("\"Owner\"").is_err());
    }

    #[test]
    fn creation_needs_unit_staff_and_two_unit_admins() {
        for role in Role::ALL {
            let unit = role.belongs_to_unit().then_some(UNIT);
            let allowed = may_create_project(&actor(role, unit), 3, false).is_ok();
            assert_eq!(allowed, role.belongs_to_unit(), "{role}");
        }
        let staff = actor(Role::UnitPersonnel, Some(UNIT));
        assert_eq!(may_create_project(&staff, 1, true), Err(Denied(NOT_ENOUGH_UNIT_ADMINS)));
        assert_eq!(
            may_create_project(&staff, 2, false),
            Ok(Creation::NeedsConfirmation(ONLY_TWO_UNIT_ADMINS))
        );
        assert_eq!(may_create_project(&staff, 2, true), Ok(Creation::Allowed));
        assert_eq!(may_create_project(&staff, 3, false), Ok(Creation::Allowed));
    }

    #[test]
    fn staff_and_owners_bring_researchers_in() {
        let allowed = |c| may_bring_in_researchers(c).is_ok();
        assert!(allowed(Capacity::Staff(Role::UnitAdmin)));
        assert!(allowed(Capacity::Staff(Role::UnitPersonnel)));
        assert!(allowed(Capacity::Owner));
        assert!(!allowed(Capacity::Member));
        assert!(!allowed(Capacity::Operator));
        assert!(!allowed(Capacity::Outsider));
    }

    #[test]
    fn access_is_approved_by_staff_and_owners_never_by_oneself() {
        for fixer in [Capacity::Staff(Role::UnitAdmin), Capacity::Staff(Role::UnitPersonnel), Capacity::Owner]
        {
            assert!(may_approve_access(fixer, UserId(1), UserId(2)).is_ok(), "{fixer:?}");
            assert!(may_approve_access(fixer, UserId(1), UserId(1)).is_err(), "{fixer:?} on themselves");
        }
        for fixer in [Capacity::Member, Capacity::Operator, Capacity::Outsider] {
            assert!(may_approve_access(fixer, UserId(1), UserId(2)).is_err(), "{fixer:?}");
        }
    }

    #[test]
    fn project_details_are_checked() {
        assert!(check_project_details("Genomes", "Whole genome sequencing", "pi@uni.se").is_ok());
        assert!(check_project_details(" ", "d", "pi@uni.se").is_err());
        assert!(check_project_details(&"t".repeat(256), "d", "pi@uni.se").is_err());
        assert!(check_project_details("t", "  ", "pi@uni.se").is_err());
        for bad_pi in ["", "pi", "pi@", "@uni.se", "pi@uni", "p i@uni.se", "pi@.se"] {
            assert!(check_project_details("t", "d", bad_pi).is_err(), "{bad_pi:?}");
        }
    }

    #[test]
    fn public_ids_follow_dds() {
        assert_eq!(public_id("intref", 1), "intref00001");
        assert_eq!(public_id("ngi", 123456), "ngi123456");
    }
}
