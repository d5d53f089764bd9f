//! A forgotten password (`/password-reset`, all public: the user cannot log in). The new
//! password comes with a new key pair; key holders approve unit and project access again.

use serde::{Deserialize, Serialize};

/// `POST` [`ResetRequest`] → [`super::Message`] (DDS's neutral sentence for any address).
pub const PASSWORD_RESET: &str = "/password-reset";
/// `GET` → [`ResetDetails`]; `POST` [`super::account::NewKeyPair`] → [`Completed`].
pub const PASSWORD_RESET_LINK: &str = "/password-reset/{token}";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetRequest {
    pub email: String,
}

/// What the reset page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetDetails {
    pub username: String,
    pub email: String,
}

/// Whom the user should ask to restore their access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UnitContact {
    pub name: String,
    pub contact_email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completed {
    pub units_to_contact: Vec<UnitContact>,
}
