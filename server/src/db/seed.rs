//! `dds init-db`: the DDS development accounts, or the production Super Admin.

use app::domain::ids::{UnitId, UserId};
use app::domain::roles::Role;

use super::users;
use super::{now, Db, DbError};
use crate::auth::credentials::derive_for_seed;
use crate::config::SuperAdminConfig;

/// The development unit and accounts of upstream DDS (`flask init-db dev`).
pub const DEV_UNIT: &str = "Unit 1";
/// The name researchers see for the development unit (upstream's placeholder was "Display Name").
pub const DEV_UNIT_DISPLAY_NAME: &str = "Demo Sequencing Facility";
pub const DEV_ACCOUNTS: &[(&str, Role)] = &[
    ("superadmin", Role::SuperAdmin),
    ("unitadmin_1", Role::UnitAdmin),
    ("unitadmin_2", Role::UnitAdmin),
    ("unitadmin_3", Role::UnitAdmin),
    ("unituser_1", Role::UnitPersonnel),
    ("unituser_2", Role::UnitPersonnel),
    ("researchuser_1", Role::Researcher),
    ("researchuser_2", Role::Researcher),
];

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Created { accounts: usize },
    AlreadySeeded,
}

/// The development accounts' password (as upstream's `init-db dev`).
pub const DEV_PASSWORD: &str = "password";

/// The dev unit's project: researchuser_1 is its Project Owner, researchuser_2 a member.
pub const DEV_PROJECT: &str = "someunit00001";

/// Seeds the development unit and accounts, with credentials derived from [`DEV_PASSWORD`]
/// exactly as a browser would, and the unit's key sealed to its staff (as the first staff
/// member's browser and then invites would). Running it twice changes nothing.
pub async fn dev(db: &Db) -> Result<SeedOutcome, DbError> {
    if user_exists(db, DEV_ACCOUNTS[0].0).await? {
        return Ok(SeedOutcome::AlreadySeeded);
    }
    // Argon2id with the default (browser) parameters: off the async threads.
    let (credentials, unit_key) = tokio::task::spawn_blocking(|| {
        let credentials = DEV_ACCOUNTS
            .iter()
            .map(|(username, _)| derive_for_seed(DEV_PASSWORD, username))
            .collect::<Vec<_>>();
        (credentials, wasm_crypto::PrivateKey::generate())
    })
    .await
    .map_err(|e| DbError::Internal(format!("key derivation failed: {e}")))?;
    let unit_public_key = unit_key.public_key().as_bytes().to_vec();
    let mut tx = db.begin().await?;
    let (unit_id,): (UnitId,) = sqlx::query_as(
        "INSERT INTO units (public_id, name, external_display_name, contact_email, internal_ref, \
         quota_bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind("unit-1")
    .bind(DEV_UNIT)
    .bind(DEV_UNIT_DISPLAY_NAME)
    .bind("support@example.com")
    .bind("someunit")
    .bind(100_i64 * 1_000_000_000_000) // 100 TB, as upstream's dev unit
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    let mut staff_seals = Vec::new();
    let mut researchers = Vec::new();
    for ((username, role), derived) in DEV_ACCOUNTS.iter().zip(credentials) {
        let unit = role.belongs_to_unit().then_some(unit_id);
        let (user_id,): (UserId,) = sqlx::query_as(
            "INSERT INTO users (username, name, role, unit_id, is_active, created_at) \
             VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING id",
        )
        .bind(*username)
        .bind(display_name(username))
        .bind(role.as_str())
        .bind(unit)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO emails (user_id, email, is_primary) VALUES ($1, $2, TRUE)")
            .bind(user_id)
            .bind(format!("{username}@example.com"))
            .execute(&mut *tx)
            .await?;
        let stored = derived.into_stored();
        if role.belongs_to_unit() {
            let recipient = wasm_crypto::PublicKey::from_slice(&stored.public_key)
                .map_err(|e| DbError::Internal(format!("seed key: {e}")))?;
            let sealed = wasm_crypto::seal_private_key(&recipient, &unit_key)
                .map_err(|e| DbError::Internal(format!("seed key: {e}")))?;
            staff_seals.push((user_id, stored.public_key.clone(), sealed.as_bytes().to_vec()));
        }
        if *role == Role::Researcher {
            researchers.push((user_id, stored.public_key.clone()));
        }
        users::insert_credentials(&mut tx, user_id, &stored).await?;
    }
    sqlx::query("INSERT INTO unit_keys (unit_id, public_key, created_at) VALUES ($1, $2, $3)")
        .bind(unit_id)
        .bind(unit_public_key)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    for (user_id, recipient_public_key, sealed) in staff_seals {
        sqlx::query(
            "INSERT INTO unit_key_seals (unit_id, user_id, recipient_public_key, sealed, sealed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(unit_id)
        .bind(user_id)
        .bind(recipient_public_key)
        .bind(sealed)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    seed_project(&mut tx, unit_id, &unit_key, &researchers).await?;
    tx.commit().await?;
    Ok(SeedOutcome::Created { accounts: DEV_ACCOUNTS.len() })
}

/// Creates the first Super Admin from the configuration (`DDS_SUPERADMIN_*`).
/// The dev project: its key sealed to the unit key, the first researcher its Project Owner and
/// the second a member, both holding the key.
async fn seed_project(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    unit_id: UnitId,
    unit_key: &wasm_crypto::PrivateKey,
    researchers: &[(UserId, Vec<u8>)],
) -> Result<(), DbError> {
    let internal = |e: wasm_crypto::CryptoError| DbError::Internal(format!("seed key: {e}"));
    let project_key = wasm_crypto::PrivateKey::generate();
    let unit_sealed =
        wasm_crypto::seal_private_key(&unit_key.public_key(), &project_key).map_err(internal)?;
    sqlx::query("UPDATE units SET project_counter = 1 WHERE id = $1")
        .bind(unit_id)
        .execute(&mut **tx)
        .await?;
    let (project_id,): (i64,) = sqlx::query_as(
        "INSERT INTO projects (public_id, unit_id, title, description, pi, public_key, unit_public_key, \
         unit_sealed_key, is_active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9) RETURNING id",
    )
    .bind(DEV_PROJECT)
    .bind(unit_id)
    .bind("Seeded project")
    .bind("A project of the dev unit, to try the portal with.")
    .bind("pi@example.com")
    .bind(project_key.public_key().as_bytes().to_vec())
    .bind(unit_key.public_key().as_bytes().to_vec())
    .bind(unit_sealed.as_bytes().to_vec())
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO project_statuses (project_id, status, is_aborted, created_at) VALUES ($1, $2, FALSE, $3)")
        .bind(project_id)
        .bind(crate::projects::INITIAL_STATUS.as_str())
        .bind(now())
        .execute(&mut **tx)
        .await?;
    for (i, (user_id, public_key)) in researchers.iter().enumerate() {
        sqlx::query(
            "INSERT INTO project_members (project_id, user_id, is_owner, added_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(project_id)
        .bind(user_id)
        .bind(i == 0)
        .bind(now())
        .execute(&mut **tx)
        .await?;
        let recipient = wasm_crypto::PublicKey::from_slice(public_key).map_err(internal)?;
        let sealed = wasm_crypto::seal_private_key(&recipient, &project_key).map_err(internal)?;
        super::seals::store(
            &mut **tx,
            super::seals::SealedKey::Project,
            project_id,
            *user_id,
            public_key,
            sealed.as_bytes(),
            *user_id,
        )
        .await?;
    }
    Ok(())
}

pub async fn production(db: &Db, admin: &SuperAdminConfig) -> Result<SeedOutcome, DbError> {
    let (Some(username), Some(email)) = (admin.username.as_deref(), admin.email.as_deref()) else {
        return Err(DbError::Internal(
            "init-db production needs DDS_SUPERADMIN_USERNAME and DDS_SUPERADMIN_EMAIL".into(),
        ));
    };
    if user_exists(db, username).await? {
        return Ok(SeedOutcome::AlreadySeeded);
    }
    let name = admin.name.as_deref().unwrap_or(username);
    let mut tx = db.begin().await?;
    let (user_id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, name, role, unit_id, is_active, created_at) \
         VALUES ($1, $2, $3, NULL, TRUE, $4) RETURNING id",
    )
    .bind(username)
    .bind(name)
    .bind(Role::SuperAdmin.as_str())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO emails (user_id, email, is_primary) VALUES ($1, $2, TRUE)")
        .bind(user_id)
        .bind(email)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(SeedOutcome::Created { accounts: 1 })
}

async fn user_exists(db: &Db, username: &str) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

fn display_name(username: &str) -> String {
    let mut words = username.replace('_', " ");
    if let Some(first) = words.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    words
}
