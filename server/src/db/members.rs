//! A project's Researchers (`project_members`) and the projects a pending invite leads to
//! (`invite_projects`): read for the project page and the registration page, written by
//! `projects::members` and `projects::membership`. Flags are read as 0/1 (one spelling on both
//! backends) and handed out as `bool`.

use app::api::invites::InvitedProject;
use app::api::projects::{ProjectInvite, ProjectMember};
use app::domain::ids::{ProjectId, UserId};
use sqlx::{Any, Executor, Transaction};

use super::users::MemberKey;
use super::{Db, DbError};

#[derive(sqlx::FromRow)]
struct MemberRow {
    username: String,
    name: String,
    is_owner: i64,
    access: i64,
}

/// The project's members by username, each with whether they hold a seal of the project key
/// made for their current public key.
pub async fn list(db: &Db, project_id: ProjectId) -> Result<Vec<ProjectMember>, DbError> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT u.username, u.name, CAST(CASE WHEN m.is_owner THEN 1 ELSE 0 END AS BIGINT) AS is_owner, \
         CAST(CASE WHEN s.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS access \
         FROM project_members m JOIN users u ON u.id = m.user_id \
         LEFT JOIN user_credentials c ON c.user_id = u.id \
         LEFT JOIN project_key_seals s ON s.project_id = m.project_id AND s.user_id = u.id \
         AND s.recipient_public_key = c.public_key \
         WHERE m.project_id = $1 ORDER BY u.username",
    )
    .bind(project_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ProjectMember {
            username: row.username,
            name: row.name,
            is_owner: row.is_owner != 0,
            access: row.access != 0,
        })
        .collect())
}

/// The user id of the member with this username (lower case), if they are one.
pub async fn id_of(db: &Db, project_id: ProjectId, username: &str) -> Result<Option<UserId>, DbError> {
    let row: Option<(UserId,)> = sqlx::query_as(
        "SELECT u.id FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 AND u.username = $2",
    )
    .bind(project_id)
    .bind(username)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn active_with_key(
    db: &Db,
    project_id: ProjectId,
    username: &str,
) -> Result<Option<MemberKey>, DbError> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.username, c.public_key FROM project_members m JOIN users u ON u.id = m.user_id \
         JOIN user_credentials c ON c.user_id = u.id \
         WHERE m.project_id = $1 AND u.username = $2 AND u.is_active = TRUE",
    )
    .bind(project_id)
    .bind(username)
    .fetch_optional(db.pool())
    .await?)
}

/// A new membership (its access waits for a seal).
pub async fn insert<'e, E>(
    executor: E,
    project_id: ProjectId,
    user_id: UserId,
    is_owner: bool,
    added_by: Option<UserId>,
    now: i64,
) -> Result<(), DbError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO project_members (project_id, user_id, is_owner, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(project_id)
    .bind(user_id)
    .bind(is_owner)
    .bind(added_by)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// Sets or clears a member's Project Owner flag.
pub async fn set_owner<'e, E>(
    executor: E,
    project_id: ProjectId,
    user_id: UserId,
    is_owner: bool,
) -> Result<(), DbError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE project_members SET is_owner = $1 WHERE project_id = $2 AND user_id = $3")
        .bind(is_owner)
        .bind(project_id)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Ends a membership (the caller removes the member's seal in the same transaction).
pub async fn remove(
    tx: &mut Transaction<'_, Any>,
    project_id: ProjectId,
    user_id: UserId,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2")
        .bind(project_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct InviteRow {
    id: i64,
    email: String,
    is_owner: i64,
    expires_at: i64,
}

/// The pending (unexpired at `now`) invites that lead to the project, by address.
pub async fn invites(db: &Db, project_id: ProjectId, now: i64) -> Result<Vec<ProjectInvite>, DbError> {
    let rows: Vec<InviteRow> = sqlx::query_as(
        "SELECT i.id, i.email, CAST(CASE WHEN ip.is_owner THEN 1 ELSE 0 END AS BIGINT) AS is_owner, i.expires_at \
         FROM invite_projects ip JOIN invites i ON i.id = ip.invite_id \
         WHERE ip.project_id = $1 AND i.expires_at > $2 ORDER BY i.email",
    )
    .bind(project_id)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ProjectInvite {
            id: row.id,
            email: row.email,
            is_owner: row.is_owner != 0,
            expires_at: row.expires_at,
        })
        .collect())
}

/// Whether the invite leads to the project: `Some(is_owner)`.
pub async fn invite_link(db: &Db, invite_id: i64, project_id: ProjectId) -> Result<Option<bool>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(CASE WHEN is_owner THEN 1 ELSE 0 END AS BIGINT) FROM invite_projects \
         WHERE invite_id = $1 AND project_id = $2",
    )
    .bind(invite_id)
    .bind(project_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(owner,)| owner != 0))
}

/// Lets the invite lead to the project.
pub async fn link_invite<'e, E>(
    executor: E,
    invite_id: i64,
    project_id: ProjectId,
    is_owner: bool,
) -> Result<(), DbError>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("INSERT INTO invite_projects (invite_id, project_id, is_owner) VALUES ($1, $2, $3)")
        .bind(invite_id)
        .bind(project_id)
        .bind(is_owner)
        .execute(executor)
        .await?;
    Ok(())
}

/// Changes the capacity the invite gives in the project.
pub async fn set_invite_owner(
    db: &Db,
    invite_id: i64,
    project_id: ProjectId,
    is_owner: bool,
) -> Result<(), DbError> {
    sqlx::query("UPDATE invite_projects SET is_owner = $1 WHERE invite_id = $2 AND project_id = $3")
        .bind(is_owner)
        .bind(invite_id)
        .bind(project_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Takes the project out of the invite; a Researcher invite left without projects is deleted.
/// `None`: the invite did not lead to the project; else whether the invite was deleted.
pub async fn unlink_invite(
    tx: &mut Transaction<'_, Any>,
    invite_id: i64,
    project_id: ProjectId,
) -> Result<Option<bool>, DbError> {
    let removed = sqlx::query("DELETE FROM invite_projects WHERE invite_id = $1 AND project_id = $2")
        .bind(invite_id)
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Ok(None);
    }
    let deleted = sqlx::query(
        "DELETE FROM invites WHERE id = $1 AND role = 'Researcher' \
         AND NOT EXISTS (SELECT 1 FROM invite_projects WHERE invite_id = $1)",
    )
    .bind(invite_id)
    .execute(&mut **tx)
    .await?;
    Ok(Some(deleted.rows_affected() == 1))
}

#[derive(sqlx::FromRow)]
struct InvitedRow {
    public_id: String,
    title: String,
    is_owner: i64,
}

/// The active projects an invite leads to, by public id.
pub async fn invited_projects(db: &Db, invite_id: i64) -> Result<Vec<InvitedProject>, DbError> {
    let rows: Vec<InvitedRow> = sqlx::query_as(
        "SELECT p.public_id, p.title, CAST(CASE WHEN ip.is_owner THEN 1 ELSE 0 END AS BIGINT) AS is_owner \
         FROM invite_projects ip JOIN projects p ON p.id = ip.project_id \
         WHERE ip.invite_id = $1 AND p.is_active = TRUE ORDER BY p.public_id",
    )
    .bind(invite_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| InvitedProject { public_id: row.public_id, title: row.title, is_owner: row.is_owner != 0 })
        .collect())
}

/// What an invite gives in one of its active projects, and who sent it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteGrant {
    pub project_id: ProjectId,
    pub public_id: String,
    pub is_owner: i64,
    pub invited_by: Option<UserId>,
}

/// The active projects an invite leads to, read inside the caller's transaction.
pub async fn invite_grants(
    tx: &mut Transaction<'_, Any>,
    invite_id: i64,
) -> Result<Vec<InviteGrant>, DbError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS project_id, p.public_id, CAST(CASE WHEN ip.is_owner THEN 1 ELSE 0 END AS BIGINT) AS is_owner, \
         i.invited_by \
         FROM invite_projects ip JOIN projects p ON p.id = ip.project_id JOIN invites i ON i.id = ip.invite_id \
         WHERE ip.invite_id = $1 AND p.is_active = TRUE",
    )
    .bind(invite_id)
    .fetch_all(&mut **tx)
    .await?)
}
