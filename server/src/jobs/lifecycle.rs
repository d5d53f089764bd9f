//! The project jobs (DDS §9, plus reminders): deadlines passed, reminder mails before expiry,
//! monthly usage in byte-hours, and the quota warning. Each takes what it needs and the time
//! to act at, so tests move time instead of sleeping; each is safe to run twice (rows record
//! what was done, inside the transaction that does it).

use app::domain::quota::{human_bytes, QuotaCheck};
use app::domain::usage::{byte_hours, fully_invoiced, VersionLife};

use crate::db::projects::{self, ReminderDue};
use crate::db::units::{self, QuotaState};
use crate::db::usage::{self, VersionRow};
use crate::db::{Db, DbError};
use crate::mail::{escape_html, Mailer, OutgoingMail};
use crate::projects::status::utc;

/// Reminders go this many days before a deadline of an Available project.
pub const REMINDER_DAYS: [i64; 2] = [7, 1];
const DAY: i64 = 86_400;

/// Mails the Researchers of each Available project whose deadline is within a reminder's
/// days, once per project, deadline and reminder. Returns how many projects were reminded.
pub async fn send_deadline_reminders(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    now: i64,
) -> Result<u64, DbError> {
    let mut reminded = 0;
    for days in REMINDER_DAYS {
        let due = projects::reminders_due(db, now, now + days * DAY, days).await?;
        for ReminderDue { id: project_id, public_id, title, deadline } in due {
            let mut tx = db.begin().await?;
            if !projects::claim_reminder(&mut tx, project_id, deadline, days, now).await? {
                continue; // another replica reminded them
            }
            for to in projects::researcher_emails(&mut tx, project_id).await? {
                let mail = reminder_mail(&to, public_url, &public_id, &title, deadline);
                mailer.send_in_or_log(&mut tx, mail).await?;
            }
            tx.commit().await?;
            reminded += 1;
        }
    }
    if reminded > 0 {
        mailer.wake();
    }
    Ok(reminded)
}

fn reminder_mail(to: &str, public_url: &str, public_id: &str, title: &str, deadline: i64) -> OutgoingMail {
    let link = format!("{public_url}/projects/{public_id}");
    let when = utc(deadline);
    OutgoingMail {
        to: to.to_string(),
        subject: format!("The data of project {public_id} can be downloaded until {when}"),
        text: format!(
            "The project \"{title}\" ({public_id}) stays available for download until {when}. After that \
             date it can no longer be downloaded.\n\nDownload it here:\n{link}\n"
        ),
        html: format!(
            "<p>The project <strong>{}</strong> ({}) stays available for download until {when}. After that date \
             it can no longer be downloaded.</p><p><a href=\"{link}\">Download it here</a></p>",
            escape_html(title),
            escape_html(public_id)
        ),
        link: Some(link),
    }
}

/// DDS's `monthly-usage`: for every project with versions not yet counted to their end, the
/// byte-hours since they were last invoiced (`app::domain::usage`), one `usage_records` row per
/// project and period ending at `now`; the versions are then invoiced up to `now`. Returns how
/// many rows were written.
pub async fn record_monthly_usage(db: &Db, now: i64) -> Result<u64, DbError> {
    let mut written = 0;
    for project_id in usage::projects_to_invoice(db, now).await? {
        let mut tx = db.begin().await?;
        let mut total = 0.0;
        let mut start = now;
        for VersionRow { id, stored_bytes, uploaded_at, deleted_at, invoiced_at } in
            usage::versions_to_invoice(&mut tx, project_id, now).await?
        {
            let life = VersionLife { stored_bytes, uploaded_at, deleted_at, invoiced_at };
            total += byte_hours(&life, now);
            start = start.min(invoiced_at.unwrap_or(uploaded_at));
            let invoiced = deleted_at.map_or(now, |deleted| deleted.min(now));
            usage::set_invoiced(&mut tx, id, invoiced).await?;
            debug_assert!(
                fully_invoiced(&VersionLife { invoiced_at: Some(invoiced), ..life }) || deleted_at.is_none()
            );
        }
        let recorded = usage::record(&mut tx, project_id, start, now, total).await?;
        tx.commit().await?;
        written += u64::from(recorded);
    }
    Ok(written)
}

/// DDS's `monitor-usage`: mails a unit's contact once when its usage passes the warning level
/// (again only after it dropped below, or the unit's settings changed).
pub async fn warn_about_quotas(db: &Db, mailer: &Mailer, now: i64) -> Result<u64, DbError> {
    let mut warned = 0;
    for QuotaState {
        id,
        name,
        contact_email: contact,
        used_bytes: used,
        quota_bytes: quota,
        warning_level: level,
        quota_warned_at: warned_at,
    } in units::quota_states(db).await?
    {
        let over = QuotaCheck::over_warning_level(used, quota, level);
        match (over, warned_at) {
            (true, None) => {
                let mut tx = db.begin().await?;
                if units::claim_quota_warning(&mut tx, id, now).await? {
                    mailer.send_in_or_log(&mut tx, quota_mail(&contact, &name, used, quota, level)).await?;
                    warned += 1;
                }
                tx.commit().await?;
            }
            (false, Some(_)) => units::clear_quota_warning(db, id).await?,
            _ => {}
        }
    }
    if warned > 0 {
        mailer.wake();
    }
    Ok(warned)
}

fn quota_mail(to: &str, unit: &str, used: i64, quota: i64, level: f64) -> OutgoingMail {
    let percent = used as f64 * 100.0 / quota as f64;
    let text = format!(
        "The unit {unit} uses {} of its quota of {} ({percent:.1} %), above its warning level of {:.0} %.\n\n\
         Remove data that is no longer needed, or ask the Data Delivery System's operators for a larger quota.\n",
        human_bytes(used),
        human_bytes(quota),
        level * 100.0
    );
    OutgoingMail {
        to: to.to_string(),
        subject: "DDS: Usage quota warning!".to_string(),
        html: format!("<p>{}</p>", escape_html(&text).replace("\n\n", "</p><p>")),
        text,
        link: None,
    }
}
