//! The message-of-the-day banner shown on every page (Super Admins write it; reading is public).

use leptos::prelude::*;

use crate::domain::error::AppError;

/// Active messages of the day, newest first.
#[server(prefix = "/sfn", endpoint = "motd")]
pub async fn active_motds() -> Result<Vec<String>, AppError> {
    use crate::ssr::PortalContext;
    let portal =
        use_context::<PortalContext>().ok_or_else(|| AppError::server("The portal is not ready yet."))?;
    portal.motd.active_messages().await.map_err(AppError::server)
}

#[component]
pub fn MotdBanner() -> impl IntoView {
    // Blocking: the banner is in the first HTML (readable without JavaScript).
    let motds = Resource::new_blocking(|| (), |_| active_motds());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                motds
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|message| {
                        view! {
                            <div class="banner banner-motd" role="status" data-testid="motd">
                                {message}
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </Suspense>
    }
}
