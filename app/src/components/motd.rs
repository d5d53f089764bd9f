//! The banners shown on every page: maintenance, and the messages of the day (Super Admins write
//! them; reading is public).

use leptos::prelude::*;

use crate::domain::error::AppError;
use crate::domain::site::Notices;

/// The site's current notices.
#[server(prefix = "/sfn", endpoint = "notices")]
pub async fn site_notices() -> Result<Notices, AppError> {
    use crate::ssr::PortalContext;
    let portal =
        use_context::<PortalContext>().ok_or_else(|| AppError::server("The portal is not ready yet."))?;
    portal.notices.notices().await.map_err(AppError::server)
}

#[component]
pub fn MotdBanner() -> impl IntoView {
    // Blocking: the banners are in the first HTML (readable without JavaScript).
    let notices = Resource::new_blocking(|| (), |_| site_notices());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let notices = notices.get().and_then(Result::ok).unwrap_or_default();
                let maintenance = notices
                    .maintenance
                    .then(|| {
                        view! {
                            <div class="banner banner-maintenance" role="status" data-testid="maintenance">
                                "Maintenance of DDS is ongoing. Only Super Admins can use the portal until it ends."
                            </div>
                        }
                    });
                let motds = notices
                    .motds
                    .into_iter()
                    .map(|message| {
                        view! {
                            <div class="banner banner-motd" role="status" data-testid="motd">
                                {message}
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    {maintenance}
                    {motds}
                }
            }}
        </Suspense>
    }
}
