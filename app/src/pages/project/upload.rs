//! Uploading into a project (unit staff, In Progress): pick files or a whole folder, or drop
//! them; files that already exist are listed before anything is sent (skip them, or send a new
//! version where DDS allows it); then each file goes through `client::transfer::upload` with its
//! progress (small files a few at once), and the total with speed and time left. Pause stops and keeps what the storage
//! holds (Resume, or picking the same files again later, even in another tab, continues from
//! there); Cancel drops the file being sent and stops the rest.

use leptos::prelude::*;

use crate::api::transfers::Conflicts;
use crate::client::transfer::upload::{conflicts, Picked, Target};
use crate::domain::quota::human_bytes;

/// One picked file's place in the batch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum RowState {
    Waiting,
    Sending,
    Done,
    Skipped(&'static str),
    Failed(String),
    /// Paused (or cut short): what the storage holds is kept for a resume.
    Stopped,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    path: String,
    size: u64,
    sent: u64,
    state: RowState,
}

impl Row {
    fn status(&self) -> String {
        match &self.state {
            RowState::Waiting => "Waiting".into(),
            RowState::Sending => {
                format!("{} of {}", human_bytes(self.sent as i64), human_bytes(self.size as i64))
            }
            RowState::Done => "Uploaded".into(),
            RowState::Skipped(why) => format!("Skipped: {why}"),
            RowState::Failed(message) => message.clone(),
            RowState::Stopped => format!("Paused after {}", human_bytes(self.sent as i64)),
            RowState::Cancelled => "Cancelled".into(),
        }
    }
}

/// "12.5 MB/s, about 3 min left" from bytes sent in `elapsed_ms` and bytes still to send.
fn pace(sent: u64, left: u64, elapsed_ms: f64) -> String {
    if sent == 0 || elapsed_ms < 500.0 {
        return String::new();
    }
    let per_second = sent as f64 * 1000.0 / elapsed_ms;
    let secs = (left as f64 / per_second).ceil() as u64;
    let eta = match secs {
        0 => "finishing".to_string(),
        s if s < 60 => format!("about {s} s left"),
        s if s < 3600 => format!("about {} min left", s.div_ceil(60)),
        s => format!("about {} h {} min left", s / 3600, (s % 3600) / 60),
    };
    format!("{}/s, {eta}", human_bytes(per_second as i64))
}

// Server rendering draws the panel; picking and sending only happen in the browser.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
#[component]
pub fn UploadPanel(
    target: Target,
    /// Bumped after each batch so the file list shows what arrived.
    files_changed: RwSignal<u32>,
) -> impl IntoView {
    let picked = RwSignal::new_local(Vec::<Picked>::new());
    let rows = RwSignal::new(Vec::<Row>::new());
    let found = RwSignal::new(None::<Conflicts>);
    let overwrite = RwSignal::new(false);
    let running = RwSignal::new(false);
    let (error, set_error) = signal(None::<String>);
    let (summary, set_summary) = signal(None::<String>);
    let started_at = RwSignal::new(0.0f64);
    let now = RwSignal::new(0.0f64);
    #[cfg(feature = "hydrate")]
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);

    // Held in the reactive arena so every handler below is `Copy`.
    let target = StoredValue::new(target);
    // Which picked files exist already or have an upload under way: (project, picked files).
    let ask_conflicts = Action::new_local(move |(public_id, list): &(String, Vec<Picked>)| {
        let (public_id, list) = (public_id.clone(), list.clone());
        async move {
            match conflicts(&public_id, &list).await {
                Ok(answer) => found.set(Some(answer)),
                Err(message) => set_error.set(Some(message)),
            }
        }
    });
    let choose = move |list: Vec<Picked>| {
        set_error.set(None);
        set_summary.set(None);
        found.set(None);
        overwrite.set(false);
        rows.set(
            list.iter()
                .map(|p| Row { path: p.path.clone(), size: p.size, sent: 0, state: RowState::Waiting })
                .collect(),
        );
        picked.set(list.clone());
        if list.is_empty() {
            return;
        }
        ask_conflicts.dispatch((target.with_value(|t| t.public_id.clone()), list));
    };

    #[cfg(feature = "hydrate")]
    let on_input = {
        move |ev: leptos::ev::Event| {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target() else { return };
            let list = crate::client::transfer::upload::picked_from_input(input.unchecked_ref());
            choose(list);
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_input = |_ev: leptos::ev::Event| {};
    // The files and folders dropped on the panel, read in the browser.
    #[cfg(feature = "hydrate")]
    let read_drop = Action::new_local(move |data: &web_sys::DataTransfer| {
        let data = data.clone();
        async move {
            match crate::client::transfer::upload::picked_from_drop(&data.into()).await {
                Ok(list) => choose(list),
                Err(message) => set_error.set(Some(message)),
            }
        }
    });
    #[cfg(feature = "hydrate")]
    let on_drop = {
        move |ev: leptos::ev::DragEvent| {
            ev.prevent_default();
            let Some(data) = ev.data_transfer() else { return };
            read_drop.dispatch(data);
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_drop = |_ev: leptos::ev::DragEvent| {};

    // Sends every picked file not skipped, in order, small files a few at once (each file a few
    // parts at once; `upload::groups`). A
    // file with an upload under way for its path (an earlier try cut short, or a pause)
    // continues from the parts the storage holds. The conflicts are asked again first, so a
    // resume after a pause finds its upload.
    let me = expect_context::<crate::components::session::CurrentUser>();
    // (whether to overwrite files that exist)
    #[cfg(feature = "hydrate")]
    let send_all = Action::new_local(move |replace: &bool| {
        use crate::client::transfer::upload::{groups, send, How, CANCELLED};
        let replace = *replace;
        let target = target.get_value();
        let list = picked.get_untracked();
        let username =
            me.0.get_untracked().and_then(Result::ok).flatten().map(|me| me.username).unwrap_or_default();
        async move {
            let answer = match conflicts(&target.public_id, &list).await {
                Ok(answer) => answer,
                Err(message) => {
                    set_error.set(Some(message));
                    running.set(false);
                    return;
                }
            };
            let plans: Vec<Option<How>> = list
                .iter()
                .map(|file| {
                    if let Some(pending) = answer.pending.iter().find(|p| p.upload.path == file.path) {
                        Some(How::Resume { upload_id: pending.upload.id.clone() })
                    } else if answer.existing.contains(&file.path) {
                        replace.then_some(How::New { overwrite: true })
                    } else {
                        Some(How::New { overwrite: false })
                    }
                })
                .collect();
            rows.update(|rows| {
                for (row, plan) in rows.iter_mut().zip(&plans) {
                    if row.state == RowState::Done {
                        continue;
                    }
                    row.sent = 0;
                    row.state = match plan {
                        Some(_) => RowState::Waiting,
                        None => RowState::Skipped("it already exists"),
                    };
                }
            });
            found.set(Some(answer));
            let Ok(abort) = web_sys::AbortController::new() else { return };
            let signal = abort.signal();
            controller.set_value(Some(abort));
            started_at.set(js_sys::Date::now());
            // The files to send now, in order, sent a few small ones at once (`groups`).
            let todo: Vec<(usize, How)> = list
                .iter()
                .zip(plans)
                .enumerate()
                .filter_map(|(index, (_, plan))| plan.map(|how| (index, how)))
                .filter(|(index, _)| rows.with_untracked(|rows| rows[*index].state == RowState::Waiting))
                .collect();
            let sizes: Vec<u64> = todo.iter().map(|(index, _)| list[*index].size).collect();
            let (sent, failed) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
            let one = |index: usize, how: How| {
                let (target, username, signal, file) = (&target, &username, &signal, &list[index]);
                let (sent, failed) = (&sent, &failed);
                async move {
                    if signal.aborted() {
                        rows.update(|rows| rows[index].state = RowState::Stopped);
                        return;
                    }
                    rows.update(|rows| rows[index].state = RowState::Sending);
                    let progress =
                        wasm_bindgen::closure::Closure::<dyn FnMut(f64)>::new(move |bytes: f64| {
                            rows.update(|rows| rows[index].sent = bytes as u64);
                            now.set(js_sys::Date::now());
                        });
                    let outcome = send(
                        target,
                        username,
                        file,
                        how,
                        wasm_bindgen::JsCast::unchecked_ref(progress.as_ref()),
                        signal,
                    )
                    .await;
                    drop(progress);
                    let cancelled =
                        signal.aborted() && signal.reason().as_string().as_deref() == Some(CANCELLED);
                    rows.update(|rows| {
                        let row = &mut rows[index];
                        row.state = match outcome {
                            Ok(_) => {
                                row.sent = row.size;
                                sent.set(sent.get() + 1);
                                RowState::Done
                            }
                            Err(_) if cancelled => RowState::Cancelled,
                            Err(_) if signal.aborted() => RowState::Stopped,
                            Err(message) => {
                                failed.set(failed.get() + 1);
                                RowState::Failed(message)
                            }
                        };
                    });
                }
            };
            let mut todo = todo.into_iter();
            for group in groups(&sizes) {
                let runs: Vec<_> =
                    todo.by_ref().take(group.len()).map(|(index, how)| one(index, how)).collect();
                futures::future::join_all(runs).await;
            }
            let (sent, failed) = (sent.get(), failed.get());
            let paused = signal.aborted() && signal.reason().as_string().as_deref() != Some(CANCELLED);
            controller.set_value(None);
            running.set(false);
            files_changed.update(|v| *v += 1);
            set_summary.set(Some(match (failed, paused) {
                (_, true) => {
                    format!("{sent} file(s) uploaded; paused. Resume sends the rest from where it stopped.")
                }
                (0, false) => format!("{sent} file(s) uploaded."),
                _ => format!("{sent} file(s) uploaded; {failed} failed (see each file's message)."),
            }));
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let send_all = Action::new_local(move |_: &bool| {
        let _ = me;
        async {}
    });
    let start = move |_| {
        let replace = overwrite.get_untracked()
            && found.with_untracked(|f| f.as_ref().is_some_and(|f| f.overwrite_allowed));
        set_error.set(None);
        set_summary.set(None);
        running.set(true);
        send_all.dispatch(replace);
    };
    // Pause keeps what was sent (a resume continues it); cancel drops it.
    let stop = move |reason: &'static str| {
        #[cfg(feature = "hydrate")]
        controller.with_value(|c| {
            if let Some(c) = c {
                c.abort_with_reason(&reason.into());
            }
        });
    };

    let total = move || {
        rows.with(|rows| {
            rows.iter().filter(|r| !matches!(r.state, RowState::Skipped(_))).map(|r| r.size).sum::<u64>()
        })
    };
    let sent = move || {
        rows.with(|rows| {
            rows.iter().filter(|r| !matches!(r.state, RowState::Skipped(_))).map(|r| r.sent).sum::<u64>()
        })
    };

    view! {
        <section class="card" aria-labelledby="upload-heading" data-testid="upload-panel">
            <h2 id="upload-heading">"Upload"</h2>
            <p>"Files are encrypted in this browser before they leave it; folders keep their sub-folders."</p>
            <div class="drop-zone" data-testid="drop-zone"
                on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop>
                <label>"Choose files " <input type="file" multiple data-testid="pick-files" on:change=on_input disabled=move || running.get() /></label>
                <label>"Choose a folder " <input type="file" prop:webkitdirectory=true data-testid="pick-folder" on:change=on_input disabled=move || running.get() /></label>
                <p class="hint">"or drop files and folders here"</p>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert" data-testid="upload-error">{move || error.get()}</p>
            </Show>
            {move || found.get().filter(|f| !f.existing.is_empty() || !f.pending.is_empty()).map(|f| {
                let allowed = f.overwrite_allowed;
                view! {
                    <div class="conflicts" data-testid="upload-conflicts">
                        <p>{format!("{} of these already exist in the project:", f.existing.len())}</p>
                        <ul>{f.existing.iter().take(20).map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                        {(!f.pending.is_empty()).then(|| view! {
                            <p>{format!("{} have an upload under way: they continue from where they stopped.", f.pending.len())}</p>
                        })}
                        {if allowed {
                            view! {
                                <label class="checkbox">
                                    <input type="checkbox" data-testid="overwrite" bind:checked=overwrite />
                                    "Replace them with a new version (otherwise they are skipped)"
                                </label>
                            }.into_any()
                        } else {
                            view! { <p>"They are skipped: files cannot be replaced in a project that has been made available before."</p> }.into_any()
                        }}
                    </div>
                }
            })}
            <Show when=move || !rows.with(Vec::is_empty)>
                <div class="upload-actions">
                    <button type="button" data-testid="start-upload" on:click=start
                        disabled=move || running.get() || found.get().is_none()>
                        {move || {
                            let waiting = rows.with(|rows| rows.iter().any(|r| r.state == RowState::Stopped));
                            let verb = if waiting { "Resume" } else { "Upload" };
                            format!("{verb} {} file(s), {}", rows.with(Vec::len), human_bytes(total() as i64))
                        }}
                    </button>
                    <Show when=move || running.get()>
                        <button type="button" data-testid="pause-upload" on:click=move |_| stop("pause")>"Pause"</button>
                        <button type="button" class="button-danger" data-testid="cancel-upload" on:click=move |_| stop("cancel")>"Cancel"</button>
                    </Show>
                </div>
                <p role="status" data-testid="upload-total">
                    {move || {
                        let (sent, total) = (sent(), total());
                        let elapsed = now.get() - started_at.get();
                        let pace = if running.get() { pace(sent, total.saturating_sub(sent), elapsed) } else { String::new() };
                        format!("{} of {} sent {}", human_bytes(sent as i64), human_bytes(total as i64), pace)
                    }}
                </p>
                <Show when=move || summary.get().is_some()>
                    <p class="form-status" role="status" data-testid="upload-summary">{move || summary.get()}</p>
                </Show>
                <table class="table" data-testid="upload-files">
                    <thead><tr><th scope="col">"File"</th><th scope="col">"Size"</th><th scope="col">"Progress"</th></tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|row| {
                            let fraction = if row.size == 0 { if row.state == RowState::Done { 1.0 } else { 0.0 } } else { row.sent as f64 / row.size as f64 };
                            view! {
                                <tr data-upload=row.path.clone() data-state=format!("{:?}", row.state).split('(').next().unwrap_or_default().to_string()>
                                    <td>{row.path.clone()}</td>
                                    <td class="number">{human_bytes(row.size as i64)}</td>
                                    <td>
                                        <progress max="1" value=fraction.to_string() aria-label=format!("Progress of {}", row.path)></progress>
                                        " " {row.status()}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::pace;

    #[test]
    fn pace_says_speed_and_time_left() {
        assert_eq!(pace(0, 100, 10_000.0), "");
        assert_eq!(pace(10_000_000, 20_000_000, 1000.0), "10.0 MB/s, about 2 s left");
        assert_eq!(pace(1_000_000, 600_000_000, 1000.0), "1.0 MB/s, about 10 min left");
        assert_eq!(pace(1_000_000, 0, 1000.0), "1.0 MB/s, finishing");
    }
}
