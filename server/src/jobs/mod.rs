//! Scheduled jobs (DESIGN §6), run inside `dds serve` under a database lease (`lease`): with
//! several replicas each job runs once per interval, on whichever replica claims it first. A
//! failed run is logged and retried at the next tick.

pub mod lease;
pub mod lifecycle;
pub mod tasks;

use std::future::Future;
use std::time::Duration;

use crate::auth::rate_limit;
use crate::auth::session_store::DbSessionStore;
use crate::clock::SharedClock;
use crate::db::{account_links, invites, mail_queue, password_resets, Db, DbError};
use crate::mail::Mailer;
use crate::state::AppState;
use crate::storage::ObjectStore;

/// What a job may use: it reaches the outside world and the time only through this.
#[derive(Clone)]
pub struct JobContext {
    pub db: Db,
    pub storage: ObjectStore,
    pub mailer: Mailer,
    pub clock: SharedClock,
    /// The portal's address, for links in mails.
    pub public_url: String,
}

impl JobContext {
    pub fn from_state(state: &AppState) -> JobContext {
        JobContext {
            db: state.db.clone(),
            storage: state.storage.clone(),
            mailer: state.mailer.clone(),
            clock: state.clock.clone(),
            public_url: state.config.public_url.clone(),
        }
    }
}

/// How long a claimed job may run before another replica may take it over.
const LEASE_SECS: i64 = 15 * 60;
/// Expired links (invites, password resets) stay this long (whoever clicks then reads "expired"
/// or "already used", not "unknown"), then go.
pub const EXPIRED_LINK_GRACE_SECS: i64 = 7 * 24 * 3600;
/// Sent mail stays in the queue this long (to look into a complaint), then goes.
pub const SENT_MAIL_KEEP_SECS: i64 = 7 * 24 * 3600;
/// An upload without a sign of life (a start, a part URL asked) for this long is aborted: a
/// laptop asleep over a long weekend still resumes.
pub const IDLE_UPLOAD_SECS: i64 = 7 * 24 * 3600;
/// Mail given up after its last attempt stays this long (its last error explains why).
pub const FAILED_MAIL_KEEP_SECS: i64 = 30 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Removes invites that expired more than a week ago.
    InviteCleanup,
    /// Removes expired sessions.
    SessionPruning,
    /// Forgets authentication failures older than the rate-limit window.
    AuthAttemptPruning,
    /// Removes password-reset links a week after they expired (until then a second click on a
    /// used or expired link gets a clear answer).
    PasswordResetPruning,
    /// Removes emailed account links (self-deletion, back to emailed codes) a week after they
    /// expired unused.
    AccountLinkPruning,
    /// Removes queued mail a week after it was sent, and a month after it was given up.
    MailPruning,
    /// Available → Expired and Expired → Archived at the deadline (DDS's two daily jobs).
    ProjectDeadlines,
    /// Reminder mails 7 days and 1 day before a project's data stops being downloadable.
    DeadlineReminders,
    /// Byte-hours per project since the last count (DDS's `monthly-usage`).
    MonthlyUsage,
    /// The mail to a unit whose usage passed its warning level (DDS's `monitor-usage`).
    QuotaWarnings,
    /// Aborts uploads without a sign of life for a week (their parts and quota freed).
    IdleUploads,
}

impl Job {
    pub const ALL: [Job; 11] = [
        Job::InviteCleanup,
        Job::SessionPruning,
        Job::AuthAttemptPruning,
        Job::PasswordResetPruning,
        Job::AccountLinkPruning,
        Job::MailPruning,
        Job::ProjectDeadlines,
        Job::DeadlineReminders,
        Job::MonthlyUsage,
        Job::QuotaWarnings,
        Job::IdleUploads,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::InviteCleanup => "invite-cleanup",
            Job::SessionPruning => "session-pruning",
            Job::AuthAttemptPruning => "auth-attempt-pruning",
            Job::PasswordResetPruning => "password-reset-pruning",
            Job::AccountLinkPruning => "account-link-pruning",
            Job::MailPruning => "mail-pruning",
            Job::ProjectDeadlines => "project-deadlines",
            Job::DeadlineReminders => "deadline-reminders",
            Job::MonthlyUsage => "monthly-usage",
            Job::QuotaWarnings => "quota-warnings",
            Job::IdleUploads => "idle-uploads",
        }
    }

    pub fn every_secs(self) -> i64 {
        match self {
            Job::InviteCleanup
            | Job::SessionPruning
            | Job::AuthAttemptPruning
            | Job::PasswordResetPruning
            | Job::AccountLinkPruning
            | Job::MailPruning
            | Job::IdleUploads => 3600,
            // Deadlines fall at 23:59:59 UTC: checked every 10 minutes, a project is never
            // downloadable much past its deadline.
            Job::ProjectDeadlines => 600,
            Job::DeadlineReminders | Job::QuotaWarnings => 3600,
            // Monthly periods (30 days) from the first run.
            Job::MonthlyUsage => 30 * 24 * 3600,
        }
    }

    /// Runs the job's work as of `at`; the number of rows it removed.
    async fn run(self, ctx: &JobContext, at: i64) -> Result<u64, DbError> {
        let db = &ctx.db;
        match self {
            Job::InviteCleanup => invites::delete_expired_before(db, at - EXPIRED_LINK_GRACE_SECS).await,
            Job::SessionPruning => Ok(DbSessionStore::new(db.clone()).prune(at).await?),
            Job::AuthAttemptPruning => rate_limit::prune(db, at).await,
            Job::PasswordResetPruning => {
                password_resets::delete_expired_before(db, at - EXPIRED_LINK_GRACE_SECS).await
            }
            Job::AccountLinkPruning => {
                account_links::delete_expired_before(db, at - EXPIRED_LINK_GRACE_SECS).await
            }
            Job::MailPruning => {
                mail_queue::delete_old(db, at - SENT_MAIL_KEEP_SECS, at - FAILED_MAIL_KEEP_SECS).await
            }
            Job::ProjectDeadlines => crate::projects::status::apply_deadlines(db, at).await,
            Job::DeadlineReminders => {
                lifecycle::send_deadline_reminders(db, &ctx.mailer, &ctx.public_url, at).await
            }
            Job::MonthlyUsage => lifecycle::record_monthly_usage(db, at).await,
            Job::QuotaWarnings => lifecycle::warn_about_quotas(db, &ctx.mailer, at).await,
            Job::IdleUploads => {
                crate::transfers::uploads::abort_idle(db, &ctx.storage, at - IDLE_UPLOAD_SECS).await
            }
        }
    }
}

/// What one job did at one tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not due, or another replica holds it.
    Skipped,
    Ran {
        removed: u64,
    },
    Failed,
}

/// Runs every job that is due at the context's time and not held by another replica.
pub async fn run_due(ctx: &JobContext, holder: &str) -> Vec<(Job, Outcome)> {
    let (db, at) = (&ctx.db, ctx.clock.now());
    let mut outcomes = Vec::new();
    for job in Job::ALL {
        let outcome = match lease::claim(db, job.name(), holder, at, job.every_secs(), LEASE_SECS).await {
            Ok(false) => Outcome::Skipped,
            Err(err) => {
                tracing::error!(job = job.name(), error = %err, "cannot claim the job");
                Outcome::Failed
            }
            Ok(true) => match job.run(ctx, at).await {
                Ok(removed) => {
                    tracing::info!(job = job.name(), removed, "job done");
                    if let Err(err) = lease::finish(db, job.name(), holder, at).await {
                        tracing::error!(job = job.name(), error = %err, "cannot record the job run");
                    }
                    Outcome::Ran { removed }
                }
                Err(err) => {
                    tracing::error!(job = job.name(), error = %err, "job failed; retried at the next tick");
                    let _ = lease::release(db, job.name(), holder).await;
                    Outcome::Failed
                }
            },
        };
        outcomes.push((job, outcome));
    }
    outcomes
}

/// The scheduler loop of one replica, looking for due jobs every `tick` (`jobs.tick_secs`),
/// until `stopped` resolves.
pub async fn scheduler(
    ctx: JobContext,
    tick: Duration,
    stopped: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let holder = uuid::Uuid::new_v4().to_string();
    let mut ticks = tokio::time::interval(tick);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            _ = &mut stopped => return Ok(()),
            _ = ticks.tick() => {
                run_due(&ctx, &holder).await;
            }
        }
    }
}
