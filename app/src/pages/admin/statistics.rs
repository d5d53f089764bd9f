//! Statistics in the Super Admin console: DDS's reporting figures (`dds stats`), live, as
//! charts with their tables beside them (the tables are the charts' text alternative).

use leptos::prelude::*;

use crate::api::statistics::{PortalStatistics, STATISTICS};
use crate::client::reload::load_on;
use crate::components::bar_chart::bar_chart;
use crate::domain::quota::human_bytes;

/// A count as a chart figure.
fn count(value: f64) -> String {
    format!("{value:.0}")
}

/// One chart and the table of its figures.
fn chart_with_table(title: &'static str, testid: &'static str, rows: Vec<(String, i64)>) -> impl IntoView {
    let labels: Vec<String> = rows.iter().map(|(label, _)| label.clone()).collect();
    let values: Vec<f64> = rows.iter().map(|(_, value)| *value as f64).collect();
    let total: i64 = rows.iter().map(|(_, value)| value).sum();
    let description = format!("Bar chart: {title}, {total} in all; the table beside it lists each.");
    let table = rows
        .into_iter()
        .map(|(label, value)| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="number">{value}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="usage-report">
            {bar_chart(&labels, &values, description, count)}
            <table class="table" data-testid=testid>
                <caption>{title}</caption>
                <tbody>{table}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn StatisticsConsole() -> impl IntoView {
    let (version, _) = signal(0u32);
    let statistics = load_on::<PortalStatistics>(STATISTICS, version);
    view! {
        <section class="card" data-testid="statistics-card">
            <h2>"Statistics"</h2>
            {move || match statistics.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="form-error">{message}</p> }.into_any(),
                Some(Ok(figures)) => {
                    let roles = figures
                        .users_by_role
                        .iter()
                        .map(|entry| (entry.role.as_str().to_string(), entry.count))
                        .collect();
                    let statuses = figures
                        .projects_by_status
                        .iter()
                        .map(|entry| (entry.status.as_str().to_string(), entry.count))
                        .collect();
                    view! {
                        <dl class="figures" data-testid="statistics-figures">
                            <dt>"Units"</dt>
                            <dd>{figures.units}</dd>
                            <dt>"Project Owners"</dt>
                            <dd>{figures.project_owners}</dd>
                            <dt>"Data stored now"</dt>
                            <dd>{human_bytes(figures.stored_bytes)}</dd>
                            <dt>"Data uploaded since the start"</dt>
                            <dd>{human_bytes(figures.uploaded_bytes)}</dd>
                            <dt>"Byte-hours last month"</dt>
                            <dd>{format!("{}-hours", human_bytes(figures.byte_hours_last_month.round() as i64))}</dd>
                            <dt>"Byte-hours in all"</dt>
                            <dd>{format!("{}-hours", human_bytes(figures.byte_hours_total.round() as i64))}</dd>
                        </dl>
                        <h3>"Accounts by role"</h3>
                        {chart_with_table("Accounts by role", "users-by-role", roles)}
                        <h3>"Projects by status"</h3>
                        {chart_with_table("Projects by status", "projects-by-status-all", statuses)}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
