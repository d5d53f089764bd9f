//! Invites and registration by invite (DDS §5): who may invite whom is decided by
//! `app::domain::permissions`; the invitee registers in the browser, which creates the key pair.
//! An invite carries no key material: the server draws the link's token and mails it, so whoever
//! reads the mail can at most register. Keys come afterwards, from a key holder's approval
//! (`key_access`), never from the invite.

use app::api::invites::{
    InviteDetails, InviteQuery, InviteSummary, Invited, NewInvite, Registration, INVITES_SHOWN,
};
use app::domain::dashboard::TimeCursor;
use app::domain::permissions::{self, Denied, Subject};
use app::domain::roles::Role;
use app::domain::username::{check_name, check_username};
use wasm_crypto::seal::SEALED_KEY_LEN;

use super::key_access::{self, WaitsFor};
use super::unit_keys::{self, NewUnitKey};
use super::{link_token_hash, new_link_token};
use crate::auth::credentials::{check_key_pair, decode_field, CredentialsError, PUBLIC_KEY_LEN};
use crate::db::invites::Seen;
use crate::db::users::{self, User};
use crate::db::{self, now, Db, DbError, Duplicate};
use crate::mail::{escape_html, normalized_address, MailError, Mailer, OutgoingMail};
use crate::projects::{self, members, Project, ProjectError};
use app::domain::projects as project_rules;

pub const VALIDITY_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("{0}")]
    Denied(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "This invitation link is not valid: it may have been used or cancelled. Ask for a new invitation."
    )]
    NotFound,
    #[error("This invitation has expired. Ask for a new one.")]
    Expired,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A failure whose cause is only for the log.
    #[error("{0}")]
    Internal(String),
}

/// A value that is taken: the same typed error the UNIQUE constraint gives when a concurrent
/// request got there first, so both answer alike (409, see `http::error`).
fn taken(what: Duplicate) -> InviteError {
    InviteError::Db(DbError::Duplicate(what))
}

impl From<CredentialsError> for InviteError {
    fn from(err: CredentialsError) -> Self {
        match err {
            CredentialsError::Invalid(message) => InviteError::Invalid(message),
            CredentialsError::Hashing(_) => InviteError::Internal(err.to_string()),
        }
    }
}

impl From<Denied> for InviteError {
    fn from(denied: Denied) -> Self {
        InviteError::Denied(denied.0.to_string())
    }
}

impl From<sqlx::Error> for InviteError {
    fn from(err: sqlx::Error) -> Self {
        InviteError::Db(DbError::from(err))
    }
}

fn decode(field: &str, value: &str, len: usize) -> Result<Vec<u8>, InviteError> {
    Ok(decode_field(field, value, len)?)
}

impl From<ProjectError> for InviteError {
    fn from(err: ProjectError) -> Self {
        match err {
            ProjectError::Denied(m) | ProjectError::AlreadyAssociated(m) => InviteError::Denied(m),
            ProjectError::Invalid(m) | ProjectError::NeedsConfirmation(m) | ProjectError::KeyChanged(m) => {
                InviteError::Invalid(m)
            }
            ProjectError::NotFound | ProjectError::NoAccessYourself => InviteError::Denied(err.to_string()),
            ProjectError::Db(db) => InviteError::Db(db),
            // Inviting never prepares storage; should it, it is an internal failure.
            ProjectError::Storage => InviteError::Db(DbError::Internal(err.to_string())),
        }
    }
}

/// The project a Researcher invite leads to, once the inviter may bring Researchers into it.
async fn invite_project(
    db: &Db,
    inviter: &User,
    new: &NewInvite,
    role: Role,
) -> Result<Option<Project>, InviteError> {
    let Some(public_id) = new.project.as_deref().filter(|p| !p.trim().is_empty()) else {
        if new.owner {
            return Err(InviteError::Invalid("Project ID required to invite a 'Project Owner'.".into()));
        }
        return Ok(None);
    };
    if role != Role::Researcher {
        return Err(InviteError::Invalid(
            "Only Researchers are invited to individual projects: unit staff reach every project of their unit."
                .into(),
        ));
    }
    let (project, capacity) = projects::visible(db, inviter, public_id).await?;
    project_rules::may_bring_in_researchers(capacity)?;
    Ok(Some(project))
}

pub async fn create(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    inviter: &User,
    new: NewInvite,
) -> Result<Invited, InviteError> {
    let email = normalized_address(&new.email)
        .ok_or_else(|| InviteError::Invalid("Enter a valid email address.".into()))?;
    let role = new.role;
    // Unit staff invite into their own unit unless they say otherwise.
    let unit_id = if role.belongs_to_unit() { new.unit_id.or(inviter.unit_id) } else { None };
    let project = invite_project(db, inviter, &new, role).await?;
    // With a project the project rules decide (Project Owners may invite there).
    if project.is_none() {
        permissions::may_invite(&inviter.actor(), &Subject { user_id: None, role, unit_id })?;
    }

    let unit_name = match unit_id {
        Some(id) => Some(
            db::units::display_name(db, id)
                .await?
                .ok_or_else(|| InviteError::Invalid("There is no such unit.".into()))?,
        ),
        None => None,
    };
    if let Some(existing) = users::by_email(db, &email).await? {
        return match &project {
            // DDS: inviting an existing Researcher to a project adds them.
            Some(project) => {
                let added = members::add_existing_user(db, inviter, project, &existing, new.owner).await?;
                if let members::Added::Member { .. } = &added {
                    let what = WaitsFor::Project { project_id: project.id, public_id: &project.public_id };
                    key_access::tell_approvers(db, mailer, public_url, what, &existing).await;
                    crate::projects::status::mail_release_if_available(
                        db,
                        mailer,
                        public_url,
                        project.id,
                        &existing.email,
                        &inviter.name,
                    )
                    .await;
                }
                Ok(added.into())
            }
            None if existing.role == Role::Researcher => Err(InviteError::Invalid(
                "This user was already added to the system. Specify the project you wish to give access to."
                    .into(),
            )),
            None => Err(taken(Duplicate::Email)),
        };
    }
    match db::invites::by_email(db, &email).await? {
        Some(pending) if pending.expires_at > now() => {
            return match &project {
                Some(project) if pending.role == Role::Researcher.as_str() => {
                    Ok(members::add_to_pending_invite(db, project, pending.id, new.owner).await?.into())
                }
                _ => Err(taken(Duplicate::InviteEmail)),
            };
        }
        Some(expired) => db::invites::delete(db.pool(), expired.id).await?,
        None => {}
    }
    // The server draws the token: the inviter never knows it, so cannot register in the
    // invitee's place without reading their mail.
    let (token, token_hash) = new_link_token();
    let mut tx = db.begin().await?;
    // A concurrent invite to the same address stored first: Duplicate::InviteEmail (409).
    let id = db::invites::insert(
        &mut tx,
        db::invites::NewInvite {
            email: &email,
            role,
            unit_id,
            invited_by: inviter.id,
            token_hash,
            created_at: now(),
            expires_at: now() + VALIDITY_SECS,
        },
    )
    .await?;
    if let Some(project) = &project {
        members::record_invite_project(&mut *tx, id, project.id, new.owner).await?;
    }
    tx.commit().await?;

    let link = format!("{public_url}/invite/{token}");
    let unit_name = unit_name.or_else(|| project.as_ref().map(|p| p.unit_name.clone()));
    let role = match &project {
        Some(p) => project_role(new.owner, &p.public_id, &p.title),
        None => role.to_string(),
    };
    let mail = invite_mail(&email, &inviter.name, unit_name.as_deref(), &role, link);
    if let Err(err) = mailer.send(mail).await {
        db::invites::delete(db.pool(), id).await?;
        return Err(err.into());
    }
    Ok(Invited::Sent { id })
}

/// "Researcher of the project abc (Title)", as an invite mail names the role.
fn project_role(owner: bool, public_id: &str, title: &str) -> String {
    let role = if owner { "Project Owner" } else { "Researcher" };
    format!("{role} of the project {public_id} ({title})")
}

/// "a", "a and b", "a, b and c": every project an invite leads to, named in its mail.
fn joined(mut parts: Vec<String>) -> String {
    match parts.pop() {
        Some(last) if !parts.is_empty() => format!("{} and {last}", parts.join(", ")),
        Some(last) => last,
        None => String::new(),
    }
}

/// The invitation mail: who invites, on whose behalf, as what, and the registration link.
fn invite_mail(
    email: &str,
    inviter: &str,
    unit_name: Option<&str>,
    role: &str,
    link: String,
) -> OutgoingMail {
    let on_behalf = unit_name.map(|unit| format!(" on behalf of {unit}")).unwrap_or_default();
    OutgoingMail {
        to: email.to_string(),
        subject: format!("{inviter} invites you to the Data Delivery System"),
        text: format!(
            "{inviter}{on_behalf} invites you to the Data Delivery System as {role}.\n\n\
             Register here (the link is valid for 7 days and can be used once):\n{link}\n",
        ),
        html: format!(
            "<p>{name}{on_behalf} invites you to the Data Delivery System as {role}.</p>\
             <p><a href=\"{link}\">Register</a> (the link is valid for 7 days and can be used once).</p>",
            name = escape_html(inviter),
            on_behalf = escape_html(&on_behalf),
            role = escape_html(role),
        ),
        link: Some(link),
    }
}

impl From<members::Added> for Invited {
    fn from(added: members::Added) -> Self {
        match added {
            members::Added::Member { username } => Invited::Added { added: username },
            members::Added::OwnerFlagChanged { username } => Invited::Changed { changed: username },
            members::Added::Invite { invite_id } => Invited::AddedToInvite { added_to_invite: invite_id },
        }
    }
}

/// Pending invites the caller may see, a page at a time (newest first, older than
/// `query.before`): Super Admins all; unit staff those of their unit, the researcher invites
/// sent by their unit and those to their unit's projects (a Project Owner's); Project Owners
/// those to the projects they own (DDS: other Researchers are refused).
pub async fn list(db: &Db, viewer: &User, query: &InviteQuery) -> Result<Vec<InviteSummary>, InviteError> {
    if viewer.role == Role::Researcher && db::projects::owned_count(db, viewer.id).await? == 0 {
        return Err(InviteError::Denied(
            "You need to have the role 'Project Owner' in at least one project to be able to list any invites."
                .into(),
        ));
    }
    let before = match query.before.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        None => TimeCursor::NEWEST,
        Some(text) => TimeCursor::decode(text)
            .ok_or_else(|| InviteError::Invalid(format!("'{text}' is not a place in the invites list.")))?,
    };
    let Some(seen) = seen_by(viewer) else {
        return Ok(Vec::new());
    };
    let mut shown = db::invites::listed(db, seen, before, INVITES_SHOWN).await?;
    let ids: Vec<i64> = shown.iter().map(|invite| invite.id).collect();
    let mut projects = db::invites::projects_of(db, &ids).await?;
    for invite in &mut shown {
        invite.projects = projects.remove(&invite.id).unwrap_or_default();
    }
    Ok(shown)
}

/// Whose invites `viewer` sees (none: a unit role without a unit).
fn seen_by(viewer: &User) -> Option<Seen> {
    match viewer.role {
        Role::SuperAdmin => Some(Seen::All),
        Role::UnitAdmin | Role::UnitPersonnel => viewer.unit_id.map(Seen::Unit),
        Role::Researcher => Some(Seen::OwnedBy(viewer.id)),
    }
}

/// The invite `id` if `actor` may cancel or re-send it: Super Admins any; Unit Admins those
/// visible to them (anyone else is told no; an invite they cannot see does not exist for them).
async fn managed(db: &Db, actor: &User, id: i64, verb: &str) -> Result<db::invites::Listed, InviteError> {
    if !matches!(actor.role, Role::SuperAdmin | Role::UnitAdmin) {
        return Err(InviteError::Denied(format!("You do not have permission to {verb} invites.")));
    }
    let seen = seen_by(actor).ok_or(InviteError::NotFound)?;
    db::invites::listed_one(db, seen, id).await?.ok_or(InviteError::NotFound)
}

/// Cancels an invite: its link stops working.
pub async fn delete(db: &Db, actor: &User, id: i64) -> Result<(), InviteError> {
    managed(db, actor, id, "delete").await?;
    db::invites::delete(db.pool(), id).await?;
    Ok(())
}

/// Re-sends an invite (cancel and a new invite, in one step): a new link, valid a week from now,
/// mailed again; the old link stops working. The projects it leads to stay. An invite already
/// used for a registration cannot be re-sent.
pub async fn resend(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    actor: &User,
    id: i64,
) -> Result<(), InviteError> {
    let row = managed(db, actor, id, "re-send").await?;
    let (token, token_hash) = new_link_token();
    if !db::invites::renew(db, id, &token_hash, now(), now() + VALIDITY_SECS).await? {
        return Err(InviteError::Invalid(
            "This invite was used to register; there is nothing to re-send.".into(),
        ));
    }
    let projects = members::invited_projects(db, id).await?;
    let role = if projects.is_empty() {
        row.summary.role.to_string()
    } else {
        joined(projects.iter().map(|p| project_role(p.is_owner, &p.public_id, &p.title)).collect())
    };
    let unit = match row.summary.unit_id.or(row.inviter_unit) {
        Some(unit) => db::units::display_name(db, unit).await?,
        None => None,
    };
    let link = format!("{public_url}/invite/{token}");
    mailer.send(invite_mail(&row.summary.email, &actor.name, unit.as_deref(), &role, link)).await?;
    Ok(())
}

async fn by_token(db: &Db, token: &str) -> Result<db::invites::ByToken, InviteError> {
    let hash = link_token_hash(token).ok_or(InviteError::NotFound)?;
    let row = db::invites::by_token_hash(db, &hash).await?.ok_or(InviteError::NotFound)?;
    if row.expires_at <= now() {
        return Err(InviteError::Expired);
    }
    Ok(row)
}

pub async fn details(db: &Db, token: &str) -> Result<InviteDetails, InviteError> {
    let db::invites::ByToken { id, email, role, unit_id, expires_at, unit_name: unit, .. } =
        by_token(db, token).await?;
    let unit_has_key = match unit_id {
        Some(unit_id) => unit_keys::unit_public_key(db, unit_id).await?.is_some(),
        None => false,
    };
    Ok(InviteDetails {
        email,
        role: Role::parse(&role).ok_or_else(|| InviteError::Internal(format!("unknown role {role}")))?,
        unit,
        expires_at,
        unit_has_key,
        projects: members::invited_projects(db, id).await?,
    })
}

/// Registers the invitee. Afterwards they wait for access to the unit key (staff of a unit that
/// has one) or to each project the invite leads to, and the key holders are told.
pub async fn accept(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    token: &str,
    registration: Registration,
) -> Result<User, InviteError> {
    let db::invites::ByToken { id: invite_id, email, role, unit_id, invited_by, .. } =
        by_token(db, token).await?;
    let username = registration.username.trim().to_string();
    check_username(&username).map_err(|m| InviteError::Invalid(m.into()))?;
    check_name(&registration.name).map_err(|m| InviteError::Invalid(m.into()))?;
    let checked = check_key_pair(&registration.credentials)?;
    let new_unit_key = match (&registration.unit_public_key, &registration.sealed_unit_key, unit_id) {
        (Some(public_key), Some(sealed), Some(_)) => Some(NewUnitKey {
            public_key: decode("unit_public_key", public_key, PUBLIC_KEY_LEN)?,
            sealed: decode("sealed_unit_key", sealed, SEALED_KEY_LEN)?,
        }),
        (None, None, _) => None,
        _ => {
            return Err(InviteError::Invalid(
                "Only the first staff member of a unit makes its key, and sends it with its seal.".into(),
            ))
        }
    };
    if users::by_username(db, &username).await?.is_some() {
        return Err(taken(Duplicate::Username));
    }
    let credentials = checked.into_stored().await?;

    let mut tx = db.begin().await?;
    // The invite is consumed in the same transaction: a second acceptance finds nothing.
    // Deleting it also deletes its project rows: claim it first, move the projects, then delete.
    if !db::invites::claim(&mut tx, invite_id, now()).await? {
        return Err(InviteError::NotFound);
    }
    // A concurrent registration of the same username fails here with Duplicate::Username.
    let user_id = users::insert(
        &mut tx,
        users::NewUser {
            username: &username,
            name: registration.name.trim(),
            role: &role,
            unit_id,
            invited_by,
            email: &email,
            created_at: now(),
        },
    )
    .await?;
    users::insert_credentials(&mut tx, user_id, &credentials).await?;
    let projects = members::join_from_invite(&mut tx, invite_id, user_id).await?;
    db::invites::delete(&mut *tx, invite_id).await?;
    let holds_unit_key = match unit_id {
        Some(unit_id) => {
            unit_keys::record_at_registration(
                &mut tx,
                unit_id,
                user_id,
                &credentials.public_key,
                new_unit_key,
            )
            .await?
        }
        None => true,
    };
    tx.commit().await?;
    let user = users::by_id(db, user_id).await?.ok_or(InviteError::NotFound)?;

    if let (Some(unit_id), false) = (unit_id, holds_unit_key) {
        key_access::tell_approvers(db, mailer, public_url, WaitsFor::Unit { unit_id }, &user).await;
    }
    key_access::tell_project_approvers(db, mailer, public_url, &projects, &user).await;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::joined;

    #[test]
    fn projects_are_joined_as_a_sentence_names_them() {
        let names = |list: &[&str]| joined(list.iter().map(|s| s.to_string()).collect());
        assert_eq!(names(&[]), "");
        assert_eq!(names(&["a"]), "a");
        assert_eq!(names(&["a", "b"]), "a and b");
        assert_eq!(names(&["a", "b", "c"]), "a, b and c");
    }
}
