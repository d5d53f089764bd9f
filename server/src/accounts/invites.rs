//! Invites and registration by invite (DDS §5): who may invite whom is decided by
//! `app::domain::permissions`; the invitee registers in the browser, which creates the key pair.

use app::domain::permissions::{self, Actor, Denied, Subject};
use app::domain::roles::Role;
use app::domain::username::{check_name, check_username};
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use wasm_crypto::keys::WRAPPED_KEY_LEN;
use wasm_crypto::seal::SEALED_KEY_LEN;

use super::unit_keys::{self, OfferedUnitKey};
use super::{link_token_hash, token_hash, LINK_TOKEN_LEN};
use crate::auth::credentials::{decode_field, CredentialsError, NewKeyPair, PUBLIC_KEY_LEN};
use crate::db::users::{self, User};
use crate::db::{now, Db, DbError};
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
    #[error("This email address already belongs to an account.")]
    AlreadyRegistered,
    #[error("An invitation has already been sent to this email address.")]
    AlreadyInvited,
    #[error(
        "This invitation link is not valid: it may have been used or cancelled. Ask for a new invitation."
    )]
    NotFound,
    #[error("This invitation has expired. Ask for a new one.")]
    Expired,
    #[error("The username is already taken. Choose another one.")]
    UsernameTaken,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A failure whose cause is only for the log.
    #[error("{0}")]
    Internal(String),
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
        InviteError::Db(DbError::Query(err))
    }
}

fn actor(user: &User) -> Actor {
    Actor { user_id: user.id, role: user.role, unit_id: user.unit_id }
}

fn decode(field: &str, value: &str, len: usize) -> Result<Vec<u8>, InviteError> {
    Ok(decode_field(field, value, len)?)
}

/// What the inviter's browser sends.
#[derive(Debug, Deserialize)]
pub struct NewInvite {
    pub email: String,
    pub role: String,
    pub unit_id: Option<i64>,
    /// The link's secret (base64, 32 bytes): mailed, never stored.
    pub token: String,
    pub public_key: String,
    pub wrapped_private_key: String,
    /// Staff invites: the unit private key sealed to the invite public key by the inviter's
    /// browser (absent when the inviter cannot: a Super Admin, or a unit without a key yet).
    #[serde(default)]
    pub sealed_unit_key: Option<String>,
    /// Researcher invites to a project (DDS `?project=`): its public id, whether the invitee
    /// becomes its Project Owner, and the project key sealed to the invite key by the inviter's
    /// browser (absent when it cannot: the invitee's access then starts pending).
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub owner: bool,
    #[serde(default)]
    pub sealed_project_key: Option<String>,
}

/// What an invite request did.
#[derive(Debug, PartialEq, Eq)]
pub enum Invited {
    /// A new invite was mailed.
    Sent { id: i64 },
    /// The address belongs to a Researcher (or a pending Researcher invite) who was added to the
    /// project instead; their access is pending until the inviter's browser seals the key.
    Added(members::Added),
}

impl From<ProjectError> for InviteError {
    fn from(err: ProjectError) -> Self {
        match err {
            ProjectError::Denied(m) | ProjectError::AlreadyAssociated(m) => InviteError::Denied(m),
            ProjectError::Invalid(m) | ProjectError::NeedsConfirmation(m) => InviteError::Invalid(m),
            ProjectError::NotFound | ProjectError::NoAccessYourself => InviteError::Denied(err.to_string()),
            ProjectError::Db(db) => InviteError::Db(db),
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
    let role = Role::parse(&new.role).ok_or_else(|| InviteError::Invalid("Invalid role.".into()))?;
    // Unit staff invite into their own unit unless they say otherwise.
    let unit_id = if role.belongs_to_unit() { new.unit_id.or(inviter.unit_id) } else { None };
    let project = invite_project(db, inviter, &new, role).await?;
    // With a project the project rules decide (Project Owners may invite there).
    if project.is_none() {
        permissions::may_invite(&actor(inviter), &Subject { user_id: None, role, unit_id })?;
    }
    let token = decode("token", &new.token, LINK_TOKEN_LEN)?;
    let public_key = decode("public_key", &new.public_key, PUBLIC_KEY_LEN)?;
    let wrapped = decode("wrapped_private_key", &new.wrapped_private_key, WRAPPED_KEY_LEN)?;
    let sealed_unit_key = match (&new.sealed_unit_key, role.belongs_to_unit()) {
        (Some(sealed), true) => Some(decode("sealed_unit_key", sealed, SEALED_KEY_LEN)?),
        (Some(_), false) => {
            return Err(InviteError::Invalid("Only unit staff invites carry the unit key.".into()))
        }
        (None, _) => None,
    };

    let unit_name = match unit_id {
        Some(id) => Some(
            sqlx::query_as::<_, (String,)>("SELECT external_display_name FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?
                .ok_or_else(|| InviteError::Invalid("There is no such unit.".into()))?
                .0,
        ),
        None => None,
    };
    let sealed_project_key = match (&new.sealed_project_key, &project) {
        (Some(sealed), Some(_)) => Some(decode("sealed_project_key", sealed, SEALED_KEY_LEN)?),
        (Some(_), None) => {
            return Err(InviteError::Invalid("Only project invites carry a project key.".into()))
        }
        (None, _) => None,
    };
    if let Some(existing) = users::by_email(db, &email).await? {
        return match &project {
            // DDS: inviting an existing Researcher to a project adds them.
            Some(project) => Ok(Invited::Added(
                members::add_existing_user(db, inviter, project, &existing, new.owner).await?,
            )),
            None if existing.role == Role::Researcher => Err(InviteError::Invalid(
                "This user was already added to the system. Specify the project you wish to give access to."
                    .into(),
            )),
            None => Err(InviteError::AlreadyRegistered),
        };
    }
    let pending: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT id, expires_at, role FROM invites WHERE email = $1")
            .bind(&email)
            .fetch_optional(db.pool())
            .await?;
    match pending {
        Some((id, expires, pending_role)) if expires > now() => {
            return match &project {
                Some(project) if pending_role == Role::Researcher.as_str() => {
                    Ok(Invited::Added(members::add_to_pending_invite(db, project, id, new.owner).await?))
                }
                _ => Err(InviteError::AlreadyInvited),
            };
        }
        Some((id, _, _)) => {
            sqlx::query("DELETE FROM invites WHERE id = $1").bind(id).execute(db.pool()).await?;
        }
        None => {}
    }
    let mut tx = db.pool().begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO invites (email, role, unit_id, invited_by, token_hash, public_key, wrapped_private_key, \
         sealed_unit_key, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&email)
    .bind(role.as_str())
    .bind(unit_id)
    .bind(inviter.id)
    .bind(token_hash(&token))
    .bind(public_key)
    .bind(wrapped)
    .bind(sealed_unit_key)
    .bind(now())
    .bind(now() + VALIDITY_SECS)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(project) = &project {
        members::record_invite_project(&mut *tx, id, project.id, new.owner, sealed_project_key).await?;
    }
    tx.commit().await?;

    let link = format!("{public_url}/invite/{}", BASE64URL.encode(&token));
    let unit_name = unit_name.or_else(|| project.as_ref().map(|p| p.unit_name.clone()));
    let on_behalf = unit_name.map(|unit| format!(" on behalf of {unit}")).unwrap_or_default();
    let role = match &project {
        Some(p) => format!(
            "{} of the project {} ({})",
            if new.owner { "Project Owner" } else { "Researcher" },
            p.public_id,
            p.title
        ),
        None => role.to_string(),
    };
    let mail = OutgoingMail {
        to: email.clone(),
        subject: format!("{} invites you to the Data Delivery System", inviter.name),
        text: format!(
            "{name}{on_behalf} invites you to the Data Delivery System as {role}.\n\n\
             Register here (the link is valid for 7 days and can be used once):\n{link}\n",
            name = inviter.name,
        ),
        html: format!(
            "<p>{name}{on_behalf} invites you to the Data Delivery System as {role}.</p>\
             <p><a href=\"{link}\">Register</a> (the link is valid for 7 days and can be used once).</p>",
            name = escape_html(&inviter.name),
            on_behalf = escape_html(&on_behalf),
            role = escape_html(&role),
        ),
        link: Some(link),
    };
    if let Err(err) = mailer.send(mail).await {
        sqlx::query("DELETE FROM invites WHERE id = $1").bind(id).execute(db.pool()).await?;
        return Err(err.into());
    }
    Ok(Invited::Sent { id })
}

#[derive(Debug, Serialize)]
pub struct InviteSummary {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// id, email, role, unit, created, expires, the inviter's unit, and whether the invite leads to a
/// project of the viewer's unit, and to a project the viewer owns (1/0 each).
type InviteRow = (i64, String, String, Option<i64>, i64, i64, Option<i64>, i64, i64);

const SELECT_INVITE: &str =
    "SELECT i.id, i.email, i.role, i.unit_id, i.created_at, i.expires_at, u.unit_id, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM invite_projects ip JOIN projects p ON p.id = ip.project_id \
     WHERE ip.invite_id = i.id AND p.unit_id = $1) THEN 1 ELSE 0 END AS BIGINT), \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM invite_projects ip JOIN project_members m \
     ON m.project_id = ip.project_id WHERE ip.invite_id = i.id AND m.user_id = $2 AND m.is_owner = TRUE) \
     THEN 1 ELSE 0 END AS BIGINT) FROM invites i LEFT JOIN users u ON u.id = i.invited_by";

/// Pending invites the caller may see: Super Admins all; unit staff those of their unit, the
/// researcher invites sent by their unit and those to their unit's projects (a Project Owner's);
/// Project Owners those to the projects they own (DDS: other Researchers are refused).
pub async fn list(db: &Db, viewer: &User) -> Result<Vec<InviteSummary>, InviteError> {
    if viewer.role == Role::Researcher {
        let (owned,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM project_members WHERE user_id = $1 AND is_owner = TRUE")
                .bind(viewer.id)
                .fetch_one(db.pool())
                .await?;
        if owned == 0 {
            return Err(InviteError::Denied(
                "You need to have the role 'Project Owner' in at least one project to be able to list any invites."
                    .into(),
            ));
        }
    }
    let rows: Vec<InviteRow> =
        sqlx::query_as(&format!("{SELECT_INVITE} ORDER BY i.created_at DESC, i.id DESC"))
            .bind(viewer.unit_id.unwrap_or(-1))
            .bind(viewer.id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .filter(|row| visible(viewer, row))
        .map(|(id, email, role, unit_id, created_at, expires_at, _, _, _)| InviteSummary {
            id,
            email,
            role,
            unit_id,
            created_at,
            expires_at,
        })
        .collect())
}

fn visible(
    viewer: &User,
    (_, _, _, unit_id, _, _, inviter_unit, to_unit_project, to_owned_project): &InviteRow,
) -> bool {
    match viewer.role {
        Role::SuperAdmin => true,
        Role::UnitAdmin | Role::UnitPersonnel => {
            viewer.unit_id.is_some()
                && (*unit_id == viewer.unit_id || *inviter_unit == viewer.unit_id || *to_unit_project != 0)
        }
        Role::Researcher => *to_owned_project != 0,
    }
}

/// Cancels an invite: Super Admins any; Unit Admins those visible to them.
pub async fn delete(db: &Db, actor: &User, id: i64) -> Result<(), InviteError> {
    if !matches!(actor.role, Role::SuperAdmin | Role::UnitAdmin) {
        return Err(InviteError::Denied("You do not have permission to delete invites.".into()));
    }
    let row: Option<InviteRow> = sqlx::query_as(&format!("{SELECT_INVITE} WHERE i.id = $3"))
        .bind(actor.unit_id.unwrap_or(-1))
        .bind(actor.id)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(row) if visible(actor, &row) => {
            sqlx::query("DELETE FROM invites WHERE id = $1").bind(id).execute(db.pool()).await?;
            Ok(())
        }
        _ => Err(InviteError::NotFound),
    }
}

/// What the acceptance page shows (and the invite key material the browser needs).
#[derive(Debug, Serialize)]
pub struct InviteDetails {
    pub email: String,
    pub role: String,
    pub unit: Option<String>,
    pub expires_at: i64,
    pub public_key: String,
    pub wrapped_private_key: String,
    /// Staff invites: the unit's public key (`None`: the unit has no key yet, and the invitee's
    /// browser makes it) and the unit private key sealed to the invite key, if the inviter could.
    pub unit_public_key: Option<String>,
    pub sealed_unit_key: Option<String>,
    /// Researcher invites: the projects it leads to, with their keys sealed to the invite key.
    pub projects: Vec<members::InvitedProject>,
}

type PendingRow = (i64, String, String, Option<i64>, i64, Vec<u8>, Vec<u8>, Option<String>);

async fn by_token(db: &Db, token: &str) -> Result<PendingRow, InviteError> {
    let hash = link_token_hash(token).ok_or(InviteError::NotFound)?;
    let row: Option<PendingRow> = sqlx::query_as(
        "SELECT i.id, i.email, i.role, i.unit_id, i.expires_at, i.public_key, i.wrapped_private_key, \
         u.external_display_name FROM invites i LEFT JOIN units u ON u.id = i.unit_id WHERE i.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(db.pool())
    .await?;
    let row = row.ok_or(InviteError::NotFound)?;
    if row.4 <= now() {
        return Err(InviteError::Expired);
    }
    Ok(row)
}

pub async fn details(db: &Db, token: &str) -> Result<InviteDetails, InviteError> {
    let (id, email, role, unit_id, expires_at, public_key, wrapped, unit) = by_token(db, token).await?;
    let unit_public_key = match unit_id {
        Some(unit_id) => unit_keys::unit_public_key(db, unit_id).await?,
        None => None,
    };
    let (sealed_unit_key,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT sealed_unit_key FROM invites WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await?;
    Ok(InviteDetails {
        email,
        role,
        unit,
        expires_at,
        public_key: BASE64.encode(public_key),
        wrapped_private_key: BASE64.encode(wrapped),
        unit_public_key: unit_public_key.map(|k| BASE64.encode(k)),
        sealed_unit_key: sealed_unit_key.map(|k| BASE64.encode(k)),
        projects: members::invited_projects(db, id).await?,
    })
}

/// What the invitee's browser sends: credentials derived from the chosen password and the new
/// key pair (the password itself never leaves the browser).
#[derive(Debug, Deserialize)]
pub struct Registration {
    pub name: String,
    pub username: String,
    #[serde(flatten)]
    pub credentials: NewKeyPair,
    /// Unit staff: a unit key pair the browser made because the unit had none.
    #[serde(default)]
    pub unit_public_key: Option<String>,
    /// Unit staff: the unit private key sealed to the new public key.
    #[serde(default)]
    pub sealed_unit_key: Option<String>,
    /// Researchers: each invited project's key re-sealed to the new public key.
    #[serde(default)]
    pub project_keys: Vec<ResealedProjectKey>,
}

#[derive(Debug, Deserialize)]
pub struct ResealedProjectKey {
    pub project: String,
    pub sealed: String,
}

pub async fn accept(db: &Db, token: &str, registration: Registration) -> Result<User, InviteError> {
    let (invite_id, email, role, unit_id, _, _, _, _) = by_token(db, token).await?;
    let project_keys = registration
        .project_keys
        .iter()
        .map(|k| Ok((k.project.trim().to_string(), decode("sealed", &k.sealed, SEALED_KEY_LEN)?)))
        .collect::<Result<HashMap<_, _>, InviteError>>()?;
    let username = registration.username.trim().to_string();
    check_username(&username).map_err(|m| InviteError::Invalid(m.into()))?;
    check_name(&registration.name).map_err(|m| InviteError::Invalid(m.into()))?;
    let checked = registration.credentials.check()?;
    let offered_unit_key = OfferedUnitKey {
        new_public_key: registration
            .unit_public_key
            .as_deref()
            .map(|k| decode("unit_public_key", k, PUBLIC_KEY_LEN))
            .transpose()?,
        sealed: registration
            .sealed_unit_key
            .as_deref()
            .map(|k| decode("sealed_unit_key", k, SEALED_KEY_LEN))
            .transpose()?,
    };
    if users::by_username(db, &username).await?.is_some() {
        return Err(InviteError::UsernameTaken);
    }
    let credentials = checked.into_stored().await?;

    let mut tx = db.pool().begin().await?;
    // The invite is consumed in the same transaction: a second acceptance finds nothing.
    // Deleting it also deletes its project rows: claim it first, move the projects, then delete.
    let claimed = sqlx::query("UPDATE invites SET expires_at = 0 WHERE id = $1 AND expires_at > $2")
        .bind(invite_id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    if claimed.rows_affected() != 1 {
        return Err(InviteError::NotFound);
    }
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO users (username, name, role, unit_id, is_active, created_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id",
    )
    .bind(&username)
    .bind(registration.name.trim())
    .bind(&role)
    .bind(unit_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await;
    let (user_id,) = match inserted {
        Ok(row) => row,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(InviteError::UsernameTaken),
        Err(e) => return Err(e.into()),
    };
    sqlx::query("INSERT INTO emails (user_id, email, is_primary) VALUES ($1, $2, TRUE)")
        .bind(user_id)
        .bind(&email)
        .execute(&mut *tx)
        .await?;
    users::insert_credentials(&mut tx, user_id, &credentials).await?;
    members::join_from_invite(&mut tx, invite_id, user_id, &credentials.public_key, &project_keys).await?;
    sqlx::query("DELETE FROM invites WHERE id = $1").bind(invite_id).execute(&mut *tx).await?;
    if let Some(unit_id) = unit_id {
        unit_keys::record_at_registration(
            &mut tx,
            unit_id,
            user_id,
            &credentials.public_key,
            offered_unit_key,
        )
        .await?;
    }
    tx.commit().await?;
    users::by_id(db, user_id).await?.ok_or(InviteError::NotFound)
}
