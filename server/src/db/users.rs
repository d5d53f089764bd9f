//! Accounts and their stored credentials.

use app::api::password_reset::UnitContact;
use app::domain::ids::{ProjectId, UnitId, UserId};
use app::domain::permissions::Actor;
use app::domain::roles::Role;

use super::{now, Db, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub unit_id: Option<UnitId>,
    pub is_active: bool,
    pub email: String,
}

impl User {
    /// Who this account is to the permission rules (`app::domain::permissions`).
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.id, role: self.role, unit_id: self.unit_id }
    }
}

/// A `users` row with its primary address, as stored.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: UserId,
    username: String,
    name: String,
    role: String,
    unit_id: Option<UnitId>,
    is_active: i64,
    email: Option<String>,
}

// Booleans are read as integers: sqlx's Any driver cannot decode SQLite's BOOLEAN columns.
const SELECT_USER: &str = "SELECT u.id, u.username, u.name, u.role, u.unit_id, \
     CAST(CASE WHEN u.is_active THEN 1 ELSE 0 END AS BIGINT) AS is_active, e.email \
     FROM users u LEFT JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE";

fn to_user(
    UserRow { id, username, name, role, unit_id, is_active, email }: UserRow,
) -> Result<User, DbError> {
    let role = Role::parse(&role)
        .ok_or_else(|| DbError::Internal(format!("unknown role '{role}' in the database")))?;
    Ok(User {
        id,
        username,
        name,
        role,
        unit_id,
        is_active: is_active != 0,
        email: email.unwrap_or_default(),
    })
}

/// Usernames are matched case-insensitively (they are unique that way too).
pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>, DbError> {
    let row: Option<UserRow> = sqlx::query_as(&format!("{SELECT_USER} WHERE LOWER(u.username) = LOWER($1)"))
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.map(to_user).transpose()
}

/// A user found by name, with what pre-login and login need of their credentials.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub user: User,
    /// Salt and cost of the key derivation (`None`: no password chosen yet).
    pub kdf: Option<(Vec<u8>, i64, i64, i64)>,
    pub auth_hash: Option<String>,
}

/// [`LoginRecord`] of a name (case-insensitive), in ONE query whether or not the name exists:
/// known and unknown names cost the database the same work.
pub async fn login_record(db: &Db, username: &str) -> Result<Option<LoginRecord>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Flat {
        id: UserId,
        username: String,
        name: String,
        role: String,
        unit_id: Option<UnitId>,
        is_active: i64,
        email: Option<String>,
        kdf_salt: Option<Vec<u8>>,
        kdf_memory_kib: Option<i64>,
        kdf_iterations: Option<i64>,
        kdf_parallelism: Option<i64>,
        auth_hash: Option<String>,
    }
    let row: Option<Flat> = sqlx::query_as(
        "SELECT u.id, u.username, u.name, u.role, u.unit_id, \
         CAST(CASE WHEN u.is_active THEN 1 ELSE 0 END AS BIGINT) AS is_active, e.email, \
         c.kdf_salt, c.kdf_memory_kib, c.kdf_iterations, c.kdf_parallelism, c.auth_hash \
         FROM users u LEFT JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE \
         LEFT JOIN user_credentials c ON c.user_id = u.id \
         WHERE LOWER(u.username) = LOWER($1)",
    )
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    let Some(f) = row else {
        return Ok(None);
    };
    let user = to_user(UserRow {
        id: f.id,
        username: f.username,
        name: f.name,
        role: f.role,
        unit_id: f.unit_id,
        is_active: f.is_active,
        email: f.email,
    })?;
    let kdf = match (f.kdf_salt, f.kdf_memory_kib, f.kdf_iterations, f.kdf_parallelism) {
        (Some(salt), Some(m), Some(t), Some(p)) => Some((salt, m, t, p)),
        _ => None,
    };
    Ok(Some(LoginRecord { user, kdf, auth_hash: f.auth_hash }))
}

/// The account an email address (any of its addresses, not only the primary) belongs to.
pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>, DbError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "{SELECT_USER} WHERE u.id IN (SELECT a.user_id FROM emails a WHERE LOWER(a.email) = LOWER($1))"
    ))
    .bind(email.trim())
    .fetch_optional(db.pool())
    .await?;
    row.map(to_user).transpose()
}

/// What a registration stores: the account and its primary address.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub unit_id: Option<UnitId>,
    pub invited_by: Option<UserId>,
    pub email: &'a str,
    pub created_at: i64,
}

/// Creates an active account with its primary address inside the caller's transaction. A taken
/// username or address is refused by its UNIQUE constraint ([`super::Duplicate`]).
pub async fn insert(tx: &mut sqlx::Transaction<'_, sqlx::Any>, new: NewUser<'_>) -> Result<UserId, DbError> {
    let (user_id,): (UserId,) = sqlx::query_as(
        "INSERT INTO users (username, name, role, unit_id, is_active, invited_by, created_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $6) RETURNING id",
    )
    .bind(new.username)
    .bind(new.name)
    .bind(new.role)
    .bind(new.unit_id)
    .bind(new.invited_by)
    .bind(new.created_at)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO emails (user_id, email, is_primary) VALUES ($1, $2, TRUE)")
        .bind(user_id)
        .bind(new.email)
        .execute(&mut **tx)
        .await?;
    Ok(user_id)
}

pub async fn by_id(db: &Db, id: UserId) -> Result<Option<User>, DbError> {
    let row: Option<UserRow> =
        sqlx::query_as(&format!("{SELECT_USER} WHERE u.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(to_user).transpose()
}

/// What pre-login and login need of a user's credentials.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    pub kdf_salt: Vec<u8>,
    pub kdf_memory_kib: i64,
    pub kdf_iterations: i64,
    pub kdf_parallelism: i64,
    pub auth_hash: String,
    pub public_key: Vec<u8>,
    pub wrapped_private_key: Vec<u8>,
}

pub async fn credentials(db: &Db, user_id: UserId) -> Result<Option<StoredCredentials>, DbError> {
    type Row = (Vec<u8>, i64, i64, i64, String, Vec<u8>, Vec<u8>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism, auth_hash, public_key, \
         wrapped_private_key FROM user_credentials WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(kdf_salt, m, t, p, auth_hash, public_key, wrapped_private_key)| StoredCredentials {
        kdf_salt,
        kdf_memory_kib: m,
        kdf_iterations: t,
        kdf_parallelism: p,
        auth_hash,
        public_key,
        wrapped_private_key,
    }))
}

const UPSERT_CREDENTIALS: &str = "INSERT INTO user_credentials (user_id, kdf_salt, kdf_memory_kib, \
     kdf_iterations, kdf_parallelism, auth_hash, public_key, wrapped_private_key, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id) DO UPDATE SET kdf_salt = $2, \
     kdf_memory_kib = $3, kdf_iterations = $4, kdf_parallelism = $5, auth_hash = $6, public_key = $7, \
     wrapped_private_key = $8, updated_at = $9";

fn bind_credentials<'q>(
    user_id: UserId,
    c: &'q StoredCredentials,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(UPSERT_CREDENTIALS)
        .bind(user_id)
        .bind(&c.kdf_salt)
        .bind(c.kdf_memory_kib)
        .bind(c.kdf_iterations)
        .bind(c.kdf_parallelism)
        .bind(&c.auth_hash)
        .bind(&c.public_key)
        .bind(&c.wrapped_private_key)
        .bind(now())
}

/// Stores (or replaces) a user's credentials inside a transaction.
pub async fn insert_credentials(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: UserId,
    c: &StoredCredentials,
) -> Result<(), DbError> {
    bind_credentials(user_id, c).execute(&mut **tx).await?;
    Ok(())
}

pub async fn set_credentials(db: &Db, user_id: UserId, c: &StoredCredentials) -> Result<(), DbError> {
    bind_credentials(user_id, c).execute(db.pool()).await?;
    Ok(())
}

pub async fn set_active(db: &Db, user_id: UserId, active: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET is_active = $1 WHERE id = $2")
        .bind(active)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Every account, by username.
pub async fn all(db: &Db) -> Result<Vec<User>, DbError> {
    let rows: Vec<UserRow> =
        sqlx::query_as(&format!("{SELECT_USER} ORDER BY u.username")).fetch_all(db.pool()).await?;
    rows.into_iter().map(to_user).collect()
}

/// Records a completed login (what the users list shows as the last one).
pub async fn record_login(db: &Db, user_id: UserId, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(at)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// One line of the users list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedUser {
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub is_active: i64,
    pub second_factor: String,
    pub last_login_at: Option<i64>,
}

/// The accounts of `unit` (every account for `None`) whose username, name or email contains
/// `search` (a lower-cased LIKE pattern, or every account), by username from the first after
/// `after` on, `limit` at most.
pub async fn listed(
    db: &Db,
    unit: Option<UnitId>,
    search: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ListedUser>, DbError> {
    Ok(sqlx::query_as(
        "SELECT u.username, u.name, e.email, u.role, CAST(CASE WHEN u.is_active THEN 1 ELSE 0 END AS BIGINT) AS is_active, \
         COALESCE(f.method, 'email') AS second_factor, u.last_login_at \
         FROM users u LEFT JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE \
         LEFT JOIN second_factors f ON f.user_id = u.id \
         WHERE ($1 IS NULL OR u.unit_id = $1) AND ($2 IS NULL OR LOWER(u.username) LIKE $2 ESCAPE '\\' \
         OR LOWER(u.name) LIKE $2 ESCAPE '\\' OR LOWER(e.email) LIKE $2 ESCAPE '\\') \
         AND ($4 IS NULL OR u.username > $4) ORDER BY u.username LIMIT $3",
    )
    .bind(unit)
    .bind(search)
    .bind(limit)
    .bind(after)
    .fetch_all(db.pool())
    .await?)
}

/// The accounts of one unit, by username.
pub async fn of_unit(db: &Db, unit_id: UnitId) -> Result<Vec<User>, DbError> {
    let rows: Vec<UserRow> =
        sqlx::query_as(&format!("{SELECT_USER} WHERE u.unit_id = $1 ORDER BY u.username"))
            .bind(unit_id)
            .fetch_all(db.pool())
            .await?;
    rows.into_iter().map(to_user).collect()
}

/// Deletes an account; emails, credentials, second factor and sessions go with it (cascade).
pub async fn delete(db: &Db, user_id: UserId) -> Result<(), DbError> {
    sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(db.pool()).await?;
    Ok(())
}

/// The active Unit Admins of a unit.
pub async fn active_unit_admins(db: &Db, unit_id: UnitId) -> Result<Vec<User>, DbError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "{SELECT_USER} WHERE u.unit_id = $1 AND u.role = $2 AND u.is_active = TRUE ORDER BY u.username"
    ))
    .bind(unit_id)
    .bind(Role::UnitAdmin.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(to_user).collect()
}

/// Primary addresses of the active accounts, all of them or only unit staff (Unit Admins and
/// Unit Personnel): the recipients of a message of the day.
pub async fn active_emails(db: &Db, unit_staff_only: bool) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT e.email FROM users u JOIN emails e ON e.user_id = u.id AND e.is_primary = TRUE \
         WHERE u.is_active = TRUE AND ($1 = 0 OR u.role IN ($2, $3)) ORDER BY e.email",
    )
    .bind(i64::from(unit_staff_only))
    .bind(Role::UnitAdmin.as_str())
    .bind(Role::UnitPersonnel.as_str())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(email,)| email).collect())
}

/// Records where the user's current key pair comes from (what approvers are shown), inside the
/// caller's transaction.
pub async fn set_key_origin(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: UserId,
    origin: app::api::keys::KeyOrigin,
) -> Result<(), DbError> {
    sqlx::query("UPDATE user_credentials SET key_origin = $1 WHERE user_id = $2")
        .bind(origin.as_str())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The contact of the user's own unit.
pub async fn unit_contact(db: &Db, unit_id: UnitId) -> Result<Option<UnitContact>, DbError> {
    Ok(sqlx::query_as("SELECT external_display_name AS name, contact_email FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(db.pool())
        .await?)
}

/// The contacts of the units of the active projects the user is a member of, by name.
pub async fn member_unit_contacts(db: &Db, user_id: UserId) -> Result<Vec<UnitContact>, DbError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT u.external_display_name AS name, u.contact_email FROM project_members m \
         JOIN projects p ON p.id = m.project_id JOIN units u ON u.id = p.unit_id \
         WHERE m.user_id = $1 AND p.is_active = TRUE ORDER BY name",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// The active projects (id, public id) the user is a member of, by public id.
pub async fn member_projects(db: &Db, user_id: UserId) -> Result<Vec<(ProjectId, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.public_id FROM project_members m JOIN projects p ON p.id = m.project_id \
         WHERE m.user_id = $1 AND p.is_active = TRUE ORDER BY p.public_id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// How many accounts (active or not) of the unit have `role`.
pub async fn count_of_unit_with_role(db: &Db, unit_id: UnitId, role: Role) -> Result<i64, DbError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE unit_id = $1 AND role = $2")
        .bind(unit_id)
        .bind(role.as_str())
        .fetch_one(db.pool())
        .await?;
    Ok(count)
}

/// An active account (a unit's, or a project's member) with its current public key: what a
/// seal for it is made to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberKey {
    pub user_id: UserId,
    pub username: String,
    pub public_key: Vec<u8>,
}

/// The active account named exactly `username` in the unit, with its current public key.
pub async fn active_member_key(
    db: &Db,
    unit_id: UnitId,
    username: &str,
) -> Result<Option<MemberKey>, DbError> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.username, c.public_key FROM users u JOIN user_credentials c ON c.user_id = u.id \
         WHERE u.username = $1 AND u.unit_id = $2 AND u.is_active = TRUE",
    )
    .bind(username)
    .bind(unit_id)
    .fetch_optional(db.pool())
    .await?)
}
