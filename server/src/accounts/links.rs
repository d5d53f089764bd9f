//! Emailed links that act on one's own account (table `account_links`): confirming self-deletion
//! and going back from an authenticator app to emailed codes. The server draws the link's 32
//! random bytes, queues the mail with them in the same transaction and keeps only their SHA-256;
//! a link is used up when taken.

use super::{link_token_hash, new_link_token};
use crate::db::account_links::{self, Link, NewLink};
use crate::db::{now, Db, DbError};
use crate::mail::{MailError, Mailer, OutgoingMail};
use app::domain::ids::UserId;

/// What a link does when followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    DeleteAccount,
    EmailCodes,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::DeleteAccount => "delete-account",
            Purpose::EmailCodes => "email-codes",
        }
    }
}

/// The errors of both link flows, mapped once to HTTP in `http::account`.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The rules forbid it for this user (403).
    #[error("{0}")]
    Denied(String),
    /// Nothing to do, or already done (400).
    #[error("{0}")]
    Refused(String),
    /// Unknown, used or someone else's link (400).
    #[error("{0}")]
    Invalid(String),
    /// The link's time is over; it has been removed (410).
    #[error("{0}")]
    Expired(String),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<app::domain::permissions::Denied> for LinkError {
    fn from(denied: app::domain::permissions::Denied) -> Self {
        LinkError::Denied(denied.0.to_string())
    }
}

/// Issues a new link for `user_id`, replacing any earlier one of the same purpose, and queues
/// the mail `mail(token)` that carries it, in one transaction: the link exists exactly when its
/// mail is queued. The token (base64url, as it goes into the URL) exists in full only in that
/// mail.
pub async fn issue(
    db: &Db,
    mailer: &Mailer,
    user_id: UserId,
    purpose: Purpose,
    validity_secs: i64,
    mail: impl FnOnce(&str) -> OutgoingMail,
) -> Result<(), LinkError> {
    let (token, hash) = new_link_token();
    let mut tx = db.begin().await?;
    account_links::delete_of_user(&mut tx, user_id, purpose.as_str()).await?;
    let issued_at = now();
    let new = NewLink {
        user_id,
        purpose: purpose.as_str(),
        token_hash: &hash,
        issued_at,
        expires_at: issued_at + validity_secs,
    };
    account_links::insert(&mut tx, new).await?;
    mailer.send_in(&mut tx, mail(&token)).await?;
    tx.commit().await.map_err(DbError::from)?;
    mailer.wake();
    Ok(())
}

/// Whether `user_id` holds an unexpired link of `purpose`.
pub async fn has_pending(db: &Db, user_id: UserId, purpose: Purpose) -> Result<bool, DbError> {
    account_links::has_unexpired(db, user_id, purpose.as_str(), now()).await
}

/// A link taken from the table: it cannot be taken again, whatever happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Valid, issued to this user.
    Valid { user_id: UserId },
    /// Issued to this user, but its time is over.
    Expired { user_id: UserId },
    /// Unknown, already used, or of another purpose.
    Unknown,
}

/// Looks up `token` for `purpose` and uses it up. `only_for` keeps a link of another user
/// untouched (a signed-in user cannot spend someone else's link).
pub async fn take(
    db: &Db,
    token: &str,
    purpose: Purpose,
    only_for: Option<UserId>,
) -> Result<Taken, DbError> {
    let Some(hash) = link_token_hash(token) else {
        return Ok(Taken::Unknown);
    };
    let Some(Link { id, user_id, expires_at }) =
        account_links::by_token_hash(db, &hash, purpose.as_str()).await?
    else {
        return Ok(Taken::Unknown);
    };
    if only_for.is_some_and(|me| me != user_id) {
        return Ok(Taken::Unknown);
    }
    // Deleting decides who used the link: of two concurrent requests only one removes the row.
    let removed = account_links::delete(db, id).await?;
    Ok(match (removed, expires_at > now()) {
        (true, true) => Taken::Valid { user_id },
        (true, false) => Taken::Expired { user_id },
        (false, _) => Taken::Unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_match_the_table_check() {
        assert_eq!(Purpose::DeleteAccount.as_str(), "delete-account");
        assert_eq!(Purpose::EmailCodes.as_str(), "email-codes");
    }
}
