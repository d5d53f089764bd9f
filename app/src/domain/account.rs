//! The signed-in user as pages see it.

use serde::{Deserialize, Serialize};

use crate::domain::ids::UnitId;
use crate::domain::roles::Role;
use crate::domain::second_factor::SecondFactor;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedInUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub email: String,
    /// Staff: their unit (`None` for Researchers and Super Admins).
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    pub second_factor: SecondFactor,
}

/// An address as the login's code step names it: enough for its owner to recognise, not the
/// whole of it ("re…@example.com").
pub fn masked_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let shown: String = local.chars().take(2).collect();
            format!("{shown}…@{domain}")
        }
        None => "your primary address".to_string(),
    }
}

#[cfg(test)]
mod masked_email_tests {
    use super::masked_email;

    #[test]
    fn the_address_is_recognisable_but_not_whole() {
        assert_eq!(masked_email("researchuser_1@example.com"), "re…@example.com");
        assert_eq!(masked_email("a@example.org"), "a…@example.org");
        assert_eq!(masked_email("öl@exämple.se"), "öl…@exämple.se");
        assert_eq!(masked_email("no-at-sign"), "your primary address");
    }
}
