//! A message of the day by mail (DDS's `POST /motd/send`): every active user, or only unit staff.
//! Sending runs in a background task over the one mailer (an SMTP pool), so a large audience
//! never holds the request; each failure is logged, and a summary line counts sent and failed.

use serde::Deserialize;

use super::{escape_html, Mailer, OutgoingMail};
use crate::db::{motd, users, Db, DbError};

pub const SUBJECT: &str = "Important Information: Data Delivery System";

/// Who receives the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// Every active account.
    All,
    /// Active Unit Admins and Unit Personnel.
    UnitUsers,
}

#[derive(Debug, thiserror::Error)]
pub enum MotdMailError {
    #[error("There is no message of the day with that id.")]
    NotFound,
    #[error("This message of the day is no longer active. Only active messages can be sent.")]
    Inactive,
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

/// Starts mailing the active message `id` to `audience`; returns how many recipients it has.
pub async fn send(db: &Db, mailer: &Mailer, id: i64, audience: Audience) -> Result<usize, MotdMailError> {
    let (message, active) = motd::by_id(db, id).await?.ok_or(MotdMailError::NotFound)?;
    if !active {
        return Err(MotdMailError::Inactive);
    }
    let recipients = users::active_emails(db, audience == Audience::UnitUsers).await?;
    let count = recipients.len();
    let mailer = mailer.clone();
    tokio::spawn(async move {
        let (mut sent, mut failed) = (0usize, 0usize);
        for to in recipients {
            match mailer.send(mail(to.clone(), &message)).await {
                Ok(()) => sent += 1,
                Err(err) => {
                    failed += 1;
                    tracing::warn!(motd = id, to = %to, error = %err, "message of the day not delivered");
                }
            }
        }
        if failed == 0 {
            tracing::info!(motd = id, sent, failed, "message of the day mailed");
        } else {
            tracing::error!(motd = id, sent, failed, "message of the day mailed with failures");
        }
    });
    Ok(count)
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
