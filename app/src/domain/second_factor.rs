//! The second factor of a login: one spelling on the wire, in the database and in pages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SecondFactor {
    /// A one-time code by mail (everyone starts with it).
    #[default]
    Email,
    /// An authenticator app (TOTP).
    Totp,
}

impl SecondFactor {
    pub const ALL: [SecondFactor; 2] = [SecondFactor::Email, SecondFactor::Totp];

    /// The spelling in `second_factors.method` (and on the wire).
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactor::Email => "email",
            SecondFactor::Totp => "totp",
        }
    }

    pub fn parse(value: &str) -> Option<SecondFactor> {
        SecondFactor::ALL.into_iter().find(|kind| kind.as_str() == value)
    }
}

impl std::fmt::Display for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_on_the_wire_and_in_the_database() {
        for kind in SecondFactor::ALL {
            assert_eq!(SecondFactor::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(SecondFactor::parse("TOTP"), None);
        assert_eq!(SecondFactor::parse("sms"), None);
    }
}
