//! What a new password must satisfy. Checked in the browser: the server never sees passwords
//! (it cannot check them, and must not be able to).
//!
//! `common_passwords.txt` holds the entries of at least 10 characters (shorter ones fail the
//! length rule anyway) of the ranked common-password list of zxcvbn-ts
//! (`@zxcvbn-ts/language-common` 4.1.3, `src/passwords.json`, MIT licence), lower-cased.

/// DDS's minimum length.
pub const MIN_LEN: usize = 10;
/// Upper bound so a pasted file cannot freeze the key derivation.
pub const MAX_LEN: usize = 256;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `password` is on the common-password list (case-insensitive).
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|common| common == lower)
}

/// `Err` carries the sentence to show.
pub fn check_new_password(password: &str, confirmation: &str, username: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err("The password must be at least 10 characters long.");
    }
    if chars > MAX_LEN {
        return Err("The password must be at most 256 characters long.");
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("The password must not contain your username.");
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(c)) {
        return Err("The password must not be one character repeated.");
    }
    if is_common(password) {
        return Err(
            "This password is too common: it is among the first guesses of any attacker. Choose another.",
        );
    }
    if password != confirmation {
        return Err("The passwords do not match.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_username_repetition_and_confirmation_are_checked() {
        assert!(check_new_password("a good long passphrase", "a good long passphrase", "alice").is_ok());
        assert_eq!(
            check_new_password("short", "short", "alice"),
            Err("The password must be at least 10 characters long.")
        );
        assert_eq!(
            check_new_password("alice-is-my-password", "alice-is-my-password", "Alice"),
            Err("The password must not contain your username.")
        );
        assert_eq!(
            check_new_password("aaaaaaaaaaaa", "aaaaaaaaaaaa", "bob"),
            Err("The password must not be one character repeated.")
        );
        assert_eq!(
            check_new_password("a good long passphrase", "a good long passphrase!", "bob"),
            Err("The passwords do not match.")
        );
        let long = "x".repeat(200) + &"y".repeat(100);
        assert!(check_new_password(&long, &long, "bob").is_err());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["1234567890", "qwertyuiop", "Password123", "BASKETBALL"] {
            assert_eq!(
                check_new_password(common, common, "bob"),
                Err("This password is too common: it is among the first guesses of any attacker. Choose another."),
                "{common}"
            );
        }
        assert!(!is_common("a good long passphrase"));
    }

    #[test]
    fn the_list_is_whole_and_lower_case() {
        let entries: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(entries.len() > 1500, "{} entries", entries.len());
        assert!(entries.iter().all(|e| e.chars().count() >= MIN_LEN && *e == e.to_lowercase()));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let nine = "ååååååååå"; // 9 characters, 18 bytes
        assert!(check_new_password(nine, nine, "bob").is_err());
    }
}
