//! Searching by text (projects, accounts): one reading of what a person typed and one way to
//! hand it to SQL, so `%` and `_` are characters, never wildcards, wherever a search happens.

/// The longest search accepted (a project title is at most 255 characters, an id far less).
pub const MAX_SEARCH_CHARS: usize = 100;

/// What was typed, trimmed; blank is no search; too long is refused with a sentence.
pub fn read_search(typed: Option<&str>) -> Result<Option<String>, String> {
    match typed.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > MAX_SEARCH_CHARS => {
            Err(format!("A search is at most {MAX_SEARCH_CHARS} characters."))
        }
        Some(text) => Ok(Some(text.to_string())),
    }
}

/// A lower-cased LIKE pattern matching values that contain `text` (the query says
/// `LOWER(column) LIKE $n ESCAPE '\'`).
pub fn contains_pattern(text: &str) -> String {
    let literal = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{literal}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_trimmed_bounded_and_literal() {
        assert_eq!(read_search(None), Ok(None));
        assert_eq!(read_search(Some("  ")), Ok(None));
        assert_eq!(read_search(Some(" Ab ")), Ok(Some("Ab".into())));
        assert!(read_search(Some(&"é".repeat(MAX_SEARCH_CHARS))).is_ok(), "characters, not bytes");
        assert!(read_search(Some(&"é".repeat(MAX_SEARCH_CHARS + 1))).unwrap_err().contains("at most"));
        assert_eq!(contains_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
