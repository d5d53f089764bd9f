//! DDS's reporting figures (`dds stats`), live for Super Admins (the route is theirs alone).

use app::api::dashboard::StatusCount;
use app::api::statistics::{PortalStatistics, RoleCount};
use app::domain::dates::month_start;
use app::domain::project_status::ProjectStatus;
use app::domain::roles::Role;

use crate::db::{statistics, Db, DbError};

/// The portal's figures at `now`; "last month" is the calendar month before `now`'s (the
/// monthly usage run on its 1st at midnight ends it).
pub async fn gather(db: &Db, now: i64) -> Result<PortalStatistics, DbError> {
    let roles = statistics::users_by_role(db).await?;
    let statuses = statistics::projects_by_status(db).await?;
    let (units, stored_bytes, uploaded_bytes) = statistics::units_and_bytes(db).await?;
    let (last_month_start, this_month_start) = (month_start(now, -1), month_start(now, 0));
    let (byte_hours_last_month, byte_hours_total) =
        statistics::byte_hours(db, last_month_start, this_month_start).await?;
    Ok(PortalStatistics {
        units,
        users_by_role: Role::ALL
            .into_iter()
            .map(|role| RoleCount { role, count: count_of(&roles, &role) })
            .collect(),
        project_owners: statistics::project_owners(db).await?,
        projects_by_status: ProjectStatus::ALL
            .into_iter()
            .map(|status| StatusCount { status, count: count_of(&statuses, &status) })
            .collect(),
        stored_bytes,
        uploaded_bytes,
        byte_hours_last_month,
        byte_hours_total,
    })
}

fn count_of<T: PartialEq>(counted: &[(T, i64)], wanted: &T) -> i64 {
    counted.iter().find(|(key, _)| key == wanted).map_or(0, |(_, count)| *count)
}
