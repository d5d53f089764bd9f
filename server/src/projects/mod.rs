//! Projects, as far as accounts need them (DESIGN §3): creation with the key pair made in the
//! creating staff member's browser, listing by capacity, and the keys each member reaches.
//! Who may do what is decided by `app::domain::projects`; `members` brings Researchers in and
//! `access` grants them the project key when a key holder approves. The status machine, quotas and files come
//! with the projects work (ROADMAP 2) on top of these tables.

pub mod access;
pub mod files;
pub mod members;
pub mod membership;
pub mod quota;
pub mod status;

use app::api::projects::{NewProject, ProjectDetails};
use app::domain::ids::{ProjectId, UserId};
use app::domain::permissions::Denied;
use app::domain::project_status::ProjectStatus;
use app::domain::projects::{self as rules, Capacity, Creation};
pub use app::domain::projects::{KeyPath, ProjectSummary};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use wasm_crypto::seal::SEALED_KEY_LEN;

use crate::accounts::unit_keys;
use crate::auth::credentials::{decode_field, PUBLIC_KEY_LEN};
use crate::db::audit::{self, AuditEvent};
use crate::db::seals::{self, SealedKey};
use crate::db::users::{self, User};
use crate::db::{self, Db, DbError};
use crate::storage::{ObjectStore, StorageError};

/// The status a new project starts in (DDS).
pub const INITIAL_STATUS: ProjectStatus = ProjectStatus::InProgress;

/// A status read from the database (its CHECK admits only ProjectStatus's spellings).
fn status_of(stored: Option<String>) -> Result<ProjectStatus, DbError> {
    match stored {
        None => Ok(INITIAL_STATUS),
        Some(s) => db::projects::parse_status(&s),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    Denied(String),
    #[error("{0}")]
    Invalid(String),
    /// Unknown, inactive, or not visible to the caller (the same answer: no probing).
    #[error("There is no such project, or you do not have access to it.")]
    NotFound,
    /// Allowed once the user confirms (DDS's `force`).
    #[error("{0}")]
    NeedsConfirmation(String),
    #[error("{0}")]
    AlreadyAssociated(String),
    #[error(
        "Your browser cannot open the project key: your own access is waiting for approval by someone who holds it."
    )]
    NoAccessYourself,
    #[error("{0}'s key changed since the page was loaded: compare the new fingerprint and approve again.")]
    KeyChanged(String),
    #[error("The project's storage could not be prepared, so nothing was created. Try again in a moment; if it keeps failing, tell the operators.")]
    Storage,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ProjectError {
    fn from(err: sqlx::Error) -> Self {
        ProjectError::Db(DbError::from(err))
    }
}

impl From<Denied> for ProjectError {
    fn from(denied: Denied) -> Self {
        ProjectError::Denied(denied.0.to_string())
    }
}

pub(crate) fn decode(field: &str, value: &str, len: usize) -> Result<Vec<u8>, ProjectError> {
    decode_field(field, value, len).map_err(|e| ProjectError::Invalid(e.to_string()))
}

pub(crate) fn decode_sealed(field: &str, value: &str) -> Result<Vec<u8>, ProjectError> {
    decode(field, value, SEALED_KEY_LEN)
}

pub use crate::db::projects::{by_public_id, membership, Project};

pub async fn capacity(db: &Db, user: &User, project: &Project) -> Result<Capacity, DbError> {
    let membership = match user.role {
        app::domain::roles::Role::Researcher => membership(db.pool(), project.id, user.id).await?,
        _ => None,
    };
    Ok(Capacity::of(&user.actor(), project.unit_id, membership))
}

/// The project and the caller's capacity; `NotFound` when the caller may not see it.
pub async fn visible(db: &Db, user: &User, public_id: &str) -> Result<(Project, Capacity), ProjectError> {
    let project = by_public_id(db, public_id).await?.ok_or(ProjectError::NotFound)?;
    let capacity = capacity(db, user, &project).await?;
    if !capacity.sees_project() {
        return Err(ProjectError::NotFound);
    }
    Ok((project, capacity))
}

pub async fn key_path(
    db: &Db,
    user: &User,
    project: &Project,
    capacity: Capacity,
) -> Result<KeyPath, DbError> {
    Ok(match capacity {
        Capacity::Staff(_) => match seals::current(db, SealedKey::Unit, project.unit_id, user.id).await? {
            Some(_) if project.unit_public_key_is_current(db).await? => {
                KeyPath::UnitKey { sealed: BASE64.encode(&project.unit_sealed_key) }
            }
            _ => KeyPath::Pending,
        },
        Capacity::Owner | Capacity::Member => {
            match seals::current(db, SealedKey::Project, project.id, user.id).await? {
                Some(sealed) => KeyPath::Member { sealed: BASE64.encode(sealed) },
                None => KeyPath::Pending,
            }
        }
        Capacity::Operator | Capacity::Outsider => KeyPath::None,
    })
}

impl Project {
    /// Whether the unit key the project key was sealed to is still the unit's key.
    async fn unit_public_key_is_current(&self, db: &Db) -> Result<bool, DbError> {
        Ok(unit_keys::unit_public_key(db, self.unit_id).await?.as_deref() == Some(&self.unit_public_key[..]))
    }
}

/// Creates a project and its bucket (with CORS for the portal's origin). The bucket is made
/// before the rows commit: if storage refuses, nothing is created and the user reads why; a
/// bucket left by a failed commit is reused by the next project of that id (creation is
/// idempotent).
pub async fn create(
    db: &Db,
    store: &ObjectStore,
    portal_origin: &str,
    creator: &User,
    new: NewProject,
    now: i64,
) -> Result<String, ProjectError> {
    let unit_admins = match creator.unit_id {
        Some(unit_id) => users::active_unit_admins(db, unit_id).await?.len(),
        None => 0,
    };
    if let Creation::NeedsConfirmation(warning) =
        rules::may_create_project(&creator.actor(), unit_admins, new.confirmed)?
    {
        return Err(ProjectError::NeedsConfirmation(warning.into()));
    }
    // The rules let only unit staff create, and staff have a unit.
    let Some(unit_id) = creator.unit_id else { return Err(ProjectError::NoAccessYourself) };
    rules::check_project_details(&new.title, &new.description, &new.pi)
        .map_err(|m| ProjectError::Invalid(m.into()))?;
    let public_key = decode("public_key", &new.public_key, PUBLIC_KEY_LEN)?;
    let unit_public_key = decode("unit_public_key", &new.unit_public_key, PUBLIC_KEY_LEN)?;
    let unit_sealed_key = decode_sealed("unit_sealed_key", &new.unit_sealed_key)?;
    if seals::current(db, SealedKey::Unit, unit_id, creator.id).await?.is_none() {
        return Err(ProjectError::NoAccessYourself);
    }
    if unit_keys::unit_public_key(db, unit_id).await?.as_deref() != Some(&unit_public_key[..]) {
        return Err(ProjectError::Invalid(
            "The project key was sealed to a unit key that is not your unit's. Reload the page and try again."
                .into(),
        ));
    }

    let mut tx = db.begin().await?;
    let pi = new.pi.trim().to_lowercase();
    let (project_id, public_id) = db::projects::insert(
        &mut tx,
        db::projects::NewProject {
            unit_id,
            title: new.title.trim(),
            description: new.description.trim(),
            pi: &pi,
            public_key,
            unit_public_key,
            unit_sealed_key,
            created_by: creator.id,
            created_at: now,
            status: INITIAL_STATUS.as_str(),
        },
        rules::public_id,
    )
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(creator.id), "project-created", Some(&public_id)).on_project(project_id),
    )
    .await?;
    let bucket = store.bucket_for(&public_id).map_err(storage_refused)?;
    db::projects::set_bucket(&mut tx, project_id, bucket.as_str()).await?;
    store.ensure_bucket(&bucket).await.map_err(storage_refused)?;
    store.allow_portal_origin(&bucket, portal_origin).await.map_err(storage_refused)?;
    tx.commit().await?;
    Ok(public_id)
}

fn storage_refused(err: StorageError) -> ProjectError {
    tracing::error!(error = %err, "cannot prepare a project's bucket");
    ProjectError::Storage
}

async fn current_status(db: &Db, project_id: ProjectId) -> Result<ProjectStatus, DbError> {
    status_of(db::projects::current_status(db, project_id).await?)
}

/// The active projects the caller may see (DDS `/proj/list`): Super Admins all, unit staff their
/// unit's, Researchers those they are members of. One query, whatever the number of projects.
pub async fn list(db: &Db, user: &User) -> Result<Vec<ProjectSummary>, ProjectError> {
    use app::domain::roles::Role;
    use db::projects::Scope;
    let scope = match user.role {
        Role::SuperAdmin => Scope::All,
        // Staff always have a unit; one without would see no project.
        Role::UnitAdmin | Role::UnitPersonnel => user.unit_id.map_or(Scope::MemberOf, Scope::Unit),
        Role::Researcher => Scope::MemberOf,
    };
    let rows = db::projects::listed(db, scope, user.id).await?;
    // Staff reach every project through the unit key: whether they hold it is one question.
    let holds_unit_key = match (user.role.belongs_to_unit(), user.unit_id) {
        (true, Some(unit_id)) => seals::current(db, SealedKey::Unit, unit_id, user.id).await?.is_some(),
        _ => false,
    };
    rows.into_iter()
        .map(|row| {
            let capacity = Capacity::of(&user.actor(), row.project.unit_id, row.membership.map(|m| m != 0));
            let access = match capacity {
                Capacity::Staff(_) => Some(holds_unit_key && row.unit_key_current != 0),
                Capacity::Owner | Capacity::Member => Some(row.own_seal != 0),
                Capacity::Operator | Capacity::Outsider => None,
            };
            Ok(ProjectSummary {
                status: status_of(row.status)?,
                public_id: row.project.public_id,
                title: row.project.title,
                pi: row.project.pi,
                unit: row.project.unit_name,
                created_at: row.project.created_at,
                capacity,
                access,
            })
        })
        .collect()
}

/// The list line of a project for the caller, and how the caller reaches its key.
async fn summarize(
    db: &Db,
    user: &User,
    project: &Project,
    capacity: Capacity,
) -> Result<(ProjectSummary, KeyPath), DbError> {
    let key = key_path(db, user, project, capacity).await?;
    let access = key.access();
    let summary = ProjectSummary {
        status: current_status(db, project.id).await?,
        public_id: project.public_id.clone(),
        title: project.title.clone(),
        pi: project.pi.clone(),
        unit: project.unit_name.clone(),
        created_at: project.created_at,
        capacity,
        access,
    };
    Ok((summary, key))
}

pub async fn details(db: &Db, user: &User, public_id: &str) -> Result<ProjectDetails, ProjectError> {
    let (project, capacity) = visible(db, user, public_id).await?;
    let (summary, key) = summarize(db, user, &project, capacity).await?;
    let waiting = if rules::may_approve_access(capacity, user.id, UserId(-1)).is_ok() {
        Some(crate::accounts::key_access::waiting_for_project(db, project.id).await?)
    } else {
        None
    };
    let (members, invites) = if capacity.sees_members() {
        (Some(members::members(db, project.id).await?), Some(members::invites(db, project.id).await?))
    } else {
        (None, None)
    };
    Ok(ProjectDetails {
        summary,
        description: project.description.clone(),
        public_key: BASE64.encode(&project.public_key),
        key,
        may_add_researchers: rules::may_bring_in_researchers(capacity).is_ok(),
        members,
        invites,
        waiting,
    })
}
