//! The unit's activity (`/unit/activity`): its audit events (who did what, when, in which
//! project), newest first, filtered by action and paged by cursor (an older page never shifts
//! when new events arrive).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dashboard::{ActivityPage, ActivityQuery};
use crate::domain::dashboard::{action_label, ActivityFilter, TimeCursor, ACTIVITY_ACTIONS};
use crate::domain::dates::utc;

use super::{dashboard_frame, server_side, Server, Tab};

/// One page of events: on the server through the page port, in the browser through the API.
#[cfg(feature = "ssr")]
async fn load_activity(query: ActivityQuery, server: Server) -> Result<ActivityPage, String> {
    let (portal, parts) = server.0.ok_or("The portal is not ready yet.")?;
    portal.dashboard.activity(&parts, query).await
}

#[cfg(not(feature = "ssr"))]
fn load_activity(
    query: ActivityQuery,
    _server: Server,
) -> impl std::future::Future<Output = Result<ActivityPage, String>> + Send {
    super::in_browser(async move {
        use crate::api::{dashboard::UNIT_ACTIVITY, url};
        let filter = ActivityFilter::parse(&query)?;
        let search = filter.query_string(filter.before);
        let path =
            if search.is_empty() { url(UNIT_ACTIVITY) } else { format!("{}?{search}", url(UNIT_ACTIVITY)) };
        crate::client::api::get_json(&path).await.map_err(String::from)
    })
}

fn query_of(map: &leptos_router::params::ParamsMap) -> ActivityQuery {
    ActivityQuery { action: map.get("action"), before: map.get("before") }
}

#[component]
pub fn UnitActivityPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || params.with(query_of);
    let server = server_side();
    let activity = Resource::new(query, move |query| load_activity(query, server.clone()));
    let action_options = move || {
        let chosen = query().action.unwrap_or_default();
        std::iter::once(("", "Every action"))
            .chain(ACTIVITY_ACTIONS.iter().copied())
            .map(|(value, label)| {
                let selected = value == chosen;
                view! { <option value=value selected=selected>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <Title text="Unit activity" />
        <h1>"Unit dashboard"</h1>
        {dashboard_frame(
            Tab::Activity,
            activity,
            move |page| {
                view! {
                    <section class="card" aria-labelledby="activity-title">
                        <h2 id="activity-title">"Activity"</h2>
                        <form method="get" action="/unit/activity" class="filters" data-testid="activity-filters">
                            <label>
                                "Action" <select name="action" data-testid="filter-action">{action_options}</select>
                            </label>
                            <button type="submit" data-testid="activity-apply">"Show"</button>
                        </form>
                        <EventTable page=page query=query() />
                    </section>
                }
            },
        )}
    }
}

#[component]
fn EventTable(page: ActivityPage, query: ActivityQuery) -> impl IntoView {
    let filter = ActivityFilter::parse(&query).unwrap_or_default();
    let newest = filter.before.is_some().then(|| {
        let search = filter.query_string(None);
        let href =
            if search.is_empty() { "/unit/activity".to_string() } else { format!("/unit/activity?{search}") };
        view! { <a href=href data-testid="activity-newest">"Newest events"</a> }
    });
    let older = page.next.as_deref().and_then(TimeCursor::decode).map(|cursor| {
        let href = format!("/unit/activity?{}", filter.query_string(Some(cursor)));
        view! { <a href=href rel="next" data-testid="activity-older">"Older events"</a> }
    });
    if page.events.is_empty() {
        return view! {
            <p data-testid="activity-empty">"No event matches."</p>
            <nav class="pager" aria-label="Activity pages">{newest}</nav>
        }
        .into_any();
    }
    let rows = page
        .events
        .into_iter()
        .map(|event| {
            let project = event.project.map(|id| {
                let href = format!("/projects/{id}");
                view! { <a href=href>{id}</a> }
            });
            view! {
                <tr data-action=event.action.clone()>
                    <td>{utc(event.at)}</td>
                    <td>{event.actor.unwrap_or_else(|| "the portal (or a deleted account)".into())}</td>
                    <td>{action_label(&event.action).to_string()}</td>
                    <td>{project}</td>
                    <td>{event.target.unwrap_or_default()}</td>
                    <td>{event.details.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="table" data-testid="activity">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col">"On"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Activity pages">
            {newest}
            {older}
        </nav>
    }
    .into_any()
}
