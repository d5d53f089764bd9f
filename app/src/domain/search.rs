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
/// `LOWER(column) LIKE $n ESCAPE '\'`, or a LIKE that ignores case as LOWER does).
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", like_literal(&text.to_lowercase()))
}

/// `text` as a part of a LIKE pattern that matches only itself (the query says `ESCAPE '\'`):
/// the escape character first, then the wildcards `%` and `_`.
pub fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_literal_escapes_the_wildcards_and_the_escape_itself() {
        assert_eq!(like_literal("reads.fastq"), "reads.fastq");
        assert_eq!(like_literal("100%_done"), "100\\%\\_done");
        assert_eq!(like_literal("a\\b"), "a\\\\b");
        // The escape character goes first, so the escapes added before wildcards stay single.
        assert_eq!(like_literal("\\%"), "\\\\\\%");
    }

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
