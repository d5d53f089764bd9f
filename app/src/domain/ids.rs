//! Row ids of the aggregates, one type each, so a user id cannot be passed where a unit id is
//! meant. On the wire they are plain numbers (`#[serde(transparent)]`); in the database plain
//! integers (`sqlx(transparent)`, server build only: the browser bundle has no sqlx).

use serde::{Deserialize, Serialize};

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

row_id!(
    /// `users.id`.
    UserId
);
row_id!(
    /// `units.id`.
    UnitId
);
row_id!(
    /// `projects.id` (the row; DDS's public project id is `public_id`, a string).
    ProjectId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_numbers_on_the_wire() {
        assert_eq!(serde_json::to_string(&UserId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<UnitId>("3").unwrap(), UnitId(3));
        assert_eq!(serde_json::to_string(&Some(ProjectId(12))).unwrap(), "12");
    }
}
