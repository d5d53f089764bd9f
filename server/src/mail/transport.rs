//! How a queued message leaves the server: lettre's SMTP transport, or the outbox folder of
//! `.eml` files (plus a log line with any link) in the default setup. Only the queue's worker
//! (`super::queue`) delivers; everything else enqueues through [`super::Mailer`].

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{MailError, OutgoingMail};
use crate::config::MailConfig;

/// How long one SMTP conversation may take (well inside the queue's lease).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
enum Kind {
    Outbox { dir: PathBuf, transport: AsyncFileTransport<Tokio1Executor> },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

#[derive(Clone)]
pub struct Transport {
    from: Mailbox,
    kind: Kind,
}

impl Transport {
    pub fn new(config: &MailConfig) -> Result<Transport, MailError> {
        let (from, kind) = match config {
            MailConfig::Outbox { dir, from } => {
                crate::files::create_private_dir(dir)
                    .map_err(|source| MailError::Outbox { path: dir.display().to_string(), source })?;
                let transport = AsyncFileTransport::<Tokio1Executor>::new(dir);
                (from, Kind::Outbox { dir: dir.clone(), transport })
            }
            MailConfig::Smtp { url, from } => {
                let transport =
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(secrecy::ExposeSecret::expose_secret(url))
                        .map_err(|e| MailError::Build(e.to_string()))?
                        .timeout(Some(SMTP_TIMEOUT))
                        .build();
                (from, Kind::Smtp(transport))
            }
        };
        let from = from.parse().map_err(|_| MailError::Address(from.clone()))?;
        Ok(Transport { from, kind })
    }

    /// The outbox folder, when mail goes there.
    pub fn outbox_dir(&self) -> Option<&PathBuf> {
        match &self.kind {
            Kind::Outbox { dir, .. } => Some(dir),
            Kind::Smtp(_) => None,
        }
    }

    /// Hands one message to SMTP or writes it to the outbox.
    pub async fn deliver(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.kind {
            Kind::Outbox { dir, transport } => {
                let id = transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
                let file = dir.join(format!("{id}.eml"));
                crate::files::make_private(&file)
                    .map_err(|source| MailError::Outbox { path: file.display().to_string(), source })?;
                tracing::info!(
                    to = %mail.to,
                    subject = %mail.subject,
                    file = %file.display(),
                    link = mail.link.as_deref().unwrap_or("-"),
                    "mail written to the outbox"
                );
            }
            Kind::Smtp(transport) => {
                transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
                tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent");
            }
        }
        Ok(())
    }
}
