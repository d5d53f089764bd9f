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
    // DESIGN §3: a staff member whose browser holds the unit key restores colleagues' access
    // (after a password reset, or an invite a Super Admin sent) on any page they open.
    #[cfg(feature = "hydrate")]
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(me) = user.get() else {
            return false;
        };
        // The same for project keys: unit staff and Project Owners seal them to members and
        // invites waiting for them.
        if me.role != Role::SuperAdmin {
            leptos::task::spawn_local(async move {
                if me.role.belongs_to_unit() {
                    match crate::components::unit_keys::repair_colleagues(&me.username).await {
                        Ok(0) => {}
                        Ok(n) => leptos::logging::log!("restored unit key access for {n} colleague(s)"),
                        Err(message) => leptos::logging::warn!("unit key access not repaired: {message}"),
                    }
                }
                match crate::components::project_keys::repair(&me.username).await {
                    Ok(0) => {}
                    Ok(n) => leptos::logging::log!("restored project access for {n} member(s) or invite(s)"),
                    Err(message) => leptos::logging::warn!("project access not repaired: {message}"),
                }
            });
        }
        true
    });
    let version = use_context::<SiteInfo>().map(|site| site.version).unwrap_or_default();
    let log_out = move |_| {
        crate::components::keyring::forget();
        leptos::task::spawn_local(async move {
            let _: Result<serde_json::Value, String> =
                crate::components::api::post_json("/api/v1/auth/logout", &serde_json::json!({})).await;
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/");
        });
    };
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
        </footer>
    }
}
