//! The dashboard's first page (`/unit`): the caller's unit at a glance (storage against its
//! quota, projects by status, deliveries, invites, members waiting for access, deadlines) and
//! its projects filtered, searched, sorted and paged.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dashboard::{ProjectQuery, UnitOverview, UnitProjectPage};
use crate::components::session::CurrentUser;
use crate::components::sign_in::{is_visitor, LoginPrompt};
use crate::domain::dashboard::{
    DashboardAccess, ProjectFilter, ProjectSort, DEADLINE_WINDOW_DAYS, DELIVERY_WINDOW_DAYS,
};
use crate::domain::dates::utc_day;
use crate::domain::project_status::ProjectStatus;
use crate::domain::quota::human_bytes;

use super::{server_side, DashboardTabs, Server, Tab};

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

/// One page of projects, the same two ways.
#[cfg(feature = "ssr")]
async fn load_projects(query: ProjectQuery, server: Server) -> Result<UnitProjectPage, String> {
    let (portal, parts) = server.0.ok_or("The portal is not ready yet.")?;
    portal.dashboard.projects(&parts, query).await
}

#[cfg(not(feature = "ssr"))]
fn load_projects(
    query: ProjectQuery,
    _server: Server,
) -> impl std::future::Future<Output = Result<UnitProjectPage, String>> + Send {
    super::in_browser(async move {
        use crate::api::{dashboard::UNIT_PROJECTS, url};
        let filter = ProjectFilter::parse(&query)?;
        let search = filter.query_string(filter.page);
        let path =
            if search.is_empty() { url(UNIT_PROJECTS) } else { format!("{}?{search}", url(UNIT_PROJECTS)) };
        crate::client::api::get_json(&path).await.map_err(String::from)
    })
}

/// The page's query string as a projects query (a page that is not a number is page 0, which
/// the filter refuses with its sentence).
fn query_of(map: &leptos_router::params::ParamsMap) -> ProjectQuery {
    ProjectQuery {
        status: map.get("status"),
        q: map.get("q"),
        sort: map.get("sort"),
        page: map.get("page").map(|page| page.trim().parse().unwrap_or(0)),
    }
}

#[component]
pub fn UnitOverviewPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let params = use_query_map();
    let query = move || params.with(query_of);
    let server = server_side();
    let overview = {
        let server = server.clone();
        Resource::new(|| (), move |_| load_overview(server.clone()))
    };
    let projects = Resource::new(query, move |query| load_projects(query, server.clone()));

    view! {
        <Title text="Unit dashboard" />
        <h1>"Unit dashboard"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                if is_visitor(user) {
                    return Some(view! { <LoginPrompt /> }.into_any());
                }
                overview
                    .get()
                    .map(|result| match result {
                        Err(message) => {
                            view! { <p class="form-error" role="alert" data-testid="dashboard-refused">{message}</p> }
                                .into_any()
                        }
                        Ok(overview) => {
                            view! {
                                <DashboardTabs current=Tab::Overview />
                                <Overview overview=overview />
                                <ProjectsSection projects=projects query=Signal::derive(query) />
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
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
            let href = format!("/unit?status={}", crate::api::query_value(entry.status.as_str()));
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

#[component]
fn ProjectsSection(
    projects: Resource<Result<UnitProjectPage, String>>,
    query: Signal<ProjectQuery>,
) -> impl IntoView {
    let current = move || query.get();
    let status_options = move || {
        let chosen = current().status.unwrap_or_default();
        std::iter::once(("".to_string(), "Any status".to_string()))
            .chain(ProjectStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.as_str().to_string())))
            .map(|(value, label)| {
                let selected = value == chosen;
                view! { <option value=value selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let sort_options = move || {
        let chosen = current().sort.unwrap_or_default();
        ProjectSort::ALL
            .iter()
            .map(|sort| {
                let selected =
                    sort.as_str() == chosen || (chosen.is_empty() && *sort == ProjectSort::default());
                view! { <option value=sort.as_str() selected=selected>{sort.label()}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="unit-projects-title">
            <h2 id="unit-projects-title">"Projects"</h2>
            <form method="get" action="/unit" class="filters" data-testid="project-filters">
                <label>
                    "Status" <select name="status" data-testid="filter-status">{status_options}</select>
                </label>
                <label>
                    "Search"
                    <input
                        type="search"
                        name="q"
                        maxlength="100"
                        placeholder="Id, title or PI"
                        prop:value=move || current().q.unwrap_or_default()
                        data-testid="filter-search"
                    />
                </label>
                <label>
                    "Sort" <select name="sort" data-testid="filter-sort">{sort_options}</select>
                </label>
                <button type="submit" data-testid="filter-apply">"Show"</button>
            </form>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || projects.get().map(|result| match result {
                    Err(message) => {
                        view! { <p class="form-error" role="alert" data-testid="projects-error">{message}</p> }.into_any()
                    }
                    Ok(page) => view! { <ProjectTable page=page query=query.get_untracked() /> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ProjectTable(page: UnitProjectPage, query: ProjectQuery) -> impl IntoView {
    let filter = ProjectFilter::parse(&query).unwrap_or_default();
    let link = move |page: i64| {
        let search = filter.query_string(page);
        if search.is_empty() {
            "/unit".to_string()
        } else {
            format!("/unit?{search}")
        }
    };
    let summary = format!("{} project(s); page {} of {}.", page.total, page.page, page.page_count);
    let previous = (page.page > 1).then(|| {
        let href = link(page.page.min(page.page_count + 1) - 1);
        view! { <a href=href rel="prev" data-testid="page-previous">"Previous page"</a> }
    });
    let next = (page.page < page.page_count).then(|| {
        let href = link(page.page + 1);
        view! { <a href=href rel="next" data-testid="page-next">"Next page"</a> }
    });
    if page.projects.is_empty() {
        return view! {
            <p data-testid="unit-projects-empty">"No project matches."</p>
            <p class="hint" data-testid="unit-projects-summary">{summary}</p>
            <nav class="pager" aria-label="Project pages">{previous}</nav>
        }
        .into_any();
    }
    let rows = page
        .projects
        .into_iter()
        .map(|p| {
            let href = format!("/projects/{}", p.public_id);
            view! {
                <tr data-project=p.public_id.clone()>
                    <td>
                        <a href=href>{p.public_id.clone()}</a>
                    </td>
                    <td>{p.title}</td>
                    <td>{p.pi}</td>
                    <td>{p.status.as_str()}</td>
                    <td class="number">{human_bytes(p.size_bytes)}</td>
                    <td class="number">{p.file_count}</td>
                    <td class="number">{p.members}</td>
                    <td>{p.deadline.map(utc_day).unwrap_or_else(|| "none".into())}</td>
                    <td>{p.last_delivery.map(utc_day).unwrap_or_else(|| "never".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="table" data-testid="unit-projects">
                <thead>
                    <tr>
                        <th scope="col">"Project ID"</th>
                        <th scope="col">"Title"</th>
                        <th scope="col">"PI"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Size"</th>
                        <th scope="col">"Files"</th>
                        <th scope="col">"Members"</th>
                        <th scope="col">"Deadline"</th>
                        <th scope="col">"Last delivery"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint" data-testid="unit-projects-summary">{summary}</p>
        <nav class="pager" aria-label="Project pages">
            {previous}
            {next}
        </nav>
    }
    .into_any()
}
