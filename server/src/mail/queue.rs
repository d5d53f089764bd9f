//! The durable outgoing-mail queue (table `outgoing_mail`). Callers only insert a row
//! ([`super::Mailer::send`], or [`super::Mailer::send_in`] inside their own transaction), so a
//! request never waits for SMTP and its timing does not depend on whether a mail was sent. The
//! [`MailWorker`] of every `dds serve` delivers: woken at once after an enqueue, and polling
//! every few seconds for retries and for rows queued by other replicas or processes.
//!
//! A message is claimed by one conditional `UPDATE` (not sent, not failed, due, lease free),
//! which the database re-checks under concurrency on both backends, so of several replicas one
//! sends it. The claim counts the attempt; a failure is retried with exponential backoff (30 s
//! doubling, at most 1 h) until [`MAX_ATTEMPTS`], then the row keeps `failed_at` and its last
//! error. A replica that dies while sending loses the claim when the lease runs out, and another
//! retries: a message SMTP accepted just before the crash may then arrive twice, never zero times.
//!
//! The parts and the link of a queued message carry secrets (one-time codes, link tokens; an
//! invite's token opens the keys sealed to the invite), so the row keeps them only sealed under a
//! key derived from the server secret, bound to recipient and subject, and erases them once the
//! message is sent or given up: a database dump alone reveals none of them.

use std::sync::Arc;
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use tokio::sync::{watch, Notify};

use super::{MailError, OutgoingMail, Transport};
use crate::auth::secret::ServerSecret;
use crate::db::mail_queue::{self, Claimed, Failure, NewMail};
use crate::db::{now, Db, DbError};

/// Attempts before a message is given up (about 3.5 hours of retries).
pub const MAX_ATTEMPTS: i64 = 10;
/// How long a claim lasts before another replica may retry the message.
pub const LEASE_SECS: i64 = 5 * 60;
/// How often an idle worker looks for due messages it was not woken for.
pub const POLL: Duration = Duration::from_secs(5);
/// How long shutdown waits for a message in the middle of delivery; after that the claim is
/// left to run out and the message is retried (it stays queued).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Messages looked at per query.
const BATCH: i64 = 50;

/// Seconds until the next attempt after `attempts` failed ones: 30 s, doubling, at most 1 h.
pub fn backoff_secs(attempts: i64) -> i64 {
    let doublings = attempts.saturating_sub(1).clamp(0, 7) as u32;
    (30i64 << doublings).min(3600)
}

/// The sealed part of a queued message.
#[derive(Serialize, Deserialize)]
struct Body {
    text: String,
    html: String,
    link: Option<String>,
}

fn sealing_key(secret: &ServerSecret) -> Aes256Gcm {
    Aes256Gcm::new_from_slice(&secret.mac("outgoing-mail-key", b"")).expect("32-byte key")
}

fn aad(to: &str, subject: &str) -> Vec<u8> {
    [b"dds/v1/outgoing-mail\0".as_slice(), to.as_bytes(), b"\0", subject.as_bytes()].concat()
}

fn seal(secret: &ServerSecret, mail: &OutgoingMail) -> Vec<u8> {
    let body = Body { text: mail.text.clone(), html: mail.html.clone(), link: mail.link.clone() };
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(&body).expect("strings serialize"));
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let aad = aad(&mail.to, &mail.subject);
    let ct = sealing_key(secret)
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: &plain, aad: &aad })
        .expect("AES-GCM of a mail");
    [nonce.as_slice(), &ct].concat()
}

fn open(
    secret: &ServerSecret,
    to: String,
    subject: String,
    sealed: &[u8],
) -> Result<OutgoingMail, MailError> {
    let unreadable =
        || MailError::Build("cannot open the queued message (was the server secret changed?)".into());
    if sealed.len() < 12 {
        return Err(unreadable());
    }
    let (nonce, ct) = sealed.split_at(12);
    let aad = aad(&to, &subject);
    let plain = zeroize::Zeroizing::new(
        sealing_key(secret)
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| unreadable())?,
    );
    let body: Body = serde_json::from_slice(&plain).map_err(|_| unreadable())?;
    Ok(OutgoingMail { to, subject, text: body.text, html: body.html, link: body.link })
}

/// Inserts `mail` into the queue through `conn` (a pooled connection or a transaction), due at
/// `at`, its parts sealed under `secret`. Returns its id. Refuses an address that can never be
/// delivered.
pub async fn enqueue(
    conn: &mut AnyConnection,
    secret: &ServerSecret,
    mail: &OutgoingMail,
    at: i64,
) -> Result<i64, MailError> {
    if mail.to.parse::<lettre::message::Mailbox>().is_err() {
        return Err(MailError::Address(mail.to.clone()));
    }
    let sealed = seal(secret, mail);
    let new = NewMail { recipient: &mail.to, subject: &mail.subject, body: &sealed, at };
    let id = mail_queue::insert(conn, new).await?;
    Ok(id)
}

/// How many messages are due at `at` and not yet sent or given up (including ones being sent).
pub async fn due_count(db: &Db, at: i64) -> Result<i64, DbError> {
    mail_queue::due_count(db, at).await
}

/// Records a failed attempt: retried after the backoff, or given up after the last attempt (or
/// at once for a message that can never be delivered).
async fn mark_failed(
    db: &Db,
    id: i64,
    holder: &str,
    at: i64,
    attempts: i64,
    error: &MailError,
) -> Result<bool, DbError> {
    let give_up = error.is_permanent() || attempts >= MAX_ATTEMPTS;
    let (failed_at, next_attempt_at) =
        if give_up { (Some(at), at) } else { (None, at + backoff_secs(attempts)) };
    // A message given up is erased (its last error stays); one to retry keeps its sealed body.
    let error = error.to_string();
    mail_queue::mark_failed(db, id, holder, Failure { error: &error, failed_at, next_attempt_at }).await?;
    Ok(give_up)
}

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    /// Failed attempts (retried later or given up).
    pub failed: usize,
}

/// Delivers queued messages: the worker inside `dds serve`, and `dds init-db production` once.
pub struct MailWorker {
    db: Db,
    secret: ServerSecret,
    transport: Transport,
    wake: Arc<Notify>,
    holder: String,
}

impl MailWorker {
    /// A worker of its own (woken by no mailer; it polls). `super::start` pairs one with a mailer.
    pub fn new(db: Db, secret: ServerSecret, transport: Transport) -> MailWorker {
        MailWorker::with_wake(db, secret, transport, Arc::new(Notify::new()))
    }

    pub(super) fn with_wake(
        db: Db,
        secret: ServerSecret,
        transport: Transport,
        wake: Arc<Notify>,
    ) -> MailWorker {
        MailWorker { db, secret, transport, wake, holder: uuid::Uuid::new_v4().to_string() }
    }

    /// Delivers every message due at `at` that no other worker holds, until none is left or
    /// `stop` turns true.
    pub async fn deliver_due(&self, at: i64, stop: &watch::Receiver<bool>) -> Result<Round, DbError> {
        let mut round = Round::default();
        loop {
            let ids = mail_queue::claimable(&self.db, at, BATCH).await?;
            let mut claimed_any = false;
            for id in ids {
                if *stop.borrow() {
                    return Ok(round);
                }
                let claimed = mail_queue::claim(&self.db, id, &self.holder, at, at + LEASE_SECS).await?;
                let Some(Claimed { attempts, recipient: to, subject, body: sealed }) = claimed else {
                    continue; // another worker has it
                };
                claimed_any = true;
                let mut stopping = stop.clone();
                let delivery = async {
                    let mail = open(&self.secret, to.clone(), subject, &sealed)?;
                    self.transport.deliver(&mail).await
                };
                let outcome = tokio::select! {
                    outcome = delivery => outcome,
                    _ = async {
                        let _ = stopping.wait_for(|stop| *stop).await;
                        tokio::time::sleep(SHUTDOWN_GRACE).await;
                    } => {
                        tracing::warn!(id, to = %to, "shutting down during delivery; the message stays queued");
                        return Ok(round);
                    }
                };
                match outcome {
                    Ok(()) => {
                        mail_queue::mark_sent(&self.db, id, &self.holder, now()).await?;
                        round.sent += 1;
                    }
                    Err(err) => {
                        round.failed += 1;
                        let gave_up = mark_failed(&self.db, id, &self.holder, now(), attempts, &err).await?;
                        if gave_up {
                            tracing::error!(id, to = %to, attempts, error = %err, "mail given up");
                        } else {
                            tracing::warn!(id, to = %to, attempts, error = %err, "mail not delivered; will retry");
                        }
                    }
                }
            }
            if !claimed_any {
                return Ok(round);
            }
        }
    }

    /// The worker loop of one replica, until `stop` turns true. Undelivered messages stay queued.
    pub async fn run(self, stop: watch::Receiver<bool>) -> std::io::Result<()> {
        let mut stopping = stop.clone();
        loop {
            if *stop.borrow() {
                return Ok(());
            }
            if let Err(err) = self.deliver_due(now(), &stop).await {
                tracing::error!(error = %err, "cannot read the mail queue; retrying");
            }
            tokio::select! {
                _ = stopping.wait_for(|stop| *stop) => return Ok(()),
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_parts_are_sealed_to_their_recipient_and_subject() {
        let secret = ServerSecret::from_bytes(vec![7; 32]);
        let mail = OutgoingMail {
            to: "a@example.org".into(),
            subject: "Code".into(),
            text: "code 12345678".into(),
            html: "<p>code 12345678</p>".into(),
            link: Some("https://dds.example/invite/TOKEN".into()),
        };
        let sealed = seal(&secret, &mail);
        assert!(!sealed.windows(8).any(|w| w == b"12345678"));
        assert!(!sealed.windows(5).any(|w| w == b"TOKEN"));
        let opened = open(&secret, "a@example.org".into(), "Code".into(), &sealed).unwrap();
        assert_eq!((opened.text, opened.link), (mail.text, mail.link));
        assert!(open(&secret, "b@example.org".into(), "Code".into(), &sealed).unwrap_err().is_permanent());
        assert!(open(&secret, "a@example.org".into(), "Other".into(), &sealed).is_err());
        let other = ServerSecret::from_bytes(vec![8; 32]);
        assert!(open(&other, "a@example.org".into(), "Code".into(), &sealed).is_err());
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<i64> = (1..=MAX_ATTEMPTS).map(backoff_secs).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
