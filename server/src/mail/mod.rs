//! Outgoing mail. Code that mails calls [`Mailer::send`] (or [`Mailer::send_in`] inside its own
//! transaction): that only queues the message in the database (`queue`), and the queue's worker
//! delivers it through lettre (`transport`): SMTP in production, an outbox folder of `.eml` files
//! (plus a log line with any link) in the default setup, so every flow works without a mail server.

pub mod motd;
pub mod queue;
mod transport;

use std::path::PathBuf;
use std::sync::Arc;

use sqlx::AnyConnection;
use tokio::sync::Notify;

pub use queue::MailWorker;
pub use transport::Transport;

use crate::auth::secret::ServerSecret;
use crate::config::MailConfig;
use crate::db::{now, Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("'{0}' is not a valid mail address")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("cannot deliver the message: {0}")]
    Send(String),
    #[error("cannot prepare the outbox {path}: {source}")]
    Outbox { path: String, source: std::io::Error },
    #[error("cannot queue the message: {0}")]
    Queue(#[from] DbError),
}

impl MailError {
    /// Whether retrying can never help (the message itself is wrong).
    pub fn is_permanent(&self) -> bool {
        matches!(self, MailError::Address(_) | MailError::Build(_))
    }
}

/// One message, always with a text and an HTML part.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The action link in the message, logged in the outbox setup so a developer can follow it.
    pub link: Option<String>,
}

/// An address typed by a person, as stored and mailed (trimmed, lower case), if it is one: a bare
/// `local@domain` (`lettre::Address`), never a display form such as `Name <x@y>`.
pub fn normalized_address(typed: &str) -> Option<String> {
    let address = typed.trim().to_lowercase();
    address.parse::<lettre::Address>().is_ok().then_some(address)
}

/// Makes a user-controlled value (a name, a message) safe to put into an HTML mail.
pub fn escape_html(value: &str) -> String {
    html_escape::encode_safe(value).into_owned()
}

/// The queue and its worker for `config`'s transport: the mailer goes into the app state, the
/// worker runs beside the HTTP server (or once, in `dds init-db production`). Queued parts are
/// sealed under a key derived from `secret`.
pub fn start(db: Db, secret: ServerSecret, config: &MailConfig) -> Result<(Mailer, MailWorker), MailError> {
    let transport = Transport::new(config)?;
    let wake = Arc::new(Notify::new());
    let mailer = Mailer {
        db: db.clone(),
        secret: secret.clone(),
        wake: wake.clone(),
        outbox_dir: transport.outbox_dir().cloned(),
    };
    Ok((mailer, MailWorker::with_wake(db, secret, transport, wake)))
}

/// Queues outgoing mail; the worker started with it delivers.
#[derive(Clone)]
pub struct Mailer {
    db: Db,
    secret: ServerSecret,
    wake: Arc<Notify>,
    outbox_dir: Option<PathBuf>,
}

impl Mailer {
    /// The outbox folder, when mail goes there.
    pub fn outbox_dir(&self) -> Option<&PathBuf> {
        self.outbox_dir.as_ref()
    }

    /// Queues `mail` and wakes the worker; returns without waiting for delivery. Fails only when
    /// the database does (or the recipient is no mail address).
    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let mut conn = self.db.pool().acquire().await.map_err(DbError::from)?;
        queue::enqueue(&mut conn, &self.secret, &mail, now()).await?;
        self.wake();
        Ok(())
    }

    /// Queues `mail` inside the caller's transaction, so it goes out exactly when the
    /// transaction commits. Call [`Mailer::wake`] after the commit (else the worker finds the
    /// message at its next poll, within seconds).
    pub async fn send_in(&self, conn: &mut AnyConnection, mail: OutgoingMail) -> Result<(), MailError> {
        queue::enqueue(conn, &self.secret, &mail, now()).await?;
        Ok(())
    }

    /// [`Mailer::send_in`] for one message among others: a queue failure is the database's and
    /// returned (the caller's transaction fails with it); a message that cannot be mailed (an
    /// address lettre refuses) is logged and skipped, so the others still go. Whether it was queued.
    pub async fn send_in_or_log(
        &self,
        conn: &mut AnyConnection,
        mail: OutgoingMail,
    ) -> Result<bool, DbError> {
        let subject = mail.subject.clone();
        match self.send_in(conn, mail).await {
            Ok(()) => Ok(true),
            Err(MailError::Queue(err)) => Err(err),
            Err(err) => {
                tracing::warn!(subject = %subject, error = %err, "mail not queued");
                Ok(false)
            }
        }
    }

    /// Tells the worker that messages are waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_keeps_text_and_html_parts() {
        let dir = tempfile::tempdir().unwrap();
        let transport = Transport::new(&MailConfig::Outbox {
            dir: dir.path().to_path_buf(),
            from: "DDS <dds@localhost>".into(),
        })
        .unwrap();
        transport
            .deliver(&OutgoingMail {
                to: "researcher@example.com".into(),
                subject: "Welcome".into(),
                text: "plain body".into(),
                html: "<p>html body</p>".into(),
                link: Some("http://localhost/x".into()),
            })
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(eml.contains("Subject: Welcome"));
        assert!(eml.contains("text/plain") && eml.contains("plain body"));
        assert!(eml.contains("text/html") && eml.contains("<p>html body</p>"));
    }

    #[test]
    fn typed_addresses_are_trimmed_lower_cased_and_checked() {
        assert_eq!(normalized_address(" New.Person@Example.org "), Some("new.person@example.org".into()));
        for bad in
            ["", "not an address", "no-at-sign", "a@b@c", "<x@example.org>", "Name <x@example.org>", "x@"]
        {
            assert_eq!(normalized_address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;&#x2F;b&gt;"
        );
        assert_eq!(escape_html("Åsa Öberg"), "Åsa Öberg");
    }

    #[tokio::test]
    async fn invalid_recipient_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let transport = Transport::new(&MailConfig::Outbox {
            dir: dir.path().to_path_buf(),
            from: "dds@localhost".into(),
        })
        .unwrap();
        let err = transport
            .deliver(&OutgoingMail {
                to: "not an address".into(),
                subject: "x".into(),
                text: String::new(),
                html: String::new(),
                link: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "'not an address' is not a valid mail address");
        assert!(err.is_permanent(), "never retried");
    }
}
