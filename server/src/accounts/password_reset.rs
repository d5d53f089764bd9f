//! Password reset by email link (DDS §6.6). The server draws the link's token (32 random bytes;
//! it is not a key) and stores only its SHA-256. Completing the reset stores credentials with a
//! NEW key pair made in the browser: the old private key cannot be opened without the old
//! password, so access to delivered data is lost until a colleague with access restores it.

use std::net::IpAddr;

use app::api::account::NewKeyPair;
use app::api::keys::KeyOrigin;
use app::api::password_reset::{Completed, ResetDetails, UnitContact};
use app::domain::roles::Role;

use super::key_access::{self, WaitsFor};
use super::{link_token_hash, new_link_token};
use crate::auth::credentials::{check_key_pair, CredentialsError};
use crate::auth::session_store::DbSessionStore;
use crate::auth::{one_time_code, rate_limit};
use crate::db::audit::{self, AuditEvent};
use crate::db::password_resets::{self, Reset};
use crate::db::seals::{self, SealedKey};
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
    #[error("{}", .0.message())]
    TooManyRequests(rate_limit::Refused),
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
        ResetError::Db(DbError::from(err))
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
    if let Err(refused) = rate_limit::reserve(cx.db, &buckets).await? {
        return Err(ResetError::TooManyRequests(refused));
    }
    match users::by_email(cx.db, &email).await? {
        None => Ok(()), // the same answer: nobody learns which addresses are registered
        Some(user) if !user.is_active => Err(ResetError::Deactivated),
        Some(user) => issue(cx.db, cx.mailer, cx.public_url, &user, &email).await,
    }
}

/// Draws a token, replaces the user's unused earlier link and queues the new one for `email`, in
/// one transaction. Also used by `dds init-db production` to let the first Super Admin set a
/// password.
pub async fn issue(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    user: &User,
    email: &str,
) -> Result<(), ResetError> {
    issue_with(db, mailer, public_url, user, email, reset_mail).await
}

/// [`issue`] with the message `mail(to, link)`.
async fn issue_with(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    user: &User,
    email: &str,
    mail: fn(&str, &str) -> OutgoingMail,
) -> Result<(), ResetError> {
    let (token, hash) = new_link_token();
    let issued = now();
    let link = format!("{public_url}/reset-password/{token}");
    let mut tx = db.begin().await?;
    password_resets::delete_unused(&mut tx, user.id).await?;
    password_resets::insert(&mut tx, user.id, &hash, issued, issued + VALIDITY_SECS).await?;
    mailer.send_in(&mut tx, mail(email, &link)).await?;
    tx.commit().await?;
    mailer.wake();
    Ok(())
}

/// `dds init-db production`: the Super Admin it creates has no password yet; this mails them a
/// link (a password-reset link, titled as the set-up it is) to choose one. `Ok(None)` when the
/// account already has a password.
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
    issue_with(db, mailer, public_url, &user, &user.email, setup_mail).await?;
    Ok(Some(user.email))
}

pub const SETUP_SUBJECT: &str = "Set up your DDS Super Admin account";

/// The first Super Admin's link: nothing to lose yet, so no warning, just what to do.
fn setup_mail(to: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.to_string(),
        subject: SETUP_SUBJECT.into(),
        text: format!(
            "A Super Admin account of the Data Delivery System was created for this\n\
             address. To set it up, choose your password with this link (valid for\n\
             1 hour, usable once):\n\
             {link}\n\n\
             If the link has expired, ask whoever runs the server to send a new one\n\
             (`dds init-db production`).\n"
        ),
        html: format!(
            "<p>A Super Admin account of the Data Delivery System was created for this address.</p>\
             <p><a href=\"{link}\">Choose your password</a> to set it up (the link is valid for 1 hour \
             and can be used once).</p>\
             <p>If the link has expired, ask whoever runs the server to send a new one \
             (<code>dds init-db production</code>).</p>"
        ),
        link: Some(link.to_string()),
    }
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

/// The pending reset of a link: refused when unknown, used, expired, or the account is
/// deactivated.
async fn pending(db: &Db, token: &str) -> Result<(i64, User), ResetError> {
    let hash = link_token_hash(token).ok_or(ResetError::UnknownToken)?;
    let Reset { id, user_id, expires_at, used_at } =
        password_resets::by_token_hash(db, &hash).await?.ok_or(ResetError::UnknownToken)?;
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

pub async fn details(db: &Db, token: &str) -> Result<ResetDetails, ResetError> {
    let (_, user) = pending(db, token).await?;
    Ok(ResetDetails { username: user.username, email: user.email })
}

/// `POST /password-reset/{token}`: stores the new credentials and key pair, uses up the link,
/// ends every session of the user and tells fellow Unit Admins when a Unit Admin lost access.
pub async fn complete(cx: &ResetContext<'_>, token: &str, new: NewKeyPair) -> Result<Completed, ResetError> {
    let checked = check_key_pair(&new)?;
    let (reset_id, user) = pending(cx.db, token).await?;
    let credentials = checked.into_stored().await?;

    let mut tx = cx.db.begin().await?;
    // Used up in the same transaction: a second completion finds the row used.
    if !password_resets::mark_used(&mut tx, reset_id, now()).await? {
        return Err(ResetError::Used);
    }
    users::insert_credentials(&mut tx, user.id, &credentials).await?;
    // What approvers are shown: this key pair comes from a reset, not from the invitation.
    users::set_key_origin(&mut tx, user.id, KeyOrigin::PasswordReset).await?;
    // DDS drops every project key of the user: the seals were made for the old key pair and can
    // never open again. Membership stays: the user waits for approval in each project.
    seals::delete_of_user(&mut tx, SealedKey::Project, user.id).await?;
    // An emailed code sent before the reset must not complete a login after it.
    one_time_code::revoke_in(&mut *tx, user.id).await?;
    let event = AuditEvent {
        details: Some("new key pair; access to delivered data waits for a key holder's approval".into()),
        ..AuditEvent::new(Some(user.id), "password-reset", Some(&user.username))
    };
    audit::record(&mut *tx, event).await?;
    tx.commit().await?;

    cx.sessions.delete_user_sessions(user.id).await.map_err(|e| ResetError::Internal(e.to_string()))?;
    tell_approvers(cx, &user).await?;
    Ok(Completed { units_to_contact: units_to_contact(cx.db, &user).await? })
}

async fn units_to_contact(db: &Db, user: &User) -> Result<Vec<UnitContact>, ResetError> {
    match (user.role, user.unit_id) {
        (Role::UnitAdmin | Role::UnitPersonnel, Some(unit_id)) => {
            Ok(users::unit_contact(db, unit_id).await?.into_iter().collect())
        }
        // Researchers: the units of the projects they are members of.
        _ => Ok(users::member_unit_contacts(db, user.id).await?),
    }
}

/// Tells whoever may approve the user again: for a Unit Admin, DDS's "A Unit Admin has lost
/// access" mail to every other active Unit Admin of the unit; for Unit Personnel the Unit Admins
/// who hold the unit key; for a Researcher the key holders of each of their projects. The reset
/// is done by then: a failed mail is logged, not reported to the user.
async fn tell_approvers(cx: &ResetContext<'_>, user: &User) -> Result<(), ResetError> {
    match (user.role, user.unit_id) {
        (Role::UnitAdmin, _) => warn_fellow_unit_admins(cx, user).await,
        (Role::UnitPersonnel, Some(unit_id)) => {
            key_access::tell_approvers(cx.db, cx.mailer, cx.public_url, WaitsFor::Unit { unit_id }, user)
                .await;
            Ok(())
        }
        (Role::Researcher, _) => {
            let projects = users::member_projects(cx.db, user.id).await?;
            key_access::tell_project_approvers(cx.db, cx.mailer, cx.public_url, &projects, user).await;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// DDS's "A Unit Admin has lost access" mail to every other active Unit Admin of the unit.
async fn warn_fellow_unit_admins(cx: &ResetContext<'_>, user: &User) -> Result<(), ResetError> {
    let Some(unit_id) = user.unit_id else {
        return Ok(());
    };
    let colleagues = users::active_unit_admins(cx.db, unit_id)
        .await?
        .into_iter()
        .filter(|other| other.id != user.id && !other.email.is_empty());
    for colleague in colleagues {
        if let Err(err) = cx.mailer.send(lost_access_mail(&colleague.email, user, cx.public_url)).await {
            tracing::error!(error = %err, to = %colleague.username, "lost-access mail failed");
        }
    }
    Ok(())
}

fn lost_access_mail(to: &str, user: &User, public_url: &str) -> OutgoingMail {
    let who = format!("{} ({}, {})", user.name, user.username, user.email);
    let consequence = "has reset their password and has therefore lost access to your unit's\n\
                       data until a Unit Admin with access approves their new key.";
    let restore = "Compare the key fingerprint the users page shows with the one on their\n\
                   account page, in person or on the phone, then approve. Nothing is shared\n\
                   until you approve.";
    let link = format!("{public_url}/users");
    OutgoingMail {
        to: to.to_string(),
        subject: "WARNING! A Unit Admin has lost access".into(),
        text: format!("The Unit Admin {who}\n{consequence}\n\n{restore}\n\n{link}\n"),
        html: format!(
            "<p>The Unit Admin {} {consequence}</p><p>{restore}</p><p><a href=\"{link}\">Review and approve</a></p>",
            escape_html(&who)
        ),
        link: Some(link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_super_admin_mail_says_it_sets_up_the_account() {
        let mail = setup_mail("root@example.org", "https://dds.example/reset-password/abc");
        assert_eq!(mail.subject, "Set up your DDS Super Admin account");
        for body in [&mail.text, &mail.html] {
            assert!(body.contains("Super Admin account"), "{body}");
            assert!(body.contains("https://dds.example/reset-password/abc"), "{body}");
            assert!(!body.contains("WARNING") && !body.contains("lose access"), "{body}");
        }
        assert!(mail.text.lines().filter(|line| !line.contains("://")).all(|line| line.len() <= 76));
    }

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
            id: app::domain::ids::UserId(1),
            username: "ua".into(),
            name: "<Eve>".into(),
            role: Role::UnitAdmin,
            unit_id: Some(app::domain::ids::UnitId(1)),
            is_active: true,
            email: "ua@example.org".into(),
        };
        let mail = lost_access_mail("other@example.org", &user, "https://dds.example");
        assert_eq!(mail.subject, "WARNING! A Unit Admin has lost access");
        assert!(mail.text.contains("<Eve> (ua, ua@example.org)"));
        assert!(mail.html.contains("&lt;Eve&gt;") && !mail.html.contains("<Eve>"));
        assert!(mail.text.contains("fingerprint") && !mail.text.contains("automatically"));
        assert_eq!(mail.link.as_deref(), Some("https://dds.example/users"));
    }

    #[test]
    fn the_neutral_answer_repeats_the_address() {
        assert!(neutral_answer("x@example.org")
            .ends_with("You specified the following email address: x@example.org"));
    }
}
