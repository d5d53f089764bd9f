//! Deleting one's own account (DDS §6.7): a request mails a confirmation link (7 days); the
//! signed-in owner of the link confirms it. Super Admins cannot; a Unit Admin only while the unit
//! keeps more than three Unit Admins (`app::domain::permissions::may_request_self_deletion`).

use app::domain::permissions;
use app::domain::roles::Role;

use super::links::{self, LinkError, Purpose, Taken};
use crate::db::users::{self, User};
use crate::db::{Db, DbError};
use crate::mail::{escape_html, Mailer, OutgoingMail};

pub const VALIDITY_SECS: i64 = 7 * 24 * 3600;

const INVALID: &str = "Confirmation link is invalid. No action has been performed.";

async fn unit_admins(db: &Db, user: &User) -> Result<usize, DbError> {
    let Some(unit_id) = user.unit_id else {
        return Ok(0);
    };
    Ok(users::count_of_unit_with_role(db, unit_id, Role::UnitAdmin).await? as usize)
}

async fn check_rule(db: &Db, user: &User) -> Result<(), LinkError> {
    let admins = if user.role == Role::UnitAdmin { unit_admins(db, user).await? } else { 0 };
    match permissions::may_request_self_deletion(&user.actor(), admins) {
        // DDS's sentence names the count.
        Err(_) if user.role == Role::UnitAdmin => Err(LinkError::Denied(format!(
            "Your unit only has {admins} Unit Admins; it needs more than three Unit Admins before one can \
             delete their own account. Invite a new Unit Admin first if you wish to proceed."
        ))),
        decision => Ok(decision?),
    }
}

/// Mails `user` a link to confirm the deletion of their account. Returns the sentence to show.
pub async fn request(db: &Db, mailer: &Mailer, public_url: &str, user: &User) -> Result<String, LinkError> {
    check_rule(db, user).await?;
    if links::has_pending(db, user.id, Purpose::DeleteAccount).await? {
        return Err(LinkError::Refused(format!(
            "The confirmation link has already been sent to your address {}!",
            user.email
        )));
    }
    links::issue(db, mailer, user.id, Purpose::DeleteAccount, VALIDITY_SECS, |token| {
        mail(user, &format!("{public_url}/confirm-deletion/{token}"))
    })
    .await?;
    Ok(format!(
        "A confirmation link has been sent to {}. Open it within 7 days to delete your account.",
        user.email
    ))
}

fn mail(user: &User, link: &str) -> OutgoingMail {
    let username = &user.username;
    OutgoingMail {
        to: user.email.clone(),
        subject: format!("Confirm deletion of your user account {username} in the Data Delivery System"),
        text: format!(
            "You asked to delete your account {username} in the Data Delivery System.\n\n\
             To confirm, log in and open this link (valid for 7 days):\n{link}\n\n\
             Deleting your account does not delete any data you delivered or received, but you \
             lose access to it. If you did not ask for this, ignore this message: nothing happens \
             without your confirmation.\n"
        ),
        html: format!(
            "<p>You asked to delete your account <strong>{name}</strong> in the Data Delivery System.</p>\
             <p>To confirm, log in and <a href=\"{link}\">open this link</a> (valid for 7 days).</p>\
             <p>Deleting your account does not delete any data you delivered or received, but you \
             lose access to it. If you did not ask for this, ignore this message: nothing happens \
             without your confirmation.</p>",
            name = escape_html(username),
        ),
        link: Some(link.to_string()),
    }
}

/// Confirms with the link's token: the link must be the signed-in user's own and unexpired.
/// Deletes the account (its emails, keys, sessions and links go with it).
pub async fn confirm(db: &Db, user: &User, token: &str) -> Result<(), LinkError> {
    // The unit may have lost Unit Admins since the request: the rule holds at confirmation too.
    check_rule(db, user).await?;
    match links::take(db, token, Purpose::DeleteAccount, Some(user.id)).await? {
        Taken::Valid { .. } => {}
        Taken::Expired { .. } => {
            return Err(LinkError::Expired(format!(
                "Deletion request for {} has expired. Please login to the DDS and request deletion anew.",
                user.email
            )))
        }
        Taken::Unknown => return Err(LinkError::Invalid(INVALID.into())),
    }
    users::delete(db, user.id).await?;
    Ok(())
}
