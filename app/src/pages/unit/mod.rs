//! The unit dashboard (`/unit/...`): unit staff only (`domain::dashboard`), Unit Personnel
//! read-only. Each page is rendered on the server with its data, read through the API's own
//! gate (`ssr::DashboardSource`), and asks the API itself once hydrated; filters are plain GET
//! forms, so they work before the bundle has loaded and their addresses can be shared.

pub mod activity;
pub mod overview;
pub mod usage;

use leptos::prelude::*;

/// What a server-side read needs, taken from the context while rendering (nothing in the
/// browser, which asks the API).
#[derive(Clone)]
pub(crate) struct Server(
    #[cfg(feature = "ssr")] pub Option<(crate::ssr::PortalContext, http::request::Parts)>,
);

#[cfg(feature = "ssr")]
pub(crate) fn server_side() -> Server {
    Server(use_context::<crate::ssr::PortalContext>().zip(use_context::<http::request::Parts>()))
}

#[cfg(not(feature = "ssr"))]
pub(crate) fn server_side() -> Server {
    Server()
}

/// A browser-only future (a fetch) made acceptable to a `Resource`, which asks for `Send`: the
/// browser runs one thread (the wrapper would panic were it ever moved to another).
#[cfg(not(feature = "ssr"))]
pub(crate) fn in_browser<F: std::future::Future>(future: F) -> send_wrapper::SendWrapper<F> {
    send_wrapper::SendWrapper::new(future)
}

/// The dashboard's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Usage,
    Activity,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Overview, Tab::Usage, Tab::Activity];

    fn href(self) -> &'static str {
        match self {
            Tab::Overview => "/unit",
            Tab::Usage => "/unit/usage",
            Tab::Activity => "/unit/activity",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview and projects",
            Tab::Usage => "Usage",
            Tab::Activity => "Activity",
        }
    }
}

/// The links between the dashboard's pages; the current one is marked for assistive technology.
#[component]
pub fn DashboardTabs(current: Tab) -> impl IntoView {
    let links = Tab::ALL
        .into_iter()
        .map(|tab| {
            let here = (tab == current).then_some("page");
            view! {
                <a href=tab.href() aria-current=here>
                    {tab.label()}
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="tabs" aria-label="Unit dashboard">
            {links}
        </nav>
    }
}
