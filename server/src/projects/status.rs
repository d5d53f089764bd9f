//! Status changes (DDS §4). Each is one transaction that first takes the project's row lock
//! (an `UPDATE` of the row: a row lock on PostgreSQL, the write lock on SQLite), so a concurrent
//! change waits and then sees the new status: no "busy" flag that a failure could leave set.
//! The decision is `app::domain::project_status`'s; this module loads its input and records its
//! answer: the row, the history, the audit event, the release mail and the durable task that
//! removes the data.

use app::api::project_status::{HistoryLine, StatusView};
use app::domain::ids::{ProjectId, UnitId, UserId};
use app::domain::project_status::{
    self as rules, ProjectState, ProjectStatus, StatusChange, StatusError, Transition, UnitDeadlines,
    MAX_DEADLINE_EXTENSIONS, MAX_RELEASES_FROM_EXPIRED,
};
use app::domain::projects::Capacity;
use sqlx::{Any, Transaction};

use super::ProjectError;
use crate::db::audit::{self, AuditEvent};
use crate::db::seals::{self, SealedKey};
use crate::db::users::User;
use crate::db::{projects, units, Db, DbError};
use crate::jobs::tasks;
use crate::mail::{escape_html, Mailer, OutgoingMail};

impl From<StatusError> for ProjectError {
    fn from(err: StatusError) -> Self {
        match err {
            StatusError::Denied(denied) => ProjectError::Denied(denied.0.to_string()),
            StatusError::NotFound => ProjectError::NotFound,
            StatusError::Rule(message) => ProjectError::Invalid(message),
            StatusError::NeedsConfirmation(message) => ProjectError::NeedsConfirmation(message),
        }
    }
}

/// What a status change needs besides the database.
pub struct Context<'a> {
    pub db: &'a Db,
    pub mailer: &'a Mailer,
    pub public_url: &'a str,
    pub now: i64,
}

/// The locked project row: its id, unit, bucket, title and state.
struct Locked {
    id: ProjectId,
    released_at: Option<i64>,
    unit_id: UnitId,
    title: String,
    bucket: Option<String>,
    state: ProjectState,
}

fn to_locked(row: projects::Lifecycle) -> Result<Locked, DbError> {
    let count = |value: i64| u32::try_from(value).unwrap_or(u32::MAX);
    Ok(Locked {
        state: ProjectState {
            status: projects::parse_status(&row.status)?,
            aborted: row.is_aborted != 0,
            deadline: row.deadline,
            released: row.released_at.is_some(),
            times_expired: count(row.times_expired),
            releases_from_expired: count(row.releases_from_expired),
            extensions: count(row.extensions),
        },
        id: row.id,
        released_at: row.released_at,
        unit_id: row.unit_id,
        title: row.title,
        bucket: row.bucket,
    })
}

/// Takes the project's row lock inside `tx` and reads its state (active projects only).
async fn lock(tx: &mut Transaction<'_, Any>, public_id: &str) -> Result<Option<Locked>, DbError> {
    let row = projects::lock(tx, public_id).await?.filter(|row| row.is_active != 0);
    row.map(to_locked).transpose()
}

async fn capacity_in(
    tx: &mut Transaction<'_, Any>,
    user: &User,
    project: &Locked,
) -> Result<Capacity, DbError> {
    let membership = projects::membership(&mut **tx, project.id, user.id).await?;
    Ok(Capacity::of(&user.actor(), project.unit_id, membership))
}

async fn unit_deadlines(tx: &mut Transaction<'_, Any>, unit_id: UnitId) -> Result<UnitDeadlines, DbError> {
    let stored = units::deadlines(tx, unit_id).await?;
    let days = |value: i64| u32::try_from(value).unwrap_or(1);
    Ok(UnitDeadlines {
        days_in_available: days(stored.days_in_available),
        days_in_expired: days(stored.days_in_expired),
    })
}

/// Writes `next` to the project row and its history; for deletion and abort, clears the
/// metadata, the members and every key seal; queues the data removal.
async fn record(
    tx: &mut Transaction<'_, Any>,
    project: &Locked,
    transition: &Transition,
    changed_by: Option<UserId>,
    note: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    let next = &transition.state;
    let new = projects::NewStatus {
        state: next,
        first_release: transition.first_release,
        is_active: !matches!(next.status, ProjectStatus::Archived | ProjectStatus::Deleted),
        changed_by,
        note,
        at: now,
    };
    projects::record_status(tx, project.id, new).await?;
    if transition.clears_metadata {
        projects::clear_metadata(tx, project.id).await?;
    }
    if transition.removes_data {
        // Nobody opens the data any more: every seal of the project key goes now.
        seals::remove_all(&mut **tx, SealedKey::Project, project.id).await?;
        tasks::enqueue_project_removal(tx, project.id, project.bucket.as_deref(), now).await?;
    }
    Ok(())
}

/// A status change asked for by `user`; answers the new status with DDS's sentence.
pub async fn change(
    cx: &Context<'_>,
    user: &User,
    public_id: &str,
    change: StatusChange,
    send_email: bool,
) -> Result<StatusView, ProjectError> {
    let mut tx = cx.db.begin().await?;
    let project = lock(&mut tx, public_id).await?.ok_or(ProjectError::NotFound)?;
    let capacity = capacity_in(&mut tx, user, &project).await?;
    let unit = unit_deadlines(&mut tx, project.unit_id).await?;
    let transition = rules::decide(capacity, &project.state, change, unit, cx.now)?;
    record(&mut tx, &project, &transition, Some(user.id), None, cx.now).await?;
    let mailed = if transition.release_mail && send_email {
        release_mails(&mut tx, cx, public_id, &project, transition.state.deadline, &user.name).await?
    } else {
        0
    };
    let event = format!("project-status:{}", transition.state.status.as_str());
    audit::record(&mut *tx, AuditEvent::new(Some(user.id), &event, Some(public_id)).on_project(project.id))
        .await?;
    tx.commit().await?;
    cx.mailer.wake();
    if transition.removes_data {
        tasks::wake();
    }
    let to = transition.state.status;
    let message = if transition.removes_data {
        format!(
            "The status of project {public_id} was updated to {to}. Its data is being removed in the background; this may take some time."
        )
    } else if transition.release_mail {
        let mail = if mailed > 0 {
            "An e-mail notification has been sent."
        } else {
            "An e-mail notification has not been sent."
        };
        format!("Project {public_id} updated to status {to}. {mail}")
    } else {
        format!("Project {public_id} updated to status {to}.")
    };
    let mut view = view(cx.db, public_id).await?;
    view.message = Some(message);
    Ok(view)
}

/// A deadline extension (two steps: unconfirmed, 409 with what would happen).
pub async fn extend(
    cx: &Context<'_>,
    user: &User,
    public_id: &str,
    days: Option<i64>,
    confirmed: bool,
) -> Result<StatusView, ProjectError> {
    let mut tx = cx.db.begin().await?;
    let project = lock(&mut tx, public_id).await?.ok_or(ProjectError::NotFound)?;
    let capacity = capacity_in(&mut tx, user, &project).await?;
    let unit = unit_deadlines(&mut tx, project.unit_id).await?;
    let next = rules::extend(capacity, &project.state, days, confirmed, unit, cx.now)?;
    let transition = Transition {
        state: next,
        first_release: false,
        release_mail: false,
        clears_metadata: false,
        removes_data: false,
    };
    record(&mut tx, &project, &transition, Some(user.id), Some("deadline extended"), cx.now).await?;
    audit::record(
        &mut *tx,
        AuditEvent::new(Some(user.id), "project-deadline-extended", Some(public_id)).on_project(project.id),
    )
    .await?;
    tx.commit().await?;
    let mut view = view(cx.db, public_id).await?;
    view.message = Some(format!("The deadline of project {public_id} was extended."));
    Ok(view)
}

/// The deadline jobs: every Available or Expired project past its deadline moves on (each in its
/// own transaction under its row lock). Returns how many moved.
pub async fn apply_deadlines(db: &Db, now: i64) -> Result<u64, DbError> {
    let mut moved = 0;
    for public_id in projects::past_deadline(db, now).await? {
        let mut tx = db.begin().await?;
        let Some(project) = lock(&mut tx, &public_id).await? else { continue };
        let unit = unit_deadlines(&mut tx, project.unit_id).await?;
        let Some(transition) = rules::by_deadline(&project.state, unit, now) else { continue };
        record(&mut tx, &project, &transition, None, Some("deadline passed"), now).await?;
        let event = format!("project-status:{}", transition.state.status.as_str());
        audit::record(&mut *tx, AuditEvent::new(None, &event, Some(&public_id)).on_project(project.id))
            .await?;
        tx.commit().await?;
        if transition.removes_data {
            tasks::wake();
        }
        moved += 1;
    }
    Ok(moved)
}

/// DDS: a Researcher added to a project that is Available gets the release mail (with the
/// deadline) at once. Queued after the addition; a failure is logged, the addition stands.
pub async fn mail_release_if_available(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    project_id: ProjectId,
    to: &str,
    sender: &str,
) {
    match projects::release_facts(db, project_id).await {
        Ok(Some(projects::ReleaseFacts { public_id, title, status, deadline }))
            if status == ProjectStatus::Available.as_str() =>
        {
            let mail = release_mail(to, public_url, &public_id, &title, deadline, sender);
            if let Err(err) = mailer.send(mail).await {
                tracing::warn!(project = %public_id, error = %err, "release mail to an added researcher not queued");
            }
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "cannot read the project for a release mail"),
    }
}

/// DDS's `project_release` mail to every Researcher of the project, queued in the transaction.
/// `public_id` is the one the project was locked by (the stored spelling).
async fn release_mails(
    tx: &mut Transaction<'_, Any>,
    cx: &Context<'_>,
    public_id: &str,
    project: &Locked,
    deadline: Option<i64>,
    sender: &str,
) -> Result<usize, ProjectError> {
    let recipients = projects::researcher_emails(tx, project.id).await?;
    for to in &recipients {
        let mail = release_mail(to, cx.public_url, public_id, &project.title, deadline, sender);
        cx.mailer.send_in_or_log(tx, mail).await?;
    }
    Ok(recipients.len())
}

/// A deadline as a reader sees it: "2026-12-31 23:59:59 UTC".
pub use app::domain::dates::utc;

/// The release mail (DDS's `project_release`, for the browser instead of the CLI).
pub fn release_mail(
    to: &str,
    public_url: &str,
    public_id: &str,
    title: &str,
    deadline: Option<i64>,
    sender: &str,
) -> OutgoingMail {
    let link = format!("{public_url}/projects/{public_id}");
    let expires = deadline
        .map(utc)
        .map(|at| format!("Your access to this project will expire on {at}."))
        .unwrap_or_default();
    OutgoingMail {
        to: to.to_string(),
        subject: format!("Project made available by {sender} in the SciLifeLab Data Delivery System"),
        text: format!(
            "The project \"{title}\" ({public_id}) has been made available for download by {sender}.\n\n\
             Open it in the portal to download its data:\n{link}\n\n{expires}\n"
        ),
        html: format!(
            "<p>The project <strong>{}</strong> ({}) has been made available for download by {}.</p>\
             <p><a href=\"{link}\">Open the project</a> to download its data.</p><p>{}</p>",
            escape_html(title),
            escape_html(public_id),
            escape_html(sender),
            escape_html(&expires)
        ),
        link: Some(link),
    }
}

/// The status, the limits left and the history (newest first), for anyone who sees the project.
pub async fn view(db: &Db, public_id: &str) -> Result<StatusView, ProjectError> {
    let row = projects::lifecycle(db, public_id).await?;
    let project = row.map(to_locked).transpose()?.ok_or(ProjectError::NotFound)?;
    let history = projects::status_history(db, project.id)
        .await?
        .into_iter()
        .filter_map(|line| {
            Some(HistoryLine {
                status: ProjectStatus::parse(&line.status)?,
                aborted: line.is_aborted != 0,
                deadline: line.deadline,
                at: line.created_at,
                note: line.note,
            })
        })
        .collect();
    let state = project.state;
    Ok(StatusView {
        status: state.status,
        aborted: state.aborted,
        deadline: state.deadline,
        released_at: project.released_at,
        releases_from_expired_left: MAX_RELEASES_FROM_EXPIRED.saturating_sub(state.releases_from_expired),
        extensions_left: MAX_DEADLINE_EXTENSIONS.saturating_sub(state.extensions),
        history,
        message: None,
    })
}
