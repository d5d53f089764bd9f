//! Unit keys (DESIGN §3). A unit's X25519 key pair is made by the browser of its first staff
//! member; its private key is sealed to every staff member (and, with projects, project keys are
//! sealed to the unit key, so any colleague can restore access after a password reset). The
//! server only stores and routes sealed blobs: it can open none of them.
//!
//! A member whose seal is missing, or was made for an older public key (a password reset makes a
//! new key pair), is "access pending"; any colleague whose browser holds the unit key seals it
//! to them again (the portal does it automatically when such a colleague is signed in).

use app::domain::roles::Role;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Serialize;
use wasm_crypto::seal::SEALED_KEY_LEN;

use crate::db::audit::{self, AuditEvent};
use crate::db::seals::{self, SealedKey};
use crate::db::users::User;
use crate::db::{now, Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum UnitKeyError {
    #[error("Only Unit Admins and Unit Personnel hold a unit key.")]
    NotStaff,
    #[error("{0}")]
    Invalid(String),
    #[error("User not found.")]
    NotFound,
    #[error("{0} already has access to the unit's data.")]
    AlreadySealed(String),
    #[error("You do not have access to your unit's key yourself; a colleague must restore it first.")]
    NoAccessYourself,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for UnitKeyError {
    fn from(err: sqlx::Error) -> Self {
        UnitKeyError::Db(DbError::Query(err))
    }
}

/// What a staff member's browser needs: the unit public key, its own sealed copy of the unit
/// private key (`None` while its access is pending) and the colleagues waiting for theirs.
#[derive(Debug, Serialize)]
pub struct UnitKeys {
    pub unit_public_key: Option<String>,
    pub sealed_unit_key: Option<String>,
    pub pending: Vec<PendingMember>,
}

#[derive(Debug, Serialize)]
pub struct PendingMember {
    pub username: String,
    /// The key to seal to (the member's current public key).
    pub public_key: String,
}

fn staff_unit(user: &User) -> Result<i64, UnitKeyError> {
    match (user.role, user.unit_id) {
        (Role::UnitAdmin | Role::UnitPersonnel, Some(unit)) => Ok(unit),
        _ => Err(UnitKeyError::NotStaff),
    }
}

pub async fn unit_public_key(db: &Db, unit_id: i64) -> Result<Option<Vec<u8>>, DbError> {
    let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT public_key FROM unit_keys WHERE unit_id = $1")
        .bind(unit_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(key,)| key))
}

/// Active staff of the unit whose access is pending, with their current public keys.
pub async fn pending_members(db: &Db, unit_id: i64) -> Result<Vec<PendingMember>, DbError> {
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT u.username, c.public_key FROM users u JOIN user_credentials c ON c.user_id = u.id \
         LEFT JOIN unit_key_seals s ON s.unit_id = u.unit_id AND s.user_id = u.id \
         AND s.recipient_public_key = c.public_key \
         WHERE u.unit_id = $1 AND u.is_active = TRUE AND s.user_id IS NULL ORDER BY u.username",
    )
    .bind(unit_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, key)| PendingMember { username, public_key: BASE64.encode(key) })
        .collect())
}

pub async fn for_member(db: &Db, user: &User) -> Result<UnitKeys, UnitKeyError> {
    let unit_id = staff_unit(user)?;
    let Some(public_key) = unit_public_key(db, unit_id).await? else {
        return Ok(UnitKeys { unit_public_key: None, sealed_unit_key: None, pending: Vec::new() });
    };
    Ok(UnitKeys {
        unit_public_key: Some(BASE64.encode(public_key)),
        sealed_unit_key: seals::current(db, SealedKey::Unit, unit_id, user.id)
            .await?
            .map(|s| BASE64.encode(s)),
        pending: pending_members(db, unit_id).await?,
    })
}

pub fn decode_sealed(value: &str) -> Result<Vec<u8>, UnitKeyError> {
    match BASE64.decode(value.trim()) {
        Ok(bytes) if bytes.len() == SEALED_KEY_LEN => Ok(bytes),
        _ => Err(UnitKeyError::Invalid(format!("'sealed' must be {SEALED_KEY_LEN} bytes in base64."))),
    }
}

/// A colleague's browser restores `username`'s access: the unit key sealed to their current
/// public key. Only a member who holds the key may, only for pending members of the same unit.
pub async fn seal_for_colleague(
    db: &Db,
    sealer: &User,
    username: &str,
    sealed: &str,
) -> Result<(), UnitKeyError> {
    let unit_id = staff_unit(sealer)?;
    let sealed = decode_sealed(sealed)?;
    if seals::current(db, SealedKey::Unit, unit_id, sealer.id).await?.is_none() {
        return Err(UnitKeyError::NoAccessYourself);
    }
    // Only members of the sealer's own unit are visible here (no probing of other units).
    let target: Option<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT u.id, u.username, c.public_key FROM users u JOIN user_credentials c ON c.user_id = u.id \
         WHERE LOWER(u.username) = LOWER($1) AND u.unit_id = $2 AND u.is_active = TRUE",
    )
    .bind(username)
    .bind(unit_id)
    .fetch_optional(db.pool())
    .await?;
    let (target_id, target_name, target_key) = target.ok_or(UnitKeyError::NotFound)?;
    if seals::current(db, SealedKey::Unit, unit_id, target_id).await?.is_some() {
        return Err(UnitKeyError::AlreadySealed(target_name));
    }
    let mut tx = db.pool().begin().await?;
    seals::store(&mut *tx, SealedKey::Unit, unit_id, target_id, &target_key, &sealed, sealer.id).await?;
    audit::record(&mut *tx, AuditEvent::new(Some(sealer.id), "unit-key-sealed", Some(&target_name))).await?;
    tx.commit().await?;
    Ok(())
}

/// What the invitee's browser offers at registration (staff invites only).
#[derive(Debug, Default)]
pub struct OfferedUnitKey {
    /// A unit key pair the browser just made (the unit had none when the invite was read).
    pub new_public_key: Option<Vec<u8>>,
    /// The unit private key sealed to the new member's public key.
    pub sealed: Option<Vec<u8>>,
}

/// Records the new member's unit key access inside the registration transaction. Whatever
/// cannot be recorded (no seal offered, or a new unit key when a colleague made one first)
/// leaves the member "access pending": a colleague repairs it.
pub async fn record_at_registration(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: i64,
    user_id: i64,
    user_public_key: &[u8],
    offered: OfferedUnitKey,
) -> Result<(), DbError> {
    let Some(sealed) = offered.sealed else {
        return Ok(());
    };
    let existing: Option<(Vec<u8>,)> = sqlx::query_as("SELECT public_key FROM unit_keys WHERE unit_id = $1")
        .bind(unit_id)
        .fetch_optional(&mut **tx)
        .await?;
    match (existing, offered.new_public_key) {
        // A copy of the unit's existing key, re-sealed from the invite.
        (Some(_), None) => {}
        // The first staff member: their browser made the unit key.
        (None, Some(public_key)) => {
            let created = sqlx::query(
                "INSERT INTO unit_keys (unit_id, public_key, created_by, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (unit_id) DO NOTHING",
            )
            .bind(unit_id)
            .bind(public_key)
            .bind(user_id)
            .bind(now())
            .execute(&mut **tx)
            .await?;
            if created.rows_affected() != 1 {
                return Ok(()); // a colleague registering at the same moment was first: pending
            }
            audit::record(&mut **tx, AuditEvent::new(Some(user_id), "unit-key-created", None)).await?;
        }
        // A key made while a colleague's was stored, or a seal without a key: pending.
        _ => return Ok(()),
    }
    seals::store(&mut **tx, SealedKey::Unit, unit_id, user_id, user_public_key, &sealed, user_id).await?;
    Ok(())
}
