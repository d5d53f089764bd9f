//! The unit dashboard (`/unit/...`): unit staff only (`domain::dashboard`), Unit Personnel
//! read-only. Each page is rendered on the server with its data, read through the API's own
//! gate (`ssr::DashboardSource`), and asks the API itself once hydrated; filters are plain GET
//! forms, so they work before the bundle has loaded and their addresses can be shared.

pub mod activity;
pub mod overview;
pub mod people;
pub mod projects;
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
    Projects,
    Users,
    Invites,
    Usage,
    Activity,
}

impl Tab {
    const ALL: [Tab; 6] = [Tab::Overview, Tab::Projects, Tab::Users, Tab::Invites, Tab::Usage, Tab::Activity];

    fn href(self) -> &'static str {
        match self {
            Tab::Overview => "/unit",
            Tab::Projects => "/unit/projects",
            Tab::Users => "/unit/users",
            Tab::Invites => "/unit/invites",
            Tab::Usage => "/unit/usage",
            Tab::Activity => "/unit/activity",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Projects => "Projects",
            Tab::Users => "Users",
            Tab::Invites => "Invites",
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

/// The frame every dashboard page shares: a visitor is asked to log in, a refusal (the API's
/// sentence) is shown as it is, and otherwise the tabs come above what `body` makes of the data.
pub(crate) fn dashboard_frame<T, V>(
    current: Tab,
    data: Resource<Result<T, String>>,
    body: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let user = expect_context::<crate::components::session::CurrentUser>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                if crate::components::sign_in::is_visitor(user) {
                    return Some(view! { <crate::components::sign_in::LoginPrompt /> }.into_any());
                }
                data.get()
                    .map(|result| match result {
                        Err(message) => {
                            view! { <p class="form-error" role="alert" data-testid="dashboard-refused">{message}</p> }
                                .into_any()
                        }
                        Ok(data) => view! { <DashboardTabs current=current /> {body(data)} }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// A `page` query parameter: absent is none, anything but a number is page 0, which the
/// dashboard's filters refuse with their sentence.
pub(crate) fn page_param(map: &leptos_router::params::ParamsMap) -> Option<i64> {
    map.get("page").map(|page| page.trim().parse().unwrap_or(0))
}
