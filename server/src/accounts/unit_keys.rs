//! Unit keys (DESIGN §3). A unit's X25519 key pair is made by the browser of its first staff
//! member; its private key is sealed to every staff member (and project keys are sealed to the
//! unit key, so staff reach every project of their unit). The server only stores and routes
//! sealed blobs: it can open none of them.
//!
//! A member whose seal is missing, or was made for an older public key (a password reset makes a
//! new key pair), waits for access until a Unit Admin who holds the key approves them in the
//! page, after comparing their key fingerprint (docs/security.md "Threat model"). Nothing is
//! sealed automatically, and a Super Admin, who holds no keys, can never approve.

use app::api::keys::{Approval, UnitKeys};
use app::domain::ids::{UnitId, UserId};
use app::domain::roles::Role;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use wasm_crypto::seal::SEALED_KEY_LEN;

use super::key_access;
use crate::auth::credentials::{decode_field, PUBLIC_KEY_LEN};
use crate::db::audit::{self, AuditEvent};
use crate::db::seals::{self, SealedKey};
use crate::db::unit_keys;
use crate::db::users::{self, MemberKey, User};
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
    #[error("You do not have access to your unit's key yourself; a Unit Admin must approve you first.")]
    NoAccessYourself,
    #[error("Only Unit Admins who hold the unit key approve access to it.")]
    NotApprover,
    #[error("{0}'s key changed since the page was loaded: compare the new fingerprint and approve again.")]
    KeyChanged(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for UnitKeyError {
    fn from(err: sqlx::Error) -> Self {
        UnitKeyError::Db(DbError::from(err))
    }
}

fn staff_unit(user: &User) -> Result<UnitId, UnitKeyError> {
    match (user.role, user.unit_id) {
        (Role::UnitAdmin | Role::UnitPersonnel, Some(unit)) => Ok(unit),
        _ => Err(UnitKeyError::NotStaff),
    }
}

pub async fn unit_public_key(db: &Db, unit_id: UnitId) -> Result<Option<Vec<u8>>, DbError> {
    unit_keys::public_key(db, unit_id).await
}

/// The caller's unit key, and for a Unit Admin who holds it the colleagues waiting for it.
pub async fn for_member(db: &Db, user: &User) -> Result<UnitKeys, UnitKeyError> {
    let unit_id = staff_unit(user)?;
    let Some(public_key) = unit_public_key(db, unit_id).await? else {
        return Ok(UnitKeys {
            unit_public_key: None,
            sealed_unit_key: None,
            may_approve: false,
            waiting: Vec::new(),
        });
    };
    let sealed = seals::current(db, SealedKey::Unit, unit_id, user.id).await?;
    let may_approve = user.role == Role::UnitAdmin && sealed.is_some();
    Ok(UnitKeys {
        unit_public_key: Some(BASE64.encode(public_key)),
        sealed_unit_key: sealed.map(|s| BASE64.encode(s)),
        may_approve,
        waiting: if may_approve { key_access::waiting_for_unit(db, unit_id).await? } else { Vec::new() },
    })
}

/// A base64 field of `len` bytes, as every key field is checked.
fn decode(field: &str, value: &str, len: usize) -> Result<Vec<u8>, UnitKeyError> {
    decode_field(field, value, len).map_err(|e| UnitKeyError::Invalid(e.to_string()))
}

/// A Unit Admin approves a colleague: the unit key sealed, in the approver's browser, to the
/// public key the approver was shown. Only a Unit Admin who holds the key may, only for waiting
/// staff of their own unit, and only while that key is still the colleague's.
pub async fn approve(db: &Db, approver: &User, approval: &Approval) -> Result<(), UnitKeyError> {
    let unit_id = staff_unit(approver)?;
    if approver.role != Role::UnitAdmin {
        return Err(UnitKeyError::NotApprover);
    }
    let sealed = decode("sealed", &approval.sealed, SEALED_KEY_LEN)?;
    let shown_key = decode("public_key", &approval.public_key, PUBLIC_KEY_LEN)?;
    if seals::current(db, SealedKey::Unit, unit_id, approver.id).await?.is_none() {
        return Err(UnitKeyError::NoAccessYourself);
    }
    // Only members of the approver's own unit are visible here (no probing of other units).
    let target = users::active_member_key(db, unit_id, approval.username.trim()).await?;
    let MemberKey { user_id: target_id, username: target_name, public_key: target_key } =
        target.ok_or(UnitKeyError::NotFound)?;
    if target_key != shown_key {
        return Err(UnitKeyError::KeyChanged(target_name));
    }
    if seals::current(db, SealedKey::Unit, unit_id, target_id).await?.is_some() {
        return Err(UnitKeyError::AlreadySealed(target_name));
    }
    let mut tx = db.begin().await?;
    seals::store(&mut *tx, SealedKey::Unit, unit_id, target_id, &target_key, &sealed, approver.id).await?;
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(approver.id), "unit-key-approved", Some(&target_name)).in_unit(unit_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A unit key the registering browser made because the unit had none (its first staff member).
#[derive(Debug)]
pub struct NewUnitKey {
    pub public_key: Vec<u8>,
    /// The new unit private key sealed to the new member's public key.
    pub sealed: Vec<u8>,
}

/// Records the first staff member's new unit key inside the registration transaction. When the
/// unit has a key already (a colleague registered first) the offer is dropped and the member
/// waits for a Unit Admin's approval, like every later member. Whether the member now holds the
/// key (`false`: waiting).
pub async fn record_at_registration(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: UnitId,
    user_id: UserId,
    user_public_key: &[u8],
    offered: Option<NewUnitKey>,
) -> Result<bool, DbError> {
    let Some(offered) = offered else {
        return Ok(false);
    };
    if !unit_keys::insert_if_absent(tx, unit_id, &offered.public_key, user_id, now()).await? {
        return Ok(false); // the unit has a key: approval by a Unit Admin
    }
    audit::record(&mut **tx, AuditEvent::new(Some(user_id), "unit-key-created", None).in_unit(unit_id))
        .await?;
    seals::store(&mut **tx, SealedKey::Unit, unit_id, user_id, user_public_key, &offered.sealed, user_id)
        .await?;
    Ok(true)
}
