//! The DDS roles and what each one sees in the navigation.
//!
//! Permissions per endpoint live in the server's authorization module; this module only holds the
//! role vocabulary and the navigation shown for each role, so pages and server agree on both.

use serde::{Deserialize, Serialize};

/// An account's role. "Project Owner" is not an account role: it is a per-project flag on a
/// Researcher's membership (as in DDS), so it does not appear here.
/// One spelling everywhere: on the wire (serde), in the database and in pages ("Unit Admin").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    #[serde(rename = "Super Admin")]
    SuperAdmin,
    #[serde(rename = "Unit Admin")]
    UnitAdmin,
    #[serde(rename = "Unit Personnel")]
    UnitPersonnel,
    Researcher,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::SuperAdmin, Role::UnitAdmin, Role::UnitPersonnel, Role::Researcher];

    /// DDS's spelling, used in messages and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SuperAdmin => "Super Admin",
            Role::UnitAdmin => "Unit Admin",
            Role::UnitPersonnel => "Unit Personnel",
            Role::Researcher => "Researcher",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// Unit staff belong to exactly one unit; other roles belong to none.
    pub fn belongs_to_unit(self) -> bool {
        matches!(self, Role::UnitAdmin | Role::UnitPersonnel)
    }
}

/// A stored spelling back to its role (rows decode through it).
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(value: String) -> Result<Role, String> {
        Role::parse(&value).ok_or_else(|| format!("unknown role {value}"))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One link of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

const HOME: NavItem = NavItem { label: "Home", href: "/" };
const LOG_IN: NavItem = NavItem { label: "Log in", href: "/login" };
const USERS: NavItem = NavItem { label: "Users", href: "/users" };
const INVITES: NavItem = NavItem { label: "Invites", href: "/invites" };
const ACCOUNT: NavItem = NavItem { label: "Account", href: "/account" };
const ADMIN: NavItem = NavItem { label: "Admin", href: "/admin" };
const PROJECTS: NavItem = NavItem { label: "Projects", href: "/projects" };
const UNIT: NavItem = NavItem { label: "Unit", href: "/unit" };

/// The navigation for a visitor (`None`) or a signed-in user of the given role. Only pages that
/// exist are listed.
pub fn nav_items(role: Option<Role>) -> Vec<NavItem> {
    match role {
        None => vec![HOME, LOG_IN],
        Some(Role::SuperAdmin) => vec![HOME, PROJECTS, USERS, INVITES, ADMIN, ACCOUNT],
        Some(Role::UnitAdmin | Role::UnitPersonnel) => vec![HOME, UNIT, PROJECTS, USERS, INVITES, ACCOUNT],
        Some(Role::Researcher) => vec![HOME, PROJECTS, ACCOUNT],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_spells_roles_as_the_database_and_pages_do() {
        for role in Role::ALL {
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.as_str()));
            assert_eq!(serde_json::from_str::<Role>(&format!("\"{role}\"")).unwrap(), role);
        }
    }

    #[test]
    fn role_names_round_trip_with_dds_spelling() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Project Owner"), None, "Project Owner is a membership flag");
        assert_eq!(Role::parse("unit admin"), None);
    }

    #[test]
    fn only_unit_staff_belong_to_a_unit() {
        assert!(Role::UnitAdmin.belongs_to_unit());
        assert!(Role::UnitPersonnel.belongs_to_unit());
        assert!(!Role::SuperAdmin.belongs_to_unit());
        assert!(!Role::Researcher.belongs_to_unit());
    }

    #[test]
    fn visitors_see_only_home_and_log_in() {
        assert_eq!(nav_items(None), vec![HOME, LOG_IN]);
    }

    #[test]
    fn staff_and_super_admins_see_user_administration() {
        for role in Role::ALL {
            let items = nav_items(Some(role));
            let staff = role != Role::Researcher;
            assert_eq!(items.contains(&USERS), staff, "{role}");
            assert_eq!(items.contains(&INVITES), staff, "{role}");
            assert_eq!(items.contains(&UNIT), role.belongs_to_unit(), "the unit dashboard: {role}");
            assert!(items.contains(&ACCOUNT) && !items.contains(&LOG_IN), "{role}");
            assert!(items.contains(&PROJECTS), "{role}");
        }
    }

    #[test]
    fn only_super_admins_see_the_admin_console() {
        for role in Role::ALL {
            assert_eq!(nav_items(Some(role)).contains(&ADMIN), role == Role::SuperAdmin, "{role}");
        }
        assert!(!nav_items(None).contains(&ADMIN));
    }
}
