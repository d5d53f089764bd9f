//! Who may do what to whom in account administration (DDS's permission matrix, §1.2 of the
//! parity notes). Pure rules: the server's authorization module asks these functions and maps a
//! [`Denied`] to HTTP 403 with its sentence. Project-level rules arrive with the projects work.

use crate::domain::ids::{UnitId, UserId};
use crate::domain::roles::Role;

/// The signed-in user, as far as the rules need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub unit_id: Option<UnitId>,
}

/// The account (or invite) acted upon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub user_id: Option<UserId>,
    pub role: Role,
    pub unit_id: Option<UnitId>,
}

/// A refusal with the sentence the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub &'static str);

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

pub type Decision = Result<(), Denied>;

fn same_unit(actor: &Actor, subject: &Subject) -> bool {
    actor.unit_id.is_some() && actor.unit_id == subject.unit_id
}

fn is_self(actor: &Actor, subject: &Subject) -> bool {
    subject.user_id == Some(actor.user_id)
}

/// Inviting an account of `subject.role` (into `subject.unit_id` for unit staff). Researchers
/// invited to a project are checked by the project rules (Project Owners may invite there).
pub fn may_invite(actor: &Actor, subject: &Subject) -> Decision {
    const OWN_UNIT: &str = "You can only invite users to your own unit.";
    match (actor.role, subject.role) {
        (Role::SuperAdmin, Role::UnitAdmin | Role::UnitPersonnel) if subject.unit_id.is_none() => {
            Err(Denied("A unit is required to invite a Unit Admin or Unit Personnel."))
        }
        (Role::SuperAdmin, _) => Ok(()),
        (Role::UnitAdmin, Role::UnitAdmin | Role::UnitPersonnel)
        | (Role::UnitPersonnel, Role::UnitPersonnel) => {
            if same_unit(actor, subject) {
                Ok(())
            } else {
                Err(Denied(OWN_UNIT))
            }
        }
        (Role::UnitAdmin | Role::UnitPersonnel, Role::Researcher) => Ok(()),
        (Role::UnitPersonnel, Role::UnitAdmin) => Err(Denied("Unit Personnel cannot invite Unit Admins.")),
        (Role::UnitAdmin | Role::UnitPersonnel, Role::SuperAdmin) => {
            Err(Denied("Only Super Admins can invite Super Admins."))
        }
        (Role::Researcher, _) => Err(Denied("You do not have permission to invite users.")),
    }
}

/// Listing accounts: Super Admins see everyone, unit staff their unit.
pub fn may_list_users(actor: &Actor) -> Decision {
    match actor.role {
        Role::SuperAdmin | Role::UnitAdmin | Role::UnitPersonnel => Ok(()),
        Role::Researcher => Err(Denied("You do not have permission to list users.")),
    }
}

/// Deleting, deactivating or reactivating another account: Super Admins anyone but themselves,
/// Unit Admins the staff of their own unit.
pub fn may_administer_user(actor: &Actor, subject: &Subject) -> Decision {
    if is_self(actor, subject) {
        return Err(Denied("You cannot do this to your own account."));
    }
    match actor.role {
        Role::SuperAdmin => Ok(()),
        Role::UnitAdmin if subject.role.belongs_to_unit() && same_unit(actor, subject) => Ok(()),
        Role::UnitAdmin => {
            Err(Denied("You can only manage Unit Admins and Unit Personnel of your own unit."))
        }
        Role::UnitPersonnel | Role::Researcher => {
            Err(Denied("You do not have permission to manage other accounts."))
        }
    }
}

/// Resetting another user's authenticator app, MOTD, maintenance, units, statistics.
pub fn may_operate_portal(actor: &Actor) -> Decision {
    if actor.role == Role::SuperAdmin {
        Ok(())
    } else {
        Err(Denied("Only Super Admins can do this."))
    }
}

/// Requesting the deletion of one's own account. A Unit Admin needs more than three Unit Admins
/// in the unit (DDS's safeguard: a unit whose admins all lose their keys loses its data).
pub fn may_request_self_deletion(actor: &Actor, unit_admins_in_unit: usize) -> Decision {
    match actor.role {
        Role::SuperAdmin => Err(Denied("Super Admins cannot delete their own account.")),
        Role::UnitAdmin if unit_admins_in_unit <= 3 => Err(Denied(
            "Your unit needs more than three Unit Admins before one can delete their own account.",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: Option<UnitId> = Some(UnitId(1));
    const OTHER_UNIT: Option<UnitId> = Some(UnitId(2));

    fn actor(role: Role) -> Actor {
        Actor { user_id: UserId(100), role, unit_id: role.belongs_to_unit().then_some(UnitId(1)) }
    }

    fn subject(role: Role, unit_id: Option<UnitId>) -> Subject {
        Subject { user_id: Some(UserId(200)), role, unit_id }
    }

    fn unit_of(role: Role, unit: Option<UnitId>) -> Option<UnitId> {
        if role.belongs_to_unit() {
            unit
        } else {
            None
        }
    }

    /// The whole invite matrix: (inviter, invitee, invitee's unit) -> allowed.
    #[test]
    fn invite_matrix() {
        use Role::*;
        for inviter in Role::ALL {
            for invitee in Role::ALL {
                for unit in [UNIT, OTHER_UNIT] {
                    let allowed =
                        may_invite(&actor(inviter), &subject(invitee, unit_of(invitee, unit))).is_ok();
                    let expected = match (inviter, invitee) {
                        (SuperAdmin, _) => true,
                        (UnitAdmin, UnitAdmin | UnitPersonnel) | (UnitPersonnel, UnitPersonnel) => {
                            unit == UNIT
                        }
                        (UnitAdmin | UnitPersonnel, Researcher) => true,
                        _ => false,
                    };
                    assert_eq!(allowed, expected, "{inviter} inviting {invitee} in unit {unit:?}");
                }
            }
        }
    }

    #[test]
    fn super_admin_must_name_a_unit_for_unit_staff() {
        let err = may_invite(&actor(Role::SuperAdmin), &subject(Role::UnitAdmin, None)).unwrap_err();
        assert_eq!(err.0, "A unit is required to invite a Unit Admin or Unit Personnel.");
    }

    #[test]
    fn administer_matrix() {
        use Role::*;
        for admin in Role::ALL {
            for target in Role::ALL {
                for unit in [UNIT, OTHER_UNIT] {
                    let allowed =
                        may_administer_user(&actor(admin), &subject(target, unit_of(target, unit))).is_ok();
                    let expected = match admin {
                        SuperAdmin => true,
                        UnitAdmin => target.belongs_to_unit() && unit == UNIT,
                        _ => false,
                    };
                    assert_eq!(allowed, expected, "{admin} on {target} in unit {unit:?}");
                }
            }
        }
    }

    #[test]
    fn nobody_administers_their_own_account() {
        for role in Role::ALL {
            let me = actor(role);
            let myself = Subject { user_id: Some(me.user_id), role, unit_id: me.unit_id };
            assert!(may_administer_user(&me, &myself).is_err(), "{role}");
        }
    }

    #[test]
    fn only_super_admins_operate_the_portal() {
        for role in Role::ALL {
            assert_eq!(may_operate_portal(&actor(role)).is_ok(), role == Role::SuperAdmin, "{role}");
        }
    }

    #[test]
    fn listing_users_is_for_super_admins_and_unit_staff() {
        for role in Role::ALL {
            assert_eq!(may_list_users(&actor(role)).is_ok(), role != Role::Researcher, "{role}");
        }
    }

    #[test]
    fn self_deletion_needs_more_than_three_unit_admins() {
        let unit_admin = actor(Role::UnitAdmin);
        assert!(may_request_self_deletion(&unit_admin, 3).is_err());
        assert!(may_request_self_deletion(&unit_admin, 4).is_ok());
        assert!(may_request_self_deletion(&actor(Role::UnitPersonnel), 0).is_ok());
        assert!(may_request_self_deletion(&actor(Role::Researcher), 0).is_ok());
        assert!(may_request_self_deletion(&actor(Role::SuperAdmin), 0).is_err());
    }
}
