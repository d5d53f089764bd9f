//! Managing a project's people and details (DDS §1.2): revoking a Researcher's access or an
//! invite's project, the Project Owner flag, and title/description/PI. Unit staff of the
//! project's unit and its Project Owners; not plain Researchers (DDS lets any associated
//! Researcher edit the details: a quirk not copied), never Super Admins (no project keys, no say).

use crate::domain::ids::UserId;
use crate::domain::permissions::Denied;
use crate::domain::projects::Capacity;

/// Revoking, inviting away, or changing the owner flag of a member.
pub fn may_manage_members(
    capacity: Capacity,
    actor_id: UserId,
    member_id: Option<UserId>,
) -> Result<(), Denied> {
    match capacity {
        Capacity::Staff(_) | Capacity::Owner if member_id == Some(actor_id) => {
            Err(Denied("You cannot change your own access to a project: ask a colleague."))
        }
        Capacity::Staff(_) | Capacity::Owner => Ok(()),
        Capacity::Member => {
            Err(Denied("Only unit staff and Project Owners can change who has access to a project."))
        }
        Capacity::Operator => Err(Denied("Super Admins cannot change who has access to a project.")),
        Capacity::Outsider => Err(Denied("Project access denied.")),
    }
}

/// Editing title, description and PI.
pub fn may_edit_details(capacity: Capacity) -> Result<(), Denied> {
    match capacity {
        Capacity::Staff(_) | Capacity::Owner => Ok(()),
        Capacity::Member => {
            Err(Denied("Only unit staff and Project Owners can change the project's details."))
        }
        Capacity::Operator => Err(Denied("Super Admins cannot change a project's details.")),
        Capacity::Outsider => Err(Denied("Project access denied.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roles::Role;

    #[test]
    fn staff_and_owners_manage_others_never_themselves() {
        for capacity in
            [Capacity::Staff(Role::UnitAdmin), Capacity::Staff(Role::UnitPersonnel), Capacity::Owner]
        {
            assert!(may_manage_members(capacity, UserId(1), Some(UserId(2))).is_ok(), "{capacity:?}");
            assert!(may_manage_members(capacity, UserId(1), None).is_ok(), "{capacity:?} on an invite");
            assert!(
                may_manage_members(capacity, UserId(1), Some(UserId(1))).is_err(),
                "{capacity:?} on themselves"
            );
            assert!(may_edit_details(capacity).is_ok(), "{capacity:?}");
        }
        for capacity in [Capacity::Member, Capacity::Operator, Capacity::Outsider] {
            assert!(may_manage_members(capacity, UserId(1), Some(UserId(2))).is_err(), "{capacity:?}");
            assert!(may_edit_details(capacity).is_err(), "{capacity:?}");
        }
    }
}
