//! The project jobs, run at chosen times (never a sleep): deadlines move projects on, reminders
//! go 7 days and 1 day before expiry once each, monthly usage matches a hand-computed case, the
//! quota warning goes once.

use dds_server::db::seed::DEV_PROJECT;
use dds_server::jobs::lifecycle;
use dds_server::projects::status::apply_deadlines;
use serde_json::{json, Value};

use crate::auth::{seeded, signed_in};
use crate::both_backends;
use crate::files::upload;
use crate::helpers::{project_id, Backend, TestApp};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

async fn project_state(app: &TestApp) -> (String, Option<i64>) {
    sqlx::query_as("SELECT status, deadline FROM projects WHERE public_id = $1")
        .bind(DEV_PROJECT)
        .fetch_one(app.state().db.pool())
        .await
        .unwrap()
}

fn mails_with(app: &TestApp, needle: &str) -> usize {
    std::fs::read_dir(app.outbox())
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .filter(|t| t.contains(needle))
                .count()
        })
        .unwrap_or(0)
}

async fn deadlines_and_reminders(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let admin = signed_in(&app, "unitadmin_1").await;
    let status = format!("/api/v1/projects/{DEV_PROJECT}/status");
    let released: Value = admin
        .post(&status, json!({ "action": "release", "deadline": 10, "send_email": false }))
        .await
        .json()
        .await
        .unwrap();
    let deadline = released["deadline"].as_i64().unwrap();

    // Reminders: none 8 days before, one 7 days before (to each researcher), never twice.
    let subject = format!("The data of project {DEV_PROJECT} can be downloaded until");
    let mailer = &app.state().mailer;
    let url = &app.state().config.public_url;
    assert_eq!(lifecycle::send_deadline_reminders(db, mailer, url, deadline - 8 * DAY).await.unwrap(), 0);
    assert_eq!(lifecycle::send_deadline_reminders(db, mailer, url, deadline - 7 * DAY + 1).await.unwrap(), 1);
    assert_eq!(lifecycle::send_deadline_reminders(db, mailer, url, deadline - 6 * DAY).await.unwrap(), 0);
    assert_eq!(lifecycle::send_deadline_reminders(db, mailer, url, deadline - DAY + 1).await.unwrap(), 1);
    app.mail_delivered().await;
    assert_eq!(mails_with(&app, &subject), 4, "two reminders to each of the two researchers");

    // The deadline passes: Expired with the unit's days, then Archived at the next deadline.
    assert_eq!(apply_deadlines(db, deadline - 1).await.unwrap(), 0);
    assert_eq!(apply_deadlines(db, deadline).await.unwrap(), 1);
    let (now_status, expired_deadline) = project_state(&app).await;
    assert_eq!(now_status, "Expired");
    let expired_deadline = expired_deadline.unwrap();
    assert!(expired_deadline > deadline + 29 * DAY, "the unit's 30 days in Expired");
    assert_eq!(apply_deadlines(db, expired_deadline).await.unwrap(), 1);
    assert_eq!(project_state(&app).await.0, "Archived");
    let (tasks,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tasks WHERE kind = 'remove_project_data'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(tasks, 1, "archiving queues the data removal");
    app.stop().await;
}
both_backends!(deadlines_and_reminders, deadlines_and_reminders);

async fn monthly_usage_by_hand(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let project_id = project_id(db, DEV_PROJECT).await;
    // 3,600 stored bytes from 0 h, overwritten at 10 h by 1,100 stored bytes (the helper stores
    // size + 100).
    upload(db, project_id, "data/reads.fastq", 3_500, 0).await;
    upload(db, project_id, "data/reads.fastq", 1_000, 10 * HOUR).await;
    assert_eq!(lifecycle::record_monthly_usage(db, 20 * HOUR).await.unwrap(), 1);
    // Up to 20 h: 3,600 × 10 h + 1,100 × 10 h.
    // Then up to 30 h: only the current version, 1,100 × 10 h.
    assert_eq!(lifecycle::record_monthly_usage(db, 30 * HOUR).await.unwrap(), 1);
    let rows: Vec<(i64, i64, f64)> =
        sqlx::query_as("SELECT period_start, period_end, byte_hours FROM usage_records WHERE project_id = $1 ORDER BY period_end")
            .bind(project_id)
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(rows, vec![(0, 20 * HOUR, 47_000.0), (20 * HOUR, 30 * HOUR, 11_000.0)]);
    app.stop().await;
}
both_backends!(monthly_usage_by_hand, monthly_usage_by_hand);

async fn the_quota_warning_goes_once(backend: Backend) {
    let app = seeded(backend).await;
    let db = &app.state().db;
    let project_id = project_id(db, DEV_PROJECT).await;
    sqlx::query("UPDATE units SET quota_bytes = 1000, warning_level = 0.5").execute(db.pool()).await.unwrap();
    let mailer = &app.state().mailer;
    assert_eq!(lifecycle::warn_about_quotas(db, mailer, 1).await.unwrap(), 0, "nothing stored yet");
    upload(db, project_id, "big.bin", 500, 1).await; // 600 stored: above half the quota
    assert_eq!(lifecycle::warn_about_quotas(db, mailer, 2).await.unwrap(), 1);
    assert_eq!(lifecycle::warn_about_quotas(db, mailer, 3).await.unwrap(), 0, "once");
    app.mail_delivered().await;
    assert_eq!(mails_with(&app, "DDS: Usage quota warning!"), 1);
    assert!(mails_with(&app, "(60.0 %)") == 1, "the mail says how much is used");
    app.stop().await;
}
both_backends!(the_quota_warning_goes_once, the_quota_warning_goes_once);
