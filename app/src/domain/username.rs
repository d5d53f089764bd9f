//! Usernames: 3–30 characters from `A–Z a–z 0–9 _ . -` (DDS's rule), unique ignoring case,
//! never changed.

/// `Err` carries the sentence to show.
pub fn check_username(username: &str) -> Result<(), &'static str> {
    let len = username.chars().count();
    if !(3..=30).contains(&len) {
        return Err("The username must be 3 to 30 characters long.");
    }
    if !username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        return Err("The username may contain only letters, digits, '_', '.' and '-'.");
    }
    Ok(())
}

/// Names: 2 to 255 characters after trimming.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    let len = name.trim().chars().count();
    if !(2..=255).contains(&len) {
        return Err("The name must be 2 to 255 characters long.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dds_username_rule() {
        for ok in ["abc", "researcher_1", "first.last", "a-b", &"x".repeat(30)] {
            assert!(check_username(ok).is_ok(), "{ok}");
        }
        assert!(check_username("ab").is_err());
        assert!(check_username(&"x".repeat(31)).is_err());
        for bad in ["with space", "émile", "a/b", "semi;colon", "at@sign"] {
            assert_eq!(
                check_username(bad),
                Err("The username may contain only letters, digits, '_', '.' and '-'."),
                "{bad}"
            );
        }
    }

    #[test]
    fn names_need_two_characters() {
        assert!(check_name(" A ").is_err());
        assert!(check_name("Al").is_ok());
    }
}
