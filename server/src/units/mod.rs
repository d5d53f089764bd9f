//! Units (DDS §2): Super Admins create and edit them from the console and `dds unit`. One check
//! (`app::domain::units::check`) for both; names unique by constraint, a clash answered as a
//! sentence.

pub mod dashboard;

use app::api::units::{UnitSettings, UnitView};
use app::domain::units::check;

use crate::db::{units, Db, DbError};

#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error("{0}")]
    Invalid(String),
    #[error("There is no unit '{0}'.")]
    NotFound(String),
    #[error("A unit with this public id, name or internal reference exists already.")]
    Taken,
    #[error(transparent)]
    Db(DbError),
}

impl From<DbError> for UnitError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Duplicate(_) => UnitError::Taken,
            other => UnitError::Db(other),
        }
    }
}

/// Every unit with its usage, by name.
pub async fn list(db: &Db) -> Result<Vec<UnitView>, UnitError> {
    Ok(units::list(db).await?)
}

pub async fn get(db: &Db, public_id: &str) -> Result<UnitView, UnitError> {
    units::by_public_id(db, public_id).await?.ok_or_else(|| UnitError::NotFound(public_id.to_string()))
}

fn trimmed(settings: &UnitSettings) -> UnitSettings {
    UnitSettings {
        public_id: settings.public_id.trim().to_string(),
        name: settings.name.trim().to_string(),
        external_display_name: settings.external_display_name.trim().to_string(),
        contact_email: settings.contact_email.trim().to_lowercase(),
        internal_ref: settings.internal_ref.trim().to_string(),
        bucket_prefix: settings.bucket_prefix.trim().to_string(),
        ..settings.clone()
    }
}

/// Creates a unit. Two creations of one name at once: one wins, the other gets `Taken`.
pub async fn create(db: &Db, settings: &UnitSettings, now: i64) -> Result<UnitView, UnitError> {
    let unit = trimmed(settings);
    check(&unit).map_err(UnitError::Invalid)?;
    units::insert(db, &unit, now).await?;
    get(db, &unit.public_id).await
}

/// Edits a unit. Its public id and internal reference stay (project ids and buckets are made
/// from them): a change to either is refused with a sentence.
pub async fn update(db: &Db, public_id: &str, settings: &UnitSettings) -> Result<UnitView, UnitError> {
    let current = get(db, public_id).await?;
    let unit = trimmed(settings);
    if unit.public_id != current.settings.public_id || unit.internal_ref != current.settings.internal_ref {
        return Err(UnitError::Invalid(
            "A unit's public id and internal reference cannot change: project ids and buckets are made from them.".into(),
        ));
    }
    check(&unit).map_err(UnitError::Invalid)?;
    units::update(db, public_id, &unit).await?;
    get(db, public_id).await
}
