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
