//! Asking for the password again before a change to how the account is protected (second
//! factor, password): a stolen session cookie alone cannot switch the second factor to the
//! thief's authenticator app. The browser re-derives auth_key from the password (the password
//! never reaches the server); failures count toward the login limits of the account.

use app::domain::ids::UserId;
use std::net::IpAddr;

use super::credentials::{decode_field, verify_auth_key, AUTH_KEY_LEN};
use super::hash_slots::HashSlots;
use super::login::AuthError;
use super::rate_limit::{self, login_buckets, Account};
use crate::db::users::{self, User};
use crate::db::Db;

/// Proof that the signed-in user just gave their password: only [`confirm_password`] makes one.
#[derive(Debug)]
pub struct PasswordConfirmed {
    user_id: UserId,
}

impl PasswordConfirmed {
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
}

/// Checks `auth_key` (base64, as the browser sends it) against `user`'s credentials.
pub async fn confirm_password(
    db: &Db,
    hash_slots: &HashSlots,
    ip: IpAddr,
    user: &User,
    auth_key: &str,
) -> Result<PasswordConfirmed, AuthError> {
    let key = decode_field("auth_key", auth_key, AUTH_KEY_LEN).map_err(|_| AuthError::MalformedKey)?;
    let attempt = rate_limit::reserve(db, &login_buckets(Account::Id(user.id), ip))
        .await?
        .map_err(AuthError::TooManyAttempts)?;
    let stored = users::credentials(db, user.id).await?.map(|c| c.auth_hash);
    let verified = match hash_slots.run(move || verify_auth_key(&key, stored.as_deref())).await {
        Ok(verified) => verified,
        Err(busy) => {
            rate_limit::forgive(db, attempt).await?;
            return Err(busy.into());
        }
    };
    if !verified {
        return Err(AuthError::WrongPassword); // the attempt stays recorded
    }
    rate_limit::forgive(db, attempt).await?;
    Ok(PasswordConfirmed { user_id: user.id })
}
