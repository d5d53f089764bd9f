//! Password reset by email link (DDS §6.6). The server draws the link's token (32 random bytes;
//! it is not a key) and stores only its SHA-256. Completing the reset stores credentials with a
//! NEW key pair made in the browser: the old private key cannot be opened without the old
//! password, so access to delivered data is lost until a colleague with access restores it.

use std::net::IpAddr;

use app::domain::roles::Role;
use serde::Serialize;

use super::{link_token_hash, new_link_token};
use crate::auth::credentials::{CredentialsError, NewKeyPair};
use crate::auth::session_store::DbSessionStore;
use crate::auth::{one_time_code, rate_limit};
use crate::db::audit::{self, AuditEvent};
use crate::db::users::{self, User};
use crate::db::{now, Db, DbError};
use crate::mail::{escape_html, normalized_address, MailError, Mailer, OutgoingMail};

pub const VALIDITY_SECS: i64 = 3600;

/// DDS's answer to every request for a known or unknown address alike.
pub fn neutral_answer(email: &str) -> String {
    format!(
        "If the specified email address is registered to a DDS account, you should receive an \
         email with instructions on how to reset your password. You specified the following email \
         address: {email}"
    )
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// DDS's message.
    #[error("Your account is deactivated. You cannot reset your password.")]
    Deactivated,
    #[error("{}", rate_limit::TOO_MANY)]
    TooManyRequests,
    /// DDS's message, for a link that never existed or was replaced.
    #[error("That is an invalid or expired token")]
    UnknownToken,
    #[error("That is an invalid or expired token")]
    Expired,
    /// DDS's message.
    #[error(
        "You have already used this link to change your password. Please request a new password \
         reset if you wish to continue."
    )]
    Used,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A failure whose cause is only for the log.
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for ResetError {
    fn from(err: sqlx::Error) -> Self {
        ResetError::Db(DbError::Query(err))
    }
}

impl From<CredentialsError> for ResetError {
    fn from(err: CredentialsError) -> Self {
        match err {
            CredentialsError::Invalid(message) => ResetError::Invalid(message),
            CredentialsError::Hashing(_) => ResetError::Internal(err.to_string()),
        }
    }
}

/// What the reset flow needs of the server.
pub struct ResetContext<'a> {
    pub db: &'a Db,
    pub mailer: &'a Mailer,
    pub sessions: &'a DbSessionStore,
    pub public_url: &'a str,
}

/// `POST /password-reset`: mails a link when `email` belongs to an active account. Every
/// request counts toward the limit, per address and per email.
pub async fn request(cx: &ResetContext<'_>, ip: IpAddr, email: &str) -> Result<(), ResetError> {
    let email = normalized_address(email)
        .ok_or_else(|| ResetError::Invalid("Enter a valid email address.".into()))?;
    let buckets = rate_limit::reset_buckets(ip, &email);
    // Every request counts: the reservation is kept.
    if rate_limit::reserve(cx.db, &buckets).await?.is_none() {
        return Err(ResetError::TooManyRequests);
    }
    match users::by_email(cx.db, &email).await? {
        None => Ok(()), // the same answer: nobody learns which addresses are registered
        Some(user) if !user.is_active => Err(ResetError::Deactivated),
        Some(user) => issue(cx.db, cx.mailer, cx.public_url, &user, &email).await,
    }
}

/// Draws a token, replaces the user's unused earlier link and mails the new one to `email`.
/// Also used by `dds init-db production` to let the first Super Admin set a password.
pub async fn issue(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    user: &User,
    email: &str,
) -> Result<(), ResetError> {
    let (token, hash) = new_link_token();
    let issued = now();
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO password_resets (user_id, token_hash, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user.id)
    .bind(hash)
    .bind(issued)
    .bind(issued + VALIDITY_SECS)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let link = format!("{public_url}/reset-password/{token}");
    if let Err(err) = mailer.send(reset_mail(email, &link)).await {
        sqlx::query("DELETE FROM password_resets WHERE id = $1").bind(id).execute(db.pool()).await?;
        return Err(err.into());
    }
    Ok(())
}

/// `dds init-db production`: the Super Admin it creates has no password yet; this mails them a
/// reset link to choose one. `Ok(None)` when the account already has a password.
pub async fn send_first_password_link(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    username: &str,
) -> Result<Option<String>, ResetError> {
    let user = users::by_username(db, username)
        .await?
        .ok_or_else(|| ResetError::Invalid(format!("There is no account named '{username}'.")))?;
    if users::credentials(db, user.id).await?.is_some() {
        return Ok(None);
    }
    issue(db, mailer, public_url, &user, &user.email).await?;
    Ok(Some(user.email))
}

fn reset_mail(to: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_string(),
        subject: "WARNING! Password Reset Request for the Data Delivery System".into(),
        // Short lines for plain-text readers (the link's own line may be longer).
        text: format!(
            "Someone asked to reset the password of your Data Delivery System account.\n\n\
             WARNING: resetting your password makes you lose access to ALL data\n\
             delivered to you, until a colleague with access restores it.\n\n\
             To choose a new password, open this link (valid for 1 hour, usable once):\n\
             {link}\n\n\
             If you did not ask for this, ignore this message: your password stays\n\
             as it is.\n"
        ),
        html: format!(
            "<p>Someone asked to reset the password of your Data Delivery System account.</p>\
             <p><strong>WARNING: resetting your password makes you lose access to ALL data \
             delivered to you</strong>, until a colleague with access to each project restores it.</p>\
             <p><a href=\"{link}\">Choose a new password</a> (the link is valid for 1 hour and can be \
             used once).</p>\
             <p>If you did not ask for this, ignore this message: your password stays as it is.</p>"
        ),
        link: Some(link.to_string()),
    }
}

type ResetRow = (i64, i64, i64, Option<i64>);

/// The pending reset of a link: refused when unknown, used, expired, or the account is
/// deactivated.
async fn pending(db: &Db, token: &str) -> Result<(i64, User), ResetError> {
    let hash = link_token_hash(token).ok_or(ResetError::UnknownToken)?;
    let row: Option<ResetRow> =
        sqlx::query_as("SELECT id, user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(db.pool())
            .await?;
    let (id, user_id, expires_at, used_at) = row.ok_or(ResetError::UnknownToken)?;
    if used_at.is_some() {
        return Err(ResetError::Used);
    }
    if expires_at <= now() {
        return Err(ResetError::Expired);
    }
    let user = users::by_id(db, user_id).await?.ok_or(ResetError::UnknownToken)?;
    if !user.is_active {
        return Err(ResetError::Deactivated);
    }
    Ok((id, user))
}

/// What the reset page shows.
#[derive(Debug, Serialize)]
pub struct ResetDetails {
    pub username: String,
    pub email: String,
}

pub async fn details(db: &Db, token: &str) -> Result<ResetDetails, ResetError> {
    let (_, user) = pending(db, token).await?;
    Ok(ResetDetails { username: user.username, email: user.email })
}

/// Whom the user should ask to restore their access.
#[derive(Debug, Serialize)]
pub struct UnitContact {
    pub name: String,
    pub contact_email: String,
}

#[derive(Debug, Serialize)]
pub struct Completed {
    pub units_to_contact: Vec<UnitContact>,
}

/// `POST /password-reset/{token}`: stores the new credentials and key pair, uses up the link,
/// ends every session of the user and tells fellow Unit Admins when a Unit Admin lost access.
pub async fn complete(cx: &ResetContext<'_>, token: &str, new: NewKeyPair) -> Result<Completed, ResetError> {
    let checked = new.check()?;
    let (reset_id, user) = pending(cx.db, token).await?;
    let credentials = checked.into_stored().await?;

    let mut tx = cx.db.pool().begin().await?;
    // Used up in the same transaction: a second completion finds the row used.
    let used = sqlx::query("UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now())
        .bind(reset_id)
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        return Err(ResetError::Used);
    }
    users::insert_credentials(&mut tx, user.id, &credentials).await?;
    // DDS drops every project key of the user: the seals were made for the old key pair and can
    // never open again. Membership stays: each project shows the user as "access pending".
    sqlx::query("DELETE FROM project_key_seals WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
    // An emailed code sent before the reset must not complete a login after it.
    one_time_code::revoke_in(&mut *tx, user.id).await?;
    let event = AuditEvent {
        details: Some("new key pair; access to delivered data pending until restored by a colleague".into()),
        ..AuditEvent::new(Some(user.id), "password-reset", Some(&user.username))
    };
    audit::record(&mut *tx, event).await?;
    tx.commit().await?;

    cx.sessions.delete_user_sessions(user.id).await.map_err(|e| ResetError::Internal(e.to_string()))?;
    if user.role == Role::UnitAdmin {
        warn_fellow_unit_admins(cx, &user).await?;
    }
    Ok(Completed { units_to_contact: units_to_contact(cx.db, &user).await? })
}

async fn units_to_contact(db: &Db, user: &User) -> Result<Vec<UnitContact>, ResetError> {
    match (user.role, user.unit_id) {
        (Role::UnitAdmin | Role::UnitPersonnel, Some(unit_id)) => {
            let unit: Option<(String, String)> =
                sqlx::query_as("SELECT external_display_name, contact_email FROM units WHERE id = $1")
                    .bind(unit_id)
                    .fetch_optional(db.pool())
                    .await?;
            Ok(unit.map(|(name, contact_email)| UnitContact { name, contact_email }).into_iter().collect())
        }
        // Researchers: the units of the projects they are members of.
        _ => {
            let units: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT u.external_display_name, u.contact_email FROM project_members m \
                 JOIN projects p ON p.id = m.project_id JOIN units u ON u.id = p.unit_id \
                 WHERE m.user_id = $1 AND p.is_active = TRUE ORDER BY u.external_display_name",
            )
            .bind(user.id)
            .fetch_all(db.pool())
            .await?;
            Ok(units.into_iter().map(|(name, contact_email)| UnitContact { name, contact_email }).collect())
        }
    }
}

/// DDS's "A Unit Admin has lost access" mail to every other active Unit Admin of the unit. The
/// reset is done by then: a failed mail is logged, not reported to the user.
async fn warn_fellow_unit_admins(cx: &ResetContext<'_>, user: &User) -> Result<(), ResetError> {
    let Some(unit_id) = user.unit_id else {
        return Ok(());
    };
    let colleagues = users::active_unit_admins(cx.db, unit_id)
        .await?
        .into_iter()
        .filter(|other| other.id != user.id && !other.email.is_empty());
    for colleague in colleagues {
        if let Err(err) = cx.mailer.send(lost_access_mail(&colleague.email, user)).await {
            tracing::error!(error = %err, to = %colleague.username, "lost-access mail failed");
        }
    }
    Ok(())
}

fn lost_access_mail(to: &str, user: &User) -> OutgoingMail {
    let who = format!("{} ({}, {})", user.name, user.username, user.email);
    let consequence = "has reset their password and has therefore lost access to your unit's\n\
                       data until a colleague with access restores it.";
    let restore = "Restoring happens automatically when a colleague with access (you, for\n\
                   example) is logged in to the Data Delivery System.";
    OutgoingMail {
        to: to.to_string(),
        subject: "WARNING! A Unit Admin has lost access".into(),
        text: format!("The Unit Admin {who}\n{consequence}\n\n{restore}\n"),
        html: format!("<p>The Unit Admin {} {consequence}</p><p>{restore}</p>", escape_html(&who)),
        link: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_mail_warns_about_lost_access_and_carries_the_link() {
        let mail = reset_mail("a@example.org", "https://dds.example/reset-password/abc");
        assert_eq!(mail.subject, "WARNING! Password Reset Request for the Data Delivery System");
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("lose access to ALL data"), "{body}");
            assert!(body.contains("https://dds.example/reset-password/abc"), "{body}");
            assert!(body.contains("1 hour"), "{body}");
        }
        assert!(mail.text.lines().filter(|line| !line.contains("://")).all(|line| line.len() <= 76));
        assert_eq!(mail.link.as_deref(), Some("https://dds.example/reset-password/abc"));
    }

    #[test]
    fn lost_access_mail_names_the_admin_and_escapes_html() {
        let user = User {
            id: 1,
            username: "ua".into(),
            name: "<Eve>".into(),
            role: Role::UnitAdmin,
            unit_id: Some(1),
            is_active: true,
            email: "ua@example.org".into(),
        };
        let mail = lost_access_mail("other@example.org", &user);
        assert_eq!(mail.subject, "WARNING! A Unit Admin has lost access");
        assert!(mail.text.contains("<Eve> (ua, ua@example.org)"));
        assert!(mail.html.contains("&lt;Eve&gt;") && !mail.html.contains("<Eve>"));
        assert!(mail.text.contains("automatically"));
    }

    #[test]
    fn the_neutral_answer_repeats_the_address() {
        assert!(neutral_answer("x@example.org")
            .ends_with("You specified the following email address: x@example.org"));
    }
}
