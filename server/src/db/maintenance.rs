//! Maintenance mode: one row. While on, only Super Admins use the API.

use super::{Db, DbError};

pub async fn is_active(db: &Db) -> Result<bool, DbError> {
    // Read as an integer: sqlx's Any driver cannot decode SQLite's BOOLEAN.
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(CASE WHEN is_active THEN 1 ELSE 0 END AS BIGINT) FROM maintenance WHERE id = 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some_and(|(active,)| active != 0))
}

pub async fn set_active(db: &Db, active: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE maintenance SET is_active = $1 WHERE id = 1").bind(active).execute(db.pool()).await?;
    Ok(())
}
