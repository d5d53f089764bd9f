//! The DDS roles and what each one sees in the navigation.
//!
//! Permissions per endpoint live in the server's authorization module; this module only holds the
//! role vocabulary and the navigation shown for each role, so pages and server agree on both.

use serde::{Deserialize, Serialize};

/// An account's role. "Project Owner" is not an account role: it is a per-project flag on a
/// Researcher's membership (as in DDS), so it does not appear here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    SuperAdmin,
    UnitAdmin,
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
const PROJECTS: NavItem = NavItem { label: "Projects", href: "/projects" };
const USERS: NavItem = NavItem { label: "Users", href: "/users" };
const INVITES: NavItem = NavItem { label: "Invites", href: "/invites" };
const UNITS: NavItem = NavItem { label: "Units", href: "/admin/units" };
const ACCOUNT: NavItem = NavItem { label: "Account", href: "/account" };

/// The navigation for a visitor (`None`) or a signed-in user of the given role.
pub fn nav_items(role: Option<Role>) -> Vec<NavItem> {
    match role {
        None => vec![HOME, LOG_IN],
        Some(Role::SuperAdmin) => vec![HOME, PROJECTS, USERS, INVITES, UNITS, ACCOUNT],
        Some(Role::UnitAdmin | Role::UnitPersonnel) => {
            vec![HOME, PROJECTS, USERS, INVITES, ACCOUNT]
        }
        Some(Role::Researcher) => vec![HOME, PROJECTS, ACCOUNT],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn only_super_admins_see_units() {
        for role in Role::ALL {
            let sees_units = nav_items(Some(role)).contains(&UNITS);
            assert_eq!(sees_units, role == Role::SuperAdmin, "{role}");
        }
    }

    #[test]
    fn researchers_do_not_see_user_administration() {
        let items = nav_items(Some(Role::Researcher));
        assert!(!items.contains(&USERS));
        assert!(!items.contains(&INVITES));
        assert!(items.contains(&PROJECTS));
    }
}
