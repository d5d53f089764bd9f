//! Account administration: invites and registration, administration by admins, and the emailed
//! links acting on one's own account (self-deletion, back to emailed codes).

pub mod email_codes;
pub mod invites;
pub mod links;
pub mod self_deletion;
pub mod users;
