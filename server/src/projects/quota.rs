//! "May N more bytes be added to this project?" (DDS §13, enforced before an upload starts):
//! the unit's quota against its usage, kept as an aggregate with the file rows, plus the bytes
//! of uploads already promised but not completed (`reserved`).

use app::domain::ids::ProjectId;
use app::domain::quota::QuotaCheck;

use crate::db::{units, Db, DbError};

/// The quota answer for adding `stored_bytes` to the project, with what is left.
pub async fn may_add(
    db: &Db,
    project_id: ProjectId,
    stored_bytes: i64,
    reserved: i64,
) -> Result<QuotaCheck, DbError> {
    let usage = units::usage_of_project(db, project_id).await?;
    Ok(QuotaCheck::new(usage.quota_bytes, usage.used_bytes.saturating_add(reserved.max(0)), stored_bytes))
}
