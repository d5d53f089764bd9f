//! What a visitor sees on a page for signed-in users: a request to log in, with a link that
//! brings them back to the page they asked for (`/login?next=…`). Pages show it instead of their
//! content and make no API call for visitors (it could only answer 401).

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::components::session::CurrentUser;

/// What stays as it is in the `next` value: a path's own characters.
const NEXT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The login link that returns to `path_and_query` afterwards.
pub fn login_link(path_and_query: &str) -> String {
    format!("/login?next={}", percent_encoding::utf8_percent_encode(path_and_query, NEXT))
}

/// Whether the page's user is known to be a visitor (the user resource resolved to nobody).
pub fn is_visitor(user: CurrentUser) -> bool {
    matches!(user.0.get(), Some(Ok(None)))
}

#[component]
pub fn LoginPrompt() -> impl IntoView {
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{}", search.trim_start_matches('?'))
        }
    };
    view! {
        <section class="auth-card" data-testid="login-needed">
            <h1>"Please log in"</h1>
            <p>
                "Please " <a href=move || login_link(&here()) data-testid="login-needed-link">"log in"</a>
                " to continue."
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::redirect::safe_next;

    #[test]
    fn the_login_link_returns_to_the_page_and_its_query() {
        assert_eq!(login_link("/projects/someunit00001"), "/login?next=/projects/someunit00001");
        let link = login_link("/users?page=2&q=a b");
        assert_eq!(link, "/login?next=/users%3Fpage%3D2%26q%3Da%20b");
        let next = percent_encoding::percent_decode_str(link.trim_start_matches("/login?next="))
            .decode_utf8()
            .unwrap();
        assert_eq!(safe_next(Some(&next)), "/users?page=2&q=a b");
    }
}
