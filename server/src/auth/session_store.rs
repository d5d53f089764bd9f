//! tower-sessions records in the database (both backends), so any replica can serve any session.
//! The `user_id` column lets "log out everywhere" and deactivation end a user's sessions at once.
//!
//! Only a SHA-256 of the session id (the cookie's value) is stored: a copy of the database does
//! not hand over live sessions.

use app::domain::ids::UserId;
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use crate::db::sessions::{self, Record as Row};
use crate::db::{now, Db, DbError};

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
    pub async fn delete_user_sessions(&self, user_id: UserId) -> std::result::Result<u64, DbError> {
        sessions::delete_of_user(&self.db, user_id).await
    }

    /// Removes the sessions expired at `at` (run by the cleanup job).
    pub async fn prune(&self, at: i64) -> std::result::Result<u64, DbError> {
        sessions::delete_expired(&self.db, at).await
    }
}

/// What the `id` column holds for a session id: hex of SHA-256 of its cookie form.
pub fn stored_id(id: &Id) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(id.to_string().as_bytes()))
}

fn backend(err: DbError) -> Error {
    Error::Backend(err.to_string())
}

fn encode(record: &Record) -> Result<(String, Option<UserId>, i64)> {
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    // A pending login belongs to its user too: a password change or reset cancels it.
    let user_id = [USER_ID, PENDING_USER]
        .iter()
        .find_map(|key| record.data.get(*key).and_then(|v| v.as_i64()).map(UserId));
    Ok((data, user_id, record.expiry_date.unix_timestamp()))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let (data, user_id, expires_at) = encode(record)?;
        loop {
            let id = stored_id(&record.id);
            let row = Row { id: &id, user_id, data: &data, expires_at };
            if sessions::insert_new(&self.db, row).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default(); // a collision: draw another id
        }
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (data, user_id, expires_at) = encode(record)?;
        let id = stored_id(&record.id);
        sessions::upsert(&self.db, Row { id: &id, user_id, data: &data, expires_at }).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row = sessions::unexpired(&self.db, &stored_id(id), now()).await.map_err(backend)?;
        let Some(sessions::Stored { data, expires_at }) = row else {
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
        sessions::delete(&self.db, &stored_id(id)).await.map_err(backend)
    }
}
