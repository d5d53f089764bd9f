//! What a new password must satisfy. Checked in the browser: the server never sees passwords
//! (it cannot check them, and must not be able to).

/// DDS's minimum length.
pub const MIN_LEN: usize = 10;
/// Upper bound so a pasted file cannot freeze the key derivation.
pub const MAX_LEN: usize = 256;

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
    fn length_counts_characters_not_bytes() {
        let nine = "ååååååååå"; // 9 characters, 18 bytes
        assert!(check_new_password(nine, nine, "bob").is_err());
    }
}
