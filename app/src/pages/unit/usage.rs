//! The unit's storage use (`/unit/usage`): byte-hours per month in all, as a chart with the
//! table beside it (its text alternative), and per project a page at a time; the whole report
//! as CSV for invoicing.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dashboard::{UnitUsage, UsageQuery, UNIT_USAGE_CSV};
use crate::components::bar_chart::bar_chart;
use crate::domain::quota::human_bytes;

use super::{dashboard_frame, page_param, server_side, Server, Tab};

/// The report: on the server through the page port, in the browser through the API.
#[cfg(feature = "ssr")]
async fn load_usage(query: UsageQuery, server: Server) -> Result<UnitUsage, String> {
    let (portal, parts) = server.0.ok_or("The portal is not ready yet.")?;
    portal.dashboard.usage(&parts, query).await
}

#[cfg(not(feature = "ssr"))]
fn load_usage(
    query: UsageQuery,
    _server: Server,
) -> impl std::future::Future<Output = Result<UnitUsage, String>> + Send {
    super::in_browser(async move {
        use crate::api::{dashboard::UNIT_USAGE, url};
        let page = query.page()?;
        crate::client::api::get_json(&format!("{}?page={page}", url(UNIT_USAGE))).await.map_err(String::from)
    })
}

/// Byte-hours as people read them: "1.2 TB-hours".
fn hours(byte_hours: f64) -> String {
    format!("{}-hours", human_bytes(byte_hours.round() as i64))
}

#[component]
pub fn UnitUsagePage() -> impl IntoView {
    let params = use_query_map();
    let query = move || params.with(|map| UsageQuery { page: page_param(map) });
    let server = server_side();
    let usage = Resource::new(query, move |query| load_usage(query, server.clone()));
    view! {
        <Title text="Unit usage" />
        <h1>"Unit dashboard"</h1>
        {dashboard_frame(Tab::Usage, usage, |report| view! { <Report report=report /> })}
    }
}

#[component]
fn Report(report: UnitUsage) -> impl IntoView {
    let short: Vec<String> =
        report.months.iter().map(|month| month.get(5..).unwrap_or(month).to_string()).collect();
    let most = report.totals.iter().copied().fold(0.0_f64, f64::max);
    let chart = view! {
        <div data-testid="usage-chart" class="usage-chart">
            {bar_chart(
                &short,
                &report.totals,
                format!("Bar chart of the unit's byte-hours per month, highest {}.", hours(most)),
                hours,
            )}
        </div>
    };
    let monthly = report
        .months
        .iter()
        .zip(&report.totals)
        .map(|(month, total)| {
            view! {
                <tr>
                    <th scope="row">{month.clone()}</th>
                    <td class="number">{hours(*total)}</td>
                </tr>
            }
        })
        .collect_view();
    let head =
        report.months.iter().map(|month| view! { <th scope="col">{month.clone()}</th> }).collect_view();
    let rows = report
        .projects
        .iter()
        .map(|project| {
            let href = format!("/projects/{}", project.public_id);
            let cells = project
                .byte_hours
                .iter()
                .map(|value| view! { <td class="number">{hours(*value)}</td> })
                .collect_view();
            view! {
                <tr data-project=project.public_id.clone()>
                    <th scope="row">
                        <a href=href>{project.public_id.clone()}</a>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let previous = (report.page > 1).then(|| {
        let href = format!("/unit/usage?page={}", report.page.min(report.page_count + 1) - 1);
        view! { <a href=href rel="prev" data-testid="usage-previous">"Previous page"</a> }
    });
    let next = (report.page < report.page_count).then(|| {
        let href = format!("/unit/usage?page={}", report.page + 1);
        view! { <a href=href rel="next" data-testid="usage-next">"Next page"</a> }
    });
    let summary =
        format!("{} project(s); page {} of {}.", report.total_projects, report.page, report.page_count);
    view! {
        <section class="card" aria-labelledby="usage-title">
            <h2 id="usage-title">"Storage used per month"</h2>
            <p class="hint">
                "Byte-hours: each stored byte counted for every hour it was kept, as the unit is invoiced. "
                <a href=crate::api::url(UNIT_USAGE_CSV) download="unit-usage.csv" data-testid="usage-csv">
                    "Download every project's usage (CSV)"
                </a>
            </p>
            <div class="usage-report">
                {chart}
                <table class="table" data-testid="usage-totals">
                    <caption>"The unit's byte-hours per month (the chart's data)"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Month"</th>
                            <th scope="col">"Byte-hours"</th>
                        </tr>
                    </thead>
                    <tbody>{monthly}</tbody>
                </table>
            </div>
        </section>
        <section class="card" aria-labelledby="usage-projects-title">
            <h2 id="usage-projects-title">"Per project"</h2>
            <div class="table-scroll">
                <table class="table" data-testid="usage-projects">
                    <thead>
                        <tr>
                            <th scope="col">"Project ID"</th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint" data-testid="usage-summary">{summary}</p>
            <nav class="pager" aria-label="Usage pages">
                {previous}
                {next}
            </nav>
        </section>
    }
}
