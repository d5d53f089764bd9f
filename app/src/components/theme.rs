//! Light and dark theme. The choice is kept in a cookie so the server renders the right theme on
//! the first byte (no flash, no inline script); without a choice the CSS follows the system.

use leptos::prelude::*;

const COOKIE: &str = "dds_theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(value: &str) -> Option<Theme> {
        match value {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub fn toggled(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The theme stored in a `Cookie` header value, if any.
pub fn theme_from_cookie_header(header: &str) -> Option<Theme> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| Theme::parse(value))
}

/// The `data-theme` attribute of `<html>` for this request ("" = follow the system).
pub fn initial_theme() -> &'static str {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                let header = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
                theme_from_cookie_header(header)
            })
            .map(Theme::as_str)
            .unwrap_or("")
    }
    #[cfg(not(feature = "ssr"))]
    {
        ""
    }
}

/// The dark-theme switch: a toggle button whose pressed state says whether the dark theme is on
/// (its name stays "Dark theme", as screen readers expect of a toggle), remembered for a year.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // The server knows the theme from the cookie; in the browser the page says what it shows.
    let (theme, set_theme) = signal(Theme::parse(initial_theme()));
    Effect::new(move |_| set_theme.set(Some(current_theme())));
    let toggle = move |_| {
        let next = theme.get().unwrap_or_else(current_theme).toggled();
        apply_theme(next);
        set_theme.set(Some(next));
    };
    let pressed = move || if theme.get() == Some(Theme::Dark) { "true" } else { "false" };
    view! {
        <button type="button" class="theme-toggle" data-testid="theme-toggle" aria-pressed=pressed on:click=toggle>
            "Dark theme"
        </button>
    }
}

/// The theme currently shown (the `<html>` attribute, else the system preference).
fn current_theme() -> Theme {
    #[cfg(feature = "hydrate")]
    {
        let attribute = document().document_element().and_then(|html| html.get_attribute("data-theme"));
        if let Some(theme) = attribute.as_deref().and_then(Theme::parse) {
            return theme;
        }
        let dark = window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .map(|query| query.matches())
            .unwrap_or(false);
        if dark {
            Theme::Dark
        } else {
            Theme::Light
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Theme::Light
    }
}

fn apply_theme(theme: Theme) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("data-theme", theme.as_str());
        }
        if let Ok(doc) = document().dyn_into::<leptos::web_sys::HtmlDocument>() {
            let _ = doc
                .set_cookie(&format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", theme.as_str()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_selects_theme() {
        assert_eq!(theme_from_cookie_header("a=b; dds_theme=dark"), Some(Theme::Dark));
        assert_eq!(theme_from_cookie_header("dds_theme=light"), Some(Theme::Light));
    }

    #[test]
    fn unknown_or_missing_theme_follows_the_system() {
        assert_eq!(theme_from_cookie_header("dds_theme=purple"), None);
        assert_eq!(theme_from_cookie_header("other=dark"), None);
        assert_eq!(theme_from_cookie_header(""), None);
    }

    #[test]
    fn toggling_twice_returns_to_the_start() {
        assert_eq!(Theme::Light.toggled(), Theme::Dark);
        assert_eq!(Theme::Dark.toggled().toggled(), Theme::Dark);
    }
}
