//! Scheduled jobs under the database lease: one replica runs a due job, the others skip it; the
//! cleanup jobs remove what has expired and nothing else.

use dds_server::db::now;
use dds_server::jobs::{self, lease, Job, Outcome};

use crate::auth::seeded;
use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

async fn one_replica_claims_a_due_job(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state().db;
    let t = now() + 10 * 86_400; // after anything the app's own scheduler did at start
    assert!(lease::claim(db, "test-job", "replica-a", t, 3600, 900).await.unwrap());
    assert!(!lease::claim(db, "test-job", "replica-b", t, 3600, 900).await.unwrap(), "held by a");
    lease::finish(db, "test-job", "replica-a", t).await.unwrap();
    assert!(!lease::claim(db, "test-job", "replica-b", t + 60, 3600, 900).await.unwrap(), "not due yet");
    assert!(lease::claim(db, "test-job", "replica-b", t + 3600, 3600, 900).await.unwrap(), "due again");

    // A replica that died holding the lease loses it when the lease runs out.
    assert!(!lease::claim(db, "test-job", "replica-a", t + 4000, 3600, 900).await.unwrap());
    assert!(lease::claim(db, "test-job", "replica-a", t + 3600 + 901 + 3600, 3600, 900).await.unwrap());
    // A failed run gives the lease back without counting as a run.
    lease::release(db, "test-job", "replica-a").await.unwrap();
    assert!(lease::claim(db, "test-job", "replica-b", t + 3600 + 902 + 3600, 3600, 900).await.unwrap());
    app.stop().await;
}
both_backends!(lease_claims, one_replica_claims_a_due_job);

async fn cleanup_removes_only_what_expired(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let pool = db.pool();
    // The app's own scheduler ran at start; two days later every job is due again.
    let at = now() + 2 * 86_400;
    app.clock.set(at);
    for (email, expires_at) in [
        ("long-expired@example.org", at - jobs::EXPIRED_LINK_GRACE_SECS - 10),
        ("just-expired@example.org", at - 10),
        ("pending@example.org", at + 3600),
    ] {
        sqlx::query(
            "INSERT INTO invites (email, role, token_hash, created_at, expires_at) \
             VALUES ($1, 'Researcher', $2, $3, $4)",
        )
        .bind(email)
        .bind(email.as_bytes().to_vec())
        .bind(at - 8 * 86_400)
        .bind(expires_at)
        .execute(pool)
        .await
        .unwrap();
    }
    for (id, expires_at) in [("expired-session", at - 1), ("live-session", at + 3600)] {
        sqlx::query("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, NULL, '{}', $2)")
            .bind(id)
            .bind(expires_at)
            .execute(pool)
            .await
            .unwrap();
    }
    for (bucket, when) in [("ip:192.0.2.1", at - 7200), ("ip:192.0.2.2", at - 60)] {
        sqlx::query("INSERT INTO auth_attempts (bucket, at) VALUES ($1, $2)")
            .bind(bucket)
            .bind(when)
            .execute(pool)
            .await
            .unwrap();
    }

    let (user_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'researchuser_1'")
        .fetch_one(pool)
        .await
        .unwrap();
    for (token, expires_at) in
        [(b"old-reset".to_vec(), at - jobs::EXPIRED_LINK_GRACE_SECS - 10), (b"new-reset".to_vec(), at - 10)]
    {
        sqlx::query(
            "INSERT INTO password_resets (user_id, token_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user_id)
        .bind(token)
        .bind(expires_at - 3600)
        .bind(expires_at)
        .execute(pool)
        .await
        .unwrap();
    }

    for (token, expires_at) in
        [(b"old-link".to_vec(), at - jobs::EXPIRED_LINK_GRACE_SECS - 10), (b"new-link".to_vec(), at - 10)]
    {
        sqlx::query(
            "INSERT INTO account_links (user_id, purpose, token_hash, issued_at, expires_at) \
             VALUES ($1, 'delete-account', $2, $3, $4)",
        )
        .bind(user_id)
        .bind(token)
        .bind(expires_at - 3600)
        .bind(expires_at)
        .execute(pool)
        .await
        .unwrap();
    }

    let day = 86_400;
    for (to, sent_at, failed_at) in [
        ("sent-long-ago@example.org", Some(at - jobs::SENT_MAIL_KEEP_SECS - 10), None),
        ("sent-lately@example.org", Some(at - day), None),
        ("failed-long-ago@example.org", None, Some(at - jobs::FAILED_MAIL_KEEP_SECS - 10)),
        ("failed-lately@example.org", None, Some(at - 2 * day)),
        ("queued@example.org", None, None),
    ] {
        sqlx::query(
            "INSERT INTO outgoing_mail (recipient, subject, body, created_at, next_attempt_at, sent_at, \
             failed_at) VALUES ($1, 's', $2, $3, $4, $5, $6)",
        )
        .bind(to)
        .bind(Vec::<u8>::new())
        .bind(at - 40 * day)
        .bind(at + 3600)
        .bind(sent_at)
        .bind(failed_at)
        .execute(pool)
        .await
        .unwrap();
    }

    let outcomes = jobs::run_due(&app.job_context(), "test-replica").await;
    assert_eq!(outcomes.len(), Job::ALL.len());
    // Every job due at least hourly ran (the monthly one ran at start-up, a month is not over).
    let hourly = outcomes.iter().filter(|(job, _)| job.every_secs() <= 3600);
    assert!(
        hourly.clone().count() >= 6 && hourly.clone().all(|(_, o)| matches!(o, Outcome::Ran { .. })),
        "{outcomes:?}"
    );

    let invites: Vec<(String,)> =
        sqlx::query_as("SELECT email FROM invites ORDER BY email").fetch_all(pool).await.unwrap();
    let invites: Vec<String> = invites.into_iter().map(|(e,)| e).collect();
    assert_eq!(invites, ["just-expired@example.org", "pending@example.org"]);
    let sessions: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM sessions WHERE id LIKE '%-session'").fetch_all(pool).await.unwrap();
    assert_eq!(sessions, [("live-session".to_string(),)]);
    let attempts: Vec<(String,)> =
        sqlx::query_as("SELECT bucket FROM auth_attempts").fetch_all(pool).await.unwrap();
    assert_eq!(attempts, [("ip:192.0.2.2".to_string(),)]);

    let resets: Vec<(Vec<u8>,)> =
        sqlx::query_as("SELECT token_hash FROM password_resets").fetch_all(pool).await.unwrap();
    assert_eq!(resets, [(b"new-reset".to_vec(),)]);

    let links: Vec<(Vec<u8>,)> =
        sqlx::query_as("SELECT token_hash FROM account_links").fetch_all(pool).await.unwrap();
    assert_eq!(links, [(b"new-link".to_vec(),)]);

    let kept: Vec<(String,)> = sqlx::query_as("SELECT recipient FROM outgoing_mail ORDER BY recipient")
        .fetch_all(pool)
        .await
        .unwrap();
    let kept: Vec<String> = kept.into_iter().map(|(r,)| r).collect();
    assert_eq!(kept, ["failed-lately@example.org", "queued@example.org", "sent-lately@example.org"]);

    // Run again at the same time: nothing is due, nothing runs.
    let again = jobs::run_due(&app.job_context(), "another-replica").await;
    assert!(again.iter().all(|(_, o)| *o == Outcome::Skipped), "{again:?}");
    app.stop().await;
}
both_backends!(cleanup, cleanup_removes_only_what_expired);
