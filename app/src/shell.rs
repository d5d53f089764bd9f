//! The HTML document and the router: every page renders inside [`Layout`].

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

use crate::components::layout::Layout;
use crate::components::theme::initial_theme;
use crate::pages::{
    account::AccountPage,
    activate_email_codes::ActivateEmailCodesPage,
    admin::AdminPage,
    confirm_deletion::ConfirmDeletionPage,
    home::HomePage,
    invites::InvitesPage,
    login::LoginPage,
    not_found::NotFound,
    password_reset::{RequestResetPage, ResetPasswordPage},
    policies::{PrivacyPage, TermsPage},
    project::ProjectPage,
    projects::ProjectsPage,
    register::RegisterPage,
    unit::{
        activity::UnitActivityPage,
        overview::UnitOverviewPage,
        people::{UnitInvitesPage, UnitUsersPage},
        projects::UnitProjectsPage,
        usage::UnitUsagePage,
    },
    users::UsersPage,
};

/// The whole HTML document, rendered on the server for every page request.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=initial_theme()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="dds" href="/pkg/dds.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Data Delivery System".to_string() } else { format!("{page} · DDS") }
        } />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // Async: every page's HTML is complete (user, MOTD) before the first byte, so
                    // it reads right without JavaScript and nothing flashes in.
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("invites") view=InvitesPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("admin") view=AdminPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("projects") view=ProjectsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("unit") view=UnitOverviewPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("unit"), StaticSegment("projects"))
                        view=UnitProjectsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("unit"), StaticSegment("users"))
                        view=UnitUsersPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("unit"), StaticSegment("invites"))
                        view=UnitInvitesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("unit"), StaticSegment("usage"))
                        view=UnitUsagePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("unit"), StaticSegment("activity"))
                        view=UnitActivityPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("projects"), ParamSegment("id"))
                        view=ProjectPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("confirm-deletion"), ParamSegment("token"))
                        view=ConfirmDeletionPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("activate-email-codes"), ParamSegment("token"))
                        view=ActivateEmailCodesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("invite"), ParamSegment("token"))
                        view=RegisterPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("reset-password") view=RequestResetPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("terms") view=TermsPage />
                    <Route path=StaticSegment("privacy") view=PrivacyPage />
                    <Route
                        path=(StaticSegment("reset-password"), ParamSegment("token"))
                        view=ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </Layout>
        </Router>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    /// The page's CSP: only our own scripts (plus the per-response nonce Leptos puts on its inline
    /// hydration scripts) and wasm compilation. Set here because only the renderer knows the nonce.
    pub fn set_content_security_policy() {
        let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
            return;
        };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self' {s3}; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
            s3 = use_context::<crate::domain::site::SiteInfo>().map(|s| s.storage_origin).unwrap_or_default(),
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
