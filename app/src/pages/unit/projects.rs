//! The unit's projects (`/unit/projects`): filtered by status, searched (id, title, PI), sorted
//! and paged, with size, members, deadline and last delivery.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dashboard::{ProjectQuery, UnitProjectPage};
use crate::domain::dashboard::{ProjectFilter, ProjectSort};
use crate::domain::dates::utc_day;
use crate::domain::project_status::ProjectStatus;
use crate::domain::quota::human_bytes;

use super::{dashboard_frame, page_param, server_side, Server, Tab};

/// One page of projects: on the server through the page port, in the browser through the API.
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

/// The page's query string as a projects query.
fn query_of(map: &leptos_router::params::ParamsMap) -> ProjectQuery {
    ProjectQuery { status: map.get("status"), q: map.get("q"), sort: map.get("sort"), page: page_param(map) }
}

#[component]
pub fn UnitProjectsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Signal::derive(move || params.with(query_of));
    let server = server_side();
    let projects = Resource::new(move || query.get(), move |query| load_projects(query, server.clone()));
    view! {
        <Title text="Unit projects" />
        <h1>"Unit dashboard"</h1>
        {dashboard_frame(Tab::Projects, projects, move |page| view! { <ProjectsSection page=page query=query /> })}
    }
}

#[component]
fn ProjectsSection(page: UnitProjectPage, query: Signal<ProjectQuery>) -> impl IntoView {
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
            <form method="get" action="/unit/projects" class="filters" data-testid="project-filters">
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
            <ProjectTable page=page query=query.get_untracked() />
        </section>
    }
}

#[component]
fn ProjectTable(page: UnitProjectPage, query: ProjectQuery) -> impl IntoView {
    let filter = ProjectFilter::parse(&query).unwrap_or_default();
    let link = move |page: i64| {
        let search = filter.query_string(page);
        if search.is_empty() {
            "/unit/projects".to_string()
        } else {
            format!("/unit/projects?{search}")
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
