//! Outgoing mail through lettre: SMTP in production, an outbox folder of `.eml` files (plus a log
//! line with any link) in the default setup, so every flow works without a mail server.

pub mod motd;

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;

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

#[derive(Clone)]
enum Transport {
    Outbox { dir: PathBuf, transport: AsyncFileTransport<Tokio1Executor> },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        let (from, transport) = match config {
            MailConfig::Outbox { dir, from } => {
                std::fs::create_dir_all(dir)
                    .map_err(|source| MailError::Outbox { path: dir.display().to_string(), source })?;
                let transport = AsyncFileTransport::<Tokio1Executor>::new(dir);
                (from, Transport::Outbox { dir: dir.clone(), transport })
            }
            MailConfig::Smtp { url, from } => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::Build(e.to_string()))?
                    .build();
                (from, Transport::Smtp(transport))
            }
        };
        let from = from.parse().map_err(|_| MailError::Address(from.clone()))?;
        Ok(Mailer { from, transport })
    }

    /// The outbox folder, when mail goes there.
    pub fn outbox_dir(&self) -> Option<&PathBuf> {
        match &self.transport {
            Transport::Outbox { dir, .. } => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    pub async fn send(&self, mail: OutgoingMail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            Transport::Outbox { dir, transport } => {
                let id = transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    file = %dir.join(format!("{id}.eml")).display(),
                    link = mail.link.as_deref().unwrap_or("-"),
                    "mail written to the outbox"
                );
            }
            Transport::Smtp(transport) => {
                transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
                tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_keeps_text_and_html_parts() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::new(&MailConfig::Outbox {
            dir: dir.path().to_path_buf(),
            from: "DDS <dds@localhost>".into(),
        })
        .unwrap();
        mailer
            .send(OutgoingMail {
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
        let mailer =
            Mailer::new(&MailConfig::Outbox { dir: dir.path().to_path_buf(), from: "dds@localhost".into() })
                .unwrap();
        let err = mailer
            .send(OutgoingMail {
                to: "not an address".into(),
                subject: "x".into(),
                text: String::new(),
                html: String::new(),
                link: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "'not an address' is not a valid mail address");
    }
}
