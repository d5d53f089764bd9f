//! The units aggregate (its key pair and seals live in `accounts::unit_keys` and `seals`).

use super::{Db, DbError};

/// The name a unit shows to people outside it (DDS's `external_display_name`).
pub async fn display_name(db: &Db, unit_id: i64) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT external_display_name FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(name,)| name))
}

/// How long a unit's projects stay Available and Expired (days), read in the caller's transaction.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Deadlines {
    pub days_in_available: i64,
    pub days_in_expired: i64,
}

pub async fn deadlines(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: i64,
) -> Result<Deadlines, DbError> {
    Ok(sqlx::query_as("SELECT days_in_available, days_in_expired FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_one(&mut **tx)
        .await?)
}
