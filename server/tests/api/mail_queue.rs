//! The durable outgoing-mail queue: requests return without waiting for delivery, a failed
//! delivery is retried with backoff and given up after the last attempt, and with two servers on
//! one database every message goes out once.

use std::time::{Duration, Instant};

use dds_server::db::{now, seed};
use dds_server::mail::queue::{self, MailWorker, MAX_ATTEMPTS};
use dds_server::mail::{OutgoingMail, Transport};
use serde_json::json;
use tokio::net::TcpListener;

use crate::both_backends;
use crate::helpers::{mail_delivered, spawn_app_with, Backend, TestApp};

/// An SMTP server that accepts connections, says nothing, and hangs up after `hold`: a
/// delivery to it takes at least that long and then fails.
async fn silent_smtp_server(hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                drop(socket);
            });
        }
    });
    format!("smtp://{addr}")
}

/// An SMTP URL where nothing listens.
async fn closed_smtp_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("smtp://{addr}")
}

type Row = (i64, Option<String>, Option<i64>, Option<i64>, i64);

/// attempts, last error, sent at, failed at, next attempt at — of the message to `to`.
async fn row(app: &TestApp, to: &str) -> Option<Row> {
    sqlx::query_as(
        "SELECT attempts, last_error, sent_at, failed_at, next_attempt_at FROM outgoing_mail \
         WHERE recipient = $1",
    )
    .bind(to)
    .fetch_optional(app.state().db.pool())
    .await
    .unwrap()
}

/// Polls until the message to `to` has failed `attempts` times (at most 5 s).
async fn failed_attempts(app: &TestApp, to: &str, attempts: i64) -> Row {
    for _ in 0..500 {
        if let Some(row) = row(app, to).await {
            if row.0 == attempts && row.1.is_some() {
                return row;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the mail to {to} did not fail {attempts} time(s): {:?}", row(app, to).await);
}

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: "Queued".into(),
        text: "text".into(),
        html: "<p>html</p>".into(),
        link: None,
    }
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap()).collect())
        .unwrap_or_default()
}

async fn reset_requests_return_before_delivery(backend: Backend) {
    let hold = Duration::from_millis(1500);
    let smtp = silent_smtp_server(hold).await;
    let app = spawn_app_with(backend, &[("DDS_SMTP_URL", &smtp)]).await;
    seed::dev(&app.state().db).await.unwrap();
    for email in ["researchuser_1@example.com", "nobody@example.org"] {
        let started = Instant::now();
        let response = app
            .client
            .post(app.url("/api/v1/password-reset"))
            .header("origin", app.url(""))
            .json(&json!({ "email": email }))
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(response.status(), 200, "{email}");
        assert!(took < hold / 2, "{email}: the answer waited for delivery ({took:?})");
    }
    assert!(row(&app, "nobody@example.org").await.is_none(), "nothing queued for an unknown address");
    // The known address's message is queued; its delivery hangs, then fails and waits for a retry.
    let (attempts, last_error, sent_at, failed_at, next_attempt_at) =
        failed_attempts(&app, "researchuser_1@example.com", 1).await;
    assert_eq!(attempts, 1);
    assert!(last_error.unwrap().contains("cannot deliver"));
    assert_eq!((sent_at, failed_at), (None, None), "still queued");
    assert!(next_attempt_at > now(), "retried later");
    app.stop().await;
}
both_backends!(reset_requests_do_not_wait_for_mail, reset_requests_return_before_delivery);

async fn failed_mail_is_retried_then_given_up(backend: Backend) {
    let smtp = closed_smtp_port().await;
    let app = spawn_app_with(backend, &[("DDS_SMTP_URL", &smtp)]).await;
    let db = &app.state().db;
    let secret = &app.state().secret;
    let failing =
        MailWorker::new(db.clone(), secret.clone(), Transport::new(&app.state().config.mail).unwrap());
    let outbox = tempfile::tempdir().unwrap();
    let working = MailWorker::new(
        db.clone(),
        secret.clone(),
        Transport::new(&dds_server::config::MailConfig::Outbox {
            dir: outbox.path().to_path_buf(),
            from: "dds@localhost".into(),
        })
        .unwrap(),
    );
    let (_running, running) = tokio::sync::watch::channel(false);

    // The app's worker tries at once, fails, and schedules the retry 30 s later.
    app.state().mailer.send(mail("retry@example.org")).await.unwrap();
    let (_, error, _, _, next) = failed_attempts(&app, "retry@example.org", 1).await;
    assert!(error.unwrap().contains("cannot deliver"));
    assert!((now() + 25..=now() + 30).contains(&next), "backoff of 30 s: {next}");
    // Not due before then; delivered once when due.
    assert_eq!(working.deliver_due(next - 1, &running).await.unwrap(), queue::Round::default());
    assert_eq!(working.deliver_due(next, &running).await.unwrap(), queue::Round { sent: 1, failed: 0 });
    let (attempts, error, sent_at, failed_at, _) = row(&app, "retry@example.org").await.unwrap();
    assert_eq!((attempts, error, failed_at), (2, None, None));
    assert!(sent_at.is_some());
    assert_eq!(eml_files(outbox.path()).len(), 1);
    assert_eq!(working.deliver_due(next + 86_400, &running).await.unwrap(), queue::Round::default());

    // The last attempt fails: given up, with its error kept; never tried again.
    app.state().mailer.send(mail("doomed@example.org")).await.unwrap();
    failed_attempts(&app, "doomed@example.org", 1).await;
    sqlx::query("UPDATE outgoing_mail SET attempts = $1 WHERE recipient = 'doomed@example.org'")
        .bind(MAX_ATTEMPTS - 1)
        .execute(db.pool())
        .await
        .unwrap();
    let later = now() + 7200;
    assert_eq!(failing.deliver_due(later, &running).await.unwrap(), queue::Round { sent: 0, failed: 1 });
    let (attempts, error, sent_at, failed_at, _) = row(&app, "doomed@example.org").await.unwrap();
    assert_eq!((attempts, sent_at, failed_at), (MAX_ATTEMPTS, None, Some(failed_at.unwrap())));
    assert!(error.unwrap().contains("cannot deliver"));
    assert_eq!(working.deliver_due(later + 86_400, &running).await.unwrap(), queue::Round::default());
    assert_eq!(eml_files(outbox.path()).len(), 1);
    app.stop().await;
}
both_backends!(mail_retries, failed_mail_is_retried_then_given_up);

async fn two_servers_send_each_message_once(backend: Backend) {
    // Replicas share the server secret (the queued parts are sealed under it).
    let secret = "ab".repeat(32);
    let first = spawn_app_with(backend, &[("DDS_SECRET_KEY", &secret)]).await;
    let url = first.state().config.database.url.clone();
    let second =
        spawn_app_with(Backend::Sqlite, &[("DATABASE_URL", &url), ("DDS_SECRET_KEY", &secret)]).await;
    const N: usize = 60;
    let mut tx = first.state().db.begin().await.unwrap();
    for i in 0..N {
        first.state().mailer.send_in(&mut tx, mail(&format!("person{i}@example.org"))).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Both workers race for the same messages.
    first.state().mailer.wake();
    second.state().mailer.wake();
    mail_delivered(&first.state().db).await;

    let mut recipients: Vec<String> = [first.outbox(), second.outbox()]
        .iter()
        .flat_map(|dir| eml_files(dir))
        .map(|eml| {
            let line = eml.lines().find(|l| l.starts_with("To: ")).unwrap().to_string();
            line.trim_start_matches("To: ").to_string()
        })
        .collect();
    recipients.sort();
    let mut expected: Vec<String> = (0..N).map(|i| format!("person{i}@example.org")).collect();
    expected.sort();
    assert_eq!(recipients, expected, "every message exactly once");
    let (unsent, retried): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*) FILTER (WHERE sent_at IS NULL), COUNT(*) FILTER (WHERE attempts <> 1) FROM outgoing_mail",
    )
    .fetch_one(first.state().db.pool())
    .await
    .unwrap();
    assert_eq!((unsent, retried), (0, 0));
    second.stop().await;
    first.stop().await;
}
both_backends!(two_servers_one_queue, two_servers_send_each_message_once);
