//! Going back from an authenticator app to emailed one-time codes (DDS §6.4): the signed-in user
//! asks for a link (valid 1 h, single use); opening it needs no login, as in DDS, since whoever
//! reads the mailbox receives the emailed codes anyway.

use super::links::{self, LinkError, Purpose, Taken};
use crate::auth::totp::{self, SecondFactor};
use crate::db::users::{self, User};
use crate::db::Db;
use crate::mail::{Mailer, OutgoingMail};

pub const VALIDITY_SECS: i64 = 3600;

/// Mails `user` the link that switches them to emailed codes (only after they gave their password
/// again). Returns the sentence to show.
pub async fn request(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    user: &User,
    _confirmed: &crate::auth::reauth::PasswordConfirmed,
) -> Result<String, LinkError> {
    if totp::method(db, user.id).await? == SecondFactor::Email {
        return Err(LinkError::Refused(
            "You already log in with one-time codes sent to your email: nothing to change.".into(),
        ));
    }
    links::issue(db, mailer, user.id, Purpose::EmailCodes, VALIDITY_SECS, |token| {
        mail(user, &format!("{public_url}/activate-email-codes/{token}"))
    })
    .await?;
    Ok(format!(
        "A link has been sent to {}. Open it within one hour to log in with emailed codes from then on.",
        user.email
    ))
}

fn mail(user: &User, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: user.email.clone(),
        subject: "Request to activate two-factor authentication with email for the Data Delivery System"
            .into(),
        text: format!(
            "You asked to log in to the Data Delivery System with one-time codes sent to this \
             address instead of codes from your authenticator app.\n\n\
             Open this link to confirm (valid for one hour, usable once):\n{link}\n\n\
             If you did not ask for this, ignore this message and consider changing your password.\n"
        ),
        html: format!(
            "<p>You asked to log in to the Data Delivery System with one-time codes sent to this \
             address instead of codes from your authenticator app.</p>\
             <p><a href=\"{link}\">Confirm the change</a> (valid for one hour, usable once).</p>\
             <p>If you did not ask for this, ignore this message and consider changing your password.</p>"
        ),
        link: Some(link.to_string()),
    }
}

/// Follows the link: the user logs in with emailed codes from now on. Returns that user.
pub async fn activate(db: &Db, token: &str) -> Result<User, LinkError> {
    let user_id = match links::take(db, token, Purpose::EmailCodes, None).await? {
        Taken::Valid { user_id } => user_id,
        Taken::Expired { .. } => {
            return Err(LinkError::Expired(
                "This link has expired. Request a new one on your account page.".into(),
            ))
        }
        Taken::Unknown => {
            return Err(LinkError::Invalid("This link is invalid or has already been used.".into()))
        }
    };
    totp::reset(db, user_id).await?;
    users::by_id(db, user_id)
        .await?
        .ok_or_else(|| LinkError::Invalid("This link is invalid or has already been used.".into()))
}
