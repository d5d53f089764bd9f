//! Who waits for a unit or project key, and telling the key holders (docs/security.md "Threat
//! model"). Nothing is sealed automatically: a member waits until someone who holds the key and
//! may grant it compares their key fingerprint and approves in the page (`unit_keys::approve`,
//! `projects::access::approve`). The mails here say that someone waits and where to look; they
//! carry nothing that opens a key.

use app::api::keys::{KeyOrigin, WaitingMember};
#[cfg(test)]
use app::domain::ids::UserId;
use app::domain::ids::{ProjectId, UnitId};
use app::domain::roles::Role;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::db::seals::{self, SealedKey, Waiting};
use crate::db::users::User;
use crate::db::{Db, DbError};
use crate::mail::{escape_html, Mailer, OutgoingMail};

/// What an approver is shown of a waiting person.
fn into_member(row: Waiting) -> Result<WaitingMember, DbError> {
    let role = Role::parse(&row.role)
        .ok_or_else(|| DbError::Internal(format!("unknown role '{}' in the database", row.role)))?;
    let origin = KeyOrigin::parse(&row.key_origin).ok_or_else(|| {
        DbError::Internal(format!("unknown key origin '{}' in the database", row.key_origin))
    })?;
    let invited_by = match (row.inviter_name, row.inviter_username) {
        (Some(name), Some(username)) => Some(format!("{name} ({username})")),
        _ => None,
    };
    Ok(WaitingMember {
        username: row.username,
        name: row.name,
        email: row.email.unwrap_or_default(),
        role,
        origin,
        invited_by,
        public_key: BASE64.encode(row.public_key),
    })
}

async fn waiting(
    db: &Db,
    key: SealedKey,
    scope_id: impl Into<i64> + Copy,
) -> Result<Vec<WaitingMember>, DbError> {
    seals::waiting(db, key, scope_id).await?.into_iter().map(into_member).collect()
}

/// Active staff of the unit without a seal of the unit key for their current public key.
pub async fn waiting_for_unit(db: &Db, unit_id: UnitId) -> Result<Vec<WaitingMember>, DbError> {
    waiting(db, SealedKey::Unit, unit_id).await
}

/// Active Researcher members of the project without a seal for their current public key.
pub async fn waiting_for_project(db: &Db, project_id: ProjectId) -> Result<Vec<WaitingMember>, DbError> {
    waiting(db, SealedKey::Project, project_id).await
}

/// What someone waits for, and where its key holders approve.
pub enum WaitsFor<'a> {
    /// The unit key: its Unit Admins approve on the users page.
    Unit { unit_id: UnitId },
    /// A project key: its unit's staff and its Project Owners approve on the project page.
    Project { project_id: ProjectId, public_id: &'a str },
}

/// Addresses of the active key holders who may approve, never the waiting person.
async fn approvers(db: &Db, what: &WaitsFor<'_>, waiting: &User) -> Result<Vec<String>, DbError> {
    let (key, scope_id) = match what {
        WaitsFor::Unit { unit_id } => (SealedKey::Unit, unit_id.0),
        WaitsFor::Project { project_id, .. } => (SealedKey::Project, project_id.0),
    };
    seals::approver_emails(db, key, scope_id, waiting.id).await
}

/// Mails the key holders who may approve `waiting`. Called once the waiting state is committed;
/// a mail that fails is logged (the waiting list in the page still shows the person).
pub async fn tell_approvers(db: &Db, mailer: &Mailer, public_url: &str, what: WaitsFor<'_>, waiting: &User) {
    let recipients = match approvers(db, &what, waiting).await {
        Ok(recipients) => recipients,
        Err(err) => {
            tracing::error!(error = %err, user = %waiting.username, "cannot find whom to tell about a waiting member");
            return;
        }
    };
    for to in recipients {
        if let Err(err) = mailer.send(waiting_mail(&to, public_url, &what, waiting)).await {
            tracing::error!(error = %err, user = %waiting.username, "waiting-for-access mail failed");
        }
    }
}

/// [`tell_approvers`] for each project (id, public id) `waiting` now waits in.
pub async fn tell_project_approvers(
    db: &Db,
    mailer: &Mailer,
    public_url: &str,
    projects: &[(ProjectId, String)],
    waiting: &User,
) {
    for (project_id, public_id) in projects {
        let what = WaitsFor::Project { project_id: *project_id, public_id };
        tell_approvers(db, mailer, public_url, what, waiting).await;
    }
}

fn waiting_mail(to: &str, public_url: &str, what: &WaitsFor<'_>, waiting: &User) -> OutgoingMail {
    let (subject_what, text_what, link) = match what {
        WaitsFor::Unit { .. } => (
            "your unit's data".to_string(),
            "your unit's key (every project of the unit)".to_string(),
            format!("{public_url}/users"),
        ),
        WaitsFor::Project { public_id, .. } => (
            format!("the project {public_id}"),
            format!("the key of the project {public_id}"),
            format!("{public_url}/projects/{public_id}"),
        ),
    };
    let who = format!("{} ({}, {})", waiting.name, waiting.username, waiting.email);
    let check = "Before you approve, compare the key fingerprint the page shows with the one on their\n\
                 account page, in person or on the phone: a fingerprint that differs means the key is\n\
                 not theirs. Nothing is shared until you approve.";
    OutgoingMail {
        to: to.to_string(),
        subject: format!("{} is waiting for access to {subject_what}", waiting.name),
        text: format!("{who} is waiting for access to {text_what}.\n\n{check}\n\nApprove here:\n{link}\n"),
        html: format!(
            "<p>{} is waiting for access to {}.</p><p>{}</p><p><a href=\"{link}\">Review and approve</a></p>",
            escape_html(&who),
            escape_html(&text_what),
            check.replace('\n', " ")
        ),
        link: Some(link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waiting_mail_names_the_person_and_where_to_approve_and_escapes_html() {
        let user = User {
            id: UserId(9),
            username: "eve_new".into(),
            name: "<Eve>".into(),
            role: Role::Researcher,
            unit_id: None,
            is_active: true,
            email: "eve@example.org".into(),
        };
        let what = WaitsFor::Project { project_id: ProjectId(1), public_id: "someunit00001" };
        let mail = waiting_mail("owner@example.org", "https://dds.example", &what, &user);
        assert_eq!(mail.subject, "<Eve> is waiting for access to the project someunit00001");
        assert!(mail.text.contains("<Eve> (eve_new, eve@example.org)"), "{}", mail.text);
        assert!(mail.text.contains("fingerprint"));
        assert_eq!(mail.link.as_deref(), Some("https://dds.example/projects/someunit00001"));
        assert!(mail.html.contains("&lt;Eve&gt;") && !mail.html.contains("<Eve>"));
        let unit = waiting_mail(
            "ua@example.org",
            "https://dds.example",
            &WaitsFor::Unit { unit_id: UnitId(1) },
            &user,
        );
        assert_eq!(unit.link.as_deref(), Some("https://dds.example/users"));
    }
}
