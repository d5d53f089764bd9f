//! The unit-keys aggregate (`unit_keys`): a unit's public key, made by the browser of its first
//! staff member. The seals of its private key live in `seals`; the rules in `accounts::unit_keys`.

use app::domain::ids::{UnitId, UserId};
use sqlx::{Any, Transaction};

use super::{Db, DbError};

pub async fn public_key(db: &Db, unit_id: UnitId) -> Result<Option<Vec<u8>>, DbError> {
    let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT public_key FROM unit_keys WHERE unit_id = $1")
        .bind(unit_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(key,)| key))
}

/// Stores the unit's key inside the caller's transaction unless it has one already; true when
/// this call stored it.
pub async fn insert_if_absent(
    tx: &mut Transaction<'_, Any>,
    unit_id: UnitId,
    public_key: &[u8],
    created_by: UserId,
    created_at: i64,
) -> Result<bool, DbError> {
    let created = sqlx::query(
        "INSERT INTO unit_keys (unit_id, public_key, created_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (unit_id) DO NOTHING",
    )
    .bind(unit_id)
    .bind(public_key)
    .bind(created_by)
    .bind(created_at)
    .execute(&mut **tx)
    .await?;
    Ok(created.rows_affected() == 1)
}
