//! The frame of every page: header with navigation by role, MOTD banner, main, footer.

use leptos::prelude::*;

use crate::components::session::{whoami, CurrentUser};
use crate::components::{motd::MotdBanner, theme::ThemeToggle};
use crate::domain::roles::{nav_items, Role};
use crate::domain::site::SiteInfo;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // Blocking: the first HTML byte waits for it, so the header is right even without JavaScript.
    let user = CurrentUser(Resource::new_blocking(|| (), |_| whoami()));
    provide_context(user);
    let version = use_context::<SiteInfo>().map(|site| site.version).unwrap_or_default();
    let log_out = move |_| leptos::task::spawn_local(crate::client::session::log_out());
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"DDS"</span>
                <span class="brand-name">"Data Delivery System"</span>
            </a>
            <Suspense fallback=|| view! { <nav class="main-nav" aria-label="Main"></nav> }>
                {move || {
                    let signed_in = user.get();
                    let role: Option<Role> = signed_in.as_ref().map(|u| u.role);
                    view! {
                        <nav class="main-nav" aria-label="Main">
                            {nav_items(role)
                                .into_iter()
                                .map(|item| view! { <a href=item.href>{item.label}</a> })
                                .collect_view()}
                        </nav>
                        {signed_in
                            .map(|u| {
                                view! {
                                    <span class="signed-in" data-testid="signed-in-user" title=u.role.as_str()>
                                        {u.username}
                                    </span>
                                    <button type="button" data-testid="log-out" on:click=log_out>
                                        "Log out"
                                    </button>
                                }
                            })}
                    }
                }}
            </Suspense>
            <ThemeToggle />
        </header>
        <MotdBanner />
        <main class="content">{children()}</main>
        <footer class="site-footer">
            <span>"Data Delivery System"</span>
            <span data-testid="version">{format!("version {version}")}</span>
            <span>"End-to-end encrypted: only recipients can read delivered data."</span>
            <a href="/terms">"Terms of use"</a>
            <a href="/privacy">"Privacy"</a>
        </footer>
    }
}
