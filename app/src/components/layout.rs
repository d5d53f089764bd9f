//! The frame of every page: header with navigation by role, MOTD banner, main, footer.

use leptos::prelude::*;

use crate::components::{motd::MotdBanner, theme::ThemeToggle};
use crate::domain::roles::{nav_items, Role};
use crate::domain::site::SiteInfo;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // The signed-in user's role arrives with the accounts work; until then everyone is a visitor.
    let role: Option<Role> = None;
    let version = use_context::<SiteInfo>().map(|site| site.version).unwrap_or_default();
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"DDS"</span>
                <span class="brand-name">"Data Delivery System"</span>
            </a>
            <nav class="main-nav" aria-label="Main">
                {nav_items(role)
                    .into_iter()
                    .map(|item| view! { <a href=item.href>{item.label}</a> })
                    .collect_view()}
            </nav>
            <ThemeToggle />
        </header>
        <MotdBanner />
        <main class="content">{children()}</main>
        <footer class="site-footer">
            <span>"Data Delivery System"</span>
            <span data-testid="version">{format!("version {version}")}</span>
            <span>"End-to-end encrypted: only recipients can read delivered data."</span>
        </footer>
    }
}
