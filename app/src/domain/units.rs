//! A unit's settings as Super Admins create and edit them (DDS's `create-unit`): one check for
//! the web console and `dds unit create|update`, with a sentence per field.

use serde::{Deserialize, Serialize};

use crate::domain::project_status::{MAX_DAYS_AVAILABLE, MAX_DAYS_EXPIRED};

/// A unit's settings (quota in bytes; DDS enters it in TB = 1000⁴ bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitSettings {
    /// Short stable id (lowercase letters, digits and dashes): in URLs and bucket names.
    pub public_id: String,
    pub name: String,
    /// The name researchers see ("Created by").
    pub external_display_name: String,
    pub contact_email: String,
    /// Prefix of the unit's project ids (`{internal_ref}{counter:05}`).
    pub internal_ref: String,
    pub quota_bytes: i64,
    /// Fraction of the quota at which the warning mail goes (DDS default 0.8).
    pub warning_level: f64,
    pub days_in_available: i64,
    pub days_in_expired: i64,
    /// Prefix of the unit's project buckets ('' for the server's).
    #[serde(default)]
    pub bucket_prefix: String,
}

fn lowercase_id(value: &str) -> bool {
    !value.is_empty()
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
        && !value.ends_with('-')
}

/// Every field checked; the first problem found, as a sentence.
pub fn check(unit: &UnitSettings) -> Result<(), String> {
    if !lowercase_id(&unit.public_id) || unit.public_id.len() > 50 {
        return Err("The unit's public id must be 1 to 50 lowercase letters, digits or dashes.".into());
    }
    if unit.name.trim().is_empty() || unit.name.chars().count() > 255 {
        return Err("The unit needs a name of at most 255 characters.".into());
    }
    if unit.external_display_name.trim().is_empty() || unit.external_display_name.chars().count() > 255 {
        return Err("The unit needs a display name of at most 255 characters.".into());
    }
    let email_ok = unit.contact_email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    }) && !unit.contact_email.chars().any(char::is_whitespace);
    if !email_ok {
        return Err("The contact must be a valid email address.".into());
    }
    // Project ids are `{internal_ref}{counter:05}` and name buckets: keep them short and plain.
    let ref_ok = !unit.internal_ref.is_empty()
        && unit.internal_ref.len() <= 20
        && unit.internal_ref.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !ref_ok {
        return Err("The internal reference must be 1 to 20 lowercase letters or digits.".into());
    }
    if unit.quota_bytes <= 0 {
        return Err("The quota must be more than 0 bytes.".into());
    }
    if !(unit.warning_level > 0.0 && unit.warning_level <= 1.0) {
        return Err("The warning level must be a fraction above 0 and at most 1 (for example 0.8).".into());
    }
    if !(1..=i64::from(MAX_DAYS_AVAILABLE)).contains(&unit.days_in_available) {
        return Err(format!("The days in Available must be between 1 and {MAX_DAYS_AVAILABLE}."));
    }
    if !(1..=i64::from(MAX_DAYS_EXPIRED)).contains(&unit.days_in_expired) {
        return Err(format!("The days in Expired must be between 1 and {MAX_DAYS_EXPIRED}."));
    }
    if !unit.bucket_prefix.is_empty() && (!lowercase_id(&unit.bucket_prefix) || unit.bucket_prefix.len() > 20)
    {
        return Err("The bucket prefix must be at most 20 lowercase letters, digits or dashes.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> UnitSettings {
        UnitSettings {
            public_id: "ngi-sthlm".into(),
            name: "NGI Stockholm".into(),
            external_display_name: "National Genomics Infrastructure".into(),
            contact_email: "support@ngi.se".into(),
            internal_ref: "ngis".into(),
            quota_bytes: 100 * 1_000_000_000_000,
            warning_level: 0.8,
            days_in_available: 90,
            days_in_expired: 30,
            bucket_prefix: String::new(),
        }
    }

    #[test]
    fn a_good_unit_passes() {
        assert_eq!(check(&good()), Ok(()));
    }

    #[test]
    fn each_field_is_checked_with_a_sentence() {
        type Spoil = Box<dyn Fn(&mut UnitSettings)>;
        let cases: Vec<(Spoil, &str)> = vec![
            (Box::new(|u| u.public_id = "NGI".into()), "public id"),
            (Box::new(|u| u.public_id = "a b".into()), "public id"),
            (Box::new(|u| u.public_id = "-a".into()), "public id"),
            (Box::new(|u| u.name = " ".into()), "name"),
            (Box::new(|u| u.external_display_name = String::new()), "display name"),
            (Box::new(|u| u.contact_email = "support".into()), "contact"),
            (Box::new(|u| u.internal_ref = "ngi-s".into()), "internal reference"),
            (Box::new(|u| u.internal_ref = "x".repeat(21)), "internal reference"),
            (Box::new(|u| u.quota_bytes = 0), "quota"),
            (Box::new(|u| u.warning_level = 1.5), "warning level"),
            (Box::new(|u| u.warning_level = f64::NAN), "warning level"),
            (Box::new(|u| u.days_in_available = 91), "Available"),
            (Box::new(|u| u.days_in_available = 0), "Available"),
            (Box::new(|u| u.days_in_expired = 31), "Expired"),
            (Box::new(|u| u.bucket_prefix = "Bad_Prefix".into()), "bucket prefix"),
        ];
        for (spoil, field) in cases {
            let mut unit = good();
            spoil(&mut unit);
            let error = check(&unit).expect_err(field);
            assert!(error.contains(field), "{field}: {error}");
        }
    }
}
