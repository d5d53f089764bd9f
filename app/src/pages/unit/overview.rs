//! The dashboard's first page (`/unit`): the caller's unit at a glance (storage against its
//! quota, projects by status, deliveries, invites, members waiting for access, deadlines); its
//! projects are listed on their own page (`projects.rs`), so filtering them never pays for this.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::dashboard::UnitOverview;
use crate::domain::dashboard::{DashboardAccess, DEADLINE_WINDOW_DAYS, DELIVERY_WINDOW_DAYS};
use crate::domain::dates::utc_day;
use crate::domain::quota::human_bytes;

use super::{dashboard_frame, server_side, Server, Tab};

/// The overview: on the server through the page port, in the browser through the API.
#[cfg(feature = "ssr")]
async fn load_overview(server: Server) -> Result<UnitOverview, String> {
    let (portal, parts) = server.0.ok_or("The portal is not ready yet.")?;
    portal.dashboard.overview(&parts).await
}

#[cfg(not(feature = "ssr"))]
fn load_overview(_server: Server) -> impl std::future::Future<Output = Result<UnitOverview, String>> + Send {
    super::in_browser(async move {
        use crate::api::{dashboard::UNIT_OVERVIEW, url};
        crate::client::api::get_json(&url(UNIT_OVERVIEW)).await.map_err(String::from)
    })
}

#[component]
pub fn UnitOverviewPage() -> impl IntoView {
    let server = server_side();
    let overview = Resource::new(|| (), move |_| load_overview(server.clone()));
    view! {
        <Title text="Unit dashboard" />
        <h1>"Unit dashboard"</h1>
        {dashboard_frame(Tab::Overview, overview, |overview| view! { <Overview overview=overview /> })}
    }
}

#[component]
fn Overview(overview: UnitOverview) -> impl IntoView {
    let used_share = if overview.quota_bytes > 0 {
        (overview.used_bytes as f64 / overview.quota_bytes as f64 * 100.0).min(100.0)
    } else {
        0.0
    };
    let storage = format!(
        "{} of {} used ({used_share:.0}%)",
        human_bytes(overview.used_bytes),
        human_bytes(overview.quota_bytes)
    );
    let warning = overview.over_warning_level.then(|| {
        view! {
            <p class="form-error" data-testid="quota-warning">
                {format!(
                    "Usage has passed the unit's warning level of {:.0}% of its quota.",
                    overview.warning_level * 100.0,
                )}
            </p>
        }
    });
    let read_only = (overview.access == DashboardAccess::ReadOnly).then(|| {
        view! {
            <p class="hint" data-testid="read-only">
                "Unit Personnel see the figures; Unit Admins administer accounts."
            </p>
        }
    });
    let statuses = overview
        .projects_by_status
        .iter()
        .map(|entry| {
            let href = format!("/unit/projects?status={}", crate::api::query_value(entry.status.as_str()));
            view! {
                <tr>
                    <th scope="row">
                        <a href=href>{entry.status.as_str()}</a>
                    </th>
                    <td class="number" data-status=entry.status.as_str()>{entry.count}</td>
                </tr>
            }
        })
        .collect_view();
    let pending = if overview.access_pending_total == 0 {
        view! { <p data-testid="access-pending">"Nobody is waiting for access."</p> }.into_any()
    } else {
        let shown = overview
            .access_pending
            .iter()
            .map(|waiting| {
                let href = format!("/projects/{}", waiting.project);
                view! {
                    <li>
                        {waiting.username.clone()} " in " <a href=href>{waiting.project.clone()}</a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div data-testid="access-pending">
                <p>
                    {format!("{} member(s) wait for access.", overview.access_pending_total)}
                    " Unit Admins, Unit Personnel and the project's owners approve them on the project page."
                </p>
                <ul>{shown}</ul>
            </div>
        }
        .into_any()
    };
    let deadlines = if overview.deadlines.is_empty() {
        view! { <p data-testid="deadlines">{format!("No deadline in the next {DEADLINE_WINDOW_DAYS} days.")}</p> }
            .into_any()
    } else {
        let items = overview
            .deadlines
            .iter()
            .map(|due| {
                let href = format!("/projects/{}", due.project);
                view! {
                    <li>
                        <a href=href>{due.project.clone()}</a>
                        {format!(" {} ends {}", due.title, utc_day(due.deadline))}
                    </li>
                }
            })
            .collect_view();
        view! { <ul data-testid="deadlines">{items}</ul> }.into_any()
    };
    view! {
        <p class="lead" data-testid="unit-name">{overview.unit_name.clone()}</p>
        {read_only}
        <section class="cards" aria-label="Overview">
            <div class="card">
                <h2>"Storage"</h2>
                <p data-testid="storage">{storage.clone()}</p>
                <progress max="100" value=format!("{used_share:.1}") aria-label=storage></progress>
                {warning}
            </div>
            <div class="card">
                <h2>"Projects by status"</h2>
                <table class="table" data-testid="projects-by-status">
                    <caption class="visually-hidden">"Projects by status"</caption>
                    <tbody>{statuses}</tbody>
                </table>
            </div>
            <div class="card">
                <h2>{format!("Deliveries, last {DELIVERY_WINDOW_DAYS} days")}</h2>
                <p data-testid="deliveries">
                    {format!(
                        "{} file(s) uploaded, {} download(s).",
                        overview.uploads_completed,
                        overview.downloads,
                    )}
                </p>
                <h2>"Invites"</h2>
                <p data-testid="pending-invites">
                    {format!("{} pending. ", overview.pending_invites)}
                    <a href="/invites">"Manage invites"</a>
                </p>
            </div>
            <div class="card">
                <h2>"Access pending"</h2>
                {pending}
            </div>
            <div class="card">
                <h2>{format!("Deadlines, next {DEADLINE_WINDOW_DAYS} days")}</h2>
                {deadlines}
            </div>
        </section>
    }
}
