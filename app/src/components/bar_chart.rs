//! A bar chart drawn as SVG on the server (no script, no library). It is a picture with a
//! one-line label; the figures themselves are in the table each page shows beside it, which is
//! the chart's text alternative.

use leptos::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 200.0;
const BASE: f64 = 178.0;

/// One bar per value, each with its label below it and its exact figure as a tooltip
/// (`format`); `description` is what assistive technology reads for the whole picture.
pub fn bar_chart(
    labels: &[String],
    values: &[f64],
    description: String,
    format: impl Fn(f64) -> String,
) -> impl IntoView {
    let most = values.iter().copied().fold(0.0_f64, f64::max);
    let slot = WIDTH / labels.len().max(1) as f64;
    let bars = labels
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (label, value))| {
            let height = if most > 0.0 { value / most * (BASE - 10.0) } else { 0.0 };
            let x = i as f64 * slot;
            view! {
                <g>
                    <rect
                        x=format!("{:.1}", x + slot * 0.15)
                        y=format!("{:.1}", BASE - height)
                        width=format!("{:.1}", slot * 0.7)
                        height=format!("{height:.1}")
                        class="bar"
                    >
                        <title>{format!("{label}: {}", format(*value))}</title>
                    </rect>
                    <text x=format!("{:.1}", x + slot / 2.0) y="195" text-anchor="middle" class="axis">
                        {label.clone()}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=description>
            <line x1="0" y1=BASE.to_string() x2=WIDTH.to_string() y2=BASE.to_string() class="axis-line" />
            {bars}
        </svg>
    }
}
