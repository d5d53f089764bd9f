//! tower-sessions records in the database (both backends), so any replica can serve any session.
//! The `user_id` column lets "log out everywhere" and deactivation end a user's sessions at once.
//!
//! Only a SHA-256 of the session id (the cookie's value) is stored: a copy of the database does
//! not hand over live sessions.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use crate::db::{now, Db};

/// The session key holding the signed-in user's id.
pub const USER_ID: &str = "user_id";
/// The session key holding the id of a user whose login waits for the second factor.
pub const PENDING_USER: &str = "pending_user_id";

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> DbSessionStore {
        DbSessionStore { db }
    }

    /// Ends every session of a user, half-finished logins included (logout everywhere,
    /// deactivation, password change or reset).
    pub async fn delete_user_sessions(&self, user_id: i64) -> std::result::Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Removes the sessions expired at `at` (run by the cleanup job).
    pub async fn prune(&self, at: i64) -> std::result::Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(at)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

/// What the `id` column holds for a session id: hex of SHA-256 of its cookie form.
pub fn stored_id(id: &Id) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(id.to_string().as_bytes()))
}

fn backend(err: sqlx::Error) -> Error {
    Error::Backend(err.to_string())
}

fn encode(record: &Record) -> Result<(String, Option<i64>, i64)> {
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    // A pending login belongs to its user too: a password change or reset cancels it.
    let user_id =
        [USER_ID, PENDING_USER].iter().find_map(|key| record.data.get(*key).and_then(|v| v.as_i64()));
    Ok((data, user_id, record.expiry_date.unix_timestamp()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let (data, user_id, expires_at) = encode(record)?;
        loop {
            let done = sqlx::query(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(stored_id(&record.id))
            .bind(user_id)
            .bind(&data)
            .bind(expires_at)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default(); // a collision: draw another id
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (data, user_id, expires_at) = encode(record)?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET user_id = $2, data = $3, expires_at = $4",
        )
        .bind(stored_id(&record.id))
        .bind(user_id)
        .bind(&data)
        .bind(expires_at)
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(stored_id(id))
                .bind(now())
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(stored_id(id))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
