//! The invites aggregate: an invite, the projects it leads to (`invite_projects`, written by
//! `projects::members`) and its token's hash. Rows decode into the structs below.

use app::api::invites::InviteSummary;
use app::domain::dashboard::TimeCursor;
use app::domain::ids::{UnitId, UserId};
use app::domain::roles::Role;

use super::{Db, DbError};

/// A pending (or expired, not yet pruned) invite to an address.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ByEmail {
    pub id: i64,
    pub expires_at: i64,
    pub role: String,
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<ByEmail>, DbError> {
    Ok(sqlx::query_as("SELECT id, expires_at, role FROM invites WHERE email = $1")
        .bind(email)
        .fetch_optional(db.pool())
        .await?)
}

/// What a new invite stores.
pub struct NewInvite<'a> {
    pub email: &'a str,
    pub role: Role,
    pub unit_id: Option<UnitId>,
    pub invited_by: UserId,
    pub token_hash: Vec<u8>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Stores an invite; the address's UNIQUE constraint decides a race between two invites to it
/// ([`super::Duplicate::InviteEmail`]).
pub async fn insert(tx: &mut sqlx::Transaction<'_, sqlx::Any>, new: NewInvite<'_>) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO invites (email, role, unit_id, invited_by, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.email)
    .bind(new.role.as_str())
    .bind(new.unit_id)
    .bind(new.invited_by)
    .bind(new.token_hash)
    .bind(new.created_at)
    .bind(new.expires_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn delete<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM invites WHERE id = $1").bind(id).execute(executor).await?;
    Ok(())
}

/// Whose invites a viewer sees (the rule is `accounts::invites::seen_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    All,
    /// Those of the unit, sent by its staff, or leading to one of its projects.
    Unit(UnitId),
    /// Those leading to a project this user owns.
    OwnedBy(UserId),
}

impl Seen {
    /// The condition on `invites i`, its scope bound as `$n`; and that value (none for `All`).
    fn condition(self, n: usize) -> (String, Option<i64>) {
        match self {
            Seen::All => ("TRUE".into(), None),
            Seen::Unit(unit) => (
                format!(
                    "(i.unit_id = ${n} OR EXISTS (SELECT 1 FROM users s WHERE s.id = i.invited_by AND s.unit_id = ${n}) \
                     OR EXISTS (SELECT 1 FROM invite_projects ip JOIN projects p ON p.id = ip.project_id \
                     WHERE ip.invite_id = i.id AND p.unit_id = ${n}))"
                ),
                Some(i64::from(unit)),
            ),
            Seen::OwnedBy(user) => (
                format!(
                    "EXISTS (SELECT 1 FROM invite_projects ip JOIN project_members m ON m.project_id = ip.project_id \
                     WHERE ip.invite_id = i.id AND m.user_id = ${n} AND m.is_owner = TRUE)"
                ),
                Some(i64::from(user)),
            ),
        }
    }
}

/// The columns of an [`InviteSummary`] (its projects are read apart).
const SUMMARY_COLUMNS: &str = "i.id, i.email, i.role, i.unit_id, i.created_at, i.expires_at";

/// One page of the invites `seen` shows, newest first, below `before` (`invites_created` read
/// backwards), `limit` at most.
pub async fn listed(
    db: &Db,
    seen: Seen,
    before: TimeCursor,
    limit: i64,
) -> Result<Vec<InviteSummary>, DbError> {
    let (condition, scope) = seen.condition(4);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM invites i WHERE (i.created_at, i.id) < ($1, $2) AND {condition} \
         ORDER BY i.created_at DESC, i.id DESC LIMIT $3"
    );
    let query = sqlx::query_as(&sql).bind(before.at).bind(before.id).bind(limit);
    let query = match scope {
        Some(scope) => query.bind(scope),
        None => query,
    };
    Ok(query.fetch_all(db.pool()).await?)
}

/// One invite with its inviter's unit (a re-sent mail names it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    #[sqlx(flatten)]
    pub summary: InviteSummary,
    pub inviter_unit: Option<UnitId>,
}

/// The invite `id` if `seen` shows it.
pub async fn listed_one(db: &Db, seen: Seen, id: i64) -> Result<Option<Listed>, DbError> {
    let (condition, scope) = seen.condition(2);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, (SELECT s.unit_id FROM users s WHERE s.id = i.invited_by) AS inviter_unit \
         FROM invites i WHERE i.id = $1 AND {condition}"
    );
    let query = sqlx::query_as(&sql).bind(id);
    let query = match scope {
        Some(scope) => query.bind(scope),
        None => query,
    };
    Ok(query.fetch_optional(db.pool()).await?)
}

/// The projects (public ids) each of the invites `ids` leads to, one query per `IN_LIST_CHUNK`.
pub async fn projects_of(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>, DbError> {
    let mut projects: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for chunk in ids.chunks(super::IN_LIST_CHUNK) {
        let sql = format!(
            "SELECT ip.invite_id, p.public_id FROM invite_projects ip JOIN projects p ON p.id = ip.project_id \
             WHERE ip.invite_id IN ({}) ORDER BY p.public_id",
            super::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for (invite, public_id) in query.fetch_all(db.pool()).await? {
            projects.entry(invite).or_default().push(public_id);
        }
    }
    Ok(projects)
}

/// The invite a link's token names.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ByToken {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub unit_id: Option<UnitId>,
    pub expires_at: i64,
    /// The unit's display name.
    pub unit_name: Option<String>,
    pub invited_by: Option<UserId>,
}

pub async fn by_token_hash(db: &Db, hash: &[u8]) -> Result<Option<ByToken>, DbError> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.email, i.role, i.unit_id, i.expires_at, u.external_display_name AS unit_name, \
         i.invited_by FROM invites i LEFT JOIN units u ON u.id = i.unit_id WHERE i.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(db.pool())
    .await?)
}

/// Claims an unexpired invite for a registration inside its transaction: a second acceptance
/// finds nothing. False when it was already used or expired.
pub async fn claim(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64, now: i64) -> Result<bool, DbError> {
    let claimed = sqlx::query("UPDATE invites SET expires_at = 0 WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Gives an invite not yet used a new link token and validity (a re-send): the old token no
/// longer finds it. False when it was used (claimed) or is gone.
pub async fn renew(
    db: &Db,
    id: i64,
    token_hash: &[u8],
    created_at: i64,
    expires_at: i64,
) -> Result<bool, DbError> {
    let renewed = sqlx::query(
        "UPDATE invites SET token_hash = $2, created_at = $3, expires_at = $4 WHERE id = $1 AND expires_at <> 0",
    )
    .bind(id)
    .bind(token_hash)
    .bind(created_at)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// Deletes the invites that expired before `before`; how many.
pub async fn delete_expired_before(db: &Db, before: i64) -> Result<u64, DbError> {
    let done =
        sqlx::query("DELETE FROM invites WHERE expires_at < $1").bind(before).execute(db.pool()).await?;
    Ok(done.rows_affected())
}
