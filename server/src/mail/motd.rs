//! A message of the day by mail (DDS's `POST /motd/send`): every active user, or only unit staff.
//! Every recipient's message is queued in one transaction (all or none), so a large audience
//! never holds the request and a shutdown loses nothing; the queue's worker delivers, retries
//! and records failures.

use super::{escape_html, MailError, Mailer, OutgoingMail};
use crate::db::{motd, users, Db, DbError};

pub const SUBJECT: &str = "Important Information: Data Delivery System";

use app::api::notices::Audience;

#[derive(Debug, thiserror::Error)]
pub enum MotdMailError {
    #[error("There is no message of the day with that id.")]
    NotFound,
    #[error("This message of the day is no longer active. Only active messages can be sent.")]
    Inactive,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn mail(to: String, message: &str) -> OutgoingMail {
    OutgoingMail {
        to,
        subject: SUBJECT.into(),
        text: format!(
            "{message}\n\n--\nYou receive this message because you have an account in the Data \
             Delivery System. If you no longer need it, you can delete your account on your \
             account page.\n"
        ),
        html: format!(
            "<p style=\"white-space:pre-wrap\">{}</p><hr>\
             <p><small>You receive this message because you have an account in the Data Delivery \
             System. If you no longer need it, you can delete your account on your account \
             page.</small></p>",
            escape_html(message)
        ),
        link: None,
    }
}

/// Queues the active message `id` for `audience`; returns how many recipients it has.
pub async fn send(db: &Db, mailer: &Mailer, id: i64, audience: Audience) -> Result<usize, MotdMailError> {
    let (message, active) = motd::by_id(db, id).await?.ok_or(MotdMailError::NotFound)?;
    if !active {
        return Err(MotdMailError::Inactive);
    }
    let recipients = users::active_emails(db, audience == Audience::UnitUsers).await?;
    let mut tx = db.begin().await?;
    for to in &recipients {
        mailer.send_in(&mut tx, mail(to.clone(), &message)).await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    mailer.wake();
    Ok(recipients.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_escaped_in_html_and_kept_in_text() {
        let m = mail("a@example.com".into(), "Upgrade <script>x</script> & more");
        assert!(m.text.starts_with("Upgrade <script>x</script> & more"));
        assert!(m.html.contains("Upgrade &lt;script&gt;x&lt;&#x2F;script&gt; &amp; more"));
        assert!(!m.html.contains("<script>"));
        assert_eq!(m.subject, SUBJECT);
    }

    #[test]
    fn audiences_are_spelled_as_in_the_api() {
        assert_eq!(serde_json::from_str::<Audience>("\"all\"").unwrap(), Audience::All);
        assert_eq!(serde_json::from_str::<Audience>("\"unit-users\"").unwrap(), Audience::UnitUsers);
        assert!(serde_json::from_str::<Audience>("\"everyone\"").is_err());
    }
}
