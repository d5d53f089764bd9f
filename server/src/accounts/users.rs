//! Account administration by Super Admins and Unit Admins: listing, deactivating, reactivating
//! and deleting accounts within DDS's scope rules (`app::domain::permissions`).

use app::api::users::{UserQuery, UserSummary, USERS_SHOWN};
use app::domain::permissions::{self, Subject};
use app::domain::roles::Role;
use app::domain::search::{contains_pattern, read_search};
use app::domain::second_factor::SecondFactor;

use crate::auth::session_store::DbSessionStore;
use crate::db::users::{self, User};
use crate::db::{Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Denied(String),
    #[error("User not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("ending the user's sessions failed: {0}")]
    Sessions(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn subject(user: &User) -> Subject {
    Subject { user_id: Some(user.id), role: user.role, unit_id: user.unit_id }
}

/// Super Admins see every account; unit staff the accounts of their unit (a search narrows
/// either down; a page of at most `USERS_SHOWN`, after `query.after`).
pub async fn list(db: &Db, viewer: &User, query: &UserQuery) -> Result<Vec<UserSummary>, AdminError> {
    permissions::may_list_users(&viewer.actor()).map_err(|d| AdminError::Denied(d.0.into()))?;
    let search = read_search(query.q.as_deref()).map_err(AdminError::Invalid)?;
    let pattern = search.as_deref().map(contains_pattern);
    // Scoped in the query: a Unit Admin's page does not load every account.
    let scope = match (viewer.role, viewer.unit_id) {
        (Role::SuperAdmin, _) => None,
        (_, Some(unit_id)) => Some(unit_id),
        (_, None) => return Ok(Vec::new()),
    };
    users::listed(db, scope, pattern.as_deref(), query.after.as_deref(), USERS_SHOWN)
        .await?
        .into_iter()
        .map(|u| {
            let role =
                Role::parse(&u.role).ok_or_else(|| DbError::Internal(format!("unknown role {}", u.role)))?;
            let second_factor = SecondFactor::parse(&u.second_factor)
                .ok_or_else(|| DbError::Internal(format!("unknown second factor {}", u.second_factor)))?;
            Ok(UserSummary {
                username: u.username,
                name: u.name,
                email: u.email.unwrap_or_default(),
                role,
                active: u.is_active != 0,
                second_factor,
                last_login: u.last_login_at,
            })
        })
        .collect()
}

async fn target(db: &Db, admin: &User, username: &str) -> Result<User, AdminError> {
    // Roles that may administer nobody are refused before the lookup (no probing of names).
    if !matches!(admin.role, Role::SuperAdmin | Role::UnitAdmin) {
        return Err(AdminError::Denied("You do not have permission to manage other accounts.".into()));
    }
    let user = users::by_username(db, username).await?.ok_or(AdminError::NotFound)?;
    permissions::may_administer_user(&admin.actor(), &subject(&user))
        .map_err(|d| AdminError::Denied(d.0.into()))?;
    Ok(user)
}

/// Deactivation ends the user's sessions at once; reactivation lets them log in again.
pub async fn set_active(
    db: &Db,
    sessions: &DbSessionStore,
    admin: &User,
    username: &str,
    active: bool,
) -> Result<User, AdminError> {
    let user = target(db, admin, username).await?;
    users::set_active(db, user.id, active).await?;
    if !active {
        sessions.delete_user_sessions(user.id).await.map_err(|e| AdminError::Sessions(e.to_string()))?;
    }
    Ok(user)
}

/// Deletes the account and everything that hangs off it (emails, keys, sessions).
pub async fn delete(db: &Db, admin: &User, username: &str) -> Result<User, AdminError> {
    let user = target(db, admin, username).await?;
    users::delete(db, user.id).await?;
    Ok(user)
}
